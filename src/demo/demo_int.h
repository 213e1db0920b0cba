/* demo_int.h — internals of the demo scenario generator: the seeded PRNG, the
 * world (organizations, users, addresses, actor infrastructure) and the
 * generated records before they are written out.
 *
 * Layout: demo_world.c builds a dm_world from (seed, days); demo_signin.c,
 * demo_mail.c and demo_ssh.c fill it with events, messages and log lines and
 * write them; demo_out.c writes vigil.yaml, the STIX bundle and truth.json;
 * demo.c orders the steps. Every random choice draws from a named sub-stream
 * (dm_rng_fork) so adding a draw in one part never shifts another part.
 * Ownership: everything hangs off the world and is freed by dm_world_free.
 */
#ifndef VIGIL_DEMO_INT_H
#define VIGIL_DEMO_INT_H

#include "vigil/core.h"
#include "vigil/demo.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 ------------------------ */

typedef struct dm_rng {
    uint64_t s[4];
} dm_rng;

void dm_rng_seed(dm_rng *r, uint64_t seed, const char *label);
/* A child stream named by label: independent of how much the parent drew. */
void dm_rng_fork(const dm_rng *parent, const char *label, dm_rng *child);
uint64_t dm_next(dm_rng *r);
uint32_t dm_below(dm_rng *r, uint32_t n); /* uniform in [0, n); 0 if n == 0 */
int dm_range(dm_rng *r, int lo, int hi);  /* uniform in [lo, hi] */
double dm_unit(dm_rng *r);                /* [0, 1) */
bool dm_chance(dm_rng *r, double p);
double dm_normal(dm_rng *r, double mean, double sd);
double dm_expo(dm_rng *r, double mean);
void dm_shuffle_u32(dm_rng *r, uint32_t *a, size_t n);
#define DM_PICK(r, arr) ((arr)[dm_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])
#define DM_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* ---- small helpers ---------------------------------------------------------- */

char *dm_printf(const char *fmt, ...) VG_PRINTF(1, 2); /* heap */
void dm_slug(const char *in, char *out, size_t cap);   /* "Sévigne Labs" -> "sevigne-labs" */
void dm_uuid(const char *ns_label, uint64_t seed, const char *name, char out[37]);
void dm_b64(vg_buf *out, const void *data, size_t n, int wrap); /* wrap: line length or 0 */
/* RFC 2047 encoded word when s is not ASCII, else s itself; into b. */
void dm_hdr_text(vg_buf *b, const char *s);
void dm_ctime(int64_t ms, char out[32]); /* "Fri Nov 13 10:00:00 2020" (mbox) */
void dm_rfc5322(int64_t ms, int tz_min, char out[40]);
void dm_iso7(int64_t ms, char out[40]);    /* 2020-11-13T10:00:00.1234567Z */
void dm_iso_off(int64_t ms, char out[40]); /* 2020-11-13T10:00:00.1234567+00:00 */

/* ---- addresses ------------------------------------------------------------------ */

enum dm_ip_kind {
    DM_IP_HOME = 1,  /* a user's home broadband */
    DM_IP_CARRIER,   /* mobile carrier egress, shared by many */
    DM_IP_EGRESS,    /* an office NAT */
    DM_IP_HOTEL,     /* a hotel abroad */
    DM_IP_PARTNER,   /* a partner's host (sshd) */
    DM_IP_INTERNAL,  /* RFC 1918, inside an organization */
    DM_IP_STRONTIUM, /* the rotating pool */
    DM_IP_ZINC,
    DM_IP_CERIUM,
    DM_IP_NOISE, /* internet background scanners (sshd) */
    DM_IP_MAILER /* legitimate sending MTAs */
};

typedef struct dm_ip {
    char addr[VG_IP_STRLEN];
    char country[3];
    const char *city, *state;
    double lat, lon;
    uint32_t asn;
    uint8_t kind;
    bool tor;      /* STRONTIUM pool: a Tor-like exit rather than a rented VPS */
    bool in_intel; /* listed in the STIX bundle */
} dm_ip;

/* ---- organizations and people --------------------------------------------------- */

enum dm_shape { DM_SHAPE_DIAG = 0, DM_SHAPE_GRAPH, DM_SHAPE_LA };
enum { DM_ACT_STRONTIUM = 1, DM_ACT_ZINC = 2, DM_ACT_CERIUM = 4 };
#define DM_N_ORGS 8

typedef struct dm_org {
    char id[32];
    char name[96];
    char country[3];
    const char *sector; /* pharmaceutical, clinical-research, diagnostics, ... */
    const char *blurb;  /* "mRNA vaccine developer" */
    char domain[96], domain2[96];
    char tenant[37];
    char mx[128]; /* authserv-id of the inbound MX */
    const char *city, *state;
    double lat, lon;
    int tz_min;       /* local offset, minutes east of UTC */
    uint32_t asn;     /* the office ISP */
    uint32_t egress;  /* ip index of the office NAT */
    bool list_egress; /* egress_cidrs written into the config */
    size_t first_user, n_users;
    int shape;
    bool maildir;
    bool control;
    unsigned actors; /* DM_ACT_* bits */
    char host[128];  /* sshd host, "" if none */
    char vip[2][96];
    char it_user[96]; /* helpdesk sender for internal notices */
} dm_org;

