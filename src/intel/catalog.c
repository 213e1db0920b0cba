/* catalog.c — the actor catalog: source records merged by alias with a
 * precedence (built-in > Microsoft > ATT&CK > MISP), never transitively, and
 * a name index that reports ambiguous names with their candidates. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/intel_internal.h"

#define CAT_MAX_NAMES (1u << 22)
#define NSLOTS (VG_NAMESRC_COUNT * 2)

struct vg_actor {
    char *name;
    char *origin;
    char *attack_id;
    char *summary;
    bool builtin;
    unsigned infra;
    vg_strlist techniques, lures, sectors, sources, refs, attack_ids;
    /* every name claimed by a record attached here, with its level */
    struct claim {
        const char *name; /* owned by the record */
        vg_name_source level;
        int tier; /* 0: a record's own name, 1: a synonym */
    } *claims;
    size_t n_claims, cap_claims;
    /* computed after the index: names resolving to (or ambiguous with) this actor */
    const char **aliases;
    vg_name_source *alias_src;
    size_t n_aliases;
    char *key; /* name key of the canonical name */
};

typedef struct nentry {
    char *display;                    /* as written by the best-level source */
    vg_name_source display_level;
    /* slot = level * 2 + tier; sorted after rebuild */
    vg_actor **cand[NSLOTS];
    size_t ncand[NSLOTS], capcand[NSLOTS];
    /* every actor any source ties the name to (sorted): the candidates of an
     * ambiguous name, whichever level decided that it is ambiguous */
    vg_actor **all;
    size_t nall;
} nentry;

typedef struct pair {
    const char *name;
    const vg_actor *actor;
} pair;

typedef struct lure_theme {
    char *theme;
    vg_strlist keywords;
} lure_theme;

struct vg_catalog {
    vg_intel_rec **recs;
    size_t n_recs, cap_recs;
    int next_order;
    vg_actor **actors;
    size_t n_actors, cap_actors;
    vg_htable *index; /* name key -> nentry* */
    pair *pairs;
    size_t n_pairs;
    lure_theme *lures;
    size_t n_lures, cap_lures;
    size_t skipped;
    /* techniques added to actors by name (vg_catalog_add_technique), applied
     * again after every rebuild */
    struct extra {
        char *actor, *tid;
    } *extra;
    size_t n_extra, cap_extra;
};

/* ---- small helpers -------------------------------------------------------- */

size_t vg_intel_name_key(const char *in, char *out)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        unsigned char ch = *p;
        if (ch == ' ' || ch == '-' || ch == '_' || ch == '.' || ch == '\t' || ch == '\n' ||
            ch == '\r' || ch == '"' || ch == '\'')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    return n;
}

static const struct {
    const char *name, *code;
} countries[] = {
    {"russia", "RU"},          {"russian federation", "RU"}, {"china", "CN"},
    {"iran", "IR"},            {"north korea", "KP"},        {"south korea", "KR"},
    {"vietnam", "VN"},         {"viet nam", "VN"},           {"lebanon", "LB"},
    {"israel", "IL"},          {"turkey", "TR"},             {"türkiye", "TR"},
    {"turkiye", "TR"},         {"united arab emirates", "AE"}, {"singapore", "SG"},
    {"austria", "AT"},         {"ukraine", "UA"},            {"belarus", "BY"},
    {"united states", "US"},   {"pakistan", "PK"},           {"india", "IN"},
    {"syria", "SY"},           {"palestine", "PS"},          {"gaza", "PS"},
    {"kazakhstan", "KZ"},      {"spain", "ES"},              {"nigeria", "NG"},
    {"brazil", "BR"},          {"indonesia", "ID"},          {"tunisia", "TN"},
    {"united kingdom", "GB"},  {"france", "FR"},             {"germany", "DE"},
};

