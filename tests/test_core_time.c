/* test_core_time.c — civil-date arithmetic and the RFC 3339 / RFC 5322 /
 * syslog timestamp parsers in src/core/time.c. Expected epoch values were
 * computed independently (Python datetime), not with the code under test. */
#include <limits.h>
#include <string.h>

#include "testutil.h"

#define DAY INT64_C(86400000)
#define HOUR INT64_C(3600000)
#define MIN INT64_C(60000)

/* 2020-11-13T10:00:00Z, the reference instant used throughout. */
#define T0 INT64_C(1605261600000)

static vg_str S(const char *s) { return (vg_str){s, strlen(s)}; }

static int64_t p3339(const char *s)
{
    int64_t t = 0;
    vg_err rc = vg_time_parse_rfc3339(S(s), &t);
    if (rc != VG_OK)
        fail_msg("rfc3339 rejected \"%s\"", s);
    return t;
}

static int64_t p5322(const char *s)
{
    int64_t t = 0;
    vg_err rc = vg_time_parse_rfc5322(S(s), &t);
    if (rc != VG_OK)
        fail_msg("rfc5322 rejected \"%s\"", s);
    return t;
}

/* ---- civil arithmetic -------------------------------------------------------------- */

static void test_civil_known(void **state)
{
    (void)state;
    assert_int_equal(vg_time_from_civil(1970, 1, 1, 0, 0, 0, 0), 0);
    assert_int_equal(vg_time_from_civil(2020, 11, 13, 10, 0, 0, 0), T0);
    assert_int_equal(vg_time_from_civil(2000, 2, 29, 12, 34, 56, 0), INT64_C(951827696000));
    assert_int_equal(vg_time_from_civil(2024, 2, 29, 0, 0, 0, 0), INT64_C(1709164800000));
    assert_int_equal(vg_time_from_civil(1, 1, 1, 0, 0, 0, 0), INT64_C(-62135596800000));
    /* Year 0 is a leap year in the proleptic Gregorian calendar. */
    assert_int_equal(vg_time_from_civil(0, 1, 1, 0, 0, 0, 0), INT64_C(-62167219200000));
    assert_int_equal(vg_time_from_civil(1, 1, 1, 0, 0, 0, 0) -
                         vg_time_from_civil(0, 1, 1, 0, 0, 0, 0),
                     366 * DAY);
    assert_int_equal(vg_time_from_civil(-1, 12, 31, 0, 0, 0, 0),
                     vg_time_from_civil(0, 1, 1, 0, 0, 0, 0) - DAY);
    assert_int_equal(vg_time_from_civil(9999, 12, 31, 23, 59, 59, 999), INT64_C(253402300799999));
    /* Out-of-range months fold into the year; other fields add up. */
    assert_int_equal(vg_time_from_civil(2020, 13, 1, 0, 0, 0, 0),
                     vg_time_from_civil(2021, 1, 1, 0, 0, 0, 0));
    assert_int_equal(vg_time_from_civil(2020, 0, 1, 0, 0, 0, 0),
                     vg_time_from_civil(2019, 12, 1, 0, 0, 0, 0));
    assert_int_equal(vg_time_from_civil(2020, 1, 32, 0, 0, 0, 0),
                     vg_time_from_civil(2020, 2, 1, 0, 0, 0, 0));
    assert_int_equal(vg_time_from_civil(2020, 1, 1, 0, 0, 0, -1),
                     vg_time_from_civil(2019, 12, 31, 23, 59, 59, 999));
    /* Absurd years saturate rather than overflow. */
    assert_int_equal(vg_time_from_civil(INT_MAX, 12, 31, 23, 59, 59, 999), INT64_MAX);
    assert_int_equal(vg_time_from_civil(INT_MIN, 1, 1, 0, 0, 0, 0), INT64_MIN);
}

