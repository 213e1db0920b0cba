/* mail_parse.c — one raw message to a vg_mail_msg.
 *
 * mail_mime.c reads the structure in place (header blocks, multipart
 * delimiters, transfer encodings; see there why not GMime's parser); GMime 3
 * parses what is hard inside header values: Content-Type and
 * Content-Disposition parameters (RFC 2231), address lists, message ids and
 * dates, in loose compliance mode because hostile and broken mail must
 * still be read. This file walks the entities depth-first with the part
 * and depth limits, converts every text part to UTF-8, renders HTML
 * (mail_html.c), analyses attachments (mail_attach.c) and attached
 * messages (recursively, as nested vg_mail_msg), and records evidence.
 * Everything the result points to is allocated in the parser's arena, which
 * is reset at the start of each parse. GLib messages go to vigil's log.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <idn2.h>

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
    for (char *z = memchr(r, 0, b->n); z; z = memchr(z, 0, (size_t)(r + b->n - z)))
        *z = ' ';
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

/* libmagic is not thread-safe where it loads its database (magic_load(NULL)
 * frees and sets a static path: two threads loading at once can free it
 * twice) and writes static state while matching (helgrind sees both with
 * `vigil mail -j 3`). Every call into it holds this lock; attachments are
 * typed by signature or from the parser's cache first, so it is rarely
 * taken. */
static pthread_mutex_t magic_mu = PTHREAD_MUTEX_INITIALIZER;
void vg_mail__magic_lock(void) { pthread_mutex_lock(&magic_mu); }
void vg_mail__magic_unlock(void) { pthread_mutex_unlock(&magic_mu); }

static void global_init(void)
{
    g_mime_init();
    g_log_set_default_handler(glib_log, NULL);
    g_log_set_handler("gmime", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                      glib_log, NULL);
}

/* ---- parser -------------------------------------------------------------------------------- */

void vg_mail_parse_opts_default(vg_mail_parse_opts *o)
{
    memset(o, 0, sizeof *o);
    vg_mail_limits_default(&o->limits);
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
    vg_mail__magic_lock();
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
    vg_mail__magic_unlock();
    GMimeParserOptions *o = g_mime_parser_options_new();
    g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(o, TRUE);
    const char *fallback[] = {"UTF-8", "windows-1252", NULL};
    g_mime_parser_options_set_fallback_charsets(o, fallback);
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
    if (p->magic) {
        vg_mail__magic_lock();
        magic_close(p->magic);
        vg_mail__magic_unlock();
    }
    free(p->reg_cache);
    free(p->magic_cache);
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

static void add_mailbox(vg_mail_builder *b, vg_avec *vec, const char *name, const char *addr)
{
    vg_arena *a = b->p->arena;
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

static void add_addrs(vg_mail_builder *b, vg_avec *vec, InternetAddressList *list, int depth)
{
    if (!list || depth > 4)
        return;
    int n = internet_address_list_length(list);
    for (int i = 0; i < n && vec->n < 256; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_addrs(b, vec, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                      depth + 1);
            continue;
        }
        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            add_mailbox(b, vec, internet_address_get_name(ia),
                        internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
    }
}

/* Specials of RFC 5322 (3.2.3) and '\\': a switch, not strchr() per byte. */
static bool addr_special(unsigned char c)
{
    switch (c) {
    case '"': case '(': case ')': case '<': case '>': case '[': case ']': case ',': case ';':
    case ':': case '@': case '.': case '\\':
        return true;
    default:
        return false;
    }
}

static bool addr_spec_simple(const char *s, size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || (c != '@' && c != '.' && addr_special(c)))
            return false;
        if (c == '@')
            at++;
    }
    return at == 1 && s[0] != '@' && s[n - 1] != '@';
}

/* Dot-atoms on both sides of the '@' of an addr-spec (a, n bytes): no
 * leading, trailing or double dots. GMime drops a mailbox without;
 * simple_mailbox() reads the plain shapes anyway (as it always has), but
 * its newer paths (lists, encoded-word names) leave those to GMime. */