bool vg_intel_country_code(const char *name, char out[3])
{
    out[0] = 0;
    if (!name)
        return false;
    while (*name == ' ')
        name++;
    size_t n = strcspn(name, ",;(");
    while (n > 0 && name[n - 1] == ' ')
        n--;
    if (n == 2 && name[0] >= 'A' && name[0] <= 'Z' && name[1] >= 'A' && name[1] <= 'Z') {
        out[0] = name[0];
        out[1] = name[1];
        out[2] = 0;
        return true;
    }
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (strlen(countries[i].name) == n && strncasecmp(countries[i].name, name, n) == 0) {
            memcpy(out, countries[i].code, 3);
            return true;
        }
    return false;
}

void vg_intel_line_col(const char *text, size_t n, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && i < n; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

const char *vg_name_source_name(vg_name_source s)
{
    switch (s) {
    case VG_NAMESRC_BUILTIN: return "builtin";
    case VG_NAMESRC_MICROSOFT: return "microsoft";
    case VG_NAMESRC_ATTACK: return "attack";
    case VG_NAMESRC_MISP: return "misp";
    default: return "unknown";
    }
}

static const char *const infra_names[] = {"tor", "vps", "vpn", "freemail", "lookalike_domains",
                                          "compromised", "cloud"};

unsigned vg_infra_parse(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof infra_names / sizeof infra_names[0]; i++)
        if (strcasecmp(name, infra_names[i]) == 0)
            return 1u << i;
    if (strcasecmp(name, "lookalike") == 0 || strcasecmp(name, "lookalikes") == 0)
        return VG_INFRA_LOOKALIKE;
    if (strcasecmp(name, "free-mail") == 0 || strcasecmp(name, "free_mail") == 0)
        return VG_INFRA_FREEMAIL;
    return 0;
}

const char *vg_infra_name(unsigned flag)
{
    for (size_t i = 0; i < sizeof infra_names / sizeof infra_names[0]; i++)
        if (flag == 1u << i)
            return infra_names[i];
    return NULL;
}

void vg_intel_rec_free(vg_intel_rec *r)
{
    if (!r)
        return;
    free(r->primary);
    vg_strlist_free(&r->names);
    vg_strlist_free(&r->shared);
    free(r->origin);
    free(r->attack_id);
    free(r->summary);
    vg_strlist_free(&r->techniques);
    vg_strlist_free(&r->lures);
    vg_strlist_free(&r->sectors);
    vg_strlist_free(&r->refs);
    free(r->source);
    free(r);
}

/* ---- catalog lifecycle ------------------------------------------------------ */

vg_catalog *vg_catalog_new(void)
{
    vg_catalog *c = vg_xcalloc(1, sizeof *c);
    return c;
}

static void free_actor(vg_actor *a)
{
    free(a->name);
    free(a->origin);
    free(a->attack_id);
    free(a->summary);
    free(a->key);
    vg_strlist_free(&a->techniques);
    vg_strlist_free(&a->lures);
    vg_strlist_free(&a->sectors);
    vg_strlist_free(&a->sources);
    vg_strlist_free(&a->refs);
    vg_strlist_free(&a->attack_ids);
    free(a->claims);
    free(a->aliases);
    free(a->alias_src);
    free(a);
}

static void free_nentry(void *v, void *ud)
{
    (void)ud;
    nentry *ne = v;
    if (!ne)
        return;
    free(ne->display);
    for (int l = 0; l < NSLOTS; l++)
        free(ne->cand[l]);
    free(ne->all);
    free(ne);
}

static void clear_built(vg_catalog *c)
{
    for (size_t i = 0; i < c->n_actors; i++)
        free_actor(c->actors[i]);
    c->n_actors = 0;
    if (c->index)
        vg_htable_free(c->index);
    c->index = NULL;
    free(c->pairs);
    c->pairs = NULL;
    c->n_pairs = 0;
}

void vg_catalog_free(vg_catalog *c)
{
    if (!c)
        return;
    clear_built(c);
    free(c->actors);
    for (size_t i = 0; i < c->n_recs; i++)
        vg_intel_rec_free(c->recs[i]);
    free(c->recs);
    for (size_t i = 0; i < c->n_lures; i++) {
        free(c->lures[i].theme);
        vg_strlist_free(&c->lures[i].keywords);
    }
    free(c->lures);
    for (size_t i = 0; i < c->n_extra; i++) {
        free(c->extra[i].actor);
        free(c->extra[i].tid);
    }
    free(c->extra);
    free(c);
}

