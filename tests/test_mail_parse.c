/* test_mail_parse.c — the mail module: sniffing, sources (file, mbox,
 * Maildir, directory), the message model (headers, RFC 2047/2231,
 * Authentication-Results trust, Received, HTML, URLs, forms, attachments,
 * archives, macros), evidence and limits on hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpsl.h>

#include "testutil.h"
#include "vigil/mail.h"

static const char *fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s", vg_test_src("tests/fixtures/mail"));
    size_t n = strlen(path);
    snprintf(path + n, sizeof path - n, "/%s", name);
    return path;
}

static char *slurp(const char *name, size_t *len)
{
    char *data = NULL;
    vg_error e;
    assert_int_equal(vg_file_read(fixture(name), 0, &data, len, &e), VG_OK);
    return data;
}

static vg_mail_parser *parser_with(const char *authserv, const char *org)
{
    vg_mail_parse_opts o;
    vg_mail_parse_opts_default(&o);
    const char *ids[1] = {authserv};
    const char *doms[1] = {org};
    if (authserv) {
        o.authserv_ids = ids;
        o.n_authserv_ids = 1;
    }
    if (org) {
        o.org_domains = doms;
        o.n_org_domains = 1;
    }
    vg_mail_parser *p = NULL;
    vg_error e;
    assert_int_equal(vg_mail_parser_new(&p, &o, &e), VG_OK);
    return p;
}

static const vg_mail_msg *parse_str(vg_mail_parser *p, const char *s)
{
    const vg_mail_msg *m = NULL;
    vg_error e;
    assert_int_equal(vg_mail_parse(p, s, strlen(s), &m, &e), VG_OK);
    assert_non_null(m);
    return m;
}

/* ---- sniffing ------------------------------------------------------------------------------- */

static void test_sniff(void **state)
{
    (void)state;
    assert_true(vg_mail_sniff("From: a@b.example\nSubject: x\n\nbody", 33));
    assert_true(vg_mail_sniff("Received: from x\n by y; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: a@b\n\n", 60));
    /* an mbox envelope line */
    const char *mb = "From alice@example.org Mon Nov 16 10:00:00 2020\nFrom: x@y\n\n";
    assert_true(vg_mail_sniff(mb, strlen(mb)));
    assert_true(vg_mail_sniff_mbox(mb, strlen(mb)));
    /* obsolete "From :" syntax */
    assert_true(vg_mail_sniff("From : a@b.example\nSubject: x\n\n", 30));
    /* not mail: prose, YAML-ish config, JSON, a syslog line, binary */
    assert_false(vg_mail_sniff("From here on we go\nto the lab\n", 30));
    assert_false(vg_mail_sniff_mbox("From here on we go\n", 19));
    assert_false(vg_mail_sniff("name: helix\ndomains: [a]\n", 25));
    assert_false(vg_mail_sniff("{\"from\": \"a@b\", \"subject\": 1}", 30));
    assert_false(vg_mail_sniff("Nov 13 10:00:00 host sshd[1]: Failed password\n", 46));
    assert_false(vg_mail_sniff("\x89PNG\r\n\x1a\n", 8));
    assert_false(vg_mail_sniff("", 0));
}

/* ---- sources --------------------------------------------------------------------------------- */

typedef struct item {
    char name[512];
    char subject_line[128];
} item;

