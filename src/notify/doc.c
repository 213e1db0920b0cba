/* doc.c — the document writer behind the Markdown and HTML notices and the
 * operator summary: one walk says what a document holds, this file writes it
 * in either format. Spans go through the format's one escaping function
 * (escape.c); the HTML page is self-contained: inline CSS, no script, no
 * external resource, a Content-Security-Policy that forbids both. */
#include <stdarg.h>
#include <string.h>

#include "notify/notify_int.h"

#define MD_VALUES_CAP 200 /* values per list in a notice; the JSON holds all */
#define HTML_VALUES_CAP 500

static bool md(const vg_doc *d) { return d->fmt == VG_DOC_MD; }

void vg_doc_init(vg_doc *d, vg_buf *out, vg_doc_fmt fmt, vg_tlp tlp)
{
    memset(d, 0, sizeof *d);
    d->o = out;
    d->fmt = fmt;
    d->tlp = tlp;
}

bool vg_doc_draws(const vg_doc *d) { return !md(d); }
bool vg_doc_cells_wrap(const vg_doc *d) { return !md(d); }

/* ---- the page ------------------------------------------------------------------------------ */

static void html_head(vg_buf *o, vg_tlp tlp, const char *title)
{
    vg_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; img-src data:\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    vg_buf_printf(o, "%s ", vg_tlp_label(tlp));
    vg_html_escape_cstr(o, title);
    vg_buf_puts(o, "</title>\n<style>\n"
                   "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:60em;"
                   "margin:2em auto;padding:0 1em;color:#1b1f24;line-height:1.45}\n"
                   "h1{font-size:1.5em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;"
                   "margin-top:1.6em}\n"
                   ".tlp{display:inline-block;background:#000;font-weight:bold;padding:.2em .6em;"
                   "font-family:monospace}\n"
                   ".tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber{color:#ffc000}"
                   ".tlp-red{color:#ff2b2b}\n"
                   ".alert{border:2px solid #c62828;background:#fdecea;padding:.8em 1em;"
                   "margin:1em 0}\n"
                   "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;"
                   "padding:.25em .5em;text-align:left;vertical-align:top}\n"
                   "td.n{text-align:right}.v{font-family:monospace;unicode-bidi:isolate;"
                   "word-break:break-all}\n"
                   ".meta{color:#57606a;font-size:.9em}ul.values{columns:2;font-size:.92em}\n"
                   "</style>\n</head>\n<body>\n");
}

static const char *tlp_class(vg_tlp t)
{
    switch (t) {
    case VG_TLP_CLEAR: return "tlp-clear";
    case VG_TLP_GREEN: return "tlp-green";
    case VG_TLP_RED: return "tlp-red";
    default: return "tlp-amber";
    }
}

static void html_banner(vg_buf *o, vg_tlp tlp)
{
    vg_buf_printf(o, "<p><span class=\"tlp %s\">%s</span> <span class=\"meta\">%s</span></p>\n",
                  tlp_class(tlp), vg_tlp_label(tlp), vg_tlp_meaning(tlp));
}

void vg_doc_begin(vg_doc *d, const char *title)
{
    if (md(d)) {
        vg_buf_printf(d->o, "**%s**\n\n", vg_tlp_label(d->tlp));
        return;
    }
    html_head(d->o, d->tlp, title);
    html_banner(d->o, d->tlp);
}

void vg_doc_tlp_note(vg_doc *d)
{
    if (md(d))
        vg_buf_printf(d->o, "> %s: %s\n\n", vg_tlp_label(d->tlp), vg_tlp_meaning(d->tlp));
}

void vg_doc_footer(vg_doc *d)
{
    if (md(d)) {
        vg_buf_printf(d->o, "---\n\n**%s** · ", vg_tlp_label(d->tlp));
        return;
    }
    vg_buf_puts(d->o, "<hr>\n");
    html_banner(d->o, d->tlp);
}

