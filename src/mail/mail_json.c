/* mail_json.c — the parsed message model as JSON, for `vigil mail --dump`,
 * debugging and tests. Texts are summarized (length and a 200-byte head). */
#include <string.h>

#include "vigil/mail.h"

static const char *const ev_names[] = {
    "duplicate_from", "name_zero_width", "name_mixed_script", "hidden_text",
    "plain_html_differ", "rlo_filename", "depth_limit", "part_limit", "truncated",
    "broken_mime", "no_from", "forged_auth", "bad_charset", "no_headers", "duplicate_subject",
    "hidden_links"};

void vg_mail_evidence_write_json(unsigned ev, vg_json *j)
{
    vg_json_arr_begin(j);
    for (unsigned i = 0; i < sizeof ev_names / sizeof *ev_names; i++) {
        if (ev & (1u << i))
            vg_json_str(j, ev_names[i]);
    }
    vg_json_arr_end(j);
}

static void addrs(vg_json *j, const char *key, const vg_mail_addrs *a)
{
    vg_json_key(j, key);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < a->n; i++) {
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "name", a->v[i].name);
        vg_json_kv_str(j, "addr", a->v[i].addr);
        vg_json_kv_str(j, "domain", a->v[i].domain);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
}

static void text(vg_json *j, const char *key, const char *s, size_t n)
{
    vg_json_key(j, key);
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "bytes", (int64_t)n);
    size_t h = n < 200 ? n : 200;
    while (h < n && h > 0 && ((unsigned char)s[h] & 0xC0) == 0x80)
        h--;
    vg_json_key(j, "head");
    vg_json_strn(j, s, h);
    vg_json_obj_end(j);
}

static const char *const src_names[] = {"text", "href", "form", "refresh", "embed", "document"};

void vg_mail_msg_write_json(const vg_mail_msg *m, vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "subject", m->subject);
    addrs(j, "from", &m->from);
    vg_json_kv_str(j, "sender", m->sender.addr);
    addrs(j, "reply_to", &m->reply_to);
    addrs(j, "to", &m->to);
    addrs(j, "cc", &m->cc);
    vg_json_kv_str(j, "return_path", m->return_path);
    vg_json_kv_str(j, "message_id", m->message_id);
    if (m->date_ms) {
        char t[VG_TIME_STRLEN];
        vg_time_format_rfc3339(m->date_ms, false, t);
        vg_json_kv_str(j, "date", t);
    }
    vg_json_kv_str(j, "list_id", m->list_id);
    vg_json_key(j, "auth");
    vg_json_obj_begin(j);
    vg_json_kv_bool(j, "present", m->auth.present);
    vg_json_kv_str(j, "authserv_id", m->auth.authserv_id);
    vg_json_kv_str(j, "spf", vg_mail_auth_result_name(m->auth.spf));
    vg_json_kv_str(j, "spf_domain", m->auth.spf_domain);
    vg_json_kv_str(j, "dkim", vg_mail_auth_result_name(m->auth.dkim));
    vg_json_key(j, "dkim_domains");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < m->auth.n_dkim; i++)
        vg_json_str(j, m->auth.dkim_sigs[i].domain);
    vg_json_arr_end(j);
    vg_json_kv_str(j, "dmarc", vg_mail_auth_result_name(m->auth.dmarc));
    vg_json_kv_str(j, "dmarc_domain", m->auth.dmarc_domain);
    vg_json_kv_str(j, "compauth", vg_mail_auth_result_name(m->auth.compauth));
    vg_json_kv_str(j, "compauth_reason", m->auth.compauth_reason);
    vg_json_kv_int(j, "headers", m->auth.n_headers);
    vg_json_kv_int(j, "untrusted", m->auth.n_untrusted);
    vg_json_obj_end(j);
    vg_json_key(j, "hops");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < m->n_hops; i++) {
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "from", m->hops[i].from_host);
        vg_json_kv_str(j, "rdns", m->hops[i].rdns);
        if (m->hops[i].ip.family) {
            char ip[VG_IP_STRLEN];
            vg_ip_format(&m->hops[i].ip, ip);
            vg_json_kv_str(j, "ip", ip);
        }
        vg_json_kv_str(j, "by", m->hops[i].by_host);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_kv_int(j, "first_external_hop", m->first_external_hop);
    text(j, "text_plain", m->text_plain, m->text_plain_len);
    text(j, "text_html", m->text_html, m->text_html_len);
    text(j, "text_hidden", m->text_hidden, m->text_hidden_len);
    vg_json_key(j, "urls");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < m->n_urls; i++) {
        const vg_mail_url *u = &m->urls[i];
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "url", u->url);
        vg_json_kv_str(j, "host", u->host);
        if (u->text)
            vg_json_kv_str(j, "text", u->text);
        vg_json_kv_str(j, "source", (unsigned)u->source < 6 ? src_names[u->source] : "?");
        vg_json_kv_int(j, "flags", u->flags);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_key(j, "forms");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < m->n_forms; i++) {
        const vg_mail_form *f = &m->forms[i];
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "action", f->action);
        vg_json_kv_int(j, "inputs", f->inputs);
        vg_json_kv_int(j, "password_inputs", f->password_inputs);
        vg_json_kv_int(j, "email_inputs", f->email_inputs);
        vg_json_kv_bool(j, "in_attachment", f->in_attachment);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_key(j, "attachments");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < m->n_attachments; i++) {
        const vg_mail_attachment *a = &m->attachments[i];
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "filename", a->filename);
        vg_json_kv_str(j, "declared_type", a->declared_type);
        vg_json_kv_str(j, "magic_type", a->magic_type);
        vg_json_kv_int(j, "size", (int64_t)a->size);
        vg_json_kv_str(j, "sha256", a->sha256);
        vg_json_kv_int(j, "flags", a->flags);
        if (a->n_entries) {
            vg_json_key(j, "entries");
            vg_json_arr_begin(j);
            for (size_t k = 0; k < a->n_entries; k++)
                vg_json_str(j, a->entries[k].name);
            vg_json_arr_end(j);
        }
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_key(j, "nested");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < m->n_nested; i++)
        vg_mail_msg_write_json(m->nested[i], j);
    vg_json_arr_end(j);
    vg_json_kv_int(j, "parts", m->n_parts);
    vg_json_kv_int(j, "warnings", m->n_warnings);
    vg_json_key(j, "evidence");
    vg_mail_evidence_write_json(m->evidence, j);
    vg_json_obj_end(j);
}
