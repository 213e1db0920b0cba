/* summary.c — what a scan did, on one screen (text) or as one JSON object:
 * inputs read and rejected, findings by kind, campaigns, who targeted whom,
 * which organizations were notified, and what needs attention. */
#include <stdlib.h>
#include <string.h>

#include "stream/stream_int.h"

void vg_scan_summary_init(vg_scan_summary *s) { memset(s, 0, sizeof *s); }

void vg_scan_summary_free(vg_scan_summary *s)
{
    if (!s)
        return;
    free(s->kinds);
    vg_actor_stats_clear(s->actors, s->n_actors);
    free(s->actors);
    free(s->headline);
    for (size_t i = 0; i < s->n_notices; i++) {
        free(s->notices[i].org);
        free(s->notices[i].campaign);
        free(s->notices[i].outbox_dir);
        free(s->notices[i].basename);
    }
    free(s->notices);
    vg_strlist_free(&s->problems);
    free(s->db_path);
    free(s->out_dir);
    for (int i = 0; i < VG_FMT_COUNT; i++)
        free(s->summary_paths[i]);
    memset(s, 0, sizeof *s);
}

static void join(vg_buf *b, const vg_strlist *l, size_t cap)
{
    for (size_t i = 0; i < l->n && i < cap; i++)
        vg_buf_printf(b, "%s%s", i ? ", " : "", l->v[i]);
    if (l->n > cap)
        vg_buf_printf(b, " (+%zu)", l->n - cap);
}

void vg_scan_summary_write_text(const vg_scan_summary *s, vg_buf *b)
{
    vg_buf_printf(b, "inputs     %lld read", (long long)(s->inputs - s->inputs_unchanged -
                                                          s->inputs_failed - s->inputs_unknown));
    vg_buf_printf(b, " (%lld mail, %lld sign-in logs, %lld findings files)",
                  (long long)s->inputs_mail, (long long)s->inputs_signins,
                  (long long)s->inputs_findings);
    if (s->inputs_unchanged)
        vg_buf_printf(b, ", %lld unchanged since the last scan", (long long)s->inputs_unchanged);
    if (s->inputs_unknown)
        vg_buf_printf(b, ", %lld not recognized", (long long)s->inputs_unknown);
    if (s->inputs_failed)
        vg_buf_printf(b, ", %lld unreadable", (long long)s->inputs_failed);
    vg_buf_printf(b, "\nrecords    %lld messages, %lld sign-in events, %lld rejected\n",
                  (long long)s->messages, (long long)s->events, (long long)s->records_rejected);
    vg_buf_printf(b, "findings   %lld stored (%lld new, %lld updated, %lld suppressed)\n",
                  (long long)s->findings_total, (long long)s->findings_new,
                  (long long)s->findings_updated, (long long)s->findings_suppressed);
    for (size_t i = 0; i < s->n_kinds; i++)
        vg_buf_printf(b, "  %-24s %lld\n", s->kinds[i].kind, (long long)s->kinds[i].n);
    vg_buf_printf(b, "campaigns  %zu", s->campaigns);
    if (s->headline)
        vg_buf_printf(b, ": %s", s->headline);
    vg_buf_putc(b, '\n');
    for (size_t i = 0; i < s->n_actors; i++) {
        const vg_actor_stats *a = &s->actors[i];
        vg_buf_printf(b, "  %-12s %zu org%s (", a->actor, a->orgs.n, a->orgs.n == 1 ? "" : "s");
        join(b, &a->orgs, 8);
        vg_buf_puts(b, ") in ");
        join(b, &a->countries, 8);
        if (!a->countries.n)
            vg_buf_puts(b, "-");
        vg_buf_printf(b, "; %lld attempts, %lld blocked, %lld succeeded", (long long)a->attempts,
                      (long long)a->blocked, (long long)a->succeeded);
        if (a->compromised.n)
            vg_buf_printf(b, "; %zu compromised", a->compromised.n);
        vg_buf_putc(b, '\n');
    }
    vg_buf_printf(b, "notified   %zu organization%s (%zu new notice version%s); deliveries: %zu ok, "
                     "%zu failed",
                  s->orgs_notified, s->orgs_notified == 1 ? "" : "s", s->notifications_new,
                  s->notifications_new == 1 ? "" : "s", s->deliveries_ok, s->deliveries_failed);
    if (s->deliveries_pending)
        vg_buf_printf(b, ", %zu pending", s->deliveries_pending);
    vg_buf_putc(b, '\n');
    /* One line per organization: notices, new versions, compromise. */
    vg_strlist orgs = {0};
    for (size_t i = 0; i < s->n_notices; i++)
        vg_strlist_add(&orgs, s->notices[i].org);
    vg_strlist_sort(&orgs);
    for (size_t k = 0; k < orgs.n; k++) {
        size_t notices = 0, fresh = 0, failed = 0;
        bool mail = false;
        for (size_t i = 0; i < s->n_notices; i++) {
            const vg_scan_notice *n = &s->notices[i];
            if (strcmp(n->org, orgs.v[k]) != 0)
                continue;
            notices++;
            fresh += n->new_version;
            failed += n->failed > 0;
            mail |= n->mail_compromised;
        }
        vg_buf_printf(b, "  %-12s %zu notice%s (%zu new)", orgs.v[k], notices, notices == 1 ? "" : "s",
                      fresh);
        if (failed)
            vg_buf_printf(b, ", %zu not delivered", failed);
        if (mail)
            vg_buf_puts(b, "; URGENT: its own mail accounts are compromised, contact it out of band");
        vg_buf_putc(b, '\n');
    }
    vg_strlist_free(&orgs);
    if (s->summary_paths[VG_FMT_HTML])
        vg_buf_printf(b, "summary    %s\n", s->summary_paths[VG_FMT_HTML]);
    if (s->summary_paths[VG_FMT_STIX])
        vg_buf_printf(b, "stix       %s\n", s->summary_paths[VG_FMT_STIX]);
    for (size_t i = 0; i < s->problems.n && i < 10; i++)
        vg_buf_printf(b, "problem    %s\n", s->problems.v[i]);
    if (s->problems.n > 10)
        vg_buf_printf(b, "problem    ... and %zu more\n", s->problems.n - 10);
}

