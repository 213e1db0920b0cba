/* report_extract.c — facts from a clean report, by rules over gazetteer and
 * catalog matches, one sentence at a time. Explainable by construction:
 * every fact names its sentence, and every rule below is a pattern a reader
 * can check.
 *
 * 1. Background. A sentence is about another, older event when it carries
 *    such cues: strong ones ("also accused", "previously", "unlike",
 *    "in the past") count 2, weak ones ("accused", "last week's", "at the
 *    time") 1 each (at most 2), a year before the report's own year counts 2
 *    (1 when that year is unknown and the year reads as a time, "in 2016"),
 *    sectors all absent from the report's lead count 1; cues of the report's
 *    own event ("in recent months", "these attacks") take 1 off. A score of
 *    2 makes the sentence background; a following sentence of the same
 *    paragraph that opens on "the group"/"it"/... inherits it. Facts of
 *    background sentences are kept, flagged, and do not describe the event.
 * 2. Countries take a role. Origin: after "originating from", "linked to",
 *    ...; before "-linked", "hackers", "group", an actor name; the subject
 *    of an active targeting verb ("North Korea and Russia are targeting");
 *    "targeted by X". Target: the object of a targeting verb ("targeting
 *    the UK"); after in/across/from when the phrase's head is a target noun
 *    ("researchers in Canada, France ...") in a sentence that speaks of
 *    targeting; an adjective on a target noun ("Canadian hospitals") there;
 *    the subject of a passive ("Canada was targeted"). Anything else is a
 *    mention and no fact. Lists ("Canada, France and India") share a role.
 *    Ambiguous names ("Jordan", "Georgia") count only in a list or after a
 *    preposition.
 * 3. Actors: every catalog alias, word-bounded; single words must be written
 *    capitalized. An actor's origin is the nearest origin-role country in
 *    the same clause (dashes, semicolons and parentheses end clauses).
 * 4. Sectors, counts ("seven prominent companies"): only after a targeting
 *    cue, or before a passive one, or in a sentence that continues one that
 *    named targets ("one was a clinical research organisation"), and not
 *    when they are the source ("attacks from government agencies").
 * 5. Techniques by phrase; lures need a lure cue ("themes", "-themed",
 *    "lures") and a delivery word (email, message, LinkedIn ...) or a strong
 *    phrase ("fake job offers"); impersonated organizations follow an
 *    impersonation cue ("purporting to represent the WHO").
 * 6. Reporting organization: a known reporter that says, warns, detects ...;
 *    spokespeople: a capitalized name next to a job title in a sentence with
 *    a speech verb, outside quotes. Dates: "November 13, 2020",
 *    "13 November 2020", "2020-11-13", "July 2020".
 * Nothing is extracted but dates, reporters and spokespeople from a report
 * that never speaks of cyber operations (a vaccine news story).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/report_int.h"

enum { ROLE_SKIP = 0, ROLE_MENTION, ROLE_ORIGIN, ROLE_TARGET };

typedef struct sent {
    const char *text;
    uint32_t len, para;
    bool title;
    rp_tok *t;
    uint32_t n;
    rp_hits actor, country, sector, tech, lure, org, reporter;
    rp_hits cue[RP_CUE__N];
    int years[4];
    int nyears;
    int bg;
    bool background;    /* the sentence (up to main_from) is about another event */
    uint32_t main_from; /* a fronted background clause ends here ("Unlike in 2016, ..., X") */
    uint8_t *role; /* per country hit */
    bool targets;  /* a target fact came from this sentence */
} sent;

typedef struct ex {
    const vg_report_kb *kb;
    vg_report *r;
    vg_arena *a;
    sent *s;
    size_t ns;
    bool cyber;
    int main_year;
    uint8_t *lead; /* per sector: named in the report's lead */
    int *vote;     /* per actor x country: origin votes */
} ex;

/* ---- small helpers -------------------------------------------------------------------- */

static bool is(const sent *s, uint32_t i, const char *w)
{
    return i < s->n && strcmp(s->t[i].fold, w) == 0;
}

static bool in_set(const sent *s, uint32_t i, const char *const *set)
{
    if (i >= s->n)
        return false;
    for (size_t k = 0; set[k]; k++)
        if (strcmp(s->t[i].fold, set[k]) == 0)
            return true;
    return false;
}

/* no comma, clause break, quote or sentence stop before token i */
static bool joined(const sent *s, uint32_t i)
{
    return i < s->n &&
           !(s->t[i].gap & (RP_GAP_COMMA | RP_GAP_CLAUSE | RP_GAP_STOP | RP_GAP_QUOTE | RP_GAP_PAREN));
}

static bool breaks(const sent *s, uint32_t i)
{
    return i < s->n && (s->t[i].gap & RP_GAP_BREAKS);
}

/* is token i in the background part of its sentence? */
static bool bg_at(const sent *s, uint32_t i)
{
    return s->background && i < s->main_from;
}

/* index of the hit covering token i, or -1 (hits of one matcher never overlap) */
static int covering(const rp_hits *h, uint32_t i)
{
    return h->cover && i < h->ntok ? h->cover[i] : -1;
}

static int starting(const rp_hits *h, uint32_t i)
{
    int k = covering(h, i);
    return k >= 0 && h->v[k].t0 == i ? k : -1;
}

static int ending(const rp_hits *h, uint32_t end)
{
    if (end == 0)
        return -1;
    int k = covering(h, end - 1);
    return k >= 0 && h->v[k].t1 == end ? k : -1;
}

static const char *const subordinators[] = {"that", "which", "who", "whom", "whose", "when",
                                            "while", "but", "because", "although", "whereas",
                                            "if", "unless", "since", NULL};

/* Is token i the object side of a targeting cue: the last cue before it in
 * the sentence, with no clause break or subordinate clause in between
 * ("attacks from ... groups that governments enable" is not)? */
static bool cue_governs(const sent *s, uint32_t i)
{
    const rp_hits *h = &s->cue[RP_CUE_TARGET];
    if (!h->n)
        return false;
    /* walk back to the last cue ending at or before i */
    for (uint32_t k = i; k-- > 0;) {
        int c = covering(h, k);
        if (c >= 0)
            return true; /* no break or subordinator met on the way */
        if (in_set(s, k, subordinators) || (s->t[k + 1].gap & RP_GAP_BREAKS))
            return false;
    }
    return false;
}

