/* test_intel_report.c — `vigil intel report` on reports written for these
 * tests (tests/fixtures/reports/): other public campaigns as negatives and
 * extra positives, in HTML, Markdown and text, in windows-1252, KOI8-R and
 * with mojibake; plus the cleaner's pieces one by one. The two seed reports
 * are tested in test_intel_report_seeds.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/report.h"

static vg_report_kb *kb;

static vg_report *load(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/reports/%s", name);
    const char *path = vg_test_src(rel);
    char *data;
    size_t n;
    vg_error e = {0};
    if (vg_file_read(path, 0, &data, &n, &e) != VG_OK)
        fail_msg("%s", e.msg);
    vg_report *r = NULL;
    assert_int_equal(vg_report_analyze(kb, name, data, n, &r, &e), VG_OK);
    free(data);
    return r;
}

static vg_report *from_string(const char *s)
{
    vg_report *r = NULL;
    vg_error e = {0};
    assert_int_equal(vg_report_analyze(kb, "inline", s, strlen(s), &r, &e), VG_OK);
    return r;
}

static size_t count_kind(const vg_report *r, vg_report_fact_kind k, bool background)
{
    size_t c = 0;
    for (size_t i = 0; i < vg_report_fact_count(r); i++) {
        const vg_report_fact *f = vg_report_fact_at(r, i);
        c += f->kind == k && f->background == background;
    }
    return c;
}

static const vg_report_fact *fact(const vg_report *r, vg_report_fact_kind k, const char *value)
{
    for (size_t i = 0; i < vg_report_fact_count(r); i++) {
        const vg_report_fact *f = vg_report_fact_at(r, i);
        if (f->kind == k && !f->background && strcmp(f->value, value) == 0)
            return f;
    }
    return NULL;
}

#define HAS(r, k, v) assert_true(vg_report_has((r), (k), (v)))
#define HASNT(r, k, v) assert_false(vg_report_has((r), (k), (v)))

static int setup(void **state)
{
    (void)state;
    vg_error e = {0};
    kb = vg_report_kb_builtin(&e);
    if (!kb)
        fprintf(stderr, "kb: %s\n", e.msg);
    return kb ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_report_kb_free(kb);
    return 0;
}

/* ---- positives and negatives ------------------------------------------------------- */

/* Another report of the seeds' event, as a full news page. */
static void test_same_event_page(void **state)
{
    (void)state;
    vg_report *r = load("covid_vaccine_attacks_nov2020.html");
    const vg_report_clean_info *in = vg_report_info(r);
    assert_string_equal(in->format, "html");
    assert_true(in->dropped_markup >= 3); /* in the article: share bar, related, newsletter */
    const char *t = vg_report_text(r);
    assert_null(strstr(t, "cookies"));
    assert_null(strstr(t, "Share on"));
    assert_null(strstr(t, "Related Stories"));
    assert_null(strstr(t, "cryptocurrency")); /* the related headlines */
    assert_null(strstr(t, "dataLayer"));      /* script */
    assert_null(strstr(t, "All rights reserved"));
    assert_string_equal(vg_report_title(r),
                        "Microsoft says Russian and North Korean hackers targeted COVID-19 vaccine makers");
    assert_string_equal(vg_report_date(r), "2020-11-13");
    HAS(r, VG_FACT_ACTOR, "STRONTIUM");
    HAS(r, VG_FACT_ACTOR, "ZINC");
    HAS(r, VG_FACT_ACTOR, "CERIUM");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "STRONTIUM")->detail, "RU");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "ZINC")->detail, "KP");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "CERIUM")->detail, "KP");
    const char *cc[] = {"CA", "FR", "IN", "KR", "US"};
    for (size_t i = 0; i < 5; i++)
        HAS(r, VG_FACT_COUNTRY, cc[i]);
    assert_int_equal(count_kind(r, VG_FACT_COUNTRY, false), 5); /* not RU, not KP */
    HAS(r, VG_FACT_TECHNIQUE, "T1110.001");
    HAS(r, VG_FACT_TECHNIQUE, "T1566");
    HAS(r, VG_FACT_IMPERSONATED, "World Health Organization");
    HAS(r, VG_FACT_LURE, "covid-19");
    HAS(r, VG_FACT_LURE, "job-offer");
    HAS(r, VG_FACT_COUNT, "seven prominent companies");
    assert_int_equal(count_kind(r, VG_FACT_COUNT, false), 1); /* not "19 vaccine makers" */
    const vg_report_fact *sp = fact(r, VG_FACT_SPOKESPERSON, "Tom Burt");
    assert_non_null(sp);
    assert_non_null(strstr(sp->detail, "vice president"));
    vg_report_free(r);
}

