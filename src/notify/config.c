/* config.c — organizations and notification settings from the config file
 * (docs/config.md), and their secret-free JSON form kept in the store. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"

/* ---- organizations ----------------------------------------------------------------- */

void vg_notify_org_clear(vg_notify_org *o)
{
    free(o->id);
    free(o->name);
    free(o->country);
    free(o->sector);
    vg_strlist_free(&o->domains);
    free(o->contact);
    free(o->outbox_dir);
    free(o->webhook_url);
    free(o->webhook_secret_env);
    free(o->webhook_format);
    free(o->smtp_url);
    free(o->smtp_from);
    vg_strlist_free(&o->smtp_to);
    free(o->smtp_username);
    free(o->smtp_password_env);
    free(o->ca_file);
    memset(o, 0, sizeof *o);
}

void vg_notify_orgs_free(vg_notify_orgs *l)
{
    for (size_t i = 0; i < l->n; i++)
        vg_notify_org_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

const vg_notify_org *vg_notify_orgs_find(const vg_notify_orgs *l, const char *id)
{
    for (size_t i = 0; id && l && i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0)
            return &l->v[i];
    return NULL;
}

static vg_notify_org *orgs_push(vg_notify_orgs *l)
{
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    vg_notify_org *o = &l->v[l->n++];
    memset(o, 0, sizeof *o);
    o->outbox = true;
    return o;
}

const vg_notify_org *vg_notify_orgs_add_bare(vg_notify_orgs *l, const char *id)
{
    const vg_notify_org *f = vg_notify_orgs_find(l, id);
    if (f)
        return f;
    vg_notify_org *o = orgs_push(l);
    o->id = vg_xstrdup(id);
    o->name = vg_xstrdup(id);
    return o;
}

static bool valid_org_id(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static char *dup_or_null(const char *s) { return s && *s ? vg_xstrdup(s) : NULL; }

/* ---- JSON form (store) ---------------------------------------------------------------- */

static void kv_opt(vg_json *j, const char *k, const char *v)
{
    if (v)
        vg_json_kv_str(j, k, v);
}

static void kv_list(vg_json *j, const char *k, const vg_strlist *l)
{
    vg_json_key(j, k);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

char *vg_notify_org_to_json(const vg_notify_org *o)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_json_obj_begin(&j);
    kv_opt(&j, "id", o->id);
    kv_opt(&j, "name", o->name);
    kv_opt(&j, "country", o->country);
    kv_opt(&j, "sector", o->sector);
    kv_list(&j, "domains", &o->domains);
    kv_opt(&j, "contact", o->contact);
    vg_json_kv_bool(&j, "outbox", o->outbox);
    kv_opt(&j, "outbox_dir", o->outbox_dir);
    if (o->webhook_url) {
        vg_json_key(&j, "webhook");
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "url", o->webhook_url);
        kv_opt(&j, "secret_env", o->webhook_secret_env);
        kv_opt(&j, "format", o->webhook_format);
        vg_json_obj_end(&j);
    }
    if (o->smtp_url) {
        vg_json_key(&j, "smtp");
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "url", o->smtp_url);
        kv_opt(&j, "from", o->smtp_from);
        kv_list(&j, "to", &o->smtp_to);
        kv_opt(&j, "username", o->smtp_username);
        kv_opt(&j, "password_env", o->smtp_password_env);
        vg_json_obj_end(&j);
    }
    kv_opt(&j, "ca_file", o->ca_file);
    vg_json_kv_bool(&j, "configured", o->configured);
    vg_json_obj_end(&j);
    return vg_buf_steal(&b);
}

static char *jdup(json_t *obj, const char *key)
{
    return dup_or_null(json_string_value(json_object_get(obj, key)));
}

static void jlist(json_t *obj, const char *key, vg_strlist *l)
{
    json_t *a = json_object_get(obj, key), *v;
    size_t i;
    if (json_is_string(a))
        vg_strlist_add(l, json_string_value(a));
    if (!json_is_array(a))
        return;
    json_array_foreach(a, i, v) if (json_is_string(v)) vg_strlist_add(l, json_string_value(v));
}

