/* bench_signins.c — sign-in throughput and memory (bench/signins/run.sh).
 *
 *   bench_signins gen FORMAT N [SEED]   N generated events to stdout
 *       FORMAT: entra (Azure Monitor diagnostic records, ~2.3 KB each, JSON
 *       lines), graph (Graph signIn objects), okta, sshd (syslog, several
 *       lines per attempt as real sshd writes them), windows (event XML), csv
 *       (Log Analytics CSV export). An organization of 20,000 accounts, one
 *       event a second, mostly successes behind five office NATs, typos,
 *       interrupts, plus a slow password spray from a 3,000-address pool and
 *       brute-force bursts.
 *   bench_signins parse  FILE|-          parse only
 *   bench_signins detect FILE|-          parse + detectors (what `vigil signins` does)
 *   bench_signins jansson FILE|-         json_loadb() of every line, nothing else:
 *                                        the ceiling of a jansson-based parser
 *
 * Prints one line of key=value: bytes, events, cpu seconds (user+sys of
 * this process, so a generator on the other end of a pipe does not count),
 * MB/s and events/s per core, wall seconds, peak RSS.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vigil/auth.h"
#include "vigil/detect_cred.h"

/* ---- generator ----------------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t nx(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}
static uint32_t rn(uint32_t n) { return (uint32_t)(nx() % n); }

#define USERS 20000
static const char *const uas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.183 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/14.0 Safari/605.1.15",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13328; Pro)",
    "Apple-iPhone12C1/1802.3"};
static const char *const apps[] = {"Office 365 Exchange Online", "Microsoft Teams",
                                   "Azure Portal", "Office 365 SharePoint Online"};
static const char *const clients[] = {"Browser", "Browser", "Mobile Apps and Desktop clients",
                                      "Exchange ActiveSync"};

typedef struct gev {
    int64_t t;
    uint32_t user;
    uint32_t ip;
    int code; /* 0, 50126, 50034, 50140, 50074 */
    int ua;   /* index, or -1 = spray agent */
    bool nouser;
} gev;

static void ipstr(uint32_t v, char *b) { sprintf(b, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255); }

static gev next_event(uint64_t i, uint64_t n)
{
    /* a constant rate (one event a second, ±2 s of jitter): 1M events are 11.6
     * days, 10M are 116 days, so memory is compared at the same rate over a
     * longer stream, as on an endless feed */
    static const int64_t t0 = 1604275200000LL; /* 2020-11-02 */
    (void)n;
    gev e;
    e.t = t0 + (int64_t)i * 1000 + (int64_t)rn(4000) - 2000;
    e.user = rn(USERS);
    e.ua = (int)(e.user % 4);
    e.nouser = false;
    uint32_t r = rn(1000);
    if (i % 997 == 0) { /* slow spray: a 3,000-address pool, a rare agent */
        e.ip = (185u << 24) | (rn(3000) * 2654435761u % (1u << 24));
        e.ua = -1;
        e.code = rn(10) == 0 ? 50034 : 50126;
        e.nouser = e.code == 50034;
        return e;
    }
    if (i % 50021 < 300) { /* a brute force burst against one account */
        e.user = 4242;
        e.ip = (45u << 24) | (rn(200) << 8) | 7;
        e.ua = 2;
        e.code = 50126;
        return e;
    }
    if (r < 700)
        e.ip = (198u << 24) | (18u << 16) | ((e.user % 5) << 8) | 1; /* office NATs */
    else if (r < 950)
        e.ip = (81u << 24) | ((e.user * 2654435761u) & 0xffff00) | 9; /* home */
    else
        e.ip = (100u << 24) | rn(1u << 24); /* carrier / travel */
    uint32_t c = rn(100);
    e.code = c < 94 ? 0 : c < 97 ? 50126 : c < 99 ? 50140 : 50074;
    return e;
}

