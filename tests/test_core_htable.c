/* test_core_htable.c — vg_htable: growth, expiry, backward-shift deletion, admission limit, and a
 * randomized check of 100k operations against a simple model. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const uint8_t KEY[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Keys derived from an integer id: id 0 is the empty key; others are the
 * 4-byte little-endian id (so small ids contain NULs) padded with id % 7
 * bytes, so lengths vary and keys are unique. */
static size_t make_key(uint32_t id, uint8_t out[16])
{
    if (id == 0)
        return 0;
    out[0] = (uint8_t)id;
    out[1] = (uint8_t)(id >> 8);
    out[2] = (uint8_t)(id >> 16);
    out[3] = (uint8_t)(id >> 24);
    size_t pad = id % 7;
    memset(out + 4, (id & 1) ? 0 : 'p', pad);
    return 4 + pad;
}

typedef struct {
    int freed;
    int64_t freed_sum; /* sum of freed values' payloads */
} free_log;

static void free_val(void *value, void *ud)
{
    free_log *log = ud;
    log->freed++;
    log->freed_sum += *(int64_t *)value;
    free(value);
}

static int64_t *box(int64_t v)
{
    int64_t *p = malloc(sizeof *p);
    *p = v;
    return p;
}

static void test_basic(void **state)
{
    (void)state;
    free_log log = {0};
    vg_htable *t = vg_htable_new_keyed(0, KEY, free_val, &log);
    bool created = false;
    void **v = vg_htable_put(t, "alice", 5, 100, &created);
    assert_non_null(v);
    assert_true(created);
    assert_null(*v);
    *v = box(1);
    v = vg_htable_put(t, "alice", 5, 200, &created);
    assert_false(created);
    assert_int_equal(*(int64_t *)*v, 1);
    assert_int_equal(vg_htable_count(t), 1);
    assert_null(vg_htable_get(t, "alicE", 5));
    assert_null(vg_htable_get(t, "alice", 4));
    assert_null(vg_htable_get(t, "alice\0", 6));
    assert_non_null(vg_htable_get(t, "alice", 5));
    /* Embedded NULs and the empty key are ordinary keys. */
    *vg_htable_put(t, "a\0b", 3, 100, NULL) = box(2);
    *vg_htable_put(t, "a\0c", 3, 100, NULL) = box(3);
    *vg_htable_put(t, "", 0, 100, NULL) = box(4);
    assert_int_equal(*(int64_t *)*vg_htable_get(t, "a\0b", 3), 2);
    assert_int_equal(*(int64_t *)*vg_htable_get(t, "a\0c", 3), 3);
    assert_int_equal(*(int64_t *)*vg_htable_get(t, NULL, 0), 4);
    assert_null(vg_htable_get(t, "a", 1));
    assert_int_equal(vg_htable_count(t), 4);
    /* The key is copied: changing the caller's buffer changes nothing. */
    char k[8] = "bob";
    vg_htable_put(t, k, 3, 100, NULL);
    k[0] = 'r';
    assert_non_null(vg_htable_get(t, "bob", 3));
    assert_null(vg_htable_get(t, "rob", 3));
    /* Delete: destructor runs for non-NULL values only. */
    assert_true(vg_htable_del(t, "a\0b", 3));
    assert_false(vg_htable_del(t, "a\0b", 3));
    assert_int_equal(log.freed, 1);
    assert_int_equal(log.freed_sum, 2);
    assert_true(vg_htable_del(t, "bob", 3)); /* NULL value: no destructor call */
    assert_int_equal(log.freed, 1);
    assert_int_equal(vg_htable_count(t), 3);
    assert_int_equal(vg_htable_refused(t), 0);
    vg_htable_free(t);
    assert_int_equal(log.freed, 4);
    assert_int_equal(log.freed_sum, 1 + 2 + 3 + 4);
    vg_htable_free(NULL);
}

