/* catalog_load.c — catalog loaders: data/actors.yaml (built-in and override
 * files), Microsoft's actor-naming map, MITRE ATT&CK intrusion sets (STIX
 * bundle) and the MISP galaxy threat-actor cluster file. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/intel_internal.h"
#include "vigil/yaml.h"

#define CAT_MAX_FILE (512u << 20)

static bool valid_technique(const char *t)
{
    /* T1234 or T1234.001 */
    if (!t || t[0] != 'T')
        return false;
    for (int i = 1; i <= 4; i++)
        if (t[i] < '0' || t[i] > '9')
            return false;
    if (t[5] == '\0')
        return true;
    if (t[5] != '.')
        return false;
    for (int i = 6; i <= 8; i++)
        if (t[i] < '0' || t[i] > '9')
            return false;
    return t[9] == '\0';
}

static bool valid_alpha2(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0';
}

static vg_intel_rec *rec_new(vg_name_source level, const char *primary)
{
    vg_intel_rec *r = vg_xcalloc(1, sizeof *r);
    r->level = level;
    r->primary = vg_xstrdup(primary);
    vg_strlist_add(&r->names, primary);
    return r;
}

/* ---- actors.yaml --------------------------------------------------------------- */

typedef struct yctx {
    vg_strlist *dst;
} yctx;

static void add_str_cb(const char *s, void *ud)
{
    vg_strlist *l = ud;
    vg_str t = vg_str_trim(vg_str_from(s));
    if (t.n)
        vg_strlist_addn(l, t.p, t.n);
}

static vg_err yaml_actor(vg_catalog *c, const vg_yaml_node *an, const char *docname,
                         vg_error *e)
{
    int line = vg_yaml_line(an);
    if (vg_yaml_type_of(an) != VG_YAML_MAP)
        return vg_error_set(e, VG_EINVAL, "%s:%d: actor entry must be a mapping", docname, line);
    const char *name = vg_yaml_str(vg_yaml_get(an, "name"), NULL);
    if (!name || !*name)
        return vg_error_set(e, VG_EINVAL, "%s:%d: actor without a name", docname, line);
    static const char *const known[] = {"name",      "origin",  "attack_id", "aliases",
                                        "shared_names", "summary", "techniques", "lures",
                                        "infrastructure", "sectors", "source", "refs"};
    for (size_t i = 0; i < vg_yaml_len(an); i++) {
        const char *k = vg_yaml_key_at(an, i);
        bool ok = false;
        for (size_t x = 0; x < sizeof known / sizeof known[0]; x++)
            ok |= strcmp(k, known[x]) == 0;
        if (!ok)
            return vg_error_set(e, VG_EINVAL, "%s:%d: actor %s: unknown key '%s'", docname,
                                vg_yaml_line(vg_yaml_value_at(an, i)), name, k);
    }
    vg_intel_rec *r = rec_new(VG_NAMESRC_BUILTIN, name);
    r->profile = true;
    vg_err rc = VG_OK;
    const char *origin = vg_yaml_str(vg_yaml_get(an, "origin"), NULL);
    if (origin) {
        if (!valid_alpha2(origin)) {
            rc = vg_error_set(e, VG_EINVAL, "%s:%d: actor %s: origin '%s' is not ISO alpha-2",
                              docname, vg_yaml_line(vg_yaml_get(an, "origin")), name, origin);
            goto fail;
        }
        r->origin = vg_xstrdup(origin);
    }
    const char *aid = vg_yaml_str(vg_yaml_get(an, "attack_id"), NULL);
    if (aid) {
        r->attack_id = vg_xstrdup(aid);
        vg_strlist_add(&r->names, aid);
    }
    const char *sum = vg_yaml_str(vg_yaml_get(an, "summary"), NULL);
    if (sum)
        r->summary = vg_xstrdup(sum);
    vg_yaml_each_str(vg_yaml_get(an, "aliases"), add_str_cb, &r->names);
    vg_yaml_each_str(vg_yaml_get(an, "shared_names"), add_str_cb, &r->shared);
    vg_yaml_each_str(vg_yaml_get(an, "techniques"), add_str_cb, &r->techniques);
    vg_yaml_each_str(vg_yaml_get(an, "lures"), add_str_cb, &r->lures);
    vg_yaml_each_str(vg_yaml_get(an, "sectors"), add_str_cb, &r->sectors);
    vg_yaml_each_str(vg_yaml_get(an, "refs"), add_str_cb, &r->refs);
    for (size_t i = 0; i < r->techniques.n; i++)
        if (!valid_technique(r->techniques.v[i])) {
            rc = vg_error_set(e, VG_EINVAL, "%s:%d: actor %s: bad technique id '%s'", docname,
                              vg_yaml_line(vg_yaml_get(an, "techniques")), name,
                              r->techniques.v[i]);
            goto fail;
        }
    vg_strlist infra = {0};
    vg_yaml_each_str(vg_yaml_get(an, "infrastructure"), add_str_cb, &infra);
    for (size_t i = 0; i < infra.n; i++) {
        unsigned f = vg_infra_parse(infra.v[i]);
        if (!f) {
            rc = vg_error_set(e, VG_EINVAL, "%s:%d: actor %s: unknown infrastructure '%s'",
                              docname, vg_yaml_line(vg_yaml_get(an, "infrastructure")), name,
                              infra.v[i]);
            vg_strlist_free(&infra);
            goto fail;
        }
        r->infra |= f;
    }
    vg_strlist_free(&infra);
    const char *src = vg_yaml_str(vg_yaml_get(an, "source"), NULL);
    r->source = vg_xstrdup(src ? src : "(no source line)");
    vg_catalog_add_rec(c, r);
    return VG_OK;
fail:
    vg_intel_rec_free(r);
    return rc;
}

