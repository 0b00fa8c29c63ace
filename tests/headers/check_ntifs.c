/* tests/headers/check_ntifs.c: ntifs.h, a file-system filter's one include (as C here, as C++ through the .cpp twin).
 * Compiling this file is the test. */
#include <ntifs.h>

#include "sample_driver.h"
