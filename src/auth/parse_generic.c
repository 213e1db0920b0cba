/* parse_generic.c — records whose shape vigil does not know by itself:
 * generic JSON lines and CSV described by `signins.field_map` in the config,
 * plus the CSV forms of known exports (Entra portal download, Log Analytics
 * CSV export, Windows event CSV), which are turned into the same key/value
 * objects the JSON parsers read. Also journald's `-o json` records.
 *
 * CSV follows RFC 4180 (quoted fields, "" for a quote, newlines inside
 * quotes); the delimiter (comma, semicolon or tab) is chosen from the header.
 * Header names lose a trailing unit such as " [UTC]" ("TimeGenerated [UTC]").
 */
#include <stdlib.h>
#include <string.h>

#include "auth/auth_internal.h"

/* ---- generic JSON with a field map ------------------------------------------------ */

static const aj_node *field(const aj_node *rec, const char *key)
{
    if (!key)
        return NULL;
    const aj_node *n = vg_auth__json_get(rec, key);
    if (!n && strchr(key, '.'))
        n = vg_auth__json_path(rec, key);
    return n;
}

static bool in_list(vg_str v, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (vg_str_eq_ci(v, vg_str_from(list[i])))
            return true;
    return false;
}

static bool in_defaults(vg_str v, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (vg_str_eq_ci(v, vg_str_from(list[i])))
            return true;
    return false;
}

static vg_auth_result map_result(const auth_field_map *fm, vg_str v)
{
    static const char *const d_success[] = {"success", "succeeded", "ok", "accepted", "allow",
                                            "allowed", "passed", "true", "0", NULL};
    static const char *const d_failure[] = {"failure", "failed", "fail", "denied", "deny",
                                            "false", "bad_password", "invalid_password",
                                            "wrong_password", "rejected", NULL};
    static const char *const d_nouser[] = {"no_such_user", "unknown_user", "invalid_user",
                                           "user_not_found", "nouser", NULL};
    static const char *const d_locked[] = {"locked", "locked_out", "lockout", NULL};
    static const char *const d_cv[] = {"credential_valid", "mfa_required", "mfa_denied",
                                       "mfa_failed", NULL};
    static const char *const d_int[] = {"interrupt", "interrupted", NULL};
    v = vg_str_trim(v);
    if (in_list(v, fm->success_values, fm->n_success))
        return VG_AUTH_SUCCESS;
    if (in_list(v, fm->no_user_values, fm->n_no_user))
        return VG_AUTH_NO_SUCH_USER;
    if (in_list(v, fm->locked_values, fm->n_locked))
        return VG_AUTH_LOCKED;
    if (in_list(v, fm->credential_valid_values, fm->n_cv))
        return VG_AUTH_CREDENTIAL_VALID;
    if (in_list(v, fm->interrupt_values, fm->n_interrupt))
        return VG_AUTH_INTERRUPT;
    if (in_list(v, fm->failure_values, fm->n_failure))
        return VG_AUTH_BAD_PASSWORD;
    if (!fm->n_success && in_defaults(v, d_success))
        return VG_AUTH_SUCCESS;
    if (in_defaults(v, d_nouser))
        return VG_AUTH_NO_SUCH_USER;
    if (in_defaults(v, d_locked))
        return VG_AUTH_LOCKED;
    if (in_defaults(v, d_cv))
        return VG_AUTH_CREDENTIAL_VALID;
    if (in_defaults(v, d_int))
        return VG_AUTH_INTERRUPT;
    if (!fm->n_failure && in_defaults(v, d_failure))
        return VG_AUTH_BAD_PASSWORD;
    /* a configured success list and a value outside it: some failure */
    return fm->n_success ? VG_AUTH_BAD_PASSWORD : VG_AUTH_OTHER_FAILURE;
}

static const char *fstr(auth_ctx *c, const aj_node *rec, const char *key)
{
    const aj_node *n = field(rec, key);
    const char *s = n ? vg_auth__json_str(c->a, n) : NULL;
    return s && *s ? s : NULL;
}

