/* summary.c — the operator's view across organizations: which actors
 * targeted whom, where, how often, what was blocked and what succeeded,
 * which accounts need help, and where each notice stands in delivery.
 * Unlike a notice, the summary names every organization: it is for the
 * operator who serves them all. */
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"

typedef struct camp_row {
    char *id, *actor;
    bool attributed;
    vg_strlist aliases;
    vg_confidence confidence;
    int64_t first_seen, last_seen, attempts, blocked, succeeded;
    vg_strlist orgs, countries, compromised, kinds, techniques;
} camp_row;

struct vg_notify_summary {
    vg_tlp tlp;
    char *sender, *sender_contact;
    vg_actor_stats *actors;
    size_t n_actors;
    camp_row *camps;
    size_t n_camps;
    vg_strlist orgs, countries, compromised;
    size_t attributed_actors, unattributed_campaigns;
    int64_t attempts, blocked, succeeded;
    int64_t first_seen, last_seen;
    vg_timeline timeline;
    vg_notify_delivery_row *deliv;
    size_t n_deliv;
    char *headline;
    const vg_notify_orgs *orgs_cfg; /* borrowed for names */
    vg_notify_orgs names;           /* copy of id -> name, country */
};

static vg_actor_stats *actor_get(vg_notify_summary *s, const char *name)
{
    for (size_t i = 0; i < s->n_actors; i++)
        if (strcmp(s->actors[i].actor, name) == 0)
            return &s->actors[i];
    s->actors = vg_xrealloc(s->actors, (s->n_actors + 1) * sizeof *s->actors);
    vg_actor_stats *a = &s->actors[s->n_actors++];
    memset(a, 0, sizeof *a);
    a->actor = vg_xstrdup(name);
    return a;
}

static int cmp_actor(const void *x, const void *y)
{
    const vg_actor_stats *a = x, *b = y;
    bool ua = strcmp(a->actor, "unattributed") == 0, ub = strcmp(b->actor, "unattributed") == 0;
    if (ua != ub)
        return ua ? 1 : -1;
    return strcmp(a->actor, b->actor);
}

static const char *org_name(const vg_notify_summary *s, const char *id)
{
    const vg_notify_org *o = vg_notify_orgs_find(&s->names, id);
    return o && o->name ? o->name : id;
}

