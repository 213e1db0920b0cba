/* test_mail_mime.c — the in-place MIME structure reader (mail_mime.c) and
 * the RFC 2047 decoder (mail_text.c): header blocks, multipart splitting,
 * transfer decodings, and the broken shapes real mail has, both through the
 * internal functions and through vg_mail_parse(). */
#include <stdlib.h>
#include <string.h>

#include "../src/mail/mail_internal.h"
#include "testutil.h"

static vg_arena *A;

static int setup(void **state)
{
    (void)state;
    A = vg_arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vg_arena_free(A);
    return 0;
}

static const char *field(const vg_mime_entity *e, const char *name)
{
    const vg_mime_field *f = vg_mail__mime_field(e, name);
    return f ? vg_mail__mime_unfold(A, f->raw, f->raw_len) : NULL;
}

static void test_split_fields(void **state)
{
    (void)state;
    const char *msg = "From: a@example.com\r\n"
                      "Subject: one\r\n two\r\n\tthree\r\n"
                      "X-Odd :  spaced  \r\n"
                      "\r\n"
                      "body line\r\n";
    vg_mime_entity e;
    vg_mail__mime_split(A, msg, strlen(msg), 100, &e);
    assert_int_equal(e.n_fields, 3);
    assert_false(e.broken);
    assert_false(e.no_headers);
    assert_string_equal(field(&e, "from"), "a@example.com");
    assert_string_equal(field(&e, "SUBJECT"), "one two three");
    assert_string_equal(field(&e, "X-Odd"), "spaced");
    assert_null(field(&e, "To"));
    assert_int_equal(e.body_len, strlen("body line\r\n"));
    assert_memory_equal(e.body, "body line", 9);

    /* bare LF, an mbox envelope line first, no body */
    const char *m2 = "From someone@example.com Mon Jan  1 00:00:00 2024\nTo: b@example.org\n";
    vg_mail__mime_split(A, m2, strlen(m2), 100, &e);
    assert_int_equal(e.n_fields, 1);
    assert_string_equal(field(&e, "To"), "b@example.org");
    assert_int_equal(e.body_len, 0);
}

static void test_split_broken(void **state)
{
    (void)state;
    /* a line that is not a field ends the block: it is the body */
    const char *m = "Subject: x\nTo: y@example.com\nthis is text, not a header\nmore\n";
    vg_mime_entity e;
    vg_mail__mime_split(A, m, strlen(m), 100, &e);
    assert_int_equal(e.n_fields, 2);
    assert_true(e.broken);
    assert_memory_equal(e.body, "this is text", 12);

    /* no header block at all */
    const char *m2 = "just some words\nand more\n";
    vg_mail__mime_split(A, m2, strlen(m2), 100, &e);
    assert_int_equal(e.n_fields, 0);
    assert_true(e.no_headers);
    assert_ptr_equal(e.body, m2);

    /* a continuation first */
    const char *m3 = " folded: nothing before\n\nbody";
    vg_mail__mime_split(A, m3, strlen(m3), 100, &e);
    assert_int_equal(e.n_fields, 0);
    assert_true(e.no_headers);

    /* too many fields: the rest is skipped, the body is still found */
    const char *m4 = "A: 1\nB: 2\nC: 3\n folded\nD: 4\n\nbody";
    vg_mail__mime_split(A, m4, strlen(m4), 2, &e);
    assert_int_equal(e.n_fields, 2);
    assert_true(e.truncated);
    assert_int_equal(e.body_len, 4);
    assert_memory_equal(e.body, "body", 4);

    /* NUL bytes in a value do not cut it */
    const char m5[] = "Subject: a\0b\n\nx";
    vg_mail__mime_split(A, m5, sizeof m5 - 1, 10, &e);
    assert_string_equal(field(&e, "Subject"), "a b");
}

/* All parts of a body, joined with '|'. */
static char *parts(const char *body, const char *boundary, vg_mime_parts *it)
{
    static char out[1024];
    out[0] = 0;
    vg_mail__mime_parts_init(it, body, strlen(body), boundary);
    const char *p;
    size_t n;
    while (vg_mail__mime_parts_next(it, &p, &n)) {
        if (out[0])
            strcat(out, "|");
        strncat(out, p, n);
    }
    return out;
}