void vg_catalog_add_rec(vg_catalog *c, vg_intel_rec *r)
{
    r->order = c->next_order++;
    /* A built-in record replaces an earlier built-in of the same name. */
    if (r->level == VG_NAMESRC_BUILTIN) {
        char *k1 = vg_xmalloc(strlen(r->primary) + 1);
        vg_intel_name_key(r->primary, k1);
        for (size_t i = 0; i < c->n_recs; i++) {
            vg_intel_rec *o = c->recs[i];
            if (o->level != VG_NAMESRC_BUILTIN)
                continue;
            char *k2 = vg_xmalloc(strlen(o->primary) + 1);
            vg_intel_name_key(o->primary, k2);
            bool same = strcmp(k1, k2) == 0;
            free(k2);
            if (same) {
                vg_intel_rec_free(o);
                c->recs[i] = r;
                free(k1);
                return;
            }
        }
        free(k1);
    }
    c->recs = vg_xgrow(c->recs, &c->cap_recs, c->n_recs + 1, sizeof *c->recs);
    c->recs[c->n_recs++] = r;
}

void vg_catalog_add_lure_theme(vg_catalog *c, const char *theme, const vg_strlist *keywords)
{
    for (size_t i = 0; i < c->n_lures; i++)
        if (strcasecmp(c->lures[i].theme, theme) == 0) {
            vg_strlist_free(&c->lures[i].keywords);
            vg_strlist_copy(&c->lures[i].keywords, keywords);
            return;
        }
    c->lures = vg_xgrow(c->lures, &c->cap_lures, c->n_lures + 1, sizeof *c->lures);
    lure_theme *t = &c->lures[c->n_lures++];
    memset(t, 0, sizeof *t);
    t->theme = vg_xstrdup(theme);
    vg_strlist_copy(&t->keywords, keywords);
}

size_t vg_catalog_lure_theme_count(const vg_catalog *c) { return c ? c->n_lures : 0; }

const char *vg_catalog_lure_theme(const vg_catalog *c, size_t i)
{
    return c && i < c->n_lures ? c->lures[i].theme : NULL;
}

size_t vg_catalog_lure_keyword_count(const vg_catalog *c, size_t theme)
{
    return c && theme < c->n_lures ? c->lures[theme].keywords.n : 0;
}

const char *vg_catalog_lure_keyword(const vg_catalog *c, size_t theme, size_t k)
{
    return c && theme < c->n_lures && k < c->lures[theme].keywords.n ? c->lures[theme].keywords.v[k]
                                                                      : NULL;
}

void vg_catalog_note_skipped(vg_catalog *c, size_t n) { c->skipped += n; }
size_t vg_catalog_skipped(const vg_catalog *c) { return c ? c->skipped : 0; }

/* ---- index ------------------------------------------------------------------------ */

static nentry *index_get(vg_htable *t, const char *key, size_t klen, bool create)
{
    void **slot;
    if (create) {
        bool created = false;
        slot = vg_htable_put(t, key, klen, INT64_MAX, &created);
        if (!slot)
            return NULL;
        if (created)
            *slot = vg_xcalloc(1, sizeof(nentry));
    } else {
        slot = vg_htable_get(t, key, klen);
        if (!slot)
            return NULL;
    }
    return *slot;
}

static void index_add(vg_catalog *c, const char *name, vg_name_source level, int tier,
                      vg_actor *a)
{
    char *key = vg_xmalloc(strlen(name) + 1);
    size_t kl = vg_intel_name_key(name, key);
    if (kl == 0) {
        free(key);
        return;
    }
    nentry *ne = index_get(c->index, key, kl, true);
    free(key);
    if (!ne)
        return;
    if (!ne->display || level < ne->display_level) {
        free(ne->display);
        ne->display = vg_xstrdup(name);
        ne->display_level = level;
    }
    int slot = (int)level * 2 + tier;
    for (size_t i = 0; i < ne->ncand[slot]; i++)
        if (ne->cand[slot][i] == a)
            return;
    ne->cand[slot] =
        vg_xgrow(ne->cand[slot], &ne->capcand[slot], ne->ncand[slot] + 1, sizeof(vg_actor *));
    ne->cand[slot][ne->ncand[slot]++] = a;
}

