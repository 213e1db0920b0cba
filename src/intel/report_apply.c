/* report_apply.c — `vigil intel report --apply FILE`: what reports taught,
 * added to the YAML configuration the detectors read (docs/config.md):
 *
 *   brands:   impersonated organizations as protected brands {name,
 *             domains, keywords, acronyms}; a brand the configuration or
 *             the built-in data/brands.yaml already has is left alone
 *   lures:    lure themes {theme, keywords}; theme ids are those of
 *             data/actors.yaml (covid-19, job-offer, ...); keywords merge
 *   actors:   {name, techniques}: ATT&CK techniques the reports tie to an
 *             actor, merged with those already listed
 *
 * Only these three top-level sections are rewritten, in place (a section
 * that is absent is appended); every other line of the file, comments
 * included, is kept. Nothing is written when nothing is new, so applying
 * the same reports twice is a no-op. The write is atomic. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "intel/report_int.h"
#include "vigil/yaml.h"

#define MAX_CONFIG (16u << 20)

/* ---- a small YAML writer ------------------------------------------------------------ */

static bool needs_quotes(const char *s)
{
    if (!*s)
        return true;
    if (strpbrk(s, ":#,[]{}&*!|>'\"%@`\\\t\n") || s[0] == ' ' || s[strlen(s) - 1] == ' ' ||
        s[0] == '-' || s[0] == '?' || s[0] == '~')
        return true;
    static const char *const special[] = {"true", "false", "yes", "no", "on", "off", "null", NULL};
    for (size_t i = 0; special[i]; i++)
        if (strcasecmp(s, special[i]) == 0)
            return true;
    bool num = true;
    for (const char *p = s; *p && num; p++)
        num = (*p >= '0' && *p <= '9') || *p == '.' || *p == '+' || *p == 'e' || *p == 'E';
    return num;
}

static void scalar(vg_buf *o, const char *s)
{
    if (!needs_quotes(s)) {
        vg_buf_puts(o, s);
        return;
    }
    vg_buf_putc(o, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            vg_buf_putc(o, '\\');
        if (*p == '\n') {
            vg_buf_puts(o, "\\n");
            continue;
        }
        if (*p == '\t') {
            vg_buf_puts(o, "\\t");
            continue;
        }
        vg_buf_putc(o, *p);
    }
    vg_buf_putc(o, '"');
}

static void flow_list(vg_buf *o, const char *const *v, size_t n)
{
    vg_buf_putc(o, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            vg_buf_puts(o, ", ");
        scalar(o, v[i]);
    }
    vg_buf_putc(o, ']');
}

static bool all_scalars(const vg_yaml_node *n)
{
    for (size_t i = 0; i < vg_yaml_len(n); i++)
        if (vg_yaml_type_of(vg_yaml_at(n, i)) != VG_YAML_SCALAR)
            return false;
    return true;
}

static void node(vg_buf *o, const vg_yaml_node *n, int indent);

/* "key: value" lines of a map at indent (the first line's indent is the caller's) */
static void map_body(vg_buf *o, const vg_yaml_node *n, int indent, bool first_inline)
{
    for (size_t i = 0; i < vg_yaml_len(n); i++) {
        if (i || !first_inline)
            vg_buf_printf(o, "%*s", indent, "");
        scalar(o, vg_yaml_key_at(n, i));
        vg_buf_putc(o, ':');
        const vg_yaml_node *v = vg_yaml_value_at(n, i);
        vg_yaml_type t = vg_yaml_type_of(v);
        if (t == VG_YAML_SCALAR || t == VG_YAML_NULL || (t == VG_YAML_SEQ && all_scalars(v))) {
            vg_buf_putc(o, ' ');
            node(o, v, indent + 2);
            vg_buf_putc(o, '\n');
        } else {
            vg_buf_putc(o, '\n');
            node(o, v, indent + 2);
        }
    }
}

static void node(vg_buf *o, const vg_yaml_node *n, int indent)
{
    switch (vg_yaml_type_of(n)) {
    case VG_YAML_NULL:
        vg_buf_puts(o, "null");
        break;
    case VG_YAML_SCALAR:
        scalar(o, vg_yaml_str(n, ""));
        break;
    case VG_YAML_SEQ:
        if (all_scalars(n)) {
            vg_buf_putc(o, '[');
            for (size_t i = 0; i < vg_yaml_len(n); i++) {
                if (i)
                    vg_buf_puts(o, ", ");
                scalar(o, vg_yaml_str(vg_yaml_at(n, i), ""));
            }
            vg_buf_putc(o, ']');
            break;
        }
        for (size_t i = 0; i < vg_yaml_len(n); i++) {
            const vg_yaml_node *it = vg_yaml_at(n, i);
            vg_buf_printf(o, "%*s- ", indent, "");
            if (vg_yaml_type_of(it) == VG_YAML_MAP) {
                map_body(o, it, indent + 2, true);
            } else {
                node(o, it, indent + 2);
                vg_buf_putc(o, '\n');
            }
        }
        break;
    case VG_YAML_MAP:
        map_body(o, n, indent, false);
        break;
    }
}

