/* fuzz_intel.h — the shared body of the JSON indicator-loader fuzz targets
 * (STIX 2.1, MISP): load arbitrary bytes or fail with a message naming the
 * source, never crash, and every indicator loaded must be found again by
 * looking up its own value. */
#ifndef VIGIL_FUZZ_INTEL_H
#define VIGIL_FUZZ_INTEL_H

#include <stdint.h>
#include <stdlib.h>

#include "vigil/intel.h"

static vg_catalog *cat;

static void check(const vg_iocset *s)
{
    for (size_t i = 0; i < vg_iocset_count(s); i++) {
        const vg_indicator *d = vg_iocset_at(s, i);
        vg_ioc_hit h[4];
        if (vg_iocset_match(s, d->value, h, 4) == 0)
            abort(); /* a normalized value must match itself */
        if (d->valid_until <= d->valid_from)
            abort();
    }
    for (size_t i = 0; i < vg_iocset_reject_count(s) && vg_iocset_reject(s, i); i++)
        (void)vg_iocset_reject(s, i)[0];
}

typedef vg_err (*fuzz_intel_loader)(vg_iocset *s, const char *json, size_t n, const char *name,
                                    vg_error *e);

static int fuzz_intel_json_loader(fuzz_intel_loader load, const uint8_t *data, size_t size)
{
    if (!cat) {
        cat = vg_catalog_new();
        vg_catalog_load_builtin(cat, NULL);
    }
    vg_iocset *s = vg_iocset_new();
    vg_iocset_set_catalog(s, cat);
    vg_error e = {0};
    if (load(s, (const char *)data, size, "fuzz.json", &e) != VG_OK && !e.msg[0])
        abort(); /* a failure must say why */
    check(s);
    vg_iocset_free(s);
    return 0;
}

#endif
