/* A client program that forgot its main. */
#include <windows.h>

int NotMain(void)
{
    return GetCurrentProcessId() == 0;
}
