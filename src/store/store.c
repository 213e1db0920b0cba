/* store.c — the SQLite store: open, statements, transactions and every
 * table's reads and writes. All SQL is constant text in the table below,
 * prepared once (SQLITE_PREPARE_PERSISTENT) and bound per call. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* ---- statements ------------------------------------------------------------------ */

enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_ORG_GET,
    Q_ORG_PUT,
    Q_ORG_EACH,
    Q_FIND_HEAD,
    Q_FIND_INSERT,
    Q_FIND_UPDATE,
    Q_FIND_BODY,
    Q_FIND_SUPPRESS,
    Q_FIND_SUPPRESSED_BY,
    Q_FIND_LOAD,
    Q_ENT_DELETE,
    Q_ENT_INSERT,
    Q_ENT_FIND,
    Q_CAMP_GET,
    Q_CAMP_PUT,
    Q_CAMP_EACH,
    Q_CAMP_DELETE,
    Q_MEMBERS_DELETE,
    Q_MEMBER_INSERT,
    Q_MEMBERS_LIST,
    Q_MEMBERS_LIST_ORG,
    Q_MEMBERS_EACH_ALL,
    Q_NOTIF_LATEST,
    Q_NOTIF_INSERT,
    Q_NOTIF_SUPERSEDE,
    Q_NOTIF_EACH_LATEST,
    Q_DELIV_ENSURE,
    Q_DELIV_RECORD,
    Q_DELIV_GET,
    Q_DELIV_EACH,
    Q_INGEST_GET,
    Q_INGEST_PUT,
    Q_BLOB_HEAD,
    Q_BLOB_PUT,
    Q_BLOB_GET,
    Q_BLOB_EACH,
    Q_BLOB_EXPIRE,
    Q_SUPP_GET,
    Q_SUPP_PUT,
    Q_SUPP_EACH,
    Q_SUPP_EACH_SOURCE,
    Q_SUPP_DELETE,
    Q_SUPP_UNMARK,
    Q_INTEL_HAS,
    Q_INTEL_ADD,
    Q_INTEL_GET,
    Q_INTEL_EACH,
    Q__COUNT
};

static const char *const SQL[Q__COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_ORG_GET] = "SELECT id, name, country, sector, config FROM organizations WHERE id = ?1",
    [Q_ORG_PUT] = "INSERT INTO organizations (id, name, country, sector, config)"
                  " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
                  " name = ?2, country = ?3, sector = ?4, config = ?5",
    [Q_ORG_EACH] = "SELECT id, name, country, sector, config FROM organizations ORDER BY id",
    [Q_FIND_HEAD] = "SELECT revision, body_hash FROM findings WHERE id = ?1",
    [Q_FIND_INSERT] = "INSERT INTO findings (id, revision, kind, org, first_seen, last_seen,"
                      " severity, score, outcome, actor, body, body_hash)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [Q_FIND_UPDATE] = "UPDATE findings SET revision = ?2, kind = ?3, org = ?4, first_seen = ?5,"
                      " last_seen = ?6, severity = ?7, score = ?8, outcome = ?9, actor = ?10,"
                      " body = ?11, body_hash = ?12 WHERE id = ?1",
    [Q_FIND_BODY] = "SELECT body, suppressed_by FROM findings WHERE id = ?1",
    [Q_FIND_SUPPRESS] = "UPDATE findings SET suppressed_by = ?2 WHERE id = ?1"
                        " AND suppressed_by IS NOT ?2",
    [Q_FIND_SUPPRESSED_BY] = "SELECT suppressed_by FROM findings WHERE id = ?1",
    [Q_FIND_LOAD] = "SELECT body, suppressed_by FROM findings"
                    " WHERE (?1 IS NULL OR org = ?1)"
                    " AND (?2 IS NULL OR substr(kind, 1, length(?2)) = ?2)"
                    " AND last_seen >= ?3 AND (?4 OR suppressed_by IS NULL)"
                    " ORDER BY first_seen, kind, org, id",
    [Q_ENT_DELETE] = "DELETE FROM entities WHERE finding_id = ?1",
    [Q_ENT_INSERT] = "INSERT OR IGNORE INTO entities (finding_id, type, value) VALUES (?1, ?2, ?3)",
    [Q_ENT_FIND] = "SELECT finding_id FROM entities WHERE type = ?1 AND value = ?2"
                   " ORDER BY finding_id",
    [Q_CAMP_GET] = "SELECT actor, first_seen, last_seen, body FROM campaigns WHERE id = ?1",
    [Q_CAMP_PUT] = "INSERT INTO campaigns (id, actor, first_seen, last_seen, body)"
                   " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
                   " actor = ?2, first_seen = ?3, last_seen = ?4, body = ?5",
    [Q_CAMP_EACH] = "SELECT id, actor, first_seen, last_seen, body FROM campaigns ORDER BY id",
    [Q_CAMP_DELETE] = "DELETE FROM campaigns WHERE id = ?1",
    [Q_MEMBERS_DELETE] = "DELETE FROM campaign_members WHERE campaign_id = ?1",
    [Q_MEMBER_INSERT] = "INSERT OR IGNORE INTO campaign_members (campaign_id, finding_id, org)"
                        " VALUES (?1, ?2, ?3)",
    [Q_MEMBERS_LIST] = "SELECT finding_id, org FROM campaign_members WHERE campaign_id = ?1"
                       " ORDER BY finding_id",
    [Q_MEMBERS_LIST_ORG] = "SELECT finding_id, org FROM campaign_members"
                           " WHERE campaign_id = ?1 AND org = ?2 ORDER BY finding_id",
    [Q_MEMBERS_EACH_ALL] = "SELECT id FROM campaigns ORDER BY id",
    [Q_NOTIF_LATEST] = "SELECT org, campaign_id, version, content_hash, idempotency_key, facts"
                       " FROM notifications WHERE org = ?1 AND campaign_id = ?2"
                       " ORDER BY version DESC LIMIT 1",
    [Q_NOTIF_INSERT] = "INSERT INTO notifications (org, campaign_id, version, content_hash,"
                       " idempotency_key, facts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_NOTIF_SUPERSEDE] = "UPDATE deliveries SET state = 'superseded'"
                          " WHERE org = ?1 AND campaign_id = ?2 AND version < ?3"
                          " AND state IN ('pending', 'failed')",
    [Q_NOTIF_EACH_LATEST] = "SELECT n.org, n.campaign_id, n.version, n.content_hash,"
                            " n.idempotency_key, n.facts FROM notifications n"
                            " WHERE n.version = (SELECT max(version) FROM notifications m"
                            "   WHERE m.org = n.org AND m.campaign_id = n.campaign_id)"
                            " ORDER BY n.org, n.campaign_id",
    [Q_DELIV_ENSURE] = "INSERT OR IGNORE INTO deliveries (org, campaign_id, version, channel,"
                       " state, target) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
    [Q_DELIV_RECORD] = "UPDATE deliveries SET state = ?5, attempts = attempts + ?6,"
                       " last_error = ?7, delivered_ms = ?8"
                       " WHERE org = ?1 AND campaign_id = ?2 AND version = ?3 AND channel = ?4",
    [Q_DELIV_GET] = "SELECT org, campaign_id, version, channel, state, attempts, target,"
                    " last_error, delivered_ms FROM deliveries"
                    " WHERE org = ?1 AND campaign_id = ?2 AND version = ?3 AND channel = ?4",
    [Q_DELIV_EACH] = "SELECT org, campaign_id, version, channel, state, attempts, target,"
                     " last_error, delivered_ms FROM deliveries"
                     " ORDER BY org, campaign_id, version, channel",
    [Q_INGEST_GET] = "SELECT path, dev, ino, size, mtime_ns, sha256, kind, records, rejected"
                     " FROM ingest WHERE path = ?1",
    [Q_INGEST_PUT] = "INSERT INTO ingest (path, dev, ino, size, mtime_ns, sha256, kind, records,"
                     " rejected) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                     " ON CONFLICT(path) DO UPDATE SET dev = ?2, ino = ?3, size = ?4,"
                     " mtime_ns = ?5, sha256 = ?6, kind = ?7, records = ?8, rejected = ?9",
    [Q_BLOB_HEAD] = "SELECT event_ms, expires_ms, blob FROM baselines WHERE key = ?1",
    [Q_BLOB_PUT] = "INSERT INTO baselines (key, event_ms, expires_ms, blob) VALUES (?1, ?2, ?3, ?4)"
                   " ON CONFLICT(key) DO UPDATE SET event_ms = ?2, expires_ms = ?3, blob = ?4",
    [Q_BLOB_GET] = "SELECT blob, event_ms FROM baselines WHERE key = ?1",
    [Q_BLOB_EACH] = "SELECT key, blob, event_ms FROM baselines"
                    " WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
    [Q_BLOB_EXPIRE] = "DELETE FROM baselines WHERE expires_ms > 0 AND expires_ms <= ?1",
    [Q_SUPP_GET] = "SELECT pattern, owner, reason, expires_ms, source FROM suppressions"
                   " WHERE id = ?1",
    [Q_SUPP_PUT] = "INSERT INTO suppressions (id, pattern, owner, reason, expires_ms, source)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
                   " pattern = ?2, owner = ?3, reason = ?4, expires_ms = ?5, source = ?6",
    [Q_SUPP_EACH] = "SELECT id, pattern, owner, reason, expires_ms, source FROM suppressions"
                    " ORDER BY id",
    [Q_SUPP_EACH_SOURCE] = "SELECT id FROM suppressions WHERE source = ?1 ORDER BY id",
    [Q_SUPP_DELETE] = "DELETE FROM suppressions WHERE id = ?1",
    [Q_SUPP_UNMARK] = "UPDATE findings SET suppressed_by = NULL WHERE suppressed_by = ?1",
    [Q_INTEL_HAS] = "SELECT 1 FROM intel_files WHERE sha256 = ?1",
    [Q_INTEL_ADD] = "INSERT INTO intel_files (sha256, name, kind, records, imported_ms, content)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_INTEL_GET] = "SELECT sha256, name, kind, records, imported_ms, content FROM intel_files"
                    " WHERE sha256 = ?1",
    [Q_INTEL_EACH] = "SELECT sha256, name, kind, records, imported_ms,"
                     " CASE WHEN ?1 THEN content END, length(content) FROM intel_files"
                     " ORDER BY name, sha256",
};

