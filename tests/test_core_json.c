/* test_core_json.c — the JSON writer: escaping of every byte, invalid UTF-8, nesting, numbers,
 * misuse; every document is parsed back with jansson. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Escapes n bytes and returns the body as a heap string. */
static char *esc(const void *s, size_t n)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json_escape(&b, s, n);
    return vg_buf_steal(&b);
}

#define ESC_EQ(in, want)                                                                           \
    do {                                                                                           \
        char *got_ = esc(in, sizeof(in) - 1);                                                      \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_escape_control_bytes(void **state)
{
    (void)state;
    for (int c = 0; c < 0x20; c++) {
        char in = (char)c;
        char *got = esc(&in, 1);
        char want[8];
        switch (c) {
        case '\b': strcpy(want, "\\b"); break;
        case '\t': strcpy(want, "\\t"); break;
        case '\n': strcpy(want, "\\n"); break;
        case '\f': strcpy(want, "\\f"); break;
        case '\r': strcpy(want, "\\r"); break;
        default: snprintf(want, sizeof want, "\\u%04x", c);
        }
        assert_string_equal(got, want);
        free(got);
    }
    /* Every printable ASCII byte but " and \ is copied as is, DEL too. */
    for (int c = 0x20; c < 0x80; c++) {
        char in = (char)c;
        char *got = esc(&in, 1);
        if (c == '"')
            assert_string_equal(got, "\\\"");
        else if (c == '\\')
            assert_string_equal(got, "\\\\");
        else
            assert_true(strlen(got) == 1 && got[0] == c);
        free(got);
    }
    ESC_EQ("a\0b", "a\\u0000b");
    ESC_EQ("\x1f\x7f", "\\u001f\x7f");
    ESC_EQ("line1\r\nline2\ttab", "line1\\r\\nline2\\ttab");
    ESC_EQ("say \"hi\" \\ bye /", "say \\\"hi\\\" \\\\ bye /");
    ESC_EQ("", "");
}

#define R "\xEF\xBF\xBD"

static void test_escape_utf8(void **state)
{
    (void)state;
#define VALID "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"
    ESC_EQ(VALID, VALID);
    ESC_EQ("\xC0\xAF", R R);               /* overlong '/' */
    ESC_EQ("\xC0\x80", R R);               /* overlong NUL */
    ESC_EQ("\xED\xA0\x80", R R R);         /* surrogate U+D800 */
    ESC_EQ("\xED\xBF\xBF", R R R);
    ESC_EQ("\xE2\x82", R);                 /* truncated at the end */
    ESC_EQ("\xE2\x82\"", R "\\\"");        /* truncated before a quote */
    ESC_EQ("\xF0\x9F\x98\n", R "\\n");
    ESC_EQ("\xF4\x90\x80\x80", R R R R);   /* > U+10FFFF */
    ESC_EQ("\xFF\xFEx", R R "x");
    ESC_EQ("\x80", R);
    ESC_EQ("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c", "a\\u2028b\\u2029c");
    ESC_EQ("\xE2\x80\xA7\xE2\x80\xAA", "\xE2\x80\xA7\xE2\x80\xAA"); /* neighbours stay raw */
    ESC_EQ("\xEF\xBB\xBF", "\xEF\xBB\xBF");                         /* BOM is a code point */
}

/* Parses doc with jansson or fails the test. */
static json_t *parse(const vg_buf *b)
{
    json_error_t err;
    size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL;
    json_t *j = json_loadb(b->p, b->n, flags, &err);
    if (!j)
        fail_msg("jansson rejects %s: %s (col %d)", vg_buf_cstr(b), err.text, err.column);
    return j;
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    /* Random byte strings as values and as keys: the document always parses
     * and the strings read back equal the sanitized input. Keys cannot hold
     * NULs through vg_json_key (a C string), so keys use the prefix up to
     * the first NUL. */
    uint64_t x = 0x1234567887654321ULL;
    for (int round = 0; round < 3000; round++) {
        uint8_t in[64];
        size_t n = (size_t)(round % 64);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Bias towards interesting bytes. */
            static const uint8_t pick[] = {0x00, 0x1f, '"', '\\', 0x7f, 0x80, 0xbf, 0xc0,
                                           0xc2, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xff,
                                           0xa0, 0x9f, 0x8f, 0x90};
            in[i] = (x >> 40) % 3 ? (uint8_t)x : pick[(x >> 20) % sizeof pick];
        }
        char key[65];
        memcpy(key, in, n);
        key[n] = '\0';

        vg_buf doc;
        vg_buf_init(&doc, 0);
        vg_json j;
        vg_json_init(&j, &doc);
        vg_json_obj_begin(&j);
        vg_json_key(&j, key);
        vg_json_strn(&j, in, n);
        vg_json_obj_end(&j);
        assert_false(j.failed);
        assert_true(vg_utf8_valid(doc.p, doc.n));

        vg_buf want_val, want_key;
        vg_buf_init(&want_val, 0);
        vg_buf_init(&want_key, 0);
        vg_utf8_sanitize(&want_val, in, n);
        vg_utf8_sanitize(&want_key, key, strlen(key));
        /* The escaper's U+2028/2029 decode to themselves. */

        json_t *root = parse(&doc);
        assert_true(json_is_object(root));
        assert_int_equal(json_object_size(root), 1);
        const char *k;
        json_t *v;
        json_object_foreach(root, k, v)
        {
            assert_string_equal(k, vg_buf_cstr(&want_key));
            assert_true(json_is_string(v));
            assert_int_equal(json_string_length(v), want_val.n);
            assert_memory_equal(json_string_value(v), vg_buf_cstr(&want_val), want_val.n);
        }
        json_decref(root);
        vg_buf_free(&doc);
        vg_buf_free(&want_val);
        vg_buf_free(&want_key);
    }
}