static size_t collect(const char *path, item *out, size_t cap, vg_mail_source_stats *st)
{
    vg_mail_source *s = NULL;
    vg_error e;
    assert_int_equal(vg_mail_source_open(&s, path, NULL, &e), VG_OK);
    size_t n = 0;
    vg_mail_item it;
    vg_err rc;
    while ((rc = vg_mail_source_next(s, &it, &e)) != VG_ENOTFOUND) {
        assert_int_equal(rc, VG_OK);
        assert_true(n < cap);
        snprintf(out[n].name, sizeof out[n].name, "%s", it.name);
        const char *sub = memmem(it.data, it.len, "Subject: ", 9);
        out[n].subject_line[0] = 0;
        if (sub) {
            const char *nl = memchr(sub, '\n', it.len - (size_t)(sub - it.data));
            size_t l = nl ? (size_t)(nl - sub) : 20;
            snprintf(out[n].subject_line, sizeof out[n].subject_line, "%.*s", (int)l, sub);
        }
        /* no envelope line, no mbox quoting left */
        assert_false(it.len >= 5 && memcmp(it.data, "From ", 5) == 0);
        n++;
    }
    if (st)
        vg_mail_source_stats_get(s, st);
    vg_mail_source_close(s);
    return n;
}

static void test_source_mbox(void **state)
{
    (void)state;
    item it[8];
    size_t n = collect(fixture("three.mbox"), it, 8, NULL);
    assert_int_equal(n, 3);
    assert_non_null(strstr(it[0].name, "three.mbox#1"));
    assert_non_null(strstr(it[2].name, "three.mbox#3"));
    assert_string_equal(it[1].subject_line, "Subject: second");
    /* mboxrd: ">From " unquoted in the first message */
    vg_mail_source *s;
    vg_error e;
    vg_mail_item m;
    assert_int_equal(vg_mail_source_open(&s, fixture("three.mbox"), NULL, &e), VG_OK);
    assert_int_equal(vg_mail_source_next(s, &m, &e), VG_OK);
    assert_non_null(memmem(m.data, m.len, "\nFrom the lab", 13));
    assert_null(memmem(m.data, m.len, ">From the lab", 13));
    /* the empty separator line is not part of the message */
    assert_true(m.len > 2 && !(m.data[m.len - 1] == '\n' && m.data[m.len - 2] == '\n'));
    vg_mail_source_close(s);
}

static void test_source_single_envelope(void **state)
{
    (void)state;
    item it[2];
    size_t n = collect(fixture("single_envelope.eml"), it, 2, NULL);
    assert_int_equal(n, 1);
    /* one message: named by its path alone */
    assert_null(strchr(it[0].name, '#'));
}

static void test_source_maildir_and_dir(void **state)
{
    (void)state;
    item it[64];
    size_t n = collect(fixture("maildir"), it, 64, NULL);
    assert_int_equal(n, 2); /* cur and new; tmp is not read */
    assert_non_null(strstr(it[0].name, "/cur/"));
    assert_non_null(strstr(it[1].name, "/new/"));
    /* the whole fixtures directory, recursively, non-mail skipped */
    vg_mail_source_stats st;
    n = collect(vg_test_src("tests/fixtures/mail"), it, 64, &st);
    assert_true(n >= 18);
    assert_true(st.skipped >= 1); /* config.yaml */
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(it[i - 1].name, it[i].name) < 0); /* byte order */
}

static void test_source_errors(void **state)
{
    (void)state;
    vg_mail_source *s = NULL;
    vg_error e;
    assert_int_equal(vg_mail_source_open(&s, "/nonexistent/vigil/mail", NULL, &e), VG_EIO);
    assert_null(s);
    assert_non_null(strstr(e.msg, "/nonexistent/vigil/mail"));
    /* a file named directly that is not mail: one reject, then the end */
    assert_int_equal(vg_mail_source_open(&s, fixture("config.yaml"), NULL, &e), VG_OK);
    vg_mail_item it;
    assert_int_equal(vg_mail_source_next(s, &it, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "not a mail message"));
    assert_int_equal(vg_mail_source_next(s, &it, &e), VG_ENOTFOUND);
    vg_mail_source_stats st;
    vg_mail_source_stats_get(s, &st);
    assert_int_equal(st.rejects, 1);
    vg_mail_source_close(s);
    /* a message over the size limit is rejected, not read */
    vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    lim.max_message_bytes = 100;
    assert_int_equal(vg_mail_source_open(&s, fixture("cerium_who_covid.eml"), &lim, &e), VG_OK);
    assert_int_equal(vg_mail_source_next(s, &it, &e), VG_ELIMIT);
    assert_non_null(strstr(e.msg, "limit"));
    vg_mail_source_close(s);
}

