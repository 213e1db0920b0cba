/* fuzz_auth_okta.c — libFuzzer target: the Okta System Log events parser. */
#include "fuzz_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_auth_parser(VG_AUTH_FMT_OKTA, data, size);
}
