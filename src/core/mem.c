/* mem.c — allocation that aborts on exhaustion, with overflow-checked sizes.
 * Input-driven sizes are bounded by limits before they reach here. */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

void *vg_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        vg_panic("out of memory allocating %zu bytes", n);
    return p;
}

void *vg_xcalloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        vg_panic("allocation size overflow (%zu x %zu)", count, size);
    void *p = calloc(total ? total : 1, 1);
    if (!p)
        vg_panic("out of memory allocating %zu bytes", total);
    return p;
}

void *vg_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        vg_panic("out of memory reallocating to %zu bytes", n);
    return q;
}

char *vg_xstrdup(const char *s) { return vg_xstrndup(s, strlen(s)); }

char *vg_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = vg_xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void *vg_xgrow(void *p, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            vg_panic("array growth overflow");
        c *= 2;
    }
    size_t bytes;
    if (__builtin_mul_overflow(c, elem_size, &bytes))
        vg_panic("array growth overflow");
    p = vg_xrealloc(p, bytes);
    *cap = c;
    return p;
}
