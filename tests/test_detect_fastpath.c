/* test_detect_fastpath.c — the phishing engine's fast paths against slow references computed here:
 * the ASCII skeleton table against ICU's uspoof_getSkeletonUTF8 + NFKC case fold, the
 * eight-bytes-at-a-time text normalization against a byte-at-a-time one, the indexed look-alike
 * methods (visual-fold index, length-bucketed edit distance with its character-set filter,
 * boundary-segment subdomain lookup) against linear loops over every protected domain, the
 * strmap signature bits against the hash table alone, the per-engine host and display-name
 * caches against the tables, fresh engines and other orders, and the disk cache of the compiled
 * lexicon database (VIGIL_CACHE_DIR). A divergence fails with the shortest input that shows it. */
#include <ctype.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpsl.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

#include "testutil.h"
#include "vigil/detect_phish.h"
#include "vigil/yaml.h"

#include "../src/detect/phish_internal.h"

/* An organization with a real-looking and a reserved domain, a partner allowed to send for
 * DocuSign and one allowed to use a PayPal look-alike name (allowed_for). */
static const char CONFIG[] = "organizations:\n"
                             "  - id: helix\n"
                             "    name: Helix Biologics\n"
                             "    domains: [helixbio.example, helixbiologics.com]\n"
                             "    vip_names: [\"Dr. Maria Chen\", \"Paul Okafor\"]\n"
                             "mail:\n"
                             "  authserv_ids: [mx.helixbio.example]\n"
                             "  allow:\n"
                             "    - {brand: DocuSign, domain: partner-esign.example}\n"
                             "    - {brand: PayPal, domain: paypal-partner.com}\n";

static vg_yaml_doc *cfg_doc;
static vg_phish_engine *eng;  /* CONFIG */
static vg_phish_engine *bare; /* built-in data only */
static USpoofChecker *ref_spoof;

/* ---- small helpers ------------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Printable form of n bytes for failure messages (one of four rotating buffers). */
static const char *esc(const void *s, size_t n)
{
    static char bufs[4][1024];
    static unsigned r;
    char *b = bufs[r++ & 3];
    const unsigned char *p = s;
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < sizeof bufs[0]; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\\')
            b[k++] = (char)p[i];
        else
            k += (size_t)snprintf(b + k, 5, "\\x%02x", p[i]);
    }
    b[k] = 0;
    return b;
}

static vg_phish_engine *new_engine(bool with_config)
{
    vg_phish_engine *e = NULL;
    vg_error err;
    if (vg_phish_engine_new(&e, with_config ? vg_yaml_root(cfg_doc) : NULL, &err) != VG_OK)
        fail_msg("engine: %s", err.msg);
    return e;
}

/* ---- 1. skeletons --------------------------------------------------------------------------------- */

/* NFKC case fold with ICU (what ph_casefold documents), malloc'd. */
static char *ref_casefold(const char *s, int32_t n)
{
    static UChar u[4096], o[16384];
    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0;
    u_strFromUTF8WithSub(u, 4096, &ulen, s, n, 0xFFFD, NULL, &st);
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&st);
    int32_t olen = unorm2_normalize(nf, u, ulen, o, 16384, &st);
    assert_false(U_FAILURE(st));
    char *out = malloc((size_t)olen * 3 + 1);
    int32_t blen = 0;
    u_strToUTF8WithSub(out, olen * 3 + 1, &blen, o, olen, 0xFFFD, NULL, &st);
    assert_false(U_FAILURE(st));
    out[blen] = 0;
    return out;
}

/* UTS #39 skeleton by ICU, case-folded after (ICU maps 0 to O), malloc'd. */
static char *ref_skeleton(const char *s, size_t n)
{
    static char buf[16384];
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = uspoof_getSkeletonUTF8(ref_spoof, 0, s, (int32_t)n, buf, sizeof buf - 1, &st);
    assert_false(U_FAILURE(st));
    return ref_casefold(buf, len);
}

typedef struct skel_run {
    size_t cases, fails;
    char worst[64]; /* the shortest diverging input */
    size_t worst_len;
    char fast[256], ref[256];
} skel_run;

static void skel_case(skel_run *r, vg_arena *a, const char *s, size_t n)
{
    r->cases++;
    const char *fast = ph_skeleton(eng, a, s, n);
    char *ref = ref_skeleton(s, n);
    if (strcmp(fast, ref) != 0) {
        if (r->fails++ == 0 || n < r->worst_len) {
            r->worst_len = n < sizeof r->worst ? n : sizeof r->worst - 1;
            memcpy(r->worst, s, r->worst_len);
            snprintf(r->fast, sizeof r->fast, "%s", fast);
            snprintf(r->ref, sizeof r->ref, "%s", ref);
        }
    }
    free(ref);
}

static void test_skeleton_ascii_table(void **state)
{
    (void)state;
    double t0 = now_s();
    /* the table must actually serve ASCII, or the comparison below tests nothing */
    size_t in_table = 0;
    for (int ch = 0x20; ch < 0x7F; ch++)
        in_table += eng->skel_ascii_len[ch] != 0xFF;
    assert_true(in_table >= 90);
    assert_int_equal(eng->skel_ascii_len[0], 0xFF); /* NUL goes to ICU */

    skel_run r = {0};
    vg_arena *a = vg_arena_new(0);
    char s[64];
    /* every single character, control characters included */
    for (int ch = 1; ch < 0x80; ch++) {
        s[0] = (char)ch;
        skel_case(&r, a, s, 1);
    }
    /* every pair of printable characters */
    for (int x = 0x20; x < 0x7F; x++) {
        for (int y = 0x20; y < 0x7F; y++) {
            s[0] = (char)x;
            s[1] = (char)y;
            skel_case(&r, a, s, 2);
        }
        vg_arena_reset(a);
    }
    /* every triple of the characters host names swap */
    static const char conf[] = "01lIiLO0oQrnmMvVwWcdCD|-._ 5S8B";
    size_t nc = sizeof conf - 1;
    for (size_t x = 0; x < nc; x++) {
        for (size_t y = 0; y < nc; y++) {
            for (size_t z = 0; z < nc; z++) {
                s[0] = conf[x];
                s[1] = conf[y];
                s[2] = conf[z];
                skel_case(&r, a, s, 3);
            }
        }
        vg_arena_reset(a);
    }
    /* random printable strings of 1-48 characters */
    rng_state = 0x5EED0001;
    for (int i = 0; i < 2000; i++) {
        size_t n = 1 + rndn(48);
        for (size_t k = 0; k < n; k++)
            s[k] = (char)(0x20 + rndn(0x5F));
        skel_case(&r, a, s, n);
        if (i % 256 == 0)
            vg_arena_reset(a);
    }
    /* host labels and display names; a few non-ASCII ones take ICU's path in both */
    static const char *const words[] = {
        "paypal", "paypa1", "PayPal", "PAYPAL", "rnicrosoft", "microsoft", "MICROSOFT", "g00gle",
        "google", "1inkedin", "linkedin", "LinkedIn", "Iinkedin", "linkedln", "arnazon", "amazon",
        "vvellsfargo", "wellsfargo", "docusign", "d0cusign", "who.int", "who-int.org",
        "paypal.com.account-check.net", "xn--pypal-4ve.com", "helixbio.example", "heIixbio.example",
        "C o i n b a s e", "Microsoft 365 Team", "World Health Organization",
        "p\xd0\xb0ypal", "\xd0\xa0" "ay" "\xd0\xa0" "al", "g\xce\xbf\xce\xbfgle", "micro\xc5\xbfoft",
        "\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x99\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x8c", NULL};
    for (const char *const *w = words; *w; w++)
        skel_case(&r, a, *w, strlen(*w));
    skel_case(&r, a, "pay\0pal", 7); /* a NUL inside goes to ICU */
    skel_case(&r, a, "\0", 1);
    /* the confusions the look-alike rules rely on hold through the fast path */
    static const char *const same[][2] = {{"paypa1", "paypal"},   {"rnicrosoft", "microsoft"},
                                          {"g00gle", "google"},   {"1inkedin", "linkedin"},
                                          {"Iinkedin", "linkedin"}, {"PAYPAL", "paypal"},
                                          {"p\xd0\xb0ypal", "paypal"}};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        const char *x = ph_skeleton(eng, a, same[i][0], strlen(same[i][0]));
        const char *y = ph_skeleton(eng, a, same[i][1], strlen(same[i][1]));
        if (strcmp(x, y) != 0)
            fail_msg("skeleton(%s) = %s but skeleton(%s) = %s", same[i][0], x, same[i][1], y);
    }
    static const char *const differ[][2] = {{"paypal", "paypai"}, {"google", "gogle"}};
    for (size_t i = 0; i < sizeof differ / sizeof *differ; i++) {
        const char *x = ph_skeleton(eng, a, differ[i][0], strlen(differ[i][0]));
        const char *y = ph_skeleton(eng, a, differ[i][1], strlen(differ[i][1]));
        assert_string_not_equal(x, y);
    }
    vg_arena_free(a);
    fprintf(stderr, "skeleton: %zu inputs (%zu ASCII characters in the table), %zu diverge, %.0f ms\n",
            r.cases, in_table, r.fails, (now_s() - t0) * 1e3);
    if (r.fails)
        fail_msg("fast skeleton of \"%s\" is \"%s\", ICU + case fold gives \"%s\" (%zu inputs diverge)",
                 esc(r.worst, r.worst_len), esc(r.fast, strlen(r.fast)), esc(r.ref, strlen(r.ref)),
                 r.fails);
}

/* ---- 2. text normalization ------------------------------------------------------------------------- */

/* ph_normalize_text by its documentation, one byte at a time: ASCII capitals and the Latin-1
 * capitals U+00C0-U+00DE (not U+00D7) lower-cased; runs of space, \t \n \r \f \v and U+00A0
 * folded to one space, none at the start or the end; U+2018 and U+2019 to '; every other byte
 * copied. */
static size_t ref_normalize(const unsigned char *p, size_t n, unsigned char *out)
{
    size_t k = 0;
    bool space = false;
    for (size_t i = 0; i < n;) {
        unsigned char ch = p[i];
        size_t ws = 0;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v')
            ws = 1;
        else if (ch == 0xC2 && i + 1 < n && p[i + 1] == 0xA0)
            ws = 2;
        if (ws) {
            space = true;
            i += ws;
            continue;
        }
        if (space && k > 0)
            out[k++] = ' ';
        space = false;
        if (ch >= 'A' && ch <= 'Z') {
            out[k++] = (unsigned char)(ch + 32);
            i++;
        } else if (ch == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E && p[i + 1] != 0x97) {
            out[k++] = 0xC3;
            out[k++] = (unsigned char)(p[i + 1] + 0x20);
            i += 2;
        } else if (ch == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0x98 || p[i + 2] == 0x99)) {
            out[k++] = '\'';
            i += 3;
        } else {
            out[k++] = ch;
            i++;
        }
    }
    out[k] = 0;
    return k;
}

#define NORM_MAX 48
#define CANARY 0xA5

typedef struct norm_run {
    unsigned char *in[NORM_MAX + 1]; /* exactly n bytes each: ASan sees any read past the end */
    size_t cases, fails;
    unsigned char worst[NORM_MAX];
    size_t worst_len;
} norm_run;

static void norm_case(norm_run *r, const unsigned char *src, size_t n)
{
    unsigned char out[NORM_MAX + 1 + 16], ref[NORM_MAX + 1];
    memcpy(r->in[n], src, n);
    memset(out, CANARY, sizeof out);
    size_t k = ph_normalize_text((const char *)r->in[n], n, (char *)out);
    size_t rk = ref_normalize(src, n, ref);
    bool ok = k == rk && k <= n && memcmp(out, ref, rk + 1) == 0;
    for (size_t i = n + 1; i < sizeof out; i++)
        ok &= out[i] == CANARY; /* at most n + 1 bytes written */
    r->cases++;
    if (!ok && (r->fails++ == 0 || n < r->worst_len)) {
        memcpy(r->worst, src, n);
        r->worst_len = n;
    }
}

