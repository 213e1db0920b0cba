/* report_text.c — words, phrases and sentences for `vigil intel report`: the
 * tokenizer (runs of letters and digits, with the class of each gap), the
 * phrase matcher over gazetteer lists (sorted first words + binary search,
 * longest match wins) and the sentence splitter (ICU break iterator, then
 * re-joined after abbreviations such as "Dr." and "U.S."). See report_int.h. */
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "intel/report_int.h"

/* ---- tokens ----------------------------------------------------------------------- */

static bool is_word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (u_isalnum((UChar32)cp))
        return true;
    int8_t t = u_charType((UChar32)cp);
    return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

char *rp_fold(vg_arena *a, const char *s, size_t n)
{
    char *out = vg_arena_alloc(a, n * 2 + 1); /* simple folding grows at most 2x in UTF-8 */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = vg_utf8_decode((const uint8_t *)s + i, n - i, &cp);
        if (l == 0) {
            i++;
            continue;
        }
        uint32_t f = (uint32_t)u_foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT);
        char enc[4];
        size_t el = vg_utf8_encode(f, enc);
        if (o + el > n * 2) /* cannot happen: a fold never needs more than 2x */
            break;
        memcpy(out + o, enc, el);
        o += el;
        i += l;
    }
    out[o] = '\0';
    return out;
}

uint64_t rp_word_hash(const char *w)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *w; w++) {
        h ^= (unsigned char)*w;
        h *= 1099511628211ULL;
    }
    return h | 1;
}

static bool word_at(const char *text, size_t n, size_t i)
{
    if (i >= n)
        return false;
    uint32_t cp;
    size_t l = vg_utf8_decode((const uint8_t *)text + i, n - i, &cp);
    return l && is_word_cp(cp);
}

static bool word_before(const char *text, size_t i)
{
    if (i == 0)
        return false;
    size_t j = i - 1;
    while (j > 0 && ((unsigned char)text[j] & 0xC0) == 0x80)
        j--;
    uint32_t cp;
    size_t l = vg_utf8_decode((const uint8_t *)text + j, i - j, &cp);
    return l && is_word_cp(cp);
}

size_t rp_tokenize(const char *text, size_t n, vg_arena *a, rp_tok **toks, size_t *cap)
{
    size_t nt = 0;
    uint16_t gap = RP_GAP_START;
    bool quoted = false;
    size_t last_len = 0; /* letters in the previous token */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = vg_utf8_decode((const uint8_t *)text + i, n - i, &cp);
        if (l == 0) {
            l = 1;
            cp = 0xFFFD;
        }
        if (is_word_cp(cp)) {
            size_t start = i;
            bool all_digit = true, all_alpha = true, all_upper = true;
            size_t letters = 0;
            bool first = true, cap1 = false;
            while (i < n) {
                size_t m = vg_utf8_decode((const uint8_t *)text + i, n - i, &cp);
                if (m == 0 || !is_word_cp(cp))
                    break;
                bool digit = cp < 0x80 ? (cp >= '0' && cp <= '9') : u_isdigit((UChar32)cp);
                bool alpha = !digit && u_isalpha((UChar32)cp);
                if (!digit)
                    all_digit = false;
                if (!alpha)
                    all_alpha = false;
                if (alpha) {
                    letters++;
                    if (!u_isupper((UChar32)cp) && !u_istitle((UChar32)cp))
                        all_upper = false;
                }
                if (first) {
                    cap1 = u_isupper((UChar32)cp) || u_istitle((UChar32)cp);
                    first = false;
                }
                i += m;
            }
            *toks = vg_xgrow(*toks, cap, nt + 1, sizeof **toks);
            rp_tok *t = &(*toks)[nt++];
            t->off = (uint32_t)start;
            t->len = (uint32_t)(i - start);
            t->fold = rp_fold(a, text + start, i - start);
            t->hash = rp_word_hash(t->fold);
            t->flags = 0;
            if (cap1)
                t->flags |= RP_TK_CAP;
            if (letters >= 2 && all_upper)
                t->flags |= RP_TK_UPPER;
            if (all_digit)
                t->flags |= RP_TK_NUM;
            if (all_alpha)
                t->flags |= RP_TK_ALPHA;
            if (quoted)
                t->flags |= RP_TK_QUOTED;
            t->gap = gap;
            gap = 0;
            last_len = letters;
            continue;
        }
        uint16_t g;
        switch (cp) {
        case ' ': case '\t': case '\n': case '\r': case 0xA0:
            g = RP_GAP_SPACE;
            break;
        case '-': case 0x2010: case 0x2011:
            g = (word_before(text, i) && word_at(text, n, i + l)) ? RP_GAP_HYPHEN : RP_GAP_CLAUSE;
            break;
        case '(': case ')':
            g = RP_GAP_PAREN;
            break;
        case 0x2012: case 0x2013: case 0x2014: case 0x2015: case ';': case ':':
        case '[': case ']': case '{': case '}': case '|':
            g = RP_GAP_CLAUSE;
            break;
        case '\'': case 0x2019: case 0x2018:
            g = RP_GAP_APOS;
            break;
        case '"': case 0x201C: case 0x201D: case 0x00AB: case 0x00BB:
            g = RP_GAP_QUOTE;
            quoted = !quoted;
            break;
        case ',':
            g = RP_GAP_COMMA;
            break;
        case '.':
            /* "U.S." and "e.g." keep going; a period before a space after a
             * longer word ends a sentence-like unit. */
            if (word_at(text, n, i + l) || last_len == 1)
                g = RP_GAP_DOT;
            else
                g = RP_GAP_STOP;
            break;
        case '!': case '?':
            g = RP_GAP_STOP;
            break;
        default:
            g = RP_GAP_OTHER;
            break;
        }
        gap |= g;
        i += l;
    }
    /* "(SVR)", "(Tom Burt)": a parenthesis around one to three words is no
     * clause break */
    for (size_t k = 0; k < nt; k++) {
        if (!((*toks)[k].gap & RP_GAP_PAREN))
            continue;
        for (size_t j = k + 1; j < nt && j <= k + 3; j++) {
            if (!((*toks)[j].gap & RP_GAP_PAREN))
                continue;
            (*toks)[k].gap = (uint16_t)(((*toks)[k].gap & ~RP_GAP_PAREN) | RP_GAP_OTHER);
            (*toks)[j].gap = (uint16_t)(((*toks)[j].gap & ~RP_GAP_PAREN) | RP_GAP_OTHER);
            k = j;
            break;
        }
    }
    return nt;
}

