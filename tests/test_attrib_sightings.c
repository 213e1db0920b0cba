/* test_attrib_sightings.c — ioc.match findings from telemetry that hits an
 * indicator, and cross-organization sightings exported and imported as STIX
 * 2.1 and MISP (round trip, foreign files, malformed files, a campaign across
 * two organizations that only exchange sightings). */
#include "attrib_fixture.h"

static vg_catalog *cat;
static vg_iocset *iocs;
static const vg_org_info orgs[] = {{"helix", "CA", "pharmaceutical"},
                                   {"orion", "FR", "vaccine research"}};

static int setup(void **st)
{
    (void)st;
    cat = fx_catalog();
    const char *files[] = {"tests/fixtures/intel/strontium.stix.json",
                           "tests/fixtures/intel/zinc.misp.json",
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

static void test_ioc_match(void **st)
{
    (void)st;
    vg_findings in = {0}, out = {0};
    const char *ips[] = {"45.153.231.17", "185.220.101.45", "81.2.69.1"};
    vg_findings_push(&in, fx_spray("helix", "i1", "2020-10-15T08:00:00Z", NULL, ips, 3, 10, 1));
    vg_finding *m = fx_finding("phish.credential_link", "orion", "i2", "2020-10-16T09:00:00Z", NULL);
    vg_strlist_add(&m->entities.urls, "https://accounts-secure-verify.net/owa/auth/logon.aspx?replace=1");
    vg_strlist_add(&m->entities.domains, "mail.accounts-secure-verify.net");
    vg_findings_push(&in, m);
    vg_ioc_match_findings(iocs, &in, &out);
    /* the VPS address, the URL and the domain (a parent domain indicator) hit;
     * the Tor exit (a context list, no actor) and the unlisted address do not */
    assert_int_equal(out.n, 3);
    size_t ip_hits = 0;
    for (size_t i = 0; i < out.n; i++) {
        vg_finding *f = out.v[i];
        assert_string_equal(f->kind, "ioc.match");
        assert_int_equal(strncmp(f->id, "f-", 2), 0);
        if (vg_strlist_has(&f->entities.ips, "45.153.231.17")) {
            ip_hits++;
            assert_string_equal(f->org, "helix");
            assert_true(fx_has(&f->reasons, "tied to STRONTIUM"));
            assert_true(fx_has(&f->reasons, in.v[0]->id));
            assert_true(vg_strlist_has(&f->attack, "T1110.003"));
            /* The spray came from three addresses and one account fell: which
             * address it fell to is not known, so the match at this one
             * claims neither the success nor the accounts. */
            assert_int_equal(f->roles.compromised.n, 0);
            assert_int_equal(f->entities.accounts.n, 0);
            assert_int_equal(f->outcome, VG_OUT_ATTEMPTED);
            assert_int_equal(f->counts.succeeded, 0);
            assert_int_equal(f->severity, VG_SEV_HIGH);
            assert_int_equal(f->n_evidence, 0); /* the spray's evidence is not this address's */
            assert_true(fx_has(&f->reasons, "how much of its activity came from here is not known"));
        }
        assert_false(vg_strlist_has(&f->entities.ips, "185.220.101.45"));
        /* an indicator's source is its file's name, never the local path */
        assert_false(fx_has(&f->reasons, "tests/fixtures"));
        assert_true(fx_has(&f->reasons, "strontium.stix.json"));
    }
    assert_int_equal(ip_hits, 1);
    /* deterministic ids: again gives the same */
    vg_findings again = {0};
    vg_ioc_match_findings(iocs, &in, &again);
    assert_int_equal(again.n, out.n);
    for (size_t i = 0; i < out.n; i++)
        assert_string_equal(again.v[i]->id, out.v[i]->id);
    /* attribution of the ioc.match itself: high STRONTIUM */
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, 2);
    vg_attrib_findings(a, &out);
    vg_attrib_free(a);
    for (size_t i = 0; i < out.n; i++)
        assert_string_equal(out.v[i]->attribution.actor, "STRONTIUM");
    /* direct observations, e.g. per sign-in event */
    vg_ioc_matcher *mm = vg_ioc_matcher_new(iocs);
    vg_ioc_obs o = {.org = "orion", .value = "175.45.178.19", .role = "sign-in source",
                    .time_ms = fx_ts("2020-11-03T10:00:00Z"), .account = "bob@orion.example",
                    .outcome = VG_OUT_BLOCKED, .file = "okta.json", .line = 7};
    assert_int_equal(vg_ioc_observe(mm, &o), 1);
    o.time_ms += 60000;
    o.line = 8;
    assert_int_equal(vg_ioc_observe(mm, &o), 1);
    o.value = "185.220.102.8"; /* Tor exit only */
    assert_int_equal(vg_ioc_observe(mm, &o), 0);
    o.value = "not a value";
    assert_int_equal(vg_ioc_observe(mm, &o), 0);
    vg_findings direct = {0};
    vg_ioc_matcher_flush(mm, &direct);
    vg_ioc_matcher_free(mm);
    assert_int_equal(direct.n, 1);
    assert_int_equal(direct.v[0]->counts.attempts, 2);
    assert_int_equal(direct.v[0]->counts.blocked, 2);
    assert_int_equal(direct.v[0]->n_evidence, 2);
    assert_true(fx_has(&direct.v[0]->reasons, "ZINC"));
    vg_findings_free(&direct);
    vg_findings_free(&again);
    vg_findings_free(&out);
    vg_findings_free(&in);
}

/* The match at an address says what happened at that address: the events
 * seen there, not the outcome of a spray that also used it. */
static void test_ioc_match_outcome_from_telemetry(void **st)
{
    (void)st;
    vg_ioc_matcher *mm = vg_ioc_matcher_new(iocs);
    /* four failed sign-ins of other accounts from the STRONTIUM address */
    const char *victims[] = {"ann@helix.example", "bob@helix.example", "cy@helix.example",
                             "di@helix.example"};
    for (int i = 0; i < 4; i++) {
        vg_ioc_obs o = {.org = "helix", .type = VG_IOC_IP, .value = "45.153.231.17",
                        .role = "sign-in source", .time_ms = fx_ts("2020-10-20T10:00:00Z") + i * 60000,
                        .account = victims[i], .outcome = VG_OUT_BLOCKED, .file = "signins.jsonl",
                        .line = 100 + i};
        assert_int_equal(vg_ioc_observe(mm, &o), 1);
    }
    /* a spray from 3 addresses including it, in which user00 succeeded */
    const char *ips[] = {"45.153.231.17", "37.120.204.1", "37.120.204.2"};
    vg_finding *spray = fx_spray("helix", "o1", "2020-10-15T08:00:00Z", "2020-10-25T08:00:00Z", ips,
                                 3, 10, 1);
    assert_true(vg_ioc_observe_finding(mm, spray) >= 1);
    vg_findings out = {0};
    vg_ioc_matcher_flush(mm, &out);
    /* one match: the spray's sighting joined the events' match, no second
     * match dated on the spray's first day */
    assert_int_equal(out.n, 1);
    vg_finding *f = out.v[0];
    assert_int_equal(f->outcome, VG_OUT_BLOCKED);
    assert_int_equal(f->counts.attempts, 4);
    assert_int_equal(f->counts.blocked, 4);
    assert_int_equal(f->counts.succeeded, 0);
    assert_int_equal(f->roles.compromised.n, 0);
    assert_false(vg_strlist_has(&f->entities.accounts, "user00@helix.example"));
    assert_int_equal(f->entities.accounts.n, 4);
    assert_true(vg_strlist_has(&f->roles.targeted, "cy@helix.example"));
    assert_int_equal(f->n_evidence, 4);
    assert_true(fx_has(&f->reasons, spray->id));
    assert_true(vg_strlist_has(&f->attack, "T1110.003"));
    assert_int_equal(f->first_seen, fx_ts("2020-10-20T10:00:00Z"));
    assert_int_not_equal(f->severity, VG_SEV_CRITICAL);
    vg_findings_free(&out);

    /* a success from the address: that account is compromised, the failed
     * ones are not */
    vg_ioc_obs ok = {.org = "helix", .type = VG_IOC_IP, .value = "45.153.231.17",
                     .time_ms = fx_ts("2020-10-21T10:00:00Z"), .account = "eve@helix.example",
                     .outcome = VG_OUT_SUCCEEDED, .file = "signins.jsonl", .line = 200};
    vg_ioc_obs ko = ok;
    ko.account = "fay@helix.example";
    ko.outcome = VG_OUT_BLOCKED;
    ko.line = 201;
    vg_ioc_observe(mm, &ko);
    vg_ioc_observe(mm, &ok);
    vg_ioc_matcher_flush(mm, &out);
    assert_int_equal(out.n, 1);
    f = out.v[0];
    assert_int_equal(f->outcome, VG_OUT_SUCCEEDED);
    assert_int_equal(f->roles.compromised.n, 1);
    assert_true(vg_strlist_has(&f->roles.compromised, "eve@helix.example"));
    assert_true(vg_strlist_has(&f->roles.targeted, "fay@helix.example"));
    assert_int_equal(f->counts.succeeded, 1);
    assert_int_equal(f->counts.blocked, 1);
    assert_int_equal(f->severity, VG_SEV_CRITICAL);
    vg_findings_free(&out);

    /* a finding whose only address is the indicator: its activity is the
     * address's, success included */
    const char *one[] = {"45.153.231.17"};
    vg_finding *solo = fx_spray("orion", "o2", "2020-10-22T08:00:00Z", NULL, one, 1, 10, 1);
    vg_ioc_observe_finding(mm, solo);
    vg_ioc_matcher_flush(mm, &out);
    assert_int_equal(out.n, 1);
    f = out.v[0];
    assert_string_equal(f->org, "orion");
    assert_int_equal(f->outcome, VG_OUT_SUCCEEDED);
    assert_true(vg_strlist_has(&f->roles.compromised, "user00@orion.example"));
    assert_int_equal(f->counts.attempts, solo->counts.attempts);
    assert_int_equal(f->n_evidence, 1);
    vg_findings_free(&out);
    vg_ioc_matcher_free(mm);
    vg_finding_free(spray);
    vg_finding_free(solo);
}

/* Findings seen at an indicator on other days than the telemetry's match
 * all join that match, in an order that does not depend on the matcher's
 * hash tables (whose keys are random): every run gives the same reasons in
 * the same order. */
static void test_ioc_match_order_is_stable(void **st)
{
    (void)st;
    vg_buf first;
    vg_buf_init(&first, 0);
    for (int run = 0; run < 8; run++) {
        vg_ioc_matcher *mm = vg_ioc_matcher_new(iocs);
        vg_ioc_obs o = {.org = "helix", .type = VG_IOC_IP, .value = "45.153.231.17",
                        .role = "sign-in source", .time_ms = fx_ts("2020-10-05T08:00:00Z"),
                        .account = "ann@helix.example", .outcome = VG_OUT_BLOCKED,
                        .file = "signins.jsonl", .line = 10};
        assert_int_equal(vg_ioc_observe(mm, &o), 1);
        vg_finding *sprays[6];
        for (int d = 0; d < 6; d++) {
            char day[32], key[8];
            snprintf(day, sizeof day, "2020-10-%02dT08:00:00Z", 10 + d);
            snprintf(key, sizeof key, "q%d", d);
            const char *ips[] = {"45.153.231.17", "37.120.204.1"};
            sprays[d] = fx_spray("helix", key, day, NULL, ips, 2, 10, 0);
            assert_true(vg_ioc_observe_finding(mm, sprays[d]) >= 1);
        }
        vg_findings out = {0};
        vg_ioc_matcher_flush(mm, &out);
        assert_int_equal(out.n, 1); /* the sprays joined the telemetry's match */
        vg_buf now;
        vg_buf_init(&now, 0);
        size_t named = 0;
        for (size_t r = 0; r < out.v[0]->reasons.n; r++) {
            vg_buf_printf(&now, "%s\n", out.v[0]->reasons.v[r]);
            named += strncmp(out.v[0]->reasons.v[r], "part of finding ", 16) == 0;
        }
        assert_int_equal(named, 6); /* every spray is named */
        if (run == 0)
            vg_buf_append(&first, now.p, now.n);
        else
            assert_true(now.n == first.n && memcmp(now.p, first.p, now.n) == 0);
        vg_buf_free(&now);
        vg_findings_free(&out);
        vg_ioc_matcher_free(mm);
        for (int d = 0; d < 6; d++)
            vg_finding_free(sprays[d]);
    }
    vg_buf_free(&first);
}

static vg_findings sample(void)
{
    vg_findings l = {0};
    const char *ips[] = {"37.120.204.1", "37.120.204.2", "45.153.231.17"};
    vg_findings_push(&l, fx_spray("helix", "s1", "2020-10-15T08:00:00Z", "2020-10-15T10:00:00Z",
                                  ips, 3, 10, 1));
    vg_finding *m = fx_finding("phish.attachment", "helix", "s2", "2020-10-16T09:00:00Z", NULL);
    vg_strlist_add(&m->entities.hashes, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    vg_strlist_add(&m->entities.domains, "careers-lockheed-jobs.com");
    vg_strlist_add(&m->entities.domains, "gmail.com");
    vg_strlist_add(&m->roles.targeted, "dr.chen@helix.example");
    vg_strlist_add(&m->attack, "T1566.001");
    vg_findings_push(&l, m);
    vg_finding *s = fx_finding("cred.stale_credentials", "helix", "s3", "2020-10-16T09:00:00Z", NULL);
    vg_strlist_add(&s->entities.ips, "81.2.69.1");
    vg_findings_push(&l, s);
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, 2);
    vg_attrib_findings(a, &l);
    vg_attrib_free(a);
    return l;
}

static void check_roundtrip(const vg_findings *orig, const vg_findings *back)
{
    assert_int_equal(back->n, 2); /* the stale-credential finding is not shared */
    for (size_t i = 0; i < back->n; i++) {
        const vg_finding *b = back->v[i];
        const vg_finding *o = NULL;
        for (size_t k = 0; k < orig->n; k++)
            if (strcmp(orig->v[k]->id, b->id) == 0)
                o = orig->v[k];
        assert_non_null(o);
        assert_string_equal(b->kind, o->kind);
        assert_string_equal(b->org, "helix");
        assert_int_equal(b->first_seen / 1000, o->first_seen / 1000);
        /* victim account names never leave */
        assert_int_equal(b->roles.targeted.n, 0);
        assert_false(fx_has(&b->entities.accounts, "helix.example"));
        if (strcmp(b->kind, "cred.spray") == 0) {
            assert_true(vg_strlist_has(&b->entities.ips, "37.120.204.1"));
            assert_true(vg_strlist_has(&b->entities.ips, "45.153.231.17"));
            assert_int_equal(b->counts.attempts, o->counts.attempts);
            assert_int_equal(b->outcome, VG_OUT_SUCCEEDED);
            assert_true(vg_strlist_has(&b->attack, "T1110.003"));
            assert_string_equal(b->attribution.actor, "STRONTIUM");
        } else {
            assert_true(vg_strlist_has(&b->entities.domains, "careers-lockheed-jobs.com"));
            assert_false(vg_strlist_has(&b->entities.domains, "gmail.com"));
            assert_int_equal(b->entities.hashes.n, 1);
        }
    }
}

static void test_stix_roundtrip(void **st)
{
    (void)st;
    vg_findings l = sample();
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_error e = {0};
    assert_int_equal(vg_sightings_export_stix(&l, "helix", &b, &e), VG_OK);
    assert_non_null(strstr(b.p, "\"type\": \"sighting\""));
    assert_non_null(strstr(b.p, "\"sighting_of_ref\""));
    assert_non_null(strstr(b.p, "\"where_sighted_refs\""));
    assert_non_null(strstr(b.p, "\"relationship_type\": \"indicates\""));
    assert_non_null(strstr(b.p, "[ipv4-addr:value = '37.120.204.1']"));
    assert_null(strstr(b.p, "dr.chen"));
    /* deterministic */
    vg_buf b2;
    vg_buf_init(&b2, 0);
    vg_sightings_export_stix(&l, "helix", &b2, &e);
    assert_string_equal(b.p, b2.p);
    /* our own indicator loader reads it as STIX 2.1 */
    vg_iocset *s = vg_iocset_new();
    assert_int_equal(vg_iocset_load_stix(s, b.p, b.n, "export.json", &e), VG_OK);
    assert_int_equal(vg_iocset_reject_count(s), 0);
    assert_true(vg_iocset_count(s) >= 5);
    vg_iocset_free(s);
    vg_findings back = {0};
    assert_int_equal(vg_sightings_import(b.p, b.n, "export.json", &back, &e), VG_OK);
    check_roundtrip(&l, &back);
    /* another organization filter exports nothing */
    vg_buf_reset(&b2);
    vg_sightings_export_stix(&l, "orion", &b2, &e);
    assert_null(strstr(b2.p, "sighting--"));
    vg_buf_free(&b);
    vg_buf_free(&b2);
    vg_findings_free(&back);
    vg_findings_free(&l);
}

static void test_misp_roundtrip(void **st)
{
    (void)st;
    vg_findings l = sample();
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_error e = {0};
    assert_int_equal(vg_sightings_export_misp(&l, NULL, &b, &e), VG_OK);
    assert_non_null(strstr(b.p, "\"Sighting\""));
    assert_non_null(strstr(b.p, "misp-galaxy:threat-actor=\\\"STRONTIUM\\\""));
    /* the indicator loader reads it as a MISP event */
    vg_iocset *s = vg_iocset_new();
    assert_int_equal(vg_iocset_load_misp(s, b.p, b.n, "export.misp.json", &e), VG_OK);
    assert_int_equal(vg_iocset_reject_count(s), 0);
    assert_true(vg_iocset_count(s) >= 5);
    vg_iocset_free(s);
    vg_findings back = {0};
    assert_int_equal(vg_sightings_import(b.p, b.n, "export.misp.json", &back, &e), VG_OK);
    check_roundtrip(&l, &back);
    vg_buf_free(&b);
    vg_findings_free(&back);
    vg_findings_free(&l);
}

static void test_foreign_and_malformed(void **st)
{
    (void)st;
    vg_findings back = {0};
    vg_error e = {0};
    /* A plain MISP event from another CERT: one ioc.match finding for it. */
    char *text = NULL;
    size_t n = 0;
    assert_int_equal(vg_file_read(vg_test_src("tests/fixtures/intel/zinc.misp.json"), 0, &text, &n, &e), 0);
    assert_int_equal(vg_sightings_import(text, n, "zinc.misp.json", &back, &e), VG_OK);
    free(text);
    assert_int_equal(back.n, 1);
    assert_string_equal(back.v[0]->kind, "ioc.match");
    assert_string_equal(back.v[0]->org, "Example CERT");
    assert_true(vg_strlist_has(&back.v[0]->entities.domains, "careers-lockheed-jobs.com"));
    assert_string_equal(back.v[0]->attribution.actor, "Lazarus Group");
    vg_findings_free(&back);
    /* A foreign STIX sighting without vigil's extension. */
    const char *stix =
        "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
        "{\"type\":\"identity\",\"id\":\"identity--a\",\"name\":\"Partner Lab\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--b\",\"pattern\":\"[ipv4-addr:value = '37.120.204.9']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-10-01T00:00:00Z\"},"
        "{\"type\":\"sighting\",\"id\":\"sighting--c\",\"sighting_of_ref\":\"indicator--b\","
        "\"where_sighted_refs\":[\"identity--a\"],\"count\":40,\"first_seen\":\"2020-10-02T00:00:00Z\","
        "\"last_seen\":\"2020-10-02T06:00:00Z\"}]}";
    assert_int_equal(vg_sightings_import(stix, strlen(stix), "partner.json", &back, &e), VG_OK);
    assert_int_equal(back.n, 1);
    assert_string_equal(back.v[0]->org, "Partner Lab");
    assert_int_equal(back.v[0]->counts.attempts, 40);
    assert_true(vg_strlist_has(&back.v[0]->entities.ips, "37.120.204.9"));
    assert_int_equal(back.v[0]->first_seen, fx_ts("2020-10-02T00:00:00Z"));
    vg_findings_free(&back);
    /* Malformed: position named; nothing half-imported. */
    const char *bad = "{\"type\":\"bundle\",\n\"objects\":[{\"type\":\"sighting\",}]}";
    assert_int_equal(vg_sightings_import(bad, strlen(bad), "bad.json", &back, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "bad.json:2:"));
    assert_int_equal(back.n, 0);
    assert_int_equal(vg_sightings_import("[1,2]", 5, "x.json", &back, &e), VG_OK);
    assert_int_equal(back.n, 0);
    assert_int_not_equal(vg_sightings_import("{\"a\":1}", 7, "y.json", &back, &e), VG_OK);
}

static void test_campaign_from_shared_sightings(void **st)
{
    (void)st;
    /* helix shares its sightings; orion sees a spray from the same private
     * pool; orion's deployment imports helix's file: one campaign across both. */
    vg_findings helix = {0};
    const char *ha[] = {"37.120.204.1", "37.120.204.2", "37.120.204.3"};
    vg_findings_push(&helix, fx_spray("helix", "h", "2020-10-15T08:00:00Z", NULL, ha, 3, 10, 0));
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_error e = {0};
    vg_sightings_export_stix(&helix, "helix", &b, &e);
    vg_findings orion = {0};
    const char *oa[] = {"37.120.204.2", "37.120.204.3", "37.120.204.4"};
    vg_findings_push(&orion, fx_spray("orion", "o", "2020-10-16T08:00:00Z", NULL, oa, 3, 10, 1));
    assert_int_equal(vg_sightings_import(b.p, b.n, "helix-sightings.json", &orion, &e), VG_OK);
    assert_int_equal(orion.n, 2);
    vg_attrib *a = vg_attrib_new(cat, iocs, orgs, 2);
    vg_attrib_findings(a, &orion);
    vg_attrib_free(a);
    vg_campaigns cs = {0};
    vg_campaign_opts o = {.iocs = iocs};
    assert_int_equal(vg_campaigns_build(&orion, orgs, 2, NULL, &o, &cs, &e), VG_OK);
    assert_int_equal(cs.n, 1);
    assert_int_equal(cs.v[0]->orgs.n, 2);
    assert_true(vg_strlist_has(&cs.v[0]->countries, "CA"));
    assert_true(vg_strlist_has(&cs.v[0]->countries, "FR"));
    vg_campaigns_free(&cs);
    vg_buf_free(&b);
    vg_findings_free(&orion);
    vg_findings_free(&helix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ioc_match),
        cmocka_unit_test(test_ioc_match_outcome_from_telemetry),
        cmocka_unit_test(test_ioc_match_order_is_stable),
        cmocka_unit_test(test_stix_roundtrip),
        cmocka_unit_test(test_misp_roundtrip),
        cmocka_unit_test(test_foreign_and_malformed),
        cmocka_unit_test(test_campaign_from_shared_sightings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
