/* test_intel_catalog.c — actor catalog: built-in aliases, merging of the real
 * Microsoft / ATT&CK / MISP files by precedence without transitive joins,
 * ambiguous names, and ATT&CK campaign -> group attributions. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testutil.h"
#include "vigil/intel.h"

static const char *resolved(const vg_catalog *c, const char *name)
{
    const vg_actor *a = vg_catalog_find(c, name);
    return a ? vg_actor_name(a) : "(none)";
}

static bool has_candidate(const vg_resolution *r, const char *name)
{
    for (size_t i = 0; i < r->n_candidates; i++)
        if (strcmp(vg_actor_name(r->candidates[i]), name) == 0)
            return true;
    return false;
}

static bool has_alias(const vg_actor *a, const char *name)
{
    for (size_t i = 0; i < vg_actor_alias_count(a); i++)
        if (strcasecmp(vg_actor_alias(a, i), name) == 0)
            return true;
    return false;
}

static vg_catalog *builtin(void)
{
    vg_catalog *c = vg_catalog_new();
    vg_error e = {0};
    assert_int_equal(vg_catalog_load_builtin(c, &e), VG_OK);
    return c;
}

static bool shared_files(void)
{
    return vg_test_shared("threat_intel/microsoft-mstic/MicrosoftMapping.json") &&
           vg_test_shared("threat_intel/mitre-attack/enterprise-intrusion-sets.json") &&
           vg_test_shared("threat_intel/misp-galaxy/threat-actor.json");
}

static void merge(vg_catalog *c, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", vg_test_shared(rel));
    vg_error e = {0};
    vg_err rc = vg_catalog_merge_file(c, path, &e);
    if (rc)
        fail_msg("%s: %s", path, e.msg);
}

static void test_builtin(void **st)
{
    (void)st;
    vg_catalog *c = builtin();
    assert_true(vg_catalog_count(c) >= 5);
    assert_string_equal(resolved(c, "Fancy Bear"), "STRONTIUM");
    assert_string_equal(resolved(c, "apt28"), "STRONTIUM");
    assert_string_equal(resolved(c, "APT 28"), "STRONTIUM");
    assert_string_equal(resolved(c, "Forest Blizzard"), "STRONTIUM");
    assert_string_equal(resolved(c, "forest-blizzard"), "STRONTIUM");
    assert_string_equal(resolved(c, "strontium"), "STRONTIUM");
    assert_string_equal(resolved(c, "G0007"), "STRONTIUM");
    assert_string_equal(resolved(c, "Lazarus"), "ZINC");
    assert_string_equal(resolved(c, "Lazarus Group"), "ZINC");
    assert_string_equal(resolved(c, "Hidden Cobra"), "ZINC");
    assert_string_equal(resolved(c, "Diamond Sleet"), "ZINC");
    assert_string_equal(resolved(c, "Ruby Sleet"), "CERIUM");
    assert_string_equal(resolved(c, "Cozy Bear"), "NOBELIUM");
    assert_string_equal(resolved(c, "Midnight Blizzard"), "NOBELIUM");
    assert_string_equal(resolved(c, "Kimsuky"), "THALLIUM");
    assert_string_equal(resolved(c, "Emerald Sleet"), "THALLIUM");
    assert_string_equal(resolved(c, "Charming Kitten"), "PHOSPHORUS");
    assert_string_equal(resolved(c, "Wicked Panda"), "BARIUM");
    assert_string_equal(resolved(c, "no such actor"), "(none)");
    assert_string_equal(resolved(c, ""), "(none)");

    const vg_actor *s = vg_catalog_find(c, "STRONTIUM");
    assert_non_null(s);
    assert_string_equal(vg_actor_origin(s), "RU");
    assert_string_equal(vg_actor_attack_id(s), "G0007");
    assert_true(vg_actor_builtin(s));
    assert_true(vg_actor_has_technique(s, "T1110.003"));
    assert_true(vg_actor_has_technique(s, "T1110"));
    assert_false(vg_actor_has_technique(s, "T1486"));
    assert_true(vg_actor_infra(s) & VG_INFRA_TOR);
    assert_true(vg_actor_source_count(s) >= 1);
    assert_non_null(strstr(vg_actor_source(s, 0), "Microsoft"));
    assert_true(has_alias(s, "Sofacy"));
    assert_true(has_alias(s, "Pawn Storm"));
    assert_string_equal(vg_actor_origin(vg_catalog_find(c, "ZINC")), "KP");
    assert_string_equal(vg_actor_origin(vg_catalog_find(c, "CERIUM")), "KP");

    /* Every built-in actor has an origin, techniques, a source line. */
    for (size_t i = 0; i < vg_catalog_count(c); i++) {
        const vg_actor *a = vg_catalog_actor(c, i);
        assert_non_null(vg_actor_origin(a));
        assert_true(vg_actor_technique_count(a) > 0);
        assert_true(vg_actor_source_count(a) > 0);
        if (i)
            assert_true(strcasecmp(vg_actor_name(vg_catalog_actor(c, i - 1)), vg_actor_name(a)) < 0);
    }

    /* Umbrella names are ambiguous, with both candidates. */
    vg_resolution r;
    assert_int_equal(vg_catalog_resolve(c, "GRIZZLY STEPPE", &r), 2);
    assert_null(r.actor);
    assert_true(has_candidate(&r, "STRONTIUM"));
    assert_true(has_candidate(&r, "NOBELIUM"));
    assert_int_equal(vg_catalog_resolve(c, "Velvet Chollima", &r), 2);
    assert_true(has_candidate(&r, "CERIUM"));
    assert_true(has_candidate(&r, "THALLIUM"));

    /* (name, actor) pairs are sorted and cover canonical names and aliases. */
    size_t np = vg_catalog_pair_count(c);
    assert_true(np > vg_catalog_count(c) * 3);
    int grizzly = 0;
    for (size_t i = 0; i < np; i++) {
        const char *nm;
        const vg_actor *a;
        vg_catalog_pair(c, i, &nm, &a);
        assert_non_null(nm);
        assert_non_null(a);
        if (strcasecmp(nm, "GRIZZLY STEPPE") == 0)
            grizzly++;
        if (i) {
            const char *prev;
            vg_catalog_pair(c, i - 1, &prev, NULL);
            assert_true(strcasecmp(prev, nm) <= 0);
        }
    }
    assert_int_equal(grizzly, 2);
    vg_catalog_free(c);
}

