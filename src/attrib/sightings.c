/* sightings.c — cross-organization sightings: findings exported as STIX 2.1
 * (identity, indicator, sighting, intrusion-set, indicates) or as a MISP
 * event (attributes with sightings and actor tags), and imported back as
 * findings of the sighting organization, so campaigns can span
 * organizations that exchange what they saw. Account names never leave. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attrib/attrib_internal.h"

#define MAX_VALUES_PER_FINDING 200

/* uuid5 namespace for every id vigil puts in shared intel. */
static const uint8_t vigil_ns[16] = {0x6f, 0x1c, 0x2b, 0x8e, 0x5a, 0x43, 0x4d, 0x1f,
                                     0x9b, 0x27, 0x0e, 0x3a, 0x7c, 0x55, 0xd0, 0x11};

static void make_id(const char *type, const char *name, char *out, size_t cap)
{
    char u[37];
    vg_uuid5(vigil_ns, name, strlen(name), u);
    snprintf(out, cap, "%s--%s", type, u);
}

static void ts(int64_t ms, char *buf)
{
    vg_time_format_rfc3339(ms, true, buf);
}

/* Attacker-side values of a finding as (type, value): the infrastructure
 * keys (no victim data). */
static void finding_values(const vg_finding *f, vg_strlist *out)
{
    vg_strlist keys = {0};
    vg_attrib_infra_keys(f, NULL, &keys);
    for (size_t i = 0; i < keys.n && out->n < MAX_VALUES_PER_FINDING; i++)
        if (strncmp(keys.v[i], "net:", 4) != 0)
            vg_strlist_add(out, keys.v[i]);
    vg_strlist_free(&keys);
}

static bool stix_pattern(const char *key, vg_buf *b)
{
    const char *v = strchr(key, ':');
    if (!v)
        return false;
    v++;
    vg_buf esc;
    vg_buf_init(&esc, 0);
    for (const char *p = v; *p; p++) {
        if (*p == '\'' || *p == '\\')
            vg_buf_putc(&esc, '\\');
        vg_buf_putc(&esc, *p);
    }
    const char *e = vg_buf_cstr(&esc);
    bool ok = true;
    if (strncmp(key, "ip:", 3) == 0)
        vg_buf_printf(b, "[%s:value = '%s']", strchr(v, ':') ? "ipv6-addr" : "ipv4-addr", e);
    else if (strncmp(key, "dom:", 4) == 0)
        vg_buf_printf(b, "[domain-name:value = '%s']", e);
    else if (strncmp(key, "url:", 4) == 0)
        vg_buf_printf(b, "[url:value = '%s']", e);
    else if (strncmp(key, "email:", 6) == 0)
        vg_buf_printf(b, "[email-addr:value = '%s']", e);
    else if (strncmp(key, "hash:", 5) == 0) {
        size_t n = strlen(v);
        const char *alg = n == 32 ? "MD5" : n == 40 ? "'SHA-1'" : n == 64 ? "'SHA-256'" : "'SHA-512'";
        vg_buf_printf(b, "[file:hashes.%s = '%s']", alg, e);
    } else
        ok = false;
    vg_buf_free(&esc);
    return ok;
}

static int cmp_obj(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    static const char *const order[] = {"identity", "intrusion-set", "indicator", "relationship",
                                        "sighting"};
    const char *ta = json_string_value(json_object_get(a, "type"));
    const char *tb = json_string_value(json_object_get(b, "type"));
    int ra = 9, rb = 9;
    for (int i = 0; i < 5; i++) {
        if (ta && strcmp(ta, order[i]) == 0)
            ra = i;
        if (tb && strcmp(tb, order[i]) == 0)
            rb = i;
    }
    if (ra != rb)
        return ra - rb;
    return strcmp(json_string_value(json_object_get(a, "id")),
                  json_string_value(json_object_get(b, "id")));
}

static bool wanted(const vg_finding *f, const char *org)
{
    return !f->suppressed && !vg_attrib_benign_kind(f->kind) && (!org || strcmp(f->org, org) == 0);
}