struct vg_store {
    sqlite3 *db;
    char *path;
    int opened_version;
    int txn_depth;
    sqlite3_stmt *st[Q__COUNT];
};

/* The statement, prepared on first use and reset with bindings cleared. */
static sqlite3_stmt *q(vg_store *s, int id, vg_error *e)
{
    sqlite3_stmt *st = s->st[id];
    if (!st) {
        if (sqlite3_prepare_v3(s->db, SQL[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            vg_error_set(e, VG_EIO, "%s: prepare: %s", s->path, sqlite3_errmsg(s->db));
            return NULL;
        }
        s->st[id] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

static vg_err db_error(vg_store *s, vg_error *e, const char *what)
{
    return vg_error_set(e, VG_EIO, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* Steps a statement that returns no row; resets it. */
static vg_err run(vg_store *s, sqlite3_stmt *st, vg_error *e, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_error(s, e, what);
    return VG_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return vg_xstrdup(t ? (const char *)t : "");
}

static const char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* ---- open, close, transactions ------------------------------------------------- */

/* ---- walking rows ------------------------------------------------------------------------ */

/* One record type for each_row(): its size, how a row fills it (false: the
 * row is left out), how it is freed, and how the caller's typed callback is
 * called. The callback travels as a generic function pointer and is called
 * back through its own type by call(). */
typedef void (*any_fn)(void);
typedef struct row_kind {
    size_t size;
    const char *what; /* names the table in errors */
    /* step every row before the first callback (callers may query the store
     * from it); otherwise rows are handed over as they are stepped */
    bool collect;
    bool (*read)(sqlite3_stmt *st, void *rec, const void *arg);
    void (*clear)(void *rec);
    int (*call)(any_fn fn, const void *rec, void *ud);
} row_kind;

/* Hands every row of st to fn, stopping at the first non-zero return, which
 * is returned. st is reset in every case. */
static vg_err each_row(vg_store *s, sqlite3_stmt *st, const row_kind *k, const void *arg,
                       any_fn fn, void *ud, vg_error *e)
{
    char *v = NULL; /* collected records, k->size bytes each */
    size_t n = 0, cap = 0;
    char *one = k->collect ? NULL : vg_xmalloc(k->size);
    int rc, stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k->collect)
            v = vg_xgrow(v, &cap, n + 1, k->size);
        char *rec = k->collect ? v + n * k->size : one;
        memset(rec, 0, k->size);
        if (!k->read(st, rec, arg)) {
            k->clear(rec);
            continue;
        }
        if (k->collect) {
            n++;
            continue;
        }
        stop = k->call(fn, rec, ud);
        k->clear(rec);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    free(one);
    vg_err r = stop;
    if (!stop && rc != SQLITE_DONE)
        r = db_error(s, e, k->what);
    for (size_t i = 0; i < n; i++) {
        if (!r)
            r = k->call(fn, v + i * k->size, ud);
        k->clear(v + i * k->size);
    }
    free(v);
    return r;
}

/* The glue each_row() needs for a record type T read by T_from_row(). */
#define ROW_KIND(name, T, fn_type, read_fn, clear_fn, collect_rows, what_text)                    \
    static bool name##_read(sqlite3_stmt *st, void *rec, const void *arg)                          \
    {                                                                                             \
        return read_fn(st, (T *)rec, arg);                                                        \
    }                                                                                             \
    static void name##_clear(void *rec) { clear_fn((T *)rec); }                                   \
    static int name##_call(any_fn fn, const void *rec, void *ud)                                  \
    {                                                                                             \
        return ((fn_type)fn)((const T *)rec, ud);                                                 \
    }                                                                                             \
    static const row_kind name##_rows = {sizeof(T),   what_text,   collect_rows, name##_read,      \
                                         name##_clear, name##_call}

vg_err vg_store_open(const char *path, vg_store **out, vg_error *e)
{
    *out = NULL;
    vg_store *s = vg_xcalloc(1, sizeof *s);
    s->path = vg_xstrdup(path);
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        vg_error_set(e, VG_EIO, "%s: cannot open database: %s", path,
                     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        vg_store_close(s);
        return VG_EIO;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    static const char *const pragmas[] = {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON",
                                          "PRAGMA synchronous = NORMAL"};
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, pragmas[i], -1, &st, NULL) != SQLITE_OK) {
            db_error(s, e, pragmas[i]);
            vg_store_close(s);
            return VG_EIO;
        }
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            db_error(s, e, pragmas[i]);
            vg_store_close(s);
            return VG_EIO;
        }
    }
    vg_err err = vg_store_migrate(s->db, path, &s->opened_version, e);
    if (err) {
        vg_store_close(s);
        return err;
    }
    *out = s;
    return VG_OK;
}

void vg_store_close(vg_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int vg_store_opened_version(const vg_store *s) { return s->opened_version; }

int vg_store_schema_version(vg_store *s)
{
    int v = -1;
    vg_store_read_version(s->db, &v, NULL);
    return v;
}

vg_err vg_store_begin(vg_store *s, vg_error *e)
{
    if (s->txn_depth++ > 0)
        return VG_OK;
    sqlite3_stmt *st = q(s, Q_BEGIN, e);
    vg_err rc = st ? run(s, st, e, "begin") : VG_EIO;
    if (rc)
        s->txn_depth = 0;
    return rc;
}

vg_err vg_store_commit(vg_store *s, vg_error *e)
{
    if (s->txn_depth == 0)
        return VG_OK;
    if (--s->txn_depth > 0)
        return VG_OK;
    sqlite3_stmt *st = q(s, Q_COMMIT, e);
    return st ? run(s, st, e, "commit") : VG_EIO;
}

void vg_store_rollback(vg_store *s)
{
    if (s->txn_depth == 0)
        return;
    s->txn_depth = 0;
    sqlite3_stmt *st = q(s, Q_ROLLBACK, NULL);
    if (st)
        run(s, st, NULL, "rollback");
}

const char *vg_store_change_name(vg_store_change c)
{
    switch (c) {
    case VG_STORE_INSERTED: return "inserted";
    case VG_STORE_UPDATED: return "updated";
    case VG_STORE_STALE: return "stale";
    default: return "unchanged";
    }
}

static void set_chg(vg_store_change *chg, vg_store_change v)
{
    if (chg)
        *chg = v;
}

/* ---- organizations ---------------------------------------------------------------- */

void vg_store_org_clear(vg_store_org *o)
{
    free(o->id);
    free(o->name);
    free(o->country);
    free(o->sector);
    free(o->config_json);
    memset(o, 0, sizeof *o);
}

static void org_from_row(sqlite3_stmt *st, vg_store_org *o)
{
    o->id = col_dup(st, 0);
    o->name = col_dup(st, 1);
    o->country = col_dup(st, 2);
    o->sector = col_dup(st, 3);
    o->config_json = col_dup(st, 4);
}

static bool org_row(sqlite3_stmt *st, vg_store_org *o, const void *arg)
{
    (void)arg;
    org_from_row(st, o);
    return true;
}
ROW_KIND(org, vg_store_org, vg_store_org_fn, org_row, vg_store_org_clear, false, "organizations");

vg_err vg_store_get_org(vg_store *s, const char *id, vg_store_org *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = q(s, Q_ORG_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        org_from_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VG_OK;
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "no organization '%s'", id);
    return db_error(s, e, "organization");
}

vg_err vg_store_put_org(vg_store *s, const vg_store_org *o, vg_store_change *chg, vg_error *e)
{
    vg_store_org cur;
    vg_err rc = vg_store_get_org(s, o->id, &cur, NULL);
    if (rc == VG_OK) {
        bool same = str_eq(cur.name, o->name) && str_eq(cur.country, o->country) &&
                    str_eq(cur.sector, o->sector) &&
                    str_eq(cur.config_json, o->config_json ? o->config_json : "{}");
        vg_store_org_clear(&cur);
        if (same) {
            set_chg(chg, VG_STORE_UNCHANGED);
            return VG_OK;
        }
    }
    sqlite3_stmt *st = q(s, Q_ORG_PUT, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, o->id);
    bind_text(st, 2, o->name && *o->name ? o->name : o->id);
    bind_text(st, 3, o->country);
    bind_text(st, 4, o->sector);
    bind_text(st, 5, o->config_json ? o->config_json : "{}");
    vg_err r = run(s, st, e, "organization");
    if (!r)
        set_chg(chg, rc == VG_OK ? VG_STORE_UPDATED : VG_STORE_INSERTED);
    return r;
}

vg_err vg_store_each_org(vg_store *s, vg_store_org_fn fn, void *ud, vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_ORG_EACH, e);
    return st ? each_row(s, st, &org_rows, NULL, (any_fn)fn, ud, e) : VG_EIO;
}

/* ---- findings ------------------------------------------------------------------------ */

/* The stored body: the finding's JSON without the suppression mark. */
static char *finding_body(const vg_finding *f)
{
    if (!f->suppressed)
        return vg_finding_to_json(f);
    vg_finding *c = vg_finding_clone(f);
    c->suppressed = false;
    char *b = vg_finding_to_json(c);
    vg_finding_free(c);
    return b;
}

static vg_err put_entities(vg_store *s, const vg_finding *f, vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_ENT_DELETE, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, f->id);
    vg_err rc = run(s, st, e, "entities");
    if (rc)
        return rc;
    const struct {
        const char *type;
        const vg_strlist *l;
        size_t cap;
    } lists[] = {
        {"account", &f->entities.accounts, 0},
        {"ip", &f->entities.ips, VG_FINDING_MAX_IPS},
        {"domain", &f->entities.domains, VG_FINDING_MAX_URLS},
        {"url", &f->entities.urls, VG_FINDING_MAX_URLS},
        {"message", &f->entities.messages, 0},
        {"hash", &f->entities.hashes, VG_FINDING_MAX_URLS},
        {"compromised", &f->roles.compromised, 0},
        {"attacker_ip", &f->roles.attacker_ips, VG_FINDING_MAX_IPS},
        {"targeted", &f->roles.targeted, 0},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const vg_strlist *l = lists[i].l;
        for (size_t k = 0; k < l->n && (lists[i].cap == 0 || k < lists[i].cap); k++) {
            if (!(st = q(s, Q_ENT_INSERT, e)))
                return VG_EIO;
            bind_text(st, 1, f->id);
            bind_text(st, 2, lists[i].type);
            bind_text(st, 3, l->v[k]);
            if ((rc = run(s, st, e, "entity")))
                return rc;
        }
    }
    return VG_OK;
}

vg_err vg_store_put_finding(vg_store *s, const vg_finding *f, vg_store_change *chg, vg_error *e)
{
    set_chg(chg, VG_STORE_UNCHANGED);
    if (!f->id[0])
        return vg_error_set(e, VG_EINVAL, "finding of kind %s has no id", f->kind);
    char *body = finding_body(f);
    uint8_t dg[32];
    char hash[65];
    vg_sha256_digest(body, strlen(body), dg);
    vg_hex(dg, 32, hash);

    vg_err rc = VG_OK;
    sqlite3_stmt *st = q(s, Q_FIND_HEAD, e);
    if (!st) {
        free(body);
        return VG_EIO;
    }
    bind_text(st, 1, f->id);
    int step = sqlite3_step(st);
    bool exists = step == SQLITE_ROW;
    int old_rev = exists ? sqlite3_column_int(st, 0) : 0;
    bool same = exists && strcmp(col_str(st, 1), hash) == 0;
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        free(body);
        return db_error(s, e, "finding");
    }
    if (exists && (same || f->revision < old_rev)) {
        set_chg(chg, same ? VG_STORE_UNCHANGED : VG_STORE_STALE);
        free(body);
        return VG_OK;
    }
    if ((rc = vg_store_begin(s, e))) {
        free(body);
        return rc;
    }
    if (!(st = q(s, exists ? Q_FIND_UPDATE : Q_FIND_INSERT, e))) {
        rc = VG_EIO;
        goto fail;
    }
    bind_text(st, 1, f->id);
    sqlite3_bind_int(st, 2, f->revision);
    bind_text(st, 3, f->kind);
    bind_text(st, 4, f->org);
    sqlite3_bind_int64(st, 5, f->first_seen);
    sqlite3_bind_int64(st, 6, f->last_seen);
    bind_text(st, 7, vg_severity_name(f->severity));
    sqlite3_bind_int(st, 8, f->score);
    bind_text(st, 9, vg_outcome_name(f->outcome));
    bind_text(st, 10, f->attribution.actor);
    bind_text(st, 11, body);
    bind_text(st, 12, hash);
    if ((rc = run(s, st, e, "finding")) || (rc = put_entities(s, f, e)))
        goto fail;
    free(body);
    if ((rc = vg_store_commit(s, e)))
        return rc;
    set_chg(chg, exists ? VG_STORE_UPDATED : VG_STORE_INSERTED);
    return VG_OK;
fail:
    free(body);
    vg_store_rollback(s);
    return rc;
}

