/* fuzz_mail_html.c — libFuzzer target for the HTML renderer of the mail module
 * (vg_mail__html in src/mail/mail_html.c) on a bare message builder. The
 * first byte picks body or attachment mode; the rest is the HTML, rendered
 * twice: as given (any bytes: must not crash, leak or hang) and made valid
 * UTF-8 first, as the mail parser guarantees, when every string produced
 * (visible and hidden text, URLs and their text, form actions) must be valid
 * UTF-8 without NUL bytes. Small limits make the text cap, the URL cap and
 * the input cut reachable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_internal.h"
#include "vigil/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_mail_parser *parser;

static void check_str(const char *s)
{
    if (s && !vg_utf8_valid(s, strlen(s)))
        abort();
}

static void check_buf(const vg_buf *b)
{
    const char *p = b->p ? b->p : "";
    if (strlen(p) != b->n || !vg_utf8_valid(p, b->n))
        abort();
}

static void render(const char *html, size_t n, bool attachment, bool check)
{
    vg_arena_reset(parser->arena);
    vg_mail_msg m;
    memset(&m, 0, sizeof m);
    vg_mail_builder b;
    memset(&b, 0, sizeof b);
    b.p = parser;
    b.m = &m;
    vg_buf_init(&b.hidden, 0);
    vg_buf text;
    vg_buf_init(&text, 0);
    (void)vg_mail__html(&b, html, n, attachment, &text);
    if (check) {
        check_buf(&text);
        check_buf(&b.hidden);
        const vg_mail_url *u = b.urls.v;
        for (size_t i = 0; i < b.urls.n; i++) {
            check_str(u[i].url);
            check_str(u[i].host);
            check_str(u[i].text);
        }
        const vg_mail_form *f = b.forms.v;
        for (size_t i = 0; i < b.forms.n; i++) {
            check_str(f[i].action);
            if (f[i].hidden_inputs > f[i].inputs || f[i].email_inputs > f[i].inputs)
                abort();
        }
        if (b.urls.n > parser->opts.limits.max_urls)
            abort();
    }
    vg_buf_free(&text);
    vg_buf_free(&b.hidden);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!parser) {
        vg_mail_parse_opts o;
        vg_mail_parse_opts_default(&o);
        o.limits.max_urls = 64;
        o.limits.max_text_bytes = 4096;
        o.limits.max_html_bytes = 256u << 10;
        vg_log_set_level(VG_LOG_QUIET);
        if (vg_mail_parser_new(&parser, &o, NULL) != VG_OK)
            abort();
    }
    if (size == 0)
        return 0;
    bool attachment = data[0] & 1;
    const char *html = (const char *)data + 1;
    size_t n = size - 1;
    render(html, n, attachment, false);
    vg_buf clean;
    vg_buf_init(&clean, 0);
    vg_utf8_sanitize(&clean, html, n);
    render(clean.p ? clean.p : "", clean.n, attachment, true);
    vg_buf_free(&clean);
    return 0;
}