static void dump(json_t *root, vg_buf *out)
{
    char *s = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (s) {
        vg_buf_puts(out, s);
        vg_buf_putc(out, '\n');
        free(s);
    }
}

vg_err vg_sightings_export_stix(const vg_findings *l, const char *org, vg_buf *out, vg_error *e)
{
    (void)e;
    json_t *objs = json_object(); /* id -> object (dedupe) */
    vg_buf all;
    vg_buf_init(&all, 0);
    char id[128], sid[128], iid[128], actor_id[128], t0[VG_TIME_STRLEN], t1[VG_TIME_STRLEN];
    for (size_t i = 0; i < l->n; i++) {
        const vg_finding *f = l->v[i];
        if (!wanted(f, org))
            continue;
        vg_buf_puts(&all, f->id);
        int64_t first = f->first_seen, last = f->last_seen ? f->last_seen : f->first_seen;
        ts(first, t0);
        ts(last, t1);
        char oid[128];
        make_id("identity", f->org, oid, sizeof oid);
        if (!json_object_get(objs, oid))
            json_object_set_new(objs, oid,
                                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
                                          "spec_version", "2.1", "id", oid, "created",
                                          "2020-01-01T00:00:00.000Z", "modified",
                                          "2020-01-01T00:00:00.000Z", "name", f->org,
                                          "identity_class", "organization"));
        bool attributed = f->attribution.actor && f->attribution.confidence >= VG_CONF_MODERATE;
        if (attributed) {
            vg_buf nm;
            vg_buf_init(&nm, 0);
            vg_buf_printf(&nm, "intrusion-set:%s", f->attribution.actor);
            make_id("intrusion-set", nm.p, actor_id, sizeof actor_id);
            vg_buf_free(&nm);
            if (!json_object_get(objs, actor_id)) {
                json_t *al = json_array();
                for (size_t k = 0; k < f->attribution.aliases.n; k++)
                    json_array_append_new(al, json_string(f->attribution.aliases.v[k]));
                json_object_set_new(objs, actor_id,
                                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "type",
                                              "intrusion-set", "spec_version", "2.1", "id",
                                              actor_id, "created", "2020-01-01T00:00:00.000Z",
                                              "modified", "2020-01-01T00:00:00.000Z", "name",
                                              f->attribution.actor, "aliases", al));
            }
        }
        vg_strlist vals = {0};
        finding_values(f, &vals);
        for (size_t k = 0; k < vals.n; k++) {
            vg_buf pat;
            vg_buf_init(&pat, 0);
            if (!stix_pattern(vals.v[k], &pat)) {
                vg_buf_free(&pat);
                continue;
            }
            make_id("indicator", vals.v[k], iid, sizeof iid);
            json_t *ind = json_object_get(objs, iid);
            if (!ind) {
                ind = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type",
                                "indicator", "spec_version", "2.1", "id", iid, "created", t0,
                                "modified", t0, "pattern", pat.p, "pattern_type", "stix",
                                "valid_from", t0, "indicator_types", "malicious-activity");
                json_object_set_new(objs, iid, ind);
            } else {
                /* the earliest sighting opens the validity */
                const char *vf = json_string_value(json_object_get(ind, "valid_from"));
                if (vf && strcmp(t0, vf) < 0) {
                    json_object_set_new(ind, "valid_from", json_string(t0));
                    json_object_set_new(ind, "created", json_string(t0));
                    json_object_set_new(ind, "modified", json_string(t0));
                }
            }
            vg_buf_free(&pat);
            if (attributed) {
                vg_buf rn;
                vg_buf_init(&rn, 0);
                vg_buf_printf(&rn, "%s>%s", iid, actor_id);
                make_id("relationship", rn.p, id, sizeof id);
                vg_buf_free(&rn);
                if (!json_object_get(objs, id))
                    json_object_set_new(
                        objs, id,
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "relationship",
                                  "spec_version", "2.1", "id", id, "created", t0, "modified", t0,
                                  "relationship_type", "indicates", "source_ref", iid, "target_ref",
                                  actor_id));
            }
            vg_buf sn;
            vg_buf_init(&sn, 0);
            vg_buf_printf(&sn, "%s|%s", f->id, vals.v[k]);
            make_id("sighting", sn.p, sid, sizeof sid);
            vg_buf_free(&sn);
            json_t *attack = json_array();
            for (size_t a = 0; a < f->attack.n; a++)
                json_array_append_new(attack, json_string(f->attack.v[a]));
            json_t *x = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:s, s:s}",
                "id", f->id, "kind", f->kind, "org", f->org, "outcome", vg_outcome_name(f->outcome),
                "severity", vg_severity_name(f->severity), "first_seen", t0, "score", f->score,
                "attack", attack, "counts", "attempts", (json_int_t)f->counts.attempts, "accounts",
                (json_int_t)f->counts.accounts, "ips", (json_int_t)f->counts.ips, "succeeded",
                (json_int_t)f->counts.succeeded, "blocked", (json_int_t)f->counts.blocked,
                "last_seen", t1, "confidence", vg_confidence_name(f->attribution.confidence));
            if (f->attribution.actor)
                json_object_set_new(x, "actor", json_string(f->attribution.actor));
            int64_t count = f->counts.attempts > 0 ? f->counts.attempts : 1;
            if (count > 999999999)
                count = 999999999;
            json_object_set_new(objs, sid,
                                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:[s], s:o}",
                                          "type", "sighting", "spec_version", "2.1", "id", sid,
                                          "created", t0, "modified", t1, "first_seen", t0,
                                          "last_seen", t1, "sighting_of_ref", iid, "count",
                                          (json_int_t)count, "where_sighted_refs", oid,
                                          "x_vigil_finding", x));
        }
        vg_strlist_free(&vals);
    }
    /* sorted objects */
    size_t n = json_object_size(objs), i = 0;
    json_t **arr = vg_xcalloc(n + 1, sizeof *arr);
    const char *k;
    json_t *v;
    json_object_foreach(objs, k, v) arr[i++] = v;
    qsort(arr, n, sizeof *arr, cmp_obj);
    json_t *list = json_array();
    for (i = 0; i < n; i++)
        json_array_append(list, arr[i]);
    free(arr);
    make_id("bundle", vg_buf_cstr(&all), id, sizeof id);
    vg_buf_free(&all);
    json_t *bundle = json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", id, "objects", list);
    dump(bundle, out);
    json_decref(bundle);
    json_decref(objs);
    return VG_OK;
}

