/* phish_sender.c — who does the message claim to be from? Brand, executive
 * (VIP) and organization claims in the display name, the subject and the
 * signature, checked against the domain that really sent it.
 *
 * A display name claims a brand when, after NFKC case folding, it contains a
 * brand keyword as whole words — or, to see through disguises, when its
 * UTS #39 skeleton does (homoglyphs), or when its letters do once spaces and
 * dots between single letters are removed ("C o i n b a s e"). Acronyms
 * (WHO, UPS) match case-sensitively, so "who" the English word never does.
 * Brands whose name is a common word (Apple, Chase, Target, Orange) are
 * claimed only by the brand alone or with service words ("Apple Support").
 * An affiliation phrase ("WHO Collaborating Centre") is not a claim.
 *
 * The claim is legitimate when the sender's domain is the brand's (not a
 * free-mail domain), an allowed partner's (mail.allow), or an applicant-
 * tracking / e-signature platform and the message is authenticated. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>

#include "phish_internal.h"

static bool is_wordch(unsigned char c) { return isalnum(c) || c >= 0x80; }

bool ph_word_find(const char *hay, size_t n, const char *needle, bool case_sensitive)
{
    size_t m = strlen(needle);
    if (m == 0 || m > n)
        return false;
    int first = case_sensitive ? (unsigned char)needle[0] : tolower((unsigned char)needle[0]);
    for (size_t i = 0; i + m <= n; i++) {
        int h = case_sensitive ? (unsigned char)hay[i] : tolower((unsigned char)hay[i]);
        if (h != first)
            continue; /* cheap test of the first byte before comparing */
        bool eq = case_sensitive ? memcmp(hay + i, needle, m) == 0
                                 : strncasecmp(hay + i, needle, m) == 0;
        if (!eq)
            continue;
        bool left = i == 0 || !is_wordch((unsigned char)hay[i - 1]) || !is_wordch((unsigned char)needle[0]);
        bool right = i + m == n || !is_wordch((unsigned char)hay[i + m]) ||
                     !is_wordch((unsigned char)needle[m - 1]);
        if (left && right)
            return true;
    }
    return false;
}

/* Words a brand's own display names are made of ("Apple Support"). */
static bool service_word(const char *w, size_t n)
{
    static const char *const words[] = {
        "support", "team", "service", "services", "security", "account", "accounts", "billing",
        "customer", "customers", "care", "help", "helpdesk", "center", "centre", "no-reply",
        "noreply", "notification", "notifications", "alert", "alerts", "online", "id", "pay",
        "inc", "ltd", "llc", "official", "bank", "card", "cards", "mail", "info", "admin",
        "store", "shop", "app", "store", "prime", "the", "de", "du", "la", "le", "do", "da",
        "via", "and", "&", "-", "|", ":", "corp", "corporation", "group", "banking", "express",
        "wallet", "verification", "verify", "update", "updates", "news", "rewards", "desk", NULL};
    for (const char *const *p = words; *p; p++) {
        if (strlen(*p) == n && strncmp(*p, w, n) == 0)
            return true;
    }
    return false;
}

static bool word_in_phrase(const char *phrase, const char *w, size_t n)
{
    const char *q = phrase;
    while (*q) {
        while (*q == ' ')
            q++;
        const char *t = q;
        while (*q && *q != ' ')
            q++;
        if ((size_t)(q - t) == n && strncmp(t, w, n) == 0)
            return true;
    }
    return false;
}

