/* vigil/notify.h — notifications: what each targeted organization is told
 * about a campaign, and the operator's summary across organizations.
 *
 * A notice is one organization's view of one campaign (vigil/attrib.h): led
 * by what succeeded (compromised accounts first), then who (actor, aliases,
 * origin, confidence and why), what (techniques in plain words), when, which
 * accounts were targeted, what was blocked, the evidence, and what to do
 * (including the national CERT to report to). It never names the other
 * victims: only how many there were and their countries.
 *
 * Formats: Markdown, self-contained HTML (every value escaped by one
 * function, an inline SVG timeline), JSON and a STIX 2.1 bundle with
 * deterministic ids. Every output carries its TLP marking.
 *
 * Versions: a notice's "material facts" (targeted and compromised accounts,
 * techniques, actor and confidence) are serialized canonically and hashed;
 * the caller stores the hash and makes a new version only when it changes,
 * never because wording did. Each version has a stable idempotency key,
 * used as the Message-ID of mail and a header of webhooks.
 *
 * Delivery: outbox directory, webhook (JSON POST, HMAC-SHA256 signature over
 * timestamp and body, retries with backoff) and SMTP (STARTTLS when offered).
 * The notify module keeps no state: the pipeline (vigil/stream.h) records
 * versions and delivery states in the store.
 */
#ifndef VIGIL_NOTIFY_H
#define VIGIL_NOTIFY_H

#include "vigil/attrib.h"
#include "vigil/core.h"
#include "vigil/finding.h"
#include "vigil/intel.h"
#include "vigil/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- TLP 2.0 ------------------------------------------------------------------ */

typedef enum { VG_TLP_CLEAR = 0, VG_TLP_GREEN, VG_TLP_AMBER, VG_TLP_AMBER_STRICT, VG_TLP_RED } vg_tlp;

const char *vg_tlp_label(vg_tlp t); /* "TLP:AMBER" */
/* "AMBER", "tlp:amber", "AMBER+STRICT", "WHITE" (TLP 1.0, = CLEAR). */
bool vg_tlp_parse(const char *s, vg_tlp *out);
/* The FIRST TLP 2.0 definition of the label, one sentence. */
const char *vg_tlp_meaning(vg_tlp t);

/* ---- escaping (every value that came from mail or logs goes through these) ----- */

/* Text content or attribute value in HTML: & < > " ' become entities; C0/C1
 * controls, bidirectional overrides and isolates, zero-width characters and
 * line separators become a visible "[U+XXXX]"; ill-formed UTF-8 becomes
 * U+FFFD. The result is inert wherever it is placed inside quotes or text. */
void vg_html_escape(vg_buf *b, const char *s, size_t n);
void vg_html_escape_cstr(vg_buf *b, const char *s); /* NULL -> nothing */
/* Markdown text: the same neutralization plus a backslash before Markdown
 * punctuation, and newlines folded to spaces, so a value stays one inline
 * span whatever it holds. */
void vg_md_escape(vg_buf *b, const char *s);
/* Indicator as people should see it in a report: "hxxps://evil[.]example/",
 * "198.51.100[.]7", "evil[.]example" (not escaped; escape after). */
void vg_defang(vg_buf *b, const char *indicator);

/* ---- organizations and settings (config) -------------------------------------------- */

typedef struct vg_notify_org {
    char *id, *name, *country, *sector;
    vg_strlist domains;   /* mail and UPN domains */
    char *contact;        /* out-of-band address (notify.contact) or NULL */
    bool outbox;          /* default true */
    char *outbox_dir;     /* NULL = OUT/outbox/<id> */
    char *webhook_url;    /* NULL = no webhook */
    char *webhook_secret_env; /* name of the environment variable holding the secret */
    char *webhook_format; /* "json" (default) or "stix" */
    char *smtp_url;       /* smtp://host:587 or smtps://host:465; NULL = no SMTP */
    char *smtp_from;
    vg_strlist smtp_to;
    char *smtp_username, *smtp_password_env;
    char *ca_file;        /* private CA for webhook / SMTP TLS, or NULL */
    bool configured;      /* from the config (false: seen only in findings) */
} vg_notify_org;

