/* cred_spray.c — cred.spray and cred.stuffing.
 *
 * Single source: many accounts failing (unresolved) from one address new to
 * them within an hour, with few attempts per account. An address where more
 * accounts succeed than fail is a shared egress (office NAT): its failures are
 * people, judged by success ratio and history, not by an allow-list.
 *
 * Organization level (the slow, distributed kind that per-IP tools such as
 * fail2ban and CrowdSec cannot see): unresolved failures from addresses new
 * to each account are grouped by client signature — (protocol, user agent),
 * plus one coarse cluster per protocol for tools that vary their agent.
 * A cluster is an attack when the distinct accounts it touched in 24 hours
 * reach the organization-size threshold, raised for signatures the
 * organization's own successful sign-ins use (so everyday browsers need far
 * more evidence than a client nobody there uses), or when half that many
 * accounts were hit on more than one day (rounds). Its addresses are the
 * attack's cluster. It is stuffing rather than a spray when most names do not
 * exist, each is tried about once, and many addresses are used.
 *
 * Sprays in different organizations are linked when they share addresses;
 * each shared address weighs 1/log2(1 + organizations that saw it), so a Tor
 * exit seen everywhere counts for little and a dedicated VPS for much.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/cred_internal.h"

/* ---- single address ------------------------------------------------------------------------- */

static void grow_finding(vg_cred_engine *g, cred_org *o, cred_find *f, const cred_uf *u)
{
    f->attempts += u->repeat;
    if (u->result == VG_AUTH_NO_SUCH_USER)
        f->nouser += u->repeat;
    else if (u->result == VG_AUTH_LOCKED)
        f->locked += u->repeat;
    else
        f->badpw += u->repeat;
    cred__find_seen(f, u->t);
    cred__find_evidence(f, u->file, u->line);
    size_t before = f->f->entities.accounts.n;
    cred__find_account(f, u->a->name);
    if (f->f->entities.accounts.n != before) {
        cred__acct_target(u->a, f);
        cred__compromise_retro(g, f, u->a, NULL);
    }
    if (cred__find_ip(f, &u->ip))
        cred__compromise_retro(g, f, NULL, cred__ip_get(g, o, &u->ip, u->t, false));
    cred__mark_attack_ip(g, o, &u->ip, f, u->t);
    f->dirty = true;
}

static void cluster_fire(vg_cred_engine *g, cred_org *o, struct cred_cluster *c, int64_t now);

static cred_cluster *cluster_find(cred_org *o, uint8_t proto, uint64_t ua)
{
    uint8_t key[9];
    key[0] = proto;
    memcpy(key + 1, &ua, 8);
    void **slot = vg_htable_get(o->clusters, key, sizeof key);
    return slot ? *slot : NULL;
}

static int fa_cmp(const void *x, const void *y)
{
    return strcmp((*(const ip_fa *const *)x)->a->name, (*(const ip_fa *const *)y)->a->name);
}

