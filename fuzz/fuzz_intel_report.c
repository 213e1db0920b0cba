/* fuzz_intel_report.c — libFuzzer target for the threat-report cleaner and
 * extractor (include/vigil/report.h): any bytes -> charset detection and
 * conversion, HTML/Markdown/text extraction, mojibake repair, dedup, then
 * sentences and facts, then the JSON writer. Must never crash, leak or read
 * out of bounds; the clean text must be valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/report.h"

static vg_report_kb *kb;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!kb) {
        vg_error e = {0};
        kb = vg_report_kb_builtin(&e);
        if (!kb)
            abort();
    }
    vg_report_doc doc;
    vg_error e = {0};
    if (vg_report_clean(kb, data, size, &doc, &e) == VG_OK) {
        if (!vg_utf8_valid(doc.text, strlen(doc.text)))
            abort();
        if (doc.title && !vg_utf8_valid(doc.title, strlen(doc.title)))
            abort();
        vg_report_doc_free(&doc);
    }
    vg_report *r;
    if (vg_report_analyze(kb, "fuzz", data, size, &r, &e) == VG_OK) {
        vg_buf b;
        vg_buf_init(&b, 0);
        vg_report_write_json(r, kb, &b);
        vg_report_write_text(r, kb, &b);
        vg_buf_free(&b);
        vg_report_free(r);
    }
    return 0;
}
