/* test_notify_deliver.c — delivery against real servers on 127.0.0.1:
 * the outbox (idempotent files), a webhook receiver written with
 * libmicrohttpd that checks the HMAC signature and timestamp, rejects
 * replays and fails on demand (retries, backoff, 4xx), and an SMTP server
 * (python3-aiosmtpd) whose stored messages are parsed back by Python's
 * email package, with STARTTLS. Ephemeral ports, bounded waits. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "vigil/notify.h"

#define SECRET "s3cr3t-webhook-key"
#define PYTHON "/usr/bin/python3"

static char tmp[256];

static void make_rendered(vg_rendered *r, const char *subject)
{
    vg_rendered_init(r);
    r->org = vg_xstrdup("helix");
    r->campaign = vg_xstrdup("c-00112233aabbccdd");
    r->basename = vg_xstrdup("c-00112233aabbccdd-v1");
    r->subject = vg_xstrdup(subject);
    r->idempotency_key = vg_xstrdup("vg-0123456789abcdef0123456789abcdef");
    r->tlp = VG_TLP_AMBER;
    r->version = 1;
    vg_buf_puts(&r->body[VG_FMT_MD], "**TLP:AMBER**\n\n# Notice\n\nAccount `alice@helixbio.example`.\n");
    vg_buf_puts(&r->body[VG_FMT_HTML], "<!DOCTYPE html><p>TLP:AMBER &lt;script&gt;</p>\n");
    vg_buf_puts(&r->body[VG_FMT_JSON], "{\"type\":\"vigil.notification\",\"tlp\":\"TLP:AMBER\"}\n");
    vg_buf_puts(&r->body[VG_FMT_STIX], "{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":[]}\n");
}

static vg_notify_org *make_org(vg_notify_org *o)
{
    memset(o, 0, sizeof *o);
    o->id = vg_xstrdup("helix");
    o->name = vg_xstrdup("Helix Biologics");
    vg_strlist_add(&o->domains, "helixbio.example");
    o->outbox = true;
    return o;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &l) != 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    int p = ntohs(a.sin_port);
    close(s);
    return p;
}

static bool wait_port(int port, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bool ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
        close(s);
        if (ok)
            return true;
        usleep(50000);
    }
    return false;
}

/* ---- outbox ---------------------------------------------------------------------------- */

static void test_outbox(void **state)
{
    (void)state;
    vg_notify_org o;
    make_org(&o);
    vg_rendered r;
    make_rendered(&r, "[TLP:AMBER] test");
    vg_notify_settings st;
    vg_notify_settings_init(&st);
    vg_delivery_opts opts = {.out_dir = tmp, .settings = &st};
    vg_delivery_result res;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_OUTBOX, &r, &opts, &res), VG_OK);
    assert_true(res.ok);
    char path[512];
    snprintf(path, sizeof path, "%s/outbox/helix/c-00112233aabbccdd-v1.stix.json", tmp);
    struct stat s1, s2;
    assert_int_equal(stat(path, &s1), 0);
    snprintf(path, sizeof path, "%s/outbox/helix/c-00112233aabbccdd-v1.html", tmp);
    assert_int_equal(stat(path, &s1), 0);
    /* Delivering the same bytes again leaves the files untouched (same inode). */
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_OUTBOX, &r, &opts, &res), VG_OK);
    assert_int_equal(stat(path, &s2), 0);
    assert_int_equal(s1.st_ino, s2.st_ino);
    assert_int_equal(s1.st_mtim.tv_nsec, s2.st_mtim.tv_nsec);
    /* An org id from hostile input cannot escape the outbox. */
    free(o.id);
    o.id = vg_xstrdup("../../etc");
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_OUTBOX, &r, &opts, &res), VG_OK);
    assert_non_null(strstr(res.target, "/outbox/.._.._etc"));
    /* An unwritable directory fails with a message. */
    o.outbox_dir = vg_xstrdup("/proc/vigil-cannot-write-here");
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_OUTBOX, &r, &opts, &res), VG_EIO);
    assert_false(res.ok);
    assert_true(res.error[0] != 0);
    /* A channel that is not configured. */
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_EINVAL);
    vg_rendered_free(&r);
    vg_notify_org_clear(&o);
}