static void test_bad_yaml(void **st)
{
    (void)st;
    vg_catalog *c = vg_catalog_new();
    vg_error e = {0};
    const char *y = "actors:\n"
                    "  - name: GOOD\n    origin: RU\n    techniques: [T1110.003]\n"
                    "  - name: BAD\n    origin: Russia\n"
                    "  - name: BAD2\n    techniques: [T11]\n"
                    "  - origin: RU\n";
    assert_int_not_equal(vg_catalog_load_yaml(c, y, strlen(y), "x.yaml", &e), VG_OK);
    assert_non_null(strstr(e.msg, "x.yaml:6"));
    /* The good actor is still there. */
    assert_string_equal(resolved(c, "good"), "GOOD");
    assert_int_equal(vg_catalog_count(c), 1);
    assert_int_equal(vg_catalog_skipped(c), 3);
    const char *bad = "actors: [ {name: X";
    assert_int_not_equal(vg_catalog_load_yaml(c, bad, strlen(bad), "y.yaml", &e), VG_OK);
    assert_non_null(strstr(e.msg, "y.yaml"));
    vg_catalog_free(c);
}

/* The naive failure mode: joining records through any shared synonym makes
 * one cluster of APT28 and APT29. Here two MISP records share GRIZZLY STEPPE. */
