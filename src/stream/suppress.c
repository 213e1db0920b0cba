/* suppress.c — suppressions: finding patterns an operator has accepted
 * (a service account with a stale password, a partner's scanner), each with
 * an owner, a reason and an expiry. Suppressed findings stay in the store,
 * marked; they are left out of campaigns and notifications until the
 * suppression expires or is removed. */
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stream/stream_int.h"

#define DAY_MS 86400000LL

void vg_supp_clear(vg_supp *s)
{
    free(s->kind);
    free(s->org);
    free(s->account);
    free(s->ip);
    free(s->finding);
    free(s->owner);
    free(s->reason);
    free(s->source);
    memset(s, 0, sizeof *s);
}

void vg_supps_free(vg_supps *l)
{
    for (size_t i = 0; i < l->n; i++)
        vg_supp_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static char *dup_or_null(const char *s) { return s && *s ? vg_xstrdup(s) : NULL; }

char *vg_supp_pattern_json(const vg_supp *s)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_json_obj_begin(&j);
    const struct {
        const char *k, *v;
    } kv[] = {{"account", s->account}, {"finding", s->finding}, {"ip", s->ip},
              {"kind", s->kind},       {"org", s->org}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (kv[i].v)
            vg_json_kv_str(&j, kv[i].k, kv[i].v);
    vg_json_obj_end(&j);
    return vg_buf_steal(&b);
}

static void set_id(vg_supp *s)
{
    char *p = vg_supp_pattern_json(s);
    vg_sha256 h;
    vg_sha256_init(&h);
    const char *src = s->source ? s->source : "config";
    vg_sha256_update(&h, src, strlen(src) + 1);
    vg_sha256_update(&h, p, strlen(p));
    uint8_t dg[32];
    vg_sha256_final(&h, dg);
    char hex[65];
    vg_hex(dg, 32, hex);
    snprintf(s->id, sizeof s->id, "s-%.16s", hex);
    free(p);
}

/* "2027-01-31" -> the end of that day; an RFC 3339 time as is. */
static bool parse_expiry(const char *s, int64_t *out)
{
    int y, m, d;
    char tail;
    if (s && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && vg_time_valid_date(y, m, d)) {
        *out = vg_time_from_civil(y, m, d, 0, 0, 0, 0) + DAY_MS;
        return true;
    }
    return s && vg_time_parse_rfc3339(vg_str_from(s), out) == VG_OK;
}

static vg_err validate(vg_supp *s, const char *where, vg_error *e)
{
    if (!s->kind && !s->org && !s->account && !s->ip && !s->finding)
        return vg_error_set(e, VG_EINVAL, "%s: a suppression needs a pattern (id, kind, org, "
                                          "account or ip)", where);
    if (!s->owner || !s->reason)
        return vg_error_set(e, VG_EINVAL, "%s: a suppression needs an owner and a reason", where);
    if (s->expires_ms <= 0)
        return vg_error_set(e, VG_EINVAL, "%s: a suppression needs an expiry (expires: YYYY-MM-DD)",
                            where);
    set_id(s);
    return VG_OK;
}

vg_err vg_supps_from_config(const vg_yaml_node *root, const char *name, vg_supps *out, vg_error *e)
{
    const vg_yaml_node *list = vg_yaml_get(root, "suppressions");
    if (!list)
        return VG_OK;
    if (vg_yaml_type_of(list) != VG_YAML_SEQ)
        return vg_error_set(e, VG_EINVAL, "%s:%d: suppressions must be a list", name,
                            vg_yaml_line(list));
    static const char *const known[] = {"id",    "kind",   "org",     "account", "ip",
                                        "owner", "reason", "expires", NULL};
    for (size_t i = 0; i < vg_yaml_len(list); i++) {
        const vg_yaml_node *n = vg_yaml_at(list, i);
        char where[300];
        snprintf(where, sizeof where, "%s:%d", name, vg_yaml_line(n));
        if (vg_yaml_type_of(n) != VG_YAML_MAP)
            return vg_error_set(e, VG_EINVAL, "%s: a suppression must be a map", where);
        for (size_t k = 0; k < vg_yaml_len(n); k++) {
            const char *key = vg_yaml_key_at(n, k);
            bool ok = false;
            for (const char *const *p = known; *p && !ok; p++)
                ok = strcmp(*p, key) == 0;
            if (!ok)
                vg_warn("%s:%d: unknown key '%s' in suppressions[]", name,
                        vg_yaml_line(vg_yaml_value_at(n, k)), key);
        }
        vg_supp s = {0};
        s.finding = dup_or_null(vg_yaml_str(vg_yaml_get(n, "id"), NULL));
        s.kind = dup_or_null(vg_yaml_str(vg_yaml_get(n, "kind"), NULL));
        s.org = dup_or_null(vg_yaml_str(vg_yaml_get(n, "org"), NULL));
        s.account = dup_or_null(vg_yaml_str(vg_yaml_get(n, "account"), NULL));
        s.ip = dup_or_null(vg_yaml_str(vg_yaml_get(n, "ip"), NULL));
        s.owner = dup_or_null(vg_yaml_str(vg_yaml_get(n, "owner"), NULL));
        s.reason = dup_or_null(vg_yaml_str(vg_yaml_get(n, "reason"), NULL));
        s.source = vg_xstrdup("config");
        const char *exp = vg_yaml_str(vg_yaml_get(n, "expires"), NULL);
        if (exp && !parse_expiry(exp, &s.expires_ms)) {
            vg_supp_clear(&s);
            return vg_error_set(e, VG_EINVAL, "%s: expires '%s' is not a date (YYYY-MM-DD)", where,
                                exp);
        }
        vg_err rc = validate(&s, where, e);
        if (rc) {
            vg_supp_clear(&s);
            return rc;
        }
        out->v = vg_xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        out->v[out->n++] = s;
    }
    return VG_OK;
}

vg_err vg_supp_parse_spec(const char *spec, vg_supp *s, vg_error *e)
{
    memset(s, 0, sizeof *s);
    vg_str rest = vg_str_from(spec), tok;
    while (vg_str_split(&rest, ',', &tok)) {
        tok = vg_str_trim(tok);
        if (tok.n == 0)
            continue;
        ptrdiff_t eq = vg_str_chr(tok, '=');
        if (eq <= 0) {
            vg_supp_clear(s);
            return vg_error_set(e, VG_EINVAL, "--suppress: '%.*s' is not key=value", VG_STR_ARG(tok));
        }
        vg_str k = vg_str_trim(vg_str_sub(tok, 0, (size_t)eq));
        char *v = vg_str_dup(vg_str_trim(vg_str_sub(tok, (size_t)eq + 1, tok.n)));
        char **slot = NULL;
        if (vg_str_eq_cstr(k, "id"))
            slot = &s->finding;
        else if (vg_str_eq_cstr(k, "kind"))
            slot = &s->kind;
        else if (vg_str_eq_cstr(k, "org"))
            slot = &s->org;
        else if (vg_str_eq_cstr(k, "account"))
            slot = &s->account;
        else if (vg_str_eq_cstr(k, "ip"))
            slot = &s->ip;
        else if (vg_str_eq_cstr(k, "owner"))
            slot = &s->owner;
        else if (vg_str_eq_cstr(k, "reason"))
            slot = &s->reason;
        else if (vg_str_eq_cstr(k, "expires")) {
            bool ok = parse_expiry(v, &s->expires_ms);
            free(v);
            if (!ok) {
                vg_supp_clear(s);
                return vg_error_set(e, VG_EINVAL, "--suppress: expires is not a date (YYYY-MM-DD)");
            }
            continue;
        } else {
            free(v);
            vg_supp_clear(s);
            return vg_error_set(e, VG_EINVAL, "--suppress: unknown key '%.*s'", VG_STR_ARG(k));
        }
        free(*slot);
        if (*v) {
            *slot = v;
        } else {
            *slot = NULL;
            free(v);
        }
    }
    s->source = vg_xstrdup("cli");
    vg_err rc = validate(s, "--suppress", e);
    if (rc)
        vg_supp_clear(s);
    return rc;
}

vg_err vg_supp_from_store(const vg_store_suppression *row, vg_supp *s)
{
    memset(s, 0, sizeof *s);
    json_t *p = json_loads(row->pattern_json ? row->pattern_json : "", 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return VG_EINVAL;
    }
    s->account = dup_or_null(json_string_value(json_object_get(p, "account")));
    s->finding = dup_or_null(json_string_value(json_object_get(p, "finding")));
    s->ip = dup_or_null(json_string_value(json_object_get(p, "ip")));
    s->kind = dup_or_null(json_string_value(json_object_get(p, "kind")));
    s->org = dup_or_null(json_string_value(json_object_get(p, "org")));
    json_decref(p);
    s->owner = dup_or_null(row->owner);
    s->reason = dup_or_null(row->reason);
    s->source = dup_or_null(row->source);
    s->expires_ms = row->expires_ms;
    snprintf(s->id, sizeof s->id, "%s", row->id ? row->id : "");
    return VG_OK;
}

static bool glob(const char *pat, const char *s)
{
    return fnmatch(pat, s ? s : "", FNM_CASEFOLD) == 0;
}

/* Every value of l matches pat (and there is at least one). */
static bool all_match(const char *pat, const vg_strlist *const *lists, size_t nl, bool ip)
{
    vg_cidr net;
    bool is_net = ip && vg_cidr_parse(vg_str_from(pat), &net) == VG_OK;
    size_t seen = 0;
    for (size_t k = 0; k < nl; k++) {
        for (size_t i = 0; i < lists[k]->n; i++) {
            const char *v = lists[k]->v[i];
            seen++;
            if (is_net) {
                vg_ip a;
                if (vg_ip_parse(vg_str_from(v), &a) != VG_OK || !vg_cidr_contains(&net, &a))
                    return false;
            } else if (!glob(pat, v)) {
                return false;
            }
        }
    }
    return seen > 0;
}

const vg_supp *vg_supps_match(const vg_supps *l, const vg_finding *f, int64_t now_ms)
{
    for (size_t i = 0; i < l->n; i++) {
        const vg_supp *s = &l->v[i];
        if (s->expires_ms && s->expires_ms <= now_ms)
            continue;
        if (s->finding && strcmp(s->finding, f->id) != 0)
            continue;
        if (s->kind && !glob(s->kind, f->kind))
            continue;
        if (s->org && !glob(s->org, f->org))
            continue;
        if (s->account) {
            const vg_strlist *ls[] = {&f->entities.accounts, &f->roles.targeted,
                                      &f->roles.compromised};
            if (!all_match(s->account, ls, 3, false))
                continue;
        }
        if (s->ip) {
            const vg_strlist *ls[] = {f->roles.attacker_ips.n ? &f->roles.attacker_ips
                                                              : &f->entities.ips};
            if (!all_match(s->ip, ls, 1, true))
                continue;
        }
        return s;
    }
    return NULL;
}
