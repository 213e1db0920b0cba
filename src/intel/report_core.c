/* report_core.c — the analysed report: construction (clean, then extract),
 * its facts (de-duplicated by kind, value and background; the first
 * sentence wins), accessors, and the MinHash signature of its text used to
 * recognize reports of the same event. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/report_int.h"

static const char *const kind_names[VG_FACT_KIND_COUNT] = {
    [VG_FACT_ACTOR] = "actor",           [VG_FACT_ORIGIN] = "origin",
    [VG_FACT_COUNTRY] = "country",       [VG_FACT_SECTOR] = "sector",
    [VG_FACT_COUNT] = "count",           [VG_FACT_TECHNIQUE] = "technique",
    [VG_FACT_IMPERSONATED] = "impersonated", [VG_FACT_LURE] = "lure",
    [VG_FACT_REPORTER] = "reporter",     [VG_FACT_SPOKESPERSON] = "spokesperson",
    [VG_FACT_DATE] = "date",
};

const char *vg_report_fact_kind_name(vg_report_fact_kind k)
{
    return (unsigned)k < VG_FACT_KIND_COUNT ? kind_names[k] : "unknown";
}

vg_report *rp_report_new(void)
{
    vg_report *r = vg_xcalloc(1, sizeof *r);
    r->arena = vg_arena_new(0);
    return r;
}

void vg_report_free(vg_report *r)
{
    if (!r)
        return;
    free(r->facts);
    free(r->fidx);
    free(r->uses);
    free(r->forms);
    vg_arena_free(r->arena);
    free(r);
}

static const char *dup_or_null(vg_report *r, const char *s)
{
    return s ? vg_arena_strdup(r->arena, s) : NULL;
}

void rp_report_add_fact(vg_report *r, vg_report_fact_kind kind, bool background, const char *value,
                        const char *matched, const char *detail, const char *sentence,
                        size_t sentence_no)
{
    if (!value || !*value)
        return;
    /* open addressing over hash(kind, background, folded value) -> index + 1 */
    uint64_t h = 1469598103934665603ULL ^ ((uint64_t)kind << 1 | background);
    for (const char *p = value; *p; p++) {
        unsigned char c = (unsigned char)*p;
        h ^= (c >= 'A' && c <= 'Z') ? c + 32 : c;
        h *= 1099511628211ULL;
    }
    if ((r->nfacts + 1) * 2 > r->fcap) {
        size_t nc = r->fcap ? r->fcap * 2 : 64;
        uint64_t *nv = vg_xcalloc(nc, sizeof *nv);
        for (size_t i = 0; i < r->fcap; i++) {
            if (!r->fidx[i])
                continue;
            size_t j = (r->fidx[i] >> 32) & (nc - 1);
            while (nv[j])
                j = (j + 1) & (nc - 1);
            nv[j] = r->fidx[i];
        }
        free(r->fidx);
        r->fidx = nv;
        r->fcap = nc;
    }
    uint32_t tag = (uint32_t)(h >> 32);
    size_t slot = tag & (r->fcap - 1);
    for (; r->fidx[slot]; slot = (slot + 1) & (r->fcap - 1)) {
        if ((uint32_t)(r->fidx[slot] >> 32) != tag)
            continue;
        const vg_report_fact *f = &r->facts[(uint32_t)r->fidx[slot] - 1];
        if (f->kind == kind && f->background == background && strcasecmp(f->value, value) == 0)
            return;
    }
    r->fidx[slot] = (uint64_t)tag << 32 | (uint32_t)(r->nfacts + 1);
    r->facts = vg_xgrow(r->facts, &r->cfacts, r->nfacts + 1, sizeof *r->facts);
    vg_report_fact *f = &r->facts[r->nfacts++];
    f->kind = kind;
    f->background = background;
    f->value = vg_arena_strdup(r->arena, value);
    f->matched = dup_or_null(r, matched);
    f->detail = dup_or_null(r, detail);
    /* sentences are shared by the facts that came from them */
    const char *sent = NULL;
    for (size_t i = r->nfacts - 1; i-- > 0 && !sent && r->facts[i].sentence_no == sentence_no;)
        if (r->facts[i].sentence && sentence && strcmp(r->facts[i].sentence, sentence) == 0)
            sent = r->facts[i].sentence;
    f->sentence = sent ? sent : dup_or_null(r, sentence);
    f->sentence_no = sentence_no;
}

void rp_report_add_use(vg_report *r, const char *actor, const char *technique)
{
    for (size_t i = 0; i < r->nuses; i++)
        if (strcmp(r->uses[i].actor, actor) == 0 && strcmp(r->uses[i].technique, technique) == 0)
            return;
    r->uses = vg_xgrow(r->uses, &r->cuses, r->nuses + 1, sizeof *r->uses);
    r->uses[r->nuses].actor = vg_arena_strdup(r->arena, actor);
    r->uses[r->nuses].technique = vg_arena_strdup(r->arena, technique);
    r->nuses++;
}