static const char *misp_type(const char *key)
{
    if (strncmp(key, "ip:", 3) == 0)
        return "ip-src";
    if (strncmp(key, "dom:", 4) == 0)
        return "domain";
    if (strncmp(key, "url:", 4) == 0)
        return "url";
    if (strncmp(key, "email:", 6) == 0)
        return "email-src";
    if (strncmp(key, "hash:", 5) == 0) {
        size_t n = strlen(key + 5);
        return n == 32 ? "md5" : n == 40 ? "sha1" : n == 64 ? "sha256" : "sha512";
    }
    return NULL;
}

static int cmp_attr(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    return strcmp(json_string_value(json_object_get(a, "uuid")),
                  json_string_value(json_object_get(b, "uuid")));
}

vg_err vg_sightings_export_misp(const vg_findings *l, const char *org, vg_buf *out, vg_error *e)
{
    (void)e;
    json_t *attrs = json_array();
    vg_buf all;
    vg_buf_init(&all, 0);
    int64_t first = 0;
    for (size_t i = 0; i < l->n; i++) {
        const vg_finding *f = l->v[i];
        if (!wanted(f, org))
            continue;
        vg_buf_puts(&all, f->id);
        if (!first || (f->first_seen && f->first_seen < first))
            first = f->first_seen;
        char t0[VG_TIME_STRLEN], t1[VG_TIME_STRLEN];
        ts(f->first_seen, t0);
        ts(f->last_seen ? f->last_seen : f->first_seen, t1);
        vg_strlist vals = {0};
        finding_values(f, &vals);
        for (size_t k = 0; k < vals.n; k++) {
            const char *type = misp_type(vals.v[k]);
            if (!type)
                continue;
            char uuid[37];
            vg_buf un;
            vg_buf_init(&un, 0);
            vg_buf_printf(&un, "misp|%s|%s", f->id, vals.v[k]);
            vg_uuid5(vigil_ns, un.p, un.n, uuid);
            vg_buf_free(&un);
            json_t *tags = json_array();
            vg_buf tg;
            vg_buf_init(&tg, 0);
            vg_buf_printf(&tg, "vigil:finding=\"%s\"", f->id);
            json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            vg_buf_reset(&tg);
            vg_buf_printf(&tg, "vigil:kind=\"%s\"", f->kind);
            json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            vg_buf_reset(&tg);
            vg_buf_printf(&tg, "vigil:org=\"%s\"", f->org);
            json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            vg_buf_reset(&tg);
            vg_buf_printf(&tg, "vigil:outcome=\"%s\"", vg_outcome_name(f->outcome));
            json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            vg_buf_reset(&tg);
            vg_buf_printf(&tg, "vigil:attempts=\"%lld\"", (long long)f->counts.attempts);
            json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            vg_buf_reset(&tg);
            vg_buf_printf(&tg, "vigil:succeeded=\"%lld\"", (long long)f->counts.succeeded);
            json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            for (size_t a = 0; a < f->attack.n; a++) {
                vg_buf_reset(&tg);
                vg_buf_printf(&tg, "vigil:attack=\"%s\"", f->attack.v[a]);
                json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            }
            if (f->attribution.actor && f->attribution.confidence >= VG_CONF_MODERATE) {
                vg_buf_reset(&tg);
                vg_buf_printf(&tg, "misp-galaxy:threat-actor=\"%s\"", f->attribution.actor);
                json_array_append_new(tags, json_pack("{s:s}", "name", tg.p));
            }
            vg_buf_free(&tg);
            char secs[24];
            snprintf(secs, sizeof secs, "%lld", (long long)(f->first_seen / 1000));
            const char *colon = strchr(vals.v[k], ':');
            json_t *attr = json_pack(
                "{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:o, s:[{s:s, s:s, s:s}]}", "uuid", uuid,
                "type", type, "category", strcmp(type, "ip-src") == 0 ? "Network activity"
                                          : strncmp(type, "sha", 3) == 0 || strcmp(type, "md5") == 0
                                              ? "Payload delivery"
                                              : "Network activity",
                "to_ids", 1, "value", colon + 1, "comment", f->kind, "first_seen", t0, "last_seen",
                t1, "Tag", tags, "Sighting", "source", f->org, "date_sighting", secs, "type", "0");
            json_array_append_new(attrs, attr);
        }
        vg_strlist_free(&vals);
    }
    size_t n = json_array_size(attrs);
    json_t **arr = vg_xcalloc(n + 1, sizeof *arr);
    for (size_t i = 0; i < n; i++)
        arr[i] = json_array_get(attrs, i);
    qsort(arr, n, sizeof *arr, cmp_attr);
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(sorted, arr[i]);
    free(arr);
    char uuid[37], date[VG_TIME_STRLEN];
    vg_uuid5(vigil_ns, all.p ? all.p : "", all.n, uuid);
    vg_buf_free(&all);
    vg_time_format_rfc3339(first, false, date);
    date[10] = 0;
    vg_buf info;
    vg_buf_init(&info, 0);
    vg_buf_printf(&info, "vigil sightings%s%s", org ? ": " : "", org ? org : "");
    json_t *ev = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:o, s:[{s:s}]}}", "Event", "uuid", uuid,
                           "info", info.p, "date", date, "threat_level_id", "2", "analysis", "2",
                           "Attribute", sorted, "Tag", "name", "tlp:amber");
    vg_buf_free(&info);
    dump(ev, out);
    json_decref(ev);
    json_decref(attrs);
    return VG_OK;
}

