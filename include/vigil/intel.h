/* vigil/intel.h — threat intelligence: the actor catalog (names, aliases,
 * origin, techniques, lures, infrastructure habits) merged by alias from the
 * built-in catalog and public naming sources, and indicator sets (STIX 2.1,
 * MISP events, plain lists, CIDRs, Tor exit lists) with fast lookups.
 *
 * Names. Every actor name comes from a source with a precedence level:
 * built-in (data/actors.yaml) > Microsoft naming map > MITRE ATT&CK > MISP
 * galaxy. A name resolves at the highest level that knows it; if that level
 * ties it to several actors it is ambiguous and the candidates are returned.
 * External records attach to an existing actor only when their own name (or,
 * failing that, their synonyms) resolve to exactly one actor at a higher
 * level; they never join two existing actors (no transitive merging: GRIZZLY
 * STEPPE, listed under both APT28 and APT29, does not make them one actor).
 * Merging is order-independent: records are kept and the catalog is rebuilt
 * by level after each merge, so actor pointers stay valid only until the next
 * merge call.
 */
#ifndef VIGIL_INTEL_H
#define VIGIL_INTEL_H

#include "vigil/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- actor catalog --------------------------------------------------------- */

typedef struct vg_catalog vg_catalog;
typedef struct vg_actor vg_actor;

/* Precedence levels, highest first. */
typedef enum {
    VG_NAMESRC_BUILTIN = 0,
    VG_NAMESRC_MICROSOFT = 1,
    VG_NAMESRC_ATTACK = 2,
    VG_NAMESRC_MISP = 3,
    VG_NAMESRC_COUNT
} vg_name_source;
const char *vg_name_source_name(vg_name_source s); /* "builtin", "microsoft", ... */

/* Infrastructure habits (bit flags) of an actor profile. */
enum {
    VG_INFRA_TOR = 1u << 0,       /* Tor exit nodes */
    VG_INFRA_VPS = 1u << 1,       /* rented VPS / hosting ranges */
    VG_INFRA_VPN = 1u << 2,       /* commercial VPN services */
    VG_INFRA_FREEMAIL = 1u << 3,  /* free-mail sender accounts */
    VG_INFRA_LOOKALIKE = 1u << 4, /* lookalike / typosquatted domains */
    VG_INFRA_COMPROMISED = 1u << 5, /* compromised third-party servers / routers */
    VG_INFRA_CLOUD = 1u << 6      /* legitimate cloud services (storage, forms) */
};
/* "tor", "vps", ... -> flag; 0 if unknown. */
unsigned vg_infra_parse(const char *name);
const char *vg_infra_name(unsigned flag); /* single flag -> name, NULL if none */

vg_catalog *vg_catalog_new(void); /* empty */
void vg_catalog_free(vg_catalog *c);

/* The built-in catalog (vg_data_get("actors.yaml")). */
vg_err vg_catalog_load_builtin(vg_catalog *c, vg_error *e);
/* Same format as data/actors.yaml, from a file or memory, at the built-in level
 * (replaces actors of the same canonical name, adds others). */
vg_err vg_catalog_load_yaml_file(vg_catalog *c, const char *path, vg_error *e);
vg_err vg_catalog_load_yaml(vg_catalog *c, const char *text, size_t n, const char *name,
                            vg_error *e);

/* Microsoft's actor-naming map (microsoft/mstic MicrosoftMapping.json). */
vg_err vg_catalog_merge_microsoft(vg_catalog *c, const char *json, size_t n, const char *name,
                                  vg_error *e);
/* MITRE ATT&CK: a STIX bundle holding intrusion-set objects (name, aliases,
 * external id G####); "uses" relationships to attack-patterns, when present,
 * add techniques. Revoked and deprecated intrusion sets are skipped. */
vg_err vg_catalog_merge_attack(vg_catalog *c, const char *json, size_t n, const char *name,
                               vg_error *e);
/* MISP galaxy threat-actor cluster file (values[]: value, meta.synonyms,
 * meta.country). */
vg_err vg_catalog_merge_misp_galaxy(vg_catalog *c, const char *json, size_t n, const char *name,
                                    vg_error *e);
/* Reads a file and picks the loader by content (MS map, ATT&CK bundle, MISP
 * galaxy, or actors YAML). */