enum dm_user_flag {
    DM_U_SERVICE = 1,   /* a service account (no person) */
    DM_U_PHONE_EAS = 2, /* native phone mail over Exchange ActiveSync */
    DM_U_ONSITE = 4,    /* mostly works at the office (lab staff) */
    DM_U_VIP = 8
};

typedef struct dm_user {
    char *first, *last, *display, *upn, *id;
    char *title;
    uint16_t org;
    uint8_t flags;
    uint8_t device; /* index into the desktop device table */
    uint8_t phone;  /* index into the phone device table */
    uint32_t home_ip;
    uint32_t carrier_ip[3];
    double arrive_h; /* usual start of the working day, local hours */
} dm_user;

/* ---- sign-in events ---------------------------------------------------------------- */

enum dm_client {
    DM_C_BROWSER = 0,
    DM_C_MOBILE_DESKTOP,
    DM_C_EAS,
    DM_C_OTHER,
    DM_C_SMTP,
    DM_C_IMAP,
    DM_C_EWS
};

typedef struct dm_ev {
    int64_t t;
    uint32_t seq;      /* creation order: ties and ids */
    uint32_t corr;     /* correlation group (attempt + its retry share one) */
    int32_t user;      /* index, or -1: a guessed account (guess) */
    const char *guess; /* UPN of an account that does not exist */
    uint32_t ip;
    int32_t code; /* Entra error code, 0 = success */
    uint16_t org;
    uint8_t app;
    uint8_t client;
    uint8_t ua; /* index into w->uas */
    bool interactive;
    bool mfa; /* authenticationRequirement multiFactorAuthentication */
} dm_ev;

/* ---- mail --------------------------------------------------------------------------- */

typedef struct dm_msg {
    int64_t t;
    uint16_t org;
    char *raw; /* the whole RFC 5322 message, CRLF-free (LF) */
    size_t len;
    char *message_id; /* without <> */
    char *kind;       /* truth label: "who_newsletter", "cerium_lure", ... */
    char *actor;      /* NULL for benign */
    char *recipient;
    char *path; /* file it was written to (relative), "#N" for mbox */
    char sha256[65];
} dm_msg;

/* ---- the world ---------------------------------------------------------------------- */

typedef struct dm_list {
    char **v;
    size_t n, cap;
} dm_list;
void dm_list_add(dm_list *l, char *owned);
void dm_list_addc(dm_list *l, const char *s); /* copies */
bool dm_list_has(const dm_list *l, const char *s);
void dm_list_sort(dm_list *l);
void dm_list_free(dm_list *l);

/* A benign trap or an attack fact recorded for truth.json. */
typedef struct dm_fact {
    char *kind;  /* "office_nat_rush", "compromised", ... */
    char *actor; /* attacks only */
    int org;
    char *note; /* one sentence */
    dm_list accounts, ips, messages;
    dm_list allowed; /* finding kinds a trap may legitimately produce */
    int64_t t;       /* when (compromises), 0 otherwise */
    char *outcome;   /* "succeeded" / "credential_valid" */
} dm_fact;

typedef struct dm_actor_stats {
    size_t attempts, blocked, succeeded, messages;
    dm_list accounts; /* targeted accounts */
    unsigned orgs;    /* bitmask over organizations */
} dm_actor_stats;

