/* test_auth_samples.c — the parsers on real-schema samples in
 * ../shared/data/signin_samples (vendor and integrator fixtures: Entra
 * diagnostic records of every category, Graph API examples, Okta System Log,
 * Linux auth logs) and on the Windows attack samples: every record becomes an
 * event, a rejection with a reason, or a counted non-sign-in; chosen events
 * are checked field by field. Skips (77) when the data is absent. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/auth.h"

static const char *root;

typedef struct got {
    vg_auth_events ev;
    int n_rej;
    char last_rej[512];
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
    g->n_rej++;
    snprintf(g->last_rej, sizeof g->last_rej, "%s:%lld: %s", file, (long long)line, reason);
    assert_true(strlen(reason) > 5); /* a reason, not an empty string */
}

static vg_auth_stats read_one(const char *rel, got *g)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    memset(g, 0, sizeof *g);
    vg_auth_reader *r = vg_auth_reader_new(NULL);
    vg_auth_reader_set_rejects(r, on_rej, g);
    vg_error e = {0};
    assert_int_equal(vg_auth_read_file(r, path, collect, g, &e), VG_OK);
    vg_auth_stats st = *vg_auth_reader_stats(r);
    vg_auth_reader_free(r);
    assert_int_equal(st.rejected, g->n_rej);
    return st;
}

static const vg_auth_event *find(const got *g, const char *account, const char *code)
{
    for (size_t i = 0; i < g->ev.n; i++)
        if (!strcmp(g->ev.v[i].account, account) && (!code || !strcmp(g->ev.v[i].code, code)))
            return &g->ev.v[i];
    return NULL;
}

/* events, rejected, ignored for every sample file */
static void test_every_record_accounted(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int events, rejected, ignored;
    } t[] = {
        {"signin_samples/elastic_integrations/azure_signinlogs/test-adfs-signin.log", 1, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/"
         "test-alternative-time-and-duration-as-string.log", 1, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-created-datetime-timestamp.log",
         2, 0, 0},
        /* no result and no principal: rejected with a reason */
        {"signin_samples/elastic_integrations/azure_signinlogs/test-invalid-time.log", 0, 1, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-non-interactive-user-signin.log",
         1, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-non-interactive-user.log", 1, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-service-principal.log", 1, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-signinlogs-raw.log", 5, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-signinlogs-sample.log", 2, 0, 0},
        {"signin_samples/elastic_integrations/azure_signinlogs/test-signinlogs.log", 2, 0, 0},
        /* only time + category: every line rejected, none crashes */
        {"signin_samples/elastic_integrations/azure_signinlogs/test-time-formats-corner-cases.log", 0,
         11, 0},
        {"signin_samples/microsoft_graph_docs/signin-list.example1.response.json", 1, 0, 0},
        {"signin_samples/microsoft_graph_docs/signin-list.example1.response.strict.json", 1, 0, 0},
        {"signin_samples/microsoft_graph_docs/signin-list.example2.response.json", 1, 0, 0},
        {"signin_samples/elastic_integrations/okta_system/test-okta-system-events.excerpt.log", 4, 0,
         2},
        {"signin_samples/elastic_integrations/system_auth/test-auth-rhel79.log", 0, 0, 3},
        {"signin_samples/elastic_integrations/system_auth/test-auth.log", 5, 0, 7},
        {"signin_samples/elastic_integrations/system_auth/test-secure-rhel7.log", 3, 0, 4},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        got g;
        vg_auth_stats st = read_one(t[i].file, &g);
        if (st.events != t[i].events || st.rejected != t[i].rejected || st.ignored != t[i].ignored)
            fprintf(stderr, "%s: events %lld rejected %lld ignored %lld (%s)\n", t[i].file,
                    (long long)st.events, (long long)st.rejected, (long long)st.ignored,
                    g.last_rej);
        assert_int_equal(st.events, t[i].events);
        assert_int_equal(st.rejected, t[i].rejected);
        assert_int_equal(st.ignored, t[i].ignored);
        vg_auth_events_free(&g.ev);
    }
}

