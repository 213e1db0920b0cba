/* cred_engine.c — the credential-attack engine: event-time clock over many
 * sources, per-organization state, the grace queue for unfamiliar failures,
 * finding bookkeeping and revisions. The detectors themselves live in
 * cred_bruteforce.c, cred_spray.c and cred_compromise.c (see
 * cred_internal.h for the flow of one event).
 *
 * Clock. Each source (ev->file) has its own latest event time; its events
 * may be up to `lateness` older than that. The engine clock is the minimum
 * over active sources of (latest - lateness): windows close, pending failures
 * are judged and state expires only behind it. A source that is done, or that
 * has fallen more than a day behind the others (a dead stream), stops holding
 * the clock back. Ticks every 5 minutes of event time do the periodic work,
 * so results depend on event time only, never on wall-clock time or on how
 * input was split into batches.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/cred_internal.h"

/* ---- keys ---------------------------------------------------------------------------------- */

void cred__ipkey(const vg_ip *ip, const char *source_host, ipkey *out)
{
    memset(out, 0, sizeof *out);
    if (ip && ip->family == 4) {
        out->b[0] = 4;
        memcpy(out->b + 1, ip->a, 16);
    } else if (ip && ip->family == 6) {
        vg_ip m;
        vg_ip_mask(ip, 64, &m); /* IPv6 sources aggregate by /64 */
        out->b[0] = 6;
        memcpy(out->b + 1, m.a, 16);
    } else if (source_host && *source_host) {
        out->b[0] = 0x80;
        uint64_t h1 = cred__hash(source_host, strlen(source_host));
        uint64_t h2 = cred__hash(&h1, sizeof h1);
        memcpy(out->b + 1, &h1, 8);
        memcpy(out->b + 9, &h2, 8);
    }
}

bool cred__ipkey_none(const ipkey *k) { return k->b[0] == 0; }

void cred__ipkey_net(const ipkey *k, ipkey *out)
{
    *out = *k;
    if (k->b[0] == 4) {
        out->b[16] = 0; /* v4-mapped: last byte of the address */
    } else if (k->b[0] == 6) {
        memset(out->b + 1 + 6, 0, 10); /* /48 */
    }
}

void cred__ipkey_str(const ipkey *k, char *buf, size_t n)
{
    if (k->b[0] == 4 || k->b[0] == 6) {
        vg_ip ip;
        memset(&ip, 0, sizeof ip);
        ip.family = k->b[0];
        memcpy(ip.a, k->b + 1, 16);
        char tmp[VG_IP_STRLEN];
        vg_ip_format(&ip, tmp);
        snprintf(buf, n, "%s%s", tmp, k->b[0] == 6 ? "/64" : "");
    } else if (k->b[0] == 0x80) {
        uint64_t h;
        memcpy(&h, k->b + 1, 8);
        snprintf(buf, n, "host:%016llx", (unsigned long long)h);
    } else {
        snprintf(buf, n, "-");
    }
}

uint64_t cred__hash(const void *p, size_t n)
{
    /* FNV-1a 64 folded with a final mix: stable across runs (baselines are
     * persisted) and only used where collisions are harmless. */
    const uint8_t *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

const char *cred__intern(vg_cred_engine *g, const char *s)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    void **slot = vg_htable_get(g->strings, s, n);
    if (slot)
        return *slot;
    bool created;
    slot = vg_htable_put(g->strings, s, n, INT64_MAX, &created);
    if (!slot)
        return "";
    if (created)
        *slot = vg_xstrndup(s, n);
    return *slot;
}

/* ---- tables --------------------------------------------------------------------------------- */

static void free_plain(void *v, void *ud)
{
    (void)ud;
    free(v);
}

static void acct_free(void *v, void *ud)
{
    (void)ud;
    cred_acct *a = v;
    if (!a)
        return;
    if (a->atk && a->atk->bf && a->atk->bf->acct == a)
        a->atk->bf->acct = NULL;
    for (int i = 0; i < a->n_tgt; i++)
        if (a->tgt[i]->acct == a)
            a->tgt[i]->acct = NULL;
    if (a->compromise && a->compromise->acct == a)
        a->compromise->acct = NULL;
    free(a->atk);
    free(a->b);
    free(a->rec);
    free(a->name);
    free(a);
}

static void ip_free(void *v, void *ud)
{
    (void)ud;
    cred_ip *ip = v;
    if (!ip)
        return;
    if (ip->spray && ip->spray->ip == ip)
        ip->spray->ip = NULL;
    free(ip->fa);
    free(ip->sacc);
    free(ip->rec);
    free(ip);
}

static void pair_free(void *v, void *ud)
{
    (void)ud;
    cred_pair *p = v;
    if (p)
        free(p->times);
    free(p);
}

