/* ioc_match.c — `ioc.match` findings: telemetry (a sign-in's source
 * address, a sender domain, a link, an attachment hash) that hits an
 * indicator directly. One finding per organization, indicator value and day
 * of the first hit. Pure context lists (Tor exits with no actor) and expired
 * indicators with no actor are not hits.
 *
 * A match says only what happened at the indicator itself: its outcome,
 * accounts and counts come from the telemetry events observed at that
 * address, domain, URL or hash (a success from the address for account X
 * makes X compromised; failures make it attempted or blocked). A finding
 * that merely contains the value (a spray from a thousand addresses, one of
 * them listed) lends it only a reference and its techniques: folded into the
 * match the events made when there is one, or a match of its own with no
 * outcome when there is not, unless all of the finding's activity happened at
 * that value (a spray from a single address, a finding about one message). */
#include <stdlib.h>
#include <string.h>

#include "vigil/attrib.h"

#define MATCH_MAX_HITS 32
#define MATCH_DAY_MS (24LL * 3600 * 1000)
#define MATCH_MAX_AGG 100000
#define MATCH_MAX_EVIDENCE 20

typedef struct agg {
    vg_finding *f;
    const vg_indicator *best; /* the most telling indicator of the value */
    char *ikey;               /* "type:value" of the indicator */
    vg_strlist refs;          /* findings the value was seen in, by reference only */
    vg_strlist attack;        /* their techniques */
} agg;

struct vg_ioc_matcher {
    const vg_iocset *set;
    vg_htable *aggs;    /* from telemetry events: org \0 type:value \0 day -> agg* */
    vg_htable *derived; /* from findings, the same keys */
    size_t refused;
};

static void free_agg(void *v, void *ud)
{
    (void)ud;
    agg *a = v;
    if (a) {
        vg_finding_free(a->f);
        free(a->ikey);
        vg_strlist_free(&a->refs);
        vg_strlist_free(&a->attack);
        free(a);
    }
}

vg_ioc_matcher *vg_ioc_matcher_new(const vg_iocset *s)
{
    vg_ioc_matcher *m = vg_xcalloc(1, sizeof *m);
    m->set = s;
    m->aggs = vg_htable_new(MATCH_MAX_AGG, free_agg, NULL);
    m->derived = vg_htable_new(MATCH_MAX_AGG, free_agg, NULL);
    return m;
}

void vg_ioc_matcher_free(vg_ioc_matcher *m)
{
    if (!m)
        return;
    vg_htable_free(m->aggs);
    vg_htable_free(m->derived);
    free(m);
}

static int indicator_rank(const vg_indicator *d, int64_t t)
{
    int r = 0;
    if (d->actor)
        r += 4;
    if (d->shared == VG_SHARED_NONE)
        r += 2;
    if (vg_indicator_valid_at(d, t))
        r += 1;
    return r;
}

static void severity_of(vg_finding *f, const vg_indicator *d, int64_t t)
{
    bool valid = vg_indicator_valid_at(d, t);
    if (d->actor && d->shared == VG_SHARED_NONE && valid) {
        f->severity = VG_SEV_HIGH;
        f->score = 85;
    } else if (d->shared == VG_SHARED_NONE && valid) {
        f->severity = VG_SEV_MEDIUM;
        f->score = 60;
    } else {
        f->severity = VG_SEV_LOW;
        f->score = 35;
    }
    if (f->outcome >= VG_OUT_CREDENTIAL_VALID) {
        f->severity = f->severity == VG_SEV_HIGH ? VG_SEV_CRITICAL : VG_SEV_HIGH;
        f->score = f->score + 10 > 100 ? 100 : f->score + 10;
    }
}

