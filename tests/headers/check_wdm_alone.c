/* tests/headers/check_wdm_alone.c: wdm.h alone is enough for a WDM driver (as C here, as C++ through the .cpp twin).
 * Compiling this file is the test. */
#include <wdm.h>

#include "sample_driver.h"
