/* test_notify_render.c — notices and the operator summary: hostile values
 * inert in HTML and Markdown and valid in JSON, no other victim named, STIX
 * bundles complete (required properties, every reference resolves,
 * deterministic ids), material facts that decide versions, suppression and
 * severity filters, and the escaping helpers on their own. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "md_inert.h"
#include "vigil/notify.h"

#define T0 1604880000000LL /* 2020-11-09T00:00:00Z */
#define HOUR 3600000LL
#define DAY (24 * HOUR)

/* Display name and subject an attacker controls. */
static const char HOSTILE[] = "Dr. \xE2\x80\xAE" "fdp.exe\" <script>alert('x')</script> "
                              "<img src=x onerror=alert(1)> \x01\x1b[31m \xff\xfe end";

typedef struct fixture {
    vg_notify_orgs orgs;
    vg_findings all;
    vg_campaign camp;
    const vg_finding **members;
    size_t n_members;
    vg_notify_settings settings;
} fixture;

static vg_notify_org *add_org(vg_notify_orgs *l, const char *id, const char *name,
                              const char *country, const char *domain)
{
    vg_notify_org *o = (vg_notify_org *)vg_notify_orgs_add_bare(l, id);
    free(o->name);
    o->name = vg_xstrdup(name);
    o->country = vg_xstrdup(country);
    o->sector = vg_xstrdup("pharmaceutical");
    vg_strlist_add(&o->domains, domain);
    o->configured = true;
    return o;
}

static vg_finding *finding(const char *kind, const char *org, const char *key, int64_t t)
{
    vg_finding *f = vg_finding_new(kind, org);
    vg_finding_set_id(f, key, t, DAY);
    f->revision = 1;
    f->first_seen = t;
    f->last_seen = t + 2 * DAY + 3 * HOUR;
    f->severity = VG_SEV_HIGH;
    f->score = 80;
    return f;
}

static void fixture_build(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    vg_notify_settings_init(&fx->settings);
    vg_notify_org *h = add_org(&fx->orgs, "helix", "Helix Biologics", "CA", "helixbio.example");
    h->contact = vg_xstrdup("soc-oob@helix-backup.example");
    add_org(&fx->orgs, "zenith", "Zenith Pharma", "FR", "zenith.example");
    add_org(&fx->orgs, "orion", "Orion Vaccines", "KR", "orion.example");

    vg_finding *spray = finding("cred.spray", "helix", "198.51.100.0/24", T0);
    vg_strlist_add(&spray->attack, "T1110.003");
    vg_strlist_add(&spray->attack, "T1090.003");
    spray->outcome = VG_OUT_BLOCKED;
    spray->counts = (vg_counts){.attempts = 412, .accounts = 3, .ips = 2, .blocked = 410};
    vg_strlist_add(&spray->entities.accounts, "alice@helixbio.example");
    vg_strlist_add(&spray->entities.accounts, "bob@helixbio.example");
    vg_strlist_add(&spray->entities.accounts, "carol@helixbio.example");
    vg_strlist_add(&spray->roles.targeted, "alice@helixbio.example");
    vg_strlist_add(&spray->roles.targeted, "bob@helixbio.example");
    vg_strlist_add(&spray->roles.targeted, "carol@helixbio.example");
    vg_strlist_add(&spray->roles.attacker_ips, "198.51.100.7");
    vg_strlist_add(&spray->roles.attacker_ips, "2001:db8::66");
    vg_strlist_add(&spray->reasons, "412 failed sign-ins against 3 accounts from 2 addresses");
    spray->attribution.actor = vg_xstrdup("STRONTIUM");
    spray->attribution.confidence = VG_CONF_MODERATE;
    vg_strlist_add(&spray->attribution.evidence, "198.51.100.7 is a STRONTIUM indicator");
    vg_strlist_add(&spray->attribution.evidence,
                   "same infrastructure as the campaign against Zenith Pharma");
    vg_finding_add_evidence(spray, "/data/helix/signins.json", 120);
    vg_finding_add_evidence(spray, "/data/zenith/signins.json", 4);

    vg_finding *comp = finding("cred.compromise", "helix", "alice@helixbio.example", T0 + DAY);
    vg_strlist_add(&comp->attack, "T1078.004");
    comp->outcome = VG_OUT_SUCCEEDED;
    comp->severity = VG_SEV_CRITICAL;
    comp->counts = (vg_counts){.attempts = 1, .accounts = 1, .ips = 1, .succeeded = 1};
    vg_strlist_add(&comp->entities.accounts, "alice@helixbio.example");
    vg_strlist_add(&comp->roles.compromised, "alice@helixbio.example");
    vg_strlist_add(&comp->roles.attacker_ips, "198.51.100.7");
    vg_strlist_add(&comp->reasons, "successful sign-in from a spraying address");

    vg_finding *phish = finding("phish.credential_link", "helix", "msg1", T0 + HOUR);
    vg_strlist_add(&phish->attack, "T1566.002");
    phish->outcome = VG_OUT_ATTEMPTED;
    phish->counts = (vg_counts){.messages = 2};
    vg_strlist_add(&phish->roles.targeted, "dave@helixbio.example");
    vg_strlist_add(&phish->entities.domains, "helixbio-login.example");
    vg_strlist_add(&phish->entities.domains, "helixbio.example"); /* the org's own: not an IOC */
    vg_strlist_add(&phish->entities.urls, "https://helixbio-login.example/o365?u=dave");
    vg_strlist_add(&phish->entities.messages, "<a'b\\c@evil.example>");
    vg_strlist_add(&phish->entities.hashes,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    vg_strlist_addf(&phish->reasons, "display name %s impersonates the IT desk", HOSTILE);
    vg_strlist_addf(&phish->reasons, "subject: %s", HOSTILE);

    vg_finding *zp = finding("phish.lure", "zenith", "msg2", T0 + 2 * HOUR);
    vg_strlist_add(&zp->attack, "T1566.002");
    zp->outcome = VG_OUT_ATTEMPTED;
    vg_strlist_add(&zp->roles.targeted, "eve@zenith.example");
    vg_strlist_add(&zp->reasons, "sent to Zenith Pharma researchers");
    zp->attribution.actor = vg_xstrdup("STRONTIUM");
    zp->attribution.confidence = VG_CONF_HIGH;

    vg_finding *of = finding("cred.spray", "orion", "203.0.113.0/24", T0 + 3 * DAY);
    vg_strlist_add(&of->attack, "T1110.003");
    of->outcome = VG_OUT_BLOCKED;
    of->counts = (vg_counts){.attempts = 30, .blocked = 30};
    vg_strlist_add(&of->roles.targeted, "frank@orion.example");

    vg_finding *fs[] = {spray, comp, phish, zp, of};
    for (size_t i = 0; i < 5; i++) {
        vg_finding_normalize(fs[i]);
        vg_findings_push(&fx->all, fs[i]);
    }
    fx->members = vg_xcalloc(fx->all.n, sizeof *fx->members);
    for (size_t i = 0; i < fx->all.n; i++)
        fx->members[fx->n_members++] = fx->all.v[i];

    vg_campaign *c = &fx->camp;
    memset(c, 0, sizeof *c);
    strcpy(c->id, "c-00112233aabbccdd");
    c->actor = vg_xstrdup("STRONTIUM");
    c->confidence = VG_CONF_HIGH;
    vg_strlist_add(&c->aliases, "APT28");
    vg_strlist_add(&c->aliases, "Fancy Bear");
    vg_strlist_add(&c->orgs, "helix");
    vg_strlist_add(&c->orgs, "orion");
    vg_strlist_add(&c->orgs, "zenith");
    for (size_t i = 0; i < fx->all.n; i++)
        vg_strlist_add(&c->findings, fx->all.v[i]->id);
    c->first_seen = T0;
    c->last_seen = T0 + 6 * DAY;
}

static void campaign_clear(vg_campaign *c)
{
    free(c->actor);
    vg_strlist *ls[] = {&c->aliases,     &c->orgs,    &c->countries, &c->kinds, &c->techniques,
                        &c->compromised, &c->findings, &c->ips,      &c->domains, &c->urls,
                        &c->hashes,      &c->reasons, &c->merged};
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++)
        vg_strlist_free(ls[i]);
}

