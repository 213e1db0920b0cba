/* test_core_arena.c — vg_arena: alignment, block chaining, oversize blocks, reset, debug mode. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static void test_alignment_and_distinct(void **state)
{
    (void)state;
    vg_arena *a = vg_arena_new(1024);
    void *prev[64];
    for (size_t i = 0; i < 64; i++) {
        size_t n = (i * 7) % 23; /* includes 0 */
        unsigned char *p = vg_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)i, n);
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(p, prev[j]);
        prev[i] = p;
    }
    /* Everything written is still there: allocations do not overlap. */
    for (size_t i = 0; i < 64; i++) {
        size_t n = (i * 7) % 23;
        for (size_t k = 0; k < n; k++)
            assert_int_equal(((unsigned char *)prev[i])[k], i);
    }
    vg_arena_free(a);
}

static void test_used_and_reset(void **state)
{
    (void)state;
    vg_arena *a = vg_arena_new(0); /* default 64 KiB blocks */
    assert_int_equal(vg_arena_used(a), 0);
    vg_arena_alloc(a, 10);
    vg_arena_alloc(a, 100);
    assert_int_equal(vg_arena_used(a), 110);
    /* Spill into many blocks, and an oversize one. */
    for (int i = 0; i < 100; i++)
        memset(vg_arena_alloc(a, 4000), 0xAB, 4000);
    char *big = vg_arena_alloc(a, 1 << 20);
    memset(big, 1, 1 << 20);
    assert_int_equal(vg_arena_used(a), 110 + 400000 + (1 << 20));
    vg_arena_reset(a);
    assert_int_equal(vg_arena_used(a), 0);
    /* After reset the arena works as new, for several rounds. */
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 50; i++) {
            char *p = vg_arena_printf(a, "round %d item %d", round, i);
            char want[64];
            snprintf(want, sizeof want, "round %d item %d", round, i);
            assert_string_equal(p, want);
        }
        vg_arena_reset(a);
    }
    vg_arena_free(a);
    vg_arena_free(NULL);
}

static void test_oversize_keeps_head(void **state)
{
    (void)state;
    /* An oversize request must not waste the current block: the next small
     * allocation comes right after the previous small one. */
    vg_arena *a = vg_arena_new(256);
    if (getenv("VIGIL_ARENA_DEBUG")) {
        vg_arena_free(a);
        skip();
    }
    char *s1 = vg_arena_alloc(a, 16);
    char *big = vg_arena_alloc(a, 10000);
    char *s2 = vg_arena_alloc(a, 16);
    assert_true(big + 10000 <= s1 || big >= s1 + 16); /* no overlap */
    /* Same block: s2 follows s1 closely (16 bytes + alignment + any red zone). */
    assert_true(s2 > s1 && s2 - s1 <= 64);
    memset(big, 'x', 10000);
    memset(s1, 'a', 16);
    memset(s2, 'b', 16);
    assert_int_equal(big[9999], 'x');
    assert_int_equal(s1[15], 'a');
    /* A request of exactly the block size fits a standard block. */
    char *exact = vg_arena_alloc(a, 256);
    memset(exact, 'e', 256);
    vg_arena_free(a);
}

static void test_strings(void **state)
{
    (void)state;
    vg_arena *a = vg_arena_new(64);
    assert_string_equal(vg_arena_strdup(a, ""), "");
    assert_string_equal(vg_arena_strdup(a, "hello"), "hello");
    assert_string_equal(vg_arena_strndup(a, "hello", 3), "hel");
    assert_string_equal(vg_arena_strndup(a, "hi", 10), "hi"); /* stops at the NUL */
    assert_string_equal(vg_arena_strndup(a, NULL, 0), "");
    /* A view that is not NUL-terminated is read only up to n. */
    char raw[4] = {'a', 'b', 'c', 'd'};
    assert_string_equal(vg_arena_strndup(a, raw, 4), "abcd");
    char longer[300];
    memset(longer, 'z', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    char *p = vg_arena_printf(a, "<%s>", longer); /* larger than a block */
    assert_int_equal(strlen(p), 301);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[300], '>');
    assert_string_equal(vg_arena_printf(a, "%d-%s", 7, "x"), "7-x");
    assert_string_equal(vg_arena_printf(a, "%s", ""), "");
    /* either side of the one-pass buffer (512 bytes with the NUL) */
    char big[1200];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    for (int n = 509; n <= 514; n++) {
        p = vg_arena_printf(a, "[%.*s]", n, big);
        assert_int_equal(strlen(p), (size_t)n + 2);
        assert_int_equal(p[n + 1], ']');
    }
    p = vg_arena_printf(a, "%s%s", big, big);
    assert_int_equal(strlen(p), 2 * (sizeof big - 1));
    vg_arena_free(a);
}

