/* test_stream_pipeline.c — the whole scan pipeline on findings files
 * (tests/fixtures/scan/): scanning twice leaves the database and every
 * delivered file byte-identical and sends nothing; a compromised account
 * produces a new version for that organization only; suppressed findings are
 * kept, marked, and notify nobody; no notice names another victim; a failed
 * webhook delivery is reported, kept, and delivered by the next
 * `vigil notify` run against a real receiver on 127.0.0.1. */
#include <arpa/inet.h>
#include <dirent.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "vigil/store.h"
#include "vigil/stream.h"

static char tmp[256];

static const char *fx(const char *name)
{
    static char p[64][1024]; /* enough distinct slots for one test's paths */
    static int k;
    k = (k + 1) % 64;
    snprintf(p[k], sizeof p[k], "%s/tests/fixtures/scan/%s", VIGIL_SOURCE_DIR, name);
    return p[k];
}

static char *db_dump(const char *path)
{
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(path, &s, NULL), VG_OK);
    vg_buf b;
    vg_buf_init(&b, 0);
    assert_int_equal(vg_store_dump(s, &b, NULL), VG_OK);
    vg_store_close(s);
    return vg_buf_steal(&b);
}

/* "path inode mtime size sha" of every file under dir, sorted. */
static void snapshot(const char *dir, vg_buf *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    vg_strlist names = {0};
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            vg_strlist_add(&names, de->d_name);
    closedir(d);
    vg_strlist_sort(&names);
    for (size_t i = 0; i < names.n; i++) {
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, names.v[i]);
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            snapshot(p, out);
            continue;
        }
        char *data = NULL;
        size_t n = 0;
        vg_file_read(p, 0, &data, &n, NULL);
        uint8_t dg[32];
        char hex[65];
        vg_sha256_digest(data, n, dg);
        vg_hex(dg, 32, hex);
        free(data);
        vg_buf_printf(out, "%s %llu %lld.%09ld %lld %s\n", p, (unsigned long long)st.st_ino,
                      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_size, hex);
    }
    vg_strlist_free(&names);
}

static char *read_all(const char *path)
{
    char *d = NULL;
    if (vg_file_read(path, 0, &d, NULL, NULL) != VG_OK)
        return NULL;
    return d;
}

static bool has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Every file of an organization's outbox is free of the banned strings. */
static size_t check_outbox(const char *dir, const char *const *banned, size_t nb)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        char *t = read_all(p);
        assert_non_null(t);
        for (size_t i = 0; i < nb; i++)
            if (has_ci(t, banned[i]))
                fail_msg("%s names another victim: %s", p, banned[i]);
        free(t);
        files++;
    }
    closedir(d);
    return files;
}

static vg_err run(const char *db, const char *out, const char *config, const char *const *inputs,
                  size_t n, bool rescan, vg_scan_summary *s)
{
    vg_scan_opts o = VG_SCAN_OPTS_INIT;
    static const char *intel[1];
    intel[0] = fx("intel.txt");
    o.config_path = config;
    o.db_path = db;
    o.out_dir = out;
    o.intel_files = intel;
    o.n_intel = 1;
    o.inputs = inputs;
    o.n_inputs = n;
    o.rescan = rescan;
    vg_error e = {0};
    vg_err rc = vg_pipeline_run(&o, s, &e);
    if (rc)
        fprintf(stderr, "pipeline: %s\n", e.msg);
    return rc;
}