static void test_parts(void **state)
{
    (void)state;
    vg_mime_parts it;
    assert_string_equal(parts("preamble\r\n--b1\r\nA: 1\r\n\r\none\r\n--b1  \r\n\r\ntwo\r\n--b1--\r\n"
                              "epilogue\r\n",
                              "b1", &it),
                        "A: 1\r\n\r\none|\r\ntwo");
    assert_true(it.closed);
    assert_false(it.unclosed);

    /* a longer boundary starting the same is not a delimiter; neither is one
     * inside a line */
    assert_string_equal(parts("--xy\nfirst\n--xyz\nstill first --xy\n--xy--\n", "xy", &it),
                        "first\n--xyz\nstill first --xy");
    assert_true(it.closed);

    /* missing close delimiter: the last part runs to the end */
    assert_string_equal(parts("--q\n\na\n--q\n\nb\n", "q", &it), "\na|\nb\n");
    assert_true(it.unclosed);

    /* no delimiter at all */
    assert_string_equal(parts("no parts here\n", "q", &it), "");
    assert_true(it.no_delimiter);

    /* close delimiter with trailing text still closes */
    assert_string_equal(parts("--z\n\nx\n--z-- trailing\nafter\n", "z", &it), "\nx");
    assert_true(it.closed);
}

static void test_decode(void **state)
{
    (void)state;
    size_t n;
    const char *b64 = "aGVsbG8g\r\nd29y\r\nbGQ"; /* missing padding */
    const unsigned char *d = vg_mail__mime_decode(A, VG_CTE_BASE64, b64, strlen(b64), &n);
    assert_int_equal(n, 11);
    assert_memory_equal(d, "hello world", 11);

    const char *qp = "caf=C3=A9 soft=\r\nbreak =3D ok";
    d = vg_mail__mime_decode(A, VG_CTE_QP, qp, strlen(qp), &n);
    assert_int_equal(n, strlen("café softbreak = ok"));
    assert_memory_equal(d, "café softbreak = ok", n);

    const char *uu = "begin 644 cat.txt\n#0V%T\n`\nend\n";
    d = vg_mail__mime_decode(A, VG_CTE_UU, uu, strlen(uu), &n);
    assert_int_equal(n, 3);
    assert_memory_equal(d, "Cat", 3);

    /* junk skipped, concatenated encodings, a lone trailing character dropped */
    const char *b64b = "aGk=\naGk= !! aGV5\nQ";
    d = vg_mail__mime_decode(A, VG_CTE_BASE64, b64b, strlen(b64b), &n);
    assert_int_equal(n, 7);
    assert_memory_equal(d, "hihihey", 7);

    /* QP: trailing white space dropped, soft breaks with white space after
     * the '=', lower-case hex, a bad escape kept, separator lines kept */
    const char *qp2 = "a  \r\nb= \r\nc=3d=zz\n=====\nend=";
    d = vg_mail__mime_decode(A, VG_CTE_QP, qp2, strlen(qp2), &n);
    assert_int_equal(n, strlen("a\r\nbc==zz\n=====\nend"));
    assert_memory_equal(d, "a\r\nbc==zz\n=====\nend", n);

    const char *raw = "as is";
    d = vg_mail__mime_decode(A, VG_CTE_NONE, raw, 5, &n);
    assert_ptr_equal(d, raw);
    assert_int_equal(n, 5);

    assert_int_equal(vg_mail__mime_cte(" Base64 "), VG_CTE_BASE64);
    assert_int_equal(vg_mail__mime_cte("quoted-printable"), VG_CTE_QP);
    assert_int_equal(vg_mail__mime_cte("x-uuencode"), VG_CTE_UU);
    assert_int_equal(vg_mail__mime_cte("8bit"), VG_CTE_NONE);
    assert_int_equal(vg_mail__mime_cte("nonsense"), VG_CTE_NONE);
    assert_int_equal(vg_mail__mime_cte(NULL), VG_CTE_NONE);
}

static void test_rfc2047(void **state)
{
    (void)state;
    /* B and Q words; white space between words dropped, around them kept */
    assert_string_equal(vg_mail__rfc2047(A, "=?UTF-8?B?SGVsbG8=?= =?utf-8?q?_w=C3=B6rld?= !"),
                        "Hello wörld !");
    /* a character split across two words is joined before conversion */
    assert_string_equal(vg_mail__rfc2047(A, "=?UTF-8?B?w6k=?= x =?UTF-8?Q?=C3?=\t=?UTF-8?Q?=A9?="),
                        "é x é");
    /* legacy charsets, RFC 2231 language suffix */
    assert_string_equal(vg_mail__rfc2047(A, "=?ISO-8859-1*fr?Q?d=E9j=E0?="), "déjà");
    assert_string_equal(vg_mail__rfc2047(A, "=?utf-8?b?aGk?="), "hi"); /* no padding */
    assert_string_equal(vg_mail__rfc2047(A, "=?koi8-r?B?8NLJ18XU?="), "Привет");
    /* not words: kept literally */
    assert_string_equal(vg_mail__rfc2047(A, "a =? b =?x?z?bad?= c"), "a =? b =?x?z?bad?= c");
    assert_string_equal(vg_mail__rfc2047(A, "=?utf-8?q?unterminated"), "=?utf-8?q?unterminated");
    /* an over-long charset name is not a word (found by fuzz_mail_parse) */
    const char *longcs = "=?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?q?x?=";
    assert_string_equal(vg_mail__rfc2047(A, longcs), longcs);
    /* inside a word (loose, as mail clients do) */
    assert_string_equal(vg_mail__rfc2047(A, "pre=?utf-8?q?fix?=post"), "prefixpost");
}