void cred__spray_ip_uf(vg_cred_engine *g, cred_org *o, const cred_uf *u, cred_ip *ip)
{
    if (ip->spray && cred__find_active(g, ip->spray, u->t)) {
        grow_finding(g, o, ip->spray, u);
        return;
    }
    /* the last hour of failing accounts at this address */
    uint32_t k = 0;
    for (uint32_t i = 0; i < ip->n_fa; i++)
        if (ip->fa[i].last >= u->t - HOUR_MS)
            ip->fa[k++] = ip->fa[i];
    ip->n_fa = k;
    ip_fa *e = NULL;
    for (uint32_t i = 0; i < ip->n_fa && !e; i++)
        if (ip->fa[i].a == u->a)
            e = &ip->fa[i];
    if (!e) {
        if (ip->n_fa >= CRED_IP_WINDOW_MAX)
            return;
        if (ip->n_fa == ip->cap_fa) {
            size_t cap = ip->cap_fa;
            ip->fa = vg_xgrow(ip->fa, &cap, ip->n_fa + 1, sizeof *ip->fa);
            ip->cap_fa = (uint32_t)cap;
        }
        e = &ip->fa[ip->n_fa++];
        memset(e, 0, sizeof *e);
        e->a = u->a;
        e->first = u->t;
    }
    e->n += u->repeat;
    if (u->result == VG_AUTH_NO_SUCH_USER)
        e->nouser += u->repeat;
    else if (u->result == VG_AUTH_LOCKED)
        e->locked += u->repeat;
    if (u->t > e->last)
        e->last = u->t;

    double thr = cred__scaled(g, CT_SPRAY_IP_ACCOUNTS, o->n_succ_accts);
    if (ip->n_fa < thr)
        return;
    uint64_t attempts = 0;
    for (uint32_t i = 0; i < ip->n_fa; i++)
        attempts += ip->fa[i].n;
    if ((double)attempts / ip->n_fa > TH(g, CT_SPRAY_IP_MAX_PER_ACCT))
        return; /* many tries per account: brute force on each (cred_bruteforce.c) */
    if (cred__shared_egress(g, ip, u->t))
        return; /* shared egress: more people succeed here than fail */

    /* A third address spraying with the same client is one campaign, not three:
     * the organization-level finding for that signature takes over. */
    cred_cluster *c = cluster_find(o, u->proto, u->ua);
    if (c && c->f && cred__find_active(g, c->f, u->t))
        return; /* the campaign's finding follows it (cred__cluster_uf) */
    int active = 0;
    for (int i = 0; c && i < 2; i++)
        active += c->ip_sprays[i] && cred__find_active(g, c->ip_sprays[i], u->t);
    if (c && active == 2) {
        cluster_fire(g, o, c, u->t);
        return;
    }

    char key[64];
    cred__ipkey_str(&u->ip, key, sizeof key);
    cred_find *f = cred__find_new(g, o, FK_SPRAY_IP, key, u->t, DAY_MS);
    if (!f)
        return;
    ip->spray = f;
    f->ip = ip;
    if (c) { /* remember it against its signature */
        int slot = c->ip_sprays[0] && cred__find_active(g, c->ip_sprays[0], u->t) ? 1 : 0;
        c->ip_sprays[slot] = f;
    }
    f->ua = u->ua;
    f->proto = u->proto;
    free(f->ua_text);
    f->ua_text = vg_xstrdup(u->ua_text ? u->ua_text : "");
    ip_fa **order = vg_xcalloc(ip->n_fa, sizeof *order);
    for (uint32_t i = 0; i < ip->n_fa; i++)
        order[i] = &ip->fa[i];
    qsort(order, ip->n_fa, sizeof *order, fa_cmp);
    for (uint32_t i = 0; i < ip->n_fa; i++) {
        ip_fa *x = order[i];
        cred__find_account(f, x->a->name);
        cred__acct_target(x->a, f);
        cred__find_seen(f, x->first);
        f->attempts += x->n;
        f->nouser += x->nouser;
        f->locked += x->locked;
        f->badpw += x->n - x->nouser - x->locked;
    }
    /* the current attempt is counted again by grow_finding */
    f->attempts -= u->repeat;
    if (u->result == VG_AUTH_NO_SUCH_USER)
        f->nouser -= u->repeat;
    else if (u->result == VG_AUTH_LOCKED)
        f->locked -= u->repeat;
    else
        f->badpw -= u->repeat;
    free(order);
    cred__find_ip(f, &u->ip);
    grow_finding(g, o, f, u);
    for (uint32_t i = 0; i < ip->n_fa; i++)
        cred__compromise_retro(g, f, ip->fa[i].a, NULL);
    cred__compromise_retro(g, f, NULL, ip);
    cred__find_dirty(f, true);
}

/* ---- clusters -------------------------------------------------------------------------------- */

void cred__cluster_free(void *v, void *ud)
{
    (void)ud;
    cred_cluster *c = v;
    if (!c)
        return;
    if (c->f && c->f->cluster == c)
        c->f->cluster = NULL;
    cred_org *o = c->org;
    for (size_t i = 0; i < o->n_dirty_clu; i++)
        if (o->dirty_clu[i] == c) {
            o->dirty_clu[i] = o->dirty_clu[--o->n_dirty_clu];
            break;
        }
    c->n_repeat = 0;
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *kp;
    size_t kl;
    void **v2;
    int64_t exp;
    while (vg_htable_next(c->accts, &it, &kp, &kl, &v2, &exp))
        if (*v2)
            ((clu_acct *)*v2)->c = NULL;
    vg_htable_free(c->accts);
    vg_htable_free(c->ips);
    vg_htable_free(c->nets);
    free(c->fifo);
    free(c->ua_text);
    free(c);
}

static void free_clu_acct(void *v, void *ud)
{
    (void)ud;
    clu_acct *ca = v;
    if (!ca)
        return;
    if (ca->days && ca->c && ca->c->n_repeat)
        ca->c->n_repeat--; /* the window of repeated accounts is the members' lifetime */
    free(ca->name);
    free(ca);
}

