/* phish_data.c — the phishing engine's tables: built-in data/brands.yaml,
 * data/freemail.txt, data/mail_platforms.yaml and data/lexicons.yaml, the
 * config's brands, organizations and mail section, the protected-domain
 * index for look-alike checks, and the lexicon database (vectorscan).
 * Everything here is built once per engine and read-only afterwards. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>
#include <xxhash.h>

#include "phish_internal.h"

/* ---- string map ------------------------------------------------------------------------- */

void ph_strmap_init(strmap *m) { memset(m, 0, sizeof *m); }

static unsigned strmap_sig(const char *k, size_t n)
{
    uint32_t h = (uint32_t)n * 0x9E3779B1u;
    if (n) {
        h ^= (uint32_t)(unsigned char)k[0] * 0x85EBCA77u;
        h ^= (uint32_t)(unsigned char)k[n / 2] * 0x27D4EB2Fu;
        h ^= (uint32_t)(unsigned char)k[n - 1] * 0xC2B2AE3Du;
    }
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    return h & 16383u;
}

void ph_strmap_free(strmap *m)
{
    free(m->slots);
    free(m->pool);
    ph_strmap_init(m);
}

/* The slot of key, or the empty slot where it goes (cap > 0, never full). */
static size_t strmap_probe(const strmap *m, uint64_t h, const char *key, size_t n)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const strmap_slot *s = &m->slots[i];
        if (s->len == UINT32_MAX)
            return i;
        if (s->hash == h && s->len == n && memcmp(m->pool + s->off, key, n) == 0)
            return i;
    }
}

static void strmap_resize(strmap *m, size_t cap)
{
    strmap_slot *old = m->slots;
    size_t old_cap = m->cap;
    m->slots = vg_xmalloc(cap * sizeof *m->slots);
    for (size_t i = 0; i < cap; i++)
        m->slots[i].len = UINT32_MAX;
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].len == UINT32_MAX)
            continue;
        size_t mask = cap - 1, k = (size_t)old[i].hash & mask;
        while (m->slots[k].len != UINT32_MAX)
            k = (k + 1) & mask;
        m->slots[k] = old[i];
    }
    free(old);
}

void ph_strmap_putn(strmap *m, const char *key, size_t n, intptr_t value)
{
    if (n >= UINT32_MAX || m->pool_n + n >= UINT32_MAX)
        return; /* never: the tables' keys are short */
    if (2 * (m->n + 1) > m->cap)
        strmap_resize(m, m->cap ? 2 * m->cap : 64);
    uint64_t h = XXH3_64bits(key, n);
    strmap_slot *s = &m->slots[strmap_probe(m, h, key, n)];
    if (s->len != UINT32_MAX)
        return;
    m->pool = vg_xgrow(m->pool, &m->pool_cap, m->pool_n + n + 1, 1);
    memcpy(m->pool + m->pool_n, key, n);
    *s = (strmap_slot){h, (uint32_t)m->pool_n, (uint32_t)n, value};
    m->pool_n += n;
    m->n++;
    unsigned g = strmap_sig(key, n);
    m->sig[g >> 6] |= (uint64_t)1 << (g & 63);
}

void ph_strmap_put(strmap *m, const char *key, intptr_t value)
{
    ph_strmap_putn(m, key, strlen(key), value);
}

bool ph_strmap_get(const strmap *m, const char *key, size_t n, intptr_t *value)
{
    unsigned g = strmap_sig(key, n);
    if (!(m->sig[g >> 6] & ((uint64_t)1 << (g & 63))))
        return false;
    const strmap_slot *s = &m->slots[strmap_probe(m, XXH3_64bits(key, n), key, n)];
    if (s->len == UINT32_MAX)
        return false;
    if (value)
        *value = s->value;
    return true;
}

bool ph_strmap_at(const strmap *m, size_t i, const char **key, size_t *n, intptr_t *value)
{
    const strmap_slot *s = &m->slots[i];
    if (s->len == UINT32_MAX)
        return false;
    *key = m->pool + s->off;
    *n = s->len;
    *value = s->value;
    return true;
}

/* ---- host lists ------------------------------------------------------------------------------ */

void ph_hostlist_init(hostlist *h, ph_list id)
{
    memset(h, 0, sizeof *h);
    h->id = id;
    ph_strmap_init(&h->hosts);
}

void ph_hostlist_free(hostlist *h)
{
    ph_strmap_free(&h->hosts);
    for (size_t i = 0; i < h->n_path; i++) {
        free(h->path_host[i]);
        free(h->path_prefix[i]);
    }
    free(h->path_host);
    free(h->path_prefix);
    free(h->aux);
}

void ph_hostlist_add(hostlist *h, const char *entry, int aux)
{
    char buf[512];
    size_t n = strlen(entry);
    if (n == 0 || n >= sizeof buf)
        return;
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char)tolower((unsigned char)entry[i]);
    char *slash = strchr(buf, '/');
    if (!slash) {
        ph_strmap_put(&h->hosts, buf, aux);
        return;
    }
    size_t cap = h->n_path;
    h->path_host = vg_xrealloc(h->path_host, (cap + 1) * sizeof *h->path_host);
    h->path_prefix = vg_xrealloc(h->path_prefix, (cap + 1) * sizeof *h->path_prefix);
    h->aux = vg_xrealloc(h->aux, (cap + 1) * sizeof *h->aux);
    h->path_prefix[cap] = vg_xstrdup(slash);
    *slash = 0;
    h->path_host[cap] = vg_xstrdup(buf);
    h->aux[cap] = aux;
    h->n_path++;
}