static void fixture_free(fixture *fx)
{
    free(fx->members);
    vg_findings_free(&fx->all);
    vg_notify_orgs_free(&fx->orgs);
    campaign_clear(&fx->camp);
    vg_notify_settings_clear(&fx->settings);
}

static vg_notice *notice_for(fixture *fx, const char *org)
{
    return vg_notice_build(&fx->camp, fx->members, fx->n_members,
                           vg_notify_orgs_find(&fx->orgs, org), &fx->orgs, NULL, &fx->settings);
}

static char *render(const vg_notice *n, vg_notify_format f)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_notice_render(n, f, &b);
    return vg_buf_steal(&b);
}

static bool has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* No other victim's name, id, domain or account. */
static void assert_no_other_victims(const char *text)
{
    const char *banned[] = {"Zenith", "zenith.example", "eve@", "Orion", "orion.example", "frank@"};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++) {
        if (has_ci(text, banned[i]))
            fail_msg("notice names another victim: '%s'", banned[i]);
    }
}

/* Outside code spans every < is backslash-escaped, so no raw HTML reaches
 * a Markdown renderer. */
static void assert_md_inert(const char *md) { md_assert_inert(md, "<"); }

/* ---- HTML / Markdown / JSON ---------------------------------------------------------------- */

static void test_html_inert(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    vg_notice *n = notice_for(&fx, "helix");
    assert_non_null(n);
    const char *dump = getenv("VIGIL_TEST_DUMP"); /* for reading the output by eye */
    for (int f = 0; dump && f < VG_FMT_COUNT; f++) {
        char path[512], *t = render(n, (vg_notify_format)f);
        snprintf(path, sizeof path, "%s/notice.%s", dump, vg_notify_format_ext((vg_notify_format)f));
        vg_file_write(path, t, strlen(t), NULL);
        free(t);
    }
    char *html = render(n, VG_FMT_HTML);
    /* The only tags are ours: no script, no handler, no external resource. */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;")); /* text, not a tag */
    assert_null(strstr(html, "src=\""));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "\xE2\x80\xAE")); /* RLO never reaches the page */
    assert_null(strchr(html, '\x01'));
    assert_null(strchr(html, '\x1b'));
    assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(html, "[U+202E]"));
    assert_non_null(strstr(html, "[U+001B]"));
    assert_true(vg_utf8_valid(html, strlen(html)));
    assert_non_null(strstr(html, "Content-Security-Policy"));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "TLP:AMBER"));
    /* Led by what succeeded: compromised accounts come before everything else. */
    const char *comp = strstr(html, "<h2>Compromised accounts</h2>");
    const char *who = strstr(html, "<h2>Who</h2>");
    assert_non_null(comp);
    assert_non_null(who);
    assert_true(comp < who);
    /* Mail is compromised: said at the top, with the out-of-band contact. */
    const char *alert = strstr(html, "Your own mail accounts are compromised");
    assert_non_null(alert);
    assert_true(alert < comp);
    assert_non_null(strstr(html, "soc-oob@helix-backup.example"));
    /* CERT for Canada; indicators defanged; the org's own domain is not an IOC. */
    assert_non_null(strstr(html, "CCCS"));
    assert_non_null(strstr(html, "hxxps://helixbio-login[.]example"));
    assert_null(strstr(html, "https://helixbio-login.example"));
    assert_null(strstr(html, "<li><span class=\"v\">helixbio[.]example</span></li>"));
    assert_no_other_victims(html);
    free(html);

    char *md = render(n, VG_FMT_MD);
    assert_md_inert(md);
    assert_null(strstr(md, "\xE2\x80\xAE"));
    assert_null(strchr(md, '\x01'));
    assert_non_null(strstr(md, "\\<script\\>"));
    assert_non_null(strstr(md, "TLP:AMBER"));
    assert_true(vg_utf8_valid(md, strlen(md)));
    assert_no_other_victims(md);
    free(md);
    vg_notice_free(n);
    fixture_free(&fx);
}

