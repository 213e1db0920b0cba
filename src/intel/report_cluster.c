/* report_cluster.c — do two reports describe one event? Two signals:
 *
 *  - text: MinHash (128 functions) over word 3-shingles of the clean text
 *    estimates their Jaccard similarity; rewrites of one wire story share
 *    whole phrases, two stories written apart share few.
 *  - facts: a weighted Jaccard overlap of the main-event facts — actors
 *    .30, targeted countries .20, sectors .15, techniques (parents, so
 *    T1566.001 meets T1566) .10, lures and impersonated organizations .10,
 *    origins .05, target counts .05 — over the kinds both reports state
 *    (a report that is silent on a kind is no evidence against).
 *
 * score = .85 facts + .15 min(1, 2 text), or text alone when no kind is
 * shared. Vetoes (unless the texts are near copies, text >= .5): both name
 * actors and none in common; both are dated more than 120 days apart; both
 * name countries and sectors and share neither. Background facts (another,
 * older event mentioned in passing) are not part of the signature, which is
 * why STRONTIUM's 2020 election attacks do not join its vaccine-research
 * attacks.
 *
 * Clustering is greedy in the given order: a report joins the group with
 * the best score over its members when no member vetoes it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/report_int.h"

#define TEXT_SAME 0.5
#define MAX_DAYS_APART 120

typedef struct sig {
    const char **v[7];
    size_t n[7];
} sig;

enum { S_ACTOR, S_COUNTRY, S_SECTOR, S_TECH, S_LURE, S_ORIGIN, S_COUNT };
static const double weights[7] = {.30, .20, .15, .10, .10, .05, .05};

static int cmp_ci(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t uniq(const char **v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_ci);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || strcasecmp(v[m - 1], v[i]) != 0)
            v[m++] = v[i];
    return m;
}

static void collect(const vg_report *r, vg_arena *a, sig *s)
{
    memset(s, 0, sizeof *s);
    for (int k = 0; k < 7; k++)
        s->v[k] = vg_arena_alloc(a, (r->nfacts ? r->nfacts : 1) * sizeof(char *));
    for (size_t i = 0; i < r->nfacts; i++) {
        const vg_report_fact *f = &r->facts[i];
        if (f->background)
            continue;
        int k = -1;
        const char *v = f->value;
        switch (f->kind) {
        case VG_FACT_ACTOR: k = S_ACTOR; break;
        case VG_FACT_COUNTRY: k = S_COUNTRY; break;
        case VG_FACT_SECTOR: k = S_SECTOR; break;
        case VG_FACT_TECHNIQUE: {
            k = S_TECH;
            const char *dot = strchr(v, '.');
            if (dot)
                v = vg_arena_strndup(a, v, (size_t)(dot - v));
            break;
        }
        case VG_FACT_LURE: k = S_LURE; break;
        case VG_FACT_IMPERSONATED: k = S_LURE; break;
        case VG_FACT_ORIGIN: k = S_ORIGIN; break;
        case VG_FACT_COUNT: k = S_COUNT; v = f->detail ? f->detail : v; break;
        default: break;
        }
        if (k >= 0)
            s->v[k][s->n[k]++] = v;
    }
    for (int k = 0; k < 7; k++)
        s->n[k] = uniq(s->v[k], s->n[k]);
}

static double jaccard(const char **a, size_t na, const char **b, size_t nb, size_t *inter)
{
    size_t i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        int c = strcasecmp(a[i], b[j]);
        if (c == 0) {
            both++;
            i++;
            j++;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }
    *inter = both;
    size_t uni = na + nb - both;
    return uni ? (double)both / (double)uni : 0;
}

static bool day_of(const char *d, int64_t *out)
{
    if (!d || strlen(d) < 7)
        return false;
    int y = atoi(d), m = atoi(d + 5), day = strlen(d) >= 10 ? atoi(d + 8) : 15;
    if (!vg_time_valid_date(y, m, day))
        return false;
    *out = vg_time_from_civil(y, m, day, 0, 0, 0, 0) / 86400000;
    return true;
}

static double text_sim(const vg_report *a, const vg_report *b)
{
    if (!a->nshingles || !b->nshingles)
        return 0;
    int same = 0;
    for (int i = 0; i < RP_MINHASH_K; i++)
        same += a->minhash[i] == b->minhash[i];
    return (double)same / RP_MINHASH_K;
}

/* fills out; returns true when a veto applies */
static bool compare(const vg_report *a, const vg_report *b, double threshold,
                    vg_report_similarity *out)
{
    vg_arena *ar = vg_arena_new(0);
    sig sa, sb;
    collect(a, ar, &sa);
    collect(b, ar, &sb);
    memset(out, 0, sizeof *out);
    out->text = text_sim(a, b);
    double wsum = 0, acc = 0;
    size_t inter[7] = {0};
    double j[7] = {0};
    for (int k = 0; k < 7; k++) {
        if (!sa.n[k] || !sb.n[k])
            continue;
        j[k] = jaccard(sa.v[k], sa.n[k], sb.v[k], sb.n[k], &inter[k]);
        acc += weights[k] * j[k];
        wsum += weights[k];
    }
    out->facts = wsum > 0 ? acc / wsum : 0;
    double t2 = out->text * 2 > 1 ? 1 : out->text * 2;
    out->score = wsum > 0 ? .85 * out->facts + .15 * t2 : out->text;
    bool veto = false;
    out->why = "facts and text";
    if (sa.n[S_ACTOR] && sb.n[S_ACTOR] && !inter[S_ACTOR]) {
        veto = true;
        out->why = "actors disjoint";
    }
    int64_t da, db;
    if (!veto && day_of(a->date, &da) && day_of(b->date, &db) &&
        (da > db ? da - db : db - da) > MAX_DAYS_APART) {
        veto = true;
        out->why = "dates far apart";
    }
    if (!veto && sa.n[S_COUNTRY] && sb.n[S_COUNTRY] && sa.n[S_SECTOR] && sb.n[S_SECTOR] &&
        !inter[S_COUNTRY] && !inter[S_SECTOR]) {
        veto = true;
        out->why = "targets disjoint";
    }
    if (out->text >= TEXT_SAME) {
        veto = false;
        out->why = "near-identical text";
    }
    out->same = out->text >= TEXT_SAME || (!veto && out->score >= threshold);
    if (!out->same && !veto)
        out->why = "low similarity";
    vg_arena_free(ar);
    return veto;
}

