/* tests/headers/check_sal.cpp: the SAL annotations the WDK samples use
 * compile away (C++). Compiling this file is the test. */
#include <ntddk.h>

#include "sal_usage.h"
