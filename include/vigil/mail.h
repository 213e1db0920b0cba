/* vigil/mail.h — the mail module: finding messages in files, directories,
 * mbox files, Maildirs and stdin, and parsing each one (GMime) into a plain
 * message model that the phishing detectors read.
 *
 * Three pieces:
 *   1. vg_mail_sniff()      — is this buffer a mail message (or an mbox)?
 *   2. vg_mail_source       — iterate the raw messages under a path.
 *   3. vg_mail_parser       — parse one raw message into a vg_mail_msg.
 *
 * Ownership: a vg_mail_msg and every string and array reachable from it live
 * in the parser's arena. They are borrowed, read-only, and valid until the
 * next vg_mail_parse() on the same parser or vg_mail_parser_free(). A
 * vg_mail_item from a source is valid until the next vg_mail_source_next().
 *
 * Threads: GMime is initialised once (pthread_once) by the first parser. A
 * parser or a source is used by one thread at a time; use one per thread.
 * No GLib type crosses this header. GLib aborts the process when an
 * allocation fails (as vg_xmalloc does), so allocation-failure tests skip
 * the mail parser.
 *
 * Strings are UTF-8 (charsets converted, RFC 2047/2231 decoded, ill-formed
 * sequences replaced by U+FFFD). Domains are lower-case ASCII (IDNs as
 * A-labels, "xn--..."), without a trailing dot.
 */
#ifndef VIGIL_MAIL_H
#define VIGIL_MAIL_H

#include "vigil/core.h"
#include "vigil/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Versions of the linked GMime and GLib ("3.2.13"). */
const char *vg_mail_gmime_version(void);
const char *vg_mail_glib_version(void);

/* ---- limits -------------------------------------------------------------------- */

/* Every input-driven size is bounded. Defaults in VG_MAIL_LIMITS_INIT; the
 * config can change them under mail.limits (docs/config.md). */
typedef struct vg_mail_limits {
    size_t max_message_bytes;     /* larger messages are rejected (50 MiB) */
    size_t max_input_bytes;       /* one mbox file or stdin (4 GiB) */
    unsigned max_parts;           /* MIME parts analysed per message (1000) */
    unsigned max_depth;           /* multipart/message nesting (32) */
    unsigned max_urls;            /* URLs kept per message (2000) */
    unsigned max_attachments;     /* attachments kept per message (256) */
    unsigned max_archive_entries; /* entries listed per archive (1000) */
    size_t max_text_bytes;        /* decoded text kept per message (4 MiB) */
    size_t max_html_bytes;        /* one HTML part given to the HTML parser (8 MiB) */
} vg_mail_limits;

#define VG_MAIL_LIMITS_INIT                                                                        \
    {(size_t)50 << 20, (size_t)4 << 30, 1000, 32, 2000, 256, 1000, (size_t)4 << 20, (size_t)8 << 20}

void vg_mail_limits_default(vg_mail_limits *l);
/* Reads the map at mail.limits (keys as the field names above; node may be
 * NULL). Unknown keys and bad values are errors naming the line. */
vg_err vg_mail_limits_from_yaml(vg_mail_limits *l, const vg_yaml_node *limits, vg_error *e);

/* ---- sniffing ------------------------------------------------------------------- */

/* True if buf (the first bytes of a file, 4 KiB is plenty) looks like a mail
 * message: an mbox "From " envelope line, or a block of RFC 5322 header fields
 * including at least two well-known mail headers (From, Received, Message-ID,
 * Return-Path, Date, Subject, ...). By content, never by file name. */
bool vg_mail_sniff(const void *buf, size_t n);
/* True if buf starts with an mbox "From " envelope line ("From addr date"). */
bool vg_mail_sniff_mbox(const void *buf, size_t n);

/* ---- sources: the raw messages under a path ---------------------------------------- */

/* A path is, by content: a single message (.eml, with or without a leading
 * mbox "From " line), an mbox file (mboxo or mboxrd; ">From " lines are
 * unquoted one level), a Maildir (a directory with cur/ and new/: both are
 * read, tmp/ is not), any other directory (read recursively, entries in
 * byte order, hidden entries skipped, files that do not sniff as mail
 * skipped and counted), or "-" for stdin (a message or an mbox). */
