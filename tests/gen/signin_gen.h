/* signin_gen.h — a deterministic generator of sign-in streams for detector
 * tests and benchmarks (header-only: tests and bench/ include it).
 *
 * A world is one organization of N people. Each has an office (a NAT shared
 * by everyone), a home network (/24), a browser (one of a few common agents),
 * and a phone that syncs mail over ActiveSync from a carrier pool (same AS,
 * changing addresses). Normal days: people sign in during working hours,
 * sometimes mistype then succeed, get MFA prompts and interrupts at their
 * usual places, travel now and then. Attacks and traps are added on top,
 * each a function with the parameters published for the real campaigns
 * (STRONTIUM 2020: ~1,100 rotating addresses, spray ~4/account/hour on ~20%
 * of accounts, brute force ~335/account/hour from ~200 addresses).
 *
 * Everything derives from the seed: the same seed gives the same stream.
 * Events point into the world's arena; sg_sort() orders them by time.
 */
#ifndef VIGIL_SIGNIN_GEN_H
#define VIGIL_SIGNIN_GEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/auth.h"
#include "vigil/core.h"

#define SG_HOUR 3600000LL
#define SG_DAY 86400000LL
#define SG_MIN 60000LL

typedef struct sg_user {
    char name[128];
    uint32_t home;      /* home /24 base (a.b.c.0) */
    uint8_t home_host;
    int browser;        /* index into sg_browsers */
    int phone;          /* index into sg_phones */
    uint32_t carrier_as;
    uint32_t carrier_base; /* carrier pool base (/16) */
} sg_user;

typedef struct sg_world {
    uint64_t rng;
    char org[64];
    char domain[64];
    char tenant[40];
    int n_users;
    sg_user *users;
    uint32_t office_ip;
    vg_arena *a;
    vg_auth_event *ev;
    size_t n, cap;
    const char *file;
} sg_world;

static const char *const sg_browsers[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.183 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.183 Safari/537.36 Edg/86.0.622.63",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/14.0 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:82.0) Gecko/20100101 Firefox/82.0"};
static const char *const sg_phones[] = {"Apple-iPhone12C1/1802.3", "Apple-iPhone11C8/1801.4",
                                        "Android-SAMSUNG-SM-G981B/101.10000",
                                        "Outlook-iOS/2.0"};
#define SG_N_BROWSERS 4
#define SG_N_PHONES 4

static inline uint64_t sg_next(sg_world *w)
{
    uint64_t x = w->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    w->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static inline double sg_unif(sg_world *w) { return (double)(sg_next(w) >> 11) / 9007199254740992.0; }
static inline int64_t sg_range(sg_world *w, int64_t lo, int64_t hi) /* [lo, hi) */
{
    return hi > lo ? lo + (int64_t)(sg_next(w) % (uint64_t)(hi - lo)) : lo;
}

static inline vg_ip sg_ip4(uint32_t v)
{
    char b[20];
    snprintf(b, sizeof b, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    vg_ip ip;
    vg_ip_parse(vg_str_from(b), &ip);
    return ip;
}

static inline void sg_init(sg_world *w, uint64_t seed, const char *org, int n_users)
{
    memset(w, 0, sizeof *w);
    w->rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
    if (!w->rng)
        w->rng = 1;
    snprintf(w->org, sizeof w->org, "%s", org);
    snprintf(w->domain, sizeof w->domain, "%s.example", org);
    snprintf(w->tenant, sizeof w->tenant, "%08llx-0000-4000-8000-000000000000",
             (unsigned long long)(seed & 0xffffffff));
    w->n_users = n_users;
    w->users = calloc((size_t)n_users, sizeof *w->users);
    w->a = vg_arena_new(1 << 20);
    w->file = "gen.jsonl";
    /* office NAT: 198.18.x.1; homes in 100.64-127 style residential /24s (we use 81.x) */
    w->office_ip = (198u << 24) | (18u << 16) | ((uint32_t)sg_range(w, 0, 255) << 8) | 1;
    for (int i = 0; i < n_users; i++) {
        sg_user *u = &w->users[i];
        snprintf(u->name, sizeof u->name, "user%04d@%s", i, w->domain);
        u->home = (81u << 24) | ((uint32_t)sg_range(w, 0, 256) << 16) |
                  ((uint32_t)sg_range(w, 0, 256) << 8);
        u->home_host = (uint8_t)sg_range(w, 2, 250);
        u->browser = (int)sg_range(w, 0, SG_N_BROWSERS);
        u->phone = (int)sg_range(w, 0, SG_N_PHONES);
        int carrier = (int)sg_range(w, 0, 3);
        u->carrier_as = 21928 + (uint32_t)carrier;          /* three mobile carriers */
        u->carrier_base = (172u << 24) | ((56u + (uint32_t)carrier) << 16);
    }
}

static inline void sg_free(sg_world *w)
{
    free(w->users);
    free(w->ev);
    vg_arena_free(w->a);
    memset(w, 0, sizeof *w);
}

/* Appends one event. Strings are copied into the arena. */
static inline vg_auth_event *sg_emit(sg_world *w, int64_t t, const char *account, vg_ip ip,
                                     vg_auth_result r, const char *code, const char *ua,
                                     vg_auth_proto proto, uint32_t asn, const char *country)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4096;
        w->ev = realloc(w->ev, w->cap * sizeof *w->ev);
    }
    vg_auth_event *e = &w->ev[w->n++];
    memset(e, 0, sizeof *e);
    e->time_ms = t;
    e->org = w->tenant;
    e->tenant_id = w->tenant;
    e->account = vg_arena_strdup(w->a, account);
    e->account_raw = e->account;
    const char *at = strchr(e->account, '@');
    e->account_domain = at ? at + 1 : "";
    e->ip = ip;
    e->result = r;
    e->code = code;
    e->reason = "";
    e->app = proto == VG_PROTO_ACTIVESYNC ? "Exchange ActiveSync" : "Office 365 Exchange Online";
    e->user_agent = ua ? ua : "";
    e->proto = proto;
    e->interactive = proto == VG_PROTO_BROWSER ? 1 : 0;
    e->correlation_id = "";
    e->host = "";
    e->source_host = "";
    e->asn = asn;
    if (country)
        snprintf(e->country, sizeof e->country, "%s", country);
    e->format = VG_AUTH_FMT_ENTRA;
    e->file = w->file;
    e->line = (int64_t)w->n;
    e->repeat = 1;
    return e;
}

