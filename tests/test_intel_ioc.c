/* test_intel_ioc.c — indicator sets: normalizers, STIX 2.1 bundles (patterns,
 * validity, actors through indicates / attributed-to), MISP events, plain
 * lists, Tor exit lists, malformed files, and lookups. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/intel.h"

static vg_catalog *cat;

static int setup(void **st)
{
    (void)st;
    cat = vg_catalog_new();
    vg_error e = {0};
    return vg_catalog_load_builtin(cat, &e);
}

static int teardown(void **st)
{
    (void)st;
    vg_catalog_free(cat);
    return 0;
}

static vg_iocset *load(const char *fixture, vg_err want)
{
    vg_iocset *s = vg_iocset_new();
    vg_iocset_set_catalog(s, cat);
    vg_error e = {0};
    char path[4096];
    snprintf(path, sizeof path, "%s", vg_test_src(fixture));
    vg_err rc = vg_iocset_load_file(s, path, &e);
    if (rc != want)
        fail_msg("%s: rc %d (%s)", fixture, rc, e.msg);
    return s;
}

static int64_t ts(const char *s)
{
    int64_t t = 0;
    assert_int_equal(vg_time_parse_rfc3339(vg_str_from(s), &t), VG_OK);
    return t;
}

static const vg_indicator *one(const vg_iocset *s, const char *value)
{
    vg_ioc_hit h[8];
    size_t n = vg_iocset_match(s, value, h, 8);
    if (n == 0)
        return NULL;
    return h[0].ind;
}

static bool rejected(const vg_iocset *s, const char *needle)
{
    for (size_t i = 0; i < vg_iocset_reject_count(s) && vg_iocset_reject(s, i); i++)
        if (strstr(vg_iocset_reject(s, i), needle))
            return true;
    return false;
}

static void test_normalize(void **st)
{
    (void)st;
    char out[1024];
    assert_true(vg_ioc_normalize_domain("WWW.Example.COM.", out, sizeof out));
    assert_string_equal(out, "www.example.com");
    assert_true(vg_ioc_normalize_domain("evil[.]example", out, sizeof out));
    assert_string_equal(out, "evil.example");
    assert_true(vg_ioc_normalize_domain("*.evil.example", out, sizeof out));
    assert_string_equal(out, "evil.example");
    assert_true(vg_ioc_normalize_domain("bücher.example", out, sizeof out));
    assert_string_equal(out, "xn--bcher-kva.example");
    assert_false(vg_ioc_normalize_domain("localhost", out, sizeof out));
    assert_false(vg_ioc_normalize_domain("1.2.3.4", out, sizeof out));
    assert_false(vg_ioc_normalize_domain("a..b", out, sizeof out));
    assert_false(vg_ioc_normalize_domain("a b.com", out, sizeof out));

    assert_true(vg_ioc_normalize_url("HTTPS://Evil.Example:443/a/./b/../c%7e?q=%2f#frag", out,
                                     sizeof out));
    assert_string_equal(out, "https://evil.example/a/c~?q=%2F");
    assert_true(vg_ioc_normalize_url("hxxp://bank.example@evil[.]example", out, sizeof out));
    assert_string_equal(out, "http://evil.example/");
    assert_true(vg_ioc_normalize_url("hxxps[:]//evil[.]example/x", out, sizeof out));
    assert_string_equal(out, "https://evil.example/x");
    /* "hxxp" that is not a scheme is left alone, and twice is once */
    assert_true(vg_ioc_normalize_domain("*.hxxpsevil.example.", out, sizeof out));
    assert_string_equal(out, "hxxpsevil.example");
    assert_true(vg_ioc_normalize_domain("hxxpsevil.example", out, sizeof out));
    assert_string_equal(out, "hxxpsevil.example");
    assert_true(vg_ioc_normalize_url("http://[2001:DB8::1]:8080/x", out, sizeof out));
    assert_string_equal(out, "http://[2001:db8::1]:8080/x");
    assert_false(vg_ioc_normalize_url("evil.example/path", out, sizeof out));
    assert_false(vg_ioc_normalize_url("http://", out, sizeof out));
    assert_false(vg_ioc_normalize_url("http://ex ample.com/", out, sizeof out));

    assert_true(vg_ioc_normalize_email("<Bob.Smith@Example.COM>", out, sizeof out));
    assert_string_equal(out, "bob.smith@example.com");
    assert_true(vg_ioc_normalize_email("mailto:x[@]evil[.]example", out, sizeof out));
    assert_string_equal(out, "x@evil.example");
    assert_false(vg_ioc_normalize_email("@example.com", out, sizeof out));
    assert_false(vg_ioc_normalize_email("a@b", out, sizeof out));

    vg_ioc_type t;
    assert_true(vg_ioc_normalize_hash("D41D8CD98F00B204E9800998ECF8427E", &t, out, sizeof out));
    assert_int_equal(t, VG_IOC_MD5);
    assert_string_equal(out, "d41d8cd98f00b204e9800998ecf8427e");
    assert_false(vg_ioc_normalize_hash("xyz", &t, out, sizeof out));

    assert_int_equal(vg_ioc_guess_type("10.1.2.3"), VG_IOC_IP);
    assert_int_equal(vg_ioc_guess_type("2001:db8::/32"), VG_IOC_CIDR);
    assert_int_equal(vg_ioc_guess_type("evil.example"), VG_IOC_DOMAIN);
    assert_int_equal(vg_ioc_guess_type("https://evil.example/x"), VG_IOC_URL);
    assert_int_equal(vg_ioc_guess_type("a@evil.example"), VG_IOC_EMAIL);
    assert_int_equal(vg_ioc_guess_type("da39a3ee5e6b4b0d3255bfef95601890afd80709"), VG_IOC_SHA1);
    assert_int_equal(vg_ioc_guess_type("hello"), VG_IOC_NONE);
}

