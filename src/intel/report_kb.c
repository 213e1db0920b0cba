/* report_kb.c — the knowledge `vigil intel report` reads reports with: the
 * gazetteer (data/report_gazetteer.yaml: countries, sectors, techniques,
 * lures, organizations, reporters, cue words, boilerplate) and the actor
 * catalog (every unambiguous name of include/vigil/intel.h's catalog becomes
 * an alias). Everything lives in one arena; matchers are built once. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ubrk.h>

#include "intel/report_int.h"
#include "vigil/intel.h"
#include "vigil/yaml.h"

#define GAZETTEER_NAME "report_gazetteer.yaml"

static const char *const cue_keys[RP_CUE__N] = {
    [RP_CUE_TARGET] = "target",
    [RP_CUE_PASSIVE] = "passive_aux",
    [RP_CUE_ORIGIN_BEFORE] = "origin_before",
    [RP_CUE_ORIGIN_AFTER] = "origin_after",
    [RP_CUE_ACTOR_NOUN] = "actor_noun",
    [RP_CUE_TARGET_NOUN] = "target_noun",
    [RP_CUE_BG_STRONG] = "background_strong",
    [RP_CUE_BG_WEAK] = "background_weak",
    [RP_CUE_MAIN] = "main",
    [RP_CUE_ANAPHORA] = "anaphora",
    [RP_CUE_IMPERSONATION] = "impersonation",
    [RP_CUE_LURE] = "lure",
    [RP_CUE_DELIVERY] = "delivery",
    [RP_CUE_SPEECH] = "speech",
    [RP_CUE_REPORT_VERB] = "report_verb",
    [RP_CUE_TITLE] = "title",
    [RP_CUE_COUNT_QUAL] = "count_qualifier",
    [RP_CUE_CYBER] = "cyber",
};

vg_report_kb *vg_report_kb_new(void)
{
    vg_report_kb *kb = vg_xcalloc(1, sizeof *kb);
    kb->arena = vg_arena_new(0);
    return kb;
}

void vg_report_kb_free(vg_report_kb *kb)
{
    if (!kb)
        return;
    rp_matcher_free(&kb->m_country);
    rp_matcher_free(&kb->m_sector);
    rp_matcher_free(&kb->m_tech);
    rp_matcher_free(&kb->m_lure);
    rp_matcher_free(&kb->m_org);
    rp_matcher_free(&kb->m_reporter);
    rp_matcher_free(&kb->m_actor);
    for (int i = 0; i < RP_CUE__N; i++)
        rp_matcher_free(&kb->m_cue[i]);
    for (size_t i = 0; i < kb->nactors; i++)
        free(kb->actors[i].aliases);
    free(kb->countries);
    free(kb->sectors);
    free(kb->techs);
    free(kb->lures);
    free(kb->orgs);
    free(kb->reporters);
    free(kb->actors);
    free(kb->abbrev.v);
    free(kb->bp_lines.v);
    free(kb->bp_contains.v);
    free(kb->bp_section.v);
    if (kb->sentence_break)
        ubrk_close(kb->sentence_break);
    vg_arena_free(kb->arena);
    free(kb);
}

static void strv_push(rp_strv *v, const char *s)
{
    v->v = vg_xgrow(v->v, &v->cap, v->n + 1, sizeof *v->v);
    v->v[v->n++] = s;
}

char *rp_norm_line(vg_arena *a, const char *s, size_t n)
{
    char *f = rp_fold(a, s, n);
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; f[i]; i++) {
        unsigned char c = (unsigned char)f[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (keep) {
            if (space && o)
                f[o++] = ' ';
            f[o++] = (char)c;
            space = false;
        } else {
            space = true;
        }
    }
    f[o] = '\0';
    return f;
}

/* Phrases with an all-capitals word ("IT companies", "RDP access") keep
 * that word's case: those words are acronyms, and their lower-case forms are
 * ordinary words ("it"). */
