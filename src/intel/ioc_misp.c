/* ioc_misp.c — MISP event JSON ({"Event":...}, {"response":[{"Event":...}]},
 * a list of events, or a restSearch {"response":{"Attribute":[...]}}):
 * attributes by type, actors from galaxy tags and clusters, shared-address
 * hints (Tor, VPN) from tags and comments. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/ioc_internal.h"

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Actor from a tag: misp-galaxy:threat-actor="APT28",
 * misp-galaxy:mitre-intrusion-set="APT28 - G0007",
 * misp-galaxy:microsoft-activity-group="Forest Blizzard". */
static bool actor_from_tag(const char *tag, char *out, size_t cap)
{
    if (!tag || strncasecmp(tag, "misp-galaxy:", 12) != 0)
        return false;
    const char *eq = strchr(tag, '=');
    if (!eq)
        return false;
    vg_str kind = vg_str_make(tag + 12, (size_t)(eq - tag - 12));
    if (vg_str_find(kind, VG_STR("threat-actor")) < 0 &&
        vg_str_find(kind, VG_STR("intrusion-set")) < 0 &&
        vg_str_find(kind, VG_STR("activity-group")) < 0)
        return false;
    vg_str v = vg_str_trim(vg_str_from(eq + 1));
    if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
        v = vg_str_sub(v, 1, v.n - 2);
    /* strip an ATT&CK id suffix " - G0007" */
    ptrdiff_t dash = vg_str_find(v, VG_STR(" - G"));
    if (dash > 0)
        v.n = (size_t)dash;
    v = vg_str_trim(v);
    if (v.n == 0 || v.n >= cap)
        return false;
    memcpy(out, v.p, v.n);
    out[v.n] = 0;
    return true;
}

static bool actor_from_tags(const json_t *tags, char *out, size_t cap)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
        if (actor_from_tag(jstr(t, "name"), out, cap))
            return true;
    return false;
}

static bool actor_from_galaxies(const json_t *galaxies, char *out, size_t cap)
{
    size_t i, k;
    json_t *g, *cl;
    json_array_foreach(galaxies, i, g)
    {
        const char *type = jstr(g, "type");
        if (!type || (!strstr(type, "threat-actor") && !strstr(type, "intrusion-set") &&
                      !strstr(type, "activity-group")))
            continue;
        json_array_foreach(json_object_get(g, "GalaxyCluster"), k, cl)
        {
            const char *tag = jstr(cl, "tag_name");
            if (actor_from_tag(tag, out, cap))
                return true;
            const char *v = jstr(cl, "value");
            if (v && strlen(v) < cap) {
                strcpy(out, v);
                return true;
            }
        }
    }
    return false;
}

static vg_shared_kind shared_from_tags(const json_t *tags)
{
    size_t i;
    json_t *t;
    vg_shared_kind k = VG_SHARED_NONE;
    json_array_foreach(tags, i, t)
    {
        const char *nm = jstr(t, "name");
        if (!nm || strncasecmp(nm, "misp-galaxy:", 12) == 0)
            continue;
        vg_shared_kind x = vg_ioc_shared_from_text(nm);
        if (x != VG_SHARED_NONE && (k == VG_SHARED_NONE || k == VG_SHARED_OTHER))
            k = x;
    }
    return k;
}

typedef struct misp_ctx {
    vg_iocset *set;
    const char *file;
    size_t added, bad, skipped_type, context_only;
} misp_ctx;

static void add_value(misp_ctx *c, vg_ioc_type t, const char *value, const vg_indicator *tmpl,
                      const char *where)
{
    vg_indicator ind = *tmpl;
    ind.type = t;
    ind.value = value;
    if (t == VG_IOC_IP && strchr(value, '/'))
        ind.type = VG_IOC_CIDR;
    vg_error e = {0};
    if (vg_iocset_add_labeled(c->set, &ind, &e) == VG_OK) {
        c->added++;
    } else {
        c->bad++;
        vg_iocset_note_reject(c->set, "%s: %s: %s", c->file, where, e.msg);
    }
}