void vg_auth__generic_json_record(auth_ctx *c, const aj_node *rec)
{
    const auth_field_map *fm = &c->cfg->fm;
    if (!fm->present) {
        vg_auth__reject(c, "record has no known sign-in shape and no signins.field_map is set");
        return;
    }
    vg_auth_event ev;
    vg_auth__event_init(c, &ev, c->hint == VG_AUTH_FMT_CSV ? VG_AUTH_FMT_CSV : VG_AUTH_FMT_JSONL);
    const aj_node *tn = field(rec, fm->time);
    if (!tn) {
        vg_auth__reject(c, "no '%s' field (signins.field_map.time)", fm->time);
        return;
    }
    if (!vg_auth__parse_time(vg_auth__json_view(tn), &ev.time_ms)) {
        vg_str v = vg_auth__json_view(tn);
        vg_auth__reject(c, "bad timestamp '%.*s'", (int)(v.n > 64 ? 64 : v.n), v.p);
        return;
    }
    const char *user = fstr(c, rec, fm->user);
    if (!user) {
        vg_auth__reject(c, "no '%s' field (signins.field_map.user)", fm->user);
        return;
    }
    const char *host = fstr(c, rec, fm->host);
    vg_auth__set_account(c, &ev, vg_str_from(user), NULL);
    const char *res = fstr(c, rec, fm->result);
    const char *code = fstr(c, rec, fm->code);
    if (!res && !code) {
        vg_auth__reject(c, "no result ('%s')", fm->result ? fm->result : "result");
        return;
    }
    ev.result = map_result(fm, vg_str_from(res ? res : code));
    ev.code = code ? code : res;
    const char *ip = fstr(c, rec, fm->ip);
    if (ip && !vg_auth__is_nil(vg_str_from(ip)) && !vg_auth__parse_ip(vg_str_from(ip), &ev.ip)) {
        vg_auth__reject(c, "invalid IP address '%.64s'", ip);
        return;
    }
    const char *s;
    if ((s = fstr(c, rec, fm->app)))
        ev.app = s;
    if ((s = fstr(c, rec, fm->user_agent)))
        ev.user_agent = s;
    if ((s = fstr(c, rec, fm->protocol))) {
        vg_auth_proto p;
        if (vg_auth_proto_parse(s, &p))
            ev.proto = p;
        else
            ev.proto = vg_auth__proto_from_entra(vg_str_from(s));
    }
    if ((s = fstr(c, rec, fm->tenant)))
        ev.tenant_id = vg_auth__lower(c->a, vg_str_from(s));
    if (host)
        ev.host = vg_auth__lower(c->a, vg_str_from(host));
    if ((s = fstr(c, rec, fm->org)))
        ev.org = s;
    if ((s = fstr(c, rec, fm->correlation)))
        ev.correlation_id = s;
    if ((s = fstr(c, rec, fm->country)) && strlen(s) == 2) {
        ev.country[0] = (char)(s[0] & ~32);
        ev.country[1] = (char)(s[1] & ~32);
    }
    int64_t asn;
    if (vg_auth__json_int(field(rec, fm->asn), &asn) && asn > 0 && asn < 4294967296LL)
        ev.asn = (uint32_t)asn;
    const aj_node *in = field(rec, fm->interactive);
    if (in)
        ev.interactive = (int8_t)vg_auth__json_bool(in);
    vg_auth__emit(c, &ev);
}

/* journalctl -o json: {"__REALTIME_TIMESTAMP":"1605261600123456", "_HOSTNAME",
 * "SYSLOG_IDENTIFIER":"sshd", "_PID", "MESSAGE"} */
void vg_auth__journal_json_record(auth_ctx *c, const aj_node *rec)
{
    const char *ident = vg_auth__json_str(c->a, AJ_GET(rec, "SYSLOG_IDENTIFIER"));
    if (!ident)
        ident = vg_auth__json_str(c->a, AJ_GET(rec, "_COMM"));
    if (!ident || strncmp(ident, "sshd", 4) != 0) {
        vg_auth__ignore(c);
        return;
    }
    const aj_node *msg = AJ_GET(rec, "MESSAGE");
    if (!msg || msg->type != AJ_STR) { /* binary messages are arrays of bytes */
        vg_auth__reject(c, "journal record without a text MESSAGE");
        return;
    }
    int64_t t;
    const aj_node *tn = AJ_GET(rec, "__REALTIME_TIMESTAMP");
    if (!tn)
        tn = AJ_GET(rec, "_SOURCE_REALTIME_TIMESTAMP");
    if (!tn || !vg_auth__parse_time(vg_auth__json_view(tn), &t)) {
        vg_auth__reject(c, "journal record without a valid __REALTIME_TIMESTAMP");
        return;
    }
    const char *host = vg_auth__json_str(c->a, AJ_GET(rec, "_HOSTNAME"));
    int64_t pid = 0;
    vg_auth__json_int(AJ_GET(rec, "_PID"), &pid);
    if (!pid)
        vg_auth__json_int(AJ_GET(rec, "SYSLOG_PID"), &pid);
    vg_auth__sshd_message(c, vg_auth__source_sshd(c->src), t, host ? host : "", pid,
                          vg_str_from(vg_auth__json_str(c->a, msg)));
}