void vg_report_compare(const vg_report *a, const vg_report *b, vg_report_similarity *out)
{
    compare(a, b, VG_REPORT_SAME_EVENT, out);
}

size_t vg_report_cluster(vg_report *const *reports, size_t n, double threshold)
{
    if (threshold <= 0)
        threshold = VG_REPORT_SAME_EVENT;
    size_t *group = vg_xcalloc(n ? n : 1, sizeof *group);
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = SIZE_MAX;
        double best_score = 0;
        for (size_t g = 0; g < ngroups; g++) {
            bool vetoed = false;
            double top = 0;
            for (size_t m = 0; m < i && !vetoed; m++) {
                if (group[m] != g)
                    continue;
                vg_report_similarity s;
                vetoed = compare(reports[i], reports[m], threshold, &s);
                if (s.same && s.score > top)
                    top = s.score > s.text ? s.score : s.text;
            }
            if (!vetoed && top > best_score) {
                best_score = top;
                best = g;
            }
        }
        group[i] = best == SIZE_MAX ? ngroups++ : best;
    }
    /* ids: from the smallest member digest, independent of order */
    for (size_t g = 0; g < ngroups; g++) {
        const char *min = NULL;
        for (size_t i = 0; i < n; i++)
            if (group[i] == g && (!min || strcmp(reports[i]->digest, min) < 0))
                min = reports[i]->digest;
        char id[24];
        snprintf(id, sizeof id, "ev-%.16s", min ? min : "0000000000000000");
        for (size_t i = 0; i < n; i++) {
            if (group[i] != g)
                continue;
            memcpy(reports[i]->event, id, sizeof id);
            reports[i]->clustered = true;
        }
    }
    free(group);
    return ngroups;
}

vg_report *vg_report_merge(vg_report *const *members, size_t n)
{
    vg_report *r = rp_report_new();
    vg_buf files, text;
    vg_buf_init(&files, 0);
    vg_buf_init(&text, 0);
    for (int i = 0; i < RP_MINHASH_K; i++)
        r->minhash[i] = UINT32_MAX;
    const char *min = NULL;
    for (size_t i = 0; i < n; i++) {
        const vg_report *m = members[i];
        if (files.n)
            vg_buf_puts(&files, ", ");
        vg_buf_puts(&files, m->file);
        if (text.n)
            vg_buf_puts(&text, "\n\n");
        vg_buf_puts(&text, m->text ? m->text : "");
        if (!r->title && m->title)
            r->title = vg_arena_strdup(r->arena, m->title);
        if (m->date && (!r->date || strcmp(m->date, r->date) < 0))
            r->date = vg_arena_strdup(r->arena, m->date);
        if (!min || strcmp(m->digest, min) < 0)
            min = m->digest;
        for (size_t k = 0; k < m->nfacts; k++) {
            const vg_report_fact *f = &m->facts[k];
            rp_report_add_fact(r, f->kind, f->background, f->value, f->matched, f->detail,
                               f->sentence, f->sentence_no);
        }
        for (size_t k = 0; k < m->nuses; k++)
            rp_report_add_use(r, m->uses[k].actor, m->uses[k].technique);
        for (size_t k = 0; k < m->nforms; k++)
            rp_report_add_form(r, m->forms[k].actor, m->forms[k].form);
        for (int k = 0; k < RP_MINHASH_K; k++)
            if (m->minhash[k] < r->minhash[k])
                r->minhash[k] = m->minhash[k];
        r->nshingles += m->nshingles;
        r->info.paragraphs += m->info.paragraphs;
        r->info.duplicates += m->info.duplicates;
        r->info.repeats += m->info.repeats;
        r->info.boilerplate += m->info.boilerplate;
        r->info.mojibake += m->info.mojibake;
        r->info.dropped_markup += m->info.dropped_markup;
        if (m->clustered && !r->clustered) {
            memcpy(r->event, m->event, sizeof r->event);
            r->clustered = true;
        }
    }
    r->info.format = n ? members[0]->info.format : "text";
    snprintf(r->info.charset, sizeof r->info.charset, "%s", n ? members[0]->info.charset : "");
    r->file = vg_arena_strdup(r->arena, files.p ? files.p : "");
    r->text = vg_arena_strdup(r->arena, text.p ? text.p : "");
    snprintf(r->digest, sizeof r->digest, "%s", min ? min : "");
    /* an actor keeps one origin: the first member's that has one */
    for (size_t i = 0; i < r->nfacts; i++) {
        vg_report_fact *f = &r->facts[i];
        if (f->kind != VG_FACT_ACTOR || f->detail)
            continue;
        for (size_t j = 0; j < r->nfacts; j++)
            if (r->facts[j].kind == VG_FACT_ACTOR && r->facts[j].detail &&
                strcmp(r->facts[j].value, f->value) == 0) {
                f->detail = r->facts[j].detail;
                break;
            }
    }
    vg_buf_free(&files);
    vg_buf_free(&text);
    return r;
}