static void attribute(misp_ctx *c, const json_t *a, const char *event_actor,
                      vg_shared_kind event_shared, const char *event_uuid, const char *where)
{
    const char *type = jstr(a, "type");
    const char *value = jstr(a, "value");
    if (!type || !value) {
        c->bad++;
        vg_iocset_note_reject(c->set, "%s: %s: attribute without type or value", c->file, where);
        return;
    }
    json_t *to_ids = json_object_get(a, "to_ids");
    if (json_is_false(to_ids) || (json_is_string(to_ids) && strcmp(json_string_value(to_ids), "0") == 0) ||
        (json_is_integer(to_ids) && json_integer_value(to_ids) == 0)) {
        c->context_only++; /* MISP's "not for detection" */
        return;
    }
    if (json_is_true(json_object_get(a, "deleted")))
        return;
    vg_indicator tmpl;
    vg_indicator_init(&tmpl);
    tmpl.source = c->file;
    tmpl.id = jstr(a, "uuid") ? jstr(a, "uuid") : event_uuid;
    tmpl.name = jstr(a, "comment");
    if (tmpl.name && !*tmpl.name)
        tmpl.name = NULL;
    char actor[256];
    tmpl.actor_label = actor_from_tags(json_object_get(a, "Tag"), actor, sizeof actor) ||
                               actor_from_galaxies(json_object_get(a, "Galaxy"), actor, sizeof actor)
                           ? actor
                           : event_actor;
    tmpl.shared = shared_from_tags(json_object_get(a, "Tag"));
    if (tmpl.shared == VG_SHARED_NONE)
        tmpl.shared = vg_ioc_shared_from_text(tmpl.name);
    if (tmpl.shared == VG_SHARED_NONE)
        tmpl.shared = event_shared;

    char left[1024], right[1024];
    const char *bar = strchr(value, '|');
    left[0] = right[0] = 0;
    if (bar) {
        size_t ll = (size_t)(bar - value);
        if (ll >= sizeof left || strlen(bar + 1) >= sizeof right) {
            c->bad++;
            vg_iocset_note_reject(c->set, "%s: %s: value too long", c->file, where);
            return;
        }
        memcpy(left, value, ll);
        left[ll] = 0;
        strcpy(right, bar + 1);
    }
    if (!strcmp(type, "ip-src") || !strcmp(type, "ip-dst")) {
        add_value(c, VG_IOC_IP, value, &tmpl, where);
    } else if (!strcmp(type, "ip-src|port") || !strcmp(type, "ip-dst|port")) {
        add_value(c, VG_IOC_IP, bar ? left : value, &tmpl, where);
    } else if (!strcmp(type, "domain") || !strcmp(type, "hostname")) {
        add_value(c, VG_IOC_DOMAIN, value, &tmpl, where);
    } else if (!strcmp(type, "hostname|port")) {
        add_value(c, VG_IOC_DOMAIN, bar ? left : value, &tmpl, where);
    } else if (!strcmp(type, "domain|ip")) {
        add_value(c, VG_IOC_DOMAIN, bar ? left : value, &tmpl, where);
        if (bar)
            add_value(c, VG_IOC_IP, right, &tmpl, where);
    } else if (!strcmp(type, "url")) {
        add_value(c, VG_IOC_URL, value, &tmpl, where);
    } else if (!strcmp(type, "email") || !strcmp(type, "email-src") ||
               !strcmp(type, "email-reply-to")) {
        add_value(c, VG_IOC_EMAIL, value, &tmpl, where);
    } else if (!strcmp(type, "md5") || !strcmp(type, "sha1") || !strcmp(type, "sha256") ||
               !strcmp(type, "sha512")) {
        vg_ioc_type ht = VG_IOC_NONE;
        char norm[160];
        vg_ioc_normalize_hash(value, &ht, norm, sizeof norm);
        add_value(c, ht == VG_IOC_NONE ? VG_IOC_SHA256 : ht, value, &tmpl, where);
    } else if (!strncmp(type, "filename|", 9) || !strcmp(type, "malware-sample")) {
        vg_ioc_type ht = VG_IOC_NONE;
        char norm[160];
        if (!bar || !vg_ioc_normalize_hash(right, &ht, norm, sizeof norm)) {
            if (!strncmp(type, "filename|", 9) && strstr(type, "ssdeep") == NULL &&
                strstr(type, "imphash") == NULL && strstr(type, "tlsh") == NULL &&
                strstr(type, "authentihash") == NULL && strstr(type, "vhash") == NULL &&
                strstr(type, "pehash") == NULL) {
                c->bad++;
                vg_iocset_note_reject(c->set, "%s: %s: %s value has no valid hash", c->file,
                                      where, type);
            } else {
                c->skipped_type++;
            }
            return;
        }
        add_value(c, ht, right, &tmpl, where);
    } else {
        c->skipped_type++;
    }
}

