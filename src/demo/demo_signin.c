/* demo_signin.c — Entra ID sign-ins for the demo: a working population's
 * ordinary days (with typos, MFA prompts, KMSI interrupts, token refreshes,
 * phones, a 9 a.m. office rush, a stale printer account, a traveller, phones
 * on an old password after an organization-wide reset) and the attacks
 * (STRONTIUM spray and brute force, ZINC's sign-in with a stolen password),
 * written per organization in one of three real export shapes:
 *   diagnostic    Azure Monitor diagnostic records (time/category/properties{})
 *   graph         Graph API signIn objects (beta fields), newest first
 *   loganalytics  SigninLogs / AADNonInteractiveUserSignInLogs rows; the
 *                 non-interactive table keeps its dynamic columns as strings,
 *                 as Log Analytics really does. */
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define DAY 86400000LL
#define HOUR 3600000LL
#define MIN 60000LL
#define SEC 1000LL

enum {
    APP_EXO = 0,
    APP_OFFICEHOME,
    APP_TEAMS,
    APP_OFFICE,
    APP_OUTLOOK_MOBILE,
    APP_SPO,
    APP_PORTAL
};

static const struct app {
    const char *name, *id, *res, *res_id;
} apps[] = {
    {"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000",
     "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"},
    {"OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome",
     "4765445b-32c6-49b0-83e6-1d93765276ca"},
    {"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services",
     "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"},
    {"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Office 365 Exchange Online",
     "00000002-0000-0ff1-ce00-000000000000"},
    {"Outlook Mobile", "27922004-5251-4030-b22d-91ecd9a37ea4", "Office 365 Exchange Online",
     "00000002-0000-0ff1-ce00-000000000000"},
    {"Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000",
     "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"},
    {"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Windows Azure Service Management API",
     "797f4846-ba00-4fd7-ba43-dac1f8f63013"},
};

static const char *const client_name[] = {"Browser",
                                          "Mobile Apps and Desktop clients",
                                          "Exchange ActiveSync",
                                          "Other clients",
                                          "Authenticated SMTP",
                                          "IMAP4",
                                          "Exchange Web Services"};

/* UA indexes fixed by demo_world.c add_uas() */
enum { UA_OUTLOOK = 6, UA_TEAMS = 7, UA_PHONE0 = 8, UA_OUTLOOK_IOS = 13 };
static uint8_t ua_ropc, ua_oldchrome, ua_zinc;

static const char *code_text(int32_t code)
{
    switch (code) {
    case 0: return NULL;
    case 50126: return "Error validating credentials due to invalid username or password.";
    case 50034:
        return "The user account does not exist in the directory. To sign into this "
               "application, the account must be added to the directory.";
    case 50053:
        return "Account is locked because user tried to sign in too many times with an "
               "incorrect user ID or password.";
    case 50074: return "Strong Authentication is required.";
    case 50076:
        return "Due to a configuration change made by your administrator, or because you moved "
               "to a new location, you must use multi-factor authentication to access the "
               "resource.";
    case 50140:
        return "This error occurred due to 'Keep me signed in' interrupt when the user was "
               "signing-in.";
    case 50125:
        return "Sign-in was interrupted due to a password reset or password registration entry.";
    default: return "Other.";
    }
}

static const char *code_details(int32_t code)
{
    switch (code) {
    case 50074:
    case 50076: return "MFA required in Azure AD";
    case 50053:
        return "The account is locked, you've tried to sign in too many times with an incorrect "
               "user ID or password.";
    default: return NULL;
    }
}

static void ua_device(const dm_world *w, uint8_t ua, const char **os, const char **browser)
{
    const char *s = w->uas[ua];
    *browser = "";
    if (strstr(s, "iPhone") || strstr(s, "Outlook-iOS"))
        *os = "Ios";
    else if (strstr(s, "Android") || strstr(s, "SAMSUNG"))
        *os = "Android";
    else if (strstr(s, "Macintosh"))
        *os = "MacOs";
    else if (strstr(s, "Windows"))
        *os = "Windows 10";
    else
        *os = "";
    if (strstr(s, "Edg/"))
        *browser = "Edge 86.0.622";
    else if (strstr(s, "Firefox/"))
        *browser = "Firefox 82.0";
    else if (strstr(s, "Teams/"))
        *browser = "Teams";
    else if (strstr(s, "Chrome/79"))
        *browser = "Chrome 79.0.3945";
    else if (strstr(s, "Chrome/85"))
        *browser = "Chrome 85.0.4183";
    else if (strstr(s, "Chrome/"))
        *browser = "Chrome 86.0.4240";
    else if (strstr(s, "Safari/"))
        *browser = "Safari 14.0";
    else if (strstr(s, "Microsoft Office"))
        *browser = "";
}

/* ---- event helpers ------------------------------------------------------------------- */

static dm_ev *ev_add(dm_world *w, int64_t t, int org, int32_t user, uint32_t ip, int32_t code,
                     uint8_t app, uint8_t client, uint8_t ua, bool interactive, uint32_t corr)
{
    if (t < w->t0 || t >= w->t1)
        return NULL;
    w->ev = vg_xgrow(w->ev, &w->cap_ev, w->n_ev + 1, sizeof *w->ev);
    dm_ev *e = &w->ev[w->n_ev];
    memset(e, 0, sizeof *e);
    e->t = t;
    e->seq = (uint32_t)w->n_ev;
    e->corr = corr ? corr : ++w->corr_next;
    e->user = user;
    e->ip = ip;
    e->code = code;
    e->org = (uint16_t)org;
    e->app = app;
    e->client = client;
    e->ua = ua;
    e->interactive = interactive;
    w->n_ev++;
    return e;
}