static void test_idempotent_and_update(void **state)
{
    (void)state;
    char db[512], out[512], p[1024];
    snprintf(db, sizeof db, "%s/a.db", tmp);
    snprintf(out, sizeof out, "%s/a-out", tmp);
    const char *day1[] = {fx("findings-day1.jsonl")};
    vg_scan_summary s;

    /* First scan: three organizations told, Vega's suppressed test is not. */
    assert_int_equal(run(db, out, fx("config.yaml"), day1, 1, false, &s), VG_OK);
    assert_int_equal(s.inputs_findings, 1);
    assert_int_equal(s.campaigns, 1);
    assert_int_equal(s.orgs_notified, 3);
    assert_int_equal(s.notifications_new, 3);
    assert_int_equal(s.deliveries_ok, 3);
    assert_int_equal(s.deliveries_failed, 0);
    assert_int_equal(s.findings_suppressed, 2);
    assert_int_equal(s.n_actors, 1);
    assert_string_equal(s.actors[0].actor, "STRONTIUM");
    assert_int_equal(s.actors[0].orgs.n, 3);
    assert_int_equal(s.actors[0].countries.n, 3);
    assert_string_equal(s.actors[0].countries.v[0], "CA");
    assert_int_equal(s.actors[0].succeeded, 0);
    assert_non_null(s.summary_paths[VG_FMT_HTML]);
    assert_non_null(s.summary_paths[VG_FMT_STIX]);
    assert_non_null(strstr(s.summary_paths[VG_FMT_STIX], "/summary.stix.json"));
    assert_non_null(strstr(s.headline, "1 actor targeted 3 organizations in 3 countries"));
    vg_scan_summary_free(&s);
    snprintf(p, sizeof p, "%s/outbox/vega", out);
    assert_int_not_equal(access(p, F_OK), 0); /* suppressed: nothing sent */

    char *d1 = db_dump(db);
    vg_buf snap1;
    vg_buf_init(&snap1, 0);
    snapshot(out, &snap1);
    assert_non_null(strstr(snap1.p, "/outbox/helix/"));
    assert_non_null(strstr(snap1.p, "/summary.stix.json ")); /* and the snapshots below keep it */

    /* Same input again: nothing read, nothing written, nothing sent. */
    assert_int_equal(run(db, out, fx("config.yaml"), day1, 1, false, &s), VG_OK);
    assert_int_equal(s.inputs_unchanged, 1);
    assert_int_equal(s.findings_new, 0);
    assert_int_equal(s.findings_updated, 0);
    assert_int_equal(s.notifications_new, 0);
    assert_int_equal(s.deliveries_ok, 0);
    vg_scan_summary_free(&s);
    /* And read again on purpose: still nothing changes. */
    assert_int_equal(run(db, out, fx("config.yaml"), day1, 1, true, &s), VG_OK);
    assert_int_equal(s.inputs_unchanged, 1);
    assert_int_equal(s.findings_new, 0);
    assert_int_equal(s.findings_updated, 0);
    assert_int_equal(s.notifications_new, 0);
    vg_scan_summary_free(&s);
    /* `vigil notify` with nothing pending: nothing either. */
    vg_scan_opts no = VG_SCAN_OPTS_INIT;
    no.db_path = db;
    no.out_dir = out;
    vg_error e = {0};
    assert_int_equal(vg_pipeline_notify(&no, &s, &e), VG_OK);
    assert_int_equal(s.deliveries_ok, 0);
    assert_int_equal(s.notifications_new, 0);
    assert_int_equal(s.n_notices, 3);
    vg_scan_summary_free(&s);

    char *d2 = db_dump(db);
    assert_string_equal(d1, d2);
    vg_buf snap2;
    vg_buf_init(&snap2, 0);
    snapshot(out, &snap2);
    assert_string_equal(snap1.p, snap2.p);

    /* Suppressed findings are in the store, marked. */
    assert_non_null(strstr(d2, "suppressed_by=s-"));
    assert_non_null(strstr(d2, "svc-backup@helixbio.example"));

    /* New evidence: Alice's account compromised. Helix gets version 2; the
     * others' material facts did not change, so they get nothing. */
    const char *both[] = {fx("findings-day1.jsonl"), fx("findings-day2.jsonl")};
    assert_int_equal(run(db, out, fx("config.yaml"), both, 2, false, &s), VG_OK);
    assert_int_equal(s.inputs_unchanged, 1);
    assert_int_equal(s.notifications_new, 1);
    assert_int_equal(s.orgs_notified, 1);
    assert_int_equal(s.deliveries_ok, 1);
    bool saw = false;
    for (size_t i = 0; i < s.n_notices; i++) {
        const vg_scan_notice *n = &s.notices[i];
        if (strcmp(n->org, "helix") == 0) {
            assert_int_equal(n->version, 2);
            assert_true(n->new_version);
            assert_true(n->mail_compromised);
            assert_int_equal(n->compromised, 1);
            saw = true;
        } else {
            assert_int_equal(n->version, 1);
            assert_false(n->new_version);
        }
    }
    assert_true(saw);
    assert_int_equal(s.actors[0].compromised.n, 1);
    assert_string_equal(s.actors[0].compromised.v[0], "helix:alice@helixbio.example");
    assert_int_equal(s.actors[0].succeeded, 1);
    char campaign[64];
    snprintf(campaign, sizeof campaign, "%s", s.notices[0].campaign);
    vg_scan_summary_free(&s);

    /* Version 2 says what changed at the top; version 1 is untouched. */
    snprintf(p, sizeof p, "%s/outbox/helix/%s-v2.json", out, campaign);
    char *v2 = read_all(p);
    assert_non_null(v2);
    json_t *j = json_loads(v2, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "mail_compromised")));
    assert_string_equal(json_string_value(json_object_get(j, "out_of_band_contact")),
                        "soc-oob@helix-backup.example");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "compromised"), 0),
                                                          "account")),
                        "alice@helixbio.example");
    json_decref(j);
    free(v2);
    vg_buf snap3;
    vg_buf_init(&snap3, 0);
    snapshot(out, &snap3);
    /* every v1 line of the first snapshot is still there, byte for byte */
    vg_str rest = vg_buf_str(&snap1), line;
    while (vg_str_split(&rest, '\n', &line))
        if (line.n && vg_str_find(line, VG_STR("summary.")) < 0)
            assert_true(vg_str_find(vg_buf_str(&snap3), line) >= 0);

    /* No notice names another victim. */
    char dir[1024];
    const char *not_helix[] = {"Zenith", "zenith.example", "eve@", "Orion", "orion.example",
                               "grace@", "Vega", "vega.example", "heidi@"};
    snprintf(dir, sizeof dir, "%s/outbox/helix", out);
    assert_int_equal(check_outbox(dir, not_helix, 9), 8);
    const char *not_zenith[] = {"Helix", "helixbio", "alice@", "Orion", "grace@", "Vega", "heidi@"};
    snprintf(dir, sizeof dir, "%s/outbox/zenith", out);
    assert_int_equal(check_outbox(dir, not_zenith, 7), 4);
    /* ... and suppressed findings are in no notice. */
    const char *supp[] = {"svc-backup", "penetration test"};
    snprintf(dir, sizeof dir, "%s/outbox/helix", out);
    check_outbox(dir, supp, 2);

    /* The operator's summary names them all, inert. */
    snprintf(p, sizeof p, "%s/summary.html", out);
    char *html = read_all(p);
    assert_non_null(html);
    assert_non_null(strstr(html, "Zenith Pharma"));
    assert_non_null(strstr(html, "Helix Biologics"));
    assert_null(strstr(html, "<script"));
    free(html);
    /* ... and its STIX bundle too: the campaign targets each of them. */
    snprintf(p, sizeof p, "%s/summary.stix.json", out);
    char *stix = read_all(p);
    assert_non_null(stix);
    json_t *sb = json_loads(stix, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(sb);
    size_t targets = 0, k;
    json_t *so;
    bool zenith = false, strontium = false;
    json_array_foreach(json_object_get(sb, "objects"), k, so)
    {
        const char *ty = json_string_value(json_object_get(so, "type"));
        const char *nm = json_string_value(json_object_get(so, "name"));
        const char *rt = json_string_value(json_object_get(so, "relationship_type"));
        targets += rt && !strcmp(rt, "targets");
        zenith |= !strcmp(ty, "identity") && nm && !strcmp(nm, "Zenith Pharma");
        strontium |= !strcmp(ty, "intrusion-set") && nm && !strcmp(nm, "STRONTIUM");
    }
    assert_int_equal(targets, 3);
    assert_true(zenith && strontium);
    assert_string_equal(json_string_value(json_object_get(sb, "type")), "bundle");
    json_decref(sb);
    free(stix);

    free(d1);
    free(d2);
    vg_buf_free(&snap1);
    vg_buf_free(&snap2);
    vg_buf_free(&snap3);
}

