/* phish_engine.c — the phishing engine: builds the tables from the built-in
 * data and the config, runs the registered detectors over one parsed message,
 * turns the reasons into a score and a verdict, writes the verdict (JSON or a
 * line for people) and the phish.* findings.
 *
 * Scoring: strong rules add their weight; supporting rules (lures, a brand
 * named in the subject, a shortened link, ...) add theirs, capped at
 * SUPPORT_CAP, only when a strong rule fired. Without a strong rule the
 * score stays below the suspicious threshold: a lure alone is never phishing.
 * The score is capped at 100; phish >= mail.thresholds.phish (60),
 * suspicious >= mail.thresholds.suspicious (30). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "phish_internal.h"

#define SUPPORT_CAP 30
#define LURE_CAP 25

/* ---- the rule table ---------------------------------------------------------------------- */

typedef struct rule_def {
    const char *name;
    int weight;
    bool strong;
    phish_kind kind;
    const char *desc;
} rule_def;

static const rule_def rules[R__COUNT] = {
#define PHISH_RULE(id, weight, strong, kind, desc) {#id, weight, strong, kind, desc},
#include "phish_rules.def"
#undef PHISH_RULE
};

static const vg_phish_rule_info rule_infos[R__COUNT] = {
#define PHISH_RULE(id, weight, strong, kind, desc) {#id, weight, desc},
#include "phish_rules.def"
#undef PHISH_RULE
};

size_t vg_phish_rules(const vg_phish_rule_info **out)
{
    *out = rule_infos;
    return R__COUNT;
}

/* ---- the detector registration table ------------------------------------------------------ */

typedef struct detector {
    const char *name;
    void (*run)(ph_ctx *c);
} detector;

/* Order matters: later detectors read what earlier ones found (claims,
 * lures). */
static const detector detectors[] = {
    {"scan", ph_detect_scan},           {"sender", ph_detect_sender},
    {"lure", ph_detect_lure},           {"freemail_lure", ph_detect_freemail_lure},
    {"brand_subject_lure", ph_detect_brand_subject_lure},
    {"auth", ph_detect_auth},           {"lookalike", ph_detect_lookalike},
    {"links", ph_detect_links},         {"attachments", ph_detect_attachments},
    {"evidence", ph_detect_evidence},
};

static const char *const kind_names[PK__COUNT] = {
    "phish.impersonation", "phish.lookalike_domain", "phish.lure", "phish.credential_link",
    "phish.attachment",    NULL};

const char *vg_phish_verdict_name(vg_phish_verdict v)
{
    switch (v) {
    case VG_PHISH_PHISH:
        return "phish";
    case VG_PHISH_SUSPICIOUS:
        return "suspicious";
    default:
        return "clean";
    }
}

/* ---- reasons ------------------------------------------------------------------------------- */

bool ph_fired(const ph_ctx *c, phish_rule r)
{
    for (size_t i = 0; i < c->n_reasons; i++) {
        if (c->reasons[i].rule == r)
            return true;
    }
    return false;
}

void ph_impersonate(ph_ctx *c, const char *who, int prio)
{
    if (who && prio > c->imp_prio) {
        c->impersonated = who;
        c->imp_prio = prio;
    }
}

static void add_reason(ph_ctx *c, phish_rule r, int weight, const char *detail)
{
    if (c->n_reasons == c->cap_reasons) {
        size_t nc = c->cap_reasons ? c->cap_reasons * 2 : 16;
        ph_reason *nv = vg_arena_alloc(c->a, nc * sizeof *nv);
        if (c->n_reasons)
            memcpy(nv, c->reasons, c->n_reasons * sizeof *nv);
        c->reasons = nv;
        c->cap_reasons = nc;
    }
    c->reasons[c->n_reasons++] = (ph_reason){r, weight, detail};
    c->kinds_fired |= 1u << rules[r].kind;
}