/* ---- import --------------------------------------------------------------------------------- */

typedef struct imp {
    vg_findings *out;
    json_t *byfinding; /* finding id -> index+1 into out (as integer) */
    size_t base;
    const char *name;
    size_t added;
} imp;

static vg_finding *imp_get(imp *im, const char *fid, const char *kind, const char *org)
{
    json_t *x = json_object_get(im->byfinding, fid);
    if (x)
        return im->out->v[json_integer_value(x) - 1];
    vg_finding *f = vg_finding_new(kind, org);
    if (vg_id_wellformed(fid, 'f'))
        memcpy(f->id, fid, 19);
    else
        vg_finding_set_id(f, fid, 0, 0);
    vg_strlist_addf(&f->reasons, "sighting shared by %s (imported from %s)", org, im->name);
    vg_findings_push(im->out, f);
    json_object_set_new(im->byfinding, fid, json_integer((json_int_t)im->out->n));
    im->added++;
    return f;
}

static void add_value(vg_finding *f, vg_ioc_type t, const char *v)
{
    switch (t) {
    case VG_IOC_IP:
    case VG_IOC_CIDR:
        vg_strlist_add(&f->entities.ips, v);
        vg_strlist_add(&f->roles.attacker_ips, v);
        break;
    case VG_IOC_DOMAIN: vg_strlist_add(&f->entities.domains, v); break;
    case VG_IOC_URL: vg_strlist_add(&f->entities.urls, v); break;
    case VG_IOC_EMAIL: vg_strlist_add(&f->entities.accounts, v); break;
    case VG_IOC_NONE: break;
    default: vg_strlist_add(&f->entities.hashes, v); break;
    }
    f->counts.ips = (int64_t)f->entities.ips.n;
}

