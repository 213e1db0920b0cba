/* phish_internal.h — internals shared by src/detect/phish_*.c: the engine's
 * tables (brands, organizations, platforms, lexicons), the per-message
 * context the rules read and write, and the rule table.
 *
 * Rules come in two classes. A *strong* rule can make a message suspicious
 * on its own (an impersonated brand, a lookalike domain, a dangerous
 * attachment). A *supporting* rule (a lure theme, a brand named in the
 * subject, a shortened link) only adds weight when some strong rule fired:
 * a lure alone is never phishing. */
#ifndef VIGIL_PHISH_INTERNAL_H
#define VIGIL_PHISH_INTERNAL_H

#include <hs/hs.h>
#include <unicode/uspoof.h>

#include "vigil/core.h"
#include "vigil/detect_phish.h"
#include "vigil/finding.h"
#include "vigil/mail.h"
#include "vigil/yaml.h"

/* ---- the rule table (phish_engine.c) --------------------------------------------------- */

typedef enum { PK_IMPERSONATION = 0, PK_LOOKALIKE, PK_LURE, PK_LINK, PK_ATTACHMENT, PK_OTHER,
               PK__COUNT } phish_kind;

typedef enum {
#define PHISH_RULE(id, weight, strong, kind, desc) R_##id,
#include "phish_rules.def"
#undef PHISH_RULE
    R__COUNT
} phish_rule;

/* ---- string sets -------------------------------------------------------------------------- */

/* An owned set of lower-case strings with an int value each. Built once,
 * then only read (by any number of threads): an open-addressing table of
 * (hash, key offset, length, value) over one buffer holding every key, so a
 * table costs a handful of allocations however many keys it has. A bit per
 * (length, first, middle, last byte) signature answers most lookups of
 * absent keys without hashing or touching the table. The table is never
 * more than half full; its keys are fixed data (never chosen by a sender),
 * so an unkeyed hash cannot be flooded. */
typedef struct strmap_slot {
    uint64_t hash;
    uint32_t off, len; /* key bytes in the pool; len == UINT32_MAX: empty */
    intptr_t value;
} strmap_slot;
typedef struct strmap {
    strmap_slot *slots;
    size_t cap, n; /* cap: a power of two, or 0 */
    char *pool;
    size_t pool_n, pool_cap;
    uint64_t sig[256];
} strmap;
void ph_strmap_init(strmap *m);
void ph_strmap_free(strmap *m);
void ph_strmap_put(strmap *m, const char *key, intptr_t value); /* first value wins */
void ph_strmap_putn(strmap *m, const char *key, size_t n, intptr_t value);
bool ph_strmap_get(const strmap *m, const char *key, size_t n, intptr_t *value);
/* Entry i (0 <= i < m->cap) if it holds a key: *key (not NUL-terminated), *n, *value. */
bool ph_strmap_at(const strmap *m, size_t i, const char **key, size_t *n, intptr_t *value);

/* The platform lists (data/mail_platforms.yaml, mail.platforms). */
typedef enum {
    PH_L_ESP = 0, PH_L_ATS, PH_L_SIGNING, PH_L_NEWSLETTERS, PH_L_REWRITERS, PH_L_SHORTENERS,
    PH_L_HOSTING, PH_L_FORMS, PH_L_SHARING, PH_L_TENANTS, PH_L_REDIRECTS, PH_L__COUNT
} ph_list;

/* A host list with optional path prefixes ("docs.google.com/forms"). */
typedef struct hostlist {
    ph_list id;
    strmap hosts;         /* host -> aux */
    char **path_host;     /* entries with a path: host part */
    char **path_prefix;   /* and path prefix ("/forms") */
    int *aux;             /* per-entry value (rewriter unwrap method) */
    size_t n_path;
} hostlist;
void ph_hostlist_init(hostlist *h, ph_list id);
void ph_hostlist_free(hostlist *h);
void ph_hostlist_add(hostlist *h, const char *entry, int aux);

/* ---- brands and organizations ---------------------------------------------------------------- */

typedef struct ph_brand {
    char *name;
    char *name_norm; /* case-folded, for "the brand's name alone" */
    char *name_skel; /* its skeleton */
    char *category;
    char **domains; /* lower-case registrable (or full) domains */
    size_t n_domains;
    char **keywords; /* NFKC-casefolded */
    char **keywords_skel; /* skeleton + casefold, for homoglyph matching */
    char **keywords_compact; /* letters and digits only (empty if < 5) */
    size_t n_keywords;
    char **acronyms; /* case-sensitive */
    size_t n_acronyms;
    char **affiliations; /* casefolded */
    size_t n_affiliations;
    bool strict;
} ph_brand;

