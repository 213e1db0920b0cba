/* ioc_set.c — the indicator set: normalizers, storage and fast lookups
 * (exact hash sets for hashes, URLs and e-mail addresses, domain suffix
 * match, CIDR longest-prefix match over a vg_cidrset with every containing
 * prefix reported). */
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/ioc_internal.h"

#define IOC_MAX_KEYS (1u << 26)
#define IOC_MAX_REJECTS 1000

typedef struct bucket {
    uint32_t *idx; /* indicator indices */
    size_t n, cap;
} bucket;

struct vg_iocset {
    vg_arena *arena; /* indicator strings */
    vg_indicator **v;
    size_t n, cap;
    size_t by_type[VG_IOC_TYPE_COUNT];
    vg_htable *exact;   /* "t\0value" or prefix key -> bucket */
    vg_cidrset *cidrs;  /* any prefix present (fast negative) */
    uint8_t lens4[33];  /* prefix lengths present, v4 */
    uint8_t lens6[129]; /* and v6 */
    char **rejects;
    size_t n_rejects, cap_rejects, rejects_total;
    const vg_catalog *catalog;
};

/* ---- names ------------------------------------------------------------------------ */

const char *vg_ioc_type_name(vg_ioc_type t)
{
    static const char *const names[] = {"none", "ip",   "cidr",   "domain", "url",
                                        "email", "md5", "sha1", "sha256", "sha512"};
    return t < VG_IOC_TYPE_COUNT ? names[t] : "none";
}

const char *vg_shared_kind_name(vg_shared_kind k)
{
    switch (k) {
    case VG_SHARED_NONE: return "none";
    case VG_SHARED_TOR: return "tor";
    case VG_SHARED_VPN: return "vpn";
    case VG_SHARED_CLOUD: return "cloud";
    default: return "shared";
    }
}

bool vg_indicator_valid_at(const vg_indicator *ind, int64_t t)
{
    return ind && t >= ind->valid_from && t < ind->valid_until;
}

static void day_of(int64_t t, char *buf)
{
    vg_time_format_rfc3339(t, false, buf);
    buf[10] = 0;
}

void vg_indicator_describe(const vg_indicator *ind, char *buf, size_t cap)
{
    if (!cap)
        return;
    char from[VG_TIME_STRLEN], until[VG_TIME_STRLEN], valid[2 * VG_TIME_STRLEN + 32] = "";
    bool lo = ind->valid_from != VG_TIME_UNBOUNDED_LO;
    bool hi = ind->valid_until != VG_TIME_UNBOUNDED_HI;
    if (lo)
        day_of(ind->valid_from, from);
    if (hi)
        day_of(ind->valid_until, until);
    if (lo && hi)
        snprintf(valid, sizeof valid, " (valid %s to %s)", from, until);
    else if (lo)
        snprintf(valid, sizeof valid, " (valid from %s)", from);
    else if (hi)
        snprintf(valid, sizeof valid, " (valid until %s)", until);
    snprintf(buf, cap, "%s%s%s%s", ind->source ? ind->source : "intel",
             ind->id ? " indicator " : "", ind->id ? ind->id : "", valid);
}

/* ---- normalizers ------------------------------------------------------------------- */

/* Undo common defanging: hxxp, [.], (.), {.}, [dot], [:], [@], [at]. */
size_t vg_ioc_refang(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < cap;) {
        static const struct {
            const char *from, *to;
        } subs[] = {{"[.]", "."},   {"(.)", "."},   {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."},
                    {"[:]", ":"},   {"[://]", "://"}, {"[@]", "@"}, {"[at]", "@"},  {"(at)", "@"},
                    {"hxxps", "https"}, {"hxxp", "http"}, {"fxp", "ftp"}};
        bool done = false;
        for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++) {
            size_t fl = strlen(subs[k].from);
            if (strncasecmp(in + i, subs[k].from, fl) == 0) {
                /* hxxp/fxp only as the scheme that starts a URL ("hxxps://",
                 * "hxxp[:]//"): "hxxpsevil.example" is a name, and refanging it
                 * would change it again on a second pass (fuzz_intel_normalize) */
                if ((subs[k].from[0] == 'h' || subs[k].from[0] == 'f') &&
                    (i != 0 || (in[i + fl] != ':' && in[i + fl] != '[')))
                    continue;
                size_t tl = strlen(subs[k].to);
                if (o + tl + 1 > cap)
                    return 0;
                memcpy(out + o, subs[k].to, tl);
                o += tl;
                i += fl;
                done = true;
                break;
            }
        }
        if (!done)
            out[o++] = in[i++];
    }
    out[o] = '\0';
    return o;
}