void ph_fire(ph_ctx *c, phish_rule r, const char *fmt, ...)
{
    if (r != R_lure && ph_fired(c, r))
        return;
    va_list ap;
    va_start(ap, fmt);
    const char *detail = vg_arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    /* a detail longer than 4096 bytes is dropped (all reasons are short) */
    if (!detail || strlen(detail) > 4096)
        detail = vg_arena_strdup(c->a, "");
    add_reason(c, r, c->eng->weights[r], detail);
}

/* Lure reasons carry the lexicon's weight (phish_lure.c). */
void ph_fire_lure(ph_ctx *c, int weight, const char *detail) { add_reason(c, R_lure, weight, detail); }

static int cmp_reason(const void *a, const void *b)
{
    const ph_reason *x = a, *y = b;
    bool sx = rules[x->rule].strong, sy = rules[y->rule].strong;
    if (sx != sy)
        return sx ? -1 : 1;
    if (x->weight != y->weight)
        return y->weight - x->weight;
    int r = strcmp(rules[x->rule].name, rules[y->rule].name);
    return r ? r : strcmp(x->detail, y->detail);
}

/* ---- engine --------------------------------------------------------------------------------- */

static vg_err read_weights(vg_phish_engine *e, const vg_yaml_node *mail, vg_error *err)
{
    for (int i = 0; i < R__COUNT; i++)
        e->weights[i] = rules[i].weight;
    e->th_phish = 60;
    e->th_suspicious = 30;
    e->findings_min = VG_PHISH_PHISH;
    if (!mail)
        return VG_OK;
    const vg_yaml_node *w = vg_yaml_get(mail, "weights");
    for (size_t i = 0; i < vg_yaml_len(w); i++) {
        const char *k = vg_yaml_key_at(w, i);
        const vg_yaml_node *v = vg_yaml_value_at(w, i);
        int64_t x;
        int idx = -1;
        for (int r = 0; r < R__COUNT; r++) {
            if (strcmp(rules[r].name, k) == 0)
                idx = r;
        }
        if (idx < 0)
            return vg_error_set(err, VG_EINVAL, "line %d: mail.weights: unknown rule %s",
                                vg_yaml_line(v), k);
        if (!vg_yaml_int(v, &x) || x < 0 || x > 100)
            return vg_error_set(err, VG_EINVAL, "line %d: mail.weights.%s must be 0-100",
                                vg_yaml_line(v), k);
        e->weights[idx] = (int)x;
    }
    const vg_yaml_node *th = vg_yaml_get(mail, "thresholds");
    int64_t x;
    if (vg_yaml_int(vg_yaml_get(th, "phish"), &x) && x > 0 && x <= 100)
        e->th_phish = (int)x;
    if (vg_yaml_int(vg_yaml_get(th, "suspicious"), &x) && x > 0 && x <= 100)
        e->th_suspicious = (int)x;
    if (e->th_suspicious > e->th_phish)
        return vg_error_set(err, VG_EINVAL, "line %d: mail.thresholds: suspicious above phish",
                            vg_yaml_line(th));
    const char *fm = vg_yaml_str(vg_yaml_get(mail, "findings"), NULL);
    if (fm) {
        if (strcmp(fm, "suspicious") == 0)
            e->findings_min = VG_PHISH_SUSPICIOUS;
        else if (strcmp(fm, "phish") == 0)
            e->findings_min = VG_PHISH_PHISH;
        else
            return vg_error_set(err, VG_EINVAL,
                                "line %d: mail.findings must be \"phish\" or \"suspicious\"",
                                vg_yaml_line(vg_yaml_get(mail, "findings")));
    }
    return VG_OK;
}

/* The tables of a family of engines: a copy of the first engine's table
 * fields as built (its own state zeroed), which siblings are copied from,
 * and the count of engines using them. The last engine freed frees them. */
struct ph_shared {
    atomic_int refs;
    vg_phish_engine image;
};

