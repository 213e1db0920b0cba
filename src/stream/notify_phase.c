/* notify_phase.c — from campaigns to delivered notices: one notice per
 * targeted organization per campaign, a new version only when its material
 * facts change (the store decides what was already said), each pending or
 * failed delivery attempted once per run, then the operator's summary. */
#include <stdlib.h>
#include <string.h>

#include "stream/stream_int.h"

static int cmp_fid(const void *a, const void *b)
{
    return strcmp((*(vg_finding *const *)a)->id, (*(vg_finding *const *)b)->id);
}

void vg_run_index(vg_run *r)
{
    free(r->by_id);
    r->n_by_id = r->all.n;
    r->by_id = vg_xcalloc(r->all.n ? r->all.n : 1, sizeof *r->by_id);
    if (r->all.n)
        memcpy(r->by_id, r->all.v, r->all.n * sizeof *r->by_id);
    if (r->n_by_id > 1)
        qsort(r->by_id, r->n_by_id, sizeof *r->by_id, cmp_fid);
}

vg_finding *vg_run_find(const vg_run *r, const char *id)
{
    vg_finding key;
    snprintf(key.id, sizeof key.id, "%s", id ? id : "");
    vg_finding *kp = &key;
    vg_finding **hit = r->n_by_id ? bsearch(&kp, r->by_id, r->n_by_id, sizeof *r->by_id, cmp_fid)
                                  : NULL;
    return hit ? *hit : NULL;
}

