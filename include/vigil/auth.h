/* vigil/auth.h — sign-in logs: the normalized sign-in event (DESIGN.md,
 * "Normalized sign-in event") and one parser per format, recognized per file
 * and per line: Entra ID (Graph, Log Analytics, Azure Monitor diagnostic
 * records, portal CSV), Okta System Log, sshd syslog / journal export,
 * Windows Security 4624/4625/4768/4771/4776 (JSON and event XML), generic
 * JSON lines / CSV with a field map from the config.
 *
 * Layers
 *  - vg_auth_sniff*()   : is this a sign-in log, and which format.
 *  - vg_auth_source     : per-input parser state (format lock, syslog year,
 *                         sshd attempts spanning several lines). Bytes in,
 *                         events out, in input order. For streams.
 *  - vg_auth_reader     : whole inputs (paths, "-" = stdin), each delivered
 *                         in event-time order (batch mode), rejects counted.
 *
 * Ownership: an event passed to a callback is borrowed; its strings live in a
 * per-record arena and are valid only during the call. Copy what you keep
 * (vg_auth_event_copy). The auth module keeps no state across events beyond
 * what parsing needs (DESIGN.md): detection state lives in detect/.
 */
#ifndef VIGIL_AUTH_H
#define VIGIL_AUTH_H

#include "vigil/core.h"
#include "vigil/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results, protocols, formats ------------------------------------------ */

/* DESIGN.md results. Never renumbered. */
typedef enum vg_auth_result {
    VG_AUTH_SUCCESS = 0,
    VG_AUTH_CREDENTIAL_VALID,  /* password right, MFA / Conditional Access / policy stopped it */
    VG_AUTH_BAD_PASSWORD,
    VG_AUTH_NO_SUCH_USER,
    VG_AUTH_LOCKED,            /* account locked, or the source blocked (smart lockout) */
    VG_AUTH_INTERRUPT,         /* token refresh, KMSI, expired session: says nothing about a password */
    VG_AUTH_OTHER_FAILURE,
    VG_AUTH_RESULT_COUNT
} vg_auth_result;

const char *vg_auth_result_name(vg_auth_result r); /* "success", "bad_password", ... */
bool vg_auth_result_parse(const char *s, vg_auth_result *out);
/* bad_password, no_such_user, locked: a failure that speaks about the credential. */
bool vg_auth_result_is_failure(vg_auth_result r);

/* Client protocol. Never renumbered. */
typedef enum vg_auth_proto {
    VG_PROTO_UNKNOWN = 0,
    VG_PROTO_BROWSER,      /* interactive web sign-in */
    VG_PROTO_MODERN,       /* mobile/desktop app with modern auth (OAuth) */
    VG_PROTO_IMAP,         /* legacy, basic auth */
    VG_PROTO_POP,
    VG_PROTO_SMTP,
    VG_PROTO_ACTIVESYNC,
    VG_PROTO_EWS,          /* Exchange Web Services, basic auth */
    VG_PROTO_MAPI,         /* MAPI over HTTP / Outlook Anywhere, basic auth */
    VG_PROTO_LEGACY_OTHER, /* "Other clients", Autodiscover, PowerShell, ROPC ... */
    VG_PROTO_SSH,
    VG_PROTO_KERBEROS,
    VG_PROTO_NTLM,
    VG_PROTO_RDP,          /* Windows logon type 10 */
    VG_PROTO_WINDOWS,      /* other Windows logon (network, interactive, ...) */
    VG_PROTO_COUNT
} vg_auth_proto;

const char *vg_auth_proto_name(vg_auth_proto p); /* "imap", "activesync", ... */
bool vg_auth_proto_parse(const char *s, vg_auth_proto *out);
/* IMAP, POP, SMTP, ActiveSync, EWS, MAPI, other legacy: basic auth, no MFA. */
bool vg_auth_proto_is_legacy(vg_auth_proto p);

