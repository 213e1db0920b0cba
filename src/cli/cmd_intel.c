/* cmd_intel.c — `vigil intel`. Not implemented yet: says so and exits 2. */
#include <stdio.h>

#include "cli/cli.h"

const char vg_usage_intel[] = "usage: vigil intel ...\n\n(not implemented yet)\n";

int vg_cmd_intel(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil intel: not implemented yet\n");
    return VG_EXIT_USAGE;
}
