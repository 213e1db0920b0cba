/* test_demo_gen.c — the demo scenario generator: determinism (same seed →
 * byte-identical files, a rerun rewrites nothing, another seed differs), every
 * file parses in its format, the attachments are real formats, and truth.json
 * agrees with the files it describes. */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "testutil.h"
#include "demo/demo_int.h"
#include "vigil/demo.h"
#include "vigil/yaml.h"

static char *tmpdir(void)
{
    const char *t = vg_test_tmpdir();
    assert_non_null(t);
    return vg_xstrdup(t);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

/* The scenario is ~100 MB: never leave it behind in /tmp. */
static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void gen(const char *dir, uint64_t seed, int days, vg_demo_result *r)
{
    vg_demo_opts o = VG_DEMO_OPTS_INIT;
    o.out_dir = dir;
    o.seed = seed;
    o.days = days;
    vg_error e = {0};
    vg_err rc = vg_demo_generate(&o, r, &e);
    if (rc)
        fail_msg("generate %s: %s", dir, e.msg);
}

/* Recursively compares two trees; returns the number of differing files. */
static int tree_diff(const char *a, const char *b, int *files)
{
    DIR *d = opendir(a);
    assert_non_null(d);
    int diff = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *pa = dm_printf("%s/%s", a, de->d_name), *pb = dm_printf("%s/%s", b, de->d_name);
        struct stat st;
        assert_int_equal(stat(pa, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            diff += tree_diff(pa, pb, files);
        } else {
            char *x = NULL, *y = NULL;
            size_t nx = 0, ny = 0;
            assert_int_equal(vg_file_read(pa, 0, &x, &nx, NULL), VG_OK);
            if (vg_file_read(pb, 0, &y, &ny, NULL) != VG_OK || nx != ny || memcmp(x, y, nx) != 0)
                diff++;
            (*files)++;
            free(x);
            free(y);
        }
        free(pa);
        free(pb);
    }
    closedir(d);
    return diff;
}

static void test_deterministic(void **state)
{
    (void)state;
    char *a = tmpdir(), *b = tmpdir(), *c = tmpdir();
    vg_demo_result ra, rb, rc, ra2;
    gen(a, 42, 4, &ra);
    gen(b, 42, 4, &rb);
    int files = 0;
    assert_int_equal(tree_diff(a, b, &files), 0);
    assert_true(files > 10);
    assert_int_equal(ra.signins, rb.signins);
    /* a rerun over the same directory rewrites nothing */
    gen(a, 42, 4, &ra2);
    assert_int_equal(ra2.files_written, 0);
    assert_int_equal(ra2.files_unchanged, ra.files_written);
    /* another seed: other names, addresses, timings */
    gen(c, 43, 4, &rc);
    files = 0;
    int d = tree_diff(c, a, &files) + tree_diff(a, c, &files);
    assert_true(d > 0);
    char *ya = NULL, *yc = NULL;
    size_t na, nc;
    assert_int_equal(vg_file_read(ra.config_path, 0, &ya, &na, NULL), VG_OK);
    assert_int_equal(vg_file_read(rc.config_path, 0, &yc, &nc, NULL), VG_OK);
    assert_true(na != nc || memcmp(ya, yc, na) != 0);
    free(ya);
    free(yc);
    /* a directory holding another seed is refused */
    vg_demo_opts o = VG_DEMO_OPTS_INIT;
    o.out_dir = a;
    o.seed = 43;
    o.days = 4;
    vg_demo_result rx;
    vg_error e = {0};
    assert_int_equal(vg_demo_generate(&o, &rx, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "seed 42"));
    /* bad lengths */
    o.days = 2;
    assert_int_equal(vg_demo_generate(&o, &rx, &e), VG_EINVAL);
    vg_demo_result_free(&ra);
    vg_demo_result_free(&rb);
    vg_demo_result_free(&rc);
    vg_demo_result_free(&ra2);
    rm_rf(a);
    rm_rf(b);
    rm_rf(c);
    free(a);
    free(b);
    free(c);
}

/* ---- one scenario, checked against its truth ----------------------- */

static char *dir14;
static vg_demo_result r14;
static json_t *truth;

static int setup14(void **state)
{
    (void)state;
    dir14 = tmpdir();
    gen(dir14, VG_DEMO_DEFAULT_SEED + 7, 7, &r14); /* the e2e test runs the full 14 days */
    json_error_t je;
    truth = json_load_file(r14.truth_path, 0, &je);
    if (!truth)
        fail_msg("truth.json: %s line %d", je.text, je.line);
    return 0;
}

static int teardown14(void **state)
{
    (void)state;
    json_decref(truth);
    vg_demo_result_free(&r14);
    rm_rf(dir14);
    free(dir14);
    return 0;
}

static json_t *org_by_id(const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(truth, "organizations"), i,
                       o) if (strcmp(json_string_value(json_object_get(o, "id")), id) ==
                              0) return o;
    return NULL;
}

