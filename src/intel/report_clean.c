/* report_clean.c — turns the bytes of a news or blog report into clean
 * paragraphs of UTF-8 text.
 *
 *  1. charset: a BOM, else valid UTF-8, else an HTML <meta charset>, else
 *     uchardet's guess (ISO-8859-1 read as windows-1252, as browsers do);
 *     converted with ICU ucnv.
 *  2. format: HTML (libxml2's HTML parser with recovery and no network;
 *     script/style/nav/footer/aside/forms and elements whose class, id or
 *     role says navigation, sharing, cookies, newsletter, comments, ... are
 *     dropped; an <article>/<main> is preferred to the whole body; title from
 *     og:title, <h1> or <title>; date from article:published_time and
 *     similar), Markdown (front matter, headings, lists, links, emphasis,
 *     code) or plain text (blank-line paragraphs; a short first line is the
 *     title).
 *  3. each paragraph: mojibake repaired (UTF-8 read as windows-1252 or
 *     windows-1251, whose tables come from ICU; runs of non-ASCII characters
 *     are mapped back to bytes and re-read as UTF-8 where that yields
 *     plausible characters), NFKC, quotes and dashes made ASCII, invisible
 *     characters dropped, white space collapsed.
 *  4. the document: boilerplate paragraphs dropped and a trailing "Related
 *     Stories" part cut; paragraphs whose 5-word shingles are already
 *     contained in the text kept so far are dropped (repeated paragraphs,
 *     and the whole-document repetition of seed 000, counted apart); a
 *     paragraph that holds its own text twice is folded.
 *
 * Limits: input VG_REPORT_MAX_BYTES, paragraphs VG_REPORT_MAX_PARAGRAPHS,
 * HTML tree depth HTML_MAX_DEPTH.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "intel/report_int.h"

#define HTML_MAX_DEPTH 256
#define TITLE_MAX_WORDS 24

typedef struct para {
    char *text;
    size_t len;
    bool heading;
} para;

typedef struct plist {
    para *v;
    size_t n, cap;
    size_t dropped; /* beyond VG_REPORT_MAX_PARAGRAPHS */
} plist;

static void plist_push(plist *l, const char *s, size_t n, bool heading)
{
    if (l->n >= VG_REPORT_MAX_PARAGRAPHS) {
        l->dropped++;
        return;
    }
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n].text = vg_xstrndup(s, n);
    l->v[l->n].len = n;
    l->v[l->n].heading = heading;
    l->n++;
}

static void plist_free(plist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
}

/* ---- 1. charset ------------------------------------------------------------------------- */

static void sniff_meta_charset(const char *d, size_t n, char *out, size_t cap)
{
    out[0] = '\0';
    size_t lim = n < 8192 ? n : 8192;
    for (size_t i = 0; i + 8 < lim; i++) {
        if (strncasecmp(d + i, "charset=", 8) != 0)
            continue;
        size_t j = i + 8;
        while (j < lim && (d[j] == '"' || d[j] == '\'' || d[j] == ' '))
            j++;
        size_t k = 0;
        while (j < lim && k + 1 < cap &&
               ((d[j] >= 'a' && d[j] <= 'z') || (d[j] >= 'A' && d[j] <= 'Z') ||
                (d[j] >= '0' && d[j] <= '9') || d[j] == '-' || d[j] == '_' || d[j] == ':'))
            out[k++] = d[j++];
        out[k] = '\0';
        return;
    }
}

static bool conv(const char *from, const char *d, size_t n, vg_buf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    size_t cap = n * 3 + 16;
    char *tmp = vg_xmalloc(cap);
    int32_t len = ucnv_convert("UTF-8", from, tmp, (int32_t)cap, d, (int32_t)n, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR && len > 0) {
        free(tmp);
        cap = (size_t)len + 1;
        tmp = vg_xmalloc(cap);
        st = U_ZERO_ERROR;
        len = ucnv_convert("UTF-8", from, tmp, (int32_t)cap, d, (int32_t)n, &st);
    }
    bool ok = U_SUCCESS(st);
    if (ok)
        vg_utf8_sanitize(out, tmp, (size_t)len);
    free(tmp);
    return ok;
}

/* Decodes d into UTF-8 (out), naming the source charset. */
static void to_utf8(const char *d, size_t n, vg_buf *out, char *charset, size_t cslen)
{
    const uint8_t *u = (const uint8_t *)d;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        snprintf(charset, cslen, "UTF-8");
        vg_utf8_sanitize(out, d + 3, n - 3);
        return;
    }
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        const char *cs = u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        snprintf(charset, cslen, "%s", cs);
        if (conv(cs, d + 2, n - 2, out))
            return;
    }
    if (vg_utf8_valid(d, n)) {
        snprintf(charset, cslen, "UTF-8");
        vg_buf_append(out, d, n);
        return;
    }
    char cs[40];
    sniff_meta_charset(d, n, cs, sizeof cs);
    if (!cs[0] || strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0) {
        cs[0] = '\0';
        uchardet_t ud = uchardet_new();
        if (ud) {
            if (uchardet_handle_data(ud, d, n) == 0) {
                uchardet_data_end(ud);
                const char *g = uchardet_get_charset(ud);
                if (g)
                    snprintf(cs, sizeof cs, "%s", g);
            }
            uchardet_delete(ud);
        }
    }
    /* Latin-1 labels mean windows-1252 in practice (WHATWG Encoding). */
    if (!cs[0] || strcasecmp(cs, "ascii") == 0 || strcasecmp(cs, "us-ascii") == 0 ||
        strcasecmp(cs, "iso-8859-1") == 0 || strcasecmp(cs, "latin1") == 0 ||
        strcasecmp(cs, "utf-8") == 0)
        snprintf(cs, sizeof cs, "WINDOWS-1252");
    for (char *p = cs; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    if (!conv(cs, d, n, out)) {
        vg_buf_reset(out);
        snprintf(cs, sizeof cs, "WINDOWS-1252");
        if (!conv(cs, d, n, out))
            vg_utf8_sanitize(out, d, n);
    }
    snprintf(charset, cslen, "%s", cs);
}

/* ---- 2a. HTML ------------------------------------------------------------------------------ */

static const char *const drop_tags[] = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "option", "textarea", "iframe", "svg", "canvas", "object", "embed", "menu",
    "dialog", "input", "label", "figure", "video", "audio", "map", NULL};

static const char *const block_tags[] = {
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li",
    "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "thead", "tbody", "blockquote",
    "pre", "figcaption", "hr", "address", "center", "body", "html", "details", "summary",
    "caption", NULL};

