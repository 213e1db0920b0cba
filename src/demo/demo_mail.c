/* demo_mail.c — the demo's mail: what each organization's MX delivered over
 * the window, as one mbox or one Maildir per organization.
 *
 * Benign: WHO newsletters from who.int and LinkedIn job alerts from
 * linkedin.com (both passing SPF, DKIM and DMARC in Authentication-Results
 * written by the organization's own MX: the real brands that are impersonated
 * elsewhere), internal mail about vaccine-trial data, vendor invoices with a
 * PDF, and an IT notice about the password reset with a real Microsoft link.
 * Attacks: CERIUM's COVID-19 lures posing as the WHO from lookalike and
 * homoglyph domains with credential links; ZINC's recruiters on free-mail
 * and lookalike career sites, the job description a macro-enabled .docm. */
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define DAY 86400000LL
#define HOUR 3600000LL
#define MIN 60000LL
#define SEC 1000LL

typedef struct att {
    const char *name, *ctype;
    const void *data;
    size_t len;
} att;

typedef struct mspec {
    int64_t t;
    int org;
    const char *from_name, *from_addr, *to_name, *to_addr, *reply_to, *subject;
    const char *mailfrom; /* envelope sender */
    const char *helo, *relay_ip;
    const char *spf, *dkim, *dkim_d, *dmarc;
    const char *forged_ar; /* an Authentication-Results line from an untrusted host */
    const char *msgid_host;
    const char *text, *html;
    att att[2];
    int n_att;
    const char *extra; /* extra header lines, each ending in \n */
    const char *kind, *actor;
} mspec;

static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : addr;
}

static void add_msg(dm_world *w, dm_rng *r, const mspec *s)
{
    if (s->t < w->t0 || s->t >= w->t1)
        return;
    const dm_org *o = &w->org[s->org];
    vg_buf b;
    vg_buf_init(&b, 0);
    char date[40], rdate[40];
    dm_rfc5322(s->t, 0, date);
    dm_rfc5322(s->t + dm_range(r, 1, 20) * SEC, o->tz_min, rdate);
    char qid[16];
    static const char al[] = "0123456789BCDFGHJKLMNPQRSTVWXYZ";
    for (int i = 0; i < 11; i++)
        qid[i] = al[dm_below(r, 31)];
    qid[11] = 0;
    vg_buf_printf(&b, "Return-Path: <%s>\n", s->mailfrom);
    vg_buf_printf(&b, "Delivered-To: %s\n", s->to_addr);
    vg_buf_printf(
        &b, "Received: from %s (%s [%s])\n\tby %s (Postfix) with ESMTPS id %s\n\tfor <%s>; %s\n",
        s->helo, s->helo, s->relay_ip, o->mx, qid, s->to_addr, rdate);
    vg_buf_printf(&b, "Authentication-Results: %s;\n\tspf=%s smtp.mailfrom=%s;\n\tdkim=%s", o->mx,
                  s->spf, domain_of(s->mailfrom), s->dkim);
    if (s->dkim_d)
        vg_buf_printf(&b, " header.d=%s header.s=%s", s->dkim_d,
                      dm_chance(r, 0.5) ? "s1" : "selector1");
    vg_buf_printf(&b, ";\n\tdmarc=%s header.from=%s\n", s->dmarc, domain_of(s->from_addr));
    if (s->forged_ar)
        vg_buf_printf(&b, "Authentication-Results: %s\n", s->forged_ar);
    if (s->dkim_d && strcmp(s->dkim, "pass") == 0) {
        uint8_t h[32];
        vg_sha256_digest(s->subject, strlen(s->subject), h);
        vg_buf_printf(&b,
                      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=s1;\n\t"
                      "h=from:to:subject:date:message-id:mime-version; bh=",
                      s->dkim_d);
        dm_b64(&b, h, 32, 0);
        vg_buf_puts(&b, ";\n\tb=");
        uint8_t sig[96];
        for (size_t i = 0; i < sizeof sig; i++)
            sig[i] = (uint8_t)dm_next(r);
        dm_b64(&b, sig, 48, 0);
        vg_buf_puts(&b, "\n\t ");
        dm_b64(&b, sig + 48, 48, 0);
        vg_buf_putc(&b, '\n');
    }
    vg_buf_printf(&b, "Date: %s\n", date);
    vg_buf_puts(&b, "From: ");
    if (s->from_name && *s->from_name) {
        vg_buf_putc(&b, '"');
        dm_hdr_text(&b, s->from_name);
        vg_buf_putc(&b, '"');
        vg_buf_putc(&b, ' ');
    }
    vg_buf_printf(&b, "<%s>\n", s->from_addr);
    vg_buf_puts(&b, "To: ");
    if (s->to_name && *s->to_name) {
        vg_buf_putc(&b, '"');
        dm_hdr_text(&b, s->to_name);
        vg_buf_puts(&b, "\" ");
    }
    vg_buf_printf(&b, "<%s>\n", s->to_addr);
    if (s->reply_to)
        vg_buf_printf(&b, "Reply-To: <%s>\n", s->reply_to);
    vg_buf_puts(&b, "Subject: ");
    dm_hdr_text(&b, s->subject);
    vg_buf_putc(&b, '\n');
    char mid[160];
    snprintf(mid, sizeof mid, "%016llx.%08x@%s", (unsigned long long)dm_next(r),
             (unsigned)(dm_next(r) >> 32), s->msgid_host);
    vg_buf_printf(&b, "Message-ID: <%s>\n", mid);
    if (s->extra)
        vg_buf_puts(&b, s->extra);
    vg_buf_puts(&b, "MIME-Version: 1.0\n");
    char b1[48], b2[48];
    snprintf(b1, sizeof b1, "----=_Part_%u_%u", (unsigned)dm_below(r, 1000000),
             (unsigned)dm_below(r, 1000000000));
    snprintf(b2, sizeof b2, "----=_Alt_%u_%u", (unsigned)dm_below(r, 1000000),
             (unsigned)dm_below(r, 1000000000));
    bool mixed = s->n_att > 0;
    if (mixed)
        vg_buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n", b1, b1);
    if (s->html) {
        vg_buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n", b2);
        vg_buf_printf(&b,
                      "--%s\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: "
                      "8bit\n\n%s\n",
                      b2, s->text);
        vg_buf_printf(
            &b,
            "--%s\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n%s\n",
            b2, s->html);
        vg_buf_printf(&b, "--%s--\n", b2);
    } else {
        vg_buf_printf(
            &b, "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n%s\n",
            s->text);
    }
    for (int i = 0; i < s->n_att; i++) {
        vg_buf_printf(&b,
                      "--%s\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; "
                      "filename=\"%s\"\n"
                      "Content-Transfer-Encoding: base64\n\n",
                      b1, s->att[i].ctype, s->att[i].name, s->att[i].name);
        dm_b64(&b, s->att[i].data, s->att[i].len, 76);
    }
    if (mixed)
        vg_buf_printf(&b, "--%s--\n", b1);

    w->msgs = vg_xgrow(w->msgs, &w->cap_msgs, w->n_msgs + 1, sizeof *w->msgs);
    dm_msg *m = &w->msgs[w->n_msgs++];
    memset(m, 0, sizeof *m);
    m->t = s->t;
    m->org = (uint16_t)s->org;
    m->len = b.n;
    m->raw = vg_buf_steal(&b);
    m->message_id = vg_xstrdup(mid);
    m->kind = vg_xstrdup(s->kind);
    m->actor = s->actor ? vg_xstrdup(s->actor) : NULL;
    m->recipient = vg_xstrdup(s->to_addr);
    uint8_t h[32];
    vg_sha256_digest(m->raw, m->len, h);
    vg_hex(h, 32, m->sha256);
    if (s->actor) {
        int a = strcmp(s->actor, "ZINC") == 0 ? 1 : 2;
        w->act[a].messages++;
        w->act[a].attempts++; /* delivered: neither blocked nor (by itself) a success */
        dm_list_addc(&w->act[a].accounts, s->to_addr);
    }
}

