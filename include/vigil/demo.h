/* vigil/demo.h — the built-in November 2020 scenario: a generator that writes
 * a complete, realistic input set (config, intel bundle, mail, sign-in logs,
 * an sshd log) and its ground truth into a directory.
 *
 * The generator knows nothing about detection: it writes files, and `vigil
 * demo` then runs exactly the `vigil scan` code path over them. Everything is
 * a function of (seed, days): the same pair gives byte-identical files, a
 * different seed changes names, addresses, domains and timings.
 *
 * What is written into out_dir:
 *   vigil.yaml                    eight organizations (config schema, docs/config.md)
 *   intel/demo.stix.json          STIX 2.1 bundle: the three actors, some indicators
 *   mail/<org>.mbox | mail/<org>/{cur,new,tmp}/   one mailbox journal per organization
 *   signins/<org>.<shape>.jsonl   Entra ID sign-ins: "diagnostic" (Azure Monitor
 *                                 records), "graph" (signIn objects, newest first)
 *                                 or "loganalytics" (SigninLogs rows)
 *   sshd/<host>.auth.log          RFC 3164 syslog of one organization's SFTP host
 *   truth.json                    what really happened (see docs/demo.md)
 */
#ifndef VIGIL_DEMO_H
#define VIGIL_DEMO_H

#include "vigil/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VG_DEMO_DEFAULT_SEED 20201113u /* the day the attacks were made public */
#define VG_DEMO_DEFAULT_DAYS 14
#define VG_DEMO_MIN_DAYS 3
#define VG_DEMO_MAX_DAYS 60

#define VG_DEMO_OPTS_VERSION 1
typedef struct vg_demo_opts {
    int version;         /* VG_DEMO_OPTS_VERSION */
    const char *out_dir; /* created if missing */
    uint64_t seed;
    int days; /* VG_DEMO_MIN_DAYS..VG_DEMO_MAX_DAYS */
    /* Called now and then with the fraction done (0..1); may be NULL. */
    void (*progress)(double done, const char *what, void *ud);
    void *ud;
} vg_demo_opts;
#define VG_DEMO_OPTS_INIT                                                                          \
    {                                                                                              \
        VG_DEMO_OPTS_VERSION, NULL, VG_DEMO_DEFAULT_SEED, VG_DEMO_DEFAULT_DAYS, NULL, NULL         \
    }

/* What was generated. Paths are out_dir joined with the relative name. */
typedef struct vg_demo_result {
    char *config_path; /* out_dir/vigil.yaml */
    char *intel_path;  /* out_dir/intel/demo.stix.json */
    char *truth_path;  /* out_dir/truth.json */
    char **inputs;     /* every mail, sign-in and sshd input, sorted */
    size_t n_inputs;
    size_t organizations, signins, messages, ssh_lines;
    size_t files_written;             /* files whose bytes changed (or were new) */
    size_t files_unchanged;           /* files already present with identical bytes */
    int64_t window_start, window_end; /* ms UTC */
} vg_demo_result;

/* Generates the scenario into opts->out_dir. A directory that already holds
 * a demo generated with another seed or length is refused (VG_EINVAL) so two
 * scenarios never mix in one database; the same seed rewrites nothing that is
 * already identical, so a rerun keeps file times. On success *out is filled
 * (free with vg_demo_result_free). */
vg_err vg_demo_generate(const vg_demo_opts *opts, vg_demo_result *out, vg_error *e);
void vg_demo_result_free(vg_demo_result *r);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_DEMO_H */
