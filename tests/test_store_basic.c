/* test_store_basic.c — the SQLite store: idempotent upserts with revision
 * semantics, entities, suppressions, campaigns and members, notification
 * versions and delivery states, ingest offsets, baselines, imported intel
 * files, the dump, and migration of databases written by schema versions 1
 * and 2. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/store.h"

static char dbdir[256];

static const char *db_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dbdir, name);
    return p;
}

static vg_finding *mk(const char *key, const char *org, int rev)
{
    vg_finding *f = vg_finding_new("cred.spray", org);
    vg_finding_set_id(f, key, 1605261600000LL, 3600000);
    f->revision = rev;
    f->first_seen = 1605261600000LL;
    f->last_seen = 1605265200000LL;
    f->severity = VG_SEV_HIGH;
    f->score = 80;
    f->outcome = VG_OUT_BLOCKED;
    vg_strlist_add(&f->attack, "T1110.003");
    vg_strlist_add(&f->entities.accounts, "alice@helix.example");
    vg_strlist_add(&f->entities.accounts, "bob@helix.example");
    vg_strlist_add(&f->roles.attacker_ips, "198.51.100.7");
    vg_strlist_add(&f->entities.ips, "198.51.100.7");
    vg_strlist_add(&f->reasons, "42 accounts tried from one address within an hour");
    f->counts.attempts = 42;
    f->counts.accounts = 2;
    vg_finding_normalize(f);
    return f;
}

static char *dump(vg_store *s)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    assert_int_equal(vg_store_dump(s, &b, NULL), VG_OK);
    return vg_buf_steal(&b);
}

static void test_open_new(void **state)
{
    (void)state;
    vg_store *s = NULL;
    vg_error e = {0};
    assert_int_equal(vg_store_open(db_path("new.db"), &s, &e), VG_OK);
    assert_int_equal(vg_store_opened_version(s), 0);
    assert_int_equal(vg_store_schema_version(s), VG_STORE_SCHEMA_VERSION);
    vg_store_close(s);
    /* Reopen: nothing to migrate. */
    assert_int_equal(vg_store_open(db_path("new.db"), &s, &e), VG_OK);
    assert_int_equal(vg_store_opened_version(s), VG_STORE_SCHEMA_VERSION);
    vg_store_close(s);
    /* WAL mode is persistent in the file. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path("new.db"), &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_finding_upsert(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    vg_finding *f = mk("198.51.100.7", "helix", 1);
    vg_store_change chg;
    assert_int_equal(vg_store_put_finding(s, f, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    char *d1 = dump(s);
    /* The same finding again: nothing written. */
    assert_int_equal(vg_store_put_finding(s, f, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    char *d2 = dump(s);
    assert_string_equal(d1, d2);
    /* A clone (different memory, same facts) is the same. */
    vg_finding *c = vg_finding_clone(f);
    assert_int_equal(vg_store_put_finding(s, c, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    vg_finding_free(c);

    /* A higher revision replaces it. */
    vg_finding *f2 = mk("198.51.100.7", "helix", 2);
    vg_strlist_add(&f2->entities.accounts, "carol@helix.example");
    f2->counts.attempts = 50;
    vg_finding_normalize(f2);
    assert_string_equal(f->id, f2->id);
    assert_int_equal(vg_store_put_finding(s, f2, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UPDATED);
    /* The older revision arriving late is stale: the newer stays. */
    assert_int_equal(vg_store_put_finding(s, f, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_STALE);
    vg_finding *got = NULL;
    assert_int_equal(vg_store_get_finding(s, f->id, &got, NULL), VG_OK);
    assert_int_equal(got->revision, 2);
    assert_int_equal(got->counts.attempts, 50);
    assert_true(vg_strlist_has(&got->entities.accounts, "carol@helix.example"));
    vg_finding_free(got);

    /* Same revision, new attribution: updated (attribution has no revision). */
    vg_finding *f3 = vg_finding_clone(f2);
    f3->attribution.actor = vg_xstrdup("STRONTIUM");
    f3->attribution.confidence = VG_CONF_MODERATE;
    assert_int_equal(vg_store_put_finding(s, f3, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UPDATED);

    /* Entities are indexed. */
    vg_strlist ids = {0};
    assert_int_equal(vg_store_findings_with(s, "account", "carol@helix.example", &ids, NULL), VG_OK);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], f->id);
    vg_strlist_free(&ids);
    assert_int_equal(vg_store_findings_with(s, "attacker_ip", "198.51.100.7", &ids, NULL), VG_OK);
    assert_int_equal(ids.n, 1);
    vg_strlist_free(&ids);
    assert_int_equal(vg_store_findings_with(s, "account", "nobody@x", &ids, NULL), VG_OK);
    assert_int_equal(ids.n, 0);

    /* Unknown id. */
    assert_int_equal(vg_store_get_finding(s, "f-0000000000000000", &got, NULL), VG_ENOTFOUND);
    /* No id: refused. */
    vg_finding *noid = vg_finding_new("cred.spray", "helix");
    assert_int_equal(vg_store_put_finding(s, noid, &chg, NULL), VG_EINVAL);
    vg_finding_free(noid);

    vg_finding_free(f);
    vg_finding_free(f2);
    vg_finding_free(f3);
    free(d1);
    free(d2);
    vg_store_close(s);
}

static void test_suppression_and_query(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    vg_finding *a = mk("a", "helix", 1), *b = mk("b", "helix", 1), *c = mk("c", "zenith", 1);
    strcpy(b->kind, "cred.stale_credentials");
    assert_int_equal(vg_store_put_finding(s, a, NULL, NULL), VG_OK);
    assert_int_equal(vg_store_put_finding(s, b, NULL, NULL), VG_OK);
    assert_int_equal(vg_store_put_finding(s, c, NULL, NULL), VG_OK);

    vg_store_suppression x = {.id = "s-1",
                              .pattern_json = "{\"kind\":\"cred.stale_credentials\"}",
                              .owner = "alice",
                              .reason = "OPS-1234",
                              .expires_ms = 0,
                              .source = "config"};
    vg_store_change chg;
    assert_int_equal(vg_store_put_suppression(s, &x, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    assert_int_equal(vg_store_put_suppression(s, &x, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    assert_int_equal(vg_store_set_suppressed(s, b->id, "s-1", NULL), VG_OK);
    char *by = vg_store_suppressed_by(s, b->id);
    assert_non_null(by);
    assert_string_equal(by, "s-1");
    free(by);
    assert_null(vg_store_suppressed_by(s, a->id));

    vg_findings l = {0};
    assert_int_equal(vg_store_load_findings(s, NULL, &l, NULL), VG_OK);
    assert_int_equal(l.n, 2); /* the suppressed one is left out, but kept */
    vg_findings_free(&l);
    vg_store_query q = {.org = "helix", .include_suppressed = true};
    assert_int_equal(vg_store_load_findings(s, &q, &l, NULL), VG_OK);
    assert_int_equal(l.n, 2);
    size_t marked = 0;
    for (size_t i = 0; i < l.n; i++)
        marked += l.v[i]->suppressed;
    assert_int_equal(marked, 1);
    vg_findings_free(&l);
    q = (vg_store_query){.kind_prefix = "cred.spray"};
    assert_int_equal(vg_store_load_findings(s, &q, &l, NULL), VG_OK);
    assert_int_equal(l.n, 2);
    vg_findings_free(&l);

    vg_store_stats st;
    assert_int_equal(vg_store_stats_get(s, &st, NULL), VG_OK);
    assert_int_equal(st.findings, 3);
    assert_int_equal(st.suppressed, 1);
    assert_int_equal(st.suppressions, 1);

    /* The suppression leaves the config: the finding is unmarked. */
    vg_strlist keep = {0};
    assert_int_equal(vg_store_retain_suppressions(s, "config", &keep, NULL), VG_OK);
    assert_null(vg_store_suppressed_by(s, b->id));
    assert_int_equal(vg_store_stats_get(s, &st, NULL), VG_OK);
    assert_int_equal(st.suppressions, 0);

    vg_finding_free(a);
    vg_finding_free(b);
    vg_finding_free(c);
    vg_store_close(s);
}

static void test_campaigns(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    vg_store_campaign c = {.id = "c-0123456789abcdef",
                           .actor = "STRONTIUM",
                           .first_seen = 1,
                           .last_seen = 2,
                           .body_json = "{\"id\":\"c-0123456789abcdef\"}"};
    vg_store_member m[] = {{"f-bbbb000000000000", "zenith"}, {"f-aaaa000000000000", "helix"}};
    vg_store_change chg;
    assert_int_equal(vg_store_put_campaign(s, &c, m, 2, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    /* Same members in another order: unchanged. */
    vg_store_member m2[] = {m[1], m[0]};
    assert_int_equal(vg_store_put_campaign(s, &c, m2, 2, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    vg_strlist ids = {0};
    assert_int_equal(vg_store_campaign_members(s, c.id, NULL, &ids, NULL), VG_OK);
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.v[0], "f-aaaa000000000000");
    vg_strlist_free(&ids);
    assert_int_equal(vg_store_campaign_members(s, c.id, "zenith", &ids, NULL), VG_OK);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], "f-bbbb000000000000");
    vg_strlist_free(&ids);
    /* A new member: updated. */
    vg_store_member m3[] = {m[0], m[1], {"f-cccc000000000000", "helix"}};
    assert_int_equal(vg_store_put_campaign(s, &c, m3, 3, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UPDATED);
    /* Retaining nothing removes it and its members. */
    vg_strlist keep = {0};
    size_t removed = 0;
    assert_int_equal(vg_store_retain_campaigns(s, &keep, &removed, NULL), VG_OK);
    assert_int_equal(removed, 1);
    vg_store_stats st;
    assert_int_equal(vg_store_stats_get(s, &st, NULL), VG_OK);
    assert_int_equal(st.campaigns, 0);
    assert_int_equal(st.members, 0);
    vg_store_close(s);
}

/* ---- walking rows: order, early stop, callbacks that use the store ---- */

typedef struct walk {
    vg_store *s;
    int seen, stop_at;
    char ids[8][32];
} walk;

static int org_walk(const vg_store_org *o, void *ud)
{
    walk *w = ud;
    snprintf(w->ids[w->seen], sizeof w->ids[0], "%s", o->id);
    return ++w->seen == w->stop_at ? 7 : 0;
}

static int campaign_walk(const vg_store_campaign *c, void *ud)
{
    walk *w = ud;
    /* the store is used from the callback: campaigns are collected first */
    vg_strlist ids = {0};
    assert_int_equal(vg_store_campaign_members(w->s, c->id, NULL, &ids, NULL), VG_OK);
    assert_int_equal(ids.n, 1);
    vg_strlist_free(&ids);
    snprintf(w->ids[w->seen], sizeof w->ids[0], "%s", c->actor);
    return ++w->seen == w->stop_at ? 9 : 0;
}

static void test_each_walks(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    const char *orgs[] = {"zenith", "helix", "atlas"};
    for (int i = 0; i < 3; i++) {
        vg_store_org o = {.id = (char *)orgs[i], .country = "US", .sector = "pharma"};
        assert_int_equal(vg_store_put_org(s, &o, NULL, NULL), VG_OK);
    }
    walk w = {.s = s};
    assert_int_equal(vg_store_each_org(s, org_walk, &w, NULL), VG_OK);
    assert_int_equal(w.seen, 3);
    assert_string_equal(w.ids[0], "atlas"); /* by id */
    assert_string_equal(w.ids[2], "zenith");
    /* a non-zero return stops the walk and is returned */
    memset(&w, 0, sizeof w);
    w.stop_at = 2;
    assert_int_equal(vg_store_each_org(s, org_walk, &w, NULL), 7);
    assert_int_equal(w.seen, 2);
    /* the statement was reset: a new walk starts from the first row */
    memset(&w, 0, sizeof w);
    assert_int_equal(vg_store_each_org(s, org_walk, &w, NULL), VG_OK);
    assert_int_equal(w.seen, 3);
    const char *actors[] = {"STRONTIUM", "ZINC", "CERIUM"};
    for (int i = 0; i < 3; i++) {
        char id[32], fid[32];
        snprintf(id, sizeof id, "c-%016d", i);
        snprintf(fid, sizeof fid, "f-%016d", i);
        vg_store_campaign c = {.id = id, .actor = (char *)actors[i], .body_json = "{}"};
        vg_store_member m = {fid, "helix"};
        assert_int_equal(vg_store_put_campaign(s, &c, &m, 1, NULL, NULL), VG_OK);
    }
    memset(&w, 0, sizeof w);
    w.s = s;
    w.stop_at = 2;
    assert_int_equal(vg_store_each_campaign(s, campaign_walk, &w, NULL), 9);
    assert_int_equal(w.seen, 2);
    memset(&w, 0, sizeof w);
    w.s = s;
    assert_int_equal(vg_store_each_campaign(s, campaign_walk, &w, NULL), VG_OK);
    assert_int_equal(w.seen, 3);
    vg_store_close(s);
}

static int count_delivery(const vg_store_delivery *d, void *ud)
{
    (void)d;
    (*(int *)ud)++;
    return 0;
}

static void test_notifications(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    vg_store_notification n1 = {.org = "helix",
                                .campaign_id = "c-1",
                                .version = 1,
                                .content_hash = "h1",
                                .idempotency_key = "vg-k1",
                                .facts_json = "{}"};
    vg_store_notification got;
    assert_int_equal(vg_store_latest_notification(s, "helix", "c-1", &got, NULL), VG_ENOTFOUND);
    assert_int_equal(vg_store_add_notification(s, &n1, NULL), VG_OK);
    bool created;
    assert_int_equal(vg_store_ensure_delivery(s, "helix", "c-1", 1, "outbox", "/out", &created, NULL),
                     VG_OK);
    assert_true(created);
    assert_int_equal(vg_store_ensure_delivery(s, "helix", "c-1", 1, "outbox", "/out", &created, NULL),
                     VG_OK);
    assert_false(created);
    assert_int_equal(vg_store_ensure_delivery(s, "helix", "c-1", 1, "webhook", "https://x/", &created,
                                              NULL),
                     VG_OK);
    assert_int_equal(vg_store_record_delivery(s, "helix", "c-1", 1, "outbox", VG_DELIVERY_DELIVERED, 1,
                                              "", 12345, NULL),
                     VG_OK);
    assert_int_equal(vg_store_record_delivery(s, "helix", "c-1", 1, "webhook", VG_DELIVERY_FAILED, 4,
                                              "HTTP 500", 0, NULL),
                     VG_OK);
    vg_store_delivery d;
    assert_int_equal(vg_store_get_delivery(s, "helix", "c-1", 1, "webhook", &d, NULL), VG_OK);
    assert_int_equal(d.state, VG_DELIVERY_FAILED);
    assert_int_equal(d.attempts, 4);
    assert_string_equal(d.last_error, "HTTP 500");
    vg_store_delivery_clear(&d);
    int failed = 0;
    assert_int_equal(vg_store_each_delivery(s, 1u << VG_DELIVERY_FAILED, count_delivery, &failed, NULL),
                     VG_OK);
    assert_int_equal(failed, 1);
    /* An unknown delivery cannot be recorded. */
    assert_int_equal(vg_store_record_delivery(s, "helix", "c-1", 9, "outbox", VG_DELIVERY_DELIVERED, 1,
                                              "", 1, NULL),
                     VG_ENOTFOUND);

    /* Version 2 supersedes the failed webhook of version 1, not the delivered outbox. */
    vg_store_notification n2 = n1;
    n2.version = 2;
    n2.content_hash = "h2";
    n2.idempotency_key = "vg-k2";
    assert_int_equal(vg_store_add_notification(s, &n2, NULL), VG_OK);
    assert_int_equal(vg_store_get_delivery(s, "helix", "c-1", 1, "webhook", &d, NULL), VG_OK);
    assert_int_equal(d.state, VG_DELIVERY_SUPERSEDED);
    vg_store_delivery_clear(&d);
    assert_int_equal(vg_store_get_delivery(s, "helix", "c-1", 1, "outbox", &d, NULL), VG_OK);
    assert_int_equal(d.state, VG_DELIVERY_DELIVERED);
    assert_int_equal(d.delivered_ms, 12345);
    vg_store_delivery_clear(&d);
    assert_int_equal(vg_store_latest_notification(s, "helix", "c-1", &got, NULL), VG_OK);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.idempotency_key, "vg-k2");
    vg_store_notification_clear(&got);
    /* Idempotency keys are unique. */
    vg_store_notification dup = n1;
    dup.campaign_id = "c-2";
    assert_int_equal(vg_store_add_notification(s, &dup, NULL), VG_EIO);
    /* Same version twice: refused. */
    assert_int_equal(vg_store_add_notification(s, &n2, NULL), VG_EIO);
    vg_store_close(s);
}

static int blob_count(const char *key, const void *data, size_t n, int64_t ev, void *ud)
{
    (void)key;
    (void)data;
    (void)n;
    (void)ev;
    (*(int *)ud)++;
    return 0;
}

static void test_ingest_and_blobs(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    vg_store_ingest r = {.path = "/data/signins.json", .dev = 2049, .ino = 77, .size = 1000,
                         .mtime_ns = 123456789, .sha256 = "ab12", .kind = "signins",
                         .records = 10, .rejected = 1};
    vg_store_change chg;
    assert_int_equal(vg_store_put_ingest(s, &r, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    assert_int_equal(vg_store_put_ingest(s, &r, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    r.size = 2000;
    assert_int_equal(vg_store_put_ingest(s, &r, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UPDATED);
    vg_store_ingest g;
    assert_int_equal(vg_store_get_ingest(s, "/data/signins.json", &g, NULL), VG_OK);
    assert_int_equal(g.size, 2000);
    assert_int_equal(g.ino, 77);
    assert_string_equal(g.sha256, "ab12");
    vg_store_ingest_clear(&g);
    assert_int_equal(vg_store_get_ingest(s, "/nope", &g, NULL), VG_ENOTFOUND);

    const char blob[] = "\x00\x01binary\xff";
    assert_int_equal(vg_store_put_blob(s, "cred:helix:alice", blob, sizeof blob, 100, 500, &chg, NULL),
                     VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    assert_int_equal(vg_store_put_blob(s, "cred:helix:alice", blob, sizeof blob, 100, 500, &chg, NULL),
                     VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    assert_int_equal(vg_store_put_blob(s, "cred:zenith:bob", "x", 1, 100, 0, &chg, NULL), VG_OK);
    assert_int_equal(vg_store_put_blob(s, "settings:notify", "{}", 2, 0, 0, &chg, NULL), VG_OK);
    void *data;
    size_t n;
    int64_t ev;
    assert_int_equal(vg_store_get_blob(s, "cred:helix:alice", &data, &n, &ev, NULL), VG_OK);
    assert_int_equal(n, sizeof blob);
    assert_memory_equal(data, blob, n);
    assert_int_equal(ev, 100);
    free(data);
    int cnt = 0;
    assert_int_equal(vg_store_each_blob(s, "cred:", blob_count, &cnt, NULL), VG_OK);
    assert_int_equal(cnt, 2);
    size_t gone;
    assert_int_equal(vg_store_expire_blobs(s, 500, &gone, NULL), VG_OK);
    assert_int_equal(gone, 1); /* alice expired; bob and settings never expire */
    assert_int_equal(vg_store_get_blob(s, "cred:helix:alice", &data, &n, &ev, NULL), VG_ENOTFOUND);
    vg_store_close(s);
}

/* Schema version 1, frozen as it shipped: the migration must bring it forward. */
static const char V1[] =
    "CREATE TABLE organizations (id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL "
    "DEFAULT '', sector TEXT NOT NULL DEFAULT '', config TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE findings (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, kind TEXT NOT NULL, "
    "org TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, severity TEXT NOT "
    "NULL, score INTEGER NOT NULL, outcome TEXT NOT NULL, actor TEXT NOT NULL DEFAULT '', body TEXT "
    "NOT NULL, body_hash TEXT NOT NULL);"
    "CREATE INDEX findings_org ON findings(org, last_seen);"
    "CREATE TABLE entities (finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE, "
    "type TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (finding_id, type, value)) WITHOUT ROWID;"
    "CREATE INDEX entities_value ON entities(type, value);"
    "CREATE TABLE campaigns (id TEXT PRIMARY KEY, actor TEXT NOT NULL DEFAULT '', first_seen "
    "INTEGER NOT NULL, last_seen INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE TABLE campaign_members (campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE "
    "CASCADE, finding_id TEXT NOT NULL, org TEXT NOT NULL, PRIMARY KEY (campaign_id, finding_id)) "
    "WITHOUT ROWID;"
    "CREATE INDEX members_org ON campaign_members(org, campaign_id);"
    "CREATE TABLE notifications (org TEXT NOT NULL, campaign_id TEXT NOT NULL, version INTEGER NOT "
    "NULL, content_hash TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, facts TEXT NOT NULL, "
    "PRIMARY KEY (org, campaign_id, version)) WITHOUT ROWID;"
    "CREATE TABLE deliveries (org TEXT NOT NULL, campaign_id TEXT NOT NULL, version INTEGER NOT "
    "NULL, channel TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN "
    "('pending','delivered','failed','superseded')), attempts INTEGER NOT NULL DEFAULT 0, target "
    "TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '', delivered_ms INTEGER NOT NULL "
    "DEFAULT 0, PRIMARY KEY (org, campaign_id, version, channel), FOREIGN KEY (org, campaign_id, "
    "version) REFERENCES notifications(org, campaign_id, version) ON DELETE CASCADE) WITHOUT ROWID;"
    "CREATE INDEX deliveries_state ON deliveries(state);"
    "CREATE TABLE ingest (path TEXT PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL, size "
    "INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL, records "
    "INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0);"
    "PRAGMA user_version = 1;";

static void test_migrate_v1(void **state)
{
    (void)state;
    /* A finding written by a v1 build. */
    vg_finding *f = mk("legacy", "helix", 3);
    char *body = vg_finding_to_json(f);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path("v1.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V1, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO findings VALUES (?1, 3, 'cred.spray', 'helix', "
                                        "1, 2, 'high', 80, 'blocked', '', ?2, 'oldhash')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO notifications VALUES ('helix','c-1',1,'h','vg-k','{}');"
                                  "INSERT INTO deliveries (org, campaign_id, version, channel, state) "
                                  "VALUES ('helix','c-1',1,'outbox','pending');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    vg_store *s = NULL;
    vg_error e = {0};
    assert_int_equal(vg_store_open(db_path("v1.db"), &s, &e), VG_OK);
    assert_int_equal(vg_store_opened_version(s), 1);
    assert_int_equal(vg_store_schema_version(s), VG_STORE_SCHEMA_VERSION);
    /* Old rows survive and read back. */
    vg_finding *got = NULL;
    assert_int_equal(vg_store_get_finding(s, f->id, &got, NULL), VG_OK);
    assert_int_equal(got->revision, 3);
    assert_false(got->suppressed);
    vg_finding_free(got);
    vg_store_delivery d;
    assert_int_equal(vg_store_get_delivery(s, "helix", "c-1", 1, "outbox", &d, NULL), VG_OK);
    assert_int_equal(d.state, VG_DELIVERY_PENDING);
    vg_store_delivery_clear(&d);
    /* New tables and columns work. */
    assert_int_equal(vg_store_set_suppressed(s, f->id, "s-x", NULL), VG_OK);
    char *by = vg_store_suppressed_by(s, f->id);
    assert_string_equal(by, "s-x");
    free(by);
    assert_int_equal(vg_store_put_blob(s, "k", "v", 1, 0, 0, NULL, NULL), VG_OK);
    /* The old body hash differs from ours: re-putting the same revision
     * rewrites it once, then it is stable. */
    vg_store_change chg;
    assert_int_equal(vg_store_put_finding(s, f, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UPDATED);
    assert_int_equal(vg_store_put_finding(s, f, &chg, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    vg_store_close(s);

    /* A database from a newer vigil is refused, untouched. */
    assert_int_equal(sqlite3_open(db_path("future.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vg_store_open(db_path("future.db"), &s, &e), VG_EUNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(e.msg, "newer"));
    free(body);
    vg_finding_free(f);
}

typedef struct intel_seen {
    char names[4][32];
    size_t sizes[4];
    bool content[4];
    int n;
} intel_seen;

static int intel_cb(const vg_store_intel *x, void *ud)
{
    intel_seen *v = ud;
    if (v->n < 4) {
        snprintf(v->names[v->n], sizeof v->names[0], "%s", x->name);
        v->sizes[v->n] = x->size;
        v->content[v->n] = x->content != NULL;
        v->n++;
    }
    return 0;
}

static void test_intel_files(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    static const char list[] = "198.51.100.7 STRONTIUM\n";
    static const char bundle[] = "{\"type\": \"bundle\", \"objects\": []}";
    vg_store_intel a = {.name = "zz-list.txt", .kind = "indicators", .records = 1,
                        .imported_ms = 1000, .content = (void *)list, .size = strlen(list)};
    vg_store_change chg;
    char sha[65];
    assert_int_equal(vg_store_add_intel(s, &a, &chg, sha, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    assert_int_equal(strlen(sha), 64);
    char *d1 = dump(s);
    /* Same content under another name and time: nothing changes. */
    vg_store_intel again = a;
    again.name = "copy.txt";
    again.imported_ms = 2000;
    char sha2[65];
    assert_int_equal(vg_store_add_intel(s, &again, &chg, sha2, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_UNCHANGED);
    assert_string_equal(sha, sha2);
    char *d2 = dump(s);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    /* Another file, and a bad kind. */
    vg_store_intel b = {.name = "apt.stix.json", .kind = "names", .records = 3,
                        .imported_ms = 3000, .content = (void *)bundle, .size = strlen(bundle)};
    assert_int_equal(vg_store_add_intel(s, &b, &chg, NULL, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    vg_store_intel bad = b;
    bad.kind = "misc";
    bad.content = "other";
    bad.size = 5;
    vg_error e = {0};
    assert_int_equal(vg_store_add_intel(s, &bad, &chg, NULL, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "misc"));
    /* Read back by key, with content. */
    vg_store_intel got;
    assert_int_equal(vg_store_get_intel(s, sha, &got, NULL), VG_OK);
    assert_string_equal(got.name, "zz-list.txt");
    assert_string_equal(got.kind, "indicators");
    assert_int_equal(got.records, 1);
    assert_int_equal(got.imported_ms, 1000);
    assert_int_equal(got.size, strlen(list));
    assert_memory_equal(got.content, list, strlen(list));
    assert_int_equal(((char *)got.content)[got.size], 0);
    vg_store_intel_clear(&got);
    assert_int_equal(vg_store_get_intel(s, "00", &got, NULL), VG_ENOTFOUND);
    /* Listed by name, with or without content. */
    intel_seen v = {0};
    assert_int_equal(vg_store_each_intel(s, false, intel_cb, &v, NULL), VG_OK);
    assert_int_equal(v.n, 2);
    assert_string_equal(v.names[0], "apt.stix.json");
    assert_string_equal(v.names[1], "zz-list.txt");
    assert_int_equal(v.sizes[0], strlen(bundle));
    assert_false(v.content[0]);
    memset(&v, 0, sizeof v);
    assert_int_equal(vg_store_each_intel(s, true, intel_cb, &v, NULL), VG_OK);
    assert_int_equal(v.n, 2);
    assert_true(v.content[0] && v.content[1]);
    assert_int_equal(v.sizes[1], strlen(list));
    vg_store_stats st;
    assert_int_equal(vg_store_stats_get(s, &st, NULL), VG_OK);
    assert_int_equal(st.intel_files, 2);
    vg_store_close(s);
}

/* Schema version 2 as it shipped: version 1 plus this, frozen. */
static const char V2_STEP[] =
    "ALTER TABLE findings ADD COLUMN suppressed_by TEXT;"
    "CREATE INDEX findings_kind ON findings(kind);"
    "CREATE TABLE suppressions (id TEXT PRIMARY KEY, pattern TEXT NOT NULL, owner TEXT NOT NULL, "
    "reason TEXT NOT NULL, expires_ms INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL DEFAULT "
    "'config');"
    "CREATE TABLE baselines (key TEXT PRIMARY KEY, event_ms INTEGER NOT NULL, expires_ms INTEGER "
    "NOT NULL DEFAULT 0, blob BLOB NOT NULL) WITHOUT ROWID;"
    "PRAGMA user_version = 2;";

static void test_migrate_v2(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path("v2.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V1, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V2_STEP, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO baselines VALUES ('cred:x', 5, 0, x'0102');"
                                  "INSERT INTO suppressions (id, pattern, owner, reason) "
                                  "VALUES ('s-1', '{}', 'alice', 'lab');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    vg_store *s = NULL;
    vg_error e = {0};
    assert_int_equal(vg_store_open(db_path("v2.db"), &s, &e), VG_OK);
    assert_int_equal(vg_store_opened_version(s), 2);
    assert_int_equal(vg_store_schema_version(s), VG_STORE_SCHEMA_VERSION);
    void *blob = NULL;
    size_t n = 0;
    int64_t ev = 0;
    assert_int_equal(vg_store_get_blob(s, "cred:x", &blob, &n, &ev, NULL), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ev, 5);
    free(blob);
    vg_store_intel x = {.name = "tor.txt", .kind = "indicators", .records = 1,
                        .imported_ms = 1, .content = "192.0.2.1\n", .size = 10};
    vg_store_change chg;
    assert_int_equal(vg_store_add_intel(s, &x, &chg, NULL, NULL), VG_OK);
    assert_int_equal(chg, VG_STORE_INSERTED);
    vg_store_stats st;
    assert_int_equal(vg_store_stats_get(s, &st, NULL), VG_OK);
    assert_int_equal(st.suppressions, 1);
    assert_int_equal(st.intel_files, 1);
    vg_store_close(s);
    /* Reopened: nothing left to migrate, the row is there. */
    assert_int_equal(vg_store_open(db_path("v2.db"), &s, &e), VG_OK);
    assert_int_equal(vg_store_opened_version(s), VG_STORE_SCHEMA_VERSION);
    assert_int_equal(vg_store_stats_get(s, &st, NULL), VG_OK);
    assert_int_equal(st.intel_files, 1);
    vg_store_close(s);
}

static void test_transaction_rollback(void **state)
{
    (void)state;
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(":memory:", &s, NULL), VG_OK);
    vg_finding *f = mk("tx", "helix", 1);
    assert_int_equal(vg_store_begin(s, NULL), VG_OK);
    assert_int_equal(vg_store_put_finding(s, f, NULL, NULL), VG_OK); /* nested begin/commit */
    vg_store_rollback(s);
    vg_finding *got = NULL;
    assert_int_equal(vg_store_get_finding(s, f->id, &got, NULL), VG_ENOTFOUND);
    assert_int_equal(vg_store_begin(s, NULL), VG_OK);
    assert_int_equal(vg_store_put_finding(s, f, NULL, NULL), VG_OK);
    assert_int_equal(vg_store_commit(s, NULL), VG_OK);
    assert_int_equal(vg_store_get_finding(s, f->id, &got, NULL), VG_OK);
    vg_finding_free(got);
    vg_finding_free(f);
    vg_store_close(s);
}

static void test_bad_path(void **state)
{
    (void)state;
    vg_store *s = NULL;
    vg_error e = {0};
    assert_int_not_equal(vg_store_open("/nonexistent-dir/x/y.db", &s, &e), VG_OK);
    assert_null(s);
    assert_non_null(strstr(e.msg, "/nonexistent-dir/x/y.db"));
}

int main(void)
{
    const char *t = vg_test_tmpdir();
    if (!t)
        return 1;
    snprintf(dbdir, sizeof dbdir, "%s", t);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_new),
        cmocka_unit_test(test_finding_upsert),
        cmocka_unit_test(test_suppression_and_query),
        cmocka_unit_test(test_campaigns),
        cmocka_unit_test(test_each_walks),
        cmocka_unit_test(test_notifications),
        cmocka_unit_test(test_ingest_and_blobs),
        cmocka_unit_test(test_intel_files),
        cmocka_unit_test(test_migrate_v1),
        cmocka_unit_test(test_migrate_v2),
        cmocka_unit_test(test_transaction_rollback),
        cmocka_unit_test(test_bad_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
