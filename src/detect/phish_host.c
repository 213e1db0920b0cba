/* phish_host.c — what the engine knows about a host name, worked out once
 * per engine and kept in a bounded cache: its registrable domain (libpsl),
 * the brand and the organization whose domain it is (or is under), the
 * platform lists it is on (the host or a parent domain is an entry), whether
 * it is a free-mail domain, and its look-alike verdict (phish_domain.c).
 *
 * The same hosts come back message after message (the big mail providers,
 * trackers, brands' sites), and each message asks about its sender's and its
 * links' hosts many times (every list, every rule). One index maps each
 * domain of the tables to everything it is an entry of, so the facts about a
 * host cost one lookup per label, once; afterwards one lookup answers every
 * question. The answers are exactly those of looking in each table in turn. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "phish_internal.h"

#define HOST_CACHE_MAX 16384
#define HOST_CACHE_SLACK 2048 /* new hosts one message may add before the next trim */
#define NAME_CACHE_MAX 8192

/* What one domain of the tables is an entry of. */
struct ph_domain_info {
    uint32_t lists; /* bit per platform list: a host entry */
    uint32_t paths; /* bit per platform list: an entry with a path on this host */
    int aux[PH_L__COUNT];
    int brand, org; /* -1 */
    bool freemail;
};

enum { HAVE_REG = 1u, HAVE_DOM = 2u, HAVE_LOOK = 4u, HAVE_PSL = 8u };

static void host_free(void *v, void *ud)
{
    (void)ud;
    ph_host *h = v;
    if (h && h->owned) {
        free(h->reg);
        free(h);
    }
}

static void free_value(void *v, void *ud)
{
    (void)ud;
    free(v);
}

static ph_domain_info *info_for(vg_phish_engine *e, const char *key, size_t n)
{
    intptr_t v;
    if (ph_strmap_get(&e->dom_index, key, n, &v))
        return &e->dom_info[v];
    e->dom_info = vg_xgrow(e->dom_info, &e->dom_info_cap, e->n_dom_info + 1, sizeof *e->dom_info);
    ph_domain_info *d = &e->dom_info[e->n_dom_info];
    memset(d, 0, sizeof *d);
    d->brand = d->org = -1;
    ph_strmap_putn(&e->dom_index, key, n, (intptr_t)e->n_dom_info);
    e->n_dom_info++;
    return d;
}

typedef void (*info_fn)(ph_domain_info *d, intptr_t value, int list);

static void set_brand(ph_domain_info *d, intptr_t v, int list)
{
    (void)list;
    d->brand = (int)v;
}

static void set_org(ph_domain_info *d, intptr_t v, int list)
{
    (void)list;
    d->org = (int)v;
}

static void set_freemail(ph_domain_info *d, intptr_t v, int list)
{
    (void)v;
    (void)list;
    d->freemail = true;
}

static void set_list(ph_domain_info *d, intptr_t v, int list)
{
    d->lists |= 1u << list;
    d->aux[list] = (int)v;
}

/* Records every key of m (with its value) in the domain index. */
static void index_map(vg_phish_engine *e, const strmap *m, info_fn fn, int list)
{
    const char *k;
    size_t kl;
    intptr_t val;
    for (size_t i = 0; i < m->cap; i++) {
        if (ph_strmap_at(m, i, &k, &kl, &val))
            fn(info_for(e, k, kl), val, list);
    }
}

void ph_host_index_build(vg_phish_engine *e)
{
    index_map(e, &e->brand_domains, set_brand, 0);
    index_map(e, &e->org_domains, set_org, 0);
    index_map(e, &e->freemail, set_freemail, 0);
    for (int l = 0; l < PH_L__COUNT; l++) {
        const hostlist *h = e->lists[l];
        index_map(e, &h->hosts, set_list, l);
        for (size_t i = 0; i < h->n_path; i++)
            info_for(e, h->path_host[i], strlen(h->path_host[i]))->paths |= 1u << l;
    }
}

void ph_host_index_free(vg_phish_engine *e)
{
    free(e->dom_info);
    e->dom_info = NULL;
    e->n_dom_info = e->dom_info_cap = 0;
}

void ph_caches_new(vg_phish_engine *e)
{
    e->hosts = vg_htable_new(HOST_CACHE_MAX, host_free, NULL);
    e->names = vg_htable_new(NAME_CACHE_MAX, free_value, NULL);
}

void ph_caches_free(vg_phish_engine *e)
{
    vg_htable_free(e->hosts);
    vg_htable_free(e->names);
    e->hosts = e->names = NULL;
}

void ph_caches_trim(vg_phish_engine *e)
{
    if (e->hosts && vg_htable_count(e->hosts) > HOST_CACHE_MAX - HOST_CACHE_SLACK)
        vg_htable_expire(e->hosts, INT64_MAX);
    if (e->names && vg_htable_count(e->names) > NAME_CACHE_MAX - 16)
        vg_htable_expire(e->names, INT64_MAX);
}

/* The cache entry of host (never NULL; host not empty). When the cache is
 * full the entry lives in the message's arena. */