typedef struct dm_world {
    uint64_t seed;
    int days;
    int64_t t0, t1; /* window [t0, t1) */
    dm_rng root;

    dm_org org[DM_N_ORGS];
    dm_user *users;
    size_t n_users, cap_users;

    dm_ip *ips;
    size_t n_ips, cap_ips;
    vg_htable *ip_seen; /* dedupe of generated addresses */

    const char **uas;
    size_t n_uas;

    /* The 512 /24 networks of 198.18.0.0/15, as on the internet: hosting
     * networks (Tor exits, scanners, VPS), residential broadband and mobile
     * carrier networks, each with one AS and one country. */
    uint8_t net_kind[512]; /* DM_NET_* */
    char net_cc[512][3];
    uint32_t net_asn[512];
    uint8_t net_geo[512]; /* hosting: index into the hosting geos */
    /* STRONTIUM's rented /24s ("198.18.77"): no one else's address is drawn there */
    char vps24[4][24];
    /* STRONTIUM: the rotating pool and its brute-force subset */
    uint32_t *pool;
    size_t n_pool;
    uint32_t *bf;
    size_t n_bf;
    uint32_t zinc_ip[4], cerium_ip[4];
    size_t n_zinc_ip, n_cerium_ip;
    char zinc_domain[2][96];
    char zinc_freemail[2][96];
    char zinc_persona[3][48];    /* recruiter names: the two free-mail ones, the career site's */
    char cerium_domain[4][128];  /* ASCII / punycode forms */
    char cerium_unicode[4][128]; /* display forms (UTF-8) */
    size_t n_cerium_domain;
    char cerium_landing[4][256]; /* credential-page URLs (one per domain) */
    uint8_t docm_sha[2][32];
    char docm_name[2][128];

    /* the plan (dm_plan, demo_plan.c): who is attacked when, and the traps */
    int nat_org, stale_org, reset_org;
    int64_t stale_t, reset_t;
    int32_t traveler;
    uint32_t hotel_ip;
    int hotel_tz;
    int64_t travel_t0, travel_t1;
    int32_t *spray[DM_N_ORGS];
    size_t n_spray[DM_N_ORGS];
    char **guess[DM_N_ORGS]; /* UPNs of accounts that do not exist */
    size_t n_guess[DM_N_ORGS];
    bool spray_legacy[DM_N_ORGS]; /* ROPC over legacy auth vs. browser flow */
    int64_t spray_t0[DM_N_ORGS], spray_t1[DM_N_ORGS];
    int spray_every_min[DM_N_ORGS]; /* round interval */
    int spray_hours[DM_N_ORGS][2];  /* active UTC hours [from, to) */
    int32_t st_comp, st_cv;         /* STRONTIUM: compromised, credential_valid */
    int64_t st_comp_t, st_cv_t;
    int32_t bf_user[3];
    int64_t bf_t0[3], bf_t1[3];
    size_t n_bf_user;
    int32_t zinc_rcpt[16];
    int64_t zinc_t[16];
    size_t n_zinc;
    int32_t zinc_victim; /* index into zinc_rcpt */
    int64_t zinc_signin_t;
    int32_t cerium_rcpt[24];
    int64_t cerium_t[24];
    size_t n_cerium;

    dm_ev *ev;
    size_t n_ev, cap_ev;
    uint32_t corr_next;

    uint32_t mailer[8]; /* legitimate sending MTAs */
    size_t n_mailer;
    dm_msg *msgs;
    size_t n_msgs, cap_msgs;

    size_t ssh_lines;

    dm_fact *facts;
    size_t n_facts, cap_facts;
    dm_actor_stats act[3]; /* STRONTIUM, ZINC, CERIUM */

    /* written files (relative to out) */
    dm_list inputs;
    const char *out;
    size_t written, unchanged;
} dm_world;

extern const char *const dm_actor_names[3];

/* demo_world.c */
void dm_world_build(dm_world *w, uint64_t seed, int days);
void dm_world_free(dm_world *w);
enum { DM_NET_FREE = 0, DM_NET_HOSTING, DM_NET_RESIDENTIAL, DM_NET_CARRIER, DM_NET_VPS };
uint32_t dm_ip_new(dm_world *w, dm_rng *r, uint8_t kind, const char *cidr_hint);
/* An address in a /24 of the given DM_NET_* kind for country cc (residential
 * and carrier networks belong to one country; hosting ones are worldwide). A
 * fresh network is taken when fresh_net, else an existing one of that
 * country is reused most of the time. The address's AS is its network's. */
uint32_t dm_ip_in_net(dm_world *w, dm_rng *r, uint8_t kind, int net_kind, const char *cc,
                      bool fresh_net);
uint32_t dm_ua_add(dm_world *w, const char *ua);
/* Places ip in a hotel city outside country avoid_cc; returns its UTC offset (min). */
int dm_ip_geo_hotel(dm_world *w, uint32_t ip, dm_rng *r, const char *avoid_cc);
dm_fact *dm_fact_new(dm_world *w, const char *kind, int org, const char *note);
int dm_local_hour(const dm_world *w, int org, int64_t t, int *wday);
int64_t dm_local_midnight(const dm_world *w, int org, int day); /* day 0 = first day */

/* demo_plan.c */
void dm_plan(dm_world *w);

/* demo_signin.c */
void dm_signins_generate(dm_world *w);
vg_err dm_signins_write(dm_world *w, vg_error *e);

/* demo_mail.c */
void dm_mail_generate(dm_world *w);
vg_err dm_mail_write(dm_world *w, vg_error *e);

/* demo_files.c: OOXML (.docm) and PDF attachments */
void dm_docm_build(vg_buf *out, const char *title, const char *company, const char *body,
                   int64_t mtime);
void dm_pdf_build(vg_buf *out, const char *const *lines, size_t n);

/* demo_ssh.c */
vg_err dm_ssh_generate_write(dm_world *w, vg_error *e);

/* demo_out.c */
vg_err dm_write_file(dm_world *w, const char *rel, const void *data, size_t n, vg_error *e);
vg_err dm_write_config(dm_world *w, vg_error *e);
vg_err dm_write_stix(dm_world *w, vg_error *e);
vg_err dm_write_truth(dm_world *w, vg_error *e);

#endif