static cred_cluster *cluster_get(vg_cred_engine *g, cred_org *o, uint8_t proto, uint64_t ua,
                                 const char *ua_text, int64_t t)
{
    uint8_t key[9];
    key[0] = proto;
    memcpy(key + 1, &ua, 8);
    bool created;
    void **slot = vg_htable_put(o->clusters, key, sizeof key, t + 7 * DAY_MS, &created);
    if (!slot) {
        g->stats.refused++;
        return NULL;
    }
    if (!created)
        return *slot;
    cred_cluster *c = vg_xcalloc(1, sizeof *c);
    c->org = o;
    memcpy(c->key, key, sizeof key);
    c->proto = proto;
    c->ua = ua;
    c->ua_text = vg_xstrdup(ua_text ? ua_text : "");
    c->accts = vg_htable_new_keyed(CRED_MAX_FIND_ACCTS, g->hkey, free_clu_acct, g);
    c->ips = vg_htable_new_keyed(CRED_MAX_FIND_IPS, g->hkey, NULL, g);
    c->nets = vg_htable_new_keyed(CRED_MAX_FIND_IPS, g->hkey, NULL, g);
    c->first = t;
    c->hour_base = t / HOUR_MS - 167;
    *slot = c;
    return c;
}

static void mark_dirty(cred_org *o, cred_cluster *c)
{
    if (c->dirty)
        return;
    c->dirty = true;
    o->dirty_clu = vg_xgrow(o->dirty_clu, &o->cap_dirty_clu, o->n_dirty_clu + 1,
                            sizeof *o->dirty_clu);
    o->dirty_clu[o->n_dirty_clu++] = c;
}

static void cluster_add(vg_cred_engine *g, cred_org *o, cred_cluster *c, const cred_uf *u)
{
    bool created;
    size_t nl = strlen(u->a->name);
    void **slot = vg_htable_put(c->accts, u->a->name, nl, u->t + CLU_TTL, &created);
    if (!slot)
        return;
    if (created) {
        clu_acct *ca = vg_xcalloc(1, sizeof *ca);
        ca->c = c;
        ca->name = vg_xstrndup(u->a->name, nl);
        ca->first = u->t;
        ca->last_day = -1;
        ca->last = INT64_MIN;
        *slot = ca;
    }
    clu_acct *ca = *slot;
    ca->n += u->repeat;
    int64_t day = u->t / DAY_MS;
    if (day != ca->last_day) {
        if (ca->last_day >= 0 && day > ca->last_day && ++ca->days == 1)
            c->n_repeat++; /* second distinct day */
        if (day > ca->last_day)
            ca->last_day = day;
    }
    if (u->t > ca->last) {
        if (ca->last < u->t - DAY_MS)
            c->n_acc_24h++;
        ca->last = u->t;
        if (c->f_n == c->f_cap) {
            if (c->f_cap >= CRED_MAX_FIND_ACCTS)
                goto counted; /* window bookkeeping saturated: counts stay high */
            size_t ncap = c->f_cap ? c->f_cap * 2 : 64;
            clu_fifo *nf = vg_xcalloc(ncap, sizeof *nf);
            for (size_t i = 0; i < c->f_n; i++)
                nf[i] = c->fifo[(c->f_head + i) % c->f_cap];
            free(c->fifo);
            c->fifo = nf;
            c->f_cap = ncap;
            c->f_head = 0;
        }
        c->fifo[(c->f_head + c->f_n) % c->f_cap] = (clu_fifo){u->t, ca};
        c->f_n++;
    }
counted:;
    void **ip = vg_htable_put(c->ips, u->ip.b, IPKEY_LEN, u->t + CLU_TTL, &created);
    if (ip)
        *ip = (void *)((uintptr_t)*ip + u->repeat);
    if (ip && created && (u->ip.b[0] == 4 || u->ip.b[0] == 6)) { /* the cluster's networks */
        ipkey net;
        cred__ipkey_net(&u->ip, &net);
        bool nc;
        void **ns = vg_htable_put(c->nets, net.b, IPKEY_LEN, INT64_MAX, &nc);
        if (ns) {
            size_t cnt = (uintptr_t)*ns + 1;
            *ns = (void *)(uintptr_t)cnt;
            if (cnt > c->big_net_n || (cnt == c->big_net_n && memcmp(net.b, c->big_net.b, IPKEY_LEN) < 0)) {
                c->big_net_n = cnt;
                c->big_net = net;
            }
        }
    }
    c->attempts += u->repeat;
    if (u->result == VG_AUTH_NO_SUCH_USER)
        c->nouser += u->repeat;
    else if (u->result == VG_AUTH_LOCKED)
        c->locked += u->repeat;
    else
        c->badpw += u->repeat;
    int64_t h = u->t / HOUR_MS;
    if (h >= c->hour_base + 168) {
        int64_t shift = h - (c->hour_base + 167);
        if (shift >= 168) {
            memset(c->hours, 0, sizeof c->hours);
        } else {
            memmove(c->hours, c->hours + shift, (size_t)(168 - shift) * sizeof c->hours[0]);
            memset(c->hours + (168 - shift), 0, (size_t)shift * sizeof c->hours[0]);
        }
        c->hour_base += shift;
    }
    if (h >= c->hour_base)
        c->hours[h - c->hour_base] += u->repeat;
    if (u->t < c->first)
        c->first = u->t;
    if (u->t > c->last)
        c->last = u->t;
    if (c->n_ev < 16) {
        c->ev[c->n_ev].file = u->file;
        c->ev[c->n_ev].line = u->line;
        c->n_ev++;
    }
    if (c->f && cred__find_active(g, c->f, u->t))
        grow_finding(g, o, c->f, u);
    else
        mark_dirty(o, c);
}