static void test_no_transitive_merge(void **st)
{
    (void)st;
    vg_catalog *c = vg_catalog_new();
    vg_error e = {0};
    const char *misp =
        "{\"type\":\"threat-actor\",\"values\":["
        "{\"value\":\"APT28\",\"meta\":{\"country\":\"RU\",\"synonyms\":[\"Fancy Bear\",\"GRIZZLY STEPPE\",\"Sofacy\"]}},"
        "{\"value\":\"APT29\",\"meta\":{\"country\":\"RU\",\"synonyms\":[\"Cozy Bear\",\"GRIZZLY STEPPE\",\"The Dukes\"]}},"
        "{\"value\":\"Grizzly Steppe Umbrella\",\"meta\":{\"synonyms\":[\"APT28\",\"APT29\"]}},"
        "{\"novalue\":1}]}";
    assert_int_equal(vg_catalog_merge_misp_galaxy(c, misp, strlen(misp), "m.json", &e), VG_OK);
    assert_int_equal(vg_catalog_skipped(c), 1);
    const vg_actor *a28 = vg_catalog_find(c, "Fancy Bear");
    const vg_actor *a29 = vg_catalog_find(c, "Cozy Bear");
    assert_non_null(a28);
    assert_non_null(a29);
    assert_ptr_not_equal(a28, a29);
    assert_false(has_alias(a28, "Cozy Bear"));
    assert_false(has_alias(a29, "Fancy Bear"));
    vg_resolution r;
    assert_int_equal(vg_catalog_resolve(c, "grizzly steppe", &r), 2);
    /* The umbrella record with both as synonyms became its own actor, joining none. */
    assert_int_equal(vg_catalog_count(c), 3);
    assert_string_equal(resolved(c, "APT28"), "APT28");
    assert_string_equal(resolved(c, "APT29"), "APT29");

    /* With the built-in catalog underneath, the same records attach to the
     * curated actors and still do not join them. */
    vg_catalog *b = builtin();
    assert_int_equal(vg_catalog_merge_misp_galaxy(b, misp, strlen(misp), "m.json", &e), VG_OK);
    assert_string_equal(resolved(b, "The Dukes"), "NOBELIUM");
    assert_string_equal(resolved(b, "Sofacy"), "STRONTIUM");
    assert_int_equal(vg_catalog_resolve(b, "GRIZZLY STEPPE", &r), 2);
    vg_catalog_free(b);
    vg_catalog_free(c);
}

/* Precedence: a Microsoft name beats a MISP claim; order of merging does not
 * matter. */
static void test_precedence_order_independent(void **st)
{
    (void)st;
    const char *ms = "[{\"Threat actor name\":\"Onyx Sleet\",\"Origin/Threat\":\"North Korea\","
                     "\"Other names\":\"PLUTONIUM, Andariel\"},"
                     "{\"Threat actor name\":\"Diamond Sleet\",\"Origin/Threat\":\"North Korea\","
                     "\"Other names\":\"ZINC, Lazarus\"}]";
    const char *misp = "{\"values\":[{\"value\":\"Lazarus Group\",\"meta\":{\"synonyms\":"
                       "[\"Andariel\",\"Hidden Cobra\"]}}]}";
    for (int order = 0; order < 2; order++) {
        vg_catalog *c = builtin();
        vg_error e = {0};
        if (order == 0) {
            assert_int_equal(vg_catalog_merge_microsoft(c, ms, strlen(ms), "ms.json", &e), 0);
            assert_int_equal(vg_catalog_merge_misp_galaxy(c, misp, strlen(misp), "g.json", &e), 0);
        } else {
            assert_int_equal(vg_catalog_merge_misp_galaxy(c, misp, strlen(misp), "g.json", &e), 0);
            assert_int_equal(vg_catalog_merge_microsoft(c, ms, strlen(ms), "ms.json", &e), 0);
        }
        assert_string_equal(resolved(c, "Andariel"), "Onyx Sleet");
        assert_string_equal(resolved(c, "PLUTONIUM"), "Onyx Sleet");
        assert_string_equal(resolved(c, "Lazarus"), "ZINC");
        assert_false(has_alias(vg_catalog_find(c, "ZINC"), "Andariel"));
        vg_resolution r;
        vg_catalog_resolve(c, "Andariel", &r);
        assert_int_equal(r.source, VG_NAMESRC_MICROSOFT);
        assert_string_equal(vg_actor_origin(vg_catalog_find(c, "Onyx Sleet")), "KP");
        vg_catalog_free(c);
    }
}

