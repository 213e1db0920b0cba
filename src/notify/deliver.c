/* deliver.c — getting a rendered notice to an organization: an outbox
 * directory, a signed webhook (libcurl), or mail (libcurl SMTP, STARTTLS
 * when offered). Delivery is at-least-once: the idempotency key travels with
 * every copy (Message-ID, Idempotency-Key header) so receivers drop repeats.
 * Secrets come from the environment at the moment of use and never reach a
 * log line, an error message or the store. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "notify/notify_int.h"

static const char *const channel_names[] = {"outbox", "webhook", "smtp"};

const char *vg_channel_name(vg_channel c)
{
    return (unsigned)c < VG_CHANNEL_COUNT ? channel_names[c] : "outbox";
}

bool vg_channel_parse(const char *s, vg_channel *out)
{
    for (int i = 0; s && i < VG_CHANNEL_COUNT; i++)
        if (strcmp(s, channel_names[i]) == 0) {
            *out = (vg_channel)i;
            return true;
        }
    return false;
}

size_t vg_notify_org_channels(const vg_notify_org *o, vg_channel out[VG_CHANNEL_COUNT])
{
    size_t n = 0;
    if (o->outbox)
        out[n++] = VG_CHANNEL_OUTBOX;
    if (o->webhook_url)
        out[n++] = VG_CHANNEL_WEBHOOK;
    if (o->smtp_url)
        out[n++] = VG_CHANNEL_SMTP;
    return n;
}

/* ---- curl, once per process ------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* URL without user information, query or fragment (they may hold tokens). */
static void safe_url(const char *url, vg_buf *out)
{
    CURLU *u = curl_url();
    char *s = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        curl_url_set(u, CURLUPART_QUERY, NULL, 0);
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
        curl_url_get(u, CURLUPART_URL, &s, 0);
    }
    vg_buf_puts(out, s ? s : "(unparsable URL)");
    curl_free(s);
    curl_url_cleanup(u);
}

static void outbox_dir(const vg_notify_org *o, const vg_delivery_opts *opts, vg_buf *out)
{
    if (o->outbox_dir) {
        vg_buf_puts(out, o->outbox_dir);
        return;
    }
    vg_buf_printf(out, "%s/outbox/", opts && opts->out_dir ? opts->out_dir : ".");
    /* An org id from findings (not the config) may hold anything: keep a
     * safe file name. */
    const char *id = o->id ? o->id : "unknown";
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        id = "_";
    for (const char *p = id; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        vg_buf_putc(out, ok ? c : '_');
    }
}

static bool domain_of_org(const vg_notify_org *o, const char *addr)
{
    const char *at = strrchr(addr, '@');
    if (!at)
        return false;
    for (size_t i = 0; i < o->domains.n; i++) {
        const char *d = o->domains.v[i];
        size_t dl = strlen(d), al = strlen(at + 1);
        if (strcasecmp(at + 1, d) == 0 ||
            (al > dl && at[1 + al - dl - 1] == '.' && strcasecmp(at + 1 + al - dl, d) == 0))
            return true;
    }
    return false;
}

void vg_notify_smtp_recipients(const vg_notify_org *o, bool mail_compromised, vg_strlist *out)
{
    if (!mail_compromised) {
        vg_strlist_add_all(out, &o->smtp_to);
        return;
    }
    for (size_t i = 0; i < o->smtp_to.n; i++)
        if (!domain_of_org(o, o->smtp_to.v[i]))
            vg_strlist_add(out, o->smtp_to.v[i]);
    if (o->contact)
        vg_strlist_add(out, o->contact);
    if (out->n == 0) /* nobody else to tell: better the compromised mailbox than nobody */
        vg_strlist_add_all(out, &o->smtp_to);
}

