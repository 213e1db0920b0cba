/* cmd_scan.c — `vigil scan`: parses arguments into vg_scan_opts, runs the
 * pipeline (vigil/stream.h) and prints its summary. No logic of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/stream.h"

const char vg_usage_scan[] =
    "usage: vigil scan [--config FILE] [--db FILE] [--out DIR] [--intel FILE]...\n"
    "                  [--suppress SPEC]... [--rejects FILE] [--rescan] [--no-notify]\n"
    "                  [--json] [--progress|--no-progress] PATH...\n"
    "\n"
    "Reads mail (messages, mbox, Maildir) and sign-in logs (Entra ID, Okta, sshd,\n"
    "Windows, generic JSON lines / CSV), recognized by content, and findings JSON\n"
    "lines; runs every detector, attributes findings to tracked actors, clusters\n"
    "them into campaigns across organizations, stores everything in SQLite and\n"
    "notifies each targeted organization (outbox, webhook, SMTP). Directories are\n"
    "read recursively. Scanning the same inputs again changes nothing and sends\n"
    "nothing new; new evidence for a known campaign sends an updated notice.\n"
    "\n"
    "Options:\n"
    "  --config FILE    YAML configuration (docs/config.md): organizations and their\n"
    "                   notification channels, brands, thresholds, intel files,\n"
    "                   suppressions, TLP\n"
    "  --db FILE        SQLite database (default ./vigil.db, WAL mode)\n"
    "  --out DIR        output directory (default ./vigil-out): the operator's\n"
    "                   summary.{md,html,json,stix.json} and the default outbox\n"
    "                   DIR/outbox/<org>/\n"
    "  --intel FILE     indicators or actor names (STIX 2.1, MISP, plain list, Tor\n"
    "                   exit list, ATT&CK); repeatable, added to intel.files\n"
    "  --suppress SPEC  suppress a finding pattern, kept in the database until it\n"
    "                   expires: kind=cred.stale_credentials,org=helix,\n"
    "                   account=svc@x,owner=alice,reason=OPS-1234,expires=2027-01-31\n"
    "                   (keys: id kind org account ip owner reason expires)\n"
    "  --rejects FILE   append rejected records (file:line: reason) to FILE\n"
    "  --rescan         read inputs again even if they are unchanged since the last scan\n"
    "  --no-notify      detect and store only\n"
    "  --json           print the summary as one JSON object\n"
    "  --progress       progress bar on stderr (default when stderr is a terminal)\n"
    "  --no-progress    no progress bar\n"
    "\n"
    "Exit: 0 when the scan ran (see the summary for failed deliveries, which are\n"
    "retried on the next run or by `vigil notify`), 2 usage error, 3 when the\n"
    "configuration, the database or the output directory is unusable or an input\n"
    "could not be read.\n";

typedef struct strv {
    const char **v;
    size_t n;
} strv;

static void strv_push(strv *s, const char *x)
{
    s->v = vg_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = x;
}


int vg_scan_print(const vg_scan_summary *s, bool json)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    if (json) {
        vg_json j;
        vg_json_init(&j, &b);
        vg_scan_summary_write_json(s, &j);
        vg_buf_putc(&b, '\n');
    } else {
        vg_scan_summary_write_text(s, &b);
    }
    fwrite(b.p ? b.p : "", 1, b.n, stdout);
    vg_buf_free(&b);
    return 0;
}

int vg_cmd_scan(int argc, char **argv)
{
    const vg_cmd *cmd = vg_cli_find("scan");
    vg_scan_opts o = VG_SCAN_OPTS_INIT;
    strv inputs = {0}, intel = {0}, supp = {0};
    bool progress = true, dashdash = false;
    int rc = VG_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || a[1] == 0) {
            strv_push(&inputs, a);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (strcmp(a, "--rescan") == 0) {
            o.rescan = true;
        } else if (strcmp(a, "--no-notify") == 0) {
            o.no_notify = true;
        } else if (strcmp(a, "--progress") == 0) {
            progress = true;
        } else if (strcmp(a, "--no-progress") == 0) {
            progress = false;
        } else if (!strcmp(a, "--config") || !strcmp(a, "--db") || !strcmp(a, "--out") ||
                   !strcmp(a, "--intel") || !strcmp(a, "--suppress") || !strcmp(a, "--rejects")) {
            if (i + 1 >= argc) {
                rc = vg_cli_usage_error(cmd, "%s needs a value", a);
                goto out;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--config"))
                o.config_path = v;
            else if (!strcmp(a, "--db"))
                o.db_path = v;
            else if (!strcmp(a, "--out"))
                o.out_dir = v;
            else if (!strcmp(a, "--intel"))
                strv_push(&intel, v);
            else if (!strcmp(a, "--suppress"))
                strv_push(&supp, v);
            else
                o.rejects_path = v;
        } else {
            rc = vg_cli_usage_error(cmd, "unknown option %s", a);
            goto out;
        }
    }
    if (inputs.n == 0 && supp.n == 0) {
        rc = vg_cli_usage_error(cmd, "no input: give mail, sign-in logs or findings files");
        goto out;
    }
    o.inputs = inputs.v;
    o.n_inputs = inputs.n;
    o.intel_files = intel.v;
    o.n_intel = intel.n;
    o.suppress = supp.v;
    o.n_suppress = supp.n;
    o.progress = progress && !o.json;

    vg_scan_summary s;
    vg_error e;
    vg_error_clear(&e);
    vg_err err = vg_pipeline_run(&o, &s, &e);
    if (err) {
        fprintf(stderr, "vigil scan: %s\n", e.msg[0] ? e.msg : vg_strerror(err));
        rc = err == VG_EINVAL && strstr(e.msg, "--suppress") ? VG_EXIT_USAGE : VG_EXIT_INPUT;
    } else {
        vg_scan_print(&s, o.json);
        if (s.inputs_failed)
            rc = VG_EXIT_INPUT;
    }
    vg_scan_summary_free(&s);
out:
    free(inputs.v);
    free(intel.v);
    free(supp.v);
    return rc;
}