static bool str_in(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) &&
                                      strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* Checks the invariants of the scenario in the global `truth`. */
static void check_truth(void);

static void test_truth_shape(void **state)
{
    (void)state;
    check_truth();
}

/* Nothing may depend on one random draw: the invariants hold for any seed,
 * at the shortest window too. */
static void test_many_seeds(void **state)
{
    (void)state;
    json_t *saved = truth;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        char *d = tmpdir();
        vg_demo_result r;
        gen(d, seed * 7919, VG_DEMO_MIN_DAYS, &r);
        json_error_t je;
        truth = json_load_file(r.truth_path, 0, &je);
        assert_non_null(truth);
        check_truth();
        json_decref(truth);
        vg_demo_result_free(&r);
        rm_rf(d);
        free(d);
    }
    truth = saved;
}

static void check_truth(void)
{
    json_t *orgs = json_object_get(truth, "organizations");
    assert_int_equal(json_array_size(orgs), 8);
    int targeted = 0;
    json_t *cc = json_array();
    bool cro = false, dx = false;
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o)
    {
        bool t = json_is_true(json_object_get(o, "targeted"));
        targeted += t;
        if (t && !str_in(cc, json_string_value(json_object_get(o, "country"))))
            json_array_append_new(cc,
                                  json_string(json_string_value(json_object_get(o, "country"))));
        const char *sector = json_string_value(json_object_get(o, "sector"));
        cro |= strcmp(sector, "clinical-research") == 0;
        dx |= strcmp(sector, "diagnostics") == 0;
        assert_int_equal(json_array_size(json_object_get(o, "actors")) > 0, t);
        /* fictitious: reserved .example domains only */
        json_t *d;
        size_t k;
        json_array_foreach(json_object_get(o, "domains"), k, d)
        {
            const char *s = json_string_value(d);
            assert_true(strlen(s) > 8 && strcmp(s + strlen(s) - 8, ".example") == 0);
        }
    }
    assert_int_equal(targeted, 7);
    assert_true(cro && dx);
    for (const char *const *c = (const char *const[]){"CA", "FR", "IN", "KR", "US", NULL}; *c; c++)
        assert_true(str_in(cc, *c));
    json_decref(cc);
    const char *control = json_string_value(json_object_get(truth, "control_org"));
    assert_non_null(control);
    assert_false(json_is_true(json_object_get(org_by_id(control), "targeted")));

    /* every targeted organization is some actor's; the control nobody's */
    json_t *actors = json_object_get(truth, "actors");
    assert_int_equal(json_array_size(actors), 3);
    json_t *a;
    json_t *all = json_array();
    json_array_foreach(actors, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "name"));
        json_t *ao = json_object_get(a, "organizations");
        assert_true(json_array_size(ao) >= 2);
        assert_false(str_in(ao, control));
        size_t k;
        json_t *v;
        json_array_foreach(ao, k, v) if (!str_in(all, json_string_value(v)))
            json_array_append(all, v);
        if (strcmp(name, "STRONTIUM") == 0) {
            assert_true(json_array_size(ao) >= 3); /* several organizations */
            assert_true(json_array_size(json_object_get(a, "ips_used")) >= 500);
            assert_true(json_integer_value(json_object_get(a, "attempts")) > 2000);
        } else {
            assert_true(json_integer_value(json_object_get(a, "messages")) >= 4);
        }
    }
    assert_int_equal(json_array_size(all), 7);
    json_decref(all);

    /* one STRONTIUM compromise, one STRONTIUM credential_valid, one ZINC */
    json_t *comp = json_object_get(truth, "compromised");
    int st_s = 0, st_cv = 0, zn = 0;
    json_array_foreach(comp, i, o)
    {
        const char *actor = json_string_value(json_object_get(o, "actor"));
        const char *out = json_string_value(json_object_get(o, "outcome"));
        st_s += strcmp(actor, "STRONTIUM") == 0 && strcmp(out, "succeeded") == 0;
        st_cv += strcmp(actor, "STRONTIUM") == 0 && strcmp(out, "credential_valid") == 0;
        zn += strcmp(actor, "ZINC") == 0 && strcmp(out, "succeeded") == 0;
        /* the account belongs to its organization */
        const char *acct = json_string_value(json_object_get(o, "account"));
        json_t *org = org_by_id(json_string_value(json_object_get(o, "org")));
        assert_non_null(org);
        assert_true(str_in(json_object_get(org, "domains"), strchr(acct, '@') + 1));
    }
    assert_int_equal(st_s, 1);
    assert_int_equal(st_cv, 1);
    assert_int_equal(zn, 1);

    /* benign traps are all there */
    const char *kinds[] = {"office_nat_rush",        "stale_service_account", "traveller",
                           "activesync_after_reset", "real_brand_mail",       "internet_noise"};
    for (size_t k = 0; k < 6; k++) {
        bool found = false;
        json_array_foreach(json_object_get(truth, "benign"), i, o) found |=
            strcmp(json_string_value(json_object_get(o, "kind")), kinds[k]) == 0;
        if (!found)
            fail_msg("no benign trap %s", kinds[k]);
    }
    /* attacker and benign addresses never overlap */
    json_t *benign = json_object_get(truth, "benign_ips");
    assert_true(json_array_size(benign) > 500);
    json_array_foreach(actors, i, a)
    {
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(a, "ips_used"), k, v)
            assert_false(str_in(benign, json_string_value(v)));
    }
}

