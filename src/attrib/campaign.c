/* campaign.c — clustering of findings into campaigns across organizations:
 * by actor (moderate or better) and by shared infrastructure within a time
 * gap, where infrastructure that unrelated parties share (Tor exits and other
 * shared addresses, free-mail and mass-hosting domains, keys seen with two
 * different actors) links nothing. Ids are stable across runs: a campaign
 * keeps the id of the earlier campaign its members came from; on a merge the
 * oldest id survives; on a split the part with the earliest member keeps it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attrib/attrib_internal.h"

#define DEFAULT_GAP_MS (30LL * 24 * 3600 * 1000)
#define MAX_INFRA_LIST 50
#define MAX_GROUP_PAIRS 64 /* a key shared by more findings links them as a chain */

/* ---- list helpers ------------------------------------------------------------------ */

void vg_campaign_free(vg_campaign *c)
{
    if (!c)
        return;
    free(c->actor);
    vg_strlist *l[] = {&c->aliases, &c->orgs,    &c->countries, &c->kinds, &c->techniques,
                       &c->compromised, &c->findings, &c->ips,  &c->domains, &c->urls,
                       &c->hashes,  &c->reasons, &c->merged};
    for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
        vg_strlist_free(l[i]);
    free(c);
}

void vg_campaigns_push(vg_campaigns *l, vg_campaign *c)
{
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = c;
}

