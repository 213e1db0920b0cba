/* test_mail_html.c — the HTML renderer of the mail module (mail_html.c): the
 * tokenizer's hard cases (unclosed and misnested tags, unquoted attributes,
 * '>' inside quotes, comments holding tags, script data escapes, character
 * references with and without ';', numeric references out of range, NUL
 * bytes, truncated input), visible and hidden text, links with their text,
 * forms, redirects and the limits. Most cases call vg_mail__html() on a bare
 * builder; a few go through vg_mail_parse() to check the message model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "mail/mail_internal.h"
#include "vigil/mail.h"

/* ---- a builder to render into ------------------------------------------------------------ */

typedef struct rig {
    vg_mail_parser *p;
    vg_mail_msg m;
    vg_mail_builder b;
    vg_buf text;
    unsigned seen;
} rig;

static rig R;

static int setup(void **state)
{
    (void)state;
    vg_log_set_level(VG_LOG_QUIET);
    memset(&R, 0, sizeof R);
    vg_error e;
    if (vg_mail_parser_new(&R.p, NULL, &e) != VG_OK)
        return -1;
    vg_buf_init(&R.b.hidden, 0);
    vg_buf_init(&R.text, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vg_buf_free(&R.b.hidden);
    vg_buf_free(&R.text);
    vg_mail_parser_free(R.p);
    return 0;
}

/* Renders n bytes of HTML on a fresh builder; R.text is the visible text. */
static void render_n(const char *html, size_t n, bool attachment)
{
    vg_arena_reset(R.p->arena);
    memset(&R.m, 0, sizeof R.m);
    vg_buf hidden = R.b.hidden;
    memset(&R.b, 0, sizeof R.b);
    R.b.p = R.p;
    R.b.m = &R.m;
    R.b.hidden = hidden;
    vg_buf_reset(&R.b.hidden);
    vg_buf_reset(&R.text);
    R.seen = vg_mail__html(&R.b, html, n, attachment, &R.text);
    assert_true(vg_utf8_valid(R.text.p ? R.text.p : "", R.text.n));
    assert_true(vg_utf8_valid(R.b.hidden.p ? R.b.hidden.p : "", R.b.hidden.n));
}

static void render(const char *html) { render_n(html, strlen(html), false); }

static const char *text(void) { return vg_buf_cstr(&R.text); }
static const char *hidden(void) { return vg_buf_cstr(&R.b.hidden); }
static size_t n_urls(void) { return R.b.urls.n; }
static const vg_mail_url *url(size_t i) { return &((const vg_mail_url *)R.b.urls.v)[i]; }
static size_t n_forms(void) { return R.b.forms.n; }
static const vg_mail_form *form(size_t i) { return &((const vg_mail_form *)R.b.forms.v)[i]; }

/* The first link of that source to url; NULL if none. */
static const vg_mail_url *find_url(vg_url_source src, const char *u)
{
    for (size_t i = 0; i < n_urls(); i++) {
        if (url(i)->source == src && strcmp(url(i)->url, u) == 0)
            return url(i);
    }
    return NULL;
}

static const char *link_text(const char *u)
{
    const vg_mail_url *x = find_url(VG_URL_HREF, u);
    assert_non_null(x);
    return x->text ? x->text : "(none)";
}

/* ---- text --------------------------------------------------------------------------------- */

static void test_blocks_and_whitespace(void **state)
{
    (void)state;
    render("<html><head><title>Title</title><style>p{color:red}</style></head><body>\n"
           "<p>One   two\tthree</p><p>four&nbsp;five</p><div>six<br>seven</div>"
           "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
           "<span>x</span><span>y</span> <b>z</b></body></html>");
    assert_string_equal(text(), "One two three\nfour five\nsix\nseven\na b\nc\nxy z\n");
    assert_null(strstr(text(), "Title"));
    assert_null(strstr(text(), "color"));
}

static void test_unclosed_and_implied(void **state)
{
    (void)state;
    /* p closed by the next p and by a block, li by li, td by td, tr by tr */
    render("<div><p>one<p>two<ul><li>three<li>four</ul>"
           "<table><tr><td>a<td>b<tr><td>c</table>five");
    assert_string_equal(text(), "one\ntwo\nthree\nfour\na b\nc\nfive\n");
    /* formatting left open does not swallow what follows a closed block */
    render("<b>bold <i>italic</div> plain");
    assert_string_equal(text(), "bold italic plain\n");
    /* a stray </p> is an empty paragraph; </br> is a line break */
    render("a</p>b</br>c");
    assert_string_equal(text(), "a\nb\nc\n");
}

static void test_entities(void **state)
{
    (void)state;
    render("&amp; &lt;b&gt; caf&eacute; &copy 2024 &amp AT&T &nbspx &notit; &hellip;&mdash;"
           "&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&euro;&trade;&reg;&apos;&quot;&bogus; &");
    assert_string_equal(text(),
                        "& <b> café © 2024 & AT&T x ¬it; …—–‘’“”€™®'\"&bogus; &\n");
    /* numeric: decimal, hex, without ';', 0, out of range, surrogates,
     * windows-1252 for 0x80-0x9F (0x81 stays) */
    render("&#65;&#x42;&#x43 &#0;|&#x110000;|&#99999999999;|&#xD800;|"
           "&#128;&#150;&#x9F;|&#x81;|&#;&#x;");
    assert_string_equal(text(), "ABC \xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD|"
                                "€–Ÿ|\xC2\x81|&#;&#x;\n");
    /* invisible characters by name are kept (the detectors look for them) */
    render("pay&zwnj;pal&ZeroWidthSpace;x&shy;y");
    assert_string_equal(text(), "pay\xE2\x80\x8Cpal\xE2\x80\x8Bx\xC2\xADy\n");
    /* in an attribute a legacy name before '=' or a letter stays literal */
    render("<a href=\"https://x.example/?a=1&copy=2&amp;b=3&reg;&lang=fr&notit\">l</a>");
    assert_string_equal(url(0)->url, "https://x.example/?a=1&copy=2&b=3®&lang=fr&notit");
}

static void test_nul_and_controls(void **state)
{
    (void)state;
    static const char html[] =
        "pay\0pal <b\0>x</b\0> <a hr\0ef=\"https://n.example/\0x\">go</a> t\x01w\x1Fo";
    render_n(html, sizeof html - 1, false);
    assert_string_equal(text(), "paypal x go two\n");
    /* a NUL in an attribute value is U+FFFD */
    assert_int_equal(n_urls(), 0); /* "hr\0ef" is not href */
    static const char html2[] = "<a href=\"https://n.example/\0x\">go</a>";
    render_n(html2, sizeof html2 - 1, false);
    assert_string_equal(url(0)->url, "https://n.example/\xEF\xBF\xBDx");
    /* a byte order mark is not text */
    render("\xEF\xBB\xBFHello");
    assert_string_equal(text(), "Hello\n");
}

/* ---- tags and attributes -------------------------------------------------------------------- */

static void test_attributes(void **state)
{
    (void)state;
    /* unquoted, single-quoted, '>' inside quotes, duplicates (the first counts),
     * upper case, no space between attributes */
    render("<A HREF=https://u.example/p?a=1&amp;b=2 title=x>unquoted</A>"
           "<a title='1>0' href='https://s.example/a>b'>single</a>"
           "<a href=\"https://first.example/\" href=\"https://second.example/\">dup</a>"
           "<a href=\"https://q.example/\"title=\"t\">nospace</a>");
    assert_string_equal(link_text("https://u.example/p?a=1&b=2"), "unquoted");
    assert_string_equal(link_text("https://s.example/a>b"), "single");
    assert_string_equal(link_text("https://first.example/"), "dup");
    assert_null(find_url(VG_URL_HREF, "https://second.example/"));
    assert_string_equal(link_text("https://q.example/"), "nospace");
    assert_string_equal(text(), "unquotedsingledupnospace\n"); /* adjacent inline: no space */
    /* not tags: "< b", "<3", "a<" at the end */
    render("1 < 2 <3 and a<");
    assert_string_equal(text(), "1 < 2 <3 and a<\n");
    /* CR LF inside a value is normalized */
    render("<a href=\"https://c.example/a\r\nb\">c</a>");
    assert_string_equal(url(0)->url, "https://c.example/a\nb");
}

static void test_huge_attribute(void **state)
{
    (void)state;
    size_t big = 1u << 20;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, "<div style=\"");
    for (size_t i = 0; i < big / 16; i++)
        vg_buf_puts(&b, "color:red;      ");
    vg_buf_puts(&b, "display:none\">hidden words</div><a href=\"https://");
    for (size_t i = 0; i < 100000; i++)
        vg_buf_putc(&b, 'a');
    vg_buf_puts(&b, ".example/\">long</a><a href=\"https://ok.example/\">ok</a> after");
    render_n(b.p, b.n, false);
    assert_string_equal(hidden(), "hidden words");
    /* an over-long URL is not kept (vg_mail__add_url), the next link is */
    assert_string_equal(link_text("https://ok.example/"), "ok");
    assert_non_null(strstr(text(), "longok after"));
    vg_buf_free(&b);
}