static void org_free(void *v, void *ud)
{
    (void)ud;
    cred_org *o = v;
    if (!o)
        return;
    vg_htable_free(o->clusters);
    vg_htable_free(o->pairs);
    vg_htable_free(o->ips);
    vg_htable_free(o->accts);
    vg_htable_free(o->uas);
    vg_htable_free(o->atk_nets);
    free(o->dirty_clu);
    free(o->id);
    free(o);
}

static vg_htable *table(vg_cred_engine *g, size_t max, vg_htable_free_fn fn)
{
    return vg_htable_new_keyed(max, g->hkey, fn, g);
}

cred_org *cred__org_get(vg_cred_engine *g, const char *id, int64_t t)
{
    static const char none[] = "(none)";
    if (!id || !*id)
        id = none;
    size_t n = strlen(id);
    void **slot = vg_htable_get(g->orgs, id, n);
    if (slot)
        return *slot;
    bool created;
    slot = vg_htable_put(g->orgs, id, n, INT64_MAX, &created);
    if (!slot) {
        g->stats.refused++;
        return NULL;
    }
    cred_org *o = vg_xcalloc(1, sizeof *o);
    o->id = vg_xstrdup(id);
    o->accts = table(g, CRED_MAX_ACCTS, acct_free);
    o->ips = table(g, CRED_MAX_IPS, ip_free);
    o->pairs = table(g, CRED_MAX_PAIRS, pair_free);
    o->clusters = table(g, CRED_MAX_CLUSTERS, cred__cluster_free);
    o->uas = table(g, 100000, NULL);
    o->atk_nets = table(g, 1000000, NULL);
    o->onset_base = t / HOUR_MS;
    *slot = o;
    g->org_list = vg_xgrow(g->org_list, &g->cap_orgs, g->n_orgs + 1, sizeof *g->org_list);
    g->org_list[g->n_orgs++] = o;
    return o;
}

static int64_t acct_ttl(const vg_cred_engine *g) { return (int64_t)(TH(g, CT_BASELINE_TTL_D) * DAY_MS); }

cred_acct *cred__acct_get(vg_cred_engine *g, cred_org *o, const char *name, uint32_t flags,
                          int64_t t)
{
    size_t n = strlen(name);
    int64_t exp = t + acct_ttl(g);
    bool created;
    void **slot = vg_htable_put(o->accts, name, n, exp, &created);
    if (!slot) {
        vg_htable_expire(o->accts, g->clock);
        slot = vg_htable_put(o->accts, name, n, exp, &created);
        if (!slot) {
            g->stats.refused++;
            return NULL;
        }
    }
    if (!created) {
        cred_acct *a = *slot;
        if (t > a->last_seen)
            a->last_seen = t;
        return a;
    }
    cred_acct *a = vg_xcalloc(1, sizeof *a);
    a->org = o;
    a->name = vg_xstrndup(name, n);
    a->flags = flags;
    a->last_seen = t;
    *slot = a;
    return a;
}

cred_ip *cred__ip_get(vg_cred_engine *g, cred_org *o, const ipkey *k, int64_t t, bool create)
{
    if (cred__ipkey_none(k))
        return NULL;
    if (!create) {
        void **slot = vg_htable_get(o->ips, k->b, IPKEY_LEN);
        return slot ? *slot : NULL;
    }
    bool created;
    void **slot = vg_htable_put(o->ips, k->b, IPKEY_LEN, t + IP_TTL_SEEN, &created);
    if (!slot) {
        vg_htable_expire(o->ips, g->clock);
        slot = vg_htable_put(o->ips, k->b, IPKEY_LEN, t + IP_TTL_SEEN, &created);
        if (!slot) {
            g->stats.refused++;
            return NULL;
        }
    }
    if (!created) {
        cred_ip *ip = *slot;
        if (t > ip->last_seen)
            ip->last_seen = t;
        if (ip->succ || ip->atk) /* keep what matters for a week */
            vg_htable_put(o->ips, k->b, IPKEY_LEN, ip->last_seen + IP_TTL_KEPT, NULL);
        return ip;
    }
    cred_ip *ip = vg_xcalloc(1, sizeof *ip);
    ip->key = *k;
    ip->last_seen = t;
    *slot = ip;
    return ip;
}

void cred__ip_keep(cred_org *o, const cred_ip *ip, int64_t t)
{
    if (ip)
        vg_htable_put(o->ips, ip->key.b, IPKEY_LEN, t + IP_TTL_KEPT, NULL);
}