static void test_arena_calloc(void **state)
{
    (void)state;
    vg_arena *a = vg_arena_new(128);
    /* Dirty the memory first so calloc must really zero it. */
    memset(vg_arena_alloc(a, 100), 0xFF, 100);
    vg_arena_reset(a);
    uint32_t *v = vg_arena_calloc(a, 25, sizeof(uint32_t));
    for (int i = 0; i < 25; i++)
        assert_int_equal(v[i], 0);
    uint64_t *w = vg_arena_calloc(a, 1000, sizeof(uint64_t)); /* oversize */
    for (int i = 0; i < 1000; i++)
        assert_true(w[i] == 0);
    assert_non_null(vg_arena_calloc(a, 0, 8));
    vg_arena_free(a);
}

static void test_many_blocks(void **state)
{
    (void)state;
    /* Random sizes against a checksum: catches overlapping allocations. */
    vg_arena *a = vg_arena_new(4096);
    uint64_t x = 88172645463325252ULL;
    enum { N = 20000 };
    unsigned char **ptrs = calloc(N, sizeof *ptrs);
    size_t *lens = calloc(N, sizeof *lens);
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        lens[i] = x % 9000; /* sometimes oversize */
        ptrs[i] = vg_arena_alloc(a, lens[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xFF, lens[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < lens[i]; k += 97)
            assert_int_equal(ptrs[i][k], i & 0xFF);
    free(ptrs);
    free(lens);
    vg_arena_free(a);
}

static void test_debug_mode(void **state)
{
    (void)state;
    /* VIGIL_ARENA_DEBUG is read when an arena is created. */
    const char *old = getenv("VIGIL_ARENA_DEBUG");
    setenv("VIGIL_ARENA_DEBUG", "1", 1);
    vg_arena *a = vg_arena_new(64);
    for (int i = 0; i < 100; i++) {
        char *p = vg_arena_alloc(a, (size_t)i);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 'x', (size_t)i);
    }
    assert_int_equal(vg_arena_used(a), 4950);
    assert_string_equal(vg_arena_printf(a, "%s-%d", "dbg", 1), "dbg-1");
    vg_arena_reset(a);
    assert_int_equal(vg_arena_used(a), 0);
    assert_string_equal(vg_arena_strdup(a, "again"), "again");
    vg_arena_free(a);
    if (old)
        setenv("VIGIL_ARENA_DEBUG", old, 1);
    else
        unsetenv("VIGIL_ARENA_DEBUG");
}

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
/* Under ASan an overrun of an arena allocation must trap even though the
 * bytes belong to the block: writes `n + over` bytes into an n-byte
 * allocation in a child process and expects it to die. */
static bool overrun_traps(size_t n, size_t over, bool debug)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        if (debug)
            setenv("VIGIL_ARENA_DEBUG", "1", 1);
        vg_arena *a = vg_arena_new(4096);
        vg_arena_alloc(a, 32);
        volatile char *p = vg_arena_alloc(a, n);
        vg_arena_alloc(a, 32);
        p[n + over - 1] = 1;
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
#endif

static void test_asan_sees_overruns(void **state)
{
    (void)state;
#ifdef HAVE_ASAN
    assert_true(overrun_traps(10, 1, false));  /* into the alignment padding */
    assert_true(overrun_traps(16, 1, false));  /* into the red zone */
    assert_true(overrun_traps(16, 8, false));
    assert_true(overrun_traps(100, 1, true));  /* debug mode: one malloc each */
    assert_false(overrun_traps(16, 0, false)); /* the control: last byte is fine */
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_distinct),
        cmocka_unit_test(test_used_and_reset),
        cmocka_unit_test(test_oversize_keeps_head),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_arena_calloc),
        cmocka_unit_test(test_many_blocks),
        cmocka_unit_test(test_debug_mode),
        cmocka_unit_test(test_asan_sees_overruns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
