/* cred_baseline.c — what is normal for one account: the networks (/24 for
 * IPv4, /64 for IPv6), autonomous systems, user agents and protocols of its
 * successful sign-ins. Bounded (16 networks, 8 agents, 4 ASNs; the least
 * recently used is replaced) and expiring with the account (baseline_ttl_days).
 *
 * "Familiar" source for an account: a network it succeeded from, or — for
 * phones on carrier address pools that change every few hours — an AS it
 * succeeded from together with the same user agent.
 *
 * Baselines are exported as plain structs or JSON lines so the store can keep
 * them between runs (vg_cred_baselines_export_json / _import_json). A learned
 * success never comes from an address tied to an attack (cred_engine.c
 * on_success), so an attacker cannot make his own addresses familiar.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "detect/cred_internal.h"

static void base_net(const ipkey *k, ipkey *out)
{
    *out = *k;
    if (k->b[0] == 4)
        out->b[16] = 0; /* /24 */
    /* IPv6 keys are /64 already; host keys stay as they are */
}

bool cred__familiar(const cred_acct *a, const ipkey *k, uint32_t asn, uint64_t ua, uint8_t proto)
{
    if (!a->successes || !a->b)
        return false;
    if (!cred__ipkey_none(k)) {
        ipkey net;
        base_net(k, &net);
        for (int i = 0; i < a->b->n_nets; i++)
            if (memcmp(a->b->nets[i].net.b, net.b, IPKEY_LEN) == 0)
                return true;
    }
    if (!ua)
        return false;
    bool as_ok = false, ua_ok = false;
    for (int i = 0; i < a->b->n_asns; i++)
        as_ok |= a->b->asns[i] == asn;
    for (int i = 0; i < a->b->n_uas; i++)
        ua_ok |= a->b->uas[i].h == ua;
    if (!ua_ok)
        return false;
    /* a phone on a carrier pool: same AS, same client */
    if (asn && as_ok)
        return true;
    /* the same device-specific client (mail apps, ActiveSync, desktop clients
     * name the device and build) over the protocol it used to succeed with;
     * browser agents are shared by millions and prove nothing */
    bool proto_ok = proto < 32 && (a->protos & (1u << proto));
    return proto_ok && proto != VG_PROTO_BROWSER && proto != VG_PROTO_UNKNOWN && !asn;
}

void cred__learn(cred_acct *a, const ipkey *k, uint32_t asn, uint64_t ua, uint8_t proto,
                 int64_t t)
{
    if (!a->b)
        a->b = vg_xcalloc(1, sizeof *a->b);
    if (!a->successes || t < a->first_succ)
        a->first_succ = t;
    if (t > a->last_succ)
        a->last_succ = t;
    if (a->successes < UINT32_MAX)
        a->successes++;
    if (proto < 32)
        a->protos |= 1u << proto;
    if (!cred__ipkey_none(k)) {
        ipkey net;
        base_net(k, &net);
        int hit = -1, oldest = 0;
        for (int i = 0; i < a->b->n_nets; i++) {
            if (memcmp(a->b->nets[i].net.b, net.b, IPKEY_LEN) == 0)
                hit = i;
            if (a->b->nets[i].last < a->b->nets[oldest].last)
                oldest = i;
        }
        if (hit < 0) {
            hit = a->b->n_nets < ACCT_NETS ? a->b->n_nets++ : oldest;
            a->b->nets[hit].net = net;
            a->b->nets[hit].n = 0;
            a->b->nets[hit].last = t;
        }
        if (t > a->b->nets[hit].last)
            a->b->nets[hit].last = t;
        a->b->nets[hit].n++;
    }
    if (ua) {
        int hit = -1, oldest = 0;
        for (int i = 0; i < a->b->n_uas; i++) {
            if (a->b->uas[i].h == ua)
                hit = i;
            if (a->b->uas[i].last < a->b->uas[oldest].last)
                oldest = i;
        }
        if (hit < 0) {
            hit = a->b->n_uas < ACCT_UAS ? a->b->n_uas++ : oldest;
            a->b->uas[hit].h = ua;
            a->b->uas[hit].last = t;
        }
        if (t > a->b->uas[hit].last)
            a->b->uas[hit].last = t;
    }
    if (asn) {
        int hit = -1;
        for (int i = 0; i < a->b->n_asns; i++)
            if (a->b->asns[i] == asn)
                hit = i;
        if (hit < 0) { /* most recent first */
            int n = a->b->n_asns < 4 ? a->b->n_asns + 1 : 4;
            memmove(a->b->asns + 1, a->b->asns, (size_t)(n - 1) * sizeof a->b->asns[0]);
            a->b->asns[0] = asn;
            a->b->n_asns = (uint8_t)n;
        }
    }
}

