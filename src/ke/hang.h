/* ke/hang.h: hangs turned into reports, for `ntbox run`.
 *
 * When every thread is blocked for good (in kernel waits without a
 * timeout, on push locks, or spinning on spin locks whose holders are
 * blocked) and no timer, DPC or work item is left to wake one, or when
 * threads wait for each other in a cycle (each for a lock the next holds),
 * the run ends with a deadlock report: each thread, what it waits for and
 * who owns it, the driver's source line of the wait, and what it holds;
 * exit status 3. A --timeout ends the run the same way when it runs out. */
#ifndef NTBOX_KE_HANG_H
#define NTBOX_KE_HANG_H

/* Starts watching for hangs; timeout_seconds (0: none) bounds the run. */
void ke_hang_watch_start(unsigned timeout_seconds);

#endif
