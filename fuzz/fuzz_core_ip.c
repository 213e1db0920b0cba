/* fuzz_core_ip.c — libFuzzer target for IP and CIDR parsing, formatting and
 * the CIDR set in src/core/ip.c.
 *
 * Invariants checked (abort() on violation):
 *  - parse -> format -> parse gives an equal address of the same family, and
 *    formatting is canonical (formatting the re-parsed address gives the
 *    same text); formatted text fits VG_IP_STRLEN;
 *  - CIDR parse -> format -> parse round-trips, and a prefix contains its
 *    own network address; masking is idempotent;
 *  - the input, split into lines, is loaded into a vg_cidrset and every
 *    line's address is looked up; the answer must equal a linear scan for
 *    the longest containing prefix. */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

#define MAX_LINES 64

static void check_ip(const vg_ip *ip)
{
    char buf[VG_IP_STRLEN + 8], buf2[VG_IP_STRLEN + 8];
    size_t n = vg_ip_format(ip, buf);
    if (n == 0 || n >= VG_IP_STRLEN || buf[n] != '\0')
        abort();
    vg_ip back;
    if (vg_ip_parse(vg_str_make(buf, n), &back) != VG_OK || !vg_ip_eq(ip, &back) ||
        back.family != ip->family || memcmp(back.a, ip->a, 16) != 0)
        abort();
    size_t n2 = vg_ip_format(&back, buf2);
    if (n2 != n || memcmp(buf, buf2, n) != 0)
        abort();
    (void)vg_ip_is_global(ip);
    for (int bits = -1; bits <= 129; bits += 13) {
        vg_ip m, mm;
        vg_ip_mask(ip, bits, &m);
        vg_ip_mask(&m, bits, &mm);
        if (!vg_ip_eq(&m, &mm) || m.family != ip->family)
            abort();
    }
}

static int bits128(const vg_cidr *c) { return c->ip.family == 4 ? 96 + c->bits : c->bits; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_str s = vg_str_make((const char *)data, size);
    vg_ip ip;
    vg_cidr c;

    if (vg_ip_parse(s, &ip) == VG_OK)
        check_ip(&ip);

    if (vg_cidr_parse(s, &c) == VG_OK) {
        char buf[VG_IP_STRLEN + 4];
        size_t n = vg_cidr_format(&c, buf);
        vg_cidr back;
        if (n >= sizeof buf || vg_cidr_parse(vg_str_make(buf, n), &back) != VG_OK ||
            !vg_ip_eq(&back.ip, &c.ip) || back.bits != c.bits || back.ip.family != c.ip.family ||
            !vg_cidr_contains(&c, &c.ip))
            abort();
    }

    /* Lines -> a set; then look up each line's address (or network). */
    vg_cidr prefixes[MAX_LINES];
    vg_ip probes[MAX_LINES];
    int np = 0, nq = 0;
    vg_cidrset *set = vg_cidrset_new();
    size_t start = 0;
    for (size_t i = 0; i <= size && np < MAX_LINES; i++) {
        if (i < size && data[i] != '\n')
            continue;
        vg_str line = vg_str_make((const char *)data + start, i - start);
        start = i + 1;
        if (vg_cidr_parse(line, &c) != VG_OK)
            continue;
        /* Replace semantics: a later duplicate overwrites the value. */
        int dup = -1;
        for (int j = 0; j < np; j++)
            if (prefixes[j].bits == c.bits && vg_ip_eq(&prefixes[j].ip, &c.ip))
                dup = j;
        vg_cidrset_add(set, &c, (uintptr_t)np);
        if (dup >= 0)
            prefixes[dup].bits = 255; /* retire the old entry from the scan */
        prefixes[np++] = c;
        if (nq < MAX_LINES)
            probes[nq++] = c.ip;
        if (nq < MAX_LINES && vg_ip_parse(line, &ip) == VG_OK)
            probes[nq++] = ip;
    }
    size_t live = 0;
    for (int j = 0; j < np; j++)
        live += prefixes[j].bits != 255;
    if (vg_cidrset_count(set) != live)
        abort();
    for (int q = 0; q < nq; q++) {
        int best = -1;
        for (int j = 0; j < np; j++)
            if (prefixes[j].bits != 255 && vg_cidr_contains(&prefixes[j], &probes[q]) &&
                (best < 0 || bits128(&prefixes[j]) > bits128(&prefixes[best])))
                best = j;
        uintptr_t v;
        vg_cidr m;
        bool found = vg_cidrset_lookup(set, &probes[q], &v, &m);
        if (found != (best >= 0))
            abort();
        if (found && (v != (uintptr_t)best || m.bits != prefixes[best].bits ||
                      !vg_ip_eq(&m.ip, &prefixes[best].ip)))
            abort();
    }
    vg_cidrset_free(set);
    return 0;
}