typedef struct vg_mail_source vg_mail_source;

typedef struct vg_mail_item {
    const char *name; /* "PATH", or "PATH#N" for the Nth message of a file holding several */
    const char *path; /* the file it came from ("-" for stdin) */
    int64_t index;    /* 1-based position in that file */
    int64_t offset;   /* byte offset of the message in that file */
    const char *data; /* raw message: envelope line removed, mboxrd unquoted */
    size_t len;
} vg_mail_item;

typedef struct vg_mail_source_stats {
    uint64_t messages; /* items returned */
    uint64_t rejects;  /* files or messages that could not be read (errors returned) */
    uint64_t skipped;  /* files inside directories that are not mail */
    uint64_t bytes;    /* raw bytes of the messages returned */
} vg_mail_source_stats;

/* Opens path ("-" = stdin). Fails (VG_EIO) only when path itself cannot be
 * opened; problems further down are reported by vg_mail_source_next(). */
vg_err vg_mail_source_open(vg_mail_source **out, const char *path, const vg_mail_limits *limits,
                           vg_error *e);
/* VG_OK: *item is the next message. VG_ENOTFOUND: no more messages.
 * Any other code: one file or message was rejected (e names it, item->name
 * and item->path too, item->data is NULL); call again to go on. */
vg_err vg_mail_source_next(vg_mail_source *s, vg_mail_item *item, vg_error *e);
void vg_mail_source_stats_get(const vg_mail_source *s, vg_mail_source_stats *out);
void vg_mail_source_close(vg_mail_source *s);

/* A source is a walk over files plus a reader of one file. Callers that read
 * files on several threads use the halves apart: one thread walks with
 * vg_mail_source_next_file() (nothing is read), and each thread reads the
 * files it is handed with its own vg_mail_reader. The messages, names,
 * rejects and skips are those vg_mail_source_next() gives for the same path.
 * A source is walked with next_file() or iterated with next(), not both. */
typedef struct vg_mail_file {
    const char *path; /* valid until the next call */
    uint64_t size;    /* bytes, at the time of the walk (0 for stdin) */
    bool in_dir;      /* found in a directory: a file that is not mail is skipped */
} vg_mail_file;

/* VG_OK: *f is the next file. VG_ENOTFOUND: no more. Any other code: a
 * directory entry could not be read (e names it, f->path too); call again. */
vg_err vg_mail_source_next_file(vg_mail_source *s, vg_mail_file *f, vg_error *e);

typedef struct vg_mail_reader vg_mail_reader;

vg_mail_reader *vg_mail_reader_new(const vg_mail_limits *limits); /* NULL: defaults */
void vg_mail_reader_free(vg_mail_reader *r);
/* Reads one file ("-" = stdin). An error is the file's one reject (e names
 * the file). A file in a directory that is not mail opens with VG_OK,
 * yields no message and counts as skipped. */
vg_err vg_mail_reader_open(vg_mail_reader *r, const vg_mail_file *f, vg_error *e);
/* Like vg_mail_source_next() within the file opened last. */
vg_err vg_mail_reader_next(vg_mail_reader *r, vg_mail_item *item, vg_error *e);
/* Counts since the reader was made (messages, rejects, skipped, bytes). */
void vg_mail_reader_stats_get(const vg_mail_reader *r, vg_mail_source_stats *out);

/* ---- the message model -------------------------------------------------------------- */

typedef struct vg_mail_addr {
    const char *name;   /* display name (decoded), NULL if none */
    const char *addr;   /* "local@domain" with the domain as below; NULL for a group */
    const char *local;  /* local part as written */
    const char *domain; /* lower-case A-label domain, "" if none */
} vg_mail_addr;

typedef struct vg_mail_addrs {
    const vg_mail_addr *v;
    size_t n;
} vg_mail_addrs;

/* Authentication results (RFC 8601 and Microsoft's form). */
typedef enum {
    VG_MAIL_AUTH_ABSENT = 0, /* no result for this method */
    VG_MAIL_AUTH_PASS,
    VG_MAIL_AUTH_FAIL,
    VG_MAIL_AUTH_SOFTFAIL,
    VG_MAIL_AUTH_NEUTRAL,
    VG_MAIL_AUTH_NONE, /* the method ran, nothing to check ("none") */
    VG_MAIL_AUTH_TEMPERROR,
    VG_MAIL_AUTH_PERMERROR,
    VG_MAIL_AUTH_POLICY,
    VG_MAIL_AUTH_OTHER /* bestguesspass, hardfail, ... */
} vg_mail_authres;
const char *vg_mail_auth_result_name(vg_mail_authres r);