static bool dot_atoms_n(const char *a, size_t n)
{
    if (n == 0 || a[0] == '.' || a[n - 1] == '.')
        return false;
    for (size_t i = 0; i + 1 < n; i++) {
        if ((a[i] == '.' && (a[i + 1] == '.' || a[i + 1] == '@')) ||
            (a[i] == '@' && a[i + 1] == '.'))
            return false;
    }
    return true;
}

/* The same for a mailbox s ("a@b" or "... <a@b>", white space around). */
static bool dot_atoms(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    const char *a = s, *e = s + n;
    if (n && s[n - 1] == '>') {
        const char *lt = memchr(s, '<', n);
        if (!lt)
            return false;
        a = lt + 1;
        e--;
    } else {
        while (a < e && (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n'))
            a++;
    }
    return dot_atoms_n(a, (size_t)(e - a));
}

/* The two shapes most address fields have, "a@b" and "Name <a@b>" (the name
 * plain ASCII words, one quoted string without escapes, or only UTF-8
 * encoded words), read directly; anything else (groups, comments, other
 * encoded words, 8-bit names, escapes) goes to GMime's parser, and lists to
 * simple_mailbox_list(). True if v was read (or, dry, would be: nothing is
 * added and v is left as it was). tests/test_mail_fastpath.c compares
 * these paths with GMime's. */
static bool simple_mailbox(vg_mail_builder *b, vg_avec *vec, char *v, bool dry)
{
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    while (n && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')) {
        v++;
        n--;
    }
    if (n == 0)
        return false;
    if (v[n - 1] != '>') {
        if (!addr_spec_simple(v, n))
            return false;
        if (dry)
            return true;
        v[n] = 0;
        add_mailbox(b, vec, NULL, v);
        return true;
    }
    char *lt = memchr(v, '<', n);
    if (!lt || memchr(lt + 1, '<', (size_t)(v + n - lt - 1)))
        return false;
    char *addr = lt + 1;
    size_t al = (size_t)(v + n - 1 - addr);
    if (al == 0 || !addr_spec_simple(addr, al))
        return false;
    /* the display name: ASCII words separated by single spaces, or one
     * quoted string */
    char *ne = lt;
    while (ne > v && ne[-1] == ' ')
        ne--;
    char *name = v;
    size_t nl = (size_t)(ne - v);
    if (nl >= 2 && name[0] == '"' && name[nl - 1] == '"') {
        name++;
        nl -= 2;
        for (size_t i = 0; i < nl; i++) {
            unsigned char c = (unsigned char)name[i];
            if (c == '"' || c == '\\' || c < ' ' || c >= 0x7f)
                return false;
        }
    } else {
        for (size_t i = 0; i < nl; i++) {
            unsigned char c = (unsigned char)name[i];
            if (c < ' ' || c >= 0x7f || addr_special(c) ||
                (c == ' ' && (i == 0 || name[i - 1] == ' ')))
                return false;
        }
    }
    const char *decoded = NULL; /* encoded words (only in an unquoted name) */
    if (nl >= 2 && memmem(name, nl, "=?", 2) &&
        (name != v || !dot_atoms_n(addr, al) ||
         !(decoded = vg_mail__rfc2047_utf8_phrase(b->p->arena, name, nl))))
        return false;
    if (dry)
        return true;
    while (nl && name[nl - 1] == ' ') /* GMime trims inside the quotes too */
        nl--;
    while (nl && *name == ' ') {
        name++;
        nl--;
    }
    name[nl] = 0;
    addr[al] = 0;
    add_mailbox(b, vec, decoded ? decoded : name, addr);
    return true;
}

/* A list of such mailboxes ("a@b, Name <c@d>, \"Doe, J\" <e@f>"): split at
 * the commas outside quotes and angle brackets, each read by
 * simple_mailbox(). All or nothing: false (and vec as it was) if one is not
 * of that shape. v is changed either way. */
static bool simple_mailbox_list(vg_mail_builder *b, vg_avec *vec, char *v)
{
    /* cut at the commas, checking each mailbox; then read them */
    size_t count = 0;
    bool quoted = false, angle = false;
    char *start = v;
    for (char *c = v;; c++) {
        if (*c == '"' && !angle)
            quoted = !quoted;
        else if (*c == '<' && !quoted)
            angle = true;
        else if (*c == '>' && !quoted)
            angle = false;
        else if (*c == '\\')
            return false; /* an escape: GMime's */
        if ((*c == ',' && !quoted && !angle) || !*c) {
            bool last = !*c;
            *c = 0;
            if (!dot_atoms(start) || !simple_mailbox(b, vec, start, true))
                return false;
            count++;
            if (last)
                break;
            start = c + 1;
        }
    }
    if (vec->n + count > 256)
        return false; /* over the limit: GMime's way */
    for (char *c = v; count--;) {
        char *next = c + strlen(c) + 1; /* before simple_mailbox() cuts c shorter */
        simple_mailbox(b, vec, c, false);
        c = next;
    }
    return true;
}

/* "undisclosed-recipients:;": a group without members (words of letters,
 * digits, '-' and '_' before ":;"), which gives no address. */
static bool empty_group(const char *v)
{
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    const char *w = v;
    while (isalnum((unsigned char)*w) || *w == '-' || *w == '_' ||
           (*w == ' ' && w > v && w[-1] != ' '))
        w++;
    if (w == v || w[-1] == ' ' || *w++ != ':')
        return false;
    while (*w == ' ')
        w++;
    if (*w++ != ';')
        return false;
    for (; *w; w++) {
        if (*w != ' ' && *w != '\t' && *w != '\r' && *w != '\n')
            return false;
    }
    return true;
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

/* Fields whose value is not text for people: trace and authentication
 * fields, identifiers, MIME structure, and the opaque blobs mail services add
 * (Microsoft 365 writes its anti-spam verdict as hundreds of base64 encoded
 * words). RFC 2047 encoded words are not decoded there (RFC 2047 section 5
 * allows them in text fields, comments and phrases only). */
static bool opaque_field(const char *name, size_t n)
{
    static const char *const exact[] = {
        "Received", "Received-SPF", "Authentication-Results", "Message-ID", "References",
        "In-Reply-To", "Date", "Return-Path", "Content-Type", "Content-Transfer-Encoding",
        "MIME-Version", "Content-ID", "Thread-Index"};
    static const char *const prefix[] = {"X-MS-", "X-Microsoft-", "X-Forefront-", "ARC-",
                                         "DKIM-", "X-Google-", "X-Gm-", "X-Exchange-"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        if (strlen(exact[i]) == n && strncasecmp(name, exact[i], n) == 0)
            return true;
    }
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++) {
        size_t pl = strlen(prefix[i]);
        if (n >= pl && strncasecmp(name, prefix[i], pl) == 0)
            return true;
    }
    return false;
}

/* The header fields build() reads. */
enum { KH_SUBJECT, KH_RETURN_PATH, KH_MESSAGE_ID, KH_DATE, KH_LIST_ID, KH_LIST_UNSUBSCRIBE,
       KH_COUNT };
static const char *const KNOWN_HEADERS[KH_COUNT] = {"Subject", "Return-Path", "Message-ID",
                                                    "Date", "List-Id", "List-Unsubscribe"};
static const size_t KNOWN_LEN[KH_COUNT] = {7, 11, 10, 4, 7, 16};

/* Headers into b->headers; kh[KH_*]: the value of the first field of each
 * known name, NULL if none. */
static void read_headers(vg_mail_builder *b, const vg_mime_entity *e, const char *kh[KH_COUNT])
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    size_t froms = 0, subjects = 0;
    if (e->truncated)
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    for (size_t i = 0; i < e->n_fields; i++) {
        const vg_mime_field *f = &e->fields[i];
        if (f->name_len == 4 && strncasecmp(f->name, "From", 4) == 0)
            froms++;
        else if (f->name_len == 7 && strncasecmp(f->name, "Subject", 7) == 0)
            subjects++;
        if (b->headers.n >= MAX_HEADERS) {
            b->m->evidence |= VG_MAIL_EV_TRUNCATED;
            continue;
        }
        vg_mail_header *o = AVEC_PUSH(a, &b->headers, vg_mail_header);
        o->name = vg_arena_strndup(a, f->name, f->name_len); /* ftext: ASCII */
        size_t vl;
        bool ascii;
        const char *v = vg_mail__mime_unfold_n(a, f->raw, f->raw_len < MAX_HEADER_VALUE
                                                              ? f->raw_len : MAX_HEADER_VALUE,
                                               &vl, &ascii);
        /* RFC 2047 decoding where there is something to decode and the field
         * is text */
        if (strstr(v, "=?") && !opaque_field(f->name, f->name_len)) {
            v = vg_mail__rfc2047(a, v);
            vl = strlen(v);
            ascii = false;
        }
        if (ascii || vg_utf8_valid(v, vl)) {
            o->value = v;
        } else {
            bool guessed;
            o->value = vg_mail__to_utf8_arena(a, NULL, v, vl, &guessed);
        }
        /* the first of each field build() reads (vg_mail_header_get()'s
         * answer, without a pass per name) */
        for (int k = 0; k < KH_COUNT; k++) {
            if (!kh[k] && f->name_len == KNOWN_LEN[k] &&
                strncasecmp(f->name, KNOWN_HEADERS[k], f->name_len) == 0)
                kh[k] = o->value;
        }
    }
    if (froms > 1)
        b->m->evidence |= VG_MAIL_EV_DUP_FROM;
    if (subjects > 1)
        b->m->evidence |= VG_MAIL_EV_DUP_SUBJECT;
}

/* Every address in every field of that name, in order (GMime parses the
 * list: groups, comments, encoded words, quoted names). */
static void read_addrs(vg_mail_builder *b, vg_avec *vec, const vg_mime_entity *e, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < e->n_fields; i++) {
        const vg_mime_field *f = &e->fields[i];
        if (f->name_len != nl || strncasecmp(f->name, name, nl) != 0)
            continue;
        size_t rl = f->raw_len < MAX_HEADER_VALUE ? f->raw_len : MAX_HEADER_VALUE;
        char *v = vg_arena_alloc(b->p->arena, rl + 1);
        for (size_t k = 0; k < rl; k++) /* a NUL would cut the value short */
            v[k] = f->raw[k] ? f->raw[k] : ' ';
        v[rl] = 0;
        /* the direct paths read the unfolded value (a folded display name of
         * encoded words is common); GMime gets the field as written */
        char *u = memchr(v, '\n', rl) ? vg_mail__mime_unfold(b->p->arena, v, rl) : v;
        if (vec->n < 256 && (simple_mailbox(b, vec, u, false) || empty_group(u)))
            continue;
        if (vec->n < 256 && strchr(u, ',') &&
            simple_mailbox_list(b, vec, vg_arena_strdup(b->p->arena, u)))
            continue;
        InternetAddressList *l = internet_address_list_parse(b->p->gm_options, v);
        if (l) {
            add_addrs(b, vec, l, 0);
            g_object_unref(l);
        }
    }
}