static char *span(ex *x, const sent *s, uint32_t t0, uint32_t t1)
{
    if (t1 <= t0 || t1 > s->n)
        return vg_arena_strdup(x->a, "");
    uint32_t b = s->t[t0].off, e = s->t[t1 - 1].off + s->t[t1 - 1].len;
    return vg_arena_strndup(x->a, s->text + b, e - b);
}

static const char *const aux_words[] = {
    "are", "is", "was", "were", "has", "have", "had", "been", "being", "be", "reportedly",
    "allegedly", "also", "actively", "now", "continue", "continues", "continued", "to", "likely",
    "probably", "may", "might", "could", "will", "would", "repeatedly", "increasingly",
    "already", "recently", "still", "apparently", "all", "both", "s", "not", "openly", NULL};
static const char *const passive_words[] = {"was", "were", "is", "are", "been", "being", "be",
                                            "get", "got", "gets", NULL};
static const char *const list_words[] = {"and", "or", "the", "as", "well", NULL};

/* ---- dates ------------------------------------------------------------------------------ */

static const char *const months[] = {"january", "february", "march",     "april",
                                     "may",     "june",     "july",      "august",
                                     "september", "october", "november", "december"};
static const char *const mon3[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};

static int month_of(const sent *s, uint32_t i)
{
    if (i >= s->n || !(s->t[i].flags & RP_TK_CAP))
        return 0;
    for (int m = 0; m < 12; m++)
        if (strcmp(s->t[i].fold, months[m]) == 0 || strcmp(s->t[i].fold, mon3[m]) == 0 ||
            (m == 8 && strcmp(s->t[i].fold, "sept") == 0))
            return m + 1;
    return 0;
}

static int num_of(const sent *s, uint32_t i, size_t maxlen)
{
    if (i >= s->n || !(s->t[i].flags & RP_TK_NUM) || s->t[i].len > maxlen)
        return -1;
    int v = 0;
    for (uint32_t k = 0; k < s->t[i].len; k++)
        v = v * 10 + (s->text[s->t[i].off + k] - '0');
    return v;
}

static int year_of(const sent *s, uint32_t i)
{
    if (i >= s->n || s->t[i].len != 4)
        return 0;
    int y = num_of(s, i, 4);
    return (y >= 1980 && y <= 2099) ? y : 0;
}

/* A date starting at token i: fills y/m/d (d = 0 for a month), returns the
 * end token or 0. */
static uint32_t date_at(const sent *s, uint32_t i, int *y, int *m, int *d)
{
    int mo = month_of(s, i);
    if (mo) {
        int dd = num_of(s, i + 1, 2);
        if (dd >= 1 && dd <= 31 && joined(s, i + 1)) {
            int yy = year_of(s, i + 2);
            if (yy && !(s->t[i + 2].gap & (RP_GAP_CLAUSE | RP_GAP_STOP))) {
                *y = yy, *m = mo, *d = dd;
                return i + 3;
            }
            return 0;
        }
        int yy = year_of(s, i + 1);
        if (yy && joined(s, i + 1)) {
            *y = yy, *m = mo, *d = 0;
            return i + 2;
        }
        return 0;
    }
    int dd = num_of(s, i, 2);
    if (dd >= 1 && dd <= 31) {
        int mo2 = month_of(s, i + 1);
        int yy = year_of(s, i + 2);
        if (mo2 && yy && joined(s, i + 1) && !(s->t[i + 2].gap & (RP_GAP_CLAUSE | RP_GAP_STOP))) {
            *y = yy, *m = mo2, *d = dd;
            return i + 3;
        }
        return 0;
    }
    int yy = year_of(s, i);
    if (yy && i + 2 < s->n && (s->t[i + 1].gap == RP_GAP_HYPHEN) &&
        (s->t[i + 2].gap == RP_GAP_HYPHEN) && s->t[i + 1].len == 2 && s->t[i + 2].len == 2) {
        int mm = num_of(s, i + 1, 2), d2 = num_of(s, i + 2, 2);
        if (vg_time_valid_date(yy, mm, d2)) {
            *y = yy, *m = mm, *d = d2;
            return i + 3;
        }
    }
    return 0;
}

/* ---- numbers ------------------------------------------------------------------------------- */

static const struct {
    const char *w;
    int v;
} numwords[] = {{"one", 1},       {"two", 2},        {"three", 3},     {"four", 4},
                {"five", 5},      {"six", 6},        {"seven", 7},     {"eight", 8},
                {"nine", 9},      {"ten", 10},       {"eleven", 11},   {"twelve", 12},
                {"thirteen", 13}, {"fourteen", 14},  {"fifteen", 15},  {"sixteen", 16},
                {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19}, {"twenty", 20},
                {"thirty", 30},   {"forty", 40},     {"fifty", 50},    {"sixty", 60},
                {"seventy", 70},  {"eighty", 80},    {"ninety", 90},   {"dozen", 12},
                {"dozens", 24},   {"hundreds", 200}, {"thousands", 2000}};

static int numword(const sent *s, uint32_t i)
{
    if (i >= s->n)
        return -1;
    for (size_t k = 0; k < sizeof numwords / sizeof *numwords; k++)
        if (strcmp(s->t[i].fold, numwords[k].w) == 0)
            return numwords[k].v;
    return -1;
}

/* A number starting at token i ("seven", "twenty-five", "200", "1,000",
 * "two hundred"): value and end token, or 0. */
static uint32_t number_at(const sent *s, uint32_t i, long *val)
{
    if (i >= s->n || (i > 0 && (s->t[i].gap & RP_GAP_HYPHEN)))
        return 0; /* "COVID-19" */
    long v;
    uint32_t j = i + 1;
    if (s->t[i].flags & RP_TK_NUM) {
        if (s->t[i].len > 9)
            return 0;
        v = num_of(s, i, 9);
        while (j < s->n && (s->t[j].gap & RP_GAP_COMMA) && !(s->t[j].gap & RP_GAP_SPACE) &&
               (s->t[j].flags & RP_TK_NUM) && s->t[j].len == 3 && v < 1000000) {
            v = v * 1000 + num_of(s, j, 3);
            j++;
        }
    } else {
        int w = numword(s, i);
        if (w < 0)
            return 0;
        v = w;
        if (w >= 20 && w < 100 && j < s->n && s->t[j].gap == RP_GAP_HYPHEN) {
            int u = numword(s, j);
            if (u > 0 && u < 10) {
                v += u;
                j++;
            }
        }
    }
    if (j < s->n && (is(s, j, "hundred") || is(s, j, "thousand") || is(s, j, "million"))) {
        v *= is(s, j, "hundred") ? 100 : is(s, j, "thousand") ? 1000 : 1000000;
        j++;
    }
    *val = v;
    return j;
}

