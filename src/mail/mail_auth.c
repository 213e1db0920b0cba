/* mail_auth.c — Authentication-Results (RFC 8601, and Microsoft's form
 * without an authserv-id, with compauth=) and the Received chain.
 *
 * Trust (RFC 8601 §5): senders can write any Authentication-Results header
 * they like below the ones the receiving border adds. Results are taken only
 * from headers whose authserv-id the config lists or, with no such list,
 * from the topmost header and the headers below it written by the same
 * organization (same registrable domain in the authserv-id: a conforming
 * border deletes incoming headers that claim its own id). Where several
 * trusted headers give a method, the topmost wins.
 *
 * First external hop: walking the Received chain from the top, a hop whose
 * sending host is private, inside the organization's domains, or in the
 * same registrable domain as the receiving infrastructure seen so far is
 * internal; the first one that is not is where the message entered. */
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "mail_internal.h"

const char *vg_mail_auth_result_name(vg_mail_authres r)
{
    static const char *const names[] = {"absent", "pass",      "fail",      "softfail",
                                        "neutral", "none",     "temperror", "permerror",
                                        "policy",  "other"};
    return (unsigned)r < sizeof names / sizeof *names ? names[r] : "other";
}

static vg_mail_authres parse_result(const char *s, size_t n)
{
    static const struct {
        const char *name;
        vg_mail_authres r;
    } map[] = {
        {"pass", VG_MAIL_AUTH_PASS},         {"fail", VG_MAIL_AUTH_FAIL},
        {"softfail", VG_MAIL_AUTH_SOFTFAIL}, {"neutral", VG_MAIL_AUTH_NEUTRAL},
        {"none", VG_MAIL_AUTH_NONE},         {"temperror", VG_MAIL_AUTH_TEMPERROR},
        {"permerror", VG_MAIL_AUTH_PERMERROR}, {"policy", VG_MAIL_AUTH_POLICY},
        {"hardfail", VG_MAIL_AUTH_FAIL},     {"bestguesspass", VG_MAIL_AUTH_OTHER},
        {"error", VG_MAIL_AUTH_TEMPERROR},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (strlen(map[i].name) == n && strncasecmp(map[i].name, s, n) == 0)
            return map[i].r;
    }
    return VG_MAIL_AUTH_OTHER;
}

/* Removes RFC 5322 comments "( ... )" (nested, with quoted-pairs), copying
 * into out (bounded). Quoted strings are kept. */
static size_t strip_comments(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    int depth = 0;
    bool quoted = false;
    for (const char *p = in; *p && k + 1 < cap; p++) {
        char c = *p;
        if (c == '\\' && p[1] && (depth > 0 || quoted)) {
            if (depth == 0)
                out[k++] = p[1];
            p++;
            continue;
        }
        if (!quoted && c == '(') {
            depth++;
            continue;
        }
        if (!quoted && c == ')' && depth > 0) {
            depth--;
            if (depth == 0 && k + 1 < cap)
                out[k++] = ' ';
            continue;
        }
        if (depth > 0)
            continue;
        if (c == '"')
            quoted = !quoted;
        out[k++] = (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
    }
    out[k] = 0;
    return k;
}

typedef struct ar_parsed {
    char authserv[256];
    bool has_id;
    vg_mail_authres spf, dmarc, compauth, arc;
    char spf_domain[256], dmarc_domain[256], compauth_reason[32];
    struct {
        vg_mail_authres r;
        char d[256];
    } dkim[VG_MAIL_MAX_DKIM];
    size_t n_dkim;
} ar_parsed;

static void copy_tok(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    dst[n] = 0;
    /* strip quotes and a trailing dot */
    if (n >= 2 && dst[0] == '"' && dst[n - 1] == '"') {
        memmove(dst, dst + 1, n - 2);
        dst[n - 2] = 0;
    }
    size_t l = strlen(dst);
    while (l && dst[l - 1] == '.')
        dst[--l] = 0;
}

/* Domain of "user@domain" or "domain". */
static void domain_of(char *dst, size_t cap, const char *v, size_t n)
{
    const char *at = memchr(v, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - v);
        v = at + 1;
    }
    copy_tok(dst, cap, v, n);
}

