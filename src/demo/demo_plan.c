/* demo_plan.c — the scenario's plan: which accounts each actor goes after and
 * when, which account falls, and where the benign traps are. Drawn before any
 * event or message is made so sign-ins and mail agree (a ZINC lure recipient
 * is the account that later signs in from ZINC's server).
 *
 * STRONTIUM follows what its tracker published for 2020: a pool of ~1,100
 * mostly-Tor addresses; spray on ~20% of an organization's accounts at about
 * four attempts per account per hour or slower, for days; brute force at
 * ~335 attempts per account per hour from ~200 addresses. */
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define DAY 86400000LL
#define HOUR 3600000LL
#define MIN 60000LL

static bool is_person(const dm_user *u)
{
    return !(u->flags & DM_U_SERVICE);
}

static int32_t pick_person(dm_world *w, dm_rng *r, int org, const int32_t *avoid, size_t n_avoid)
{
    dm_org *o = &w->org[org];
    for (int tries = 0; tries < 10000; tries++) {
        int32_t u = (int32_t)(o->first_user + dm_below(r, (uint32_t)o->n_users));
        if (!is_person(&w->users[u]))
            continue;
        bool bad = false;
        for (size_t i = 0; i < n_avoid; i++)
            if (avoid[i] == u)
                bad = true;
        if (!bad)
            return u;
    }
    return (int32_t)o->first_user;
}

