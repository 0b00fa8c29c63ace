/* kd/dbgprint.h: ntbox's controls over debug output (DbgPrint family). */
#ifndef NTBOX_KD_DBGPRINT_H
#define NTBOX_KD_DBGPRINT_H

#include <stdbool.h>

/* Windows transmits at most this many bytes per DbgPrint call. */
#define KD_MESSAGE_MAX 512

/* Off (the default): every DbgPrint/DbgPrintEx message is shown, ntbox being
 * a development tool. On: Windows' default filter masks apply (every
 * component's mask 0, ORed with the WIN2000 mask 0x1), so only messages
 * whose importance bit field has bit 0 (DPFLTR_ERROR_LEVEL) are shown, and
 * DbgPrint (DEFAULT component, INFO level) is not. */
void kd_set_windows_filtering(bool on);

#endif