static void gen_entra(uint64_t n, bool graph)
{
    char ip[20], tb[40], line[8192];
    for (uint64_t i = 0; i < n; i++) {
        gev e = next_event(i, n);
        ipstr(e.ip, ip);
        vg_time_format_rfc3339(e.t, true, tb);
        tb[strlen(tb) - 1] = '\0'; /* drop Z, add 7-digit fraction */
        const char *ua = e.ua < 0 ? "BAV2ROPC" : uas[e.ua];
        const char *client = e.ua < 0 ? "Other clients" : clients[e.ua];
        char user[64];
        if (e.nouser)
            sprintf(user, "former%05u@contoso.example", e.user);
        else
            sprintf(user, "user%05u@contoso.example", e.user);
        int k;
        const char *fail = e.code == 50126 ? "Invalid username or password or Invalid on-premise username or password."
                           : e.code == 50034 ? "The user account does not exist in the directory."
                           : e.code == 50140 ? "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in."
                           : e.code == 50074 ? "Strong Authentication is required." : "Other.";
        char props[6000];
        k = snprintf(props, sizeof props,
                     "{\"id\":\"%08x-2c3d-4e5f-9a8b-%012llx\",\"createdDateTime\":\"%s4567+00:00\","
                     "\"userDisplayName\":\"User %05u\",\"userPrincipalName\":\"%s\","
                     "\"userId\":\"%08x-1111-2222-3333-444455556666\",\"appId\":"
                     "\"00000002-0000-0ff1-ce00-000000000000\",\"appDisplayName\":\"%s\","
                     "\"ipAddress\":\"%s\",\"status\":{\"errorCode\":%d%s%s%s},\"clientAppUsed\":\"%s\","
                     "\"userAgent\":\"%s\",\"deviceDetail\":{\"deviceId\":\"\",\"operatingSystem\":"
                     "\"Windows 10\",\"browser\":\"Chrome 86.0.4240\",\"isCompliant\":false,"
                     "\"isManaged\":false,\"trustType\":\"\"},\"location\":{\"city\":\"Redmond\","
                     "\"state\":\"Washington\",\"countryOrRegion\":\"US\",\"geoCoordinates\":{"
                     "\"latitude\":47.6740,\"longitude\":-122.1215}},\"mfaDetail\":{},"
                     "\"correlationId\":\"%08x-aaaa-bbbb-cccc-%012llx\",\"conditionalAccessStatus\":"
                     "\"notApplied\",\"appliedConditionalAccessPolicies\":[{\"id\":"
                     "\"5bd8f6c1-0000-4a7b-9d3e-000000000001\",\"displayName\":\"Require MFA for "
                     "admins\",\"enforcedGrantControls\":[\"Mfa\"],\"enforcedSessionControls\":[],"
                     "\"result\":\"notApplied\"},{\"id\":\"5bd8f6c1-0000-4a7b-9d3e-000000000002\","
                     "\"displayName\":\"Block legacy authentication\",\"enforcedGrantControls\":"
                     "[\"Block\"],\"enforcedSessionControls\":[],\"result\":\"notApplied\"}],"
                     "\"originalRequestId\":\"%08x-2c3d-4e5f-9a8b-000000000000\",\"isInteractive\":%s,"
                     "\"tokenIssuerName\":\"\",\"tokenIssuerType\":\"AzureAD\",\"authenticationProcessingDetails\":"
                     "[{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":"
                     "\"Is CAE Token\",\"value\":\"False\"}],\"networkLocationDetails\":[],"
                     "\"processingTimeInMilliseconds\":%u,\"riskDetail\":\"none\",\"riskLevelAggregated\":"
                     "\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\",\"riskEventTypes\":[],"
                     "\"resourceDisplayName\":\"Office 365 Exchange Online\",\"resourceId\":"
                     "\"00000002-0000-0ff1-ce00-000000000000\",\"authenticationMethodsUsed\":[],"
                     "\"autonomousSystemNumber\":%u,\"authenticationRequirement\":\"singleFactorAuthentication\"}",
                     (unsigned)rn(0xffffffff), (unsigned long long)nx() & 0xffffffffffffULL, tb, e.user,
                     user, e.user, e.ua < 0 ? "Office 365 Exchange Online" : apps[e.ua], ip, e.code,
                     e.code ? ",\"failureReason\":\"" : "", e.code ? fail : "", e.code ? "\"" : "",
                     client, ua, (unsigned)rn(0xffffffff), (unsigned long long)nx() & 0xffffffffffffULL,
                     (unsigned)rn(0xffffffff), e.ua == 0 || e.ua == 1 ? "true" : "false", rn(300),
                     8075 + (e.ip >> 24));
        if (graph) {
            fwrite(props, 1, (size_t)k, stdout);
            putchar('\n');
            continue;
        }
        k = snprintf(line, sizeof line,
                     "{\"time\":\"%s4567Z\",\"resourceId\":\"/tenants/4bbb79f7-5724-4c9e-95f3-de075f6ec090/"
                     "providers/Microsoft.aadiam\",\"operationName\":\"Sign-in activity\",\"operationVersion\":"
                     "\"1.0\",\"category\":\"%s\",\"tenantId\":\"4bbb79f7-5724-4c9e-95f3-de075f6ec090\","
                     "\"resultType\":\"%d\",\"resultSignature\":\"None\",\"resultDescription\":\"%s\","
                     "\"durationMs\":0,\"callerIpAddress\":\"%s\",\"correlationId\":\"%08x-aaaa-bbbb-cccc-"
                     "000000000000\",\"identity\":\"User %05u\",\"Level\":4,\"location\":\"US\","
                     "\"properties\":%s}\n",
                     tb, e.ua == 3 ? "NonInteractiveUserSignInLogs" : "SignInLogs", e.code,
                     e.code ? fail : "", ip, (unsigned)rn(0xffffffff), e.user, props);
        fwrite(line, 1, (size_t)k, stdout);
    }
}

