/* cmd_intel_report.c — `vigil intel report`: threat reports (news, blogs,
 * advisories; HTML, Markdown or text in any charset) -> actors, targets,
 * techniques, lures and impersonated organizations, the same-event groups
 * they form, and the configuration they teach (include/vigil/report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "vigil/intel.h"
#include "vigil/report.h"

static const char usage[] =
    "usage: vigil intel report [options] [FILE...]\n"
    "\n"
    "Reads threat reports (HTML pages or fragments, Markdown, plain text; UTF-8 or a\n"
    "legacy charset; '-' or no FILE reads standard input), cleans them and extracts\n"
    "the actors (every alias of the catalog), their origin as the report states it,\n"
    "targeted countries and sectors, target counts, ATT&CK techniques, lure themes,\n"
    "impersonated organizations, the reporting organization, spokespeople and dates;\n"
    "each fact keeps its sentence. Mentions of other, older events are reported as\n"
    "background and do not count.\n"
    "\n"
    "Options:\n"
    "  --json            one JSON object per report (file, title, actors, targets,\n"
    "                    origins, techniques, impersonated, lures, event, facts)\n"
    "  --cluster         group reports of the same event; 'event' ids in the output,\n"
    "                    the summary shows each event with the facts merged\n"
    "  --events          with --cluster --json: one merged object per event\n"
    "  --stix            a STIX 2.1 bundle (one report object per report, or per\n"
    "                    event with --cluster)\n"
    "  --apply FILE      add impersonated organizations (brands:), lure themes\n"
    "                    (lures:) and actor techniques (actors:) to the YAML\n"
    "                    configuration FILE (created if absent); prints what changed\n"
    "                    on stderr\n"
    "  --names FILE      merge an actor naming source into the catalog (Microsoft map,\n"
    "                    ATT&CK bundle, MISP galaxy, actors YAML); repeatable\n"
    "  --gazetteer FILE  more countries, sectors, techniques, lures, cues (format of\n"
    "                    data/report_gazetteer.yaml)\n"
    "  --threshold X     same-event score threshold (default 0.55)\n"
    "  --clean           print the cleaned text of each report and stop\n"
    "\n"
    "Exit status: 0 done, 2 usage, 3 a report or file could not be read.\n";

typedef struct ropts {
    bool json, cluster, events, stix, clean;
    const char *apply, *gazetteer;
    const char **names, **files;
    size_t n_names, n_files;
    double threshold;
} ropts;

static void push(const char ***v, size_t *n, const char *s)
{
    *v = vg_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

static int report_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "vigil intel report: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'vigil intel report --help' for usage.\n");
    return VG_EXIT_USAGE;
}

static int parse(int argc, char **argv, ropts *o)
{
    memset(o, 0, sizeof *o);
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || strcmp(a, "-") == 0) {
            push(&o->files, &o->n_files, a);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (strcmp(a, "--cluster") == 0) {
            o->cluster = true;
        } else if (strcmp(a, "--events") == 0) {
            o->events = true;
        } else if (strcmp(a, "--stix") == 0) {
            o->stix = true;
        } else if (strcmp(a, "--clean") == 0) {
            o->clean = true;
        } else if (strcmp(a, "--apply") == 0 || strcmp(a, "--names") == 0 ||
                   strcmp(a, "--gazetteer") == 0 || strcmp(a, "--threshold") == 0) {
            if (i + 1 >= argc)
                return report_usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--apply") == 0) {
                o->apply = v;
            } else if (strcmp(a, "--names") == 0) {
                push(&o->names, &o->n_names, v);
            } else if (strcmp(a, "--gazetteer") == 0) {
                o->gazetteer = v;
            } else {
                char *end;
                o->threshold = strtod(v, &end);
                if (*end || o->threshold <= 0 || o->threshold > 1)
                    return report_usage_error("--threshold: '%s' is not in (0, 1]", v);
            }
        } else {
            return report_usage_error("unknown option %s", a);
        }
    }
    if (o->events && !o->cluster)
        return report_usage_error("%s needs --cluster", "--events");
    if (o->json && o->stix)
        return report_usage_error("%s: choose --json or --stix", "--stix");
    if (!o->n_files)
        push(&o->files, &o->n_files, "-");
    return VG_EXIT_OK;
}

static vg_report_kb *load_kb(const ropts *o)
{
    vg_error e = {0};
    size_t n;
    const char *g = vg_data_get("report_gazetteer.yaml", &n);
    vg_report_kb *kb = vg_report_kb_new();
    if (!g || vg_report_kb_load_gazetteer(kb, g, n, "builtin:report_gazetteer.yaml", &e)) {
        fprintf(stderr, "vigil intel report: %s\n", g ? e.msg : "no built-in gazetteer");
        vg_report_kb_free(kb);
        return NULL;
    }
    if (o->gazetteer) {
        char *text;
        size_t tn;
        if (vg_file_read(o->gazetteer, 0, &text, &tn, &e) ||
            vg_report_kb_load_gazetteer(kb, text ? text : "", tn, o->gazetteer, &e)) {
            fprintf(stderr, "vigil intel report: %s\n", e.msg);
            vg_report_kb_free(kb);
            return NULL;
        }
        free(text);
    }
    vg_catalog *c = vg_catalog_new();
    vg_err rc = vg_catalog_load_builtin(c, &e);
    for (size_t i = 0; rc == VG_OK && i < o->n_names; i++)
        rc = vg_catalog_merge_file(c, o->names[i], &e);
    if (rc) {
        fprintf(stderr, "vigil intel report: %s\n", e.msg);
        vg_catalog_free(c);
        vg_report_kb_free(kb);
        return NULL;
    }
    vg_report_kb_add_catalog(kb, c);
    vg_catalog_free(c);
    return kb;
}

static bool read_input(const char *path, char **data, size_t *n, vg_error *e)
{
    if (strcmp(path, "-") != 0)
        return vg_file_read(path, VG_REPORT_MAX_BYTES + 1, data, n, e) == VG_OK;
    vg_buf b;
    vg_buf_init(&b, VG_REPORT_MAX_BYTES + 1);
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (!vg_buf_append(&b, chunk, r))
            break;
    *n = b.n;
    *data = b.p ? vg_buf_steal(&b) : vg_xstrdup("");
    vg_buf_free(&b);
    return true;
}

static void put(vg_buf *b)
{
    fwrite(b->p ? b->p : "", 1, b->n, stdout);
    vg_buf_reset(b);
}

int vg_cmd_intel_report(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return VG_EXIT_OK;
        }
    }
    ropts o;
    int rc = parse(argc, argv, &o);
    if (rc != VG_EXIT_OK) {
        free(o.names);
        free(o.files);
        return rc;
    }
    vg_report_kb *kb = load_kb(&o);
    if (!kb) {
        free(o.names);
        free(o.files);
        return VG_EXIT_INPUT;
    }
    vg_report **reps = vg_xcalloc(o.n_files, sizeof *reps);
    size_t nr = 0;
    int64_t newest = 0;
    vg_buf out;
    vg_buf_init(&out, 0);
    for (size_t i = 0; i < o.n_files; i++) {
        vg_error e = {0};
        char *data = NULL;
        size_t n = 0;
        if (!read_input(o.files[i], &data, &n, &e)) {
            fprintf(stderr, "vigil intel report: %s\n", e.msg);
            rc = VG_EXIT_INPUT;
            continue;
        }
        struct stat st;
        int64_t when = strcmp(o.files[i], "-") != 0 && stat(o.files[i], &st) == 0
                           ? (int64_t)st.st_mtime * 1000
                           : vg_now_ms();
        if (when > newest)
            newest = when;
        if (o.clean) {
            vg_report_doc doc;
            if (vg_report_clean(kb, data, n, &doc, &e) != VG_OK) {
                fprintf(stderr, "vigil intel report: %s: %s\n", o.files[i], e.msg);
                rc = VG_EXIT_INPUT;
            } else {
                printf("== %s (%s, %s)\n", o.files[i], doc.info.format, doc.info.charset);
                if (doc.title)
                    printf("# %s\n\n", doc.title);
                printf("%s\n", doc.text);
                vg_report_doc_free(&doc);
            }
            free(data);
            continue;
        }
        vg_report *r;
        if (vg_report_analyze(kb, o.files[i], data, n, &r, &e) != VG_OK) {
            fprintf(stderr, "vigil intel report: %s: %s\n", o.files[i], e.msg);
            rc = VG_EXIT_INPUT;
        } else {
            reps[nr++] = r;
        }
        free(data);
    }
    /* events: reports of one event, merged */
    vg_report **events = NULL;
    size_t ne = 0;
    if (o.cluster && nr) {
        vg_report_cluster(reps, nr, o.threshold);
        events = vg_xcalloc(nr, sizeof *events);
        bool *done = vg_xcalloc(nr, sizeof *done);
        vg_report **members = vg_xcalloc(nr, sizeof *members);
        for (size_t i = 0; i < nr; i++) {
            if (done[i])
                continue;
            size_t nm = 0;
            for (size_t k = i; k < nr; k++) {
                if (!done[k] && strcmp(vg_report_event(reps[k]), vg_report_event(reps[i])) == 0) {
                    members[nm++] = reps[k];
                    done[k] = true;
                }
            }
            events[ne++] = vg_report_merge(members, nm);
        }
        free(done);
        free(members);
    }
    vg_report *const *outs = o.cluster ? events : reps;
    size_t nouts = o.cluster ? ne : nr;
    if (o.stix && nouts) {
        vg_report_write_stix(outs, nouts, kb, newest, &out);
        vg_buf_putc(&out, '\n');
        put(&out);
    } else if (o.json) {
        vg_report *const *jv = o.events ? events : reps;
        size_t jn = o.events ? ne : nr;
        for (size_t i = 0; i < jn; i++) {
            vg_report_write_json(jv[i], kb, &out);
            vg_buf_putc(&out, '\n');
            put(&out);
        }
    } else if (!o.clean) {
        for (size_t i = 0; i < nr; i++) {
            if (i)
                vg_buf_putc(&out, '\n');
            vg_report_write_text(reps[i], kb, &out);
            put(&out);
        }
        if (o.cluster) {
            printf("\n%zu report%s, %zu event%s\n", nr, nr == 1 ? "" : "s", ne,
                   ne == 1 ? "" : "s");
            for (size_t i = 0; i < ne; i++) {
                vg_buf_putc(&out, '\n');
                vg_buf_printf(&out, "event %s\n", vg_report_event(events[i]));
                vg_report_write_text(events[i], kb, &out);
                put(&out);
            }
        }
    }
    if (o.apply && nouts) {
        vg_error e = {0};
        vg_buf sum;
        vg_buf_init(&sum, 0);
        if (vg_report_apply(o.apply, outs, nouts, kb, &sum, &e) != VG_OK) {
            fprintf(stderr, "vigil intel report: --apply: %s\n", e.msg);
            rc = VG_EXIT_INPUT;
        } else {
            fprintf(stderr, "%s: %s", o.apply, sum.p ? sum.p : "\n");
        }
        vg_buf_free(&sum);
    }
    for (size_t i = 0; i < ne; i++)
        vg_report_free(events[i]);
    free(events);
    for (size_t i = 0; i < nr; i++)
        vg_report_free(reps[i]);
    free(reps);
    vg_buf_free(&out);
    vg_report_kb_free(kb);
    free(o.names);
    free(o.files);
    return rc;
}
