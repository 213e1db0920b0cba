/* ioc_stix.c — STIX 2.1 bundles: indicator patterns (a real parser of the
 * STIX patterning grammar; simple comparisons over ipv4-addr, ipv6-addr,
 * domain-name, url, email-addr and file hashes become indicators),
 * threat-actor / intrusion-set objects and indicates / attributed-to
 * relationships naming the actor behind an indicator. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/intel_internal.h"
#include "intel/ioc_internal.h"

#define STIX_MAX_FILE (512u << 20)
#define PAT_MAX_DEPTH 32
#define PAT_MAX_ATOMS 4096

/* ---- pattern lexer ---------------------------------------------------------------- */

typedef enum {
    TK_END,
    TK_LBRACK,
    TK_RBRACK,
    TK_LPAREN,
    TK_RPAREN,
    TK_COMMA,
    TK_OP,     /* = != < <= > >= */
    TK_WORD,   /* keyword or object path */
    TK_STRING, /* '...' (also t'..', h'..', b'..') */
    TK_NUMBER
} tk_type;

typedef struct tok {
    tk_type t;
    size_t off, len; /* in the pattern */
} tok;

typedef struct pat {
    const char *s;
    size_t n, pos;
    tok cur;
    const char *err;
    size_t err_off;
    int depth;
    vg_stix_atom_fn fn;
    void *ud;
    size_t atoms;
} pat;

static bool fail(pat *p, size_t off, const char *msg)
{
    if (!p->err) {
        p->err = msg;
        p->err_off = off;
    }
    return false;
}

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ':' || c == '.' || c == '*' || c == '\'' || c == '[' || c == ']';
}