/* class / id words of page furniture */
static const char *const drop_words[] = {
    "nav", "navbar", "navigation", "menu", "footer", "sidebar", "share", "sharing", "social",
    "related", "newsletter", "subscribe", "subscription", "cookie", "cookies", "consent",
    "comments", "comment", "advert", "advertisement", "ad", "ads", "promo", "breadcrumb",
    "breadcrumbs", "popup", "modal", "signup", "recommended", "trending", "outbrain", "taboola",
    "widget", "toolbar", "skip", "banner", "masthead", "paywall", "sharebar", "byline-share",
    "tags", "topics", "author-bio", NULL};

static bool in_list(const char *const *l, const char *s)
{
    for (size_t i = 0; l[i]; i++)
        if (strcasecmp(l[i], s) == 0)
            return true;
    return false;
}

static bool attr_has_drop_word(const char *v)
{
    char w[48];
    size_t k = 0;
    for (const char *p = v;; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (alnum && k + 1 < sizeof w) {
            w[k++] = *p;
            continue;
        }
        if (k) {
            w[k] = '\0';
            if (in_list(drop_words, w))
                return true;
            k = 0;
        }
        if (!*p)
            break;
    }
    return false;
}

typedef struct hctx {
    plist *out;
    vg_buf cur;
    size_t root_text; /* text length of the content root */
    size_t dropped;
    bool in_article;
} hctx;

static char *prop(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static size_t text_len(xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    size_t l = c ? strlen((const char *)c) : 0;
    xmlFree(c);
    return l;
}

/* Page furniture by attributes: role, hidden, aria-hidden, class/id words
 * (only for elements holding a small part of the text, so that a
 * "page-with-sidebar" wrapper is kept). */
static bool furniture(hctx *c, xmlNode *n, const char *tag)
{
    if (strcmp(tag, "body") == 0 || strcmp(tag, "html") == 0 || strcmp(tag, "article") == 0 ||
        strcmp(tag, "main") == 0)
        return false;
    bool drop = false;
    char *v = prop(n, "role");
    if (v && (strcasecmp(v, "navigation") == 0 || strcasecmp(v, "banner") == 0 ||
              strcasecmp(v, "contentinfo") == 0 || strcasecmp(v, "complementary") == 0 ||
              strcasecmp(v, "search") == 0))
        drop = true;
    xmlFree(v);
    if (!drop && xmlHasProp(n, (const xmlChar *)"hidden"))
        drop = true;
    if (!drop) {
        v = prop(n, "aria-hidden");
        if (v && strcasecmp(v, "true") == 0)
            drop = true;
        xmlFree(v);
    }
    if (!drop) {
        char *cl = prop(n, "class");
        char *id = prop(n, "id");
        bool word = (cl && attr_has_drop_word(cl)) || (id && attr_has_drop_word(id));
        xmlFree(cl);
        xmlFree(id);
        if (word) {
            size_t l = text_len(n);
            drop = c->root_text == 0 || l * 10 < c->root_text * 4;
        }
    }
    return drop;
}

static void flush(hctx *c)
{
    vg_str s = vg_str_trim(vg_buf_str(&c->cur));
    if (s.n)
        plist_push(c->out, s.p, s.n, false);
    vg_buf_reset(&c->cur);
}

static void walk(hctx *c, xmlNode *n, int depth)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content) {
                vg_buf_puts(&c->cur, (const char *)n->content);
            }
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || !n->name)
            continue;
        char tag[32];
        snprintf(tag, sizeof tag, "%s", (const char *)n->name);
        for (char *p = tag; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        if (in_list(drop_tags, tag) || strcmp(tag, "head") == 0 || strcmp(tag, "title") == 0 ||
            (strcmp(tag, "header") == 0 && !c->in_article) || furniture(c, n, tag)) {
            if (strcmp(tag, "head") != 0 && strcmp(tag, "title") != 0)
                c->dropped++;
            continue;
        }
        if (depth >= HTML_MAX_DEPTH) {
            c->dropped++;
            continue;
        }
        bool block = in_list(block_tags, tag);
        if (strcmp(tag, "br") == 0) {
            flush(c);
            continue;
        }
        if (block)
            flush(c);
        else if (strcmp(tag, "td") == 0 || strcmp(tag, "img") == 0)
            vg_buf_putc(&c->cur, ' ');
        bool was = c->in_article;
        if (strcmp(tag, "article") == 0 || strcmp(tag, "main") == 0)
            c->in_article = true;
        walk(c, n->children, depth + 1);
        c->in_article = was;
        if (block)
            flush(c);
    }
}

typedef struct hmeta {
    char *og_title, *h1, *title, *date;
    xmlNode *best_article;
    size_t best_len;
} hmeta;

static void set_once(char **dst, const char *v)
{
    if (!*dst && v && *v)
        *dst = vg_xstrdup(v);
}

static void scan_meta(hmeta *m, xmlNode *n, int depth)
{
    for (; n && depth < HTML_MAX_DEPTH; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || !n->name)
            continue;
        const char *tag = (const char *)n->name;
        if (strcasecmp(tag, "script") == 0 || strcasecmp(tag, "style") == 0)
            continue;
        if (strcasecmp(tag, "meta") == 0) {
            char *p = prop(n, "property");
            char *nm = prop(n, "name");
            char *ip = prop(n, "itemprop");
            char *ct = prop(n, "content");
            const char *key = p ? p : nm ? nm : ip;
            if (key && ct) {
                if (strcasecmp(key, "og:title") == 0 || strcasecmp(key, "twitter:title") == 0)
                    set_once(&m->og_title, ct);
                else if (strcasecmp(key, "article:published_time") == 0 ||
                         strcasecmp(key, "datePublished") == 0 || strcasecmp(key, "date") == 0 ||
                         strcasecmp(key, "pubdate") == 0 || strcasecmp(key, "dc.date") == 0 ||
                         strcasecmp(key, "publish-date") == 0 ||
                         strcasecmp(key, "parsely-pub-date") == 0)
                    set_once(&m->date, ct);
            }
            xmlFree(p);
            xmlFree(nm);
            xmlFree(ip);
            xmlFree(ct);
            continue;
        }
        if (strcasecmp(tag, "title") == 0 && !m->title) {
            xmlChar *t = xmlNodeGetContent(n);
            set_once(&m->title, (const char *)t);
            xmlFree(t);
            continue;
        }
        if (strcasecmp(tag, "h1") == 0 && !m->h1) {
            xmlChar *t = xmlNodeGetContent(n);
            set_once(&m->h1, (const char *)t);
            xmlFree(t);
        }
        if (strcasecmp(tag, "time") == 0 && !m->date) {
            char *dt = prop(n, "datetime");
            set_once(&m->date, dt);
            xmlFree(dt);
        }
        if (strcasecmp(tag, "article") == 0 || strcasecmp(tag, "main") == 0) {
            size_t l = text_len(n);
            if (l > m->best_len) {
                m->best_len = l;
                m->best_article = n;
            }
        }
        scan_meta(m, n->children, depth + 1);
    }
}

