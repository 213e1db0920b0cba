/* mail_parse.c — one raw message to a vg_mail_msg, with GMime 3.
 *
 * GMime builds the MIME tree (loose RFC compliance: hostile and broken mail
 * must still be read); this file walks it depth-first with the part and
 * depth limits, converts every text part to UTF-8, renders HTML
 * (mail_html.c), analyses attachments (mail_attach.c) and attached
 * messages (recursively, as nested vg_mail_msg), and records evidence.
 * Everything the result points to is allocated in the parser's arena, which
 * is reset at the start of each parse. GLib messages go to vigil's log.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <idn2.h>
#include <libxml/parser.h>

#include "mail_internal.h"

#define MAX_HEADERS 1000
#define MAX_HEADER_VALUE (64u << 10)
#define MAX_NESTED 16

/* ---- arena helpers --------------------------------------------------------------------- */

void *vg_mail__avec_push(vg_arena *a, vg_avec *v, size_t elem)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 8;
        void *nv = vg_arena_alloc(a, nc * elem);
        if (v->n)
            memcpy(nv, v->v, v->n * elem);
        v->v = nv;
        v->cap = nc;
    }
    return (char *)v->v + elem * v->n++;
}

char *vg_mail__arena_buf(vg_arena *a, const vg_buf *b)
{
    /* exact copy; embedded NULs become spaces so that the C string and the
     * recorded length agree */
    char *r = vg_arena_alloc(a, b->n + 1);
    if (b->n)
        memcpy(r, b->p, b->n);
    r[b->n] = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (r[i] == 0)
            r[i] = ' ';
    }
    return r;
}

char *vg_mail__arena_lower(vg_arena *a, const char *s, size_t n)
{
    char *r = vg_arena_strndup(a, s, n);
    for (char *q = r; *q; q++) {
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q + 32);
    }
    return r;
}

/* Lower-case A-label form of a domain (IDN converted). */
static const char *norm_domain(vg_arena *a, const char *d, size_t n)
{
    while (n && (d[n - 1] == '.' || d[n - 1] == '>' || d[n - 1] == ' '))
        n--;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)d[i] >= 0x80)
            ascii = false;
    }
    if (!ascii && vg_utf8_valid(d, n)) {
        char *tmp = vg_arena_strndup(a, d, n);
        char *out = NULL;
        if (idn2_to_ascii_8z(tmp, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK &&
            out) {
            const char *r = vg_mail__arena_lower(a, out, strlen(out));
            idn2_free(out);
            return r;
        }
        idn2_free(out);
    }
    return vg_mail__arena_lower(a, d, n);
}

const char *vg_mail__addr_domain(vg_arena *a, const char *addr)
{
    if (!addr)
        return "";
    const char *at = strrchr(addr, '@');
    if (!at)
        return "";
    return norm_domain(a, at + 1, strlen(at + 1));
}

/* ---- global init, GLib logging ------------------------------------------------------------- */

static void glib_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer ud)
{
    (void)ud;
    vg_log_level l = (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) ? VG_LOG_WARN
                                                                         : VG_LOG_DEBUG;
    vg_log(l, "%s: %s", domain ? domain : "glib", msg ? msg : "");
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    g_mime_init();
    g_log_set_default_handler(glib_log, NULL);
    g_log_set_handler("gmime", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                      glib_log, NULL);
    xmlInitParser();
}

/* ---- parser -------------------------------------------------------------------------------- */