/* Unfolded value of the first field of that name, NULL if none. */
static const char *field_value(vg_arena *a, const vg_mime_entity *e, const char *name)
{
    const vg_mime_field *f = vg_mail__mime_field(e, name);
    if (!f)
        return NULL;
    return vg_mail__mime_unfold(a, f->raw, f->raw_len < MAX_HEADER_VALUE ? f->raw_len
                                                                          : MAX_HEADER_VALUE);
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

static vg_mail_msg *build(vg_mail_parser *p, const char *data, size_t n, int depth, int level);

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

/* What an entity's Content-* fields say. */
typedef struct part_info {
    const char *type, *sub; /* lower case */
    const char *charset, *boundary, *filename;
    bool has_disposition, attachment;
    vg_mime_cte cte;
} part_info;

static char *lower_dup(vg_arena *a, const char *s)
{
    return s ? vg_mail__arena_lower(a, s, strlen(s)) : NULL;
}

static const char *param_dup(vg_arena *a, const char *v)
{
    return v ? utf8_dup(a, v) : NULL;
}

/* GMime keeps the opening quote of an unterminated quoted boundary
 * (boundary="abc without its closing quote, seen in real spam); mail
 * clients use what follows it. */
static const char *boundary_dup(vg_arena *a, const char *v)
{
    if (!v)
        return NULL;
    if (*v == '"' && !strchr(v + 1, '"'))
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return vg_arena_strndup(a, v, n);
}

static bool is_ascii_token(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c))
            return false;
    }
    return true;
}

