/* auth_account.c — account normalization: one spelling per person, whatever
 * form the log wrote.
 *
 *   "Alice@Helix.Example"                      -> alice@helix.example
 *   "HELIX\alice"                              -> alice@helix       (NetBIOS domain)
 *   "alice_partner.example#EXT#@t.onmicrosoft.com" -> alice@partner.example, guest
 *   "WS042$" / "HELIX\WS042$"                  -> ws042$@helix, machine
 *   "root" with host "LabSZ"                   -> root@labsz         (local account)
 *   "ＡＬＩＣＥ@helix.example" (full width)      -> alice@helix.example (NFKC)
 *
 * Case folding and compatibility normalization use ICU's NFKC_Casefold
 * (UTS #46 style), so visually identical spellings of a name land on one
 * account. Pure ASCII — nearly every name — takes a fast path that gives the
 * same result without ICU.
 */
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "auth/auth_internal.h"

#define MAX_NAME 512

static bool all_ascii(vg_str s)
{
    for (size_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] >= 0x80)
            return false;
    return true;
}

/* NFKC + case fold of s into the arena. NULL when s is not usable. */
static char *fold(vg_arena *a, vg_str s)
{
    if (all_ascii(s)) {
        char *o = vg_arena_alloc(a, s.n + 1);
        for (size_t i = 0; i < s.n; i++) {
            char c = s.p[i];
            o[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        o[s.n] = '\0';
        return o;
    }
    UErrorCode ec = U_ZERO_ERROR;
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&ec);
    if (U_FAILURE(ec))
        return vg_arena_strndup(a, s.p, s.n);
    UChar in[MAX_NAME], out[MAX_NAME * 2];
    int32_t in_len = 0;
    u_strFromUTF8WithSub(in, MAX_NAME, &in_len, s.p, (int32_t)s.n, 0xFFFD, NULL, &ec);
    if (U_FAILURE(ec) || in_len > MAX_NAME)
        return NULL;
    int32_t out_len = unorm2_normalize(nf, in, in_len, out, MAX_NAME * 2, &ec);
    if (U_FAILURE(ec))
        return NULL;
    char *o = vg_arena_alloc(a, (size_t)out_len * 3 + 1);
    int32_t o_len = 0;
    u_strToUTF8(o, out_len * 3 + 1, &o_len, out, out_len, &ec);
    if (U_FAILURE(ec))
        return NULL;
    o[o_len] = '\0';
    return o;
}

bool vg_auth__is_nil(vg_str s)
{
    s = vg_str_trim(s);
    return s.n == 0 || vg_str_eq_cstr(s, "-") || vg_str_eq_ci(s, VG_STR("null")) ||
           vg_str_eq_ci(s, VG_STR("(null)")) || vg_str_eq_ci(s, VG_STR("n/a"));
}

bool vg_auth__is_guid(vg_str s)
{
    if (s.n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        char c = s.p[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

const char *vg_auth__lower(vg_arena *a, vg_str s)
{
    char *o = vg_arena_alloc(a, s.n + 1);
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        o[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    o[s.n] = '\0';
    return o;
}

bool vg_auth_normalize_account(vg_arena *a, vg_str raw, const char *default_domain,
                               const char **account, const char **domain, uint32_t *flags)
{
    *account = "";
    *domain = "";
    uint32_t fl = 0;
    vg_str s = vg_str_trim(raw);
    if (s.n >= 2 && ((s.p[0] == '"' && s.p[s.n - 1] == '"') || (s.p[0] == '\'' && s.p[s.n - 1] == '\'')))
        s = vg_str_trim(vg_str_sub(s, 1, s.n - 2));
    if (vg_auth__is_nil(s) || s.n > MAX_NAME || memchr(s.p, '\0', s.n)) {
        if (flags)
            *flags = VG_ACCT_UNKNOWN_NAME;
        return false;
    }
    for (size_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] < 0x20) {
            if (flags)
                *flags = VG_ACCT_UNKNOWN_NAME;
            return false;
        }

    vg_str user = s, dom = VG_STR_NULL;
    ptrdiff_t bs = vg_str_chr(s, '\\');
    ptrdiff_t ext = vg_str_find_ci(s, VG_STR("#EXT#"));
    if (ext >= 0) {
        /* B2B guest: <local>_<home domain>#EXT#@<tenant> */
        fl |= VG_ACCT_GUEST;
        vg_str local = vg_str_sub(s, 0, (size_t)ext);
        ptrdiff_t us = vg_str_rchr(local, '_');
        if (us > 0 && (size_t)us + 1 < local.n) {
            user = vg_str_sub(local, 0, (size_t)us);
            dom = vg_str_sub(local, (size_t)us + 1, SIZE_MAX);
        } else {
            user = local;
        }
    } else if (bs >= 0) {
        dom = vg_str_sub(s, 0, (size_t)bs);
        user = vg_str_sub(s, (size_t)bs + 1, SIZE_MAX);
    } else {
        ptrdiff_t at = vg_str_rchr(s, '@');
        if (at > 0 && (size_t)at + 1 < s.n) {
            user = vg_str_sub(s, 0, (size_t)at);
            dom = vg_str_sub(s, (size_t)at + 1, SIZE_MAX);
        } else if (at == 0 || (at > 0 && (size_t)at + 1 == s.n)) {
            user = vg_str_make(s.p + (at == 0 ? 1 : 0), s.n - 1);
        }
    }
    user = vg_str_trim(user);
    dom = vg_str_trim(dom);
    if (user.n == 0) {
        if (flags)
            *flags = VG_ACCT_UNKNOWN_NAME;
        return false;
    }
    if (user.p[user.n - 1] == '$')
        fl |= VG_ACCT_MACHINE;
    if (vg_auth__is_guid(user) && dom.n == 0)
        fl |= VG_ACCT_UNKNOWN_NAME;

    char *u = fold(a, user);
    if (!u) {
        if (flags)
            *flags = VG_ACCT_UNKNOWN_NAME;
        return false;
    }
    char *d = NULL;
    if (dom.n) {
        d = fold(a, dom);
        if (d) { /* a trailing dot of a DNS name is not part of it */
            size_t dl = strlen(d);
            while (dl && d[dl - 1] == '.')
                d[--dl] = '\0';
            if (!dl)
                d = NULL;
        }
    }
    if (!d && default_domain && *default_domain)
        d = (char *)vg_auth__lower(a, vg_str_from(default_domain));
    if (d) {
        *account = vg_arena_printf(a, "%s@%s", u, d);
        *domain = d;
    } else {
        *account = u;
    }
    if (flags)
        *flags = fl;
    return true;
}