/* ---- sentences and their matches ---------------------------------------------------------- */

static void scan(ex *x, sent *s)
{
    const vg_report_kb *kb = x->kb;
    size_t cap = 0;
    rp_tok *t = NULL;
    s->n = (uint32_t)rp_tokenize(s->text, s->len, x->a, &t, &cap);
    s->t = vg_arena_alloc(x->a, (s->n ? s->n : 1) * sizeof *s->t);
    if (s->n)
        memcpy(s->t, t, s->n * sizeof *t);
    free(t);
    s->actor = rp_matcher_scan(&kb->m_actor, s->text, s->t, s->n, x->a);
    s->country = rp_matcher_scan(&kb->m_country, s->text, s->t, s->n, x->a);
    s->sector = rp_matcher_scan(&kb->m_sector, s->text, s->t, s->n, x->a);
    s->tech = rp_matcher_scan(&kb->m_tech, s->text, s->t, s->n, x->a);
    s->lure = rp_matcher_scan(&kb->m_lure, s->text, s->t, s->n, x->a);
    s->org = rp_matcher_scan(&kb->m_org, s->text, s->t, s->n, x->a);
    s->reporter = rp_matcher_scan(&kb->m_reporter, s->text, s->t, s->n, x->a);
    for (int c = 0; c < RP_CUE__N; c++)
        s->cue[c] = rp_matcher_scan(&kb->m_cue[c], s->text, s->t, s->n, x->a);
    /* drop the not-a-country blocks */
    size_t k = 0;
    for (size_t i = 0; i < s->country.n; i++)
        if (s->country.v[i].id != RP_NOT_COUNTRY)
            s->country.v[k++] = s->country.v[i];
    s->country.n = k;
    rp_hits_index(&s->country, s->n, x->a);
    s->role = vg_arena_calloc(x->a, s->country.n ? s->country.n : 1, 1);
    for (uint32_t i = 0; i < s->n && s->nyears < 4; i++) {
        int y = year_of(s, i);
        bool part_of_number = i > 0 && (s->t[i].gap & RP_GAP_COMMA) &&
                              !(s->t[i].gap & RP_GAP_SPACE) && (s->t[i - 1].flags & RP_TK_NUM);
        if (y && !part_of_number)
            s->years[s->nyears++] = y;
    }
}

/* ---- 1. background ------------------------------------------------------------------------ */

static const char *const year_preps[] = {"in", "during", "of", "the", "back", "from",
                                         "until", "before", "by", NULL};

/* "Unlike in 2016, when the group relied on spear-phishing, Strontium now
 * uses password spraying": a background clause that opens the sentence and
 * ends at a comma, followed by a clause of the report's own event. */
static void fronted_clause(ex *x, sent *s)
{
    static const char *const contrast[] = {"unlike", "compared", "contrary", "whereas", NULL};
    bool fronted = (starting(&s->cue[RP_CUE_BG_STRONG], 0) >= 0 && in_set(s, 0, contrast)) ||
                   (starting(&s->cue[RP_CUE_BG_STRONG], 1) >= 0 && in_set(s, 1, contrast));
    if (!fronted)
        return;
    for (uint32_t k = 1; k + 3 < s->n; k++) {
        if (!(s->t[k].gap & RP_GAP_COMMA) || in_set(s, k, subordinators))
            continue;
        bool clean = true;
        for (int c = RP_CUE_BG_STRONG; c <= RP_CUE_BG_WEAK && clean; c++)
            for (size_t h = 0; h < s->cue[c].n && clean; h++)
                clean = s->cue[c].v[h].t1 <= k;
        for (uint32_t j = k; j < s->n && clean; j++) {
            int y = year_of(s, j);
            clean = !y || (x->main_year && y >= x->main_year);
        }
        if (clean) {
            s->main_from = k;
            return;
        }
    }
}

static void score_background(ex *x)
{
    for (size_t i = 0; i < x->ns; i++) {
        sent *s = &x->s[i];
        if (s->title)
            continue;
        int score = 0;
        if (s->cue[RP_CUE_BG_STRONG].n)
            score += 2;
        score += s->cue[RP_CUE_BG_WEAK].n > 2 ? 2 : (int)s->cue[RP_CUE_BG_WEAK].n;
        bool ycue = false;
        for (uint32_t k = 0; k < s->n && !ycue; k++) {
            int y = year_of(s, k);
            if (!y)
                continue;
            if (k == 0 || !in_set(s, k - 1, year_preps))
                continue; /* "operating since 2012" describes, "in 2016" dates */
            if (x->main_year && y < x->main_year) {
                score += 2;
                ycue = true;
            } else if (!x->main_year) {
                score += 1;
                ycue = true;
            }
        }
        bool any_lead = false;
        for (size_t k = 0; k < x->kb->nsectors; k++)
            any_lead |= x->lead[k];
        if (any_lead && s->sector.n) {
            bool shared = false;
            for (size_t k = 0; k < s->sector.n; k++)
                shared |= x->lead[s->sector.v[k].id];
            if (!shared)
                score += 1;
        }
        if (s->cue[RP_CUE_MAIN].n && !ycue) /* an explicit older year wins over "the attacks" */
            score -= 1;
        s->bg = score;
        s->background = score >= 2;
        s->main_from = s->n;
        if (s->background)
            fronted_clause(x, s);
    }
    /* "The group was ..." continues a background sentence */
    for (size_t i = 1; i < x->ns; i++) {
        sent *s = &x->s[i], *p = &x->s[i - 1];
        if (s->background || !p->background || p->main_from < p->n || p->para != s->para || s->title ||
            s->cue[RP_CUE_MAIN].n)
            continue;
        int h = starting(&s->cue[RP_CUE_ANAPHORA], 0);
        if (h < 0)
            h = starting(&s->cue[RP_CUE_ANAPHORA], 1);
        if (h >= 0) {
            s->background = true;
            s->main_from = s->n;
        }
    }
}

/* ---- 2. country roles ----------------------------------------------------------------------- */

static bool target_cue_starting(const sent *s, uint32_t i)
{
    return starting(&s->cue[RP_CUE_TARGET], i) >= 0;
}

/* No clause break between tokens a and b; ", and" / ", but" / ", while"
 * also separate ("Strontium, from Russia, and two North Korean actors"). */
