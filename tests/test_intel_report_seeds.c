/* test_intel_report_seeds.c — the two seed reports of the November 2020
 * event (../shared/seeds/, read in place, never copied): what each says, that
 * they are one event (with the extra positive of tests/fixtures/reports/),
 * and that other campaigns — STRONTIUM's election attacks included — are not.
 * Skips (77) when the seeds are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "vigil/report.h"

#define SEED0 "000_d30b840eb6ef6d50.txt"
#define SEED1 "001_2303fb733f8dd724.txt"

static vg_report_kb *kb;
static vg_report *s0, *s1;

static const char *seed_path(const char *name)
{
    static char path[4096];
    const char *base = getenv("VIGIL_SHARED");
    snprintf(path, sizeof path, "%s/seeds/%s", base ? base : VIGIL_SHARED_DIR, name);
    return path;
}

static vg_report *analyze_file(const char *path, const char *label)
{
    char *data;
    size_t n;
    vg_error e = {0};
    if (vg_file_read(path, 0, &data, &n, &e) != VG_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return NULL;
    }
    vg_report *r = NULL;
    if (vg_report_analyze(kb, label, data, n, &r, &e) != VG_OK)
        fprintf(stderr, "%s\n", e.msg);
    free(data);
    return r;
}

static vg_report *fixture(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/reports/%s", name);
    vg_report *r = analyze_file(vg_test_src(rel), name);
    assert_non_null(r);
    return r;
}

static int setup(void **state)
{
    (void)state;
    vg_error e = {0};
    kb = vg_report_kb_builtin(&e);
    if (!kb) {
        fprintf(stderr, "kb: %s\n", e.msg);
        return -1;
    }
    s0 = analyze_file(seed_path(SEED0), SEED0);
    s1 = analyze_file(seed_path(SEED1), SEED1);
    return s0 && s1 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_report_free(s0);
    vg_report_free(s1);
    vg_report_kb_free(kb);
    return 0;
}

static const vg_report_fact *actor(const vg_report *r, const char *name)
{
    for (size_t i = 0; i < vg_report_fact_count(r); i++) {
        const vg_report_fact *f = vg_report_fact_at(r, i);
        if (f->kind == VG_FACT_ACTOR && !f->background && strcmp(f->value, name) == 0)
            return f;
    }
    return NULL;
}

static size_t main_count(const vg_report *r, vg_report_fact_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < vg_report_fact_count(r); i++) {
        const vg_report_fact *f = vg_report_fact_at(r, i);
        c += f->kind == k && !f->background;
    }
    return c;
}

static size_t occurrences(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        c++;
    return c;
}

/* facts both seeds state */
static void common(const vg_report *r)
{
    const char *actors[][2] = {{"STRONTIUM", "RU"}, {"ZINC", "KP"}, {"CERIUM", "KP"}};
    for (size_t i = 0; i < 3; i++) {
        const vg_report_fact *f = actor(r, actors[i][0]);
        assert_non_null(f);
        assert_non_null(f->detail);
        assert_string_equal(f->detail, actors[i][1]); /* the origin the report states */
        assert_non_null(f->sentence);
    }
    assert_int_equal(main_count(r, VG_FACT_ACTOR), 3);
    assert_true(vg_report_has(r, VG_FACT_ORIGIN, "RU"));
    assert_true(vg_report_has(r, VG_FACT_ORIGIN, "KP"));
    assert_int_equal(main_count(r, VG_FACT_ORIGIN), 2);
    const char *cc[] = {"CA", "FR", "IN", "KR", "US"};
    for (size_t i = 0; i < 5; i++)
        assert_true(vg_report_has(r, VG_FACT_COUNTRY, cc[i]));
    assert_int_equal(main_count(r, VG_FACT_COUNTRY), 5); /* RU, KP are origins, not targets */
    assert_true(vg_report_has(r, VG_FACT_SECTOR, "pharmaceutical"));
    assert_true(vg_report_has(r, VG_FACT_SECTOR, "vaccine research"));
    assert_false(vg_report_has(r, VG_FACT_SECTOR, "government"));
    assert_true(vg_report_has(r, VG_FACT_REPORTER, "Microsoft"));
    assert_true(vg_report_has(r, VG_FACT_SPOKESPERSON, "Tom Burt"));
    bool seven = false;
    for (size_t i = 0; i < vg_report_fact_count(r); i++) {
        const vg_report_fact *f = vg_report_fact_at(r, i);
        if (f->kind == VG_FACT_COUNT && !f->background && strstr(f->value, "seven") &&
            strcmp(f->detail, "7") == 0)
            seven = true;
    }
    assert_true(seven);
}