typedef struct ph_org {
    char *id;
    char *name;      /* may be NULL */
    char *name_norm; /* casefolded */
    char **domains;
    size_t n_domains;
    char **vips;      /* casefolded display names */
    char **vips_orig; /* as configured */
    size_t n_vips;
} ph_org;

/* A protected label for the edit-distance method, packed for a linear pass. */
typedef struct ph_edit_entry {
    uint64_t chars; /* ph_char_mask() of the label */
    int prot;       /* index in eng->prot */
    int budget;     /* edits allowed on a label this long */
} ph_edit_entry;

/* A protected domain for lookalike checks. */
typedef struct ph_protected {
    char *domain; /* registrable domain */
    char *label;  /* the label before the public suffix ("paypal") */
    char *suffix; /* "com" */
    int brand;    /* index in brands, or -1 */
    int org;      /* index in orgs, or -1 */
    size_t label_len;
    int fold_next; /* next protected index with the same visual fold, or -1 */
    bool strict;   /* of a strict brand (no edit, swap or word methods) */
} ph_protected;

typedef struct ph_lure {
    char *id;
    char *label;
    int weight;
    bool minor; /* lexicons.yaml main: false (urgency): main lure only alone */
} ph_lure;

/* Lexicon pattern flags. */
#define PH_PAT_PREFIX 1u    /* "vaccin*": no boundary after */
#define PH_PAT_CASE 2u      /* case-sensitive, matched on the raw text */
#define PH_PAT_NAME 4u      /* a brand's name: for display names only */

/* Lower-cases (ASCII and Latin-1 capitals), folds runs of white space to one
 * space and typographic apostrophes to ', into out (at most n + 1 bytes);
 * returns the length. The lexicons are written in this form. */
size_t ph_normalize_text(const char *in, size_t n, char *out);
/* Does a match at [from, to) of t (length n) stand on word boundaries? */
bool ph_on_boundary(const char *t, size_t n, size_t from, size_t to, bool prefix);

/* ---- the engine ------------------------------------------------------------------------------- */

#define PH_UNWRAP_NONE 0
#define PH_UNWRAP_QUERY 1 /* aux = 1 + index into unwrap_params */
#define PH_UNWRAP_PROOFPOINT_V2 1000
#define PH_UNWRAP_PROOFPOINT_V3 1001
#define PH_UNWRAP_OPAQUE 1002

/* An engine is two parts. The tables (everything up to "per engine") are
 * built once by vg_phish_engine_new() and never written afterwards: the
 * engines of one family (vg_phish_engine_new_sibling) hold copies of the
 * same field values, pointing at the same heap objects, which a refcounted
 * ph_shared owns (phish_engine.c). The rest is each engine's own state,
 * written by every vg_phish_analyze(). */
typedef struct ph_shared ph_shared;