/* APT29 against vaccine research in July 2020: a positive of another event. */
static void test_apt29_vaccine(void **state)
{
    (void)state;
    vg_report *r = load("apt29_vaccine_2020.html");
    assert_string_equal(vg_report_date(r), "2020-07-16");
    HAS(r, VG_FACT_ACTOR, "NOBELIUM");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "NOBELIUM")->detail, "RU");
    HAS(r, VG_FACT_ORIGIN, "RU");
    HAS(r, VG_FACT_COUNTRY, "GB");
    HAS(r, VG_FACT_COUNTRY, "US");
    HAS(r, VG_FACT_COUNTRY, "CA");
    HASNT(r, VG_FACT_COUNTRY, "RU"); /* the accused is no target */
    HAS(r, VG_FACT_SECTOR, "vaccine research");
    HAS(r, VG_FACT_TECHNIQUE, "T1190");
    HAS(r, VG_FACT_TECHNIQUE, "T1566");
    HAS(r, VG_FACT_REPORTER, "National Cyber Security Centre");
    /* the DNC hack of 2016 is background */
    assert_true(vg_report_has_background(r, VG_FACT_COUNTRY, "US"));
    assert_null(strstr(vg_report_text(r), "Follow us"));
    assert_null(strstr(vg_report_text(r), "Saudi")); /* "More on this story" */
    vg_report_free(r);
}

/* SolarWinds: Markdown with front matter, lists, links, code; same actor as
 * APT29's vaccine campaign, another event. */
static void test_solarwinds_markdown(void **state)
{
    (void)state;
    vg_report *r = load("solarwinds_supply_chain_2020.md");
    assert_string_equal(vg_report_info(r)->format, "markdown");
    assert_string_equal(vg_report_title(r),
                        "SolarWinds hack: what we know about the supply chain compromise");
    assert_string_equal(vg_report_date(r), "2020-12-18");
    const char *t = vg_report_text(r);
    assert_null(strstr(t, "](http"));     /* links keep their text only */
    assert_null(strstr(t, "**"));          /* emphasis markers */
    assert_null(strstr(t, "avsvmcloud"));  /* code blocks */
    assert_non_null(strstr(t, "supply chain attack that gave them"));
    HAS(r, VG_FACT_ACTOR, "NOBELIUM");
    HASNT(r, VG_FACT_ACTOR, "ZINC"); /* only in the trailing "Related:" list */
    HAS(r, VG_FACT_TECHNIQUE, "T1195.002");
    const char *cc[] = {"US", "CA", "MX", "BE", "ES", "GB", "IL", "AE"};
    for (size_t i = 0; i < 8; i++)
        HAS(r, VG_FACT_COUNTRY, cc[i]);
    HASNT(r, VG_FACT_COUNTRY, "RU");
    HAS(r, VG_FACT_SECTOR, "government");
    assert_true(vg_report_has_background(r, VG_FACT_ORIGIN, "RU")); /* NotPetya, 2017 */
    vg_report *a = load("apt29_vaccine_2020.html");
    vg_report_similarity s;
    vg_report_compare(r, a, &s);
    assert_false(s.same);
    vg_report_free(a);
    vg_report_free(r);
}

