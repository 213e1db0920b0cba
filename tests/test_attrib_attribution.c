/* test_attrib_attribution.c — attribution with honest confidence: indicator
 * evidence (valid, expired, on shared addresses), the same infrastructure as
 * a high-confidence finding, profile fit with and without corroboration,
 * technique fit alone, ambiguous names, and benign traps. */
#include "attrib_fixture.h"

static vg_catalog *cat;
static vg_iocset *iocs;
static const vg_org_info orgs[] = {
    {"helix", "CA", "pharmaceutical"},
    {"orion", "FR", "vaccine research"},
    {"acme", "US", "retail"},
};

static int setup(void **st)
{
    (void)st;
    cat = fx_catalog();
    const char *files[] = {"tests/fixtures/intel/strontium.stix.json",
                           "tests/fixtures/intel/zinc.misp.json",
                           "tests/fixtures/intel/blocklist.txt",
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

static vg_finding *run_one(vg_finding *f)
{
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, 3);
    vg_attrib_finding(a, f);
    vg_attrib_free(a);
    if (getenv("VIGIL_TEST_DUMP"))
        fx_dump(f);
    return f;
}

static void test_high_with_valid_indicator(void **st)
{
    (void)st;
    const char *ips[] = {"45.153.231.17", "81.2.69.142"};
    vg_finding *f = run_one(fx_spray("helix", "s1", "2020-10-15T08:00:00Z",
                                     "2020-10-15T09:00:00Z", ips, 2, 20, 0));
    if (!f->attribution.actor)
        fx_dump(f);
    assert_string_equal(f->attribution.actor, "STRONTIUM");
    assert_int_equal(f->attribution.confidence, VG_CONF_HIGH);
    assert_true(fx_has(&f->attribution.evidence, "45.153.231.17 is a STRONTIUM indicator"));
    assert_true(fx_has(&f->attribution.evidence, "indicator--1f0a9e43-1b8c-4f3a-9a0e-7e1a7c1e0001"));
    assert_true(vg_strlist_has(&f->attribution.aliases, "APT28"));
    /* a /24 indicator (through the campaign's attributed-to) is just as good */
    const char *ips2[] = {"91.219.236.77"};
    vg_finding *g = run_one(fx_spray("orion", "s2", "2020-10-20T08:00:00Z", NULL, ips2, 1, 12, 0));
    assert_string_equal(g->attribution.actor, "STRONTIUM");
    assert_int_equal(g->attribution.confidence, VG_CONF_HIGH);
    assert_true(fx_has(&g->attribution.evidence, "inside a listed range"));
    /* re-running is idempotent */
    run_one(g);
    assert_int_equal(g->attribution.confidence, VG_CONF_HIGH);
    assert_int_equal(g->attribution.evidence.n, g->attribution.evidence.n);
    vg_finding_free(f);
    vg_finding_free(g);
}

static void test_expired_indicator(void **st)
{
    (void)st;
    /* The same kind of spray from an address that was a STRONTIUM indicator
     * in 2019 only: not high, and technique + sector alone do not name it. */
    const char *ips[] = {"185.86.148.227"};
    vg_finding *f = run_one(fx_spray("helix", "s3", "2020-10-15T08:00:00Z", NULL, ips, 1, 20, 0));
    assert_int_not_equal(f->attribution.confidence, VG_CONF_HIGH);
    assert_null(f->attribution.actor);
    assert_true(fx_has(&f->attribution.evidence, "was not valid when this happened"));
    /* In 2019 the same address is high. */
    vg_finding *g = run_one(fx_spray("helix", "s4", "2019-09-01T08:00:00Z", NULL, ips, 1, 20, 0));
    assert_string_equal(g->attribution.actor, "STRONTIUM");
    assert_int_equal(g->attribution.confidence, VG_CONF_HIGH);
    vg_finding_free(f);
    vg_finding_free(g);
}

static void test_shared_address_indicator(void **st)
{
    (void)st;
    /* A Tor exit that a report tied to STRONTIUM: never high; with the spray
     * technique that fits STRONTIUM it is moderate. */
    const char *ips[] = {"185.220.101.44"};
    vg_finding *f = run_one(fx_spray("acme", "s5", "2020-10-15T08:00:00Z", NULL, ips, 1, 30, 0));
    if (f->attribution.confidence != VG_CONF_MODERATE)
        fx_dump(f);
    assert_string_equal(f->attribution.actor, "STRONTIUM");
    assert_int_equal(f->attribution.confidence, VG_CONF_MODERATE);
    assert_true(fx_has(&f->attribution.evidence, "Tor exit"));
    /* the same shared address behind a phishing message whose shape does not
     * fit STRONTIUM's (job-offer lure): not moderate */
    vg_finding *g = fx_finding("phish.credential_link", "acme", "m1", "2020-10-15T08:00:00Z", NULL);
    vg_strlist_add(&g->attack, "T1566.002");
    vg_strlist_add(&g->roles.attacker_ips, "185.220.101.44");
    vg_strlist_add(&g->reasons, "recruiter offers a job description for a senior scientist position");
    run_one(g);
    assert_int_not_equal(g->attribution.confidence, VG_CONF_HIGH);
    assert_int_not_equal(g->attribution.confidence, VG_CONF_MODERATE);
    vg_finding_free(f);
    vg_finding_free(g);
}

static void test_technique_alone_names_no_actor(void **st)
{
    (void)st;
    /* A spray from unlisted addresses at a retailer: every crew sprays. */
    const char *ips[] = {"81.2.69.160", "81.2.69.161", "81.2.69.162"};
    vg_finding *f = run_one(fx_spray("acme", "s6", "2020-10-15T08:00:00Z", NULL, ips, 3, 40, 1));
    assert_null(f->attribution.actor);
    assert_int_equal(f->attribution.confidence, VG_CONF_NONE);
    assert_true(fx_has(&f->attribution.evidence, "technique fit alone names no actor"));
    /* From Tor exits at a pharmaceutical company: fits STRONTIUM and NOBELIUM
     * equally (both spray through Tor and target health care): consistent
     * with both, attributed to neither. */
    const char *tor[] = {"185.220.101.45", "185.220.102.8"};
    vg_finding *g = run_one(fx_spray("helix", "s7", "2020-10-15T08:00:00Z", NULL, tor, 2, 40, 0));
    if (g->attribution.actor)
        fx_dump(g);
    assert_null(g->attribution.actor);
    assert_int_equal(g->attribution.confidence, VG_CONF_NONE);
    assert_true(fx_has(&g->reasons, "consistent with"));
    assert_true(fx_has(&g->reasons, "STRONTIUM"));
    assert_true(fx_has(&g->reasons, "NOBELIUM"));
    vg_finding_free(f);
    vg_finding_free(g);
}

static void test_low_profile_fit(void **st)
{
    (void)st;
    /* Tor spray at a pharma company, plus the expired STRONTIUM address:
     * profile fit corroborated by sector and the old indicator -> low. */
    const char *ips[] = {"185.220.101.45", "185.86.148.227"};
    vg_finding *f = run_one(fx_spray("helix", "s8", "2020-10-15T08:00:00Z", NULL, ips, 2, 25, 0));
    if (f->attribution.confidence != VG_CONF_LOW)
        fx_dump(f);
    assert_string_equal(f->attribution.actor, "STRONTIUM");
    assert_int_equal(f->attribution.confidence, VG_CONF_LOW);
    assert_true(fx_has(&f->attribution.evidence, "tor infrastructure"));
    vg_finding_free(f);

    /* A COVID/WHO credential phish from a lookalike domain at a vaccine lab:
     * several actors use that shape; nothing singles one out. */
    vg_finding *g = fx_finding("phish.lookalike_domain", "orion", "m2", "2020-10-02T08:00:00Z", NULL);
    vg_strlist_add(&g->attack, "T1566.002");
    vg_strlist_add(&g->entities.domains, "who-covid19-update.org");
    vg_strlist_add(&g->reasons, "sender domain who-covid19-update.org is a lookalike of who.int");
    vg_strlist_add(&g->reasons, "COVID-19 vaccine trial update lure claiming to be the World Health Organization");
    run_one(g);
    assert_null(g->attribution.actor);
    assert_true(fx_has(&g->reasons, "consistent with"));
    assert_true(fx_has(&g->reasons, "CERIUM"));
    vg_finding_free(g);
}

static void test_cluster_with_high(void **st)
{
    (void)st;
    vg_findings l = {0};
    /* helix: spray from the STRONTIUM VPS and an unlisted address */
    const char *a_ips[] = {"45.153.231.17", "81.2.69.200", "81.2.69.201"};
    vg_findings_push(&l, fx_spray("helix", "c1", "2020-10-15T08:00:00Z", NULL, a_ips, 3, 20, 0));
    /* orion: a week later, only the unlisted addresses */
    const char *b_ips[] = {"81.2.69.200", "81.2.69.201"};
    vg_findings_push(&l, fx_spray("orion", "c2", "2020-10-22T08:00:00Z", NULL, b_ips, 2, 10, 0));
    /* acme: two months later, same addresses: too far in time */
    vg_findings_push(&l, fx_spray("acme", "c3", "2020-12-28T08:00:00Z", NULL, b_ips, 2, 10, 0));
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, 3);
    vg_attrib_findings(a, &l);
    vg_attrib_free(a);
    assert_int_equal(l.v[0]->attribution.confidence, VG_CONF_HIGH);
    assert_string_equal(l.v[1]->attribution.actor, "STRONTIUM");
    assert_int_equal(l.v[1]->attribution.confidence, VG_CONF_MODERATE);
    assert_true(fx_has(&l.v[1]->attribution.evidence, "shares infrastructure (81.2.69.20"));
    assert_true(fx_has(&l.v[1]->attribution.evidence, l.v[0]->id));
    assert_int_not_equal(l.v[2]->attribution.confidence, VG_CONF_MODERATE);
    vg_findings_free(&l);
}

