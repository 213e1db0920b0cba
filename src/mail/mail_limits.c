/* mail_limits.c — the mail module's limits: defaults and the mail.limits
 * map of the config. */
#include <string.h>

#include "vigil/mail.h"

void vg_mail_limits_default(vg_mail_limits *l)
{
    vg_mail_limits d = VG_MAIL_LIMITS_INIT;
    *l = d;
}

vg_err vg_mail_limits_from_yaml(vg_mail_limits *l, const vg_yaml_node *n, vg_error *e)
{
    if (!n || vg_yaml_type_of(n) == VG_YAML_NULL)
        return VG_OK;
    if (vg_yaml_type_of(n) != VG_YAML_MAP)
        return vg_error_set(e, VG_EINVAL, "line %d: mail.limits must be a map", vg_yaml_line(n));
    for (size_t i = 0; i < vg_yaml_len(n); i++) {
        const char *k = vg_yaml_key_at(n, i);
        const vg_yaml_node *v = vg_yaml_value_at(n, i);
        int64_t x;
        if (!vg_yaml_int(v, &x) || x <= 0)
            return vg_error_set(e, VG_EINVAL, "line %d: mail.limits.%s must be a positive integer",
                                vg_yaml_line(v), k);
        if (strcmp(k, "max_message_bytes") == 0)
            l->max_message_bytes = (size_t)x;
        else if (strcmp(k, "max_input_bytes") == 0)
            l->max_input_bytes = (size_t)x;
        else if (strcmp(k, "max_parts") == 0)
            l->max_parts = x > 1000000 ? 1000000 : (unsigned)x;
        else if (strcmp(k, "max_depth") == 0)
            l->max_depth = x > 256 ? 256 : (unsigned)x;
        else if (strcmp(k, "max_urls") == 0)
            l->max_urls = x > 1000000 ? 1000000 : (unsigned)x;
        else if (strcmp(k, "max_attachments") == 0)
            l->max_attachments = x > 100000 ? 100000 : (unsigned)x;
        else if (strcmp(k, "max_archive_entries") == 0)
            l->max_archive_entries = x > 1000000 ? 1000000 : (unsigned)x;
        else if (strcmp(k, "max_text_bytes") == 0)
            l->max_text_bytes = (size_t)x;
        else if (strcmp(k, "max_html_bytes") == 0)
            l->max_html_bytes = (size_t)x;
        else
            return vg_error_set(e, VG_EINVAL, "line %d: unknown key mail.limits.%s",
                                vg_yaml_line(v), k);
    }
    return VG_OK;
}
