/* demo_out.c — the demo's descriptive files: vigil.yaml (the config schema of
 * docs/config.md), intel/demo.stix.json (a STIX 2.1 bundle with the three
 * intrusion sets and some, deliberately not all, of their indicators) and
 * truth.json (what really happened, for tests and for the curious). Also the
 * one place files are written: unchanged bytes are left alone so a rerun
 * keeps file times. */
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define DAY 86400000LL

vg_err dm_write_file(dm_world *w, const char *rel, const void *data, size_t n, vg_error *e)
{
    char *path = dm_printf("%s/%s", w->out, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    vg_err rc = vg_mkdir_p(path, e);
    *slash = '/';
    if (rc) {
        free(path);
        return rc;
    }
    char *old = NULL;
    size_t olen = 0;
    if (vg_file_read(path, n + 1, &old, &olen, NULL) == VG_OK && olen == n &&
        memcmp(old, data, n) == 0) {
        w->unchanged++;
        free(old);
        free(path);
        return VG_OK;
    }
    free(old);
    rc = vg_file_write(path, data, n, e);
    if (!rc)
        w->written++;
    free(path);
    return rc;
}

/* ---- vigil.yaml ------------------------------------------------------------------------- */

static void yq(vg_buf *b, const char *s)
{
    vg_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            vg_buf_putc(b, '\\');
        vg_buf_putc(b, *s);
    }
    vg_buf_putc(b, '"');
}

vg_err dm_write_config(dm_world *w, vg_error *e)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    char t0[VG_TIME_STRLEN], t1[VG_TIME_STRLEN];
    vg_time_format_rfc3339(w->t0, false, t0);
    vg_time_format_rfc3339(w->t1, false, t1);
    vg_buf_printf(
        &b,
        "# vigil demo scenario, seed %llu, %d days (%s to %s).\n"
        "# Written by `vigil demo`; every organization, person, domain and address in it is\n"
        "# fictitious. Schema: docs/config.md.\n\n"
        "tlp: AMBER\n\norganizations:\n",
        (unsigned long long)w->seed, w->days, t0, t1);
    for (int i = 0; i < DM_N_ORGS; i++) {
        const dm_org *o = &w->org[i];
        vg_buf_printf(&b, "  - id: %s\n    name: ", o->id);
        yq(&b, o->name);
        vg_buf_printf(
            &b, "\n    country: %s\n    sector: %s\n    domains: [%s%s%s]\n    tenant_ids: [%s]\n",
            o->country, o->sector, o->domain, o->domain2[0] ? ", " : "", o->domain2, o->tenant);
        if (o->host[0]) {
            char shortname[64];
            snprintf(shortname, sizeof shortname, "%.*s", (int)(strchr(o->host, '.') - o->host),
                     o->host);
            vg_buf_printf(&b, "    hosts: [%s, %s]\n", o->host, shortname);
        }
        if (o->list_egress)
            vg_buf_printf(&b, "    egress_cidrs: [198.51.100.%d/28]\n", i * 16);
        vg_buf_puts(&b, "    vip_names: [");
        yq(&b, o->vip[0]);
        vg_buf_puts(&b, ", ");
        yq(&b, o->vip[1]);
        vg_buf_printf(&b, "]\n    notify:\n      outbox: true\n      contact: soc@%s\n", o->domain);
    }
    vg_buf_puts(
        &b, "\n# Each member organization is also a protected brand (lookalikes of its domains\n"
            "# are reported).\nbrands:\n");
    for (int i = 0; i < DM_N_ORGS; i++) {
        const dm_org *o = &w->org[i];
        vg_buf_puts(&b, "  - name: ");
        yq(&b, o->name);
        char lower[128];
        size_t k = 0;
        for (const char *p = o->name; *p && k + 1 < sizeof lower; p++)
            lower[k++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
        lower[k] = 0;
        vg_buf_printf(&b, "\n    domains: [%s]\n    keywords: [", o->domain);
        yq(&b, lower);
        vg_buf_puts(&b, "]\n");
    }
    vg_buf_puts(&b, "\nmail:\n  authserv_ids: [");
    for (int i = 0; i < DM_N_ORGS; i++)
        vg_buf_printf(&b, "%s%s", i ? ", " : "", w->org[i].mx);
    vg_buf_puts(&b, "]\n");
    vg_err rc = dm_write_file(w, "vigil.yaml", b.p, b.n, e);
    vg_buf_free(&b);
    return rc;
}

/* ---- STIX 2.1 ------------------------------------------------------------------------------ */

