/* phish_domain.c — domains for the phishing detectors: registrable domains
 * (libpsl), NFKC case folding and UTS #39 skeletons (ICU), IDN (libidn2), and
 * the look-alike test against protected domains (brands and the
 * organization's own).
 *
 * Look-alike methods, in order:
 *   confusable  the skeleton of the registrable domain equals a protected
 *               one's (IDN homoglyphs "pаypal.com", "paypa1.com", "rnicrosoft").
 *               ICU's table maps the digit 0 to capital O, so skeletons are
 *               case-folded after they are taken.
 *   other TLD   same label (or same label skeleton), another suffix.
 *   swap        a label of the host, or a hyphenated word of one, writes a
 *               protected name with look-alike letters: i/l/1, 0/o, rn/m,
 *               vv/w, cl/d ("careers.careers-linkedln.com").
 *   edit        Damerau-Levenshtein distance on the label, scaled to its
 *               length: none under 5 letters (a three-letter label is one
 *               edit away from hundreds of real domains), 1 up to 8, 2 above.
 *   subdomain   the protected domain or label as a subdomain of another
 *               registrable domain ("paypal.com.account-check.net").
 *   word        the protected label plus a hyphenated or extra word
 *               ("paypal-secure.org", "paypalsecurity.com"); a label under
 *               four letters only with its whole domain hyphenated
 *               ("who-int.org", "who-int-covid.com").
 * A host whose own registrable domain is protected (or allowed) is never a
 * look-alike. Verdicts are cached per host (phish_host.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "phish_internal.h"

const char *ph_reg_domain_uncached(vg_arena *a, const char *host)
{
    return host && *host ? vg_arena_strdup(a, vg_mail_reg_domain(host)) : "";
}

uint64_t ph_char_mask(const char *s, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        unsigned bit = ch >= 'a' && ch <= 'z'   ? (unsigned)(ch - 'a')
                       : ch >= '0' && ch <= '9' ? 26u + (unsigned)(ch - '0')
                       : ch == '-'              ? 36u
                                                : 37u + ch % 27u;
        m |= (uint64_t)1 << bit;
    }
    return m;
}

void ph_split_reg(const char *reg, const char **label, size_t *label_len, const char **suffix)
{
    const char *dot = strchr(reg, '.');
    *label = reg;
    *label_len = dot ? (size_t)(dot - reg) : strlen(reg);
    *suffix = dot ? dot + 1 : "";
}

bool ph_is_freemail_uncached(const vg_phish_engine *e, const char *reg)
{
    return reg && *reg && ph_strmap_get(&e->freemail, reg, strlen(reg), NULL);
}

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return false;
    }
    return true;
}

char *ph_ascii_lower(vg_arena *a, const char *s, size_t n)
{
    char *r = vg_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        r[i] = (char)tolower((unsigned char)s[i]);
    r[n] = 0;
    return r;
}

const char *ph_casefold(vg_arena *a, const char *s, size_t n)
{
    if (all_ascii(s, n)) {
        char *r = vg_arena_strndup(a, s, n);
        for (char *p = r; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        return r;
    }
    if (n > 4096)
        n = 4096;
    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0;
    UChar *u = vg_arena_alloc(a, (n + 1) * sizeof(UChar));
    u_strFromUTF8WithSub(u, (int32_t)n + 1, &ulen, s, (int32_t)n, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        return vg_arena_strndup(a, s, n);
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&st);
    int32_t cap = ulen * 4 + 16;
    UChar *o = vg_arena_alloc(a, (size_t)cap * sizeof(UChar));
    int32_t olen = unorm2_normalize(nf, u, ulen, o, cap, &st);
    if (U_FAILURE(st))
        return vg_arena_strndup(a, s, n);
    int32_t blen = 0;
    char *out = vg_arena_alloc(a, (size_t)olen * 3 + 1);
    st = U_ZERO_ERROR;
    u_strToUTF8WithSub(out, olen * 3 + 1, &blen, o, olen, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        return vg_arena_strndup(a, s, n);
    out[blen] = 0;
    return out;
}

/* UTS #39 skeleton = NFD, then each code point replaced by its prototype,
 * then NFD again. For ASCII input NFD changes nothing, so when every
 * character's prototype is ASCII the skeleton is the concatenation of the
 * characters' skeletons, and case folding it is tolower(): one table. */