void vg_notify_channel_target(const vg_notify_org *o, vg_channel ch, const vg_delivery_opts *opts,
                              bool mail_compromised, vg_buf *out)
{
    switch (ch) {
    case VG_CHANNEL_OUTBOX: outbox_dir(o, opts, out); break;
    case VG_CHANNEL_WEBHOOK:
        if (o->webhook_url)
            safe_url(o->webhook_url, out);
        break;
    case VG_CHANNEL_SMTP: {
        vg_strlist to = {0};
        vg_notify_smtp_recipients(o, mail_compromised, &to);
        for (size_t i = 0; i < to.n; i++)
            vg_buf_printf(out, "%s%s", i ? ", " : "", to.v[i]);
        vg_strlist_free(&to);
        break;
    }
    default: break;
    }
}

/* ---- outbox --------------------------------------------------------------------------- */

static bool same_file(const char *path, const vg_buf *b)
{
    char *cur = NULL;
    size_t n = 0;
    if (vg_file_read(path, b->n + 1, &cur, &n, NULL) != VG_OK)
        return false;
    bool same = n == b->n && (n == 0 || memcmp(cur, b->p, n) == 0);
    free(cur);
    return same;
}

static vg_err deliver_outbox(const vg_notify_org *o, const vg_rendered *r,
                             const vg_delivery_opts *opts, vg_delivery_result *res)
{
    vg_buf dir;
    vg_buf_init(&dir, 0);
    outbox_dir(o, opts, &dir);
    snprintf(res->target, sizeof res->target, "%s", vg_buf_cstr(&dir));
    vg_error e = {0};
    res->tries = 1;
    vg_err rc = vg_mkdir_p(vg_buf_cstr(&dir), &e);
    for (int f = 0; !rc && f < VG_FMT_COUNT; f++) {
        vg_buf path;
        vg_buf_init(&path, 0);
        vg_buf_printf(&path, "%s/%s.%s", vg_buf_cstr(&dir), r->basename,
                      vg_notify_format_ext((vg_notify_format)f));
        /* Identical bytes already there (an earlier attempt): leave the file alone. */
        if (!same_file(vg_buf_cstr(&path), &r->body[f]))
            rc = vg_file_write(vg_buf_cstr(&path), r->body[f].p ? r->body[f].p : "",
                               r->body[f].n, &e);
        vg_buf_free(&path);
    }
    vg_buf_free(&dir);
    if (rc) {
        snprintf(res->error, sizeof res->error, "%s", e.msg);
        return VG_EIO;
    }
    res->ok = true;
    return VG_OK;
}

/* ---- webhook ----------------------------------------------------------------------------- */