static bool same_clause(const sent *s, uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    for (uint32_t k = lo + 1; k <= hi && k < s->n; k++) {
        if (s->t[k].gap & RP_GAP_BREAKS)
            return false;
        if ((s->t[k].gap & RP_GAP_COMMA) &&
            in_set(s, k, (const char *const[]){"and", "but", "while", "whereas", NULL}))
            return false;
    }
    return true;
}

/* At token m, right after a subject: "were targeted", "was hit", or a
 * headline's "hit by". */
static bool passive_target_at(const sent *s, uint32_t m)
{
    bool passive = false;
    while (m < s->n && joined(s, m) && in_set(s, m, aux_words)) {
        passive |= in_set(s, m, passive_words);
        m++;
    }
    int h = m < s->n && joined(s, m) ? starting(&s->cue[RP_CUE_TARGET], m) : -1;
    if (h < 0)
        return false;
    return passive || is(s, s->cue[RP_CUE_TARGET].v[h].t1, "by");
}

/* an impersonation cue right before token i: "posing as South Korean journalists" */
static bool imp_governs(const sent *s, uint32_t i)
{
    const rp_hits *h = &s->cue[RP_CUE_IMPERSONATION];
    for (size_t k = 0; k < h->n; k++)
        if (h->v[k].t1 <= i && i - h->v[k].t1 <= 4 && same_clause(s, h->v[k].t1, i))
            return true;
    return false;
}

/* a head noun for a prepositional phrase ending before token p: 1 actor,
 * 2 target, 0 none */
static int head_before(const sent *s, uint32_t p)
{
    uint32_t lim = p > 8 ? p - 8 : 0;
    for (uint32_t k = p; k-- > lim;) {
        /* the head is in the same phrase: no clause break, no comma */
        if (k + 1 < s->n && (s->t[k + 1].gap & (RP_GAP_BREAKS | RP_GAP_COMMA)))
            return 0;
        if (covering(&s->actor, k) >= 0 || covering(&s->cue[RP_CUE_ACTOR_NOUN], k) >= 0)
            return 1;
        if (covering(&s->cue[RP_CUE_TARGET_NOUN], k) >= 0 || covering(&s->sector, k) >= 0)
            return 2;
        if (covering(&s->cue[RP_CUE_TARGET], k) >= 0)
            return 0;
    }
    return 0;
}

static int group_role(sent *s, size_t g0, size_t g1)
{
    const rp_hit *first = &s->country.v[g0], *last = &s->country.v[g1];
    uint32_t L = first->t0, R = last->t1;
    bool demonym = first->sub == RP_CN_DEMONYM;
    bool capital = first->sub == RP_CN_CAPITAL;
    /* (1) "originating from X", "linked to the X government" */
    if (ending(&s->cue[RP_CUE_ORIGIN_BEFORE], L) >= 0 ||
        (L > 0 && is(s, L - 1, "the") && ending(&s->cue[RP_CUE_ORIGIN_BEFORE], L - 1) >= 0))
        return ROLE_ORIGIN;
    /* (2) "X-linked", "X hackers", "X's Lazarus" */
    uint32_t r = R;
    if (is(s, r, "s") && (s->t[r].gap & RP_GAP_APOS))
        r++;
    if (r < s->n && joined(s, r) && starting(&s->actor, r) >= 0)
        return ROLE_ORIGIN;
    int oa = r < s->n && joined(s, r) ? starting(&s->cue[RP_CUE_ORIGIN_AFTER], r) : -1;
    if (oa >= 0) {
        /* "US-based consultants" names a victim, "Russia-based hackers" an actor */
        uint32_t e = s->cue[RP_CUE_ORIGIN_AFTER].v[oa].t1;
        bool victim = e < s->n && joined(s, e) &&
                      (covering(&s->cue[RP_CUE_TARGET_NOUN], e) >= 0 ||
                       covering(&s->sector, e) >= 0) &&
                      covering(&s->cue[RP_CUE_ACTOR_NOUN], e) < 0;
        if (!victim)
            return ROLE_ORIGIN;
    }
    /* "targeted by X" */
    if (L > 0 && is(s, L - 1, "by") && L >= 2 && covering(&s->cue[RP_CUE_TARGET], L - 2) >= 0)
        return ROLE_ORIGIN;
    if (imp_governs(s, L))
        return ROLE_MENTION;
    if (capital)
        goto prep;
    /* (3) the subject of a targeting verb */
    {
        bool at_start = L == 0 || (s->t[L].gap & (RP_GAP_CLAUSE | RP_GAP_STOP | RP_GAP_QUOTE)) ||
                        in_set(s, L - 1, (const char *const[]){"that", "as", "while", "when",
                                                               "because", "but", "says",
                                                               "said", NULL});
        if (at_start && !demonym) {
            uint32_t k = r;
            while (k < s->n && joined(s, k) && in_set(s, k, aux_words))
                k++;
            if (k < s->n && joined(s, k) && target_cue_starting(s, k)) {
                const char *v = s->t[k].fold;
                size_t vl = strlen(v);
                bool ing = vl > 3 && strcmp(v + vl - 3, "ing") == 0;
                if (ing)
                    return ROLE_ORIGIN;
                return passive_target_at(s, r) ? ROLE_TARGET : ROLE_ORIGIN;
            }
        }
    }
    /* (4) the object of a targeting verb: "targeting the UK", "attacks on Ukraine" */
    {
        uint32_t k = L;
        if (k > 0 && is(s, k - 1, "the"))
            k--;
        if (k > 0 && in_set(s, k - 1, (const char *const[]){"on", "against", "into", NULL}) &&
            joined(s, k - 1))
            k--;
        if (k > 0 && joined(s, k) && ending(&s->cue[RP_CUE_TARGET], k) >= 0)
            return ROLE_TARGET;
    }
prep:
    /* (5) prepositional phrases: "researchers in Canada", "hackers in Iran" */
    {
        uint32_t p = L;
        if (p > 0 && is(s, p - 1, "the"))
            p--;
        if (p > 0 && in_set(s, p - 1, (const char *const[]){"in", "across", "throughout",
                                                            "within", "inside", "from", "at",
                                                            "of", NULL})) {
            const char *prep = s->t[p - 1].fold;
            uint32_t q = p - 1;
            /* "based in", "located in" */
            if (q > 0 && in_set(s, q - 1, (const char *const[]){"based", "located",
                                                                "headquartered", "operating",
                                                                NULL}))
                q--;
            int head = head_before(s, q);
            bool from = strcmp(prep, "in") == 0 || strcmp(prep, "from") == 0 ||
                        strcmp(prep, "inside") == 0 || strcmp(prep, "within") == 0;
            if (head == 1 && from && !capital)
                return ROLE_ORIGIN;
            if (head == 2 && cue_governs(s, L))
                return ROLE_TARGET;
            if (head == 0 && !capital &&
                (strcmp(prep, "in") == 0 || strcmp(prep, "across") == 0 ||
                 strcmp(prep, "throughout") == 0) &&
                cue_governs(s, L))
                return ROLE_TARGET;
        }
    }
    if (capital)
        return ROLE_MENTION;
    /* (6) an adjective on a target noun: "US and Canadian organizations",
     * "Ireland's health service hit by ransomware" */
    {
        uint32_t k = R;
        if (is(s, k, "s") && (s->t[k].gap & RP_GAP_APOS))
            k++;
        int hops = 0;
        while (k < s->n && hops < 3 && joined(s, k) &&
               covering(&s->cue[RP_CUE_TARGET_NOUN], k) < 0 && covering(&s->sector, k) < 0) {
            if (covering(&s->cue[RP_CUE_ACTOR_NOUN], k) >= 0 || covering(&s->actor, k) >= 0 ||
                covering(&s->cue[RP_CUE_TARGET], k) >= 0)
                return ROLE_MENTION;
            k++;
            hops++;
        }
        if (k < s->n && joined(s, k) &&
            (covering(&s->cue[RP_CUE_TARGET_NOUN], k) >= 0 || covering(&s->sector, k) >= 0)) {
            if (cue_governs(s, L))
                return ROLE_TARGET;
            /* "Canadian firms were targeted" */
            uint32_t m = k + 1;
            while (m < s->n && joined(s, m) &&
                   (covering(&s->cue[RP_CUE_TARGET_NOUN], m) >= 0 || covering(&s->sector, m) >= 0))
                m++;
            if (passive_target_at(s, m))
                return ROLE_TARGET;
        }
    }
    return ROLE_MENTION;
}

