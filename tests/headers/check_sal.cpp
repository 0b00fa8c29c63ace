/* tests/headers/check_sal.cpp: check_sal.c compiled as C++ (the WDK headers must work in both). */
#include "check_sal.c"