vg_err vg_catalog_load_yaml(vg_catalog *c, const char *text, size_t n, const char *name,
                            vg_error *e)
{
    vg_yaml_doc *d = vg_yaml_load_string(text, n, name, e);
    if (!d)
        return e ? e->code : VG_EINVAL;
    const vg_yaml_node *root = vg_yaml_root(d);
    vg_err rc = VG_OK;
    const vg_yaml_node *actors = vg_yaml_get(root, "actors");
    if (vg_yaml_type_of(actors) != VG_YAML_SEQ) {
        rc = vg_error_set(e, VG_EINVAL, "%s:%d: expected an 'actors' list", name,
                          vg_yaml_line(root));
        goto out;
    }
    const vg_yaml_node *themes = vg_yaml_get(root, "lure_themes");
    for (size_t i = 0; i < vg_yaml_len(themes); i++) {
        vg_strlist kw = {0};
        vg_yaml_each_str(vg_yaml_value_at(themes, i), add_str_cb, &kw);
        for (size_t k = 0; k < kw.n; k++)
            for (char *p = kw.v[k]; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
        vg_catalog_add_lure_theme(c, vg_yaml_key_at(themes, i), &kw);
        vg_strlist_free(&kw);
    }
    size_t bad = 0;
    vg_error first = {0};
    for (size_t i = 0; i < vg_yaml_len(actors); i++) {
        vg_error ae = {0};
        if (yaml_actor(c, vg_yaml_at(actors, i), name, &ae) != VG_OK) {
            vg_warn("%s", ae.msg);
            if (!bad++)
                first = ae;
        }
    }
    vg_catalog_note_skipped(c, bad);
    vg_catalog_rebuild(c);
    if (bad)
        rc = vg_error_set(e, VG_EINVAL, "%s (%zu actor%s skipped)", first.msg, bad,
                          bad == 1 ? "" : "s");
out:
    vg_yaml_free(d);
    return rc;
}

vg_err vg_catalog_load_builtin(vg_catalog *c, vg_error *e)
{
    size_t n = 0;
    const char *text = vg_data_get("actors.yaml", &n);
    if (!text)
        return vg_error_set(e, VG_ENOTFOUND, "builtin:actors.yaml is not embedded");
    return vg_catalog_load_yaml(c, text, n, "builtin:actors.yaml", e);
}

vg_err vg_catalog_load_yaml_file(vg_catalog *c, const char *path, vg_error *e)
{
    char *text = NULL;
    size_t n = 0;
    vg_err rc = vg_file_read(path, CAT_MAX_FILE, &text, &n, e);
    if (rc)
        return rc;
    rc = vg_catalog_load_yaml(c, text, n, path, e);
    free(text);
    return rc;
}

/* ---- JSON helpers ---------------------------------------------------------------- */

static json_t *parse_json(const char *text, size_t n, const char *name, vg_error *e)
{
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!root)
        vg_error_set(e, VG_EINVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    return root;
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void add_name_trimmed(vg_strlist *l, const char *s, size_t n)
{
    vg_str t = vg_str_trim(vg_str_make(s, n));
    if (t.n && t.n < 200)
        vg_strlist_addn(l, t.p, t.n);
}

/* "microsoft: MicrosoftMapping.json": the file by its base name, never the
 * operator's local path (actor sources reach notifications). */
static char *source_label(const char *kind, const char *name)
{
    if (!strstr(name, "://")) {
        const char *b = strrchr(name, '/');
        if (b && b[1])
            name = b + 1;
    }
    size_t n = strlen(kind) + strlen(name) + 3;
    char *s = vg_xmalloc(n);
    snprintf(s, n, "%s: %s", kind, name);
    return s;
}

/* ---- Microsoft naming map -------------------------------------------------------- */

vg_err vg_catalog_merge_microsoft(vg_catalog *c, const char *json, size_t n, const char *name,
                                  vg_error *e)
{
    json_t *root = parse_json(json, n, name, e);
    if (!root)
        return VG_EINVAL;
    if (!json_is_array(root)) {
        json_decref(root);
        return vg_error_set(e, VG_EINVAL, "%s: expected a JSON array of actors", name);
    }
    size_t bad = 0, i;
    json_t *o;
    json_array_foreach(root, i, o)
    {
        const char *nm = json_is_object(o) ? jstr(o, "Threat actor name") : NULL;
        vg_str t = vg_str_trim(vg_str_from(nm));
        if (!t.n || t.n > 200) {
            bad++;
            vg_warn("%s: entry %zu: no 'Threat actor name', skipped", name, i);
            continue;
        }
        char *prim = vg_str_dup(t);
        vg_intel_rec *r = rec_new(VG_NAMESRC_MICROSOFT, prim);
        free(prim);
        const char *other = jstr(o, "Other names");
        if (other) {
            vg_str rest = vg_str_from(other), tok;
            while (vg_str_split(&rest, ',', &tok))
                add_name_trimmed(&r->shared, tok.p, tok.n);
        }
        char cc[3];
        if (vg_intel_country_code(jstr(o, "Origin/Threat"), cc))
            r->origin = vg_xstrdup(cc);
        r->source = source_label("microsoft", name);
        vg_catalog_add_rec(c, r);
    }
    json_decref(root);
    vg_catalog_note_skipped(c, bad);
    vg_catalog_rebuild(c);
    return VG_OK;
}

/* ---- MITRE ATT&CK ------------------------------------------------------------------ */

static const char *mitre_external_id(const json_t *o, const char **url)
{
    const json_t *refs = json_object_get(o, "external_references");
    size_t i;
    const json_t *ref;
    json_array_foreach(refs, i, ref)
    {
        const char *src = jstr(ref, "source_name");
        if (src && (strcmp(src, "mitre-attack") == 0 || strcmp(src, "mitre-mobile-attack") == 0 ||
                    strcmp(src, "mitre-ics-attack") == 0)) {
            if (url)
                *url = jstr(ref, "url");
            return jstr(ref, "external_id");
        }
    }
    return NULL;
}

vg_err vg_catalog_merge_attack(vg_catalog *c, const char *json, size_t n, const char *name,
                               vg_error *e)
{
    json_t *root = parse_json(json, n, name, e);
    if (!root)
        return VG_EINVAL;
    json_t *objs = json_is_object(root) ? json_object_get(root, "objects") : root;
    if (!json_is_array(objs)) {
        json_decref(root);
        return vg_error_set(e, VG_EINVAL, "%s: expected a STIX bundle with 'objects'", name);
    }
    /* attack-pattern id -> technique id, intrusion-set id -> record */
    vg_htable *tech = vg_htable_new(1u << 22, NULL, NULL);
    vg_htable *sets = vg_htable_new(1u << 22, NULL, NULL);
    size_t i, bad = 0;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type"), *id = jstr(o, "id");
        if (!type || !id)
            continue;
        if (strcmp(type, "attack-pattern") == 0) {
            const char *tid = mitre_external_id(o, NULL);
            bool revoked = json_is_true(json_object_get(o, "revoked")) ||
                           json_is_true(json_object_get(o, "x_mitre_deprecated"));
            if (tid && !revoked && valid_technique(tid)) {
                void **slot = vg_htable_put(tech, id, strlen(id), INT64_MAX, NULL);
                if (slot)
                    *slot = (void *)tid;
            }
        }
    }
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type"), *id = jstr(o, "id");
        if (!type || strcmp(type, "intrusion-set") != 0)
            continue;
        if (json_is_true(json_object_get(o, "revoked")) ||
            json_is_true(json_object_get(o, "x_mitre_deprecated")))
            continue;
        const char *nm = jstr(o, "name");
        vg_str t = vg_str_trim(vg_str_from(nm));
        if (!t.n || t.n > 200 || !id) {
            bad++;
            vg_warn("%s: object %zu: intrusion-set without a name or id, skipped", name, i);
            continue;
        }
        char *prim = vg_str_dup(t);
        vg_intel_rec *r = rec_new(VG_NAMESRC_ATTACK, prim);
        free(prim);
        size_t k;
        json_t *al;
        json_array_foreach(json_object_get(o, "aliases"), k, al)
            if (json_is_string(al))
                add_name_trimmed(&r->shared, json_string_value(al), strlen(json_string_value(al)));
        const char *url = NULL;
        const char *gid = mitre_external_id(o, &url);
        if (gid) {
            r->attack_id = vg_xstrdup(gid);
            vg_strlist_add(&r->names, gid);
        }
        if (url)
            vg_strlist_add(&r->refs, url);
        r->source = source_label("attack", name);
        void **slot = vg_htable_put(sets, id, strlen(id), INT64_MAX, NULL);
        if (slot)
            *slot = r;
        vg_catalog_add_rec(c, r);
    }
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type");
        if (!type || strcmp(type, "relationship") != 0)
            continue;
        const char *rt = jstr(o, "relationship_type"), *src = jstr(o, "source_ref"),
                   *dst = jstr(o, "target_ref");
        if (!rt || strcmp(rt, "uses") != 0 || !src || !dst ||
            json_is_true(json_object_get(o, "revoked")))
            continue;
        void **rs = vg_htable_get(sets, src, strlen(src));
        void **ts = vg_htable_get(tech, dst, strlen(dst));
        if (rs && ts)
            vg_strlist_add(&((vg_intel_rec *)*rs)->techniques, (const char *)*ts);
    }
    vg_htable_free(tech);
    vg_htable_free(sets);
    json_decref(root);
    vg_catalog_note_skipped(c, bad);
    vg_catalog_rebuild(c);
    return VG_OK;
}

