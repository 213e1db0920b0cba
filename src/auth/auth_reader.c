/* auth_reader.c — whole inputs, delivered in event-time order (batch mode).
 *
 * Exports come in any order: Graph pages newest first, Log Analytics sorted
 * either way, syslog oldest first with a few seconds of jitter. Each input is
 * parsed by its own vg_auth_source into a min-heap on (time, input order):
 *
 *   probe    the first PROBE_EVENTS events are held. If none of them is older
 *            than the running maximum minus the window (W = 10 minutes), the
 *            input is "nearly sorted" and switches to streaming;
 *            otherwise it is held whole and sorted at its end.
 *   stream   an event leaves the heap once the input has moved W past it, so
 *            memory holds W of events, whatever the input's size.
 *   hold     everything is kept (up to max_events, default 4M; past that the
 *            oldest leave early and anything older that turns up later is
 *            counted as `late` and delivered anyway).
 *
 * Several inputs are merged k-way on their heads, so detectors see one
 * timeline even when, say, interactive and non-interactive Entra exports
 * cover the same days.
 *
 * A held event is one malloc: the struct followed by its strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth_internal.h"

#define PROBE_EVENTS 10000
#define SORT_WINDOW_MS (10 * 60 * 1000)
#define READ_CHUNK (1u << 20)
#define MAX_OPEN 256
#define STDERR_REJECTS 1000

typedef struct held {
    int64_t t;
    uint64_t seq;
    vg_auth_event *ev;
} held;

typedef enum { S_PROBE = 0, S_STREAM, S_HOLD } sort_mode;

typedef struct stream {
    vg_auth_reader *r;
    char *name;
    int fd;
    bool own_fd, eof, done;
    const char *mem; /* or a buffer in memory */
    size_t mem_len, mem_off;
    vg_auth_source *src;
    held *heap;
    size_t n, cap;
    uint64_t seq;
    int64_t max_seen, running_max, delivered_max;
    bool delivered_any;
    sort_mode mode;
    size_t seen;
} stream;

struct vg_auth_reader {
    const vg_auth_config *cfg;
    vg_auth_reject_fn rej;
    void *rej_ud;
    FILE *rej_file;
    bool sort;
    size_t max_events;
    vg_auth_stats stats;
    int64_t stderr_rejects;
    char *buf;
};

vg_auth_reader *vg_auth_reader_new(const vg_auth_config *cfg)
{
    vg_auth_reader *r = vg_xcalloc(1, sizeof *r);
    r->cfg = cfg;
    r->sort = true;
    r->max_events = 4u << 20;
    r->buf = vg_xmalloc(READ_CHUNK);
    return r;
}

