/* notice.c — one organization's view of one campaign: the facts every
 * renderer reads, the material facts that decide versions, and the
 * safeguard that keeps other victims' names and accounts out of it. */
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"

#define DAY_MS 86400000LL
#define MAX_TIMELINE_DAYS 400
#define MAX_IPS_PER_COMPROMISE 10

/* ---- helpers ------------------------------------------------------------------------ */

bool vg_finding_counts(const vg_finding *f, bool org_has_other_kinds)
{
    return strcmp(f->kind, "ioc.match") != 0 || !org_has_other_kinds;
}

int64_t vg_finding_attempts(const vg_finding *f)
{
    if (f->counts.attempts > 0)
        return f->counts.attempts;
    if (f->counts.messages > 0)
        return f->counts.messages;
    return 1;
}

int64_t vg_finding_blocked(const vg_finding *f)
{
    int64_t a = vg_finding_attempts(f);
    int64_t b = f->counts.blocked;
    if (b == 0 && f->outcome == VG_OUT_BLOCKED)
        b = a;
    /* What succeeded was not blocked, whatever the counts say. */
    int64_t most = a - vg_finding_succeeded(f);
    return b > most ? (most > 0 ? most : 0) : b;
}

int64_t vg_finding_succeeded(const vg_finding *f)
{
    int64_t a = vg_finding_attempts(f);
    int64_t s = f->counts.succeeded;
    if (s == 0 && f->outcome == VG_OUT_SUCCEEDED)
        s = 1;
    return s > a ? a : s;
}

void vg_fmt_day(int64_t ms, char out[16])
{
    vg_tm tm;
    vg_time_to_civil(ms, &tm);
    snprintf(out, 16, "%04d-%02d-%02d", tm.year % 10000, tm.month, tm.day);
}

void vg_fmt_time(int64_t ms, char out[VG_TIME_STRLEN]) { vg_time_format_rfc3339(ms, false, out); }
void vg_fmt_stix_time(int64_t ms, char out[VG_TIME_STRLEN]) { vg_time_format_rfc3339(ms, true, out); }

static int64_t day_floor(int64_t ms)
{
    int64_t d = ms / DAY_MS;
    if (ms % DAY_MS < 0)
        d--;
    return d * DAY_MS;
}

/* ---- timeline ------------------------------------------------------------------------- */

static vg_day *timeline_day(vg_timeline *t, int64_t day)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->v[mid].day_ms < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && t->v[lo].day_ms == day)
        return &t->v[lo];
    t->v = vg_xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
    memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof *t->v);
    t->n++;
    memset(&t->v[lo], 0, sizeof t->v[lo]);
    t->v[lo].day_ms = day;
    return &t->v[lo];
}

static void spread(int64_t total, int64_t days, int64_t i, int64_t *out)
{
    int64_t share = total / days, rem = total % days;
    *out += share + (i < rem ? 1 : 0);
}

void vg_timeline_add(vg_timeline *t, const vg_finding *f)
{
    int64_t first = day_floor(f->first_seen), last = day_floor(f->last_seen);
    if (last < first)
        last = first;
    int64_t days = (last - first) / DAY_MS + 1;
    if (days > MAX_TIMELINE_DAYS) {
        first = last - (MAX_TIMELINE_DAYS - 1) * DAY_MS;
        days = MAX_TIMELINE_DAYS;
    }
    int64_t a = vg_finding_attempts(f), b = vg_finding_blocked(f), s = vg_finding_succeeded(f);
    int64_t other = a - b - s;
    if (other < 0)
        other = 0;
    for (int64_t i = 0; i < days; i++) {
        vg_day *d = timeline_day(t, first + i * DAY_MS);
        spread(other, days, i, &d->attempted);
        spread(b, days, i, &d->blocked);
        /* Successes land on the last day the finding was active. */
        if (i == days - 1)
            d->succeeded += s;
    }
}