static uint16_t auto_flags(const char *phrase)
{
    const char *p = phrase;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *s = p;
        size_t letters = 0, upper = 0;
        while (*p && *p != ' ') {
            if ((*p >= 'A' && *p <= 'Z'))
                upper++;
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
                letters++;
            p++;
        }
        if (p > s && letters >= 2 && upper == letters)
            return RP_PH_EXACT;
    }
    return 0;
}

typedef struct add_ctx {
    vg_report_kb *kb;
    rp_matcher *m;
    uint16_t flags;
    uint32_t id, sub;
    bool auto_exact;
    rp_strv *collect;
} add_ctx;

static void add_phrase_cb(const char *s, void *ud)
{
    add_ctx *c = ud;
    if (!s || !*s)
        return;
    uint16_t f = c->flags;
    if (c->auto_exact)
        f |= auto_flags(s);
    rp_matcher_add(c->m, c->kb->arena, s, f, c->id, c->sub);
    if (c->collect)
        strv_push(c->collect, vg_arena_strdup(c->kb->arena, s));
}

static void add_list(vg_report_kb *kb, rp_matcher *m, const vg_yaml_node *n, uint16_t flags,
                     uint32_t id, uint32_t sub, bool auto_exact, rp_strv *collect)
{
    add_ctx c = {kb, m, flags, id, sub, auto_exact, collect};
    vg_yaml_each_str(n, add_phrase_cb, &c);
}

static const char *str_of(vg_report_kb *kb, const vg_yaml_node *n, const char *key)
{
    const char *s = vg_yaml_str(vg_yaml_get(n, key), NULL);
    return s ? vg_arena_strdup(kb->arena, s) : NULL;
}

static const char **strs_of(vg_report_kb *kb, const vg_yaml_node *n, const char *key, size_t *count)
{
    const vg_yaml_node *l = vg_yaml_get(n, key);
    size_t len = vg_yaml_type_of(l) == VG_YAML_SEQ ? vg_yaml_len(l) : (l ? 1 : 0);
    const char **v = vg_arena_calloc(kb->arena, len ? len : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        const vg_yaml_node *it = vg_yaml_type_of(l) == VG_YAML_SEQ ? vg_yaml_at(l, i) : l;
        const char *s = vg_yaml_str(it, NULL);
        if (s && *s)
            v[k++] = vg_arena_strdup(kb->arena, s);
    }
    *count = k;
    return v;
}

static vg_err load_countries(vg_report_kb *kb, const vg_yaml_node *l, const char *name,
                             vg_error *e)
{
    for (size_t i = 0; i < vg_yaml_len(l); i++) {
        const vg_yaml_node *c = vg_yaml_at(l, i);
        const char *code = vg_yaml_str(vg_yaml_get(c, "code"), NULL);
        if (!code || strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' ||
            code[1] > 'Z')
            return vg_error_set(e, VG_EINVAL, "%s:%d: country needs a two-letter code", name,
                                vg_yaml_line(c));
        kb->countries = vg_xgrow(kb->countries, &kb->ccountries, kb->ncountries + 1,
                                 sizeof *kb->countries);
        rp_country *rc = &kb->countries[kb->ncountries];
        memcpy(rc->code, code, 3);
        size_t nn;
        const char **names = strs_of(kb, c, "names", &nn);
        rc->name = nn ? names[0] : rc->code;
        bool amb = false;
        vg_yaml_bool(vg_yaml_get(c, "ambiguous"), &amb);
        rc->ambiguous = amb;
        uint32_t id = (uint32_t)kb->ncountries++;
        add_list(kb, &kb->m_country, vg_yaml_get(c, "names"), RP_PH_PROPER, id, RP_CN_NAME, false,
                 NULL);
        add_list(kb, &kb->m_country, vg_yaml_get(c, "exact"), RP_PH_EXACT, id, RP_CN_NAME, false,
                 NULL);
        add_list(kb, &kb->m_country, vg_yaml_get(c, "demonyms"), RP_PH_PROPER, id, RP_CN_DEMONYM,
                 false, NULL);
        add_list(kb, &kb->m_country, vg_yaml_get(c, "capitals"), RP_PH_PROPER, id, RP_CN_CAPITAL,
                 false, NULL);
    }
    return VG_OK;
}