/* Is the rest of name (casefolded), minus the keyword, made of service words? */
static bool only_service_words(const char *name, const char *kw)
{
    const char *p = name;
    while (*p) {
        while (*p && !is_wordch((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && (is_wordch((unsigned char)*p) || *p == '-'))
            p++;
        size_t n = (size_t)(p - s);
        if (!word_in_phrase(kw, s, n) && !service_word(s, n))
            return false;
    }
    return true;
}

/* "C o i n b a s e", "P.a.y.P.a.l": four or more single-letter tokens. */
static bool letter_spaced(const char *s)
{
    int singles = 0;
    const char *p = s;
    while (*p) {
        while (*p && !is_wordch((unsigned char)*p))
            p++;
        const char *t = p;
        while (*p && is_wordch((unsigned char)*p)) {
            unsigned char c = (unsigned char)*p;
            p++;
            if (c >= 0x80)
                while ((*p & 0xC0) == 0x80)
                    p++;
        }
        /* a token of exactly one code point */
        if (p > t) {
            size_t len = (size_t)(p - t);
            unsigned char c0 = (unsigned char)t[0];
            size_t cp_len = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
            if (len == cp_len)
                singles++;
        }
    }
    return singles >= 4;
}

static char *compact(vg_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *r = vg_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_wordch((unsigned char)s[i]))
            r[k++] = s[i];
    }
    r[k] = 0;
    return r;
}

/* The keyword occurs only inside "( )" and a name stands outside: an
 * affiliation ("tip-bot2 for Jane Doe (Google)"), not the sender's identity. */
static bool in_parentheses_only(const char *name, const char *kw)
{
    const char *open = strchr(name, '(');
    const char *close = open ? strchr(open, ')') : NULL;
    if (!open || !close)
        return false;
    size_t kl = strlen(kw);
    /* outside text */
    char outside[512];
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < sizeof outside; p++) {
        if (p >= open && p <= close)
            continue;
        outside[k++] = *p;
    }
    outside[k] = 0;
    if (ph_word_find(outside, k, kw, false))
        return false;
    if (!ph_word_find(open, (size_t)(close - open), kw, false))
        return false;
    (void)kl;
    return !only_service_words(outside, kw);
}

/* Drops combining marks that decorate letters in spam ("Apܿplܿe"): NFKC has
 * already composed real accents, so what is left over is decoration. */
static const char *strip_marks(vg_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *r = vg_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = vg_utf8_decode((const uint8_t *)s + i, n - i, &cp);
        if (!l) {
            i++;
            continue;
        }
        if (!(u_charType((UChar32)cp) == U_NON_SPACING_MARK ||
              u_charType((UChar32)cp) == U_ENCLOSING_MARK || u_charType((UChar32)cp) == U_FORMAT_CHAR)) {
            memcpy(r + k, s + i, l);
            k += l;
        }
        i += l;
    }
    r[k] = 0;
    return r;
}

typedef struct claim {
    int brand;
    bool obfuscated;
    const char *how;
    size_t kw_len;
} claim;

