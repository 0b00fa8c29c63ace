/* winioctl.h: device types and I/O control codes, the same values drivers
 * see in wdm.h (CTL_CODE, METHOD_*, FILE_*_ACCESS, FILE_DEVICE_*). */
#ifndef _WINIOCTL_
#define _WINIOCTL_

#include <ntdef.h>
#include <ntbox/ioctl_codes.h>

#endif
