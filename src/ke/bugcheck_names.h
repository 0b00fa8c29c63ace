/* ke/bugcheck_names.h: the table behind ke_bugcheck_name. */
#ifndef NTBOX_KE_BUGCHECK_NAMES_H
#define NTBOX_KE_BUGCHECK_NAMES_H

#include <ntdef.h>

struct ke_bugcheck_info {
    ULONG code;
    const char *name;
    const char *meaning; /* one sentence */
};

const struct ke_bugcheck_info *ke_bugcheck_info(ULONG code);

#endif
