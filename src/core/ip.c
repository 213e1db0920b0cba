/* ip.c — IPv4/IPv6 addresses, CIDR prefixes and CIDR sets with
 * longest-prefix-match lookup.
 *
 * Design
 *  - One representation: every address is 16 bytes. IPv4 a.b.c.d is stored
 *    as the v4-mapped address ::ffff:a.b.c.d with family 4, so v4 and
 *    v4-mapped v6 text forms of the same host compare equal and one trie
 *    serves both families. Invariant: family 4 <=> bytes in ::ffff:0:0/96.
 *  - Parsing is strict, because addresses come from hostile logs and mail
 *    headers: dotted quads are exactly four decimal parts 0-255 without
 *    leading zeros (inet_aton's "010" octal, "0x7f" hex and "127.1" short
 *    forms are rejected: they are the classic way to smuggle an address past
 *    a filter); IPv6 follows RFC 4291 2.2 (at most 8 groups of 1-4 hex digits,
 *    one "::" standing for at least one zero group, dotted IPv4 only in the
 *    last 32 bits). Zone ids ("%eth0") are rejected: a log source's interface
 *    name means nothing here. Surrounding brackets are accepted around either
 *    family ("[2001:db8::1]", and "[192.0.2.1]" as in Received: headers).
 *  - Formatting is RFC 5952: lower case, no leading zeros, the longest run
 *    of two or more zero groups compressed (the first on a tie), a single
 *    zero group never compressed. The deprecated v4-compatible ::a.b.c.d form
 *    stays family 6 and prints in hex (::102:304), as Python's ipaddress
 *    does; only v4-mapped addresses print as a dotted quad.
 *  - A CIDR prefix length is relative to its family (0-32 or 0-128). In the
 *    128-bit space a v4 /n is the /(96+n) under ::ffff:0:0/96.
 *  - The CIDR set is a path-compressed binary trie (PATRICIA-style): each
 *    node holds a prefix (key + length) and optionally a value; a child's
 *    prefix strictly extends its parent's, so a root-to-leaf path has at most
 *    129 nodes and lookups are at most 129 steps whatever the input. Nodes
 *    live in one growable array and link by index, so freeing the set is a
 *    single free() with no recursion, and at most 2 nodes exist per prefix.
 *  - Family separation in the set: v4 entries sit at depth >= 96. A lookup of
 *    a v4 address considers only those, so a v6 prefix that happens to cover
 *    ::ffff:0:0/96 (::/0, ::/64, ...) never matches a v4 address. "::/0"
 *    means "any IPv6 address" and "0.0.0.0/0" means "any IPv4 address", as an
 *    operator writing an allow or block list expects. vg_cidr_contains()
 *    follows the same rule.
 *  - vg_ip_is_global() encodes the RFC 6890 special-purpose registries. It is
 *    informational only: nothing here refuses documentation or private
 *    addresses (test data and the demo use the documentation ranges).
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

/* ---- helpers ------------------------------------------------------------------------ */

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_mapped(const uint8_t a[16]) { return memcmp(a, v4_mapped_prefix, 12) == 0; }

/* The 128-bit key of an address. Family 4 always yields ::ffff:a.b.c.d from
 * the last four bytes, so a hand-built v4 vg_ip with zero leading bytes
 * still lands in the v4 part of the space. */
static void ip_key(const vg_ip *ip, uint8_t out[16])
{
    memcpy(out, ip->a, 16);
    if (ip->family == 4)
        memcpy(out, v4_mapped_prefix, 12);
}

/* Bit `i` (0 = most significant) of a 128-bit key. */
static int bit_at(const uint8_t a[16], unsigned i) { return (a[i >> 3] >> (7 - (i & 7))) & 1; }

/* Zero every bit from `bits` on (bits 0-128). */
static void mask128(uint8_t a[16], unsigned bits)
{
    if (bits >= 128)
        return;
    unsigned byte = bits >> 3, rem = bits & 7;
    if (rem) {
        a[byte] &= (uint8_t)(0xff << (8 - rem));
        byte++;
    }
    memset(a + byte, 0, 16 - byte);
}