/* ---- sign-in files --------------------------------------------------------------------- */

typedef struct ev {
    char *upn, *ip, *time;
    int code;
} ev;

static void read_event(json_t *d, ev *e)
{
    json_t *p = json_object_get(d, "properties");
    json_t *st;
    if (p) {
        e->upn = (char *)json_string_value(json_object_get(p, "userPrincipalName"));
        e->ip = (char *)json_string_value(json_object_get(p, "ipAddress"));
        e->time = (char *)json_string_value(json_object_get(d, "time"));
        assert_non_null(json_object_get(d, "category"));
        assert_non_null(json_object_get(d, "tenantId"));
        st = json_object_get(p, "status");
        e->code = (int)json_integer_value(json_object_get(st, "errorCode"));
        assert_int_equal(atoi(json_string_value(json_object_get(d, "resultType"))), e->code);
    } else if (json_object_get(d, "TimeGenerated")) {
        e->upn = (char *)json_string_value(json_object_get(d, "UserPrincipalName"));
        e->ip = (char *)json_string_value(json_object_get(d, "IPAddress"));
        e->time = (char *)json_string_value(json_object_get(d, "TimeGenerated"));
        e->code = atoi(json_string_value(json_object_get(d, "ResultType")));
        st = json_object_get(d, "Status");
        if (json_is_string(st)) { /* AADNonInteractiveUserSignInLogs: dynamic as text */
            json_t *x = json_loads(json_string_value(st), 0, NULL);
            assert_non_null(x);
            assert_int_equal(json_integer_value(json_object_get(x, "errorCode")), e->code);
            assert_false(json_is_true(json_object_get(d, "IsInteractive")));
            json_decref(x);
        }
    } else {
        e->upn = (char *)json_string_value(json_object_get(d, "userPrincipalName"));
        e->ip = (char *)json_string_value(json_object_get(d, "ipAddress"));
        e->time = (char *)json_string_value(json_object_get(d, "createdDateTime"));
        e->code =
            (int)json_integer_value(json_object_get(json_object_get(d, "status"), "errorCode"));
    }
    assert_non_null(e->upn);
    assert_non_null(e->ip);
    assert_non_null(e->time);
    vg_ip ip;
    assert_int_equal(vg_ip_parse(vg_str_from(e->ip), &ip), VG_OK);
    int64_t ms;
    assert_int_equal(vg_time_parse_rfc3339(vg_str_from(e->time), &ms), VG_OK);
}

