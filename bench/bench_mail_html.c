/* bench_mail_html.c — HTML-to-text throughput on the real mail corpora: libxml2's
 * HTML parser alone, the libxml2 SAX driver vigil used before, and vigil's own
 * tokenizer (vg_mail__html in src/mail/mail_html.c).
 *
 *   bench_mail_html [--data DIR] [--passes N] [--only abc] [--attach]
 *   bench_mail_html --diff [--data DIR] [--show N] [--attach] [--write DIR]
 *   bench_mail_html --dump I FILE        writes HTML part I (as numbered by --diff)
 *
 * The text/html parts of every message under DIR (default: $VIGIL_SHARED/data,
 * else ../shared/data up to three levels above the working directory) in
 * phishing_pot/email, phishing_pot_themed/email, modern_ham and
 * spamassassin_corpus are decoded once with GMime, converted to UTF-8 as the mail
 * parser does, and kept in memory. Then, for each part:
 *
 *   (a) libxml2   htmlParseDocument() with an empty SAX handler: the floor of any
 *                 libxml2-based renderer (same options and forced UTF-8 input);
 *   (b) libxml2+SAX  the SAX driver that was src/mail/mail_html.c up to this
 *                 change, kept below (names prefixed lx_) as the baseline and as
 *                 the oracle of --diff;
 *   (c) vigil     vg_mail__html(), the HTML5-style tokenizer.
 *
 * MB/s is HTML bytes over process CPU time (one core; --only picks some of
 * a, b, c); us/call is the wall time of each part, the best of the passes
 * (mean, median, 99th percentile). --diff runs (b) and (c) on every part and
 * counts the parts whose visible text, hidden text, links, forms or flags
 * differ, printing the first N of each kind; --write puts both outputs of
 * every such part in DIR/I.{old,new}.{text,hidden,urls}. Exits 0 with a
 * message when the corpora are absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "../src/mail/mail_internal.h"

/* ==== (b) the libxml2 SAX driver, as it was in src/mail/mail_html.c ===================== */

#define LX_ANCHOR_TEXT_MAX 256
#define LX_SCRIPT_MAX (64u << 10)
#define LX_SAX_MAX_DEPTH 256

enum { LX_SKIP = 1, LX_SCRIPT = 2, LX_HIDDEN = 4, LX_ANCHOR = 8, LX_FORM = 16, LX_BLOCK = 32 };

typedef struct lx_state {
    vg_mail_builder *b;
    vg_buf *text;
    bool attachment;
    unsigned base_flags;
    unsigned seen;
    size_t cap;
    bool space, hspace;
    unsigned char flags[LX_SAX_MAX_DEPTH];
    int depth;
    int overflow;
    unsigned skip, script, hidden;
    char *href;
    char atext[LX_ANCHOR_TEXT_MAX];
    size_t alen;
    bool aspace;
    char *alt;
    bool anchor_hidden;
    long form;
    vg_buf script_text;
} lx_state;

static bool lx_name_is(const xmlChar *n, const char *s)
{
    return n && strcasecmp((const char *)n, s) == 0;
}

static const char *lx_attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts && atts[i]; i += 2) {
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    }
    return NULL;
}

static bool lx_is_block(const xmlChar *n)
{
    static const char *const blocks[] = {
        "p",  "div", "br",    "tr",  "li",         "h1",      "h2",      "h3",     "h4",
        "h5", "h6",  "table", "ul",  "ol",         "blockquote", "section", "article", "header",
        "footer", "hr", "dd", "dt", "pre", "address", "center", "form", "title", NULL};
    for (const char *const *b = blocks; *b; b++) {
        if (lx_name_is(n, *b))
            return true;
    }
    return false;
}