static void test_json_valid(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    vg_notice *n = notice_for(&fx, "helix");
    char *js = render(n, VG_FMT_JSON);
    json_error_t je;
    json_t *r = json_loads(js, JSON_REJECT_DUPLICATES, &je);
    if (!r)
        fail_msg("invalid JSON: %s at %d:%d", je.text, je.line, je.column);
    assert_string_equal(json_string_value(json_object_get(r, "tlp")), "TLP:AMBER");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "organization"), "id")),
                        "helix");
    assert_true(json_is_true(json_object_get(r, "mail_compromised")));
    json_t *comp = json_object_get(r, "compromised");
    assert_int_equal(json_array_size(comp), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(comp, 0), "account")),
                        "alice@helixbio.example");
    assert_string_equal(json_string_value(json_object_get(json_array_get(comp, 0), "how")),
                        "signed_in");
    json_t *ov = json_object_get(r, "other_victims");
    assert_int_equal(json_integer_value(json_object_get(ov, "organizations")), 2);
    json_t *cs = json_object_get(ov, "countries");
    assert_int_equal(json_array_size(cs), 2);
    assert_string_equal(json_string_value(json_array_get(cs, 0)), "FR");
    assert_string_equal(json_string_value(json_array_get(cs, 1)), "KR");
    /* The hostile reason survives as data, byte for byte where valid. */
    json_t *fl = json_object_get(r, "findings");
    bool found = false;
    for (size_t i = 0; i < json_array_size(fl); i++) {
        json_t *rs = json_object_get(json_array_get(fl, i), "reasons");
        for (size_t k = 0; k < json_array_size(rs); k++)
            if (strstr(json_string_value(json_array_get(rs, k)), "<script>alert('x')</script>"))
                found = true;
    }
    assert_true(found);
    /* Actions name the compromised account and the CERT. */
    json_t *acts = json_object_get(r, "actions");
    assert_string_equal(json_string_value(json_object_get(json_array_get(acts, 0), "action")),
                        "out_of_band");
    assert_string_equal(json_string_value(json_object_get(json_array_get(acts, 1), "action")),
                        "reset_credentials");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "cert"), "country")),
                        "CA");
    json_decref(r);
    assert_no_other_victims(js);
    free(js);
    vg_notice_free(n);
    fixture_free(&fx);
}

/* ---- STIX ------------------------------------------------------------------------------------- */

static bool valid_stix_id(const char *id, const char *type)
{
    size_t tl = strlen(type);
    if (strncmp(id, type, tl) != 0 || strncmp(id + tl, "--", 2) != 0)
        return false;
    const char *u = id + tl + 2;
    if (strlen(u) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
            return false;
    }
    return true;
}

static bool valid_stix_time(const char *t)
{
    int64_t ms;
    return t && strlen(t) >= 20 && t[strlen(t) - 1] == 'Z' &&
           vg_time_parse_rfc3339(vg_str_from(t), &ms) == VG_OK;
}