void vg_notify_webhook_signature(const char *secret, int64_t ts, const char *body, size_t n,
                                 char out[72])
{
    vg_buf msg;
    vg_buf_init(&msg, 0);
    vg_buf_printf(&msg, "%lld.", (long long)ts);
    vg_buf_append(&msg, body, n);
    uint8_t mac[32];
    vg_hmac_sha256(secret, strlen(secret), msg.p, msg.n, mac);
    vg_buf_free(&msg);
    memcpy(out, "sha256=", 7);
    vg_hex(mac, 32, out + 7);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static void sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static bool transient_http(long status) { return status == 408 || status == 429 || status >= 500; }

static vg_err deliver_webhook(const vg_notify_org *o, const vg_rendered *r,
                              const vg_delivery_opts *opts, vg_delivery_result *res)
{
    const vg_notify_settings *st = opts ? opts->settings : NULL;
    vg_buf tgt;
    vg_buf_init(&tgt, 0);
    safe_url(o->webhook_url, &tgt);
    snprintf(res->target, sizeof res->target, "%s", vg_buf_cstr(&tgt));
    vg_buf_free(&tgt);
    const char *secret = o->webhook_secret_env ? getenv(o->webhook_secret_env) : NULL;
    if (!o->webhook_secret_env) {
        snprintf(res->error, sizeof res->error,
                 "no webhook secret configured (notify.webhook.secret_env)");
        return VG_EIO;
    }
    if (!secret || !*secret) {
        snprintf(res->error, sizeof res->error, "environment variable %s is not set",
                 o->webhook_secret_env);
        return VG_EIO;
    }
    bool stix = o->webhook_format && strcmp(o->webhook_format, "stix") == 0;
    const vg_buf *body = &r->body[stix ? VG_FMT_STIX : VG_FMT_JSON];

    pthread_once(&curl_once, curl_init_once);
    int retries = st ? st->webhook_retries : 3;
    int64_t backoff = st ? st->backoff_ms : 1000;
    long timeout = st && st->timeout_s > 0 ? st->timeout_s : 30;
    vg_err rc = VG_EIO;
    for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0)
            sleep_ms(backoff << (attempt - 1 < 16 ? attempt - 1 : 16));
        CURL *c = curl_easy_init();
        if (!c) {
            snprintf(res->error, sizeof res->error, "curl_easy_init failed");
            break;
        }
        int64_t ts = opts && opts->fixed_timestamp ? opts->fixed_timestamp : vg_now_ms() / 1000;
        char sig[72], h[256];
        vg_notify_webhook_signature(secret, ts, body->p ? body->p : "", body->n, sig);
        struct curl_slist *hdr = NULL;
        hdr = curl_slist_append(hdr, stix ? "Content-Type: application/stix+json;version=2.1"
                                          : "Content-Type: application/json");
        snprintf(h, sizeof h, "X-Vigil-Timestamp: %lld", (long long)ts);
        hdr = curl_slist_append(hdr, h);
        snprintf(h, sizeof h, "X-Vigil-Signature: %s", sig);
        hdr = curl_slist_append(hdr, h);
        snprintf(h, sizeof h, "Idempotency-Key: %s", r->idempotency_key);
        hdr = curl_slist_append(hdr, h);
        snprintf(h, sizeof h, "X-Vigil-Notification: %s; version=%d", r->campaign, r->version);
        hdr = curl_slist_append(hdr, h);
        snprintf(h, sizeof h, "X-Vigil-TLP: %s", vg_tlp_label(r->tlp));
        hdr = curl_slist_append(hdr, h);
        hdr = curl_slist_append(hdr, "Expect:");
        char errbuf[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(c, CURLOPT_URL, o->webhook_url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->p ? body->p : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->n);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        if (o->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
        CURLcode cc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        res->tries++;
        res->status = status;
        if (cc == CURLE_OK && status >= 200 && status < 300) {
            res->ok = true;
            res->error[0] = 0;
            rc = VG_OK;
            break;
        }
        if (cc != CURLE_OK)
            snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
        else
            snprintf(res->error, sizeof res->error, "HTTP %ld", status);
        if (cc == CURLE_OK && !transient_http(status))
            break; /* 4xx: the receiver refused it; retrying now will not help */
    }
    return rc;
}

/* ---- SMTP ---------------------------------------------------------------------------------- */

static void rfc5322_date(int64_t ms, vg_buf *out)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    vg_tm t;
    vg_time_to_civil(ms, &t);
    vg_buf_printf(out, "%s, %d %s %04d %02d:%02d:%02d +0000", wd[t.wday % 7], t.day,
                  mo[(t.month + 11) % 12], t.year, t.hour, t.min, t.sec);
}

static void mime_part(vg_buf *m, const char *boundary, const char *ctype, const char *filename,
                      const vg_buf *body)
{
    vg_buf_printf(m, "--%s\r\nContent-Type: %s", boundary, ctype);
    if (filename)
        vg_buf_printf(m, "; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"",
                      filename, filename);
    vg_buf_puts(m, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    vg_notify_base64(m, body->p ? body->p : "", body->n, 76);
    vg_buf_puts(m, "\r\n");
}

/* An address safe for a header: printable ASCII without separators, else dropped. */
static bool header_safe_addr(const char *a)
{
    if (!a || !*a || strlen(a) > 254)
        return false;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("<>,;\"()[]\\", *p))
            return false;
    return strchr(a, '@') != NULL;
}