/* ---- export / import -------------------------------------------------------------------- */

void cred__baseline_export(const cred_acct *a, vg_cred_baseline *b)
{
    memset(b, 0, sizeof *b);
    snprintf(b->org, sizeof b->org, "%s", a->org->id);
    snprintf(b->account, sizeof b->account, "%s", a->name);
    b->first_ms = a->first_succ;
    b->last_ms = a->last_succ;
    b->successes = a->successes;
    b->protos = a->protos;
    if (!a->b)
        return;
    for (int i = 0; i < a->b->n_nets; i++) {
        const ipkey *k = &a->b->nets[i].net;
        if (k->b[0] != 4 && k->b[0] != 6)
            continue; /* host names are not networks */
        vg_cidr *c = &b->nets[b->n_nets].net;
        memset(c, 0, sizeof *c);
        c->ip.family = k->b[0];
        memcpy(c->ip.a, k->b + 1, 16);
        c->bits = k->b[0] == 4 ? 24 : 64;
        b->nets[b->n_nets].last_ms = a->b->nets[i].last;
        b->nets[b->n_nets].successes = a->b->nets[i].n;
        b->n_nets++;
    }
    for (int i = 0; i < a->b->n_uas; i++) {
        b->uas[i].hash = a->b->uas[i].h;
        b->uas[i].last_ms = a->b->uas[i].last;
    }
    b->n_uas = a->b->n_uas;
    for (int i = 0; i < a->b->n_asns; i++)
        b->asns[i] = a->b->asns[i];
    b->n_asns = a->b->n_asns;
}

void cred__baseline_merge(cred_acct *a, const vg_cred_baseline *b)
{
    if (!a->b)
        a->b = vg_xcalloc(1, sizeof *a->b);
    if (b->successes) {
        if (!a->successes || b->first_ms < a->first_succ)
            a->first_succ = b->first_ms;
        if (b->last_ms > a->last_succ)
            a->last_succ = b->last_ms;
        uint64_t s = (uint64_t)a->successes + b->successes;
        a->successes = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    }
    a->protos |= b->protos;
    for (uint32_t i = 0; i < b->n_nets && i < VG_CRED_BASELINE_NETS; i++) {
        ipkey k;
        memset(&k, 0, sizeof k);
        vg_ip m;
        vg_ip_mask(&b->nets[i].net.ip, b->nets[i].net.ip.family == 4 ? 24 : 64, &m);
        k.b[0] = m.family == 4 ? 4 : 6;
        memcpy(k.b + 1, m.a, 16);
        uint32_t n = b->nets[i].successes ? b->nets[i].successes : 1;
        int hit = -1, oldest = 0;
        for (int j = 0; j < a->b->n_nets; j++) {
            if (memcmp(a->b->nets[j].net.b, k.b, IPKEY_LEN) == 0)
                hit = j;
            if (a->b->nets[j].last < a->b->nets[oldest].last)
                oldest = j;
        }
        if (hit < 0) {
            hit = a->b->n_nets < ACCT_NETS ? a->b->n_nets++ : oldest;
            a->b->nets[hit].net = k;
            a->b->nets[hit].n = 0;
            a->b->nets[hit].last = b->nets[i].last_ms;
        }
        if (b->nets[i].last_ms > a->b->nets[hit].last)
            a->b->nets[hit].last = b->nets[i].last_ms;
        a->b->nets[hit].n += n;
    }
    for (uint32_t i = 0; i < b->n_uas && i < VG_CRED_BASELINE_UAS; i++) {
        int hit = -1, oldest = 0;
        for (int j = 0; j < a->b->n_uas; j++) {
            if (a->b->uas[j].h == b->uas[i].hash)
                hit = j;
            if (a->b->uas[j].last < a->b->uas[oldest].last)
                oldest = j;
        }
        if (hit < 0) {
            hit = a->b->n_uas < ACCT_UAS ? a->b->n_uas++ : oldest;
            a->b->uas[hit].h = b->uas[i].hash;
            a->b->uas[hit].last = b->uas[i].last_ms;
        }
        if (b->uas[i].last_ms > a->b->uas[hit].last)
            a->b->uas[hit].last = b->uas[i].last_ms;
    }
    for (uint32_t i = 0; i < b->n_asns && i < 4; i++) {
        bool have = false;
        for (int j = 0; j < a->b->n_asns; j++)
            have |= a->b->asns[j] == b->asns[i];
        if (!have && a->b->n_asns < 4)
            a->b->asns[a->b->n_asns++] = b->asns[i];
    }
}

