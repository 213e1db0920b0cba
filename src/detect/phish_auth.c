/* phish_auth.c — what the receiving border's Authentication-Results say
 * about the From domain, and where replies go.
 *
 * A From domain that is a brand's or the organization's own, with DMARC
 * (or Microsoft's compauth) failing or SPF failing without a DKIM pass, is
 * spoofed. Mail forwarded by a list that breaks SPF but keeps a DKIM pass
 * aligned with From passes DMARC and is not touched. Other failures only
 * support other signals. Alignment is judged on the From domain, never on
 * Return-Path.
 *
 * Reply-To on another domain is normal for lists, newsletters, platforms
 * (LinkedIn InMail replies go to the member) and brands' own authenticated
 * mail; a free-mail Reply-To behind a sender who is not that mailbox is the
 * advance-fee and BEC pattern. */
#include <string.h>

#include "phish_internal.h"

static const char *auth_summary(ph_ctx *c)
{
    const vg_mail_auth *au = &c->m->auth;
    return vg_arena_printf(c->a, "spf=%s dkim=%s dmarc=%s%s%s", vg_mail_auth_result_name(au->spf),
                           vg_mail_auth_result_name(au->dkim), vg_mail_auth_result_name(au->dmarc),
                           au->compauth ? " compauth=" : "",
                           au->compauth ? vg_mail_auth_result_name(au->compauth) : "");
}

void ph_detect_auth(ph_ctx *c)
{
    vg_phish_engine *e = c->eng;
    const vg_mail_msg *m = c->m;
    if (c->auth_failed && c->from_domain[0]) {
        const char *owner = NULL;
        if (c->from_org >= 0)
            owner = e->orgs[c->from_org].name ? e->orgs[c->from_org].name : e->orgs[c->from_org].id;
        else if (c->from_brand >= 0 && !c->from_freemail)
            owner = e->brands[c->from_brand].name;
        if (owner && !m->list_id) {
            ph_impersonate(c, owner, 5);
            ph_fire(c, R_spoofed_brand_domain,
                    "the From domain %s belongs to %s, but the receiving server's authentication "
                    "results fail it (%s)",
                    c->from_domain, owner, auth_summary(c));
        } else if ((m->auth.dmarc == VG_MAIL_AUTH_FAIL || m->auth.compauth == VG_MAIL_AUTH_FAIL) &&
                   !m->list_id) {
            ph_fire(c, R_auth_fail, "the receiving server's %s fails the From domain %s (%s)",
                    m->auth.dmarc == VG_MAIL_AUTH_FAIL ? "DMARC check" : "composite authentication",
                    c->from_domain, auth_summary(c));
        } else {
            ph_fire(c, R_auth_weak, "SPF fails for %s and no DKIM signature passes (%s)",
                    m->auth.spf_domain ? m->auth.spf_domain : c->from_domain, auth_summary(c));
        }
    }
    if (m->evidence & VG_MAIL_EV_FORGED_AUTH)
        ph_fire(c, R_forged_auth,
                "an Authentication-Results header below the receiving border claims a pass the "
                "border did not give");
    /* Reply-To */
    if (!c->from_domain[0] || m->list_id)
        return;
    bool trusted_sender = c->authenticated && (c->from_brand >= 0 || c->from_platform ||
                                               ph_host_in(e, &e->esp, c->from_domain, NULL, NULL) ||
                                               c->from_org >= 0);
    if (trusted_sender)
        return;
    for (size_t i = 0; i < m->reply_to.n; i++) {
        const vg_mail_addr *rt = &m->reply_to.v[i];
        if (!rt->addr || !rt->domain[0])
            continue;
        if (c->from && c->from->addr && strcasecmp(rt->addr, c->from->addr) == 0)
            continue;
        const char *rreg = ph_reg_domain(e, rt->domain);
        bool rfree = ph_is_freemail(e, rt->domain); /* a mailbox, not groups.msn.com */
        if (rfree) {
            if (strcmp(rreg, c->from_reg) == 0 && c->from_freemail) {
                ph_fire(c, R_reply_to_freemail,
                        "replies go to %s, another %s mailbox than the sender %s", rt->addr, rreg,
                        c->from->addr);
            } else {
                ph_fire(c, R_reply_to_freemail,
                        "replies go to the free-mail address %s, not to the sender %s", rt->addr,
                        c->from && c->from->addr ? c->from->addr : c->from_domain);
            }
            vg_strlist_add(&c->domains, rt->domain);
            return;
        }
        if (strcmp(rreg, c->from_reg) == 0)
            continue;
        if (ph_host_in(e, &e->esp, rt->domain, NULL, NULL) ||
            ph_host_in(e, &e->ats, rt->domain, NULL, NULL) ||
            ph_host_in(e, &e->newsletters, rt->domain, NULL, NULL))
            continue;
        ph_fire(c, R_reply_to_other, "replies go to %s, another domain than the sender's %s",
                rt->addr, c->from_domain);
        return;
    }
}