static bool compromise_seen(const char *account, const char *outcome, json_t *attacker_ips)
{
    for (size_t f = 0; f < r14.n_inputs; f++) {
        if (!strstr(r14.inputs[f], "/signins/"))
            continue;
        FILE *fp = fopen(r14.inputs[f], "r");
        char *line = NULL;
        size_t cap = 0;
        bool hit = false;
        while (!hit && getline(&line, &cap, fp) > 0) {
            if (!strstr(line, account))
                continue;
            json_t *d = json_loads(line, 0, NULL);
            ev e;
            read_event(d, &e);
            int want = strcmp(outcome, "succeeded") == 0 ? 0 : 50076;
            if (strcmp(e.upn, account) == 0 && e.code == want && str_in(attacker_ips, e.ip))
                hit = true;
            json_decref(d);
        }
        free(line);
        fclose(fp);
        if (hit)
            return true;
    }
    return false;
}

static void test_signin_files(void **state)
{
    (void)state;
    int shapes[3] = {0};
    size_t events = 0;
    for (size_t f = 0; f < r14.n_inputs; f++) {
        const char *p = r14.inputs[f];
        if (!strstr(p, "/signins/"))
            continue;
        shapes[0] += strstr(p, ".diagnostic.") != NULL;
        shapes[1] += strstr(p, ".graph.") != NULL;
        shapes[2] += strstr(p, ".loganalytics.") != NULL;
        bool graph = strstr(p, ".graph.") != NULL;
        FILE *fp = fopen(p, "r");
        assert_non_null(fp);
        char *line = NULL, prev[64] = "";
        size_t cap = 0;
        while (getline(&line, &cap, fp) > 0) {
            json_error_t je;
            json_t *d = json_loads(line, 0, &je);
            if (!d)
                fail_msg("%s: %s", p, je.text);
            ev e;
            read_event(d, &e);
            /* diagnostic and Log Analytics ascend; Graph pages come newest first */
            if (prev[0])
                assert_true(graph ? strcmp(e.time, prev) <= 0 : strcmp(e.time, prev) >= 0);
            snprintf(prev, sizeof prev, "%s", e.time);
            events++;
            json_decref(d);
        }
        free(line);
        fclose(fp);
    }
    assert_true(shapes[0] && shapes[1] && shapes[2]);
    assert_int_equal(
        events, json_integer_value(json_object_get(json_object_get(truth, "counts"), "signins")));
    assert_true(events > 5000);

    /* each compromise is in the logs: a success (or MFA stop) from the actor's address */
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(truth, "compromised"), i, c)
    {
        const char *actor = json_string_value(json_object_get(c, "actor"));
        json_t *a, *ips = NULL;
        size_t k;
        json_array_foreach(json_object_get(truth, "actors"), k,
                           a) if (strcmp(json_string_value(json_object_get(a, "name")), actor) == 0)
            ips = json_object_get(a, "ips_used");
        const char *acct = json_string_value(json_object_get(c, "account"));
        if (!compromise_seen(acct, json_string_value(json_object_get(c, "outcome")), ips))
            fail_msg("%s compromise of %s not in the sign-in logs", actor, acct);
    }
}