vg_notify_summary *vg_notify_summary_build(const vg_campaigns *cs,
                                           const vg_finding *const *const *members,
                                           const size_t *n_members, const vg_notify_orgs *orgs,
                                           const vg_catalog *catalog,
                                           const vg_notify_settings *settings)
{
    vg_notify_summary *s = vg_xcalloc(1, sizeof *s);
    vg_notify_settings defaults;
    vg_notify_settings_init(&defaults);
    if (!settings)
        settings = &defaults;
    s->tlp = settings->tlp;
    s->sender = vg_xstrdup(settings->sender ? settings->sender : "vigil");
    if (settings->sender_contact)
        s->sender_contact = vg_xstrdup(settings->sender_contact);
    s->first_seen = INT64_MAX;
    s->last_seen = INT64_MIN;
    for (size_t i = 0; orgs && i < orgs->n; i++) {
        vg_notify_org *o = &orgs->v[i];
        vg_notify_org *c = (vg_notify_org *)vg_notify_orgs_add_bare(&s->names, o->id);
        free(c->name);
        c->name = vg_xstrdup(o->name ? o->name : o->id);
        if (o->country && !c->country)
            c->country = vg_xstrdup(o->country);
        if (o->sector && !c->sector)
            c->sector = vg_xstrdup(o->sector);
    }
    s->camps = vg_xcalloc(cs->n ? cs->n : 1, sizeof *s->camps);
    for (size_t i = 0; i < cs->n; i++) {
        const vg_campaign *c = cs->v[i];
        camp_row *r = &s->camps[s->n_camps];
        bool any = false;
        r->first_seen = INT64_MAX;
        r->last_seen = INT64_MIN;
        vg_strlist with_other = {0}; /* orgs with findings other than ioc.match */
        for (size_t k = 0; k < n_members[i]; k++) {
            const vg_finding *f = members[i][k];
            if (f && !f->suppressed && strcmp(f->kind, "ioc.match") != 0)
                vg_strlist_add(&with_other, f->org ? f->org : "");
        }
        for (size_t k = 0; k < n_members[i]; k++) {
            const vg_finding *f = members[i][k];
            if (!f || f->suppressed)
                continue;
            any = true;
            const char *org = f->org ? f->org : "";
            vg_strlist_add(&r->orgs, org);
            const vg_notify_org *o = vg_notify_orgs_find(&s->names, org);
            if (o && o->country)
                vg_strlist_add(&r->countries, o->country);
            for (size_t x = 0; x < f->roles.compromised.n; x++)
                vg_strlist_addf(&r->compromised, "%s:%s", org, f->roles.compromised.v[x]);
            vg_strlist_add(&r->kinds, f->kind);
            vg_strlist_add_all(&r->techniques, &f->attack);
            if (vg_finding_counts(f, vg_strlist_has(&with_other, org))) {
                r->attempts += vg_finding_attempts(f);
                r->blocked += vg_finding_blocked(f);
                r->succeeded += vg_finding_succeeded(f);
                vg_timeline_add(&s->timeline, f);
            }
            if (f->first_seen < r->first_seen)
                r->first_seen = f->first_seen;
            if (f->last_seen > r->last_seen)
                r->last_seen = f->last_seen;
        }
        vg_strlist_free(&with_other);
        if (!any)
            continue;
        s->n_camps++;
        r->id = vg_xstrdup(c->id);
        r->actor = vg_xstrdup(c->actor ? c->actor : "unattributed");
        r->attributed = c->actor != NULL;
        if (c->actor)
            vg_strlist_copy(&r->aliases, &c->aliases);
        vg_strlist_sort(&r->aliases);
        r->confidence = c->actor ? c->confidence : VG_CONF_NONE;
        vg_strlist_sort(&r->orgs);
        vg_strlist_sort(&r->countries);
        vg_strlist_sort(&r->compromised);
        vg_strlist_sort(&r->kinds);
        vg_strlist_sort(&r->techniques);

        vg_actor_stats *a = actor_get(s, r->actor);
        a->campaigns++;
        if (r->confidence > a->confidence)
            a->confidence = r->confidence;
        if (!a->origin && c->actor && catalog) {
            const vg_actor *ca = vg_catalog_find(catalog, c->actor);
            if (ca && vg_actor_origin(ca))
                a->origin = vg_xstrdup(vg_actor_origin(ca));
        }
        vg_strlist_add_all(&a->orgs, &r->orgs);
        vg_strlist_add_all(&a->countries, &r->countries);
        vg_strlist_add_all(&a->compromised, &r->compromised);
        a->attempts += r->attempts;
        a->blocked += r->blocked;
        a->succeeded += r->succeeded;

        vg_strlist_add_all(&s->orgs, &r->orgs);
        vg_strlist_add_all(&s->countries, &r->countries);
        vg_strlist_add_all(&s->compromised, &r->compromised);
        s->attempts += r->attempts;
        s->blocked += r->blocked;
        s->succeeded += r->succeeded;
        if (r->first_seen < s->first_seen)
            s->first_seen = r->first_seen;
        if (r->last_seen > s->last_seen)
            s->last_seen = r->last_seen;
        if (!c->actor)
            s->unattributed_campaigns++;
    }
    if (s->n_actors > 1)
        qsort(s->actors, s->n_actors, sizeof *s->actors, cmp_actor);
    for (size_t i = 0; i < s->n_actors; i++) {
        vg_strlist_sort(&s->actors[i].orgs);
        vg_strlist_sort(&s->actors[i].countries);
        vg_strlist_sort(&s->actors[i].compromised);
        if (strcmp(s->actors[i].actor, "unattributed") != 0)
            s->attributed_actors++;
    }
    vg_strlist_sort(&s->orgs);
    vg_strlist_sort(&s->countries);
    vg_strlist_sort(&s->compromised);

    vg_buf h;
    vg_buf_init(&h, 0);
    if (s->n_camps == 0) {
        vg_buf_puts(&h, "No campaign found");
    } else {
        vg_buf_printf(&h, "%zu actor%s targeted %zu organization%s in %zu countr%s; %lld attempts, "
                          "%lld blocked, %lld succeeded",
                      s->attributed_actors, s->attributed_actors == 1 ? "" : "s", s->orgs.n,
                      s->orgs.n == 1 ? "" : "s", s->countries.n, s->countries.n == 1 ? "y" : "ies",
                      (long long)s->attempts, (long long)s->blocked, (long long)s->succeeded);
        if (s->compromised.n)
            vg_buf_printf(&h, "; %zu account%s compromised", s->compromised.n,
                          s->compromised.n == 1 ? "" : "s");
        if (s->unattributed_campaigns)
            vg_buf_printf(&h, " (%zu campaign%s not attributed)", s->unattributed_campaigns,
                          s->unattributed_campaigns == 1 ? "" : "s");
    }
    s->headline = vg_buf_steal(&h);
    return s;
}