void cred__cluster_uf(vg_cred_engine *g, cred_org *o, const cred_uf *u)
{
    /* failures already explained by a single-source spray stay there */
    cred_ip *ip = cred__ip_get(g, o, &u->ip, u->t, false);
    if (ip && ip->spray && cred__find_active(g, ip->spray, u->t))
        return;
    /* ... and so do failures on an account under brute force */
    if (u->a->atk && u->a->atk->bf && cred__find_active(g, u->a->atk->bf, u->t))
        return;
    cred_cluster *fine = cluster_get(g, o, u->proto, u->ua, u->ua_text, u->t);
    if (fine)
        cluster_add(g, o, fine, u);
    if (u->ua) {
        cred_cluster *coarse = cluster_get(g, o, u->proto, 0, "", u->t);
        if (coarse)
            cluster_add(g, o, coarse, u);
    }
}

typedef struct name_item {
    const char *name;
    clu_acct *ca;
} name_item;

static int name_cmp(const void *x, const void *y)
{
    return strcmp(((const name_item *)x)->name, ((const name_item *)y)->name);
}

typedef struct key_item {
    ipkey k;
} key_item;

static int key_cmp(const void *x, const void *y) { return memcmp(x, y, IPKEY_LEN); }

static double share_of(const cred_org *o, const cred_cluster *c)
{
    if (!o->n_success)
        return 0;
    if (c->ua) {
        void **slot = vg_htable_get(o->uas, &c->ua, sizeof c->ua);
        return slot ? (double)(uintptr_t)*slot / (double)o->n_success : 0;
    }
    if (!o->n_success_ua)
        return 0; /* the log carries no agents (sshd): the protocol says nothing */
    return (double)o->proto_succ[c->proto] / (double)o->n_success;
}