vg_err vg_store_get_finding(vg_store *s, const char *id, vg_finding **out, vg_error *e)
{
    *out = NULL;
    sqlite3_stmt *st = q(s, Q_FIND_BODY, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *body = col_str(st, 0);
        *out = vg_finding_from_json(body, strlen(body), e);
        if (*out)
            (*out)->suppressed = sqlite3_column_type(st, 1) != SQLITE_NULL;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "no finding %s", id);
    if (rc != SQLITE_ROW)
        return db_error(s, e, "finding");
    return *out ? VG_OK : VG_EINVAL;
}

vg_err vg_store_set_suppressed(vg_store *s, const char *finding_id, const char *suppression_id,
                               vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_FIND_SUPPRESS, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, finding_id);
    bind_text_or_null(st, 2, suppression_id);
    return run(s, st, e, "suppress");
}

char *vg_store_suppressed_by(vg_store *s, const char *finding_id)
{
    sqlite3_stmt *st = q(s, Q_FIND_SUPPRESSED_BY, NULL);
    if (!st)
        return NULL;
    bind_text(st, 1, finding_id);
    char *r = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        r = col_dup(st, 0);
    sqlite3_reset(st);
    return r;
}

vg_err vg_store_load_findings(vg_store *s, const vg_store_query *qy, vg_findings *out, vg_error *e)
{
    vg_store_query none = {0};
    if (!qy)
        qy = &none;
    sqlite3_stmt *st = q(s, Q_FIND_LOAD, e);
    if (!st)
        return VG_EIO;
    bind_text_or_null(st, 1, qy->org);
    bind_text_or_null(st, 2, qy->kind_prefix);
    sqlite3_bind_int64(st, 3, qy->since_ms);
    sqlite3_bind_int(st, 4, qy->include_suppressed);
    int rc;
    size_t bad = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = col_str(st, 0);
        vg_finding *f = vg_finding_from_json(body, strlen(body), NULL);
        if (!f) {
            bad++;
            continue;
        }
        f->suppressed = sqlite3_column_type(st, 1) != SQLITE_NULL;
        vg_findings_push(out, f);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_error(s, e, "findings");
    if (bad)
        vg_warn("%s: %zu stored findings could not be read back", s->path, bad);
    vg_findings_sort(out);
    return VG_OK;
}