void vg_actor_stats_clear(vg_actor_stats *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].actor);
        free(a[i].origin);
        vg_strlist_free(&a[i].orgs);
        vg_strlist_free(&a[i].countries);
        vg_strlist_free(&a[i].compromised);
    }
}

void vg_notify_summary_free(vg_notify_summary *s)
{
    if (!s)
        return;
    free(s->sender);
    free(s->sender_contact);
    vg_actor_stats_clear(s->actors, s->n_actors);
    free(s->actors);
    for (size_t i = 0; i < s->n_camps; i++) {
        camp_row *r = &s->camps[i];
        free(r->id);
        free(r->actor);
        vg_strlist_free(&r->aliases);
        vg_strlist_free(&r->orgs);
        vg_strlist_free(&r->countries);
        vg_strlist_free(&r->compromised);
        vg_strlist_free(&r->kinds);
        vg_strlist_free(&r->techniques);
    }
    /* rows whose campaign had no visible finding may hold partial lists */
    free(s->camps);
    vg_strlist_free(&s->orgs);
    vg_strlist_free(&s->countries);
    vg_strlist_free(&s->compromised);
    vg_timeline_free(&s->timeline);
    for (size_t i = 0; i < s->n_deliv; i++) {
        vg_notify_delivery_row *d = &s->deliv[i];
        free((char *)d->org);
        free((char *)d->campaign);
        free((char *)d->channel);
        free((char *)d->state);
        free((char *)d->target);
        free((char *)d->error);
    }
    free(s->deliv);
    free(s->headline);
    vg_notify_orgs_free(&s->names);
    free(s);
}

void vg_notify_summary_set_deliveries(vg_notify_summary *s, const vg_notify_delivery_row *rows,
                                      size_t n)
{
    s->deliv = vg_xrealloc(s->deliv, (s->n_deliv + n + 1) * sizeof *s->deliv);
    for (size_t i = 0; i < n; i++) {
        vg_notify_delivery_row *d = &s->deliv[s->n_deliv++];
        *d = rows[i];
        d->org = vg_xstrdup(rows[i].org ? rows[i].org : "");
        d->campaign = vg_xstrdup(rows[i].campaign ? rows[i].campaign : "");
        d->channel = vg_xstrdup(rows[i].channel ? rows[i].channel : "");
        d->state = vg_xstrdup(rows[i].state ? rows[i].state : "");
        d->target = vg_xstrdup(rows[i].target ? rows[i].target : "");
        d->error = vg_xstrdup(rows[i].error ? rows[i].error : "");
    }
}

