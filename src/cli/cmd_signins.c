/* cmd_signins.c — `vigil signins`: read sign-in logs (any supported format,
 * recognized per file and per line), run the credential detectors and print
 * findings (JSON lines with --json, else a summary per organization). Wiring
 * only: parsing is src/auth/, detection src/detect/cred_*.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/auth.h"
#include "vigil/detect_cred.h"
#include "vigil/finding.h"
#include "vigil/yaml.h"

const char vg_usage_signins[] =
    "usage: vigil signins [--json] [--config FILE] [--format FORMAT] [--year YYYY]\n"
    "                     [--rejects FILE] [--events] [--baselines-in FILE]\n"
    "                     [--baselines-out FILE] [--thresholds] PATH...\n"
    "\n"
    "Reads sign-in logs and reports brute force, password spray (including slow\n"
    "sprays over rotating addresses), credential stuffing, the compromises that\n"
    "follow them, and stale credentials. PATH '-' reads standard input.\n"
    "\n"
    "Formats (recognized per file and per line unless --format is given):\n"
    "  entra    Entra ID / Azure AD sign-ins: Graph signIn objects (JSON lines, arrays,\n"
    "           {\"value\":[...]} pages), Azure Monitor diagnostic records (SignInLogs,\n"
    "           NonInteractiveUserSignInLogs, ...; {\"records\":[...]}), Log Analytics\n"
    "           SigninLogs rows (JSON or CSV), the portal's CSV download\n"
    "  okta     Okta System Log events\n"
    "  sshd     syslog (RFC 3164 / 5424) and journal (short-iso, json, export) sshd lines\n"
    "  windows  Security 4624/4625/4768/4771/4776 as event XML or JSON (Winlogbeat, NXLog)\n"
    "  jsonl, csv  other JSON lines / CSV, mapped by signins.field_map in the config\n"
    "\n"
    "Options:\n"
    "  --json               findings as JSON lines (one object per finding)\n"
    "  --config FILE        YAML config (organizations, signins.thresholds, field_map)\n"
    "  --format FORMAT      auto (default), entra, okta, sshd, windows, jsonl, csv\n"
    "  --year YYYY          year of RFC 3164 syslog stamps (default: from the file's mtime)\n"
    "  --rejects FILE       write 'file:line: reason' for every rejected record here too\n"
    "  --events             print the normalized events as JSON lines instead of findings\n"
    "  --baselines-in FILE  load account baselines (JSON lines) before reading\n"
    "  --baselines-out FILE write account baselines (JSON lines) after reading\n"
    "  --thresholds         print the detection thresholds and their reasoning, then exit\n"
    "\n"
    "Rejected records go to stderr as 'file:line: reason' and are counted; the run\n"
    "goes on. Exit status: 0 done, 2 usage, 3 an input could not be read.\n";

typedef struct run {
    vg_cred_engine *eng;
    bool events_only;
    vg_buf line;
} run;

static int on_event(const vg_auth_event *ev, void *ud)
{
    run *r = ud;
    if (r->events_only) {
        vg_buf_reset(&r->line);
        vg_json j;
        vg_json_init(&j, &r->line);
        vg_auth_event_write_json(ev, &j);
        vg_buf_putc(&r->line, '\n');
        fwrite(r->line.p, 1, r->line.n, stdout);
        return 0;
    }
    vg_cred_engine_feed(r->eng, ev);
    return 0;
}

static void print_thresholds(void)
{
    printf("%-36s %10s  %s\n", "threshold (signins.thresholds.NAME)", "default", "unit / reasoning");
    for (size_t i = 0; i < vg_cred_threshold_count(); i++) {
        const vg_cred_threshold_info *t = vg_cred_threshold_at(NULL, i);
        printf("%-36s %10g  %s\n", t->name, t->value, t->unit);
        printf("%-36s %10s  %s\n\n", "", "", t->reason);
    }
}

static const char *sev_upper(vg_severity s)
{
    static const char *const n[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL"};
    return (unsigned)s < 4 ? n[s] : "?";
}

static void print_list(const char *label, const vg_strlist *l, size_t cap)
{
    if (!l->n)
        return;
    printf("      %s: ", label);
    for (size_t i = 0; i < l->n && i < cap; i++)
        printf("%s%s", i ? ", " : "", l->v[i]);
    if (l->n > cap)
        printf(" (+%zu more; --json lists all)", l->n - cap);
    putchar('\n');
}

static int by_org(const void *a, const void *b)
{
    const vg_finding *x = *(vg_finding *const *)a, *y = *(vg_finding *const *)b;
    int c = strcmp(x->org ? x->org : "", y->org ? y->org : "");
    if (c)
        return c;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void print_text(vg_findings *fs, const vg_auth_stats *st)
{
    vg_finding **v = vg_xcalloc(fs->n ? fs->n : 1, sizeof *v);
    for (size_t i = 0; i < fs->n; i++)
        v[i] = fs->v[i];
    qsort(v, fs->n, sizeof *v, by_org);
    const char *org = NULL;
    for (size_t i = 0; i < fs->n; i++) {
        vg_finding *f = v[i];
        if (!org || strcmp(org, f->org) != 0) {
            org = f->org;
            size_t n = 0, crit = 0;
            for (size_t k = i; k < fs->n && strcmp(v[k]->org, org) == 0; k++) {
                n++;
                crit += v[k]->severity == VG_SEV_CRITICAL;
            }
            printf("\nOrganization %s: %zu finding%s%s\n", org, n, n == 1 ? "" : "s",
                   crit ? " — ACCOUNTS COMPROMISED" : "");
        }
        char a[VG_TIME_STRLEN], b[VG_TIME_STRLEN];
        vg_time_format_rfc3339(f->first_seen, false, a);
        vg_time_format_rfc3339(f->last_seen, false, b);
        printf("  %-8s %-22s %s  %s .. %s  (%s, %lld attempts, %lld accounts, %lld addresses)\n",
               sev_upper(f->severity), f->kind, f->id, a, b, vg_outcome_name(f->outcome),
               (long long)f->counts.attempts, (long long)f->counts.accounts,
               (long long)f->counts.ips);
        for (size_t k = 0; k < f->reasons.n; k++)
            printf("      - %s\n", f->reasons.v[k]);
        print_list("compromised", &f->roles.compromised, 50);
        print_list("targeted", &f->entities.accounts, 20);
        print_list("from", &f->roles.attacker_ips, 10);
        if (f->n_evidence)
            printf("      evidence: %s:%lld%s\n", f->evidence[0].file,
                   (long long)f->evidence[0].line, f->n_evidence > 1 ? " ..." : "");
    }
    free(v);
    printf("\n%lld events read (", (long long)st->events);
    bool first = true;
    for (int i = 1; i < VG_AUTH_FMT_COUNT; i++)
        if (st->by_format[i]) {
            printf("%s%s %lld", first ? "" : ", ", vg_auth_format_name((vg_auth_format)i),
                   (long long)st->by_format[i]);
            first = false;
        }
    printf("%s), %lld rejected, %lld not sign-ins, %lld lines merged into attempts; %zu "
           "finding%s.\n",
           first ? "none" : "", (long long)st->rejected, (long long)st->ignored,
           (long long)st->merged, fs->n, fs->n == 1 ? "" : "s");
}

int vg_cmd_signins(int argc, char **argv)
{
    const vg_cmd *cmd = vg_cli_find("signins");
    bool json = false, events = false;
    const char *config = NULL, *format = NULL, *rejects = NULL, *bl_in = NULL, *bl_out = NULL;
    int year = 0;
    const char **paths = vg_xcalloc((size_t)argc + 1, sizeof *paths);
    size_t n_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_next = i + 1 < argc;
        if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--events") == 0) {
            events = true;
        } else if (strcmp(a, "--thresholds") == 0) {
            print_thresholds();
            free(paths);
            return VG_EXIT_OK;
        } else if ((strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) && has_next) {
            config = argv[++i];
        } else if (strcmp(a, "--format") == 0 && has_next) {
            format = argv[++i];
        } else if (strcmp(a, "--rejects") == 0 && has_next) {
            rejects = argv[++i];
        } else if (strcmp(a, "--baselines-in") == 0 && has_next) {
            bl_in = argv[++i];
        } else if (strcmp(a, "--baselines-out") == 0 && has_next) {
            bl_out = argv[++i];
        } else if (strcmp(a, "--year") == 0 && has_next) {
            int64_t y;
            if (!vg_str_to_i64(vg_str_from(argv[++i]), &y) || y < 1970 || y > 9999) {
                free(paths);
                return vg_cli_usage_error(cmd, "--year needs a year (1970-9999), not '%s'",
                                          argv[i]);
            }
            year = (int)y;
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                paths[n_paths++] = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            free(paths);
            return vg_cli_usage_error(cmd, "unknown option or missing value: '%s'", a);
        } else {
            paths[n_paths++] = a;
        }
    }
    if (!n_paths) {
        free(paths);
        return vg_cli_usage_error(cmd, "no input (give one or more paths, or '-' for stdin)");
    }
    vg_auth_format fmt = VG_AUTH_FMT_AUTO;
    if (format && !vg_auth_format_parse(format, &fmt)) {
        free(paths);
        return vg_cli_usage_error(cmd, "unknown format '%s'", format);
    }

    int rc = VG_EXIT_OK;
    vg_error err = {0};
    vg_yaml_doc *doc = NULL;
    vg_auth_config *cfg = vg_auth_config_new();
    vg_cred_engine *eng = NULL;
    vg_auth_reader *rd = NULL;
    FILE *rej = NULL;
    run r = {0};
    vg_buf_init(&r.line, 0);
    if (config) {
        doc = vg_yaml_load_file(config, &err);
        if (!doc) {
            fprintf(stderr, "vigil signins: %s\n", err.msg);
            rc = VG_EXIT_USAGE;
            goto out;
        }
    }
    const vg_yaml_node *root = doc ? vg_yaml_root(doc) : NULL;
    if (vg_auth_config_load(cfg, root, &err) != VG_OK) {
        fprintf(stderr, "vigil signins: %s: %s\n", config, err.msg);
        rc = VG_EXIT_USAGE;
        goto out;
    }
    if (fmt != VG_AUTH_FMT_AUTO)
        vg_auth_config_set_format(cfg, fmt);
    if (year)
        vg_auth_config_set_year(cfg, year);
    eng = vg_cred_engine_new(root, &err);
    if (!eng) {
        fprintf(stderr, "vigil signins: %s: %s\n", config ? config : "config", err.msg);
        rc = VG_EXIT_USAGE;
        goto out;
    }
    if (bl_in) {
        char *data = NULL;
        size_t len = 0;
        if (vg_file_read(bl_in, 0, &data, &len, &err) != VG_OK) {
            fprintf(stderr, "vigil signins: %s\n", err.msg);
            rc = VG_EXIT_INPUT;
            goto out;
        }
        if (vg_cred_baselines_import_json(eng, data, len, &err) != VG_OK)
            fprintf(stderr, "vigil signins: %s: %s\n", bl_in, err.msg);
        free(data);
    }
    if (rejects) {
        rej = fopen(rejects, "w");
        if (!rej) {
            fprintf(stderr, "vigil signins: %s: cannot write: %s\n", rejects, strerror(errno));
            rc = VG_EXIT_INPUT;
            goto out;
        }
    }
    rd = vg_auth_reader_new(cfg);
    if (rej)
        vg_auth_reader_set_rejects_file(rd, rej);
    r.eng = eng;
    r.events_only = events;
    if (vg_auth_read_files(rd, paths, n_paths, on_event, &r, &err) != VG_OK) {
        /* each unreadable input was reported; the others were read */
        rc = VG_EXIT_INPUT;
    }
    if (events)
        goto out;
    vg_cred_engine_flush(eng);
    vg_findings fs = {0};
    vg_cred_engine_findings(eng, &fs);
    if (json) {
        for (size_t i = 0; i < fs.n; i++) {
            char *s = vg_finding_to_json(fs.v[i]);
            puts(s);
            free(s);
        }
    } else {
        print_text(&fs, vg_auth_reader_stats(rd));
    }
    vg_findings_free(&fs);
    const vg_auth_stats *st = vg_auth_reader_stats(rd);
    if (json && st->rejected)
        fprintf(stderr, "vigil signins: %lld events, %lld rejected records\n",
                (long long)st->events, (long long)st->rejected);
    if (bl_out) {
        char *s = vg_cred_baselines_export_json(eng);
        if (vg_file_write(bl_out, s, strlen(s), &err) != VG_OK) {
            fprintf(stderr, "vigil signins: %s\n", err.msg);
            rc = VG_EXIT_INPUT;
        }
        free(s);
    }
out:
    if (rej)
        fclose(rej);
    vg_buf_free(&r.line);
    vg_auth_reader_free(rd);
    vg_cred_engine_free(eng);
    vg_auth_config_free(cfg);
    vg_yaml_free(doc);
    free(paths);
    return rc;
}