static bool lx_hides(const xmlChar **atts)
{
    if (lx_attr(atts, "hidden"))
        return true;
    const char *st = lx_attr(atts, "style");
    if (!st)
        return false;
    char s[512];
    size_t k = 0;
    for (const char *p = st; *p && k + 1 < sizeof s; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            continue;
        s[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    }
    s[k] = 0;
    if (strstr(s, "display:none") || strstr(s, "visibility:hidden"))
        return true;
    const char *f = strstr(s, "font-size:");
    if (f) {
        f += 10;
        if (f[0] == '0' && (f[1] == 0 || f[1] == ';' || f[1] == 'p' || f[1] == 'e' ||
                            f[1] == 'r' || f[1] == '!' || (f[1] == '.' && f[2] == '0')))
            return true;
        if (f[0] == '1' && f[1] == 'p' && f[2] == 'x')
            return true;
    }
    const char *o = strstr(s, "opacity:");
    if (o && o[8] == '0' && (o[9] == 0 || o[9] == ';' || o[9] == '!' ||
                             (o[9] == '.' && o[10] == '0')))
        return true;
    if ((strstr(s, "max-height:0") || strstr(s, "height:0") || strstr(s, "width:0")) &&
        strstr(s, "overflow:hidden"))
        return true;
    return false;
}

static void lx_put_text(vg_buf *b, const char *t, size_t n, bool *space, size_t cap)
{
    const unsigned char *p = (const unsigned char *)t;
    for (size_t i = 0; i < n; i++) {
        if (b->n >= cap)
            return;
        unsigned c = p[i];
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
        if (c == 0xC2 && i + 1 < n && p[i + 1] == 0xA0) {
            ws = true;
            i++;
        }
        if (ws) {
            *space = true;
            continue;
        }
        if (*space && b->n > 0 && b->p[b->n - 1] != '\n')
            vg_buf_putc(b, ' ');
        *space = false;
        vg_buf_putc(b, (char)c);
    }
}

static void lx_newline(vg_buf *b, bool *space)
{
    if (b->n > 0 && b->p[b->n - 1] != '\n')
        vg_buf_putc(b, '\n');
    *space = false;
}

static void lx_anchor_text(lx_state *s, const char *t, size_t n)
{
    for (size_t i = 0; i < n && s->alen + 2 < sizeof s->atext; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            s->aspace = s->alen > 0;
            continue;
        }
        if (s->aspace)
            s->atext[s->alen++] = ' ';
        s->aspace = false;
        s->atext[s->alen++] = (char)c;
    }
}

static void lx_meta_refresh(vg_mail_builder *b, const char *content, unsigned flags)
{
    const char *u = strcasestr(content, "url=");
    if (!u)
        return;
    u += 4;
    while (*u == ' ' || *u == '\'' || *u == '"')
        u++;
    size_t n = strlen(u);
    while (n && (u[n - 1] == '\'' || u[n - 1] == '"' || u[n - 1] == ' '))
        n--;
    vg_mail__add_url(b, u, n, NULL, VG_URL_REFRESH, flags);
}

static bool lx_script_redirect(const char *s)
{
    return strstr(s, "location.href") || strstr(s, "location.replace") ||
           strstr(s, "window.location") || strstr(s, "document.location") ||
           strstr(s, "location.assign") || strstr(s, "atob(") || strstr(s, "unescape(") ||
           strstr(s, "document.write(");
}

static vg_mail_form *lx_current_form(lx_state *s)
{
    return s->form >= 0 ? &((vg_mail_form *)s->b->forms.v)[s->form] : NULL;
}

static vg_mail_form *lx_new_form(lx_state *s)
{
    vg_mail_parser *p = s->b->p;
    vg_mail_form *f = AVEC_PUSH(p->arena, &s->b->forms, vg_mail_form);
    memset(f, 0, sizeof *f);
    f->action_host = "";
    f->in_attachment = s->attachment;
    s->seen |= VG_ATT_F_HTML_FORM;
    s->form = (long)(s->b->forms.n - 1);
    return f;
}

