/* vigil/store.h — the SQLite store: organizations, findings and their
 * entities, campaigns and members, notifications with per-channel delivery
 * state, ingest offsets, detector baselines, suppressions and imported
 * intel files.
 *
 * The store knows the contract types (vg_finding) and nothing of the modules
 * that make or read them: it holds no business rule (which finding is
 * suppressed, when a notification changes) — callers decide, the store
 * records. Every statement is prepared once and bound; the schema migrates
 * forward with PRAGMA user_version; the database runs in WAL mode.
 *
 * Determinism: the store writes no wall-clock time except when a caller says
 * something happened (a delivery), so storing the same facts twice leaves the
 * database byte-for-byte as it was (vg_store_dump() shows it).
 *
 * Strings returned in records are heap copies owned by the record; release
 * them with the record's *_clear(). Records passed to put functions are read
 * only. NULL strings are stored as "" unless a field says otherwise.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include "vigil/core.h"
#include "vigil/finding.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this build writes (PRAGMA user_version). Older
 * databases are migrated on open; newer ones are refused. */
#define VG_STORE_SCHEMA_VERSION 3

typedef struct vg_store vg_store;

/* Opens (creating if needed) the database at path, enables WAL and foreign
 * keys, and migrates it to VG_STORE_SCHEMA_VERSION inside one transaction.
 * ":memory:" works for tests. */
vg_err vg_store_open(const char *path, vg_store **out, vg_error *e);
void vg_store_close(vg_store *s);
/* The schema version found on open, before migrating (0 for a new file). */
int vg_store_opened_version(const vg_store *s);
/* The schema version now (== VG_STORE_SCHEMA_VERSION after a good open). */
int vg_store_schema_version(vg_store *s);

/* One transaction around many writes (much faster, and atomic). Nested
 * begin/commit pairs are counted; only the outermost commits. */
vg_err vg_store_begin(vg_store *s, vg_error *e);
vg_err vg_store_commit(vg_store *s, vg_error *e);
void vg_store_rollback(vg_store *s);

/* What a put did. */
typedef enum vg_store_change {
    VG_STORE_UNCHANGED = 0, /* same facts already stored: nothing written */
    VG_STORE_INSERTED,
    VG_STORE_UPDATED,
    VG_STORE_STALE /* an older revision than the stored one: kept the stored */
} vg_store_change;
const char *vg_store_change_name(vg_store_change c);

/* ---- organizations ------------------------------------------------------------- */

typedef struct vg_store_org {
    char *id, *name, *country, *sector;
    char *config_json; /* the caller's serialized settings (channels, domains); no secrets */
} vg_store_org;
void vg_store_org_clear(vg_store_org *o);

vg_err vg_store_put_org(vg_store *s, const vg_store_org *o, vg_store_change *chg, vg_error *e);
vg_err vg_store_get_org(vg_store *s, const char *id, vg_store_org *out, vg_error *e); /* VG_ENOTFOUND */
/* Every organization, ordered by id. The record is borrowed for the call.
 * A non-zero return from fn stops the walk and is returned. */
typedef int (*vg_store_org_fn)(const vg_store_org *o, void *ud);
vg_err vg_store_each_org(vg_store *s, vg_store_org_fn fn, void *ud, vg_error *e);

/* ---- findings -------------------------------------------------------------------- */

/* Idempotent upsert keyed by f->id. A new id is inserted; a higher revision
 * replaces the stored one; the same revision replaces it only when its
 * content differs (attribution may change without a new revision); a lower
 * revision leaves the stored finding alone (VG_STORE_STALE). Entities
 * (accounts, IPs, domains, URLs, messages, hashes, and the roles) are
 * indexed alongside. f->suppressed is ignored: see vg_store_set_suppressed. */
