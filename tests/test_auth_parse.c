/* test_auth_parse.c — the sign-in parsers on small inline inputs: every
 * format and shape, field values, result codes, multi-line sshd attempts,
 * account normalization, organization mapping, rejects and ordering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/auth.h"
#include "vigil/yaml.h"

typedef struct got {
    vg_auth_events ev;
    char rejects[8192];
    int n_rej;
} got;

static int collect(const vg_auth_event *ev, void *ud)
{
    got *g = ud;
    if (!g->ev.arena)
        g->ev.arena = vg_arena_new(0);
    g->ev.v = vg_xgrow(g->ev.v, &g->ev.cap, g->ev.n + 1, sizeof *g->ev.v);
    g->ev.v[g->ev.n++] = *vg_auth_event_copy(g->ev.arena, ev);
    return 0;
}

static void on_rej(const char *file, int64_t line, const char *reason, void *ud)
{
    got *g = ud;
    size_t l = strlen(g->rejects);
    snprintf(g->rejects + l, sizeof g->rejects - l, "%s:%lld: %s\n", file, (long long)line, reason);
    g->n_rej++;
}

static void parse_cfg(const vg_auth_config *cfg, const char *text, got *g)
{
    memset(g, 0, sizeof *g);
    vg_auth_reader *r = vg_auth_reader_new(cfg);
    vg_auth_reader_set_rejects(r, on_rej, g);
    vg_auth_read_buffer(r, "t", text, strlen(text), collect, g, NULL);
    vg_auth_reader_free(r);
}

static void parse(const char *text, got *g) { parse_cfg(NULL, text, g); }

static void got_free(got *g) { vg_auth_events_free(&g->ev); }

static int64_t T(const char *s)
{
    int64_t t = 0;
    assert_int_equal(vg_time_parse_rfc3339(vg_str_from(s), &t), VG_OK);
    return t;
}

/* ---- Entra --------------------------------------------------------------------------------- */

static void test_entra_graph_page(void **state)
{
    (void)state;
    /* a pretty-printed Graph page, newest first, with a trailing comma */
    const char *page =
        "{\n"
        "  \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\n"
        "  \"value\": [\n"
        "    {\"createdDateTime\": \"2020-11-13T10:00:02.1234567Z\", \"userPrincipalName\": "
        "\"Alice@Helix.Example\",\n"
        "     \"ipAddress\": \"185.220.101.5\", \"clientAppUsed\": \"IMAP4\", \"isInteractive\": false,\n"
        "     \"status\": {\"errorCode\": 50126, \"failureReason\": \"Invalid username or password.\"},\n"
        "     \"correlationId\": \"c1\", \"appDisplayName\": \"Office 365 Exchange Online\",\n"
        "     \"location\": {\"countryOrRegion\": \"nl\"}, \"userAgent\": \"BAV2ROPC\", \"autonomousSystemNumber\": 208294},\n"
        "    {\"createdDateTime\": \"2020-11-13T10:00:01Z\", \"userPrincipalName\": \"bob@helix.example\",\n"
        "     \"ipAddress\": \"2001:db8:1:2:3:4:5:6\", \"status\": {\"errorCode\": 50076}},\n"
        "    {\"createdDateTime\": \"2020-11-13T10:00:00Z\", \"userPrincipalName\": "
        "\"carol_partner.example#EXT#@helix.onmicrosoft.com\",\n"
        "     \"ipAddress\": \"\", \"status\": {\"errorCode\": 0}},\n"
        "  ]\n"
        "}\n";
    got g;
    parse(page, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 3);
    /* delivered oldest first */
    assert_true(g.ev.v[0].time_ms < g.ev.v[1].time_ms && g.ev.v[1].time_ms < g.ev.v[2].time_ms);
    const vg_auth_event *c = &g.ev.v[0], *b = &g.ev.v[1], *a = &g.ev.v[2];
    assert_string_equal(c->account, "carol@partner.example");
    assert_true(c->account_flags & VG_ACCT_GUEST);
    assert_int_equal(c->ip.family, 0);
    assert_int_equal(c->result, VG_AUTH_SUCCESS);
    assert_int_equal(b->result, VG_AUTH_CREDENTIAL_VALID);
    assert_int_equal(b->ip.family, 6);
    assert_string_equal(a->account, "alice@helix.example");
    assert_string_equal(a->account_raw, "Alice@Helix.Example");
    assert_int_equal(a->result, VG_AUTH_BAD_PASSWORD);
    assert_string_equal(a->code, "50126");
    assert_int_equal(a->proto, VG_PROTO_IMAP);
    assert_int_equal(a->interactive, 0);
    assert_string_equal(a->country, "NL");
    assert_int_equal(a->asn, 208294);
    assert_string_equal(a->user_agent, "BAV2ROPC");
    assert_string_equal(a->org, "helix.example"); /* no tenant: the account's domain */
    assert_int_equal(a->time_ms, T("2020-11-13T10:00:02.123Z"));
    assert_int_equal(a->line, 4);
    assert_int_equal(a->format, VG_AUTH_FMT_ENTRA);
    got_free(&g);
}