static void lx_on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    lx_state *s = ctx;
    vg_mail_builder *b = s->b;
    vg_mail_parser *p = b->p;
    unsigned char fl = 0;
    bool in_skip = s->skip > 0 || s->script > 0;
    if (lx_name_is(name, "script")) {
        fl |= LX_SCRIPT;
        s->seen |= VG_ATT_F_HTML_SCRIPT;
        const char *src = lx_attr(atts, "src");
        if (src)
            vg_mail__add_url(b, src, strlen(src), NULL, VG_URL_EMBED, s->base_flags);
    } else if (lx_name_is(name, "style") || lx_name_is(name, "template") ||
               (lx_name_is(name, "noscript") && s->attachment) ||
               (lx_name_is(name, "title") && !s->attachment)) {
        fl |= LX_SKIP;
    } else if (lx_name_is(name, "meta")) {
        const char *he = lx_attr(atts, "http-equiv");
        const char *ct = lx_attr(atts, "content");
        if (he && ct && strcasecmp(he, "refresh") == 0)
            lx_meta_refresh(b, ct, s->base_flags);
    }
    if (!(fl & (LX_SKIP | LX_SCRIPT)) && !in_skip && s->hidden == 0 && lx_hides(atts))
        fl |= LX_HIDDEN;
    bool hidden = s->hidden > 0 || (fl & LX_HIDDEN);
    unsigned uf = s->base_flags | (hidden ? VG_URL_F_HIDDEN : 0);
    if (!in_skip) {
        if ((lx_name_is(name, "a") || lx_name_is(name, "area")) && !s->href) {
            const char *href = lx_attr(atts, "href");
            if (href && *href) {
                fl |= LX_ANCHOR;
                s->href = vg_arena_strdup(p->arena, href);
                s->alen = 0;
                s->aspace = false;
                s->alt = NULL;
                s->anchor_hidden = hidden;
            }
        } else if (lx_name_is(name, "img") && s->href && !s->alt) {
            const char *alt = lx_attr(atts, "alt");
            if (alt && *alt)
                s->alt = vg_arena_strdup(p->arena, alt);
        } else if (lx_name_is(name, "iframe") || lx_name_is(name, "embed") ||
                   lx_name_is(name, "frame")) {
            const char *src = lx_attr(atts, "src");
            if (src)
                vg_mail__add_url(b, src, strlen(src), NULL, VG_URL_EMBED, uf);
        } else if (lx_name_is(name, "object")) {
            const char *src = lx_attr(atts, "data");
            if (src)
                vg_mail__add_url(b, src, strlen(src), NULL, VG_URL_EMBED, uf);
        } else if (lx_name_is(name, "form")) {
            fl |= LX_FORM;
            vg_mail_form *f = lx_new_form(s);
            const char *act = lx_attr(atts, "action");
            if (act && *act) {
                f->action = vg_arena_strdup(p->arena, act);
                char host[256];
                if (vg_mail_url_host(act, strlen(act), host, sizeof host, NULL))
                    f->action_host = vg_arena_strdup(p->arena, host);
                vg_mail__add_url(b, act, strlen(act), NULL, VG_URL_FORM, uf);
            }
        } else if (lx_name_is(name, "input") || lx_name_is(name, "textarea") ||
                   lx_name_is(name, "select")) {
            const char *type = lx_attr(atts, "type");
            const char *nm = lx_attr(atts, "name");
            bool pw = type && strcasecmp(type, "password") == 0;
            vg_mail_form *f = lx_current_form(s);
            if (!f && pw)
                f = lx_new_form(s);
            if (f) {
                f->inputs++;
                if (pw)
                    f->password_inputs++;
                else if (type && strcasecmp(type, "hidden") == 0)
                    f->hidden_inputs++;
                else if ((type && strcasecmp(type, "email") == 0) ||
                         (nm && (strcasestr(nm, "email") || strcasestr(nm, "login") ||
                                 strcasestr(nm, "user"))))
                    f->email_inputs++;
                if (nm && (strcasestr(nm, "pass") || strcasestr(nm, "pwd")) && !pw)
                    f->password_inputs++;
            }
        }
        if (lx_is_block(name)) {
            fl |= LX_BLOCK;
            if (!hidden)
                lx_newline(s->text, &s->space);
        } else if (lx_name_is(name, "td") || lx_name_is(name, "th") || lx_name_is(name, "img")) {
            if (!hidden)
                s->space = true;
        }
    }
    if (s->depth < LX_SAX_MAX_DEPTH) {
        s->flags[s->depth++] = fl;
        s->skip += (fl & LX_SKIP) != 0;
        s->script += (fl & LX_SCRIPT) != 0;
        s->hidden += (fl & LX_HIDDEN) != 0;
    } else {
        s->overflow++;
    }
}