/* One method segment: "dkim=pass header.d=x.com header.s=..". */
static void parse_method(ar_parsed *ar, const char *seg)
{
    const char *p = seg;
    while (*p == ' ')
        p++;
    const char *eq = strchr(p, '=');
    if (!eq)
        return;
    size_t mlen = (size_t)(eq - p);
    const char *slash = memchr(p, '/', mlen); /* method/version */
    if (slash)
        mlen = (size_t)(slash - p);
    while (mlen && p[mlen - 1] == ' ')
        mlen--;
    const char *r = eq + 1;
    while (*r == ' ')
        r++;
    size_t rlen = 0;
    while (r[rlen] && r[rlen] != ' ' && r[rlen] != ';')
        rlen++;
    vg_mail_authres res = parse_result(r, rlen);
    enum { M_OTHER, M_SPF, M_DKIM, M_DMARC, M_COMPAUTH, M_ARC } m = M_OTHER;
    if (mlen == 3 && strncasecmp(p, "spf", 3) == 0)
        m = M_SPF;
    else if (mlen == 4 && strncasecmp(p, "dkim", 4) == 0)
        m = M_DKIM;
    else if (mlen == 5 && strncasecmp(p, "dmarc", 5) == 0)
        m = M_DMARC;
    else if (mlen == 8 && strncasecmp(p, "compauth", 8) == 0)
        m = M_COMPAUTH;
    else if (mlen == 3 && strncasecmp(p, "arc", 3) == 0)
        m = M_ARC;
    if (m == M_OTHER)
        return;
    size_t di = ar->n_dkim;
    if (m == M_DKIM) {
        if (ar->n_dkim >= VG_MAIL_MAX_DKIM)
            return;
        ar->dkim[di].r = res;
        ar->dkim[di].d[0] = 0;
        ar->n_dkim++;
    } else if (m == M_SPF && !ar->spf) {
        ar->spf = res;
    } else if (m == M_DMARC && !ar->dmarc) {
        ar->dmarc = res;
    } else if (m == M_COMPAUTH && !ar->compauth) {
        ar->compauth = res;
    } else if (m == M_ARC && !ar->arc) {
        ar->arc = res;
    }
    /* properties: ptype.prop=value */
    const char *q = r + rlen;
    while (*q) {
        while (*q == ' ')
            q++;
        const char *k = q;
        while (*q && *q != '=' && *q != ' ')
            q++;
        if (*q != '=') {
            while (*q && *q != ' ')
                q++;
            continue;
        }
        size_t kl = (size_t)(q - k);
        q++;
        const char *v = q;
        bool quoted = *v == '"';
        if (quoted) {
            q++;
            while (*q && *q != '"')
                q++;
            if (*q)
                q++;
        } else {
            while (*q && *q != ' ')
                q++;
        }
        size_t vl = (size_t)(q - v);
#define KEY(lit) (kl == sizeof(lit) - 1 && strncasecmp(k, lit, kl) == 0)
        if (m == M_SPF && (KEY("smtp.mailfrom") || (KEY("smtp.helo") && !ar->spf_domain[0])))
            domain_of(ar->spf_domain, sizeof ar->spf_domain, v, vl);
        else if (m == M_DKIM && (KEY("header.d") || (KEY("header.i") && !ar->dkim[di].d[0])))
            domain_of(ar->dkim[di].d, sizeof ar->dkim[di].d, v, vl);
        else if (m == M_DMARC && KEY("header.from"))
            domain_of(ar->dmarc_domain, sizeof ar->dmarc_domain, v, vl);
        else if (m == M_COMPAUTH && KEY("reason"))
            copy_tok(ar->compauth_reason, sizeof ar->compauth_reason, v, vl);
#undef KEY
    }
}

static void parse_ar(const char *value, ar_parsed *ar)
{
    memset(ar, 0, sizeof *ar);
    char buf[4096];
    strip_comments(value, buf, sizeof buf);
    char *seg = buf;
    bool first = true;
    while (seg) {
        char *semi = strchr(seg, ';');
        if (semi)
            *semi = 0;
        if (first) {
            first = false;
            /* authserv-id [version], unless it is already a method (MS form) */
            char *s = seg;
            while (*s == ' ')
                s++;
            if (!strchr(s, '=')) {
                size_t n = 0;
                while (s[n] && s[n] != ' ')
                    n++;
                copy_tok(ar->authserv, sizeof ar->authserv, s, n);
                ar->has_id = n > 0;
                seg = semi ? semi + 1 : NULL;
                continue;
            }
        }
        parse_method(ar, seg);
        seg = semi ? semi + 1 : NULL;
    }
}

