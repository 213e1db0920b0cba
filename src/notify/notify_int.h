/* notify_int.h — internals shared by the notify module's source files: the
 * notice model every renderer reads, and small helpers. */
#ifndef VIGIL_NOTIFY_INT_H
#define VIGIL_NOTIFY_INT_H

#include <strings.h>

#include "vigil/notify.h"

/* escape.c */
bool vg_notify_invisible(uint32_t cp);
/* base64 with CRLF every `line` output chars (0 = one line). */
void vg_notify_base64(vg_buf *b, const void *data, size_t n, size_t line);
void vg_notify_header_value(vg_buf *b, const char *s);
/* A value as a Markdown code span (literal), pipes escaped inside tables. */
void vg_md_code(vg_buf *b, const char *s, bool in_table);

/* One day of the timeline. */
typedef struct vg_day {
    int64_t day_ms; /* midnight UTC */
    int64_t attempted, blocked, succeeded;
} vg_day;

typedef struct vg_timeline {
    vg_day *v;
    size_t n, cap;
} vg_timeline;

/* Spreads each finding's attempts over the days it spans. */
void vg_timeline_add(vg_timeline *t, const vg_finding *f);
void vg_timeline_free(vg_timeline *t);
/* Inline SVG of attempts per day by outcome (stacked bars). */
void vg_timeline_svg(const vg_timeline *t, vg_buf *out);

/* ioc.match findings restate activity other findings already count; they add
 * attempts only for an organization that has no other finding in the view. */
bool vg_finding_counts(const vg_finding *f, bool org_has_other_kinds);

/* Attempts a finding stands for: counts.attempts, else messages, else 1. */
int64_t vg_finding_attempts(const vg_finding *f);
int64_t vg_finding_blocked(const vg_finding *f);
int64_t vg_finding_succeeded(const vg_finding *f);

typedef struct vg_compromise {
    char *account;
    bool signed_in;           /* a successful sign-in (else: password valid, sign-in stopped) */
    int64_t first_seen;
    vg_strlist kinds, ips;
    size_t specificity;       /* accounts compromised in the finding the details come from */
} vg_compromise;

struct vg_notice {
    /* identity */
    char *org_id, *org_name, *org_country, *org_sector, *contact;
    vg_strlist org_domains;
    char *campaign_id;
    int version;
    char idem[36];
    char *subject, *basename;
    vg_tlp tlp;
    char *sender, *sender_contact;

    /* clones of the organization's own findings, scrubbed of other victims, sorted */
    vg_finding **f;
    size_t nf;

    /* facts */
    int64_t first_seen, last_seen;
    vg_compromise *comp;
    size_t ncomp;
    bool mail_compromised;
    vg_strlist targeted; /* every account targeted (compromised included) */
    vg_strlist techniques;
    vg_strlist kinds;
    char *actor;         /* NULL = unattributed */
    char *actor_origin;
    vg_strlist aliases;
    vg_confidence confidence;
    vg_strlist why;
    vg_strlist ips, domains, urls, messages, hashes;
    int64_t attempts, blocked, succeeded, messages_n;
    vg_strlist cv_accounts; /* password valid, sign-in stopped */
    vg_strlist comp_accounts; /* every compromised account, in display order */
    size_t other_orgs;
    vg_strlist other_countries;
    vg_timeline timeline;

    char *facts, *hash;
};

/* render_*.c */
void vg_notice_render_md(const vg_notice *n, vg_buf *out);
void vg_notice_render_html(const vg_notice *n, vg_buf *out);
void vg_notice_render_json(const vg_notice *n, vg_buf *out);
void vg_notice_render_stix(const vg_notice *n, vg_buf *out);

/* render_stix.c: the STIX 2.1 writer shared by notices and the summary.
 * Ids are "<type>--" + UUIDv5 (vigil's namespace) of a stable key; every
 * object but the marking definition carries created_by_ref (the sender) and
 * the TLP marking. */
#define VG_STIX_ID_LEN 80
typedef struct vg_stix {
    vg_json *j;
    vg_tlp tlp;
    const char *marking;                             /* the TLP marking-definition id */
    char creator[VG_STIX_ID_LEN];                    /* identity of the sender */
    char created[VG_TIME_STRLEN], modified[VG_TIME_STRLEN]; /* of non-fixed objects */
} vg_stix;

void vg_stix_init(vg_stix *s, vg_json *j, vg_tlp tlp, const char *sender);
/* "<type>--<uuid5(printf(fmt, ...))>" into out. */
void vg_stix_id(const char *type, char out[VG_STIX_ID_LEN], const char *fmt, ...) VG_PRINTF(3, 4);
/* Opens an object with the common properties; fixed: catalog-like objects
 * (identities, actors, techniques) with a constant timestamp. The caller
 * adds its own properties and closes it. */
void vg_stix_obj_begin(vg_stix *s, const char *type, const char *id, bool fixed);
void vg_stix_relationship(vg_stix *s, const char *type, const char *src, const char *dst,
                          bool fixed, int confidence /* -1 = none */);
void vg_stix_marking_definition(vg_stix *s);
void vg_stix_sender(vg_stix *s, const char *sender, const char *contact);
void vg_stix_actor(vg_stix *s, const char *actor, const vg_strlist *aliases, const char *origin,
                   char ta[VG_STIX_ID_LEN], char is[VG_STIX_ID_LEN]);
int vg_stix_confidence(vg_confidence c); /* 85 / 50 / 15 / 0 */

/* render_html.c: page head (CSP, style) and the TLP banner, shared with the summary. */
void vg_html_page_begin(vg_buf *o, vg_tlp tlp, const char *title);
void vg_html_tlp_banner(vg_buf *o, vg_tlp tlp);

/* Shared text pieces (render_md.c), so every format says the same. */
const char *vg_confidence_words(vg_confidence c);
void vg_notice_headline(const vg_notice *n, vg_buf *out); /* plain text, unescaped */
/* Actions, in order; each a plain sentence plus the values it names. */
typedef struct vg_action {
    const char *id;    /* "reset_credentials", ... */
    char *text;        /* plain, unescaped */
    const vg_strlist *targets; /* values (borrowed), may be NULL */
    bool defang;       /* show targets defanged */
} vg_action;
size_t vg_notice_actions(const vg_notice *n, vg_action *out, size_t max);
void vg_actions_free(vg_action *a, size_t n);

/* "2020-11-13" / RFC 3339 with ms (STIX) */
void vg_fmt_day(int64_t ms, char out[16]);
void vg_fmt_time(int64_t ms, char out[VG_TIME_STRLEN]);
void vg_fmt_stix_time(int64_t ms, char out[VG_TIME_STRLEN]);

#endif