/* One byte of a random text: the classes the normalization treats differently, weighted. */
static size_t rand_piece(unsigned char *p)
{
    static const unsigned char edge[] = {'@', '[', '`', '{', 'A', 'Z', 'a', 'z', 0x1F, 0x20, 0x7E, 0x7F, 0};
    unsigned c = rndn(100);
    if (c < 28) {
        p[0] = (unsigned char)('a' + rndn(26));
    } else if (c < 40) {
        p[0] = (unsigned char)('A' + rndn(26));
    } else if (c < 52) {
        p[0] = ' ';
    } else if (c < 56) {
        static const char ws[] = "\t\n\r\f\v";
        p[0] = (unsigned char)ws[rndn(5)];
    } else if (c < 64) {
        p[0] = (unsigned char)(0x21 + rndn(0x5E));
    } else if (c < 70) {
        p[0] = edge[rndn(sizeof edge)];
    } else if (c < 72) {
        p[0] = (unsigned char)rndn(0x20);
    } else if (c < 76) {
        p[0] = 0xC2;
        p[1] = rndn(3) ? 0xA0 : (unsigned char)(0x80 + rndn(0x40));
        return 2;
    } else if (c < 81) {
        p[0] = 0xC3;
        p[1] = (unsigned char)(0x80 + rndn(0x40));
        return 2;
    } else if (c < 85) {
        p[0] = 0xE2;
        p[1] = 0x80;
        p[2] = rndn(3) ? (unsigned char)(0x98 + rndn(2)) : (unsigned char)(0x80 + rndn(0x40));
        return 3;
    } else {
        p[0] = (unsigned char)(0x80 + rndn(0x80));
    }
    return 1;
}

static void test_normalize_swar(void **state)
{
    (void)state;
    double t0 = now_s();
    norm_run r = {0};
    for (size_t n = 0; n <= NORM_MAX; n++)
        r.in[n] = malloc(n ? n : 1);
    unsigned char s[NORM_MAX + 4];
    rng_state = 0x5EED0002;
    /* random texts of 0-40 bytes in four mixes: uniform bytes, printable ASCII with spaces
     * (the eight-byte blocks), weighted classes, prose with one byte changed */
    for (int i = 0; i < 240000; i++) {
        size_t n = rndn(41);
        unsigned mode = (unsigned)i & 3;
        size_t k = 0;
        while (k < n) {
            if (mode == 0) {
                s[k++] = (unsigned char)rndn(256);
            } else if (mode == 1) {
                s[k++] = rndn(7) == 0 ? ' ' : (unsigned char)(0x21 + rndn(0x5E));
            } else if (mode == 2) {
                unsigned char piece[3];
                size_t pl = rand_piece(piece);
                for (size_t j = 0; j < pl && k < n; j++)
                    s[k++] = piece[j];
            } else {
                s[k] = (unsigned char)((k % 6 == 5) ? ' ' : 'a' + (k * 7 + (size_t)i) % 26);
                if (rndn(3) == 0)
                    s[k] = (unsigned char)(s[k] - 32 * (s[k] != ' '));
                k++;
            }
        }
        if (mode == 3 && n) /* one byte of another class (may spill past n: s has room) */
            (void)rand_piece(s + rndn((unsigned)n));
        norm_case(&r, s, n);
    }
    /* every byte value at every position of a 24-byte plain text */
    static const char plain[] = "Abcdefgh Ijklmnop Qrstuv";
    size_t pl = sizeof plain - 1;
    for (size_t pos = 0; pos < pl; pos++) {
        for (int b = 0; b < 256; b++) {
            memcpy(s, plain, pl);
            s[pos] = (unsigned char)b;
            norm_case(&r, s, pl);
        }
    }
    /* every pair of positions with the bytes at the edges of each class */
    static const unsigned char interesting[] = {' ', '\t', '\n', 0x0B, 0, 0x1F, 0x7F, 0x7E, 'A', 'Z',
                                                '@', '[', 'a', 0xC2, 0xA0, 0xC3, 0x97, 0x9E, 0x9F,
                                                0xE2, 0x80, 0x98, 0x99};
    size_t ni = sizeof interesting;
    for (size_t p1 = 0; p1 < pl; p1++) {
        for (size_t p2 = p1 + 1; p2 < pl; p2++) {
            for (size_t x = 0; x < ni; x++) {
                for (size_t y = 0; y < ni; y++) {
                    memcpy(s, plain, pl);
                    s[p1] = interesting[x];
                    s[p2] = interesting[y];
                    norm_case(&r, s, pl);
                }
            }
        }
    }
    for (size_t n = 0; n <= NORM_MAX; n++)
        free(r.in[n]);
    fprintf(stderr, "normalize: %zu inputs, %zu diverge, %.0f ms\n", r.cases, r.fails,
            (now_s() - t0) * 1e3);
    if (r.fails) {
        unsigned char out[NORM_MAX + 1 + 16], ref[NORM_MAX + 1];
        size_t k = ph_normalize_text((const char *)r.worst, r.worst_len, (char *)out);
        size_t rk = ref_normalize(r.worst, r.worst_len, ref);
        fail_msg("ph_normalize_text(\"%s\") = \"%s\" (%zu), byte-at-a-time gives \"%s\" (%zu); %zu inputs "
                 "diverge",
                 esc(r.worst, r.worst_len), esc(out, k), k, esc(ref, rk), rk, r.fails);
    }
    assert_true(r.cases >= 200000);
}

/* ---- 3. look-alike domains: the indexed methods against linear loops ---------------------------------- */

/* The slow reference of phish_domain.c's look-alike test, written from its documented rules
 * (the file's header comment) as the engine did before the indexes: every protected domain in
 * index order, hash tables read without the strmap signature bits, host facts looked up in each
 * table in turn, skeletons by ICU. */

/* The reference of a strmap: a vg_htable holding its entries (read with
 * ph_strmap_at, built on first use; ref_forget() after the map changes). */
typedef struct ref_mirror {
    const strmap *m;
    vg_htable *t;
} ref_mirror;
static ref_mirror mirrors[256];

static vg_htable *ref_table(const strmap *m)
{
    size_t i = 0;
    while (i < 256 && mirrors[i].m && mirrors[i].m != m)
        i++;
    assert_true(i < 256);
    if (mirrors[i].m)
        return mirrors[i].t;
    vg_htable *t = vg_htable_new(0, NULL, NULL);
    const char *k;
    size_t kl;
    intptr_t v;
    for (size_t j = 0; j < m->cap; j++) {
        bool created;
        if (ph_strmap_at(m, j, &k, &kl, &v)) {
            void **slot = vg_htable_put(t, k, kl, INT64_MAX, &created);
            assert_true(created); /* every key once */
            *slot = (void *)v;
        }
    }
    assert_int_equal(vg_htable_count(t), m->n);
    mirrors[i] = (ref_mirror){m, t};
    return t;
}

static void ref_forget(const strmap *m)
{
    for (size_t i = 0; i < 256 && mirrors[i].m; i++) {
        if (mirrors[i].m == m) {
            vg_htable_free(mirrors[i].t);
            memmove(&mirrors[i], &mirrors[i + 1], (255 - i) * sizeof *mirrors);
            mirrors[255] = (ref_mirror){NULL, NULL};
            return;
        }
    }
}

/* Frees an engine and the mirrors of its maps (a later engine may be
 * allocated at the same address). */
static void engine_free(vg_phish_engine *e)
{
    for (size_t i = 0; i < 256 && mirrors[i].m; i++)
        vg_htable_free(mirrors[i].t);
    memset(mirrors, 0, sizeof mirrors);
    vg_phish_engine_free(e);
}

static bool rget(const strmap *m, const char *k, size_t n, intptr_t *v)
{
    void **s = vg_htable_get(ref_table(m), k, n);
    if (!s)
        return false;
    if (v)
        *v = (intptr_t)*s;
    return true;
}

static int ref_parents(const strmap *m, const char *host)
{
    for (const char *p = host; p && *p;) {
        intptr_t v;
        if (rget(m, p, strlen(p), &v))
            return (int)v;
        p = strchr(p, '.');
        if (p)
            p++;
    }
    return -1;
}

static const char *ref_url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *s = strpbrk(p, "/?#");
    return s && *s == '/' ? s : "";
}

/* A host list: the host or a parent is an entry, else an entry with a path on the host or a
 * parent prefixes the URL's path. */
static bool ref_list_match(const hostlist *h, const char *host, const char *url, int *aux)
{
    if (!host || !*host)
        return false;
    for (const char *p = host;;) {
        intptr_t v;
        if (rget(&h->hosts, p, strlen(p), &v)) {
            if (aux)
                *aux = (int)v;
            return true;
        }
        const char *dot = strchr(p, '.');
        if (!dot)
            break;
        p = dot + 1;
    }
    if (h->n_path && url) {
        const char *path = ref_url_path(url);
        size_t hl = strlen(host);
        for (size_t i = 0; i < h->n_path; i++) {
            size_t el = strlen(h->path_host[i]);
            bool host_ok = (hl == el && strcmp(host, h->path_host[i]) == 0) ||
                           (hl > el && host[hl - el - 1] == '.' && strcmp(host + hl - el, h->path_host[i]) == 0);
            if (host_ok && strncasecmp(path, h->path_prefix[i], strlen(h->path_prefix[i])) == 0) {
                if (aux)
                    *aux = h->aux[i];
                return true;
            }
        }
    }
    return false;
}

static bool ref_known(const vg_phish_engine *e, const char *host)
{
    for (int l = 0; l < PH_L__COUNT; l++) {
        if (ref_list_match(e->lists[l], host, NULL, NULL))
            return true;
    }
    return false;
}

static const char *ref_reg(vg_arena *a, const char *host)
{
    if (!host || !*host)
        return "";
    const char *r = psl_registrable_domain(psl_builtin(), host);
    return vg_arena_strdup(a, r ? r : host);
}

static const char *ref_skel(vg_arena *a, const char *s, size_t n)
{
    char *r = ref_skeleton(s, n > 1024 ? 1024 : n);
    const char *out = vg_arena_strdup(a, r);
    free(r);
    return out;
}

/* Skeleton maps of the protected domains built with ICU (the engine builds its own with the
 * fast skeleton): first index wins, as in the engine. */
typedef struct ref_tables {
    vg_htable *skel, *label_skel;
    char (*fold)[64]; /* visual fold of each protected label (swap method) */
    size_t *fold_len;
} ref_tables;

static size_t ref_visual_fold(const char *s, size_t n, char *out, size_t cap);

static void ref_put_first(vg_htable *t, const char *k, intptr_t v)
{
    bool created = false;
    void **slot = vg_htable_put(t, k, strlen(k), INT64_MAX, &created);
    if (slot && created)
        *slot = (void *)v;
}

static ref_tables ref_tables_build(const vg_phish_engine *e)
{
    ref_tables t = {vg_htable_new(0, NULL, NULL), vg_htable_new(0, NULL, NULL),
                    vg_xcalloc(e->n_prot, sizeof *t.fold), vg_xcalloc(e->n_prot, sizeof *t.fold_len)};
    vg_arena *a = vg_arena_new(0);
    for (size_t i = 0; i < e->n_prot; i++) {
        const ph_protected *p = &e->prot[i];
        t.fold_len[i] = ref_visual_fold(p->label, strlen(p->label), t.fold[i], sizeof t.fold[i]);
        ref_put_first(t.skel, ref_skel(a, p->domain, strlen(p->domain)), (intptr_t)i);
        ref_put_first(t.label_skel, ref_skel(a, p->label, strlen(p->label)), (intptr_t)i);
    }
    vg_arena_free(a);
    return t;
}