void ph_skeleton_init(vg_phish_engine *e)
{
    for (int ch = 0; ch < 128; ch++) {
        e->skel_ascii_len[ch] = 0xFF;
        if (ch == 0)
            continue;
        char in = (char)ch, buf[16];
        UErrorCode st = U_ZERO_ERROR;
        int32_t len = uspoof_getSkeletonUTF8(e->spoof, 0, &in, 1, buf, sizeof buf, &st);
        if (U_FAILURE(st) || len < 0 || len > (int32_t)sizeof e->skel_ascii[ch])
            continue;
        bool ascii = true;
        for (int32_t i = 0; i < len; i++)
            ascii &= (unsigned char)buf[i] < 0x80 && buf[i] != 0;
        if (!ascii)
            continue;
        for (int32_t i = 0; i < len; i++)
            e->skel_ascii[ch][i] = (char)tolower((unsigned char)buf[i]);
        e->skel_ascii_len[ch] = (uint8_t)len;
    }
}

static const char *skeleton_ascii(const vg_phish_engine *e, vg_arena *a, const char *s, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80 || e->skel_ascii_len[ch] == 0xFF)
            return NULL;
        total += e->skel_ascii_len[ch];
    }
    if (total >= 4095)
        return NULL;
    char *out = vg_arena_alloc(a, total + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        memcpy(out + k, e->skel_ascii[ch], e->skel_ascii_len[ch]);
        k += e->skel_ascii_len[ch];
    }
    out[k] = 0;
    return out;
}

const char *ph_skeleton(vg_phish_engine *e, vg_arena *a, const char *s, size_t n)
{
    if (n > 1024)
        n = 1024;
    const char *fast = skeleton_ascii(e, a, s, n);
    if (fast)
        return fast;
    char buf[4096];
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = uspoof_getSkeletonUTF8(e->spoof, 0, s, (int32_t)n, buf, sizeof buf - 1, &st);
    if (U_FAILURE(st) || len < 0 || len >= (int32_t)sizeof buf)
        return ph_casefold(a, s, n);
    buf[len] = 0;
    return ph_casefold(a, buf, (size_t)len);
}

const char *ph_unicode_host(vg_arena *a, const char *host)
{
    if (!host || !strstr(host, "xn--"))
        return host;
    char *u = NULL;
    if (idn2_to_unicode_8z8z(host, &u, 0) == IDN2_OK && u) {
        const char *r = vg_arena_strdup(a, u);
        idn2_free(u);
        return r;
    }
    idn2_free(u);
    return host;
}

const char *ph_look_method_text(ph_look_method m)
{
    switch (m) {
    case LA_CONFUSABLE:
        return "is confusable with";
    case LA_IDN:
        return "is an internationalized (punycode) look-alike of";
    case LA_EDIT:
        return "is a misspelling of";
    case LA_SWAP:
        return "swaps look-alike letters or digits of";
    case LA_SUBDOMAIN:
        return "puts the name of";
    case LA_WORD:
        return "adds a word to the name of";
    case LA_TLD:
        return "copies the name of";
    default:
        return "resembles";
    }
}

/* Optimal string alignment distance, with an early exit above max. */
static int osa_distance(const char *a, size_t n, const char *b, size_t m, int max)
{
    if (n > 63 || m > 63)
        return max + 1;
    int d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int rowmin = 1 << 20;
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[n][m];
}

/* Has x more than max bits set? (No popcount instruction on baseline x86-64.) */
static bool more_bits_than(uint64_t x, int max) { return __builtin_popcountll(x) > max; }

int ph_edit_budget(size_t len)
{
    if (len < 5)
        return 0;
    if (len <= 8)
        return 1;
    return 2;
}

/* Words that phishing domains glue to a brand. */
static bool phishy_word(const char *w, size_t n)
{
    static const char *const words[] = {
        "secure", "security", "login", "logon", "signin", "sign", "verify", "verification",
        "account", "accounts", "support", "service", "services", "update", "help", "online",
        "billing", "auth", "id", "team", "mail", "app", "web", "center", "centre", "confirm",
        "alert", "alerts", "notice", "info", "customer", "care", "portal", "access", "wallet",
        "pay", "payment", "payments", "bank", "banking", "official", "group", "helpdesk",
        "check", "safe", "safety", "recovery", "unlock", "validate", "validation", "client",
        "clients", "us", "usa", "uk", "inc", "corp", "hr", "jobs", "careers", "career",
        "recruit", "recruiting", "recruitment", "hiring", "notification", "notifications",
        "document", "documents", "docs", "file", "files", "share", "drive", "cloud", "office",
        "outlook", "mailbox", "webmail", "my", "www", "net", "int", "org", "global", "news",
        "express", "delivery", "parcel", "tracking", "track", "ship", "shipping", "post",
        "invoice", "refund", "reward", "rewards", "bonus", "gift", "promo", "covid", "vaccine",
        "health", "relief", "fund", "grant", "claim", "now", "live", "system", "systems", NULL};
    for (const char *const *p = words; *p; p++) {
        if (strlen(*p) == n && strncmp(*p, w, n) == 0)
            return true;
    }
    return false;
}

