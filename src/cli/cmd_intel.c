/* cmd_intel.c — `vigil intel`: the actor catalog (actors, show), indicator
 * lookups (match), intel files validated and kept in the store (import) and
 * threat reports (report, in cmd_intel_report.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "vigil/finding.h"
#include "vigil/intel.h"
#include "vigil/store.h"
#include "vigil/stream.h"

const char vg_usage_intel[] =
    "usage: vigil intel actors [--json] [--names FILE]...\n"
    "       vigil intel show NAME [--json] [--names FILE]...\n"
    "       vigil intel match [--intel FILE]... [--at TIME] [--json] VALUE...\n"
    "       vigil intel import [--db FILE] FILE...\n"
    "       vigil intel report ...\n"
    "\n"
    "actors   list the actor catalog: the built-in one (data/actors.yaml), merged\n"
    "         with naming sources given by --names\n"
    "show     any name, alias or ATT&CK id -> the canonical actor with every alias,\n"
    "         origin, techniques, lures, infrastructure and sources; an ambiguous\n"
    "         name lists its candidates (exit 1); an unknown one exits 1\n"
    "match    look values (addresses, prefixes, domains, URLs, e-mail addresses,\n"
    "         hashes) up in the indicator files given by --intel; prints each hit\n"
    "         with its source, actor, validity and whether it is a shared address;\n"
    "         exit 1 when anything matched\n"
    "import   validate intel files and keep the good ones in the store, where\n"
    "         every later scan and notify loads them (with --intel and intel.files):\n"
    "         naming sources (Microsoft map, ATT&CK bundle, MISP galaxy, actors YAML)\n"
    "         or indicators (STIX 2.1 bundle, MISP event, plain list, Tor exit list).\n"
    "         Rejected records are listed with file and position; a file that loads\n"
    "         nothing is not stored (exit 3); the same content twice changes nothing\n"
    "report   threat reports -> intel (vigil intel report --help)\n"
    "\n"
    "Options:\n"
    "  --names FILE  merge a naming source: Microsoft's MicrosoftMapping.json, a MITRE\n"
    "                ATT&CK STIX bundle, a MISP galaxy threat-actor file, or an actors\n"
    "                YAML file; precedence built-in > Microsoft > ATT&CK > MISP\n"
    "  --intel FILE  indicator file (STIX 2.1 bundle, MISP event JSON, plain list with\n"
    "                an optional actor per line, Tor exit list)\n"
    "  --at TIME     RFC 3339 time to check indicator validity against\n"
    "  --json        JSON lines on stdout\n"
    "  --db FILE     the store for import (default ./" VG_SCAN_DEFAULT_DB ", as vigil scan)\n";

static const vg_cmd *intel_cmd(void) { return vg_cli_find("intel"); }

typedef struct opts {
    bool json;
    const char **names, **intel, **args;
    const char *db;
    size_t n_names, n_intel, n_args;
    int64_t at;
    bool have_at;
} opts;

static void push(const char ***v, size_t *n, const char *s)
{
    *v = vg_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!dashdash && strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (!dashdash && strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (!dashdash && (strcmp(a, "--names") == 0 || strcmp(a, "--intel") == 0 ||
                                 strcmp(a, "--at") == 0 || strcmp(a, "--db") == 0)) {
            if (i + 1 >= argc)
                return vg_cli_usage_error(intel_cmd(), "%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--names") == 0) {
                push(&o->names, &o->n_names, v);
            } else if (strcmp(a, "--db") == 0) {
                o->db = v;
            } else if (strcmp(a, "--intel") == 0) {
                push(&o->intel, &o->n_intel, v);
            } else {
                if (vg_time_parse_rfc3339(vg_str_from(v), &o->at) != VG_OK)
                    return vg_cli_usage_error(intel_cmd(), "--at: '%s' is not an RFC 3339 time", v);
                o->have_at = true;
            }
        } else if (!dashdash && a[0] == '-' && a[1]) {
            return vg_cli_usage_error(intel_cmd(), "unknown option %s", a);
        } else {
            push(&o->args, &o->n_args, a);
        }
    }
    return VG_EXIT_OK;
}

static void free_opts(opts *o)
{
    free(o->names);
    free(o->intel);
    free(o->args);
}

static vg_catalog *load_catalog(const opts *o, int *rc)
{
    vg_catalog *c = vg_catalog_new();
    vg_error e = {0};
    if (vg_catalog_load_builtin(c, &e) != VG_OK) {
        fprintf(stderr, "vigil intel: %s\n", e.msg);
        *rc = VG_EXIT_INPUT;
    }
    for (size_t i = 0; i < o->n_names; i++)
        if (vg_catalog_merge_file(c, o->names[i], &e) != VG_OK) {
            fprintf(stderr, "vigil intel: %s\n", e.msg);
            *rc = VG_EXIT_INPUT;
        }
    return c;
}

static void print_json_line(vg_buf *b)
{
    fwrite(b->p ? b->p : "", 1, b->n, stdout);
    fputc('\n', stdout);
    vg_buf_reset(b);
}

static int cmd_actors(const opts *o)
{
    int rc = VG_EXIT_OK;
    vg_catalog *c = load_catalog(o, &rc);
    vg_buf b;
    vg_buf_init(&b, 0);
    for (size_t i = 0; i < vg_catalog_count(c); i++) {
        const vg_actor *a = vg_catalog_actor(c, i);
        if (o->json) {
            vg_json j;
            vg_json_init(&j, &b);
            vg_actor_write_json(a, &j);
            print_json_line(&b);
            continue;
        }
        printf("%-22s %-2s %-6s", vg_actor_name(a), vg_actor_origin(a) ? vg_actor_origin(a) : "--",
               vg_actor_attack_id(a) ? vg_actor_attack_id(a) : "");
        size_t na = vg_actor_alias_count(a), shown = 0;
        size_t skipped = 0;
        for (size_t k = 0; k < na && shown < 6; k++) {
            const char *al = vg_actor_alias(a, k);
            bool is_gid = false;
            for (size_t g = 0; g < vg_actor_attack_id_count(a); g++)
                is_gid |= strcmp(al, vg_actor_attack_id_at(a, g)) == 0;
            if (is_gid) {
                skipped++;
                continue;
            }
            printf("%s%s", shown ? ", " : " ", al);
            shown++;
        }
        if (na > shown + skipped)
            printf(" (+%zu)", na - shown - skipped);
        putchar('\n');
    }
    vg_buf_free(&b);
    vg_catalog_free(c);
    return rc;
}

static void print_list(const char *label, size_t n, const char *(*get)(const vg_actor *, size_t),
                       const vg_actor *a)
{
    if (!n)
        return;
    printf("%-14s", label);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", get(a, i));
    putchar('\n');
}

static int cmd_show(const opts *o)
{
    if (o->n_args != 1)
        return vg_cli_usage_error(intel_cmd(), "show needs exactly one NAME");
    int rc = VG_EXIT_OK;
    vg_catalog *c = load_catalog(o, &rc);
    vg_resolution r;
    size_t n = vg_catalog_resolve(c, o->args[0], &r);
    vg_buf b;
    vg_buf_init(&b, 0);
    if (n == 0) {
        fprintf(stderr, "vigil intel: no actor is named '%s'\n", o->args[0]);
        rc = rc ? rc : VG_EXIT_FINDINGS;
    } else if (n > 1) {
        if (o->json) {
            vg_json j;
            vg_json_init(&j, &b);
            vg_json_obj_begin(&j);
            vg_json_kv_str(&j, "name", o->args[0]);
            vg_json_kv_bool(&j, "ambiguous", true);
            vg_json_kv_str(&j, "source", vg_name_source_name(r.source));
            vg_json_key(&j, "candidates");
            vg_json_arr_begin(&j);
            for (size_t i = 0; i < n; i++)
                vg_json_str(&j, vg_actor_name(r.candidates[i]));
            vg_json_arr_end(&j);
            vg_json_obj_end(&j);
            print_json_line(&b);
        } else {
            printf("'%s' is ambiguous (%s names it for %zu actors):\n", o->args[0],
                   vg_name_source_name(r.source), n);
            for (size_t i = 0; i < n; i++)
                printf("  %-22s %s\n", vg_actor_name(r.candidates[i]),
                       vg_actor_origin(r.candidates[i]) ? vg_actor_origin(r.candidates[i]) : "--");
        }
        rc = rc ? rc : VG_EXIT_FINDINGS;
    } else if (o->json) {
        vg_json j;
        vg_json_init(&j, &b);
        vg_actor_write_json(r.actor, &j);
        print_json_line(&b);
    } else {
        const vg_actor *a = r.actor;
        printf("%s\n", vg_actor_name(a));
        printf("%-14s%s\n", "origin:", vg_actor_origin(a) ? vg_actor_origin(a) : "unknown");
        print_list("ATT&CK:", vg_actor_attack_id_count(a), vg_actor_attack_id_at, a);
        printf("%-14s", "aliases:");
        for (size_t i = 0; i < vg_actor_alias_count(a); i++)
            printf("%s%s (%s)", i ? ", " : "", vg_actor_alias(a, i),
                   vg_name_source_name(vg_actor_alias_source(a, i)));
        putchar('\n');
        print_list("techniques:", vg_actor_technique_count(a), vg_actor_technique, a);
        print_list("lures:", vg_actor_lure_count(a), vg_actor_lure, a);
        print_list("sectors:", vg_actor_sector_count(a), vg_actor_sector, a);
        unsigned inf = vg_actor_infra(a);
        if (inf) {
            printf("%-14s", "infra:");
            bool first = true;
            for (unsigned bit = 1; bit <= VG_INFRA_CLOUD; bit <<= 1)
                if (inf & bit) {
                    printf("%s%s", first ? "" : ", ", vg_infra_name(bit));
                    first = false;
                }
            putchar('\n');
        }
        if (vg_actor_summary(a))
            printf("%-14s%s\n", "summary:", vg_actor_summary(a));
        for (size_t i = 0; i < vg_actor_source_count(a); i++)
            printf("%-14s%s\n", i ? "" : "sources:", vg_actor_source(a, i));
        for (size_t i = 0; i < vg_actor_ref_count(a); i++)
            printf("%-14s%s\n", i ? "" : "refs:", vg_actor_ref(a, i));
    }
    vg_buf_free(&b);
    vg_catalog_free(c);
    return rc;
}

static void fmt_time(int64_t t, char *buf)
{
    if (t == VG_TIME_UNBOUNDED_LO || t == VG_TIME_UNBOUNDED_HI)
        strcpy(buf, "-");
    else
        vg_time_format_rfc3339(t, false, buf);
}

static int cmd_match(const opts *o)
{
    if (o->n_args == 0)
        return vg_cli_usage_error(intel_cmd(), "match needs at least one VALUE");
    int rc = VG_EXIT_OK;
    vg_catalog *c = load_catalog(o, &rc);
    vg_iocset *s = vg_iocset_new();
    vg_iocset_set_catalog(s, c);
    for (size_t i = 0; i < o->n_intel; i++) {
        vg_error e = {0};
        if (vg_iocset_load_file(s, o->intel[i], &e) != VG_OK) {
            fprintf(stderr, "vigil intel: %s\n", e.msg);
            rc = VG_EXIT_INPUT;
        }
    }
    if (o->n_intel == 0)
        fprintf(stderr, "vigil intel: no indicator files (--intel FILE); nothing can match\n");
    bool any = false;
    vg_buf b;
    vg_buf_init(&b, 0);
    for (size_t i = 0; i < o->n_args; i++) {
        vg_ioc_hit hits[64];
        size_t n = vg_iocset_match(s, o->args[i], hits, 64);
        if (n > 64)
            n = 64;
        if (!o->json && n == 0)
            printf("%s: no match\n", o->args[i]);
        for (size_t k = 0; k < n; k++) {
            const vg_indicator *d = hits[k].ind;
            any = true;
            char from[VG_TIME_STRLEN], until[VG_TIME_STRLEN];
            fmt_time(d->valid_from, from);
            fmt_time(d->valid_until, until);
            const char *validity = o->have_at ? (vg_indicator_valid_at(d, o->at) ? "valid" : "expired")
                                              : NULL;
            if (o->json) {
                vg_json j;
                vg_json_init(&j, &b);
                vg_json_obj_begin(&j);
                vg_json_kv_str(&j, "value", o->args[i]);
                vg_json_kv_str(&j, "indicator", d->value);
                vg_json_kv_str(&j, "type", vg_ioc_type_name(d->type));
                vg_json_kv_bool(&j, "exact", hits[k].exact);
                vg_json_kv_str(&j, "source", d->source);
                vg_json_kv_str(&j, "id", d->id);
                vg_json_kv_str(&j, "name", d->name);
                vg_json_kv_str(&j, "actor", d->actor);
                if (d->actor_label && (!d->actor || strcmp(d->actor, d->actor_label) != 0))
                    vg_json_kv_str(&j, "actor_label", d->actor_label);
                if (d->actor_ambiguous)
                    vg_json_kv_bool(&j, "actor_ambiguous", true);
                vg_json_kv_str(&j, "valid_from", strcmp(from, "-") ? from : NULL);
                vg_json_kv_str(&j, "valid_until", strcmp(until, "-") ? until : NULL);
                if (validity)
                    vg_json_kv_str(&j, "validity", validity);
                vg_json_kv_str(&j, "shared", d->shared ? vg_shared_kind_name(d->shared) : NULL);
                if (d->confidence >= 0)
                    vg_json_kv_int(&j, "confidence", d->confidence);
                vg_json_obj_end(&j);
                print_json_line(&b);
            } else {
                printf("%s: %s %s%s  actor=%s%s  valid=%s..%s%s%s  shared=%s  source=%s%s%s\n",
                       o->args[i], vg_ioc_type_name(d->type), d->value,
                       hits[k].exact ? "" : " (contains)",
                       d->actor ? d->actor : (d->actor_label ? d->actor_label : "-"),
                       d->actor_ambiguous ? " (ambiguous)" : "", from, until,
                       validity ? " " : "", validity ? validity : "",
                       d->shared ? vg_shared_kind_name(d->shared) : "no", d->source,
                       d->id ? " " : "", d->id ? d->id : "");
            }
        }
    }
    vg_buf_free(&b);
    vg_iocset_free(s);
    vg_catalog_free(c);
    if (rc)
        return rc;
    return any ? VG_EXIT_FINDINGS : VG_EXIT_OK;
}

/* Naming sources and indicator files look alike (JSON); tell them apart. */
static bool is_naming_source(const char *text, size_t n)
{
    vg_str h = vg_str_make(text, n < 65536 ? n : 65536);
    return vg_str_find(h, VG_STR("\"Threat actor name\"")) >= 0 ||
           (vg_str_find(h, VG_STR("\"values\"")) >= 0 &&
            vg_str_find(h, VG_STR("\"synonyms\"")) >= 0) ||
           (vg_str_find(h, VG_STR("\"intrusion-set\"")) >= 0 &&
            vg_str_find(h, VG_STR("\"indicator\"")) < 0) ||
           vg_str_starts_with(vg_str_trim(h), VG_STR("actors:")) ||
           vg_str_find(h, VG_STR("\nactors:")) >= 0;
}