static void test_entra_diagnostic_and_records(void **state)
{
    (void)state;
    const char *text =
        "{\"time\":\"2020-11-13T10:00:00.1234567Z\",\"category\":\"NonInteractiveUserSignInLogs\","
        "\"tenantId\":\"4F6C2A1E-0D5B-4C2E-9A51-7B1D3E8F9A20\",\"resultType\":\"50053\","
        "\"callerIpAddress\":\"198.51.100.7\",\"properties\":{\"userPrincipalName\":\"d@h.example\","
        "\"status\":{\"errorCode\":50053}}}\n"
        "{\"records\":[{\"time\":\"2020-11-13T09:00:00Z\",\"category\":\"SignInLogs\","
        "\"resultType\":\"50034\",\"properties\":{\"userPrincipalName\":\"nobody@h.example\","
        "\"ipAddress\":\"198.51.100.8\"}},{\"time\":\"2020-11-13T09:00:01Z\",\"category\":"
        "\"SignInLogs\",\"resultType\":\"50140\",\"properties\":{\"userPrincipalName\":"
        "\"e@h.example\",\"ipAddress\":\"198.51.100.9\"}}]}\n";
    got g;
    parse(text, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 3);
    assert_int_equal(g.ev.v[0].result, VG_AUTH_NO_SUCH_USER);
    assert_int_equal(g.ev.v[0].interactive, 1);
    assert_int_equal(g.ev.v[1].result, VG_AUTH_INTERRUPT);
    assert_int_equal(g.ev.v[2].result, VG_AUTH_LOCKED);
    assert_int_equal(g.ev.v[2].interactive, 0);
    assert_string_equal(g.ev.v[2].tenant_id, "4f6c2a1e-0d5b-4c2e-9a51-7b1d3e8f9a20");
    assert_string_equal(g.ev.v[2].org, "4f6c2a1e-0d5b-4c2e-9a51-7b1d3e8f9a20");
    assert_int_equal(g.ev.v[2].line, 1);
    assert_int_equal(g.ev.v[0].line, 2);
    got_free(&g);
}

static void test_entra_log_analytics(void **state)
{
    (void)state;
    /* JSON row with Status/LocationDetails as JSON strings (CSV-style export) */
    const char *row =
        "{\"TimeGenerated\":\"2020-11-13T10:00:00.1234567Z\",\"UserPrincipalName\":\"F@H.example\","
        "\"ResultType\":\"50126\",\"IPAddress\":\"203.0.113.4\",\"ClientAppUsed\":\"Exchange "
        "ActiveSync\",\"Status\":\"{\\\"errorCode\\\":50126,\\\"failureReason\\\":\\\"Invalid\\\"}\","
        "\"LocationDetails\":\"{\\\"countryOrRegion\\\":\\\"DE\\\"}\",\"TenantId\":\"t-1\","
        "\"UserAgent\":\"Apple-iPhone12C1/1802.3\",\"AutonomousSystemNumber\":3320}\n";
    got g;
    parse(row, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 1);
    const vg_auth_event *e = &g.ev.v[0];
    assert_string_equal(e->account, "f@h.example");
    assert_int_equal(e->result, VG_AUTH_BAD_PASSWORD);
    assert_int_equal(e->proto, VG_PROTO_ACTIVESYNC);
    assert_string_equal(e->country, "DE");
    assert_string_equal(e->reason, "Invalid");
    assert_int_equal(e->asn, 3320);
    got_free(&g);

    /* the CSV export of the same table */
    const char *csv =
        "TimeGenerated [UTC],UserPrincipalName,ResultType,IPAddress,Status,LocationDetails,ClientAppUsed\n"
        "\"11/13/2020, 10:00:00.123 AM\",g@h.example,50126,203.0.113.5,\"{\"\"errorCode\"\":50126}\","
        "\"{\"\"countryOrRegion\"\":\"\"FR\"\"}\",Browser\n"
        "2020-11-13T10:00:01.1234567Z,h@h.example,0,203.0.113.6,\"{\"\"errorCode\"\":0}\",,Mobile Apps and Desktop clients\n";
    parse(csv, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 2);
    assert_int_equal(g.ev.v[0].time_ms, T("2020-11-13T10:00:00.123Z"));
    assert_string_equal(g.ev.v[0].country, "FR");
    assert_int_equal(g.ev.v[0].proto, VG_PROTO_BROWSER);
    assert_int_equal(g.ev.v[1].result, VG_AUTH_SUCCESS);
    assert_int_equal(g.ev.v[1].proto, VG_PROTO_MODERN);
    assert_int_equal(g.ev.v[1].line, 3);
    got_free(&g);
}

static void test_entra_portal_csv(void **state)
{
    (void)state;
    const char *csv =
        "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,"
        "Application,IP address,Location,Status,Sign-in error code,Failure reason,Client app,"
        "Autonomous system  number\n"
        "2020-11-13T10:00:00Z,r1,python-requests/2.24,c1,u1,Alice,alice@helix.example,Member,"
        "Office 365,185.220.101.5,\"Amsterdam, Noord-Holland, NL\",Failure,50126,"
        "\"Error validating credentials due to invalid username or password.\",Other clients,208294\n";
    got g;
    parse(csv, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 1);
    const vg_auth_event *e = &g.ev.v[0];
    assert_string_equal(e->account, "alice@helix.example");
    assert_int_equal(e->result, VG_AUTH_BAD_PASSWORD);
    assert_string_equal(e->country, "NL");
    assert_int_equal(e->proto, VG_PROTO_LEGACY_OTHER);
    assert_int_equal(e->asn, 208294);
    assert_string_equal(e->user_agent, "python-requests/2.24");
    got_free(&g);
}

