/* test_core_ip.c — IPv4/IPv6 parsing and RFC 5952 formatting, masks,
 * special-purpose classification, CIDR prefixes and the longest-prefix-match
 * CIDR set (cross-checked against a linear scan) in src/core/ip.c. */
#include <string.h>

#include "testutil.h"

static vg_str S(const char *s) { return (vg_str){s, strlen(s)}; }

static vg_ip IP(const char *s)
{
    vg_ip ip;
    memset(&ip, 0, sizeof ip);
    if (vg_ip_parse(S(s), &ip) != VG_OK)
        fail_msg("vg_ip_parse rejected \"%s\"", s);
    return ip;
}

static vg_cidr CIDR(const char *s)
{
    vg_cidr c;
    memset(&c, 0, sizeof c);
    if (vg_cidr_parse(S(s), &c) != VG_OK)
        fail_msg("vg_cidr_parse rejected \"%s\"", s);
    return c;
}

/* parse -> format gives `want`, with the expected family; the formatted
 * text parses back to the same address. */
static void check_format(const char *in, const char *want, int family)
{
    char buf[VG_IP_STRLEN];
    vg_ip ip = IP(in);
    size_t n = vg_ip_format(&ip, buf);
    if (strcmp(buf, want) != 0 || ip.family != family)
        fail_msg("\"%s\": got \"%s\" family %d, want \"%s\" family %d", in, buf, ip.family, want,
                 family);
    assert_int_equal(n, strlen(want));
    vg_ip back = IP(buf);
    assert_true(vg_ip_eq(&ip, &back));
    assert_int_equal(back.family, family);
}

static bool contains(const vg_cidr *c, const char *ip)
{
    vg_ip a = IP(ip);
    return vg_cidr_contains(c, &a);
}

static void add(vg_cidrset *s, const char *cidr, uintptr_t value)
{
    vg_cidr c = CIDR(cidr);
    vg_cidrset_add(s, &c, value);
}

/* ---- parsing and formatting -------------------------------------------------------- */

