/* test_core_utf8.c — strict UTF-8 decoding, encoding and maximal-subpart U+FFFD sanitizing. */
#include <string.h>

#include "testutil.h"


static void test_decode_valid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        uint32_t cp;
    } ok[] = {
        {"\x00", 1, 0x00},
        {"\x7F", 1, 0x7F},
        {"\xC2\x80", 2, 0x80},
        {"\xDF\xBF", 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 0x800},
        {"\xED\x9F\xBF", 3, 0xD7FF},   /* last before the surrogates */
        {"\xEE\x80\x80", 3, 0xE000},   /* first after them */
        {"\xEF\xBF\xBF", 3, 0xFFFF},
        {"\xE2\x80\xA8", 3, 0x2028},
        {"\xF0\x90\x80\x80", 4, 0x10000},
        {"\xF0\x9F\x98\x80", 4, 0x1F600},
        {"\xF3\xBF\xBF\xBF", 4, 0xFFFFF},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        uint32_t cp = 0xDEAD;
        /* Extra bytes after the sequence are not consumed. */
        uint8_t buf[8] = {0};
        memcpy(buf, ok[i].s, ok[i].len);
        buf[ok[i].len] = 'x';
        assert_int_equal(vg_utf8_decode(buf, ok[i].len + 1, &cp), ok[i].len);
        assert_int_equal(cp, ok[i].cp);
        assert_int_equal(vg_utf8_decode(buf, ok[i].len, &cp), ok[i].len);
        assert_true(vg_utf8_valid(buf, ok[i].len));
    }
}

static void test_decode_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"\x80", 1},                 /* lone continuation */
        {"\xBF", 1},
        {"\xC0\x80", 2},             /* overlong NUL */
        {"\xC0\xAF", 2},             /* overlong '/' */
        {"\xC1\xBF", 2},             /* overlong 0x7F */
        {"\xE0\x80\x80", 3},         /* overlong */
        {"\xE0\x9F\xBF", 3},         /* overlong 0x7FF */
        {"\xED\xA0\x80", 3},         /* U+D800 */
        {"\xED\xBF\xBF", 3},         /* U+DFFF */
        {"\xF0\x80\x80\x80", 4},     /* overlong */
        {"\xF0\x8F\xBF\xBF", 4},     /* overlong 0xFFFF */
        {"\xF4\x90\x80\x80", 4},     /* U+110000 */
        {"\xF5\x80\x80\x80", 4},
        {"\xF8\x88\x80\x80\x80", 5}, /* old 5-byte form */
        {"\xFE", 1},
        {"\xFF", 1},
        {"\xC2", 1},                 /* truncated */
        {"\xE2\x82", 2},
        {"\xF0\x9F\x98", 3},
        {"\xC2\x41", 2},             /* bad continuation */
        {"\xE2\x28\xA1", 3},
        {"\xF0\x9F\xC0\x80", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint32_t cp = 0xDEAD;
        assert_int_equal(vg_utf8_decode((const uint8_t *)bad[i].s, bad[i].len, &cp), 0);
        assert_int_equal(cp, 0xDEAD);
        assert_false(vg_utf8_valid(bad[i].s, bad[i].len));
    }
    uint32_t cp;
    assert_int_equal(vg_utf8_decode((const uint8_t *)"", 0, &cp), 0);
    /* A valid sequence cut short by n. */
    assert_int_equal(vg_utf8_decode((const uint8_t *)"\xE2\x82\xAC", 2, &cp), 0);
}

/* An independent, deliberately naive decoder: structural decode, then reject
 * overlongs, surrogates and > U+10FFFF by value. */