typedef struct vg_notify_orgs {
    vg_notify_org *v;
    size_t n, cap;
} vg_notify_orgs;

void vg_notify_org_clear(vg_notify_org *o);
void vg_notify_orgs_free(vg_notify_orgs *l);
const vg_notify_org *vg_notify_orgs_find(const vg_notify_orgs *l, const char *id);
/* Adds an organization with only an id (outbox delivery), unless present. */
const vg_notify_org *vg_notify_orgs_add_bare(vg_notify_orgs *l, const char *id);
/* Settings without secrets, as JSON (stored with the organization) and back. */
char *vg_notify_org_to_json(const vg_notify_org *o);
vg_err vg_notify_org_from_json(const char *json, size_t n, vg_notify_org *out, vg_error *e);

typedef struct vg_notify_settings {
    vg_tlp tlp;                /* tlp / notify.tlp; default AMBER */
    vg_severity min_severity;  /* notify.min_severity; default medium */
    char *sender;              /* who notifies ("vigil" by default): notify.sender */
    char *sender_contact;      /* how to reach the sender out of band: notify.sender_contact */
    int webhook_retries;       /* notify.webhook.retries; default 3 (4 tries) */
    int64_t backoff_ms;        /* notify.webhook.backoff_ms; default 1000, doubling */
    long timeout_s;            /* notify.timeout_seconds; default 30 */
} vg_notify_settings;

void vg_notify_settings_init(vg_notify_settings *s);
void vg_notify_settings_clear(vg_notify_settings *s);
char *vg_notify_settings_to_json(const vg_notify_settings *s);
vg_err vg_notify_settings_from_json(const char *json, size_t n, vg_notify_settings *out,
                                    vg_error *e);

/* Reads organizations[] and tlp / notify.* from a config root (NULL =
 * defaults, no organizations). Organization ids must match [a-z0-9_-]+ and be
 * unique; TLP labels and severities must be known; unknown keys under
 * organizations[] and notify are reported as warnings with their line. */
vg_err vg_notify_config_load(const vg_yaml_node *root, const char *name, vg_notify_orgs *orgs,
                             vg_notify_settings *settings, vg_error *e);

/* ---- plain words ------------------------------------------------------------------ */

/* ATT&CK technique name ("Password Spraying") and a sentence for people;
 * NULL for unknown ids (callers print the id). Parents answer for unknown
 * sub-techniques. */
const char *vg_technique_name(const char *tid);
const char *vg_technique_words(const char *tid);
/* Finding kind in words ("password spraying against many accounts"). */
const char *vg_kind_words(const char *kind);

/* "Russia" for "RU" (a short list of the countries notices name), or NULL. */
const char *vg_country_name(const char *code);
/* "Russia (RU)", or the code alone when the name is unknown. Appends to b. */
void vg_country_words(vg_buf *b, const char *code);

typedef struct vg_cert {
    const char *country; /* ISO alpha-2; "" for the generic entry */
    const char *name;    /* "Canadian Centre for Cyber Security (CCCS)" */
    const char *url;     /* where to report */
} vg_cert;
/* The national CERT / CSIRT for a country (case-insensitive), or the generic
 * advice when unknown or NULL. Never NULL. */
const vg_cert *vg_cert_for(const char *country);

/* ---- a notice: one organization, one campaign --------------------------------------- */

typedef enum { VG_FMT_MD = 0, VG_FMT_HTML, VG_FMT_JSON, VG_FMT_STIX, VG_FMT_COUNT } vg_notify_format;
const char *vg_notify_format_ext(vg_notify_format f); /* "md", "html", "json", "stix.json" */

typedef struct vg_notice vg_notice;

