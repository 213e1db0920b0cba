/* time.c — civil-date arithmetic and timestamp parsers (RFC 3339, RFC 5322,
 * RFC 3164 and RFC 5424 syslog), all producing int64 milliseconds UTC.
 *
 * Design
 *  - Pure arithmetic. Nothing here calls timegm(), mktime(), strptime() or
 *    anything else that depends on the process time zone or locale: logs are
 *    parsed the same way on every machine. Month and day names are matched
 *    ASCII case-insensitively.
 *  - Dates are proleptic Gregorian over the whole int range of years (year 0
 *    and negative years included). days_from_civil()/civil_from_days() are
 *    the era-based algorithms popularised by Howard Hinnant ("chrono-
 *    compatible low-level date algorithms"): shift the year to start in
 *    March so the leap day is the last day of the year, then split into
 *    400-year eras of 146097 days. No loops, no tables.
 *  - Every parser validates every field: the date must exist (Feb 29 only in
 *    leap years, so 1900-02-29 and 2100-02-29 are rejected), hour 0-23,
 *    minute 0-59, second 0-60, offsets within ±23:59. Anything else is
 *    VG_EINVAL; no field is silently normalised.
 *  - Leap seconds. A second of 60 is accepted only where one can occur: the
 *    instant must be the last second of a UTC day (23:59:60Z, or the same
 *    instant written with an offset such as 05:29:60+05:30). It is clamped
 *    to 23:59:59.999 UTC rather than mapped to the next second: clamping
 *    keeps a leap-second event ordered before the 00:00:00 events that follow
 *    it, which matters more to event-time windows than the lost fraction.
 *  - Parsers work on vg_str views and never read past s.n; none of them
 *    allocates. Fractions of any length are accepted and truncated (not
 *    rounded) to milliseconds, so a 7-digit Entra ID timestamp never rounds
 *    into the next second.
 *  - Arithmetic that could overflow int64 (absurd years passed directly to
 *    vg_time_from_civil) saturates instead of invoking undefined behaviour.
 */
#include <time.h>

#include "vigil/core.h"

#define MS_PER_SEC INT64_C(1000)
#define MS_PER_MIN INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY INT64_C(86400000)

/* Largest accepted UTC offset, in minutes (±23:59). */
#define MAX_OFFSET_MIN (23 * 60 + 59)