static void ref_tables_free(ref_tables *t)
{
    vg_htable_free(t->skel);
    vg_htable_free(t->label_skel);
    free(t->fold);
    free(t->fold_len);
}

static bool ref_strict(const vg_phish_engine *e, int prot)
{
    int b = e->prot[prot].brand;
    return b >= 0 && e->brands[b].strict;
}

static int ref_budget(size_t len) { return len < 5 ? 0 : len <= 8 ? 1 : 2; }

/* Optimal string alignment distance, or max + 1 once a whole row is above max. */
static int ref_osa(const char *a, size_t n, const char *b, size_t m, int max)
{
    static int d[64][64];
    if (n > 63 || m > 63)
        return max + 1; /* the engine compares labels of at most 63 letters */
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int rowmin = d[i][0];
        for (size_t j = 1; j <= m; j++) {
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + (a[i - 1] != b[j - 1]) < v)
                v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[n][m];
}

static size_t ref_visual_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        char ch = (char)tolower((unsigned char)s[i]);
        char nx = i + 1 < n ? (char)tolower((unsigned char)s[i + 1]) : 0;
        if (ch == 'i' || ch == '1' || ch == '|') {
            ch = 'l';
        } else if (ch == '0') {
            ch = 'o';
        } else if (ch == 'r' && nx == 'n') {
            ch = 'm';
            i++;
        } else if (ch == 'v' && nx == 'v') {
            ch = 'w';
            i++;
        } else if (ch == 'c' && nx == 'l') {
            ch = 'd';
            i++;
        }
        out[k++] = ch;
    }
    out[k] = 0;
    return k;
}

/* The words phishing domains glue to a brand (phish_domain.c's list). */
static bool ref_phishy_word(const char *w, size_t n)
{
    static const char *const words[] = {
        "secure", "security", "login", "logon", "signin", "sign", "verify", "verification",
        "account", "accounts", "support", "service", "services", "update", "help", "online",
        "billing", "auth", "id", "team", "mail", "app", "web", "center", "centre", "confirm",
        "alert", "alerts", "notice", "info", "customer", "care", "portal", "access", "wallet",
        "pay", "payment", "payments", "bank", "banking", "official", "group", "helpdesk",
        "check", "safe", "safety", "recovery", "unlock", "validate", "validation", "client",
        "clients", "us", "usa", "uk", "inc", "corp", "hr", "jobs", "careers", "career",
        "recruit", "recruiting", "recruitment", "hiring", "notification", "notifications",
        "document", "documents", "docs", "file", "files", "share", "drive", "cloud", "office",
        "outlook", "mailbox", "webmail", "my", "www", "net", "int", "org", "global", "news",
        "express", "delivery", "parcel", "tracking", "track", "ship", "shipping", "post",
        "invoice", "refund", "reward", "rewards", "bonus", "gift", "promo", "covid", "vaccine",
        "health", "relief", "fund", "grant", "claim", "now", "live", "system", "systems", NULL};
    for (const char *const *p = words; *p; p++) {
        if (strlen(*p) == n && strncmp(*p, w, n) == 0)
            return true;
    }
    return false;
}

/* Brand + word: a hyphen token of 4+ letters is a protected label (the other tokens phishy
 * words for a strict brand), a 2-3 letter protected label followed by its suffix spelled with
 * hyphens, or a 5+ letter protected label and a phishy word of 4+ letters glued together. */
static bool ref_word_match(const vg_phish_engine *e, const char *label, size_t ll, int *prot, bool *phishy)
{
    *phishy = false;
    if (memchr(label, '-', ll)) {
        for (size_t i = 0; i < ll;) {
            size_t j = i;
            while (j < ll && label[j] != '-')
                j++;
            intptr_t v;
            /* a 2-3 letter label counts only followed by its own suffix, dots as
             * hyphens ("who-int", "who-int-covid") */
            if (j - i >= 2 && j - i < 4 && j < ll && rget(&e->prot_labels, label + i, j - i, &v)) {
                char dashed[64];
                snprintf(dashed, sizeof dashed, "%s", e->prot[v].suffix ? e->prot[v].suffix : "");
                for (char *q = dashed; *q; q++)
                    if (*q == '.')
                        *q = '-';
                size_t dl = strlen(dashed), rest = ll - j - 1;
                if (dl && dl <= rest && strncmp(label + j + 1, dashed, dl) == 0 &&
                    (dl == rest || label[j + 1 + dl] == '-')) {
                    *prot = (int)v;
                    *phishy = true;
                    return true;
                }
            }
            if (j - i >= 4 && rget(&e->prot_labels, label + i, j - i, &v)) {
                bool ok = true, any_phishy = false;
                for (size_t k = 0; k < ll;) {
                    size_t t = k;
                    while (t < ll && label[t] != '-')
                        t++;
                    if (k != i) {
                        bool ph = ref_phishy_word(label + k, t - k);
                        any_phishy |= ph;
                        if (ref_strict(e, (int)v) && !ph)
                            ok = false;
                    }
                    k = t + 1;
                }
                if (ok) {
                    *prot = (int)v;
                    *phishy = any_phishy;
                    return true;
                }
            }
            i = j + 1;
        }
    }
    for (size_t cut = 4; cut + 4 <= ll; cut++) {
        intptr_t v;
        if (cut >= 5 && rget(&e->prot_labels, label, cut, &v) && ref_phishy_word(label + cut, ll - cut)) {
            *prot = (int)v;
            *phishy = true;
            return true;
        }
        if (ll - cut >= 5 && rget(&e->prot_labels, label + cut, ll - cut, &v) && ref_phishy_word(label, cut)) {
            *prot = (int)v;
            *phishy = true;
            return true;
        }
    }
    return false;
}

static bool ref_compute(const vg_phish_engine *e, const ref_tables *rt, vg_arena *a, const char *host,
                        ph_lookalike *out)
{
    const char *reg = ref_reg(a, host);
    if (ref_parents(&e->brand_domains, reg) >= 0 || ref_parents(&e->org_domains, reg) >= 0 ||
        ref_parents(&e->brand_domains, host) >= 0)
        return false;
    if (ref_known(e, host))
        return false;
    if (*reg && rget(&e->freemail, reg, strlen(reg), NULL))
        return false;
    const char *label, *suffix;
    size_t ll;
    ph_split_reg(reg, &label, &ll, &suffix);
    if (ll == 0 || !*suffix)
        return false;
    const char *ureg = ph_unicode_host(a, reg);
    bool idn = ureg != reg;
    intptr_t v;
    /* 1. confusable: same skeleton as a protected registrable domain */
    const char *sk = ref_skel(a, ureg, strlen(ureg));
    void **slot = vg_htable_get(rt->skel, sk, strlen(sk));
    if (slot && strcmp(e->prot[(intptr_t)*slot].domain, reg) != 0) {
        out->prot = (int)(intptr_t)*slot;
        out->method = idn ? LA_IDN : LA_CONFUSABLE;
        for (const char *p = reg; *p && !idn; p++) {
            if (*p >= '0' && *p <= '9')
                out->method = LA_SWAP;
        }
        return true;
    }
    /* 2. same label (or label skeleton), another suffix */
    size_t ull = strcspn(ureg, ".");
    const char *lsk = ref_skel(a, ureg, ull);
    slot = vg_htable_get(rt->label_skel, lsk, strlen(lsk));
    if (slot) {
        const ph_protected *p = &e->prot[(intptr_t)*slot];
        bool same_label = strlen(p->label) == ll && strncmp(p->label, label, ll) == 0;
        if (strcmp(p->suffix, suffix) != 0) {
            out->prot = (int)(intptr_t)*slot;
            out->method = same_label ? LA_TLD : (idn ? LA_IDN : LA_SWAP);
            return true;
        }
    }
    /* 3. swap: a label or hyphen word of the host (suffix excluded) of 5-63 letters whose
     * visual fold is a protected label's that it does not spell exactly; first in index order */
    size_t hl = strlen(host), sl = strlen(suffix);
    if (!idn && hl > sl + 1) {
        size_t name_len = hl - sl - 1;
        for (size_t i = 0; i < name_len;) {
            size_t j = i;
            while (j < name_len && host[j] != '.' && host[j] != '-')
                j++;
            size_t tl = j - i;
            if (tl >= 5 && tl < 64) {
                char ft[64];
                size_t fl = ref_visual_fold(host + i, tl, ft, sizeof ft);
                for (size_t p = 0; p < e->n_prot; p++) {
                    const char *lab = e->prot[p].label;
                    size_t pl = strlen(lab);
                    if (pl < 5 || pl >= 64 || ref_strict(e, (int)p) || (pl == tl && strncmp(lab, host + i, tl) == 0))
                        continue;
                    if (rt->fold_len[p] == fl && memcmp(rt->fold[p], ft, fl) == 0) {
                        out->prot = (int)p;
                        out->method = LA_SWAP;
                        return true;
                    }
                }
            }
            i = j + 1;
        }
    }
    /* 4. edit: the closest label within both labels' budgets, lowest index on ties */
    int budget = ref_budget(ll);
    if (budget > 0 && !idn) {
        int best = budget + 1, besti = -1;
        for (size_t i = 0; i < e->n_prot; i++) {
            const ph_protected *p = &e->prot[i];
            size_t pl = strlen(p->label);
            int pb = ref_budget(pl);
            int lim = pb < budget ? pb : budget;
            if (lim == 0 || ref_strict(e, (int)i) || (pl > ll ? pl - ll : ll - pl) > (size_t)lim)
                continue; /* no fewer edits than the difference in length */
            int d = ref_osa(label, ll, p->label, pl, lim);
            if (d > 0 && d <= lim && d < best) {
                best = d;
                besti = (int)i;
            }
        }
        if (besti >= 0) {
            out->prot = besti;
            out->method = LA_EDIT;
            out->distance = best;
            return true;
        }
    }
    /* 5. subdomain: the first protected domain (index order) whose first occurrence in the host
     * stands inside the subdomain part between '.'/'-' boundaries; else a 5+ letter subdomain
     * label that is a protected label, or a 6+ letter one that is brand + word */
    size_t rl = strlen(reg);
    if (hl > rl + 1) {
        size_t sub_len = hl - rl - 1;
        const char *sub = host;
        for (size_t i = 0; i < e->n_prot; i++) {
            const char *pd = e->prot[i].domain;
            size_t pdl = strlen(pd);
            const char *hit = pdl < sub_len + 1 ? strstr(sub, pd) : NULL;
            if (hit && hit + pdl <= sub + sub_len && (hit == sub || hit[-1] == '.' || hit[-1] == '-') &&
                (hit[pdl] == '.' || hit[pdl] == '-')) {
                out->prot = (int)i;
                out->method = LA_SUBDOMAIN;
                out->distance = 1;
                return true;
            }
        }
        for (size_t i = 0; i < sub_len;) {
            size_t j = i;
            while (j < sub_len && sub[j] != '.')
                j++;
            if (j - i >= 5 && rget(&e->prot_labels, sub + i, j - i, &v) && !ref_strict(e, (int)v)) {
                out->prot = (int)v;
                out->method = LA_SUBDOMAIN;
                return true;
            }
            int pw;
            bool ph;
            if (j - i >= 6 && ref_word_match(e, sub + i, j - i, &pw, &ph) && !ref_strict(e, pw)) {
                out->prot = pw;
                out->method = LA_SUBDOMAIN;
                return true;
            }
            i = j + 1;
        }
    }
    /* 6. brand + word */
    int pw;
    bool phishy;
    if (ref_word_match(e, label, ll, &pw, &phishy)) {
        out->prot = pw;
        out->method = LA_WORD;
        out->distance = phishy ? 1 : 0;
        return true;
    }
    return false;
}

