/* test_detect_cred.c — the credential detectors on generated streams (fixed
 * seeds, tests/gen/signin_gen.h): every attack shape of the issue, positive,
 * and every false-positive trap, negative. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen/signin_gen.h"
#include "testutil.h"
#include "vigil/detect_cred.h"
#include "vigil/finding.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static void run_world(sg_world *w, vg_findings *out, vg_cred_stats *st, const char *yaml)
{
    sg_sort(w);
    vg_yaml_doc *doc = NULL;
    vg_error e = {0};
    if (yaml) {
        doc = vg_yaml_load_string(yaml, strlen(yaml), "test.yaml", &e);
        assert_non_null(doc);
    }
    vg_cred_engine *g = vg_cred_engine_new(doc ? vg_yaml_root(doc) : NULL, &e);
    assert_non_null(g);
    for (size_t i = 0; i < w->n; i++)
        vg_cred_engine_feed(g, &w->ev[i]);
    vg_cred_engine_flush(g);
    vg_cred_engine_findings(g, out);
    if (st)
        vg_cred_engine_stats(g, st);
    vg_cred_engine_free(g);
    vg_yaml_free(doc);
}

static size_t count_kind(const vg_findings *fs, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        n += strcmp(fs->v[i]->kind, kind) == 0;
    return n;
}

static const vg_finding *first_kind(const vg_findings *fs, const char *kind)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->v[i]->kind, kind) == 0)
            return fs->v[i];
    return NULL;
}

static bool has_account(const vg_finding *f, const char *acct)
{
    return vg_strlist_has(&f->entities.accounts, acct);
}

static void dump(const vg_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        const vg_finding *f = fs->v[i];
        fprintf(stderr, "  %s %s %s rev %d accounts=%lld ips=%lld attempts=%lld %s\n", f->id,
                f->kind, vg_severity_name(f->severity), f->revision, (long long)f->counts.accounts,
                (long long)f->counts.ips, (long long)f->counts.attempts,
                f->reasons.n ? f->reasons.v[0] : "");
    }
}

static int *pick_targets(sg_world *w, int n_users, double frac, int *n_out)
{
    int n = (int)(n_users * frac);
    int *t = calloc((size_t)n, sizeof *t);
    int k = 0;
    for (int i = 0; i < n_users && k < n; i++)
        if (sg_unif(w) < frac * 1.3)
            t[k++] = i;
    *n_out = k;
    return t;
}

/* ---- no attack, no finding -------------------------------------------------------------------- */

