/* test_intel_report_output.c — what `vigil intel report` writes: the JSON
 * object's exact shape, the STIX 2.1 bundle (valid references, stable ids),
 * the configuration overlay of --apply (kept comments, idempotent), the
 * gazetteer loader's errors, and the command line when the binary exists. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "vigil/report.h"
#include "vigil/yaml.h"

static vg_report_kb *kb;

static vg_report *load(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/reports/%s", name);
    char *data;
    size_t n;
    vg_error e = {0};
    if (vg_file_read(vg_test_src(rel), 0, &data, &n, &e) != VG_OK)
        fail_msg("%s", e.msg);
    vg_report *r = NULL;
    assert_int_equal(vg_report_analyze(kb, name, data, n, &r, &e), VG_OK);
    free(data);
    return r;
}

static int setup(void **state)
{
    (void)state;
    vg_error e = {0};
    kb = vg_report_kb_builtin(&e);
    return kb ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_report_kb_free(kb);
    return 0;
}

static void keys_are(json_t *o, const char *const *keys)
{
    assert_true(json_is_object(o));
    size_t n = 0;
    for (; keys[n]; n++)
        if (!json_object_get(o, keys[n]))
            fail_msg("missing key %s", keys[n]);
    assert_int_equal(json_object_size(o), n);
}

static void test_json_shape(void **state)
{
    (void)state;
    vg_report *r = load("covid_vaccine_attacks_nov2020.html");
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_report_write_json(r, kb, &b);
    assert_null(strchr(b.p, '\n'));
    json_error_t err;
    json_t *o = json_loads(b.p, 0, &err);
    assert_non_null(o);
    keys_are(o, (const char *const[]){"file", "title", "actors", "targets", "origins", "techniques",
                                      "impersonated", "lures", "event", "facts", NULL});
    assert_true(json_is_null(json_object_get(o, "event"))); /* no --cluster */
    json_t *actors = json_object_get(o, "actors");
    assert_int_equal(json_array_size(actors), 3);
    json_t *a0 = json_array_get(actors, 0);
    keys_are(a0, (const char *const[]){"name", "aliases", "matched", "origin", NULL});
    assert_string_equal(json_string_value(json_object_get(a0, "name")), "STRONTIUM");
    assert_string_equal(json_string_value(json_object_get(a0, "origin")), "RU");
    bool has_fancy = false;
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(a0, "aliases"), i, v)
        has_fancy |= strcmp(json_string_value(v), "Fancy Bear") == 0;
    assert_true(has_fancy);
    json_t *t = json_object_get(o, "targets");
    keys_are(t, (const char *const[]){"countries", "sectors", "counts", NULL});
    assert_int_equal(json_array_size(json_object_get(t, "countries")), 5);
    json_t *c0 = json_array_get(json_object_get(t, "counts"), 0);
    keys_are(c0, (const char *const[]){"text", "n", NULL});
    assert_int_equal(json_integer_value(json_object_get(c0, "n")), 7);
    json_array_foreach(json_object_get(o, "techniques"), i, v)
        keys_are(v, (const char *const[]){"id", "name", NULL});
    json_array_foreach(json_object_get(o, "facts"), i, v) {
        keys_are(v, (const char *const[]){"kind", "value", "sentence", NULL});
        assert_true(strlen(json_string_value(json_object_get(v, "sentence"))) > 10);
    }
    json_decref(o);
    /* the same report gives the same bytes */
    vg_buf b2;
    vg_buf_init(&b2, 0);
    vg_report_write_json(r, kb, &b2);
    assert_string_equal(b.p, b2.p);
    vg_buf_free(&b2);
    /* the text summary names the essentials */
    vg_buf_reset(&b);
    vg_report_write_text(r, kb, &b);
    assert_non_null(strstr(b.p, "STRONTIUM [RU]"));
    assert_non_null(strstr(b.p, "CA FR IN KR US"));
    assert_non_null(strstr(b.p, "World Health Organization"));
    vg_buf_free(&b);
    vg_report_free(r);
}

static json_t *by_id(json_t *objects, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(objects, i, v)
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
            return v;
    return NULL;
}

static json_t *find_obj(json_t *objects, const char *type, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(objects, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "type")), type) != 0)
            continue;
        json_t *f = json_object_get(v, key);
        if (!value || (f && json_is_string(f) && strcmp(json_string_value(f), value) == 0))
            return v;
    }
    return NULL;
}

