/* escape.c — the one place where values from mail and logs are made inert:
 * HTML and Markdown escaping, indicator defanging, and the MIME encodings
 * (base64, RFC 2047 encoded words) used to build mail. */
#include <string.h>

#include "notify/notify_int.h"

/* Code points shown as "[U+XXXX]" instead of being emitted: controls,
 * bidirectional overrides and isolates, zero-width and invisible format
 * characters, line and paragraph separators, tag characters. Any of these
 * can hide or reorder text in front of a reader (CVE-2021-42574 style). */
bool vg_notify_invisible(uint32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n';
    if (cp >= 0x7f && cp <= 0x9f)
        return true;
    switch (cp) {
    case 0x00ad: /* soft hyphen */
    case 0x061c: /* arabic letter mark */
    case 0x180e: /* mongolian vowel separator */
    case 0x2028:
    case 0x2029:
    case 0xfeff:
        return true;
    default: break;
    }
    return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x206f) || (cp >= 0xfff9 && cp <= 0xfffb) ||
           (cp >= 0xe0000 && cp <= 0xe007f);
}

/* Walks s as UTF-8 and appends each code point, or its replacement.
 * mode: 0 HTML, 1 Markdown text, 2 Markdown code span (neutralized only). */
static void escape_text(vg_buf *b, const char *s, size_t n, int mode)
{
    /* Ill-formed UTF-8 first becomes U+FFFD (one per maximal subpart). */
    vg_buf clean;
    vg_buf_init(&clean, 0);
    if (!vg_utf8_valid(s, n)) {
        vg_utf8_sanitize(&clean, s, n);
        s = vg_buf_cstr(&clean);
        n = clean.n;
    }
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if (vg_notify_invisible(c) || (mode >= 1 && c == '\t')) {
                if (mode >= 1 && (c == '\r' || c == '\t'))
                    vg_buf_putc(b, ' ');
                else
                    vg_buf_printf(b, "[U+%04X]", c);
            } else if (c == '\n') {
                vg_buf_puts(b, mode >= 1 ? " " : "\n");
            } else if (mode == 0) {
                switch (c) {
                case '&': vg_buf_puts(b, "&amp;"); break;
                case '<': vg_buf_puts(b, "&lt;"); break;
                case '>': vg_buf_puts(b, "&gt;"); break;
                case '"': vg_buf_puts(b, "&quot;"); break;
                case '\'': vg_buf_puts(b, "&#39;"); break;
                default: vg_buf_putc(b, (char)c);
                }
            } else {
                if (mode == 1 && strchr("\\`*_[]<>|~&{}#", c))
                    vg_buf_putc(b, '\\');
                vg_buf_putc(b, (char)c);
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = vg_utf8_decode(p + i, n - i, &cp);
        if (len == 0) { /* cannot happen after sanitizing; stay safe */
            vg_buf_puts(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (vg_notify_invisible(cp))
            vg_buf_printf(b, "[U+%04X]", cp);
        else
            vg_buf_append(b, p + i, len);
        i += len;
    }
    vg_buf_free(&clean);
}

void vg_html_escape(vg_buf *b, const char *s, size_t n)
{
    if (s)
        escape_text(b, s, n, 0);
}

void vg_html_escape_cstr(vg_buf *b, const char *s)
{
    if (s)
        escape_text(b, s, strlen(s), 0);
}

void vg_md_escape(vg_buf *b, const char *s)
{
    if (s)
        escape_text(b, s, strlen(s), 1);
}

/* A value as a Markdown code span: literal whatever it holds (CommonMark
 * interprets nothing inside), invisible characters made visible, newlines
 * folded, and a fence longer than any backtick run inside. In a GFM table
 * cell a pipe still ends the cell, so it is escaped there. */
void vg_md_code(vg_buf *b, const char *s, bool in_table)
{
    if (!s)
        return;
    vg_buf t;
    vg_buf_init(&t, 0);
    escape_text(&t, s, strlen(s), 2);
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < t.n; i++) {
        run = t.p[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    bool pad = t.n && (t.p[0] == '`' || t.p[t.n - 1] == '`' || t.p[0] == ' ');
    for (size_t i = 0; i <= longest; i++)
        vg_buf_putc(b, '`');
    if (pad)
        vg_buf_putc(b, ' ');
    for (size_t i = 0; i < t.n; i++) {
        if (in_table && t.p[i] == '|')
            vg_buf_putc(b, '\\');
        vg_buf_putc(b, t.p[i]);
    }
    if (pad)
        vg_buf_putc(b, ' ');
    for (size_t i = 0; i <= longest; i++)
        vg_buf_putc(b, '`');
    vg_buf_free(&t);
}

void vg_defang(vg_buf *b, const char *ind)
{
    if (!ind)
        return;
    const char *p = ind;
    const char *host_end = NULL;
    if (strncasecmp(p, "http", 4) == 0 && (p[4] == ':' || ((p[4] == 's' || p[4] == 'S') && p[5] == ':'))) {
        vg_buf_puts(b, "hxxp");
        p += 4;
        const char *rest = strstr(p, "://");
        if (rest) {
            vg_buf_append(b, p, (size_t)(rest + 3 - p));
            p = rest + 3;
            host_end = p + strcspn(p, "/?#");
        }
    } else if (strstr(p, "://")) {
        const char *rest = strstr(p, "://");
        vg_buf_append(b, p, (size_t)(rest + 3 - p));
        p = rest + 3;
        host_end = p + strcspn(p, "/?#");
    }
    bool v6 = !host_end && strchr(p, ':') && !strchr(p, '.') && !strchr(p, '@');
    for (; *p; p++) {
        bool in_host = !host_end || p < host_end;
        if (in_host && *p == '.')
            vg_buf_puts(b, "[.]");
        else if (in_host && *p == '@' && !host_end)
            vg_buf_puts(b, "[@]");
        else if (v6 && *p == ':')
            vg_buf_puts(b, "[:]");
        else
            vg_buf_putc(b, *p);
    }
}

/* ---- MIME --------------------------------------------------------------------------- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void vg_notify_base64(vg_buf *b, const void *data, size_t n, size_t line)
{
    const uint8_t *p = data;
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char out[4] = {B64[(v >> 18) & 63], B64[(v >> 12) & 63],
                       i + 1 < n ? B64[(v >> 6) & 63] : '=', i + 2 < n ? B64[v & 63] : '='};
        vg_buf_append(b, out, 4);
        col += 4;
        if (line && col >= line && i + 3 < n) {
            vg_buf_puts(b, "\r\n");
            col = 0;
        }
    }
}

/* A header value: control bytes dropped, ASCII kept as is, otherwise RFC 2047
 * base64 encoded words of at most 45 input bytes (cut at UTF-8 boundaries),
 * folded onto continuation lines. */
void vg_notify_header_value(vg_buf *b, const char *s)
{
    vg_buf clean;
    vg_buf_init(&clean, 0);
    vg_utf8_sanitize(&clean, s, strlen(s));
    bool ascii = true;
    vg_buf t;
    vg_buf_init(&t, 0);
    const uint8_t *p = (const uint8_t *)vg_buf_cstr(&clean);
    size_t n = clean.n;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = vg_utf8_decode(p + i, n - i, &cp);
        if (len == 0)
            len = 1;
        if (len == 1 && vg_notify_invisible(p[i])) {
            vg_buf_putc(&t, ' ');
        } else if (len > 1 && vg_notify_invisible(cp)) {
            /* drop invisible format characters in headers */
        } else {
            if (len > 1)
                ascii = false;
            vg_buf_append(&t, p + i, len);
        }
        i += len;
    }
    vg_buf_free(&clean);
    if (ascii) {
        vg_buf_append(b, t.p ? t.p : "", t.n);
        vg_buf_free(&t);
        return;
    }
    const uint8_t *q = (const uint8_t *)vg_buf_cstr(&t);
    size_t i = 0;
    bool first = true;
    while (i < t.n) {
        size_t end = i;
        while (end < t.n) {
            uint32_t cp;
            size_t len = vg_utf8_decode(q + end, t.n - end, &cp);
            if (len == 0)
                len = 1;
            if (end + len - i > 45)
                break;
            end += len;
        }
        if (end == i)
            end = i + 1;
        if (!first)
            vg_buf_puts(b, "\r\n ");
        vg_buf_puts(b, "=?UTF-8?B?");
        vg_notify_base64(b, q + i, end - i, 0);
        vg_buf_puts(b, "?=");
        first = false;
        i = end;
    }
    vg_buf_free(&t);
}
