/* vigil/core.h — the core library: errors, logging, memory, arena, string
 * views and buffers, time, IP addresses and CIDR sets, hashing, keyed hash
 * tables with expiry, a JSON writer, UTF-8 helpers and embedded data.
 *
 * Core knows nothing about mail or sign-ins. Every other module builds on it.
 *
 * Conventions
 *  - Functions that can fail return vg_err (0 = VG_OK, negative = failure)
 *    and, when given a vg_error, leave a message there that names what and
 *    where ("file.log:12: bad timestamp").
 *  - Allocation failure aborts the process with a message (vg_xmalloc). All
 *    input-driven sizes are bounded before allocating, so this only fires on
 *    true exhaustion; it keeps every caller free of NULL checks.
 *  - Times are int64 milliseconds since the Unix epoch, UTC.
 */
#ifndef VIGIL_CORE_H
#define VIGIL_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define VG_NORETURN __attribute__((noreturn))
#else
#define VG_PRINTF(a, b)
#define VG_NORETURN
#endif

/* ---- errors --------------------------------------------------------------- */

typedef int vg_err;
enum {
    VG_OK = 0,
    VG_ENOMEM = -1,      /* allocation failed */
    VG_EINVAL = -2,      /* malformed input or bad argument */
    VG_EIO = -3,         /* read/write/open failed */
    VG_ELIMIT = -4,      /* a configured limit was reached */
    VG_ENOTFOUND = -5,   /* lookup found nothing */
    VG_EUNSUPPORTED = -6 /* valid but not handled (unknown format, ...) */
};

/* The last error of a context object: a code and a message naming what and
 * where. Embed one in any context struct; pass NULL where nobody cares. */
typedef struct vg_error {
    vg_err code;
    char msg[512];
} vg_error;

/* Sets *e (if not NULL) and returns code, so `return vg_error_set(...)`. */
vg_err vg_error_set(vg_error *e, vg_err code, const char *fmt, ...) VG_PRINTF(3, 4);
void vg_error_clear(vg_error *e);
const char *vg_strerror(vg_err code);

/* ---- logging (stderr) ------------------------------------------------------ */

typedef enum {
    VG_LOG_DEBUG = 0,
    VG_LOG_INFO = 1,
    VG_LOG_WARN = 2,
    VG_LOG_ERROR = 3,
    VG_LOG_QUIET = 4
} vg_log_level;

void vg_log_set_level(vg_log_level level);
vg_log_level vg_log_get_level(void);
/* "debug", "info", "warn", "error", "quiet" -> level; false if unknown. */
bool vg_log_parse_level(const char *s, vg_log_level *out);
/* Redirect log output (default stderr); NULL restores stderr. For tests. */
void vg_log_set_stream(FILE *f);
void vg_log(vg_log_level level, const char *fmt, ...) VG_PRINTF(2, 3);
void vg_logv(vg_log_level level, const char *fmt, va_list ap);
#define vg_debug(...) vg_log(VG_LOG_DEBUG, __VA_ARGS__)
#define vg_info(...) vg_log(VG_LOG_INFO, __VA_ARGS__)
#define vg_warn(...) vg_log(VG_LOG_WARN, __VA_ARGS__)
#define vg_error_log(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)

/* Print "vigil: fatal: ..." and abort. For broken invariants only. */
VG_NORETURN void vg_panic(const char *fmt, ...) VG_PRINTF(1, 2);

/* ---- memory ------------------------------------------------------------------ */

void *vg_xmalloc(size_t n);
void *vg_xcalloc(size_t count, size_t size); /* overflow-checked */
void *vg_xrealloc(void *p, size_t n);
char *vg_xstrdup(const char *s);
char *vg_xstrndup(const char *s, size_t n);
/* Array growth helper: ensures cap >= need, doubling; returns the new pointer. */
void *vg_xgrow(void *p, size_t *cap, size_t need, size_t elem_size);

/* ---- arena: per-record allocation, released at once ----------------------------- */

typedef struct vg_arena vg_arena;

