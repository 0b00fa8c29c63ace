/* tests/headers/check_sample_order.cpp: the include order of the book's samples: ntddk.h, ntstatus.h, wdm.h (C++).
 * Compiling this file is the test. */
#include <ntddk.h>
#include <ntstatus.h>
#include <wdm.h>

#include "sample_driver.h"