static void test_growth(void **state)
{
    (void)state;
    vg_htable *t = vg_htable_new_keyed(0, KEY, NULL, NULL);
    assert_int_equal(vg_htable_capacity(t), 16);
    enum { N = 200000 };
    size_t last_cap = 16;
    int resizes = 0;
    for (uint32_t i = 0; i < N; i++) {
        char k[32];
        int n = snprintf(k, sizeof k, "user%u@example.org", i);
        bool created;
        void **v = vg_htable_put(t, k, (size_t)n, i, &created);
        assert_true(created);
        *v = (void *)(uintptr_t)(i + 1);
        size_t cap = vg_htable_capacity(t);
        if (cap != last_cap) {
            assert_int_equal(cap, last_cap * 2);
            resizes++;
            last_cap = cap;
        }
        /* Load never exceeds 3/4. */
        assert_true(vg_htable_count(t) * 4 <= cap * 3);
    }
    assert_int_equal(vg_htable_count(t), N);
    assert_true(resizes >= 14); /* 16 -> 262144 + */
    assert_int_equal(vg_htable_capacity(t) & (vg_htable_capacity(t) - 1), 0);
    for (uint32_t i = 0; i < N; i++) {
        char k[32];
        int n = snprintf(k, sizeof k, "user%u@example.org", i);
        void **v = vg_htable_get(t, k, (size_t)n);
        assert_non_null(v);
        assert_true((uintptr_t)*v == i + 1);
    }
    /* Remove every other key; the rest stay reachable (backward shift). */
    for (uint32_t i = 0; i < N; i += 2) {
        char k[32];
        int n = snprintf(k, sizeof k, "user%u@example.org", i);
        assert_true(vg_htable_del(t, k, (size_t)n));
    }
    assert_int_equal(vg_htable_count(t), N / 2);
    for (uint32_t i = 0; i < N; i++) {
        char k[32];
        int n = snprintf(k, sizeof k, "user%u@example.org", i);
        void **v = vg_htable_get(t, k, (size_t)n);
        if (i % 2)
            assert_true(v && (uintptr_t)*v == i + 1);
        else
            assert_null(v);
    }
    /* Expire by event time: entries carry expires_at = i. */
    size_t dropped = vg_htable_expire(t, N / 2 - 1);
    assert_int_equal(dropped, N / 4);
    assert_int_equal(vg_htable_count(t), N / 2 - N / 4);
    vg_htable_free(t);
}

static void test_expiry(void **state)
{
    (void)state;
    free_log log = {0};
    vg_htable *t = vg_htable_new_keyed(0, KEY, free_val, &log);
    for (int i = 0; i < 100; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, "k%d", i);
        *vg_htable_put(t, k, (size_t)n, 1000 + i, NULL) = box(i);
    }
    /* Expired but not purged: still returned until vg_htable_expire runs. */
    assert_non_null(vg_htable_get(t, "k0", 2));
    assert_int_equal(vg_htable_expire(t, 999), 0);
    /* Boundary: expires_at <= now is dropped. */
    assert_int_equal(vg_htable_expire(t, 1000), 1);
    assert_null(vg_htable_get(t, "k0", 2));
    assert_non_null(vg_htable_get(t, "k1", 2));
    assert_int_equal(log.freed, 1);
    /* Refreshing an entry's expiry keeps it alive. */
    vg_htable_put(t, "k5", 2, 5000, NULL);
    assert_int_equal(vg_htable_expire(t, 1049), 48); /* k1..k49 but k5 */
    assert_int_equal(vg_htable_count(t), 51);
    assert_non_null(vg_htable_get(t, "k5", 2));
    assert_null(vg_htable_get(t, "k49", 3));
    assert_non_null(vg_htable_get(t, "k50", 3));
    assert_int_equal(vg_htable_expire(t, INT64_MAX - 1), 51);
    assert_int_equal(vg_htable_count(t), 0);
    assert_int_equal(log.freed, 100);
    assert_int_equal(log.freed_sum, 99 * 100 / 2);
    /* Iteration reports the expiry. */
    vg_htable_put(t, "x", 1, -5, NULL);
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *k;
    size_t kl;
    void **v;
    int64_t exp;
    assert_true(vg_htable_next(t, &it, &k, &kl, &v, &exp));
    assert_int_equal(kl, 1);
    assert_memory_equal(k, "x", 1);
    assert_int_equal(exp, -5);
    assert_null(*v);
    assert_false(vg_htable_next(t, &it, &k, &kl, &v, &exp));
    assert_int_equal(vg_htable_expire(t, INT64_MIN), 0);
    assert_int_equal(vg_htable_expire(t, -5), 1);
    vg_htable_free(t);
}