void vg_auth_reader_free(vg_auth_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

void vg_auth_reader_set_rejects(vg_auth_reader *r, vg_auth_reject_fn fn, void *ud)
{
    r->rej = fn;
    r->rej_ud = ud;
}

void vg_auth_reader_set_rejects_file(vg_auth_reader *r, FILE *f) { r->rej_file = f; }

void vg_auth_reader_set_sort(vg_auth_reader *r, bool on, size_t max_events)
{
    r->sort = on;
    if (max_events)
        r->max_events = max_events;
}

const vg_auth_stats *vg_auth_reader_stats(const vg_auth_reader *r) { return &r->stats; }

static void on_reject(const char *file, int64_t line, const char *reason, void *ud)
{
    vg_auth_reader *r = ud;
    if (r->rej_file)
        fprintf(r->rej_file, "%s:%lld: %s\n", file, (long long)line, reason);
    if (r->rej) {
        r->rej(file, line, reason, r->rej_ud);
        return;
    }
    r->stderr_rejects++;
    if (r->stderr_rejects <= STDERR_REJECTS)
        fprintf(stderr, "%s:%lld: %s\n", file, (long long)line, reason);
    else if (r->stderr_rejects == STDERR_REJECTS + 1)
        fprintf(stderr, "(further rejected lines are counted but not shown%s)\n",
                r->rej_file ? "; all are in the rejects file" : "");
}

/* ---- packing ------------------------------------------------------------------------ */

static vg_auth_event *pack(const vg_auth_event *ev)
{
    const char *strs[] = {ev->org,  ev->account,   ev->account_raw,    ev->account_domain,
                          ev->code, ev->reason,    ev->app,            ev->user_agent,
                          ev->correlation_id, ev->tenant_id, ev->host, ev->source_host,
                          ev->file};
    enum { NS = sizeof strs / sizeof strs[0] };
    size_t len[NS], total = sizeof(vg_auth_event);
    for (size_t i = 0; i < NS; i++) {
        len[i] = strs[i] ? strlen(strs[i]) : 0;
        total += len[i] + 1;
    }
    vg_auth_event *c = vg_xmalloc(total);
    *c = *ev;
    char *p = (char *)(c + 1);
    const char **dst[] = {&c->org,  &c->account,   &c->account_raw,    &c->account_domain,
                          &c->code, &c->reason,    &c->app,            &c->user_agent,
                          &c->correlation_id, &c->tenant_id, &c->host, &c->source_host,
                          &c->file};
    for (size_t i = 0; i < NS; i++) {
        if (len[i])
            memcpy(p, strs[i], len[i]);
        p[len[i]] = '\0';
        *dst[i] = p;
        p += len[i] + 1;
    }
    return c;
}

/* ---- heap ------------------------------------------------------------------------------ */

static bool less(const held *a, const held *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_push(stream *s, held h)
{
    if (s->n == s->cap)
        s->heap = vg_xgrow(s->heap, &s->cap, s->n + 1, sizeof *s->heap);
    size_t i = s->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(&h, &s->heap[p]))
            break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = h;
}

static held heap_pop(stream *s)
{
    held top = s->heap[0];
    held last = s->heap[--s->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, rr = l + 1, m = i;
        const held *cand = &last;
        if (l < s->n && less(&s->heap[l], cand)) {
            m = l;
            cand = &s->heap[l];
        }
        if (rr < s->n && less(&s->heap[rr], cand))
            m = rr;
        if (m == i)
            break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (s->n)
        s->heap[i] = last;
    return top;
}

/* ---- streams ------------------------------------------------------------------------------ */

static int on_event(const vg_auth_event *ev, void *ud)
{
    stream *s = ud;
    vg_auth_reader *r = s->r;
    held h = {ev->time_ms, s->seq++, pack(ev)};
    if (!r->sort) {
        h.t = (int64_t)h.seq; /* input order */
        heap_push(s, h);
        return 0;
    }
    if (s->delivered_any && ev->time_ms < s->delivered_max)
        r->stats.late++;
    if (s->mode == S_PROBE) {
        if (s->seen && ev->time_ms < s->running_max - SORT_WINDOW_MS)
            s->mode = S_HOLD;
        else if (s->seen + 1 >= PROBE_EVENTS)
            s->mode = S_STREAM;
    }
    if (!s->seen || ev->time_ms > s->running_max)
        s->running_max = ev->time_ms;
    s->seen++;
    heap_push(s, h);
    return 0;
}

/* Can the heap's top leave now? */
static bool ready(const stream *s)
{
    if (!s->n)
        return false;
    if (s->done || !s->r->sort)
        return true;
    if (s->n > s->r->max_events)
        return true;
    return s->mode == S_STREAM && s->heap[0].t <= s->running_max - SORT_WINDOW_MS;
}

static void stream_close_input(stream *s)
{
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Reads one chunk into the source; at the end finishes it. */
static void pump(stream *s)
{
    vg_auth_reader *r = s->r;
    if (s->done)
        return;
    if (s->mem) {
        size_t n = s->mem_len - s->mem_off;
        if (n > READ_CHUNK)
            n = READ_CHUNK;
        if (n) {
            vg_auth_source_feed(s->src, s->mem + s->mem_off, n, on_event, s);
            s->mem_off += n;
            return;
        }
    } else {
        ssize_t n;
        do
            n = read(s->fd, r->buf, READ_CHUNK);
        while (n < 0 && errno == EINTR);
        if (n > 0) {
            vg_auth_source_feed(s->src, r->buf, (size_t)n, on_event, s);
            return;
        }
        if (n < 0)
            vg_warn("%s: read error: %s", s->name, strerror(errno));
    }
    vg_auth_source_finish(s->src, on_event, s);
    stream_close_input(s);
    s->done = true;
}

static void stream_free(stream *s)
{
    if (s->src) {
        vg_auth_stats_add(&s->r->stats, vg_auth_source_stats(s->src));
        vg_auth_source_free(s->src);
    }
    while (s->n)
        free(heap_pop(s).ev);
    free(s->heap);
    stream_close_input(s);
    free(s->name);
}

static vg_err stream_open(vg_auth_reader *r, stream *s, const char *path, vg_error *e)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    s->fd = -1;
    s->name = vg_xstrdup(path);
    int64_t ref = 0;
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return vg_error_set(e, VG_EIO, "%s: cannot open: %s", path, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                close(fd);
                return vg_error_set(e, VG_EIO, "%s: is a directory", path);
            }
            ref = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        }
        s->fd = fd;
        s->own_fd = true;
    }
    s->src = vg_auth_source_new(r->cfg, path, VG_AUTH_FMT_AUTO, ref);
    vg_auth_source_set_rejects(s->src, on_reject, r);
    return VG_OK;
}

