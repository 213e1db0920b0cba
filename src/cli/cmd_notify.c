/* cmd_notify.c — `vigil notify`. Not implemented yet: says so and exits 2. */
#include <stdio.h>

#include "cli/cli.h"

const char vg_usage_notify[] = "usage: vigil notify ...\n\n(not implemented yet)\n";

int vg_cmd_notify(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil notify: not implemented yet\n");
    return VG_EXIT_USAGE;
}