void vg_mail_parse_opts_default(vg_mail_parse_opts *o)
{
    memset(o, 0, sizeof *o);
    vg_mail_limits_default(&o->limits);
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer ud)
{
    (void)offset;
    vg_mail_parser *p = ud;
    p->warnings++;
    switch (code) {
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_WARN_TRUNCATED_MESSAGE:
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
    case GMIME_CRIT_INVALID_HEADER_NAME:
        p->ev |= VG_MAIL_EV_BROKEN_MIME;
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        p->ev |= VG_MAIL_EV_BROKEN_MIME | VG_MAIL_EV_DEPTH_LIMIT;
        break;
    case GMIME_WARN_DUPLICATED_HEADER:
    case GMIME_CRIT_CONFLICTING_HEADER:
        if (item && strcasecmp(item, "From") == 0)
            p->ev |= VG_MAIL_EV_DUP_FROM;
        break;
    default:
        break;
    }
}

static char **copy_list(const char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    char **r = vg_xcalloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = vg_xstrdup(v[i] ? v[i] : "");
    return r;
}

vg_err vg_mail_parser_new(vg_mail_parser **out, const vg_mail_parse_opts *opts, vg_error *e)
{
    (void)e;
    pthread_once(&init_once, global_init);
    vg_mail_parser *p = vg_xcalloc(1, sizeof *p);
    if (opts)
        p->opts = *opts;
    else
        vg_mail_parse_opts_default(&p->opts);
    p->authserv_ids = copy_list(p->opts.authserv_ids, p->opts.n_authserv_ids);
    p->org_domains = copy_list(p->opts.org_domains, p->opts.n_org_domains);
    p->opts.authserv_ids = (const char *const *)p->authserv_ids;
    p->opts.org_domains = (const char *const *)p->org_domains;
    p->arena = vg_arena_new(256u << 10);
    p->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (p->magic && magic_load(p->magic, NULL) != 0) {
        vg_warn("mail: libmagic database not loaded (%s); attachment types from content disabled",
                magic_error(p->magic));
        magic_close(p->magic);
        p->magic = NULL;
    }
    if (p->magic) {
        size_t bytes = 256u << 10;
        magic_setparam(p->magic, MAGIC_PARAM_BYTES_MAX, &bytes);
    }
    GMimeParserOptions *o = g_mime_parser_options_new();
    g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(o, TRUE);
    const char *fallback[] = {"UTF-8", "windows-1252", NULL};
    g_mime_parser_options_set_fallback_charsets(o, fallback);
    g_mime_parser_options_set_warning_callback(o, on_warning, p);
    p->gm_options = o;
    *out = p;
    return VG_OK;
}

void vg_mail_parser_free(vg_mail_parser *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->opts.n_authserv_ids; i++)
        free(p->authserv_ids[i]);
    free(p->authserv_ids);
    for (size_t i = 0; i < p->opts.n_org_domains; i++)
        free(p->org_domains[i]);
    free(p->org_domains);
    if (p->gm_options)
        g_mime_parser_options_free(p->gm_options);
    if (p->magic)
        magic_close(p->magic);
    vg_arena_free(p->arena);
    free(p);
}

/* ---- headers and addresses ------------------------------------------------------------------ */

const char *vg_mail_header_get(const vg_mail_msg *m, const char *name)
{
    for (size_t i = 0; i < m->n_headers; i++) {
        if (strcasecmp(m->headers[i].name, name) == 0)
            return m->headers[i].value;
    }
    return NULL;
}

size_t vg_mail_header_count(const vg_mail_msg *m, const char *name)
{
    size_t c = 0;
    for (size_t i = 0; i < m->n_headers; i++) {
        if (strcasecmp(m->headers[i].name, name) == 0)
            c++;
    }
    return c;
}

static const char *utf8_dup(vg_arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (vg_utf8_valid(s, n))
        return vg_arena_strndup(a, s, n);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_utf8_sanitize(&b, s, n);
    char *r = vg_mail__arena_buf(a, &b);
    vg_buf_free(&b);
    return r;
}

