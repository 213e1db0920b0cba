/* render_stix.c — a notice as a STIX 2.1 bundle: the TLP marking, the
 * sender and the organization (identity, location), the campaign, the actor
 * (threat-actor and intrusion-set), the techniques (attack-pattern),
 * indicators of the attacker's infrastructure with sightings by the
 * organization, and the relationships between them.
 *
 * Ids are UUIDv5 of stable keys ("indicator:ipv4-addr:198.51.100.7"), so
 * rendering again, or for another version, never duplicates an object in
 * MISP or OpenCTI; only `modified` moves. Objects that do not belong to one
 * campaign (identities, actors, techniques) carry a fixed timestamp. */
#include <stdio.h>
#include <string.h>

#include "notify/notify_int.h"

/* vigil's UUIDv5 namespace (random, fixed forever). */
static const uint8_t NS[16] = {0x4c, 0x1d, 0x8e, 0x52, 0x7a, 0x0b, 0x4f, 0x3e,
                               0x9b, 0x61, 0x2d, 0x5a, 0xc8, 0x70, 0x13, 0xe4};
#define FIXED_TIME "2020-01-01T00:00:00.000Z"

static const struct {
    const char *id, *name, *level;
} TLP_DEFS[] = {
    [VG_TLP_CLEAR] = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"},
    [VG_TLP_GREEN] = {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"},
    [VG_TLP_AMBER] = {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"},
    [VG_TLP_AMBER_STRICT] = {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                             "TLP:AMBER+STRICT", "amber+strict"},
    [VG_TLP_RED] = {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"},
};
#define TLP_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* "<type>--<uuid5(key)>" into out (80 bytes). */
static void stix_id(const char *type, const char *key, char out[80])
{
    char u[37];
    vg_uuid5(NS, key, strlen(key), u);
    snprintf(out, 80, "%s--%s", type, u);
}

void vg_stix_id(const char *type, char out[VG_STIX_ID_LEN], const char *fmt, ...)
{
    char key[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    stix_id(type, key, out);
}

void vg_stix_init(vg_stix *s, vg_json *j, vg_tlp tlp, const char *sender)
{
    memset(s, 0, sizeof *s);
    s->j = j;
    s->tlp = tlp <= VG_TLP_RED ? tlp : VG_TLP_AMBER;
    s->marking = TLP_DEFS[s->tlp].id;
    vg_stix_id("identity", s->creator, "identity:sender:%s", sender);
}

void vg_stix_obj_begin(vg_stix *s, const char *type, const char *id, bool fixed)
{
    vg_json *j = s->j;
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "type", type);
    vg_json_kv_str(j, "spec_version", "2.1");
    vg_json_kv_str(j, "id", id);
    vg_json_kv_str(j, "created", fixed ? FIXED_TIME : s->created);
    vg_json_kv_str(j, "modified", fixed ? FIXED_TIME : s->modified);
    if (strcmp(id, s->creator) != 0)
        vg_json_kv_str(j, "created_by_ref", s->creator);
    vg_json_key(j, "object_marking_refs");
    vg_json_arr_begin(j);
    vg_json_str(j, s->marking);
    vg_json_arr_end(j);
}

void vg_stix_relationship(vg_stix *s, const char *type, const char *src, const char *dst,
                          bool fixed, int confidence)
{
    char id[80];
    vg_stix_id("relationship", id, "relationship:%s:%s:%s", src, type, dst);
    vg_stix_obj_begin(s, "relationship", id, fixed);
    vg_json_kv_str(s->j, "relationship_type", type);
    vg_json_kv_str(s->j, "source_ref", src);
    vg_json_kv_str(s->j, "target_ref", dst);
    if (confidence >= 0)
        vg_json_kv_int(s->j, "confidence", confidence);
    vg_json_obj_end(s->j);
}

/* The TLP 2.0 marking definition, as published by OASIS. */
void vg_stix_marking_definition(vg_stix *s)
{
    vg_json *j = s->j;
    vg_tlp t = s->tlp;
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "type", "marking-definition");
    vg_json_kv_str(j, "spec_version", "2.1");
    vg_json_kv_str(j, "id", TLP_DEFS[t].id);
    vg_json_kv_str(j, "created", "2022-10-01T00:00:00.000Z");
    vg_json_kv_str(j, "name", TLP_DEFS[t].name);
    vg_json_key(j, "extensions");
    vg_json_obj_begin(j);
    vg_json_key(j, TLP_EXTENSION);
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "extension_type", "property-extension");
    vg_json_kv_str(j, "tlp_2_0", TLP_DEFS[t].level);
    vg_json_obj_end(j);
    vg_json_obj_end(j);
    vg_json_obj_end(j);
}

void vg_stix_sender(vg_stix *s, const char *sender, const char *contact)
{
    vg_stix_obj_begin(s, "identity", s->creator, true);
    vg_json_kv_str(s->j, "name", sender);
    vg_json_kv_str(s->j, "identity_class", "organization");
    if (contact)
        vg_json_kv_str(s->j, "contact_information", contact);
    vg_json_obj_end(s->j);
}

/* The actor as a threat-actor and an intrusion-set (ids into ta and is),
 * the set attributed to the actor. */
void vg_stix_actor(vg_stix *s, const char *actor, const vg_strlist *aliases, const char *origin,
                   char ta[VG_STIX_ID_LEN], char is[VG_STIX_ID_LEN])
{
    vg_json *j = s->j;
    vg_stix_id("threat-actor", ta, "threat-actor:%s", actor);
    vg_stix_id("intrusion-set", is, "intrusion-set:%s", actor);
    const char *types[] = {"threat-actor", "intrusion-set"};
    const char *ids[] = {ta, is};
    for (int k = 0; k < 2; k++) {
        vg_stix_obj_begin(s, types[k], ids[k], true);
        vg_json_kv_str(j, "name", actor);
        if (aliases && aliases->n) {
            vg_json_key(j, "aliases");
            vg_json_arr_begin(j);
            for (size_t i = 0; i < aliases->n; i++)
                vg_json_str(j, aliases->v[i]);
            vg_json_arr_end(j);
        }
        if (k == 0) {
            vg_json_key(j, "threat_actor_types");
            vg_json_arr_begin(j);
            vg_json_str(j, origin ? "nation-state" : "unknown");
            vg_json_arr_end(j);
        }
        vg_json_obj_end(j);
    }
    vg_stix_relationship(s, "attributed-to", is, ta, true, -1);
}

/* STIX pattern string literal: ' and \ escaped. */
static void pattern_value(vg_buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\'' || *v == '\\')
            vg_buf_putc(b, '\\');
        vg_buf_putc(b, *v);
    }
}