static bool ascii_only(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

bool vg_ioc_normalize_domain(const char *in, char *out, size_t cap)
{
    if (!in || cap < 2)
        return false;
    char tmp[512];
    vg_str t = vg_str_trim(vg_str_from(in));
    if (t.n == 0 || t.n >= sizeof tmp)
        return false;
    memcpy(tmp, t.p, t.n);
    tmp[t.n] = 0;
    char buf[512];
    if (!vg_ioc_refang(tmp, buf, sizeof buf))
        return false;
    char *p = buf;
    if (p[0] == '*' && p[1] == '.')
        p += 2;
    if (p[0] == '.')
        p++;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '.')
        p[--n] = 0;
    if (n == 0)
        return false;
    char *ascii = NULL;
    const char *src = p;
    if (!ascii_only(p)) {
        if (idn2_lookup_u8((const uint8_t *)p, (uint8_t **)&ascii,
                           IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
            idn2_lookup_u8((const uint8_t *)p, (uint8_t **)&ascii, IDN2_TRANSITIONAL) != IDN2_OK)
            return false;
        src = ascii;
    }
    size_t len = strlen(src);
    bool ok = len > 0 && len <= 253 && len < cap;
    size_t label = 0, labels = 1;
    bool all_digits = true;
    for (size_t i = 0; ok && i < len; i++) {
        char ch = src[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch == '.') {
            if (label == 0)
                ok = false;
            label = 0;
            labels++;
        } else if ((ch >= 'a' && ch <= 'z') || ch == '-' || ch == '_' || (ch >= '0' && ch <= '9')) {
            if (++label > 63)
                ok = false;
            if (!(ch >= '0' && ch <= '9'))
                all_digits = false;
        } else {
            ok = false;
        }
        out[i] = ch;
    }
    if (ok) {
        out[len] = 0;
        /* A name needs a dot and must not be an address in disguise. */
        if (labels < 2 || label == 0 || all_digits)
            ok = false;
    }
    free(ascii);
    return ok;
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Percent-encoding: decode unreserved, upper-case the rest; other bytes kept.
 * A '%' that does not start an escape is itself encoded ("%25"): otherwise
 * decoding could build a new escape ("%e%44" -> "%eD") and normalizing
 * twice would not give the same URL. */
static bool norm_pct(vg_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && vg_hex_digit(s[i + 1]) >= 0 &&
            vg_hex_digit(s[i + 2]) >= 0) {
            unsigned char v = (unsigned char)(vg_hex_digit(s[i + 1]) * 16 + vg_hex_digit(s[i + 2]));
            if (is_unreserved(v))
                vg_buf_putc(b, (char)v);
            else
                vg_buf_printf(b, "%%%02X", v);
            i += 2;
        } else if (s[i] == '%') {
            vg_buf_puts(b, "%25");
        } else if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f) {
            vg_buf_printf(b, "%%%02X", (unsigned char)s[i]);
        } else {
            vg_buf_putc(b, s[i]);
        }
    }
    return !b->failed;
}

/* RFC 3986 5.2.4 remove_dot_segments on a path that starts with '/'. */
static void remove_dots(char *path)
{
    char *out = path, *in = path;
    while (*in) {
        if (strncmp(in, "/./", 3) == 0) {
            in += 2;
        } else if (strcmp(in, "/.") == 0) {
            in[1] = 0;
        } else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
            in += 3;
            if (*in == 0) {
                in--;
                *in = '/';
            }
            while (out > path && *--out != '/')
                ;
        } else {
            do
                *out++ = *in++;
            while (*in && *in != '/');
        }
    }
    *out = 0;
    if (out == path) {
        path[0] = '/';
        path[1] = 0;
    }
}