static void lx_close_anchor(lx_state *s)
{
    vg_mail_builder *b = s->b;
    vg_mail_parser *p = b->p;
    size_t k = s->alen;
    while (k > 0 && ((unsigned char)s->atext[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && (unsigned char)s->atext[k - 1] >= 0xC0)
        k--;
    if (k < s->alen && k + 4 > s->alen) {
        if (vg_utf8_valid(s->atext, s->alen))
            k = s->alen;
    }
    s->atext[k] = 0;
    const char *tx = k ? vg_arena_strdup(p->arena, s->atext) : s->alt;
    unsigned fl = s->base_flags | (s->anchor_hidden ? VG_URL_F_HIDDEN : 0);
    vg_mail__add_url(b, s->href, strlen(s->href), tx, VG_URL_HREF, fl);
    if (s->anchor_hidden)
        b->m->evidence |= VG_MAIL_EV_HIDDEN_LINKS;
    s->href = NULL;
}

static void lx_on_end(void *ctx, const xmlChar *name)
{
    lx_state *s = ctx;
    (void)name;
    if (s->overflow > 0) {
        s->overflow--;
        return;
    }
    if (s->depth == 0)
        return;
    unsigned char fl = s->flags[--s->depth];
    if (fl & LX_SCRIPT) {
        s->script--;
        if (s->script_text.n && lx_script_redirect(s->script_text.p ? s->script_text.p : ""))
            vg_mail__scan_text_urls(s->b, s->script_text.p, s->script_text.n, s->base_flags);
        vg_buf_reset(&s->script_text);
    }
    s->skip -= (fl & LX_SKIP) != 0;
    if (fl & LX_ANCHOR)
        lx_close_anchor(s);
    if ((fl & LX_FORM) && s->form >= 0)
        s->form = -1;
    bool was_hidden = s->hidden > 0;
    s->hidden -= (fl & LX_HIDDEN) != 0;
    if ((fl & LX_BLOCK) && !was_hidden)
        lx_newline(s->text, &s->space);
}

static void lx_on_text(void *ctx, const xmlChar *ch, int len)
{
    lx_state *s = ctx;
    if (len <= 0)
        return;
    if (s->script > 0) {
        if (s->script_text.n + (size_t)len <= LX_SCRIPT_MAX)
            vg_buf_append(&s->script_text, ch, (size_t)len);
        return;
    }
    if (s->skip > 0)
        return;
    if (s->hidden > 0) {
        size_t before = s->b->hidden.n;
        lx_put_text(&s->b->hidden, (const char *)ch, (size_t)len, &s->hspace, s->cap);
        if (s->b->hidden.n > before)
            s->b->m->evidence |= VG_MAIL_EV_HIDDEN_TEXT;
        s->hspace = true;
    } else {
        lx_put_text(s->text, (const char *)ch, (size_t)len, &s->space, s->cap);
    }
    if (s->href)
        lx_anchor_text(s, (const char *)ch, (size_t)len);
}

/* htmlCreateMemoryParserCtxt with vigil's options and the input forced to UTF-8. */
static htmlParserCtxtPtr lx_ctxt(const char *html, size_t n)
{
    htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(html, (int)n);
    if (!ctxt)
        return NULL;
    memset(ctxt->sax, 0, sizeof *ctxt->sax);
    ctxt->sax->initialized = 1;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
    if (utf8) {
        xmlSwitchToEncoding(ctxt, utf8);
        if (ctxt->input) {
            if (ctxt->input->encoding)
                xmlFree((xmlChar *)ctxt->input->encoding);
            ctxt->input->encoding = xmlStrdup(BAD_CAST "UTF-8");
        }
    }
    return ctxt;
}

static void lx_free(htmlParserCtxtPtr ctxt)
{
    if (ctxt->myDoc)
        xmlFreeDoc(ctxt->myDoc);
    htmlFreeParserCtxt(ctxt);
}

static unsigned lx_html(vg_mail_builder *b, const char *html, size_t n, bool attachment,
                        vg_buf *text_out)
{
    vg_mail_parser *p = b->p;
    if (n == 0)
        return 0;
    if (n > p->opts.limits.max_html_bytes) {
        n = p->opts.limits.max_html_bytes;
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    }
    if (n > INT32_MAX)
        n = INT32_MAX;
    htmlParserCtxtPtr ctxt = lx_ctxt(html, n);
    if (!ctxt)
        return 0;
    lx_state *s = vg_xcalloc(1, sizeof *s);
    s->b = b;
    s->text = text_out;
    s->attachment = attachment;
    s->base_flags = attachment ? VG_URL_F_ATTACHMENT : 0;
    s->cap = p->opts.limits.max_text_bytes;
    s->form = -1;
    vg_buf_init(&s->script_text, 0);
    ctxt->sax->startElement = lx_on_start;
    ctxt->sax->endElement = lx_on_end;
    ctxt->sax->characters = lx_on_text;
    ctxt->sax->cdataBlock = lx_on_text;
    ctxt->userData = s;
    htmlParseDocument(ctxt);
    if (s->href)
        lx_close_anchor(s);
    lx_free(ctxt);
    if (text_out->n >= s->cap)
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    lx_newline(text_out, &s->space);
    unsigned seen = s->seen;
    vg_buf_free(&s->script_text);
    free(s);
    return seen;
}

/* ==== (a) libxml2 with an empty SAX handler ============================================== */

static unsigned floor_html(vg_mail_builder *b, const char *html, size_t n, bool attachment,
                           vg_buf *text_out)
{
    (void)b, (void)attachment, (void)text_out;
    if (n == 0)
        return 0;
    htmlParserCtxtPtr ctxt = lx_ctxt(html, n);
    if (!ctxt)
        return 0;
    htmlParseDocument(ctxt);
    lx_free(ctxt);
    return 0;
}

/* ==== the corpus ========================================================================= */

static const char *const SETS[] = {"phishing_pot/email", "phishing_pot_themed/email", "modern_ham",
                                   "spamassassin_corpus"};
#define NSETS (sizeof SETS / sizeof SETS[0])

typedef struct part {
    char *html;
    size_t n;
    int set;
    char *file;
} part;

static part *parts;
static size_t nparts, capparts;
static size_t set_bytes[NSETS], set_parts[NSETS];

static void add_part(const unsigned char *data, size_t n, const char *charset, int set,
                     const char *file)
{
    vg_buf conv;
    vg_buf_init(&conv, 0);
    vg_mail__to_utf8(charset, data, n, &conv);
    if (conv.n == 0) {
        vg_buf_free(&conv);
        return;
    }
    if (nparts == capparts) {
        capparts = capparts ? capparts * 2 : 1024;
        parts = vg_xrealloc(parts, capparts * sizeof *parts);
    }
    part *pt = &parts[nparts++];
    pt->n = conv.n;
    pt->html = vg_buf_steal(&conv);
    pt->set = set;
    pt->file = vg_xstrdup(file);
    set_bytes[set] += pt->n;
    set_parts[set]++;
}

static void collect(GMimeObject *o, int depth, int set, const char *file)
{
    if (!o || depth > 32)
        return;
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int count = g_mime_multipart_get_count(mp);
        for (int i = 0; i < count; i++)
            collect(g_mime_multipart_get_part(mp, i), depth + 1, set, file);
    } else if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        if (m)
            collect(g_mime_message_get_mime_part(m), depth + 1, set, file);
    } else if (GMIME_IS_PART(o)) {
        GMimeContentType *ct = g_mime_object_get_content_type(o);
        if (!ct || !g_mime_content_type_is_type(ct, "text", "html"))
            return;
        GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
        if (!w)
            return;
        GMimeStream *mem = g_mime_stream_mem_new();
        g_mime_data_wrapper_write_to_stream(w, mem);
        GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        if (arr && arr->len)
            add_part(arr->data, arr->len, g_mime_content_type_get_parameter(ct, "charset"), set,
                     file);
        g_object_unref(mem);
    }
}