void vg_timeline_free(vg_timeline *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* ---- keeping other victims out ------------------------------------------------------------ */

typedef struct scrub {
    const vg_notify_orgs *orgs;
    const char *self;
} scrub;

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Case-insensitive search for needle as a whole word (not inside a longer
 * name: "example.org" is not in "myexample.org", but is in "a.example.org"). */
static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return false;
    for (const char *p = hay; *p; p++) {
        if (strncasecmp(p, needle, n) != 0)
            continue;
        bool before = p == hay || !word_char(p[-1]);
        bool after = !word_char(p[n]);
        if (before && after)
            return true;
    }
    return false;
}

/* True when s names another organization: its id (when distinctive), its
 * name or one of its domains. */
static bool mentions_other(const scrub *sc, const char *s)
{
    if (!s || !sc->orgs)
        return false;
    for (size_t i = 0; i < sc->orgs->n; i++) {
        const vg_notify_org *o = &sc->orgs->v[i];
        if (strcmp(o->id, sc->self) == 0)
            continue;
        if (strlen(o->id) >= 4 && ci_contains(s, o->id))
            return true;
        if (o->name && strlen(o->name) >= 3 && ci_contains(s, o->name))
            return true;
        for (size_t k = 0; k < o->domains.n; k++)
            if (ci_contains(s, o->domains.v[k]))
                return true;
    }
    return false;
}

