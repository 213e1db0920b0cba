/* auth_config.c — what the auth module reads from the config file:
 * organizations[] (id, tenant_ids, domains, hosts) for mapping events to
 * organizations, and signins.field_map / format / year for the parsers.
 *
 * Organization of an event (DESIGN.md): the config's tenant, domain or host
 * mapping; else the tenant id when the log has one (a tenant often has several
 * domains); else the account's domain; else the host name.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth_internal.h"
#include "vigil/yaml.h"

vg_auth_config *vg_auth_config_new(void)
{
    vg_auth_config *c = vg_xcalloc(1, sizeof *c);
    c->format = VG_AUTH_FMT_AUTO;
    return c;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void vg_auth_config_free(vg_auth_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_orgs; i++) {
        auth_org *o = &c->orgs[i];
        free(o->id);
        free_list(o->tenants, o->n_tenants);
        free_list(o->domains, o->n_domains);
        free_list(o->hosts, o->n_hosts);
    }
    free(c->orgs);
    auth_field_map *f = &c->fm;
    char **fields[] = {&f->time,       &f->user,     &f->ip,     &f->result,  &f->code,
                       &f->app,        &f->user_agent, &f->protocol, &f->org, &f->tenant,
                       &f->host,       &f->country,  &f->asn,    &f->interactive,
                       &f->correlation};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        free(*fields[i]);
    free_list(f->success_values, f->n_success);
    free_list(f->failure_values, f->n_failure);
    free_list(f->no_user_values, f->n_no_user);
    free_list(f->locked_values, f->n_locked);
    free_list(f->credential_valid_values, f->n_cv);
    free_list(f->interrupt_values, f->n_interrupt);
    free(c);
}

void vg_auth_config_set_format(vg_auth_config *c, vg_auth_format f) { c->format = f; }
void vg_auth_config_set_year(vg_auth_config *c, int year) { c->year = year; }

static char *lower_dup(const char *s)
{
    char *d = vg_xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    size_t n = strlen(d);
    while (n && d[n - 1] == '.')
        d[--n] = '\0';
    return d;
}

static void add_list(char ***v, size_t *n, const char *const *src, bool lower)
{
    for (size_t i = 0; src && src[i]; i++) {
        *v = vg_xrealloc(*v, (*n + 1) * sizeof **v);
        (*v)[(*n)++] = lower ? lower_dup(src[i]) : vg_xstrdup(src[i]);
    }
}

void vg_auth_config_add_org(vg_auth_config *c, const char *id, const char *const *tenant_ids,
                            const char *const *domains, const char *const *hosts)
{
    c->orgs = vg_xrealloc(c->orgs, (c->n_orgs + 1) * sizeof *c->orgs);
    auth_org *o = &c->orgs[c->n_orgs++];
    memset(o, 0, sizeof *o);
    o->id = vg_xstrdup(id);
    add_list(&o->tenants, &o->n_tenants, tenant_ids, true);
    add_list(&o->domains, &o->n_domains, domains, true);
    add_list(&o->hosts, &o->n_hosts, hosts, true);
}

typedef struct strvec {
    char **v;
    size_t n;
    bool lower;
} strvec;

static void collect(const char *s, void *ud)
{
    strvec *sv = ud;
    sv->v = vg_xrealloc(sv->v, (sv->n + 1) * sizeof *sv->v);
    sv->v[sv->n++] = sv->lower ? lower_dup(s) : vg_xstrdup(s);
}

static char *opt_str(const vg_yaml_node *m, const char *key)
{
    const vg_yaml_node *n = vg_yaml_get(m, key);
    const char *s = vg_yaml_str(n, NULL);
    return (s && *s) ? vg_xstrdup(s) : NULL;
}

static const char *const signins_keys[] = {"thresholds", "lateness_minutes", "field_map", "format",
                                           "year", "sort_max_events", NULL};
static const char *const fm_keys[] = {
    "time", "user", "ip", "result", "code", "app", "user_agent", "protocol", "org", "tenant",
    "host", "country", "asn", "interactive", "correlation_id", "success_values",
    "failure_values", "no_user_values", "locked_values", "credential_valid_values",
    "interrupt_values", NULL};

static bool known(const char *const *keys, const char *k)
{
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(keys[i], k) == 0)
            return true;
    return false;
}

static void warn_unknown(const vg_yaml_node *map, const char *const *keys, const char *where)
{
    for (size_t i = 0; i < vg_yaml_len(map); i++) {
        const char *k = vg_yaml_key_at(map, i);
        if (k && !known(keys, k))
            vg_warn("config line %d: unknown key '%s' in %s (ignored)",
                    vg_yaml_line(vg_yaml_value_at(map, i)), k, where);
    }
}

static void list_of(const vg_yaml_node *m, const char *key, char ***v, size_t *n, bool lower)
{
    strvec sv = {.lower = lower};
    vg_yaml_each_str(vg_yaml_get(m, key), collect, &sv);
    *v = sv.v;
    *n = sv.n;
}

vg_err vg_auth_config_load(vg_auth_config *c, const vg_yaml_node *root, vg_error *e)
{
    if (!root || vg_yaml_type_of(root) == VG_YAML_NULL)
        return VG_OK;
    if (vg_yaml_type_of(root) != VG_YAML_MAP)
        return vg_error_set(e, VG_EINVAL, "config line %d: the top level must be a map",
                            vg_yaml_line(root));
    const vg_yaml_node *orgs = vg_yaml_get(root, "organizations");
    if (orgs && vg_yaml_type_of(orgs) != VG_YAML_SEQ && vg_yaml_type_of(orgs) != VG_YAML_NULL)
        return vg_error_set(e, VG_EINVAL, "config line %d: organizations must be a list",
                            vg_yaml_line(orgs));
    for (size_t i = 0; i < vg_yaml_len(orgs); i++) {
        const vg_yaml_node *o = vg_yaml_at(orgs, i);
        const char *id = vg_yaml_str(vg_yaml_get(o, "id"), NULL);
        if (!id || !*id)
            return vg_error_set(e, VG_EINVAL, "config line %d: organization without an id",
                                vg_yaml_line(o));
        strvec t = {.lower = true}, d = {.lower = true}, h = {.lower = true};
        vg_yaml_each_str(vg_yaml_get(o, "tenant_ids"), collect, &t);
        vg_yaml_each_str(vg_yaml_get(o, "domains"), collect, &d);
        vg_yaml_each_str(vg_yaml_get(o, "hosts"), collect, &h);
        c->orgs = vg_xrealloc(c->orgs, (c->n_orgs + 1) * sizeof *c->orgs);
        auth_org *ao = &c->orgs[c->n_orgs++];
        ao->id = vg_xstrdup(id);
        ao->tenants = t.v;
        ao->n_tenants = t.n;
        ao->domains = d.v;
        ao->n_domains = d.n;
        ao->hosts = h.v;
        ao->n_hosts = h.n;
    }

    const vg_yaml_node *si = vg_yaml_get(root, "signins");
    if (!si)
        return VG_OK;
    if (vg_yaml_type_of(si) != VG_YAML_MAP)
        return vg_error_set(e, VG_EINVAL, "config line %d: signins must be a map",
                            vg_yaml_line(si));
    warn_unknown(si, signins_keys, "signins");
    const char *fmt = vg_yaml_str(vg_yaml_get(si, "format"), NULL);
    if (fmt && !vg_auth_format_parse(fmt, &c->format))
        return vg_error_set(e, VG_EINVAL, "config line %d: signins.format: unknown format '%s'",
                            vg_yaml_line(vg_yaml_get(si, "format")), fmt);
    int64_t year;
    if (vg_yaml_int(vg_yaml_get(si, "year"), &year)) {
        if (year < 1970 || year > 9999)
            return vg_error_set(e, VG_EINVAL, "config line %d: signins.year out of range",
                                vg_yaml_line(vg_yaml_get(si, "year")));
        c->year = (int)year;
    }
    const vg_yaml_node *fm = vg_yaml_get(si, "field_map");
    if (fm) {
        if (vg_yaml_type_of(fm) != VG_YAML_MAP)
            return vg_error_set(e, VG_EINVAL, "config line %d: signins.field_map must be a map",
                                vg_yaml_line(fm));
        warn_unknown(fm, fm_keys, "signins.field_map");
        auth_field_map *f = &c->fm;
        f->time = opt_str(fm, "time");
        f->user = opt_str(fm, "user");
        f->ip = opt_str(fm, "ip");
        f->result = opt_str(fm, "result");
        f->code = opt_str(fm, "code");
        f->app = opt_str(fm, "app");
        f->user_agent = opt_str(fm, "user_agent");
        f->protocol = opt_str(fm, "protocol");
        f->org = opt_str(fm, "org");
        f->tenant = opt_str(fm, "tenant");
        f->host = opt_str(fm, "host");
        f->country = opt_str(fm, "country");
        f->asn = opt_str(fm, "asn");
        f->interactive = opt_str(fm, "interactive");
        f->correlation = opt_str(fm, "correlation_id");
        list_of(fm, "success_values", &f->success_values, &f->n_success, true);
        list_of(fm, "failure_values", &f->failure_values, &f->n_failure, true);
        list_of(fm, "no_user_values", &f->no_user_values, &f->n_no_user, true);
        list_of(fm, "locked_values", &f->locked_values, &f->n_locked, true);
        list_of(fm, "credential_valid_values", &f->credential_valid_values, &f->n_cv, true);
        list_of(fm, "interrupt_values", &f->interrupt_values, &f->n_interrupt, true);
        if (!f->time || !f->user)
            return vg_error_set(e, VG_EINVAL,
                                "config line %d: signins.field_map needs at least time and user",
                                vg_yaml_line(fm));
        f->present = true;
    }
    return VG_OK;
}

static bool domain_match(const char *dom, const char *want)
{
    size_t dl = strlen(dom), wl = strlen(want);
    if (dl == wl)
        return strcasecmp(dom, want) == 0;
    if (!strchr(dom, '.')) { /* NetBIOS "HELIXBIO" and DNS "helixbio.example" */
        const char *dot = strchr(want, '.');
        return dot && (size_t)(dot - want) == dl && strncasecmp(dom, want, dl) == 0;
    }
    return dl > wl && dom[dl - wl - 1] == '.' && strcasecmp(dom + dl - wl, want) == 0;
}