vg_arena *vg_arena_new(size_t block_size); /* 0 -> 64 KiB blocks */
void vg_arena_free(vg_arena *a);
/* Drop every allocation; keeps the first block for reuse. */
void vg_arena_reset(vg_arena *a);
/* 16-byte aligned; requests larger than the block size get their own block. */
void *vg_arena_alloc(vg_arena *a, size_t n);
void *vg_arena_calloc(vg_arena *a, size_t count, size_t size);
char *vg_arena_strdup(vg_arena *a, const char *s);
char *vg_arena_strndup(vg_arena *a, const char *s, size_t n); /* NUL-terminates */
char *vg_arena_printf(vg_arena *a, const char *fmt, ...) VG_PRINTF(2, 3);
char *vg_arena_vprintf(vg_arena *a, const char *fmt, va_list ap) VG_PRINTF(2, 0);
size_t vg_arena_used(const vg_arena *a); /* bytes handed out since reset */

/* ---- string views ------------------------------------------------------------ */

/* A non-owning, not necessarily NUL-terminated view. */
typedef struct vg_str {
    const char *p;
    size_t n;
} vg_str;

#define VG_STR(lit) ((vg_str){(lit), sizeof(lit) - 1})
#define VG_STR_NULL ((vg_str){NULL, 0})
#define VG_STR_FMT "%.*s"
#define VG_STR_ARG(s) (int)(s).n, (s).p

vg_str vg_str_from(const char *cstr); /* NULL -> empty view */
vg_str vg_str_make(const char *p, size_t n);
bool vg_str_eq(vg_str a, vg_str b);
bool vg_str_eq_ci(vg_str a, vg_str b); /* ASCII case-insensitive */
bool vg_str_eq_cstr(vg_str a, const char *b);
bool vg_str_starts_with(vg_str s, vg_str prefix);
bool vg_str_starts_with_ci(vg_str s, vg_str prefix);
bool vg_str_ends_with(vg_str s, vg_str suffix);
bool vg_str_ends_with_ci(vg_str s, vg_str suffix);
vg_str vg_str_trim(vg_str s); /* ASCII whitespace both ends */
vg_str vg_str_sub(vg_str s, size_t off, size_t len); /* clamped to s */
/* Offset of the first match or -1. Empty needle matches at 0. */
ptrdiff_t vg_str_find(vg_str hay, vg_str needle);
ptrdiff_t vg_str_find_ci(vg_str hay, vg_str needle);
ptrdiff_t vg_str_chr(vg_str s, char c);
ptrdiff_t vg_str_rchr(vg_str s, char c);
/* Tokenizer: *tok = text up to the next sep (or the end); *rest advances past
 * it. Returns false once rest was already exhausted (so "a," yields "a", ""). */
bool vg_str_split(vg_str *rest, char sep, vg_str *tok);
/* Strict decimal: optional sign, digits only, no overflow. */
bool vg_str_to_i64(vg_str s, int64_t *out);
bool vg_str_to_u64(vg_str s, uint64_t *out);
char *vg_str_dup(vg_str s); /* heap copy, NUL-terminated */

/* ---- growable byte buffer with an optional size cap ---------------------------- */

typedef struct vg_buf {
    char *p;     /* always NUL-terminated when non-NULL */
    size_t n;    /* bytes used, excluding the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* 0 = unlimited; appends past it fail and set `failed` */
    bool failed; /* sticky: first failure kept, later appends ignored */
} vg_buf;

void vg_buf_init(vg_buf *b, size_t max);
void vg_buf_free(vg_buf *b);
void vg_buf_reset(vg_buf *b); /* n = 0, keeps memory, clears failed */
bool vg_buf_append(vg_buf *b, const void *data, size_t n);
/* Makes room for extra more bytes now (false, and failed set, past the cap). */
bool vg_buf_reserve(vg_buf *b, size_t extra);
bool vg_buf_putc(vg_buf *b, char c);
bool vg_buf_puts(vg_buf *b, const char *s);
bool vg_buf_printf(vg_buf *b, const char *fmt, ...) VG_PRINTF(2, 3);
bool vg_buf_vprintf(vg_buf *b, const char *fmt, va_list ap);
const char *vg_buf_cstr(const vg_buf *b); /* "" when empty */
char *vg_buf_steal(vg_buf *b);            /* caller frees; b is reset to empty */
static inline vg_str vg_buf_str(const vg_buf *b) { return (vg_str){b->p ? b->p : "", b->n}; }

/* ---- time (int64 ms since epoch, UTC) ----------------------------------------------- */

typedef struct vg_tm {
    int year, month, day;   /* month 1-12, day 1-31 */
    int hour, min, sec, ms; /* 0-23, 0-59, 0-60 (leap second accepted), 0-999 */
    int wday;               /* 0 = Sunday */
} vg_tm;