static inline vg_ip sg_user_home(const sg_user *u) { return sg_ip4(u->home | u->home_host); }
static inline vg_ip sg_user_phone_ip(sg_world *w, const sg_user *u)
{
    return sg_ip4(u->carrier_base | (uint32_t)sg_range(w, 0, 65536));
}

/* Normal life: `days` days from `start` (midnight UTC). Per user and workday:
 * 2-4 browser sign-ins (office or home), phone syncs every ~2 hours; 3% of
 * sign-ins start with 1-2 typos; 10% of browser sign-ins get an MFA prompt
 * (credential_valid 50074) then succeed; interrupts (50140) at usual places;
 * 0.5% of days the user travels (hotel address, own browser). */
static inline void sg_normal(sg_world *w, int64_t start, int days)
{
    for (int d = 0; d < days; d++) {
        int64_t day0 = start + d * SG_DAY;
        bool weekend = (d % 7) >= 5;
        for (int i = 0; i < w->n_users; i++) {
            sg_user *u = &w->users[i];
            const char *bua = sg_browsers[u->browser];
            const char *pua = sg_phones[u->phone];
            bool travel = sg_unif(w) < 0.005;
            vg_ip hotel = sg_ip4((45u << 24) | ((uint32_t)sg_range(w, 0, 1 << 16) << 8) |
                                 (uint32_t)sg_range(w, 1, 255));
            int n = weekend ? (sg_unif(w) < 0.3 ? 1 : 0) : (int)sg_range(w, 2, 5);
            for (int k = 0; k < n; k++) {
                int64_t t = day0 + sg_range(w, 8 * SG_HOUR, 18 * SG_HOUR);
                bool office = !weekend && sg_unif(w) < 0.7;
                vg_ip ip = travel ? hotel : office ? sg_ip4(w->office_ip) : sg_user_home(u);
                const char *cc = travel ? "FR" : "US";
                if (sg_unif(w) < 0.03) {
                    int typos = (int)sg_range(w, 1, 3);
                    for (int j = 0; j < typos; j++)
                        sg_emit(w, t + j * 8000, u->name, ip, VG_AUTH_BAD_PASSWORD, "50126", bua,
                                VG_PROTO_BROWSER, 7922, cc);
                    t += typos * 8000 + 5000;
                }
                if (sg_unif(w) < 0.10) {
                    sg_emit(w, t, u->name, ip, VG_AUTH_CREDENTIAL_VALID, "50074", bua,
                            VG_PROTO_BROWSER, 7922, cc);
                    t += 20000;
                }
                if (sg_unif(w) < 0.05) {
                    sg_emit(w, t, u->name, ip, VG_AUTH_INTERRUPT, "50140", bua, VG_PROTO_BROWSER,
                            7922, cc);
                    t += 3000;
                }
                sg_emit(w, t, u->name, ip, VG_AUTH_SUCCESS, "0", bua, VG_PROTO_BROWSER, 7922, cc);
            }
            /* phone mail sync */
            for (int64_t t = day0 + sg_range(w, 0, 2 * SG_HOUR); t < day0 + SG_DAY;
                 t += sg_range(w, 90 * SG_MIN, 180 * SG_MIN))
                sg_emit(w, t, u->name, sg_user_phone_ip(w, u), VG_AUTH_SUCCESS, "0", pua,
                        VG_PROTO_ACTIVESYNC, u->carrier_as, "US");
        }
    }
}

