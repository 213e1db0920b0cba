/* mail_mime.c — the MIME structure of a raw message, read in place.
 *
 * Why not GMime's parser: bench/bench_mail_mime.c measures
 * g_mime_parser_construct_message() alone, building the object tree and
 * doing nothing with it, at ~110-130 µs per message of the phishing corpus
 * (one core): two thirds of the whole per-message budget that `vigil mail`
 * has at 20x rspamd's rate, before any HTML, link or detector work. The
 * structure itself is simple; what costs is a GObject per header and per
 * part, a stream per part and copies of every body. So the structure is
 * read here, without copying: a header block becomes an array of fields
 * pointing into the input, a multipart body is cut at its delimiter lines,
 * and only bodies that are used get their transfer encoding decoded (with
 * GMime's own base64, quoted-printable and uuencode steps). GMime still
 * reads what is hard inside a header value: Content-Type and
 * Content-Disposition parameters (RFC 2045/2231, continuations, charsets),
 * address lists with groups and encoded words, message ids and dates
 * (mail_parse.c).
 *
 * Tolerance is that of a mail client, not of a validator: bare LF line
 * ends, white space between a field name and its colon, a header block that
 * ends without an empty line (the first line that is not a field starts the
 * body), delimiters with trailing white space, a missing close delimiter (the
 * last part runs to the end). Each irregularity is reported to the caller,
 * which records it as evidence.
 */
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <gmime/gmime.h>

#include "mail_internal.h"

/* ---- header blocks ------------------------------------------------------------------ */

static bool is_ftext(unsigned char c) { return c > 32 && c < 127 && c != ':'; }

void vg_mail__mime_split(vg_arena *a, const char *data, size_t n, size_t max_fields,
                         vg_mime_entity *out)
{
    memset(out, 0, sizeof *out);
    vg_avec fields = {0};
    const char *p = data, *end = data + n;
    vg_mime_field *cur = NULL;
    bool first = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end; /* line end (at the LF or the end) */
        const char *next = nl ? nl + 1 : end;
        const char *ce = le; /* content end: before a CR */
        if (ce > p && ce[-1] == '\r')
            ce--;
        if (ce == p) { /* the empty line: the body follows */
            out->body = next;
            out->body_len = (size_t)(end - next);
            goto done;
        }
        if (*p == ' ' || *p == '\t') { /* continuation of the field before */
            if (cur) {
                cur->raw_len = (size_t)(ce - cur->raw);
                p = next;
                continue;
            }
            if (!first)
                break;
            /* a message starting with white space has no header block */
            out->no_headers = true;
            break;
        }
        const char *q = p;
        while (q < ce && is_ftext((unsigned char)*q))
            q++;
        const char *r = q;
        while (r < ce && (*r == ' ' || *r == '\t'))
            r++;
        if (q == p || r == ce || *r != ':') {
            /* not a field: an mbox envelope line at the very start is skipped,
             * anything else ends the header block and starts the body */
            if (first && ce - p >= 5 && memcmp(p, "From ", 5) == 0) {
                p = next;
                first = false;
                continue;
            }
            if (first)
                out->no_headers = true;
            else
                out->broken = true;
            break;
        }
        first = false;
        if (fields.n >= max_fields) {
            out->truncated = true;
            cur = NULL;
            /* keep reading lines (and their continuations) until the body */
            const char *s = next;
            while (s < end && (*s == ' ' || *s == '\t')) {
                const char *n2 = memchr(s, '\n', (size_t)(end - s));
                s = n2 ? n2 + 1 : end;
            }
            p = s;
            continue;
        }
        cur = AVEC_PUSH(a, &fields, vg_mime_field);
        cur->name = p;
        cur->name_len = (size_t)(q - p);
        cur->raw = r + 1;
        cur->raw_len = (size_t)(ce - cur->raw);
        p = next;
    }
    /* no empty line: whatever was not a field is the body */
    out->body = p;
    out->body_len = (size_t)(end - p);
done:
    out->fields = fields.v;
    out->n_fields = fields.n;
}

const vg_mime_field *vg_mail__mime_field(const vg_mime_entity *e, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < e->n_fields; i++) {
        const vg_mime_field *f = &e->fields[i];
        if (f->name_len == nl && strncasecmp(f->name, name, nl) == 0)
            return f;
    }
    return NULL;
}

/* True if one of the eight bytes is below 14 (TAB, LF, CR, NUL live there). */
static inline bool has_ctl8(uint64_t x)
{
    return ((x - 0x0E0E0E0E0E0E0E0Eull) & ~x & 0x8080808080808080ull) != 0;
}

