/* cmd_scan.c — `vigil scan`. Not implemented yet: says so and exits 2. */
#include <stdio.h>

#include "cli/cli.h"

const char vg_usage_scan[] = "usage: vigil scan ...\n\n(not implemented yet)\n";

int vg_cmd_scan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil scan: not implemented yet\n");
    return VG_EXIT_USAGE;
}