void vg_notify_build_mail(const vg_rendered *r, const char *from_name, const char *from,
                          const vg_strlist *to, int64_t date_ms, vg_buf *m)
{
    const char *at = from ? strrchr(from, '@') : NULL;
    const char *dom = at && at[1] ? at + 1 : "vigil.invalid";
    vg_buf_puts(m, "From: ");
    vg_notify_header_value(m, from_name && *from_name ? from_name : "vigil");
    vg_buf_printf(m, " <%s>\r\nTo: ", header_safe_addr(from) ? from : "vigil@vigil.invalid");
    size_t k = 0;
    for (size_t i = 0; i < to->n; i++)
        if (header_safe_addr(to->v[i]))
            vg_buf_printf(m, "%s%s", k++ ? ",\r\n " : "", to->v[i]);
    vg_buf_puts(m, "\r\nSubject: ");
    vg_notify_header_value(m, r->subject ? r->subject : "vigil notification");
    vg_buf_puts(m, "\r\nDate: ");
    rfc5322_date(date_ms, m);
    vg_buf_printf(m, "\r\nMessage-ID: <%s@%s>\r\n", r->idempotency_key, dom);
    vg_buf_printf(m, "X-Vigil-Idempotency-Key: %s\r\nX-Vigil-TLP: %s\r\n", r->idempotency_key,
                  vg_tlp_label(r->tlp));
    vg_buf_printf(m, "X-Vigil-Notification: %s; version=%d\r\n", r->campaign, r->version);
    if (r->tlp >= VG_TLP_AMBER)
        vg_buf_puts(m, "Sensitivity: Company-Confidential\r\n");
    char mixed[96], alt[96];
    snprintf(mixed, sizeof mixed, "=_vigil_mixed_%s", r->idempotency_key);
    snprintf(alt, sizeof alt, "=_vigil_alt_%s", r->idempotency_key);
    vg_buf_printf(m, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
                     "This is a MIME message.\r\n",
                  mixed);
    vg_buf_printf(m, "--%s\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", mixed,
                  alt);
    mime_part(m, alt, "text/plain; charset=utf-8", NULL, &r->body[VG_FMT_MD]);
    mime_part(m, alt, "text/html; charset=utf-8", NULL, &r->body[VG_FMT_HTML]);
    vg_buf_printf(m, "--%s--\r\n", alt);
    char fn[256];
    snprintf(fn, sizeof fn, "%s.json", r->basename);
    mime_part(m, mixed, "application/json", fn, &r->body[VG_FMT_JSON]);
    snprintf(fn, sizeof fn, "%s.stix.json", r->basename);
    mime_part(m, mixed, "application/stix+json;version=2.1", fn, &r->body[VG_FMT_STIX]);
    vg_buf_printf(m, "--%s--\r\n", mixed);
}

typedef struct reader {
    const char *p;
    size_t n, off;
} reader;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    reader *rd = ud;
    size_t want = size * nitems, left = rd->n - rd->off;
    if (want > left)
        want = left;
    memcpy(buf, rd->p + rd->off, want);
    rd->off += want;
    return want;
}

