/* attrib.c — attribution of findings to actors with honest confidence:
 * indicator evidence first (valid, exclusive indicators give high; shared or
 * ephemeral ones plus a matching technique and lure give moderate), then the
 * same infrastructure as a high-confidence finding (moderate), then a full
 * profile fit with a corroborating non-technique signal (low). Technique fit
 * alone names no actor. Every claim carries evidence sentences. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attrib/attrib_internal.h"

#define MAX_HITS 64
#define MAX_ALIASES 5
#define CLUSTER_GAP_MS (30LL * 24 * 3600 * 1000)

struct vg_attrib {
    const vg_catalog *cat;
    const vg_iocset *iocs;
    vg_org_info *orgs;
    size_t n_orgs;
};

vg_attrib *vg_attrib_new(const vg_catalog *cat, const vg_iocset *iocs, const vg_org_info *orgs,
                         size_t n_orgs)
{
    vg_attrib *a = vg_xcalloc(1, sizeof *a);
    a->cat = cat;
    a->iocs = iocs;
    if (n_orgs) {
        a->orgs = vg_xcalloc(n_orgs, sizeof *a->orgs);
        for (size_t i = 0; i < n_orgs; i++) {
            a->orgs[i].id = orgs[i].id ? vg_xstrdup(orgs[i].id) : NULL;
            a->orgs[i].country = orgs[i].country ? vg_xstrdup(orgs[i].country) : NULL;
            a->orgs[i].sector = orgs[i].sector ? vg_xstrdup(orgs[i].sector) : NULL;
        }
        a->n_orgs = n_orgs;
    }
    return a;
}

void vg_attrib_free(vg_attrib *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_orgs; i++) {
        free((char *)a->orgs[i].id);
        free((char *)a->orgs[i].country);
        free((char *)a->orgs[i].sector);
    }
    free(a->orgs);
    free(a);
}

static const vg_org_info *org_info(const vg_attrib *a, const char *org)
{
    for (size_t i = 0; org && i < a->n_orgs; i++)
        if (a->orgs[i].id && strcmp(a->orgs[i].id, org) == 0)
            return &a->orgs[i];
    return NULL;
}

/* ---- finding features --------------------------------------------------------------- */

/* Techniques a finding's kind implies when the detector listed none. */
static void kind_techniques(const vg_finding *f, vg_strlist *out)
{
    vg_strlist_add_all(out, &f->attack);
    if (out->n)
        return;
    static const struct {
        const char *kind, *tid;
    } map[] = {
        {"cred.spray", "T1110.003"},        {"cred.bruteforce", "T1110.001"},
        {"cred.stuffing", "T1110.004"},     {"cred.compromise", "T1078"},
        {"phish.attachment", "T1566.001"},  {"phish.credential_link", "T1566.002"},
        {"phish.impersonation", "T1566"},   {"phish.lookalike_domain", "T1566"},
        {"phish.lure", "T1566"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(f->kind, map[i].kind) == 0)
            vg_strlist_add(out, map[i].tid);
}

/* The finding's reasons as one text to look for words in, one reason a line,
 * with '_' read as a space: file names ("Senior_Scientist_Job_Description.docm")
 * carry the lure's words too. Heap. */
static char *reasons_text(const vg_finding *f)
{
    vg_buf b;
    vg_buf_init(&b, 256);
    for (size_t i = 0; i < f->reasons.n; i++) {
        size_t at = b.n;
        vg_buf_printf(&b, "%s\n", f->reasons.v[i]);
        for (size_t k = at; k < b.n; k++)
            if (b.p[k] == '_')
                b.p[k] = ' ';
    }
    return vg_buf_steal(&b);
}

static bool text_has(const char *text, const char *needle)
{
    return vg_str_find_ci(vg_str_from(text), vg_str_from(needle)) >= 0;
}

/* Lure themes of the catalog whose keywords appear in the reasons. */
static void finding_lures(const vg_attrib *a, const char *text, vg_strlist *out)
{
    for (size_t t = 0; t < vg_catalog_lure_theme_count(a->cat); t++) {
        const char *theme = vg_catalog_lure_theme(a->cat, t);
        for (size_t k = 0; k < vg_catalog_lure_keyword_count(a->cat, t); k++)
            if (text_has(text, vg_catalog_lure_keyword(a->cat, t, k))) {
                vg_strlist_add(out, theme);
                break;
            }
    }
}

/* Infrastructure habits visible in a finding (VG_INFRA_*). */
static unsigned finding_infra(const vg_attrib *a, const vg_finding *f, const char *text)
{
    unsigned m = 0;
    const vg_strlist *ipl[2] = {&f->roles.attacker_ips, &f->entities.ips};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < ipl[l]->n; i++) {
            vg_ip ip;
            vg_shared_kind k;
            if (vg_ip_parse(vg_str_from(ipl[l]->v[i]), &ip) == VG_OK &&
                vg_attrib_ip_shared(a->iocs, &ip, &k)) {
                if (k == VG_SHARED_TOR)
                    m |= VG_INFRA_TOR;
                else if (k == VG_SHARED_VPN)
                    m |= VG_INFRA_VPN;
                else if (k == VG_SHARED_CLOUD)
                    m |= VG_INFRA_CLOUD;
            }
        }
    if (text_has(text, "tor exit") || text_has(text, "tor network") || text_has(text, "via tor"))
        m |= VG_INFRA_TOR;
    if (text_has(text, "vpn"))
        m |= VG_INFRA_VPN;
    if (text_has(text, "hosting") || text_has(text, "vps") || text_has(text, "datacenter") ||
        text_has(text, "data center") || text_has(text, "data-center"))
        m |= VG_INFRA_VPS;
    if (text_has(text, "free-mail") || text_has(text, "freemail") || text_has(text, "free mail"))
        m |= VG_INFRA_FREEMAIL;
    for (size_t i = 0; i < f->entities.domains.n; i++)
        if (vg_attrib_freemail_domain(f->entities.domains.v[i]))
            m |= VG_INFRA_FREEMAIL;
    if (strcmp(f->kind, "phish.lookalike_domain") == 0 || text_has(text, "lookalike") ||
        text_has(text, "look-alike") || text_has(text, "confusable") || text_has(text, "typosquat"))
        m |= VG_INFRA_LOOKALIKE;
    return m;
}

