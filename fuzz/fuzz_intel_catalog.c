/* fuzz_intel_catalog.c — the catalog loaders (Microsoft naming map, ATT&CK
 * bundle, MISP galaxy, actors YAML; first byte picks one) merged over the
 * built-in catalog: never crash, and every (name, actor) pair must resolve to
 * a set of candidates that holds its actor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    vg_catalog *c = vg_catalog_new();
    vg_catalog_load_builtin(c, NULL);
    vg_error e = {0};
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    vg_err rc;
    switch (data[0] & 3) {
    case 0: rc = vg_catalog_merge_microsoft(c, text, n, "fuzz.json", &e); break;
    case 1: rc = vg_catalog_merge_attack(c, text, n, "fuzz.json", &e); break;
    case 2: rc = vg_catalog_merge_misp_galaxy(c, text, n, "fuzz.json", &e); break;
    default: rc = vg_catalog_load_yaml(c, text, n, "fuzz.yaml", &e); break;
    }
    if (rc != VG_OK && !e.msg[0])
        abort();
    for (size_t i = 0; i < vg_catalog_pair_count(c); i++) {
        const char *name;
        const vg_actor *a;
        vg_catalog_pair(c, i, &name, &a);
        vg_resolution r;
        size_t k = vg_catalog_resolve(c, name, &r);
        bool found = false;
        for (size_t j = 0; j < k; j++)
            found |= r.candidates[j] == a;
        if (!found)
            abort(); /* a listed alias must lead back to its actor */
    }
    /* the built-in actors survive whatever was merged */
    if (!vg_catalog_find(c, "STRONTIUM") || !vg_catalog_find(c, "ZINC"))
        abort();
    vg_catalog_free(c);
    return 0;
}
