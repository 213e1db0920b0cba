/* report_output.c — an analysed report for people (a summary) and for
 * programs (one JSON object per report: file, title, actors, targets,
 * origins, techniques, impersonated, lures, event, facts). Arrays of values
 * are sorted; actors and counts keep the order the report names them in;
 * facts keep sentence order. A background fact (from a sentence about
 * another, older event) appears in `facts` as kind "background" with value
 * "<kind>:<value>", and nowhere else. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/report_int.h"

/* The title, or the first sentence of the text cut to ~100 bytes. */
static const char *display_title(const vg_report *r, vg_arena *a)
{
    if (r->title && *r->title)
        return r->title;
    const char *t = r->text ? r->text : "";
    size_t n = strcspn(t, "\n");
    const char *dot = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if ((t[i] == '.' || t[i] == '!' || t[i] == '?') && t[i + 1] == ' ' && i > 20) {
            dot = t + i;
            break;
        }
    if (dot)
        n = (size_t)(dot - t);
    if (n <= 100)
        return n ? vg_arena_strndup(a, t, n) : NULL;
    size_t cut = 100;
    while (cut > 40 && t[cut] != ' ')
        cut--;
    while (cut < n && ((unsigned char)t[cut] & 0xC0) == 0x80)
        cut++;
    return vg_arena_printf(a, "%.*s...", (int)cut, t);
}

static const vg_report_fact *main_fact(const vg_report *r, vg_report_fact_kind k, const char *v)
{
    for (size_t i = 0; i < r->nfacts; i++)
        if (r->facts[i].kind == k && !r->facts[i].background &&
            strcasecmp(r->facts[i].value, v) == 0)
            return &r->facts[i];
    return NULL;
}

static int cmp_ci(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static void str_array(vg_json *j, const char *key, const char **v, size_t n)
{
    vg_json_key(j, key);
    vg_json_arr_begin(j);
    for (size_t i = 0; i < n; i++)
        vg_json_str(j, v[i]);
    vg_json_arr_end(j);
}

static void write_actor(vg_json *j, const vg_report *r, const vg_report_kb *kb,
                        const vg_report_fact *f, vg_arena *a)
{
    vg_json_obj_begin(j);
    vg_json_kv_str(j, "name", f->value);
    const rp_actor *ac = kb ? rp_kb_actor(kb, f->value) : NULL;
    size_t na = ac ? ac->naliases : 0;
    const char **al = vg_arena_alloc(a, (na ? na : 1) * sizeof *al);
    for (size_t i = 0; i < na; i++)
        al[i] = ac->aliases[i];
    qsort(al, na, sizeof *al, cmp_ci);
    str_array(j, "aliases", al, na);
    vg_json_key(j, "matched");
    vg_json_arr_begin(j);
    for (size_t i = 0; i < r->nforms; i++)
        if (strcmp(r->forms[i].actor, f->value) == 0)
            vg_json_str(j, r->forms[i].form);
    vg_json_arr_end(j);
    vg_json_kv_str(j, "origin", f->detail);
    vg_json_obj_end(j);
}

void vg_report_write_json(const vg_report *r, const vg_report_kb *kb, vg_buf *out)
{
    vg_arena *a = vg_arena_new(0);
    vg_json j;
    vg_json_init(&j, out);
    vg_json_obj_begin(&j);
    vg_json_kv_str(&j, "file", r->file);
    vg_json_kv_str(&j, "title", display_title(r, a));
    vg_json_key(&j, "actors");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < r->nfacts; i++)
        if (r->facts[i].kind == VG_FACT_ACTOR && !r->facts[i].background)
            write_actor(&j, r, kb, &r->facts[i], a);
    vg_json_arr_end(&j);

    const char **v;
    size_t n;
    vg_json_key(&j, "targets");
    vg_json_obj_begin(&j);
    n = rp_report_values(r, VG_FACT_COUNTRY, a, &v);
    str_array(&j, "countries", v, n);
    n = rp_report_values(r, VG_FACT_SECTOR, a, &v);
    str_array(&j, "sectors", v, n);
    vg_json_key(&j, "counts");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < r->nfacts; i++) {
        const vg_report_fact *f = &r->facts[i];
        if (f->kind != VG_FACT_COUNT || f->background)
            continue;
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "text", f->value);
        int64_t num = 0;
        if (f->detail && vg_str_to_i64(vg_str_from(f->detail), &num))
            vg_json_kv_int(&j, "n", num);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);

    n = rp_report_values(r, VG_FACT_ORIGIN, a, &v);
    str_array(&j, "origins", v, n);
    vg_json_key(&j, "techniques");
    vg_json_arr_begin(&j);
    n = rp_report_values(r, VG_FACT_TECHNIQUE, a, &v);
    for (size_t i = 0; i < n; i++) {
        const vg_report_fact *f = main_fact(r, VG_FACT_TECHNIQUE, v[i]);
        vg_json_obj_begin(&j);
        vg_json_kv_str(&j, "id", v[i]);
        vg_json_kv_str(&j, "name", f && f->detail ? f->detail : v[i]);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    n = rp_report_values(r, VG_FACT_IMPERSONATED, a, &v);
    str_array(&j, "impersonated", v, n);
    n = rp_report_values(r, VG_FACT_LURE, a, &v);
    str_array(&j, "lures", v, n);
    vg_json_kv_str(&j, "event", r->clustered ? r->event : NULL);
    vg_json_key(&j, "facts");
    vg_json_arr_begin(&j);
    for (size_t i = 0; i < r->nfacts; i++) {
        const vg_report_fact *f = &r->facts[i];
        vg_json_obj_begin(&j);
        const char *kind = vg_report_fact_kind_name(f->kind);
        if (f->background) {
            vg_json_kv_str(&j, "kind", "background");
            vg_json_kv_str(&j, "value", vg_arena_printf(a, "%s:%s", kind, f->value));
        } else {
            vg_json_kv_str(&j, "kind", kind);
            vg_json_kv_str(&j, "value", f->value);
        }
        vg_json_kv_str(&j, "sentence", f->sentence);
        vg_json_obj_end(&j);
    }
    vg_json_arr_end(&j);
    vg_json_obj_end(&j);
    vg_arena_free(a);
}