typedef struct bl_item {
    const cred_acct *a;
} bl_item;

static int bl_cmp(const void *x, const void *y)
{
    const cred_acct *a = ((const bl_item *)x)->a, *b = ((const bl_item *)y)->a;
    int c = strcmp(a->org->id, b->org->id);
    return c ? c : strcmp(a->name, b->name);
}

void vg_cred_baselines_each(const vg_cred_engine *g, void (*fn)(const vg_cred_baseline *b, void *ud),
                            void *ud)
{
    bl_item *items = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < g->n_orgs; i++) {
        vg_htable_iter it = VG_HTABLE_ITER_INIT;
        const void *k;
        size_t kl;
        void **v;
        int64_t exp;
        while (vg_htable_next(g->org_list[i]->accts, &it, &k, &kl, &v, &exp)) {
            const cred_acct *a = *v;
            if (!a || !a->successes)
                continue;
            items = vg_xgrow(items, &cap, n + 1, sizeof *items);
            items[n++].a = a;
        }
    }
    if (n)
        qsort(items, n, sizeof *items, bl_cmp);
    vg_cred_baseline *b = vg_xmalloc(sizeof *b);
    for (size_t i = 0; i < n; i++) {
        cred__baseline_export(items[i].a, b);
        fn(b, ud);
    }
    free(b);
    free(items);
}

void vg_cred_baseline_import(vg_cred_engine *g, const vg_cred_baseline *b)
{
    if (!b->account[0])
        return;
    int64_t t = b->last_ms ? b->last_ms : 0;
    cred_org *o = cred__org_get(g, b->org, t);
    if (!o)
        return;
    cred_acct *a = cred__acct_get(g, o, b->account, 0, t);
    if (!a)
        return;
    bool had = a->successes > 0;
    cred__baseline_merge(a, b);
    if (!had && a->successes)
        o->n_succ_accts++;
}

void vg_cred_baseline_write_json(const vg_cred_baseline *b, vg_json *j)
{
    char tb[VG_TIME_STRLEN];
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "org", b->org);
    vg_json_kv_str(j, "account", b->account);
    vg_time_format_rfc3339(b->first_ms, true, tb);
    vg_json_kv_str(j, "first", tb);
    vg_time_format_rfc3339(b->last_ms, true, tb);
    vg_json_kv_str(j, "last", tb);
    vg_json_kv_int(j, "successes", b->successes);
    vg_json_key(j, "nets");
    vg_json_arr_begin(j);
    for (uint32_t i = 0; i < b->n_nets && i < VG_CRED_BASELINE_NETS; i++) {
        char cb[VG_IP_STRLEN + 4];
        vg_cidr_format(&b->nets[i].net, cb);
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "net", cb);
        vg_time_format_rfc3339(b->nets[i].last_ms, true, tb);
        vg_json_kv_str(j, "last", tb);
        vg_json_kv_int(j, "n", b->nets[i].successes);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_key(j, "uas");
    vg_json_arr_begin(j);
    for (uint32_t i = 0; i < b->n_uas && i < VG_CRED_BASELINE_UAS; i++) {
        char hb[17];
        snprintf(hb, sizeof hb, "%016llx", (unsigned long long)b->uas[i].hash);
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "h", hb);
        vg_time_format_rfc3339(b->uas[i].last_ms, true, tb);
        vg_json_kv_str(j, "last", tb);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    vg_json_key(j, "protos");
    vg_json_arr_begin(j);
    for (int p = 0; p < VG_PROTO_COUNT; p++)
        if (b->protos & (1u << p))
            vg_json_str(j, vg_auth_proto_name((vg_auth_proto)p));
    vg_json_arr_end(j);
    vg_json_key(j, "asns");
    vg_json_arr_begin(j);
    for (uint32_t i = 0; i < b->n_asns && i < 4; i++)
        vg_json_uint(j, b->asns[i]);
    vg_json_arr_end(j);
    vg_json_obj_end(j);
}