static bool claims_pass(const ar_parsed *a)
{
    if (a->spf == VG_MAIL_AUTH_PASS || a->dmarc == VG_MAIL_AUTH_PASS)
        return true;
    for (size_t i = 0; i < a->n_dkim; i++) {
        if (a->dkim[i].r == VG_MAIL_AUTH_PASS)
            return true;
    }
    return false;
}

/* The registrable domain is a suffix of the host: a direct-mapped cache per
 * parser remembers where it starts. Received and Authentication-Results name
 * the same relays in message after message (a provider's few thousand
 * servers); libpsl walks its list for every label of every miss. */
#define REG_CACHE 4096
#define REG_HOST_MAX 92

struct vg_mail_reg_entry {
    char host[REG_HOST_MAX];
    int off; /* where the registrable domain starts */
};

static const char *reg_domain(vg_mail_parser *p, const char *host)
{
    size_t n = strlen(host);
    struct vg_mail_reg_entry *e = NULL;
    if (n < REG_HOST_MAX) {
        if (!p->reg_cache)
            p->reg_cache = vg_xcalloc(REG_CACHE, sizeof *p->reg_cache);
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++)
            h = (h ^ (unsigned char)host[i]) * 16777619u;
        e = &p->reg_cache[h % REG_CACHE];
        if (e->host[0] && memcmp(e->host, host, n + 1) == 0)
            return host + e->off;
    }
    const char *r = vg_mail_reg_domain(host);
    if (e) {
        memcpy(e->host, host, n + 1);
        e->off = (int)(r - host);
    }
    return r;
}

const char *vg_mail_reg_domain(const char *host)
{
    if (!host || !*host)
        return host ? host : "";
    /* one dot inside ("paypal.com", most table entries and many hosts):
     * libpsl answers the name itself, whatever the suffix ("co.uk" and
     * "github.io" are public suffixes: no registrable domain, so the name
     * itself too) */
    const char *dot = strchr(host, '.');
    if (dot && dot != host && dot[1] && !strchr(dot + 1, '.'))
        return host;
    const char *r = psl_registrable_domain(psl_builtin(), host);
    return r ? r : host;
}