/* ---- webhook receiver ------------------------------------------------------------------------ */

typedef struct hook {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    int fail_first;  /* answer 500 to the first N requests */
    int always;      /* answer this status to everything (0 = normal) */
    int requests, accepted, duplicates, bad_sig, stale, replays;
    char last_ts[32], last_sig[96], last_key[96], last_ctype[96];
    vg_buf last_body;
    vg_strlist seen_sigs, seen_keys;
} hook;

typedef struct conn {
    vg_buf body;
} conn;

static void hmac_hex(const char *ts, const char *body, size_t n, char out[65])
{
    vg_buf m;
    vg_buf_init(&m, 0);
    vg_buf_printf(&m, "%s.", ts);
    vg_buf_append(&m, body, n);
    unsigned char mac[32];
    unsigned int ml = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)m.p, m.n, mac, &ml);
    for (unsigned i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", mac[i]);
    vg_buf_free(&m);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result hook_handler(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version,
                                    const char *upload, size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)version;
    hook *h = cls;
    if (!*con_cls) {
        conn *k = calloc(1, sizeof *k);
        vg_buf_init(&k->body, 1 << 20);
        *con_cls = k;
        return MHD_YES;
    }
    conn *k = *con_cls;
    if (*upload_size) {
        vg_buf_append(&k->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return reply(c, 405, "POST only");
    const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-Timestamp");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-Signature");
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    pthread_mutex_lock(&h->mu);
    h->requests++;
    snprintf(h->last_ts, sizeof h->last_ts, "%s", ts ? ts : "");
    snprintf(h->last_sig, sizeof h->last_sig, "%s", sig ? sig : "");
    snprintf(h->last_key, sizeof h->last_key, "%s", key ? key : "");
    snprintf(h->last_ctype, sizeof h->last_ctype, "%s", ctype ? ctype : "");
    vg_buf_reset(&h->last_body);
    vg_buf_append(&h->last_body, k->body.p ? k->body.p : "", k->body.n);
    unsigned status = 200;
    const char *msg = "ok";
    char want[72] = "sha256=";
    if (h->always) {
        status = (unsigned)h->always;
        msg = "forced";
    } else if (!ts || !sig || !key) {
        status = 400;
        msg = "missing headers";
    } else {
        hmac_hex(ts, k->body.p ? k->body.p : "", k->body.n, want + 7);
        long long t = atoll(ts);
        long long now = (long long)time(NULL);
        if (strcmp(want, sig) != 0) {
            h->bad_sig++;
            status = 401;
            msg = "bad signature";
        } else if (t < now - 300 || t > now + 300) {
            h->stale++;
            status = 401;
            msg = "stale timestamp";
        } else if (vg_strlist_has(&h->seen_sigs, sig)) {
            h->replays++;
            status = 409;
            msg = "replayed request";
        } else if (h->requests <= h->fail_first) {
            status = 500;
            msg = "try again";
        } else if (vg_strlist_has(&h->seen_keys, key)) {
            h->duplicates++; /* at-least-once: a repeat, acknowledged and dropped */
            vg_strlist_add(&h->seen_sigs, sig);
        } else {
            h->accepted++;
            vg_strlist_add(&h->seen_sigs, sig);
            vg_strlist_add(&h->seen_keys, key);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return reply(c, status, msg);
}

static void hook_done(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn *k = *con_cls;
    if (k) {
        vg_buf_free(&k->body);
        free(k);
        *con_cls = NULL;
    }
}

static bool hook_start(hook *h)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    vg_buf_init(&h->last_body, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, hook_handler, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
                            MHD_OPTION_NOTIFY_COMPLETED, hook_done, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!h->d)
        return false;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    return h->port > 0;
}

static void hook_stop(hook *h)
{
    if (h->d)
        MHD_stop_daemon(h->d);
    vg_buf_free(&h->last_body);
    vg_strlist_free(&h->seen_sigs);
    vg_strlist_free(&h->seen_keys);
    pthread_mutex_destroy(&h->mu);
}

/* Sends a raw POST (for replays); returns the HTTP status. */
static long raw_post(int port, const char *ts, const char *sig, const char *key, const char *body,
                     size_t n)
{
    CURL *c = curl_easy_init();
    char url[64], h1[128], h2[160], h3[160];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    snprintf(h1, sizeof h1, "X-Vigil-Timestamp: %s", ts);
    snprintf(h2, sizeof h2, "X-Vigil-Signature: %s", sig);
    snprintf(h3, sizeof h3, "Idempotency-Key: %s", key);
    struct curl_slist *hd = NULL;
    hd = curl_slist_append(hd, h1);
    hd = curl_slist_append(hd, h2);
    hd = curl_slist_append(hd, h3);
    hd = curl_slist_append(hd, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    FILE *devnull = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fclose(devnull);
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
    return status;
}

static void test_webhook(void **state)
{
    (void)state;
    hook h;
    assert_true(hook_start(&h));
    setenv("VIGIL_TEST_HOOK_SECRET", SECRET, 1);
    vg_notify_org o;
    make_org(&o);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook?token=not-in-logs", h.port);
    o.webhook_url = vg_xstrdup(url);
    o.webhook_secret_env = vg_xstrdup("VIGIL_TEST_HOOK_SECRET");
    vg_rendered r;
    make_rendered(&r, "[TLP:AMBER] test");
    vg_notify_settings st;
    vg_notify_settings_init(&st);
    st.webhook_retries = 3;
    st.backoff_ms = 20;
    st.timeout_s = 10;
    vg_delivery_opts opts = {.out_dir = tmp, .settings = &st};
    vg_delivery_result res;

    /* Two 500s, then accepted: three tries, each signed afresh. */
    h.fail_first = 2;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_OK);
    assert_true(res.ok);
    assert_int_equal(res.tries, 3);
    assert_int_equal(res.status, 200);
    assert_int_equal(h.requests, 3);
    assert_int_equal(h.accepted, 1);
    assert_int_equal(h.bad_sig, 0);
    assert_int_equal(h.stale, 0);
    assert_string_equal(h.last_key, "vg-0123456789abcdef0123456789abcdef");
    assert_string_equal(h.last_ctype, "application/json");
    assert_string_equal(h.last_body.p, r.body[VG_FMT_JSON].p);
    /* The target recorded for the store has no token. */
    assert_null(strstr(res.target, "token"));
    assert_null(strstr(res.target, SECRET));

    /* A replay of the captured request is rejected by the receiver. */
    char ts[32], sig[96];
    strcpy(ts, h.last_ts);
    strcpy(sig, h.last_sig);
    assert_int_equal(raw_post(h.port, ts, sig, h.last_key, h.last_body.p, h.last_body.n), 409);
    assert_int_equal(h.replays, 1);
    /* A tampered body under the captured signature: refused. */
    assert_int_equal(raw_post(h.port, ts, sig, h.last_key, "{\"type\":\"forged\"}", 17), 401);
    assert_int_equal(h.bad_sig, 1);
    /* A correctly signed but old request: refused as stale. */
    char old_ts[32], old_sig[72] = "sha256=";
    snprintf(old_ts, sizeof old_ts, "%lld", (long long)time(NULL) - 3600);
    hmac_hex(old_ts, r.body[VG_FMT_JSON].p, r.body[VG_FMT_JSON].n, old_sig + 7);
    assert_int_equal(raw_post(h.port, old_ts, old_sig, h.last_key, r.body[VG_FMT_JSON].p,
                              r.body[VG_FMT_JSON].n),
                     401);
    assert_int_equal(h.stale, 1);
    /* Our signature function agrees with the receiver's. */
    char mine[72];
    vg_notify_webhook_signature(SECRET, atoll(old_ts), r.body[VG_FMT_JSON].p,
                                r.body[VG_FMT_JSON].n, mine);
    assert_string_equal(mine, old_sig);

    /* At-least-once: delivering the same version again is a duplicate the
     * receiver drops by its idempotency key (a new signature, not a replay). */
    sleep(1); /* a new second, so a new timestamp and signature */
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_OK);
    assert_int_equal(h.duplicates, 1);
    assert_int_equal(h.accepted, 1);

    /* STIX format on request. */
    o.webhook_format = vg_xstrdup("stix");
    sleep(1);
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_OK);
    assert_non_null(strstr(h.last_ctype, "application/stix+json"));
    assert_string_equal(h.last_body.p, r.body[VG_FMT_STIX].p);

    /* Always 500: every try fails, the error says so. */
    h.always = 503;
    int before = h.requests;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_EIO);
    assert_false(res.ok);
    assert_int_equal(res.tries, 4);
    assert_int_equal(h.requests - before, 4);
    assert_string_equal(res.error, "HTTP 503");
    /* A 4xx is not retried. */
    h.always = 403;
    before = h.requests;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_EIO);
    assert_int_equal(res.tries, 1);
    assert_int_equal(h.requests - before, 1);
    h.always = 0;

    /* No secret in the environment: not sent at all, and the error names the variable. */
    unsetenv("VIGIL_TEST_HOOK_SECRET");
    before = h.requests;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_EIO);
    assert_non_null(strstr(res.error, "VIGIL_TEST_HOOK_SECRET"));
    assert_int_equal(h.requests, before);
    setenv("VIGIL_TEST_HOOK_SECRET", SECRET, 1);

    /* Nobody listening: fails after the retries, bounded. */
    hook_stop(&h);
    st.webhook_retries = 1;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_WEBHOOK, &r, &opts, &res), VG_EIO);
    assert_int_equal(res.tries, 2);
    assert_true(res.error[0] != 0);
    assert_null(strstr(res.error, SECRET));
    vg_rendered_free(&r);
    vg_notify_org_clear(&o);
}

