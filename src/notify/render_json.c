/* render_json.c — a notice as one JSON document (the webhook body and the
 * machine-readable attachment). Strings go through the core JSON writer,
 * which escapes controls and replaces ill-formed UTF-8. */
#include <string.h>

#include "notify/notify_int.h"

static void list(vg_json *j, const char *key, const vg_strlist *l)
{
    vg_json_key(j, key);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

static void time_kv(vg_json *j, const char *key, int64_t ms)
{
    char t[VG_TIME_STRLEN];
    vg_fmt_time(ms, t);
    vg_json_kv_str(j, key, t);
}

void vg_notice_render_json(const vg_notice *n, vg_buf *out)
{
    vg_json j;
    vg_json_init(&j, out);
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "schema", 1);
    vg_json_kv_str(&j, "type", "vigil.notification");
    vg_json_kv_str(&j, "tlp", vg_tlp_label(n->tlp));
    vg_json_kv_str(&j, "idempotency_key", n->idem);
    vg_json_kv_int(&j, "version", n->version);
    vg_json_kv_str(&j, "content_hash", n->hash);
    vg_json_kv_str(&j, "subject", n->subject);
    vg_json_kv_str(&j, "sender", n->sender);
    if (n->sender_contact)
        vg_json_kv_str(&j, "sender_contact", n->sender_contact);

    vg_json_key(&j, "organization");
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "id", n->org_id);
    vg_json_kv_str(&j, "name", n->org_name);
    if (n->org_country)
        vg_json_kv_str(&j, "country", n->org_country);
    if (n->org_sector)
        vg_json_kv_str(&j, "sector", n->org_sector);
    vg_json_obj_end(&j);

    vg_json_key(&j, "campaign");
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "id", n->campaign_id);
    time_kv(&j, "first_seen", n->first_seen);
    time_kv(&j, "last_seen", n->last_seen);
    vg_json_obj_end(&j);

    vg_json_kv_bool(&j, "mail_compromised", n->mail_compromised);
    if (n->mail_compromised) {
        vg_json_key(&j, "out_of_band_contact");
        vg_json_str(&j, n->contact);
    }

    vg_buf h;
    vg_buf_init(&h, 0);
    vg_notice_headline(n, &h);
    vg_json_kv_str(&j, "summary", vg_buf_cstr(&h));
    vg_buf_free(&h);

    vg_json_key(&j, "compromised");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < n->ncomp; i++) {
        const vg_compromise *c = &n->comp[i];
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "account", c->account);
        vg_json_kv_str(&j, "how", c->signed_in ? "signed_in" : "credential_valid");
        time_kv(&j, "first_seen", c->first_seen);
        list(&j, "kinds", &c->kinds);
        list(&j, "ips", &c->ips);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);

    vg_json_key(&j, "actor");
    if (n->actor) {
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "name", n->actor);
        list(&j, "aliases", &n->aliases);
        vg_json_key(&j, "origin");
        vg_json_str(&j, n->actor_origin);
        vg_json_kv_str(&j, "confidence", vg_confidence_name(n->confidence));
        list(&j, "why", &n->why);
        vg_json_obj_end(&j);
    } else {
        vg_json_null(&j);
    }

    vg_json_key(&j, "techniques");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < n->techniques.n; i++) {
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "id", n->techniques.v[i]);
        vg_json_key(&j, "name");
        vg_json_str(&j, vg_technique_name(n->techniques.v[i]));
        vg_json_key(&j, "words");
        vg_json_str(&j, vg_technique_words(n->techniques.v[i]));
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    list(&j, "kinds", &n->kinds);

    vg_json_key(&j, "timeline");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < n->timeline.n; i++) {
        const vg_day *d = &n->timeline.v[i];
        char day[16];
        vg_fmt_day(d->day_ms, day);
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "day", day);
        vg_json_kv_int(&j, "attempted", d->attempted);
        vg_json_kv_int(&j, "blocked", d->blocked);
        vg_json_kv_int(&j, "succeeded", d->succeeded);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);

    list(&j, "targeted", &n->targeted);
    vg_json_key(&j, "blocked");
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "attempts", n->attempts);
    vg_json_kv_int(&j, "blocked", n->blocked);
    vg_json_kv_int(&j, "succeeded", n->succeeded);
    list(&j, "password_known_signin_stopped", &n->cv_accounts);
    vg_json_obj_end(&j);

    vg_json_key(&j, "evidence");
    vg_json_obj_begin(&j);
    list(&j, "ips", &n->ips);
    list(&j, "domains", &n->domains);
    list(&j, "urls", &n->urls);
    list(&j, "messages", &n->messages);
    list(&j, "hashes", &n->hashes);
    vg_json_key(&j, "counts");
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "findings", (int64_t)n->nf);
    vg_json_kv_int(&j, "attempts", n->attempts);
    vg_json_kv_int(&j, "accounts", (int64_t)n->targeted.n);
    vg_json_kv_int(&j, "ips", (int64_t)n->ips.n);
    vg_json_kv_int(&j, "messages", n->messages_n);
    vg_json_obj_end(&j);
    vg_json_obj_end(&j);

    vg_json_key(&j, "other_victims");
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "organizations", (int64_t)n->other_orgs);
    list(&j, "countries", &n->other_countries);
    vg_json_obj_end(&j);

    vg_json_key(&j, "actions");
    vg_json_arr_begin(&j);
    vg_action acts[16];
    size_t na = vg_notice_actions(n, acts, 16);
    for (size_t i = 0; i < na; i++) {
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "action", acts[i].id);
        vg_json_kv_str(&j, "text", acts[i].text);
        if (acts[i].targets)
            list(&j, "targets", acts[i].targets);
        vg_json_obj_end(&j);
    }
    vg_actions_free(acts, na);
    vg_json_arr_end(&j);

    const vg_cert *cert = vg_cert_for(n->org_country);
    vg_json_key(&j, "cert");
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "country", cert->country);
    vg_json_kv_str(&j, "name", cert->name);
    vg_json_kv_str(&j, "url", cert->url);
    vg_json_obj_end(&j);

    vg_json_key(&j, "findings");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < n->nf; i++)
        vg_finding_write_json(n->f[i], &j);
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_buf_putc(out, '\n');
}
