/* auth_source.c — one input's parser: bytes in (any chunking), normalized
 * events out, in input order.
 *
 * The input is cut into lines; each line picks its parser by its shape, so a
 * file may mix forms (auto-detected per file and per line):
 *
 *   { or [ ...   JSON: one record per line (JSON lines), or a document that
 *                spans lines (a pretty-printed Graph page {"value":[...]},
 *                an array, {"records":[...]}); brackets are counted outside
 *                strings and the document is parsed when they balance
 *   <Event ...   Windows event XML, one or several events per line or an
 *                event spread over lines; <Events> wrappers are ignored
 *   CSV          after a header line vigil recognizes; quoted fields may span
 *                lines
 *   __CURSOR=    journalctl -o export blocks (KEY=VALUE lines up to a blank line)
 *   anything else: syslog / journal text (parse_sshd.c)
 *
 * A JSON record is classified by its keys (vg_auth__json_classify): Entra,
 * Okta, Windows, journald, or the generic field map. Every record ends as an
 * event, a rejection ("file:line: reason", counted), an ignored record (a
 * well-formed line that is not a sign-in: sudo, 4634, session end) or a line
 * merged into an attempt counted elsewhere.
 *
 * Memory: one arena per record, reset after it; a document or an XML event
 * is buffered whole up to VG_AUTH_MAX_DOC.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_internal.h"

typedef enum { M_LINE = 0, M_JSONDOC, M_XML, M_CSVREC, M_JEXPORT } src_mode;

struct vg_auth_source {
    const vg_auth_config *cfg;
    vg_auth_config *own_cfg; /* when created without one */
    char *name;
    vg_auth_format fmt; /* forced, or AUTO */
    int64_t ref_ms;
    vg_auth_reject_fn rej;
    void *rej_ud;
    vg_auth_stats stats;
    int64_t recognized[VG_AUTH_FMT_COUNT];
    vg_arena *a;
    vg_buf partial; /* an incomplete last line */
    int64_t line;   /* lines consumed */
    bool bom_checked;
    src_mode mode;
    vg_buf doc; /* JSON document, XML text, CSV record or export block being assembled */
    int64_t doc_line;
    int depth;  /* JSON bracket depth of doc */
    bool in_str, esc;
    auth_sshd *sshd;
    auth_csv *csv;
    void *xml_ctxt;
    vg_auth_event_fn fn;
    void *ud;
    int stop;
    /* line counting inside a document */
    const char *cnt_ptr;
    int64_t cnt_line;
};

auth_sshd *vg_auth__source_sshd(vg_auth_source *s) { return s->sshd; }
void **vg_auth__source_xml_slot(vg_auth_source *s) { return &s->xml_ctxt; }

vg_auth_source *vg_auth_source_new(const vg_auth_config *cfg, const char *name, vg_auth_format fmt,
                                   int64_t ref_ms)
{
    vg_auth_source *s = vg_xcalloc(1, sizeof *s);
    if (!cfg) {
        s->own_cfg = vg_auth_config_new();
        cfg = s->own_cfg;
    }
    s->cfg = cfg;
    s->name = vg_xstrdup(name ? name : "-");
    s->fmt = fmt != VG_AUTH_FMT_AUTO ? fmt : cfg->format;
    s->ref_ms = ref_ms;
    s->a = vg_arena_new(0);
    vg_buf_init(&s->partial, VG_AUTH_MAX_LINE + 1);
    vg_buf_init(&s->doc, VG_AUTH_MAX_DOC);
    s->sshd = vg_auth__sshd_new();
    s->csv = vg_auth__csv_new();
    return s;
}

void vg_auth_source_free(vg_auth_source *s)
{
    if (!s)
        return;
    vg_auth__sshd_free(s->sshd);
    vg_auth__csv_free(s->csv);
    if (s->xml_ctxt)
        vg_auth__xml_ctxt_free(s->xml_ctxt);
    vg_buf_free(&s->partial);
    vg_buf_free(&s->doc);
    vg_arena_free(s->a);
    vg_auth_config_free(s->own_cfg);
    free(s->name);
    free(s);
}

void vg_auth_source_set_rejects(vg_auth_source *s, vg_auth_reject_fn fn, void *ud)
{
    s->rej = fn;
    s->rej_ud = ud;
}

const vg_auth_stats *vg_auth_source_stats(const vg_auth_source *s) { return &s->stats; }