typedef enum vg_auth_format {
    VG_AUTH_FMT_UNKNOWN = 0, /* as an option: auto-detect */
    VG_AUTH_FMT_ENTRA,
    VG_AUTH_FMT_OKTA,
    VG_AUTH_FMT_SSHD,
    VG_AUTH_FMT_WINDOWS,
    VG_AUTH_FMT_JSONL, /* generic JSON lines with signins.field_map */
    VG_AUTH_FMT_CSV,   /* generic CSV with signins.field_map */
    VG_AUTH_FMT_COUNT
} vg_auth_format;
#define VG_AUTH_FMT_AUTO VG_AUTH_FMT_UNKNOWN

const char *vg_auth_format_name(vg_auth_format f); /* "entra", ..., "auto" for UNKNOWN */
bool vg_auth_format_parse(const char *s, vg_auth_format *out); /* accepts "auto" */

/* Account flags. */
enum {
    VG_ACCT_GUEST = 1u << 0,   /* B2B guest: "#EXT#" UPN, or userType Guest */
    VG_ACCT_MACHINE = 1u << 1, /* Windows computer account "HOST$" */
    VG_ACCT_SERVICE = 1u << 2, /* service principal / managed identity / workload */
    VG_ACCT_UNKNOWN_NAME = 1u << 3 /* no account in the record, or a GUID only */
};

/* ---- the normalized sign-in event ---------------------------------------------- */

typedef struct vg_auth_event {
    int64_t time_ms;            /* event time, ms UTC */
    const char *org;            /* organization id; "" when nothing maps it */
    const char *account;        /* normalized: NFKC + case fold, "user@domain" when a
                                   domain is known, else "user"; "" when none */
    const char *account_raw;    /* as logged */
    const char *account_domain; /* normalized domain (UPN suffix or NetBIOS domain) or "" */
    uint32_t account_flags;     /* VG_ACCT_* */
    vg_ip ip;                   /* source; family 0 = none (4776, "-") */
    const char *source_host;    /* client machine name when logged (Windows Workstation,
                                   PAM rhost given as a host name) or "" */
    vg_auth_result result;
    const char *code;           /* the source's own code, verbatim ("50126", "0xC000006A", "FAILURE") */
    const char *reason;         /* the source's failure text, or "" */
    const char *app;            /* application / service / "sshd" */
    const char *user_agent;
    vg_auth_proto proto;
    int8_t interactive;         /* 1 yes, 0 no, -1 unknown */
    const char *correlation_id;
    const char *tenant_id;      /* Entra tenant, Okta org, or "" */
    const char *host;           /* the host that logged it (sshd, Windows) or "" */
    uint32_t asn;               /* 0 = unknown */
    char country[3];            /* ISO 3166-1 alpha-2, upper case, or "" */
    vg_auth_format format;
    const char *file;           /* input name ("-" for stdin) */
    int64_t line;               /* 1-based line of the record (first line for multi-line records) */
    uint32_t repeat;            /* attempts this event stands for (syslog "repeated N times"); >= 1 */
} vg_auth_event;

/* Deep copy into arena a. */
vg_auth_event *vg_auth_event_copy(vg_arena *a, const vg_auth_event *ev);
/* One JSON object for the event (debugging, `vigil signins --events`). */
void vg_auth_event_write_json(const vg_auth_event *ev, vg_json *j);

/* ---- account normalization ------------------------------------------------------ */

/* NFKC + case fold (ICU) of a user name in its logged form: UPN
 * "User@Dom.Example", "DOMAIN\user", "user@host", guest UPNs
 * "alice_partner.example#EXT#@tenant.onmicrosoft.com" (-> alice@partner.example,
 * VG_ACCT_GUEST), machine accounts "HOST$" (VG_ACCT_MACHINE). default_domain
 * (may be NULL) qualifies a bare name. Writes the account to *account and
 * its domain to *domain (both in arena a). Returns false for an empty or
 * unusable name ("-", "", NUL bytes). */
bool vg_auth_normalize_account(vg_arena *a, vg_str raw, const char *default_domain,
                               const char **account, const char **domain, uint32_t *flags);