cred_pair *cred__pair_get(cred_org *o, const cred_acct *a, const ipkey *k, int64_t t, bool create)
{
    uint8_t key[sizeof(void *) + IPKEY_LEN];
    memcpy(key, &a, sizeof(void *));
    memcpy(key + sizeof(void *), k->b, IPKEY_LEN);
    if (!create) {
        void **slot = vg_htable_get(o->pairs, key, sizeof key);
        return slot ? *slot : NULL;
    }
    bool created;
    void **slot = vg_htable_put(o->pairs, key, sizeof key, t + PAIR_TTL, &created);
    if (!slot)
        return NULL;
    if (created)
        *slot = vg_xcalloc(1, sizeof(cred_pair));
    return *slot;
}

static cred_gip *gip_get(vg_cred_engine *g, const ipkey *k, int64_t t, bool create)
{
    if (!create) {
        void **slot = vg_htable_get(g->gips, k->b, IPKEY_LEN);
        return slot ? *slot : NULL;
    }
    bool created;
    void **slot = vg_htable_put(g->gips, k->b, IPKEY_LEN, t + IP_TTL_KEPT, &created);
    if (!slot)
        return NULL;
    if (created)
        *slot = vg_xcalloc(1, sizeof(cred_gip));
    cred_gip *x = *slot;
    if (t > x->last)
        x->last = t;
    return x;
}

/* ---- findings ------------------------------------------------------------------------------ */

static const char *const kind_names[] = {
    [FK_BRUTE] = "cred.bruteforce",     [FK_SPRAY_IP] = "cred.spray",
    [FK_SPRAY_CLUSTER] = "cred.spray",  [FK_STUFFING] = "cred.stuffing",
    [FK_COMPROMISE] = "cred.compromise", [FK_STALE] = "cred.stale_credentials",
    [FK_SLOW_BRUTE] = "cred.bruteforce"};

cred_find *cred__find_new(vg_cred_engine *g, cred_org *o, find_kind k, const char *pkey,
                          int64_t t, int64_t bucket_ms)
{
    if (g->n_finds >= CRED_MAX_FINDINGS) {
        g->stats.refused++;
        return NULL;
    }
    vg_finding *vf = vg_finding_new(kind_names[k], o->id);
    vg_finding_set_id(vf, pkey, t, bucket_ms);
    void **slot = vg_htable_get(g->fmap, vf->id, strlen(vf->id));
    if (slot) {
        /* the same anchor again (an attack resumed in its own bucket): grow that one */
        cred_find *old = *slot;
        vg_finding_free(vf);
        if (old->closed && t - old->first > CRED_FIND_MAX_SPAN)
            return NULL; /* an anchor already used up: never revive a finding past its span */
        if (old->closed) {
            old->closed = false;
            if (!old->acc_set)
                old->acc_set = table(g, CRED_MAX_FIND_ACCTS, NULL);
            if (!old->ip_set)
                old->ip_set = table(g, CRED_MAX_FIND_IPS, NULL);
        }
        return old;
    }
    cred_find *f = vg_xcalloc(1, sizeof *f);
    f->f = vf;
    f->kind = k;
    f->org = o;
    f->pkey = vg_xstrdup(pkey);
    f->acc_set = table(g, CRED_MAX_FIND_ACCTS, NULL);
    f->ip_set = table(g, CRED_MAX_FIND_IPS, NULL);
    f->first = f->last = t;
    f->last_emit = INT64_MIN;
    vg_finding_seen(vf, t);
    bool created;
    slot = vg_htable_put(g->fmap, vf->id, strlen(vf->id), INT64_MAX, &created);
    if (slot)
        *slot = f;
    g->finds = vg_xgrow(g->finds, &g->cap_finds, g->n_finds + 1, sizeof *g->finds);
    g->finds[g->n_finds++] = f;
    g->stats.findings++;
    return f;
}

static void strlist_push(vg_strlist *l, const char *s)
{
    /* membership is checked by the caller's hash set: no O(n) scan here */
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = vg_xstrdup(s);
}

void cred__find_account(cred_find *f, const char *acct)
{
    if (!f || !acct || !*acct || !f->acc_set)
        return;
    size_t n = strlen(acct);
    if (vg_htable_get(f->acc_set, acct, n))
        return;
    bool created;
    if (!vg_htable_put(f->acc_set, acct, n, INT64_MAX, &created))
        return;
    strlist_push(&f->f->entities.accounts, acct);
    strlist_push(&f->f->roles.targeted, acct);
    f->dirty = true;
}

