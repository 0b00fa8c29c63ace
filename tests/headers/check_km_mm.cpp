/* tests/headers/check_km_mm.cpp: check_km_mm.c compiled as C++ (the WDK headers must work in both). */
#include "check_km_mm.c"