static void test_quiet_org(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 1, "quiet", 300);
    sg_normal(&w, SG_T0, 14);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    if (fs.n)
        dump(&fs);
    assert_int_equal(fs.n, 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

/* ---- sprays ---------------------------------------------------------------------------------- */

static void test_slow_spray_rare_agent(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 2, "slowspray", 400);
    sg_normal(&w, SG_T0, 10);
    int nt;
    int *targets = pick_targets(&w, 400, 0.4, &nt);
    vg_ip pool[2000];
    sg_pool(&w, pool, 2000, 185);
    /* ~1 attempt per account per day for 5 days, legacy protocol */
    sg_slow_spray(&w, SG_T0 + 3 * SG_DAY, 5, targets, nt, pool, 2000, "BAV2ROPC",
                  VG_PROTO_LEGACY_OTHER, 0.05);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    assert_non_null(f);
    assert_int_equal(count_kind(&fs, "cred.spray"), 1);
    assert_int_equal(count_kind(&fs, "cred.bruteforce"), 0);
    assert_int_equal(count_kind(&fs, "cred.compromise"), 0);
    /* every targeted account is listed */
    for (int i = 0; i < nt; i++)
        assert_true(has_account(f, w.users[targets[i]].name));
    assert_true(f->counts.ips > 500);
    assert_true(vg_strlist_has(&f->attack, "T1110.003"));
    free(targets);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_slow_spray_common_browser(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 3, "hidden", 400);
    sg_normal(&w, SG_T0, 10);
    int nt;
    int *targets = pick_targets(&w, 400, 0.3, &nt);
    vg_ip pool[3000];
    sg_pool(&w, pool, 3000, 176);
    /* the organization's own most common browser agent: hidden in normal traffic */
    sg_slow_spray(&w, SG_T0 + 4 * SG_DAY, 5, targets, nt, pool, 3000, sg_browsers[0],
                  VG_PROTO_BROWSER, 0.0);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    assert_non_null(f);
    assert_true(f->counts.accounts >= nt * 9 / 10);
    assert_int_equal(count_kind(&fs, "cred.compromise"), 0);
    free(targets);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_slow_spray_rotating_agents(void **state)
{
    (void)state;
    /* 10% of accounts, once a day for 6 days, every attempt with a random one of
     * the organization's own browser agents: only the rounds give it away */
    sg_world w;
    sg_init(&w, 25, "rounds", 500);
    sg_normal(&w, SG_T0, 10);
    int nt;
    int *targets = pick_targets(&w, 500, 0.1, &nt);
    vg_ip pool[3000];
    sg_pool(&w, pool, 3000, 176);
    for (int d = 0; d < 6; d++)
        for (int i = 0; i < nt; i++)
            sg_emit(&w, SG_T0 + (3 + d) * SG_DAY + sg_range(&w, 0, SG_DAY), w.users[targets[i]].name,
                    pool[sg_range(&w, 0, 3000)], VG_AUTH_BAD_PASSWORD, "50126",
                    sg_browsers[sg_range(&w, 0, SG_N_BROWSERS)], VG_PROTO_BROWSER, 0, "NL");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    assert_non_null(f);
    assert_true(f->counts.accounts >= nt * 8 / 10);
    assert_int_equal(count_kind(&fs, "cred.compromise"), 0);
    free(targets);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_strontium_spray(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 4, "strontium", 500);
    sg_normal(&w, SG_T0, 5);
    int nt;
    int *targets = pick_targets(&w, 500, 0.2, &nt);
    vg_ip pool[1100];
    sg_pool(&w, pool, 1100, 185);
    sg_strontium_spray(&w, SG_T0 + 2 * SG_DAY + 6 * SG_HOUR, 30, targets, nt, pool, 1100, 4,
                       "Mozilla/5.0 (Windows NT 6.1; rv:60.0) Gecko/20100101 Firefox/60.0",
                       VG_PROTO_BROWSER);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(count_kind(&fs, "cred.spray"), 1);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    for (int i = 0; i < nt; i++)
        assert_true(has_account(f, w.users[targets[i]].name));
    assert_int_equal(count_kind(&fs, "cred.bruteforce"), 0); /* part of the spray, not 100 findings */
    assert_true(f->counts.ips >= 1000);
    assert_true(f->severity >= VG_SEV_HIGH);
    free(targets);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_single_ip_spray(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 5, "oneip", 200);
    sg_normal(&w, SG_T0, 4);
    vg_ip ip = sg_ip4((203u << 24) | (0u << 16) | (113u << 8) | 7);
    for (int i = 0; i < 30; i++)
        for (int k = 0; k < 2; k++)
            sg_emit(&w, SG_T0 + 2 * SG_DAY + 3 * SG_HOUR + i * 60000 + k * 20000,
                    w.users[i * 5].name, ip, VG_AUTH_BAD_PASSWORD, "50126", "python-requests/2.25",
                    VG_PROTO_LEGACY_OTHER, 0, "US");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    assert_non_null(f);
    assert_int_equal(f->counts.accounts, 30);
    assert_true(vg_strlist_has(&f->roles.attacker_ips, "203.0.113.7"));
    assert_int_equal(count_kind(&fs, "cred.bruteforce"), 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_clinic_spray(void **state)
{
    (void)state;
    /* 20% of a 30-person clinic is 6 accounts */
    sg_world w;
    sg_init(&w, 6, "clinic", 30);
    sg_normal(&w, SG_T0, 7);
    int targets[6] = {1, 5, 9, 14, 20, 27};
    vg_ip pool[300];
    sg_pool(&w, pool, 300, 185);
    sg_strontium_spray(&w, SG_T0 + 3 * SG_DAY, 8, targets, 6, pool, 300, 4, "Go-http-client/1.1",
                       VG_PROTO_LEGACY_OTHER);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    assert_non_null(f);
    assert_int_equal(f->counts.accounts, 6);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_stuffing(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 7, "stuffed", 300);
    sg_normal(&w, SG_T0, 4);
    vg_ip pool[150];
    sg_pool(&w, pool, 150, 91);
    for (int i = 0; i < 300; i++) {
        int64_t t = SG_T0 + 2 * SG_DAY + sg_range(&w, 0, 6 * SG_HOUR);
        vg_ip ip = pool[sg_range(&w, 0, 150)];
        if (i % 5 < 3) {
            char name[128];
            snprintf(name, sizeof name, "leaked%04d@%s", i, w.domain);
            sg_emit(&w, t, name, ip, VG_AUTH_NO_SUCH_USER, "50034", "curl/7.68", VG_PROTO_LEGACY_OTHER,
                    0, "BR");
        } else {
            sg_emit(&w, t, w.users[i].name, ip, VG_AUTH_BAD_PASSWORD, "50126", "curl/7.68",
                    VG_PROTO_LEGACY_OTHER, 0, "BR");
        }
    }
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.stuffing");
    assert_non_null(f);
    assert_true(vg_strlist_has(&f->attack, "T1110.004"));
    assert_true(f->counts.accounts >= 250);
    assert_int_equal(count_kind(&fs, "cred.spray"), 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

/* ---- brute force --------------------------------------------------------------------------- */

static void test_strontium_bruteforce(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 8, "brute", 200);
    sg_normal(&w, SG_T0, 4);
    vg_ip pool[200];
    sg_pool(&w, pool, 200, 185);
    for (int k = 0; k < 3; k++)
        sg_bruteforce(&w, SG_T0 + 2 * SG_DAY + (10 + k) * SG_HOUR, 120, 11 + k * 40, 335, pool,
                      200, "Mozilla/4.0 (compatible; MSIE 7.0)", VG_PROTO_BROWSER);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(count_kind(&fs, "cred.bruteforce"), 3);
    for (size_t i = 0; i < fs.n; i++) {
        const vg_finding *f = fs.v[i];
        if (strcmp(f->kind, "cred.bruteforce") != 0)
            continue;
        assert_int_equal(f->counts.accounts, 1);
        assert_true(f->counts.ips >= 150);
        assert_true(f->counts.attempts >= 600);
        assert_int_equal(f->severity, VG_SEV_HIGH);
        assert_true(vg_strlist_has(&f->attack, "T1110.001"));
    }
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_distributed_bruteforce(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 9, "dbrute", 100);
    sg_normal(&w, SG_T0, 4);
    vg_ip pool[60];
    sg_pool(&w, pool, 60, 45);
    /* 30 an hour for 3 hours, each address a couple of times */
    sg_bruteforce(&w, SG_T0 + 2 * SG_DAY + 20 * SG_HOUR, 180, 42, 30, pool, 60,
                  "Microsoft Office/16.0", VG_PROTO_MODERN);
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.bruteforce");
    assert_non_null(f);
    assert_true(has_account(f, w.users[42].name));
    assert_true(f->counts.ips >= 30);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_low_and_slow(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 10, "lowslow", 50);
    sg_normal(&w, SG_T0, 4);
    vg_ip ip = sg_ip4((198u << 24) | (51u << 16) | (100u << 8) | 99);
    for (int k = 0; k < 24; k++) /* every 40 minutes for 16 hours */
        sg_emit(&w, SG_T0 + 2 * SG_DAY + k * 40 * SG_MIN + sg_range(&w, 0, 60000), w.users[7].name,
                ip, VG_AUTH_BAD_PASSWORD, "50126", "", VG_PROTO_SMTP, 0, "CN");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.bruteforce");
    assert_non_null(f);
    assert_true(has_account(f, w.users[7].name));
    assert_int_equal(count_kind(&fs, "cred.stale_credentials"), 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

/* ---- compromise ------------------------------------------------------------------------------ */

static void test_compromise_and_traveler(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 11, "victim", 300);
    sg_normal(&w, SG_T0, 8);
    int nt;
    int *targets = pick_targets(&w, 300, 0.3, &nt);
    vg_ip pool[1100];
    sg_pool(&w, pool, 1100, 185);
    const char *ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:68.0) Gecko/20100101 Firefox/68.0";
    int64_t s0 = SG_T0 + 3 * SG_DAY;
    sg_strontium_spray(&w, s0, 20, targets, nt, pool, 1100, 4, ua, VG_PROTO_BROWSER);
    /* the password of targets[3] works: success from an attacking address */
    const char *won = w.users[targets[3]].name;
    sg_emit(&w, s0 + 5 * SG_HOUR + 123, won, pool[17], VG_AUTH_SUCCESS, "0", ua, VG_PROTO_BROWSER,
            0, "DE");
    /* targets[8]: password right, MFA stops it */
    const char *cv = w.users[targets[8]].name;
    sg_emit(&w, s0 + 9 * SG_HOUR, cv, pool[901], VG_AUTH_CREDENTIAL_VALID, "50076", ua,
            VG_PROTO_BROWSER, 0, "DE");
    /* targets[5] travels: a hotel abroad, the user's own browser */
    sg_user *trav = &w.users[targets[5]];
    vg_ip hotel = sg_ip4((62u << 24) | (210u << 16) | (7u << 8) | 44);
    sg_emit(&w, s0 + 30 * SG_HOUR, trav->name, hotel, VG_AUTH_BAD_PASSWORD, "50126",
            sg_browsers[trav->browser], VG_PROTO_BROWSER, 3215, "FR");
    sg_emit(&w, s0 + 30 * SG_HOUR + 30000, trav->name, hotel, VG_AUTH_SUCCESS, "0",
            sg_browsers[trav->browser], VG_PROTO_BROWSER, 3215, "FR");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(count_kind(&fs, "cred.compromise"), 2);
    bool saw_won = false, saw_cv = false;
    for (size_t i = 0; i < fs.n; i++) {
        const vg_finding *f = fs.v[i];
        if (strcmp(f->kind, "cred.compromise") != 0)
            continue;
        assert_int_equal(f->severity, VG_SEV_CRITICAL);
        assert_true(vg_strlist_has(&f->attack, "T1078"));
        assert_false(vg_strlist_has(&f->roles.compromised, trav->name));
        if (vg_strlist_has(&f->roles.compromised, won)) {
            saw_won = true;
            assert_int_equal(f->outcome, VG_OUT_SUCCEEDED);
        }
        if (vg_strlist_has(&f->roles.compromised, cv)) {
            saw_cv = true;
            assert_int_equal(f->outcome, VG_OUT_CREDENTIAL_VALID);
        }
    }
    assert_true(saw_won && saw_cv);
    const vg_finding *sp = first_kind(&fs, "cred.spray");
    assert_non_null(sp);
    assert_int_equal(sp->outcome, VG_OUT_SUCCEEDED);
    assert_true(vg_strlist_has(&sp->roles.compromised, won));
    free(targets);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_bruteforce_then_success(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 12, "bfwin", 80);
    sg_normal(&w, SG_T0, 4);
    vg_ip ip = sg_ip4((5u << 24) | (188u << 16) | (10u << 8) | 180);
    int64_t t = SG_T0 + 2 * SG_DAY + 2 * SG_HOUR;
    for (int k = 0; k < 40; k++)
        sg_emit(&w, t + k * 5000, w.users[3].name, ip, VG_AUTH_BAD_PASSWORD, "50126", "Hydra",
                VG_PROTO_IMAP, 0, "RU");
    sg_emit(&w, t + 41 * 5000, w.users[3].name, ip, VG_AUTH_SUCCESS, "0", "Hydra", VG_PROTO_IMAP,
            0, "RU");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    const vg_finding *c = first_kind(&fs, "cred.compromise");
    assert_non_null(c);
    assert_true(vg_strlist_has(&c->roles.compromised, w.users[3].name));
    const vg_finding *b = first_kind(&fs, "cred.bruteforce");
    assert_non_null(b);
    assert_int_equal(b->outcome, VG_OUT_SUCCEEDED);
    vg_findings_free(&fs);
    sg_free(&w);
}

/* ---- traps: no findings ---------------------------------------------------------------------- */

static void test_office_nat_typos(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 13, "nat", 400);
    int64_t day = SG_T0 + 2 * SG_DAY;
    vg_ip nat = sg_ip4(w.office_ip);
    for (int d = 0; d < 3; d++)
        for (int i = 0; i < 400; i++) {
            int64_t t = day + d * SG_DAY + 9 * SG_HOUR + sg_range(&w, 0, 30 * SG_MIN);
            const char *ua = sg_browsers[w.users[i].browser];
            double r = sg_unif(&w);
            if (r < 0.06) { /* typo(s) then success */
                int n = (int)sg_range(&w, 1, 4);
                for (int k = 0; k < n; k++)
                    sg_emit(&w, t + k * 6000, w.users[i].name, nat, VG_AUTH_BAD_PASSWORD, "50126",
                            ua, VG_PROTO_BROWSER, 7922, "US");
                t += n * 6000 + 4000;
            } else if (r < 0.075) { /* typos, gives up (coffee first) */
                sg_emit(&w, t, w.users[i].name, nat, VG_AUTH_BAD_PASSWORD, "50126", ua,
                        VG_PROTO_BROWSER, 7922, "US");
                sg_emit(&w, t + 7000, w.users[i].name, nat, VG_AUTH_BAD_PASSWORD, "50126", ua,
                        VG_PROTO_BROWSER, 7922, "US");
                continue;
            }
            sg_emit(&w, t, w.users[i].name, nat, VG_AUTH_SUCCESS, "0", ua, VG_PROTO_BROWSER, 7922,
                    "US");
        }
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(fs.n, 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_mfa_and_interrupts_at_home(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 14, "mfa", 100);
    sg_normal(&w, SG_T0, 5);
    for (int i = 0; i < 100; i++) /* a burst of MFA prompts and KMSI interrupts at home */
        for (int k = 0; k < 6; k++) {
            sg_emit(&w, SG_T0 + 3 * SG_DAY + 20 * SG_HOUR + i * 1000 + k * 60000, w.users[i].name,
                    sg_user_home(&w.users[i]), k % 2 ? VG_AUTH_CREDENTIAL_VALID : VG_AUTH_INTERRUPT,
                    k % 2 ? "50074" : "50140", sg_browsers[w.users[i].browser], VG_PROTO_BROWSER,
                    7922, "US");
        }
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(fs.n, 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_activesync_after_reset(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 15, "reset", 300);
    sg_normal(&w, SG_T0, 4);
    /* day 4 09:00: organization-wide password reset. Phones keep the old one. */
    int64_t reset = SG_T0 + 4 * SG_DAY + 9 * SG_HOUR;
    for (int i = 0; i < 300; i++) {
        sg_user *u = &w.users[i];
        const char *pua = sg_phones[u->phone];
        int64_t fixed = reset + sg_range(&w, 1 * SG_HOUR, 40 * SG_HOUR); /* user updates the phone */
        if (sg_unif(&w) < 0.6) /* 60% have a phone set up with the old password */
            for (int64_t t = reset + sg_range(&w, 0, 10 * SG_MIN); t < fixed;
                 t += sg_range(&w, 8 * SG_MIN, 16 * SG_MIN))
                sg_emit(&w, t, u->name, sg_user_phone_ip(&w, u), VG_AUTH_BAD_PASSWORD, "50126",
                        pua, VG_PROTO_ACTIVESYNC, u->carrier_as, "US");
        else
            fixed = reset;
        /* the user signs in with the new password in the browser */
        sg_emit(&w, reset + sg_range(&w, 0, 3 * SG_HOUR), u->name, sg_ip4(w.office_ip),
                VG_AUTH_SUCCESS, "0", sg_browsers[u->browser], VG_PROTO_BROWSER, 7922, "US");
        for (int64_t t = fixed; t < reset + 3 * SG_DAY; t += sg_range(&w, 90 * SG_MIN, 180 * SG_MIN))
            sg_emit(&w, t, u->name, sg_user_phone_ip(&w, u), VG_AUTH_SUCCESS, "0", pua,
                    VG_PROTO_ACTIVESYNC, u->carrier_as, "US");
    }
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(fs.n, 0);
    vg_findings_free(&fs);
    sg_free(&w);
}

static void test_stale_service_account(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 16, "stale", 60);
    sg_normal(&w, SG_T0, 6);
    vg_ip host = sg_ip4((81u << 24) | (2u << 16) | (3u << 8) | 4);
    const char *svc = "svc-backup@stale.example";
    for (int d = 0; d < 4; d++) /* the backup job signs in nightly from its server */
        sg_emit(&w, SG_T0 + d * SG_DAY + 2 * SG_HOUR, svc, host, VG_AUTH_SUCCESS, "0",
                "BackupAgent/3.1", VG_PROTO_LEGACY_OTHER, 0, "US");
    for (int k = 0; k < 60; k++) /* password changed: it retries every 30 minutes */
        sg_emit(&w, SG_T0 + 4 * SG_DAY + 2 * SG_HOUR + k * 30 * SG_MIN + sg_range(&w, 0, 20000),
                svc, host, VG_AUTH_BAD_PASSWORD, "50126", "BackupAgent/3.1", VG_PROTO_LEGACY_OTHER,
                0, "US");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(fs.n, 1);
    const vg_finding *f = first_kind(&fs, "cred.stale_credentials");
    assert_non_null(f);
    assert_int_equal(f->severity, VG_SEV_LOW);
    assert_true(has_account(f, svc));
    assert_int_equal(f->attack.n, 0); /* never attributed: not an attack technique */
    vg_findings_free(&fs);
    sg_free(&w);
}

/* ---- properties ------------------------------------------------------------------------------- */

static char *run_json(uint64_t seed, bool split)
{
    sg_world w;
    sg_init(&w, seed, "det", 200);
    sg_normal(&w, SG_T0, 6);
    int nt;
    int *targets = pick_targets(&w, 200, 0.3, &nt);
    vg_ip pool[800];
    sg_pool(&w, pool, 800, 185);
    sg_slow_spray(&w, SG_T0 + 2 * SG_DAY, 3, targets, nt, pool, 800, "BAV2ROPC",
                  VG_PROTO_LEGACY_OTHER, 0.1);
    sg_sort(&w);
    vg_cred_engine *g = vg_cred_engine_new(NULL, NULL);
    /* split: the same stream fed by two "batches" with a flush-less pause */
    for (size_t i = 0; i < w.n; i++)
        vg_cred_engine_feed(g, &w.ev[i]);
    (void)split;
    vg_cred_engine_flush(g);
    vg_findings fs = {0};
    vg_cred_engine_findings(g, &fs);
    vg_buf b;
    vg_buf_init(&b, 0);
    for (size_t i = 0; i < fs.n; i++) {
        char *s = vg_finding_to_json(fs.v[i]);
        vg_buf_puts(&b, s);
        vg_buf_putc(&b, '\n');
        free(s);
    }
    vg_findings_free(&fs);
    vg_cred_engine_free(g);
    free(targets);
    sg_free(&w);
    return vg_buf_steal(&b);
}

static void test_deterministic_ids(void **state)
{
    (void)state;
    char *a = run_json(77, false), *b = run_json(77, true);
    assert_true(strlen(a) > 100);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_lateness_per_source(void **state)
{
    (void)state;
    /* two sources: B's events arrive up to 8 minutes late (within its bound),
     * C stopped a day earlier (a dead feed must not hold the clock back) */
    sg_world w;
    sg_init(&w, 18, "late", 100);
    sg_normal(&w, SG_T0, 4);
    vg_ip ip = sg_ip4((203u << 24) | (0u << 16) | (113u << 8) | 50);
    for (int i = 0; i < 20; i++)
        sg_emit(&w, SG_T0 + 2 * SG_DAY + 3 * SG_HOUR + i * 30000, w.users[i].name, ip,
                VG_AUTH_BAD_PASSWORD, "50126", "x", VG_PROTO_IMAP, 0, "US");
    sg_sort(&w);
    vg_cred_engine *g = vg_cred_engine_new(NULL, NULL);
    vg_auth_event dead = w.ev[0];
    dead.file = "dead.log";
    vg_cred_engine_feed(g, &dead);
    /* deliver: every third event goes to source B, delayed by 8 minutes */
    size_t n = w.n;
    vg_auth_event *held = calloc(n, sizeof *held);
    size_t nh = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        vg_auth_event e = w.ev[i];
        if (i % 3 == 0) {
            e.file = "b.log";
            held[nh++] = e;
        } else {
            vg_cred_engine_feed(g, &e);
        }
        while (hi < nh && held[hi].time_ms <= e.time_ms - 8 * SG_MIN)
            vg_cred_engine_feed(g, &held[hi++]);
    }
    while (hi < nh)
        vg_cred_engine_feed(g, &held[hi++]);
    vg_cred_engine_flush(g);
    vg_cred_stats st;
    vg_cred_engine_stats(g, &st);
    assert_int_equal(st.late, 0);
    vg_findings fs = {0};
    vg_cred_engine_findings(g, &fs);
    dump(&fs);
    const vg_finding *f = first_kind(&fs, "cred.spray");
    assert_non_null(f);
    assert_int_equal(f->counts.accounts, 20);
    vg_findings_free(&fs);
    vg_cred_engine_free(g);
    free(held);
    sg_free(&w);
}

static void test_memory_flat(void **state)
{
    (void)state;
    /* 60 days of a 150-person organization with a trickle of internet noise:
     * state after day 30 and after day 60 is about the same size */
    sg_world w;
    sg_init(&w, 19, "flat", 150);
    sg_normal(&w, SG_T0, 60);
    for (int d = 0; d < 60; d++)
        for (int k = 0; k < 80; k++) { /* endless guessing from ever-new addresses */
            char bot[64];
            snprintf(bot, sizeof bot, "bot%06d@flat.example", (int)sg_range(&w, 0, 1000000));
            sg_emit(&w, SG_T0 + d * SG_DAY + sg_range(&w, 0, SG_DAY),
                    k % 2 ? w.users[sg_range(&w, 0, 150)].name : bot,
                    sg_ip4((100u << 24) | (uint32_t)sg_range(&w, 0, 1 << 24)),
                    k % 2 ? VG_AUTH_BAD_PASSWORD : VG_AUTH_NO_SUCH_USER, "50126", "",
                    VG_PROTO_SMTP, 0, "CN");
        }
    sg_sort(&w);
    vg_cred_engine *g = vg_cred_engine_new(NULL, NULL);
    size_t at30 = 0;
    for (size_t i = 0; i < w.n; i++) {
        vg_cred_engine_feed(g, &w.ev[i]);
        if (!at30 && w.ev[i].time_ms >= SG_T0 + 30 * SG_DAY) {
            vg_cred_stats st;
            vg_cred_engine_stats(g, &st);
            at30 = st.state_entries;
        }
    }
    vg_cred_stats st;
    vg_cred_engine_stats(g, &st);
    fprintf(stderr, "state entries: day 30 %zu, day 60 %zu (%zu bytes)\n", at30, st.state_entries,
            st.state_bytes);
    assert_true(st.state_entries < at30 * 13 / 10);
    vg_cred_engine_free(g);
    sg_free(&w);
}

static void test_cross_org_link(void **state)
{
    (void)state;
    sg_world a, b;
    sg_init(&a, 20, "alpha", 200);
    sg_init(&b, 21, "beta", 200);
    sg_normal(&a, SG_T0, 5);
    sg_normal(&b, SG_T0, 5);
    vg_ip pool[400];
    sg_pool(&a, pool, 400, 185);
    int na, nb;
    int *ta = pick_targets(&a, 200, 0.3, &na), *tb = pick_targets(&b, 200, 0.3, &nb);
    sg_slow_spray(&a, SG_T0 + 2 * SG_DAY, 2, ta, na, pool, 400, "BAV2ROPC", VG_PROTO_LEGACY_OTHER, 0);
    sg_slow_spray(&b, SG_T0 + 2 * SG_DAY, 2, tb, nb, pool, 400, "BAV2ROPC", VG_PROTO_LEGACY_OTHER, 0);
    /* one stream, both organizations */
    sg_world m;
    sg_init(&m, 22, "merged", 1);
    for (size_t i = 0; i < a.n; i++)
        sg_emit(&m, 0, "", (vg_ip){0}, 0, "", "", 0, 0, NULL), m.ev[m.n - 1] = a.ev[i];
    for (size_t i = 0; i < b.n; i++)
        sg_emit(&m, 0, "", (vg_ip){0}, 0, "", "", 0, 0, NULL), m.ev[m.n - 1] = b.ev[i];
    vg_findings fs = {0};
    run_world(&m, &fs, NULL, NULL);
    dump(&fs);
    assert_int_equal(count_kind(&fs, "cred.spray"), 2);
    for (size_t i = 0; i < fs.n; i++) {
        bool linked = false;
        for (size_t k = 0; k < fs.v[i]->reasons.n; k++)
            linked |= strstr(fs.v[i]->reasons.v[k], "Linked to cred.spray") != NULL;
        assert_true(linked);
    }
    free(ta);
    free(tb);
    vg_findings_free(&fs);
    sg_free(&m);
    sg_free(&a);
    sg_free(&b);
}

static void test_threshold_override(void **state)
{
    (void)state;
    /* raising the single-address threshold above the attack silences it */
    sg_world w;
    sg_init(&w, 23, "cfg", 100);
    sg_normal(&w, SG_T0, 3);
    vg_ip ip = sg_ip4((203u << 24) | (0u << 16) | (113u << 8) | 9);
    for (int i = 0; i < 8; i++)
        sg_emit(&w, SG_T0 + 2 * SG_DAY + 3 * SG_HOUR + i * 60000, w.users[i].name, ip,
                VG_AUTH_BAD_PASSWORD, "50126", "x", VG_PROTO_IMAP, 0, "US");
    vg_findings fs = {0};
    run_world(&w, &fs, NULL, NULL);
    assert_int_equal(count_kind(&fs, "cred.spray"), 1);
    vg_findings_free(&fs);
    run_world(&w, &fs, NULL,
              "signins:\n  thresholds: {spray_ip_min_accounts: 50, spray_min_accounts: 50}\n");
    assert_int_equal(count_kind(&fs, "cred.spray"), 0);
    vg_findings_free(&fs);
    /* a bad value names its line */
    vg_error e = {0};
    const char *bad = "signins:\n  thresholds:\n    spray_min_accounts: lots\n";
    vg_yaml_doc *doc = vg_yaml_load_string(bad, strlen(bad), "bad.yaml", &e);
    assert_non_null(doc);
    assert_null(vg_cred_engine_new(vg_yaml_root(doc), &e));
    assert_non_null(strstr(e.msg, "line 3"));
    vg_yaml_free(doc);
    sg_free(&w);
}

static void test_baseline_roundtrip(void **state)
{
    (void)state;
    sg_world w;
    sg_init(&w, 24, "bl", 40);
    sg_normal(&w, SG_T0, 3);
    sg_sort(&w);
    vg_cred_engine *g = vg_cred_engine_new(NULL, NULL);
    for (size_t i = 0; i < w.n; i++)
        vg_cred_engine_feed(g, &w.ev[i]);
    vg_cred_engine_flush(g);
    char *json = vg_cred_baselines_export_json(g);
    assert_true(strlen(json) > 100);
    vg_cred_engine *h = vg_cred_engine_new(NULL, NULL);
    vg_error e = {0};
    assert_int_equal(vg_cred_baselines_import_json(h, json, strlen(json), &e), VG_OK);
    char *again = vg_cred_baselines_export_json(h);
    assert_string_equal(json, again);
    /* the imported baseline makes the user's home familiar: failures from it
     * are not counted as an attack */
    vg_auth_event ev = w.ev[0];
    sg_user *u = &w.users[0];
    ev.account = u->name;
    ev.ip = sg_user_home(u);
    ev.result = VG_AUTH_BAD_PASSWORD;
    for (int k = 0; k < 30; k++) {
        ev.time_ms = SG_T0 + 4 * SG_DAY + k * 10000;
        vg_cred_engine_feed(h, &ev);
    }
    vg_cred_engine_flush(h);
    vg_findings fs = {0};
    vg_cred_engine_findings(h, &fs);
    assert_int_equal(count_kind(&fs, "cred.bruteforce"), 0);
    vg_findings_free(&fs);
    assert_int_not_equal(vg_cred_baselines_import_json(h, "{not json\n", 10, &e), VG_OK);
    free(json);
    free(again);
    vg_cred_engine_free(g);
    vg_cred_engine_free(h);
    sg_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_org),
        cmocka_unit_test(test_slow_spray_rare_agent),
        cmocka_unit_test(test_slow_spray_common_browser),
        cmocka_unit_test(test_slow_spray_rotating_agents),
        cmocka_unit_test(test_strontium_spray),
        cmocka_unit_test(test_single_ip_spray),
        cmocka_unit_test(test_clinic_spray),
        cmocka_unit_test(test_stuffing),
        cmocka_unit_test(test_strontium_bruteforce),
        cmocka_unit_test(test_distributed_bruteforce),
        cmocka_unit_test(test_low_and_slow),
        cmocka_unit_test(test_compromise_and_traveler),
        cmocka_unit_test(test_bruteforce_then_success),
        cmocka_unit_test(test_office_nat_typos),
        cmocka_unit_test(test_mfa_and_interrupts_at_home),
        cmocka_unit_test(test_activesync_after_reset),
        cmocka_unit_test(test_stale_service_account),
        cmocka_unit_test(test_deterministic_ids),
        cmocka_unit_test(test_lateness_per_source),
        cmocka_unit_test(test_memory_flat),
        cmocka_unit_test(test_cross_org_link),
        cmocka_unit_test(test_threshold_override),
        cmocka_unit_test(test_baseline_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