static void test_nested(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "actor", "STRONTIUM");
    vg_json_kv_int(&j, "count", -7);
    vg_json_kv_bool(&j, "ok", true);
    vg_json_key(&j, "ids");
    vg_json_arr_begin(&j);
    vg_json_int(&j, 1);
    vg_json_uint(&j, UINT64_MAX);
    vg_json_str(&j, NULL);
    vg_json_null(&j);
    vg_json_bool(&j, false);
    vg_json_arr_begin(&j);
    vg_json_arr_end(&j);
    vg_json_obj_begin(&j);
    vg_json_obj_end(&j);
    vg_json_raw(&j, "{\"pre\":[1,2]}");
    vg_json_raw(&j, NULL);
    vg_json_arr_end(&j);
    vg_json_key(&j, "nested");
    vg_json_obj_begin(&j);
    vg_json_key(&j, "a");
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "b", "c\"d");
    vg_json_obj_end(&j);
    vg_json_obj_end(&j);
    vg_json_kv_int(&j, "min", INT64_MIN);
    vg_json_obj_end(&j);
    assert_false(j.failed);
    assert_int_equal(j.depth, 0);
    assert_string_equal(vg_buf_cstr(&b),
                        "{\"actor\":\"STRONTIUM\",\"count\":-7,\"ok\":true,"
                        "\"ids\":[1,18446744073709551615,null,null,false,[],{},"
                        "{\"pre\":[1,2]},null],"
                        "\"nested\":{\"a\":{\"b\":\"c\\\"d\"}},\"min\":-9223372036854775808}");
    json_t *root = parse(&b);
    assert_string_equal(json_string_value(json_object_get(root, "actor")), "STRONTIUM");
    assert_int_equal(json_array_size(json_object_get(root, "ids")), 9);
    json_decref(root);

    /* A top-level array and a top-level scalar are documents too. */
    vg_buf_reset(&b);
    vg_json_init(&j, &b);
    vg_json_arr_begin(&j);
    vg_json_str(&j, "x");
    vg_json_str(&j, "y");
    vg_json_strn(&j, NULL, 0);
    vg_json_arr_end(&j);
    assert_false(j.failed);
    assert_string_equal(vg_buf_cstr(&b), "[\"x\",\"y\",\"\"]");
    vg_buf_reset(&b);
    vg_json_init(&j, &b);
    vg_json_str(&j, "only");
    assert_false(j.failed);
    assert_string_equal(vg_buf_cstr(&b), "\"only\"");
    vg_buf_free(&b);
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.0, "0"},       {-0.0, "-0"},      {1.0, "1"},        {0.1, "0.1"},
        {-2.5, "-2.5"},   {1e300, "1e+300"}, {1e-300, "1e-300"}, {123456789.0, "123456789"},
        {0.3, "0.3"},     {1.0 / 3, "0.3333333333333333"},
        {5e-324, "4.94065645841247e-324"}, /* shortest that reads back */
        {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    vg_buf b;
    vg_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        vg_buf_reset(&b);
        vg_json j;
        vg_json_init(&j, &b);
        vg_json_double(&j, cases[i].v);
        assert_false(j.failed);
        assert_string_equal(vg_buf_cstr(&b), cases[i].want);
        assert_true(strtod(b.p, NULL) == cases[i].v);
        json_t *p = parse(&b);
        assert_true(json_is_number(p));
        json_decref(p);
    }
    /* Non-finite values become null. */
    const double nf[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        vg_buf_reset(&b);
        vg_json j;
        vg_json_init(&j, &b);
        vg_json_arr_begin(&j);
        vg_json_double(&j, nf[i]);
        vg_json_double(&j, 2.0);
        vg_json_arr_end(&j);
        assert_false(j.failed);
        assert_string_equal(vg_buf_cstr(&b), "[null,2]");
    }
    /* Random doubles round-trip exactly. */
    uint64_t x = 99;
    for (int i = 0; i < 10000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d))
            continue;
        vg_buf_reset(&b);
        vg_json j;
        vg_json_init(&j, &b);
        vg_json_double(&j, d);
        assert_true(strtod(b.p, NULL) == d || (d == 0 && strtod(b.p, NULL) == 0));
    }
    vg_buf_free(&b);
}

