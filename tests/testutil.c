/* testutil.c — shared helpers for cmocka tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

const char *vg_test_shared(const char *rel)
{
    static char path[4096];
    const char *base = getenv("VIGIL_SHARED");
    if (!base)
        base = VIGIL_SHARED_DIR;
    snprintf(path, sizeof path, "%s/data/%s", base, rel);
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "SKIP: shared corpus %s is absent\n", path);
        return NULL;
    }
    return path;
}

const char *vg_test_src(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", VIGIL_SOURCE_DIR, rel);
    return path;
}

const char *vg_test_tmpdir(void)
{
    static char path[256];
    const char *t = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vigil-test-XXXXXX", t ? t : "/tmp");
    if (!mkdtemp(path))
        return NULL;
    return path;
}

int vg_test_run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    vg_buf b;
    vg_buf_init(&b, 0);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        vg_buf_append(&b, chunk, n);
    int st = pclose(p);
    if (out)
        *out = vg_buf_steal(&b);
    else
        vg_buf_free(&b);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

const char *vg_test_vigil(void)
{
    const char *b = getenv("VIGIL_BIN");
    return b ? b : VIGIL_BINARY;
}
