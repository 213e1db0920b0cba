/* arena.c — vg_arena: bump allocation for per-record data, released all at once.
 *
 * Layout
 *   An arena is a singly linked list of blocks, newest first. Each block is
 *   one malloc: a header, then `size` usable bytes of which `used` are taken.
 *   Allocations are cut from the head block at the next 16-byte aligned
 *   address (aligned in memory, not just as an offset, so malloc's own
 *   alignment does not matter). When the head block cannot fit a request a
 *   new block of the standard size becomes the head. A request larger than
 *   the standard size gets a block of its own, linked in *behind* the head so
 *   the free tail of the head block stays in use.
 *
 *   The first standard block is allocated with the arena and survives
 *   vg_arena_reset(), which frees every other block: a per-record arena
 *   whose records fit in one block never calls malloc after warm-up.
 *
 * Accounting
 *   vg_arena_used() counts the bytes requested since the last reset (not the
 *   alignment padding), a measure of how much a record needed.
 *
 * Sizes
 *   Every size computation is overflow-checked; a request that cannot be
 *   represented is a bug in the caller (input sizes are bounded before they
 *   get here) and panics, like vg_xmalloc on exhaustion.
 *
 * Finding overruns
 *   A bump allocator hides buffer overruns from ASan and valgrind because
 *   neighbouring allocations share one malloc. Two aids:
 *   - Built with AddressSanitizer, the unused part of every block and the
 *     padding after each allocation are poisoned, and each allocation is
 *     followed by a 16-byte poisoned red zone, so an overrun traps.
 *   - VIGIL_ARENA_DEBUG=1 in the environment (read when an arena is created)
 *     makes that arena malloc every allocation separately, like libgit2's
 *     GIT_DEBUG_POOL, so any malloc checker sees each one with its exact size.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

#if defined(__SANITIZE_ADDRESS__)
#define VG_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VG_ARENA_ASAN 1
#endif
#endif

#ifdef VG_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE 16
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define REDZONE 0
#endif

#define ALIGN 16
#define DEFAULT_BLOCK (64 * 1024)

typedef struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used; /* offset of the first free byte, from data() */
} block;

/* The usable bytes start right after the header. */
static inline unsigned char *data(block *b) { return (unsigned char *)(b + 1); }

/* Debug mode: one malloc per allocation, headed by this (16 bytes, so the
 * returned pointer keeps malloc's 16-byte alignment). */
typedef struct dbg_alloc {
    struct dbg_alloc *next;
    size_t n;
} dbg_alloc;

struct vg_arena {
    block *head;       /* current block; newest first */
    block *first;      /* the standard block kept by reset */
    size_t block_size; /* usable bytes of a standard block */
    size_t used;       /* bytes requested since reset */
    bool debug;        /* VIGIL_ARENA_DEBUG: one malloc per allocation */
    dbg_alloc *dbg;    /* debug mode allocations, newest first */
};

static size_t add_or_die(size_t a, size_t b)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r))
        vg_panic("arena: allocation size overflow (%zu + %zu)", a, b);
    return r;
}

/* A block whose usable area can hold `n` bytes after aligning its start. */
static block *block_new(size_t n)
{
    size_t usable = add_or_die(n, ALIGN - 1);
    block *b = vg_xmalloc(add_or_die(sizeof(block), usable));
    b->next = NULL;
    b->size = usable;
    b->used = 0;
    POISON(data(b), usable);
    return b;
}

static void block_free(block *b)
{
    UNPOISON(data(b), b->size);
    free(b);
}

vg_arena *vg_arena_new(size_t block_size)
{
    vg_arena *a = vg_xcalloc(1, sizeof *a);
    a->block_size = block_size ? block_size : DEFAULT_BLOCK;
    const char *dbg = getenv("VIGIL_ARENA_DEBUG");
    a->debug = dbg && dbg[0] && strcmp(dbg, "0") != 0;
    if (!a->debug) {
        a->first = block_new(a->block_size);
        a->head = a->first;
    }
    return a;
}