static void country_roles(ex *x, sent *s)
{
    for (size_t g0 = 0; g0 < s->country.n;) {
        size_t g1 = g0;
        /* extend the list: "Canada, France, India, South Korea and the United States" */
        while (g1 + 1 < s->country.n) {
            const rp_hit *a = &s->country.v[g1], *b = &s->country.v[g1 + 1];
            bool ok = b->t0 >= a->t1 && b->t0 - a->t1 <= 3;
            for (uint32_t k = a->t1; ok && k < b->t0; k++)
                ok = in_set(s, k, list_words) && !breaks(s, k);
            ok = ok && !breaks(s, b->t0) && !(s->t[b->t0].gap & RP_GAP_QUOTE);
            if (!ok)
                break;
            g1++;
        }
        int role = group_role(s, g0, g1);
        for (size_t k = g0; k <= g1; k++) {
            const rp_hit *h = &s->country.v[k];
            int rk = role;
            if (x->kb->countries[h->id].ambiguous && g1 == g0 &&
                !(h->t0 > 0 && in_set(s, h->t0 - 1, (const char *const[]){
                                                         "in", "from", "across", "against", "of",
                                                         "to", NULL})))
                rk = ROLE_SKIP;
            s->role[k] = (uint8_t)rk;
        }
        g0 = g1 + 1;
    }
}

/* ---- 3. actors' origins ---------------------------------------------------------------------- */


static void vote_origins(ex *x, sent *s)
{
    for (size_t i = 0; i < s->actor.n; i++) {
        const rp_hit *a = &s->actor.v[i];
        if (bg_at(s, a->t0))
            continue;
        int best = -1;
        uint32_t bestd = 13;
        /* countries within 12 tokens either side */
        uint32_t lo = a->t0 > 13 ? a->t0 - 13 : 0, hi = a->t1 + 13 < s->n ? a->t1 + 13 : s->n;
        int first = -1, last = -1;
        for (uint32_t t = lo; t < hi; t++) {
            int c = covering(&s->country, t);
            if (c >= 0 && first < 0)
                first = c;
            if (c >= 0)
                last = c;
        }
        for (int k = first; k >= 0 && k <= last; k++) {
            if (s->role[k] != ROLE_ORIGIN)
                continue;
            const rp_hit *c = &s->country.v[k];
            uint32_t d = c->t0 >= a->t1 ? c->t0 - a->t1 : a->t0 >= c->t1 ? a->t0 - c->t1 : 0;
            if (d < bestd && same_clause(s, a->t0, c->t0)) {
                bestd = d;
                best = (int)k;
            }
        }
        if (best >= 0)
            x->vote[a->id * x->kb->ncountries + s->country.v[best].id]++;
    }
}

/* ---- 4. sectors and counts ----------------------------------------------------------------------- */

static const char *const source_preps[] = {"from", "by", NULL};

/* Does the sentence speak of targets at token i (after a targeting cue,
 * before a passive one, or continuing a sentence that named targets)? */
static bool target_context(ex *x, size_t si, uint32_t i, uint32_t end)
{
    sent *s = &x->s[si];
    if (cue_governs(s, i))
        return true;
    uint32_t m = end;
    int hops = 0;
    while (m < s->n && hops < 6 && joined(s, m) && !in_set(s, m, aux_words) &&
           !target_cue_starting(s, m)) {
        m++;
        hops++;
    }
    if (passive_target_at(s, m))
        return true;
    /* "He said one was a clinical research organisation ..." */
    if (s->cue[RP_CUE_ANAPHORA].n && si > 0) {
        const sent *p = &x->s[si - 1];
        if (!p->background && p->targets)
            return true;
    }
    return false;
}

static bool is_source(const sent *s, uint32_t i)
{
    return i > 0 && in_set(s, i - 1, source_preps);
}

static void emit(ex *x, const sent *s, size_t si, uint32_t at, vg_report_fact_kind k,
                 const char *value, const char *matched, const char *detail)
{
    rp_report_add_fact(x->r, k, bg_at(s, at), value, matched, detail, s->text, si);
}