static void test_truncated(void **state)
{
    (void)state;
    /* cut inside a start tag: the tag counts with what was read */
    render("<p>hello <a href=\"https://cut.example/x\" class");
    assert_string_equal(text(), "hello\n");
    assert_non_null(find_url(VG_URL_HREF, "https://cut.example/x"));
    /* cut inside a quoted value: that attribute is dropped */
    render("<p>hello <a href=\"https://cut.example/x");
    assert_int_equal(n_urls(), 0);
    /* cut in a reference, a comment, an end tag, a script */
    render("a &am");
    assert_string_equal(text(), "a &am\n");
    render("a <!-- b");
    assert_string_equal(text(), "a\n");
    render("a </");
    assert_string_equal(text(), "a </\n");
    render("a <script>location.href='https://s.example/x'");
    assert_string_equal(text(), "a\n");
    assert_non_null(find_url(VG_URL_TEXT, "https://s.example/x"));
    /* the HTML size limit cuts the input, on a character boundary */
    size_t max = R.p->opts.limits.max_html_bytes;
    R.p->opts.limits.max_html_bytes = 4;
    render("abcé!");
    R.p->opts.limits.max_html_bytes = max;
    assert_string_equal(text(), "abc\n");
    assert_true(R.m.evidence & VG_MAIL_EV_TRUNCATED);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    for (int i = 0; i < 10000; i++)
        vg_buf_puts(&b, "<div><span>");
    vg_buf_puts(&b, "deep <a href=\"https://deep.example/\">link</a>");
    for (int i = 0; i < 10000; i++)
        vg_buf_puts(&b, "</x></p></span>");
    vg_buf_puts(&b, "end");
    render_n(b.p, b.n, false);
    assert_string_equal(link_text("https://deep.example/"), "link");
    assert_non_null(strstr(text(), "deep link"));
    assert_non_null(strstr(text(), "end"));
    vg_buf_free(&b);
}

