/* demo_util.c — the demo generator's seeded PRNG (xoshiro256** seeded by
 * splitmix64, never rand()), string lists, and text helpers (slugs, ids,
 * base64, RFC 2047 words, the date formats of mbox, RFC 5322 and Entra). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "demo/demo_int.h"

/* ---- PRNG ------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t label_hash(const char *label)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

void dm_rng_seed(dm_rng *r, uint64_t seed, const char *label)
{
    uint64_t x = seed ^ label_hash(label ? label : "");
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

void dm_rng_fork(const dm_rng *parent, const char *label, dm_rng *child)
{
    uint64_t x = parent->s[0] ^ (parent->s[2] * 0x9e3779b97f4a7c15ull) ^ label_hash(label);
    for (int i = 0; i < 4; i++)
        child->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t dm_next(dm_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t dm_below(dm_rng *r, uint32_t n)
{
    if (n == 0)
        return 0;
    /* Lemire's multiply-shift with rejection: no modulo bias. */
    uint64_t m = (uint64_t)(uint32_t)(dm_next(r) >> 32) * n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (l < t) {
            m = (uint64_t)(uint32_t)(dm_next(r) >> 32) * n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

int dm_range(dm_rng *r, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int)dm_below(r, (uint32_t)(hi - lo + 1));
}

double dm_unit(dm_rng *r)
{
    return (double)(dm_next(r) >> 11) * 0x1.0p-53;
}

bool dm_chance(dm_rng *r, double p)
{
    return dm_unit(r) < p;
}

double dm_normal(dm_rng *r, double mean, double sd)
{
    double u1 = dm_unit(r), u2 = dm_unit(r);
    if (u1 < 1e-12)
        u1 = 1e-12;
    return mean + sd * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double dm_expo(dm_rng *r, double mean)
{
    double u = dm_unit(r);
    if (u < 1e-12)
        u = 1e-12;
    return -mean * log(u);
}

void dm_shuffle_u32(dm_rng *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = dm_below(r, (uint32_t)i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* ---- lists ------------------------------------------------------------------- */

void dm_list_add(dm_list *l, char *owned)
{
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = owned;
}

void dm_list_addc(dm_list *l, const char *s)
{
    if (!dm_list_has(l, s))
        dm_list_add(l, vg_xstrdup(s));
}

bool dm_list_has(const dm_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void dm_list_sort(dm_list *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_str);
}

void dm_list_free(dm_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- text ------------------------------------------------------------------------ */

char *dm_printf(const char *fmt, ...)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    vg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return vg_buf_steal(&b);
}

/* Folds the Latin-1 and Latin Extended-A letters our names use to ASCII. */
static char fold_latin(uint32_t cp)
{
    static const struct {
        uint32_t cp;
        char c;
    } map[] = {{0xe0, 'a'}, {0xe1, 'a'},  {0xe2, 'a'}, {0xe4, 'a'}, {0xe7, 'c'}, {0xe8, 'e'},
               {0xe9, 'e'}, {0xea, 'e'},  {0xeb, 'e'}, {0xee, 'i'}, {0xef, 'i'}, {0xf4, 'o'},
               {0xf6, 'o'}, {0xf9, 'u'},  {0xfb, 'u'}, {0xfc, 'u'}, {0xc9, 'e'}, {0xc8, 'e'},
               {0xc7, 'c'}, {0x153, 'o'}, {0xc0, 'a'}, {0xff, 'y'}};
    for (size_t i = 0; i < DM_COUNT(map); i++)
        if (map[i].cp == cp)
            return map[i].c;
    return 0;
}

void dm_slug(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    bool dash = false;
    const uint8_t *p = (const uint8_t *)in;
    size_t n = strlen(in);
    for (size_t i = 0; i < n && o + 2 < cap;) {
        uint32_t cp;
        size_t k = vg_utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        i += k;
        char c = 0;
        if (cp < 0x80) {
            c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
        } else {
            c = fold_latin(cp);
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && o > 0)
                out[o++] = '-';
            dash = false;
            out[o++] = c;
        } else {
            dash = true;
        }
    }
    out[o] = 0;
}

void dm_uuid(const char *ns_label, uint64_t seed, const char *name, char out[37])
{
    uint8_t d[32];
    vg_sha256_digest(ns_label, strlen(ns_label), d);
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%016llx:%s", (unsigned long long)seed, name);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    vg_uuid5(d, buf, (size_t)n, out);
}

void dm_b64(vg_buf *out, const void *data, size_t n, int wrap)
{
    const unsigned char *p = data;
    size_t chunk = wrap > 0 ? (size_t)wrap / 4 * 3 : 3 * 1024;
    unsigned char tmp[4 * 1024 + 8];
    while (n > 0) {
        size_t k = n < chunk ? n : chunk;
        int m = EVP_EncodeBlock(tmp, p, (int)k);
        vg_buf_append(out, tmp, (size_t)m);
        if (wrap > 0)
            vg_buf_putc(out, '\n');
        p += k;
        n -= k;
    }
}

void dm_hdr_text(vg_buf *b, const char *s)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80)
            ascii = false;
    if (ascii) {
        vg_buf_puts(b, s);
        return;
    }
    /* Encoded words of at most 45 input bytes each, split on characters. */
    size_t n = strlen(s), i = 0;
    bool first = true;
    while (i < n) {
        size_t j = i, k;
        uint32_t cp;
        while (j < n && (k = vg_utf8_decode((const uint8_t *)s + j, n - j, &cp)) > 0 &&
               j + k - i <= 45)
            j += k;
        if (j == i)
            j = i + 1;
        if (!first)
            vg_buf_puts(b, "\n ");
        vg_buf_puts(b, "=?UTF-8?B?");
        dm_b64(b, s + i, j - i, 0);
        vg_buf_puts(b, "?=");
        first = false;
        i = j;
    }
}

static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void dm_ctime(int64_t ms, char out[32])
{
    vg_tm tm;
    vg_time_to_civil(ms, &tm);
    snprintf(out, 32, "%s %s %2d %02d:%02d:%02d %04d", wd[tm.wday % 7], mon[(tm.month + 11) % 12],
             tm.day, tm.hour, tm.min, tm.sec, tm.year);
}

void dm_rfc5322(int64_t ms, int tz_min, char out[40])
{
    vg_tm tm;
    vg_time_to_civil(ms + (int64_t)tz_min * 60000, &tm);
    int a = tz_min < 0 ? -tz_min : tz_min;
    snprintf(out, 40, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d", wd[tm.wday % 7], tm.day,
             mon[(tm.month + 11) % 12], tm.year, tm.hour, tm.min, tm.sec, tz_min < 0 ? '-' : '+',
             a / 60, a % 60);
}

/* Entra writes 7 fractional digits; we have ms, so the last four digits are
 * made from the ms value deterministically. */
static void iso_core(int64_t ms, char *out, size_t cap, const char *zone)
{
    vg_tm tm;
    vg_time_to_civil(ms, &tm);
    unsigned frac = (unsigned)tm.ms * 10000u + (unsigned)((ms * 7919) % 10000);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%07u%s", tm.year, tm.month, tm.day, tm.hour,
             tm.min, tm.sec, frac, zone);
}

void dm_iso7(int64_t ms, char out[40])
{
    iso_core(ms, out, 40, "Z");
}
void dm_iso_off(int64_t ms, char out[40])
{
    iso_core(ms, out, 40, "+00:00");
}
