/* cmd_signins.c — `vigil signins`. Not implemented yet: says so and exits 2. */
#include <stdio.h>

#include "cli/cli.h"

const char vg_usage_signins[] = "usage: vigil signins ...\n\n(not implemented yet)\n";

int vg_cmd_signins(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil signins: not implemented yet\n");
    return VG_EXIT_USAGE;
}