static bool strict_brand(const vg_phish_engine *e, int prot) { return e->prot[prot].strict; }

/* True if rest (after a hyphen) begins with the public suffix of protected
 * domain prot written with hyphens for dots ("int" of who.int, "co-uk"),
 * followed by the end of the label or another hyphen. */
static bool spells_suffix(const vg_phish_engine *e, int prot, const char *rest, size_t n)
{
    const char *sfx = e->prot[prot].suffix;
    size_t sl = sfx ? strlen(sfx) : 0;
    if (sl == 0 || sl > n)
        return false;
    for (size_t k = 0; k < sl; k++) {
        char want = sfx[k] == '.' ? '-' : sfx[k];
        if (rest[k] != want)
            return false;
    }
    return sl == n || rest[sl] == '-';
}

/* Brand + word in one label: "paypal-secure", "secure-paypal", "paypalsecure".
 * *phishy tells whether the added word is one phishing domains use. */
static bool word_match(const vg_phish_engine *e, const char *label, size_t ll, int *prot,
                       bool *phishy)
{
    *phishy = false;
    /* hyphen tokens */
    size_t i = 0;
    bool hyphen = memchr(label, '-', ll) != NULL;
    while (hyphen && i < ll) {
        size_t j = i;
        while (j < ll && label[j] != '-')
            j++;
        intptr_t v;
        /* a short name is a word only when the whole protected domain is
         * spelled with hyphens: "who-int", "who-int-covid" (who.int) */
        if (j - i >= 2 && j - i < 4 && j < ll &&
            ph_strmap_get(&e->prot_labels, label + i, j - i, &v) &&
            spells_suffix(e, (int)v, label + j + 1, ll - j - 1)) {
            *prot = (int)v;
            *phishy = true;
            return true;
        }
        if (j - i >= 4 && ph_strmap_get(&e->prot_labels, label + i, j - i, &v)) {
            /* the other tokens must be "phishy" for ambiguous brand words */
            bool ok = !strict_brand(e, (int)v);
            if (!ok) {
                size_t k = 0;
                ok = true;
                while (k < ll) {
                    size_t t = k;
                    while (t < ll && label[t] != '-')
                        t++;
                    if (!(k == i) && !phishy_word(label + k, t - k))
                        ok = false;
                    k = t + 1;
                }
            }
            if (ok) {
                *prot = (int)v;
                size_t k = 0;
                while (k < ll) {
                    size_t t = k;
                    while (t < ll && label[t] != '-')
                        t++;
                    if (k != i && phishy_word(label + k, t - k))
                        *phishy = true;
                    k = t + 1;
                }
                return true;
            }
        }
        i = j + 1;
    }
    /* concatenations: prefix or suffix is a protected label, the rest a word
     * of at least four letters ("internet" is not "inter" + "net") */
    for (size_t cut = 4; cut + 4 <= ll; cut++) {
        intptr_t v;
        if (cut >= 5 && ph_strmap_get(&e->prot_labels, label, cut, &v) &&
            phishy_word(label + cut, ll - cut)) {
            *prot = (int)v;
            *phishy = true;
            return true;
        }
        if (ll - cut >= 5 && cut >= 4 && ph_strmap_get(&e->prot_labels, label + cut, ll - cut, &v) &&
            phishy_word(label, cut)) {
            *prot = (int)v;
            *phishy = true;
            return true;
        }
    }
    return false;
}

/* Folds the letters and digits that look alike in a host name to one
 * form: i, l, 1, | -> l; 0 -> o; rn -> m; vv -> w; cl -> d. Lower-case ASCII
 * only (anything else folds to itself). Returns the length written. */
size_t ph_visual_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        char ch = (char)tolower((unsigned char)s[i]);
        char nx = i + 1 < n ? (char)tolower((unsigned char)s[i + 1]) : 0;
        if (ch == 'i' || ch == '1' || ch == '|')
            ch = 'l';
        else if (ch == '0')
            ch = 'o';
        else if (ch == 'r' && nx == 'n')
            ch = 'm', i++;
        else if (ch == 'v' && nx == 'v')
            ch = 'w', i++;
        else if (ch == 'c' && nx == 'l')
            ch = 'd', i++;
        out[k++] = ch;
    }
    out[k] = 0;
    return k;
}

