/* vigil/report.h — (intel) threat reports: clean messy news and blog reports,
 * extract what they say about a campaign by rules and gazetteers, recognize
 * reports of the same event, and render them (text, JSON, STIX 2.1) or add
 * what they taught to a configuration overlay.
 *
 * Pipeline (`vigil intel report`):
 *   bytes -> clean (charset: BOM, UTF-8, HTML meta, uchardet; ICU ucnv to
 *            UTF-8; HTML via libxml2 without network, Markdown, plain text;
 *            boilerplate and repeated paragraphs dropped, whole-document
 *            repetition folded, mojibake repaired, NFKC, quotes and dashes
 *            normalized)
 *         -> sentences (ICU break iterator + abbreviation list)
 *         -> facts (actors by every catalog alias, countries with a role —
 *            origin, target or mere mention —, sectors, counts, ATT&CK
 *            techniques, impersonated organizations, lure themes, reporting
 *            organization, spokespeople, dates), each with its sentence;
 *            sentences about another, older event are marked background and
 *            their facts do not describe the report's event
 *         -> same-event clustering (MinHash over word shingles + overlap of
 *            the facts) and merging.
 *
 * Ownership: a vg_report_kb is built (its matchers indexed) by
 * vg_report_kb_builtin or, for one filled by hand, by its first
 * vg_report_analyze; once built it is read-only and may be shared by
 * threads. A vg_report owns every string it hands out (valid until
 * vg_report_free). Nothing here touches the network.
 */
#ifndef VIGIL_REPORT_H
#define VIGIL_REPORT_H

#include "vigil/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Input limits (hostile input is bounded before any work). */
#define VG_REPORT_MAX_BYTES (16u << 20)   /* a report larger than this is refused */
#define VG_REPORT_MAX_SENTENCE 2000       /* longer sentences are cut at a space (bytes) */
#define VG_REPORT_MAX_PARAGRAPHS 20000    /* further paragraphs are dropped */
#define VG_REPORT_MAX_SENTENCES 20000     /* further sentences are not read */

/* ---- knowledge: gazetteer + actor catalog ---------------------------------- */

typedef struct vg_report_kb vg_report_kb;
struct vg_catalog;

/* The built-in gazetteer (data/report_gazetteer.yaml) and the built-in actor
 * catalog (data/actors.yaml through intel.h). */
vg_report_kb *vg_report_kb_builtin(vg_error *e);
/* An empty knowledge base; fill it with the calls below, then use it. */
vg_report_kb *vg_report_kb_new(void);
void vg_report_kb_free(vg_report_kb *kb);
/* A gazetteer in the format of data/report_gazetteer.yaml; its entries are
 * added to those loaded before. name is used in errors. */
vg_err vg_report_kb_load_gazetteer(vg_report_kb *kb, const char *text, size_t n,
                                   const char *name, vg_error *e);
/* Every unambiguous name of the catalog (canonical names and aliases) becomes
 * an alias of its actor. The catalog may be freed afterwards. */
void vg_report_kb_add_catalog(vg_report_kb *kb, const struct vg_catalog *c);
/* One actor by hand: canonical name, origin (alpha-2 or NULL), aliases. */
void vg_report_kb_add_actor(vg_report_kb *kb, const char *name, const char *origin,
                            const char *const *aliases, size_t n_aliases);
size_t vg_report_kb_actor_count(const vg_report_kb *kb);

/* ---- cleaning ------------------------------------------------------------- */

typedef struct vg_report_clean_info {
    char charset[32];       /* source charset as detected ("UTF-8", "WINDOWS-1252") */
    const char *format;     /* "html", "markdown" or "text" */
    size_t paragraphs;      /* kept */
    size_t duplicates;      /* repeated paragraphs dropped */
    size_t repeats;         /* whole-document repetitions folded (seed 000: 1) */
    size_t boilerplate;     /* boilerplate paragraphs dropped (incl. a cut tail) */
    size_t mojibake;        /* mojibake sequences repaired */
    size_t dropped_markup;  /* script/style/nav/footer/aside/... elements dropped */
} vg_report_clean_info;

typedef struct vg_report_doc {
    char *title;    /* NULL when none was found */
    char *date;     /* "YYYY-MM-DD" from page metadata or a dateline, or NULL */
    char *text;     /* clean UTF-8, paragraphs separated by "\n\n" */
    vg_report_clean_info info;
} vg_report_doc;

/* Cleans raw bytes (any charset, HTML / Markdown / text). kb supplies the
 * boilerplate lists and abbreviations (NULL: none). Fills *out (free with
 * vg_report_doc_free); VG_ELIMIT when the input exceeds VG_REPORT_MAX_BYTES. */
vg_err vg_report_clean(const vg_report_kb *kb, const void *data, size_t n, vg_report_doc *out,
                       vg_error *e);
void vg_report_doc_free(vg_report_doc *d);

/* ---- analysis ------------------------------------------------------------------ */