static bool has_rel(json_t *objects, const char *src, const char *type, const char *dst)
{
    size_t i;
    json_t *v;
    json_array_foreach(objects, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "type")), "relationship") != 0)
            continue;
        if (strcmp(json_string_value(json_object_get(v, "relationship_type")), type) == 0 &&
            strcmp(json_string_value(json_object_get(v, "source_ref")), src) == 0 &&
            strcmp(json_string_value(json_object_get(v, "target_ref")), dst) == 0)
            return true;
    }
    return false;
}

static void test_stix(void **state)
{
    (void)state;
    vg_report *r[2] = {load("covid_vaccine_attacks_nov2020.html"), load("kimsuky_mojibake.txt")};
    vg_buf b, b2;
    vg_buf_init(&b, 0);
    vg_buf_init(&b2, 0);
    vg_report_write_stix(r, 2, kb, 1600000000000, &b);
    vg_report_write_stix(r, 2, kb, 1600000000000, &b2);
    assert_string_equal(b.p, b2.p); /* reproducible */
    json_error_t err;
    json_t *o = json_loads(b.p, 0, &err);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "bundle");
    json_t *objs = json_object_get(o, "objects");
    size_t i;
    json_t *v;
    size_t reports = 0;
    json_array_foreach(objs, i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *type = json_string_value(json_object_get(v, "type"));
        assert_non_null(id);
        assert_int_equal(strncmp(id, type, strlen(type)), 0);
        assert_int_equal(strlen(id), strlen(type) + 2 + 36);
        assert_string_equal(json_string_value(json_object_get(v, "spec_version")), "2.1");
        assert_non_null(json_object_get(v, "created"));
        if (strcmp(type, "report") == 0) {
            reports++;
            size_t k;
            json_t *ref;
            json_array_foreach(json_object_get(v, "object_refs"), k, ref)
                if (!by_id(objs, json_string_value(ref)))
                    fail_msg("dangling ref %s", json_string_value(ref));
        }
        if (strcmp(type, "relationship") == 0) {
            assert_non_null(by_id(objs, json_string_value(json_object_get(v, "source_ref"))));
            assert_non_null(by_id(objs, json_string_value(json_object_get(v, "target_ref"))));
        }
    }
    assert_int_equal(reports, 2);
    json_t *rep = find_obj(objs, "report", "name",
                           "Microsoft says Russian and North Korean hackers targeted COVID-19 vaccine makers");
    assert_non_null(rep);
    assert_string_equal(json_string_value(json_object_get(rep, "published")),
                        "2020-11-13T00:00:00.000Z");
    json_t *ta = find_obj(objs, "threat-actor", "name", "STRONTIUM");
    json_t *is = find_obj(objs, "intrusion-set", "name", "STRONTIUM");
    json_t *ce = find_obj(objs, "intrusion-set", "name", "CERIUM");
    json_t *ce_ta = find_obj(objs, "threat-actor", "name", "CERIUM");
    json_t *ca = find_obj(objs, "location", "country", "CA");
    json_t *ru = find_obj(objs, "location", "country", "RU");
    json_t *who = find_obj(objs, "identity", "name", "World Health Organization");
    json_t *pharma = find_obj(objs, "identity", "name", "pharmaceutical sector");
    assert_non_null(ta);
    assert_non_null(is);
    assert_non_null(ca);
    assert_non_null(ru);
    assert_non_null(who);
    assert_non_null(pharma);
    const char *is_id = json_string_value(json_object_get(is, "id"));
    assert_true(has_rel(objs, is_id, "attributed-to", json_string_value(json_object_get(ta, "id"))));
    assert_true(has_rel(objs, is_id, "targets", json_string_value(json_object_get(ca, "id"))));
    assert_true(has_rel(objs, json_string_value(json_object_get(ta, "id")), "located-at",
                        json_string_value(json_object_get(ru, "id"))));
    assert_true(has_rel(objs, json_string_value(json_object_get(ce_ta, "id")), "impersonates",
                        json_string_value(json_object_get(who, "id"))));
    /* attack-patterns carry their ATT&CK id; CERIUM uses phishing */
    json_t *ap = NULL;
    json_array_foreach(objs, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "type")), "attack-pattern") != 0)
            continue;
        json_t *er = json_array_get(json_object_get(v, "external_references"), 0);
        assert_string_equal(json_string_value(json_object_get(er, "source_name")), "mitre-attack");
        if (strcmp(json_string_value(json_object_get(er, "external_id")), "T1566") == 0)
            ap = v;
    }
    assert_non_null(ap);
    assert_true(has_rel(objs, json_string_value(json_object_get(ce, "id")), "uses",
                        json_string_value(json_object_get(ap, "id"))));
    json_t *sec = json_object_get(pharma, "sectors");
    assert_string_equal(json_string_value(json_array_get(sec, 0)), "pharmaceuticals");
    json_decref(o);
    vg_buf_free(&b);
    vg_buf_free(&b2);
    vg_report_free(r[0]);
    vg_report_free(r[1]);
}