char *vg_mail__mime_unfold(vg_arena *a, const char *raw, size_t n)
{
    return vg_mail__mime_unfold_n(a, raw, n, NULL, NULL);
}

char *vg_mail__mime_unfold_n(vg_arena *a, const char *raw, size_t n, size_t *out_len,
                             bool *ascii)
{
    char *r = vg_arena_alloc(a, n + 1);
    size_t k = 0, i = 0;
    unsigned high = 0; /* a byte >= 0x80 was seen */
    while (i < n) {
#ifdef __SSE2__
        if (i + 16 <= n) { /* plain runs sixteen bytes at a time */
            const __m128i c13 = _mm_set1_epi8(13);
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(raw + i));
            if (!_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, c13), x))) {
                _mm_storeu_si128((__m128i *)(void *)(r + k), x);
                high |= (unsigned)_mm_movemask_epi8(x);
                k += 16;
                i += 16;
                continue;
            }
        }
#endif
        if (i + 8 <= n) { /* plain runs eight bytes at a time */
            uint64_t w;
            memcpy(&w, raw + i, 8);
            if (!has_ctl8(w)) {
                memcpy(r + k, &w, 8);
                high |= (w & 0x8080808080808080ull) != 0;
                k += 8;
                i += 8;
                continue;
            }
        }
        char ch = raw[i++];
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == '\t' || ch == 0)
            ch = ' ';
        high |= (unsigned char)ch >= 0x80;
        r[k++] = ch;
    }
    while (k > 0 && r[k - 1] == ' ')
        k--;
    r[k] = 0;
    size_t s = 0;
    while (r[s] == ' ')
        s++;
    if (out_len)
        *out_len = k - s;
    if (ascii)
        *ascii = !high;
    return r + s;
}

/* ---- multipart bodies ---------------------------------------------------------------- */

void vg_mail__mime_parts_init(vg_mime_parts *it, const char *body, size_t n, const char *boundary)
{
    memset(it, 0, sizeof *it);
    it->s = body;
    it->n = n;
    it->b = boundary;
    it->bl = strlen(boundary);
}

/* Finds the next delimiter line ("--" boundary at a line start, then "--"
 * or only white space) at or after from. Returns its offset (at the first
 * '-') or n; *close tells a close delimiter, *after the offset past its line. */
static size_t find_delim(const vg_mime_parts *it, size_t from, bool *close, size_t *after)
{
    const char *s = it->s;
    size_t n = it->n, bl = it->bl;
    while (from + bl <= n) {
        const char *hit = memmem(s + from, n - from, it->b, bl);
        if (!hit)
            return n;
        size_t i = (size_t)(hit - s);
        from = i + 1;
        if (i < 2 || s[i - 1] != '-' || s[i - 2] != '-' || (i > 2 && s[i - 3] != '\n'))
            continue;
        size_t j = i + bl;
        bool cl = j + 2 <= n && s[j] == '-' && s[j + 1] == '-';
        if (cl) {
            j += 2;
        }
        size_t k = j;
        while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k < n && s[k] != '\n') {
            if (!cl)
                continue; /* "--boundaryX": another boundary that starts the same */
            /* "--boundary--" followed by text still closes (loose) */
            const char *nl = memchr(s + k, '\n', n - k);
            k = nl ? (size_t)(nl - s) : n;
        }
        *close = cl;
        *after = k < n ? k + 1 : n;
        return i - 2;
    }
    return n;
}

bool vg_mail__mime_parts_next(vg_mime_parts *it, const char **part, size_t *len)
{
    if (it->done)
        return false;
    bool cl = false;
    size_t after = 0;
    if (!it->started) {
        it->started = true;
        size_t d = find_delim(it, 0, &cl, &after);
        if (d == it->n) { /* no delimiter at all */
            it->done = true;
            it->no_delimiter = true;
            return false;
        }
        if (cl) { /* a close delimiter first: nothing inside */
            it->done = it->closed = true;
            return false;
        }
        it->pos = after;
    }
    size_t start = it->pos;
    size_t d = find_delim(it, start, &cl, &after);
    size_t stop = d;
    if (d == it->n) {
        it->done = true; /* no close delimiter: the part runs to the end */
        it->unclosed = true;
    } else {
        /* the line break before a delimiter belongs to the delimiter */
        if (stop > start && it->s[stop - 1] == '\n')
            stop--;
        if (stop > start && it->s[stop - 1] == '\r')
            stop--;
        if (cl)
            it->done = it->closed = true;
        it->pos = after;
    }
    *part = it->s + start;
    *len = stop - start;
    return true;
}

/* ---- transfer encodings ------------------------------------------------------------------ */