#define VG_MAIL_MAX_DKIM 8
typedef struct vg_mail_auth {
    bool present;            /* a trusted Authentication-Results header was found */
    const char *authserv_id; /* of the trusted header; NULL in Microsoft's form */
    vg_mail_authres spf;
    const char *spf_domain; /* smtp.mailfrom (domain part) or smtp.helo */
    vg_mail_authres dkim;    /* the best of the signatures (pass > others) */
    struct {
        vg_mail_authres result;
        const char *domain; /* header.d (or domain of header.i) */
    } dkim_sigs[VG_MAIL_MAX_DKIM];
    size_t n_dkim;
    vg_mail_authres dmarc;
    const char *dmarc_domain; /* header.from */
    vg_mail_authres compauth;  /* Microsoft composite authentication */
    const char *compauth_reason;
    vg_mail_authres arc;
    unsigned n_headers;   /* Authentication-Results headers in the message */
    unsigned n_untrusted; /* of which ignored as not added by the trusted border */
} vg_mail_auth;

/* One Received header, topmost (newest) first. */
typedef struct vg_mail_hop {
    const char *from_host; /* "from" clause: the name the sender gave (HELO) */
    const char *rdns;      /* name in the parenthesised TCP-info, if any */
    vg_ip ip;              /* family 0 when no address is given */
    const char *by_host;
    int64_t time_ms; /* the date after ';', 0 if absent or bad */
} vg_mail_hop;

/* Where a URL was found. */
typedef enum {
    VG_URL_TEXT = 0, /* in text (plain part or HTML text) */
    VG_URL_HREF,     /* <a href> / <area href> */
    VG_URL_FORM,     /* <form action> */
    VG_URL_REFRESH,  /* <meta http-equiv=refresh>, script location assignments */
    VG_URL_EMBED,    /* <img src>, <iframe src>, <link href> */
    VG_URL_DOCUMENT  /* inside an attached document (PDF /URI, ...) */
} vg_url_source;

enum {
    VG_URL_F_IP_HOST = 1u << 0,    /* host is an IP literal (or a numeric IPv4 form) */
    VG_URL_F_USERINFO = 1u << 1,   /* "user@" before the host (http://bank.com@evil/) */
    VG_URL_F_ATTACHMENT = 1u << 2, /* found in an attachment (HTML, PDF) */
    VG_URL_F_NESTED = 1u << 3,     /* found in an attached message/rfc822 */
    VG_URL_F_HIDDEN = 1u << 4,     /* inside hidden HTML */
    VG_URL_F_IDN = 1u << 5,        /* host has a punycode/non-ASCII label */
    VG_URL_F_PORT = 1u << 6,       /* explicit non-default port */
    VG_URL_F_DATA = 1u << 7        /* data: URI */
};

typedef struct vg_mail_url {
    const char *url;  /* as found, entities decoded, trimmed */
    const char *host; /* lower-case A-label host, "" if none (mailto:, relative) */
    const char *text; /* visible anchor text (HTML links), NULL otherwise */
    vg_url_source source;
    unsigned flags; /* VG_URL_F_* */
} vg_mail_url;

/* Parses the host of an absolute URL into out (lower case, A-label, no
 * port/brackets/trailing dot). Returns false when there is none. Accepts
 * "www.x.y/..." without a scheme. *flags gets VG_URL_F_* bits (may be NULL). */
bool vg_mail_url_host(const char *url, size_t n, char *out, size_t cap, unsigned *flags);

/* The registrable domain of a host by the public suffix list (libpsl's
 * built-in list), as a pointer into host; the host itself when it has none
 * (it is a public suffix) or is empty. */
const char *vg_mail_reg_domain(const char *host);

/* An HTML form (in a body part or an HTML attachment). */
typedef struct vg_mail_form {
    const char *action;      /* NULL if none (posts to itself / script) */
    const char *action_host; /* "" if relative or none */
    unsigned inputs, password_inputs, email_inputs, hidden_inputs;
    bool in_attachment;
} vg_mail_form;

