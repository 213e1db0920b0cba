/* demo_files.c — the demo's attachments as real file formats: a
 * macro-enabled Word document (.docm: an OOXML zip written with libarchive,
 * with a word/vbaProject.bin member that is a valid but inert OLE compound
 * file) and a one-page PDF invoice. Both are byte-for-byte deterministic. */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "demo/demo_int.h"

static void xml_escape(vg_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': vg_buf_puts(b, "&amp;"); break;
        case '<': vg_buf_puts(b, "&lt;"); break;
        case '>': vg_buf_puts(b, "&gt;"); break;
        case '"': vg_buf_puts(b, "&quot;"); break;
        default: vg_buf_putc(b, *s);
        }
    }
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A compound file (MS-CFB, version 3) holding one stream, "PROJECT", with
 * the text of a VBA project whose AutoOpen does nothing. */
static void vba_project(vg_buf *out)
{
    const uint32_t FREESECT = 0xffffffffu, ENDOFCHAIN = 0xfffffffeu, FATSECT = 0xfffffffdu,
                   NOSTREAM = 0xffffffffu;
    vg_buf s;
    vg_buf_init(&s, 0);
    vg_buf_puts(
        &s, "ID=\"{5D9A4C1B-2E7F-4B3A-9C61-0A8E2F6D1B47}\"\r\nDocument=ThisDocument/&H00000000\r\n"
            "Name=\"Project\"\r\nHelpContextID=\"0\"\r\nVersionCompatible32=\"393222000\"\r\n"
            "CMG=\"0B09A7E1ABE1ABE1ABE1ABE1\"\r\nDPB=\"0F0DA3E5A7E6A7E6\"\r\nGC="
            "\"1517AFF3B0F4B0F4\"\r\n\r\n"
            "[Host Extender "
            "Info]\r\n&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000\r\n\r\n"
            "Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\n"
            "    ' vigil demo: an inert placeholder, it runs nothing\r\nEnd Sub\r\n");
    while (s.n < 4096)
        vg_buf_putc(&s, ' ');
    size_t nsec = (s.n + 511) / 512;
    size_t total = 512 * (1 + 2 + nsec);
    uint8_t *f = vg_xcalloc(total, 1);
    static const uint8_t sig[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    memcpy(f, sig, 8);
    put_le16(f + 24, 0x003e);
    put_le16(f + 26, 0x0003);
    put_le16(f + 28, 0xfffe);
    put_le16(f + 30, 9);
    put_le16(f + 32, 6);
    put_le32(f + 44, 1);          /* FAT sectors */
    put_le32(f + 48, 1);          /* first directory sector */
    put_le32(f + 56, 0x1000);     /* mini stream cutoff */
    put_le32(f + 60, ENDOFCHAIN); /* mini FAT */
    put_le32(f + 68, ENDOFCHAIN); /* DIFAT */
    put_le32(f + 76, 0);          /* DIFAT[0]: the FAT is sector 0 */
    for (int i = 1; i < 109; i++)
        put_le32(f + 76 + 4 * i, FREESECT);
    uint8_t *fat = f + 512;
    for (int i = 0; i < 128; i++)
        put_le32(fat + 4 * i, FREESECT);
    put_le32(fat, FATSECT);
    put_le32(fat + 4, ENDOFCHAIN);
    for (size_t i = 0; i < nsec; i++)
        put_le32(fat + 4 * (2 + i), i + 1 < nsec ? (uint32_t)(3 + i) : ENDOFCHAIN);
    uint8_t *dir = f + 1024;
    for (int e = 0; e < 4; e++) {
        put_le32(dir + 128 * e + 68, NOSTREAM);
        put_le32(dir + 128 * e + 72, NOSTREAM);
        put_le32(dir + 128 * e + 76, NOSTREAM);
    }
    static const char *const names[2] = {"Root Entry", "PROJECT"};
    for (int e = 0; e < 2; e++) {
        uint8_t *d = dir + 128 * e;
        size_t n = strlen(names[e]);
        for (size_t k = 0; k < n; k++)
            put_le16(d + 2 * k, (uint16_t)names[e][k]);
        put_le16(d + 64, (uint16_t)(2 * (n + 1)));
        d[66] = e == 0 ? 5 : 2; /* root storage, stream */
        d[67] = 1;              /* black */
    }
    put_le32(dir + 76, 1);           /* root's child: PROJECT */
    put_le32(dir + 116, ENDOFCHAIN); /* root: no mini stream */
    put_le32(dir + 128 + 116, 2);    /* PROJECT starts at sector 2 */
    put_le32(dir + 128 + 120, (uint32_t)s.n);
    memcpy(f + 512 * 3, s.p, s.n);
    vg_buf_append(out, f, total);
    free(f);
    vg_buf_free(&s);
}

static la_ssize_t zip_write(struct archive *a, void *ud, const void *buf, size_t n)
{
    (void)a;
    vg_buf_append(ud, buf, n);
    return (la_ssize_t)n;
}

static void zip_add(struct archive *a, const char *name, const void *data, size_t n, int64_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)n);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, (time_t)(mtime / 1000), 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_write_header(a, e);
    archive_write_data(a, data, n);
    archive_entry_free(e);
}