static void test_entra_fields(void **state)
{
    (void)state;
    got g;
    read_one("signin_samples/elastic_integrations/azure_signinlogs/test-signinlogs-sample.log", &g);
    const vg_auth_event *e = &g.ev.v[0];
    assert_string_equal(e->account, "mpliftrelastic20210901@outlook.com");
    char ip[VG_IP_STRLEN];
    vg_ip_format(&e->ip, ip);
    assert_string_equal(ip, "1.128.3.4");
    assert_int_equal(e->result, VG_AUTH_SUCCESS);
    assert_string_equal(e->code, "0");
    assert_string_equal(e->app, "Azure Portal");
    assert_int_equal(e->proto, VG_PROTO_BROWSER);
    assert_string_equal(e->country, "IN");
    assert_string_equal(e->tenant_id, "4bbb79f7-5724-4c9e-95f3-de075f6ec090");
    assert_string_equal(e->org, "4bbb79f7-5724-4c9e-95f3-de075f6ec090");
    assert_string_equal(e->correlation_id, "7532b99a-06da-4c23-91e5-0f062bc0dcb3");
    int64_t t;
    vg_time_parse_rfc3339(VG_STR("2022-01-24T05:10:08.681Z"), &t);
    assert_int_equal(e->time_ms, t);
    assert_int_equal(e->line, 1);
    vg_auth_events_free(&g.ev);

    read_one("signin_samples/elastic_integrations/azure_signinlogs/test-signinlogs.log", &g);
    e = find(&g, "test@elastic.co", NULL);
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_INTERRUPT); /* 50140 Keep me signed in */
    assert_string_equal(e->code, "50140");
    assert_int_equal(e->interactive, 0);
    vg_time_parse_rfc3339(VG_STR("2019-10-18T09:45:48.072Z"), &t); /* -05:00 offset applied */
    assert_int_equal(e->time_ms, t);
    vg_auth_events_free(&g.ev);

    read_one("signin_samples/elastic_integrations/azure_signinlogs/test-service-principal.log", &g);
    assert_int_equal(g.ev.v[0].result, VG_AUTH_OTHER_FAILURE);
    assert_string_equal(g.ev.v[0].code, "7000222");
    assert_true(g.ev.v[0].account_flags & VG_ACCT_SERVICE);
    vg_auth_events_free(&g.ev);

    read_one("signin_samples/elastic_integrations/azure_signinlogs/test-signinlogs-raw.log", &g);
    int non_interactive = 0;
    for (size_t i = 0; i < g.ev.n; i++)
        non_interactive += g.ev.v[i].interactive == 0;
    assert_int_equal(non_interactive, 5);
    vg_auth_events_free(&g.ev);

    read_one("signin_samples/microsoft_graph_docs/signin-list.example1.response.json", &g);
    e = &g.ev.v[0];
    assert_string_equal(e->account, "testaccount1@contoso.com");
    vg_ip_format(&e->ip, ip);
    assert_string_equal(ip, "131.107.159.37");
    assert_string_equal(e->app, "Graph explorer");
    assert_int_equal(e->interactive, 1);
    assert_string_equal(e->country, "US");
    assert_int_equal(e->line, 5);
    vg_auth_events_free(&g.ev);
}

static void test_okta_and_linux_fields(void **state)
{
    (void)state;
    got g;
    read_one("signin_samples/elastic_integrations/okta_system/test-okta-system-events.excerpt.log",
             &g);
    const vg_auth_event *e = find(&g, "xxxxxx@elastic.co", "SUCCESS");
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_SUCCESS);
    char ip[VG_IP_STRLEN];
    vg_ip_format(&e->ip, ip);
    assert_string_equal(ip, "175.16.199.1");
    assert_int_equal(e->format, VG_AUTH_FMT_OKTA);
    assert_string_equal(e->correlation_id, "102bZDNFfWaQSyEZQuDgWt-uQ");
    vg_auth_events_free(&g.ev);

    read_one("signin_samples/elastic_integrations/system_auth/test-auth.log", &g);
    e = find(&g, "root@slave22", NULL);
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_BAD_PASSWORD);
    vg_ip_format(&e->ip, ip);
    assert_string_equal(ip, "89.160.20.156");
    e = find(&g, "test@localhost-machine", NULL); /* PAM with a host name as rhost */
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_NO_SUCH_USER);
    assert_int_equal(e->ip.family, 0);
    assert_string_equal(e->source_host, "test.example.com");
    e = find(&g, "vagrant@localhost", "Accepted publickey");
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_SUCCESS);
    vg_auth_events_free(&g.ev);

    /* RHEL 7 tail: 1 Failed line + PAM's "4 more" = 5 attempts, plus one PAM-only */
    read_one("signin_samples/elastic_integrations/system_auth/test-secure-rhel7.log", &g);
    int64_t n = 0;
    for (size_t i = 0; i < g.ev.n; i++)
        n += g.ev.v[i].repeat;
    assert_int_equal(n, 6);
    vg_auth_events_free(&g.ev);
}

