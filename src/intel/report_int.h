/* report_int.h — internals shared by the report_*.c files of `vigil intel
 * report`: the knowledge base layout, the word tokenizer and the phrase
 * matcher, and the analysed report. Not a public header.
 *
 * Text model. Clean text is UTF-8. A sentence is cut into word tokens (runs
 * of letters and digits); each token keeps its byte span, a case-folded copy
 * and the class of the gap before it (space, hyphen, comma, clause break,
 * quote, period), so that phrases match across "spear-phishing" but not
 * across "Canada, France".
 *
 * Phrase matcher. Gazetteer phrases are tokenized the same way and sorted by
 * their first word; scanning a sentence looks up each token with a binary
 * search and keeps the longest match at each position (prefix words "target*"
 * and gaps "*" are supported). Matches do not overlap within one matcher.
 */
#ifndef VIGIL_REPORT_INT_H
#define VIGIL_REPORT_INT_H

#include <stdint.h>

#include "vigil/core.h"
#include "vigil/report.h"

/* ---- tokens ------------------------------------------------------------------ */

enum {
    RP_TK_CAP = 1u << 0,    /* first letter upper-case */
    RP_TK_UPPER = 1u << 1,  /* two or more letters, all upper-case */
    RP_TK_NUM = 1u << 2,    /* digits only */
    RP_TK_ALPHA = 1u << 3,  /* letters only */
    RP_TK_QUOTED = 1u << 4, /* inside double quotes */
};

/* What separates a token from the previous one (bit set). */
enum {
    RP_GAP_START = 1u << 0,  /* first token of the sentence */
    RP_GAP_SPACE = 1u << 1,
    RP_GAP_HYPHEN = 1u << 2, /* hyphen without spaces: "Russia-linked" */
    RP_GAP_APOS = 1u << 3,   /* apostrophe: "Microsoft's" */
    RP_GAP_DOT = 1u << 4,    /* a period without space: "U.S" */
    RP_GAP_COMMA = 1u << 5,
    RP_GAP_CLAUSE = 1u << 6, /* ; : ( ) [ ] or a spaced dash */
    RP_GAP_QUOTE = 1u << 7,  /* a double quote */
    RP_GAP_STOP = 1u << 8,   /* . ! ? followed by space */
    RP_GAP_OTHER = 1u << 9,  /* & / + and other symbols */
    RP_GAP_PAREN = 1u << 10, /* ( or ): a clause break unless it encloses a short name */
};
/* Gaps a phrase may span. */
#define RP_GAP_JOINS (RP_GAP_SPACE | RP_GAP_HYPHEN | RP_GAP_DOT | RP_GAP_OTHER | RP_GAP_APOS)
/* Gaps that end a clause (actor/origin pairing does not cross them). */
#define RP_GAP_BREAKS (RP_GAP_CLAUSE | RP_GAP_STOP | RP_GAP_PAREN)

typedef struct rp_tok {
    uint32_t off, len; /* bytes in the sentence */
    const char *fold;  /* case-folded, NUL-terminated */
    uint64_t hash;     /* of fold (rp_word_hash) */
    uint16_t flags;    /* RP_TK_* */
    uint16_t gap;      /* RP_GAP_* before this token */
} rp_tok;

/* Tokenizes text into *toks (heap, grown). Returns the count. */
size_t rp_tokenize(const char *text, size_t n, vg_arena *a, rp_tok **toks, size_t *cap);
/* Case-folds UTF-8 into the arena. */
char *rp_fold(vg_arena *a, const char *s, size_t n);
/* FNV-1a of a NUL-terminated word (never 0). */
uint64_t rp_word_hash(const char *w);

/* ---- phrase matcher ------------------------------------------------------------ */

enum {
    RP_PH_EXACT = 1u << 0,  /* case-sensitive */
    RP_PH_PROPER = 1u << 1, /* every alphabetic word capitalized in the text */
    RP_PH_CAPONE = 1u << 2, /* single word: must be capitalized in the text */
};
enum { RP_W_PREFIX = 1u << 0, RP_W_GAP = 1u << 1 };