/* A pool of attacker addresses: Tor-like, spread over many /24s. */
static inline void sg_pool(sg_world *w, vg_ip *pool, int n, uint32_t first_octet)
{
    for (int i = 0; i < n; i++)
        pool[i] = sg_ip4((first_octet << 24) | ((uint32_t)sg_range(w, 0, 1 << 16) << 8) |
                         (uint32_t)sg_range(w, 1, 255));
}

/* Slow spray: each of `targets` accounts once a day (random time) for `days`
 * days, each attempt from a random address of the pool; some names do not
 * exist (`nouser` share). */
static inline void sg_slow_spray(sg_world *w, int64_t start, int days, const int *targets,
                                 int n_targets, const vg_ip *pool, int pool_n, const char *ua,
                                 vg_auth_proto proto, double nouser)
{
    for (int d = 0; d < days; d++)
        for (int i = 0; i < n_targets; i++) {
            int64_t t = start + d * SG_DAY + sg_range(w, 0, SG_DAY);
            vg_ip ip = pool[sg_range(w, 0, pool_n)];
            if (sg_unif(w) < nouser) {
                char fake[80];
                snprintf(fake, sizeof fake, "x%04d.%s@%s", (int)sg_range(w, 0, 9999),
                         "old", w->domain);
                sg_emit(w, t, fake, ip, VG_AUTH_NO_SUCH_USER, "50034", ua, proto, 0, "NL");
            } else {
                sg_emit(w, t, w->users[targets[i]].name, ip, VG_AUTH_BAD_PASSWORD, "50126", ua,
                        proto, 0, "NL");
            }
        }
}

/* STRONTIUM spray mode: `per_hour` attempts per account per hour for
 * `hours` hours, each from the next address of a large pool (a new address
 * about every second across all targets). */
static inline void sg_strontium_spray(sg_world *w, int64_t start, int hours, const int *targets,
                                      int n_targets, const vg_ip *pool, int pool_n, int per_hour,
                                      const char *ua, vg_auth_proto proto)
{
    int next = 0;
    for (int h = 0; h < hours; h++)
        for (int i = 0; i < n_targets; i++)
            for (int k = 0; k < per_hour; k++) {
                int64_t t = start + h * SG_HOUR + sg_range(w, 0, SG_HOUR);
                vg_ip ip = pool[next++ % pool_n];
                sg_emit(w, t, w->users[targets[i]].name, ip, VG_AUTH_BAD_PASSWORD, "50126", ua,
                        proto, 0, "DE");
            }
}

/* Brute force (STRONTIUM brute mode: ~335/hour/account from ~200 addresses). */
static inline void sg_bruteforce(sg_world *w, int64_t start, int minutes, int user,
                                 int per_hour, const vg_ip *pool, int pool_n, const char *ua,
                                 vg_auth_proto proto)
{
    int64_t n = (int64_t)per_hour * minutes / 60;
    for (int64_t k = 0; k < n; k++) {
        int64_t t = start + sg_range(w, 0, (int64_t)minutes * SG_MIN);
        sg_emit(w, t, w->users[user].name, pool[sg_range(w, 0, pool_n)], VG_AUTH_BAD_PASSWORD,
                "50126", ua, proto, 0, "RU");
    }
}

static inline int sg_cmp(const void *a, const void *b)
{
    const vg_auth_event *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static inline void sg_sort(sg_world *w) { qsort(w->ev, w->n, sizeof *w->ev, sg_cmp); }

/* 2020-11-02 00:00:00 UTC, a Monday */
#define SG_T0 1604275200000LL

#endif
