/* fuzz_auth_windows.c — libFuzzer target: the Windows event XML and JSON parser. */
#include "fuzz_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_auth_parser(VG_AUTH_FMT_WINDOWS, data, size);
}