static void add_addrs(vg_mail_builder *b, vg_avec *vec, InternetAddressList *list, int depth)
{
    if (!list || depth > 4)
        return;
    vg_arena *a = b->p->arena;
    int n = internet_address_list_length(list);
    for (int i = 0; i < n && vec->n < 256; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_addrs(b, vec, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                      depth + 1);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        InternetAddressMailbox *mb = INTERNET_ADDRESS_MAILBOX(ia);
        const char *addr = internet_address_mailbox_get_addr(mb);
        const char *name = internet_address_get_name(ia);
        vg_mail_addr *o = AVEC_PUSH(a, vec, vg_mail_addr);
        memset(o, 0, sizeof *o);
        o->name = (name && *name) ? utf8_dup(a, name) : NULL;
        if (addr && *addr) {
            const char *at = strrchr(addr, '@');
            if (at) {
                o->local = utf8_dup(a, vg_arena_strndup(a, addr, (size_t)(at - addr)));
                o->domain = norm_domain(a, at + 1, strlen(at + 1));
                o->addr = vg_arena_printf(a, "%s@%s", o->local, o->domain);
            } else {
                o->local = utf8_dup(a, addr);
                o->domain = "";
                o->addr = o->local;
            }
        } else {
            o->domain = "";
        }
    }
}

static vg_mail_addrs finish_addrs(const vg_avec *v)
{
    return (vg_mail_addrs){v->v, v->n};
}

/* "<a@b>" -> "a@b" */
static const char *angle_addr(vg_arena *a, const char *v)
{
    if (!v)
        return NULL;
    const char *lt = strchr(v, '<');
    const char *s = lt ? lt + 1 : v;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = 0;
    while (s[n] && s[n] != '>' && s[n] != ' ' && s[n] != '\t')
        n++;
    return n ? vg_arena_strndup(a, s, n) : NULL;
}

/* Unfolds a raw header value (CRLF before white space removed), trims it. */
static char *unfold(vg_arena *a, const char *raw)
{
    size_t n = strlen(raw);
    char *r = vg_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = raw[i];
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == '\t')
            ch = ' ';
        r[k++] = ch;
    }
    while (k > 0 && r[k - 1] == ' ')
        k--;
    r[k] = 0;
    size_t s = 0;
    while (r[s] == ' ')
        s++;
    return r + s;
}

static void read_headers(vg_mail_builder *b, GMimeObject *obj)
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    int n = hl ? g_mime_header_list_get_count(hl) : 0;
    size_t froms = 0, subjects = 0;
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *name = g_mime_header_get_name(h);
        const char *raw = g_mime_header_get_raw_value(h);
        if (!name)
            continue;
        if (strcasecmp(name, "From") == 0)
            froms++;
        else if (strcasecmp(name, "Subject") == 0)
            subjects++;
        if (b->headers.n >= MAX_HEADERS) {
            b->m->evidence |= VG_MAIL_EV_TRUNCATED;
            continue;
        }
        vg_mail_header *o = AVEC_PUSH(a, &b->headers, vg_mail_header);
        o->name = utf8_dup(a, name);
        if (!raw)
            raw = "";
        if (strlen(raw) > MAX_HEADER_VALUE)
            raw = vg_arena_strndup(a, raw, MAX_HEADER_VALUE);
        const char *v = unfold(a, raw);
        /* RFC 2047 decoding only where there is something to decode */
        if (strstr(v, "=?")) {
            char *dec = g_mime_utils_header_decode_text(p->gm_options, v);
            if (dec) {
                v = vg_arena_strdup(a, dec);
                g_free(dec);
            }
        }
        size_t vl = strlen(v);
        if (vg_utf8_valid(v, vl)) {
            o->value = v;
        } else {
            bool guessed;
            o->value = vg_mail__to_utf8_arena(a, NULL, v, vl, &guessed);
        }
    }
    if (froms > 1)
        b->m->evidence |= VG_MAIL_EV_DUP_FROM;
    if (subjects > 1)
        b->m->evidence |= VG_MAIL_EV_DUP_SUBJECT;
}

/* ---- text comparison (plain vs HTML alternatives) -------------------------------------------------- */