static uint32_t new_corr(dm_world *w)
{
    return ++w->corr_next;
}

static void fact_ip(dm_fact *f, const dm_world *w, uint32_t ip)
{
    dm_list_addc(&f->ips, w->ips[ip].addr);
}
static void fact_acct(dm_fact *f, const dm_world *w, int32_t u)
{
    dm_list_addc(&f->accounts, w->users[u].upn);
}

/* An interactive sign-in by a person: mostly clean, sometimes a typo, an
 * MFA prompt or a KMSI interrupt first (same correlation id). */
static void person_signin(dm_world *w, dm_rng *r, int32_t u, int64_t t, uint32_t ip, bool browser,
                          double typo_p)
{
    dm_user *us = &w->users[u];
    uint8_t app = browser ? (dm_chance(r, 0.8) ? APP_OFFICEHOME : APP_SPO) : APP_OFFICE;
    uint8_t client = browser ? DM_C_BROWSER : DM_C_MOBILE_DESKTOP;
    uint8_t ua = browser ? us->device : UA_OUTLOOK;
    uint32_t corr = new_corr(w);
    double x = dm_unit(r);
    if (x < typo_p) {
        ev_add(w, t, us->org, u, ip, 50126, app, client, ua, true, corr);
        t += dm_range(r, 12, 120) * SEC;
        if (dm_chance(r, 0.15)) { /* two typos */
            ev_add(w, t, us->org, u, ip, 50126, app, client, ua, true, corr);
            t += dm_range(r, 10, 60) * SEC;
        }
    } else if (x < typo_p + 0.16) {
        ev_add(w, t, us->org, u, ip, 50074, app, client, ua, true, corr);
        t += dm_range(r, 8, 50) * SEC;
        dm_ev *e = ev_add(w, t, us->org, u, ip, 0, app, client, ua, true, corr);
        if (e)
            e->mfa = true;
        return;
    } else if (x < typo_p + 0.22) {
        ev_add(w, t, us->org, u, ip, 50140, app, client, ua, true, corr);
        t += dm_range(r, 2, 9) * SEC;
    }
    ev_add(w, t, us->org, u, ip, 0, app, client, ua, true, corr);
}

static void refreshes(dm_world *w, dm_rng *r, int32_t u, int64_t from, int64_t to, uint32_t ip,
                      int n)
{
    dm_user *us = &w->users[u];
    for (int i = 0; i < n; i++) {
        int64_t t = from + (int64_t)(dm_unit(r) * (double)(to - from));
        uint8_t app = dm_chance(r, 0.6) ? APP_TEAMS : APP_OFFICE;
        ev_add(w, t, us->org, u, ip, 0, app, DM_C_MOBILE_DESKTOP,
               app == APP_TEAMS ? UA_TEAMS : UA_OUTLOOK, false, 0);
    }
}

/* ---- the benign population -------------------------------------------------------------- */

static void gen_person_day(dm_world *w, dm_rng *r, int32_t u, int d, const int64_t *phone_fixed,
                           bool *reset_done)
{
    dm_user *us = &w->users[u];
    int oi = us->org;
    dm_org *o = &w->org[oi];
    int64_t mid = dm_local_midnight(w, oi, d);
    int wd;
    dm_local_hour(w, oi, mid + 12 * HOUR, &wd);
    bool workday = wd >= 1 && wd <= 5;
    bool travelling = u == w->traveler && mid + 12 * HOUR >= w->travel_t0 && mid < w->travel_t1;
    if (!workday && !travelling && !dm_chance(r, 0.25))
        goto phone;
    if (workday && !travelling && dm_chance(r, 0.05))
        goto phone; /* a day off */
    {
        bool office = (us->flags & DM_U_ONSITE) ? dm_chance(r, 0.85) : dm_chance(r, 0.25);
        if (!workday)
            office = false;
        uint32_t ip = office ? o->egress : us->home_ip;
        double arrive = us->arrive_h + dm_normal(r, 0, 0.25);
        double typo = 0.035;
        if (oi == w->nat_org && office) {
            /* everyone badges in for the 9 a.m. shift change */
            arrive = 8.75 + 0.5 * dm_unit(r);
            typo = 0.05;
        }
        if (!workday)
            arrive = 10 + 8 * dm_unit(r);
        int64_t t = mid + (int64_t)(arrive * HOUR);
        if (travelling) {
            /* the hotel's local morning */
            ip = w->hotel_ip;
            int64_t day_utc = (mid + 12 * HOUR) / DAY * DAY;
            t = day_utc + (int64_t)((7 + 4 * dm_unit(r)) * HOUR) - (int64_t)w->hotel_tz * MIN;
        }
        if (us->org == w->reset_org && t >= w->reset_t && !reset_done[u]) {
            /* first sign-in after the organization-wide reset: the temporary
             * password, then the password change */
            uint32_t corr = new_corr(w);
            ev_add(w, t, oi, u, ip, 50125, APP_OFFICEHOME, DM_C_BROWSER, us->device, true, corr);
            ev_add(w, t + dm_range(r, 40, 180) * SEC, oi, u, ip, 0, APP_OFFICEHOME, DM_C_BROWSER,
                   us->device, true, corr);
            reset_done[u] = true;
        } else {
            person_signin(w, r, u, t, ip, dm_chance(r, 0.6), travelling ? 0.2 : typo);
        }
        int64_t end = t + (int64_t)((workday ? 8.5 : 1.5) * HOUR);
        refreshes(w, r, u, t + 10 * MIN, end, ip, workday ? dm_range(r, 0, 2) : 1);
        if (dm_chance(r, 0.25))
            person_signin(w, r, u, t + (int64_t)(dm_range(r, 2, 7) * HOUR), ip, true, 0.02);
        if (travelling && (us->flags & DM_U_PHONE_EAS))
            ev_add(w, t + 30 * MIN, oi, u, w->hotel_ip, 0, APP_EXO, DM_C_EAS,
                   (uint8_t)(UA_PHONE0 + us->phone), true, 0);
    }
phone:
    if (travelling)
        return;
    if (us->flags & DM_U_PHONE_EAS) {
        int n = workday ? dm_range(r, 1, 3) : dm_range(r, 0, 1);
        for (int i = 0; i < n; i++) {
            int64_t t = mid + (int64_t)((7 + 15 * dm_unit(r)) * HOUR);
            uint32_t ip = us->carrier_ip[dm_below(r, 3)];
            int32_t code = 0;
            if (us->org == w->reset_org && t >= w->reset_t && t < phone_fixed[u])
                continue; /* retries are generated separately */
            ev_add(w, t, oi, u, ip, code, APP_EXO, DM_C_EAS, (uint8_t)(UA_PHONE0 + us->phone), true,
                   0);
        }
    } else if (dm_chance(r, 0.4)) {
        int64_t t = mid + (int64_t)((7 + 15 * dm_unit(r)) * HOUR);
        ev_add(w, t, oi, u, us->carrier_ip[dm_below(r, 3)], 0, APP_OUTLOOK_MOBILE,
               DM_C_MOBILE_DESKTOP, UA_OUTLOOK_IOS, false, 0);
    }
}