static const char *mailer_ip(dm_world *w, dm_rng *r)
{
    if (w->n_mailer < DM_COUNT(w->mailer)) {
        w->mailer[w->n_mailer] = dm_ip_new(w, r, DM_IP_MAILER, NULL);
        return w->ips[w->mailer[w->n_mailer++]].addr;
    }
    return w->ips[w->mailer[dm_below(r, (uint32_t)DM_COUNT(w->mailer))]].addr;
}

static int32_t random_person(dm_world *w, dm_rng *r, int oi)
{
    const dm_org *o = &w->org[oi];
    for (;;) {
        int32_t u = (int32_t)(o->first_user + dm_below(r, (uint32_t)o->n_users));
        if (!(w->users[u].flags & DM_U_SERVICE))
            return u;
    }
}

static int64_t work_time(dm_world *w, dm_rng *r, int oi, int day)
{
    return dm_local_midnight(w, oi, day) + (int64_t)((7.5 + 10 * dm_unit(r)) * HOUR);
}

/* ---- benign ------------------------------------------------------------------------------ */

static void who_newsletter(dm_world *w, dm_rng *r, int oi, int32_t u, int64_t t, int issue)
{
    static const char *const subj[] = {
        "COVID-19 Weekly Epidemiological Update",
        "WHO Director-General's opening remarks at the media briefing on COVID-19",
        "COVID-19 vaccines: the ACT-Accelerator and COVAX update",
        "WHO Health Emergencies: what's new this week"};
    const dm_user *us = &w->users[u];
    vg_tm tm;
    vg_time_to_civil(t, &tm);
    char *subject = dm_printf("%s – %d %s 2020", subj[issue % 4], tm.day,
                              tm.month == 10 ? "October" : "November");
    char *text = dm_printf(
        "World Health Organization\n\n%s\n\n"
        "Globally, new COVID-19 cases continued to rise this week. This update presents the "
        "situation by WHO region, the latest on vaccine candidates in clinical evaluation and "
        "guidance for clinical trial sites.\n\n"
        "Read the full update: "
        "https://www.who.int/publications/m/item/weekly-epidemiological-update\n"
        "Draft landscape of COVID-19 candidate vaccines: "
        "https://www.who.int/publications/m/item/draft-landscape-of-covid-19-candidate-vaccines\n\n"
        "You are receiving this because you subscribed to WHO news.\n"
        "Unsubscribe: https://www.who.int/newsletters/unsubscribe?u=%s\n",
        subject, us->id);
    char *html = dm_printf(
        "<html><body><table width=\"600\"><tr><td><img "
        "src=\"https://www.who.int/images/default-source/"
        "infographics/who-emblem.png\" alt=\"World Health Organization\"></td></tr>"
        "<tr><td><h1>%s</h1><p>Globally, new COVID-19 cases continued to rise this week. This "
        "update "
        "presents the situation by WHO region, the latest on vaccine candidates in clinical "
        "evaluation and guidance for clinical trial sites.</p>"
        "<p><a href=\"https://www.who.int/publications/m/item/weekly-epidemiological-update\">Read "
        "the full update</a></p>"
        "<p><a "
        "href=\"https://www.who.int/publications/m/item/"
        "draft-landscape-of-covid-19-candidate-vaccines\">"
        "Draft landscape of COVID-19 candidate vaccines</a></p>"
        "<p style=\"font-size:11px\">You are receiving this because you subscribed to WHO news. "
        "<a "
        "href=\"https://www.who.int/newsletters/unsubscribe?u=%s\">Unsubscribe</a></p></td></tr></"
        "table></body></html>",
        subject, us->id);
    char *extra = dm_printf("List-Id: WHO news <news.who.int>\nList-Unsubscribe: "
                            "<https://www.who.int/newsletters/unsubscribe?u=%s>\n"
                            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\nPrecedence: bulk\n",
                            us->id);
    mspec s = {.t = t,
               .org = oi,
               .from_name = "World Health Organization",
               .from_addr = "news@who.int",
               .to_name = us->display,
               .to_addr = us->upn,
               .subject = subject,
               .mailfrom = "bounce-news@mail.who.int",
               .helo = "mail.who.int",
               .relay_ip = mailer_ip(w, r),
               .spf = "pass",
               .dkim = "pass",
               .dkim_d = "who.int",
               .dmarc = "pass",
               .msgid_host = "mail.who.int",
               .text = text,
               .html = html,
               .extra = extra,
               .kind = "who_newsletter"};
    add_msg(w, r, &s);
    free(subject);
    free(text);
    free(html);
    free(extra);
}