/* "Headline | Site" / "Headline - Site": drop a short site suffix. */
static void trim_site_suffix(char *t)
{
    const char *seps[] = {" | ", " - ", " :: ", " \xe2\x80\x94 ", " \xe2\x80\x93 "};
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        char *p = NULL, *q = t;
        while ((q = strstr(q, seps[i])) != NULL) {
            p = q;
            q += strlen(seps[i]);
        }
        if (p && strlen(p + strlen(seps[i])) < 40 && p > t + 10)
            *p = '\0';
    }
}

static void html_extract(const char *d, size_t n, plist *out, char **title, char **date,
                         size_t *dropped)
{
    xmlInitParser();
    htmlDocPtr doc = htmlReadMemory(d, (int)n, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                        HTML_PARSE_COMPACT);
    if (!doc)
        return;
    xmlNode *root = xmlDocGetRootElement(doc);
    hmeta m = {0};
    scan_meta(&m, root, 0);
    hctx c = {out, {0}, 0, 0, false};
    vg_buf_init(&c.cur, 0);
    xmlNode *content = root;
    /* prefer the article when it holds a fair part of the page's text */
    if (m.best_article && m.best_len * 3 >= text_len(root)) {
        content = m.best_article;
    } else if (root) {
        for (xmlNode *k = root->children; k; k = k->next)
            if (k->type == XML_ELEMENT_NODE && strcasecmp((const char *)k->name, "body") == 0)
                content = k;
    }
    if (content) {
        c.root_text = text_len(content);
        c.in_article = content == m.best_article;
        if (content == m.best_article) {
            /* walk the article element itself (its children) */
            walk(&c, content->children, 1);
        } else {
            walk(&c, content == root ? root : content->children, 1);
        }
        flush(&c);
    }
    *dropped += c.dropped;
    vg_buf_free(&c.cur);
    if (m.og_title)
        *title = vg_xstrdup(m.og_title);
    else if (m.h1)
        *title = vg_xstrdup(m.h1);
    else if (m.title) {
        *title = vg_xstrdup(m.title);
        trim_site_suffix(*title);
    }
    if (m.date)
        *date = vg_xstrdup(m.date);
    free(m.og_title);
    free(m.h1);
    free(m.title);
    free(m.date);
    xmlFreeDoc(doc);
}

/* ---- 2b. Markdown ------------------------------------------------------------------------ */

static size_t decode_entity(const char *s, size_t n, vg_buf *o)
{
    static const struct {
        const char *name;
        const char *utf8;
    } ents[] = {{"&amp;", "&"},       {"&lt;", "<"},          {"&gt;", ">"},
                {"&quot;", "\""},     {"&#39;", "'"},         {"&apos;", "'"},
                {"&nbsp;", " "},      {"&mdash;", "\xe2\x80\x94"}, {"&ndash;", "\xe2\x80\x93"},
                {"&rsquo;", "'"},     {"&lsquo;", "'"},       {"&ldquo;", "\""},
                {"&rdquo;", "\""},    {"&hellip;", "..."}};
    for (size_t i = 0; i < sizeof ents / sizeof *ents; i++) {
        size_t l = strlen(ents[i].name);
        if (n >= l && memcmp(s, ents[i].name, l) == 0) {
            vg_buf_puts(o, ents[i].utf8);
            return l;
        }
    }
    if (n >= 4 && s[1] == '#') {
        size_t j = 2;
        int base = 10;
        if (s[j] == 'x' || s[j] == 'X') {
            base = 16;
            j++;
        }
        uint32_t cp = 0;
        size_t digits = 0;
        while (j < n && digits < 7) {
            char c = s[j];
            int v = (c >= '0' && c <= '9') ? c - '0'
                    : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (base == 16 && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                            : -1;
            if (v < 0)
                break;
            cp = cp * (uint32_t)base + (uint32_t)v;
            j++;
            digits++;
        }
        if (digits && j < n && s[j] == ';' && cp > 0 && cp < 0x110000 &&
            !(cp >= 0xD800 && cp <= 0xDFFF)) {
            char enc[4];
            vg_buf_append(o, enc, vg_utf8_encode(cp, enc));
            return j + 1;
        }
    }
    return 0;
}

static bool is_alnum_c(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

/* Inline Markdown to text: links keep their text, images and inline HTML
 * tags go, emphasis and code markers go, entities are decoded. */
static void md_inline(vg_buf *o, const char *s, size_t n, int depth)
{
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '\\' && i + 1 < n && !is_alnum_c(s[i + 1])) {
            vg_buf_putc(o, s[i + 1]);
            i += 2;
            continue;
        }
        if ((c == '!' && i + 1 < n && s[i + 1] == '[') || c == '[') {
            size_t b = c == '!' ? i + 2 : i + 1;
            size_t e = b;
            int lvl = 1;
            while (e < n && lvl && e - b < 2000) {
                if (s[e] == '[')
                    lvl++;
                else if (s[e] == ']')
                    lvl--;
                if (lvl)
                    e++;
            }
            if (e < n && e + 1 < n && !lvl && (s[e + 1] == '(' || s[e + 1] == '[')) {
                char close = s[e + 1] == '(' ? ')' : ']';
                size_t u = e + 2;
                while (u < n && s[u] != close && u - e < 2000)
                    u++;
                if (u < n) {
                    if (c != '!' && depth < 4)
                        md_inline(o, s + b, e - b, depth + 1);
                    i = u + 1;
                    continue;
                }
            }
        }
        if (c == '<') {
            size_t e = i + 1;
            while (e < n && s[e] != '>' && s[e] != '<' && e - i < 512)
                e++;
            bool tagish = e < n && s[e] == '>' && i + 1 < n &&
                          ((s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
                           (s[i + 1] >= 'A' && s[i + 1] <= 'Z') || s[i + 1] == '/' ||
                           s[i + 1] == '!');
            if (tagish) {
                i = e + 1;
                continue;
            }
        }
        if (c == '&') {
            size_t l = decode_entity(s + i, n - i, o);
            if (l) {
                i += l;
                continue;
            }
        }
        if (c == '`') {
            i++;
            continue;
        }
        if ((c == '*' || c == '~') && ((i + 1 < n && s[i + 1] == c) || c == '*')) {
            /* "**", "~~", and single '*' used as emphasis (not " * ") */
            bool spaced = (i == 0 || s[i - 1] == ' ') && (i + 1 >= n || s[i + 1] == ' ');
            if (!spaced) {
                i += (i + 1 < n && s[i + 1] == c) ? 2 : 1;
                continue;
            }
        }
        if (c == '_') {
            bool inword = i > 0 && i + 1 < n && is_alnum_c(s[i - 1]) && is_alnum_c(s[i + 1]);
            if (!inword) {
                i++;
                continue;
            }
        }
        vg_buf_putc(o, c);
        i++;
    }
}

static bool line_is(const char *l, size_t n, char ch, size_t min)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (l[i] == ch)
            k++;
        else if (l[i] != ' ' && l[i] != '\t')
            return false;
    }
    return k >= min;
}