vg_auth_format vg_auth_source_format(const vg_auth_source *s)
{
    vg_auth_format best = VG_AUTH_FMT_UNKNOWN;
    int64_t n = 0;
    for (int i = 1; i < VG_AUTH_FMT_COUNT; i++)
        if (s->recognized[i] > n) {
            n = s->recognized[i];
            best = (vg_auth_format)i;
        }
    return best;
}

/* ---- record outcomes ------------------------------------------------------------- */

static void ctx_init(vg_auth_source *s, auth_ctx *c, int64_t line)
{
    c->src = s;
    c->cfg = s->cfg;
    c->a = s->a;
    c->file = s->name;
    c->line = line;
    c->hint = s->fmt;
}

void vg_auth__recognized(auth_ctx *c, vg_auth_format fmt)
{
    if ((unsigned)fmt < VG_AUTH_FMT_COUNT)
        c->src->recognized[fmt]++;
}

void vg_auth__event_init(auth_ctx *c, vg_auth_event *ev, vg_auth_format fmt)
{
    memset(ev, 0, sizeof *ev);
    ev->format = fmt;
    ev->file = c->file;
    ev->line = c->line;
    ev->repeat = 1;
    ev->interactive = -1;
    ev->result = VG_AUTH_OTHER_FAILURE;
}

void vg_auth__set_account(auth_ctx *c, vg_auth_event *ev, vg_str raw, const char *default_domain)
{
    const char *acct, *dom;
    uint32_t fl = 0;
    ev->account_raw = vg_arena_strndup(c->a, raw.p ? raw.p : "", raw.n);
    if (vg_auth_normalize_account(c->a, raw, default_domain, &acct, &dom, &fl)) {
        ev->account = acct;
        ev->account_domain = dom;
    } else {
        ev->account = "";
        ev->account_domain = "";
    }
    ev->account_flags |= fl;
}

static const char *nz(const char *s) { return s ? s : ""; }

int vg_auth__emit(auth_ctx *c, vg_auth_event *ev)
{
    vg_auth_source *s = c->src;
    if (!ev->account || !*ev->account) {
        vg_auth__reject(c, "no usable account name ('%.64s')", nz(ev->account_raw));
        return s->stop;
    }
    ev->account_raw = nz(ev->account_raw);
    ev->account_domain = nz(ev->account_domain);
    ev->code = nz(ev->code);
    ev->reason = nz(ev->reason);
    ev->app = nz(ev->app);
    ev->user_agent = nz(ev->user_agent);
    ev->correlation_id = nz(ev->correlation_id);
    ev->tenant_id = nz(ev->tenant_id);
    ev->host = nz(ev->host);
    ev->source_host = nz(ev->source_host);
    ev->file = nz(ev->file);
    if (!ev->repeat)
        ev->repeat = 1;
    if (!ev->org || !*ev->org) {
        const char *o = vg_auth_config_org_for(s->cfg, ev->tenant_id, ev->account_domain, ev->host);
        if (!o)
            o = *ev->tenant_id ? ev->tenant_id : *ev->account_domain ? ev->account_domain : ev->host;
        ev->org = o;
    }
    vg_auth__recognized(c, ev->format);
    vg_auth_stats *st = &s->stats;
    st->events++;
    st->by_format[ev->format]++;
    st->by_result[ev->result]++;
    if (!st->first_ms || ev->time_ms < st->first_ms)
        st->first_ms = ev->time_ms;
    if (ev->time_ms > st->last_ms)
        st->last_ms = ev->time_ms;
    if (s->fn && !s->stop)
        s->stop = s->fn(ev, s->ud);
    return s->stop;
}

void vg_auth__reject(auth_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* keep the reason on one printable line */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    vg_auth_source *s = c->src;
    s->stats.rejected++;
    if (s->rej)
        s->rej(c->file, c->line, msg, s->rej_ud);
    else
        fprintf(stderr, "%s:%lld: %s\n", c->file, (long long)c->line, msg);
}

void vg_auth__ignore(auth_ctx *c) { c->src->stats.ignored++; }
void vg_auth__merged(auth_ctx *c) { c->src->stats.merged++; }

/* ---- JSON records ---------------------------------------------------------------- */

static bool has(const aj_node *o, const char *k) { return vg_auth__json_get(o, k) != NULL; }

