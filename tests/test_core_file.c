/* test_core_file.c — vg_file_read limits and errors, atomic vg_file_write, vg_mkdir_p. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char dir[256];

static const char *path_in(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static int count_entries(const char *d)
{
    DIR *dh = opendir(d);
    assert_non_null(dh);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dh)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dh);
    return n;
}

static void test_write_read(void **state)
{
    (void)state;
    vg_error e;
    vg_error_clear(&e);
    const char *p = path_in("a.txt");
    assert_int_equal(vg_file_write(p, "hello\0world", 11, &e), VG_OK);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(vg_file_read(p, 0, &data, &len, &e), VG_OK);
    assert_int_equal(len, 11);
    assert_memory_equal(data, "hello\0world", 12); /* NUL-terminated */
    free(data);
    /* Overwrite atomically; no temporary file is left behind. */
    assert_int_equal(vg_file_write(p, "new", 3, &e), VG_OK);
    assert_int_equal(vg_file_read(p, 0, &data, NULL, &e), VG_OK);
    assert_string_equal(data, "new");
    free(data);
    assert_int_equal(vg_file_write(path_in("empty"), NULL, 0, &e), VG_OK);
    assert_int_equal(vg_file_read(path_in("empty"), 0, &data, &len, &e), VG_OK);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);
    assert_int_equal(count_entries(dir), 2);
    /* The file gets normal permissions (0666 minus umask), not mkstemp's 0600. */
    mode_t um = umask(022);
    umask(um);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666 & ~um);
}

static void test_read_limits(void **state)
{
    (void)state;
    vg_error e;
    vg_error_clear(&e);
    const char *p = path_in("big.bin");
    size_t n = 200000;
    char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(i * 31);
    assert_int_equal(vg_file_write(p, buf, n, &e), VG_OK);
    char *data = (char *)1;
    size_t len = 99;
    assert_int_equal(vg_file_read(p, n - 1, &data, &len, &e), VG_ELIMIT);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(strstr(e.msg, p));
    assert_non_null(strstr(e.msg, "limit"));
    assert_int_equal(vg_file_read(p, n, &data, &len, &e), VG_OK); /* exactly at the cap */
    assert_int_equal(len, n);
    assert_memory_equal(data, buf, n);
    free(data);
    free(buf);
    /* A file whose size is unknown up front (st_size 0). */
    assert_int_equal(vg_file_read("/proc/self/status", 0, &data, &len, &e), VG_OK);
    assert_true(len > 0);
    assert_non_null(strstr(data, "Name:"));
    free(data);
    assert_int_equal(vg_file_read("/proc/self/status", 10, &data, &len, &e), VG_ELIMIT);
    assert_null(data);
}

static void test_read_errors(void **state)
{
    (void)state;
    vg_error e;
    vg_error_clear(&e);
    char *data = NULL;
    const char *missing = path_in("nope/missing.txt");
    assert_int_equal(vg_file_read(missing, 0, &data, NULL, &e), VG_EIO);
    assert_null(data);
    assert_int_equal(e.code, VG_EIO);
    assert_non_null(strstr(e.msg, missing));
    assert_non_null(strstr(e.msg, "No such file"));
    assert_int_equal(vg_file_read(dir, 0, &data, NULL, &e), VG_EINVAL);
    assert_non_null(strstr(e.msg, "is a directory"));
    assert_null(data);
    /* NULL error pointer is fine. */
    assert_int_equal(vg_file_read(missing, 0, &data, NULL, NULL), VG_EIO);
    /* Writing into a directory that does not exist fails and names the path. */
    assert_int_equal(vg_file_write(missing, "x", 1, &e), VG_EIO);
    assert_non_null(strstr(e.msg, missing));
    assert_int_equal(vg_file_write("", "x", 1, &e), VG_EINVAL);
    /* Renaming over a directory fails; the temporary file is removed. */
    assert_int_equal(mkdir(path_in("adir"), 0755), 0);
    int before = count_entries(dir);
    assert_int_equal(vg_file_write(path_in("adir"), "x", 1, &e), VG_EIO);
    assert_non_null(strstr(e.msg, "rename"));
    assert_int_equal(count_entries(dir), before);
}

static void test_mkdir_p(void **state)
{
    (void)state;
    vg_error e;
    vg_error_clear(&e);
    char p[512];
    snprintf(p, sizeof p, "%s/x/y//z/", dir);
    assert_int_equal(vg_mkdir_p(p, &e), VG_OK);
    struct stat st;
    snprintf(p, sizeof p, "%s/x/y/z", dir);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(vg_mkdir_p(p, &e), VG_OK); /* idempotent */
    /* A file in the way. */
    snprintf(p, sizeof p, "%s/x/file", dir);
    assert_int_equal(vg_file_write(p, "f", 1, &e), VG_OK);
    snprintf(p, sizeof p, "%s/x/file/sub", dir);
    assert_int_equal(vg_mkdir_p(p, &e), VG_EIO);
    assert_non_null(strstr(e.msg, "x/file"));
    assert_int_equal(vg_mkdir_p("", &e), VG_EINVAL);
    assert_int_equal(vg_mkdir_p("/", &e), VG_OK);
    /* Relative paths work too. */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(vg_mkdir_p("rel/a/b", &e), VG_OK);
    assert_int_equal(stat("rel/a/b", &st), 0);
    assert_int_equal(chdir(cwd), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *t = vg_test_tmpdir();
    if (!t)
        return -1;
    snprintf(dir, sizeof dir, "%s", t);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_read_limits),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_mkdir_p),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