/* ---- MISP galaxy -------------------------------------------------------------------- */

vg_err vg_catalog_merge_misp_galaxy(vg_catalog *c, const char *json, size_t n, const char *name,
                                    vg_error *e)
{
    json_t *root = parse_json(json, n, name, e);
    if (!root)
        return VG_EINVAL;
    json_t *values = json_object_get(root, "values");
    if (!json_is_array(values)) {
        json_decref(root);
        return vg_error_set(e, VG_EINVAL, "%s: expected a MISP galaxy cluster with 'values'",
                            name);
    }
    /* MISP's copy of Microsoft's map counts as Microsoft. */
    const char *gtype = jstr(root, "type");
    vg_name_source level = gtype && strcmp(gtype, "microsoft-activity-group") == 0
                               ? VG_NAMESRC_MICROSOFT
                               : VG_NAMESRC_MISP;
    size_t i, bad = 0;
    json_t *v;
    json_array_foreach(values, i, v)
    {
        const char *nm = json_is_object(v) ? jstr(v, "value") : NULL;
        vg_str t = vg_str_trim(vg_str_from(nm));
        if (!t.n || t.n > 200) {
            bad++;
            vg_warn("%s: values[%zu]: no 'value', skipped", name, i);
            continue;
        }
        char *prim = vg_str_dup(t);
        vg_intel_rec *r = rec_new(level, prim);
        free(prim);
        json_t *meta = json_object_get(v, "meta");
        size_t k;
        json_t *syn;
        json_array_foreach(json_object_get(meta, "synonyms"), k, syn)
            if (json_is_string(syn))
                add_name_trimmed(&r->shared, json_string_value(syn), strlen(json_string_value(syn)));
        char cc[3];
        if (vg_intel_country_code(jstr(meta, "country"), cc))
            r->origin = vg_xstrdup(cc);
        r->source = source_label(level == VG_NAMESRC_MISP ? "misp" : "microsoft", name);
        vg_catalog_add_rec(c, r);
    }
    json_decref(root);
    vg_catalog_note_skipped(c, bad);
    vg_catalog_rebuild(c);
    return VG_OK;
}