vg_mime_cte vg_mail__mime_cte(const char *value)
{
    if (!value)
        return VG_CTE_NONE;
    switch (g_mime_content_encoding_from_string(value)) {
    case GMIME_CONTENT_ENCODING_BASE64:
        return VG_CTE_BASE64;
    case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
        return VG_CTE_QP;
    case GMIME_CONTENT_ENCODING_UUENCODE:
        return VG_CTE_UU;
    default:
        return VG_CTE_NONE;
    }
}

/* Base64 (RFC 2045 6.8) as mail clients read it: characters outside the
 * alphabet (line breaks, spaces, junk) are skipped; '=' ends a quantum, so
 * concatenated encodings decode one after the other; missing padding still
 * yields the last bytes. Four alphabet characters at a time in the common
 * case (32 with AVX2): GMime's byte-at-a-time step was a third of the MIME
 * stage (bench_mail_mime). */
static const int8_t b64_value[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define B64_AVX2 1
#include <immintrin.h>

/* 32 alphabet characters at a time (W. Muła and D. Lemire, "Faster Base64
 * Encoding and Decoding Using AVX2 Instructions", 2018: nibble lookups
 * validate and translate, two multiply-adds pack 4 x 6 bits into 3 bytes).
 * Stops at the first block holding anything else (a line break, '=', junk),
 * which the scalar loop then reads exactly as before. Returns the
 * characters consumed (a multiple of 32); *produced gets the bytes. */
__attribute__((target("avx2"))) static size_t b64_avx2(const unsigned char *in, size_t n,
                                                       unsigned char *out, size_t *produced)
{
    const __m256i lut_lo = _mm256_setr_epi8(
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B,
        0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
        0x1B, 0x1A);
    const __m256i lut_hi = _mm256_setr_epi8(
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10);
    const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0,
                                              0, 0, 0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0,
                                              0, 0, 0, 0);
    const __m256i mask_2f = _mm256_set1_epi8(0x2f);
    const __m256i pack_shuf = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1,
                                               -1, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1,
                                               -1, -1);
    const __m256i pack_perm = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    size_t i = 0, o = 0;
    while (n - i >= 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(in + i));
        __m256i hi_nib = _mm256_and_si256(_mm256_srli_epi32(x, 4), mask_2f);
        __m256i lo_nib = _mm256_and_si256(x, mask_2f);
        __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nib);
        __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nib);
        if (!_mm256_testz_si256(lo, hi))
            break; /* not 32 alphabet characters */
        __m256i eq_2f = _mm256_cmpeq_epi8(x, mask_2f);
        __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nib));
        x = _mm256_add_epi8(x, roll); /* the 6-bit values */
        x = _mm256_maddubs_epi16(x, _mm256_set1_epi32(0x01400140));
        x = _mm256_madd_epi16(x, _mm256_set1_epi32(0x00011000));
        x = _mm256_shuffle_epi8(x, pack_shuf);
        x = _mm256_permutevar8x32_epi32(x, pack_perm);
        _mm_storeu_si128((__m128i *)(void *)(out + o), _mm256_castsi256_si128(x));
        _mm_storel_epi64((__m128i *)(void *)(out + o + 16), _mm256_extracti128_si256(x, 1));
        i += 32;
        o += 24;
    }
    *produced = o;
    return i;
}
#endif

size_t vg_mail__base64_decode(const unsigned char *in, size_t n, unsigned char *out)
{
    size_t o = 0, i = 0;
    uint32_t acc = 0;
    int k = 0;
#ifdef B64_AVX2
    bool avx2 = n >= 64 && __builtin_cpu_supports("avx2");
#endif
    while (i < n) {
#ifdef B64_AVX2
        if (avx2 && k == 0 && n - i >= 32) {
            size_t made;
            size_t used = b64_avx2(in + i, n - i, out + o, &made);
            i += used;
            o += made;
            if (i >= n)
                break;
        }
#endif
        if (k == 0 && i + 4 <= n) {
            int a = b64_value[in[i]], b = b64_value[in[i + 1]], c = b64_value[in[i + 2]],
                d = b64_value[in[i + 3]];
            if ((a | b | c | d) >= 0) {
                uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
                out[o] = (unsigned char)(v >> 16);
                out[o + 1] = (unsigned char)(v >> 8);
                out[o + 2] = (unsigned char)v;
                o += 3;
                i += 4;
                continue;
            }
        }
        unsigned char ch = in[i++];
        int v = b64_value[ch];
        if (v >= 0) {
            acc = acc << 6 | (uint32_t)v;
            if (++k == 4) {
                out[o++] = (unsigned char)(acc >> 16);
                out[o++] = (unsigned char)(acc >> 8);
                out[o++] = (unsigned char)acc;
                acc = 0;
                k = 0;
            }
        } else if (ch == '=' && k >= 2) {
            out[o++] = (unsigned char)(acc >> (k == 2 ? 4 : 10));
            if (k == 3)
                out[o++] = (unsigned char)(acc >> 2);
            acc = 0;
            k = 0;
        }
    }
    if (k >= 2) { /* no padding */
        out[o++] = (unsigned char)(acc >> (k == 2 ? 4 : 10));
        if (k == 3)
            out[o++] = (unsigned char)(acc >> 2);
    }
    return o;
}