bool cred__find_ip(cred_find *f, const ipkey *k)
{
    if (!f || cred__ipkey_none(k) || !f->ip_set)
        return false;
    if (vg_htable_get(f->ip_set, k->b, IPKEY_LEN))
        return false;
    bool created;
    f->n_ips++;
    f->dirty = true;
    if (!vg_htable_put(f->ip_set, k->b, IPKEY_LEN, INT64_MAX, &created))
        return true; /* counted, not remembered */
    if (k->b[0] == 4 || k->b[0] == 6) {
        char buf[64];
        cred__ipkey_str(k, buf, sizeof buf);
        if (f->f->entities.ips.n < 1000) {
            strlist_push(&f->f->entities.ips, buf);
            strlist_push(&f->f->roles.attacker_ips, buf);
        }
    }
    return true;
}

void cred__find_seen(cred_find *f, int64_t t)
{
    if (!f)
        return;
    vg_finding_seen(f->f, t);
    if (t < f->first)
        f->first = t;
    if (t > f->last)
        f->last = t;
}

void cred__find_evidence(cred_find *f, const char *file, int64_t line)
{
    if (!f || f->f->n_evidence >= VG_FINDING_MAX_EVIDENCE || !file)
        return;
    vg_finding_add_evidence(f->f, file, line);
}

void cred__find_dirty(cred_find *f, bool urgent)
{
    if (!f)
        return;
    f->dirty = true;
    if (urgent)
        f->urgent = true;
}

bool cred__find_active(const vg_cred_engine *g, const cred_find *f, int64_t t)
{
    return f && !f->closed && t - f->last <= (int64_t)(TH(g, CT_FINDING_IDLE_H) * HOUR_MS) &&
           t - f->first <= CRED_FIND_MAX_SPAN;
}

void cred__acct_target(cred_acct *a, cred_find *f)
{
    for (int i = 0; i < a->n_tgt; i++)
        if (a->tgt[i] == f)
            return;
    if (a->n_tgt < ACCT_TGT) {
        a->tgt[a->n_tgt++] = f;
    } else { /* keep the most recent attacks */
        memmove(a->tgt, a->tgt + 1, (ACCT_TGT - 1) * sizeof *a->tgt);
        a->tgt[ACCT_TGT - 1] = f;
    }
}

void cred__mark_attack_ip(vg_cred_engine *g, cred_org *o, const ipkey *k, cred_find *f, int64_t t)
{
    if (cred__ipkey_none(k))
        return;
    cred_ip *ip = cred__ip_get(g, o, k, t, true);
    if (cred__shared_egress(g, ip, t))
        return; /* many people succeed there: not an attacker's address */
    if (ip) {
        ip->atk = f;
        if (t > ip->atk_last)
            ip->atk_last = t;
        cred__ip_keep(o, ip, t);
    }
    ipkey net;
    cred__ipkey_net(k, &net);
    bool created;
    void **slot = vg_htable_put(o->atk_nets, net.b, IPKEY_LEN, t + 7 * DAY_MS, &created);
    if (slot)
        *slot = (void *)(intptr_t)t;
    if (g->n_orgs > 1 && (f->kind == FK_SPRAY_IP || f->kind == FK_SPRAY_CLUSTER ||
                          f->kind == FK_STUFFING || f->kind == FK_BRUTE)) {
        /* addresses shared between organizations' attacks (only when there are several) */
        cred_gip *x = gip_get(g, k, t, true);
        if (x) {
            bool have = false;
            for (int i = 0; i < x->n_finds; i++)
                have |= x->finds[i] == f;
            if (!have) {
                /* an address now shared with attacks on other organizations: weigh
                 * it by how many organizations see it (a Tor exit is everywhere) */
                double sources = (double)x->n_orgs + x->n_orgs_more;
                double w = 1.0 / log2(1.0 + (sources < 2 ? 2 : sources));
                for (int i = 0; i < x->n_finds; i++)
                    if (x->finds[i]->org != f->org) {
                        cred__link_add(f, x->finds[i], w);
                        cred__link_add(x->finds[i], f, w);
                    }
                if (x->n_finds < 4)
                    x->finds[x->n_finds++] = f;
            }
        }
    }
}

static void emit(vg_cred_engine *g, cred_find *f)
{
    vg_finding *vf = f->f;
    vf->revision++;
    vf->counts.attempts = f->attempts;
    vf->counts.accounts = (int64_t)vf->entities.accounts.n;
    vf->counts.ips = f->n_ips;
    vf->counts.succeeded = (int64_t)vf->roles.compromised.n;
    vf->counts.blocked = f->badpw + f->nouser + f->locked;
    vg_strlist_free(&vf->reasons);
    cred__reasons(g, f);
    vg_finding_normalize(vf);
    f->dirty = f->urgent = false;
    f->last_emit = g->clock;
    g->stats.revisions++;
    if (g->cb)
        g->cb(vf, g->cb_ud);
}

