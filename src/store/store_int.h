/* store_int.h — internals shared by the store's source files. */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include <sqlite3.h>

#include "vigil/store.h"

/* schema.c */
vg_err vg_store_read_version(sqlite3 *db, int *version, vg_error *e);
/* Brings the schema to VG_STORE_SCHEMA_VERSION; *from = version found. */
vg_err vg_store_migrate(sqlite3 *db, const char *path, int *from, vg_error *e);

#endif