static void gen_okta(uint64_t n)
{
    char ip[20], tb[40];
    for (uint64_t i = 0; i < n; i++) {
        gev e = next_event(i, n);
        ipstr(e.ip, ip);
        vg_time_format_rfc3339(e.t, true, tb);
        const char *res = e.code == 0 || e.code == 50140 ? "SUCCESS" : "FAILURE";
        printf("{\"actor\":{\"alternateId\":\"user%05u@contoso.example\",\"displayName\":\"User %05u\","
               "\"id\":\"00u%08x\",\"type\":\"User\"},\"authenticationContext\":{\"externalSessionId\":"
               "\"102%012llx\"},\"client\":{\"device\":\"Computer\",\"geographicalContext\":{\"city\":"
               "\"Dublin\",\"country\":\"United States\",\"geolocation\":{\"lat\":37.72,\"lon\":-121.91}},"
               "\"ipAddress\":\"%s\",\"userAgent\":{\"browser\":\"CHROME\",\"os\":\"Windows 10\","
               "\"rawUserAgent\":\"%s\"},\"zone\":\"null\"},\"debugContext\":{\"debugData\":{\"requestId\":"
               "\"X%015llx\",\"requestUri\":\"/api/v1/authn\",\"threatSuspected\":\"false\"}},"
               "\"displayMessage\":\"User login to Okta\",\"eventType\":\"user.session.start\","
               "\"outcome\":{\"reason\":%s,\"result\":\"%s\"},\"published\":\"%s\",\"securityContext\":"
               "{\"asNumber\":%u,\"asOrg\":\"carrier\",\"isProxy\":false},\"severity\":\"INFO\","
               "\"transaction\":{\"detail\":{},\"id\":\"X%015llx\",\"type\":\"WEB\"},\"uuid\":"
               "\"%08x-4f67-11ea-abd3-1f5d113f2546\",\"version\":\"0\"}\n",
               e.user, e.user, e.user, (unsigned long long)nx() & 0xffffffffffffULL, ip,
               e.ua < 0 ? "python-requests/2.25" : uas[e.ua], (unsigned long long)nx() & 0xfffffffffffffffULL,
               e.code == 50126 || e.code == 50034 ? "\"INVALID_CREDENTIALS\"" : "null", res, tb,
               8075 + (e.ip >> 24), (unsigned long long)nx() & 0xfffffffffffffffULL, (unsigned)rn(0xffffffff));
    }
}