static vg_err collect_strings(vg_store *s, sqlite3_stmt *st, vg_strlist *l, vg_error *e,
                              const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        vg_strlist_add(l, col_str(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VG_OK : db_error(s, e, what);
}

vg_err vg_store_findings_with(vg_store *s, const char *type, const char *value, vg_strlist *ids,
                              vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_ENT_FIND, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, type);
    bind_text(st, 2, value);
    return collect_strings(s, st, ids, e, "entities");
}

/* ---- campaigns ------------------------------------------------------------------------- */

void vg_store_campaign_clear(vg_store_campaign *c)
{
    free(c->id);
    free(c->actor);
    free(c->body_json);
    memset(c, 0, sizeof *c);
}

static int cmp_member(const void *a, const void *b)
{
    const vg_store_member *x = a, *y = b;
    return strcmp(x->finding_id, y->finding_id);
}

/* True when the stored members equal m (sorted copy). */
static bool members_same(vg_store *s, const char *id, const vg_store_member *m, size_t n,
                         vg_error *e, vg_err *err)
{
    vg_store_member *sorted = vg_xcalloc(n ? n : 1, sizeof *sorted);
    if (n)
        memcpy(sorted, m, n * sizeof *m);
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, cmp_member);
    /* Drop duplicates as INSERT OR IGNORE would. */
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(sorted[u - 1].finding_id, sorted[i].finding_id) != 0)
            sorted[u++] = sorted[i];
    sqlite3_stmt *st = q(s, Q_MEMBERS_LIST, e);
    bool same = st != NULL;
    if (!st)
        *err = VG_EIO;
    size_t i = 0;
    if (st) {
        bind_text(st, 1, id);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (i >= u || strcmp(col_str(st, 0), sorted[i].finding_id) != 0 ||
                strcmp(col_str(st, 1), sorted[i].org ? sorted[i].org : "") != 0)
                same = false;
            i++;
        }
        if (rc != SQLITE_DONE) {
            *err = db_error(s, e, "members");
            same = false;
        }
        sqlite3_reset(st);
        if (i != u)
            same = false;
    }
    free(sorted);
    return same;
}

