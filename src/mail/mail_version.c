/* mail_version.c — versions of the libraries the mail module links (GMime,
 * GLib), so the CLI can report them without seeing GLib types. */
#include <gmime/gmime.h>
#include <stdio.h>

#include "vigil/mail.h"

const char *vg_mail_gmime_version(void)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "%u.%u.%u", gmime_major_version, gmime_minor_version,
             gmime_micro_version);
    return buf;
}

const char *vg_mail_glib_version(void)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "%u.%u.%u", glib_major_version, glib_minor_version,
             glib_micro_version);
    return buf;
}