/* Resolution against levels < below (VG_NAMESRC_COUNT = all). */
static size_t index_resolve(const vg_catalog *c, const char *name, vg_name_source below,
                            vg_actor *const **cands, vg_name_source *level)
{
    if (!c->index || !name)
        return 0;
    size_t len = strlen(name);
    char stack[256];
    char *key = len < sizeof stack ? stack : vg_xmalloc(len + 1);
    size_t kl = vg_intel_name_key(name, key);
    nentry *ne = kl ? index_get(c->index, key, kl, false) : NULL;
    if (key != stack)
        free(key);
    if (!ne)
        return 0;
    for (int l = 0; l < (int)below * 2; l++)
        if (ne->ncand[l]) {
            if (level)
                *level = (vg_name_source)(l / 2);
            if (ne->ncand[l] > 1 && below == VG_NAMESRC_COUNT && ne->all) {
                if (cands)
                    *cands = ne->all;
                return ne->nall;
            }
            if (cands)
                *cands = ne->cand[l];
            return ne->ncand[l];
        }
    return 0;
}

static void actor_claim(vg_actor *a, const char *name, vg_name_source level, int tier)
{
    a->claims = vg_xgrow(a->claims, &a->cap_claims, a->n_claims + 1, sizeof *a->claims);
    a->claims[a->n_claims].name = name;
    a->claims[a->n_claims].level = level;
    a->claims[a->n_claims].tier = tier;
    a->n_claims++;
}

static vg_actor *new_actor(vg_catalog *c, const vg_intel_rec *r)
{
    vg_actor *a = vg_xcalloc(1, sizeof *a);
    a->name = vg_xstrdup(r->primary);
    a->key = vg_xmalloc(strlen(r->primary) + 1);
    vg_intel_name_key(r->primary, a->key);
    c->actors = vg_xgrow(c->actors, &c->cap_actors, c->n_actors + 1, sizeof *c->actors);
    c->actors[c->n_actors++] = a;
    return a;
}

static void attach(vg_actor *a, const vg_intel_rec *r, vg_strlist *pending_names,
                   vg_name_source level)
{
    (void)pending_names;
    for (size_t i = 0; i < r->names.n; i++)
        actor_claim(a, r->names.v[i], level, 0);
    for (size_t i = 0; i < r->shared.n; i++)
        actor_claim(a, r->shared.v[i], level, 1);
    if (!a->origin && r->origin)
        a->origin = vg_xstrdup(r->origin);
    if (r->attack_id) {
        vg_strlist_add(&a->attack_ids, r->attack_id);
        if (!a->attack_id && r->level == VG_NAMESRC_BUILTIN)
            a->attack_id = vg_xstrdup(r->attack_id);
    }
    if (!a->summary && r->summary)
        a->summary = vg_xstrdup(r->summary);
    if (r->profile)
        a->builtin = true;
    a->infra |= r->infra;
    vg_strlist_add_all(&a->techniques, &r->techniques);
    vg_strlist_add_all(&a->lures, &r->lures);
    vg_strlist_add_all(&a->sectors, &r->sectors);
    vg_strlist_add_all(&a->refs, &r->refs);
    if (r->source)
        vg_strlist_add(&a->sources, r->source);
}

static int cmp_actor_ptr(const void *x, const void *y)
{
    const vg_actor *a = *(vg_actor *const *)x, *b = *(vg_actor *const *)y;
    int d = strcasecmp(a->name, b->name);
    return d ? d : strcmp(a->name, b->name);
}

static int cmp_rec_order(const void *x, const void *y)
{
    const vg_intel_rec *a = *(vg_intel_rec *const *)x, *b = *(vg_intel_rec *const *)y;
    if (a->level != b->level)
        return (int)a->level - (int)b->level;
    return a->order - b->order;
}