/* Brand claimed by a display name, or -1. */
static claim name_claim(ph_ctx *c, const char *name)
{
    claim best = {-1, false, NULL, 0};
    if (!name || !*name)
        return best;
    vg_phish_engine *e = c->eng;
    const char *nm = strip_marks(c->a, name);
    const char *norm = ph_casefold(c->a, nm, strlen(nm));
    /* skeleton of the original letters, case-folded after (I -> l, 0 -> O) */
    const char *skel = ph_skeleton(e, c->a, nm, strlen(nm));
    bool spaced = letter_spaced(norm);
    const char *comp = spaced ? compact(c->a, skel) : NULL;
    size_t nl = strlen(norm), sl = strlen(skel);
    /* candidate brands first (vectorscan), then the checks */
    unsigned char *cand = vg_arena_calloc(c->a, e->n_brands ? e->n_brands : 1, 1);
    const char *forms[2] = {skel, comp ? comp : ""};
    ph_brand_candidates(c, name, strlen(name), forms, 2, cand);
    for (size_t b = 0; b < e->n_brands; b++) {
        if (!cand[b])
            continue;
        const ph_brand *br = &e->brands[b];
        bool affiliate = false;
        for (size_t k = 0; k < br->n_affiliations; k++)
            affiliate |= strstr(norm, br->affiliations[k]) != NULL;
        if (affiliate)
            continue;
        for (size_t k = 0; k < br->n_keywords; k++) {
            const char *kw = br->keywords[k];
            size_t kl = strlen(kw);
            if (kl < 3 || kl <= best.kw_len)
                continue;
            bool plain = ph_word_find(norm, nl, kw, false);
            bool homo = !plain && ph_word_find(skel, sl, br->keywords_skel[k], false);
            bool sp = !plain && !homo && comp && br->keywords_compact[k][0] &&
                      strstr(comp, br->keywords_compact[k]) != NULL;
            if (!plain && !homo && !sp)
                continue;
            if (plain && in_parentheses_only(norm, kw))
                continue; /* "Jane Doe (Google)": a person's employer */
            if (br->strict && !only_service_words(plain ? norm : skel, plain ? kw : br->keywords_skel[k]))
                continue;
            best = (claim){(int)b, homo || sp, homo ? "look-alike letters" : sp ? "spaced letters" : NULL,
                           kl};
        }
        /* the display name is the brand's name, alone or with service words
         * ("LEDGER", "Ledger Support", "Iedger") */
        if (best.brand < 0 && strlen(br->name) >= 5) {
            const char *bn = br->name_norm;
            const char *bs = br->name_skel;
            bool plain_n = ph_word_find(norm, nl, bn, false) && only_service_words(norm, bn);
            bool skel_n = !plain_n && ph_word_find(skel, sl, bs, false) && only_service_words(skel, bs);
            if (plain_n || skel_n)
                best = (claim){(int)b, skel_n, skel_n ? "look-alike letters" : NULL, strlen(bn)};
        }
        if (best.brand < 0 || best.kw_len < 3) {
            for (size_t k = 0; k < br->n_acronyms; k++) {
                if (ph_word_find(name, strlen(name), br->acronyms[k], true) && best.brand < 0) {
                    best = (claim){(int)b, false, NULL, 2};
                }
            }
        }
    }
    return best;
}

/* A display name's claim depends on nothing else: it is kept per engine
 * (senders write again and again under the same name). */
static claim name_claim_cached(ph_ctx *c, const char *name)
{
    vg_htable *t = c->eng->names;
    size_t n = strlen(name);
    void **slot = vg_htable_get(t, name, n);
    if (slot)
        return *(const claim *)*slot;
    claim cl = name_claim(c, name);
    bool created;
    slot = vg_htable_put(t, name, n, INT64_MAX, &created);
    if (slot) {
        claim *kept = vg_xmalloc(sizeof *kept);
        *kept = cl; /* .how is a string literal */
        *slot = kept;
    }
    return cl;
}

/* The subject or the display name names an affiliation of the brand. */
static bool affiliated(ph_ctx *c, const ph_brand *br)
{
    if (!br->n_affiliations)
        return false;
    if (!c->subject_fold) {
        c->subject_fold = ph_casefold(c->a, c->m->subject, strlen(c->m->subject));
        const char *nm = c->from && c->from->name ? c->from->name : NULL;
        c->name_fold = nm ? ph_casefold(c->a, nm, strlen(nm)) : "";
    }
    const char *subj = c->subject_fold, *name = c->name_fold;
    for (size_t k = 0; k < br->n_affiliations; k++) {
        if (strstr(subj, br->affiliations[k]) || strstr(name, br->affiliations[k]))
            return true;
    }
    return false;
}

static bool sender_legit_for(ph_ctx *c, int brand)
{
    vg_phish_engine *e = c->eng;
    if (c->from_freemail)
        return false;
    if (c->from_brand == brand)
        return true;
    char key[512];
    if (e->allow.n > 0) {
        snprintf(key, sizeof key, "%d|%s", brand, c->from_reg);
        if (ph_strmap_get(&e->allow, key, strlen(key), NULL))
            return true;
    }
    if (c->from_platform && c->authenticated)
        return true;
    /* mail from inside the recipient's organization is not impersonation */
    if (c->from_org >= 0 && c->authenticated)
        return true;
    return false;
}