static const char TLP_AMBER[] = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";

typedef struct stix {
    dm_world *w;
    vg_json *j;
    char created[VG_TIME_STRLEN], valid_from[VG_TIME_STRLEN], valid_until[VG_TIME_STRLEN];
    char identity[64];
    char actor_id[3][64];
} stix;

static void sid(const dm_world *w, const char *type, const char *key, char out[64])
{
    char u[37];
    dm_uuid("vigil-demo-stix", w->seed, key, u);
    snprintf(out, 64, "%s--%s", type, u);
}

static void common(stix *s, const char *type, const char *id)
{
    vg_json *j = s->j;
    vg_json_kv_str(j, "type", type);
    vg_json_kv_str(j, "spec_version", "2.1");
    vg_json_kv_str(j, "id", id);
    vg_json_kv_str(j, "created", s->created);
    vg_json_kv_str(j, "modified", s->created);
    if (strcmp(type, "identity") != 0)
        vg_json_kv_str(j, "created_by_ref", s->identity);
    vg_json_key(j, "object_marking_refs");
    vg_json_arr_begin(j);
    vg_json_str(j, TLP_AMBER);
    vg_json_arr_end(j);
}

static void indicator(stix *s, int actor, const char *name, const char *pattern, const char *type)
{
    char id[64], rel[64], key[700];
    snprintf(key, sizeof key, "indicator:%s", pattern);
    sid(s->w, "indicator", key, id);
    vg_json *j = s->j;
    vg_json_obj_begin(j);
    common(s, "indicator", id);
    vg_json_kv_str(j, "name", name);
    vg_json_key(j, "indicator_types");
    vg_json_arr_begin(j);
    vg_json_str(j, type);
    vg_json_arr_end(j);
    vg_json_kv_str(j, "pattern", pattern);
    vg_json_kv_str(j, "pattern_type", "stix");
    vg_json_kv_str(j, "pattern_version", "2.1");
    vg_json_kv_str(j, "valid_from", s->valid_from);
    vg_json_kv_str(j, "valid_until", s->valid_until);
    vg_json_obj_end(j);
    snprintf(key, sizeof key, "rel:%s", pattern);
    sid(s->w, "relationship", key, rel);
    vg_json_obj_begin(j);
    common(s, "relationship", rel);
    vg_json_kv_str(j, "relationship_type", "indicates");
    vg_json_kv_str(j, "source_ref", id);
    vg_json_kv_str(j, "target_ref", s->actor_id[actor]);
    vg_json_obj_end(j);
}

static const char *ip_type(const char *a)
{
    return strchr(a, ':') ? "ipv6-addr" : "ipv4-addr";
}

