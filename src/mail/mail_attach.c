/* mail_attach.c — what an attachment really is: type from content
 * (libmagic), SHA-256, archive members (libarchive: zip, rar, 7z, tar, iso,
 * cab), VBA macros (OLE "_VBA_PROJECT" stream, OOXML vbaProject.bin),
 * encryption (archive entries, OLE EncryptedPackage), links and scripts
 * inside PDFs, and links and forms inside HTML/SVG attachments.
 *
 * Work is bounded: libmagic sees at most 256 KiB; archive listing stops at
 * max_archive_entries and after 32 MiB of decompressed data, and never runs
 * external decompression programs; PDFs are scanned in their first 8 MiB
 * (uncompressed objects only). */
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

#include "mail_internal.h"

#define ARCHIVE_BUDGET ((int64_t)32 << 20)
#define PDF_SCAN_MAX ((size_t)8 << 20)

static bool has_prefix(const unsigned char *d, size_t n, const void *magic, size_t m)
{
    return n >= m && memcmp(d, magic, m) == 0;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* UTF-16LE occurrence of an ASCII name (OLE directory entries). */
static bool has_utf16(const unsigned char *d, size_t n, const char *ascii)
{
    size_t m = strlen(ascii);
    unsigned char pat[64];
    if (m * 2 > sizeof pat)
        return false;
    for (size_t i = 0; i < m; i++) {
        pat[2 * i] = (unsigned char)ascii[i];
        pat[2 * i + 1] = 0;
    }
    return memmem(d, n, pat, m * 2) != NULL;
}

static bool archive_signature(const unsigned char *d, size_t n)
{
    return has_prefix(d, n, "PK\x03\x04", 4) || has_prefix(d, n, "PK\x05\x06", 4) ||
           has_prefix(d, n, "Rar!\x1a\x07", 6) || has_prefix(d, n, "7z\xbc\xaf\x27\x1c", 6) ||
           has_prefix(d, n, "\x1f\x8b", 2) || has_prefix(d, n, "BZh", 3) ||
           has_prefix(d, n, "\xfd" "7zXZ", 5) || has_prefix(d, n, "MSCF", 4) ||
           (n > 262 && memcmp(d + 257, "ustar", 5) == 0) ||
           (n > 0x8006 && memcmp(d + 0x8001, "CD001", 5) == 0);
}

static void list_archive(vg_mail_builder *b, vg_mail_attachment *att, const unsigned char *d,
                         size_t n)
{
    vg_mail_parser *p = b->p;
    struct archive *a = archive_read_new();
    if (!a)
        return;
    archive_read_support_format_zip(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_iso9660(a);
    archive_read_support_format_cab(a);
    /* built-in decompressors only: never external programs on hostile data */
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    if (archive_read_open_memory(a, d, n) != ARCHIVE_OK) {
        archive_read_free(a);
        return;
    }
    vg_avec entries = {0};
    bool ooxml = false, macros = false, encrypted = false, truncated = false;
    size_t total = 0;
    int64_t budget = ARCHIVE_BUDGET;
    struct archive_entry *e;
    for (;;) {
        int rc = archive_read_next_header(a, &e);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            const char *msg = archive_error_string(a);
            if (msg && (strcasestr(msg, "encrypt") || strcasestr(msg, "password")))
                encrypted = true;
            else if (total == 0)
                truncated = false; /* not an archive after all */
            else
                truncated = true;
            break;
        }
        total++;
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        if (!name)
            name = "";
        bool enc = archive_entry_is_encrypted(e) > 0;
        encrypted |= enc;
        if (strcmp(name, "[Content_Types].xml") == 0)
            ooxml = true;
        if (ends_with_ci(name, "vbaProject.bin"))
            macros = true;
        if (archive_entry_filetype(e) != AE_IFDIR && entries.n < p->opts.limits.max_archive_entries) {
            vg_mail_archive_entry *en = AVEC_PUSH(p->arena, &entries, vg_mail_archive_entry);
            en->name = vg_utf8_valid(name, strlen(name))
                           ? vg_arena_strdup(p->arena, name)
                           : vg_mail__to_utf8_arena(p->arena, "cp437", name, strlen(name), NULL);
            en->size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
            en->encrypted = enc;
        }
        if (total >= p->opts.limits.max_archive_entries) {
            truncated = true;
            break;
        }
        if (enc)
            continue; /* cannot read it; the next header call skips it */
        /* Skip the data, counting what the decompressor produces. */
        const void *blk;
        size_t sz;
        la_int64_t off;
        int r;
        while ((r = archive_read_data_block(a, &blk, &sz, &off)) == ARCHIVE_OK) {
            budget -= (int64_t)sz;
            if (budget < 0)
                break;
        }
        if (budget < 0) {
            truncated = true;
            break;
        }
        if (r != ARCHIVE_EOF) {
            const char *msg = archive_error_string(a);
            if (msg && (strcasestr(msg, "encrypt") || strcasestr(msg, "password")))
                encrypted = true;
            truncated = true;
            break;
        }
    }
    if (archive_read_has_encrypted_entries(a) > 0)
        encrypted = true;
    archive_read_free(a);
    if (macros)
        att->flags |= VG_ATT_F_MACROS;
    if (ooxml)
        return; /* an Office document, not an archive a person opens */
    if (total == 0 && !encrypted)
        return;
    att->flags |= VG_ATT_F_ARCHIVE;
    if (encrypted)
        att->flags |= VG_ATT_F_ENCRYPTED;
    if (truncated)
        att->flags |= VG_ATT_F_TRUNCATED;
    att->entries = entries.v;
    att->n_entries = entries.n;
    att->n_entries_total = total;
}

/* PDF: /URI (...) links, and /JavaScript, /JS, /Launch actions. */
static void scan_pdf(vg_mail_builder *b, vg_mail_attachment *att, const unsigned char *d,
                     size_t n)
{
    if (n > PDF_SCAN_MAX)
        n = PDF_SCAN_MAX;
    const char *s = (const char *)d;
    /* one pass over the names ('/'): the actions, and the /URI entries in
     * order, each searched from the end of the one before */
    size_t i = 0;
    unsigned count = 0;
    for (const char *hit = memchr(s, '/', n); hit;
         hit = memchr(hit + 1, '/', n - (size_t)(hit + 1 - s))) {
        size_t left = n - (size_t)(hit - s);
        if (left >= 3 && hit[1] == 'J' &&
            (hit[2] == 'S' || (left >= 11 && memcmp(hit, "/JavaScript", 11) == 0)))
            att->flags |= VG_ATT_F_PDF_JS;
        else if (left >= 7 && hit[1] == 'L' && memcmp(hit, "/Launch", 7) == 0)
            att->flags |= VG_ATT_F_PDF_JS;
        if (!(left >= 4 && hit[1] == 'U' && hit[2] == 'R' && hit[3] == 'I') ||
            (size_t)(hit - s) < i || count >= 256)
            continue;
        size_t j = (size_t)(hit - s) + 4;
        while (j < n && (s[j] == ' ' || s[j] == '\r' || s[j] == '\n'))
            j++;
        if (j < n && s[j] == '(') {
            char url[2048];
            size_t k = 0;
            j++;
            int depth = 1;
            while (j < n && k + 1 < sizeof url) {
                char c = s[j++];
                if (c == '\\' && j < n) {
                    url[k++] = s[j++];
                    continue;
                }
                if (c == '(')
                    depth++;
                if (c == ')' && --depth == 0)
                    break;
                url[k++] = c;
            }
            if (k > 0) {
                vg_mail__add_url(b, url, k, NULL, VG_URL_DOCUMENT, VG_URL_F_ATTACHMENT);
                count++;
            }
        }
        i = j > (size_t)(hit - s) ? j : (size_t)(hit - s) + 4;
    }
}

static bool is_html_like(const vg_mail_attachment *att, const unsigned char *d, size_t n)
{
    const char *dt = att->declared_type ? att->declared_type : "";
    const char *mt = att->magic_type ? att->magic_type : "";
    const char *fn = att->filename ? att->filename : "";
    if (strcmp(dt, "text/html") == 0 || strcmp(mt, "text/html") == 0 ||
        strcmp(dt, "image/svg+xml") == 0 || strcmp(mt, "image/svg+xml") == 0)
        return true;
    if (ends_with_ci(fn, ".htm") || ends_with_ci(fn, ".html") || ends_with_ci(fn, ".shtml") ||
        ends_with_ci(fn, ".xhtml") || ends_with_ci(fn, ".svg") || ends_with_ci(fn, ".hta") ||
        ends_with_ci(fn, ".mht"))
        return true;
    size_t probe = n < 1024 ? n : 1024;
    return memmem(d, probe, "<html", 5) || memmem(d, probe, "<HTML", 5) ||
           memmem(d, probe, "<!DOCTYPE html", 14) || memmem(d, probe, "<script", 7);
}

/* The formats most attachments are in, known by their leading signature,
 * with the names libmagic gives them; libmagic (tens of microseconds a call:
 * it tries its whole database) for everything else. */
static const char *quick_type(const unsigned char *d, size_t n)
{
    if (has_prefix(d, n, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return "image/jpeg";
    if (has_prefix(d, n, "GIF87a", 6) || has_prefix(d, n, "GIF89a", 6))
        return "image/gif";
    if (has_prefix(d, n, "%PDF-", 5))
        return "application/pdf";
    return NULL;
}

/* libmagic's answer for content already seen, by SHA-256: the same logo,
 * signature or campaign attachment comes in message after message, and
 * libmagic costs 0.1 to several milliseconds a call on text and unknown
 * binary data (it runs its whole database, compiling regular expressions).
 * Direct-mapped, per parser. */
#define MAGIC_CACHE 256
#define MAGIC_TYPE_MAX 96

struct vg_mail_magic_entry {
    uint8_t digest[32];
    char type[MAGIC_TYPE_MAX]; /* "" = empty slot */
};

static const char *magic_type(vg_mail_parser *p, const uint8_t dig[32], const unsigned char *d,
                              size_t n)
{
    if (!p->magic_cache)
        p->magic_cache = vg_xcalloc(MAGIC_CACHE, sizeof *p->magic_cache);
    uint32_t h;
    memcpy(&h, dig, sizeof h);
    struct vg_mail_magic_entry *e = &p->magic_cache[h % MAGIC_CACHE];
    if (e->type[0] && memcmp(e->digest, dig, 32) == 0)
        return vg_arena_strdup(p->arena, e->type);
    vg_mail__magic_lock();
    const char *mt = magic_buffer(p->magic, d, n < (256u << 10) ? n : (256u << 10));
    const char *r = mt ? vg_arena_strdup(p->arena, mt) : NULL;
    vg_mail__magic_unlock();
    if (!r)
        return NULL;
    size_t l = strlen(r);
    if (l > 0 && l < MAGIC_TYPE_MAX) {
        memcpy(e->digest, dig, 32);
        memcpy(e->type, r, l + 1);
    }
    return r;
}

void vg_mail__attachment(vg_mail_builder *b, vg_mail_attachment *att, const unsigned char *d,
                         size_t n)
{
    vg_mail_parser *p = b->p;
    att->size = n;
    uint8_t dig[32];
    vg_sha256_digest(d, n, dig);
    vg_hex(dig, 32, att->sha256);
    att->magic_type = quick_type(d, n);
    if (!att->magic_type && p->magic && n > 0)
        att->magic_type = magic_type(p, dig, d, n);
    if (!att->magic_type)
        att->magic_type = n ? "application/octet-stream" : "application/x-empty";
    if (att->filename && vg_mail__has_bidi_control(att->filename)) {
        att->flags |= VG_ATT_F_RLO;
        b->m->evidence |= VG_MAIL_EV_RLO_FILENAME;
    }
    if (has_prefix(d, n, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)) {
        att->flags |= VG_ATT_F_OLE;
        if (has_utf16(d, n, "_VBA_PROJECT"))
            att->flags |= VG_ATT_F_MACROS;
        if (has_utf16(d, n, "EncryptedPackage"))
            att->flags |= VG_ATT_F_ENCRYPTED;
        return;
    }
    if (archive_signature(d, n)) {
        list_archive(b, att, d, n);
        return;
    }
    if (has_prefix(d, n, "%PDF", 4) || (n > 1024 && memmem(d, 1024, "%PDF-", 5))) {
        scan_pdf(b, att, d, n);
        return;
    }
    if (is_html_like(att, d, n)) {
        vg_buf text;
        vg_buf_init(&text, 0);
        vg_buf conv;
        vg_buf_init(&conv, 0);
        vg_mail__to_utf8(NULL, d, n, &conv);
        att->flags |= vg_mail__html(b, conv.p ? conv.p : "", conv.n, true, &text);
        vg_buf_free(&conv);
        vg_buf_free(&text);
    }
}