static void add_entity(vg_finding *f, vg_ioc_type t, const char *value, bool attacker)
{
    switch (t) {
    case VG_IOC_IP:
    case VG_IOC_CIDR:
        vg_strlist_add(&f->entities.ips, value);
        if (attacker)
            vg_strlist_add(&f->roles.attacker_ips, value);
        break;
    case VG_IOC_DOMAIN: vg_strlist_add(&f->entities.domains, value); break;
    case VG_IOC_URL: vg_strlist_add(&f->entities.urls, value); break;
    case VG_IOC_EMAIL: {
        const char *at = strrchr(value, '@');
        vg_strlist_add(&f->entities.domains, at ? at + 1 : value);
        break;
    }
    default: vg_strlist_add(&f->entities.hashes, value); break;
    }
}

/* What a finding tells about one of its values. */
typedef struct derived_ctx {
    const vg_finding *f;
    bool at_value; /* all of the finding's activity happened at the value */
} derived_ctx;

static int64_t day_of(int64_t t)
{
    int64_t day = t / MATCH_DAY_MS;
    if (t < 0 && t % MATCH_DAY_MS)
        day--;
    return day;
}

static bool is_success(vg_outcome o)
{
    return o == VG_OUT_SUCCEEDED || o == VG_OUT_CREDENTIAL_VALID;
}

