/* mail_internal.h — shared internals of src/mail/: arena vectors, the
 * per-message builder, and the helpers one file provides to another
 * (vg_mail__ prefix). GLib/GMime types may appear here: this header is
 * private to src/mail/. */
#ifndef VIGIL_MAIL_INTERNAL_H
#define VIGIL_MAIL_INTERNAL_H

#include <magic.h>

#include "vigil/core.h"
#include "vigil/mail.h"

/* ---- growable arrays in an arena -------------------------------------------------- */

/* Grows by allocating a doubled copy in the arena (the old chunk is simply
 * abandoned: at most half the memory is wasted, and nothing is freed one by
 * one). Elements move on growth: do not keep pointers across pushes. */
typedef struct vg_avec {
    void *v;
    size_t n, cap;
} vg_avec;

void *vg_mail__avec_push(vg_arena *a, vg_avec *v, size_t elem);
#define AVEC_PUSH(a, vec, type) ((type *)vg_mail__avec_push((a), (vec), sizeof(type)))

/* ---- the parser ----------------------------------------------------------------------- */

struct vg_mail_parser {
    vg_mail_parse_opts opts;
    char **authserv_ids; /* owned copies */
    char **org_domains;
    vg_arena *arena;  /* per message */
    magic_t magic;    /* libmagic, MIME-type mode; NULL if it failed to load */
    void *gm_options; /* GMimeParserOptions * */
    struct vg_mail_reg_entry *reg_cache; /* registrable domains of relay hosts (mail_auth.c) */
    struct vg_mail_magic_entry *magic_cache; /* libmagic's answers by SHA-256 (mail_attach.c) */
    /* state of the current parse */
    unsigned parts;   /* parts seen, all levels */
    unsigned warnings;
    unsigned ev;      /* evidence bits from parser warnings */
};

/* The message being built (one per message, nested ones included). */
typedef struct vg_mail_builder {
    vg_mail_parser *p;
    vg_mail_msg *m;
    vg_avec headers, from, reply_to, to, cc, hops, urls, forms, atts, nested;
    vg_buf plain, html, hidden;
    int depth;         /* of this message */
    bool text_capped;
    const char *last_plain; /* the last text/plain alternative, for comparing */
    size_t last_plain_len;
} vg_mail_builder;

/* ---- helpers across files ----------------------------------------------------------------- */

/* Converts n bytes in charset (NULL/"" = unknown) to UTF-8, appended to out.
 * Returns false when the charset was unknown and a guess was used. */
bool vg_mail__to_utf8(const char *charset, const void *data, size_t n, vg_buf *out);
/* The same without copying text that is UTF-8 already: *text is data
 * itself then, else what was appended to out (valid until out changes). */
bool vg_mail__to_utf8_view(const char *charset, const void *data, size_t n, vg_buf *out,
                           const char **text, size_t *text_n);
/* Same, into the arena (NUL-terminated). */
char *vg_mail__to_utf8_arena(vg_arena *a, const char *charset, const void *data, size_t n,
                             bool *guessed);
/* Decodes the RFC 2047 encoded words of an unstructured header value
 * (NUL-terminated) to UTF-8, in the arena. */
char *vg_mail__rfc2047(vg_arena *a, const char *s);
/* A display name made only of UTF-8 encoded words ("=?utf-8?B?...?=
 * =?UTF-8?Q?...?="), decoded into the arena; NULL when s (n bytes) is
 * anything else or decodes to text GMime would treat otherwise (controls,
 * quotes, backslashes, edge or double spaces, invalid UTF-8). */
char *vg_mail__rfc2047_utf8_phrase(vg_arena *a, const char *s, size_t n);
/* Display-name checks: VG_MAIL_EV_NAME_ZERO_WIDTH / _MIXED_SCRIPT bits. */
unsigned vg_mail__name_evidence(const char *name);
/* True if s contains a bidi override / isolate / embedding control. */
bool vg_mail__has_bidi_control(const char *s);

/* Adds a URL to the builder (dedup of identical url+text+source is done
 * here; limits respected). url need not be NUL-terminated. */
void vg_mail__add_url(vg_mail_builder *b, const char *url, size_t n, const char *text,
                      vg_url_source src, unsigned flags);
/* Finds http(s)/ftp/www URLs in UTF-8 text and adds them. */
void vg_mail__scan_text_urls(vg_mail_builder *b, const char *text, size_t n, unsigned flags);

