/* testutil.h — shared helpers for cmocka tests. */
#ifndef VIGIL_TESTUTIL_H
#define VIGIL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vigil/core.h"

/* ctest treats exit 77 as "skipped" (SKIP_RETURN_CODE). */
#define VG_TEST_SKIP 77

/* Path under ../shared/data, or NULL (with a clear message on stderr) when the
 * corpus is absent, so the test can skip. */
const char *vg_test_shared(const char *rel);
/* Path under the source tree (tests/fixtures/...). Static buffer. */
const char *vg_test_src(const char *rel);
/* A fresh temporary directory (removed by the OS's tmp cleaning). */
const char *vg_test_tmpdir(void);
/* Runs a shell command, captures stdout (heap, caller frees) and returns the
 * exit status (or -1). */
int vg_test_run(const char *cmd, char **out);
/* The vigil binary under test. */
const char *vg_test_vigil(void);

#endif
