/* cli/main.c: the ntbox command (placeholder). */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts("usage: ntbox run DRIVER");
    return 1;
}
