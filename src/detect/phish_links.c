/* phish_links.c — credential links and forms.
 *
 * Links are first unwrapped from link-protection services (Microsoft Safe
 * Links, Proofpoint URL Defense v2/v3, Barracuda, and redirectors that carry
 * the target in a query parameter); Mimecast-style opaque rewrites cannot be
 * unwrapped and are left alone. Then: visible URL text naming another
 * domain than the link's (unless the link goes through a mail service
 * provider's click tracker in an authenticated message, or both domains
 * are one brand's), raw IP hosts, user@host disguises, data: documents,
 * self-redirecting HTML, password forms, and — as supporting signals —
 * shorteners, free hosting / form / file-sharing services, login paths on
 * foreign domains and much-abused TLDs. */
#include <ctype.h>
#include <string.h>

#include <libpsl.h>

#include "phish_internal.h"

/* ---- unwrapping -------------------------------------------------------------------------- */

static char *pct_decode(vg_arena *a, const char *s, size_t n)
{
    char *r = vg_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && vg_hex_digit((unsigned char)s[i + 1]) >= 0 &&
            vg_hex_digit((unsigned char)s[i + 2]) >= 0) {
            r[k++] = (char)(vg_hex_digit((unsigned char)s[i + 1]) * 16 +
                            vg_hex_digit((unsigned char)s[i + 2]));
            i += 2;
        } else if (s[i] == '+') {
            r[k++] = ' ';
        } else {
            r[k++] = s[i];
        }
    }
    r[k] = 0;
    return r;
}

/* Value of query parameter `name` in url, percent-decoded. */
static const char *query_param(vg_arena *a, const char *url, const char *name)
{
    const char *q = strchr(url, '?');
    if (!q)
        return NULL;
    size_t nl = strlen(name);
    const char *p = q + 1;
    while (*p) {
        const char *amp = strpbrk(p, "&#");
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == '=')
            return pct_decode(a, p + nl + 1, len - nl - 1);
        if (!amp || *amp == '#')
            break;
        p = amp + 1;
    }
    return NULL;
}

const char *ph_unwrap(ph_ctx *c, const vg_mail_url *u, const char **host_out)
{
    *host_out = NULL;
    if (!u->host || !*u->host)
        return NULL;
    int aux;
    if (!ph_host_in(c->eng, &c->eng->rewriters, u->host, u->url, &aux))
        return NULL;
    const char *target = NULL;
    if (aux >= PH_UNWRAP_QUERY && aux < PH_UNWRAP_PROOFPOINT_V2 &&
        (size_t)(aux - PH_UNWRAP_QUERY) < c->eng->n_unwrap_params) {
        target = query_param(c->a, u->url, c->eng->unwrap_params[aux - PH_UNWRAP_QUERY]);
    } else if (aux == PH_UNWRAP_PROOFPOINT_V2) {
        const char *v = query_param(c->a, u->url, "u");
        if (v) {
            char *t = vg_arena_strdup(c->a, v);
            for (char *p = t; *p; p++) {
                if (*p == '-')
                    *p = '%';
                else if (*p == '_')
                    *p = '/';
            }
            target = pct_decode(c->a, t, strlen(t));
        }
    } else if (aux == PH_UNWRAP_PROOFPOINT_V3) {
        const char *s = strstr(u->url, "/__");
        if (s) {
            s += 3;
            const char *e = strstr(s, "__;");
            if (!e)
                e = strstr(s, "__");
            if (e)
                target = vg_arena_strndup(c->a, s, (size_t)(e - s));
        }
    } else {
        *host_out = "";
        return ""; /* opaque: the target is not in the link */
    }
    if (!target || !*target)
        return NULL;
    char host[256];
    if (vg_mail_url_host(target, strlen(target), host, sizeof host, NULL))
        *host_out = vg_arena_strdup(c->a, host);
    return target;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static bool file_ext(const char *tld, size_t n)
{
    static const char *const ext[] = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip",
                                      "rar", "exe", "html", "htm", "jpg", "jpeg", "png", "gif",
                                      "txt", "mov", "mp4", "php", "aspx", "asp", "js", "css",
                                      "json", "xml", "csv", "md", "py", "sh", "c", "h", "cfg",
                                      "conf", "log", "patch", "diff", "tar", "gz", "iso", NULL};
    for (const char *const *p = ext; *p; p++) {
        if (strlen(*p) == n && strncasecmp(*p, tld, n) == 0)
            return true;
    }
    return false;
}