void vg_mail__auth(vg_mail_builder *b)
{
    vg_mail_parser *p = b->p;
    vg_mail_msg *m = b->m;
    vg_mail_auth *au = &m->auth;
    memset(au, 0, sizeof *au);
    const vg_mail_header *h = b->headers.v;
    ar_parsed ar, top;
    bool have_top = false, any_listed = false;
    bool untrusted_pass = false;
    char top_reg[256] = "";
    for (size_t i = 0; i < b->headers.n; i++) {
        if (strcasecmp(h[i].name, "Authentication-Results") != 0)
            continue;
        au->n_headers++;
        parse_ar(h[i].value, &ar);
        bool trusted = false;
        if (p->opts.n_authserv_ids > 0) {
            for (size_t k = 0; k < p->opts.n_authserv_ids; k++) {
                if (ar.has_id && strcasecmp(ar.authserv, p->opts.authserv_ids[k]) == 0)
                    trusted = true;
            }
            any_listed |= trusted;
        } else if (au->n_headers == 1) {
            trusted = true;
            if (ar.has_id) {
                const char *r = reg_domain(p, ar.authserv);
                snprintf(top_reg, sizeof top_reg, "%s", r);
            }
        } else if (top_reg[0] && ar.has_id && strcasecmp(reg_domain(p, ar.authserv), top_reg) == 0) {
            trusted = true;
        }
        if (!trusted) {
            au->n_untrusted++;
            if (claims_pass(&ar))
                untrusted_pass = true;
            continue;
        }
        if (!have_top) {
            top = ar;
            have_top = true;
            continue;
        }
        /* merge: the topmost result of each method wins */
        if (!top.spf && ar.spf) {
            top.spf = ar.spf;
            memcpy(top.spf_domain, ar.spf_domain, sizeof top.spf_domain);
        }
        if (!top.dmarc && ar.dmarc) {
            top.dmarc = ar.dmarc;
            memcpy(top.dmarc_domain, ar.dmarc_domain, sizeof top.dmarc_domain);
        }
        if (!top.compauth && ar.compauth) {
            top.compauth = ar.compauth;
            memcpy(top.compauth_reason, ar.compauth_reason, sizeof top.compauth_reason);
        }
        if (!top.arc && ar.arc)
            top.arc = ar.arc;
        if (top.n_dkim == 0) {
            for (size_t k = 0; k < ar.n_dkim; k++)
                top.dkim[top.n_dkim++] = ar.dkim[k];
        }
    }
    (void)any_listed;
    if (!have_top) {
        if (untrusted_pass && au->n_headers > 0)
            m->evidence |= VG_MAIL_EV_FORGED_AUTH;
        return;
    }
    vg_arena *a = p->arena;
    au->present = true;
    au->authserv_id = top.has_id ? vg_arena_strdup(a, top.authserv) : NULL;
    au->spf = top.spf;
    au->spf_domain = top.spf_domain[0] ? vg_arena_strdup(a, top.spf_domain) : NULL;
    au->dmarc = top.dmarc;
    au->dmarc_domain = top.dmarc_domain[0] ? vg_arena_strdup(a, top.dmarc_domain) : NULL;
    au->compauth = top.compauth;
    au->compauth_reason = top.compauth_reason[0] ? vg_arena_strdup(a, top.compauth_reason) : NULL;
    au->arc = top.arc;
    au->dkim = VG_MAIL_AUTH_ABSENT;
    for (size_t k = 0; k < top.n_dkim; k++) {
        au->dkim_sigs[k].result = top.dkim[k].r;
        au->dkim_sigs[k].domain = top.dkim[k].d[0] ? vg_arena_strdup(a, top.dkim[k].d) : NULL;
        if (top.dkim[k].r == VG_MAIL_AUTH_PASS || au->dkim == VG_MAIL_AUTH_ABSENT)
            au->dkim = top.dkim[k].r;
    }
    au->n_dkim = top.n_dkim;
    if (untrusted_pass && !claims_pass(&top))
        m->evidence |= VG_MAIL_EV_FORGED_AUTH;
}

/* ---- Received ------------------------------------------------------------------------ */

/* The word after `kw` (" by ", "from "), into out. */
static bool word_after(const char *s, const char *kw, char *out, size_t cap)
{
    const char *p = strcasestr(s, kw);
    if (!p)
        return false;
    p += strlen(kw);
    while (*p == ' ')
        p++;
    size_t n = 0;
    while (p[n] && p[n] != ' ' && p[n] != ';' && p[n] != '(' && n + 1 < cap)
        n++;
    copy_tok(out, cap, p, n);
    return n > 0;
}

/* First IP address in s: "[1.2.3.4]", "(1.2.3.4)", "[IPv6:...]", bare. */
static bool find_ip(const char *s, size_t n, vg_ip *ip)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !(s[i] == '[' || s[i] == '(' || s[i] == ' ' || s[i] == '=' ||
                          s[i] == ':' || (s[i] >= '0' && s[i] <= '9') ||
                          ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')))
            i++;
        if (i >= n)
            break;
        size_t st = i;
        if (s[st] == '[' || s[st] == '(' || s[st] == ' ' || s[st] == '=')
            st++;
        if (n - st >= 5 && (s[st] | 0x20) == 'i' && strncasecmp(s + st, "ipv6:", 5) == 0)
            st += 5;
        size_t e = st;
        while (e < n && (s[e] == '.' || s[e] == ':' || (s[e] >= '0' && s[e] <= '9') ||
                         ((s[e] | 0x20) >= 'a' && (s[e] | 0x20) <= 'f')))
            e++;
        if (e - st >= 3 && e - st < 46 && (memchr(s + st, '.', e - st) || memchr(s + st, ':', e - st))) {
            if (vg_ip_parse(vg_str_make(s + st, e - st), ip) == VG_OK)
                return true;
        }
        i = e > i ? e : i + 1;
    }
    return false;
}

