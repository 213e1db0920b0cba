/* render_md.c — a notice as Markdown. Every value from mail or logs goes
 * through vg_md_escape (indicators are defanged first). */
#include <string.h>

#include "notify/notify_int.h"

#define LIST_CAP 200 /* values listed per section; counts give the rest */

static void esc(vg_buf *o, const char *s) { vg_md_escape(o, s); }

/* A value from mail or logs: a literal code span, defanged if an indicator. */
static void value(vg_buf *o, const char *s, bool defang, bool in_table)
{
    if (!defang) {
        vg_md_code(o, s, in_table);
        return;
    }
    vg_buf d;
    vg_buf_init(&d, 0);
    vg_defang(&d, s);
    vg_md_code(o, vg_buf_cstr(&d), in_table);
    vg_buf_free(&d);
}

static void value_list(vg_buf *o, const vg_strlist *l, bool defang)
{
    for (size_t i = 0; i < l->n && i < LIST_CAP; i++) {
        vg_buf_puts(o, "- ");
        value(o, l->v[i], defang, false);
        vg_buf_putc(o, '\n');
    }
    if (l->n > LIST_CAP)
        vg_buf_printf(o, "- ... and %zu more (all of them are in the JSON attachment)\n",
                      l->n - LIST_CAP);
}

static void inline_list(vg_buf *o, const vg_strlist *l, size_t cap, bool defang, bool in_table)
{
    for (size_t i = 0; i < l->n && i < cap; i++) {
        if (i)
            vg_buf_puts(o, ", ");
        value(o, l->v[i], defang, in_table);
    }
    if (l->n > cap)
        vg_buf_printf(o, " (+%zu)", l->n - cap);
}