static size_t observe(vg_ioc_matcher *m, const vg_ioc_obs *o, const derived_ctx *dc)
{
    if (!m || !m->set || !o || !o->value || !o->org)
        return 0;
    vg_ioc_hit hits[MATCH_MAX_HITS];
    vg_ioc_type t = o->type != VG_IOC_NONE ? o->type : vg_ioc_guess_type(o->value);
    size_t n = 0;
    switch (t) {
    case VG_IOC_IP: {
        vg_ip ip;
        if (vg_ip_parse(vg_str_trim(vg_str_from(o->value)), &ip) == VG_OK)
            n = vg_iocset_match_ip(m->set, &ip, hits, MATCH_MAX_HITS);
        break;
    }
    case VG_IOC_DOMAIN: n = vg_iocset_match_domain(m->set, o->value, hits, MATCH_MAX_HITS); break;
    case VG_IOC_EMAIL: n = vg_iocset_match_email(m->set, o->value, hits, MATCH_MAX_HITS); break;
    case VG_IOC_NONE: return 0;
    default: n = vg_iocset_match(m->set, o->value, hits, MATCH_MAX_HITS); break;
    }
    if (n > MATCH_MAX_HITS)
        n = MATCH_MAX_HITS;
    const vg_finding *src = dc ? dc->f : NULL;
    int64_t t0 = src ? src->first_seen : o->time_ms;
    int64_t t1 = src && src->last_seen > t0 ? src->last_seen : t0;
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        const vg_indicator *d = hits[i].ind;
        bool valid = t1 >= d->valid_from && t0 < d->valid_until;
        if (!d->actor && !d->actor_ambiguous && (d->shared != VG_SHARED_NONE || !valid))
            continue; /* context list (Tor exits) or a stale, actor-less entry */
        counted++;
        /* aggregate per org, indicator value and day */
        int64_t day = day_of(t0);
        char ikey[8300];
        snprintf(ikey, sizeof ikey, "%s:%s", vg_ioc_type_name(d->type), d->value);
        vg_buf key;
        vg_buf_init(&key, 0);
        vg_buf_printf(&key, "%s%c%s%c%lld", o->org, 0, ikey, 0, (long long)day);
        bool created = false;
        void **slot = vg_htable_put(dc ? m->derived : m->aggs, key.p, key.n, INT64_MAX, &created);
        vg_buf_free(&key);
        if (!slot) {
            m->refused++;
            continue;
        }
        if (created) {
            agg *a = vg_xcalloc(1, sizeof *a);
            a->f = vg_finding_new("ioc.match", o->org);
            a->ikey = vg_xstrdup(ikey);
            vg_finding_set_id(a->f, ikey, day * MATCH_DAY_MS, MATCH_DAY_MS);
            *slot = a;
        }
        agg *a = *slot;
        vg_finding *f = a->f;
        vg_finding_seen(f, t0);
        vg_finding_seen(f, t1);
        if (!a->best || indicator_rank(d, t0) > indicator_rank(a->best, t0))
            a->best = d;
        add_entity(f, t == VG_IOC_CIDR ? VG_IOC_IP : t, o->value, true);
        char desc[1200];
        vg_indicator_describe(d, desc, sizeof desc);
        vg_strlist_addf(&f->reasons, "%s%s%s%s matches %s indicator %s%s from %s%s%s%s%s",
                        o->value, o->role ? " (" : "", o->role ? o->role : "", o->role ? ")" : "",
                        vg_ioc_type_name(d->type), d->value, hits[i].exact ? "" : " (contains it)",
                        desc, d->actor ? ", tied to " : (d->actor_ambiguous ? ", labelled " : ""),
                        d->actor ? d->actor : (d->actor_ambiguous ? d->actor_label : ""),
                        d->shared ? ", a shared address" : "",
                        vg_indicator_valid_at(d, t0) ? "" : ", not valid at that time");
        if (o->attack)
            vg_strlist_add_all(&a->attack, o->attack);
        if (!dc || dc->at_value) {
            /* telemetry at the value: an event, or a finding all of whose
             * activity was there */
            const vg_counts *c = src ? &src->counts : NULL;
            int64_t att = c ? (c->attempts ? c->attempts : c->messages) : 1;
            if (att < 1)
                att = 1;
            f->counts.attempts += att;
            int64_t bl = c ? c->blocked : 0, su = c ? c->succeeded : 0;
            if (!bl && o->outcome == VG_OUT_BLOCKED)
                bl = att;
            if (!su && is_success(o->outcome))
                su = 1;
            f->counts.blocked += bl;
            f->counts.succeeded += su;
            if (o->outcome > f->outcome)
                f->outcome = o->outcome;
            if (src) {
                vg_strlist_add_all(&f->entities.accounts, &src->roles.targeted);
                vg_strlist_add_all(&f->roles.targeted, &src->roles.targeted);
                vg_strlist_add_all(&f->entities.accounts, &src->roles.compromised);
                vg_strlist_add_all(&f->roles.compromised, &src->roles.compromised);
                for (size_t k = 0; k < src->n_evidence && f->n_evidence < MATCH_MAX_EVIDENCE; k++)
                    vg_finding_add_evidence(f, src->evidence[k].file, src->evidence[k].line);
            } else if (o->account) {
                vg_strlist_add(&f->entities.accounts, o->account);
                vg_strlist_add(&f->roles.targeted, o->account);
                if (is_success(o->outcome))
                    vg_strlist_add(&f->roles.compromised, o->account);
            }
            if (!src && o->file && f->n_evidence < MATCH_MAX_EVIDENCE)
                vg_finding_add_evidence(f, o->file, o->line);
            if (o->finding_id)
                vg_strlist_addf(&f->reasons, "seen in finding %s", o->finding_id);
        } else {
            /* the finding holds the value among others: a reference only */
            vg_strlist_add(&a->refs, src->id);
        }
        f->counts.accounts = (int64_t)f->entities.accounts.n;
        f->counts.ips = (int64_t)f->entities.ips.n;
        severity_of(f, a->best, f->first_seen);
    }
    return counted;
}

size_t vg_ioc_observe(vg_ioc_matcher *m, const vg_ioc_obs *obs)
{
    return observe(m, obs, NULL);
}

/* The finding's distinct source addresses (attacker roles and entities). */
static size_t source_ips(const vg_finding *f, vg_strlist *out)
{
    vg_strlist_add_all(out, &f->roles.attacker_ips);
    vg_strlist_add_all(out, &f->entities.ips);
    return out->n;
}

