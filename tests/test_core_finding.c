/* test_core_finding.c — the Finding contract: ids, lists, JSON round trip. */
#include <jansson.h>
#include <string.h>

#include "testutil.h"
#include "vigil/finding.h"

static vg_finding *sample(void)
{
    vg_finding *f = vg_finding_new("cred.spray", "helix");
    vg_finding_set_id(f, "cluster-1", 1605261600123, 86400000);
    f->severity = VG_SEV_HIGH;
    f->score = 82;
    f->outcome = VG_OUT_CREDENTIAL_VALID;
    vg_finding_seen(f, 1605261600123);
    vg_finding_seen(f, 1605265200000);
    vg_strlist_add(&f->attack, "T1110.003");
    f->counts.attempts = 412;
    f->counts.accounts = 3;
    f->counts.ips = 290;
    f->counts.blocked = 411;
    vg_strlist_add(&f->entities.accounts, "zoe@helixbio.example");
    vg_strlist_add(&f->entities.accounts, "adam@helixbio.example");
    vg_strlist_add(&f->entities.accounts, "adam@helixbio.example"); /* duplicate */
    vg_strlist_add(&f->entities.ips, "198.51.100.7");
    vg_strlist_add(&f->roles.compromised, "adam@helixbio.example");
    vg_strlist_add(&f->reasons, "37 accounts failed from 290 addresses new to them");
    vg_strlist_add(&f->reasons, "hostile \"quote\" <script>\x01\xff");
    vg_finding_add_evidence(f, "b.log", 7);
    vg_finding_add_evidence(f, "a.log", 9);
    vg_finding_add_evidence(f, "a.log", 9);
    f->attribution.actor = vg_xstrdup("STRONTIUM");
    vg_strlist_add(&f->attribution.aliases, "Fancy Bear");
    vg_strlist_add(&f->attribution.aliases, "APT28");
    f->attribution.confidence = VG_CONF_MODERATE;
    vg_strlist_add(&f->attribution.evidence, "ip in STIX indicator for STRONTIUM");
    return f;
}

static void test_id(void **state)
{
    (void)state;
    vg_finding *a = vg_finding_new("cred.spray", "helix");
    vg_finding *b = vg_finding_new("cred.spray", "helix");
    vg_finding_set_id(a, "k", 1000, 86400000);
    vg_finding_set_id(b, "k", 86399999, 86400000); /* same day bucket */
    assert_string_equal(a->id, b->id);
    assert_int_equal(strlen(a->id), 18);
    assert_memory_equal(a->id, "f-", 2);
    vg_finding_set_id(b, "k", 86400000, 86400000); /* next day */
    assert_string_not_equal(a->id, b->id);
    vg_finding_set_id(b, "k2", 1000, 86400000);
    assert_string_not_equal(a->id, b->id);
    vg_finding *c = vg_finding_new("cred.spray", "other");
    vg_finding_set_id(c, "k", 1000, 86400000);
    assert_string_not_equal(a->id, c->id);
    /* Field boundaries are separated: ("ab","c") != ("a","bc"). */
    vg_finding *d = vg_finding_new("x", "ab");
    vg_finding *e2 = vg_finding_new("x", "a");
    vg_finding_set_id(d, "c", 0, 0);
    vg_finding_set_id(e2, "bc", 0, 0);
    assert_string_not_equal(d->id, e2->id);
    /* Negative times align down, not toward zero. */
    vg_finding_set_id(a, "k", -1, 1000);
    vg_finding_set_id(b, "k", -1000, 1000);
    assert_string_equal(a->id, b->id);
    vg_finding_free(a);
    vg_finding_free(b);
    vg_finding_free(c);
    vg_finding_free(d);
    vg_finding_free(e2);
}

static void test_json_roundtrip(void **state)
{
    (void)state;
    vg_finding *f = sample();
    vg_finding_normalize(f);
    assert_int_equal(f->entities.accounts.n, 2);
    assert_string_equal(f->entities.accounts.v[0], "adam@helixbio.example");
    assert_int_equal(f->n_evidence, 2);
    assert_string_equal(f->evidence[0].file, "a.log");
    char *js = vg_finding_to_json(f);
    json_error_t jerr;
    json_t *root = json_loads(js, 0, &jerr);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "schema")), 1);
    assert_string_equal(json_string_value(json_object_get(root, "first_seen")),
                        "2020-11-13T10:00:00.123Z");
    assert_string_equal(json_string_value(json_object_get(root, "last_seen")),
                        "2020-11-13T11:00:00Z");
    assert_string_equal(json_string_value(json_object_get(root, "outcome")), "credential_valid");
    json_t *reasons = json_object_get(root, "reasons");
    assert_string_equal(json_string_value(json_array_get(reasons, 1)),
                        "hostile \"quote\" <script>\x01\xef\xbf\xbd");
    json_decref(root);

    vg_error e = {0};
    vg_finding *g = vg_finding_from_json(js, strlen(js), &e);
    assert_non_null(g);
    char *js2 = vg_finding_to_json(g);
    assert_string_equal(js, js2); /* stable through a round trip */
    vg_finding *h = vg_finding_clone(g);
    char *js3 = vg_finding_to_json(h);
    assert_string_equal(js, js3);
    free(js);
    free(js2);
    free(js3);
    vg_finding_free(f);
    vg_finding_free(g);
    vg_finding_free(h);
}

