/* methods_common.h: one I/O control per buffering method. */
#pragma once

#define METHODS_DEVICE 0x8001

/* Output: the input reversed (through the system buffer). */
#define IOCTL_METHODS_BUFFERED CTL_CODE(METHODS_DEVICE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Counts the bytes of the second buffer (an MDL, read) equal to the first input byte. */
#define IOCTL_METHODS_IN_DIRECT CTL_CODE(METHODS_DEVICE, 0x801, METHOD_IN_DIRECT, FILE_READ_ACCESS)
/* Output: the input reversed (written through an MDL). */
#define IOCTL_METHODS_OUT_DIRECT CTL_CODE(METHODS_DEVICE, 0x802, METHOD_OUT_DIRECT, FILE_WRITE_ACCESS)
/* Output: the input in upper case (raw user pointers, probed by the driver). */
#define IOCTL_METHODS_NEITHER CTL_CODE(METHODS_DEVICE, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS)
