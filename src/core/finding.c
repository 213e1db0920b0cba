/* finding.c — the Finding contract (DESIGN.md): building, ids, sorting,
 * JSON out (vg_json) and back in (jansson). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/finding.h"

/* ---- enums ---------------------------------------------------------------- */

static const char *sev_names[] = {"low", "medium", "high", "critical"};
static const char *out_names[] = {"attempted", "blocked", "credential_valid", "succeeded"};
static const char *conf_names[] = {"none", "low", "moderate", "high"};

const char *vg_severity_name(vg_severity s) { return (unsigned)s < 4 ? sev_names[s] : "low"; }
const char *vg_outcome_name(vg_outcome o) { return (unsigned)o < 4 ? out_names[o] : "attempted"; }
const char *vg_confidence_name(vg_confidence c) { return (unsigned)c < 4 ? conf_names[c] : "none"; }

static bool parse_enum(const char *s, const char **names, int *out)
{
    for (int i = 0; s && i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}
bool vg_severity_parse(const char *s, vg_severity *out) { return parse_enum(s, sev_names, (int *)out); }
bool vg_outcome_parse(const char *s, vg_outcome *out) { return parse_enum(s, out_names, (int *)out); }
bool vg_confidence_parse(const char *s, vg_confidence *out)
{
    return parse_enum(s, conf_names, (int *)out);
}

/* ---- string lists ----------------------------------------------------------- */

void vg_strlist_free(vg_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

bool vg_strlist_has(const vg_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

bool vg_strlist_addn(vg_strlist *l, const char *s, size_t n)
{
    if (!s)
        return false;
    n = strnlen(s, n); /* the stored copy stops at an embedded NUL: compare the same */
    if (n == 0)
        return false;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == n && memcmp(l->v[i], s, n) == 0)
            return false;
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = vg_xstrndup(s, n);
    return true;
}

bool vg_strlist_add(vg_strlist *l, const char *s) { return s && vg_strlist_addn(l, s, strlen(s)); }

void vg_strlist_addf(vg_strlist *l, const char *fmt, ...)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    vg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    vg_strlist_addn(l, vg_buf_cstr(&b), b.n);
    vg_buf_free(&b);
}

void vg_strlist_add_all(vg_strlist *dst, const vg_strlist *src)
{
    for (size_t i = 0; i < src->n; i++)
        vg_strlist_add(dst, src->v[i]);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void vg_strlist_sort(vg_strlist *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_str);
}

void vg_strlist_copy(vg_strlist *dst, const vg_strlist *src)
{
    memset(dst, 0, sizeof *dst);
    vg_strlist_add_all(dst, src);
}

/* ---- findings ------------------------------------------------------------------ */

vg_finding *vg_finding_new(const char *kind, const char *org)
{
    vg_finding *f = vg_xcalloc(1, sizeof *f);
    snprintf(f->kind, sizeof f->kind, "%s", kind ? kind : "");
    f->org = vg_xstrdup(org ? org : "");
    f->revision = 1;
    return f;
}

/* Every string list of a finding, so free and clone cannot miss one. */
#define N_LISTS 14
static void finding_lists(vg_finding *f, vg_strlist *out[N_LISTS])
{
    vg_strlist *l[N_LISTS] = {
        &f->attack,           &f->entities.accounts,    &f->entities.ips,
        &f->entities.domains, &f->entities.urls,        &f->entities.messages,
        &f->entities.hashes,  &f->entities.user_agents, &f->roles.compromised,
        &f->roles.attacker_ips, &f->roles.targeted,     &f->reasons,
        &f->attribution.aliases, &f->attribution.evidence,
    };
    memcpy(out, l, sizeof l);
}

void vg_finding_free(vg_finding *f)
{
    if (!f)
        return;
    vg_strlist *l[N_LISTS];
    finding_lists(f, l);
    for (int i = 0; i < N_LISTS; i++)
        vg_strlist_free(l[i]);
    for (size_t i = 0; i < f->n_evidence; i++)
        free(f->evidence[i].file);
    free(f->evidence);
    free(f->org);
    free(f->attribution.actor);
    free(f);
}

vg_finding *vg_finding_clone(const vg_finding *src)
{
    vg_finding *f = vg_xmalloc(sizeof *f);
    *f = *src;
    f->org = vg_xstrdup(src->org ? src->org : "");
    f->attribution.actor = src->attribution.actor ? vg_xstrdup(src->attribution.actor) : NULL;
    vg_strlist *dst[N_LISTS], *from[N_LISTS];
    finding_lists(f, dst);
    finding_lists((vg_finding *)src, from);
    for (int i = 0; i < N_LISTS; i++)
        vg_strlist_copy(dst[i], from[i]);
    f->evidence = NULL;
    f->n_evidence = f->cap_evidence = 0;
    for (size_t i = 0; i < src->n_evidence; i++)
        vg_finding_add_evidence(f, src->evidence[i].file, src->evidence[i].line);
    return f;
}

void vg_finding_set_id(vg_finding *f, const char *primary_key, int64_t time_ms, int64_t bucket_ms)
{
    int64_t bucket = 0;
    if (bucket_ms > 0) {
        bucket = time_ms / bucket_ms;
        if (time_ms < 0 && time_ms % bucket_ms)
            bucket--;
        bucket *= bucket_ms;
    }
    char bstr[32];
    int bn = snprintf(bstr, sizeof bstr, "%lld", (long long)bucket);
    vg_sha256 h;
    vg_sha256_init(&h);
    vg_sha256_update(&h, f->kind, strlen(f->kind) + 1);
    vg_sha256_update(&h, f->org ? f->org : "", (f->org ? strlen(f->org) : 0) + 1);
    vg_sha256_update(&h, primary_key ? primary_key : "",
                     (primary_key ? strlen(primary_key) : 0) + 1);
    vg_sha256_update(&h, bstr, (size_t)bn);
    uint8_t d[32];
    vg_sha256_final(&h, d);
    f->id[0] = 'f';
    f->id[1] = '-';
    vg_hex(d, 8, f->id + 2);
}

void vg_finding_add_evidence(vg_finding *f, const char *file, int64_t line)
{
    /* Evidence is a sample, not a log: keep the first few (output shows
     * VG_FINDING_MAX_EVIDENCE), so a spray of 100k attempts stays cheap. */
    if (f->n_evidence >= 4 * VG_FINDING_MAX_EVIDENCE)
        return;
    for (size_t i = 0; i < f->n_evidence; i++)
        if (f->evidence[i].line == line && strcmp(f->evidence[i].file, file ? file : "") == 0)
            return;
    f->evidence = vg_xgrow(f->evidence, &f->cap_evidence, f->n_evidence + 1, sizeof *f->evidence);
    f->evidence[f->n_evidence].file = vg_xstrdup(file ? file : "");
    f->evidence[f->n_evidence].line = line;
    f->n_evidence++;
}

void vg_finding_seen(vg_finding *f, int64_t t)
{
    if (f->first_seen == 0 || t < f->first_seen)
        f->first_seen = t;
    if (f->last_seen == 0 || t > f->last_seen)
        f->last_seen = t;
}

static int cmp_evidence(const void *a, const void *b)
{
    const vg_evidence *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

void vg_finding_normalize(vg_finding *f)
{
    /* Reasons and attribution evidence keep their order: they read as prose. */
    vg_strlist_sort(&f->attack);
    vg_strlist_sort(&f->entities.accounts);
    vg_strlist_sort(&f->entities.ips);
    vg_strlist_sort(&f->entities.domains);
    vg_strlist_sort(&f->entities.urls);
    vg_strlist_sort(&f->entities.messages);
    vg_strlist_sort(&f->entities.hashes);
    vg_strlist_sort(&f->entities.user_agents);
    vg_strlist_sort(&f->roles.compromised);
    vg_strlist_sort(&f->roles.attacker_ips);
    vg_strlist_sort(&f->roles.targeted);
    vg_strlist_sort(&f->attribution.aliases);
    if (f->n_evidence > 1)
        qsort(f->evidence, f->n_evidence, sizeof *f->evidence, cmp_evidence);
}

/* ---- JSON out ----------------------------------------------------------------------- */

static void write_list(vg_json *j, const char *key, const vg_strlist *l, size_t cap)
{
    vg_json_key(j, key);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n && (cap == 0 || i < cap); i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

static void write_time(vg_json *j, const char *key, int64_t ms)
{
    char t[VG_TIME_STRLEN];
    vg_time_format_rfc3339(ms, ms % 1000 != 0, t);
    vg_json_kv_str(j, key, t);
}

void vg_finding_write_json(const vg_finding *f, vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "schema", VG_FINDING_SCHEMA);
    vg_json_kv_str(j, "id", f->id);
    vg_json_kv_int(j, "revision", f->revision);
    vg_json_kv_str(j, "kind", f->kind);
    vg_json_kv_str(j, "org", f->org ? f->org : "");
    write_time(j, "first_seen", f->first_seen);
    write_time(j, "last_seen", f->last_seen);
    vg_json_kv_str(j, "severity", vg_severity_name(f->severity));
    vg_json_kv_int(j, "score", f->score);
    vg_json_kv_str(j, "outcome", vg_outcome_name(f->outcome));
    write_list(j, "attack", &f->attack, 0);

    vg_json_key(j, "counts");
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "attempts", f->counts.attempts);
    vg_json_kv_int(j, "accounts", f->counts.accounts);
    vg_json_kv_int(j, "ips", f->counts.ips);
    vg_json_kv_int(j, "succeeded", f->counts.succeeded);
    if (f->counts.blocked)
        vg_json_kv_int(j, "blocked", f->counts.blocked);
    if (f->counts.messages)
        vg_json_kv_int(j, "messages", f->counts.messages);
    vg_json_obj_end(j);

    vg_json_key(j, "entities");
    vg_json_obj_begin(j);
    write_list(j, "accounts", &f->entities.accounts, 0);
    write_list(j, "ips", &f->entities.ips, VG_FINDING_MAX_IPS);
    write_list(j, "domains", &f->entities.domains, VG_FINDING_MAX_URLS);
    write_list(j, "urls", &f->entities.urls, VG_FINDING_MAX_URLS);
    write_list(j, "messages", &f->entities.messages, 0);
    if (f->entities.hashes.n)
        write_list(j, "hashes", &f->entities.hashes, VG_FINDING_MAX_URLS);
    if (f->entities.user_agents.n)
        write_list(j, "user_agents", &f->entities.user_agents, 20);
    vg_json_obj_end(j);

    vg_json_key(j, "roles");
    vg_json_obj_begin(j);
    write_list(j, "compromised", &f->roles.compromised, 0);
    write_list(j, "attacker_ips", &f->roles.attacker_ips, VG_FINDING_MAX_IPS);
    write_list(j, "targeted", &f->roles.targeted, 0);
    vg_json_obj_end(j);

    write_list(j, "reasons", &f->reasons, 0);

    vg_json_key(j, "evidence");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < f->n_evidence && i < VG_FINDING_MAX_EVIDENCE; i++) {
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "file", f->evidence[i].file);
        vg_json_kv_int(j, "line", f->evidence[i].line);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);

    vg_json_key(j, "attribution");
    vg_json_obj_begin(j);
    vg_json_key(j, "actor");
    if (f->attribution.actor)
        vg_json_str(j, f->attribution.actor);
    else
        vg_json_null(j);
    write_list(j, "aliases", &f->attribution.aliases, 0);
    vg_json_kv_str(j, "confidence", vg_confidence_name(f->attribution.confidence));
    write_list(j, "evidence", &f->attribution.evidence, 0);
    vg_json_obj_end(j);
    if (f->suppressed)
        vg_json_kv_bool(j, "suppressed", true);
    vg_json_obj_end(j);
}