/* Operation Dream Job in windows-1252: Lazarus (ZINC) in another event. */
static void test_dreamjob_cp1252(void **state)
{
    (void)state;
    vg_report *r = load("lazarus_dreamjob_cp1252.txt");
    assert_string_equal(vg_report_info(r)->charset, "WINDOWS-1252");
    const char *t = vg_report_text(r);
    assert_non_null(strstr(t, "r\xc3\xa9sum\xc3\xa9"));     /* résumé */
    assert_non_null(strstr(t, "a \"job description\""));      /* curly quotes -> ASCII */
    assert_non_null(strstr(t, "North Korea's Lazarus"));      /* ’ -> ' */
    assert_non_null(strstr(t, "malware - a technique"));      /* em dash -> - */
    HAS(r, VG_FACT_ACTOR, "ZINC");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "ZINC")->detail, "KP");
    HAS(r, VG_FACT_COUNTRY, "IL");
    HASNT(r, VG_FACT_COUNTRY, "US"); /* "recruiters from major US defence contractors" */
    HAS(r, VG_FACT_LURE, "job-offer");
    HAS(r, VG_FACT_TECHNIQUE, "T1566.003");
    HAS(r, VG_FACT_IMPERSONATED, "Collins Aerospace");
    HAS(r, VG_FACT_IMPERSONATED, "General Dynamics");
    HAS(r, VG_FACT_IMPERSONATED, "McDonnell Douglas");
    HASNT(r, VG_FACT_IMPERSONATED, "LinkedIn"); /* the platform, not the disguise */
    HAS(r, VG_FACT_SECTOR, "aerospace");
    HAS(r, VG_FACT_SECTOR, "defense");
    HASNT(r, VG_FACT_TECHNIQUE, "T1486"); /* WannaCry, 2017: background */
    assert_true(vg_report_has_background(r, VG_FACT_TECHNIQUE, "T1486"));
    vg_report_free(r);
}

/* Kimsuky advisory with mojibake (UTF-8 read as windows-1252). */
static void test_kimsuky_mojibake(void **state)
{
    (void)state;
    vg_report *r = load("kimsuky_mojibake.txt");
    assert_true(vg_report_info(r)->mojibake >= 3);
    const char *t = vg_report_text(r);
    assert_null(strstr(t, "\xc3\xa2\xe2\x82\xac")); /* "â€" */
    assert_non_null(strstr(t, "The group's favourite"));
    assert_non_null(strstr(t, "\"interview requests\""));
    HAS(r, VG_FACT_ACTOR, "THALLIUM");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "THALLIUM")->detail, "KP");
    HAS(r, VG_FACT_COUNTRY, "KR");
    HAS(r, VG_FACT_COUNTRY, "JP");
    HAS(r, VG_FACT_COUNTRY, "US");
    HASNT(r, VG_FACT_COUNTRY, "KP");
    HAS(r, VG_FACT_LURE, "interview-request");
    HAS(r, VG_FACT_SECTOR, "think tanks");
    HASNT(r, VG_FACT_SECTOR, "media"); /* they posed as journalists */
    HAS(r, VG_FACT_TECHNIQUE, "T1189");
    /* "operating since 2012" describes the group, it dates no other event */
    assert_int_equal(count_kind(r, VG_FACT_ACTOR, true), 0);
    assert_string_equal(vg_report_date(r), "2020-10-27");
    vg_report_free(r);
}

/* STRONTIUM's 2020 election attacks: same actor as the seeds, other event;
 * "Unlike in 2016, ..." does not make it the 2016 event. */
static void test_strontium_elections(void **state)
{
    (void)state;
    vg_report *r = load("strontium_elections_2020.html");
    HAS(r, VG_FACT_ACTOR, "STRONTIUM");
    HAS(r, VG_FACT_ACTOR, "PHOSPHORUS");
    assert_string_equal(fact(r, VG_FACT_ACTOR, "PHOSPHORUS")->detail, "IR");
    HAS(r, VG_FACT_TECHNIQUE, "T1110.003");
    HAS(r, VG_FACT_TECHNIQUE, "T1110.001");
    HAS(r, VG_FACT_TECHNIQUE, "T1090.003");
    HASNT(r, VG_FACT_TECHNIQUE, "T1566");
    assert_true(vg_report_has_background(r, VG_FACT_TECHNIQUE, "T1566"));
    HAS(r, VG_FACT_SECTOR, "political campaigns");
    HAS(r, VG_FACT_COUNTRY, "US");
    HAS(r, VG_FACT_COUNTRY, "GB");
    HASNT(r, VG_FACT_ORIGIN, "US"); /* "US-based consultants" were targets */
    HAS(r, VG_FACT_COUNT, "more than 200 organizations");
    assert_string_equal(vg_report_date(r), "2020-09-10");
    vg_report *p = load("covid_vaccine_attacks_nov2020.html");
    vg_report_similarity s;
    vg_report_compare(r, p, &s);
    assert_false(s.same);
    vg_report_free(p);
    vg_report_free(r);
}

/* A vaccine news story with no attack: nothing to extract, even with
 * "Zinc" at the start of a sentence and "targets" in biology. */
