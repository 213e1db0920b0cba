/* auth_json.c — a small, fast JSON reader for sign-in records: parses one
 * document into an arena-allocated tree of views into the input.
 *
 * Why not jansson: sign-in exports are hundreds of MB of JSON lines of which a
 * parser needs a dozen fields. jansson mallocs every node and hashes every key
 * (bench/RESULTS.md "signins" shows it below the throughput target on its
 * own). Here a node is 32 bytes bumped from the record's arena, strings stay
 * views into the input until a field is actually read (unescaped lazily), and
 * objects are small arrays searched linearly (records have tens of keys).
 *
 * Grammar: RFC 8259, strict except that a trailing comma before ] or } is
 * accepted (Microsoft's own Graph documentation has one). Nesting is capped at
 * AJ_MAX_DEPTH; numbers are kept as text. Invalid UTF-8 inside strings is not
 * rejected here: every string that leaves the module goes through the JSON
 * writer, which replaces ill-formed sequences.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "auth/auth_internal.h"

#define AJ_MAX_DEPTH 64

typedef struct aj_parser {
    const char *p, *end, *start;
    vg_arena *a;
    const char *err;
    size_t err_off;
    /* scratch stack of children while a container is open */
    aj_node *stk;
    size_t n, cap;
} aj_parser;

static bool aj_fail(aj_parser *ps, const char *msg)
{
    if (!ps->err) {
        ps->err = msg;
        ps->err_off = (size_t)(ps->p - ps->start);
    }
    return false;
}

static inline void skip_ws(aj_parser *ps)
{
    const char *p = ps->p;
    while (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

static void __attribute__((noinline)) grow_stack(aj_parser *ps)
{
    ps->stk = vg_xgrow(ps->stk, &ps->cap, ps->n + 1, sizeof *ps->stk);
}

static inline void push(aj_parser *ps, const aj_node *nd)
{
    if (ps->n == ps->cap)
        grow_stack(ps);
    ps->stk[ps->n++] = *nd;
}

static bool parse_value(aj_parser *ps, aj_node *out, int depth);

/* First byte at or after p that is '"', '\\' or a control byte (< 0x20). */
static inline const char *scan_plain(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  ctl = _mm_set1_epi8(0x1f), flip = _mm_set1_epi8((char)0x80);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* unsigned v <= 0x1f  <=>  signed (v ^ 0x80) <= (0x1f ^ 0x80) */
        __m128i lo = _mm_cmpgt_epi8(_mm_xor_si128(ctl, flip), _mm_xor_si128(v, flip));
        lo = _mm_or_si128(lo, _mm_cmpeq_epi8(_mm_xor_si128(v, flip), _mm_xor_si128(ctl, flip)));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), lo);
        int m = _mm_movemask_epi8(hit);
        if (m)
            return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

static bool parse_string(aj_parser *ps, aj_node *out)
{
    const char *p = ps->p + 1; /* after the quote */
    const char *end = ps->end;
    bool esc = false;
    for (;;) {
        /* fast scan for the next quote, backslash or control byte */
        p = scan_plain(p, end);
        if (p >= end) {
            ps->p = p;
            return aj_fail(ps, "unterminated string");
        }
        if (*p == '"')
            break;
        if (*p == '\\') {
            esc = true;
            if (p + 1 >= end) {
                ps->p = p;
                return aj_fail(ps, "unterminated string");
            }
            char c = p[1];
            if (c == 'u') {
                if (end - p < 6) {
                    ps->p = p;
                    return aj_fail(ps, "bad \\u escape");
                }
                for (int i = 2; i < 6; i++) {
                    if (vg_hex_digit(p[i]) < 0) {
                        ps->p = p;
                        return aj_fail(ps, "bad \\u escape");
                    }
                }
                p += 6;
            } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
                       c == 'r' || c == 't') {
                p += 2;
            } else {
                ps->p = p;
                return aj_fail(ps, "bad escape in string");
            }
            continue;
        }
        ps->p = p;
        return aj_fail(ps, "control character in string");
    }
    out->type = AJ_STR;
    out->esc = esc;
    out->s = ps->p + 1;
    out->len = (uint32_t)(p - (ps->p + 1));
    out->n = 0;
    out->kids = NULL;
    ps->p = p + 1;
    return true;
}

