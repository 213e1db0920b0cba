/* stream_int.h — internals of the pipeline (src/stream/). */
#ifndef VIGIL_STREAM_INT_H
#define VIGIL_STREAM_INT_H

#include <stdio.h>

#include "vigil/attrib.h"
#include "vigil/store.h"
#include "vigil/stream.h"
#include "vigil/yaml.h"

/* The mail side of the pipeline lives in mail_in.c, the sign-in side in
 * pipeline.c and inputs.c; only these files include their module headers. */
typedef struct vg_auth_config vg_auth_config;

/* ---- inputs (inputs.c) ------------------------------------------------------------ */

typedef enum { VG_IN_UNKNOWN = 0, VG_IN_MAIL, VG_IN_SIGNINS, VG_IN_FINDINGS } vg_input_kind;
const char *vg_input_kind_name(vg_input_kind k);

typedef struct vg_input {
    char *path;         /* as given or found under a directory */
    vg_input_kind kind;
    bool maildir;       /* a Maildir directory (one mail input) */
    int64_t dev, ino, size, mtime_ns;
    char sha256[65];    /* of the bytes (for a Maildir: of its listing) */
    bool unchanged;     /* the store has the same fingerprint */
    bool failed;        /* could not be read */
    int64_t records, rejected;
} vg_input;

typedef struct vg_inputs {
    vg_input *v;
    size_t n, cap;
    int64_t total_bytes;
} vg_inputs;

/* Expands paths (directories recursively, Maildirs whole), sniffs each file's
 * kind by content and fingerprints it. Unreadable paths are kept with
 * failed = true and a line in problems. */
void vg_inputs_collect(const char *const *paths, size_t n, const vg_auth_config *acfg,
                       vg_inputs *out, vg_strlist *problems);
void vg_inputs_free(vg_inputs *l);

/* ---- mail (mail_in.c) ------------------------------------------------------------------ */

bool vg_stream_sniff_mail(const void *buf, size_t n);

typedef void (*vg_stream_progress_fn)(const char *path, int64_t bytes_done, void *ud);

/* Reads every mail input (changed ones, or all with rescan) through the
 * phishing engine, appending findings to out. */
vg_err vg_stream_read_mail(vg_inputs *inputs, const vg_yaml_node *root, bool rescan,
                           vg_findings *out, vg_scan_summary *sum, FILE *rejects,
                           vg_stream_progress_fn progress, void *ud, int64_t *event_max_ms,
                           bool *any_read, vg_error *e);

/* ---- suppressions (suppress.c) ----------------------------------------------------- */

typedef struct vg_supp {
    char id[20];    /* "s-" + 16 hex */
    char *kind, *org, *account, *ip, *finding; /* patterns (fnmatch, case-insensitive); NULL = any */
    char *owner, *reason, *source;
    int64_t expires_ms; /* end of the expiry day, UTC */
} vg_supp;

typedef struct vg_supps {
    vg_supp *v;
    size_t n, cap;
} vg_supps;

void vg_supps_free(vg_supps *l);
void vg_supp_clear(vg_supp *s);
/* From the config's suppressions[] (source "config"). */
vg_err vg_supps_from_config(const vg_yaml_node *root, const char *name, vg_supps *out, vg_error *e);
/* From a CLI spec "kind=...,org=...,owner=...,reason=...,expires=YYYY-MM-DD". */
vg_err vg_supp_parse_spec(const char *spec, vg_supp *out, vg_error *e);
/* Pattern as canonical JSON (what the store keeps) and back. */
char *vg_supp_pattern_json(const vg_supp *s);
vg_err vg_supp_from_store(const vg_store_suppression *row, vg_supp *out);
/* The first active suppression matching f (NULL if none). */
const vg_supp *vg_supps_match(const vg_supps *l, const vg_finding *f, int64_t now_ms);

/* ---- notification phase (notify_phase.c) --------------------------------------------- */

typedef struct vg_run {
    const vg_scan_opts *opts;
    vg_scan_summary *sum;
    vg_store *store;
    const char *out_dir;
    vg_notify_orgs orgs;
    vg_notify_settings settings;
    vg_catalog *catalog;
    vg_findings all;        /* every stored finding (suppressed marked) */
    vg_campaigns campaigns; /* current campaigns */
    vg_finding **by_id;     /* all, sorted by id (vg_run_index) */
    size_t n_by_id;
} vg_run;

/* (Re)builds the id index over r->all; vg_run_find looks an id up. */
void vg_run_index(vg_run *r);
vg_finding *vg_run_find(const vg_run *r, const char *id);

/* Builds notices for every campaign and organization, records versions,
 * delivers pending and failed deliveries, writes OUT/summary.*. */
vg_err vg_run_notify(vg_run *r, vg_error *e);
/* Fills the finding and campaign parts of the summary from r. */
void vg_run_summarize_findings(vg_run *r);

/* summary.c */
void vg_scan_summary_init(vg_scan_summary *s);

#endif