/* ---- phrase matcher ------------------------------------------------------------------- */

static const char *const proper_stop[] = {"of", "the", "and", "de", "du", "la", "le", "des",
                                          "del", "da", "van", "von", "for", "s", NULL};

static bool is_proper_stop(const char *w)
{
    for (size_t i = 0; proper_stop[i]; i++)
        if (strcmp(proper_stop[i], w) == 0)
            return true;
    return false;
}

void rp_matcher_add(rp_matcher *m, vg_arena *a, const char *phrase, uint16_t flags, uint32_t id,
                    uint32_t sub)
{
    size_t plen = strlen(phrase);
    rp_tok *toks = NULL;
    size_t cap = 0;
    /* A '*' is not a word character: find the words and note which are
     * followed by '*' (prefix) and which are lone '*' (gap). */
    const char *w[32];
    const char *orig[32];
    uint8_t wf[32];
    size_t nw = 0;
    size_t i = 0;
    while (i < plen && nw < 32) {
        while (i < plen && (phrase[i] == ' ' || phrase[i] == '\t'))
            i++;
        if (i >= plen)
            break;
        size_t s = i;
        while (i < plen && phrase[i] != ' ' && phrase[i] != '\t')
            i++;
        /* one space-separated chunk: may hold several words ("spear-phishing", "U.S.") */
        if (i - s == 1 && phrase[s] == '*') {
            w[nw] = "*";
            orig[nw] = "*";
            wf[nw++] = RP_W_GAP;
            continue;
        }
        bool star = phrase[i - 1] == '*';
        size_t e = star ? i - 1 : i;
        size_t nt = rp_tokenize(phrase + s, e - s, a, &toks, &cap);
        for (size_t k = 0; k < nt && nw < 32; k++) {
            w[nw] = toks[k].fold;
            orig[nw] = vg_arena_strndup(a, phrase + s + toks[k].off, toks[k].len);
            wf[nw++] = (star && k == nt - 1) ? RP_W_PREFIX : 0;
        }
    }
    free(toks);
    if (nw == 0 || (wf[0] & RP_W_GAP))
        return;
    m->ph = vg_xgrow(m->ph, &m->cap, m->n + 1, sizeof *m->ph);
    rp_phrase *p = &m->ph[m->n++];
    p->n = (uint16_t)nw;
    p->w = vg_arena_alloc(a, nw * sizeof *p->w);
    p->orig = vg_arena_alloc(a, nw * sizeof *p->orig);
    p->wf = vg_arena_alloc(a, nw);
    memcpy(p->w, w, nw * sizeof *w);
    memcpy(p->orig, orig, nw * sizeof *orig);
    memcpy(p->wf, wf, nw);
    p->flags = flags;
    p->id = id;
    p->sub = sub;
    m->built = false;
}