static int cmp_pair(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    int d = strcasecmp(a->name, b->name);
    if (!d)
        d = strcmp(a->name, b->name);
    return d ? d : cmp_actor_ptr(&a->actor, &b->actor);
}

static int cmp_alias_idx(const void *x, const void *y, void *ud);

/* Attach decision for a record at level L: its own name, else its synonyms,
 * must resolve to exactly one actor at a higher level. */
static vg_actor *attach_target(const vg_catalog *c, const vg_intel_rec *r, vg_name_source L)
{
    vg_actor *const *cands = NULL;
    size_t n = index_resolve(c, r->primary, L, &cands, NULL);
    if (n == 1)
        return cands[0];
    vg_actor *found = NULL;
    const vg_strlist *lists[2] = {&r->names, &r->shared};
    for (int x = 0; x < 2; x++)
        for (size_t i = 0; i < lists[x]->n; i++) {
            size_t m = index_resolve(c, lists[x]->v[i], L, &cands, NULL);
            if (m != 1)
                continue;
            if (found && found != cands[0])
                return NULL; /* synonyms point to several actors: do not join them */
            found = cands[0];
        }
    return found;
}

void vg_catalog_rebuild(vg_catalog *c)
{
    clear_built(c);
    c->index = vg_htable_new(CAT_MAX_NAMES, free_nentry, NULL);
    vg_intel_rec **order = vg_xcalloc(c->n_recs ? c->n_recs : 1, sizeof *order);
    memcpy(order, c->recs, c->n_recs * sizeof *order);
    qsort(order, c->n_recs, sizeof *order, cmp_rec_order);

    size_t i = 0;
    while (i < c->n_recs) {
        vg_name_source L = order[i]->level;
        size_t first_actor = c->n_actors;
        size_t j = i;
        for (; j < c->n_recs && order[j]->level == L; j++) {
            vg_intel_rec *r = order[j];
            vg_actor *a = L == VG_NAMESRC_BUILTIN ? NULL : attach_target(c, r, L);
            if (!a) {
                /* Same primary name as an actor created at this level: same actor. */
                char *k = vg_xmalloc(strlen(r->primary) + 1);
                vg_intel_name_key(r->primary, k);
                for (size_t x = first_actor; x < c->n_actors && !a; x++)
                    if (strcmp(c->actors[x]->key, k) == 0)
                        a = c->actors[x];
                free(k);
            }
            if (!a)
                a = new_actor(c, r);
            attach(a, r, NULL, L);
        }
        /* Names of this level become visible to the next levels only now, so
         * records of one level never chain through each other. */
        for (size_t x = 0; x < c->n_actors; x++) {
            vg_actor *a = c->actors[x];
            for (size_t y = 0; y < a->n_claims; y++)
                if (a->claims[y].level == L)
                    index_add(c, a->claims[y].name, L, a->claims[y].tier, a);
            if (x >= first_actor)
                index_add(c, a->name, L, 0, a);
        }
        i = j;
    }
    free(order);

    qsort(c->actors, c->n_actors, sizeof *c->actors, cmp_actor_ptr);
    /* Sort candidate lists. */
    vg_htable_iter it = VG_HTABLE_ITER_INIT;
    const void *k;
    size_t kl;
    void **v;
    while (vg_htable_next(c->index, &it, &k, &kl, &v, NULL)) {
        nentry *ne = *v;
        size_t total = 0;
        for (int l = 0; l < NSLOTS; l++) {
            if (ne->ncand[l] > 1)
                qsort(ne->cand[l], ne->ncand[l], sizeof(vg_actor *), cmp_actor_ptr);
            total += ne->ncand[l];
        }
        if (total > 1) {
            ne->all = vg_xcalloc(total, sizeof(vg_actor *));
            for (int l = 0; l < NSLOTS; l++)
                for (size_t x = 0; x < ne->ncand[l]; x++) {
                    bool dup = false;
                    for (size_t y = 0; y < ne->nall && !dup; y++)
                        dup = ne->all[y] == ne->cand[l][x];
                    if (!dup)
                        ne->all[ne->nall++] = ne->cand[l][x];
                }
            qsort(ne->all, ne->nall, sizeof(vg_actor *), cmp_actor_ptr);
        }
    }
    /* Aliases: claimed names whose resolution includes this actor. */
    size_t total = 0;
    for (size_t x = 0; x < c->n_actors; x++) {
        vg_actor *a = c->actors[x];
        a->aliases = vg_xcalloc(a->n_claims + 1, sizeof *a->aliases);
        a->alias_src = vg_xcalloc(a->n_claims + 1, sizeof *a->alias_src);
        char *akey = a->key;
        for (size_t y = 0; y < a->n_claims; y++) {
            const char *nm = a->claims[y].name;
            char *key = vg_xmalloc(strlen(nm) + 1);
            vg_intel_name_key(nm, key);
            bool skip = strcmp(key, akey) == 0;
            for (size_t z = 0; z < a->n_aliases && !skip; z++) {
                char *k2 = vg_xmalloc(strlen(a->aliases[z]) + 1);
                vg_intel_name_key(a->aliases[z], k2);
                if (strcmp(k2, key) == 0) {
                    skip = true;
                    if (a->claims[y].level < a->alias_src[z])
                        a->alias_src[z] = a->claims[y].level;
                }
                free(k2);
            }
            free(key);
            if (skip)
                continue;
            vg_actor *const *cands = NULL;
            size_t m = index_resolve(c, nm, VG_NAMESRC_COUNT, &cands, NULL);
            bool mine = false;
            for (size_t z = 0; z < m; z++)
                mine |= cands[z] == a;
            if (!mine)
                continue;
            /* Display form: the best level's spelling. */
            char *k3 = vg_xmalloc(strlen(nm) + 1);
            size_t k3l = vg_intel_name_key(nm, k3);
            nentry *ne = index_get(c->index, k3, k3l, false);
            free(k3);
            a->aliases[a->n_aliases] = ne && ne->display ? ne->display : nm;
            a->alias_src[a->n_aliases] = a->claims[y].level;
            a->n_aliases++;
        }
        /* sort aliases with their sources */
        size_t *idx = vg_xcalloc(a->n_aliases + 1, sizeof *idx);
        for (size_t z = 0; z < a->n_aliases; z++)
            idx[z] = z;
        qsort_r(idx, a->n_aliases, sizeof *idx, cmp_alias_idx, a);
        const char **na = vg_xcalloc(a->n_aliases + 1, sizeof *na);
        vg_name_source *ns = vg_xcalloc(a->n_aliases + 1, sizeof *ns);
        for (size_t z = 0; z < a->n_aliases; z++) {
            na[z] = a->aliases[idx[z]];
            ns[z] = a->alias_src[idx[z]];
        }
        free(idx);
        free(a->aliases);
        free(a->alias_src);
        a->aliases = na;
        a->alias_src = ns;
        vg_strlist_sort(&a->techniques);
        vg_strlist_sort(&a->sectors);
        vg_strlist_sort(&a->attack_ids);
        if (!a->attack_id && a->attack_ids.n)
            a->attack_id = vg_xstrdup(a->attack_ids.v[0]);
        total += 1 + a->n_aliases;
    }
    c->pairs = vg_xcalloc(total + 1, sizeof *c->pairs);
    for (size_t x = 0; x < c->n_actors; x++) {
        vg_actor *a = c->actors[x];
        c->pairs[c->n_pairs++] = (pair){a->name, a};
        for (size_t z = 0; z < a->n_aliases; z++)
            c->pairs[c->n_pairs++] = (pair){a->aliases[z], a};
    }
    qsort(c->pairs, c->n_pairs, sizeof *c->pairs, cmp_pair);
    /* Techniques added by name: to whoever the name resolves to now. */
    for (size_t x = 0; x < c->n_extra; x++) {
        vg_actor *a = (vg_actor *)vg_catalog_find(c, c->extra[x].actor);
        if (a && vg_strlist_add(&a->techniques, c->extra[x].tid))
            vg_strlist_sort(&a->techniques);
    }
}