/* An address shown in the display name: "service@paypal.com <x@evil.net>". */
static void display_address(ph_ctx *c, const char *name)
{
    const char *at = strchr(name, '@');
    if (!at || at == name)
        return;
    const char *d = at + 1;
    size_t n = 0;
    while (d[n] && (isalnum((unsigned char)d[n]) || d[n] == '.' || d[n] == '-'))
        n++;
    while (n && d[n - 1] == '.')
        n--;
    if (n < 4 || !memchr(d, '.', n))
        return;
    const char *dom = vg_arena_strndup(c->a, d, n);
    for (char *p = (char *)dom; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *reg = ph_reg_domain(c->eng, dom);
    if (!c->from_reg[0] || strcmp(reg, c->from_reg) == 0)
        return;
    int b = ph_brand_of_domain(c->eng, reg);
    int o = ph_org_of_domain(c->eng, reg);
    if (b >= 0 || o >= 0) {
        ph_impersonate(c, b >= 0 ? c->eng->brands[b].name : c->eng->orgs[o].id, 4);
        ph_fire(c, R_display_name_address,
                "the display name shows an address at %s (%s), but the message comes from %s", dom,
                b >= 0 ? c->eng->brands[b].name : c->eng->orgs[o].id, c->from_domain);
    } else {
        ph_fire(c, R_display_name_address_other,
                "the display name shows an address at %s, but the message comes from %s", dom,
                c->from_domain);
    }
    vg_strlist_add(&c->domains, dom);
}

static void vip_and_org(ph_ctx *c, const char *name)
{
    vg_phish_engine *e = c->eng;
    if (e->n_orgs == 0)
        return;
    const char *norm = name ? ph_casefold(c->a, name, strlen(name)) : "";
    size_t nl = strlen(norm);
    for (size_t o = 0; o < e->n_orgs; o++) {
        if (c->rcpt_org >= 0 && (size_t)c->rcpt_org != o)
            continue;
        const ph_org *org = &e->orgs[o];
        bool inside = c->from_org == (int)o && !c->auth_failed;
        if (inside)
            continue;
        for (size_t v = 0; v < org->n_vips && nl; v++) {
            /* every word of the VIP name, in any order ("Chen, Maria") */
            const char *q = org->vips[v];
            bool all = true;
            int words = 0;
            while (*q) {
                while (*q && !is_wordch((unsigned char)*q))
                    q++;
                const char *t = q;
                while (*q && is_wordch((unsigned char)*q))
                    q++;
                size_t tl = (size_t)(q - t);
                if (tl < 2)
                    continue; /* initials and "dr" */
                char w[128];
                if (tl >= sizeof w)
                    tl = sizeof w - 1;
                memcpy(w, t, tl);
                w[tl] = 0;
                if (strcmp(w, "dr") == 0 || strcmp(w, "prof") == 0)
                    continue;
                words++;
                if (!ph_word_find(norm, nl, w, false))
                    all = false;
            }
            if (all && words >= 2) {
                ph_impersonate(c, org->vips_orig[v], 5);
                ph_fire(c, R_vip_display_name,
                        "the display name \"%s\" is %s of %s, but the sender is %s", name,
                        org->vips_orig[v], org->name ? org->name : org->id,
                        c->from && c->from->addr ? c->from->addr : "unknown");
                if (c->from_freemail)
                    ph_fire(c, R_freemail_vip, "an executive's name is used from the free-mail domain %s",
                            c->from_reg);
                break;
            }
        }
        if (org->name_norm && strlen(org->name_norm) >= 4 && nl &&
            ph_word_find(norm, nl, org->name_norm, false) && c->from_org != (int)o) {
            ph_impersonate(c, org->name, 5);
            ph_fire(c, R_org_display_name,
                    "the display name \"%s\" claims %s, but the sender's domain %s is not the organization's",
                    name, org->name, c->from_domain[0] ? c->from_domain : "(none)");
        }
    }
}

/* The recipients' own domain named in the display name or the subject
 * ("helixbio.example mailbox quota"). */
static void recipient_domain(ph_ctx *c)
{
    const vg_mail_msg *m = c->m;
    if (m->list_id)
        return; /* the list's own address and domain are everywhere */
    const char *name = c->from && c->from->name ? c->from->name : "";
    for (size_t i = 0; i < m->to.n; i++) {
        const char *d = m->to.v[i].domain;
        if (!d || !strchr(d, '.') || strlen(d) < 5)
            continue;
        const char *reg = ph_reg_domain(c->eng, d);
        if (ph_is_freemail(c->eng, reg) || strcmp(reg, c->from_reg) == 0)
            continue;
        if (ph_word_find(name, strlen(name), reg, false) ||
            ph_word_find(m->subject, strlen(m->subject), reg, false)) {
            /* (the list headers are looked up only now: a scan of every header) */
            if (vg_mail_header_get(m, "List-Post") || vg_mail_header_get(m, "Mailing-List"))
                return;
            ph_fire(c, R_recipient_domain_claim,
                    "the %s names the recipient's own domain %s, but the sender is %s",
                    ph_word_find(name, strlen(name), reg, false) ? "display name" : "subject", reg,
                    c->from_domain[0] ? c->from_domain : "unknown");
            return;
        }
    }
}

/* A From address a reply cannot reach: none, no domain, or a domain under
 * no known top-level domain. */
static void sender_validity(ph_ctx *c)
{
    const vg_mail_msg *m = c->m;
    if (!c->from || !c->from->addr) {
        ph_fire(c, R_sender_invalid, "the message has no From address");
        return;
    }
    const char *d = c->from_domain;
    const char *dot = strrchr(d, '.');
    if (!d[0] || !dot) {
        ph_fire(c, R_sender_invalid, "the From address %s has no %s", c->from->addr,
                d[0] ? "top-level domain" : "domain");
        return;
    }
    for (const char *p = d; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!(isalnum(ch) || ch == '-' || ch == '.' || ch == '_')) {
            ph_fire(c, R_sender_invalid, "the From domain %s has characters no domain name can have", d);
            return;
        }
    }
    /* documentation and internal names (RFC 2606, RFC 6761, common private
     * TLDs) are not public but are real names inside an organization */
    static const char *const reserved[] = {"example", "test", "local", "localhost", "internal",
                                           "lan", "corp", "home", "intranet", "private", NULL};
    bool known = false;
    for (const char *const *r = reserved; *r && !known; r++)
        known = strcasecmp(dot + 1, *r) == 0;
    if (!known)
        known = ph_host_public_suffix(c->eng, d);
    if (!known) {
        ph_fire(c, R_sender_invalid, "the From domain %s is under no known top-level domain", d);
        return;
    }
    const char *tld = dot + 1;
    /* two-label registry suffixes ("sa.com") count as TLDs here */
    const char *p2 = dot;
    while (p2 > d && p2[-1] != '.')
        p2--;
    if (p2 > d && ph_strmap_get(&c->eng->abused_tlds, p2, strlen(p2), NULL))
        tld = p2;
    if (ph_strmap_get(&c->eng->abused_tlds, tld, strlen(tld), NULL) && !c->authenticated)
        ph_fire(c, R_sender_abused_tld, "the sender's domain %s is under .%s, much abused for phishing",
                d, tld);
    (void)m;
}