static void gen_benign(dm_world *w)
{
    dm_rng r;
    dm_rng_fork(&w->root, "signins-benign", &r);
    int64_t *phone_fixed = vg_xcalloc(w->n_users, sizeof *phone_fixed);
    bool *reset_done = vg_xcalloc(w->n_users, sizeof *reset_done);
    dm_fact *eas = dm_fact_new(w, "activesync_after_reset", w->reset_org,
                               "organization-wide password reset; phones keep retrying the old "
                               "password over Exchange ActiveSync from their usual carrier "
                               "addresses until their owners update them");
    /* phones after the reset: each owner updates it after a while */
    for (size_t u = 0; u < w->n_users; u++) {
        dm_user *us = &w->users[u];
        if (us->org != w->reset_org || !(us->flags & DM_U_PHONE_EAS)) {
            phone_fixed[u] = INT64_MIN;
            continue;
        }
        double hours = dm_expo(&r, 20.0) + 0.5;
        phone_fixed[u] = w->reset_t + (int64_t)(hours * HOUR);
        int64_t t = w->reset_t + dm_range(&r, 1, 30) * MIN;
        int every = dm_range(&r, 15, 30);
        uint32_t corr = 0;
        size_t n = 0;
        while (t < phone_fixed[u] && t < w->t1) {
            uint32_t ip = us->carrier_ip[dm_below(&r, 3)];
            ev_add(w, t, us->org, (int32_t)u, ip, 50126, APP_EXO, DM_C_EAS,
                   (uint8_t)(UA_PHONE0 + us->phone), true, corr);
            fact_ip(eas, w, ip);
            n++;
            /* the device backs off a little when it keeps failing */
            t += (int64_t)(every + (int)(n / 8)) * MIN + dm_range(&r, -90, 90) * SEC;
        }
        if (n)
            fact_acct(eas, w, (int32_t)u);
        if (phone_fixed[u] < w->t1)
            ev_add(w, phone_fixed[u], us->org, (int32_t)u, us->carrier_ip[0], 0, APP_EXO, DM_C_EAS,
                   (uint8_t)(UA_PHONE0 + us->phone), true, 0);
    }
    for (size_t u = 0; u < w->n_users; u++) {
        if (w->users[u].flags & DM_U_SERVICE)
            continue;
        for (int d = 0; d < w->days; d++)
            gen_person_day(w, &r, (int32_t)u, d, phone_fixed, reset_done);
    }
    /* service accounts: the multifunction printer's SMTP AUTH, the admin */
    dm_fact *stale = dm_fact_new(w, "stale_service_account", w->stale_org,
                                 "a multifunction printer keeps sending with its old password "
                                 "after a rotation, every 15 minutes from the office address it "
                                 "always used");
    dm_list_addc(&stale->allowed, "cred.stale_credentials");
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        dm_org *o = &w->org[oi];
        int32_t printer = -1, admin = (int32_t)(o->first_user + o->n_users - 1);
        for (size_t u = o->first_user; u < o->first_user + o->n_users; u++)
            if (strcmp(w->users[u].title, "Multifunction printer") == 0)
                printer = (int32_t)u;
        for (int d = 0; d < w->days; d++) {
            int64_t mid = dm_local_midnight(w, oi, d);
            int wd;
            dm_local_hour(w, oi, mid + 12 * HOUR, &wd);
            if (wd < 1 || wd > 5)
                continue;
            int n = dm_range(&r, 4, 12);
            for (int i = 0; i < n; i++) {
                int64_t t = mid + (int64_t)((8 + 9 * dm_unit(&r)) * HOUR);
                if (oi == w->stale_org && t >= w->stale_t)
                    continue;
                ev_add(w, t, oi, printer, o->egress, 0, APP_EXO, DM_C_SMTP, ua_ropc, true, 0);
            }
            if (dm_chance(&r, 0.5)) {
                int64_t t = mid + (int64_t)((9 + 7 * dm_unit(&r)) * HOUR);
                uint32_t corr = new_corr(w);
                ev_add(w, t, oi, admin, o->egress, 50074, APP_PORTAL, DM_C_BROWSER, 0, true, corr);
                dm_ev *e = ev_add(w, t + dm_range(&r, 10, 40) * SEC, oi, admin, o->egress, 0,
                                  APP_PORTAL, DM_C_BROWSER, 0, true, corr);
                if (e)
                    e->mfa = true;
            }
        }
        if (oi == w->stale_org) {
            /* the stuck job: a retry every 15 minutes, day and night */
            for (int64_t t = w->stale_t + 5 * MIN; t < w->t1;
                 t += 15 * MIN + dm_range(&r, -3, 3) * SEC)
                ev_add(w, t, oi, printer, o->egress, 50126, APP_EXO, DM_C_SMTP, ua_ropc, true, 0);
            fact_acct(stale, w, printer);
            fact_ip(stale, w, o->egress);
        }
    }
    dm_fact *nat = dm_fact_new(w, "office_nat_rush", w->nat_org,
                               "most of the organization signs in through one office NAT "
                               "address around 9 a.m., with a few typos; the address is not "
                               "listed in egress_cidrs");
    fact_ip(nat, w, w->org[w->nat_org].egress);
    dm_fact *tr = dm_fact_new(w, "traveller", w->users[w->traveler].org,
                              "a user on STRONTIUM's spray list signs in from a hotel abroad "
                              "with her own device and MFA while the spray runs");
    fact_acct(tr, w, w->traveler);
    fact_ip(tr, w, w->hotel_ip);
    free(phone_fixed);
    free(reset_done);
}