static int cmp_alias_idx(const void *x, const void *y, void *ud)
{
    const vg_actor *a = ud;
    const char *p = a->aliases[*(const size_t *)x], *q = a->aliases[*(const size_t *)y];
    int d = strcasecmp(p, q);
    return d ? d : strcmp(p, q);
}

/* ---- queries ------------------------------------------------------------------------ */

size_t vg_catalog_count(const vg_catalog *c) { return c ? c->n_actors : 0; }

const vg_actor *vg_catalog_actor(const vg_catalog *c, size_t i)
{
    return c && i < c->n_actors ? c->actors[i] : NULL;
}

size_t vg_catalog_resolve(const vg_catalog *c, const char *name, vg_resolution *out)
{
    vg_actor *const *cands = NULL;
    vg_name_source level = VG_NAMESRC_BUILTIN;
    size_t n = c ? index_resolve(c, name, VG_NAMESRC_COUNT, &cands, &level) : 0;
    if (out) {
        memset(out, 0, sizeof *out);
        out->n_candidates = n;
        out->candidates = n ? (const vg_actor *const *)cands : NULL;
        out->actor = n == 1 ? cands[0] : NULL;
        out->source = level;
    }
    return n;
}

const vg_actor *vg_catalog_find(const vg_catalog *c, const char *name)
{
    vg_resolution r;
    return vg_catalog_resolve(c, name, &r) == 1 ? r.actor : NULL;
}