/* ---- merging -------------------------------------------------------------------------- */

typedef struct entry {
    const char *name;
    rp_strv a, b, c; /* lures: keywords; actors: techniques; brands: domains, keywords, acronyms */
    const vg_yaml_node *orig; /* an existing brand kept verbatim */
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

static entry *find(entries *e, const char *name)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcasecmp(e->v[i].name, name) == 0)
            return &e->v[i];
    return NULL;
}

static entry *add(entries *e, const char *name)
{
    e->v = vg_xgrow(e->v, &e->cap, e->n + 1, sizeof *e->v);
    entry *x = &e->v[e->n++];
    memset(x, 0, sizeof *x);
    x->name = name;
    return x;
}

static bool strv_add(rp_strv *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcasecmp(v->v[i], s) == 0)
            return false;
    v->v = vg_xgrow(v->v, &v->cap, v->n + 1, sizeof *v->v);
    v->v[v->n++] = s;
    return true;
}

static void strv_cb(const char *s, void *ud)
{
    strv_add(ud, s);
}

static void free_entries(entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].a.v);
        free(e->v[i].b.v);
        free(e->v[i].c.v);
    }
    free(e->v);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* ---- the file's top-level sections ---------------------------------------------------- */

typedef struct section {
    size_t begin, end; /* byte range of the block in the text; begin == end: absent */
    bool present;
} section;

static bool key_line(const char *l, size_t n, const char *key)
{
    size_t k = strlen(key);
    if (n <= k || memcmp(l, key, k) != 0)
        return false;
    size_t i = k;
    while (i < n && l[i] == ' ')
        i++;
    return i < n && l[i] == ':';
}

static section find_section(const char *t, size_t n, const char *key)
{
    section s = {0, 0, false};
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && t[e] != '\n')
            e++;
        if (key_line(t + i, e - i, key)) {
            s.begin = i;
            s.present = true;
            size_t j = e < n ? e + 1 : n;
            size_t last = j; /* end of the last content line */
            while (j < n) {
                size_t le = j;
                while (le < n && t[le] != '\n')
                    le++;
                char c = t[j];
                bool blank = true;
                for (size_t k = j; k < le; k++)
                    if (t[k] != ' ' && t[k] != '\t' && t[k] != '\r')
                        blank = false;
                if (!blank && c != ' ' && c != '\t' && c != '-')
                    break;
                j = le < n ? le + 1 : n;
                if (!blank)
                    last = j;
            }
            s.end = last;
            return s;
        }
        i = e < n ? e + 1 : n;
    }
    return s;
}

/* ---- apply ------------------------------------------------------------------------------ */