static void gen_sshd(uint64_t n)
{
    /* an internet-facing server: per attempt the lines sshd really writes; a
     * tenth of the attempts come in bursts of 100 from one of 50 scanners (what
     * per-address tools catch), the rest from ever-new addresses (what they
     * cannot) */
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const names[] = {"root", "admin", "test", "oracle", "postgres", "ubuntu", "git",
                                        "user", "pi", "support"};
    char ip[20];
    uint32_t pid = 10000;
    for (uint64_t i = 0; i < n; i++) {
        gev e = next_event(i, n);
        vg_tm tm;
        vg_time_to_civil(e.t, &tm);
        char ts[32];
        snprintf(ts, sizeof ts, "%s %2d %02d:%02d:%02d", mon[tm.month - 1], tm.day, tm.hour, tm.min, tm.sec);
        uint32_t src = e.code == 0 ? ((10u << 24) | (e.user % 50)) : ((200u << 24) | rn(1u << 20));
        if (i % 1000 < 100) { /* a classic burst: 100 attempts in a row from one scanner */
            e.code = 50126;
            src = (61u << 24) | ((uint32_t)(i / 1000 % 50) << 8) | 3;
        }
        ipstr(src, ip);
        pid++;
        unsigned port = 30000 + rn(30000);
        if (e.code == 0) {
            printf("%s bastion sshd[%u]: Accepted publickey for user%03u from %s port %u ssh2: RSA SHA256:abcdef\n"
                   "%s bastion sshd[%u]: pam_unix(sshd:session): session opened for user user%03u by (uid=0)\n",
                   ts, pid, e.user % 50, ip, port, ts, pid, e.user % 50);
            continue;
        }
        const char *u = names[rn(10)];
        if (rn(3) == 0) {
            printf("%s bastion sshd[%u]: Invalid user %s%u from %s port %u\n"
                   "%s bastion sshd[%u]: input_userauth_request: invalid user %s%u [preauth]\n"
                   "%s bastion sshd[%u]: pam_unix(sshd:auth): check pass; user unknown\n"
                   "%s bastion sshd[%u]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s\n"
                   "%s bastion sshd[%u]: Failed password for invalid user %s%u from %s port %u ssh2\n"
                   "%s bastion sshd[%u]: Received disconnect from %s port %u:11: Bye Bye [preauth]\n",
                   ts, pid, u, rn(100), ip, port, ts, pid, u, 0u, ts, pid, ts, pid, ip, ts, pid, u, rn(100),
                   ip, port, ts, pid, ip, port);
        } else {
            printf("%s bastion sshd[%u]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root\n"
                   "%s bastion sshd[%u]: Failed password for root from %s port %u ssh2\n"
                   "%s bastion sshd[%u]: Connection closed by authenticating user root %s port %u [preauth]\n",
                   ts, pid, ip, ts, pid, ip, port, ts, pid, ip, port);
        }
    }
}

static void gen_windows(uint64_t n)
{
    char ip[20], tb[40];
    for (uint64_t i = 0; i < n; i++) {
        gev e = next_event(i, n);
        ipstr(e.ip, ip);
        vg_time_format_rfc3339(e.t, true, tb);
        bool ok = e.code == 0 || e.code == 50140;
        printf("<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider "
               "Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"/>"
               "<EventID>%d</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode>"
               "<Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime=\"%s\"/><EventRecordID>%llu"
               "</EventRecordID><Correlation/><Execution ProcessID=\"760\" ThreadID=\"804\"/><Channel>Security"
               "</Channel><Computer>DC01.contoso.example</Computer><Security/></System><EventData>"
               "<Data Name=\"TargetUserName\">user%05u</Data><Data Name=\"TargetDomainName\">CONTOSO</Data>"
               "<Data Name=\"Status\">%s</Data><Data Name=\"SubStatus\">%s</Data><Data Name=\"LogonType\">3</Data>"
               "<Data Name=\"AuthenticationPackageName\">NTLM</Data><Data Name=\"WorkstationName\">WS%05u</Data>"
               "<Data Name=\"IpAddress\">%s</Data><Data Name=\"IpPort\">0</Data></EventData></Event>\n",
               ok ? 4624 : 4625, tb, (unsigned long long)i, e.user, ok ? "0x0" : "0xc000006d",
               e.code == 50034 ? "0xc0000064" : "0xc000006a", e.user, ip);
    }
}

static void gen_csv(uint64_t n)
{
    char ip[20], tb[40];
    puts("TimeGenerated [UTC],UserPrincipalName,ResultType,ResultDescription,IPAddress,AppDisplayName,"
         "ClientAppUsed,UserAgent,CorrelationId,Status,LocationDetails,IsInteractive,TenantId");
    for (uint64_t i = 0; i < n; i++) {
        gev e = next_event(i, n);
        ipstr(e.ip, ip);
        vg_time_format_rfc3339(e.t, true, tb);
        printf("%s,user%05u@contoso.example,%d,,%s,Office 365,%s,\"%s\",%08x-aaaa-bbbb-cccc-000000000000,"
               "\"{\"\"errorCode\"\":%d}\",\"{\"\"city\"\":\"\"Redmond\"\",\"\"countryOrRegion\"\":\"\"US\"\"}\","
               "%s,4bbb79f7-5724-4c9e-95f3-de075f6ec090\n",
               tb, e.user, e.code, ip, e.ua < 0 ? "Other clients" : clients[e.ua],
               e.ua < 0 ? "BAV2ROPC" : uas[e.ua], (unsigned)rn(0xffffffff), e.code,
               e.ua == 0 ? "true" : "false");
    }
}