vg_err vg_store_put_campaign(vg_store *s, const vg_store_campaign *c, const vg_store_member *m,
                             size_t n_members, vg_store_change *chg, vg_error *e)
{
    set_chg(chg, VG_STORE_UNCHANGED);
    sqlite3_stmt *st = q(s, Q_CAMP_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, c->id);
    int step = sqlite3_step(st);
    bool exists = step == SQLITE_ROW;
    bool same_row = exists && str_eq(col_str(st, 0), c->actor) &&
                    sqlite3_column_int64(st, 1) == c->first_seen &&
                    sqlite3_column_int64(st, 2) == c->last_seen &&
                    str_eq(col_str(st, 3), c->body_json ? c->body_json : "{}");
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_error(s, e, "campaign");
    vg_err err = VG_OK;
    bool same_members = exists && members_same(s, c->id, m, n_members, e, &err);
    if (err)
        return err;
    if (same_row && same_members)
        return VG_OK;

    vg_err rc = vg_store_begin(s, e);
    if (rc)
        return rc;
    if (!same_row) {
        if (!(st = q(s, Q_CAMP_PUT, e))) {
            rc = VG_EIO;
            goto fail;
        }
        bind_text(st, 1, c->id);
        bind_text(st, 2, c->actor);
        sqlite3_bind_int64(st, 3, c->first_seen);
        sqlite3_bind_int64(st, 4, c->last_seen);
        bind_text(st, 5, c->body_json ? c->body_json : "{}");
        if ((rc = run(s, st, e, "campaign")))
            goto fail;
    }
    if (!same_members) {
        if (!(st = q(s, Q_MEMBERS_DELETE, e))) {
            rc = VG_EIO;
            goto fail;
        }
        bind_text(st, 1, c->id);
        if ((rc = run(s, st, e, "members")))
            goto fail;
        for (size_t i = 0; i < n_members; i++) {
            if (!(st = q(s, Q_MEMBER_INSERT, e))) {
                rc = VG_EIO;
                goto fail;
            }
            bind_text(st, 1, c->id);
            bind_text(st, 2, m[i].finding_id);
            bind_text(st, 3, m[i].org);
            if ((rc = run(s, st, e, "member")))
                goto fail;
        }
    }
    if ((rc = vg_store_commit(s, e)))
        return rc;
    set_chg(chg, exists ? VG_STORE_UPDATED : VG_STORE_INSERTED);
    return VG_OK;
fail:
    vg_store_rollback(s);
    return rc;
}

vg_err vg_store_retain_campaigns(vg_store *s, const vg_strlist *keep, size_t *n, vg_error *e)
{
    if (n)
        *n = 0;
    vg_strlist all = {0};
    sqlite3_stmt *st = q(s, Q_MEMBERS_EACH_ALL, e);
    if (!st)
        return VG_EIO;
    vg_err rc = collect_strings(s, st, &all, e, "campaigns");
    for (size_t i = 0; !rc && i < all.n; i++) {
        if (keep && vg_strlist_has(keep, all.v[i]))
            continue;
        if (!(st = q(s, Q_CAMP_DELETE, e))) {
            rc = VG_EIO;
            break;
        }
        bind_text(st, 1, all.v[i]);
        if (!(rc = run(s, st, e, "campaign delete")) && n)
            (*n)++;
    }
    vg_strlist_free(&all);
    return rc;
}

static bool campaign_row(sqlite3_stmt *st, vg_store_campaign *c, const void *arg)
{
    (void)arg;
    c->id = col_dup(st, 0);
    c->actor = col_dup(st, 1);
    c->first_seen = sqlite3_column_int64(st, 2);
    c->last_seen = sqlite3_column_int64(st, 3);
    c->body_json = col_dup(st, 4);
    return true;
}
/* collected: callers query members from the callback */
ROW_KIND(campaign, vg_store_campaign, vg_store_campaign_fn, campaign_row, vg_store_campaign_clear,
         true, "campaigns");

vg_err vg_store_each_campaign(vg_store *s, vg_store_campaign_fn fn, void *ud, vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_CAMP_EACH, e);
    return st ? each_row(s, st, &campaign_rows, NULL, (any_fn)fn, ud, e) : VG_EIO;
}

vg_err vg_store_campaign_members(vg_store *s, const char *campaign_id, const char *org,
                                 vg_strlist *finding_ids, vg_error *e)
{
    sqlite3_stmt *st = q(s, org ? Q_MEMBERS_LIST_ORG : Q_MEMBERS_LIST, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, campaign_id);
    if (org)
        bind_text(st, 2, org);
    return collect_strings(s, st, finding_ids, e, "members");
}

/* ---- notifications and deliveries ----------------------------------------------------------- */

void vg_store_notification_clear(vg_store_notification *n)
{
    free(n->org);
    free(n->campaign_id);
    free(n->content_hash);
    free(n->idempotency_key);
    free(n->facts_json);
    memset(n, 0, sizeof *n);
}

static void notification_from_row(sqlite3_stmt *st, vg_store_notification *n)
{
    n->org = col_dup(st, 0);
    n->campaign_id = col_dup(st, 1);
    n->version = sqlite3_column_int(st, 2);
    n->content_hash = col_dup(st, 3);
    n->idempotency_key = col_dup(st, 4);
    n->facts_json = col_dup(st, 5);
}

vg_err vg_store_latest_notification(vg_store *s, const char *org, const char *campaign_id,
                                    vg_store_notification *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = q(s, Q_NOTIF_LATEST, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, org);
    bind_text(st, 2, campaign_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        notification_from_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VG_OK;
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "no notification for %s / %s", org, campaign_id);
    return db_error(s, e, "notification");
}

vg_err vg_store_add_notification(vg_store *s, const vg_store_notification *n, vg_error *e)
{
    vg_err rc = vg_store_begin(s, e);
    if (rc)
        return rc;
    sqlite3_stmt *st = q(s, Q_NOTIF_INSERT, e);
    if (!st) {
        rc = VG_EIO;
        goto fail;
    }
    bind_text(st, 1, n->org);
    bind_text(st, 2, n->campaign_id);
    sqlite3_bind_int(st, 3, n->version);
    bind_text(st, 4, n->content_hash);
    bind_text(st, 5, n->idempotency_key);
    bind_text(st, 6, n->facts_json);
    if ((rc = run(s, st, e, "notification")))
        goto fail;
    if (!(st = q(s, Q_NOTIF_SUPERSEDE, e))) {
        rc = VG_EIO;
        goto fail;
    }
    bind_text(st, 1, n->org);
    bind_text(st, 2, n->campaign_id);
    sqlite3_bind_int(st, 3, n->version);
    if ((rc = run(s, st, e, "supersede")))
        goto fail;
    return vg_store_commit(s, e);
fail:
    vg_store_rollback(s);
    return rc;
}

static bool notification_row(sqlite3_stmt *st, vg_store_notification *n, const void *arg)
{
    (void)arg;
    notification_from_row(st, n);
    return true;
}
ROW_KIND(notification, vg_store_notification, vg_store_notification_fn, notification_row,
         vg_store_notification_clear, true, "notifications");