static void test_windows_samples(void **state)
{
    (void)state;
    if (!vg_test_shared("evtx_attack_samples") || !vg_test_shared("evtx_to_mitre_attack"))
        skip();
    got g;
    vg_auth_stats st =
        read_one("evtx_attack_samples/xml/Credential Access/kerberos_pwd_spray_4771.xml", &g);
    assert_int_equal(st.rejected, 0);
    assert_int_equal(st.events, 11); /* 9x 4768 + 2x 4771; the 1102 is ignored */
    assert_int_equal(st.ignored, 1);
    const vg_auth_event *e = find(&g, "hd01@threebeesco.com", NULL);
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_NO_SUCH_USER);
    assert_int_equal(e->proto, VG_PROTO_KERBEROS);
    char ip[VG_IP_STRLEN];
    vg_ip_format(&e->ip, ip);
    assert_string_equal(ip, "172.16.66.1");
    e = find(&g, "administrator@threebeesco.com", NULL);
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_BAD_PASSWORD); /* 4771 0x18 */
    e = find(&g, "normal@threebeesco.com", NULL);
    assert_non_null(e);
    assert_int_equal(e->result, VG_AUTH_SUCCESS);
    vg_auth_events_free(&g.ev);

    st = read_one("evtx_to_mitre_attack/xml/TA0006-Credential Access/T1110.xxx-Brut force/"
                  "ID 4776,4625-AccountRestore local bruteforce.xml",
                  &g);
    assert_int_equal(st.events, 16);
    for (size_t i = 0; i < g.ev.n; i++) {
        assert_int_equal(g.ev.v[i].result, VG_AUTH_BAD_PASSWORD); /* 0xc000006d / 0xc000006a */
        assert_int_equal(g.ev.v[i].ip.family, 0);                 /* IpAddress "-" */
    }
    vg_auth_events_free(&g.ev);

    /* TargetUserName "-": rejected with a reason, not dropped silently */
    st = read_one("evtx_to_mitre_attack/xml/TA0001-Initial access/T1078-Valid accounts/"
                  "ID4625-failed login with denied access due to account restriction.xml",
                  &g);
    assert_int_equal(st.rejected, 2);
    assert_non_null(strstr(g.last_rej, "without TargetUserName"));
    vg_auth_events_free(&g.ev);

    /* every XML sample parses without a reject (non-logon events are ignored) */
    const char *dirs[] = {"evtx_attack_samples/xml/Credential Access",
                          "evtx_to_mitre_attack/xml/TA0006-Credential Access/T1110.xxx-Brut force"};
    for (size_t d = 0; d < 2; d++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", root, dirs[d]);
        DIR *dir = opendir(path);
        assert_non_null(dir);
        struct dirent *de;
        int files = 0;
        while ((de = readdir(dir))) {
            size_t l = strlen(de->d_name);
            if (l < 5 || strcmp(de->d_name + l - 4, ".xml"))
                continue;
            char rel[1024];
            snprintf(rel, sizeof rel, "%s/%s", dirs[d], de->d_name);
            st = read_one(rel, &g);
            if (st.rejected)
                fprintf(stderr, "%s: %s\n", rel, g.last_rej);
            assert_int_equal(st.rejected, 0);
            vg_auth_events_free(&g.ev);
            files++;
        }
        closedir(dir);
        assert_true(files >= 10);
    }
}

static void test_loghub(void **state)
{
    (void)state;
    if (!vg_test_shared("loghub_openssh"))
        skip();
    got g;
    vg_auth_stats st = read_one("loghub_openssh/OpenSSH/OpenSSH_2k.log", &g);
    /* 2000 lines: every one an attempt, part of one, or a non-sign-in line */
    assert_int_equal(st.lines, 2000);
    assert_int_equal(st.rejected, 0);
    /* no line is lost: a few attempts (an "Invalid user" or PAM line with no
     * "Failed" line after it) are both a merged line and an event */
    assert_true(st.events + st.ignored + st.merged >= st.lines);
    assert_true(st.events + st.ignored + st.merged <= st.lines + 20);
    int64_t attempts = 0, success = 0;
    for (size_t i = 0; i < g.ev.n; i++) {
        if (g.ev.v[i].result == VG_AUTH_SUCCESS)
            success += g.ev.v[i].repeat;
        else
            attempts += g.ev.v[i].repeat;
    }
    fprintf(stderr, "OpenSSH_2k: %lld events, %lld failed attempts, %lld successes, %lld ignored, "
                    "%lld merged\n",
            (long long)st.events, (long long)attempts, (long long)success, (long long)st.ignored,
            (long long)st.merged);
    assert_int_equal(success, 1);
    /* 520 "Failed password" lines, some repeated by rsyslog, and a few PAM-only attempts */
    assert_true(attempts >= 520 && attempts <= 560);
    vg_auth_events_free(&g.ev);

    st = read_one("loghub_openssh/Linux/Linux_2k.log", &g);
    assert_int_equal(st.rejected, 0);
    assert_true(st.events > 100); /* sshd(pam_unix) authentication failures */
    vg_auth_events_free(&g.ev);
}

int main(void)
{
    root = vg_test_shared("signin_samples");
    if (!root)
        return VG_TEST_SKIP;
    static char base[4096];
    snprintf(base, sizeof base, "%s/..", root);
    root = base;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_record_accounted),
        cmocka_unit_test(test_entra_fields),
        cmocka_unit_test(test_okta_and_linux_fields),
        cmocka_unit_test(test_windows_samples),
        cmocka_unit_test(test_loghub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