struct vg_phish_engine {
    /* ---- tables (shared, read-only after the build) ---- */
    vg_mail_parse_opts popts;
    char **authserv_ids;
    size_t n_authserv_ids;
    char **org_domain_list; /* flattened, for the parser */
    size_t n_org_domain_list;
    /* tables */
    ph_brand *brands;
    size_t n_brands;
    strmap brand_names;   /* lower-cased name -> brand index */
    strmap brand_domains; /* domain -> brand index */
    ph_org *orgs;
    size_t n_orgs;
    strmap org_domains; /* domain -> org index */
    ph_protected *prot;
    size_t n_prot, prot_cap;
    strmap prot_skel;        /* skeleton(registrable domain) -> prot index */
    strmap prot_label_skel;  /* skeleton(label) -> prot index (first) */
    strmap prot_labels;      /* label -> prot index */
    strmap prot_domains;     /* registrable domain -> prot index */
    strmap prot_fold;        /* visual fold of a label (5-63 letters, not strict) -> first index */
    struct ph_edit_entry *edit; /* labels open to edit-distance matches, by length then index */
    size_t edit_at[66];      /* edit[edit_at[l] .. edit_at[l + 1]): labels of length l (64: more) */
    size_t prot_domain_max;  /* longest protected domain */
    strmap freemail;
    strmap allow; /* "brandindex|domain" -> 1 */
    hostlist esp, ats, signing, newsletters, rewriters, shorteners, hosting, forms, sharing, tenants,
        redirects;
    hostlist *lists[PH_L__COUNT]; /* the above by ph_list (into this struct: relinked on a copy) */
    /* every domain of the tables -> what it is an entry of (phish_host.c) */
    strmap dom_index;
    struct ph_domain_info *dom_info;
    size_t n_dom_info, dom_info_cap;
    char **unwrap_params;
    size_t n_unwrap_params;
    strmap abused_tlds;
    /* lexicons */
    ph_lure *lures;
    size_t n_lures;
    int *pattern_lure;    /* pattern id -> lure index, or -1 for a brand pattern */
    int *pattern_brand;   /* pattern id -> brand index, or -1 for a lure pattern */
    bool *pattern_strong; /* pattern id -> strong phrase */
    unsigned *pattern_flags; /* PH_PAT_* */
    size_t *pattern_len;  /* bytes of the normalized literal */
    char **pattern_text;  /* pattern id -> phrase (for reasons) */
    size_t n_patterns;
    hs_database_t *hs_db;    /* lower-cased literals, on the normalized text */
    hs_database_t *hs_db_cs; /* case-sensitive literals (acronyms), on the raw text */
    /* ICU: only the const API (uspoof_getSkeletonUTF8) is used after the
     * build, which ICU documents as thread-safe on a shared checker */
    USpoofChecker *spoof;
    /* skeletons of ASCII characters, case-folded (ph_skeleton's fast path);
     * skel_ascii_len[c] == 0xFF: c needs ICU */
    char skel_ascii[128][4];
    uint8_t skel_ascii_len[128];
    /* weights and thresholds */
    int weights[R__COUNT];
    int th_phish, th_suspicious;
    vg_phish_verdict findings_min;
    /* ---- per engine (one thread at a time) ---- */
    ph_shared *shared;  /* owner of the tables (NULL while the first engine builds them) */
    vg_mail_parser *parser;
    hs_scratch_t *hs_scratch; /* for hs_db and hs_db_cs */
    vg_arena *arena;    /* per message */
    vg_htable *hosts; /* host -> ph_host (bounded cache, phish_host.c) */
    vg_htable *names; /* display name -> its brand claim (bounded cache, phish_sender.c) */
    vg_phish_result result;
};

/* Tests only: e's tables were changed after the build (e has no siblings);
 * makes them the ones freed with the engine and copied to siblings. */
void ph_tables_changed(vg_phish_engine *e);

/* ---- the per-message context ---------------------------------------------------------------------- */

typedef struct ph_reason {
    phish_rule rule;
    int weight;
    const char *detail;
} ph_reason;

typedef struct ph_ctx {
    vg_phish_engine *eng;
    const vg_mail_msg *m;
    vg_arena *a;
    /* sender */
    const vg_mail_addr *from; /* first From with an address, or NULL */
    const char *from_domain;  /* "" if none */
    const char *from_reg;     /* registrable domain */
    bool from_freemail;
    int from_brand; /* brand whose domain the sender uses, -1 */
    int from_org;   /* organization whose domain the sender uses, -1 */
    bool authenticated; /* DMARC pass, or DKIM pass aligned with the From domain */
    bool auth_failed;   /* DMARC fail / compauth fail / SPF fail without DKIM pass */
    bool from_platform; /* From domain is an ATS / e-signature platform */
    /* recipients */
    int rcpt_org; /* organization of the recipients, -1 */
    /* claims */
    int claimed_brand; /* brand claimed by the display name, -1 */
    int claimed_brand_any; /* brand claimed anywhere (display, subject, body), -1 */
    bool claim_foreign; /* a claim the sender's domain does not support */
    const char *impersonated;
    int imp_prio; /* strength of the claim behind impersonated (ph_impersonate) */
    /* lures */
    unsigned lure_hits[32];   /* phrases per lure */
    unsigned lure_subject[32];
    bool lure_strong[32];
    const char *lure_example[32];
    int lure_best; /* -1 */
    /* brand keywords found by the scan, per brand (arena arrays) */
    unsigned *brand_hits;    /* in the text (subject excluded) */
    unsigned *brand_subject; /* in the subject */
    /* case-folded subject and display name (phish_sender.c), NULL until needed */
    const char *subject_fold, *name_fold;
    /* text to scan (subject + visible text), capped */
    const char *text;
    size_t text_len;
    /* results */
    ph_reason *reasons;
    size_t n_reasons, cap_reasons;
    vg_strlist domains, urls, hashes; /* entities for findings */
    unsigned kinds_fired; /* bit per phish_kind */
} ph_ctx;

/* Adds a reason (once per rule: later calls for the same rule only add
 * entities). detail is formatted into the arena. */
