/* test_notify_doc.c — the document writer behind notices and the summary
 * (src/notify/doc.c): the exact markup of each block in Markdown and HTML,
 * and hostile text (tags, emphasis, pipes, backticks, newlines, bidi
 * controls) kept inert in spans, lists, key/value rows and table cells. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "md_inert.h"
#include "notify/notify_int.h"

static const char EVIL[] = "<script>alert('x')</script> **b** a|b `t` ``u`` \\| x\ny \xE2\x80\xAE!";

typedef struct out {
    vg_buf b;
    vg_doc d;
} out;

static void open_doc(out *o, vg_doc_fmt f)
{
    vg_buf_init(&o->b, 0);
    vg_doc_init(&o->d, &o->b, f, VG_TLP_AMBER);
}

static void expect(out *o, const char *want)
{
    assert_string_equal(vg_buf_cstr(&o->b), want);
    vg_buf_free(&o->b);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Pipes that end a GFM table cell: those not right after a backslash. */
static size_t cell_pipes(const char *line, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
            k++;
    return k;
}

/* Outside code spans no raw tag, emphasis or blockquote character: each is
 * backslash-escaped. */
static void assert_md_inert(const char *md) { md_assert_inert(md, "<>*_"); }

static void assert_html_inert(const char *html)
{
    assert_null(strstr(html, "<script"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_null(strstr(html, "\xE2\x80\xAE"));
    assert_non_null(strstr(html, "[U+202E]"));
}

static void test_blocks(void **state)
{
    (void)state;
    out o;
    for (int f = 0; f < 2; f++) {
        open_doc(&o, (vg_doc_fmt)f);
        vg_doc_heading(&o.d, 2, "Section (%d)", 3);
        vg_doc_para_begin(&o.d, VG_PARA_META);
        vg_doc_raw(&o.d, "Meta ");
        vg_doc_span(&o.d, VG_SPAN_CODE, "c-0011");
        vg_doc_para_end(&o.d);
        vg_doc_para_begin(&o.d, VG_PARA_ALERT);
        vg_doc_span(&o.d, VG_SPAN_STRONG, "Alert.");
        vg_doc_para_end(&o.d);
        vg_doc_para_begin(&o.d, VG_PARA_LEAD);
        vg_doc_text(&o.d, "Lead");
        vg_doc_para_end(&o.d);
        vg_doc_list_begin(&o.d, VG_LIST_ORDERED);
        for (int i = 0; i < 2; i++) {
            vg_doc_item_begin(&o.d);
            vg_doc_text(&o.d, "step");
            vg_doc_detail_begin(&o.d);
            vg_doc_value(&o.d, "198.51.100.7", true);
            vg_doc_detail_end(&o.d);
            vg_doc_item_end(&o.d);
        }
        vg_doc_list_end(&o.d);
        if (f == VG_DOC_MD)
            expect(&o, "## Section (3)\n\nMeta `c-0011`\n\n> **Alert.**\n\nLead\n\n"
                       "1. step (`198[.]51[.]100[.]7`)\n2. step (`198[.]51[.]100[.]7`)\n\n");
        else
            expect(&o, "<h2>Section (3)</h2>\n<p class=\"meta\">Meta <code>c-0011</code></p>\n"
                       "<div class=\"alert\"><strong>Alert.</strong></div>\n"
                       "<p><strong>Lead</strong></p>\n<ol>\n"
                       "<li>step<br><span class=\"v\">198[.]51[.]100[.]7</span></li>\n"
                       "<li>step<br><span class=\"v\">198[.]51[.]100[.]7</span></li>\n</ol>\n");
    }
}

/* The Who block: key/value rows, then a list under the last key. */
static void test_key_values(void **state)
{
    (void)state;
    out o;
    for (int f = 0; f < 2; f++) {
        for (int with_list = 0; with_list < 2; with_list++) {
            open_doc(&o, (vg_doc_fmt)f);
            vg_doc_kv_begin(&o.d);
            vg_doc_key(&o.d, "Actor");
            vg_doc_span(&o.d, VG_SPAN_STRONG, "X*Y");
            vg_doc_key(&o.d, "Confidence");
            vg_doc_raw(&o.d, "high");
            if (with_list) {
                vg_doc_key_list(&o.d, "Why");
                vg_doc_item_begin(&o.d);
                vg_doc_text(&o.d, "<a>");
                vg_doc_item_end(&o.d);
                vg_doc_list_end(&o.d);
            }
            vg_doc_kv_end(&o.d);
            vg_doc_heading(&o.d, 2, "Next");
            const char *want[2][2] = {
                {"- Actor: **X\\*Y**\n- Confidence: high\n\n## Next\n\n",
                 "- Actor: **X\\*Y**\n- Confidence: high\n- Why:\n  - \\<a\\>\n\n## Next\n\n"},
                {"<table>\n<tr><th>Actor</th><td><strong>X*Y</strong></td></tr>\n"
                 "<tr><th>Confidence</th><td>high</td></tr>\n</table>\n<h2>Next</h2>\n",
                 "<table>\n<tr><th>Actor</th><td><strong>X*Y</strong></td></tr>\n"
                 "<tr><th>Confidence</th><td>high</td></tr>\n</table>\n<p>Why:</p>\n"
                 "<ul>\n<li>&lt;a&gt;</li>\n</ul>\n<h2>Next</h2>\n"}};
            expect(&o, want[f][with_list]);
            assert_int_equal(o.d.depth, 0);
        }
    }
}

/* Every span kind over hostile text, in both formats. */
static void test_spans(void **state)
{
    (void)state;
    out o;
    open_doc(&o, VG_DOC_MD);
    vg_doc_text(&o.d, "a*b_c|d`e<f>\ng");
    vg_doc_raw(&o.d, " ");
    vg_doc_span(&o.d, VG_SPAN_CODE, "x`y|z");
    vg_doc_raw(&o.d, " ");
    vg_doc_span(&o.d, VG_SPAN_TERM, "T1_2");
    vg_doc_raw(&o.d, " ");
    vg_doc_span(&o.d, VG_SPAN_ADDRESS, "a<b>@x");
    vg_doc_raw(&o.d, " ");
    vg_doc_span(&o.d, VG_SPAN_KIND, "k|<i>");
    vg_doc_span(&o.d, VG_SPAN_TEXT, NULL); /* nothing */
    expect(&o, "a\\*b\\_c\\|d\\`e\\<f\\> g ``x`y|z`` T1\\_2 a\\<b\\>@x `k|<i>`");

    open_doc(&o, VG_DOC_HTML);
    vg_doc_text(&o.d, "a&b<c>\"'");
    vg_doc_span(&o.d, VG_SPAN_CODE, "<x>");
    vg_doc_span(&o.d, VG_SPAN_VALUE, "<v>");
    vg_doc_span(&o.d, VG_SPAN_TERM, "<t>");
    vg_doc_span(&o.d, VG_SPAN_ADDRESS, "<a>");
    vg_doc_span(&o.d, VG_SPAN_KIND, "<k>");
    vg_doc_span(&o.d, VG_SPAN_STRONG, "<s>");
    expect(&o, "a&amp;b&lt;c&gt;&quot;&#39;<code>&lt;x&gt;</code><span class=\"v\">&lt;v&gt;</span>"
               "<code>&lt;t&gt;</code><span class=\"v\">&lt;a&gt;</span>&lt;k&gt;"
               "<strong>&lt;s&gt;</strong>");

    /* Hostile text through every span stays inert. */
    for (int f = 0; f < 2; f++) {
        open_doc(&o, (vg_doc_fmt)f);
        for (int k = VG_SPAN_TEXT; k <= VG_SPAN_KIND; k++) {
            if (k == VG_SPAN_STRONG && f == VG_DOC_MD)
                continue; /* below: its own ** are the only live ones */
            vg_doc_span(&o.d, (vg_span_kind)k, EVIL);
            vg_doc_raw(&o.d, "\n");
        }
        vg_doc_value(&o.d, EVIL, true);
        const char *t = vg_buf_cstr(&o.b);
        if (f == VG_DOC_MD) {
            assert_md_inert(t);
            assert_null(strstr(t, "\xE2\x80\xAE"));
            vg_buf_reset(&o.b);
            vg_doc_span(&o.d, VG_SPAN_STRONG, EVIL);
            char *inner = vg_xstrdup(vg_buf_cstr(&o.b) + 2);
            assert_true(starts(vg_buf_cstr(&o.b), "**") && o.b.n > 4);
            assert_string_equal(inner + strlen(inner) - 2, "**");
            inner[strlen(inner) - 2] = '\0';
            assert_md_inert(inner);
            free(inner);
        } else {
            assert_html_inert(t);
        }
        vg_buf_free(&o.b);
    }
}

/* Hostile text in table cells: one line per row, the right number of cells,
 * nothing live. */
static void test_table_hostile(void **state)
{
    (void)state;
    static const vg_doc_col cols[] = {
        {"Value", false, NULL}, {"Text", false, NULL}, {"N", true, NULL}, {"Why", false, "W"}};
    out o;
    for (int f = 0; f < 2; f++) {
        open_doc(&o, (vg_doc_fmt)f);
        vg_doc_table_begin(&o.d, cols, 4);
        for (int r = 0; r < 3; r++) {
            vg_doc_cell(&o.d);
            vg_doc_value(&o.d, EVIL, r == 1);
            vg_doc_cell(&o.d);
            vg_doc_text(&o.d, EVIL);
            vg_doc_cellf(&o.d, "%d", r);
            vg_doc_cell(&o.d);
            vg_doc_span(&o.d, VG_SPAN_KIND, EVIL);
            vg_doc_br(&o.d);
            vg_doc_none(&o.d);
            vg_doc_row_end(&o.d);
        }
        vg_doc_table_end(&o.d);
        vg_doc_text(&o.d, "after|");
        const char *t = vg_buf_cstr(&o.b);
        if (f == VG_DOC_MD) {
            assert_md_inert(t);
            assert_true(starts(t, "| Value | Text | N | Why |\n|---|---|---:|---|\n"));
            /* header, rule, 3 rows, the blank line, then the text */
            size_t lines = 0;
            for (const char *p = t; *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                if (lines < 5)
                    assert_int_equal(cell_pipes(p, n), 5);
                lines++;
                p += n + (nl != NULL);
            }
            assert_int_equal(lines, 7);
            assert_non_null(strstr(t, "| 2 | ``"));
            assert_non_null(strstr(t, " - |\n\nafter\\|"));
            assert_null(strstr(t, "<br>"));
        } else {
            assert_html_inert(t);
            assert_true(starts(t, "<table>\n<tr><th>Value</th><th>Text</th><th>N</th><th>W</th>"
                                  "</tr>\n<tr><td><span class=\"v\">"));
            assert_non_null(strstr(t, "</td><td class=\"n\">2</td><td>"));
            assert_non_null(strstr(t, "<br></td></tr>\n</table>\nafter|"));
            /* The newline in a value is kept as text inside its cell, never a tag. */
            size_t rows = 0;
            for (const char *p = t; (p = strstr(p, "<tr>")) != NULL; p++)
                rows++;
            assert_int_equal(rows, 4);
        }
        vg_buf_free(&o.b);
    }
}

/* Lists of values stop at the format's cap and say how many more. */
static void test_values_cap(void **state)
{
    (void)state;
    vg_strlist l = {0};
    for (int i = 0; i < 503; i++)
        vg_strlist_addf(&l, "v%03d|`x`", i);
    out o;
    open_doc(&o, VG_DOC_MD);
    vg_doc_values(&o.d, &l, false);
    const char *t = vg_buf_cstr(&o.b);
    assert_non_null(strstr(t, "- `` v199|`x` ``\n- ... and 303 more (all of them are in the JSON "
                              "attachment)\n\n"));
    assert_null(strstr(t, "v200"));
    vg_buf_free(&o.b);
    open_doc(&o, VG_DOC_HTML);
    vg_doc_values(&o.d, &l, false);
    t = vg_buf_cstr(&o.b);
    assert_true(starts(t, "<ul class=\"values\">\n<li><span class=\"v\">v000|`x`</span></li>\n"));
    assert_non_null(strstr(t, "v499|`x`</span></li>\n<li>... and 3 more (all in the JSON "
                              "attachment)</li>\n</ul>\n"));
    vg_buf_free(&o.b);
    open_doc(&o, VG_DOC_MD);
    vg_doc_values_inline(&o.d, &l, 2, false);
    expect(&o, "`` v000|`x` ``, `` v001|`x` `` (+501)");
    vg_strlist_free(&l);
}

/* The page: head and banner in HTML, the TLP label and note in Markdown. */
static void test_page(void **state)
{
    (void)state;
    out o;
    open_doc(&o, VG_DOC_MD);
    vg_doc_begin(&o.d, "T <x>");
    vg_doc_tlp_note(&o.d);
    vg_doc_footer(&o.d);
    vg_doc_end(&o.d);
    assert_true(starts(vg_buf_cstr(&o.b), "**TLP:AMBER**\n\n> TLP:AMBER: "));
    assert_non_null(strstr(vg_buf_cstr(&o.b), "\n\n---\n\n**TLP:AMBER** · "));
    assert_false(vg_doc_draws(&o.d));
    assert_false(vg_doc_cells_wrap(&o.d));
    vg_buf_free(&o.b);

    open_doc(&o, VG_DOC_HTML);
    vg_doc_begin(&o.d, "T <x>");
    vg_doc_tlp_note(&o.d); /* nothing: the banner says it */
    size_t n = o.b.n;
    vg_doc_tlp_note(&o.d);
    assert_int_equal(o.b.n, n);
    vg_doc_footer(&o.d);
    vg_doc_end(&o.d);
    const char *t = vg_buf_cstr(&o.b);
    assert_non_null(strstr(t, "<title>TLP:AMBER T &lt;x&gt;</title>"));
    assert_non_null(strstr(t, "Content-Security-Policy"));
    assert_non_null(strstr(t, "<span class=\"tlp tlp-amber\">TLP:AMBER</span>"));
    assert_non_null(strstr(t, "<hr>\n<p><span class=\"tlp tlp-amber\">"));
    assert_string_equal(t + o.b.n - 16, "</body>\n</html>\n");
    assert_true(vg_doc_draws(&o.d));
    vg_buf_free(&o.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks),        cmocka_unit_test(test_key_values),
        cmocka_unit_test(test_spans),         cmocka_unit_test(test_table_hostile),
        cmocka_unit_test(test_values_cap),    cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
