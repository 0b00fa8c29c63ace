/* tests/headers/check_km_seh.cpp: check_km_seh.c compiled as C++ (the WDK headers must work in both). */
#include "check_km_seh.c"
