/* str.c — string views (vg_str) and growable, optionally capped byte buffers (vg_buf).
 *
 * vg_str
 *   A view {p, n} into someone else's bytes; it is never NUL-terminated by
 *   contract and may contain NULs. Functions here never read past p + n and
 *   accept a view whose p is NULL when n is 0. Two "empty" views exist:
 *   VG_STR_NULL ({NULL, 0}, "nothing") and an empty string ({"", 0});
 *   vg_str_from(NULL) returns the latter. The difference matters only to the
 *   tokenizer, see vg_str_split().
 *
 * vg_str_split
 *   A tokenizer over *rest that yields the text between separators. An
 *   exhausted tokenizer is marked by rest->p == NULL, which is what lets it
 *   tell "a," (two tokens: "a" and "") from "a" (one token):
 *     "a,b" -> "a", "b"        "a," -> "a", ""       ",a" -> "", "a"
 *     ""    -> ""  (one empty token, like "a" gives one token)
 *     VG_STR_NULL -> no token at all
 *   so a string with k separators always yields k + 1 tokens.
 *
 * vg_buf
 *   A heap buffer that is NUL-terminated whenever p != NULL, so vg_buf_cstr()
 *   is free. Capacity grows by doubling (at least 64 bytes), with every size
 *   computation checked for overflow. `max` (0 = none) bounds the content
 *   length n: an append that would pass it appends nothing, returns false and
 *   sets the sticky `failed`; from then on every append is ignored (returns
 *   false) until vg_buf_reset(). Appends are therefore all-or-nothing, and a
 *   builder (JSON writer, report renderer) only has to check `failed` once at
 *   the end, as with sqlite3_str or curl's dynbuf.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

/* ---- views ---------------------------------------------------------------- */

vg_str vg_str_from(const char *cstr)
{
    if (!cstr)
        return (vg_str){"", 0};
    return (vg_str){cstr, strlen(cstr)};
}

vg_str vg_str_make(const char *p, size_t n) { return (vg_str){p, n}; }

/* ASCII-only folding: locale-independent, and identical for every byte >= 0x80. */
static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static bool mem_eq_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