/* ---- SMTP ------------------------------------------------------------------------------------------ */

typedef struct smtpd {
    pid_t pid;
    int port;
    char dir[512];
} smtpd;

static bool smtpd_start(smtpd *s, const char *name, const char *cert, const char *key)
{
    s->port = free_port();
    snprintf(s->dir, sizeof s->dir, "%s/%s", tmp, name);
    char listen[64], port[16];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
    snprintf(port, sizeof port, "%d", s->port);
    s->pid = fork();
    if (s->pid == 0) {
        int dn = open("/dev/null", O_WRONLY);
        if (dn >= 0) {
            dup2(dn, 1);
            dup2(dn, 2);
        }
        if (cert)
            execl(PYTHON, PYTHON, "-m", "aiosmtpd", "-n", "-l", listen, "--tlscert", cert,
                  "--tlskey", key, "-c", "aiosmtpd.handlers.Mailbox", s->dir, (char *)NULL);
        else
            execl(PYTHON, PYTHON, "-m", "aiosmtpd", "-n", "-l", listen, "-c",
                  "aiosmtpd.handlers.Mailbox", s->dir, (char *)NULL);
        _exit(127);
    }
    return s->pid > 0 && wait_port(s->port, 10000);
}

static void smtpd_stop(smtpd *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        for (int i = 0; i < 100; i++) {
            if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
                s->pid = 0;
                return;
            }
            usleep(50000);
        }
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

