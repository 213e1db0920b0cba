/* mail_in.c — the mail side of the pipeline: every mail input (a message, an
 * mbox, a Maildir, a directory) through the phishing engine. */
#include <string.h>

#include "vigil/detect_phish.h"
#include "vigil/mail.h"
#include "stream/stream_int.h"

bool vg_stream_sniff_mail(const void *buf, size_t n) { return vg_mail_sniff(buf, n); }

static void reject(vg_scan_summary *sum, FILE *rejects, const char *file, int64_t line,
                   const char *reason)
{
    sum->records_rejected++;
    if (rejects)
        fprintf(rejects, "%s:%lld: %s\n", file, (long long)line, reason);
}

vg_err vg_stream_read_mail(vg_inputs *inputs, const vg_yaml_node *root, bool rescan,
                           vg_findings *out, vg_scan_summary *sum, FILE *rejects,
                           vg_stream_progress_fn progress, void *ud, int64_t *event_max_ms,
                           bool *any_read, vg_error *e)
{
    vg_phish_engine *eng = NULL;
    vg_err rc = VG_OK;
    for (size_t i = 0; i < inputs->n; i++) {
        vg_input *in = &inputs->v[i];
        if (in->kind != VG_IN_MAIL || in->failed || (in->unchanged && !rescan))
            continue;
        if (!eng && (rc = vg_phish_engine_new(&eng, root, e)))
            return rc;
        if (progress)
            progress(in->path, 0, ud);
        vg_mail_source *src = NULL;
        vg_error fe = {0};
        if (vg_mail_source_open(&src, in->path, vg_phish_engine_limits(eng), &fe) != VG_OK) {
            in->failed = true;
            vg_strlist_addf(&sum->problems, "%s", fe.msg);
            continue;
        }
        *any_read = true;
        for (;;) {
            vg_mail_item it;
            memset(&it, 0, sizeof it);
            vg_error me = {0};
            vg_err nrc = vg_mail_source_next(src, &it, &me);
            if (nrc == VG_ENOTFOUND)
                break;
            if (nrc != VG_OK) {
                in->rejected++;
                reject(sum, rejects, it.name ? it.name : in->path, it.index, me.msg);
                continue;
            }
            const vg_phish_result *res = NULL;
            vg_error pe = {0};
            if (vg_phish_analyze(eng, it.name, it.data, it.len, out, &res, &pe) != VG_OK) {
                in->rejected++;
                reject(sum, rejects, it.name, it.index, pe.msg);
            } else {
                in->records++;
                sum->messages++;
                if (res && res->date_ms > *event_max_ms)
                    *event_max_ms = res->date_ms;
            }
            if (progress && (sum->messages & 0x3ff) == 0)
                progress(in->path, 0, ud);
        }
        vg_mail_source_close(src);
        if (progress)
            progress(in->path, in->size, ud);
    }
    vg_phish_engine_free(eng);
    return VG_OK;
}