vg_err vg_catalog_merge_file(vg_catalog *c, const char *path, vg_error *e);
/* The same over bytes in memory; name labels the source (a file name). */
vg_err vg_catalog_merge_buffer(vg_catalog *c, const char *text, size_t n, const char *name,
                               vg_error *e);
/* Records in the last merge that were skipped (malformed), for summaries. */
size_t vg_catalog_skipped(const vg_catalog *c);

/* Actors, sorted by canonical name (case-insensitive). */
size_t vg_catalog_count(const vg_catalog *c);
const vg_actor *vg_catalog_actor(const vg_catalog *c, size_t i);

typedef struct vg_resolution {
    const vg_actor *actor;                 /* the actor when the name is unambiguous */
    const vg_actor *const *candidates;     /* resolved: the actor; ambiguous: every actor
                                            * any source ties the name to, sorted */
    size_t n_candidates;                   /* 0 unknown, 1 resolved, >1 ambiguous */
    vg_name_source source;                 /* level that decided */
} vg_resolution;

/* Any name, alias or ATT&CK id (case-insensitive, spaces/punctuation
 * normalized: "apt 28" = "APT28", "Fancy-Bear" = "fancy bear").
 * Returns n_candidates. out may be NULL. */
size_t vg_catalog_resolve(const vg_catalog *c, const char *name, vg_resolution *out);
/* Convenience: the actor when unambiguous, else NULL. */
const vg_actor *vg_catalog_find(const vg_catalog *c, const char *name);
/* Adds an ATT&CK technique ("T1133", "T1566.002") to the existing actor the
 * name or alias resolves to (the config's `actors:` list, learned from
 * reports); the actor is never created or replaced. It survives later merges
 * (the name is resolved again after each). VG_ENOTFOUND for an unknown name,
 * VG_EINVAL for an ambiguous one (candidates in the message) or a bad id. */
vg_err vg_catalog_add_technique(vg_catalog *c, const char *actor, const char *tid, vg_error *e);

/* Lure themes of the catalog (lure_themes in actors.yaml: "covid-19",
 * "job-offer", ...) with their keywords (lower case), to recognize a lure in
 * a finding's text. */
size_t vg_catalog_lure_theme_count(const vg_catalog *c);
const char *vg_catalog_lure_theme(const vg_catalog *c, size_t i);
size_t vg_catalog_lure_keyword_count(const vg_catalog *c, size_t theme);
const char *vg_catalog_lure_keyword(const vg_catalog *c, size_t theme, size_t k);

/* Every (name, actor) pair, canonical names included, sorted by name then
 * actor. An ambiguous name appears once per candidate. */
size_t vg_catalog_pair_count(const vg_catalog *c);
void vg_catalog_pair(const vg_catalog *c, size_t i, const char **name, const vg_actor **actor);

const char *vg_actor_name(const vg_actor *a);      /* canonical, e.g. "STRONTIUM" */
const char *vg_actor_origin(const vg_actor *a);    /* ISO 3166 alpha-2 or NULL */
const char *vg_actor_attack_id(const vg_actor *a); /* "G0007" or NULL */
/* Every ATT&CK group id merged into the actor (a Microsoft name can cover two
 * ATT&CK groups), sorted. */
size_t vg_actor_attack_id_count(const vg_actor *a);
const char *vg_actor_attack_id_at(const vg_actor *a, size_t i);
const char *vg_actor_summary(const vg_actor *a);   /* one paragraph or NULL */
bool vg_actor_builtin(const vg_actor *a);          /* has a curated profile */
unsigned vg_actor_infra(const vg_actor *a);        /* VG_INFRA_* */
/* Aliases (canonical excluded), sorted, de-duplicated case-insensitively. */
size_t vg_actor_alias_count(const vg_actor *a);
const char *vg_actor_alias(const vg_actor *a, size_t i);
vg_name_source vg_actor_alias_source(const vg_actor *a, size_t i); /* best level */
/* ATT&CK technique ids ("T1110.003"), sorted. */
size_t vg_actor_technique_count(const vg_actor *a);
const char *vg_actor_technique(const vg_actor *a, size_t i);
bool vg_actor_has_technique(const vg_actor *a, const char *tid); /* also parent: T1110 ~ T1110.003 */
/* Lure themes ("covid-19", "job offer", ...), as in the catalog. */
size_t vg_actor_lure_count(const vg_actor *a);
const char *vg_actor_lure(const vg_actor *a, size_t i);
/* Sectors targeted ("health", "research", ...). */
size_t vg_actor_sector_count(const vg_actor *a);
const char *vg_actor_sector(const vg_actor *a, size_t i);
/* Where the facts come from: "builtin: <source line>", "microsoft: <file>", ... */
size_t vg_actor_source_count(const vg_actor *a);
const char *vg_actor_source(const vg_actor *a, size_t i);
/* Reference URLs (built-in source lines, ATT&CK page). */
size_t vg_actor_ref_count(const vg_actor *a);
const char *vg_actor_ref(const vg_actor *a, size_t i);

