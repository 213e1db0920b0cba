/* schema.c — the store's schema as a list of forward migrations, applied in
 * one transaction on open and recorded in PRAGMA user_version.
 *
 * Never edit a migration that has shipped: append a new one. Version N of the
 * schema is migrations[0..N-1] applied in order, so a database written by any
 * older vigil opens here and is brought forward without losing a row.
 */
#include <sqlite3.h>
#include <string.h>

#include "store/store_int.h"

/* Version 1: findings, campaigns, notifications, ingest offsets. */
static const char MIGRATION_1[] =
    "CREATE TABLE organizations ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  country TEXT NOT NULL DEFAULT '',"
    "  sector TEXT NOT NULL DEFAULT '',"
    "  config TEXT NOT NULL DEFAULT '{}'"
    ");"
    "CREATE TABLE findings ("
    "  id TEXT PRIMARY KEY,"
    "  revision INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  org TEXT NOT NULL,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  severity TEXT NOT NULL,"
    "  score INTEGER NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  actor TEXT NOT NULL DEFAULT '',"
    "  body TEXT NOT NULL,"
    "  body_hash TEXT NOT NULL"
    ");"
    "CREATE INDEX findings_org ON findings(org, last_seen);"
    "CREATE TABLE entities ("
    "  finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,"
    "  type TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (finding_id, type, value)"
    ") WITHOUT ROWID;"
    "CREATE INDEX entities_value ON entities(type, value);"
    "CREATE TABLE campaigns ("
    "  id TEXT PRIMARY KEY,"
    "  actor TEXT NOT NULL DEFAULT '',"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  body TEXT NOT NULL"
    ");"
    "CREATE TABLE campaign_members ("
    "  campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  finding_id TEXT NOT NULL,"
    "  org TEXT NOT NULL,"
    "  PRIMARY KEY (campaign_id, finding_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX members_org ON campaign_members(org, campaign_id);"
    "CREATE TABLE notifications ("
    "  org TEXT NOT NULL,"
    "  campaign_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  content_hash TEXT NOT NULL,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  facts TEXT NOT NULL,"
    "  PRIMARY KEY (org, campaign_id, version)"
    ") WITHOUT ROWID;"
    "CREATE TABLE deliveries ("
    "  org TEXT NOT NULL,"
    "  campaign_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  channel TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending','delivered','failed','superseded')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  target TEXT NOT NULL DEFAULT '',"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  delivered_ms INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (org, campaign_id, version, channel),"
    "  FOREIGN KEY (org, campaign_id, version)"
    "    REFERENCES notifications(org, campaign_id, version) ON DELETE CASCADE"
    ") WITHOUT ROWID;"
    "CREATE INDEX deliveries_state ON deliveries(state);"
    "CREATE TABLE ingest ("
    "  path TEXT PRIMARY KEY,"
    "  dev INTEGER NOT NULL,"
    "  ino INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  mtime_ns INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  records INTEGER NOT NULL DEFAULT 0,"
    "  rejected INTEGER NOT NULL DEFAULT 0"
    ");";

/* Version 2: suppressions (findings stay, marked), detector baselines. */
static const char MIGRATION_2[] =
    "ALTER TABLE findings ADD COLUMN suppressed_by TEXT;"
    "CREATE INDEX findings_kind ON findings(kind);"
    "CREATE TABLE suppressions ("
    "  id TEXT PRIMARY KEY,"
    "  pattern TEXT NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL DEFAULT 0,"
    "  source TEXT NOT NULL DEFAULT 'config'"
    ");"
    "CREATE TABLE baselines ("
    "  key TEXT PRIMARY KEY,"
    "  event_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL DEFAULT 0,"
    "  blob BLOB NOT NULL"
    ") WITHOUT ROWID;";

/* Version 3: intel files imported with `vigil intel import`, kept whole and
 * keyed by the SHA-256 of their bytes, loaded by every scan. */
static const char MIGRATION_3[] =
    "CREATE TABLE intel_files ("
    "  sha256 TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('names','indicators')),"
    "  records INTEGER NOT NULL DEFAULT 0,"
    "  imported_ms INTEGER NOT NULL,"
    "  content BLOB NOT NULL"
    ");"
    "CREATE INDEX intel_files_name ON intel_files(name, sha256);";

static const char *const migrations[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3};
_Static_assert(sizeof migrations / sizeof migrations[0] == VG_STORE_SCHEMA_VERSION,
               "one migration per schema version");

/* Runs a constant script statement by statement (each one prepared). */
static vg_err run_script(sqlite3 *db, const char *sql, int version, vg_error *e)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &next) != SQLITE_OK)
            return vg_error_set(e, VG_EIO, "store: migration %d: %s", version, sqlite3_errmsg(db));
        if (!st) /* whitespace or comment */
            break;
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            return vg_error_set(e, VG_EIO, "store: migration %d: %s", version, sqlite3_errmsg(db));
        tail = next;
    }
    return VG_OK;
}

static vg_err single_int(sqlite3 *db, const char *sql, int *out, vg_error *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return vg_error_set(e, VG_EIO, "store: %s", sqlite3_errmsg(db));
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vg_error_set(e, VG_EIO, "store: %s", sqlite3_errmsg(db));
    return VG_OK;
}

vg_err vg_store_read_version(sqlite3 *db, int *version, vg_error *e)
{
    return single_int(db, "PRAGMA user_version", version, e);
}

vg_err vg_store_migrate(sqlite3 *db, const char *path, int *from, vg_error *e)
{
    int v = 0;
    vg_err rc = vg_store_read_version(db, &v, e);
    if (rc)
        return rc;
    *from = v;
    if (v > VG_STORE_SCHEMA_VERSION)
        return vg_error_set(e, VG_EUNSUPPORTED,
                            "%s: database schema version %d is newer than this vigil (%d)", path,
                            v, VG_STORE_SCHEMA_VERSION);
    if (v == VG_STORE_SCHEMA_VERSION)
        return VG_OK;
    if ((rc = run_script(db, "BEGIN IMMEDIATE", v, e)))
        return rc;
    for (int i = v; i < VG_STORE_SCHEMA_VERSION; i++) {
        if ((rc = run_script(db, migrations[i], i + 1, e))) {
            run_script(db, "ROLLBACK", i + 1, NULL);
            return rc;
        }
    }
    /* PRAGMA takes no bound parameters; the value is a compile-time constant. */
#define STR2(x) #x
#define STR(x) STR2(x)
    if ((rc = run_script(db, "PRAGMA user_version = " STR(VG_STORE_SCHEMA_VERSION), 0, e)) ||
        (rc = run_script(db, "COMMIT", 0, e))) {
        run_script(db, "ROLLBACK", 0, NULL);
        return rc;
    }
    if (v > 0)
        vg_info("%s: store migrated from schema %d to %d", path, v, VG_STORE_SCHEMA_VERSION);
    return VG_OK;
}