static void load_set(const char *data_dir, int set)
{
    char path[8192];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", data_dir, SETS[set]) >= sizeof path)
        return;
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    vg_mail_source *src;
    vg_error e;
    if (vg_mail_source_open(&src, path, &lim, &e) != VG_OK)
        return;
    vg_mail_item it;
    for (;;) {
        vg_err r = vg_mail_source_next(src, &it, &e);
        if (r == VG_ENOTFOUND)
            break;
        if (r != VG_OK)
            continue;
        GMimeStream *s = g_mime_stream_mem_new_with_buffer(it.data, it.len);
        GMimeParser *gp = g_mime_parser_new_with_stream(s);
        GMimeMessage *gm = g_mime_parser_construct_message(gp, NULL);
        if (gm) {
            collect(g_mime_message_get_mime_part(gm), 0, set, it.name);
            g_object_unref(gm);
        }
        g_object_unref(gp);
        g_object_unref(s);
    }
    vg_mail_source_close(src);
}

static const char *find_data(const char *arg)
{
    static char buf[4096];
    if (arg)
        return arg;
    const char *env = getenv("VIGIL_SHARED");
    if (env) {
        snprintf(buf, sizeof buf, "%s/data", env);
        return buf;
    }
    const char *const tries[] = {"../shared/data", "../../shared/data", "../../../shared/data"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        struct stat st;
        if (stat(tries[i], &st) == 0 && S_ISDIR(st.st_mode))
            return tries[i];
    }
    return "../shared/data";
}

/* ==== a builder to render into =========================================================== */

typedef struct rig {
    vg_mail_parser *p;
    vg_mail_msg m;
    vg_mail_builder b;
    vg_buf text;
} rig;

static void rig_init(rig *r)
{
    vg_error e;
    if (vg_mail_parser_new(&r->p, NULL, &e) != VG_OK) {
        fprintf(stderr, "bench_mail_html: cannot create a mail parser\n");
        exit(1);
    }
    memset(&r->b, 0, sizeof r->b);
    vg_buf_init(&r->b.hidden, 0);
    vg_buf_init(&r->text, 0);
}