/* JSON object for `vigil intel show --json` and APIs. */
void vg_actor_write_json(const vg_actor *a, vg_json *j);

/* ---- indicators ---------------------------------------------------------------- */

typedef enum {
    VG_IOC_NONE = 0,
    VG_IOC_IP,     /* single address (v4 or v6) */
    VG_IOC_CIDR,   /* prefix */
    VG_IOC_DOMAIN, /* matches the name and its subdomains */
    VG_IOC_URL,    /* normalized URL */
    VG_IOC_EMAIL,  /* lower-cased address */
    VG_IOC_MD5,
    VG_IOC_SHA1,
    VG_IOC_SHA256,
    VG_IOC_SHA512,
    VG_IOC_TYPE_COUNT
} vg_ioc_type;
const char *vg_ioc_type_name(vg_ioc_type t); /* "ip", "cidr", "domain", ... */
/* Guess the type of a bare value (address, prefix, hex digest, URL, e-mail,
 * domain); VG_IOC_NONE if none fits. */
vg_ioc_type vg_ioc_guess_type(const char *value);

/* Why an indicator is shared by unrelated parties (a hit on it says little
 * about who is behind a connection). */
typedef enum {
    VG_SHARED_NONE = 0,
    VG_SHARED_TOR,   /* Tor exit */
    VG_SHARED_VPN,   /* public VPN service */
    VG_SHARED_CLOUD, /* cloud, CDN front, hosting shared by many tenants */
    VG_SHARED_OTHER
} vg_shared_kind;
const char *vg_shared_kind_name(vg_shared_kind k);

#define VG_TIME_UNBOUNDED_LO INT64_MIN
#define VG_TIME_UNBOUNDED_HI INT64_MAX

/* One indicator, owned by its set (read-only for callers). */
typedef struct vg_indicator {
    vg_ioc_type type;
    const char *value;       /* normalized text ("203.0.113.0/24", "evil.example") */
    const char *source;      /* "file.json:12" (file base name and line/record), or a label */
    const char *id;          /* STIX id / MISP uuid / NULL */
    const char *name;        /* indicator name or description, or NULL */
    const char *actor;       /* canonical actor (resolved via the catalog), or NULL */
    const char *actor_label; /* actor name as the source wrote it, or NULL */
    bool actor_ambiguous;    /* actor_label matched several catalog actors */
    int64_t valid_from;      /* ms; VG_TIME_UNBOUNDED_LO when absent */
    int64_t valid_until;     /* ms, exclusive; VG_TIME_UNBOUNDED_HI when absent */
    vg_shared_kind shared;   /* Tor exit, VPN, cloud: not actor-exclusive */
    int confidence;          /* source confidence 0-100, -1 unknown */
} vg_indicator;

bool vg_indicator_valid_at(const vg_indicator *ind, int64_t t_ms);
/* For evidence: "demo.stix.json indicator indicator--... (valid 2020-10-01 to
 * 2021-01-31)": the source by file name (sets never keep a local path: an
 * indicator's source is the base name of the file it came from), the id and
 * the validity window. Always NUL-terminates (cap > 0). */
void vg_indicator_describe(const vg_indicator *ind, char *buf, size_t cap);

typedef struct vg_iocset vg_iocset;

vg_iocset *vg_iocset_new(void);
void vg_iocset_free(vg_iocset *s);
/* Optional: resolve actor labels to canonical catalog names while loading.
 * The catalog must outlive the loads (names are copied). */
void vg_iocset_set_catalog(vg_iocset *s, const vg_catalog *c);

/* Loaders. Each returns VG_OK when the document parsed (records that are
 * malformed inside it are skipped, counted and described by
 * vg_iocset_rejects()), or an error naming the source and position (line,
 * column or byte offset) when the document itself is unreadable; indicators
 * loaded before stay loaded. name labels the source ("apt28.json"). */