/* ---- by content ------------------------------------------------------------------------ */

vg_err vg_catalog_merge_file(vg_catalog *c, const char *path, vg_error *e)
{
    char *text = NULL;
    size_t n = 0;
    vg_err rc = vg_file_read(path, CAT_MAX_FILE, &text, &n, e);
    if (rc)
        return rc;
    rc = vg_catalog_merge_buffer(c, text, n, path, e);
    free(text);
    return rc;
}

vg_err vg_catalog_merge_buffer(vg_catalog *c, const char *text, size_t n, const char *path,
                               vg_error *e)
{
    vg_err rc;
    size_t p = 0;
    while (p < n && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r' || text[p] == '\n'))
        p++;
    if (p < n && text[p] == '[') {
        rc = vg_catalog_merge_microsoft(c, text, n, path, e);
    } else if (p < n && text[p] == '{') {
        /* Galaxy clusters have "values"; ATT&CK bundles have "objects". */
        json_error_t je;
        json_t *root = json_loadb(text, n, 0, &je);
        bool galaxy = root && json_object_get(root, "values");
        json_decref(root);
        rc = galaxy ? vg_catalog_merge_misp_galaxy(c, text, n, path, e)
                    : vg_catalog_merge_attack(c, text, n, path, e);
    } else {
        rc = vg_catalog_load_yaml(c, text, n, path, e);
    }
    return rc;
}