vg_auth_format vg_auth__json_classify(const vg_auth_config *cfg, const aj_node *rec)
{
    if (!rec || rec->type != AJ_OBJ)
        return VG_AUTH_FMT_UNKNOWN;
    const aj_node *cat = vg_auth__json_get(rec, "category");
    vg_str cv = vg_auth__json_view(cat);
    if (vg_str_find_ci(cv, VG_STR("SignInLogs")) >= 0)
        return VG_AUTH_FMT_ENTRA;
    const aj_node *props = vg_auth__json_get(rec, "properties");
    if (props && props->type == AJ_OBJ &&
        (has(props, "userPrincipalName") || has(props, "createdDateTime")))
        return VG_AUTH_FMT_ENTRA;
    if (has(rec, "createdDateTime") && (has(rec, "userPrincipalName") || has(rec, "status")))
        return VG_AUTH_FMT_ENTRA;
    if (has(rec, "TimeGenerated") &&
        (has(rec, "ResultType") || has(rec, "UserPrincipalName") || has(rec, "ResultSignature")) &&
        !has(rec, "EventID"))
        return VG_AUTH_FMT_ENTRA;
    if (has(rec, "eventType") && has(rec, "published"))
        return VG_AUTH_FMT_OKTA;
    if (has(rec, "winlog") || ((has(rec, "EventID") || has(rec, "EventId") ||
                                 has(rec, "EventCode")) &&
                                (has(rec, "TargetUserName") || has(rec, "EventData") ||
                                 has(rec, "Computer") || has(rec, "Hostname"))))
        return VG_AUTH_FMT_WINDOWS;
    if (has(rec, "MESSAGE") && (has(rec, "__REALTIME_TIMESTAMP") || has(rec, "SYSLOG_IDENTIFIER")))
        return VG_AUTH_FMT_SSHD;
    if (cfg && cfg->fm.present && vg_auth__json_get(rec, cfg->fm.user) &&
        vg_auth__json_get(rec, cfg->fm.time))
        return VG_AUTH_FMT_JSONL;
    if (cfg && cfg->fm.present && vg_auth__json_path(rec, cfg->fm.user) &&
        vg_auth__json_path(rec, cfg->fm.time))
        return VG_AUTH_FMT_JSONL;
    return VG_AUTH_FMT_UNKNOWN;
}

void vg_auth__json_record(auth_ctx *c, const aj_node *rec, vg_auth_format fmt)
{
    if (rec->type != AJ_OBJ) {
        vg_auth__reject(c, "JSON value is not an object");
        return;
    }
    vg_auth_format f = vg_auth__json_classify(c->cfg, rec);
    if (fmt != VG_AUTH_FMT_AUTO && f != fmt) {
        /* forced format: parse as that format unless the shape is clearly another */
        if (fmt == VG_AUTH_FMT_SSHD && f != VG_AUTH_FMT_SSHD) {
            vg_auth__reject(c, "JSON record is not a journal record (--format sshd)");
            return;
        }
        if (fmt == VG_AUTH_FMT_CSV)
            fmt = VG_AUTH_FMT_JSONL;
        f = fmt;
    }
    if (f != VG_AUTH_FMT_UNKNOWN && f != VG_AUTH_FMT_JSONL)
        vg_auth__recognized(c, f);
    switch (f) {
    case VG_AUTH_FMT_ENTRA:
        vg_auth__entra_record(c, rec);
        break;
    case VG_AUTH_FMT_OKTA:
        vg_auth__okta_record(c, rec);
        break;
    case VG_AUTH_FMT_WINDOWS:
        vg_auth__winjson_record(c, rec);
        break;
    case VG_AUTH_FMT_SSHD:
        vg_auth__journal_json_record(c, rec);
        break;
    case VG_AUTH_FMT_JSONL:
        vg_auth__generic_json_record(c, rec);
        break;
    default:
        if (c->cfg->fm.present)
            vg_auth__reject(c, "JSON record matches no known sign-in shape nor signins.field_map");
        else
            vg_auth__reject(c, "JSON record matches no known sign-in shape (Entra, Okta, Windows, "
                               "journald); set signins.field_map for other JSON");
        break;
    }
}

/* line of a node inside a document that started at doc_line */
static int64_t line_at(vg_auth_source *s, const char *p)
{
    if (!p || p < s->cnt_ptr)
        return s->cnt_line;
    for (const char *q = s->cnt_ptr; q < p; q++)
        if (*q == '\n')
            s->cnt_line++;
    s->cnt_ptr = p;
    return s->cnt_line;
}