/* Drops values that name another organization, in place. */
static void scrub_list(const scrub *sc, vg_strlist *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (mentions_other(sc, l->v[i]))
            free(l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
}

static void scrub_finding(const scrub *sc, vg_finding *f)
{
    vg_strlist *lists[] = {&f->entities.accounts, &f->entities.ips,     &f->entities.domains,
                           &f->entities.urls,     &f->entities.messages, &f->entities.hashes,
                           &f->entities.user_agents, &f->roles.compromised, &f->roles.attacker_ips,
                           &f->roles.targeted,    &f->reasons,          &f->attribution.evidence};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        scrub_list(sc, lists[i]);
    size_t k = 0;
    for (size_t i = 0; i < f->n_evidence; i++) {
        if (mentions_other(sc, f->evidence[i].file))
            free(f->evidence[i].file);
        else
            f->evidence[k++] = f->evidence[i];
    }
    f->n_evidence = k;
}

static void add_scrubbed(const scrub *sc, vg_strlist *dst, const vg_strlist *src, size_t cap)
{
    for (size_t i = 0; i < src->n && (cap == 0 || i < cap); i++)
        if (!mentions_other(sc, src->v[i]))
            vg_strlist_add(dst, src->v[i]);
}

/* "Why" reads as an argument, not a dump: a campaign whose findings each hit
 * dozens of listed addresses keeps the first few sentences and says how many
 * more there are (the findings in the store keep every one). */
#define WHY_SHOWN 6
static void compact_why(vg_strlist *why)
{
    static const char more[] = "... and ";
    vg_strlist keep = {0};
    long long hidden = 0;
    for (size_t i = 0; i < why->n; i++) {
        const char *w = why->v[i];
        if (strncmp(w, more, sizeof more - 1) == 0) {
            hidden += strtoll(w + sizeof more - 1, NULL, 10);
            continue;
        }
        if (keep.n < WHY_SHOWN)
            vg_strlist_add(&keep, w);
        else
            hidden++;
    }
    if (hidden > 0)
        vg_strlist_addf(&keep, "... and %lld more pieces of indicator evidence of the same kind "
                               "(listed in the findings)", hidden);
    vg_strlist_free(why);
    *why = keep;
}

static bool domain_is_org(const vg_notify_org *o, const char *domain)
{
    for (size_t i = 0; i < o->domains.n; i++) {
        const char *d = o->domains.v[i];
        size_t dl = strlen(d), nl = strlen(domain);
        if (strcasecmp(domain, d) == 0)
            return true;
        if (nl > dl && domain[nl - dl - 1] == '.' && strcasecmp(domain + nl - dl, d) == 0)
            return true;
    }
    return false;
}

/* ---- building ----------------------------------------------------------------------------------- */

static int cmp_fptr(const void *a, const void *b)
{
    const vg_finding *x = *(const vg_finding *const *)a, *y = *(const vg_finding *const *)b;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    int c = strcmp(x->kind, y->kind);
    return c ? c : strcmp(x->id, y->id);
}

static int cmp_comp(const void *a, const void *b)
{
    const vg_compromise *x = a, *y = b;
    /* Signed in first, then by account. */
    if (x->signed_in != y->signed_in)
        return x->signed_in ? -1 : 1;
    return strcmp(x->account, y->account);
}

static vg_compromise *comp_get(vg_notice *n, const char *account)
{
    for (size_t i = 0; i < n->ncomp; i++)
        if (strcmp(n->comp[i].account, account) == 0)
            return &n->comp[i];
    n->comp = vg_xrealloc(n->comp, (n->ncomp + 1) * sizeof *n->comp);
    vg_compromise *c = &n->comp[n->ncomp++];
    memset(c, 0, sizeof *c);
    c->account = vg_xstrdup(account);
    c->first_seen = INT64_MAX;
    return c;
}

static bool is_kind(const vg_finding *f, const char *prefix)
{
    return strncmp(f->kind, prefix, strlen(prefix)) == 0;
}

static void build_facts_json(vg_notice *n)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "facts", 1);
    vg_json_kv_str(&j, "org", n->org_id);
    vg_json_kv_str(&j, "campaign", n->campaign_id);
    vg_json_key(&j, "actor");
    vg_json_str(&j, n->actor);
    vg_json_kv_str(&j, "confidence", vg_confidence_name(n->confidence));
    vg_json_key(&j, "compromised");
    vg_json_arr_begin(&j);
    /* Sorted by account for the hash, whatever the display order. */
    vg_strlist accts = {0};
    for (size_t i = 0; i < n->ncomp; i++)
        vg_strlist_add(&accts, n->comp[i].account);
    vg_strlist_sort(&accts);
    for (size_t i = 0; i < accts.n; i++) {
        for (size_t k = 0; k < n->ncomp; k++) {
            if (strcmp(n->comp[k].account, accts.v[i]) != 0)
                continue;
            vg_json_obj_begin(&j);
            vg_json_kv_str(&j, "account", n->comp[k].account);
            vg_json_kv_bool(&j, "signed_in", n->comp[k].signed_in);
            vg_json_obj_end(&j);
        }
    }
    vg_strlist_free(&accts);
    vg_json_arr_end(&j);
    vg_json_key(&j, "targeted");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < n->targeted.n; i++)
        vg_json_str(&j, n->targeted.v[i]);
    vg_json_arr_end(&j);
    vg_json_key(&j, "techniques");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < n->techniques.n; i++)
        vg_json_str(&j, n->techniques.v[i]);
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    n->facts = vg_buf_steal(&b);
    uint8_t dg[32];
    vg_sha256_digest(n->facts, strlen(n->facts), dg);
    n->hash = vg_xmalloc(65);
    vg_hex(dg, 32, n->hash);
}

void vg_notify_idempotency_key(const char *org, const char *campaign, int version,
                               const char *content_hash, char out[36])
{
    vg_sha256 h;
    vg_sha256_init(&h);
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *parts[] = {org ? org : "", campaign ? campaign : "", v,
                           content_hash ? content_hash : ""};
    for (size_t i = 0; i < 4; i++)
        vg_sha256_update(&h, parts[i], strlen(parts[i]) + 1); /* with the NUL separator */
    uint8_t dg[32];
    vg_sha256_final(&h, dg);
    char hex[65];
    vg_hex(dg, 32, hex);
    snprintf(out, 36, "vg-%.32s", hex);
}