/* Points lists[] at this struct's own host lists (after a copy). */
static void link_lists(vg_phish_engine *e)
{
    hostlist *hl[PH_L__COUNT] = {
        [PH_L_ESP] = &e->esp,           [PH_L_ATS] = &e->ats,
        [PH_L_SIGNING] = &e->signing,   [PH_L_NEWSLETTERS] = &e->newsletters,
        [PH_L_REWRITERS] = &e->rewriters, [PH_L_SHORTENERS] = &e->shorteners,
        [PH_L_HOSTING] = &e->hosting,   [PH_L_FORMS] = &e->forms,
        [PH_L_SHARING] = &e->sharing,   [PH_L_TENANTS] = &e->tenants,
        [PH_L_REDIRECTS] = &e->redirects};
    memcpy(e->lists, hl, sizeof hl);
}

/* Zeroes the per-engine part of a copy of an engine. */
static void clear_state(vg_phish_engine *e)
{
    e->shared = NULL;
    e->parser = NULL;
    e->hs_scratch = NULL;
    e->arena = NULL;
    e->hosts = e->names = NULL;
    memset(&e->result, 0, sizeof e->result);
}

/* The engine's own state: a parser, vectorscan scratch for the shared
 * databases, the message arena and the caches. */
static vg_err state_new(vg_phish_engine *e, vg_error *err)
{
    if ((e->hs_db && hs_alloc_scratch(e->hs_db, &e->hs_scratch) != HS_SUCCESS) ||
        (e->hs_db_cs && hs_alloc_scratch(e->hs_db_cs, &e->hs_scratch) != HS_SUCCESS))
        return vg_error_set(err, VG_ENOMEM, "vectorscan: cannot allocate scratch");
    e->arena = vg_arena_new(128u << 10);
    ph_caches_new(e);
    return vg_mail_parser_new(&e->parser, &e->popts, err);
}

static void state_free(vg_phish_engine *e)
{
    vg_mail_parser_free(e->parser);
    if (e->hs_scratch)
        hs_free_scratch(e->hs_scratch);
    ph_caches_free(e);
    vg_arena_free(e->arena);
    clear_state(e);
}

/* Copies e's tables into the image its siblings will be copied from. */
static void take_image(vg_phish_engine *e)
{
    ph_shared *s = e->shared;
    s->image = *e;
    clear_state(&s->image);
    link_lists(&s->image);
}

static void tables_free(vg_phish_engine *e)
{
    ph_data_free(e);
    if (e->spoof)
        uspoof_close(e->spoof);
}

vg_err vg_phish_engine_new(vg_phish_engine **out, const vg_yaml_node *root, vg_error *err)
{
    *out = NULL;
    vg_phish_engine *e = vg_xcalloc(1, sizeof *e);
    vg_err rc;
    ph_strmap_init(&e->brand_names);
    ph_strmap_init(&e->brand_domains);
    ph_strmap_init(&e->org_domains);
    ph_strmap_init(&e->prot_skel);
    ph_strmap_init(&e->prot_label_skel);
    ph_strmap_init(&e->prot_labels);
    ph_strmap_init(&e->prot_domains);
    ph_strmap_init(&e->prot_fold);
    ph_strmap_init(&e->freemail);
    ph_strmap_init(&e->allow);
    ph_strmap_init(&e->abused_tlds);
    ph_strmap_init(&e->dom_index);
    link_lists(e);
    for (int i = 0; i < PH_L__COUNT; i++)
        ph_hostlist_init(e->lists[i], (ph_list)i);
    UErrorCode st = U_ZERO_ERROR;
    e->spoof = uspoof_open(&st);
    if (U_FAILURE(st)) {
        tables_free(e);
        free(e);
        return vg_error_set(err, VG_EUNSUPPORTED, "ICU spoof checker: %s", u_errorName(st));
    }
    ph_skeleton_init(e);
    vg_mail_parse_opts_default(&e->popts);
    const vg_yaml_node *mail = root ? vg_yaml_get(root, "mail") : NULL;
    if ((rc = read_weights(e, mail, err)) != VG_OK)
        goto fail;
    if (mail && (rc = vg_mail_limits_from_yaml(&e->popts.limits, vg_yaml_get(mail, "limits"),
                                               err)) != VG_OK)
        goto fail;
    if ((rc = ph_load_builtin(e, err)) != VG_OK)
        goto fail;
    if (root && (rc = ph_load_config(e, root, err)) != VG_OK)
        goto fail;
    if ((rc = ph_build_protected(e, err)) != VG_OK)
        goto fail;
    ph_host_index_build(e);
    if ((rc = ph_lexicon_compile(e, root, err)) != VG_OK)
        goto fail;
    e->popts.authserv_ids = (const char *const *)e->authserv_ids;
    e->popts.n_authserv_ids = e->n_authserv_ids;
    e->popts.org_domains = (const char *const *)e->org_domain_list;
    e->popts.n_org_domains = e->n_org_domain_list;
    /* the tables are complete: from here on they are shared */
    e->shared = vg_xmalloc(sizeof *e->shared);
    atomic_init(&e->shared->refs, 1);
    take_image(e);
    if ((rc = state_new(e, err)) != VG_OK) {
        vg_phish_engine_free(e);
        return rc;
    }
    *out = e;
    return VG_OK;
fail:
    tables_free(e);
    free(e);
    return rc;
}