static void test_admission_limit(void **state)
{
    (void)state;
    vg_htable *t = vg_htable_new_keyed(100, KEY, NULL, NULL);
    for (int i = 0; i < 100; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, "k%d", i);
        assert_non_null(vg_htable_put(t, k, (size_t)n, i, NULL));
    }
    bool created = true;
    assert_null(vg_htable_put(t, "new", 3, 0, &created));
    assert_false(created);
    assert_null(vg_htable_put(t, "new2", 4, 0, NULL));
    assert_int_equal(vg_htable_refused(t), 2);
    assert_int_equal(vg_htable_count(t), 100);
    /* Existing keys can still be updated when full. */
    assert_non_null(vg_htable_put(t, "k7", 2, 500, &created));
    assert_false(created);
    assert_int_equal(vg_htable_refused(t), 2);
    /* Capacity stops at the first power of two whose 3/4 holds the limit. */
    assert_int_equal(vg_htable_capacity(t), 256);
    /* Room again after an expiry pass. */
    assert_int_equal(vg_htable_expire(t, 9), 9); /* k0..k9 but the refreshed k7 */
    assert_non_null(vg_htable_put(t, "new", 3, 0, &created));
    assert_true(created);
    assert_int_equal(vg_htable_count(t), 92);
    /* A flood of distinct keys never grows the table. */
    for (int i = 0; i < 10000; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, "flood%d", i);
        vg_htable_put(t, k, (size_t)n, 0, NULL);
    }
    assert_int_equal(vg_htable_count(t), 100);
    assert_int_equal(vg_htable_capacity(t), 256);
    assert_int_equal(vg_htable_refused(t), 2 + 10000 - 8);
    vg_htable_free(t);

    /* A limit that fits the minimum capacity exactly. */
    t = vg_htable_new_keyed(12, KEY, NULL, NULL);
    for (int i = 0; i < 20; i++)
        vg_htable_put(t, &i, sizeof i, 0, NULL);
    assert_int_equal(vg_htable_count(t), 12);
    assert_int_equal(vg_htable_capacity(t), 16);
    assert_int_equal(vg_htable_refused(t), 8);
    vg_htable_free(t);
}

/* Fills `order` with the keys in iteration order (as ids); returns count. */
static size_t iter_ids(vg_htable *t, uint32_t *order, size_t max)
{
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *k;
    size_t kl, n = 0;
    while (vg_htable_next(t, &it, &k, &kl, NULL, NULL) && n < max) {
        uint32_t id;
        assert_int_equal(kl, sizeof id);
        memcpy(&id, k, sizeof id);
        order[n++] = id;
    }
    return n;
}

static void test_keyed_determinism(void **state)
{
    (void)state;
    uint8_t other[16];
    memcpy(other, KEY, 16);
    other[0] ^= 0x80;
    vg_htable *a = vg_htable_new_keyed(0, KEY, NULL, NULL);
    vg_htable *b = vg_htable_new_keyed(0, KEY, NULL, NULL);
    vg_htable *c = vg_htable_new_keyed(0, other, NULL, NULL);
    vg_htable *r = vg_htable_new(0, NULL, NULL); /* random key */
    for (uint32_t i = 0; i < 1000; i++) {
        vg_htable_put(a, &i, sizeof i, 0, NULL);
        vg_htable_put(b, &i, sizeof i, 0, NULL);
        vg_htable_put(c, &i, sizeof i, 0, NULL);
        vg_htable_put(r, &i, sizeof i, 0, NULL);
    }
    static uint32_t oa[1000], ob[1000], oc[1000], orr[1000];
    assert_int_equal(iter_ids(a, oa, 1000), 1000);
    assert_int_equal(iter_ids(b, ob, 1000), 1000);
    assert_int_equal(iter_ids(c, oc, 1000), 1000);
    assert_int_equal(iter_ids(r, orr, 1000), 1000);
    assert_memory_equal(oa, ob, sizeof oa);
    assert_memory_not_equal(oa, oc, sizeof oa);
    assert_memory_not_equal(oa, orr, sizeof oa);
    /* Every key appears exactly once. */
    static uint8_t seen[1000];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 1000; i++) {
        assert_true(oa[i] < 1000);
        assert_int_equal(seen[oa[i]]++, 0);
    }
    vg_htable_free(a);
    vg_htable_free(b);
    vg_htable_free(c);
    vg_htable_free(r);
}

/* ---- randomized model check -------------------------------------------------- */

typedef struct {
    bool present;
    int64_t expires;
    int64_t value; /* payload of the boxed value, or -1 for NULL */
} model_entry;

static uint64_t rng_state;
static uint64_t rnd(void)
{
    /* xorshift64*: fixed seed, reproducible. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static void check_full(vg_htable *t, const model_entry *m, uint32_t universe, size_t count)
{
    assert_int_equal(vg_htable_count(t), count);
    size_t seen = 0;
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *k;
    size_t kl;
    void **v;
    int64_t exp;
    while (vg_htable_next(t, &it, &k, &kl, &v, &exp)) {
        /* Recover the id from the key. */
        uint32_t id = 0;
        if (kl > 0) {
            assert_true(kl >= 4);
            const uint8_t *b = k;
            id = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                 (uint32_t)b[3] << 24;
        }
        assert_true(id < universe);
        assert_true(m[id].present);
        assert_int_equal(exp, m[id].expires);
        if (m[id].value < 0)
            assert_null(*v);
        else
            assert_int_equal(*(int64_t *)*v, m[id].value);
        seen++;
    }
    assert_int_equal(seen, count);
    /* And every model entry is reachable by lookup. */
    for (uint32_t id = 0; id < universe; id++) {
        uint8_t key[16];
        size_t kl2 = make_key(id, key);
        void **slot = vg_htable_get(t, key, kl2);
        assert_int_equal(slot != NULL, m[id].present);
    }
}