static bool jtime(json_t *o, const char *k, int64_t *out)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && vg_time_parse_rfc3339(vg_str_from(s), out) == VG_OK;
}

vg_err vg_cred_baseline_from_json(const char *json, size_t n, vg_cred_baseline *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loadb(json, n, 0, &je);
    if (!o)
        return vg_error_set(e, VG_EINVAL, "baseline: invalid JSON at column %d: %s", je.column,
                            je.text);
    vg_err rc = VG_OK;
    const char *org = json_string_value(json_object_get(o, "org"));
    const char *acct = json_string_value(json_object_get(o, "account"));
    if (!json_is_object(o) || !org || !acct || strlen(org) >= sizeof out->org ||
        strlen(acct) >= sizeof out->account) {
        rc = vg_error_set(e, VG_EINVAL, "baseline: missing or oversized org/account");
        goto done;
    }
    snprintf(out->org, sizeof out->org, "%s", org);
    snprintf(out->account, sizeof out->account, "%s", acct);
    jtime(o, "first", &out->first_ms);
    jtime(o, "last", &out->last_ms);
    json_int_t s = json_integer_value(json_object_get(o, "successes"));
    out->successes = s < 0 ? 0 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "nets"), i, v)
    {
        if (out->n_nets >= VG_CRED_BASELINE_NETS)
            break;
        const char *net = json_string_value(json_object_get(v, "net"));
        vg_cidr c;
        if (!net || vg_cidr_parse(vg_str_from(net), &c) != VG_OK)
            continue;
        out->nets[out->n_nets].net = c;
        jtime(v, "last", &out->nets[out->n_nets].last_ms);
        json_int_t nn = json_integer_value(json_object_get(v, "n"));
        out->nets[out->n_nets].successes = nn < 0 ? 0 : nn > UINT32_MAX ? UINT32_MAX : (uint32_t)nn;
        out->n_nets++;
    }
    json_array_foreach(json_object_get(o, "uas"), i, v)
    {
        if (out->n_uas >= VG_CRED_BASELINE_UAS)
            break;
        const char *h = json_string_value(json_object_get(v, "h"));
        if (!h)
            continue;
        char *end = NULL;
        unsigned long long hv = strtoull(h, &end, 16);
        if (!end || *end)
            continue;
        out->uas[out->n_uas].hash = hv;
        jtime(v, "last", &out->uas[out->n_uas].last_ms);
        out->n_uas++;
    }
    json_array_foreach(json_object_get(o, "protos"), i, v)
    {
        vg_auth_proto p;
        if (vg_auth_proto_parse(json_string_value(v), &p))
            out->protos |= 1u << p;
    }
    json_array_foreach(json_object_get(o, "asns"), i, v)
    {
        if (out->n_asns >= 4)
            break;
        json_int_t a = json_integer_value(v);
        if (a > 0 && a <= UINT32_MAX)
            out->asns[out->n_asns++] = (uint32_t)a;
    }
done:
    json_decref(o);
    return rc;
}

static void export_one(const vg_cred_baseline *b, void *ud)
{
    vg_buf *out = ud;
    vg_json j;
    vg_json_init(&j, out);
    vg_cred_baseline_write_json(b, &j);
    vg_buf_putc(out, '\n');
}

char *vg_cred_baselines_export_json(const vg_cred_engine *g)
{
    vg_buf out;
    vg_buf_init(&out, 0);
    vg_cred_baselines_each(g, export_one, &out);
    if (!out.p)
        return vg_xstrdup("");
    return vg_buf_steal(&out);
}

vg_err vg_cred_baselines_import_json(vg_cred_engine *g, const char *json, size_t n, vg_error *e)
{
    vg_str rest = vg_str_make(json, n), line;
    int64_t lineno = 0;
    vg_err rc = VG_OK;
    vg_cred_baseline *b = vg_xmalloc(sizeof *b);
    while (vg_str_split(&rest, '\n', &line)) {
        lineno++;
        line = vg_str_trim(line);
        if (!line.n)
            continue;
        vg_error le = {0};
        if (vg_cred_baseline_from_json(line.p, line.n, b, &le) != VG_OK) {
            rc = vg_error_set(e, VG_EINVAL, "baselines line %lld: %s", (long long)lineno, le.msg);
            continue; /* keep the others */
        }
        vg_cred_baseline_import(g, b);
    }
    free(b);
    return rc;
}
