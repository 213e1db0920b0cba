/* vigil/stream.h — the pipeline that `vigil scan`, `vigil notify` and
 * `vigil demo` run: inputs (recognized by content) -> detectors (phishing,
 * credential attacks, indicator matches) -> attribution -> campaigns ->
 * store -> notifications and their delivery -> the operator's summary.
 *
 * It is library logic: the CLI only parses arguments into vg_scan_opts and
 * prints the vg_scan_summary.
 *
 * Idempotence. Findings have stable ids and revisions, so storing them again
 * changes nothing; an input whose identity, size, mtime and SHA-256 are
 * already recorded (ingest offsets) is not read again — mail and findings
 * files one by one, sign-in logs as a set (a detector window may span files,
 * so one changed sign-in log makes every given sign-in log be read again);
 * a notification gets a new version only when its material facts change, and
 * a delivered version is never sent twice. Scanning the same inputs twice
 * leaves the database and every delivered file byte-identical.
 *
 * Usage from C:
 *
 *     vg_scan_opts o = VG_SCAN_OPTS_INIT;
 *     o.config_path = "dir/vigil.yaml";
 *     o.db_path = "dir/vigil.db";
 *     o.out_dir = "dir";
 *     o.inputs = paths; o.n_inputs = n;
 *     vg_scan_summary s;
 *     vg_error e;
 *     if (vg_pipeline_run(&o, &s, &e)) fprintf(stderr, "%s\n", e.msg);
 *     ... s.actors[i].orgs, s.summary_html ...
 *     vg_scan_summary_free(&s);
 */
#ifndef VIGIL_STREAM_H
#define VIGIL_STREAM_H

#include "vigil/core.h"
#include "vigil/finding.h"
#include "vigil/notify.h"
#include "vigil/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VG_SCAN_OPTS_VERSION 1
#define VG_SCAN_DEFAULT_DB "vigil.db"
#define VG_SCAN_DEFAULT_OUT "vigil-out"

typedef struct vg_scan_opts {
    int version;                     /* VG_SCAN_OPTS_VERSION */
    const char *config_path;         /* NULL: no config (organizations from the store) */
    const char *db_path;             /* NULL: VG_SCAN_DEFAULT_DB */
    const char *out_dir;             /* NULL: VG_SCAN_DEFAULT_OUT; summary.* and outbox/ go here */
    const char *const *intel_files;  /* indicator / actor files, added to config intel.files */
    size_t n_intel;
    const char *const *inputs;       /* files or directories (mail, sign-in logs, findings JSONL) */
    size_t n_inputs;
    /* Suppressions given on the command line: "kind=cred.spray,org=helix,
     * account=svc@x,owner=alice,reason=ticket 12,expires=2027-01-31" (keys:
     * id, kind, org, account, ip; owner, reason and expires are required).
     * They are kept in the store until they expire. */
    const char *const *suppress;
    size_t n_suppress;
    bool json;        /* informational: the caller prints JSON */
    bool progress;    /* a progress bar on stderr, only if stderr is a terminal */
    bool no_notify;   /* detect and store, deliver nothing */
    bool rescan;      /* read every input even if recorded as unchanged */
    const char *rejects_path; /* rejected records are appended here ("file:line: reason") */
} vg_scan_opts;

#define VG_SCAN_OPTS_INIT {VG_SCAN_OPTS_VERSION}

typedef struct vg_scan_kind_count {
    char kind[40];
    int64_t n;
} vg_scan_kind_count;

/* One organization's notice of one campaign, as it stands after the run. */
typedef struct vg_scan_notice {
    char *org, *campaign;
    int version;
    bool new_version;       /* created in this run */
    bool mail_compromised;
    size_t compromised;
    char *outbox_dir;       /* where its files are (NULL without an outbox channel) */
    char *basename;         /* "<campaign>-v<version>" */
    int delivered, failed, pending; /* channels of this version */
} vg_scan_notice;

typedef struct vg_scan_summary {
    /* inputs */
    int64_t inputs, inputs_mail, inputs_signins, inputs_findings;
    int64_t inputs_unchanged, inputs_unknown, inputs_failed;
    int64_t messages, events, records_rejected;
    /* findings (over the whole store after the run) */
    int64_t findings_total, findings_new, findings_updated, findings_suppressed;
    vg_scan_kind_count *kinds; /* by kind, sorted, suppressed ones excluded */
    size_t n_kinds;
    /* campaigns and actors (operator's view) */
    size_t campaigns;
    vg_actor_stats *actors; /* owned copies; see vigil/notify.h */
    size_t n_actors;
    char *headline;         /* "3 actors targeted 7 organizations in 5 countries; ..." */
    /* notifications */
    vg_scan_notice *notices;
    size_t n_notices;
    size_t orgs_notified;   /* organizations that got a new notification version this run */
    size_t notifications_new;
    size_t deliveries_ok, deliveries_failed, deliveries_pending; /* attempts of this run; pending = never tried */
    vg_strlist problems;    /* "helix c-... v2 webhook: HTTP 500" and unreadable inputs */
    char *db_path, *out_dir;
    char *summary_paths[VG_FMT_COUNT]; /* OUT/summary.md, .html, .json, .stix.json */
    int64_t elapsed_ms;
} vg_scan_summary;

/* The config's `actors:` list ({name, techniques}, written by `vigil intel
 * report --apply`): each technique is added to the existing catalog actor
 * the name or alias resolves to (vg_catalog_add_technique). An unknown or
 * ambiguous name, a bad technique id or a malformed entry is a warning
 * naming cfg_name:line, and skipped. Returns how many were skipped. The
 * pipeline calls it after loading every intel source. */
size_t vg_stream_apply_actors(vg_catalog *c, const vg_yaml_node *root, const char *cfg_name);

void vg_scan_summary_free(vg_scan_summary *s);
/* The one-screen text summary (for people). */
void vg_scan_summary_write_text(const vg_scan_summary *s, vg_buf *out);
/* The same as one JSON object. */
void vg_scan_summary_write_json(const vg_scan_summary *s, vg_json *j);

/* Runs the whole pipeline. VG_OK when it ran (some inputs may have been
 * unreadable and some deliveries may have failed: see s->problems);
 * an error when the config, the database or the output directory is
 * unusable. s is always initialized (free it either way). */
vg_err vg_pipeline_run(const vg_scan_opts *opts, vg_scan_summary *s, vg_error *e);

/* `vigil notify`: no inputs; rebuilds notices from the store, delivers what
 * is pending or failed, rewrites the summary. opts->inputs is ignored. */
vg_err vg_pipeline_notify(const vg_scan_opts *opts, vg_scan_summary *s, vg_error *e);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_STREAM_H */