/* Techniques learned from reports (the config's actors:) join the existing
 * actor any of its names resolves to, and survive later merges. */
static void test_add_technique(void **st)
{
    (void)st;
    vg_catalog *c = builtin();
    vg_error e = {0};
    const vg_actor *s = vg_catalog_find(c, "STRONTIUM");
    assert_non_null(s);
    assert_false(vg_actor_has_technique(s, "T1133"));
    size_t before = vg_actor_technique_count(s), actors = vg_catalog_count(c);
    assert_int_equal(vg_catalog_add_technique(c, "fancy-bear", "T1133", &e), VG_OK);
    assert_int_equal(vg_catalog_add_technique(c, "APT28", "T1133", &e), VG_OK); /* no duplicate */
    assert_true(vg_actor_has_technique(s, "T1133"));
    assert_int_equal(vg_actor_technique_count(s), before + 1);
    for (size_t i = 1; i < vg_actor_technique_count(s); i++)
        assert_true(strcmp(vg_actor_technique(s, i - 1), vg_actor_technique(s, i)) < 0);
    assert_false(vg_actor_has_technique(vg_catalog_find(c, "ZINC"), "T1133"));
    assert_int_equal(vg_catalog_count(c), actors); /* nothing created */

    assert_int_equal(vg_catalog_add_technique(c, "Nobody Panda", "T1133", &e), VG_ENOTFOUND);
    assert_non_null(strstr(e.msg, "Nobody Panda"));
    assert_int_equal(vg_catalog_add_technique(c, "STRONTIUM", "1133", &e), VG_EINVAL);
    assert_int_equal(vg_catalog_add_technique(c, "STRONTIUM", "T1133.1", &e), VG_EINVAL);
    assert_int_equal(vg_catalog_add_technique(c, "STRONTIUM", "T11330", &e), VG_EINVAL);
    assert_int_equal(vg_catalog_add_technique(c, "STRONTIUM", "T1566.002", &e), VG_OK);

    /* A later merge rebuilds the catalog: the techniques are still there,
     * and an ambiguous name adds to nobody. */
    const char *misp =
        "{\"values\":[{\"value\":\"APT28\",\"meta\":{\"synonyms\":[\"GRIZZLY STEPPE\"]}},"
        "{\"value\":\"APT29\",\"meta\":{\"synonyms\":[\"GRIZZLY STEPPE\"]}}]}";
    assert_int_equal(vg_catalog_merge_misp_galaxy(c, misp, strlen(misp), "m.json", &e), VG_OK);
    s = vg_catalog_find(c, "Fancy Bear");
    assert_true(vg_actor_has_technique(s, "T1133"));
    assert_true(vg_actor_has_technique(s, "T1566.002"));
    const vg_actor *n = vg_catalog_find(c, "NOBELIUM");
    size_t nt = vg_actor_technique_count(n);
    assert_int_equal(vg_catalog_add_technique(c, "Grizzly Steppe", "T1200", &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "ambiguous"));
    assert_non_null(strstr(e.msg, "STRONTIUM"));
    assert_false(vg_actor_has_technique(s, "T1200"));
    assert_int_equal(vg_actor_technique_count(n), nt);
    vg_catalog_free(c);
}

static void test_malformed_json(void **st)
{
    (void)st;
    vg_catalog *c = builtin();
    vg_error e = {0};
    const char *bad = "[{\"Threat actor name\": \"X\",\n \"Other names\": ]";
    assert_int_equal(vg_catalog_merge_microsoft(c, bad, strlen(bad), "ms.json", &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "ms.json:2:"));
    assert_int_equal(vg_catalog_merge_attack(c, "{}", 2, "a.json", &e), VG_EINVAL);
    assert_int_equal(vg_catalog_merge_misp_galaxy(c, "[]", 2, "g.json", &e), VG_EINVAL);
    /* Still usable. */
    assert_string_equal(resolved(c, "apt28"), "STRONTIUM");
    vg_catalog_free(c);
}