static void cluster_fire(vg_cred_engine *g, cred_org *o, cred_cluster *c, int64_t now)
{
    if (!vg_htable_count(c->accts))
        return;
    size_t n_acc = vg_htable_count(c->accts), n_ip = vg_htable_count(c->ips);
    double per_acct = n_acc ? (double)c->attempts / (double)n_acc : 0;
    bool stuffing = c->attempts && (double)c->nouser / (double)c->attempts >= TH(g, CT_STUFF_NOUSER) &&
                    per_acct <= TH(g, CT_STUFF_PER_ACCT) && n_ip >= TH(g, CT_STUFF_MIN_IPS);
    char key[64];
    snprintf(key, sizeof key, "sig:%s:%016llx", vg_auth_proto_name((vg_auth_proto)c->proto),
             (unsigned long long)c->ua);
    /* a cluster's first finding is anchored on its first attempt; a later one
     * (the first closed after CRED_FIND_MAX_SPAN or idleness) on now */
    bool again = c->f != NULL;
    int64_t start = again ? (c->first > now - DAY_MS ? c->first : now - DAY_MS) : c->first;
    cred_find *f = cred__find_new(g, o, stuffing ? FK_STUFFING : FK_SPRAY_CLUSTER, key,
                                  again ? now : c->first, DAY_MS);
    if (!f)
        return;
    c->f = f;
    f->cluster = c;
    f->ua = c->ua;
    f->proto = c->proto;
    free(f->ua_text);
    f->ua_text = vg_xstrdup(c->ua_text);
    if (!o->proto_spray[c->proto] || !cred__find_active(g, o->proto_spray[c->proto], now))
        o->proto_spray[c->proto] = f;
    f->attempts += c->attempts;
    f->nouser += c->nouser;
    f->locked += c->locked;
    f->badpw += c->badpw;
    cred__find_seen(f, start); /* a finding after an earlier one starts at most a day back */
    cred__find_seen(f, c->last);
    for (int i = 0; i < c->n_ev; i++)
        cred__find_evidence(f, c->ev[i].file, c->ev[i].line);
    /* accounts and addresses in a deterministic order */
    name_item *names = vg_xcalloc(n_acc ? n_acc : 1, sizeof *names);
    size_t k = 0;
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *kp;
    size_t kl;
    void **v;
    int64_t exp;
    while (vg_htable_next(c->accts, &it, &kp, &kl, &v, &exp) && k < n_acc) {
        clu_acct *ca = *v;
        names[k].name = ca->name;
        names[k].ca = ca;
        k++;
    }
    qsort(names, k, sizeof *names, name_cmp);
    cred_acct **accts = vg_xcalloc(k ? k : 1, sizeof *accts);
    for (size_t i = 0; i < k; i++) {
        cred__find_account(f, names[i].name);
        void **as = vg_htable_get(o->accts, names[i].name, strlen(names[i].name));
        accts[i] = as ? *as : NULL;
        if (accts[i])
            cred__acct_target(accts[i], f);
    }
    key_item *keys = vg_xcalloc(n_ip ? n_ip : 1, sizeof *keys);
    size_t m = 0;
    it = (vg_htable_iter)VG_HTABLE_ITER_INIT;
    while (vg_htable_next(c->ips, &it, &kp, &kl, &v, &exp) && m < n_ip)
        memcpy(keys[m++].k.b, kp, IPKEY_LEN);
    qsort(keys, m, sizeof *keys, key_cmp);
    for (size_t i = 0; i < m; i++) {
        cred__find_ip(f, &keys[i].k);
        cred__mark_attack_ip(g, o, &keys[i].k, f, c->last);
    }
    for (size_t i = 0; i < k; i++)
        if (accts[i])
            cred__compromise_retro(g, f, accts[i], NULL);
    free(accts);
    for (size_t i = 0; i < m; i++)
        cred__compromise_retro(g, f, NULL, cred__ip_get(g, o, &keys[i].k, now, false));
    free(names);
    free(keys);
    cred__find_dirty(f, true);
}

static void fifo_slide(cred_cluster *c, int64_t now)
{
    while (c->f_n) {
        clu_fifo *e = &c->fifo[c->f_head];
        if (e->t >= now - DAY_MS)
            break;
        if (e->ca->last == e->t && c->n_acc_24h)
            c->n_acc_24h--;
        c->f_head = (c->f_head + 1) % c->f_cap;
        c->f_n--;
    }
}

/* Drops cluster members unseen for CLU_TTL (the 24-hour window is slid
 * first, so no window entry points at a dropped member). */
void cred__clusters_expire(cred_org *o, int64_t now)
{
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *kp;
    size_t kl;
    void **v;
    int64_t exp;
    while (vg_htable_next(o->clusters, &it, &kp, &kl, &v, &exp)) {
        cred_cluster *c = *v;
        if (!c)
            continue;
        fifo_slide(c, now);
        vg_htable_expire(c->accts, now);
        vg_htable_expire(c->ips, now);
    }
}

/* Do the cluster's addresses belong to people? Attack pools never sign in;
 * the homes, carriers and hotels of an organization's own users do, sooner or
 * later. When a quarter of a cluster's addresses (sampled) have seen a
 * successful sign-in, its failures are people's (judged by success ratio and
 * history, not by an allow-list). */
static bool cluster_people(const cred_org *o, const cred_cluster *c)
{
    size_t seen = 0, with_success = 0;
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *kp;
    size_t kl;
    void **v;
    int64_t exp;
    while (seen < 2000 && vg_htable_next(c->ips, &it, &kp, &kl, &v, &exp)) {
        void **is = vg_htable_get(o->ips, kp, IPKEY_LEN);
        seen++;
        if (is && ((const cred_ip *)*is)->succ)
            with_success++;
    }
    return seen >= 5 && with_success * 4 >= seen;
}

