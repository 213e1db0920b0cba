/* render_notice.c — a notice as Markdown or as one self-contained HTML page:
 * one walk of the notice over the document writer (doc.c), which escapes
 * every value from mail or logs (indicators are defanged first). */
#include <string.h>

#include "notify/notify_int.h"

static void head(const vg_notice *n, vg_doc *d, const char *a, const char *b)
{
    vg_buf title;
    vg_buf_init(&title, 0);
    vg_buf_printf(&title, "%s intrusion campaign against %s", n->actor ? n->actor : "Unattributed",
                  n->org_name);
    vg_doc_begin(d, vg_buf_cstr(&title));
    vg_doc_heading_begin(d, 1);
    vg_doc_text(d, vg_buf_cstr(&title));
    vg_doc_heading_end(d);
    vg_buf_free(&title);

    vg_doc_para_begin(d, VG_PARA_META);
    vg_doc_raw(d, "Campaign ");
    vg_doc_span(d, VG_SPAN_CODE, n->campaign_id);
    vg_doc_printf(d, ", notice version %d (", n->version);
    vg_doc_span(d, VG_SPAN_TERM, n->idem);
    vg_doc_printf(d, "), activity %s to %s. From ", a, b);
    vg_doc_text(d, n->sender);
    vg_doc_raw(d, ".");
    vg_doc_para_end(d);
    vg_doc_tlp_note(d);

    if (n->mail_compromised) {
        vg_doc_para_begin(d, VG_PARA_ALERT);
        vg_doc_span(d, VG_SPAN_STRONG, "Your own mail accounts are compromised.");
        vg_doc_raw(d, " The attacker may be reading mail of the accounts listed below, including "
                      "mail about this incident. Do not discuss the response by mail from your "
                      "domain: use the telephone");
        if (n->contact) {
            vg_doc_raw(d, " or the out-of-band address ");
            vg_doc_span(d, VG_SPAN_ADDRESS, n->contact);
        }
        if (n->sender_contact) {
            vg_doc_raw(d, ", and reach ");
            vg_doc_text(d, n->sender);
            vg_doc_raw(d, " at ");
            vg_doc_span(d, VG_SPAN_ADDRESS, n->sender_contact);
        }
        vg_doc_raw(d, ".");
        vg_doc_para_end(d);
    }

    vg_buf h;
    vg_buf_init(&h, 0);
    vg_notice_headline(n, &h);
    vg_doc_heading(d, 2, "Summary");
    vg_doc_para_begin(d, VG_PARA_PLAIN);
    vg_doc_text(d, vg_buf_cstr(&h));
    vg_doc_para_end(d);
    vg_buf_free(&h);
}

/* 1. What succeeded */
static void compromised(const vg_notice *n, vg_doc *d)
{
    vg_doc_heading(d, 2, "Compromised accounts");
    if (n->ncomp == 0) {
        vg_doc_para_begin(d, VG_PARA_PLAIN);
        vg_doc_raw(d, "None known. Every attempt we saw failed or was blocked, or its outcome is "
                      "unknown (mail that was delivered).");
        vg_doc_para_end(d);
        return;
    }
    static const vg_doc_col cols[] = {
        {"Account", false, NULL}, {"What happened", false, NULL}, {"Since", false, NULL},
        {"From", false, NULL}};
    vg_doc_table_begin(d, cols, 4);
    for (size_t i = 0; i < n->ncomp; i++) {
        const vg_compromise *c = &n->comp[i];
        char t[VG_TIME_STRLEN];
        vg_fmt_time(c->first_seen, t);
        vg_doc_cell(d);
        vg_doc_value(d, c->account, false);
        vg_doc_cellf(d, "%s", c->signed_in ? "the attacker signed in"
                                           : "the attacker has the password (sign-in stopped "
                                             "by MFA or policy)");
        vg_doc_cellf(d, "%s", t);
        vg_doc_cell(d);
        vg_doc_values_inline(d, &c->ips, 5, true);
        vg_doc_row_end(d);
    }
    vg_doc_table_end(d);
}