/* ---- comments, declarations, raw text ---------------------------------------------------- */

static void test_comments(void **state)
{
    (void)state;
    render("<!-- <a href=\"https://c.example/\">in comment</a> -->one"
           "<!--> two <!---> three <!-- x --!> four <!-- a -- b --> five"
           "<!DOCTYPE html> six <?php echo 1; ?> seven <!x> eight"
           "<![CDATA[not text]]> nine <!--[if mso]><p>mso only</p><![endif]-->ten"
           "<![if !mso]>eleven<![endif]>");
    assert_int_equal(n_urls(), 0);
    assert_string_equal(text(), "one two three four five six seven eight nine teneleven\n");
    /* a bogus comment ends at the first '>', even inside quotes */
    render("a<?php echo '<b>'; ?>b");
    assert_string_equal(text(), "a'; ?>b\n");
    /* CDATA is text inside svg and math */
    render("<svg><![CDATA[svg text]]><text>more</text></svg>");
    assert_string_equal(text(), "svg textmore\n");
}

static void test_script(void **state)
{
    (void)state;
    render("<script>var s = \"</scr\" + \"ipt>\"; var t = '<a href=\"https://js.example/\">x</a>';"
           "if (a < b && c > d) window.location = 'https://redir.example/go';</script>after"
           "<script src=\"https://cdn.example/x.js\"></script>");
    assert_string_equal(text(), "after\n");
    assert_null(find_url(VG_URL_HREF, "https://js.example/"));
    assert_non_null(find_url(VG_URL_TEXT, "https://redir.example/go"));
    assert_non_null(find_url(VG_URL_EMBED, "https://cdn.example/x.js"));
    assert_true(R.seen & VG_ATT_F_HTML_SCRIPT);
    /* the escaped states: inside <!-- a "<script>" hides the next "</script>" */
    render("<script><!-- document.write(\"<script>x()</script>\"); --></script>shown"
           "<SCRIPT type=x>no</SCRIPT >also<script>a</scripts>b</script>c");
    assert_string_equal(text(), "shownalsoc\n");
    /* a script without redirect marks: its URLs are not links */
    render("<script>var u = 'https://quiet.example/';</script>");
    assert_int_equal(n_urls(), 0);
}