size_t vg_notify_summary_actor_count(const vg_notify_summary *s) { return s->n_actors; }
const vg_actor_stats *vg_notify_summary_actor(const vg_notify_summary *s, size_t i)
{
    return i < s->n_actors ? &s->actors[i] : NULL;
}
const char *vg_notify_summary_headline(const vg_notify_summary *s) { return s->headline; }

/* ---- rendering ---------------------------------------------------------------------------- */

/* Names in a table cell, "-" when none. A Markdown row stays one line, so
 * there it shows at most cap names; HTML cells wrap and show them all. */
static void names_cell(const vg_notify_summary *s, vg_doc *d, const vg_strlist *l, size_t cap,
                       bool org_ids)
{
    if (vg_doc_cells_wrap(d))
        cap = SIZE_MAX;
    for (size_t i = 0; i < l->n && i < cap; i++) {
        if (i)
            vg_doc_raw(d, ", ");
        vg_doc_text(d, org_ids ? org_name(s, l->v[i]) : l->v[i]);
    }
    if (l->n > cap)
        vg_doc_printf(d, " (+%zu)", l->n - cap);
    if (!l->n)
        vg_doc_none(d);
}

static void by_actor(const vg_notify_summary *s, vg_doc *d)
{
    static const vg_doc_col cols[] = {
        {"Actor", false, NULL},         {"Origin", false, NULL},    {"Confidence", false, NULL},
        {"Campaigns", true, NULL},      {"Organizations", false, NULL},
        {"Countries", false, NULL},     {"Attempts", true, NULL},   {"Blocked", true, NULL},
        {"Succeeded", true, NULL},      {"Compromised accounts", true, "Compromised"}};
    vg_doc_heading(d, 2, "By actor");
    vg_doc_table_begin(d, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < s->n_actors; i++) {
        const vg_actor_stats *a = &s->actors[i];
        vg_doc_cell(d);
        vg_doc_text(d, a->actor);
        vg_doc_cell(d);
        vg_doc_text(d, a->origin ? a->origin : "-");
        vg_doc_cellf(d, "%s", vg_confidence_name(a->confidence));
        vg_doc_cellf(d, "%zu", a->campaigns);
        vg_doc_cell(d);
        names_cell(s, d, &a->orgs, SIZE_MAX, true);
        vg_doc_cell(d);
        names_cell(s, d, &a->countries, 50, false);
        vg_doc_cellf(d, "%lld", (long long)a->attempts);
        vg_doc_cellf(d, "%lld", (long long)a->blocked);
        vg_doc_cellf(d, "%lld", (long long)a->succeeded);
        vg_doc_cellf(d, "%zu", a->compromised.n);
        vg_doc_row_end(d);
    }
    vg_doc_table_end(d);
}

static void by_campaign(const vg_notify_summary *s, vg_doc *d)
{
    static const vg_doc_col cols[] = {
        {"Campaign", false, NULL},  {"Actor", false, NULL},         {"First seen", false, NULL},
        {"Last seen", false, NULL}, {"Organizations", false, NULL}, {"Attempts", true, NULL},
        {"Blocked", true, NULL},    {"Succeeded", true, NULL},      {"Kinds", false, NULL}};
    vg_doc_heading(d, 2, "Campaigns");
    vg_doc_table_begin(d, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < s->n_camps; i++) {
        const camp_row *r = &s->camps[i];
        char a[16], b[16];
        vg_fmt_day(r->first_seen, a);
        vg_fmt_day(r->last_seen, b);
        vg_doc_cell(d);
        vg_doc_span(d, VG_SPAN_CODE, r->id);
        vg_doc_cell(d);
        vg_doc_text(d, r->actor);
        vg_doc_cellf(d, "%s", a);
        vg_doc_cellf(d, "%s", b);
        vg_doc_cell(d);
        names_cell(s, d, &r->orgs, SIZE_MAX, true);
        vg_doc_cellf(d, "%lld", (long long)r->attempts);
        vg_doc_cellf(d, "%lld", (long long)r->blocked);
        vg_doc_cellf(d, "%lld", (long long)r->succeeded);
        vg_doc_cell(d);
        names_cell(s, d, &r->kinds, 10, false);
        vg_doc_row_end(d);
    }
    vg_doc_table_end(d);
}

