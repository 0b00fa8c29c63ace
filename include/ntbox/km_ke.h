/* ntbox/km_ke.h: the kernel core (Ke): IRQL, spin locks, bugchecks. */
#ifndef NTBOX_KM_KE_H
#define NTBOX_KM_KE_H

NTBOX_BEGIN_DECLS

#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define DRS_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15

NTHALAPI KIRQL NTAPI KeGetCurrentIrql(VOID);

/* Bugchecks: end the run with Windows' STOP report (exit status 3). */
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheckEx(_In_ ULONG BugCheckCode, _In_ ULONG_PTR BugCheckParameter1,
                                                      _In_ ULONG_PTR BugCheckParameter2, _In_ ULONG_PTR BugCheckParameter3,
                                                      _In_ ULONG_PTR BugCheckParameter4);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheck(_In_ ULONG BugCheckCode);

NTBOX_END_DECLS

#endif