/* ---- config, STIX, mail, sshd --------------------------------------------------------------- */

static void test_config_and_stix(void **state)
{
    (void)state;
    vg_error e = {0};
    vg_yaml_doc *y = vg_yaml_load_file(r14.config_path, &e);
    if (!y)
        fail_msg("vigil.yaml: %s", e.msg);
    const vg_yaml_node *orgs = vg_yaml_get(vg_yaml_root(y), "organizations");
    assert_int_equal(vg_yaml_len(orgs), 8);
    for (size_t i = 0; i < 8; i++) {
        const vg_yaml_node *o = vg_yaml_at(orgs, i);
        assert_non_null(org_by_id(vg_yaml_str(vg_yaml_get(o, "id"), "")));
        assert_true(vg_yaml_len(vg_yaml_get(o, "tenant_ids")) == 1);
        assert_true(vg_yaml_len(vg_yaml_get(o, "vip_names")) == 2);
    }
    assert_int_equal(vg_yaml_len(vg_yaml_path(vg_yaml_root(y), "mail.authserv_ids")), 8);
    vg_yaml_free(y);

    json_error_t je;
    json_t *b = json_load_file(r14.intel_path, 0, &je);
    if (!b)
        fail_msg("stix: %s", je.text);
    assert_string_equal(json_string_value(json_object_get(b, "type")), "bundle");
    json_t *objs = json_object_get(b, "objects"), *o;
    json_t *ids = json_object();
    size_t i;
    int sets = 0, inds = 0;
    bool apt28 = false;
    json_array_foreach(objs, i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *type = json_string_value(json_object_get(o, "type"));
        assert_non_null(id);
        assert_true(strncmp(id, type, strlen(type)) == 0);
        assert_string_equal(json_string_value(json_object_get(o, "spec_version")), "2.1");
        assert_null(json_object_get(ids, id)); /* unique */
        json_object_set_new(ids, id, json_true());
        if (strcmp(type, "intrusion-set") == 0) {
            sets++;
            apt28 |= str_in(json_object_get(o, "aliases"), "APT28");
        } else if (strcmp(type, "indicator") == 0) {
            inds++;
            assert_string_equal(json_string_value(json_object_get(o, "pattern_type")), "stix");
            assert_true(strcmp(json_string_value(json_object_get(o, "valid_from")),
                               json_string_value(json_object_get(json_object_get(truth, "window"),
                                                                 "start"))) < 0);
            assert_true(strcmp(json_string_value(json_object_get(o, "valid_until")),
                               json_string_value(
                                   json_object_get(json_object_get(truth, "window"), "end"))) > 0);
        }
    }
    json_array_foreach(
        objs, i, o) if (strcmp(json_string_value(json_object_get(o, "type")), "relationship") == 0)
    {
        assert_non_null(json_object_get(ids, json_string_value(json_object_get(o, "source_ref"))));
        assert_non_null(json_object_get(ids, json_string_value(json_object_get(o, "target_ref"))));
    }
    assert_int_equal(sets, 3);
    assert_true(apt28);
    /* an indicator never covers a legitimate user's address */
    json_t *benign = json_object_get(truth, "benign_ips");
    json_array_foreach(objs, i, o)
    {
        const char *pat = json_string_value(json_object_get(o, "pattern"));
        const char *q = pat ? strstr(pat, "-addr:value = '") : NULL;
        for (; q; q = strstr(q + 1, "-addr:value = '")) {
            if (q - pat < 4 || strncmp(q - 4, "ipv", 3) != 0)
                continue; /* email-addr */
            const char *v = q + strlen("-addr:value = '");
            vg_cidr net;
            assert_int_equal(vg_cidr_parse(vg_str_make(v, strcspn(v, "'")), &net), VG_OK);
            size_t k;
            json_t *bip;
            json_array_foreach(benign, k, bip)
            {
                vg_ip ip;
                assert_int_equal(vg_ip_parse(vg_str_from(json_string_value(bip)), &ip), VG_OK);
                if (vg_cidr_contains(&net, &ip))
                    fail_msg("indicator %s covers the benign address %s", pat,
                             json_string_value(bip));
            }
        }
    }
    assert_true(inds > 20);
    /* the ZINC sign-in address is an indicator; not all of STRONTIUM's pool is */
    char *text = json_dumps(b, 0);
    json_t *c;
    json_array_foreach(
        json_object_get(truth, "attacks"), i,
        c) if (strcmp(json_string_value(json_object_get(c, "actor")), "ZINC") == 0 &&
               strcmp(json_string_value(json_object_get(c, "kind")), "compromised") == 0)
        assert_non_null(
            strstr(text, json_string_value(json_array_get(json_object_get(c, "ips"), 0))));
    json_t *a;
    json_array_foreach(json_object_get(truth, "actors"), i,
                       a) if (strcmp(json_string_value(json_object_get(a, "name")), "STRONTIUM") ==
                              0)
    {
        size_t k, missing = 0;
        json_t *v;
        json_array_foreach(json_object_get(a, "ips_used"), k, v)
        {
            char q[80];
            snprintf(q, sizeof q, "'%s'", json_string_value(v));
            missing += strstr(text, q) == NULL;
        }
        assert_true(missing > json_array_size(json_object_get(a, "ips_used")) / 2);
    }
    free(text);
    json_decref(ids);
    json_decref(b);
}