typedef enum {
    VG_FACT_ACTOR = 0,    /* value: canonical actor; matched: as written; detail: origin */
    VG_FACT_ORIGIN,       /* value: alpha-2 the report attributes an actor to */
    VG_FACT_COUNTRY,      /* value: alpha-2 of a targeted country */
    VG_FACT_SECTOR,       /* value: sector name (gazetteer) */
    VG_FACT_COUNT,        /* value: the count as written; detail: the number */
    VG_FACT_TECHNIQUE,    /* value: ATT&CK id; detail: technique name */
    VG_FACT_IMPERSONATED, /* value: organization name */
    VG_FACT_LURE,         /* value: theme id ("covid-19"); detail: label */
    VG_FACT_REPORTER,     /* value: the reporting organization */
    VG_FACT_SPOKESPERSON, /* value: a person's name; detail: title as written */
    VG_FACT_DATE,         /* value: "YYYY-MM-DD" or "YYYY-MM" */
    VG_FACT_KIND_COUNT
} vg_report_fact_kind;

/* "actor", "origin", "country", "sector", "count", "technique", ... */
const char *vg_report_fact_kind_name(vg_report_fact_kind k);

typedef struct vg_report_fact {
    vg_report_fact_kind kind;
    bool background;      /* from a sentence about another event: not this report's */
    const char *value;
    const char *matched;  /* the words as written in the report */
    const char *detail;   /* see the kinds above; may be NULL */
    const char *sentence; /* the sentence it came from (clean text) */
    size_t sentence_no;   /* 0-based; the title is sentence 0 when there is one */
} vg_report_fact;

typedef struct vg_report vg_report;

/* Cleans and analyses one report. file labels it in outputs ("-" for stdin).
 * Returns VG_OK and *out, or an error (input too large). */
vg_err vg_report_analyze(const vg_report_kb *kb, const char *file, const void *data, size_t n,
                         vg_report **out, vg_error *e);
void vg_report_free(vg_report *r);

const char *vg_report_file(const vg_report *r);
const char *vg_report_title(const vg_report *r); /* may be NULL */
const char *vg_report_text(const vg_report *r);  /* the clean text */
const char *vg_report_date(const vg_report *r);  /* main date or NULL */
const vg_report_clean_info *vg_report_info(const vg_report *r);
/* Hex SHA-256 of the clean text (65 bytes incl. NUL). */
const char *vg_report_digest(const vg_report *r);

/* Facts in sentence order, de-duplicated by (kind, value, background); the
 * first sentence that stated a fact is the one kept. */
size_t vg_report_fact_count(const vg_report *r);
const vg_report_fact *vg_report_fact_at(const vg_report *r, size_t i);
/* Is there a main-event fact of this kind and value (case-insensitive)? */
bool vg_report_has(const vg_report *r, vg_report_fact_kind k, const char *value);
/* Same for a background fact. */
bool vg_report_has_background(const vg_report *r, vg_report_fact_kind k, const char *value);

/* ---- same event -------------------------------------------------------------- */

typedef struct vg_report_similarity {
    double text;   /* MinHash estimate of the Jaccard similarity of word 3-shingles */
    double facts;  /* weighted overlap of actors, targets, techniques, lures, time */
    double score;  /* the combination compared with the threshold */
    bool same;     /* score >= threshold (or near-identical text) and no veto */
    const char *why; /* a short reason ("actors disjoint", "dates 240 days apart") */
} vg_report_similarity;

#define VG_REPORT_SAME_EVENT 0.55

/* Compares two reports. */
void vg_report_compare(const vg_report *a, const vg_report *b, vg_report_similarity *out);
/* Groups reports of one event (greedy, in the given order, against each
 * group's merged facts) and sets their event ids ("ev-" + 16 hex, derived
 * from the smallest member digest, so it is stable under reordering).
 * threshold <= 0 uses VG_REPORT_SAME_EVENT. Returns the number of events. */
size_t vg_report_cluster(vg_report *const *reports, size_t n, double threshold);
const char *vg_report_event(const vg_report *r); /* NULL before clustering */
/* A new report holding the union of the members' facts (file: the member
 * files joined by ", "; title: the first member's). Free with vg_report_free. */
vg_report *vg_report_merge(vg_report *const *members, size_t n);

/* ---- output ---------------------------------------------------------------------- */

/* One JSON object (one line, no newline): file, title, actors, targets,
 * origins, techniques, impersonated, lures, event, facts. */
void vg_report_write_json(const vg_report *r, const vg_report_kb *kb, vg_buf *out);
/* A readable summary. */
void vg_report_write_text(const vg_report *r, const vg_report_kb *kb, vg_buf *out);
/* A STIX 2.1 bundle: one `report` per given report (pass merged events for
 * one report per event) with threat-actor, intrusion-set, identity (the
 * reporting organization, the targeted sectors, impersonated
 * organizations), location and attack-pattern objects and their
 * relationships (attributed-to, located-at, targets, uses, impersonates).
 * Ids are UUIDv5 of stable keys, the same keys as vigil's notifications, so
 * the same input gives the same bundle and objects merge in a TIP. A report
 * without a date is published at undated_ms. */
void vg_report_write_stix(vg_report *const *reports, size_t n, const vg_report_kb *kb,
                          int64_t undated_ms, vg_buf *out);

/* Adds what the reports taught to a YAML configuration overlay at path
 * (created when absent): impersonated organizations as `brands:` entries
 * {name, domains, keywords}, lure themes as `lures:` entries {theme,
 * keywords}, actor techniques as `actors:` entries {name, techniques}.
 * Existing entries are kept; the three sections are rewritten merged, the
 * rest of the file is left as it was. A readable list of what was added goes
 * to summary (may be NULL). Idempotent. */
vg_err vg_report_apply(const char *path, vg_report *const *reports, size_t n,
                       const vg_report_kb *kb, vg_buf *summary, vg_error *e);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_REPORT_H */
