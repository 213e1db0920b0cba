/* auth_internal.h — what the files of src/auth/ share: the JSON tree, the
 * per-record parse context, and the entry points of each format's parser.
 * Not a public header: nothing outside src/auth/ (and its tests) includes it.
 */
#ifndef VIGIL_AUTH_INTERNAL_H
#define VIGIL_AUTH_INTERNAL_H

#include <stdarg.h>

#include "vigil/auth.h"
#include "vigil/core.h"

/* ---- JSON tree (auth_json.c) ------------------------------------------------ */

typedef enum { AJ_NULL = 0, AJ_FALSE, AJ_TRUE, AJ_NUM, AJ_STR, AJ_ARR, AJ_OBJ } aj_type;

/* A value. Strings and numbers are views into the input (s, len; a string
 * without its quotes, `esc` when it holds escapes). Containers hold `n`
 * children in `kids`: arrays n values, objects n (key, value) pairs stored
 * as 2n nodes. `s` of a container points at its opening bracket. */
typedef struct aj_node {
    uint8_t type;
    uint8_t esc;
    uint32_t len;
    uint32_t n;
    const char *s;
    struct aj_node *kids;
} aj_node;

/* Parses one value from p[0..n). With consumed != NULL, stops after the value
 * and reports how many bytes (incl. trailing space) were used; otherwise the
 * whole input must be one value. NULL + *err / *err_off on failure. */
aj_node *vg_auth__json_parse(vg_arena *a, const char *p, size_t n, size_t *consumed,
                             const char **err, size_t *err_off);
/* Object member (exact key first, then ASCII case-insensitive). */
const aj_node *vg_auth__json_get(const aj_node *obj, const char *key);
const aj_node *vg_auth__json_path(const aj_node *n, const char *dotted);
/* String/number/bool as a NUL-terminated arena string (unescaped); NULL for
 * null, objects and arrays. */
const char *vg_auth__json_str(vg_arena *a, const aj_node *n);
vg_str vg_auth__json_view(const aj_node *n); /* raw view (escapes kept) */
bool vg_auth__json_int(const aj_node *n, int64_t *out); /* number or numeric string */
int vg_auth__json_bool(const aj_node *n);               /* 1, 0, -1 unknown */

#define AJ_GET(o, k) vg_auth__json_get((o), (k))

/* ---- configuration (auth_config.c) ------------------------------------------- */

typedef struct auth_org {
    char *id;
    char **tenants;
    size_t n_tenants;
    char **domains; /* lower case */
    size_t n_domains;
    char **hosts; /* lower case */
    size_t n_hosts;
} auth_org;

/* Generic field map (signins.field_map). Each entry names the source key
 * (dotted path for JSON, column name for CSV). */
typedef struct auth_field_map {
    bool present;
    char *time, *user, *ip, *result, *code, *app, *user_agent, *protocol, *org, *tenant, *host,
        *country, *asn, *interactive, *correlation;
    char **success_values, **failure_values, **no_user_values, **locked_values,
        **credential_valid_values, **interrupt_values;
    size_t n_success, n_failure, n_no_user, n_locked, n_cv, n_interrupt;
} auth_field_map;

struct vg_auth_config {
    auth_org *orgs;
    size_t n_orgs;
    auth_field_map fm;
    vg_auth_format format;
    int year;
};

/* ---- per-record context ------------------------------------------------------ */

typedef struct auth_sshd auth_sshd;   /* sshd multi-line attempt state */
typedef struct auth_csv auth_csv;     /* CSV header state */

typedef struct auth_ctx {
    vg_auth_source *src;
    const vg_auth_config *cfg;
    vg_arena *a;      /* per-record arena */
    const char *file; /* input name */
    int64_t line;     /* line of the record being parsed */
    vg_auth_format hint; /* forced format, or AUTO */
} auth_ctx;

/* Fills the defaults of a fresh event (file, line, repeat, interactive -1). */
void vg_auth__event_init(auth_ctx *c, vg_auth_event *ev, vg_auth_format fmt);
/* Finishes an event (account normalization if not done, organization,
 * defaults) and delivers it. Returns the callback's stop value. */
int vg_auth__emit(auth_ctx *c, vg_auth_event *ev);
/* Rejects the current record: "file:line: reason". */
void vg_auth__reject(auth_ctx *c, const char *fmt, ...) VG_PRINTF(2, 3);
void vg_auth__ignore(auth_ctx *c);
void vg_auth__merged(auth_ctx *c);
/* The record's shape was recognized as fmt (for sniffing and statistics). */
void vg_auth__recognized(auth_ctx *c, vg_auth_format fmt);
auth_sshd *vg_auth__source_sshd(vg_auth_source *s);
/* A libxml2 parser context kept per source (set up once, reset per event). */
void **vg_auth__source_xml_slot(vg_auth_source *s);
void vg_auth__xml_ctxt_free(void *ctxt);
/* Sets ev->account* from a raw user name (normalization, flags). */
void vg_auth__set_account(auth_ctx *c, vg_auth_event *ev, vg_str raw, const char *default_domain);