/* Phrases of a display name posing as the mail system or IT support. */
static const char *const admin_phrases[] = {
    "mail admin", "email admin", "e-mail admin", "mail administrator", "email administrator",
    "e-mail administrator", "mailbox administrator", "webmail", "mail server", "email server",
    "e-mail server", "server admin", "system administrator", "system admin", "sysadmin",
    "it support", "it helpdesk", "it help desk", "it department", "it service desk", "helpdesk",
    "help desk", "service desk", "mailbox", "mail delivery", "mail system", "email system",
    "postmaster", "account administrator", "domain administrator", "administrateur",
    "messagerie", "support informatique", "service informatique", "administrador de correo",
    "administrador del sistema", "suporte de ti", "e-mail-administrator", NULL};

static void admin_name(ph_ctx *c, const char *name)
{
    if (!name || c->m->list_id)
        return;
    if (c->from_org >= 0 && !c->auth_failed)
        return; /* the organization's own IT */
    const char *local = c->from && c->from->local ? c->from->local : "";
    if (strcasecmp(local, "mailer-daemon") == 0 || strcasecmp(local, "postmaster") == 0)
        return; /* a real bounce comes from the mail system itself */
    const char *norm = ph_casefold(c->a, name, strlen(name));
    for (const char *const *p = admin_phrases; *p; p++) {
        if (ph_word_find(norm, strlen(norm), *p, false)) {
            ph_fire(c, R_admin_display_name,
                    "the display name \"%s\" poses as the mail system or IT support, but the sender is %s",
                    name, c->from && c->from->addr ? c->from->addr : "unknown");
            return;
        }
    }
}