static void rig_reset(rig *r)
{
    vg_arena_reset(r->p->arena);
    memset(&r->m, 0, sizeof r->m);
    vg_buf hidden = r->b.hidden;
    memset(&r->b, 0, sizeof r->b);
    r->b.p = r->p;
    r->b.m = &r->m;
    r->b.hidden = hidden;
    vg_buf_reset(&r->b.hidden);
    vg_buf_reset(&r->text);
}

static void rig_free(rig *r)
{
    vg_buf_free(&r->b.hidden);
    vg_buf_free(&r->text);
    vg_mail_parser_free(r->p);
}

/* ==== timing ============================================================================ */

typedef unsigned (*render_fn)(vg_mail_builder *, const char *, size_t, bool, vg_buf *);

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run(const char *label, render_fn fn, rig *r, int passes, bool attach, double *us)
{
    double cpu = 0, total_bytes = 0;
    double set_cpu[NSETS] = {0};
    for (int pass = 0; pass < passes; pass++) {
        for (size_t i = 0; i < nparts; i++) {
            rig_reset(r);
            double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
            fn(&r->b, parts[i].html, parts[i].n, attach, &r->text);
            double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
            cpu += c1 - c0;
            set_cpu[parts[i].set] += c1 - c0;
            total_bytes += (double)parts[i].n;
            if (pass == 0)
                us[i] = (w1 - w0) * 1e6;
            else if ((w1 - w0) * 1e6 < us[i])
                us[i] = (w1 - w0) * 1e6; /* best of the passes */
        }
    }
    double mean = 0;
    for (size_t i = 0; i < nparts; i++)
        mean += us[i];
    mean /= (double)nparts;
    qsort(us, nparts, sizeof *us, cmp_double);
    printf("%-16s %9.1f %9.1f %9.1f %9.1f |", label, total_bytes / cpu / 1e6, mean,
           us[nparts / 2], us[nparts * 99 / 100]);
    for (size_t s = 0; s < NSETS; s++)
        printf(" %9.1f", set_cpu[s] > 0 ? (double)set_bytes[s] * passes / set_cpu[s] / 1e6 : 0.0);
    printf("\n");
}

/* ==== --diff: (b) against (c) ============================================================ */

typedef struct result {
    char *text, *hidden;
    unsigned seen, evidence;
    vg_buf urls, forms;
    vg_buf keys; /* "source flags url\n" per link, without its text */
} result;

/* Is every line of a also in b? (print: those that are not, with a prefix) */
static bool lines_in_p(const char *a, const char *b, const char *print);
static bool lines_in(const char *a, const char *b) { return lines_in_p(a, b, NULL); }
static bool lines_in_p(const char *a, const char *b, const char *print)
{
    bool all = true;
    while (*a) {
        const char *nl = strchr(a, '\n');
        size_t n = nl ? (size_t)(nl - a) + 1 : strlen(a);
        bool found = false;
        for (const char *q = b; *q;) {
            const char *qn = strchr(q, '\n');
            size_t m = qn ? (size_t)(qn - q) + 1 : strlen(q);
            if (m == n && memcmp(a, q, n) == 0) {
                found = true;
                break;
            }
            q += m;
        }
        if (!found) {
            all = false;
            if (!print)
                return false;
            printf("    %s %.*s", print, (int)(n > 200 ? 200 : n), a);
            if (n > 200)
                printf("...\n");
        }
        a += n;
    }
    return all;
}

static void capture(rig *r, unsigned seen, result *o)
{
    o->text = vg_xstrdup(vg_buf_cstr(&r->text));
    o->hidden = vg_xstrdup(vg_buf_cstr(&r->b.hidden));
    o->seen = seen;
    o->evidence = r->m.evidence;
    vg_buf_init(&o->urls, 0);
    vg_buf_init(&o->forms, 0);
    vg_buf_init(&o->keys, 0);
    const vg_mail_url *u = r->b.urls.v;
    for (size_t i = 0; i < r->b.urls.n; i++) {
        vg_buf_printf(&o->urls, "  %d %#x %s [%s]\n", (int)u[i].source, u[i].flags, u[i].url,
                      u[i].text ? u[i].text : "-");
        vg_buf_printf(&o->keys, "%d %#x ", (int)u[i].source, u[i].flags);
        for (const unsigned char *c = (const unsigned char *)u[i].url; *c; c++) {
            if (*c < 32 || *c == 127)
                vg_buf_printf(&o->keys, "\\x%02x", *c);
            else
                vg_buf_putc(&o->keys, (char)*c);
        }
        vg_buf_putc(&o->keys, '\n');
    }
    const vg_mail_form *f = r->b.forms.v;
    for (size_t i = 0; i < r->b.forms.n; i++)
        vg_buf_printf(&o->forms, "  %s (%s) in=%u pw=%u em=%u hid=%u att=%d\n",
                      f[i].action ? f[i].action : "-", f[i].action_host, f[i].inputs,
                      f[i].password_inputs, f[i].email_inputs, f[i].hidden_inputs,
                      f[i].in_attachment);
}