void cred__clusters_eval(vg_cred_engine *g, cred_org *o, int64_t now)
{
    /* fine signatures before coarse ones; then by key, for a deterministic order */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < o->n_dirty_clu; i++) {
            cred_cluster *c = o->dirty_clu[i];
            bool coarse = c->ua == 0;
            if ((pass == 0) == coarse)
                continue;
            fifo_slide(c, now); /* the 24-hour window */
            if (c->f && cred__find_active(g, c->f, now))
                continue;
            if (o->proto_spray[c->proto] && cred__find_active(g, o->proto_spray[c->proto], now) &&
                o->proto_spray[c->proto] != c->f)
                continue; /* this protocol's spray is already being followed */
            double base = cred__scaled(g, CT_SPRAY_ACCOUNTS, o->n_succ_accts);
            double thr = base * (1.0 + TH(g, CT_SPRAY_COMMON_WEIGHT) * share_of(o, c));
            size_t total = vg_htable_count(c->accts);
            /* many accounts in a day; or rounds: the same accounts failing again on
             * later days from new addresses, which everyday noise does not do */
            if ((c->n_acc_24h >= thr ||
                 (c->n_repeat >= base && (double)c->n_repeat >= 0.3 * (double)total)) &&
                now >= c->people_until) {
                if (cluster_people(o, c))
                    c->people_until = now + HOUR_MS; /* look again in an hour */
                else
                    cluster_fire(g, o, c, now);
            }
        }
    }
    for (size_t i = 0; i < o->n_dirty_clu; i++)
        o->dirty_clu[i]->dirty = false;
    o->n_dirty_clu = 0;
}

/* ---- cross-organization links ---------------------------------------------------------------- */

void cred__link_add(cred_find *f, cred_find *other, double w)
{
    int i = 0;
    while (i < f->n_lk && f->lk[i].other != other)
        i++;
    if (i == f->n_lk) {
        if (f->n_lk == 8)
            return; /* eight linked campaigns are enough to say it is widespread */
        f->lk[i].other = other;
        f->lk[i].score = 0;
        f->lk[i].shared = 0;
        f->n_lk++;
    }
    f->lk[i].score += w;
    f->lk[i].shared++;
}

static int link_cmp(const void *x, const void *y)
{
    const cred_find *a = *(cred_find *const *)x, *b = *(cred_find *const *)y;
    return strcmp(a->f->id, b->f->id);
}

/* Sentences for the sprays in other organizations this one shares enough
 * weighted addresses with (accumulated by cred__mark_attack_ip). */
void cred__link_sprays(vg_cred_engine *g, cred_find *f)
{
    vg_strlist_free(&f->links);
    f->link_score = 0;
    cred_find *order[8];
    int n = 0;
    for (int i = 0; i < f->n_lk; i++)
        order[n++] = f->lk[i].other;
    qsort(order, (size_t)n, sizeof *order, link_cmp);
    for (int k = 0; k < n; k++) {
        int i = 0;
        while (f->lk[i].other != order[k])
            i++;
        if (f->lk[i].score < TH(g, CT_LINK_SCORE))
            continue;
        cred_find *o = f->lk[i].other;
        vg_strlist_addf(&f->links,
                        "Linked to %s %s against organization '%s': %lld shared attacking "
                        "addresses (weighted %.1f; addresses many sources share, such as Tor "
                        "exits, weigh less).",
                        o->f->kind, o->f->id, o->org->id, (long long)f->lk[i].shared,
                        f->lk[i].score);
        if (f->lk[i].score > f->link_score)
            f->link_score = f->lk[i].score;
        if (!o->closed)
            o->dirty = true; /* it mentions the link at its next revision */
    }
}

/* ---- reasons --------------------------------------------------------------------------------- */

static int rounds_of(const cred_cluster *c, int *active_hours)
{
    int rounds = 0, act = 0;
    bool in = false;
    for (int i = 0; i < 168; i++) {
        if (c->hours[i]) {
            act++;
            if (!in)
                rounds++;
            in = true;
        } else {
            in = false;
        }
    }
    *active_hours = act;
    return rounds;
}

/* Networks (/24, /48) of the cluster's addresses: count and the largest
 * (kept up to date by cluster_add). */