static void test_vaccine_news_no_attack(void **state)
{
    (void)state;
    vg_report *r = load("vaccine_news_noattack.txt");
    for (size_t i = 0; i < vg_report_fact_count(r); i++) {
        const vg_report_fact *f = vg_report_fact_at(r, i);
        assert_true(f->kind == VG_FACT_DATE || f->kind == VG_FACT_REPORTER ||
                    f->kind == VG_FACT_SPOKESPERSON);
    }
    assert_string_equal(vg_report_date(r), "2020-11-09");
    vg_report_free(r);
}

/* Ransomware in Ireland, countries named in passing: the US (Colonial
 * Pipeline) and North Korea's Lazarus (WannaCry) are background. */
static void test_ransomware_passing_mentions(void **state)
{
    (void)state;
    vg_report *r = load("ransomware_hse_2021.txt");
    const vg_report_clean_info *in = vg_report_info(r);
    assert_int_equal(in->duplicates, 1);
    assert_true(in->boilerplate >= 4);
    const char *t = vg_report_text(r);
    assert_null(strstr(t, "Advertisement"));
    assert_null(strstr(t, "newsletter"));
    assert_null(strstr(t, "New Zealand"));
    HAS(r, VG_FACT_COUNTRY, "IE");
    HASNT(r, VG_FACT_COUNTRY, "US");
    HASNT(r, VG_FACT_COUNTRY, "GB");
    HASNT(r, VG_FACT_ACTOR, "ZINC");
    assert_true(vg_report_has_background(r, VG_FACT_ACTOR, "ZINC"));
    HASNT(r, VG_FACT_ORIGIN, "KP");
    HAS(r, VG_FACT_SECTOR, "health care");
    HAS(r, VG_FACT_TECHNIQUE, "T1486");
    vg_report_free(r);
}

static void test_koi8r(void **state)
{
    (void)state;
    vg_report *r = load("ru_koi8r.txt");
    assert_string_equal(vg_report_info(r)->charset, "KOI8-R");
    assert_non_null(strstr(vg_report_text(r), "\xd0\xb2\xd0\xb0\xd0\xba\xd1\x86\xd0\xb8\xd0\xbd")); /* вакцин */
    assert_int_equal(count_kind(r, VG_FACT_ACTOR, false), 0);
    vg_report_free(r);
}

/* Every fixture: one event each, except the extra positive of the seeds'
 * event which is tested against the seeds in test_intel_report_seeds.c. */
static void test_cluster_fixtures(void **state)
{
    (void)state;
    const char *names[] = {"apt29_vaccine_2020.html",        "covid_vaccine_attacks_nov2020.html",
                           "kimsuky_mojibake.txt",           "lazarus_dreamjob_cp1252.txt",
                           "ransomware_hse_2021.txt",        "solarwinds_supply_chain_2020.md",
                           "strontium_elections_2020.html", "vaccine_news_noattack.txt"};
    size_t n = sizeof names / sizeof *names;
    vg_report *r[8];
    for (size_t i = 0; i < n; i++)
        r[i] = load(names[i]);
    assert_int_equal(vg_report_cluster(r, n, 0), n);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(vg_report_event(r[i]));
        assert_int_equal(strncmp(vg_report_event(r[i]), "ev-", 3), 0);
        for (size_t k = i + 1; k < n; k++)
            assert_string_not_equal(vg_report_event(r[i]), vg_report_event(r[k]));
    }
    /* the same report twice is one event, whatever its name */
    vg_report *twin = load("apt29_vaccine_2020.html");
    vg_report *pair[2] = {r[0], twin};
    assert_int_equal(vg_report_cluster(pair, 2, 0), 1);
    assert_string_equal(vg_report_event(r[0]), vg_report_event(twin));
    vg_report_free(twin);
    for (size_t i = 0; i < n; i++)
        vg_report_free(r[i]);
}

/* ---- the cleaner, piece by piece ---------------------------------------------------------- */

static char *clean(const char *s, vg_report_doc *doc)
{
    vg_error e = {0};
    assert_int_equal(vg_report_clean(kb, s, strlen(s), doc, &e), VG_OK);
    return doc->text;
}