static size_t ref_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v;
    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        len = 2;
        v = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        v = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4;
        v = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static void test_decode_exhaustive(void **state)
{
    (void)state;
    /* Every 1-, 2- and 3-byte sequence against the reference. */
    uint8_t b[4];
    for (uint32_t x = 0; x < (1u << 24); x++) {
        b[0] = (uint8_t)(x >> 16);
        b[1] = (uint8_t)(x >> 8);
        b[2] = (uint8_t)x;
        for (size_t n = 1; n <= 3; n++) {
            if (n < 3 && (x & ((1u << (8 * (3 - n))) - 1)) != 0)
                continue; /* shorter prefixes: test each once */
            uint32_t c1 = 0, c2 = 0;
            size_t l1 = vg_utf8_decode(b, n, &c1), l2 = ref_decode(b, n, &c2);
            if (l1 != l2 || (l1 && c1 != c2))
                fail_msg("mismatch for %02x %02x %02x (n=%zu): %zu/%x vs %zu/%x", b[0], b[1],
                         b[2], n, l1, c1, l2, c2);
        }
    }
    /* 4-byte sequences: every lead F0..F7 with every second byte, and a
     * sweep of the last two. */
    for (uint32_t lead = 0xF0; lead <= 0xF7; lead++)
        for (uint32_t s2 = 0; s2 < 256; s2++)
            for (uint32_t s3 = 0x70; s3 < 0xD0; s3 += 3)
                for (uint32_t s4 = 0x70; s4 < 0xD0; s4 += 5) {
                    b[0] = (uint8_t)lead;
                    b[1] = (uint8_t)s2;
                    b[2] = (uint8_t)s3;
                    b[3] = (uint8_t)s4;
                    uint32_t c1 = 0, c2 = 0;
                    size_t l1 = vg_utf8_decode(b, 4, &c1), l2 = ref_decode(b, 4, &c2);
                    assert_int_equal(l1, l2);
                    if (l1)
                        assert_int_equal(c1, c2);
                }
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    char out[4];
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n = vg_utf8_encode(cp, out);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        assert_int_equal(n, want);
        uint32_t back = 0;
        assert_int_equal(vg_utf8_decode((const uint8_t *)out, n, &back), n);
        assert_int_equal(back, cp);
    }
    /* Unencodable code points become U+FFFD. */
    const uint32_t bad[] = {0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(vg_utf8_encode(bad[i], out), 3);
        assert_memory_equal(out, "\xEF\xBF\xBD", 3);
    }
    assert_int_equal(vg_utf8_encode(0x20AC, out), 3);
    assert_memory_equal(out, "\xE2\x82\xAC", 3);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(vg_utf8_valid("", 0));
    assert_true(vg_utf8_valid(NULL, 0));
    assert_true(vg_utf8_valid("plain ascii", 11));
    assert_true(vg_utf8_valid("a\0b", 3)); /* NUL is a code point */
    assert_true(vg_utf8_valid("Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80", 15));
    assert_false(vg_utf8_valid("Gr\xC3\xBC\xC3", 5));
    assert_false(vg_utf8_valid("ok\xC0\xAF", 4));
    assert_false(vg_utf8_valid("\xED\xA0\x80\xED\xB0\x80", 6)); /* CESU-8 pair */
}

/* Sanitizes `in` and compares with `want`. */
static void check_sanitize(const char *in, size_t in_len, const char *want, size_t want_len)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, "<");
    vg_utf8_sanitize(&b, in, in_len);
    vg_buf_puts(&b, ">");
    assert_int_equal(b.n, want_len + 2);
    assert_memory_equal(b.p + 1, want, want_len);
    assert_true(vg_utf8_valid(b.p, b.n));
    vg_buf_free(&b);
}

#define R "\xEF\xBF\xBD"
#define SAN(in, want) check_sanitize(in, sizeof(in) - 1, want, sizeof(want) - 1)

static void test_sanitize_unicode_tables(void **state)
{
    (void)state;
    /* The Unicode Standard, 3.9, "U+FFFD Substitution of Maximal Subparts". */
    /* Table 3-8 */
    SAN("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", "a" R R R "b" R "c" R R "d");
    /* Table 3-9: non-shortest forms, every byte replaced */
    SAN("\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41", R R R R R R R R "A");
    /* Table 3-10: surrogates */
    SAN("\xED\xA0\x80\xED\xBF\xBF\xED\xAF\x41", R R R R R R R R "A");
    /* Table 3-11: other ill-formed sequences */
    SAN("\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42", R R R R R "A" R R "B");
    /* Table 3-12: truncated sequences, one U+FFFD per maximal subpart */
    SAN("\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41", R R R R "A");
}

static void test_sanitize_cases(void **state)
{
    (void)state;
    SAN("", "");
    check_sanitize(NULL, 0, "", 0);
    SAN("abc", "abc");
    SAN("\xF0\x80\x80\x41", R R R "A"); /* 80 cannot follow F0 */
    SAN("\xE1\x80\x41", R "A");         /* valid prefix, truncated */
    SAN("\xE1\x80", R);                 /* truncated at the end */
    SAN("\xF0\x9F\x98", R);
    SAN("\xC0\xAF", R R);
    SAN("\xED\xA0\x80", R R R);
    SAN("\xF4\x90\x80\x80", R R R R);
    SAN("\xFF\xFE", R R);
    SAN("\xEF\xBF\xBD", R); /* a real U+FFFD passes through */
    SAN("x\xC3\xA9y\x80z", "x\xC3\xA9y" R "z");
    SAN("\xE2\x80\xA8", "\xE2\x80\xA8"); /* valid; only JSON escapes it */
    /* Appends after existing content and keeps embedded NULs. */
    check_sanitize("a\0\xFF", 3, "a\0" R, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_invalid),
        cmocka_unit_test(test_decode_exhaustive),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_sanitize_unicode_tables),
        cmocka_unit_test(test_sanitize_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