static void count_marks(const char *data, int *homoglyph_from, int *docm)
{
    for (const char *p = data; (p = strstr(p, "\nFrom: ")); p++) {
        const char *nl = strchr(p + 1, '\n'), *x = strstr(p, "@xn--");
        *homoglyph_from += x && nl && x < nl;
    }
    for (const char *p = data; (p = strstr(p, ".docm\"\nContent-Transfer-Encoding")); p++)
        (*docm)++;
}

static void test_mail_files(void **state)
{
    (void)state;
    size_t i;
    json_t *m;
    int homoglyph = 0, docm = 0, zinc = 0;
    json_t *seen = json_object();
    json_array_foreach(json_object_get(truth, "messages"), i, m)
    {
        const char *file = json_string_value(json_object_get(m, "file"));
        const char *actor = json_string_value(json_object_get(m, "actor"));
        zinc += actor && strcmp(actor, "ZINC") == 0;
        char *path = dm_printf("%s/%s", dir14, file);
        char *hash = strchr(path, '#');
        char *data = NULL;
        size_t n = 0;
        if (hash) {
            *hash = 0;
            long want = atol(hash + 1);
            assert_int_equal(vg_file_read(path, 0, &data, &n, NULL), VG_OK);
            long count = (strncmp(data, "From ", 5) == 0);
            for (const char *p = data; (p = strstr(p, "\n\nFrom ")); p += 2)
                count++;
            assert_true(want >= 1 && want <= count);
            assert_non_null(strstr(data, json_string_value(json_object_get(m, "message_id"))));
            if (!json_object_get(seen, path)) {
                json_object_set_new(seen, path, json_true());
                count_marks(data, &homoglyph, &docm);
            }
        } else {
            assert_int_equal(vg_file_read(path, 0, &data, &n, NULL), VG_OK);
            uint8_t h[32];
            char hex[65];
            vg_sha256_digest(data, n, h);
            vg_hex(h, 32, hex);
            assert_string_equal(hex, json_string_value(json_object_get(m, "sha256")));
            assert_non_null(strstr(data, json_string_value(json_object_get(m, "message_id"))));
            char *framed = dm_printf("\n%s", data);
            count_marks(framed, &homoglyph, &docm);
            free(framed);
        }
        free(data);
        free(path);
    }
    json_decref(seen);
    assert_true(json_array_size(json_object_get(truth, "messages")) >= 100);
    assert_true(homoglyph >= 1);      /* CERIUM used a punycode homoglyph of who.int */
    assert_int_equal(docm * 2, zinc); /* every ZINC recruit got the .docm follow-up */
}