/* 2. Who */
static void who(const vg_notice *n, vg_doc *d)
{
    vg_doc_heading(d, 2, "Who");
    if (!n->actor) {
        vg_doc_para_begin(d, VG_PARA_PLAIN);
        vg_doc_raw(d, "Not attributed: the evidence does not tie this activity to a tracked actor "
                      "with enough confidence to name one.");
        vg_doc_para_end(d);
        return;
    }
    vg_doc_kv_begin(d);
    vg_doc_key(d, "Actor");
    vg_doc_span(d, VG_SPAN_STRONG, n->actor);
    if (n->aliases.n) {
        vg_doc_key(d, "Also known as");
        for (size_t i = 0; i < n->aliases.n && i < 12; i++) {
            if (i)
                vg_doc_raw(d, ", ");
            vg_doc_text(d, n->aliases.v[i]);
        }
    }
    if (n->actor_origin) {
        vg_buf c;
        vg_buf_init(&c, 0);
        vg_country_words(&c, n->actor_origin);
        vg_doc_key(d, "Operating from");
        vg_doc_text(d, vg_buf_cstr(&c));
        vg_buf_free(&c);
    }
    vg_doc_key(d, "Confidence");
    vg_doc_raw(d, vg_confidence_words(n->confidence));
    if (n->why.n) {
        vg_doc_key_list(d, "Why");
        for (size_t i = 0; i < n->why.n; i++) {
            vg_doc_item_begin(d);
            vg_doc_text(d, n->why.v[i]);
            vg_doc_item_end(d);
        }
        vg_doc_list_end(d);
    }
    vg_doc_kv_end(d);
}

/* 3. What, 4. When */
static void what_when(const vg_notice *n, vg_doc *d, const char *a, const char *b)
{
    vg_doc_heading(d, 2, "What they did");
    vg_doc_list_begin(d, VG_LIST_BULLET);
    for (size_t i = 0; i < n->kinds.n; i++) {
        vg_doc_item_begin(d);
        vg_doc_text(d, vg_kind_words(n->kinds.v[i]));
        vg_doc_item_end(d);
    }
    for (size_t i = 0; i < n->techniques.n; i++) {
        const char *name = vg_technique_name(n->techniques.v[i]);
        vg_doc_item_begin(d);
        vg_doc_span(d, VG_SPAN_TERM, n->techniques.v[i]);
        if (name) {
            vg_doc_raw(d, " ");
            vg_doc_text(d, name);
            vg_doc_raw(d, ": ");
            vg_doc_text(d, vg_technique_words(n->techniques.v[i]));
        }
        vg_doc_item_end(d);
    }
    vg_doc_list_end(d);

    vg_doc_heading(d, 2, "When");
    vg_doc_para_begin(d, VG_PARA_PLAIN);
    vg_doc_printf(d, "From %s to %s (UTC). Attempts per day", a, b);
    vg_doc_alt(d, " (a finding's attempts are spread over the days it was active):",
               "; a finding's attempts are spread over the days it was active.");
    vg_doc_para_end(d);
    if (vg_doc_draws(d)) {
        vg_timeline_svg(&n->timeline, d->o);
        return;
    }
    static const vg_doc_col cols[] = {
        {"Day", false, NULL}, {"Attempted", true, NULL}, {"Blocked", true, NULL},
        {"Succeeded", true, NULL}};
    vg_doc_table_begin(d, cols, 4);
    for (size_t i = 0; i < n->timeline.n; i++) {
        const vg_day *day = &n->timeline.v[i];
        char t[16];
        vg_fmt_day(day->day_ms, t);
        vg_doc_cellf(d, "%s", t);
        vg_doc_cellf(d, "%lld", (long long)day->attempted);
        vg_doc_cellf(d, "%lld", (long long)day->blocked);
        vg_doc_cellf(d, "%lld", (long long)day->succeeded);
        vg_doc_row_end(d);
    }
    vg_doc_table_end(d);
}

/* 5. Targeted, 6. Blocked */
static void targeted_blocked(const vg_notice *n, vg_doc *d)
{
    vg_doc_heading(d, 2, "Accounts targeted (%zu)", n->targeted.n);
    vg_doc_values(d, &n->targeted, false);

    vg_doc_heading(d, 2, "What was blocked");
    vg_doc_para_begin(d, VG_PARA_PLAIN);
    vg_doc_printf(d, "%lld of %lld attempts were blocked or failed.", (long long)n->blocked,
                  (long long)n->attempts);
    if (n->cv_accounts.n) {
        vg_doc_printf(d, " Multi-factor authentication or a policy stopped sign-ins with the "
                         "correct password for %zu account%s: ",
                      n->cv_accounts.n, n->cv_accounts.n == 1 ? "" : "s");
        vg_doc_values_inline(d, &n->cv_accounts, 50, false);
        vg_doc_raw(d, ". Their passwords are known to the attacker.");
    }
    vg_doc_para_end(d);
}

