/* tests/headers/check_sal.c: the SAL annotations the WDK samples use
 * compile away (as C here, as C++ through the .cpp twin). Compiling this file is the test. */
#include <ntddk.h>

#include "sal_usage.h"