static bool ref_check(const vg_phish_engine *e, const ref_tables *rt, vg_arena *a, const char *host,
                      ph_lookalike *out)
{
    memset(out, 0, sizeof *out);
    out->prot = -1;
    if (!host || !*host || strlen(host) > 253)
        return false;
    ph_lookalike r = {LA_NONE, -1, 0};
    if (!ref_compute(e, rt, a, host, &r))
        return false;
    *out = r;
    int b = e->prot[r.prot].brand;
    if (b >= 0) {
        char key[512];
        snprintf(key, sizeof key, "%d|%s", b, ref_reg(a, host));
        if (rget(&e->allow, key, strlen(key), NULL))
            return false;
    }
    return true;
}

/* The engine's answer through its cache (ph_lookalike_check with a bare context). */
static bool eng_check(vg_phish_engine *e, vg_arena *a, const char *host, ph_lookalike *out)
{
    ph_ctx c;
    memset(&c, 0, sizeof c);
    c.eng = e;
    c.a = a;
    c.from_domain = c.from_reg = "";
    c.from_brand = c.from_org = c.rcpt_org = c.claimed_brand = c.claimed_brand_any = c.lure_best = -1;
    return ph_lookalike_check(&c, host, out);
}

static const char *owner(const vg_phish_engine *e, int prot)
{
    if (prot < 0)
        return "-";
    const ph_protected *p = &e->prot[prot];
    return p->brand >= 0 ? e->brands[p->brand].name : p->org >= 0 ? e->orgs[p->org].id : "?";
}

static const char *look_text(const vg_phish_engine *e, bool hit, const ph_lookalike *l)
{
    static char bufs[2][256];
    static unsigned r;
    char *b = bufs[r++ & 1];
    if (!hit)
        return "not a look-alike";
    snprintf(b, 256, "method %d (%s) of %s [%s], distance %d", (int)l->method, ph_look_method_text(l->method),
             e->prot[l->prot].domain, owner(e, l->prot), l->distance);
    return b;
}

/* Host names around every protected domain: edits, swaps, words, subdomains, other suffixes;
 * then unrelated and very short ones. */
typedef struct hostset {
    char **v;
    size_t n, cap;
} hostset;

static void hs_add(hostset *s, const char *h)
{
    if (!*h || strlen(h) > 253)
        return;
    s->v = vg_xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = vg_xstrdup(h);
}

static void hs_free(hostset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static const char *const SUFFIXES[] = {"com", "net", "org", "co", "info", "xyz", "co.uk", "com.br", "io", "fr"};
#define N_SUFFIXES (sizeof SUFFIXES / sizeof *SUFFIXES)

static void random_edit(char *l, size_t cap)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
    size_t n = strlen(l);
    unsigned op = rndn(4);
    if (n < 2)
        op = 1;
    size_t at = rndn((unsigned)(n ? n : 1));
    if (op == 0) { /* delete */
        memmove(l + at, l + at + 1, n - at);
    } else if (op == 1 && n + 2 < cap) { /* insert */
        memmove(l + at + 1, l + at, n - at + 1);
        l[at] = alpha[rndn(sizeof alpha - 2)];
    } else if (op == 2) { /* substitute */
        l[at] = alpha[rndn(sizeof alpha - 2)];
    } else if (at + 1 < n) { /* transpose */
        char t = l[at];
        l[at] = l[at + 1];
        l[at + 1] = t;
    }
}

static void swap_chars(const char *l, char *out, size_t cap)
{
    static const char *const from[] = {"o", "l", "i", "m", "w", "d", "l", "i"};
    static const char *const to[] = {"0", "1", "1", "rn", "vv", "cl", "i", "l"};
    size_t k = rndn(8);
    const char *hit = strstr(l, from[k]);
    if (!hit) {
        snprintf(out, cap, "%s", l);
        return;
    }
    snprintf(out, cap, "%.*s%s%s", (int)(hit - l), l, to[k], hit + strlen(from[k]));
}

static void build_hosts(const vg_phish_engine *e, hostset *s)
{
    char h[600], l[128], w[128];
    static const char *const words[] = {"secure", "login", "account", "support", "verify", "jobs",
                                        "team", "portal", "update", "online", "careers", "billing",
                                        "partner", "blog", "store", "group", "news"};
    size_t nw = sizeof words / sizeof *words;
    for (size_t i = 0; i < e->n_prot; i++) {
        const ph_protected *p = &e->prot[i];
        const char *L = p->label, *S = *p->suffix ? p->suffix : "com", *D = p->domain;
        const char *R = SUFFIXES[rndn(N_SUFFIXES)];
        const char *W = words[rndn((unsigned)nw)];
        /* its own names: never look-alikes */
        hs_add(s, D);
        snprintf(h, sizeof h, "www.%s", D);
        hs_add(s, h);
        snprintf(h, sizeof h, "mail.eu.%s", D);
        hs_add(s, h);
        /* edits at distance 1 and 2, same or another suffix */
        for (int k = 0; k < 4; k++) {
            snprintf(l, sizeof l, "%s", L);
            random_edit(l, sizeof l);
            if (k >= 2)
                random_edit(l, sizeof l);
            snprintf(h, sizeof h, "%s.%s", l, k & 1 ? R : S);
            hs_add(s, h);
        }
        /* look-alike letters and digits, in the label, in a subdomain, in a hyphen word */
        swap_chars(L, l, sizeof l);
        snprintf(h, sizeof h, "%s.%s", l, S);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s.%s", l, R);
        hs_add(s, h);
        snprintf(h, sizeof h, "careers.%s-%s.com", W, l);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s.portal-%s.net", l, W);
        hs_add(s, h);
        /* the brand as a subdomain, with words, another suffix */
        snprintf(h, sizeof h, "%s.account-check.net", D);
        hs_add(s, h);
        snprintf(h, sizeof h, "login-%s-%s.example-host.com", D, W);
        hs_add(s, h);
        snprintf(h, sizeof h, "login.%s-%s.com", D, W); /* the domain runs into the registrable one */
        hs_add(s, h);
        snprintf(h, sizeof h, "%s.evil-host.ru", L);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s-%s.evil.com", L, W);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s-%s.%s", L, W, R);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s-%s.%s", W, L, S);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s%s.com", L, W);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s%s.net", W, L);
        hs_add(s, h);
        snprintf(h, sizeof h, "%s.%s", L, R);
        hs_add(s, h);
        /* a digit in place of a letter */
        snprintf(w, sizeof w, "%s", L);
        if (strlen(w) > 2)
            w[strlen(w) / 2] = (char)('0' + rndn(10));
        snprintf(h, sizeof h, "%s.%s", w, S);
        hs_add(s, h);
    }
    /* unrelated names, very short labels, odd shapes */
    static const char *const fixed[] = {
        "wikipedia.org", "nature.com", "bbc.co.uk", "ox.ac.uk", "univ-lyon.fr", "univ-lyon.example",
        "who-cc.univ-lyon.fr", "whocc.univ-lyon.example", "who.univ-lyon.fr", "who.int", "who-int.org",
        "who.org", "who.com", "paho.org", "www.who.int", "apps.who.int", "abc.com", "ibm.com", "xyz.org",
        "ups.com", "dhl.de", "ab.io", "a.com", "x.y.z.example", "linkedin.com", "www.linkedin.com",
        "e.linkedin.com", "news.linkedin.com", "licdn.com", "media.licdn.com", "lnkd.in",
        "docusign.net", "na3.docusign.net", "partner-esign.example", "paypal-partner.com",
        "sendgrid.net", "u123.ct.sendgrid.net", "greenhouse.io", "boards.greenhouse.io",
        "mailchimp.com", "list-manage.com", "gmail.com", "mail.google.com", "outlook.com",
        "yandex.ru", "bit.ly", "sites.google.com", "docs.google.com", "forms.gle",
        "nam02.safelinks.protection.outlook.com", "urldefense.com", "helixbio.example",
        "helixbiologics.com", "heiixbio.example", "helixbi0.example", "helixbio-secure.com",
        "helixbiologics.net", "helixbiologlcs.com", "helix-biologics.com", "mail.helixbiologics.com",
        "paypa1.com", "paypal.com", "paypal.com.account-check.net", "rnicrosoft.com", "g00gle.com",
        "1inkedin.com", "linkedln.com", "careers.careers-linkedln.com", "xn--pypal-4ve.com",
        "xn--80ak6aa92e.com", "paypal.com.", "paypal..com", "-paypal.com", "paypal-.com",
        "paypal.com-secure.net", "secure.paypal.com.evil.co.uk", "paypal.co.uk.evil.com",
        "amazon.co.uk.evil.com", "amazon-co-uk.evil.com", "localhost", "com", "co.uk", "github.io",
        "paypal.github.io", "paypal", NULL};
    for (const char *const *f = fixed; *f; f++)
        hs_add(s, *f);
    for (int i = 0; i < 600; i++) {
        size_t n = 1 + rndn(i < 200 ? 4 : 16);
        for (size_t k = 0; k < n; k++)
            l[k] = (char)('a' + rndn(26));
        l[n] = 0;
        snprintf(h, sizeof h, "%s%s.%s", rndn(3) ? "" : "mx.", l, SUFFIXES[rndn(N_SUFFIXES)]);
        hs_add(s, h);
    }
}

typedef struct look_run {
    size_t cases, hits, fails;
    char worst[256];
    char why[600];
} look_run;

static void look_compare(look_run *r, vg_phish_engine *e, const ref_tables *rt, vg_arena *a, const char *host)
{
    ph_lookalike got, want;
    bool g = eng_check(e, a, host, &got);
    bool w = ref_check(e, rt, a, host, &want);
    bool g2 = eng_check(e, a, host, &got); /* again, from the cache */
    r->cases++;
    r->hits += w;
    bool same = g == w && g2 == g &&
                (!g || (got.method == want.method && got.prot == want.prot && got.distance == want.distance));
    if (!same && (r->fails++ == 0 || strlen(host) < strlen(r->worst))) {
        snprintf(r->worst, sizeof r->worst, "%s", host);
        snprintf(r->why, sizeof r->why, "engine: %s; reference: %s", look_text(e, g, &got), look_text(e, w, &want));
    }
}

static void test_lookalike_index(void **state)
{
    (void)state;
    double t0 = now_s();
    vg_phish_engine *engines[2] = {eng, bare};
    size_t total = 0, hits = 0;
    for (int k = 0; k < 2; k++) {
        vg_phish_engine *e = engines[k];
        /* the indexes exist and cover the protected labels */
        assert_true(e->n_prot > 100);
        assert_true(e->edit_at[65] > 50);
        assert_true(e->prot_domain_max >= 10);
        ref_tables rt = ref_tables_build(e);
        hostset hs = {0};
        rng_state = 0x5EED0003 + (uint64_t)k;
        build_hosts(e, &hs);
        vg_arena *a = vg_arena_new(0);
        look_run r = {0};
        for (size_t i = 0; i < hs.n; i += k ? 3 : 1) { /* the bare engine: every third host */
            look_compare(&r, e, &rt, a, hs.v[i]);
            if (i % 64 == 0)
                vg_arena_reset(a);
        }
        fprintf(stderr, "look-alike (%s engine): %zu hosts, %zu look-alikes by the reference, %zu diverge\n",
                k ? "bare" : "config", r.cases, r.hits, r.fails);
        total += r.cases;
        hits += r.hits;
        vg_arena_free(a);
        hs_free(&hs);
        ref_tables_free(&rt);
        if (r.fails)
            fail_msg("look-alike of \"%s\": %s (%zu hosts diverge)", r.worst, r.why, r.fails);
        /* a real share of both answers, or the comparison proves little */
        assert_true(r.hits > r.cases / 4);
        assert_true(r.hits < r.cases * 9 / 10);
    }
    fprintf(stderr, "look-alike: %zu comparisons, %zu positive, %.0f ms\n", total, hits, (now_s() - t0) * 1e3);
}