static int cmp_pfx(const void *x, const void *y, void *ud)
{
    const rp_phrase *ph = ud;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    unsigned char ca = (unsigned char)ph[a].w[0][0], cb = (unsigned char)ph[b].w[0][0];
    if (ca != cb)
        return ca < cb ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int cmp_order(const void *x, const void *y, void *ud)
{
    const rp_phrase *ph = ud;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    int c = strcmp(ph[a].w[0], ph[b].w[0]);
    if (c)
        return c;
    return a < b ? -1 : a > b;
}

void rp_matcher_build(rp_matcher *m)
{
    if (m->built)
        return;
    free(m->order);
    free(m->pfx);
    free(m->slots);
    m->order = vg_xcalloc(m->n ? m->n : 1, sizeof *m->order);
    m->pfx = vg_xcalloc(m->n ? m->n : 1, sizeof *m->pfx);
    m->norder = m->npfx = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->ph[i].wf[0] & RP_W_PREFIX)
            m->pfx[m->npfx++] = (uint32_t)i;
        else
            m->order[m->norder++] = (uint32_t)i;
    }
    qsort_r(m->order, m->norder, sizeof *m->order, cmp_order, m->ph);
    qsort_r(m->pfx, m->npfx, sizeof *m->pfx, cmp_pfx, m->ph);
    /* prefix phrases by first byte */
    size_t k = 0;
    for (int b = 0; b < 256; b++) {
        m->pfx_at[b] = (uint32_t)k;
        while (k < m->npfx && (unsigned char)m->ph[m->pfx[k]].w[0][0] == b)
            k++;
    }
    m->pfx_at[256] = (uint32_t)k;
    /* first words -> ranges of order */
    m->nslots = 16;
    while (m->nslots < m->norder * 2)
        m->nslots *= 2;
    m->slots = vg_xcalloc(m->nslots, sizeof *m->slots);
    for (size_t i = 0; i < m->norder;) {
        size_t j = i + 1;
        while (j < m->norder && strcmp(m->ph[m->order[j]].w[0], m->ph[m->order[i]].w[0]) == 0)
            j++;
        uint64_t h = rp_word_hash(m->ph[m->order[i]].w[0]);
        size_t s = h & (m->nslots - 1);
        while (m->slots[s].hash)
            s = (s + 1) & (m->nslots - 1);
        m->slots[s] = (rp_slot){h, (uint32_t)i, (uint32_t)j};
        i = j;
    }
    m->built = true;
}

