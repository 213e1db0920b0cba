/* htable.c — vg_htable: SipHash-keyed open addressing with expiry and an admission limit.
 *
 * Layout
 *   One array of `cap` slots, cap a power of two (>= 16), probed linearly from
 *   the home slot hash & (cap - 1). A slot holds the entry's full 64-bit
 *   SipHash, its expiry, the value pointer and the key as (heap copy,
 *   length); key == NULL marks an empty slot. Keys are copied into a malloc
 *   of their own (one byte for the empty key, so even it has a non-NULL
 *   copy): keys are arbitrary byte strings of any length, and one
 *   out-of-line copy keeps every slot 40 bytes, which matters more for probe
 *   speed than saving an allocation for short keys. Storing the hash means
 *   growth never rehashes a key, and a probe compares hashes before
 *   touching key bytes, so a lookup almost never reads a key that does not
 *   match.
 *
 * Load and growth
 *   The table doubles before an insert would take the load past 3/4, so
 *   there is always an empty slot and every probe terminates. max_entries
 *   (0 = no limit, for tables whose keys are not driven by input) is an
 *   admission limit: when count == max_entries an insert of a new key is
 *   refused (vg_htable_put returns NULL and `refused` is incremented) while
 *   existing keys can still be updated. Capacity therefore never exceeds the
 *   first power of two whose 3/4 holds max_entries.
 *
 *   vg_htable_put has no clock, so it never expires anything itself. A
 *   caller that wants "full after dropping expired entries" calls
 *   vg_htable_expire(t, now) before inserting, e.g. when
 *   vg_htable_count(t) reaches the limit, or on every event-time tick.
 *
 * Deletion: backward shift, no tombstones
 *   Removing the entry at slot i leaves a hole; the following entries of the
 *   cluster are examined in order and each one whose home slot is not in
 *   (hole, j] — i.e. which would be found earlier if it sat in the hole — is
 *   moved back into the hole, which then moves to where that entry was. The
 *   scan stops at the first empty slot. The table thus stays exactly as if
 *   the deleted key had never been inserted, and lookups never wade through
 *   tombstones left by expired state, which matters for a table that churns
 *   through millions of short-lived keys.
 *
 * Expiry
 *   Entries whose expires_at <= now are *still returned* by vg_htable_get()
 *   until vg_htable_expire(now) runs: the table has no clock. Callers that
 *   care compare expires_at themselves (vg_htable_next reports it).
 *   vg_htable_expire() walks the slots once, from 0 to cap - 1, deleting in
 *   place. This is correct with backward shift because a deletion at slot i
 *   only moves entries from *after* i (in cluster order) into holes at or
 *   after i: an entry that has not been visited yet can land in slot i,
 *   which is why the walk re-examines slot i after a deletion instead of
 *   advancing, but it never lands before i. The only entries that move
 *   "backwards" past the walk are those of a cluster that wraps around from
 *   the end of the array to its start; they were visited at the start of the
 *   walk and are merely visited again. So every entry is examined at least
 *   once and expired entries are never skipped. Cost: O(cap) plus the shifts.
 *
 * Values and destructors
 *   The value slot belongs to the caller; the table calls free_fn(value, ud)
 *   for non-NULL values when an entry is deleted, expired or the table is
 *   freed. Slot pointers returned by get/put are valid until the next
 *   put/del/expire/free.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

#define MIN_CAP 16

typedef struct slot {
    uint64_t hash;
    int64_t expires_at;
    void *value;
    char *key; /* heap copy; NULL = empty slot */
    size_t klen;
} slot;

struct vg_htable {
    slot *slots;
    size_t cap;  /* power of two */
    size_t mask; /* cap - 1 */
    size_t count;
    size_t max_entries; /* admission limit; SIZE_MAX when unlimited */
    size_t refused;
    uint8_t key[16]; /* SipHash key */
    vg_htable_free_fn free_fn;
    void *ud;
};

static slot *slots_new(size_t cap) { return vg_xcalloc(cap, sizeof(slot)); }

vg_htable *vg_htable_new_keyed(size_t max_entries, const uint8_t key[16], vg_htable_free_fn free_fn,
                               void *ud)
{
    vg_htable *t = vg_xcalloc(1, sizeof *t);
    t->cap = MIN_CAP;
    t->mask = MIN_CAP - 1;
    t->slots = slots_new(MIN_CAP);
    t->max_entries = max_entries ? max_entries : SIZE_MAX;
    memcpy(t->key, key, 16);
    t->free_fn = free_fn;
    t->ud = ud;
    return t;
}

vg_htable *vg_htable_new(size_t max_entries, vg_htable_free_fn free_fn, void *ud)
{
    uint8_t key[16];
    vg_random_bytes(key, sizeof key);
    return vg_htable_new_keyed(max_entries, key, free_fn, ud);
}

