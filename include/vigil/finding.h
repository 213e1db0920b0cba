/* vigil/finding.h — the finding: what every detector produces and what
 * attribution, the store and notifications consume (DESIGN.md, "Finding").
 *
 * A finding owns all its strings (heap). Lists are kept unique in insertion
 * order while building; vg_finding_normalize() sorts them so output is
 * deterministic. The id is the unkeyed SHA-256 of an anchor (detector,
 * organization, primary key, aligned time bucket): see vg_finding_set_id().
 */
#ifndef VIGIL_FINDING_H
#define VIGIL_FINDING_H

#include "vigil/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VG_FINDING_SCHEMA 1

typedef enum { VG_SEV_LOW = 0, VG_SEV_MEDIUM, VG_SEV_HIGH, VG_SEV_CRITICAL } vg_severity;

typedef enum {
    VG_OUT_ATTEMPTED = 0,
    VG_OUT_BLOCKED,
    VG_OUT_CREDENTIAL_VALID,
    VG_OUT_SUCCEEDED
} vg_outcome;

typedef enum { VG_CONF_NONE = 0, VG_CONF_LOW, VG_CONF_MODERATE, VG_CONF_HIGH } vg_confidence;

const char *vg_severity_name(vg_severity s);
const char *vg_outcome_name(vg_outcome o);
const char *vg_confidence_name(vg_confidence c);
bool vg_severity_parse(const char *s, vg_severity *out);
bool vg_outcome_parse(const char *s, vg_outcome *out);
bool vg_confidence_parse(const char *s, vg_confidence *out);

/* A list of owned, unique strings. */
typedef struct vg_strlist {
    char **v;
    size_t n, cap;
} vg_strlist;

void vg_strlist_free(vg_strlist *l);
bool vg_strlist_has(const vg_strlist *l, const char *s);
/* Adds a copy unless present; returns true if added. NULL/"" ignored. */
bool vg_strlist_add(vg_strlist *l, const char *s);
bool vg_strlist_addn(vg_strlist *l, const char *s, size_t n);
void vg_strlist_addf(vg_strlist *l, const char *fmt, ...) VG_PRINTF(2, 3);
void vg_strlist_add_all(vg_strlist *dst, const vg_strlist *src);
void vg_strlist_sort(vg_strlist *l);
void vg_strlist_copy(vg_strlist *dst, const vg_strlist *src);

typedef struct vg_evidence {
    char *file;
    int64_t line; /* line number, or message index for mail; 0 = unknown */
} vg_evidence;

typedef struct vg_counts {
    int64_t attempts;
    int64_t accounts;
    int64_t ips;
    int64_t succeeded;
    int64_t blocked;  /* attempts stopped (failures, MFA/CA blocks) */
    int64_t messages; /* mail findings: messages involved */
} vg_counts;

typedef struct vg_attribution {
    char *actor; /* canonical name or NULL (unattributed) */
    vg_strlist aliases;
    vg_confidence confidence;
    vg_strlist evidence; /* human sentences: why this actor, at this confidence */
} vg_attribution;

typedef struct vg_finding {
    char id[19]; /* "f-" + 16 hex */
    int revision;
    char kind[40]; /* "cred.spray", see DESIGN.md "Kinds of finding" */
    char *org;
    int64_t first_seen, last_seen; /* ms UTC */
    vg_severity severity;
    int score; /* 0-100 */
    vg_outcome outcome;
    vg_strlist attack; /* ATT&CK technique ids */
    vg_counts counts;
    struct {
        vg_strlist accounts, ips, domains, urls, messages, hashes, user_agents;
    } entities;
    struct {
        vg_strlist compromised, attacker_ips, targeted;
    } roles;
    vg_strlist reasons;
    vg_evidence *evidence;
    size_t n_evidence, cap_evidence;
    vg_attribution attribution;
    bool suppressed; /* set by the store/pipeline, not by detectors */
} vg_finding;

/* Caps applied when serializing (counts carry the totals). Accounts are never
 * capped: an organization must be able to reset every targeted account. */
#define VG_FINDING_MAX_IPS 2000
#define VG_FINDING_MAX_URLS 100
#define VG_FINDING_MAX_EVIDENCE 50

vg_finding *vg_finding_new(const char *kind, const char *org);
void vg_finding_free(vg_finding *f);
vg_finding *vg_finding_clone(const vg_finding *f);

/* id = "f-" + first 16 hex of SHA-256("kind\0org\0key\0bucket"), where bucket
 * is time_ms aligned down to bucket_ms (0 = no time component). */
void vg_finding_set_id(vg_finding *f, const char *primary_key, int64_t time_ms, int64_t bucket_ms);
void vg_finding_add_evidence(vg_finding *f, const char *file, int64_t line);
void vg_finding_seen(vg_finding *f, int64_t t_ms); /* widens first/last seen */
/* Sorts every list (and evidence by file, line), so output is deterministic. */
void vg_finding_normalize(vg_finding *f);

/* One JSON object, no trailing newline (DESIGN.md layout). */
void vg_finding_write_json(const vg_finding *f, vg_json *j);
char *vg_finding_to_json(const vg_finding *f); /* heap string */
/* Parses one finding object (as written above). NULL + message on error. */
vg_finding *vg_finding_from_json(const char *json, size_t n, vg_error *e);

/* A growable list of findings (owned). */
typedef struct vg_findings {
    vg_finding **v;
    size_t n, cap;
} vg_findings;
void vg_findings_push(vg_findings *l, vg_finding *f); /* takes ownership */
void vg_findings_free(vg_findings *l);                /* frees every finding */
/* Sorts by first_seen, kind, org, id. */
void vg_findings_sort(vg_findings *l);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_FINDING_H */