static void deliveries(const vg_notify_summary *s, vg_doc *d)
{
    static const vg_doc_col cols[] = {
        {"Organization", false, NULL}, {"Campaign", false, NULL}, {"Version", true, NULL},
        {"Channel", false, NULL},      {"State", false, NULL},    {"Attempts", true, NULL},
        {"Target", false, NULL},       {"Last error", false, NULL}};
    vg_doc_heading(d, 2, "Notifications");
    vg_doc_table_begin(d, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < s->n_deliv; i++) {
        const vg_notify_delivery_row *r = &s->deliv[i];
        vg_doc_cell(d);
        vg_doc_text(d, org_name(s, r->org));
        vg_doc_cell(d);
        vg_doc_span(d, VG_SPAN_CODE, r->campaign);
        vg_doc_cellf(d, "%d", r->version);
        vg_doc_cell(d);
        vg_doc_text(d, r->channel);
        vg_doc_cell(d);
        vg_doc_text(d, r->state);
        vg_doc_cellf(d, "%d", r->attempts);
        vg_doc_cell(d);
        vg_doc_span(d, VG_SPAN_ADDRESS, r->target);
        vg_doc_cell(d);
        if (r->error && *r->error)
            vg_doc_text(d, r->error);
        else
            vg_doc_none(d);
        vg_doc_row_end(d);
    }
    vg_doc_table_end(d);
}

/* The summary as Markdown or HTML. */
static void render_doc(const vg_notify_summary *s, vg_doc_fmt fmt, vg_buf *o)
{
    vg_doc d;
    vg_doc_init(&d, o, fmt, s->tlp);
    vg_doc_begin(&d, "Campaign summary");
    vg_doc_heading(&d, 1, "Campaign summary");
    vg_doc_tlp_note(&d);
    vg_doc_para_begin(&d, VG_PARA_LEAD);
    vg_doc_text(&d, s->headline);
    vg_doc_raw(&d, ".");
    vg_doc_para_end(&d);
    if (s->n_camps) {
        char a[16], b[16];
        vg_fmt_day(s->first_seen, a);
        vg_fmt_day(s->last_seen, b);
        vg_doc_para_begin(&d, VG_PARA_PLAIN);
        vg_doc_printf(&d, "Activity from %s to %s (UTC).", a, b);
        vg_doc_para_end(&d);
        if (vg_doc_draws(&d))
            vg_timeline_svg(&s->timeline, o);
    }
    by_actor(s, &d);
    by_campaign(s, &d);
    if (s->compromised.n) {
        vg_doc_heading_begin(&d, 2);
        vg_doc_alt(&d, "Compromised accounts (organization: account)", "Compromised accounts");
        vg_doc_heading_end(&d);
        vg_doc_list_begin(&d, VG_LIST_VALUES);
        for (size_t i = 0; i < s->compromised.n; i++) {
            vg_doc_item_begin(&d);
            vg_doc_span(&d, VG_SPAN_ADDRESS, s->compromised.v[i]);
            vg_doc_item_end(&d);
        }
        vg_doc_list_end(&d);
    }
    if (s->n_deliv)
        deliveries(s, &d);
    vg_doc_footer(&d);
    if (fmt == VG_DOC_MD) { /* HTML's footer is the banner alone */
        vg_doc_text(&d, s->sender);
        vg_doc_raw(&d, " · vigil\n");
    }
    vg_doc_end(&d);
}

