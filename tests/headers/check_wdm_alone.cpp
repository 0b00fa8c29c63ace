/* tests/headers/check_wdm_alone.cpp: wdm.h alone is enough for a WDM driver (C++).
 * Compiling this file is the test. */
#include <wdm.h>

#include "sample_driver.h"