static const char *const jobs[] = {"Senior Scientist, Vaccine Development",
                                   "Principal Immunologist",
                                   "Clinical Trial Manager",
                                   "Director, Process Development",
                                   "Biostatistician II",
                                   "Associate Director, Regulatory Affairs",
                                   "Research Scientist, mRNA Platform",
                                   "Medical Director, Infectious Diseases"};
static const char *const fake_cos[] = {"Aldervane Biotech", "Quillon Pharma",
                                       "Stratus Bio",       "Westbrook Therapeutics",
                                       "Corvane Vaccines",  "Pellion Health"};

static void linkedin_alert(dm_world *w, dm_rng *r, int oi, int32_t u, int64_t t)
{
    const dm_user *us = &w->users[u];
    const char *job = DM_PICK(r, jobs), *co = DM_PICK(r, fake_cos);
    char *subject = dm_printf("\xe2\x80\x9c%s\xe2\x80\x9d: %s - %s and more", us->title, co, job);
    unsigned long long jid = 2200000000ull + dm_below(r, 99999999);
    char *text = dm_printf(
        "Your job alert for %s\n\n%s\n%s\n%s\nView job: "
        "https://www.linkedin.com/comm/jobs/view/%llu/?trackingId=%08x\n\n"
        "See all jobs: https://www.linkedin.com/comm/jobs/search?keywords=%s\n\n"
        "Unsubscribe: https://www.linkedin.com/comm/psettings/email-unsubscribe?lipi=urn%%3Ali\n"
        "This email was intended for %s. LinkedIn Corporation, 1000 W Maude Ave, Sunnyvale, CA "
        "94085.\n",
        us->title, job, co, w->org[oi].city, jid, (unsigned)dm_next(r), "vaccine", us->display);
    char *html =
        dm_printf("<html><body><h2>Your job alert for %s</h2><table><tr><td><a "
                  "href=\"https://www.linkedin.com/comm/jobs/view/%llu/?trackingId=%08x\">%s</"
                  "a><br>%s &middot; %s</td></tr></table>"
                  "<p><a href=\"https://www.linkedin.com/comm/jobs/search?keywords=vaccine\">See "
                  "all jobs</a></p>"
                  "<p style=\"color:#666\">This email was intended for %s. <a "
                  "href=\"https://www.linkedin.com/comm/psettings/"
                  "email-unsubscribe?lipi=urn%%3Ali\">Unsubscribe</a>"
                  "<br>&copy; 2020 LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA "
                  "94085.</p></body></html>",
                  us->title, jid, (unsigned)dm_next(r), job, co, w->org[oi].city, us->display);
    char *mf = dm_printf("s-%08x@bounce.linkedin.com", (unsigned)dm_next(r));
    mspec s = {
        .t = t,
        .org = oi,
        .from_name = "LinkedIn Job Alerts",
        .from_addr = "jobalerts-noreply@linkedin.com",
        .to_name = us->display,
        .to_addr = us->upn,
        .subject = subject,
        .mailfrom = mf,
        .helo = "mailb-dg.linkedin.com",
        .relay_ip = mailer_ip(w, r),
        .spf = "pass",
        .dkim = "pass",
        .dkim_d = "linkedin.com",
        .dmarc = "pass",
        .msgid_host = "ltx1-app3112.prod.linkedin.com",
        .text = text,
        .html = html,
        .extra =
            "List-Unsubscribe: "
            "<https://www.linkedin.com/comm/psettings/email-unsubscribe>\nX-LinkedIn-Class: JOBS\n",
        .kind = "linkedin_job_alert"};
    add_msg(w, r, &s);
    free(subject);
    free(text);
    free(html);
    free(mf);
}