void vg_notice_set_version(vg_notice *n, int version)
{
    n->version = version < 1 ? 1 : version;
    vg_notify_idempotency_key(n->org_id, n->campaign_id, n->version, n->hash, n->idem);
    free(n->basename);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_printf(&b, "%s-v%d", n->campaign_id, n->version);
    n->basename = vg_buf_steal(&b);
}

static void build_subject(vg_notice *n)
{
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_buf_printf(&b, "[%s] ", vg_tlp_label(n->tlp));
    if (n->mail_compromised)
        vg_buf_puts(&b, "URGENT: ");
    if (n->actor)
        vg_buf_printf(&b, "%s campaign against %s", n->actor, n->org_name);
    else
        vg_buf_printf(&b, "Intrusion campaign against %s", n->org_name);
    if (n->ncomp)
        vg_buf_printf(&b, ": %zu account%s compromised", n->ncomp, n->ncomp == 1 ? "" : "s");
    else
        vg_buf_printf(&b, ": %zu account%s targeted, none compromised", n->targeted.n,
                      n->targeted.n == 1 ? "" : "s");
    /* One line, no controls: the subject goes into a mail header. */
    for (char *p = b.p; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    n->subject = vg_buf_steal(&b);
}

vg_notice *vg_notice_build(const vg_campaign *c, const vg_finding *const *members,
                           size_t n_members, const vg_notify_org *org, const vg_notify_orgs *orgs,
                           const vg_catalog *catalog, const vg_notify_settings *settings)
{
    vg_notify_settings defaults;
    vg_notify_settings_init(&defaults);
    if (!settings)
        settings = &defaults;
    size_t own = 0;
    vg_severity maxsev = VG_SEV_LOW;
    for (size_t i = 0; i < n_members; i++) {
        const vg_finding *f = members[i];
        if (f && !f->suppressed && f->org && strcmp(f->org, org->id) == 0) {
            own++;
            if (f->severity > maxsev)
                maxsev = f->severity;
        }
    }
    if (own == 0 || maxsev < settings->min_severity)
        return NULL;

    vg_notice *n = vg_xcalloc(1, sizeof *n);
    scrub sc = {orgs, org->id};
    n->org_id = vg_xstrdup(org->id);
    n->org_name = vg_xstrdup(org->name ? org->name : org->id);
    n->org_country = org->country ? vg_xstrdup(org->country) : NULL;
    n->org_sector = org->sector ? vg_xstrdup(org->sector) : NULL;
    n->contact = org->contact ? vg_xstrdup(org->contact) : NULL;
    vg_strlist_copy(&n->org_domains, &org->domains);
    n->campaign_id = vg_xstrdup(c->id);
    n->tlp = settings->tlp;
    n->sender = vg_xstrdup(settings->sender ? settings->sender : "vigil");
    n->sender_contact = settings->sender_contact ? vg_xstrdup(settings->sender_contact) : NULL;

    n->f = vg_xcalloc(own, sizeof *n->f);
    for (size_t i = 0; i < n_members; i++) {
        const vg_finding *f = members[i];
        if (f && !f->suppressed && f->org && strcmp(f->org, org->id) == 0) {
            vg_finding *cl = vg_finding_clone(f);
            scrub_finding(&sc, cl);
            n->f[n->nf++] = cl;
        }
    }
    if (n->nf > 1)
        qsort(n->f, n->nf, sizeof *n->f, cmp_fptr);

    n->first_seen = INT64_MAX;
    n->last_seen = INT64_MIN;
    vg_confidence own_conf = VG_CONF_NONE;
    bool other_kinds = false;
    for (size_t i = 0; i < n->nf; i++)
        if (strcmp(n->f[i]->kind, "ioc.match") != 0)
            other_kinds = true;
    for (size_t i = 0; i < n->nf; i++) {
        const vg_finding *f = n->f[i];
        if (f->first_seen < n->first_seen)
            n->first_seen = f->first_seen;
        if (f->last_seen > n->last_seen)
            n->last_seen = f->last_seen;
        vg_strlist_add(&n->kinds, f->kind);
        vg_strlist_add_all(&n->techniques, &f->attack);
        for (size_t k = 0; k < f->roles.compromised.n; k++) {
            const char *acct = f->roles.compromised.v[k];
            if (mentions_other(&sc, acct))
                continue;
            vg_compromise *cp = comp_get(n, acct);
            if (f->outcome == VG_OUT_SUCCEEDED)
                cp->signed_in = true;
            vg_strlist_add(&cp->kinds, f->kind);
            /* When and from where: from the finding most specific to this
             * account (a cred.compromise about it alone beats a spray that
             * names forty), merged among equally specific ones. */
            size_t spec = f->roles.compromised.n;
            if (cp->specificity == 0 || spec < cp->specificity) {
                cp->specificity = spec;
                cp->first_seen = f->first_seen;
                vg_strlist_free(&cp->ips);
            } else if (spec > cp->specificity) {
                continue;
            }
            if (f->first_seen < cp->first_seen)
                cp->first_seen = f->first_seen;
            for (size_t x = 0; x < f->roles.attacker_ips.n && cp->ips.n < MAX_IPS_PER_COMPROMISE; x++)
                vg_strlist_add(&cp->ips, f->roles.attacker_ips.v[x]);
        }
        if (f->roles.targeted.n || f->roles.compromised.n) {
            add_scrubbed(&sc, &n->targeted, &f->roles.targeted, 0);
            add_scrubbed(&sc, &n->targeted, &f->roles.compromised, 0);
        } else {
            add_scrubbed(&sc, &n->targeted, &f->entities.accounts, 0);
        }
        bool cred = is_kind(f, "cred.");
        add_scrubbed(&sc, &n->ips, &f->roles.attacker_ips, VG_FINDING_MAX_IPS);
        if (!cred)
            add_scrubbed(&sc, &n->ips, &f->entities.ips, VG_FINDING_MAX_IPS);
        for (size_t k = 0; k < f->entities.domains.n && k < VG_FINDING_MAX_URLS; k++) {
            const char *d = f->entities.domains.v[k];
            if (!domain_is_org(org, d) && !mentions_other(&sc, d))
                vg_strlist_add(&n->domains, d);
        }
        add_scrubbed(&sc, &n->urls, &f->entities.urls, VG_FINDING_MAX_URLS);
        add_scrubbed(&sc, &n->messages, &f->entities.messages, 0);
        add_scrubbed(&sc, &n->hashes, &f->entities.hashes, VG_FINDING_MAX_URLS);
        if (vg_finding_counts(f, other_kinds)) {
            n->attempts += vg_finding_attempts(f);
            n->blocked += vg_finding_blocked(f);
            n->succeeded += vg_finding_succeeded(f);
            n->messages_n += f->counts.messages;
            vg_timeline_add(&n->timeline, f);
        }
        if (f->attribution.actor && c->actor && strcmp(f->attribution.actor, c->actor) == 0) {
            add_scrubbed(&sc, &n->why, &f->attribution.evidence, 0);
            if (f->attribution.confidence > own_conf)
                own_conf = f->attribution.confidence;
        }
    }
    compact_why(&n->why);
    if (n->ncomp > 1)
        qsort(n->comp, n->ncomp, sizeof *n->comp, cmp_comp);
    for (size_t i = 0; i < n->ncomp; i++) {
        vg_strlist_sort(&n->comp[i].kinds);
        vg_strlist_sort(&n->comp[i].ips);
        vg_strlist_add(&n->comp_accounts, n->comp[i].account);
        if (!n->comp[i].signed_in)
            vg_strlist_add(&n->cv_accounts, n->comp[i].account);
        const char *at = strrchr(n->comp[i].account, '@');
        if (at && domain_is_org(org, at + 1))
            n->mail_compromised = true;
    }
    vg_strlist_sort(&n->cv_accounts);
    vg_strlist_sort(&n->targeted);
    vg_strlist_sort(&n->techniques);
    vg_strlist_sort(&n->kinds);
    vg_strlist_sort(&n->ips);
    vg_strlist_sort(&n->domains);
    vg_strlist_sort(&n->urls);
    vg_strlist_sort(&n->messages);
    vg_strlist_sort(&n->hashes);

    if (c->actor) {
        n->actor = vg_xstrdup(c->actor);
        n->confidence = c->confidence;
        vg_strlist_copy(&n->aliases, &c->aliases);
        vg_strlist_sort(&n->aliases);
        const vg_actor *a = catalog ? vg_catalog_find(catalog, c->actor) : NULL;
        if (a && vg_actor_origin(a))
            n->actor_origin = vg_xstrdup(vg_actor_origin(a));
        if (c->confidence > own_conf)
            vg_strlist_addf(&n->why,
                            "The same actor was identified with %s confidence in this campaign's "
                            "activity against another targeted organization.",
                            vg_confidence_name(c->confidence));
    }

    /* Other victims: how many, and where; never who. */
    for (size_t i = 0; i < c->orgs.n; i++) {
        if (strcmp(c->orgs.v[i], org->id) == 0)
            continue;
        n->other_orgs++;
        const vg_notify_org *o = vg_notify_orgs_find(orgs, c->orgs.v[i]);
        if (o && o->country)
            vg_strlist_add(&n->other_countries, o->country);
    }
    vg_strlist_sort(&n->other_countries);

    build_facts_json(n);
    build_subject(n);
    vg_notice_set_version(n, 1);
    return n;
}

void vg_notice_free(vg_notice *n)
{
    if (!n)
        return;
    free(n->org_id);
    free(n->org_name);
    free(n->org_country);
    free(n->org_sector);
    free(n->contact);
    vg_strlist_free(&n->org_domains);
    free(n->campaign_id);
    free(n->subject);
    free(n->basename);
    free(n->sender);
    free(n->sender_contact);
    for (size_t i = 0; i < n->nf; i++)
        vg_finding_free(n->f[i]);
    free(n->f);
    for (size_t i = 0; i < n->ncomp; i++) {
        free(n->comp[i].account);
        vg_strlist_free(&n->comp[i].kinds);
        vg_strlist_free(&n->comp[i].ips);
    }
    free(n->comp);
    vg_strlist_free(&n->targeted);
    vg_strlist_free(&n->techniques);
    vg_strlist_free(&n->kinds);
    free(n->actor);
    free(n->actor_origin);
    vg_strlist_free(&n->aliases);
    vg_strlist_free(&n->why);
    vg_strlist_free(&n->ips);
    vg_strlist_free(&n->domains);
    vg_strlist_free(&n->urls);
    vg_strlist_free(&n->messages);
    vg_strlist_free(&n->hashes);
    vg_strlist_free(&n->cv_accounts);
    vg_strlist_free(&n->comp_accounts);
    vg_strlist_free(&n->other_countries);
    vg_timeline_free(&n->timeline);
    free(n->facts);
    free(n->hash);
    free(n);
}

const char *vg_notice_org(const vg_notice *n) { return n->org_id; }
const char *vg_notice_campaign(const vg_notice *n) { return n->campaign_id; }
const char *vg_notice_facts(const vg_notice *n) { return n->facts; }
const char *vg_notice_content_hash(const vg_notice *n) { return n->hash; }
int vg_notice_version(const vg_notice *n) { return n->version; }
const char *vg_notice_idempotency_key(const vg_notice *n) { return n->idem; }
bool vg_notice_mail_compromised(const vg_notice *n) { return n->mail_compromised; }
size_t vg_notice_compromised_count(const vg_notice *n) { return n->ncomp; }
const char *vg_notice_subject(const vg_notice *n) { return n->subject; }
const char *vg_notice_basename(const vg_notice *n) { return n->basename; }

const char *vg_notify_format_ext(vg_notify_format f)
{
    static const char *const ext[] = {"md", "html", "json", "stix.json"};
    return (unsigned)f < VG_FMT_COUNT ? ext[f] : "txt";
}

void vg_notice_render(const vg_notice *n, vg_notify_format fmt, vg_buf *out)
{
    switch (fmt) {
    case VG_FMT_MD: vg_notice_render_md(n, out); break;
    case VG_FMT_HTML: vg_notice_render_html(n, out); break;
    case VG_FMT_JSON: vg_notice_render_json(n, out); break;
    case VG_FMT_STIX: vg_notice_render_stix(n, out); break;
    default: break;
    }
}

void vg_rendered_init(vg_rendered *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < VG_FMT_COUNT; i++)
        vg_buf_init(&r->body[i], 0);
}