static void test_entra_codes(void **state)
{
    (void)state;
    assert_int_equal(vg_auth_entra_result(0), VG_AUTH_SUCCESS);
    assert_int_equal(vg_auth_entra_result(50126), VG_AUTH_BAD_PASSWORD);
    assert_int_equal(vg_auth_entra_result(50034), VG_AUTH_NO_SUCH_USER);
    assert_int_equal(vg_auth_entra_result(50053), VG_AUTH_LOCKED);
    const int64_t cv[] = {50074, 50076, 50079, 500121, 50158, 53003};
    for (size_t i = 0; i < sizeof cv / sizeof cv[0]; i++)
        assert_int_equal(vg_auth_entra_result(cv[i]), VG_AUTH_CREDENTIAL_VALID);
    const int64_t it[] = {50140, 50058, 16000, 50125, 50097, 81010, 70044, 700082};
    for (size_t i = 0; i < sizeof it / sizeof it[0]; i++)
        assert_int_equal(vg_auth_entra_result(it[i]), VG_AUTH_INTERRUPT);
    assert_int_equal(vg_auth_entra_result(123456789), VG_AUTH_OTHER_FAILURE);
    assert_non_null(vg_auth_entra_describe(50126));
    assert_null(vg_auth_entra_describe(123456789));
}

/* ---- Okta ---------------------------------------------------------------------------------- */

static void test_okta(void **state)
{
    (void)state;
    const char *text =
        "{\"published\":\"2020-11-13T10:00:00.000Z\",\"eventType\":\"user.session.start\","
        "\"actor\":{\"id\":\"00u1\",\"alternateId\":\"Ann@Org.example\",\"type\":\"User\"},"
        "\"client\":{\"ipAddress\":\"198.51.100.1\",\"userAgent\":{\"rawUserAgent\":\"UA1\"}},"
        "\"outcome\":{\"result\":\"FAILURE\",\"reason\":\"INVALID_CREDENTIALS\"},"
        "\"securityContext\":{\"asNumber\":64500},\"transaction\":{\"type\":\"WEB\",\"id\":\"x\"}}\n"
        "{\"published\":\"2020-11-13T10:00:01.000Z\",\"eventType\":\"user.session.start\","
        "\"actor\":{\"id\":\"unknown\",\"alternateId\":\"ghost@org.example\",\"displayName\":\"unknown\"},"
        "\"client\":{\"ipAddress\":\"198.51.100.1\"},\"outcome\":{\"result\":\"FAILURE\",\"reason\":"
        "\"INVALID_CREDENTIALS\"}}\n"
        "{\"published\":\"2020-11-13T10:00:02.000Z\",\"eventType\":\"user.session.start\","
        "\"actor\":{\"alternateId\":\"ann@org.example\"},\"client\":{\"ipAddress\":\"198.51.100.1\"},"
        "\"outcome\":{\"result\":\"FAILURE\",\"reason\":\"LOCKED_OUT\"}}\n"
        "{\"published\":\"2020-11-13T10:00:03.000Z\",\"eventType\":\"user.authentication.auth_via_mfa\","
        "\"actor\":{\"alternateId\":\"ann@org.example\"},\"client\":{\"ipAddress\":\"198.51.100.1\"},"
        "\"outcome\":{\"result\":\"FAILURE\"}}\n"
        "{\"published\":\"2020-11-13T10:00:04.000Z\",\"eventType\":\"user.session.end\","
        "\"actor\":{\"alternateId\":\"ann@org.example\"},\"outcome\":{\"result\":\"SUCCESS\"}}\n";
    got g;
    parse(text, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 4);
    assert_int_equal(g.ev.v[0].result, VG_AUTH_BAD_PASSWORD);
    assert_string_equal(g.ev.v[0].account, "ann@org.example");
    assert_int_equal(g.ev.v[0].asn, 64500);
    assert_int_equal(g.ev.v[0].proto, VG_PROTO_BROWSER);
    assert_int_equal(g.ev.v[1].result, VG_AUTH_NO_SUCH_USER);
    assert_int_equal(g.ev.v[2].result, VG_AUTH_LOCKED);
    assert_int_equal(g.ev.v[3].result, VG_AUTH_CREDENTIAL_VALID);
    assert_int_equal(g.ev.v[0].format, VG_AUTH_FMT_OKTA);
    got_free(&g);
}

/* ---- sshd ------------------------------------------------------------------------------------ */

static int64_t total_attempts(const got *g, vg_auth_result r)
{
    int64_t n = 0;
    for (size_t i = 0; i < g->ev.n; i++)
        if (g->ev.v[i].result == r)
            n += g->ev.v[i].repeat;
    return n;
}

