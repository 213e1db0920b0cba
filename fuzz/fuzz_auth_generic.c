/* fuzz_auth_generic.c — libFuzzer target: the generic JSON lines / CSV with a field map, and auto-detection parser. */
#include "fuzz_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_auth_parser(VG_AUTH_FMT_AUTO, data, size);
}
