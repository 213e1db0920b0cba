/* phish_lure.c — one vectorscan pass over the subject and the visible text
 * finds every lure phrase (data/lexicons.yaml) and every brand keyword
 * (data/brands.yaml); the lure detector then turns themes into reasons.
 *
 * A theme counts when it has a "strong" phrase, a phrase in the subject, or
 * two distinct phrases in the text. Lure reasons are supporting: they add to
 * other signals, never flag a message alone (phish_engine.c). */
#include <string.h>

#include <unicode/uchar.h>

#include "phish_internal.h"

#define SCAN_MAX ((size_t)512 << 10)

/* Printable ASCII but space: only lower-cased. */
static bool plain_ascii(unsigned char ch) { return ch > ' ' && ch < 0x7F; }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PH_SWAR 1 /* eight bytes at a time through the common case */
#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull
#define LOW7 0x7F7F7F7F7F7F7F7Full

/* Eight bytes of prose the normalization only lower-cases: printable ASCII
 * where a space stands alone between two other characters. Then *lower is
 * the bytes lower-cased. */
static bool plain_block(const unsigned char *p, uint64_t *lower)
{
    uint64_t x;
    memcpy(&x, p, 8);
    if ((x & HIGH) || ((x + 0x60 * ONES) & HIGH) != HIGH || ((x + ONES) & HIGH))
        return false; /* not all in 0x20..0x7E */
    uint64_t t = x ^ (0x20 * ONES);
    uint64_t sp = ~(((t & LOW7) + LOW7) | t | LOW7) & HIGH; /* high bit of each space */
    if ((sp & 0x80u) || (sp >> 56) || (sp & (sp << 8)))
        return false; /* a space first, last or twice in a row */
    uint64_t upper = ((x + (0x80 - 'A') * ONES) & ~(x + (0x80 - 'Z' - 1) * ONES)) & HIGH;
    *lower = x | (upper >> 2);
    return true;
}
#endif

size_t ph_normalize_text(const char *in, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t k = 0;
    bool space = false;
    for (size_t i = 0; i < n;) {
        unsigned char ch = p[i];
#ifdef PH_SWAR
        uint64_t low;
        if (i + 8 <= n && ch != ' ' && plain_block(p + i, &low)) {
            if (space && k > 0)
                out[k++] = ' ';
            space = false;
            memcpy(out + k, &low, 8); /* k <= i: the output never outruns the input */
            k += 8;
            i += 8;
            continue;
        }
#endif
        if (plain_ascii(ch)) {
            if (space && k > 0)
                out[k++] = ' ';
            space = false;
            out[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            i++;
            continue;
        }
        bool ws = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
        size_t adv = 1;
        if (ch == 0xC2 && i + 1 < n && p[i + 1] == 0xA0) {
            ws = true; /* no-break space */
            adv = 2;
        }
        if (ws) {
            space = true;
            i += adv;
            continue;
        }
        if (space && k > 0)
            out[k++] = ' ';
        space = false;
        if (ch < 0x80) {
            out[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            i++;
        } else if (ch == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E && p[i + 1] != 0x97) {
            out[k++] = (char)0xC3; /* À-Þ -> à-þ */
            out[k++] = (char)(p[i + 1] + 0x20);
            i += 2;
        } else if (ch == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0x98 || p[i + 2] == 0x99)) {
            out[k++] = '\''; /* ‘ ’ */
            i += 3;
        } else {
            out[k++] = (char)ch;
            i++;
        }
    }
    out[k] = 0;
    return k;
}

/* Letter or digit at a boundary (decoding UTF-8 around the match). */
static bool alnum_cp(const char *t, size_t n, size_t at, bool before)
{
    const uint8_t *p = (const uint8_t *)t;
    if (before) {
        if (at == 0)
            return false;
        size_t s = at - 1;
        while (s > 0 && (p[s] & 0xC0) == 0x80 && at - s < 4)
            s--;
        at = s;
    } else if (at >= n) {
        return false;
    }
    uint32_t cp;
    size_t l = vg_utf8_decode(p + at, n - at, &cp);
    if (!l)
        return false;
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z' ? true : (cp >= '0' && cp <= '9');
    return u_isalnum((UChar32)cp);
}

bool ph_on_boundary(const char *t, size_t n, size_t from, size_t to, bool prefix)
{
    bool lead_word = from < n && alnum_cp(t, n, from, false);
    bool trail_word = to > 0 && alnum_cp(t, n, to, true);
    if (lead_word && alnum_cp(t, n, from, true))
        return false;
    if (!prefix && trail_word && alnum_cp(t, n, to, false))
        return false;
    return true;
}

typedef struct scan_ud {
    ph_ctx *c;
    const char *text;
    size_t n;
    bool subject;
    unsigned char *cand; /* brand candidates mode */
} scan_ud;

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    scan_ud *u = ctx;
    ph_ctx *c = u->c;
    const vg_phish_engine *e = c->eng;
    if (id >= e->n_patterns || to < e->pattern_len[id])
        return 0;
    size_t start = (size_t)to - e->pattern_len[id];
    if (!ph_on_boundary(u->text, u->n, start, (size_t)to, e->pattern_flags[id] & PH_PAT_PREFIX))
        return 0;
    int lure = e->pattern_lure[id];
    int brand = e->pattern_brand[id];
    if (u->cand) {
        if (brand >= 0)
            u->cand[brand] = 1;
        return 0;
    }
    if (e->pattern_flags[id] & PH_PAT_NAME)
        return 0; /* display-name forms only */
    if (lure >= 0 && lure < 32) {
        if (u->subject)
            c->lure_subject[lure]++;
        else
            c->lure_hits[lure]++;
        if (e->pattern_strong[id])
            c->lure_strong[lure] = true;
        if (!c->lure_example[lure])
            c->lure_example[lure] = e->pattern_text[id];
    } else if (brand >= 0) {
        if (u->subject)
            c->brand_subject[brand]++;
        else if (c->brand_hits[brand] < 1000)
            c->brand_hits[brand]++;
    }
    return 0;
}