static void jlist(vg_json *j, const char *k, const vg_strlist *l)
{
    vg_json_key(j, k);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

void vg_scan_summary_write_json(const vg_scan_summary *s, vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_key(j, "inputs");
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "total", s->inputs);
    vg_json_kv_int(j, "mail", s->inputs_mail);
    vg_json_kv_int(j, "signins", s->inputs_signins);
    vg_json_kv_int(j, "findings", s->inputs_findings);
    vg_json_kv_int(j, "unchanged", s->inputs_unchanged);
    vg_json_kv_int(j, "unknown", s->inputs_unknown);
    vg_json_kv_int(j, "failed", s->inputs_failed);
    vg_json_obj_end(j);
    vg_json_key(j, "records");
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "messages", s->messages);
    vg_json_kv_int(j, "events", s->events);
    vg_json_kv_int(j, "rejected", s->records_rejected);
    vg_json_obj_end(j);
    vg_json_key(j, "findings");
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "total", s->findings_total);
    vg_json_kv_int(j, "new", s->findings_new);
    vg_json_kv_int(j, "updated", s->findings_updated);
    vg_json_kv_int(j, "suppressed", s->findings_suppressed);
    vg_json_key(j, "by_kind");
    vg_json_obj_begin(j);
    for (size_t i = 0; i < s->n_kinds; i++)
        vg_json_kv_int(j, s->kinds[i].kind, s->kinds[i].n);
    vg_json_obj_end(j);
    vg_json_obj_end(j);
    vg_json_kv_int(j, "campaigns", (int64_t)s->campaigns);
    vg_json_key(j, "headline");
    vg_json_str(j, s->headline);
    vg_json_key(j, "actors");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < s->n_actors; i++) {
        const vg_actor_stats *a = &s->actors[i];
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "actor", a->actor);
        vg_json_key(j, "origin");
        vg_json_str(j, a->origin);
        vg_json_kv_str(j, "confidence", vg_confidence_name(a->confidence));
        vg_json_kv_int(j, "campaigns", (int64_t)a->campaigns);
        jlist(j, "organizations", &a->orgs);
        jlist(j, "countries", &a->countries);
        vg_json_kv_int(j, "attempts", a->attempts);
        vg_json_kv_int(j, "blocked", a->blocked);
        vg_json_kv_int(j, "succeeded", a->succeeded);
        jlist(j, "compromised", &a->compromised);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_key(j, "notifications");
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "organizations_notified", (int64_t)s->orgs_notified);
    vg_json_kv_int(j, "new_versions", (int64_t)s->notifications_new);
    vg_json_kv_int(j, "delivered", (int64_t)s->deliveries_ok);
    vg_json_kv_int(j, "failed", (int64_t)s->deliveries_failed);
    vg_json_kv_int(j, "pending", (int64_t)s->deliveries_pending);
    vg_json_key(j, "notices");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < s->n_notices; i++) {
        const vg_scan_notice *n = &s->notices[i];
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "org", n->org);
        vg_json_kv_str(j, "campaign", n->campaign);
        vg_json_kv_int(j, "version", n->version);
        vg_json_kv_bool(j, "new_version", n->new_version);
        vg_json_kv_bool(j, "mail_compromised", n->mail_compromised);
        vg_json_kv_int(j, "compromised", (int64_t)n->compromised);
        vg_json_key(j, "outbox");
        vg_json_str(j, n->outbox_dir);
        vg_json_kv_str(j, "basename", n->basename);
        vg_json_kv_int(j, "delivered", n->delivered);
        vg_json_kv_int(j, "failed", n->failed);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_obj_end(j);
    vg_json_key(j, "summary");
    vg_json_obj_begin(j);
    for (int f = 0; f < VG_FMT_COUNT; f++)
        if (s->summary_paths[f])
            vg_json_kv_str(j, vg_notify_format_ext((vg_notify_format)f), s->summary_paths[f]);
    vg_json_obj_end(j);
    vg_json_kv_str(j, "database", s->db_path);
    vg_json_kv_str(j, "out", s->out_dir);
    jlist(j, "problems", &s->problems);
    vg_json_kv_int(j, "elapsed_ms", s->elapsed_ms);
    vg_json_obj_end(j);
}