/* Checks every object of a bundle; returns the number of objects. */
static size_t check_bundle(const char *text, const char *org_name)
{
    json_error_t je;
    json_t *b = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!b)
        fail_msg("STIX is not JSON: %s", je.text);
    assert_string_equal(json_string_value(json_object_get(b, "type")), "bundle");
    assert_true(valid_stix_id(json_string_value(json_object_get(b, "id")), "bundle"));
    json_t *objs = json_object_get(b, "objects");
    assert_true(json_is_array(objs));
    size_t n = json_array_size(objs);
    json_t *ids = json_object();
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *id = json_string_value(json_object_get(o, "id"));
        assert_non_null(type);
        assert_non_null(id);
        if (!valid_stix_id(id, type))
            fail_msg("bad id %s for %s", id, type);
        if (json_object_get(ids, id))
            fail_msg("duplicate id %s", id);
        json_object_set_new(ids, id, json_true());
        assert_string_equal(json_string_value(json_object_get(o, "spec_version")), "2.1");
        assert_true(valid_stix_time(json_string_value(json_object_get(o, "created"))));
        if (strcmp(type, "marking-definition") != 0) {
            assert_true(valid_stix_time(json_string_value(json_object_get(o, "modified"))));
            assert_true(strcmp(json_string_value(json_object_get(o, "modified")),
                               json_string_value(json_object_get(o, "created"))) >= 0);
            assert_true(json_array_size(json_object_get(o, "object_marking_refs")) == 1);
        }
        const char *need[4] = {NULL};
        if (!strcmp(type, "identity") || !strcmp(type, "threat-actor") ||
            !strcmp(type, "intrusion-set") || !strcmp(type, "campaign") ||
            !strcmp(type, "attack-pattern"))
            need[0] = "name";
        else if (!strcmp(type, "indicator")) {
            need[0] = "pattern";
            need[1] = "pattern_type";
            need[2] = "valid_from";
        } else if (!strcmp(type, "sighting"))
            need[0] = "sighting_of_ref";
        else if (!strcmp(type, "relationship")) {
            need[0] = "relationship_type";
            need[1] = "source_ref";
            need[2] = "target_ref";
        } else if (!strcmp(type, "location"))
            need[0] = "country";
        else if (!strcmp(type, "marking-definition"))
            need[0] = "extensions";
        else
            fail_msg("unexpected object type %s", type);
        for (int k = 0; need[k]; k++)
            if (!json_object_get(o, need[k]))
                fail_msg("%s %s lacks %s", type, id, need[k]);
        if (!strcmp(type, "indicator")) {
            const char *p = json_string_value(json_object_get(o, "pattern"));
            assert_true(p[0] == '[' && p[strlen(p) - 1] == ']');
        }
        if (!strcmp(type, "identity") && org_name &&
            !strcmp(json_string_value(json_object_get(o, "name")), org_name))
            assert_string_equal(json_string_value(json_object_get(o, "identity_class")),
                                "organization");
    }
    /* Every reference resolves inside the bundle. */
    json_array_foreach(objs, i, o)
    {
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            size_t kl = strlen(k);
            if (kl > 4 && !strcmp(k + kl - 4, "_ref")) {
                if (!json_object_get(ids, json_string_value(v)))
                    fail_msg("dangling %s -> %s", k, json_string_value(v));
            } else if (kl > 5 && !strcmp(k + kl - 5, "_refs")) {
                size_t x;
                json_t *r;
                json_array_foreach(v, x, r) if (!json_object_get(ids, json_string_value(r)))
                    fail_msg("dangling %s -> %s", k, json_string_value(r));
            }
        }
    }
    json_decref(ids);
    json_decref(b);
    return n;
}