/* ---- the plain shape of Content-Type and Content-Disposition ------------------------------ */

/* Most parts say "text/plain; charset=utf-8" or "attachment;
 * filename=\"a.pdf\"": a token (or type/subtype), then parameters whose
 * values are tokens or quoted strings without escapes. Those values are
 * read here; GMime's parser (a GObject and a parameter list per field, a
 * tenth of the parse) gets everything else: 8-bit or control characters,
 * RFC 2231 names ('*'), encoded words, comments, escapes, white space
 * around '=', repeated parameters, more than SIMPLE_MAX_PARAMS. On the
 * values it reads, both give the same results (tests/test_mail_mime.c). */
#define SIMPLE_MAX_PARAMS 8

typedef struct simple_value {
    const char *tok, *sub; /* the token or type, the subtype (NULL for a disposition) */
    size_t tok_len, sub_len;
    struct {
        const char *name, *val;
        size_t name_len, val_len;
    } par[SIMPLE_MAX_PARAMS];
    int n;
} simple_value;

/* RFC 2045 token characters, without '*' (RFC 2231) and '%'. */
static bool simple_tok_char(unsigned char c)
{
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=': case '*': case '%':
        return false;
    default:
        return c > 32 && c < 127;
    }
}

static size_t simple_tok(const char *s)
{
    size_t n = 0;
    while (simple_tok_char((unsigned char)s[n]))
        n++;
    return n;
}