bool cred__shared_egress(const vg_cred_engine *g, const cred_ip *ip, int64_t t)
{
    if (!ip || t - ip->sacc_last > DAY_MS)
        return false;
    uint32_t succ = ip->n_sacc + ip->n_sacc_more;
    uint32_t failing = 0;
    for (uint32_t i = 0; i < ip->n_fa; i++)
        failing += ip->fa[i].last >= t - HOUR_MS;
    return succ >= 5 && (double)succ >= TH(g, CT_NAT_RATIO) * failing;
}

/* ---- the grace queue ------------------------------------------------------------------------ */

static void dispatch(vg_cred_engine *g, cred_uf *u)
{
    cred_org *o = u->a->org;
    cred_pair *p = cred__pair_get(o, u->a, &u->ip, u->t, false);
    /* resolved: the account succeeded from this source soon after, with few failures */
    if (p && p->last_succ >= u->t && p->last_succ - u->t <= g->grace_ms &&
        p->fails_at_succ <= (uint32_t)TH(g, CT_TYPO_MAX))
        return;
    cred_ip *ip = cred__ip_get(g, o, &u->ip, u->t, true);
    cred__brute_uf(g, o, u, p);
    if (u->a->flags & (VG_ACCT_SERVICE | VG_ACCT_MACHINE))
        return;
    if (ip)
        cred__spray_ip_uf(g, o, u, ip); /* judges the shared-egress ratio itself */
    if (!cred__shared_egress(g, ip, u->t))
        cred__cluster_uf(g, o, u);
}

static void pend_push(vg_cred_engine *g, cred_src *s, const cred_uf *u)
{
    if (s->p_n == s->p_cap) {
        if (s->p_cap >= CRED_MAX_PENDING) {
            cred_uf copy = *u; /* no room to wait: judge it now */
            dispatch(g, &copy);
            return;
        }
        size_t ncap = s->p_cap ? s->p_cap * 2 : 256;
        cred_uf *n = vg_xcalloc(ncap, sizeof *n);
        for (size_t i = 0; i < s->p_n; i++)
            n[i] = s->pend[(s->p_head + i) % s->p_cap];
        free(s->pend);
        s->pend = n;
        s->p_cap = ncap;
        s->p_head = 0;
    }
    s->pend[(s->p_head + s->p_n) % s->p_cap] = *u;
    s->p_n++;
}

/* Judges the source's waiting failures up to upto. The source array may not
 * grow meanwhile (dispatch never adds sources), so s stays valid. */
static void pend_drain(vg_cred_engine *g, cred_src *s, int64_t upto)
{
    while (s->p_n) {
        cred_uf *u = &s->pend[s->p_head];
        if (u->t > upto)
            break;
        cred_uf copy = *u;
        s->p_head = (s->p_head + 1) % s->p_cap;
        s->p_n--;
        dispatch(g, &copy);
    }
}

/* Oldest failure still waiting in any source (state it points at must live). */
static int64_t oldest_pending(const vg_cred_engine *g)
{
    int64_t t = INT64_MAX;
    for (size_t i = 0; i < g->n_srcs; i++) {
        const cred_src *s = &g->srcs[i];
        if (s->p_n && s->pend[s->p_head].t < t)
            t = s->pend[s->p_head].t;
    }
    return t;
}

/* An organization's own clock: its latest event less the lateness bound. */
static int64_t org_now(const vg_cred_engine *g, const cred_org *o)
{
    return o->last_seen - g->lateness_ms;
}

static void eval_orgs(vg_cred_engine *g, bool final)
{
    for (size_t i = 0; i < g->n_orgs; i++) {
        cred_org *o = g->org_list[i];
        if (o->n_dirty_clu)
            cred__clusters_eval(g, o, final ? o->last_seen : org_now(g, o));
    }
}

/* ---- ticks ------------------------------------------------------------------------------------ */

static void expire_all(vg_cred_engine *g, int64_t now)
{
    int64_t waiting = oldest_pending(g);
    if (waiting < now)
        now = waiting; /* nothing a waiting failure refers to may go */
    for (size_t i = 0; i < g->n_orgs; i++) {
        cred_org *o = g->org_list[i];
        vg_htable_expire(o->clusters, now);
        cred__clusters_expire(o, now);
        vg_htable_expire(o->pairs, now);
        vg_htable_expire(o->ips, now);
        vg_htable_expire(o->accts, now);
        vg_htable_expire(o->atk_nets, now);
    }
    vg_htable_expire(g->gips, now);
}

