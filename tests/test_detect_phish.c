/* test_detect_phish.c — the phishing detectors: every rule with positive and
 * negative cases, the legitimate look-alikes that must stay clean (a brand's
 * own newsletter, LinkedIn InMail, list-forwarded mail, a WHO Collaborating
 * Centre, "who" as a word, a colleague's vaccine mail, a vendor invoice), the
 * 2020 lures (CERIUM, ZINC), verdict JSON and phish.* findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "testutil.h"
#include "vigil/detect_phish.h"
#include "vigil/yaml.h"

static vg_yaml_doc *cfg_doc;
static vg_phish_engine *eng;     /* with the fixture config (organization helix) */
static vg_phish_engine *bare;    /* built-in data only */

static const char *fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", vg_test_src("tests/fixtures/mail"), name);
    return path;
}

static int setup(void **state)
{
    (void)state;
    vg_error e;
    cfg_doc = vg_yaml_load_file(fixture("config.yaml"), &e);
    if (!cfg_doc) {
        fprintf(stderr, "config: %s\n", e.msg);
        return -1;
    }
    if (vg_phish_engine_new(&eng, vg_yaml_root(cfg_doc), &e) != VG_OK) {
        fprintf(stderr, "engine: %s\n", e.msg);
        return -1;
    }
    if (vg_phish_engine_new(&bare, NULL, &e) != VG_OK) {
        fprintf(stderr, "engine: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vg_phish_engine_free(eng);
    vg_phish_engine_free(bare);
    vg_yaml_free(cfg_doc);
    return 0;
}

static const vg_phish_result *analyze_file(vg_phish_engine *en, const char *name, vg_findings *f)
{
    char *data = NULL;
    size_t n;
    vg_error e;
    assert_int_equal(vg_file_read(fixture(name), 0, &data, &n, &e), VG_OK);
    const vg_phish_result *r = NULL;
    assert_int_equal(vg_phish_analyze(en, name, data, n, f, &r, &e), VG_OK);
    free(data);
    return r;
}

static const vg_phish_result *analyze(vg_phish_engine *en, const char *msg)
{
    const vg_phish_result *r = NULL;
    vg_error e;
    assert_int_equal(vg_phish_analyze(en, "test.eml", msg, strlen(msg), NULL, &r, &e), VG_OK);
    return r;
}

static bool has_rule(const vg_phish_result *r, const char *rule)
{
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strcmp(r->reasons[i].rule, rule) == 0)
            return true;
    }
    return false;
}

static const char *detail_of(const vg_phish_result *r, const char *rule)
{
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strcmp(r->reasons[i].rule, rule) == 0)
            return r->reasons[i].detail;
    }
    return "";
}

static void dump(const vg_phish_result *r)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_phish_result_write_text(r, &b);
    fprintf(stderr, "%s", b.p ? b.p : "");
    vg_buf_free(&b);
}

#define EXPECT_VERDICT(r, v)                                                                       \
    do {                                                                                           \
        if ((r)->verdict != (v))                                                                   \
            dump(r);                                                                               \
        assert_int_equal((r)->verdict, (v));                                                       \
    } while (0)

#define EXPECT_RULE(r, rule)                                                                       \
    do {                                                                                           \
        if (!has_rule((r), (rule))) {                                                              \
            dump(r);                                                                               \
            fail_msg("rule %s did not fire", (rule));                                              \
        }                                                                                          \
    } while (0)

#define EXPECT_NO_RULE(r, rule)                                                                    \
    do {                                                                                           \
        if (has_rule((r), (rule))) {                                                               \
            dump(r);                                                                               \
            fail_msg("rule %s fired", (rule));                                                     \
        }                                                                                          \
    } while (0)

/* ---- the 2020 lures -------------------------------------------------------------------------- */

static void test_cerium_who_lure(void **state)
{
    (void)state;
    const vg_phish_result *r = analyze_file(eng, "cerium_who_covid.eml", NULL);
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    EXPECT_RULE(r, "lookalike_sender");
    EXPECT_RULE(r, "brand_display_name");
    assert_non_null(strstr(detail_of(r, "lookalike_sender"), "who.int"));
    assert_non_null(strstr(detail_of(r, "lookalike_sender"), "w\xd2\xbbo.int")); /* shown in Unicode */
    assert_string_equal(r->impersonated, "World Health Organization");
    assert_string_equal(r->lure, "covid-19"); /* the theme id of data/actors.yaml */
    assert_string_equal(r->org, "helix");
}

static void test_zinc_recruiter_lure(void **state)
{
    (void)state;
    const vg_phish_result *r = analyze_file(eng, "zinc_recruiter_docm.eml", NULL);
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    EXPECT_RULE(r, "attachment_macro");
    EXPECT_RULE(r, "freemail_brand");
    assert_string_equal(r->impersonated, "Lockheed Martin");
    assert_string_equal(r->lure, "job-offer"); /* the theme id of data/actors.yaml */
}

static const vg_phish_result *from_domain(vg_phish_engine *en, const char *name, const char *dom);