static void plan_strontium(dm_world *w, dm_rng *r)
{
    static const char *const guess_local[] = {"administrator", "info",    "hr",       "contact",
                                              "research",      "test",    "training", "reception",
                                              "jobs",          "careers", "support",  "finance"};
    static const char *const guess_first[] = {"john", "anna", "mark", "laura", "peter",
                                              "sara", "alex", "nina", "paul",  "eva"};
    static const char *const guess_last[] = {"smith", "mueller",  "jones",  "brown", "martin",
                                             "novak", "kowalski", "wagner", "costa", "weber"};
    int orgs[DM_N_ORGS], n = 0;
    for (int i = 0; i < DM_N_ORGS; i++)
        if (w->org[i].actors & DM_ACT_STRONTIUM)
            orgs[n++] = i;
    int days = w->days;
    for (int k = 0; k < n; k++) {
        int oi = orgs[k];
        dm_org *o = &w->org[oi];
        size_t persons = 0;
        for (size_t u = o->first_user; u < o->first_user + o->n_users; u++)
            persons += is_person(&w->users[u]);
        size_t want = (size_t)((double)persons * (0.15 + 0.10 * dm_unit(r)) + 0.5);
        if (want < 6)
            want = 6;
        w->spray[oi] = vg_xcalloc(want, sizeof(int32_t));
        while (w->n_spray[oi] < want) {
            int32_t u = pick_person(w, r, oi, w->spray[oi], w->n_spray[oi]);
            w->spray[oi][w->n_spray[oi]++] = u;
        }
        /* the admin account is a favourite spray target */
        int32_t admin = (int32_t)(o->first_user + o->n_users - 1);
        if (dm_chance(r, 0.7)) {
            w->spray[oi] = vg_xrealloc(w->spray[oi], (w->n_spray[oi] + 1) * sizeof(int32_t));
            w->spray[oi][w->n_spray[oi]++] = admin;
        }
        size_t ng = (size_t)dm_range(r, 3, 8);
        w->guess[oi] = vg_xcalloc(ng, sizeof(char *));
        for (size_t g = 0; g < ng; g++) {
            char *upn;
            if (dm_chance(r, 0.4))
                upn = dm_printf("%s@%s", DM_PICK(r, guess_local), o->domain);
            else
                upn = dm_printf("%s.%s@%s", DM_PICK(r, guess_first), DM_PICK(r, guess_last),
                                o->domain);
            bool dup = false;
            for (size_t q = 0; q < w->n_guess[oi]; q++)
                if (strcmp(w->guess[oi][q], upn) == 0)
                    dup = true;
            for (size_t u = o->first_user; u < o->first_user + o->n_users; u++)
                if (strcmp(w->users[u].upn, upn) == 0)
                    dup = true;
            if (dup) {
                free(upn);
                continue;
            }
            w->guess[oi][w->n_guess[oi]++] = upn;
        }
        w->spray_legacy[oi] = dm_chance(r, 0.6);
        int sd = dm_range(r, 1, days / 4 > 1 ? days / 4 : 1);
        int len = dm_range(r, days / 3 > 2 ? days / 3 : 2, days * 2 / 3 > 2 ? days * 2 / 3 : 2);
        if (sd + len > days)
            len = days - sd;
        w->spray_t0[oi] = w->t0 + sd * DAY + dm_range(r, 0, 23) * HOUR + dm_range(r, 0, 59) * MIN;
        w->spray_t1[oi] = w->t0 + (sd + len) * DAY - dm_range(r, 1, 6) * HOUR;
        if (w->spray_t1[oi] > w->t1 - HOUR)
            w->spray_t1[oi] = w->t1 - HOUR;
        if (dm_chance(r, 0.4)) {
            /* the tracker's figure: ~4 attempts per account per hour, some hours a day */
            w->spray_every_min[oi] = dm_range(r, 14, 18);
            int h0 = dm_range(r, 4, 10);
            w->spray_hours[oi][0] = h0;
            w->spray_hours[oi][1] = h0 + dm_range(r, 3, 6);
        } else {
            /* slower: a round every one to two and a half hours, round the clock */
            w->spray_every_min[oi] = dm_range(r, 60, 150);
            w->spray_hours[oi][0] = 0;
            w->spray_hours[oi][1] = 24;
        }
    }
    /* one account falls to the spray (legacy protocol, no MFA), another's
     * password is proven right but MFA stops the sign-in */
    int c = orgs[dm_below(r, (uint32_t)n)];
    int d;
    do
        d = orgs[dm_below(r, (uint32_t)n)];
    while (d == c);
    w->spray_legacy[c] = true;
    w->spray_legacy[d] = false;
    w->st_comp = w->spray[c][dm_below(r, (uint32_t)(w->n_spray[c] > 1 ? w->n_spray[c] - 1 : 1))];
    w->st_cv = w->spray[d][dm_below(r, (uint32_t)(w->n_spray[d] > 1 ? w->n_spray[d] - 1 : 1))];
    int64_t span = w->spray_t1[c] - w->spray_t0[c];
    w->st_comp_t = w->spray_t0[c] + (int64_t)((double)span * (0.55 + 0.3 * dm_unit(r)));
    span = w->spray_t1[d] - w->spray_t0[d];
    w->st_cv_t = w->spray_t0[d] + (int64_t)((double)span * (0.4 + 0.4 * dm_unit(r)));

    /* brute force against two or three accounts (executives, the admin) */
    w->n_bf_user = (size_t)dm_range(r, 2, 3);
    for (size_t i = 0; i < w->n_bf_user; i++) {
        int oi = orgs[dm_below(r, (uint32_t)n)];
        dm_org *o = &w->org[oi];
        int32_t u = -1;
        for (int tries = 0; tries < 50 && u < 0; tries++) {
            int32_t cand;
            if (i == 0)
                cand = (int32_t)(o->first_user + o->n_users - 1); /* admin */
            else
                cand = pick_person(w, r, oi, NULL, 0);
            if (dm_chance(r, 0.6) && i > 0) /* prefer a VIP */
                for (size_t q = o->first_user; q < o->first_user + o->n_users; q++)
                    if ((w->users[q].flags & DM_U_VIP) && dm_chance(r, 0.5))
                        cand = (int32_t)q;
            bool dup = cand == w->st_comp || cand == w->st_cv;
            for (size_t q = 0; q < i; q++)
                if (w->bf_user[q] == cand)
                    dup = true;
            if (!dup)
                u = cand;
        }
        if (u < 0) {
            w->n_bf_user = i;
            break;
        }
        w->bf_user[i] = u;
        int64_t lo = w->spray_t0[oi], hi = w->spray_t1[oi] - 4 * HOUR;
        if (hi <= lo)
            hi = lo + HOUR;
        w->bf_t0[i] = lo + (int64_t)((double)(hi - lo) * dm_unit(r));
        w->bf_t1[i] = w->bf_t0[i] + dm_range(r, 60, 150) * MIN;
    }
}