static void md_flush(plist *out, vg_buf *cur, bool heading)
{
    vg_str s = vg_str_trim(vg_buf_str(cur));
    if (s.n)
        plist_push(out, s.p, s.n, heading);
    vg_buf_reset(cur);
}

static char *unquote_dup(const char *s, size_t n)
{
    vg_str v = vg_str_trim(vg_str_make(s, n));
    if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\'') && v.p[v.n - 1] == v.p[0]) {
        v.p++;
        v.n -= 2;
    }
    return vg_xstrndup(v.p, v.n);
}

static void md_extract(const char *d, size_t n, plist *out, char **title, char **date)
{
    vg_buf cur;
    vg_buf_init(&cur, 0);
    size_t i = 0;
    /* YAML front matter */
    if (n >= 4 && memcmp(d, "---", 3) == 0 && (d[3] == '\n' || d[3] == '\r')) {
        size_t p = 4;
        while (p < n) {
            size_t e = p;
            while (e < n && d[e] != '\n')
                e++;
            size_t le = e;
            if (le > p && d[le - 1] == '\r')
                le--;
            if ((le - p == 3 && (memcmp(d + p, "---", 3) == 0 || memcmp(d + p, "...", 3) == 0))) {
                i = e < n ? e + 1 : n;
                break;
            }
            if (le - p > 6 && strncasecmp(d + p, "title:", 6) == 0 && !*title)
                *title = unquote_dup(d + p + 6, le - p - 6);
            else if (le - p > 5 && strncasecmp(d + p, "date:", 5) == 0 && !*date)
                *date = unquote_dup(d + p + 5, le - p - 5);
            p = e + 1;
        }
    }
    bool fence = false;
    char fch = '`';
    bool prev_blank = true;
    while (i < n) {
        size_t e = i;
        while (e < n && d[e] != '\n')
            e++;
        const char *l = d + i;
        size_t ln = e - i;
        if (ln && l[ln - 1] == '\r')
            ln--;
        i = e < n ? e + 1 : n;
        size_t ind = 0;
        while (ind < ln && (l[ind] == ' ' || l[ind] == '\t'))
            ind += l[ind] == '\t' ? 4 : 1;
        size_t sk = 0;
        while (sk < ln && (l[sk] == ' ' || l[sk] == '\t'))
            sk++;
        const char *t = l + sk;
        size_t tn = ln - sk;
        if (fence) {
            if (tn >= 3 && t[0] == fch && t[1] == fch && t[2] == fch)
                fence = false;
            continue;
        }
        if (tn >= 3 && ((t[0] == '`' && t[1] == '`' && t[2] == '`') ||
                        (t[0] == '~' && t[1] == '~' && t[2] == '~'))) {
            md_flush(out, &cur, false);
            fence = true;
            fch = t[0];
            continue;
        }
        if (tn == 0) {
            md_flush(out, &cur, false);
            prev_blank = true;
            continue;
        }
        if (ind >= 4 && prev_blank && cur.n == 0)
            continue; /* indented code */
        prev_blank = false;
        if (t[0] == '#') {
            size_t h = 0;
            while (h < tn && t[h] == '#')
                h++;
            if (h <= 6 && (h == tn || t[h] == ' ')) {
                md_flush(out, &cur, false);
                size_t te = tn;
                while (te > h && (t[te - 1] == '#' || t[te - 1] == ' '))
                    te--;
                md_inline(&cur, t + h, te - h, 0);
                vg_str s = vg_str_trim(vg_buf_str(&cur));
                if (!*title && s.n)
                    *title = vg_xstrndup(s.p, s.n);
                md_flush(out, &cur, true);
                continue;
            }
        }
        if ((line_is(t, tn, '=', 2) || line_is(t, tn, '-', 2)) && cur.n) {
            vg_str s = vg_str_trim(vg_buf_str(&cur));
            if (!*title && s.n)
                *title = vg_xstrndup(s.p, s.n);
            md_flush(out, &cur, true);
            continue;
        }
        if (line_is(t, tn, '-', 3) || line_is(t, tn, '*', 3) || line_is(t, tn, '_', 3)) {
            md_flush(out, &cur, false);
            continue;
        }
        if (t[0] == '[') {
            const char *rb = memchr(t, ']', tn);
            if (rb && (size_t)(rb - t) + 1 < tn && rb[1] == ':')
                continue; /* link reference definition */
        }
        while (tn && t[0] == '>') {
            t++;
            tn--;
            while (tn && t[0] == ' ') {
                t++;
                tn--;
            }
        }
        size_t lm = 0;
        if (tn >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ')
            lm = 2;
        else {
            size_t k = 0;
            while (k < tn && k < 4 && t[k] >= '0' && t[k] <= '9')
                k++;
            if (k && k + 1 < tn && (t[k] == '.' || t[k] == ')') && t[k + 1] == ' ')
                lm = k + 2;
        }
        if (lm) {
            md_flush(out, &cur, false);
            t += lm;
            tn -= lm;
        }
        if (tn && t[0] == '|') {
            bool sep = true;
            for (size_t k = 0; k < tn; k++)
                if (!strchr("|:- \t", t[k]))
                    sep = false;
            md_flush(out, &cur, false);
            if (sep)
                continue;
            for (size_t k = 0; k < tn; k++) {
                if (t[k] == '|') {
                    if (cur.n)
                        vg_buf_puts(&cur, "; ");
                } else {
                    md_inline(&cur, t + k, 1, 0);
                }
            }
            md_flush(out, &cur, false);
            continue;
        }
        if (cur.n)
            vg_buf_putc(&cur, ' ');
        md_inline(&cur, t, tn, 0);
    }
    md_flush(out, &cur, false);
    vg_buf_free(&cur);
}

/* ---- 2c. plain text ------------------------------------------------------------------------ */

static void text_extract(const char *d, size_t n, plist *out)
{
    size_t lines = 0, blanks = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && d[e] != '\n')
            e++;
        vg_str l = vg_str_trim(vg_str_make(d + i, e - i));
        lines++;
        if (!l.n)
            blanks++;
        i = e + 1;
    }
    bool per_line = blanks == 0 && lines >= 3;
    vg_buf cur;
    vg_buf_init(&cur, 0);
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && d[e] != '\n')
            e++;
        vg_str l = vg_str_trim(vg_str_make(d + i, e - i));
        i = e + 1;
        if (!l.n || per_line) {
            md_flush(out, &cur, false);
            if (!l.n)
                continue;
        }
        if (cur.n)
            vg_buf_putc(&cur, ' ');
        vg_buf_append(&cur, l.p, l.n);
        if (per_line)
            md_flush(out, &cur, false);
    }
    md_flush(out, &cur, false);
    vg_buf_free(&cur);
}

