/* cmd_demo.c — `vigil demo`: generates the built-in November 2020 scenario
 * into a directory (src/demo/) and runs it through the `vigil scan` code
 * path. No detection logic here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vigil/demo.h"
#include "vigil/stream.h"
#include "vigil/yaml.h"

const char vg_usage_demo[] =
    "usage: vigil demo [--out DIR] [--seed N] [--days N] [--generate-only]\n"
    "\n"
    "Writes the November 2020 scenario into DIR (default ./vigil-demo): eight\n"
    "fictitious organizations (seven COVID-19 vaccine and treatment researchers in\n"
    "Canada, France, India, South Korea and the United States, and one untargeted\n"
    "control), a few weeks of their mail and Entra ID sign-ins with the ordinary\n"
    "noise of real organizations, an sshd log, a STIX 2.1 intel bundle, and the\n"
    "attacks of STRONTIUM, ZINC and CERIUM as the public reports describe them.\n"
    "Then it runs exactly what `vigil scan` runs over those files, with\n"
    "--config DIR/vigil.yaml --db DIR/vigil.db --out DIR --intel DIR/intel/demo.stix.json,\n"
    "and prints what was found. DIR/truth.json says what really happened.\n"
    "\n"
    "  --out DIR        output directory (created; a directory holding a demo with\n"
    "                   another seed or length is refused)\n"
    "  --seed N         scenario seed (default 20201113): names, addresses, timings\n"
    "  --days N         length of the window, 3-60 days (default 14)\n"
    "  --generate-only  write the files and stop\n"
    "\n"
    "Running it again over the same DIR regenerates identical files and sends no\n"
    "notification twice.\n";

static bool parse_u64(const char *s, uint64_t *out)
{
    return vg_str_to_u64(vg_str_from(s), out);
}

static void gen_progress(double done, const char *what, void *ud)
{
    (void)ud;
    if (!isatty(STDERR_FILENO))
        return;
    int width = 30, fill = (int)(done * width + 0.5);
    fprintf(stderr, "\r  generating  [");
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%  %-24s", (int)(done * 100 + 0.5), what);
    if (done >= 1.0)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- the summary ---------------------------------------------------------------- */

static void thousands(int64_t v, char *out, size_t cap)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)v);
    size_t n = strlen(raw), o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && raw[i - 1] != '-' && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = 0;
}

/* Organization names from the config the demo wrote ("id" when unknown). */
typedef struct names {
    vg_yaml_doc *doc;
} names;

static const char *org_name(const names *nm, const char *id)
{
    const vg_yaml_node *orgs = vg_yaml_get(vg_yaml_root(nm->doc), "organizations");
    for (size_t i = 0; i < vg_yaml_len(orgs); i++) {
        const vg_yaml_node *o = vg_yaml_at(orgs, i);
        if (strcmp(vg_yaml_str(vg_yaml_get(o, "id"), ""), id) == 0)
            return vg_yaml_str(vg_yaml_get(o, "name"), id);
    }
    return id;
}

/* A list on one labelled line, at most max items ("... and N more"). */
static void print_list(const char *label, const vg_strlist *l, const names *nm, size_t max)
{
    printf("    %-12s", label);
    for (size_t i = 0; i < l->n && i < max; i++)
        printf("%s%s", i ? ", " : "", nm ? org_name(nm, l->v[i]) : l->v[i]);
    if (l->n > max)
        printf(" ... and %zu more", l->n - max);
    printf("%s\n", l->n ? "" : "-");
}

static void print_summary(const vg_scan_summary *s, const char *config_path, const char *truth_path)
{
    names nm = {vg_yaml_load_file(config_path, NULL)};
    if (s->headline)
        printf("\n%s\n", s->headline);
    for (size_t i = 0; i < s->n_actors; i++) {
        const vg_actor_stats *a = &s->actors[i];
        printf("\n  %s", a->actor);
        if (strcmp(a->actor, "unattributed") != 0)
            printf("%s%s  (confidence %s)", a->origin ? ", from " : "", a->origin ? a->origin : "",
                   vg_confidence_name(a->confidence));
        printf("\n");
        char at[32], bl[32], su[32];
        thousands(a->attempts, at, sizeof at);
        thousands(a->blocked, bl, sizeof bl);
        thousands(a->succeeded, su, sizeof su);
        print_list("targeted", &a->orgs, nm.doc ? &nm : NULL, SIZE_MAX);
        print_list("countries", &a->countries, NULL, SIZE_MAX);
        printf("    %-12s%s   blocked %s   succeeded %s\n", "attempts", at, bl, su);
        print_list("compromised", &a->compromised, NULL, 6);
    }
    if (!s->n_actors)
        printf("\n  no campaign found\n");
    /* per organization: its outbox and its notices (HTML shown; .md, .json
     * and .stix.json sit beside each) */
    printf("\nNotifications, per organization (outbox; .md, .json and .stix.json beside each):\n");
    size_t shown = 0;
    for (size_t i = 0; i < s->n_notices; i++) {
        const vg_scan_notice *n = &s->notices[i];
        if (!n->outbox_dir)
            continue;
        bool first = true;
        for (size_t k = 0; k < i; k++)
            if (s->notices[k].outbox_dir && strcmp(s->notices[k].org, n->org) == 0)
                first = false;
        if (!first)
            continue;
        size_t count = 0, fresh = 0;
        for (size_t k = i; k < s->n_notices; k++)
            if (s->notices[k].outbox_dir && strcmp(s->notices[k].org, n->org) == 0) {
                count++;
                fresh += s->notices[k].new_version;
            }
        printf("  %-14s %s/%s.html", n->org, n->outbox_dir, n->basename);
        if (count > 1)
            printf("  (+%zu more)", count - 1);
        if (!fresh)
            printf("  (already sent)");
        printf("\n");
        shown++;
    }
    if (!shown)
        printf("  (none)\n");
    if (s->summary_paths[VG_FMT_HTML])
        printf("\nOperator summary: %s\n", s->summary_paths[VG_FMT_HTML]);
    printf("Ground truth:     %s\n", truth_path);
    for (size_t i = 0; i < s->problems.n; i++)
        fprintf(stderr, "vigil demo: %s\n", s->problems.v[i]);
    vg_yaml_free(nm.doc);
}

