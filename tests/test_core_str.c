/* test_core_str.c — vg_str views, the tokenizer, strict integer parsing and vg_buf. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_from_make_eq(void **state)
{
    (void)state;
    vg_str s = vg_str_from("hello");
    assert_int_equal(s.n, 5);
    assert_true(vg_str_eq_cstr(s, "hello"));
    assert_false(vg_str_eq_cstr(s, "hell"));
    assert_false(vg_str_eq_cstr(s, "hello!"));
    vg_str e = vg_str_from(NULL);
    assert_non_null(e.p);
    assert_int_equal(e.n, 0);
    assert_true(vg_str_eq(e, VG_STR_NULL));
    assert_true(vg_str_eq(VG_STR(""), VG_STR_NULL));
    /* Embedded NULs are part of a view. */
    vg_str a = vg_str_make("a\0b", 3), b = vg_str_make("a\0c", 3);
    assert_false(vg_str_eq(a, b));
    assert_true(vg_str_eq(a, vg_str_make("a\0b", 3)));
    assert_true(vg_str_eq_ci(VG_STR("HeLLo"), VG_STR("hello")));
    assert_false(vg_str_eq_ci(VG_STR("hellp"), VG_STR("hello")));
    /* Only ASCII folds: 0xC4 and 0xE4 (Latin-1 Ä/ä) are different bytes. */
    assert_false(vg_str_eq_ci(VG_STR("\xC4"), VG_STR("\xE4")));
    /* '@' (0x40) and '`' (0x60) differ by 0x20 but are not letters. */
    assert_false(vg_str_eq_ci(VG_STR("@"), VG_STR("`")));
    assert_false(vg_str_eq_ci(VG_STR("["), VG_STR("{")));
}

static void test_prefix_suffix(void **state)
{
    (void)state;
    vg_str s = VG_STR("Received: from");
    assert_true(vg_str_starts_with(s, VG_STR("Received:")));
    assert_false(vg_str_starts_with(s, VG_STR("received:")));
    assert_true(vg_str_starts_with_ci(s, VG_STR("RECEIVED:")));
    assert_true(vg_str_starts_with(s, VG_STR("")));
    assert_false(vg_str_starts_with(VG_STR("ab"), VG_STR("abc")));
    assert_true(vg_str_ends_with(s, VG_STR("from")));
    assert_true(vg_str_ends_with_ci(s, VG_STR("FROM")));
    assert_false(vg_str_ends_with(s, VG_STR("FROM")));
    assert_true(vg_str_ends_with(s, VG_STR("")));
    assert_true(vg_str_ends_with(VG_STR_NULL, VG_STR("")));
    assert_false(vg_str_ends_with(VG_STR("m"), VG_STR("om")));
    assert_true(vg_str_ends_with_ci(VG_STR("x@Example.COM"), VG_STR("@example.com")));
}

static void test_trim_sub(void **state)
{
    (void)state;
    assert_true(vg_str_eq_cstr(vg_str_trim(VG_STR(" \t a b \r\n")), "a b"));
    assert_true(vg_str_eq_cstr(vg_str_trim(VG_STR("ab")), "ab"));
    assert_int_equal(vg_str_trim(VG_STR(" \t\v\f\r\n ")).n, 0);
    assert_int_equal(vg_str_trim(VG_STR_NULL).n, 0);
    /* Non-ASCII bytes (NBSP in UTF-8) are not whitespace. */
    assert_int_equal(vg_str_trim(VG_STR("\xC2\xA0x")).n, 3);

    vg_str s = VG_STR("abcdef");
    assert_true(vg_str_eq_cstr(vg_str_sub(s, 1, 3), "bcd"));
    assert_true(vg_str_eq_cstr(vg_str_sub(s, 4, 100), "ef"));
    assert_true(vg_str_eq_cstr(vg_str_sub(s, 6, 1), ""));
    assert_true(vg_str_eq_cstr(vg_str_sub(s, 100, 1), ""));
    assert_true(vg_str_eq_cstr(vg_str_sub(s, 0, SIZE_MAX), "abcdef"));
    assert_int_equal(vg_str_sub(VG_STR_NULL, 3, 3).n, 0);
}