static void test_stix(void **st)
{
    (void)st;
    vg_iocset *s = load("tests/fixtures/intel/strontium.stix.json", VG_OK);
    /* 1 ip + cidr + v6 cidr + 2 domains + url + email + 2 hashes + expired + tor + crimeware */
    assert_int_equal(vg_iocset_count(s), 12);
    assert_int_equal(vg_iocset_count_type(s, VG_IOC_DOMAIN), 2);
    assert_int_equal(vg_iocset_count_type(s, VG_IOC_CIDR), 2);

    const vg_indicator *i = one(s, "45.153.231.17");
    assert_non_null(i);
    assert_string_equal(i->actor, "STRONTIUM");
    assert_string_equal(i->actor_label, "APT28");
    assert_string_equal(i->id, "indicator--1f0a9e43-1b8c-4f3a-9a0e-7e1a7c1e0001");
    assert_int_equal(i->confidence, 85);
    assert_int_equal(i->shared, VG_SHARED_NONE);
    assert_true(vg_indicator_valid_at(i, ts("2020-11-01T00:00:00Z")));
    assert_false(vg_indicator_valid_at(i, ts("2021-03-01T00:00:00Z")));
    assert_false(vg_indicator_valid_at(i, ts("2020-08-31T23:59:59Z")));
    /* the file by its name, never the local path (evidence leaves the host) */
    assert_string_equal(i->source, "strontium.stix.json");
    char d[512];
    vg_indicator_describe(i, d, sizeof d);
    assert_string_equal(d, "strontium.stix.json indicator indicator--1f0a9e43-1b8c-4f3a-9a0e-"
                           "7e1a7c1e0001 (valid 2020-09-01 to 2021-03-01)");

    /* Through the campaign's attributed-to. */
    i = one(s, "91.219.236.200");
    assert_non_null(i);
    assert_int_equal(i->type, VG_IOC_CIDR);
    assert_string_equal(i->value, "91.219.236.0/24");
    assert_string_equal(i->actor, "STRONTIUM");
    assert_non_null(one(s, "2a0b:f4c0:16c:3:1:2:3:4"));
    assert_null(one(s, "2a0b:f4c0:16c:4::1"));

    /* Domains match themselves and subdomains, not parents or look-alikes. */
    vg_ioc_hit h[4];
    assert_int_equal(vg_iocset_match_domain(s, "login.microsoft-sso-login.com", h, 4), 1);
    assert_false(h[0].exact);
    assert_int_equal(vg_iocset_match_domain(s, "MICROSOFT-SSO-LOGIN.COM.", h, 4), 1);
    assert_true(h[0].exact);
    assert_int_equal(vg_iocset_match_domain(s, "xmicrosoft-sso-login.com", h, 4), 0);
    assert_int_equal(vg_iocset_match_domain(s, "com", h, 4), 0);
    /* URL: normalized; host also matches the domain indicator. */
    size_t n = vg_iocset_match(s, "HTTPS://accounts-secure-verify.net:443/owa/auth/logon.aspx?replace=1#x",
                               h, 4);
    assert_int_equal(n, 2);
    assert_int_equal(h[0].ind->type, VG_IOC_URL);
    assert_int_equal(h[1].ind->type, VG_IOC_DOMAIN);
    assert_non_null(one(s, "No-Reply@accounts-secure-verify.net"));
    i = one(s, "b5d3f9e1c0a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c");
    assert_non_null(i);
    assert_int_equal(i->type, VG_IOC_SHA256);
    assert_non_null(one(s, "0CC175B9C0F1B6A831C399E269772661"));

    i = one(s, "185.86.148.227");
    assert_non_null(i);
    assert_false(vg_indicator_valid_at(i, ts("2020-11-01T00:00:00Z")));
    i = one(s, "185.220.101.44");
    assert_non_null(i);
    assert_int_equal(i->shared, VG_SHARED_TOR);
    assert_string_equal(i->actor, "STRONTIUM");
    i = one(s, "194.5.249.12");
    assert_non_null(i);
    assert_null(i->actor);
    assert_null(one(s, "8.8.8.8"));

    /* Malformed records are skipped with their position and reason. */
    assert_int_equal(vg_iocset_reject_count(s), 4);
    assert_true(rejected(s, "objects[10] (indicator--1f0a9e43-1b8c-4f3a-9a0e-7e1a7c1e0007): pattern offset"));
    assert_true(rejected(s, "expected ']'"));
    assert_true(rejected(s, "no supported comparison"));
    assert_true(rejected(s, "pattern_type 'sigma'"));
    assert_true(rejected(s, "300.1.2.3"));
    /* Reloading the same file adds nothing. */
    vg_error e = {0};
    assert_int_equal(vg_iocset_load_file(s, vg_test_src("tests/fixtures/intel/strontium.stix.json"), &e), 0);
    assert_int_equal(vg_iocset_count(s), 12);
    vg_iocset_free(s);
}

