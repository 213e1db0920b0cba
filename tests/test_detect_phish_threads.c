/* test_detect_phish_threads.c — engines sharing their tables
 * (vg_phish_engine_new_sibling): a sibling gives exactly the verdicts,
 * reasons and findings of its prototype and of an engine built on its own;
 * a prototype and its siblings analyse the same messages at once on several
 * threads (run under TSan / helgrind to show there is no race); siblings are
 * built while the prototype is busy; the engines of a family are freed in
 * every order (under ASan: no leak, no use after free). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/detect_phish.h"
#include "vigil/yaml.h"

#define MAX_SHARED 150 /* messages taken from the phishing_pot corpus when present */

typedef struct message {
    char *name;
    char *data;
    size_t len;
    char *expect; /* JSON verdict + findings of a reference engine */
} message;

static vg_yaml_doc *cfg_doc;
static message *msgs;
static size_t n_msgs;

static void load_dir(const char *path, size_t max)
{
    vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    vg_mail_source *src;
    vg_error e;
    vg_error_clear(&e);
    if (vg_mail_source_open(&src, path, &lim, &e) != VG_OK)
        return;
    vg_mail_item it;
    size_t taken = 0;
    for (;;) {
        vg_err rc = vg_mail_source_next(src, &it, &e);
        if (rc == VG_ENOTFOUND || taken >= max)
            break;
        if (rc != VG_OK)
            continue;
        msgs = realloc(msgs, (n_msgs + 1) * sizeof *msgs);
        message *m = &msgs[n_msgs++];
        m->name = vg_xstrdup(it.name);
        m->data = vg_xmalloc(it.len + 1);
        memcpy(m->data, it.data, it.len);
        m->len = it.len;
        m->expect = NULL;
        taken++;
    }
    vg_mail_source_close(src);
}

/* The verdict and the findings of one message, as one string (heap). */
static char *run(vg_phish_engine *eng, const message *m)
{
    vg_findings fl = {0};
    const vg_phish_result *r;
    vg_error e;
    vg_error_clear(&e);
    vg_phish_analyze(eng, m->name, m->data, m->len, &fl, &r, &e);
    vg_buf b = {0};
    vg_json j;
    vg_json_init(&j, &b);
    vg_phish_result_write_json(r, &j);
    for (size_t i = 0; i < fl.n; i++) {
        char *s = vg_finding_to_json(fl.v[i]);
        vg_buf_putc(&b, '\n');
        vg_buf_puts(&b, s);
        free(s);
    }
    vg_findings_free(&fl);
    return b.p;
}

static vg_phish_engine *new_engine(void)
{
    vg_phish_engine *eng = NULL;
    vg_error e;
    vg_error_clear(&e);
    assert_int_equal(vg_phish_engine_new(&eng, vg_yaml_root(cfg_doc), &e), VG_OK);
    return eng;
}

static vg_phish_engine *new_sibling(const vg_phish_engine *proto)
{
    vg_phish_engine *eng = NULL;
    vg_error e;
    vg_error_clear(&e);
    assert_int_equal(vg_phish_engine_new_sibling(&eng, proto, &e), VG_OK);
    assert_non_null(eng);
    return eng;
}

static int setup(void **state)
{
    (void)state;
    vg_error e;
    vg_error_clear(&e);
    cfg_doc = vg_yaml_load_file(vg_test_src("tests/fixtures/mail/config.yaml"), &e);
    if (!cfg_doc) {
        fprintf(stderr, "config: %s\n", e.msg);
        return -1;
    }
    load_dir(vg_test_src("tests/fixtures/mail"), SIZE_MAX);
    const char *pot = vg_test_shared("phishing_pot/email");
    if (pot)
        load_dir(pot, MAX_SHARED);
    if (n_msgs < 10)
        return -1;
    /* the reference: an engine of its own, one thread */
    vg_phish_engine *ref = new_engine();
    for (size_t i = 0; i < n_msgs; i++)
        msgs[i].expect = run(ref, &msgs[i]);
    vg_phish_engine_free(ref);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_msgs; i++) {
        free(msgs[i].name);
        free(msgs[i].data);
        free(msgs[i].expect);
    }
    free(msgs);
    vg_yaml_free(cfg_doc);
    return 0;
}

