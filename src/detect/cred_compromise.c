/* cred_compromise.c — cred.compromise: a success, or a credential_valid
 * result (the password was right but MFA or Conditional Access stopped the
 * sign-in), on a targeted account, tied to the attack:
 *
 *   - from one of the attack's addresses, or from its network (/24, /48);
 *   - or with the attack's own client signature (user agent and protocol)
 *     that the account itself never used;
 *   - from an address that attacked other organizations (linked campaigns);
 *   - in the attack's window or up to compromise_after_hours after it.
 *
 * A success from a familiar place (the account's own networks or devices)
 * never is a compromise, whatever else happens: MFA prompts and interrupts
 * from usual places are nothing. A targeted user who signs in from a new
 * place that has nothing to do with the attack (a hotel abroad, the user's
 * own browser) is not either.
 *
 * Timing: the success may come before the attack is recognized (the spray
 * is seen as a whole only later), so each account and address keeps its last
 * few unfamiliar successes, and findings that gain an account or an address
 * look back at them (cred__compromise_retro).
 */
#include <stdlib.h>
#include <string.h>

#include "detect/cred_internal.h"

#define RECENT_MS (7 * DAY_MS)

static bool ua_known(const cred_acct *a, uint64_t ua)
{
    for (int i = 0; a->b && i < a->b->n_uas; i++)
        if (a->b->uas[i].h == ua)
            return true;
    return false;
}

static bool is_attack(const cred_find *f)
{
    return f && (f->kind == FK_BRUTE || f->kind == FK_SLOW_BRUTE || f->kind == FK_SPRAY_IP ||
                 f->kind == FK_SPRAY_CLUSTER || f->kind == FK_STUFFING);
}

/* Why rec is tied to attack f (NULL if it is not). buf receives the sentence part. */
static const char *tie(vg_cred_engine *g, const cred_find *f, const cred_recent *rec,
                       const cred_acct *a, bool targeted, char *buf, size_t n)
{
    if (!is_attack(f))
        return NULL;
    int64_t after = (int64_t)(TH(g, CT_COMPROMISE_AFTER_H) * HOUR_MS);
    if (rec->t < f->first - HOUR_MS || rec->t > f->last + after)
        return NULL;
    char ipb[64];
    cred__ipkey_str(&rec->ip, ipb, sizeof ipb);
    if (!cred__ipkey_none(&rec->ip) && f->ip_set &&
        vg_htable_get(f->ip_set, rec->ip.b, IPKEY_LEN)) {
        /* An address that only ever failed on this very account, a few times, and
         * then got in is the account's owner retrying, not the attacker: the
         * attack's addresses fail on other accounts too (or guess many times). */
        void **is = vg_htable_get(f->org->ips, rec->ip.b, IPKEY_LEN);
        const cred_ip *ip = is ? *is : NULL;
        bool owner = ip && ip->fail <= rec->after && rec->after <= (uint32_t)TH(g, CT_TYPO_MAX) &&
                     !(rec->ua && rec->ua == f->ua);
        if (!owner) {
            snprintf(buf, n, "from %s, one of the attack's own addresses", ipb);
            return buf;
        }
    }
    if (!targeted)
        return NULL;
    if (!cred__ipkey_none(&rec->ip) && (rec->ip.b[0] == 4 || rec->ip.b[0] == 6)) {
        ipkey net;
        cred__ipkey_net(&rec->ip, &net);
        void **slot = vg_htable_get(f->org->atk_nets, net.b, IPKEY_LEN);
        if (slot && (int64_t)(intptr_t)*slot >= rec->t - RECENT_MS) {
            snprintf(buf, n, "from %s, in the same network as the attack's addresses", ipb);
            return buf;
        }
    }
    if (rec->ua && rec->ua == f->ua && rec->proto == f->proto && !ua_known(a, rec->ua)) {
        snprintf(buf, n, "from %s with the attack's own client (%s%s%s), which the account "
                         "never used before",
                 ipb, vg_auth_proto_name((vg_auth_proto)f->proto),
                 f->ua_text && *f->ua_text ? ", " : "", f->ua_text ? f->ua_text : "");
        return buf;
    }
    if (!cred__ipkey_none(&rec->ip)) {
        void **gs = vg_htable_get(g->gips, rec->ip.b, IPKEY_LEN);
        if (gs) {
            const cred_gip *x = *gs;
            for (int i = 0; i < x->n_finds; i++)
                if (x->finds[i]->org != f->org && is_attack(x->finds[i])) {
                    snprintf(buf, n, "from %s, an address that attacked organization '%s' (%s)",
                             ipb, x->finds[i]->org->id, x->finds[i]->f->id);
                    return buf;
                }
        }
    }
    return NULL;
}