typedef struct vg_mail_archive_entry {
    const char *name;
    uint64_t size;
    bool encrypted;
} vg_mail_archive_entry;

enum {
    VG_ATT_F_RLO = 1u << 0,         /* bidi override/isolate controls in the file name */
    VG_ATT_F_MACROS = 1u << 1,      /* VBA project (OLE _VBA_PROJECT or OOXML vbaProject.bin) */
    VG_ATT_F_ENCRYPTED = 1u << 2,   /* encrypted archive entries or encrypted Office package */
    VG_ATT_F_ARCHIVE = 1u << 3,     /* entries listed with libarchive */
    VG_ATT_F_MESSAGE = 1u << 4,     /* message/rfc822 (see nested) */
    VG_ATT_F_HTML_FORM = 1u << 5,   /* HTML with a form */
    VG_ATT_F_HTML_SCRIPT = 1u << 6, /* HTML with script */
    VG_ATT_F_INLINE = 1u << 7,      /* Content-Disposition: inline */
    VG_ATT_F_TRUNCATED = 1u << 8,   /* archive listing stopped at the limit or broke */
    VG_ATT_F_OLE = 1u << 9,         /* OLE2 compound file */
    VG_ATT_F_PDF_JS = 1u << 10      /* PDF with /JavaScript, /Launch or /OpenAction+JS */
};

typedef struct vg_mail_attachment {
    const char *filename;      /* RFC 2231 / 2047 decoded; NULL if none */
    const char *declared_type; /* from Content-Type, lower case ("application/pdf") */
    const char *magic_type;    /* from content (libmagic MIME type) */
    uint64_t size;             /* decoded bytes */
    char sha256[65];           /* of the decoded bytes, lower-case hex */
    unsigned flags;            /* VG_ATT_F_* */
    const vg_mail_archive_entry *entries;
    size_t n_entries;
    size_t n_entries_total; /* entries seen (may exceed n_entries) */
    int nested;             /* index in msg->nested for message/rfc822, else -1 */
} vg_mail_attachment;

/* Evidence recorded while parsing: recorded, never silently resolved. */
enum {
    VG_MAIL_EV_DUP_FROM = 1u << 0,          /* more than one From header */
    VG_MAIL_EV_NAME_ZERO_WIDTH = 1u << 1,   /* zero-width / invisible chars in a display name */
    VG_MAIL_EV_NAME_MIXED_SCRIPT = 1u << 2, /* Latin mixed with Cyrillic/Greek/... in one word */
    VG_MAIL_EV_HIDDEN_TEXT = 1u << 3,       /* HTML text hidden (display:none, font-size:0) */
    VG_MAIL_EV_PLAIN_HTML_DIFFER = 1u << 4, /* text/plain and text/html alternatives disagree */
    VG_MAIL_EV_RLO_FILENAME = 1u << 5,      /* bidi override in an attachment name */
    VG_MAIL_EV_DEPTH_LIMIT = 1u << 6,       /* MIME nesting deeper than max_depth */
    VG_MAIL_EV_PART_LIMIT = 1u << 7,        /* more parts than max_parts */
    VG_MAIL_EV_TRUNCATED = 1u << 8,         /* text/URL/attachment lists were capped */
    VG_MAIL_EV_BROKEN_MIME = 1u << 9,       /* malformed structure (see n_warnings) */
    VG_MAIL_EV_NO_FROM = 1u << 10,          /* no usable From address */
    VG_MAIL_EV_FORGED_AUTH = 1u << 11,      /* an untrusted A-R header claims a pass that the
                                               trusted one does not give */
    VG_MAIL_EV_BAD_CHARSET = 1u << 12,      /* unknown charset, converted by guess */
    VG_MAIL_EV_NO_HEADERS = 1u << 13,       /* no header block at all */
    VG_MAIL_EV_DUP_SUBJECT = 1u << 14,      /* more than one Subject header */
    VG_MAIL_EV_HIDDEN_LINKS = 1u << 15      /* links inside hidden HTML */
};