static void test_civil_to(void **state)
{
    (void)state;
    vg_tm tm;
    vg_time_to_civil(0, &tm);
    assert_int_equal(tm.year, 1970);
    assert_int_equal(tm.month, 1);
    assert_int_equal(tm.day, 1);
    assert_int_equal(tm.wday, 4); /* Thursday */

    vg_time_to_civil(-1, &tm); /* the last ms before the epoch */
    assert_int_equal(tm.year, 1969);
    assert_int_equal(tm.month, 12);
    assert_int_equal(tm.day, 31);
    assert_int_equal(tm.hour, 23);
    assert_int_equal(tm.min, 59);
    assert_int_equal(tm.sec, 59);
    assert_int_equal(tm.ms, 999);
    assert_int_equal(tm.wday, 3); /* Wednesday */

    vg_time_to_civil(T0 + 123, &tm);
    assert_int_equal(tm.year, 2020);
    assert_int_equal(tm.month, 11);
    assert_int_equal(tm.day, 13);
    assert_int_equal(tm.hour, 10);
    assert_int_equal(tm.ms, 123);
    assert_int_equal(tm.wday, 5); /* Friday the 13th */

    vg_time_to_civil(INT64_C(951827696000), &tm);
    assert_int_equal(tm.month, 2);
    assert_int_equal(tm.day, 29);
    assert_int_equal(tm.wday, 2); /* 2000-02-29 was a Tuesday */

    /* The int64 extremes must not overflow. */
    vg_time_to_civil(INT64_MIN, &tm);
    assert_true(vg_time_valid_date(tm.year, tm.month, tm.day));
    assert_true(tm.year < -292000000);
    vg_time_to_civil(INT64_MAX, &tm);
    assert_int_equal(tm.year, 292278994);
    assert_int_equal(tm.ms, 807);
    /* ... and converting back is exact right up to them. */
    static const int64_t edges[] = {
        INT64_MIN, INT64_MIN + 5, INT64_MIN + DAY, INT64_MAX, INT64_MAX - 5, -1, 0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        vg_time_to_civil(edges[i], &tm);
        assert_int_equal(
            vg_time_from_civil(tm.year, tm.month, tm.day, tm.hour, tm.min, tm.sec, tm.ms),
            edges[i]);
    }
}

/* Walks day by day from 1600 to 2400 with a naive calendar and checks both
 * directions of the conversion, and the weekday, on every day. */
static void test_civil_exhaustive(void **state)
{
    (void)state;
    int y = 1600, m = 1, d = 1;
    int64_t days = vg_time_from_civil(1600, 1, 1, 0, 0, 0, 0) / DAY;
    assert_int_equal(vg_time_from_civil(1600, 1, 1, 0, 0, 0, 0) % DAY, 0);
    int wday = 6; /* 1600-01-01 was a Saturday */
    while (y < 2400) {
        int64_t t = days * DAY + 12345;
        assert_int_equal(vg_time_from_civil(y, m, d, 0, 0, 12, 345), t);
        vg_tm tm;
        vg_time_to_civil(t, &tm);
        if (tm.year != y || tm.month != m || tm.day != d || tm.wday != wday)
            fail_msg("day %d-%d-%d: got %d-%d-%d wday %d", y, m, d, tm.year, tm.month, tm.day,
                     tm.wday);
        /* Naive next day. */
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int dim = m == 2 ? (leap ? 29 : 28) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
        assert_true(vg_time_valid_date(y, m, d));
        assert_false(vg_time_valid_date(y, m, dim + 1));
        if (++d > dim) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
        days++;
        wday = (wday + 1) % 7;
    }
}

static void test_valid_date(void **state)
{
    (void)state;
    assert_true(vg_time_valid_date(2000, 2, 29));  /* divisible by 400 */
    assert_false(vg_time_valid_date(1900, 2, 29)); /* by 100, not 400 */
    assert_false(vg_time_valid_date(2100, 2, 29));
    assert_true(vg_time_valid_date(2024, 2, 29));
    assert_false(vg_time_valid_date(2023, 2, 29));
    assert_false(vg_time_valid_date(2020, 2, 30));
    assert_false(vg_time_valid_date(2020, 4, 31));
    assert_true(vg_time_valid_date(2020, 12, 31));
    assert_false(vg_time_valid_date(2020, 13, 1));
    assert_false(vg_time_valid_date(2020, 0, 1));
    assert_false(vg_time_valid_date(2020, 1, 0));
    assert_false(vg_time_valid_date(2020, 1, -1));
    assert_true(vg_time_valid_date(0, 2, 29));  /* year 0 is leap */
    assert_true(vg_time_valid_date(-4, 2, 29)); /* proleptic */
    assert_false(vg_time_valid_date(-1, 2, 29));
}

/* ---- RFC 3339 ------------------------------------------------------------------------- */