/* A whole JSON value: a record, an array of records or a wrapper page. */
static void json_value(vg_auth_source *s, const aj_node *root, const char *text, int64_t line)
{
    auth_ctx c;
    ctx_init(s, &c, line);
    s->cnt_ptr = text;
    s->cnt_line = line;
    const aj_node *list = NULL;
    if (root->type == AJ_ARR) {
        list = root;
    } else if (root->type == AJ_OBJ) {
        const aj_node *v = vg_auth__json_get(root, "value");
        const aj_node *r = vg_auth__json_get(root, "records");
        if (v && v->type == AJ_ARR && !has(root, "eventType"))
            list = v; /* Graph page (also with @odata.nextLink) */
        else if (r && r->type == AJ_ARR)
            list = r; /* Azure Monitor blob / Event Hub batch */
    } else {
        vg_auth__reject(&c, "JSON value is not an object or an array");
        return;
    }
    if (!list) {
        vg_auth__json_record(&c, root, s->fmt);
        return;
    }
    if (list->n == 0) {
        vg_auth__ignore(&c);
        return;
    }
    for (uint32_t i = 0; i < list->n && !s->stop; i++) {
        const aj_node *rec = &list->kids[i];
        c.line = line_at(s, rec->s);
        if (rec->type != AJ_OBJ) {
            vg_auth__reject(&c, "element %u of the JSON array is not an object", i);
            continue;
        }
        vg_auth__json_record(&c, rec, s->fmt);
    }
}

/* ---- lines ------------------------------------------------------------------------- */

static void dispatch_line(vg_auth_source *s, vg_str line, int64_t lineno);

/* Bracket depth of text appended to a JSON document (outside strings). */
static void json_depth(vg_auth_source *s, vg_str t)
{
    for (size_t i = 0; i < t.n; i++) {
        char ch = t.p[i];
        if (s->in_str) {
            if (s->esc)
                s->esc = false;
            else if (ch == '\\')
                s->esc = true;
            else if (ch == '"')
                s->in_str = false;
            continue;
        }
        if (ch == '"')
            s->in_str = true;
        else if (ch == '{' || ch == '[')
            s->depth++;
        else if (ch == '}' || ch == ']')
            s->depth--;
    }
}

static void doc_done(vg_auth_source *s)
{
    s->mode = M_LINE;
    s->depth = 0;
    s->in_str = s->esc = false;
    vg_buf_reset(&s->doc);
}

/* The assembled JSON document failed: reject its first line and re-read the
 * lines after it one by one (a truncated JSON line followed by good ones). */
static void doc_failed(vg_auth_source *s, const char *err, size_t off)
{
    auth_ctx c;
    ctx_init(s, &c, s->doc_line);
    char *text = vg_buf_steal(&s->doc);
    size_t n = strlen(text);
    int64_t first = s->doc_line;
    doc_done(s);
    const char *nl = memchr(text, '\n', n);
    size_t first_len = nl ? (size_t)(nl - text) : n;
    if (off < first_len || !nl) {
        vg_auth__reject(&c, "invalid JSON: %s (byte %zu)", err, off + 1);
    } else {
        vg_auth__reject(&c, "invalid JSON: incomplete record");
    }
    if (nl) {
        vg_str rest = vg_str_make(nl + 1, n - first_len - 1), ln;
        int64_t no = first;
        while (!s->stop && vg_str_split(&rest, '\n', &ln)) {
            no++;
            if (ln.n == 0 && rest.n == 0)
                break;
            dispatch_line(s, ln, no);
        }
    }
    free(text);
}

static bool starts_doc(vg_str t)
{
    /* a line that opens a pretty-printed document rather than a broken record */
    if (t.n == 1)
        return true;
    char last = t.p[t.n - 1];
    return last == '{' || last == '[' || last == ',' || last == ':';
}