/* ---- helpers ------------------------------------------------------------------------------------- */

static char *lower_dup(const char *s)
{
    char *r = vg_xstrdup(s);
    for (char *p = r; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t n = strlen(r);
    while (n && (r[n - 1] == '.' || r[n - 1] == ' '))
        r[--n] = 0;
    return r;
}

typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static void sv_push(strvec *s, char *x)
{
    s->v = vg_xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = x;
}

static void collect_cb(const char *s, void *ud) { sv_push(ud, vg_xstrdup(s)); }

static void free_list(char **v, size_t n)
{
    if (!v)
        return; /* derived lists not built yet (a config brand extending a built-in one) */
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Appends the strings of a scalar/sequence node to *v (heap). */
static void append_strs(char ***v, size_t *n, const vg_yaml_node *node, bool lower)
{
    strvec s = {*v, *n, *n};
    strvec tmp = {0};
    vg_yaml_each_str(node, collect_cb, &tmp);
    for (size_t i = 0; i < tmp.n; i++) {
        if (lower) {
            sv_push(&s, lower_dup(tmp.v[i]));
            free(tmp.v[i]);
        } else {
            sv_push(&s, tmp.v[i]);
        }
    }
    free(tmp.v);
    *v = s.v;
    *n = s.n;
}

static void warn_unknown(const vg_yaml_node *map, const char *where, const char *const *known)
{
    for (size_t i = 0; i < vg_yaml_len(map); i++) {
        const char *k = vg_yaml_key_at(map, i);
        bool ok = false;
        for (const char *const *p = known; *p; p++)
            ok |= strcmp(*p, k) == 0;
        if (!ok)
            vg_warn("config line %d: unknown key %s.%s (ignored)",
                    vg_yaml_line(vg_yaml_value_at(map, i)), where, k);
    }
}

/* ---- brands ---------------------------------------------------------------------------------------- */

static void brand_keywords_derive(vg_phish_engine *e, vg_arena *a, ph_brand *b)
{
    b->keywords_skel = vg_xcalloc(b->n_keywords ? b->n_keywords : 1, sizeof(char *));
    b->keywords_compact = vg_xcalloc(b->n_keywords ? b->n_keywords : 1, sizeof(char *));
    for (size_t i = 0; i < b->n_keywords; i++) {
        const char *cf = ph_casefold(a, b->keywords[i], strlen(b->keywords[i]));
        free(b->keywords[i]);
        b->keywords[i] = vg_xstrdup(cf);
        const char *sk = ph_skeleton(e, a, cf, strlen(cf));
        b->keywords_skel[i] = vg_xstrdup(sk);
        char comp[256];
        size_t k = 0;
        for (const char *p = sk; *p && k + 1 < sizeof comp; p++) {
            if (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
                comp[k++] = *p;
        }
        comp[k] = 0;
        b->keywords_compact[i] = vg_xstrdup(k >= 5 ? comp : "");
    }
    free(b->name_norm);
    free(b->name_skel);
    b->name_norm = vg_xstrdup(ph_casefold(a, b->name, strlen(b->name)));
    b->name_skel = vg_xstrdup(ph_skeleton(e, a, b->name, strlen(b->name)));
    for (size_t i = 0; i < b->n_affiliations; i++) {
        const char *cf = ph_casefold(a, b->affiliations[i], strlen(b->affiliations[i]));
        free(b->affiliations[i]);
        b->affiliations[i] = vg_xstrdup(cf);
    }
}

/* Brand names are compared without case (strcasecmp): brand_names holds
 * each name lower-cased, to its first brand. */
static bool name_key(const char *name, char *key, size_t cap)
{
    size_t n = strlen(name);
    if (n >= cap)
        return false;
    for (size_t i = 0; i <= n; i++)
        key[i] = (char)tolower((unsigned char)name[i]);
    return true;
}

static int find_brand(const vg_phish_engine *e, const char *name)
{
    char key[256];
    if (name_key(name, key, sizeof key)) {
        intptr_t v;
        return ph_strmap_get(&e->brand_names, key, strlen(key), &v) ? (int)v : -1;
    }
    for (size_t i = 0; i < e->n_brands; i++) {
        if (strcasecmp(e->brands[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

int ph_add_brand(vg_phish_engine *e, const vg_yaml_node *n, vg_error *err)
{
    const char *name = vg_yaml_str(vg_yaml_get(n, "name"), NULL);
    if (!name || !*name) {
        vg_error_set(err, VG_EINVAL, "line %d: a brand needs a name", vg_yaml_line(n));
        return -1;
    }
    static const char *const known[] = {"name",    "domains", "keywords", "acronyms",
                                        "strict",  "category", "affiliations", NULL};
    warn_unknown(n, "brands[]", known);
    int idx = find_brand(e, name);
    if (idx < 0) {
        e->brands = vg_xrealloc(e->brands, (e->n_brands + 1) * sizeof *e->brands);
        idx = (int)e->n_brands++;
        memset(&e->brands[idx], 0, sizeof e->brands[idx]);
        e->brands[idx].name = vg_xstrdup(name);
        const char *cat = vg_yaml_str(vg_yaml_get(n, "category"), "custom");
        e->brands[idx].category = vg_xstrdup(cat);
        char key[256];
        if (name_key(name, key, sizeof key))
            ph_strmap_put(&e->brand_names, key, idx);
    } else {
        /* extending a brand: drop derived forms, they are rebuilt */
        ph_brand *b = &e->brands[idx];
        free_list(b->keywords_skel, b->n_keywords);
        free_list(b->keywords_compact, b->n_keywords);
        b->keywords_skel = b->keywords_compact = NULL;
    }
    ph_brand *b = &e->brands[idx];
    append_strs(&b->domains, &b->n_domains, vg_yaml_get(n, "domains"), true);
    size_t before = b->n_keywords;
    append_strs(&b->keywords, &b->n_keywords, vg_yaml_get(n, "keywords"), false);
    (void)before;
    append_strs(&b->acronyms, &b->n_acronyms, vg_yaml_get(n, "acronyms"), false);
    append_strs(&b->affiliations, &b->n_affiliations, vg_yaml_get(n, "affiliations"), false);
    bool strict;
    if (vg_yaml_bool(vg_yaml_get(n, "strict"), &strict))
        b->strict = strict;
    for (size_t i = 0; i < b->n_domains; i++)
        ph_strmap_put(&e->brand_domains, b->domains[i], idx);
    return idx;
}

static vg_err load_brands(vg_phish_engine *e, const vg_yaml_node *seq, vg_error *err)
{
    for (size_t i = 0; i < vg_yaml_len(seq); i++) {
        if (ph_add_brand(e, vg_yaml_at(seq, i), err) < 0)
            return err ? err->code : VG_EINVAL;
    }
    return VG_OK;
}

/* ---- platforms ----------------------------------------------------------------------------------- */

static void add_hosts(hostlist *h, const vg_yaml_node *seq, int aux)
{
    for (size_t i = 0; i < vg_yaml_len(seq); i++) {
        const char *s = vg_yaml_str(vg_yaml_at(seq, i), NULL);
        if (s)
            ph_hostlist_add(h, s, aux);
    }
}

static void load_rewriters(vg_phish_engine *e, const vg_yaml_node *seq)
{
    for (size_t i = 0; i < vg_yaml_len(seq); i++) {
        const vg_yaml_node *it = vg_yaml_at(seq, i);
        const char *host = vg_yaml_str(vg_yaml_get(it, "host"), NULL);
        const char *how = vg_yaml_str(vg_yaml_get(it, "unwrap"), "none");
        if (!host)
            continue;
        int aux = PH_UNWRAP_OPAQUE;
        if (strncmp(how, "query:", 6) == 0) {
            e->unwrap_params = vg_xrealloc(e->unwrap_params,
                                           (e->n_unwrap_params + 1) * sizeof *e->unwrap_params);
            e->unwrap_params[e->n_unwrap_params] = vg_xstrdup(how + 6);
            aux = PH_UNWRAP_QUERY + (int)e->n_unwrap_params;
            e->n_unwrap_params++;
        } else if (strcmp(how, "proofpoint_v2") == 0) {
            aux = PH_UNWRAP_PROOFPOINT_V2;
        } else if (strcmp(how, "proofpoint_v3") == 0) {
            aux = PH_UNWRAP_PROOFPOINT_V3;
        }
        ph_hostlist_add(&e->rewriters, host, aux);
    }
}

static vg_yaml_doc *load_builtin_doc(const char *name, vg_error *err)
{
    size_t len;
    const char *txt = vg_data_get(name, &len);
    if (!txt) {
        vg_error_set(err, VG_ENOTFOUND, "built-in data %s is missing", name);
        return NULL;
    }
    char label[128];
    snprintf(label, sizeof label, "builtin:%s", name);
    return vg_yaml_load_string(txt, len, label, err);
}

vg_err ph_load_builtin(vg_phish_engine *e, vg_error *err)
{
    vg_yaml_doc *d = load_builtin_doc("brands.yaml", err);
    if (!d)
        return err ? err->code : VG_EINVAL;
    vg_err rc = load_brands(e, vg_yaml_get(vg_yaml_root(d), "brands"), err);
    vg_yaml_free(d);
    if (rc)
        return rc;
    size_t len;
    const char *fm = vg_data_get("freemail.txt", &len);
    if (fm) {
        vg_str rest = vg_str_make(fm, len), line;
        while (vg_str_split(&rest, '\n', &line)) {
            line = vg_str_trim(line);
            if (line.n == 0 || line.p[0] == '#')
                continue;
            char buf[256];
            if (line.n >= sizeof buf)
                continue;
            for (size_t i = 0; i < line.n; i++)
                buf[i] = (char)tolower((unsigned char)line.p[i]);
            buf[line.n] = 0;
            ph_strmap_put(&e->freemail, buf, 1);
        }
    }
    d = load_builtin_doc("mail_platforms.yaml", err);
    if (!d)
        return err ? err->code : VG_EINVAL;
    const vg_yaml_node *r = vg_yaml_root(d);
    add_hosts(&e->esp, vg_yaml_get(r, "esp"), 0);
    add_hosts(&e->ats, vg_yaml_get(r, "ats"), 0);
    add_hosts(&e->signing, vg_yaml_get(r, "signing"), 0);
    add_hosts(&e->newsletters, vg_yaml_get(r, "newsletters"), 0);
    add_hosts(&e->shorteners, vg_yaml_get(r, "shorteners"), 0);
    add_hosts(&e->hosting, vg_yaml_get(r, "free_hosting"), 0);
    add_hosts(&e->forms, vg_yaml_get(r, "forms"), 0);
    add_hosts(&e->sharing, vg_yaml_get(r, "file_sharing"), 0);
    add_hosts(&e->tenants, vg_yaml_get(r, "shared_tenants"), 0);
    add_hosts(&e->redirects, vg_yaml_get(r, "open_redirects"), 0);
    load_rewriters(e, vg_yaml_get(r, "rewriters"));
    const vg_yaml_node *tlds = vg_yaml_get(r, "abused_tlds");
    for (size_t i = 0; i < vg_yaml_len(tlds); i++) {
        const char *t = vg_yaml_str(vg_yaml_at(tlds, i), NULL);
        if (t)
            ph_strmap_put(&e->abused_tlds, t, 1);
    }
    vg_yaml_free(d);
    return VG_OK;
}

/* ---- config ----------------------------------------------------------------------------------------- */

static vg_err load_orgs(vg_phish_engine *e, const vg_yaml_node *seq, vg_error *err)
{
    vg_arena *a = vg_arena_new(0);
    strvec doms = {e->org_domain_list, e->n_org_domain_list, e->n_org_domain_list};
    for (size_t i = 0; i < vg_yaml_len(seq); i++) {
        const vg_yaml_node *n = vg_yaml_at(seq, i);
        const char *id = vg_yaml_str(vg_yaml_get(n, "id"), NULL);
        if (!id || !*id) {
            vg_arena_free(a);
            return vg_error_set(err, VG_EINVAL, "line %d: an organization needs an id",
                                vg_yaml_line(n));
        }
        e->orgs = vg_xrealloc(e->orgs, (e->n_orgs + 1) * sizeof *e->orgs);
        ph_org *o = &e->orgs[e->n_orgs];
        memset(o, 0, sizeof *o);
        o->id = vg_xstrdup(id);
        const char *name = vg_yaml_str(vg_yaml_get(n, "name"), NULL);
        if (name && *name) {
            o->name = vg_xstrdup(name);
            o->name_norm = vg_xstrdup(ph_casefold(a, name, strlen(name)));
        }
        append_strs(&o->domains, &o->n_domains, vg_yaml_get(n, "domains"), true);
        append_strs(&o->vips_orig, &o->n_vips, vg_yaml_get(n, "vip_names"), false);
        o->vips = vg_xcalloc(o->n_vips ? o->n_vips : 1, sizeof *o->vips);
        for (size_t k = 0; k < o->n_vips; k++)
            o->vips[k] = vg_xstrdup(ph_casefold(a, o->vips_orig[k], strlen(o->vips_orig[k])));
        for (size_t k = 0; k < o->n_domains; k++) {
            ph_strmap_put(&e->org_domains, o->domains[k], (intptr_t)e->n_orgs);
            sv_push(&doms, vg_xstrdup(o->domains[k]));
        }
        e->n_orgs++;
    }
    e->org_domain_list = doms.v;
    e->n_org_domain_list = doms.n;
    vg_arena_free(a);
    return VG_OK;
}

vg_err ph_load_config(vg_phish_engine *e, const vg_yaml_node *root, vg_error *err)
{
    vg_err rc;
    if ((rc = load_brands(e, vg_yaml_get(root, "brands"), err)) != VG_OK)
        return rc;
    if ((rc = load_orgs(e, vg_yaml_get(root, "organizations"), err)) != VG_OK)
        return rc;
    const vg_yaml_node *mail = vg_yaml_get(root, "mail");
    if (!mail)
        return VG_OK;
    static const char *const known[] = {"authserv_ids", "allow", "platforms", "weights", "limits",
                                        "thresholds", "findings", "freemail", NULL};
    warn_unknown(mail, "mail", known);
    append_strs(&e->authserv_ids, &e->n_authserv_ids, vg_yaml_get(mail, "authserv_ids"), true);
    const vg_yaml_node *allow = vg_yaml_get(mail, "allow");
    for (size_t i = 0; i < vg_yaml_len(allow); i++) {
        const vg_yaml_node *it = vg_yaml_at(allow, i);
        const char *brand = vg_yaml_str(vg_yaml_get(it, "brand"), NULL);
        const char *dom = vg_yaml_str(vg_yaml_get(it, "domain"), NULL);
        if (!brand || !dom)
            return vg_error_set(err, VG_EINVAL, "line %d: mail.allow entries need brand and domain",
                                vg_yaml_line(it));
        int b = find_brand(e, brand);
        if (b < 0)
            return vg_error_set(err, VG_EINVAL, "line %d: mail.allow: unknown brand \"%s\"",
                                vg_yaml_line(it), brand);
        char key[512];
        char *ld = lower_dup(dom);
        snprintf(key, sizeof key, "%d|%s", b, ld);
        free(ld);
        ph_strmap_put(&e->allow, key, 1);
    }
    const vg_yaml_node *pl = vg_yaml_get(mail, "platforms");
    add_hosts(&e->esp, pl, 0);
    add_hosts(&e->ats, pl, 0);
    const vg_yaml_node *fm = vg_yaml_get(mail, "freemail");
    for (size_t i = 0; i < vg_yaml_len(fm); i++) {
        const char *s = vg_yaml_str(vg_yaml_at(fm, i), NULL);
        if (s) {
            char *l = lower_dup(s);
            ph_strmap_put(&e->freemail, l, 1);
            free(l);
        }
    }
    return VG_OK;
}

/* ---- protected domains ---------------------------------------------------------------------------------- */

/* Labels too generic to protect on their own. */
static bool generic_label(const char *l, size_t n)
{
    static const char *const g[] = {"mail", "email", "web", "www", "app", "online", "secure",
                                    "login", "account", "my", "go", "news", "info", "cloud",
                                    "id", "pay", "shop", "store", "bank", "service", "support",
                                    "group", "global", "home", "live", "team", "office", "com",
                                    "net", "org", "gov", "edu", "mil", "int", "canada", "europa", "media",
                                    "health", "post", "news", NULL};
    for (const char *const *p = g; *p; p++) {
        if (strlen(*p) == n && strncmp(*p, l, n) == 0)
            return true;
    }
    return false;
}

/* Protects registrable domain reg (once: the first owner keeps it). */
static void add_protected(vg_phish_engine *e, vg_arena *a, const char *reg, int brand, int org)
{
    const char *label, *suffix;
    size_t ll;
    ph_split_reg(reg, &label, &ll, &suffix);
    if (ll < 3 || generic_label(label, ll))
        return;
    if (ph_strmap_get(&e->prot_domains, reg, strlen(reg), NULL))
        return;
    e->prot = vg_xgrow(e->prot, &e->prot_cap, e->n_prot + 1, sizeof *e->prot);
    ph_protected *p = &e->prot[e->n_prot];
    p->domain = vg_xstrdup(reg);
    p->label = vg_xstrndup(label, ll);
    p->suffix = vg_xstrdup(suffix);
    p->brand = brand;
    p->org = org;
    p->label_len = ll;
    p->fold_next = -1;
    p->strict = brand >= 0 && e->brands[brand].strict;
    intptr_t idx = (intptr_t)e->n_prot;
    e->n_prot++;
    ph_strmap_put(&e->prot_domains, p->domain, idx);
    ph_strmap_put(&e->prot_skel, ph_skeleton(e, a, reg, strlen(reg)), idx);
    ph_strmap_put(&e->prot_label_skel, ph_skeleton(e, a, p->label, ll), idx);
    ph_strmap_put(&e->prot_labels, p->label, idx);
}

/* Indexes for the look-alike methods (phish_domain.c): labels open to
 * edit-distance matches by length, labels by visual fold (letter swaps),
 * the longest domain (subdomain). Each keeps the protected domains' index
 * order, which decides between equally good matches. */
static void index_protected(vg_phish_engine *e)
{
    size_t count[65] = {0};
    for (size_t i = 0; i < e->n_prot; i++) {
        const ph_protected *p = &e->prot[i];
        size_t dl = strlen(p->domain);
        if (dl > e->prot_domain_max)
            e->prot_domain_max = dl;
        if (!p->strict && ph_edit_budget(p->label_len) > 0)
            count[p->label_len < 64 ? p->label_len : 64]++;
    }
    size_t at = 0;
    for (size_t l = 0; l < 65; l++) {
        e->edit_at[l] = at;
        at += count[l];
    }
    e->edit_at[65] = at;
    e->edit = vg_xcalloc(at ? at : 1, sizeof *e->edit);
    size_t fill[65];
    memcpy(fill, e->edit_at, sizeof fill);
    for (size_t i = 0; i < e->n_prot; i++) {
        const ph_protected *p = &e->prot[i];
        if (p->strict || ph_edit_budget(p->label_len) == 0)
            continue;
        ph_edit_entry x = {ph_char_mask(p->label, p->label_len), (int)i,
                           ph_edit_budget(p->label_len)};
        e->edit[fill[p->label_len < 64 ? p->label_len : 64]++] = x;
    }
    for (size_t i = 0; i < e->n_prot; i++) {
        ph_protected *p = &e->prot[i];
        if (p->label_len < 5 || p->label_len >= 64 || p->strict)
            continue;
        char f[64];
        size_t fl = ph_visual_fold(p->label, p->label_len, f, sizeof f);
        intptr_t head;
        if (!ph_strmap_get(&e->prot_fold, f, fl, &head)) {
            f[fl] = 0;
            ph_strmap_put(&e->prot_fold, f, (intptr_t)i);
            continue;
        }
        int t = (int)head;
        while (e->prot[t].fold_next >= 0)
            t = e->prot[t].fold_next;
        e->prot[t].fold_next = (int)i;
    }
}

vg_err ph_build_protected(vg_phish_engine *e, vg_error *err)
{
    (void)err;
    vg_arena *a = vg_arena_new(0);
    for (size_t i = 0; i < e->n_brands; i++)
        brand_keywords_derive(e, a, &e->brands[i]);
    /* organizations first: their domains matter most */
    for (size_t o = 0; o < e->n_orgs; o++) {
        for (size_t k = 0; k < e->orgs[o].n_domains; k++)
            add_protected(e, a, ph_reg_domain_uncached(a, e->orgs[o].domains[k]), -1, (int)o);
    }
    for (size_t b = 0; b < e->n_brands; b++) {
        for (size_t k = 0; k < e->brands[b].n_domains; k++) {
            /* free-mail domains of a brand (gmail.com) are not its identity */
            const char *reg = ph_reg_domain_uncached(a, e->brands[b].domains[k]);
            if (ph_is_freemail_uncached(e, reg))
                continue;
            add_protected(e, a, reg, (int)b, -1);
        }
    }
    vg_arena_free(a);
    index_protected(e);
    return VG_OK;
}

/* ---- lexicons -------------------------------------------------------------------------------------------- */

/* Every phrase becomes a literal in its normalized form (ph_normalize_text),
 * matched by vectorscan's literal compiler (fast to build and to run);
 * word boundaries are checked when a literal matches (phish_lure.c). */
typedef struct pat_acc {
    strvec lits;
    int *lure, *brand;
    bool *strong;
    unsigned *flags;
    size_t *len;
    size_t n, cap;
} pat_acc;

static void add_pattern(vg_phish_engine *e, pat_acc *acc, const char *phrase, int lure, int brand,
                        bool strong, unsigned fl)
{
    if (!phrase || !*phrase)
        return;
    size_t pn = strlen(phrase);
    bool case_sensitive = (fl & PH_PAT_CASE) != 0;
    if (pn > 1 && phrase[pn - 1] == '*') {
        fl |= PH_PAT_PREFIX;
        pn--;
    }
    char *lit = vg_xmalloc(pn + 1);
    size_t ln;
    if (case_sensitive) {
        memcpy(lit, phrase, pn);
        ln = pn;
    } else {
        ln = ph_normalize_text(phrase, pn, lit);
    }
    lit[ln] = 0;
    if (ln == 0) {
        free(lit);
        return;
    }
    if (acc->n == acc->cap) {
        size_t k = acc->cap ? acc->cap * 2 : 1024;
        acc->lure = vg_xrealloc(acc->lure, k * sizeof *acc->lure);
        acc->brand = vg_xrealloc(acc->brand, k * sizeof *acc->brand);
        acc->strong = vg_xrealloc(acc->strong, k * sizeof *acc->strong);
        acc->flags = vg_xrealloc(acc->flags, k * sizeof *acc->flags);
        acc->len = vg_xrealloc(acc->len, k * sizeof *acc->len);
        e->pattern_text = vg_xrealloc(e->pattern_text, k * sizeof *e->pattern_text);
        acc->cap = k;
    }
    acc->lure[acc->n] = lure;
    acc->brand[acc->n] = brand;
    acc->strong[acc->n] = strong;
    acc->flags[acc->n] = fl;
    acc->len[acc->n] = ln;
    e->pattern_text[acc->n] = vg_xstrdup(phrase);
    sv_push(&acc->lits, lit);
    acc->n++;
}

typedef struct lex_ud {
    vg_phish_engine *e;
    pat_acc *acc;
    int lure;
    bool strong;
} lex_ud;

static void lex_cb(const char *s, void *ud)
{
    lex_ud *u = ud;
    add_pattern(u->e, u->acc, s, u->lure, -1, u->strong, 0);
}

/* Compiled databases are shared by the engines of a process: a vectorscan
 * database is read-only and may be scanned by several threads at once, each
 * with its own scratch. Siblings (vg_phish_engine_new_sibling) share their
 * prototype's tables, databases included; engines built on their own from
 * the same patterns reuse a database already in the process, found by a
 * digest of everything the compiler is given. The first looks in the disk
 * cache (phish_hscache.c) before it compiles. */
typedef struct shared_db {
    uint8_t key[32];
    hs_database_t *db;
    int refs;
    struct shared_db *next;
} shared_db;

static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static shared_db *shared_dbs;

static void release_db(hs_database_t *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&shared_mu);
    for (shared_db **p = &shared_dbs; *p; p = &(*p)->next) {
        if ((*p)->db == db) {
            shared_db *s = *p;
            if (--s->refs == 0) {
                *p = s->next;
                hs_free_database(s->db);
                free(s);
            }
            pthread_mutex_unlock(&shared_mu);
            return;
        }
    }
    pthread_mutex_unlock(&shared_mu);
    hs_free_database(db); /* not shared (cannot happen) */
}

/* Compiles the patterns whose PH_PAT_CASE flag equals cs into one database
 * (or takes the identical one another engine compiled). */
static vg_err compile_lits(const pat_acc *acc, bool cs, hs_database_t **db, vg_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < acc->n; i++)
        n += ((acc->flags[i] & PH_PAT_CASE) != 0) == cs;
    *db = NULL;
    if (n == 0)
        return VG_OK;
    const char **lits = vg_xcalloc(n, sizeof *lits);
    size_t *lens = vg_xcalloc(n, sizeof *lens);
    unsigned *flags = vg_xcalloc(n, sizeof *flags);
    unsigned *ids = vg_xcalloc(n, sizeof *ids);
    vg_sha256 h;
    vg_sha256_init(&h);
    size_t k = 0;
    for (size_t i = 0; i < acc->n; i++) {
        if (((acc->flags[i] & PH_PAT_CASE) != 0) != cs)
            continue;
        lits[k] = acc->lits.v[i];
        lens[k] = acc->len[i];
        /* lures count once per scan; brand words are counted */
        flags[k] = acc->lure[i] >= 0 ? HS_FLAG_SINGLEMATCH : 0;
        ids[k] = (unsigned)i;
        uint64_t rec[3] = {lens[k], flags[k], ids[k]};
        vg_sha256_update(&h, rec, sizeof rec);
        vg_sha256_update(&h, lits[k], lens[k]);
        k++;
    }
    uint8_t key[32];
    vg_sha256_final(&h, key);
    vg_err rc = VG_OK;
    pthread_mutex_lock(&shared_mu);
    shared_db *s = shared_dbs;
    while (s && memcmp(s->key, key, sizeof key) != 0)
        s = s->next;
    if (s) {
        s->refs++;
        *db = s->db;
    } else {
        /* not in this process yet: the disk cache, else the compiler */
        hs_error_t hr = HS_SUCCESS;
        hs_compile_error_t *ce = NULL;
        *db = ph_hs_cache_get(key);
        if (!*db) {
            hr = hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, db,
                                      &ce);
            if (hr == HS_SUCCESS)
                ph_hs_cache_put(key, *db);
        }
        if (hr != HS_SUCCESS) {
            *db = NULL;
            rc = vg_error_set(err, VG_EINVAL, "lexicons: pattern \"%s\": %s",
                              ce && ce->expression >= 0 ? lits[ce->expression] : "?",
                              ce ? ce->message : "compile failed");
            hs_free_compile_error(ce);
        } else {
            s = vg_xcalloc(1, sizeof *s);
            memcpy(s->key, key, sizeof key);
            s->db = *db;
            s->refs = 1;
            s->next = shared_dbs;
            shared_dbs = s;
        }
    }
    pthread_mutex_unlock(&shared_mu);
    free(lits);
    free(lens);
    free(flags);
    free(ids);
    return rc;
}

/* The lure index of theme id (case-insensitive), else -1. */
static int find_lure(const vg_phish_engine *e, const char *id)
{
    for (size_t i = 0; i < e->n_lures; i++) {
        if (strcasecmp(e->lures[i].id, id) == 0)
            return (int)i;
    }
    return -1;
}

static int add_lure(vg_phish_engine *e, const char *id, const char *label, int weight)
{
    e->lures = vg_xrealloc(e->lures, (e->n_lures + 1) * sizeof *e->lures);
    ph_lure *lu = &e->lures[e->n_lures];
    lu->id = vg_xstrdup(id);
    lu->label = vg_xstrdup(label ? label : id);
    lu->weight = weight;
    lu->minor = false;
    return (int)e->n_lures++;
}

/* The config's top-level `lures: [{theme, keywords}]` (written by `vigil
 * intel report --apply`): keywords join the theme's phrases, a new theme is
 * created with the default lure weight. Keywords are ordinary (supporting)
 * phrases, exactly like the built-in ones. */
static void config_lures(vg_phish_engine *e, pat_acc *acc, const vg_yaml_node *ll)
{
    for (size_t i = 0; i < vg_yaml_len(ll); i++) {
        const vg_yaml_node *it = vg_yaml_at(ll, i);
        const char *theme = vg_yaml_str(vg_yaml_get(it, "theme"), NULL);
        if (!theme || !*theme) {
            vg_warn("config line %d: lures entry without a theme (ignored)", vg_yaml_line(it));
            continue;
        }
        int k = find_lure(e, theme);
        if (k < 0) {
            if (e->n_lures >= 32) {
                vg_warn("config line %d: lure theme \"%s\" ignored (at most 32 themes)",
                        vg_yaml_line(it), theme);
                continue;
            }
            k = add_lure(e, theme, NULL, 10);
        }
        lex_ud ud = {e, acc, k, false};
        vg_yaml_each_str(vg_yaml_get(it, "keywords"), lex_cb, &ud);
    }
}

vg_err ph_lexicon_compile(vg_phish_engine *e, const vg_yaml_node *root, vg_error *err)
{
    vg_yaml_doc *d = load_builtin_doc("lexicons.yaml", err);
    if (!d)
        return err ? err->code : VG_EINVAL;
    const vg_yaml_node *lures = vg_yaml_get(vg_yaml_root(d), "lures");
    pat_acc acc = {0};
    for (size_t i = 0; i < vg_yaml_len(lures) && e->n_lures < 32; i++) {
        const vg_yaml_node *l = vg_yaml_at(lures, i);
        const char *id = vg_yaml_str(vg_yaml_get(l, "id"), "lure");
        int64_t w = 10;
        vg_yaml_int(vg_yaml_get(l, "weight"), &w);
        int li = add_lure(e, id, vg_yaml_str(vg_yaml_get(l, "label"), id), (int)w);
        bool main_theme = true;
        vg_yaml_bool(vg_yaml_get(l, "main"), &main_theme);
        e->lures[li].minor = !main_theme;
        const vg_yaml_node *ph = vg_yaml_get(l, "phrases");
        lex_ud ud = {e, &acc, li, false};
        for (size_t k = 0; k < vg_yaml_len(ph); k++)
            vg_yaml_each_str(vg_yaml_value_at(ph, k), lex_cb, &ud);
        ud.strong = true;
        vg_yaml_each_str(vg_yaml_get(l, "strong"), lex_cb, &ud);
    }
    vg_yaml_free(d);
    if (root)
        config_lures(e, &acc, vg_yaml_get(root, "lures"));
    /* brand keywords (any case) and acronyms (case-sensitive): counted, to
     * tell a signature from a passing mention */
    for (size_t b = 0; b < e->n_brands; b++) {
        const ph_brand *br = &e->brands[b];
        for (size_t k = 0; k < br->n_keywords; k++) {
            if (strlen(br->keywords[k]) >= 3)
                add_pattern(e, &acc, br->keywords[k], -1, (int)b, false, 0);
            /* skeletons find homoglyph spellings of display names */
            if (strcmp(br->keywords_skel[k], br->keywords[k]) != 0 && strlen(br->keywords_skel[k]) >= 3)
                add_pattern(e, &acc, br->keywords_skel[k], -1, (int)b, false, PH_PAT_NAME);
            if (br->keywords_compact[k][0])
                add_pattern(e, &acc, br->keywords_compact[k], -1, (int)b, false, PH_PAT_NAME);
        }
        if (strlen(br->name_norm) >= 5) {
            add_pattern(e, &acc, br->name_norm, -1, (int)b, false, PH_PAT_NAME);
            if (strcmp(br->name_skel, br->name_norm) != 0)
                add_pattern(e, &acc, br->name_skel, -1, (int)b, false, PH_PAT_NAME);
        }
        for (size_t k = 0; k < br->n_acronyms; k++)
            add_pattern(e, &acc, br->acronyms[k], -1, (int)b, false, PH_PAT_CASE);
    }
    e->pattern_lure = acc.lure;
    e->pattern_brand = acc.brand;
    e->pattern_strong = acc.strong;
    e->pattern_flags = acc.flags;
    e->pattern_len = acc.len;
    e->n_patterns = acc.n;
    vg_err rc = compile_lits(&acc, false, &e->hs_db, err);
    if (rc == VG_OK)
        rc = compile_lits(&acc, true, &e->hs_db_cs, err);
    free_list(acc.lits.v, acc.lits.n);
    return rc;
}

/* ---- free ------------------------------------------------------------------------------------------------ */

void ph_data_free(vg_phish_engine *e)
{
    for (size_t i = 0; i < e->n_brands; i++) {
        ph_brand *b = &e->brands[i];
        free(b->name);
        free(b->name_norm);
        free(b->name_skel);
        free(b->category);
        free_list(b->domains, b->n_domains);
        free_list(b->keywords_skel, b->keywords_skel ? b->n_keywords : 0);
        free_list(b->keywords_compact, b->keywords_compact ? b->n_keywords : 0);
        free_list(b->keywords, b->n_keywords);
        free_list(b->acronyms, b->n_acronyms);
        free_list(b->affiliations, b->n_affiliations);
    }
    free(e->brands);
    for (size_t i = 0; i < e->n_orgs; i++) {
        ph_org *o = &e->orgs[i];
        free(o->id);
        free(o->name);
        free(o->name_norm);
        free_list(o->domains, o->n_domains);
        free_list(o->vips, o->n_vips);
        free_list(o->vips_orig, o->n_vips);
    }
    free(e->orgs);
    for (size_t i = 0; i < e->n_prot; i++) {
        free(e->prot[i].domain);
        free(e->prot[i].label);
        free(e->prot[i].suffix);
    }
    free(e->prot);
    free(e->edit);
    free_list(e->authserv_ids, e->n_authserv_ids);
    free_list(e->org_domain_list, e->n_org_domain_list);
    free_list(e->unwrap_params, e->n_unwrap_params);
    for (size_t i = 0; i < e->n_lures; i++) {
        free(e->lures[i].id);
        free(e->lures[i].label);
    }
    free(e->lures);
    free(e->pattern_lure);
    free(e->pattern_brand);
    free(e->pattern_strong);
    free(e->pattern_flags);
    free(e->pattern_len);
    free_list(e->pattern_text, e->n_patterns);
    release_db(e->hs_db);
    release_db(e->hs_db_cs);
    strmap *maps[] = {&e->brand_names, &e->brand_domains, &e->org_domains,  &e->prot_skel,
                      &e->prot_label_skel, &e->prot_labels, &e->prot_domains, &e->prot_fold,
                      &e->freemail, &e->allow, &e->abused_tlds};
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
        ph_strmap_free(maps[i]);
    for (size_t i = 0; i < PH_L__COUNT; i++) {
        if (e->lists[i])
            ph_hostlist_free(e->lists[i]);
    }
    ph_host_index_free(e);
    ph_strmap_free(&e->dom_index);
}
