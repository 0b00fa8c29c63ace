/* booster_common.h: what the Booster driver and its client share. */
#pragma once

/* What a client writes to \\.\Booster: which thread, which priority. */
typedef struct _THREAD_DATA {
    unsigned int ThreadId;
    int Priority;
} THREAD_DATA;