/* ---- Entra result codes ---------------------------------------------------------- */

/* The table (data/entra_codes.tsv, embedded): code -> result, with a short
 * description and a source per code. Unknown non-zero codes are other_failure. */
vg_auth_result vg_auth_entra_result(int64_t code);
const char *vg_auth_entra_describe(int64_t code); /* NULL if not in the table */

/* ---- configuration ---------------------------------------------------------------- */

/* Organizations (organizations[]: id, tenant_ids, domains, hosts), the
 * generic field map (signins.field_map), the format override and the syslog
 * year. Immutable once readers use it. */
typedef struct vg_auth_config vg_auth_config;

vg_auth_config *vg_auth_config_new(void);
void vg_auth_config_free(vg_auth_config *c);
/* Reads organizations[] and signins.* from the config root (NULL = nothing). */
vg_err vg_auth_config_load(vg_auth_config *c, const vg_yaml_node *root, vg_error *e);
void vg_auth_config_set_format(vg_auth_config *c, vg_auth_format f); /* AUTO by default */
/* Year for RFC 3164 syslog stamps; 0 (default) = the file's mtime year, or the
 * current year for stdin. Turn of the year is handled either way. */
void vg_auth_config_set_year(vg_auth_config *c, int year);
/* Adds one organization mapping by hand (tests, `vigil scan`). Lists may be NULL. */
void vg_auth_config_add_org(vg_auth_config *c, const char *id, const char *const *tenant_ids,
                            const char *const *domains, const char *const *hosts);
/* The organization of an account domain / tenant / host, or NULL. */
const char *vg_auth_config_org_for(const vg_auth_config *c, const char *tenant_id,
                                   const char *domain, const char *host);

/* ---- sniffing ----------------------------------------------------------------- */

/* The format of a buffer holding the start of an input (a few KiB suffice),
 * or VG_AUTH_FMT_UNKNOWN when it is not a sign-in log vigil reads. Generic
 * JSONL/CSV are recognized only when cfg has a field map whose keys are seen
 * (cfg may be NULL). */
vg_auth_format vg_auth_sniff(const vg_auth_config *cfg, const void *buf, size_t n);
/* Same on the first 64 KiB of a file. VG_EIO if it cannot be read. */
vg_err vg_auth_sniff_file(const vg_auth_config *cfg, const char *path, vg_auth_format *out,
                          vg_error *e);

/* ---- statistics ---------------------------------------------------------------- */

typedef struct vg_auth_stats {
    int64_t bytes;
    int64_t lines;    /* physical lines (or records of a JSON document) */
    int64_t events;   /* normalized events delivered */
    int64_t rejected; /* records that could not be parsed (file:line: reason) */
    int64_t ignored;  /* well-formed records that are not sign-ins (sudo, CRON, 4634 ...) */
    int64_t merged;   /* lines folded into an attempt already counted (sshd PAM + Failed ...) */
    int64_t late;     /* events older than the sort window allowed (batch: very disordered input) */
    int64_t by_format[VG_AUTH_FMT_COUNT]; /* events per format */
    int64_t by_result[VG_AUTH_RESULT_COUNT];
    int64_t first_ms, last_ms; /* event-time range, 0 when no events */
} vg_auth_stats;

void vg_auth_stats_add(vg_auth_stats *into, const vg_auth_stats *s);

/* ---- callbacks ------------------------------------------------------------------- */

/* Return 0 to go on, non-zero to stop reading (returned by the read call). */
typedef int (*vg_auth_event_fn)(const vg_auth_event *ev, void *ud);
/* A rejected record. The default (when none is set) prints "file:line: reason"
 * to stderr. */
typedef void (*vg_auth_reject_fn)(const char *file, int64_t line, const char *reason, void *ud);

/* ---- per-input parser (streams) ------------------------------------------------------ */

typedef struct vg_auth_source vg_auth_source;