/* ---- recruiter lures (the 2020 ZINC first contacts and follow-ups) ------------------------------ */

#define RECRUITER_BODY                                                                             \
    "Dear Mark,\n\nI came across your profile and your work on vaccine research impressed me. "   \
    "I am recruiting for Corvane Vaccines, a fast-growing company in vaccine development, for "   \
    "the role of Senior Scientist. The package is very competitive (relocation and remote "       \
    "options).\n\nWould you be open to a short call this week? You can read more here: "          \
    "https://%s/careers/jobs/8836\n\nBest regards,\nEmma Taylor\nSenior Talent Acquisition Partner\n"

static const vg_phish_result *recruiter(vg_phish_engine *en, const char *from, const char *link)
{
    static char msg[4096];
    int k = snprintf(msg, sizeof msg,
                     "From: \"Emma Taylor\" <%s>\nTo: mark.gupta@helixbio.example\n"
                     "Subject: Senior Scientist, Vaccine Development - confidential opportunity at "
                     "Corvane Vaccines\nContent-Type: text/plain\n\n",
                     from);
    snprintf(msg + k, sizeof msg - (size_t)k, RECRUITER_BODY, link);
    return analyze(en, msg);
}

static void test_recruiter_lures(void **state)
{
    (void)state;
    /* free-mail recruiter naming an employer: phishing, and the main lure is
     * the job offer even though the job is about vaccines */
    const vg_phish_result *r = recruiter(eng, "emma.taylor.hr@outlook.com", "biopharma-careers.net");
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    EXPECT_RULE(r, "freemail_recruiter");
    assert_non_null(strstr(detail_of(r, "freemail_recruiter"), "Corvane Vaccines"));
    assert_string_equal(r->lure, "job-offer");
    /* the same text from the company's own domain is a recruiter's mail */
    r = recruiter(eng, "emma.taylor@corvane-vaccines.example", "corvane-vaccines.example");
    EXPECT_NO_RULE(r, "freemail_recruiter");
    EXPECT_VERDICT(r, VG_PHISH_CLEAN);
    assert_string_equal(r->lure, "job-offer");
    /* a free-mail job mail naming no company is not the recruiter rule */
    r = analyze(eng, "From: Ann <ann.lee@gmail.com>\nTo: mark.gupta@helixbio.example\n"
                     "Subject: job offer\n\nHi Mark, is the job offer we talked about still open? "
                     "I sent my resume to the hiring manager.\n");
    EXPECT_NO_RULE(r, "freemail_recruiter");
    /* a look-alike of a protected brand in any label of the link's host and of
     * the sender's domain ("linkedln" = LinkedIn with l for i) */
    r = recruiter(eng, "talent@careers-linkedln.com", "careers.careers-linkedln.com");
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    EXPECT_RULE(r, "lookalike_sender");
    EXPECT_RULE(r, "lookalike_link");
    assert_non_null(strstr(detail_of(r, "lookalike_link"), "linkedin.com"));
    r = from_domain(eng, "Notices", "secure.paypa1-billing.net");
    EXPECT_RULE(r, "lookalike_sender");
    /* ...but a correctly spelt unrelated word is not ("linked" + "learning") */
    r = from_domain(eng, "Notices", "linked-learning.example");
    EXPECT_NO_RULE(r, "lookalike_sender");
}

static const char *macro_offer(const char *from)
{
    static char msg[2048];
    snprintf(msg, sizeof msg,
             "From: Talent <%s>\nTo: mark.gupta@helixbio.example\n"
             "Subject: RE: Senior Scientist - confidential opportunity at Corvane Vaccines\n"
             "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
             "--b\nContent-Type: text/plain\n\nHi Mark,\n\nThank you for your reply. As promised, "
             "the full job description is attached (protected document, please enable content).\n\n"
             "--b\nContent-Type: application/vnd.ms-word.document.macroEnabled.12; "
             "name=\"Corvane_Job_Description.docm\"\nContent-Disposition: attachment; "
             "filename=\"Corvane_Job_Description.docm\"\nContent-Transfer-Encoding: base64\n\n"
             "UEsDBBQAAAAIAA==\n--b--\n",
             from);
    return msg;
}