static bool next(pat *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                             p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
    tok *t = &p->cur;
    t->off = p->pos;
    t->len = 1;
    if (p->pos >= p->n) {
        t->t = TK_END;
        t->len = 0;
        return true;
    }
    char c = p->s[p->pos];
    switch (c) {
    case '[': t->t = TK_LBRACK; p->pos++; return true;
    case ']': t->t = TK_RBRACK; p->pos++; return true;
    case '(': t->t = TK_LPAREN; p->pos++; return true;
    case ')': t->t = TK_RPAREN; p->pos++; return true;
    case ',': t->t = TK_COMMA; p->pos++; return true;
    case '=': t->t = TK_OP; p->pos++; return true;
    case '!':
    case '<':
    case '>':
        t->t = TK_OP;
        p->pos++;
        if (p->pos < p->n && p->s[p->pos] == '=') {
            p->pos++;
            t->len = 2;
        } else if (c == '!') {
            return fail(p, t->off, "'!' must be followed by '='");
        }
        return true;
    default: break;
    }
    /* strings: 'x', t'x', h'x', b'x' */
    size_t start = p->pos;
    if (c == '\'' || ((c == 't' || c == 'h' || c == 'b') && p->pos + 1 < p->n &&
                      p->s[p->pos + 1] == '\'')) {
        p->pos += c == '\'' ? 1 : 2;
        while (p->pos < p->n) {
            char d = p->s[p->pos];
            if (d == '\\') {
                if (p->pos + 1 >= p->n || (p->s[p->pos + 1] != '\\' && p->s[p->pos + 1] != '\''))
                    return fail(p, p->pos, "bad escape in string (only \\\\ and \\' allowed)");
                p->pos += 2;
                continue;
            }
            if (d == '\'') {
                p->pos++;
                t->t = TK_STRING;
                t->len = p->pos - start;
                return true;
            }
            p->pos++;
        }
        return fail(p, start, "unterminated string");
    }
    if ((c >= '0' && c <= '9') || c == '-') {
        p->pos++;
        while (p->pos < p->n && ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') || p->s[p->pos] == '.'))
            p->pos++;
        t->t = TK_NUMBER;
        t->len = p->pos - start;
        return true;
    }
    if (is_word_char(c) && c != '[' && c != ']' && c != '\'') {
        /* an object path may hold quoted keys and [*] / [n] list steps */
        while (p->pos < p->n) {
            char d = p->s[p->pos];
            if (d == '\'') {
                if (p->pos == start || p->s[p->pos - 1] != '.')
                    break;
                p->pos++;
                while (p->pos < p->n && p->s[p->pos] != '\'')
                    p->pos++;
                if (p->pos >= p->n)
                    return fail(p, start, "unterminated quoted path key");
                p->pos++;
                continue;
            }
            if (d == '[') {
                /* list index inside a path: [*] or [digits] */
                size_t q = p->pos + 1;
                while (q < p->n && ((p->s[q] >= '0' && p->s[q] <= '9') || p->s[q] == '*'))
                    q++;
                if (q < p->n && p->s[q] == ']' && q > p->pos + 1) {
                    p->pos = q + 1;
                    continue;
                }
                break;
            }
            if (d == ']' || !is_word_char(d))
                break;
            p->pos++;
        }
        t->t = TK_WORD;
        t->len = p->pos - start;
        return true;
    }
    return fail(p, start, "unexpected character");
}

static bool word_is(const pat *p, const char *w)
{
    return p->cur.t == TK_WORD && p->cur.len == strlen(w) &&
           strncmp(p->s + p->cur.off, w, p->cur.len) == 0;
}

/* ---- pattern grammar ----------------------------------------------------------------- */

/* Unescapes a string token ('...') into a heap string. */
static char *string_value(const pat *p, const tok *t)
{
    size_t a = t->off + 1, b = t->off + t->len - 1;
    char *out = vg_xmalloc(b - a + 1);
    size_t o = 0;
    for (size_t i = a; i < b; i++) {
        if (p->s[i] == '\\' && i + 1 < b)
            i++;
        out[o++] = p->s[i];
    }
    out[o] = 0;
    return out;
}

/* Which indicator an object path + operator yields. */
static vg_ioc_type path_type(const char *path, size_t n, bool subset)
{
    static const struct {
        const char *path;
        vg_ioc_type t;
    } map[] = {
        {"ipv4-addr:value", VG_IOC_IP},
        {"ipv6-addr:value", VG_IOC_IP},
        {"network-traffic:dst_ref.value", VG_IOC_IP},
        {"network-traffic:src_ref.value", VG_IOC_IP},
        {"domain-name:resolves_to_refs[*].value", VG_IOC_IP},
        {"domain-name:value", VG_IOC_DOMAIN},
        {"url:value", VG_IOC_URL},
        {"email-addr:value", VG_IOC_EMAIL},
        {"email-message:from_ref.value", VG_IOC_EMAIL},
        {"email-message:sender_ref.value", VG_IOC_EMAIL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].path) == n && strncmp(map[i].path, path, n) == 0)
            return subset && map[i].t == VG_IOC_IP ? VG_IOC_CIDR : map[i].t;
    static const char *const hash_prefixes[] = {"file:hashes.", "artifact:hashes.",
                                                "email-message:body_multipart[*].body_raw_ref.hashes."};
    for (size_t i = 0; i < sizeof hash_prefixes / sizeof hash_prefixes[0]; i++) {
        size_t pl = strlen(hash_prefixes[i]);
        if (n > pl && strncmp(path, hash_prefixes[i], pl) == 0) {
            const char *alg = path + pl;
            size_t al = n - pl;
            if (al >= 2 && (alg[0] == '\'' || alg[0] == '"')) {
                alg++;
                al -= 2;
            }
            static const char *const algs[] = {"MD5", "SHA-1", "SHA1", "SHA-256", "SHA256",
                                               "SHA-512", "SHA512"};
            for (size_t k = 0; k < sizeof algs / sizeof algs[0]; k++)
                if (strlen(algs[k]) == al && strncasecmp(algs[k], alg, al) == 0)
                    return VG_IOC_SHA256; /* exact type settled by the value's length */
            return VG_IOC_NONE;
        }
    }
    return VG_IOC_NONE;
}

static bool emit_atom(pat *p, vg_ioc_type t, const tok *vt)
{
    if (t == VG_IOC_NONE)
        return true;
    if (vt->t != TK_STRING || p->s[vt->off] != '\'')
        return true; /* numbers, t'..' etc. are no indicator values */
    if (++p->atoms > PAT_MAX_ATOMS)
        return fail(p, vt->off, "too many comparisons");
    char *v = string_value(p, vt);
    if (t == VG_IOC_SHA256) {
        vg_ioc_type ht = VG_IOC_NONE;
        char tmp[160];
        if (vg_ioc_normalize_hash(v, &ht, tmp, sizeof tmp))
            t = ht;
    }
    p->fn(t, v, vt->off, p->ud);
    free(v);
    return true;
}