static void free_debug(vg_arena *a)
{
    dbg_alloc *d = a->dbg;
    while (d) {
        dbg_alloc *next = d->next;
        free(d);
        d = next;
    }
    a->dbg = NULL;
}

void vg_arena_free(vg_arena *a)
{
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *next = b->next;
        block_free(b);
        b = next;
    }
    free_debug(a);
    free(a);
}

void vg_arena_reset(vg_arena *a)
{
    block *b = a->head;
    while (b) {
        block *next = b->next;
        if (b != a->first)
            block_free(b);
        b = next;
    }
    if (a->first) {
        a->first->next = NULL;
        a->first->used = 0;
        POISON(data(a->first), a->first->size);
    }
    a->head = a->first;
    free_debug(a);
    a->used = 0;
}

/* Carves n bytes (plus the red zone) from b if they fit; NULL otherwise. */
static void *carve(block *b, size_t n)
{
    uintptr_t base = (uintptr_t)data(b);
    uintptr_t start = (base + b->used + (ALIGN - 1)) & ~(uintptr_t)(ALIGN - 1);
    size_t off = (size_t)(start - base);
    if (off > b->size || b->size - off < n)
        return NULL;
    size_t end = off + n;
    /* Keep the red zone (if any) and the alignment padding poisoned. */
    size_t rz = b->size - end;
    if (rz > REDZONE)
        rz = REDZONE;
    b->used = end + rz;
    UNPOISON((void *)start, n);
    return (void *)start;
}

void *vg_arena_alloc(vg_arena *a, size_t n)
{
    size_t want = n ? n : 1; /* distinct pointers even for empty requests */
    a->used = add_or_die(a->used, n);
    if (a->debug) {
        dbg_alloc *d = vg_xmalloc(add_or_die(sizeof(dbg_alloc), want));
        d->next = a->dbg;
        d->n = n;
        a->dbg = d;
        return d + 1;
    }
    void *p = carve(a->head, want);
    if (p)
        return p;
    if (want > a->block_size) {
        /* Oversize: its own block, behind the head so the head's tail is not lost. */
        block *big = block_new(want);
        big->next = a->head->next;
        a->head->next = big;
        p = carve(big, want);
    } else {
        block *b = block_new(a->block_size);
        b->next = a->head;
        a->head = b;
        p = carve(b, want);
    }
    if (!p)
        vg_panic("arena: fresh block cannot hold %zu bytes", want);
    return p;
}

void *vg_arena_calloc(vg_arena *a, size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n))
        vg_panic("arena: allocation size overflow (%zu x %zu)", count, size);
    void *p = vg_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *vg_arena_strdup(vg_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *d = vg_arena_alloc(a, add_or_die(n, 1));
    memcpy(d, s, n + 1);
    return d;
}

/* Copies at most n bytes of s, stopping early at a NUL (like strndup). */
char *vg_arena_strndup(vg_arena *a, const char *s, size_t n)
{
    size_t len = n ? strnlen(s, n) : 0;
    char *d = vg_arena_alloc(a, add_or_die(len, 1));
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* Formats twice: once to measure, once into the arena. NULL only if the
 * format itself is invalid (vsnprintf fails). */
/* One formatting pass when the text fits a small stack buffer (most do);
 * a second, into the arena, when it does not. */
char *vg_arena_vprintf(vg_arena *a, const char *fmt, va_list ap)
{
    char small[512];
    va_list cp;
    va_copy(cp, ap);
    int len = vsnprintf(small, sizeof small, fmt, cp);
    va_end(cp);
    if (len < 0)
        return NULL;
    if ((size_t)len < sizeof small)
        return vg_arena_strndup(a, small, (size_t)len);
    char *d = vg_arena_alloc(a, (size_t)len + 1);
    vsnprintf(d, (size_t)len + 1, fmt, ap);
    return d;
}

char *vg_arena_printf(vg_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vg_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

size_t vg_arena_used(const vg_arena *a) { return a->used; }