bool vg_ioc_normalize_url(const char *in, char *out, size_t cap)
{
    if (!in)
        return false;
    vg_str t = vg_str_trim(vg_str_from(in));
    if (t.n == 0 || t.n > 8192)
        return false;
    char *raw = vg_str_dup(t);
    char *u = vg_xmalloc(t.n * 2 + 16);
    bool ok = false;
    vg_buf b;
    vg_buf_init(&b, 16384);
    if (!vg_ioc_refang(raw, u, t.n * 2 + 16))
        goto out;
    const char *p = u;
    const char *colon = strstr(p, "://");
    if (!colon || colon == p || colon - p > 16)
        goto out;
    for (const char *q = p; q < colon; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '+' || *q == '-' || *q == '.'))
            goto out;
    char scheme[17];
    size_t sl = (size_t)(colon - p);
    for (size_t i = 0; i < sl; i++)
        scheme[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i]);
    scheme[sl] = 0;
    const char *auth = colon + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *rest = auth + alen;
    /* Drop userinfo: "http://bank.example@evil.example/" is evil.example. */
    const char *at = NULL;
    for (const char *q = auth; q < auth + alen; q++)
        if (*q == '@')
            at = q;
    const char *host = at ? at + 1 : auth;
    size_t hlen = (size_t)(auth + alen - host);
    const char *port = NULL;
    size_t plen = 0;
    char hostbuf[512];
    if (hlen == 0 || hlen >= sizeof hostbuf)
        goto out;
    if (host[0] == '[') {
        const char *rb = memchr(host, ']', hlen);
        if (!rb)
            goto out;
        if ((size_t)(rb - host + 1) < hlen && rb[1] == ':') {
            port = rb + 2;
            plen = hlen - (size_t)(rb - host) - 2;
        }
        vg_ip ip;
        if (vg_ip_parse(vg_str_make(host, (size_t)(rb - host + 1)), &ip) != VG_OK)
            goto out;
        char ipb[VG_IP_STRLEN];
        vg_ip_format(&ip, ipb);
        snprintf(hostbuf, sizeof hostbuf, ip.family == 6 ? "[%s]" : "%s", ipb);
    } else {
        const char *pc = memchr(host, ':', hlen);
        size_t hl = hlen;
        if (pc) {
            port = pc + 1;
            plen = hlen - (size_t)(pc - host) - 1;
            hl = (size_t)(pc - host);
        }
        char h[512];
        memcpy(h, host, hl);
        h[hl] = 0;
        vg_ip ip;
        if (vg_ip_parse(vg_str_make(h, hl), &ip) == VG_OK) {
            vg_ip_format(&ip, hostbuf);
        } else if (!vg_ioc_normalize_domain(h, hostbuf, sizeof hostbuf)) {
            /* single-label hosts ("intranet") are allowed in URLs */
            size_t k = 0;
            for (; k < hl; k++) {
                char ch = h[k];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-'))
                    goto out;
                hostbuf[k] = (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
            }
            if (k == 0)
                goto out;
            hostbuf[k] = 0;
        }
    }
    vg_buf_printf(&b, "%s://%s", scheme, hostbuf);
    if (port && plen) {
        for (size_t i = 0; i < plen; i++)
            if (port[i] < '0' || port[i] > '9' || plen > 5)
                goto out;
        char pb[8];
        memcpy(pb, port, plen);
        pb[plen] = 0;
        long pn = strtol(pb, NULL, 10);
        bool dflt = (pn == 80 && strcmp(scheme, "http") == 0) ||
                    (pn == 443 && strcmp(scheme, "https") == 0) ||
                    (pn == 21 && strcmp(scheme, "ftp") == 0);
        if (pn > 65535)
            goto out;
        if (!dflt)
            vg_buf_printf(&b, ":%ld", pn);
    }
    size_t pathlen = strcspn(rest, "?#");
    vg_buf path;
    vg_buf_init(&path, 16384);
    if (pathlen == 0 || rest[0] != '/')
        vg_buf_putc(&path, '/');
    norm_pct(&path, rest, pathlen);
    if (path.failed) {
        vg_buf_free(&path);
        goto out;
    }
    remove_dots(path.p);
    vg_buf_puts(&b, path.p);
    vg_buf_free(&path);
    const char *q = rest + pathlen;
    if (*q == '?') {
        size_t ql = strcspn(q, "#");
        if (ql > 1)
            norm_pct(&b, q, ql);
    }
    if (!b.failed && b.n < cap) {
        memcpy(out, b.p, b.n + 1);
        ok = true;
    }
out:
    vg_buf_free(&b);
    free(raw);
    free(u);
    return ok;
}

