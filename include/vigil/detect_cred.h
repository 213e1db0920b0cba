/* vigil/detect_cred.h — credential-attack detectors over normalized sign-in
 * events (vigil/auth.h): cred.bruteforce, cred.spray (single-source and the
 * slow distributed kind, linked across organizations), cred.stuffing,
 * cred.compromise and cred.stale_credentials.
 *
 * One engine holds every detector's state. Feed events in event-time order
 * per source (a source is ev->file); events may be late within the source's
 * lateness bound (signins.lateness_minutes, default 10). The engine's clock is
 * the minimum over active sources of (latest event - lateness), so one slow
 * source never makes another's events late; a source declared done, or more
 * than a day of event time behind the others (a dead feed), stops holding the
 * clock back. Feed several files of the same period merged in time
 * (vg_auth_read_files), not one after the other.
 *
 * State is bounded: keyed hash tables with expiry and admission limits,
 * capped sets, HyperLogLog sketches. Memory is flat on an endless stream.
 *
 * Findings (vigil/finding.h) have ids anchored on detector + organization +
 * primary key + aligned time bucket, so a replay gives the same ids and
 * revisions. A finding that grows keeps its id and its revision goes up; the
 * callback sees each revision.
 *
 * Thresholds scale with organization size (distinct accounts seen with a
 * success) and live in one table (cred_thresholds.c) with the reasoning for
 * each; config `signins.thresholds` overrides them by name.
 */
#ifndef VIGIL_DETECT_CRED_H
#define VIGIL_DETECT_CRED_H

#include "vigil/auth.h"
#include "vigil/core.h"
#include "vigil/finding.h"
#include "vigil/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_cred_engine vg_cred_engine;

/* Called for every new finding and every new revision of one. The finding is
 * borrowed (clone it to keep it). */
typedef void (*vg_cred_finding_fn)(const vg_finding *f, void *ud);

/* config_root: the whole config document's root (reads signins.thresholds,
 * signins.lateness_minutes, organizations[].egress_cidrs); NULL = defaults.
 * Returns NULL with a message in e on a bad config value (names file:line). */
vg_cred_engine *vg_cred_engine_new(const vg_yaml_node *config_root, vg_error *e);
void vg_cred_engine_free(vg_cred_engine *g);
void vg_cred_engine_on_finding(vg_cred_engine *g, vg_cred_finding_fn fn, void *ud);

/* Feeds one event (copied as needed; the event stays the caller's). */
void vg_cred_engine_feed(vg_cred_engine *g, const vg_auth_event *ev);
/* The source (ev->file name) has ended: it no longer holds the clock back. */
void vg_cred_engine_source_done(vg_cred_engine *g, const char *source);
/* End of all input: closes every window and emits final revisions. */
void vg_cred_engine_flush(vg_cred_engine *g);
/* Current findings, latest revision of each, cloned into out (appended),
 * sorted (vg_findings_sort). */
void vg_cred_engine_findings(const vg_cred_engine *g, vg_findings *out);

typedef struct vg_cred_stats {
    int64_t events;       /* fed */
    int64_t late;         /* beyond the source's lateness bound (used for counts, not windows) */
    int64_t findings;     /* distinct finding ids */
    int64_t revisions;    /* callbacks made */
    int64_t refused;      /* state inserts refused by admission limits */
    size_t state_entries; /* live entries over all tables */
    size_t state_bytes;   /* estimate of detector state memory */
} vg_cred_stats;
void vg_cred_engine_stats(const vg_cred_engine *g, vg_cred_stats *out);

/* ---- thresholds --------------------------------------------------------------- */

/* The table: name, default, unit and reasoning, in a fixed order. Values for a
 * given organization size come from vg_cred_threshold_value(). */
typedef struct vg_cred_threshold_info {
    const char *name;   /* config key under signins.thresholds */
    double value;       /* default (or overridden) base value */
    const char *unit;   /* "accounts", "attempts", "minutes", "ratio", ... */
    const char *reason; /* why this value */
} vg_cred_threshold_info;
size_t vg_cred_threshold_count(void);
/* The engine's current table (after config overrides); i < count. */
const vg_cred_threshold_info *vg_cred_threshold_at(const vg_cred_engine *g, size_t i);

/* ---- baselines (per account; persisted by the store between runs) ---------------- */

/* A plain, serializable view of one account's baseline: familiar networks
 * (/24 for IPv4, /64 for IPv6), user agents (hashed), protocols, and the last
 * times seen. Bounded: at most VG_CRED_BASELINE_NETS networks and
 * VG_CRED_BASELINE_UAS agents, least recently used dropped; entries not seen
 * for the baseline TTL (90 days of event time) expire. */
#define VG_CRED_BASELINE_NETS 16
#define VG_CRED_BASELINE_UAS 8
typedef struct vg_cred_baseline {
    char org[128];
    char account[256];
    int64_t first_ms, last_ms;  /* first / last success */
    uint32_t successes;         /* successful sign-ins seen (saturating) */
    uint32_t n_nets;
    struct {
        vg_cidr net;            /* /24 or /64 */
        int64_t last_ms;
        uint32_t successes;
    } nets[VG_CRED_BASELINE_NETS];
    uint32_t n_uas;
    struct {
        uint64_t hash;          /* stable (unkeyed) 64-bit hash of the user agent */
        int64_t last_ms;
    } uas[VG_CRED_BASELINE_UAS];
    uint32_t protos;            /* bit (1 << vg_auth_proto) per protocol used with success */
    uint32_t n_asns;
    uint32_t asns[4];           /* autonomous systems of successes (most recent first) */
} vg_cred_baseline;

/* Calls fn for every baseline (in a deterministic order: org, account). */
void vg_cred_baselines_each(const vg_cred_engine *g,
                            void (*fn)(const vg_cred_baseline *b, void *ud), void *ud);
/* Loads (or merges into) one account's baseline. */
void vg_cred_baseline_import(vg_cred_engine *g, const vg_cred_baseline *b);
/* JSON lines, one object per account (stable field names), and back. */
char *vg_cred_baselines_export_json(const vg_cred_engine *g);
vg_err vg_cred_baselines_import_json(vg_cred_engine *g, const char *json, size_t n, vg_error *e);
void vg_cred_baseline_write_json(const vg_cred_baseline *b, vg_json *j);
vg_err vg_cred_baseline_from_json(const char *json, size_t n, vg_cred_baseline *out, vg_error *e);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_DETECT_CRED_H */
