/* fuzz_intel_normalize.c — indicator normalizers (domain, URL, e-mail, hash)
 * on arbitrary text: never crash, and normalizing twice changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/intel.h"

typedef bool (*norm_fn)(const char *in, char *out, size_t cap);

static void idem(norm_fn fn, const char *s)
{
    char a[8192], b[8192];
    if (!fn(s, a, sizeof a))
        return;
    if (!fn(a, b, sizeof b) || strcmp(a, b) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4000)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    idem(vg_ioc_normalize_domain, s);
    idem(vg_ioc_normalize_url, s);
    idem(vg_ioc_normalize_email, s);
    char h[200];
    vg_ioc_type t;
    (void)vg_ioc_normalize_hash(s, &t, h, sizeof h);
    (void)vg_ioc_guess_type(s);
    free(s);
    return 0;
}