static void test_macro_job_offer(void **state)
{
    (void)state;
    const char *msg = macro_offer("talent@biopharma-careers.net");
    vg_findings f = {0};
    const vg_phish_result *r = NULL;
    vg_error e;
    assert_int_equal(vg_phish_analyze(eng, "job.eml", msg, strlen(msg), &f, &r, &e), VG_OK);
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    EXPECT_RULE(r, "attachment_macro");
    EXPECT_RULE(r, "attachment_macro_lure");
    assert_string_equal(r->lure, "job-offer");
    /* findings carry the sender (an indicator), the attachment's hash and name */
    assert_true(f.n >= 1);
    for (size_t i = 0; i < f.n; i++) {
        const vg_finding *x = f.v[i];
        assert_true(vg_strlist_has(&x->entities.accounts, "talent@biopharma-careers.net"));
        assert_false(vg_strlist_has(&x->roles.targeted, "talent@biopharma-careers.net"));
        assert_true(vg_strlist_has(&x->roles.targeted, "mark.gupta@helixbio.example"));
        assert_true(vg_strlist_has(&x->entities.accounts, "mark.gupta@helixbio.example"));
        assert_int_equal(x->entities.hashes.n, 1);
        assert_int_equal(strlen(x->entities.hashes.v[0]), 64);
        bool named = false;
        for (size_t k = 0; k < x->reasons.n; k++)
            named |= strstr(x->reasons.v[k], "Corvane_Job_Description.docm") != NULL;
        assert_true(named);
    }
    vg_findings_free(&f);
    /* the same document from a colleague is not an unsolicited offer */
    r = analyze(eng, macro_offer("hr.team@helixbio.example"));
    EXPECT_RULE(r, "attachment_macro");
    EXPECT_NO_RULE(r, "attachment_macro_lure");
}

static void test_config_lures(void **state)
{
    (void)state;
    /* the overlay `vigil intel report --apply` writes: keywords extend a
     * built-in theme, a new theme is created */
    const char *y = "lures:\n"
                    "  - {theme: job-offer, keywords: [talent pipeline review]}\n"
                    "  - {theme: conference-invitation, keywords: [invitation to speak, keynote slot]}\n";
    vg_error e;
    vg_yaml_doc *d = vg_yaml_load_string(y, strlen(y), "t.yaml", &e);
    assert_non_null(d);
    vg_phish_engine *en = NULL;
    assert_int_equal(vg_phish_engine_new(&en, vg_yaml_root(d), &e), VG_OK);
    const char *msg = "From: a@b.example\nTo: c@d.example\nSubject: talent pipeline review\n\nHello.\n";
    const vg_phish_result *r = analyze(en, msg);
    EXPECT_RULE(r, "lure");
    assert_string_equal(r->lure, "job-offer");
    assert_non_null(strstr(detail_of(r, "lure"), "talent pipeline review"));
    const vg_phish_result *rb = analyze(bare, msg);
    EXPECT_NO_RULE(rb, "lure");
    r = analyze(en, "From: a@b.example\nTo: c@d.example\nSubject: Summit\n\n"
                    "An invitation to speak, and a keynote slot for you.\n");
    assert_string_equal(r->lure, "conference-invitation");
    int w = -1;
    for (size_t i = 0; i < r->n_reasons; i++)
        if (strcmp(r->reasons[i].rule, "lure") == 0)
            w = r->reasons[i].weight;
    assert_int_equal(w, 10); /* the default weight of a lure theme */
    assert_true(r->verdict == VG_PHISH_CLEAN); /* a lure alone is never phishing */
    vg_phish_engine_free(en);
    vg_yaml_free(d);
}

static void test_ip_ranges(void **state)
{
    (void)state;
    /* documentation ranges stand for internet addresses (test data, the
     * demo); private ones are not */
    const vg_phish_result *r =
        analyze(bare, "From: a@b.example\nTo: c@d.example\nSubject: x\nContent-Type: text/html\n\n"
                      "<a href=\"http://192.0.2.10/login\">here</a>\n");
    EXPECT_RULE(r, "link_ip_host");
    r = analyze(bare, "From: a@b.example\nTo: c@d.example\nSubject: x\nContent-Type: text/html\n\n"
                      "<a href=\"http://10.1.2.3/login\">here</a>\n");
    EXPECT_NO_RULE(r, "link_ip_host");
    /* the first external hop of documentation-range relays is the attacker IP */
    const char *msg =
        "Received: from mail.evil.example (mail.evil.example [203.0.113.248])\n"
        "\tby mx1.helixbio.example (Postfix) with ESMTPS id X1\n\tfor <maria.chen@helixbio.example>;"
        " Sat, 7 Nov 2020 09:59:18 -0800\n"
        "From: PayPal <service@paypa1-secure.net>\nTo: maria.chen@helixbio.example\n"
        "Subject: Your account has been limited\n\nVerify your account now.\n";
    vg_findings f = {0};
    vg_error e;
    assert_int_equal(vg_phish_analyze(eng, "ip.eml", msg, strlen(msg), &f, &r, &e), VG_OK);
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    assert_true(f.n >= 1);
    assert_true(vg_strlist_has(&f.v[0]->roles.attacker_ips, "203.0.113.248"));
    vg_findings_free(&f);
}

/* ---- legitimate look-alikes stay clean --------------------------------------------------------- */

