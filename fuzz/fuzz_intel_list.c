/* fuzz_intel_list.c — the plain indicator list and Tor exit list loaders on
 * arbitrary bytes (first byte picks the loader): never crash, and every
 * indicator loaded must be found again by looking up its own value. */
#include <stdint.h>
#include <stdlib.h>

#include "vigil/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    vg_iocset *s = vg_iocset_new();
    vg_error e = {0};
    const char *text = (const char *)data + 1;
    if (data[0] & 1)
        vg_iocset_load_tor_exits(s, text, size - 1, "fuzz-tor.txt", &e);
    else
        vg_iocset_load_list(s, text, size - 1, "fuzz.txt", (vg_shared_kind)(data[0] >> 1 & 3), &e);
    for (size_t i = 0; i < vg_iocset_count(s); i++) {
        const vg_indicator *d = vg_iocset_at(s, i);
        vg_ioc_hit h[4];
        if (vg_iocset_match(s, d->value, h, 4) == 0)
            abort();
        if ((data[0] & 1) && d->shared != VG_SHARED_TOR)
            abort();
    }
    vg_iocset_free(s);
    return 0;
}
