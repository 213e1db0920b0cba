/* cred_internal.h — state shared by the credential detectors (cred_*.c).
 *
 * The engine (cred_engine.c) owns everything:
 *
 *   sources   per input: latest event time; the engine clock is the minimum
 *             over active sources of (latest - lateness)
 *   orgs      per organization: accounts, source addresses, (account,
 *             address) pairs, client-signature clusters, attack context
 *   pending   failures from addresses unfamiliar to the account wait here
 *             for grace_minutes: a success from the same address soon after
 *             a few failures resolves them (a mistyped password)
 *   findings  wrappers around vg_finding with membership sets and counters
 *
 * Every table is a vg_htable with an admission limit, and entries carry an
 * expiry in event time; cred__tick() expires them as the clock advances.
 *
 * Flow of one event (cred_engine.c):
 *   success / credential_valid -> compromise check (cred_compromise.c),
 *                                 then baseline learning (cred_baseline.c)
 *   failure from a familiar place -> stale-credential tracking (cred_bruteforce.c)
 *   failure from an unfamiliar place -> pending -> (after grace, unresolved)
 *        per-account counters  -> cred.bruteforce        (cred_bruteforce.c)
 *        per-address window    -> cred.spray (one IP)    (cred_spray.c)
 *        signature cluster     -> cred.spray / cred.stuffing, org level (cred_spray.c)
 */
#ifndef VIGIL_CRED_INTERNAL_H
#define VIGIL_CRED_INTERNAL_H

#include "vigil/auth.h"
#include "vigil/core.h"
#include "vigil/detect_cred.h"
#include "vigil/finding.h"
#include "vigil/yaml.h"

/* ---- thresholds (cred_thresholds.c) ---------------------------------------------- */

enum {
    CT_LATENESS_MIN = 0,
    CT_GRACE_MIN,
    CT_TYPO_MAX,
    CT_BF_BURST,
    CT_BF_10M,
    CT_BF_1H,
    CT_BF_24H,
    CT_SLOW_MIN,
    CT_SLOW_SPAN_H,
    CT_CADENCE_CV,
    CT_SPRAY_IP_ACCOUNTS,
    CT_SPRAY_IP_MAX_PER_ACCT,
    CT_SPRAY_ACCOUNTS,
    CT_SPRAY_FRACTION,
    CT_SPRAY_COMMON_WEIGHT,
    CT_STUFF_NOUSER,
    CT_STUFF_PER_ACCT,
    CT_STUFF_MIN_IPS,
    CT_STALE_MIN,
    CT_STALE_SPAN_H,
    CT_RESET_FRACTION,
    CT_RESET_MIN,
    CT_RESET_GRACE_H,
    CT_COMPROMISE_AFTER_H,
    CT_FINDING_IDLE_H,
    CT_NAT_RATIO,
    CT_LINK_SCORE,
    CT_BASELINE_TTL_D,
    CT_EMIT_MIN,
    CT_COUNT
};

/* ---- limits (memory bounds; not tunable by config) ----------------------------------- */

#define CRED_MAX_ORGS 100000
#define CRED_MAX_ACCTS 2000000   /* per organization */
#define CRED_MAX_IPS 2000000     /* per organization */
#define CRED_MAX_PAIRS 4000000   /* per organization */
#define CRED_MAX_CLUSTERS 20000  /* per organization */
#define CRED_MAX_GIPS 4000000    /* cross-organization address table */
#define CRED_MAX_PENDING 4000000
#define CRED_MAX_FINDINGS 200000
#define CRED_MAX_FIND_ACCTS 1000000 /* accounts listed in one finding */
#define CRED_MAX_FIND_IPS 200000    /* addresses remembered by one finding */
#define CRED_IP_WINDOW_MAX 4096     /* failing accounts tracked per address per hour */

#define CRED_FIND_MAX_SPAN (30 * 86400000LL) /* a finding older than this closes; activity
                                                 after it opens the next one (bounded memory
                                                 on endless background noise) */
