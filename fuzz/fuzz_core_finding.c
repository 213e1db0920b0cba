/* fuzz_core_finding.c — Finding JSON in (jansson) and back out: whatever
 * parses must serialize, and serializing twice must give the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/finding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_error e = {0};
    vg_finding *f = vg_finding_from_json((const char *)data, size, &e);
    if (!f)
        return 0;
    vg_finding_normalize(f);
    char *a = vg_finding_to_json(f);
    vg_finding *g = vg_finding_from_json(a, strlen(a), &e);
    if (!g)
        abort(); /* our own output must parse */
    vg_finding_normalize(g);
    char *b = vg_finding_to_json(g);
    /* Capped lists (ips, urls, evidence) may shrink once; after that the
     * output is a fixed point. */
    vg_finding *h = vg_finding_from_json(b, strlen(b), &e);
    if (!h)
        abort();
    vg_finding_normalize(h);
    char *c = vg_finding_to_json(h);
    if (strcmp(b, c) != 0)
        abort();
    free(a);
    free(b);
    free(c);
    vg_finding_free(f);
    vg_finding_free(g);
    vg_finding_free(h);
    return 0;
}