/* Expected verdicts, positives and known false-positive shapes (config engine). owner: brand name
 * or organization id, NULL for "not a look-alike"; method LA_NONE: any. */
static void test_lookalike_table(void **state)
{
    (void)state;
    static const struct {
        const char *host, *owner;
        ph_look_method method;
    } cases[] = {
        {"paypa1.com", "PayPal", LA_SWAP},
        {"paypal.com", NULL, LA_NONE},
        {"www.paypal.com", NULL, LA_NONE},
        {"paypal.com.account-check.net", "PayPal", LA_SUBDOMAIN},
        {"paypal-secure.org", "PayPal", LA_WORD},
        {"paypalsecurity.com", "PayPal", LA_WORD},
        {"paypal.xyz", "PayPal", LA_TLD},
        {"xn--pypal-4ve.com", "PayPal", LA_IDN},
        {"rnicrosoft.com", "Microsoft", LA_NONE},
        {"micros0ft.com", "Microsoft", LA_SWAP},
        {"g00gle.com", "Google", LA_SWAP},
        {"1inkedin.com", "LinkedIn", LA_SWAP},
        {"linkedln.com", "LinkedIn", LA_NONE},
        {"careers.careers-linkedln.com", "LinkedIn", LA_SWAP},
        {"docusgin.com", "DocuSign", LA_EDIT},
        {"docusiign.net", "DocuSign", LA_EDIT},
        {"helixbi0.example", "helix", LA_NONE},
        {"helixbio-secure.com", "helix", LA_WORD},
        {"helixbiologlcs.com", "helix", LA_NONE},
        /* negatives */
        {"who.int", NULL, LA_NONE},
        {"apps.who.int", NULL, LA_NONE},
        {"paho.org", NULL, LA_NONE},
        {"linkedin.com", NULL, LA_NONE},
        {"www.linkedin.com", NULL, LA_NONE},
        {"e.linkedin.com", NULL, LA_NONE},
        {"licdn.com", NULL, LA_NONE},
        {"media.licdn.com", NULL, LA_NONE},
        {"docusign.net", NULL, LA_NONE},
        {"na3.docusign.net", NULL, LA_NONE},
        {"helixbio.example", NULL, LA_NONE},
        {"mail.helixbiologics.com", NULL, LA_NONE},
        {"whocc.univ-lyon.example", NULL, LA_NONE}, /* a WHO Collaborating Centre */
        {"who-cc.univ-lyon.fr", NULL, LA_NONE},
        {"univ-lyon.fr", NULL, LA_NONE},
        {"abc.com", NULL, LA_NONE}, /* three letters: one edit from many real names */
        {"ibm.com", NULL, LA_NONE},
        {"ups.net", "UPS", LA_TLD}, /* the label itself under another suffix (weak by rule, phish_lookalike.c) */
        {"abode.com", NULL, LA_NONE},
        {"nature.com", NULL, LA_NONE},
        {"sendgrid.net", NULL, LA_NONE}, /* platforms are what they are */
        {"boards.greenhouse.io", NULL, LA_NONE},
        {"gmail.com", NULL, LA_NONE},
        {"paypal-partner.com", NULL, LA_NONE}, /* allowed for PayPal by the config */
        {"partner-esign.example", NULL, LA_NONE},
    };
    vg_arena *a = vg_arena_new(0);
    ref_tables rt = ref_tables_build(eng);
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ph_lookalike l, rl;
        bool hit = eng_check(eng, a, cases[i].host, &l);
        bool rhit = ref_check(eng, &rt, a, cases[i].host, &rl);
        if (hit != rhit || (hit && (l.prot != rl.prot || l.method != rl.method)))
            fail_msg("%s: engine %s, reference %s", cases[i].host, look_text(eng, hit, &l), look_text(eng, rhit, &rl));
        if (!cases[i].owner) {
            if (hit)
                fail_msg("%s: expected no look-alike, got %s", cases[i].host, look_text(eng, hit, &l));
            neg++;
            continue;
        }
        pos++;
        if (!hit)
            fail_msg("%s: expected a look-alike of %s", cases[i].host, cases[i].owner);
        if (strcmp(owner(eng, l.prot), cases[i].owner) != 0 ||
            (cases[i].method != LA_NONE && l.method != cases[i].method))
            fail_msg("%s: expected %s (method %d), got %s", cases[i].host, cases[i].owner, (int)cases[i].method,
                     look_text(eng, hit, &l));
    }
    ref_tables_free(&rt);
    vg_arena_free(a);
    fprintf(stderr, "look-alike table: %zu positives, %zu negatives\n", pos, neg);
}

/* The same through vg_phish_analyze: a sender and a link per host. */
static bool fires(vg_phish_engine *e, const char *msg, const char *rule)
{
    const vg_phish_result *r = NULL;
    vg_error err;
    assert_int_equal(vg_phish_analyze(e, "t.eml", msg, strlen(msg), NULL, &r, &err), VG_OK);
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strcmp(r->reasons[i].rule, rule) == 0)
            return true;
    }
    return false;
}

static void test_lookalike_messages(void **state)
{
    (void)state;
    static const struct {
        const char *name, *host;
        bool sender, link;
    } cases[] = {
        {"PayPal", "paypa1.com", true, true},
        {"PayPal", "paypal.com.account-check.net", true, true},
        {"Microsoft", "rnicrosoft.com", true, true},
        {"Google", "g00gle.com", true, true},
        {"LinkedIn", "1inkedin.com", true, true},
        {"PayPal", "paypal.com", false, false},
        {"PayPal", "mail.paypal.com", false, false},
        {"LinkedIn", "e.linkedin.com", false, false},
        {"World Health Organization", "who.int", false, false},
        {"WHO Collaborating Centre for Vaccine Research", "univ-lyon.example", false, false},
        {"Alice", "abc.com", false, false},
    };
    char msg[2048];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(msg, sizeof msg,
                 "From: %s <notice@%s>\nTo: maria.chen@helixbio.example\nSubject: Notice\n"
                 "Message-ID: <fp-%zu@test>\n\nPlease see the notice.\n",
                 cases[i].name, cases[i].host, i);
        if (fires(eng, msg, "lookalike_sender") != cases[i].sender)
            fail_msg("From %s: lookalike_sender %s", cases[i].host, cases[i].sender ? "did not fire" : "fired");
        snprintf(msg, sizeof msg,
                 "From: Alice Martin <alice@research-lab.example>\nTo: maria.chen@helixbio.example\n"
                 "Subject: Notice\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
                 "<p>See <a href=\"https://%s/login\">the notice</a>.</p>\n",
                 cases[i].host);
        if (fires(eng, msg, "lookalike_link") != cases[i].link)
            fail_msg("link to %s: lookalike_link %s", cases[i].host, cases[i].link ? "did not fire" : "fired");
    }
}

/* ---- strmap signature bits ---------------------------------------------------------------------------- */

static void test_strmap_signature(void **state)
{
    (void)state;
    double t0 = now_s();
    size_t cases = 0, present = 0;
    /* every key of the engine's maps is found with its value; keys one byte off mostly not, and
     * whatever the answer, the same as the table's */
    const strmap *maps[] = {&eng->brand_domains, &eng->org_domains, &eng->prot_skel, &eng->prot_label_skel,
                            &eng->prot_labels, &eng->prot_domains, &eng->prot_fold, &eng->freemail,
                            &eng->allow, &eng->abused_tlds, &eng->dom_index, &eng->esp.hosts,
                            &eng->shorteners.hosts, &eng->hosting.hosts};
    for (size_t m = 0; m < sizeof maps / sizeof *maps; m++) {
        vg_htable *t = ref_table(maps[m]);
        vg_htable_iter it = VG_HTABLE_ITER_INIT;
        const void *k;
        size_t kl;
        void **val;
        while (vg_htable_next(t, &it, &k, &kl, &val, NULL)) {
            char key[600];
            if (kl + 2 > sizeof key)
                continue;
            memcpy(key, k, kl);
            key[kl] = 0;
            intptr_t v = -7;
            assert_true(ph_strmap_get(maps[m], key, kl, &v));
            assert_int_equal(v, (intptr_t)*val);
            cases++;
            present++;
            /* variants: each byte changed, shorter, longer */
            for (size_t i = 0; i < kl && i < 12; i++) {
                char save = key[i];
                key[i] = (char)(key[i] == 'z' ? 'a' : key[i] + 1);
                bool got = ph_strmap_get(maps[m], key, kl, NULL);
                assert_int_equal(got, rget(maps[m], key, kl, NULL));
                key[i] = save;
                cases++;
            }
            if (kl > 0) {
                assert_int_equal(ph_strmap_get(maps[m], key, kl - 1, NULL), rget(maps[m], key, kl - 1, NULL));
                cases++;
            }
            key[kl] = 's';
            assert_int_equal(ph_strmap_get(maps[m], key, kl + 1, NULL), rget(maps[m], key, kl + 1, NULL));
            cases++;
        }
    }
    /* a fresh map: random keys in, random keys out, against the table alone */
    strmap m;
    ph_strmap_init(&m);
    vg_htable *ref = vg_htable_new(0, NULL, NULL); /* the same puts: first value wins */
    rng_state = 0x5EED0004;
    char key[40];
    for (int i = 0; i < 3000; i++) {
        size_t n = rndn(20);
        for (size_t k = 0; k < n; k++)
            key[k] = (char)('a' + rndn(6));
        key[n] = 0;
        ph_strmap_put(&m, key, i);
        bool created;
        void **slot = vg_htable_put(ref, key, n, INT64_MAX, &created);
        if (created)
            *slot = (void *)(intptr_t)i;
    }
    assert_int_equal(m.n, vg_htable_count(ref));
    assert_true(ph_strmap_get(&m, "", 0, NULL) == (vg_htable_get(ref, "", 0) != NULL));
    for (int i = 0; i < 200000; i++) {
        size_t n = rndn(20);
        for (size_t k = 0; k < n; k++)
            key[k] = (char)('a' + rndn(6));
        intptr_t v1 = -1, v2 = -1;
        void **rs = vg_htable_get(ref, key, n);
        bool a = ph_strmap_get(&m, key, n, &v1), b = rs != NULL;
        if (rs)
            v2 = (intptr_t)*rs;
        if (a != b || v1 != v2)
            fail_msg("strmap \"%.*s\": %d/%ld, table %d/%ld", (int)n, key, a, (long)v1, b, (long)v2);
        cases++;
        present += a;
    }
    vg_htable_free(ref);
    ph_strmap_free(&m);
    fprintf(stderr, "strmap: %zu lookups (%zu present), %.0f ms\n", cases, present, (now_s() - t0) * 1e3);
}

/* ---- 4. caches: host facts, look-alike verdicts and whole verdicts in any order ------------------------- */

typedef struct host_fact_run {
    size_t cases;
} host_fact_run;