static void test_sshd_attempts(void **state)
{
    (void)state;
    vg_auth_config *cfg = vg_auth_config_new();
    vg_auth_config_set_year(cfg, 2020);
    const char *log =
        /* one invalid-user attempt over 6 lines: counted once */
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n"
        "Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]\n"
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown\n"
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; "
        "logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 \n"
        "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from "
        "173.234.31.186 port 38926 ssh2\n"
        "Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 [preauth]\n"
        /* 1 + 5 repeated = 6 attempts, PAM's summary adds nothing */
        "Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; "
        "logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root\n"
        "Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2\n"
        "Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root "
        "from 5.36.59.76 port 42393 ssh2]\n"
        "Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]\n"
        "Dec 10 07:13:56 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 "
        "euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root\n"
        /* an invalid user with no Failed line: one attempt */
        "Dec 10 07:20:00 LabSZ sshd[24300]: Invalid user test from 10.0.0.9 port 4000\n"
        "Dec 10 07:20:01 LabSZ sshd[24300]: Connection closed by invalid user test 10.0.0.9 port 4000 [preauth]\n"
        /* a success, and noise */
        "Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2\n"
        "Dec 10 09:32:20 LabSZ sshd[24680]: pam_unix(sshd:session): session opened for user fztu by (uid=0)\n"
        "Dec 10 09:40:00 LabSZ sudo:     fztu : TTY=pts/0 ; PWD=/home/fztu ; USER=root ; COMMAND=/bin/ls\n"
        /* PAM-only system (no Failed lines): 1 + 2 more = 3 */
        "Dec 31 23:59:00 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 "
        "tty=NODEVssh ruser= rhost=218.188.2.4  user=root\n"
        "Dec 31 23:59:09 combo sshd(pam_unix)[19939]: 2 more authentication failures; logname= "
        "uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4  user=root\n"
        /* the year turns */
        "Jan  1 00:00:30 LabSZ sshd[99]: Failed password for admin from 198.51.100.3 port 1 ssh2\n";
    got g;
    parse_cfg(cfg, log, &g);
    fputs(g.rejects, stderr);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(total_attempts(&g, VG_AUTH_NO_SUCH_USER), 2);
    assert_int_equal(total_attempts(&g, VG_AUTH_SUCCESS), 1);
    int64_t root_pw = 0;
    for (size_t i = 0; i < g.ev.n; i++)
        if (!strcmp(g.ev.v[i].account, "root@labsz") && g.ev.v[i].result == VG_AUTH_BAD_PASSWORD)
            root_pw += g.ev.v[i].repeat;
    assert_int_equal(root_pw, 6);
    int64_t combo = 0;
    for (size_t i = 0; i < g.ev.n; i++)
        if (!strcmp(g.ev.v[i].account, "root@combo"))
            combo += g.ev.v[i].repeat;
    assert_int_equal(combo, 3);
    const vg_auth_event *last = &g.ev.v[g.ev.n - 1];
    assert_string_equal(last->account, "admin@labsz");
    assert_int_equal(last->time_ms, T("2021-01-01T00:00:30Z"));
    assert_int_equal(g.ev.v[0].time_ms, T("2020-12-10T06:55:48Z"));
    assert_string_equal(g.ev.v[0].org, "labsz");
    assert_int_equal(g.ev.v[0].proto, VG_PROTO_SSH);
    got_free(&g);
    vg_auth_config_free(cfg);
}

static void test_sshd_other_forms(void **state)
{
    (void)state;
    const char *text =
        "<38>1 2020-11-13T10:00:00.123Z gw sshd 4242 - - Failed password for alice from "
        "2001:db8::7 port 22 ssh2\n"
        "<38>1 2020-11-13T10:00:01Z gw sshd 4243 - [meta x=\"]\"] Accepted publickey for bob "
        "from 198.51.100.2 port 22 ssh2: ED25519 SHA256:abc\n"
        "2020-11-13T10:00:02+0000 gw sshd[77]: Failed password for carol from 198.51.100.3 port 2 ssh2\n"
        "{\"__REALTIME_TIMESTAMP\":\"1605261603000000\",\"_HOSTNAME\":\"gw\",\"SYSLOG_IDENTIFIER\":"
        "\"sshd\",\"_PID\":\"78\",\"MESSAGE\":\"Failed password for dave from 198.51.100.4 port 2 ssh2\"}\n"
        "__CURSOR=s=1\n__REALTIME_TIMESTAMP=1605261604000000\n_HOSTNAME=gw\nSYSLOG_IDENTIFIER=sshd\n"
        "_PID=79\nMESSAGE=Failed password for erin from 198.51.100.5 port 2 ssh2\n\n";
    got g;
    parse(text, &g);
    fputs(g.rejects, stderr);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 5);
    assert_string_equal(g.ev.v[0].account, "alice@gw");
    assert_int_equal(g.ev.v[0].ip.family, 6);
    assert_int_equal(g.ev.v[0].time_ms, T("2020-11-13T10:00:00.123Z"));
    assert_int_equal(g.ev.v[1].result, VG_AUTH_SUCCESS);
    assert_string_equal(g.ev.v[2].account, "carol@gw");
    assert_string_equal(g.ev.v[3].account, "dave@gw");
    assert_int_equal(g.ev.v[3].time_ms, T("2020-11-13T10:00:03Z"));
    assert_string_equal(g.ev.v[4].account, "erin@gw");
    got_free(&g);
}

/* ---- Windows --------------------------------------------------------------------------------- */

