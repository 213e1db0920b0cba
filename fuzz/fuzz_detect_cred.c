/* fuzz_detect_cred.c — libFuzzer target: any input, parsed by the sign-in
 * reader (auto-detected), fed to the credential detectors, flushed and
 * serialized. Exercises the engine with hostile names, times far apart or
 * out of order, and huge repeat counts. Must never crash, leak or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/auth.h"
#include "vigil/detect_cred.h"

static int feed(const vg_auth_event *ev, void *ud)
{
    vg_cred_engine_feed(ud, ev);
    return 0;
}

static void quiet(const char *f, int64_t l, const char *r, void *ud)
{
    (void)f;
    (void)l;
    (void)r;
    (void)ud;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_auth_config *cfg = vg_auth_config_new();
    vg_auth_config_set_year(cfg, 2020);
    vg_auth_reader *r = vg_auth_reader_new(cfg);
    vg_auth_reader_set_rejects(r, quiet, NULL);
    vg_cred_engine *g = vg_cred_engine_new(NULL, NULL);
    vg_auth_read_buffer(r, "fuzz", data, size, feed, g, NULL);
    vg_cred_engine_flush(g);
    vg_findings fs = {0};
    vg_cred_engine_findings(g, &fs);
    for (size_t i = 0; i < fs.n; i++)
        free(vg_finding_to_json(fs.v[i]));
    vg_findings_free(&fs);
    char *bl = vg_cred_baselines_export_json(g);
    vg_cred_engine *h = vg_cred_engine_new(NULL, NULL);
    vg_cred_baselines_import_json(h, bl, strlen(bl), NULL);
    free(bl);
    vg_cred_engine_free(h);
    vg_cred_engine_free(g);
    vg_auth_reader_free(r);
    vg_auth_config_free(cfg);
    return 0;
}