static void sectors_counts(ex *x, size_t si)
{
    sent *s = &x->s[si];
    for (size_t i = 0; i < s->sector.n; i++) {
        const rp_hit *h = &s->sector.v[i];
        if (is_source(s, h->t0) || imp_governs(s, h->t0))
            continue;
        if (h->t1 < s->n && joined(s, h->t1) && covering(&s->cue[RP_CUE_ACTOR_NOUN], h->t1) >= 0)
            continue;
        if (!target_context(x, si, h->t0, h->t1))
            continue;
        emit(x, s, si, h->t0, VG_FACT_SECTOR, x->kb->sectors[h->id].name, span(x, s, h->t0, h->t1),
             NULL);
        s->targets = true;
    }
    for (uint32_t i = 0; i < s->n; i++) {
        long v;
        uint32_t e = number_at(s, i, &v);
        if (!e || v <= 0)
            continue;
        int q = ending(&s->cue[RP_CUE_COUNT_QUAL], i);
        if (year_of(s, i) && q < 0)
            continue;
        if (e < s->n && (is(s, e, "percent") || is(s, e, "per") ||
                         (s->t[e].gap & RP_GAP_OTHER)))
            continue;
        uint32_t start = q >= 0 ? s->cue[RP_CUE_COUNT_QUAL].v[q].t0 : i;
        /* "of" after dozens/hundreds/thousands */
        uint32_t k = e;
        if (is(s, k, "of") && joined(s, k))
            k++;
        uint32_t noun_end = 0;
        for (int hops = 0; k < s->n && hops < 4 && joined(s, k); hops++, k++) {
            if (covering(&s->cue[RP_CUE_ACTOR_NOUN], k) >= 0 || covering(&s->actor, k) >= 0 ||
                target_cue_starting(s, k) || number_at(s, k, &(long){0}))
                break;
            int tn = covering(&s->cue[RP_CUE_TARGET_NOUN], k);
            if (tn >= 0) {
                noun_end = s->cue[RP_CUE_TARGET_NOUN].v[tn].t1;
                break;
            }
        }
        if (!noun_end || !target_context(x, si, start, noun_end))
            continue;
        char num[24];
        snprintf(num, sizeof num, "%ld", v);
        char *txt = span(x, s, start, noun_end);
        emit(x, s, si, start, VG_FACT_COUNT, txt, txt, num);
        s->targets = true;
        i = noun_end - 1;
    }
}

/* ---- 5. techniques, lures, impersonation ------------------------------------------------------- */

static bool near_cue(const sent *s, rp_cue c, uint32_t t0, uint32_t t1, uint32_t before,
                     uint32_t after)
{
    const rp_hits *h = &s->cue[c];
    for (size_t k = 0; k < h->n; k++) {
        if (h->v[k].t0 >= t1 && h->v[k].t0 - t1 <= after)
            return true;
        if (h->v[k].t1 <= t0 && t0 - h->v[k].t1 <= before)
            return true;
    }
    return false;
}

static const char *const platform_preps[] = {"on", "via", "through", "over", "using", "in",
                                             NULL};
static const char *const not_name[] = {
    "the", "a", "an", "he", "she", "they", "we", "it", "in", "on", "at", "by", "for", "this",
    "that", "these", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "mr", "mrs", "ms", "dr", "but", "and", "or", "if", "as", "when", "while", NULL};

static void lures_impersonation(ex *x, size_t si)
{
    sent *s = &x->s[si];
    for (size_t i = 0; i < s->lure.n; i++) {
        const rp_hit *h = &s->lure.v[i];
        const rp_lure *lu = &x->kb->lures[h->id];
        bool strong = h->sub == 1;
        bool delivery = s->cue[RP_CUE_DELIVERY].n > 0;
        for (size_t k = 0; k < s->tech.n && !delivery; k++)
            delivery = strncmp(x->kb->techs[s->tech.v[k].id].id, "T1566", 5) == 0;
        /* "sent interview requests", "emails about the pandemic" */
        bool delivered = near_cue(s, RP_CUE_DELIVERY, h->t0, h->t1, 2, 0);
        if (strong || (delivery && (near_cue(s, RP_CUE_LURE, h->t0, h->t1, 4, 3) || delivered)))
            emit(x, s, si, h->t0, VG_FACT_LURE, lu->id, span(x, s, h->t0, h->t1), lu->label);
    }
    const rp_hits *c = &s->cue[RP_CUE_IMPERSONATION];
    for (size_t i = 0; i < s->org.n; i++) {
        const rp_hit *h = &s->org.v[i];
        if (h->t0 > 0 && in_set(s, h->t0 - 1, platform_preps))
            continue; /* "posing as recruiters on LinkedIn": the platform */
        for (size_t k = 0; k < c->n; k++) {
            if (c->v[k].t1 <= h->t0 && h->t0 - c->v[k].t1 <= 8 &&
                same_clause(s, c->v[k].t1, h->t0)) {
                emit(x, s, si, h->t0, VG_FACT_IMPERSONATED, x->kb->orgs[h->id].name,
                     span(x, s, h->t0, h->t1), NULL);
                break;
            }
        }
    }
    /* organizations the gazetteer does not know: the capitalized names after
     * the cue ("posing as recruiters from McDonnell Douglas and Disney") */
    for (size_t k = 0; k < c->n; k++) {
        uint32_t j = c->v[k].t1;
        int items = 0;
        for (int skip = 0; j < s->n && skip < 5 && items < 5;) {
            if (breaks(s, j) || (s->t[j].gap & RP_GAP_QUOTE && skip))
                break;
            if (!(s->t[j].flags & (RP_TK_CAP | RP_TK_UPPER)) || in_set(s, j, not_name)) {
                if (in_set(s, j, platform_preps))
                    break;
                j++;
                skip++;
                continue;
            }
            uint32_t e = j;
            while (e < s->n && (s->t[e].flags & (RP_TK_CAP | RP_TK_UPPER)) &&
                   !in_set(s, e, not_name) && covering(&s->country, e) < 0 &&
                   covering(&s->actor, e) < 0 && covering(&s->org, e) < 0 &&
                   covering(&s->cue[RP_CUE_TITLE], e) < 0 &&
                   (e == j || !(s->t[e].gap & ~(RP_GAP_SPACE | RP_GAP_HYPHEN | RP_GAP_OTHER))))
                e++;
            if (e > j) {
                emit(x, s, si, j, VG_FACT_IMPERSONATED, span(x, s, j, e), span(x, s, j, e), NULL);
                items++;
            } else if (covering(&s->org, j) < 0 && covering(&s->country, j) < 0) {
                break;
            }
            /* a list goes on after a comma or "and" */
            uint32_t nx = e > j ? e : j + 1;
            if (is(s, nx, "and") || is(s, nx, "or"))
                nx++;
            else if (!(nx < s->n && (s->t[nx].gap & RP_GAP_COMMA)))
                break;
            if (nx < s->n && covering(&s->org, nx) >= 0) {
                /* known organizations in the list were handled above */
                nx = s->org.v[covering(&s->org, nx)].t1;
                if (is(s, nx, "and") || is(s, nx, "or"))
                    nx++;
                else if (!(nx < s->n && (s->t[nx].gap & RP_GAP_COMMA)))
                    break;
            }
            j = nx;
            skip = 4; /* the next item must follow at once */
        }
    }
}