/* ---- measuring --------------------------------------------------------------------------------- */

typedef struct counter {
    vg_cred_engine *eng;
    int64_t events;
} counter;

static int on_event(const vg_auth_event *ev, void *ud)
{
    counter *c = ud;
    c->events++;
    if (c->eng)
        vg_cred_engine_feed(c->eng, ev);
    return 0;
}

static void quiet(const char *f, int64_t l, const char *r, void *ud)
{
    (void)f;
    (void)l;
    (void)r;
    (void)ud;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int run_jansson(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return 3;
    double c0 = cpu_s(), w0 = wall_s();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t bytes = 0, recs = 0, bad = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        bytes += n;
        json_error_t e;
        json_t *j = json_loadb(line, (size_t)n, 0, &e);
        if (j) {
            recs++;
            json_decref(j);
        } else {
            bad++;
        }
    }
    free(line);
    double cpu = cpu_s() - c0, wall = wall_s() - w0;
    printf("mode=jansson bytes=%lld records=%lld bad=%lld cpu_s=%.2f wall_s=%.2f mb_per_s_core=%.1f "
           "records_per_s_core=%.0f peak_rss_mb=%ld\n",
           (long long)bytes, (long long)recs, (long long)bad, cpu, wall, bytes / 1e6 / cpu,
           recs / cpu, peak_rss_mb());
    if (f != stdin)
        fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "gen") == 0) {
        uint64_t n = strtoull(argv[3], NULL, 10);
        if (argc >= 5)
            rng ^= strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ULL;
        static char obuf[1 << 20];
        setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
        const char *f = argv[2];
        if (!strcmp(f, "entra"))
            gen_entra(n, false);
        else if (!strcmp(f, "graph"))
            gen_entra(n, true);
        else if (!strcmp(f, "okta"))
            gen_okta(n);
        else if (!strcmp(f, "sshd"))
            gen_sshd(n);
        else if (!strcmp(f, "windows"))
            gen_windows(n);
        else if (!strcmp(f, "csv"))
            gen_csv(n);
        else
            return 2;
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "jansson") == 0)
        return run_jansson(argv[2]);
    if (argc < 3 || (strcmp(argv[1], "parse") && strcmp(argv[1], "detect"))) {
        fprintf(stderr, "usage: bench_signins gen FORMAT N [SEED] | parse|detect|jansson FILE...\n");
        return 2;
    }
    bool detect = !strcmp(argv[1], "detect");
    vg_auth_config *cfg = vg_auth_config_new();
    vg_auth_config_set_year(cfg, 2020);
    vg_auth_reader *r = vg_auth_reader_new(cfg);
    vg_auth_reader_set_rejects(r, quiet, NULL);
    counter c = {detect ? vg_cred_engine_new(NULL, NULL) : NULL, 0};
    double c0 = cpu_s(), w0 = wall_s();
    vg_error e = {0};
    vg_auth_read_files(r, (const char *const *)argv + 2, (size_t)argc - 2, on_event, &c, &e);
    size_t findings = 0;
    vg_cred_stats cs = {0};
    if (c.eng) {
        vg_cred_engine_flush(c.eng);
        vg_findings fs = {0};
        vg_cred_engine_findings(c.eng, &fs);
        findings = fs.n;
        vg_findings_free(&fs);
        vg_cred_engine_stats(c.eng, &cs);
    }
    double cpu = cpu_s() - c0, wall = wall_s() - w0;
    const vg_auth_stats *st = vg_auth_reader_stats(r);
    printf("mode=%s bytes=%lld lines=%lld events=%lld rejected=%lld cpu_s=%.2f wall_s=%.2f "
           "mb_per_s_core=%.1f events_per_s_core=%.0f lines_per_s_core=%.0f peak_rss_mb=%ld "
           "findings=%zu state_entries=%zu\n",
           argv[1], (long long)st->bytes, (long long)st->lines, (long long)st->events,
           (long long)st->rejected, cpu, wall, st->bytes / 1e6 / cpu, st->events / cpu,
           st->lines / cpu, peak_rss_mb(), findings, cs.state_entries);
    vg_cred_engine_free(c.eng);
    vg_auth_reader_free(r);
    vg_auth_config_free(cfg);
    return 0;
}
