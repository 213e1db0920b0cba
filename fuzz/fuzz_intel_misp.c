/* fuzz_intel_misp.c — the MISP event loader on arbitrary bytes (fuzz_intel.h). */
#include "fuzz_intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_intel_json_loader(vg_iocset_load_misp, data, size);
}