void ph_tables_changed(vg_phish_engine *e) { take_image(e); }

vg_err vg_phish_engine_new_sibling(vg_phish_engine **out, const vg_phish_engine *proto,
                                   vg_error *err)
{
    *out = NULL;
    ph_shared *s = proto->shared;
    vg_phish_engine *e = vg_xmalloc(sizeof *e);
    *e = s->image; /* never proto itself: another thread may be using it */
    link_lists(e);
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    e->shared = s;
    vg_err rc = state_new(e, err);
    if (rc != VG_OK) {
        vg_phish_engine_free(e);
        return rc;
    }
    *out = e;
    return VG_OK;
}

void vg_phish_engine_free(vg_phish_engine *e)
{
    if (!e)
        return;
    ph_shared *s = e->shared;
    state_free(e);
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) {
        tables_free(&s->image);
        free(s);
    }
    free(e);
}

const vg_mail_limits *vg_phish_engine_limits(const vg_phish_engine *e) { return &e->popts.limits; }

/* ---- context ------------------------------------------------------------------------------ */

static bool aligned(ph_ctx *c, const char *domain)
{
    if (!domain || !*domain || !c->from_reg[0])
        return false;
    return strcmp(ph_reg_domain(c->eng, domain), c->from_reg) == 0;
}

/* The text the lexicons and brand claims read, part by part (each part
 * followed by a newline): counts the bytes when out is NULL. */
static size_t add_text(char *out, size_t at, const char *s, size_t n)
{
    if (!s || !n)
        return at;
    if (out) {
        memcpy(out + at, s, n);
        out[at + n] = '\n';
    }
    return at + n + 1;
}

static size_t gather_text(const vg_mail_msg *m, char *out)
{
    const size_t cap = 256u << 10;
    size_t k = 0;
    k = add_text(out, k, m->subject, strlen(m->subject));
    k = add_text(out, k, m->text_plain, m->text_plain_len < cap ? m->text_plain_len : cap);
    k = add_text(out, k, m->text_html, m->text_html_len < cap ? m->text_html_len : cap);
    for (size_t i = 0; i < m->n_nested && k < 2 * cap; i++) {
        const vg_mail_msg *n = m->nested[i];
        k = add_text(out, k, n->subject, strlen(n->subject));
        k = add_text(out, k, n->text_plain, n->text_plain_len < cap ? n->text_plain_len : cap);
        k = add_text(out, k, n->text_html, n->text_html_len < cap ? n->text_html_len : cap);
    }
    return k;
}

