/* winerror.h: the Win32 error codes (ERROR_*), as the SDK header names them. */
#ifndef _WINERROR_
#define _WINERROR_
#include <ntbox/winerror.h>
#endif