/* Builds org's view of campaign c from its member findings (all orgs'; the
 * caller resolves c->findings to findings). Suppressed findings are left out.
 * Returns NULL when the organization has nothing to be told: no
 * unsuppressed finding of its own in the campaign, or none at or above
 * settings->min_severity. catalog (may be NULL) gives the actor's origin. */
vg_notice *vg_notice_build(const vg_campaign *c, const vg_finding *const *members,
                           size_t n_members, const vg_notify_org *org, const vg_notify_orgs *orgs,
                           const vg_catalog *catalog, const vg_notify_settings *settings);
void vg_notice_free(vg_notice *n);

const char *vg_notice_org(const vg_notice *n);
const char *vg_notice_campaign(const vg_notice *n);
/* Canonical JSON of the material facts and its SHA-256 (hex). */
const char *vg_notice_facts(const vg_notice *n);
const char *vg_notice_content_hash(const vg_notice *n);
/* The version this notice renders as (default 1) and its idempotency key. */
void vg_notice_set_version(vg_notice *n, int version);
int vg_notice_version(const vg_notice *n);
const char *vg_notice_idempotency_key(const vg_notice *n);
/* "vg-" + 32 hex of SHA-256(org, campaign, version, content hash). out: 36 bytes. */
void vg_notify_idempotency_key(const char *org, const char *campaign, int version,
                               const char *content_hash, char out[36]);

bool vg_notice_mail_compromised(const vg_notice *n);
size_t vg_notice_compromised_count(const vg_notice *n);
/* The mail subject line (TLP first; ASCII and UTF-8, no control bytes). */
const char *vg_notice_subject(const vg_notice *n);
/* File base name: "<campaign>-v<version>". */
const char *vg_notice_basename(const vg_notice *n);

/* Renders one format (appends to out). The bytes depend only on the facts
 * and the version: no wall-clock time, no random ids. */
void vg_notice_render(const vg_notice *n, vg_notify_format fmt, vg_buf *out);

/* ---- the operator's summary across organizations -------------------------------------- */

typedef struct vg_actor_stats {
    char *actor;           /* canonical name, or "unattributed" */
    char *origin;          /* ISO alpha-2 or NULL */
    vg_confidence confidence; /* best over its campaigns */
    size_t campaigns;
    vg_strlist orgs;       /* organization ids, sorted */
    vg_strlist countries;  /* sorted */
    vg_strlist compromised; /* "org:account", sorted */
    int64_t attempts, blocked, succeeded;
} vg_actor_stats;

/* Frees the strings and lists inside n entries of an array (not the array). */
void vg_actor_stats_clear(vg_actor_stats *a, size_t n);

/* The delivery state of one notice on one channel, for the summary. */
typedef struct vg_notify_delivery_row {
    const char *org, *campaign, *channel, *state, *target, *error;
    int version, attempts;
} vg_notify_delivery_row;

typedef struct vg_notify_summary vg_notify_summary;

/* members[i] / n_members[i]: the resolved findings of campaigns->v[i]. */
vg_notify_summary *vg_notify_summary_build(const vg_campaigns *campaigns,
                                           const vg_finding *const *const *members,
                                           const size_t *n_members, const vg_notify_orgs *orgs,
                                           const vg_catalog *catalog,
                                           const vg_notify_settings *settings);
void vg_notify_summary_free(vg_notify_summary *s);
/* Deliveries shown in the summary (copied). */
void vg_notify_summary_set_deliveries(vg_notify_summary *s, const vg_notify_delivery_row *rows,
                                      size_t n);
size_t vg_notify_summary_actor_count(const vg_notify_summary *s);
const vg_actor_stats *vg_notify_summary_actor(const vg_notify_summary *s, size_t i);
/* "3 actors targeted 7 organizations in 5 countries; N attempts, M blocked, K succeeded". */
const char *vg_notify_summary_headline(const vg_notify_summary *s);
/* Markdown, HTML, JSON, or a STIX 2.1 bundle (the sender, the organizations
 * and their countries, the actors with their aliases and origin, the
 * campaigns with targets / attributed-to / uses relationships; ids shared
 * with the notices' bundles). Deterministic bytes. */
