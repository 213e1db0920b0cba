/* mail_html.c — HTML to text with libxml2's HTML parser, driven through SAX
 * callbacks (no document tree is built): visible text (scripts, styles and
 * the head dropped, entities decoded, whitespace collapsed, blocks on their
 * own lines), text hidden by CSS kept apart as evidence, links with their
 * visible text, forms with their inputs, meta refreshes and script
 * redirects.
 *
 * State is a stack of open elements, bounded (SAX_MAX_DEPTH): deeper elements
 * are still parsed but share the flags of the deepest tracked one. libxml2
 * closes implied and unclosed elements itself and reports each end. The
 * input is UTF-8 already; the parser is told so, and <meta charset> cannot
 * change it. */
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "mail_internal.h"

#define ANCHOR_TEXT_MAX 256
#define SCRIPT_MAX (64u << 10)
#define SAX_MAX_DEPTH 256

enum { EL_SKIP = 1, EL_SCRIPT = 2, EL_HIDDEN = 4, EL_ANCHOR = 8, EL_FORM = 16, EL_BLOCK = 32 };

typedef struct sax_state {
    vg_mail_builder *b;
    vg_buf *text;
    bool attachment;
    unsigned base_flags;
    unsigned seen;
    size_t cap;
    bool space, hspace;
    /* element stack */
    unsigned char flags[SAX_MAX_DEPTH];
    int depth;    /* number of open elements */
    int overflow; /* elements open beyond SAX_MAX_DEPTH */
    unsigned skip, script, hidden; /* counts of open elements with that flag */
    /* the open anchor (outermost) */
    char *href;
    char atext[ANCHOR_TEXT_MAX];
    size_t alen;
    bool aspace;
    char *alt;
    bool anchor_hidden;
    /* the open form */
    long form;
    vg_buf script_text;
} sax_state;

static bool name_is(const xmlChar *n, const char *s) { return n && strcasecmp((const char *)n, s) == 0; }

static const char *attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts && atts[i]; i += 2) {
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    }
    return NULL;
}

static bool is_block(const xmlChar *n)
{
    static const char *const blocks[] = {
        "p",  "div", "br",    "tr",  "li",         "h1",      "h2",      "h3",     "h4",
        "h5", "h6",  "table", "ul",  "ol",         "blockquote", "section", "article", "header",
        "footer", "hr", "dd", "dt", "pre", "address", "center", "form", "title", NULL};
    for (const char *const *b = blocks; *b; b++) {
        if (name_is(n, *b))
            return true;
    }
    return false;
}

