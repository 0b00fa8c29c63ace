/* tests/headers/check_winerror.cpp: check_winerror.c compiled as C++ (the WDK headers must work in both). */
#include "check_winerror.c"