static const char month_names[12][4] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
static const char day_names[7][4] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* ---- civil dates ------------------------------------------------------------- */

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Floor division and modulo (C's / and % truncate toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}

/* Days since 1970-01-01 of y-m-d; m must be 1-12, d may be any value (it is
 * added linearly). |y| up to INT_MAX keeps every intermediate far below
 * the int64 range. */
static int64_t days_from_civil(int64_t y, int m, int64_t d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                          /* [0, 399] */
    int64_t mp = (m + 9) % 12;                            /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;             /* [0, 365] for valid d */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */
    return era * 146097 + doe - 719468;                   /* 719468 = 0000-03-01 .. 1970-01-01 */
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                    /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                  /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool vg_time_valid_date(int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1)
        return false;
    return day <= days_in_month(year, month);
}

/* a*b + c, saturating at the int64 limits. The intermediate a*b may leave
 * the int64 range while the sum does not (the days of INT64_MIN times
 * MS_PER_DAY lie below INT64_MIN, the time of day brings it back), so the
 * arithmetic is done in 128 bits. */
static int64_t sat_muladd(int64_t a, int64_t b, int64_t c)
{
    __int128 r = (__int128)a * b + c;
    if (r > INT64_MAX)
        return INT64_MAX;
    if (r < INT64_MIN)
        return INT64_MIN;
    return (int64_t)r;
}

int64_t vg_time_from_civil(int year, int month, int day, int hour, int min, int sec, int ms)
{
    /* Fold an out-of-range month into the year so the day count stays exact;
     * the other fields simply add up. */
    int64_t y = (int64_t)year + floor_div((int64_t)month - 1, 12);
    int m = (int)floor_mod((int64_t)month - 1, 12) + 1;
    int64_t days = days_from_civil(y, m, day);
    int64_t in_day = (int64_t)hour * MS_PER_HOUR + (int64_t)min * MS_PER_MIN +
                     (int64_t)sec * MS_PER_SEC + ms;
    return sat_muladd(days, MS_PER_DAY, in_day);
}

void vg_time_to_civil(int64_t ms, vg_tm *out)
{
    int64_t days = ms / MS_PER_DAY;
    int64_t rem = ms % MS_PER_DAY;
    if (rem < 0) { /* floor, written so that INT64_MIN cannot overflow */
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y;
    civil_from_days(days, &y, &out->month, &out->day);
    out->year = (int)y; /* |y| < 3e8 for any int64 ms */
    out->hour = (int)(rem / MS_PER_HOUR);
    out->min = (int)(rem / MS_PER_MIN % 60);
    out->sec = (int)(rem / MS_PER_SEC % 60);
    out->ms = (int)(rem % MS_PER_SEC);
    out->wday = (int)floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday */
}

/* Validates the fields and converts local time at offset `off_min` (minutes
 * east of UTC) to UTC ms, applying the leap-second rule described above. */
static vg_err make_time(int y, int mo, int d, int h, int mi, int s, int ms, int off_min,
                        int64_t *out)
{
    if (!vg_time_valid_date(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 60 || ms < 0 || ms > 999 || off_min < -MAX_OFFSET_MIN || off_min > MAX_OFFSET_MIN)
        return VG_EINVAL;
    int64_t t;
    if (s == 60) {
        t = vg_time_from_civil(y, mo, d, h, mi, 59, 999) - (int64_t)off_min * MS_PER_MIN;
        if (floor_mod(t, MS_PER_DAY) != MS_PER_DAY - 1)
            return VG_EINVAL; /* not the last second of a UTC day */
    } else {
        t = vg_time_from_civil(y, mo, d, h, mi, s, ms) - (int64_t)off_min * MS_PER_MIN;
    }
    *out = t;
    return VG_OK;
}

/* ---- small scanning helpers (no locale: ASCII only) ------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* Exactly `count` digits at p[*i]; advances *i. */
static bool fixed_digits(const char *p, size_t n, size_t *i, int count, int *val)
{
    int v = 0;
    if (n - *i < (size_t)count)
        return false;
    for (int k = 0; k < count; k++) {
        char c = p[*i + (size_t)k];
        if (!is_digit(c))
            return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)count;
    *val = v;
    return true;
}

/* Index 0-11 of a three-letter month name (any case), or -1. */
static int month_index(const char *p, size_t len)
{
    if (len != 3)
        return -1;
    for (int m = 0; m < 12; m++)
        if (lower(p[0]) == month_names[m][0] && lower(p[1]) == month_names[m][1] &&
            lower(p[2]) == month_names[m][2])
            return m;
    return -1;
}

static int day_index(const char *p, size_t len)
{
    if (len != 3)
        return -1;
    for (int d = 0; d < 7; d++)
        if (lower(p[0]) == day_names[d][0] && lower(p[1]) == day_names[d][1] &&
            lower(p[2]) == day_names[d][2])
            return d;
    return -1;
}

/* ---- RFC 3339 ------------------------------------------------------------------------ */

enum {
    TS_SPACE_SEP = 1,   /* accept ' ' between date and time (RFC 3339 5.6 NOTE) */
    TS_NEED_OFFSET = 2, /* the offset is mandatory (RFC 5424) */
};

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac][Z|±hh:mm|±hhmm]" at the start of p and
 * sets *pos to the number of bytes used. Callers check what follows. */
static vg_err parse_3339(const char *p, size_t n, int flags, size_t *pos, int64_t *out)
{
    size_t i = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0, off = 0;

    if (!fixed_digits(p, n, &i, 4, &y) || i >= n || p[i++] != '-' ||
        !fixed_digits(p, n, &i, 2, &mo) || i >= n || p[i++] != '-' ||
        !fixed_digits(p, n, &i, 2, &d) || i >= n)
        return VG_EINVAL;
    char sep = p[i++];
    if (sep != 'T' && sep != 't' && !(sep == ' ' && (flags & TS_SPACE_SEP)))
        return VG_EINVAL;
    if (!fixed_digits(p, n, &i, 2, &h) || i >= n || p[i++] != ':' ||
        !fixed_digits(p, n, &i, 2, &mi) || i >= n || p[i++] != ':' ||
        !fixed_digits(p, n, &i, 2, &s))
        return VG_EINVAL;

    /* Fraction: any number of digits, the first three kept. */
    if (i < n && p[i] == '.') {
        size_t start = ++i;
        while (i < n && is_digit(p[i])) {
            if (i - start < 3)
                ms = ms * 10 + (p[i] - '0');
            i++;
        }
        if (i == start)
            return VG_EINVAL;
        for (size_t k = i - start; k < 3; k++)
            ms *= 10;
    }

    /* Offset. */
    if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
        i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        int sign = p[i++] == '-' ? -1 : 1, oh, om;
        if (!fixed_digits(p, n, &i, 2, &oh))
            return VG_EINVAL;
        if (i < n && p[i] == ':')
            i++;
        if (!fixed_digits(p, n, &i, 2, &om) || oh > 23 || om > 59)
            return VG_EINVAL;
        off = sign * (oh * 60 + om);
    } else if (flags & TS_NEED_OFFSET) {
        return VG_EINVAL;
    }

    vg_err rc = make_time(y, mo, d, h, mi, s, ms, off, out);
    if (rc == VG_OK)
        *pos = i;
    return rc;
}

vg_err vg_time_parse_rfc3339(vg_str s, int64_t *out_ms)
{
    size_t pos;
    int64_t t;
    if (!s.p || parse_3339(s.p, s.n, TS_SPACE_SEP, &pos, &t) != VG_OK || pos != s.n)
        return VG_EINVAL;
    *out_ms = t;
    return VG_OK;
}

/* ---- RFC 5424 ------------------------------------------------------------------------ */

vg_err vg_time_parse_syslog5424(vg_str s, int64_t *out_ms, size_t *consumed)
{
    size_t pos;
    int64_t t;
    if (!s.p || s.n == 0)
        return VG_EINVAL;
    if (s.p[0] == '-' && (s.n == 1 || s.p[1] == ' ')) {
        if (consumed)
            *consumed = 1;
        return VG_ENOTFOUND; /* NILVALUE */
    }
    /* RFC 5424 6.2.3: FULL-DATE "T" FULL-TIME with a mandatory offset. The
     * RFC also caps the fraction at 6 digits and wants upper-case T/Z; we
     * accept the wider RFC 3339 forms since nothing becomes ambiguous. */
    if (parse_3339(s.p, s.n, TS_NEED_OFFSET, &pos, &t) != VG_OK)
        return VG_EINVAL;
    if (pos < s.n && s.p[pos] != ' ')
        return VG_EINVAL;
    *out_ms = t;
    if (consumed)
        *consumed = pos;
    return VG_OK;
}

/* ---- RFC 3164 ------------------------------------------------------------------------ */

vg_err vg_time_parse_syslog3164(vg_str s, int year, int tz_offset_min, int64_t *out_ms,
                                size_t *consumed)
{
    const char *p = s.p;
    size_t n = s.n, i = 4;
    int mon, day, h, mi, sec;

    /* "Mmm dd hh:mm:ss": 15 bytes; "Mmm d hh:mm:ss" (14) is also seen. */
    if (!p || n < 14 || p[3] != ' ' || (mon = month_index(p, 3)) < 0)
        return VG_EINVAL;
    if (p[i] == ' ') { /* "Nov  3": space-padded day, as RFC 3164 4.1.2 asks */
        i++;
        if (!fixed_digits(p, n, &i, 1, &day) || day == 0)
            return VG_EINVAL;
    } else if (i + 1 < n && is_digit(p[i]) && is_digit(p[i + 1])) {
        fixed_digits(p, n, &i, 2, &day); /* "Nov 13", also "Nov 03" */
    } else if (!fixed_digits(p, n, &i, 1, &day)) {
        return VG_EINVAL;
    }
    if (i >= n || p[i++] != ' ')
        return VG_EINVAL;
    if (!fixed_digits(p, n, &i, 2, &h) || i >= n || p[i++] != ':' ||
        !fixed_digits(p, n, &i, 2, &mi) || i >= n || p[i++] != ':' ||
        !fixed_digits(p, n, &i, 2, &sec))
        return VG_EINVAL;
    if (i < n && is_digit(p[i]))
        return VG_EINVAL; /* "10:00:001" */
    if (year < 0 || year > 9999)
        return VG_EINVAL;
    int64_t t;
    if (make_time(year, mon + 1, day, h, mi, sec, 0, tz_offset_min, &t) != VG_OK)
        return VG_EINVAL;
    *out_ms = t;
    if (consumed)
        *consumed = i;
    return VG_OK;
}

/* ---- RFC 5322 ------------------------------------------------------------------------ */

/* A cursor over the date text. CFWS = folding white space and comments. */
typedef struct {
    const char *p;
    size_t n, i;
} cursor;

static bool cur_more(const cursor *c) { return c->i < c->n; }
static char cur_peek(const cursor *c) { return c->i < c->n ? c->p[c->i] : '\0'; }

/* Skips white space (SP, HTAB, CR, LF: folded lines arrive unfolded or not)
 * and comments, which nest and may contain quoted pairs. The nesting depth is
 * a counter, not recursion. False on an unterminated comment. */
static bool skip_cfws(cursor *c)
{
    for (;;) {
        while (cur_more(c) && (c->p[c->i] == ' ' || c->p[c->i] == '\t' || c->p[c->i] == '\r' ||
                               c->p[c->i] == '\n'))
            c->i++;
        if (cur_peek(c) != '(')
            return true;
        size_t depth = 0;
        do {
            if (!cur_more(c))
                return false;
            char ch = c->p[c->i++];
            if (ch == '\\') {
                if (!cur_more(c))
                    return false;
                c->i++;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            }
        } while (depth > 0);
    }
}

/* A run of ASCII letters; returns its length (0 if none). */
static size_t cur_word(cursor *c, const char **w)
{
    size_t start = c->i;
    while (cur_more(c) && is_alpha(c->p[c->i]))
        c->i++;
    *w = c->p + start;
    return c->i - start;
}

/* min..max digits; returns false if fewer than min or more than max. */
static bool cur_number(cursor *c, int min, int max, int *val, int *ndigits)
{
    int v = 0, k = 0;
    while (cur_more(c) && is_digit(c->p[c->i])) {
        if (++k > max)
            return false;
        v = v * 10 + (c->p[c->i++] - '0');
    }
    if (k < min)
        return false;
    *val = v;
    if (ndigits)
        *ndigits = k;
    return true;
}

/* Obsolete alphabetic zones (RFC 5322 4.3). Military letters and unknown
 * names are "-0000", i.e. UTC with no information about local time. */
static int alpha_zone(const char *w, size_t len)
{
    static const struct {
        char name[4];
        int off;
    } zones[] = {
        {"ut", 0},         {"utc", 0},        {"gmt", 0},        {"est", -5 * 60},
        {"edt", -4 * 60},  {"cst", -6 * 60},  {"cdt", -5 * 60},  {"mst", -7 * 60},
        {"mdt", -6 * 60},  {"pst", -8 * 60},  {"pdt", -7 * 60},
    };
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        size_t k = 0;
        while (k < len && zones[z].name[k] && lower(w[k]) == zones[z].name[k])
            k++;
        if (k == len && zones[z].name[k] == '\0')
            return zones[z].off;
    }
    return 0;
}

