/* tests/headers/check_ntstatus_first.cpp: ntstatus.h before ntddk.h, as drivers that need every status code do (C++).
 * Compiling this file is the test. */
#include <ntstatus.h>
#include <ntddk.h>

#include "sample_driver.h"