typedef struct rp_phrase {
    const char **w;    /* folded words */
    const char **orig; /* words as written (for RP_PH_EXACT) */
    uint8_t *wf;       /* RP_W_* per word */
    uint16_t n;
    uint16_t flags;
    uint32_t id, sub;  /* payload */
} rp_phrase;

typedef struct rp_slot {
    uint64_t hash;   /* first word's hash; 0 = empty */
    uint32_t lo, hi; /* its phrases: order[lo..hi) */
} rp_slot;

typedef struct rp_matcher {
    rp_phrase *ph;
    size_t n, cap;
    uint32_t *order; /* phrases starting with a plain word, sorted by it */
    size_t norder;
    rp_slot *slots;  /* first word -> range of order (open addressing) */
    size_t nslots;   /* power of two */
    uint32_t *pfx;   /* phrases starting with a prefix word, sorted by first byte */
    size_t npfx;
    uint32_t pfx_at[257]; /* pfx[pfx_at[b] .. pfx_at[b+1]) start with byte b */
    bool built;
} rp_matcher;

typedef struct rp_hit {
    uint32_t t0, t1; /* tokens [t0, t1) */
    uint32_t id, sub;
} rp_hit;

typedef struct rp_hits {
    rp_hit *v;
    size_t n;
    int32_t *cover;  /* per token: the hit covering it, or -1 (NULL when n == 0) */
    uint32_t ntok;
} rp_hits;

/* (Re)builds h->cover for a sentence of ntok tokens. */
void rp_hits_index(rp_hits *h, uint32_t ntok, vg_arena *a);

void rp_matcher_add(rp_matcher *m, vg_arena *a, const char *phrase, uint16_t flags, uint32_t id,
                    uint32_t sub);
void rp_matcher_build(rp_matcher *m);
void rp_matcher_free(rp_matcher *m);
/* Longest non-overlapping matches, into the arena. */
rp_hits rp_matcher_scan(const rp_matcher *m, const char *text, const rp_tok *t, size_t n,
                        vg_arena *a);
/* Does a phrase of m start exactly at token i? Returns its end (exclusive)
 * or 0. */
uint32_t rp_matcher_at(const rp_matcher *m, const char *text, const rp_tok *t, size_t n,
                       size_t i, uint32_t *id);

/* ---- knowledge base ------------------------------------------------------------- */

typedef enum {
    RP_CUE_TARGET = 0,
    RP_CUE_PASSIVE,
    RP_CUE_ORIGIN_BEFORE,
    RP_CUE_ORIGIN_AFTER,
    RP_CUE_ACTOR_NOUN,
    RP_CUE_TARGET_NOUN,
    RP_CUE_BG_STRONG,
    RP_CUE_BG_WEAK,
    RP_CUE_MAIN,
    RP_CUE_ANAPHORA,
    RP_CUE_IMPERSONATION,
    RP_CUE_LURE,
    RP_CUE_DELIVERY,
    RP_CUE_SPEECH,
    RP_CUE_REPORT_VERB,
    RP_CUE_TITLE,
    RP_CUE_COUNT_QUAL,
    RP_CUE_CYBER,
    RP_CUE__N
} rp_cue;

/* country phrase kinds (rp_hit.sub) */
enum { RP_CN_NAME = 0, RP_CN_DEMONYM = 1, RP_CN_CAPITAL = 2 };
#define RP_NOT_COUNTRY UINT32_MAX

typedef struct rp_country {
    char code[3];
    const char *name; /* first English name */
    bool ambiguous;
} rp_country;

typedef struct rp_sector {
    const char *name, *stix;
} rp_sector;

typedef struct rp_technique {
    const char *id, *name;
} rp_technique;

typedef struct rp_lure {
    const char *id, *label;
    const char **keywords; /* as written in the gazetteer, for --apply */
    size_t nkeywords;
} rp_lure;

typedef struct rp_org {
    const char *name;
    const char **domains;
    size_t ndomains;
    const char **names; /* every name, for brand keywords */
    size_t nnames;
} rp_org;

typedef struct rp_actor {
    const char *name, *origin;
    const char **aliases;
    size_t naliases, cap;
} rp_actor;

typedef struct rp_strv {
    const char **v;
    size_t n, cap;
} rp_strv;