bool vg_str_eq(vg_str a, vg_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool vg_str_eq_ci(vg_str a, vg_str b) { return a.n == b.n && mem_eq_ci(a.p, b.p, a.n); }

bool vg_str_eq_cstr(vg_str a, const char *b) { return vg_str_eq(a, vg_str_from(b)); }

bool vg_str_starts_with(vg_str s, vg_str prefix)
{
    return s.n >= prefix.n && (prefix.n == 0 || memcmp(s.p, prefix.p, prefix.n) == 0);
}

bool vg_str_starts_with_ci(vg_str s, vg_str prefix)
{
    return s.n >= prefix.n && mem_eq_ci(s.p, prefix.p, prefix.n);
}

bool vg_str_ends_with(vg_str s, vg_str suffix)
{
    return s.n >= suffix.n &&
           (suffix.n == 0 || memcmp(s.p + (s.n - suffix.n), suffix.p, suffix.n) == 0);
}

bool vg_str_ends_with_ci(vg_str s, vg_str suffix)
{
    return s.n >= suffix.n &&
           (suffix.n == 0 || mem_eq_ci(s.p + (s.n - suffix.n), suffix.p, suffix.n));
}

static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

vg_str vg_str_trim(vg_str s)
{
    size_t b = 0, e = s.n;
    while (b < e && is_space((unsigned char)s.p[b]))
        b++;
    while (e > b && is_space((unsigned char)s.p[e - 1]))
        e--;
    if (b == e)
        return (vg_str){s.p ? s.p + b : s.p, 0};
    return (vg_str){s.p + b, e - b};
}

vg_str vg_str_sub(vg_str s, size_t off, size_t len)
{
    if (!s.p)
        return s;
    if (off > s.n)
        off = s.n;
    if (len > s.n - off)
        len = s.n - off;
    return (vg_str){s.p + off, len};
}

ptrdiff_t vg_str_find(vg_str hay, vg_str needle)
{
    if (needle.n == 0)
        return 0;
    if (needle.n > hay.n)
        return -1;
    const char *m = memmem(hay.p, hay.n, needle.p, needle.n);
    return m ? m - hay.p : -1;
}

/* Short needles: a direct scan, at most 16 comparisons per position. Long
 * needles (attacker text can make the direct scan quadratic, "aaaa...b"):
 * fold both to lower case and use memmem, which is linear (two-way). */
#define FIND_CI_DIRECT_MAX 16

ptrdiff_t vg_str_find_ci(vg_str hay, vg_str needle)
{
    if (needle.n == 0)
        return 0;
    if (needle.n > hay.n)
        return -1;
    if (needle.n <= FIND_CI_DIRECT_MAX) {
        unsigned char first = lower((unsigned char)needle.p[0]);
        size_t last = hay.n - needle.n;
        for (size_t i = 0; i <= last; i++) {
            if (lower((unsigned char)hay.p[i]) == first &&
                mem_eq_ci(hay.p + i + 1, needle.p + 1, needle.n - 1))
                return (ptrdiff_t)i;
        }
        return -1;
    }
    /* hay.n + needle.n <= 2 * hay.n: cannot overflow for any real object. */
    char *h = vg_xmalloc(hay.n + needle.n);
    char *nd = h + hay.n;
    for (size_t i = 0; i < hay.n; i++)
        h[i] = (char)lower((unsigned char)hay.p[i]);
    for (size_t i = 0; i < needle.n; i++)
        nd[i] = (char)lower((unsigned char)needle.p[i]);
    const char *m = memmem(h, hay.n, nd, needle.n);
    ptrdiff_t r = m ? m - h : -1;
    free(h);
    return r;
}

ptrdiff_t vg_str_chr(vg_str s, char c)
{
    if (s.n == 0)
        return -1;
    const char *m = memchr(s.p, c, s.n);
    return m ? m - s.p : -1;
}

ptrdiff_t vg_str_rchr(vg_str s, char c)
{
    if (s.n == 0)
        return -1;
    const char *m = memrchr(s.p, c, s.n);
    return m ? m - s.p : -1;
}

bool vg_str_split(vg_str *rest, char sep, vg_str *tok)
{
    if (!rest->p) {
        *tok = VG_STR_NULL;
        return false;
    }
    ptrdiff_t i = vg_str_chr(*rest, sep);
    if (i < 0) {
        *tok = *rest;
        *rest = VG_STR_NULL; /* exhausted: the next call returns false */
        return true;
    }
    *tok = (vg_str){rest->p, (size_t)i};
    *rest = (vg_str){rest->p + i + 1, rest->n - (size_t)i - 1};
    return true;
}

/* Parses the digits of s (after any sign) into a magnitude no larger than
 * limit. At least one digit, nothing but digits. */
static bool parse_magnitude(const char *p, size_t n, uint64_t limit, uint64_t *out)
{
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return false;
        if (v > (limit - d) / 10)
            return false; /* v * 10 + d > limit */
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool vg_str_to_i64(vg_str s, int64_t *out)
{
    if (s.n == 0)
        return false;
    bool neg = false;
    size_t i = 0;
    if (s.p[0] == '-' || s.p[0] == '+') {
        neg = s.p[0] == '-';
        i = 1;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag;
    if (!parse_magnitude(s.p + i, s.n - i, limit, &mag))
        return false;
    if (neg)
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        *out = (int64_t)mag;
    return true;
}

/* Unsigned: an optional '+' only; "-0" is rejected like any other '-'. */
bool vg_str_to_u64(vg_str s, uint64_t *out)
{
    if (s.n == 0)
        return false;
    size_t i = s.p[0] == '+' ? 1 : 0;
    return parse_magnitude(s.p + i, s.n - i, UINT64_MAX, out);
}

char *vg_str_dup(vg_str s)
{
    if (s.n == SIZE_MAX)
        vg_panic("vg_str_dup: size overflow");
    char *d = vg_xmalloc(s.n + 1);
    if (s.n)
        memcpy(d, s.p, s.n);
    d[s.n] = '\0';
    return d;
}

/* ---- buffers ---------------------------------------------------------------- */

void vg_buf_init(vg_buf *b, size_t max)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->max = max;
    b->failed = false;
}

void vg_buf_free(vg_buf *b)
{
    free(b->p);
    vg_buf_init(b, b->max);
}

void vg_buf_reset(vg_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
    b->failed = false;
}

/* Makes room for `extra` more bytes plus the NUL, or fails (sticky). */
static bool buf_reserve(vg_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    size_t want;
    if (__builtin_add_overflow(b->n, extra, &want) || (b->max && want > b->max)) {
        b->failed = true;
        return false;
    }
    if (want < b->cap) /* want + 1 <= cap: the NUL fits too */
        return true;
    size_t need = want + 1; /* cannot overflow: want < SIZE_MAX or the add overflowed */
    if (want == SIZE_MAX) {
        b->failed = true;
        return false;
    }
    size_t c = b->cap ? b->cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2) {
            c = need;
            break;
        }
        c *= 2;
    }
    /* With a cap, never allocate more than the cap can use. */
    if (b->max && c > b->max + 1)
        c = b->max + 1 > need ? b->max + 1 : need;
    b->p = vg_xrealloc(b->p, c);
    b->cap = c;
    return true;
}

bool vg_buf_append(vg_buf *b, const void *data, size_t n)
{
    if (!buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

bool vg_buf_reserve(vg_buf *b, size_t extra) { return buf_reserve(b, extra); }

bool vg_buf_putc(vg_buf *b, char c)
{
    if (b->n + 1 < b->cap && !b->failed && (!b->max || b->n < b->max)) { /* room for c and NUL */
        b->p[b->n++] = c;
        b->p[b->n] = '\0';
        return true;
    }
    return vg_buf_append(b, &c, 1);
}

bool vg_buf_puts(vg_buf *b, const char *s) { return vg_buf_append(b, s, strlen(s)); }

bool vg_buf_printf(vg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = vg_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return ok;
}

bool vg_buf_vprintf(vg_buf *b, const char *fmt, va_list ap)
{
    if (b->failed)
        return false;
    /* First try in the space we have; most calls fit. */
    size_t room = b->cap > b->n ? b->cap - b->n : 0;
    va_list cp;
    va_copy(cp, ap);
    int len = vsnprintf(room ? b->p + b->n : NULL, room, fmt, cp);
    va_end(cp);
    if (len < 0) {
        b->failed = true;
        if (b->p)
            b->p[b->n] = '\0';
        return false;
    }
    if ((size_t)len < room) {
        if (b->max && b->n + (size_t)len > b->max) {
            b->p[b->n] = '\0'; /* undo: appends are all-or-nothing */
            b->failed = true;
            return false;
        }
        b->n += (size_t)len;
        return true;
    }
    if (b->p)
        b->p[b->n] = '\0'; /* the attempt may have overwritten the NUL */
    if (!buf_reserve(b, (size_t)len))
        return false;
    va_copy(cp, ap);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, cp);
    va_end(cp);
    b->n += (size_t)len;
    return true;
}

const char *vg_buf_cstr(const vg_buf *b) { return b->p ? b->p : ""; }

char *vg_buf_steal(vg_buf *b)
{
    char *p = b->p ? b->p : vg_xstrdup("");
    vg_buf_init(b, b->max);
    return p;
}