/* Organization sector -> catalog sector words. */
static bool sector_fits(const vg_actor *act, const char *sector)
{
    if (!sector || !*sector)
        return false;
    static const struct {
        const char *stem, *s1, *s2;
    } map[] = {
        {"pharma", "health", "research"},   {"biotech", "health", "research"},
        {"vaccine", "health", "research"},  {"health", "health", NULL},
        {"hospital", "health", NULL},       {"medic", "health", NULL},
        {"clinic", "health", "research"},   {"life science", "health", "research"},
        {"research", "research", NULL},     {"universit", "research", "academia"},
        {"academ", "academia", "research"}, {"laborator", "research", NULL},
        {"government", "government", NULL}, {"ministry", "government", NULL},
        {"defen", "defense", NULL},         {"think", "think-tank", NULL},
        {"diplomat", "diplomatic", NULL},   {"financ", "finance", NULL},
        {"bank", "finance", NULL},          {"crypto", "cryptocurrency", NULL},
        {"tech", "technology", NULL},       {"telecom", "telecommunications", NULL},
        {"media", "media", "journalism"},   {"political", "political", NULL},
    };
    vg_str s = vg_str_from(sector);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (vg_str_find_ci(s, vg_str_from(map[i].stem)) < 0)
            continue;
        for (size_t k = 0; k < vg_actor_sector_count(act); k++) {
            const char *as = vg_actor_sector(act, k);
            if (strcasecmp(as, map[i].s1) == 0 || (map[i].s2 && strcasecmp(as, map[i].s2) == 0))
                return true;
        }
    }
    for (size_t k = 0; k < vg_actor_sector_count(act); k++)
        if (strcasecmp(vg_actor_sector(act, k), sector) == 0)
            return true;
    return false;
}

/* ---- indicator evidence --------------------------------------------------------------- */

typedef struct cand {
    const char *actor; /* canonical (or as labeled when unknown to the catalog) */
    int strong;        /* valid, exclusive indicators */
    int shared;        /* valid but shared (Tor, VPN, cloud) */
    int stale;         /* tied to the actor but not valid at the time */
    vg_strlist ev;     /* evidence sentences */
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
} cands;

static cand *cand_get(cands *c, const char *actor)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].actor, actor) == 0)
            return &c->v[i];
    c->v = vg_xgrow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    cand *x = &c->v[c->n++];
    memset(x, 0, sizeof *x);
    x->actor = actor;
    return x;
}