static void test_attachments(void **state)
{
    (void)state;
    vg_buf doc;
    vg_buf_init(&doc, 0);
    dm_docm_build(&doc, "Senior Scientist", "Aldervane Biotech", "line one\nEnable Content",
                  1604000000000);
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    assert_int_equal(archive_read_open_memory(a, doc.p, doc.n), ARCHIVE_OK);
    struct archive_entry *e;
    bool vba = false, ct = false;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        char buf[8192];
        la_ssize_t n = archive_read_data(a, buf, sizeof buf - 1);
        assert_true(n > 0);
        buf[n] = 0;
        if (strcmp(name, "word/vbaProject.bin") == 0) {
            vba = memcmp(buf, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0;
        } else if (strcmp(name, "[Content_Types].xml") == 0) {
            ct = strstr(buf, "macroEnabled.main+xml") != NULL;
        }
    }
    archive_read_free(a);
    assert_true(vba && ct);
    vg_buf again;
    vg_buf_init(&again, 0);
    dm_docm_build(&again, "Senior Scientist", "Aldervane Biotech", "line one\nEnable Content",
                  1604000000000);
    assert_int_equal(doc.n, again.n);
    assert_memory_equal(doc.p, again.p, doc.n);
    vg_buf_free(&doc);
    vg_buf_free(&again);

    vg_buf pdf;
    vg_buf_init(&pdf, 0);
    const char *lines[] = {"INVOICE (draft)", "total 12.00"};
    dm_pdf_build(&pdf, lines, 2);
    assert_memory_equal(pdf.p, "%PDF-1.4", 8);
    const char *sx = strstr(pdf.p, "startxref\n");
    assert_non_null(sx);
    size_t off = (size_t)atol(sx + 10);
    assert_memory_equal(pdf.p + off, "xref", 4);
    assert_non_null(strstr(pdf.p, "\\(draft\\)"));
    vg_buf_free(&pdf);
}

static void test_sshd(void **state)
{
    (void)state;
    for (size_t f = 0; f < r14.n_inputs; f++) {
        if (!strstr(r14.inputs[f], "/sshd/"))
            continue;
        struct stat st;
        assert_int_equal(stat(r14.inputs[f], &st), 0);
        vg_tm tm;
        vg_time_to_civil((int64_t)st.st_mtime * 1000, &tm);
        assert_int_equal(tm.year, 2020); /* RFC 3164 has no year: the file time gives it */
        char *data = NULL;
        size_t n = 0;
        assert_int_equal(vg_file_read(r14.inputs[f], 0, &data, &n, NULL), VG_OK);
        size_t lines = 0;
        for (char *p = data; *p;) {
            char *nl = strchr(p, '\n');
            assert_non_null(nl);
            int64_t ms;
            size_t used;
            assert_int_equal(
                vg_time_parse_syslog3164(vg_str_make(p, (size_t)(nl - p)), 2020, 0, &ms, &used),
                VG_OK);
            assert_non_null(strstr(p, " sshd["));
            lines++;
            p = nl + 1;
        }
        assert_int_equal(lines, r14.ssh_lines);
        free(data);
        return;
    }
    fail_msg("no sshd log");
}

int main(void)
{
    const struct CMUnitTest t14[] = {
        cmocka_unit_test(test_truth_shape),
        cmocka_unit_test(test_signin_files),
        cmocka_unit_test(test_config_and_stix),
        cmocka_unit_test(test_mail_files),
        cmocka_unit_test(test_sshd),
    };
    const struct CMUnitTest tdet[] = {
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_many_seeds),
    };
    int rc = cmocka_run_group_tests_name("demo generator", tdet, NULL, NULL);
    rc += cmocka_run_group_tests_name("demo scenario (7 days)", t14, setup14, teardown14);
    return rc;
}