/* ---- 6. reporter, spokespeople, dates --------------------------------------------------------------- */

static const char *const report_fill[] = {
    "on", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "yesterday", "this", "week", "has", "have", "had", "also", "recently", "last", "earlier",
    "in", "a", "an", "its", "statement", "blog", "post", "report", "late", "now", NULL};
static const char *const report_poss[] = {
    "alert", "report", "blog", "researchers", "analysts", "team", "threat", "security",
    "investigation", "findings", "warning", "vice", "president", "chief", "head", "digital",
    "customer", "announcement", "advisory", "intelligence", "experts", "statement", NULL};

static void reporters(ex *x, size_t si)
{
    sent *s = &x->s[si];
    for (size_t i = 0; i < s->reporter.n; i++) {
        const rp_hit *h = &s->reporter.v[i];
        bool yes = false;
        uint32_t k = h->t1;
        int hops = 0;
        while (k < s->n && hops < 4 && !breaks(s, k) &&
               (in_set(s, k, report_fill) ||
                ((s->t[k].flags & RP_TK_UPPER) && (s->t[k].gap & RP_GAP_OTHER)))) {
            k++; /* "on Friday", "(NCSC)" */
            hops++;
        }
        if (k < s->n && starting(&s->cue[RP_CUE_REPORT_VERB], k) >= 0 && !breaks(s, k))
            yes = true;
        if (ending(&s->cue[RP_CUE_SPEECH], h->t0) >= 0 ||
            ending(&s->cue[RP_CUE_REPORT_VERB], h->t0) >= 0)
            yes = true;
        if (is(s, h->t1, "s") && (s->t[h->t1].gap & RP_GAP_APOS) && in_set(s, h->t1 + 1, report_poss))
            yes = true;
        if (yes)
            emit(x, s, si, h->t0, VG_FACT_REPORTER, x->kb->reporters[h->id].name,
                 span(x, s, h->t0, h->t1), NULL);
    }
}


static bool name_tok(const sent *s, uint32_t i)
{
    if (i >= s->n)
        return false;
    const rp_tok *t = &s->t[i];
    if (!(t->flags & RP_TK_CAP) || !(t->flags & RP_TK_ALPHA) || (t->flags & RP_TK_QUOTED))
        return false;
    if ((t->flags & RP_TK_UPPER) && t->len > 1)
        return false;
    if (in_set(s, i, not_name) || month_of(s, i))
        return false;
    if (covering(&s->country, i) >= 0 || covering(&s->actor, i) >= 0 ||
        covering(&s->org, i) >= 0 || covering(&s->reporter, i) >= 0 ||
        covering(&s->cue[RP_CUE_TITLE], i) >= 0)
        return false;
    return true;
}

/* a personal name of 2-3 capitalized words starting at i: its end, or 0 */
static uint32_t name_at(const sent *s, uint32_t i)
{
    if (!name_tok(s, i) || (i > 0 && name_tok(s, i - 1) && !(s->t[i].gap & ~RP_GAP_SPACE)))
        return 0;
    uint32_t e = i + 1;
    while (e < s->n && e - i < 3 && name_tok(s, e) &&
           !(s->t[e].gap & ~(RP_GAP_SPACE | RP_GAP_DOT)))
        e++;
    if (e - i < 2)
        return 0;
    return e;
}

static void spokespeople(ex *x, size_t si)
{
    sent *s = &x->s[si];
    if (!s->cue[RP_CUE_SPEECH].n)
        return;
    const rp_hits *ti = &s->cue[RP_CUE_TITLE];
    /* title ... Name: "vice-president for security issues Tom Burt" */
    for (size_t k = 0; k < ti->n; k++) {
        if (s->t[ti->v[k].t0].flags & RP_TK_QUOTED)
            continue;
        for (uint32_t j = ti->v[k].t1; j < s->n && j < ti->v[k].t1 + 7; j++) {
            uint32_t e = name_at(s, j);
            /* "..., vice president for customer security, Tom Burt, said" */
            if (j > ti->v[k].t1 && (s->t[j].gap & (RP_GAP_BREAKS | RP_GAP_COMMA | RP_GAP_QUOTE)) &&
                !(e && !(s->t[j].gap & ~(RP_GAP_COMMA | RP_GAP_SPACE))))
                break;
            if (!e)
                continue;
            bool ends = e >= s->n || (s->t[e].gap & (RP_GAP_BREAKS | RP_GAP_COMMA)) ||
                        starting(&s->cue[RP_CUE_SPEECH], e) >= 0;
            if (ends) {
                uint32_t d0 = ti->v[k].t0;
                emit(x, s, si, j, VG_FACT_SPOKESPERSON, span(x, s, j, e), span(x, s, j, e),
                     span(x, s, d0, j));
            }
            break;
        }
    }
    /* Name, ... title: "(Tom Burt), Microsoft Vice President for ..." */
    for (uint32_t j = 0; j < s->n; j++) {
        uint32_t e = name_at(s, j);
        if (!e)
            continue;
        if (e < s->n && (s->t[e].gap & (RP_GAP_COMMA | RP_GAP_CLAUSE))) {
            for (size_t k = 0; k < ti->n; k++) {
                if (ti->v[k].t0 >= e && ti->v[k].t0 - e <= 6 && !breaks(s, ti->v[k].t0)) {
                    uint32_t te = ti->v[k].t1;
                    while (te < s->n && te - ti->v[k].t1 < 6 && !(s->t[te].gap & (RP_GAP_COMMA | RP_GAP_BREAKS)))
                        te++;
                    emit(x, s, si, j, VG_FACT_SPOKESPERSON, span(x, s, j, e), span(x, s, j, e),
                         span(x, s, e, te));
                    break;
                }
            }
        }
        j = e - 1;
    }
}