static void json_line(vg_auth_source *s, vg_str t, int64_t lineno)
{
    const char *err = NULL;
    size_t off = 0;
    aj_node *root = vg_auth__json_parse(s->a, t.p, t.n, NULL, &err, &off);
    if (root) {
        json_value(s, root, t.p, lineno);
        return;
    }
    if (off >= t.n && starts_doc(t)) {
        /* an unfinished document: assemble it over the following lines */
        s->mode = M_JSONDOC;
        s->doc_line = lineno;
        vg_buf_reset(&s->doc);
        vg_buf_append(&s->doc, t.p, t.n);
        vg_buf_putc(&s->doc, '\n');
        s->depth = 0;
        s->in_str = s->esc = false;
        json_depth(s, t);
        return;
    }
    auth_ctx c;
    ctx_init(s, &c, lineno);
    vg_auth__reject(&c, "invalid JSON: %s (byte %zu)", err ? err : "syntax error", off + 1);
}

static void doc_line(vg_auth_source *s, vg_str line)
{
    vg_buf_append(&s->doc, line.p, line.n);
    vg_buf_putc(&s->doc, '\n');
    if (s->doc.failed) {
        auth_ctx c;
        ctx_init(s, &c, s->doc_line);
        vg_auth__reject(&c, "JSON document larger than %u bytes", VG_AUTH_MAX_DOC);
        doc_done(s);
        return;
    }
    json_depth(s, line);
    if (s->depth > 0 || s->in_str)
        return;
    const char *err = NULL;
    size_t off = 0;
    aj_node *root = vg_auth__json_parse(s->a, s->doc.p, s->doc.n, NULL, &err, &off);
    if (!root) {
        doc_failed(s, err ? err : "syntax error", off);
        return;
    }
    json_value(s, root, s->doc.p, s->doc_line);
    doc_done(s);
}

/* ---- XML -------------------------------------------------------------------------- */

static const char *find_event_open(const char *p, const char *end)
{
    while (p < end) {
        const char *q = memchr(p, '<', (size_t)(end - p));
        if (!q)
            return NULL;
        if (end - q >= 7 && memcmp(q, "<Event", 6) == 0 && (q[6] == ' ' || q[6] == '>' ||
                                                          q[6] == '\n' || q[6] == '\t'))
            return q;
        p = q + 1;
    }
    return NULL;
}