static void setup(ph_ctx *c)
{
    const vg_mail_msg *m = c->m;
    vg_phish_engine *e = c->eng;
    c->from_domain = "";
    c->from_reg = "";
    c->from_brand = c->from_org = c->rcpt_org = -1;
    c->claimed_brand = c->claimed_brand_any = -1;
    c->lure_best = -1;
    for (size_t i = 0; i < m->from.n; i++) {
        if (m->from.v[i].addr) {
            c->from = &m->from.v[i];
            break;
        }
    }
    if (!c->from && m->from.n)
        c->from = &m->from.v[0];
    if (c->from && c->from->domain && c->from->domain[0]) {
        c->from_domain = c->from->domain;
        c->from_reg = ph_reg_domain(e, c->from_domain);
        /* a mailbox at the provider itself, not the provider's own systems
         * (reply.yahoo.com) */
        c->from_freemail = ph_is_freemail(e, c->from_domain) ||
                           ph_host_in(e, &e->tenants, c->from_domain, NULL, NULL);
        c->from_brand = ph_brand_of_domain(e, c->from_domain);
        c->from_org = ph_org_of_domain(e, c->from_domain);
        c->from_platform = ph_host_in(e, &e->ats, c->from_domain, NULL, NULL) ||
                           ph_host_in(e, &e->signing, c->from_domain, NULL, NULL);
    }
    const vg_mail_auth *au = &m->auth;
    if (au->present) {
        bool dkim_aligned = false;
        for (size_t i = 0; i < au->n_dkim; i++) {
            if (au->dkim_sigs[i].result == VG_MAIL_AUTH_PASS && aligned(c, au->dkim_sigs[i].domain))
                dkim_aligned = true;
        }
        bool spf_aligned = au->spf == VG_MAIL_AUTH_PASS && aligned(c, au->spf_domain);
        bool dmarc_ok = au->dmarc == VG_MAIL_AUTH_PASS &&
                        (!au->dmarc_domain || aligned(c, au->dmarc_domain));
        c->authenticated = dmarc_ok || dkim_aligned || (spf_aligned && au->dmarc != VG_MAIL_AUTH_FAIL);
        bool any_dkim_pass = au->dkim == VG_MAIL_AUTH_PASS;
        c->auth_failed = !c->authenticated &&
                         (au->dmarc == VG_MAIL_AUTH_FAIL || au->compauth == VG_MAIL_AUTH_FAIL ||
                          ((au->spf == VG_MAIL_AUTH_FAIL || au->spf == VG_MAIL_AUTH_SOFTFAIL) &&
                           !any_dkim_pass));
    }
    /* recipients' organization */
    const vg_mail_addrs *lists[2] = {&m->to, &m->cc};
    for (int l = 0; l < 2 && c->rcpt_org < 0; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *d = lists[l]->v[i].domain;
            int o = d && *d ? ph_org_of_domain(e, d) : -1;
            if (o >= 0) {
                c->rcpt_org = o;
                break;
            }
        }
    }
    /* the text the lexicons and brand claims read: subject, visible text,
     * and the text of attached messages, capped */
    size_t len = gather_text(m, NULL);
    char *text = vg_arena_alloc(c->a, len + 1);
    gather_text(m, text);
    text[len] = 0;
    c->text = text;
    c->text_len = len;
}