static void emit_due(vg_cred_engine *g, int64_t now, bool all)
{
    int64_t every = (int64_t)(TH(g, CT_EMIT_MIN) * MIN_MS);
    int64_t idle = (int64_t)(TH(g, CT_FINDING_IDLE_H) * HOUR_MS);
    for (size_t i = 0; i < g->n_finds; i++) {
        cred_find *f = g->finds[i];
        if (f->closed)
            continue;
        if (f->dirty && (all || f->urgent || f->last_emit == INT64_MIN ||
                         now - f->last_emit >= every))
            emit(g, f);
        if (!all && (now - f->last > idle || now - f->first > CRED_FIND_MAX_SPAN)) {
            if (f->dirty)
                emit(g, f);
            f->closed = true; /* heavy membership sets are dropped: it cannot grow now */
            vg_htable_free(f->acc_set);
            vg_htable_free(f->ip_set);
            f->acc_set = f->ip_set = NULL;
        }
    }
}

static void tick(vg_cred_engine *g, int64_t now)
{
    eval_orgs(g, false);
    emit_due(g, now, false);
    if (now >= g->next_expire) {
        expire_all(g, now);
        g->next_expire = now + HOUR_MS;
    }
}

static cred_src *src_get(vg_cred_engine *g, const char *name)
{
    if (!name)
        name = "";
    for (size_t i = 0; i < g->n_srcs; i++)
        if (strcmp(g->srcs[i].name, name) == 0)
            return &g->srcs[i];
    g->srcs = vg_xgrow(g->srcs, &g->cap_srcs, g->n_srcs + 1, sizeof *g->srcs);
    cred_src *s = &g->srcs[g->n_srcs++];
    memset(s, 0, sizeof *s);
    s->name = vg_xstrdup(name);
    return s;
}

static void advance(vg_cred_engine *g)
{
    int64_t hi = INT64_MIN;
    for (size_t i = 0; i < g->n_srcs; i++)
        if (g->srcs[i].seen && g->srcs[i].max > hi)
            hi = g->srcs[i].max;
    if (hi == INT64_MIN)
        return;
    int64_t lo = INT64_MAX;
    for (size_t i = 0; i < g->n_srcs; i++) {
        cred_src *s = &g->srcs[i];
        if (!s->seen || s->done || s->max < hi - DAY_MS) /* finished or dead: not waited for */
            continue;
        if (s->max - g->lateness_ms < lo)
            lo = s->max - g->lateness_ms;
    }
    if (lo == INT64_MAX)
        lo = hi - g->lateness_ms;
    if (!g->clock_set) {
        g->clock = lo;
        g->clock_set = true;
        g->next_tick = (lo / TICK_MS + 1) * TICK_MS;
        g->next_expire = lo + HOUR_MS;
        return;
    }
    if (lo <= g->clock)
        return;
    g->clock = lo;
    if (g->clock >= g->next_tick) {
        /* one tick covers any gap: nothing happens between events */
        tick(g, g->clock);
        g->next_tick = (g->clock / TICK_MS + 1) * TICK_MS;
    }
}

/* ---- events ---------------------------------------------------------------------------------- */

static void on_success(vg_cred_engine *g, cred_org *o, cred_acct *a, const vg_auth_event *ev,
                       const ipkey *k, uint64_t ua)
{
    int64_t t = ev->time_ms;
    bool familiar = cred__familiar(a, k, ev->asn, ua, (uint8_t)ev->proto);
    cred_pair *p = cred__ipkey_none(k) ? NULL : cred__pair_get(o, a, k, t, true);
    uint32_t after = 0;
    if (p) {
        after = p->fails;
        p->fails_at_succ = p->fails;
        p->last_succ = t;
        p->fails = 0;
        p->series = 0;
        p->tn = 0;
    }
    cred_ip *ip = cred__ip_get(g, o, k, t, true);
    cred__compromise_success(g, o, a, ip, ev, k, ua, after, familiar);
    bool suspect = (a->compromise && a->compromise->last >= t - HOUR_MS) ||
                   after > (uint32_t)TH(g, CT_TYPO_MAX);
    if (ip && !suspect) { /* an attacker's own wins never make his address look shared */
        ip->succ++;
        cred__ip_keep(o, ip, t);
        if (!ip->sacc)
            ip->sacc = vg_xcalloc(32, sizeof *ip->sacc);
        uint64_t h = cred__hash(a->name, strlen(a->name));
        if (t - ip->sacc_last > DAY_MS) { /* distinct successful accounts, per day */
            ip->n_sacc = ip->n_sacc_more = 0;
        }
        ip->sacc_last = t;
        bool have = false;
        for (uint32_t i = 0; i < ip->n_sacc && !have; i++)
            have = ip->sacc[i] == h;
        if (!have) {
            if (ip->n_sacc < 32)
                ip->sacc[ip->n_sacc++] = h;
            else
                ip->n_sacc_more++;
        }
    }
    if (ev->result != VG_AUTH_SUCCESS)
        return; /* credential_valid: a correct password, but not a sign-in to learn from */
    /* learn, unless the success is itself suspect (tied to an attack, or after many failures) */
    if (suspect)
        return;
    if (ip && ip->atk && ip->atk_last >= t - 7 * DAY_MS)
        return;
    if (!a->successes)
        o->n_succ_accts++;
    cred__learn(a, k, ev->asn, ua, (uint8_t)ev->proto, t);
    o->n_success++;
    o->proto_succ[ev->proto]++;
    if (ua) {
        o->n_success_ua++;
        bool created;
        void **slot = vg_htable_put(o->uas, &ua, sizeof ua, INT64_MAX, &created);
        if (slot)
            *slot = (void *)((uintptr_t)*slot + 1);
    }
}

