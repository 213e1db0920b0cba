/* auth_event.c — the normalized sign-in event: names of results, protocols
 * and formats, copying, JSON form, statistics, and the Entra result-code
 * table (data/entra_codes.tsv, embedded; loaded once). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_internal.h"

static const char *const result_names[VG_AUTH_RESULT_COUNT] = {
    "success", "credential_valid", "bad_password", "no_such_user", "locked", "interrupt",
    "other_failure"};

const char *vg_auth_result_name(vg_auth_result r)
{
    return (unsigned)r < VG_AUTH_RESULT_COUNT ? result_names[r] : "other_failure";
}

bool vg_auth_result_parse(const char *s, vg_auth_result *out)
{
    for (int i = 0; s && i < VG_AUTH_RESULT_COUNT; i++)
        if (strcmp(s, result_names[i]) == 0) {
            *out = (vg_auth_result)i;
            return true;
        }
    return false;
}

bool vg_auth_result_is_failure(vg_auth_result r)
{
    return r == VG_AUTH_BAD_PASSWORD || r == VG_AUTH_NO_SUCH_USER || r == VG_AUTH_LOCKED;
}

static const char *const proto_names[VG_PROTO_COUNT] = {
    "unknown", "browser", "modern", "imap", "pop", "smtp", "activesync", "ews", "mapi",
    "legacy_other", "ssh", "kerberos", "ntlm", "rdp", "windows"};

const char *vg_auth_proto_name(vg_auth_proto p)
{
    return (unsigned)p < VG_PROTO_COUNT ? proto_names[p] : "unknown";
}

bool vg_auth_proto_parse(const char *s, vg_auth_proto *out)
{
    for (int i = 0; s && i < VG_PROTO_COUNT; i++)
        if (strcmp(s, proto_names[i]) == 0) {
            *out = (vg_auth_proto)i;
            return true;
        }
    return false;
}

bool vg_auth_proto_is_legacy(vg_auth_proto p)
{
    return p >= VG_PROTO_IMAP && p <= VG_PROTO_LEGACY_OTHER;
}

static const char *const format_names[VG_AUTH_FMT_COUNT] = {"auto",    "entra", "okta", "sshd",
                                                             "windows", "jsonl", "csv"};

const char *vg_auth_format_name(vg_auth_format f)
{
    return (unsigned)f < VG_AUTH_FMT_COUNT ? format_names[f] : "auto";
}

bool vg_auth_format_parse(const char *s, vg_auth_format *out)
{
    for (int i = 0; s && i < VG_AUTH_FMT_COUNT; i++)
        if (strcmp(s, format_names[i]) == 0) {
            *out = (vg_auth_format)i;
            return true;
        }
    if (s && (strcmp(s, "azure") == 0 || strcmp(s, "entraid") == 0 || strcmp(s, "aad") == 0)) {
        *out = VG_AUTH_FMT_ENTRA;
        return true;
    }
    return false;
}

/* ---- Entra codes --------------------------------------------------------------- */

typedef struct entra_code {
    int64_t code;
    vg_auth_result result;
    const char *desc; /* points into the embedded data, NUL-terminated copy */
} entra_code;

static entra_code *codes;
static size_t n_codes;
static pthread_once_t codes_once = PTHREAD_ONCE_INIT;

static int code_cmp(const void *a, const void *b)
{
    int64_t x = ((const entra_code *)a)->code, y = ((const entra_code *)b)->code;
    return x < y ? -1 : x > y;
}

static void load_codes(void)
{
    size_t len = 0;
    const char *d = vg_data_get("entra_codes.tsv", &len);
    if (!d) {
        vg_warn("entra_codes.tsv is not embedded; Entra codes other than 0 are other_failure");
        return;
    }
    size_t cap = 0;
    vg_str rest = vg_str_make(d, len), line;
    while (vg_str_split(&rest, '\n', &line)) {
        if (line.n == 0 || line.p[0] == '#')
            continue;
        vg_str f[4] = {{0}};
        vg_str r = line;
        for (int i = 0; i < 4 && vg_str_split(&r, '\t', &f[i]); i++)
            ;
        entra_code c;
        if (!vg_str_to_i64(f[0], &c.code))
            continue;
        char name[32];
        size_t nl = f[1].n < sizeof name - 1 ? f[1].n : sizeof name - 1;
        if (nl)
            memcpy(name, f[1].p, nl);
        name[nl] = '\0';
        if (!vg_auth_result_parse(name, &c.result))
            continue;
        c.desc = vg_str_dup(f[2]);
        codes = vg_xgrow(codes, &cap, n_codes + 1, sizeof *codes);
        codes[n_codes++] = c;
    }
    qsort(codes, n_codes, sizeof *codes, code_cmp);
}