static void internal_trial(dm_world *w, dm_rng *r, int oi, int64_t t)
{
    static const char *const subj[] = {"Phase 2 interim readout - cohort B immunogenicity",
                                       "Re: DSMB meeting pack v3",
                                       "Trial site monitoring visits next week",
                                       "Neutralising titres, day 28 (draft)",
                                       "Re: CRF changes for protocol amendment 2",
                                       "Cold-chain excursion at site 014",
                                       "Stability data lot 20-117"};
    int32_t a = random_person(w, r, oi), b = random_person(w, r, oi);
    if (a == b)
        return;
    const dm_user *ua = &w->users[a], *ub = &w->users[b];
    const char *sj = DM_PICK(r, subj);
    char *text = dm_printf(
        "Hi %s,\n\nAttached are the numbers we discussed. Seroconversion in cohort B is at %d%% "
        "at day 28; GMT ratio vs. convalescent panel %.1f. Please keep this within the study "
        "team until the DSMB has reviewed it.\n\nThe dashboard is on SharePoint: "
        "https://%s.sharepoint.example/sites/clinical/Trial-%d\n\nThanks,\n%s\n%s\n",
        ub->first, dm_range(r, 80, 98), 1.5 + dm_unit(r) * 3, w->org[oi].id, dm_range(r, 100, 400),
        ua->first, ua->title);
    char csv[512];
    snprintf(csv, sizeof csv,
             "subject,arm,day,titre\n%03d,A,28,%d\n%03d,B,28,%d\n%03d,placebo,28,%d\n",
             dm_range(r, 1, 300), dm_range(r, 100, 2000), dm_range(r, 1, 300),
             dm_range(r, 100, 2000), dm_range(r, 1, 300), dm_range(r, 5, 40));
    mspec s = {.t = t,
               .org = oi,
               .from_name = ua->display,
               .from_addr = ua->upn,
               .to_name = ub->display,
               .to_addr = ub->upn,
               .subject = sj,
               .mailfrom = ua->upn,
               .helo = "exch01.corp.internal",
               .relay_ip = "10.20.1.25",
               .spf = "pass",
               .dkim = "pass",
               .dkim_d = domain_of(ua->upn),
               .dmarc = "pass",
               .msgid_host = domain_of(ua->upn),
               .text = text,
               .kind = "internal_trial"};
    if (dm_chance(r, 0.5)) {
        s.att[0] = (att){"cohortB_day28_titres.csv", "text/csv", csv, strlen(csv)};
        s.n_att = 1;
    }
    add_msg(w, r, &s);
    free(text);
}