static void networks(const cred_cluster *c, size_t *n_nets, char *largest, size_t lsz,
                     size_t *largest_n)
{
    *n_nets = vg_htable_count(c->nets);
    *largest_n = c->big_net_n;
    largest[0] = '\0';
    if (c->big_net_n && (c->big_net.b[0] == 4 || c->big_net.b[0] == 6)) {
        char ipb[64];
        cred__ipkey_str(&c->big_net, ipb, sizeof ipb);
        char *slash = strchr(ipb, '/');
        if (slash)
            *slash = '\0';
        snprintf(largest, lsz, "%s/%d", ipb, c->big_net.b[0] == 4 ? 24 : 48);
    }
}

typedef struct ip_count {
    ipkey k;
    uintptr_t n;
} ip_count;

static int ip_count_cmp(const void *x, const void *y)
{
    const ip_count *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return memcmp(a->k.b, b->k.b, IPKEY_LEN);
}

/* A cluster finding lists its most active addresses (the output is capped at
 * VG_FINDING_MAX_IPS; counts.ips has the total). */
static void top_addresses(cred_find *f)
{
    const cred_cluster *c = f->cluster;
    size_t n = vg_htable_count(c->ips);
    if (n <= VG_FINDING_MAX_IPS && f->f->entities.ips.n == n)
        return;
    ip_count *v = vg_xcalloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *kp;
    size_t kl;
    void **val;
    int64_t exp;
    while (k < n && vg_htable_next(c->ips, &it, &kp, &kl, &val, &exp)) {
        memcpy(v[k].k.b, kp, IPKEY_LEN);
        v[k].n = (uintptr_t)*val;
        k++;
    }
    qsort(v, k, sizeof *v, ip_count_cmp);
    vg_strlist_free(&f->f->entities.ips);
    vg_strlist_free(&f->f->roles.attacker_ips);
    for (size_t i = 0; i < k && f->f->entities.ips.n < VG_FINDING_MAX_IPS; i++) {
        if (v[i].k.b[0] != 4 && v[i].k.b[0] != 6)
            continue;
        char buf[64];
        cred__ipkey_str(&v[i].k, buf, sizeof buf);
        /* keys are unique: append without vg_strlist_add's linear search */
        vg_strlist *lists[2] = {&f->f->entities.ips, &f->f->roles.attacker_ips};
        for (int j = 0; j < 2; j++) {
            lists[j]->v = vg_xgrow(lists[j]->v, &lists[j]->cap, lists[j]->n + 1, sizeof(char *));
            lists[j]->v[lists[j]->n++] = vg_xstrdup(buf);
        }
    }
    free(v);
}

