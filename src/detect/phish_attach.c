/* phish_attach.c — dangerous attachments: executables, scripts, shortcuts
 * and disk images (by name and by content), double extensions, right-to-left
 * overrides, Office files with VBA macros (OLE _VBA_PROJECT, OOXML
 * vbaProject.bin, macro-enabled formats), archives holding any of those or
 * encrypted, HTML/SVG pages (with forms or scripts), PDFs with active
 * content, and content that is not what its name says. Attachments of
 * attached messages count too. */
#include <ctype.h>
#include <string.h>

#include "phish_internal.h"

typedef struct ext_class {
    const char *ext;
    const char *what;
} ext_class;

static const ext_class dangerous[] = {
    {"exe", "an executable"},      {"scr", "a screensaver executable"}, {"com", "an executable"},
    {"pif", "an executable"},      {"cpl", "a control-panel executable"}, {"msi", "an installer"},
    {"msix", "an installer"},      {"msixbundle", "an installer"},   {"appx", "an installer"},
    {"appxbundle", "an installer"}, {"dll", "a library"},            {"xll", "an Excel add-in"},
    {"gadget", "a gadget"},        {"application", "a ClickOnce application"},
    {"bat", "a script"},           {"cmd", "a script"},             {"ps1", "a PowerShell script"},
    {"psm1", "a PowerShell script"}, {"vbs", "a VBScript"},         {"vbe", "a VBScript"},
    {"js", "a JScript"},           {"jse", "a JScript"},            {"wsf", "a script"},
    {"wsh", "a script"},           {"wsc", "a script"},             {"sct", "a scriptlet"},
    {"hta", "an HTML application"}, {"jar", "a Java archive"},      {"lnk", "a shortcut"},
    {"scf", "a shell command file"}, {"library-ms", "a shortcut"},
    {"search-ms", "a shortcut"},   {"settingcontent-ms", "a shortcut"}, {"appref-ms", "a shortcut"},
    {"iso", "a disk image"},       {"img", "a disk image"},         {"vhd", "a disk image"},
    {"vhdx", "a disk image"},      {"udf", "a disk image"},         {"dmg", "a disk image"},
    {"reg", "a registry file"},    {"chm", "a compiled help file"}, {"inf", "a setup file"},
    {"msc", "a console file"},     {"one", "a OneNote notebook"},   {"cab", "a cabinet"},
    {"apk", "an Android package"}, {"elf", "an executable"},        {"ws", "a script"},
};

static const char *const macro_ext[] = {"docm", "dotm", "xlsm", "xltm", "xlam", "pptm",
                                        "potm", "ppsm", "sldm", "ppam", NULL};
static const char *const html_ext[] = {"htm", "html", "shtml", "xhtml", "svg", "mht", "mhtml",
                                       "xht", NULL};
static const char *const doc_ext[] = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt",
                                      "jpg", "jpeg", "png", "gif", "rtf", "csv", "odt", NULL};

static bool in_list(const char *e, const char *const *list)
{
    for (; *list; list++) {
        if (strcmp(e, *list) == 0)
            return true;
    }
    return false;
}

/* Last extension, lower case, trailing spaces/dots removed ("" if none). */
static void last_ext(const char *name, char *out, size_t cap, size_t *dot_pos)
{
    out[0] = 0;
    *dot_pos = 0;
    if (!name)
        return;
    size_t n = strlen(name);
    while (n && (name[n - 1] == ' ' || name[n - 1] == '.' || name[n - 1] == '\t'))
        n--;
    size_t i = n;
    while (i > 0 && name[i - 1] != '.' && name[i - 1] != '/' && name[i - 1] != '\\')
        i--;
    if (i == 0 || name[i - 1] != '.' || n - i >= cap)
        return;
    for (size_t k = i; k < n; k++)
        out[k - i] = (char)tolower((unsigned char)name[k]);
    out[n - i] = 0;
    *dot_pos = i - 1;
}