static void result_free(result *o)
{
    free(o->text);
    free(o->hidden);
    vg_buf_free(&o->urls);
    vg_buf_free(&o->forms);
    vg_buf_free(&o->keys);
}

/* Equal once all whitespace is removed? */
static bool same_but_space(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '\n')
            a++;
        while (*b == ' ' || *b == '\n')
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++, b++;
    }
}

static void show_first_diff(const char *what, const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t from = i > 60 ? i - 60 : 0;
    printf("    %s differs at byte %zu:\n      old: \"%.*s\"\n      new: \"%.*s\"\n", what, i,
           (int)(strlen(a + from) < 160 ? strlen(a + from) : 160), a + from,
           (int)(strlen(b + from) < 160 ? strlen(b + from) : 160), b + from);
}

static void write_file(const char *dir, size_t i, const char *what, const char *text)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%zu.%s", dir, i, what);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int diff(rig *ra, rig *rb, bool attach, int show, const char *write_dir)
{
    enum { D_TEXT, D_TEXT_WS, D_HIDDEN, D_HIDDEN_WS, D_LOST, D_GAINED, D_URLS, D_FORMS, D_SEEN,
           D_EV, D_N };
    static const char *const names[D_N] = {
        "visible text",      "visible text (whitespace only)", "hidden text",
        "hidden text (whitespace only)", "links lost (url/source/flags)", "links gained",
        "link texts or order", "forms", "form/script flags", "evidence bits"};
    size_t count[D_N] = {0};
    int shown[D_N] = {0};
    for (size_t i = 0; i < nparts; i++) {
        result a, b;
        rig_reset(ra);
        capture(ra, lx_html(&ra->b, parts[i].html, parts[i].n, attach, &ra->text), &a);
        rig_reset(rb);
        capture(rb, vg_mail__html(&rb->b, parts[i].html, parts[i].n, attach, &rb->text), &b);
        bool d[D_N] = {0};
        if (strcmp(a.text, b.text) != 0)
            d[same_but_space(a.text, b.text) ? D_TEXT_WS : D_TEXT] = true;
        if (strcmp(a.hidden, b.hidden) != 0)
            d[same_but_space(a.hidden, b.hidden) ? D_HIDDEN_WS : D_HIDDEN] = true;
        d[D_LOST] = !lines_in(vg_buf_cstr(&a.keys), vg_buf_cstr(&b.keys));
        d[D_GAINED] = !lines_in(vg_buf_cstr(&b.keys), vg_buf_cstr(&a.keys));
        d[D_URLS] = !d[D_LOST] && !d[D_GAINED] &&
                    strcmp(vg_buf_cstr(&a.urls), vg_buf_cstr(&b.urls)) != 0;
        d[D_FORMS] = strcmp(vg_buf_cstr(&a.forms), vg_buf_cstr(&b.forms)) != 0;
        d[D_SEEN] = a.seen != b.seen;
        if (write_dir && (d[D_TEXT] || d[D_HIDDEN] || d[D_LOST] || d[D_GAINED] || d[D_URLS])) {
            write_file(write_dir, i, "old.text", a.text);
            write_file(write_dir, i, "new.text", b.text);
            write_file(write_dir, i, "old.hidden", a.hidden);
            write_file(write_dir, i, "new.hidden", b.hidden);
            write_file(write_dir, i, "old.urls", vg_buf_cstr(&a.urls));
            write_file(write_dir, i, "new.urls", vg_buf_cstr(&b.urls));
        }
        d[D_EV] = a.evidence != b.evidence;
        for (int k = 0; k < D_N; k++) {
            if (!d[k])
                continue;
            count[k]++;
            if (shown[k]++ >= show)
                continue;
            printf("[%s] part %zu (%s, %zu bytes)\n", names[k], i, parts[i].file, parts[i].n);
            if (k == D_TEXT || k == D_TEXT_WS)
                show_first_diff("text", a.text, b.text);
            else if (k == D_HIDDEN || k == D_HIDDEN_WS)
                show_first_diff("hidden", a.hidden, b.hidden);
            else if (k == D_LOST || k == D_GAINED) {
                lines_in_p(vg_buf_cstr(&a.keys), vg_buf_cstr(&b.keys), "old only:");
                lines_in_p(vg_buf_cstr(&b.keys), vg_buf_cstr(&a.keys), "new only:");
            } else if (k == D_URLS)
                printf("    old:\n%s    new:\n%s", vg_buf_cstr(&a.urls), vg_buf_cstr(&b.urls));
            else if (k == D_FORMS)
                printf("    old:\n%s    new:\n%s", vg_buf_cstr(&a.forms), vg_buf_cstr(&b.forms));
            else if (k == D_SEEN)
                printf("    old %#x new %#x\n", a.seen, b.seen);
            else
                printf("    old %#x new %#x\n", a.evidence, b.evidence);
        }
        result_free(&a);
        result_free(&b);
    }
    printf("\n%zu HTML parts compared (%s); parts that differ:\n", nparts,
           attach ? "as attachments" : "as bodies");
    for (int k = 0; k < D_N; k++)
        printf("  %-32s %zu\n", names[k], count[k]);
    return 0;
}