static void on_failure(vg_cred_engine *g, cred_src *src, cred_org *o, cred_acct *a,
                       const vg_auth_event *ev, const ipkey *k, uint64_t ua)
{
    int64_t t = ev->time_ms;
    uint32_t rep = ev->repeat ? ev->repeat : 1;
    cred_pair *p = cred__pair_get(o, a, k, t, true);
    if (p) {
        if (!p->fails)
            p->first_fail = t;
        p->fails += rep;
        p->last_fail = t;
    }
    cred_ip *ip = cred__ip_get(g, o, k, t, true);
    if (ip)
        ip->fail += rep;
    if (!cred__ipkey_none(k) && g->n_orgs > 1) { /* which organizations see an address */
        cred_gip *x = gip_get(g, k, t, true);
        if (x) {
            uint64_t oh = cred__hash(o->id, strlen(o->id));
            bool have = false;
            for (int i = 0; i < x->n_orgs && !have; i++)
                have = x->orgs[i] == oh;
            if (!have) {
                if (x->n_orgs < 8)
                    x->orgs[x->n_orgs++] = oh;
                else
                    x->n_orgs_more++;
            }
        }
    }
    if (cred__familiar(a, k, ev->asn, ua, (uint8_t)ev->proto)) {
        if (p)
            cred__familiar_failure(g, o, a, p, ev, k);
        return;
    }
    cred_uf u;
    memset(&u, 0, sizeof u);
    u.t = t;
    u.a = a;
    u.ip = *k;
    u.addr = ev->ip;
    u.ua = ua;
    u.ua_text = ua ? cred__intern(g, ev->user_agent) : "";
    u.proto = (uint8_t)ev->proto;
    u.result = (uint8_t)ev->result;
    u.repeat = rep;
    u.file = cred__intern(g, ev->file);
    u.line = ev->line;
    pend_push(g, src, &u);
}

void vg_cred_engine_feed(vg_cred_engine *g, const vg_auth_event *ev)
{
    g->stats.events++;
    cred_src *s = src_get(g, ev->file);
    if (s->seen && ev->time_ms < s->max - g->lateness_ms)
        g->stats.late++;
    if (!s->seen || ev->time_ms > s->max)
        s->max = ev->time_ms;
    s->seen = true;
    s->done = false;
    /* the source's own tick: judge its waiting failures on its own timeline */
    int64_t wm = s->max - g->lateness_ms;
    if (!s->ticking) {
        s->ticking = true;
        s->next_tick = (wm / TICK_MS + 1) * TICK_MS;
    } else if (wm >= s->next_tick) {
        pend_drain(g, s, wm - g->grace_ms);
        eval_orgs(g, false);
        s->next_tick = (wm / TICK_MS + 1) * TICK_MS;
    }
    advance(g);

    if (!ev->account || !*ev->account || (ev->account_flags & VG_ACCT_MACHINE))
        return; /* computer accounts are not people: out of every count */
    vg_auth_result r = ev->result;
    bool success = r == VG_AUTH_SUCCESS || r == VG_AUTH_CREDENTIAL_VALID;
    bool failure = vg_auth_result_is_failure(r);
    if (!success && !failure)
        return; /* interrupts and other failures say nothing about a password */
    cred_org *o = cred__org_get(g, ev->org, ev->time_ms);
    if (!o)
        return;
    if (ev->time_ms > o->last_seen)
        o->last_seen = ev->time_ms;
    cred_acct *a = cred__acct_get(g, o, ev->account, ev->account_flags, ev->time_ms);
    if (!a)
        return;
    ipkey k;
    cred__ipkey(&ev->ip, ev->source_host, &k);
    uint64_t ua = ev->user_agent && *ev->user_agent
                      ? cred__hash(ev->user_agent, strlen(ev->user_agent))
                      : 0;
    if (success)
        on_success(g, o, a, ev, &k, ua);
    else
        on_failure(g, s, o, a, ev, &k, ua);
}