static void model_run(uint32_t universe, size_t max_entries, int ops, uint64_t seed)
{
    rng_state = seed;
    free_log log = {0};
    vg_htable *t = vg_htable_new_keyed(max_entries, KEY, free_val, &log);
    model_entry *m = calloc(universe, sizeof *m);
    size_t count = 0, refused = 0;
    int expected_frees = 0;
    int64_t now = 0;
    for (int op = 0; op < ops; op++) {
        uint32_t id = (uint32_t)(rnd() % universe);
        uint8_t key[16];
        size_t kl = make_key(id, key);
        unsigned r = (unsigned)(rnd() % 100);
        if (r < 45) { /* put, sometimes with a value */
            int64_t exp = now + (int64_t)(rnd() % 200);
            bool created;
            void **v = vg_htable_put(t, key, kl, exp, &created);
            if (!m[id].present && max_entries && count == max_entries) {
                assert_null(v);
                refused++;
                continue;
            }
            assert_non_null(v);
            assert_int_equal(created, !m[id].present);
            if (!m[id].present) {
                m[id].present = true;
                m[id].value = -1;
                count++;
            }
            m[id].expires = exp;
            if (rnd() % 2) {
                if (*v) {
                    free_val(*v, &log); /* the caller replaces its own value */
                    expected_frees++;
                }
                int64_t payload = (int64_t)(rnd() % 1000000);
                *v = box(payload);
                m[id].value = payload;
            }
        } else if (r < 70) { /* get */
            void **v = vg_htable_get(t, key, kl);
            assert_int_equal(v != NULL, m[id].present);
            if (v) {
                if (m[id].value < 0)
                    assert_null(*v);
                else
                    assert_int_equal(*(int64_t *)*v, m[id].value);
            }
        } else if (r < 90) { /* delete */
            bool had = vg_htable_del(t, key, kl);
            assert_int_equal(had, m[id].present);
            if (had) {
                if (m[id].value >= 0)
                    expected_frees++;
                m[id].present = false;
                count--;
            }
        } else if (r < 98) { /* time passes; expire */
            now += (int64_t)(rnd() % 40);
            size_t want = 0;
            for (uint32_t i = 0; i < universe; i++) {
                if (m[i].present && m[i].expires <= now) {
                    m[i].present = false;
                    if (m[i].value >= 0)
                        expected_frees++;
                    want++;
                }
            }
            assert_int_equal(vg_htable_expire(t, now), want);
            count -= want;
        } else if (rnd() % 4 == 0) { /* a full comparison, 0.5% of the time */
            check_full(t, m, universe, count);
        }
        assert_int_equal(vg_htable_count(t), count);
        assert_int_equal(vg_htable_refused(t), refused);
        assert_int_equal(log.freed, expected_frees);
    }
    check_full(t, m, universe, count);
    size_t cap = vg_htable_capacity(t);
    if (max_entries) {
        size_t lim = 16;
        while (lim / 4 * 3 < max_entries)
            lim *= 2;
        assert_true(cap <= lim);
    }
    int remaining = 0;
    for (uint32_t i = 0; i < universe; i++)
        remaining += m[i].present && m[i].value >= 0;
    vg_htable_free(t);
    assert_int_equal(log.freed, expected_frees + remaining);
    free(m);
}

static void test_model_large(void **state)
{
    (void)state;
    model_run(3000, 0, 100000, 0x9E3779B97F4A7C15ULL);
}

static void test_model_limited(void **state)
{
    (void)state;
    model_run(2000, 700, 100000, 12345);
}

static void test_model_tiny(void **state)
{
    (void)state;
    /* A 16-slot table at full load: long clusters that wrap around the end
     * of the array, the hard case for deleting during the expiry scan. */
    model_run(40, 12, 100000, 777);
    model_run(13, 12, 50000, 4242);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),          cmocka_unit_test(test_growth),
        cmocka_unit_test(test_expiry),         cmocka_unit_test(test_admission_limit),
        cmocka_unit_test(test_keyed_determinism), cmocka_unit_test(test_model_large),
        cmocka_unit_test(test_model_limited),  cmocka_unit_test(test_model_tiny),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