static const char *const html_tags[] = {
    "html", "body", "head", "p", "div", "br", "article", "span", "a", "h1", "h2", "h3", "h4",
    "li", "ul", "ol", "table", "tr", "td", "section", "main", "script", "style", "meta", "title",
    "strong", "em", "b", "i", "img", "blockquote", "header", "footer", "nav", "aside", NULL};

static const char *detect_format(const char *s, size_t n)
{
    size_t tags = 0;
    bool lead_lt = false;
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
            continue;
        lead_lt = s[i] == '<';
        break;
    }
    for (size_t i = 0; i + 1 < n && tags < 4; i++) {
        if (s[i] != '<')
            continue;
        size_t j = i + 1;
        if (j < n && s[j] == '/')
            j++;
        if (j < n && s[j] == '!' && (n - j > 8) &&
            (strncasecmp(s + j, "!doctype", 8) == 0 || strncmp(s + j, "!--", 3) == 0)) {
            tags += 2;
            continue;
        }
        char name[12];
        size_t k = 0;
        while (j < n && k + 1 < sizeof name &&
               ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                (s[j] >= '0' && s[j] <= '9')))
            name[k++] = s[j++];
        name[k] = '\0';
        if (k && j < n && (s[j] == '>' || s[j] == ' ' || s[j] == '/' || s[j] == '\n') &&
            in_list(html_tags, name))
            tags++;
    }
    if (tags >= 2 || (tags >= 1 && lead_lt))
        return "html";
    size_t md = 0;
    bool bol = true;
    for (size_t i = 0; i < n && md < 3; i++) {
        if (bol) {
            if (s[i] == '#' && i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '#'))
                md += 2;
            else if (n - i > 3 && memcmp(s + i, "```", 3) == 0)
                md += 2;
            else if (s[i] == '>' && i + 1 < n && s[i + 1] == ' ')
                md++;
        }
        if (s[i] == ']' && i + 1 < n && s[i + 1] == '(')
            md++;
        if (s[i] == '*' && i + 1 < n && s[i + 1] == '*')
            md++;
        bol = s[i] == '\n';
    }
    return md >= 2 ? "markdown" : "text";
}

/* ---- 3. paragraph text ------------------------------------------------------------------------ */

/* byte 0x80+i of a legacy charset -> code point (from ICU's converter) */
typedef struct cs_table {
    uint32_t cp[128];
    bool latin_upper; /* 0xA0-0xFF are U+00A0-U+00FF (windows-1252) */
} cs_table;

static void build_table(const char *name, cs_table *t)
{
    memset(t, 0, sizeof *t);
    UErrorCode st = U_ZERO_ERROR;
    UConverter *c = ucnv_open(name, &st);
    if (U_FAILURE(st))
        return;
    for (int b = 0x80; b <= 0xFF; b++) {
        char in = (char)b;
        UChar u[4];
        st = U_ZERO_ERROR;
        ucnv_resetToUnicode(c);
        int32_t l = ucnv_toUChars(c, u, 4, &in, 1, &st);
        t->cp[b - 0x80] = (U_SUCCESS(st) && l == 1 && u[0] != 0xFFFD && u[0] != 0x1A) ? u[0] : 0;
    }
    ucnv_close(c);
    t->latin_upper = true;
    for (int b = 0xA0; b <= 0xFF; b++)
        if (t->cp[b - 0x80] != (uint32_t)b)
            t->latin_upper = false;
}

/* The byte a legacy charset writes cp as, or -1. C1 controls stand for the
 * bytes a decoder left undefined (0x81, 0x8D, ... in windows-1252). */
static int cs_byte(const cs_table *t, uint32_t cp)
{
    if (cp >= 0x80 && cp <= 0x9F)
        return (int)cp;
    if (t->latin_upper && cp >= 0xA0 && cp <= 0xFF)
        return (int)cp;
    for (int i = 0; i < 128; i++)
        if (t->cp[i] == cp)
            return 0x80 + i;
    return -1;
}

/* Characters a repaired sequence may decode to. */
static bool plausible(uint32_t cp)
{
    return (cp >= 0xA0 && cp <= 0x24F) || (cp >= 0x370 && cp <= 0x3FF) ||
           (cp >= 0x400 && cp <= 0x4FF) || (cp >= 0x590 && cp <= 0x6FF) ||
           (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x20A0 && cp <= 0x20CF) ||
           (cp >= 0x2100 && cp <= 0x22FF) || (cp >= 0x3000 && cp <= 0x30FF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x1F300 && cp <= 0x1FAFF);
}

typedef struct moji {
    cs_table t1252, t1251;
    bool built; /* tables are built on the first run of non-ASCII characters */
} moji;

/* Re-reads a run of non-ASCII code points as the bytes of one legacy
 * charset; appends the result and returns how many sequences it repaired. */