static void list_case(vg_phish_engine *e, const hostlist *hl, const char *host, const char *path)
{
    char url[800];
    const char *u = NULL;
    if (path) {
        snprintf(url, sizeof url, "https://%s%s", host, path);
        u = url;
    }
    int aux = -99, raux = -99;
    bool in = ph_host_in(e, hl, host, u, &aux), rin = ref_list_match(hl, host, u, &raux);
    if (in != rin || (in && aux != raux))
        fail_msg("%s (%s): list %d says %d/%d, reference %d/%d", host, u ? u : "no URL", (int)hl->id, in, aux, rin,
                 raux);
}

static void facts_compare(host_fact_run *r, vg_phish_engine *e, vg_arena *a, const char *host)
{
    r->cases++;
    const char *reg = ph_reg_domain(e, host);
    const char *rreg = ref_reg(a, host);
    if (strcmp(reg, rreg) != 0)
        fail_msg("%s: registrable domain %s, libpsl says %s", host, reg, rreg);
    int b = ph_brand_of_domain(e, host), rb = ref_parents(&e->brand_domains, host);
    int o = ph_org_of_domain(e, host), ro = ref_parents(&e->org_domains, host);
    if (b != rb || o != ro)
        fail_msg("%s: brand %d org %d, tables say brand %d org %d", host, b, o, rb, ro);
    bool fm = ph_is_freemail(e, host), rfm = rget(&e->freemail, host, strlen(host), NULL);
    if (fm != rfm)
        fail_msg("%s: free-mail %d, table says %d", host, fm, rfm);
    if (ph_host_known(e, host) != ref_known(e, host))
        fail_msg("%s: known service %d, lists say %d", host, ph_host_known(e, host), ref_known(e, host));
    bool ps = false;
    for (const char *p = host; p && *p && !ps; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL)
        ps = psl_is_public_suffix2(psl_builtin(), p, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
    if (ph_host_public_suffix(e, host) != ps)
        fail_msg("%s: under a public suffix %d, libpsl says %d", host, !ps, ps);
    /* every list without a URL; lists with path entries also with URLs: paths no entry has,
     * and the path of each entry on the host or a parent (as written, upper case, extended) */
    for (int l = 0; l < PH_L__COUNT; l++) {
        const hostlist *hl = e->lists[l];
        list_case(e, hl, host, NULL);
        if (!hl->n_path)
            continue;
        list_case(e, hl, host, "/");
        list_case(e, hl, host, "/x/y?z=1");
        size_t hn = strlen(host);
        for (size_t i = 0; i < hl->n_path; i++) {
            size_t el = strlen(hl->path_host[i]);
            bool under = (hn == el && strcmp(host, hl->path_host[i]) == 0) ||
                         (hn > el && host[hn - el - 1] == '.' && strcmp(host + hn - el, hl->path_host[i]) == 0);
            if (!under)
                continue;
            char path[300];
            snprintf(path, sizeof path, "%s/more?x=1", hl->path_prefix[i]);
            list_case(e, hl, host, path);
            for (char *q = path; *q; q++)
                *q = (char)toupper((unsigned char)*q);
            list_case(e, hl, host, path);
            path[strlen(hl->path_prefix[i]) > 1 ? strlen(hl->path_prefix[i]) - 1 : 0] = 0; /* one byte short */
            list_case(e, hl, host, path);
        }
    }
}

/* Entries of one list nested in each other with different values, path entries under host
 * entries and one with no host ("/path": hosts ending in a dot): the nearest entry answers, as
 * looking in the list alone would. The built-in lists have few such shapes. The index is
 * rebuilt as vg_phish_engine_new builds it. */
static void add_nested_entries(vg_phish_engine *e)
{
    ph_hostlist_add(&e->rewriters, "nest.example", PH_UNWRAP_OPAQUE);
    ph_hostlist_add(&e->rewriters, "a.nest.example", PH_UNWRAP_PROOFPOINT_V2);
    ph_hostlist_add(&e->rewriters, "b.a.nest.example/go", PH_UNWRAP_PROOFPOINT_V3);
    ph_hostlist_add(&e->rewriters, "c.nest.example/Go/Deep", PH_UNWRAP_NONE);
    ph_hostlist_add(&e->shorteners, "short.nest.example/s", 3);
    ph_hostlist_add(&e->forms, "/nestform", 4);
    ph_strmap_put(&e->freemail, "mail.nest.example", 1);
    ph_strmap_put(&e->brand_domains, "brand.nest.example", 2);
    ph_strmap_put(&e->brand_domains, "x.brand.nest.example", 3);
    const strmap *changed[] = {&e->rewriters.hosts, &e->shorteners.hosts, &e->forms.hosts,
                               &e->freemail, &e->brand_domains, &e->dom_index};
    for (size_t i = 0; i < sizeof changed / sizeof *changed; i++)
        ref_forget(changed[i]);
    ph_host_index_free(e);
    ph_strmap_free(&e->dom_index);
    ph_strmap_init(&e->dom_index);
    ph_host_index_build(e);
    ph_tables_changed(e);
}

/* Every domain of the tables, its subdomains and parents, look-alikes and odd shapes. */
static void build_fact_hosts(const vg_phish_engine *e, hostset *s)
{
    char h[600];
    const char *k;
    size_t kl;
    intptr_t val;
    for (size_t i = 0; i < e->dom_index.cap; i++) {
        if (!ph_strmap_at(&e->dom_index, i, &k, &kl, &val))
            continue;
        if (kl == 0 || kl > 200)
            continue;
        snprintf(h, sizeof h, "%.*s", (int)kl, (const char *)k);
        hs_add(s, h);
        snprintf(h, sizeof h, "a.b.%.*s", (int)kl, (const char *)k);
        hs_add(s, h);
        snprintf(h, sizeof h, "x%.*s", (int)kl, (const char *)k); /* not a subdomain */
        hs_add(s, h);
        const char *dot = memchr(k, '.', kl);
        if (dot) {
            snprintf(h, sizeof h, "%.*s", (int)(kl - (size_t)(dot + 1 - (const char *)k)), dot + 1);
            hs_add(s, h);
        }
        snprintf(h, sizeof h, "%.*s.", (int)kl, (const char *)k);
        hs_add(s, h);
    }
    for (int l = 0; l < PH_L__COUNT; l++) {
        const hostlist *hl = e->lists[l];
        for (size_t i = 0; i < hl->n_path; i++) {
            hs_add(s, hl->path_host[i]);
            snprintf(h, sizeof h, "cdn.%s", hl->path_host[i]);
            hs_add(s, h);
        }
    }
    static const char *const odd[] = {"nest.example", "a.nest.example", "x.a.nest.example", "b.a.nest.example",
                                      "z.b.a.nest.example", "c.nest.example", "d.c.nest.example",
                                      "mail.nest.example", "x.mail.nest.example", "short.nest.example",
                                      "s.short.nest.example", "brand.nest.example", "x.brand.nest.example",
                                      "y.x.brand.nest.example", "nest.example.", "a.nest.example.", "paypal.com.",
                                      "paypal..com", ".paypal.com", "com.", ".", "..", "a", "PayPal.COM",
                                      "x.sendgrid.net.evil.com", "sendgrid.net.", "mail.google.com",
                                      "docs.google.com", "drive.google.com", "192.168.1.1", "[::1]", NULL};
    for (const char *const *o = odd; *o; o++)
        hs_add(s, *o);
}

/* A batch of messages exercising senders, names, replies, links, authentication. */
static const char *const G_NAMES[] = {
    "PayPal", "PayPal Service", "Microsoft 365", "Microsoft account team", "WHO", "World Health Organization",
    "LinkedIn", "LinkedIn Recruiter", "Dr. Maria Chen", "Paul Okafor", "Alice Martin", "C o i n b a s e",
    "Amazon Support", "IT Helpdesk", "DocuSign", "Helix Biologics", "Jane Doe (Google)", "P\xd0\xb0yP\xd0\xb0l",
    "WHO Collaborating Centre for Vaccine Research", "", "Apple", "Chase Bank", "DHL Express"};
static const char *const G_HOSTS[] = {
    "paypal.com", "paypa1.com", "paypal.com.account-check.net", "paypal-secure.org", "mail.paypal.com",
    "rnicrosoft.com", "micros0ft.com", "microsoft.com", "who.int", "who.org", "linkedin.com",
    "e.linkedin.com", "linkedln.com", "careers.careers-linkedln.com", "helixbio.example", "helixbi0.example",
    "helixbio-secure.com", "gmail.com", "outlook.com", "yandex.ru", "univ-lyon.example",
    "research-lab.example", "sendgrid.net", "docusign.net", "partner-esign.example", "bit.ly",
    "sites.google.com", "forms.gle", "xn--pypal-4ve.com", "amazon.co.uk", "arnazon.co.uk", "abc.xyz",
    "g00gle.com", "1inkedin.com", "paypal-partner.com", "198.51.100.7", "docusgin.com", "apple.com",
    "dhl.com", "dhl-parcel-tracking.top"};
static const char *const G_SUBJECTS[] = {
    "Notice", "Your account has been suspended - verify now", "COVID-19 vaccine trial data",
    "Job offer: Senior Scientist", "Invoice #4411 overdue payment", "Re: lunch",
    "Urgent: password expires today", "", "WHO: new guidance on COVID-19",
    "Votre colis est en attente - confirmez la livraison", "maria.chen@helixbio.example: mailbox full"};
#define PICK(arr) (arr[rndn((unsigned)(sizeof arr / sizeof *arr))])

static char *gen_message(unsigned idx)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    const char *name = PICK(G_NAMES), *dom = PICK(G_HOSTS);
    static const char *const locals[] = {"notice", "service", "jobs", "maria.chen", "no-reply", "security"};
    const char *local = PICK(locals);
    if (*name)
        vg_buf_printf(&b, "From: \"%s\" <%s@%s>\n", name, local, dom);
    else
        vg_buf_printf(&b, "From: %s@%s\n", local, dom);
    static const char *const tos[] = {"maria.chen@helixbio.example", "paul.okafor@helixbiologics.com",
                                      "someone@univ-lyon.example",
                                      "Maria Chen <maria.chen@helixbio.example>, bob@helixbiologics.com"};
    vg_buf_printf(&b, "To: %s\nSubject: %s\nMessage-ID: <gen-%u@%s>\nDate: Tue, 17 Nov 2020 09:%02u:00 +0000\n",
                  PICK(tos), PICK(G_SUBJECTS), idx, dom, idx % 60);
    if (rndn(4) == 0)
        vg_buf_printf(&b, "Reply-To: %s@%s\n", local, PICK(G_HOSTS));
    if (rndn(2) == 0) {
        static const char *const res[] = {"pass", "fail", "none", "softfail"};
        const char *dm = PICK(res);
        vg_buf_printf(&b,
                      "Authentication-Results: mx.helixbio.example; spf=%s smtp.mailfrom=%s; dkim=%s "
                      "header.d=%s; dmarc=%s header.from=%s\n",
                      PICK(res), dom, dm, dom, dm, dom);
    }
    vg_buf_puts(&b, "MIME-Version: 1.0\n");
    static const char *const texts[] = {
        "Please verify your account within 24 hours or it will be suspended.",
        "Attached is the vaccine trial data we discussed; the COVID-19 cohort results look good.",
        "We are hiring: a senior scientist position with an attractive salary. Apply now.",
        "Your invoice is overdue. Payment by wire transfer is required today.",
        "See you at lunch.", "Your parcel is waiting: confirm the delivery address.",
        "Bonjour, votre compte sera suspendu. Veuillez confirmer votre identit\xc3\xa9."};
    const char *text = PICK(texts);
    const char *h1 = PICK(G_HOSTS), *h2 = PICK(G_HOSTS), *shown = PICK(G_HOSTS);
    if (rndn(2)) {
        vg_buf_printf(&b,
                      "Content-Type: multipart/alternative; boundary=\"b%u\"\n\n--b%u\n"
                      "Content-Type: text/plain; charset=utf-8\n\n%s\nhttps://%s/account\n\n--b%u\n"
                      "Content-Type: text/html; charset=utf-8\n\n<html><body><p>%s</p>"
                      "<p><a href=\"https://%s/signin/verify.php?u=%u\">https://www.%s/</a> "
                      "<a href=\"http://%s/doc\">Open the document</a></p></body></html>\n--b%u--\n",
                      idx, idx, text, h1, idx, text, h1, idx, shown, h2, idx);
    } else {
        vg_buf_printf(&b, "Content-Type: text/plain; charset=utf-8\n\n%s\n\nhttps://%s/login\nwww.%s\n", text, h1,
                      h2);
    }
    return vg_buf_steal(&b);
}