static void test_stix_bundle(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    vg_notice *n = notice_for(&fx, "helix");
    char *s1 = render(n, VG_FMT_STIX);
    size_t nobj = check_bundle(s1, "Helix Biologics");
    assert_true(nobj > 15);
    assert_non_null(strstr(s1, "\"tlp_2_0\":\"amber\""));
    assert_non_null(strstr(s1, "[ipv6-addr:value = '2001:db8::66']"));
    /* Quote and backslash in a pattern literal are escaped. */
    assert_non_null(strstr(s1, "message_id = '<a\\\\'b\\\\\\\\c@evil.example>'"));
    assert_no_other_victims(s1);
    /* Deterministic: the same bytes again; version 2 keeps every object id. */
    char *s2 = render(n, VG_FMT_STIX);
    assert_string_equal(s1, s2);
    vg_notice_set_version(n, 2);
    char *s3 = render(n, VG_FMT_STIX);
    assert_string_not_equal(s1, s3);
    json_t *a = json_loads(s1, 0, NULL), *b = json_loads(s3, 0, NULL);
    json_t *oa = json_object_get(a, "objects"), *ob = json_object_get(b, "objects");
    assert_int_equal(json_array_size(oa), json_array_size(ob));
    for (size_t i = 0; i < json_array_size(oa); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(oa, i), "id")),
                            json_string_value(json_object_get(json_array_get(ob, i), "id")));
    json_decref(a);
    json_decref(b);
    free(s1);
    free(s2);
    free(s3);
    /* TLP follows the settings. */
    fx.settings.tlp = VG_TLP_RED;
    vg_notice *red = notice_for(&fx, "helix");
    char *s4 = render(red, VG_FMT_STIX);
    check_bundle(s4, NULL);
    assert_non_null(strstr(s4, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"));
    free(s4);
    char *h = render(red, VG_FMT_HTML);
    assert_non_null(strstr(h, "TLP:RED"));
    assert_null(strstr(h, "TLP:AMBER"));
    free(h);
    assert_non_null(strstr(vg_notice_subject(red), "[TLP:RED]"));
    vg_notice_free(red);
    vg_notice_free(n);
    fixture_free(&fx);
}

/* ---- versions: material facts only -------------------------------------------------------------- */

static void test_material_facts(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    vg_notice *n = notice_for(&fx, "helix");
    char h1[65];
    strcpy(h1, vg_notice_content_hash(n));
    vg_notice_free(n);

    /* Wording, counts and evidence are not material. */
    vg_finding *spray = fx.all.v[0];
    assert_string_equal(spray->kind, "cred.spray");
    vg_strlist_add(&spray->reasons, "another sentence");
    spray->counts.attempts += 100;
    vg_strlist_add(&spray->roles.attacker_ips, "198.51.100.99");
    n = notice_for(&fx, "helix");
    assert_string_equal(vg_notice_content_hash(n), h1);
    vg_notice_free(n);

    /* Another compromised account is. */
    vg_strlist_add(&spray->roles.compromised, "bob@helixbio.example");
    n = notice_for(&fx, "helix");
    assert_string_not_equal(vg_notice_content_hash(n), h1);
    assert_int_equal(vg_notice_compromised_count(n), 2);
    char h2[65];
    strcpy(h2, vg_notice_content_hash(n));
    vg_notice_free(n);

    /* So is a new technique, and a change of confidence. */
    vg_strlist_add(&spray->attack, "T1110.001");
    n = notice_for(&fx, "helix");
    assert_string_not_equal(vg_notice_content_hash(n), h2);
    char h3[65];
    strcpy(h3, vg_notice_content_hash(n));
    vg_notice_free(n);
    fx.camp.confidence = VG_CONF_LOW;
    n = notice_for(&fx, "helix");
    assert_string_not_equal(vg_notice_content_hash(n), h3);

    /* Idempotency key: stable per version, different across versions. */
    char k1[36], k2[36];
    vg_notify_idempotency_key("helix", fx.camp.id, 1, vg_notice_content_hash(n), k1);
    assert_string_equal(vg_notice_idempotency_key(n), k1);
    vg_notify_idempotency_key("helix", fx.camp.id, 2, vg_notice_content_hash(n), k2);
    assert_string_not_equal(k1, k2);
    vg_notice_set_version(n, 2);
    assert_string_equal(vg_notice_idempotency_key(n), k2);
    assert_string_equal(vg_notice_basename(n), "c-00112233aabbccdd-v2");
    vg_notice_free(n);
    fixture_free(&fx);
}

static void test_filters(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    /* Orion's only finding is suppressed: Orion is told nothing. */
    vg_notice *n = notice_for(&fx, "orion");
    assert_non_null(n);
    vg_notice_free(n);
    fx.all.v[4]->suppressed = true;
    assert_null(notice_for(&fx, "orion"));
    fx.all.v[4]->suppressed = false;
    /* Below the severity floor: nothing either. */
    fx.all.v[4]->severity = VG_SEV_LOW;
    assert_null(notice_for(&fx, "orion"));
    fx.settings.min_severity = VG_SEV_LOW;
    n = notice_for(&fx, "orion");
    assert_non_null(n);
    assert_false(vg_notice_mail_compromised(n));
    assert_int_equal(vg_notice_compromised_count(n), 0);
    char *md = render(n, VG_FMT_MD);
    assert_non_null(strstr(md, "KrCERT/CC"));
    assert_non_null(strstr(md, "None known"));
    assert_null(has_ci(md, "Helix") ? md : NULL);
    free(md);
    vg_notice_free(n);
    /* An organization outside the campaign: nothing. */
    vg_notify_org *x = (vg_notify_org *)vg_notify_orgs_add_bare(&fx.orgs, "other");
    (void)x;
    assert_null(notice_for(&fx, "other"));
    /* Unattributed campaign. */
    free(fx.camp.actor);
    fx.camp.actor = NULL;
    n = notice_for(&fx, "helix");
    char *html = render(n, VG_FMT_HTML);
    assert_non_null(strstr(html, "Not attributed"));
    free(html);
    char *st = render(n, VG_FMT_STIX);
    check_bundle(st, NULL);
    assert_null(strstr(st, "threat-actor"));
    free(st);
    vg_notice_free(n);
    fixture_free(&fx);
}

/* ---- summary ------------------------------------------------------------------------------------- */

static void test_summary(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    vg_campaign *arr[] = {&fx.camp};
    vg_campaigns cs = {arr, 1, 1};
    const vg_finding *const *mem[] = {fx.members};
    size_t nm[] = {fx.n_members};
    vg_notify_summary *s = vg_notify_summary_build(&cs, mem, nm, &fx.orgs, NULL, &fx.settings);
    assert_string_equal(vg_notify_summary_headline(s),
                        "1 actor targeted 3 organizations in 3 countries; 446 attempts, 440 blocked, "
                        "1 succeeded; 1 account compromised");
    assert_int_equal(vg_notify_summary_actor_count(s), 1);
    const vg_actor_stats *a = vg_notify_summary_actor(s, 0);
    assert_string_equal(a->actor, "STRONTIUM");
    assert_int_equal(a->orgs.n, 3);
    assert_int_equal(a->compromised.n, 1);
    assert_string_equal(a->compromised.v[0], "helix:alice@helixbio.example");
    vg_notify_delivery_row row = {.org = "helix", .campaign = fx.camp.id, .channel = "webhook",
                                  .state = "failed", .target = "https://soc.example/hook",
                                  .error = "HTTP 500 <b>", .version = 1, .attempts = 4};
    vg_notify_summary_set_deliveries(s, &row, 1);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_notify_summary_render(s, VG_FMT_HTML, &b);
    assert_non_null(strstr(b.p, "Helix Biologics")); /* the operator sees every name */
    assert_non_null(strstr(b.p, "Zenith Pharma"));
    assert_non_null(strstr(b.p, "HTTP 500 &lt;b&gt;"));
    assert_null(strstr(b.p, "<script"));
    assert_non_null(strstr(b.p, "TLP:AMBER"));
    vg_buf_reset(&b);
    vg_notify_summary_render(s, VG_FMT_JSON, &b);
    json_t *r = json_loads(b.p, 0, NULL);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "actors")), 1);
    assert_int_equal(json_array_size(json_object_get(r, "organizations")), 3);
    assert_int_equal(json_array_size(json_object_get(r, "notifications")), 1);
    json_decref(r);
    vg_buf_reset(&b);
    vg_notify_summary_render(s, VG_FMT_MD, &b);
    assert_non_null(strstr(b.p, "# Campaign summary"));
    assert_non_null(strstr(b.p, "**TLP:AMBER**"));
    vg_buf_free(&b);
    vg_notify_summary_free(s);
    fixture_free(&fx);
}