static void test_misp(void **st)
{
    (void)st;
    vg_iocset *s = load("tests/fixtures/intel/zinc.misp.json", VG_OK);
    const vg_indicator *i = one(s, "175.45.178.19");
    assert_non_null(i);
    assert_string_equal(i->actor, "ZINC");
    assert_string_equal(i->actor_label, "Lazarus Group");
    assert_string_equal(i->name, "C2 server");
    assert_non_null(one(s, "https://careers-lockheed-jobs.com/jd/Senior_Scientist.pdf"));
    assert_non_null(one(s, "talent.acquisition@careers-lockheed-jobs.com"));
    assert_non_null(one(s, "hr.recruit@gmail.com")); /* object attribute */
    assert_non_null(one(s, "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"));
    assert_non_null(one(s, "900150983cd24fb0d6963f7d28e17f72"));
    assert_non_null(one(s, "jobs-portal-hr.net"));
    assert_non_null(one(s, "103.85.24.11"));
    assert_null(one(s, "8.8.8.8")); /* to_ids false: context, not an indicator */
    i = one(s, "185.220.100.252");
    assert_non_null(i);
    assert_int_equal(i->shared, VG_SHARED_TOR);
    assert_int_equal(vg_iocset_reject_count(s), 1);
    assert_true(rejected(s, "Event[0].Attribute[8]"));
    /* "gmail.com" itself is no indicator: only the address is. */
    assert_null(one(s, "other.person@gmail.com"));
    vg_iocset_free(s);
}

