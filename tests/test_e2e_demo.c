/* test_e2e_demo.c — `vigil demo` end to end, judged against the scenario's own
 * truth.json: three campaigns with the right actors, the seven targeted
 * organizations notified and the control not, every compromised account
 * named in its organization's notification, no finding on a benign trap,
 * and a second run over the same directory sends nothing new. Twice, with two
 * seeds, so nothing depends on one random draw.
 *
 * Reads what the pipeline left: DIR/vigil.db (findings, campaigns,
 * notifications, deliveries; the store's schema) and DIR/outbox/<org>/.
 * Skips (77) while `vigil demo --help` says the pipeline is not available. */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "testutil.h"

static int failures;
/* Every failed check is counted; the first 60 are printed. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (failures++ < 60) {                                                                 \
                fprintf(stderr, "FAIL: " __VA_ARGS__);                                             \
                fputc('\n', stderr);                                                               \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static bool str_in(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) &&
                                      strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* All bytes under dir (recursively), for "is this name in the notification". */
static void slurp_tree(const char *dir, vg_buf *into, json_t *hashes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            slurp_tree(path, into, hashes);
            continue;
        }
        char *data = NULL;
        size_t n = 0;
        if (vg_file_read(path, 0, &data, &n, NULL) == VG_OK) {
            vg_buf_append(into, data, n);
            vg_buf_putc(into, '\n');
            if (hashes) {
                uint8_t h[32];
                char hex[65];
                vg_sha256_digest(data, n, h);
                vg_hex(h, 32, hex);
                json_object_set_new(hashes, path, json_string(hex));
            }
            free(data);
        }
    }
    closedir(d);
}

static json_t *query(sqlite3 *db, const char *sql)
{
    json_t *rows = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sql: %s: %s\n", sql, sqlite3_errmsg(db));
        failures++;
        return rows;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *row = json_array();
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            json_array_append_new(row, json_string(t ? (const char *)t : ""));
        }
        json_array_append_new(rows, row);
    }
    sqlite3_finalize(st);
    return rows;
}

static const char *cell(json_t *row, size_t i)
{
    return json_string_value(json_array_get(row, i));
}

static int run_demo(const char *dir, unsigned seed, int days, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' demo --out '%s' --seed %u --days %d 2>&1", vg_test_vigil(), dir,
             seed, days);
    return vg_test_run(cmd, out);
}

/* Allowed: a finding of a kind the trap legitimately produces (a stale
 * credential), touching only that trap's accounts/addresses. */
static bool allowed_by_trap(json_t *truth, const char *kind, const char *ip_or_account)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(truth, "benign"), i,
                       b) if (str_in(json_object_get(b, "allowed_findings"), kind) &&
                              (str_in(json_object_get(b, "ips"), ip_or_account) ||
                               str_in(json_object_get(b, "accounts"), ip_or_account))) return true;
    return false;
}

