/* tests/headers/check_ntdef_alone.cpp: check_ntdef_alone.c compiled as C++ (the WDK headers must work in both). */
#include "check_ntdef_alone.c"
