/* ioc_list.c — plain indicator lists (one value a line with an optional
 * actor), Tor exit lists (plain addresses or the Tor Project's exit-addresses
 * format), and vg_iocset_load_file(), which picks a loader by content. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/ioc_internal.h"

#define LIST_MAX_FILE (512u << 20)
#define LIST_MAX_LINE 8192

static bool is_space(char c) { return c == ' ' || c == '\t'; }

vg_err vg_iocset_load_list(vg_iocset *s, const char *text, size_t n, const char *name,
                           vg_shared_kind shared, vg_error *e)
{
    if (!text)
        return vg_error_set(e, VG_EINVAL, "%s: no data", name);
    vg_str rest = vg_str_make(text, n), line;
    int64_t lineno = 0;
    size_t added = 0, bad = 0;
    char label[1024];
    snprintf(label, sizeof label, "%s", name);
    while (vg_str_split(&rest, '\n', &line)) {
        lineno++;
        if (line.n && line.p[line.n - 1] == '\r')
            line.n--;
        if (lineno == 1 && line.n >= 3 && memcmp(line.p, "\xEF\xBB\xBF", 3) == 0)
            line = vg_str_sub(line, 3, line.n); /* BOM */
        vg_str t = vg_str_trim(line);
        if (t.n == 0 || t.p[0] == '#' || t.p[0] == ';' || (t.n >= 2 && t.p[0] == '/' && t.p[1] == '/'))
            continue;
        if (t.n > LIST_MAX_LINE) {
            bad++;
            vg_iocset_note_reject(s, "%s:%lld: line longer than %d bytes", name,
                                  (long long)lineno, LIST_MAX_LINE);
            continue;
        }
        /* drop a trailing " # comment" */
        for (size_t i = 1; i < t.n; i++)
            if (t.p[i] == '#' && is_space(t.p[i - 1])) {
                t.n = i;
                t = vg_str_trim(t);
                break;
            }
        /* value, then optional actor after a tab, comma or space */
        bool url = vg_str_find(t, VG_STR("://")) >= 0;
        size_t vl = 0;
        while (vl < t.n && !is_space(t.p[vl]) && (url || t.p[vl] != ','))
            vl++;
        vg_str val = vg_str_make(t.p, vl);
        vg_str act = vg_str_trim(vg_str_sub(t, vl + (vl < t.n ? 1 : 0), t.n));
        if (act.n && act.p[0] == ',')
            act = vg_str_trim(vg_str_sub(act, 1, act.n));
        if (act.n >= 2 && act.p[0] == '"' && act.p[act.n - 1] == '"')
            act = vg_str_sub(act, 1, act.n - 2);
        char *v = vg_str_dup(val);
        char *a = act.n ? vg_str_dup(act) : NULL;
        vg_indicator ind;
        vg_indicator_init(&ind);
        ind.value = v;
        ind.actor_label = a;
        ind.shared = shared;
        char src[1100];
        snprintf(src, sizeof src, "%s:%lld", label, (long long)lineno);
        ind.source = src;
        ind.type = vg_ioc_guess_type(v);
        vg_error ae = {0};
        if (ind.type == VG_IOC_NONE) {
            bad++;
            vg_iocset_note_reject(s, "%s:%lld: '%.80s' is not an address, prefix, domain, URL, "
                                     "e-mail address or hash",
                                  name, (long long)lineno, v);
        } else if (vg_iocset_add_labeled(s, &ind, &ae) != VG_OK) {
            bad++;
            vg_iocset_note_reject(s, "%s:%lld: %s", name, (long long)lineno, ae.msg);
        } else {
            added++;
        }
        free(v);
        free(a);
    }
    vg_debug("%s: %zu indicators, %zu rejected", name, added, bad);
    return VG_OK;
}