static bool parse_number(aj_parser *ps, aj_node *out)
{
    const char *p = ps->p, *end = ps->end, *b = p;
    if (p < end && *p == '-')
        p++;
    if (p >= end || !(*p >= '0' && *p <= '9'))
        return aj_fail(ps, "bad number");
    if (*p == '0')
        p++;
    else
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !(*p >= '0' && *p <= '9'))
            return aj_fail(ps, "bad number");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !(*p >= '0' && *p <= '9'))
            return aj_fail(ps, "bad number");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    out->type = AJ_NUM;
    out->esc = 0;
    out->s = b;
    out->len = (uint32_t)(p - b);
    out->n = 0;
    out->kids = NULL;
    ps->p = p;
    return true;
}

static bool parse_lit(aj_parser *ps, const char *lit, size_t n, aj_type t, aj_node *out)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, lit, n) != 0)
        return aj_fail(ps, "unexpected character");
    out->type = (uint8_t)t;
    out->esc = 0;
    out->s = ps->p;
    out->len = (uint32_t)n;
    out->n = 0;
    out->kids = NULL;
    ps->p += n;
    return true;
}

/* Containers: children are pushed on the scratch stack and moved into one
 * arena array when the container closes. Objects store key, value pairs. */
static bool parse_container(aj_parser *ps, aj_node *out, int depth, bool obj)
{
    if (depth >= AJ_MAX_DEPTH)
        return aj_fail(ps, "nesting too deep");
    char close = obj ? '}' : ']';
    size_t base = ps->n;
    const char *open = ps->p;
    ps->p++; /* { or [ */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        goto done;
    }
    for (;;) {
        aj_node nd;
        skip_ws(ps);
        if (obj) {
            if (ps->p >= ps->end || *ps->p != '"')
                return aj_fail(ps, "expected a key");
            if (!parse_string(ps, &nd))
                return false;
            push(ps, &nd);
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return aj_fail(ps, "expected ':'");
            ps->p++;
            skip_ws(ps);
        }
        if (!parse_value(ps, &nd, depth + 1))
            return false;
        push(ps, &nd);
        skip_ws(ps);
        if (ps->p >= ps->end)
            return aj_fail(ps, "unterminated container");
        if (*ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == close) { /* trailing comma: tolerated */
                ps->p++;
                break;
            }
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            break;
        }
        return aj_fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
done:;
    size_t cnt = ps->n - base;
    out->type = obj ? AJ_OBJ : AJ_ARR;
    out->esc = 0;
    out->s = open;
    out->len = 0;
    out->n = (uint32_t)(obj ? cnt / 2 : cnt);
    out->kids = NULL;
    if (cnt) {
        out->kids = vg_arena_alloc(ps->a, cnt * sizeof(aj_node));
        memcpy(out->kids, ps->stk + base, cnt * sizeof(aj_node));
    }
    ps->n = base;
    return true;
}

static bool parse_value(aj_parser *ps, aj_node *out, int depth)
{
    if (ps->p >= ps->end)
        return aj_fail(ps, "unexpected end of input");
    switch (*ps->p) {
    case '{':
        return parse_container(ps, out, depth, true);
    case '[':
        return parse_container(ps, out, depth, false);
    case '"':
        return parse_string(ps, out);
    case 't':
        return parse_lit(ps, "true", 4, AJ_TRUE, out);
    case 'f':
        return parse_lit(ps, "false", 5, AJ_FALSE, out);
    case 'n':
        return parse_lit(ps, "null", 4, AJ_NULL, out);
    default:
        return parse_number(ps, out);
    }
}

/* Scratch stacks are per thread of use; a parser keeps one across calls. */
struct aj_scratch {
    aj_node *stk;
    size_t cap;
};

aj_node *vg_auth__json_parse(vg_arena *a, const char *p, size_t n, size_t *consumed,
                             const char **err, size_t *err_off)
{
    static _Thread_local struct aj_scratch scratch;
    aj_parser ps = {.p = p, .end = p + n, .start = p, .a = a, .stk = scratch.stk,
                    .cap = scratch.cap};
    aj_node *root = vg_arena_alloc(a, sizeof *root);
    skip_ws(&ps);
    bool ok = parse_value(&ps, root, 0);
    scratch.stk = ps.stk;
    scratch.cap = ps.cap;
    if (!ok) {
        if (err)
            *err = ps.err ? ps.err : "invalid JSON";
        if (err_off)
            *err_off = ps.err_off;
        return NULL;
    }
    skip_ws(&ps);
    if (consumed)
        *consumed = (size_t)(ps.p - p);
    else if (ps.p != ps.end) {
        if (err)
            *err = "trailing characters after JSON value";
        if (err_off)
            *err_off = (size_t)(ps.p - p);
        return NULL;
    }
    return root;
}