/* Words of 4+ letters/digits hashed into a 2048-bit set. */
static size_t word_set(const char *s, size_t n, uint64_t set[32])
{
    memset(set, 0, 32 * sizeof set[0]);
    size_t words = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && !((unsigned char)s[i] >= 0x80 || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
                          (s[i] >= '0' && s[i] <= '9')))
            i++;
        size_t st = i;
        uint64_t h = 1469598103934665603ull;
        while (i < n && ((unsigned char)s[i] >= 0x80 || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
                         (s[i] >= '0' && s[i] <= '9'))) {
            h = (h ^ (uint64_t)(unsigned char)(s[i] | 0x20)) * 1099511628211ull;
            i++;
        }
        if (i - st >= 4) {
            unsigned bit = (unsigned)(h % 2048);
            if (!(set[bit / 64] & (1ull << (bit % 64))))
                words++;
            set[bit / 64] |= 1ull << (bit % 64);
        }
    }
    return words;
}

static bool texts_disagree(const char *a, size_t an, const char *b, size_t bn)
{
    uint64_t sa[32], sb[32];
    size_t wa = word_set(a, an, sa), wb = word_set(b, bn, sb);
    if (wa < 12 || wb < 12)
        return false;
    size_t common = 0;
    for (int i = 0; i < 32; i++)
        common += (size_t)__builtin_popcountll(sa[i] & sb[i]);
    size_t small = wa < wb ? wa : wb;
    return common * 10 < small * 3; /* under 30 % of the smaller set shared */
}

/* ---- the MIME walk ------------------------------------------------------------------------------ */

static vg_mail_msg *build(vg_mail_parser *p, GMimeMessage *gm, int depth, int level);

static void append_text(vg_mail_builder *b, vg_buf *dst, const char *s, size_t n)
{
    size_t cap = b->p->opts.limits.max_text_bytes;
    if (dst->n + n > cap) {
        n = dst->n < cap ? cap - dst->n : 0;
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    }
    vg_buf_append(dst, s, n);
    if (dst->n && dst->p[dst->n - 1] != '\n' && dst->n < cap)
        vg_buf_putc(dst, '\n');
}

static GByteArray *decode_part(GMimePart *part, GMimeStream **holder)
{
    *holder = NULL;
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (!w)
        return NULL;
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, mem);
    *holder = mem;
    return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

static char *lower_dup(vg_arena *a, const char *s)
{
    return s ? vg_mail__arena_lower(a, s, strlen(s)) : NULL;
}

static vg_mail_attachment *new_attachment(vg_mail_builder *b)
{
    vg_mail_parser *p = b->p;
    if (b->atts.n >= p->opts.limits.max_attachments) {
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
        return NULL;
    }
    vg_mail_attachment *att = AVEC_PUSH(p->arena, &b->atts, vg_mail_attachment);
    memset(att, 0, sizeof *att);
    att->nested = -1;
    return att;
}

static void walk(vg_mail_builder *b, GMimeObject *obj, unsigned depth);