/* ---- results --------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fill_result(ph_ctx *c, vg_phish_result *r)
{
    vg_phish_engine *e = c->eng;
    const vg_mail_msg *m = c->m;
    r->message_id = m->message_id;
    r->from = c->from ? c->from->addr : NULL;
    r->from_name = c->from ? c->from->name : NULL;
    r->subject = m->subject;
    r->date_ms = m->date_ms;
    if (m->n_hops > 0 && m->hops[0].time_ms > 0)
        r->date_ms = m->hops[0].time_ms;
    /* recipients: To + Cc, sorted, unique */
    size_t n = m->to.n + m->cc.n, k = 0;
    const char **v = vg_arena_calloc(c->a, n ? n : 1, sizeof *v);
    const vg_mail_addrs *lists[2] = {&m->to, &m->cc};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            if (lists[l]->v[i].addr && strchr(lists[l]->v[i].addr, '@'))
                v[k++] = lists[l]->v[i].addr;
        }
    }
    if (k > 1)
        qsort(v, k, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    }
    r->recipients = v;
    r->n_recipients = u;
    r->org = c->rcpt_org >= 0 ? e->orgs[c->rcpt_org].id : NULL;
    /* score */
    if (c->n_reasons > 1)
        qsort(c->reasons, c->n_reasons, sizeof *c->reasons, cmp_reason);
    int strong = 0, supp = 0, lure = 0;
    for (size_t i = 0; i < c->n_reasons; i++) {
        if (c->reasons[i].rule == R_lure)
            lure += c->reasons[i].weight;
        else if (rules[c->reasons[i].rule].strong)
            strong += c->reasons[i].weight;
        else
            supp += c->reasons[i].weight;
    }
    supp += lure < LURE_CAP ? lure : LURE_CAP;
    if (supp > SUPPORT_CAP)
        supp = SUPPORT_CAP;
    int score;
    if (strong > 0) {
        score = strong + supp;
    } else {
        score = supp;
        if (score > e->th_suspicious - 1)
            score = e->th_suspicious - 1;
    }
    if (score > 100)
        score = 100;
    r->score = score;
    r->verdict = score >= e->th_phish        ? VG_PHISH_PHISH
                 : score >= e->th_suspicious ? VG_PHISH_SUSPICIOUS
                                             : VG_PHISH_CLEAN;
    vg_phish_reason *rs = vg_arena_calloc(c->a, c->n_reasons ? c->n_reasons : 1, sizeof *rs);
    for (size_t i = 0; i < c->n_reasons; i++)
        rs[i] = (vg_phish_reason){rules[c->reasons[i].rule].name, c->reasons[i].detail,
                                  c->reasons[i].weight};
    r->reasons = rs;
    r->n_reasons = c->n_reasons;
    r->impersonated = c->impersonated;
    r->lure = c->lure_best >= 0 ? e->lures[c->lure_best].id : NULL;
}

/* ---- findings ----------------------------------------------------------------------------------- */

static const char *const kind_attack[PK__COUNT][3] = {
    {"T1566", "T1656", NULL}, {"T1566", "T1583.001", NULL}, {"T1566", NULL, NULL},
    {"T1566.002", "T1598.003", NULL}, {"T1566.001", "T1204.002", NULL}, {NULL, NULL, NULL},
};

static void split_name(const char *name, char *file, size_t cap, int64_t *index)
{
    *index = 1;
    snprintf(file, cap, "%s", name ? name : "-");
    char *hash = strrchr(file, '#');
    if (hash && hash[1]) {
        char *end;
        long long v = strtoll(hash + 1, &end, 10);
        if (*end == 0 && v > 0) {
            *index = v;
            *hash = 0;
        }
    }
}

/* Every attachment of a phishing message, for attribution: its SHA-256 (an
 * indicator, whether or not a rule fired on it) and, when no reason names
 * it yet, a line naming the file and its hash. */
typedef struct att_list {
    vg_strlist hashes, lines;
} att_list;

static void collect_attachments(ph_ctx *c, const vg_mail_msg *m, int depth, att_list *out)
{
    for (size_t i = 0; i < m->n_attachments; i++) {
        const vg_mail_attachment *a = &m->attachments[i];
        if (!a->sha256[0] || (a->flags & VG_ATT_F_MESSAGE))
            continue;
        vg_strlist_add(&out->hashes, a->sha256);
        const char *name = a->filename && *a->filename ? a->filename : NULL;
        bool named = false;
        for (size_t k = 0; name && k < c->n_reasons && !named; k++)
            named = strstr(c->reasons[k].detail, name) != NULL;
        if (!named)
            vg_strlist_addf(&out->lines, "the message carries the attachment \"%s\" (SHA-256 %s)",
                            name ? name : "(unnamed)", a->sha256);
    }
    if (depth < 4) {
        for (size_t i = 0; i < m->n_nested; i++)
            collect_attachments(c, m->nested[i], depth + 1, out);
    }
}

