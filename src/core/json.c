/* json.c — a streaming JSON writer into a vg_buf, with escaping that accepts any bytes.
 *
 * State
 *   The writer keeps one level per open container plus level 0, the document
 *   itself: depth is the number of open containers, and first[d] / is_obj[d]
 *   describe level d (level 0 behaves like an array that takes exactly one
 *   value). So at most VG_JSON_MAX_DEPTH - 1 = 63 containers can be open at
 *   once; opening one more sets `failed`. Commas are written before every
 *   element but the first of its level; in an object the comma goes before
 *   the key, and after_key says a key is waiting for its value.
 *
 * Misuse
 *   A value in an object without a key, a key outside an object or twice in a
 *   row, an end that does not match the open container (or with a dangling
 *   key), a second top-level value, or too deep nesting all set the sticky
 *   `failed`; so does the output buffer reaching its cap. After that every
 *   call is ignored. A caller checks `failed` once, at the end, and must also
 *   check depth == 0 if it wants to know that every container was closed.
 *
 * Escaping (vg_json_escape)
 *   " and \ get a backslash; the control bytes 00..1F use \b \t \n \f \r or
 *   \u00XX; DEL (7F) is legal in JSON and stays raw. Bytes >= 80 are decoded
 *   as UTF-8: a well-formed sequence is copied as is, except U+2028 and
 *   U+2029 (legal in JSON, but line terminators in JavaScript) which become
 *   \u2028 and \u2029; each maximal subpart of an ill-formed sequence becomes
 *   one U+FFFD (EF BF BD), exactly as vg_utf8_sanitize() does. The output is
 *   thus always valid UTF-8 and valid JSON whatever the input. ASCII runs are
 *   copied in one append.
 *
 * Numbers
 *   Integers are exact. Doubles use the shortest of %.15g / %.16g / %.17g
 *   that reads back to the same value (0.1 -> "0.1", never
 *   "0.10000000000000001"); non-finite values are written as null. A decimal
 *   comma from a foreign LC_NUMERIC is turned back into a point.
 *
 * `pretty` is accepted and ignored: the output is always compact, which is
 * what JSON lines and the tests want.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

#include "utf8_internal.h"

void vg_json_escape(vg_buf *b, const void *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (n == 0)
        return; /* s may be NULL */
    const uint8_t *p = s;
    size_t run = 0; /* start of bytes to copy verbatim */
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        size_t len = 1;
        char esc[8];
        size_t elen = 0;
        if (c < 0x80) {
            esc[0] = '\\';
            elen = 2;
            switch (c) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                elen = 6;
            }
        } else {
            uint32_t cp;
            bool ok;
            len = vg_utf8__scan(p + i, n - i, &cp, &ok);
            if (ok && cp != 0x2028 && cp != 0x2029) {
                i += len;
                continue;
            }
            if (ok) {
                memcpy(esc, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
                elen = 6;
            } else {
                memcpy(esc, "\xEF\xBF\xBD", 3);
                elen = 3;
            }
        }
        vg_buf_append(b, p + run, i - run);
        vg_buf_append(b, esc, elen);
        i += len;
        run = i;
    }
    vg_buf_append(b, p + run, n - run);
}

/* ---- writer ------------------------------------------------------------------ */

void vg_json_init(vg_json *j, vg_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = 1;
    j->is_obj[0] = 0;
}

static bool check_out(vg_json *j)
{
    if (j->out->failed)
        j->failed = true;
    return !j->failed;
}

/* Everything that writes a value goes through here first: validates the
 * position and writes the separating comma. */
static bool begin_value(vg_json *j)
{
    if (!check_out(j))
        return false;
    int d = j->depth;
    if (j->is_obj[d]) {
        if (!j->after_key) {
            j->failed = true; /* value in an object without a key */
            return false;
        }
        j->after_key = false;
        return true; /* the comma went before the key */
    }
    if (!j->first[d]) {
        if (d == 0) {
            j->failed = true; /* a document holds one value */
            return false;
        }
        vg_buf_putc(j->out, ',');
    }
    j->first[d] = 0;
    return true;
}