/* "T1133" or "T1566.002" */
static bool technique_id(const char *t)
{
    if (t[0] != 'T')
        return false;
    size_t d = strspn(t + 1, "0123456789");
    if (d != 4)
        return false;
    t += 5;
    if (!*t)
        return true;
    return t[0] == '.' && strspn(t + 1, "0123456789") == 3 && t[4] == '\0';
}

vg_err vg_catalog_add_technique(vg_catalog *c, const char *actor, const char *tid, vg_error *e)
{
    if (!c || !actor || !*actor || !tid || !technique_id(tid))
        return vg_error_set(e, VG_EINVAL, "\"%s\" is not an ATT&CK technique id (T1234 or T1234.001)",
                            tid ? tid : "");
    vg_resolution r;
    size_t n = vg_catalog_resolve(c, actor, &r);
    if (n == 0)
        return vg_error_set(e, VG_ENOTFOUND, "unknown actor \"%s\"", actor);
    if (n > 1) {
        vg_buf b;
        vg_buf_init(&b, 0);
        for (size_t i = 0; i < n && i < 5; i++)
            vg_buf_printf(&b, "%s%s", i ? ", " : "", vg_actor_name(r.candidates[i]));
        vg_err rc = vg_error_set(e, VG_EINVAL, "ambiguous actor \"%s\" (%s%s)", actor,
                                 vg_buf_cstr(&b), n > 5 ? ", ..." : "");
        vg_buf_free(&b);
        return rc;
    }
    vg_actor *a = (vg_actor *)r.actor;
    if (vg_strlist_add(&a->techniques, tid))
        vg_strlist_sort(&a->techniques);
    c->extra = vg_xgrow(c->extra, &c->cap_extra, c->n_extra + 1, sizeof *c->extra);
    c->extra[c->n_extra].actor = vg_xstrdup(actor);
    c->extra[c->n_extra].tid = vg_xstrdup(tid);
    c->n_extra++;
    return VG_OK;
}

size_t vg_catalog_pair_count(const vg_catalog *c) { return c ? c->n_pairs : 0; }

void vg_catalog_pair(const vg_catalog *c, size_t i, const char **name, const vg_actor **actor)
{
    if (!c || i >= c->n_pairs) {
        if (name)
            *name = NULL;
        if (actor)
            *actor = NULL;
        return;
    }
    if (name)
        *name = c->pairs[i].name;
    if (actor)
        *actor = c->pairs[i].actor;
}