/* A label of host, or a hyphen-separated word of one, that writes a
 * protected name with look-alike letters ("careers.careers-linkedln.com",
 * "paypa1-secure.net"). The protected name written correctly is the
 * subdomain / word methods' case. name_len: the host without its public
 * suffix. */
static bool token_swap(const vg_phish_engine *e, const char *host, size_t name_len, int *prot)
{
    size_t i = 0;
    while (i < name_len) {
        size_t j = i;
        while (j < name_len && host[j] != '.' && host[j] != '-')
            j++;
        size_t tl = j - i;
        intptr_t v;
        if (tl >= 5 && tl < 64) {
            char ft[64];
            size_t fl = ph_visual_fold(host + i, tl, ft, sizeof ft);
            /* the protected labels of 5-63 letters with this fold, in index
             * order (phish_data.c), minus the one the token spells exactly */
            if (ph_strmap_get(&e->prot_fold, ft, fl, &v)) {
                for (int p = (int)v; p >= 0; p = e->prot[p].fold_next) {
                    const ph_protected *pp = &e->prot[p];
                    if (pp->label_len == tl && strncmp(pp->label, host + i, tl) == 0)
                        continue;
                    *prot = p;
                    return true;
                }
            }
        }
        i = j + 1;
    }
    return false;
}

/* Does the first occurrence of protected domain i in host stand inside its
 * subdomain part (sub_len bytes) at word boundaries? */
static bool subdomain_hit(const vg_phish_engine *e, const char *sub, size_t sub_len, int i)
{
    const char *pd = e->prot[i].domain;
    size_t pdl = strlen(pd);
    const char *hit = pdl < sub_len + 1 ? strstr(sub, pd) : NULL;
    return hit && hit + pdl <= sub + sub_len && (hit == sub || hit[-1] == '.' || hit[-1] == '-') &&
           (hit[pdl] == '.' || hit[pdl] == '-');
}

static bool allowed_for(const ph_ctx *c, int prot, const char *reg)
{
    const vg_phish_engine *e = c->eng;
    int b = e->prot[prot].brand;
    if (b < 0 || e->allow.n == 0)
        return false;
    char key[512];
    snprintf(key, sizeof key, "%d|%s", b, reg);
    return ph_strmap_get(&e->allow, key, strlen(key), NULL);
}