static bool parse_value(pat *p, tok *out)
{
    if (p->cur.t != TK_STRING && p->cur.t != TK_NUMBER && !word_is(p, "true") &&
        !word_is(p, "false"))
        return fail(p, p->cur.off, "expected a value");
    *out = p->cur;
    return next(p);
}

/* comparison: [NOT-prefixed] path op value | EXISTS path | '(' cmp_expr ')' */
static bool parse_cmp_expr(pat *p, bool negated);

static bool parse_comparison(pat *p, bool negated)
{
    if (p->cur.t == TK_LPAREN) {
        if (++p->depth > PAT_MAX_DEPTH)
            return fail(p, p->cur.off, "nesting too deep");
        if (!next(p) || !parse_cmp_expr(p, negated))
            return false;
        if (p->cur.t != TK_RPAREN)
            return fail(p, p->cur.off, "expected ')'");
        p->depth--;
        return next(p);
    }
    if (word_is(p, "EXISTS")) {
        if (!next(p))
            return false;
        if (p->cur.t != TK_WORD)
            return fail(p, p->cur.off, "expected an object path after EXISTS");
        return next(p);
    }
    if (p->cur.t != TK_WORD || !memchr(p->s + p->cur.off, ':', p->cur.len))
        return fail(p, p->cur.off, "expected an object path (type:property)");
    tok path = p->cur;
    if (!next(p))
        return false;
    bool neg = negated;
    if (word_is(p, "NOT")) {
        neg = !neg;
        if (!next(p))
            return false;
    }
    vg_ioc_type t = VG_IOC_NONE;
    if (p->cur.t == TK_OP) {
        bool eq = p->cur.len == 1 && p->s[p->cur.off] == '=';
        if (!next(p))
            return false;
        tok v;
        if (!parse_value(p, &v))
            return false;
        if (eq && !neg)
            t = path_type(p->s + path.off, path.len, false);
        return emit_atom(p, t, &v);
    }
    if (word_is(p, "IN")) {
        if (!next(p))
            return false;
        if (p->cur.t != TK_LPAREN)
            return fail(p, p->cur.off, "expected '(' after IN");
        if (!next(p))
            return false;
        if (!neg)
            t = path_type(p->s + path.off, path.len, false);
        for (;;) {
            tok v;
            if (!parse_value(p, &v) || !emit_atom(p, t, &v))
                return false;
            if (p->cur.t == TK_COMMA) {
                if (!next(p))
                    return false;
                continue;
            }
            if (p->cur.t != TK_RPAREN)
                return fail(p, p->cur.off, "expected ',' or ')' in set");
            return next(p);
        }
    }
    if (word_is(p, "ISSUBSET") || word_is(p, "ISSUPERSET") || word_is(p, "LIKE") ||
        word_is(p, "MATCHES")) {
        bool subset = word_is(p, "ISSUBSET");
        if (!next(p))
            return false;
        tok v;
        if (!parse_value(p, &v))
            return false;
        if (subset && !neg)
            t = path_type(p->s + path.off, path.len, true);
        return emit_atom(p, t, &v);
    }
    return fail(p, p->cur.off, "expected a comparison operator");
}

static bool parse_cmp_expr(pat *p, bool negated)
{
    if (!parse_comparison(p, negated))
        return false;
    while (word_is(p, "AND") || word_is(p, "OR")) {
        if (!next(p) || !parse_comparison(p, negated))
            return false;
    }
    return true;
}

static bool parse_qualifiers(pat *p)
{
    for (;;) {
        if (word_is(p, "WITHIN")) {
            if (!next(p) || p->cur.t != TK_NUMBER)
                return fail(p, p->cur.off, "expected a number after WITHIN");
            if (!next(p) || !word_is(p, "SECONDS"))
                return fail(p, p->cur.off, "expected SECONDS");
            if (!next(p))
                return false;
        } else if (word_is(p, "REPEATS")) {
            if (!next(p) || p->cur.t != TK_NUMBER)
                return fail(p, p->cur.off, "expected a number after REPEATS");
            if (!next(p) || !word_is(p, "TIMES"))
                return fail(p, p->cur.off, "expected TIMES");
            if (!next(p))
                return false;
        } else if (word_is(p, "START")) {
            if (!next(p) || p->cur.t != TK_STRING)
                return fail(p, p->cur.off, "expected a timestamp after START");
            if (!next(p) || !word_is(p, "STOP"))
                return fail(p, p->cur.off, "expected STOP");
            if (!next(p) || p->cur.t != TK_STRING)
                return fail(p, p->cur.off, "expected a timestamp after STOP");
            if (!next(p))
                return false;
        } else {
            return true;
        }
    }
}