static void vendor_invoice(dm_world *w, dm_rng *r, int oi, int64_t t)
{
    static const char *const vendors[][2] = {{"Labcore Supplies", "labcore-supplies.example"},
                                             {"Cryostar Logistics", "cryostar-logistics.example"},
                                             {"Nordic Reagents", "nordicreagents.example"},
                                             {"Pipette Works", "pipetteworks.example"}};
    int v = (int)dm_below(r, 4);
    int32_t u = random_person(w, r, oi);
    const dm_user *us = &w->users[u];
    unsigned inv = 10000 + dm_below(r, 89999);
    char name[64], from[96], subject[192];
    snprintf(name, sizeof name, "Invoice_INV-2020-%u.pdf", inv);
    snprintf(from, sizeof from, "accounts@%s", vendors[v][1]);
    snprintf(subject, sizeof subject, "Invoice INV-2020-%u from %s", inv, vendors[v][0]);
    char l1[160], l2[256], l3[160], l4[160];
    snprintf(l1, sizeof l1, "%s - INVOICE INV-2020-%u", vendors[v][0], inv);
    snprintf(l2, sizeof l2, "Bill to: %s, %s", w->org[oi].name, w->org[oi].city);
    snprintf(l3, sizeof l3, "Cryogenic storage vials, 2 ml (x%d)  %d.00 USD", dm_range(r, 10, 90),
             dm_range(r, 400, 9000));
    snprintf(l4, sizeof l4, "Payment terms: net 30. PO %u", 4500000 + dm_below(r, 99999));
    const char *lines[] = {l1, l2, l3, l4};
    vg_buf pdf;
    vg_buf_init(&pdf, 0);
    dm_pdf_build(&pdf, lines, 4);
    char *text =
        dm_printf("Dear %s,\n\nPlease find attached invoice INV-2020-%u for your recent order. "
                  "Payment is due within 30 days to the account on file.\n\nKind "
                  "regards,\nAccounts Receivable\n%s\n",
                  us->first, inv, vendors[v][0]);
    char helo[128];
    snprintf(helo, sizeof helo, "smtp.%s", vendors[v][1]);
    mspec s = {.t = t,
               .org = oi,
               .from_name = vendors[v][0],
               .from_addr = from,
               .to_name = us->display,
               .to_addr = us->upn,
               .subject = subject,
               .mailfrom = from,
               .helo = helo,
               .relay_ip = mailer_ip(w, r),
               .spf = "pass",
               .dkim = "pass",
               .dkim_d = vendors[v][1],
               .dmarc = "pass",
               .msgid_host = helo,
               .text = text,
               .kind = "vendor_invoice"};
    s.att[0] = (att){name, "application/pdf", pdf.p, pdf.n};
    s.n_att = 1;
    add_msg(w, r, &s);
    free(text);
    vg_buf_free(&pdf);
}

static void it_notice(dm_world *w, dm_rng *r)
{
    int oi = w->reset_org;
    const dm_org *o = &w->org[oi];
    char to[128];
    snprintf(to, sizeof to, "all-staff@%s", o->domain);
    char *text = dm_printf(
        "Dear colleagues,\n\nAs a precaution, IT has reset the passwords of all accounts this "
        "morning. You received a temporary password by SMS. At your next sign-in you will be "
        "asked to choose a new one; you can also do it at "
        "https://passwordreset.microsoftonline.com/\n\n"
        "Phones and tablets that use the built-in mail app will keep asking for your password "
        "until you enter the new one in Settings > Mail > Accounts.\n\nIT Helpdesk\n%s\n",
        o->name);
    mspec s = {.t = w->reset_t - 20 * MIN,
               .org = oi,
               .from_name = "IT Helpdesk",
               .from_addr = o->it_user,
               .to_name = "All staff",
               .to_addr = to,
               .subject = "Action required: your password has been reset",
               .mailfrom = o->it_user,
               .helo = "exch01.corp.internal",
               .relay_ip = "10.20.1.25",
               .spf = "pass",
               .dkim = "pass",
               .dkim_d = o->domain,
               .dmarc = "pass",
               .msgid_host = o->domain,
               .text = text,
               .kind = "it_password_notice"};
    add_msg(w, r, &s);
    free(text);
}

/* ---- CERIUM --------------------------------------------------------------------------------- */