const char *vg_actor_name(const vg_actor *a) { return a ? a->name : NULL; }
const char *vg_actor_origin(const vg_actor *a) { return a ? a->origin : NULL; }
const char *vg_actor_attack_id(const vg_actor *a) { return a ? a->attack_id : NULL; }
const char *vg_actor_summary(const vg_actor *a) { return a ? a->summary : NULL; }
bool vg_actor_builtin(const vg_actor *a) { return a && a->builtin; }
unsigned vg_actor_infra(const vg_actor *a) { return a ? a->infra : 0; }
size_t vg_actor_alias_count(const vg_actor *a) { return a ? a->n_aliases : 0; }
const char *vg_actor_alias(const vg_actor *a, size_t i)
{
    return a && i < a->n_aliases ? a->aliases[i] : NULL;
}
vg_name_source vg_actor_alias_source(const vg_actor *a, size_t i)
{
    return a && i < a->n_aliases ? a->alias_src[i] : VG_NAMESRC_COUNT;
}

#define LIST_ACCESSORS(field, cnt, get)                                                  \
    size_t cnt(const vg_actor *a) { return a ? a->field.n : 0; }                           \
    const char *get(const vg_actor *a, size_t i) { return a && i < a->field.n ? a->field.v[i] : NULL; }

LIST_ACCESSORS(techniques, vg_actor_technique_count, vg_actor_technique)
LIST_ACCESSORS(lures, vg_actor_lure_count, vg_actor_lure)
LIST_ACCESSORS(sectors, vg_actor_sector_count, vg_actor_sector)
LIST_ACCESSORS(sources, vg_actor_source_count, vg_actor_source)
LIST_ACCESSORS(refs, vg_actor_ref_count, vg_actor_ref)
LIST_ACCESSORS(attack_ids, vg_actor_attack_id_count, vg_actor_attack_id_at)

bool vg_actor_has_technique(const vg_actor *a, const char *tid)
{
    if (!a || !tid || !*tid)
        return false;
    size_t tl = strcspn(tid, ".");
    for (size_t i = 0; i < a->techniques.n; i++) {
        const char *t = a->techniques.v[i];
        if (strcasecmp(t, tid) == 0)
            return true;
        /* parent / sub-technique of each other: T1110 ~ T1110.003 */
        size_t l2 = strcspn(t, ".");
        if (l2 == tl && strncasecmp(t, tid, tl) == 0 && (t[l2] == '\0' || tid[tl] == '\0'))
            return true;
    }
    return false;
}

void vg_actor_write_json(const vg_actor *a, vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "name", a->name);
    vg_json_kv_str(j, "origin", a->origin);
    vg_json_kv_str(j, "attack_id", a->attack_id);
    vg_json_key(j, "attack_ids");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < a->attack_ids.n; i++)
        vg_json_str(j, a->attack_ids.v[i]);
    vg_json_arr_end(j);
    vg_json_kv_bool(j, "builtin", a->builtin);
    vg_json_key(j, "aliases");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < a->n_aliases; i++) {
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "name", a->aliases[i]);
        vg_json_kv_str(j, "source", vg_name_source_name(a->alias_src[i]));
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    struct {
        const char *k;
        const vg_strlist *l;
    } lists[] = {{"techniques", &a->techniques}, {"lures", &a->lures}, {"sectors", &a->sectors},
                 {"sources", &a->sources},       {"refs", &a->refs}};
    for (size_t x = 0; x < sizeof lists / sizeof lists[0]; x++) {
        vg_json_key(j, lists[x].k);
        vg_json_arr_begin(j);
        for (size_t i = 0; i < lists[x].l->n; i++)
            vg_json_str(j, lists[x].l->v[i]);
        vg_json_arr_end(j);
    }
    vg_json_key(j, "infrastructure");
    vg_json_arr_begin(j);
    for (unsigned b = 1; b && b <= VG_INFRA_CLOUD; b <<= 1)
        if (a->infra & b)
            vg_json_str(j, vg_infra_name(b));
    vg_json_arr_end(j);
    if (a->summary)
        vg_json_kv_str(j, "summary", a->summary);
    vg_json_obj_end(j);
}