static void emit_findings(ph_ctx *c, const vg_phish_result *r, vg_findings *out)
{
    vg_phish_engine *e = c->eng;
    const vg_mail_msg *m = c->m;
    /* recipients grouped by organization id (config) or their domain */
    size_t n = r->n_recipients;
    const char **orgs = vg_arena_calloc(c->a, n ? n : 1, sizeof *orgs);
    for (size_t i = 0; i < n; i++) {
        const char *d = strrchr(r->recipients[i], '@');
        d = d ? d + 1 : "";
        int o = ph_org_of_domain(e, d);
        orgs[i] = o >= 0 ? e->orgs[o].id : (*d ? d : "unknown");
    }
    const char *groups[64];
    size_t ng = 0;
    for (size_t i = 0; i < n && ng < 64; i++) {
        bool seen = false;
        for (size_t g = 0; g < ng; g++)
            seen |= strcmp(groups[g], orgs[i]) == 0;
        if (!seen)
            groups[ng++] = orgs[i];
    }
    if (ng == 0)
        groups[ng++] = "unknown";
    char file[4096];
    int64_t index;
    split_name(r->file, file, sizeof file, &index);
    att_list atts = {{0}, {0}};
    collect_attachments(c, m, 0, &atts);
    vg_severity sev = r->verdict == VG_PHISH_PHISH ? (r->score >= 85 ? VG_SEV_HIGH : VG_SEV_MEDIUM)
                                                   : VG_SEV_LOW;
    for (size_t g = 0; g < ng; g++) {
        for (int k = 0; k < PK_OTHER; k++) {
            if (!(c->kinds_fired & (1u << k)))
                continue;
            vg_finding *f = vg_finding_new(kind_names[k], groups[g]);
            vg_finding_set_id(f, r->sha256, 0, 0);
            f->revision = 1;
            f->severity = sev;
            f->score = r->score;
            f->outcome = VG_OUT_ATTEMPTED;
            if (r->date_ms)
                vg_finding_seen(f, r->date_ms);
            for (int t = 0; t < 3 && kind_attack[k][t]; t++)
                vg_strlist_add(&f->attack, kind_attack[k][t]);
            f->counts.messages = 1;
            f->counts.attempts = 1;
            for (size_t i = 0; i < n; i++) {
                if (strcmp(orgs[i], groups[g]) == 0 || (ng == 1 && strcmp(groups[g], "unknown") == 0)) {
                    vg_strlist_add(&f->entities.accounts, r->recipients[i]);
                    vg_strlist_add(&f->roles.targeted, r->recipients[i]);
                }
            }
            f->counts.accounts = (int64_t)f->entities.accounts.n;
            /* the sender's address is an indicator too (not a target) */
            if (r->from && strchr(r->from, '@'))
                vg_strlist_add(&f->entities.accounts, r->from);
            if (c->from_domain[0])
                vg_strlist_add(&f->entities.domains, c->from_domain);
            vg_strlist_add_all(&f->entities.domains, &c->domains);
            if (k == PK_LINK || k == PK_LOOKALIKE)
                vg_strlist_add_all(&f->entities.urls, &c->urls);
            vg_strlist_add_all(&f->entities.hashes, &c->hashes);
            vg_strlist_add_all(&f->entities.hashes, &atts.hashes);
            vg_strlist_add(&f->entities.messages, r->sha256);
            if (m->first_external_hop >= 0) {
                char ip[VG_IP_STRLEN];
                const vg_ip *a = &m->hops[m->first_external_hop].ip;
                if (a->family) {
                    vg_ip_format(a, ip);
                    vg_strlist_add(&f->entities.ips, ip);
                    vg_strlist_add(&f->roles.attacker_ips, ip);
                    f->counts.ips = 1;
                }
            }
            /* this kind's reasons first, then the others */
            for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < c->n_reasons; i++) {
                    bool mine = rules[c->reasons[i].rule].kind == (phish_kind)k;
                    if (mine == (pass == 0))
                        vg_strlist_add(&f->reasons, c->reasons[i].detail);
                }
            }
            vg_strlist_add_all(&f->reasons, &atts.lines);
            vg_finding_add_evidence(f, file, index);
            vg_finding_normalize(f);
            vg_findings_push(out, f);
        }
    }
    vg_strlist_free(&atts.hashes);
    vg_strlist_free(&atts.lines);
}

/* ---- analyse -------------------------------------------------------------------------------------- */