/* The operator's STIX bundle: every organization named, actors with all
 * their aliases, one campaign object per campaign, shared objects once. */
static size_t count_type(json_t *objs, const char *type, const char *rel_type)
{
    size_t n = 0, i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "type")), type) != 0)
            continue;
        if (rel_type &&
            strcmp(json_string_value(json_object_get(o, "relationship_type")), rel_type) != 0)
            continue;
        n++;
    }
    return n;
}

static json_t *find_named(json_t *objs, const char *type, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    if (!strcmp(json_string_value(json_object_get(o, "type")), type) &&
        json_is_string(json_object_get(o, "name")) &&
        !strcmp(json_string_value(json_object_get(o, "name")), name))
        return o;
    return NULL;
}

static char *summary_stix(fixture *fx, vg_campaign **arr, size_t nc,
                          const vg_finding *const *const *mem, const size_t *nm,
                          const vg_catalog *cat)
{
    vg_campaigns cs = {arr, nc, nc};
    vg_notify_summary *s = vg_notify_summary_build(&cs, mem, nm, &fx->orgs, cat, &fx->settings);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_notify_summary_render(s, VG_FMT_STIX, &b);
    vg_notify_summary_free(s);
    return vg_buf_steal(&b);
}

static void test_summary_stix(void **state)
{
    (void)state;
    fixture fx;
    fixture_build(&fx);
    fx.settings.tlp = VG_TLP_RED;
    free(fx.settings.sender);
    fx.settings.sender = vg_xstrdup("Example CERT");
    /* An organization name an attacker-facing config could carry. */
    vg_notify_org *z = (vg_notify_org *)vg_notify_orgs_find(&fx.orgs, "zenith");
    free(z->name);
    z->name = vg_xstrdup(HOSTILE);

    /* A second STRONTIUM campaign (another alias, a technique already used)
     * and an unattributed one. */
    vg_finding *f2 = finding("cred.spray", "orion", "192.0.2.0/24", T0 + 4 * DAY);
    vg_strlist_add(&f2->attack, "T1110.003");
    f2->outcome = VG_OUT_BLOCKED;
    f2->counts = (vg_counts){.attempts = 12, .blocked = 12};
    vg_finding *f3 = finding("phish.lure", "zenith", "msg9", T0 + 5 * DAY);
    vg_strlist_add(&f3->attack, "T1566.001");
    f3->outcome = VG_OUT_ATTEMPTED;
    vg_finding_normalize(f2);
    vg_finding_normalize(f3);
    vg_campaign c2 = {0}, c3 = {0};
    strcpy(c2.id, "c-2222222222222222");
    c2.actor = vg_xstrdup("STRONTIUM");
    c2.confidence = VG_CONF_LOW;
    vg_strlist_add(&c2.aliases, "Sofacy");
    vg_strlist_add(&c2.aliases, "APT28");
    vg_strlist_add(&c2.aliases, "Fancy \"Bear\"\n<x>");
    strcpy(c3.id, "c-3333333333333333");
    vg_campaign *arr[] = {&fx.camp, &c2, &c3};
    const vg_finding *m2[] = {f2}, *m3[] = {f3};
    const vg_finding *const *mem[] = {fx.members, m2, m3};
    size_t nm[] = {fx.n_members, 1, 1};
    vg_catalog *cat = vg_catalog_new();
    assert_int_equal(vg_catalog_load_builtin(cat, NULL), VG_OK);

    char *st = summary_stix(&fx, arr, 3, mem, nm, cat);
    check_bundle(st, "Helix Biologics");
    json_t *b = json_loads(st, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(b);
    json_t *objs = json_object_get(b, "objects");
    /* The TLP marking, and every other object marked with it. */
    assert_int_equal(count_type(objs, "marking-definition", NULL), 1);
    json_t *md = json_array_get(objs, 0);
    assert_string_equal(json_string_value(json_object_get(md, "name")), "TLP:RED");
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        if (i == 0)
            continue;
        json_t *refs = json_object_get(o, "object_marking_refs");
        assert_string_equal(json_string_value(json_array_get(refs, 0)),
                            json_string_value(json_object_get(md, "id")));
    }
    /* Sender + three organizations, the hostile name intact. */
    assert_int_equal(count_type(objs, "identity", NULL), 4);
    json_t *sender = find_named(objs, "identity", "Example CERT");
    assert_non_null(sender);
    json_array_foreach(objs, i, o)
    if (i > 0 && o != sender)
        assert_string_equal(json_string_value(json_object_get(o, "created_by_ref")),
                            json_string_value(json_object_get(sender, "id")));
    assert_non_null(find_named(objs, "identity", "Helix Biologics"));
    assert_non_null(find_named(objs, "identity", "Orion Vaccines"));
    assert_non_null(strstr(st, "<script>alert")); /* JSON-escaped only where JSON needs it */
    /* One actor, every alias its campaigns name, its origin. */
    assert_int_equal(count_type(objs, "threat-actor", NULL), 1);
    assert_int_equal(count_type(objs, "intrusion-set", NULL), 1);
    json_t *is = find_named(objs, "intrusion-set", "STRONTIUM");
    assert_non_null(is);
    json_t *al = json_object_get(is, "aliases");
    assert_int_equal(json_array_size(al), 4);
    bool hostile_alias = false, sofacy = false;
    json_array_foreach(al, i, o)
    {
        hostile_alias |= !strcmp(json_string_value(o), "Fancy \"Bear\"\n<x>");
        sofacy |= !strcmp(json_string_value(o), "Sofacy");
    }
    assert_true(hostile_alias && sofacy);
    /* Countries of the victims and of the actor (RU), once each. */
    assert_int_equal(count_type(objs, "location", NULL), 4);
    assert_int_equal(count_type(objs, "relationship", "located-at"), 4);
    /* Campaigns, what they targeted, who they are attributed to. */
    assert_int_equal(count_type(objs, "campaign", NULL), 3);
    assert_non_null(find_named(objs, "campaign", "STRONTIUM campaign c-00112233aabbccdd"));
    json_t *c2o = find_named(objs, "campaign", "STRONTIUM campaign c-2222222222222222");
    assert_non_null(c2o);
    assert_non_null(find_named(objs, "campaign", "Unattributed campaign c-3333333333333333"));
    char t1[VG_TIME_STRLEN];
    vg_time_format_rfc3339(T0 + 4 * DAY, true, t1);
    assert_string_equal(json_string_value(json_object_get(c2o, "first_seen")), t1);
    assert_int_equal(count_type(objs, "relationship", "targets"), 5);
    size_t attributed = 0;
    json_array_foreach(objs, i, o)
    {
        const char *rt = json_string_value(json_object_get(o, "relationship_type"));
        if (!rt || strcmp(rt, "attributed-to") != 0 ||
            strncmp(json_string_value(json_object_get(o, "source_ref")), "campaign--", 10) != 0)
            continue;
        attributed++;
        assert_string_equal(json_string_value(json_object_get(o, "target_ref")),
                            json_string_value(json_object_get(is, "id")));
    }
    assert_int_equal(attributed, 2);
    /* Techniques once each (T1110.003 in two campaigns: check_bundle rejects twice). */
    assert_int_equal(count_type(objs, "attack-pattern", NULL), 5);
    /* Same ids as the organizations' own bundles. */
    vg_notice *n = notice_for(&fx, "helix");
    char *ns = render(n, VG_FMT_STIX);
    assert_non_null(strstr(ns, json_string_value(json_object_get(is, "id"))));
    assert_non_null(strstr(ns, json_string_value(json_object_get(sender, "id"))));
    free(ns);
    vg_notice_free(n);
    json_decref(b);

    /* Byte-identical when built and rendered again. */
    char *again = summary_stix(&fx, arr, 3, mem, nm, cat);
    assert_string_equal(st, again);
    free(again);
    /* An empty summary is still a valid bundle: marking and sender. */
    char *empty = summary_stix(&fx, arr, 0, mem, nm, cat);
    assert_int_equal(check_bundle(empty, NULL), 2);
    free(empty);
    free(st);

    vg_catalog_free(cat);
    vg_finding_free(f2);
    vg_finding_free(f3);
    campaign_clear(&c2);
    campaign_clear(&c3);
    fixture_free(&fx);
}

