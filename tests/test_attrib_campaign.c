/* test_attrib_campaign.c — campaigns across organizations: a private pool of
 * addresses shared by sprays at several organizations makes one campaign;
 * sprays sharing only Tor exits do not; actors never merge; benign shapes
 * stay out; ids stay stable across runs through growth, merges and splits. */
#include "attrib_fixture.h"

static vg_catalog *cat;
static vg_iocset *iocs;
static const vg_org_info orgs[] = {
    {"helix", "CA", "pharmaceutical"}, {"orion", "FR", "vaccine research"},
    {"vega", "IN", "pharmaceutical"},  {"sirius", "KR", "biotech"},
    {"lyra", "US", "clinical research"}, {"acme", "US", "retail"},
};
#define N_ORGS (sizeof orgs / sizeof orgs[0])

static int setup(void **st)
{
    (void)st;
    cat = fx_catalog();
    const char *files[] = {"tests/fixtures/intel/strontium.stix.json",
                           "tests/fixtures/intel/tor-exit-addresses.txt", NULL};
    iocs = fx_iocs(cat, files);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    vg_iocset_free(iocs);
    vg_catalog_free(cat);
    return 0;
}

static void build(vg_findings *l, const vg_campaigns *prev, vg_campaigns *out)
{
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, N_ORGS);
    vg_attrib_findings(a, l);
    vg_attrib_free(a);
    vg_campaign_opts o = {.iocs = iocs};
    vg_error e = {0};
    assert_int_equal(vg_campaigns_build(l, orgs, N_ORGS, prev, &o, out, &e), VG_OK);
}

/* The private pool: 40 addresses in two hosting ranges, none in any intel. */
static const char *pool(int i)
{
    static char buf[64][32];
    snprintf(buf[i % 64], sizeof buf[0], "%s.%d", i % 2 ? "146.70.38" : "37.120.204", 10 + i);
    return buf[i % 64];
}

static vg_finding *pool_spray(const char *org, const char *t0, int start, int count, int compromised)
{
    const char *ips[40];
    for (int i = 0; i < count; i++)
        ips[i] = pool((start + i) % 40);
    char key[64];
    snprintf(key, sizeof key, "pool-%s", org);
    return fx_spray(org, key, t0, NULL, ips, (size_t)count, 25, compromised);
}