vg_err vg_phish_analyze(vg_phish_engine *e, const char *name, const void *raw, size_t n,
                        vg_findings *findings, const vg_phish_result **out, vg_error *err)
{
    vg_arena_reset(e->arena);
    ph_caches_trim(e); /* what the caches hand out stays valid for the whole message */
    vg_phish_result *r = &e->result;
    memset(r, 0, sizeof *r);
    r->file = vg_arena_strdup(e->arena, name ? name : "-");
    r->subject = "";
    uint8_t dig[32];
    vg_sha256_digest(raw ? raw : "", raw ? n : 0, dig);
    vg_hex(dig, 32, r->sha256);
    *out = r;
    const vg_mail_msg *m;
    vg_error perr;
    vg_error_clear(&perr);
    vg_err rc = vg_mail_parse(e->parser, raw, n, &m, &perr);
    if (rc != VG_OK) {
        r->error = vg_arena_strdup(e->arena, perr.msg);
        return vg_error_set(err, rc, "%s: %s", r->file, perr.msg);
    }
    ph_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.eng = e;
    ctx.m = m;
    ctx.a = e->arena;
    setup(&ctx);
    for (size_t i = 0; i < sizeof detectors / sizeof *detectors; i++)
        detectors[i].run(&ctx);
    fill_result(&ctx, r);
    if (findings && r->verdict >= e->findings_min && r->verdict != VG_PHISH_CLEAN)
        emit_findings(&ctx, r, findings);
    vg_strlist_free(&ctx.domains);
    vg_strlist_free(&ctx.urls);
    vg_strlist_free(&ctx.hashes);
    return VG_OK;
}

/* ---- output --------------------------------------------------------------------------------------- */

void vg_phish_result_write_json(const vg_phish_result *r, vg_json *j)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "file", r->file);
    vg_json_kv_str(j, "sha256", r->sha256);
    vg_json_kv_str(j, "message_id", r->message_id);
    vg_json_kv_str(j, "from", r->from);
    vg_json_key(j, "recipients");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < r->n_recipients; i++)
        vg_json_str(j, r->recipients[i]);
    vg_json_arr_end(j);
    vg_json_kv_str(j, "subject", r->subject);
    if (r->date_ms) {
        char t[VG_TIME_STRLEN];
        vg_time_format_rfc3339(r->date_ms, false, t);
        vg_json_kv_str(j, "date", t);
    }
    if (r->org)
        vg_json_kv_str(j, "org", r->org);
    vg_json_kv_str(j, "verdict", vg_phish_verdict_name(r->verdict));
    vg_json_kv_int(j, "score", r->score);
    vg_json_key(j, "reasons");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < r->n_reasons; i++) {
        vg_json_obj_begin(j);
        vg_json_kv_str(j, "rule", r->reasons[i].rule);
        vg_json_kv_str(j, "detail", r->reasons[i].detail);
        vg_json_kv_int(j, "weight", r->reasons[i].weight);
        vg_json_obj_end(j);
    }
    vg_json_arr_end(j);
    if (r->impersonated)
        vg_json_kv_str(j, "impersonated", r->impersonated);
    if (r->lure)
        vg_json_kv_str(j, "lure", r->lure);
    if (r->error)
        vg_json_kv_str(j, "error", r->error);
    vg_json_obj_end(j);
}

void vg_phish_result_write_text(const vg_phish_result *r, vg_buf *b)
{
    if (r->error) {
        vg_buf_printf(b, "%s: error: %s\n", r->file, r->error);
        return;
    }
    vg_buf_printf(b, "%s: %s %d", r->file, vg_phish_verdict_name(r->verdict), r->score);
    if (r->impersonated)
        vg_buf_printf(b, " [impersonates %s]", r->impersonated);
    if (r->lure)
        vg_buf_printf(b, " [lure: %s]", r->lure);
    for (size_t i = 0; i < r->n_reasons; i++)
        vg_buf_printf(b, "%s%s", i == 0 ? " — " : "; ", r->reasons[i].detail);
    vg_buf_putc(b, '\n');
}