void vg_campaigns_free(vg_campaigns *l)
{
    for (size_t i = 0; i < l->n; i++)
        vg_campaign_free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

const vg_campaign *vg_campaigns_find(const vg_campaigns *l, const char *id)
{
    for (size_t i = 0; l && id && i < l->n; i++)
        if (strcmp(l->v[i]->id, id) == 0)
            return l->v[i];
    return NULL;
}

const vg_campaign *vg_campaigns_of_finding(const vg_campaigns *l, const char *fid)
{
    for (size_t i = 0; l && fid && i < l->n; i++)
        if (vg_strlist_has(&l->v[i]->findings, fid))
            return l->v[i];
    return NULL;
}

/* ---- union-find --------------------------------------------------------------------- */

typedef struct uf {
    size_t *parent;
    const char **actor; /* per root: moderate+ actor of the cluster, or NULL */
} uf;

static size_t uf_find(uf *u, size_t x)
{
    while (u->parent[x] != x) {
        u->parent[x] = u->parent[u->parent[x]];
        x = u->parent[x];
    }
    return x;
}

/* Joins two clusters unless they hold different actors. */
static bool uf_union(uf *u, size_t a, size_t b)
{
    a = uf_find(u, a);
    b = uf_find(u, b);
    if (a == b)
        return true;
    if (u->actor[a] && u->actor[b] && strcmp(u->actor[a], u->actor[b]) != 0)
        return false;
    if (b < a) {
        size_t t = a;
        a = b;
        b = t;
    }
    u->parent[b] = a;
    if (!u->actor[a])
        u->actor[a] = u->actor[b];
    return true;
}

/* ---- clustering --------------------------------------------------------------------- */

typedef struct member {
    const vg_finding *f;
    vg_strlist keys;
    size_t n_ip, n_net; /* "ip:" and "net:" keys */
    const char *strong_actor; /* moderate or better */
    const char *actor;        /* any claim (low or better) */
} member;

typedef struct keyrec {
    const char *key;
    size_t m;
} keyrec;

static int cmp_keyrec(const void *x, const void *y)
{
    const keyrec *a = x, *b = y;
    int d = strcmp(a->key, b->key);
    return d ? d : (a->m > b->m) - (a->m < b->m);
}

typedef struct pairscore {
    size_t a, b;
    size_t ips, nets, exact; /* common addresses, networks, other exact keys */
    const char *sample_key[4];
    size_t n_sample;
} pairscore;

static bool near(const vg_finding *a, const vg_finding *b, int64_t gap)
{
    int64_t a0 = a->first_seen, a1 = a->last_seen ? a->last_seen : a->first_seen;
    int64_t b0 = b->first_seen, b1 = b->last_seen ? b->last_seen : b->first_seen;
    return a0 <= b1 + gap && b0 <= a1 + gap;
}

/* Whether two findings sharing infrastructure are one operation. One common
 * domain, URL, hash, sender address or message is enough (each is specific to
 * one operation). Addresses: two in common, or every address of the smaller
 * side. Networks (/24, /48) count half an address, and only where each side
 * has at least half of its networks in common: a pool spread over hundreds of
 * networks says nothing about a few addresses that fall into some of them. */
static bool pair_linked(const pairscore *p, const member *ma, const member *mb)
{
    if (p->exact >= 1 || p->ips >= 2)
        return true;
    size_t smaller = ma->n_ip < mb->n_ip ? ma->n_ip : mb->n_ip;
    if (p->ips >= 1 && p->ips >= smaller)
        return true;
    if ((double)p->ips + 0.5 * (double)p->nets < 2.0)
        return false;
    return p->nets * 2 >= ma->n_net && p->nets * 2 >= mb->n_net;
}

static bool is_attack_shape(const vg_finding *f)
{
    return strcmp(f->kind, "cred.spray") == 0 || strcmp(f->kind, "cred.bruteforce") == 0 ||
           strcmp(f->kind, "cred.stuffing") == 0;
}

/* Distinct addresses a finding lists (attacker roles and entities). */
static size_t listed_ips(const vg_finding *f)
{
    size_t n = f->entities.ips.n;
    for (size_t i = 0; i < f->roles.attacker_ips.n; i++)
        n += !vg_strlist_has(&f->entities.ips, f->roles.attacker_ips.v[i]);
    return n;
}

/* Is b's activity part of a's, whose address list is cut short (a finding
 * lists at most VG_FINDING_MAX_IPS addresses; counts.ips has the total)? The
 * same organization, b's accounts (3 or more; accounts are never cut) all
 * among a's, b's time within a's, and b's addresses all specific (not
 * internal nor shared: two sprays from Tor exits at the same accounts are not
 * one attack for that) and none of them listed by a (else the addresses
 * themselves link the two, or tell them apart). */
static bool contained(const member *b, const member *a)
{
    const vg_finding *fb = b->f, *fa = a->f;
    int64_t slack = 3600 * 1000;
    int64_t b1 = fb->last_seen ? fb->last_seen : fb->first_seen;
    int64_t a1 = fa->last_seen ? fa->last_seen : fa->first_seen;
    if (!is_attack_shape(fb) || strcmp(fa->org, fb->org) != 0 || fb->entities.accounts.n < 3 ||
        fb->entities.accounts.n > fa->entities.accounts.n ||
        fb->first_seen < fa->first_seen - slack || b1 > a1 + slack)
        return false;
    size_t nb = listed_ips(fb);
    if (nb == 0 || b->n_ip != nb || (int64_t)nb > fa->counts.ips - (int64_t)listed_ips(fa))
        return false;
    for (size_t i = 0; i < fb->entities.ips.n; i++)
        if (vg_strlist_has(&fa->entities.ips, fb->entities.ips.v[i]) ||
            vg_strlist_has(&fa->roles.attacker_ips, fb->entities.ips.v[i]))
            return false;
    for (size_t i = 0; i < fb->roles.attacker_ips.n; i++)
        if (vg_strlist_has(&fa->entities.ips, fb->roles.attacker_ips.v[i]) ||
            vg_strlist_has(&fa->roles.attacker_ips, fb->roles.attacker_ips.v[i]))
            return false;
    for (size_t i = 0; i < fb->entities.accounts.n; i++)
        if (!vg_strlist_has(&fa->entities.accounts, fb->entities.accounts.v[i]))
            return false;
    return true;
}

static int cmp_member_time(const void *x, const void *y, void *ud)
{
    const member *m = ud;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    const vg_finding *fa = m[a].f, *fb = m[b].f;
    if (fa->first_seen != fb->first_seen)
        return fa->first_seen < fb->first_seen ? -1 : 1;
    int d = strcmp(fa->id, fb->id);
    return d ? d : (a > b) - (a < b);
}

static pairscore *pair_get(pairscore **v, size_t *n, size_t *cap, vg_htable *idx, size_t a, size_t b)
{
    if (a > b) {
        size_t t = a;
        a = b;
        b = t;
    }
    size_t key[2] = {a, b};
    bool created = false;
    void **slot = vg_htable_put(idx, key, sizeof key, INT64_MAX, &created);
    if (!slot)
        return NULL;
    if (created) {
        *v = vg_xgrow(*v, cap, *n + 1, sizeof **v);
        memset(&(*v)[*n], 0, sizeof **v);
        (*v)[*n].a = a;
        (*v)[*n].b = b;
        *slot = (void *)(uintptr_t)(*n + 1);
        (*n)++;
    }
    return &(*v)[(uintptr_t)*slot - 1];
}

static const char *country_of(const vg_org_info *orgs, size_t n, const char *org)
{
    for (size_t i = 0; org && i < n; i++)
        if (orgs[i].id && strcmp(orgs[i].id, org) == 0)
            return orgs[i].country;
    return NULL;
}

static void campaign_id_from(const char *finding_id, int salt, char out[19])
{
    vg_sha256 h;
    vg_sha256_init(&h);
    vg_sha256_update(&h, "campaign", 9);
    vg_sha256_update(&h, finding_id, strlen(finding_id) + 1);
    if (salt) {
        char s[16];
        int n = snprintf(s, sizeof s, "%d", salt);
        vg_sha256_update(&h, s, (size_t)n);
    }
    uint8_t d[32];
    vg_sha256_final(&h, d);
    out[0] = 'c';
    out[1] = '-';
    vg_hex(d, 8, out + 2);
}

/* Records a linking key: in the campaign's infrastructure lists (addresses,
 * domains, URLs, hashes) and, described, in links (for the reasons). */
static void add_infra(vg_campaign *c, vg_strlist *links, const char *key)
{
    const char *v = strchr(key, ':');
    if (!v)
        return;
    v++;
    if (links->n < MAX_INFRA_LIST) {
        if (strncmp(key, "email:", 6) == 0)
            vg_strlist_addf(links, "sender %s", v);
        else if (strncmp(key, "msg:", 4) == 0)
            vg_strlist_addf(links, "message %.16s", v);
        else if (strncmp(key, "net:", 4) == 0)
            vg_strlist_addf(links, "network %s", v);
        else
            vg_strlist_add(links, v);
    }
    vg_strlist *l = NULL;
    if (strncmp(key, "ip:", 3) == 0)
        l = &c->ips;
    else if (strncmp(key, "dom:", 4) == 0)
        l = &c->domains;
    else if (strncmp(key, "url:", 4) == 0)
        l = &c->urls;
    else if (strncmp(key, "hash:", 5) == 0)
        l = &c->hashes;
    if (l && l->n < MAX_INFRA_LIST)
        vg_strlist_add(l, v);
}

static int cmp_campaign(const void *x, const void *y)
{
    const vg_campaign *a = *(vg_campaign *const *)x, *b = *(vg_campaign *const *)y;
    if (a->first_seen != b->first_seen)
        return a->first_seen < b->first_seen ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int cmp_prev(const void *x, const void *y)
{
    const vg_campaign *a = *(vg_campaign *const *)x, *b = *(vg_campaign *const *)y;
    if (a->first_seen != b->first_seen)
        return a->first_seen < b->first_seen ? -1 : 1;
    return strcmp(a->id, b->id);
}

static bool same_members(const vg_strlist *a, const vg_strlist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!vg_strlist_has(b, a->v[i]))
            return false;
    return true;
}

vg_err vg_campaigns_build(const vg_findings *findings, const vg_org_info *orgs, size_t n_orgs,
                          const vg_campaigns *previous, const vg_campaign_opts *opts,
                          vg_campaigns *out, vg_error *e)
{
    (void)e;
    int64_t gap = opts && opts->gap_ms > 0 ? opts->gap_ms : DEFAULT_GAP_MS;
    size_t n = 0;
    member *m = vg_xcalloc(findings->n + 1, sizeof *m);
    for (size_t i = 0; i < findings->n; i++) {
        const vg_finding *f = findings->v[i];
        if (f->suppressed || vg_attrib_benign_kind(f->kind))
            continue;
        m[n].f = f;
        vg_attrib_infra_keys(f, opts ? opts->iocs : NULL, &m[n].keys);
        for (size_t k = 0; k < m[n].keys.n; k++) {
            m[n].n_ip += strncmp(m[n].keys.v[k], "ip:", 3) == 0;
            m[n].n_net += strncmp(m[n].keys.v[k], "net:", 4) == 0;
        }
        if (f->attribution.actor && f->attribution.confidence >= VG_CONF_MODERATE)
            m[n].strong_actor = f->attribution.actor;
        if (f->attribution.actor && f->attribution.confidence >= VG_CONF_LOW)
            m[n].actor = f->attribution.actor;
        n++;
    }
    uf u = {vg_xcalloc(n + 1, sizeof(size_t)), vg_xcalloc(n + 1, sizeof(char *))};
    for (size_t i = 0; i < n; i++) {
        u.parent[i] = i;
        u.actor[i] = m[i].strong_actor;
    }

    /* 1. Same actor within the gap, chained in time order: across
     *    organizations at moderate or better confidence; within one
     *    organization at any confidence (a low-confidence profile fit joins
     *    the organization's campaign of that actor rather than standing
     *    alone). */
    size_t *order = vg_xcalloc(n + 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_member_time, m);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            size_t x = order[i];
            const char *ax = pass == 0 ? m[x].strong_actor : m[x].actor;
            if (!ax)
                continue;
            int64_t end = m[x].f->last_seen ? m[x].f->last_seen : m[x].f->first_seen;
            for (size_t j = i + 1; j < n; j++) {
                size_t y = order[j];
                if (m[y].f->first_seen > end + gap)
                    break;
                const char *ay = pass == 0 ? m[y].strong_actor : m[y].actor;
                if (!ay || strcmp(ax, ay) != 0)
                    continue;
                if (pass == 1 && strcmp(m[x].f->org, m[y].f->org) != 0)
                    continue;
                uf_union(&u, x, y);
                break; /* chain: the next link continues from y */
            }
        }

    /* 2. Shared infrastructure. */
    keyrec *recs = NULL;
    size_t nrec = 0, caprec = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m[i].keys.n; k++) {
            recs = vg_xgrow(recs, &caprec, nrec + 1, sizeof *recs);
            recs[nrec++] = (keyrec){m[i].keys.v[k], i};
        }
    if (nrec)
        qsort(recs, nrec, sizeof *recs, cmp_keyrec);
    pairscore *pairs = NULL;
    size_t npairs = 0, cappairs = 0;
    vg_htable *pidx = vg_htable_new(1u << 24, NULL, NULL);
    size_t *grp = vg_xcalloc(n + 1, sizeof *grp);
    for (size_t a = 0; a < nrec;) {
        size_t b = a;
        while (b < nrec && strcmp(recs[b].key, recs[a].key) == 0)
            b++;
        size_t g = 0;
        const char *actor = NULL;
        bool contested = false;
        for (size_t r = a; r < b; r++) {
            if (g && grp[g - 1] == recs[r].m)
                continue;
            grp[g++] = recs[r].m;
            const char *sa = m[recs[r].m].strong_actor;
            if (sa && actor && strcmp(sa, actor) != 0)
                contested = true; /* used by two different actors: shared infrastructure */
            if (sa && !actor)
                actor = sa;
        }
        const char *key = recs[a].key;
        a = b;
        if (g < 2 || contested)
            continue;
        qsort_r(grp, g, sizeof *grp, cmp_member_time, m);
        bool is_ip = strncmp(key, "ip:", 3) == 0, is_net = strncmp(key, "net:", 4) == 0;
        for (size_t x = 0; x < g; x++) {
            size_t lim = g <= MAX_GROUP_PAIRS ? g : x + 2;
            for (size_t y = x + 1; y < lim && y < g; y++) {
                if (!near(m[grp[x]].f, m[grp[y]].f, gap))
                    continue;
                pairscore *p = pair_get(&pairs, &npairs, &cappairs, pidx, grp[x], grp[y]);
                if (!p)
                    continue;
                if (is_ip)
                    p->ips++;
                else if (is_net)
                    p->nets++;
                else
                    p->exact++;
                if (p->n_sample < 4)
                    p->sample_key[p->n_sample++] = key;
            }
        }
    }
    free(grp);
    vg_htable_free(pidx);
    bool *linked = vg_xcalloc(npairs + 1, sizeof *linked);
    for (size_t i = 0; i < npairs; i++) {
        pairscore *p = &pairs[i];
        if (pair_linked(p, &m[p->a], &m[p->b]))
            linked[i] = uf_union(&u, p->a, p->b);
    }

    /* 2b. Part of a larger attack whose addresses are not all listed. */
    size_t (*within)[2] = NULL;
    size_t n_within = 0, cap_within = 0;
    for (size_t a = 0; a < n; a++) {
        if (!is_attack_shape(m[a].f) || m[a].f->counts.ips <= (int64_t)listed_ips(m[a].f))
            continue;
        for (size_t b = 0; b < n; b++)
            if (b != a && contained(&m[b], &m[a]) && uf_union(&u, a, b)) {
                within = vg_xgrow(within, &cap_within, n_within + 1, sizeof *within);
                within[n_within][0] = a;
                within[n_within][1] = b;
                n_within++;
            }
    }

    /* 3. Clusters -> campaigns. */
    size_t *root_to_c = vg_xcalloc(n + 1, sizeof *root_to_c);
    vg_campaigns fresh = {0};
    for (size_t oi = 0; oi < n; oi++) {
        size_t i = order[oi]; /* time order: the first member seen is the earliest */
        size_t r = uf_find(&u, i);
        vg_campaign *c;
        if (!root_to_c[r]) {
            c = vg_xcalloc(1, sizeof *c);
            campaign_id_from(m[i].f->id, 0, c->id);
            c->first_seen = m[i].f->first_seen;
            c->revision = 1;
            vg_campaigns_push(&fresh, c);
            root_to_c[r] = fresh.n;
        }
        c = fresh.v[root_to_c[r] - 1];
        const vg_finding *f = m[i].f;
        /* each finding joins once: append without the linear duplicate check */
        c->findings.v = vg_xgrow(c->findings.v, &c->findings.cap, c->findings.n + 1, sizeof(char *));
        c->findings.v[c->findings.n++] = vg_xstrdup(f->id);
        vg_strlist_add(&c->orgs, f->org);
        const char *cc = country_of(orgs, n_orgs, f->org);
        if (cc)
            vg_strlist_add(&c->countries, cc);
        vg_strlist_add(&c->kinds, f->kind);
        vg_strlist_add_all(&c->techniques, &f->attack);
        if (f->first_seen && (!c->first_seen || f->first_seen < c->first_seen))
            c->first_seen = f->first_seen;
        int64_t ls = f->last_seen ? f->last_seen : f->first_seen;
        if (ls > c->last_seen)
            c->last_seen = ls;
        if (strcmp(f->kind, "ioc.match") != 0) {
            int64_t att = f->counts.attempts ? f->counts.attempts : f->counts.messages;
            if (!att)
                att = 1;
            c->attempts += att;
            int64_t bl = f->counts.blocked;
            if (!bl && f->outcome == VG_OUT_BLOCKED)
                bl = att;
            if (bl > att)
                bl = att; /* a detector counting blocks its attempts do not hold */
            c->blocked += bl;
            int64_t su = f->counts.succeeded;
            if (!su && (f->outcome == VG_OUT_SUCCEEDED || f->outcome == VG_OUT_CREDENTIAL_VALID))
                su = 1;
            c->succeeded += su;
        }
        for (size_t k = 0; k < f->roles.compromised.n; k++)
            vg_strlist_addf(&c->compromised, "%s:%s", f->org, f->roles.compromised.v[k]);
        /* actor: the best-confidence claim */
        if (f->attribution.actor && f->attribution.confidence > c->confidence &&
            (f->attribution.confidence >= VG_CONF_MODERATE || !c->actor ||
             strcmp(c->actor, f->attribution.actor) == 0)) {
            free(c->actor);
            c->actor = vg_xstrdup(f->attribution.actor);
            c->confidence = f->attribution.confidence;
            vg_strlist_free(&c->aliases);
            vg_strlist_copy(&c->aliases, &f->attribution.aliases);
        }
    }
    /* low-confidence claims stand only when no member names another actor */
    for (size_t oi = 0; oi < n; oi++) {
        const vg_finding *f = m[oi].f;
        vg_campaign *c = fresh.v[root_to_c[uf_find(&u, oi)] - 1];
        if (!c->actor || c->confidence >= VG_CONF_MODERATE || !f->attribution.actor ||
            strcmp(f->attribution.actor, c->actor) == 0)
            continue;
        free(c->actor);
        c->actor = NULL;
        c->confidence = VG_CONF_NONE;
        vg_strlist_free(&c->aliases);
        vg_strlist_add(&c->reasons, "members are loosely consistent with different actors: "
                                    "left unattributed");
    }
    /* members that hold the campaign's actor only at low confidence */
    size_t *weak = vg_xcalloc(fresh.n + 1, sizeof *weak);
    for (size_t oi = 0; oi < n; oi++) {
        const vg_finding *f = m[oi].f;
        size_t ci = root_to_c[uf_find(&u, oi)] - 1;
        const vg_campaign *c = fresh.v[ci];
        if (c->actor && c->confidence >= VG_CONF_MODERATE &&
            f->attribution.confidence == VG_CONF_LOW && f->attribution.actor &&
            strcmp(f->attribution.actor, c->actor) == 0)
            weak[ci]++;
    }
    /* linking infrastructure and reasons */
    vg_strlist *links = vg_xcalloc(fresh.n + 1, sizeof *links);
    for (size_t i = 0; i < npairs; i++) {
        if (!linked[i])
            continue;
        size_t ci = root_to_c[uf_find(&u, pairs[i].a)] - 1;
        for (size_t k = 0; k < pairs[i].n_sample; k++)
            add_infra(fresh.v[ci], &links[ci], pairs[i].sample_key[k]);
    }
    for (size_t i = 0; i < n_within; i++) {
        size_t ci = root_to_c[uf_find(&u, within[i][0])] - 1;
        if (links[ci].n < MAX_INFRA_LIST)
            vg_strlist_addf(&links[ci], "addresses among the %lld of %s",
                            (long long)m[within[i][0]].f->counts.ips, m[within[i][0]].f->id);
    }
    free(within);
    for (size_t ci = 0; ci < fresh.n; ci++) {
        vg_campaign *c = fresh.v[ci];
        vg_strlist_sort(&c->findings);
        vg_strlist_sort(&c->orgs);
        vg_strlist_sort(&c->countries);
        vg_strlist_sort(&c->kinds);
        vg_strlist_sort(&c->techniques);
        vg_strlist_sort(&c->compromised);
        vg_strlist_sort(&c->ips);
        vg_strlist_sort(&c->domains);
        vg_strlist_sort(&c->urls);
        vg_strlist_sort(&c->hashes);
        vg_strlist_addf(&c->reasons, "%zu finding%s at %zu organization%s", c->findings.n,
                        c->findings.n == 1 ? "" : "s", c->orgs.n, c->orgs.n == 1 ? "" : "s");
        if (c->actor)
            vg_strlist_addf(&c->reasons, "attributed to %s (%s confidence)", c->actor,
                            vg_confidence_name(c->confidence));
        if (weak[ci])
            vg_strlist_addf(&c->reasons,
                            "%zu of the findings %s tied to %s only by a profile fit (low "
                            "confidence)",
                            weak[ci], weak[ci] == 1 ? "is" : "are", c->actor);
        vg_strlist_sort(&links[ci]);
        if (links[ci].n && c->findings.n > 1) {
            vg_buf b;
            vg_buf_init(&b, 4096);
            size_t shown = 0;
            for (; shown < links[ci].n && shown < 5; shown++)
                vg_buf_printf(&b, "%s%s", shown ? ", " : "", links[ci].v[shown]);
            vg_strlist_addf(&c->reasons, "linked by infrastructure no unrelated party shares: %s%s",
                            vg_buf_cstr(&b), links[ci].n > shown ? ", ..." : "");
            vg_buf_free(&b);
        }
        vg_strlist_free(&links[ci]);
    }
    free(links);
    free(weak);

    /* 4. Stable ids against the previous run. */
    if (previous && previous->n) {
        vg_htable *byid = vg_htable_new(n + 16, NULL, NULL); /* finding id -> member + 1 */
        for (size_t i = 0; i < n; i++) {
            void **slot = vg_htable_put(byid, m[i].f->id, strlen(m[i].f->id), INT64_MAX, NULL);
            if (slot)
                *slot = (void *)(uintptr_t)(i + 1);
        }
        vg_campaign **prev = vg_xcalloc(previous->n, sizeof *prev);
        memcpy(prev, previous->v, previous->n * sizeof *prev);
        qsort(prev, previous->n, sizeof *prev, cmp_prev);
        bool *assigned = vg_xcalloc(fresh.n + 1, sizeof *assigned);
        const vg_campaign **from = vg_xcalloc(fresh.n + 1, sizeof *from);
        for (size_t p = 0; p < previous->n; p++) {
            const vg_campaign *pc = prev[p];
            /* the new cluster holding pc's earliest surviving member */
            vg_campaign *target = NULL;
            size_t ti = 0;
            int64_t best_t = 0;
            const char *best_id = NULL;
            for (size_t k = 0; k < pc->findings.n; k++) {
                const char *fid = pc->findings.v[k];
                void **slot = vg_htable_get(byid, fid, strlen(fid));
                if (!slot)
                    continue; /* gone (suppressed, expired, benign now) */
                size_t mi = (size_t)(uintptr_t)*slot - 1;
                int64_t t = m[mi].f->first_seen;
                if (!target || t < best_t || (t == best_t && strcmp(fid, best_id) < 0)) {
                    ti = root_to_c[uf_find(&u, mi)] - 1;
                    target = fresh.v[ti];
                    best_t = t;
                    best_id = fid;
                }
            }
            if (!target)
                continue;
            if (!assigned[ti]) {
                memcpy(target->id, pc->id, sizeof target->id);
                assigned[ti] = true;
                from[ti] = pc;
            } else {
                vg_strlist_add(&target->merged, pc->id); /* merge: the oldest id stays */
            }
        }
        for (size_t ci = 0; ci < fresh.n; ci++) {
            vg_campaign *c = fresh.v[ci];
            if (assigned[ci]) {
                const vg_campaign *pc = from[ci];
                vg_strlist_add_all(&c->merged, &pc->merged);
                bool changed = !same_members(&c->findings, &pc->findings) || c->merged.n != pc->merged.n ||
                               (c->actor == NULL) != (pc->actor == NULL) ||
                               (c->actor && pc->actor && strcmp(c->actor, pc->actor) != 0);
                c->revision = pc->revision + (changed ? 1 : 0);
                if (c->revision < 1)
                    c->revision = 1;
                continue;
            }
            /* new (or split-off) cluster: fresh id, never one already in use */
            for (int salt = 0;; salt++) {
                bool clash = vg_campaigns_find(previous, c->id) != NULL;
                for (size_t x = 0; x < fresh.n && !clash; x++)
                    clash = x != ci && strcmp(fresh.v[x]->id, c->id) == 0;
                if (!clash)
                    break;
                campaign_id_from(c->findings.v[0], salt + 1, c->id);
            }
        }
        for (size_t ci = 0; ci < fresh.n; ci++)
            vg_strlist_sort(&fresh.v[ci]->merged);
        vg_htable_free(byid);
        free(prev);
        free(assigned);
        free(from);
    }

    qsort(fresh.v, fresh.n, sizeof *fresh.v, cmp_campaign);
    for (size_t ci = 0; ci < fresh.n; ci++)
        vg_campaigns_push(out, fresh.v[ci]);
    free(fresh.v);

    free(root_to_c);
    free(linked);
    free(pairs);
    free(recs);
    free(order);
    free(u.parent);
    free(u.actor);
    for (size_t i = 0; i < n; i++)
        vg_strlist_free(&m[i].keys);
    free(m);
    return VG_OK;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void write_list(vg_json *j, const char *key, const vg_strlist *l)
{
    vg_json_key(j, key);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

static void write_time(vg_json *j, const char *key, int64_t ms)
{
    char buf[VG_TIME_STRLEN];
    vg_time_format_rfc3339(ms, false, buf);
    vg_json_kv_str(j, key, ms ? buf : NULL);
}

void vg_campaign_write_json(const vg_campaign *c, vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "schema", 1);
    vg_json_kv_str(j, "id", c->id);
    vg_json_kv_int(j, "revision", c->revision);
    vg_json_kv_str(j, "actor", c->actor);
    vg_json_kv_str(j, "confidence", vg_confidence_name(c->confidence));
    write_list(j, "aliases", &c->aliases);
    write_list(j, "orgs", &c->orgs);
    write_list(j, "countries", &c->countries);
    write_list(j, "kinds", &c->kinds);
    write_list(j, "techniques", &c->techniques);
    write_time(j, "first_seen", c->first_seen);
    write_time(j, "last_seen", c->last_seen);
    vg_json_kv_int(j, "attempts", c->attempts);
    vg_json_kv_int(j, "blocked", c->blocked);
    vg_json_kv_int(j, "succeeded", c->succeeded);
    write_list(j, "compromised", &c->compromised);
    write_list(j, "findings", &c->findings);
    vg_json_key(j, "infrastructure");
    vg_json_obj_begin(j);
    write_list(j, "ips", &c->ips);
    write_list(j, "domains", &c->domains);
    write_list(j, "urls", &c->urls);
    write_list(j, "hashes", &c->hashes);
    vg_json_obj_end(j);
    write_list(j, "reasons", &c->reasons);
    write_list(j, "merged", &c->merged);
    vg_json_obj_end(j);
}