/* Words of organizations and services, not of a person's name. */
static const char *const org_words[] = {
    "support", "team", "service", "services", "bank", "banco", "banque", "security", "admin",
    "administrator", "center", "centre", "notification", "notifications", "account", "billing",
    "rewards", "reward", "pontos", "comunicado", "protocolo", "department", "official", "helpdesk",
    "customer", "delivery", "courier", "gov", "govt", "ministry", "police", "court", "tax",
    "invoice", "payment", "payments", "portal", "alert", "alerts", "secure", "verification",
    "noreply", "no-reply", "atendimento", "cliente", "clientes", "serviço", "servicos", "serviços",
    "suporte", "receita", "financeiro", "cobrança", "sac", "kundenservice", "kundendienst",
    "klantenservice", "inc", "ltd", "llc", "corporation", "company", "group", "foundation",
    "fund", "treasury", "claims", "refund", "unit", "office", "bureau", "agency", "agence", NULL};

static void freemail_org(ph_ctx *c, const char *name)
{
    if (!name || !c->from_freemail || ph_fired(c, R_freemail_brand) || c->m->list_id)
        return;
    const char *norm = ph_casefold(c->a, name, strlen(name));
    /* "#Do_It_Best_Rewards#", "[BB] - IRPF22-64446799": not a person */
    int deco = 0, digits = 0;
    for (const char *p = name; *p; p++) {
        deco += *p == '#' || *p == '_' || *p == '[' || *p == '*' || *p == '~' || *p == '|';
        digits += isdigit((unsigned char)*p) != 0;
    }
    if (deco >= 2 || (deco >= 1 && digits >= 4)) {
        ph_fire(c, R_freemail_org_name, "the free-mail address %s uses the decorated name \"%s\"",
                c->from->addr, name);
        return;
    }
    for (const char *const *p = org_words; *p; p++) {
        if (ph_word_find(norm, strlen(norm), *p, false)) {
            ph_fire(c, R_freemail_org_name,
                    "the free-mail address %s presents itself as \"%s\"",
                    c->from->addr, name);
            return;
        }
    }
}

/* A free-mail sender pushing a money, account, prize, parcel or job lure
 * (the main lure first, so the reason names the theme that dominates). */
static void freemail_lure(ph_ctx *c)
{
    if (!c->from_freemail || c->m->list_id)
        return;
    static const char *const money[] = {"account", "invoice", "delivery", "prize", "advance_fee",
                                        "crypto", "job-offer", NULL};
    const vg_phish_engine *e = c->eng;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < e->n_lures && i < 32; i++) {
            if ((pass == 0) != ((int)i == c->lure_best))
                continue;
            unsigned total = c->lure_hits[i] + c->lure_subject[i];
            if (!(c->lure_strong[i] || c->lure_subject[i] || total >= 3))
                continue;
            for (const char *const *p = money; *p; p++) {
                if (strcmp(e->lures[i].id, *p) == 0) {
                    ph_fire(c, R_freemail_lure, "a free-mail sender (%s) with a %s lure",
                            c->from_reg, e->lures[i].label);
                    return;
                }
            }
        }
    }
}