static void test_rfc3339_basic(void **state)
{
    (void)state;
    assert_int_equal(p3339("2020-11-13T10:00:00Z"), T0);
    assert_int_equal(p3339("2020-11-13t10:00:00z"), T0);
    assert_int_equal(p3339("2020-11-13 10:00:00Z"), T0);
    assert_int_equal(p3339("2020-11-13T10:00:00"), T0); /* no offset: UTC */
    assert_int_equal(p3339("2000-02-29T12:34:56Z"), INT64_C(951827696000));
    assert_int_equal(p3339("2024-02-29T00:00:00Z"), INT64_C(1709164800000));
    assert_int_equal(p3339("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(p3339("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(p3339("0000-01-01T00:00:00Z"), INT64_C(-62167219200000));
    assert_int_equal(p3339("9999-12-31T23:59:59.999Z"), INT64_C(253402300799999));

    /* The view need not be NUL-terminated. */
    int64_t t;
    const char *buf = "2020-11-13T10:00:00Zjunk";
    assert_int_equal(vg_time_parse_rfc3339(vg_str_make(buf, 20), &t), VG_OK);
    assert_int_equal(t, T0);
}

static void test_rfc3339_fraction(void **state)
{
    (void)state;
    assert_int_equal(p3339("2020-11-13T10:00:00.1Z"), T0 + 100);
    assert_int_equal(p3339("2020-11-13T10:00:00.12Z"), T0 + 120);
    assert_int_equal(p3339("2020-11-13T10:00:00.123Z"), T0 + 123);
    /* Entra ID sign-in logs: 7 digits. Truncated, never rounded. */
    assert_int_equal(p3339("2020-11-13T10:00:00.1234567Z"), T0 + 123);
    assert_int_equal(p3339("2020-11-13T10:00:00.9999999Z"), T0 + 999);
    assert_int_equal(p3339("2020-11-13T10:00:00.999999999Z"), T0 + 999);
    assert_int_equal(p3339("2020-11-13T10:00:00.000000001Z"), T0);
    assert_int_equal(p3339("2020-11-13T10:00:00.0012345678901234567890+00:00"), T0 + 1);
    assert_int_equal(p3339("2020-11-13T10:00:00.5"), T0 + 500);
}

static void test_rfc3339_offsets(void **state)
{
    (void)state;
    assert_int_equal(p3339("2020-11-13T15:30:00+05:30"), T0);
    assert_int_equal(p3339("2020-11-13T15:30:00+0530"), T0);
    assert_int_equal(p3339("2020-11-13T02:00:00-08:00"), T0);
    assert_int_equal(p3339("2020-11-13T02:00:00-0800"), T0);
    assert_int_equal(p3339("2020-11-13T10:00:00+0000"), T0);
    assert_int_equal(p3339("2020-11-13T10:00:00+00:00"), T0);
    assert_int_equal(p3339("2020-11-13T10:00:00-00:00"), T0); /* unknown local offset */
    assert_int_equal(p3339("2020-11-14T09:59:00+23:59"), T0);
    assert_int_equal(p3339("2020-11-12T10:01:00-23:59"), T0);
    /* Offsets move the date across midnight and year ends. */
    assert_int_equal(p3339("2020-01-01T00:30:00+01:00"), p3339("2019-12-31T23:30:00Z"));
    assert_int_equal(p3339("2020-02-29T23:00:00-02:00"), p3339("2020-03-01T01:00:00Z"));
    assert_int_equal(p3339("2020-11-13T10:00:00.1234567+05:30"), T0 - 5 * HOUR - 30 * MIN + 123);
}

static void test_rfc3339_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2020-02-30T00:00:00Z", /* no Feb 30 */
        "2019-02-29T00:00:00Z", /* not a leap year */
        "1900-02-29T00:00:00Z", /* century, not leap */
        "2100-02-29T00:00:00Z",
        "2020-04-31T00:00:00Z",
        "2020-13-01T00:00:00Z",
        "2020-00-10T00:00:00Z",
        "2020-11-00T00:00:00Z",
        "2020-11-13T24:00:00Z", /* hour 24 */
        "2020-11-13T10:60:00Z", /* minute 60 */
        "2020-11-13T10:00:61Z",
        "2020-11-13T10:00:60Z", /* not the end of a UTC day */
        "2020-11-13T10:00:00+24:00",
        "2020-11-13T10:00:00-24:00",
        "2020-11-13T10:00:00+23:60",
        "2020-11-13T10:00:00+05:3",
        "2020-11-13T10:00:00+05",
        "2020-11-13T10:00:00+5:30",
        "2020-11-13T10:00:00+05:30:00",
        "2020-11-13T10:00:00+",
        "2020-11-13T10:00:00.Z",
        "2020-11-13T10:00:00.",
        "2020-11-13T10:00:00,123Z",
        "2020-11-13T10:00Z", /* seconds are required */
        "2020-11-13T10:00",
        "2020-11-13",
        "2020-11-13T",
        "2020-11-13X10:00:00Z",
        "2020-11-13  10:00:00Z",
        "20-11-13T10:00:00Z",
        "02020-11-13T10:00:00Z",
        "2020/11/13T10:00:00Z",
        "2020-1-13T10:00:00Z",
        "2020-11-3T10:00:00Z",
        "2020-11-13T1:00:00Z",
        "2020-11-13T10:00:00Zx",
        "2020-11-13T10:00:00ZZ",
        " 2020-11-13T10:00:00Z",
        "2020-11-13T10:00:00Z ",
        "2020-11-13T10:00:00 Z",
        "+2020-11-13T10:00:00Z",
        "-2020-11-13T10:00:00Z",
        "2020-11-13T10:00:00UTC",
        "2020-11-13T10:0a:00Z",
        "garbage",
        "Fri, 13 Nov 2020 10:00:00 +0000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        if (vg_time_parse_rfc3339(S(bad[i]), &t) != VG_EINVAL)
            fail_msg("rfc3339 accepted \"%s\"", bad[i]);
        assert_int_equal(t, 42); /* output untouched on failure */
    }
    /* Every truncation of a valid timestamp that is not itself valid fails
     * cleanly (the no-offset form and ".1" prefixes are valid). */
    const char *full = "2020-11-13T10:00:00.1234567+05:30";
    for (size_t n = 0; n < strlen(full); n++) {
        int64_t t;
        vg_err rc = vg_time_parse_rfc3339(vg_str_make(full, n), &t);
        /* "...:00" (19) and "...:00.1" through "...:00.1234567" (21-27)
         * are complete; "...:00." (20) and partial offsets are not. */
        bool complete = n == 19 || (n >= 21 && n <= 27);
        assert_int_equal(rc, complete ? VG_OK : VG_EINVAL);
    }
    int64_t t;
    assert_int_equal(vg_time_parse_rfc3339(VG_STR_NULL, &t), VG_EINVAL);
}

