/* auth_time.c — the timestamp spellings sign-in exports use.
 *
 *   2020-11-13T10:00:00.1234567Z, ...+05:30, no zone (UTC)   RFC 3339 / ISO 8601
 *   2020-11-13 10:00:00.123                                 Log Analytics, CSV
 *   11/13/2020 10:00:00 AM [+01:00], 1/9/2007 9:41:00        Entra US form
 *   11/13/2020, 10:00:00.123 AM                             Log Analytics portal export
 *   1605261600 / 1605261600123                              epoch seconds / ms
 *
 * A fast path handles the fixed-width ISO form without calling into core's
 * general parser (it is what 99% of Entra records carry).
 */
#include <string.h>

#include "auth/auth_internal.h"

static inline int d2(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }
static inline bool dig(char c) { return c >= '0' && c <= '9'; }

/* "YYYY-MM-DDTHH:MM:SS[.f*][Z|±hh:mm]" with the date and time fixed width. */
static bool fast_iso(vg_str s, int64_t *out)
{
    const char *p = s.p;
    size_t n = s.n;
    if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
        p[13] != ':' || p[16] != ':')
        return false;
    static const int pos[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++)
        if (!dig(p[pos[i]]))
            return false;
    int y = d2(p) * 100 + d2(p + 2), mo = d2(p + 5), d = d2(p + 8);
    int h = d2(p + 11), mi = d2(p + 14), sec = d2(p + 17);
    if (mo < 1 || mo > 12 || d < 1 || !vg_time_valid_date(y, mo, d) || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    size_t i = 19;
    int ms = 0;
    if (i < n && p[i] == '.') {
        i++;
        int k = 0;
        if (i >= n || !dig(p[i]))
            return false;
        while (i < n && dig(p[i])) {
            if (k < 3) {
                ms = ms * 10 + (p[i] - '0');
                k++;
            }
            i++;
        }
        while (k++ < 3)
            ms *= 10;
    }
    int off = 0;
    if (i < n) {
        if ((p[i] == 'Z' || p[i] == 'z') && i + 1 == n) {
            i++;
        } else if ((p[i] == '+' || p[i] == '-') && (n - i == 6 || n - i == 5 || n - i == 3)) {
            int sign = p[i] == '-' ? -1 : 1;
            const char *z = p + i + 1;
            if (!dig(z[0]) || !dig(z[1]))
                return false;
            int oh = d2(z), om = 0;
            if (n - i == 6) {
                if (z[2] != ':' || !dig(z[3]) || !dig(z[4]))
                    return false;
                om = d2(z + 3);
            } else if (n - i == 5) {
                if (!dig(z[2]) || !dig(z[3]))
                    return false;
                om = d2(z + 2);
            }
            if (oh > 23 || om > 59)
                return false;
            off = sign * (oh * 60 + om);
            i = n;
        } else {
            return false;
        }
    }
    if (i != n)
        return false;
    if (sec == 60)
        sec = 59;
    *out = vg_time_from_civil(y, mo, d, h, mi, sec, ms) - (int64_t)off * 60000;
    return true;
}

/* Reads 1..maxd digits. */
static bool num(const char **pp, const char *end, int maxd, int *v)
{
    const char *p = *pp;
    int x = 0, k = 0;
    while (p < end && dig(*p) && k < maxd) {
        x = x * 10 + (*p - '0');
        p++;
        k++;
    }
    if (!k)
        return false;
    *v = x;
    *pp = p;
    return true;
}

/* "M/D/YYYY[,] h:mm[:ss[.fff]] [AM|PM] [±hh:mm|Z]" */
static bool us_form(vg_str s, int64_t *out)
{
    const char *p = s.p, *end = s.p + s.n;
    int mo, d, y, h, mi, sec = 0, ms = 0;
    if (!num(&p, end, 2, &mo) || p >= end || *p != '/')
        return false;
    p++;
    if (!num(&p, end, 2, &d) || p >= end || *p != '/')
        return false;
    p++;
    if (!num(&p, end, 4, &y) || y < 1970 || y > 9999)
        return false;
    if (p < end && *p == ',')
        p++;
    if (p >= end || *p != ' ')
        return false;
    while (p < end && *p == ' ')
        p++;
    if (!num(&p, end, 2, &h) || p >= end || *p != ':')
        return false;
    p++;
    if (!num(&p, end, 2, &mi))
        return false;
    if (p < end && *p == ':') {
        p++;
        if (!num(&p, end, 2, &sec))
            return false;
        if (p < end && *p == '.') {
            p++;
            int k = 0;
            while (p < end && dig(*p)) {
                if (k < 3) {
                    ms = ms * 10 + (*p - '0');
                    k++;
                }
                p++;
            }
            if (!k)
                return false;
            while (k++ < 3)
                ms *= 10;
        }
    }
    while (p < end && *p == ' ')
        p++;
    if (end - p >= 2 && (p[1] == 'M' || p[1] == 'm') &&
        (p[0] == 'A' || p[0] == 'a' || p[0] == 'P' || p[0] == 'p')) {
        bool pm = p[0] == 'P' || p[0] == 'p';
        if (h < 1 || h > 12)
            return false;
        if (h == 12)
            h = 0;
        if (pm)
            h += 12;
        p += 2;
        while (p < end && *p == ' ')
            p++;
    }
    int off = 0;
    if (p < end) {
        if ((*p == 'Z' || *p == 'z') && p + 1 == end) {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1;
            p++;
            int oh, om = 0;
            if (!num(&p, end, 2, &oh))
                return false;
            if (p < end && *p == ':')
                p++;
            if (p < end && !num(&p, end, 2, &om))
                return false;
            if (oh > 23 || om > 59)
                return false;
            off = sign * (oh * 60 + om);
        } else if (end - p == 3 && vg_str_eq_ci(vg_str_make(p, 3), VG_STR("UTC"))) {
            p = end;
        }
    }
    if (p != end)
        return false;
    if (mo < 1 || mo > 12 || !vg_time_valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
        return false;
    if (sec == 60)
        sec = 59;
    *out = vg_time_from_civil(y, mo, d, h, mi, sec, ms) - (int64_t)off * 60000;
    return true;
}

bool vg_auth__parse_time(vg_str s, int64_t *out)
{
    s = vg_str_trim(s);
    if (s.n == 0)
        return false;
    if (fast_iso(s, out))
        return true;
    if (s.n >= 10 && dig(s.p[0]) && s.p[4] == '-') {
        int64_t t;
        if (vg_time_parse_rfc3339(s, &t) == VG_OK) {
            *out = t;
            return true;
        }
        return false;
    }
    if (memchr(s.p, '/', s.n))
        return us_form(s, out);
    /* epoch seconds (10 digits) or milliseconds (13 digits), optionally with a fraction */
    int64_t v;
    vg_str ip = s;
    ptrdiff_t dot = vg_str_chr(s, '.');
    if (dot > 0)
        ip = vg_str_sub(s, 0, (size_t)dot);
    if (vg_str_to_i64(ip, &v) && v > 0) {
        if (ip.n == 10) {
            int ms = 0;
            if (dot > 0) {
                const char *p = s.p + dot + 1;
                int k = 0;
                while (p < s.p + s.n && dig(*p) && k < 3) {
                    ms = ms * 10 + (*p - '0');
                    k++;
                    p++;
                }
                while (k++ < 3)
                    ms *= 10;
            }
            *out = v * 1000 + ms;
            return true;
        }
        if (ip.n == 13) {
            *out = v;
            return true;
        }
        if (ip.n == 16) { /* journald microseconds */
            *out = v / 1000;
            return true;
        }
    }
    return false;
}