void vg_doc_end(vg_doc *d)
{
    if (!md(d))
        vg_buf_puts(d->o, "</body>\n</html>\n");
}

/* ---- blocks -------------------------------------------------------------------------------- */

void vg_doc_heading_begin(vg_doc *d, int level)
{
    d->level = level < 1 ? 1 : level > 6 ? 6 : level;
    if (md(d)) {
        for (int i = 0; i < d->level; i++)
            vg_buf_putc(d->o, '#');
        vg_buf_putc(d->o, ' ');
    } else {
        vg_buf_printf(d->o, "<h%d>", d->level);
    }
}

void vg_doc_heading_end(vg_doc *d)
{
    if (md(d))
        vg_buf_puts(d->o, "\n\n");
    else
        vg_buf_printf(d->o, "</h%d>\n", d->level);
}

void vg_doc_heading(vg_doc *d, int level, const char *fmt, ...)
{
    vg_doc_heading_begin(d, level);
    va_list ap;
    va_start(ap, fmt);
    vg_buf_vprintf(d->o, fmt, ap);
    va_end(ap);
    vg_doc_heading_end(d);
}

static const char *const PARA_OPEN[2][4] = {
    {"", "", "", "> "},
    {"<p>", "<p class=\"meta\">", "<p><strong>", "<div class=\"alert\">"},
};
static const char *const PARA_CLOSE[2][4] = {
    {"\n\n", "\n\n", "\n\n", "\n\n"},
    {"</p>\n", "</p>\n", "</strong></p>\n", "</div>\n"},
};

void vg_doc_para_begin(vg_doc *d, vg_para_kind p)
{
    d->para = p;
    vg_buf_puts(d->o, PARA_OPEN[d->fmt][p]);
}

void vg_doc_para_end(vg_doc *d) { vg_buf_puts(d->o, PARA_CLOSE[d->fmt][d->para]); }

/* ---- inline -------------------------------------------------------------------------------- */

void vg_doc_raw(vg_doc *d, const char *s) { vg_buf_puts(d->o, s); }

void vg_doc_printf(vg_doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vg_buf_vprintf(d->o, fmt, ap);
    va_end(ap);
}

void vg_doc_alt(vg_doc *d, const char *md_words, const char *html_words)
{
    vg_buf_puts(d->o, md(d) ? md_words : html_words);
}

/* In a Markdown table cell a pipe ends the cell even inside a code span. */
static bool in_cell(const vg_doc *d) { return d->cols && d->cell > 0; }

void vg_doc_span(vg_doc *d, vg_span_kind how, const char *s)
{
    if (!s)
        return;
    vg_buf *o = d->o;
    if (md(d)) {
        switch (how) {
        case VG_SPAN_STRONG:
            vg_buf_puts(o, "**");
            vg_md_escape(o, s);
            vg_buf_puts(o, "**");
            break;
        case VG_SPAN_CODE:
        case VG_SPAN_VALUE:
        case VG_SPAN_KIND: vg_md_code(o, s, in_cell(d)); break;
        default: vg_md_escape(o, s); break;
        }
        return;
    }
    static const char *const open[] = {
        [VG_SPAN_STRONG] = "<strong>",       [VG_SPAN_CODE] = "<code>",
        [VG_SPAN_VALUE] = "<span class=\"v\">", [VG_SPAN_TERM] = "<code>",
        [VG_SPAN_ADDRESS] = "<span class=\"v\">",
    };
    static const char *const close[] = {
        [VG_SPAN_STRONG] = "</strong>", [VG_SPAN_CODE] = "</code>",  [VG_SPAN_VALUE] = "</span>",
        [VG_SPAN_TERM] = "</code>",     [VG_SPAN_ADDRESS] = "</span>",
    };
    bool marked = (size_t)how < sizeof open / sizeof open[0] && open[how];
    if (marked)
        vg_buf_puts(o, open[how]);
    vg_html_escape_cstr(o, s);
    if (marked)
        vg_buf_puts(o, close[how]);
}