static void walk_message_part(vg_mail_builder *b, GMimeObject *obj, unsigned depth)
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    vg_mail_attachment *att = new_attachment(b);
    if (att) {
        att->flags |= VG_ATT_F_MESSAGE;
        att->declared_type = "message/rfc822";
        att->magic_type = "message/rfc822";
        GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
        const char *fn = cd ? g_mime_content_disposition_get_parameter(cd, "filename") : NULL;
        if (!fn)
            fn = g_mime_content_type_get_parameter(g_mime_object_get_content_type(obj), "name");
        att->filename = fn ? utf8_dup(a, fn) : NULL;
        if (att->filename && vg_mail__has_bidi_control(att->filename)) {
            att->flags |= VG_ATT_F_RLO;
            b->m->evidence |= VG_MAIL_EV_RLO_FILENAME;
        }
        if (inner) {
            GMimeStream *mem = g_mime_stream_mem_new();
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
            GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
            att->size = arr ? arr->len : 0;
            uint8_t dig[32];
            vg_sha256_digest(arr && arr->len ? arr->data : (const guint8 *)"", arr ? arr->len : 0,
                             dig);
            vg_hex(dig, 32, att->sha256);
            g_object_unref(mem);
        } else {
            uint8_t dig[32];
            vg_sha256_digest("", 0, dig);
            vg_hex(dig, 32, att->sha256);
        }
    }
    if (!inner)
        return;
    if (depth + 1 > p->opts.limits.max_depth || b->nested.n >= MAX_NESTED) {
        b->m->evidence |= VG_MAIL_EV_DEPTH_LIMIT;
        return;
    }
    vg_mail_msg *nm = build(p, inner, (int)depth + 1, b->m->depth + 1);
    if (!nm)
        return;
    const vg_mail_msg **slot = AVEC_PUSH(a, &b->nested, const vg_mail_msg *);
    *slot = nm;
    if (att)
        att->nested = (int)(b->nested.n - 1);
    /* the nested message's links count for this one too */
    for (size_t i = 0; i < nm->n_urls; i++) {
        if (b->urls.n >= p->opts.limits.max_urls) {
            b->m->evidence |= VG_MAIL_EV_TRUNCATED;
            break;
        }
        vg_mail_url *u = AVEC_PUSH(a, &b->urls, vg_mail_url);
        *u = nm->urls[i];
        u->flags |= VG_URL_F_NESTED;
    }
    b->m->evidence |= nm->evidence & (VG_MAIL_EV_RLO_FILENAME | VG_MAIL_EV_HIDDEN_TEXT);
}

static void walk_part(vg_mail_builder *b, GMimeObject *obj)
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *type = ct ? g_mime_content_type_get_media_type(ct) : "text";
    const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "plain";
    if (!type)
        type = "application";
    if (!sub)
        sub = "octet-stream";
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
    bool attach_disp = cd && g_mime_content_disposition_is_attachment(cd);
    const char *fn = g_mime_part_get_filename(GMIME_PART(obj));
    bool is_text = strcasecmp(type, "text") == 0;
    bool is_html = is_text && strcasecmp(sub, "html") == 0;
    bool body_text = is_text && !attach_disp && !fn &&
                     (strcasecmp(sub, "plain") == 0 || is_html || strcasecmp(sub, "enriched") == 0 ||
                      strcasecmp(sub, "rfc822-headers") == 0);
    GMimeStream *holder;
    GByteArray *arr = decode_part(GMIME_PART(obj), &holder);
    const unsigned char *data = arr && arr->len ? arr->data : (const unsigned char *)"";
    size_t n = arr ? arr->len : 0;
    if (body_text) {
        const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
        vg_buf conv;
        vg_buf_init(&conv, 0);
        if (!vg_mail__to_utf8(cs, data, n, &conv))
            b->m->evidence |= VG_MAIL_EV_BAD_CHARSET;
        if (is_html) {
            size_t before = b->html.n;
            vg_mail__html(b, conv.p ? conv.p : "", conv.n, false, &b->html);
            (void)before;
        } else {
            size_t before = b->plain.n;
            append_text(b, &b->plain, conv.p ? conv.p : "", conv.n);
            vg_mail__scan_text_urls(b, b->plain.p + before, b->plain.n - before, 0);
        }
        vg_buf_free(&conv);
    } else {
        vg_mail_attachment *att = new_attachment(b);
        if (att) {
            att->filename = fn ? utf8_dup(a, fn) : NULL;
            att->declared_type = vg_arena_printf(a, "%s/%s", type, sub);
            att->declared_type = lower_dup(a, att->declared_type);
            if (cd && !attach_disp)
                att->flags |= VG_ATT_F_INLINE;
            vg_mail__attachment(b, att, data, n);
        }
    }
    if (holder)
        g_object_unref(holder);
}