/* ---- CSV ---------------------------------------------------------------------------- */

struct auth_csv {
    bool active;
    char delim;
    vg_auth_format fmt; /* ENTRA, WINDOWS or CSV (generic) */
    size_t ncols;
    char **cols;
};

auth_csv *vg_auth__csv_new(void) { return vg_xcalloc(1, sizeof(auth_csv)); }

void vg_auth__csv_free(auth_csv *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ncols; i++)
        free(s->cols[i]);
    free(s->cols);
    free(s);
}

bool vg_auth__csv_active(const auth_csv *st) { return st && st->active; }

bool vg_auth__csv_complete(vg_str rec)
{
    bool q = false;
    for (size_t i = 0; i < rec.n; i++)
        if (rec.p[i] == '"')
            q = !q;
    return !q;
}

static int split_delim(vg_arena *a, vg_str rec, char delim, vg_str **out)
{
    size_t cap = 16, n = 0;
    vg_str *f = vg_arena_alloc(a, cap * sizeof *f);
    size_t i = 0;
    for (;;) {
        if (n == cap) {
            vg_str *nf = vg_arena_alloc(a, cap * 2 * sizeof *f);
            memcpy(nf, f, cap * sizeof *f);
            f = nf;
            cap *= 2;
        }
        if (n >= 4096)
            return -1;
        if (i < rec.n && rec.p[i] == '"') {
            /* quoted: copy with "" -> " */
            char *o = vg_arena_alloc(a, rec.n - i + 1);
            size_t k = 0;
            i++;
            for (;;) {
                if (i >= rec.n)
                    return -1; /* unterminated */
                if (rec.p[i] == '"') {
                    if (i + 1 < rec.n && rec.p[i + 1] == '"') {
                        o[k++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                o[k++] = rec.p[i++];
            }
            o[k] = '\0';
            f[n++] = vg_str_make(o, k);
            while (i < rec.n && rec.p[i] == ' ')
                i++;
            if (i < rec.n && rec.p[i] != delim)
                return -1;
        } else {
            size_t b = i;
            while (i < rec.n && rec.p[i] != delim)
                i++;
            f[n++] = vg_str_make(rec.p + b, i - b);
        }
        if (i >= rec.n)
            break;
        i++; /* delimiter */
    }
    *out = f;
    return (int)n;
}

int vg_auth__csv_split(vg_arena *a, vg_str rec, vg_str **fields)
{
    return split_delim(a, rec, ',', fields);
}

static char pick_delim(vg_str line)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool q = false;
    for (size_t i = 0; i < line.n; i++) {
        char ch = line.p[i];
        if (ch == '"')
            q = !q;
        else if (!q && ch == ',')
            comma++;
        else if (!q && ch == ';')
            semi++;
        else if (!q && ch == '\t')
            tab++;
    }
    if (tab > comma && tab > semi)
        return '\t';
    if (semi > comma)
        return ';';
    return ',';
}

/* Column name without quotes, BOM and a trailing " [UTC]" unit. */
static vg_str clean_col(vg_str s)
{
    s = vg_str_trim(s);
    if (s.n >= 3 && (unsigned char)s.p[0] == 0xEF && (unsigned char)s.p[1] == 0xBB &&
        (unsigned char)s.p[2] == 0xBF)
        s = vg_str_sub(s, 3, SIZE_MAX);
    if (s.n > 2 && s.p[s.n - 1] == ']') {
        ptrdiff_t lb = vg_str_rchr(s, '[');
        if (lb > 0 && s.p[lb - 1] == ' ')
            s = vg_str_trim(vg_str_sub(s, 0, (size_t)lb));
    }
    return s;
}

static bool has_col(vg_str *cols, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (vg_str_eq_ci(clean_col(cols[i]), vg_str_from(name)))
            return true;
    return false;
}

static vg_auth_format classify_header(const vg_auth_config *cfg, vg_str *cols, int n)
{
    if (n < 3)
        return VG_AUTH_FMT_UNKNOWN;
    if (has_col(cols, n, "TimeGenerated") &&
        (has_col(cols, n, "ResultType") || has_col(cols, n, "UserPrincipalName")))
        return VG_AUTH_FMT_ENTRA;
    if (has_col(cols, n, "Date (UTC)") &&
        (has_col(cols, n, "Sign-in error code") || has_col(cols, n, "Username")))
        return VG_AUTH_FMT_ENTRA;
    if (has_col(cols, n, "createdDateTime") && has_col(cols, n, "userPrincipalName"))
        return VG_AUTH_FMT_ENTRA;
    if ((has_col(cols, n, "EventID") || has_col(cols, n, "EventCode") || has_col(cols, n, "Id")) &&
        has_col(cols, n, "TargetUserName"))
        return VG_AUTH_FMT_WINDOWS;
    if (cfg && cfg->fm.present && has_col(cols, n, cfg->fm.time) && has_col(cols, n, cfg->fm.user))
        return VG_AUTH_FMT_CSV;
    return VG_AUTH_FMT_UNKNOWN;
}

vg_auth_format vg_auth__csv_sniff_header(const vg_auth_config *cfg, vg_str line)
{
    vg_arena *a = vg_arena_new(4096);
    vg_str *cols;
    int n = split_delim(a, line, pick_delim(line), &cols);
    vg_auth_format f = n > 0 ? classify_header(cfg, cols, n) : VG_AUTH_FMT_UNKNOWN;
    vg_arena_free(a);
    return f;
}

bool vg_auth__csv_header(auth_ctx *c, auth_csv *st, vg_str line)
{
    char delim = pick_delim(line);
    vg_str *cols;
    int n = split_delim(c->a, line, delim, &cols);
    if (n <= 0)
        return false;
    vg_auth_format f = classify_header(c->cfg, cols, n);
    if (f == VG_AUTH_FMT_UNKNOWN && c->hint == VG_AUTH_FMT_CSV && c->cfg->fm.present)
        f = VG_AUTH_FMT_CSV;
    if (f == VG_AUTH_FMT_UNKNOWN)
        return false;
    for (size_t i = 0; i < st->ncols; i++)
        free(st->cols[i]);
    free(st->cols);
    st->cols = vg_xcalloc((size_t)n, sizeof *st->cols);
    st->ncols = (size_t)n;
    for (int i = 0; i < n; i++)
        st->cols[i] = vg_str_dup(clean_col(cols[i]));
    st->delim = delim;
    st->fmt = f;
    st->active = true;
    return true;
}

void vg_auth__csv_row(auth_ctx *c, auth_csv *st, vg_str line)
{
    vg_str *f;
    int n = split_delim(c->a, line, st->delim, &f);
    if (n < 0) {
        vg_auth__reject(c, "malformed CSV row (unbalanced quotes)");
        return;
    }
    if ((size_t)n != st->ncols) {
        vg_auth__reject(c, "CSV row has %d fields, the header %zu", n, st->ncols);
        return;
    }
    /* the row as a JSON-like object, so one parser per format reads both forms */
    aj_node *obj = vg_arena_alloc(c->a, sizeof *obj);
    aj_node *kids = vg_arena_alloc(c->a, 2 * (size_t)n * sizeof *kids);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        vg_str v = f[i];
        if (v.n == 0)
            continue; /* empty column: absent, as a missing JSON key */
        aj_node *key = &kids[2 * k], *val = &kids[2 * k + 1];
        memset(key, 0, sizeof *key);
        memset(val, 0, sizeof *val);
        key->type = AJ_STR;
        key->s = st->cols[i];
        key->len = (uint32_t)strlen(st->cols[i]);
        val->type = AJ_STR;
        val->s = v.p;
        val->len = (uint32_t)v.n;
        k++;
    }
    memset(obj, 0, sizeof *obj);
    obj->type = AJ_OBJ;
    obj->n = (uint32_t)k;
    obj->kids = kids;
    if (st->fmt == VG_AUTH_FMT_ENTRA)
        vg_auth__entra_record(c, obj);
    else if (st->fmt == VG_AUTH_FMT_WINDOWS)
        vg_auth__winjson_record(c, obj);
    else {
        vg_auth_format saved = c->hint;
        c->hint = VG_AUTH_FMT_CSV;
        vg_auth__generic_json_record(c, obj);
        c->hint = saved;
    }
}