bool vg_ioc_normalize_email(const char *in, char *out, size_t cap)
{
    if (!in)
        return false;
    char tmp[512], buf[512];
    vg_str t = vg_str_trim(vg_str_from(in));
    if (t.n >= 4 && strncasecmp(t.p, "mailto:", 7) == 0)
        t = vg_str_sub(t, 7, t.n);
    if (t.n && t.p[0] == '<' && t.p[t.n - 1] == '>')
        t = vg_str_sub(t, 1, t.n - 2);
    if (t.n == 0 || t.n >= sizeof tmp)
        return false;
    memcpy(tmp, t.p, t.n);
    tmp[t.n] = 0;
    if (!vg_ioc_refang(tmp, buf, sizeof buf))
        return false;
    char *at = strrchr(buf, '@');
    if (!at || at == buf)
        return false;
    size_t ll = (size_t)(at - buf);
    for (size_t i = 0; i < ll; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch <= 0x20 || ch == '<' || ch == '>' || ch == '(' || ch == ')' || ch == ',' ||
            ch == ';' || ch == ':' || ch == '\\' || ch == '[' || ch == ']' || ch == 0x7f)
            return false;
    }
    char dom[512];
    if (!vg_ioc_normalize_domain(at + 1, dom, sizeof dom))
        return false;
    size_t dl = strlen(dom);
    if (ll + 1 + dl + 1 > cap)
        return false;
    for (size_t i = 0; i < ll; i++)
        out[i] = (char)((buf[i] >= 'A' && buf[i] <= 'Z') ? buf[i] - 'A' + 'a' : buf[i]);
    out[ll] = '@';
    memcpy(out + ll + 1, dom, dl + 1);
    return true;
}

bool vg_ioc_normalize_hash(const char *in, vg_ioc_type *type, char *out, size_t cap)
{
    if (!in)
        return false;
    vg_str t = vg_str_trim(vg_str_from(in));
    vg_ioc_type ty;
    switch (t.n) {
    case 32: ty = VG_IOC_MD5; break;
    case 40: ty = VG_IOC_SHA1; break;
    case 64: ty = VG_IOC_SHA256; break;
    case 128: ty = VG_IOC_SHA512; break;
    default: return false;
    }
    if (t.n + 1 > cap)
        return false;
    for (size_t i = 0; i < t.n; i++) {
        int v = vg_hex_digit(t.p[i]);
        if (v < 0)
            return false;
        out[i] = "0123456789abcdef"[v];
    }
    out[t.n] = 0;
    if (type)
        *type = ty;
    return true;
}

vg_ioc_type vg_ioc_guess_type(const char *value)
{
    if (!value)
        return VG_IOC_NONE;
    char buf[8192];
    vg_ioc_type ht;
    if (vg_ioc_normalize_hash(value, &ht, buf, sizeof buf))
        return ht;
    vg_str t = vg_str_trim(vg_str_from(value));
    vg_ip ip;
    if (vg_ip_parse(t, &ip) == VG_OK)
        return VG_IOC_IP;
    if (vg_str_chr(t, '/') >= 0 && vg_str_find(t, VG_STR("://")) < 0) {
        vg_cidr c;
        if (vg_cidr_parse(t, &c) == VG_OK)
            return VG_IOC_CIDR;
    }
    if (vg_ioc_normalize_url(value, buf, sizeof buf))
        return VG_IOC_URL;
    if (vg_ioc_normalize_email(value, buf, sizeof buf))
        return VG_IOC_EMAIL;
    if (vg_ioc_normalize_domain(value, buf, sizeof buf))
        return VG_IOC_DOMAIN;
    return VG_IOC_NONE;
}