vg_err dm_write_stix(dm_world *w, vg_error *e)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    j.pretty = true;
    stix s = {.w = w, .j = &j};
    vg_time_format_rfc3339(w->t0 - 20 * DAY, false, s.created);
    vg_time_format_rfc3339(w->t0 - 30 * DAY, false, s.valid_from);
    vg_time_format_rfc3339(w->t1 + 90 * DAY, false, s.valid_until);
    sid(w, "identity", "creator", s.identity);
    static const char *const aliases[3][6] = {
        {"APT28", "Fancy Bear", "Sofacy", "Sednit", "Pawn Storm", "Forest Blizzard"},
        {"Lazarus Group", "Hidden Cobra", "Diamond Sleet", NULL},
        {"Ruby Sleet", NULL}};
    static const char *const desc[3] = {
        "Russian state actor. 2020: password spray and brute force against Microsoft 365 from a "
        "large rotating pool of mostly Tor addresses.",
        "North Korean state actor. 2020: fake recruiters with fabricated job descriptions, "
        "macro-enabled documents.",
        "North Korean state actor. 2020: COVID-19-themed spear-phishing posing as the World Health "
        "Organization, credential harvesting."};
    for (int a = 0; a < 3; a++)
        sid(w, "intrusion-set", dm_actor_names[a], s.actor_id[a]);
    char bid[64];
    sid(w, "bundle", "bundle", bid);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "type", "bundle");
    vg_json_kv_str(&j, "id", bid);
    vg_json_key(&j, "objects");
    vg_json_arr_begin(&j);
    vg_json_obj_begin(&j);
    common(&s, "identity", s.identity);
    vg_json_kv_str(&j, "name", "Vaccine Research Sharing Community (vigil demo)");
    vg_json_kv_str(&j, "identity_class", "organization");
    vg_json_obj_end(&j);
    for (int a = 0; a < 3; a++) {
        vg_json_obj_begin(&j);
        common(&s, "intrusion-set", s.actor_id[a]);
        vg_json_kv_str(&j, "name", dm_actor_names[a]);
        vg_json_kv_str(&j, "description", desc[a]);
        vg_json_key(&j, "aliases");
        vg_json_arr_begin(&j);
        for (int k = 0; k < 6 && aliases[a][k]; k++)
            vg_json_str(&j, aliases[a][k]);
        vg_json_arr_end(&j);
        vg_json_kv_str(&j, "primary_motivation", "organizational-gain");
        vg_json_obj_end(&j);
    }
    /* STRONTIUM: 45-60 addresses of the ~1,100, a few grouped in one
     * indicator, and the CIDR of one rented block */
    dm_rng r;
    dm_rng_fork(&w->root, "stix", &r);
    size_t want = (size_t)dm_range(&r, 45, 60), got = 0;
    for (size_t i = 0; i < w->n_pool && got < want; i++) {
        dm_ip *ip = &w->ips[w->pool[(i * 7 + 11) % w->n_pool]];
        if (ip->in_intel)
            continue;
        ip->in_intel = true;
        got++;
        char pat[200];
        if (got % 10 == 0 && i + 1 < w->n_pool) {
            dm_ip *ip2 = &w->ips[w->pool[(i * 7 + 12) % w->n_pool]];
            if (ip2->in_intel)
                continue;
            ip2->in_intel = true;
            snprintf(pat, sizeof pat, "[%s:value = '%s' OR %s:value = '%s']", ip_type(ip->addr),
                     ip->addr, ip_type(ip2->addr), ip2->addr);
        } else {
            snprintf(pat, sizeof pat, "[%s:value = '%s']", ip_type(ip->addr), ip->addr);
        }
        indicator(&s, 0, "STRONTIUM password-spray source", pat, "malicious-activity");
    }
    for (size_t i = 0; i < w->n_pool; i++) {
        dm_ip *ip = &w->ips[w->pool[i]];
        if (ip->tor)
            continue;
        char net[VG_IP_STRLEN];
        snprintf(net, sizeof net, "%s", ip->addr);
        *strrchr(net, '.') = 0;
        char pat[128];
        snprintf(pat, sizeof pat, "[ipv4-addr:value = '%s.0/24']", net);
        indicator(&s, 0, "STRONTIUM rented VPS block", pat, "malicious-activity");
        for (size_t k = 0; k < w->n_pool; k++)
            if (strncmp(w->ips[w->pool[k]].addr, net, strlen(net)) == 0 &&
                w->ips[w->pool[k]].addr[strlen(net)] == '.')
                w->ips[w->pool[k]].in_intel = true;
        break;
    }
    /* ZINC: the server the stolen password is used from, one career site, one
     * free-mail recruiter, one of the two job-description documents */
    char pat[512];
    w->ips[w->zinc_ip[0]].in_intel = true;
    snprintf(pat, sizeof pat, "[ipv4-addr:value = '%s']", w->ips[w->zinc_ip[0]].addr);
    indicator(&s, 1, "ZINC operational server", pat, "malicious-activity");
    snprintf(pat, sizeof pat, "[domain-name:value = '%s']", w->zinc_domain[0]);
    indicator(&s, 1, "ZINC fake career site", pat, "malicious-activity");
    snprintf(pat, sizeof pat, "[email-addr:value = '%s']", w->zinc_freemail[0]);
    indicator(&s, 1, "ZINC fake recruiter", pat, "attribution");
    char hex[65];
    vg_hex(w->docm_sha[0], 32, hex);
    snprintf(pat, sizeof pat, "[file:hashes.'SHA-256' = '%s']", hex);
    indicator(&s, 1, "ZINC job description with macro", pat, "malicious-activity");
    /* CERIUM: two of its four domains (one homoglyph), one landing URL, one server */
    snprintf(pat, sizeof pat, "[domain-name:value = '%s']", w->cerium_domain[0]);
    indicator(&s, 2, "CERIUM WHO lookalike", pat, "malicious-activity");
    snprintf(pat, sizeof pat, "[domain-name:value = '%s']", w->cerium_domain[1]);
    indicator(&s, 2, "CERIUM WHO homoglyph domain", pat, "malicious-activity");
    char url[300];
    snprintf(url, sizeof url, "%s", w->cerium_landing[0]);
    char *q = strchr(url, '?');
    if (q)
        *q = 0;
    snprintf(pat, sizeof pat, "[url:value = '%s']", url);
    indicator(&s, 2, "CERIUM credential page", pat, "malicious-activity");
    w->ips[w->cerium_ip[0]].in_intel = true;
    snprintf(pat, sizeof pat, "[ipv4-addr:value = '%s']", w->ips[w->cerium_ip[0]].addr);
    indicator(&s, 2, "CERIUM mail server", pat, "malicious-activity");
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_buf_putc(&b, '\n');
    vg_err rc = j.failed ? vg_error_set(e, VG_EINVAL, "demo: STIX writer failed")
                         : dm_write_file(w, "intel/demo.stix.json", b.p, b.n, e);
    vg_buf_free(&b);
    return rc;
}