/* Delivers merged events of streams [0, n). */
static int merge(stream *ss, size_t n, vg_auth_event_fn fn, void *ud)
{
    for (;;) {
        stream *best = NULL;
        bool pending = false;
        for (size_t i = 0; i < n; i++) {
            stream *s = &ss[i];
            while (!ready(s) && !s->done)
                pump(s);
            if (!s->n)
                continue;
            pending = true;
            if (!best || less(&s->heap[0], &best->heap[0]))
                best = s;
        }
        if (!pending)
            return 0;
        held h = heap_pop(best);
        if (!best->delivered_any || h.ev->time_ms > best->delivered_max)
            best->delivered_max = h.ev->time_ms;
        best->delivered_any = true;
        int rc = fn ? fn(h.ev, ud) : 0;
        free(h.ev);
        if (rc)
            return rc;
    }
}

vg_err vg_auth_read_files(vg_auth_reader *r, const char *const *paths, size_t n,
                          vg_auth_event_fn fn, void *ud, vg_error *e)
{
    vg_err result = VG_OK;
    for (size_t base = 0; base < n; base += MAX_OPEN) {
        size_t k = n - base < MAX_OPEN ? n - base : MAX_OPEN;
        stream *ss = vg_xcalloc(k, sizeof *ss);
        size_t open_n = 0;
        for (size_t i = 0; i < k; i++) {
            vg_error err = {0};
            if (stream_open(r, &ss[open_n], paths[base + i], &err) != VG_OK) {
                vg_error_set(e, VG_EIO, "%s", err.msg);
                vg_error_log("%s", err.msg);
                free(ss[open_n].name);
                result = VG_EIO;
                continue;
            }
            open_n++;
        }
        int rc = merge(ss, open_n, fn, ud);
        for (size_t i = 0; i < open_n; i++)
            stream_free(&ss[i]);
        free(ss);
        if (rc)
            return rc;
    }
    return result;
}

vg_err vg_auth_read_file(vg_auth_reader *r, const char *path, vg_auth_event_fn fn, void *ud,
                         vg_error *e)
{
    const char *paths[1] = {path};
    return vg_auth_read_files(r, paths, 1, fn, ud, e);
}

vg_err vg_auth_read_buffer(vg_auth_reader *r, const char *name, const void *buf, size_t n,
                           vg_auth_event_fn fn, void *ud, vg_error *e)
{
    (void)e;
    stream s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.fd = -1;
    s.name = vg_xstrdup(name ? name : "(buffer)");
    s.mem = buf;
    s.mem_len = n;
    s.src = vg_auth_source_new(r->cfg, s.name, VG_AUTH_FMT_AUTO, 0);
    vg_auth_source_set_rejects(s.src, on_reject, r);
    int rc = merge(&s, 1, fn, ud);
    stream_free(&s);
    return rc;
}

/* ---- all events in memory ------------------------------------------------------------- */

static int collect(const vg_auth_event *ev, void *ud)
{
    vg_auth_events *l = ud;
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = *vg_auth_event_copy(l->arena, ev);
    return 0;
}

vg_err vg_auth_read_all(vg_auth_reader *r, const char *path, vg_auth_events *out, vg_error *e)
{
    if (!out->arena)
        out->arena = vg_arena_new(0);
    return vg_auth_read_file(r, path, collect, out, e);
}

void vg_auth_events_free(vg_auth_events *l)
{
    free(l->v);
    vg_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}