static const entra_code *find_code(int64_t code)
{
    pthread_once(&codes_once, load_codes);
    size_t lo = 0, hi = n_codes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (codes[mid].code < code)
            lo = mid + 1;
        else if (codes[mid].code > code)
            hi = mid;
        else
            return &codes[mid];
    }
    return NULL;
}

vg_auth_result vg_auth_entra_result(int64_t code)
{
    if (code == 0)
        return VG_AUTH_SUCCESS;
    const entra_code *c = find_code(code);
    return c ? c->result : VG_AUTH_OTHER_FAILURE;
}

const char *vg_auth_entra_describe(int64_t code)
{
    const entra_code *c = find_code(code);
    return c ? c->desc : NULL;
}

/* ---- events --------------------------------------------------------------------- */

static const char *dup_or_empty(vg_arena *a, const char *s)
{
    return (s && *s) ? vg_arena_strdup(a, s) : "";
}

vg_auth_event *vg_auth_event_copy(vg_arena *a, const vg_auth_event *ev)
{
    vg_auth_event *c = vg_arena_alloc(a, sizeof *c);
    *c = *ev;
    c->org = dup_or_empty(a, ev->org);
    c->account = dup_or_empty(a, ev->account);
    c->account_raw = dup_or_empty(a, ev->account_raw);
    c->account_domain = dup_or_empty(a, ev->account_domain);
    c->code = dup_or_empty(a, ev->code);
    c->reason = dup_or_empty(a, ev->reason);
    c->app = dup_or_empty(a, ev->app);
    c->user_agent = dup_or_empty(a, ev->user_agent);
    c->correlation_id = dup_or_empty(a, ev->correlation_id);
    c->tenant_id = dup_or_empty(a, ev->tenant_id);
    c->host = dup_or_empty(a, ev->host);
    c->source_host = dup_or_empty(a, ev->source_host);
    c->file = dup_or_empty(a, ev->file);
    return c;
}

static void kv_opt(vg_json *j, const char *k, const char *v)
{
    if (v && *v)
        vg_json_kv_str(j, k, v);
}

void vg_auth_event_write_json(const vg_auth_event *ev, vg_json *j)
{
    char tbuf[VG_TIME_STRLEN];
    vg_time_format_rfc3339(ev->time_ms, true, tbuf);
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "time", tbuf);
    vg_json_kv_str(j, "org", ev->org ? ev->org : "");
    vg_json_kv_str(j, "account", ev->account ? ev->account : "");
    kv_opt(j, "account_raw", ev->account_raw);
    if (ev->account_flags) {
        vg_json_key(j, "account_flags");
        vg_json_arr_begin(j);
        if (ev->account_flags & VG_ACCT_GUEST)
            vg_json_str(j, "guest");
        if (ev->account_flags & VG_ACCT_MACHINE)
            vg_json_str(j, "machine");
        if (ev->account_flags & VG_ACCT_SERVICE)
            vg_json_str(j, "service");
        if (ev->account_flags & VG_ACCT_UNKNOWN_NAME)
            vg_json_str(j, "unknown_name");
        vg_json_arr_end(j);
    }
    if (ev->ip.family) {
        char ib[VG_IP_STRLEN];
        vg_ip_format(&ev->ip, ib);
        vg_json_kv_str(j, "ip", ib);
    }
    kv_opt(j, "source_host", ev->source_host);
    vg_json_kv_str(j, "result", vg_auth_result_name(ev->result));
    kv_opt(j, "code", ev->code);
    kv_opt(j, "reason", ev->reason);
    kv_opt(j, "app", ev->app);
    kv_opt(j, "user_agent", ev->user_agent);
    vg_json_kv_str(j, "protocol", vg_auth_proto_name(ev->proto));
    if (ev->interactive >= 0)
        vg_json_kv_bool(j, "interactive", ev->interactive == 1);
    kv_opt(j, "correlation_id", ev->correlation_id);
    kv_opt(j, "tenant_id", ev->tenant_id);
    kv_opt(j, "host", ev->host);
    if (ev->asn)
        vg_json_kv_int(j, "asn", ev->asn);
    kv_opt(j, "country", ev->country);
    vg_json_kv_str(j, "format", vg_auth_format_name(ev->format));
    vg_json_kv_str(j, "file", ev->file ? ev->file : "");
    vg_json_kv_int(j, "line", ev->line);
    if (ev->repeat > 1)
        vg_json_kv_int(j, "repeat", ev->repeat);
    vg_json_obj_end(j);
}