static void test_find(void **state)
{
    (void)state;
    vg_str h = VG_STR("one two TWO three");
    assert_int_equal(vg_str_find(h, VG_STR("two")), 4);
    assert_int_equal(vg_str_find(h, VG_STR("TWO")), 8);
    assert_int_equal(vg_str_find(h, VG_STR("four")), -1);
    assert_int_equal(vg_str_find(h, VG_STR("")), 0);
    assert_int_equal(vg_str_find(VG_STR_NULL, VG_STR("")), 0);
    assert_int_equal(vg_str_find(VG_STR_NULL, VG_STR("a")), -1);
    assert_int_equal(vg_str_find(VG_STR("ab"), VG_STR("abc")), -1);
    assert_int_equal(vg_str_find(h, VG_STR("three")), 12);
    assert_int_equal(vg_str_find_ci(h, VG_STR("TwO")), 4);
    assert_int_equal(vg_str_find_ci(h, VG_STR("THREE")), 12);
    assert_int_equal(vg_str_find_ci(h, VG_STR("threes")), -1);
    assert_int_equal(vg_str_find_ci(h, VG_STR("")), 0);
    assert_int_equal(vg_str_find_ci(VG_STR("aaaB"), VG_STR("aB")), 2);
    /* Match at the very end, and a needle with a NUL. */
    assert_int_equal(vg_str_find(vg_str_make("x\0y", 3), vg_str_make("\0y", 2)), 1);
    /* Long needles take the folded memmem path; same answers, and linear
     * time on the quadratic shape "aaaa...b" in "aaaa...". */
    {
        size_t n = 1 << 20, m = 4096;
        char *hay = malloc(n), *needle = malloc(m);
        memset(hay, 'a', n);
        memset(needle, 'A', m);
        needle[m - 1] = 'B';
        assert_int_equal(vg_str_find_ci(vg_str_make(hay, n), vg_str_make(needle, m)), -1);
        hay[n - 1] = 'b';
        assert_int_equal(vg_str_find_ci(vg_str_make(hay, n), vg_str_make(needle, m)),
                         (ptrdiff_t)(n - m));
        assert_int_equal(vg_str_find(vg_str_make(hay, n), vg_str_make(needle, m)), -1);
        free(hay);
        free(needle);
        vg_str long_hay = VG_STR("The Quick Brown Fox Jumps Over The Lazy Dog");
        assert_int_equal(vg_str_find_ci(long_hay, VG_STR("brown fox jumps over")), 10);
        assert_int_equal(vg_str_find_ci(long_hay, VG_STR("brown fox jumps under")), -1);
        assert_int_equal(vg_str_find_ci(long_hay, VG_STR("the lazy dog")), 31);
    }
    assert_int_equal(vg_str_chr(h, 't'), 4);
    assert_int_equal(vg_str_rchr(h, 't'), 12);
    assert_int_equal(vg_str_chr(h, 'z'), -1);
    assert_int_equal(vg_str_rchr(h, 'z'), -1);
    assert_int_equal(vg_str_chr(VG_STR_NULL, 'a'), -1);
    assert_int_equal(vg_str_rchr(VG_STR_NULL, 'a'), -1);
}

/* Collects every token of s split on sep into "tok|tok|..." and the count. */
static int split_all(vg_str s, char sep, char *out, size_t size)
{
    vg_str tok;
    int n = 0;
    out[0] = '\0';
    while (vg_str_split(&s, sep, &tok)) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s" VG_STR_FMT, n ? "|" : "", VG_STR_ARG(tok));
        n++;
        assert_true(n < 100);
    }
    /* Exhausted stays exhausted. */
    assert_false(vg_str_split(&s, sep, &tok));
    return n;
}

static void test_split(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(split_all(VG_STR("a,b"), ',', out, sizeof out), 2);
    assert_string_equal(out, "a|b");
    assert_int_equal(split_all(VG_STR("a,"), ',', out, sizeof out), 2);
    assert_string_equal(out, "a|");
    assert_int_equal(split_all(VG_STR(",a"), ',', out, sizeof out), 2);
    assert_string_equal(out, "|a");
    assert_int_equal(split_all(VG_STR("a"), ',', out, sizeof out), 1);
    assert_string_equal(out, "a");
    /* The empty string is one empty token; VG_STR_NULL is none. */
    assert_int_equal(split_all(VG_STR(""), ',', out, sizeof out), 1);
    assert_string_equal(out, "");
    assert_int_equal(split_all(vg_str_from(NULL), ',', out, sizeof out), 1);
    assert_int_equal(split_all(VG_STR_NULL, ',', out, sizeof out), 0);
    assert_int_equal(split_all(VG_STR(","), ',', out, sizeof out), 2);
    assert_string_equal(out, "|");
    assert_int_equal(split_all(VG_STR(",,"), ',', out, sizeof out), 3);
    assert_int_equal(split_all(VG_STR("x,,y,"), ',', out, sizeof out), 4);
    assert_string_equal(out, "x||y|");
    assert_int_equal(split_all(VG_STR("k=v; a=b"), ';', out, sizeof out), 2);
    assert_string_equal(out, "k=v| a=b");

    /* Tokens point into the original bytes. */
    const char *src = "ab:cd";
    vg_str rest = vg_str_from(src), tok;
    assert_true(vg_str_split(&rest, ':', &tok));
    assert_ptr_equal(tok.p, src);
    assert_true(vg_str_split(&rest, ':', &tok));
    assert_ptr_equal(tok.p, src + 3);
    assert_int_equal(tok.n, 2);
}

