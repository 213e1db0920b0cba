/* pipeline.c — `vigil scan` as a library call: inputs -> detectors ->
 * attribution -> campaigns -> store -> notifications. Every stage is a
 * module of its own; this file only wires them, in one direction, and keeps
 * the run idempotent (see vigil/stream.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/auth.h"
#include "vigil/detect_cred.h"
#include "vigil/intel.h"
#include "stream/stream_int.h"

#define BASELINE_TTL_MS (90LL * 86400000LL)

/* ---- progress (stderr, only on a terminal) ---------------------------------------------- */

typedef struct progress {
    bool on;
    int64_t total, done;
    int64_t last_draw_ms;
} progress;

static void progress_draw(progress *p, const char *what, bool force)
{
    if (!p->on)
        return;
    int64_t now = vg_now_ms();
    if (!force && now - p->last_draw_ms < 100)
        return;
    p->last_draw_ms = now;
    int pct = p->total > 0 ? (int)(p->done * 100 / p->total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '=' : ' ';
    bar[30] = 0;
    const char *base = strrchr(what, '/');
    fprintf(stderr, "\r[%s] %3d%% %-40.40s", bar, pct, base ? base + 1 : what);
    fflush(stderr);
}

static void progress_end(progress *p)
{
    if (p->on)
        fprintf(stderr, "\r%-80s\r", "");
}

/* ---- the run -------------------------------------------------------------------------------- */

typedef struct scan {
    vg_run run;
    vg_yaml_doc *cfg;
    const vg_yaml_node *root;
    const char *cfg_name;
    vg_iocset *iocs;
    vg_supps supps;
    vg_inputs inputs;
    vg_findings fresh; /* findings made by this run's detectors or read from findings files */
    vg_ioc_matcher *matcher;
    FILE *rejects;
    progress prog;
    int64_t event_max_ms; /* latest event time seen: "now" for baseline expiry */
} scan;

static void reject(scan *sc, const char *file, int64_t line, const char *reason)
{
    sc->run.sum->records_rejected++;
    if (sc->rejects)
        fprintf(sc->rejects, "%s:%lld: %s\n", file, (long long)line, reason);
}

static void auth_reject_cb(const char *file, int64_t line, const char *reason, void *ud)
{
    scan *sc = ud;
    sc->run.sum->records_rejected++;
    (void)file;
    (void)line;
    (void)reason; /* the reader writes the rejects file itself */
}

static const char *const TOP_KEYS[] = {"tlp",    "organizations", "brands",       "mail",
                                       "signins", "intel",        "suppressions", "notify",
                                       "actors", NULL};

static vg_err load_config(scan *sc, vg_error *e)
{
    const vg_scan_opts *o = sc->run.opts;
    if (!o->config_path)
        return VG_OK;
    sc->cfg = vg_yaml_load_file(o->config_path, e);
    if (!sc->cfg)
        return e && e->code ? e->code : VG_EINVAL;
    sc->root = vg_yaml_root(sc->cfg);
    sc->cfg_name = o->config_path;
    if (vg_yaml_type_of(sc->root) != VG_YAML_MAP && vg_yaml_type_of(sc->root) != VG_YAML_NULL)
        return vg_error_set(e, VG_EINVAL, "%s: the configuration must be a map", o->config_path);
    for (size_t i = 0; i < vg_yaml_len(sc->root); i++) {
        const char *k = vg_yaml_key_at(sc->root, i);
        bool ok = false;
        for (const char *const *p = TOP_KEYS; *p && !ok; p++)
            ok = strcmp(*p, k) == 0;
        if (!ok)
            vg_warn("%s:%d: unknown key '%s'", o->config_path,
                    vg_yaml_line(vg_yaml_value_at(sc->root, i)), k);
    }
    return VG_OK;
}

static int org_from_store(const vg_store_org *so, void *ud)
{
    vg_notify_orgs *orgs = ud;
    if (vg_notify_orgs_find(orgs, so->id))
        return 0;
    vg_notify_org o;
    if (vg_notify_org_from_json(so->config_json, strlen(so->config_json), &o, NULL) != VG_OK) {
        memset(&o, 0, sizeof o);
        o.id = vg_xstrdup(so->id);
        o.name = vg_xstrdup(so->name);
        o.outbox = true;
    }
    orgs->v = vg_xgrow(orgs->v, &orgs->cap, orgs->n + 1, sizeof *orgs->v);
    orgs->v[orgs->n++] = o;
    return 0;
}

/* Organizations and settings: from the config (and recorded in the store),
 * else as the last configured run left them in the store. */
static vg_err load_orgs(vg_run *r, const vg_yaml_node *root, const char *name, vg_error *e)
{
    vg_notify_settings_init(&r->settings);
    if (root) {
        vg_err rc = vg_notify_config_load(root, name, &r->orgs, &r->settings, e);
        if (rc)
            return rc;
        for (size_t i = 0; i < r->orgs.n; i++) {
            const vg_notify_org *o = &r->orgs.v[i];
            char *js = vg_notify_org_to_json(o);
            vg_store_org so = {o->id, o->name, o->country, o->sector, js};
            rc = vg_store_put_org(r->store, &so, NULL, e);
            free(js);
            if (rc)
                return rc;
        }
        char *st = vg_notify_settings_to_json(&r->settings);
        rc = vg_store_put_blob(r->store, "settings:notify", st, strlen(st), 0, 0, NULL, e);
        free(st);
        return rc;
    }
    void *blob = NULL;
    size_t n = 0;
    if (vg_store_get_blob(r->store, "settings:notify", &blob, &n, NULL, NULL) == VG_OK) {
        vg_notify_settings_from_json(blob, n, &r->settings, NULL);
        free(blob);
    }
    return vg_store_each_org(r->store, org_from_store, &r->orgs, e);
}

static void add_intel_file(scan *sc, const char *path)
{
    vg_error e = {0};
    if (vg_iocset_load_file(sc->iocs, path, &e) != VG_OK)
        vg_strlist_addf(&sc->run.sum->problems, "intel %s", e.msg);
    /* The same file may also name actors (an ATT&CK or MISP galaxy file). */
    vg_error e2 = {0};
    if (vg_catalog_merge_file(sc->run.catalog, path, &e2) != VG_OK)
        vg_debug("%s: no actor catalog in it (%s)", path, e2.msg);
}

static void add_intel_cb(const char *s, void *ud) { add_intel_file(ud, s); }

/* A file imported into the store (`vigil intel import`), loaded as its kind
 * says; sources name it by the base name it was imported under. */
static int add_stored_intel(const vg_store_intel *x, void *ud)
{
    scan *sc = ud;
    vg_error e = {0};
    if (strcmp(x->kind, "names") == 0) {
        if (vg_catalog_merge_buffer(sc->run.catalog, x->content, x->size, x->name, &e) != VG_OK)
            vg_strlist_addf(&sc->run.sum->problems, "imported intel %s", e.msg);
        return 0;
    }
    if (vg_iocset_load_buffer(sc->iocs, x->content, x->size, x->name, &e) != VG_OK)
        vg_strlist_addf(&sc->run.sum->problems, "imported intel %s", e.msg);
    vg_error e2 = {0};
    if (vg_catalog_merge_buffer(sc->run.catalog, x->content, x->size, x->name, &e2) != VG_OK)
        vg_debug("%s: no actor catalog in it (%s)", x->name, e2.msg);
    return 0;
}

size_t vg_stream_apply_actors(vg_catalog *c, const vg_yaml_node *root, const char *cfg_name)
{
    const char *cfg = cfg_name ? cfg_name : "config";
    const vg_yaml_node *list = vg_yaml_get(root, "actors");
    size_t skipped = 0;
    if (!list || vg_yaml_type_of(list) == VG_YAML_NULL)
        return 0;
    if (vg_yaml_type_of(list) != VG_YAML_SEQ) {
        vg_warn("%s:%d: actors: expected a list of {name, techniques}", cfg, vg_yaml_line(list));
        return 1;
    }
    for (size_t i = 0; i < vg_yaml_len(list); i++) {
        const vg_yaml_node *it = vg_yaml_at(list, i);
        const vg_yaml_node *nm = vg_yaml_get(it, "name");
        const vg_yaml_node *ts = vg_yaml_get(it, "techniques");
        const char *name = vg_yaml_type_of(nm) == VG_YAML_SCALAR ? vg_yaml_str(nm, NULL) : NULL;
        if (!name || !*name || (ts && vg_yaml_type_of(ts) != VG_YAML_SEQ)) {
            vg_warn("%s:%d: actors: each entry needs a name and a list of techniques, skipped",
                    cfg, vg_yaml_line(it));
            skipped++;
            continue;
        }
        vg_resolution res;
        size_t n = vg_catalog_resolve(c, name, &res);
        if (n != 1) {
            vg_warn("%s:%d: actors: %s actor '%s', skipped", cfg, vg_yaml_line(nm),
                    n ? "ambiguous" : "unknown", name);
            skipped++;
            continue;
        }
        for (size_t k = 0; k < vg_yaml_len(ts); k++) {
            const vg_yaml_node *t = vg_yaml_at(ts, k);
            vg_error e = {0};
            const char *tid = vg_yaml_type_of(t) == VG_YAML_SCALAR ? vg_yaml_str(t, "") : "";
            if (vg_catalog_add_technique(c, name, tid, &e) != VG_OK) {
                vg_warn("%s:%d: actors: %s, skipped", cfg, vg_yaml_line(t), e.msg);
                skipped++;
            }
        }
    }
    return skipped;
}

/* Intel imported into the store (by name, then SHA-256: a stable order),
 * then the config's intel.files, then --intel files; last, the techniques
 * the config's actors: list adds to known actors. */
static vg_err load_intel(scan *sc, vg_error *e)
{
    sc->run.catalog = vg_catalog_new();
    vg_err rc = vg_catalog_load_builtin(sc->run.catalog, e);
    if (rc)
        return rc;
    sc->iocs = vg_iocset_new();
    vg_iocset_set_catalog(sc->iocs, sc->run.catalog);
    if ((rc = vg_store_each_intel(sc->run.store, true, add_stored_intel, sc, e)))
        return rc;
    vg_yaml_each_str(vg_yaml_path(sc->root, "intel.files"), add_intel_cb, sc);
    for (size_t i = 0; i < sc->run.opts->n_intel; i++)
        add_intel_file(sc, sc->run.opts->intel_files[i]);
    vg_stream_apply_actors(sc->run.catalog, sc->root, sc->cfg_name);
    return VG_OK;
}

/* ---- suppressions ------------------------------------------------------------------------ */

static int supp_from_store_cb(const vg_store_suppression *row, void *ud)
{
    vg_supps *l = ud;
    vg_supp s;
    if (vg_supp_from_store(row, &s) == VG_OK) {
        l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
        l->v[l->n++] = s;
    }
    return 0;
}

static vg_err put_supp(vg_store *st, const vg_supp *s, vg_error *e)
{
    char *p = vg_supp_pattern_json(s);
    vg_store_suppression row = {(char *)s->id, p, s->owner, s->reason, s->expires_ms, s->source};
    vg_err rc = vg_store_put_suppression(st, &row, NULL, e);
    free(p);
    return rc;
}

/* Config suppressions replace the config's earlier ones; CLI ones add up.
 * Then every suppression in the store is active until it expires. */
static vg_err sync_suppressions(scan *sc, vg_error *e)
{
    vg_run *r = &sc->run;
    vg_supps cfg = {0};
    vg_err rc = VG_OK;
    if (sc->root) {
        if ((rc = vg_supps_from_config(sc->root, sc->cfg_name, &cfg, e)))
            goto out;
        vg_strlist keep = {0};
        for (size_t i = 0; i < cfg.n && !rc; i++) {
            vg_strlist_add(&keep, cfg.v[i].id);
            rc = put_supp(r->store, &cfg.v[i], e);
        }
        if (!rc)
            rc = vg_store_retain_suppressions(r->store, "config", &keep, e);
        vg_strlist_free(&keep);
        if (rc)
            goto out;
    }
    for (size_t i = 0; i < r->opts->n_suppress; i++) {
        vg_supp s;
        if ((rc = vg_supp_parse_spec(r->opts->suppress[i], &s, e)))
            goto out;
        rc = put_supp(r->store, &s, e);
        vg_supp_clear(&s);
        if (rc)
            goto out;
    }
    rc = vg_store_each_suppression(r->store, supp_from_store_cb, &sc->supps, e);
out:
    vg_supps_free(&cfg);
    return rc;
}

/* ---- reading inputs ------------------------------------------------------------------------- */

typedef struct auth_ctx {
    scan *sc;
    vg_cred_engine *eng;
    int64_t bytes_before;
} auth_ctx;

static vg_outcome outcome_of(vg_auth_result r)
{
    switch (r) {
    case VG_AUTH_SUCCESS: return VG_OUT_SUCCEEDED;
    case VG_AUTH_CREDENTIAL_VALID: return VG_OUT_CREDENTIAL_VALID;
    case VG_AUTH_BAD_PASSWORD:
    case VG_AUTH_NO_SUCH_USER:
    case VG_AUTH_LOCKED: return VG_OUT_BLOCKED;
    default: return VG_OUT_ATTEMPTED;
    }
}

static int on_event(const vg_auth_event *ev, void *ud)
{
    auth_ctx *ac = ud;
    scan *sc = ac->sc;
    sc->run.sum->events++;
    if (ev->time_ms > sc->event_max_ms)
        sc->event_max_ms = ev->time_ms;
    vg_cred_engine_feed(ac->eng, ev);
    if (sc->matcher && ev->ip.family) {
        char ip[VG_IP_STRLEN];
        vg_ip_format(&ev->ip, ip);
        vg_ioc_obs obs = {.org = ev->org,
                          .type = VG_IOC_IP,
                          .value = ip,
                          .role = "sign-in source",
                          .time_ms = ev->time_ms,
                          .account = ev->account && *ev->account ? ev->account : NULL,
                          .outcome = outcome_of(ev->result),
                          .file = ev->file,
                          .line = ev->line};
        vg_ioc_observe(sc->matcher, &obs);
    }
    if ((sc->run.sum->events & 0xffff) == 0)
        progress_draw(&sc->prog, ev->file, false);
    return 0;
}

static void baseline_to_store(const vg_cred_baseline *b, void *ud)
{
    scan *sc = ud;
    vg_buf buf;
    vg_buf_init(&buf, 0);
    vg_json j;
    vg_json_init(&j, &buf);
    vg_cred_baseline_write_json(b, &j);
    char key[512];
    snprintf(key, sizeof key, "cred:%s:%s", b->org, b->account);
    vg_error e = {0};
    if (vg_store_put_blob(sc->run.store, key, buf.p, buf.n, b->last_ms, b->last_ms + BASELINE_TTL_MS,
                          NULL, &e) != VG_OK)
        vg_strlist_addf(&sc->run.sum->problems, "baseline %s: %s", key, e.msg);
    vg_buf_free(&buf);
}

static int baseline_from_store(const char *key, const void *data, size_t n, int64_t ev, void *ud)
{
    (void)ev;
    vg_cred_engine *eng = ud;
    vg_cred_baseline b;
    if (vg_cred_baseline_from_json(data, n, &b, NULL) == VG_OK)
        vg_cred_baseline_import(eng, &b);
    else
        vg_debug("baseline %s unreadable, ignored", key);
    return 0;
}

static void on_cred_finding(const vg_finding *f, void *ud)
{
    (void)f;
    (void)ud; /* the latest revisions are collected at the end */
}

static vg_err read_signins(scan *sc, bool *any_read, vg_error *e)
{
    vg_run *r = &sc->run;
    bool need = false, have = false;
    for (size_t i = 0; i < sc->inputs.n; i++) {
        const vg_input *in = &sc->inputs.v[i];
        if (in->kind != VG_IN_SIGNINS || in->failed)
            continue;
        have = true;
        if (!in->unchanged)
            need = true;
    }
    if (!have || (!need && !r->opts->rescan))
        return VG_OK;
    vg_auth_config *acfg = vg_auth_config_new();
    vg_err rc = vg_auth_config_load(acfg, sc->root, e);
    if (rc) {
        vg_auth_config_free(acfg);
        return rc;
    }
    vg_cred_engine *eng = vg_cred_engine_new(sc->root, e);
    if (!eng) {
        vg_auth_config_free(acfg);
        return e && e->code ? e->code : VG_EINVAL;
    }
    vg_cred_engine_on_finding(eng, on_cred_finding, sc);
    vg_store_each_blob(r->store, "cred:", baseline_from_store, eng, NULL);
    vg_auth_reader *rd = vg_auth_reader_new(acfg);
    vg_auth_reader_set_rejects(rd, auth_reject_cb, sc);
    if (sc->rejects)
        vg_auth_reader_set_rejects_file(rd, sc->rejects);
    auth_ctx ac = {sc, eng, 0};
    for (size_t i = 0; i < sc->inputs.n; i++) {
        vg_input *in = &sc->inputs.v[i];
        if (in->kind != VG_IN_SIGNINS || in->failed)
            continue;
        progress_draw(&sc->prog, in->path, true);
        int64_t ev0 = r->sum->events, rej0 = r->sum->records_rejected;
        vg_error fe = {0};
        if (vg_auth_read_file(rd, in->path, on_event, &ac, &fe) != VG_OK) {
            in->failed = true;
            vg_strlist_addf(&r->sum->problems, "%s", fe.msg);
        }
        vg_cred_engine_source_done(eng, in->path);
        in->records = r->sum->events - ev0;
        in->rejected = r->sum->records_rejected - rej0;
        sc->prog.done += in->size;
        *any_read = true;
    }
    vg_cred_engine_flush(eng);
    vg_cred_engine_findings(eng, &sc->fresh);
    vg_cred_baselines_each(eng, baseline_to_store, sc);
    if (sc->event_max_ms > 0)
        vg_store_expire_blobs(r->store, sc->event_max_ms, NULL, NULL);
    vg_auth_reader_free(rd);
    vg_cred_engine_free(eng);
    vg_auth_config_free(acfg);
    return VG_OK;
}

static void mail_progress(const char *path, int64_t bytes_done, void *ud)
{
    scan *sc = ud;
    sc->prog.done += bytes_done;
    progress_draw(&sc->prog, path, bytes_done > 0);
}

static void read_findings_files(scan *sc, bool *any_read)
{
    vg_run *r = &sc->run;
    for (size_t i = 0; i < sc->inputs.n; i++) {
        vg_input *in = &sc->inputs.v[i];
        if (in->kind != VG_IN_FINDINGS || in->failed || (in->unchanged && !r->opts->rescan))
            continue;
        char *data = NULL;
        size_t n = 0;
        vg_error fe = {0};
        if (vg_file_read(in->path, 0, &data, &n, &fe) != VG_OK) {
            in->failed = true;
            vg_strlist_addf(&r->sum->problems, "%s", fe.msg);
            continue;
        }
        *any_read = true;
        int64_t line = 0;
        vg_str rest = vg_str_make(data, n), tok;
        while (vg_str_split(&rest, '\n', &tok)) {
            line++;
            vg_str t = vg_str_trim(tok);
            if (t.n == 0)
                continue;
            vg_error pe = {0};
            vg_finding *f = vg_finding_from_json(t.p, t.n, &pe);
            if (!f || !f->org || !*f->org) {
                in->rejected++;
                reject(sc, in->path, line, f ? "finding without an organization" : pe.msg);
                vg_finding_free(f);
                continue;
            }
            f->suppressed = false; /* the store decides */
            vg_finding_normalize(f);
            vg_findings_push(&sc->fresh, f);
            in->records++;
        }
        free(data);
        sc->prog.done += in->size;
    }
}

/* ---- merging with the store ---------------------------------------------------------------- */

static int cmp_fid(const void *a, const void *b)
{
    return strcmp((*(vg_finding *const *)a)->id, (*(vg_finding *const *)b)->id);
}

/* A finding exactly as the store will give it back (lists capped as the
 * JSON form caps them), so that attribution sees the same facts whether the
 * finding is fresh or read back on a later run. */
static vg_finding *as_stored(vg_finding *f)
{
    char *js = vg_finding_to_json(f);
    vg_finding *g = vg_finding_from_json(js, strlen(js), NULL);
    free(js);
    if (!g)
        return f;
    vg_finding_free(f);
    return g;
}

/* all := stored findings, each replaced by a fresh one of the same id when
 * the fresh revision is not older; fresh ones with new ids appended. */
static void merge_fresh(vg_run *r, vg_findings *fresh)
{
    for (size_t i = 0; i < fresh->n; i++)
        fresh->v[i] = as_stored(fresh->v[i]);
    if (r->all.n > 1)
        qsort(r->all.v, r->all.n, sizeof *r->all.v, cmp_fid);
    if (fresh->n > 1)
        qsort(fresh->v, fresh->n, sizeof *fresh->v, cmp_fid);
    size_t stored = r->all.n;
    for (size_t i = 0; i < fresh->n; i++) {
        vg_finding *f = fresh->v[i];
        if (i + 1 < fresh->n && strcmp(f->id, fresh->v[i + 1]->id) == 0 &&
            fresh->v[i + 1]->revision >= f->revision) {
            vg_finding_free(f); /* a later revision of the same finding follows */
            fresh->v[i] = NULL;
            continue;
        }
        vg_finding key = {0};
        memcpy(key.id, f->id, sizeof key.id);
        vg_finding *kp = &key;
        vg_finding **hit = stored ? bsearch(&kp, r->all.v, stored, sizeof *r->all.v, cmp_fid) : NULL;
        if (hit) {
            if (f->revision >= (*hit)->revision) {
                f->suppressed = (*hit)->suppressed;
                vg_finding_free(*hit);
                *hit = f;
            } else {
                vg_finding_free(f);
            }
        } else {
            vg_findings_push(&r->all, f);
        }
        fresh->v[i] = NULL;
    }
    fresh->n = 0;
    vg_findings_sort(&r->all);
}

static vg_err store_findings(scan *sc, vg_error *e)
{
    vg_run *r = &sc->run;
    int64_t now = vg_now_ms();
    for (size_t i = 0; i < r->all.n; i++) {
        vg_finding *f = r->all.v[i];
        const vg_supp *s = vg_supps_match(&sc->supps, f, now);
        f->suppressed = s != NULL;
        vg_store_change chg;
        vg_err rc = vg_store_put_finding(r->store, f, &chg, e);
        if (rc)
            return rc;
        if (chg == VG_STORE_INSERTED)
            r->sum->findings_new++;
        else if (chg == VG_STORE_UPDATED)
            r->sum->findings_updated++;
        char *by = vg_store_suppressed_by(r->store, f->id);
        bool differs = (by == NULL) != (s == NULL) || (by && s && strcmp(by, s->id) != 0);
        free(by);
        if (differs && (rc = vg_store_set_suppressed(r->store, f->id, s ? s->id : NULL, e)))
            return rc;
    }
    return VG_OK;
}

static int campaign_from_store(const vg_store_campaign *c, void *ud)
{
    vg_campaigns *l = ud;
    vg_campaign *cp = vg_campaign_from_json(c->body_json, strlen(c->body_json), NULL);
    if (cp)
        vg_campaigns_push(l, cp);
    return 0;
}

static vg_err build_campaigns(scan *sc, vg_error *e)
{
    vg_run *r = &sc->run;
    vg_org_info *oi = vg_xcalloc(r->orgs.n ? r->orgs.n : 1, sizeof *oi);
    for (size_t i = 0; i < r->orgs.n; i++)
        oi[i] = (vg_org_info){r->orgs.v[i].id, r->orgs.v[i].country, r->orgs.v[i].sector};
    vg_run_index(r);
    vg_campaigns prev = {0};
    vg_err rc = vg_store_each_campaign(r->store, campaign_from_store, &prev, e);
    /* Suppressed findings form no campaign. */
    vg_findings live = {0};
    for (size_t i = 0; !rc && i < r->all.n; i++)
        if (!r->all.v[i]->suppressed)
            vg_findings_push(&live, r->all.v[i]);
    if (!rc)
        rc = vg_campaigns_build(&live, oi, r->orgs.n, &prev, NULL, &r->campaigns, e);
    free(live.v); /* borrowed findings */
    vg_campaigns_free(&prev);
    free(oi);
    if (rc)
        return rc;
    vg_strlist keep = {0};
    for (size_t i = 0; i < r->campaigns.n && !rc; i++) {
        const vg_campaign *c = r->campaigns.v[i];
        vg_strlist_add(&keep, c->id);
        vg_store_member *m = vg_xcalloc(c->findings.n ? c->findings.n : 1, sizeof *m);
        size_t nm = 0;
        for (size_t k = 0; k < c->findings.n; k++) {
            const vg_finding *f = vg_run_find(r, c->findings.v[k]);
            m[nm++] = (vg_store_member){c->findings.v[k], f && f->org ? f->org : ""};
        }
        char *body = vg_campaign_to_json(c);
        vg_store_campaign sc_row = {(char *)c->id, c->actor, c->first_seen, c->last_seen, body};
        rc = vg_store_put_campaign(r->store, &sc_row, m, nm, NULL, e);
        free(body);
        free(m);
    }
    if (!rc)
        rc = vg_store_retain_campaigns(r->store, &keep, NULL, e);
    vg_strlist_free(&keep);
    return rc;
}

static vg_err record_inputs(scan *sc, vg_error *e)
{
    vg_run *r = &sc->run;
    for (size_t i = 0; i < sc->inputs.n; i++) {
        const vg_input *in = &sc->inputs.v[i];
        if (in->failed || in->kind == VG_IN_UNKNOWN)
            continue;
        char *abs = realpath(in->path, NULL);
        vg_store_ingest row = {abs ? abs : in->path, in->dev, in->ino, in->size, in->mtime_ns,
                               (char *)in->sha256, (char *)vg_input_kind_name(in->kind),
                               in->records, in->rejected};
        vg_store_ingest prev;
        if (in->unchanged && vg_store_get_ingest(r->store, row.path, &prev, NULL) == VG_OK) {
            /* Not read this time: keep what the read that counted found. */
            row.records = prev.records;
            row.rejected = prev.rejected;
            vg_err rc = vg_store_put_ingest(r->store, &row, NULL, e);
            vg_store_ingest_clear(&prev);
            free(abs);
            if (rc)
                return rc;
            continue;
        }
        vg_err rc = vg_store_put_ingest(r->store, &row, NULL, e);
        free(abs);
        if (rc)
            return rc;
    }
    return VG_OK;
}

static void mark_unchanged(scan *sc)
{
    vg_run *r = &sc->run;
    for (size_t i = 0; i < sc->inputs.n; i++) {
        vg_input *in = &sc->inputs.v[i];
        vg_scan_summary *s = r->sum;
        s->inputs++;
        if (in->failed) {
            s->inputs_failed++;
            continue;
        }
        switch (in->kind) {
        case VG_IN_MAIL: s->inputs_mail++; break;
        case VG_IN_SIGNINS: s->inputs_signins++; break;
        case VG_IN_FINDINGS: s->inputs_findings++; break;
        default:
            s->inputs_unknown++;
            vg_strlist_addf(&s->problems, "%s: not recognized as mail, a sign-in log or findings",
                            in->path);
            continue;
        }
        char *abs = realpath(in->path, NULL);
        vg_store_ingest prev;
        if (vg_store_get_ingest(r->store, abs ? abs : in->path, &prev, NULL) == VG_OK) {
            in->unchanged = prev.size == in->size && strcmp(prev.sha256, in->sha256) == 0 &&
                            strcmp(prev.kind, vg_input_kind_name(in->kind)) == 0;
            vg_store_ingest_clear(&prev);
        }
        free(abs);
        if (in->unchanged)
            s->inputs_unchanged++;
    }
}

static void scan_free(scan *sc)
{
    vg_run *r = &sc->run;
    vg_findings_free(&sc->fresh);
    vg_findings_free(&r->all);
    free(r->by_id);
    vg_campaigns_free(&r->campaigns);
    vg_notify_orgs_free(&r->orgs);
    vg_notify_settings_clear(&r->settings);
    vg_inputs_free(&sc->inputs);
    vg_supps_free(&sc->supps);
    if (sc->matcher)
        vg_ioc_matcher_free(sc->matcher);
    if (sc->iocs)
        vg_iocset_free(sc->iocs);
    if (r->catalog)
        vg_catalog_free(r->catalog);
    if (r->store)
        vg_store_close(r->store);
    if (sc->cfg)
        vg_yaml_free(sc->cfg);
    if (sc->rejects)
        fclose(sc->rejects);
}

static vg_err open_common(scan *sc, const vg_scan_opts *opts, vg_scan_summary *s, vg_error *e)
{
    vg_scan_summary_init(s);
    memset(sc, 0, sizeof *sc);
    sc->run.opts = opts;
    sc->run.sum = s;
    const char *db = opts->db_path ? opts->db_path : VG_SCAN_DEFAULT_DB;
    sc->run.out_dir = opts->out_dir ? opts->out_dir : VG_SCAN_DEFAULT_OUT;
    s->db_path = vg_xstrdup(db);
    s->out_dir = vg_xstrdup(sc->run.out_dir);
    vg_err rc = load_config(sc, e);
    if (rc)
        return rc;
    if ((rc = vg_store_open(db, &sc->run.store, e)))
        return rc;
    if ((rc = vg_mkdir_p(sc->run.out_dir, e)))
        return rc;
    return VG_OK;
}

vg_err vg_pipeline_run(const vg_scan_opts *opts, vg_scan_summary *s, vg_error *e)
{
    int64_t t0 = vg_now_ms();
    scan sc;
    vg_err rc = open_common(&sc, opts, s, e);
    vg_run *r = &sc.run;
    if (rc)
        goto out;
    if (opts->rejects_path && !(sc.rejects = fopen(opts->rejects_path, "a"))) {
        rc = vg_error_set(e, VG_EIO, "%s: cannot open the rejects file", opts->rejects_path);
        goto out;
    }
    if ((rc = vg_store_begin(r->store, e)))
        goto out;
    if ((rc = load_orgs(r, sc.root, sc.cfg_name, e)) || (rc = load_intel(&sc, e)) ||
        (rc = sync_suppressions(&sc, e)))
        goto rollback;

    /* Inputs, fingerprinted and recognized. */
    vg_auth_config *acfg = vg_auth_config_new();
    if ((rc = vg_auth_config_load(acfg, sc.root, e))) {
        vg_auth_config_free(acfg);
        goto rollback;
    }
    vg_inputs_collect(opts->inputs, opts->n_inputs, acfg, &sc.inputs, &s->problems);
    vg_auth_config_free(acfg);
    mark_unchanged(&sc);
    sc.prog.on = opts->progress && isatty(STDERR_FILENO);
    sc.prog.total = sc.inputs.total_bytes;

    /* Detectors. */
    bool any_read = false;
    sc.matcher = vg_ioc_matcher_new(sc.iocs);
    if ((rc = read_signins(&sc, &any_read, e)) ||
        (rc = vg_stream_read_mail(&sc.inputs, sc.root, opts->rescan, &sc.fresh, s, sc.rejects,
                                  mail_progress, &sc, &sc.event_max_ms, &any_read, e)))
        goto rollback;
    read_findings_files(&sc, &any_read);
    progress_end(&sc.prog);
    /* Indicator hits in what the detectors found; a suppressed finding (an
     * authorized test, a known benign source) yields none. */
    int64_t now = vg_now_ms();
    for (size_t i = 0; i < sc.fresh.n; i++)
        if (!vg_supps_match(&sc.supps, sc.fresh.v[i], now))
            vg_ioc_observe_finding(sc.matcher, sc.fresh.v[i]);
    vg_ioc_matcher_flush(sc.matcher, &sc.fresh);

    /* Everything stored so far plus what is new, attributed together. */
    vg_store_query q = {.include_suppressed = true};
    if ((rc = vg_store_load_findings(r->store, &q, &r->all, e)))
        goto rollback;
    merge_fresh(r, &sc.fresh);
    vg_org_info *oi = vg_xcalloc(r->orgs.n ? r->orgs.n : 1, sizeof *oi);
    for (size_t i = 0; i < r->orgs.n; i++)
        oi[i] = (vg_org_info){r->orgs.v[i].id, r->orgs.v[i].country, r->orgs.v[i].sector};
    vg_attrib *at = vg_attrib_new(r->catalog, sc.iocs, oi, r->orgs.n);
    vg_attrib_findings(at, &r->all);
    vg_attrib_free(at);
    free(oi);

    if ((rc = store_findings(&sc, e)) || (rc = build_campaigns(&sc, e)) ||
        (rc = record_inputs(&sc, e)))
        goto rollback;
    if ((rc = vg_store_commit(r->store, e)))
        goto out;
    (void)any_read;

    vg_run_summarize_findings(r);
    if (!opts->no_notify)
        rc = vg_run_notify(r, e);
    goto out;
rollback:
    vg_store_rollback(r->store);
out:
    progress_end(&sc.prog);
    s->elapsed_ms = vg_now_ms() - t0;
    scan_free(&sc);
    return rc;
}

vg_err vg_pipeline_notify(const vg_scan_opts *opts, vg_scan_summary *s, vg_error *e)
{
    int64_t t0 = vg_now_ms();
    scan sc;
    vg_err rc = open_common(&sc, opts, s, e);
    vg_run *r = &sc.run;
    if (rc)
        goto out;
    if ((rc = vg_store_begin(r->store, e)))
        goto out;
    if ((rc = load_orgs(r, sc.root, sc.cfg_name, e))) {
        vg_store_rollback(r->store);
        goto out;
    }
    if ((rc = vg_store_commit(r->store, e)))
        goto out;
    /* The same actor names as the scan that made the campaigns. */
    if ((rc = load_intel(&sc, e)))
        goto out;
    vg_store_query q = {.include_suppressed = true};
    if ((rc = vg_store_load_findings(r->store, &q, &r->all, e)) ||
        (rc = vg_store_each_campaign(r->store, campaign_from_store, &r->campaigns, e)))
        goto out;
    vg_run_summarize_findings(r);
    rc = vg_run_notify(r, e);
out:
    s->elapsed_ms = vg_now_ms() - t0;
    scan_free(&sc);
    return rc;
}