static void walk(vg_mail_builder *b, GMimeObject *obj, unsigned depth)
{
    vg_mail_parser *p = b->p;
    if (!obj)
        return;
    p->parts++;
    b->m->n_parts++;
    if (p->parts > p->opts.limits.max_parts) {
        b->m->evidence |= VG_MAIL_EV_PART_LIMIT;
        return;
    }
    if (depth > p->opts.limits.max_depth) {
        b->m->evidence |= VG_MAIL_EV_DEPTH_LIMIT;
        return;
    }
    if (depth > b->m->max_depth)
        b->m->max_depth = depth;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        GMimeContentType *ct = g_mime_object_get_content_type(obj);
        const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
        bool alt = sub && strcasecmp(sub, "alternative") == 0;
        size_t p0 = b->plain.n, h0 = b->html.n;
        int count = g_mime_multipart_get_count(mp);
        for (int i = 0; i < count; i++) {
            walk(b, g_mime_multipart_get_part(mp, i), depth + 1);
            if (p->parts > p->opts.limits.max_parts)
                break;
        }
        if (alt && b->plain.n > p0 && b->html.n > h0 &&
            texts_disagree(b->plain.p + p0, b->plain.n - p0, b->html.p + h0, b->html.n - h0))
            b->m->evidence |= VG_MAIL_EV_PLAIN_HTML_DIFFER;
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        walk_message_part(b, obj, depth);
    } else if (GMIME_IS_PART(obj)) {
        walk_part(b, obj);
    }
}

/* depth: MIME nesting where the message starts (for the limits);
 * level: 0 for the top message, 1 for a message attached to it, ... */
static vg_mail_msg *build(vg_mail_parser *p, GMimeMessage *gm, int depth, int level)
{
    vg_arena *a = p->arena;
    vg_mail_builder bb;
    vg_mail_builder *b = &bb;
    memset(b, 0, sizeof *b);
    b->p = p;
    b->depth = depth;
    b->m = vg_arena_calloc(a, 1, sizeof *b->m);
    vg_mail_msg *m = b->m;
    m->depth = level;
    m->first_external_hop = -1;
    vg_buf_init(&b->plain, 0);
    vg_buf_init(&b->html, 0);
    vg_buf_init(&b->hidden, 0);

    read_headers(b, GMIME_OBJECT(gm));
    const char *subj = g_mime_message_get_subject(gm);
    m->subject = subj ? utf8_dup(a, subj) : "";
    add_addrs(b, &b->from, g_mime_message_get_from(gm), 0);
    add_addrs(b, &b->reply_to, g_mime_message_get_reply_to(gm), 0);
    add_addrs(b, &b->to, g_mime_message_get_to(gm), 0);
    add_addrs(b, &b->cc, g_mime_message_get_cc(gm), 0);
    vg_avec sender = {0};
    add_addrs(b, &sender, g_mime_message_get_sender(gm), 0);
    if (sender.n)
        m->sender = ((vg_mail_addr *)sender.v)[0];
    m->from = finish_addrs(&b->from);
    m->reply_to = finish_addrs(&b->reply_to);
    m->to = finish_addrs(&b->to);
    m->cc = finish_addrs(&b->cc);
    bool have_from = false;
    for (size_t i = 0; i < m->from.n; i++) {
        if (m->from.v[i].addr && m->from.v[i].domain[0])
            have_from = true;
        m->evidence |= vg_mail__name_evidence(m->from.v[i].name);
    }
    if (!have_from)
        m->evidence |= VG_MAIL_EV_NO_FROM;
    m->headers = b->headers.v;
    m->n_headers = b->headers.n;
    const char *rp = vg_mail_header_get(m, "Return-Path");
    m->return_path = angle_addr(a, rp);
    m->return_path_domain = m->return_path ? vg_mail__addr_domain(a, m->return_path) : NULL;
    const char *mid = g_mime_message_get_message_id(gm);
    m->message_id = mid && *mid ? utf8_dup(a, mid) : NULL;
    const char *date = vg_mail_header_get(m, "Date");
    int64_t t;
    if (date && vg_time_parse_rfc5322(vg_str_trim(vg_str_from(date)), &t) == VG_OK) {
        m->date_ms = t;
    } else {
        GDateTime *dt = g_mime_message_get_date(gm);
        if (dt)
            m->date_ms = (int64_t)g_date_time_to_unix(dt) * 1000;
    }
    const char *lid = vg_mail_header_get(m, "List-Id");
    m->list_id = lid ? lid : NULL;
    m->has_list_unsubscribe = vg_mail_header_get(m, "List-Unsubscribe") != NULL;
    vg_mail__received(b);
    vg_mail__auth(b);
    m->hops = b->hops.v;
    m->n_hops = b->hops.n;

    walk(b, g_mime_message_get_mime_part(gm), (unsigned)depth);

    m->text_plain = vg_mail__arena_buf(a, &b->plain);
    m->text_plain_len = b->plain.n;
    m->text_html = vg_mail__arena_buf(a, &b->html);
    m->text_html_len = b->html.n;
    m->text_hidden = vg_mail__arena_buf(a, &b->hidden);
    m->text_hidden_len = b->hidden.n;
    m->urls = b->urls.v;
    m->n_urls = b->urls.n;
    m->forms = b->forms.v;
    m->n_forms = b->forms.n;
    m->attachments = b->atts.v;
    m->n_attachments = b->atts.n;
    m->nested = b->nested.v;
    m->n_nested = b->nested.n;
    vg_buf_free(&b->plain);
    vg_buf_free(&b->html);
    vg_buf_free(&b->hidden);
    return m;
}