static void test_to_i64(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(vg_str_to_i64(VG_STR("0"), &v));
    assert_int_equal(v, 0);
    assert_true(vg_str_to_i64(VG_STR("-0"), &v));
    assert_int_equal(v, 0);
    assert_true(vg_str_to_i64(VG_STR("+42"), &v));
    assert_int_equal(v, 42);
    assert_true(vg_str_to_i64(VG_STR("-42"), &v));
    assert_int_equal(v, -42);
    assert_true(vg_str_to_i64(VG_STR("007"), &v));
    assert_int_equal(v, 7);
    assert_true(vg_str_to_i64(VG_STR("9223372036854775807"), &v));
    assert_true(v == INT64_MAX);
    assert_true(vg_str_to_i64(VG_STR("-9223372036854775808"), &v));
    assert_true(v == INT64_MIN);
    assert_true(vg_str_to_i64(VG_STR("-9223372036854775807"), &v));
    assert_true(v == -INT64_MAX);

    v = 123;
    const char *bad[] = {"9223372036854775808", "-9223372036854775809",
                         "99999999999999999999", "18446744073709551616",
                         "", "-", "+", "+-1", "--1", " 1", "1 ", "1a", "0x10", "1.0",
                         "1e3", "\xEF\xBC\x91" /* fullwidth 1 */, "١" /* Arabic-Indic 1 */};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(vg_str_to_i64(vg_str_from(bad[i]), &v));
        assert_int_equal(v, 123); /* untouched on failure */
    }
    assert_false(vg_str_to_i64(VG_STR_NULL, &v));
    assert_false(vg_str_to_i64(vg_str_make("1\0", 2), &v));
    /* A view stops where it says, whatever follows in memory. */
    assert_true(vg_str_to_i64(vg_str_make("12345", 2), &v));
    assert_int_equal(v, 12);
}

static void test_to_u64(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_true(vg_str_to_u64(VG_STR("18446744073709551615"), &v));
    assert_true(v == UINT64_MAX);
    assert_true(vg_str_to_u64(VG_STR("+1"), &v));
    assert_true(v == 1);
    assert_false(vg_str_to_u64(VG_STR("18446744073709551616"), &v));
    assert_false(vg_str_to_u64(VG_STR("18446744073709551620"), &v));
    assert_false(vg_str_to_u64(VG_STR("-1"), &v));
    assert_false(vg_str_to_u64(VG_STR("-0"), &v));
    assert_false(vg_str_to_u64(VG_STR(""), &v));
    assert_false(vg_str_to_u64(VG_STR("1_000"), &v));
}

static void test_dup(void **state)
{
    (void)state;
    char *d = vg_str_dup(vg_str_make("abcdef", 3));
    assert_string_equal(d, "abc");
    free(d);
    d = vg_str_dup(VG_STR_NULL);
    assert_string_equal(d, "");
    free(d);
}

static void test_buf_basic(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    assert_string_equal(vg_buf_cstr(&b), "");
    assert_int_equal(vg_buf_str(&b).n, 0);
    assert_true(vg_buf_puts(&b, "abc"));
    assert_true(vg_buf_putc(&b, '-'));
    assert_true(vg_buf_append(&b, "x\0y", 3));
    assert_int_equal(b.n, 7);
    assert_memory_equal(b.p, "abc-x\0y", 8); /* includes the NUL terminator */
    assert_true(vg_buf_printf(&b, "[%d:%s]", 42, "z"));
    assert_int_equal(b.n, 13);
    assert_memory_equal(b.p + 7, "[42:z]", 7);
    assert_true(vg_buf_append(&b, NULL, 0));
    assert_int_equal(b.n, 13);
    vg_buf_reset(&b);
    assert_int_equal(b.n, 0);
    assert_string_equal(vg_buf_cstr(&b), "");
    assert_true(b.cap > 0); /* memory kept */
    vg_buf_free(&b);
    assert_null(b.p);
    vg_buf_free(&b); /* idempotent */
}