void vg_rendered_free(vg_rendered *r)
{
    free(r->org);
    free(r->campaign);
    free(r->basename);
    free(r->subject);
    free(r->idempotency_key);
    for (int i = 0; i < VG_FMT_COUNT; i++)
        vg_buf_free(&r->body[i]);
    memset(r, 0, sizeof *r);
}

void vg_notice_render_all(const vg_notice *n, vg_rendered *r)
{
    vg_rendered_free(r);
    vg_rendered_init(r);
    r->org = vg_xstrdup(n->org_id);
    r->campaign = vg_xstrdup(n->campaign_id);
    r->basename = vg_xstrdup(n->basename);
    r->subject = vg_xstrdup(n->subject);
    r->idempotency_key = vg_xstrdup(n->idem);
    r->version = n->version;
    r->tlp = n->tlp;
    r->mail_compromised = n->mail_compromised;
    for (int i = 0; i < VG_FMT_COUNT; i++)
        vg_notice_render(n, (vg_notify_format)i, &r->body[i]);
}

/* ---- shared text ------------------------------------------------------------------------------------ */

void vg_notice_headline(const vg_notice *n, vg_buf *out)
{
    char a[16], b[16];
    vg_fmt_day(n->first_seen, a);
    vg_fmt_day(n->last_seen, b);
    if (n->actor) {
        vg_buf_printf(out, "%s", n->actor);
        if (n->aliases.n) {
            vg_buf_puts(out, " (also known as ");
            for (size_t i = 0; i < n->aliases.n && i < 4; i++)
                vg_buf_printf(out, "%s%s", i ? ", " : "", n->aliases.v[i]);
            vg_buf_puts(out, ")");
        }
        if (n->actor_origin) {
            vg_buf_puts(out, ", an actor operating from ");
            vg_country_words(out, n->actor_origin);
            vg_buf_puts(out, ",");
        }
    } else {
        vg_buf_puts(out, "An actor we could not attribute");
    }
    vg_buf_printf(out, " targeted %zu account%s of %s between %s and %s", n->targeted.n,
                  n->targeted.n == 1 ? "" : "s", n->org_name, a, b);
    if (n->ncomp) {
        size_t si = n->ncomp - n->cv_accounts.n;
        vg_buf_printf(out, "; %zu account%s compromised", n->ncomp, n->ncomp == 1 ? " was" : "s were");
        if (si && n->cv_accounts.n)
            vg_buf_printf(out, " (%zu signed in by the attacker, %zu with the password known)", si,
                          n->cv_accounts.n);
        else if (n->cv_accounts.n)
            vg_buf_puts(out, " (the attacker knows the password; multi-factor authentication or a "
                             "policy stopped the sign-in)");
    } else {
        vg_buf_puts(out, "; no account is known to be compromised");
    }
    vg_buf_printf(out, ". %lld of %lld attempts were blocked.", (long long)n->blocked,
                  (long long)n->attempts);
    if (n->other_orgs) {
        vg_buf_printf(out, " The same campaign targeted %zu other organization%s", n->other_orgs,
                      n->other_orgs == 1 ? "" : "s");
        if (n->other_countries.n) {
            vg_buf_puts(out, " in ");
            for (size_t i = 0; i < n->other_countries.n; i++) {
                if (i)
                    vg_buf_puts(out, i + 1 == n->other_countries.n ? " and " : ", ");
                vg_country_words(out, n->other_countries.v[i]);
            }
        }
        vg_buf_puts(out, ".");
    }
}

