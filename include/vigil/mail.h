/* vigil/mail.h — the mail module: message model and parsing (GMime). */
#ifndef VIGIL_MAIL_H
#define VIGIL_MAIL_H

#include "vigil/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Versions of the linked GMime and GLib ("3.2.13"). */
const char *vg_mail_gmime_version(void);
const char *vg_mail_glib_version(void);

#ifdef __cplusplus
}
#endif
#endif