/* ---- STRONTIUM ------------------------------------------------------------------------ */

static void count_st(dm_world *w, int32_t code)
{
    dm_actor_stats *s = &w->act[0];
    s->attempts++;
    if (code == 0)
        s->succeeded++;
    else
        s->blocked++;
}

static void gen_strontium(dm_world *w)
{
    dm_rng r;
    dm_rng_fork(&w->root, "signins-strontium", &r);
    dm_actor_stats *st = &w->act[0];
    dm_fact *spray_f = dm_fact_new(w, "spray", 0, "slow password spray over a rotating pool");
    free(spray_f->actor);
    spray_f->actor = vg_xstrdup("STRONTIUM");
    spray_f->org = -1;
    bool comp_done = false;
    int cv_done = 0;
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        if (!w->n_spray[oi])
            continue;
        bool legacy = w->spray_legacy[oi];
        uint8_t ua = legacy ? ua_ropc : ua_oldchrome;
        uint8_t client = legacy ? DM_C_OTHER : DM_C_BROWSER;
        uint8_t app = legacy ? APP_EXO : APP_OFFICEHOME;
        size_t nt = w->n_spray[oi] + w->n_guess[oi];
        uint32_t *order = vg_xcalloc(nt, sizeof *order);
        for (size_t i = 0; i < w->n_spray[oi]; i++)
            dm_list_addc(&st->accounts, w->users[w->spray[oi][i]].upn);
        for (size_t i = 0; i < w->n_guess[oi]; i++)
            dm_list_addc(&st->accounts, w->guess[oi][i]);
        /* the rounds: every few minutes to hours, within the operators' hours */
        int64_t *rounds = NULL;
        size_t n_rounds = 0, cap_rounds = 0;
        for (int64_t t = w->spray_t0[oi]; t < w->spray_t1[oi];
             t += (int64_t)w->spray_every_min[oi] * MIN + dm_range(&r, -300, 300) * SEC) {
            vg_tm tm;
            vg_time_to_civil(t, &tm);
            bool active = tm.hour >= w->spray_hours[oi][0] && tm.hour < w->spray_hours[oi][1];
            if (w->spray_hours[oi][1] == 24 && (tm.hour < 4 || tm.hour >= 22) && dm_chance(&r, 0.3))
                active = false; /* the operators sleep, sometimes */
            if (active) {
                rounds = vg_xgrow(rounds, &cap_rounds, n_rounds + 1, sizeof *rounds);
                rounds[n_rounds++] = t;
            }
        }
        /* the planned success (or MFA stop) lands in the first round at or
         * after its planned time, or the last round when none is left */
        int64_t comp_at = INT64_MAX, cv_at = INT64_MAX;
        for (size_t k = 0; k < n_rounds; k++) {
            if (comp_at == INT64_MAX && (rounds[k] >= w->st_comp_t || k + 1 == n_rounds))
                comp_at = rounds[k];
            if (cv_at == INT64_MAX && (rounds[k] >= w->st_cv_t || k + 1 == n_rounds))
                cv_at = rounds[k];
        }
        for (size_t rk = 0; rk < n_rounds; rk++) {
            int64_t t = rounds[rk];
            {
                for (size_t i = 0; i < nt; i++)
                    order[i] = (uint32_t)i;
                dm_shuffle_u32(&r, order, nt);
                int64_t at = t;
                uint32_t ip = w->pool[dm_below(&r, (uint32_t)w->n_pool)];
                int left = dm_range(&r, 1, 4); /* each address tries a few accounts */
                for (size_t i = 0; i < nt; i++) {
                    if (left-- <= 0) {
                        ip = w->pool[dm_below(&r, (uint32_t)w->n_pool)];
                        left = dm_range(&r, 0, 3);
                    }
                    at += dm_range(&r, 1, 4) * SEC + dm_range(&r, 0, 999);
                    int32_t code;
                    int32_t u = -1;
                    const char *guess = NULL;
                    if (order[i] < w->n_spray[oi]) {
                        u = w->spray[oi][order[i]];
                        code = 50126;
                        if (u == w->st_comp && comp_done)
                            continue; /* they have it already */
                        if (u == w->st_comp && t >= comp_at)
                            code = 0;
                        if (u == w->st_cv && t >= cv_at && cv_done < 2)
                            code = 50076;
                    } else {
                        guess = w->guess[oi][order[i] - w->n_spray[oi]];
                        code = 50034;
                    }
                    dm_ev *e = ev_add(w, at, oi, u, ip, code, app, client, ua, true, 0);
                    if (!e)
                        continue;
                    e->guess = guess;
                    count_st(w, code);
                    fact_ip(spray_f, w, ip);
                    if (code == 0 && u == w->st_comp) {
                        comp_done = true;
                        dm_fact *f = dm_fact_new(w, "compromised", oi,
                                                 "the spray found this account's password; the "
                                                 "sign-in over a legacy protocol succeeded "
                                                 "without MFA");
                        f->actor = vg_xstrdup("STRONTIUM");
                        f->outcome = vg_xstrdup("succeeded");
                        f->t = at;
                        fact_acct(f, w, u);
                        fact_ip(f, w, ip);
                        /* then mailbox access from other pool addresses */
                        int64_t pt = at;
                        int k = dm_range(&r, 2, 4);
                        for (int q = 0; q < k; q++) {
                            pt += dm_range(&r, 20, 150) * MIN;
                            uint32_t pip = w->pool[dm_below(&r, (uint32_t)w->n_pool)];
                            if (ev_add(w, pt, oi, u, pip, 0, APP_EXO, DM_C_OTHER, ua_ropc, false,
                                       0)) {
                                count_st(w, 0);
                                fact_ip(f, w, pip);
                            }
                        }
                    }
                    if (code == 50076 && u == w->st_cv) {
                        if (cv_done++ == 0) {
                            dm_fact *f = dm_fact_new(w, "credential_valid", oi,
                                                     "the spray proved this account's password "
                                                     "right; MFA stopped the sign-in (the "
                                                     "password is known to the attacker)");
                            f->actor = vg_xstrdup("STRONTIUM");
                            f->outcome = vg_xstrdup("credential_valid");
                            f->t = at;
                            fact_acct(f, w, u);
                        }
                        fact_ip(&w->facts[w->n_facts - 1], w, ip);
                    }
                }
            }
        }
        free(rounds);
        free(order);
    }
    /* brute force: ~335 attempts per account per hour from ~200 addresses,
     * against Entra's smart lockout (10 failures, then growing lockouts) */
    dm_fact *bf_f = dm_fact_new(w, "bruteforce", -1, "brute force against a few accounts");
    bf_f->actor = vg_xstrdup("STRONTIUM");
    for (size_t i = 0; i < w->n_bf_user; i++) {
        int32_t u = w->bf_user[i];
        int oi = w->users[u].org;
        bool legacy = w->spray_legacy[oi];
        int fails = 0;
        int64_t locked_until = 0, lock_len = 60 * SEC;
        fact_acct(bf_f, w, u);
        dm_list_addc(&st->accounts, w->users[u].upn);
        for (int64_t t = w->bf_t0[i]; t < w->bf_t1[i];
             t += (int64_t)(dm_expo(&r, 10.7) * SEC) + 1) {
            uint32_t ip = w->bf[dm_below(&r, (uint32_t)w->n_bf)];
            int32_t code;
            if (t < locked_until) {
                code = 50053;
            } else {
                code = 50126;
                if (++fails >= 10) {
                    locked_until = t + lock_len;
                    if (lock_len < 30 * MIN)
                        lock_len *= 2;
                }
            }
            if (ev_add(w, t, oi, u, ip, code, legacy ? APP_EXO : APP_OFFICEHOME,
                       legacy ? DM_C_OTHER : DM_C_BROWSER, legacy ? ua_ropc : ua_oldchrome, true,
                       0)) {
                count_st(w, code);
                fact_ip(bf_f, w, ip);
            }
        }
    }
}