/* name appears in events (file) and rejects. fmt AUTO = from cfg, else sniff
 * per line. ref_ms: the input's modification time (ms; 0 = now), which dates
 * RFC 3164 stamps when cfg has no year: a stamp later in the year than ref_ms
 * belongs to the year before. */
vg_auth_source *vg_auth_source_new(const vg_auth_config *cfg, const char *name, vg_auth_format fmt,
                                   int64_t ref_ms);
void vg_auth_source_free(vg_auth_source *s);
void vg_auth_source_set_rejects(vg_auth_source *s, vg_auth_reject_fn fn, void *ud);
/* Push bytes (any chunking; a partial last line is kept for the next call).
 * Events come out in input order. JSON documents spanning lines ({"value":
 * [...]}, arrays, {"records": [...]}) and event XML are assembled across calls
 * up to a size limit (VG_AUTH_MAX_DOC). */
vg_err vg_auth_source_feed(vg_auth_source *s, const void *data, size_t n, vg_auth_event_fn fn,
                           void *ud);
/* End of input: parses what is buffered, flushes pending multi-line attempts. */
vg_err vg_auth_source_finish(vg_auth_source *s, vg_auth_event_fn fn, void *ud);
const vg_auth_stats *vg_auth_source_stats(const vg_auth_source *s);
/* The format chosen for the input so far (UNKNOWN until something parsed). */
vg_auth_format vg_auth_source_format(const vg_auth_source *s);

/* Limits (bytes). */
#define VG_AUTH_MAX_LINE (1u << 20)   /* longer lines are rejected */
#define VG_AUTH_MAX_DOC (256u << 20)  /* multi-line JSON document / XML event */

/* ---- whole inputs in event-time order (batch) ------------------------------------- */

typedef struct vg_auth_reader vg_auth_reader;

vg_auth_reader *vg_auth_reader_new(const vg_auth_config *cfg);
void vg_auth_reader_free(vg_auth_reader *r);
void vg_auth_reader_set_rejects(vg_auth_reader *r, vg_auth_reject_fn fn, void *ud);
/* Also append "file:line: reason" lines to this stream (the rejects file). */
void vg_auth_reader_set_rejects_file(vg_auth_reader *r, FILE *f);
/* Batch sorting (default on): each input is delivered in event-time order.
 * Up to max_events (default 4M) are held for sorting; a larger input that is
 * out of order beyond that window is delivered as well as it can be and the
 * rest counted as `late`. Off: input order (for inputs known to be sorted). */
void vg_auth_reader_set_sort(vg_auth_reader *r, bool on, size_t max_events);
/* Reads one path ("-" = stdin). VG_EIO (with a message) if it cannot be
 * opened; parse problems are rejects, not errors. Returns the callback's
 * non-zero value if it stopped the read. */
vg_err vg_auth_read_file(vg_auth_reader *r, const char *path, vg_auth_event_fn fn, void *ud,
                         vg_error *e);
/* Reads several paths and delivers their events merged in event-time order
 * (each input sorted as above, then a k-way merge), so detectors see one
 * timeline. An input that cannot be opened is reported in e and skipped; the
 * others are still read (returns VG_EIO at the end in that case). */
vg_err vg_auth_read_files(vg_auth_reader *r, const char *const *paths, size_t n,
                          vg_auth_event_fn fn, void *ud, vg_error *e);
/* Same on a buffer in memory, named name. */
vg_err vg_auth_read_buffer(vg_auth_reader *r, const char *name, const void *buf, size_t n,
                           vg_auth_event_fn fn, void *ud, vg_error *e);
/* Totals over every input read so far. */
const vg_auth_stats *vg_auth_reader_stats(const vg_auth_reader *r);

/* A sorted array of owned events (convenience for tests and small inputs). */
typedef struct vg_auth_events {
    vg_auth_event *v;
    size_t n, cap;
    vg_arena *arena; /* owns the strings */
} vg_auth_events;
vg_err vg_auth_read_all(vg_auth_reader *r, const char *path, vg_auth_events *out, vg_error *e);
void vg_auth_events_free(vg_auth_events *l);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_AUTH_H */