static bool parse_obs_expr(pat *p);

static bool parse_obs(pat *p)
{
    if (p->cur.t == TK_LBRACK) {
        if (!next(p) || !parse_cmp_expr(p, false))
            return false;
        if (p->cur.t != TK_RBRACK)
            return fail(p, p->cur.off, "expected ']'");
        return next(p) && parse_qualifiers(p);
    }
    if (p->cur.t == TK_LPAREN) {
        if (++p->depth > PAT_MAX_DEPTH)
            return fail(p, p->cur.off, "nesting too deep");
        if (!next(p) || !parse_obs_expr(p))
            return false;
        if (p->cur.t != TK_RPAREN)
            return fail(p, p->cur.off, "expected ')'");
        p->depth--;
        return next(p) && parse_qualifiers(p);
    }
    return fail(p, p->cur.off, "expected '[' or '('");
}

static bool parse_obs_expr(pat *p)
{
    if (!parse_obs(p))
        return false;
    while (word_is(p, "AND") || word_is(p, "OR") || word_is(p, "FOLLOWEDBY")) {
        if (!next(p) || !parse_obs(p))
            return false;
    }
    return true;
}

vg_err vg_stix_pattern_parse(const char *pattern, size_t n, vg_stix_atom_fn fn, void *ud,
                             size_t *err_off, const char **err_msg)
{
    pat p = {.s = pattern, .n = n, .fn = fn, .ud = ud};
    bool ok = next(&p) && parse_obs_expr(&p);
    if (ok && p.cur.t != TK_END)
        ok = fail(&p, p.cur.off, "unexpected text after the pattern");
    if (!ok) {
        if (err_off)
            *err_off = p.err_off;
        if (err_msg)
            *err_msg = p.err ? p.err : "syntax error";
        return VG_EINVAL;
    }
    return VG_OK;
}

/* ---- bundle --------------------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

vg_shared_kind vg_ioc_shared_from_text(const char *text)
{
    if (!text)
        return VG_SHARED_NONE;
    vg_str s = vg_str_from(text);
    /* "tor" as a word: "tor exit", "tor-exit", "tor_exit_node", "TOR" */
    for (size_t i = 0; i + 3 <= s.n; i++) {
        if (strncasecmp(s.p + i, "tor", 3) != 0)
            continue;
        bool lb = i == 0 || !((s.p[i - 1] >= 'a' && s.p[i - 1] <= 'z') ||
                              (s.p[i - 1] >= 'A' && s.p[i - 1] <= 'Z'));
        char after = i + 3 < s.n ? s.p[i + 3] : 0;
        bool rb = !((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z'));
        if (lb && rb)
            return VG_SHARED_TOR;
    }
    if (vg_str_find_ci(s, VG_STR("vpn")) >= 0)
        return VG_SHARED_VPN;
    if (vg_str_find_ci(s, VG_STR("cdn")) >= 0 || vg_str_find_ci(s, VG_STR("cloud front")) >= 0 ||
        vg_str_find_ci(s, VG_STR("shared hosting")) >= 0)
        return VG_SHARED_CLOUD;
    if (vg_str_find_ci(s, VG_STR("anonymi")) >= 0 || vg_str_find_ci(s, VG_STR("proxy")) >= 0)
        return VG_SHARED_OTHER;
    return VG_SHARED_NONE;
}

static vg_shared_kind shared_of(const json_t *o)
{
    vg_shared_kind k = VG_SHARED_NONE;
    const char *lists[] = {"indicator_types", "labels"};
    for (int x = 0; x < 2; x++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(o, lists[x]), i, v)
        {
            if (!json_is_string(v))
                continue;
            vg_shared_kind t = vg_ioc_shared_from_text(json_string_value(v));
            if (t != VG_SHARED_NONE && (k == VG_SHARED_NONE || k == VG_SHARED_OTHER))
                k = t;
        }
    }
    if (k == VG_SHARED_OTHER || k == VG_SHARED_NONE) {
        vg_shared_kind t = vg_ioc_shared_from_text(jstr(o, "name"));
        if (t == VG_SHARED_TOR || t == VG_SHARED_VPN || (k == VG_SHARED_OTHER && t != VG_SHARED_NONE))
            k = t;
    }
    return k;
}