void vg_auth_stats_add(vg_auth_stats *into, const vg_auth_stats *s)
{
    into->bytes += s->bytes;
    into->lines += s->lines;
    into->events += s->events;
    into->rejected += s->rejected;
    into->ignored += s->ignored;
    into->merged += s->merged;
    into->late += s->late;
    for (int i = 0; i < VG_AUTH_FMT_COUNT; i++)
        into->by_format[i] += s->by_format[i];
    for (int i = 0; i < VG_AUTH_RESULT_COUNT; i++)
        into->by_result[i] += s->by_result[i];
    if (s->events) {
        if (!into->first_ms || s->first_ms < into->first_ms)
            into->first_ms = s->first_ms;
        if (s->last_ms > into->last_ms)
            into->last_ms = s->last_ms;
    }
}

/* ---- small helpers shared by the parsers ------------------------------------------ */

bool vg_auth__parse_ip(vg_str s, vg_ip *out)
{
    s = vg_str_trim(s);
    if (vg_auth__is_nil(s))
        return false;
    if (vg_ip_parse(s, out) == VG_OK)
        return true;
    /* "1.2.3.4:5678" and "[v6]:port" */
    if (s.n && s.p[0] == '[') {
        ptrdiff_t close = vg_str_chr(s, ']');
        if (close > 1)
            return vg_ip_parse(vg_str_sub(s, 1, (size_t)close - 1), out) == VG_OK;
        return false;
    }
    ptrdiff_t colon = vg_str_rchr(s, ':');
    if (colon > 0 && vg_str_chr(s, ':') == colon)
        return vg_ip_parse(vg_str_sub(s, 0, (size_t)colon), out) == VG_OK;
    return false;
}

static bool has_ci(vg_str s, const char *needle)
{
    return vg_str_find_ci(s, vg_str_from(needle)) >= 0;
}

vg_auth_proto vg_auth__proto_from_entra(vg_str c)
{
    c = vg_str_trim(c);
    if (c.n == 0)
        return VG_PROTO_UNKNOWN;
    if (has_ci(c, "browser"))
        return VG_PROTO_BROWSER;
    if (has_ci(c, "mobile apps and desktop") || has_ci(c, "modern"))
        return VG_PROTO_MODERN;
    if (has_ci(c, "imap"))
        return VG_PROTO_IMAP;
    if (has_ci(c, "pop"))
        return VG_PROTO_POP;
    if (has_ci(c, "smtp"))
        return VG_PROTO_SMTP;
    if (has_ci(c, "activesync"))
        return VG_PROTO_ACTIVESYNC;
    if (has_ci(c, "web services") || has_ci(c, "ews"))
        return VG_PROTO_EWS;
    if (has_ci(c, "mapi") || has_ci(c, "outlook anywhere"))
        return VG_PROTO_MAPI;
    if (has_ci(c, "other clients") || has_ci(c, "autodiscover") || has_ci(c, "powershell") ||
        has_ci(c, "offline address book") || has_ci(c, "reporting web") ||
        has_ci(c, "authenticated smtp") || has_ci(c, "universal outlook") ||
        has_ci(c, "ropc") || has_ci(c, "legacy"))
        return VG_PROTO_LEGACY_OTHER;
    if (has_ci(c, "ssh"))
        return VG_PROTO_SSH;
    if (has_ci(c, "kerberos"))
        return VG_PROTO_KERBEROS;
    if (has_ci(c, "ntlm"))
        return VG_PROTO_NTLM;
    return VG_PROTO_UNKNOWN;
}