/* ---- ZINC ------------------------------------------------------------------------------ */

static void gen_zinc(dm_world *w)
{
    dm_rng r;
    dm_rng_fork(&w->root, "signins-zinc", &r);
    int32_t u = w->zinc_rcpt[w->zinc_victim];
    int oi = w->users[u].org;
    uint32_t ip = w->zinc_ip[0];
    int64_t t = w->zinc_signin_t;
    uint32_t corr = new_corr(w);
    ev_add(w, t, oi, u, ip, 0, APP_OFFICEHOME, DM_C_BROWSER, ua_zinc, true, corr);
    dm_actor_stats *s = &w->act[1];
    s->attempts++;
    s->succeeded++;
    dm_fact *f = dm_fact_new(w, "compromised", oi,
                             "a recipient of ZINC's recruiter lure signs in from ZINC's server "
                             "two days after opening the job description");
    f->actor = vg_xstrdup("ZINC");
    f->outcome = vg_xstrdup("succeeded");
    f->t = t;
    fact_acct(f, w, u);
    fact_ip(f, w, ip);
    int k = dm_range(&r, 2, 5);
    for (int i = 0; i < k; i++) {
        t += dm_range(&r, 10, 90) * MIN;
        if (ev_add(w, t, oi, u, ip, 0, dm_chance(&r, 0.5) ? APP_EXO : APP_SPO, DM_C_BROWSER,
                   ua_zinc, false, 0)) {
            s->attempts++;
            s->succeeded++;
        }
    }
}

void dm_signins_generate(dm_world *w)
{
    ua_ropc = (uint8_t)dm_ua_add(w, "BAV2ROPC");
    ua_oldchrome =
        (uint8_t)dm_ua_add(w, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                              "(KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36");
    ua_zinc = (uint8_t)dm_ua_add(w, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                    "(KHTML, like Gecko) Chrome/86.0.4240.75 Safari/537.36");
    gen_benign(w);
    gen_strontium(w);
    gen_zinc(w);
}

/* ---- writing ------------------------------------------------------------------------------ */

