/* phish_lookalike.c — look-alike domains (phish_domain.c) for the sender,
 * the Reply-To, the envelope sender and every link, against the protected
 * brands and the recipient organization's own domains.
 *
 * A one-letter misspelling of a short name ("adobe" / "abode") is often a
 * real, unrelated domain: an edit-distance match on a label under seven
 * letters only counts fully when the message also claims that brand or
 * organization; alone it is a supporting signal. So is a same-name domain
 * under another TLD for names of three letters ("who.org"). */
#include <string.h>

#include "phish_internal.h"

static const char *owner_name(ph_ctx *c, const ph_protected *p)
{
    vg_phish_engine *e = c->eng;
    if (p->org >= 0)
        return e->orgs[p->org].name ? e->orgs[p->org].name : e->orgs[p->org].id;
    return p->brand >= 0 ? e->brands[p->brand].name : p->domain;
}

static bool credential_lure(const ph_ctx *c)
{
    for (size_t i = 0; i < c->eng->n_lures && i < 32; i++) {
        if (strcmp(c->eng->lures[i].id, "account") == 0)
            return c->lure_strong[i] || c->lure_subject[i] || c->lure_hits[i] >= 2;
    }
    return false;
}

/* A look-alike that can also be an unrelated real domain counts fully only
 * with a claim of that brand/organization or a credential lure. */
static bool weak(ph_ctx *c, const ph_lookalike *l, bool link)
{
    const ph_protected *p = &c->eng->prot[l->prot];
    bool claimed = (p->brand >= 0 && c->claimed_brand == p->brand) ||
                   (p->org >= 0 && c->rcpt_org == p->org);
    bool support = claimed || credential_lure(c) || c->m->n_forms > 0;
    size_t ll = strlen(p->label);
    switch (l->method) {
    case LA_CONFUSABLE:
    case LA_IDN:
    case LA_SWAP:
        return false;
    case LA_SUBDOMAIN:
        return !(l->distance == 1 || support);
    case LA_WORD:
        return !(l->distance == 1 || support || p->org >= 0); /* 1: "-secure", "-login" */
    case LA_EDIT:
        /* a link to a misspelt name is often a real site ("lindows"): only
         * with a claim of that brand */
        return !((link ? claimed : support) || (p->org >= 0 && ll >= 5));
    case LA_TLD:
        return !(claimed || (p->org >= 0 && ll >= 5));
    default:
        return true;
    }
}

static const char *describe(ph_ctx *c, const char *what, const char *host, const ph_lookalike *l)
{
    const ph_protected *p = &c->eng->prot[l->prot];
    const char *uni = ph_unicode_host(c->a, host);
    const char *shown = uni != host ? vg_arena_printf(c->a, "%s (%s)", host, uni) : host;
    if (l->method == LA_SUBDOMAIN || l->method == LA_WORD)
        return vg_arena_printf(c->a, "%s %s %s %s, a domain of %s, in a domain that is not theirs",
                               what, shown, ph_look_method_text(l->method), p->domain,
                               owner_name(c, p));
    if (l->method == LA_EDIT)
        return vg_arena_printf(c->a, "%s %s %s %s, a domain of %s (%d edit%s away)", what, shown,
                               ph_look_method_text(l->method), p->domain, owner_name(c, p),
                               l->distance, l->distance == 1 ? "" : "s");
    return vg_arena_printf(c->a, "%s %s %s %s, a domain of %s", what, shown,
                           ph_look_method_text(l->method), p->domain, owner_name(c, p));
}

static bool check(ph_ctx *c, const char *host, phish_rule strong_rule, phish_rule weak_rule,
                  const char *what)
{
    ph_lookalike l;
    if (!host || !*host || !ph_lookalike_check(c, host, &l))
        return false;
    const ph_protected *p = &c->eng->prot[l.prot];
    bool w = weak(c, &l, strong_rule == R_lookalike_link);
    phish_rule r = w ? weak_rule : strong_rule;
    const char *d = describe(c, what, host, &l);
    ph_fire(c, r, "%s", d);
    vg_strlist_add(&c->domains, host);
    if (!w)
        ph_impersonate(c, owner_name(c, p), strong_rule == R_lookalike_link ? 3 : 4);
    if (!w && c->claimed_brand_any < 0 && p->brand >= 0)
        c->claimed_brand_any = p->brand;
    return true;
}

void ph_detect_lookalike(ph_ctx *c)
{
    const vg_mail_msg *m = c->m;
    if (c->from_domain[0])
        check(c, c->from_domain, R_lookalike_sender, R_lookalike_weak, "the sender domain");
    for (size_t i = 0; i < m->reply_to.n; i++) {
        if (m->reply_to.v[i].domain[0] &&
            check(c, m->reply_to.v[i].domain, R_lookalike_reply_to, R_lookalike_weak,
                  "the Reply-To domain"))
            break;
    }
    if (m->return_path_domain && m->return_path_domain[0])
        check(c, m->return_path_domain, R_lookalike_return_path, R_lookalike_weak,
              "the envelope sender domain");
    /* links: each distinct host once */
    const char *seen[64];
    size_t ns = 0;
    for (size_t i = 0; i < m->n_urls && ns < 64; i++) {
        const vg_mail_url *u = &m->urls[i];
        if (u->source == VG_URL_EMBED)
            continue;
        const char *host = u->host;
        const char *uh = NULL;
        if (ph_unwrap(c, u, &uh) && uh)
            host = uh;
        if (!host || !*host || (u->flags & VG_URL_F_IP_HOST))
            continue;
        bool dup = false;
        for (size_t k = 0; k < ns && !dup; k++)
            dup = strcmp(seen[k], host) == 0;
        if (dup)
            continue;
        seen[ns++] = host;
        if (check(c, host, R_lookalike_link, R_lookalike_weak, "a link's domain"))
            vg_strlist_add(&c->urls, u->url);
    }
}