/* v: an unfolded value (vg_mail__mime_unfold: no line breaks or tabs,
 * trimmed). with_sub: "type/subtype". False if v is not of the plain shape. */
static bool simple_parse(const char *v, bool with_sub, simple_value *out)
{
    out->n = 0;
    out->sub = NULL;
    out->sub_len = 0;
    out->tok = v;
    out->tok_len = simple_tok(v);
    if (!out->tok_len)
        return false;
    v += out->tok_len;
    if (with_sub) {
        if (*v != '/')
            return false;
        out->sub = ++v;
        out->sub_len = simple_tok(v);
        if (!out->sub_len)
            return false;
        v += out->sub_len;
    }
    for (;;) {
        while (*v == ' ')
            v++;
        if (!*v)
            return true;
        if (*v != ';' || out->n == SIMPLE_MAX_PARAMS)
            return false;
        v++;
        while (*v == ' ')
            v++;
        if (!*v)
            return true; /* a trailing ';' */
        const char *name = v;
        size_t nl = simple_tok(v);
        if (!nl || v[nl] != '=')
            return false;
        v += nl + 1;
        const char *val;
        size_t vl;
        if (*v == '"') {
            val = ++v;
            while (*v >= 32 && *v < 127 && *v != '"' && *v != '\\')
                v++;
            if (*v != '"')
                return false;
            vl = (size_t)(v - val);
            v++;
            if (memmem(val, vl, "=?", 2))
                return false; /* an encoded word: GMime decodes it */
        } else {
            val = v;
            vl = simple_tok(v);
            if (!vl)
                return false;
            v += vl;
        }
        for (int i = 0; i < out->n; i++) {
            if (out->par[i].name_len == nl && strncasecmp(out->par[i].name, name, nl) == 0)
                return false;
        }
        out->par[out->n].name = name;
        out->par[out->n].name_len = nl;
        out->par[out->n].val = val;
        out->par[out->n].val_len = vl;
        out->n++;
    }
}