/* Quoted-printable (RFC 2045 6.7), a line at a time: white space at the end
 * of a line was added in transport and is dropped; a line ending in '=' is
 * joined to the next (soft break) unless it ends in "==" (a separator line);
 * "=XX" is a byte and any other '=' is itself. Runs without '=' are copied whole. */
static size_t qp_decode(const unsigned char *in, size_t n, unsigned char *out)
{
    size_t o = 0, i = 0;
    while (i < n) {
        const unsigned char *nl = memchr(in + i, '\n', n - i);
        size_t next = nl ? (size_t)(nl - in) + 1 : n;
        size_t end = nl ? (size_t)(nl - in) : n;
        bool crlf = end > i && in[end - 1] == '\r';
        if (crlf)
            end--;
        while (end > i && (in[end - 1] == ' ' || in[end - 1] == '\t'))
            end--;
        /* a line of '=' (a separator in text that is not really encoded)
         * stays a line, as GMime and mail clients show it */
        bool soft = end > i && in[end - 1] == '=' && !(end - 1 > i && in[end - 2] == '=');
        if (soft)
            end--;
        while (i < end) {
            /* copy up to the next '=', 16 bytes at a time while 16 can be
             * read (past the line end too: only the line's bytes count);
             * o <= i, so a 16-byte store at o stays within the n + 4
             * bytes of out */
#ifdef __SSE2__
            const __m128i eqv = _mm_set1_epi8('=');
            while (n - i >= 16) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
                _mm_storeu_si128((__m128i *)(void *)(out + o), x);
                size_t lim = end - i < 16 ? end - i : 16;
                unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, eqv)) &
                             ((1u << lim) - 1);
                if (m) {
                    unsigned r = (unsigned)__builtin_ctz(m);
                    o += r;
                    i += r;
                    goto at_eq;
                }
                o += lim;
                i += lim;
                if (i == end)
                    break;
            }
#endif
            while (i < end && in[i] != '=')
                out[o++] = in[i++];
            if (i == end)
                break;
#ifdef __SSE2__
        at_eq:;
#endif
            int hi, lo;
            if (i + 2 < end && (hi = vg_hex_digit(in[i + 1])) >= 0 &&
                (lo = vg_hex_digit(in[i + 2])) >= 0) {
                out[o++] = (unsigned char)(hi << 4 | lo);
                i += 3;
            } else {
                out[o++] = '=';
                i++;
            }
        }
        if (nl && !soft) {
            if (crlf)
                out[o++] = '\r';
            out[o++] = '\n';
        }
        i = next;
    }
    return o;
}

const unsigned char *vg_mail__mime_decode(vg_arena *a, vg_mime_cte cte, const char *body,
                                          size_t n, size_t *out_n)
{
    const unsigned char *in = (const unsigned char *)body;
    int state = 0;
    guint32 save = 0;
    unsigned char *out;
    switch (cte) {
    case VG_CTE_BASE64:
        out = vg_arena_alloc(a, n / 4 * 3 + 8);
        *out_n = vg_mail__base64_decode(in, n, out);
        return out;
    case VG_CTE_QP:
        out = vg_arena_alloc(a, n + 4);
        *out_n = qp_decode(in, n, out);
        return out;
    case VG_CTE_UU: {
        /* the data follows a "begin MODE NAME" line */
        size_t i = 0;
        while (i < n) {
            if (n - i >= 6 && memcmp(in + i, "begin ", 6) == 0)
                break;
            const unsigned char *nl = memchr(in + i, '\n', n - i);
            i = nl ? (size_t)(nl - in) + 1 : n;
        }
        if (i < n) {
            const unsigned char *nl = memchr(in + i, '\n', n - i);
            i = nl ? (size_t)(nl - in) + 1 : n;
        }
        out = vg_arena_alloc(a, n + 4);
        state = GMIME_UUDECODE_STATE_BEGIN;
        *out_n = g_mime_encoding_uudecode_step(in + i, n - i, out, &state, &save);
        return out;
    }
    case VG_CTE_NONE:
    default:
        *out_n = n;
        return in;
    }
}