static int64_t jtime(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    int64_t t = 0;
    if (s)
        vg_time_parse_rfc3339(vg_str_from(s), &t);
    return t;
}

static void apply_x(vg_finding *f, json_t *x)
{
    const char *s;
    if ((s = json_string_value(json_object_get(x, "outcome"))))
        vg_outcome_parse(s, &f->outcome);
    if ((s = json_string_value(json_object_get(x, "severity"))))
        vg_severity_parse(s, &f->severity);
    json_t *v = json_object_get(x, "score");
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100)
        f->score = (int)json_integer_value(v);
    size_t i;
    json_array_foreach(json_object_get(x, "attack"), i, v)
        if (json_is_string(v))
            vg_strlist_add(&f->attack, json_string_value(v));
    json_t *c = json_object_get(x, "counts");
    f->counts.attempts = json_integer_value(json_object_get(c, "attempts"));
    f->counts.accounts = json_integer_value(json_object_get(c, "accounts"));
    f->counts.succeeded = json_integer_value(json_object_get(c, "succeeded"));
    f->counts.blocked = json_integer_value(json_object_get(c, "blocked"));
    vg_finding_seen(f, jtime(x, "first_seen"));
    vg_finding_seen(f, jtime(x, "last_seen"));
    const char *actor = json_string_value(json_object_get(x, "actor"));
    const char *conf = json_string_value(json_object_get(x, "confidence"));
    if (actor && !f->attribution.actor) {
        f->attribution.actor = vg_xstrdup(actor);
        if (!conf || !vg_confidence_parse(conf, &f->attribution.confidence))
            f->attribution.confidence = VG_CONF_NONE;
        vg_strlist_addf(&f->attribution.evidence, "attributed to %s by the sharing organization",
                        actor);
    }
}