static void test_real_sources(void **st)
{
    (void)st;
    /* Each source on its own over the built-in catalog, then all three. */
    const char *files[] = {"threat_intel/misp-galaxy/threat-actor.json",
                           "threat_intel/mitre-attack/enterprise-intrusion-sets.json",
                           "threat_intel/microsoft-mstic/MicrosoftMapping.json", NULL};
    for (int k = 0; k <= 3; k++) {
        vg_catalog *c = builtin();
        if (k < 3)
            merge(c, files[k]);
        else
            for (int x = 0; files[x]; x++)
                merge(c, files[x]);
        assert_string_equal(resolved(c, "Fancy Bear"), "STRONTIUM");
        assert_string_equal(resolved(c, "apt28"), "STRONTIUM");
        assert_string_equal(resolved(c, "Forest Blizzard"), "STRONTIUM");
        assert_string_equal(resolved(c, "Lazarus"), "ZINC");
        assert_string_equal(resolved(c, "Lazarus Group"), "ZINC");
        assert_string_equal(resolved(c, "CERIUM"), "CERIUM");
        assert_string_equal(resolved(c, "Cozy Bear"), "NOBELIUM");
        const vg_actor *s = vg_catalog_find(c, "STRONTIUM");
        const vg_actor *n = vg_catalog_find(c, "NOBELIUM");
        assert_ptr_not_equal(s, n);
        assert_false(has_alias(s, "Cozy Bear"));
        assert_false(has_alias(s, "APT29"));
        assert_false(has_alias(n, "APT28"));
        vg_resolution r;
        assert_int_equal(vg_catalog_resolve(c, "GRIZZLY STEPPE", &r), 2);
        assert_true(has_candidate(&r, "STRONTIUM") && has_candidate(&r, "NOBELIUM"));
        /* sources name files by their base name, never the local path */
        bool named = k == 0;
        for (size_t i = 0; i < vg_actor_source_count(s); i++) {
            assert_null(strstr(vg_actor_source(s, i), "threat_intel/"));
            named |= strstr(vg_actor_source(s, i), ": MicrosoftMapping.json") ||
                     strstr(vg_actor_source(s, i), ": enterprise-intrusion-sets.json");
        }
        assert_true(named);
        if (k == 0 || k == 3) {
            /* MISP-only names attach to the curated actor. */
            assert_string_equal(resolved(c, "TG-4127"), "STRONTIUM");
            assert_string_equal(resolved(c, "Fighting Ursa"), "STRONTIUM");
        }
        if (k == 1 || k == 3) {
            assert_string_equal(resolved(c, "FROZENLAKE"), "STRONTIUM");
            assert_string_equal(resolved(c, "G0032"), "ZINC");
            assert_string_equal(resolved(c, "Magic Hound"), "PHOSPHORUS");
            if (k == 1)
                assert_string_equal(resolved(c, "Sandworm Team"), "Sandworm Team");
            else
                assert_string_equal(resolved(c, "Sandworm Team"), "Seashell Blizzard");
        }
        if (k == 2 || k == 3) {
            /* Microsoft's own map puts VELVET CHOLLIMA under several actors. */
            /* built-in decides it is ambiguous; Microsoft adds Opal Sleet */
            assert_int_equal(vg_catalog_resolve(c, "VELVET CHOLLIMA", &r), 3);
            assert_int_equal(r.source, VG_NAMESRC_BUILTIN);
            assert_true(has_candidate(&r, "Opal Sleet"));
            assert_true(has_candidate(&r, "CERIUM") && has_candidate(&r, "THALLIUM"));
            assert_true(vg_catalog_resolve(c, "LABYRINTH CHOLLIMA", &r) >= 2);
            assert_true(has_candidate(&r, "ZINC"));
            assert_string_equal(resolved(c, "Opal Sleet"), "Opal Sleet");
            assert_string_equal(resolved(c, "APT43"), "Opal Sleet");
        }
        if (k == 3) {
            assert_true(vg_catalog_count(c) > 500);
            /* Higher-precedence sources settle names MISP leaves ambiguous. */
            assert_string_equal(resolved(c, "NOBELIUM"), "NOBELIUM");
            assert_string_equal(resolved(c, "Mint Sandstorm"), "PHOSPHORUS");
            assert_string_equal(resolved(c, "Andariel"), "Onyx Sleet");
            assert_string_equal(vg_actor_attack_id(vg_catalog_find(c, "Andariel")), "G0138");
            /* MISP ambiguity with no better source stays ambiguous. */
            assert_true(vg_catalog_resolve(c, "Golden Chickens", &r) >= 2);
            /* No actor got glued to another big one. */
            size_t big = 0;
            for (size_t i = 0; i < vg_catalog_count(c); i++)
                if (vg_actor_alias_count(vg_catalog_actor(c, i)) > 60)
                    big++;
            assert_int_equal(big, 0);
        }
        vg_catalog_free(c);
    }
}