void vg_notify_summary_render(const vg_notify_summary *s, vg_notify_format fmt, vg_buf *out);

/* ---- delivery ------------------------------------------------------------------------ */

typedef enum { VG_CHANNEL_OUTBOX = 0, VG_CHANNEL_WEBHOOK, VG_CHANNEL_SMTP, VG_CHANNEL_COUNT } vg_channel;
const char *vg_channel_name(vg_channel c); /* "outbox", "webhook", "smtp" */
bool vg_channel_parse(const char *s, vg_channel *out);
/* Channels configured for an organization, in channel order; returns how many. */
size_t vg_notify_org_channels(const vg_notify_org *o, vg_channel out[VG_CHANNEL_COUNT]);

/* A rendered notice ready to deliver. */
typedef struct vg_rendered {
    char *org, *campaign, *basename, *subject, *idempotency_key;
    vg_tlp tlp;
    int version;
    bool mail_compromised;
    vg_buf body[VG_FMT_COUNT]; /* indexed by vg_notify_format */
} vg_rendered;

void vg_rendered_init(vg_rendered *r);
void vg_rendered_free(vg_rendered *r);
void vg_notice_render_all(const vg_notice *n, vg_rendered *out);

typedef struct vg_delivery_opts {
    const char *out_dir;  /* OUT: the outbox default is OUT/outbox/<org>/ */
    const vg_notify_settings *settings;
    /* Tests: the webhook timestamp (seconds) instead of the clock; 0 = clock. */
    int64_t fixed_timestamp;
} vg_delivery_opts;

typedef struct vg_delivery_result {
    bool ok;
    int tries;          /* attempts made in this call */
    long status;        /* last HTTP / SMTP status, 0 if none */
    char target[512];   /* where it went (no credentials) */
    char error[512];    /* why it failed, "" on success */
} vg_delivery_result;

/* Where a channel delivers for an organization (for the store; no secrets). */
void vg_notify_channel_target(const vg_notify_org *o, vg_channel ch, const vg_delivery_opts *opts,
                              bool mail_compromised, vg_buf *out);
/* Delivers one rendered notice on one channel. Returns VG_OK when delivered,
 * VG_EIO (with res->error) when not; the caller records the state and retries
 * on its next run. Outbox: writes <basename>.{md,html,json,stix.json}
 * atomically. Webhook: POST of the JSON (or STIX) with headers
 * X-Vigil-Timestamp, X-Vigil-Signature ("sha256=" + hex HMAC-SHA256 of
 * "<timestamp>.<body>" keyed by the secret), Idempotency-Key, retried on
 * connection errors, 408, 429 and 5xx with exponential backoff. SMTP: a
 * multipart message (text, HTML, JSON and STIX attachments) whose
 * Message-ID is derived from the idempotency key; STARTTLS when offered; when
 * the organization's own mail is compromised it goes to notify.contact
 * instead of addresses in the organization's domains. */
vg_err vg_notify_deliver(const vg_notify_org *o, vg_channel ch, const vg_rendered *r,
                         const vg_delivery_opts *opts, vg_delivery_result *res);

/* The MIME message vg_notify_deliver sends by SMTP (for tests and dry runs). */
void vg_notify_build_mail(const vg_rendered *r, const char *from_name, const char *from,
                          const vg_strlist *to, int64_t date_ms, vg_buf *out);
/* The SMTP recipients for an organization: smtp.to, except that when its own
 * mail is compromised, addresses in its domains give way to notify.contact. */
void vg_notify_smtp_recipients(const vg_notify_org *o, bool mail_compromised, vg_strlist *out);
/* The webhook signature for a timestamp and body: "sha256=<hex>". out: 72 bytes. */
void vg_notify_webhook_signature(const char *secret, int64_t timestamp, const char *body,
                                 size_t n, char out[72]);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_NOTIFY_H */
