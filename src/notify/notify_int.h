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

/* render_*.c (render_notice.c: Markdown and HTML, one walk over vg_doc) */
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

/* The attack-pattern object of an ATT&CK technique, under the id the caller made. */
void vg_stix_attack_pattern(vg_stix *s, const char *tid, const char *id);

/* ---- doc.c: the document writer of the notice and the summary ----------------------------
 *
 * A walk says what a document holds (headings, paragraphs, spans, lists,
 * key/value rows, tables); the format decides the markup. Spans are escaped
 * by the format's escaping (escape.c): vg_md_escape or vg_md_code in
 * Markdown, vg_html_escape in HTML. Everything else (vg_doc_raw,
 * vg_doc_printf, vg_doc_cellf, vg_doc_alt, vg_doc_heading, keys and column
 * titles) is written as given: only the renderer's own words and numbers go
 * there, never a value from mail, logs or configuration. */
typedef enum { VG_DOC_MD = 0, VG_DOC_HTML } vg_doc_fmt;

typedef enum {
    VG_PARA_PLAIN = 0,
    VG_PARA_META,  /* secondary: <p class="meta"> */
    VG_PARA_LEAD,  /* the one-line gist, bold in HTML */
    VG_PARA_ALERT, /* "> " / <div class="alert"> */
} vg_para_kind;

typedef enum {
    VG_LIST_BULLET = 0,
    VG_LIST_ORDERED,
    VG_LIST_VALUES, /* values from mail or logs: <ul class="values"> (two columns) */
} vg_list_kind;

/* How a span shows its text:               Markdown        HTML */
typedef enum {
    VG_SPAN_TEXT = 0, /* words                text            text */
    VG_SPAN_STRONG,   /* emphasis             **text**        <strong> */
    VG_SPAN_CODE,     /* an identifier        `code span`     <code> */
    VG_SPAN_VALUE,    /* a value, literally   `code span`     <span class="v"> */
    VG_SPAN_TERM,     /* ATT&CK id            text            <code> */
    VG_SPAN_ADDRESS,  /* address in prose     text            <span class="v"> */
    VG_SPAN_KIND,     /* a finding kind       `code span`     text */
} vg_span_kind;

typedef struct vg_doc_col {
    const char *title;      /* our words */
    bool num;               /* right-aligned */
    const char *html_title; /* when HTML's heading is shorter; NULL = title */
} vg_doc_col;

#define VG_DOC_DEPTH 2
typedef struct vg_doc {
    vg_buf *o;
    vg_doc_fmt fmt;
    vg_tlp tlp;
    int level;                 /* of the open heading */
    vg_para_kind para;          /* the open paragraph */
    const vg_doc_col *cols;    /* the open table */
    size_t ncols, cell;        /* cells opened in the row */
    bool kv_open, key_open;    /* a key/value block, one of its rows */
    size_t depth;              /* open lists */
    vg_list_kind list[VG_DOC_DEPTH];
    size_t item[VG_DOC_DEPTH]; /* items opened, per list */
} vg_doc;

void vg_doc_init(vg_doc *d, vg_buf *out, vg_doc_fmt fmt, vg_tlp tlp);
/* Markdown: the TLP label in bold; HTML: head (CSP, style), body, TLP banner. */
void vg_doc_begin(vg_doc *d, const char *title);
void vg_doc_tlp_note(vg_doc *d); /* Markdown: "> TLP:X: meaning" (HTML said it in the banner) */
void vg_doc_footer(vg_doc *d);   /* a rule, then "**TLP:X** · " / the banner again */
void vg_doc_end(vg_doc *d);
/* What only HTML does: draw charts (inline SVG) and break lines inside table cells. */
bool vg_doc_draws(const vg_doc *d);
bool vg_doc_cells_wrap(const vg_doc *d);

void vg_doc_heading_begin(vg_doc *d, int level);
void vg_doc_heading_end(vg_doc *d);
void vg_doc_heading(vg_doc *d, int level, const char *fmt, ...) VG_PRINTF(3, 4);
void vg_doc_para_begin(vg_doc *d, vg_para_kind p);
void vg_doc_para_end(vg_doc *d);

void vg_doc_raw(vg_doc *d, const char *s);
void vg_doc_printf(vg_doc *d, const char *fmt, ...) VG_PRINTF(2, 3);
void vg_doc_alt(vg_doc *d, const char *md, const char *html); /* the same words, per format */
void vg_doc_span(vg_doc *d, vg_span_kind how, const char *s);   /* NULL -> nothing */
void vg_doc_text(vg_doc *d, const char *s);                    /* VG_SPAN_TEXT */
/* A value from mail or logs as a VG_SPAN_VALUE, defanged first if an indicator. */
void vg_doc_value(vg_doc *d, const char *s, bool defang);
/* "a, b, c (+N)": up to cap values. */
void vg_doc_values_inline(vg_doc *d, const vg_strlist *l, size_t cap, bool defang);
/* A VG_LIST_VALUES list of values; past the format's cap a line says how many more. */
void vg_doc_values(vg_doc *d, const vg_strlist *l, bool defang);
void vg_doc_none(vg_doc *d);         /* an empty cell: "-" in Markdown */
void vg_doc_br(vg_doc *d);           /* a line break where cells wrap; else a space */
void vg_doc_detail_begin(vg_doc *d); /* a list item's detail: " (...)" / "<br>..." */
void vg_doc_detail_end(vg_doc *d);

void vg_doc_list_begin(vg_doc *d, vg_list_kind kind);
void vg_doc_item_begin(vg_doc *d);
void vg_doc_item_end(vg_doc *d);
void vg_doc_list_end(vg_doc *d);

/* Key/value rows: "- Key: value" / <tr><th>Key</th><td>value</td></tr>. A key
 * opens its row and closes the previous one. vg_doc_key_list opens a list
 * under a key (nested in Markdown, after the table in HTML): it must be the
 * last key; close it with vg_doc_list_end, then vg_doc_kv_end. */
void vg_doc_kv_begin(vg_doc *d);
void vg_doc_key(vg_doc *d, const char *key);
void vg_doc_key_list(vg_doc *d, const char *key);
void vg_doc_kv_end(vg_doc *d);

/* Tables: vg_doc_cell opens the next cell of the row (the first opens the row). */
void vg_doc_table_begin(vg_doc *d, const vg_doc_col *cols, size_t n);
void vg_doc_cell(vg_doc *d);
void vg_doc_cellf(vg_doc *d, const char *fmt, ...) VG_PRINTF(2, 3); /* a cell of our words */
void vg_doc_row_end(vg_doc *d);
void vg_doc_table_end(vg_doc *d);

/* Shared text pieces (notice.c), so every format says the same. */
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