static vg_err import_stix(json_t *root, imp *im, vg_error *e)
{
    json_t *objs = json_object_get(root, "objects");
    /* indicator values through the STIX loader (same pattern parser) */
    vg_iocset *set = vg_iocset_new();
    char *text = json_dumps(root, JSON_COMPACT);
    vg_err rc = vg_iocset_load_stix(set, text, strlen(text), im->name, e);
    free(text);
    if (rc) {
        vg_iocset_free(set);
        return rc;
    }
    json_t *byid = json_object();
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (id)
            json_object_set(byid, id, o);
    }
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (!type || strcmp(type, "sighting") != 0)
            continue;
        const char *sid = json_string_value(json_object_get(o, "id"));
        const char *of = json_string_value(json_object_get(o, "sighting_of_ref"));
        json_t *where = json_array_get(json_object_get(o, "where_sighted_refs"), 0);
        const char *wid = json_string_value(where);
        json_t *ident = wid ? json_object_get(byid, wid) : NULL;
        const char *org = json_string_value(json_object_get(ident, "name"));
        if (!org)
            org = wid ? wid : "unknown";
        json_t *x = json_object_get(o, "x_vigil_finding");
        const char *fid = json_string_value(json_object_get(x, "id"));
        const char *kind = json_string_value(json_object_get(x, "kind"));
        if (!sid || !of)
            continue;
        vg_finding *f = imp_get(im, fid ? fid : sid, kind ? kind : "ioc.match", org);
        if (x)
            apply_x(f, x);
        else {
            json_t *cnt = json_object_get(o, "count");
            f->counts.attempts += json_is_integer(cnt) ? json_integer_value(cnt) : 1;
        }
        vg_finding_seen(f, jtime(o, "first_seen"));
        vg_finding_seen(f, jtime(o, "last_seen"));
        for (size_t k = 0; k < vg_iocset_count(set); k++) {
            const vg_indicator *d = vg_iocset_at(set, k);
            if (d->id && strcmp(d->id, of) == 0) {
                add_value(f, d->type, d->value);
                if (!f->attribution.actor && d->actor) {
                    f->attribution.actor = vg_xstrdup(d->actor);
                    vg_strlist_addf(&f->attribution.evidence,
                                    "the sharing organization tied %s to %s", d->value, d->actor);
                }
            }
        }
    }
    json_decref(byid);
    vg_iocset_free(set);
    return VG_OK;
}

static const char *tag_value(json_t *tags, const char *prefix, char *buf, size_t cap)
{
    size_t i;
    json_t *t;
    size_t pl = strlen(prefix);
    json_array_foreach(tags, i, t)
    {
        const char *nm = json_string_value(json_object_get(t, "name"));
        if (!nm || strncmp(nm, prefix, pl) != 0)
            continue;
        vg_str v = vg_str_from(nm + pl);
        if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
            v = vg_str_sub(v, 1, v.n - 2);
        if (v.n >= cap)
            continue;
        memcpy(buf, v.p, v.n);
        buf[v.n] = 0;
        return buf;
    }
    return NULL;
}

static vg_ioc_type misp_ioc_type(const char *t)
{
    if (!t)
        return VG_IOC_NONE;
    if (!strcmp(t, "ip-src") || !strcmp(t, "ip-dst"))
        return VG_IOC_IP;
    if (!strcmp(t, "domain") || !strcmp(t, "hostname"))
        return VG_IOC_DOMAIN;
    if (!strcmp(t, "url"))
        return VG_IOC_URL;
    if (!strcmp(t, "email-src") || !strcmp(t, "email"))
        return VG_IOC_EMAIL;
    if (!strcmp(t, "md5") || !strcmp(t, "sha1") || !strcmp(t, "sha256") || !strcmp(t, "sha512"))
        return VG_IOC_SHA256;
    return VG_IOC_NONE;
}

