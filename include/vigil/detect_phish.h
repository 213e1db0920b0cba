/* vigil/detect_phish.h — the phishing detectors (src/detect/phish_*.c):
 * one engine that parses a raw message (vigil/mail.h), runs every rule of the
 * registration table, sums the weights into a 0-100 score and a verdict, and
 * explains each rule that fired in a sentence. Phishing verdicts also yield
 * `phish.*` findings (vigil/finding.h, DESIGN.md).
 *
 * Typical use (one engine per thread; an engine is not thread-safe, but the
 * engines of several threads can share their tables: see
 * vg_phish_engine_new_sibling):
 *
 *     vg_phish_engine *eng;
 *     if (vg_phish_engine_new(&eng, vg_yaml_root(cfg), &err)) ...   // cfg may be NULL
 *     vg_mail_source *src;
 *     vg_mail_source_open(&src, path, vg_phish_engine_limits(eng), &err);
 *     vg_mail_item it;
 *     for (;;) {
 *         vg_err rc = vg_mail_source_next(src, &it, &err);
 *         if (rc == VG_ENOTFOUND) break;
 *         if (rc) { report err.msg as a reject; continue; }
 *         const vg_phish_result *r;
 *         vg_phish_analyze(eng, it.name, it.data, it.len, &findings, &r, &err);
 *         vg_phish_result_write_json(r, &json);   // the DESIGN.md mail verdict
 *     }
 *
 * Ownership: a result (and every string in it) is borrowed from the engine
 * and valid until the next vg_phish_analyze() or vg_phish_engine_free().
 * Findings appended to a vg_findings list are owned by that list.
 *
 * Config read (docs/config.md): brands[] (name, domains, keywords),
 * organizations[] (id, name, domains, vip_names), mail.authserv_ids,
 * mail.allow[] ({brand, domain}), mail.platforms[], mail.freemail[],
 * mail.weights{rule: n}, mail.thresholds{phish, suspicious},
 * lures[] ({theme, keywords}: more lure phrases, new themes),
 * mail.findings ("phish" or "suspicious": the lowest verdict that yields
 * findings; default "phish"), mail.limits{...}.
 */
#ifndef VIGIL_DETECT_PHISH_H
#define VIGIL_DETECT_PHISH_H

#include "vigil/core.h"
#include "vigil/finding.h"
#include "vigil/mail.h"
#include "vigil/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { VG_PHISH_CLEAN = 0, VG_PHISH_SUSPICIOUS = 1, VG_PHISH_PHISH = 2 } vg_phish_verdict;
const char *vg_phish_verdict_name(vg_phish_verdict v); /* "clean", "suspicious", "phish" */

/* One rule that fired: its stable name (a key of the weights table), the
 * weight it added, and a sentence for people. */
typedef struct vg_phish_reason {
    const char *rule;
    const char *detail;
    int weight;
} vg_phish_reason;

typedef struct vg_phish_result {
    const char *file;         /* the name given to vg_phish_analyze (PATH or PATH#N) */
    char sha256[65];          /* of the raw bytes given */
    const char *message_id;   /* NULL if none */
    const char *from;         /* sender address, NULL if none */
    const char *from_name;    /* display name, NULL if none */
    const char *subject;      /* "" if none */
    const char *const *recipients; /* To + Cc addresses, sorted, unique */
    size_t n_recipients;
    const char *org;     /* organization id of the recipients (config), NULL if none matches */
    int64_t date_ms;     /* message time: first trusted Received date, else Date; 0 unknown */
    vg_phish_verdict verdict;
    int score;           /* 0-100 */
    const vg_phish_reason *reasons; /* in decreasing weight, then rule name */
    size_t n_reasons;
    const char *impersonated; /* brand, VIP or organization claimed, NULL if none */
    const char *lure;         /* main lure theme ("covid-19", "job-offer", ...: the theme ids of
                               * data/actors.yaml lure_themes), NULL if none */
    const char *error;        /* non-NULL: the message could not be analysed (verdict clean) */
} vg_phish_result;

typedef struct vg_phish_engine vg_phish_engine;

/* Builds an engine from the config root (may be NULL: built-in data only).
 * Errors name the config line. */
vg_err vg_phish_engine_new(vg_phish_engine **out, const vg_yaml_node *config_root, vg_error *e);
/* Builds another engine that shares proto's tables (brands, organizations,
 * protected domains, host lists, lexicons, compiled vectorscan databases,
 * all read-only once built) and has its own per-message state (mail parser,
 * vectorscan scratch, arena, host and display-name caches, result): an
 * engine for another thread, identical in its results to proto and far
 * cheaper to build than vg_phish_engine_new().
 *
 * Threads: the call reads only proto's tables, never its per-message
 * state, so it may run on any thread while proto analyses messages on
 * another and while other siblings of proto are built or used; proto must
 * only stay alive (not freed) during the call. Each engine, proto included,
 * is then used by one thread at a time. The engines of a family may be freed
 * in any order, from any thread: the tables go with the last of them. */
vg_err vg_phish_engine_new_sibling(vg_phish_engine **out, const vg_phish_engine *proto,
                                   vg_error *e);
void vg_phish_engine_free(vg_phish_engine *eng);
/* The message limits in effect (for vg_mail_source_open). */
const vg_mail_limits *vg_phish_engine_limits(const vg_phish_engine *eng);

/* Analyses one raw message named `name`. *out is always set (a result with
 * `error` set when the message was rejected, e.g. over the size limit, in
 * which case the return value is that error). When findings is not NULL and
 * the verdict is at least the configured level, phish.* findings are
 * appended (one per kind that fired, per recipient organization; org is the
 * recipients' organization id, else their mail domain). */
vg_err vg_phish_analyze(vg_phish_engine *eng, const char *name, const void *raw, size_t n,
                        vg_findings *findings, const vg_phish_result **out, vg_error *e);

/* The mail verdict of DESIGN.md as one JSON object (no newline):
 * file, sha256, message_id, from, recipients, verdict, score, reasons
 * [{rule, detail}], impersonated, lure (and org, subject, error when set). */
void vg_phish_result_write_json(const vg_phish_result *r, vg_json *j);
/* One line for people: "PATH: phish 87 — reason; reason". Appends to b. */
void vg_phish_result_write_text(const vg_phish_result *r, vg_buf *b);

/* The rule table (stable names, default weights, one-line descriptions). */
typedef struct vg_phish_rule_info {
    const char *name;
    int weight;
    const char *description;
} vg_phish_rule_info;
size_t vg_phish_rules(const vg_phish_rule_info **out);

#ifdef __cplusplus
}
#endif
#endif