/* Days-from-civil; fields are validated by the parsers, not here. */
int64_t vg_time_from_civil(int year, int month, int day, int hour, int min, int sec, int ms);
void vg_time_to_civil(int64_t ms, vg_tm *out);
bool vg_time_valid_date(int year, int month, int day); /* leap years included */

/* RFC 3339 / ISO 8601 timestamp: "2020-11-13T10:00:00Z",
 * "2020-11-13T10:00:00.1234567+05:30", "2020-11-13 10:00:00.123Z" (space
 * separator), lower-case t/z; offset ±hh:mm or ±hhmm; fractions of any
 * length (truncated to ms). With no offset the time is taken as UTC.
 * The whole view must be consumed. */
vg_err vg_time_parse_rfc3339(vg_str s, int64_t *out_ms);
/* RFC 5322 date: "Fri, 13 Nov 2020 10:00:00 +0100", optional weekday and
 * seconds, obsolete zones (UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT, single
 * military letters -> treated as +0000 per RFC 5322 4.3), 2- and 3-digit
 * years (RFC 5322 4.3), trailing comments "(UTC)", folding whitespace. */
vg_err vg_time_parse_rfc5322(vg_str s, int64_t *out_ms);
/* RFC 3164 syslog timestamp "Nov 13 10:00:00" or "Nov  3 10:00:00" at the
 * start of s, in the given year, local offset in minutes east of UTC.
 * *consumed receives the number of bytes parsed (15). */
vg_err vg_time_parse_syslog3164(vg_str s, int year, int tz_offset_min, int64_t *out_ms,
                                size_t *consumed);
/* RFC 5424 TIMESTAMP at the start of s (an RFC 3339 subset ended by a space
 * or the end). "-" (NILVALUE) gives VG_ENOTFOUND. *consumed as above. */
vg_err vg_time_parse_syslog5424(vg_str s, int64_t *out_ms, size_t *consumed);
/* Formats as "2020-11-13T10:00:00Z" or with ".123" when with_ms; returns the
 * length. buf must hold VG_TIME_STRLEN bytes. */
#define VG_TIME_STRLEN 32
size_t vg_time_format_rfc3339(int64_t ms, bool with_ms, char *buf);
int64_t vg_now_ms(void); /* wall clock; for progress and logs, never detection */

/* ---- IP addresses and CIDR sets -------------------------------------------------- */

/* IPv4 is stored v4-mapped (::ffff:a.b.c.d) with family 4, so every address is
 * 16 bytes and v4 / v4-mapped v6 compare equal. */
typedef struct vg_ip {
    uint8_t a[16];
    uint8_t family; /* 4 or 6; 0 = none */
} vg_ip;

#define VG_IP_STRLEN 48 /* enough for any formatted address incl. NUL */

/* Accepts dotted quad (no leading zeros, no octal/hex forms), all RFC 4291
 * text forms (compressed, embedded IPv4), "[v6]". A v4-mapped v6 address
 * parses as family 4. Zone ids ("%eth0") are rejected. */
vg_err vg_ip_parse(vg_str s, vg_ip *out);
/* RFC 5952 canonical text (lower case, longest zero run compressed) or dotted
 * quad for family 4. Returns the length. */
size_t vg_ip_format(const vg_ip *ip, char *buf);
int vg_ip_cmp(const vg_ip *a, const vg_ip *b);
bool vg_ip_eq(const vg_ip *a, const vg_ip *b);
/* Keep the first `bits` bits (relative to the family: 0-32 for v4, 0-128 for
 * v6), zero the rest. Used to aggregate v6 sources by /64. */
void vg_ip_mask(const vg_ip *ip, int bits, vg_ip *out);
/* Loopback, private (RFC 1918, ULA), link-local, CGNAT, documentation,
 * unspecified, multicast: false. Everything else: true. */
bool vg_ip_is_global(const vg_ip *ip);
/* Addresses of a local network or the host itself, never an internet peer:
 * RFC 1918, CGNAT, loopback, link-local, "this network", multicast, 240/4,
 * ::, ::1, ULA, site/link-local v6, v6 multicast. Documentation and
 * benchmarking ranges are NOT internal: they stand in for public addresses
 * in examples, tests and the demo. Use this, not vg_ip_is_global, to decide
 * whether an address can link attacks across organizations. */