static void test_json_bad(void **state)
{
    (void)state;
    vg_error e = {0};
    assert_null(vg_finding_from_json("{", 1, &e));
    assert_non_null(strstr(e.msg, "finding JSON"));
    const char *noid = "{\"kind\":\"cred.spray\"}";
    assert_null(vg_finding_from_json(noid, strlen(noid), &e));
    const char *badtime = "{\"id\":\"f-0123456789abcdef\",\"kind\":\"x\",\"first_seen\":\"yesterday\","
                          "\"last_seen\":\"2020-01-01T00:00:00Z\"}";
    assert_null(vg_finding_from_json(badtime, strlen(badtime), &e));
    assert_non_null(strstr(e.msg, "f-0123456789abcdef"));
    /* an id is "f-" and 16 lower-case hex digits, nothing else: ids travel
     * into notices and file names */
    const char *ids[] = {"f-<b>x</b>|aaaaaaa", "f-0123456789ABCDEF", "c-0123456789abcdef",
                         "f-0123456789abcde", "f-0123456789abcdef0", "f-0123456789abcdeg"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        char js[256];
        snprintf(js, sizeof js,
                 "{\"id\":\"%s\",\"kind\":\"x\",\"first_seen\":\"2020-01-01T00:00:00Z\","
                 "\"last_seen\":\"2020-01-01T00:00:00Z\"}",
                 ids[i]);
        assert_null(vg_finding_from_json(js, strlen(js), &e));
    }
    assert_true(vg_id_wellformed("f-0123456789abcdef", 'f'));
    assert_true(vg_id_wellformed("c-0123456789abcdef", 'c'));
    assert_false(vg_id_wellformed("c-0123456789abcdef", 'f'));
    assert_false(vg_id_wellformed(NULL, 'f'));
}

static void test_findings_sort(void **state)
{
    (void)state;
    vg_findings l = {0};
    const char *kinds[] = {"phish.lure", "cred.spray", "cred.bruteforce"};
    int64_t times[] = {3000, 1000, 1000};
    for (int i = 0; i < 3; i++) {
        vg_finding *f = vg_finding_new(kinds[i], "o");
        f->first_seen = times[i];
        vg_finding_set_id(f, kinds[i], 0, 0);
        vg_findings_push(&l, f);
    }
    vg_findings_sort(&l);
    assert_string_equal(l.v[0]->kind, "cred.bruteforce");
    assert_string_equal(l.v[1]->kind, "cred.spray");
    assert_string_equal(l.v[2]->kind, "phish.lure");
    vg_findings_free(&l);
    assert_int_equal(l.n, 0);
}

static void test_strlist_embedded_nul(void **state)
{
    (void)state;
    vg_strlist l = {0};
    assert_true(vg_strlist_add(&l, "ab"));
    /* "ab\0cd" as 5 bytes is stored as "ab": a duplicate, and no read past "ab". */
    assert_false(vg_strlist_addn(&l, "ab\0cd", 5));
    assert_false(vg_strlist_addn(&l, "a", 0));
    assert_true(vg_strlist_addn(&l, "abc", 3));
    assert_false(vg_strlist_addn(&l, "abcdef", 3));
    assert_int_equal(l.n, 2);
    vg_strlist_free(&l);
}

static void test_evidence_cap(void **state)
{
    (void)state;
    vg_finding *f = vg_finding_new("cred.spray", "o");
    for (int i = 0; i < 100000; i++)
        vg_finding_add_evidence(f, "x.log", i);
    assert_true(f->n_evidence <= 4 * VG_FINDING_MAX_EVIDENCE);
    char *js = vg_finding_to_json(f);
    json_t *root = json_loads(js, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(root, "evidence")), VG_FINDING_MAX_EVIDENCE);
    json_decref(root);
    free(js);
    vg_finding_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id),
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_json_bad),
        cmocka_unit_test(test_findings_sort),
        cmocka_unit_test(test_strlist_embedded_nul),
        cmocka_unit_test(test_evidence_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