vg_err vg_store_put_finding(vg_store *s, const vg_finding *f, vg_store_change *chg, vg_error *e);
/* VG_ENOTFOUND when absent. *out is owned by the caller (vg_finding_free). */
vg_err vg_store_get_finding(vg_store *s, const char *id, vg_finding **out, vg_error *e);
/* Marks a finding suppressed by a suppression id, or clears the mark (NULL). */
vg_err vg_store_set_suppressed(vg_store *s, const char *finding_id, const char *suppression_id,
                               vg_error *e);
/* The suppression id marking a finding (heap, caller frees), or NULL. */
char *vg_store_suppressed_by(vg_store *s, const char *finding_id);

typedef struct vg_store_query {
    const char *org;         /* NULL = every organization */
    const char *kind_prefix; /* "cred." ; NULL = every kind */
    int64_t since_ms;        /* last_seen >= since_ms; 0 = no bound */
    bool include_suppressed; /* default false: suppressed findings are left out */
} vg_store_query;

/* Appends matching findings (f->suppressed set from the store) to out, in
 * vg_findings_sort() order. q may be NULL (everything not suppressed). */
vg_err vg_store_load_findings(vg_store *s, const vg_store_query *q, vg_findings *out, vg_error *e);
/* Ids of the findings naming an entity ("account", "ip", "domain", "url",
 * "message", "hash") with that value, sorted. */
vg_err vg_store_findings_with(vg_store *s, const char *type, const char *value, vg_strlist *ids,
                              vg_error *e);

/* ---- campaigns --------------------------------------------------------------------- */

typedef struct vg_store_campaign {
    char *id;
    char *actor;     /* canonical actor name or "" */
    int64_t first_seen, last_seen;
    char *body_json; /* the caller's serialized campaign (actor, aliases, confidence, why) */
} vg_store_campaign;
void vg_store_campaign_clear(vg_store_campaign *c);

typedef struct vg_store_member {
    const char *finding_id;
    const char *org;
} vg_store_member;

/* Upserts a campaign and replaces its member list (finding id + org). */
vg_err vg_store_put_campaign(vg_store *s, const vg_store_campaign *c, const vg_store_member *m,
                             size_t n_members, vg_store_change *chg, vg_error *e);
/* Removes campaigns (and their members) whose id is not in keep. Their
 * notifications stay, as history. Returns how many were removed in *n. */
vg_err vg_store_retain_campaigns(vg_store *s, const vg_strlist *keep, size_t *n, vg_error *e);
typedef int (*vg_store_campaign_fn)(const vg_store_campaign *c, void *ud);
vg_err vg_store_each_campaign(vg_store *s, vg_store_campaign_fn fn, void *ud, vg_error *e);
/* Member finding ids of a campaign (optionally of one org), sorted. */
vg_err vg_store_campaign_members(vg_store *s, const char *campaign_id, const char *org,
                                 vg_strlist *finding_ids, vg_error *e);

/* ---- notifications and deliveries ----------------------------------------------------- */

typedef struct vg_store_notification {
    char *org, *campaign_id;
    int version; /* 1, 2, ... one per change of material facts */
    char *content_hash;    /* SHA-256 hex of the material facts */
    char *idempotency_key; /* stable per version: Message-ID, webhook header */
    char *facts_json;      /* the material facts that were hashed */
} vg_store_notification;
void vg_store_notification_clear(vg_store_notification *n);

/* The highest version for (org, campaign); VG_ENOTFOUND if none. */
vg_err vg_store_latest_notification(vg_store *s, const char *org, const char *campaign_id,
                                    vg_store_notification *out, vg_error *e);
/* Records a new version. Deliveries of older versions still pending or
 * failed become "superseded" (the new version carries their facts). */
vg_err vg_store_add_notification(vg_store *s, const vg_store_notification *n, vg_error *e);
typedef int (*vg_store_notification_fn)(const vg_store_notification *n, void *ud);
/* Latest version of every (org, campaign), ordered by org, campaign. */
vg_err vg_store_each_latest_notification(vg_store *s, vg_store_notification_fn fn, void *ud,
                                         vg_error *e);