void vg_cred_engine_source_done(vg_cred_engine *g, const char *source)
{
    for (size_t i = 0; i < g->n_srcs; i++)
        if (strcmp(g->srcs[i].name, source ? source : "") == 0) {
            g->srcs[i].done = true;
            pend_drain(g, &g->srcs[i], INT64_MAX); /* nothing more can resolve them */
        }
    eval_orgs(g, false);
    advance(g);
}

void vg_cred_engine_flush(vg_cred_engine *g)
{
    for (size_t i = 0; i < g->n_srcs; i++)
        pend_drain(g, &g->srcs[i], INT64_MAX);
    int64_t now = g->clock;
    for (size_t i = 0; i < g->n_srcs; i++)
        if (g->srcs[i].seen && g->srcs[i].max > now)
            now = g->srcs[i].max;
    g->clock = now;
    eval_orgs(g, true);
    emit_due(g, now, true);
}

void vg_cred_engine_findings(const vg_cred_engine *g, vg_findings *out)
{
    for (size_t i = 0; i < g->n_finds; i++)
        if (g->finds[i]->f->revision > 0)
            vg_findings_push(out, vg_finding_clone(g->finds[i]->f));
    vg_findings_sort(out);
}

void vg_cred_engine_on_finding(vg_cred_engine *g, vg_cred_finding_fn fn, void *ud)
{
    g->cb = fn;
    g->cb_ud = ud;
}

void vg_cred_engine_stats(const vg_cred_engine *g, vg_cred_stats *out)
{
    *out = g->stats;
    size_t n = vg_htable_count(g->orgs) + vg_htable_count(g->gips);
    size_t bytes = vg_htable_capacity(g->gips) * 40 + vg_htable_count(g->gips) * sizeof(cred_gip);
    for (size_t i = 0; i < g->n_srcs; i++) {
        n += g->srcs[i].p_n;
        bytes += g->srcs[i].p_cap * sizeof(cred_uf);
    }
    for (size_t i = 0; i < g->n_orgs; i++) {
        cred_org *o = g->org_list[i];
        size_t c = vg_htable_count(o->accts), ip = vg_htable_count(o->ips),
               pr = vg_htable_count(o->pairs), cl = vg_htable_count(o->clusters);
        n += c + ip + pr + cl;
        bytes += c * (sizeof(cred_acct) + 32) + ip * sizeof(cred_ip) + pr * sizeof(cred_pair) +
                 cl * sizeof(cred_cluster);
        bytes += (vg_htable_capacity(o->accts) + vg_htable_capacity(o->ips) +
                  vg_htable_capacity(o->pairs)) * 40;
    }
    out->state_entries = n;
    out->state_bytes = bytes;
}

/* ---- life cycle ------------------------------------------------------------------------------ */

vg_cred_engine *vg_cred_engine_new(const vg_yaml_node *config_root, vg_error *e)
{
    vg_cred_engine *g = vg_xcalloc(1, sizeof *g);
    if (cred__thresholds_load(g, config_root, e) != VG_OK) {
        free(g);
        return NULL;
    }
    g->lateness_ms = (int64_t)(TH(g, CT_LATENESS_MIN) * MIN_MS);
    g->grace_ms = (int64_t)(TH(g, CT_GRACE_MIN) * MIN_MS);
    vg_random_bytes(g->hkey, sizeof g->hkey);
    g->orgs = vg_htable_new_keyed(CRED_MAX_ORGS, g->hkey, org_free, g);
    g->gips = vg_htable_new_keyed(CRED_MAX_GIPS, g->hkey, free_plain, g);
    g->strings = vg_htable_new_keyed(1000000, g->hkey, free_plain, g);
    g->fmap = vg_htable_new_keyed(0, g->hkey, NULL, g);
    return g;
}

void vg_cred_engine_free(vg_cred_engine *g)
{
    if (!g)
        return;
    /* organizations first: their destructors clear links into the findings */
    vg_htable_free(g->orgs);
    free(g->org_list);
    vg_htable_free(g->gips);
    for (size_t i = 0; i < g->n_finds; i++) {
        cred_find *f = g->finds[i];
        vg_finding_free(f->f);
        vg_htable_free(f->acc_set);
        vg_htable_free(f->ip_set);
        vg_strlist_free(&f->links);
        free(f->pkey);
        free(f->ua_text);
        free(f->src_text);
        free(f->via);
        free(f);
    }
    free(g->finds);
    vg_htable_free(g->fmap);
    vg_htable_free(g->strings);
    for (size_t i = 0; i < g->n_srcs; i++) {
        free(g->srcs[i].name);
        free(g->srcs[i].pend);
    }
    free(g->srcs);
    free(g);
}