size_t vg_ioc_observe_finding(vg_ioc_matcher *m, const vg_finding *f)
{
    if (!m || !f || strcmp(f->kind, "ioc.match") == 0)
        return 0;
    size_t hits = 0;
    bool mail = strncmp(f->kind, "phish.", 6) == 0;
    /* A mail finding about one message: every value in it is in that message. */
    bool one_message = mail && f->entities.messages.n <= 1 && f->counts.messages <= 1;
    vg_ioc_obs o = {.org = f->org, .time_ms = f->first_seen, .outcome = f->outcome,
                    .finding_id = f->id, .attack = &f->attack};
    derived_ctx dc = {.f = f};
    vg_strlist ips = {0};
    size_t n_ips = source_ips(f, &ips);
    for (size_t i = 0; i < ips.n; i++) {
        o.type = VG_IOC_IP;
        o.value = ips.v[i];
        o.role = mail ? "mail source address" : "sign-in source address";
        dc.at_value = one_message || (n_ips == 1 && f->counts.ips <= 1);
        hits += observe(m, &o, &dc);
    }
    vg_strlist_free(&ips);
    dc.at_value = one_message;
    for (size_t i = 0; i < f->entities.domains.n; i++) {
        o.type = VG_IOC_DOMAIN;
        o.value = f->entities.domains.v[i];
        o.role = mail ? "domain in the message" : "domain";
        hits += observe(m, &o, &dc);
    }
    for (size_t i = 0; i < f->entities.urls.n; i++) {
        o.type = VG_IOC_URL;
        o.value = f->entities.urls.v[i];
        o.role = "link";
        hits += observe(m, &o, &dc);
    }
    for (size_t i = 0; i < f->entities.hashes.n; i++) {
        o.type = VG_IOC_NONE;
        o.value = f->entities.hashes.v[i];
        o.role = "attachment hash";
        hits += observe(m, &o, &dc);
    }
    if (mail)
        for (size_t i = 0; i < f->entities.accounts.n; i++)
            if (!vg_strlist_has(&f->roles.targeted, f->entities.accounts.v[i])) {
                o.type = VG_IOC_EMAIL;
                o.value = f->entities.accounts.v[i];
                o.role = "sender address";
                hits += observe(m, &o, &dc);
            }
    return hits;
}

/* ---- flush -------------------------------------------------------------------------- */

typedef struct aggvec {
    agg **v;
    size_t n, cap;
} aggvec;

static void free_aggvec(void *v, void *ud)
{
    (void)ud;
    aggvec *x = v;
    if (x) {
        free(x->v);
        free(x);
    }
}

static void org_ikey(const agg *a, vg_buf *key)
{
    vg_buf_reset(key);
    vg_buf_printf(key, "%s%c%s", a->f->org, 0, a->ikey);
}

/* References of a derived match, as reasons of the match they join. */
static void add_refs(agg *to, const agg *from)
{
    for (size_t i = 0; i < from->refs.n; i++)
        vg_strlist_addf(&to->f->reasons, "part of finding %s, which holds other addresses or "
                                         "values too (its outcome is not this value's)",
                        from->refs.v[i]);
    vg_strlist_add_all(&to->f->attack, &from->attack);
}

typedef struct keyed_agg {
    const char *key;
    size_t n;
    agg *a;
} keyed_agg;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed_agg *a = x, *b = y;
    int c = memcmp(a->key, b->key, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* The aggregates of t in the order of their keys, not the table's (which
 * depends on its random hash key): reasons and references are appended in
 * this order, and output must not change from run to run. */
static keyed_agg *sorted_aggs(vg_htable *t, size_t *n)
{
    *n = vg_htable_count(t);
    keyed_agg *v = vg_xcalloc(*n ? *n : 1, sizeof *v);
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *k;
    size_t kl, i = 0;
    void **slot;
    while (i < *n && vg_htable_next(t, &it, &k, &kl, &slot, NULL))
        v[i++] = (keyed_agg){k, kl, *slot};
    *n = i;
    qsort(v, i, sizeof *v, cmp_keyed);
    return v;
}

