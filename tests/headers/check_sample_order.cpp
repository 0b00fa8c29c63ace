/* tests/headers/check_sample_order.cpp: check_sample_order.c compiled as C++ (the WDK headers must work in both). */
#include "check_sample_order.c"
