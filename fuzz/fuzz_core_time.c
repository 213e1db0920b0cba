/* fuzz_core_time.c — libFuzzer target for the timestamp parsers in
 * src/core/time.c.
 *
 * Every parser sees the input. Invariants checked (abort() on violation):
 *  - RFC 3339: parse -> format (with ms) -> parse gives the same ms, for
 *    every instant the formatter can write as RFC 3339 (years 0000-9999);
 *  - to_civil/from_civil round-trip on every parsed instant, and the civil
 *    fields are in range;
 *  - syslog parsers report a consumed length within the input, and the
 *    RFC 5424 result agrees with the RFC 3339 parser on the same bytes;
 *  - the formatter never writes more than VG_TIME_STRLEN bytes.
 * The first input byte also picks the syslog year and offset, so the whole
 * input is still offered to the parsers as text. */
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

#define YEAR0_MS INT64_C(-62167219200000)   /* 0000-01-01T00:00:00Z */
#define YEAR9999_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

static void check_instant(int64_t t)
{
    vg_tm tm;
    vg_time_to_civil(t, &tm);
    if (!vg_time_valid_date(tm.year, tm.month, tm.day) || tm.hour < 0 || tm.hour > 23 ||
        tm.min < 0 || tm.min > 59 || tm.sec < 0 || tm.sec > 59 || tm.ms < 0 || tm.ms > 999 ||
        tm.wday < 0 || tm.wday > 6)
        abort();
    if (vg_time_from_civil(tm.year, tm.month, tm.day, tm.hour, tm.min, tm.sec, tm.ms) != t)
        abort();

    char buf[VG_TIME_STRLEN + 8];
    memset(buf, 'x', sizeof buf);
    size_t n = vg_time_format_rfc3339(t, true, buf);
    if (n >= VG_TIME_STRLEN || buf[n] != '\0' || buf[VG_TIME_STRLEN] != 'x')
        abort();
    if (t >= YEAR0_MS && t <= YEAR9999_MS) {
        int64_t back;
        if (vg_time_parse_rfc3339(vg_str_make(buf, n), &back) != VG_OK || back != t)
            abort();
        n = vg_time_format_rfc3339(t, false, buf);
        if (vg_time_parse_rfc3339(vg_str_make(buf, n), &back) != VG_OK ||
            back != t - (((t % 1000) + 1000) % 1000))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_str s = vg_str_make((const char *)data, size);
    int64_t t;
    size_t used;

    if (vg_time_parse_rfc3339(s, &t) == VG_OK)
        check_instant(t);
    if (vg_time_parse_rfc5322(s, &t) == VG_OK)
        check_instant(t);

    vg_err rc = vg_time_parse_syslog5424(s, &t, &used);
    if (rc == VG_OK) {
        if (used == 0 || used > size)
            abort();
        int64_t t2;
        if (vg_time_parse_rfc3339(vg_str_make(s.p, used), &t2) != VG_OK || t2 != t)
            abort();
        check_instant(t);
    } else if (rc != VG_EINVAL && rc != VG_ENOTFOUND) {
        abort();
    }

    int year = size ? 1970 + data[0] % 64 : 2020;
    int tz = size ? ((int)data[0] - 128) * 11 : 0; /* about ±23:28 */
    if (vg_time_parse_syslog3164(s, year, tz, &t, &used) == VG_OK) {
        if (used < 14 || used > 15 || used > size)
            abort();
        check_instant(t);
    }

    /* Raw 8 bytes as an instant: the formatter and civil conversion must
     * cope with every int64. */
    if (size >= 8) {
        uint64_t u = 0;
        for (int k = 0; k < 8; k++)
            u = u << 8 | data[k];
        check_instant((int64_t)u);
    }
    return 0;
}