static void test_private_pool_one_campaign(void **st)
{
    (void)st;
    vg_findings l = {0};
    vg_findings_push(&l, pool_spray("helix", "2020-10-01T08:00:00Z", 0, 12, 0));
    vg_findings_push(&l, pool_spray("orion", "2020-10-03T08:00:00Z", 8, 12, 1));
    vg_findings_push(&l, pool_spray("vega", "2020-10-06T08:00:00Z", 16, 12, 0));
    vg_findings_push(&l, pool_spray("sirius", "2020-10-09T08:00:00Z", 24, 12, 2));
    vg_findings_push(&l, pool_spray("lyra", "2020-10-12T08:00:00Z", 30, 12, 0));
    /* an unrelated spray at the retailer from elsewhere */
    const char *other[] = {"81.2.69.160", "81.2.69.161", "81.2.69.162"};
    vg_findings_push(&l, fx_spray("acme", "other", "2020-10-05T08:00:00Z", NULL, other, 3, 30, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 2);
    const vg_campaign *c = vg_campaigns_of_finding(&cs, l.v[0]->id);
    assert_non_null(c);
    assert_int_equal(c->findings.n, 5);
    assert_int_equal(c->orgs.n, 5);
    assert_int_equal(c->countries.n, 5); /* CA FR IN KR US */
    assert_true(vg_strlist_has(&c->countries, "KR"));
    assert_null(c->actor); /* nobody attributed it: unattributed, but one campaign */
    assert_int_equal(c->attempts, 5 * 75);
    assert_int_equal(c->succeeded, 3);
    assert_int_equal(c->blocked, 5 * 75 - 3);
    assert_int_equal(c->compromised.n, 3);
    assert_true(vg_strlist_has(&c->compromised, "orion:user00@orion.example"));
    assert_true(vg_strlist_has(&c->techniques, "T1110.003"));
    assert_int_equal(c->first_seen, fx_ts("2020-10-01T08:00:00Z"));
    assert_int_equal(c->last_seen, fx_ts("2020-10-12T08:00:00Z"));
    assert_true(c->ips.n > 0);
    assert_true(fx_has(&c->reasons, "linked by infrastructure"));
    const vg_campaign *d = vg_campaigns_of_finding(&cs, l.v[5]->id);
    assert_ptr_not_equal(c, d);
    assert_int_equal(d->findings.n, 1);
    /* the id is the hash of the earliest member */
    char want[19];
    vg_sha256 h;
    vg_sha256_init(&h);
    vg_sha256_update(&h, "campaign", 9);
    vg_sha256_update(&h, l.v[0]->id, strlen(l.v[0]->id) + 1);
    uint8_t dg[32];
    vg_sha256_final(&h, dg);
    want[0] = 'c';
    want[1] = '-';
    vg_hex(dg, 8, want + 2);
    assert_string_equal(c->id, want);
    /* output order: first_seen */
    assert_true(cs.v[0]->first_seen <= cs.v[1]->first_seen);
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

static void test_tor_only_not_one_campaign(void **st)
{
    (void)st;
    /* Two sprays at two organizations from the same Tor exits (and their own,
     * unrelated addresses): shared anonymity infrastructure links nothing.
     * (185.220.101.44 is left out: the STIX fixture ties that exit to
     * STRONTIUM, which would make both moderate STRONTIUM, one actor.) */
    const char *a[] = {"2a0b:f4c2::1", "185.220.101.45", "185.220.102.8", "81.2.69.10"};
    const char *b[] = {"2a0b:f4c2::1", "185.220.101.45", "185.220.102.8", "5.39.217.3"};
    vg_findings l = {0};
    vg_findings_push(&l, fx_spray("acme", "t1", "2020-10-01T08:00:00Z", NULL, a, 4, 30, 0));
    vg_findings_push(&l, fx_spray("helix", "t2", "2020-10-02T08:00:00Z", NULL, b, 4, 30, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i]->attribution.confidence >= VG_CONF_MODERATE)
            fx_dump(l.v[i]);
    assert_int_equal(cs.n, 2);
    assert_ptr_not_equal(vg_campaigns_of_finding(&cs, l.v[0]->id),
                         vg_campaigns_of_finding(&cs, l.v[1]->id));
    vg_campaigns_free(&cs);
    /* Control: without knowing those are Tor exits, three common addresses
     * would link them. */
    vg_error e = {0};
    assert_int_equal(vg_campaigns_build(&l, orgs, N_ORGS, NULL, NULL, &cs, &e), VG_OK);
    assert_int_equal(cs.n, 1);
    vg_campaigns_free(&cs);
    /* The same two sprays sharing two private addresses besides: one. */
    vg_strlist_add(&l.v[0]->entities.ips, "37.120.204.99");
    vg_strlist_add(&l.v[1]->entities.ips, "37.120.204.99");
    vg_strlist_add(&l.v[0]->entities.ips, "37.120.204.98");
    vg_strlist_add(&l.v[1]->entities.ips, "37.120.204.98");
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 1);
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

static void test_single_shared_ip_and_netblock(void **st)
{
    (void)st;
    /* one common address among many is not enough; a /24 alone is not either */
    const char *a[] = {"37.120.204.1", "37.120.204.2", "37.120.204.3", "81.2.69.1"};
    const char *b[] = {"37.120.204.1", "146.70.38.50", "146.70.38.51", "146.70.38.52"};
    const char *c[] = {"37.120.204.200", "37.120.204.201"};
    vg_findings l = {0};
    vg_findings_push(&l, fx_spray("acme", "n1", "2020-10-01T08:00:00Z", NULL, a, 4, 30, 0));
    vg_findings_push(&l, fx_spray("helix", "n2", "2020-10-02T08:00:00Z", NULL, b, 4, 30, 0));
    vg_findings_push(&l, fx_spray("orion", "n3", "2020-10-02T08:00:00Z", NULL, c, 2, 30, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 3);
    vg_campaigns_free(&cs);
    /* a single-address spray whose only address another spray used: linked */
    const char *d[] = {"146.70.38.51"};
    vg_findings_push(&l, fx_spray("vega", "n4", "2020-10-03T08:00:00Z", NULL, d, 1, 30, 0));
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 3);
    assert_ptr_equal(vg_campaigns_of_finding(&cs, l.v[1]->id),
                     vg_campaigns_of_finding(&cs, l.v[3]->id));
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

static void test_actor_and_benign(void **st)
{
    (void)st;
    vg_findings l = {0};
    /* STRONTIUM (high) at two organizations from different addresses */
    const char *a[] = {"45.153.231.17"};
    const char *b[] = {"91.219.236.5"};
    vg_findings_push(&l, fx_spray("helix", "x1", "2020-10-01T08:00:00Z", NULL, a, 1, 30, 0));
    vg_findings_push(&l, fx_spray("orion", "x2", "2020-10-20T08:00:00Z", NULL, b, 1, 30, 1));
    /* a phishing message at helix carrying the STRONTIUM lure document */
    vg_finding *z = fx_finding("phish.attachment", "helix", "z1", "2020-10-05T08:00:00Z", NULL);
    vg_strlist_add(&z->entities.hashes, "0cc175b9c0f1b6a831c399e269772661"); /* STRONTIUM lure doc */
    vg_findings_push(&l, z);
    /* a stale-credential trap from the STRONTIUM address: in no campaign */
    vg_finding *s = fx_finding("cred.stale_credentials", "helix", "svc", "2020-10-01T00:00:00Z",
                               "2020-10-30T00:00:00Z");
    vg_strlist_add(&s->entities.ips, "45.153.231.17");
    vg_findings_push(&l, s);
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    const vg_campaign *c = vg_campaigns_of_finding(&cs, l.v[0]->id);
    assert_non_null(c);
    assert_string_equal(c->actor, "STRONTIUM");
    assert_int_equal(c->confidence, VG_CONF_HIGH);
    assert_true(vg_strlist_has(&c->findings, l.v[1]->id));
    assert_true(vg_strlist_has(&c->findings, l.v[2]->id)); /* its lure hash is STRONTIUM's */
    assert_true(vg_strlist_has(&c->aliases, "APT28"));
    assert_int_equal(c->orgs.n, 2);
    assert_null(vg_campaigns_of_finding(&cs, l.v[3]->id));
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

static void test_different_actors_never_merge(void **st)
{
    (void)st;
    /* Two findings attributed to different actors that share an address:
     * the address is shared infrastructure, and actors never merge. */
    vg_findings l = {0};
    const char *a[] = {"45.153.231.17", "37.120.204.7", "37.120.204.8"};
    vg_findings_push(&l, fx_spray("helix", "d1", "2020-10-01T08:00:00Z", NULL, a, 3, 30, 0));
    vg_finding *z = fx_finding("phish.attachment", "orion", "d2", "2020-10-02T08:00:00Z", NULL);
    vg_strlist_add(&z->roles.attacker_ips, "37.120.204.7");
    vg_strlist_add(&z->roles.attacker_ips, "37.120.204.8");
    vg_findings_push(&l, z);
    vg_attrib *at = vg_attrib_new(cat, iocs, orgs, N_ORGS);
    vg_attrib_findings(at, &l);
    vg_attrib_free(at);
    /* pretend another source attributed the mail to ZINC at high confidence */
    free(z->attribution.actor);
    z->attribution.actor = vg_xstrdup("ZINC");
    z->attribution.confidence = VG_CONF_HIGH;
    vg_campaigns cs = {0};
    vg_error e = {0};
    vg_campaign_opts o = {.iocs = iocs};
    assert_int_equal(vg_campaigns_build(&l, orgs, N_ORGS, NULL, &o, &cs, &e), VG_OK);
    assert_int_equal(cs.n, 2);
    assert_string_equal(vg_campaigns_of_finding(&cs, l.v[0]->id)->actor, "STRONTIUM");
    assert_string_equal(vg_campaigns_of_finding(&cs, l.v[1]->id)->actor, "ZINC");
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

static void test_stable_ids(void **st)
{
    (void)st;
    /* run 1: two separate campaigns A (earlier) and B */
    const char *pa[] = {"37.120.204.1", "37.120.204.2"};
    const char *pb[] = {"146.70.38.1", "146.70.38.2"};
    vg_findings l = {0};
    vg_findings_push(&l, fx_spray("helix", "a", "2020-10-01T08:00:00Z", NULL, pa, 2, 10, 0));
    vg_findings_push(&l, fx_spray("orion", "b", "2020-10-02T08:00:00Z", NULL, pb, 2, 10, 0));
    vg_campaigns r1 = {0};
    build(&l, NULL, &r1);
    assert_int_equal(r1.n, 2);
    char ida[19], idb[19];
    memcpy(ida, vg_campaigns_of_finding(&r1, l.v[0]->id)->id, 19);
    memcpy(idb, vg_campaigns_of_finding(&r1, l.v[1]->id)->id, 19);
    assert_string_not_equal(ida, idb);

    /* replay: same ids, same revisions */
    vg_campaigns again = {0};
    build(&l, &r1, &again);
    assert_string_equal(vg_campaigns_of_finding(&again, l.v[0]->id)->id, ida);
    assert_int_equal(vg_campaigns_of_finding(&again, l.v[0]->id)->revision, 1);
    vg_campaigns_free(&again);

    /* run 2: a new finding using both pools merges them: the oldest id stays */
    const char *pc[] = {"37.120.204.1", "37.120.204.2", "146.70.38.1", "146.70.38.2"};
    vg_findings_push(&l, fx_spray("vega", "c", "2020-10-03T08:00:00Z", NULL, pc, 4, 10, 0));
    vg_campaigns r2 = {0};
    build(&l, &r1, &r2);
    assert_int_equal(r2.n, 1);
    assert_string_equal(r2.v[0]->id, ida);
    assert_true(vg_strlist_has(&r2.v[0]->merged, idb));
    assert_int_equal(r2.v[0]->revision, 2);
    assert_int_equal(r2.v[0]->findings.n, 3);

    /* through JSON, as the store would keep them */
    char *js = vg_campaign_to_json(r2.v[0]);
    vg_error e = {0};
    vg_campaign *back = vg_campaign_from_json(js, strlen(js), &e);
    assert_non_null(back);
    char *js2 = vg_campaign_to_json(back);
    assert_string_equal(js, js2);
    free(js);
    free(js2);
    vg_campaigns r2j = {0};
    vg_campaigns_push(&r2j, back);
    assert_null(vg_campaign_from_json("{\"id\":\"x\"}", 10, &e));
    assert_null(vg_campaign_from_json("{", 1, &e));

    /* run 3: the linking finding is gone (say it was suppressed): a split.
     * The part with the earliest member keeps the id, the other gets a fresh
     * one different from every earlier id. */
    l.v[2]->suppressed = true;
    vg_campaigns r3 = {0};
    build(&l, &r2j, &r3);
    assert_int_equal(r3.n, 2);
    const vg_campaign *ca = vg_campaigns_of_finding(&r3, l.v[0]->id);
    const vg_campaign *cb = vg_campaigns_of_finding(&r3, l.v[1]->id);
    assert_string_equal(ca->id, ida);
    assert_string_not_equal(cb->id, ida);
    assert_int_equal(ca->revision, 3);
    assert_int_equal(cb->revision, 1);
    vg_campaigns_free(&r1);
    vg_campaigns_free(&r2);
    vg_campaigns_free(&r2j);
    vg_campaigns_free(&r3);
    vg_findings_free(&l);
}

static void test_growth_keeps_id(void **st)
{
    (void)st;
    vg_findings l = {0};
    vg_findings_push(&l, pool_spray("helix", "2020-10-01T08:00:00Z", 0, 10, 0));
    vg_campaigns r1 = {0};
    build(&l, NULL, &r1);
    vg_findings_push(&l, pool_spray("orion", "2020-10-02T08:00:00Z", 2, 10, 0));
    vg_campaigns r2 = {0};
    build(&l, &r1, &r2);
    assert_int_equal(r2.n, 1);
    assert_string_equal(r2.v[0]->id, r1.v[0]->id);
    assert_int_equal(r2.v[0]->revision, 2);
    /* a finding earlier than every member joins later: the id still stays */
    vg_findings_push(&l, pool_spray("vega", "2020-09-28T08:00:00Z", 4, 10, 0));
    vg_campaigns r3 = {0};
    build(&l, &r2, &r3);
    assert_int_equal(r3.n, 1);
    assert_string_equal(r3.v[0]->id, r1.v[0]->id);
    assert_int_equal(r3.v[0]->first_seen, fx_ts("2020-09-28T08:00:00Z"));
    vg_campaigns_free(&r1);
    vg_campaigns_free(&r2);
    vg_campaigns_free(&r3);
    vg_findings_free(&l);
}


/* Documentation and benchmarking ranges stand in for public addresses (tests,
 * the demo): they link. Internal addresses (RFC 1918, CGNAT, loopback) are
 * everyone's and link nothing. */
static void test_internal_addresses_link_nothing(void **st)
{
    (void)st;
    const char *bench_a[] = {"198.18.7.10", "198.19.200.4", "203.0.113.9"};
    const char *bench_b[] = {"198.18.7.10", "198.19.200.4", "192.0.2.77"};
    const char *priv_a[] = {"10.1.2.3", "192.168.1.20", "100.64.3.3", "81.2.69.1"};
    const char *priv_b[] = {"10.1.2.3", "192.168.1.20", "100.64.3.3", "5.39.217.9"};
    vg_findings l = {0};
    vg_findings_push(&l, fx_spray("helix", "d1", "2020-10-01T08:00:00Z", NULL, bench_a, 3, 20, 0));
    vg_findings_push(&l, fx_spray("orion", "d2", "2020-10-02T08:00:00Z", NULL, bench_b, 3, 20, 0));
    vg_findings_push(&l, fx_spray("vega", "p1", "2020-10-01T08:00:00Z", NULL, priv_a, 4, 20, 0));
    vg_findings_push(&l, fx_spray("sirius", "p2", "2020-10-02T08:00:00Z", NULL, priv_b, 4, 20, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 3);
    const vg_campaign *c = vg_campaigns_of_finding(&cs, l.v[0]->id);
    assert_ptr_equal(c, vg_campaigns_of_finding(&cs, l.v[1]->id));
    assert_true(vg_strlist_has(&c->ips, "198.18.7.10"));
    assert_ptr_not_equal(vg_campaigns_of_finding(&cs, l.v[2]->id),
                         vg_campaigns_of_finding(&cs, l.v[3]->id));
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

/* A pool spread over many networks says nothing about a few unrelated
 * addresses that fall into some of them; two sprays concentrated in the same
 * few networks are one operation. */
static void test_network_overlap_both_sides(void **st)
{
    (void)st;
    /* a 300-address pool over 100 /24s of 146.70.0.0/16 */
    static char pool_ips[300][24];
    const char *big[300];
    for (int i = 0; i < 300; i++) {
        snprintf(pool_ips[i], sizeof pool_ips[i], "146.70.%d.%d", i % 100, 10 + i / 100);
        big[i] = pool_ips[i];
    }
    /* five other addresses in five of those networks */
    const char *few[] = {"146.70.3.200", "146.70.7.200", "146.70.11.200", "146.70.13.200",
                         "146.70.17.200"};
    /* two sprays from distinct addresses in the same four networks */
    const char *x[] = {"37.120.1.5", "37.120.2.5", "37.120.3.5", "37.120.4.5"};
    const char *y[] = {"37.120.1.9", "37.120.2.9", "37.120.3.9", "37.120.4.9", "37.120.4.10"};
    vg_findings l = {0};
    vg_findings_push(&l, fx_spray("helix", "big", "2020-10-01T08:00:00Z", "2020-10-09T08:00:00Z",
                                  big, 300, 40, 0));
    vg_findings_push(&l, fx_spray("orion", "few", "2020-10-03T08:00:00Z", NULL, few, 5, 20, 0));
    vg_findings_push(&l, fx_spray("vega", "x", "2020-10-03T08:00:00Z", NULL, x, 4, 20, 0));
    vg_findings_push(&l, fx_spray("sirius", "y", "2020-10-05T08:00:00Z", NULL, y, 5, 20, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 3);
    assert_ptr_not_equal(vg_campaigns_of_finding(&cs, l.v[0]->id),
                         vg_campaigns_of_finding(&cs, l.v[1]->id));
    assert_ptr_equal(vg_campaigns_of_finding(&cs, l.v[2]->id),
                     vg_campaigns_of_finding(&cs, l.v[3]->id));
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

/* IPv6 sources reported as /64 prefixes and as addresses are one source. */
static void test_ipv6_prefixes(void **st)
{
    (void)st;
    const char *a[] = {"2001:db8:aa:1::/64", "2001:db8:aa:2::/64"};
    const char *b[] = {"2001:db8:aa:1:5:6:7:8", "2001:db8:aa:2::9"};
    const char *c[] = {"2001:db8:bb:1::1", "2001:db8:cc:2::1"};
    vg_findings l = {0};
    vg_findings_push(&l, fx_spray("helix", "v1", "2020-10-01T08:00:00Z", NULL, a, 2, 20, 0));
    vg_findings_push(&l, fx_spray("orion", "v2", "2020-10-02T08:00:00Z", NULL, b, 2, 20, 0));
    vg_findings_push(&l, fx_spray("vega", "v3", "2020-10-02T08:00:00Z", NULL, c, 2, 20, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 2);
    const vg_campaign *k = vg_campaigns_of_finding(&cs, l.v[0]->id);
    assert_ptr_equal(k, vg_campaigns_of_finding(&cs, l.v[1]->id));
    assert_true(vg_strlist_has(&k->ips, "2001:db8:aa:1::/64"));
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

/* A per-address spray is part of the organization-wide spray whose address
 * list is cut short (a finding lists at most VG_FINDING_MAX_IPS addresses):
 * its accounts all among the big one's, its time within. */
static void test_part_of_truncated_spray(void **st)
{
    (void)st;
    static char ipbuf[200][24];
    const char *listed[200];
    for (int i = 0; i < 200; i++) {
        snprintf(ipbuf[i], sizeof ipbuf[i], "198.18.%d.%d", i / 2, 1 + i % 2);
        listed[i] = ipbuf[i];
    }
    vg_findings l = {0};
    vg_finding *big = fx_spray("helix", "wide", "2020-10-01T08:00:00Z", "2020-10-10T08:00:00Z",
                               listed, 200, 40, 0);
    big->counts.ips = 1000; /* 800 more not listed */
    vg_findings_push(&l, big);
    /* one unlisted address against 8 of the same accounts, within the span */
    const char *one[] = {"198.19.40.40"};
    vg_finding *part = fx_spray("helix", "one", "2020-10-04T08:00:00Z", "2020-10-04T09:00:00Z", one,
                                1, 8, 0);
    vg_findings_push(&l, part);
    /* the same shape against accounts the big spray never tried: another attack */
    const char *two[] = {"198.19.41.41"};
    vg_finding *other = fx_spray("helix", "two", "2020-10-04T08:00:00Z", NULL, two, 1, 8, 0);
    vg_strlist_free(&other->entities.accounts);
    for (int i = 0; i < 8; i++)
        vg_strlist_addf(&other->entities.accounts, "svc%02d@helix.example", i);
    vg_findings_push(&l, other);
    /* at another organization: accounts are per organization */
    const char *three[] = {"198.19.42.42"};
    vg_findings_push(&l, fx_spray("orion", "three", "2020-10-04T08:00:00Z", NULL, three, 1, 8, 0));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 3);
    const vg_campaign *c = vg_campaigns_of_finding(&cs, big->id);
    assert_ptr_equal(c, vg_campaigns_of_finding(&cs, part->id));
    assert_true(fx_has(&c->reasons, "addresses among the 1000"));
    assert_ptr_not_equal(c, vg_campaigns_of_finding(&cs, other->id));
    vg_campaigns_free(&cs);
    /* when every address is listed, an unlisted one is known not to be its */
    big->counts.ips = 200;
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 4);
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

static vg_finding *lure(const char *org, const char *key, const char *t, const char *kind,
                        const char *msg, const char *sender, const char *to)
{
    vg_finding *f = fx_finding(kind, org, key, t, NULL);
    vg_strlist_add(&f->attack, "T1566.001");
    const char *at = strrchr(sender, '@');
    vg_strlist_add(&f->entities.domains, at + 1);
    vg_strlist_add(&f->entities.accounts, sender);
    vg_strlist_add(&f->entities.accounts, to);
    vg_strlist_add(&f->roles.targeted, to);
    vg_strlist_add(&f->entities.messages, msg);
    f->counts.messages = 1;
    vg_strlist_add(&f->reasons, "a free-mail sender with a lure");
    return f;
}

/* The findings several detectors make about one message belong together;
 * a free-mail account (not its provider) links messages across
 * organizations; recipients never do. */
static void test_same_message_and_sender_address(void **st)
{
    (void)st;
    vg_findings l = {0};
    const char *m1 = "9a1d0000000000000000000000000000000000000000000000000000000000a1";
    vg_findings_push(&l, lure("helix", "a1", "2020-11-02T08:00:00Z", "phish.attachment", m1,
                              "jane.recruits@gmail.com", "dr.li@helix.example"));
    vg_findings_push(&l, lure("helix", "a2", "2020-11-02T08:00:00Z", "phish.lure", m1,
                              "jane.recruits@gmail.com", "dr.li@helix.example"));
    vg_findings_push(&l, lure("helix", "a3", "2020-11-02T08:00:00Z", "phish.impersonation", m1,
                              "jane.recruits@gmail.com", "dr.li@helix.example"));
    /* the same sender at another organization */
    vg_findings_push(&l, lure("orion", "b1", "2020-11-04T08:00:00Z", "phish.attachment",
                              "9a1d0000000000000000000000000000000000000000000000000000000000b1",
                              "jane.recruits@gmail.com", "p.roux@orion.example"));
    /* another gmail sender to the same recipient as the first: not linked */
    vg_findings_push(&l, lure("helix", "c1", "2020-11-05T08:00:00Z", "phish.attachment",
                              "9a1d0000000000000000000000000000000000000000000000000000000000c1",
                              "prize.office@gmail.com", "dr.li@helix.example"));
    vg_campaigns cs = {0};
    build(&l, NULL, &cs);
    assert_int_equal(cs.n, 2);
    const vg_campaign *c = vg_campaigns_of_finding(&cs, l.v[0]->id);
    assert_int_equal(c->findings.n, 4);
    assert_int_equal(c->orgs.n, 2);
    assert_true(fx_has(&c->reasons, "sender jane.recruits@gmail.com"));
    assert_ptr_not_equal(c, vg_campaigns_of_finding(&cs, l.v[4]->id));
    assert_int_equal(c->domains.n, 0); /* gmail.com is nobody's infrastructure */
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
}

/* ZINC's recruiter lures: a high-confidence one (its recruiter domain), a
 * free-mail one at the same organization that only fits ZINC's profile (low),
 * and the recipient's later sign-in from a ZINC server make one campaign; the
 * same low-confidence lure at another organization does not join it by
 * profile alone. */
static void test_zinc_recruiter_campaign(void **st)
{
    (void)st;
    vg_findings l = {0};
    vg_finding *hi = lure("helix", "z1", "2020-11-02T08:00:00Z", "phish.attachment",
                          "5a1d0000000000000000000000000000000000000000000000000000000000a1",
                          "talent.acquisition@careers-lockheed-jobs.com", "dr.li@helix.example");
    vg_findings_push(&l, hi);
    const char *why[] = {
        "the Office attachment \"quillon_pharma_Senior_Scientist_Job_Description.docm\" carries "
        "VBA macros",
        "COVID-19 / vaccine / public health lure: \"vaccin*\" and others (2 phrases, in the "
        "subject)"};
    vg_finding *lo = lure("helix", "z2", "2020-11-04T08:00:00Z", "phish.attachment",
                          "5a1d0000000000000000000000000000000000000000000000000000000000a2",
                          "emma.taylor.hr@outlook.com", "m.gupta@helix.example");
    vg_strlist_add(&lo->reasons, why[0]);
    vg_strlist_add(&lo->reasons, why[1]);
    vg_findings_push(&l, lo);
    vg_finding *away = lure("orion", "z3", "2020-11-05T08:00:00Z", "phish.attachment",
                            "5a1d0000000000000000000000000000000000000000000000000000000000a3",
                            "sarah.kim.recruit@yahoo.com", "p.roux@orion.example");
    vg_strlist_add(&away->reasons, why[0]);
    vg_findings_push(&l, away);
    /* the recipient signs in from a ZINC server two days later */
    vg_finding *si =
        fx_finding("ioc.match", "helix", "ip:175.45.178.19", "2020-11-06T08:00:00Z", NULL);
    vg_strlist_add(&si->entities.ips, "175.45.178.19");
    vg_strlist_add(&si->roles.attacker_ips, "175.45.178.19");
    vg_strlist_add(&si->entities.accounts, "m.gupta@helix.example");
    vg_strlist_add(&si->roles.compromised, "m.gupta@helix.example");
    si->outcome = VG_OUT_SUCCEEDED;
    vg_findings_push(&l, si);
    /* an unrelated spray at helix the same week */
    const char *ips[] = {"81.2.69.160", "81.2.69.161"};
    vg_findings_push(&l, fx_spray("helix", "z5", "2020-11-03T08:00:00Z", NULL, ips, 2, 30, 0));

    /* the zinc fixture is MISP: load it beside the others */
    vg_iocset *z = fx_iocs(cat, (const char *[]){"tests/fixtures/intel/zinc.misp.json",
                                                 "tests/fixtures/intel/tor-exit-addresses.txt",
                                                 NULL});
    vg_attrib *a = vg_attrib_new(cat, z, orgs, N_ORGS);
    vg_attrib_findings(a, &l);
    vg_attrib_free(a);
    assert_int_equal(hi->attribution.confidence, VG_CONF_HIGH);
    if (lo->attribution.confidence != VG_CONF_LOW)
        fx_dump(lo);
    assert_string_equal(lo->attribution.actor, "ZINC");
    assert_int_equal(lo->attribution.confidence, VG_CONF_LOW);
    assert_string_equal(si->attribution.actor, "ZINC");
    vg_campaign_opts o = {.iocs = z};
    vg_campaigns cs = {0};
    vg_error e = {0};
    assert_int_equal(vg_campaigns_build(&l, orgs, N_ORGS, NULL, &o, &cs, &e), VG_OK);
    const vg_campaign *c = vg_campaigns_of_finding(&cs, hi->id);
    assert_string_equal(c->actor, "ZINC");
    assert_int_equal(c->confidence, VG_CONF_HIGH);
    assert_true(vg_strlist_has(&c->findings, lo->id));
    assert_true(vg_strlist_has(&c->findings, si->id));
    assert_true(vg_strlist_has(&c->compromised, "helix:m.gupta@helix.example"));
    assert_true(fx_has(&c->reasons, "only by a profile fit"));
    const vg_campaign *d = vg_campaigns_of_finding(&cs, away->id);
    assert_ptr_not_equal(c, d);
    assert_string_equal(d->actor, "ZINC");
    assert_int_equal(d->confidence, VG_CONF_LOW);
    assert_ptr_not_equal(c, vg_campaigns_of_finding(&cs, l.v[4]->id));
    assert_int_equal(cs.n, 3);
    vg_campaigns_free(&cs);
    vg_findings_free(&l);
    vg_iocset_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_pool_one_campaign),
        cmocka_unit_test(test_tor_only_not_one_campaign),
        cmocka_unit_test(test_single_shared_ip_and_netblock),
        cmocka_unit_test(test_actor_and_benign),
        cmocka_unit_test(test_different_actors_never_merge),
        cmocka_unit_test(test_stable_ids),
        cmocka_unit_test(test_growth_keeps_id),
        cmocka_unit_test(test_internal_addresses_link_nothing),
        cmocka_unit_test(test_network_overlap_both_sides),
        cmocka_unit_test(test_ipv6_prefixes),
        cmocka_unit_test(test_part_of_truncated_spray),
        cmocka_unit_test(test_same_message_and_sender_address),
        cmocka_unit_test(test_zinc_recruiter_campaign),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