static void test_raw_text(void **state)
{
    (void)state;
    /* RCDATA: references decoded, tags are text */
    render("<textarea>&lt;b&gt; <i>x</i></textarea>|<xmp><b>&amp;</b></xmp>|"
           "<style><a href=\"https://css.example/\">s</a></style>|"
           "<iframe src=\"https://f.example/\">"
           "<a href=\"https://inside-iframe.example/\">fallback</a></iframe>|"
           "<noframes><p>no frames</p></noframes>|end");
    assert_string_equal(text(), "<b> <i>x</i>|<b>&amp;</b>||||end\n");
    assert_int_equal(n_urls(), 1);
    assert_non_null(find_url(VG_URL_EMBED, "https://f.example/"));
    /* an unclosed <textarea> or <title> does not hide the rest */
    render("<textarea>junk <textarea> <a href=\"https://after.example/\">after</a>");
    assert_string_equal(link_text("https://after.example/"), "after");
    /* noscript: shown in a mail body, not in an attachment (scripting on) */
    render("<noscript>ns</noscript>");
    assert_string_equal(text(), "ns\n");
    const char *ns = "<noscript><a href=\"https://ns.example/\">n</a></noscript>";
    render_n(ns, strlen(ns), true);
    assert_int_equal(n_urls(), 0);
}

/* ---- links ------------------------------------------------------------------------------ */

static void test_links(void **state)
{
    (void)state;
    render("<a href=\"https://one.example/\">one <b>bold</b>\n words</a>"
           "<a href=\"https://img.example/\"><img src=\"x.png\" alt=\"Pay now\"></a>"
           "<a href=\"#top\">anchor</a><a href=\"javascript:void(0)\">js</a><a>none</a>"
           "<area href=\"https://area.example/\">"
           "<iframe src=\"https://frame.example/\"></iframe><embed src=\"https://embed.example/\">"
           "<object data=\"https://object.example/\"></object>"
           "<meta http-equiv=Refresh content=\"0; URL='https://refresh.example/x'\">");
    assert_string_equal(link_text("https://one.example/"), "one bold words");
    assert_string_equal(link_text("https://img.example/"), "Pay now");
    assert_non_null(find_url(VG_URL_HREF, "https://area.example/"));
    assert_non_null(find_url(VG_URL_EMBED, "https://frame.example/"));
    assert_non_null(find_url(VG_URL_EMBED, "https://embed.example/"));
    assert_non_null(find_url(VG_URL_EMBED, "https://object.example/"));
    assert_non_null(find_url(VG_URL_REFRESH, "https://refresh.example/x"));
    assert_int_equal(n_urls(), 7);
}