size_t vg_notice_actions(const vg_notice *n, vg_action *out, size_t max)
{
    size_t k = 0;
    vg_buf b;
#define ADD(ID, TARGETS, DEFANG)                                                                     \
    do {                                                                                           \
        if (k < max) {                                                                             \
            out[k].id = (ID);                                                                      \
            out[k].text = vg_buf_steal(&b);                                                        \
            out[k].targets = (TARGETS);                                                            \
            out[k].defang = (DEFANG);                                                              \
            k++;                                                                                   \
        } else {                                                                                   \
            vg_buf_free(&b);                                                                       \
        }                                                                                          \
    } while (0)
    if (n->mail_compromised) {
        vg_buf_init(&b, 0);
        vg_buf_puts(&b, "Coordinate this response out of band (by phone, or through a mailbox the "
                        "attacker cannot read");
        if (n->contact)
            vg_buf_printf(&b, " such as %s", n->contact);
        vg_buf_puts(&b, "): the attacker may be reading mail of the compromised mailboxes.");
        if (n->sender_contact)
            vg_buf_printf(&b, " Reach %s at %s.", n->sender, n->sender_contact);
        ADD("out_of_band", NULL, false);
    }
    if (n->ncomp) {
        vg_buf_init(&b, 0);
        vg_buf_puts(&b, "Reset the credentials of these accounts and revoke all their sessions and "
                        "refresh tokens; then check their mailbox rules, forwarding, registered "
                        "MFA methods and application consents for changes made by the attacker.");
        ADD("reset_credentials", &n->comp_accounts, false);
    }
    vg_buf_init(&b, 0);
    vg_buf_puts(&b, "Enforce multi-factor authentication (phishing-resistant where possible) for "
                    "every targeted account, and block legacy authentication (IMAP, POP, SMTP "
                    "AUTH, basic-auth ActiveSync), which bypasses it.");
    ADD("enforce_mfa", &n->targeted, false);
    if (n->ips.n) {
        vg_buf_init(&b, 0);
        vg_buf_puts(&b, "Block these addresses at your perimeter and in your identity provider's "
                        "network policies, and search your logs for other activity from them.");
        ADD("block_ips", &n->ips, true);
    }
    if (n->domains.n) {
        vg_buf_init(&b, 0);
        vg_buf_puts(&b, "Block these domains in mail and web filtering, and look for anyone who "
                        "visited or replied to them.");
        ADD("block_domains", &n->domains, true);
    }
    if (n->urls.n) {
        vg_buf_init(&b, 0);
        vg_buf_puts(&b, "Block these URLs and check proxy logs for clicks on them.");
        ADD("block_urls", &n->urls, true);
    }
    if (n->messages.n) {
        vg_buf_init(&b, 0);
        vg_buf_puts(&b, "Find and purge these messages (by Message-ID) from every mailbox, and "
                        "warn their recipients not to act on them.");
        ADD("purge_messages", &n->messages, false);
    }
    const vg_cert *cert = vg_cert_for(n->org_country);
    vg_buf_init(&b, 0);
    vg_buf_printf(&b, "Report the incident to %s: %s", cert->name, cert->url);
    ADD("report_cert", NULL, false);
    if (n->sender_contact && !n->mail_compromised) {
        vg_buf_init(&b, 0);
        vg_buf_printf(&b, "For help with the response, contact %s at %s.", n->sender,
                      n->sender_contact);
        ADD("get_help", NULL, false);
    }
#undef ADD
    return k;
}

void vg_actions_free(vg_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i].text);
}