static void test_clean_html(void **state)
{
    (void)state;
    vg_report_doc d;
    const char *html =
        "<html><head><title>Site | A headline about hackers</title><style>p{color:red}</style>"
        "<script>var x = 'Strontium';</script></head><body>"
        "<nav><a>Home</a><a>World</a></nav>"
        "<p>Caf&eacute; &amp; &#8220;quotes&#8221; &mdash; dash&nbsp;here.</p>"
        "<div class=\"share-buttons\">Share on Facebook</div>"
        "<p>Second<br>line</p><footer>Copyright</footer></body></html>";
    char *t = clean(html, &d);
    assert_string_equal(d.info.format, "html");
    assert_string_equal(t, "Caf\xc3\xa9 & \"quotes\" - dash here.\n\nSecond\n\nline");
    assert_string_equal(d.title, "Site | A headline about hackers");
    vg_report_doc_free(&d);
    /* a fragment of <p> elements with stray text between them */
    t = clean("<p>One sentence here.</p>.<p>Two sentence here.</p>", &d);
    assert_string_equal(t, "One sentence here.\n\nTwo sentence here.");
    vg_report_doc_free(&d);
}

static void test_clean_markdown(void **state)
{
    (void)state;
    vg_report_doc d;
    const char *md = "# Title *here*\n\nSome **bold** and _em_ text with a [link](http://x.example)"
                     " and ![img](http://y.example/i.png) and `code`.\n\n```\nSECRET_IOC\n```\n\n"
                     "- item one\n- item two\n\n> quoted words\n\n[ref]: http://z.example\n";
    char *t = clean(md, &d);
    assert_string_equal(d.info.format, "markdown");
    assert_string_equal(d.title, "Title here");
    assert_string_equal(t, "Some bold and em text with a link and and code.\n\nitem one\n\n"
                           "item two\n\nquoted words");
    vg_report_doc_free(&d);
}

static void test_clean_mojibake(void **state)
{
    (void)state;
    vg_report_doc d;
    /* UTF-8 read as windows-1252: don’t, café, “x”; as windows-1251: ’ */
    char *t = clean("They don\xc3\xa2\xe2\x82\xac\xe2\x84\xa2t like the caf\xc3\x83\xc2\xa9 "
                    "\xc3\xa2\xe2\x82\xac\xc5\x93x\xc3\xa2\xe2\x82\xac\xc2\x9d and "
                    "it\xd0\xb2\xd0\x82\xe2\x84\xa2s fine.",
                    &d);
    assert_string_equal(t, "They don't like the caf\xc3\xa9 \"x\" and it's fine.");
    assert_int_equal(d.info.mojibake, 5);
    vg_report_doc_free(&d);
    /* genuine accents and Cyrillic stay */
    t = clean("Caf\xc3\xa9 in Z\xc3\xbcrich, \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
              "\xd0\xbc\xd0\xb8\xd1\x80, S\xc3\xa3o Paulo.",
              &d);
    assert_string_equal(t, "Caf\xc3\xa9 in Z\xc3\xbcrich, \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
                           "\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80, S\xc3\xa3o Paulo.");
    assert_int_equal(d.info.mojibake, 0);
    vg_report_doc_free(&d);
    /* a lone "Р" left of a mangled dash inside English text */
    t = clean("The embassy in Washington \xd0\xa0which has denied it \xd0\xa0said nothing new "
              "to reporters on the day of the announcement.",
              &d);
    assert_string_equal(t, "The embassy in Washington - which has denied it - said nothing new "
                           "to reporters on the day of the announcement.");
    vg_report_doc_free(&d);
}

static void test_clean_repetition(void **state)
{
    (void)state;
    vg_report_doc d;
    const char *once = "Hackers targeted seven vaccine makers in five countries, the company said "
                       "on Friday. It said most attempts were blocked but some succeeded. ";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s%s", once, once, once);
    char *t = clean(buf, &d);
    assert_int_equal(d.info.repeats, 1);
    assert_int_equal(strlen(t), strlen(once) - 1);
    vg_report_doc_free(&d);
    /* repeated paragraphs that are not the start are duplicates */
    t = clean("First paragraph of the story is here and long enough.\n\n"
              "Second paragraph says something else entirely today.\n\n"
              "First paragraph of the story is here and long enough.\n\n"
              "Third paragraph ends the story.",
              &d);
    assert_int_equal(d.info.repeats, 1);
    assert_int_equal(d.info.paragraphs, 3);
    vg_report_doc_free(&d);
    t = clean("Alpha paragraph with several words in it for shingles to form here.\n\n"
              "Beta paragraph with other words that are not the same as alpha.\n\n"
              "Beta paragraph with other words that are not the same as alpha.\n\n"
              "Gamma closes.",
              &d);
    assert_int_equal(d.info.duplicates, 1);
    assert_int_equal(d.info.repeats, 0);
    vg_report_doc_free(&d);
}

