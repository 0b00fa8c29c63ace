/* tests/headers/check_sample_order.c: the include order of the book's samples: ntddk.h, ntstatus.h, wdm.h (as C here, as C++ through the .cpp twin).
 * Compiling this file is the test. */
#include <ntddk.h>
#include <ntstatus.h>
#include <wdm.h>

#include "sample_driver.h"