/* ---- headers, addresses, RFC 2047 ------------------------------------------------------------ */

static void test_headers(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    const vg_mail_msg *m = parse_str(
        p, "From: =?UTF-8?B?TWFyw61h?= Chen <Maria.Chen@HelixBio.EXAMPLE>\n"
           "Reply-To: other@elsewhere.example\n"
           "To: a@x.example, Group: b@y.example, c@z.example;\n"
           "Cc: d@w.example\n"
           "Subject: =?iso-8859-1?Q?R=E9sultats_de_l'essai?=\n"
           "Date: Fri, 13 Nov 2020 10:00:00 +0100\n"
           "Message-ID: <abc@x.example>\n"
           "Return-Path: <bounce@mailer.example>\n"
           "List-Id: <l.example>\n\nbody\n");
    assert_int_equal(m->from.n, 1);
    assert_string_equal(m->from.v[0].name, "María Chen");
    assert_string_equal(m->from.v[0].domain, "helixbio.example");
    assert_string_equal(m->subject, "Résultats de l'essai");
    assert_int_equal(m->to.n, 3); /* group members flattened */
    assert_string_equal(m->to.v[1].addr, "b@y.example");
    assert_int_equal(m->cc.n, 1);
    assert_string_equal(m->reply_to.v[0].domain, "elsewhere.example");
    assert_string_equal(m->message_id, "abc@x.example");
    assert_string_equal(m->return_path, "bounce@mailer.example");
    assert_string_equal(m->return_path_domain, "mailer.example");
    assert_non_null(m->list_id);
    int64_t t;
    assert_int_equal(vg_time_parse_rfc3339(vg_str_from("2020-11-13T09:00:00Z"), &t), VG_OK);
    assert_int_equal(m->date_ms, t);
    assert_int_equal(vg_mail_header_count(m, "to"), 1);
    assert_non_null(vg_mail_header_get(m, "MESSAGE-ID"));
    vg_mail_parser_free(p);
}

static void test_display_name_evidence(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    /* Cyrillic a in PayPal: mixed scripts in one word */
    const vg_mail_msg *m = parse_str(p, "From: \"P\xd0\xb0yPal\" <x@evil.example>\nSubject: s\n\nb\n");
    assert_true(m->evidence & VG_MAIL_EV_NAME_MIXED_SCRIPT);
    assert_false(m->evidence & VG_MAIL_EV_NAME_ZERO_WIDTH);
    /* zero-width space */
    m = parse_str(p, "From: \"Pay\xe2\x80\x8bPal\" <x@evil.example>\nSubject: s\n\nb\n");
    assert_true(m->evidence & VG_MAIL_EV_NAME_ZERO_WIDTH);
    /* a Russian first name and a Latin surname are not mixed within a word */
    m = parse_str(p, "From: \"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd Smith\" <x@a.example>\nSubject: s\n\nb\n");
    assert_false(m->evidence & (VG_MAIL_EV_NAME_MIXED_SCRIPT | VG_MAIL_EV_NAME_ZERO_WIDTH));
    /* Japanese kana and kanji in one word are one writing system */
    m = parse_str(p, "From: \"\xe5\xb1\xb1\xe7\x94\xb0\xe3\x82\xab\xe3\x82\xbf\" <x@a.example>\n\nb\n");
    assert_false(m->evidence & VG_MAIL_EV_NAME_MIXED_SCRIPT);
    /* two From headers */
    m = parse_str(p, "From: a@one.example\nFrom: b@two.example\nSubject: s\n\nb\n");
    assert_true(m->evidence & VG_MAIL_EV_DUP_FROM);
    vg_mail_parser_free(p);
}

/* ---- Authentication-Results and Received ----------------------------------------------------------- */