/* ---- truth.json ---------------------------------------------------------------------------- */

static void j_list(vg_json *j, const char *key, const dm_list *l)
{
    vg_json_key(j, key);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

static bool attacker_kind(uint8_t k)
{
    return k == DM_IP_STRONTIUM || k == DM_IP_ZINC || k == DM_IP_CERIUM;
}

static void j_fact(vg_json *j, const dm_world *w, dm_fact *f)
{
    dm_list_sort(&f->accounts);
    dm_list_sort(&f->ips);
    dm_list_sort(&f->messages);
    dm_list_sort(&f->allowed);
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "kind", f->kind);
    if (f->actor)
        vg_json_kv_str(j, "actor", f->actor);
    vg_json_kv_str(j, "org", f->org >= 0 ? w->org[f->org].id : NULL);
    if (f->outcome)
        vg_json_kv_str(j, "outcome", f->outcome);
    if (f->t) {
        char ts[VG_TIME_STRLEN];
        vg_time_format_rfc3339(f->t, false, ts);
        vg_json_kv_str(j, "time", ts);
    }
    vg_json_kv_str(j, "note", f->note);
    j_list(j, "accounts", &f->accounts);
    j_list(j, "ips", &f->ips);
    if (f->messages.n)
        j_list(j, "messages", &f->messages);
    if (!f->actor)
        j_list(j, "allowed_findings", &f->allowed);
    vg_json_obj_end(j);
}