/* Length of s cut to at most max bytes on a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

static void scan(ph_ctx *c, const char *raw, size_t n, bool subject)
{
    vg_phish_engine *e = c->eng;
    if (n == 0)
        return;
    scan_ud u = {c, raw, n, subject, NULL};
    if (e->hs_db_cs)
        hs_scan(e->hs_db_cs, raw, (unsigned)n, 0, e->hs_scratch, on_match, &u);
    if (e->hs_db) {
        char *norm = vg_arena_alloc(c->a, n + 1);
        size_t nn = ph_normalize_text(raw, n, norm);
        u.text = norm;
        u.n = nn;
        hs_scan(e->hs_db, norm, (unsigned)nn, 0, e->hs_scratch, on_match, &u);
    }
}

void ph_brand_candidates(ph_ctx *c, const char *raw, size_t n, const char *const *forms,
                         size_t n_forms, unsigned char *cand)
{
    vg_phish_engine *e = c->eng;
    scan_ud u = {c, raw, n, false, cand};
    if (e->hs_db_cs && n > 0)
        hs_scan(e->hs_db_cs, raw, (unsigned)n, 0, e->hs_scratch, on_match, &u);
    if (!e->hs_db)
        return;
    /* one pass over the normalized forms joined by NULs: no literal holds a
     * NUL, so none matches across two forms, and a NUL is a word boundary
     * just like the start or the end of a form */
    size_t total = n + 1;
    for (size_t i = 0; i < n_forms; i++)
        total += strlen(forms[i]) + 1;
    char *norm = vg_arena_alloc(c->a, total + 1);
    size_t k = ph_normalize_text(raw, n, norm);
    for (size_t i = 0; i < n_forms; i++) {
        size_t fl = strlen(forms[i]);
        if (fl == 0)
            continue;
        norm[k++] = 0;
        k += ph_normalize_text(forms[i], fl, norm + k);
    }
    if (k == 0)
        return;
    u.text = norm;
    u.n = k;
    hs_scan(e->hs_db, norm, (unsigned)k, 0, e->hs_scratch, on_match, &u);
}

void ph_detect_scan(ph_ctx *c)
{
    vg_phish_engine *e = c->eng;
    c->brand_hits = vg_arena_calloc(c->a, e->n_brands ? e->n_brands : 1, sizeof *c->brand_hits);
    c->brand_subject =
        vg_arena_calloc(c->a, e->n_brands ? e->n_brands : 1, sizeof *c->brand_subject);
    const char *subj = c->m->subject;
    scan(c, subj, utf8_cut(subj, strlen(subj), 4096), true);
    /* the text starts with the subject line: skip it */
    const char *t = c->text;
    size_t n = c->text_len;
    const char *nl = memchr(t, '\n', n);
    if (nl) {
        n -= (size_t)(nl + 1 - t);
        t = nl + 1;
    }
    scan(c, t, utf8_cut(t, n, SCAN_MAX), false);
}

void ph_detect_lure(ph_ctx *c)
{
    const vg_phish_engine *e = c->eng;
    int best_w = -1;
    for (size_t i = 0; i < e->n_lures && i < 32; i++) {
        unsigned total = c->lure_hits[i] + c->lure_subject[i];
        bool present = c->lure_strong[i] || c->lure_subject[i] > 0 || c->lure_hits[i] >= 2;
        if (!present)
            continue;
        const ph_lure *l = &e->lures[i];
        const char *detail = vg_arena_printf(
            c->a, "%s lure: \"%s\"%s (%u phrase%s%s)", l->label,
            c->lure_example[i] ? c->lure_example[i] : "?", total > 1 ? " and others" : "",
            total, total == 1 ? "" : "s", c->lure_subject[i] ? ", in the subject" : "");
        ph_fire_lure(c, l->weight, detail);
        /* the main lure is the theme with the most evidence (distinct
         * phrases, a strong phrase counting two more), the heavier theme on
         * a tie: a recruiter's "confidential opportunity" about vaccine work
         * is a job offer, not an advance-fee or COVID-19 lure */
        int ev = (int)(total > 50 ? 50 : total) + (c->lure_strong[i] ? 2 : 0);
        int w = (l->minor ? 0 : ev * 100) + l->weight;
        if (w > best_w) {
            best_w = w;
            c->lure_best = (int)i;
        }
    }
}

bool ph_lure_present(const ph_ctx *c, const char *id)
{
    const vg_phish_engine *e = c->eng;
    for (size_t i = 0; i < e->n_lures && i < 32; i++) {
        if (strcmp(e->lures[i].id, id) == 0)
            return c->lure_strong[i] || c->lure_subject[i] > 0 || c->lure_hits[i] >= 2;
    }
    return false;
}