static int cmp_campaign(const void *a, const void *b)
{
    const vg_campaign *x = *(vg_campaign *const *)a, *y = *(vg_campaign *const *)b;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int cmp_kind(const void *a, const void *b)
{
    return strcmp(((const vg_scan_kind_count *)a)->kind, ((const vg_scan_kind_count *)b)->kind);
}

void vg_run_summarize_findings(vg_run *r)
{
    vg_scan_summary *s = r->sum;
    s->findings_total = (int64_t)r->all.n;
    for (size_t i = 0; i < r->all.n; i++) {
        const vg_finding *f = r->all.v[i];
        if (f->suppressed) {
            s->findings_suppressed++;
            continue;
        }
        size_t k = 0;
        while (k < s->n_kinds && strcmp(s->kinds[k].kind, f->kind) != 0)
            k++;
        if (k == s->n_kinds) {
            s->kinds = vg_xrealloc(s->kinds, (s->n_kinds + 1) * sizeof *s->kinds);
            memset(&s->kinds[k], 0, sizeof s->kinds[k]);
            snprintf(s->kinds[k].kind, sizeof s->kinds[k].kind, "%s", f->kind);
            s->n_kinds++;
        }
        s->kinds[k].n++;
    }
    if (s->n_kinds > 1)
        qsort(s->kinds, s->n_kinds, sizeof *s->kinds, cmp_kind);
    s->campaigns = r->campaigns.n;
}

/* Files for the summary: rewritten only when their bytes change. */
static vg_err write_if_changed(const char *path, const vg_buf *b, vg_error *e)
{
    char *cur = NULL;
    size_t n = 0;
    if (vg_file_read(path, b->n + 1, &cur, &n, NULL) == VG_OK && n == b->n &&
        memcmp(cur, b->p ? b->p : "", n) == 0) {
        free(cur);
        return VG_OK;
    }
    free(cur);
    return vg_file_write(path, b->p ? b->p : "", b->n, e);
}

typedef struct latest_ctx {
    vg_strlist keys; /* "org\tcampaign\tversion" of latest versions */
} latest_ctx;

static int collect_latest(const vg_store_notification *n, void *ud)
{
    latest_ctx *lc = ud;
    vg_strlist_addf(&lc->keys, "%s\t%s\t%d", n->org, n->campaign_id, n->version);
    return 0;
}

typedef struct deliv_ctx {
    latest_ctx *latest;
    vg_notify_delivery_row *rows;
    size_t n, cap;
    vg_strlist strings; /* owns the row strings */
    vg_strlist visited; /* "org\tcampaign" handled in this run */
    vg_scan_summary *sum;
} deliv_ctx;

static const char *keep(deliv_ctx *dc, const char *s)
{
    vg_strlist_add(&dc->strings, s ? s : "");
    /* vg_strlist_add keeps unique copies: find ours */
    for (size_t i = dc->strings.n; i-- > 0;)
        if (strcmp(dc->strings.v[i], s ? s : "") == 0)
            return dc->strings.v[i];
    return "";
}

static int collect_delivery(const vg_store_delivery *d, void *ud)
{
    deliv_ctx *dc = ud;
    char key[1024];
    snprintf(key, sizeof key, "%s\t%s\t%d", d->org, d->campaign_id, d->version);
    if (!vg_strlist_has(&dc->latest->keys, key))
        return 0;
    snprintf(key, sizeof key, "%s\t%s", d->org, d->campaign_id);
    if ((d->state == VG_DELIVERY_PENDING || d->state == VG_DELIVERY_FAILED) &&
        !vg_strlist_has(&dc->visited, key))
        vg_strlist_addf(&dc->sum->problems,
                        "%s %s v%d %s: still %s (its campaign is no longer current)", d->org,
                        d->campaign_id, d->version, d->channel, vg_delivery_state_name(d->state));
    dc->rows = vg_xgrow(dc->rows, &dc->cap, dc->n + 1, sizeof *dc->rows);
    dc->rows[dc->n++] = (vg_notify_delivery_row){
        .org = keep(dc, d->org),
        .campaign = keep(dc, d->campaign_id),
        .channel = keep(dc, d->channel),
        .state = vg_delivery_state_name(d->state),
        .target = keep(dc, d->target),
        .error = keep(dc, d->last_error),
        .version = d->version,
        .attempts = d->attempts,
    };
    return 0;
}

static void copy_actor(vg_actor_stats *dst, const vg_actor_stats *src)
{
    memset(dst, 0, sizeof *dst);
    dst->actor = vg_xstrdup(src->actor);
    dst->origin = src->origin ? vg_xstrdup(src->origin) : NULL;
    dst->confidence = src->confidence;
    dst->campaigns = src->campaigns;
    vg_strlist_copy(&dst->orgs, &src->orgs);
    vg_strlist_copy(&dst->countries, &src->countries);
    vg_strlist_copy(&dst->compromised, &src->compromised);
    dst->attempts = src->attempts;
    dst->blocked = src->blocked;
    dst->succeeded = src->succeeded;
}

/* One organization's notice of one campaign: version, deliveries. */
/* Per run: channels that failed (org + channel) are not tried again in the
 * same run — one unreachable webhook must not cost every notice its retries —
 * and how many deliveries that deferred. */
typedef struct breaker {
    vg_strlist failed;
    vg_strlist deferred_keys;
    size_t *deferred;
} breaker;

static void breaker_defer(breaker *b, const char *key)
{
    for (size_t i = 0; i < b->deferred_keys.n; i++)
        if (strcmp(b->deferred_keys.v[i], key) == 0) {
            b->deferred[i]++;
            return;
        }
    vg_strlist_add(&b->deferred_keys, key);
    b->deferred = vg_xrealloc(b->deferred, b->deferred_keys.n * sizeof *b->deferred);
    b->deferred[b->deferred_keys.n - 1] = 1;
}

static vg_err notify_one(vg_run *r, const vg_campaign *c, const vg_finding *const *mem, size_t nm,
                         const char *org_id, const vg_delivery_opts *dopts, vg_strlist *notified,
                         vg_strlist *visited, breaker *brk, vg_error *e)
{
    vg_scan_summary *s = r->sum;
    const vg_notify_org *org = vg_notify_orgs_find(&r->orgs, org_id);
    if (!org)
        org = vg_notify_orgs_add_bare(&r->orgs, org_id);
    vg_notice *n = vg_notice_build(c, mem, nm, org, &r->orgs, r->catalog, &r->settings);
    if (!n)
        return VG_OK;
    vg_strlist_addf(visited, "%s\t%s", org->id, c->id);
    vg_store_notification latest;
    vg_err rc = vg_store_latest_notification(r->store, org->id, c->id, &latest, NULL);
    int version = 1;
    bool fresh = true;
    if (rc == VG_OK) {
        fresh = strcmp(latest.content_hash, vg_notice_content_hash(n)) != 0;
        version = fresh ? latest.version + 1 : latest.version;
        vg_store_notification_clear(&latest);
    }
    vg_notice_set_version(n, version);
    if (fresh) {
        vg_store_notification row = {(char *)org->id, (char *)c->id, version,
                                     (char *)vg_notice_content_hash(n),
                                     (char *)vg_notice_idempotency_key(n),
                                     (char *)vg_notice_facts(n)};
        if ((rc = vg_store_add_notification(r->store, &row, e))) {
            vg_notice_free(n);
            return rc;
        }
        s->notifications_new++;
        vg_strlist_add(notified, org->id);
    }
    s->notices = vg_xrealloc(s->notices, (s->n_notices + 1) * sizeof *s->notices);
    vg_scan_notice *sn = &s->notices[s->n_notices++];
    memset(sn, 0, sizeof *sn);
    sn->org = vg_xstrdup(org->id);
    sn->campaign = vg_xstrdup(c->id);
    sn->version = version;
    sn->new_version = fresh;
    sn->mail_compromised = vg_notice_mail_compromised(n);
    sn->compromised = vg_notice_compromised_count(n);
    sn->basename = vg_xstrdup(vg_notice_basename(n));

    vg_channel ch[VG_CHANNEL_COUNT];
    size_t nch = vg_notify_org_channels(org, ch);
    vg_rendered rend;
    bool rendered = false;
    for (size_t i = 0; i < nch; i++) {
        const char *cname = vg_channel_name(ch[i]);
        vg_buf tgt;
        vg_buf_init(&tgt, 0);
        vg_notify_channel_target(org, ch[i], dopts, vg_notice_mail_compromised(n), &tgt);
        if (ch[i] == VG_CHANNEL_OUTBOX)
            sn->outbox_dir = vg_xstrdup(vg_buf_cstr(&tgt));
        rc = vg_store_ensure_delivery(r->store, org->id, c->id, version, cname, vg_buf_cstr(&tgt),
                                      NULL, e);
        vg_buf_free(&tgt);
        if (rc)
            break;
        vg_store_delivery d;
        if ((rc = vg_store_get_delivery(r->store, org->id, c->id, version, cname, &d, e)))
            break;
        vg_delivery_state st = d.state;
        vg_store_delivery_clear(&d);
        if (st == VG_DELIVERY_DELIVERED) {
            sn->delivered++;
            continue;
        }
        if (st != VG_DELIVERY_PENDING && st != VG_DELIVERY_FAILED)
            continue;
        char bkey[512];
        snprintf(bkey, sizeof bkey, "%s %s", org->id, cname);
        if (ch[i] != VG_CHANNEL_OUTBOX && vg_strlist_has(&brk->failed, bkey)) {
            breaker_defer(brk, bkey);
            if (st == VG_DELIVERY_PENDING)
                sn->pending++;
            else
                sn->failed++;
            continue;
        }
        if (!rendered) {
            vg_rendered_init(&rend);
            vg_notice_render_all(n, &rend);
            rendered = true;
        }
        vg_delivery_result res;
        vg_notify_deliver(org, ch[i], &rend, dopts, &res);
        rc = vg_store_record_delivery(r->store, org->id, c->id, version, cname,
                                      res.ok ? VG_DELIVERY_DELIVERED : VG_DELIVERY_FAILED,
                                      res.tries ? res.tries : 1, res.ok ? "" : res.error,
                                      res.ok ? vg_now_ms() : 0, e);
        if (rc)
            break;
        if (res.ok) {
            s->deliveries_ok++;
            sn->delivered++;
        } else {
            s->deliveries_failed++;
            sn->failed++;
            vg_strlist_addf(&s->problems, "%s %s v%d %s: %s (will retry on the next run)", org->id,
                            c->id, version, cname, res.error);
            vg_strlist_add(&brk->failed, bkey);
        }
    }
    if (rendered)
        vg_rendered_free(&rend);
    vg_notice_free(n);
    return rc;
}

vg_err vg_run_notify(vg_run *r, vg_error *e)
{
    vg_scan_summary *s = r->sum;
    vg_run_index(r);
    if (r->campaigns.n > 1)
        qsort(r->campaigns.v, r->campaigns.n, sizeof *r->campaigns.v, cmp_campaign);
    vg_delivery_opts dopts = {.out_dir = r->out_dir, .settings = &r->settings};

    size_t nc = r->campaigns.n;
    const vg_finding ***members = vg_xcalloc(nc ? nc : 1, sizeof *members);
    size_t *n_members = vg_xcalloc(nc ? nc : 1, sizeof *n_members);
    for (size_t i = 0; i < nc; i++) {
        const vg_campaign *c = r->campaigns.v[i];
        members[i] = vg_xcalloc(c->findings.n ? c->findings.n : 1, sizeof **members);
        for (size_t k = 0; k < c->findings.n; k++) {
            const vg_finding *f = vg_run_find(r, c->findings.v[k]);
            if (f)
                members[i][n_members[i]++] = f;
        }
    }

    vg_strlist notified = {0}, visited = {0};
    breaker brk = {0};
    vg_err rc = VG_OK;
    for (size_t i = 0; i < nc && !rc; i++) {
        const vg_campaign *c = r->campaigns.v[i];
        /* The organizations are those of its (visible) findings, sorted. */
        vg_strlist orgs = {0};
        for (size_t k = 0; k < n_members[i]; k++)
            if (members[i][k]->org && *members[i][k]->org)
                vg_strlist_add(&orgs, members[i][k]->org);
        vg_strlist_sort(&orgs);
        for (size_t k = 0; k < orgs.n && !rc; k++)
            rc = notify_one(r, c, members[i], n_members[i], orgs.v[k], &dopts, &notified, &visited,
                            &brk, e);
        vg_strlist_free(&orgs);
    }
    s->orgs_notified = notified.n;
    vg_strlist_free(&notified);
    for (size_t i = 0; i < brk.deferred_keys.n; i++)
        vg_strlist_addf(&s->problems, "%s: %zu more deliveries deferred to the next run (it failed "
                                      "earlier in this one)",
                        brk.deferred_keys.v[i], brk.deferred[i]);
    vg_strlist_free(&brk.failed);
    vg_strlist_free(&brk.deferred_keys);
    free(brk.deferred);

    /* The operator's summary, with where each notice stands. */
    if (!rc) {
        vg_notify_summary *ns = vg_notify_summary_build(
            &r->campaigns, (const vg_finding *const *const *)members, n_members, &r->orgs,
            r->catalog, &r->settings);
        latest_ctx lc = {0};
        deliv_ctx dc = {.latest = &lc, .sum = s};
        dc.visited = visited;
        memset(&visited, 0, sizeof visited);
        vg_store_each_latest_notification(r->store, collect_latest, &lc, NULL);
        vg_store_each_delivery(r->store, 0, collect_delivery, &dc, NULL);
        vg_notify_summary_set_deliveries(ns, dc.rows, dc.n);
        for (size_t i = 0; i < dc.n; i++)
            if (strcmp(dc.rows[i].state, "pending") == 0)
                s->deliveries_pending++;
        free(dc.rows);
        vg_strlist_free(&dc.strings);
        vg_strlist_free(&dc.visited);
        vg_strlist_free(&lc.keys);

        s->headline = vg_xstrdup(vg_notify_summary_headline(ns));
        s->n_actors = vg_notify_summary_actor_count(ns);
        s->actors = vg_xcalloc(s->n_actors ? s->n_actors : 1, sizeof *s->actors);
        for (size_t i = 0; i < s->n_actors; i++)
            copy_actor(&s->actors[i], vg_notify_summary_actor(ns, i));
        static const vg_notify_format fmts[] = {VG_FMT_MD, VG_FMT_HTML, VG_FMT_JSON, VG_FMT_STIX};
        for (size_t i = 0; i < sizeof fmts / sizeof fmts[0] && !rc; i++) {
            vg_buf b, path;
            vg_buf_init(&b, 0);
            vg_buf_init(&path, 0);
            vg_notify_summary_render(ns, fmts[i], &b);
            vg_buf_printf(&path, "%s/summary.%s", r->out_dir, vg_notify_format_ext(fmts[i]));
            rc = write_if_changed(vg_buf_cstr(&path), &b, e);
            s->summary_paths[fmts[i]] = vg_buf_steal(&path);
            vg_buf_free(&b);
        }
        vg_notify_summary_free(ns);
    }
    vg_strlist_free(&visited);
    for (size_t i = 0; i < nc; i++)
        free(members[i]);
    free(members);
    free(n_members);
    return rc;
}