/* The domain shown in a link's visible text, if it shows one. */
static const char *text_domain(ph_ctx *c, const char *text)
{
    if (!text)
        return NULL;
    const char *p = text;
    while (*p && isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]))
        n++;
    if (n < 4 || n > 512 || memchr(p, '@', n))
        return NULL;
    /* the text must be the URL, not a sentence containing one */
    const char *rest = p + n;
    while (*rest && isspace((unsigned char)*rest))
        rest++;
    if (*rest)
        return NULL;
    bool prefixed = strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0 ||
                    strncasecmp(p, "www.", 4) == 0;
    char buf[600];
    size_t bl = prefixed ? 0 : 7;
    memcpy(buf, "http://", bl);
    memcpy(buf + bl, p, n); /* n <= 512 */
    bl += n;
    buf[bl] = 0;
    char host[256];
    if (!vg_mail_url_host(buf, strlen(buf), host, sizeof host, NULL))
        return NULL;
    const char *dot = strrchr(host, '.');
    if (!dot || dot == host)
        return NULL;
    if (!prefixed) {
        if (file_ext(dot + 1, strlen(dot + 1)))
            return NULL;
        if (!psl_is_public_suffix(psl_builtin(), dot + 1))
            return NULL;
        for (const char *q = dot + 1; *q; q++) {
            if (!isalpha((unsigned char)*q))
                return NULL;
        }
    }
    return vg_arena_strdup(c->a, host);
}

static bool same_owner(ph_ctx *c, const char *a, const char *b)
{
    const char *ra = ph_reg_domain(c->eng, a), *rb = ph_reg_domain(c->eng, b);
    if (strcmp(ra, rb) == 0)
        return true;
    int ba = ph_brand_of_domain(c->eng, a), bb = ph_brand_of_domain(c->eng, b);
    if (ba >= 0 && ba == bb)
        return true;
    int oa = ph_org_of_domain(c->eng, a), ob = ph_org_of_domain(c->eng, b);
    return oa >= 0 && oa == ob;
}

static bool login_path(vg_arena *a, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strpbrk(p + 3, "/?") : NULL;
    if (!p)
        return false;
    static const char *const words[] = {"login", "signin", "sign-in", "logon", "log-in", "verify",
                                        "verification", "webscr", "auth", "/owa", "account",
                                        "secure", "update", "wp-admin", "wp-content", "wp-includes",
                                        "validate", "unlock", "recover", "password", "credential",
                                        ".php", "mailbox", "webmail", NULL};
    /* the words are lower case: fold the path once, then plain searches */
    const char *low = ph_ascii_lower(a, p, strlen(p));
    for (const char *const *w = words; *w; w++) {
        if (strstr(low, *w))
            return true;
    }
    return false;
}

static bool abused_tld(ph_ctx *c, const char *host)
{
    const char *dot = strrchr(host, '.');
    if (!dot)
        return false;
    const char *tld = dot + 1;
    if (ph_strmap_get(&c->eng->abused_tlds, tld, strlen(tld), NULL))
        return true;
    /* two-label entries ("sa.com") */
    const char *p = dot;
    while (p > host && p[-1] != '.')
        p--;
    return p > host && ph_strmap_get(&c->eng->abused_tlds, p, strlen(p), NULL);
}

static bool cred_lure(ph_ctx *c)
{
    for (size_t i = 0; i < c->eng->n_lures && i < 32; i++) {
        if (strcmp(c->eng->lures[i].id, "account") == 0)
            return c->lure_strong[i] || c->lure_subject[i] || c->lure_hits[i] >= 2;
    }
    return false;
}

static bool credential_context(ph_ctx *c)
{
    for (size_t i = 0; i < c->eng->n_lures && i < 32; i++) {
        if (strcmp(c->eng->lures[i].id, "account") == 0 &&
            (c->lure_strong[i] || c->lure_subject[i] || c->lure_hits[i] >= 2))
            return true;
    }
    return c->claim_foreign;
}

/* ---- the detector ---------------------------------------------------------------------------- */