/* Leap seconds are clamped to 23:59:59.999 UTC and accepted only as the last
 * second of a UTC day. */
static void test_rfc3339_leap_second(void **state)
{
    (void)state;
    int64_t leap = p3339("2016-12-31T23:59:60Z");
    assert_int_equal(leap, INT64_C(1483228799999));
    assert_int_equal(p3339("2016-12-31T23:59:60.5Z"), leap);
    assert_int_equal(p3339("2017-01-01T05:29:60+05:30"), leap);
    assert_int_equal(p3339("2016-12-31T18:59:60-05:00"), leap);
    assert_true(p3339("2016-12-31T23:59:59.5Z") < leap);
    assert_true(leap < p3339("2017-01-01T00:00:00Z"));
    int64_t t;
    assert_int_equal(vg_time_parse_rfc3339(S("2016-12-31T23:58:60Z"), &t), VG_EINVAL);
    assert_int_equal(vg_time_parse_rfc3339(S("2016-12-31T23:59:60+01:00"), &t), VG_EINVAL);
}

/* ---- formatting and round trips --------------------------------------------------------- */

static void test_format(void **state)
{
    (void)state;
    char buf[VG_TIME_STRLEN];
    assert_int_equal(vg_time_format_rfc3339(T0, false, buf), 20);
    assert_string_equal(buf, "2020-11-13T10:00:00Z");
    assert_int_equal(vg_time_format_rfc3339(T0 + 7, true, buf), 24);
    assert_string_equal(buf, "2020-11-13T10:00:00.007Z");
    vg_time_format_rfc3339(-1, true, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    vg_time_format_rfc3339(-1, false, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z"); /* truncation, like the parser */
    vg_time_format_rfc3339(INT64_C(-62167219200000), false, buf);
    assert_string_equal(buf, "0000-01-01T00:00:00Z");
    vg_time_format_rfc3339(INT64_C(-62167219200000) - 1, true, buf);
    assert_string_equal(buf, "-0001-12-31T23:59:59.999Z");
    vg_time_format_rfc3339(INT64_C(253402300800000), false, buf);
    assert_string_equal(buf, "10000-01-01T00:00:00Z");
    size_t n = vg_time_format_rfc3339(INT64_MAX, true, buf);
    assert_string_equal(buf, "292278994-08-17T07:12:55.807Z");
    assert_true(n < VG_TIME_STRLEN);
    n = vg_time_format_rfc3339(INT64_MIN, true, buf);
    assert_true(n < VG_TIME_STRLEN);
    assert_int_equal(buf[0], '-');
    assert_int_equal(strlen(buf), n);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon;
    } cases[] = {
        {"2020-11-13T10:00:00Z", "2020-11-13T10:00:00.000Z"},
        {"2020-11-13t15:30:00.1234567+05:30", "2020-11-13T10:00:00.123Z"},
        {"2020-11-13 02:00:00.5-08:00", "2020-11-13T10:00:00.500Z"},
        {"2000-02-29T23:59:59.999-00:01", "2000-03-01T00:00:59.999Z"},
        {"1969-07-20T20:17:40Z", "1969-07-20T20:17:40.000Z"},
        {"0001-01-01T00:00:00+0000", "0001-01-01T00:00:00.000Z"},
    };
    char buf[VG_TIME_STRLEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = p3339(cases[i].in);
        vg_time_format_rfc3339(t, true, buf);
        assert_string_equal(buf, cases[i].canon);
        assert_int_equal(p3339(buf), t);
    }
    /* A deterministic sweep over years 0000-9999, ms resolution. */
    uint64_t x = 0x9e3779b97f4a7c15u;
    const int64_t lo = INT64_C(-62167219200000), hi = INT64_C(253402300799999);
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t = lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
        vg_time_format_rfc3339(t, true, buf);
        int64_t back;
        if (vg_time_parse_rfc3339(S(buf), &back) != VG_OK || back != t)
            fail_msg("round trip of %lld via %s", (long long)t, buf);
        vg_tm tm;
        vg_time_to_civil(t, &tm);
        assert_int_equal(
            vg_time_from_civil(tm.year, tm.month, tm.day, tm.hour, tm.min, tm.sec, tm.ms), t);
    }
}