static void test_auth_trust(void **state)
{
    (void)state;
    const char *msg =
        "Authentication-Results: mx.helixbio.example; spf=fail smtp.mailfrom=evil.example;\n"
        " dkim=none; dmarc=fail header.from=paypal.com\n"
        "Authentication-Results: mx.evil.example; spf=pass smtp.mailfrom=paypal.com;\n"
        " dkim=pass header.d=paypal.com; dmarc=pass header.from=paypal.com\n"
        "From: service@paypal.com\nSubject: s\n\nb\n";
    /* no authserv-id configured: the topmost header only */
    vg_mail_parser *p = parser_with(NULL, NULL);
    const vg_mail_msg *m = parse_str(p, msg);
    assert_true(m->auth.present);
    assert_string_equal(m->auth.authserv_id, "mx.helixbio.example");
    assert_int_equal(m->auth.dmarc, VG_MAIL_AUTH_FAIL);
    assert_string_equal(m->auth.dmarc_domain, "paypal.com");
    assert_int_equal(m->auth.spf, VG_MAIL_AUTH_FAIL);
    assert_string_equal(m->auth.spf_domain, "evil.example");
    assert_int_equal(m->auth.n_headers, 2);
    assert_int_equal(m->auth.n_untrusted, 1);
    assert_true(m->evidence & VG_MAIL_EV_FORGED_AUTH);
    vg_mail_parser_free(p);
    /* configured authserv-id: only that producer, wherever it is */
    p = parser_with("mx.evil.example", NULL);
    m = parse_str(p, msg);
    assert_int_equal(m->auth.dmarc, VG_MAIL_AUTH_PASS);
    vg_mail_parser_free(p);
    /* configured but absent: nothing is trusted */
    p = parser_with("mx.other.example", NULL);
    m = parse_str(p, msg);
    assert_false(m->auth.present);
    vg_mail_parser_free(p);
}

static void test_auth_microsoft(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    const vg_mail_msg *m = parse_str(
        p, "Authentication-Results: spf=pass (sender IP is 54.240.9.14)\n"
           " smtp.mailfrom=amazonses.com; dkim=pass (signature was verified)\n"
           " header.d=promotix.com;dmarc=pass action=none\n"
           " header.from=promotix.com;compauth=fail reason=001\n"
           "From: a@promotix.com\nSubject: s\n\nb\n");
    assert_true(m->auth.present);
    assert_null(m->auth.authserv_id);
    assert_int_equal(m->auth.spf, VG_MAIL_AUTH_PASS);
    assert_string_equal(m->auth.spf_domain, "amazonses.com");
    assert_int_equal(m->auth.dkim, VG_MAIL_AUTH_PASS);
    assert_int_equal(m->auth.n_dkim, 1);
    assert_string_equal(m->auth.dkim_sigs[0].domain, "promotix.com");
    assert_int_equal(m->auth.dmarc, VG_MAIL_AUTH_PASS);
    assert_int_equal(m->auth.compauth, VG_MAIL_AUTH_FAIL);
    assert_string_equal(m->auth.compauth_reason, "001");
    assert_string_equal(vg_mail_auth_result_name(m->auth.compauth), "fail");
    vg_mail_parser_free(p);
}

static void test_received(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, "helixbio.example");
    const vg_mail_msg *m = parse_str(
        p, "Received: from mx2.helixbio.example (mx2.helixbio.example [10.0.0.5])\n"
           " by mbox.helixbio.example; Fri, 13 Nov 2020 09:12:45 +0000\n"
           "Received: from mail.evil.example (mail.evil.example [185.199.108.153])\n"
           " by mx2.helixbio.example (Postfix) with ESMTPS id X;\n"
           " Fri, 13 Nov 2020 09:12:44 +0000 (UTC)\n"
           "Received: from [192.168.1.2] (unknown [198.51.100.1]) by mail.evil.example;\n"
           " Fri, 13 Nov 2020 09:12:40 +0000\n"
           "From: a@evil.example\nSubject: s\n\nb\n");
    assert_int_equal(m->n_hops, 3);
    assert_string_equal(m->hops[1].from_host, "mail.evil.example");
    assert_string_equal(m->hops[1].by_host, "mx2.helixbio.example");
    char ip[VG_IP_STRLEN];
    vg_ip_format(&m->hops[1].ip, ip);
    assert_string_equal(ip, "185.199.108.153");
    assert_true(m->hops[1].time_ms > 0);
    assert_int_equal(m->first_external_hop, 1);
    vg_mail_parser_free(p);
}