char *vg_finding_to_json(const vg_finding *f)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_finding_write_json(f, &j);
    return vg_buf_steal(&b);
}

/* ---- JSON in ------------------------------------------------------------------------ */

static void read_list(json_t *obj, const char *key, vg_strlist *l)
{
    json_t *a = json_object_get(obj, key);
    size_t i;
    json_t *v;
    if (!json_is_array(a))
        return;
    json_array_foreach(a, i, v)
    {
        if (json_is_string(v))
            vg_strlist_addn(l, json_string_value(v), json_string_length(v));
    }
}

static bool read_time(json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return false;
    return vg_time_parse_rfc3339(vg_str_from(json_string_value(v)), out) == VG_OK;
}

static int64_t read_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

vg_finding *vg_finding_from_json(const char *text, size_t n, vg_error *e)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        vg_error_set(e, VG_EINVAL, "finding JSON:%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    vg_finding *f = NULL;
    const char *id = json_string_value(json_object_get(root, "id"));
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (!json_is_object(root) || !vg_id_wellformed(id, 'f') || !kind) {
        vg_error_set(e, VG_EINVAL, "finding JSON: missing or malformed id/kind");
        goto out;
    }
    f = vg_finding_new(kind, json_string_value(json_object_get(root, "org")));
    memcpy(f->id, id, 19);
    f->revision = (int)read_int(root, "revision");
    if (!read_time(root, "first_seen", &f->first_seen) ||
        !read_time(root, "last_seen", &f->last_seen)) {
        vg_error_set(e, VG_EINVAL, "finding %s: bad first_seen/last_seen", id);
        vg_finding_free(f);
        f = NULL;
        goto out;
    }
    vg_severity_parse(json_string_value(json_object_get(root, "severity")), &f->severity);
    vg_outcome_parse(json_string_value(json_object_get(root, "outcome")), &f->outcome);
    f->score = (int)read_int(root, "score");
    read_list(root, "attack", &f->attack);
    json_t *c = json_object_get(root, "counts");
    f->counts.attempts = read_int(c, "attempts");
    f->counts.accounts = read_int(c, "accounts");
    f->counts.ips = read_int(c, "ips");
    f->counts.succeeded = read_int(c, "succeeded");
    f->counts.blocked = read_int(c, "blocked");
    f->counts.messages = read_int(c, "messages");
    json_t *en = json_object_get(root, "entities");
    read_list(en, "accounts", &f->entities.accounts);
    read_list(en, "ips", &f->entities.ips);
    read_list(en, "domains", &f->entities.domains);
    read_list(en, "urls", &f->entities.urls);
    read_list(en, "messages", &f->entities.messages);
    read_list(en, "hashes", &f->entities.hashes);
    read_list(en, "user_agents", &f->entities.user_agents);
    json_t *ro = json_object_get(root, "roles");
    read_list(ro, "compromised", &f->roles.compromised);
    read_list(ro, "attacker_ips", &f->roles.attacker_ips);
    read_list(ro, "targeted", &f->roles.targeted);
    read_list(root, "reasons", &f->reasons);
    json_t *ev = json_object_get(root, "evidence");
    size_t i;
    json_t *v;
    if (json_is_array(ev)) {
        json_array_foreach(ev, i, v)
        {
            const char *file = json_string_value(json_object_get(v, "file"));
            if (file)
                vg_finding_add_evidence(f, file, read_int(v, "line"));
        }
    }
    json_t *at = json_object_get(root, "attribution");
    const char *actor = json_string_value(json_object_get(at, "actor"));
    if (actor)
        f->attribution.actor = vg_xstrdup(actor);
    read_list(at, "aliases", &f->attribution.aliases);
    vg_confidence_parse(json_string_value(json_object_get(at, "confidence")),
                        &f->attribution.confidence);
    read_list(at, "evidence", &f->attribution.evidence);
    f->suppressed = json_is_true(json_object_get(root, "suppressed"));
out:
    json_decref(root);
    return f;
}

/* ---- lists of findings ------------------------------------------------------------- */

void vg_findings_push(vg_findings *l, vg_finding *f)
{
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = f;
}

void vg_findings_free(vg_findings *l)
{
    for (size_t i = 0; i < l->n; i++)
        vg_finding_free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_finding(const void *a, const void *b)
{
    const vg_finding *x = *(vg_finding *const *)a, *y = *(vg_finding *const *)b;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    int c = strcmp(x->kind, y->kind);
    if (c)
        return c;
    c = strcmp(x->org, y->org);
    if (c)
        return c;
    return strcmp(x->id, y->id);
}

void vg_findings_sort(vg_findings *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_finding);
}