/* Does an inline style (or the hidden attribute) hide the element? */
static bool hides(const xmlChar **atts)
{
    if (attr(atts, "hidden"))
        return true;
    const char *st = attr(atts, "style");
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

/* Appends text with whitespace collapsed; *space tracks a pending space. */
static void put_text(vg_buf *b, const char *t, size_t n, bool *space, size_t cap)
{
    const unsigned char *p = (const unsigned char *)t;
    for (size_t i = 0; i < n; i++) {
        if (b->n >= cap)
            return;
        unsigned c = p[i];
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
        if (c == 0xC2 && i + 1 < n && p[i + 1] == 0xA0) { /* no-break space */
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

static void newline(vg_buf *b, bool *space)
{
    if (b->n > 0 && b->p[b->n - 1] != '\n')
        vg_buf_putc(b, '\n');
    *space = false;
}

static void anchor_text(sax_state *s, const char *t, size_t n)
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

/* "0; url=http://..." */
static void meta_refresh(vg_mail_builder *b, const char *content, unsigned flags)
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

/* window.location / location.href / location.replace( in a script. */
static bool script_redirect(const char *s)
{
    return strstr(s, "location.href") || strstr(s, "location.replace") ||
           strstr(s, "window.location") || strstr(s, "document.location") ||
           strstr(s, "location.assign") || strstr(s, "atob(") || strstr(s, "unescape(") ||
           strstr(s, "document.write(");
}

static vg_mail_form *current_form(sax_state *s)
{
    return s->form >= 0 ? &((vg_mail_form *)s->b->forms.v)[s->form] : NULL;
}

static vg_mail_form *new_form(sax_state *s)
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

static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    sax_state *s = ctx;
    vg_mail_builder *b = s->b;
    vg_mail_parser *p = b->p;
    unsigned char fl = 0;
    bool in_skip = s->skip > 0 || s->script > 0;
    if (name_is(name, "script")) {
        fl |= EL_SCRIPT;
        s->seen |= VG_ATT_F_HTML_SCRIPT;
        const char *src = attr(atts, "src");
        if (src)
            vg_mail__add_url(b, src, strlen(src), NULL, VG_URL_EMBED, s->base_flags);
    } else if (name_is(name, "style") || name_is(name, "template") ||
               (name_is(name, "noscript") && s->attachment) ||
               (name_is(name, "title") && !s->attachment)) {
        fl |= EL_SKIP; /* the title is not shown in a mail body */
    } else if (name_is(name, "meta")) {
        const char *he = attr(atts, "http-equiv");
        const char *ct = attr(atts, "content");
        if (he && ct && strcasecmp(he, "refresh") == 0)
            meta_refresh(b, ct, s->base_flags);
    }
    if (!(fl & (EL_SKIP | EL_SCRIPT)) && !in_skip && s->hidden == 0 && hides(atts))
        fl |= EL_HIDDEN;
    bool hidden = s->hidden > 0 || (fl & EL_HIDDEN);
    unsigned uf = s->base_flags | (hidden ? VG_URL_F_HIDDEN : 0);
    if (!in_skip) {
        if ((name_is(name, "a") || name_is(name, "area")) && !s->href) {
            const char *href = attr(atts, "href");
            if (href && *href) {
                fl |= EL_ANCHOR;
                s->href = vg_arena_strdup(p->arena, href);
                s->alen = 0;
                s->aspace = false;
                s->alt = NULL;
                s->anchor_hidden = hidden;
            }
        } else if (name_is(name, "img") && s->href && !s->alt) {
            const char *alt = attr(atts, "alt");
            if (alt && *alt)
                s->alt = vg_arena_strdup(p->arena, alt);
        } else if (name_is(name, "iframe") || name_is(name, "embed") || name_is(name, "frame")) {
            const char *src = attr(atts, "src");
            if (src)
                vg_mail__add_url(b, src, strlen(src), NULL, VG_URL_EMBED, uf);
        } else if (name_is(name, "object")) {
            const char *src = attr(atts, "data");
            if (src)
                vg_mail__add_url(b, src, strlen(src), NULL, VG_URL_EMBED, uf);
        } else if (name_is(name, "form")) {
            fl |= EL_FORM;
            vg_mail_form *f = new_form(s);
            const char *act = attr(atts, "action");
            if (act && *act) {
                f->action = vg_arena_strdup(p->arena, act);
                char host[256];
                if (vg_mail_url_host(act, strlen(act), host, sizeof host, NULL))
                    f->action_host = vg_arena_strdup(p->arena, host);
                vg_mail__add_url(b, act, strlen(act), NULL, VG_URL_FORM, uf);
            }
        } else if (name_is(name, "input") || name_is(name, "textarea") || name_is(name, "select")) {
            const char *type = attr(atts, "type");
            const char *nm = attr(atts, "name");
            bool pw = type && strcasecmp(type, "password") == 0;
            vg_mail_form *f = current_form(s);
            if (!f && pw)
                f = new_form(s); /* a password box outside any form: scripted submission */
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
        if (is_block(name)) {
            fl |= EL_BLOCK;
            if (!hidden)
                newline(s->text, &s->space);
        } else if (name_is(name, "td") || name_is(name, "th") || name_is(name, "img")) {
            if (!hidden)
                s->space = true; /* a cell or an image is a word boundary */
        }
    }
    /* push */
    if (s->depth < SAX_MAX_DEPTH) {
        s->flags[s->depth++] = fl;
        s->skip += (fl & EL_SKIP) != 0;
        s->script += (fl & EL_SCRIPT) != 0;
        s->hidden += (fl & EL_HIDDEN) != 0;
    } else {
        s->overflow++;
    }
}

static void close_anchor(sax_state *s)
{
    vg_mail_builder *b = s->b;
    vg_mail_parser *p = b->p;
    /* do not cut a UTF-8 sequence in half */
    size_t k = s->alen;
    while (k > 0 && ((unsigned char)s->atext[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && (unsigned char)s->atext[k - 1] >= 0xC0)
        k--;
    if (k < s->alen && k + 4 > s->alen) {
        /* the last sequence may be complete: keep it if it is */
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

static void on_end(void *ctx, const xmlChar *name)
{
    sax_state *s = ctx;
    (void)name;
    if (s->overflow > 0) {
        s->overflow--;
        return;
    }
    if (s->depth == 0)
        return;
    unsigned char fl = s->flags[--s->depth];
    if (fl & EL_SCRIPT) {
        s->script--;
        if (s->script_text.n && script_redirect(s->script_text.p ? s->script_text.p : ""))
            vg_mail__scan_text_urls(s->b, s->script_text.p, s->script_text.n, s->base_flags);
        vg_buf_reset(&s->script_text);
    }
    s->skip -= (fl & EL_SKIP) != 0;
    if (fl & EL_ANCHOR)
        close_anchor(s);
    if ((fl & EL_FORM) && s->form >= 0)
        s->form = -1;
    bool was_hidden = s->hidden > 0;
    s->hidden -= (fl & EL_HIDDEN) != 0;
    if ((fl & EL_BLOCK) && !was_hidden)
        newline(s->text, &s->space);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    sax_state *s = ctx;
    if (len <= 0)
        return;
    if (s->script > 0) {
        if (s->script_text.n + (size_t)len <= SCRIPT_MAX)
            vg_buf_append(&s->script_text, ch, (size_t)len);
        return;
    }
    if (s->skip > 0)
        return;
    if (s->hidden > 0) {
        size_t before = s->b->hidden.n;
        put_text(&s->b->hidden, (const char *)ch, (size_t)len, &s->hspace, s->cap);
        if (s->b->hidden.n > before)
            s->b->m->evidence |= VG_MAIL_EV_HIDDEN_TEXT;
        s->hspace = true;
    } else {
        put_text(s->text, (const char *)ch, (size_t)len, &s->space, s->cap);
    }
    if (s->href)
        anchor_text(s, (const char *)ch, (size_t)len);
}

unsigned vg_mail__html(vg_mail_builder *b, const char *html, size_t n, bool attachment,
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
    htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(html, (int)n);
    if (!ctxt)
        return 0;
    sax_state *s = vg_xcalloc(1, sizeof *s);
    s->b = b;
    s->text = text_out;
    s->attachment = attachment;
    s->base_flags = attachment ? VG_URL_F_ATTACHMENT : 0;
    s->cap = p->opts.limits.max_text_bytes;
    s->form = -1;
    vg_buf_init(&s->script_text, 0);
    /* our callbacks only: no tree is built */
    memset(ctxt->sax, 0, sizeof *ctxt->sax);
    ctxt->sax->initialized = 1; /* HTML SAX v1 */
    ctxt->sax->startElement = on_start;
    ctxt->sax->endElement = on_end;
    ctxt->sax->characters = on_text;
    ctxt->sax->cdataBlock = on_text;
    ctxt->userData = s;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    /* the text is UTF-8; a <meta charset> must not switch the decoder */
    xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
    if (utf8) {
        xmlSwitchToEncoding(ctxt, utf8);
        if (ctxt->input) {
            if (ctxt->input->encoding)
                xmlFree((xmlChar *)ctxt->input->encoding);
            ctxt->input->encoding = xmlStrdup(BAD_CAST "UTF-8");
        }
    }
    htmlParseDocument(ctxt);
    /* an anchor still open at the end (truncated input) */
    if (s->href)
        close_anchor(s);
    if (ctxt->myDoc)
        xmlFreeDoc(ctxt->myDoc);
    htmlFreeParserCtxt(ctxt);
    if (text_out->n >= s->cap)
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    newline(text_out, &s->space);
    unsigned seen = s->seen;
    vg_buf_free(&s->script_text);
    free(s);
    return seen;
}