/* A message GMime could not construct: an empty model with evidence. */
static vg_mail_msg *empty_msg(vg_mail_parser *p)
{
    vg_mail_msg *m = vg_arena_calloc(p->arena, 1, sizeof *m);
    m->subject = "";
    m->text_plain = m->text_html = m->text_hidden = "";
    m->first_external_hop = -1;
    m->evidence = VG_MAIL_EV_NO_HEADERS | VG_MAIL_EV_NO_FROM;
    return m;
}

vg_err vg_mail_parse(vg_mail_parser *p, const void *data, size_t n, const vg_mail_msg **out,
                     vg_error *e)
{
    *out = NULL;
    if (!data || n == 0)
        return vg_error_set(e, VG_EINVAL, "empty message");
    if (n > p->opts.limits.max_message_bytes)
        return vg_error_set(e, VG_ELIMIT, "message of %zu bytes is over the %zu-byte limit", n,
                            p->opts.limits.max_message_bytes);
    vg_arena_reset(p->arena);
    p->parts = 0;
    p->warnings = 0;
    p->ev = 0;
    const char *s = data;
    if (vg_mail_sniff_mbox(s, n)) {
        const char *nl = memchr(s, '\n', n);
        size_t skip = nl ? (size_t)(nl - s) + 1 : n;
        s += skip;
        n -= skip;
    }
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(s, n);
    GMimeParser *gp = g_mime_parser_new_with_stream(st);
    g_mime_parser_set_format(gp, GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_respect_content_length(gp, FALSE);
    GMimeMessage *gm = g_mime_parser_construct_message(gp, p->gm_options);
    vg_mail_msg *m;
    if (gm) {
        m = build(p, gm, 0, 0);
        g_object_unref(gm);
    } else {
        m = empty_msg(p);
    }
    g_object_unref(gp);
    g_object_unref(st);
    m->evidence |= p->ev;
    m->n_warnings = p->warnings;
    if (m->n_headers == 0)
        m->evidence |= VG_MAIL_EV_NO_HEADERS;
    *out = m;
    return VG_OK;
}