static int cmp_ev(const void *a, const void *b)
{
    const dm_ev *x = a, *y = b;
    if (x->org != y->org)
        return x->org < y->org ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

typedef struct evctx {
    const char *upn, *display, *uid, *os, *browser;
    char id[37], corr[37];
    char t7[40], toff[40];
    const dm_ip *ip;
    const struct app *app;
    const char *desc, *details;
} evctx;

static void ev_ctx(dm_world *w, const dm_ev *e, evctx *c)
{
    if (e->user >= 0) {
        const dm_user *u = &w->users[e->user];
        c->upn = u->upn;
        c->display = u->display;
        c->uid = u->id;
    } else {
        c->upn = e->guess;
        c->display = NULL;
        c->uid = "00000000-0000-0000-0000-000000000000";
    }
    char name[32];
    snprintf(name, sizeof name, "%u", e->seq);
    dm_uuid("vigil-demo-signin", w->seed, name, c->id);
    snprintf(name, sizeof name, "%u", e->corr);
    dm_uuid("vigil-demo-correlation", w->seed, name, c->corr);
    dm_iso7(e->t, c->t7);
    dm_iso_off(e->t, c->toff);
    c->ip = &w->ips[e->ip];
    c->app = &apps[e->app];
    c->desc = code_text(e->code);
    c->details = code_details(e->code);
    ua_device(w, e->ua, &c->os, &c->browser);
}

static void j_location(vg_json *j, const dm_ip *ip, bool altitude)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "city", ip->city ? ip->city : "");
    vg_json_kv_str(j, "state", ip->state ? ip->state : "");
    vg_json_kv_str(j, "countryOrRegion", ip->country);
    vg_json_key(j, "geoCoordinates");
    vg_json_obj_begin(j);
    if (altitude) {
        vg_json_key(j, "altitude");
        vg_json_null(j);
    }
    vg_json_key(j, "latitude");
    vg_json_double(j, ip->lat);
    vg_json_key(j, "longitude");
    vg_json_double(j, ip->lon);
    vg_json_obj_end(j);
    vg_json_obj_end(j);
}

static void j_device(vg_json *j, const evctx *c)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "deviceId", "");
    vg_json_kv_str(j, "operatingSystem", c->os);
    vg_json_kv_str(j, "browser", c->browser);
    vg_json_obj_end(j);
}

static void j_status(vg_json *j, const dm_ev *e, const evctx *c)
{
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "errorCode", e->code);
    if (e->code) {
        vg_json_kv_str(j, "failureReason", c->desc);
        if (c->details)
            vg_json_kv_str(j, "additionalDetails", c->details);
    }
    vg_json_obj_end(j);
}

static const char *auth_req(const dm_ev *e)
{
    return (e->mfa || e->code == 50074 || e->code == 50076) ? "multiFactorAuthentication"
                                                            : "singleFactorAuthentication";
}

static void write_diag(vg_json *j, dm_world *w, const dm_org *o, const dm_ev *e, const evctx *c)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "time", c->t7);
    char rid[128];
    snprintf(rid, sizeof rid, "/tenants/%s/providers/Microsoft.aadiam", o->tenant);
    vg_json_kv_str(j, "resourceId", rid);
    vg_json_kv_str(j, "operationName", "Sign-in activity");
    vg_json_kv_str(j, "operationVersion", "1.0");
    vg_json_kv_str(j, "category", e->interactive ? "SignInLogs" : "NonInteractiveUserSignInLogs");
    vg_json_kv_str(j, "tenantId", o->tenant);
    char code[16];
    snprintf(code, sizeof code, "%d", e->code);
    vg_json_kv_str(j, "resultType", code);
    vg_json_kv_str(j, "resultSignature", "None");
    if (c->desc)
        vg_json_kv_str(j, "resultDescription", c->desc);
    vg_json_kv_int(j, "durationMs", 0);
    vg_json_kv_str(j, "callerIpAddress", c->ip->addr);
    vg_json_kv_str(j, "correlationId", c->corr);
    vg_json_kv_str(j, "identity", c->display ? c->display : c->upn);
    vg_json_kv_int(j, "Level", 4);
    vg_json_kv_str(j, "location", c->ip->country);
    vg_json_key(j, "properties");
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "id", c->id);
    vg_json_kv_str(j, "createdDateTime", c->toff);
    vg_json_kv_str(j, "userDisplayName", c->display);
    vg_json_kv_str(j, "userPrincipalName", c->upn);
    vg_json_kv_str(j, "userId", c->uid);
    vg_json_kv_str(j, "appId", c->app->id);
    vg_json_kv_str(j, "appDisplayName", c->app->name);
    vg_json_kv_str(j, "ipAddress", c->ip->addr);
    vg_json_key(j, "status");
    j_status(j, e, c);
    vg_json_kv_str(j, "clientAppUsed", client_name[e->client]);
    vg_json_kv_str(j, "userAgent", w->uas[e->ua]);
    vg_json_key(j, "deviceDetail");
    j_device(j, c);
    vg_json_key(j, "location");
    j_location(j, c->ip, false);
    vg_json_kv_str(j, "correlationId", c->corr);
    vg_json_kv_str(j, "conditionalAccessStatus",
                   e->code == 50076 || e->code == 50074 ? "failure" : "notApplied");
    vg_json_key(j, "appliedConditionalAccessPolicies");
    vg_json_arr_begin(j);
    vg_json_arr_end(j);
    vg_json_kv_str(j, "originalRequestId", c->id);
    vg_json_kv_bool(j, "isInteractive", e->interactive);
    vg_json_kv_str(j, "tokenIssuerName", "");
    vg_json_kv_str(j, "tokenIssuerType", "AzureAD");
    vg_json_kv_int(j, "processingTimeInMilliseconds", 40 + (int64_t)(e->seq % 400));
    vg_json_kv_str(j, "riskDetail", "none");
    vg_json_kv_str(j, "riskLevelAggregated", "none");
    vg_json_kv_str(j, "riskLevelDuringSignIn", "none");
    vg_json_kv_str(j, "riskState", "none");
    vg_json_kv_str(j, "resourceDisplayName", c->app->res);
    vg_json_kv_str(j, "resourceId", c->app->res_id);
    vg_json_kv_str(j, "resourceTenantId", o->tenant);
    vg_json_kv_str(j, "homeTenantId", o->tenant);
    vg_json_kv_str(j, "authenticationRequirement", auth_req(e));
    vg_json_kv_str(j, "userType", "Member");
    vg_json_kv_bool(j, "flaggedForReview", false);
    vg_json_kv_int(j, "autonomousSystemNumber", c->ip->asn);
    vg_json_kv_str(j, "crossTenantAccessType", "none");
    vg_json_obj_end(j);
    vg_json_obj_end(j);
}