static bool compute(ph_ctx *c, const char *host, ph_lookalike *out)
{
    vg_phish_engine *e = c->eng;
    vg_arena *a = c->a;
    const char *reg = ph_reg_domain(e, host);
    if (ph_brand_of_domain(e, reg) >= 0 || ph_org_of_domain(e, reg) >= 0 ||
        ph_brand_of_domain(e, host) >= 0)
        return false;
    /* known services are what they are (their abuse is judged elsewhere) */
    if (ph_host_known(e, host))
        return false;
    if (ph_is_freemail(e, reg))
        return false;
    const char *label, *suffix;
    size_t ll;
    ph_split_reg(reg, &label, &ll, &suffix);
    if (ll == 0 || !*suffix)
        return false;
    const char *ureg = ph_unicode_host(a, reg);
    bool idn = ureg != reg;
    /* 1. skeleton of the registrable domain */
    const char *sk = ph_skeleton(e, a, ureg, strlen(ureg));
    intptr_t v;
    if (ph_strmap_get(&e->prot_skel, sk, strlen(sk), &v) && strcmp(e->prot[v].domain, reg) != 0) {
        out->prot = (int)v;
        out->method = idn ? LA_IDN : LA_CONFUSABLE;
        for (const char *p = reg; *p && !idn; p++) {
            if (isdigit((unsigned char)*p))
                out->method = LA_SWAP;
        }
        return true;
    }
    /* 2. same label (or label skeleton), another suffix */
    const char *ulabel = ureg;
    size_t ull = strcspn(ureg, ".");
    const char *lsk = ph_skeleton(e, a, ulabel, ull);
    if (ph_strmap_get(&e->prot_label_skel, lsk, strlen(lsk), &v)) {
        const ph_protected *p = &e->prot[v];
        bool same_label = strlen(p->label) == ll && strncmp(p->label, label, ll) == 0;
        if (strcmp(p->suffix, suffix) != 0) {
            out->prot = (int)v;
            out->method = same_label ? LA_TLD : (idn ? LA_IDN : LA_SWAP);
            return true;
        }
    }
    /* 3. a label or word of the host writes a protected name with
     * look-alike letters */
    {
        size_t hl0 = strlen(host), sl = strlen(suffix);
        int tp;
        if (!idn && hl0 > sl + 1 && token_swap(e, host, hl0 - sl - 1, &tp)) {
            out->prot = tp;
            out->method = LA_SWAP;
            return true;
        }
    }
    /* 4. small edit distance on the label: only labels whose length and
     * letters are within the budget (ph_char_mask) are compared */
    int budget = ph_edit_budget(ll);
    if (budget > 0 && !idn && ll <= 63) {
        int best = budget + 1, besti = -1;
        uint64_t lmask = ph_char_mask(label, ll);
        /* osa_distance() compares labels of at most 63 letters */
        size_t lo = ll - (size_t)budget, hi = ll + (size_t)budget < 63 ? ll + (size_t)budget : 63;
        for (size_t k = e->edit_at[lo]; k < e->edit_at[hi + 1]; k++) {
            const ph_edit_entry *x = &e->edit[k];
            int lim = x->budget < budget ? x->budget : budget;
            if (more_bits_than(lmask ^ x->chars, 2 * lim))
                continue;
            const ph_protected *p = &e->prot[x->prot];
            size_t pl = p->label_len;
            if ((pl > ll ? pl - ll : ll - pl) > (size_t)lim)
                continue;
            int d = osa_distance(label, ll, p->label, pl, lim);
            if (d > 0 && d <= lim && (d < best || (d == best && x->prot < besti))) {
                best = d;
                besti = x->prot;
            }
        }
        if (besti >= 0) {
            out->prot = besti;
            out->method = LA_EDIT;
            out->distance = best;
            return true;
        }
    }
    /* 5. a protected domain or label as a subdomain */
    size_t hl = strlen(host), rl = strlen(reg);
    if (hl > rl + 1) {
        size_t sub_len = hl - rl - 1; /* "paypal.com.secure" of "paypal.com.secure.evil.net" */
        const char *sub = host;
        /* every stretch of the subdomain part between word boundaries that
         * spells a protected domain; of those that pass the test of their
         * first occurrence, the first in index order */
        int first = -1;
        for (size_t from = 0; from < sub_len; from++) {
            if (from > 0 && sub[from - 1] != '.' && sub[from - 1] != '-')
                continue;
            for (size_t to = from + 1; to <= sub_len && to - from <= e->prot_domain_max; to++) {
                if (sub[to] != '.' && sub[to] != '-')
                    continue;
                if (ph_strmap_get(&e->prot_domains, sub + from, to - from, &v) &&
                    (first < 0 || (int)v < first) && subdomain_hit(e, sub, sub_len, (int)v))
                    first = (int)v;
            }
        }
        if (first >= 0) {
            out->prot = first;
            out->method = LA_SUBDOMAIN;
            out->distance = 1; /* the whole protected domain */
            return true;
        }
        /* labels of the subdomain part */
        size_t i = 0;
        while (i < sub_len) {
            size_t j = i;
            while (j < sub_len && sub[j] != '.')
                j++;
            if (j - i >= 5 && ph_strmap_get(&e->prot_labels, sub + i, j - i, &v) &&
                !strict_brand(e, (int)v)) {
                out->prot = (int)v;
                out->method = LA_SUBDOMAIN;
                return true;
            }
            int pw;
            bool ph;
            if (j - i >= 6 && word_match(e, sub + i, j - i, &pw, &ph) && !strict_brand(e, pw)) {
                out->prot = pw;
                out->method = LA_SUBDOMAIN;
                return true;
            }
            i = j + 1;
        }
    }
    /* 6. brand + word */
    int pw;
    bool phishy;
    if (word_match(e, label, ll, &pw, &phishy)) {
        out->prot = pw;
        out->method = LA_WORD;
        out->distance = phishy ? 1 : 0;
        return true;
    }
    return false;
}

bool ph_lookalike_check(ph_ctx *c, const char *host, ph_lookalike *out)
{
    memset(out, 0, sizeof *out);
    out->prot = -1;
    if (!host || !*host || strlen(host) > 253)
        return false;
    vg_phish_engine *e = c->eng;
    intptr_t *slot;
    if (!ph_host_look(e, host, &slot)) {
        ph_lookalike r = {LA_NONE, -1, 0};
        bool hit = compute(c, host, &r);
        *slot = hit ? ((intptr_t)(r.prot + 1) << 8) | ((intptr_t)r.distance << 4) | r.method : 0;
    }
    intptr_t v = *slot;
    if (!v)
        return false;
    out->method = (ph_look_method)(v & 15);
    out->distance = (int)((v >> 4) & 15);
    out->prot = (int)(v >> 8) - 1;
    /* allow-listed partner domains are not look-alikes */
    if (allowed_for(c, out->prot, ph_reg_domain(c->eng, host)))
        return false;
    return true;
}