vg_err vg_store_each_latest_notification(vg_store *s, vg_store_notification_fn fn, void *ud,
                                         vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_NOTIF_EACH_LATEST, e);
    return st ? each_row(s, st, &notification_rows, NULL, (any_fn)fn, ud, e) : VG_EIO;
}

static const char *const delivery_names[] = {"pending", "delivered", "failed", "superseded"};

const char *vg_delivery_state_name(vg_delivery_state st)
{
    return (unsigned)st < 4 ? delivery_names[st] : "pending";
}

bool vg_delivery_state_parse(const char *s, vg_delivery_state *out)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, delivery_names[i]) == 0) {
            *out = (vg_delivery_state)i;
            return true;
        }
    return false;
}

void vg_store_delivery_clear(vg_store_delivery *d)
{
    free(d->org);
    free(d->campaign_id);
    free(d->channel);
    free(d->target);
    free(d->last_error);
    memset(d, 0, sizeof *d);
}

static void delivery_from_row(sqlite3_stmt *st, vg_store_delivery *d)
{
    d->org = col_dup(st, 0);
    d->campaign_id = col_dup(st, 1);
    d->version = sqlite3_column_int(st, 2);
    d->channel = col_dup(st, 3);
    d->state = VG_DELIVERY_PENDING;
    vg_delivery_state_parse(col_str(st, 4), &d->state);
    d->attempts = sqlite3_column_int(st, 5);
    d->target = col_dup(st, 6);
    d->last_error = col_dup(st, 7);
    d->delivered_ms = sqlite3_column_int64(st, 8);
}

vg_err vg_store_ensure_delivery(vg_store *s, const char *org, const char *campaign_id, int version,
                                const char *channel, const char *target, bool *created,
                                vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_DELIV_ENSURE, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, org);
    bind_text(st, 2, campaign_id);
    sqlite3_bind_int(st, 3, version);
    bind_text(st, 4, channel);
    bind_text(st, 5, target);
    vg_err rc = run(s, st, e, "delivery");
    if (created)
        *created = !rc && sqlite3_changes(s->db) > 0;
    return rc;
}

vg_err vg_store_record_delivery(vg_store *s, const char *org, const char *campaign_id, int version,
                                const char *channel, vg_delivery_state state, int tries,
                                const char *error, int64_t delivered_ms, vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_DELIV_RECORD, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, org);
    bind_text(st, 2, campaign_id);
    sqlite3_bind_int(st, 3, version);
    bind_text(st, 4, channel);
    bind_text(st, 5, vg_delivery_state_name(state));
    sqlite3_bind_int(st, 6, tries);
    bind_text(st, 7, error);
    sqlite3_bind_int64(st, 8, delivered_ms);
    vg_err rc = run(s, st, e, "delivery");
    if (!rc && sqlite3_changes(s->db) == 0)
        return vg_error_set(e, VG_ENOTFOUND, "no delivery %s/%s v%d %s", org, campaign_id, version,
                            channel);
    return rc;
}

vg_err vg_store_get_delivery(vg_store *s, const char *org, const char *campaign_id, int version,
                             const char *channel, vg_store_delivery *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = q(s, Q_DELIV_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, org);
    bind_text(st, 2, campaign_id);
    sqlite3_bind_int(st, 3, version);
    bind_text(st, 4, channel);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        delivery_from_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VG_OK;
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "no delivery %s/%s v%d %s", org, campaign_id, version,
                            channel);
    return db_error(s, e, "delivery");
}

/* arg: the wanted states (a bit per vg_delivery_state; 0 = all) */
static bool delivery_row(sqlite3_stmt *st, vg_store_delivery *d, const void *arg)
{
    unsigned states = *(const unsigned *)arg;
    delivery_from_row(st, d);
    return !states || (states & (1u << d->state));
}
ROW_KIND(delivery, vg_store_delivery, vg_store_delivery_fn, delivery_row, vg_store_delivery_clear,
         true, "deliveries");

vg_err vg_store_each_delivery(vg_store *s, unsigned states, vg_store_delivery_fn fn, void *ud,
                              vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_DELIV_EACH, e);
    return st ? each_row(s, st, &delivery_rows, &states, (any_fn)fn, ud, e) : VG_EIO;
}

/* ---- ingest offsets ---------------------------------------------------------------------------- */

void vg_store_ingest_clear(vg_store_ingest *r)
{
    free(r->path);
    free(r->sha256);
    free(r->kind);
    memset(r, 0, sizeof *r);
}

vg_err vg_store_get_ingest(vg_store *s, const char *path, vg_store_ingest *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = q(s, Q_INGEST_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, path);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->path = col_dup(st, 0);
        out->dev = sqlite3_column_int64(st, 1);
        out->ino = sqlite3_column_int64(st, 2);
        out->size = sqlite3_column_int64(st, 3);
        out->mtime_ns = sqlite3_column_int64(st, 4);
        out->sha256 = col_dup(st, 5);
        out->kind = col_dup(st, 6);
        out->records = sqlite3_column_int64(st, 7);
        out->rejected = sqlite3_column_int64(st, 8);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VG_OK;
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "%s: not ingested yet", path);
    return db_error(s, e, "ingest");
}

vg_err vg_store_put_ingest(vg_store *s, const vg_store_ingest *r, vg_store_change *chg,
                           vg_error *e)
{
    vg_store_ingest cur;
    vg_err found = vg_store_get_ingest(s, r->path, &cur, NULL);
    if (found == VG_OK) {
        bool same = cur.dev == r->dev && cur.ino == r->ino && cur.size == r->size &&
                    cur.mtime_ns == r->mtime_ns && str_eq(cur.sha256, r->sha256) &&
                    str_eq(cur.kind, r->kind) && cur.records == r->records &&
                    cur.rejected == r->rejected;
        vg_store_ingest_clear(&cur);
        if (same) {
            set_chg(chg, VG_STORE_UNCHANGED);
            return VG_OK;
        }
    }
    sqlite3_stmt *st = q(s, Q_INGEST_PUT, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, r->path);
    sqlite3_bind_int64(st, 2, r->dev);
    sqlite3_bind_int64(st, 3, r->ino);
    sqlite3_bind_int64(st, 4, r->size);
    sqlite3_bind_int64(st, 5, r->mtime_ns);
    bind_text(st, 6, r->sha256);
    bind_text(st, 7, r->kind);
    sqlite3_bind_int64(st, 8, r->records);
    sqlite3_bind_int64(st, 9, r->rejected);
    vg_err rc = run(s, st, e, "ingest");
    if (!rc)
        set_chg(chg, found == VG_OK ? VG_STORE_UPDATED : VG_STORE_INSERTED);
    return rc;
}

/* ---- baselines ----------------------------------------------------------------------------------- */