static void jlist(vg_json *j, const char *k, const vg_strlist *l)
{
    vg_json_key(j, k);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        vg_json_str(j, l->v[i]);
    vg_json_arr_end(j);
}

static void render_json(const vg_notify_summary *s, vg_buf *out)
{
    vg_json j;
    vg_json_init(&j, out);
    vg_json_obj_begin(&j);
    vg_json_kv_int(&j, "schema", 1);
    vg_json_kv_str(&j, "type", "vigil.summary");
    vg_json_kv_str(&j, "tlp", vg_tlp_label(s->tlp));
    vg_json_kv_str(&j, "headline", s->headline);
    vg_json_kv_int(&j, "actors", (int64_t)s->attributed_actors);
    vg_json_kv_int(&j, "campaigns", (int64_t)s->n_camps);
    jlist(&j, "organizations", &s->orgs);
    jlist(&j, "countries", &s->countries);
    vg_json_kv_int(&j, "attempts", s->attempts);
    vg_json_kv_int(&j, "blocked", s->blocked);
    vg_json_kv_int(&j, "succeeded", s->succeeded);
    jlist(&j, "compromised", &s->compromised);
    vg_json_key(&j, "by_actor");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < s->n_actors; i++) {
        const vg_actor_stats *a = &s->actors[i];
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "actor", a->actor);
        vg_json_key(&j, "origin");
        vg_json_str(&j, a->origin);
        vg_json_kv_str(&j, "confidence", vg_confidence_name(a->confidence));
        vg_json_kv_int(&j, "campaigns", (int64_t)a->campaigns);
        jlist(&j, "organizations", &a->orgs);
        jlist(&j, "countries", &a->countries);
        vg_json_kv_int(&j, "attempts", a->attempts);
        vg_json_kv_int(&j, "blocked", a->blocked);
        vg_json_kv_int(&j, "succeeded", a->succeeded);
        jlist(&j, "compromised", &a->compromised);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_key(&j, "campaign_list");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < s->n_camps; i++) {
        const camp_row *r = &s->camps[i];
        char a[VG_TIME_STRLEN], b[VG_TIME_STRLEN];
        vg_fmt_time(r->first_seen, a);
        vg_fmt_time(r->last_seen, b);
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "id", r->id);
        vg_json_kv_str(&j, "actor", r->actor);
        vg_json_kv_str(&j, "confidence", vg_confidence_name(r->confidence));
        vg_json_kv_str(&j, "first_seen", a);
        vg_json_kv_str(&j, "last_seen", b);
        jlist(&j, "organizations", &r->orgs);
        jlist(&j, "countries", &r->countries);
        vg_json_kv_int(&j, "attempts", r->attempts);
        vg_json_kv_int(&j, "blocked", r->blocked);
        vg_json_kv_int(&j, "succeeded", r->succeeded);
        jlist(&j, "compromised", &r->compromised);
        jlist(&j, "kinds", &r->kinds);
        jlist(&j, "techniques", &r->techniques);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_key(&j, "notifications");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < s->n_deliv; i++) {
        const vg_notify_delivery_row *d = &s->deliv[i];
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "org", d->org);
        vg_json_kv_str(&j, "campaign", d->campaign);
        vg_json_kv_int(&j, "version", d->version);
        vg_json_kv_str(&j, "channel", d->channel);
        vg_json_kv_str(&j, "state", d->state);
        vg_json_kv_int(&j, "attempts", d->attempts);
        vg_json_kv_str(&j, "target", d->target);
        vg_json_kv_str(&j, "error", d->error);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_buf_putc(out, '\n');
}

/* The summary as a STIX 2.1 bundle: the sender, every targeted organization
 * (identity, location), every attributed actor (threat-actor and
 * intrusion-set with its aliases and origin), every campaign with what it
 * targeted, who it is attributed to and the techniques it used. Ids and keys
 * are those of the per-organization bundles (render_stix.c), so importing
 * both into MISP or OpenCTI merges the objects instead of duplicating them.
 * Indicators and sightings stay in the per-organization bundles. */