/* Validates a naming source; returns the names it added, or -1. */
static int64_t check_names(const char *f, const char *text, size_t n)
{
    vg_catalog *c = vg_catalog_new();
    vg_catalog_load_builtin(c, NULL);
    size_t actors = vg_catalog_count(c), names = vg_catalog_pair_count(c);
    vg_error e = {0};
    int64_t added = -1;
    if (vg_catalog_merge_buffer(c, text, n, f, &e) != VG_OK) {
        fprintf(stderr, "vigil intel: %s\n", e.msg);
    } else {
        added = (int64_t)(vg_catalog_pair_count(c) - names);
        printf("%s: naming source: %zu actors after merging (%zu new), %lld names added, %zu "
               "records skipped",
               f, vg_catalog_count(c), vg_catalog_count(c) - actors, (long long)added,
               vg_catalog_skipped(c));
    }
    vg_catalog_free(c);
    return added;
}

/* Validates an indicator file; returns the indicators it loaded, or -1 when
 * it loaded none. Rejected records are listed with file and position. */
static int64_t check_indicators(const char *f, const char *text, size_t n)
{
    vg_catalog *c = vg_catalog_new();
    vg_catalog_load_builtin(c, NULL);
    vg_iocset *s = vg_iocset_new();
    vg_iocset_set_catalog(s, c);
    vg_error e = {0};
    int64_t loaded = -1;
    if (vg_iocset_load_buffer(s, text, n, f, &e) != VG_OK) {
        fprintf(stderr, "vigil intel: %s\n", e.msg);
    } else {
        for (size_t k = 0; k < vg_iocset_reject_count(s) && vg_iocset_reject(s, k); k++)
            fprintf(stderr, "vigil intel: rejected: %s\n", vg_iocset_reject(s, k));
        if (vg_iocset_count(s) == 0) {
            fprintf(stderr, "vigil intel: %s: no indicator loaded (%zu records rejected)\n", f,
                    vg_iocset_reject_count(s));
        } else {
            loaded = (int64_t)vg_iocset_count(s);
            printf("%s: %zu indicators (", f, vg_iocset_count(s));
            bool first = true;
            for (int t = VG_IOC_IP; t < VG_IOC_TYPE_COUNT; t++) {
                size_t k = vg_iocset_count_type(s, (vg_ioc_type)t);
                if (k) {
                    printf("%s%zu %s", first ? "" : ", ", k, vg_ioc_type_name((vg_ioc_type)t));
                    first = false;
                }
            }
            size_t with_actor = 0, shared = 0, expiring = 0;
            vg_strlist actors = {0};
            for (size_t k = 0; k < vg_iocset_count(s); k++) {
                const vg_indicator *d = vg_iocset_at(s, k);
                if (d->actor) {
                    with_actor++;
                    vg_strlist_add(&actors, d->actor);
                }
                shared += d->shared != VG_SHARED_NONE;
                expiring += d->valid_until != VG_TIME_UNBOUNDED_HI;
            }
            vg_strlist_sort(&actors);
            printf("), %zu tied to an actor", with_actor);
            for (size_t k = 0; k < actors.n; k++)
                printf("%s%s", k ? ", " : " (", actors.v[k]);
            printf("%s, %zu shared (Tor/VPN/cloud), %zu with an expiry, %zu rejected",
                   actors.n ? ")" : "", shared, expiring, vg_iocset_reject_count(s));
            vg_strlist_free(&actors);
        }
    }
    vg_iocset_free(s);
    vg_catalog_free(c);
    return loaded;
}