#define EVT_HEAD(id, time)                                                                          \
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider "     \
    "Name=\"Microsoft-Windows-Security-Auditing\"/><EventID>" id "</EventID><TimeCreated "        \
    "SystemTime=\"" time "\"/><Computer>DC1.corp.example</Computer></System><EventData>"
#define EVT_TAIL "</EventData></Event>"

static void test_windows_xml(void **state)
{
    (void)state;
    const char *xml =
        "<Events>\n" EVT_HEAD("4625", "2020-11-13T10:00:00.1234567Z")
        "<Data Name=\"TargetUserName\">jdoe</Data><Data Name=\"TargetDomainName\">CORP</Data>"
        "<Data Name=\"Status\">0xc000006d</Data><Data Name=\"SubStatus\">0xC0000064</Data>"
        "<Data Name=\"LogonType\">3</Data><Data Name=\"IpAddress\">-</Data>"
        "<Data Name=\"WorkstationName\">KALI</Data>" EVT_TAIL "\n"
        EVT_HEAD("4771", "2020-11-13T10:00:01Z")
        "<Data Name=\"TargetUserName\">svc-sql</Data><Data Name=\"ServiceName\">krbtgt/CORP.EXAMPLE</Data>"
        "<Data Name=\"Status\">0x18</Data><Data Name=\"IpAddress\">::ffff:10.1.2.3</Data>" EVT_TAIL
        "\n" EVT_HEAD("4768", "2020-11-13T10:00:02Z")
        "<Data Name=\"TargetUserName\">nobody</Data><Data Name=\"TargetDomainName\">CORP.EXAMPLE</Data>"
        "<Data Name=\"Status\">0x00000006</Data><Data Name=\"IpAddress\">::ffff:10.1.2.3</Data>"
        EVT_TAIL "\n" EVT_HEAD("4776", "2020-11-13T10:00:03Z")
        "<Data Name=\"TargetUserName\">WS042$</Data><Data Name=\"Workstation\">WS042</Data>"
        "<Data Name=\"Status\">0xc000006a</Data>" EVT_TAIL "\n"
        EVT_HEAD("4624", "2020-11-13T10:00:04Z")
        "<Data Name=\"TargetUserName\">SYSTEM</Data><Data Name=\"LogonType\">5</Data>" EVT_TAIL "\n"
        EVT_HEAD("4624", "2020-11-13T10:00:05Z")
        "<Data Name=\"TargetUserName\">jdoe</Data><Data Name=\"TargetDomainName\">CORP</Data>"
        "<Data Name=\"LogonType\">10</Data><Data Name=\"IpAddress\">10.9.9.9</Data>" EVT_TAIL "\n"
        "</Events>\n";
    got g;
    parse(xml, &g);
    fputs(g.rejects, stderr);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 5);
    assert_string_equal(g.ev.v[0].account, "jdoe@corp");
    assert_int_equal(g.ev.v[0].result, VG_AUTH_NO_SUCH_USER);
    assert_string_equal(g.ev.v[0].code, "0xc000006d/0xC0000064");
    assert_int_equal(g.ev.v[0].ip.family, 0);
    assert_string_equal(g.ev.v[0].source_host, "kali");
    assert_string_equal(g.ev.v[1].account, "svc-sql@corp.example");
    assert_int_equal(g.ev.v[1].result, VG_AUTH_BAD_PASSWORD);
    assert_int_equal(g.ev.v[1].proto, VG_PROTO_KERBEROS);
    assert_int_equal(g.ev.v[1].ip.family, 4);
    assert_int_equal(g.ev.v[2].result, VG_AUTH_NO_SUCH_USER);
    assert_true(g.ev.v[3].account_flags & VG_ACCT_MACHINE);
    assert_int_equal(g.ev.v[3].proto, VG_PROTO_NTLM);
    assert_int_equal(g.ev.v[4].result, VG_AUTH_SUCCESS);
    assert_int_equal(g.ev.v[4].proto, VG_PROTO_RDP);
    assert_int_equal(g.ev.v[4].interactive, 1);
    assert_string_equal(g.ev.v[4].host, "dc1.corp.example");
    got_free(&g);
}

static void test_windows_json(void **state)
{
    (void)state;
    const char *text =
        "{\"@timestamp\":\"2020-11-13T10:00:00.000Z\",\"event\":{\"code\":\"4625\"},\"winlog\":"
        "{\"event_id\":4625,\"computer_name\":\"FS1\",\"event_data\":{\"TargetUserName\":\"admin\","
        "\"TargetDomainName\":\"FS1\",\"Status\":\"0xc000006d\",\"SubStatus\":\"0xc000006a\","
        "\"LogonType\":\"3\",\"IpAddress\":\"203.0.113.9\",\"AuthenticationPackageName\":\"NTLM\"}}}\n"
        "{\"EventID\":4625,\"TimeCreated\":\"2020-11-13 10:00:01\",\"Computer\":\"FS1\","
        "\"TargetUserName\":\"admin\",\"Status\":\"0xC0000234\",\"IpAddress\":\"203.0.113.9\"}\n"
        "{\"EventID\":4634,\"TimeCreated\":\"2020-11-13 10:00:02\",\"Computer\":\"FS1\","
        "\"TargetUserName\":\"admin\"}\n";
    got g;
    parse(text, &g);
    fputs(g.rejects, stderr);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 2);
    assert_string_equal(g.ev.v[0].account, "admin@fs1");
    assert_int_equal(g.ev.v[0].result, VG_AUTH_BAD_PASSWORD);
    assert_int_equal(g.ev.v[0].proto, VG_PROTO_NTLM);
    assert_int_equal(g.ev.v[1].result, VG_AUTH_LOCKED);
    assert_string_equal(g.ev.v[1].org, "fs1");
    got_free(&g);
}