#define CLU_TTL (7 * 86400000LL)
#define IP_TTL_SEEN (86400000LL)       /* an address that only failed is forgotten after a day */
#define IP_TTL_KEPT (7 * 86400000LL)   /* one that succeeded or attacked is kept a week */
#define PAIR_TTL (86400000LL)          /* an (account, source) pair idle for a day is dropped */             /* cluster members unseen this long are dropped */
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define TICK_MS (5 * MIN_MS)

/* ---- keys ------------------------------------------------------------------------------- */

/* A source: an IPv4 address, an IPv6 /64, or (no address) a host name hash. */
#define IPKEY_LEN 17
typedef struct ipkey {
    uint8_t b[IPKEY_LEN]; /* b[0]: 0 none, 4, 6, 0x80 host */
} ipkey;

/* ---- findings ---------------------------------------------------------------------------- */

typedef enum {
    FK_BRUTE = 0,
    FK_SPRAY_IP,
    FK_SPRAY_CLUSTER,
    FK_STUFFING,
    FK_COMPROMISE,
    FK_STALE,
    FK_SLOW_BRUTE
} find_kind;

typedef struct cred_org cred_org;
typedef struct cred_acct cred_acct;

typedef struct cred_find {
    vg_finding *f;
    find_kind kind;
    cred_org *org;
    char *pkey;
    vg_htable *acc_set; /* account name -> (NULL): membership for entities.accounts */
    vg_htable *ip_set;  /* ipkey -> (NULL) */
    int64_t first, last, last_emit;
    bool dirty, urgent, closed;
    /* attack signature: the client of the first attempt */
    uint64_t ua;
    uint8_t proto;
    char *ua_text;
    int64_t attempts, badpw, nouser, locked;
    int64_t n_ips;
    struct cred_cluster *cluster; /* FK_SPRAY_CLUSTER / FK_STUFFING */
    struct cred_ip *ip;           /* FK_SPRAY_IP */
    cred_acct *acct;              /* FK_BRUTE, FK_STALE, FK_SLOW_BRUTE, FK_COMPROMISE */
    char *src_text;               /* FK_STALE / FK_SLOW_BRUTE: the source */
    double cadence_s, cadence_cv;
    /* compromise */
    struct cred_find *parent;
    char *via; /* why the success is tied to the attack */
    int64_t last_rec_t, last_rec_line;
    /* cross-organization links, accumulated as addresses are shared */
    struct {
        struct cred_find *other;
        double score;
        int64_t shared;
    } lk[8];
    uint8_t n_lk;
    vg_strlist links;
    double link_score;
} cred_find;

/* ---- accounts ------------------------------------------------------------------------------ */

typedef struct cred_recent {
    cred_acct *acct;   /* dereference only when t is recent (accounts outlive a week) */
    int64_t t;
    ipkey ip;
    uint64_t ua;
    uint8_t proto;
    uint8_t result;    /* success or credential_valid */
    uint32_t after;    /* failures from the same source just before */
    const char *file;  /* interned */
    int64_t line;
    bool reported;
} cred_recent;

typedef struct cred_atk {
    int64_t b5_base;   /* index of b5[0]'s 5-minute bucket */
    uint32_t b5[12];   /* last hour, 5-minute buckets */
    int64_t h_base;
    uint32_t h[24];    /* last day, hourly buckets */
    int64_t burst[8];  /* last 8 unresolved failure times */
    uint8_t burst_i, burst_n;
    ipkey ips[16];     /* distinct sources (first 16) */
    uint32_t n_ips, n_ips_more;
    const char *ev_file[8]; /* the latest attempts, for evidence */
    int64_t ev_line[8];
    uint8_t ev_i, ev_n;
    uint32_t nouser, badpw, locked;
    uint64_t ua;
    uint8_t proto;
    const char *ua_text;
    int64_t total;
    int64_t first; /* first failure of the current episode (no 24-hour gap since) */
    int64_t last;
    cred_find *bf;
} cred_atk;