/* ---- RFC 5322 --------------------------------------------------------------------------- */

static void test_rfc5322_forms(void **state)
{
    (void)state;
    assert_int_equal(p5322("Fri, 13 Nov 2020 10:00:00 +0000"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 11:00:00 +0100"), T0);
    assert_int_equal(p5322("Mon, 9 Nov 2020 14:03:12 -0500 (EST)"), INT64_C(1604948592000));
    assert_int_equal(p5322("9 Nov 2020 14:03 GMT"), INT64_C(1604930580000));
    assert_int_equal(p5322("Tue, 10 Nov 20 10:00:00 +0000"), INT64_C(1605002400000));
    assert_int_equal(p5322("fri, 13 NOV 2020 10:00:00 +0000"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 10:00:00 +0000 (UTC)"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 10:00:00 +0000 (Coordinated (Universal) Time)"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 10:00:00 +0000 (a \\) b)"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 10:00:00 -0000"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 15:30:00 +0530"), T0);
    assert_int_equal(p5322("Fri,13 Nov 2020 10:00:00 +0000"), T0);
    assert_int_equal(p5322("Fri , 13 Nov 2020 10:00:00 +0000"), T0);
    assert_int_equal(p5322("  Fri,   13   Nov   2020   10:00:00   +0000  "), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020\r\n 10:00:00 +0000"), T0); /* folded */
    assert_int_equal(p5322("Fri,\t13 Nov 2020\t10:00:00\t+0000"), T0);
    assert_int_equal(p5322("(sent) Fri, (x) 13 Nov 2020 10:00:00 +0000"), T0);
    assert_int_equal(p5322("Fri, 13 Nov 2020 10 : 00 : 00 +0000"), T0); /* obs CFWS */
    assert_int_equal(p5322("Fri, 13 Nov 2020 9:00:00 -0100"), T0);     /* 1-digit hour */
    assert_int_equal(p5322("13 Nov 2020 10:00 +0000"), T0);
}

static void test_rfc5322_years(void **state)
{
    (void)state;
    assert_int_equal(p5322("1 Jan 99 00:00:00 +0000"), p3339("1999-01-01T00:00:00Z"));
    assert_int_equal(p5322("1 Jan 50 00:00:00 +0000"), p3339("1950-01-01T00:00:00Z"));
    assert_int_equal(p5322("1 Jan 49 00:00:00 +0000"), p3339("2049-01-01T00:00:00Z"));
    assert_int_equal(p5322("1 Jan 00 00:00:00 +0000"), p3339("2000-01-01T00:00:00Z"));
    assert_int_equal(p5322("1 Jan 120 00:00:00 +0000"), p3339("2020-01-01T00:00:00Z"));
    assert_int_equal(p5322("1 Jan 099 00:00:00 +0000"), p3339("1999-01-01T00:00:00Z"));
    assert_int_equal(p5322("1 Jan 1900 00:00:00 +0000"), p3339("1900-01-01T00:00:00Z"));
    assert_int_equal(p5322("29 Feb 2000 00:00:00 +0000"), p3339("2000-02-29T00:00:00Z"));
    assert_int_equal(p5322("29 Feb 24 00:00:00 +0000"), p3339("2024-02-29T00:00:00Z"));
}

static void test_rfc5322_zones(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int off_h;
    } zones[] = {
        {"UT", 0},   {"GMT", 0},  {"UTC", 0},  {"gmt", 0},  {"EST", -5}, {"EDT", -4},
        {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
        {"pdt", -7}, {"Z", 0},    {"A", 0},    {"M", 0},    {"N", 0},    {"Y", 0},
        {"CET", 0}, /* unknown: "-0000" per RFC 5322 4.3 */
    };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char s[64];
        snprintf(s, sizeof s, "Fri, 13 Nov 2020 10:00:00 %s", zones[i].zone);
        assert_int_equal(p5322(s), T0 - zones[i].off_h * HOUR);
    }
    /* Crossing the date line with an obsolete zone. */
    assert_int_equal(p5322("Thu, 12 Nov 2020 23:30:00 PST"), p3339("2020-11-13T07:30:00Z"));
}

static void test_rfc5322_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "   ",
        "(only a comment)",
        "Fri, 13 Nov 2020",                     /* truncated */
        "Fri, 13 Nov 2020 10:00:00",            /* no zone */
        "Fri, 13 Nov 2020 10:00:00 (EST)",      /* a comment is not a zone */
        "Fri, 13 Nov 2020 10:00:00 +0000 (UTC", /* unterminated comment */
        "Fri, 13 Nov 2020 10:00:00 +0000 x",
        "Fri, 13 Nov 2020 10:00:00 +0000 +0000",
        "Fri, 13 Nov 2020 10:00:00 +000",
        "Fri, 13 Nov 2020 10:00:00 +00000",
        "Fri, 13 Nov 2020 10:00:00 +2400",
        "Fri, 13 Nov 2020 10:00:00 +0060",
        "Fri, 13 Nov 2020 10:00:00 0000",
        "Fri, 13 Nov 2020 10:00:00 ABCDEF",
        "Fri, 13 Nov 2020 10:00:00.123 +0000",
        "Fri, 30 Feb 2020 10:00:00 +0000",
        "Mon, 29 Feb 2100 10:00:00 +0000",
        "Thu, 29 Feb 1900 10:00:00 +0000",
        "Fri, 31 Nov 2020 10:00:00 +0000",
        "Fri, 0 Nov 2020 10:00:00 +0000",
        "Fri, 013 Nov 2020 10:00:00 +0000",
        "Fri, 13 Noo 2020 10:00:00 +0000",
        "Fri, 13 November 2020 10:00:00 +0000",
        "Fri, 13 11 2020 10:00:00 +0000",
        "Fri, 13 Nov 1899 10:00:00 +0000",
        "Fri, 13 Nov 20201 10:00:00 +0000",
        "Fri, 13 Nov 2 10:00:00 +0000",
        "Fri, 13 Nov 2020 24:00:00 +0000",
        "Fri, 13 Nov 2020 10:60:00 +0000",
        "Fri, 13 Nov 2020 10:00:61 +0000",
        "Fri, 13 Nov 2020 10:00:60 +0000",
        "Fri, 13 Nov 2020 100:00:00 +0000",
        "Fri, 13 Nov 2020 10:0:00 +0000",
        "Fri, 13 Nov 2020 10:00:0 +0000",
        "Fri, 13 Nov 2020 10 +0000",
        "Fri, 13 Nov 2020 10: +0000",
        "Fry, 13 Nov 2020 10:00:00 +0000",
        "Friday, 13 Nov 2020 10:00:00 +0000",
        "Fri 13 Nov 2020 10:00:00 +0000", /* weekday needs its comma */
        ", 13 Nov 2020 10:00:00 +0000",
        "Fri,, 13 Nov 2020 10:00:00 +0000",
        "2020-11-13T10:00:00Z",
        "Fri, 13 Nov 2020 10:00:00 +0000\\",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        if (vg_time_parse_rfc5322(S(bad[i]), &t) != VG_EINVAL)
            fail_msg("rfc5322 accepted \"%s\"", bad[i]);
        assert_int_equal(t, 42);
    }
    /* Leap second: valid at the end of the UTC day only. */
    assert_int_equal(p5322("Sat, 31 Dec 2016 23:59:60 +0000"), INT64_C(1483228799999));
    /* The weekday name is checked, its agreement with the date is not. */
    assert_int_equal(p5322("Mon, 13 Nov 2020 10:00:00 +0000"), T0);
    int64_t t;
    assert_int_equal(vg_time_parse_rfc5322(VG_STR_NULL, &t), VG_EINVAL);
    /* Every truncation of a full date fails or parses (never crashes), and
     * the ones that cut the zone fail. */
    const char *full = "Mon, 9 Nov 2020 14:03:12 -0500 (EST)";
    for (size_t n = 0; n < 30; n++)
        assert_int_equal(vg_time_parse_rfc5322(vg_str_make(full, n), &t), VG_EINVAL);
}

/* ---- syslog ------------------------------------------------------------------------------ */

static void test_syslog3164(void **state)
{
    (void)state;
    int64_t t;
    size_t used = 0;
    assert_int_equal(
        vg_time_parse_syslog3164(S("Nov 13 10:00:00 mail sshd[42]: x"), 2020, 0, &t, &used), VG_OK);
    assert_int_equal(t, T0);
    assert_int_equal(used, 15);
    assert_int_equal(vg_time_parse_syslog3164(S("Nov  3 10:00:00 host"), 2020, 0, &t, &used),
                     VG_OK);
    assert_int_equal(t, p3339("2020-11-03T10:00:00Z"));
    assert_int_equal(used, 15);
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 03 10:00:00"), 2020, 0, &t, &used), VG_OK);
    assert_int_equal(t, p3339("2020-11-03T10:00:00Z"));
    assert_int_equal(used, 15);
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 3 10:00:00 host"), 2020, 0, &t, &used), VG_OK);
    assert_int_equal(t, p3339("2020-11-03T10:00:00Z"));
    assert_int_equal(used, 14);
    assert_int_equal(vg_time_parse_syslog3164(S("nov 13 10:00:00"), 2020, 0, &t, NULL), VG_OK);
    assert_int_equal(t, T0);
    /* Local time east/west of UTC. */
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 13 11:00:00"), 2020, 60, &t, NULL), VG_OK);
    assert_int_equal(t, T0);
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 13 05:00:00"), 2020, -300, &t, NULL), VG_OK);
    assert_int_equal(t, T0);
    /* Leap day depends on the supplied year. */
    assert_int_equal(vg_time_parse_syslog3164(S("Feb 29 00:00:00"), 2020, 0, &t, NULL), VG_OK);
    assert_int_equal(vg_time_parse_syslog3164(S("Feb 29 00:00:00"), 2021, 0, &t, NULL), VG_EINVAL);
    assert_int_equal(vg_time_parse_syslog3164(S("Feb 29 00:00:00"), 2100, 0, &t, NULL), VG_EINVAL);

    /* Turn of the year: the caller supplies the year of each line. */
    int64_t dec, jan;
    assert_int_equal(vg_time_parse_syslog3164(S("Dec 31 23:59:59"), 2020, 0, &dec, NULL), VG_OK);
    assert_int_equal(vg_time_parse_syslog3164(S("Jan  1 00:00:00"), 2021, 0, &jan, NULL), VG_OK);
    assert_true(dec < jan);
    assert_int_equal(jan - dec, 1000);
    assert_int_equal(jan, p3339("2021-01-01T00:00:00Z"));

    static const char *bad[] = {
        "", "Nov 13 10:00", "Nov 13 10:00:0", "Foo 13 10:00:00", "Nov 31 10:00:00",
        "Nov  0 10:00:00", "Nov 00 10:00:00", "Nov 13 24:00:00", "Nov 13 10:60:00",
        "Nov 13 10:00:61", "Nov 13 10:00:001", "Nov 13  10:00:00", "Nov13 10:00:00",
        "Nov 113 10:00:00", "Nov 1310:00:00 ", "Nov   3 10:00:00", "Nov  a 10:00:00",
        "November 13 10:00:00", "2020-11-13T10:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vg_time_parse_syslog3164(S(bad[i]), 2020, 0, &t, &used) != VG_EINVAL)
            fail_msg("syslog3164 accepted \"%s\"", bad[i]);
    /* Caller-supplied values are validated too. */
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 13 10:00:00"), 2020, 24 * 60, &t, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 13 10:00:00"), -1, 0, &t, NULL), VG_EINVAL);
    assert_int_equal(vg_time_parse_syslog3164(S("Nov 13 10:00:00"), 10000, 0, &t, NULL), VG_EINVAL);
    assert_int_equal(vg_time_parse_syslog3164(VG_STR_NULL, 2020, 0, &t, NULL), VG_EINVAL);
}