static vg_err need_name(const char *s, const vg_yaml_node *n, const char *what, const char *name,
                        vg_error *e)
{
    if (s && *s)
        return VG_OK;
    return vg_error_set(e, VG_EINVAL, "%s:%d: %s needs a name", name, vg_yaml_line(n), what);
}

static vg_err load_orgs(vg_report_kb *kb, const vg_yaml_node *l, rp_org **arr, size_t *n,
                        size_t *cap, rp_matcher *m, const char *name, vg_error *e)
{
    for (size_t i = 0; i < vg_yaml_len(l); i++) {
        const vg_yaml_node *o = vg_yaml_at(l, i);
        const char *nm = str_of(kb, o, "name");
        vg_err rc = need_name(nm, o, "organization", name, e);
        if (rc)
            return rc;
        *arr = vg_xgrow(*arr, cap, *n + 1, sizeof **arr);
        rp_org *org = &(*arr)[*n];
        org->name = nm;
        org->domains = strs_of(kb, o, "domains", &org->ndomains);
        uint32_t id = (uint32_t)(*n)++;
        rp_strv all = {0};
        add_list(kb, m, vg_yaml_get(o, "names"), RP_PH_PROPER, id, 0, false, &all);
        add_list(kb, m, vg_yaml_get(o, "exact"), RP_PH_EXACT, id, 1, false, &all);
        if (!all.n)
            add_list(kb, m, vg_yaml_get(o, "name"), RP_PH_PROPER, id, 0, false, &all);
        org->names = vg_arena_calloc(kb->arena, all.n ? all.n : 1, sizeof *org->names);
        if (all.n)
            memcpy(org->names, all.v, all.n * sizeof *all.v);
        org->nnames = all.n;
        free(all.v);
    }
    return VG_OK;
}

static void strip_period_cb(const char *s, void *ud)
{
    vg_report_kb *kb = ud;
    size_t n = strlen(s);
    while (n && s[n - 1] == '.')
        n--;
    if (!n)
        return;
    char *f = rp_fold(kb->arena, s, n);
    strv_push(&kb->abbrev, f);
}

typedef struct norm_ctx {
    vg_report_kb *kb;
    rp_strv *v;
    bool fold_only;
} norm_ctx;

static void norm_cb(const char *s, void *ud)
{
    norm_ctx *c = ud;
    const char *v = c->fold_only ? rp_fold(c->kb->arena, s, strlen(s))
                                 : rp_norm_line(c->kb->arena, s, strlen(s));
    if (*v)
        strv_push(c->v, v);
}