static char *slurp(const char *path)
{
    char *d;
    size_t n;
    vg_error e = {0};
    if (vg_file_read(path, 0, &d, &n, &e) != VG_OK)
        return NULL;
    return d;
}

static void test_apply(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/vigil.yaml", dir);
    const char *orig = "# our configuration\n"
                       "tlp: AMBER\n"
                       "brands:\n"
                       "  - name: Helix Biologics   # our own brand\n"
                       "    domains: [helixbio.example]\n"
                       "    keywords: [helix biologics]\n"
                       "\n"
                       "# mail settings\n"
                       "mail:\n"
                       "  authserv_ids: [mx.helixbio.example]\n";
    vg_error e = {0};
    assert_int_equal(vg_file_write(path, orig, strlen(orig), &e), VG_OK);
    vg_report *rs[2] = {load("covid_vaccine_attacks_nov2020.html"),
                        load("lazarus_dreamjob_cp1252.txt")};
    vg_report *r = rs[0];
    vg_buf sum;
    vg_buf_init(&sum, 0);
    assert_int_equal(vg_report_apply(path, rs, 2, kb, &sum, &e), VG_OK);
    /* the WHO and Boeing are built-in brands already: not overridden */
    assert_non_null(strstr(sum.p, "brand World Health Organization already protected (built in)"));
    assert_non_null(strstr(sum.p, "brand Boeing already protected (built in)"));
    assert_non_null(strstr(sum.p, "brand McDonnell Douglas added"));
    assert_non_null(strstr(sum.p, "lure theme covid-19 added"));
    assert_non_null(strstr(sum.p, "lure theme job-offer added"));
    assert_non_null(strstr(sum.p, "actor CERIUM: technique T1566 added"));
    char *after = slurp(path);
    assert_non_null(after);
    assert_non_null(strstr(after, "# our configuration\ntlp: AMBER\n"));
    assert_non_null(strstr(after, "# mail settings\nmail:\n  authserv_ids: [mx.helixbio.example]\n"));
    vg_yaml_doc *doc = vg_yaml_load_string(after, strlen(after), "applied", &e);
    assert_non_null(doc);
    const vg_yaml_node *root = vg_yaml_root(doc);
    const vg_yaml_node *brands = vg_yaml_get(root, "brands");
    assert_string_equal(vg_yaml_str(vg_yaml_get(vg_yaml_at(brands, 0), "name"), ""),
                        "Helix Biologics");
    bool mdd = false;
    for (size_t i = 1; i < vg_yaml_len(brands); i++) {
        const vg_yaml_node *b = vg_yaml_at(brands, i);
        const char *nm = vg_yaml_str(vg_yaml_get(b, "name"), "");
        assert_string_not_equal(nm, "World Health Organization");
        assert_string_not_equal(nm, "Boeing");
        if (strcmp(nm, "McDonnell Douglas") == 0) {
            mdd = true;
            assert_string_equal(vg_yaml_str(vg_yaml_at(vg_yaml_get(b, "keywords"), 0), ""),
                                "mcdonnell douglas");
        }
    }
    assert_true(mdd);
    const vg_yaml_node *lures = vg_yaml_get(root, "lures");
    assert_true(vg_yaml_len(lures) >= 2);
    bool covid = false;
    for (size_t i = 0; i < vg_yaml_len(lures); i++)
        covid |= strcmp(vg_yaml_str(vg_yaml_get(vg_yaml_at(lures, i), "theme"), ""), "covid-19") == 0;
    assert_true(covid);
    const vg_yaml_node *actors = vg_yaml_get(root, "actors");
    bool cerium = false;
    for (size_t i = 0; i < vg_yaml_len(actors); i++) {
        const vg_yaml_node *a = vg_yaml_at(actors, i);
        if (strcmp(vg_yaml_str(vg_yaml_get(a, "name"), ""), "CERIUM") == 0)
            cerium = vg_yaml_len(vg_yaml_get(a, "techniques")) >= 2;
    }
    assert_true(cerium);
    vg_yaml_free(doc);
    /* twice: nothing new, the file is untouched */
    vg_buf_reset(&sum);
    assert_int_equal(vg_report_apply(path, rs, 2, kb, &sum, &e), VG_OK);
    assert_non_null(strstr(sum.p, "nothing new\n"));
    char *again = slurp(path);
    assert_string_equal(after, again);
    free(again);
    free(after);
    /* a new file */
    snprintf(path, sizeof path, "%s/new.yaml", dir);
    assert_int_equal(vg_report_apply(path, &rs[1], 1, kb, NULL, &e), VG_OK);
    after = slurp(path);
    assert_non_null(strstr(after, "brands:\n  - name: Collins Aerospace\n    domains: [collinsaerospace.com]\n"));
    free(after);
    /* a broken file is left alone */
    snprintf(path, sizeof path, "%s/broken.yaml", dir);
    assert_int_equal(vg_file_write(path, "brands: [\n", 10, &e), VG_OK);
    assert_int_not_equal(vg_report_apply(path, &r, 1, kb, NULL, &e), VG_OK);
    after = slurp(path);
    assert_string_equal(after, "brands: [\n");
    free(after);
    vg_buf_free(&sum);
    vg_report_free(rs[0]);
    vg_report_free(rs[1]);
}