static void test_legitimate_lookalikes(void **state)
{
    (void)state;
    static const char *const clean[] = {
        "who_newsletter.eml",       "linkedin_job_alert.eml", "linkedin_inmail.eml",
        "colleague_vaccine_trial.eml", "vendor_invoice_pdf.eml", "list_forwarded.eml",
        "who_collaborating_centre.eml", "who_english_word.eml", "three.mbox",
        "single_envelope.eml",
    };
    for (size_t i = 0; i < sizeof clean / sizeof *clean; i++) {
        const vg_phish_result *r = analyze_file(eng, clean[i], NULL);
        if (r->verdict != VG_PHISH_CLEAN)
            fprintf(stderr, "expected clean: %s\n", clean[i]);
        EXPECT_VERDICT(r, VG_PHISH_CLEAN);
        assert_true(r->score < 30);
        /* the same without the organization's config */
        r = analyze_file(bare, clean[i], NULL);
        EXPECT_VERDICT(r, VG_PHISH_CLEAN);
    }
    /* the newsletter's tracker link showing www.who.int is not a mismatch */
    const vg_phish_result *r = analyze_file(eng, "who_newsletter.eml", NULL);
    EXPECT_NO_RULE(r, "link_text_mismatch");
    EXPECT_NO_RULE(r, "hidden_text"); /* a preheader, not padding */
    /* InMail: Reply-To elsewhere is normal */
    r = analyze_file(eng, "linkedin_inmail.eml", NULL);
    EXPECT_NO_RULE(r, "reply_to_freemail");
    /* list forwarding: SPF fails, DKIM and DMARC pass */
    r = analyze_file(eng, "list_forwarded.eml", NULL);
    EXPECT_NO_RULE(r, "auth_fail");
    EXPECT_NO_RULE(r, "spoofed_brand_domain");
    /* a WHO Collaborating Centre is an affiliate, "who" is a word */
    r = analyze_file(eng, "who_collaborating_centre.eml", NULL);
    EXPECT_NO_RULE(r, "brand_display_name");
    EXPECT_NO_RULE(r, "brand_subject");
    r = analyze_file(eng, "who_english_word.eml", NULL);
    EXPECT_NO_RULE(r, "brand_subject");
    assert_null(r->impersonated);
}

static void test_lure_alone_is_never_phishing(void **state)
{
    (void)state;
    const vg_phish_result *r = analyze(
        bare, "From: Dr. Lee <lee@research-lab.example>\nTo: maria.chen@helixbio.example\n"
              "Subject: URGENT: COVID-19 vaccine trial invoice payment, verify your account\n\n"
              "Final notice: the COVID-19 vaccine trial invoice is overdue. Payment by wire "
              "transfer within 24 hours. Please verify your account and confirm your identity. "
              "Job offer and salary details attached. Congratulations, you have been selected.\n");
    EXPECT_VERDICT(r, VG_PHISH_CLEAN);
    EXPECT_RULE(r, "lure");
    assert_true(r->score < 30);
}

/* ---- look-alike domains ------------------------------------------------------------------------ */

static const vg_phish_result *from_domain(vg_phish_engine *en, const char *name, const char *dom)
{
    static char msg[2048];
    snprintf(msg, sizeof msg,
             "From: %s <notice@%s>\nTo: maria.chen@helixbio.example\nSubject: Notice\n\n"
             "Please see the attached notice.\n",
             name, dom);
    return analyze(en, msg);
}

static void test_lookalikes(void **state)
{
    (void)state;
    /* digit swap: ICU maps 0 to O, case-folded after the skeleton */
    const vg_phish_result *r = from_domain(eng, "Notices", "micros0ft.com");
    EXPECT_RULE(r, "lookalike_sender");
    assert_non_null(strstr(detail_of(r, "lookalike_sender"), "microsoft.com"));
    /* rn -> m */
    r = from_domain(eng, "Notices", "rnicrosoft.com");
    EXPECT_RULE(r, "lookalike_sender");
    /* the recipient organization's own domain */
    r = from_domain(eng, "Accounts", "heIixbio.example");
    EXPECT_RULE(r, "lookalike_sender");
    assert_non_null(strstr(detail_of(r, "lookalike_sender"), "Helix Biologics"));
    r = from_domain(eng, "Accounts", "helixbio-secure.com");
    EXPECT_RULE(r, "lookalike_sender");
    /* brand + word, brand as subdomain */
    r = from_domain(eng, "Security", "paypal-secure.org");
    EXPECT_RULE(r, "lookalike_sender");
    r = from_domain(eng, "Security", "paypal.com.account-check.net");
    EXPECT_RULE(r, "lookalike_sender");
    assert_non_null(strstr(detail_of(r, "lookalike_sender"), "puts the name"));
    /* a three-letter name with its whole domain hyphenated, as CERIUM-style
     * lures use; the name with another word is not enough */
    r = from_domain(eng, "Notices", "who-int.org");
    EXPECT_RULE(r, "lookalike_sender");
    r = from_domain(eng, "Notices", "who-int-covid.com");
    EXPECT_RULE(r, "lookalike_sender");
    r = from_domain(eng, "Alice", "who-intl.org");
    EXPECT_NO_RULE(r, "lookalike_sender");
    r = from_domain(eng, "Alice", "who-cares.org");
    EXPECT_NO_RULE(r, "lookalike_sender");
    /* small edit distance: strong with a claim of the brand, weak without */
    r = from_domain(eng, "LinkedIn", "linkedln.com");
    EXPECT_RULE(r, "lookalike_sender");
    r = from_domain(eng, "Alice", "abode.com"); /* adobe.com, but a real word */
    EXPECT_NO_RULE(r, "lookalike_sender");
    EXPECT_VERDICT(r, VG_PHISH_CLEAN);
    /* other TLD of a three-letter name: weak unless the brand is claimed */
    r = from_domain(eng, "Alice", "who.org");
    EXPECT_NO_RULE(r, "lookalike_sender");
    r = from_domain(eng, "World Health Organization", "who.org");
    EXPECT_RULE(r, "lookalike_sender");
    /* not look-alikes: the brand itself, its subdomains, unrelated domains */
    r = from_domain(eng, "PayPal", "mail.paypal.com");
    EXPECT_NO_RULE(r, "lookalike_sender");
    EXPECT_NO_RULE(r, "brand_display_name");
    r = from_domain(eng, "Alice", "university.example");
    EXPECT_NO_RULE(r, "lookalike_sender");
    r = from_domain(eng, "Alice", "sendgrid.net"); /* a known service */
    EXPECT_NO_RULE(r, "lookalike_sender");
}