vg_err vg_time_parse_rfc5322(vg_str s, int64_t *out_ms)
{
    cursor c = {s.p, s.p ? s.n : 0, 0};
    const char *w;
    size_t wl;
    int day, mon, year, ydigits, h, mi, sec = 0, off;

    if (!skip_cfws(&c))
        return VG_EINVAL;

    /* [ day-of-week "," ]: the name must be one of the seven; whether it
     * agrees with the date is not checked (a detector may, a parser should
     * not drop the date over it). */
    if (is_alpha(cur_peek(&c))) {
        wl = cur_word(&c, &w);
        if (day_index(w, wl) < 0 || !skip_cfws(&c) || cur_peek(&c) != ',')
            return VG_EINVAL;
        c.i++;
        if (!skip_cfws(&c))
            return VG_EINVAL;
    }

    /* day month year */
    if (!cur_number(&c, 1, 2, &day, NULL) || !skip_cfws(&c))
        return VG_EINVAL;
    wl = cur_word(&c, &w);
    if ((mon = month_index(w, wl)) < 0 || !skip_cfws(&c))
        return VG_EINVAL;
    if (!cur_number(&c, 2, 4, &year, &ydigits) || !skip_cfws(&c))
        return VG_EINVAL;
    if (ydigits == 2)
        year += year < 50 ? 2000 : 1900; /* RFC 5322 4.3 */
    else if (ydigits == 3)
        year += 1900;
    else if (year < 1900)
        return VG_EINVAL; /* RFC 5322 3.3: "1900 or later" */

    /* hour ":" minute [ ":" second ]; obs-hour etc. allow CFWS around ':'.
     * One-digit hours are a common enough mailer bug to accept. */
    if (!cur_number(&c, 1, 2, &h, NULL) || !skip_cfws(&c) || cur_peek(&c) != ':')
        return VG_EINVAL;
    c.i++;
    if (!skip_cfws(&c) || !cur_number(&c, 2, 2, &mi, NULL) || !skip_cfws(&c))
        return VG_EINVAL;
    if (cur_peek(&c) == ':') {
        c.i++;
        if (!skip_cfws(&c) || !cur_number(&c, 2, 2, &sec, NULL) || !skip_cfws(&c))
            return VG_EINVAL;
    }

    /* zone: ( "+" / "-" ) 4DIGIT, or an obsolete name. Mandatory. */
    char zc = cur_peek(&c);
    if (zc == '+' || zc == '-') {
        int hhmm;
        c.i++;
        if (!cur_number(&c, 4, 4, &hhmm, NULL) || hhmm / 100 > 23 || hhmm % 100 > 59)
            return VG_EINVAL;
        off = (zc == '-' ? -1 : 1) * (hhmm / 100 * 60 + hhmm % 100);
    } else if (is_alpha(zc)) {
        wl = cur_word(&c, &w);
        if (wl > 5)
            return VG_EINVAL;
        off = alpha_zone(w, wl);
    } else {
        return VG_EINVAL;
    }

    /* Only CFWS ("(EST)", "(UTC)") may follow. */
    if (!skip_cfws(&c) || cur_more(&c))
        return VG_EINVAL;

    int64_t t;
    if (make_time(year, mon + 1, day, h, mi, sec, 0, off, &t) != VG_OK)
        return VG_EINVAL;
    *out_ms = t;
    return VG_OK;
}