typedef enum vg_delivery_state {
    VG_DELIVERY_PENDING = 0,
    VG_DELIVERY_DELIVERED,
    VG_DELIVERY_FAILED,    /* tried and failed; retried on the next run */
    VG_DELIVERY_SUPERSEDED /* a newer version replaced it before it went out */
} vg_delivery_state;
const char *vg_delivery_state_name(vg_delivery_state st);
bool vg_delivery_state_parse(const char *s, vg_delivery_state *out);

typedef struct vg_store_delivery {
    char *org, *campaign_id;
    int version;
    char *channel; /* "outbox", "webhook", "smtp" */
    vg_delivery_state state;
    int attempts;        /* delivery attempts over all runs */
    char *target;        /* where: directory, URL without credentials, recipients */
    char *last_error;    /* "" when none */
    int64_t delivered_ms; /* wall clock of the successful delivery, 0 before */
} vg_store_delivery;
void vg_store_delivery_clear(vg_store_delivery *d);

/* Adds a pending delivery for a channel unless one exists for that version. */
vg_err vg_store_ensure_delivery(vg_store *s, const char *org, const char *campaign_id, int version,
                                const char *channel, const char *target, bool *created,
                                vg_error *e);
/* Records the outcome of one attempt: attempts += tries, state, error. */
vg_err vg_store_record_delivery(vg_store *s, const char *org, const char *campaign_id, int version,
                                const char *channel, vg_delivery_state state, int tries,
                                const char *error, int64_t delivered_ms, vg_error *e);
vg_err vg_store_get_delivery(vg_store *s, const char *org, const char *campaign_id, int version,
                             const char *channel, vg_store_delivery *out, vg_error *e);
/* Deliveries ordered by org, campaign, version, channel; states is a bit set
 * of (1u << vg_delivery_state), 0 = all. */
typedef int (*vg_store_delivery_fn)(const vg_store_delivery *d, void *ud);
vg_err vg_store_each_delivery(vg_store *s, unsigned states, vg_store_delivery_fn fn, void *ud,
                              vg_error *e);

/* ---- ingest offsets ---------------------------------------------------------------------- */

/* What vigil knows about an input it has read: file identity, size, mtime
 * and the SHA-256 of its bytes, so an unchanged input is recognized. */
typedef struct vg_store_ingest {
    char *path;    /* as given (absolute when known) */
    int64_t dev, ino, size, mtime_ns;
    char *sha256;  /* hex of the bytes read */
    char *kind;    /* "mail", "signins", "findings" */
    int64_t records, rejected;
} vg_store_ingest;
void vg_store_ingest_clear(vg_store_ingest *r);

vg_err vg_store_get_ingest(vg_store *s, const char *path, vg_store_ingest *out, vg_error *e);
vg_err vg_store_put_ingest(vg_store *s, const vg_store_ingest *r, vg_store_change *chg,
                           vg_error *e);

/* ---- baselines: opaque blobs keyed by the detector ---------------------------------------- */

/* Writes only when the bytes or the event time differ. event_ms is the
 * event time the blob is current to; expires_ms (0 = never) lets
 * vg_store_expire_blobs drop stale accounts. */
vg_err vg_store_put_blob(vg_store *s, const char *key, const void *data, size_t n, int64_t event_ms,
                         int64_t expires_ms, vg_store_change *chg, vg_error *e);
/* *data is heap (caller frees); VG_ENOTFOUND when absent. */
vg_err vg_store_get_blob(vg_store *s, const char *key, void **data, size_t *n, int64_t *event_ms,
                         vg_error *e);
typedef int (*vg_store_blob_fn)(const char *key, const void *data, size_t n, int64_t event_ms,
                                void *ud);
