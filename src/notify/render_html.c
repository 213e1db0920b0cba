/* render_html.c — a notice as one self-contained HTML page: inline CSS and
 * SVG, no script, no external resource, a Content-Security-Policy that
 * forbids both. Every value goes through vg_html_escape (indicators are
 * defanged first). */
#include <string.h>

#include "notify/notify_int.h"

#define LIST_CAP 500

static void esc(vg_buf *o, const char *s) { vg_html_escape_cstr(o, s); }

static void esc_defanged(vg_buf *o, const char *s)
{
    vg_buf d;
    vg_buf_init(&d, 0);
    vg_defang(&d, s);
    vg_html_escape(o, d.p ? d.p : "", d.n);
    vg_buf_free(&d);
}

static void value(vg_buf *o, const char *s, bool defang)
{
    vg_buf_puts(o, "<span class=\"v\">");
    if (defang)
        esc_defanged(o, s);
    else
        esc(o, s);
    vg_buf_puts(o, "</span>");
}

static void value_list(vg_buf *o, const vg_strlist *l, bool defang)
{
    vg_buf_puts(o, "<ul class=\"values\">\n");
    for (size_t i = 0; i < l->n && i < LIST_CAP; i++) {
        vg_buf_puts(o, "<li>");
        value(o, l->v[i], defang);
        vg_buf_puts(o, "</li>\n");
    }
    if (l->n > LIST_CAP)
        vg_buf_printf(o, "<li>... and %zu more (all in the JSON attachment)</li>\n",
                      l->n - LIST_CAP);
    vg_buf_puts(o, "</ul>\n");
}

static void inline_list(vg_buf *o, const vg_strlist *l, size_t cap, bool defang)
{
    for (size_t i = 0; i < l->n && i < cap; i++) {
        if (i)
            vg_buf_puts(o, ", ");
        value(o, l->v[i], defang);
    }
    if (l->n > cap)
        vg_buf_printf(o, " (+%zu)", l->n - cap);
}