typedef void (*misuse_fn)(vg_json *j);

static void m_value_without_key(vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_int(j, 1);
}
static void m_key_in_array(vg_json *j)
{
    vg_json_arr_begin(j);
    vg_json_key(j, "k");
}
static void m_key_top(vg_json *j) { vg_json_key(j, "k"); }
static void m_key_twice(vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_key(j, "a");
    vg_json_key(j, "b");
}
static void m_dangling_key(vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_key(j, "a");
    vg_json_obj_end(j);
}
static void m_wrong_end(vg_json *j)
{
    vg_json_arr_begin(j);
    vg_json_obj_end(j);
}
static void m_wrong_end2(vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_arr_end(j);
}
static void m_end_at_top(vg_json *j) { vg_json_obj_end(j); }
static void m_extra_end(vg_json *j)
{
    vg_json_arr_begin(j);
    vg_json_arr_end(j);
    vg_json_arr_end(j);
}
static void m_two_docs(vg_json *j)
{
    vg_json_int(j, 1);
    vg_json_int(j, 2);
}
static void m_two_docs2(vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_obj_end(j);
    vg_json_arr_begin(j);
}
static void m_null_key(vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_key(j, NULL);
}

static void test_misuse(void **state)
{
    (void)state;
    const misuse_fn fns[] = {m_value_without_key, m_key_in_array, m_key_top,  m_key_twice,
                             m_dangling_key,      m_wrong_end,    m_wrong_end2, m_end_at_top,
                             m_extra_end,         m_two_docs,     m_two_docs2, m_null_key};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        vg_buf b;
        vg_buf_init(&b, 0);
        vg_json j;
        vg_json_init(&j, &b);
        fns[i](&j);
        if (!j.failed)
            fail_msg("misuse case %zu not detected", i);
        /* Sticky: nothing more is written. */
        size_t n = b.n;
        vg_json_str(&j, "more");
        vg_json_arr_end(&j);
        vg_json_obj_end(&j);
        assert_int_equal(b.n, n);
        assert_true(j.failed);
        vg_buf_free(&b);
    }
}

static void test_depth_cap(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    /* VG_JSON_MAX_DEPTH - 1 nested containers are fine... */
    for (int i = 0; i < VG_JSON_MAX_DEPTH - 1; i++) {
        if (i % 2)
            vg_json_arr_begin(&j);
        else {
            vg_json_obj_begin(&j);
            vg_json_key(&j, "k");
        }
    }
    assert_false(j.failed);
    assert_int_equal(j.depth, VG_JSON_MAX_DEPTH - 1);
    vg_json_int(&j, 0);
    for (int i = VG_JSON_MAX_DEPTH - 2; i >= 0; i--) {
        if (i % 2)
            vg_json_arr_end(&j);
        else
            vg_json_obj_end(&j);
    }
    assert_false(j.failed);
    assert_int_equal(j.depth, 0);
    json_t *p = parse(&b);
    json_decref(p);

    /* ...one more is refused. */
    vg_buf_reset(&b);
    vg_json_init(&j, &b);
    for (int i = 0; i < VG_JSON_MAX_DEPTH; i++)
        vg_json_arr_begin(&j);
    assert_true(j.failed);
    assert_int_equal(j.depth, VG_JSON_MAX_DEPTH - 1);
    vg_buf_free(&b);
}

static void test_buffer_cap(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 32);
    vg_json j;
    vg_json_init(&j, &b);
    vg_json_arr_begin(&j);
    for (int i = 0; i < 100; i++)
        vg_json_str(&j, "abcdef");
    vg_json_arr_end(&j);
    assert_true(j.failed);
    assert_true(b.n <= 32);
    vg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_control_bytes), cmocka_unit_test(test_escape_utf8),
        cmocka_unit_test(test_roundtrip_random),     cmocka_unit_test(test_nested),
        cmocka_unit_test(test_numbers),              cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_depth_cap),            cmocka_unit_test(test_buffer_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