static const char *memfind(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    while (p + n <= end) {
        const char *q = memchr(p, lit[0], (size_t)(end - p));
        if (!q || q + n > end)
            return NULL;
        if (memcmp(q, lit, n) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

/* Extracts complete <Event>..</Event> elements from the XML buffer. */
static void xml_drain(vg_auth_source *s, bool final)
{
    const char *b = s->doc.p ? s->doc.p : "", *end = b + s->doc.n, *p = b;
    int64_t line = s->doc_line;
    for (;;) {
        const char *open = find_event_open(p, end);
        if (!open) {
            p = end;
            break;
        }
        const char *close = memfind(open, end, "</Event>");
        if (!close) {
            /* a self-closing <Event .../> is not a sign-in; wait for more text */
            p = open;
            break;
        }
        for (const char *q = p; q < open; q++)
            if (*q == '\n')
                line++;
        const char *stop = close + 8;
        auth_ctx c;
        ctx_init(s, &c, line);
        vg_auth__recognized(&c, VG_AUTH_FMT_WINDOWS);
        vg_auth__winxml_event(&c, open, (size_t)(stop - open));
        vg_arena_reset(s->a);
        for (const char *q = open; q < stop; q++)
            if (*q == '\n')
                line++;
        p = stop;
        if (s->stop)
            break;
    }
    size_t used = (size_t)(p - b);
    if (final && used < s->doc.n) {
        const char *open = find_event_open(p, end);
        if (open) {
            auth_ctx c;
            ctx_init(s, &c, line);
            vg_auth__reject(&c, "unterminated <Event> element at end of input");
        }
        used = s->doc.n;
    }
    if (used) {
        memmove(s->doc.p, s->doc.p + used, s->doc.n - used);
        s->doc.n -= used;
        s->doc.p[s->doc.n] = '\0';
    }
    s->doc_line = line;
    if (s->doc.n == 0)
        s->mode = M_LINE;
}

static void xml_line(vg_auth_source *s, vg_str line, int64_t lineno)
{
    if (s->mode != M_XML) {
        s->mode = M_XML;
        vg_buf_reset(&s->doc);
        s->doc_line = lineno;
    }
    vg_buf_append(&s->doc, line.p, line.n);
    vg_buf_putc(&s->doc, '\n');
    if (s->doc.failed) {
        auth_ctx c;
        ctx_init(s, &c, s->doc_line);
        vg_auth__reject(&c, "XML event larger than %u bytes", VG_AUTH_MAX_DOC);
        doc_done(s);
        return;
    }
    xml_drain(s, false);
}

/* ---- journal export (-o export) ------------------------------------------------------ */

static void jexport_done(vg_auth_source *s)
{
    /* KEY=VALUE lines: __REALTIME_TIMESTAMP, _HOSTNAME, SYSLOG_IDENTIFIER, _PID, MESSAGE */
    auth_ctx c;
    ctx_init(s, &c, s->doc_line);
    vg_str rest = vg_buf_str(&s->doc), ln;
    vg_str ts = VG_STR_NULL, host = VG_STR_NULL, ident = VG_STR_NULL, pid = VG_STR_NULL,
           msg = VG_STR_NULL;
    bool binary = false;
    while (vg_str_split(&rest, '\n', &ln)) {
        ptrdiff_t eq = vg_str_chr(ln, '=');
        if (eq < 0) {
            if (vg_str_eq_cstr(ln, "MESSAGE"))
                binary = true;
            continue;
        }
        vg_str k = vg_str_sub(ln, 0, (size_t)eq), v = vg_str_sub(ln, (size_t)eq + 1, SIZE_MAX);
        if (vg_str_eq_cstr(k, "__REALTIME_TIMESTAMP"))
            ts = v;
        else if (vg_str_eq_cstr(k, "_HOSTNAME"))
            host = v;
        else if (vg_str_eq_cstr(k, "SYSLOG_IDENTIFIER"))
            ident = v;
        else if (vg_str_eq_cstr(k, "_PID"))
            pid = v;
        else if (vg_str_eq_cstr(k, "MESSAGE"))
            msg = v;
    }
    if (!vg_str_starts_with(ident, VG_STR("sshd"))) {
        vg_auth__ignore(&c);
    } else if (binary && !msg.n) {
        vg_auth__reject(&c, "journal export record with a binary MESSAGE");
    } else {
        int64_t t, p = 0;
        if (!vg_auth__parse_time(ts, &t)) {
            vg_auth__reject(&c, "journal export record without a valid __REALTIME_TIMESTAMP");
        } else {
            vg_str_to_i64(pid, &p);
            char hb[128];
            size_t hn = host.n < sizeof hb - 1 ? host.n : sizeof hb - 1;
            if (hn)
                memcpy(hb, host.p, hn);
            hb[hn] = '\0';
            vg_auth__recognized(&c, VG_AUTH_FMT_SSHD);
            vg_auth__sshd_message(&c, s->sshd, t, hb, p, msg);
        }
    }
    vg_arena_reset(s->a);
    doc_done(s);
}

/* ---- per line ------------------------------------------------------------------------ */

static void dispatch_line(vg_auth_source *s, vg_str line, int64_t lineno)
{
    if (line.n && line.p[line.n - 1] == '\r')
        line.n--;
    switch (s->mode) {
    case M_JSONDOC:
        doc_line(s, line);
        vg_arena_reset(s->a);
        return;
    case M_XML:
        xml_line(s, line, lineno);
        return;
    case M_JEXPORT:
        if (line.n == 0) {
            jexport_done(s);
        } else {
            vg_buf_append(&s->doc, line.p, line.n);
            vg_buf_putc(&s->doc, '\n');
            if (s->doc.failed) {
                auth_ctx c;
                ctx_init(s, &c, s->doc_line);
                vg_auth__reject(&c, "journal export record too large");
                doc_done(s);
            }
        }
        return;
    case M_CSVREC: {
        vg_buf_putc(&s->doc, '\n');
        vg_buf_append(&s->doc, line.p, line.n);
        if (s->doc.failed) {
            auth_ctx c;
            ctx_init(s, &c, s->doc_line);
            vg_auth__reject(&c, "CSV record larger than %u bytes", VG_AUTH_MAX_DOC);
            doc_done(s);
            return;
        }
        if (vg_auth__csv_complete(vg_buf_str(&s->doc))) {
            auth_ctx c;
            ctx_init(s, &c, s->doc_line);
            vg_auth__csv_row(&c, s->csv, vg_buf_str(&s->doc));
            vg_arena_reset(s->a);
            doc_done(s);
        }
        return;
    }
    case M_LINE:
        break;
    }
    vg_str t = vg_str_trim(line);
    auth_ctx c;
    ctx_init(s, &c, lineno);
    if (t.n == 0)
        return;
    if (line.n > VG_AUTH_MAX_LINE) {
        vg_auth__reject(&c, "line longer than %u bytes", VG_AUTH_MAX_LINE);
        return;
    }
    if (memchr(t.p, '\0', t.n)) {
        vg_auth__reject(&c, "binary data (NUL byte) in line");
        return;
    }
    char ch = t.p[0];
    if ((ch == '{' || ch == '[') && !vg_auth__csv_active(s->csv)) {
        json_line(s, t, lineno);
    } else if (ch == '<' && (t.n < 2 || t.p[1] != '<') &&
               (vg_str_starts_with(t, VG_STR("<Event")) || vg_str_starts_with(t, VG_STR("<?xml")) ||
                vg_str_starts_with(t, VG_STR("</Event")) || s->recognized[VG_AUTH_FMT_WINDOWS])) {
        xml_line(s, t, lineno);
    } else if (vg_auth__csv_active(s->csv)) {
        if (!vg_auth__csv_complete(t)) {
            s->mode = M_CSVREC;
            s->doc_line = lineno;
            vg_buf_reset(&s->doc);
            vg_buf_append(&s->doc, t.p, t.n);
        } else {
            vg_auth__csv_row(&c, s->csv, line);
        }
    } else if (vg_str_starts_with(t, VG_STR("__CURSOR=")) ||
               vg_str_starts_with(t, VG_STR("__REALTIME_TIMESTAMP="))) {
        s->mode = M_JEXPORT;
        s->doc_line = lineno;
        vg_buf_reset(&s->doc);
        vg_buf_append(&s->doc, t.p, t.n);
        vg_buf_putc(&s->doc, '\n');
    } else if (s->stats.events == 0 && s->recognized[VG_AUTH_FMT_SSHD] == 0 &&
               memchr(t.p, ',', t.n) && vg_auth__csv_header(&c, s->csv, t)) {
        vg_auth__ignore(&c); /* the header */
    } else if (s->fmt != VG_AUTH_FMT_AUTO && s->fmt != VG_AUTH_FMT_SSHD &&
               s->fmt != VG_AUTH_FMT_CSV) {
        vg_auth__reject(&c, "not a JSON record (--format %s)", vg_auth_format_name(s->fmt));
    } else if (s->fmt == VG_AUTH_FMT_CSV) {
        vg_auth__reject(&c, "no CSV header vigil recognizes (signins.field_map)");
    } else {
        vg_auth__syslog_line(&c, s->sshd, line, s->cfg->year, s->ref_ms);
    }
    vg_arena_reset(s->a);
}

vg_err vg_auth_source_feed(vg_auth_source *s, const void *data, size_t n, vg_auth_event_fn fn,
                           void *ud)
{
    s->fn = fn;
    s->ud = ud;
    const char *p = data, *end = p + n;
    s->stats.bytes += (int64_t)n;
    if (!s->bom_checked && n) {
        if (s->partial.n == 0 && n >= 3 && (unsigned char)p[0] == 0xEF &&
            (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
            p += 3;
        s->bom_checked = true;
    }
    while (p < end && !s->stop) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            if (s->partial.n + (size_t)(end - p) > VG_AUTH_MAX_LINE) {
                /* an overlong line: drop what we have, reject once at its end */
                s->partial.failed = true;
            } else {
                vg_buf_append(&s->partial, p, (size_t)(end - p));
            }
            break;
        }
        s->line++;
        s->stats.lines++;
        if (s->partial.n || s->partial.failed) {
            bool over = s->partial.failed || s->partial.n + (size_t)(nl - p) > VG_AUTH_MAX_LINE;
            if (over) {
                auth_ctx c;
                ctx_init(s, &c, s->line);
                vg_auth__reject(&c, "line longer than %u bytes", VG_AUTH_MAX_LINE);
            } else {
                vg_buf_append(&s->partial, p, (size_t)(nl - p));
                dispatch_line(s, vg_buf_str(&s->partial), s->line);
            }
            vg_buf_reset(&s->partial);
        } else {
            dispatch_line(s, vg_str_make(p, (size_t)(nl - p)), s->line);
        }
        p = nl + 1;
    }
    return s->stop ? s->stop : VG_OK;
}

vg_err vg_auth_source_finish(vg_auth_source *s, vg_auth_event_fn fn, void *ud)
{
    s->fn = fn;
    s->ud = ud;
    if (s->partial.n || s->partial.failed) {
        s->line++;
        s->stats.lines++;
        if (s->partial.failed) {
            auth_ctx c;
            ctx_init(s, &c, s->line);
            vg_auth__reject(&c, "line longer than %u bytes", VG_AUTH_MAX_LINE);
        } else {
            dispatch_line(s, vg_buf_str(&s->partial), s->line);
        }
        vg_buf_reset(&s->partial);
    }
    auth_ctx c;
    ctx_init(s, &c, s->line);
    switch (s->mode) {
    case M_JSONDOC:
        doc_failed(s, "unexpected end of input", s->doc.n);
        break;
    case M_XML:
        xml_drain(s, true);
        break;
    case M_JEXPORT:
        jexport_done(s);
        break;
    case M_CSVREC:
        c.line = s->doc_line;
        vg_auth__reject(&c, "CSV record with an unterminated quoted field at end of input");
        break;
    case M_LINE:
        break;
    }
    doc_done(s);
    vg_auth__sshd_flush(&c, s->sshd, INT64_MAX);
    vg_arena_reset(s->a);
    return s->stop ? s->stop : VG_OK;
}

/* ---- sniffing ------------------------------------------------------------------------ */

static int sniff_cb(const vg_auth_event *ev, void *ud)
{
    (void)ev;
    (void)ud;
    return 0;
}

static void sniff_rej(const char *f, int64_t l, const char *r, void *ud)
{
    (void)f;
    (void)l;
    (void)r;
    (void)ud;
}

vg_auth_format vg_auth_sniff(const vg_auth_config *cfg, const void *buf, size_t n)
{
    if (!buf || n == 0)
        return VG_AUTH_FMT_UNKNOWN;
    if (n > 256 * 1024)
        n = 256 * 1024;
    /* NUL bytes in the first KiB: binary, not a log (EVTX is read via evtxexport) */
    if (memchr(buf, '\0', n < 1024 ? n : 1024))
        return VG_AUTH_FMT_UNKNOWN;
    vg_auth_source *s = vg_auth_source_new(cfg, "(sniff)", VG_AUTH_FMT_AUTO, 0);
    vg_auth_source_set_rejects(s, sniff_rej, NULL);
    /* whole lines only: the sample may end mid-line */
    const char *p = buf;
    const char *last_nl = NULL;
    for (size_t i = n; i-- > 0;)
        if (p[i] == '\n') {
            last_nl = p + i;
            break;
        }
    size_t use = last_nl ? (size_t)(last_nl - p) + 1 : n;
    vg_auth_source_feed(s, p, use, sniff_cb, NULL);
    /* a document cut by the sample end still counts by its records so far */
    if (s->mode == M_JSONDOC || s->mode == M_XML) {
        const char *d = vg_buf_cstr(&s->doc);
        if (s->mode == M_XML && strstr(d, "schemas.microsoft.com/win/2004/08/events/event"))
            s->recognized[VG_AUTH_FMT_WINDOWS]++;
        if (s->mode == M_JSONDOC) {
            if (strstr(d, "\"createdDateTime\"") &&
                (strstr(d, "\"userPrincipalName\"") || strstr(d, "\"status\"")))
                s->recognized[VG_AUTH_FMT_ENTRA]++;
            else if (strstr(d, "\"eventType\"") && strstr(d, "\"published\""))
                s->recognized[VG_AUTH_FMT_OKTA]++;
            else if (strstr(d, "SignInLogs"))
                s->recognized[VG_AUTH_FMT_ENTRA]++;
        }
    } else {
        vg_auth_source_finish(s, sniff_cb, NULL);
    }
    vg_auth_format f = vg_auth_source_format(s);
    if (f == VG_AUTH_FMT_UNKNOWN && vg_auth__csv_active(s->csv))
        f = VG_AUTH_FMT_CSV;
    vg_auth_source_free(s);
    return f;
}

vg_err vg_auth_sniff_file(const vg_auth_config *cfg, const char *path, vg_auth_format *out,
                          vg_error *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_error_set(e, VG_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = vg_xmalloc(64 * 1024);
    size_t n = fread(buf, 1, 64 * 1024, f);
    bool err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return vg_error_set(e, VG_EIO, "%s: read error", path);
    }
    *out = vg_auth_sniff(cfg, buf, n);
    free(buf);
    return VG_OK;
}