static bool is_hex64(const char *s)
{
    size_t n = strlen(s);
    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

/* How many of the organization's findings name the value (at least 1). */
static int64_t sightings_of(const vg_notice *n, const char *v, int64_t *first, int64_t *last)
{
    int64_t c = 0;
    *first = n->first_seen;
    *last = n->last_seen;
    bool any = false;
    for (size_t i = 0; i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        const vg_strlist *ls[] = {&f->roles.attacker_ips, &f->entities.ips, &f->entities.domains,
                                  &f->entities.urls, &f->entities.messages, &f->entities.hashes};
        for (size_t k = 0; k < sizeof ls / sizeof ls[0]; k++) {
            if (!vg_strlist_has(ls[k], v))
                continue;
            c++;
            if (!any || f->first_seen < *first)
                *first = f->first_seen;
            if (!any || f->last_seen > *last)
                *last = f->last_seen;
            any = true;
            break;
        }
    }
    return c ? c : 1;
}

static void indicator(vg_stix *s, const vg_notice *n, const char *org_identity, const char *campaign_id,
                      const char *actor_id, const char *kind, const char *value)
{
    vg_buf pat;
    vg_buf_init(&pat, 0);
    const char *type;
    if (strcmp(kind, "ip") == 0) {
        vg_ip ip;
        bool v6 = vg_ip_parse(vg_str_from(value), &ip) == VG_OK && ip.family == 6;
        type = v6 ? "ipv6-addr" : "ipv4-addr";
        vg_buf_printf(&pat, "[%s:value = '", type);
    } else if (strcmp(kind, "domain") == 0) {
        type = "domain-name";
        vg_buf_puts(&pat, "[domain-name:value = '");
    } else if (strcmp(kind, "url") == 0) {
        type = "url";
        vg_buf_puts(&pat, "[url:value = '");
    } else if (strcmp(kind, "message") == 0) {
        type = "email-message";
        vg_buf_puts(&pat, "[email-message:message_id = '");
    } else {
        type = "file";
        vg_buf_puts(&pat, "[file:hashes.'SHA-256' = '");
    }
    pattern_value(&pat, value);
    vg_buf_puts(&pat, "']");

    char id[80], sid[80];
    vg_stix_id("indicator", id, "indicator:%s:%s", type, value);
    int64_t first, last;
    int64_t count = sightings_of(n, value, &first, &last);
    char vf[VG_TIME_STRLEN], t1[VG_TIME_STRLEN], t2[VG_TIME_STRLEN];
    vg_fmt_stix_time(n->first_seen, vf);
    vg_fmt_stix_time(first, t1);
    vg_fmt_stix_time(last, t2);

    vg_stix_obj_begin(s, "indicator", id, false);
    vg_json_kv_str(s->j, "name", value);
    vg_json_key(s->j, "indicator_types");
    vg_json_arr_begin(s->j);
    vg_json_str(s->j, strcmp(kind, "ip") == 0 ? "malicious-activity" : "malicious-activity");
    vg_json_arr_end(s->j);
    vg_json_kv_str(s->j, "pattern", vg_buf_cstr(&pat));
    vg_json_kv_str(s->j, "pattern_type", "stix");
    vg_json_kv_str(s->j, "valid_from", vf);
    vg_json_obj_end(s->j);
    vg_buf_free(&pat);

    vg_stix_id("sighting", sid, "sighting:%s:%s:%s", n->org_id, n->campaign_id, id);
    vg_stix_obj_begin(s, "sighting", sid, false);
    vg_json_kv_str(s->j, "sighting_of_ref", id);
    vg_json_key(s->j, "where_sighted_refs");
    vg_json_arr_begin(s->j);
    vg_json_str(s->j, org_identity);
    vg_json_arr_end(s->j);
    vg_json_kv_str(s->j, "first_seen", t1);
    vg_json_kv_str(s->j, "last_seen", t2);
    vg_json_kv_int(s->j, "count", count);
    vg_json_obj_end(s->j);

    vg_stix_relationship(s, "indicates", id, campaign_id, false, -1);
    if (actor_id)
        vg_stix_relationship(s, "indicates", id, actor_id, false, -1);
}

/* An ATT&CK technique: named in words, referenced by its id. */
void vg_stix_attack_pattern(vg_stix *s, const char *tid, const char *id)
{
    vg_stix_obj_begin(s, "attack-pattern", id, true);
    const char *tname = vg_technique_name(tid);
    vg_json_kv_str(s->j, "name", tname ? tname : tid);
    vg_json_key(s->j, "external_references");
    vg_json_arr_begin(s->j);
    vg_json_obj_begin(s->j);
    vg_json_kv_str(s->j, "source_name", "mitre-attack");
    vg_json_kv_str(s->j, "external_id", tid);
    vg_json_obj_end(s->j);
    vg_json_arr_end(s->j);
    vg_json_obj_end(s->j);
}

int vg_stix_confidence(vg_confidence c)
{
    switch (c) {
    case VG_CONF_HIGH: return 85;
    case VG_CONF_MODERATE: return 50;
    case VG_CONF_LOW: return 15;
    default: return 0;
    }
}

void vg_notice_render_stix(const vg_notice *n, vg_buf *out)
{
    vg_json j;
    vg_json_init(&j, out);
    vg_stix s;
    vg_stix_init(&s, &j, n->tlp, n->sender);
    vg_fmt_stix_time(n->first_seen, s.created);
    vg_fmt_stix_time(n->last_seen, s.modified);

    char bundle[80];
    vg_stix_id("bundle", bundle, "bundle:%s:%s:%d", n->org_id, n->campaign_id, n->version);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "type", "bundle");
    vg_json_kv_str(&j, "id", bundle);
    vg_json_key(&j, "objects");
    vg_json_arr_begin(&j);

    vg_stix_marking_definition(&s);

    /* Who says it. */
    vg_stix_sender(&s, n->sender, n->sender_contact);

    /* The organization. */
    char org[80];
    vg_stix_id("identity", org, "identity:org:%s", n->org_id);
    vg_stix_obj_begin(&s, "identity", org, true);
    vg_json_kv_str(&j, "name", n->org_name);
    vg_json_kv_str(&j, "identity_class", "organization");
    if (n->org_sector) {
        vg_json_key(&j, "sectors");
        vg_json_arr_begin(&j);
        vg_json_str(&j, n->org_sector);
        vg_json_arr_end(&j);
    }
    vg_json_obj_end(&j);
    if (n->org_country) {
        char loc[80];
        vg_stix_id("location", loc, "location:country:%s", n->org_country);
        vg_stix_obj_begin(&s, "location", loc, true);
        vg_json_kv_str(&j, "country", n->org_country);
        vg_json_obj_end(&j);
        vg_stix_relationship(&s, "located-at", org, loc, true, -1);
    }

    /* The campaign. */
    char camp[80];
    vg_stix_id("campaign", camp, "campaign:%s", n->campaign_id);
    vg_stix_obj_begin(&s, "campaign", camp, false);
    vg_buf name;
    vg_buf_init(&name, 0);
    vg_buf_printf(&name, "%s campaign %s", n->actor ? n->actor : "Unattributed", n->campaign_id);
    vg_json_kv_str(&j, "name", vg_buf_cstr(&name));
    vg_buf_free(&name);
    vg_buf h;
    vg_buf_init(&h, 0);
    vg_notice_headline(n, &h);
    vg_json_kv_str(&j, "description", vg_buf_cstr(&h));
    vg_buf_free(&h);
    char t1[VG_TIME_STRLEN], t2[VG_TIME_STRLEN];
    vg_fmt_stix_time(n->first_seen, t1);
    vg_fmt_stix_time(n->last_seen, t2);
    vg_json_kv_str(&j, "first_seen", t1);
    vg_json_kv_str(&j, "last_seen", t2);
    vg_json_obj_end(&j);
    vg_stix_relationship(&s, "targets", camp, org, false, -1);

    /* The actor. */
    char ta[80] = "", is[80] = "";
    if (n->actor) {
        vg_stix_actor(&s, n->actor, &n->aliases, n->actor_origin, ta, is);
        vg_stix_relationship(&s, "attributed-to", camp, is, false, vg_stix_confidence(n->confidence));
        if (n->actor_origin) {
            char loc[80];
            vg_stix_id("location", loc, "location:country:%s", n->actor_origin);
            if (!n->org_country || strcmp(n->org_country, n->actor_origin) != 0) {
                vg_stix_obj_begin(&s, "location", loc, true);
                vg_json_kv_str(&j, "country", n->actor_origin);
                vg_json_obj_end(&j);
            }
            vg_stix_relationship(&s, "located-at", ta, loc, true, -1);
        }
    }

    /* Techniques. */
    for (size_t i = 0; i < n->techniques.n; i++) {
        const char *tid = n->techniques.v[i];
        char ap[80];
        vg_stix_id("attack-pattern", ap, "attack-pattern:%s", tid);
        vg_stix_attack_pattern(&s, tid, ap);
        vg_stix_relationship(&s, "uses", camp, ap, false, -1);
        if (n->actor)
            vg_stix_relationship(&s, "uses", is, ap, true, -1);
    }

    /* Indicators of the attacker's infrastructure, sighted by the organization. */
    const char *actor_ref = n->actor ? is : NULL;
    for (size_t i = 0; i < n->ips.n; i++)
        indicator(&s, n, org, camp, actor_ref, "ip", n->ips.v[i]);
    for (size_t i = 0; i < n->domains.n; i++)
        indicator(&s, n, org, camp, actor_ref, "domain", n->domains.v[i]);
    for (size_t i = 0; i < n->urls.n; i++)
        indicator(&s, n, org, camp, actor_ref, "url", n->urls.v[i]);
    for (size_t i = 0; i < n->messages.n; i++)
        indicator(&s, n, org, camp, actor_ref, "message", n->messages.v[i]);
    for (size_t i = 0; i < n->hashes.n; i++)
        if (is_hex64(n->hashes.v[i]))
            indicator(&s, n, org, camp, actor_ref, "hash", n->hashes.v[i]);

    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_buf_putc(out, '\n');
}