vg_err vg_iocset_load_tor_exits(vg_iocset *s, const char *text, size_t n, const char *name,
                                vg_error *e)
{
    if (!text)
        return vg_error_set(e, VG_EINVAL, "%s: no data", name);
    vg_str rest = vg_str_make(text, n), line;
    int64_t lineno = 0;
    size_t added = 0;
    while (vg_str_split(&rest, '\n', &line)) {
        lineno++;
        vg_str t = vg_str_trim(line);
        if (t.n == 0 || t.p[0] == '#')
            continue;
        if (vg_str_starts_with(t, VG_STR("ExitNode")) || vg_str_starts_with(t, VG_STR("Published")) ||
            vg_str_starts_with(t, VG_STR("LastStatus")))
            continue;
        if (vg_str_starts_with(t, VG_STR("ExitAddress"))) {
            t = vg_str_trim(vg_str_sub(t, 11, t.n));
            size_t k = 0;
            while (k < t.n && !is_space(t.p[k]))
                k++;
            t.n = k;
        } else {
            size_t k = 0;
            while (k < t.n && !is_space(t.p[k]) && t.p[k] != ',')
                k++;
            t.n = k;
        }
        vg_ip ip;
        if (vg_ip_parse(t, &ip) != VG_OK) {
            vg_iocset_note_reject(s, "%s:%lld: '%.*s' is not an address", name, (long long)lineno,
                                  (int)(t.n > 80 ? 80 : t.n), t.p);
            continue;
        }
        char v[VG_IP_STRLEN];
        vg_ip_format(&ip, v);
        vg_indicator ind;
        vg_indicator_init(&ind);
        ind.type = VG_IOC_IP;
        ind.value = v;
        ind.shared = VG_SHARED_TOR;
        ind.name = "Tor exit";
        ind.source = name;
        if (vg_iocset_add_labeled(s, &ind, NULL) == VG_OK)
            added++;
    }
    vg_debug("%s: %zu Tor exits", name, added);
    return VG_OK;
}

/* Is every value line an address? (for lists named like Tor lists) */
static bool only_addresses(const char *text, size_t n)
{
    vg_str rest = vg_str_make(text, n), line;
    size_t seen = 0;
    while (vg_str_split(&rest, '\n', &line)) {
        vg_str t = vg_str_trim(line);
        if (t.n == 0 || t.p[0] == '#')
            continue;
        vg_ip ip;
        if (vg_ip_parse(t, &ip) != VG_OK)
            return false;
        seen++;
    }
    return seen > 0;
}

vg_err vg_iocset_load_file(vg_iocset *s, const char *path, vg_error *e)
{
    char *text = NULL;
    size_t n = 0;
    vg_err rc = vg_file_read(path, LIST_MAX_FILE, &text, &n, e);
    if (rc)
        return rc;
    rc = vg_iocset_load_buffer(s, text, n, path, e);
    free(text);
    return rc;
}

vg_err vg_iocset_load_buffer(vg_iocset *s, const char *text, size_t n, const char *path,
                             vg_error *e)
{
    vg_err rc = VG_OK;
    size_t p = 0;
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    while (p < n && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r' || text[p] == '\n'))
        p++;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (p < n && (text[p] == '{' || text[p] == '[')) {
        /* STIX bundles say "type": "bundle"; MISP has "Event" or "response". */
        const char *head = text + p;
        size_t hn = n - p < 4096 ? n - p : 4096;
        vg_str h = vg_str_make(head, hn);
        bool misp = vg_str_find(h, VG_STR("\"Event\"")) >= 0 ||
                    vg_str_find(h, VG_STR("\"response\"")) >= 0;
        bool stix = vg_str_find(h, VG_STR("\"bundle\"")) >= 0 ||
                    vg_str_find(h, VG_STR("\"pattern\"")) >= 0 ||
                    vg_str_find(h, VG_STR("\"objects\"")) >= 0 ||
                    vg_str_find(h, VG_STR("\"spec_version\"")) >= 0;
        if (stix && !misp)
            rc = vg_iocset_load_stix(s, text, n, path, e);
        else if (misp)
            rc = vg_iocset_load_misp(s, text, n, path, e);
        else
            rc = vg_error_set(e, VG_EUNSUPPORTED,
                              "%s: JSON that is neither a STIX 2.1 bundle nor a MISP event",
                              path);
    } else {
        vg_str all = vg_str_make(text, n);
        bool exitfmt = vg_str_find(all, VG_STR("ExitAddress ")) >= 0;
        vg_str b = vg_str_from(base);
        bool torname = vg_str_find_ci(b, VG_STR("tor")) >= 0 &&
                       (vg_str_find_ci(b, VG_STR("exit")) >= 0 ||
                        vg_str_starts_with_ci(b, VG_STR("tor")));
        if (exitfmt || (torname && only_addresses(text, n)))
            rc = vg_iocset_load_tor_exits(s, text, n, path, e);
        else
            rc = vg_iocset_load_list(s, text, n, path, VG_SHARED_NONE, e);
    }
    return rc;
}
