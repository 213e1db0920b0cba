/* cmd_notify.c — `vigil notify`: re-renders notices from the database and
 * delivers what is pending or failed (vigil/stream.h). No logic of its own. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/stream.h"

const char vg_usage_notify[] =
    "usage: vigil notify [--db FILE] [--out DIR] [--config FILE] [--json]\n"
    "\n"
    "Rebuilds every organization's notices from the database that `vigil scan`\n"
    "filled, delivers the notices whose delivery is pending or failed (outbox,\n"
    "webhook, SMTP), and rewrites DIR/summary.{md,html,json,stix.json}. A\n"
    "delivered notice is never sent again; a notice whose material facts changed\n"
    "gets a new version.\n"
    "\n"
    "Options:\n"
    "  --db FILE      SQLite database (default ./vigil.db)\n"
    "  --out DIR      output directory (default ./vigil-out)\n"
    "  --config FILE  use this configuration's organizations and channels instead of\n"
    "                 the ones the last scan recorded\n"
    "  --json         print the summary as one JSON object\n"
    "\n"
    "Exit: 0 when it ran (failed deliveries are listed and kept for the next run),\n"
    "2 usage error, 3 when the database or the output directory is unusable.\n";


int vg_cmd_notify(int argc, char **argv)
{
    const vg_cmd *cmd = vg_cli_find("notify");
    vg_scan_opts o = VG_SCAN_OPTS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (!strcmp(a, "--db") || !strcmp(a, "--out") || !strcmp(a, "--config")) {
            if (i + 1 >= argc)
                return vg_cli_usage_error(cmd, "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--db"))
                o.db_path = v;
            else if (!strcmp(a, "--out"))
                o.out_dir = v;
            else
                o.config_path = v;
        } else {
            return vg_cli_usage_error(cmd, "unexpected argument %s", a);
        }
    }
    vg_scan_summary s;
    vg_error e;
    vg_error_clear(&e);
    int rc = VG_EXIT_OK;
    vg_err err = vg_pipeline_notify(&o, &s, &e);
    if (err) {
        fprintf(stderr, "vigil notify: %s\n", e.msg[0] ? e.msg : vg_strerror(err));
        rc = VG_EXIT_INPUT;
    } else {
        vg_scan_print(&s, o.json);
    }
    vg_scan_summary_free(&s);
    return rc;
}