static void plan_traps(dm_world *w, dm_rng *r)
{
    w->nat_org = (int)dm_below(r, DM_N_ORGS);
    w->org[w->nat_org].list_egress = false; /* judged by behaviour, not allow-listed */
    w->stale_org = (int)dm_below(r, DM_N_ORGS);
    w->reset_org = (int)dm_below(r, DM_N_ORGS);
    w->stale_t = w->t0 + dm_range(r, w->days / 4 > 1 ? w->days / 4 : 1, w->days / 2) * DAY +
                 dm_range(r, 6, 18) * HOUR;
    /* the reset happens on a workday morning, local 07:00 */
    for (int tries = 0; tries < 20; tries++) {
        int d = dm_range(r, w->days / 3 > 1 ? w->days / 3 : 1, w->days - 2 > 1 ? w->days - 2 : 1);
        int64_t t = dm_local_midnight(w, w->reset_org, d) + 7 * HOUR;
        int wd;
        dm_local_hour(w, w->reset_org, t, &wd);
        w->reset_t = t;
        if (wd >= 1 && wd <= 5)
            break;
    }
    /* the traveller: a person on a STRONTIUM spray list, abroad for a few
     * days while the spray runs */
    int cand[DM_N_ORGS], n = 0;
    for (int i = 0; i < DM_N_ORGS; i++)
        if (w->n_spray[i] > 2)
            cand[n++] = i;
    int oi = cand[dm_below(r, (uint32_t)n)];
    int32_t t = -1;
    for (int tries = 0; tries < 100 && t < 0; tries++) {
        int32_t u = w->spray[oi][dm_below(r, (uint32_t)w->n_spray[oi])];
        if (u != w->st_comp && u != w->st_cv && is_person(&w->users[u]))
            t = u;
        for (size_t q = 0; q < w->n_bf_user; q++)
            if (w->bf_user[q] == u)
                t = -1;
    }
    if (t < 0)
        t = w->spray[oi][0];
    w->traveler = t;
    w->hotel_ip = dm_ip_new(w, r, DM_IP_HOTEL, NULL);
    w->hotel_tz = dm_ip_geo_hotel(w, w->hotel_ip, r, w->org[oi].country);
    int64_t mid = w->spray_t0[oi] + (w->spray_t1[oi] - w->spray_t0[oi]) / 3;
    w->travel_t0 = mid - mid % DAY + 6 * HOUR;
    w->travel_t1 = w->travel_t0 + dm_range(r, 2, 4) * DAY;
    if (w->travel_t1 > w->t1)
        w->travel_t1 = w->t1;
}

static void plan_mail_actors(dm_world *w, dm_rng *r)
{
    /* ZINC: two to four recruits per targeted organization */
    w->n_zinc = 0;
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        if (!(w->org[oi].actors & DM_ACT_ZINC))
            continue;
        int k = dm_range(r, 2, 4);
        int64_t base = w->t0 + dm_range(r, 1, w->days - 3 > 1 ? w->days - 3 : 1) * DAY;
        for (int i = 0; i < k && w->n_zinc < DM_COUNT(w->zinc_rcpt); i++) {
            int32_t u = pick_person(w, r, oi, w->zinc_rcpt, w->n_zinc);
            if (u == w->st_comp || u == w->st_cv || u == w->traveler)
                continue;
            w->zinc_rcpt[w->n_zinc] = u;
            w->zinc_t[w->n_zinc] = base + dm_range(r, 1, 22) * HOUR + dm_range(r, 0, 59) * MIN +
                                   dm_range(r, 0, 59) * 1000;
            w->n_zinc++;
        }
    }
    w->zinc_victim = (int32_t)dm_below(r, (uint32_t)w->n_zinc);
    /* the follow-up with the document comes a day or two after the first
     * contact (demo_mail.c); the sign-in one to two days after that */
    w->zinc_signin_t = w->zinc_t[w->zinc_victim] + dm_range(r, 50, 70) * HOUR;
    if (w->zinc_signin_t > w->t1 - 2 * HOUR)
        w->zinc_signin_t = w->t1 - 2 * HOUR;

    w->n_cerium = 0;
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        if (!(w->org[oi].actors & DM_ACT_CERIUM))
            continue;
        int k = dm_range(r, 3, 6);
        int64_t base = w->t0 + dm_range(r, 1, w->days - 1) * DAY;
        for (int i = 0; i < k && w->n_cerium < DM_COUNT(w->cerium_rcpt); i++) {
            int32_t u = pick_person(w, r, oi, w->cerium_rcpt, w->n_cerium);
            w->cerium_rcpt[w->n_cerium] = u;
            int64_t t = base + dm_range(r, 0, 30) * HOUR + dm_range(r, 0, 3599) * 1000;
            if (t > w->t1 - HOUR)
                t = w->t1 - HOUR - dm_range(r, 0, 600) * 1000;
            w->cerium_t[w->n_cerium++] = t;
        }
    }
}

void dm_plan(dm_world *w)
{
    dm_rng r;
    dm_rng_fork(&w->root, "plan-strontium", &r);
    plan_strontium(w, &r);
    dm_rng_fork(&w->root, "plan-traps", &r);
    plan_traps(w, &r);
    dm_rng_fork(&w->root, "plan-mail", &r);
    plan_mail_actors(w, &r);
}