/* The company a recruiter says they hire for: the capitalized words after
 * "opportunity at", "recruiting for", "on behalf of"... in the subject or
 * the text ("Clinical Trial Manager - confidential opportunity at Stratus
 * Bio"). Into out; false when no company is named. */
static bool named_employer(const char *t, size_t n, char *out, size_t cap)
{
    static const char *const cues[] = {
        "opportunity at", "opportunities at", "position at", "positions at", "role at",
        "roles at", "job at", "jobs at", "opening at", "openings at", "vacancy at", "career at",
        "careers at", "recruiting for", "recruit for", "hiring for", "on behalf of", "to join",
        "work at", "working at", "offer from", NULL};
    static const char *const skip[] = {"The", "A", "An", "Our", "Your", "This", "That", "My",
                                       "We", "Us", "Me", "You", "It", "Them", NULL};
    for (size_t i = 0; i < n; i++) {
        for (const char *const *q = cues; *q; q++) {
            size_t m = strlen(*q);
            if (i + m >= n || strncasecmp(t + i, *q, m) != 0 || t[i + m] != ' ' ||
                (i > 0 && is_wordch((unsigned char)t[i - 1])))
                continue;
            size_t p = i + m, k = 0, words = 0;
            while (p < n && words < 4) {
                while (p < n && t[p] == ' ')
                    p++;
                size_t w = p;
                while (w < n && (isalnum((unsigned char)t[w]) || t[w] == '&' || t[w] == '-'))
                    w++;
                if (w == p || !isupper((unsigned char)t[p]))
                    break;
                bool stop = false;
                for (const char *const *sk = skip; *sk && !stop; sk++)
                    stop = strlen(*sk) == w - p && strncmp(*sk, t + p, w - p) == 0;
                if (stop && words == 0 && k == 0) {
                    if (strncmp(t + p, "The ", 4) != 0)
                        break; /* "to join us", "on behalf of our client" */
                    p = w;
                    continue;
                }
                if (k + (w - p) + 2 > cap)
                    break;
                if (k)
                    out[k++] = ' ';
                memcpy(out + k, t + p, w - p);
                k += w - p;
                words++;
                p = w;
            }
            if (words > 0) {
                out[k] = 0;
                return true;
            }
        }
    }
    return false;
}

/* A recruiter writing from free-mail for a named company: real recruiters
 * write from the company's (or their agency's, or an applicant-tracking
 * platform's) domain. The 2020 ZINC first contacts ("I am recruiting for
 * Stratus Bio", from outlook.com and yahoo.com). */
static void freemail_recruiter(ph_ctx *c)
{
    if (!c->from_freemail || c->m->list_id || !ph_lure_present(c, "job-offer"))
        return;
    char employer[128];
    if (!named_employer(c->text, c->text_len, employer, sizeof employer))
        return;
    /* the free-mail provider's own company ("recruiting for Google" from
     * gmail.com) is a claim of the brand, judged by the brand rules */
    const char *label;
    size_t ll;
    const char *suffix;
    ph_split_reg(c->from_reg, &label, &ll, &suffix);
    if (ll >= 3 && strncasecmp(employer, label, ll) == 0)
        return;
    ph_fire(c, R_freemail_recruiter,
            "the free-mail address %s recruits for %s: a company's recruiters write from its own "
            "domain or an applicant-tracking platform",
            c->from && c->from->addr ? c->from->addr : c->from_reg, employer);
    ph_impersonate(c, vg_arena_strdup(c->a, employer), 2);
}

void ph_detect_freemail_lure(ph_ctx *c);
void ph_detect_freemail_lure(ph_ctx *c)
{
    freemail_lure(c);
    freemail_recruiter(c);
}