static void make(vg_cred_engine *g, cred_org *o, cred_acct *a, cred_find *parent,
                 cred_recent *rec, const char *via)
{
    rec->reported = true;
    bool cv = rec->result == VG_AUTH_CREDENTIAL_VALID;
    cred_find *f = a->compromise;
    if (!f || !cred__find_active(g, f, rec->t) || f->parent != parent) {
        f = cred__find_new(g, o, FK_COMPROMISE, a->name, rec->t, DAY_MS);
        if (!f)
            return;
        a->compromise = f;
        f->acct = a;
        f->parent = parent;
        f->ua = rec->ua;
        f->proto = rec->proto;
        free(f->via);
        f->via = vg_xstrdup(via);
        cred__find_account(f, a->name);
        vg_strlist_add(&f->f->roles.compromised, a->name);
        f->f->outcome = cv ? VG_OUT_CREDENTIAL_VALID : VG_OUT_SUCCEEDED;
    } else if (!cv) {
        f->f->outcome = VG_OUT_SUCCEEDED;
    }
    if (f->last_rec_t == rec->t && f->last_rec_line == rec->line)
        return; /* the same sign-in seen through the account's and the address's memory */
    f->last_rec_t = rec->t;
    f->last_rec_line = rec->line;
    f->attempts++;
    cred__find_seen(f, rec->t);
    cred__find_evidence(f, rec->file, rec->line);
    if (cred__find_ip(f, &rec->ip))
        cred__mark_attack_ip(g, o, &rec->ip, f, rec->t);
    if (parent) {
        for (size_t i = 0; i < parent->f->n_evidence && f->f->n_evidence < 8; i++)
            cred__find_evidence(f, parent->f->evidence[i].file, parent->f->evidence[i].line);
        if (vg_strlist_add(&parent->f->roles.compromised, a->name) || !cv) {
            vg_outcome want = cv ? VG_OUT_CREDENTIAL_VALID : VG_OUT_SUCCEEDED;
            if (parent->f->outcome < want)
                parent->f->outcome = want;
        }
        cred__find_account(parent, a->name);
        cred__acct_target(a, parent);
        cred__find_dirty(parent, true);
    }
    cred__find_dirty(f, true);
}

static void record(cred_recent *ring, uint8_t *n, const cred_recent *rec)
{
    if (*n < ACCT_RECENT) {
        ring[(*n)++] = *rec;
        return;
    }
    int oldest = 0;
    for (int i = 1; i < ACCT_RECENT; i++)
        if (ring[i].t < ring[oldest].t)
            oldest = i;
    ring[oldest] = *rec;
}