static void check_findings(json_t *truth, sqlite3 *db, const char *control)
{
    json_t *benign_ips = json_object_get(truth, "benign_ips");
    json_t *compromised = json_array();
    json_t *benign_msgs = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(truth, "compromised"), i, c)
        json_array_append(compromised, json_object_get(c, "account"));
    json_array_foreach(json_object_get(truth, "messages"), i,
                       c) if (json_is_null(json_object_get(c, "actor")))
    {
        json_array_append(benign_msgs, json_object_get(c, "message_id"));
        json_array_append(benign_msgs, json_object_get(c, "sha256"));
    }
    json_t *rows = query(db, "SELECT id, kind, org, body FROM findings ORDER BY id");
    CHECK(json_array_size(rows) > 0, "no findings at all");
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *id = cell(row, 0), *kind = cell(row, 1), *org = cell(row, 2);
        json_t *f = json_loads(cell(row, 3), 0, NULL);
        CHECK(f != NULL, "finding %s: body is not JSON", id);
        if (!f)
            continue;
        json_t *ips = json_array();
        json_t *ent = json_object_get(f, "entities"), *roles = json_object_get(f, "roles");
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(ent, "ips"), k, v) json_array_append(ips, v);
        json_array_foreach(json_object_get(roles, "attacker_ips"), k, v) json_array_append(ips, v);
        json_array_foreach(ips, k, v)
        {
            const char *ip = json_string_value(v);
            if (str_in(benign_ips, ip) && !allowed_by_trap(truth, kind, ip))
                CHECK(0, "finding %s (%s, %s) names the benign address %s", id, kind, org, ip);
        }
        json_array_foreach(json_object_get(roles, "compromised"), k, v)
            CHECK(str_in(compromised, json_string_value(v)),
                  "finding %s (%s, %s) calls %s compromised; truth does not", id, kind, org,
                  json_string_value(v));
        json_array_foreach(json_object_get(ent, "messages"), k, v) CHECK(
            !str_in(benign_msgs, json_string_value(v)),
            "finding %s (%s, %s) is about benign message %s", id, kind, org, json_string_value(v));
        if (strcmp(org, control) == 0) {
            bool ok = false;
            json_array_foreach(json_object_get(ent, "accounts"), k, v) ok |=
                allowed_by_trap(truth, kind, json_string_value(v));
            CHECK(ok, "finding %s (%s) on the untargeted control organization %s", id, kind, org);
        }
        /* a trap's legitimate finding is never attributed */
        json_t *attr = json_object_get(f, "attribution");
        const char *actor = json_string_value(json_object_get(attr, "actor"));
        if (actor && *actor && strcmp(kind, "cred.stale_credentials") == 0)
            CHECK(0, "finding %s: stale credentials attributed to %s", id, actor);
        json_decref(ips);
        json_decref(f);
    }
    json_decref(rows);
    json_decref(compromised);
    json_decref(benign_msgs);
}