static void cands_free(cands *c)
{
    for (size_t i = 0; i < c->n; i++)
        vg_strlist_free(&c->v[i].ev);
    free(c->v);
}


static void on_hit(cands *c, vg_strlist *plain, const vg_finding *f, const char *value,
                   const vg_ioc_hit *h)
{
    const vg_indicator *ind = h->ind;
    char desc[1200];
    vg_indicator_describe(ind, desc, sizeof desc);
    const char *how = h->exact ? "" : " (inside a listed range or domain)";
    if (ind->actor_ambiguous) {
        vg_strlist_addf(plain, "%s%s is listed in %s under '%s', a name used for several actors: it "
                               "names no single actor",
                        value, how, desc, ind->actor_label ? ind->actor_label : "?");
        return;
    }
    if (!ind->actor && ind->shared != VG_SHARED_NONE) {
        vg_strlist_addf(plain, "%s%s is a %s address according to %s: shared by many, it points to "
                               "no one",
                        value, how, ind->shared == VG_SHARED_TOR ? "Tor exit" : vg_shared_kind_name(ind->shared),
                        desc);
        return;
    }
    if (!ind->actor) {
        vg_strlist_addf(plain, "%s%s is listed in %s with no actor", value, how, desc);
        return;
    }
    cand *x = cand_get(c, ind->actor);
    bool known_time = f->first_seen != 0 || f->last_seen != 0;
    int64_t lo = f->first_seen ? f->first_seen : f->last_seen;
    int64_t hi = f->last_seen ? f->last_seen : f->first_seen;
    bool valid = known_time && ind->valid_from <= hi && lo < ind->valid_until;
    if (!valid) {
        x->stale++;
        vg_strlist_addf(&x->ev, "%s%s is a %s indicator according to %s, but was not valid when "
                                "this happened",
                        value, how, ind->actor, desc);
    } else if (ind->shared != VG_SHARED_NONE) {
        x->shared++;
        vg_strlist_addf(&x->ev, "%s%s is tied to %s according to %s, but is a %s address that many "
                                "unrelated people use",
                        value, how, ind->actor, desc,
                        ind->shared == VG_SHARED_TOR ? "Tor exit" : vg_shared_kind_name(ind->shared));
    } else {
        x->strong++;
        vg_strlist_addf(&x->ev, "%s%s is a %s indicator according to %s, and the activity falls in "
                                "its validity",
                        value, how, ind->actor, desc);
    }
}

static void match_value(const vg_attrib *a, cands *c, vg_strlist *plain, const vg_finding *f,
                        const char *value, vg_ioc_type type)
{
    vg_ioc_hit hits[MAX_HITS];
    size_t n = 0;
    switch (type) {
    case VG_IOC_IP: {
        vg_ip ip;
        if (vg_ip_parse(vg_str_trim(vg_str_from(value)), &ip) == VG_OK)
            n = vg_iocset_match_ip(a->iocs, &ip, hits, MAX_HITS);
        break;
    }
    case VG_IOC_DOMAIN: n = vg_iocset_match_domain(a->iocs, value, hits, MAX_HITS); break;
    case VG_IOC_EMAIL: n = vg_iocset_match_email(a->iocs, value, hits, MAX_HITS); break;
    default: n = vg_iocset_match(a->iocs, value, hits, MAX_HITS); break;
    }
    for (size_t i = 0; i < n && i < MAX_HITS; i++)
        on_hit(c, plain, f, value, &hits[i]);
}

static void indicator_evidence(const vg_attrib *a, const vg_finding *f, cands *c, vg_strlist *plain)
{
    if (!a->iocs)
        return;
    const vg_strlist *ipl[2] = {&f->roles.attacker_ips, &f->entities.ips};
    vg_strlist seen = {0};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < ipl[l]->n; i++)
            if (vg_strlist_add(&seen, ipl[l]->v[i]))
                match_value(a, c, plain, f, ipl[l]->v[i], VG_IOC_IP);
    vg_strlist_free(&seen);
    for (size_t i = 0; i < f->entities.domains.n; i++)
        match_value(a, c, plain, f, f->entities.domains.v[i], VG_IOC_DOMAIN);
    for (size_t i = 0; i < f->entities.urls.n; i++)
        match_value(a, c, plain, f, f->entities.urls.v[i], VG_IOC_URL);
    for (size_t i = 0; i < f->entities.hashes.n; i++)
        match_value(a, c, plain, f, f->entities.hashes.v[i], VG_IOC_SHA256);
    /* Sender addresses of mail findings: accounts that are not the targets. */
    if (strncmp(f->kind, "phish.", 6) == 0)
        for (size_t i = 0; i < f->entities.accounts.n; i++)
            if (!vg_strlist_has(&f->roles.targeted, f->entities.accounts.v[i]))
                match_value(a, c, plain, f, f->entities.accounts.v[i], VG_IOC_EMAIL);
}