void vg_doc_text(vg_doc *d, const char *s) { vg_doc_span(d, VG_SPAN_TEXT, s); }

void vg_doc_value(vg_doc *d, const char *s, bool defang)
{
    if (!defang) {
        vg_doc_span(d, VG_SPAN_VALUE, s);
        return;
    }
    vg_buf v;
    vg_buf_init(&v, 0);
    vg_defang(&v, s);
    if (md(d)) {
        vg_md_code(d->o, vg_buf_cstr(&v), in_cell(d));
    } else {
        vg_buf_puts(d->o, "<span class=\"v\">");
        vg_html_escape(d->o, v.p ? v.p : "", v.n);
        vg_buf_puts(d->o, "</span>");
    }
    vg_buf_free(&v);
}

void vg_doc_values_inline(vg_doc *d, const vg_strlist *l, size_t cap, bool defang)
{
    for (size_t i = 0; i < l->n && i < cap; i++) {
        if (i)
            vg_buf_puts(d->o, ", ");
        vg_doc_value(d, l->v[i], defang);
    }
    if (l->n > cap)
        vg_buf_printf(d->o, " (+%zu)", l->n - cap);
}

void vg_doc_values(vg_doc *d, const vg_strlist *l, bool defang)
{
    size_t cap = md(d) ? MD_VALUES_CAP : HTML_VALUES_CAP;
    vg_doc_list_begin(d, VG_LIST_VALUES);
    for (size_t i = 0; i < l->n && i < cap; i++) {
        vg_doc_item_begin(d);
        vg_doc_value(d, l->v[i], defang);
        vg_doc_item_end(d);
    }
    if (l->n > cap) {
        vg_doc_item_begin(d);
        vg_buf_printf(d->o, "... and %zu more (%s)", l->n - cap,
                      md(d) ? "all of them are in the JSON attachment" : "all in the JSON attachment");
        vg_doc_item_end(d);
    }
    vg_doc_list_end(d);
}

void vg_doc_none(vg_doc *d)
{
    if (md(d))
        vg_buf_putc(d->o, '-');
}

void vg_doc_br(vg_doc *d) { vg_buf_puts(d->o, md(d) ? " " : "<br>"); }

void vg_doc_detail_begin(vg_doc *d) { vg_buf_puts(d->o, md(d) ? " (" : "<br>"); }

void vg_doc_detail_end(vg_doc *d)
{
    if (md(d))
        vg_buf_putc(d->o, ')');
}

/* ---- lists --------------------------------------------------------------------------------- */

void vg_doc_list_begin(vg_doc *d, vg_list_kind kind)
{
    if (d->depth == VG_DOC_DEPTH)
        vg_panic("vg_doc: lists nested deeper than %d", VG_DOC_DEPTH);
    d->list[d->depth] = kind;
    d->item[d->depth] = 0;
    d->depth++;
    if (!md(d))
        vg_buf_puts(d->o, kind == VG_LIST_ORDERED  ? "<ol>\n"
                          : kind == VG_LIST_VALUES ? "<ul class=\"values\">\n"
                                                   : "<ul>\n");
}

void vg_doc_item_begin(vg_doc *d)
{
    size_t k = d->depth - 1;
    d->item[k]++;
    if (!md(d)) {
        vg_buf_puts(d->o, "<li>");
        return;
    }
    for (size_t i = 0; i < k; i++)
        vg_buf_puts(d->o, "  ");
    if (d->list[k] == VG_LIST_ORDERED)
        vg_buf_printf(d->o, "%zu. ", d->item[k]);
    else
        vg_buf_puts(d->o, "- ");
}

void vg_doc_item_end(vg_doc *d) { vg_buf_puts(d->o, md(d) ? "\n" : "</li>\n"); }