/* ---- format parsers ----------------------------------------------------------- */

/* JSON records: classify by keys, then parse. Returns the format handled, or
 * UNKNOWN when the object has no sign-in shape (the caller rejects it). */
vg_auth_format vg_auth__json_classify(const vg_auth_config *cfg, const aj_node *rec);
void vg_auth__json_record(auth_ctx *c, const aj_node *rec, vg_auth_format fmt);

void vg_auth__entra_record(auth_ctx *c, const aj_node *rec);
void vg_auth__okta_record(auth_ctx *c, const aj_node *rec);
void vg_auth__winjson_record(auth_ctx *c, const aj_node *rec);
void vg_auth__generic_json_record(auth_ctx *c, const aj_node *rec);
/* Journal JSON (journalctl -o json): MESSAGE etc. -> sshd line parser. */
void vg_auth__journal_json_record(auth_ctx *c, const aj_node *rec);

/* Windows event XML: one <Event>...</Event> element. */
void vg_auth__winxml_event(auth_ctx *c, const char *xml, size_t n);
/* Windows: event id + named fields -> event (shared by JSON and XML). */
typedef struct win_fields {
    int64_t event_id;
    int64_t time_ms;
    const char *computer;
    const char *target_user, *target_domain, *target_sid;
    const char *subject_user;
    const char *ip, *workstation;
    const char *status, *substatus, *failure_reason;
    const char *logon_type, *auth_package, *logon_process, *service_name, *process_name;
    const char *ticket_options, *preauth_type;
    const char *correlation; /* ActivityID / record id */
    const char *provider;
} win_fields;
void vg_auth__windows_event(auth_ctx *c, const win_fields *w);

/* sshd / syslog text */
auth_sshd *vg_auth__sshd_new(void);
void vg_auth__sshd_free(auth_sshd *s);
/* One syslog / journal text line. */
void vg_auth__syslog_line(auth_ctx *c, auth_sshd *st, vg_str line, int year, int64_t ref_ms);
/* The sshd part: message of program sshd (host, pid, time already known). */
void vg_auth__sshd_message(auth_ctx *c, auth_sshd *st, int64_t t, const char *host, int64_t pid,
                           vg_str msg);
/* Emits attempts still pending (end of input, or older than `before` ms). */
void vg_auth__sshd_flush(auth_ctx *c, auth_sshd *st, int64_t before);

/* CSV */
auth_csv *vg_auth__csv_new(void);
void vg_auth__csv_free(auth_csv *s);
/* Splits one CSV record (RFC 4180; quoted fields may hold newlines: the
 * caller passes the complete record). Returns the field count or -1. */
int vg_auth__csv_split(vg_arena *a, vg_str rec, vg_str **fields);
/* True when the record's quotes are balanced (complete). */
bool vg_auth__csv_complete(vg_str rec);
/* Header line? Sets up the column map and returns true. */
bool vg_auth__csv_header(auth_ctx *c, auth_csv *st, vg_str line);
bool vg_auth__csv_active(const auth_csv *st);
void vg_auth__csv_row(auth_ctx *c, auth_csv *st, vg_str line);
/* Does this line look like a header vigil can read (for sniffing)? */
vg_auth_format vg_auth__csv_sniff_header(const vg_auth_config *cfg, vg_str line);

/* ---- time ------------------------------------------------------------------------ */

/* RFC 3339 / ISO 8601 (any fraction, optional zone), US "M/D/YYYY h:mm:ss
 * [AM|PM] [±hh:mm]" (Entra exports), Log Analytics "M/D/YYYY, h:mm:ss.fff
 * AM", epoch seconds or milliseconds (10 or 13 digits). */
bool vg_auth__parse_time(vg_str s, int64_t *out);

/* ---- misc ---------------------------------------------------------------------- */

/* Protocol from an Entra clientAppUsed / protocol text. */
vg_auth_proto vg_auth__proto_from_entra(vg_str client_app);
/* IP from text: "1.2.3.4", "[v6]", "1.2.3.4:5678", "::ffff:1.2.3.4". False if none/invalid. */
bool vg_auth__parse_ip(vg_str s, vg_ip *out);
/* "-", "", "null", "N/A" */
bool vg_auth__is_nil(vg_str s);
/* Looks like a GUID (8-4-4-4-12 hex). */
bool vg_auth__is_guid(vg_str s);
const char *vg_auth__lower(vg_arena *a, vg_str s);

#endif