/* ---- claims, authentication, replies ------------------------------------------------------------- */

static void test_brand_claims(void **state)
{
    (void)state;
    /* spaced letters, homoglyphs */
    const vg_phish_result *r = from_domain(bare, "C o i n b a s e", "firesonic.example");
    EXPECT_RULE(r, "brand_display_name");
    EXPECT_RULE(r, "brand_obfuscated");
    r = from_domain(bare, "Iedger Support", "qvvq.example");
    EXPECT_RULE(r, "brand_display_name");
    /* common-word brands need the brand alone or service words */
    r = from_domain(bare, "Chase Miller", "gmail.com");
    EXPECT_NO_RULE(r, "brand_display_name");
    r = from_domain(bare, "Chase Online Banking", "alerts-mail.example");
    EXPECT_RULE(r, "brand_display_name");
    r = from_domain(bare, "Apple Valley Farm News", "applevalley.example");
    EXPECT_NO_RULE(r, "brand_display_name");
    /* a person's employer in parentheses is not a claim */
    r = from_domain(bare, "Jane Doe (Google)", "kernel-lists.example");
    EXPECT_NO_RULE(r, "brand_display_name");
    /* an allowed partner sends for DocuSign (config mail.allow) */
    r = from_domain(eng, "DocuSign", "partner-esign.example");
    EXPECT_NO_RULE(r, "brand_display_name");
    r = from_domain(eng, "DocuSign", "esign-partner.example");
    EXPECT_RULE(r, "brand_display_name");
}

static void test_vip_and_freemail(void **state)
{
    (void)state;
    const vg_phish_result *r = analyze(
        eng, "From: \"Maria Chen\" <maria.chen.helix@gmail.com>\nTo: paul.okafor@helixbio.example\n"
             "Subject: quick favour\n\nAre you at your desk? I need gift cards for a client today.\n");
    EXPECT_RULE(r, "vip_display_name");
    EXPECT_RULE(r, "freemail_vip");
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    assert_string_equal(r->impersonated, "Dr. Maria Chen");
    /* the real Maria, from inside, authenticated */
    r = analyze(eng, "Authentication-Results: mx.helixbio.example; spf=pass smtp.mailfrom=helixbio.example;"
                     " dkim=pass header.d=helixbio.example; dmarc=pass header.from=helixbio.example\n"
                     "From: \"Maria Chen\" <maria.chen@helixbio.example>\nTo: paul.okafor@helixbio.example\n"
                     "Subject: quick favour\n\nCan you review the assay plan?\n");
    EXPECT_VERDICT(r, VG_PHISH_CLEAN);
}

static void test_auth_rules(void **state)
{
    (void)state;
    /* the brand's own domain, DMARC failing at the border: spoofed */
    const vg_phish_result *r = analyze(
        eng, "Authentication-Results: mx.helixbio.example; spf=fail smtp.mailfrom=paypal.com;"
             " dkim=none; dmarc=fail header.from=paypal.com\n"
             "From: PayPal <service@paypal.com>\nTo: maria.chen@helixbio.example\nSubject: Receipt\n\nHi\n");
    EXPECT_RULE(r, "spoofed_brand_domain");
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    /* the same headers, but the forged pass sits below the border: ignored */
    r = analyze(eng, "Authentication-Results: mx.helixbio.example; spf=fail smtp.mailfrom=paypal.com;"
                     " dkim=none; dmarc=fail header.from=paypal.com\n"
                     "Authentication-Results: mx.helixbio.example.evil.example; dmarc=pass header.from=paypal.com\n"
                     "From: PayPal <service@paypal.com>\nTo: maria.chen@helixbio.example\nSubject: Receipt\n\nHi\n");
    EXPECT_RULE(r, "spoofed_brand_domain");
    EXPECT_RULE(r, "forged_auth");
    /* authenticated brand mail */
    r = analyze(eng, "Authentication-Results: mx.helixbio.example; spf=pass smtp.mailfrom=paypal.com;"
                     " dkim=pass header.d=paypal.com; dmarc=pass header.from=paypal.com\n"
                     "From: PayPal <service@paypal.com>\nTo: maria.chen@helixbio.example\nSubject: Receipt\n\nHi\n");
    EXPECT_VERDICT(r, VG_PHISH_CLEAN);
    /* Microsoft's composite authentication */
    r = analyze(bare, "Authentication-Results: spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=shop.example;"
                      " dkim=none (message not signed) header.d=none;dmarc=none action=none"
                      " header.from=shop.example;compauth=fail reason=001\n"
                      "From: Shop <news@shop.example>\nTo: x@pot.example\nSubject: hi\n\nhello\n");
    EXPECT_RULE(r, "auth_fail");
}