vg_err vg_store_put_blob(vg_store *s, const char *key, const void *data, size_t n, int64_t event_ms,
                         int64_t expires_ms, vg_store_change *chg, vg_error *e)
{
    set_chg(chg, VG_STORE_UNCHANGED);
    if (n > (size_t)INT32_MAX)
        return vg_error_set(e, VG_ELIMIT, "baseline %s: %zu bytes is too large", key, n);
    sqlite3_stmt *st = q(s, Q_BLOB_HEAD, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, key);
    int step = sqlite3_step(st);
    bool exists = step == SQLITE_ROW;
    bool same = exists && sqlite3_column_int64(st, 0) == event_ms &&
                sqlite3_column_int64(st, 1) == expires_ms &&
                (size_t)sqlite3_column_bytes(st, 2) == n &&
                (n == 0 || memcmp(sqlite3_column_blob(st, 2), data, n) == 0);
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_error(s, e, "baseline");
    if (same)
        return VG_OK;
    if (!(st = q(s, Q_BLOB_PUT, e)))
        return VG_EIO;
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, event_ms);
    sqlite3_bind_int64(st, 3, expires_ms);
    sqlite3_bind_blob(st, 4, n ? data : "", (int)n, SQLITE_TRANSIENT);
    vg_err rc = run(s, st, e, "baseline");
    if (!rc)
        set_chg(chg, exists ? VG_STORE_UPDATED : VG_STORE_INSERTED);
    return rc;
}

vg_err vg_store_get_blob(vg_store *s, const char *key, void **data, size_t *n, int64_t *event_ms,
                         vg_error *e)
{
    *data = NULL;
    *n = 0;
    sqlite3_stmt *st = q(s, Q_BLOB_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        const void *p = sqlite3_column_blob(st, 0);
        *data = vg_xmalloc(len + 1);
        if (len)
            memcpy(*data, p, len);
        ((char *)*data)[len] = 0;
        *n = len;
        if (event_ms)
            *event_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VG_OK;
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "no baseline %s", key);
    return db_error(s, e, "baseline");
}

vg_err vg_store_each_blob(vg_store *s, const char *prefix, vg_store_blob_fn fn, void *ud,
                          vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_BLOB_EACH, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, prefix ? prefix : "");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int stop = fn(col_str(st, 0), sqlite3_column_blob(st, 1),
                      (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_int64(st, 2), ud);
        if (stop) {
            sqlite3_reset(st);
            return stop;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VG_OK : db_error(s, e, "baselines");
}

vg_err vg_store_expire_blobs(vg_store *s, int64_t now_ms, size_t *n, vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_BLOB_EXPIRE, e);
    if (!st)
        return VG_EIO;
    sqlite3_bind_int64(st, 1, now_ms);
    vg_err rc = run(s, st, e, "baseline expiry");
    if (n)
        *n = rc ? 0 : (size_t)sqlite3_changes(s->db);
    return rc;
}

/* ---- suppressions ---------------------------------------------------------------------------------- */

void vg_store_suppression_clear(vg_store_suppression *x)
{
    free(x->id);
    free(x->pattern_json);
    free(x->owner);
    free(x->reason);
    free(x->source);
    memset(x, 0, sizeof *x);
}

vg_err vg_store_put_suppression(vg_store *s, const vg_store_suppression *x, vg_store_change *chg,
                                vg_error *e)
{
    set_chg(chg, VG_STORE_UNCHANGED);
    sqlite3_stmt *st = q(s, Q_SUPP_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, x->id);
    int step = sqlite3_step(st);
    bool exists = step == SQLITE_ROW;
    bool same = exists && str_eq(col_str(st, 0), x->pattern_json) &&
                str_eq(col_str(st, 1), x->owner) && str_eq(col_str(st, 2), x->reason) &&
                sqlite3_column_int64(st, 3) == x->expires_ms &&
                str_eq(col_str(st, 4), x->source ? x->source : "config");
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_error(s, e, "suppression");
    if (same)
        return VG_OK;
    if (!(st = q(s, Q_SUPP_PUT, e)))
        return VG_EIO;
    bind_text(st, 1, x->id);
    bind_text(st, 2, x->pattern_json);
    bind_text(st, 3, x->owner);
    bind_text(st, 4, x->reason);
    sqlite3_bind_int64(st, 5, x->expires_ms);
    bind_text(st, 6, x->source ? x->source : "config");
    vg_err rc = run(s, st, e, "suppression");
    if (!rc)
        set_chg(chg, exists ? VG_STORE_UPDATED : VG_STORE_INSERTED);
    return rc;
}

vg_err vg_store_retain_suppressions(vg_store *s, const char *source, const vg_strlist *keep,
                                    vg_error *e)
{
    vg_strlist ids = {0};
    sqlite3_stmt *st = q(s, Q_SUPP_EACH_SOURCE, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, source);
    vg_err rc = collect_strings(s, st, &ids, e, "suppressions");
    for (size_t i = 0; !rc && i < ids.n; i++) {
        if (keep && vg_strlist_has(keep, ids.v[i]))
            continue;
        if (!(st = q(s, Q_SUPP_UNMARK, e))) {
            rc = VG_EIO;
            break;
        }
        bind_text(st, 1, ids.v[i]);
        if ((rc = run(s, st, e, "unsuppress")))
            break;
        if (!(st = q(s, Q_SUPP_DELETE, e))) {
            rc = VG_EIO;
            break;
        }
        bind_text(st, 1, ids.v[i]);
        rc = run(s, st, e, "suppression delete");
    }
    vg_strlist_free(&ids);
    return rc;
}

static bool suppression_row(sqlite3_stmt *st, vg_store_suppression *x, const void *arg)
{
    (void)arg;
    x->id = col_dup(st, 0);
    x->pattern_json = col_dup(st, 1);
    x->owner = col_dup(st, 2);
    x->reason = col_dup(st, 3);
    x->expires_ms = sqlite3_column_int64(st, 4);
    x->source = col_dup(st, 5);
    return true;
}
ROW_KIND(suppression, vg_store_suppression, vg_store_suppression_fn, suppression_row,
         vg_store_suppression_clear, true, "suppressions");

vg_err vg_store_each_suppression(vg_store *s, vg_store_suppression_fn fn, void *ud, vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_SUPP_EACH, e);
    return st ? each_row(s, st, &suppression_rows, NULL, (any_fn)fn, ud, e) : VG_EIO;
}

/* ---- imported intel files ---------------------------------------------------------------------- */

void vg_store_intel_clear(vg_store_intel *x)
{
    free(x->sha256);
    free(x->name);
    free(x->kind);
    free(x->content);
    memset(x, 0, sizeof *x);
}