static void test_gazetteer_errors(void **state)
{
    (void)state;
    vg_report_kb *k = vg_report_kb_new();
    vg_error e = {0};
    const char *bad = "countries:\n  - {code: CAN, names: [Canada]}\n";
    assert_int_equal(vg_report_kb_load_gazetteer(k, bad, strlen(bad), "g.yaml", &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "g.yaml:2"));
    const char *notmap = "- a\n- b\n";
    assert_int_equal(vg_report_kb_load_gazetteer(k, notmap, strlen(notmap), "g.yaml", &e),
                     VG_EINVAL);
    /* a tiny knowledge base works end to end */
    const char *good = "countries:\n  - {code: FR, names: [France], demonyms: [French]}\n"
                       "cues:\n  target: [target*]\n  cyber: [hack*]\n";
    assert_int_equal(vg_report_kb_load_gazetteer(k, good, strlen(good), "g.yaml", &e), VG_OK);
    const char *aliases[] = {"Bad Panda"};
    vg_report_kb_add_actor(k, "TESTACTOR", "XX", aliases, 1);
    assert_int_equal(vg_report_kb_actor_count(k), 1);
    const char *txt = "Hackers of Bad Panda are targeting hospitals in France.";
    vg_report *r;
    assert_int_equal(vg_report_analyze(k, "t", txt, strlen(txt), &r, &e), VG_OK);
    assert_true(vg_report_has(r, VG_FACT_ACTOR, "TESTACTOR"));
    assert_true(vg_report_has(r, VG_FACT_COUNTRY, "FR"));
    vg_report_free(r);
    vg_report_kb_free(k);
}

static void test_cli(void **state)
{
    (void)state;
    const char *bin = vg_test_vigil();
    struct stat st;
    char cmd[4096];
    char *out = NULL;
    snprintf(cmd, sizeof cmd, "%s intel report --help 2>/dev/null", bin);
    if (stat(bin, &st) != 0 || vg_test_run(cmd, &out) != 0) {
        fprintf(stderr, "SKIP: %s cannot run 'intel report' yet\n", bin);
        free(out);
        skip();
    }
    free(out);
    const char *fx = vg_test_src("tests/fixtures/reports");
    char fxdir[512];
    snprintf(fxdir, sizeof fxdir, "%s", fx);
    snprintf(cmd, sizeof cmd,
             "%s intel report --json --cluster %s/covid_vaccine_attacks_nov2020.html "
             "%s/strontium_elections_2020.html",
             bin, fxdir, fxdir);
    assert_int_equal(vg_test_run(cmd, &out), 0);
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    *nl = '\0';
    json_error_t err;
    json_t *a = json_loads(out, 0, &err);
    json_t *b = json_loads(nl + 1, 0, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(json_string_value(json_object_get(a, "event")),
                            json_string_value(json_object_get(b, "event")));
    json_decref(a);
    json_decref(b);
    free(out);
    snprintf(cmd, sizeof cmd, "%s intel report --stix %s/kimsuky_mojibake.txt", bin, fxdir);
    assert_int_equal(vg_test_run(cmd, &out), 0);
    json_t *s = json_loads(out, 0, &err);
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "type")), "bundle");
    json_decref(s);
    free(out);
    snprintf(cmd, sizeof cmd, "%s intel report < %s/vaccine_news_noattack.txt", bin, fxdir);
    assert_int_equal(vg_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "no campaign facts found"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s intel report /nonexistent/report.txt 2>/dev/null", bin);
    assert_int_equal(vg_test_run(cmd, &out), 3);
    free(out);
    snprintf(cmd, sizeof cmd, "%s intel report --bogus 2>/dev/null", bin);
    assert_int_equal(vg_test_run(cmd, &out), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_stix),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_gazetteer_errors),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