/* Renders HTML (UTF-8) to visible text in b->html (or, for attachments, only
 * collects links/forms), hidden text in b->hidden, links and forms. Returns
 * VG_ATT_F_HTML_FORM / _SCRIPT bits for what it saw. */
unsigned vg_mail__html(vg_mail_builder *b, const char *html, size_t n, bool attachment,
                       vg_buf *text_out);

/* Authentication-Results of the message into m->auth. */
void vg_mail__auth(vg_mail_builder *b);
/* Received chain into m->hops. */
void vg_mail__received(vg_mail_builder *b);
/* Attachment analysis: type by content, digest, archives, macros, PDF links. */
/* Held around every libmagic call (mail_parse.c: libmagic is not thread-safe). */
void vg_mail__magic_lock(void);
void vg_mail__magic_unlock(void);
void vg_mail__attachment(vg_mail_builder *b, vg_mail_attachment *att, const unsigned char *data,
                         size_t n);

/* Copies a vg_buf into the arena (NUL-terminated). */
char *vg_mail__arena_buf(vg_arena *a, const vg_buf *b);
/* ASCII lower-case copy in the arena. */
char *vg_mail__arena_lower(vg_arena *a, const char *s, size_t n);
/* Domain part of an address, lower-cased into the arena; "" if none. */
const char *vg_mail__addr_domain(vg_arena *a, const char *addr);

/* ---- MIME structure, read in place (mail_mime.c) ---------------------------------------- */

/* One header field: name and raw value (after the colon, folding kept),
 * both pointing into the message. */
typedef struct vg_mime_field {
    const char *name;
    size_t name_len;
    const char *raw;
    size_t raw_len;
} vg_mime_field;

/* A header block and the body after it. */
typedef struct vg_mime_entity {
    vg_mime_field *fields; /* in the arena */
    size_t n_fields;
    const char *body;
    size_t body_len;
    bool no_headers; /* the first line was not a field */
    bool broken;     /* a line that is not a field ended the block (no empty line) */
    bool truncated;  /* more fields than max_fields; the rest were skipped */
} vg_mime_entity;

void vg_mail__mime_split(vg_arena *a, const char *data, size_t n, size_t max_fields,
                         vg_mime_entity *out);
/* First field of that name (ASCII case-insensitive), NULL if none. */
const vg_mime_field *vg_mail__mime_field(const vg_mime_entity *e, const char *name);
/* Raw value unfolded (line breaks removed, tabs and NULs to spaces, trimmed)
 * and NUL-terminated, in the arena. */
char *vg_mail__mime_unfold(vg_arena *a, const char *raw, size_t n);
/* The same, also giving the length and whether it is all ASCII (either
 * pointer may be NULL). */
char *vg_mail__mime_unfold_n(vg_arena *a, const char *raw, size_t n, size_t *out_len,
                             bool *ascii);

/* Iterator over the parts of a multipart body (RFC 2046 5.1.1). */
typedef struct vg_mime_parts {
    const char *s, *b;
    size_t n, bl, pos;
    bool started, done;
    bool closed;       /* the close delimiter was seen */
    bool unclosed;     /* the body ended inside a part */
    bool no_delimiter; /* not one delimiter line in the body */
} vg_mime_parts;

void vg_mail__mime_parts_init(vg_mime_parts *it, const char *body, size_t n, const char *boundary);
bool vg_mail__mime_parts_next(vg_mime_parts *it, const char **part, size_t *len);

/* Base64 as mail clients read it (junk skipped, '=' ends a quantum, missing
 * padding tolerated); out needs n / 4 * 3 + 3 bytes. Returns the bytes written. */
size_t vg_mail__base64_decode(const unsigned char *in, size_t n, unsigned char *out);

typedef enum { VG_CTE_NONE, VG_CTE_BASE64, VG_CTE_QP, VG_CTE_UU } vg_mime_cte;
/* From a Content-Transfer-Encoding value (NULL = none). */
vg_mime_cte vg_mail__mime_cte(const char *value);
/* Decoded body: in the arena, or body itself for identity encodings. */
const unsigned char *vg_mail__mime_decode(vg_arena *a, vg_mime_cte cte, const char *body,
                                          size_t n, size_t *out_n);

#endif
