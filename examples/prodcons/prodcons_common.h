/* prodcons_common.h: what the ProdCons driver and its client share. */
#pragma once

#define PRODCONS_DEVICE 0x8003

/* Input: an int count. Waits (up to 10 seconds) until the consumer has
 * taken that many items; output: PRODCONS_STATS. */
#define IOCTL_PRODCONS_WAIT_CONSUMED CTL_CODE(PRODCONS_DEVICE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _PRODCONS_STATS {
    int Consumed;           /* items the consumer took */
    int Sum;                /* their values added up */
    int InOrder;            /* 1 when they came out in the order they went in */
    unsigned char Irql;     /* the consumer thread's IRQL while it works */
    unsigned char System;   /* 1 when the consumer is a system thread */
} PRODCONS_STATS;