/* ---- profile fit -------------------------------------------------------------------------- */

typedef struct fit {
    bool technique, lure, infra, sector;
    const char *distinct_lure; /* a lure theme of the finding no other tracked actor uses */
    vg_strlist why;            /* "technique T1110.003", ... */
} fit;

/* Is the lure theme in act's profile and in no other curated profile? */
static bool lure_distinctive(const vg_attrib *a, const vg_actor *act, const char *theme)
{
    for (size_t i = 0; a->cat && i < vg_catalog_count(a->cat); i++) {
        const vg_actor *o = vg_catalog_actor(a->cat, i);
        if (o == act || !vg_actor_builtin(o))
            continue;
        for (size_t k = 0; k < vg_actor_lure_count(o); k++)
            if (strcasecmp(vg_actor_lure(o, k), theme) == 0)
                return false;
    }
    return true;
}

static void profile_fit(const vg_attrib *a, const vg_finding *f, const vg_actor *act,
                        const vg_strlist *techs, const vg_strlist *lures, unsigned infra, fit *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < techs->n; i++)
        if (vg_actor_has_technique(act, techs->v[i])) {
            out->technique = true;
            vg_strlist_addf(&out->why, "technique %s", techs->v[i]);
            break;
        }
    /* A lure only counts where the finding has one (mail); sign-in findings
     * have none to compare. */
    if (lures->n == 0) {
        out->lure = strncmp(f->kind, "phish.", 6) != 0;
    } else {
        for (size_t i = 0; i < lures->n; i++)
            for (size_t k = 0; k < vg_actor_lure_count(act); k++)
                if (strcasecmp(vg_actor_lure(act, k), lures->v[i]) == 0) {
                    if (!out->lure)
                        vg_strlist_addf(&out->why, "%s lure", lures->v[i]);
                    out->lure = true;
                    if (!out->distinct_lure && lure_distinctive(a, act, lures->v[i]))
                        out->distinct_lure = vg_actor_lure(act, k);
                    break;
                }
    }
    unsigned common = infra & vg_actor_infra(act);
    if (common) {
        out->infra = true;
        for (unsigned b = 1; b <= VG_INFRA_CLOUD; b <<= 1)
            if (common & b) {
                vg_strlist_addf(&out->why, "%s infrastructure", vg_infra_name(b));
                break;
            }
    }
    const vg_org_info *oi = org_info(a, f->org);
    if (oi && sector_fits(act, oi->sector)) {
        out->sector = true;
    }
}

