/* test_mail_reader.c — the two halves of a mail source (a walk over files,
 * a reader of one file) give what vg_mail_source_next() gives: the same
 * messages under the same names, the same rejects, the same skipped files. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "vigil/mail.h"

/* One line per item: "name|offset|len|first bytes" or "name|reject|reason". */
static void add_line(vg_buf *b, const vg_mail_item *it, vg_err rc, const vg_error *e)
{
    if (rc == VG_OK)
        vg_buf_printf(b, "%s|%lld|%zu|%.*s\n", it->name, (long long)it->offset, it->len,
                      (int)(it->len < 40 ? it->len : 40), it->data);
    else
        vg_buf_printf(b, "%s|reject %d|%s\n", it->name ? it->name : "?", (int)rc, e->msg);
}

static void by_source(const char *path, const vg_mail_limits *lim, vg_buf *out,
                      vg_mail_source_stats *st)
{
    vg_mail_source *s;
    vg_error e;
    assert_int_equal(vg_mail_source_open(&s, path, lim, &e), VG_OK);
    vg_mail_item it;
    vg_err rc;
    while ((rc = vg_mail_source_next(s, &it, &e)) != VG_ENOTFOUND)
        add_line(out, &it, rc, &e);
    vg_mail_source_stats_get(s, st);
    vg_mail_source_close(s);
}

/* The walk on one side, a reader per file on the other, as `vigil mail -j`
 * does it (one reader reused for every file). */
static void by_halves(const char *path, const vg_mail_limits *lim, vg_buf *out,
                      vg_mail_source_stats *st, size_t *n_files)
{
    vg_mail_source *s;
    vg_error e;
    assert_int_equal(vg_mail_source_open(&s, path, lim, &e), VG_OK);
    vg_mail_reader *r = vg_mail_reader_new(lim);
    vg_mail_file f;
    vg_err rc;
    *n_files = 0;
    while ((rc = vg_mail_source_next_file(s, &f, &e)) != VG_ENOTFOUND) {
        assert_int_equal(rc, VG_OK);
        assert_non_null(f.path);
        (*n_files)++;
        vg_mail_item it;
        if ((rc = vg_mail_reader_open(r, &f, &e)) != VG_OK) {
            it.name = f.path;
            add_line(out, &it, rc, &e);
            continue;
        }
        while ((rc = vg_mail_reader_next(r, &it, &e)) != VG_ENOTFOUND)
            add_line(out, &it, rc, &e);
    }
    vg_mail_reader_stats_get(r, st);
    vg_mail_reader_free(r);
    vg_mail_source_close(s);
}

static void same_both_ways(const char *path, const vg_mail_limits *lim, size_t min_lines)
{
    vg_buf a, b;
    vg_buf_init(&a, 0);
    vg_buf_init(&b, 0);
    vg_mail_source_stats sa, sb;
    size_t n_files;
    by_source(path, lim, &a, &sa);
    by_halves(path, lim, &b, &sb, &n_files);
    vg_buf_putc(&a, 0);
    vg_buf_putc(&b, 0);
    assert_string_equal(a.p, b.p);
    assert_int_equal(sa.messages, sb.messages);
    assert_int_equal(sa.rejects, sb.rejects);
    assert_int_equal(sa.skipped, sb.skipped);
    assert_int_equal(sa.bytes, sb.bytes);
    size_t lines = 0;
    for (const char *p = a.p; (p = strchr(p, '\n')); p++)
        lines++;
    assert_true(lines >= min_lines);
    assert_true(n_files >= 1);
    vg_buf_free(&a);
    vg_buf_free(&b);
}

static void test_directory_tree(void **state)
{
    (void)state;
    /* mbox files, Maildir, a single message with an envelope line, and
     * config.yaml, which is skipped */
    same_both_ways(vg_test_src("tests/fixtures/mail"), NULL, 18);
}

static void test_limits_and_single_files(void **state)
{
    (void)state;
    vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    lim.max_message_bytes = 600; /* some messages rejected, the rest read */
    same_both_ways(vg_test_src("tests/fixtures/mail"), &lim, 18);
    same_both_ways(vg_test_src("tests/fixtures/mail/three.mbox"), NULL, 3);
    /* named directly and not mail: a reject, not a skip */
    same_both_ways(vg_test_src("tests/fixtures/mail/config.yaml"), NULL, 1);
}

static void test_reader_alone(void **state)
{
    (void)state;
    vg_mail_reader *r = vg_mail_reader_new(NULL);
    vg_error e;
    vg_mail_item it;
    /* nothing opened yet */
    assert_int_equal(vg_mail_reader_next(r, &it, &e), VG_ENOTFOUND);
    vg_mail_file f = {.path = vg_test_src("tests/fixtures/mail/three.mbox")};
    assert_int_equal(vg_mail_reader_open(r, &f, &e), VG_OK);
    int n = 0;
    while (vg_mail_reader_next(r, &it, &e) == VG_OK) {
        n++;
        assert_non_null(strstr(it.name, "three.mbox#"));
        assert_int_equal(it.index, n);
    }
    assert_int_equal(n, 3);
    /* in a directory, a file that is not mail is skipped: no message, no reject */
    f.path = vg_test_src("tests/fixtures/mail/config.yaml");
    f.in_dir = true;
    assert_int_equal(vg_mail_reader_open(r, &f, &e), VG_OK);
    assert_int_equal(vg_mail_reader_next(r, &it, &e), VG_ENOTFOUND);
    /* named directly: rejected */
    f.in_dir = false;
    assert_int_equal(vg_mail_reader_open(r, &f, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "config.yaml"));
    f.path = "/nonexistent/vigil/x.eml";
    assert_int_equal(vg_mail_reader_open(r, &f, &e), VG_EIO);
    assert_int_equal(vg_mail_reader_next(r, &it, &e), VG_ENOTFOUND);
    vg_mail_source_stats st;
    vg_mail_reader_stats_get(r, &st);
    assert_int_equal(st.messages, 3);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.rejects, 2);
    vg_mail_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directory_tree),
        cmocka_unit_test(test_limits_and_single_files),
        cmocka_unit_test(test_reader_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