/* The value of parameter name (lower case) in the arena, NULL if absent. */
static const char *simple_param(vg_arena *a, const simple_value *sv, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 0; i < sv->n; i++) {
        if (sv->par[i].name_len == nl && strncasecmp(sv->par[i].name, name, nl) == 0)
            return vg_arena_strndup(a, sv->par[i].val, sv->par[i].val_len);
    }
    return NULL;
}

/* Reads Content-Type (GMime parses the parameters: RFC 2231 continuations and
 * charsets, quoting), Content-Disposition and Content-Transfer-Encoding.
 * Without Content-Type the default is text/plain, or message/rfc822 inside
 * multipart/digest (RFC 2046 5.1.5). */
static void read_part_info(vg_mail_parser *p, const vg_mime_entity *e, bool in_digest,
                           part_info *pi)
{
    vg_arena *a = p->arena;
    memset(pi, 0, sizeof *pi);
    const char *name = NULL;
    const char *ctv = field_value(a, e, "Content-Type");
    simple_value sv;
    if (ctv && *ctv && simple_parse(ctv, true, &sv)) {
        pi->type = vg_mail__arena_lower(a, sv.tok, sv.tok_len);
        pi->sub = vg_mail__arena_lower(a, sv.sub, sv.sub_len);
        pi->charset = simple_param(a, &sv, "charset");
        pi->boundary = boundary_dup(a, simple_param(a, &sv, "boundary"));
        name = simple_param(a, &sv, "name");
    } else if (ctv && *ctv) {
        GMimeContentType *ct = g_mime_content_type_parse(p->gm_options, ctv);
        if (ct) {
            const char *t = g_mime_content_type_get_media_type(ct);
            const char *st = g_mime_content_type_get_media_subtype(ct);
            if (t && *t && is_ascii_token(t))
                pi->type = lower_dup(a, t);
            if (st && *st && is_ascii_token(st))
                pi->sub = lower_dup(a, st);
            pi->charset = param_dup(a, g_mime_content_type_get_parameter(ct, "charset"));
            pi->boundary = boundary_dup(a, g_mime_content_type_get_parameter(ct, "boundary"));
            name = param_dup(a, g_mime_content_type_get_parameter(ct, "name"));
            g_object_unref(ct);
        }
        if (!pi->type || !pi->sub) {
            pi->type = "application";
            pi->sub = "octet-stream";
        }
    } else if (in_digest) {
        pi->type = "message";
        pi->sub = "rfc822";
    } else {
        pi->type = "text";
        pi->sub = "plain";
    }
    const char *cdv = field_value(a, e, "Content-Disposition");
    if (cdv && simple_parse(cdv, false, &sv)) {
        pi->has_disposition = true;
        pi->attachment = sv.tok_len == 10 && strncasecmp(sv.tok, "attachment", 10) == 0;
        pi->filename = simple_param(a, &sv, "filename");
    } else if (cdv) {
        pi->has_disposition = true;
        GMimeContentDisposition *cd = g_mime_content_disposition_parse(p->gm_options, cdv);
        if (cd) {
            pi->attachment = g_mime_content_disposition_is_attachment(cd);
            pi->filename = param_dup(a, g_mime_content_disposition_get_parameter(cd, "filename"));
            g_object_unref(cd);
        }
    }
    if (!pi->filename)
        pi->filename = name;
    if (pi->filename && !*pi->filename)
        pi->filename = NULL;
    pi->cte = vg_mail__mime_cte(field_value(a, e, "Content-Transfer-Encoding"));
}

static void walk(vg_mail_builder *b, const vg_mime_entity *e, unsigned depth, bool in_digest);