void vg_doc_list_end(vg_doc *d)
{
    d->depth--;
    if (!md(d))
        vg_buf_puts(d->o, d->list[d->depth] == VG_LIST_ORDERED ? "</ol>\n" : "</ul>\n");
    else if (d->depth == 0) /* a nested list ends with its parent */
        vg_buf_putc(d->o, '\n');
}

/* ---- key/value rows ------------------------------------------------------------------------ */

/* In Markdown the block is a bullet list whose items read "Key: value". */
void vg_doc_kv_begin(vg_doc *d)
{
    d->kv_open = true;
    d->key_open = false;
    if (md(d))
        vg_doc_list_begin(d, VG_LIST_BULLET);
    else
        vg_buf_puts(d->o, "<table>\n");
}

static void key_close(vg_doc *d)
{
    if (d->key_open)
        vg_buf_puts(d->o, md(d) ? "\n" : "</td></tr>\n");
    d->key_open = false;
}

void vg_doc_key(vg_doc *d, const char *key)
{
    key_close(d);
    if (md(d)) {
        vg_doc_item_begin(d);
        vg_buf_printf(d->o, "%s: ", key);
    } else {
        vg_buf_printf(d->o, "<tr><th>%s</th><td>", key);
    }
    d->key_open = true;
}

void vg_doc_key_list(vg_doc *d, const char *key)
{
    key_close(d);
    if (md(d)) {
        vg_doc_item_begin(d);
        vg_buf_printf(d->o, "%s:\n", key);
    } else { /* a table cell is no place for a list */
        vg_buf_printf(d->o, "</table>\n<p>%s:</p>\n", key);
        d->kv_open = false;
    }
    vg_doc_list_begin(d, VG_LIST_BULLET);
}

void vg_doc_kv_end(vg_doc *d)
{
    key_close(d);
    if (md(d))
        vg_doc_list_end(d);
    else if (d->kv_open)
        vg_buf_puts(d->o, "</table>\n");
    d->kv_open = false;
}

/* ---- tables -------------------------------------------------------------------------------- */

void vg_doc_table_begin(vg_doc *d, const vg_doc_col *cols, size_t n)
{
    d->cols = cols;
    d->ncols = n;
    d->cell = 0;
    vg_buf *o = d->o;
    if (md(d)) {
        vg_buf_puts(o, "|");
        for (size_t i = 0; i < n; i++)
            vg_buf_printf(o, " %s |", cols[i].title);
        vg_buf_puts(o, "\n|");
        for (size_t i = 0; i < n; i++)
            vg_buf_puts(o, cols[i].num ? "---:|" : "---|");
        vg_buf_putc(o, '\n');
        return;
    }
    vg_buf_puts(o, "<table>\n<tr>");
    for (size_t i = 0; i < n; i++)
        vg_buf_printf(o, "<th>%s</th>", cols[i].html_title ? cols[i].html_title : cols[i].title);
    vg_buf_puts(o, "</tr>\n");
}

void vg_doc_cell(vg_doc *d)
{
    bool num = d->cell < d->ncols && d->cols[d->cell].num;
    if (md(d))
        vg_buf_puts(d->o, d->cell ? " | " : "| ");
    else
        vg_buf_printf(d->o, "%s<td%s>", d->cell ? "</td>" : "<tr>", num ? " class=\"n\"" : "");
    d->cell++;
}

void vg_doc_cellf(vg_doc *d, const char *fmt, ...)
{
    vg_doc_cell(d);
    va_list ap;
    va_start(ap, fmt);
    vg_buf_vprintf(d->o, fmt, ap);
    va_end(ap);
}

void vg_doc_row_end(vg_doc *d)
{
    vg_buf_puts(d->o, md(d) ? " |\n" : "</td></tr>\n");
    d->cell = 0;
}

void vg_doc_table_end(vg_doc *d)
{
    vg_buf_puts(d->o, md(d) ? "\n" : "</table>\n");
    d->cols = NULL;
    d->ncols = d->cell = 0;
}