void cred__compromise_success(vg_cred_engine *g, cred_org *o, cred_acct *a, cred_ip *ip,
                              const vg_auth_event *ev, const ipkey *k, uint64_t ua,
                              uint32_t after, bool familiar)
{
    if (familiar || cred__shared_egress(g, ip, ev->time_ms))
        return; /* the account's own places, or an office egress where many succeed */
    cred_recent rec;
    memset(&rec, 0, sizeof rec);
    rec.acct = a;
    rec.t = ev->time_ms;
    rec.ip = *k;
    rec.ua = ua;
    rec.proto = (uint8_t)ev->proto;
    rec.result = (uint8_t)ev->result;
    rec.after = after;
    rec.file = cred__intern(g, ev->file);
    rec.line = ev->line;
    char buf[512];
    /* attacks that target the account, newest first */
    for (int i = a->n_tgt; i-- > 0;) {
        const char *via = tie(g, a->tgt[i], &rec, a, true, buf, sizeof buf);
        if (via) {
            make(g, o, a, a->tgt[i], &rec, via);
            return;
        }
    }
    /* an attacking address that succeeds on an account it had not failed on yet */
    if (ip && ip->atk && cred__find_active(g, ip->atk, rec.t)) {
        const char *via = tie(g, ip->atk, &rec, a, false, buf, sizeof buf);
        if (via) {
            make(g, o, a, ip->atk, &rec, via);
            return;
        }
    }
    if (!a->rec)
        a->rec = vg_xcalloc(ACCT_RECENT, sizeof *a->rec);
    record(a->rec, &a->n_rec, &rec);
    if (ip) {
        if (!ip->rec)
            ip->rec = vg_xcalloc(ACCT_RECENT, sizeof *ip->rec);
        record(ip->rec, &ip->n_rec, &rec);
        cred__ip_keep(o, ip, rec.t);
    }
}

void cred__compromise_retro(vg_cred_engine *g, cred_find *f, cred_acct *a, cred_ip *ip)
{
    if (!f || !is_attack(f))
        return;
    char buf[512];
    if (a) {
        for (int i = 0; i < a->n_rec; i++) {
            cred_recent *r = &a->rec[i];
            if (r->reported || r->t < f->first - RECENT_MS)
                continue;
            const char *via = tie(g, f, r, a, true, buf, sizeof buf);
            if (via)
                make(g, f->org, a, f, r, via);
        }
    }
    if (ip) {
        for (int i = 0; i < ip->n_rec; i++) {
            cred_recent *r = &ip->rec[i];
            /* the account pointer is only trusted for recent entries */
            if (r->reported || r->t < f->first - HOUR_MS ||
                r->t < g->clock - (int64_t)(TH(g, CT_BASELINE_TTL_D) * DAY_MS))
                continue;
            const char *via = tie(g, f, r, r->acct, false, buf, sizeof buf);
            if (via)
                make(g, f->org, r->acct, f, r, via);
        }
    }
}

void cred__compromise_reasons(vg_cred_engine *g, cred_find *f)
{
    (void)g;
    vg_finding *vf = f->f;
    const char *acct = vf->entities.accounts.n ? vf->entities.accounts.v[0] : "?";
    vg_strlist_add(&vf->attack, "T1078");
    if (f->parent && f->parent->f->attack.n)
        for (size_t i = 0; i < f->parent->f->attack.n; i++)
            vg_strlist_add(&vf->attack, f->parent->f->attack.v[i]);
    else if (f->parent)
        vg_strlist_add(&vf->attack, f->parent->kind == FK_STUFFING   ? "T1110.004"
                                    : f->parent->kind == FK_SPRAY_IP ||
                                            f->parent->kind == FK_SPRAY_CLUSTER
                                        ? "T1110.003"
                                        : "T1110.001");
    vf->severity = VG_SEV_CRITICAL;
    bool cv = vf->outcome == VG_OUT_CREDENTIAL_VALID;
    vf->score = cv ? 90 : 98;
    char tb[VG_TIME_STRLEN];
    vg_time_format_rfc3339(f->first, false, tb);
    if (cv)
        vg_strlist_addf(&vf->reasons,
                        "At %s the password of %s was accepted %s, but MFA or Conditional "
                        "Access stopped the sign-in (credential_valid).",
                        tb, acct, f->via ? f->via : "");
    else
        vg_strlist_addf(&vf->reasons, "At %s %s signed in successfully %s.", tb, acct,
                        f->via ? f->via : "");
    if (f->parent)
        vg_strlist_addf(&vf->reasons, "The account was a target of %s %s (%lld attempts, %zu "
                                      "accounts).",
                        f->parent->f->kind, f->parent->f->id, (long long)f->parent->attempts,
                        f->parent->f->entities.accounts.n);
    vg_strlist_addf(&vf->reasons, "The password is known to the attacker: reset it, revoke the "
                                  "account's sessions and review its MFA methods%s.",
                    cv ? "" : " and recent activity");
}