static void test_syslog5424(void **state)
{
    (void)state;
    int64_t t;
    size_t used = 0;
    assert_int_equal(
        vg_time_parse_syslog5424(S("2020-11-13T11:00:00.123456+01:00 host app - - msg"), &t, &used),
        VG_OK);
    assert_int_equal(t, T0 + 123);
    assert_int_equal(used, 32);
    assert_int_equal(vg_time_parse_syslog5424(S("2020-11-13T10:00:00Z"), &t, &used), VG_OK);
    assert_int_equal(t, T0);
    assert_int_equal(used, 20);
    assert_int_equal(vg_time_parse_syslog5424(S("2003-10-11T22:14:15.003Z mymachine"), &t, &used),
                     VG_OK);
    assert_int_equal(t, p3339("2003-10-11T22:14:15.003Z"));
    assert_int_equal(used, 24);
    assert_int_equal(vg_time_parse_syslog5424(S("- host app"), &t, &used), VG_ENOTFOUND);
    assert_int_equal(vg_time_parse_syslog5424(S("-"), &t, NULL), VG_ENOTFOUND);

    static const char *bad[] = {
        "", " 2020-11-13T10:00:00Z", "2020-11-13T10:00:00",   /* offset is mandatory */
        "2020-11-13 10:00:00Z",                               /* space ends the field */
        "2020-11-13T10:00:00Zhost", "2020-11-13T10:00:00+01:00x", "-x", "--",
        "2020-02-30T10:00:00Z", "2020-11-13T10:00:00.Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vg_time_parse_syslog5424(S(bad[i]), &t, &used) != VG_EINVAL)
            fail_msg("syslog5424 accepted \"%s\"", bad[i]);
}

static void test_now(void **state)
{
    (void)state;
    int64_t a = vg_now_ms(), b = vg_now_ms();
    assert_true(a > p3339("2020-01-01T00:00:00Z"));
    assert_true(a < p3339("2200-01-01T00:00:00Z"));
    assert_true(b >= a - 1000); /* wall clock; may step, but not wildly */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_known),      cmocka_unit_test(test_civil_to),
        cmocka_unit_test(test_civil_exhaustive), cmocka_unit_test(test_valid_date),
        cmocka_unit_test(test_rfc3339_basic),    cmocka_unit_test(test_rfc3339_fraction),
        cmocka_unit_test(test_rfc3339_offsets),  cmocka_unit_test(test_rfc3339_invalid),
        cmocka_unit_test(test_rfc3339_leap_second), cmocka_unit_test(test_format),
        cmocka_unit_test(test_roundtrip),        cmocka_unit_test(test_rfc5322_forms),
        cmocka_unit_test(test_rfc5322_years),    cmocka_unit_test(test_rfc5322_zones),
        cmocka_unit_test(test_rfc5322_invalid),  cmocka_unit_test(test_syslog3164),
        cmocka_unit_test(test_syslog5424),       cmocka_unit_test(test_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
