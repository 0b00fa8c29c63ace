/* tests/headers/check_ntstatus_first.c: ntstatus.h before ntddk.h, as drivers that need every status code do (as C here, as C++ through the .cpp twin).
 * Compiling this file is the test. */
#include <ntstatus.h>
#include <ntddk.h>

#include "sample_driver.h"