static void one_seed(unsigned seed, int days)
{
    const char *t = vg_test_tmpdir();
    assert_non_null(t);
    char *dir = vg_xstrdup(t);
    char *out = NULL;
    int64_t t0 = vg_now_ms();
    int rc = run_demo(dir, seed, days, &out);
    double secs = (double)(vg_now_ms() - t0) / 1000.0;
    fprintf(stderr, "--- vigil demo --seed %u --days %d: exit %d, %.1f s\n%s", seed, days, rc, secs,
            out ? out : "");
    CHECK(rc == 0 || rc == 1, "vigil demo exited %d", rc);
    free(out);

    char path[4096];
    snprintf(path, sizeof path, "%s/truth.json", dir);
    json_error_t je;
    json_t *truth = json_load_file(path, 0, &je);
    assert_non_null(truth);
    const char *control = json_string_value(json_object_get(truth, "control_org"));
    snprintf(path, sizeof path, "%s/vigil.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);

    /* three campaigns, the right actors, never the control */
    json_t *camps = query(db, "SELECT c.actor, m.org FROM campaigns c JOIN campaign_members m "
                              "ON m.campaign_id = c.id GROUP BY c.actor, m.org ORDER BY 1, 2");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(truth, "actors"), i, a)
    {
        const char *name = json_string_value(json_object_get(a, "name"));
        json_t *torgs = json_object_get(a, "organizations");
        size_t hit = 0, k;
        json_t *row;
        json_array_foreach(camps, k, row) if (strcmp(cell(row, 0), name) == 0)
        {
            CHECK(str_in(torgs, cell(row, 1)), "%s campaign includes %s, which %s never touched",
                  name, cell(row, 1), name);
            hit += str_in(torgs, cell(row, 1));
        }
        CHECK(hit > 0, "no %s campaign", name);
        fprintf(stderr, "    %s: campaign covers %zu of %zu targeted organizations\n", name, hit,
                json_array_size(torgs));
    }
    json_t *row;
    json_array_foreach(camps, i, row)
    {
        const char *actor = cell(row, 0);
        CHECK(!*actor || strcmp(actor, "STRONTIUM") == 0 || strcmp(actor, "ZINC") == 0 ||
                  strcmp(actor, "CERIUM") == 0,
              "campaign attributed to %s, who is not in this scenario", actor);
        CHECK(strcmp(cell(row, 1), control) != 0, "the control organization %s is in a %s campaign",
              control, *actor ? actor : "unattributed");
    }
    json_decref(camps);

    /* the seven targeted organizations notified, the control not; every
     * compromised account named in its organization's notification */
    json_t *o;
    json_array_foreach(json_object_get(truth, "organizations"), i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        bool targeted = json_is_true(json_object_get(o, "targeted"));
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM deliveries WHERE org = '%s' AND state = 'delivered'", id);
        json_t *n = query(db, sql);
        long delivered = atol(cell(json_array_get(n, 0), 0));
        json_decref(n);
        if (targeted)
            CHECK(delivered > 0, "targeted organization %s was not notified", id);
        else
            CHECK(delivered == 0, "control organization %s was notified", id);
    }
    json_t *c;
    json_array_foreach(json_object_get(truth, "compromised"), i, c)
    {
        const char *org = json_string_value(json_object_get(c, "org"));
        const char *acct = json_string_value(json_object_get(c, "account"));
        snprintf(path, sizeof path, "%s/outbox/%s", dir, org);
        vg_buf all;
        vg_buf_init(&all, 0);
        slurp_tree(path, &all, NULL);
        CHECK(all.n && strstr(all.p, acct),
              "%s's notification does not name the compromised account %s (%s, %s)", org, acct,
              json_string_value(json_object_get(c, "actor")),
              json_string_value(json_object_get(c, "outcome")));
        vg_buf_free(&all);
    }
    check_findings(truth, db, control);
    json_t *before = query(
        db, "SELECT org, campaign_id, version, content_hash FROM notifications ORDER BY 1, 2, 3");
    json_t *dbefore = query(
        db, "SELECT org, campaign_id, version, channel, state FROM deliveries ORDER BY 1, 2, 3, 4");
    sqlite3_close(db);
    snprintf(path, sizeof path, "%s/outbox", dir);
    json_t *files1 = json_object();
    vg_buf tmp;
    vg_buf_init(&tmp, 0);
    slurp_tree(path, &tmp, files1);

    /* a second run over the same directory sends nothing new */
    rc = run_demo(dir, seed, days, &out);
    CHECK(rc == 0 || rc == 1, "second vigil demo exited %d", rc);
    free(out);
    snprintf(path, sizeof path, "%s/vigil.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    json_t *after = query(
        db, "SELECT org, campaign_id, version, content_hash FROM notifications ORDER BY 1, 2, 3");
    json_t *dafter = query(
        db, "SELECT org, campaign_id, version, channel, state FROM deliveries ORDER BY 1, 2, 3, 4");
    sqlite3_close(db);
    CHECK(json_equal(before, after), "the second run changed the notifications (%zu -> %zu)",
          json_array_size(before), json_array_size(after));
    CHECK(json_equal(dbefore, dafter), "the second run changed the deliveries");
    snprintf(path, sizeof path, "%s/outbox", dir);
    json_t *files2 = json_object();
    vg_buf_reset(&tmp);
    slurp_tree(path, &tmp, files2);
    CHECK(json_equal(files1, files2), "the second run changed the outbox (%zu -> %zu files)",
          json_object_size(files1), json_object_size(files2));
    vg_buf_free(&tmp);
    json_decref(files1);
    json_decref(files2);
    json_decref(before);
    json_decref(after);
    json_decref(dbefore);
    json_decref(dafter);
    json_decref(truth);
    if (!getenv("VIGIL_KEEP_DEMO"))
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf(stderr, "    kept %s\n", dir);
    free(dir);
}

static void test_seed_default(void **state)
{
    (void)state;
    failures = 0;
    one_seed(20201113u, 14); /* what `make demo` runs */
    if (failures)
        fprintf(stderr, "%d failed checks in all\n", failures);
    assert_int_equal(failures, 0);
}

static void test_seed_second(void **state)
{
    (void)state;
    failures = 0;
    one_seed(7u, 7); /* another draw, a shorter window */
    if (failures)
        fprintf(stderr, "%d failed checks in all\n", failures);
    assert_int_equal(failures, 0);
}

int main(void)
{
    /* Until `vigil demo` runs the scan pipeline, there is nothing to judge. */
    char cmd[4096], *help = NULL;
    snprintf(cmd, sizeof cmd, "'%s' demo --help", vg_test_vigil());
    if (vg_test_run(cmd, &help) != 0 || !help || strstr(help, "not available in this build")) {
        fprintf(stderr, "SKIP: vigil demo cannot run the pipeline in this build\n");
        free(help);
        return VG_TEST_SKIP;
    }
    free(help);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_default),
        cmocka_unit_test(test_seed_second),
    };
    return cmocka_run_group_tests_name("vigil demo end to end", tests, NULL, NULL);
}