static void cerium_lures(dm_world *w, dm_rng *r)
{
    static const char *const subj[] = {
        "COVID-19 vaccine trial coordination: action required by your site",
        "WHO Solidarity Trial - site registration must be re-validated",
        "Updated list of COVID-19 vaccine candidates (restricted distribution)",
        "Interim guidance for clinical trial sites on COVID-19 vaccine candidates",
        "URGENT: WHO COVID-19 vaccine safety signal - confidential"};
    static const char *const names[] = {"World Health Organization",
                                        "WHO Health Emergencies Programme",
                                        "WHO COVID-19 Vaccine Coordination", "WHO R&D Blueprint"};
    static const char *const locals[] = {"covid19", "vaccines", "no-reply", "emergencies",
                                         "solidarity-trial"};
    for (size_t i = 0; i < w->n_cerium; i++) {
        int32_t u = w->cerium_rcpt[i];
        const dm_user *us = &w->users[u];
        size_t di = i % w->n_cerium_domain; /* every domain is used */
        char from[192], mf[192];
        snprintf(from, sizeof from, "%s@%s", DM_PICK(r, locals), w->cerium_domain[di]);
        snprintf(mf, sizeof mf, "bounce@%s", w->cerium_domain[di]);
        char url[512];
        snprintf(url, sizeof url, w->cerium_landing[di], us->upn);
        const char *sj = DM_PICK(r, subj);
        char *text = dm_printf(
            "Dear colleague,\n\nThe World Health Organization is coordinating the safety review of "
            "COVID-19 vaccine candidates in clinical evaluation. Your organization is listed as a "
            "trial "
            "site. To keep access to the shared data room, confirm your institutional account "
            "before "
            "%s:\n\nhttps://www.who.int/emergencies/diseases/novel-coronavirus-2019/"
            "vaccine-trials\n\n"
            "Sign in with your work e-mail and password.\n\nWHO Health Emergencies Programme\n"
            "20 Avenue Appia, 1211 Geneva 27, Switzerland\n",
            dm_chance(r, 0.5) ? "Friday" : "the end of the week");
        char *html = dm_printf(
            "<html><body style=\"font-family:Arial\"><p><img "
            "src=\"https://www.who.int/images/default-source/"
            "infographics/who-emblem.png\" alt=\"WHO\"></p><p>Dear colleague,</p><p>The World "
            "Health "
            "Organization is coordinating the safety review of COVID-19 vaccine candidates in "
            "clinical "
            "evaluation. Your organization is listed as a trial site. To keep access to the shared "
            "data "
            "room, <b>confirm your institutional account</b>:</p>"
            "<p><a "
            "href=\"%s\">https://www.who.int/emergencies/diseases/novel-coronavirus-2019/"
            "vaccine-trials</a></p>"
            "<p>Sign in with your work e-mail and password.</p><p>WHO Health Emergencies "
            "Programme<br>"
            "20 Avenue Appia, 1211 Geneva 27, Switzerland</p><p style=\"font-size:10px\">Visit "
            "<a href=\"https://www.%s/\">%s</a></p></body></html>",
            url, w->cerium_unicode[di], w->cerium_unicode[di]);
        char helo[192], forged[256];
        snprintf(helo, sizeof helo, "mail.%s", w->cerium_domain[di]);
        snprintf(forged, sizeof forged,
                 "mail.who.int; dkim=pass header.d=who.int; spf=pass smtp.mailfrom=who.int; "
                 "dmarc=pass header.from=who.int");
        mspec s = {.t = w->cerium_t[i],
                   .org = us->org,
                   .from_name = DM_PICK(r, names),
                   .from_addr = from,
                   .to_name = us->display,
                   .to_addr = us->upn,
                   .subject = sj,
                   .mailfrom = mf,
                   .helo = helo,
                   .relay_ip = w->ips[w->cerium_ip[dm_below(r, (uint32_t)w->n_cerium_ip)]].addr,
                   .spf = "pass",
                   .dkim = dm_chance(r, 0.5) ? "none" : "pass",
                   .dkim_d = NULL,
                   .dmarc = "none",
                   .forged_ar = dm_chance(r, 0.4) ? forged : NULL,
                   .msgid_host = helo,
                   .text = text,
                   .html = html,
                   .kind = "cerium_lure",
                   .actor = "CERIUM"};
        if (strcmp(s.dkim, "pass") == 0)
            s.dkim_d = w->cerium_domain[di];
        add_msg(w, r, &s);
        free(text);
        free(html);
    }
}

/* ---- ZINC ------------------------------------------------------------------------------------ */

