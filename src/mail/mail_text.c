/* mail_text.c — text helpers of the mail module: any charset to UTF-8 (fast
 * paths for UTF-8, ASCII, Latin-1 and windows-1252; ICU converters for the
 * rest; uchardet when the charset is missing or unknown), and the checks on
 * display names (invisible characters, mixed scripts, bidi controls). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/uscript.h>

#include "mail_internal.h"

/* windows-1252 0x80-0x9F (WHATWG: what "iso-8859-1" means in practice). */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void from_cp1252(const unsigned char *p, size_t n, vg_buf *out)
{
    char tmp[4];
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c < 0x80) {
            size_t j = i + 1;
            while (j < n && p[j] < 0x80)
                j++;
            vg_buf_append(out, p + i, j - i);
            i = j - 1;
            continue;
        }
        uint32_t cp = (c >= 0x80 && c < 0xA0) ? cp1252_hi[c - 0x80] : c;
        size_t k = vg_utf8_encode(cp, tmp);
        vg_buf_append(out, tmp, k);
    }
}

static bool name_is(const char *cs, const char *const *names)
{
    for (; *names; names++) {
        if (strcasecmp(cs, *names) == 0)
            return true;
    }
    return false;
}

static const char *const utf8_names[] = {"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968",
                                         "unicode-1-1-utf-8", "x-unknown", "unknown-8bit", NULL};
static const char *const latin_names[] = {"iso-8859-1", "iso8859-1", "latin1", "l1",
                                          "windows-1252", "cp1252", "x-cp1252", "iso_8859-1",
                                          "iso-8859-15", "ibm819", "cp819", NULL};

/* ICU conversion; false if the charset is unknown to ICU. */
static bool icu_convert(const char *charset, const void *data, size_t n, vg_buf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    UConverter *cv = ucnv_open(charset, &st);
    if (U_FAILURE(st) || !cv)
        return false;
    UErrorCode st2 = U_ZERO_ERROR;
    UConverter *u8 = ucnv_open("UTF-8", &st2);
    if (U_FAILURE(st2) || !u8) {
        ucnv_close(cv);
        return false;
    }
    const char *src = data, *src_end = src + n;
    char obuf[8192];
    UChar pivot[1024], *ps = pivot, *pt = pivot;
    bool flush = true;
    for (;;) {
        char *dst = obuf;
        UErrorCode e = U_ZERO_ERROR;
        ucnv_convertEx(u8, cv, &dst, obuf + sizeof obuf, &src, src_end, pivot, &ps, &pt,
                       pivot + 1024, false, flush, &e);
        vg_buf_append(out, obuf, (size_t)(dst - obuf));
        if (e == U_BUFFER_OVERFLOW_ERROR && !out->failed)
            continue;
        break;
    }
    ucnv_close(cv);
    ucnv_close(u8);
    return true;
}

static const char *guess_charset(const void *data, size_t n)
{
    uchardet_t ud = uchardet_new();
    if (!ud)
        return NULL;
    size_t probe = n > 65536 ? 65536 : n;
    static __thread char result[64];
    result[0] = 0;
    if (uchardet_handle_data(ud, data, probe) == 0) {
        uchardet_data_end(ud);
        const char *cs = uchardet_get_charset(ud);
        if (cs && *cs) {
            size_t l = strlen(cs);
            if (l >= sizeof result)
                l = sizeof result - 1;
            memcpy(result, cs, l);
            result[l] = 0;
        }
    }
    uchardet_delete(ud);
    return result[0] ? result : NULL;
}

bool vg_mail__to_utf8(const char *charset, const void *data, size_t n, vg_buf *out)
{
    const char *p;
    size_t pn;
    bool r = vg_mail__to_utf8_view(charset, data, n, out, &p, &pn);
    if (p == data && pn)
        vg_buf_append(out, data, n);
    return r;
}