static void test_clean_boilerplate(void **state)
{
    (void)state;
    vg_report_doc d;
    /* "Related Stories" near the top is a menu line; near the end it cuts */
    char *t = clean("Related Stories\n\nThe first paragraph of the story is quite long and keeps "
                    "going for a while with many words in it.\n\nSubscribe to our newsletter\n\n"
                    "The second paragraph of the story is also long and keeps going with words.\n\n"
                    "Related Stories\n\nSome other headline about other hackers",
                    &d);
    assert_string_equal(t, "The first paragraph of the story is quite long and keeps going for a "
                           "while with many words in it.\n\nThe second paragraph of the story is "
                           "also long and keeps going with words.");
    assert_int_equal(d.info.boilerplate, 4);
    vg_report_doc_free(&d);
}

static void test_clean_limits(void **state)
{
    (void)state;
    vg_report_doc d;
    vg_error e = {0};
    size_t n = VG_REPORT_MAX_BYTES + 1;
    char *big = calloc(1, n);
    assert_int_equal(vg_report_clean(kb, big, n, &d, &e), VG_ELIMIT);
    assert_non_null(strstr(e.msg, "limit"));
    free(big);
    /* empty, binary and NUL-laden input are fine */
    assert_int_equal(vg_report_clean(kb, "", 0, &d, &e), VG_OK);
    assert_string_equal(d.text, "");
    vg_report_doc_free(&d);
    assert_int_equal(vg_report_clean(kb, "\0\xff\xfe<p\0>x\0", 9, &d, &e), VG_OK);
    vg_report_doc_free(&d);
    assert_int_equal(vg_report_clean(NULL, "<p>no kb</p>", 12, &d, &e), VG_OK);
    assert_string_equal(d.text, "no kb");
    vg_report_doc_free(&d);
}

/* ---- extraction rules on small texts ---------------------------------------------------------- */

static void test_rules(void **state)
{
    (void)state;
    /* passive subject, "hit by", adjectives, "the X government" */
    vg_report *r = from_string("Canadian hospitals were targeted by hackers tied to the Iranian "
                               "government, the agency said. Estonia was hit by a cyberattack.");
    HAS(r, VG_FACT_COUNTRY, "CA");
    HAS(r, VG_FACT_COUNTRY, "EE");
    HAS(r, VG_FACT_ORIGIN, "IR");
    HASNT(r, VG_FACT_COUNTRY, "IR");
    vg_report_free(r);
    /* a country merely named is neither target nor origin */
    r = from_string("The hacking group targeted banks in Chile, a spokesman in Berlin said, "
                    "adding that Germany's response was swift.");
    HAS(r, VG_FACT_COUNTRY, "CL");
    HASNT(r, VG_FACT_COUNTRY, "DE");
    HASNT(r, VG_FACT_ORIGIN, "DE");
    vg_report_free(r);
    /* lower-case element names are chemistry, not actors; ambiguous names need context */
    r = from_string("Hackers added zinc to the list; Jordan said the phishing wave hit Chad.");
    HASNT(r, VG_FACT_ACTOR, "ZINC");
    HASNT(r, VG_FACT_COUNTRY, "JO");
    vg_report_free(r);
    /* sources are not targets: "attacks from government agencies" */
    r = from_string("We condemn attacks from government agencies and criminal groups that "
                    "governments allow to operate, the hacking report said.");
    HASNT(r, VG_FACT_SECTOR, "government");
    vg_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_event_page),
        cmocka_unit_test(test_apt29_vaccine),
        cmocka_unit_test(test_solarwinds_markdown),
        cmocka_unit_test(test_dreamjob_cp1252),
        cmocka_unit_test(test_kimsuky_mojibake),
        cmocka_unit_test(test_strontium_elections),
        cmocka_unit_test(test_vaccine_news_no_attack),
        cmocka_unit_test(test_ransomware_passing_mentions),
        cmocka_unit_test(test_koi8r),
        cmocka_unit_test(test_cluster_fixtures),
        cmocka_unit_test(test_clean_html),
        cmocka_unit_test(test_clean_markdown),
        cmocka_unit_test(test_clean_mojibake),
        cmocka_unit_test(test_clean_repetition),
        cmocka_unit_test(test_clean_boilerplate),
        cmocka_unit_test(test_clean_limits),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
