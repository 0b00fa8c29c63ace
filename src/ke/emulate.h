/* ke/emulate.h: the instructions compiled x64 drivers execute that a user
 * process may not, performed when they fault.
 *
 * The loader patches what it can find at load time into code that runs at
 * full speed (loader/pe_patch.c); whatever it could not (an encoding it does
 * not patch, a native driver's inline assembly, code it could not prove to
 * be code) faults, and the fault handler calls ke_emulate_fault first:
 *   - mov reg, cr8 and mov cr8, reg (a general-protection fault in user
 *     mode): the thread's IRQL, read or set (ke/cr8.h);
 *   - a load through gs (the gs base is 0, so it faults near address 0):
 *     from the thread's KPCR (ke/pcr.h);
 *   - a load from KUSER_SHARED_DATA at 0xFFFFF78000000000 (above user
 *     space): from ntbox's copy, brought up to date (ke/kuser.h);
 *   - a patched gs load run by a thread with no KPCR yet: the KPCR is made
 *     and the load runs again.
 * Patch code counts as driver code: instructions the loader moved there
 * with a patched one are emulated there too.
 * Loads are mov, movzx, movsx and movsxd into a general-purpose register.
 * Each emulation costs a signal (about a microsecond); patched code costs
 * what the instruction would. */
#ifndef NTBOX_KE_EMULATE_H
#define NTBOX_KE_EMULATE_H

#include <signal.h>
#include <stdbool.h>

/* When the fault at the context's instruction pointer, in a loaded driver
 * image or the loader's patch code, is one of the above: performs it on
 * the context's registers (past the instruction, or at it to run it again)
 * and returns true; the handler then returns and the thread goes on.
 * Otherwise returns false and changes nothing. */
bool ke_emulate_fault(int sig, siginfo_t *si, void *context);

#endif
