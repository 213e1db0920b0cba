/* mail_source.c — iterate the raw messages under a path: one message, an
 * mbox, a Maildir, a directory tree, or stdin, told apart by content.
 *
 * Layout
 *   A source is a walk and a reader. The walk goes down a stack of directory
 *   listings (each sorted by byte order so output is deterministic) and
 *   names one file at a time; the reader opens it. Both are public so that
 *   several threads can read the files one thread walks. A regular file
 *   is mapped read-only (stdin is read into memory, bounded by
 *   max_input_bytes). An mbox is split at envelope lines ("From " + sender +
 *   a date) that start the file or follow an empty line; the envelope line is
 *   dropped, ">From " lines are unquoted one level (mboxrd; for mboxo this is
 *   the same for the lines that matter), and the empty line that separates
 *   messages is not part of the message. A file holding a single message is
 *   named by its path alone, even when it starts with an envelope line.
 *
 * Errors
 *   A file that cannot be read, is too big, or is not mail (when named
 *   directly) is one reject; a message over max_message_bytes is one
 *   reject; iteration goes on after each. Files inside directories that do
 *   not sniff as mail are skipped and counted, not rejected.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/mail.h"

#define MAX_DIR_DEPTH 64
#define SMALL_FILE (1u << 20)

typedef struct dir_level {
    char *path;
    char **names;
    size_t n, i;
} dir_level;

typedef struct msg_span {
    size_t off, len;
} msg_span;

struct vg_mail_reader {
    vg_mail_limits lim;
    char *file;       /* path */
    const char *data; /* mapped or read bytes */
    size_t len;
    bool mapped;
    char *heap; /* when read (stdin) */
    char *rbuf; /* reused for small files: read(2) beats mmap+munmap there */
    size_t rcap;
    msg_span *spans;
    size_t n_spans, cap_spans, next_span;
    char *name;      /* name of the current item */
    vg_buf unquoted; /* mboxrd unquoting */
    vg_mail_source_stats st;
};

struct vg_mail_source {
    char *root;
    bool started;
    bool root_is_dir;
    dir_level stack[MAX_DIR_DEPTH];
    int depth;
    char *walked;       /* path of the file next_file() returned last */
    vg_mail_reader rd; /* for vg_mail_source_next() */
};

static void close_file(vg_mail_reader *r)
{
    if (r->mapped && r->data)
        munmap((void *)r->data, r->len);
    free(r->heap);
    r->heap = NULL;
    r->data = NULL;
    r->len = 0;
    r->mapped = false;
    free(r->file);
    r->file = NULL;
    r->n_spans = r->next_span = 0;
}

static void reader_init(vg_mail_reader *r, const vg_mail_limits *limits)
{
    memset(r, 0, sizeof *r);
    if (limits)
        r->lim = *limits;
    else
        vg_mail_limits_default(&r->lim);
    vg_buf_init(&r->unquoted, 0);
}

static void reader_clear(vg_mail_reader *r)
{
    close_file(r);
    free(r->spans);
    free(r->rbuf);
    free(r->name);
    vg_buf_free(&r->unquoted);
}

vg_mail_reader *vg_mail_reader_new(const vg_mail_limits *limits)
{
    vg_mail_reader *r = vg_xmalloc(sizeof *r);
    reader_init(r, limits);
    return r;
}

void vg_mail_reader_free(vg_mail_reader *r)
{
    if (!r)
        return;
    reader_clear(r);
    free(r);
}

void vg_mail_reader_stats_get(const vg_mail_reader *r, vg_mail_source_stats *out) { *out = r->st; }

vg_err vg_mail_source_open(vg_mail_source **out, const char *path, const vg_mail_limits *limits,
                           vg_error *e)
{
    *out = NULL;
    if (!path || !*path)
        return vg_error_set(e, VG_EINVAL, "empty path");
    vg_mail_source *s = vg_xcalloc(1, sizeof *s);
    reader_init(&s->rd, limits);
    s->root = vg_xstrdup(path);
    if (strcmp(path, "-") != 0) {
        struct stat st;
        if (stat(path, &st) != 0) {
            vg_err rc = vg_error_set(e, VG_EIO, "%s: %s", path, strerror(errno));
            vg_mail_source_close(s);
            return rc;
        }
        s->root_is_dir = S_ISDIR(st.st_mode);
    }
    *out = s;
    return VG_OK;
}