static void import_misp_event(json_t *ev, imp *im)
{
    const char *evorg = json_string_value(json_object_get(json_object_get(ev, "Orgc"), "name"));
    const char *evuuid = json_string_value(json_object_get(ev, "uuid"));
    char evactor_buf[256];
    const char *evactor = tag_value(json_object_get(ev, "Tag"), "misp-galaxy:threat-actor=",
                                    evactor_buf, sizeof evactor_buf);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(ev, "Attribute"), i, a)
    {
        vg_ioc_type t = misp_ioc_type(json_string_value(json_object_get(a, "type")));
        const char *value = json_string_value(json_object_get(a, "value"));
        if (t == VG_IOC_NONE || !value)
            continue;
        json_t *tags = json_object_get(a, "Tag");
        char fid[64], kind[64], org[256], actor[256];
        const char *f_id = tag_value(tags, "vigil:finding=", fid, sizeof fid);
        const char *f_kind = tag_value(tags, "vigil:kind=", kind, sizeof kind);
        const char *f_org = tag_value(tags, "vigil:org=", org, sizeof org);
        json_t *sight = json_array_get(json_object_get(a, "Sighting"), 0);
        if (!f_org)
            f_org = json_string_value(json_object_get(sight, "source"));
        if (!f_org)
            f_org = evorg ? evorg : "unknown";
        vg_buf key;
        vg_buf_init(&key, 0);
        vg_buf_printf(&key, "%s|%s", evuuid ? evuuid : "event", f_org);
        vg_finding *f = imp_get(im, f_id ? f_id : key.p, f_kind ? f_kind : "ioc.match", f_org);
        vg_buf_free(&key);
        char norm[8192];
        if (t == VG_IOC_SHA256 && vg_ioc_normalize_hash(value, &t, norm, sizeof norm))
            value = norm;
        add_value(f, t, value);
        char buf[64];
        const char *outc = tag_value(tags, "vigil:outcome=", buf, sizeof buf);
        if (outc)
            vg_outcome_parse(outc, &f->outcome);
        size_t k;
        json_t *tg;
        json_array_foreach(tags, k, tg)
        {
            const char *nm = json_string_value(json_object_get(tg, "name"));
            if (nm && strncmp(nm, "vigil:attack=\"", 14) == 0) {
                vg_str v = vg_str_from(nm + 14);
                if (v.n && v.p[v.n - 1] == '"')
                    v.n--;
                vg_strlist_addn(&f->attack, v.p, v.n);
            }
        }
        const char *act = tag_value(tags, "misp-galaxy:threat-actor=", actor, sizeof actor);
        if (!act)
            act = evactor;
        if (!f->attribution.actor && act) {
            f->attribution.actor = vg_xstrdup(act);
            vg_strlist_addf(&f->attribution.evidence, "attributed to %s by the sharing organization",
                            act);
        }
        vg_finding_seen(f, jtime(a, "first_seen"));
        vg_finding_seen(f, jtime(a, "last_seen"));
        const char *ds = json_string_value(json_object_get(sight, "date_sighting"));
        int64_t secs;
        if (ds && vg_str_to_i64(vg_str_from(ds), &secs))
            vg_finding_seen(f, secs * 1000);
        if (!f->first_seen) {
            const char *date = json_string_value(json_object_get(ev, "date"));
            int64_t t0;
            char d[40];
            if (date && strlen(date) == 10) {
                snprintf(d, sizeof d, "%sT00:00:00Z", date);
                if (vg_time_parse_rfc3339(vg_str_from(d), &t0) == VG_OK)
                    vg_finding_seen(f, t0);
            }
        }
        char num[32];
        int64_t cnt;
        if (tag_value(tags, "vigil:attempts=", num, sizeof num) && vg_str_to_i64(vg_str_from(num), &cnt))
            f->counts.attempts = cnt; /* the same on every attribute of the finding */
        else
            f->counts.attempts++;
        if (tag_value(tags, "vigil:succeeded=", num, sizeof num) && vg_str_to_i64(vg_str_from(num), &cnt))
            f->counts.succeeded = cnt;
    }
}

vg_err vg_sightings_import(const char *json, size_t n, const char *name, vg_findings *out,
                           vg_error *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, n, 0, &je);
    if (!root)
        return vg_error_set(e, VG_EINVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    imp im = {.out = out, .byfinding = json_object(), .base = out->n, .name = name};
    vg_err rc = VG_OK;
    if (json_is_array(json_object_get(root, "objects"))) {
        rc = import_stix(root, &im, e);
    } else if (json_is_object(json_object_get(root, "Event"))) {
        import_misp_event(json_object_get(root, "Event"), &im);
    } else if (json_is_array(json_object_get(root, "response")) || json_is_array(root)) {
        json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
        size_t i;
        json_t *x;
        json_array_foreach(list, i, x)
            if (json_is_object(json_object_get(x, "Event")))
                import_misp_event(json_object_get(x, "Event"), &im);
    } else {
        rc = vg_error_set(e, VG_EINVAL, "%s: neither a STIX 2.1 bundle nor a MISP event", name);
    }
    for (size_t i = im.base; i < out->n; i++)
        vg_finding_normalize(out->v[i]);
    json_decref(im.byfinding);
    json_decref(root);
    return rc;
}