static bool stix_first(vg_strlist *seen, const char *id) { return vg_strlist_add(seen, id); }

static void stix_location(vg_stix *x, vg_strlist *seen, const char *country, char loc[VG_STIX_ID_LEN])
{
    vg_stix_id("location", loc, "location:country:%s", country);
    if (!stix_first(seen, loc))
        return;
    vg_stix_obj_begin(x, "location", loc, true);
    vg_json_kv_str(x->j, "country", country);
    vg_json_obj_end(x->j);
}

static void stix_rel(vg_stix *x, vg_strlist *seen, const char *type, const char *src,
                     const char *dst, bool fixed, int confidence)
{
    char id[VG_STIX_ID_LEN];
    vg_stix_id("relationship", id, "relationship:%s:%s:%s", src, type, dst);
    if (stix_first(seen, id))
        vg_stix_relationship(x, type, src, dst, fixed, confidence);
}

static void render_stix(const vg_notify_summary *s, vg_buf *out)
{
    vg_json j;
    vg_json_init(&j, out);
    vg_stix x;
    vg_stix_init(&x, &j, s->tlp, s->sender);
    vg_strlist seen = {0};

    /* The bundle id follows the campaigns it covers and how far they run. */
    vg_buf key;
    vg_buf_init(&key, 0);
    vg_buf_puts(&key, s->sender);
    for (size_t i = 0; i < s->n_camps; i++)
        vg_buf_printf(&key, "|%s@%lld", s->camps[i].id, (long long)s->camps[i].last_seen);
    char bundle[VG_STIX_ID_LEN];
    vg_stix_id("bundle", bundle, "bundle:summary:%s", vg_buf_cstr(&key));
    vg_buf_free(&key);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "type", "bundle");
    vg_json_kv_str(&j, "id", bundle);
    vg_json_key(&j, "objects");
    vg_json_arr_begin(&j);
    vg_stix_marking_definition(&x);
    vg_stix_sender(&x, s->sender, s->sender_contact);
    vg_strlist_add(&seen, x.creator);

    /* The organizations, where they are. */
    for (size_t i = 0; i < s->orgs.n; i++) {
        const char *id = s->orgs.v[i];
        if (!*id)
            continue;
        char org[VG_STIX_ID_LEN];
        vg_stix_id("identity", org, "identity:org:%s", id);
        if (!stix_first(&seen, org))
            continue;
        const vg_notify_org *o = vg_notify_orgs_find(&s->names, id);
        vg_stix_obj_begin(&x, "identity", org, true);
        vg_json_kv_str(&j, "name", org_name(s, id));
        vg_json_kv_str(&j, "identity_class", "organization");
        if (o && o->sector) {
            vg_json_key(&j, "sectors");
            vg_json_arr_begin(&j);
            vg_json_str(&j, o->sector);
            vg_json_arr_end(&j);
        }
        vg_json_obj_end(&j);
        if (o && o->country) {
            char loc[VG_STIX_ID_LEN];
            stix_location(&x, &seen, o->country, loc);
            stix_rel(&x, &seen, "located-at", org, loc, true, -1);
        }
    }

    /* The actors, with every alias their campaigns name. */
    for (size_t i = 0; i < s->n_actors; i++) {
        const vg_actor_stats *a = &s->actors[i];
        vg_strlist aliases = {0};
        bool attributed = false;
        for (size_t k = 0; k < s->n_camps; k++)
            if (s->camps[k].attributed && strcmp(s->camps[k].actor, a->actor) == 0) {
                attributed = true;
                vg_strlist_add_all(&aliases, &s->camps[k].aliases);
            }
        if (attributed) {
            vg_strlist_sort(&aliases);
            char ta[VG_STIX_ID_LEN], is[VG_STIX_ID_LEN];
            vg_stix_actor(&x, a->actor, &aliases, a->origin, ta, is);
            if (a->origin) {
                char loc[VG_STIX_ID_LEN];
                stix_location(&x, &seen, a->origin, loc);
                stix_rel(&x, &seen, "located-at", ta, loc, true, -1);
            }
        }
        vg_strlist_free(&aliases);
    }

    /* The campaigns. */
    for (size_t i = 0; i < s->n_camps; i++) {
        const camp_row *r = &s->camps[i];
        vg_fmt_stix_time(r->first_seen, x.created);
        vg_fmt_stix_time(r->last_seen, x.modified);
        char camp[VG_STIX_ID_LEN];
        vg_stix_id("campaign", camp, "campaign:%s", r->id);
        vg_stix_obj_begin(&x, "campaign", camp, false);
        vg_buf t;
        vg_buf_init(&t, 0);
        vg_buf_printf(&t, "%s campaign %s", r->attributed ? r->actor : "Unattributed", r->id);
        vg_json_kv_str(&j, "name", vg_buf_cstr(&t));
        vg_buf_reset(&t);
        vg_buf_printf(&t, "Targeted %zu organization%s in %zu countr%s; %lld attempts, %lld blocked, "
                          "%lld succeeded",
                      r->orgs.n, r->orgs.n == 1 ? "" : "s", r->countries.n,
                      r->countries.n == 1 ? "y" : "ies", (long long)r->attempts,
                      (long long)r->blocked, (long long)r->succeeded);
        if (r->compromised.n)
            vg_buf_printf(&t, "; %zu account%s compromised", r->compromised.n,
                          r->compromised.n == 1 ? "" : "s");
        vg_json_kv_str(&j, "description", vg_buf_cstr(&t));
        vg_buf_free(&t);
        char t1[VG_TIME_STRLEN], t2[VG_TIME_STRLEN];
        vg_fmt_stix_time(r->first_seen, t1);
        vg_fmt_stix_time(r->last_seen, t2);
        vg_json_kv_str(&j, "first_seen", t1);
        vg_json_kv_str(&j, "last_seen", t2);
        vg_json_obj_end(&j);

        for (size_t k = 0; k < r->orgs.n; k++) {
            if (!*r->orgs.v[k])
                continue;
            char org[VG_STIX_ID_LEN];
            vg_stix_id("identity", org, "identity:org:%s", r->orgs.v[k]);
            stix_rel(&x, &seen, "targets", camp, org, false, -1);
        }
        char is[VG_STIX_ID_LEN] = "";
        if (r->attributed) {
            vg_stix_id("intrusion-set", is, "intrusion-set:%s", r->actor);
            stix_rel(&x, &seen, "attributed-to", camp, is, false, vg_stix_confidence(r->confidence));
        }
        for (size_t k = 0; k < r->techniques.n; k++) {
            const char *tid = r->techniques.v[k];
            char ap[VG_STIX_ID_LEN];
            vg_stix_id("attack-pattern", ap, "attack-pattern:%s", tid);
            if (stix_first(&seen, ap))
                vg_stix_attack_pattern(&x, tid, ap);
            stix_rel(&x, &seen, "uses", camp, ap, false, -1);
            if (r->attributed)
                stix_rel(&x, &seen, "uses", is, ap, true, -1);
        }
    }
    vg_strlist_free(&seen);
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_buf_putc(out, '\n');
}

void vg_notify_summary_render(const vg_notify_summary *s, vg_notify_format fmt, vg_buf *out)
{
    switch (fmt) {
    case VG_FMT_MD: render_doc(s, VG_DOC_MD, out); break;
    case VG_FMT_HTML: render_doc(s, VG_DOC_HTML, out); break;
    case VG_FMT_JSON: render_json(s, out); break;
    case VG_FMT_STIX: render_stix(s, out); break;
    default: break;
    }
}