static void test_benign_trap(void **st)
{
    (void)st;
    /* A service account with a stale password failing from an address that
     * happens to be a STRONTIUM indicator: a benign shape, never attributed. */
    vg_finding *f = fx_finding("cred.stale_credentials", "helix", "svc-backup@helix.example",
                               "2020-10-15T00:00:00Z", "2020-10-16T00:00:00Z");
    vg_strlist_add(&f->entities.accounts, "svc-backup@helix.example");
    vg_strlist_add(&f->entities.ips, "45.153.231.17");
    vg_strlist_add(&f->attack, "T1110.001");
    f->severity = VG_SEV_LOW;
    run_one(f);
    assert_null(f->attribution.actor);
    assert_int_equal(f->attribution.confidence, VG_CONF_NONE);
    assert_true(fx_has(&f->attribution.evidence, "never attributed"));
    /* and it pulls nothing along in the list pass */
    vg_findings l = {0};
    vg_findings_push(&l, f);
    const char *ips[] = {"45.153.231.17"};
    vg_findings_push(&l, fx_spray("orion", "b2", "2020-10-15T08:00:00Z", NULL, ips, 1, 10, 0));
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, 3);
    vg_attrib_findings(a, &l);
    vg_attrib_free(a);
    assert_null(l.v[0]->attribution.actor);
    assert_string_equal(l.v[1]->attribution.actor, "STRONTIUM");
    vg_findings_free(&l);
}