static bool domain_in(const char *host, char **list, size_t n)
{
    size_t hl = strlen(host);
    for (size_t i = 0; i < n; i++) {
        size_t dl = strlen(list[i]);
        if (hl == dl && strcasecmp(host, list[i]) == 0)
            return true;
        if (hl > dl && host[hl - dl - 1] == '.' && strcasecmp(host + hl - dl, list[i]) == 0)
            return true;
    }
    return false;
}

void vg_mail__received(vg_mail_builder *b)
{
    vg_mail_parser *p = b->p;
    vg_arena *a = p->arena;
    const vg_mail_header *h = b->headers.v;
    b->m->first_external_hop = -1;
    for (size_t i = 0; i < b->headers.n; i++) {
        if (strcasecmp(h[i].name, "Received") != 0)
            continue;
        if (b->hops.n >= 64)
            break;
        const char *v = h[i].value;
        vg_mail_hop *hop = AVEC_PUSH(a, &b->hops, vg_mail_hop);
        memset(hop, 0, sizeof *hop);
        char tmp[256];
        const char *semi = strrchr(v, ';');
        if (semi) {
            int64_t t;
            if (vg_time_parse_rfc5322(vg_str_trim(vg_str_from(semi + 1)), &t) == VG_OK)
                hop->time_ms = t;
        }
        /* from clause: up to " by " */
        const char *by = strcasestr(v, " by ");
        if (strncasecmp(v, "from ", 5) == 0 || strncasecmp(v, "from\t", 5) == 0) {
            if (word_after(v, "from ", tmp, sizeof tmp))
                hop->from_host = vg_arena_strdup(a, tmp);
            size_t flen = by ? (size_t)(by - v) : strlen(v);
            const char *paren = memchr(v, '(', flen);
            if (paren) {
                size_t rl = 0;
                const char *r = paren + 1;
                while (r + rl < v + flen && r[rl] != ' ' && r[rl] != ')' && r[rl] != '[')
                    rl++;
                if (rl > 0 && rl < sizeof tmp && memchr(r, '.', rl)) {
                    copy_tok(tmp, sizeof tmp, r, rl);
                    vg_ip dummy;
                    if (vg_ip_parse(vg_str_from(tmp), &dummy) != VG_OK &&
                        strncasecmp(tmp, "helo=", 5) != 0)
                        hop->rdns = vg_arena_strdup(a, tmp);
                }
            }
            find_ip(v + 5, flen > 5 ? flen - 5 : 0, &hop->ip);
        }
        if (by && word_after(by, " by ", tmp, sizeof tmp))
            hop->by_host = vg_arena_strdup(a, tmp);
    }
    /* first external hop */
    vg_mail_hop *hops = b->hops.v;
    char infra[8][128];
    size_t n_infra = 0;
    for (size_t i = 0; i < b->hops.n; i++) {
        vg_mail_hop *hp = &hops[i];
        if (hp->by_host && n_infra < 8 && strchr(hp->by_host, '.')) {
            snprintf(infra[n_infra], sizeof infra[0], "%s", reg_domain(p, hp->by_host));
            n_infra++;
        }
        if (!hp->from_host && !hp->ip.family)
            continue; /* "by x with y": local submission */
        /* a private, loopback or link-local hop is inside the border;
         * documentation ranges stand for public peers (core.h) */
        if (hp->ip.family && vg_ip_is_internal(&hp->ip))
            continue;
        const char *name = hp->rdns ? hp->rdns : hp->from_host;
        bool internal = false;
        if (name && strchr(name, '.')) {
            if (domain_in(name, p->org_domains, p->opts.n_org_domains))
                internal = true;
            const char *rd = reg_domain(p, name);
            for (size_t k = 0; k < n_infra && !internal; k++) {
                if (strcasecmp(rd, infra[k]) == 0)
                    internal = true;
            }
        }
        if (!hp->ip.family && !internal)
            internal = !name || !strchr(name, '.');
        if (!internal) {
            b->m->first_external_hop = (int)i;
            break;
        }
    }
}