static void write_graph(vg_json *j, dm_world *w, const dm_org *o, const dm_ev *e, const evctx *c)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "id", c->id);
    vg_json_kv_str(j, "createdDateTime", c->t7);
    vg_json_kv_str(j, "userDisplayName", c->display);
    vg_json_kv_str(j, "userPrincipalName", c->upn);
    vg_json_kv_str(j, "userId", c->uid);
    vg_json_kv_str(j, "appId", c->app->id);
    vg_json_kv_str(j, "appDisplayName", c->app->name);
    vg_json_kv_str(j, "ipAddress", c->ip->addr);
    vg_json_kv_str(j, "clientAppUsed", client_name[e->client]);
    vg_json_kv_str(j, "userAgent", w->uas[e->ua]);
    vg_json_kv_str(j, "correlationId", c->corr);
    vg_json_kv_str(j, "conditionalAccessStatus",
                   e->code == 50076 || e->code == 50074 ? "failure" : "notApplied");
    vg_json_kv_bool(j, "isInteractive", e->interactive);
    vg_json_key(j, "signInEventTypes");
    vg_json_arr_begin(j);
    vg_json_str(j, e->interactive ? "interactiveUser" : "nonInteractiveUser");
    vg_json_arr_end(j);
    vg_json_kv_str(j, "authenticationRequirement", auth_req(e));
    vg_json_kv_str(j, "riskDetail", "none");
    vg_json_kv_str(j, "riskLevelAggregated", "none");
    vg_json_kv_str(j, "riskLevelDuringSignIn", "none");
    vg_json_kv_str(j, "riskState", "none");
    vg_json_key(j, "riskEventTypes");
    vg_json_arr_begin(j);
    vg_json_arr_end(j);
    vg_json_kv_str(j, "resourceDisplayName", c->app->res);
    vg_json_kv_str(j, "resourceId", c->app->res_id);
    vg_json_kv_str(j, "homeTenantId", o->tenant);
    vg_json_kv_str(j, "resourceTenantId", o->tenant);
    vg_json_kv_int(j, "autonomousSystemNumber", c->ip->asn);
    vg_json_key(j, "status");
    vg_json_obj_begin(j);
    vg_json_kv_int(j, "errorCode", e->code);
    vg_json_kv_str(j, "failureReason", e->code ? c->desc : "Other.");
    vg_json_kv_str(j, "additionalDetails", c->details);
    vg_json_obj_end(j);
    vg_json_key(j, "deviceDetail");
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "deviceId", "");
    vg_json_kv_str(j, "displayName", NULL);
    vg_json_kv_str(j, "operatingSystem", c->os);
    vg_json_kv_str(j, "browser", c->browser);
    vg_json_key(j, "isCompliant");
    vg_json_null(j);
    vg_json_key(j, "isManaged");
    vg_json_null(j);
    vg_json_kv_str(j, "trustType", NULL);
    vg_json_obj_end(j);
    vg_json_key(j, "location");
    j_location(j, c->ip, true);
    vg_json_key(j, "appliedConditionalAccessPolicies");
    vg_json_arr_begin(j);
    vg_json_arr_end(j);
    vg_json_obj_end(j);
}

/* Log Analytics: interactive rows keep dynamic columns as objects; the
 * non-interactive table stores them as JSON text. */
static void la_dynamic(vg_json *j, const char *key, bool as_string,
                       void (*fn)(vg_json *, const void *, const void *), const void *a,
                       const void *b)
{
    vg_json_key(j, key);
    if (!as_string) {
        fn(j, a, b);
        return;
    }
    vg_buf tmp;
    vg_buf_init(&tmp, 0);
    vg_json sub;
    vg_json_init(&sub, &tmp);
    fn(&sub, a, b);
    vg_json_str(j, vg_buf_cstr(&tmp));
    vg_buf_free(&tmp);
}

static void dyn_status(vg_json *j, const void *a, const void *b)
{
    j_status(j, a, b);
}
static void dyn_device(vg_json *j, const void *a, const void *b)
{
    (void)b;
    j_device(j, a);
}
static void dyn_location(vg_json *j, const void *a, const void *b)
{
    (void)b;
    j_location(j, a, false);
}