static void test_ambiguous_and_unattributed_indicators(void **st)
{
    (void)st;
    /* 8.8.4.4 is listed under GRIZZLY STEPPE (APT28 and APT29): no actor. */
    const char *ips[] = {"8.8.4.4"};
    vg_finding *f = run_one(fx_spray("acme", "a1", "2020-10-15T08:00:00Z", NULL, ips, 1, 10, 0));
    assert_null(f->attribution.actor);
    assert_true(fx_has(&f->attribution.evidence, "GRIZZLY STEPPE"));
    assert_true(fx_has(&f->attribution.evidence, "names no single actor"));
    /* a crimeware C2 with no actor: evidence, no actor */
    const char *c2[] = {"194.5.249.12"};
    vg_finding *g = run_one(fx_spray("acme", "a2", "2020-10-15T08:00:00Z", NULL, c2, 1, 10, 0));
    assert_null(g->attribution.actor);
    assert_true(fx_has(&g->attribution.evidence, "with no actor"));
    vg_finding_free(f);
    vg_finding_free(g);
}

static void test_mail_indicators(void **st)
{
    (void)st;
    /* ZINC's recruiter domain and lure hash in a phishing finding (MISP). */
    vg_finding *f = fx_finding("phish.attachment", "orion", "m3", "2020-11-03T08:00:00Z", NULL);
    vg_strlist_add(&f->attack, "T1566.001");
    vg_strlist_add(&f->entities.domains, "careers-lockheed-jobs.com");
    vg_strlist_add(&f->entities.hashes, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    vg_strlist_add(&f->entities.accounts, "talent.acquisition@careers-lockheed-jobs.com");
    vg_strlist_add(&f->entities.accounts, "dr.chen@orion.example");
    vg_strlist_add(&f->roles.targeted, "dr.chen@orion.example");
    run_one(f);
    assert_string_equal(f->attribution.actor, "ZINC");
    assert_int_equal(f->attribution.confidence, VG_CONF_HIGH);
    assert_true(vg_strlist_has(&f->attribution.aliases, "Lazarus Group") ||
                vg_strlist_has(&f->attribution.aliases, "Diamond Sleet"));
    vg_finding_free(f);
}

static void test_no_intel(void **st)
{
    (void)st;
    /* No catalog, no indicators: nothing attributed, nothing crashes. */
    const char *ips[] = {"45.153.231.17"};
    vg_finding *f = fx_spray("helix", "n1", "2020-10-15T08:00:00Z", NULL, ips, 1, 10, 0);
    vg_attrib *a = vg_attrib_new(NULL, NULL, NULL, 0);
    vg_attrib_finding(a, f);
    vg_attrib_free(a);
    assert_null(f->attribution.actor);
    assert_int_equal(f->attribution.confidence, VG_CONF_NONE);
    vg_finding_free(f);
}


/* Evidence names an indicator's source by its file name and validity, never
 * by the operator's local path: it reaches other organizations. */
static void test_evidence_names_no_local_path(void **st)
{
    (void)st;
    const char *ips[] = {"45.153.231.17"};
    vg_finding *f = run_one(fx_spray("helix", "p1", "2020-10-15T08:00:00Z", NULL, ips, 1, 20, 0));
    assert_int_equal(f->attribution.confidence, VG_CONF_HIGH);
    assert_true(fx_has(&f->attribution.evidence,
                       "strontium.stix.json indicator indicator--1f0a9e43-1b8c-4f3a-9a0e-7e1a7c1e0001"));
    assert_true(fx_has(&f->attribution.evidence, "(valid 20"));
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", vg_test_src("tests/fixtures/intel"));
    for (size_t i = 0; i < f->attribution.evidence.n; i++)
        assert_null(strstr(f->attribution.evidence.v[i], dir));
    /* plain lists: "file:line" */
    const char *c2[] = {"2001:db8:dead::5"};
    vg_finding *g = run_one(fx_spray("acme", "p2", "2020-10-15T08:00:00Z", NULL, c2, 1, 10, 0));
    assert_true(fx_has(&g->attribution.evidence, "listed in blocklist.txt:8 with no actor"));
    for (size_t i = 0; i < g->attribution.evidence.n; i++)
        assert_null(strstr(g->attribution.evidence.v[i], dir));
    vg_finding_free(f);
    vg_finding_free(g);
}

/* A recruiter's job description with macros, sent from free mail to a
 * pharmaceutical researcher: only ZINC is known for job-offer lures, so the
 * profile fit names it at low confidence even though the text also mentions
 * vaccines (a theme many actors share). The lure's words are in the
 * attachment's file name, with underscores. */
static void test_recruiter_lure_fits_zinc(void **st)
{
    (void)st;
    vg_finding *f = fx_finding("phish.attachment", "helix", "j1", "2020-11-05T08:00:00Z", NULL);
    vg_strlist_add(&f->attack, "T1566.001");
    vg_strlist_add(&f->attack, "T1204.002");
    vg_strlist_add(&f->entities.domains, "outlook.com");
    vg_strlist_add(&f->entities.accounts, "m.gupta@helix.example");
    vg_strlist_add(&f->roles.targeted, "m.gupta@helix.example");
    vg_strlist_add(&f->reasons, "the Office attachment \"stratus_bio_Director_Job_Description.docm\" "
                                "carries VBA macros");
    vg_strlist_add(&f->reasons, "a free-mail sender (outlook.com) with a advance fee / prize / "
                                "inheritance lure");
    vg_strlist_add(&f->reasons, "COVID-19 / vaccine / public health lure: \"vaccin*\" and others "
                                "(2 phrases, in the subject)");
    run_one(f);
    if (!f->attribution.actor)
        fx_dump(f);
    assert_string_equal(f->attribution.actor, "ZINC");
    assert_int_equal(f->attribution.confidence, VG_CONF_LOW);
    assert_true(fx_has(&f->attribution.evidence, "job-offer lure"));
    assert_true(fx_has(&f->attribution.evidence, "only ZINC is known for job-offer lures"));
    /* the same message without the job description: a COVID lure from free
     * mail fits several actors equally; no one is named */
    vg_finding *g = fx_finding("phish.attachment", "helix", "j2", "2020-11-05T08:00:00Z", NULL);
    vg_strlist_add(&g->attack, "T1566.001");
    vg_strlist_add(&g->entities.domains, "outlook.com");
    vg_strlist_add(&g->reasons, f->reasons.v[1]);
    vg_strlist_add(&g->reasons, f->reasons.v[2]);
    run_one(g);
    assert_null(g->attribution.actor);
    assert_true(fx_has(&g->reasons, "consistent with"));
    assert_false(fx_has(&g->reasons, "ZINC"));
    vg_finding_free(f);
    vg_finding_free(g);
}

/* Attributing a finding again (the store keeps them) replaces the
 * "consistent with" reason an earlier attribution added. */
static void test_reattribution_replaces_consistent_with(void **st)
{
    (void)st;
    const char *tor[] = {"185.220.101.45", "185.220.102.8"};
    vg_finding *g = run_one(fx_spray("helix", "r1", "2020-10-15T08:00:00Z", NULL, tor, 2, 40, 0));
    assert_true(fx_has(&g->reasons, "consistent with"));
    size_t n = g->reasons.n;
    run_one(g);
    assert_int_equal(g->reasons.n, n);
    /* new evidence: a STRONTIUM address among them */
    vg_strlist_add(&g->entities.ips, "45.153.231.17");
    run_one(g);
    assert_string_equal(g->attribution.actor, "STRONTIUM");
    assert_false(fx_has(&g->reasons, "consistent with"));
    assert_int_equal(g->reasons.n, n - 1);
    vg_finding_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_high_with_valid_indicator),
        cmocka_unit_test(test_expired_indicator),
        cmocka_unit_test(test_shared_address_indicator),
        cmocka_unit_test(test_technique_alone_names_no_actor),
        cmocka_unit_test(test_low_profile_fit),
        cmocka_unit_test(test_cluster_with_high),
        cmocka_unit_test(test_benign_trap),
        cmocka_unit_test(test_ambiguous_and_unattributed_indicators),
        cmocka_unit_test(test_mail_indicators),
        cmocka_unit_test(test_no_intel),
        cmocka_unit_test(test_evidence_names_no_local_path),
        cmocka_unit_test(test_recruiter_lure_fits_zinc),
        cmocka_unit_test(test_reattribution_replaces_consistent_with),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