static const char *dangerous_what(const char *ext)
{
    for (size_t i = 0; i < sizeof dangerous / sizeof *dangerous; i++) {
        if (strcmp(dangerous[i].ext, ext) == 0)
            return dangerous[i].what;
    }
    return NULL;
}

static const char *magic_danger(const char *mt)
{
    if (!mt)
        return NULL;
    if (strstr(mt, "x-dosexec") || strstr(mt, "x-msdownload") ||
        strstr(mt, "vnd.microsoft.portable-executable") || strstr(mt, "x-executable") ||
        strstr(mt, "x-sharedlib") || strstr(mt, "x-mach-binary") || strstr(mt, "x-pie-executable"))
        return "an executable";
    if (strstr(mt, "x-ms-shortcut"))
        return "a shortcut";
    if (strstr(mt, "x-iso9660-image") || strstr(mt, "x-udf"))
        return "a disk image";
    if (strstr(mt, "x-msi") || strstr(mt, "x-ole-storage-msi"))
        return "an installer";
    return NULL;
}

static bool magic_is(const char *mt, const char *what)
{
    return mt && strstr(mt, what) != NULL;
}

static void one(ph_ctx *c, const vg_mail_attachment *a)
{
    const char *name = a->filename ? a->filename : "";
    const char *shown = a->filename ? a->filename : "(unnamed)";
    char ext[32];
    size_t dot;
    last_ext(name, ext, sizeof ext, &dot);
    const char *mt = a->magic_type;
    bool fired = false;
    if (a->flags & VG_ATT_F_RLO) {
        ph_fire(c, R_attachment_rlo, "the attachment name \"%s\" hides its real extension with "
                "right-to-left override characters", shown);
        fired = true;
    }
    const char *what = ext[0] ? dangerous_what(ext) : NULL;
    const char *mwhat = magic_danger(mt);
    if (strcmp(ext, "url") == 0 || strcmp(ext, "webloc") == 0 || strcmp(ext, "website") == 0) {
        ph_fire(c, R_attachment_link_file, "the attachment \"%s\" is an Internet shortcut", shown);
        fired = true;
    }
    if (what || mwhat) {
        ph_fire(c, R_attachment_executable, "the attachment \"%s\" is %s", shown, what ? what : mwhat);
        fired = true;
    }
    /* double extension: "invoice.pdf.exe", "scan.pdf      .html" */
    if (dot > 0 && (what || in_list(ext, html_ext))) {
        char prev[32];
        size_t pdot;
        char head[512];
        size_t hl = dot < sizeof head - 1 ? dot : sizeof head - 1;
        memcpy(head, name, hl);
        head[hl] = 0;
        last_ext(head, prev, sizeof prev, &pdot);
        bool padded = hl > 0 && (head[hl - 1] == ' ' || strstr(head, "   "));
        if ((prev[0] && in_list(prev, doc_ext)) || padded) {
            ph_fire(c, R_attachment_double_ext, "the attachment \"%s\" looks like .%s but is .%s",
                    shown, prev[0] ? prev : "a document", ext);
            fired = true;
        }
    }
    if ((a->flags & VG_ATT_F_MACROS) || (ext[0] && in_list(ext, macro_ext)) ||
        (a->declared_type && strstr(a->declared_type, "macroenabled"))) {
        ph_fire(c, R_attachment_macro, "the Office attachment \"%s\" %s", shown,
                (a->flags & VG_ATT_F_MACROS) ? "carries VBA macros" : "is a macro-enabled format");
        fired = true;
    }
    if (a->flags & VG_ATT_F_ARCHIVE) {
        for (size_t i = 0; i < a->n_entries; i++) {
            char ee[32];
            size_t ed;
            last_ext(a->entries[i].name, ee, sizeof ee, &ed);
            const char *ew = ee[0] ? dangerous_what(ee) : NULL;
            if (ew) {
                ph_fire(c, R_attachment_archive, "the archive \"%s\" holds \"%s\", %s", shown,
                        a->entries[i].name, ew);
                fired = true;
                break;
            }
            if (ee[0] && in_list(ee, macro_ext)) {
                ph_fire(c, R_attachment_macro, "the archive \"%s\" holds the macro-enabled \"%s\"",
                        shown, a->entries[i].name);
                fired = true;
            }
            if (ee[0] && in_list(ee, html_ext)) {
                ph_fire(c, R_attachment_html, "the archive \"%s\" holds the web page \"%s\"", shown,
                        a->entries[i].name);
                fired = true;
            }
        }
    }
    if (a->flags & VG_ATT_F_ENCRYPTED) {
        ph_fire(c, R_attachment_encrypted, "the attachment \"%s\" is password-protected, so its "
                "content cannot be checked", shown);
        fired = true;
    }
    bool html = (ext[0] && in_list(ext, html_ext)) || magic_is(mt, "text/html") ||
                magic_is(mt, "image/svg") ||
                (a->declared_type && (strcmp(a->declared_type, "text/html") == 0 ||
                                      strcmp(a->declared_type, "image/svg+xml") == 0));
    if (html && !(a->flags & VG_ATT_F_INLINE && !a->filename)) {
        ph_fire(c, R_attachment_html, "the attachment \"%s\" is a web page opened locally", shown);
        if (a->flags & (VG_ATT_F_HTML_FORM | VG_ATT_F_HTML_SCRIPT))
            ph_fire(c, R_attachment_html_active, "the attached page \"%s\" has %s", shown,
                    (a->flags & VG_ATT_F_HTML_FORM) ? "a form" : "a script");
        fired = true;
    }
    if (a->flags & VG_ATT_F_PDF_JS) {
        ph_fire(c, R_attachment_pdf_action, "the PDF \"%s\" runs JavaScript or launches programs",
                shown);
        fired = true;
    }
    /* content not what the name says */
    if (ext[0] && in_list(ext, doc_ext) && mt) {
        bool is_doc_zip = strcmp(ext, "docx") == 0 || strcmp(ext, "xlsx") == 0 ||
                          strcmp(ext, "pptx") == 0 || strcmp(ext, "odt") == 0;
        const char *real = NULL;
        if (mwhat)
            real = mwhat;
        else if (magic_is(mt, "text/html") && strcmp(ext, "txt") != 0 && strcmp(ext, "csv") != 0)
            real = "a web page";
        else if (!is_doc_zip && (magic_is(mt, "application/zip") || magic_is(mt, "x-rar") ||
                                 magic_is(mt, "x-7z")))
            real = "an archive";
        if (real) {
            ph_fire(c, R_attachment_type_mismatch, "the attachment \"%s\" is named .%s but is %s",
                    shown, ext, real);
            fired = true;
        }
    }
    if (fired)
        vg_strlist_add(&c->hashes, a->sha256);
}

static void walk(ph_ctx *c, const vg_mail_msg *m, int depth)
{
    for (size_t i = 0; i < m->n_attachments; i++)
        one(c, &m->attachments[i]);
    if (depth < 4) {
        for (size_t i = 0; i < m->n_nested; i++)
            walk(c, m->nested[i], depth + 1);
    }
}

void ph_detect_attachments(ph_ctx *c)
{
    walk(c, c->m, 0);
    /* macros behind an unsolicited job offer or invoice from outside: the
     * document is the lure's payload ("the full job description is attached,
     * please enable content") */
    if (!ph_fired(c, R_attachment_macro) || (c->from_org >= 0 && c->from_org == c->rcpt_org))
        return;
    static const char *const themes[] = {"job-offer", "invoice", NULL};
    for (const char *const *t = themes; *t; t++) {
        if (ph_lure_present(c, *t)) {
            ph_fire(c, R_attachment_macro_lure,
                    "the macro-enabled document comes with a %s lure from outside the "
                    "organization (%s)",
                    strcmp(*t, "job-offer") == 0 ? "job offer" : "invoice",
                    c->from_domain[0] ? c->from_domain : "unknown sender");
            return;
        }
    }
}