static void test_list_and_tor(void **st)
{
    (void)st;
    vg_iocset *s = load("tests/fixtures/intel/blocklist.txt", VG_OK);
    const vg_indicator *i = one(s, "45.153.231.17");
    assert_non_null(i);
    assert_string_equal(i->actor, "STRONTIUM");
    assert_string_equal(i->source, "blocklist.txt:3");
    char d[256];
    vg_indicator_describe(i, d, sizeof d);
    assert_string_equal(d, "blocklist.txt:3");
    vg_indicator x = *i;
    x.id = "5fa0";
    x.valid_from = ts("2020-10-01T00:00:00Z");
    vg_indicator_describe(&x, d, sizeof d);
    assert_string_equal(d, "blocklist.txt:3 indicator 5fa0 (valid from 2020-10-01)");
    x.valid_from = VG_TIME_UNBOUNDED_LO;
    x.valid_until = ts("2021-01-31T00:00:00Z");
    vg_indicator_describe(&x, d, sizeof d);
    assert_string_equal(d, "blocklist.txt:3 indicator 5fa0 (valid until 2021-01-31)");
    vg_indicator_describe(&x, d, 8); /* truncated, terminated */
    assert_int_equal(strlen(d), 7);
    i = one(s, "91.219.237.9");
    assert_non_null(i);
    assert_string_equal(i->actor, "STRONTIUM"); /* "Fancy Bear" resolved */
    assert_string_equal(one(s, "https://portal.who-int-covid19.org/")->actor, "CERIUM");
    assert_string_equal(one(s, "covid.response@who-int-covid19.org")->actor, "CERIUM");
    i = one(s, "2001:db8:dead:beef::1");
    assert_non_null(i);
    assert_null(i->actor);
    i = one(s, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_non_null(i);
    assert_null(i->actor);
    /* An ambiguous actor name is kept as a label, not resolved. */
    i = one(s, "8.8.4.4");
    assert_non_null(i);
    assert_null(i->actor);
    assert_true(i->actor_ambiguous);
    assert_string_equal(i->actor_label, "GRIZZLY STEPPE");
    assert_int_equal(vg_iocset_reject_count(s), 3);
    assert_true(rejected(s, "blocklist.txt:10:"));
    assert_true(rejected(s, "blocklist.txt:11:"));
    assert_true(rejected(s, "blocklist.txt:12:"));

    vg_error e = {0};
    assert_int_equal(vg_iocset_load_file(s, vg_test_src("tests/fixtures/intel/tor-exit-addresses.txt"), &e), 0);
    i = one(s, "185.220.101.45");
    assert_non_null(i);
    assert_int_equal(i->shared, VG_SHARED_TOR);
    assert_non_null(one(s, "2a0b:f4c2::1"));
    assert_null(one(s, "185.220.101.46"));
    vg_iocset_free(s);
}

static void test_malformed_files(void **st)
{
    (void)st;
    vg_iocset *s = vg_iocset_new();
    vg_error e = {0};
    assert_int_equal(vg_iocset_load_file(s, vg_test_src("tests/fixtures/intel/blocklist.txt"), &e), 0);
    size_t before = vg_iocset_count(s);
    assert_int_equal(vg_iocset_load_file(s, vg_test_src("tests/fixtures/intel/malformed.stix.json"), &e),
                     VG_EINVAL);
    assert_non_null(strstr(e.msg, "malformed.stix.json:4:"));
    assert_int_equal(vg_iocset_load_file(s, vg_test_src("tests/fixtures/intel/malformed.misp.json"), &e),
                     VG_EINVAL);
    assert_non_null(strstr(e.msg, "malformed.misp.json:2:"));
    assert_int_equal(vg_iocset_load_file(s, "/nonexistent/intel.json", &e), VG_EIO);
    /* The rest still loads and what was loaded stays. */
    assert_int_equal(vg_iocset_count(s), before);
    assert_int_equal(vg_iocset_load_file(s, vg_test_src("tests/fixtures/intel/zinc.misp.json"), &e), 0);
    assert_true(vg_iocset_count(s) > before);
    /* a lone indicator object is a bundle of one */
    const char *lone = "{\"type\":\"indicator\",\"id\":\"indicator--z\",\"pattern\":"
                       "\"[domain-name:value = 'lone.example']\",\"pattern_type\":\"stix\","
                       "\"valid_from\":\"2020-01-01T00:00:00Z\"}";
    assert_int_equal(vg_iocset_load_stix(s, lone, strlen(lone), "lone.json", &e), VG_OK);
    assert_non_null(one(s, "x.lone.example"));
    const char *nots = "{\"hello\": 1}";
    assert_int_not_equal(vg_iocset_load_stix(s, nots, strlen(nots), "x.json", &e), VG_OK);
    assert_int_not_equal(vg_iocset_load_misp(s, nots, strlen(nots), "x.json", &e), VG_OK);
    vg_iocset_free(s);
}

static void test_patterns(void **st)
{
    (void)st;
    struct {
        const char *pattern;
        int want; /* indicators, or -1 = syntax error */
    } cases[] = {
        {"[ipv4-addr:value = '198.51.100.1']", 1},
        {"[ipv4-addr:value IN ('198.51.100.1', '198.51.100.2')]", 2},
        {"([domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']) "
         "FOLLOWEDBY [url:value = 'http://a.example/x'] WITHIN 60 SECONDS",
         3},
        {"[ipv4-addr:value NOT = '198.51.100.9']", 0},
        {"[ipv4-addr:value != '198.51.100.9']", 0},
        {"[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']", 1},
        {"[email-message:from_ref.value = 'a@b.example' AND email-message:subject = 'x']", 1},
        {"[domain-name:value = 'x.example' AND domain-name:resolves_to_refs[*].value = '1.2.3.4']", 2},
        {"[ipv4-addr:value = 'it\\'s']", 0}, /* parses; value rejected */
        {"[file:size > 1000] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", 0},
        {"[ipv4-addr:value = '1.2.3.4'", -1},
        {"ipv4-addr:value = '1.2.3.4'", -1},
        {"[ipv4-addr:value = '1.2.3.4]", -1},
        {"[ipv4-addr:value = ]", -1},
        {"[ipv4-addr:value = '1.2.3.4'] AND", -1},
        {"[value = '1.2.3.4']", -1},
        {"[a:b IN ('x',)]", -1},
        {"", -1},
        {"((((((((((((((((((((((((((((((((((((([a:b = 'x']))))))))))))))))))))))))))))))))))))", -1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        vg_iocset *s = vg_iocset_new();
        char json[2048];
        vg_buf esc;
        vg_buf_init(&esc, 0);
        vg_json_escape(&esc, cases[k].pattern, strlen(cases[k].pattern));
        snprintf(json, sizeof json,
                 "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--x\","
                 "\"pattern\":\"%s\",\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"}]}",
                 esc.p ? esc.p : "");
        vg_buf_free(&esc);
        vg_error e = {0};
        assert_int_equal(vg_iocset_load_stix(s, json, strlen(json), "p.json", &e), VG_OK);
        if (cases[k].want < 0) {
            if (!rejected(s, "pattern offset"))
                fail_msg("pattern %zu should be a syntax error: %s", k, cases[k].pattern);
            assert_int_equal(vg_iocset_count(s), 0);
        } else if ((int)vg_iocset_count(s) != cases[k].want) {
            fail_msg("pattern %zu: %zu indicators, want %d: %s", k, vg_iocset_count(s),
                     cases[k].want, cases[k].pattern);
        }
        vg_iocset_free(s);
    }
}

