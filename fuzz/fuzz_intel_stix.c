/* fuzz_intel_stix.c — the STIX 2.1 bundle loader (and its pattern parser) on arbitrary bytes (fuzz_intel.h). */
#include "fuzz_intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_intel_json_loader(vg_iocset_load_stix, data, size);
}