void vg_ioc_matcher_flush(vg_ioc_matcher *m, vg_findings *out)
{
    if (!m)
        return;
    vg_findings tmp = {0};
    size_t n_aggs, n_derived;
    keyed_agg *aggs = sorted_aggs(m->aggs, &n_aggs);
    keyed_agg *derived = sorted_aggs(m->derived, &n_derived);
    /* (org, indicator) -> the matches telemetry events made, any day */
    vg_htable *byind = vg_htable_new(MATCH_MAX_AGG, free_aggvec, NULL);
    vg_buf key;
    vg_buf_init(&key, 0);
    for (size_t ai = 0; ai < n_aggs; ai++) {
        agg *a = aggs[ai].a;
        vg_strlist_add_all(&a->f->attack, &a->attack);
        org_ikey(a, &key);
        bool created = false;
        void **slot = vg_htable_put(byind, key.p, key.n, INT64_MAX, &created);
        if (!slot)
            continue;
        if (created)
            *slot = vg_xcalloc(1, sizeof(aggvec));
        aggvec *x = *slot;
        x->v = vg_xgrow(x->v, &x->cap, x->n + 1, sizeof *x->v);
        x->v[x->n++] = a;
    }
    /* Matches derived from findings join the telemetry's matches of the same
     * indicator (those within the finding's time span, else all of them);
     * alone, they stand as matches of their own. */
    for (size_t di = 0; di < n_derived; di++) {
        agg *d = derived[di].a;
        org_ikey(d, &key);
        void **slot = vg_htable_get(byind, key.p, key.n);
        aggvec *x = slot ? *slot : NULL;
        if (x && x->n) {
            int64_t lo = day_of(d->f->first_seen), hi = day_of(d->f->last_seen);
            size_t joined = 0;
            for (int pass = 0; pass < 2 && !joined; pass++)
                for (size_t i = 0; i < x->n; i++) {
                    int64_t day = day_of(x->v[i]->f->first_seen);
                    if (pass == 0 && (day < lo || day > hi))
                        continue;
                    add_refs(x->v[i], d);
                    for (size_t r = 0; r < d->f->reasons.n; r++)
                        if (strncmp(d->f->reasons.v[r], "seen in finding ", 16) == 0)
                            vg_strlist_add(&x->v[i]->f->reasons, d->f->reasons.v[r]);
                    joined++;
                }
            continue;
        }
        vg_strlist_add_all(&d->f->attack, &d->attack);
        for (size_t i = 0; i < d->refs.n; i++)
            vg_strlist_addf(&d->f->reasons, "seen only as one value of finding %s: how much of its "
                                            "activity came from here is not known",
                            d->refs.v[i]);
        vg_finding_normalize(d->f);
        vg_findings_push(&tmp, d->f);
        d->f = NULL;
    }
    for (size_t ai = 0; ai < n_aggs; ai++) {
        agg *a = aggs[ai].a;
        vg_finding_normalize(a->f);
        vg_findings_push(&tmp, a->f);
        a->f = NULL;
    }
    free(aggs);
    free(derived);
    vg_buf_free(&key);
    vg_htable_free(byind);
    vg_htable_free(m->aggs);
    vg_htable_free(m->derived);
    m->aggs = vg_htable_new(MATCH_MAX_AGG, free_agg, NULL);
    m->derived = vg_htable_new(MATCH_MAX_AGG, free_agg, NULL);
    vg_findings_sort(&tmp);
    for (size_t i = 0; i < tmp.n; i++)
        vg_findings_push(out, tmp.v[i]);
    free(tmp.v);
}

void vg_ioc_match_findings(const vg_iocset *s, const vg_findings *in, vg_findings *out)
{
    vg_ioc_matcher *m = vg_ioc_matcher_new(s);
    for (size_t i = 0; i < in->n; i++)
        vg_ioc_observe_finding(m, in->v[i]);
    vg_ioc_matcher_flush(m, out);
    vg_ioc_matcher_free(m);
}