vg_err vg_store_add_intel(vg_store *s, const vg_store_intel *x, vg_store_change *chg,
                          char *sha256_hex, vg_error *e)
{
    set_chg(chg, VG_STORE_UNCHANGED);
    if (x->size > (size_t)INT32_MAX)
        return vg_error_set(e, VG_ELIMIT, "intel %s: %zu bytes is too large", x->name, x->size);
    if (!str_eq(x->kind, "names") && !str_eq(x->kind, "indicators"))
        return vg_error_set(e, VG_EINVAL, "intel %s: kind '%s' is neither names nor indicators",
                            x->name, x->kind ? x->kind : "");
    uint8_t d[32];
    char hex[65];
    vg_sha256_digest(x->content ? x->content : "", x->size, d);
    vg_hex(d, sizeof d, hex);
    if (sha256_hex)
        memcpy(sha256_hex, hex, sizeof hex);
    sqlite3_stmt *st = q(s, Q_INTEL_HAS, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, hex);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_ROW)
        return VG_OK;
    if (step != SQLITE_DONE)
        return db_error(s, e, "intel");
    if (!(st = q(s, Q_INTEL_ADD, e)))
        return VG_EIO;
    bind_text(st, 1, hex);
    bind_text(st, 2, x->name);
    bind_text(st, 3, x->kind);
    sqlite3_bind_int64(st, 4, x->records);
    sqlite3_bind_int64(st, 5, x->imported_ms);
    sqlite3_bind_blob(st, 6, x->size ? x->content : "", (int)x->size, SQLITE_TRANSIENT);
    vg_err rc = run(s, st, e, "intel");
    if (!rc)
        set_chg(chg, VG_STORE_INSERTED);
    return rc;
}

/* Fills the record from a row (sha256, name, kind, records, imported_ms,
 * content[, size]); content is a NUL-terminated heap copy when not NULL. */
static void intel_from_row(sqlite3_stmt *st, vg_store_intel *x)
{
    x->sha256 = col_dup(st, 0);
    x->name = col_dup(st, 1);
    x->kind = col_dup(st, 2);
    x->records = sqlite3_column_int64(st, 3);
    x->imported_ms = sqlite3_column_int64(st, 4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        const void *p = sqlite3_column_blob(st, 5);
        x->size = (size_t)sqlite3_column_bytes(st, 5);
        x->content = vg_xmalloc(x->size + 1);
        if (x->size)
            memcpy(x->content, p, x->size);
        ((char *)x->content)[x->size] = 0;
    } else if (sqlite3_column_count(st) > 6) {
        x->size = (size_t)sqlite3_column_int64(st, 6);
    }
}

vg_err vg_store_get_intel(vg_store *s, const char *sha256, vg_store_intel *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = q(s, Q_INTEL_GET, e);
    if (!st)
        return VG_EIO;
    bind_text(st, 1, sha256);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        intel_from_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VG_OK;
    if (rc == SQLITE_DONE)
        return vg_error_set(e, VG_ENOTFOUND, "no imported intel file %s", sha256);
    return db_error(s, e, "intel");
}

static bool intel_row(sqlite3_stmt *st, vg_store_intel *x, const void *arg)
{
    (void)arg;
    intel_from_row(st, x);
    return true;
}
/* handed over as stepped: with their content, files are not all held at once */
ROW_KIND(intel, vg_store_intel, vg_store_intel_fn, intel_row, vg_store_intel_clear, false, "intel");

vg_err vg_store_each_intel(vg_store *s, bool with_content, vg_store_intel_fn fn, void *ud,
                           vg_error *e)
{
    sqlite3_stmt *st = q(s, Q_INTEL_EACH, e);
    if (!st)
        return VG_EIO;
    sqlite3_bind_int(st, 1, with_content);
    return each_row(s, st, &intel_rows, NULL, (any_fn)fn, ud, e);
}

/* ---- inspection ------------------------------------------------------------------------------------- */

/* Read-only queries over constant table names, prepared on demand. */
static int64_t count_of(vg_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

vg_err vg_store_stats_get(vg_store *s, vg_store_stats *o, vg_error *e)
{
    memset(o, 0, sizeof *o);
    o->orgs = count_of(s, "SELECT count(*) FROM organizations");
    o->findings = count_of(s, "SELECT count(*) FROM findings");
    o->suppressed = count_of(s, "SELECT count(*) FROM findings WHERE suppressed_by IS NOT NULL");
    o->entities = count_of(s, "SELECT count(*) FROM entities");
    o->campaigns = count_of(s, "SELECT count(*) FROM campaigns");
    o->members = count_of(s, "SELECT count(*) FROM campaign_members");
    o->notifications = count_of(s, "SELECT count(*) FROM notifications");
    o->deliveries = count_of(s, "SELECT count(*) FROM deliveries");
    o->pending = count_of(s, "SELECT count(*) FROM deliveries WHERE state = 'pending'");
    o->failed = count_of(s, "SELECT count(*) FROM deliveries WHERE state = 'failed'");
    o->ingest = count_of(s, "SELECT count(*) FROM ingest");
    o->blobs = count_of(s, "SELECT count(*) FROM baselines");
    o->suppressions = count_of(s, "SELECT count(*) FROM suppressions");
    o->intel_files = count_of(s, "SELECT count(*) FROM intel_files");
    if (o->orgs < 0 || o->findings < 0)
        return db_error(s, e, "stats");
    return VG_OK;
}

static const char *const DUMP_SQL[] = {
    "SELECT * FROM organizations ORDER BY id",
    "SELECT * FROM findings ORDER BY id",
    "SELECT * FROM entities ORDER BY finding_id, type, value",
    "SELECT * FROM campaigns ORDER BY id",
    "SELECT * FROM campaign_members ORDER BY campaign_id, finding_id",
    "SELECT * FROM notifications ORDER BY org, campaign_id, version",
    "SELECT * FROM deliveries ORDER BY org, campaign_id, version, channel",
    "SELECT * FROM ingest ORDER BY path",
    "SELECT * FROM suppressions ORDER BY id",
    "SELECT * FROM baselines ORDER BY key",
    "SELECT * FROM intel_files ORDER BY sha256",
};

vg_err vg_store_dump(vg_store *s, vg_buf *out, vg_error *e)
{
    for (size_t t = 0; t < sizeof DUMP_SQL / sizeof DUMP_SQL[0]; t++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, DUMP_SQL[t], -1, &st, NULL) != SQLITE_OK)
            return db_error(s, e, "dump");
        const char *table = DUMP_SQL[t] + strlen("SELECT * FROM ");
        size_t tlen = strcspn(table, " ");
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            vg_buf_append(out, table, tlen);
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                vg_buf_printf(out, "\t%s=", sqlite3_column_name(st, c));
                switch (sqlite3_column_type(st, c)) {
                case SQLITE_NULL: vg_buf_puts(out, "NULL"); break;
                case SQLITE_INTEGER:
                    vg_buf_printf(out, "%lld", (long long)sqlite3_column_int64(st, c));
                    break;
                case SQLITE_BLOB: {
                    const uint8_t *p = sqlite3_column_blob(st, c);
                    int n = sqlite3_column_bytes(st, c);
                    vg_buf_puts(out, "x'");
                    for (int i = 0; i < n; i++)
                        vg_buf_printf(out, "%02x", p[i]);
                    vg_buf_putc(out, '\'');
                    break;
                }
                default: {
                    const char *txt = col_str(st, c);
                    for (; *txt; txt++) /* one row per line */
                        vg_buf_putc(out, *txt == '\n' ? ' ' : *txt == '\t' ? ' ' : *txt);
                }
                }
            }
            vg_buf_putc(out, '\n');
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_error(s, e, "dump");
    }
    return VG_OK;
}