vg_err vg_report_kb_load_gazetteer(vg_report_kb *kb, const char *text, size_t n, const char *name,
                                   vg_error *e)
{
    vg_yaml_doc *doc = vg_yaml_load_string(text, n, name, e);
    if (!doc)
        return e && e->code ? e->code : VG_EINVAL;
    const vg_yaml_node *root = vg_yaml_root(doc);
    vg_err rc = VG_OK;
    if (vg_yaml_type_of(root) != VG_YAML_MAP) {
        rc = vg_error_set(e, VG_EINVAL, "%s: the gazetteer must be a mapping", name);
        goto out;
    }
    kb->built = false;
    for (size_t k = 0; k < vg_yaml_len(root) && !rc; k++) {
        const char *key = vg_yaml_key_at(root, k);
        const vg_yaml_node *v = vg_yaml_value_at(root, k);
        if (strcmp(key, "countries") == 0) {
            rc = load_countries(kb, v, name, e);
        } else if (strcmp(key, "not_countries") == 0) {
            add_list(kb, &kb->m_country, v, RP_PH_PROPER, RP_NOT_COUNTRY, 0, false, NULL);
        } else if (strcmp(key, "sectors") == 0) {
            for (size_t i = 0; i < vg_yaml_len(v) && !rc; i++) {
                const vg_yaml_node *s = vg_yaml_at(v, i);
                const char *nm = str_of(kb, s, "name");
                rc = need_name(nm, s, "sector", name, e);
                if (rc)
                    break;
                kb->sectors = vg_xgrow(kb->sectors, &kb->csectors, kb->nsectors + 1,
                                       sizeof *kb->sectors);
                kb->sectors[kb->nsectors] = (rp_sector){nm, str_of(kb, s, "stix")};
                add_list(kb, &kb->m_sector, vg_yaml_get(s, "keywords"), 0,
                         (uint32_t)kb->nsectors++, 0, true, NULL);
            }
        } else if (strcmp(key, "techniques") == 0) {
            for (size_t i = 0; i < vg_yaml_len(v) && !rc; i++) {
                const vg_yaml_node *t = vg_yaml_at(v, i);
                const char *id = str_of(kb, t, "id");
                rc = need_name(id, t, "technique id", name, e);
                if (rc)
                    break;
                const char *nm = str_of(kb, t, "name");
                kb->techs = vg_xgrow(kb->techs, &kb->ctechs, kb->ntechs + 1, sizeof *kb->techs);
                kb->techs[kb->ntechs] = (rp_technique){id, nm ? nm : id};
                add_list(kb, &kb->m_tech, vg_yaml_get(t, "phrases"), 0, (uint32_t)kb->ntechs++, 0,
                         true, NULL);
            }
        } else if (strcmp(key, "lures") == 0) {
            for (size_t i = 0; i < vg_yaml_len(v) && !rc; i++) {
                const vg_yaml_node *t = vg_yaml_at(v, i);
                const char *id = str_of(kb, t, "id");
                rc = need_name(id, t, "lure id", name, e);
                if (rc)
                    break;
                const char *label = str_of(kb, t, "label");
                kb->lures = vg_xgrow(kb->lures, &kb->clures, kb->nlures + 1, sizeof *kb->lures);
                rp_lure *lu = &kb->lures[kb->nlures];
                lu->id = id;
                lu->label = label ? label : id;
                rp_strv kw = {0};
                add_list(kb, &kb->m_lure, vg_yaml_get(t, "keywords"), 0, (uint32_t)kb->nlures, 0,
                         true, &kw);
                add_list(kb, &kb->m_lure, vg_yaml_get(t, "strong"), 0, (uint32_t)kb->nlures, 1,
                         true, NULL);
                lu->keywords = vg_arena_calloc(kb->arena, kw.n ? kw.n : 1, sizeof *lu->keywords);
                if (kw.n)
                    memcpy(lu->keywords, kw.v, kw.n * sizeof *kw.v);
                lu->nkeywords = kw.n;
                free(kw.v);
                kb->nlures++;
            }
        } else if (strcmp(key, "organizations") == 0) {
            rc = load_orgs(kb, v, &kb->orgs, &kb->norgs, &kb->corgs, &kb->m_org, name, e);
        } else if (strcmp(key, "reporters") == 0) {
            rc = load_orgs(kb, v, &kb->reporters, &kb->nreporters, &kb->creporters,
                           &kb->m_reporter, name, e);
        } else if (strcmp(key, "cues") == 0) {
            for (size_t i = 0; i < vg_yaml_len(v); i++) {
                const char *ck = vg_yaml_key_at(v, i);
                int c = -1;
                for (int j = 0; j < RP_CUE__N; j++)
                    if (strcmp(cue_keys[j], ck) == 0)
                        c = j;
                if (c < 0) {
                    vg_warn("%s:%d: unknown cue list '%s' ignored", name,
                            vg_yaml_line(vg_yaml_value_at(v, i)), ck);
                    continue;
                }
                add_list(kb, &kb->m_cue[c], vg_yaml_value_at(v, i), 0, (uint32_t)c, 0, true, NULL);
            }
        } else if (strcmp(key, "abbreviations") == 0) {
            vg_yaml_each_str(v, strip_period_cb, kb);
        } else if (strcmp(key, "boilerplate") == 0) {
            norm_ctx c1 = {kb, &kb->bp_lines, false};
            norm_ctx c2 = {kb, &kb->bp_contains, true};
            norm_ctx c3 = {kb, &kb->bp_section, false};
            vg_yaml_each_str(vg_yaml_get(v, "lines"), norm_cb, &c1);
            vg_yaml_each_str(vg_yaml_get(v, "contains"), norm_cb, &c2);
            vg_yaml_each_str(vg_yaml_get(v, "section_end"), norm_cb, &c3);
        } else {
            vg_warn("%s:%d: unknown key '%s' ignored", name, vg_yaml_line(v), key);
        }
    }
out:
    vg_yaml_free(doc);
    return rc;
}