/* The stored messages, parsed back by Python's email package. */
static json_t *read_back(const smtpd *s)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s %s %s", PYTHON, vg_test_src("tests/fixtures/scan/parse_mail.py"),
             s->dir);
    int rc = vg_test_run(cmd, &out);
    assert_int_equal(rc, 0);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(j);
    return j;
}

static void test_smtp(void **state)
{
    (void)state;
    if (access(PYTHON, X_OK) != 0 || vg_test_run(PYTHON " -c 'import aiosmtpd' 2>/dev/null", NULL) != 0) {
        fprintf(stderr, "SKIP: python3-aiosmtpd is not installed\n");
        skip();
    }
    smtpd s;
    assert_true(smtpd_start(&s, "plain", NULL, NULL));
    vg_notify_org o;
    make_org(&o);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", s.port);
    o.smtp_url = vg_xstrdup(url);
    o.smtp_from = vg_xstrdup("vigil@isac.example");
    vg_strlist_add(&o.smtp_to, "soc@helixbio.example");
    vg_strlist_add(&o.smtp_to, "ciso@partner.example");
    o.contact = vg_xstrdup("oob@helix-backup.example");
    vg_rendered r;
    /* Non-ASCII and a control byte in the subject. */
    make_rendered(&r, "[TLP:AMBER] STRONTIUM campaign against H\xC3\xA9lix\r\nBcc: x@evil");
    vg_notify_settings st;
    vg_notify_settings_init(&st);
    st.webhook_retries = 1;
    st.backoff_ms = 20;
    st.timeout_s = 10;
    st.sender = vg_xstrdup("Example ISAC");
    vg_delivery_opts opts = {.out_dir = tmp, .settings = &st};
    vg_delivery_result res;
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_SMTP, &r, &opts, &res), VG_OK);
    assert_true(res.ok);

    /* Mail compromised: the own-domain address gives way to the out-of-band contact. */
    r.mail_compromised = true;
    free(r.idempotency_key);
    r.idempotency_key = vg_xstrdup("vg-ffffffffffffffffffffffffffffffff");
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_SMTP, &r, &opts, &res), VG_OK);
    assert_null(strstr(res.target, "soc@helixbio.example"));
    assert_non_null(strstr(res.target, "oob@helix-backup.example"));

    json_t *msgs = read_back(&s);
    assert_int_equal(json_array_size(msgs), 2);
    int seen_plain = 0, seen_comp = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *m = json_array_get(msgs, i);
        const char *mid = json_string_value(json_object_get(m, "message_id"));
        const char *rcpt = json_string_value(json_object_get(m, "rcpt"));
        const char *subj = json_string_value(json_object_get(m, "subject"));
        assert_int_equal(json_array_size(json_object_get(m, "defects")), 0);
        /* The subject decodes back; the CRLF did not become a header. */
        assert_non_null(strstr(subj, "H\xC3\xA9lix"));
        assert_non_null(strstr(subj, "Bcc: x@evil"));
        assert_null(json_object_get(m, "bcc"));
        assert_string_equal(json_string_value(json_object_get(m, "tlp")), "TLP:AMBER");
        assert_non_null(strstr(json_string_value(json_object_get(m, "from")), "Example ISAC"));
        assert_non_null(strstr(json_string_value(json_object_get(m, "date")), "+0000"));
        json_t *parts = json_object_get(m, "parts");
        assert_int_equal(json_array_size(parts), 4);
        const char *types[] = {"text/plain", "text/html", "application/json",
                               "application/stix+json"};
        for (size_t k = 0; k < 4; k++) {
            json_t *p = json_array_get(parts, k);
            assert_string_equal(json_string_value(json_object_get(p, "type")), types[k]);
        }
        assert_true(json_is_false(json_object_get(json_array_get(parts, 1), "has_script")));
        assert_true(json_is_true(json_object_get(json_array_get(parts, 0), "has_tlp")));
        assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 2), "filename")),
                            "c-00112233aabbccdd-v1.json");
        assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 2), "json_type")),
                            "vigil.notification");
        assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 3), "json_type")),
                            "bundle");
        if (strcmp(mid, "<vg-0123456789abcdef0123456789abcdef@isac.example>") == 0) {
            seen_plain++;
            assert_non_null(strstr(rcpt, "soc@helixbio.example"));
            assert_non_null(strstr(rcpt, "ciso@partner.example"));
        } else if (strcmp(mid, "<vg-ffffffffffffffffffffffffffffffff@isac.example>") == 0) {
            seen_comp++;
            assert_null(strstr(rcpt, "soc@helixbio.example"));
            assert_non_null(strstr(rcpt, "ciso@partner.example"));
            assert_non_null(strstr(rcpt, "oob@helix-backup.example"));
        }
    }
    assert_int_equal(seen_plain, 1);
    assert_int_equal(seen_comp, 1);
    json_decref(msgs);

    /* A password is never sent over a server that offers no STARTTLS. */
    o.smtp_username = vg_xstrdup("vigil");
    o.smtp_password_env = vg_xstrdup("VIGIL_TEST_SMTP_PASSWORD");
    setenv("VIGIL_TEST_SMTP_PASSWORD", "hunter2", 1);
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_SMTP, &r, &opts, &res), VG_EIO);
    assert_null(strstr(res.error, "hunter2"));
    unsetenv("VIGIL_TEST_SMTP_PASSWORD");
    assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_SMTP, &r, &opts, &res), VG_EIO);
    assert_non_null(strstr(res.error, "VIGIL_TEST_SMTP_PASSWORD"));
    smtpd_stop(&s);
    free(o.smtp_username);
    o.smtp_username = NULL;

    /* STARTTLS: a server that requires it, with a certificate from our own CA file. */
    char cert[600], key[600], cmd[2048];
    snprintf(cert, sizeof cert, "%s/cert.pem", tmp);
    snprintf(key, sizeof key, "%s/key.pem", tmp);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             key, cert);
    if (vg_test_run(cmd, NULL) != 0) {
        fprintf(stderr, "SKIP: openssl cannot make a test certificate\n");
    } else {
        smtpd t;
        assert_true(smtpd_start(&t, "tls", cert, key));
        snprintf(url, sizeof url, "smtp://127.0.0.1:%d", t.port);
        free(o.smtp_url);
        o.smtp_url = vg_xstrdup(url);
        /* Without trusting the certificate: refused. */
        assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_SMTP, &r, &opts, &res), VG_EIO);
        o.ca_file = vg_xstrdup(cert);
        assert_int_equal(vg_notify_deliver(&o, VG_CHANNEL_SMTP, &r, &opts, &res), VG_OK);
        json_t *tm = read_back(&t);
        assert_int_equal(json_array_size(tm), 1);
        json_decref(tm);
        smtpd_stop(&t);
    }
    vg_rendered_free(&r);
    vg_notify_org_clear(&o);
    vg_notify_settings_clear(&st);
}

