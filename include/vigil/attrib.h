/* vigil/attrib.h — attribution of findings to actors with honest confidence,
 * clustering of findings into campaigns across organizations (stable ids),
 * ioc.match findings from telemetry that hits an indicator directly, and
 * cross-organization sightings in STIX 2.1 and MISP.
 *
 * Confidence (DESIGN.md, issue 5):
 *  high      an indicator tied to the actor, valid at the finding's time, and
 *            not a shared address (Tor exit, public VPN, cloud or CDN front);
 *  moderate  a shared or ephemeral indicator tied to the actor plus a
 *            technique and lure that fit the actor; or the same infrastructure
 *            cluster as a high-confidence finding;
 *  low       technique, lure and infrastructure profile fit plus at least one
 *            corroborating non-technique signal (targeted sector, free-mail or
 *            lookalike sender the actor is known for, an expired indicator);
 *  none      everything else. Technique fit alone names no actor; the reasons
 *            may say "consistent with". cred.stale_credentials and other benign
 *            shapes are never attributed.
 */
#ifndef VIGIL_ATTRIB_H
#define VIGIL_ATTRIB_H

#include "vigil/core.h"
#include "vigil/finding.h"
#include "vigil/intel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- context: catalog + indicators + organization metadata ------------------ */

/* Organization metadata taken from the config (organizations[]). */
typedef struct vg_org_info {
    const char *id;      /* "helix" */
    const char *country; /* ISO 3166-1 alpha-2, or NULL */
    const char *sector;  /* "pharmaceutical", "research", ... or NULL */
} vg_org_info;

typedef struct vg_attrib vg_attrib;

/* cat and iocs may be NULL (no actor catalog / no indicators); they and orgs
 * must outlive the context (orgs is copied). */
vg_attrib *vg_attrib_new(const vg_catalog *cat, const vg_iocset *iocs, const vg_org_info *orgs,
                         size_t n_orgs);
void vg_attrib_free(vg_attrib *a);

/* Fills f->attribution of every finding in place (replacing what was there).
 * Works on the whole list because "same infrastructure cluster as a
 * high-confidence finding" looks across findings. Deterministic. */
void vg_attrib_findings(vg_attrib *a, vg_findings *l);
/* Single finding, no cross-finding rule. */
void vg_attrib_finding(vg_attrib *a, vg_finding *f);

/* ---- campaigns ------------------------------------------------------------------ */

typedef struct vg_campaign {
    char id[19];              /* "c-" + 16 hex: SHA-256 of the earliest member finding id */
    char *actor;              /* canonical actor or NULL = unattributed */
    vg_confidence confidence; /* of the actor claim: best member's confidence */
    vg_strlist aliases;       /* actor aliases (a few) */
    vg_strlist orgs;          /* organization ids, sorted */
    vg_strlist countries;     /* their countries (ISO alpha-2), sorted */
    vg_strlist kinds;         /* finding kinds, sorted */
    vg_strlist techniques;    /* ATT&CK ids, sorted */
    int64_t first_seen, last_seen;
    int64_t attempts, blocked, succeeded;
    vg_strlist compromised;   /* "org:account" of every compromised account */
    vg_strlist findings;      /* member finding ids, sorted */
    vg_strlist ips, domains, urls, hashes; /* infrastructure linking the members (capped) */
    vg_strlist reasons;       /* why these findings form one campaign */
    vg_strlist merged;        /* ids of earlier campaigns merged into this one */
    int revision;             /* grows when membership changes */
} vg_campaign;

typedef struct vg_campaigns {
    vg_campaign **v;
    size_t n, cap;
} vg_campaigns;

void vg_campaign_free(vg_campaign *c);
void vg_campaigns_push(vg_campaigns *l, vg_campaign *c); /* takes ownership */
void vg_campaigns_free(vg_campaigns *l);
const vg_campaign *vg_campaigns_find(const vg_campaigns *l, const char *id);
/* The campaign holding finding id, or NULL. */
const vg_campaign *vg_campaigns_of_finding(const vg_campaigns *l, const char *finding_id);

typedef struct vg_campaign_opts {
    int64_t gap_ms;         /* max time gap between linked findings (default 30 days) */
    const vg_iocset *iocs;  /* indicator set, to recognize shared addresses (Tor exit
                             * lists, VPN, cloud): they link nothing. May be NULL. */
} vg_campaign_opts;

