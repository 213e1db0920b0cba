/* fuzz_auth_entra.c — libFuzzer target: the Entra ID records (Graph, diagnostic, Log Analytics, CSV) parser. */
#include "fuzz_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_auth_parser(VG_AUTH_FMT_ENTRA, data, size);
}