static void test_mail_format(void **state)
{
    (void)state;
    vg_rendered r;
    make_rendered(&r, "plain subject");
    vg_strlist to = {0};
    vg_strlist_add(&to, "a@b.example");
    vg_strlist_add(&to, "bad>addr@x"); /* unsafe in a header: left out */
    vg_buf m;
    vg_buf_init(&m, 0);
    vg_notify_build_mail(&r, "Ex\xC3\xA4mple", "vigil@isac.example", &to, 1605261600000LL, &m);
    assert_non_null(strstr(m.p, "Date: Fri, 13 Nov 2020 10:00:00 +0000\r\n"));
    assert_non_null(strstr(m.p, "From: =?UTF-8?B?"));
    assert_non_null(strstr(m.p, "To: a@b.example\r\n"));
    assert_null(strstr(m.p, "bad>addr"));
    assert_non_null(strstr(m.p, "Message-ID: <vg-0123456789abcdef0123456789abcdef@isac.example>"));
    /* Deterministic for a given date. */
    vg_buf m2;
    vg_buf_init(&m2, 0);
    vg_notify_build_mail(&r, "Ex\xC3\xA4mple", "vigil@isac.example", &to, 1605261600000LL, &m2);
    assert_string_equal(m.p, m2.p);
    vg_buf_free(&m);
    vg_buf_free(&m2);
    vg_strlist_free(&to);
    vg_rendered_free(&r);
}

int main(void)
{
    const char *t = vg_test_tmpdir();
    if (!t)
        return 1;
    snprintf(tmp, sizeof tmp, "%s", t);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outbox),
        cmocka_unit_test(test_webhook),
        cmocka_unit_test(test_smtp),
        cmocka_unit_test(test_mail_format),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