typedef struct atom {
    vg_ioc_type t;
    char *value;
    size_t off;
} atom;

typedef struct stix_ctx {
    vg_iocset *set;
    const char *file;
    size_t obj_index;
    const char *obj_id;
    vg_indicator tmpl;
    size_t added, bad;
    atom *atoms; /* collected while parsing; added only if the pattern parses */
    size_t n_atoms, cap_atoms;
} stix_ctx;

static void on_atom(vg_ioc_type t, const char *value, size_t off, void *ud)
{
    stix_ctx *c = ud;
    c->atoms = vg_xgrow(c->atoms, &c->cap_atoms, c->n_atoms + 1, sizeof *c->atoms);
    c->atoms[c->n_atoms++] = (atom){t, vg_xstrdup(value), off};
}

static void clear_atoms(stix_ctx *c)
{
    for (size_t i = 0; i < c->n_atoms; i++)
        free(c->atoms[i].value);
    c->n_atoms = 0;
}

static void add_atoms(stix_ctx *c)
{
    for (size_t i = 0; i < c->n_atoms; i++) {
        vg_indicator ind = c->tmpl;
        ind.type = c->atoms[i].t;
        ind.value = c->atoms[i].value;
        vg_error e = {0};
        if (vg_iocset_add_labeled(c->set, &ind, &e) == VG_OK) {
            c->added++;
        } else {
            c->bad++;
            vg_iocset_note_reject(c->set, "%s: objects[%zu] (%s): pattern offset %zu: %s",
                                  c->file, c->obj_index, c->obj_id, c->atoms[i].off, e.msg);
        }
    }
    clear_atoms(c);
}

/* Actor named by an object id: threat-actor / intrusion-set directly; a
 * campaign (or intrusion set) through its attributed-to relationship. */
static const char *actor_of(json_t *byid, json_t *attributed, const char *id, int depth)
{
    if (!id || depth > 4)
        return NULL;
    json_t *o = json_object_get(byid, id);
    const char *type = o ? jstr(o, "type") : NULL;
    if (type && strcmp(type, "threat-actor") == 0)
        return jstr(o, "name");
    json_t *up = json_object_get(attributed, id);
    if (up) {
        const char *a = actor_of(byid, attributed, json_string_value(up), depth + 1);
        if (a)
            return a;
    }
    if (type && strcmp(type, "intrusion-set") == 0)
        return jstr(o, "name");
    return NULL;
}

static int64_t parse_ts(const char *s, bool *ok)
{
    int64_t t = 0;
    *ok = s && vg_time_parse_rfc3339(vg_str_from(s), &t) == VG_OK;
    return t;
}