/* ---- the set ------------------------------------------------------------------------ */

static void free_bucket(void *v, void *ud)
{
    (void)ud;
    bucket *b = v;
    if (b) {
        free(b->idx);
        free(b);
    }
}

vg_iocset *vg_iocset_new(void)
{
    vg_iocset *s = vg_xcalloc(1, sizeof *s);
    s->arena = vg_arena_new(0);
    s->exact = vg_htable_new(IOC_MAX_KEYS, free_bucket, NULL);
    s->cidrs = vg_cidrset_new();
    return s;
}

void vg_iocset_free(vg_iocset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    vg_htable_free(s->exact);
    vg_cidrset_free(s->cidrs);
    vg_arena_free(s->arena);
    for (size_t i = 0; i < s->n_rejects; i++)
        free(s->rejects[i]);
    free(s->rejects);
    free(s);
}

void vg_iocset_set_catalog(vg_iocset *s, const vg_catalog *c) { s->catalog = c; }
const vg_catalog *vg_iocset_catalog(const vg_iocset *s) { return s->catalog; }

void vg_iocset_note_reject(vg_iocset *s, const char *fmt, ...)
{
    s->rejects_total++;
    va_list ap;
    va_start(ap, fmt);
    vg_buf b;
    vg_buf_init(&b, 1024);
    vg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    vg_debug("%s", vg_buf_cstr(&b));
    if (s->n_rejects < IOC_MAX_REJECTS) {
        s->rejects = vg_xgrow(s->rejects, &s->cap_rejects, s->n_rejects + 1, sizeof *s->rejects);
        s->rejects[s->n_rejects++] = vg_buf_steal(&b);
    }
    vg_buf_free(&b);
}

size_t vg_iocset_reject_count(const vg_iocset *s) { return s ? s->rejects_total : 0; }
const char *vg_iocset_reject(const vg_iocset *s, size_t i)
{
    return s && i < s->n_rejects ? s->rejects[i] : NULL;
}
size_t vg_iocset_count(const vg_iocset *s) { return s ? s->n : 0; }
const vg_indicator *vg_iocset_at(const vg_iocset *s, size_t i)
{
    return s && i < s->n ? s->v[i] : NULL;
}
size_t vg_iocset_count_type(const vg_iocset *s, vg_ioc_type t)
{
    return s && t < VG_IOC_TYPE_COUNT ? s->by_type[t] : 0;
}

/* Exact keys: one byte of type class, then the normalized value. IP prefixes:
 * 'P', bits, 16 address bytes. */
static size_t exact_key(char cls, const char *v, char *key, size_t cap)
{
    size_t n = strlen(v);
    if (n + 2 > cap)
        return 0;
    key[0] = cls;
    memcpy(key + 1, v, n);
    return n + 1;
}

static size_t prefix_key(const vg_cidr *c, char key[18])
{
    key[0] = 'P';
    key[1] = (char)(c->bits + (c->ip.family == 6 ? 64 : 0)); /* distinct per family */
    memcpy(key + 2, c->ip.a, 16);
    return 18;
}

static char class_of(vg_ioc_type t)
{
    switch (t) {
    case VG_IOC_DOMAIN: return 'd';
    case VG_IOC_URL: return 'u';
    case VG_IOC_EMAIL: return 'e';
    case VG_IOC_MD5:
    case VG_IOC_SHA1:
    case VG_IOC_SHA256:
    case VG_IOC_SHA512: return 'h';
    default: return 0;
    }
}

static bucket *bucket_for(vg_iocset *s, const char *key, size_t klen)
{
    bool created = false;
    void **slot = vg_htable_put(s->exact, key, klen, INT64_MAX, &created);
    if (!slot)
        return NULL;
    if (created || !*slot)
        *slot = vg_xcalloc(1, sizeof(bucket));
    return *slot;
}

static const char *astr(vg_iocset *s, const char *p)
{
    return p ? vg_arena_strdup(s->arena, p) : NULL;
}

