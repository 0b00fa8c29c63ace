/* seh.c as C++: the same __try, __except and __finally, compiled by g++
 * (ntbox's macros) or clang++ (real __try). */
#include "../seh.c"