static void walk_message_part(vg_mail_builder *b, const vg_mime_entity *e, const part_info *pi,
                              unsigned depth)
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    size_t n;
    const unsigned char *data = vg_mail__mime_decode(a, pi->cte, e->body, e->body_len, &n);
    vg_mail_attachment *att = new_attachment(b);
    if (att) {
        att->flags |= VG_ATT_F_MESSAGE;
        att->declared_type = vg_arena_printf(a, "%s/%s", pi->type, pi->sub);
        att->magic_type = "message/rfc822";
        att->filename = pi->filename;
        if (att->filename && vg_mail__has_bidi_control(att->filename)) {
            att->flags |= VG_ATT_F_RLO;
            b->m->evidence |= VG_MAIL_EV_RLO_FILENAME;
        }
        att->size = n;
        uint8_t dig[32];
        vg_sha256_digest(n ? data : (const unsigned char *)"", n, dig);
        vg_hex(dig, 32, att->sha256);
    }
    if (n == 0)
        return;
    if (depth + 1 > p->opts.limits.max_depth || b->nested.n >= MAX_NESTED) {
        b->m->evidence |= VG_MAIL_EV_DEPTH_LIMIT;
        return;
    }
    vg_mail_msg *nm = build(p, (const char *)data, n, (int)depth + 1, b->m->depth + 1);
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

static void walk_part(vg_mail_builder *b, const vg_mime_entity *e, const part_info *pi)
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    const char *type = pi->type, *sub = pi->sub;
    bool is_text = strcmp(type, "text") == 0;
    bool is_html = is_text && strcmp(sub, "html") == 0;
    bool body_text = is_text && !pi->attachment && !pi->filename &&
                     (strcmp(sub, "plain") == 0 || is_html || strcmp(sub, "enriched") == 0 ||
                      strcmp(sub, "rfc822-headers") == 0);
    size_t n;
    const unsigned char *data = vg_mail__mime_decode(a, pi->cte, e->body, e->body_len, &n);
    if (body_text) {
        vg_buf conv;
        vg_buf_init(&conv, 0);
        const char *text;
        size_t tn;
        if (!vg_mail__to_utf8_view(pi->charset, data, n, &conv, &text, &tn))
            b->m->evidence |= VG_MAIL_EV_BAD_CHARSET;
        if (is_html) {
            vg_mail__html(b, text, tn, false, &b->html);
        } else {
            size_t before = b->plain.n;
            append_text(b, &b->plain, text, tn);
            vg_mail__scan_text_urls(b, b->plain.p + before, b->plain.n - before, 0);
        }
        vg_buf_free(&conv);
    } else {
        vg_mail_attachment *att = new_attachment(b);
        if (att) {
            att->filename = pi->filename;
            att->declared_type = vg_arena_printf(a, "%s/%s", type, sub);
            if (pi->has_disposition && !pi->attachment)
                att->flags |= VG_ATT_F_INLINE;
            vg_mail__attachment(b, att, data, n);
        }
    }
}

static void walk_multipart(vg_mail_builder *b, const vg_mime_entity *e, const part_info *pi,
                           unsigned depth)
{
    vg_mail_parser *p = b->p;
    bool alt = strcmp(pi->sub, "alternative") == 0;
    bool digest = strcmp(pi->sub, "digest") == 0;
    size_t p0 = b->plain.n, h0 = b->html.n;
    vg_mime_parts it;
    vg_mail__mime_parts_init(&it, e->body, e->body_len, pi->boundary);
    const char *part;
    size_t len;
    while (vg_mail__mime_parts_next(&it, &part, &len)) {
        vg_mime_entity sub;
        vg_mail__mime_split(p->arena, part, len, MAX_HEADERS, &sub);
        walk(b, &sub, depth + 1, digest);
        if (p->parts > p->opts.limits.max_parts)
            break;
    }
    if (it.unclosed || it.no_delimiter) {
        p->warnings++;
        p->ev |= VG_MAIL_EV_BROKEN_MIME;
    }
    if (it.no_delimiter && e->body_len) {
        /* a multipart body without one delimiter: read it as text, so that
         * what a mail client would show is still analysed */
        part_info text = {.type = "text", .sub = "plain", .cte = VG_CTE_NONE};
        walk_part(b, e, &text);
    }
    if (alt && b->plain.n > p0 && b->html.n > h0 &&
        texts_disagree(b->plain.p + p0, b->plain.n - p0, b->html.p + h0, b->html.n - h0))
        b->m->evidence |= VG_MAIL_EV_PLAIN_HTML_DIFFER;
}