/* ---- a webhook that is down, then up ------------------------------------------------------ */

typedef struct recv {
    int requests, good;
} recv_t;

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    recv_t *r = cls;
    if (!*con_cls) {
        vg_buf *b = calloc(1, sizeof *b);
        vg_buf_init(b, 1 << 22);
        *con_cls = b;
        return MHD_YES;
    }
    vg_buf *b = *con_cls;
    if (*upload_size) {
        vg_buf_append(b, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    r->requests++;
    const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-Timestamp");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-Signature");
    char want[72];
    unsigned status = 401;
    if (ts && sig) {
        vg_notify_webhook_signature("pipeline-secret", atoll(ts), b->p ? b->p : "", b->n, want);
        json_t *doc = b->n ? json_loads(b->p, 0, NULL) : NULL;
        if (strcmp(want, sig) == 0 && doc) {
            status = 200;
            r->good++;
        }
        json_decref(doc);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode t)
{
    (void)cls;
    (void)c;
    (void)t;
    vg_buf *b = *con_cls;
    if (b) {
        vg_buf_free(b);
        free(b);
        *con_cls = NULL;
    }
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    int p = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &l) == 0)
        p = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return p;
}

static void test_failed_delivery_retried(void **state)
{
    (void)state;
    int port = free_port();
    assert_true(port > 0);
    char cfg[512], db[512], out[512];
    snprintf(cfg, sizeof cfg, "%s/hook.yaml", tmp);
    snprintf(db, sizeof db, "%s/b.db", tmp);
    snprintf(out, sizeof out, "%s/b-out", tmp);
    char *base = read_all(fx("config.yaml"));
    assert_non_null(base);
    /* Zenith also wants a signed webhook; nobody listens yet. */
    vg_buf y;
    vg_buf_init(&y, 0);
    const char *anchor = "    domains: [zenith.example]\n";
    const char *at = strstr(base, anchor);
    assert_non_null(at);
    vg_buf_append(&y, base, (size_t)(at - base) + strlen(anchor));
    vg_buf_printf(&y, "    notify:\n      webhook:\n        url: http://127.0.0.1:%d/vigil\n"
                      "        secret_env: VIGIL_PIPELINE_TEST_SECRET\n",
                  port);
    vg_buf_puts(&y, at + strlen(anchor));
    vg_buf_puts(&y, "  webhook: {retries: 1, backoff_ms: 10}\n  timeout_seconds: 5\n");
    assert_int_equal(vg_file_write(cfg, y.p, y.n, NULL), VG_OK);
    vg_buf_free(&y);
    free(base);
    setenv("VIGIL_PIPELINE_TEST_SECRET", "pipeline-secret", 1);

    /* Zenith has two notices: the extra file is a campaign of its own. */
    const char *day1[] = {fx("findings-day1.jsonl"), fx("findings-zenith-extra.jsonl")};
    vg_scan_summary s;
    assert_int_equal(run(db, out, cfg, day1, 2, false, &s), VG_OK);
    assert_int_equal(s.campaigns, 2);
    /* The first delivery fails after its retry; the second is not even tried
     * (the endpoint is down) but kept for the next run. */
    assert_int_equal(s.deliveries_failed, 1);
    assert_int_equal(s.deliveries_ok, 4); /* the outboxes */
    bool reported = false, deferred = false;
    for (size_t i = 0; i < s.problems.n; i++) {
        if (strstr(s.problems.v[i], "zenith") && strstr(s.problems.v[i], "webhook"))
            reported = true;
        if (strstr(s.problems.v[i], "zenith webhook: 1 more deliveries deferred"))
            deferred = true;
    }
    assert_true(reported);
    assert_true(deferred);
    vg_scan_summary_free(&s);
    char *sum = read_all(strcat(strcpy((char[600]){0}, out), "/summary.json"));
    assert_non_null(strstr(sum, "\"state\":\"failed\""));
    free(sum);

    /* The receiver comes up; `vigil notify` delivers what failed, once. */
    recv_t rv = {0};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL,
                                            NULL, on_req, &rv, MHD_OPTION_SOCK_ADDR, &a,
                                            MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                                            MHD_OPTION_END);
    assert_non_null(d);
    vg_scan_opts no = VG_SCAN_OPTS_INIT;
    no.db_path = db;
    no.out_dir = out;
    vg_error e = {0};
    assert_int_equal(vg_pipeline_notify(&no, &s, &e), VG_OK);
    assert_int_equal(s.deliveries_ok, 2);
    assert_int_equal(s.deliveries_failed, 0);
    vg_scan_summary_free(&s);
    assert_int_equal(rv.requests, 2);
    assert_int_equal(rv.good, 2);
    /* Delivered means delivered: neither notify nor scan sends it again. */
    assert_int_equal(vg_pipeline_notify(&no, &s, &e), VG_OK);
    vg_scan_summary_free(&s);
    assert_int_equal(run(db, out, cfg, day1, 2, false, &s), VG_OK);
    vg_scan_summary_free(&s);
    assert_int_equal(rv.requests, 2);
    MHD_stop_daemon(d);
    sum = read_all(strcat(strcpy((char[600]){0}, out), "/summary.json"));
    assert_null(strstr(sum, "\"state\":\"failed\""));
    free(sum);
    /* The store kept the whole story: two attempts over two runs. */
    vg_store *st = NULL;
    assert_int_equal(vg_store_open(db, &st, NULL), VG_OK);
    char *dump = NULL;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_store_dump(st, &b, NULL);
    dump = vg_buf_steal(&b);
    /* Zenith's webhook rows: both delivered, 2 + 1 tries for the first, 1 for the deferred. */
    int attempts = 0, rows = 0;
    for (const char *row = strstr(dump, "deliveries\torg=zenith"); row;
         row = strstr(row + 1, "deliveries\torg=zenith")) {
        const char *eol = strchr(row, '\n');
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)(eol - row), row);
        if (!strstr(line, "channel=webhook"))
            continue;
        rows++;
        assert_non_null(strstr(line, "state=delivered"));
        const char *num = strstr(line, "attempts=");
        assert_non_null(num);
        attempts += atoi(num + 9);
    }
    assert_int_equal(rows, 2);
    assert_int_equal(attempts, 4);
    free(dump);
    vg_store_close(st);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    char db[512], out[512], junk[512], bad[512];
    snprintf(db, sizeof db, "%s/c.db", tmp);
    snprintf(out, sizeof out, "%s/c-out", tmp);
    snprintf(junk, sizeof junk, "%s/junk.bin", tmp);
    snprintf(bad, sizeof bad, "%s/bad.jsonl", tmp);
    assert_int_equal(vg_file_write(junk, "\x00\x01\x02 nothing", 11, NULL), VG_OK);
    char *day1 = read_all(fx("findings-day1.jsonl"));
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, day1);
    vg_buf_puts(&b, "{\"schema\":1,\"id\":\"broken\n{not json}\n");
    assert_int_equal(vg_file_write(bad, b.p, b.n, NULL), VG_OK);
    vg_buf_free(&b);
    free(day1);
    const char *in[] = {junk, bad, "/nonexistent/vigil/input"};
    vg_scan_summary s;
    assert_int_equal(run(db, out, fx("config.yaml"), in, 3, false, &s), VG_OK);
    assert_int_equal(s.inputs_unknown, 1);
    assert_int_equal(s.inputs_failed, 1);
    assert_int_equal(s.records_rejected, 2);
    assert_int_equal(s.notifications_new, 3); /* the good lines still count */
    assert_true(s.problems.n >= 2);
    vg_scan_summary_free(&s);

    /* A broken config is an error naming the file and line. */
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/broken.yaml", tmp);
    const char *broken = "organizations:\n  - id: Not Valid\n";
    assert_int_equal(vg_file_write(cfg, broken, strlen(broken), NULL), VG_OK);
    vg_scan_opts o = VG_SCAN_OPTS_INIT;
    o.config_path = cfg;
    o.db_path = db;
    o.out_dir = out;
    vg_error e = {0};
    assert_int_not_equal(vg_pipeline_run(&o, &s, &e), VG_OK);
    if (!strstr(e.msg, "broken.yaml:2"))
        fail_msg("%s", e.msg);
    vg_scan_summary_free(&s);
    /* A suppression without owner is refused. */
    const char *sp[] = {"kind=cred.spray,reason=x,expires=2999-01-01"};
    o.config_path = fx("config.yaml");
    o.suppress = sp;
    o.n_suppress = 1;
    assert_int_equal(vg_pipeline_run(&o, &s, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "owner"));
    vg_scan_summary_free(&s);
}