static void test_seed0(void **state)
{
    (void)state;
    const vg_report_clean_info *in = vg_report_info(s0);
    assert_string_equal(in->format, "html");
    assert_int_equal(in->repeats, 1);      /* the text is there twice */
    assert_int_equal(in->paragraphs, 12);
    const char *t = vg_report_text(s0);
    assert_int_equal(occurrences(t, "Microsoft on Friday urged a crackdown"), 1);
    assert_int_equal(occurrences(t, "malfeasance during the 2016 US elections"), 1);
    assert_null(strstr(t, "<p>"));
    assert_null(strstr(t, "\n\n.\n\n"));
    common(s0);
    /* STRONTIUM with every name it goes by in the report */
    const vg_report_fact *f = actor(s0, "STRONTIUM");
    assert_string_equal(f->matched, "Strontium");
    assert_true(vg_report_has(s0, VG_FACT_SECTOR, "clinical research"));
    assert_true(vg_report_has(s0, VG_FACT_IMPERSONATED, "World Health Organization"));
    assert_true(vg_report_has(s0, VG_FACT_LURE, "covid-19"));
    assert_true(vg_report_has(s0, VG_FACT_TECHNIQUE, "T1566"));
    /* the election attacks are background: not this event's count or sector */
    assert_false(vg_report_has(s0, VG_FACT_COUNT, "more than 200 organisations"));
    assert_true(vg_report_has_background(s0, VG_FACT_COUNT, "more than 200 organisations"));
    assert_false(vg_report_has(s0, VG_FACT_SECTOR, "political campaigns"));
    assert_true(vg_report_has_background(s0, VG_FACT_ACTOR, "STRONTIUM"));
    /* JSON: Fancy Bear and APT28 are among STRONTIUM's written names */
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_report_write_json(s0, kb, &b);
    assert_non_null(strstr(b.p, "\"matched\":[\"Strontium\",\"Fancy Bear\",\"APT28\"]"));
    assert_non_null(strstr(b.p, "\"countries\":[\"CA\",\"FR\",\"IN\",\"KR\",\"US\"]"));
    assert_non_null(strstr(b.p, "\"origins\":[\"KP\",\"RU\"]"));
    vg_buf_free(&b);
}

static void test_seed1(void **state)
{
    (void)state;
    const vg_report_clean_info *in = vg_report_info(s1);
    assert_string_equal(in->format, "text");
    assert_int_equal(in->boilerplate, 3);
    assert_true(in->mojibake >= 1);
    const char *t = vg_report_text(s1);
    assert_null(strstr(t, "Related Stories"));
    assert_null(strstr(t, "Recent Articles"));
    assert_null(strstr(t, "inbox"));
    assert_null(strstr(t, "\xd0\xa0")); /* the stray "Р" */
    assert_non_null(strstr(t, "Washington - which"));
    assert_string_equal(vg_report_title(s1), "North Korea and Russia are targeting Corona researchers");
    common(s1);
    /* ZINC is named only as Lazarus here */
    assert_string_equal(actor(s1, "ZINC")->matched, "Lazarus");
    assert_string_equal(actor(s1, "STRONTIUM")->matched, "Fancy Bear");
    assert_true(vg_report_has(s1, VG_FACT_COUNT, "more than six organizations"));
}

static void test_one_event(void **state)
{
    (void)state;
    vg_report_similarity s;
    vg_report_compare(s0, s1, &s);
    assert_true(s.same);
    assert_true(s.facts > 0.8);
    vg_report *extra = fixture("covid_vaccine_attacks_nov2020.html");
    vg_report *elections = fixture("strontium_elections_2020.html");
    vg_report *dreamjob = fixture("lazarus_dreamjob_cp1252.txt");
    vg_report *apt29 = fixture("apt29_vaccine_2020.html");
    vg_report *news = fixture("vaccine_news_noattack.txt");
    vg_report_compare(s0, elections, &s);
    assert_false(s.same); /* same actor, another campaign */
    vg_report_compare(s1, dreamjob, &s);
    assert_false(s.same); /* Lazarus, another campaign */
    vg_report_compare(s0, apt29, &s);
    assert_false(s.same); /* vaccine research, other actors */
    assert_string_equal(s.why, "actors disjoint");
    vg_report *all[] = {elections, s0, dreamjob, s1, apt29, extra, news};
    size_t n = sizeof all / sizeof *all;
    assert_int_equal(vg_report_cluster(all, n, 0), 5);
    assert_string_equal(vg_report_event(s0), vg_report_event(s1));
    assert_string_equal(vg_report_event(s0), vg_report_event(extra));
    assert_string_not_equal(vg_report_event(s0), vg_report_event(elections));
    assert_string_not_equal(vg_report_event(s0), vg_report_event(dreamjob));
    assert_string_not_equal(vg_report_event(s0), vg_report_event(apt29));
    assert_string_not_equal(vg_report_event(s0), vg_report_event(news));
    /* the id does not depend on the order of the inputs */
    char id[32];
    snprintf(id, sizeof id, "%s", vg_report_event(s0));
    vg_report *rev[] = {extra, s1, s0};
    assert_int_equal(vg_report_cluster(rev, 3, 0), 1);
    assert_string_equal(vg_report_event(s1), id);

    /* merging unions the facts: lures and WHO from 000, "Lazarus" from 001 */
    vg_report *pair[] = {s0, s1};
    vg_report *ev = vg_report_merge(pair, 2);
    assert_true(vg_report_has(ev, VG_FACT_LURE, "covid-19"));
    assert_true(vg_report_has(ev, VG_FACT_IMPERSONATED, "World Health Organization"));
    assert_true(vg_report_has(ev, VG_FACT_ACTOR, "ZINC"));
    assert_string_equal(vg_report_event(ev), id);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_report_write_json(ev, kb, &b);
    assert_non_null(strstr(b.p, "\"matched\":[\"Zinc\",\"Lazarus\"]"));
    vg_buf_free(&b);
    vg_report_free(ev);
    vg_report_free(extra);
    vg_report_free(elections);
    vg_report_free(dreamjob);
    vg_report_free(apt29);
    vg_report_free(news);
}

int main(void)
{
    struct stat st;
    if (stat(seed_path(SEED0), &st) != 0 || stat(seed_path(SEED1), &st) != 0) {
        fprintf(stderr, "SKIP: seed reports absent (%s)\n", seed_path(SEED0));
        return VG_TEST_SKIP;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed0),
        cmocka_unit_test(test_seed1),
        cmocka_unit_test(test_one_event),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
