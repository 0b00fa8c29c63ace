/* tests/headers/check_ntifs.cpp: check_ntifs.c compiled as C++ (the WDK headers must work in both). */
#include "check_ntifs.c"