/* Clusters attributed findings (call vg_attrib_findings first) into campaigns.
 * Links: the same actor at moderate or better confidence within the gap; or
 * shared infrastructure within the gap: attacker IPs (2 or more in common, or
 * every IP of the smaller side), their /24 (v4) or /48 (v6) clusters (half
 * weight), sender and link domains, URLs, attachment hashes (one is enough).
 * Infrastructure that unrelated parties share links nothing: addresses the
 * indicator set marks shared (Tor exits, VPN, cloud), non-global addresses,
 * free-mail and mass-hosting domains, and any key seen in findings attributed
 * to two different actors. Clusters holding different actors never merge.
 * Benign shapes (cred.stale_credentials) and suppressed findings belong to no
 * campaign; every other finding to exactly one (possibly alone).
 * Stable ids: id = "c-" + SHA-256("campaign", earliest member's finding id).
 * previous (may be NULL): the campaigns of an earlier run. Taking previous
 * campaigns oldest first (first_seen, id), each gives its id to the new
 * cluster holding its earliest surviving member, unless that cluster already
 * took an older id: then it is listed in `merged` (a merge keeps the oldest
 * id). Clusters left without a previous id (new ones, and parts split off)
 * get a fresh id that clashes with none in use. revision = previous + 1 when
 * membership or actor changed. opts may be NULL. Output sorted by
 * first_seen, id. */
vg_err vg_campaigns_build(const vg_findings *findings, const vg_org_info *orgs, size_t n_orgs,
                          const vg_campaigns *previous, const vg_campaign_opts *opts,
                          vg_campaigns *out, vg_error *e);

void vg_campaign_write_json(const vg_campaign *c, vg_json *j);
char *vg_campaign_to_json(const vg_campaign *c); /* heap */
vg_campaign *vg_campaign_from_json(const char *json, size_t n, vg_error *e);

/* ---- ioc.match (src/detect/ioc_match.c) ------------------------------------------- */

/* One telemetry event at a value (a sign-in's source IP, a sender domain, a
 * URL in a message, an attachment hash): its outcome and account are the
 * value's. */
typedef struct vg_ioc_obs {
    const char *org;
    vg_ioc_type type;      /* VG_IOC_NONE = guess */
    const char *value;
    const char *role;      /* "sign-in source", "sender domain", "link", ... */
    int64_t time_ms;
    const char *account;   /* account involved, or NULL */
    vg_outcome outcome;    /* of the event */
    const char *file;      /* evidence, or NULL */
    int64_t line;
    const char *finding_id; /* finding the value came from, or NULL */
    const vg_strlist *attack; /* techniques of that finding, or NULL */
} vg_ioc_obs;

typedef struct vg_ioc_matcher vg_ioc_matcher;

vg_ioc_matcher *vg_ioc_matcher_new(const vg_iocset *s);
void vg_ioc_matcher_free(vg_ioc_matcher *m);
/* Returns the number of indicator hits of this observation. A success makes
 * obs->account compromised in the match; a failure makes it targeted only. */
size_t vg_ioc_observe(vg_ioc_matcher *m, const vg_ioc_obs *obs);
/* Every entity of a finding (IPs, domains, URLs, hashes, sender addresses).
 * The finding's outcome, accounts and counts belong to a value only when all
 * of its activity happened there (its only source address; any value of a
 * mail finding about one message); otherwise the finding lends the match a
 * reference and its techniques, nothing else. Where telemetry events hit the
 * same indicator (vg_ioc_observe), the finding's part joins their match
 * instead of making another: events are the authority on what happened. */
size_t vg_ioc_observe_finding(vg_ioc_matcher *m, const vg_finding *f);
/* Emits one ioc.match finding per (org, indicator value, UTC day of the
 * observation; of the finding's first_seen for a finding), sorted; clears the
 * matcher. Hits on context lists (a Tor exit with no actor) and on expired
 * indicators with no actor are not emitted. The finding's id is the DESIGN.md
 * anchor ("ioc.match", org, "type:value", day), so replays give the same ids. */
void vg_ioc_matcher_flush(vg_ioc_matcher *m, vg_findings *out);
/* Convenience: observe every finding of in, append the ioc.match findings to out. */
void vg_ioc_match_findings(const vg_iocset *s, const vg_findings *in, vg_findings *out);

/* ---- cross-organization sightings ----------------------------------------------- */

/* Exports findings of one organization (org NULL = all) as a STIX 2.1 bundle
 * of identity, indicator (for attacker IPs/domains/URLs/hashes), sighting
 * (sighting_of_ref -> indicator, where_sighted_refs -> organization identity,
 * count, first_seen/last_seen) and, for attributed findings, threat-actor /
 * intrusion-set plus attributed-to relationships. Each sighting carries
 * x_vigil_finding (kind, outcome, techniques, counts) so an importer can
 * rebuild the finding. Ids are deterministic (uuid5). Sorted JSON. */
vg_err vg_sightings_export_stix(const vg_findings *l, const char *org, vg_buf *out, vg_error *e);
/* The same as a MISP event (attributes with to_ids, sightings, actor tags
 * misp-galaxy:threat-actor="..."). */
vg_err vg_sightings_export_misp(const vg_findings *l, const char *org, vg_buf *out, vg_error *e);
/* Imports sightings (STIX bundle or MISP event) as findings of the sighting
 * organization, appended to out (kind from x_vigil_finding, or ioc.match).
 * Returns VG_EINVAL with position on unreadable documents. */
vg_err vg_sightings_import(const char *json, size_t n, const char *name, vg_findings *out,
                           vg_error *e);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_ATTRIB_H */