vg_err dm_write_truth(dm_world *w, vg_error *e)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    j.pretty = true;
    char t0[VG_TIME_STRLEN], t1[VG_TIME_STRLEN];
    vg_time_format_rfc3339(w->t0, false, t0);
    vg_time_format_rfc3339(w->t1, false, t1);
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "schema", 1);
    vg_json_kv_str(&j, "generator", "vigil demo");
    vg_json_kv_int(&j, "seed", (int64_t)w->seed);
    vg_json_kv_int(&j, "days", w->days);
    vg_json_key(&j, "window");
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "start", t0);
    vg_json_kv_str(&j, "end", t1);
    vg_json_obj_end(&j);
    vg_json_key(&j, "files");
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "config", "vigil.yaml");
    vg_json_kv_str(&j, "intel", "intel/demo.stix.json");
    dm_list_sort(&w->inputs);
    j_list(&j, "inputs", &w->inputs);
    vg_json_obj_end(&j);
    vg_json_key(&j, "counts");
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "signins", (int64_t)w->n_ev);
    vg_json_kv_int(&j, "messages", (int64_t)w->n_msgs);
    vg_json_kv_int(&j, "ssh_lines", (int64_t)w->ssh_lines);
    vg_json_kv_int(&j, "users", (int64_t)w->n_users);
    vg_json_obj_end(&j);
    for (int i = 0; i < DM_N_ORGS; i++)
        if (w->org[i].control)
            vg_json_kv_str(&j, "control_org", w->org[i].id);

    vg_json_key(&j, "organizations");
    vg_json_arr_begin(&j);
    for (int i = 0; i < DM_N_ORGS; i++) {
        const dm_org *o = &w->org[i];
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "id", o->id);
        vg_json_kv_str(&j, "name", o->name);
        vg_json_kv_str(&j, "country", o->country);
        vg_json_kv_str(&j, "sector", o->sector);
        vg_json_kv_str(&j, "description", o->blurb);
        vg_json_kv_bool(&j, "targeted", o->actors != 0);
        vg_json_key(&j, "actors");
        vg_json_arr_begin(&j);
        for (int a = 0; a < 3; a++)
            if (o->actors & (1u << a))
                vg_json_str(&j, dm_actor_names[a]);
        vg_json_arr_end(&j);
        vg_json_key(&j, "domains");
        vg_json_arr_begin(&j);
        vg_json_str(&j, o->domain);
        if (o->domain2[0])
            vg_json_str(&j, o->domain2);
        vg_json_arr_end(&j);
        vg_json_kv_str(&j, "tenant_id", o->tenant);
        vg_json_kv_int(&j, "users", (int64_t)o->n_users);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);

    /* attacker addresses actually used, per actor */
    dm_list used[3] = {{0}};
    for (size_t i = 0; i < w->n_ev; i++) {
        const dm_ip *ip = &w->ips[w->ev[i].ip];
        if (ip->kind == DM_IP_STRONTIUM)
            dm_list_addc(&used[0], ip->addr);
        else if (ip->kind == DM_IP_ZINC)
            dm_list_addc(&used[1], ip->addr);
    }
    for (size_t i = 0; i < w->n_cerium_ip; i++)
        dm_list_addc(&used[2], w->ips[w->cerium_ip[i]].addr);
    for (size_t i = 1; i < w->n_zinc_ip; i++) /* mail relays of the career sites */
        dm_list_addc(&used[1], w->ips[w->zinc_ip[i]].addr);
    vg_json_key(&j, "actors");
    vg_json_arr_begin(&j);
    for (int a = 0; a < 3; a++) {
        dm_actor_stats *st = &w->act[a];
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "name", dm_actor_names[a]);
        vg_json_key(&j, "organizations");
        vg_json_arr_begin(&j);
        for (int i = 0; i < DM_N_ORGS; i++)
            if (st->orgs & (1u << i))
                vg_json_str(&j, w->org[i].id);
        vg_json_arr_end(&j);
        vg_json_key(&j, "countries");
        vg_json_arr_begin(&j);
        dm_list cc = {0};
        for (int i = 0; i < DM_N_ORGS; i++)
            if (st->orgs & (1u << i))
                dm_list_addc(&cc, w->org[i].country);
        dm_list_sort(&cc);
        for (size_t k = 0; k < cc.n; k++)
            vg_json_str(&j, cc.v[k]);
        dm_list_free(&cc);
        vg_json_arr_end(&j);
        vg_json_kv_int(&j, "attempts", (int64_t)st->attempts);
        vg_json_kv_int(&j, "blocked", (int64_t)st->blocked);
        vg_json_kv_int(&j, "succeeded", (int64_t)st->succeeded);
        vg_json_kv_int(&j, "messages", (int64_t)st->messages);
        dm_list_sort(&st->accounts);
        j_list(&j, "targeted_accounts", &st->accounts);
        dm_list_sort(&used[a]);
        j_list(&j, "ips_used", &used[a]);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    for (int a = 0; a < 3; a++)
        dm_list_free(&used[a]);

    vg_json_key(&j, "attacks");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < w->n_facts; i++)
        if (w->facts[i].actor)
            j_fact(&j, w, &w->facts[i]);
    vg_json_arr_end(&j);
    vg_json_key(&j, "compromised");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < w->n_facts; i++) {
        const dm_fact *f = &w->facts[i];
        if (!f->outcome)
            continue;
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "actor", f->actor);
        vg_json_kv_str(&j, "org", w->org[f->org].id);
        vg_json_kv_str(&j, "account", f->accounts.v[0]);
        vg_json_kv_str(&j, "outcome", f->outcome);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_key(&j, "benign");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < w->n_facts; i++)
        if (!w->facts[i].actor)
            j_fact(&j, w, &w->facts[i]);
    vg_json_arr_end(&j);

    /* every address legitimate users signed in from */
    dm_list benign = {0};
    for (size_t i = 0; i < w->n_ev; i++) {
        const dm_ip *ip = &w->ips[w->ev[i].ip];
        if (!attacker_kind(ip->kind))
            dm_list_addc(&benign, ip->addr);
    }
    dm_list_sort(&benign);
    j_list(&j, "benign_ips", &benign);
    dm_list_free(&benign);

    vg_json_key(&j, "messages");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < w->n_msgs; i++) {
        const dm_msg *m = &w->msgs[i];
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "message_id", m->message_id);
        vg_json_kv_str(&j, "sha256", m->sha256);
        vg_json_kv_str(&j, "file", m->path);
        vg_json_kv_str(&j, "org", w->org[m->org].id);
        vg_json_kv_str(&j, "recipient", m->recipient);
        vg_json_kv_str(&j, "kind", m->kind);
        vg_json_kv_str(&j, "actor", m->actor);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_buf_putc(&b, '\n');
    vg_err rc = j.failed ? vg_error_set(e, VG_EINVAL, "demo: truth writer failed")
                         : dm_write_file(w, "truth.json", b.p, b.n, e);
    vg_buf_free(&b);
    return rc;
}