static void write_la(vg_json *j, dm_world *w, const dm_org *o, const dm_ev *e, const evctx *c,
                     const char *workspace)
{
    bool ni = !e->interactive;
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "TenantId", workspace);
    vg_json_kv_str(j, "SourceSystem", "Azure AD");
    vg_json_kv_str(j, "TimeGenerated", c->t7);
    char rid[128];
    snprintf(rid, sizeof rid, "/tenants/%s/providers/Microsoft.aadiam", o->tenant);
    vg_json_kv_str(j, "ResourceId", rid);
    vg_json_kv_str(j, "OperationName", "Sign-in activity");
    vg_json_kv_str(j, "OperationVersion", "1.0");
    vg_json_kv_str(j, "Category", ni ? "NonInteractiveUserSignInLogs" : "SignInLogs");
    char code[16];
    snprintf(code, sizeof code, "%d", e->code);
    vg_json_kv_str(j, "ResultType", code);
    vg_json_kv_str(j, "ResultSignature", "None");
    vg_json_kv_str(j, "ResultDescription", c->desc ? c->desc : "");
    vg_json_kv_str(j, "DurationMs", "0");
    vg_json_kv_str(j, "CorrelationId", c->corr);
    vg_json_kv_str(j, "Resource", "Microsoft.aadiam");
    vg_json_kv_str(j, "ResourceGroup", "Microsoft.aadiam");
    vg_json_kv_str(j, "ResourceProvider", "Microsoft.aadiam");
    vg_json_kv_str(j, "Identity", c->display ? c->display : c->upn);
    vg_json_kv_str(j, "Level", "4");
    vg_json_kv_str(j, "Location", c->ip->country);
    vg_json_kv_str(j, "AppDisplayName", c->app->name);
    vg_json_kv_str(j, "AppId", c->app->id);
    vg_json_kv_str(j, "AuthenticationRequirement", auth_req(e));
    vg_json_kv_str(j, "ClientAppUsed", client_name[e->client]);
    vg_json_kv_str(j, "ConditionalAccessStatus",
                   e->code == 50076 || e->code == 50074 ? "failure" : "notApplied");
    vg_json_kv_str(j, "CreatedDateTime", c->t7);
    la_dynamic(j, "DeviceDetail", ni, dyn_device, c, NULL);
    vg_json_kv_bool(j, "IsInteractive", e->interactive);
    vg_json_kv_str(j, "Id", c->id);
    vg_json_kv_str(j, "IPAddress", c->ip->addr);
    la_dynamic(j, "LocationDetails", ni, dyn_location, c->ip, NULL);
    vg_json_kv_str(j, "OriginalRequestId", c->id);
    vg_json_kv_str(j, "ResourceDisplayName", c->app->res);
    vg_json_kv_str(j, "ResourceIdentity", c->app->res_id);
    vg_json_kv_str(j, "RiskDetail", "none");
    vg_json_kv_str(j, "RiskLevelAggregated", "none");
    vg_json_kv_str(j, "RiskLevelDuringSignIn", "none");
    vg_json_kv_str(j, "RiskState", "none");
    la_dynamic(j, "Status", ni, dyn_status, e, c);
    vg_json_kv_str(j, "TokenIssuerType", "AzureAD");
    vg_json_kv_str(j, "UserAgent", w->uas[e->ua]);
    vg_json_kv_str(j, "UserDisplayName", c->display ? c->display : "");
    vg_json_kv_str(j, "UserId", c->uid);
    vg_json_kv_str(j, "UserPrincipalName", c->upn);
    vg_json_kv_str(j, "AADTenantId", o->tenant);
    vg_json_kv_str(j, "UserType", "Member");
    char asn[16];
    snprintf(asn, sizeof asn, "%u", c->ip->asn);
    vg_json_kv_str(j, "AutonomousSystemNumber", asn);
    vg_json_kv_str(j, "HomeTenantId", o->tenant);
    vg_json_kv_str(j, "ResourceTenantId", o->tenant);
    vg_json_kv_str(j, "Type", ni ? "AADNonInteractiveUserSignInLogs" : "SigninLogs");
    vg_json_obj_end(j);
}

static const char *const shape_name[] = {"diagnostic", "graph", "loganalytics"};

vg_err dm_signins_write(dm_world *w, vg_error *e)
{
    qsort(w->ev, w->n_ev, sizeof *w->ev, cmp_ev);
    size_t i = 0;
    vg_buf out, line;
    vg_buf_init(&out, 0);
    vg_buf_init(&line, 0);
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        size_t from = i;
        while (i < w->n_ev && w->ev[i].org == oi)
            i++;
        size_t to = i;
        const dm_org *o = &w->org[oi];
        char workspace[37];
        dm_uuid("vigil-demo-workspace", w->seed, o->id, workspace);
        vg_buf_reset(&out);
        for (size_t k = from; k < to; k++) {
            /* Graph exports come newest first */
            size_t idx = o->shape == DM_SHAPE_GRAPH ? to - 1 - (k - from) : k;
            const dm_ev *ev = &w->ev[idx];
            evctx c;
            ev_ctx(w, ev, &c);
            vg_buf_reset(&line);
            vg_json j;
            vg_json_init(&j, &line);
            if (o->shape == DM_SHAPE_DIAG)
                write_diag(&j, w, o, ev, &c);
            else if (o->shape == DM_SHAPE_GRAPH)
                write_graph(&j, w, o, ev, &c);
            else
                write_la(&j, w, o, ev, &c, workspace);
            vg_buf_append(&out, line.p, line.n);
            vg_buf_putc(&out, '\n');
        }
        char rel[128];
        snprintf(rel, sizeof rel, "signins/%s.%s.jsonl", o->id, shape_name[o->shape]);
        vg_err rc = dm_write_file(w, rel, out.p ? out.p : "", out.n, e);
        if (rc) {
            vg_buf_free(&out);
            vg_buf_free(&line);
            return rc;
        }
        dm_list_addc(&w->inputs, rel);
    }
    vg_buf_free(&out);
    vg_buf_free(&line);
    return VG_OK;
}