/* ---- the config's actors: list (vigil intel report --apply) --------------------------------- */

static char *read_stream(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *p = vg_xcalloc(1, (size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    return p;
}

static void test_config_actors(void **state)
{
    (void)state;
    char cfg[512], db[512], out[512];
    snprintf(cfg, sizeof cfg, "%s/actors.yaml", tmp);
    snprintf(db, sizeof db, "%s/d.db", tmp);
    snprintf(out, sizeof out, "%s/d-out", tmp);
    char *base = read_all(fx("config.yaml"));
    assert_non_null(base);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, base);
    free(base);
    size_t line = 1;
    for (size_t i = 0; i < b.n; i++)
        line += b.p[i] == '\n';
    vg_buf_puts(&b, "actors:\n"
                    "  - {name: Fancy Bear, techniques: [T1133]}\n"   /* line + 1 */
                    "  - {name: Nobody Panda, techniques: [T1078]}\n" /* line + 2 */
                    "  - {name: ZINC, techniques: [T1566.002, not-an-id]}\n"
                    "  - just a string\n");
    assert_int_equal(vg_file_write(cfg, b.p, b.n, NULL), VG_OK);
    vg_buf_free(&b);

    FILE *log = tmpfile();
    assert_non_null(log);
    vg_log_set_level(VG_LOG_WARN);
    vg_log_set_stream(log);

    /* What the pipeline does with the catalog it builds. */
    vg_error e = {0};
    vg_yaml_doc *doc = vg_yaml_load_file(cfg, &e);
    assert_non_null(doc);
    vg_catalog *c = vg_catalog_new();
    assert_int_equal(vg_catalog_load_builtin(c, &e), VG_OK);
    size_t actors = vg_catalog_count(c);
    assert_false(vg_actor_has_technique(vg_catalog_find(c, "STRONTIUM"), "T1133"));
    assert_int_equal(vg_stream_apply_actors(c, vg_yaml_root(doc), cfg), 3);
    assert_true(vg_actor_has_technique(vg_catalog_find(c, "STRONTIUM"), "T1133"));
    assert_true(vg_actor_has_technique(vg_catalog_find(c, "ZINC"), "T1566.002"));
    assert_false(vg_actor_has_technique(vg_catalog_find(c, "ZINC"), "T1133"));
    assert_null(vg_catalog_find(c, "Nobody Panda")); /* never created */
    assert_int_equal(vg_catalog_count(c), actors);
    vg_catalog_free(c);
    vg_yaml_free(doc);
    char *w = read_stream(log);
    char want[700];
    snprintf(want, sizeof want, "%s:%zu: actors: unknown actor 'Nobody Panda'", cfg, line + 2);
    if (!strstr(w, want))
        fail_msg("want \"%s\" in:\n%s", want, w);
    snprintf(want, sizeof want, "%s:%zu: actors:", cfg, line + 3);
    assert_non_null(strstr(w, want));
    assert_non_null(strstr(w, "not-an-id"));
    free(w);

    /* The pipeline takes the key (no "unknown key") and applies it. */
    rewind(log);
    assert_int_equal(ftruncate(fileno(log), 0), 0);
    const char *day1[] = {fx("findings-day1.jsonl")};
    vg_scan_summary s;
    assert_int_equal(run(db, out, cfg, day1, 1, false, &s), VG_OK);
    assert_int_equal(s.n_actors, 1);
    assert_string_equal(s.actors[0].actor, "STRONTIUM");
    vg_scan_summary_free(&s);
    w = read_stream(log);
    assert_null(strstr(w, "unknown key 'actors'"));
    assert_non_null(strstr(w, "unknown actor 'Nobody Panda'"));
    free(w);
    vg_log_set_stream(NULL);
    vg_log_set_level(VG_LOG_ERROR);
    fclose(log);
}

int main(void)
{
    const char *t = vg_test_tmpdir();
    if (!t)
        return 1;
    snprintf(tmp, sizeof tmp, "%s", t);
    vg_log_set_level(VG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idempotent_and_update),
        cmocka_unit_test(test_failed_delivery_retried),
        cmocka_unit_test(test_config_actors),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
