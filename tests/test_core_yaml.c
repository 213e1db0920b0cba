/* test_core_yaml.c — the YAML tree: lookups, types, lines, and refusals. */
#include <string.h>

#include "testutil.h"
#include "vigil/yaml.h"

static vg_yaml_doc *load(const char *s, vg_error *e)
{
    return vg_yaml_load_string(s, strlen(s), "t.yaml", e);
}

static void test_basic(void **state)
{
    (void)state;
    vg_error e = {0};
    vg_yaml_doc *d = load("tlp: AMBER\n"
                          "organizations:\n"
                          "  - id: helix\n"
                          "    country: CA\n"
                          "    domains: [a.example, b.example]\n"
                          "    size: 42\n"
                          "    ok: yes\n"
                          "  - id: other\n"
                          "mail:\n"
                          "  limits: {max_parts: 1000}\n"
                          "empty:\n",
                          &e);
    assert_non_null(d);
    const vg_yaml_node *r = vg_yaml_root(d);
    assert_int_equal(vg_yaml_type_of(r), VG_YAML_MAP);
    assert_string_equal(vg_yaml_str(vg_yaml_get(r, "tlp"), NULL), "AMBER");
    const vg_yaml_node *orgs = vg_yaml_get(r, "organizations");
    assert_int_equal(vg_yaml_type_of(orgs), VG_YAML_SEQ);
    assert_int_equal(vg_yaml_len(orgs), 2);
    const vg_yaml_node *o = vg_yaml_at(orgs, 0);
    assert_int_equal(vg_yaml_line(o), 3);
    assert_string_equal(vg_yaml_str(vg_yaml_get(o, "id"), ""), "helix");
    assert_int_equal(vg_yaml_len(vg_yaml_get(o, "domains")), 2);
    assert_string_equal(vg_yaml_str(vg_yaml_at(vg_yaml_get(o, "domains"), 1), ""), "b.example");
    int64_t n = 0;
    assert_true(vg_yaml_int(vg_yaml_get(o, "size"), &n));
    assert_int_equal(n, 42);
    bool b = false;
    assert_true(vg_yaml_bool(vg_yaml_get(o, "ok"), &b));
    assert_true(b);
    assert_false(vg_yaml_int(vg_yaml_get(o, "country"), &n));
    assert_null(vg_yaml_at(orgs, 2));
    assert_null(vg_yaml_get(o, "missing"));
    assert_null(vg_yaml_get(orgs, "id")); /* not a map */
    int64_t parts = 0;
    assert_true(vg_yaml_int(vg_yaml_path(r, "mail.limits.max_parts"), &parts));
    assert_int_equal(parts, 1000);
    assert_null(vg_yaml_path(r, "mail.nope.x"));
    assert_int_equal(vg_yaml_type_of(vg_yaml_get(r, "empty")), VG_YAML_NULL);
    assert_string_equal(vg_yaml_key_at(r, 0), "tlp");
    assert_string_equal(vg_yaml_str(vg_yaml_value_at(r, 0), ""), "AMBER");
    vg_yaml_free(d);
}

static void collect(const char *s, void *ud)
{
    vg_buf *b = ud;
    vg_buf_puts(b, s);
    vg_buf_putc(b, '|');
}

static void test_each_str(void **state)
{
    (void)state;
    vg_yaml_doc *d = load("a: one\nb: [x, y, z]\nc: {k: v}\n", NULL);
    assert_non_null(d);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_yaml_each_str(vg_yaml_get(vg_yaml_root(d), "a"), collect, &b);
    vg_yaml_each_str(vg_yaml_get(vg_yaml_root(d), "b"), collect, &b);
    vg_yaml_each_str(vg_yaml_get(vg_yaml_root(d), "c"), collect, &b);
    assert_string_equal(vg_buf_cstr(&b), "one|x|y|z|");
    vg_buf_free(&b);
    vg_yaml_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    vg_error e = {0};
    assert_null(load("a: [1, 2\nb: 3\n", &e));
    assert_non_null(strstr(e.msg, "t.yaml:"));
    assert_null(load("a: &x [1]\nb: *x\n", &e));
    assert_non_null(strstr(e.msg, "not supported"));
    assert_null(load("a: 1\na: 2\n", &e));
    assert_non_null(strstr(e.msg, "t.yaml:2: duplicate key 'a'"));
    assert_null(load("? [1, 2]\n: v\n", &e));
    assert_non_null(strstr(e.msg, "key must be a scalar"));
    /* Nesting bomb. */
    vg_buf b;
    vg_buf_init(&b, 0);
    for (int i = 0; i < 200; i++)
        vg_buf_putc(&b, '[');
    for (int i = 0; i < 200; i++)
        vg_buf_putc(&b, ']');
    assert_null(vg_yaml_load_string(b.p, b.n, "deep.yaml", &e));
    assert_non_null(strstr(e.msg, "nesting"));
    vg_buf_free(&b);
    /* Missing file names the path. */
    assert_null(vg_yaml_load_file("/nonexistent/vigil.yaml", &e));
    assert_non_null(strstr(e.msg, "/nonexistent/vigil.yaml"));
}

static void test_empty_and_scalars(void **state)
{
    (void)state;
    vg_yaml_doc *d = load("", NULL);
    assert_non_null(d);
    assert_int_equal(vg_yaml_type_of(vg_yaml_root(d)), VG_YAML_NULL);
    assert_int_equal(vg_yaml_len(vg_yaml_root(d)), 0);
    vg_yaml_free(d);
    d = load("x: '007'\ny: \"null\"\nz: null\nnull: 1\n", NULL);
    assert_non_null(d);
    const vg_yaml_node *r = vg_yaml_root(d);
    assert_string_equal(vg_yaml_str(vg_yaml_get(r, "x"), ""), "007");
    assert_int_equal(vg_yaml_type_of(vg_yaml_get(r, "y")), VG_YAML_SCALAR);
    assert_int_equal(vg_yaml_type_of(vg_yaml_get(r, "z")), VG_YAML_NULL);
    assert_non_null(vg_yaml_get(r, "null"));
    vg_yaml_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_each_str),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_empty_and_scalars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