static void test_ip_prefixes(void **st)
{
    (void)st;
    vg_iocset *s = vg_iocset_new();
    const char *vals[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "2001:db8::/32", "::ffff:10.9.9.9"};
    for (size_t i = 0; i < 5; i++) {
        vg_indicator ind = {.value = vals[i], .valid_from = VG_TIME_UNBOUNDED_LO,
                            .valid_until = VG_TIME_UNBOUNDED_HI, .confidence = -1};
        assert_int_equal(vg_iocset_add(s, &ind), VG_OK);
    }
    vg_indicator bad = {.value = "10.0.0.0/33", .valid_from = 0, .valid_until = 1};
    assert_int_not_equal(vg_iocset_add(s, &bad), VG_OK);
    vg_indicator inverted = {.value = "10.0.0.1", .valid_from = 5, .valid_until = 1};
    assert_int_not_equal(vg_iocset_add(s, &inverted), VG_OK);
    vg_ioc_hit h[8];
    /* every containing prefix, most specific first */
    assert_int_equal(vg_iocset_match(s, "10.1.2.3", h, 8), 3);
    assert_string_equal(h[0].ind->value, "10.1.2.3");
    assert_true(h[0].exact);
    assert_string_equal(h[1].ind->value, "10.1.0.0/16");
    assert_false(h[1].exact);
    assert_string_equal(h[2].ind->value, "10.0.0.0/8");
    assert_int_equal(vg_iocset_match(s, "10.2.0.1", h, 8), 1);
    assert_int_equal(vg_iocset_match(s, "10.1.2.3", h, 1), 3); /* total beyond max */
    assert_int_equal(vg_iocset_match(s, "11.0.0.1", h, 8), 0);
    assert_int_equal(vg_iocset_match(s, "10.9.9.9", h, 8), 2); /* v4-mapped stored as v4 */
    assert_int_equal(vg_iocset_match(s, "2001:db8:1::5", h, 8), 1);
    assert_int_equal(vg_iocset_match(s, "2001:db9::5", h, 8), 0);
    vg_iocset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),     cmocka_unit_test(test_stix),
        cmocka_unit_test(test_misp),          cmocka_unit_test(test_list_and_tor),
        cmocka_unit_test(test_malformed_files), cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_ip_prefixes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