vg_err vg_iocset_load_stix(vg_iocset *s, const char *json, size_t n, const char *name,
                           vg_error *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, n, JSON_ALLOW_NUL, &je);
    if (!root)
        return vg_error_set(e, VG_EINVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    json_t *objs = json_object_get(root, "objects");
    const char *rtype = jstr(root, "type");
    if (json_is_object(root) && rtype && strcmp(rtype, "indicator") == 0) {
        /* a lone indicator object: a bundle of one */
        json_t *wrap = json_pack("{s:s, s:[O]}", "type", "bundle", "objects", root);
        json_decref(root);
        root = wrap;
        objs = json_object_get(root, "objects");
        rtype = "bundle";
    }
    if (!json_is_object(root) || !json_is_array(objs) || (rtype && strcmp(rtype, "bundle") != 0)) {
        json_decref(root);
        return vg_error_set(e, VG_EINVAL, "%s: not a STIX 2.1 bundle (no \"objects\" array)", name);
    }
    json_t *byid = json_object();
    json_t *indicates = json_object();  /* indicator id -> target id (first) */
    json_t *attributed = json_object(); /* campaign/intrusion-set id -> actor id */
    json_t *multi = json_object();      /* indicator id -> true when it indicates several */
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *id = jstr(o, "id"), *type = jstr(o, "type");
        if (!id || !type)
            continue;
        json_object_set(byid, id, o);
        if (strcmp(type, "relationship") != 0)
            continue;
        const char *rt = jstr(o, "relationship_type"), *src = jstr(o, "source_ref"),
                   *dst = jstr(o, "target_ref");
        if (!rt || !src || !dst)
            continue;
        if (strcmp(rt, "indicates") == 0) {
            const char *prev = jstr(indicates, src);
            if (!prev)
                json_object_set_new(indicates, src, json_string(dst));
            else if (strcmp(prev, dst) != 0)
                json_object_set_new(multi, src, json_true());
        } else if (strcmp(rt, "attributed-to") == 0 && !json_object_get(attributed, src)) {
            json_object_set_new(attributed, src, json_string(dst));
        }
    }
    stix_ctx ctx = {.set = s, .file = name};
    size_t indicators = 0;
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type");
        if (!type || strcmp(type, "indicator") != 0)
            continue;
        indicators++;
        const char *id = jstr(o, "id");
        ctx.obj_index = i;
        ctx.obj_id = id ? id : "indicator";
        if (json_is_true(json_object_get(o, "revoked")))
            continue;
        const char *ptype = jstr(o, "pattern_type");
        if (ptype && strcmp(ptype, "stix") != 0) {
            vg_iocset_note_reject(s, "%s: objects[%zu] (%s): pattern_type '%s' not supported",
                                  name, i, ctx.obj_id, ptype);
            ctx.bad++;
            continue;
        }
        const char *pattern = jstr(o, "pattern");
        if (!pattern) {
            vg_iocset_note_reject(s, "%s: objects[%zu] (%s): no pattern", name, i, ctx.obj_id);
            ctx.bad++;
            continue;
        }
        vg_indicator_init(&ctx.tmpl);
        ctx.tmpl.source = name;
        ctx.tmpl.id = id;
        ctx.tmpl.name = jstr(o, "name");
        bool ok = true;
        const char *vf = jstr(o, "valid_from"), *vu = jstr(o, "valid_until");
        if (vf) {
            ctx.tmpl.valid_from = parse_ts(vf, &ok);
            if (!ok) {
                vg_iocset_note_reject(s, "%s: objects[%zu] (%s): bad valid_from '%.40s'", name,
                                      i, ctx.obj_id, vf);
                ctx.bad++;
                continue;
            }
        }
        if (vu) {
            ctx.tmpl.valid_until = parse_ts(vu, &ok);
            if (!ok || ctx.tmpl.valid_until <= ctx.tmpl.valid_from) {
                vg_iocset_note_reject(s, "%s: objects[%zu] (%s): bad valid_until '%.40s'", name,
                                      i, ctx.obj_id, vu);
                ctx.bad++;
                continue;
            }
        }
        json_t *conf = json_object_get(o, "confidence");
        if (json_is_integer(conf) && json_integer_value(conf) >= 0 &&
            json_integer_value(conf) <= 100)
            ctx.tmpl.confidence = (int)json_integer_value(conf);
        ctx.tmpl.shared = shared_of(o);
        const char *target = id ? jstr(indicates, id) : NULL;
        const char *actor = actor_of(byid, attributed, target, 0);
        ctx.tmpl.actor_label = actor;
        size_t before_bad = ctx.bad, before_added = ctx.added;
        size_t eo = 0;
        const char *emsg = NULL;
        if (vg_stix_pattern_parse(pattern, strlen(pattern), on_atom, &ctx, &eo, &emsg) != VG_OK) {
            clear_atoms(&ctx);
            vg_iocset_note_reject(s, "%s: objects[%zu] (%s): pattern offset %zu: %s", name, i,
                                  ctx.obj_id, eo, emsg);
            ctx.bad++;
            continue;
        }
        add_atoms(&ctx);
        if (ctx.added == before_added && ctx.bad == before_bad) {
            vg_iocset_note_reject(s,
                                  "%s: objects[%zu] (%s): pattern has no supported comparison "
                                  "(ipv4/ipv6-addr, domain-name, url, email-addr, file hashes)",
                                  name, i, ctx.obj_id);
            ctx.bad++;
        }
        if (json_object_get(multi, id ? id : ""))
            vg_debug("%s: %s indicates several objects; using the first", name, ctx.obj_id);
    }
    free(ctx.atoms);
    json_decref(byid);
    json_decref(indicates);
    json_decref(attributed);
    json_decref(multi);
    json_decref(root);
    vg_debug("%s: %zu indicator objects, %zu indicators, %zu rejected", name, indicators,
             ctx.added, ctx.bad);
    return VG_OK;
}