static int run_pipeline(const vg_demo_opts *o, const vg_demo_result *res)
{
    vg_buf db;
    vg_buf_init(&db, 0);
    vg_buf_printf(&db, "%s/vigil.db", o->out_dir);
    const char *intel[1] = {res->intel_path};
    vg_scan_opts so = VG_SCAN_OPTS_INIT;
    so.config_path = res->config_path;
    so.db_path = vg_buf_cstr(&db);
    so.out_dir = o->out_dir;
    so.intel_files = intel;
    so.n_intel = 1;
    so.inputs = (const char *const *)res->inputs;
    so.n_inputs = res->n_inputs;
    so.progress = true;
    vg_scan_summary sum;
    vg_error err = {0};
    int rc = VG_EXIT_OK;
    if (vg_pipeline_run(&so, &sum, &err) != VG_OK) {
        fprintf(stderr, "vigil demo: %s\n", err.msg);
        rc = VG_EXIT_INPUT;
    } else {
        char ev[32], ms[32];
        thousands(sum.events, ev, sizeof ev);
        thousands(sum.messages, ms, sizeof ms);
        if (sum.inputs && sum.inputs_unchanged == sum.inputs)
            printf("  scanned nothing: every input is unchanged since the last run; %lld findings, "
                   "%zu "
                   "campaigns in %s\n",
                   (long long)sum.findings_total, sum.campaigns, vg_buf_cstr(&db));
        else
            printf(
                "  scanned %s sign-in events and %s messages (%lld rejected): %lld findings, %zu "
                "campaigns (%.1f s)\n",
                ev, ms, (long long)sum.records_rejected, (long long)sum.findings_total,
                sum.campaigns, (double)sum.elapsed_ms / 1000.0);
        print_summary(&sum, res->config_path, res->truth_path);
    }
    vg_scan_summary_free(&sum);
    vg_buf_free(&db);
    return rc;
}

int vg_cmd_demo(int argc, char **argv)
{
    const vg_cmd *cmd = vg_cli_find("demo");
    vg_demo_opts o = VG_DEMO_OPTS_INIT;
    o.out_dir = "vigil-demo";
    bool generate_only = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--out") == 0 && i + 1 < argc) {
            o.out_dir = argv[++i];
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &o.seed))
                return vg_cli_usage_error(cmd, "--seed wants a non-negative integer, not '%s'",
                                          argv[i]);
        } else if (strcmp(a, "--days") == 0 && i + 1 < argc) {
            uint64_t d;
            if (!parse_u64(argv[++i], &d) || d < VG_DEMO_MIN_DAYS || d > VG_DEMO_MAX_DAYS)
                return vg_cli_usage_error(cmd, "--days wants %d to %d, not '%s'", VG_DEMO_MIN_DAYS,
                                          VG_DEMO_MAX_DAYS, argv[i]);
            o.days = (int)d;
        } else if (strcmp(a, "--generate-only") == 0) {
            generate_only = true;
        } else {
            return vg_cli_usage_error(cmd, "unknown argument '%s'", a);
        }
    }
    o.progress = gen_progress;
    vg_demo_result res;
    vg_error err = {0};
    int64_t t0 = vg_now_ms();
    if (vg_demo_generate(&o, &res, &err) != VG_OK) {
        fprintf(stderr, "vigil demo: %s\n", err.msg);
        return err.code == VG_EINVAL ? VG_EXIT_USAGE : VG_EXIT_INPUT;
    }
    char a[VG_TIME_STRLEN], b[VG_TIME_STRLEN];
    vg_time_format_rfc3339(res.window_start, false, a);
    vg_time_format_rfc3339(res.window_end, false, b);
    printf("vigil demo: seed %llu, %d days (%.10s to %.10s)\n", (unsigned long long)o.seed, o.days,
           a, b);
    printf("  generated %zu organizations, %zu sign-ins, %zu messages, %zu sshd lines in %s "
           "(%zu files written, %zu unchanged, %.1f s)\n",
           res.organizations, res.signins, res.messages, res.ssh_lines, o.out_dir,
           res.files_written, res.files_unchanged, (double)(vg_now_ms() - t0) / 1000.0);
    int rc = VG_EXIT_OK;
    if (!generate_only)
        rc = run_pipeline(&o, &res);
    vg_demo_result_free(&res);
    return rc;
}
