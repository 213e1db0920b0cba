/* fuzz_auth_sshd.c — libFuzzer target: the sshd syslog / journal lines parser. */
#include "fuzz_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_auth_parser(VG_AUTH_FMT_SSHD, data, size);
}