void ph_detect_sender(ph_ctx *c)
{
    vg_phish_engine *e = c->eng;
    sender_validity(c);
    const char *name = c->from && c->from->name ? c->from->name : NULL;
    /* display name */
    if (name) {
        claim cl = name_claim_cached(c, name);
        if (cl.brand >= 0) {
            c->claimed_brand_any = cl.brand;
            if (!sender_legit_for(c, cl.brand)) {
                const ph_brand *br = &e->brands[cl.brand];
                c->claimed_brand = cl.brand;
                c->claim_foreign = true;
                ph_impersonate(c, br->name, 5);
                ph_fire(c, R_brand_display_name,
                        "the display name \"%s\" claims %s, but the sender's domain %s is not one of %s's",
                        name, br->name, c->from_domain[0] ? c->from_domain : "(none)", br->name);
                if (cl.obfuscated)
                    ph_fire(c, R_brand_obfuscated, "the brand name %s is written with %s in \"%s\"",
                            br->name, cl.how, name);
                if (c->from_freemail)
                    ph_fire(c, R_freemail_brand, "%s's name is used from the free-mail domain %s",
                            br->name, c->from_reg);
            }
        }
        display_address(c, name);
        admin_name(c, name);
        freemail_org(c, name);
    }
    vip_and_org(c, name);
    recipient_domain(c);
    /* subject and signature */
    int subj_brand = -1, body_brand = -1;
    unsigned body_best = 0;
    for (size_t b = 0; b < e->n_brands; b++) {
        if (e->brands[b].strict)
            continue; /* "target", "orange", "apple" in prose are words */
        if (!c->brand_subject[b] && c->brand_hits[b] < 2)
            continue; /* not named */
        if (affiliated(c, &e->brands[b]))
            continue; /* "WHO Collaborating Centre" */
        if (c->brand_subject[b] && subj_brand < 0 && c->from_brand != (int)b)
            subj_brand = (int)b;
        if (c->brand_hits[b] >= 2 && c->brand_hits[b] > body_best && c->from_brand != (int)b) {
            body_best = c->brand_hits[b];
            body_brand = (int)b;
        }
    }
    if (subj_brand >= 0 && !sender_legit_for(c, subj_brand)) {
        ph_fire(c, R_brand_subject, "the subject names %s, but the sender's domain %s is not %s's",
                e->brands[subj_brand].name, c->from_domain[0] ? c->from_domain : "(none)",
                e->brands[subj_brand].name);
        if (c->claimed_brand_any < 0)
            c->claimed_brand_any = subj_brand;
        if (c->claimed_brand < 0) {
            c->claimed_brand = subj_brand;
            c->claim_foreign = true;
        }
        ph_impersonate(c, e->brands[subj_brand].name, 2);
    }
    if (body_brand >= 0 && !sender_legit_for(c, body_brand) &&
        (c->claimed_brand < 0 || c->claimed_brand == body_brand)) {
        ph_fire(c, R_brand_body, "the text names %s %u times, but the sender's domain %s is not %s's",
                e->brands[body_brand].name, body_best,
                c->from_domain[0] ? c->from_domain : "(none)", e->brands[body_brand].name);
        if (c->claimed_brand_any < 0)
            c->claimed_brand_any = body_brand;
        ph_impersonate(c, e->brands[body_brand].name, 1);
    }
}

/* A brand named in the subject by a sender who is not the brand, with a
 * money, account, prize or parcel lure (runs after the lures are known). */
void ph_detect_brand_subject_lure(ph_ctx *c);
void ph_detect_brand_subject_lure(ph_ctx *c)
{
    if (!ph_fired(c, R_brand_subject) || c->claimed_brand < 0)
        return;
    static const char *const money[] = {"account", "invoice", "delivery", "prize", "advance_fee",
                                        "crypto", NULL};
    const vg_phish_engine *e = c->eng;
    for (size_t i = 0; i < e->n_lures && i < 32; i++) {
        if (!(c->lure_strong[i] || c->lure_subject[i] || c->lure_hits[i] >= 2))
            continue;
        for (const char *const *p = money; *p; p++) {
            if (strcmp(e->lures[i].id, *p) == 0) {
                ph_fire(c, R_brand_subject_lure, "the subject names %s with a %s lure, from %s",
                        e->brands[c->claimed_brand].name, e->lures[i].label,
                        c->from_domain[0] ? c->from_domain : "an unknown sender");
                return;
            }
        }
    }
}
