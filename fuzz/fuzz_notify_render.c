/* fuzz_notify_render.c — hostile values (lines of the input) as a finding's
 * accounts, addresses, URLs, message ids, reasons and attribution evidence,
 * rendered into every notice format: the HTML must stay inert (no tag or
 * control character of the input survives), the Markdown valid UTF-8, the
 * JSON and STIX parse. Any violation aborts. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/notify.h"

static void check_html(const char *h, size_t n)
{
    if (!vg_utf8_valid(h, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c < 0x20 && c != '\n' && c != '\t')
            abort();
        if (c == 0xE2 && i + 2 < n && (unsigned char)h[i + 1] == 0x80 &&
            (unsigned char)h[i + 2] >= 0xAA && (unsigned char)h[i + 2] <= 0xAE)
            abort(); /* a bidi override reached the page */
    }
    /* The input cannot open a tag: every "<" is one of ours. */
    static const char *const ours[] = {"<!DOCTYPE", "<html", "<head", "<meta", "<title", "</title",
                                       "<style", "</style", "</head", "<body", "<p", "</p",
                                       "<span", "</span", "<h1", "</h1", "<h2", "</h2", "<h3",
                                       "</h3", "<table", "</table", "<tr", "</tr", "<td", "</td",
                                       "<th", "</th", "<ul", "</ul", "<ol", "</ol", "<li", "</li",
                                       "<div", "</div", "<strong", "</strong", "<code", "</code",
                                       "<svg", "</svg", "<line", "<text", "</text", "<g>", "</g>",
                                       "<rect", "<title>", "<br>", "<hr>", "</body", "</html",
                                       NULL};
    for (const char *p = h; (p = strchr(p, '<')) != NULL; p++) {
        bool ok = false;
        for (const char *const *o = ours; *o && !ok; o++)
            ok = strncmp(p, *o, strlen(*o)) == 0;
        if (!ok)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_log_set_level(VG_LOG_QUIET);
    vg_finding *f = vg_finding_new("cred.compromise", "helix");
    vg_finding_set_id(f, "k", 1605261600000LL, 0);
    f->first_seen = 1605261600000LL;
    f->last_seen = f->first_seen + 3600000;
    f->severity = VG_SEV_HIGH;
    f->outcome = VG_OUT_SUCCEEDED;
    vg_strlist *slots[] = {&f->roles.compromised,  &f->roles.targeted,   &f->roles.attacker_ips,
                           &f->entities.domains,   &f->entities.urls,    &f->entities.messages,
                           &f->reasons,            &f->attribution.evidence, &f->attack,
                           &f->entities.hashes};
    size_t ns = sizeof slots / sizeof slots[0];
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= size && k < 64; i++) {
        if (i == size || data[i] == '\n') {
            vg_strlist_addn(slots[k % ns], (const char *)data + start, i - start);
            k++;
            start = i + 1;
        }
    }
    f->attribution.actor = vg_xstrdup("STRONTIUM");
    vg_finding_normalize(f);

    vg_notify_orgs orgs = {0};
    vg_notify_org *o = (vg_notify_org *)vg_notify_orgs_add_bare(&orgs, "helix");
    vg_strlist_add(&o->domains, "helixbio.example");
    vg_notify_orgs_add_bare(&orgs, "zenith");
    vg_campaign c;
    memset(&c, 0, sizeof c);
    strcpy(c.id, "c-0000000000000000");
    c.actor = vg_xstrdup("STRONTIUM");
    c.confidence = VG_CONF_HIGH;
    vg_strlist_add(&c.orgs, "helix");
    vg_strlist_add(&c.orgs, "zenith");
    const vg_finding *mem[] = {f};
    vg_notify_settings st;
    vg_notify_settings_init(&st);
    st.min_severity = VG_SEV_LOW;
    vg_notice *n = vg_notice_build(&c, mem, 1, &orgs.v[0], &orgs, NULL, &st);
    if (!n)
        abort();
    for (int fmt = 0; fmt < VG_FMT_COUNT; fmt++) {
        vg_buf b;
        vg_buf_init(&b, 0);
        vg_notice_render(n, (vg_notify_format)fmt, &b);
        if (fmt == VG_FMT_HTML)
            check_html(b.p, b.n);
        else if (!vg_utf8_valid(b.p, b.n))
            abort();
        if (fmt == VG_FMT_JSON || fmt == VG_FMT_STIX) {
            json_t *j = json_loadb(b.p, b.n, 0, NULL);
            if (!j)
                abort();
            json_decref(j);
        }
        vg_buf_free(&b);
    }
    vg_notice_free(n);
    free(c.actor);
    vg_strlist_free(&c.orgs);
    vg_notify_orgs_free(&orgs);
    vg_finding_free(f);
    return 0;
}