void rp_matcher_free(rp_matcher *m)
{
    free(m->ph);
    free(m->order);
    free(m->pfx);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static bool word_matches(const rp_phrase *p, size_t w, const char *text, const rp_tok *t)
{
    if (p->wf[w] & RP_W_PREFIX) {
        size_t l = strlen(p->w[w]);
        if (strncmp(t->fold, p->w[w], l) != 0)
            return false;
    } else if (strcmp(t->fold, p->w[w]) != 0) {
        return false;
    }
    if (p->flags & RP_PH_EXACT) {
        size_t l = strlen(p->orig[w]);
        bool pfx = p->wf[w] & RP_W_PREFIX;
        if ((pfx ? t->len < l : l != t->len) || memcmp(text + t->off, p->orig[w], l) != 0)
            return false;
    }
    if ((p->flags & RP_PH_PROPER) && (t->flags & RP_TK_ALPHA) && !is_proper_stop(t->fold) &&
        !(t->flags & (RP_TK_CAP | RP_TK_UPPER)))
        return false;
    if ((p->flags & RP_PH_CAPONE) && (t->flags & RP_TK_ALPHA) &&
        !(t->flags & (RP_TK_CAP | RP_TK_UPPER)))
        return false;
    return true;
}

/* Matches words w.. of p starting at token j; returns the end token or 0. */
static uint32_t match_from(const rp_phrase *p, size_t w, const char *text, const rp_tok *t,
                           size_t n, size_t j, bool first)
{
    if (w == p->n)
        return (uint32_t)j;
    if (p->wf[w] & RP_W_GAP) {
        for (size_t skip = 0; skip <= 3; skip++) {
            if (j + skip > n)
                break;
            /* the skipped words must themselves be joined */
            bool ok = true;
            for (size_t k = j; k < j + skip; k++)
                if (t[k].gap & ~RP_GAP_JOINS)
                    ok = false;
            if (!ok)
                break;
            uint32_t e = match_from(p, w + 1, text, t, n, j + skip, false);
            if (e)
                return e;
        }
        return 0;
    }
    if (j >= n)
        return 0;
    if (!first && (t[j].gap & ~RP_GAP_JOINS))
        return 0;
    if (!word_matches(p, w, text, &t[j]))
        return 0;
    return match_from(p, w + 1, text, t, n, j + 1, false);
}

uint32_t rp_matcher_at(const rp_matcher *m, const char *text, const rp_tok *t, size_t n, size_t i,
                       uint32_t *id)
{
    uint32_t best = 0;
    uint32_t best_ph = 0;
    if (m->nslots) {
        size_t s = t[i].hash & (m->nslots - 1);
        while (m->slots[s].hash && m->slots[s].hash != t[i].hash)
            s = (s + 1) & (m->nslots - 1);
        for (size_t k = m->slots[s].lo; m->slots[s].hash && k < m->slots[s].hi; k++) {
            const rp_phrase *p = &m->ph[m->order[k]];
            uint32_t e = match_from(p, 0, text, t, n, i, true);
            if (e > best) {
                best = e;
                best_ph = m->order[k];
            }
        }
    }
    unsigned char b0 = (unsigned char)t[i].fold[0];
    for (size_t k = m->pfx_at[b0]; m->built && k < m->pfx_at[b0 + 1]; k++) {
        const rp_phrase *p = &m->ph[m->pfx[k]];
        uint32_t e = match_from(p, 0, text, t, n, i, true);
        if (e > best) {
            best = e;
            best_ph = m->pfx[k];
        }
    }
    if (best && id)
        *id = best_ph;
    return best;
}

void rp_hits_index(rp_hits *h, uint32_t ntok, vg_arena *a)
{
    h->ntok = ntok;
    h->cover = NULL;
    if (!h->n || !ntok)
        return;
    h->cover = vg_arena_alloc(a, ntok * sizeof *h->cover);
    for (uint32_t i = 0; i < ntok; i++)
        h->cover[i] = -1;
    for (size_t k = 0; k < h->n; k++)
        for (uint32_t i = h->v[k].t0; i < h->v[k].t1 && i < ntok; i++)
            h->cover[i] = (int32_t)k;
}

rp_hits rp_matcher_scan(const rp_matcher *m, const char *text, const rp_tok *t, size_t n,
                        vg_arena *a)
{
    rp_hits h = {NULL, 0, NULL, 0};
    if (!m->n || !n) {
        h.ntok = (uint32_t)n;
        return h;
    }
    rp_hit *tmp = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n;) {
        uint32_t ph;
        uint32_t e = rp_matcher_at(m, text, t, n, i, &ph);
        if (e) {
            tmp = vg_xgrow(tmp, &cap, h.n + 1, sizeof *tmp);
            tmp[h.n++] = (rp_hit){(uint32_t)i, e, m->ph[ph].id, m->ph[ph].sub};
            i = e;
        } else {
            i++;
        }
    }
    if (h.n) {
        h.v = vg_arena_alloc(a, h.n * sizeof *h.v);
        memcpy(h.v, tmp, h.n * sizeof *h.v);
    }
    free(tmp);
    rp_hits_index(&h, (uint32_t)n, a);
    return h;
}

/* ---- sentences --------------------------------------------------------------------------- */

/* Does the sentence end with "<abbreviation>." (so the break is not real)? */
static bool ends_with_abbrev(const vg_report_kb *kb, const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    if (!n || s[n - 1] != '.')
        return false;
    size_t e = n - 1, b = e;
    while (b > 0 && s[b - 1] != ' ' && s[b - 1] != '(' && s[b - 1] != '"')
        b--;
    if (b == e)
        return false;
    /* a single capital letter + "." is an initial ("John F. Kennedy") */
    if (e - b == 1 && s[b] >= 'A' && s[b] <= 'Z')
        return true;
    char w[16];
    size_t l = 0;
    for (size_t i = b; i < e && l < sizeof w - 1; i++)
        w[l++] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    w[l] = '\0';
    if (!kb)
        return false;
    for (size_t i = 0; i < kb->abbrev.n; i++)
        if (strcmp(kb->abbrev.v[i], w) == 0)
            return true;
    return false;
}

static bool starts_lower(const char *s, size_t n)
{
    uint32_t cp;
    size_t l = vg_utf8_decode((const uint8_t *)s, n, &cp);
    return l && u_islower((UChar32)cp);
}