static void end_value(vg_json *j) { check_out(j); }

static void open_container(vg_json *j, bool obj)
{
    if (!begin_value(j))
        return;
    if (j->depth + 1 >= VG_JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    j->depth++;
    j->first[j->depth] = 1;
    j->is_obj[j->depth] = obj;
    vg_buf_putc(j->out, obj ? '{' : '[');
    end_value(j);
}

static void close_container(vg_json *j, bool obj)
{
    if (!check_out(j))
        return;
    if (j->depth == 0 || (bool)j->is_obj[j->depth] != obj || j->after_key) {
        j->failed = true;
        return;
    }
    j->depth--;
    vg_buf_putc(j->out, obj ? '}' : ']');
    end_value(j);
}

void vg_json_obj_begin(vg_json *j) { open_container(j, true); }
void vg_json_obj_end(vg_json *j) { close_container(j, true); }
void vg_json_arr_begin(vg_json *j) { open_container(j, false); }
void vg_json_arr_end(vg_json *j) { close_container(j, false); }

static void write_string(vg_buf *b, const void *s, size_t n)
{
    vg_buf_putc(b, '"');
    vg_json_escape(b, s, n);
    vg_buf_putc(b, '"');
}

void vg_json_key(vg_json *j, const char *key)
{
    if (!check_out(j))
        return;
    int d = j->depth;
    if (!j->is_obj[d] || j->after_key || !key) {
        j->failed = true;
        return;
    }
    if (!j->first[d])
        vg_buf_putc(j->out, ',');
    j->first[d] = 0;
    write_string(j->out, key, strlen(key));
    vg_buf_putc(j->out, ':');
    j->after_key = true;
    end_value(j);
}

void vg_json_strn(vg_json *j, const void *s, size_t n)
{
    if (!begin_value(j))
        return;
    write_string(j->out, s, n);
    end_value(j);
}

void vg_json_str(vg_json *j, const char *s)
{
    if (!s) {
        vg_json_null(j);
        return;
    }
    vg_json_strn(j, s, strlen(s));
}

void vg_json_int(vg_json *j, int64_t v)
{
    if (!begin_value(j))
        return;
    vg_buf_printf(j->out, "%" PRId64, v);
    end_value(j);
}

void vg_json_uint(vg_json *j, uint64_t v)
{
    if (!begin_value(j))
        return;
    vg_buf_printf(j->out, "%" PRIu64, v);
    end_value(j);
}

/* Shortest %.Ng (N = 15..17) that reads back to v; %.17g always does. */
static int format_double(double v, char *buf, size_t size)
{
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, size, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '.';
    return len;
}

void vg_json_double(vg_json *j, double v)
{
    if (!isfinite(v)) {
        vg_json_null(j);
        return;
    }
    if (!begin_value(j))
        return;
    char buf[40];
    int len = format_double(v, buf, sizeof buf);
    vg_buf_append(j->out, buf, (size_t)len);
    end_value(j);
}

void vg_json_bool(vg_json *j, bool v)
{
    if (!begin_value(j))
        return;
    vg_buf_puts(j->out, v ? "true" : "false");
    end_value(j);
}

void vg_json_null(vg_json *j)
{
    if (!begin_value(j))
        return;
    vg_buf_puts(j->out, "null");
    end_value(j);
}

/* The caller vouches for `json` being one well-formed value; NULL -> null. */
void vg_json_raw(vg_json *j, const char *json)
{
    if (!json) {
        vg_json_null(j);
        return;
    }
    if (!begin_value(j))
        return;
    vg_buf_puts(j->out, json);
    end_value(j);
}

void vg_json_kv_str(vg_json *j, const char *key, const char *s)
{
    vg_json_key(j, key);
    vg_json_str(j, s);
}

void vg_json_kv_int(vg_json *j, const char *key, int64_t v)
{
    vg_json_key(j, key);
    vg_json_int(j, v);
}

void vg_json_kv_bool(vg_json *j, const char *key, bool v)
{
    vg_json_key(j, key);
    vg_json_bool(j, v);
}