bool vg_ip_is_internal(const vg_ip *ip);

typedef struct vg_cidr {
    vg_ip ip;     /* masked network address */
    uint8_t bits; /* prefix length relative to the family */
} vg_cidr;

/* "10.0.0.0/8", "2001:db8::/32", or a plain address (/32, /128). Host bits
 * set in the address are masked off. */
vg_err vg_cidr_parse(vg_str s, vg_cidr *out);
size_t vg_cidr_format(const vg_cidr *c, char *buf); /* buf: VG_IP_STRLEN + 4 */
bool vg_cidr_contains(const vg_cidr *c, const vg_ip *ip);

/* A set of prefixes with longest-prefix-match lookup, each carrying a value. */
typedef struct vg_cidrset vg_cidrset;
vg_cidrset *vg_cidrset_new(void);
void vg_cidrset_free(vg_cidrset *s);
/* Adding a prefix already present replaces its value. */
void vg_cidrset_add(vg_cidrset *s, const vg_cidr *c, uintptr_t value);
/* Longest matching prefix; false if none. value/matched may be NULL. */
bool vg_cidrset_lookup(const vg_cidrset *s, const vg_ip *ip, uintptr_t *value, vg_cidr *matched);
size_t vg_cidrset_count(const vg_cidrset *s);

/* ---- hashing and digests -------------------------------------------------------- */

/* SipHash-2-4 with a 128-bit key: for tables keyed by attacker-chosen strings. */
uint64_t vg_siphash(const uint8_t key[16], const void *data, size_t n);
/* 16 random bytes from getrandom(2). */
void vg_random_bytes(void *out, size_t n);

/* SHA-256 (unkeyed, for ids and attachment digests), incremental or one-shot. */
typedef struct vg_sha256 {
    void *ctx; /* opaque */
} vg_sha256;
void vg_sha256_init(vg_sha256 *h);
void vg_sha256_update(vg_sha256 *h, const void *data, size_t n);
void vg_sha256_final(vg_sha256 *h, uint8_t out[32]);
void vg_sha256_digest(const void *data, size_t n, uint8_t out[32]);
void vg_hmac_sha256(const void *key, size_t klen, const void *data, size_t n, uint8_t out[32]);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void vg_hex(const uint8_t *in, size_t n, char *out);
/* The value of one hex digit (either case), -1 for anything else. */
static inline int vg_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
/* True if id is one of vigil's identifiers of the given kind: the letter,
 * '-', and 16 lower-case hex digits ("f-0123456789abcdef" for a finding,
 * 'c' for a campaign). Ids read from files are checked with it, so that
 * nothing else travels where an id is expected (notices, file names). */
static inline bool vg_id_wellformed(const char *id, char kind)
{
    if (!id || id[0] != kind || id[1] != '-')
        return false;
    for (int i = 2; i < 18; i++) {
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    }
    return id[18] == 0;
}
/* RFC 4122 version-5 UUID (SHA-1 of namespace + name) as 36 chars + NUL. */
void vg_uuid5(const uint8_t ns[16], const void *name, size_t n, char out[37]);

/* ---- keyed open-addressing hash table with per-entry expiry ---------------------- */

/* Keys are byte strings copied into the table; values are pointers owned by
 * the table's destructor (may be NULL). Each entry carries an expiry time in
 * the caller's clock (event time); vg_htable_expire() drops entries whose
 * expiry is <= now. An admission limit (max_entries) bounds memory: once full
 * (after dropping expired entries) new keys are refused and counted. Linear
 * probing with backward-shift deletion: no tombstones. */
typedef struct vg_htable vg_htable;
typedef void (*vg_htable_free_fn)(void *value, void *ud);

vg_htable *vg_htable_new(size_t max_entries, vg_htable_free_fn free_fn, void *ud);
/* Same with a fixed SipHash key, for reproducible tests. */
vg_htable *vg_htable_new_keyed(size_t max_entries, const uint8_t key[16], vg_htable_free_fn free_fn,
                               void *ud);
void vg_htable_free(vg_htable *t);
/* Slot of the value for key, or NULL if absent. */
void **vg_htable_get(vg_htable *t, const void *key, size_t klen);
/* Slot for key, creating the entry (value NULL, *created = true) if absent.
 * Sets the entry's expiry. NULL when the admission limit refuses a new key. */