size_t rp_split_sentences(const vg_report_kb *kb, const char *text, vg_arena *a,
                          rp_sentence **out, size_t max)
{
    size_t ns = 0, cap = 0;
    rp_sentence *v = NULL;
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *bi = kb && kb->sentence_break
                             ? ubrk_clone(kb->sentence_break, &st)
                             : ubrk_open(UBRK_SENTENCE, "en_US@ss=standard", NULL, 0, &st);
    if (U_FAILURE(st))
        bi = NULL;
    UChar *u = NULL;
    size_t ucap = 0;
    vg_buf piece;
    vg_buf_init(&piece, 0);
    uint32_t para = 0;
    const char *p = text;
    while (*p && ns < max) {
        const char *end = strstr(p, "\n\n");
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        if (plen == 0) {
            p = end ? end + 2 : p + plen;
            continue;
        }
        /* UTF-8 -> UTF-16 for ICU */
        int32_t ulen = 0;
        st = U_ZERO_ERROR;
        u = vg_xgrow(u, &ucap, plen + 1, sizeof *u);
        u_strFromUTF8WithSub(u, (int32_t)ucap, &ulen, p, (int32_t)plen, 0xFFFD, NULL, &st);
        bool split_ok = bi && U_SUCCESS(st);
        size_t first_of_para = ns;
        if (split_ok) {
            st = U_ZERO_ERROR;
            ubrk_setText(bi, u, ulen, &st);
            split_ok = U_SUCCESS(st);
        }
        int32_t b = split_ok ? ubrk_first(bi) : 0;
        for (;;) {
            int32_t e = split_ok ? ubrk_next(bi) : UBRK_DONE;
            if (!split_ok) {
                vg_buf_reset(&piece);
                vg_buf_append(&piece, p, plen);
            } else {
                if (e == UBRK_DONE)
                    break;
                char tmp[256];
                char *dst = tmp;
                int32_t need = 0;
                st = U_ZERO_ERROR;
                u_strToUTF8WithSub(NULL, 0, &need, u + b, e - b, 0xFFFD, NULL, &st);
                char *heap = NULL;
                if (need >= (int32_t)sizeof tmp)
                    dst = heap = vg_xmalloc((size_t)need + 1);
                st = U_ZERO_ERROR;
                u_strToUTF8WithSub(dst, need + 1, &need, u + b, e - b, 0xFFFD, NULL, &st);
                vg_buf_reset(&piece);
                vg_buf_append(&piece, dst, (size_t)need);
                free(heap);
                b = e;
            }
            vg_str s = vg_str_trim(vg_buf_str(&piece));
            if (s.n) {
                bool join = ns > first_of_para &&
                            v[ns - 1].len + s.n < VG_REPORT_MAX_SENTENCE &&
                            (ends_with_abbrev(kb, v[ns - 1].text, v[ns - 1].len) ||
                             starts_lower(s.p, s.n));
                if (join) {
                    rp_sentence *prev = &v[ns - 1];
                    char *j = vg_arena_alloc(a, prev->len + 1 + s.n + 1);
                    memcpy(j, prev->text, prev->len);
                    j[prev->len] = ' ';
                    memcpy(j + prev->len + 1, s.p, s.n);
                    j[prev->len + 1 + s.n] = '\0';
                    prev->text = j;
                    prev->len = (uint32_t)(prev->len + 1 + s.n);
                } else {
                    /* very long "sentences" (lists, run-on text) are cut at a space */
                    while (s.n && ns < max) {
                        size_t take = s.n;
                        if (take > VG_REPORT_MAX_SENTENCE) {
                            take = VG_REPORT_MAX_SENTENCE;
                            while (take > VG_REPORT_MAX_SENTENCE / 2 && s.p[take] != ' ')
                                take--;
                            while (take < s.n && ((unsigned char)s.p[take] & 0xC0) == 0x80)
                                take++;
                        }
                        v = vg_xgrow(v, &cap, ns + 1, sizeof *v);
                        v[ns].text = vg_arena_strndup(a, s.p, take);
                        v[ns].len = (uint32_t)take;
                        v[ns].para = para;
                        v[ns].title = false;
                        ns++;
                        s = vg_str_trim(vg_str_make(s.p + take, s.n - take));
                    }
                }
            }
            if (!split_ok)
                break;
        }
        para++;
        p = end ? end + 2 : p + plen;
    }
    if (bi)
        ubrk_close(bi);
    free(u);
    vg_buf_free(&piece);
    rp_sentence *res = NULL;
    if (ns) {
        res = vg_arena_alloc(a, ns * sizeof *res);
        memcpy(res, v, ns * sizeof *res);
    }
    free(v);
    *out = res;
    return ns;
}
