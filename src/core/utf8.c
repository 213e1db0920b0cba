/* utf8.c — strict UTF-8 decoding, validation, encoding and U+FFFD sanitizing.
 *
 * Well-formed UTF-8 is exactly Table 3-7 of the Unicode Standard:
 *
 *     code points         byte 1   byte 2   byte 3   byte 4
 *     U+0000..U+007F      00..7F
 *     U+0080..U+07FF      C2..DF   80..BF
 *     U+0800..U+0FFF      E0       A0..BF   80..BF
 *     U+1000..U+CFFF      E1..EC   80..BF   80..BF
 *     U+D000..U+D7FF      ED       80..9F   80..BF
 *     U+E000..U+FFFF      EE..EF   80..BF   80..BF
 *     U+10000..U+3FFFF    F0       90..BF   80..BF   80..BF
 *     U+40000..U+FFFFF    F1..F3   80..BF   80..BF   80..BF
 *     U+100000..U+10FFFF  F4       80..8F   80..BF   80..BF
 *
 * The narrowed ranges of byte 2 are what exclude overlongs (C0, C1, E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..,
 * F5..FF). Checking the table directly, one byte at a time, means every
 * decision is made on the first byte that breaks the pattern, which is also
 * the definition of a "maximal subpart" (Unicode 3.9, "U+FFFD Substitution of
 * Maximal Subparts", the practice WHATWG's decoder follows): the longest
 * prefix of the ill-formed sequence that could start a well-formed one, or a
 * single byte if none. vg_utf8_sanitize() replaces each maximal subpart with
 * one U+FFFD, so "F0 80 80 41" gives FFFD FFFD FFFD 41 (80 cannot follow F0)
 * and "E1 80 41" gives FFFD 41 (E1 80 is a valid but truncated prefix).
 */
#include <string.h>

#include "vigil/core.h"

#include "utf8_internal.h"

/* Scans one sequence at p (n >= 1 bytes). Returns its length and sets *cp when
 * well-formed; otherwise returns the length of its maximal subpart (>= 1)
 * and sets *ok = false. */
size_t vg_utf8__scan(const uint8_t *p, size_t n, uint32_t *cp, bool *ok)
{
    uint8_t c = p[0];
    *ok = false;
    if (c < 0x80) {
        *cp = c;
        *ok = true;
        return 1;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 1; /* 80..C1, F5..FF never start a sequence */
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n)
            return i; /* truncated: everything so far was a valid prefix */
        uint8_t b = p[i];
        if (b < lo || b > hi)
            return i;
        v = (v << 6) | (b & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    *ok = true;
    return len;
}

size_t vg_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    uint32_t v;
    bool ok;
    size_t len = vg_utf8__scan(p, n, &v, &ok);
    if (!ok)
        return 0;
    if (cp)
        *cp = v;
    return len;
}

bool vg_utf8_valid(const void *s, size_t n)
{
    const uint8_t *p = s;
    size_t i = 0;
    while (i < n) {
        /* ASCII runs eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        bool ok;
        size_t len = vg_utf8__scan(p + i, n - i, &cp, &ok);
        if (!ok)
            return false;
        i += len;
    }
    return true;
}

/* Code points that cannot be encoded (surrogates, > U+10FFFF) are written as
 * U+FFFD, so the output is always well-formed. */
size_t vg_utf8_encode(uint32_t cp, char *out)
{
    uint8_t *o = (uint8_t *)out;
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD;
    if (cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

void vg_utf8_sanitize(vg_buf *b, const void *s, size_t n)
{
    static const char fffd[3] = {'\xEF', '\xBF', '\xBD'};
    if (n == 0)
        return; /* s may be NULL */
    const uint8_t *p = s;
    size_t run = 0; /* start of the pending well-formed run */
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        bool ok;
        size_t len = vg_utf8__scan(p + i, n - i, &cp, &ok);
        if (ok) {
            i += len;
            continue;
        }
        vg_buf_append(b, p + run, i - run);
        vg_buf_append(b, fffd, sizeof fffd);
        i += len;
        run = i;
    }
    vg_buf_append(b, p + run, n - run);
}