static void join(const vg_strlist *l, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < l->n && o + 1 < cap; i++) {
        int w = snprintf(buf + o, cap - o, "%s%s", i ? (i + 1 == l->n ? " and " : ", ") : "", l->v[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* ---- decisions ----------------------------------------------------------------------------- */

#define CONSISTENT_PREFIX "consistent with "
#define CONSISTENT_SUFFIX " (not attributed)"

/* Clears the attribution, and the "consistent with" reason an earlier
 * attribution added (a finding read back from the store is attributed again). */
static void clear_attribution(vg_finding *f)
{
    free(f->attribution.actor);
    f->attribution.actor = NULL;
    vg_strlist_free(&f->attribution.aliases);
    vg_strlist_free(&f->attribution.evidence);
    f->attribution.confidence = VG_CONF_NONE;
    size_t o = 0, sl = strlen(CONSISTENT_SUFFIX);
    for (size_t i = 0; i < f->reasons.n; i++) {
        char *r = f->reasons.v[i];
        size_t rl = strlen(r);
        if (strncmp(r, CONSISTENT_PREFIX, strlen(CONSISTENT_PREFIX)) == 0 && rl > sl &&
            strcmp(r + rl - sl, CONSISTENT_SUFFIX) == 0) {
            free(r);
            continue;
        }
        f->reasons.v[o++] = r;
    }
    f->reasons.n = o;
}

static void set_actor(const vg_attrib *a, vg_finding *f, const char *actor, vg_confidence conf)
{
    free(f->attribution.actor);
    f->attribution.actor = vg_xstrdup(actor);
    f->attribution.confidence = conf;
    vg_strlist_free(&f->attribution.aliases);
    const vg_actor *act = a->cat ? vg_catalog_find(a->cat, actor) : NULL;
    if (!act)
        return;
    /* a few well-known aliases: built-in and Microsoft names first */
    for (int pass = 0; pass < 2 && f->attribution.aliases.n < MAX_ALIASES; pass++)
        for (size_t i = 0; i < vg_actor_alias_count(act) && f->attribution.aliases.n < MAX_ALIASES;
             i++) {
            vg_name_source s = vg_actor_alias_source(act, i);
            const char *al = vg_actor_alias(act, i);
            bool attack_id = al[0] == 'G' && strlen(al) == 5;
            if (attack_id || (pass == 0 && s > VG_NAMESRC_MICROSOFT))
                continue;
            vg_strlist_add(&f->attribution.aliases, al);
        }
}

static bool is_moderate_shape(const cand *c) { return c->shared > 0; }

/* A spray from hundreds of listed addresses would otherwise give hundreds of
 * near-identical sentences: keep the first few and say how many more. The
 * counts (strong, shared, stale) that decide confidence are unaffected. */
#define EVIDENCE_SHOWN 5
static void compact_evidence(vg_strlist *l, const char *actor)
{
    if (l->n <= EVIDENCE_SHOWN + 1)
        return;
    size_t more = l->n - EVIDENCE_SHOWN;
    for (size_t i = EVIDENCE_SHOWN; i < l->n; i++)
        free(l->v[i]);
    l->n = EVIDENCE_SHOWN;
    if (actor)
        vg_strlist_addf(l, "... and %zu more indicator hits for %s of the same kind", more, actor);
    else
        vg_strlist_addf(l, "... and %zu more indicator hits of the same kind", more);
}

void vg_attrib_finding(vg_attrib *a, vg_finding *f)
{
    clear_attribution(f);
    if (vg_attrib_benign_kind(f->kind)) {
        vg_strlist_addf(&f->attribution.evidence,
                        "%s is a benign shape (a forgotten device or job with an old password): "
                        "never attributed to an actor",
                        f->kind);
        return;
    }
    cands c = {0};
    vg_strlist plain = {0};
    indicator_evidence(a, f, &c, &plain);
    for (size_t i = 0; i < c.n; i++)
        compact_evidence(&c.v[i].ev, c.v[i].actor);
    compact_evidence(&plain, NULL);

    vg_strlist techs = {0}, lures = {0};
    kind_techniques(f, &techs);
    char *text = reasons_text(f);
    finding_lures(a, text, &lures);
    unsigned infra = finding_infra(a, f, text);
    free(text);

    /* 1. high: valid, exclusive indicators. */
    const cand *best = NULL;
    bool tie = false;
    for (size_t i = 0; i < c.n; i++) {
        if (!c.v[i].strong)
            continue;
        if (!best || c.v[i].strong > best->strong) {
            best = &c.v[i];
            tie = false;
        } else if (c.v[i].strong == best->strong) {
            tie = true;
        }
    }
    if (best && !tie) {
        set_actor(a, f, best->actor, VG_CONF_HIGH);
        vg_strlist_add_all(&f->attribution.evidence, &best->ev);
        for (size_t i = 0; i < c.n; i++)
            if (&c.v[i] != best)
                vg_strlist_add_all(&f->attribution.evidence, &c.v[i].ev);
        goto out;
    }
    if (best && tie) {
        for (size_t i = 0; i < c.n; i++)
            vg_strlist_add_all(&f->attribution.evidence, &c.v[i].ev);
        vg_strlist_add(&f->attribution.evidence,
                       "indicators of several actors match equally: no actor named");
        goto out;
    }

    /* 2. moderate: a shared or ephemeral indicator tied to the actor plus a
     *    technique and a lure that fit it. */
    {
        const cand *mod = NULL;
        int n_mod = 0;
        for (size_t i = 0; i < c.n; i++) {
            if (!is_moderate_shape(&c.v[i]))
                continue;
            const vg_actor *act = a->cat ? vg_catalog_find(a->cat, c.v[i].actor) : NULL;
            fit ft = {0};
            if (act)
                profile_fit(a, f, act, &techs, &lures, infra, &ft);
            if (act && ft.technique && ft.lure) {
                if (!mod || c.v[i].shared > mod->shared)
                    mod = &c.v[i];
                n_mod++;
                char why[512];
                join(&ft.why, why, sizeof why);
                vg_strlist_addf(&c.v[i].ev, "the %s fit%s %s's known operations", why,
                                ft.why.n == 1 ? "s" : "", c.v[i].actor);
            }
            vg_strlist_free(&ft.why);
        }
        if (mod && n_mod == 1) {
            set_actor(a, f, mod->actor, VG_CONF_MODERATE);
            vg_strlist_add_all(&f->attribution.evidence, &mod->ev);
            goto out;
        }
    }

    /* 3. low: technique, lure and infrastructure fit plus a corroborating
     *    non-technique signal (targeted sector, an expired or shared
     *    indicator of the actor); the actor with the most corroboration wins,
     *    and a tie names no one. */
    {
        vg_strlist fitting = {0}, consistent = {0};
        const vg_actor *lowact = NULL;
        vg_strlist lowev = {0};
        size_t n_low = 0; /* actors sharing the best corroboration score */
        int best_corr = 0;
        for (size_t i = 0; a->cat && i < vg_catalog_count(a->cat); i++) {
            const vg_actor *act = vg_catalog_actor(a->cat, i);
            if (!vg_actor_builtin(act))
                continue;
            fit ft;
            profile_fit(a, f, act, &techs, &lures, infra, &ft);
            if (ft.technique && ft.lure && ft.infra) {
                vg_strlist_add(&fitting, vg_actor_name(act));
                cand *x = NULL;
                for (size_t k = 0; k < c.n; k++)
                    if (strcmp(c.v[k].actor, vg_actor_name(act)) == 0)
                        x = &c.v[k];
                int corr = (ft.sector ? 1 : 0) + (ft.distinct_lure ? 1 : 0) +
                           (x && x->stale ? 1 : 0) + (x && x->shared ? 1 : 0);
                if (corr > 0 && corr == best_corr)
                    n_low++;
                if (corr > best_corr) {
                    best_corr = corr;
                    n_low = 1;
                    lowact = act;
                    vg_strlist_free(&lowev);
                    char why[512];
                    join(&ft.why, why, sizeof why);
                    vg_strlist_addf(&lowev, "the %s fit %s's known operations", why,
                                    vg_actor_name(act));
                    if (ft.sector)
                        vg_strlist_addf(&lowev, "%s targets this organization's sector",
                                        vg_actor_name(act));
                    if (ft.distinct_lure)
                        vg_strlist_addf(&lowev,
                                        "of the tracked actors, only %s is known for %s lures",
                                        vg_actor_name(act), ft.distinct_lure);
                    if (x)
                        vg_strlist_add_all(&lowev, &x->ev);
                }
            } else if (ft.technique) {
                vg_strlist_add(&consistent, vg_actor_name(act));
            }
            vg_strlist_free(&ft.why);
        }
        if (n_low == 1) {
            set_actor(a, f, vg_actor_name(lowact), VG_CONF_LOW);
            vg_strlist_add_all(&f->attribution.evidence, &lowev);
        } else {
            for (size_t i = 0; i < c.n; i++)
                vg_strlist_add_all(&f->attribution.evidence, &c.v[i].ev);
            char names[1024];
            if (fitting.n) {
                join(&fitting, names, sizeof names);
                vg_strlist_addf(&f->attribution.evidence,
                                "technique, lure and infrastructure are consistent with %s, but %s",
                                names,
                                n_low > 1 ? "several actors fit equally: no actor named"
                                          : "nothing else corroborates it: no actor named");
                vg_strlist_addf(&f->reasons, CONSISTENT_PREFIX "%s" CONSISTENT_SUFFIX, names);
            } else if (consistent.n && techs.n) {
                char tl[256];
                join(&techs, tl, sizeof tl);
                vg_strlist_addf(&f->attribution.evidence,
                                "%s is used by many actors and criminal crews alike: technique "
                                "fit alone names no actor",
                                tl);
            }
        }
        vg_strlist_free(&fitting);
        vg_strlist_free(&consistent);
        vg_strlist_free(&lowev);
    }
out:
    vg_strlist_add_all(&f->attribution.evidence, &plain);
    vg_strlist_free(&plain);
    vg_strlist_free(&techs);
    vg_strlist_free(&lures);
    cands_free(&c);
}

/* ---- across findings: same infrastructure as a high-confidence finding ------------------ */

typedef struct keyrec {
    const char *key;
    size_t finding;
} keyrec;

static int cmp_keyrec(const void *x, const void *y)
{
    const keyrec *a = x, *b = y;
    int d = strcmp(a->key, b->key);
    return d ? d : (a->finding > b->finding) - (a->finding < b->finding);
}

static bool near_in_time(const vg_finding *a, const vg_finding *b)
{
    int64_t a0 = a->first_seen, a1 = a->last_seen ? a->last_seen : a->first_seen;
    int64_t b0 = b->first_seen, b1 = b->last_seen ? b->last_seen : b->first_seen;
    return a0 <= b1 + CLUSTER_GAP_MS && b0 <= a1 + CLUSTER_GAP_MS;
}

void vg_attrib_findings(vg_attrib *a, vg_findings *l)
{
    for (size_t i = 0; i < l->n; i++)
        vg_attrib_finding(a, l->v[i]);
    /* Keys of every finding; then, per key, the high-confidence actors. */
    vg_strlist *keys = vg_xcalloc(l->n + 1, sizeof *keys);
    size_t nrec = 0, caprec = 0;
    keyrec *recs = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (vg_attrib_benign_kind(l->v[i]->kind))
            continue;
        vg_attrib_infra_keys(l->v[i], a->iocs, &keys[i]);
        for (size_t k = 0; k < keys[i].n; k++) {
            recs = vg_xgrow(recs, &caprec, nrec + 1, sizeof *recs);
            recs[nrec++] = (keyrec){keys[i].v[k], i};
        }
    }
    if (nrec)
        qsort(recs, nrec, sizeof *recs, cmp_keyrec);
    /* For each finding below moderate: the high-confidence findings sharing
     * a key with it; promote when they all name one actor. */
    for (size_t i = 0; i < l->n; i++) {
        vg_finding *f = l->v[i];
        if (f->attribution.confidence >= VG_CONF_MODERATE || vg_attrib_benign_kind(f->kind))
            continue;
        const char *actor = NULL, *via_key = NULL, *via_id = NULL;
        bool conflict = false;
        for (size_t k = 0; k < keys[i].n && !conflict; k++) {
            keyrec probe = {keys[i].v[k], 0};
            size_t lo = 0, hi = nrec; /* first record of the key */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(recs[mid].key, probe.key) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            keyrec *r = recs + lo;
            for (; r < recs + nrec && strcmp(r->key, probe.key) == 0; r++) {
                const vg_finding *g = l->v[r->finding];
                if (r->finding == i || g->attribution.confidence != VG_CONF_HIGH ||
                    !g->attribution.actor || !near_in_time(f, g))
                    continue;
                /* a /24 alone is a weak link: require the exact address */
                if (strncmp(probe.key, "net:", 4) == 0)
                    continue;
                if (actor && strcmp(actor, g->attribution.actor) != 0) {
                    conflict = true;
                    break;
                }
                if (!actor) {
                    actor = g->attribution.actor;
                    via_key = probe.key;
                    via_id = g->id;
                }
            }
        }
        if (!actor || conflict)
            continue;
        char *act = vg_xstrdup(actor);
        vg_strlist keep = {0};
        vg_strlist_add_all(&keep, &f->attribution.evidence);
        set_actor(a, f, act, VG_CONF_MODERATE);
        vg_strlist_free(&f->attribution.evidence);
        const char *colon = strchr(via_key, ':');
        vg_strlist_addf(&f->attribution.evidence,
                        "shares infrastructure (%s) with finding %s, attributed to %s at high "
                        "confidence",
                        colon ? colon + 1 : via_key, via_id, act);
        vg_strlist_add_all(&f->attribution.evidence, &keep);
        vg_strlist_free(&keep);
        free(act);
    }
    for (size_t i = 0; i < l->n; i++)
        vg_strlist_free(&keys[i]);
    free(keys);
    free(recs);
}