static void test_buf_growth(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    /* Many small appends through several doublings; content stays intact. */
    for (int i = 0; i < 100000; i++)
        assert_true(vg_buf_putc(&b, (char)('a' + i % 26)));
    assert_int_equal(b.n, 100000);
    assert_true(b.cap > b.n);
    assert_int_equal(b.p[b.n], '\0');
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.p[i], 'a' + i % 26);
    /* A printf larger than the remaining room. */
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    vg_buf_reset(&b);
    assert_true(vg_buf_printf(&b, "<%s>", big));
    assert_int_equal(b.n, 5001);
    assert_int_equal(b.p[5000], '>');
    assert_int_equal(strlen(b.p), 5001);
    char *s = vg_buf_steal(&b);
    assert_int_equal(strlen(s), 5001);
    free(s);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    s = vg_buf_steal(&b); /* empty buffer: an empty heap string */
    assert_string_equal(s, "");
    free(s);
}

static void test_buf_max(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 10);
    assert_true(vg_buf_puts(&b, "12345"));
    assert_true(vg_buf_puts(&b, "67890")); /* exactly at the cap */
    assert_int_equal(b.n, 10);
    assert_true(b.cap <= 11);
    assert_false(b.failed);
    /* All-or-nothing: the failing append leaves nothing behind... */
    assert_false(vg_buf_putc(&b, 'x'));
    assert_true(b.failed);
    assert_int_equal(b.n, 10);
    assert_string_equal(vg_buf_cstr(&b), "1234567890");
    /* ...and failure is sticky, even for appends that would fit. */
    assert_false(vg_buf_append(&b, "", 0));
    assert_false(vg_buf_printf(&b, "%s", ""));
    vg_buf_reset(&b);
    assert_false(b.failed);
    assert_true(vg_buf_puts(&b, "abc"));
    /* printf past the cap, both when it fits the allocation and when not. */
    assert_false(vg_buf_printf(&b, "%s", "defghijklmnop"));
    assert_string_equal(vg_buf_cstr(&b), "abc");
    assert_int_equal(b.n, 3);
    vg_buf_reset(&b);
    assert_true(vg_buf_puts(&b, "abcdefgh"));
    assert_false(vg_buf_printf(&b, "%d", 123)); /* 8 + 3 > 10 */
    assert_string_equal(vg_buf_cstr(&b), "abcdefgh");
    /* putc's fast path stops at the cap even when the allocation is larger */
    vg_buf_reset(&b);
    assert_true(vg_buf_reserve(&b, 10));
    assert_true(b.cap >= 11);
    for (int i = 0; i < 10; i++)
        assert_true(vg_buf_putc(&b, (char)('0' + i)));
    assert_false(vg_buf_putc(&b, 'x'));
    assert_string_equal(vg_buf_cstr(&b), "0123456789");
    vg_buf_reset(&b);
    assert_false(vg_buf_reserve(&b, 11)); /* past the cap */
    assert_true(b.failed);
    vg_buf_reset(&b);
    assert_true(vg_buf_puts(&b, "abcdefg"));
    assert_true(vg_buf_printf(&b, "%d", 123));
    assert_string_equal(vg_buf_cstr(&b), "abcdefg123");
    vg_buf_free(&b);

    /* A huge append is refused without allocating it. */
    vg_buf_init(&b, 1 << 20);
    assert_false(vg_buf_append(&b, "x", SIZE_MAX));
    assert_true(b.failed);
    vg_buf_free(&b);
    vg_buf_init(&b, 0);
    assert_true(vg_buf_puts(&b, "ab"));
    assert_false(vg_buf_append(&b, "x", SIZE_MAX - 1)); /* n + len overflows */
    assert_true(b.failed);
    vg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_make_eq), cmocka_unit_test(test_prefix_suffix),
        cmocka_unit_test(test_trim_sub),     cmocka_unit_test(test_find),
        cmocka_unit_test(test_split),        cmocka_unit_test(test_to_i64),
        cmocka_unit_test(test_to_u64),       cmocka_unit_test(test_dup),
        cmocka_unit_test(test_buf_basic),    cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
