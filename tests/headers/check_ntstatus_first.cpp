/* tests/headers/check_ntstatus_first.cpp: check_ntstatus_first.c compiled as C++ (the WDK headers must work in both). */
#include "check_ntstatus_first.c"