static void test_reply_to(void **state)
{
    (void)state;
    const vg_phish_result *r = analyze(
        bare, "From: Barrister James <office@lawfirm-intl.example>\nReply-To: jamesbarrister01@yahoo.com\n"
              "To: x@helixbio.example\nSubject: PROPOSAL\n\nI have a business proposal: the inheritance "
              "of my late client, next of kin, USD 10.5 million.\n");
    EXPECT_RULE(r, "reply_to_freemail");
    assert_true(r->verdict >= VG_PHISH_SUSPICIOUS);
    /* a list's Reply-To */
    r = analyze(bare, "From: Alice <alice@uni.example>\nReply-To: dev@lists.project.example\n"
                      "List-Id: <dev.lists.project.example>\nTo: dev@lists.project.example\n"
                      "Subject: build fix\n\npatch attached\n");
    EXPECT_NO_RULE(r, "reply_to_other");
    EXPECT_NO_RULE(r, "reply_to_freemail");
}

/* ---- links -------------------------------------------------------------------------------------- */

static void test_links(void **state)
{
    (void)state;
    /* Safe Links unwrapped to a look-alike of the organization */
    const vg_phish_result *r = analyze_file(eng, "html_form_safelinks.eml", NULL);
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    EXPECT_RULE(r, "lookalike_link");
    EXPECT_RULE(r, "credential_form");
    EXPECT_RULE(r, "spoofed_brand_domain");
    EXPECT_RULE(r, "forged_auth");
    EXPECT_RULE(r, "link_text_mismatch");
    /* Proofpoint URL Defense v2 and v3 */
    r = analyze(bare, "From: a@b.example\nTo: c@d.example\nSubject: x\nContent-Type: text/html\n\n"
                      "<a href=\"https://urldefense.proofpoint.com/v2/url?u=https-3A__paypa1.com_login&d=x\">"
                      "Log in</a>\n");
    EXPECT_RULE(r, "lookalike_link");
    r = analyze(bare, "From: a@b.example\nTo: c@d.example\nSubject: x\nContent-Type: text/html\n\n"
                      "<a href=\"https://urldefense.com/v3/__https://paypa1.com/login__;!!abc$\">Log in</a>\n");
    EXPECT_RULE(r, "lookalike_link");
    /* visible text of a brand, IP host, user@host */
    r = analyze(bare, "From: a@b.example\nTo: c@d.example\nSubject: x\nContent-Type: text/html\n\n"
                      "<a href=\"http://evil.example/x\">https://www.paypal.com/signin</a>"
                      "<a href=\"http://185.199.108.153/login\">here</a>"
                      "<a href=\"http://www.chase.com@evil.example/\">Chase</a>\n");
    EXPECT_RULE(r, "link_text_mismatch");
    EXPECT_RULE(r, "link_ip_host");
    EXPECT_RULE(r, "link_userinfo");
    /* an HTML part whose only content is an image link still counts as HTML
     * for "every link leads away"; a plain-text note with a foreign link does not */
    r = analyze(bare, "From: Shop <news@shop.example>\nTo: c@d.example\nSubject: x\n"
                      "Content-Type: text/html\n\n<a href=\"http://elsewhere.example/p\">"
                      "<img src=\"http://elsewhere.example/i.png\"></a>\n");
    EXPECT_RULE(r, "links_all_foreign");
    r = analyze(bare, "From: Ann <ann@shop.example>\nTo: c@d.example\nSubject: x\n\n"
                      "see http://elsewhere.example/p\n");
    EXPECT_NO_RULE(r, "links_all_foreign");
    /* an authenticated newsletter through its provider's tracker: no mismatch */
    r = analyze(bare, "Authentication-Results: mx.x.example; spf=pass smtp.mailfrom=news.shop.example;"
                      " dkim=pass header.d=shop.example; dmarc=pass header.from=shop.example\n"
                      "From: Shop <news@shop.example>\nTo: c@d.example\nSubject: sale\nContent-Type: text/html\n\n"
                      "<a href=\"https://u123.ct.sendgrid.net/ls/click?upn=abc\">www.shop.example</a>\n");
    EXPECT_NO_RULE(r, "link_text_mismatch");
    EXPECT_NO_RULE(r, "link_text_other");
    /* a version number auto-linked by a mail client is not an IP link */
    r = analyze(bare, "From: a@b.example\nTo: c@d.example\nSubject: x\nContent-Type: text/html\n\n"
                      "use UHD <a href=\"http://3.14.1.0\">3.14.1.0</a> or later\n");
    EXPECT_NO_RULE(r, "link_ip_host");
}