void vg_mail_source_close(vg_mail_source *s)
{
    if (!s)
        return;
    reader_clear(&s->rd);
    for (int i = 0; i < s->depth; i++) {
        for (size_t k = 0; k < s->stack[i].n; k++)
            free(s->stack[i].names[k]);
        free(s->stack[i].names);
        free(s->stack[i].path);
    }
    free(s->walked);
    free(s->root);
    free(s);
}

void vg_mail_source_stats_get(const vg_mail_source *s, vg_mail_source_stats *out)
{
    *out = s->rd.st;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool slash = a && dir[a - 1] == '/';
    char *p = vg_xmalloc(a + b + 2);
    memcpy(p, dir, a);
    if (!slash)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A Maildir: has cur/ and new/ subdirectories. */
static bool is_maildir(const char *path)
{
    char *c = join(path, "cur"), *n = join(path, "new");
    bool r = is_dir(c) && is_dir(n);
    free(c);
    free(n);
    return r;
}

static vg_err push_dir(vg_mail_source *s, const char *path, vg_error *e)
{
    if (s->depth >= MAX_DIR_DEPTH)
        return vg_error_set(e, VG_ELIMIT, "%s: directories nested deeper than %d", path,
                            MAX_DIR_DEPTH);
    dir_level *lv = &s->stack[s->depth];
    memset(lv, 0, sizeof *lv);
    lv->path = vg_xstrdup(path);
    size_t cap = 0;
    if (is_maildir(path)) {
        lv->names = vg_xgrow(lv->names, &cap, 2, sizeof *lv->names);
        lv->names[lv->n++] = vg_xstrdup("cur");
        lv->names[lv->n++] = vg_xstrdup("new");
    } else {
        DIR *d = opendir(path);
        if (!d) {
            vg_err rc = vg_error_set(e, VG_EIO, "%s: %s", path, strerror(errno));
            free(lv->path);
            return rc;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            lv->names = vg_xgrow(lv->names, &cap, lv->n + 1, sizeof *lv->names);
            lv->names[lv->n++] = vg_xstrdup(de->d_name);
        }
        closedir(d);
        if (lv->n > 1)
            qsort(lv->names, lv->n, sizeof *lv->names, cmp_names);
    }
    s->depth++;
    return VG_OK;
}

static void pop_dir(vg_mail_source *s)
{
    dir_level *lv = &s->stack[--s->depth];
    for (size_t k = 0; k < lv->n; k++)
        free(lv->names[k]);
    free(lv->names);
    free(lv->path);
}

/* Splits r->data into messages. */
static void split(vg_mail_reader *r)
{
    const char *p = r->data;
    size_t n = r->len;
    r->n_spans = r->next_span = 0;
    if (!vg_mail_sniff_mbox(p, n)) {
        r->spans = vg_xgrow(r->spans, &r->cap_spans, 1, sizeof *r->spans);
        r->spans[0] = (msg_span){0, n};
        r->n_spans = 1;
        return;
    }
    /* Envelope lines start the file or follow an empty line. */
    size_t start = 0; /* of the current envelope line */
    for (;;) {
        const char *nl = memchr(p + start, '\n', n - start);
        size_t body = nl ? (size_t)(nl - p) + 1 : n;
        size_t next = n, end = n, q = body, prev_start = body;
        bool prev_empty = false;
        while (q < n) {
            const char *eol = memchr(p + q, '\n', n - q);
            size_t ls = eol ? (size_t)(eol - p) + 1 : n;
            size_t len = (eol ? (size_t)(eol - p) : n) - q;
            if (len && p[q + len - 1] == '\r')
                len--;
            if (prev_empty && len >= 5 && p[q] == 'F' && vg_mail_sniff_mbox(p + q, n - q)) {
                next = q;
                end = prev_start; /* the separating empty line is not part of the message */
                break;
            }
            prev_empty = len == 0;
            prev_start = q;
            q = ls;
        }
        r->spans = vg_xgrow(r->spans, &r->cap_spans, r->n_spans + 1, sizeof *r->spans);
        r->spans[r->n_spans++] = (msg_span){body, end - body};
        if (next >= n)
            break;
        start = next;
    }
}

/* Opens a file into r->data. For stdin reads everything (bounded). */
static vg_err open_file(vg_mail_reader *r, const char *path, vg_error *e)
{
    close_file(r);
    r->file = vg_xstrdup(path);
    if (strcmp(path, "-") == 0) {
        vg_buf b;
        vg_buf_init(&b, r->lim.max_input_bytes);
        char tmp[65536];
        ssize_t k;
        while ((k = read(0, tmp, sizeof tmp)) > 0) {
            if (!vg_buf_append(&b, tmp, (size_t)k))
                break;
        }
        if (b.failed) {
            vg_buf_free(&b);
            return vg_error_set(e, VG_ELIMIT, "-: stdin larger than %zu bytes",
                                r->lim.max_input_bytes);
        }
        if (k < 0) {
            vg_buf_free(&b);
            return vg_error_set(e, VG_EIO, "-: %s", strerror(errno));
        }
        r->len = b.n;
        r->heap = vg_buf_steal(&b);
        vg_buf_free(&b);
        r->data = r->heap ? r->heap : "";
        return VG_OK;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vg_error_set(e, VG_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return vg_error_set(e, VG_EIO, "%s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return vg_error_set(e, VG_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > r->lim.max_input_bytes) {
        close(fd);
        return vg_error_set(e, VG_ELIMIT, "%s: file of %lld bytes is over the %zu-byte limit",
                            path, (long long)st.st_size, r->lim.max_input_bytes);
    }
    r->len = (size_t)st.st_size;
    if (r->len == 0) {
        close(fd);
        r->data = "";
        return VG_OK;
    }
    if (r->len <= SMALL_FILE) {
        if (r->rcap < r->len + 1) {
            r->rcap = SMALL_FILE + 1;
            r->rbuf = vg_xrealloc(r->rbuf, r->rcap);
        }
        size_t got = 0;
        while (got < r->len) {
            ssize_t k = read(fd, r->rbuf + got, r->len - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        close(fd);
        r->rbuf[got] = 0;
        r->data = r->rbuf;
        r->len = got;
        return VG_OK;
    }
    void *m = mmap(NULL, r->len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        /* Fall back to read(2) (some file systems cannot map). */
        char *buf = vg_xmalloc(r->len + 1);
        size_t got = 0;
        while (got < r->len) {
            ssize_t k = read(fd, buf + got, r->len - got);
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        close(fd);
        buf[got] = 0;
        r->heap = buf;
        r->data = buf;
        r->len = got;
        return VG_OK;
    }
    close(fd);
    madvise(m, r->len, MADV_SEQUENTIAL);
    r->data = m;
    r->mapped = true;
    return VG_OK;
}

vg_err vg_mail_source_next_file(vg_mail_source *s, vg_mail_file *f, vg_error *e)
{
    memset(f, 0, sizeof *f);
    free(s->walked);
    s->walked = NULL;
    if (!s->started) {
        s->started = true;
        if (!s->root_is_dir) {
            s->walked = vg_xstrdup(s->root);
            f->path = s->walked;
            return VG_OK;
        }
        vg_err rc = push_dir(s, s->root, e);
        if (rc) {
            f->path = s->root;
            return rc;
        }
    }
    while (s->depth > 0) {
        dir_level *lv = &s->stack[s->depth - 1];
        if (lv->i >= lv->n) {
            pop_dir(s);
            continue;
        }
        char *p = join(lv->path, lv->names[lv->i++]);
        free(s->walked);
        s->walked = p;
        f->path = p;
        struct stat st;
        if (stat(p, &st) != 0)
            return vg_error_set(e, VG_EIO, "%s: %s", p, strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            vg_err rc = push_dir(s, p, e);
            if (rc)
                return rc;
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        f->size = (uint64_t)st.st_size;
        f->in_dir = true;
        return VG_OK;
    }
    f->path = NULL;
    return VG_ENOTFOUND;
}

static void set_name(vg_mail_reader *r, const char *path, size_t index, bool several)
{
    free(r->name);
    if (!several) {
        r->name = vg_xstrdup(path);
    } else {
        size_t n = strlen(path) + 24;
        r->name = vg_xmalloc(n);
        snprintf(r->name, n, "%s#%zu", path, index);
    }
}

/* True if the message holds a line ">+From " (mboxrd quoting). */
static bool needs_unquote(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '>' && (i == 0 || p[i - 1] == '\n')) {
            size_t k = i;
            while (k < n && p[k] == '>')
                k++;
            if (n - k >= 5 && memcmp(p + k, "From ", 5) == 0)
                return true;
        }
    }
    return false;
}

static void unquote(vg_buf *b, const char *p, size_t n)
{
    vg_buf_reset(b);
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t le = nl ? (size_t)(nl - p) + 1 : n;
        size_t k = i;
        while (k < le && p[k] == '>')
            k++;
        if (k > i && le - k >= 5 && memcmp(p + k, "From ", 5) == 0)
            vg_buf_append(b, p + i + 1, le - i - 1);
        else
            vg_buf_append(b, p + i, le - i);
        i = le;
    }
}

vg_err vg_mail_reader_open(vg_mail_reader *r, const vg_mail_file *f, vg_error *e)
{
    vg_err rc = open_file(r, f->path, e);
    if (rc) {
        close_file(r);
        r->st.rejects++;
        return rc;
    }
    size_t probe = r->len < 65536 ? r->len : 65536;
    if (!vg_mail_sniff(r->data, probe)) {
        if (f->in_dir) {
            r->st.skipped++;
            close_file(r);
            return VG_OK;
        }
        r->st.rejects++;
        rc = r->len == 0 ? vg_error_set(e, VG_EINVAL, "%s: empty file", f->path)
                         : vg_error_set(e, VG_EINVAL,
                                        "%s: not a mail message (no mail header block)", f->path);
        close_file(r);
        return rc;
    }
    split(r);
    return VG_OK;
}

vg_err vg_mail_reader_next(vg_mail_reader *r, vg_mail_item *item, vg_error *e)
{
    memset(item, 0, sizeof *item);
    if (!r->data || r->next_span >= r->n_spans)
        return VG_ENOTFOUND;
    size_t idx = r->next_span++;
    msg_span sp = r->spans[idx];
    set_name(r, r->file, idx + 1, r->n_spans > 1);
    item->name = r->name;
    item->path = r->file;
    item->index = (int64_t)idx + 1;
    item->offset = (int64_t)sp.off;
    if (sp.len > r->lim.max_message_bytes) {
        r->st.rejects++;
        return vg_error_set(e, VG_ELIMIT, "%s: message of %zu bytes is over the %zu-byte limit",
                            r->name, sp.len, r->lim.max_message_bytes);
    }
    const char *p = r->data + sp.off;
    if (r->n_spans > 1 && needs_unquote(p, sp.len)) {
        unquote(&r->unquoted, p, sp.len);
        item->data = r->unquoted.p;
        item->len = r->unquoted.n;
    } else {
        item->data = p;
        item->len = sp.len;
    }
    r->st.messages++;
    r->st.bytes += item->len;
    return VG_OK;
}

vg_err vg_mail_source_next(vg_mail_source *s, vg_mail_item *item, vg_error *e)
{
    for (;;) {
        vg_err rc = vg_mail_reader_next(&s->rd, item, e);
        if (rc != VG_ENOTFOUND)
            return rc;
        close_file(&s->rd);
        vg_mail_file f;
        rc = vg_mail_source_next_file(s, &f, e);
        if (rc == VG_ENOTFOUND)
            return rc;
        if (rc == VG_OK)
            rc = vg_mail_reader_open(&s->rd, &f, e);
        else
            s->rd.st.rejects++;
        if (rc) {
            set_name(&s->rd, f.path, 1, false);
            item->name = s->rd.name;
            item->path = s->rd.name;
            return rc;
        }
    }
}
