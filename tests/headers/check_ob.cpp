/* tests/headers/check_ob.cpp: check_ob.c compiled as C++ (the WDK headers must work in both). */
#include "check_ob.c"