#define IMPORT_MAX_FILE (256u << 20)

/* Validates each file with the loaders and keeps the good ones in the store,
 * which every later scan loads; one summary line per file on stdout. */
static int cmd_import(const opts *o)
{
    if (o->n_args == 0)
        return vg_cli_usage_error(intel_cmd(), "import needs at least one FILE");
    const char *db = o->db ? o->db : VG_SCAN_DEFAULT_DB;
    int rc = VG_EXIT_OK;
    vg_store *st = NULL;
    for (size_t i = 0; i < o->n_args; i++) {
        const char *f = o->args[i];
        vg_error e = {0};
        char *text = NULL;
        size_t n = 0;
        if (vg_file_read(f, IMPORT_MAX_FILE, &text, &n, &e) != VG_OK) {
            fprintf(stderr, "vigil intel: %s\n", e.msg);
            rc = VG_EXIT_INPUT;
            continue;
        }
        bool names = is_naming_source(text, n);
        int64_t records = names ? check_names(f, text, n) : check_indicators(f, text, n);
        if (records < 0) {
            fprintf(stderr, "vigil intel: %s: not imported\n", f);
            rc = VG_EXIT_INPUT;
            free(text);
            continue;
        }
        if (!st && vg_store_open(db, &st, &e) != VG_OK) {
            putchar('\n');
            fprintf(stderr, "vigil intel: %s\n", e.msg);
            free(text);
            return VG_EXIT_INPUT;
        }
        const char *base = strrchr(f, '/');
        vg_store_intel x = {.name = (char *)(base ? base + 1 : f),
                            .kind = names ? "names" : "indicators",
                            .records = records,
                            .imported_ms = vg_now_ms(),
                            .content = text,
                            .size = n};
        vg_store_change chg;
        char sha[65];
        vg_err err = vg_store_add_intel(st, &x, &chg, sha, &e);
        free(text);
        if (err) {
            putchar('\n');
            fprintf(stderr, "vigil intel: %s\n", e.msg);
            rc = VG_EXIT_INPUT;
            continue;
        }
        if (chg == VG_STORE_INSERTED) {
            printf("; imported into %s (sha256 %.12s)\n", db, sha);
        } else {
            vg_store_intel had;
            bool got = vg_store_get_intel(st, sha, &had, NULL) == VG_OK;
            printf("; already imported%s%s (sha256 %.12s), nothing changed\n",
                   got ? " as " : "", got ? had.name : "", sha);
            if (got)
                vg_store_intel_clear(&had);
        }
    }
    vg_store_close(st);
    return rc;
}