void vg_notice_render_md(const vg_notice *n, vg_buf *o)
{
    char a[16], b[16];
    vg_fmt_day(n->first_seen, a);
    vg_fmt_day(n->last_seen, b);
    const char *tlp = vg_tlp_label(n->tlp);

    vg_buf_printf(o, "**%s**\n\n", tlp);
    vg_buf_puts(o, "# ");
    esc(o, n->actor ? n->actor : "Unattributed");
    vg_buf_puts(o, " intrusion campaign against ");
    esc(o, n->org_name);
    vg_buf_puts(o, "\n\n");
    vg_buf_printf(o, "Campaign `%s`, notice version %d (%s), activity %s to %s. From ",
                  n->campaign_id, n->version, n->idem, a, b);
    esc(o, n->sender);
    vg_buf_puts(o, ".\n\n");
    vg_buf_printf(o, "> %s: %s\n\n", tlp, vg_tlp_meaning(n->tlp));

    if (n->mail_compromised) {
        vg_buf_puts(o, "> **Your own mail accounts are compromised.** The attacker may be reading "
                       "mail of the accounts listed below, including mail about this incident. "
                       "Do not discuss the response by mail from your domain: use the telephone");
        if (n->contact) {
            vg_buf_puts(o, " or the out-of-band address ");
            esc(o, n->contact);
        }
        if (n->sender_contact) {
            vg_buf_puts(o, ", and reach ");
            esc(o, n->sender);
            vg_buf_puts(o, " at ");
            esc(o, n->sender_contact);
        }
        vg_buf_puts(o, ".\n\n");
    }

    vg_buf h;
    vg_buf_init(&h, 0);
    vg_notice_headline(n, &h);
    vg_buf_puts(o, "## Summary\n\n");
    esc(o, vg_buf_cstr(&h));
    vg_buf_puts(o, "\n\n");
    vg_buf_free(&h);

    /* 1. What succeeded */
    vg_buf_puts(o, "## Compromised accounts\n\n");
    if (n->ncomp == 0) {
        vg_buf_puts(o, "None known. Every attempt we saw failed or was blocked, or its outcome is "
                       "unknown (mail that was delivered).\n\n");
    } else {
        vg_buf_puts(o, "| Account | What happened | Since | From |\n|---|---|---|---|\n");
        for (size_t i = 0; i < n->ncomp; i++) {
            const vg_compromise *c = &n->comp[i];
            char t[VG_TIME_STRLEN];
            vg_fmt_time(c->first_seen, t);
            vg_buf_puts(o, "| ");
            value(o, c->account, false, true);
            vg_buf_printf(o, " | %s | %s | ",
                          c->signed_in ? "the attacker signed in"
                                       : "the attacker has the password (sign-in stopped by MFA or "
                                         "policy)",
                          t);
            inline_list(o, &c->ips, 5, true, true);
            vg_buf_puts(o, " |\n");
        }
        vg_buf_putc(o, '\n');
    }

    /* 2. Who */
    vg_buf_puts(o, "## Who\n\n");
    if (n->actor) {
        vg_buf_puts(o, "- Actor: **");
        esc(o, n->actor);
        vg_buf_puts(o, "**\n");
        if (n->aliases.n) {
            vg_buf_puts(o, "- Also known as: ");
            for (size_t i = 0; i < n->aliases.n && i < 12; i++) {
                if (i)
                    vg_buf_puts(o, ", ");
                esc(o, n->aliases.v[i]);
            }
            vg_buf_putc(o, '\n');
        }
        if (n->actor_origin) {
            vg_buf c;
            vg_buf_init(&c, 0);
            vg_country_words(&c, n->actor_origin);
            vg_buf_puts(o, "- Operating from: ");
            esc(o, vg_buf_cstr(&c));
            vg_buf_putc(o, '\n');
            vg_buf_free(&c);
        }
        vg_buf_printf(o, "- Confidence: %s\n", vg_confidence_words(n->confidence));
        if (n->why.n) {
            vg_buf_puts(o, "- Why:\n");
            for (size_t i = 0; i < n->why.n; i++) {
                vg_buf_puts(o, "  - ");
                esc(o, n->why.v[i]);
                vg_buf_putc(o, '\n');
            }
        }
    } else {
        vg_buf_puts(o, "Not attributed: the evidence does not tie this activity to a tracked actor "
                       "with enough confidence to name one.\n");
    }
    vg_buf_putc(o, '\n');

    /* 3. What */
    vg_buf_puts(o, "## What they did\n\n");
    for (size_t i = 0; i < n->kinds.n; i++) {
        vg_buf_puts(o, "- ");
        esc(o, vg_kind_words(n->kinds.v[i]));
        vg_buf_putc(o, '\n');
    }
    for (size_t i = 0; i < n->techniques.n; i++) {
        const char *name = vg_technique_name(n->techniques.v[i]);
        const char *words = vg_technique_words(n->techniques.v[i]);
        vg_buf_puts(o, "- ");
        esc(o, n->techniques.v[i]);
        if (name) {
            vg_buf_puts(o, " ");
            esc(o, name);
            vg_buf_puts(o, ": ");
            esc(o, words);
        }
        vg_buf_putc(o, '\n');
    }
    vg_buf_putc(o, '\n');

    /* 4. When */
    vg_buf_puts(o, "## When\n\n");
    vg_buf_printf(o, "From %s to %s (UTC). Attempts per day (a finding's attempts are spread over "
                     "the days it was active):\n\n",
                  a, b);
    vg_buf_puts(o, "| Day | Attempted | Blocked | Succeeded |\n|---|---:|---:|---:|\n");
    for (size_t i = 0; i < n->timeline.n; i++) {
        const vg_day *d = &n->timeline.v[i];
        char day[16];
        vg_fmt_day(d->day_ms, day);
        vg_buf_printf(o, "| %s | %lld | %lld | %lld |\n", day, (long long)d->attempted,
                      (long long)d->blocked, (long long)d->succeeded);
    }
    vg_buf_putc(o, '\n');

    /* 5. Targeted */
    vg_buf_printf(o, "## Accounts targeted (%zu)\n\n", n->targeted.n);
    value_list(o, &n->targeted, false);
    vg_buf_putc(o, '\n');

    /* 6. Blocked */
    vg_buf_puts(o, "## What was blocked\n\n");
    vg_buf_printf(o, "%lld of %lld attempts were blocked or failed.", (long long)n->blocked,
                  (long long)n->attempts);
    if (n->cv_accounts.n) {
        vg_buf_printf(o, " Multi-factor authentication or a policy stopped sign-ins with the "
                         "correct password for %zu account%s: ",
                      n->cv_accounts.n, n->cv_accounts.n == 1 ? "" : "s");
        inline_list(o, &n->cv_accounts, 50, false, false);
        vg_buf_puts(o, ". Their passwords are known to the attacker.");
    }
    vg_buf_puts(o, "\n\n");

    /* 7. Evidence */
    vg_buf_puts(o, "## Evidence\n\nIndicators are defanged (`[.]` for dots, `hxxp` for http); "
                   "the JSON and STIX attachments carry them verbatim.\n\n");
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
        vg_buf_printf(o, "### %s (%zu)\n\n", ev[i].title, ev[i].l->n);
        value_list(o, ev[i].l, ev[i].defang);
        vg_buf_putc(o, '\n');
    }
    vg_buf_printf(o, "### Findings (%zu)\n\n", n->nf);
    vg_buf_puts(o, "| Finding | Kind | First seen | Last seen | Outcome | Attempts | Accounts | "
                   "Severity |\n|---|---|---|---|---|---:|---:|---|\n");
    for (size_t i = 0; i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        char t1[VG_TIME_STRLEN], t2[VG_TIME_STRLEN];
        vg_fmt_time(f->first_seen, t1);
        vg_fmt_time(f->last_seen, t2);
        vg_buf_printf(o, "| `%s` r%d | ", f->id, f->revision);
        value(o, f->kind, false, true);
        vg_buf_printf(o, " | %s | %s | %s | %lld | %lld | %s |\n", t1, t2,
                      vg_outcome_name(f->outcome), (long long)vg_finding_attempts(f),
                      (long long)f->counts.accounts, vg_severity_name(f->severity));
    }
    vg_buf_putc(o, '\n');
    for (size_t i = 0; i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        if (!f->reasons.n)
            continue;
        vg_buf_printf(o, "Why `%s` (", f->id);
        value(o, f->kind, false, false);
        vg_buf_puts(o, "):\n\n");
        for (size_t k = 0; k < f->reasons.n; k++) {
            vg_buf_puts(o, "- ");
            esc(o, f->reasons.v[k]);
            vg_buf_putc(o, '\n');
        }
        vg_buf_putc(o, '\n');
    }

    /* 8. What to do */
    vg_buf_puts(o, "## What to do\n\n");
    vg_action acts[16];
    size_t na = vg_notice_actions(n, acts, 16);
    for (size_t i = 0; i < na; i++) {
        vg_buf_printf(o, "%zu. ", i + 1);
        esc(o, acts[i].text);
        if (acts[i].targets && acts[i].targets->n) {
            vg_buf_puts(o, " (");
            inline_list(o, acts[i].targets, 20, acts[i].defang, false);
            vg_buf_puts(o, ")");
        }
        vg_buf_putc(o, '\n');
    }
    vg_actions_free(acts, na);
    vg_buf_printf(o, "\n---\n\n**%s** · sent by ", tlp);
    esc(o, n->sender);
    vg_buf_printf(o, "%s · idempotency key `%s`\n", strcmp(n->sender, "vigil") ? " with vigil" : "",
                  n->idem);
}