vg_err vg_notify_org_from_json(const char *json, size_t n, vg_notify_org *o, vg_error *e)
{
    memset(o, 0, sizeof *o);
    json_error_t je;
    json_t *r = json_loadb(json, n, 0, &je);
    if (!json_is_object(r)) {
        json_decref(r);
        return vg_error_set(e, VG_EINVAL, "organization settings: %s", r ? "not an object" : je.text);
    }
    o->id = jdup(r, "id");
    o->name = jdup(r, "name");
    o->country = jdup(r, "country");
    o->sector = jdup(r, "sector");
    jlist(r, "domains", &o->domains);
    o->contact = jdup(r, "contact");
    json_t *ob = json_object_get(r, "outbox");
    o->outbox = ob ? json_is_true(ob) : true;
    o->outbox_dir = jdup(r, "outbox_dir");
    json_t *w = json_object_get(r, "webhook");
    if (json_is_object(w)) {
        o->webhook_url = jdup(w, "url");
        o->webhook_secret_env = jdup(w, "secret_env");
        o->webhook_format = jdup(w, "format");
    }
    json_t *m = json_object_get(r, "smtp");
    if (json_is_object(m)) {
        o->smtp_url = jdup(m, "url");
        o->smtp_from = jdup(m, "from");
        jlist(m, "to", &o->smtp_to);
        o->smtp_username = jdup(m, "username");
        o->smtp_password_env = jdup(m, "password_env");
    }
    o->ca_file = jdup(r, "ca_file");
    o->configured = json_is_true(json_object_get(r, "configured"));
    json_decref(r);
    if (!o->id) {
        vg_notify_org_clear(o);
        return vg_error_set(e, VG_EINVAL, "organization settings: no id");
    }
    if (!o->name)
        o->name = vg_xstrdup(o->id);
    return VG_OK;
}

/* ---- settings -------------------------------------------------------------------------- */

void vg_notify_settings_init(vg_notify_settings *s)
{
    memset(s, 0, sizeof *s);
    s->tlp = VG_TLP_AMBER;
    s->min_severity = VG_SEV_MEDIUM;
    s->webhook_retries = 3;
    s->backoff_ms = 1000;
    s->timeout_s = 30;
}

void vg_notify_settings_clear(vg_notify_settings *s)
{
    free(s->sender);
    free(s->sender_contact);
    vg_notify_settings_init(s);
}

char *vg_notify_settings_to_json(const vg_notify_settings *s)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "tlp", vg_tlp_label(s->tlp));
    vg_json_kv_str(&j, "min_severity", vg_severity_name(s->min_severity));
    kv_opt(&j, "sender", s->sender);
    kv_opt(&j, "sender_contact", s->sender_contact);
    vg_json_kv_int(&j, "webhook_retries", s->webhook_retries);
    vg_json_kv_int(&j, "backoff_ms", s->backoff_ms);
    vg_json_kv_int(&j, "timeout_s", s->timeout_s);
    vg_json_obj_end(&j);
    return vg_buf_steal(&b);
}

vg_err vg_notify_settings_from_json(const char *json, size_t n, vg_notify_settings *s, vg_error *e)
{
    vg_notify_settings_init(s);
    json_error_t je;
    json_t *r = json_loadb(json, n, 0, &je);
    if (!json_is_object(r)) {
        json_decref(r);
        return vg_error_set(e, VG_EINVAL, "notify settings: %s", r ? "not an object" : je.text);
    }
    vg_tlp_parse(json_string_value(json_object_get(r, "tlp")), &s->tlp);
    vg_severity_parse(json_string_value(json_object_get(r, "min_severity")), &s->min_severity);
    s->sender = jdup(r, "sender");
    s->sender_contact = jdup(r, "sender_contact");
    json_t *v;
    if (json_is_integer(v = json_object_get(r, "webhook_retries")))
        s->webhook_retries = (int)json_integer_value(v);
    if (json_is_integer(v = json_object_get(r, "backoff_ms")))
        s->backoff_ms = json_integer_value(v);
    if (json_is_integer(v = json_object_get(r, "timeout_s")))
        s->timeout_s = (long)json_integer_value(v);
    json_decref(r);
    return VG_OK;
}

/* ---- from the YAML config ------------------------------------------------------------------ */

static void add_str(const char *s, void *ud) { vg_strlist_add(ud, s); }

static void warn_unknown(const vg_yaml_node *map, const char *const *known, const char *name,
                         const char *where)
{
    for (size_t i = 0; i < vg_yaml_len(map) && vg_yaml_type_of(map) == VG_YAML_MAP; i++) {
        const char *k = vg_yaml_key_at(map, i);
        bool ok = false;
        for (const char *const *p = known; *p && !ok; p++)
            ok = strcmp(*p, k) == 0;
        if (!ok)
            vg_warn("%s:%d: unknown key '%s' in %s", name, vg_yaml_line(vg_yaml_value_at(map, i)),
                    k, where);
    }
}

