/* test_intel_cli.c — `vigil intel actors|show|match|import` end to end through
 * the binary: output, exit codes, ambiguous names, malformed files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int run(char **out, const char *fmt, ...) VG_PRINTF(2, 3);
static int run(char **out, const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' intel %s 2>&1", vg_test_src(""), vg_test_vigil(), args);
    return vg_test_run(cmd, out);
}

static void test_actors_and_show(void **st)
{
    (void)st;
    char *out = NULL;
    assert_int_equal(run(&out, "actors"), 0);
    assert_non_null(strstr(out, "STRONTIUM"));
    assert_non_null(strstr(out, "ZINC"));
    assert_non_null(strstr(out, "CERIUM"));
    free(out);
    assert_int_equal(run(&out, "actors --json"), 0);
    int lines = 0;
    for (char *p = out; (p = strchr(p, '\n')); p++)
        lines++;
    assert_true(lines >= 5);
    assert_true(out[0] == '{');
    free(out);
    assert_int_equal(run(&out, "show 'fancy bear'"), 0);
    assert_non_null(strstr(out, "STRONTIUM"));
    assert_non_null(strstr(out, "origin:       RU"));
    assert_non_null(strstr(out, "T1110.003"));
    assert_non_null(strstr(out, "Forest Blizzard"));
    free(out);
    assert_int_equal(run(&out, "show --json Lazarus"), 0);
    assert_non_null(strstr(out, "\"name\":\"ZINC\""));
    free(out);
    assert_int_equal(run(&out, "show 'GRIZZLY STEPPE'"), 1);
    assert_non_null(strstr(out, "ambiguous"));
    assert_non_null(strstr(out, "STRONTIUM"));
    assert_non_null(strstr(out, "NOBELIUM"));
    free(out);
    assert_int_equal(run(&out, "show nobody-at-all"), 1);
    free(out);
    assert_int_equal(run(&out, "show"), 2);
    free(out);
    assert_int_equal(run(&out, "frobnicate"), 2);
    free(out);
    assert_int_equal(run(&out, "show x --names /nonexistent.json"), 3);
    free(out);
}

static void test_match_and_import(void **st)
{
    (void)st;
    char *out = NULL;
    assert_int_equal(run(&out, "match --intel tests/fixtures/intel/strontium.stix.json "
                               "--at 2020-11-01T00:00:00Z 45.153.231.17 1.1.1.1"),
                     1);
    assert_non_null(strstr(out, "actor=STRONTIUM"));
    assert_non_null(strstr(out, " valid "));
    assert_non_null(strstr(out, "1.1.1.1: no match"));
    free(out);
    assert_int_equal(run(&out, "match --json --intel tests/fixtures/intel/strontium.stix.json "
                               "--at 2020-11-01T00:00:00Z 185.86.148.227"),
                     1);
    assert_non_null(strstr(out, "\"validity\":\"expired\""));
    free(out);
    assert_int_equal(run(&out, "match --intel tests/fixtures/intel/blocklist.txt 9.9.9.9"), 0);
    free(out);
    assert_int_equal(run(&out, "match --at yesterday 1.2.3.4"), 2);
    free(out);
    /* import keeps files in a store: never the source tree's ./vigil.db */
    const char *dir = vg_test_tmpdir();
    assert_non_null(dir);
    char db[512], rm[600];
    snprintf(db, sizeof db, "%s/intel-cli.db", dir);
    assert_int_equal(run(&out, "import --db '%s' tests/fixtures/intel/zinc.misp.json "
                               "tests/fixtures/intel/strontium.stix.json", db),
                     0);
    assert_non_null(strstr(out, "zinc.misp.json: 10 indicators"));
    assert_non_null(strstr(out, "tied to an actor (ZINC)"));
    assert_non_null(strstr(out, "pattern offset 34: expected ']'"));
    assert_non_null(strstr(out, "imported into"));
    free(out);
    /* a malformed file: named with its position, the others still summarized */
    assert_int_equal(run(&out, "import --db '%s' tests/fixtures/intel/malformed.stix.json "
                               "tests/fixtures/intel/blocklist.txt", db),
                     3);
    assert_non_null(strstr(out, "malformed.stix.json:4:"));
    assert_non_null(strstr(out, "blocklist.txt: 8 indicators"));
    free(out);
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actors_and_show),
        cmocka_unit_test(test_match_and_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