static void zinc_lures(dm_world *w, dm_rng *r)
{
    for (size_t i = 0; i < w->n_zinc; i++) {
        int32_t u = w->zinc_rcpt[i];
        const dm_user *us = &w->users[u];
        int kind = (int)(i % 2); /* alternate free-mail and lookalike career site */
        const char *co = DM_PICK(r, fake_cos);
        const char *job = DM_PICK(r, jobs);
        const char *rname; /* each persona keeps its name and address */
        char from[160], helo[160], site[192];
        const char *relay;
        const char *spf = "pass", *dkim = "pass", *dmarc = "pass", *dkim_d;
        if (kind == 0) {
            uint32_t k = dm_below(r, 2);
            snprintf(from, sizeof from, "%s", w->zinc_freemail[k]);
            rname = w->zinc_persona[k];
            const char *d = domain_of(from);
            snprintf(helo, sizeof helo, "%s",
                     strcmp(d, "gmail.com") == 0 ? "mail-sor-f41.google.com"
                     : strcmp(d, "outlook.com") == 0
                         ? "mail-oln040092069.outbound.protection.outlook.com"
                         : "sonic301-2.consmr.mail.ne1.yahoo.com");
            relay = mailer_ip(w, r);
            dkim_d = d;
            snprintf(site, sizeof site, "https://%s/careers/%s/jobs/%u", w->zinc_domain[1],
                     "vaccines", (unsigned)dm_range(r, 1000, 9999));
        } else {
            const char *d = w->zinc_domain[dm_below(r, 2)];
            snprintf(from, sizeof from, "talent@%s", d);
            rname = w->zinc_persona[2];
            snprintf(helo, sizeof helo, "mail.%s", d);
            relay = w->ips[w->zinc_ip[1 + dm_below(r, 2)]].addr;
            dkim_d = d;
            dmarc = "none";
            dkim = "none";
            snprintf(site, sizeof site, "https://careers.%s/opportunities/%u", d,
                     (unsigned)dm_range(r, 1000, 9999));
        }
        char subject[192];
        snprintf(subject, sizeof subject, "%s - confidential opportunity at %s", job, co);
        char *text = dm_printf(
            "Dear %s,\n\nI came across your profile and your work on %s impressed me. I am "
            "recruiting for "
            "%s, a fast-growing company in vaccine development, for the role of %s. The package is "
            "very competitive (relocation and remote options).\n\nWould you be open to a short "
            "call this "
            "week? You can read more about the team here: %s\n\nBest regards,\n%s\nSenior Talent "
            "Acquisition Partner\n",
            us->first, strstr(us->title, "Clinical") ? "clinical trials" : "vaccine research", co,
            job, site, rname);
        size_t n_before = w->n_msgs;
        mspec s = {.t = w->zinc_t[i],
                   .org = us->org,
                   .from_name = rname,
                   .from_addr = from,
                   .to_name = us->display,
                   .to_addr = us->upn,
                   .subject = subject,
                   .mailfrom = from,
                   .helo = helo,
                   .relay_ip = relay,
                   .spf = spf,
                   .dkim = dkim,
                   .dkim_d = strcmp(dkim, "pass") == 0 ? dkim_d : NULL,
                   .dmarc = dmarc,
                   .msgid_host = kind == 0 ? "mail.gmail.com" : helo,
                   .text = text,
                   .kind = "zinc_lure",
                   .actor = "ZINC"};
        add_msg(w, r, &s);
        free(text);
        /* the follow-up, a day later, with the job description */
        char docname[128];
        char cslug[64];
        dm_slug(co, cslug, sizeof cslug);
        for (char *p = cslug; *p; p++)
            if (*p == '-')
                *p = '_';
        snprintf(docname, sizeof docname, "%.60s_%s_Job_Description.docm", cslug,
                 strstr(job, "Scientist") ? "Senior_Scientist" : "Director");
        char *body = dm_printf(
            "%s\n\n%s is hiring a %s to lead its COVID-19 vaccine programme. "
            "Responsibilities: lead preclinical and Phase 1/2 work, manage a team of eight, "
            "liaise with regulators. Requirements: PhD, 8+ years in vaccine R&D.\n\n"
            "This document is protected. To view the full job description and salary "
            "details, click Enable Editing and then Enable Content.",
            job, co, job);
        vg_buf doc;
        vg_buf_init(&doc, 0);
        dm_docm_build(&doc, job, co, body, w->zinc_t[i]);
        size_t dslot = i % 2;
        vg_sha256_digest(doc.p, doc.n, w->docm_sha[dslot]);
        snprintf(w->docm_name[dslot], sizeof w->docm_name[dslot], "%s", docname);
        char subject2[256];
        snprintf(subject2, sizeof subject2, "RE: %s", subject);
        char *text2 = dm_printf(
            "Hi %s,\n\nThank you for your reply. As promised, the full job description is "
            "attached (protected document, please enable content to read it). Let me know "
            "a good time for a call.\n\nBest,\n%s\n",
            us->first, rname);
        /* a reply to the recruit's answer (outbound, so not in this journal) */
        const char *first_id = w->n_msgs > n_before ? w->msgs[w->n_msgs - 1].message_id : NULL;
        unsigned long long rid = (unsigned long long)(dm_next(r) | 1);
        char *refs =
            first_id
                ? dm_printf(
                      "In-Reply-To: <%016llx.reply@%s>\nReferences: <%s>\n <%016llx.reply@%s>\n",
                      rid, domain_of(us->upn), first_id, rid, domain_of(us->upn))
                : dm_printf("In-Reply-To: <%016llx.reply@%s>\n", rid, domain_of(us->upn));
        s.extra = refs;
        s.t = w->zinc_t[i] + dm_range(r, 18, 30) * HOUR;
        s.subject = subject2;
        s.text = text2;
        s.att[0] = (att){docname, "application/vnd.ms-word.document.macroEnabled.12", doc.p, doc.n};
        s.n_att = 1;
        add_msg(w, r, &s);
        free(refs);
        free(text2);
        free(body);
        vg_buf_free(&doc);
    }
}