typedef struct vg_mail_header {
    const char *name;  /* as written */
    const char *value; /* unfolded, RFC 2047 decoded, UTF-8 */
} vg_mail_header;

typedef struct vg_mail_msg vg_mail_msg;
struct vg_mail_msg {
    /* headers */
    const vg_mail_header *headers; /* in message order */
    size_t n_headers;
    const char *subject;    /* decoded, "" if none */
    vg_mail_addrs from;     /* usually one */
    vg_mail_addr sender;    /* Sender: (addr NULL if absent) */
    vg_mail_addrs reply_to;
    vg_mail_addrs to, cc;
    const char *return_path; /* address inside Return-Path, NULL if none */
    const char *return_path_domain;
    const char *message_id; /* without <>, NULL if none */
    int64_t date_ms;        /* Date header, 0 if absent or bad */
    const char *list_id;    /* List-Id, NULL if none */
    bool has_list_unsubscribe;
    /* transport */
    const vg_mail_hop *hops; /* Received chain, topmost first */
    size_t n_hops;
    int first_external_hop; /* index of the first hop from outside the organization, -1 */
    vg_mail_auth auth;      /* from the trusted Authentication-Results only */
    /* content (UTF-8) */
    const char *text_plain; /* text/plain bodies joined */
    size_t text_plain_len;
    const char *text_html; /* visible text of text/html bodies (scripts/styles dropped) */
    size_t text_html_len;
    const char *text_hidden; /* text inside hidden HTML elements */
    size_t text_hidden_len;
    const vg_mail_url *urls;
    size_t n_urls;
    const vg_mail_form *forms;
    size_t n_forms;
    const vg_mail_attachment *attachments;
    size_t n_attachments;
    const vg_mail_msg *const *nested; /* attached message/rfc822, analysed the same way */
    size_t n_nested;
    /* structure */
    unsigned n_parts;   /* MIME parts seen */
    unsigned max_depth; /* deepest nesting seen */
    unsigned evidence;  /* VG_MAIL_EV_* */
    unsigned n_warnings; /* structure problems: header block not ended by an empty line,
                            multipart without boundary, delimiter or close delimiter */
    int depth;           /* 0 for the top message, 1 for a message attached to it, ... */
};

/* The parsed message as one JSON object (for `vigil mail --dump` and tests):
 * addresses, auth, hops, text sizes, URLs, forms, attachments, evidence. */
void vg_mail_msg_write_json(const vg_mail_msg *m, vg_json *j);
/* Names of the evidence bits set in ev, as a JSON array. */
void vg_mail_evidence_write_json(unsigned ev, vg_json *j);

/* First header of that name (ASCII case-insensitive), NULL if none. */
const char *vg_mail_header_get(const vg_mail_msg *m, const char *name);
/* Number of headers of that name. */
size_t vg_mail_header_count(const vg_mail_msg *m, const char *name);

/* ---- parsing ------------------------------------------------------------------------ */

typedef struct vg_mail_parse_opts {
    vg_mail_limits limits;
    /* Authentication-Results producers to trust (RFC 8601 §5): results from
     * any header whose authserv-id is listed are trusted; with none listed
     * (or none matching) only the topmost header is. */
    const char *const *authserv_ids;
    size_t n_authserv_ids;
    /* The organization's own mail domains: hops from these (and from
     * private addresses) are internal when looking for the first external hop. */
    const char *const *org_domains;
    size_t n_org_domains;
} vg_mail_parse_opts;

void vg_mail_parse_opts_default(vg_mail_parse_opts *o);

typedef struct vg_mail_parser vg_mail_parser;

/* opts may be NULL (defaults). The arrays in opts are copied. */
vg_err vg_mail_parser_new(vg_mail_parser **out, const vg_mail_parse_opts *opts, vg_error *e);
void vg_mail_parser_free(vg_mail_parser *p);
/* Parses one raw message. On VG_OK *out is valid until the next call or
 * free. Broken MIME, bad base64 and unknown charsets still give a message
 * (with evidence bits); errors are only VG_ELIMIT (over max_message_bytes)
 * and VG_EINVAL (empty input). */
vg_err vg_mail_parse(vg_mail_parser *p, const void *data, size_t n, const vg_mail_msg **out,
                     vg_error *e);

#ifdef __cplusplus
}
#endif
#endif