void ph_fire(ph_ctx *c, phish_rule r, const char *fmt, ...) VG_PRINTF(3, 4);
bool ph_fired(const ph_ctx *c, phish_rule r);
/* Records who the message impersonates; a stronger claim wins: 5 display
 * name / spoofed own domain, 4 look-alike sender or shown address, 3 links,
 * 2 subject, 1 body. */
void ph_impersonate(ph_ctx *c, const char *who, int prio);

/* ---- hosts (phish_host.c) ------------------------------------------------------------------------------ */

/* Facts about one host, computed once per engine. Pointers handed out are
 * valid until the next vg_phish_analyze(). */
typedef struct ph_domain_info ph_domain_info;
typedef struct ph_host {
    unsigned have; /* which facts are known */
    bool owned;    /* in the cache (else in the message's arena) */
    char *reg;     /* registrable domain */
    int brand, org; /* brand / organization whose domain the host is or is under, -1 */
    uint32_t lists; /* bit per ph_list: the host or a parent is an entry */
    uint32_t paths; /* bit per ph_list: an entry with a path is on the host or a parent */
    int aux[PH_L__COUNT];
    bool freemail; /* the host itself is a free-mail domain */
    intptr_t look; /* look-alike verdict (phish_domain.c) */
    bool public_suffix; /* the host or a parent is a public suffix (libpsl, no wildcard rules) */
} ph_host;

/* Builds the domain index (after every table is loaded). */
void ph_host_index_build(vg_phish_engine *e);
void ph_host_index_free(vg_phish_engine *e);
/* The engine's own host and display-name caches. */
void ph_caches_new(vg_phish_engine *e);
void ph_caches_free(vg_phish_engine *e);
/* Empties the per-engine caches (hosts, display names) that passed their
 * bound (between messages). */
void ph_caches_trim(vg_phish_engine *e);
/* NULL for an empty or NULL host. */
ph_host *ph_host_get(vg_phish_engine *e, const char *host);
/* Registrable domain of host (libpsl); host itself if none, "" for "". */
const char *ph_reg_domain(vg_phish_engine *e, const char *host);
/* Brand / organization index whose domain host is (or is under), else -1. */
int ph_brand_of_domain(vg_phish_engine *e, const char *host);
int ph_org_of_domain(vg_phish_engine *e, const char *host);
/* Is this exact domain a free-mail domain? */
bool ph_is_freemail(vg_phish_engine *e, const char *reg);
/* Is host (or a parent) on the list, or on an entry with a path that
 * prefixes url's path (when url is given)? *aux: the entry's value. */
bool ph_host_in(vg_phish_engine *e, const hostlist *l, const char *host, const char *url, int *aux);
/* Is host (or a parent) a host entry of any platform list? */
bool ph_host_known(vg_phish_engine *e, const char *host);
/* Is host, or one of its parent domains, a public suffix (libpsl, no
 * wildcard rules)? */
bool ph_host_public_suffix(vg_phish_engine *e, const char *host);
/* The look-alike verdict slot of host; true when it holds a verdict already. */
bool ph_host_look(vg_phish_engine *e, const char *host, intptr_t **verdict);

/* ---- domains (phish_domain.c) ----------------------------------------------------------------------- */

/* Registrable domain without the cache, into the arena (table building). */
const char *ph_reg_domain_uncached(vg_arena *a, const char *host);
/* Is reg a free-mail domain (the table itself, while building)? */
bool ph_is_freemail_uncached(const vg_phish_engine *e, const char *reg);
/* Bit set of the bytes of s (letters, digits, others hashed): two strings
 * within d edits differ in at most 2d bits. */
uint64_t ph_char_mask(const char *s, size_t n);
/* Edits a label of len letters may be from a protected one to count as a
 * misspelling of it: none under 5 letters, 1 up to 8, 2 above. */
int ph_edit_budget(size_t len);
/* Fills the ASCII skeleton table (after uspoof_open). */
void ph_skeleton_init(vg_phish_engine *e);
/* The visual fold of a host label (phish_domain.c): i, l, 1, | -> l; 0 -> o;
 * rn -> m; vv -> w; cl -> d. Returns the length written (< cap). */
size_t ph_visual_fold(const char *s, size_t n, char *out, size_t cap);

/* Label before the public suffix and the suffix: "paypal" / "com". */
void ph_split_reg(const char *reg, const char **label, size_t *label_len, const char **suffix);
/* UTS #39 skeleton of UTF-8 s, case-folded, into the arena. */
const char *ph_skeleton(vg_phish_engine *e, vg_arena *a, const char *s, size_t n);
/* NFKC case fold of UTF-8, default ignorables removed, into the arena. */
const char *ph_casefold(vg_arena *a, const char *s, size_t n);
/* An ASCII-lower-cased copy of n bytes (what strcasestr compares), into the
 * arena: a case-insensitive search in it is a plain one. */
