/* test_detect_cred_real.c — the credential detectors on real logs: the
 * Windows attack samples (Kerberos password spray 4768/4771 from one address
 * over ~10 accounts -> cred.spray; the AccountRestore 4625 brute force ->
 * cred.bruteforce; credential-dumping samples -> nothing) and the loghub
 * OpenSSH log (its most active attacking sources are reported as brute force
 * or spray). Skips (77) when the data is absent. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/auth.h"
#include "vigil/detect_cred.h"

static char root[4096];

static int feed(const vg_auth_event *ev, void *ud)
{
    vg_cred_engine_feed(ud, ev);
    return 0;
}

static void quiet(const char *f, int64_t l, const char *r, void *ud)
{
    (void)f;
    (void)l;
    (void)r;
    (void)ud;
}

static void run(const char *rel, vg_findings *out, bool print)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    vg_auth_config *cfg = vg_auth_config_new();
    vg_auth_config_set_year(cfg, 2015); /* loghub's year is not in the log; any fixed year */
    vg_auth_reader *r = vg_auth_reader_new(cfg);
    vg_auth_reader_set_rejects(r, quiet, NULL);
    vg_cred_engine *g = vg_cred_engine_new(NULL, NULL);
    vg_error e = {0};
    assert_int_equal(vg_auth_read_file(r, path, feed, g, &e), VG_OK);
    vg_cred_engine_flush(g);
    vg_cred_engine_findings(g, out);
    if (print)
        for (size_t i = 0; i < out->n; i++) {
            const vg_finding *f = out->v[i];
            fprintf(stderr, "  %s %-22s %-8s accounts=%lld ips=%lld attempts=%lld  %s\n", f->id,
                    f->kind, vg_severity_name(f->severity), (long long)f->counts.accounts,
                    (long long)f->counts.ips, (long long)f->counts.attempts,
                    f->reasons.n ? f->reasons.v[0] : "");
        }
    vg_cred_engine_free(g);
    vg_auth_reader_free(r);
    vg_auth_config_free(cfg);
}

static const vg_finding *with_kind_ip(const vg_findings *fs, const char *kind, const char *ip)
{
    for (size_t i = 0; i < fs->n; i++)
        if (!strcmp(fs->v[i]->kind, kind) && (!ip || vg_strlist_has(&fs->v[i]->roles.attacker_ips, ip)))
            return fs->v[i];
    return NULL;
}

static void test_kerberos_spray(void **state)
{
    (void)state;
    vg_findings fs = {0};
    run("evtx_attack_samples/xml/Credential Access/kerberos_pwd_spray_4771.xml", &fs, true);
    const vg_finding *f = with_kind_ip(&fs, "cred.spray", "172.16.66.1");
    assert_non_null(f);
    assert_true(f->counts.accounts >= 9);
    assert_true(vg_strlist_has(&f->entities.accounts, "administrator@threebeesco.com"));
    assert_true(vg_strlist_has(&f->attack, "T1110.003"));
    assert_null(with_kind_ip(&fs, "cred.bruteforce", NULL));
    /* "normal" got a TGT from the spraying address: its password was guessed */
    const vg_finding *c = with_kind_ip(&fs, "cred.compromise", "172.16.66.1");
    assert_non_null(c);
    assert_true(vg_strlist_has(&c->roles.compromised, "normal@threebeesco.com"));
    vg_findings_free(&fs);
}

static void test_4625_bruteforce(void **state)
{
    (void)state;
    vg_findings fs = {0};
    run("evtx_to_mitre_attack/xml/TA0006-Credential Access/T1110.xxx-Brut force/"
        "ID 4776,4625-AccountRestore local bruteforce.xml",
        &fs, true);
    assert_int_equal(fs.n, 2);
    for (size_t i = 0; i < fs.n; i++) {
        assert_string_equal(fs.v[i]->kind, "cred.bruteforce");
        assert_true(vg_strlist_has(&fs.v[i]->attack, "T1110.001"));
    }
    vg_findings_free(&fs);

    run("evtx_to_mitre_attack/xml/TA0006-Credential Access/T1110.xxx-Brut force/"
        "ID4771-Kerberos brutforce with valid user.xml",
        &fs, true);
    const vg_finding *f = with_kind_ip(&fs, "cred.bruteforce", "10.23.123.11");
    assert_non_null(f);
    assert_int_equal(f->counts.accounts, 1);
    vg_findings_free(&fs);
}

static void test_dumping_samples_are_quiet(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/evtx_attack_samples/xml/Credential Access", root);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".xml") || strstr(de->d_name, "pwd_spray"))
            continue;
        char rel[4400];
        snprintf(rel, sizeof rel, "evtx_attack_samples/xml/Credential Access/%s", de->d_name);
        vg_findings fs = {0};
        run(rel, &fs, false);
        if (fs.n)
            fprintf(stderr, "unexpected finding in %s: %s\n", de->d_name, fs.v[0]->kind);
        assert_int_equal(fs.n, 0);
        vg_findings_free(&fs);
        n++;
    }
    closedir(d);
    assert_true(n >= 30);
}

static void test_loghub_openssh(void **state)
{
    (void)state;
    if (!vg_test_shared("loghub_openssh"))
        skip();
    vg_findings fs = {0};
    fprintf(stderr, "findings on loghub OpenSSH_2k.log:\n");
    run("loghub_openssh/OpenSSH/OpenSSH_2k.log", &fs, true);
    /* its most active attacking sources (SOURCE.md: 183.62.140.253 580 lines,
     * 187.141.143.180 189, 103.99.0.122 126) */
    const char *top[] = {"183.62.140.253", "187.141.143.180", "103.99.0.122"};
    for (size_t i = 0; i < 3; i++) {
        const vg_finding *f = with_kind_ip(&fs, "cred.bruteforce", top[i]);
        if (!f)
            f = with_kind_ip(&fs, "cred.spray", top[i]);
        if (!f)
            fprintf(stderr, "%s is not reported\n", top[i]);
        assert_non_null(f);
    }
    /* the one successful login (fztu from 119.137.62.142) is not tied to any attack */
    assert_null(with_kind_ip(&fs, "cred.compromise", NULL));
    vg_findings_free(&fs);
}

int main(void)
{
    const char *a = vg_test_shared("evtx_attack_samples");
    const char *b = a ? vg_test_shared("evtx_to_mitre_attack") : NULL;
    if (!a || !b)
        return VG_TEST_SKIP;
    snprintf(root, sizeof root, "%s/..", b);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kerberos_spray),
        cmocka_unit_test(test_4625_bruteforce),
        cmocka_unit_test(test_dumping_samples_are_quiet),
        cmocka_unit_test(test_loghub_openssh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