static rp_actor *find_actor(vg_report_kb *kb, const char *name)
{
    for (size_t i = 0; i < kb->nactors; i++)
        if (strcasecmp(kb->actors[i].name, name) == 0)
            return &kb->actors[i];
    return NULL;
}

/* Single alphabetic words ("Zinc", "Lazarus") must be written capitalized:
 * in lower case they are the words of ordinary prose. */
static uint16_t alias_flags(const char *alias)
{
    for (const char *p = alias; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80))
            return 0;
    return RP_PH_CAPONE;
}

/* "G0007": an ATT&CK group id, matched in text but not listed as an alias */
static bool attack_id(const char *s)
{
    if (s[0] != 'G' || strlen(s) != 5)
        return false;
    for (int i = 1; i < 5; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static void actor_alias(vg_report_kb *kb, uint32_t idx, const char *alias)
{
    rp_actor *a = &kb->actors[idx];
    rp_matcher_add(&kb->m_actor, kb->arena, alias, alias_flags(alias), idx, 0);
    if (strcasecmp(alias, a->name) == 0 || attack_id(alias))
        return;
    for (size_t i = 0; i < a->naliases; i++)
        if (strcasecmp(a->aliases[i], alias) == 0)
            return;
    a->aliases = vg_xgrow(a->aliases, &a->cap, a->naliases + 1, sizeof *a->aliases);
    a->aliases[a->naliases++] = vg_arena_strdup(kb->arena, alias);
}

static uint32_t actor_index(vg_report_kb *kb, const char *name, const char *origin)
{
    rp_actor *a = find_actor(kb, name);
    if (!a) {
        kb->actors = vg_xgrow(kb->actors, &kb->cactors, kb->nactors + 1, sizeof *kb->actors);
        a = &kb->actors[kb->nactors++];
        memset(a, 0, sizeof *a);
        a->name = vg_arena_strdup(kb->arena, name);
        rp_matcher_add(&kb->m_actor, kb->arena, name, alias_flags(name),
                       (uint32_t)(kb->nactors - 1), 0);
    }
    if (origin && *origin && !a->origin)
        a->origin = vg_arena_strdup(kb->arena, origin);
    kb->built = false;
    return (uint32_t)(a - kb->actors);
}

void vg_report_kb_add_actor(vg_report_kb *kb, const char *name, const char *origin,
                            const char *const *aliases, size_t n_aliases)
{
    if (!name || !*name)
        return;
    uint32_t idx = actor_index(kb, name, origin);
    for (size_t i = 0; i < n_aliases; i++)
        if (aliases[i] && *aliases[i])
            actor_alias(kb, idx, aliases[i]);
}

void vg_report_kb_add_catalog(vg_report_kb *kb, const struct vg_catalog *c)
{
    size_t np = vg_catalog_pair_count(c);
    for (size_t i = 0; i < np; i++) {
        const char *name;
        const vg_actor *a;
        vg_catalog_pair(c, i, &name, &a);
        /* an ambiguous name (listed once per candidate) names no one */
        const char *pn = NULL, *nn = NULL;
        const vg_actor *pa, *na;
        if (i > 0)
            vg_catalog_pair(c, i - 1, &pn, &pa);
        if (i + 1 < np)
            vg_catalog_pair(c, i + 1, &nn, &na);
        if ((pn && strcasecmp(pn, name) == 0) || (nn && strcasecmp(nn, name) == 0))
            continue;
        uint32_t idx = actor_index(kb, vg_actor_name(a), vg_actor_origin(a));
        actor_alias(kb, idx, name);
    }
}

size_t vg_report_kb_actor_count(const vg_report_kb *kb) { return kb->nactors; }

void rp_kb_build(vg_report_kb *kb)
{
    if (kb->built)
        return;
    rp_matcher_build(&kb->m_country);
    rp_matcher_build(&kb->m_sector);
    rp_matcher_build(&kb->m_tech);
    rp_matcher_build(&kb->m_lure);
    rp_matcher_build(&kb->m_org);
    rp_matcher_build(&kb->m_reporter);
    rp_matcher_build(&kb->m_actor);
    for (int i = 0; i < RP_CUE__N; i++)
        rp_matcher_build(&kb->m_cue[i]);
    if (!kb->sentence_break) {
        /* opening an iterator with the abbreviation filter costs more than
         * analysing a short report: open it once, clone it per report */
        UErrorCode st = U_ZERO_ERROR;
        UBreakIterator *bi = ubrk_open(UBRK_SENTENCE, "en_US@ss=standard", NULL, 0, &st);
        kb->sentence_break = U_SUCCESS(st) ? bi : NULL;
    }
    kb->built = true;
}

vg_report_kb *vg_report_kb_builtin(vg_error *e)
{
    size_t n;
    const char *g = vg_data_get(GAZETTEER_NAME, &n);
    if (!g) {
        vg_error_set(e, VG_ENOTFOUND, "builtin:%s is not compiled in", GAZETTEER_NAME);
        return NULL;
    }
    vg_report_kb *kb = vg_report_kb_new();
    if (vg_report_kb_load_gazetteer(kb, g, n, "builtin:" GAZETTEER_NAME, e) != VG_OK) {
        vg_report_kb_free(kb);
        return NULL;
    }
    vg_catalog *c = vg_catalog_new();
    if (vg_catalog_load_builtin(c, e) != VG_OK) {
        vg_catalog_free(c);
        vg_report_kb_free(kb);
        return NULL;
    }
    vg_report_kb_add_catalog(kb, c);
    vg_catalog_free(c);
    rp_kb_build(kb);
    return kb;
}

const rp_actor *rp_kb_actor(const vg_report_kb *kb, const char *name)
{
    return find_actor((vg_report_kb *)kb, name);
}

const rp_country *rp_kb_country(const vg_report_kb *kb, const char *code)
{
    for (size_t i = 0; i < kb->ncountries; i++)
        if (strcmp(kb->countries[i].code, code) == 0)
            return &kb->countries[i];
    return NULL;
}

const rp_technique *rp_kb_technique(const vg_report_kb *kb, const char *id)
{
    for (size_t i = 0; i < kb->ntechs; i++)
        if (strcmp(kb->techs[i].id, id) == 0)
            return &kb->techs[i];
    return NULL;
}

const rp_sector *rp_kb_sector(const vg_report_kb *kb, const char *name)
{
    for (size_t i = 0; i < kb->nsectors; i++)
        if (strcmp(kb->sectors[i].name, name) == 0)
            return &kb->sectors[i];
    return NULL;
}

const rp_lure *rp_kb_lure(const vg_report_kb *kb, const char *id)
{
    for (size_t i = 0; i < kb->nlures; i++)
        if (strcmp(kb->lures[i].id, id) == 0)
            return &kb->lures[i];
    return NULL;
}

const rp_org *rp_kb_org(const vg_report_kb *kb, const char *name)
{
    for (size_t i = 0; i < kb->norgs; i++)
        if (strcasecmp(kb->orgs[i].name, name) == 0)
            return &kb->orgs[i];
    return NULL;
}
