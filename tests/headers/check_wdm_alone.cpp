/* tests/headers/check_wdm_alone.cpp: check_wdm_alone.c compiled as C++ (the WDK headers must work in both). */
#include "check_wdm_alone.c"