void dm_mail_generate(dm_world *w)
{
    dm_rng r;
    dm_rng_fork(&w->root, "mail-benign", &r);
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        /* WHO news: a weekly issue to the organization's subscribers */
        int subs = dm_range(&r, 4, 10);
        int32_t sub[10];
        for (int k = 0; k < subs; k++)
            sub[k] = random_person(w, &r, oi);
        int first = dm_range(&r, 0, 6);
        for (int d = first, issue = 0; d < w->days; d += 7, issue++)
            for (int k = 0; k < subs; k++)
                who_newsletter(w, &r, oi, sub[k],
                               w->t0 + (int64_t)d * DAY + 13 * HOUR + k * 7 * SEC, issue);
        int alerts = dm_range(&r, 3, 7);
        for (int k = 0; k < alerts; k++) {
            int32_t u = random_person(w, &r, oi);
            int d = dm_range(&r, 0, w->days - 1);
            linkedin_alert(w, &r, oi, u, w->t0 + (int64_t)d * DAY + dm_range(&r, 0, 23) * HOUR);
        }
        int internal = dm_range(&r, 10, 24) * w->days / 14 + 2;
        for (int k = 0; k < internal; k++)
            internal_trial(w, &r, oi, work_time(w, &r, oi, dm_range(&r, 0, w->days - 1)));
        int inv = dm_range(&r, 2, 5);
        for (int k = 0; k < inv; k++)
            vendor_invoice(w, &r, oi, work_time(w, &r, oi, dm_range(&r, 0, w->days - 1)));
    }
    it_notice(w, &r);
    dm_rng_fork(&w->root, "mail-cerium", &r);
    cerium_lures(w, &r);
    dm_rng_fork(&w->root, "mail-zinc", &r);
    zinc_lures(w, &r);

    /* benign brand mail is a trap: real WHO and LinkedIn mail must stay clean */
    dm_fact *f = dm_fact_new(w, "real_brand_mail", -1,
                             "genuine newsletters from who.int and job alerts from linkedin.com, "
                             "authenticated by the organizations' own MX");
    for (size_t i = 0; i < w->n_msgs; i++)
        if (strcmp(w->msgs[i].kind, "who_newsletter") == 0 ||
            strcmp(w->msgs[i].kind, "linkedin_job_alert") == 0)
            dm_list_addc(&f->messages, w->msgs[i].message_id);
    dm_fact *g = dm_fact_new(w, "internal_and_vendor_mail", -1,
                             "internal mail about trial data, vendor invoices with a PDF, an IT "
                             "notice about the password reset");
    for (size_t i = 0; i < w->n_msgs; i++)
        if (strcmp(w->msgs[i].kind, "internal_trial") == 0 ||
            strcmp(w->msgs[i].kind, "vendor_invoice") == 0 ||
            strcmp(w->msgs[i].kind, "it_password_notice") == 0)
            dm_list_addc(&g->messages, w->msgs[i].message_id);
}

/* ---- writing ------------------------------------------------------------------------------------
 */

static int cmp_msg(const void *a, const void *b)
{
    const dm_msg *x = a, *y = b;
    if (x->org != y->org)
        return x->org < y->org ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return strcmp(x->message_id, y->message_id);
}

vg_err dm_mail_write(dm_world *w, vg_error *e)
{
    qsort(w->msgs, w->n_msgs, sizeof *w->msgs, cmp_msg);
    vg_buf box;
    vg_buf_init(&box, 0);
    size_t i = 0;
    vg_err rc = VG_OK;
    for (int oi = 0; oi < DM_N_ORGS && !rc; oi++) {
        const dm_org *o = &w->org[oi];
        size_t from = i;
        while (i < w->n_msgs && w->msgs[i].org == oi)
            i++;
        if (!o->maildir) {
            vg_buf_reset(&box);
            char rel[128];
            snprintf(rel, sizeof rel, "mail/%s.mbox", o->id);
            for (size_t k = from; k < i; k++) {
                dm_msg *m = &w->msgs[k];
                char ct[32];
                dm_ctime(m->t, ct);
                const char *rp = m->raw + strlen("Return-Path: <");
                const char *end = strchr(rp, '>');
                vg_buf_printf(&box, "From %.*s %s\n", (int)(end - rp), rp, ct);
                /* mboxrd: quote From_ lines (and already-quoted ones) */
                const char *p = m->raw;
                while (*p) {
                    const char *nl = strchr(p, '\n');
                    size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
                    const char *q = p;
                    while (*q == '>')
                        q++;
                    if (strncmp(q, "From ", 5) == 0)
                        vg_buf_putc(&box, '>');
                    vg_buf_append(&box, p, len);
                    p += len;
                }
                vg_buf_putc(&box, '\n');
                m->path = dm_printf("%s#%zu", rel, k - from + 1);
            }
            rc = dm_write_file(w, rel, box.p ? box.p : "", box.n, e);
            dm_list_addc(&w->inputs, rel);
        } else {
            char dir[128];
            snprintf(dir, sizeof dir, "mail/%s", o->id);
            char *tmp = dm_printf("%s/%s/tmp", w->out, dir);
            rc = vg_mkdir_p(tmp, e);
            free(tmp);
            for (size_t k = from; k < i && !rc; k++) {
                dm_msg *m = &w->msgs[k];
                /* the newest tenth has not been seen by a client yet */
                bool fresh = (k - from) * 10 >= (i - from) * 9;
                char rel[512];
                if (fresh)
                    snprintf(rel, sizeof rel, "%s/new/%lld.M%zuP%u.%s,S=%zu", dir,
                             (long long)(m->t / 1000), k - from, 4000 + (unsigned)(k % 997), o->mx,
                             m->len);
                else
                    snprintf(rel, sizeof rel, "%s/cur/%lld.M%zuP%u.%s,S=%zu:2,S", dir,
                             (long long)(m->t / 1000), k - from, 4000 + (unsigned)(k % 997), o->mx,
                             m->len);
                rc = dm_write_file(w, rel, m->raw, m->len, e);
                m->path = vg_xstrdup(rel);
            }
            dm_list_addc(&w->inputs, dir);
        }
    }
    vg_buf_free(&box);
    return rc;
}