typedef struct msgset {
    char **name, **data;
    size_t *len;
    size_t n;
} msgset;

static void msgs_add(msgset *s, const char *name, char *data, size_t len)
{
    s->name = vg_xrealloc(s->name, (s->n + 1) * sizeof *s->name);
    s->data = vg_xrealloc(s->data, (s->n + 1) * sizeof *s->data);
    s->len = vg_xrealloc(s->len, (s->n + 1) * sizeof *s->len);
    s->name[s->n] = vg_xstrdup(name);
    s->data[s->n] = data;
    s->len[s->n] = len;
    s->n++;
}

static msgset build_messages(unsigned n_gen)
{
    msgset s = {0};
    rng_state = 0x5EED0005;
    char name[64];
    for (unsigned i = 0; i < n_gen; i++) {
        char *m = gen_message(i);
        snprintf(name, sizeof name, "gen-%u.eml", i);
        msgs_add(&s, name, m, strlen(m));
    }
    /* the fixtures: the 2020 lures and the legitimate look-alikes */
    const char *dir = vg_test_src("tests/fixtures/mail");
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s", dir);
    DIR *d = opendir(dirpath);
    assert_non_null(d);
    struct dirent *de;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".eml") == 0) {
            names = vg_xgrow(names, &cap, nn + 1, sizeof *names);
            names[nn++] = vg_xstrdup(de->d_name);
        }
    }
    closedir(d);
    for (size_t i = 0; i < nn; i++) { /* sorted: a stable order */
        for (size_t j = i + 1; j < nn; j++) {
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
        }
    }
    for (size_t i = 0; i < nn; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dirpath, names[i]);
        char *data = NULL;
        size_t len = 0;
        vg_error err;
        assert_int_equal(vg_file_read(path, 0, &data, &len, &err), VG_OK);
        msgs_add(&s, names[i], data, len);
        free(names[i]);
    }
    free(names);
    return s;
}

static void msgs_free(msgset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->name[i]);
        free(s->data[i]);
    }
    free(s->name);
    free(s->data);
    free(s->len);
}

/* The verdict JSON and text line of one message, malloc'd. */
static char *verdict(vg_phish_engine *e, const msgset *s, size_t i)
{
    const vg_phish_result *r = NULL;
    vg_error err;
    vg_phish_analyze(e, s->name[i], s->data[i], s->len[i], NULL, &r, &err);
    assert_non_null(r);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_phish_result_write_json(r, &j);
    vg_buf_putc(&b, '\n');
    vg_phish_result_write_text(r, &b);
    return vg_buf_steal(&b);
}

static size_t first_diff(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    return i;
}

static void expect_same(const char *what, const msgset *s, size_t i, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return;
    size_t at = first_diff(want, got);
    size_t from = at > 60 ? at - 60 : 0;
    fail_msg("%s: %s differs at byte %zu:\n  first: ...%.160s\n  now:   ...%.160s", what, s->name[i], at,
             want + from, got + from);
}

static void test_cache_order(void **state)
{
    (void)state;
    double t0 = now_s();
    /* host facts and look-alike verdicts against the references, asked in two orders of two
     * fresh engines: the caches answer as the tables do, whatever came before */
    vg_phish_engine *e1 = new_engine(true), *e2 = new_engine(true);
    add_nested_entries(e1);
    add_nested_entries(e2);
    hostset hs = {0}, more = {0};
    rng_state = 0x5EED0006;
    build_fact_hosts(e1, &hs);
    build_hosts(e1, &more); /* a quarter of the look-alike shapes */
    for (size_t i = 0; i < more.n; i += 4)
        hs_add(&hs, more.v[i]);
    hs_free(&more);
    ref_tables rt = ref_tables_build(e1);
    vg_arena *a = vg_arena_new(0);
    host_fact_run fr = {0};
    look_run lr = {0};
    for (size_t i = 0; i < hs.n; i++) {
        facts_compare(&fr, e1, a, hs.v[i]);
        if (i % 3 == 0)
            look_compare(&lr, e1, &rt, a, hs.v[i]);
        if (i % 64 == 0)
            vg_arena_reset(a);
    }
    for (size_t i = hs.n; i-- > 0;) {
        if (i % 3 == 0)
            look_compare(&lr, e2, &rt, a, hs.v[i]); /* look-alike first: it fills the facts */
        facts_compare(&fr, e2, a, hs.v[i]);
        if (i % 64 == 0)
            vg_arena_reset(a);
    }
    if (lr.fails)
        fail_msg("look-alike of \"%s\": %s (%zu diverge)", lr.worst, lr.why, lr.fails);
    /* past the cache's bound: entries then live in the engine's arena, answers stay the same;
     * a trim empties the table */
    size_t filler = 0;
    char h[64];
    while (vg_htable_refused(e1->hosts) == 0 && filler < 40000) {
        snprintf(h, sizeof h, "filler-%zu.example.net", filler++);
        (void)ph_reg_domain(e1, h);
    }
    assert_true(vg_htable_refused(e1->hosts) > 0);
    for (size_t i = 0; i < hs.n; i += 7) {
        facts_compare(&fr, e1, a, hs.v[i]);
        look_compare(&lr, e1, &rt, a, hs.v[i]);
        if (i % 64 == 0)
            vg_arena_reset(a);
    }
    if (lr.fails)
        fail_msg("look-alike of \"%s\" with the host cache full: %s", lr.worst, lr.why);
    size_t before = vg_htable_count(e1->hosts);
    ph_caches_trim(e1);
    assert_true(vg_htable_count(e1->hosts) < before);
    fprintf(stderr, "cache: %zu host-fact and %zu look-alike comparisons, %zu filler hosts, %.0f ms\n", fr.cases,
            lr.cases, filler, (now_s() - t0) * 1e3);
    vg_arena_free(a);
    ref_tables_free(&rt);
    hs_free(&hs);
    engine_free(e2);
    engine_free(e1);

    /* whole verdicts: one engine twice in order, a fresh one in reverse order, the full one
     * from above, and a cold engine for a sample of messages */
    t0 = now_s();
    msgset s = build_messages(120);
    char **first = vg_xcalloc(s.n, sizeof *first);
    vg_phish_engine *a1 = new_engine(true);
    for (size_t i = 0; i < s.n; i++)
        first[i] = verdict(a1, &s, i);
    for (size_t i = 0; i < s.n; i++) {
        char *v = verdict(a1, &s, i);
        expect_same("second pass, same engine", &s, i, first[i], v);
        free(v);
    }
    vg_phish_engine *b1 = new_engine(true);
    for (size_t i = s.n; i-- > 0;) {
        char *v = verdict(b1, &s, i);
        expect_same("reverse order, fresh engine", &s, i, first[i], v);
        free(v);
    }
    /* interleaved with every other message, odd ones first */
    for (size_t i = 1; i < s.n; i += 2) {
        char *v = verdict(b1, &s, i);
        expect_same("odd messages", &s, i, first[i], v);
        free(v);
    }
    size_t cold = 0;
    for (size_t i = 0; i < s.n; i += 9) {
        vg_phish_engine *c = new_engine(true);
        char *v = verdict(c, &s, i);
        expect_same("cold engine", &s, i, first[i], v);
        free(v);
        engine_free(c);
        cold++;
    }
    /* verdicts that fired something, or the comparison is of empty answers */
    size_t flagged = 0;
    for (size_t i = 0; i < s.n; i++)
        flagged += strstr(first[i], "\"verdict\":\"clean\"") == NULL;
    assert_true(flagged > s.n / 5);
    fprintf(stderr, "cache: %zu messages x 4 orders + %zu cold engines identical (%zu not clean), %.0f ms\n", s.n,
            cold, flagged, (now_s() - t0) * 1e3);
    engine_free(b1);
    engine_free(a1);
    for (size_t i = 0; i < s.n; i++)
        free(first[i]);
    free(first);
    msgs_free(&s);
}

/* ---- 5. the disk cache of the compiled lexicon database ----------------------------------------------- */

typedef struct cache_files {
    size_t n, other;
    char path[4][4200];
    struct stat st[4];
} cache_files;

static cache_files list_cache(const char *dir)
{
    cache_files c;
    memset(&c, 0, sizeof c);
    DIR *d = opendir(dir);
    if (!d)
        return c;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        size_t l = strlen(de->d_name);
        if (strncmp(de->d_name, "lexicon-", 8) == 0 && l > 13 && strcmp(de->d_name + l - 5, ".hsdb") == 0 &&
            c.n < 4) {
            snprintf(c.path[c.n], sizeof c.path[0], "%s/%s", dir, de->d_name);
            assert_int_equal(stat(c.path[c.n], &c.st[c.n]), 0);
            c.n++;
        } else {
            c.other++; /* a temporary file left behind, or anything else */
        }
    }
    closedir(d);
    /* a stable order */
    if (c.n == 2 && strcmp(c.path[0], c.path[1]) > 0) {
        char t[4200];
        struct stat ts = c.st[0];
        memcpy(t, c.path[0], sizeof t);
        memcpy(c.path[0], c.path[1], sizeof t);
        memcpy(c.path[1], t, sizeof t);
        c.st[0] = c.st[1];
        c.st[1] = ts;
    }
    return c;
}

static size_t files_under;
static int count_file(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)p;
    (void)sb;
    (void)f;
    files_under += flag == FTW_F;
    return 0;
}

