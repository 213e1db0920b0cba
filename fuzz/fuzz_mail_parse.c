/* fuzz_mail_parse.c — libFuzzer target for the mail parser: sniffing, GMime
 * parsing into the message model (headers, RFC 2047/2231, Authentication-
 * Results, Received, MIME walk with limits, charsets, HTML, URLs, forms,
 * attachments, archives, nested messages) and the JSON dump of the result.
 * Small limits make deep and wide inputs hit the limit paths quickly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/mail.h"

static vg_mail_parser *parser;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!parser) {
        vg_mail_parse_opts o;
        vg_mail_parse_opts_default(&o);
        o.limits.max_message_bytes = 1u << 20;
        o.limits.max_parts = 64;
        o.limits.max_depth = 12;
        o.limits.max_urls = 64;
        o.limits.max_attachments = 16;
        o.limits.max_archive_entries = 32;
        static const char *ids[] = {"mx.example.org"};
        o.authserv_ids = ids;
        o.n_authserv_ids = 1;
        vg_log_set_level(VG_LOG_QUIET);
        if (vg_mail_parser_new(&parser, &o, NULL) != VG_OK)
            abort();
    }
    (void)vg_mail_sniff(data, size);
    (void)vg_mail_sniff_mbox(data, size);
    const vg_mail_msg *m = NULL;
    if (vg_mail_parse(parser, data, size, &m, NULL) != VG_OK)
        return 0;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_mail_msg_write_json(m, &j);
    /* every string of the model is valid UTF-8 */
    if (!vg_utf8_valid(m->subject, strlen(m->subject)) ||
        !vg_utf8_valid(m->text_plain, m->text_plain_len) ||
        !vg_utf8_valid(m->text_html, m->text_html_len))
        abort();
    for (size_t i = 0; i < m->n_urls; i++) {
        char host[256];
        (void)vg_mail_url_host(m->urls[i].url, strlen(m->urls[i].url), host, sizeof host, NULL);
    }
    vg_buf_free(&b);
    return 0;
}
