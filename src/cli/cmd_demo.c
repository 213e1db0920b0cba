/* cmd_demo.c — `vigil demo`. Not implemented yet: says so and exits 2. */
#include <stdio.h>

#include "cli/cli.h"

const char vg_usage_demo[] = "usage: vigil demo ...\n\n(not implemented yet)\n";

int vg_cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil demo: not implemented yet\n");
    return VG_EXIT_USAGE;
}