/* ATT&CK campaign -> group attributions resolve to the catalog actor carrying
 * that ATT&CK group id (the curated one where there is one). */
static void test_campaign_attribution(void **st)
{
    (void)st;
    vg_catalog *c = builtin();
    merge(c, "threat_intel/microsoft-mstic/MicrosoftMapping.json");
    merge(c, "threat_intel/mitre-attack/enterprise-intrusion-sets.json");
    merge(c, "threat_intel/misp-galaxy/threat-actor.json");
    char *text = NULL;
    size_t n = 0;
    vg_error e = {0};
    const char *p = vg_test_shared("threat_intel/mitre-attack/enterprise-campaign-attribution.tsv");
    assert_int_equal(vg_file_read(p, 0, &text, &n, &e), VG_OK);
    vg_str rest = vg_str_make(text, n), line;
    int rows = 0;
    bool header = true;
    while (vg_str_split(&rest, '\n', &line)) {
        if (!line.n)
            continue;
        if (header) {
            header = false;
            continue;
        }
        vg_str cols[6], r2 = line;
        int k = 0;
        while (k < 6 && vg_str_split(&r2, '\t', &cols[k]))
            k++;
        assert_int_equal(k, 6);
        char *gid = vg_str_dup(cols[2]), *gname = vg_str_dup(cols[3]);
        const vg_actor *a = vg_catalog_find(c, gname);
        if (!a)
            fail_msg("campaign group %s (%s) does not resolve", gname, gid);
        assert_ptr_equal(a, vg_catalog_find(c, gid));
        bool has_id = false;
        for (size_t x = 0; x < vg_actor_attack_id_count(a); x++)
            has_id |= strcmp(vg_actor_attack_id_at(a, x), gid) == 0;
        if (!has_id)
            fail_msg("campaign group %s (%s) resolved to %s", gname, gid, vg_actor_name(a));
        if (strcmp(gid, "G0007") == 0) {
            assert_string_equal(vg_actor_name(a), "STRONTIUM");
            assert_string_equal(vg_actor_attack_id(a), "G0007");
        }
        if (strcmp(gid, "G0032") == 0)
            assert_string_equal(vg_actor_name(a), "ZINC");
        if (strcmp(gid, "G0016") == 0)
            assert_string_equal(vg_actor_name(a), "NOBELIUM");
        if (strcmp(gid, "G0096") == 0)
            assert_string_equal(vg_actor_name(a), "BARIUM");
        free(gid);
        free(gname);
        rows++;
    }
    assert_true(rows >= 20);
    free(text);
    vg_catalog_free(c);
}

static void test_json(void **st)
{
    (void)st;
    vg_catalog *c = builtin();
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_actor_write_json(vg_catalog_find(c, "Fancy Bear"), &j);
    assert_false(j.failed);
    assert_non_null(strstr(b.p, "\"name\":\"STRONTIUM\""));
    assert_non_null(strstr(b.p, "\"origin\":\"RU\""));
    assert_non_null(strstr(b.p, "T1110.003"));
    assert_non_null(strstr(b.p, "\"tor\""));
    vg_buf_free(&b);
    vg_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_bad_yaml),
        cmocka_unit_test(test_no_transitive_merge),
        cmocka_unit_test(test_precedence_order_independent),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_add_technique),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rc)
        return rc;
    if (!shared_files())
        return VG_TEST_SKIP;
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_real_sources),
        cmocka_unit_test(test_campaign_attribution),
    };
    return cmocka_run_group_tests(shared, NULL, NULL);
}
