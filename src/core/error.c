/* error.c — vg_error: the last error of a context, naming what and where. */
#include <stdio.h>

#include "vigil/core.h"

vg_err vg_error_set(vg_error *e, vg_err code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void vg_error_clear(vg_error *e)
{
    if (e) {
        e->code = VG_OK;
        e->msg[0] = '\0';
    }
}

const char *vg_strerror(vg_err code)
{
    switch (code) {
    case VG_OK: return "success";
    case VG_ENOMEM: return "out of memory";
    case VG_EINVAL: return "invalid input";
    case VG_EIO: return "input/output error";
    case VG_ELIMIT: return "limit reached";
    case VG_ENOTFOUND: return "not found";
    case VG_EUNSUPPORTED: return "unsupported";
    }
    return "unknown error";
}