static size_t fix_run(moji *m, const uint32_t *cps, size_t n, vg_buf *o)
{
    if (!m->built) {
        build_table("windows-1252", &m->t1252);
        build_table("windows-1251", &m->t1251);
        m->built = true;
    }
    const cs_table *tabs[2] = {&m->t1252, &m->t1251};
    uint8_t *bytes = vg_xmalloc(n + 1);
    for (int ti = 0; ti < 2; ti++) {
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            int b = cs_byte(tabs[ti], cps[i]);
            if (b < 0)
                ok = false;
            else
                bytes[i] = (uint8_t)b;
        }
        if (!ok)
            continue;
        vg_buf tmp;
        vg_buf_init(&tmp, 0);
        size_t fixed = 0;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            size_t l = bytes[i] >= 0xC2 ? vg_utf8_decode(bytes + i, n - i, &cp) : 0;
            if (l >= 2 && plausible(cp)) {
                char enc[4];
                vg_buf_append(&tmp, enc, vg_utf8_encode(cp, enc));
                fixed++;
                i += l;
                continue;
            }
            /* "â€" whose third byte (0x9D, undefined in windows-1252) was lost: ” */
            if (ti == 0 && i + 2 == n && bytes[i] == 0xE2 && bytes[i + 1] == 0x80) {
                vg_buf_puts(&tmp, "\xe2\x80\x9d");
                fixed++;
                i += 2;
                continue;
            }
            char enc[4];
            vg_buf_append(&tmp, enc, vg_utf8_encode(cps[i], enc));
            i++;
        }
        if (fixed) {
            vg_buf_append(o, tmp.p, tmp.n);
            vg_buf_free(&tmp);
            free(bytes);
            return fixed;
        }
        vg_buf_free(&tmp);
    }
    free(bytes);
    for (size_t i = 0; i < n; i++) {
        char enc[4];
        vg_buf_append(o, enc, vg_utf8_encode(cps[i], enc));
    }
    return 0;
}

static bool is_latin_letter(uint32_t cp)
{
    return (cp < 0x80 && ((cp | 32) >= 'a' && (cp | 32) <= 'z')) || (cp >= 0xC0 && cp <= 0x24F);
}

static size_t repair_mojibake(moji *m, const char *s, size_t n, vg_buf *o)
{
    /* letters by script, for the residue rule below */
    size_t latin = 0, cyr = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = vg_utf8_decode((const uint8_t *)s + i, n - i, &cp);
        if (!l) {
            i++;
            continue;
        }
        if (is_latin_letter(cp))
            latin++;
        else if (cp >= 0x400 && cp <= 0x4FF)
            cyr++;
        i += l;
    }
    size_t fixed = 0;
    uint32_t *run = NULL;
    size_t rn = 0, rcap = 0;
    for (size_t i = 0; i <= n;) {
        uint32_t cp = 0;
        size_t l = 0;
        if (i < n) {
            l = vg_utf8_decode((const uint8_t *)s + i, n - i, &cp);
            if (!l) {
                l = 1;
                cp = 0xFFFD;
            }
        }
        if (i < n && cp >= 0x80) {
            run = vg_xgrow(run, &rcap, rn + 1, sizeof *run);
            run[rn++] = cp;
            i += l;
            continue;
        }
        if (rn == 1 && (run[0] == 0x420 || run[0] == 0x421) && latin > 20 * (cyr + 1) &&
            i < n && (is_latin_letter(cp) || cp == ' ')) {
            /* A lone "Р"/"С" inside Latin text: the lead byte (0xD0/0xD1
             * read as windows-1251) of a mangled punctuation sequence whose
             * other bytes were lost; it stood where a dash was. */
            vg_buf_puts(o, cp == ' ' ? "-" : "- ");
            fixed++;
        } else if (rn >= 2) {
            fixed += fix_run(m, run, rn, o);
        } else if (rn == 1) {
            char enc[4];
            vg_buf_append(o, enc, vg_utf8_encode(run[0], enc));
        }
        rn = 0;
        if (i >= n)
            break;
        vg_buf_append(o, s + i, l);
        i += l;
    }
    free(run);
    return fixed;
}

static void nfkc(const char *s, size_t n, vg_buf *o)
{
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = false;
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nz = ascii ? NULL : unorm2_getNFKCInstance(&st);
    if (!nz || U_FAILURE(st)) {
        vg_buf_append(o, s, n);
        return;
    }
    UChar *u = vg_xmalloc((n + 1) * sizeof *u);
    int32_t ul = 0;
    st = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, (int32_t)n + 1, &ul, s, (int32_t)n, 0xFFFD, NULL, &st);
    int32_t cap = ul * 3 + 16;
    UChar *v = vg_xmalloc((size_t)cap * sizeof *v);
    st = U_ZERO_ERROR;
    int32_t vl = unorm2_normalize(nz, u, ul, v, cap, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        free(v);
        cap = vl + 1;
        v = vg_xmalloc((size_t)cap * sizeof *v);
        st = U_ZERO_ERROR;
        vl = unorm2_normalize(nz, u, ul, v, cap, &st);
    }
    if (U_FAILURE(st)) {
        vg_buf_append(o, s, n);
    } else {
        int32_t need = 0;
        st = U_ZERO_ERROR;
        u_strToUTF8WithSub(NULL, 0, &need, v, vl, 0xFFFD, NULL, &st);
        char *b = vg_xmalloc((size_t)need + 1);
        st = U_ZERO_ERROR;
        u_strToUTF8WithSub(b, need + 1, &need, v, vl, 0xFFFD, NULL, &st);
        vg_buf_append(o, b, (size_t)need);
        free(b);
    }
    free(u);
    free(v);
}

/* Quotes and dashes to ASCII, invisible characters out, white space
 * collapsed, list bullets at the start dropped. */
static void charmap(const char *s, size_t n, vg_buf *o)
{
    bool pending_space = false;
    size_t start = o->n;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = vg_utf8_decode((const uint8_t *)s + i, n - i, &cp);
        if (!l) {
            i++;
            continue;
        }
        i += l;
        const char *rep = NULL;
        switch (cp) {
        case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x2035:
        case 0x02BC:
            rep = "'";
            break;
        case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x2036:
        case 0x00AB: case 0x00BB: case 0x301D: case 0x301E:
            rep = "\"";
            break;
        case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
        case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D:
            rep = "-";
            break;
        case 0x2026:
            rep = "...";
            break;
        case 0x200B: case 0x200C: case 0x200D: case 0x200E: case 0x200F: case 0x2060:
        case 0xFEFF: case 0x00AD: case 0xFFFD: case 0x202A: case 0x202B: case 0x202C:
        case 0x202D: case 0x202E: case 0x2066: case 0x2067: case 0x2068: case 0x2069:
            continue;
        default:
            break;
        }
        bool space = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 ||
                     cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
                     cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
        if (space) {
            pending_space = true;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            continue;
        /* list bullets opening the paragraph */
        if (o->n == start && (cp == 0x2022 || cp == 0x00B7 || cp == 0x25AA || cp == 0x25CF ||
                              cp == 0x25A0 || cp == 0x2023 || cp == 0x25E6))
            continue;
        if (pending_space && o->n > start)
            vg_buf_putc(o, ' ');
        pending_space = false;
        if (rep) {
            /* "--" and "---" are one dash */
            if (rep[0] == '-' && o->n > start && o->p[o->n - 1] == '-')
                continue;
            vg_buf_puts(o, rep);
        } else if (cp == '-' && o->n > start && o->p[o->n - 1] == '-') {
            continue;
        } else {
            char enc[4];
            vg_buf_append(o, enc, vg_utf8_encode(cp, enc));
        }
    }
}