vg_err vg_report_apply(const char *path, vg_report *const *reports, size_t n,
                       const vg_report_kb *kb, vg_buf *summary, vg_error *e)
{
    vg_buf dummy;
    vg_buf_init(&dummy, 0);
    if (!summary)
        summary = &dummy;
    char *text = NULL;
    size_t tn = 0;
    struct stat st;
    if (stat(path, &st) == 0) {
        vg_err rc = vg_file_read(path, MAX_CONFIG, &text, &tn, e);
        if (rc) {
            vg_buf_free(&dummy);
            return rc;
        }
    } else {
        text = vg_xstrdup("");
    }
    vg_yaml_doc *doc = NULL;
    const vg_yaml_node *root = NULL;
    if (tn) {
        doc = vg_yaml_load_string(text, tn, path, e);
        if (!doc) {
            free(text);
            vg_buf_free(&dummy);
            return e && e->code ? e->code : VG_EINVAL;
        }
        root = vg_yaml_root(doc);
        if (vg_yaml_type_of(root) != VG_YAML_MAP && vg_yaml_type_of(root) != VG_YAML_NULL) {
            vg_yaml_free(doc);
            free(text);
            vg_buf_free(&dummy);
            return vg_error_set(e, VG_EINVAL, "%s: the configuration must be a mapping", path);
        }
    }
    vg_arena *a = vg_arena_new(0);
    entries brands = {0}, lures = {0}, actors = {0}, builtin = {0};
    /* brands the detectors protect anyway (data/brands.yaml) */
    size_t bn;
    const char *btext = vg_data_get("brands.yaml", &bn);
    vg_yaml_doc *bdoc = btext ? vg_yaml_load_string(btext, bn, "builtin:brands.yaml", NULL) : NULL;
    const vg_yaml_node *bb = bdoc ? vg_yaml_get(vg_yaml_root(bdoc), "brands") : NULL;
    for (size_t i = 0; i < vg_yaml_len(bb); i++) {
        const char *nm = vg_yaml_str(vg_yaml_get(vg_yaml_at(bb, i), "name"), NULL);
        if (nm)
            add(&builtin, vg_arena_strdup(a, nm));
    }
    vg_yaml_free(bdoc);
    const vg_yaml_node *bl = vg_yaml_get(root, "brands");
    for (size_t i = 0; i < vg_yaml_len(bl); i++) {
        const vg_yaml_node *it = vg_yaml_at(bl, i);
        const char *nm = vg_yaml_str(vg_yaml_get(it, "name"), "");
        entry *x = add(&brands, nm);
        x->orig = it;
    }
    const vg_yaml_node *ll = vg_yaml_get(root, "lures");
    for (size_t i = 0; i < vg_yaml_len(ll); i++) {
        const vg_yaml_node *it = vg_yaml_at(ll, i);
        const char *th = vg_yaml_str(vg_yaml_get(it, "theme"), NULL);
        if (!th)
            continue;
        entry *x = find(&lures, th);
        if (!x)
            x = add(&lures, th);
        vg_yaml_each_str(vg_yaml_get(it, "keywords"), strv_cb, &x->a);
    }
    const vg_yaml_node *al = vg_yaml_get(root, "actors");
    for (size_t i = 0; i < vg_yaml_len(al); i++) {
        const vg_yaml_node *it = vg_yaml_at(al, i);
        const char *nm = vg_yaml_str(vg_yaml_get(it, "name"), NULL);
        if (!nm)
            continue;
        entry *x = find(&actors, nm);
        if (!x)
            x = add(&actors, nm);
        vg_yaml_each_str(vg_yaml_get(it, "techniques"), strv_cb, &x->a);
    }

    bool changed[3] = {false, false, false};
    for (size_t ri = 0; ri < n; ri++) {
        const vg_report *r = reports[ri];
        const char **v;
        size_t nv = rp_report_values(r, VG_FACT_IMPERSONATED, a, &v);
        for (size_t i = 0; i < nv; i++) {
            if (find(&brands, v[i]))
                continue;
            entry *bi = find(&builtin, v[i]);
            if (bi) {
                if (!bi->a.n) { /* say it once */
                    vg_buf_printf(summary, "brand %s already protected (built in)\n", v[i]);
                    strv_add(&bi->a, "noted");
                }
                continue;
            }
            entry *x = add(&brands, vg_arena_strdup(a, v[i]));
            const rp_org *org = kb ? rp_kb_org(kb, v[i]) : NULL;
            for (size_t k = 0; org && k < org->ndomains; k++)
                strv_add(&x->a, org->domains[k]);
            /* keywords: the organization's names, but not bare acronyms ("WHO") */
            for (size_t k = 0; org && k < org->nnames; k++) {
                const char *nm = org->names[k];
                bool acronym = strlen(nm) <= 5;
                for (const char *p = nm; *p && acronym; p++)
                    acronym = !(*p >= 'a' && *p <= 'z');
                if (acronym) /* matched case-sensitively by the detectors */
                    strv_add(&x->c, nm);
                else
                    strv_add(&x->b, rp_fold(a, nm, strlen(nm)));
            }
            if (!x->b.n)
                strv_add(&x->b, rp_fold(a, v[i], strlen(v[i])));
            vg_buf_printf(summary, "brand %s added", v[i]);
            if (x->a.n) {
                vg_buf_puts(summary, " (");
                for (size_t k = 0; k < x->a.n; k++)
                    vg_buf_printf(summary, "%s%s", k ? ", " : "", x->a.v[k]);
                vg_buf_puts(summary, ")");
            }
            vg_buf_putc(summary, '\n');
            changed[0] = true;
        }
        nv = rp_report_values(r, VG_FACT_LURE, a, &v);
        for (size_t i = 0; i < nv; i++) {
            entry *x = find(&lures, v[i]);
            bool fresh = !x;
            if (!x)
                x = add(&lures, vg_arena_strdup(a, v[i]));
            const rp_lure *lu = kb ? rp_kb_lure(kb, v[i]) : NULL;
            size_t added = 0;
            for (size_t k = 0; lu && k < lu->nkeywords; k++)
                added += strv_add(&x->a, rp_fold(a, lu->keywords[k], strlen(lu->keywords[k])));
            if (!lu)
                added += strv_add(&x->a, v[i]);
            if (added) {
                vg_buf_printf(summary, "lure theme %s %s (%zu keyword%s)\n", v[i],
                              fresh ? "added" : "extended", added, added == 1 ? "" : "s");
                changed[1] = true;
            }
        }
        for (size_t i = 0; i < r->nuses; i++) {
            /* only actors and techniques of the report's own event */
            if (!vg_report_has(r, VG_FACT_ACTOR, r->uses[i].actor) ||
                !vg_report_has(r, VG_FACT_TECHNIQUE, r->uses[i].technique))
                continue;
            entry *x = find(&actors, r->uses[i].actor);
            if (!x)
                x = add(&actors, vg_arena_strdup(a, r->uses[i].actor));
            if (strv_add(&x->a, vg_arena_strdup(a, r->uses[i].technique))) {
                vg_buf_printf(summary, "actor %s: technique %s added\n", r->uses[i].actor,
                              r->uses[i].technique);
                changed[2] = true;
            }
        }
    }
    vg_err rc = VG_OK;
    if (changed[0] || changed[1] || changed[2]) {
        /* regenerate the changed sections, in place */
        vg_buf sec[3];
        for (int k = 0; k < 3; k++)
            vg_buf_init(&sec[k], 0);
        if (changed[0]) {
            vg_buf_puts(&sec[0], "brands:\n");
            for (size_t i = 0; i < brands.n; i++) {
                entry *x = &brands.v[i];
                if (x->orig && vg_yaml_type_of(x->orig) == VG_YAML_MAP) {
                    vg_buf_puts(&sec[0], "  - ");
                    map_body(&sec[0], x->orig, 4, true);
                    continue;
                }
                if (x->orig)
                    continue;
                vg_buf_puts(&sec[0], "  - name: ");
                scalar(&sec[0], x->name);
                vg_buf_puts(&sec[0], "\n    domains: ");
                flow_list(&sec[0], x->a.v, x->a.n);
                vg_buf_puts(&sec[0], "\n    keywords: ");
                flow_list(&sec[0], x->b.v, x->b.n);
                if (x->c.n) {
                    vg_buf_puts(&sec[0], "\n    acronyms: ");
                    flow_list(&sec[0], x->c.v, x->c.n);
                }
                vg_buf_puts(&sec[0], "\n");
            }
        }
        if (changed[1]) {
            vg_buf_puts(&sec[1], "lures:\n");
            for (size_t i = 0; i < lures.n; i++) {
                vg_buf_puts(&sec[1], "  - theme: ");
                scalar(&sec[1], lures.v[i].name);
                vg_buf_puts(&sec[1], "\n    keywords: ");
                flow_list(&sec[1], lures.v[i].a.v, lures.v[i].a.n);
                vg_buf_puts(&sec[1], "\n");
            }
        }
        if (changed[2]) {
            vg_buf_puts(&sec[2], "actors:\n");
            for (size_t i = 0; i < actors.n; i++) {
                qsort(actors.v[i].a.v, actors.v[i].a.n, sizeof *actors.v[i].a.v, cmp_str);
                vg_buf_puts(&sec[2], "  - name: ");
                scalar(&sec[2], actors.v[i].name);
                vg_buf_puts(&sec[2], "\n    techniques: ");
                flow_list(&sec[2], actors.v[i].a.v, actors.v[i].a.n);
                vg_buf_puts(&sec[2], "\n");
            }
        }
        static const char *const keys[3] = {"brands", "lures", "actors"};
        section where[3];
        for (int k = 0; k < 3; k++)
            where[k] = find_section(text, tn, keys[k]);
        vg_buf out;
        vg_buf_init(&out, 0);
        size_t pos = 0;
        /* replace present sections in file order */
        for (;;) {
            int next = -1;
            for (int k = 0; k < 3; k++)
                if (changed[k] && where[k].present && where[k].begin >= pos &&
                    (next < 0 || where[k].begin < where[next].begin))
                    next = k;
            if (next < 0)
                break;
            vg_buf_append(&out, text + pos, where[next].begin - pos);
            vg_buf_append(&out, sec[next].p, sec[next].n);
            pos = where[next].end;
            where[next].present = false;
            changed[next] = false;
        }
        vg_buf_append(&out, text + pos, tn - pos);
        bool header = false;
        for (int k = 0; k < 3; k++) {
            if (!changed[k])
                continue;
            if (out.n && out.p[out.n - 1] != '\n')
                vg_buf_putc(&out, '\n');
            if (!header) {
                vg_buf_puts(&out, out.n ? "\n# added by `vigil intel report --apply`\n"
                                        : "# added by `vigil intel report --apply`\n");
                header = true;
            }
            vg_buf_append(&out, sec[k].p, sec[k].n);
        }
        rc = vg_file_write(path, out.p ? out.p : "", out.n, e);
        vg_buf_free(&out);
        for (int k = 0; k < 3; k++)
            vg_buf_free(&sec[k]);
    } else if (summary) {
        vg_buf_puts(summary, "nothing new\n");
    }
    free_entries(&brands);
    free_entries(&builtin);
    free_entries(&lures);
    free_entries(&actors);
    vg_arena_free(a);
    vg_yaml_free(doc);
    free(text);
    vg_buf_free(&dummy);
    return rc;
}