/* ---- content --------------------------------------------------------------------------------------- */

static void test_html_text_links_forms(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    const vg_mail_msg *m = parse_str(
        p, "From: a@b.example\nSubject: s\nMIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\n\n"
           "<html><head><title>T</title><style>p{color:red}</style>"
           "<script>var x='hidden-script-text';</script></head><body>"
           "<p>Caf&eacute; &amp; cr&egrave;me</p>"
           "<div style=\"display: none\">secret padding words</div>"
           "<span style=\"font-size:0px\">tiny</span>"
           "<a href=\"https://evil.example/login\">https://www.paypal.com/</a>"
           "<form action=\"https://collect.example/p\"><input type=email name=u>"
           "<input type=password name=p></form>"
           "<meta http-equiv=\"refresh\" content=\"0; url=https://redirect.example/x\">"
           "</body></html>\n");
    assert_non_null(strstr(m->text_html, "Café & crème"));
    assert_null(strstr(m->text_html, "hidden-script-text"));
    assert_null(strstr(m->text_html, "color:red"));
    assert_null(strstr(m->text_html, "secret padding"));
    assert_non_null(strstr(m->text_hidden, "secret padding words"));
    assert_non_null(strstr(m->text_hidden, "tiny"));
    assert_true(m->evidence & VG_MAIL_EV_HIDDEN_TEXT);
    bool href = false, form = false, refresh = false;
    for (size_t i = 0; i < m->n_urls; i++) {
        const vg_mail_url *u = &m->urls[i];
        if (u->source == VG_URL_HREF && strcmp(u->host, "evil.example") == 0) {
            href = true;
            assert_string_equal(u->text, "https://www.paypal.com/");
        }
        form |= u->source == VG_URL_FORM && strcmp(u->host, "collect.example") == 0;
        refresh |= u->source == VG_URL_REFRESH && strcmp(u->host, "redirect.example") == 0;
    }
    assert_true(href && form && refresh);
    assert_int_equal(m->n_forms, 1);
    assert_int_equal(m->forms[0].password_inputs, 1);
    assert_int_equal(m->forms[0].email_inputs, 1);
    assert_string_equal(m->forms[0].action_host, "collect.example");
    vg_mail_parser_free(p);
}

static void test_charsets_and_text_urls(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    const vg_mail_msg *m = parse_str(
        p, "From: a@b.example\nSubject: s\nMIME-Version: 1.0\n"
           "Content-Type: multipart/alternative; boundary=\"b\"\n\n"
           "--b\nContent-Type: text/plain; charset=windows-1251\n"
           "Content-Transfer-Encoding: quoted-printable\n\n"
           "=CF=F0=E8=E2=E5=F2 see http://www.example.org/path?q=1, or www.other.example.\n"
           "--b\nContent-Type: text/plain; charset=x-unknown-klingon\n\n"
           "caf\xe9\n"
           "--b--\n");
    assert_non_null(strstr(m->text_plain, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));
    assert_true(vg_utf8_valid(m->text_plain, m->text_plain_len));
    bool a = false, b = false;
    for (size_t i = 0; i < m->n_urls; i++) {
        a |= strcmp(m->urls[i].url, "http://www.example.org/path?q=1") == 0;
        b |= strcmp(m->urls[i].host, "www.other.example") == 0;
    }
    assert_true(a && b);
    assert_true(m->evidence & VG_MAIL_EV_BAD_CHARSET);
    vg_mail_parser_free(p);
}