static ph_host *host_entry(vg_phish_engine *e, const char *host)
{
    size_t n = strlen(host);
    void **slot = e->hosts ? vg_htable_get(e->hosts, host, n) : NULL;
    if (slot)
        return *slot;
    bool created;
    slot = e->hosts ? vg_htable_put(e->hosts, host, n, INT64_MAX, &created) : NULL;
    ph_host *h;
    if (slot) {
        h = vg_xcalloc(1, sizeof *h);
        h->owned = true;
        *slot = h;
    } else {
        h = vg_arena_calloc(e->arena, 1, sizeof *h);
    }
    return h;
}

static void need_dom(vg_phish_engine *e, const char *host, ph_host *h)
{
    if (h->have & HAVE_DOM)
        return;
    h->brand = h->org = -1;
    uint32_t got = 0;
    /* the host, then each parent domain: the nearest entry of each table
     * answers for it, as looking in that table alone would */
    for (const char *p = host; p && *p;) {
        intptr_t v;
        if (ph_strmap_get(&e->dom_index, p, strlen(p), &v)) {
            const ph_domain_info *d = &e->dom_info[v];
            uint32_t fresh = d->lists & ~got;
            for (int l = 0; fresh && l < PH_L__COUNT; l++) {
                if (fresh & (1u << l))
                    h->aux[l] = d->aux[l];
            }
            got |= d->lists;
            h->paths |= d->paths;
            if (h->brand < 0)
                h->brand = d->brand;
            if (h->org < 0)
                h->org = d->org;
            if (p == host)
                h->freemail = d->freemail;
        }
        p = strchr(p, '.');
        if (p)
            p++;
    }
    /* a host ending in a dot is "under" an entry whose host part is empty
     * ("/path" in a list: see ph_host_in) */
    intptr_t v;
    size_t n = strlen(host);
    if (host[n - 1] == '.' && ph_strmap_get(&e->dom_index, "", 0, &v))
        h->paths |= e->dom_info[v].paths;
    h->lists = got;
    h->have |= HAVE_DOM;
}

ph_host *ph_host_get(vg_phish_engine *e, const char *host)
{
    if (!host || !*host)
        return NULL;
    ph_host *h = host_entry(e, host);
    need_dom(e, host, h);
    return h;
}

const char *ph_reg_domain(vg_phish_engine *e, const char *host)
{
    if (!host || !*host)
        return "";
    ph_host *h = host_entry(e, host);
    if (!(h->have & HAVE_REG)) {
        const char *r = vg_mail_reg_domain(host);
        h->reg = h->owned ? vg_xstrdup(r) : vg_arena_strdup(e->arena, r);
        h->have |= HAVE_REG;
    }
    return h->reg;
}

int ph_brand_of_domain(vg_phish_engine *e, const char *host)
{
    const ph_host *h = ph_host_get(e, host);
    return h ? h->brand : -1;
}

int ph_org_of_domain(vg_phish_engine *e, const char *host)
{
    const ph_host *h = ph_host_get(e, host);
    return h ? h->org : -1;
}

bool ph_is_freemail(vg_phish_engine *e, const char *reg)
{
    const ph_host *h = ph_host_get(e, reg);
    return h && h->freemail;
}

bool ph_host_known(vg_phish_engine *e, const char *host)
{
    const ph_host *h = ph_host_get(e, host);
    return h && h->lists != 0;
}

bool ph_host_public_suffix(vg_phish_engine *e, const char *host)
{
    if (!host || !*host)
        return false;
    ph_host *h = host_entry(e, host);
    if (!(h->have & HAVE_PSL)) {
        bool known = false;
        for (const char *p = host; p && *p && !known; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL)
            known = psl_is_public_suffix2(psl_builtin(), p, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
        h->public_suffix = known;
        h->have |= HAVE_PSL;
    }
    return h->public_suffix;
}

/* Path of a URL ("/forms/..."), or "". */
static const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *s = strpbrk(p, "/?#");
    return s && *s == '/' ? s : "";
}

bool ph_host_in(vg_phish_engine *e, const hostlist *l, const char *host, const char *url, int *aux)
{
    const ph_host *h = ph_host_get(e, host);
    if (!h)
        return false;
    uint32_t bit = 1u << l->id;
    if (h->lists & bit) {
        if (aux)
            *aux = h->aux[l->id];
        return true;
    }
    if (!(h->paths & bit) || !url)
        return false;
    /* an entry with a path on the host or a parent: the first whose path
     * prefixes the URL's */
    const char *path = url_path(url);
    size_t hl = strlen(host);
    for (size_t i = 0; i < l->n_path; i++) {
        size_t el = strlen(l->path_host[i]);
        bool host_ok = (hl == el && strcmp(host, l->path_host[i]) == 0) ||
                       (hl > el && host[hl - el - 1] == '.' && strcmp(host + hl - el, l->path_host[i]) == 0);
        if (host_ok && strncasecmp(path, l->path_prefix[i], strlen(l->path_prefix[i])) == 0) {
            if (aux)
                *aux = l->aux[i];
            return true;
        }
    }
    return false;
}

bool ph_host_look(vg_phish_engine *e, const char *host, intptr_t **verdict)
{
    ph_host *h = host_entry(e, host);
    *verdict = &h->look;
    if (h->have & HAVE_LOOK)
        return true;
    h->have |= HAVE_LOOK;
    return false;
}
