/* infra.c — infrastructure keys of a finding (attacker IPs and their /24 or
 * /48, sender and link domains, URLs, attachment hashes, sender addresses,
 * the messages themselves), minus what cannot link two intrusions: internal
 * addresses, Tor exits and other shared addresses, free-mail providers, mass
 * hosting, file sharing and URL shorteners. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attrib/attrib_internal.h"
#include "vigil/mail.h"

bool vg_attrib_benign_kind(const char *kind)
{
    return kind && (strcmp(kind, "cred.stale_credentials") == 0 || strstr(kind, ".benign") != NULL);
}

bool vg_attrib_ips_are_attacker(const vg_finding *f)
{
    return strncmp(f->kind, "cred.", 5) == 0 || strcmp(f->kind, "ioc.match") == 0;
}

/* Registrable domains used by very many unrelated senders and sites. An
 * attacker's use of them says nothing that links two intrusions. */
static const char *const freemail[] = {
    "gmail.com",   "googlemail.com", "outlook.com", "hotmail.com", "live.com",   "msn.com",
    "yahoo.com",   "ymail.com",      "aol.com",     "icloud.com",  "me.com",     "mail.com",
    "gmx.com",     "gmx.net",        "gmx.de",      "web.de",      "yandex.ru",  "yandex.com",
    "mail.ru",     "inbox.ru",       "bk.ru",       "list.ru",     "protonmail.com", "proton.me",
    "pm.me",       "tutanota.com",   "tuta.io",     "zoho.com",    "qq.com",     "163.com",
    "126.com",     "sina.com",       "naver.com",   "daum.net",    "hanmail.net", "rediffmail.com",
    "seznam.cz",   "libero.it",      "orange.fr",   "laposte.net", "rambler.ru", "ukr.net",
};
static const char *const mass[] = {
    "google.com",        "googleusercontent.com", "googleapis.com", "appspot.com",
    "firebaseapp.com",   "web.app",               "forms.gle",      "goo.gl",
    "microsoft.com",     "office.com",            "office365.com",  "microsoftonline.com",
    "sharepoint.com",    "onedrive.com",          "1drv.ms",        "windows.net",
    "azurewebsites.net", "azureedge.net",         "live.com",       "outlook.com",
    "amazonaws.com",     "cloudfront.net",        "dropbox.com",    "dropboxusercontent.com",
    "box.com",           "wetransfer.com",        "we.tl",          "docusign.net",
    "docusign.com",      "bit.ly",                "t.co",           "tinyurl.com",
    "ow.ly",             "is.gd",                 "rebrand.ly",     "github.io",
    "githubusercontent.com", "github.com",        "gitlab.io",      "pages.dev",
    "workers.dev",       "netlify.app",           "vercel.app",     "herokuapp.com",
    "ngrok.io",          "ngrok-free.app",        "000webhostapp.com", "weebly.com",
    "wixsite.com",       "wordpress.com",         "blogspot.com",   "medium.com",
    "linkedin.com",      "lnkd.in",               "facebook.com",   "twitter.com",
    "x.com",             "youtube.com",           "zoom.us",        "mailchimp.com",
    "list-manage.com",   "sendgrid.net",          "constantcontact.com", "notion.so",
    "typeform.com",      "surveymonkey.com",      "jotform.com",    "duckdns.org",
    "no-ip.com",         "ddns.net",
};

static bool in_list(const char *const *list, size_t n, const char *domain)
{
    if (!domain || !*domain)
        return false;
    const char *r = vg_mail_reg_domain(domain);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], r) == 0 || strcasecmp(list[i], domain) == 0)
            return true;
    return false;
}

bool vg_attrib_freemail_domain(const char *domain)
{
    return in_list(freemail, sizeof freemail / sizeof freemail[0], domain);
}

bool vg_attrib_mass_domain(const char *domain)
{
    return vg_attrib_freemail_domain(domain) || in_list(mass, sizeof mass / sizeof mass[0], domain);
}