/* ---- generic --------------------------------------------------------------------------------- */

static void test_generic_field_map(void **state)
{
    (void)state;
    const char *yaml = "organizations:\n"
                       "  - id: helix\n"
                       "    domains: [helixbio.example]\n"
                       "    tenant_ids: [T-1]\n"
                       "    hosts: [vpn1]\n"
                       "signins:\n"
                       "  field_map:\n"
                       "    time: ts\n"
                       "    user: who.name\n"
                       "    ip: src_ip\n"
                       "    result: outcome\n"
                       "    success_values: [ok]\n"
                       "    host: device\n";
    vg_error e = {0};
    vg_yaml_doc *doc = vg_yaml_load_string(yaml, strlen(yaml), "c.yaml", &e);
    assert_non_null(doc);
    vg_auth_config *cfg = vg_auth_config_new();
    assert_int_equal(vg_auth_config_load(cfg, vg_yaml_root(doc), &e), VG_OK);
    const char *text = "{\"ts\":\"2020-11-13T10:00:00Z\",\"who\":{\"name\":\"X@HelixBio.example\"},"
                       "\"src_ip\":\"192.0.2.1\",\"outcome\":\"ok\"}\n"
                       "{\"ts\":1605261601,\"who\":{\"name\":\"y\"},\"src_ip\":\"192.0.2.1\","
                       "\"outcome\":\"nope\",\"device\":\"VPN1.helixbio.example\"}\n"
                       "{\"ts\":\"2020-11-13T10:00:02Z\",\"other\":1}\n";
    got g;
    parse_cfg(cfg, text, &g);
    assert_int_equal(g.ev.n, 2);
    assert_int_equal(g.n_rej, 1);
    assert_string_equal(g.ev.v[0].org, "helix");
    assert_int_equal(g.ev.v[0].result, VG_AUTH_SUCCESS);
    assert_int_equal(g.ev.v[0].format, VG_AUTH_FMT_JSONL);
    assert_string_equal(g.ev.v[1].org, "helix"); /* by host */
    assert_int_equal(g.ev.v[1].result, VG_AUTH_BAD_PASSWORD);
    got_free(&g);
    const char *csv = "ts,who.name,src_ip,outcome\n2020-11-13T10:00:00Z,z@helixbio.example,192.0.2.9,ok\n";
    parse_cfg(cfg, csv, &g);
    assert_int_equal(g.n_rej, 0);
    assert_int_equal(g.ev.n, 1);
    assert_int_equal(g.ev.v[0].format, VG_AUTH_FMT_CSV);
    got_free(&g);
    /* org mapping: tenant first */
    assert_string_equal(vg_auth_config_org_for(cfg, "t-1", NULL, NULL), "helix");
    assert_string_equal(vg_auth_config_org_for(cfg, NULL, "mail.helixbio.example", NULL), "helix");
    assert_string_equal(vg_auth_config_org_for(cfg, NULL, "helixbio", NULL), "helix"); /* NetBIOS */
    assert_null(vg_auth_config_org_for(cfg, NULL, "other.example", "ssh-gw"));
    vg_auth_config_free(cfg);
    vg_yaml_free(doc);
}

/* ---- accounts ---------------------------------------------------------------------------------- */

static void check_acct(const char *raw, const char *dflt, const char *want, uint32_t want_flags)
{
    vg_arena *a = vg_arena_new(0);
    const char *acct, *dom;
    uint32_t fl;
    assert_true(vg_auth_normalize_account(a, vg_str_from(raw), dflt, &acct, &dom, &fl));
    assert_string_equal(acct, want);
    assert_int_equal(fl & (VG_ACCT_GUEST | VG_ACCT_MACHINE), want_flags);
    vg_arena_free(a);
}

static void test_accounts(void **state)
{
    (void)state;
    check_acct("Alice@Helix.Example", NULL, "alice@helix.example", 0);
    check_acct("HELIX\\Alice", NULL, "alice@helix", 0);
    check_acct("alice_partner.example#EXT#@helix.onmicrosoft.com", NULL, "alice@partner.example",
               VG_ACCT_GUEST);
    check_acct("john_doe_partner.example#EXT#@h.onmicrosoft.com", NULL, "john_doe@partner.example",
               VG_ACCT_GUEST);
    check_acct("WS042$", "corp", "ws042$@corp", VG_ACCT_MACHINE);
    check_acct("root", "LabSZ", "root@labsz", 0);
    check_acct("\xef\xbc\xa1\xef\xbd\x8c\xef\xbd\x89\xef\xbd\x83\xef\xbd\x85@helix.example", NULL,
               "alice@helix.example", 0); /* full-width ＡＬＩＣＥ: NFKC */
    check_acct("STRASSE@X.example", NULL, "strasse@x.example", 0);
    check_acct("Straße@x.example", NULL, "strasse@x.example", 0); /* case fold */
    vg_arena *a = vg_arena_new(0);
    const char *acct, *dom;
    uint32_t fl;
    assert_false(vg_auth_normalize_account(a, vg_str_from("-"), NULL, &acct, &dom, &fl));
    assert_false(vg_auth_normalize_account(a, vg_str_from(""), NULL, &acct, &dom, &fl));
    assert_false(vg_auth_normalize_account(a, vg_str_make("a\0b", 3), NULL, &acct, &dom, &fl));
    vg_arena_free(a);
}