/* ==== main ============================================================================== */

int main(int argc, char **argv)
{
    const char *data_arg = NULL;
    int passes = 3, show = 5;
    bool attach = false, do_diff = false;
    const char *only = "abc";
    long dump = -1;
    const char *dump_to = NULL, *write_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data_arg = argv[++i];
        else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
            passes = atoi(argv[++i]);
        else if (strcmp(argv[i], "--show") == 0 && i + 1 < argc)
            show = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--attach") == 0)
            attach = true;
        else if (strcmp(argv[i], "--diff") == 0)
            do_diff = true;
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
            write_dir = argv[++i];
        else if (strcmp(argv[i], "--dump") == 0 && i + 2 < argc) {
            dump = atol(argv[++i]);
            dump_to = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_mail_html [--data DIR] [--passes N] [--only abc] "
                            "[--attach] "
                            "[--diff [--show N] [--write DIR]] [--dump I FILE]\n");
            return 2;
        }
    }
    if (passes < 1)
        passes = 1;
    vg_log_set_level(VG_LOG_QUIET);
    rig ra, rb;
    rig_init(&ra); /* initialises GMime and libxml2 too */
    rig_init(&rb);
    const char *data = find_data(data_arg);
    for (size_t s = 0; s < NSETS; s++)
        load_set(data, (int)s);
    if (nparts == 0) {
        printf("bench_mail_html: SKIP: no text/html parts found under %s (corpora absent; "
               "set VIGIL_SHARED or pass --data DIR)\n",
               data);
        rig_free(&ra);
        rig_free(&rb);
        return 0;
    }
    if (dump >= 0) {
        if ((size_t)dump >= nparts)
            return 2;
        FILE *f = fopen(dump_to, "wb");
        if (!f)
            return 1;
        fwrite(parts[dump].html, 1, parts[dump].n, f);
        fclose(f);
        printf("part %ld (%s) -> %s\n", dump, parts[dump].file, dump_to);
        return 0;
    }
    int rc = 0;
    if (do_diff) {
        rc = diff(&ra, &rb, attach, show, write_dir);
    } else {
        size_t total = 0;
        for (size_t s = 0; s < NSETS; s++)
            total += set_bytes[s];
        printf("HTML parts: %zu, %.1f MB (UTF-8) from %s; %d pass(es), %s\n", nparts,
               (double)total / 1e6, data, passes, attach ? "as attachments" : "as bodies");
        for (size_t s = 0; s < NSETS; s++)
            printf("  %-26s %6zu parts %8.1f MB\n", SETS[s], set_parts[s],
                   (double)set_bytes[s] / 1e6);
        printf("\n%-16s %9s %9s %9s %9s | MB/s per set: %s\n", "", "MB/s", "us mean",
               "us p50", "us p99", "pot, themed, modern, sa");
        double *us = vg_xcalloc(nparts, sizeof *us);
        if (strchr(only, 'a'))
            run("(a) libxml2", floor_html, &ra, passes, attach, us);
        if (strchr(only, 'b'))
            run("(b) libxml2+SAX", lx_html, &ra, passes, attach, us);
        if (strchr(only, 'c'))
            run("(c) vigil", vg_mail__html, &ra, passes, attach, us);
        free(us);
    }
    for (size_t i = 0; i < nparts; i++) {
        free(parts[i].html);
        free(parts[i].file);
    }
    free(parts);
    rig_free(&ra);
    rig_free(&rb);
    return rc;
}