bool vg_attrib_ip_shared(const vg_iocset *iocs, const vg_ip *ip, vg_shared_kind *kind)
{
    if (kind)
        *kind = VG_SHARED_NONE;
    if (!iocs)
        return false;
    vg_ioc_hit hits[16];
    size_t n = vg_iocset_match_ip(iocs, ip, hits, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (hits[i].ind->shared != VG_SHARED_NONE) {
            if (kind)
                *kind = hits[i].ind->shared;
            return true;
        }
    return false;
}

/* An address (or a prefix some detectors report for IPv6 sources) becomes
 * "ip:" (one source: the address, or for IPv6 its /64, one end site) and
 * "net:" (its /24 or /48). */
static void add_ip_keys(const char *s, const vg_iocset *iocs, vg_strlist *keys)
{
    vg_str t = vg_str_trim(vg_str_from(s));
    vg_cidr src;
    if (vg_ip_parse(t, &src.ip) == VG_OK)
        src.bits = (uint8_t)(src.ip.family == 6 ? 128 : 32);
    else if (vg_cidr_parse(t, &src) != VG_OK)
        return;
    const vg_ip *ip = &src.ip;
    /* Internal addresses (RFC 1918, CGNAT, loopback, ...) are everyone's: they
     * cannot link two organizations. Documentation and benchmarking ranges
     * are not internal: they stand in for public addresses in tests and the
     * demo. */
    if (vg_ip_is_internal(ip) || vg_attrib_ip_shared(iocs, ip, NULL))
        return;
    bool v6 = ip->family == 6;
    char buf[VG_IP_STRLEN + 8];
    if (!v6 && src.bits == 32) {
        vg_ip_format(ip, buf);
        vg_strlist_addf(keys, "ip:%s", buf);
    } else if (v6 && src.bits >= 64) {
        vg_cidr site;
        site.bits = 64;
        vg_ip_mask(ip, 64, &site.ip);
        site.ip.family = 6;
        vg_cidr_format(&site, buf);
        vg_strlist_addf(keys, "ip:%s", buf);
    }
    int net = v6 ? 48 : 24;
    if (src.bits < net)
        return; /* a wider prefix than a network: too coarse to link anything */
    vg_cidr c;
    c.bits = (uint8_t)net;
    vg_ip_mask(ip, c.bits, &c.ip);
    c.ip.family = ip->family;
    vg_cidr_format(&c, buf);
    vg_strlist_addf(keys, "net:%s", buf);
}

/* The organization's own domains: those of its targeted accounts. (A mail
 * finding's entities.accounts may hold the sender as well: not the org's.) */
static bool own_domain(const vg_finding *f, const char *dom)
{
    const vg_strlist *lists[] = {&f->roles.targeted, &f->roles.compromised, &f->entities.accounts};
    int nl = strncmp(f->kind, "phish.", 6) == 0 ? 2 : 3;
    for (int l = 0; l < nl; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *at = strrchr(lists[l]->v[i], '@');
            if (at && strcasecmp(at + 1, dom) == 0)
                return true;
        }
    return false;
}

void vg_attrib_infra_keys(const vg_finding *f, const vg_iocset *iocs, vg_strlist *keys)
{
    for (size_t i = 0; i < f->roles.attacker_ips.n; i++)
        add_ip_keys(f->roles.attacker_ips.v[i], iocs, keys);
    if (vg_attrib_ips_are_attacker(f))
        for (size_t i = 0; i < f->entities.ips.n; i++)
            add_ip_keys(f->entities.ips.v[i], iocs, keys);
    char norm[8192];
    for (size_t i = 0; i < f->entities.domains.n; i++) {
        const char *d = f->entities.domains.v[i];
        if (!vg_ioc_normalize_domain(d, norm, sizeof norm) || vg_attrib_mass_domain(norm) ||
            own_domain(f, norm))
            continue;
        vg_strlist_addf(keys, "dom:%s", norm);
    }
    for (size_t i = 0; i < f->entities.urls.n; i++) {
        if (!vg_ioc_normalize_url(f->entities.urls.v[i], norm, sizeof norm))
            continue;
        /* a URL on a mass-hosting site is still specific (its path is the
         * attacker's), but the site's bare root is not */
        const char *h = strstr(norm, "://");
        const char *path = h ? strchr(h + 3, '/') : NULL;
        char host[512] = "";
        if (h) {
            size_t hl = strcspn(h + 3, ":/?#");
            if (hl < sizeof host) {
                memcpy(host, h + 3, hl);
                host[hl] = 0;
            }
        }
        if (vg_attrib_mass_domain(host) && (!path || strcmp(path, "/") == 0))
            continue;
        vg_strlist_addf(keys, "url:%s", norm);
    }
    for (size_t i = 0; i < f->entities.hashes.n; i++) {
        vg_ioc_type t;
        if (vg_ioc_normalize_hash(f->entities.hashes.v[i], &t, norm, sizeof norm))
            vg_strlist_addf(keys, "hash:%s", norm);
    }
    /* Mail: the sender's own address (a free-mail account is one operator's,
     * unlike its provider's domain), unless it is the organization's own
     * (only when the recipients are known, to tell the two apart); and
     * the message itself, so the findings several detectors make about one
     * message stay together. */
    if (strncmp(f->kind, "phish.", 6) == 0 && f->roles.targeted.n) {
        for (size_t i = 0; i < f->entities.accounts.n; i++) {
            const char *a = f->entities.accounts.v[i];
            const char *at = strrchr(a, '@');
            if (!at || vg_strlist_has(&f->roles.targeted, a) || own_domain(f, at + 1))
                continue;
            if (vg_ioc_normalize_email(a, norm, sizeof norm))
                vg_strlist_addf(keys, "email:%s", norm);
        }
    }
    for (size_t i = 0; i < f->entities.messages.n; i++)
        if (*f->entities.messages.v[i])
            vg_strlist_addf(keys, "msg:%s", f->entities.messages.v[i]);
    vg_strlist_sort(keys);
}