#define ACCT_NETS VG_CRED_BASELINE_NETS
#define ACCT_UAS VG_CRED_BASELINE_UAS
#define ACCT_RECENT 4
#define ACCT_TGT 4

typedef struct cred_base {
    uint8_t n_nets, n_uas, n_asns;
    struct {
        ipkey net;
        int64_t last;
        uint32_t n;
    } nets[ACCT_NETS];
    struct {
        uint64_t h;
        int64_t last;
    } uas[ACCT_UAS];
    uint32_t asns[4];
} cred_base;

struct cred_acct {
    cred_org *org;
    char *name;
    uint32_t flags;
    int64_t last_seen;
    /* baseline (the networks, agents and ASNs in *b, allocated on the first success:
     * most names an attacker tries never have one) */
    int64_t first_succ, last_succ;
    uint32_t successes, protos;
    uint8_t n_rec, n_tgt;
    struct cred_base *b;
    /* attack state */
    cred_atk *atk;
    cred_recent *rec; /* ACCT_RECENT unfamiliar successes, allocated when needed */
    cred_find *tgt[ACCT_TGT]; /* attack findings that target this account */
    int64_t fam_fail_last;    /* last failure from a familiar place */
    cred_find *compromise;
};

/* ---- sources (addresses) ---------------------------------------------------------------- */

typedef struct ip_fa {
    cred_acct *a;
    int64_t first, last;
    uint32_t n, nouser, locked;
} ip_fa;

typedef struct cred_ip {
    ipkey key;
    int64_t last_seen;
    uint32_t succ, fail;
    uint64_t *sacc;    /* accounts that succeeded here (hashes, first 32; allocated on a success) */
    uint32_t n_sacc, n_sacc_more;
    int64_t sacc_last;
    ip_fa *fa;         /* accounts failing here within the last hour */
    uint32_t n_fa, cap_fa;
    cred_find *spray;
    cred_find *atk;    /* last attack finding this address took part in */
    int64_t atk_last;
    cred_recent *rec; /* unfamiliar successes from here (ACCT_RECENT; allocated when needed) */
    uint8_t n_rec;
} cred_ip;

/* ---- (account, source) pairs -------------------------------------------------------------- */

typedef struct cred_pair {
    int64_t first_fail, last_fail;
    uint32_t fails;          /* since the last success */
    uint32_t fails_at_succ;  /* failures just before the last success */
    int64_t last_succ;
    int64_t *times;          /* recent failure times (cadence; 16, allocated on a series) */
    uint8_t ti, tn;
    uint32_t series;         /* failures in the current series (no success since) */
    int64_t series_first;
    bool familiar;
    bool stuck; /* counted as the onset of a stuck device */
    cred_find *slow, *stale;
} cred_pair;

/* ---- signature clusters (org-level spray) ------------------------------------------------- */

typedef struct clu_acct {
    struct cred_cluster *c;
    char *name; /* owned: a cluster may outlive an account's state */
    int64_t first, last;
    uint32_t n;
    uint32_t days;   /* distinct days seen (saturating) */
    int64_t last_day;
} clu_acct;

typedef struct clu_fifo {
    int64_t t;
    clu_acct *ca;
} clu_fifo;

typedef struct cred_cluster {
    cred_org *org;
    uint8_t key[9]; /* proto + ua hash (ua 0 = any: the coarse cluster) */
    uint8_t proto;
    uint64_t ua;
    char *ua_text;
    vg_htable *accts; /* acct pointer -> clu_acct */
    vg_htable *ips;   /* ipkey -> (int64 count as pointer) */
    vg_htable *nets;  /* /24 or /48 -> addresses in it (count as pointer) */
    size_t big_net_n;
    ipkey big_net;
    clu_fifo *fifo;
    size_t f_head, f_n, f_cap;
    uint32_t n_acc_24h, n_repeat;
    int64_t attempts, nouser, locked, badpw;
    uint32_t hours[168];
    int64_t hour_base;
    int64_t first, last;
    cred_find *f;
    bool dirty;
    cred_find *ip_sprays[2]; /* single-address sprays with this signature (see cred_spray.c) */
    int64_t people_until;    /* its addresses look like people's (see cluster_people) */
    struct {
        const char *file;
        int64_t line;
    } ev[16]; /* first attempts, for evidence */
    uint8_t n_ev;
} cred_cluster;