void dm_docm_build(vg_buf *out, const char *title, const char *company, const char *body,
                   int64_t mtime)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_set_options(a, "zip:compression=deflate");
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, out, NULL, zip_write, NULL);

    static const char ct[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"rels\" "
        "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
        "<Override PartName=\"/word/document.xml\" "
        "ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>"
        "<Override PartName=\"/docProps/core.xml\" "
        "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
        "<Override PartName=\"/docProps/app.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
        "</Types>";
    static const char rels[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId3\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        "extended-properties\" Target=\"docProps/app.xml\"/>"
        "<Relationship Id=\"rId2\" "
        "Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
        "core-properties\" Target=\"docProps/core.xml\"/>"
        "<Relationship Id=\"rId1\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        "officeDocument\" Target=\"word/document.xml\"/>"
        "</Relationships>";
    static const char docrels[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" "
        "Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" "
        "Target=\"vbaProject.bin\"/>"
        "</Relationships>";
    vg_buf doc;
    vg_buf_init(&doc, 0);
    vg_buf_puts(
        &doc, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
              "<w:document "
              "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
    vg_buf_puts(&doc, "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>");
    xml_escape(&doc, company);
    vg_buf_puts(&doc, " \xe2\x80\x94 ");
    xml_escape(&doc, title);
    vg_buf_puts(&doc, "</w:t></w:r></w:p>");
    const char *p = body;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = vg_xstrndup(p, n);
        vg_buf_puts(&doc, "<w:p><w:r><w:t xml:space=\"preserve\">");
        xml_escape(&doc, line);
        vg_buf_puts(&doc, "</w:t></w:r></w:p>");
        free(line);
        p += n + (nl ? 1 : 0);
    }
    vg_buf_puts(&doc,
                "<w:sectPr><w:pgSz w:w=\"12240\" w:h=\"15840\"/></w:sectPr></w:body></w:document>");
    char date[VG_TIME_STRLEN];
    vg_time_format_rfc3339(mtime - 3 * 86400000LL, false, date);
    vg_buf core;
    vg_buf_init(&core, 0);
    vg_buf_puts(
        &core,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
        "<cp:coreProperties "
        "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>");
    xml_escape(&core, title);
    vg_buf_printf(
        &core,
        "</dc:title><dc:creator>HR</dc:creator><cp:lastModifiedBy>Windows User</cp:lastModifiedBy>"
        "<dcterms:created xsi:type=\"dcterms:W3CDTF\">%s</dcterms:created></cp:coreProperties>",
        date);
    static const char app[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
        "<Properties "
        "xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
        "<Template>Normal.dotm</Template><Application>Microsoft Office Word</Application>"
        "<AppVersion>16.0000</AppVersion></Properties>";
    vg_buf vba;
    vg_buf_init(&vba, 0);
    vba_project(&vba);

    zip_add(a, "[Content_Types].xml", ct, sizeof ct - 1, mtime);
    zip_add(a, "_rels/.rels", rels, sizeof rels - 1, mtime);
    zip_add(a, "word/document.xml", doc.p, doc.n, mtime);
    zip_add(a, "word/_rels/document.xml.rels", docrels, sizeof docrels - 1, mtime);
    zip_add(a, "word/vbaProject.bin", vba.p, vba.n, mtime);
    zip_add(a, "docProps/core.xml", core.p, core.n, mtime);
    zip_add(a, "docProps/app.xml", app, sizeof app - 1, mtime);
    archive_write_close(a);
    archive_write_free(a);
    vg_buf_free(&doc);
    vg_buf_free(&core);
    vg_buf_free(&vba);
}

void dm_pdf_build(vg_buf *out, const char *const *lines, size_t n)
{
    vg_buf content;
    vg_buf_init(&content, 0);
    vg_buf_puts(&content, "BT\n/F1 12 Tf\n72 720 Td\n16 TL\n");
    for (size_t i = 0; i < n; i++) {
        vg_buf_putc(&content, '(');
        for (const char *p = lines[i]; *p; p++) {
            if (*p == '(' || *p == ')' || *p == '\\')
                vg_buf_putc(&content, '\\');
            vg_buf_putc(&content, *p);
        }
        vg_buf_puts(&content, ") Tj T*\n");
    }
    vg_buf_puts(&content, "ET\n");
    size_t off[6];
    vg_buf_puts(out, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    off[1] = out->n;
    vg_buf_puts(out, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = out->n;
    vg_buf_puts(out, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = out->n;
    vg_buf_puts(out, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                     "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n");
    off[4] = out->n;
    vg_buf_puts(out, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
    off[5] = out->n;
    vg_buf_printf(out, "5 0 obj\n<< /Length %zu >>\nstream\n", content.n);
    vg_buf_append(out, content.p, content.n);
    vg_buf_puts(out, "endstream\nendobj\n");
    size_t xref = out->n;
    vg_buf_puts(out, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; i++)
        vg_buf_printf(out, "%010zu 00000 n \n", off[i]);
    vg_buf_printf(out, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    vg_buf_free(&content);
}