static bool is_message_type(const part_info *pi)
{
    return strcmp(pi->type, "message") == 0 &&
           (strcmp(pi->sub, "rfc822") == 0 || strcmp(pi->sub, "global") == 0 ||
            strcmp(pi->sub, "news") == 0);
}

static void walk(vg_mail_builder *b, const vg_mime_entity *e, unsigned depth, bool in_digest)
{
    vg_mail_parser *p = b->p;
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
    if (e->broken) {
        p->warnings++;
        p->ev |= VG_MAIL_EV_BROKEN_MIME;
    }
    part_info pi;
    read_part_info(p, e, in_digest, &pi);
    if (strcmp(pi.type, "multipart") == 0) {
        if (pi.boundary && *pi.boundary) {
            walk_multipart(b, e, &pi, depth);
            return;
        }
        /* a multipart without a boundary cannot be split: its body is text */
        p->warnings++;
        p->ev |= VG_MAIL_EV_BROKEN_MIME;
        pi.type = "text";
        pi.sub = "plain";
    }
    if (is_message_type(&pi))
        walk_message_part(b, e, &pi, depth);
    else
        walk_part(b, e, &pi);
}

/* depth: MIME nesting where the message starts (for the limits);
 * level: 0 for the top message, 1 for a message attached to it, ... */
static vg_mail_msg *build(vg_mail_parser *p, const char *data, size_t n, int depth, int level)
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

    vg_mime_entity e;
    vg_mail__mime_split(a, data, n, MAX_HEADERS + 1, &e);
    const char *kh[KH_COUNT] = {0};
    read_headers(b, &e, kh);
    read_addrs(b, &b->from, &e, "From");
    read_addrs(b, &b->reply_to, &e, "Reply-To");
    read_addrs(b, &b->to, &e, "To");
    read_addrs(b, &b->cc, &e, "Cc");
    vg_avec sender = {0};
    read_addrs(b, &sender, &e, "Sender");
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
    const char *subj = kh[KH_SUBJECT];
    m->subject = subj ? subj : "";
    const char *rp = kh[KH_RETURN_PATH];
    m->return_path = angle_addr(a, rp);
    m->return_path_domain = m->return_path ? vg_mail__addr_domain(a, m->return_path) : NULL;
    const char *midv = kh[KH_MESSAGE_ID];
    if (midv) {
        char *mid = g_mime_utils_decode_message_id(midv);
        m->message_id = mid && *mid ? utf8_dup(a, mid) : NULL;
        g_free(mid);
    }
    const char *date = kh[KH_DATE];
    int64_t t;
    if (date && vg_time_parse_rfc5322(vg_str_trim(vg_str_from(date)), &t) == VG_OK) {
        m->date_ms = t;
    } else if (date) {
        GDateTime *dt = g_mime_utils_header_decode_date(date);
        if (dt) {
            m->date_ms = (int64_t)g_date_time_to_unix(dt) * 1000;
            g_date_time_unref(dt);
        }
    }
    const char *lid = kh[KH_LIST_ID];
    m->list_id = lid ? lid : NULL;
    m->has_list_unsubscribe = kh[KH_LIST_UNSUBSCRIBE] != NULL;
    vg_mail__received(b);
    vg_mail__auth(b);
    m->hops = b->hops.v;
    m->n_hops = b->hops.n;

    walk(b, &e, (unsigned)depth, false);

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
    if (m->n_headers == 0)
        m->evidence |= VG_MAIL_EV_NO_HEADERS;
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
    vg_mail_msg *m = build(p, data, n, 0, 0);
    m->evidence |= p->ev;
    m->n_warnings = p->warnings;
    *out = m;
    return VG_OK;
}