static void spray_reasons(vg_cred_engine *g, cred_find *f)
{
    if (f->cluster)
        top_addresses(f);
    vg_finding *vf = f->f;
    cred_org *o = f->org;
    int64_t n_acc = (int64_t)vf->entities.accounts.n;
    int64_t N = o->n_succ_accts;
    vg_strlist_add(&vf->attack, f->kind == FK_STUFFING ? "T1110.004" : "T1110.003");
    double per_acct = n_acc ? (double)f->attempts / (double)n_acc : 0;
    double per_ip = f->n_ips ? (double)f->attempts / (double)f->n_ips : 0;
    char client[600];
    snprintf(client, sizeof client, "%s%s%s%s", vg_auth_proto_name((vg_auth_proto)f->proto),
             f->ua_text && *f->ua_text ? ", user agent '" : "",
             f->ua_text && *f->ua_text ? f->ua_text : "", f->ua_text && *f->ua_text ? "'" : "");
    if (f->kind == FK_SPRAY_IP) {
        vg_strlist_addf(&vf->reasons,
                        "Password spray from %s: %lld accounts failed to sign in from this "
                        "address, which none of them had used before (threshold %.0f accounts "
                        "in an hour for an organization with %lld known accounts).",
                        vf->entities.ips.n ? vf->entities.ips.v[0] : "?", (long long)n_acc,
                        cred__scaled(g, CT_SPRAY_IP_ACCOUNTS, N), (long long)N);
        vg_strlist_addf(&vf->reasons, "%.1f attempts per account: a few common passwords per "
                                      "account, not a user's mistakes.",
                        per_acct);
        if (f->ip && f->ip->succ == 0)
            vg_strlist_add(&vf->reasons, "Nobody signs in from this address in normal use: it "
                                         "is not a shared office egress.");
    } else {
        const cred_cluster *c = f->cluster;
        if (f->kind == FK_STUFFING)
            vg_strlist_addf(&vf->reasons,
                            "Credential stuffing: %lld accounts tried %.1f times each on average "
                            "from %lld addresses; %.0f%% of the attempts named accounts that do "
                            "not exist (leaked credential pairs from elsewhere).",
                            (long long)n_acc, per_acct, (long long)f->n_ips,
                            f->attempts ? 100.0 * (double)f->nouser / (double)f->attempts : 0.0);
        else
            vg_strlist_addf(&vf->reasons,
                            "Password spray across the organization: %lld accounts failed to "
                            "sign in from %lld addresses new to them, all with %s (%s).",
                            (long long)n_acc, (long long)f->n_ips,
                            f->ua ? "one client signature" : "one protocol", client);
        if (N >= 20 && n_acc <= N)
            vg_strlist_addf(&vf->reasons, "That is %.0f%% of the %lld accounts seen signing in "
                                          "successfully (threshold %.0f accounts in 24 hours%s).",
                            100.0 * (double)n_acc / (double)N, (long long)N,
                            cred__scaled(g, CT_SPRAY_ACCOUNTS, N),
                            c && share_of(o, c) > 0.001
                                ? ", raised because the organization's own sign-ins use this "
                                  "client"
                                : "");
        vg_strlist_addf(&vf->reasons, "The addresses each tried few times (%.1f attempts per "
                                      "address on average); per-address limits such as fail2ban's "
                                      "do not see this.",
                        per_ip);
        if (c) {
            int act;
            int rounds = rounds_of(c, &act);
            size_t nets, bign;
            char big[80];
            networks(c, &nets, big, sizeof big, &bign);
            if (rounds > 1)
                vg_strlist_addf(&vf->reasons, "Attempts came in %d rounds over %d active hours "
                                              "of the last week; %u accounts were hit on more "
                                              "than one day.",
                                rounds, act, c->n_repeat);
            if (nets)
                vg_strlist_addf(&vf->reasons, "Attacking cluster: %lld addresses in %zu "
                                              "networks%s%s%s%zu%s.",
                                (long long)f->n_ips, nets, bign > 1 ? " (largest " : "",
                                bign > 1 ? big : "", bign > 1 ? ", " : "", bign > 1 ? bign : 0,
                                bign > 1 ? " addresses)" : "");
        }
    }
    if (f->kind != FK_SPRAY_CLUSTER)
        vg_strlist_addf(&vf->reasons, "Client: %s.", client);
    vg_strlist_addf(&vf->reasons, "Results: %lld wrong password, %lld unknown user, %lld locked "
                                  "out.",
                    (long long)f->badpw, (long long)f->nouser, (long long)f->locked);
    cred__link_sprays(g, f);
    for (size_t i = 0; i < f->links.n; i++)
        vg_strlist_add(&vf->reasons, f->links.v[i]);

    double big = cred__scaled(g, CT_SPRAY_ACCOUNTS, N);
    vf->severity = (n_acc >= 2 * big || f->n_ips >= 20) ? VG_SEV_HIGH : VG_SEV_MEDIUM;
    double s = 45 + 10 * log2(1.0 + (double)n_acc / (big > 0 ? big : 1)) +
               (f->n_ips > 1 ? 5 : 0) + (f->links.n ? 10 : 0);
    vf->score = s > 95 ? 95 : (int)s;
    if (vf->roles.compromised.n) {
        if (vf->severity < VG_SEV_HIGH)
            vf->severity = VG_SEV_HIGH;
        vg_strlist_addf(&vf->reasons, "The attack succeeded against %zu %s (see the "
                                      "cred.compromise findings): reset %s.",
                        vf->roles.compromised.n, vf->roles.compromised.n == 1 ? "account" : "accounts",
                        vf->roles.compromised.n == 1 ? "its password" : "their passwords");
    } else {
        vf->outcome = f->locked ? VG_OUT_BLOCKED : VG_OUT_ATTEMPTED;
    }
}

void cred__reasons(vg_cred_engine *g, cred_find *f)
{
    vg_strlist_free(&f->f->attack);
    switch (f->kind) {
    case FK_BRUTE:
    case FK_SLOW_BRUTE:
    case FK_STALE:
        cred__brute_reasons(g, f);
        break;
    case FK_SPRAY_IP:
    case FK_SPRAY_CLUSTER:
    case FK_STUFFING:
        spray_reasons(g, f);
        break;
    case FK_COMPROMISE:
        cred__compromise_reasons(g, f);
        break;
    }
}