/* ---- helpers ---------------------------------------------------------------------------------------- */

static char *esc_html(const char *s, size_t n)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_html_escape(&b, s, n);
    return vg_buf_steal(&b);
}

static void test_escaping(void **state)
{
    (void)state;
    char *h = esc_html("a<b>&\"'", 7);
    assert_string_equal(h, "a&lt;b&gt;&amp;&quot;&#39;");
    free(h);
    h = esc_html("x\0y", 3);
    assert_string_equal(h, "x[U+0000]y");
    free(h);
    h = esc_html("\xE2\x81\xA6" "abc\xE2\x81\xA9 \xE2\x80\x8B \xC2\x85", 16);
    assert_string_equal(h, "[U+2066]abc[U+2069] [U+200B] [U+0085]");
    free(h);
    h = esc_html("bad \xC0\xAF \xED\xA0\x80 ok \xC3\xA9", 16);
    assert_string_equal(h, "bad \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD ok \xC3\xA9");
    free(h);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_md_escape(&b, "*bold* [x](y) `c` a|b\nnext <i>");
    assert_string_equal(b.p, "\\*bold\\* \\[x\\](y) \\`c\\` a\\|b next \\<i\\>");
    vg_buf_reset(&b);
    vg_defang(&b, "https://evil.example/a.b?c=d.e");
    assert_string_equal(b.p, "hxxps://evil[.]example/a.b?c=d.e");
    vg_buf_reset(&b);
    vg_defang(&b, "198.51.100.7");
    assert_string_equal(b.p, "198[.]51[.]100[.]7");
    vg_buf_reset(&b);
    vg_defang(&b, "2001:db8::1");
    assert_string_equal(b.p, "2001[:]db8[:][:]1");
    vg_buf_reset(&b);
    vg_defang(&b, "HTTP://X.Y/");
    assert_string_equal(b.p, "hxxp://X[.]Y/");
    vg_buf_free(&b);

    vg_tlp t;
    assert_true(vg_tlp_parse("amber+strict", &t));
    assert_int_equal(t, VG_TLP_AMBER_STRICT);
    assert_true(vg_tlp_parse("TLP:WHITE", &t));
    assert_int_equal(t, VG_TLP_CLEAR);
    assert_false(vg_tlp_parse("purple", &t));
    assert_string_equal(vg_cert_for("fr")->name, "CERT-FR (ANSSI)");
    assert_non_null(strstr(vg_cert_for("IN")->name, "CERT-In"));
    assert_non_null(strstr(vg_cert_for("US")->name, "CISA"));
    assert_string_equal(vg_cert_for("ZZ")->country, "");
    assert_string_equal(vg_cert_for(NULL)->country, "");
    assert_string_equal(vg_technique_name("T1110.003"), "Brute Force: Password Spraying");
    assert_string_equal(vg_technique_name("T1110.999"), "Brute Force"); /* parent */
    assert_null(vg_technique_name("T9999"));
}