int vg_cmd_intel(int argc, char **argv)
{
    const vg_cmd *cmd = intel_cmd();
    if (argc < 2)
        return vg_cli_usage_error(cmd, "missing subcommand (actors, show, match, import, report)");
    const char *sub = argv[1];
    if (strcmp(sub, "report") == 0)
        return vg_cmd_intel_report(argc - 1, argv + 1); /* cmd_intel_report.c */
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(vg_usage_intel, stdout);
        return VG_EXIT_OK;
    }
    if (vg_cli_wants_help(cmd, argc - 1, argv + 1))
        return VG_EXIT_OK;
    opts o;
    int rc = parse_opts(argc - 1, argv + 1, &o);
    if (rc == VG_EXIT_OK) {
        if (strcmp(sub, "actors") == 0)
            rc = o.n_args ? vg_cli_usage_error(cmd, "actors takes no arguments") : cmd_actors(&o);
        else if (strcmp(sub, "show") == 0)
            rc = cmd_show(&o);
        else if (strcmp(sub, "match") == 0)
            rc = cmd_match(&o);
        else if (strcmp(sub, "import") == 0)
            rc = cmd_import(&o);
        else
            rc = vg_cli_usage_error(cmd, "unknown subcommand '%s'", sub);
    }
    free_opts(&o);
    return rc;
}
