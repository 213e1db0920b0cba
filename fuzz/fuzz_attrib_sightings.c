/* fuzz_attrib_sightings.c — sightings import (STIX 2.1 bundle or MISP event)
 * on arbitrary bytes: never crash, fail with a message, and every imported
 * finding serializes to JSON that parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/attrib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_findings out = {0};
    vg_error e = {0};
    if (vg_sightings_import((const char *)data, size, "fuzz.json", &out, &e) != VG_OK && !e.msg[0])
        abort();
    for (size_t i = 0; i < out.n; i++) {
        char *js = vg_finding_to_json(out.v[i]);
        vg_finding *back = vg_finding_from_json(js, strlen(js), &e);
        if (!back)
            abort();
        vg_finding_free(back);
        free(js);
    }
    vg_findings_free(&out);
    return 0;
}