char *ph_ascii_lower(vg_arena *a, const char *s, size_t n);
/* Unicode form of an A-label host (for reasons), into the arena. */
const char *ph_unicode_host(vg_arena *a, const char *host);

typedef enum {
    LA_NONE = 0,
    LA_CONFUSABLE, /* same skeleton */
    LA_IDN,        /* punycode label confusable */
    LA_EDIT,       /* small edit distance on the label */
    LA_SWAP,       /* digit/letter swaps */
    LA_SUBDOMAIN,  /* brand as subdomain of another domain */
    LA_WORD,       /* brand + hyphen/extra word */
    LA_TLD         /* same label, another TLD */
} ph_look_method;

typedef struct ph_lookalike {
    ph_look_method method;
    int prot; /* index in eng->prot */
    int distance;
} ph_lookalike;

/* Is host a lookalike of a protected domain (brand or organization)? The
 * host's own registrable domain being protected (or allowed) is not. */
bool ph_lookalike_check(ph_ctx *c, const char *host, ph_lookalike *out);
const char *ph_look_method_text(ph_look_method m);

/* ---- data (phish_data.c) ------------------------------------------------------------------------------ */

vg_err ph_load_builtin(vg_phish_engine *e, vg_error *err);
vg_err ph_load_config(vg_phish_engine *e, const vg_yaml_node *root, vg_error *err);
vg_err ph_build_protected(vg_phish_engine *e, vg_error *err);
/* Disk cache of compiled vectorscan databases (phish_hscache.c). key: a
 * digest of the patterns; NULL / nothing written when absent or off. */
hs_database_t *ph_hs_cache_get(const uint8_t key[32]);
void ph_hs_cache_put(const uint8_t key[32], const hs_database_t *db);
/* Lexicons: data/lexicons.yaml plus the config's `lures:` (root may be NULL). */
vg_err ph_lexicon_compile(vg_phish_engine *e, const vg_yaml_node *root, vg_error *err);
void ph_data_free(vg_phish_engine *e);
int ph_add_brand(vg_phish_engine *e, const vg_yaml_node *n, vg_error *err);

/* ---- detectors (one registration table in phish_engine.c) ------------------------------------------------ */

void ph_detect_scan(ph_ctx *c);        /* phish_lure.c: one vectorscan pass (lures, brands) */
void ph_detect_sender(ph_ctx *c);      /* phish_sender.c: brand/VIP/org claims, free-mail */
void ph_detect_lookalike(ph_ctx *c);   /* phish_lookalike.c: sender, Reply-To, links */
void ph_detect_auth(ph_ctx *c);        /* phish_auth.c: SPF/DKIM/DMARC, Reply-To */
void ph_detect_lure(ph_ctx *c);        /* phish_lure.c: lexicons (vectorscan) */
void ph_detect_freemail_lure(ph_ctx *c); /* phish_sender.c: after the lures are known */
void ph_detect_brand_subject_lure(ph_ctx *c); /* phish_sender.c: likewise */
void ph_detect_links(ph_ctx *c);       /* phish_links.c: credential links and forms */
void ph_detect_attachments(ph_ctx *c); /* phish_attach.c */
void ph_detect_evidence(ph_ctx *c);    /* phish_evidence.c: parser evidence, headers */

void ph_fire_lure(ph_ctx *c, int weight, const char *detail);
/* Is lure theme id present (a strong phrase, one in the subject, or two in the
 * text)? Valid after ph_detect_lure. (phish_lure.c) */
bool ph_lure_present(const ph_ctx *c, const char *id);

/* Marks in cand[] (one byte per brand) the brands whose keywords, names or
 * acronyms occur in raw (n bytes) or in one of the other forms (already
 * case-folded: no acronyms) (phish_lure.c). */
void ph_brand_candidates(ph_ctx *c, const char *raw, size_t n, const char *const *forms,
                         size_t n_forms, unsigned char *cand);

/* Text helpers (phish_sender.c). */
bool ph_word_find(const char *hay, size_t n, const char *needle, bool case_sensitive);
/* Unwraps a link-rewriting service; returns the target URL (arena) or NULL. */
const char *ph_unwrap(ph_ctx *c, const vg_mail_url *u, const char **host_out);

#endif