/* An indicator's source names the file by its base name ("intel.txt:2"),
 * never by the operator's local path: it ends up in evidence that other
 * organizations read. Labels that are URLs stay whole. */
static const char *public_source(const char *src)
{
    if (!src || strstr(src, "://"))
        return src;
    const char *b = src;
    for (const char *p = src; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return *b ? b : src;
}

/* Resolve an actor label through the catalog. */
static void set_actor(vg_iocset *s, vg_indicator *ind, const char *label)
{
    ind->actor = NULL;
    ind->actor_label = NULL;
    ind->actor_ambiguous = false;
    if (!label || !*label)
        return;
    ind->actor_label = astr(s, label);
    if (!s->catalog) {
        ind->actor = ind->actor_label;
        return;
    }
    vg_resolution r;
    size_t n = vg_catalog_resolve(s->catalog, label, &r);
    if (n == 1)
        ind->actor = astr(s, vg_actor_name(r.actor));
    else if (n > 1)
        ind->actor_ambiguous = true;
    else
        ind->actor = ind->actor_label; /* an actor the catalog does not know */
}

vg_err vg_iocset_add_labeled(vg_iocset *s, const vg_indicator *in, vg_error *e)
{
    char norm[8192];
    vg_ioc_type type = in->type;
    const char *v = in->value;
    if (!v)
        return vg_error_set(e, VG_EINVAL, "indicator without a value");
    if (type == VG_IOC_NONE)
        type = vg_ioc_guess_type(v);
    vg_cidr cidr;
    bool ok = false;
    switch (type) {
    case VG_IOC_IP:
    case VG_IOC_CIDR: {
        vg_str t = vg_str_trim(vg_str_from(v));
        ok = vg_cidr_parse(t, &cidr) == VG_OK;
        if (ok) {
            int max = cidr.ip.family == 6 ? 128 : 32;
            type = cidr.bits == max ? VG_IOC_IP : VG_IOC_CIDR;
            if (type == VG_IOC_IP)
                vg_ip_format(&cidr.ip, norm);
            else
                vg_cidr_format(&cidr, norm);
        }
        break;
    }
    case VG_IOC_DOMAIN: ok = vg_ioc_normalize_domain(v, norm, sizeof norm); break;
    case VG_IOC_URL: ok = vg_ioc_normalize_url(v, norm, sizeof norm); break;
    case VG_IOC_EMAIL: ok = vg_ioc_normalize_email(v, norm, sizeof norm); break;
    case VG_IOC_MD5:
    case VG_IOC_SHA1:
    case VG_IOC_SHA256:
    case VG_IOC_SHA512: {
        vg_ioc_type ht;
        ok = vg_ioc_normalize_hash(v, &ht, norm, sizeof norm) && ht == type;
        break;
    }
    default: break;
    }
    if (!ok)
        return vg_error_set(e, VG_EINVAL, "'%.80s' is not a valid %s", v, vg_ioc_type_name(type));
    if (in->valid_until <= in->valid_from)
        return vg_error_set(e, VG_EINVAL, "'%.80s': valid_until is not after valid_from", v);
    if (s->n >= IOC_MAX_KEYS)
        return vg_error_set(e, VG_ELIMIT, "indicator limit (%u) reached", IOC_MAX_KEYS);

    char key[8200];
    size_t klen;
    if (type == VG_IOC_IP || type == VG_IOC_CIDR)
        klen = prefix_key(&cidr, key);
    else
        klen = exact_key(class_of(type), norm, key, sizeof key);
    bucket *b = klen ? bucket_for(s, key, klen) : NULL;
    if (!b)
        return vg_error_set(e, VG_ELIMIT, "indicator table full");
    /* The same indicator from the same source (reloaded file): keep one. */
    for (size_t i = 0; i < b->n; i++) {
        const vg_indicator *o = s->v[b->idx[i]];
        if (o->valid_from == in->valid_from && o->valid_until == in->valid_until &&
            o->shared == in->shared &&
            ((!o->id && !in->id) || (o->id && in->id && strcmp(o->id, in->id) == 0)) &&
            ((!o->actor_label && !in->actor_label) ||
             (o->actor_label && in->actor_label && strcmp(o->actor_label, in->actor_label) == 0)) &&
            ((!o->source && !in->source) ||
             (o->source && in->source && strcmp(o->source, public_source(in->source)) == 0)))
            return VG_OK;
    }
    vg_indicator *ind = vg_xcalloc(1, sizeof *ind);
    *ind = *in;
    ind->type = type;
    ind->value = astr(s, norm);
    ind->source = astr(s, public_source(in->source));
    ind->id = astr(s, in->id);
    ind->name = astr(s, in->name);
    set_actor(s, ind, in->actor_label ? in->actor_label : in->actor);
    s->v = vg_xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    b->idx = vg_xgrow(b->idx, &b->cap, b->n + 1, sizeof *b->idx);
    b->idx[b->n++] = (uint32_t)s->n;
    s->v[s->n++] = ind;
    s->by_type[type]++;
    if (type == VG_IOC_IP || type == VG_IOC_CIDR) {
        vg_cidrset_add(s->cidrs, &cidr, 1);
        if (cidr.ip.family == 6)
            s->lens6[cidr.bits] = 1;
        else
            s->lens4[cidr.bits] = 1;
    }
    return VG_OK;
}

vg_err vg_iocset_add(vg_iocset *s, const vg_indicator *ind)
{
    return vg_iocset_add_labeled(s, ind, NULL);
}

void vg_indicator_init(vg_indicator *ind)
{
    memset(ind, 0, sizeof *ind);
    ind->valid_from = VG_TIME_UNBOUNDED_LO;
    ind->valid_until = VG_TIME_UNBOUNDED_HI;
    ind->confidence = -1;
}

/* ---- lookups --------------------------------------------------------------------------- */

static size_t emit(const vg_iocset *s, const bucket *b, bool exact, vg_ioc_hit *hits, size_t max,
                   size_t total)
{
    for (size_t i = 0; i < b->n; i++, total++)
        if (total < max) {
            hits[total].ind = s->v[b->idx[i]];
            hits[total].exact = exact;
        }
    return total;
}

static const bucket *get_bucket(const vg_iocset *s, const char *key, size_t klen)
{
    void **slot = vg_htable_get(s->exact, key, klen);
    return slot ? *slot : NULL;
}

size_t vg_iocset_match_ip(const vg_iocset *s, const vg_ip *ip, vg_ioc_hit *hits, size_t max)
{
    if (!s || !ip || !ip->family || !vg_cidrset_lookup(s->cidrs, ip, NULL, NULL))
        return 0;
    size_t total = 0;
    int maxbits = ip->family == 6 ? 128 : 32;
    const uint8_t *lens = ip->family == 6 ? s->lens6 : s->lens4;
    for (int bits = maxbits; bits >= 0; bits--) {
        if (!lens[bits])
            continue;
        vg_cidr c;
        vg_ip_mask(ip, bits, &c.ip);
        c.ip.family = ip->family;
        c.bits = (uint8_t)bits;
        char key[18];
        const bucket *b = get_bucket(s, key, prefix_key(&c, key));
        if (b)
            total = emit(s, b, bits == maxbits, hits, max, total);
    }
    return total;
}

size_t vg_iocset_match_domain(const vg_iocset *s, const char *domain, vg_ioc_hit *hits,
                              size_t max)
{
    char norm[512];
    if (!s || !s->by_type[VG_IOC_DOMAIN] || !vg_ioc_normalize_domain(domain, norm, sizeof norm))
        return 0;
    size_t total = 0;
    char key[520];
    for (const char *p = norm; p;) {
        size_t kl = exact_key('d', p, key, sizeof key);
        const bucket *b = get_bucket(s, key, kl);
        if (b)
            total = emit(s, b, p == norm, hits, max, total);
        p = strchr(p, '.');
        if (p)
            p++;
    }
    return total;
}

static size_t match_exact(const vg_iocset *s, char cls, const char *norm, vg_ioc_hit *hits,
                          size_t max)
{
    char key[8200];
    size_t kl = exact_key(cls, norm, key, sizeof key);
    const bucket *b = kl ? get_bucket(s, key, kl) : NULL;
    return b ? emit(s, b, true, hits, max, 0) : 0;
}

size_t vg_iocset_match_url(const vg_iocset *s, const char *url, vg_ioc_hit *hits, size_t max)
{
    char norm[8192];
    if (!s || !s->by_type[VG_IOC_URL] || !vg_ioc_normalize_url(url, norm, sizeof norm))
        return 0;
    return match_exact(s, 'u', norm, hits, max);
}

size_t vg_iocset_match_email(const vg_iocset *s, const char *addr, vg_ioc_hit *hits, size_t max)
{
    char norm[512];
    if (!s || !s->by_type[VG_IOC_EMAIL] || !vg_ioc_normalize_email(addr, norm, sizeof norm))
        return 0;
    return match_exact(s, 'e', norm, hits, max);
}

size_t vg_iocset_match_hash(const vg_iocset *s, const char *hex, vg_ioc_hit *hits, size_t max)
{
    char norm[160];
    if (!s || !vg_ioc_normalize_hash(hex, NULL, norm, sizeof norm))
        return 0;
    return match_exact(s, 'h', norm, hits, max);
}

/* Host of a normalized URL ("scheme://host[:port]/..."), into out. */
static bool url_host(const char *norm, char *out, size_t cap)
{
    const char *h = strstr(norm, "://");
    if (!h)
        return false;
    h += 3;
    size_t n;
    if (*h == '[') {
        h++;
        n = strcspn(h, "]");
    } else {
        n = strcspn(h, ":/?#");
    }
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, h, n);
    out[n] = 0;
    return true;
}