static void test_nested_anchors(void **state)
{
    (void)state;
    /* an <a> inside an <a> closes it: two links */
    render("<a href=\"https://one.example/\">one<a href=\"https://two.example/\">two</a></a>");
    assert_string_equal(link_text("https://one.example/"), "one");
    assert_string_equal(link_text("https://two.example/"), "two");
    /* ... also with a heading in between (a is closed, not the heading) */
    render("<a href=\"https://h1.example/\"><h2>first</h2>"
           "<a href=\"https://h2.example/\">second</a>");
    assert_string_equal(link_text("https://h1.example/"), "first");
    assert_string_equal(link_text("https://h2.example/"), "second");
    /* a link across a table cell: each is a link of its own */
    render("<a href=\"https://outer.example/\">out<table><tr><td>"
           "<a href=\"https://inner.example/\">in</a></td></tr></table></a>");
    assert_string_equal(link_text("https://outer.example/"), "out");
    assert_string_equal(link_text("https://inner.example/"), "in");
    /* a paragraph opened inside a link closes it; browsers reopen the link
     * around the text that follows, and so do we */
    render("<p><a href=\"https://btn.example/\"><p><span>GET IT</span></p></a></p>after");
    assert_string_equal(link_text("https://btn.example/"), "GET IT");
    assert_int_equal(n_urls(), 1);
    /* the end tag of a formatting element does not close a block opened inside */
    render("<a href=\"https://blk.example/\">x<div>in</a>out</div>");
    assert_string_equal(link_text("https://blk.example/"), "x in");
}

static void test_hidden(void **state)
{
    (void)state;
    render("<p>shown</p><span style=\"display: none\">one</span>"
           "<div style=\"FONT-SIZE:0px\">two</div>"
           "<font style=\"color:red;/* x */font-size:0\">three</font>"
           "<div hidden>four</div><span style=\"opacity:0\">five</span>"
           "<div style=\"max-height:0;overflow:hidden\">six</div>"
           "<span style=\"visibility:hidden !important\">seven</span>"
           "<span style=\"font-size:8px;font-size:0.0001vh\">eight</span>"
           "<span style=\"display:block;font-size:12px\">visible</span>"
           "<div style=\"line-height:0;overflow:hidden\">visible2</div>");
    assert_string_equal(hidden(), "one two three four five six seven eight");
    assert_string_equal(text(), "shown\nvisible\nvisible2\n");
    assert_true(R.m.evidence & VG_MAIL_EV_HIDDEN_TEXT);
    /* a hidden link, and a link inside hidden text */
    render("<a style=\"display:none\" href=\"https://h.example/\">.</a>"
           "<div style=\"display:none\"><a href=\"https://h2.example/\">x</a></div>"
           "<a href=\"https://v.example/\">v</a>");
    assert_true(find_url(VG_URL_HREF, "https://h.example/")->flags & VG_URL_F_HIDDEN);
    assert_true(find_url(VG_URL_HREF, "https://h2.example/")->flags & VG_URL_F_HIDDEN);
    assert_false(find_url(VG_URL_HREF, "https://v.example/")->flags & VG_URL_F_HIDDEN);
    assert_true(R.m.evidence & VG_MAIL_EV_HIDDEN_LINKS);
    /* an end tag does not cross a block: </span> leaves the div, and the
     * text after it, hidden */
    render("<span style=\"display:none\"><div>x</span>y</div>z");
    assert_string_equal(hidden(), "x y z");
    /* a block's end closes the hidden inline inside it */
    render("<div><span style=\"display:none\">x</div>y");
    assert_string_equal(hidden(), "x");
    assert_string_equal(text(), "y\n");
    /* "/>" does not close an ordinary element (as in browsers) */
    render("<span style=\"font-size:0\"/>padding words</span>seen");
    assert_string_equal(hidden(), "padding words");
    assert_string_equal(text(), "seen\n");
    /* no evidence for an empty hidden element */
    render("<span style=\"display:none\"> </span>x");
    assert_false(R.m.evidence & VG_MAIL_EV_HIDDEN_TEXT);
}