/* STIX 2.1: a bundle, or a lone indicator object. */
vg_err vg_iocset_load_stix(vg_iocset *s, const char *json, size_t n, const char *name,
                           vg_error *e);
vg_err vg_iocset_load_misp(vg_iocset *s, const char *json, size_t n, const char *name,
                           vg_error *e);
/* Plain list: one value a line ("value", "value actor words", "value,actor",
 * "value<TAB>actor"); '#' comments; IPs, CIDRs, domains, URLs, e-mails,
 * hashes, typed by guess. shared marks every entry (VG_SHARED_NONE for a
 * plain blocklist). */
vg_err vg_iocset_load_list(vg_iocset *s, const char *text, size_t n, const char *name,
                           vg_shared_kind shared, vg_error *e);
/* Tor exit list: plain addresses, or the Tor Project's bulk exit list /
 * exit-addresses format ("ExitAddress 1.2.3.4 date"). Marked VG_SHARED_TOR. */
vg_err vg_iocset_load_tor_exits(vg_iocset *s, const char *text, size_t n, const char *name,
                                vg_error *e);
/* Reads a file and picks the loader by content: STIX bundle, MISP event
 * (or {"response":[...]} / list of events), Tor exit-addresses, plain list.
 * A file name containing "tor" with only addresses is read as a Tor list. */
vg_err vg_iocset_load_file(vg_iocset *s, const char *path, vg_error *e);
/* The same over bytes in memory (an imported file from the store); name is
 * the file name, used for the Tor-list guess and indicator sources. */
vg_err vg_iocset_load_buffer(vg_iocset *s, const char *text, size_t n, const char *name,
                             vg_error *e);

/* Adds one indicator (values are copied and normalized). VG_EINVAL when the
 * value does not fit the type. */
vg_err vg_iocset_add(vg_iocset *s, const vg_indicator *ind);

size_t vg_iocset_count(const vg_iocset *s);
const vg_indicator *vg_iocset_at(const vg_iocset *s, size_t i); /* load order */
size_t vg_iocset_count_type(const vg_iocset *s, vg_ioc_type t);
/* Malformed records skipped so far: "file.json:34: pattern: unsupported ...". */
size_t vg_iocset_reject_count(const vg_iocset *s);
const char *vg_iocset_reject(const vg_iocset *s, size_t i); /* first 1000 kept */

/* A lookup hit. exact is false for a domain matched by a parent domain
 * indicator or an address matched by a prefix. */
typedef struct vg_ioc_hit {
    const vg_indicator *ind;
    bool exact;
} vg_ioc_hit;

/* Lookups fill up to max hits (most specific first, then load order) and
 * return the total number found (which may exceed max). They do not filter by
 * validity: check vg_indicator_valid_at() for the event's time. */
size_t vg_iocset_match_ip(const vg_iocset *s, const vg_ip *ip, vg_ioc_hit *hits, size_t max);
size_t vg_iocset_match_domain(const vg_iocset *s, const char *domain, vg_ioc_hit *hits,
                              size_t max);
size_t vg_iocset_match_url(const vg_iocset *s, const char *url, vg_ioc_hit *hits, size_t max);
size_t vg_iocset_match_email(const vg_iocset *s, const char *addr, vg_ioc_hit *hits, size_t max);
size_t vg_iocset_match_hash(const vg_iocset *s, const char *hex, vg_ioc_hit *hits, size_t max);
/* Any value: typed by vg_ioc_guess_type(); URLs also match their host against
 * domain indicators and e-mails their domain. */
size_t vg_iocset_match(const vg_iocset *s, const char *value, vg_ioc_hit *hits, size_t max);

/* Normalizers used by the set (exposed for callers and tests). Each writes a
 * NUL-terminated result to out (cap bytes) and returns false when the input is
 * not of that kind or does not fit. */
bool vg_ioc_normalize_domain(const char *in, char *out, size_t cap); /* lower, IDNA A-labels, no dot */
bool vg_ioc_normalize_url(const char *in, char *out, size_t cap);
bool vg_ioc_normalize_email(const char *in, char *out, size_t cap);
bool vg_ioc_normalize_hash(const char *in, vg_ioc_type *type, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_INTEL_H */