static void dates(ex *x, size_t si)
{
    sent *s = &x->s[si];
    for (uint32_t i = 0; i < s->n; i++) {
        int y, m, d;
        uint32_t e = date_at(s, i, &y, &m, &d);
        if (!e)
            continue;
        char v[16];
        if (d)
            snprintf(v, sizeof v, "%04d-%02d-%02d", y, m, d);
        else
            snprintf(v, sizeof v, "%04d-%02d", y, m);
        emit(x, s, si, i, VG_FACT_DATE, v, span(x, s, i, e), NULL);
        i = e - 1;
    }
}

/* ---- driver -------------------------------------------------------------------------------- */

static int main_year(ex *x)
{
    if (x->r->date)
        return atoi(x->r->date);
    int hist[120] = {0}; /* 1980..2099 */
    for (size_t j = 0; j < x->ns; j++)
        for (int q = 0; q < x->s[j].nyears; q++)
            hist[x->s[j].years[q] - 1980]++;
    int best = 0, bestn = 0;
    for (size_t i = 0; i < x->ns; i++) {
        sent *s = &x->s[i];
        if (s->cue[RP_CUE_BG_STRONG].n)
            continue;
        for (uint32_t k = 0; k < s->n; k++) {
            int y, m, d;
            uint32_t e = date_at(s, k, &y, &m, &d);
            if (!e)
                continue;
            int c = hist[y - 1980];
            if (c > bestn || (c == bestn && y > best)) {
                best = y;
                bestn = c;
            }
            k = e - 1;
        }
    }
    return best;
}

void rp_extract(const vg_report_kb *kb, vg_report *r)
{
    ex x = {0};
    x.kb = kb;
    x.r = r;
    x.a = vg_arena_new(0);
    rp_sentence *ss = NULL;
    size_t n = rp_split_sentences(kb, r->text ? r->text : "", x.a, &ss, VG_REPORT_MAX_SENTENCES);
    size_t has_title = r->title && *r->title ? 1 : 0;
    x.ns = n + has_title;
    x.s = vg_xcalloc(x.ns ? x.ns : 1, sizeof *x.s);
    if (has_title) {
        x.s[0].text = r->title;
        x.s[0].len = (uint32_t)strlen(r->title);
        x.s[0].title = true;
    }
    for (size_t i = 0; i < n; i++) {
        x.s[i + has_title].text = ss[i].text;
        x.s[i + has_title].len = ss[i].len;
        x.s[i + has_title].para = ss[i].para + 1;
    }
    for (size_t i = 0; i < x.ns; i++) {
        scan(&x, &x.s[i]);
        x.cyber |= x.s[i].cue[RP_CUE_CYBER].n > 0;
    }
    /* the report's own time and lead */
    x.main_year = main_year(&x);
    x.lead = vg_xcalloc(kb->nsectors ? kb->nsectors : 1, 1);
    for (size_t i = 0, seen = 0; i < x.ns && seen < 4; i++) {
        sent *s = &x.s[i];
        if (s->cue[RP_CUE_BG_STRONG].n)
            continue;
        for (size_t k = 0; k < s->sector.n; k++)
            x.lead[s->sector.v[k].id] = 1;
        seen++;
    }
    score_background(&x);
    x.vote = vg_xcalloc((kb->nactors ? kb->nactors : 1) * (kb->ncountries ? kb->ncountries : 1),
                        sizeof *x.vote);
    for (size_t i = 0; i < x.ns; i++) {
        country_roles(&x, &x.s[i]);
        vote_origins(&x, &x.s[i]);
    }
    /* techniques of sentences that name no actor, for a report about one actor */
    const char **loose = NULL;
    size_t nloose = 0, cloose = 0;
    for (size_t si = 0; si < x.ns; si++) {
        sent *s = &x.s[si];
        if (x.cyber) {
            for (size_t i = 0; i < s->actor.n; i++) {
                const rp_hit *h = &s->actor.v[i];
                const rp_actor *ac = &kb->actors[h->id];
                const char *origin = NULL;
                int best = 0;
                for (size_t c = 0; c < kb->ncountries; c++) {
                    int v = x.vote[h->id * kb->ncountries + c];
                    if (v > best) {
                        best = v;
                        origin = kb->countries[c].code;
                    }
                }
                char *m = span(&x, s, h->t0, h->t1);
                emit(&x, s, si, h->t0, VG_FACT_ACTOR, ac->name, m, origin);
                rp_report_add_form(r, ac->name, m);
            }
            for (size_t i = 0; i < s->country.n; i++) {
                const rp_hit *h = &s->country.v[i];
                const char *code = kb->countries[h->id].code;
                char *m = span(&x, s, h->t0, h->t1);
                if (s->role[i] == ROLE_ORIGIN) {
                    emit(&x, s, si, h->t0, VG_FACT_ORIGIN, code, m, NULL);
                } else if (s->role[i] == ROLE_TARGET) {
                    emit(&x, s, si, h->t0, VG_FACT_COUNTRY, code, m, NULL);
                    s->targets = true;
                }
            }
            sectors_counts(&x, si);
            for (size_t i = 0; i < s->tech.n; i++) {
                const rp_technique *t = &kb->techs[s->tech.v[i].id];
                emit(&x, s, si, s->tech.v[i].t0, VG_FACT_TECHNIQUE, t->id,
                     span(&x, s, s->tech.v[i].t0, s->tech.v[i].t1), t->name);
                if (bg_at(s, s->tech.v[i].t0))
                    continue;
                for (size_t k = 0; k < s->actor.n; k++)
                    rp_report_add_use(r, kb->actors[s->actor.v[k].id].name, t->id);
                if (!s->actor.n) {
                    loose = vg_xgrow(loose, &cloose, nloose + 1, sizeof *loose);
                    loose[nloose++] = t->id;
                }
            }
            lures_impersonation(&x, si);
        }
        reporters(&x, si);
        spokespeople(&x, si);
        dates(&x, si);
    }
    const char **main_actors;
    size_t nm = rp_report_values(r, VG_FACT_ACTOR, x.a, &main_actors);
    if (nm == 1)
        for (size_t i = 0; i < nloose; i++)
            rp_report_add_use(r, main_actors[0], loose[i]);
    free(loose);
    /* the report's date: page metadata, else its first full main date */
    if (!r->date) {
        for (size_t i = 0; i < r->nfacts; i++) {
            const vg_report_fact *f = &r->facts[i];
            if (f->kind == VG_FACT_DATE && !f->background && strlen(f->value) == 10) {
                r->date = f->value;
                break;
            }
        }
    }
    free(x.vote);
    free(x.lead);
    free(x.s);
    vg_arena_free(x.a);
}