/* ---- bad input ----------------------------------------------------------------------------------- */

static void test_rejects(void **state)
{
    (void)state;
    const char *text =
        "{\"createdDateTime\":\"2020-11-13T10:00:00Z\",\"userPrincipalName\":\"a@b.c\",\"status\":{\"errorCode\":0}}\n"
        "{\"createdDateTime\":\"2020-11-13T10:00:00Z\",\"userPrincipalName\":\"a@b.c\",\"status\":{\"errorCode\":0\n"
        "{\"createdDateTime\":\"2020-11-13T10:00:01Z\",\"userPrincipalName\":\"a@b.c\",\"status\":{\"errorCode\":0}}\n"
        "{\"hello\":\"world\"}\n"
        "{\"createdDateTime\":\"yesterday\",\"userPrincipalName\":\"a@b.c\",\"status\":{\"errorCode\":0}}\n"
        "{\"createdDateTime\":\"2020-11-13T10:00:02Z\",\"userPrincipalName\":\"a@b.c\",\"ipAddress\":\"999.1.1.1\",\"status\":{\"errorCode\":0}}\n"
        "{\"createdDateTime\":\"2020-11-13T10:00:03Z\",\"status\":{\"errorCode\":0}}\n"
        "\x01\x02\xff\xfe garbage\n"
        "[1, 2]\n"
        "{\"createdDateTime\":\"2020-11-13T10:00:04Z\",\"userPrincipalName\":\"a@b.c\",\"status\":{\"errorCode\":0}}\n";
    got g;
    parse(text, &g);
    fputs(g.rejects, stderr);
    assert_int_equal(g.ev.n, 3);
    assert_int_equal(g.n_rej, 8);
    assert_non_null(strstr(g.rejects, "t:2: invalid JSON"));
    assert_non_null(strstr(g.rejects, "t:4: JSON record matches no known sign-in shape"));
    assert_non_null(strstr(g.rejects, "t:5: bad timestamp 'yesterday'"));
    assert_non_null(strstr(g.rejects, "t:6: invalid IP address '999.1.1.1'"));
    assert_non_null(strstr(g.rejects, "t:7: Entra record without a user"));
    assert_non_null(strstr(g.rejects, "t:8: "));
    got_free(&g);

    /* an overlong line and NUL bytes */
    size_t n = VG_AUTH_MAX_LINE + 100;
    static const char tail[] =
        "\n\0x\nDec 10 06:55:46 h sshd[1]: Failed password for r from 1.2.3.4 port 1 ssh2\n";
    char *big = vg_xmalloc(n + sizeof tail);
    memset(big, 'a', n);
    memcpy(big + n, tail, sizeof tail - 1);
    got g2;
    memset(&g2, 0, sizeof g2);
    vg_auth_reader *r = vg_auth_reader_new(NULL);
    vg_auth_reader_set_rejects(r, on_rej, &g2);
    vg_auth_read_buffer(r, "big", big, n + sizeof tail - 1, collect, &g2, NULL);
    const vg_auth_stats *st = vg_auth_reader_stats(r);
    assert_int_equal(st->rejected, 2);
    assert_int_equal(st->events, 1);
    vg_auth_reader_free(r);
    got_free(&g2);
    free(big);
}

/* ---- ordering, sniffing, time --------------------------------------------------------------- */

static void test_sorting_and_merge(void **state)
{
    (void)state;
    /* 30000 events newest first: delivered oldest first */
    vg_buf b;
    vg_buf_init(&b, 0);
    for (int i = 30000; i > 0; i--)
        vg_buf_printf(&b, "{\"createdDateTime\":\"%lld\",\"userPrincipalName\":\"u%d@x.example\","
                          "\"status\":{\"errorCode\":0}}\n",
                      1605261600LL + i, i % 7);
    got g;
    parse(b.p, &g);
    assert_int_equal(g.ev.n, 30000);
    for (size_t i = 1; i < g.ev.n; i++)
        assert_true(g.ev.v[i - 1].time_ms <= g.ev.v[i].time_ms);
    got_free(&g);
    vg_buf_free(&b);

    /* two files interleaved in time: one timeline */
    const char *dir = vg_test_tmpdir();
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/a.log", dir);
    snprintf(p2, sizeof p2, "%s/b.jsonl", dir);
    FILE *f1 = fopen(p1, "w"), *f2 = fopen(p2, "w");
    for (int i = 0; i < 50; i++) {
        fprintf(f1, "2020-11-13T10:%02d:00+0000 h sshd[%d]: Failed password for r from 1.2.3.4 port 1 ssh2\n", i, i);
        fprintf(f2, "{\"createdDateTime\":\"2020-11-13T10:%02d:30Z\",\"userPrincipalName\":\"u@x.example\",\"status\":{\"errorCode\":50126}}\n", i);
    }
    fclose(f1);
    fclose(f2);
    const char *paths[] = {p1, p2, "/nonexistent/file"};
    memset(&g, 0, sizeof g);
    vg_auth_reader *r = vg_auth_reader_new(NULL);
    vg_error e = {0};
    assert_int_equal(vg_auth_read_files(r, paths, 3, collect, &g, &e), VG_EIO);
    assert_non_null(strstr(e.msg, "/nonexistent/file"));
    assert_int_equal(g.ev.n, 100);
    for (size_t i = 1; i < g.ev.n; i++) {
        assert_true(g.ev.v[i - 1].time_ms <= g.ev.v[i].time_ms);
        assert_int_not_equal(g.ev.v[i - 1].format, g.ev.v[i].format);
    }
    vg_auth_reader_free(r);
    got_free(&g);
}