/* 7. Evidence */
static void evidence(const vg_notice *n, vg_doc *d)
{
    vg_doc_heading(d, 2, "Evidence");
    vg_doc_para_begin(d, VG_PARA_META);
    vg_doc_alt(d, "Indicators are defanged (`[.]` for dots, `hxxp` for http)",
               "Indicators are defanged ([.] for dots, hxxp for http)");
    vg_doc_raw(d, "; the JSON and STIX attachments carry them verbatim.");
    vg_doc_para_end(d);
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
        vg_doc_heading(d, 3, "%s (%zu)", ev[i].title, ev[i].l->n);
        vg_doc_values(d, ev[i].l, ev[i].defang);
    }

    /* Each finding's reasons: in its row where cells wrap, else below the table. */
    bool wrap = vg_doc_cells_wrap(d);
    static const vg_doc_col cols[] = {
        {"Finding", false, NULL},  {"Kind", false, NULL},    {"First seen", false, NULL},
        {"Last seen", false, NULL}, {"Outcome", false, NULL}, {"Attempts", true, NULL},
        {"Accounts", true, NULL},   {"Severity", false, NULL}, {"Why", false, NULL}};
    vg_doc_heading(d, 3, "Findings (%zu)", n->nf);
    vg_doc_table_begin(d, cols, wrap ? 9 : 8);
    for (size_t i = 0; i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        char t1[VG_TIME_STRLEN], t2[VG_TIME_STRLEN];
        vg_fmt_time(f->first_seen, t1);
        vg_fmt_time(f->last_seen, t2);
        vg_doc_cell(d);
        vg_doc_span(d, VG_SPAN_CODE, f->id);
        vg_doc_printf(d, " r%d", f->revision);
        vg_doc_cell(d);
        vg_doc_span(d, VG_SPAN_KIND, f->kind);
        vg_doc_cellf(d, "%s", t1);
        vg_doc_cellf(d, "%s", t2);
        vg_doc_cellf(d, "%s", vg_outcome_name(f->outcome));
        vg_doc_cellf(d, "%lld", (long long)vg_finding_attempts(f));
        vg_doc_cellf(d, "%lld", (long long)f->counts.accounts);
        vg_doc_cellf(d, "%s", vg_severity_name(f->severity));
        if (wrap) {
            vg_doc_cell(d);
            for (size_t k = 0; k < f->reasons.n; k++) {
                if (k)
                    vg_doc_br(d);
                vg_doc_text(d, f->reasons.v[k]);
            }
        }
        vg_doc_row_end(d);
    }
    vg_doc_table_end(d);
    for (size_t i = 0; !wrap && i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        if (!f->reasons.n)
            continue;
        vg_doc_para_begin(d, VG_PARA_PLAIN);
        vg_doc_raw(d, "Why ");
        vg_doc_span(d, VG_SPAN_CODE, f->id);
        vg_doc_raw(d, " (");
        vg_doc_span(d, VG_SPAN_KIND, f->kind);
        vg_doc_raw(d, "):");
        vg_doc_para_end(d);
        vg_doc_list_begin(d, VG_LIST_BULLET);
        for (size_t k = 0; k < f->reasons.n; k++) {
            vg_doc_item_begin(d);
            vg_doc_text(d, f->reasons.v[k]);
            vg_doc_item_end(d);
        }
        vg_doc_list_end(d);
    }
}

/* 8. What to do, and the footer */
static void actions(const vg_notice *n, vg_doc *d)
{
    vg_doc_heading(d, 2, "What to do");
    vg_doc_list_begin(d, VG_LIST_ORDERED);
    vg_action acts[16];
    size_t na = vg_notice_actions(n, acts, 16);
    for (size_t i = 0; i < na; i++) {
        vg_doc_item_begin(d);
        vg_doc_text(d, acts[i].text);
        if (acts[i].targets && acts[i].targets->n) {
            vg_doc_detail_begin(d);
            vg_doc_values_inline(d, acts[i].targets, 20, acts[i].defang);
            vg_doc_detail_end(d);
        }
        vg_doc_item_end(d);
    }
    vg_actions_free(acts, na);
    vg_doc_list_end(d);

    vg_doc_footer(d);
    vg_doc_alt(d, "sent by ", "<p class=\"meta\">Sent by ");
    vg_doc_text(d, n->sender);
    vg_doc_raw(d, strcmp(n->sender, "vigil") ? " with vigil" : "");
    vg_doc_alt(d, " · idempotency key ", ". Idempotency key ");
    vg_doc_span(d, VG_SPAN_CODE, n->idem);
    vg_doc_alt(d, "\n", ".</p>\n");
    vg_doc_end(d);
}

static void render(const vg_notice *n, vg_doc_fmt fmt, vg_buf *out)
{
    char a[16], b[16];
    vg_fmt_day(n->first_seen, a);
    vg_fmt_day(n->last_seen, b);
    vg_doc d;
    vg_doc_init(&d, out, fmt, n->tlp);
    head(n, &d, a, b);
    compromised(n, &d);
    who(n, &d);
    what_when(n, &d, a, b);
    targeted_blocked(n, &d);
    evidence(n, &d);
    actions(n, &d);
}

void vg_notice_render_md(const vg_notice *n, vg_buf *out) { render(n, VG_DOC_MD, out); }
void vg_notice_render_html(const vg_notice *n, vg_buf *out) { render(n, VG_DOC_HTML, out); }