static size_t merge_hits(size_t total, size_t add, vg_ioc_hit *tmp, vg_ioc_hit *hits, size_t max)
{
    for (size_t i = 0; i < add; i++, total++)
        if (total < max)
            hits[total] = tmp[i];
    return total;
}

size_t vg_iocset_match(const vg_iocset *s, const char *value, vg_ioc_hit *hits, size_t max)
{
    if (!s || !value)
        return 0;
    vg_ioc_type t = vg_ioc_guess_type(value);
    vg_ioc_hit tmp[64];
    size_t total = 0, n;
    switch (t) {
    case VG_IOC_IP: {
        vg_ip ip;
        if (vg_ip_parse(vg_str_trim(vg_str_from(value)), &ip) != VG_OK)
            return 0;
        return vg_iocset_match_ip(s, &ip, hits, max);
    }
    case VG_IOC_CIDR: {
        /* a prefix matches the indicators that contain its network address */
        vg_cidr c;
        if (vg_cidr_parse(vg_str_trim(vg_str_from(value)), &c) != VG_OK)
            return 0;
        return vg_iocset_match_ip(s, &c.ip, hits, max);
    }
    case VG_IOC_DOMAIN: return vg_iocset_match_domain(s, value, hits, max);
    case VG_IOC_URL: {
        total = vg_iocset_match_url(s, value, hits, max);
        char norm[8192], host[512];
        if (vg_ioc_normalize_url(value, norm, sizeof norm) && url_host(norm, host, sizeof host)) {
            vg_ip ip;
            if (vg_ip_parse(vg_str_from(host), &ip) == VG_OK)
                n = vg_iocset_match_ip(s, &ip, tmp, 64);
            else
                n = vg_iocset_match_domain(s, host, tmp, 64);
            total = merge_hits(total, n < 64 ? n : 64, tmp, hits, max) + (n > 64 ? n - 64 : 0);
        }
        return total;
    }
    case VG_IOC_EMAIL: {
        total = vg_iocset_match_email(s, value, hits, max);
        const char *at = strrchr(value, '@');
        if (at) {
            n = vg_iocset_match_domain(s, at + 1, tmp, 64);
            total = merge_hits(total, n < 64 ? n : 64, tmp, hits, max) + (n > 64 ? n - 64 : 0);
        }
        return total;
    }
    case VG_IOC_MD5:
    case VG_IOC_SHA1:
    case VG_IOC_SHA256:
    case VG_IOC_SHA512: return vg_iocset_match_hash(s, value, hits, max);
    default: return 0;
    }
}