void ph_detect_links(ph_ctx *c)
{
    vg_phish_engine *e = c->eng;
    const vg_mail_msg *m = c->m;
    bool cred = credential_context(c);
    size_t foreign = 0, brand_or_own = 0, links = 0, protected_links = 0, html_links = 0;
    int brand = c->claim_foreign ? c->claimed_brand : -1;
    for (size_t i = 0; i < m->n_urls; i++) {
        const vg_mail_url *u = &m->urls[i];
        const char *url = u->url, *host = u->host;
        const char *uh = NULL;
        const char *t = ph_unwrap(c, u, &uh);
        bool opaque = t && !*t;
        if (opaque)
            continue;
        if (u->source == VG_URL_HREF)
            html_links++;
        if (t && uh) {
            url = t;
            host = uh;
        }
        bool active = u->source == VG_URL_HREF || u->source == VG_URL_FORM ||
                      u->source == VG_URL_REFRESH || u->source == VG_URL_DOCUMENT;
        if (active && ph_host_in(e, &e->redirects, u->host, u->url, NULL) &&
            !(c->from_brand >= 0 && ph_brand_of_domain(e, u->host) == c->from_brand)) {
            ph_fire(c, R_link_open_redirect, "a link goes through %s's redirect%s%s", u->host,
                    t && uh && *uh ? " to " : "", t && uh && *uh ? uh : "");
            vg_strlist_add(&c->urls, u->url);
        }
        if (u->flags & VG_URL_F_DATA) {
            if (active)
                ph_fire(c, R_link_data_uri, "a link opens an embedded document (%.40s...)", url);
            continue;
        }
        if (!host || !*host)
            continue;
        const char *reg = ph_reg_domain(e, host);
        bool own = c->from_reg[0] && strcmp(reg, c->from_reg) == 0;
        bool tracker = ph_host_in(e, &e->esp, host, url, NULL);
        if (u->source == VG_URL_HREF && !(u->flags & VG_URL_F_HIDDEN)) {
            links++;
            if (own || (brand >= 0 && ph_brand_of_domain(e, host) == brand))
                brand_or_own++;
            else if (!(tracker && c->authenticated))
                foreign++;
            if (ph_brand_of_domain(e, host) >= 0 || ph_org_of_domain(e, host) >= 0)
                protected_links++;
        }
        if ((u->flags & VG_URL_F_IP_HOST) && active) {
            vg_ip ip;
            const char *h = host;
            bool global = true;
            if (vg_ip_parse(vg_str_from(h), &ip) == VG_OK)
                global = !vg_ip_is_internal(&ip); /* an internet address (core.h) */
            /* a version number a mail client turned into a link ("3.14.1.0") */
            if (u->text && strcmp(u->text, host) == 0)
                global = false;
            if (global) {
                ph_fire(c, R_link_ip_host, "a link goes to the raw IP address %s", host);
                vg_strlist_add(&c->urls, url);
            }
            continue;
        }
        if ((u->flags & VG_URL_F_USERINFO) && active) {
            const char *s = strstr(url, "://");
            const char *at = s ? strchr(s + 3, '@') : NULL;
            if (at && memchr(s + 3, '.', (size_t)(at - s - 3)) &&
                !memchr(s + 3, ':', (size_t)(at - s - 3))) {
                ph_fire(c, R_link_userinfo, "the link %.80s shows a domain before '@' but goes to %s",
                        url, host);
                vg_strlist_add(&c->urls, url);
            }
        }
        if (u->source == VG_URL_REFRESH) {
            ph_fire(c, R_link_refresh, "the HTML%s sends the reader to %s by itself",
                    (u->flags & VG_URL_F_ATTACHMENT) ? " attachment" : "", host);
            vg_strlist_add(&c->urls, url);
        }
        /* visible text shows another domain */
        if (u->source == VG_URL_HREF && u->text) {
            const char *td = text_domain(c, u->text);
            if (td && !same_owner(c, td, host) && !(tracker && c->authenticated) &&
                !ph_host_in(e, &e->rewriters, host, url, NULL)) {
                int tb = ph_brand_of_domain(e, td), to = ph_org_of_domain(e, td);
                if ((tb >= 0 || to >= 0) && !own) {
                    ph_fire(c, R_link_text_mismatch, "a link shows %s, a domain of %s, but goes to %s",
                            td, tb >= 0 ? e->brands[tb].name : e->orgs[to].name ? e->orgs[to].name : e->orgs[to].id,
                            host);
                    ph_impersonate(c, tb >= 0 ? e->brands[tb].name : e->orgs[to].id, 3);
                } else if (!own) {
                    ph_fire(c, R_link_text_other, "a link shows %s but goes to %s", td, host);
                }
                vg_strlist_add(&c->urls, url);
                vg_strlist_add(&c->domains, host);
            }
        }
        if (own || u->source == VG_URL_EMBED)
            continue;
        if (ph_host_in(e, &e->shorteners, host, url, NULL) && u->source != VG_URL_TEXT)
            ph_fire(c, R_link_shortener, "a link goes through the URL shortener %s", host);
        if (ph_brand_of_domain(e, host) >= 0 && !ph_host_in(e, &e->hosting, host, url, NULL) &&
            !ph_host_in(e, &e->forms, host, url, NULL) &&
            !ph_host_in(e, &e->sharing, host, url, NULL))
            continue; /* a brand's own site */
        bool hosting = ph_host_in(e, &e->hosting, host, url, NULL);
        bool form = ph_host_in(e, &e->forms, host, url, NULL);
        bool share = ph_host_in(e, &e->sharing, host, url, NULL);
        if ((hosting || form || share) && active) {
            const char *what = form ? "a form service" : hosting ? "free hosting" : "file sharing";
            if (cred && (hosting || form)) {
                ph_fire(c, R_link_hosting_credential,
                        "a credential lure links to %s on %s", what, host);
                vg_strlist_add(&c->urls, url);
            } else {
                ph_fire(c, R_link_free_hosting, "a link goes to %s on %s", what, host);
            }
        }
        if (active && !tracker && login_path(c->a, url))
            ph_fire(c, R_link_login_path, "a link to %s has a login or verification path", host);
        if (active && !tracker && abused_tld(c, host))
            ph_fire(c, R_link_abused_tld, "a link goes to %s, under a top-level domain much abused for phishing",
                    host);
    }
    /* every link leads away from the sender's domain */
    /* (an HTML message: visible HTML text, or anchors in an HTML part whose
     * words are all in images or hidden) */
    if (links > 0 && foreign == links && (m->text_html_len > 0 || html_links > 0) &&
        c->from_reg[0] &&
        !c->from_freemail) {
        if (links == 1)
            ph_fire(c, R_links_all_foreign, "the message's only link goes to another domain than the "
                    "sender's %s", c->from_reg);
        else
            ph_fire(c, R_links_all_foreign, "all %zu links of the message go to other domains than the "
                    "sender's %s", links, c->from_reg);
        /* with a money-type lure, and not a colleague linking to public sites */
        const char *lure = NULL;
        static const char *const money[] = {"account", "invoice", "delivery", "prize", "advance_fee",
                                            "crypto", "spam", "legal", NULL};
        for (size_t i = 0; i < e->n_lures && i < 32 && !lure; i++) {
            bool present = c->lure_strong[i] || c->lure_subject[i] || c->lure_hits[i] >= 2;
            for (const char *const *p = money; *p && present && !lure; p++) {
                if (strcmp(e->lures[i].id, *p) == 0)
                    lure = e->lures[i].label;
            }
        }
        if (lure && c->from_org < 0 && protected_links < links)
            ph_fire(c, R_lure_foreign_links, "a %s lure whose link%s lead%s away from the "
                    "sender's domain %s", lure, links == 1 ? "" : "s", links == 1 ? "s" : "",
                    c->from_reg);
    }
    /* a brand claim whose links all lead elsewhere (a claim in the subject
     * only counts with a credential lure) */
    bool display_claim = ph_fired(c, R_brand_display_name);
    if (brand >= 0 && links > 0 && foreign > 0 && brand_or_own == 0 && (display_claim || cred_lure(c)))
        ph_fire(c, R_brand_foreign_links,
                "the message claims %s but %s lead%s to other domains than %s's and the sender's",
                e->brands[brand].name, links == 1 ? "its link" : "all its links", links == 1 ? "s" : "",
                e->brands[brand].name);
    /* forms */
    for (size_t i = 0; i < m->n_forms; i++) {
        const vg_mail_form *f = &m->forms[i];
        bool foreign_action = f->action_host && *f->action_host &&
                              !(c->from_reg[0] && strcmp(ph_reg_domain(e, f->action_host), c->from_reg) == 0);
        if (f->password_inputs > 0 || (f->email_inputs > 0 && f->in_attachment && foreign_action)) {
            ph_fire(c, R_credential_form, "%s holds a form asking for %s%s%s",
                    f->in_attachment ? "an attachment" : "the message",
                    f->password_inputs ? "a password" : "an e-mail address",
                    foreign_action ? " and sending it to " : "", foreign_action ? f->action_host : "");
            if (f->action)
                vg_strlist_add(&c->urls, f->action);
        }
    }
}