static bool host_match(const char *host, const char *want)
{
    if (strcasecmp(host, want) == 0)
        return true;
    /* "ssh-gw" in the config matches "ssh-gw.helixbio.example" in the log, and back */
    const char *hd = strchr(host, '.'), *wd = strchr(want, '.');
    size_t hl = hd ? (size_t)(hd - host) : strlen(host);
    size_t wl = wd ? (size_t)(wd - want) : strlen(want);
    if ((hd && wd) || hl != wl)
        return false;
    return strncasecmp(host, want, hl) == 0;
}

const char *vg_auth_config_org_for(const vg_auth_config *c, const char *tenant_id,
                                   const char *domain, const char *host)
{
    if (!c)
        return NULL;
    for (size_t i = 0; tenant_id && *tenant_id && i < c->n_orgs; i++)
        for (size_t k = 0; k < c->orgs[i].n_tenants; k++)
            if (strcasecmp(c->orgs[i].tenants[k], tenant_id) == 0)
                return c->orgs[i].id;
    for (size_t i = 0; domain && *domain && i < c->n_orgs; i++)
        for (size_t k = 0; k < c->orgs[i].n_domains; k++)
            if (domain_match(domain, c->orgs[i].domains[k]))
                return c->orgs[i].id;
    for (size_t i = 0; host && *host && i < c->n_orgs; i++)
        for (size_t k = 0; k < c->orgs[i].n_hosts; k++)
            if (host_match(host, c->orgs[i].hosts[k]))
                return c->orgs[i].id;
    return NULL;
}