static void test_sniff(void **state)
{
    (void)state;
    const char *entra = "{\"time\":\"2020-11-13T10:00:00Z\",\"category\":\"SignInLogs\",\"properties\":{}}\n";
    const char *okta = "{\"published\":\"2020-11-13T10:00:00Z\",\"eventType\":\"user.session.end\",\"actor\":{}}\n";
    const char *sshd = "Dec 10 06:55:46 LabSZ sshd[24200]: Connection closed by 1.2.3.4 [preauth]\n";
    const char *xml = "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n<System>\n";
    const char *mail = "From: a@b.c\nTo: d@e.f\nSubject: hi\n\nbody\n";
    const char *sudo = "Dec 10 06:55:46 h sudo: x : TTY=pts/0 ; COMMAND=/bin/ls\n";
    assert_int_equal(vg_auth_sniff(NULL, entra, strlen(entra)), VG_AUTH_FMT_ENTRA);
    assert_int_equal(vg_auth_sniff(NULL, okta, strlen(okta)), VG_AUTH_FMT_OKTA);
    assert_int_equal(vg_auth_sniff(NULL, sshd, strlen(sshd)), VG_AUTH_FMT_SSHD);
    assert_int_equal(vg_auth_sniff(NULL, xml, strlen(xml)), VG_AUTH_FMT_WINDOWS);
    assert_int_equal(vg_auth_sniff(NULL, mail, strlen(mail)), VG_AUTH_FMT_UNKNOWN);
    assert_int_equal(vg_auth_sniff(NULL, sudo, strlen(sudo)), VG_AUTH_FMT_UNKNOWN);
    assert_int_equal(vg_auth_sniff(NULL, "\0\1\2", 3), VG_AUTH_FMT_UNKNOWN);
}

static void test_time_forms(void **state)
{
    (void)state;
    /* the spellings of elastic's test-time-formats-corner-cases.log, as full records */
    static const struct {
        const char *s;
        const char *want;
    } cases[] = {
        {"01/09/2007 09:41:00", "2007-01-09T09:41:00Z"},
        {"1/9/2007 09:41:00", "2007-01-09T09:41:00Z"},
        {"01/09/2007 09:41:00 AM", "2007-01-09T09:41:00Z"},
        {"1/9/2007 9:41:00 PM", "2007-01-09T21:41:00Z"},
        {"1/9/2007 10:41:00 AM +01:00", "2007-01-09T09:41:00Z"},
        {"2007-01-09T09:41:00", "2007-01-09T09:41:00Z"},
        {"2007-01-09T09:41:00.22Z", "2007-01-09T09:41:00.220Z"},
        {"2007-01-09T09:41:00.6816663Z", "2007-01-09T09:41:00.681Z"},
        {"2007-01-09T09:41:00.535404056Z", "2007-01-09T09:41:00.535Z"},
        {"2007-01-09T09:41:00.992099+00:00", "2007-01-09T09:41:00.992Z"},
        {"2007-01-09T11:41:00+02:00", "2007-01-09T09:41:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rec[256];
        snprintf(rec, sizeof rec,
                 "{\"time\":\"%s\",\"category\":\"SignInLogs\",\"resultType\":\"0\","
                 "\"properties\":{\"userPrincipalName\":\"a@b.c\"}}\n",
                 cases[i].s);
        got g;
        parse(rec, &g);
        assert_int_equal(g.ev.n, 1);
        assert_int_equal(g.ev.v[0].time_ms, T(cases[i].want));
        got_free(&g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entra_graph_page),   cmocka_unit_test(test_entra_diagnostic_and_records),
        cmocka_unit_test(test_entra_log_analytics), cmocka_unit_test(test_entra_portal_csv),
        cmocka_unit_test(test_entra_codes),        cmocka_unit_test(test_okta),
        cmocka_unit_test(test_sshd_attempts),      cmocka_unit_test(test_sshd_other_forms),
        cmocka_unit_test(test_windows_xml),        cmocka_unit_test(test_windows_json),
        cmocka_unit_test(test_generic_field_map),  cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_rejects),            cmocka_unit_test(test_sorting_and_merge),
        cmocka_unit_test(test_sniff),              cmocka_unit_test(test_time_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