static void normalize_para(moji *m, const char *s, size_t n, vg_buf *o, size_t *fixed)
{
    vg_buf a, b;
    vg_buf_init(&a, 0);
    vg_buf_init(&b, 0);
    *fixed += repair_mojibake(m, s, n, &a);
    nfkc(a.p ? a.p : "", a.n, &b);
    charmap(b.p ? b.p : "", b.n, o);
    vg_buf_free(&a);
    vg_buf_free(&b);
}

/* ---- 4. the document ----------------------------------------------------------------------- */

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* open-addressing set of 64-bit hashes (0 is never stored) */
typedef struct hset {
    uint64_t *v;
    size_t cap, n;
} hset;

static bool hset_has(const hset *s, uint64_t h)
{
    if (!s->cap)
        return false;
    h |= 1;
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == 0)
            return false;
        if (s->v[i] == h)
            return true;
    }
}

static void hset_add(hset *s, uint64_t h)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        uint64_t *nv = vg_xcalloc(nc, sizeof *nv);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i])
                continue;
            size_t j = s->v[i] & (nc - 1);
            while (nv[j])
                j = (j + 1) & (nc - 1);
            nv[j] = s->v[i];
        }
        free(s->v);
        s->v = nv;
        s->cap = nc;
    }
    h |= 1;
    size_t i = h & (s->cap - 1);
    while (s->v[i] && s->v[i] != h)
        i = (i + 1) & (s->cap - 1);
    if (!s->v[i]) {
        s->v[i] = h;
        s->n++;
    }
}

/* word hashes of a normalized line ("a b c") */
static size_t word_hashes(const char *norm, uint64_t **out, size_t **offs)
{
    size_t n = 0, cap = 0, ocap = 0;
    *out = NULL;
    if (offs)
        *offs = NULL;
    for (const char *p = norm; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        *out = vg_xgrow(*out, &cap, n + 1, sizeof **out);
        (*out)[n] = fnv(s, (size_t)(p - s));
        if (offs) {
            *offs = vg_xgrow(*offs, &ocap, n + 1, sizeof **offs);
            (*offs)[n] = (size_t)(s - norm);
        }
        n++;
    }
    return n;
}

#define SHINGLE 5

static uint64_t shingle(const uint64_t *w, size_t i)
{
    uint64_t h = 0;
    for (size_t k = 0; k < SHINGLE; k++)
        h = (h ^ w[i + k]) * 1099511628211ULL + k;
    return h;
}

/* A paragraph holding its own text two or more times ("X X"): returns the
 * byte length of X in s, or 0. Words are compared after normalization. */
static size_t self_repeat(vg_arena *a, const char *s, size_t n)
{
    char *norm = rp_norm_line(a, s, n);
    uint64_t *w;
    size_t *off;
    size_t nw = word_hashes(norm, &w, &off);
    size_t cut = 0;
    if (nw >= 24) {
        /* k copies (2-4), the last one possibly cut short: periods near nw/k */
        size_t cand[16], nc = 0;
        for (size_t k = 2; k <= 4; k++)
            for (size_t d = 0; d <= 3 && nc < 16; d++)
                if (nw / k + d >= 8)
                    cand[nc++] = nw / k + d;
        for (size_t ci = 0; ci < nc && !cut; ci++) {
            size_t p = cand[ci];
            if (p + 8 > nw || memcmp(w + p, w, 8 * sizeof *w) != 0)
                continue;
            bool periodic = true;
            for (size_t i = p; i < nw && periodic; i++)
                periodic = w[i] == w[i - p];
            if (!periodic)
                continue;
            /* find the p-th word in the original text */
            size_t seen = 0;
            bool inword = false;
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                bool wc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c >= 0x80;
                if (wc && !inword) {
                    if (seen == p) {
                        cut = i;
                        break;
                    }
                    seen++;
                }
                inword = wc;
            }
        }
    }
    free(w);
    free(off);
    return cut;
}

static size_t count_words(const char *s, size_t n)
{
    size_t w = 0;
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        bool sp = s[i] == ' ';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

static bool bp_line(const vg_report_kb *kb, const char *norm)
{
    if (!kb)
        return false;
    for (size_t i = 0; i < kb->bp_lines.n; i++)
        if (strcmp(kb->bp_lines.v[i], norm) == 0)
            return true;
    return false;
}

static bool bp_section(const vg_report_kb *kb, const char *norm)
{
    if (!kb)
        return false;
    for (size_t i = 0; i < kb->bp_section.n; i++)
        if (strcmp(kb->bp_section.v[i], norm) == 0)
            return true;
    return false;
}

static bool bp_contains(const vg_report_kb *kb, const char *fold)
{
    if (!kb)
        return false;
    for (size_t i = 0; i < kb->bp_contains.n; i++)
        if (strstr(fold, kb->bp_contains.v[i]))
            return true;
    return false;
}

/* Is the paragraph only punctuation and symbols? */
static bool no_words(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = vg_utf8_decode((const uint8_t *)s + i, n - i, &cp);
        if (!l)
            return false;
        if (u_isalnum((UChar32)cp))
            return false;
        i += l;
    }
    return true;
}

static bool title_like(const char *s, size_t n)
{
    if (!n || count_words(s, n) > TITLE_MAX_WORDS - 4)
        return false;
    char last = s[n - 1];
    return !strchr(".!?:;,", last);
}

void vg_report_doc_free(vg_report_doc *d)
{
    if (!d)
        return;
    free(d->title);
    free(d->date);
    free(d->text);
    memset(d, 0, sizeof *d);
}