/* ---- attachments ------------------------------------------------------------------------------- */

static void b64(vg_buf *out, const unsigned char *d, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        char q[4] = {t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < n ? t[v >> 6 & 63] : '=',
                     i + 2 < n ? t[v & 63] : '='};
        vg_buf_append(out, q, 4);
        if ((col += 4) >= 76) {
            vg_buf_putc(out, '\n');
            col = 0;
        }
    }
    vg_buf_putc(out, '\n');
}

/* A zip in memory (optionally encrypted with a passphrase) holding one file. */
static size_t make_zip(unsigned char *buf, size_t cap, const char *name, bool encrypt)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    if (encrypt) {
        assert_int_equal(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK);
        assert_int_equal(archive_write_set_passphrase(a, "infected"), ARCHIVE_OK);
    }
    size_t used = 0;
    assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    const char *content = "MZ payload payload payload";
    archive_entry_set_size(e, (la_int64_t)strlen(content));
    archive_write_header(a, e);
    archive_write_data(a, content, strlen(content));
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    return used;
}

static const vg_phish_result *with_attachment(const char *fname, const unsigned char *d, size_t n)
{
    vg_buf m;
    vg_buf_init(&m, 0);
    vg_buf_printf(&m, "From: Accounts <billing@supplier.example>\nTo: x@helixbio.example\n"
                      "Subject: documents\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"z\"\n\n"
                      "--z\nContent-Type: text/plain\n\nSee attached.\n"
                      "--z\nContent-Type: application/octet-stream; name=\"%s\"\n"
                      "Content-Disposition: attachment; filename=\"%s\"\n"
                      "Content-Transfer-Encoding: base64\n\n",
                  fname, fname);
    b64(&m, d, n);
    vg_buf_puts(&m, "--z--\n");
    const vg_phish_result *r = analyze(bare, m.p);
    vg_buf_free(&m);
    return r;
}

static void test_attachments(void **state)
{
    (void)state;
    unsigned char zip[4096];
    size_t zn = make_zip(zip, sizeof zip, "invoice.pdf.exe", false);
    const vg_phish_result *r = with_attachment("invoice.zip", zip, zn);
    EXPECT_RULE(r, "attachment_archive");
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    zn = make_zip(zip, sizeof zip, "scan.pdf", true);
    r = with_attachment("scan.zip", zip, zn);
    EXPECT_RULE(r, "attachment_encrypted");
    const unsigned char iso[] = "not really an image";
    r = with_attachment("Invoice_2020.iso", iso, sizeof iso - 1);
    EXPECT_RULE(r, "attachment_executable");
    r = with_attachment("statement.pdf.js", iso, sizeof iso - 1);
    EXPECT_RULE(r, "attachment_double_ext");
    const unsigned char mz[] = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
    r = with_attachment("report.pdf", mz, sizeof mz - 1);
    (void)r;
    /* an OLE file with a VBA project */
    unsigned char ole[256] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    const char *vba = "_VBA_PROJECT";
    for (size_t i = 0; vba[i]; i++)
        ole[64 + 2 * i] = (unsigned char)vba[i];
    r = with_attachment("budget.xls", ole, sizeof ole);
    EXPECT_RULE(r, "attachment_macro");
    /* a plain PDF from a vendor: nothing */
    r = analyze_file(eng, "vendor_invoice_pdf.eml", NULL);
    EXPECT_NO_RULE(r, "attachment_type_mismatch");
    EXPECT_NO_RULE(r, "attachment_executable");
    /* right-to-left override and duplicate From */
    r = analyze_file(bare, "hostile_rlo_dupfrom.eml", NULL);
    EXPECT_RULE(r, "attachment_rlo");
    EXPECT_RULE(r, "duplicate_from");
    EXPECT_RULE(r, "display_name_tricks");
}

/* ---- verdicts, findings, config ----------------------------------------------------------------- */

static void test_json_and_text(void **state)
{
    (void)state;
    const vg_phish_result *r = analyze_file(eng, "paypal_idn.eml", NULL);
    EXPECT_VERDICT(r, VG_PHISH_PHISH);
    assert_non_null(strstr(detail_of(r, "lookalike_sender"),
                           "xn--pypal-4ve.com (p\xd0\xb0ypal.com) is an internationalized"));
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_phish_result_write_json(r, &j);
    assert_false(j.failed);
    static const char *const keys[] = {"\"file\":\"paypal_idn.eml\"", "\"sha256\":\"",
                                       "\"message_id\":\"pp1@xn--pypal-4ve.com\"",
                                       "\"from\":\"service@xn--pypal-4ve.com\"",
                                       "\"recipients\":[\"maria.chen@helixbio.example\"]",
                                       "\"verdict\":\"phish\"", "\"score\":", "\"reasons\":[{\"rule\":",
                                       "\"impersonated\":\"PayPal\"", "\"org\":\"helix\""};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (!strstr(b.p, keys[i]))
            fail_msg("missing %s in %s", keys[i], b.p);
    }
    vg_buf_reset(&b);
    vg_phish_result_write_text(r, &b);
    assert_non_null(strstr(b.p, "paypal_idn.eml: phish "));
    vg_buf_free(&b);
    /* a rejected message gets a result with an error */
    vg_error e;
    const vg_phish_result *rr;
    assert_int_equal(vg_phish_analyze(bare, "empty.eml", "", 0, NULL, &rr, &e), VG_EINVAL);
    assert_non_null(rr->error);
    assert_int_equal(rr->verdict, VG_PHISH_CLEAN);
}