void rp_report_add_form(vg_report *r, const char *actor, const char *form)
{
    for (size_t i = 0; i < r->nforms; i++)
        if (strcmp(r->forms[i].actor, actor) == 0 && strcmp(r->forms[i].form, form) == 0)
            return;
    r->forms = vg_xgrow(r->forms, &r->cforms, r->nforms + 1, sizeof *r->forms);
    r->forms[r->nforms].actor = vg_arena_strdup(r->arena, actor);
    r->forms[r->nforms].form = vg_arena_strdup(r->arena, form);
    r->nforms++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t rp_report_values(const vg_report *r, vg_report_fact_kind k, vg_arena *a, const char ***out)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfacts; i++)
        n += r->facts[i].kind == k && !r->facts[i].background;
    const char **v = vg_arena_alloc(a, (n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < r->nfacts; i++)
        if (r->facts[i].kind == k && !r->facts[i].background)
            v[m++] = r->facts[i].value;
    qsort(v, m, sizeof *v, cmp_str);
    *out = v;
    return m;
}

/* ---- MinHash over word 3-shingles ------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t fnv64(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void rp_report_minhash(vg_report *r)
{
    uint64_t mul[RP_MINHASH_K], add[RP_MINHASH_K];
    uint64_t seed = 0x5649474C; /* fixed: signatures must compare across runs */
    for (int i = 0; i < RP_MINHASH_K; i++) {
        mul[i] = splitmix(&seed) | 1;
        add[i] = splitmix(&seed);
        r->minhash[i] = UINT32_MAX;
    }
    vg_arena *a = vg_arena_new(0);
    const char *text = r->text ? r->text : "";
    char *norm = rp_norm_line(a, text, strlen(text));
    uint64_t w[3] = {0, 0, 0};
    size_t nw = 0;
    r->nshingles = 0;
    for (const char *p = norm; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        w[0] = w[1];
        w[1] = w[2];
        w[2] = fnv64(s, (size_t)(p - s));
        if (++nw < 3)
            continue;
        uint64_t h = (w[0] * 0x100000001B3ULL) ^ (w[1] * 31) ^ w[2];
        r->nshingles++;
        for (int i = 0; i < RP_MINHASH_K; i++) {
            uint32_t v = (uint32_t)((h * mul[i] + add[i]) >> 32);
            if (v < r->minhash[i])
                r->minhash[i] = v;
        }
    }
    vg_arena_free(a);
}

/* ---- analysis ------------------------------------------------------------------------------ */

vg_err vg_report_analyze(const vg_report_kb *kb, const char *file, const void *data, size_t n,
                         vg_report **out, vg_error *e)
{
    *out = NULL;
    rp_kb_build((vg_report_kb *)kb);
    vg_report_doc doc;
    vg_err rc = vg_report_clean(kb, data, n, &doc, e);
    if (rc)
        return rc;
    vg_report *r = rp_report_new();
    r->file = vg_arena_strdup(r->arena, file ? file : "-");
    r->title = doc.title ? vg_arena_strdup(r->arena, doc.title) : NULL;
    r->text = vg_arena_strdup(r->arena, doc.text);
    r->date = doc.date ? vg_arena_strdup(r->arena, doc.date) : NULL;
    r->info = doc.info;
    vg_report_doc_free(&doc);
    uint8_t dg[32];
    vg_sha256_digest(r->text, strlen(r->text), dg);
    vg_hex(dg, 32, r->digest);
    rp_report_minhash(r);
    rp_extract(kb, r);
    *out = r;
    return VG_OK;
}

const char *vg_report_file(const vg_report *r) { return r->file; }
const char *vg_report_title(const vg_report *r) { return r->title; }
const char *vg_report_text(const vg_report *r) { return r->text; }
const char *vg_report_date(const vg_report *r) { return r->date; }
const char *vg_report_digest(const vg_report *r) { return r->digest; }
const vg_report_clean_info *vg_report_info(const vg_report *r) { return &r->info; }
size_t vg_report_fact_count(const vg_report *r) { return r->nfacts; }

const vg_report_fact *vg_report_fact_at(const vg_report *r, size_t i)
{
    return i < r->nfacts ? &r->facts[i] : NULL;
}

static bool has(const vg_report *r, vg_report_fact_kind k, const char *value, bool bg)
{
    for (size_t i = 0; i < r->nfacts; i++)
        if (r->facts[i].kind == k && r->facts[i].background == bg &&
            strcasecmp(r->facts[i].value, value) == 0)
            return true;
    return false;
}

bool vg_report_has(const vg_report *r, vg_report_fact_kind k, const char *value)
{
    return has(r, k, value, false);
}

bool vg_report_has_background(const vg_report *r, vg_report_fact_kind k, const char *value)
{
    return has(r, k, value, true);
}

const char *vg_report_event(const vg_report *r) { return r->clustered ? r->event : NULL; }