/* Number of leading bits a and b share, at most `max`. */
static unsigned common_bits(const uint8_t a[16], const uint8_t b[16], unsigned max)
{
    unsigned n = 0;
    for (unsigned k = 0; k < 16 && n < max; k++) {
        uint8_t x = a[k] ^ b[k];
        if (x) {
            n += (unsigned)__builtin_clz(x) - 24; /* clz of an int holding 8 bits */
            break;
        }
        n += 8;
    }
    return n < max ? n : max;
}

/* ---- parsing ------------------------------------------------------------------------- */

/* Strict dotted quad: exactly p[0..n). */
static bool parse_v4(const char *p, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || p[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(p[i++] - '0');
        size_t len = i - start;
        if (len == 0 || v > 255 || (len > 1 && p[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* RFC 4291 2.2 text forms, exactly p[0..n). */
static bool parse_v6(const char *p, size_t n, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0;     /* groups parsed */
    int gap = -1;   /* index in g where "::" stands, or -1 */
    size_t i = 0;

    if (n >= 2 && p[0] == ':' && p[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && p[0] == ':') {
        return false; /* ":1::" */
    }
    while (i < n) {
        if (ng == 8)
            return false;
        size_t start = i;
        unsigned v = 0;
        int h;
        while (i < n && (h = vg_hex_digit(p[i])) >= 0 && i - start < 5) {
            v = (v << 4) | (unsigned)h;
            i++;
        }
        if (i < n && p[i] == '.') {
            /* Embedded IPv4: must fill the last 32 bits and end the text. */
            uint8_t q[4];
            if (ng > 6 || !parse_v4(p + start, n - start, q))
                return false;
            g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
            g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
            i = n;
            break;
        }
        if (i == start || i - start > 4)
            return false; /* empty group (":::"), or "12345" */
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (p[i] != ':')
            return false; /* '%' zone id, garbage */
        i++;
        if (i < n && p[i] == ':') {
            if (gap >= 0)
                return false; /* a second "::" */
            gap = ng;
            i++;
        } else if (i == n) {
            return false; /* trailing single ':' */
        }
    }
    /* Without "::" there must be 8 groups; with it, at most 7 (the "::"
     * stands for one or more zero groups). */
    if (gap < 0 ? ng != 8 : ng > 7)
        return false;

    memset(out, 0, 16);
    int tail = gap < 0 ? 0 : ng - gap; /* groups after the gap */
    int head = ng - tail;
    for (int k = 0; k < head; k++) {
        out[2 * k] = (uint8_t)(g[k] >> 8);
        out[2 * k + 1] = (uint8_t)g[k];
    }
    for (int k = 0; k < tail; k++) {
        int dst = 8 - tail + k;
        out[2 * dst] = (uint8_t)(g[head + k] >> 8);
        out[2 * dst + 1] = (uint8_t)g[head + k];
    }
    return true;
}

vg_err vg_ip_parse(vg_str s, vg_ip *out)
{
    const char *p = s.p;
    size_t n = s.p ? s.n : 0;
    vg_ip ip;

    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    if (n == 0 || n > 64) /* the longest valid form is 45 bytes */
        return VG_EINVAL;
    if (memchr(p, ':', n)) {
        if (!parse_v6(p, n, ip.a))
            return VG_EINVAL;
        ip.family = is_mapped(ip.a) ? 4 : 6;
    } else {
        memcpy(ip.a, v4_mapped_prefix, 12);
        if (!parse_v4(p, n, ip.a + 12))
            return VG_EINVAL;
        ip.family = 4;
    }
    *out = ip;
    return VG_OK;
}

/* ---- formatting ---------------------------------------------------------------------- */

static size_t format_v4(const uint8_t q[4], char *buf)
{
    char *o = buf;
    for (int k = 0; k < 4; k++) {
        unsigned v = q[k];
        if (k)
            *o++ = '.';
        if (v >= 100)
            *o++ = (char)('0' + v / 100);
        if (v >= 10)
            *o++ = (char)('0' + v / 10 % 10);
        *o++ = (char)('0' + v % 10);
    }
    *o = '\0';
    return (size_t)(o - buf);
}

size_t vg_ip_format(const vg_ip *ip, char *buf)
{
    static const char hexd[] = "0123456789abcdef";

    if (ip->family != 4 && ip->family != 6) {
        buf[0] = '\0';
        return 0;
    }
    if (ip->family == 4)
        return format_v4(ip->a + 12, buf);
    if (is_mapped(ip->a)) { /* family 6 with mapped bytes: built by hand */
        memcpy(buf, "::ffff:", 7);
        return 7 + format_v4(ip->a + 12, buf + 7);
    }

    uint16_t g[8];
    for (int k = 0; k < 8; k++)
        g[k] = (uint16_t)(ip->a[2 * k] << 8 | ip->a[2 * k + 1]);

    /* Longest run of >= 2 zero groups; the first one wins a tie. */
    int best = -1, best_len = 1;
    for (int k = 0; k < 8;) {
        if (g[k] != 0) {
            k++;
            continue;
        }
        int start = k;
        while (k < 8 && g[k] == 0)
            k++;
        if (k - start > best_len) {
            best = start;
            best_len = k - start;
        }
    }

    char *o = buf;
    for (int k = 0; k < 8; k++) {
        if (k == best) {
            *o++ = ':';
            *o++ = ':';
            k += best_len - 1;
            continue;
        }
        if (k > 0 && k != best + best_len)
            *o++ = ':';
        bool lead = true;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (g[k] >> shift) & 0xf;
            if (d == 0 && lead && shift > 0)
                continue;
            lead = false;
            *o++ = hexd[d];
        }
    }
    *o = '\0';
    return (size_t)(o - buf);
}

/* ---- comparison, masking, classification ----------------------------------------------- */

int vg_ip_cmp(const vg_ip *a, const vg_ip *b)
{
    /* "No address" (family 0) sorts first and equals only itself; 4 and 6
     * with the same bytes cannot both exist, so the bytes decide. */
    int fa = a->family != 0, fb = b->family != 0;
    if (fa != fb)
        return fa - fb;
    if (!fa)
        return 0;
    uint8_t ka[16], kb[16];
    ip_key(a, ka);
    ip_key(b, kb);
    int c = memcmp(ka, kb, 16);
    return (c > 0) - (c < 0);
}

bool vg_ip_eq(const vg_ip *a, const vg_ip *b) { return vg_ip_cmp(a, b) == 0; }

void vg_ip_mask(const vg_ip *ip, int bits, vg_ip *out)
{
    vg_ip r = *ip;
    if (r.family == 4 || r.family == 6) {
        ip_key(ip, r.a);
        int max = r.family == 4 ? 32 : 128;
        if (bits < 0)
            bits = 0;
        if (bits > max)
            bits = max;
        /* A v4 mask keeps the ::ffff: prefix, so the result stays v4. */
        mask128(r.a, (unsigned)(bits + (r.family == 4 ? 96 : 0)));
    }
    *out = r;
}

/* A prefix in a classification table: network bytes (16, v6 layout) and a
 * length over 128 bits. */
typedef struct {
    uint8_t net[16];
    uint8_t bits;
} special_net;

#define V4NET(a, b, c, d, len) {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, 96 + (len)}

static bool in_net(const uint8_t a[16], const special_net *n)
{
    return common_bits(a, n->net, n->bits) == n->bits;
}

/* True if the key lies in any of the n special-purpose blocks. */
static bool in_any_net(const uint8_t a[16], const special_net *nets, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (in_net(a, &nets[k]))
            return true;
    return false;
}

bool vg_ip_is_global(const vg_ip *ip)
{
    /* RFC 6890 and the IANA special-purpose registries (v4 and v6): blocks
     * whose "Globally Reachable" is False, plus multicast and 240/4. More
     * specific exceptions that are globally reachable come first. */
    static const special_net global_exceptions[] = {
        V4NET(192, 0, 0, 9, 32),  /* PCP anycast, RFC 7723 */
        V4NET(192, 0, 0, 10, 32), /* TURN anycast, RFC 8155 */
        {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}, 128}, /* 2001:1::1 */
        {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}, 128}, /* 2001:1::2 */
        {{0x20, 0x01, 0x00, 0x03}, 32},                 /* 2001:3::/32 AMT */
        {{0x20, 0x01, 0x00, 0x04, 0x01, 0x12}, 48},     /* 2001:4:112::/48 AS112 */
        {{0x20, 0x01, 0x00, 0x20}, 28},                 /* 2001:20::/28 ORCHIDv2 */
        {{0x20, 0x01, 0x00, 0x30}, 28},                 /* 2001:30::/28 DRIP */
    };
    static const special_net not_global[] = {
        V4NET(0, 0, 0, 0, 8),        /* "this network" */
        V4NET(10, 0, 0, 0, 8),       /* RFC 1918 */
        V4NET(100, 64, 0, 0, 10),    /* shared address space (CGNAT) */
        V4NET(127, 0, 0, 0, 8),      /* loopback */
        V4NET(169, 254, 0, 0, 16),   /* link local */
        V4NET(172, 16, 0, 0, 12),    /* RFC 1918 */
        V4NET(192, 0, 0, 0, 24),     /* IETF protocol assignments */
        V4NET(192, 0, 2, 0, 24),     /* TEST-NET-1 */
        V4NET(192, 168, 0, 0, 16),   /* RFC 1918 */
        V4NET(198, 18, 0, 0, 15),    /* benchmarking */
        V4NET(198, 51, 100, 0, 24),  /* TEST-NET-2 */
        V4NET(203, 0, 113, 0, 24),   /* TEST-NET-3 */
        V4NET(224, 0, 0, 0, 4),      /* multicast */
        V4NET(240, 0, 0, 0, 4),      /* reserved, incl. 255.255.255.255 */
        {{0}, 96},                                     /* ::/128, ::1, ::/96 v4-compatible */
        {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48},    /* 64:ff9b:1::/48 local NAT64 */
        {{0x01, 0x00}, 64},                            /* 100::/64 discard only */
        {{0x20, 0x01}, 23},                            /* 2001::/23 IETF assignments */
        {{0x20, 0x01, 0x0d, 0xb8}, 32},                /* 2001:db8::/32 documentation */
        {{0x3f, 0xff}, 20},                            /* 3fff::/20 documentation */
        {{0x5f, 0x00}, 16},                            /* 5f00::/16 SRv6 SIDs */
        {{0xfc}, 7},                                   /* fc00::/7 unique local */
        {{0xfe, 0xc0}, 10},                            /* fec0::/10 site local (deprecated) */
        {{0xfe, 0x80}, 10},                            /* fe80::/10 link local */
        {{0xff}, 8},                                   /* ff00::/8 multicast */
    };
    if (ip->family != 4 && ip->family != 6)
        return false;
    uint8_t a[16];
    ip_key(ip, a);
    if (in_any_net(a, global_exceptions, sizeof global_exceptions / sizeof global_exceptions[0]))
        return true;
    return !in_any_net(a, not_global, sizeof not_global / sizeof not_global[0]);
}

bool vg_ip_is_internal(const vg_ip *ip)
{
    static const special_net internal[] = {
        V4NET(0, 0, 0, 0, 8),      /* "this network" */
        V4NET(10, 0, 0, 0, 8),     /* RFC 1918 */
        V4NET(100, 64, 0, 0, 10),  /* shared address space (CGNAT) */
        V4NET(127, 0, 0, 0, 8),    /* loopback */
        V4NET(169, 254, 0, 0, 16), /* link local */
        V4NET(172, 16, 0, 0, 12),  /* RFC 1918 */
        V4NET(192, 168, 0, 0, 16), /* RFC 1918 */
        V4NET(224, 0, 0, 0, 4),    /* multicast */
        V4NET(240, 0, 0, 0, 4),    /* reserved, incl. broadcast */
        {{0}, 127},                /* :: and ::1 */
        {{0xfc}, 7},               /* fc00::/7 unique local */
        {{0xfe, 0xc0}, 10},        /* fec0::/10 site local (deprecated) */
        {{0xfe, 0x80}, 10},        /* fe80::/10 link local */
        {{0xff}, 8},               /* ff00::/8 multicast */
    };
    if (ip->family != 4 && ip->family != 6)
        return true;
    uint8_t a[16];
    ip_key(ip, a);
    return in_any_net(a, internal, sizeof internal / sizeof internal[0]);
}

/* ---- CIDR prefixes --------------------------------------------------------------------- */

vg_err vg_cidr_parse(vg_str s, vg_cidr *out)
{
    const char *p = s.p;
    size_t n = s.p ? s.n : 0;
    const char *slash = n ? memchr(p, '/', n) : NULL;
    size_t alen = slash ? (size_t)(slash - p) : n;
    vg_ip ip;

    if (vg_ip_parse((vg_str){p, alen}, &ip) != VG_OK)
        return VG_EINVAL;
    bool v6_text = memchr(p, ':', alen) != NULL;
    unsigned max = v6_text ? 128 : 32, bits = max;
    if (slash) {
        /* Decimal, no sign, no leading zero (as for dotted quads). */
        const char *d = slash + 1;
        size_t dl = n - alen - 1;
        if (dl == 0 || dl > 3 || (dl > 1 && d[0] == '0'))
            return VG_EINVAL;
        bits = 0;
        for (size_t k = 0; k < dl; k++) {
            if (d[k] < '0' || d[k] > '9')
                return VG_EINVAL;
            bits = bits * 10 + (unsigned)(d[k] - '0');
        }
        if (bits > max)
            return VG_EINVAL;
    }

    vg_cidr c;
    c.ip = ip;
    if (v6_text) {
        /* Length given over 128 bits. ::ffff:a.b.c.d/120 is the v4 /24; a
         * shorter prefix reaches outside the mapped block and is v6 (its
         * masked bytes then are not v4-mapped, so the invariant holds). */
        mask128(c.ip.a, bits);
        if (bits >= 96 && is_mapped(c.ip.a)) {
            c.ip.family = 4;
            c.bits = (uint8_t)(bits - 96);
        } else {
            c.ip.family = 6;
            c.bits = (uint8_t)bits;
        }
    } else {
        mask128(c.ip.a, 96 + bits);
        c.bits = (uint8_t)bits;
    }
    *out = c;
    return VG_OK;
}

size_t vg_cidr_format(const vg_cidr *c, char *buf)
{
    size_t n = vg_ip_format(&c->ip, buf);
    unsigned b = c->bits;
    buf[n++] = '/';
    if (b >= 100)
        buf[n++] = (char)('0' + b / 100);
    if (b >= 10)
        buf[n++] = (char)('0' + b / 10 % 10);
    buf[n++] = (char)('0' + b % 10);
    buf[n] = '\0';
    return n;
}

/* Prefix length of c over 128 bits, clamped to the family's range; -1 for
 * a cidr without a family. */
static int cidr_bits128(const vg_cidr *c)
{
    if (c->ip.family == 4)
        return 96 + (c->bits > 32 ? 32 : c->bits);
    if (c->ip.family == 6)
        return c->bits > 128 ? 128 : c->bits;
    return -1;
}

bool vg_cidr_contains(const vg_cidr *c, const vg_ip *ip)
{
    int bits = cidr_bits128(c);
    if (bits < 0 || (ip->family != 4 && ip->family != 6))
        return false;
    uint8_t net[16], addr[16];
    ip_key(&c->ip, net);
    ip_key(ip, addr);
    /* Families never mix (see the design note): v6 prefixes do not match
     * v4 addresses even where their bits cover ::ffff:0:0/96. */
    bool net_v4 = bits >= 96 && is_mapped(net);
    if (net_v4 != is_mapped(addr))
        return false;
    return common_bits(net, addr, (unsigned)bits) == (unsigned)bits;
}

/* ---- CIDR sets: path-compressed binary trie ------------------------------------------------ */

typedef struct {
    uint8_t key[16];   /* prefix bits, zero past len */
    uint8_t len;       /* prefix length over 128 bits, 0-128 */
    bool has_value;    /* false for glue nodes created by a split */
    uint32_t child[2]; /* node indices; 0 = none (the root is never a child) */
    uintptr_t value;
} trie_node;

struct vg_cidrset {
    trie_node *nodes; /* nodes[0] is the root: ::/0, initially without value */
    size_t n, cap;
    size_t count; /* nodes with a value */
};

static uint32_t node_new(vg_cidrset *s, const uint8_t key[16], unsigned len)
{
    if (s->n >= UINT32_MAX)
        vg_panic("cidrset: too many prefixes");
    s->nodes = vg_xgrow(s->nodes, &s->cap, s->n + 1, sizeof *s->nodes);
    trie_node *nd = &s->nodes[s->n];
    memcpy(nd->key, key, 16);
    mask128(nd->key, len);
    nd->len = (uint8_t)len;
    nd->has_value = false;
    nd->child[0] = nd->child[1] = 0;
    nd->value = 0;
    return (uint32_t)s->n++;
}

vg_cidrset *vg_cidrset_new(void)
{
    vg_cidrset *s = vg_xcalloc(1, sizeof *s);
    static const uint8_t zero[16];
    node_new(s, zero, 0);
    return s;
}

void vg_cidrset_free(vg_cidrset *s)
{
    if (!s)
        return;
    free(s->nodes);
    free(s);
}

size_t vg_cidrset_count(const vg_cidrset *s) { return s->count; }

static void node_set_value(vg_cidrset *s, uint32_t idx, uintptr_t value)
{
    if (!s->nodes[idx].has_value)
        s->count++;
    s->nodes[idx].has_value = true;
    s->nodes[idx].value = value;
}

void vg_cidrset_add(vg_cidrset *s, const vg_cidr *c, uintptr_t value)
{
    int ibits = cidr_bits128(c);
    if (ibits < 0)
        return; /* no family: nothing to add */
    unsigned len = (unsigned)ibits;
    uint8_t key[16];
    ip_key(&c->ip, key);
    mask128(key, len);

    /* Walk down from the root. Invariant: nodes[cur]'s prefix is a prefix of
     * key (true for the root, len 0). `parent`/`side` locate the link to
     * the node being examined so it can be replaced on a split. Indices, not
     * pointers: node_new() may move the array. */
    uint32_t cur = 0;
    for (;;) {
        trie_node *nd = &s->nodes[cur];
        if (nd->len == len) {
            node_set_value(s, cur, value);
            return;
        }
        int side = bit_at(key, nd->len);
        uint32_t next = nd->child[side];
        if (next == 0) {
            uint32_t leaf = node_new(s, key, len);
            s->nodes[cur].child[side] = leaf;
            node_set_value(s, leaf, value);
            return;
        }
        trie_node *nx = &s->nodes[next];
        unsigned lim = nx->len < len ? nx->len : len;
        unsigned common = common_bits(nx->key, key, lim);
        if (common == nx->len) { /* nx is a prefix of key: descend */
            cur = next;
            continue;
        }
        if (common == len) {
            /* key is a proper prefix of nx: insert it between cur and nx. */
            int nside = bit_at(nx->key, len);
            uint32_t mid = node_new(s, key, len);
            s->nodes[mid].child[nside] = next;
            s->nodes[cur].child[side] = mid;
            node_set_value(s, mid, value);
            return;
        }
        /* key and nx diverge at bit `common`: a glue node splits them. */
        int nside = bit_at(s->nodes[next].key, common);
        uint32_t glue = node_new(s, key, common);
        uint32_t leaf = node_new(s, key, len);
        s->nodes[glue].child[nside] = next;
        s->nodes[glue].child[!nside] = leaf;
        s->nodes[cur].child[side] = glue;
        node_set_value(s, leaf, value);
        return;
    }
}

bool vg_cidrset_lookup(const vg_cidrset *s, const vg_ip *ip, uintptr_t *value, vg_cidr *matched)
{
    if (ip->family != 4 && ip->family != 6)
        return false;
    uint8_t addr[16];
    ip_key(ip, addr);
    /* v4 addresses only match v4 entries, which all sit at depth >= 96. */
    unsigned min_len = is_mapped(addr) ? 96 : 0;
    const trie_node *best = NULL;
    uint32_t cur = 0;
    for (;;) {
        const trie_node *nd = &s->nodes[cur];
        if (common_bits(nd->key, addr, nd->len) != nd->len)
            break;
        if (nd->has_value && nd->len >= min_len)
            best = nd;
        if (nd->len == 128)
            break;
        cur = nd->child[bit_at(addr, nd->len)];
        if (cur == 0)
            break;
    }
    if (!best)
        return false;
    if (value)
        *value = best->value;
    if (matched) {
        memcpy(matched->ip.a, best->key, 16);
        if (best->len >= 96 && is_mapped(best->key)) {
            matched->ip.family = 4;
            matched->bits = (uint8_t)(best->len - 96);
        } else {
            matched->ip.family = 6;
            matched->bits = best->len;
        }
    }
    return true;
}
