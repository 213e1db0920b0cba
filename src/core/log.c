/* log.c — leveled logging to stderr ("vigil: warn: ..."). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

static vg_log_level log_level = VG_LOG_WARN;
static FILE *log_stream;

void vg_log_set_level(vg_log_level level) { log_level = level; }
vg_log_level vg_log_get_level(void) { return log_level; }
void vg_log_set_stream(FILE *f) { log_stream = f; }

bool vg_log_parse_level(const char *s, vg_log_level *out)
{
    static const char *names[] = {"debug", "info", "warn", "error", "quiet"};
    if (!s)
        return false;
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (vg_log_level)i;
            return true;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *out = VG_LOG_WARN;
        return true;
    }
    return false;
}

void vg_logv(vg_log_level level, const char *fmt, va_list ap)
{
    static const char *tags[] = {"debug", "info", "warn", "error"};
    if (level < log_level || level >= VG_LOG_QUIET)
        return;
    FILE *f = log_stream ? log_stream : stderr;
    fprintf(f, "vigil: %s: ", tags[level]);
    vfprintf(f, fmt, ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', f);
}

void vg_log(vg_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vg_logv(level, fmt, ap);
    va_end(ap);
}

void vg_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vigil: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