void **vg_htable_put(vg_htable *t, const void *key, size_t klen, int64_t expires_at, bool *created);
bool vg_htable_del(vg_htable *t, const void *key, size_t klen);
size_t vg_htable_expire(vg_htable *t, int64_t now); /* returns how many dropped */
size_t vg_htable_count(const vg_htable *t);
size_t vg_htable_refused(const vg_htable *t); /* inserts refused by the limit */
size_t vg_htable_capacity(const vg_htable *t);

typedef struct vg_htable_iter {
    size_t i;
} vg_htable_iter;
#define VG_HTABLE_ITER_INIT {0}
/* Iterates in slot order (random, keyed): never use this order in output.
 * The table must not be modified while iterating. */
bool vg_htable_next(vg_htable *t, vg_htable_iter *it, const void **key, size_t *klen, void ***value,
                    int64_t *expires_at);

/* ---- UTF-8 ------------------------------------------------------------------------ */

/* Decodes one code point at p (n bytes available). Returns its length (1-4)
 * or 0 when the bytes are not well-formed UTF-8 (overlongs, surrogates,
 * > U+10FFFF, truncated). */
size_t vg_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);
bool vg_utf8_valid(const void *p, size_t n);
/* Appends the encoding of cp; returns bytes written (1-4). out needs 4. */
size_t vg_utf8_encode(uint32_t cp, char *out);
/* Appends s to b with every ill-formed subsequence replaced by U+FFFD
 * (one per maximal subpart, as WHATWG and Unicode 3.9 recommend). */
void vg_utf8_sanitize(vg_buf *b, const void *s, size_t n);

/* ---- JSON writer ------------------------------------------------------------------ */

/* Streams JSON into a vg_buf, managing commas. Strings are escaped: " \ and
 * control bytes (\n \t \r \b \f or \u00XX), U+2028/U+2029 as \u2028/\u2029,
 * and every ill-formed UTF-8 sequence becomes U+FFFD. Nesting is capped at
 * VG_JSON_MAX_DEPTH; misuse sets `failed`. */
#define VG_JSON_MAX_DEPTH 64
typedef struct vg_json {
    vg_buf *out;
    int depth;
    bool failed;
    bool pretty;
    uint8_t first[VG_JSON_MAX_DEPTH]; /* 1 if no element yet at that level */
    uint8_t is_obj[VG_JSON_MAX_DEPTH];
    bool after_key;
} vg_json;

void vg_json_init(vg_json *j, vg_buf *out);
void vg_json_obj_begin(vg_json *j);
void vg_json_obj_end(vg_json *j);
void vg_json_arr_begin(vg_json *j);
void vg_json_arr_end(vg_json *j);
void vg_json_key(vg_json *j, const char *key);
void vg_json_str(vg_json *j, const char *s); /* NULL -> null */
void vg_json_strn(vg_json *j, const void *s, size_t n);
void vg_json_int(vg_json *j, int64_t v);
void vg_json_uint(vg_json *j, uint64_t v);
void vg_json_double(vg_json *j, double v); /* non-finite -> null */
void vg_json_bool(vg_json *j, bool v);
void vg_json_null(vg_json *j);
void vg_json_raw(vg_json *j, const char *json); /* pre-serialized value */
/* Escapes s as a JSON string body (no quotes) onto b. */
void vg_json_escape(vg_buf *b, const void *s, size_t n);
/* Convenience: key + value. */
void vg_json_kv_str(vg_json *j, const char *key, const char *s);
void vg_json_kv_int(vg_json *j, const char *key, int64_t v);
void vg_json_kv_bool(vg_json *j, const char *key, bool v);

/* ---- files and embedded data ------------------------------------------------------- */

/* Reads a whole file (at most max bytes, 0 = 1 GiB); NUL-terminates. */
vg_err vg_file_read(const char *path, size_t max, char **out, size_t *len, vg_error *e);
/* Writes atomically (temp file + rename). */
vg_err vg_file_write(const char *path, const void *data, size_t n, vg_error *e);
/* mkdir -p */
vg_err vg_mkdir_p(const char *path, vg_error *e);

/* Files from data/ compiled into the binary, by base name ("actors.yaml").
 * NULL if absent. The bytes are NUL-terminated. */
const char *vg_data_get(const char *name, size_t *len);
/* Iterate the names of embedded files: i = 0, 1, ... until NULL. */
const char *vg_data_name(size_t i);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_CORE_H */
