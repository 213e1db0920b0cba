/* report_stix.c — threat reports as a STIX 2.1 bundle: per report (or
 * merged event) a `report` object whose object_refs hold the actors
 * (threat-actor + intrusion-set, attributed-to), their origin (location,
 * located-at), the targets (location per country, identity of class
 * "class" per sector; intrusion-set targets them), the techniques
 * (attack-pattern with its ATT&CK reference; intrusion-set uses it when the
 * report ties them), impersonated organizations (identity; threat-actor
 * impersonates it) and the reporting organization (identity).
 *
 * Ids are UUIDv5 in vigil's namespace over the keys render_stix.c uses for
 * the same things ("threat-actor:STRONTIUM", "location:country:CA",
 * "attack-pattern:T1566", "relationship:<src>:<type>:<dst>"), so bundles
 * from reports and from notifications merge. Catalog-like objects carry a
 * fixed timestamp; a report carries its date. Objects are written sorted by
 * id, so output is byte-for-byte reproducible. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/report_int.h"

/* vigil's UUIDv5 namespace (the one of src/notify/render_stix.c). */
static const uint8_t NS[16] = {0x4c, 0x1d, 0x8e, 0x52, 0x7a, 0x0b, 0x4f, 0x3e,
                               0x9b, 0x61, 0x2d, 0x5a, 0xc8, 0x70, 0x13, 0xe4};
#define FIXED_TIME "2020-01-01T00:00:00.000Z"

typedef struct obj {
    char id[96];
    char *json;
} obj;

typedef struct bundle {
    obj *v;
    size_t n, cap;
} bundle;

static void make_id(char out[96], const char *type, const char *key)
{
    char u[37];
    vg_uuid5(NS, key, strlen(key), u);
    snprintf(out, 96, "%s--%s", type, u);
}

static bool have(const bundle *b, const char *id)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].id, id) == 0)
            return true;
    return false;
}

/* Starts an object: {"type":..,"spec_version":"2.1","id":..,"created":..,"modified":.. */
static void begin(vg_json *j, vg_buf *buf, const char *type, const char *id, const char *time)
{
    vg_buf_reset(buf);
    vg_json_init(j, buf);
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "type", type);
    vg_json_kv_str(j, "spec_version", "2.1");
    vg_json_kv_str(j, "id", id);
    vg_json_kv_str(j, "created", time);
    vg_json_kv_str(j, "modified", time);
}

static void finish(bundle *b, vg_json *j, vg_buf *buf, const char *id)
{
    vg_json_obj_end(j);
    if (have(b, id))
        return;
    b->v = vg_xgrow(b->v, &b->cap, b->n + 1, sizeof *b->v);
    snprintf(b->v[b->n].id, sizeof b->v[b->n].id, "%s", id);
    b->v[b->n].json = vg_xstrndup(buf->p, buf->n);
    b->n++;
}

typedef struct refs {
    char (*v)[96];
    size_t n, cap;
} refs;

static void ref(refs *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i], id) == 0)
            return;
    r->v = vg_xgrow(r->v, &r->cap, r->n + 1, sizeof *r->v);
    snprintf(r->v[r->n++], 96, "%s", id);
}

static void relationship(bundle *b, refs *rf, const char *src, const char *type, const char *dst)
{
    char key[320], id[96];
    snprintf(key, sizeof key, "relationship:%s:%s:%s", src, type, dst);
    make_id(id, "relationship", key);
    ref(rf, id);
    if (have(b, id))
        return;
    vg_buf buf;
    vg_buf_init(&buf, 0);
    vg_json j;
    begin(&j, &buf, "relationship", id, FIXED_TIME);
    vg_json_kv_str(&j, "relationship_type", type);
    vg_json_kv_str(&j, "source_ref", src);
    vg_json_kv_str(&j, "target_ref", dst);
    finish(b, &j, &buf, id);
    vg_buf_free(&buf);
}

static void location(bundle *b, refs *rf, const vg_report_kb *kb, const char *cc, char id[96])
{
    char key[64];
    snprintf(key, sizeof key, "location:country:%s", cc);
    make_id(id, "location", key);
    ref(rf, id);
    if (have(b, id))
        return;
    vg_buf buf;
    vg_buf_init(&buf, 0);
    vg_json j;
    begin(&j, &buf, "location", id, FIXED_TIME);
    const rp_country *c = kb ? rp_kb_country(kb, cc) : NULL;
    vg_json_kv_str(&j, "name", c ? c->name : cc);
    vg_json_kv_str(&j, "country", cc);
    finish(b, &j, &buf, id);
    vg_buf_free(&buf);
}

