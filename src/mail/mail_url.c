/* mail_url.c — URLs: the host of a URL (lower case, A-label, IP forms
 * flagged), finding URLs in text, and adding them to a message with limits. */
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "mail_internal.h"

/* An IPv4 address in any of the forms browsers accept: dotted with 1-4
 * parts, each decimal, octal (0..) or hex (0x..). "3232235777", "0x7f.1". */
static bool numeric_ipv4(const char *h, size_t n)
{
    if (n == 0)
        return false;
    int parts = 0;
    size_t i = 0;
    while (i < n) {
        size_t s = i;
        bool hex = false;
        if (n - i >= 2 && h[i] == '0' && (h[i + 1] | 0x20) == 'x') {
            hex = true;
            i += 2;
        }
        size_t digits = 0;
        while (i < n && h[i] != '.') {
            if (hex ? vg_hex_digit((unsigned char)h[i]) < 0 : !(h[i] >= '0' && h[i] <= '9'))
                return false;
            i++;
            digits++;
        }
        if (digits == 0 && !(hex && i - s == 2))
            return false;
        parts++;
        if (i < n) {
            i++; /* '.' */
            if (i == n)
                break; /* trailing dot */
        }
    }
    return parts >= 1 && parts <= 4;
}

bool vg_mail_url_host(const char *url, size_t n, char *out, size_t cap, unsigned *flags)
{
    unsigned fl = 0;
    if (flags)
        *flags = 0;
    if (cap == 0)
        return false;
    out[0] = 0;
    size_t i = 0;
    /* scheme */
    size_t k = 0;
    while (k < n && k < 16 && ((url[k] | 0x20) >= 'a' && (url[k] | 0x20) <= 'z'))
        k++;
    const char *auth;
    size_t an;
    if (k > 0 && k + 2 < n && url[k] == ':' && (url[k + 1] == '/' || url[k + 1] == '\\') &&
        (url[k + 2] == '/' || url[k + 2] == '\\')) {
        i = k + 3;
    } else if (k > 0 && k < n && url[k] == ':') {
        return false; /* mailto:, tel:, data:, javascript: */
    } else if (n >= 4 && strncasecmp(url, "www.", 4) == 0) {
        i = 0;
    } else if (n >= 2 && url[0] == '/' && url[1] == '/') {
        i = 2;
    } else {
        return false;
    }
    while (i < n && (url[i] == '/' || url[i] == '\\'))
        i++;
    auth = url + i;
    size_t j = i;
    while (j < n && url[j] != '/' && url[j] != '\\' && url[j] != '?' && url[j] != '#')
        j++;
    an = j - i;
    /* userinfo: everything up to the last '@' */
    for (size_t t = an; t > 0; t--) {
        if (auth[t - 1] == '@') {
            fl |= VG_URL_F_USERINFO;
            auth += t;
            an -= t;
            break;
        }
    }
    /* host (percent-decoded), port */
    char host[256];
    size_t hn = 0;
    bool bracket = an > 0 && auth[0] == '[';
    size_t t = bracket ? 1 : 0;
    for (; t < an; t++) {
        int c = (unsigned char)auth[t];
        if (bracket && c == ']') {
            t++;
            break;
        }
        if (!bracket && c == ':')
            break;
        if (c == '%' && t + 2 < an && vg_hex_digit((unsigned char)auth[t + 1]) >= 0 &&
            vg_hex_digit((unsigned char)auth[t + 2]) >= 0) {
            c = vg_hex_digit((unsigned char)auth[t + 1]) * 16 +
                vg_hex_digit((unsigned char)auth[t + 2]);
            t += 2;
        }
        if (c == 0x3002 || c <= 32)
            continue;
        if (hn + 1 >= sizeof host)
            return false;
        host[hn++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    if (t < an && auth[t] == ':') {
        const char *port = auth + t + 1;
        size_t pn = an - t - 1;
        if (!(pn == 0 || (pn == 2 && memcmp(port, "80", 2) == 0) ||
              (pn == 3 && memcmp(port, "443", 3) == 0)))
            fl |= VG_URL_F_PORT;
    }
    while (hn > 0 && host[hn - 1] == '.')
        hn--;
    host[hn] = 0;
    if (hn == 0)
        return false;
    if (bracket) {
        for (size_t q = 0; q < hn; q++) { /* an IPv6 literal, nothing else */
            char c = host[q];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.'))
                return false;
        }
        fl |= VG_URL_F_IP_HOST;
    } else if (numeric_ipv4(host, hn)) {
        fl |= VG_URL_F_IP_HOST;
    } else {
        bool ascii = true;
        for (size_t q = 0; q < hn; q++) {
            if ((unsigned char)host[q] >= 0x80)
                ascii = false;
        }
        if (!ascii && !vg_utf8_valid(host, hn))
            return false; /* percent-encoded bytes that are no text: no host, as in browsers */
        if (!ascii) {
            char *a = NULL;
            if (vg_utf8_valid(host, hn) &&
                idn2_to_ascii_8z(host, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK && a &&
                strlen(a) < sizeof host) {
                hn = strlen(a);
                memcpy(host, a, hn + 1);
                for (size_t q = 0; q < hn; q++)
                    host[q] = (char)((host[q] >= 'A' && host[q] <= 'Z') ? host[q] + 32 : host[q]);
            }
            idn2_free(a);
            fl |= VG_URL_F_IDN;
        }
        if (strncmp(host, "xn--", 4) == 0 || strstr(host, ".xn--"))
            fl |= VG_URL_F_IDN;
    }
    if (hn + 1 > cap)
        return false;
    memcpy(out, host, hn + 1);
    if (flags)
        *flags = fl;
    return true;
}

void vg_mail__add_url(vg_mail_builder *b, const char *url, size_t n, const char *text,
                      vg_url_source src, unsigned flags)
{
    vg_mail_parser *p = b->p;
    /* trim */
    while (n && ((unsigned char)*url <= 32)) {
        url++;
        n--;
    }
    while (n && ((unsigned char)url[n - 1] <= 32))
        n--;
    if (n == 0 || n > 8192)
        return;
    if (n >= 5 && strncasecmp(url, "data:", 5) == 0) {
        flags |= VG_URL_F_DATA;
        if (n > 64) { /* keep the head only, cut at a character boundary */
            n = 64;
            while (n > 5 && ((unsigned char)url[n] & 0xC0) == 0x80)
                n--;
        }
    }
    if (n >= 1 && url[0] == '#')
        return;
    if (n >= 11 && strncasecmp(url, "javascript:", 11) == 0)
        return;
    /* De-duplicate against the last few entries (same link repeated). */
    vg_mail_url *v = b->urls.v;
    size_t from = b->urls.n > 64 ? b->urls.n - 64 : 0;
    for (size_t i = from; i < b->urls.n; i++) {
        if (v[i].source == src && strlen(v[i].url) == n && memcmp(v[i].url, url, n) == 0 &&
            ((!v[i].text && !text) || (v[i].text && text && strcmp(v[i].text, text) == 0)))
            return;
    }
    if (b->urls.n >= p->opts.limits.max_urls) {
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
        return;
    }
    vg_mail_url *u = AVEC_PUSH(p->arena, &b->urls, vg_mail_url);
    memset(u, 0, sizeof *u);
    u->url = vg_arena_strndup(p->arena, url, n);
    char host[256];
    unsigned hf = 0;
    if (vg_mail_url_host(url, n, host, sizeof host, &hf))
        u->host = vg_arena_strdup(p->arena, host);
    else
        u->host = "";
    u->text = text;
    u->source = src;
    u->flags = flags | hf;
}

static bool url_char(unsigned char c)
{
    if (c <= 32 || c == 127)
        return false;
    return !(c == '"' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' || c == '|' ||
             c == '^' || c == '\\');
}

void vg_mail__scan_text_urls(vg_mail_builder *b, const char *text, size_t n, unsigned flags)
{
    size_t i = 0;
    while (i + 4 < n) {
        const char *hit = NULL;
        /* find the next candidate start: "http", "ftp:", "www." */
        for (; i + 4 < n; i++) {
            char c = (char)(text[i] | 0x20);
            if (c != 'h' && c != 'w' && c != 'f')
                continue;
            if (i > 0 && (((text[i - 1] | 0x20) >= 'a' && (text[i - 1] | 0x20) <= 'z') ||
                          (text[i - 1] >= '0' && text[i - 1] <= '9') || text[i - 1] == '.' ||
                          text[i - 1] == '/' || text[i - 1] == '@'))
                continue;
            if (n - i > 8 && strncasecmp(text + i, "https://", 8) == 0)
                hit = text + i;
            else if (n - i > 7 && strncasecmp(text + i, "http://", 7) == 0)
                hit = text + i;
            else if (n - i > 6 && strncasecmp(text + i, "ftp://", 6) == 0)
                hit = text + i;
            else if (n - i > 4 && strncasecmp(text + i, "www.", 4) == 0)
                hit = text + i;
            if (hit)
                break;
        }
        if (!hit)
            return;
        size_t j = i;
        while (j < n && url_char((unsigned char)text[j]))
            j++;
        size_t len = j - i;
        /* trailing punctuation is prose, not URL */
        while (len > 0 && strchr(".,;:!?)]'*", text[i + len - 1]))
            len--;
        if (len > 8)
            vg_mail__add_url(b, text + i, len, NULL, VG_URL_TEXT, flags);
        i = j > i ? j : i + 1;
    }
}