struct vg_report_kb {
    vg_arena *arena;
    rp_country *countries;
    size_t ncountries, ccountries;
    rp_sector *sectors;
    size_t nsectors, csectors;
    rp_technique *techs;
    size_t ntechs, ctechs;
    rp_lure *lures;
    size_t nlures, clures;
    rp_org *orgs;
    size_t norgs, corgs;
    rp_org *reporters;
    size_t nreporters, creporters;
    rp_actor *actors;
    size_t nactors, cactors;

    rp_matcher m_country, m_sector, m_tech, m_lure, m_org, m_reporter, m_actor;
    rp_matcher m_cue[RP_CUE__N];

    rp_strv abbrev;        /* folded, without the final period */
    rp_strv bp_lines;      /* normalized (lower, letters/digits/spaces) */
    rp_strv bp_contains;   /* folded */
    rp_strv bp_section;    /* normalized */
    void *sentence_break;  /* UBreakIterator template, cloned per report */
    bool built;
};

/* Builds the matchers (idempotent); done by vg_report_analyze on first use,
 * which is why the kb pointer is cast: callers must not share a kb across
 * threads before its first use. */
void rp_kb_build(vg_report_kb *kb);
const rp_actor *rp_kb_actor(const vg_report_kb *kb, const char *name);
const rp_country *rp_kb_country(const vg_report_kb *kb, const char *code);
const rp_technique *rp_kb_technique(const vg_report_kb *kb, const char *id);
const rp_sector *rp_kb_sector(const vg_report_kb *kb, const char *name);
const rp_lure *rp_kb_lure(const vg_report_kb *kb, const char *id);
const rp_org *rp_kb_org(const vg_report_kb *kb, const char *name);

/* Normalizes for boilerplate comparison: lower case, letters and digits,
 * single spaces. Into the arena. */
char *rp_norm_line(vg_arena *a, const char *s, size_t n);

/* ---- sentences ----------------------------------------------------------------- */

typedef struct rp_sentence {
    const char *text;
    uint32_t len;
    uint32_t para;
    bool title;
} rp_sentence;

/* Splits paragraphs (separated by "\n\n") into sentences with ICU's sentence
 * break iterator, re-joining after abbreviations. Returns the count. */
size_t rp_split_sentences(const vg_report_kb *kb, const char *text, vg_arena *a,
                          rp_sentence **out, size_t max);

/* ---- the analysed report ------------------------------------------------------------- */

#define RP_MINHASH_K 128

typedef struct rp_use {
    const char *actor, *technique;
} rp_use;

typedef struct rp_form {
    const char *actor, *form;
} rp_form;

struct vg_report {
    vg_arena *arena;
    const char *file, *title, *text, *date;
    char digest[65];
    char event[24];
    bool clustered;
    vg_report_clean_info info;
    vg_report_fact *facts;
    size_t nfacts, cfacts;
    rp_use *uses; /* actor -> technique, from sentences naming both */
    size_t nuses, cuses;
    rp_form *forms; /* actor names as written (main actors) */
    size_t nforms, cforms;
    uint32_t minhash[RP_MINHASH_K];
    size_t nshingles;
    uint64_t *fidx; /* fact de-duplication: hash of (kind, background, value) -> index + 1 */
    size_t fcap;
};

vg_report *rp_report_new(void);
/* Adds a fact (strings are copied); skips (kind, value, background) already present. */
void rp_report_add_fact(vg_report *r, vg_report_fact_kind kind, bool background, const char *value,
                        const char *matched, const char *detail, const char *sentence,
                        size_t sentence_no);
void rp_report_add_use(vg_report *r, const char *actor, const char *technique);
void rp_report_add_form(vg_report *r, const char *actor, const char *form);
/* Computes the MinHash signature of the clean text. */
void rp_report_minhash(vg_report *r);
/* Extracts facts from r->title and r->text. */
void rp_extract(const vg_report_kb *kb, vg_report *r);

/* Sorted values of the main facts of one kind (distinct, since facts are);
 * the array is allocated from a. */
size_t rp_report_values(const vg_report *r, vg_report_fact_kind k, vg_arena *a, const char ***out);

#endif