bool vg_mail__to_utf8_view(const char *charset, const void *data, size_t n, vg_buf *out,
                           const char **text, size_t *text_n)
{
    *text = data;
    *text_n = n;
    if (n == 0)
        return true;
    bool known = charset && *charset;
    if (known && name_is(charset, utf8_names)) {
        if (vg_utf8_valid(data, n))
            return true;
        /* Declared UTF-8/ASCII but not: a common lie, usually cp1252. */
        known = false;
    }
    /* from here on the text is what is appended to out */
    size_t n0 = out->n;
    bool r;
    if (known && name_is(charset, latin_names)) {
        from_cp1252(data, n, out);
        r = true;
    } else if (known && icu_convert(charset, data, n, out)) {
        r = true;
    } else if (vg_utf8_valid(data, n)) {
        /* Missing or unknown charset: valid UTF-8 is taken as is, else guess. */
        return !(charset && *charset);
    } else {
        const char *g = guess_charset(data, n);
        if (g && !name_is(g, utf8_names) && !name_is(g, latin_names) &&
            icu_convert(g, data, n, out)) {
            r = false;
        } else {
            from_cp1252(data, n, out);
            r = !(charset && *charset) ? true : false;
        }
    }
    *text = out->p ? out->p + n0 : "";
    *text_n = out->n - n0;
    return r;
}

char *vg_mail__to_utf8_arena(vg_arena *a, const char *charset, const void *data, size_t n,
                             bool *guessed)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    bool ok = vg_mail__to_utf8(charset, data, n, &b);
    if (guessed)
        *guessed = !ok;
    char *r = vg_mail__arena_buf(a, &b);
    vg_buf_free(&b);
    return r;
}

/* Invisible characters that have no business in a display name. */
static bool invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 || cp == 0x2061 || cp == 0x2062 ||
           cp == 0x2063 || cp == 0x2064 || cp == 0xFEFF || cp == 0x00AD || cp == 0x034F ||
           cp == 0x180E || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0000 && cp <= 0xE007F);
}

bool vg_mail__has_bidi_control(const char *s)
{
    if (!s)
        return false;
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = vg_utf8_decode(p + i, n - i, &cp);
        if (!k) {
            i++;
            continue;
        }
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
            cp == 0x200F || cp == 0x061C)
            return true;
        i += k;
    }
    return false;
}

/* Scripts that legitimately mix within one word (Japanese, Chinese, Korean
 * writing, with Latin) count as one, as in UTS #39's "highly restrictive". */
static UScriptCode script_group(UScriptCode sc)
{
    switch (sc) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_LATIN:
        return USCRIPT_LATIN;
    default:
        return sc;
    }
}

unsigned vg_mail__name_evidence(const char *name)
{
    if (!name)
        return 0;
    unsigned ev = 0;
    const uint8_t *p = (const uint8_t *)name;
    size_t n = strlen(name);
    /* Mixed scripts are judged per word: "Pаypal" mixes Latin and Cyrillic
     * in one word, "Иван Smith" does not. */
    UScriptCode word_script = USCRIPT_COMMON;
    bool word_mixed = false;
    for (size_t i = 0; i <= n;) {
        uint32_t cp = 0;
        size_t k = i < n ? vg_utf8_decode(p + i, n - i, &cp) : 1;
        if (!k) {
            i++;
            continue;
        }
        bool boundary = i >= n || cp == ' ' || cp == '\t' || cp == ',' || cp == '"' || cp == '.' ||
                        cp == '-' || cp == '@' || cp == '(' || cp == ')' || cp == '|';
        if (boundary) {
            if (word_mixed)
                ev |= VG_MAIL_EV_NAME_MIXED_SCRIPT;
            word_script = USCRIPT_COMMON;
            word_mixed = false;
            i += k;
            continue;
        }
        if (invisible(cp))
            ev |= VG_MAIL_EV_NAME_ZERO_WIDTH;
        if (cp >= 0x80) {
            UErrorCode st = U_ZERO_ERROR;
            UScriptCode sc = uscript_getScript((UChar32)cp, &st);
            if (U_SUCCESS(st) && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
                sc = script_group(sc);
                if (word_script == USCRIPT_COMMON)
                    word_script = sc;
                else if (sc != word_script)
                    word_mixed = true;
            }
        } else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
            if (word_script == USCRIPT_COMMON)
                word_script = USCRIPT_LATIN;
            else if (word_script != USCRIPT_LATIN)
                word_mixed = true;
        }
        i += k;
    }
    return ev;
}

