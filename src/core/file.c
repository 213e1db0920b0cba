/* file.c — whole-file reads with a size cap, atomic writes, mkdir -p.
 *
 * vg_file_read reads regular files, pipes and /proc-style files alike
 * (st_size is only a hint), refuses directories, and stops with VG_ELIMIT
 * once more than `max` bytes arrive rather than after allocating them.
 *
 * vg_file_write never leaves a half-written file under `path`: it writes
 * "<path>.tmp-<random>" in the same directory (so rename(2) cannot cross a
 * file system), fsyncs it, renames it over `path` and fsyncs the directory.
 * The temporary file is created with mode 0666 minus the umask, like any
 * file the process creates, and is removed on failure.
 *
 * Every error message names the path and the system's reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/core.h"

#define DEFAULT_MAX ((size_t)1 << 30) /* 1 GiB */

vg_err vg_file_read(const char *path, size_t max, char **out, size_t *len, vg_error *e)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (max == 0)
        max = DEFAULT_MAX;
    if (max > SIZE_MAX - 2)
        max = SIZE_MAX - 2; /* so max + 2 below cannot wrap */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vg_error_set(e, VG_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return vg_error_set(e, VG_EIO, "%s: %s", path, strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return vg_error_set(e, VG_EINVAL, "%s: is a directory", path);
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        close(fd);
        return vg_error_set(e, VG_ELIMIT, "%s: larger than the limit of %zu bytes", path, max);
    }
    /* Room for the expected size, one more byte to see EOF, and the NUL. */
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 2 : 65536;
    if (cap > max + 2)
        cap = max + 2;
    char *buf = vg_xmalloc(cap);
    size_t n = 0;
    for (;;) {
        if (n + 1 == cap) {
            if (n > max)
                break;
            size_t ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            if (ncap > max + 2)
                ncap = max + 2;
            buf = vg_xrealloc(buf, ncap);
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return vg_error_set(e, VG_EIO, "%s: read failed: %s", path, strerror(err));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(buf);
        return vg_error_set(e, VG_ELIMIT, "%s: larger than the limit of %zu bytes", path, max);
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return VG_OK;
}

static void fsync_dir_of(const char *path)
{
    char *copy = vg_xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse */
        close(fd);
    }
}

vg_err vg_file_write(const char *path, const void *data, size_t n, vg_error *e)
{
    size_t plen = strlen(path);
    if (plen == 0)
        return vg_error_set(e, VG_EINVAL, "empty path");
    char *tmp = vg_xmalloc(plen + 32);
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        uint8_t rnd[6];
        char hex[13];
        vg_random_bytes(rnd, sizeof rnd);
        vg_hex(rnd, sizeof rnd, hex);
        snprintf(tmp, plen + 32, "%s.tmp-%s", path, hex);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        vg_err r = vg_error_set(e, VG_EIO, "%s: cannot create temporary file: %s", path,
                                strerror(errno));
        free(tmp);
        return r;
    }
    const char *p = data;
    size_t left = n;
    const char *what = NULL;
    int err = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            what = "write failed";
            err = errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!what && fsync(fd) != 0) {
        what = "fsync failed";
        err = errno;
    }
    if (close(fd) != 0 && !what) {
        what = "close failed";
        err = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename failed";
        err = errno;
    }
    if (what) {
        unlink(tmp);
        free(tmp);
        return vg_error_set(e, VG_EIO, "%s: %s: %s", path, what, strerror(err));
    }
    free(tmp);
    fsync_dir_of(path);
    return VG_OK;
}

vg_err vg_mkdir_p(const char *path, vg_error *e)
{
    size_t len = strlen(path);
    if (len == 0)
        return vg_error_set(e, VG_EINVAL, "mkdir: empty path");
    char *p = vg_xstrdup(path);
    /* Create each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        if (i < len && p[i - 1] == '/')
            continue; /* "a//b": nothing new to create */
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int err = errno;
            vg_err r = vg_error_set(e, VG_EIO, "mkdir %s: %s", p, strerror(err));
            free(p);
            return r;
        }
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
            vg_err r = vg_error_set(e, VG_EIO, "mkdir %s: exists and is not a directory", p);
            free(p);
            return r;
        }
        p[i] = saved;
    }
    free(p);
    return VG_OK;
}