/* ---- formatting and the clock ---------------------------------------------------------- */

/* Writes v as exactly `width` digits (v >= 0 and small enough). */
static char *put_digits(char *o, int64_t v, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        o[k] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + width;
}

size_t vg_time_format_rfc3339(int64_t ms, bool with_ms, char *buf)
{
    vg_tm tm;
    vg_time_to_civil(ms, &tm);
    char *o = buf;
    /* Years outside 0000-9999 (not RFC 3339) use ISO 8601's expanded form:
     * a sign and as many digits as needed. At most "-292277026" here. */
    int64_t y = tm.year;
    if (y < 0) {
        *o++ = '-';
        y = -y;
    }
    int width = 4;
    for (int64_t lim = 10000; y >= lim; lim *= 10)
        width++;
    o = put_digits(o, y, width);
    *o++ = '-';
    o = put_digits(o, tm.month, 2);
    *o++ = '-';
    o = put_digits(o, tm.day, 2);
    *o++ = 'T';
    o = put_digits(o, tm.hour, 2);
    *o++ = ':';
    o = put_digits(o, tm.min, 2);
    *o++ = ':';
    o = put_digits(o, tm.sec, 2);
    if (with_ms) {
        *o++ = '.';
        o = put_digits(o, tm.ms, 3);
    }
    *o++ = 'Z';
    *o = '\0';
    return (size_t)(o - buf);
}

int64_t vg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