/* ---- organizations ------------------------------------------------------------------------- */

struct cred_org {
    char *id;
    vg_htable *accts;
    vg_htable *ips;
    vg_htable *pairs;
    vg_htable *clusters;
    vg_htable *uas;      /* ua hash -> successes (uintptr) */
    vg_htable *atk_nets; /* /24 or /48 -> last attack time (int64 as pointer) */
    int64_t n_succ_accts;
    int64_t n_success;
    int64_t proto_succ[VG_PROTO_COUNT];
    /* reset wave: distinct accounts starting to fail from familiar places, per hour */
    uint32_t onset[24];
    int64_t onset_base;
    int64_t reset_from, reset_until;
    int64_t n_success_ua; /* successes that carried a user agent */
    cred_find *proto_spray[VG_PROTO_COUNT]; /* the org-level spray finding per protocol */
    int64_t last_seen;
    cred_cluster **dirty_clu;
    size_t n_dirty_clu, cap_dirty_clu;
};

/* ---- cross-organization address table --------------------------------------------------- */

typedef struct cred_gip {
    uint64_t orgs[8]; /* hashes of organizations that saw the address (first 8) */
    uint8_t n_orgs;
    uint32_t n_orgs_more;
    cred_find *finds[4]; /* spray findings (any org) using it */
    uint8_t n_finds;
    int64_t last;
} cred_gip;

/* ---- pending unfamiliar failures ---------------------------------------------------------------- */

typedef struct cred_uf {
    int64_t t;
    cred_acct *a;
    ipkey ip;
    vg_ip addr;
    uint64_t ua;
    const char *ua_text; /* interned in the engine (first use per hash) */
    uint8_t proto;
    uint8_t result;
    uint32_t repeat;
    const char *file;
    int64_t line;
} cred_uf;

/* ---- sources (inputs) ----------------------------------------------------------------------- */

/* Each source keeps its own queue of failures waiting for their grace period
 * and its own tick: a source read after another (files one after the other)
 * is judged on its own timeline, not on a clock another file moved ahead. */
typedef struct cred_src {
    char *name;
    int64_t max;
    bool done, seen, ticking;
    int64_t next_tick;
    cred_uf *pend;
    size_t p_head, p_n, p_cap;
} cred_src;

/* ---- the engine ------------------------------------------------------------------------------ */

struct vg_cred_engine {
    vg_cred_threshold_info th[CT_COUNT];
    int64_t lateness_ms, grace_ms;
    cred_src *srcs;
    size_t n_srcs, cap_srcs;
    int64_t clock, next_tick, next_expire;
    bool clock_set;
    vg_htable *orgs;
    cred_org **org_list;
    size_t n_orgs, cap_orgs;
    vg_htable *gips;
    vg_htable *strings; /* interned strings (UA texts, file names) */
    vg_htable *fmap;
    cred_find **finds;
    size_t n_finds, cap_finds;
    vg_cred_finding_fn cb;
    void *cb_ud;
    vg_cred_stats stats;
    uint8_t hkey[16];
};

/* ---- shared functions ------------------------------------------------------------------------ */

vg_err cred__thresholds_load(vg_cred_engine *g, const vg_yaml_node *root, vg_error *e);
double cred__scaled(const vg_cred_engine *g, int which, int64_t n);
#define TH(g, i) ((g)->th[(i)].value)