/* The registrable domain, against libpsl itself on the shapes the one-dot
 * shortcut covers and on those it leaves to libpsl. */
static void test_reg_domain(void **state)
{
    (void)state;
    static const char *const hosts[] = {
        "paypal.com", "www.paypal.com", "a.b.paypal.com", "co.uk", "bbc.co.uk", "x.bbc.co.uk",
        "github.io", "me.github.io", "www.ck", "foo.ck", "a.foo.ck", "kuroit.co.uk",
        "dev.kuroit.co.uk", "who.int", "who-int.org", "localhost", "x.unknowntld",
        "a.b.unknowntld", "xn--pypal-4ve.com", "com", "a..b", ".com", "a.", "1.2.3.4"};
    for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
        const char *r = psl_registrable_domain(psl_builtin(), hosts[i]);
        const char *want = r ? r : hosts[i];
        const char *got = vg_mail_reg_domain(hosts[i]);
        if (strcmp(got, want) != 0)
            fail_msg("%s: %s, libpsl says %s", hosts[i], got, want);
        /* a pointer into the host */
        assert_true(got >= hosts[i] && got <= hosts[i] + strlen(hosts[i]));
    }
    assert_string_equal(vg_mail_reg_domain("www.bbc.co.uk"), "bbc.co.uk");
    assert_string_equal(vg_mail_reg_domain(""), "");
    assert_string_equal(vg_mail_reg_domain(NULL), "");
}

static void test_url_host(void **state)
{
    (void)state;
    char h[256];
    unsigned f;
    assert_true(vg_mail_url_host("HTTPS://WWW.Example.COM:443/x", 29, h, sizeof h, &f));
    assert_string_equal(h, "www.example.com");
    assert_int_equal(f, 0);
    assert_true(vg_mail_url_host("http://paypal.com@evil.example/", 31, h, sizeof h, &f));
    assert_string_equal(h, "evil.example");
    assert_true(f & VG_URL_F_USERINFO);
    assert_true(vg_mail_url_host("http://3232235777/", 18, h, sizeof h, &f));
    assert_true(f & VG_URL_F_IP_HOST);
    assert_true(vg_mail_url_host("http://[2001:db8::1]:8080/", 26, h, sizeof h, &f));
    assert_true(f & VG_URL_F_IP_HOST);
    assert_true(f & VG_URL_F_PORT);
    const char *idn = "http://p\xd0\xb0ypal.com/";
    assert_true(vg_mail_url_host(idn, strlen(idn), h, sizeof h, &f));
    assert_string_equal(h, "xn--pypal-4ve.com");
    assert_true(f & VG_URL_F_IDN);
    assert_true(vg_mail_url_host("www.a.example/x", 15, h, sizeof h, NULL));
    assert_false(vg_mail_url_host("mailto:a@b.example", 18, h, sizeof h, NULL));
    assert_false(vg_mail_url_host("/relative/path", 14, h, sizeof h, NULL));
}