/* ---- access ----------------------------------------------------------------- */

static inline bool key_eq_ci(const aj_node *k, const char *name, size_t nlen)
{
    if (k->len != nlen)
        return false;
    const char *s = k->s;
    for (size_t i = 0; i < nlen; i++) {
        char a = s[i], b = name[i];
        if (a != b) {
            if (a >= 'A' && a <= 'Z')
                a = (char)(a + 32);
            if (b >= 'A' && b <= 'Z')
                b = (char)(b + 32);
            if (a != b)
                return false;
        }
    }
    return true;
}

const aj_node *vg_auth__json_get(const aj_node *obj, const char *key)
{
    if (!obj || obj->type != AJ_OBJ)
        return NULL;
    size_t klen = strlen(key);
    const aj_node *k = obj->kids;
    /* exact match first (the common case), then ASCII case-insensitive */
    for (uint32_t i = 0; i < obj->n; i++, k += 2)
        if (k->len == klen && memcmp(k->s, key, klen) == 0)
            return k + 1;
    k = obj->kids;
    for (uint32_t i = 0; i < obj->n; i++, k += 2)
        if (key_eq_ci(k, key, klen))
            return k + 1;
    return NULL;
}

const aj_node *vg_auth__json_path(const aj_node *n, const char *dotted)
{
    char seg[128];
    const char *p = dotted;
    while (n && *p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l >= sizeof seg)
            return NULL;
        memcpy(seg, p, l);
        seg[l] = '\0';
        n = vg_auth__json_get(n, seg);
        p += l;
        if (*p == '.')
            p++;
    }
    return n;
}

static uint32_t hex4(const char *p)
{
    /* the scanner accepted only hex digits after every \u */
    return (uint32_t)(vg_hex_digit(p[0]) << 12 | vg_hex_digit(p[1]) << 8 |
                      vg_hex_digit(p[2]) << 4 | vg_hex_digit(p[3]));
}

const char *vg_auth__json_str(vg_arena *a, const aj_node *n)
{
    if (!n)
        return NULL;
    if (n->type == AJ_NUM || n->type == AJ_TRUE || n->type == AJ_FALSE)
        return vg_arena_strndup(a, n->s, n->len);
    if (n->type != AJ_STR)
        return NULL;
    if (!n->esc)
        return vg_arena_strndup(a, n->s, n->len);
    char *out = vg_arena_alloc(a, (size_t)n->len + 1);
    char *o = out;
    const char *p = n->s, *end = n->s + n->len;
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        char c = p[1];
        p += 2;
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            uint32_t cp = hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo = hex4(p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
                cp = 0xFFFD; /* lone surrogate or NUL: replacement character */
            o += vg_utf8_encode(cp, o);
            break;
        }
        default: *o++ = c; break;
        }
    }
    *o = '\0';
    return out;
}

vg_str vg_auth__json_view(const aj_node *n)
{
    if (!n || (n->type != AJ_STR && n->type != AJ_NUM && n->type != AJ_TRUE && n->type != AJ_FALSE))
        return VG_STR_NULL;
    return vg_str_make(n->s, n->len);
}

bool vg_auth__json_int(const aj_node *n, int64_t *out)
{
    if (!n)
        return false;
    vg_str s;
    if (n->type == AJ_NUM || (n->type == AJ_STR && !n->esc))
        s = vg_str_trim(vg_str_make(n->s, n->len));
    else
        return false;
    if (s.n > 0 && memchr(s.p, '.', s.n)) { /* "4.0" */
        ptrdiff_t dot = vg_str_chr(s, '.');
        s.n = (size_t)dot;
    }
    return vg_str_to_i64(s, out);
}

int vg_auth__json_bool(const aj_node *n)
{
    if (!n)
        return -1;
    if (n->type == AJ_TRUE)
        return 1;
    if (n->type == AJ_FALSE)
        return 0;
    if (n->type == AJ_STR) {
        vg_str s = vg_str_make(n->s, n->len);
        if (vg_str_eq_ci(s, VG_STR("true")) || vg_str_eq_cstr(s, "1"))
            return 1;
        if (vg_str_eq_ci(s, VG_STR("false")) || vg_str_eq_cstr(s, "0"))
            return 0;
    }
    if (n->type == AJ_NUM)
        return !(n->len == 1 && n->s[0] == '0');
    return -1;
}