/* The page head and style, shared with the summary (summary.c). */
void vg_html_page_begin(vg_buf *o, vg_tlp tlp, const char *title)
{
    vg_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; img-src data:\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    vg_buf_printf(o, "%s ", vg_tlp_label(tlp));
    esc(o, title);
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

void vg_html_tlp_banner(vg_buf *o, vg_tlp tlp)
{
    vg_buf_printf(o, "<p><span class=\"tlp %s\">%s</span> <span class=\"meta\">%s</span></p>\n",
                  tlp_class(tlp), vg_tlp_label(tlp), vg_tlp_meaning(tlp));
}

void vg_notice_render_html(const vg_notice *n, vg_buf *o)
{
    char a[16], b[16];
    vg_fmt_day(n->first_seen, a);
    vg_fmt_day(n->last_seen, b);
    vg_buf title;
    vg_buf_init(&title, 0);
    vg_buf_printf(&title, "%s intrusion campaign against %s", n->actor ? n->actor : "Unattributed",
                  n->org_name);
    vg_html_page_begin(o, n->tlp, vg_buf_cstr(&title));
    vg_html_tlp_banner(o, n->tlp);
    vg_buf_puts(o, "<h1>");
    esc(o, vg_buf_cstr(&title));
    vg_buf_puts(o, "</h1>\n");
    vg_buf_free(&title);
    vg_buf_printf(o, "<p class=\"meta\">Campaign <code>%s</code>, notice version %d "
                     "(<code>%s</code>), activity %s to %s. From ",
                  n->campaign_id, n->version, n->idem, a, b);
    esc(o, n->sender);
    vg_buf_puts(o, ".</p>\n");

    if (n->mail_compromised) {
        vg_buf_puts(o, "<div class=\"alert\"><strong>Your own mail accounts are compromised.</strong> "
                       "The attacker may be reading mail of the accounts listed below, including "
                       "mail about this incident. Do not discuss the response by mail from your "
                       "domain: use the telephone");
        if (n->contact) {
            vg_buf_puts(o, " or the out-of-band address ");
            value(o, n->contact, false);
        }
        if (n->sender_contact) {
            vg_buf_puts(o, ", and reach ");
            esc(o, n->sender);
            vg_buf_puts(o, " at ");
            value(o, n->sender_contact, false);
        }
        vg_buf_puts(o, ".</div>\n");
    }

    vg_buf h;
    vg_buf_init(&h, 0);
    vg_notice_headline(n, &h);
    vg_buf_puts(o, "<h2>Summary</h2>\n<p>");
    esc(o, vg_buf_cstr(&h));
    vg_buf_puts(o, "</p>\n");
    vg_buf_free(&h);

    vg_buf_puts(o, "<h2>Compromised accounts</h2>\n");
    if (n->ncomp == 0) {
        vg_buf_puts(o, "<p>None known. Every attempt we saw failed or was blocked, or its outcome "
                       "is unknown (mail that was delivered).</p>\n");
    } else {
        vg_buf_puts(o, "<table>\n<tr><th>Account</th><th>What happened</th><th>Since</th>"
                       "<th>From</th></tr>\n");
        for (size_t i = 0; i < n->ncomp; i++) {
            const vg_compromise *c = &n->comp[i];
            char t[VG_TIME_STRLEN];
            vg_fmt_time(c->first_seen, t);
            vg_buf_puts(o, "<tr><td>");
            value(o, c->account, false);
            vg_buf_printf(o, "</td><td>%s</td><td>%s</td><td>",
                          c->signed_in ? "the attacker signed in"
                                       : "the attacker has the password (sign-in stopped by MFA "
                                         "or policy)",
                          t);
            inline_list(o, &c->ips, 5, true);
            vg_buf_puts(o, "</td></tr>\n");
        }
        vg_buf_puts(o, "</table>\n");
    }

    vg_buf_puts(o, "<h2>Who</h2>\n");
    if (n->actor) {
        vg_buf_puts(o, "<table>\n<tr><th>Actor</th><td><strong>");
        esc(o, n->actor);
        vg_buf_puts(o, "</strong></td></tr>\n");
        if (n->aliases.n) {
            vg_buf_puts(o, "<tr><th>Also known as</th><td>");
            for (size_t i = 0; i < n->aliases.n && i < 12; i++) {
                if (i)
                    vg_buf_puts(o, ", ");
                esc(o, n->aliases.v[i]);
            }
            vg_buf_puts(o, "</td></tr>\n");
        }
        if (n->actor_origin) {
            vg_buf c;
            vg_buf_init(&c, 0);
            vg_country_words(&c, n->actor_origin);
            vg_buf_puts(o, "<tr><th>Operating from</th><td>");
            esc(o, vg_buf_cstr(&c));
            vg_buf_puts(o, "</td></tr>\n");
            vg_buf_free(&c);
        }
        vg_buf_printf(o, "<tr><th>Confidence</th><td>%s</td></tr>\n</table>\n",
                      vg_confidence_words(n->confidence));
        if (n->why.n) {
            vg_buf_puts(o, "<p>Why:</p>\n<ul>\n");
            for (size_t i = 0; i < n->why.n; i++) {
                vg_buf_puts(o, "<li>");
                esc(o, n->why.v[i]);
                vg_buf_puts(o, "</li>\n");
            }
            vg_buf_puts(o, "</ul>\n");
        }
    } else {
        vg_buf_puts(o, "<p>Not attributed: the evidence does not tie this activity to a tracked "
                       "actor with enough confidence to name one.</p>\n");
    }

    vg_buf_puts(o, "<h2>What they did</h2>\n<ul>\n");
    for (size_t i = 0; i < n->kinds.n; i++) {
        vg_buf_puts(o, "<li>");
        esc(o, vg_kind_words(n->kinds.v[i]));
        vg_buf_puts(o, "</li>\n");
    }
    for (size_t i = 0; i < n->techniques.n; i++) {
        const char *name = vg_technique_name(n->techniques.v[i]);
        vg_buf_puts(o, "<li><code>");
        esc(o, n->techniques.v[i]);
        vg_buf_puts(o, "</code>");
        if (name) {
            vg_buf_puts(o, " ");
            esc(o, name);
            vg_buf_puts(o, ": ");
            esc(o, vg_technique_words(n->techniques.v[i]));
        }
        vg_buf_puts(o, "</li>\n");
    }
    vg_buf_puts(o, "</ul>\n");

    vg_buf_printf(o, "<h2>When</h2>\n<p>From %s to %s (UTC). Attempts per day; a finding's "
                     "attempts are spread over the days it was active.</p>\n",
                  a, b);
    vg_timeline_svg(&n->timeline, o);

    vg_buf_printf(o, "<h2>Accounts targeted (%zu)</h2>\n", n->targeted.n);
    value_list(o, &n->targeted, false);

    vg_buf_printf(o, "<h2>What was blocked</h2>\n<p>%lld of %lld attempts were blocked or failed.",
                  (long long)n->blocked, (long long)n->attempts);
    if (n->cv_accounts.n) {
        vg_buf_printf(o, " Multi-factor authentication or a policy stopped sign-ins with the "
                         "correct password for %zu account%s: ",
                      n->cv_accounts.n, n->cv_accounts.n == 1 ? "" : "s");
        inline_list(o, &n->cv_accounts, 50, false);
        vg_buf_puts(o, ". Their passwords are known to the attacker.");
    }
    vg_buf_puts(o, "</p>\n");

    vg_buf_puts(o, "<h2>Evidence</h2>\n<p class=\"meta\">Indicators are defanged ([.] for dots, "
                   "hxxp for http); the JSON and STIX attachments carry them verbatim.</p>\n");
    const struct {
        const char *title;
        const vg_strlist *l;
        bool defang;
    } ev[] = {{"Attacker IP addresses", &n->ips, true},
              {"Domains", &n->domains, true},
              {"URLs", &n->urls, true},
              {"Message-IDs", &n->messages, false},
              {"File hashes (SHA-256)", &n->hashes, false}};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        if (!ev[i].l->n)
            continue;
        vg_buf_printf(o, "<h3>%s (%zu)</h3>\n", ev[i].title, ev[i].l->n);
        value_list(o, ev[i].l, ev[i].defang);
    }
    vg_buf_printf(o, "<h3>Findings (%zu)</h3>\n<table>\n<tr><th>Finding</th><th>Kind</th>"
                     "<th>First seen</th><th>Last seen</th><th>Outcome</th><th>Attempts</th>"
                     "<th>Accounts</th><th>Severity</th><th>Why</th></tr>\n",
                  n->nf);
    for (size_t i = 0; i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        char t1[VG_TIME_STRLEN], t2[VG_TIME_STRLEN];
        vg_fmt_time(f->first_seen, t1);
        vg_fmt_time(f->last_seen, t2);
        vg_buf_printf(o, "<tr><td><code>%s</code> r%d</td><td>", f->id, f->revision);
        esc(o, f->kind);
        vg_buf_printf(o, "</td><td>%s</td><td>%s</td><td>%s</td><td class=\"n\">%lld</td>"
                         "<td class=\"n\">%lld</td><td>%s</td><td>",
                      t1, t2, vg_outcome_name(f->outcome), (long long)vg_finding_attempts(f),
                      (long long)f->counts.accounts, vg_severity_name(f->severity));
        for (size_t k = 0; k < f->reasons.n; k++) {
            if (k)
                vg_buf_puts(o, "<br>");
            esc(o, f->reasons.v[k]);
        }
        vg_buf_puts(o, "</td></tr>\n");
    }
    vg_buf_puts(o, "</table>\n");

    vg_buf_puts(o, "<h2>What to do</h2>\n<ol>\n");
    vg_action acts[16];
    size_t na = vg_notice_actions(n, acts, 16);
    for (size_t i = 0; i < na; i++) {
        vg_buf_puts(o, "<li>");
        esc(o, acts[i].text);
        if (acts[i].targets && acts[i].targets->n) {
            vg_buf_puts(o, "<br>");
            inline_list(o, acts[i].targets, 20, acts[i].defang);
        }
        vg_buf_puts(o, "</li>\n");
    }
    vg_actions_free(acts, na);
    vg_buf_puts(o, "</ol>\n<hr>\n");
    vg_html_tlp_banner(o, n->tlp);
    vg_buf_puts(o, "<p class=\"meta\">Sent by ");
    esc(o, n->sender);
    vg_buf_printf(o, "%s. Idempotency key <code>%s</code>.</p>\n</body>\n</html>\n",
                  strcmp(n->sender, "vigil") ? " with vigil" : "", n->idem);
}