char *vg_campaign_to_json(const vg_campaign *c)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_campaign_write_json(c, &j);
    return vg_buf_steal(&b);
}

static void read_list(json_t *o, const char *key, vg_strlist *l)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, key), i, v)
        if (json_is_string(v))
            vg_strlist_add(l, json_string_value(v));
}

static int64_t read_time(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    int64_t t = 0;
    if (json_is_string(v))
        vg_time_parse_rfc3339(vg_str_from(json_string_value(v)), &t);
    return t;
}

vg_campaign *vg_campaign_from_json(const char *text, size_t n, vg_error *e)
{
    json_error_t je;
    json_t *o = json_loadb(text, n, 0, &je);
    if (!o) {
        vg_error_set(e, VG_EINVAL, "campaign: %d:%d: %s", je.line, je.column, je.text);
        return NULL;
    }
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!json_is_object(o) || !vg_id_wellformed(id, 'c')) {
        json_decref(o);
        vg_error_set(e, VG_EINVAL, "campaign: missing or malformed \"id\"");
        return NULL;
    }
    vg_campaign *c = vg_xcalloc(1, sizeof *c);
    memcpy(c->id, id, 19);
    json_t *v = json_object_get(o, "revision");
    c->revision = json_is_integer(v) ? (int)json_integer_value(v) : 1;
    const char *actor = json_string_value(json_object_get(o, "actor"));
    c->actor = actor ? vg_xstrdup(actor) : NULL;
    const char *conf = json_string_value(json_object_get(o, "confidence"));
    if (!conf || !vg_confidence_parse(conf, &c->confidence))
        c->confidence = VG_CONF_NONE;
    read_list(o, "aliases", &c->aliases);
    read_list(o, "orgs", &c->orgs);
    read_list(o, "countries", &c->countries);
    read_list(o, "kinds", &c->kinds);
    read_list(o, "techniques", &c->techniques);
    c->first_seen = read_time(o, "first_seen");
    c->last_seen = read_time(o, "last_seen");
    c->attempts = json_integer_value(json_object_get(o, "attempts"));
    c->blocked = json_integer_value(json_object_get(o, "blocked"));
    c->succeeded = json_integer_value(json_object_get(o, "succeeded"));
    read_list(o, "compromised", &c->compromised);
    read_list(o, "findings", &c->findings);
    json_t *inf = json_object_get(o, "infrastructure");
    read_list(inf, "ips", &c->ips);
    read_list(inf, "domains", &c->domains);
    read_list(inf, "urls", &c->urls);
    read_list(inf, "hashes", &c->hashes);
    read_list(o, "reasons", &c->reasons);
    read_list(o, "merged", &c->merged);
    json_decref(o);
    return c;
}