static void identity(bundle *b, refs *rf, const char *key, const char *name, const char *cls,
                     const char *sector, char id[96])
{
    make_id(id, "identity", key);
    ref(rf, id);
    if (have(b, id))
        return;
    vg_buf buf;
    vg_buf_init(&buf, 0);
    vg_json j;
    begin(&j, &buf, "identity", id, FIXED_TIME);
    vg_json_kv_str(&j, "name", name);
    vg_json_kv_str(&j, "identity_class", cls);
    if (sector) {
        vg_json_key(&j, "sectors");
        vg_json_arr_begin(&j);
        vg_json_str(&j, sector);
        vg_json_arr_end(&j);
    }
    finish(b, &j, &buf, id);
    vg_buf_free(&buf);
}

static int cmp_ref(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void write_one(bundle *b, const vg_report *r, const vg_report_kb *kb, int64_t undated_ms)
{
    refs rf = {0};
    vg_buf buf;
    vg_buf_init(&buf, 0);
    vg_json j;
    vg_arena *a = vg_arena_new(0);
    char id[96], id2[96], key[512];
    const char **v;
    size_t n;

    /* actors */
    const char **actors;
    size_t nact = rp_report_values(r, VG_FACT_ACTOR, a, &actors);
    char(*is_ids)[96] = vg_xcalloc(nact ? nact : 1, sizeof *is_ids);
    char(*ta_ids)[96] = vg_xcalloc(nact ? nact : 1, sizeof *ta_ids);
    for (size_t i = 0; i < nact; i++) {
        const rp_actor *ac = kb ? rp_kb_actor(kb, actors[i]) : NULL;
        const char *origin = NULL;
        for (size_t k = 0; k < r->nfacts && !origin; k++)
            if (r->facts[k].kind == VG_FACT_ACTOR && !r->facts[k].background &&
                strcmp(r->facts[k].value, actors[i]) == 0)
                origin = r->facts[k].detail;
        if (!origin && ac)
            origin = ac->origin;
        snprintf(key, sizeof key, "threat-actor:%s", actors[i]);
        make_id(ta_ids[i], "threat-actor", key);
        snprintf(key, sizeof key, "intrusion-set:%s", actors[i]);
        make_id(is_ids[i], "intrusion-set", key);
        for (int pass = 0; pass < 2; pass++) {
            const char *oid = pass ? is_ids[i] : ta_ids[i];
            ref(&rf, oid);
            if (have(b, oid))
                continue;
            begin(&j, &buf, pass ? "intrusion-set" : "threat-actor", oid, FIXED_TIME);
            vg_json_kv_str(&j, "name", actors[i]);
            if (ac && ac->naliases) {
                vg_json_key(&j, "aliases");
                vg_json_arr_begin(&j);
                for (size_t k = 0; k < ac->naliases; k++)
                    vg_json_str(&j, ac->aliases[k]);
                vg_json_arr_end(&j);
            }
            if (!pass) {
                vg_json_key(&j, "threat_actor_types");
                vg_json_arr_begin(&j);
                vg_json_str(&j, origin ? "nation-state" : "unknown");
                vg_json_arr_end(&j);
            }
            finish(b, &j, &buf, oid);
        }
        relationship(b, &rf, is_ids[i], "attributed-to", ta_ids[i]);
        if (origin) {
            location(b, &rf, kb, origin, id);
            relationship(b, &rf, ta_ids[i], "located-at", id);
            relationship(b, &rf, is_ids[i], "originates-from", id);
        }
    }
    /* targets */
    n = rp_report_values(r, VG_FACT_COUNTRY, a, &v);
    for (size_t i = 0; i < n; i++) {
        location(b, &rf, kb, v[i], id);
        for (size_t k = 0; k < nact; k++)
            relationship(b, &rf, is_ids[k], "targets", id);
    }
    n = rp_report_values(r, VG_FACT_SECTOR, a, &v);
    for (size_t i = 0; i < n; i++) {
        const rp_sector *sc = kb ? rp_kb_sector(kb, v[i]) : NULL;
        snprintf(key, sizeof key, "identity:sector:%s", v[i]);
        identity(b, &rf, key, vg_arena_printf(a, "%s sector", v[i]), "class",
                 sc && sc->stix ? sc->stix : NULL, id);
        for (size_t k = 0; k < nact; k++)
            relationship(b, &rf, is_ids[k], "targets", id);
    }
    n = rp_report_values(r, VG_FACT_IMPERSONATED, a, &v);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "identity:organization:%s", v[i]);
        identity(b, &rf, key, v[i], "organization", NULL, id);
        for (size_t k = 0; k < nact; k++)
            relationship(b, &rf, ta_ids[k], "impersonates", id);
    }
    /* techniques */
    n = rp_report_values(r, VG_FACT_TECHNIQUE, a, &v);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "attack-pattern:%s", v[i]);
        make_id(id, "attack-pattern", key);
        ref(&rf, id);
        if (!have(b, id)) {
            const rp_technique *t = kb ? rp_kb_technique(kb, v[i]) : NULL;
            begin(&j, &buf, "attack-pattern", id, FIXED_TIME);
            vg_json_kv_str(&j, "name", t ? t->name : v[i]);
            vg_json_key(&j, "external_references");
            vg_json_arr_begin(&j);
            vg_json_obj_begin(&j);
            vg_json_kv_str(&j, "source_name", "mitre-attack");
            vg_json_kv_str(&j, "external_id", v[i]);
            char path[32], url[96];
            snprintf(path, sizeof path, "%s", v[i]);
            for (char *p = path; *p; p++)
                if (*p == '.')
                    *p = '/'; /* T1566.001 -> T1566/001 */
            snprintf(url, sizeof url, "https://attack.mitre.org/techniques/%s/", path);
            vg_json_kv_str(&j, "url", url);
            vg_json_obj_end(&j);
            vg_json_arr_end(&j);
            finish(b, &j, &buf, id);
        }
        for (size_t k = 0; k < nact; k++)
            for (size_t u = 0; u < r->nuses; u++)
                if (strcmp(r->uses[u].actor, actors[k]) == 0 &&
                    strcmp(r->uses[u].technique, v[i]) == 0)
                    relationship(b, &rf, is_ids[k], "uses", id);
    }
    /* the reporting organization */
    n = rp_report_values(r, VG_FACT_REPORTER, a, &v);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "identity:organization:%s", v[i]);
        identity(b, &rf, key, v[i], "organization", NULL, id2);
    }
    /* the report */
    char published[VG_TIME_STRLEN];
    int64_t when = undated_ms;
    if (r->date) {
        int y = atoi(r->date), m = atoi(r->date + 5), d = strlen(r->date) >= 10 ? atoi(r->date + 8) : 1;
        if (vg_time_valid_date(y, m, d))
            when = vg_time_from_civil(y, m, d, 0, 0, 0, 0);
    }
    vg_time_format_rfc3339(when, true, published);
    snprintf(key, sizeof key, "report:%s", r->digest);
    make_id(id, "report", key);
    begin(&j, &buf, "report", id, published);
    const char *title = r->title;
    if (!title || !*title)
        title = vg_arena_printf(a, "Threat report %.12s", r->digest);
    vg_json_kv_str(&j, "name", title);
    vg_json_key(&j, "report_types");
    vg_json_arr_begin(&j);
    vg_json_str(&j, "threat-report");
    vg_json_arr_end(&j);
    vg_json_kv_str(&j, "published", published);
    vg_json_key(&j, "object_refs");
    vg_json_arr_begin(&j);
    qsort(rf.v, rf.n, sizeof *rf.v, cmp_ref);
    for (size_t i = 0; i < rf.n; i++)
        vg_json_str(&j, rf.v[i]);
    if (!rf.n) /* object_refs must not be empty: refer to the report's own source */
        vg_json_str(&j, id);
    vg_json_arr_end(&j);
    if (r->clustered)
        vg_json_kv_str(&j, "x_vigil_event", r->event);
    finish(b, &j, &buf, id);
    free(rf.v);
    free(is_ids);
    free(ta_ids);
    vg_buf_free(&buf);
    vg_arena_free(a);
}

static int cmp_obj(const void *a, const void *b)
{
    return strcmp(((const obj *)a)->id, ((const obj *)b)->id);
}

void vg_report_write_stix(vg_report *const *reports, size_t n, const vg_report_kb *kb,
                          int64_t undated_ms, vg_buf *out)
{
    bundle b = {0};
    vg_buf keys;
    vg_buf_init(&keys, 0);
    for (size_t i = 0; i < n; i++) {
        write_one(&b, reports[i], kb, undated_ms);
        vg_buf_printf(&keys, "%s;", reports[i]->digest);
    }
    qsort(b.v, b.n, sizeof *b.v, cmp_obj);
    char bid[96];
    char *bkey = vg_xmalloc(keys.n + 8);
    snprintf(bkey, keys.n + 8, "bundle:%s", keys.p ? keys.p : "");
    make_id(bid, "bundle", bkey);
    free(bkey);
    vg_json j;
    vg_json_init(&j, out);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "type", "bundle");
    vg_json_kv_str(&j, "id", bid);
    vg_json_key(&j, "objects");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < b.n; i++) {
        vg_json_raw(&j, b.v[i].json);
        free(b.v[i].json);
    }
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    free(b.v);
    vg_buf_free(&keys);
}