/* ---- text ------------------------------------------------------------------------------------ */

static void list_line(vg_buf *o, const char *label, const char **v, size_t n, const char *sep)
{
    if (!n)
        return;
    vg_buf_printf(o, "  %-13s", label);
    for (size_t i = 0; i < n; i++)
        vg_buf_printf(o, "%s%s", i ? sep : "", v[i]);
    vg_buf_putc(o, '\n');
}

void vg_report_write_text(const vg_report *r, const vg_report_kb *kb, vg_buf *o)
{
    vg_arena *a = vg_arena_new(0);
    const vg_report_clean_info *in = &r->info;
    vg_buf_printf(o, "%s\n", r->file);
    vg_buf_printf(o, "  %-13s%s, %s; %zu paragraphs", "read", in->format ? in->format : "text",
                  in->charset, in->paragraphs);
    if (in->repeats)
        vg_buf_printf(o, ", %zu repetition%s folded", in->repeats, in->repeats == 1 ? "" : "s");
    if (in->duplicates)
        vg_buf_printf(o, ", %zu repeated paragraph%s dropped", in->duplicates,
                      in->duplicates == 1 ? "" : "s");
    if (in->boilerplate)
        vg_buf_printf(o, ", %zu boilerplate dropped", in->boilerplate);
    if (in->mojibake)
        vg_buf_printf(o, ", %zu mojibake repaired", in->mojibake);
    vg_buf_putc(o, '\n');
    const char *title = display_title(r, a);
    if (title)
        vg_buf_printf(o, "  %-13s%s\n", "title", title);
    if (r->date)
        vg_buf_printf(o, "  %-13s%s\n", "date", r->date);
    if (r->clustered)
        vg_buf_printf(o, "  %-13s%s\n", "event", r->event);

    const char **v;
    size_t n = rp_report_values(r, VG_FACT_REPORTER, a, &v);
    if (n) {
        vg_buf_printf(o, "  %-13s", "reported by");
        for (size_t i = 0; i < n; i++)
            vg_buf_printf(o, "%s%s", i ? ", " : "", v[i]);
        bool first = true;
        for (size_t i = 0; i < r->nfacts; i++) {
            const vg_report_fact *f = &r->facts[i];
            if (f->kind != VG_FACT_SPOKESPERSON || f->background)
                continue;
            vg_buf_printf(o, "%s%s%s%s", first ? " (" : "; ", f->value,
                          f->detail && *f->detail ? ", " : "", f->detail ? f->detail : "");
            first = false;
        }
        vg_buf_puts(o, first ? "\n" : ")\n");
    } else {
        for (size_t i = 0; i < r->nfacts; i++) {
            const vg_report_fact *f = &r->facts[i];
            if (f->kind == VG_FACT_SPOKESPERSON && !f->background)
                vg_buf_printf(o, "  %-13s%s%s%s\n", "spokesperson", f->value,
                              f->detail && *f->detail ? ", " : "", f->detail ? f->detail : "");
        }
    }
    bool any = false;
    for (size_t i = 0; i < r->nfacts; i++) {
        const vg_report_fact *f = &r->facts[i];
        if (f->kind != VG_FACT_ACTOR || f->background)
            continue;
        vg_buf_printf(o, "  %-13s%s", any ? "" : "actors", f->value);
        const rp_actor *ac = kb ? rp_kb_actor(kb, f->value) : NULL;
        if (f->detail)
            vg_buf_printf(o, " [%s]", f->detail);
        else if (ac && ac->origin)
            vg_buf_printf(o, " [%s per catalog]", ac->origin);
        bool fst = true;
        for (size_t k = 0; k < r->nforms; k++) {
            if (strcmp(r->forms[k].actor, f->value) != 0)
                continue;
            vg_buf_printf(o, "%s%s", fst ? ", written " : " / ", r->forms[k].form);
            fst = false;
        }
        vg_buf_putc(o, '\n');
        any = true;
    }
    n = rp_report_values(r, VG_FACT_ORIGIN, a, &v);
    list_line(o, "origins", v, n, " ");
    n = rp_report_values(r, VG_FACT_COUNTRY, a, &v);
    list_line(o, "targets", v, n, " ");
    n = rp_report_values(r, VG_FACT_SECTOR, a, &v);
    list_line(o, "sectors", v, n, ", ");
    const char **cv = vg_arena_alloc(a, (r->nfacts ? r->nfacts : 1) * sizeof *cv);
    size_t nc = 0;
    for (size_t i = 0; i < r->nfacts; i++)
        if (r->facts[i].kind == VG_FACT_COUNT && !r->facts[i].background)
            cv[nc++] = r->facts[i].value;
    list_line(o, "counts", cv, nc, "; ");
    n = rp_report_values(r, VG_FACT_TECHNIQUE, a, &v);
    for (size_t i = 0; i < n; i++) {
        const vg_report_fact *f = main_fact(r, VG_FACT_TECHNIQUE, v[i]);
        vg_buf_printf(o, "  %-13s%s %s\n", i ? "" : "techniques", v[i],
                      f && f->detail ? f->detail : "");
    }
    n = rp_report_values(r, VG_FACT_IMPERSONATED, a, &v);
    list_line(o, "impersonated", v, n, ", ");
    n = rp_report_values(r, VG_FACT_LURE, a, &v);
    for (size_t i = 0; i < n; i++) {
        const rp_lure *lu = kb ? rp_kb_lure(kb, v[i]) : NULL;
        v[i] = lu ? lu->label : v[i];
    }
    list_line(o, "lures", v, n, ", ");
    /* background: one line per sentence */
    size_t last = SIZE_MAX;
    for (size_t i = 0; i < r->nfacts; i++) {
        const vg_report_fact *f = &r->facts[i];
        if (!f->background || f->kind == VG_FACT_REPORTER || f->kind == VG_FACT_SPOKESPERSON)
            continue;
        if (f->sentence_no != last) {
            if (last != SIZE_MAX)
                vg_buf_putc(o, '\n');
            vg_buf_printf(o, "  %-13s", last == SIZE_MAX ? "background" : "");
            last = f->sentence_no;
        } else {
            vg_buf_puts(o, ", ");
        }
        vg_buf_printf(o, "%s %s", vg_report_fact_kind_name(f->kind), f->value);
    }
    if (last != SIZE_MAX)
        vg_buf_putc(o, '\n');
    if (!any && !rp_report_values(r, VG_FACT_COUNTRY, a, &v) &&
        !rp_report_values(r, VG_FACT_TECHNIQUE, a, &v))
        vg_buf_puts(o, "  (no campaign facts found)\n");
    vg_arena_free(a);
}
