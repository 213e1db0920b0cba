/* cmd_mail.c — `vigil mail`. Not implemented yet: says so and exits 2. */
#include <stdio.h>

#include "cli/cli.h"

const char vg_usage_mail[] = "usage: vigil mail ...\n\n(not implemented yet)\n";

int vg_cmd_mail(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil mail: not implemented yet\n");
    return VG_EXIT_USAGE;
}