static const char *const ORG_KEYS[] = {"id",    "name",         "country",   "sector",
                                       "domains", "tenant_ids", "hosts",     "egress_cidrs",
                                       "vip_names", "notify",    NULL};
static const char *const ORG_NOTIFY_KEYS[] = {"outbox", "outbox_dir", "contact", "webhook",
                                              "smtp",   "ca_file",    NULL};
static const char *const WEBHOOK_KEYS[] = {"url", "secret_env", "format", NULL};
static const char *const SMTP_KEYS[] = {"url", "from", "to", "username", "password_env", NULL};
static const char *const NOTIFY_KEYS[] = {"tlp",    "min_severity",    "sender",
                                          "sender_contact", "webhook", "timeout_seconds", NULL};

static vg_err load_org(const vg_yaml_node *n, const char *name, vg_notify_orgs *orgs, vg_error *e)
{
    int line = vg_yaml_line(n);
    if (vg_yaml_type_of(n) != VG_YAML_MAP)
        return vg_error_set(e, VG_EINVAL, "%s:%d: an organization must be a map", name, line);
    warn_unknown(n, ORG_KEYS, name, "organizations[]");
    const char *id = vg_yaml_str(vg_yaml_get(n, "id"), NULL);
    if (!valid_org_id(id))
        return vg_error_set(e, VG_EINVAL, "%s:%d: organization id '%s' must match [a-z0-9_-]+",
                            name, line, id ? id : "");
    if (vg_notify_orgs_find(orgs, id))
        return vg_error_set(e, VG_EINVAL, "%s:%d: organization '%s' is defined twice", name, line,
                            id);
    vg_notify_org *o = orgs_push(orgs);
    o->configured = true;
    o->id = vg_xstrdup(id);
    const char *nm = vg_yaml_str(vg_yaml_get(n, "name"), NULL);
    o->name = vg_xstrdup(nm && *nm ? nm : id);
    const char *country = vg_yaml_str(vg_yaml_get(n, "country"), NULL);
    if (country && *country) {
        if (strlen(country) != 2)
            vg_warn("%s:%d: country '%s' is not an ISO 3166-1 alpha-2 code", name, line, country);
        o->country = vg_xstrdup(country);
        for (char *c = o->country; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
    }
    o->sector = dup_or_null(vg_yaml_str(vg_yaml_get(n, "sector"), NULL));
    vg_yaml_each_str(vg_yaml_get(n, "domains"), add_str, &o->domains);
    for (size_t i = 0; i < o->domains.n; i++)
        for (char *c = o->domains.v[i]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    const vg_yaml_node *nt = vg_yaml_get(n, "notify");
    if (nt) {
        warn_unknown(nt, ORG_NOTIFY_KEYS, name, "organizations[].notify");
        bool b;
        if (vg_yaml_bool(vg_yaml_get(nt, "outbox"), &b))
            o->outbox = b;
        o->outbox_dir = dup_or_null(vg_yaml_str(vg_yaml_get(nt, "outbox_dir"), NULL));
        o->contact = dup_or_null(vg_yaml_str(vg_yaml_get(nt, "contact"), NULL));
        o->ca_file = dup_or_null(vg_yaml_str(vg_yaml_get(nt, "ca_file"), NULL));
        const vg_yaml_node *w = vg_yaml_get(nt, "webhook");
        if (w) {
            warn_unknown(w, WEBHOOK_KEYS, name, "notify.webhook");
            o->webhook_url = dup_or_null(vg_yaml_str(vg_yaml_get(w, "url"), NULL));
            if (!o->webhook_url || (strncmp(o->webhook_url, "http://", 7) != 0 &&
                                    strncmp(o->webhook_url, "https://", 8) != 0))
                return vg_error_set(e, VG_EINVAL, "%s:%d: webhook url must be http(s)://...",
                                    name, vg_yaml_line(w));
            o->webhook_secret_env = dup_or_null(vg_yaml_str(vg_yaml_get(w, "secret_env"), NULL));
            o->webhook_format = dup_or_null(vg_yaml_str(vg_yaml_get(w, "format"), NULL));
            if (o->webhook_format && strcmp(o->webhook_format, "json") != 0 &&
                strcmp(o->webhook_format, "stix") != 0)
                return vg_error_set(e, VG_EINVAL, "%s:%d: webhook format must be json or stix",
                                    name, vg_yaml_line(w));
            if (vg_yaml_get(w, "secret"))
                return vg_error_set(e, VG_EINVAL,
                                    "%s:%d: put the webhook secret in the environment and name "
                                    "the variable with secret_env, not in the file",
                                    name, vg_yaml_line(w));
        }
        const vg_yaml_node *m = vg_yaml_get(nt, "smtp");
        if (m) {
            warn_unknown(m, SMTP_KEYS, name, "notify.smtp");
            o->smtp_url = dup_or_null(vg_yaml_str(vg_yaml_get(m, "url"), NULL));
            if (!o->smtp_url || (strncmp(o->smtp_url, "smtp://", 7) != 0 &&
                                 strncmp(o->smtp_url, "smtps://", 8) != 0))
                return vg_error_set(e, VG_EINVAL, "%s:%d: smtp url must be smtp(s)://host:port",
                                    name, vg_yaml_line(m));
            o->smtp_from = dup_or_null(vg_yaml_str(vg_yaml_get(m, "from"), NULL));
            vg_yaml_each_str(vg_yaml_get(m, "to"), add_str, &o->smtp_to);
            o->smtp_username = dup_or_null(vg_yaml_str(vg_yaml_get(m, "username"), NULL));
            o->smtp_password_env = dup_or_null(vg_yaml_str(vg_yaml_get(m, "password_env"), NULL));
            if (!o->smtp_from || (o->smtp_to.n == 0 && !o->contact))
                return vg_error_set(e, VG_EINVAL, "%s:%d: smtp needs from and to", name,
                                    vg_yaml_line(m));
            if (vg_yaml_get(m, "password"))
                return vg_error_set(e, VG_EINVAL,
                                    "%s:%d: put the SMTP password in the environment and name "
                                    "the variable with password_env, not in the file",
                                    name, vg_yaml_line(m));
        }
    }
    return VG_OK;
}

vg_err vg_notify_config_load(const vg_yaml_node *root, const char *name, vg_notify_orgs *orgs,
                             vg_notify_settings *s, vg_error *e)
{
    if (!name)
        name = "config";
    if (!root || vg_yaml_type_of(root) == VG_YAML_NULL)
        return VG_OK;
    const char *tlp = vg_yaml_str(vg_yaml_get(root, "tlp"), NULL);
    const vg_yaml_node *nt = vg_yaml_get(root, "notify");
    const char *ntlp = vg_yaml_str(vg_yaml_get(nt, "tlp"), NULL);
    if (ntlp)
        tlp = ntlp;
    if (tlp && !vg_tlp_parse(tlp, &s->tlp))
        return vg_error_set(e, VG_EINVAL, "%s:%d: unknown TLP label '%s'", name,
                            vg_yaml_line(ntlp ? vg_yaml_get(nt, "tlp") : vg_yaml_get(root, "tlp")),
                            tlp);
    if (nt) {
        warn_unknown(nt, NOTIFY_KEYS, name, "notify");
        const char *sev = vg_yaml_str(vg_yaml_get(nt, "min_severity"), NULL);
        if (sev && !vg_severity_parse(sev, &s->min_severity))
            return vg_error_set(e, VG_EINVAL, "%s:%d: unknown severity '%s'", name,
                                vg_yaml_line(vg_yaml_get(nt, "min_severity")), sev);
        const char *snd = vg_yaml_str(vg_yaml_get(nt, "sender"), NULL);
        if (snd) {
            free(s->sender);
            s->sender = dup_or_null(snd);
        }
        const char *sc = vg_yaml_str(vg_yaml_get(nt, "sender_contact"), NULL);
        if (sc) {
            free(s->sender_contact);
            s->sender_contact = dup_or_null(sc);
        }
        int64_t v;
        const vg_yaml_node *w = vg_yaml_get(nt, "webhook");
        if (vg_yaml_int(vg_yaml_get(w, "retries"), &v) && v >= 0 && v <= 20)
            s->webhook_retries = (int)v;
        if (vg_yaml_int(vg_yaml_get(w, "backoff_ms"), &v) && v >= 0 && v <= 600000)
            s->backoff_ms = v;
        if (vg_yaml_int(vg_yaml_get(nt, "timeout_seconds"), &v) && v > 0 && v <= 3600)
            s->timeout_s = (long)v;
    }
    const vg_yaml_node *list = vg_yaml_get(root, "organizations");
    if (list && vg_yaml_type_of(list) != VG_YAML_SEQ)
        return vg_error_set(e, VG_EINVAL, "%s:%d: organizations must be a list", name,
                            vg_yaml_line(list));
    for (size_t i = 0; i < vg_yaml_len(list); i++) {
        vg_err rc = load_org(vg_yaml_at(list, i), name, orgs, e);
        if (rc)
            return rc;
    }
    return VG_OK;
}