static void test_config(void **state)
{
    (void)state;
    static const char cfg[] =
        "tlp: GREEN\n"
        "organizations:\n"
        "  - id: helix\n"
        "    name: Helix Biologics\n"
        "    country: ca\n"
        "    domains: [HelixBio.example]\n"
        "    notify:\n"
        "      contact: soc@helix-oob.example\n"
        "      webhook: {url: 'https://hooks.example/v?token=abc', secret_env: HELIX_SECRET}\n"
        "      smtp: {url: 'smtp://127.0.0.1:2525', from: vigil@isac.example, to: [soc@helixbio.example]}\n"
        "notify:\n"
        "  min_severity: high\n"
        "  sender: Example ISAC\n";
    vg_error e = {0};
    vg_yaml_doc *d = vg_yaml_load_string(cfg, sizeof cfg - 1, "cfg.yaml", &e);
    assert_non_null(d);
    vg_notify_orgs orgs = {0};
    vg_notify_settings st;
    vg_notify_settings_init(&st);
    assert_int_equal(vg_notify_config_load(vg_yaml_root(d), "cfg.yaml", &orgs, &st, &e), VG_OK);
    assert_int_equal(st.tlp, VG_TLP_GREEN);
    assert_int_equal(st.min_severity, VG_SEV_HIGH);
    assert_string_equal(st.sender, "Example ISAC");
    assert_int_equal(orgs.n, 1);
    const vg_notify_org *o = &orgs.v[0];
    assert_string_equal(o->country, "CA");
    assert_string_equal(o->domains.v[0], "helixbio.example");
    vg_channel ch[VG_CHANNEL_COUNT];
    assert_int_equal(vg_notify_org_channels(o, ch), 3);
    /* Targets never carry credentials or query tokens. */
    vg_buf t;
    vg_buf_init(&t, 0);
    vg_notify_channel_target(o, VG_CHANNEL_WEBHOOK, NULL, false, &t);
    assert_string_equal(t.p, "https://hooks.example/v");
    vg_buf_reset(&t);
    vg_notify_channel_target(o, VG_CHANNEL_SMTP, NULL, true, &t);
    assert_string_equal(t.p, "soc@helix-oob.example"); /* own domain skipped when compromised */
    vg_buf_free(&t);
    /* JSON round trip (what the store keeps). */
    char *js = vg_notify_org_to_json(o);
    vg_notify_org back;
    assert_int_equal(vg_notify_org_from_json(js, strlen(js), &back, &e), VG_OK);
    char *js2 = vg_notify_org_to_json(&back);
    assert_string_equal(js, js2);
    free(js);
    free(js2);
    vg_notify_org_clear(&back);
    char *ss = vg_notify_settings_to_json(&st);
    vg_notify_settings st2;
    assert_int_equal(vg_notify_settings_from_json(ss, strlen(ss), &st2, &e), VG_OK);
    assert_int_equal(st2.tlp, VG_TLP_GREEN);
    assert_string_equal(st2.sender, "Example ISAC");
    free(ss);
    vg_notify_settings_clear(&st2);
    vg_notify_orgs_free(&orgs);
    vg_notify_settings_clear(&st);
    vg_yaml_free(d);

    /* Refused: a bad id, a secret in the file, an unknown TLP. */
    const char *bad[] = {
        "organizations:\n  - id: Bad Id\n",
        "organizations:\n  - id: x\n    notify:\n      webhook: {url: 'https://h/', secret: s3cr3t}\n",
        "tlp: PURPLE\n",
        "organizations:\n  - id: a\n  - id: a\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = vg_yaml_load_string(bad[i], strlen(bad[i]), "bad.yaml", &e);
        assert_non_null(d);
        vg_notify_settings_init(&st);
        assert_int_equal(vg_notify_config_load(vg_yaml_root(d), "bad.yaml", &orgs, &st, &e), VG_EINVAL);
        assert_non_null(strstr(e.msg, "bad.yaml:"));
        assert_null(strstr(e.msg, "s3cr3t"));
        vg_notify_orgs_free(&orgs);
        vg_notify_settings_clear(&st);
        vg_yaml_free(d);
    }
}

int main(void)
{
    vg_log_set_level(VG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_inert),   cmocka_unit_test(test_json_valid),
        cmocka_unit_test(test_stix_bundle),  cmocka_unit_test(test_material_facts),
        cmocka_unit_test(test_filters),      cmocka_unit_test(test_summary), cmocka_unit_test(test_summary_stix),
        cmocka_unit_test(test_escaping),     cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