static size_t count_files(const char *dir)
{
    files_under = 0;
    nftw(dir, count_file, 8, FTW_PHYS);
    return files_under;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool loads(const char *path)
{
    char *bytes = NULL;
    size_t len = 0;
    vg_error err;
    if (vg_file_read(path, 0, &bytes, &len, &err) != VG_OK)
        return false;
    hs_database_t *db = NULL;
    bool ok = hs_deserialize_database(bytes, len, &db) == HS_SUCCESS;
    if (db)
        hs_free_database(db);
    free(bytes);
    return ok;
}

/* Does a file the loader accepts hold the same database as valid (the bytes changed are
 * padding the loader ignores)? vectorscan checks a CRC of the bytecode, not of the padding. */
static bool same_database(const char *bytes, size_t n, const char *valid, size_t vn)
{
    hs_database_t *db = NULL;
    if (hs_deserialize_database(bytes, n, &db) != HS_SUCCESS)
        return false;
    char *s = NULL;
    size_t l = 0;
    bool same = hs_serialize_database(db, &s, &l) == HS_SUCCESS && l == vn && memcmp(s, valid, l) == 0;
    free(s);
    hs_free_database(db);
    return same;
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static char **all_verdicts(vg_phish_engine *e, const msgset *s)
{
    char **v = vg_xcalloc(s->n, sizeof *v);
    for (size_t i = 0; i < s->n; i++)
        v[i] = verdict(e, s, i);
    return v;
}

static void expect_verdicts(const char *what, const msgset *s, char **want, char **got)
{
    for (size_t i = 0; i < s->n; i++)
        expect_same(what, s, i, want[i], got[i]);
    for (size_t i = 0; i < s->n; i++)
        free(got[i]);
    free(got);
}

/* The disk test's config: one more lure phrase gives databases of their own, which no engine
 * of the other tests (alive after a failure) shares: live engines of a process share their
 * compiled databases, and only an engine with none to share reads the disk. */
static vg_yaml_doc *disk_cfg;

/* One engine with the environment as it is: its verdicts, then freed. */
static char **engine_run(const msgset *s, size_t *n_db)
{
    vg_phish_engine *e = NULL;
    vg_error err;
    if (vg_phish_engine_new(&e, vg_yaml_root(disk_cfg), &err) != VG_OK)
        fail_msg("engine: %s", err.msg);
    if (n_db)
        *n_db = (e->hs_db != NULL) + (e->hs_db_cs != NULL);
    char **v = all_verdicts(e, s);
    engine_free(e);
    return v;
}

static char saved_tmp[3][256];

static const char *tmpdir_copy(int i)
{
    const char *t = vg_test_tmpdir();
    assert_non_null(t);
    snprintf(saved_tmp[i], sizeof saved_tmp[i], "%s", t);
    return saved_tmp[i];
}

static void test_disk_cache(void **state)
{
    (void)state;
    double t0 = now_s();
    char text[sizeof CONFIG + 128];
    snprintf(text, sizeof text, "%slures:\n  - {theme: covid-19, keywords: [fastpath disk cache probe]}\n", CONFIG);
    vg_error cerr;
    disk_cfg = vg_yaml_load_string(text, strlen(text), "fastpath-disk-config", &cerr);
    if (!disk_cfg)
        fail_msg("config: %s", cerr.msg);
    const char *dir = tmpdir_copy(0);
    setenv("VIGIL_CACHE_DIR", dir, 1);
    msgset s = build_messages(12);

    /* a first engine compiles and writes one file per database */
    size_t n_db = 0;
    char **want = engine_run(&s, &n_db);
    assert_true(n_db >= 1);
    cache_files c1 = list_cache(dir);
    if (c1.n != n_db || c1.other != 0)
        fail_msg("%s: %zu lexicon-*.hsdb files and %zu others after the first engine, expected %zu and 0", dir,
                 c1.n, c1.other, n_db);
    for (size_t i = 0; i < c1.n; i++)
        assert_true(loads(c1.path[i]));
    fprintf(stderr, "disk cache: %zu database file(s) written (%lld bytes", c1.n, (long long)c1.st[0].st_size);
    for (size_t i = 1; i < c1.n; i++)
        fprintf(stderr, ", %lld", (long long)c1.st[i].st_size);
    fprintf(stderr, ")\n");

    /* a second engine loads them: nothing rewritten, same verdicts */
    expect_verdicts("second engine (cache loaded)", &s, want, engine_run(&s, NULL));
    cache_files c2 = list_cache(dir);
    assert_int_equal(c2.n, c1.n);
    assert_int_equal(c2.other, 0);
    for (size_t i = 0; i < c1.n; i++) {
        assert_string_equal(c2.path[i], c1.path[i]);
        if (!same_file(&c1.st[i], &c2.st[i]))
            fail_msg("%s was rewritten by an engine that should have loaded it", c1.path[i]);
    }

    /* garbage, a truncated database, an empty file, a flipped byte, the header alone: each
     * engine still works, answers the same and leaves a valid file behind */
    char *valid[4] = {NULL}, *bad[4] = {NULL};
    size_t vlen[4] = {0}, bad_len[4] = {0};
    vg_error err;
    for (size_t i = 0; i < c1.n; i++)
        assert_int_equal(vg_file_read(c1.path[i], 0, &valid[i], &vlen[i], &err), VG_OK);
    unsigned char junk[4096];
    rng_state = 0x5EED0007;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)rnd();
    static const char *const how[] = {"garbage", "truncated", "empty", "byte flipped in the middle",
                                      "byte flipped near the end", "header only"};
    size_t engines = 2, ignored = 0;
    for (size_t k = 0; k < sizeof how / sizeof *how; k++) {
        for (size_t i = 0; i < c1.n; i++) {
            char *m = vg_xmalloc(vlen[i] > sizeof junk ? vlen[i] : sizeof junk);
            memcpy(m, valid[i], vlen[i]);
            size_t ml = vlen[i];
            if (k == 0) {
                memcpy(m, junk, sizeof junk);
                ml = sizeof junk;
            } else if (k == 1) {
                ml = vlen[i] / 2;
            } else if (k == 2) {
                ml = 0;
            } else if (k == 3) {
                m[vlen[i] / 2] ^= 0x5A;
            } else if (k == 4) {
                m[vlen[i] - 3] ^= 0x5A;
            } else {
                ml = vlen[i] < 64 ? vlen[i] : 64;
            }
            write_bytes(c1.path[i], m, ml);
            free(bad[i]);
            bad[i] = m;
            bad_len[i] = ml;
        }
        char what[96];
        snprintf(what, sizeof what, "engine after a %s cache file", how[k]);
        expect_verdicts(what, &s, want, engine_run(&s, NULL));
        engines++;
        cache_files c3 = list_cache(dir);
        assert_int_equal(c3.n, c1.n);
        if (c3.other)
            fail_msg("%s: %zu stray files in %s", what, c3.other, dir);
        for (size_t i = 0; i < c3.n; i++) {
            if (!loads(c3.path[i]))
                fail_msg("%s: %s is not a valid database afterwards", what, c3.path[i]);
            /* not kept: a corrupt file the loader accepted would have been used */
            char *now = NULL;
            size_t nl = 0;
            assert_int_equal(vg_file_read(c3.path[i], 0, &now, &nl, &err), VG_OK);
            bool kept = nl == bad_len[i] && memcmp(now, bad[i], nl) == 0;
            free(now);
            if (kept && !same_database(bad[i], bad_len[i], valid[i], vlen[i]))
                fail_msg("%s: %s was loaded as it was, not detected and rewritten", what, c3.path[i]);
            ignored += kept;
            if (c3.st[i].st_size != c1.st[i].st_size)
                fail_msg("%s: %s has %lld bytes, %lld at first", what, c3.path[i], (long long)c3.st[i].st_size,
                         (long long)c1.st[i].st_size);
        }
    }
    for (size_t i = 0; i < c1.n; i++) {
        free(valid[i]);
        free(bad[i]);
    }

    /* off: nothing written anywhere, even with a cache home around */
    const char *home = tmpdir_copy(1);
    setenv("VIGIL_CACHE_DIR", "off", 1);
    setenv("XDG_CACHE_HOME", home, 1);
    setenv("HOME", home, 1);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(home), 0); /* "off" must not be taken for a relative directory */
    expect_verdicts("VIGIL_CACHE_DIR=off", &s, want, engine_run(&s, NULL));
    engines++;
    assert_int_equal(chdir(cwd), 0);
    if (count_files(home))
        fail_msg("VIGIL_CACHE_DIR=off: %zu files written under %s", count_files(home), home);

    /* the fallbacks: $XDG_CACHE_HOME/vigil, then $HOME/.cache/vigil */
    unsetenv("VIGIL_CACHE_DIR");
    char sub[9000];
    expect_verdicts("XDG_CACHE_HOME", &s, want, engine_run(&s, NULL));
    engines++;
    snprintf(sub, sizeof sub, "%s/vigil", home);
    assert_int_equal(list_cache(sub).n, n_db);
    const char *home2 = tmpdir_copy(2);
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", home2, 1);
    expect_verdicts("HOME", &s, want, engine_run(&s, NULL));
    engines++;
    snprintf(sub, sizeof sub, "%s/.cache/vigil", home2);
    assert_int_equal(list_cache(sub).n, n_db);

    /* a cache directory that cannot be created: the engine works, nothing written */
    char blocker[4400];
    snprintf(blocker, sizeof blocker, "%s/not-a-dir", home2);
    write_bytes(blocker, "x", 1);
    snprintf(sub, sizeof sub, "%s/sub", blocker);
    setenv("VIGIL_CACHE_DIR", sub, 1);
    expect_verdicts("unwritable cache directory", &s, want, engine_run(&s, NULL));
    engines++;

    for (size_t i = 0; i < s.n; i++)
        free(want[i]);
    free(want);
    msgs_free(&s);
    fprintf(stderr,
            "disk cache: %zu messages identical across %zu engines (%zu damaged files kept: padding only), "
            "%.0f ms\n",
            s.n, engines, ignored, (now_s() - t0) * 1e3);
}

/* ---- setup ------------------------------------------------------------------------------------------- */

static const char *const ENV_NAMES[] = {"VIGIL_CACHE_DIR", "XDG_CACHE_HOME", "HOME"};

typedef struct env_copy {
    char *v[3];
    bool had[3];
} env_copy;

static env_copy env_save(void)
{
    env_copy c;
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(ENV_NAMES[i]);
        c.had[i] = v != NULL;
        c.v[i] = v ? vg_xstrdup(v) : NULL;
    }
    return c;
}

static void env_restore(env_copy *c)
{
    for (int i = 0; i < 3; i++) {
        if (c->had[i])
            setenv(ENV_NAMES[i], c->v[i], 1);
        else
            unsetenv(ENV_NAMES[i]);
        free(c->v[i]);
        c->v[i] = NULL;
    }
}

static env_copy env_test; /* around the disk cache test */

static int group_setup(void **state)
{
    (void)state;
    vg_error err;
    cfg_doc = vg_yaml_load_string(CONFIG, sizeof CONFIG - 1, "fastpath-config", &err);
    if (!cfg_doc) {
        fprintf(stderr, "config: %s\n", err.msg);
        return -1;
    }
    if (vg_phish_engine_new(&eng, vg_yaml_root(cfg_doc), &err) != VG_OK ||
        vg_phish_engine_new(&bare, NULL, &err) != VG_OK) {
        fprintf(stderr, "engine: %s\n", err.msg);
        return -1;
    }
    UErrorCode st = U_ZERO_ERROR;
    ref_spoof = uspoof_open(&st);
    return U_FAILURE(st) ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    engine_free(eng);
    engine_free(bare);
    eng = bare = NULL;
    uspoof_close(ref_spoof);
    return 0;
}

static int cache_setup(void **state)
{
    (void)state;
    env_test = env_save();
    return 0;
}

static int cache_teardown(void **state)
{
    (void)state;
    env_restore(&env_test);
    vg_yaml_free(disk_cfg);
    disk_cfg = NULL;
    return 0;
}

int main(void)
{
    /* engines of this test keep their databases in a private directory */
    env_copy env_main = env_save();
    static char dir[256];
    const char *t = vg_test_tmpdir();
    if (!t)
        return 1;
    snprintf(dir, sizeof dir, "%s", t);
    setenv("VIGIL_CACHE_DIR", dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeleton_ascii_table), cmocka_unit_test(test_normalize_swar),
        cmocka_unit_test(test_lookalike_index),      cmocka_unit_test(test_lookalike_table),
        cmocka_unit_test(test_lookalike_messages),   cmocka_unit_test(test_strmap_signature),
        cmocka_unit_test(test_cache_order),
    };
    int rc = cmocka_run_group_tests_name("fast paths", tests, group_setup, group_teardown);
    /* the disk cache with no other engine alive in the process */
    const struct CMUnitTest disk[] = {cmocka_unit_test_setup_teardown(test_disk_cache, cache_setup, cache_teardown)};
    rc |= cmocka_run_group_tests_name("disk cache", disk, NULL, NULL);
    vg_yaml_free(cfg_doc);
    env_restore(&env_main);
    return rc;
}