static void test_v4(void **state)
{
    (void)state;
    vg_ip ip = IP("192.0.2.1");
    static const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    assert_memory_equal(ip.a, want, 16);
    assert_int_equal(ip.family, 4);
    check_format("0.0.0.0", "0.0.0.0", 4);
    check_format("255.255.255.255", "255.255.255.255", 4);
    check_format("1.2.3.4", "1.2.3.4", 4);
    check_format("10.0.100.9", "10.0.100.9", 4);
    check_format("[203.0.113.5]", "203.0.113.5", 4); /* Received: header literal */

    static const char *bad[] = {
        "",         "1.2.3",      "1.2.3.4.5",   "256.0.0.1",  "1.2.3.256",   "01.2.3.4",
        "1.2.3.04", "1.2.3.00",   "0x7f.0.0.1",  "0177.0.0.1", "127.1",       "2130706433",
        "1..3.4",   "1.2.3.",     ".1.2.3",      "1.2.3.4 ",   " 1.2.3.4",    "1.2.3.-4",
        "1.2.3.+4", "1.2.3.1000", "1.2.3.0255",  "1.2.3.4/24", "1.2.3.4:80",  "a.b.c.d",
        "1.2.3.4.", "[1.2.3.4",   "1.2.3.4]",    "[]",         "[[1.2.3.4]]", "1,2,3,4",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_ip out = {.family = 9};
        if (vg_ip_parse(S(bad[i]), &out) != VG_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(out.family, 9); /* untouched on failure */
    }
    vg_ip out;
    assert_int_equal(vg_ip_parse(VG_STR_NULL, &out), VG_EINVAL);
    /* Embedded NUL: the view's length rules, not C string semantics. */
    assert_int_equal(vg_ip_parse(vg_str_make("1.2.3.4\0", 8), &out), VG_EINVAL);
    assert_int_equal(vg_ip_parse(vg_str_make("1.2.3.45", 7), &out), VG_OK);
}

static void test_v6_format(void **state)
{
    (void)state;
    check_format("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 6); /* first run wins a tie */
    check_format("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", 6);
    check_format("2001:DB8::ABCD:EF", "2001:db8::abcd:ef", 6);
    check_format("::", "::", 6);
    check_format("0:0:0:0:0:0:0:0", "::", 6);
    check_format("::1", "::1", 6);
    check_format("0:0:0:0:0:0:0:1", "::1", 6);
    check_format("1::", "1::", 6);
    check_format("fe80::1:2", "fe80::1:2", 6);
    check_format("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", 6); /* one zero group stays */
    check_format("1:0:0:2:0:0:0:3", "1:0:0:2::3", 6);                 /* the longest run */
    check_format("1:0:0:0:2:0:0:0", "1::2:0:0:0", 6);
    check_format("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", 6);
    check_format("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8", 6);
    check_format("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", 6);
    check_format("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6);
    check_format("[2001:db8::1]", "2001:db8::1", 6);
    check_format("0001:0010:0100:1000::", "1:10:100:1000::", 6);
    /* v4-mapped becomes family 4, in either notation. */
    check_format("::ffff:1.2.3.4", "1.2.3.4", 4);
    check_format("::FFFF:102:304", "1.2.3.4", 4);
    check_format("0:0:0:0:0:ffff:c000:0201", "192.0.2.1", 4);
    assert_true(vg_ip_eq(&(vg_ip){0}, &(vg_ip){0}));
    vg_ip a = IP("::ffff:1.2.3.4"), b = IP("1.2.3.4");
    assert_true(vg_ip_eq(&a, &b));
    /* The deprecated v4-compatible form and other embedded-v4 forms stay v6
     * and print in hex. */
    check_format("::1.2.3.4", "::102:304", 6);
    check_format("64:ff9b::192.0.2.33", "64:ff9b::c000:221", 6);
    check_format("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304", 6);
    check_format("::ffff:0:1.2.3.4", "::ffff:0:102:304", 6); /* IPv4-translated */
    /* The longest form fits the documented buffer. */
    char buf[VG_IP_STRLEN];
    vg_ip ip = IP("1111:2222:3333:4444:5555:6666:7777:8888");
    assert_true(vg_ip_format(&ip, buf) < VG_IP_STRLEN);
    /* No address: empty text. */
    vg_ip none = {0};
    assert_int_equal(vg_ip_format(&none, buf), 0);
    assert_string_equal(buf, "");
    /* A family-6 address built with v4-mapped bytes still formats sanely. */
    vg_ip odd = IP("1.2.3.4");
    odd.family = 6;
    vg_ip_format(&odd, buf);
    assert_string_equal(buf, "::ffff:1.2.3.4");
}

static void test_v6_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        ":::",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "12345::",
        "::12345",
        "fe80::1%eth0",
        "fe80::1%1",
        "1::2::3",
        "::1::",
        ":1::",
        ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:",
        "1::2:",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1:2:3:4::5:6:7:8",
        "::g",
        "g::",
        ":",
        "1:",
        ":1",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3",
        "::1.2.3.4:5",
        "::1.2.3.4.5",
        "::01.2.3.4",
        "::ffff:256.1.1.1",
        "::ffff:1.2.3.4:",
        "1.2.3.4::",
        "::1.2.3.4::",
        "::a.b.c.d",
        " ::1",
        "::1 ",
        "[::1",
        "::1]",
        "[::1]:443",
        "[fe80::1%eth0]",
        "2001:db8::1/64",
        "::-1",
        "::+1",
        "0x1::",
        "1:2:3:4:5:6:7:8:1.2.3.4",
        "::ffff:1.2.3.4.5",
        "1:::2",
        "1:2:3:4:5:6:77777:8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_ip out = {.family = 9};
        if (vg_ip_parse(S(bad[i]), &out) != VG_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(out.family, 9);
    }
    /* A long run of garbage is rejected without reading past the view. */
    char big[200];
    memset(big, '1', sizeof big);
    vg_ip out;
    assert_int_equal(vg_ip_parse(vg_str_make(big, sizeof big), &out), VG_EINVAL);
}

/* ---- comparison, masks, classification -------------------------------------------- */

static void test_cmp(void **state)
{
    (void)state;
    vg_ip a = IP("1.2.3.4"), b = IP("1.2.3.5"), c = IP("2001:db8::1"), d = IP("::1"), none = {0};
    assert_true(vg_ip_cmp(&a, &b) < 0);
    assert_true(vg_ip_cmp(&b, &a) > 0);
    assert_int_equal(vg_ip_cmp(&a, &a), 0);
    assert_true(vg_ip_cmp(&d, &a) < 0); /* ::1 < ::ffff:1.2.3.4 in byte order */
    assert_true(vg_ip_cmp(&a, &c) < 0);
    assert_true(vg_ip_cmp(&none, &d) < 0); /* no address sorts first */
    assert_true(vg_ip_cmp(&d, &none) > 0);
    assert_int_equal(vg_ip_cmp(&none, &none), 0);
    vg_ip zero = IP("::");
    assert_false(vg_ip_eq(&none, &zero)); /* none is not "::" */
    assert_true(vg_ip_eq(&c, &(vg_ip){.a = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, .family = 6}));
}

static void test_mask(void **state)
{
    (void)state;
    char buf[VG_IP_STRLEN];
    static const struct {
        const char *ip;
        int bits;
        const char *want;
    } cases[] = {
        {"192.0.2.77", 24, "192.0.2.0"},
        {"192.0.2.77", 0, "0.0.0.0"},
        {"192.0.2.77", 32, "192.0.2.77"},
        {"192.0.2.77", 31, "192.0.2.76"},
        {"192.0.2.77", 1, "128.0.0.0"},
        {"192.0.2.77", -5, "0.0.0.0"},     /* clamped */
        {"192.0.2.77", 40, "192.0.2.77"},  /* clamped */
        {"2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::"},
        {"2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::"},
        {"2001:db8:1:2:3:4:5:6", 0, "::"},
        {"2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6"},
        {"2001:db8:1:2:3:4:5:6", 127, "2001:db8:1:2:3:4:5:6"},
        {"2001:db8:1:2:3:4:5:7", 127, "2001:db8:1:2:3:4:5:6"},
        {"2001:db8:1:2:3:4:5:6", 200, "2001:db8:1:2:3:4:5:6"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 33, "ffff:ffff:8000::"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_ip ip = IP(cases[i].ip), out;
        vg_ip_mask(&ip, cases[i].bits, &out);
        vg_ip_format(&out, buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%s/%d: got %s want %s", cases[i].ip, cases[i].bits, buf, cases[i].want);
        assert_int_equal(out.family, ip.family);
        /* In place. */
        vg_ip_mask(&ip, cases[i].bits, &ip);
        assert_true(vg_ip_eq(&ip, &out));
    }
}

static void test_is_global(void **state)
{
    (void)state;
    static const struct {
        const char *ip;
        bool global;
    } cases[] = {
        {"8.8.8.8", true},          {"1.1.1.1", true},          {"81.2.69.160", true},
        {"10.1.2.3", false},        {"172.16.0.1", false},      {"172.31.255.255", false},
        {"172.32.0.1", true},       {"172.15.255.255", true},   {"192.168.1.1", false},
        {"100.64.0.1", false},      {"100.127.255.255", false}, {"100.128.0.1", true},
        {"127.0.0.1", false},       {"169.254.1.1", false},     {"0.1.2.3", false},
        {"192.0.0.5", false},       {"192.0.0.9", true},        {"192.0.0.10", true},
        {"192.0.2.5", false},       {"198.51.100.7", false},    {"203.0.113.9", false},
        {"198.18.0.1", false},      {"198.19.255.255", false},  {"198.20.0.1", true},
        {"198.17.255.255", true},   {"224.0.0.1", false},       {"239.255.255.255", false},
        {"240.0.0.1", false},       {"255.255.255.255", false}, {"223.255.255.255", true},
        {"::", false},              {"::1", false},             {"::1.2.3.4", false},
        {"fc00::1", false},         {"fd12:3456::1", false},    {"fe80::1", false},
        {"febf::1", false},         {"fec0::1", false},         {"ff02::1", false},
        {"2001:db8::1", false},     {"2001:db8:ffff::1", false}, {"2001:db9::1", true},
        {"2001:4860:4860::8888", true}, {"2606:4700::1111", true}, {"2a00:1450::1", true},
        {"::ffff:10.0.0.1", false}, {"::ffff:8.8.8.8", true},   {"2001::1", false},
        {"2001:3::1", true},        {"2001:1::1", true},        {"2001:1::3", false},
        {"3fff::1", false},         {"64:ff9b::8.8.8.8", true}, {"64:ff9b:1::1", false},
        {"100::1", false},          {"5f00::1", false},         {"2002:c000:0201::1", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_ip ip = IP(cases[i].ip);
        if (vg_ip_is_global(&ip) != cases[i].global)
            fail_msg("is_global(%s) != %d", cases[i].ip, cases[i].global);
    }
    vg_ip none = {0};
    assert_false(vg_ip_is_global(&none));
}

static void test_is_internal(void **state)
{
    (void)state;
    static const struct {
        const char *ip;
        bool internal;
    } cases[] = {
        {"10.0.0.1", true},      {"172.16.5.5", true},     {"192.168.0.1", true},
        {"100.64.1.1", true},    {"127.0.0.1", true},      {"169.254.9.9", true},
        {"0.0.0.0", true},       {"224.0.0.5", true},      {"255.255.255.255", true},
        {"::", true},            {"::1", true},            {"fd00::1", true},
        {"fe80::1", true},       {"ff02::1", true},        {"::ffff:192.168.1.1", true},
        /* Stand-ins for public addresses in docs, tests and the demo. */
        {"192.0.2.1", false},    {"198.51.100.7", false},  {"203.0.113.9", false},
        {"198.18.33.45", false}, {"2001:db8::1", false},   {"8.8.8.8", false},
        {"172.32.0.1", false},   {"::2", false},           {"2606:4700::1111", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_ip ip = IP(cases[i].ip);
        if (vg_ip_is_internal(&ip) != cases[i].internal)
            fail_msg("is_internal(%s) != %d", cases[i].ip, cases[i].internal);
    }
    vg_ip none = {0};
    assert_true(vg_ip_is_internal(&none));
}

/* ---- CIDR prefixes ------------------------------------------------------------------------ */

static void test_cidr_parse(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon;
        int family, bits;
    } ok[] = {
        {"10.0.0.0/8", "10.0.0.0/8", 4, 8},
        {"10.1.2.3/8", "10.0.0.0/8", 4, 8}, /* host bits masked */
        {"0.0.0.0/0", "0.0.0.0/0", 4, 0},
        {"255.255.255.255/0", "0.0.0.0/0", 4, 0},
        {"1.2.3.4/32", "1.2.3.4/32", 4, 32},
        {"1.2.3.4", "1.2.3.4/32", 4, 32},
        {"192.0.2.255/25", "192.0.2.128/25", 4, 25},
        {"2001:db8::/32", "2001:db8::/32", 6, 32},
        {"2001:db8::1", "2001:db8::1/128", 6, 128},
        {"2001:db8::1/128", "2001:db8::1/128", 6, 128},
        {"::/0", "::/0", 6, 0},
        {"ffff::/0", "::/0", 6, 0},
        {"2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64", 6, 64},
        {"2001:db8:1:2:3:4:5:6/63", "2001:db8:1:2::/63", 6, 63},
        {"2001:db8:1:3:3:4:5:6/63", "2001:db8:1:2::/63", 6, 63},
        {"::ffff:1.2.3.4/120", "1.2.3.0/24", 4, 24}, /* v6 length over the mapped block */
        {"::ffff:1.2.3.4/96", "0.0.0.0/0", 4, 0},
        {"::ffff:1.2.3.4", "1.2.3.4/32", 4, 32},
        {"::ffff:1.2.3.4/95", "::fffe:0:0/95", 6, 95},
        {"::ffff:1.2.3.4/64", "::/64", 6, 64},
        {"[2001:db8::]/32", "2001:db8::/32", 6, 32},
    };
    char buf[VG_IP_STRLEN + 4];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        vg_cidr c = CIDR(ok[i].in);
        size_t n = vg_cidr_format(&c, buf);
        if (strcmp(buf, ok[i].canon) != 0 || c.ip.family != ok[i].family || c.bits != ok[i].bits)
            fail_msg("\"%s\": got %s family %d bits %d", ok[i].in, buf, c.ip.family, c.bits);
        assert_int_equal(n, strlen(buf));
        vg_cidr back = CIDR(buf);
        assert_true(vg_ip_eq(&back.ip, &c.ip));
        assert_int_equal(back.bits, c.bits);
        assert_int_equal(back.ip.family, c.ip.family);
        assert_true(vg_cidr_contains(&c, &c.ip));
    }
    static const char *bad[] = {
        "",           "/8",         "1.2.3.4/",    "1.2.3.4/33",   "1.2.3.4/-1", "1.2.3.4/+8",
        "1.2.3.4/08", "1.2.3.4/ 8", "1.2.3.4 /8",  "1.2.3.4/8/8",  "1.2.3.4/1000", "1.2.3/8",
        "::/129",     "::/1280",    "2001:db8::/", "2001:db8::/0x20", "10.0.0.0/8 ", "1.2.3.4/3a",
        "fe80::/10%eth0", "::ffff:1.2.3.4/129",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_cidr c = {.bits = 77};
        if (vg_cidr_parse(S(bad[i]), &c) != VG_EINVAL)
            fail_msg("cidr accepted \"%s\"", bad[i]);
        assert_int_equal(c.bits, 77);
    }
    vg_cidr c;
    assert_int_equal(vg_cidr_parse(VG_STR_NULL, &c), VG_EINVAL);
}

static void test_cidr_contains(void **state)
{
    (void)state;
    vg_cidr net8 = CIDR("10.0.0.0/8"), any4 = CIDR("0.0.0.0/0"), any6 = CIDR("::/0");
    vg_cidr host4 = CIDR("192.0.2.1/32"), host6 = CIDR("2001:db8::1/128"),
            net64 = CIDR("2001:db8:1:2::/64");
    vg_ip a = IP("10.255.255.255"), b = IP("11.0.0.0"), c = IP("9.255.255.255"),
          v6 = IP("2001:db8::1"), compat = IP("::1.2.3.4"), lo6 = IP("::1");
    assert_true(vg_cidr_contains(&net8, &a));
    assert_false(vg_cidr_contains(&net8, &b));
    assert_false(vg_cidr_contains(&net8, &c));
    assert_true(vg_cidr_contains(&any4, &a));
    assert_false(vg_cidr_contains(&any4, &v6)); /* v4 /0 is only v4 */
    assert_true(vg_cidr_contains(&any6, &v6));
    assert_true(vg_cidr_contains(&any6, &compat));
    assert_true(vg_cidr_contains(&any6, &lo6));
    /* Documented choice: ::/0 does not match v4 (or v4-mapped) addresses. */
    assert_false(vg_cidr_contains(&any6, &a));
    vg_ip mapped = IP("::ffff:10.0.0.1");
    assert_false(vg_cidr_contains(&any6, &mapped));
    assert_true(vg_cidr_contains(&net8, &mapped));
    assert_true(contains(&host4, "192.0.2.1"));
    assert_false(contains(&host4, "192.0.2.2"));
    assert_true(vg_cidr_contains(&host6, &v6));
    assert_false(contains(&host6, "2001:db8::2"));
    assert_true(contains(&net64, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
    assert_false(contains(&net64, "2001:db8:1:3::"));
    vg_ip none = {0};
    assert_false(vg_cidr_contains(&any6, &none));
    assert_false(vg_cidr_contains(&any4, &none));
    /* A hand-built v4 address (zero leading bytes) still counts as v4. */
    vg_ip hand = {.a = {[12] = 10, 1, 2, 3}, .family = 4};
    assert_true(vg_cidr_contains(&net8, &hand));
}

/* ---- CIDR sets ----------------------------------------------------------------------------- */

static void expect_lookup(const vg_cidrset *s, const char *ip, bool found, uintptr_t value,
                          const char *match)
{
    vg_ip addr = IP(ip);
    uintptr_t v = 12345;
    vg_cidr m;
    memset(&m, 0, sizeof m);
    bool got = vg_cidrset_lookup(s, &addr, &v, &m);
    if (got != found)
        fail_msg("lookup %s: found=%d, want %d", ip, got, found);
    if (!found) {
        assert_int_equal(v, 12345); /* untouched on a miss */
        return;
    }
    char buf[VG_IP_STRLEN + 4];
    vg_cidr_format(&m, buf);
    if (v != value || strcmp(buf, match) != 0)
        fail_msg("lookup %s: got %lu via %s, want %lu via %s", ip, (unsigned long)v, buf,
                 (unsigned long)value, match);
}

static void test_cidrset_nested(void **state)
{
    (void)state;
    vg_cidrset *s = vg_cidrset_new();
    expect_lookup(s, "10.1.2.3", false, 0, NULL); /* empty set */
    add(s, "10.1.2.0/24", 3); /* out of order on purpose */
    add(s, "10.0.0.0/8", 1);
    add(s, "10.1.2.3/32", 4);
    add(s, "10.1.0.0/16", 2);
    add(s, "10.1.2.128/25", 5);
    assert_int_equal(vg_cidrset_count(s), 5);
    expect_lookup(s, "10.1.2.3", true, 4, "10.1.2.3/32");
    expect_lookup(s, "10.1.2.4", true, 3, "10.1.2.0/24");
    expect_lookup(s, "10.1.2.200", true, 5, "10.1.2.128/25");
    expect_lookup(s, "10.1.3.1", true, 2, "10.1.0.0/16");
    expect_lookup(s, "10.2.0.0", true, 1, "10.0.0.0/8");
    expect_lookup(s, "10.255.255.255", true, 1, "10.0.0.0/8");
    expect_lookup(s, "11.0.0.0", false, 0, NULL); /* a miss */
    expect_lookup(s, "9.255.255.255", false, 0, NULL);
    expect_lookup(s, "2001:db8::1", false, 0, NULL);
    expect_lookup(s, "::ffff:10.1.2.3", true, 4, "10.1.2.3/32");

    /* Re-adding replaces the value, not the count; host bits are masked. */
    add(s, "10.1.255.255/16", 20);
    assert_int_equal(vg_cidrset_count(s), 5);
    expect_lookup(s, "10.1.3.1", true, 20, "10.1.0.0/16");

    /* Value and matched may be NULL. */
    vg_ip ip = IP("10.1.2.3");
    assert_true(vg_cidrset_lookup(s, &ip, NULL, NULL));
    vg_ip none = {0};
    assert_false(vg_cidrset_lookup(s, &none, NULL, NULL));
    /* A cidr without a family is ignored. */
    vg_cidr bogus = {0};
    vg_cidrset_add(s, &bogus, 99);
    assert_int_equal(vg_cidrset_count(s), 5);
    vg_cidrset_free(s);
    vg_cidrset_free(NULL);
}

static void test_cidrset_defaults(void **state)
{
    (void)state;
    /* Documented choice: v4 /0 matches only v4, ::/0 only v6. */
    vg_cidrset *s = vg_cidrset_new();
    add(s, "::/0", 6);
    expect_lookup(s, "2001:db8::1", true, 6, "::/0");
    expect_lookup(s, "::1", true, 6, "::/0");
    expect_lookup(s, "::1.2.3.4", true, 6, "::/0");
    expect_lookup(s, "::", true, 6, "::/0");
    expect_lookup(s, "1.2.3.4", false, 0, NULL);
    expect_lookup(s, "::ffff:1.2.3.4", false, 0, NULL);
    /* Even a v6 prefix that covers the mapped block bit-wise. */
    add(s, "::/64", 64);
    add(s, "::ffff:0:0/95", 95);
    expect_lookup(s, "1.2.3.4", false, 0, NULL);
    expect_lookup(s, "::fffe:1:1", true, 95, "::fffe:0:0/95");
    expect_lookup(s, "::1", true, 64, "::/64");
    add(s, "0.0.0.0/0", 4);
    assert_int_equal(vg_cidrset_count(s), 4);
    expect_lookup(s, "1.2.3.4", true, 4, "0.0.0.0/0");
    expect_lookup(s, "255.255.255.255", true, 4, "0.0.0.0/0");
    expect_lookup(s, "2001:db8::1", true, 6, "::/0");
    vg_cidrset_free(s);

    s = vg_cidrset_new();
    add(s, "0.0.0.0/0", 4);
    expect_lookup(s, "1.2.3.4", true, 4, "0.0.0.0/0");
    expect_lookup(s, "0.0.0.0", true, 4, "0.0.0.0/0");
    expect_lookup(s, "2001:db8::1", false, 0, NULL);
    expect_lookup(s, "::", false, 0, NULL);
    expect_lookup(s, "::1.2.3.4", false, 0, NULL);
    vg_cidrset_free(s);
}

static void test_cidrset_v6(void **state)
{
    (void)state;
    vg_cidrset *s = vg_cidrset_new();
    add(s, "2001:db8::/32", 32);
    add(s, "2001:db8:1:2::/64", 64);
    add(s, "2001:db8:1:2::1/128", 128);
    add(s, "2001:db8:1:2::2/127", 127);
    expect_lookup(s, "2001:db8:1:2::1", true, 128, "2001:db8:1:2::1/128");
    expect_lookup(s, "2001:db8:1:2::0", true, 64, "2001:db8:1:2::/64");
    expect_lookup(s, "2001:db8:1:2::3", true, 127, "2001:db8:1:2::2/127");
    expect_lookup(s, "2001:db8:1:2::4", true, 64, "2001:db8:1:2::/64");
    expect_lookup(s, "2001:db8:ffff::", true, 32, "2001:db8::/32");
    expect_lookup(s, "2001:db9::", false, 0, NULL);
    expect_lookup(s, "192.0.2.1", false, 0, NULL);
    vg_cidrset_free(s);

    /* The deepest possible chain: every prefix length 0-128 on one path,
     * then on a complementary path (all splits), freed without recursion. */
    s = vg_cidrset_new();
    for (int b = 0; b <= 128; b++) {
        vg_cidr c = {.ip = IP("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), .bits = (uint8_t)b};
        c.ip.family = 6;
        vg_ip_mask(&c.ip, b, &c.ip);
        vg_cidrset_add(s, &c, (uintptr_t)b);
    }
    for (int b = 128; b >= 1; b--) {
        /* ones for b-1 bits, then a zero: the sibling of each chain node */
        vg_cidr c = {.ip = IP("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), .bits = (uint8_t)b};
        c.ip.a[(b - 1) / 8] &= (uint8_t)~(0x80 >> ((b - 1) % 8));
        vg_ip_mask(&c.ip, b, &c.ip);
        vg_cidrset_add(s, &c, 1000 + (uintptr_t)b);
    }
    assert_int_equal(vg_cidrset_count(s), 129 + 128);
    expect_lookup(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, 128,
                  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    expect_lookup(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", true, 1128,
                  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128");
    expect_lookup(s, "ffff:7fff::", true, 1017, "ffff::/17");
    expect_lookup(s, "7fff::", true, 1001, "::/1");
    vg_cidrset_free(s);
}

/* ---- randomized cross-check against a linear scan --------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random address near a few bases, so prefixes nest and overlap a lot. */
static vg_ip random_ip(void)
{
    static const char *bases[] = {"10.0.0.0", "192.0.2.0", "203.0.113.0", "0.0.0.0",
                                  "2001:db8::", "2001:db8:1::", "fe80::", "::"};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    vg_ip ip = IP(bases[rnd() % 8]);
    bool v4 = ip.family == 4;
    /* Randomise some low bits: up to 3 bytes for v4, 9 for v6. */
    int lo = v4 ? 12 : 0, span = (int)(rnd() % (v4 ? 24 : 72));
    for (int k = 15; k >= lo && span > 0; k--, span -= 8)
        ip.a[k] = (uint8_t)rnd();
    if (rnd() % 4 == 0) /* sometimes anywhere in the family */
        for (int k = lo; k < 16; k++)
            ip.a[k] = (uint8_t)rnd();
    ip.family = memcmp(ip.a, mapped, 12) == 0 ? 4 : 6;
    return ip;
}

static int bits128(const vg_cidr *c) { return c->ip.family == 4 ? 96 + c->bits : c->bits; }

static void test_cidrset_random(void **state)
{
    (void)state;
    enum { NPREFIX = 1500, NLOOKUP = 10000 };
    static vg_cidr prefixes[NPREFIX];
    static uintptr_t values[NPREFIX];
    rng_state = 0x2545F4914F6CDD1Du; /* fixed seed: reproducible */
    vg_cidrset *s = vg_cidrset_new();
    size_t distinct = 0;
    for (int i = 0; i < NPREFIX; i++) {
        vg_ip ip = random_ip();
        int max = ip.family == 4 ? 32 : 128;
        /* Mostly long prefixes (so lookups can miss), a few short ones. */
        int bits = rnd() % 64 == 0 ? (int)(rnd() % (uint64_t)(max + 1))
                                   : max / 2 + (int)(rnd() % (uint64_t)(max / 2 + 1));
        vg_cidr c;
        vg_ip_mask(&ip, bits, &c.ip);
        c.bits = (uint8_t)bits;
        /* Dedupe for the expected count; the set replaces on re-add. */
        bool dup = false;
        for (int j = 0; j < i; j++)
            if (prefixes[j].bits == c.bits && vg_ip_eq(&prefixes[j].ip, &c.ip)) {
                dup = true;
                values[j] = (uintptr_t)i; /* linear scan sees the latest value */
            }
        prefixes[i] = c;
        values[i] = (uintptr_t)i;
        distinct += !dup;
        vg_cidrset_add(s, &c, (uintptr_t)i);
    }
    assert_int_equal(vg_cidrset_count(s), distinct);

    int hits = 0;
    for (int n = 0; n < NLOOKUP; n++) {
        vg_ip ip = random_ip();
        int best = -1;
        for (int j = 0; j < NPREFIX; j++)
            if (vg_cidr_contains(&prefixes[j], &ip) &&
                (best < 0 || bits128(&prefixes[j]) > bits128(&prefixes[best])))
                best = j;
        uintptr_t v = 0;
        vg_cidr m;
        bool found = vg_cidrset_lookup(s, &ip, &v, &m);
        if (found != (best >= 0)) {
            char b[VG_IP_STRLEN];
            vg_ip_format(&ip, b);
            fail_msg("lookup %s: trie found=%d, scan found=%d", b, found, best >= 0);
        }
        if (!found)
            continue;
        hits++;
        assert_int_equal(v, values[best]);
        assert_int_equal(m.bits, prefixes[best].bits);
        assert_int_equal(m.ip.family, prefixes[best].ip.family);
        assert_true(vg_ip_eq(&m.ip, &prefixes[best].ip));
    }
    print_message("cidrset random: %zu distinct prefixes, %d/%d lookups hit\n", distinct, hits,
                  (int)NLOOKUP);
    /* The generator must exercise both outcomes. */
    assert_true(hits > NLOOKUP / 10);
    assert_true(hits < NLOOKUP);
    vg_cidrset_free(s);
}

static void test_cidrset_large(void **state)
{
    (void)state;
    /* 200k host routes: memory is released in one go (ASan checks leaks). */
    vg_cidrset *s = vg_cidrset_new();
    rng_state = 42;
    for (int i = 0; i < 200000; i++) {
        vg_cidr c = {.ip = IP("0.0.0.0"), .bits = 32};
        uint32_t x = (uint32_t)rnd();
        c.ip.a[12] = (uint8_t)(x >> 24);
        c.ip.a[13] = (uint8_t)(x >> 16);
        c.ip.a[14] = (uint8_t)(x >> 8);
        c.ip.a[15] = (uint8_t)x;
        vg_cidrset_add(s, &c, x);
        uintptr_t v;
        assert_true(vg_cidrset_lookup(s, &c.ip, &v, NULL));
        assert_int_equal(v, x);
    }
    assert_true(vg_cidrset_count(s) > 199000);
    vg_cidrset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4),
        cmocka_unit_test(test_v6_format),
        cmocka_unit_test(test_v6_invalid),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_is_global),
        cmocka_unit_test(test_is_internal),
        cmocka_unit_test(test_cidr_parse),
        cmocka_unit_test(test_cidr_contains),
        cmocka_unit_test(test_cidrset_nested),
        cmocka_unit_test(test_cidrset_defaults),
        cmocka_unit_test(test_cidrset_v6),
        cmocka_unit_test(test_cidrset_random),
        cmocka_unit_test(test_cidrset_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