static const vg_mail_msg *parse(vg_mail_parser *p, const char *s)
{
    const vg_mail_msg *m = NULL;
    vg_error e;
    assert_int_equal(vg_mail_parse(p, s, strlen(s), &m, &e), VG_OK);
    return m;
}

static bool has_url(const vg_mail_msg *m, const char *host)
{
    for (size_t i = 0; i < m->n_urls; i++) {
        if (m->urls[i].host && strcmp(m->urls[i].host, host) == 0)
            return true;
    }
    return false;
}

static void test_messages(void **state)
{
    (void)state;
    vg_mail_parser *p;
    vg_error e;
    assert_int_equal(vg_mail_parser_new(&p, NULL, &e), VG_OK);

    /* an unterminated quoted boundary (seen in real spam) still splits */
    const vg_mail_msg *m = parse(
        p, "From: a@example.com\nSubject: s\nContent-Type: multipart/mixed; boundary=\"=_b1\n\n"
           "--=_b1\nContent-Type: text/plain\n\nsee http://one.example.net/x\n"
           "--=_b1\nContent-Type: application/pdf; name=\"doc.pdf\"\n"
           "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--=_b1--\n");
    assert_int_equal(m->n_parts, 3);
    assert_true(has_url(m, "one.example.net"));
    assert_int_equal(m->n_attachments, 1);
    assert_string_equal(m->attachments[0].filename, "doc.pdf");
    assert_int_equal(m->attachments[0].size, 9);
    assert_false(m->evidence & VG_MAIL_EV_BROKEN_MIME);

    /* a multipart without a boundary: its body is read as text, and flagged */
    m = parse(p, "From: a@example.com\nContent-Type: multipart/mixed\n\nclick "
                 "http://two.example.net/login\n");
    assert_true(m->evidence & VG_MAIL_EV_BROKEN_MIME);
    assert_true(has_url(m, "two.example.net"));

    /* missing close delimiter: content kept, flagged */
    m = parse(p, "From: a@example.com\nContent-Type: multipart/alternative; boundary=z\n\n"
                 "--z\nContent-Type: text/html\n\n<a href=\"http://three.example.net/\">x</a>\n");
    assert_true(m->evidence & VG_MAIL_EV_BROKEN_MIME);
    assert_true(has_url(m, "three.example.net"));

    /* a base64-encoded attached message is decoded and analysed */
    m = parse(p, "From: a@example.com\nContent-Type: multipart/mixed; boundary=o\n\n--o\n"
                 "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
                 /* From: b@example.org / Subject: inner / body with a link */
                 "RnJvbTogYkBleGFtcGxlLm9yZwpTdWJqZWN0OiBpbm5lcgoKaHR0cDovL2ZvdXIuZXhhbXBsZS5u"
                 "ZXQvCg==\n--o--\n");
    assert_int_equal(m->n_nested, 1);
    assert_string_equal(m->nested[0]->subject, "inner");
    assert_true(has_url(m, "four.example.net"));

    /* multipart/digest: parts without Content-Type are messages */
    m = parse(p, "From: a@example.com\nContent-Type: multipart/digest; boundary=d\n\n--d\n\n"
                 "From: c@example.org\nSubject: digest one\n\nhello\n--d--\n");
    assert_int_equal(m->n_nested, 1);
    assert_string_equal(m->nested[0]->subject, "digest one");

    /* RFC 2231 file names and encoded subjects through the whole parser */
    m = parse(p, "From: a@example.com\nSubject: =?UTF-8?Q?Facture_n=C2=B0_12?=\n"
                 "Content-Type: multipart/mixed; boundary=f\n\n--f\n"
                 "Content-Type: application/octet-stream\n"
                 "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\n\nx\n"
                 "--f--\n");
    assert_string_equal(m->subject, "Facture n° 12");
    assert_int_equal(m->n_attachments, 1);
    assert_string_equal(m->attachments[0].filename, "résumé.pdf");

    /* address fields: the simple shapes read directly agree with GMime's
     * parser, which takes the rest */
    m = parse(p, "From: \" Jane  Doe \" <Jane@Example.COM>\nReply-To: reply@example.net\n"
                 "To: Bob Smith <bob@example.org>, \"Doe, Ann\" <ann@example.org>\n"
                 "Cc: team: x@example.org, y@example.org;, (comment) z@example.org\n"
                 "Sender: =?UTF-8?Q?Ren=C3=A9?= <rene@example.fr>\n\nbody\n");
    assert_int_equal(m->from.n, 1);
    assert_string_equal(m->from.v[0].name, "Jane  Doe");
    assert_string_equal(m->from.v[0].addr, "Jane@example.com");
    assert_string_equal(m->from.v[0].domain, "example.com");
    assert_int_equal(m->reply_to.n, 1);
    assert_null(m->reply_to.v[0].name);
    assert_string_equal(m->reply_to.v[0].addr, "reply@example.net");
    assert_int_equal(m->to.n, 2);
    assert_string_equal(m->to.v[0].name, "Bob Smith");
    assert_string_equal(m->to.v[1].name, "Doe, Ann");
    assert_int_equal(m->cc.n, 3);
    assert_string_equal(m->cc.v[2].addr, "z@example.org");
    assert_string_equal(m->sender.name, "René");

    /* encoded words are decoded in text fields, not in opaque ones */
    m = parse(p, "From: a@example.com\nX-Note: =?utf-8?q?caf=C3=A9?=\n"
                 "X-Microsoft-Antispam-Message-Info: =?utf-8?B?b3hX?=\n\nbody\n");
    assert_string_equal(vg_mail_header_get(m, "X-Note"), "café");
    assert_string_equal(vg_mail_header_get(m, "X-Microsoft-Antispam-Message-Info"),
                        "=?utf-8?B?b3hX?=");

    /* a data: URL is cut at a character boundary; a host of percent-encoded
     * bytes that are no text is no host (found by fuzz_mail_html) */
    m = parse(p, "From: a@example.com\nContent-Type: text/html; charset=utf-8\n\n"
                 "<a href=\"data:text/html,012345678901234567890123456789012345678901234567"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\">x</a>\n");
    assert_int_equal(m->n_urls, 1);
    assert_true(vg_utf8_valid(m->urls[0].url, strlen(m->urls[0].url)));
    assert_true(strlen(m->urls[0].url) <= 64);
    char host[256];
    assert_false(vg_mail_url_host("http://%bb%bb.example/", 22, host, sizeof host, NULL));
    assert_false(vg_mail_url_host("http://[<scol\xec]/", 18, host, sizeof host, NULL));
    assert_true(vg_mail_url_host("http://[2001:DB8::1]/", 21, host, sizeof host, NULL));
    assert_string_equal(host, "2001:db8::1");
    assert_true(vg_mail_url_host("http://%70aypal.example/", 24, host, sizeof host, NULL));
    assert_string_equal(host, "paypal.example");

    /* content types: the common signatures named as libmagic names them, the
     * rest by libmagic (a shell script), whatever the declared type says */
    m = parse(p, "From: a@example.com\nContent-Type: multipart/mixed; boundary=t\n\n"
                 "--t\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
                 "iVBORw0KGgoAAAANSUhEUg==\n"                       /* PNG */
                 "--t\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n"
                 "/9j/4AAQSkZJRgABAQ==\n"                           /* JPEG */
                 "--t\nContent-Type: text/plain; name=a.txt\n\nGIF89a....\n"
                 "--t\nContent-Type: image/gif; name=x.gif\n\n#!/bin/sh\necho hi\n"
                 "--t--\n");
    assert_int_equal(m->n_attachments, 4);
    assert_string_equal(m->attachments[0].magic_type, "image/png");
    assert_string_equal(m->attachments[1].magic_type, "image/jpeg");
    assert_string_equal(m->attachments[2].magic_type, "image/gif");
    assert_string_equal(m->attachments[3].magic_type, "text/x-shellscript");

    /* deep nesting stops at the limit with evidence, without recursion blow-up */
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_printf(&b, "From: a@example.com\n");
    for (int i = 0; i < 200; i++)
        vg_buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    vg_buf_printf(&b, "Content-Type: text/plain\n\ndeep\n");
    const vg_mail_msg *dm = NULL;
    assert_int_equal(vg_mail_parse(p, b.p, b.n, &dm, &e), VG_OK);
    assert_true(dm->evidence & VG_MAIL_EV_DEPTH_LIMIT);
    vg_buf_free(&b);
    vg_mail_parser_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_fields), cmocka_unit_test(test_split_broken),
        cmocka_unit_test(test_parts),        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_rfc2047),      cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