/* keys and hashing */
void cred__ipkey(const vg_ip *ip, const char *source_host, ipkey *out);
bool cred__ipkey_none(const ipkey *k);
void cred__ipkey_net(const ipkey *k, ipkey *out); /* /24 or /48 */
void cred__ipkey_str(const ipkey *k, char *buf, size_t n);
uint64_t cred__hash(const void *p, size_t n); /* stable (unkeyed) 64-bit hash */
const char *cred__intern(vg_cred_engine *g, const char *s);

/* baseline (cred_baseline.c) */
bool cred__familiar(const cred_acct *a, const ipkey *k, uint32_t asn, uint64_t ua, uint8_t proto);
void cred__learn(cred_acct *a, const ipkey *k, uint32_t asn, uint64_t ua, uint8_t proto,
                 int64_t t);
void cred__baseline_export(const cred_acct *a, vg_cred_baseline *b);
void cred__baseline_merge(cred_acct *a, const vg_cred_baseline *b);

/* findings (cred_engine.c) */
cred_find *cred__find_new(vg_cred_engine *g, cred_org *o, find_kind k, const char *pkey,
                          int64_t t, int64_t bucket_ms);
void cred__find_account(cred_find *f, const char *acct);
bool cred__find_ip(cred_find *f, const ipkey *k);
void cred__find_seen(cred_find *f, int64_t t);
void cred__find_evidence(cred_find *f, const char *file, int64_t line);
void cred__find_dirty(cred_find *f, bool urgent);
bool cred__find_active(const vg_cred_engine *g, const cred_find *f, int64_t t);
void cred__acct_target(cred_acct *a, cred_find *f);
void cred__mark_attack_ip(vg_cred_engine *g, cred_org *o, const ipkey *k, cred_find *f, int64_t t);

/* detectors */
void cred__brute_uf(vg_cred_engine *g, cred_org *o, const cred_uf *u, cred_pair *p);
void cred__familiar_failure(vg_cred_engine *g, cred_org *o, cred_acct *a, cred_pair *p,
                            const vg_auth_event *ev, const ipkey *k);
void cred__spray_ip_uf(vg_cred_engine *g, cred_org *o, const cred_uf *u, cred_ip *ip);
void cred__cluster_uf(vg_cred_engine *g, cred_org *o, const cred_uf *u);
void cred__clusters_eval(vg_cred_engine *g, cred_org *o, int64_t now);
void cred__cluster_free(void *v, void *ud);
void cred__clusters_expire(cred_org *o, int64_t now);
void cred__link_sprays(vg_cred_engine *g, cred_find *f);
void cred__link_add(cred_find *f, cred_find *other, double w);
void cred__reasons(vg_cred_engine *g, cred_find *f);
void cred__brute_reasons(vg_cred_engine *g, cred_find *f);
void cred__compromise_reasons(vg_cred_engine *g, cred_find *f);
void cred__compromise_success(vg_cred_engine *g, cred_org *o, cred_acct *a, cred_ip *ip,
                              const vg_auth_event *ev, const ipkey *k, uint64_t ua,
                              uint32_t after, bool familiar);
void cred__compromise_retro(vg_cred_engine *g, cred_find *f, cred_acct *a, cred_ip *ip);

cred_org *cred__org_get(vg_cred_engine *g, const char *id, int64_t t);
cred_acct *cred__acct_get(vg_cred_engine *g, cred_org *o, const char *name, uint32_t flags,
                          int64_t t);
cred_ip *cred__ip_get(vg_cred_engine *g, cred_org *o, const ipkey *k, int64_t t, bool create);
/* An address where more accounts succeed than fail (an office NAT, a VPN):
 * its failures are people, and it is never an attacker's address. */
bool cred__shared_egress(const vg_cred_engine *g, const cred_ip *ip, int64_t t);
void cred__ip_keep(cred_org *o, const cred_ip *ip, int64_t t);
cred_pair *cred__pair_get(cred_org *o, const cred_acct *a, const ipkey *k, int64_t t, bool create);

#endif