/* "2020-11-13T10:00:00Z", "2020-11-13" -> "2020-11-13" */
static char *iso_date(const char *s)
{
    if (!s)
        return NULL;
    vg_str v = vg_str_trim(vg_str_from(s));
    if (v.n < 10)
        return NULL;
    for (int i = 0; i < 10; i++) {
        bool digit = v.p[i] >= '0' && v.p[i] <= '9';
        if ((i == 4 || i == 7) ? v.p[i] != '-' : !digit)
            return NULL;
    }
    int y = (v.p[0] - '0') * 1000 + (v.p[1] - '0') * 100 + (v.p[2] - '0') * 10 + (v.p[3] - '0');
    int m = (v.p[5] - '0') * 10 + (v.p[6] - '0');
    int d = (v.p[8] - '0') * 10 + (v.p[9] - '0');
    if (!vg_time_valid_date(y, m, d))
        return NULL;
    return vg_xstrndup(v.p, 10);
}

vg_err vg_report_clean(const vg_report_kb *kb, const void *data, size_t n, vg_report_doc *out,
                       vg_error *e)
{
    memset(out, 0, sizeof *out);
    if (n > VG_REPORT_MAX_BYTES)
        return vg_error_set(e, VG_ELIMIT, "report of %zu bytes exceeds the %u-byte limit", n,
                            VG_REPORT_MAX_BYTES);
    vg_buf u8;
    vg_buf_init(&u8, 0);
    to_utf8(data ? data : "", data ? n : 0, &u8, out->info.charset, sizeof out->info.charset);
    /* NULs would cut strings short */
    for (size_t i = 0; i < u8.n; i++)
        if (u8.p[i] == '\0')
            u8.p[i] = ' ';
    const char *src = u8.p ? u8.p : "";
    out->info.format = detect_format(src, u8.n);
    plist raw = {0};
    char *title = NULL, *date = NULL;
    if (strcmp(out->info.format, "html") == 0)
        html_extract(src, u8.n, &raw, &title, &date, &out->info.dropped_markup);
    else if (strcmp(out->info.format, "markdown") == 0)
        md_extract(src, u8.n, &raw, &title, &date);
    else
        text_extract(src, u8.n, &raw);
    vg_buf_free(&u8);

    moji m;
    m.built = false;
    vg_arena *a = vg_arena_new(0);

    /* normalize every paragraph; drop the empty and the punctuation-only */
    plist np = {0};
    vg_buf t;
    vg_buf_init(&t, 0);
    for (size_t i = 0; i < raw.n; i++) {
        vg_buf_reset(&t);
        normalize_para(&m, raw.v[i].text, raw.v[i].len, &t, &out->info.mojibake);
        if (t.n && !no_words(t.p, t.n))
            plist_push(&np, t.p, t.n, raw.v[i].heading);
    }
    plist_free(&raw);
    if (title) {
        vg_buf_reset(&t);
        normalize_para(&m, title, strlen(title), &t, &out->info.mojibake);
        free(title);
        title = t.n ? vg_xstrndup(t.p, t.n) : NULL;
    }
    /* plain text: a short first line followed by more text is the title */
    if (!title && strcmp(out->info.format, "text") == 0 && np.n >= 2 &&
        title_like(np.v[0].text, np.v[0].len))
        title = vg_xstrdup(np.v[0].text);

    /* boilerplate, trailing page parts */
    size_t total = 0;
    for (size_t i = 0; i < np.n; i++)
        total += np.v[i].len;
    plist kept = {0};
    size_t pos = 0;
    for (size_t i = 0; i < np.n; i++) {
        para *p = &np.v[i];
        pos += p->len;
        vg_arena_reset(a);
        char *norm = rp_norm_line(a, p->text, p->len);
        size_t words = count_words(p->text, p->len);
        if (words <= 6 && bp_section(kb, norm) && (pos - p->len) * 2 >= total) {
            out->info.boilerplate += np.n - i;
            break;
        }
        if (bp_line(kb, norm) ||
            (words <= 25 && bp_contains(kb, rp_fold(a, p->text, p->len)))) {
            out->info.boilerplate++;
            continue;
        }
        plist_push(&kept, p->text, p->len, p->heading);
    }
    plist_free(&np);

    /* repetition: paragraphs whose shingles the text so far already holds */
    hset shingles = {0}, lines = {0};
    vg_buf text;
    vg_buf_init(&text, 0);
    bool in_repeat = false;
    size_t nkept = 0;
    char *first_norm = NULL;
    for (size_t i = 0; i < kept.n; i++) {
        para *p = &kept.v[i];
        vg_arena_reset(a);
        size_t cut = self_repeat(a, p->text, p->len);
        if (cut) {
            out->info.repeats++;
            p->len = cut;
            while (p->len && p->text[p->len - 1] == ' ')
                p->len--;
            p->text[p->len] = '\0';
        }
        char *norm = rp_norm_line(a, p->text, p->len);
        uint64_t *w;
        size_t nw = word_hashes(norm, &w, NULL);
        bool dup;
        if (nw < 12) {
            dup = hset_has(&lines, fnv(norm, strlen(norm)));
        } else {
            size_t have = 0, all = nw - SHINGLE + 1;
            for (size_t k = 0; k + SHINGLE <= nw; k++)
                have += hset_has(&shingles, shingle(w, k));
            dup = have * 10 >= all * 9;
        }
        bool is_first = first_norm && strcmp(first_norm, norm) == 0;
        if (dup) {
            if (is_first) {
                out->info.repeats++;
                in_repeat = true;
            } else if (!in_repeat) {
                out->info.duplicates++;
            }
            free(w);
            continue;
        }
        in_repeat = false;
        hset_add(&lines, fnv(norm, strlen(norm)));
        for (size_t k = 0; k + SHINGLE <= nw; k++)
            hset_add(&shingles, shingle(w, k));
        free(w);
        if (!first_norm)
            first_norm = vg_xstrdup(norm);
        /* the title is not repeated as the first paragraph */
        if (nkept == 0 && title) {
            char *tn = rp_norm_line(a, title, strlen(title));
            if (strcmp(tn, norm) == 0)
                continue;
        }
        if (text.n)
            vg_buf_puts(&text, "\n\n");
        vg_buf_append(&text, p->text, p->len);
        nkept++;
    }
    out->info.paragraphs = nkept;
    free(first_norm);
    free(shingles.v);
    free(lines.v);
    plist_free(&kept);
    vg_buf_free(&t);
    vg_arena_free(a);
    out->title = title;
    out->date = iso_date(date);
    free(date);
    out->text = text.p ? vg_buf_steal(&text) : vg_xstrdup("");
    vg_buf_free(&text);
    return VG_OK;
}