static void destroy(vg_htable *t, slot *s)
{
    if (s->value && t->free_fn)
        t->free_fn(s->value, t->ud);
    free(s->key);
    s->key = NULL;
    s->value = NULL;
}

void vg_htable_free(vg_htable *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key)
            destroy(t, &t->slots[i]);
    free(t->slots);
    free(t);
}

static inline uint64_t hash_key(const vg_htable *t, const void *key, size_t klen)
{
    return vg_siphash(t->key, key, klen);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const vg_htable *t, uint64_t h, const void *key, size_t klen)
{
    size_t i = (size_t)h & t->mask;
    for (;;) {
        const slot *s = &t->slots[i];
        if (!s->key)
            return i;
        if (s->hash == h && s->klen == klen && (klen == 0 || memcmp(s->key, key, klen) == 0))
            return i;
        i = (i + 1) & t->mask;
    }
}

static void grow(vg_htable *t)
{
    if (t->cap > SIZE_MAX / 2 / sizeof(slot))
        vg_panic("htable: capacity overflow");
    size_t ncap = t->cap * 2, nmask = ncap - 1;
    slot *ns = slots_new(ncap);
    for (size_t i = 0; i < t->cap; i++) {
        slot *s = &t->slots[i];
        if (!s->key)
            continue;
        size_t j = (size_t)s->hash & nmask;
        while (ns[j].key)
            j = (j + 1) & nmask;
        ns[j] = *s;
    }
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    t->mask = nmask;
}

void **vg_htable_get(vg_htable *t, const void *key, size_t klen)
{
    size_t i = probe(t, hash_key(t, key, klen), key, klen);
    return t->slots[i].key ? &t->slots[i].value : NULL;
}

void **vg_htable_put(vg_htable *t, const void *key, size_t klen, int64_t expires_at, bool *created)
{
    uint64_t h = hash_key(t, key, klen);
    size_t i = probe(t, h, key, klen);
    if (created)
        *created = false;
    if (t->slots[i].key) {
        t->slots[i].expires_at = expires_at;
        return &t->slots[i].value;
    }
    if (t->count >= t->max_entries) {
        t->refused++;
        return NULL;
    }
    /* Keep load <= 3/4 after this insert: (count + 1) / cap <= 3/4. */
    if ((t->count + 1) > t->cap / 4 * 3) {
        grow(t);
        i = probe(t, h, key, klen);
    }
    slot *s = &t->slots[i];
    s->key = vg_xmalloc(klen ? klen : 1);
    if (klen)
        memcpy(s->key, key, klen);
    s->klen = klen;
    s->hash = h;
    s->expires_at = expires_at;
    s->value = NULL;
    t->count++;
    if (created)
        *created = true;
    return &s->value;
}

/* Empties slot i (already destroyed) by backward shift; see the top comment. */
static void remove_at(vg_htable *t, size_t i)
{
    size_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        slot *s = &t->slots[j];
        if (!s->key)
            break;
        size_t home = (size_t)s->hash & t->mask;
        /* Movable iff its home is at or before the hole, i.e. its distance
         * from home is at least the hole's distance behind it. */
        if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
            t->slots[hole] = *s;
            hole = j;
        }
    }
    memset(&t->slots[hole], 0, sizeof(slot));
    t->count--;
}

bool vg_htable_del(vg_htable *t, const void *key, size_t klen)
{
    size_t i = probe(t, hash_key(t, key, klen), key, klen);
    if (!t->slots[i].key)
        return false;
    destroy(t, &t->slots[i]);
    remove_at(t, i);
    return true;
}

size_t vg_htable_expire(vg_htable *t, int64_t now)
{
    size_t dropped = 0;
    size_t i = 0;
    while (i < t->cap && t->count > 0) {
        slot *s = &t->slots[i];
        if (s->key && s->expires_at <= now) {
            destroy(t, s);
            remove_at(t, i);
            dropped++;
            continue; /* slot i may now hold an entry not examined yet */
        }
        i++;
    }
    return dropped;
}

size_t vg_htable_count(const vg_htable *t) { return t->count; }
size_t vg_htable_refused(const vg_htable *t) { return t->refused; }
size_t vg_htable_capacity(const vg_htable *t) { return t->cap; }

bool vg_htable_next(vg_htable *t, vg_htable_iter *it, const void **key, size_t *klen, void ***value,
                    int64_t *expires_at)
{
    while (it->i < t->cap) {
        slot *s = &t->slots[it->i++];
        if (!s->key)
            continue;
        if (key)
            *key = s->key;
        if (klen)
            *klen = s->klen;
        if (value)
            *value = &s->value;
        if (expires_at)
            *expires_at = s->expires_at;
        return true;
    }
    return false;
}