static void test_attachments(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    size_t n;
    char *raw = slurp("zinc_recruiter_docm.eml", &n);
    const vg_mail_msg *m;
    vg_error e;
    assert_int_equal(vg_mail_parse(p, raw, n, &m, &e), VG_OK);
    assert_int_equal(m->n_attachments, 1);
    const vg_mail_attachment *a = &m->attachments[0];
    assert_string_equal(a->filename, "Senior_Engineer_JD.docm");
    assert_string_equal(a->declared_type, "application/vnd.ms-word.document.macroenabled.12");
    assert_true(a->flags & VG_ATT_F_MACROS);
    assert_false(a->flags & VG_ATT_F_ARCHIVE); /* an Office file, not an archive */
    assert_int_equal(strlen(a->sha256), 64);
    assert_true(a->size > 100);
    free(raw);
    /* RFC 2231 file name with a right-to-left override, an executable by content */
    raw = slurp("hostile_rlo_dupfrom.eml", &n);
    assert_int_equal(vg_mail_parse(p, raw, n, &m, &e), VG_OK);
    assert_int_equal(m->n_attachments, 1);
    a = &m->attachments[0];
    assert_non_null(strstr(a->filename, "\xe2\x80\xae"));
    assert_true(a->flags & VG_ATT_F_RLO);
    assert_true(m->evidence & VG_MAIL_EV_RLO_FILENAME);
    assert_true(m->evidence & VG_MAIL_EV_DUP_FROM);
    free(raw);
    /* a PDF: type from content, SHA-256 of the decoded bytes */
    raw = slurp("vendor_invoice_pdf.eml", &n);
    assert_int_equal(vg_mail_parse(p, raw, n, &m, &e), VG_OK);
    a = &m->attachments[0];
    assert_string_equal(a->magic_type, "application/pdf");
    assert_false(a->flags & VG_ATT_F_PDF_JS);
    free(raw);
    /* an HTML attachment with a password form */
    raw = slurp("html_form_safelinks.eml", &n);
    assert_int_equal(vg_mail_parse(p, raw, n, &m, &e), VG_OK);
    bool form = false;
    for (size_t i = 0; i < m->n_attachments; i++)
        form |= (m->attachments[i].flags & VG_ATT_F_HTML_FORM) != 0;
    assert_true(form);
    assert_int_equal(m->n_forms, 1);
    assert_true(m->forms[0].in_attachment);
    free(raw);
    vg_mail_parser_free(p);
}

static void test_nested_message(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    const vg_mail_msg *m = parse_str(
        p, "From: me@a.example\nSubject: Fwd: look\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"o\"\n\n"
           "--o\nContent-Type: text/plain\n\nsee attached\n"
           "--o\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"fw.eml\"\n\n"
           "From: PayPal <service@evil.example>\nSubject: verify\nContent-Type: text/html\n\n"
           "<a href=\"http://evil.example/x\">go</a>\n"
           "--o--\n");
    assert_int_equal(m->n_nested, 1);
    assert_string_equal(m->nested[0]->from.v[0].domain, "evil.example");
    assert_int_equal(m->nested[0]->depth, 1);
    assert_true(m->attachments[0].flags & VG_ATT_F_MESSAGE);
    assert_int_equal(m->attachments[0].nested, 0);
    bool found = false;
    for (size_t i = 0; i < m->n_urls; i++)
        found |= strcmp(m->urls[i].host, "evil.example") == 0 && (m->urls[i].flags & VG_URL_F_NESTED);
    assert_true(found);
    vg_mail_parser_free(p);
}

/* ---- hostile input and limits ------------------------------------------------------------------------ */