/* ---- forms ------------------------------------------------------------------------------ */

static void test_forms(void **state)
{
    (void)state;
    render("<form action=\"https://collect.example/p\"><input type=email name=u>"
           "<input type=password name=p><input type=hidden name=t><input name=user_name>"
           "<textarea name=pwd>x</textarea><select name=s></select></form>"
           "<input type=password name=again>");
    assert_int_equal(n_forms(), 2);
    assert_string_equal(form(0)->action, "https://collect.example/p");
    assert_string_equal(form(0)->action_host, "collect.example");
    assert_int_equal(form(0)->inputs, 6);
    assert_int_equal(form(0)->password_inputs, 2);
    assert_int_equal(form(0)->email_inputs, 2);
    assert_int_equal(form(0)->hidden_inputs, 1);
    assert_false(form(0)->in_attachment);
    /* a password box outside any form is a form of its own */
    assert_null(form(1)->action);
    assert_int_equal(form(1)->password_inputs, 1);
    assert_non_null(find_url(VG_URL_FORM, "https://collect.example/p"));
    assert_true(R.seen & VG_ATT_F_HTML_FORM);
    /* in an attachment */
    const char *att = "<form action=\"https://a.example/\"><input type=password></form>";
    render_n(att, strlen(att), true);
    assert_true(form(0)->in_attachment);
    assert_true(find_url(VG_URL_FORM, "https://a.example/")->flags & VG_URL_F_ATTACHMENT);
}

/* ---- limits and the message model ---------------------------------------------------------- */

static void test_text_cap(void **state)
{
    (void)state;
    size_t max = R.p->opts.limits.max_text_bytes;
    R.p->opts.limits.max_text_bytes = 10;
    render("<p>ééééééé</p><p>more</p>");
    R.p->opts.limits.max_text_bytes = max;
    assert_true(R.text.n <= 11);
    assert_true(strncmp(text(), "ééééé", 10) == 0);
    assert_true(R.m.evidence & VG_MAIL_EV_TRUNCATED);
}

static void test_through_message(void **state)
{
    (void)state;
    vg_mail_parser *p;
    vg_error e;
    assert_int_equal(vg_mail_parser_new(&p, NULL, &e), VG_OK);
    const char *raw = "From: a@b.example\nSubject: s\nMIME-Version: 1.0\n"
                      "Content-Type: text/html; charset=windows-1252\n\n"
                      "<p>Caf\xE9 &#150; <a href=\"https://evil.example/\">www.paypal.com</a></p>"
                      "<div style=\"display:none\">padding</div>\n";
    const vg_mail_msg *m;
    assert_int_equal(vg_mail_parse(p, raw, strlen(raw), &m, &e), VG_OK);
    assert_string_equal(m->text_html, "Café – www.paypal.com\n");
    assert_string_equal(m->text_hidden, "padding");
    assert_int_equal(m->n_urls, 1);
    assert_string_equal(m->urls[0].host, "evil.example");
    assert_string_equal(m->urls[0].text, "www.paypal.com");
    vg_mail_parser_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_and_whitespace),
        cmocka_unit_test(test_unclosed_and_implied),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_nul_and_controls),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_huge_attribute),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_raw_text),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_nested_anchors),
        cmocka_unit_test(test_hidden),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_text_cap),
        cmocka_unit_test(test_through_message),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