static void event(misp_ctx *c, const json_t *ev, size_t ei)
{
    char actor_buf[256];
    const char *actor = NULL;
    if (actor_from_tags(json_object_get(ev, "Tag"), actor_buf, sizeof actor_buf) ||
        actor_from_galaxies(json_object_get(ev, "Galaxy"), actor_buf, sizeof actor_buf))
        actor = actor_buf;
    vg_shared_kind shared = shared_from_tags(json_object_get(ev, "Tag"));
    const char *uuid = jstr(ev, "uuid");
    char where[96];
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(ev, "Attribute"), i, a)
    {
        snprintf(where, sizeof where, "Event[%zu].Attribute[%zu]", ei, i);
        attribute(c, a, actor, shared, uuid, where);
    }
    size_t k;
    json_t *obj;
    json_array_foreach(json_object_get(ev, "Object"), k, obj)
        json_array_foreach(json_object_get(obj, "Attribute"), i, a)
        {
            snprintf(where, sizeof where, "Event[%zu].Object[%zu].Attribute[%zu]", ei, k, i);
            attribute(c, a, actor, shared, uuid, where);
        }
}

vg_err vg_iocset_load_misp(vg_iocset *s, const char *json, size_t n, const char *name,
                           vg_error *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, n, JSON_ALLOW_NUL, &je);
    if (!root)
        return vg_error_set(e, VG_EINVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    misp_ctx c = {.set = s, .file = name};
    size_t events = 0;
    json_t *list = NULL;
    if (json_is_array(root))
        list = root;
    else if (json_is_array(json_object_get(root, "response")))
        list = json_object_get(root, "response");
    if (list) {
        size_t i;
        json_t *x;
        json_array_foreach(list, i, x)
        {
            json_t *ev = json_object_get(x, "Event");
            if (!json_is_object(ev)) {
                c.bad++;
                vg_iocset_note_reject(s, "%s: [%zu]: not a MISP event", name, i);
                continue;
            }
            event(&c, ev, i);
            events++;
        }
    } else if (json_is_object(json_object_get(root, "Event"))) {
        event(&c, json_object_get(root, "Event"), 0);
        events = 1;
    } else if (json_is_array(json_object_get(json_object_get(root, "response"), "Attribute"))) {
        json_t *attrs = json_object_get(json_object_get(root, "response"), "Attribute");
        size_t i;
        json_t *a;
        char where[64];
        json_array_foreach(attrs, i, a)
        {
            snprintf(where, sizeof where, "Attribute[%zu]", i);
            char actor_buf[256];
            const char *actor = NULL;
            if (actor_from_tags(json_object_get(json_object_get(a, "Event"), "Tag"), actor_buf,
                                sizeof actor_buf))
                actor = actor_buf;
            attribute(&c, a, actor, VG_SHARED_NONE, NULL, where);
        }
        events = 1;
    } else {
        json_decref(root);
        return vg_error_set(e, VG_EINVAL, "%s: not a MISP event (no \"Event\" or \"response\")",
                            name);
    }
    json_decref(root);
    vg_debug("%s: %zu events, %zu indicators, %zu rejected, %zu unsupported types, %zu "
             "context-only",
             name, events, c.added, c.bad, c.skipped_type, c.context_only);
    return VG_OK;
}