/* ---- RFC 2047 encoded words ------------------------------------------------------------ */

/* Parses "=?charset?E?text?=" at s. On success fills the parts and returns
 * the end of the word. Charsets carry an optional RFC 2231 "*lang". */
static const char *encoded_word(const char *s, const char **cs, size_t *csl, char *enc,
                                const char **txt, size_t *txtl)
{
    const char *p = s + 2;
    const char *c = p;
    while (*p && *p != '?' && *p != ' ' && *p != '\t' && p - c < 63)
        p++;
    if (*p != '?' || p == c)
        return NULL;
    *cs = c;
    const char *star = memchr(c, '*', (size_t)(p - c));
    *csl = (size_t)((star ? star : p) - c);
    p++;
    char e = (char)(*p | 0x20);
    if ((e != 'b' && e != 'q') || p[1] != '?')
        return NULL;
    *enc = e;
    p += 2;
    const char *t = p;
    while (*p && !(p[0] == '?' && p[1] == '=') && *p != ' ' && *p != '\t')
        p++;
    if (p[0] != '?' || p[1] != '=')
        return NULL;
    *txt = t;
    *txtl = (size_t)(p - t);
    return p + 2;
}

static void decode_word_text(char enc, const char *t, size_t n, vg_buf *raw)
{
    if (enc == 'b') { /* the same decoder as base64 bodies */
        if (vg_buf_reserve(raw, n / 4 * 3 + 3)) {
            raw->n += vg_mail__base64_decode((const unsigned char *)t, n,
                                             (unsigned char *)raw->p + raw->n);
            raw->p[raw->n] = 0;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (t[i] == '_') {
            vg_buf_putc(raw, ' ');
        } else if (t[i] == '=' && i + 2 < n && (hi = vg_hex_digit((unsigned char)t[i + 1])) >= 0 &&
                   (lo = vg_hex_digit((unsigned char)t[i + 2])) >= 0) {
            vg_buf_putc(raw, (char)(hi << 4 | lo));
            i += 2;
        } else {
            vg_buf_putc(raw, t[i]);
        }
    }
}

/* Bytes of consecutive words in one charset are converted together: a
 * multi-byte character split across two words is still one character. */
static void flush_words(vg_buf *out, vg_buf *raw, const char *cs, size_t csl)
{
    if (raw->n == 0)
        return;
    char name[64];
    if (csl >= sizeof name)
        csl = sizeof name - 1;
    memcpy(name, cs, csl);
    name[csl] = 0;
    vg_mail__to_utf8(name, raw->p, raw->n, out);
    raw->n = 0;
}

char *vg_mail__rfc2047_utf8_phrase(vg_arena *a, const char *s, size_t n)
{
    vg_buf raw;
    vg_buf_init(&raw, 0);
    const char *p = s, *end = s + n;
    char *r = NULL;
    while (p < end) {
        const char *cs, *txt, *we;
        size_t csl, txtl;
        char enc;
        if (end - p < 2 || p[0] != '=' || p[1] != '?')
            goto out;
        we = encoded_word(p, &cs, &csl, &enc, &txt, &txtl);
        if (!we || we > end || csl != 5 || strncasecmp(cs, "utf-8", 5) != 0 || cs[5] != '?')
            goto out;
        /* well-formed text only: B in quanta of four, padding at the end;
         * Q with "=XX" escapes */
        if (enc == 'b' && txtl % 4 != 0)
            goto out;
        for (size_t i = 0; i < txtl; i++) {
            unsigned char c = (unsigned char)txt[i];
            if (c <= ' ' || c >= 0x7f)
                goto out;
            if (enc == 'b' && !isalnum(c) && c != '+' && c != '/' &&
                !(c == '=' && i + 2 >= txtl && (i + 1 == txtl || txt[i + 1] == '=')))
                goto out;
            if (enc == 'q' && c == '=' &&
                !(i + 2 < txtl && isxdigit((unsigned char)txt[i + 1]) &&
                  isxdigit((unsigned char)txt[i + 2])))
                goto out;
        }
        size_t before = raw.n;
        decode_word_text(enc, txt, txtl, &raw);
        /* whole characters in each word (GMime joins some split ones, not others) */
        if (raw.failed || (raw.n > before && !vg_utf8_valid(raw.p + before, raw.n - before)))
            goto out;
        p = we;
        if (p < end && *p != ' ')
            goto out;
        while (p < end && *p == ' ')
            p++;
        /* Each word is decoded by itself. GMime joins the base64 of
         * adjacent words before decoding it, so padding in a word before
         * the last ends the name there: "=?UTF-8?B?...IFM=?= =?UTF-8?B?..."
         * showed a sender's "Venmo Support" as "Venmo S" (the rest hidden
         * from the detectors). Such names are read here instead. */
    }
    /* the surrounding white space of the decoded name goes, as GMime trims it */
    size_t lo = 0, hi = raw.n;
    while (lo < hi && raw.p[lo] == ' ')
        lo++;
    while (hi > lo && raw.p[hi - 1] == ' ')
        hi--;
    if (lo == hi)
        goto out;
    for (size_t i = lo; i < hi; i++) {
        unsigned char c = (unsigned char)raw.p[i];
        if (c < ' ' || c == 0x7f || c == '"' || c == '\\')
            goto out;
    }
    if (memmem(raw.p + lo, hi - lo, "  ", 2))
        goto out;
    r = vg_arena_strndup(a, raw.p + lo, hi - lo);
out:
    vg_buf_free(&raw);
    return r;
}

char *vg_mail__rfc2047(vg_arena *a, const char *s)
{
    vg_buf out, raw;
    vg_buf_init(&out, 0);
    vg_buf_init(&raw, 0);
    const char *cur_cs = NULL;
    size_t cur_csl = 0;
    const char *p = s;
    bool after_word = false;
    for (;;) {
        const char *q = strstr(p, "=?");
        const char *cs, *txt, *end = NULL;
        size_t csl = 0, txtl = 0;
        char enc = 0;
        if (q)
            end = encoded_word(q, &cs, &csl, &enc, &txt, &txtl);
        if (!q) {
            flush_words(&out, &raw, cur_cs, cur_csl);
            vg_buf_append(&out, p, strlen(p));
            break;
        }
        if (!end) { /* "=?" that starts no word: literal */
            flush_words(&out, &raw, cur_cs, cur_csl);
            vg_buf_append(&out, p, (size_t)(q + 2 - p));
            p = q + 2;
            after_word = false;
            continue;
        }
        /* white space between two encoded words is not text (RFC 2047 6.2) */
        bool only_space = true;
        for (const char *x = p; x < q; x++) {
            if (*x != ' ' && *x != '\t') {
                only_space = false;
                break;
            }
        }
        if (!(after_word && only_space)) {
            flush_words(&out, &raw, cur_cs, cur_csl);
            vg_buf_append(&out, p, (size_t)(q - p));
        }
        if (cur_cs && (csl != cur_csl || strncasecmp(cs, cur_cs, csl) != 0))
            flush_words(&out, &raw, cur_cs, cur_csl);
        cur_cs = cs;
        cur_csl = csl;
        decode_word_text(enc, txt, txtl, &raw);
        p = end;
        after_word = true;
    }
    char *r = vg_mail__arena_buf(a, &out);
    vg_buf_free(&out);
    vg_buf_free(&raw);
    return r;
}