/* Blobs whose key starts with prefix ("" = all), ordered by key. */
vg_err vg_store_each_blob(vg_store *s, const char *prefix, vg_store_blob_fn fn, void *ud,
                          vg_error *e);
vg_err vg_store_expire_blobs(vg_store *s, int64_t now_ms, size_t *n, vg_error *e);

/* ---- suppressions --------------------------------------------------------------------------- */

typedef struct vg_store_suppression {
    char *id;           /* stable: derived by the caller from the pattern */
    char *pattern_json; /* the caller's pattern ({"kind":..., "org":..., "account":...}) */
    char *owner, *reason;
    int64_t expires_ms; /* 0 = never */
    char *source;       /* "config" or "cli" */
} vg_store_suppression;
void vg_store_suppression_clear(vg_store_suppression *x);

vg_err vg_store_put_suppression(vg_store *s, const vg_store_suppression *x, vg_store_change *chg,
                                vg_error *e);
/* Deletes every suppression of a source whose id is not in keep (config
 * resync). Findings they marked are unmarked. */
vg_err vg_store_retain_suppressions(vg_store *s, const char *source, const vg_strlist *keep,
                                    vg_error *e);
typedef int (*vg_store_suppression_fn)(const vg_store_suppression *x, void *ud);
vg_err vg_store_each_suppression(vg_store *s, vg_store_suppression_fn fn, void *ud, vg_error *e);

/* ---- imported intel files ------------------------------------------------------------------ */

/* An intel file kept whole (`vigil intel import`), so every later run loads
 * it without being given the path again. The SHA-256 of the bytes is the
 * key: the same content is one file whatever it was called. */
typedef struct vg_store_intel {
    char *sha256;        /* hex of content */
    char *name;          /* base name it was imported under: indicator sources say it */
    char *kind;          /* "names" (an actor naming source) or "indicators" */
    int64_t records;     /* actors or indicators it loaded when imported */
    int64_t imported_ms; /* wall clock of the first import */
    void *content;       /* the file's bytes, NUL-terminated; NULL when not asked for */
    size_t size;
} vg_store_intel;
void vg_store_intel_clear(vg_store_intel *x);

/* Adds an intel file. x->sha256 is ignored (computed here from content).
 * Content already stored, under any name, changes nothing (*chg =
 * VG_STORE_UNCHANGED): the first import's name, time and count stay.
 * sha256_hex (65 bytes, may be NULL) receives the key. */
vg_err vg_store_add_intel(vg_store *s, const vg_store_intel *x, vg_store_change *chg,
                          char *sha256_hex, vg_error *e);
/* One file by its SHA-256 (hex), with content; VG_ENOTFOUND when absent. */
vg_err vg_store_get_intel(vg_store *s, const char *sha256, vg_store_intel *out, vg_error *e);
/* Every imported file ordered by name, then SHA-256 (the order runs load
 * them in, so attribution does not depend on import order). The record is
 * borrowed for the call; content is filled only when with_content. fn must
 * not call vg_store_each_intel. A non-zero return from fn stops the walk. */
typedef int (*vg_store_intel_fn)(const vg_store_intel *x, void *ud);
vg_err vg_store_each_intel(vg_store *s, bool with_content, vg_store_intel_fn fn, void *ud,
                           vg_error *e);

/* ---- inspection --------------------------------------------------------------------------------- */

typedef struct vg_store_stats {
    int64_t orgs, findings, suppressed, entities, campaigns, members, notifications, deliveries,
        pending, failed, ingest, blobs, suppressions, intel_files;
} vg_store_stats;
vg_err vg_store_stats_get(vg_store *s, vg_store_stats *out, vg_error *e);

/* Every row of every table, ordered by primary key, one line per row
 * ("table\tcol=value\t..."): two databases holding the same facts dump
 * byte-identical text. For tests and `sqlite3`-free debugging. */
vg_err vg_store_dump(vg_store *s, vg_buf *out, vg_error *e);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_STORE_H */