/* Every message through eng, starting at message `from` and going round,
 * `rounds` times; returns how many results differed from the reference. */
static size_t check_all(vg_phish_engine *eng, size_t from, int rounds)
{
    size_t bad = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t k = 0; k < n_msgs; k++) {
            const message *m = &msgs[(from + k) % n_msgs];
            char *got = run(eng, m);
            if (strcmp(got, m->expect) != 0) {
                if (bad == 0)
                    fprintf(stderr, "%s:\n  expected %s\n  got      %s\n", m->name, m->expect, got);
                bad++;
            }
            free(got);
        }
    }
    return bad;
}

static void test_sibling_same_results(void **state)
{
    (void)state;
    vg_phish_engine *proto = new_engine();
    vg_phish_engine *sib = new_sibling(proto);
    vg_phish_engine *sib2 = new_sibling(sib); /* a sibling's sibling shares the same tables */
    assert_ptr_not_equal(sib, proto);
    assert_int_equal(vg_phish_engine_limits(sib)->max_message_bytes,
                     vg_phish_engine_limits(proto)->max_message_bytes);
    assert_int_equal(check_all(sib, 0, 1), 0);
    assert_int_equal(check_all(proto, 3, 1), 0);
    assert_int_equal(check_all(sib2, 7, 1), 0);
    vg_phish_engine_free(sib2);
    vg_phish_engine_free(sib);
    vg_phish_engine_free(proto);
}

/* The tables outlive the engine that built them. */
static void test_free_proto_first(void **state)
{
    (void)state;
    vg_phish_engine *proto = new_engine();
    vg_phish_engine *a = new_sibling(proto);
    vg_phish_engine *b = new_sibling(proto);
    vg_phish_engine_free(proto);
    assert_int_equal(check_all(a, 0, 1), 0);
    vg_phish_engine_free(a);
    assert_int_equal(check_all(b, 5, 1), 0);
    vg_phish_engine *c = new_sibling(b); /* the family goes on without its first engine */
    vg_phish_engine_free(b);
    assert_int_equal(check_all(c, 1, 1), 0);
    vg_phish_engine_free(c);
    vg_phish_engine_free(NULL);
}

/* ---- threads ---------------------------------------------------------------------------- */

typedef struct job {
    vg_phish_engine *eng;
    const vg_phish_engine *proto; /* when set: build eng as its sibling on this thread */
    size_t from;
    size_t bad;
    bool free_it;
} job;

static void *job_main(void *arg)
{
    job *j = arg;
    if (j->proto) {
        vg_error e;
        vg_error_clear(&e);
        if (vg_phish_engine_new_sibling(&j->eng, j->proto, &e) != VG_OK) {
            j->bad = SIZE_MAX;
            return NULL;
        }
    }
    j->bad = check_all(j->eng, j->from, 2);
    if (j->free_it) {
        vg_phish_engine_free(j->eng);
        j->eng = NULL;
    }
    return NULL;
}

/* The prototype and siblings analyse the same messages at the same time,
 * two of the siblings built on their threads while the prototype is in use;
 * the engines are freed by their threads, in whatever order they finish. */
static void test_threads(void **state)
{
    (void)state;
    vg_phish_engine *proto = new_engine();
    job jobs[4] = {
        {.eng = proto, .from = 0},
        {.eng = new_sibling(proto), .from = 0, .free_it = true},
        {.proto = proto, .from = n_msgs / 2, .free_it = true},
        {.proto = proto, .from = n_msgs / 3, .free_it = true},
    };
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, job_main, &jobs[i]), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(jobs[i].bad, 0);
    vg_phish_engine_free(proto);
}

/* The prototype freed on one thread while a sibling works on another. */
static void test_threads_free_proto_early(void **state)
{
    (void)state;
    vg_phish_engine *proto = new_engine();
    job j = {.eng = new_sibling(proto), .from = 2, .free_it = true};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, job_main, &j), 0);
    vg_phish_engine_free(proto);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(j.bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sibling_same_results),
        cmocka_unit_test(test_free_proto_first),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_threads_free_proto_early),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