static void test_hostile(void **state)
{
    (void)state;
    vg_mail_parse_opts o;
    vg_mail_parse_opts_default(&o);
    o.limits.max_depth = 8;
    o.limits.max_parts = 50;
    vg_mail_parser *p = NULL;
    vg_error e;
    assert_int_equal(vg_mail_parser_new(&p, &o, &e), VG_OK);
    /* deep nesting */
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, "From: a@b.example\nSubject: deep\nMIME-Version: 1.0\n");
    for (int i = 0; i < 200; i++)
        vg_buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
    vg_buf_puts(&b, "Content-Type: text/plain\n\nbottom\n");
    const vg_mail_msg *m;
    assert_int_equal(vg_mail_parse(p, b.p, b.n, &m, &e), VG_OK);
    assert_true(m->evidence & VG_MAIL_EV_DEPTH_LIMIT);
    assert_true(m->max_depth <= 8);
    /* thousands of parts */
    vg_buf_reset(&b);
    vg_buf_puts(&b, "From: a@b.example\nSubject: many\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"x\"\n\n");
    for (int i = 0; i < 3000; i++)
        vg_buf_printf(&b, "--x\nContent-Type: text/plain\n\npart %d\n", i);
    vg_buf_puts(&b, "--x--\n");
    assert_int_equal(vg_mail_parse(p, b.p, b.n, &m, &e), VG_OK);
    assert_true(m->evidence & VG_MAIL_EV_PART_LIMIT);
    /* broken MIME, bad base64, unknown charsets, no From */
    size_t n;
    char *raw = slurp("hostile_broken.eml", &n);
    assert_int_equal(vg_mail_parse(p, raw, n, &m, &e), VG_OK);
    assert_true(m->evidence & VG_MAIL_EV_NO_FROM);
    assert_true(vg_utf8_valid(m->subject, strlen(m->subject)));
    assert_true(vg_utf8_valid(m->text_plain, m->text_plain_len));
    free(raw);
    /* no headers at all, binary, empty */
    assert_int_equal(vg_mail_parse(p, "\x00\x01\x02garbage\xff\xfe", 11, &m, &e), VG_OK);
    assert_true(m->evidence & VG_MAIL_EV_NO_FROM);
    assert_int_equal(vg_mail_parse(p, "", 0, &m, &e), VG_EINVAL);
    /* size limit */
    vg_mail_parser_free(p);
    o.limits.max_message_bytes = 10;
    assert_int_equal(vg_mail_parser_new(&p, &o, &e), VG_OK);
    assert_int_equal(vg_mail_parse(p, b.p, b.n, &m, &e), VG_ELIMIT);
    vg_buf_free(&b);
    vg_mail_parser_free(p);
}

static void test_limits_yaml(void **state)
{
    (void)state;
    vg_error e;
    const char *y = "limits: {max_parts: 10, max_depth: 4}\n";
    vg_yaml_doc *d = vg_yaml_load_string(y, strlen(y), "t", &e);
    assert_non_null(d);
    vg_mail_limits l;
    vg_mail_limits_default(&l);
    assert_int_equal(vg_mail_limits_from_yaml(&l, vg_yaml_get(vg_yaml_root(d), "limits"), &e), VG_OK);
    assert_int_equal(l.max_parts, 10);
    assert_int_equal(l.max_depth, 4);
    vg_yaml_free(d);
    y = "limits: {max_bogus: 10}\n";
    d = vg_yaml_load_string(y, strlen(y), "t", &e);
    assert_int_equal(vg_mail_limits_from_yaml(&l, vg_yaml_get(vg_yaml_root(d), "limits"), &e),
                     VG_EINVAL);
    assert_non_null(strstr(e.msg, "max_bogus"));
    vg_yaml_free(d);
}

static void test_dump_json(void **state)
{
    (void)state;
    vg_mail_parser *p = parser_with(NULL, NULL);
    size_t n;
    char *raw = slurp("cerium_who_covid.eml", &n);
    const vg_mail_msg *m;
    vg_error e;
    assert_int_equal(vg_mail_parse(p, raw, n, &m, &e), VG_OK);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_mail_msg_write_json(m, &j);
    assert_false(j.failed);
    assert_non_null(strstr(b.p, "\"domain\":\"xn--wo-4wc.int\""));
    assert_non_null(strstr(b.p, "\"source\":\"href\""));
    vg_buf_free(&b);
    free(raw);
    vg_mail_parser_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_source_mbox),
        cmocka_unit_test(test_source_single_envelope),
        cmocka_unit_test(test_source_maildir_and_dir),
        cmocka_unit_test(test_source_errors),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_display_name_evidence),
        cmocka_unit_test(test_auth_trust),
        cmocka_unit_test(test_auth_microsoft),
        cmocka_unit_test(test_received),
        cmocka_unit_test(test_html_text_links_forms),
        cmocka_unit_test(test_charsets_and_text_urls),
        cmocka_unit_test(test_url_host),
        cmocka_unit_test(test_reg_domain),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_nested_message),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_limits_yaml),
        cmocka_unit_test(test_dump_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
