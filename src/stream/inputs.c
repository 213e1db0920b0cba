/* inputs.c — what `vigil scan` was given: paths expanded (directories
 * recursively, Maildirs as one input), each file's kind recognized by its
 * content (never its name) and its fingerprint taken (device, inode, size,
 * mtime, SHA-256) so an unchanged input can be recognized next time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/auth.h"
#include "stream/stream_int.h"

#define SNIFF_BYTES 65536
#define MAX_DEPTH 32
#define MAX_FILES 200000

const char *vg_input_kind_name(vg_input_kind k)
{
    switch (k) {
    case VG_IN_MAIL: return "mail";
    case VG_IN_SIGNINS: return "signins";
    case VG_IN_FINDINGS: return "findings";
    default: return "unknown";
    }
}

void vg_inputs_free(vg_inputs *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static vg_input *push(vg_inputs *l, const char *path)
{
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    vg_input *in = &l->v[l->n++];
    memset(in, 0, sizeof *in);
    in->path = vg_xstrdup(path);
    return in;
}

/* One line of findings JSON (what `vigil signins --json` / `vigil mail
 * --json` findings and other vigil instances emit). */
static bool sniff_findings(const char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i >= n || buf[i] != '{')
        return false;
    const char *nl = memchr(buf + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
    if (!nl && n == SNIFF_BYTES)
        return false; /* a first line longer than the sniff window: not ours */
    vg_finding *f = vg_finding_from_json(buf + i, len, NULL);
    bool ok = f != NULL;
    vg_finding_free(f);
    return ok;
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* Reads the file once: the first bytes for sniffing, all of them for the hash. */
static bool fingerprint_file(vg_input *in, char *head, size_t *head_n, vg_strlist *problems)
{
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        vg_strlist_addf(problems, "%s: %s", in->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        in->failed = true;
        return false;
    }
    in->dev = (int64_t)st.st_dev;
    in->ino = (int64_t)st.st_ino;
    in->size = (int64_t)st.st_size;
    in->mtime_ns = mtime_ns(&st);
    vg_sha256 h;
    vg_sha256_init(&h);
    char buf[65536];
    *head_n = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            vg_strlist_addf(problems, "%s: read failed: %s", in->path, strerror(errno));
            in->failed = true;
            close(fd);
            vg_sha256_final(&h, (uint8_t[32]){0});
            return false;
        }
        if (r == 0)
            break;
        if (*head_n < SNIFF_BYTES) {
            size_t take = (size_t)r < SNIFF_BYTES - *head_n ? (size_t)r : SNIFF_BYTES - *head_n;
            memcpy(head + *head_n, buf, take);
            *head_n += take;
        }
        vg_sha256_update(&h, buf, (size_t)r);
    }
    close(fd);
    uint8_t dg[32];
    vg_sha256_final(&h, dg);
    vg_hex(dg, 32, in->sha256);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a directory (hidden ones skipped). */
static char **list_dir(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        v = vg_xgrow(v, &cap, *n + 1, sizeof *v);
        v[(*n)++] = vg_xstrdup(de->d_name);
    }
    closedir(d);
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_maildir(const char *p)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/cur", p);
    snprintf(b, sizeof b, "%s/new", p);
    return is_dir(a) && is_dir(b);
}

/* A Maildir's fingerprint: its messages' names, sizes and times. */
static void fingerprint_maildir(vg_input *in, vg_strlist *problems)
{
    struct stat st;
    if (stat(in->path, &st) != 0) {
        vg_strlist_addf(problems, "%s: %s", in->path, strerror(errno));
        in->failed = true;
        return;
    }
    in->dev = (int64_t)st.st_dev;
    in->ino = (int64_t)st.st_ino;
    vg_sha256 h;
    vg_sha256_init(&h);
    const char *subs[] = {"cur", "new"};
    int64_t total = 0, newest = 0;
    for (int s = 0; s < 2; s++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", in->path, subs[s]);
        size_t n;
        char **names = list_dir(dir, &n);
        for (size_t i = 0; i < n; i++) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", dir, names[i]);
            struct stat fs;
            if (stat(p, &fs) != 0 || !S_ISREG(fs.st_mode))
                continue;
            char line[8400];
            int len = snprintf(line, sizeof line, "%s/%s\t%lld\t%lld\n", subs[s], names[i],
                               (long long)fs.st_size, (long long)mtime_ns(&fs));
            vg_sha256_update(&h, line, (size_t)len);
            total += fs.st_size;
            if (mtime_ns(&fs) > newest)
                newest = mtime_ns(&fs);
        }
        free_list(names, n);
    }
    in->size = total;
    in->mtime_ns = newest;
    uint8_t dg[32];
    vg_sha256_final(&h, dg);
    vg_hex(dg, 32, in->sha256);
}

static void classify(vg_input *in, const vg_auth_config *acfg, vg_strlist *problems)
{
    char *head = vg_xmalloc(SNIFF_BYTES);
    size_t n = 0;
    if (fingerprint_file(in, head, &n, problems)) {
        if (n == 0)
            in->kind = VG_IN_UNKNOWN;
        else if (sniff_findings(head, n))
            in->kind = VG_IN_FINDINGS;
        else if (vg_auth_sniff(acfg, head, n) != VG_AUTH_FMT_UNKNOWN)
            in->kind = VG_IN_SIGNINS;
        else if (vg_stream_sniff_mail(head, n))
            in->kind = VG_IN_MAIL;
        else
            in->kind = VG_IN_UNKNOWN;
    }
    free(head);
}

static void walk(const char *path, int depth, const vg_auth_config *acfg, vg_inputs *out,
                 vg_strlist *problems)
{
    if (out->n >= MAX_FILES) {
        vg_strlist_addf(problems, "%s: more than %d input files, the rest skipped", path, MAX_FILES);
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        vg_input *in = push(out, path);
        in->failed = true;
        vg_strlist_addf(problems, "%s: %s", path, strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (is_maildir(path)) {
            vg_input *in = push(out, path);
            in->kind = VG_IN_MAIL;
            in->maildir = true;
            fingerprint_maildir(in, problems);
            out->total_bytes += in->size;
            return;
        }
        if (depth >= MAX_DEPTH) {
            vg_strlist_addf(problems, "%s: directories nested too deep, skipped", path);
            return;
        }
        size_t n;
        char **names = list_dir(path, &n);
        for (size_t i = 0; i < n; i++) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", path, names[i]);
            walk(p, depth + 1, acfg, out, problems);
        }
        free_list(names, n);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        vg_strlist_addf(problems, "%s: not a regular file, skipped", path);
        return;
    }
    vg_input *in = push(out, path);
    classify(in, acfg, problems);
    out->total_bytes += in->size;
}

void vg_inputs_collect(const char *const *paths, size_t n, const vg_auth_config *acfg,
                       vg_inputs *out, vg_strlist *problems)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0) {
            vg_strlist_add(problems, "-: scan reads files (standard input cannot be fingerprinted); "
                                     "use vigil mail or vigil signins for a stream");
            continue;
        }
        /* Keep a given path as given, but without trailing slashes. */
        char *p = vg_xstrdup(paths[i]);
        size_t l = strlen(p);
        while (l > 1 && p[l - 1] == '/')
            p[--l] = 0;
        walk(p, 0, acfg, out, problems);
        free(p);
    }
}