static vg_err deliver_smtp(const vg_notify_org *o, const vg_rendered *r,
                           const vg_delivery_opts *opts, vg_delivery_result *res)
{
    const vg_notify_settings *st = opts ? opts->settings : NULL;
    vg_strlist to = {0};
    vg_notify_smtp_recipients(o, r->mail_compromised, &to);
    vg_buf tgt;
    vg_buf_init(&tgt, 0);
    vg_notify_channel_target(o, VG_CHANNEL_SMTP, opts, r->mail_compromised, &tgt);
    snprintf(res->target, sizeof res->target, "%s", vg_buf_cstr(&tgt));
    vg_buf_free(&tgt);
    const char *password = NULL;
    if (o->smtp_username) {
        password = o->smtp_password_env ? getenv(o->smtp_password_env) : NULL;
        if (!password) {
            snprintf(res->error, sizeof res->error, "environment variable %s is not set",
                     o->smtp_password_env ? o->smtp_password_env : "(smtp.password_env)");
            vg_strlist_free(&to);
            return VG_EIO;
        }
    }
    if (!o->smtp_from || !header_safe_addr(o->smtp_from) || to.n == 0) {
        snprintf(res->error, sizeof res->error, "smtp needs a valid from address and recipients");
        vg_strlist_free(&to);
        return VG_EIO;
    }
    vg_buf msg;
    vg_buf_init(&msg, 0);
    vg_notify_build_mail(r, st && st->sender ? st->sender : "vigil", o->smtp_from, &to,
                         vg_now_ms(), &msg);

    pthread_once(&curl_once, curl_init_once);
    int retries = st ? st->webhook_retries : 3;
    int64_t backoff = st ? st->backoff_ms : 1000;
    long timeout = st && st->timeout_s > 0 ? st->timeout_s : 30;
    vg_err rc = VG_EIO;
    char from[300];
    snprintf(from, sizeof from, "<%s>", o->smtp_from);
    for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0)
            sleep_ms(backoff << (attempt - 1 < 16 ? attempt - 1 : 16));
        CURL *c = curl_easy_init();
        if (!c) {
            snprintf(res->error, sizeof res->error, "curl_easy_init failed");
            break;
        }
        struct curl_slist *rcpt = NULL;
        for (size_t i = 0; i < to.n; i++) {
            if (!header_safe_addr(to.v[i]))
                continue;
            char a[300];
            snprintf(a, sizeof a, "<%s>", to.v[i]);
            rcpt = curl_slist_append(rcpt, a);
        }
        reader rd = {msg.p, msg.n, 0};
        char errbuf[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(c, CURLOPT_URL, o->smtp_url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(c, CURLOPT_READDATA, &rd);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.n);
        /* STARTTLS when the server offers it; required when we would send a password. */
        curl_easy_setopt(c, CURLOPT_USE_SSL, password ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        if (o->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
        if (password) {
            curl_easy_setopt(c, CURLOPT_USERNAME, o->smtp_username);
            curl_easy_setopt(c, CURLOPT_PASSWORD, password);
        }
        CURLcode cc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(rcpt);
        curl_easy_cleanup(c);
        res->tries++;
        res->status = status;
        if (cc == CURLE_OK) {
            res->ok = true;
            res->error[0] = 0;
            rc = VG_OK;
            break;
        }
        snprintf(res->error, sizeof res->error, "%s%s%ld)", errbuf[0] ? errbuf : curl_easy_strerror(cc),
                 " (SMTP ", status);
        /* 5xx replies are permanent (RFC 5321 4.2.1): do not hammer the server now. */
        if (status >= 500)
            break;
    }
    vg_buf_free(&msg);
    vg_strlist_free(&to);
    return rc;
}

vg_err vg_notify_deliver(const vg_notify_org *o, vg_channel ch, const vg_rendered *r,
                         const vg_delivery_opts *opts, vg_delivery_result *res)
{
    memset(res, 0, sizeof *res);
    switch (ch) {
    case VG_CHANNEL_OUTBOX: return deliver_outbox(o, r, opts, res);
    case VG_CHANNEL_WEBHOOK:
        if (!o->webhook_url)
            break;
        return deliver_webhook(o, r, opts, res);
    case VG_CHANNEL_SMTP:
        if (!o->smtp_url)
            break;
        return deliver_smtp(o, r, opts, res);
    default: break;
    }
    snprintf(res->error, sizeof res->error, "channel %s is not configured for %s",
             vg_channel_name(ch), o->id);
    return VG_EINVAL;
}