static void test_findings(void **state)
{
    (void)state;
    vg_findings f = {0};
    const vg_phish_result *r = analyze_file(eng, "cerium_who_covid.eml", &f);
    assert_int_equal(r->verdict, VG_PHISH_PHISH);
    assert_true(f.n >= 2);
    bool imp = false, look = false;
    char first_id[32];
    snprintf(first_id, sizeof first_id, "%s", f.v[0]->id);
    for (size_t i = 0; i < f.n; i++) {
        vg_finding *x = f.v[i];
        assert_string_equal(x->org, "helix");
        assert_true(vg_strlist_has(&x->entities.accounts, "maria.chen@helixbio.example"));
        assert_true(vg_strlist_has(&x->roles.targeted, "maria.chen@helixbio.example"));
        assert_true(vg_strlist_has(&x->entities.messages, r->sha256));
        assert_int_equal(x->counts.messages, 1);
        assert_true(x->reasons.n > 0);
        assert_int_equal(x->n_evidence, 1);
        assert_string_equal(x->evidence[0].file, "cerium_who_covid.eml");
        imp |= strcmp(x->kind, "phish.impersonation") == 0;
        look |= strcmp(x->kind, "phish.lookalike_domain") == 0;
        assert_int_equal(strncmp(x->id, "f-", 2), 0);
    }
    assert_true(imp && look);
    vg_findings_free(&f);
    /* replaying the same message gives the same ids */
    vg_findings g = {0};
    analyze_file(eng, "cerium_who_covid.eml", &g);
    assert_string_equal(g.v[0]->id, first_id);
    vg_findings_free(&g);
    /* clean messages give no findings */
    vg_findings h = {0};
    analyze_file(eng, "who_newsletter.eml", &h);
    assert_int_equal(h.n, 0);
    vg_findings_free(&h);
}

static void test_config_weights(void **state)
{
    (void)state;
    const char *y = "mail:\n  weights: {brand_display_name: 0, freemail_brand: 0}\n"
                    "  thresholds: {phish: 90, suspicious: 50}\n";
    vg_error e;
    vg_yaml_doc *d = vg_yaml_load_string(y, strlen(y), "t.yaml", &e);
    assert_non_null(d);
    vg_phish_engine *en = NULL;
    assert_int_equal(vg_phish_engine_new(&en, vg_yaml_root(d), &e), VG_OK);
    const vg_phish_result *r = from_domain(en, "PayPal", "gmail.com");
    assert_int_equal(r->score, 0 + (r->score)); /* computed */
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strcmp(r->reasons[i].rule, "brand_display_name") == 0)
            assert_int_equal(r->reasons[i].weight, 0);
    }
    assert_true(r->verdict <= VG_PHISH_SUSPICIOUS);
    vg_phish_engine_free(en);
    vg_yaml_free(d);
    /* an unknown rule is an error naming the line */
    y = "mail:\n  weights: {no_such_rule: 5}\n";
    d = vg_yaml_load_string(y, strlen(y), "t.yaml", &e);
    assert_int_not_equal(vg_phish_engine_new(&en, vg_yaml_root(d), &e), VG_OK);
    assert_non_null(strstr(e.msg, "no_such_rule"));
    vg_yaml_free(d);
    /* the rule table */
    const vg_phish_rule_info *rules;
    size_t n = vg_phish_rules(&rules);
    assert_true(n > 30);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(rules[i].description);
        assert_true(rules[i].weight >= 0 && rules[i].weight <= 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cerium_who_lure),
        cmocka_unit_test(test_zinc_recruiter_lure),
        cmocka_unit_test(test_recruiter_lures),
        cmocka_unit_test(test_macro_job_offer),
        cmocka_unit_test(test_config_lures),
        cmocka_unit_test(test_ip_ranges),
        cmocka_unit_test(test_legitimate_lookalikes),
        cmocka_unit_test(test_lure_alone_is_never_phishing),
        cmocka_unit_test(test_lookalikes),
        cmocka_unit_test(test_brand_claims),
        cmocka_unit_test(test_vip_and_freemail),
        cmocka_unit_test(test_auth_rules),
        cmocka_unit_test(test_reply_to),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_json_and_text),
        cmocka_unit_test(test_findings),
        cmocka_unit_test(test_config_weights),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
