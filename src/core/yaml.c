/* yaml.c — a YAML document as a read-only tree (libyaml's event parser).
 *
 * The config file and the data/ catalogs are small, so the whole document is
 * loaded into one arena: nodes are {type, line, scalar | children}. Defences
 * against hostile files: anchors/aliases are refused (no billion laughs),
 * nesting is capped at YAML_MAX_DEPTH, the input size is capped by the
 * caller (vg_file_read max) and the node count at YAML_MAX_NODES.
 * Map keys must be scalars; a duplicate key is an error naming both lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "vigil/yaml.h"

#define YAML_MAX_DEPTH 64
#define YAML_MAX_NODES 1000000
#define YAML_MAX_FILE (64u << 20)

struct vg_yaml_node {
    vg_yaml_type type;
    int line;
    const char *scalar;           /* VG_YAML_SCALAR */
    const char **keys;            /* VG_YAML_MAP: n keys */
    const struct vg_yaml_node **items; /* SEQ items or MAP values */
    size_t n;
};

struct vg_yaml_doc {
    vg_arena *arena;
    char *name;
    const struct vg_yaml_node *root;
};

static const struct vg_yaml_node null_node = {VG_YAML_NULL, 0, NULL, NULL, NULL, 0};

/* A node under construction: children grow in heap arrays, copied to the
 * arena when the collection ends. */
typedef struct frame {
    struct vg_yaml_node *node;
    const struct vg_yaml_node **items;
    const char **keys;
    size_t n, cap, kcap;
    const char *pending_key; /* MAP: key waiting for its value */
    int pending_line;
} frame;

typedef struct loader {
    vg_yaml_doc *doc;
    yaml_parser_t parser;
    frame stack[YAML_MAX_DEPTH + 1];
    int depth;
    size_t nodes;
    vg_error *e;
} loader;

static vg_err add_child(loader *L, const struct vg_yaml_node *child, int line)
{
    if (L->depth == 0) {
        L->doc->root = child;
        return VG_OK;
    }
    frame *f = &L->stack[L->depth - 1];
    if (f->node->type == VG_YAML_MAP && !f->pending_key) {
        if (child->type != VG_YAML_SCALAR)
            return vg_error_set(L->e, VG_EINVAL, "%s:%d: mapping key must be a scalar",
                                L->doc->name, line);
        for (size_t i = 0; i < f->n; i++)
            if (strcmp(f->keys[i], child->scalar) == 0)
                return vg_error_set(L->e, VG_EINVAL, "%s:%d: duplicate key '%s'", L->doc->name,
                                    line, child->scalar);
        f->pending_key = child->scalar;
        f->pending_line = line;
        return VG_OK;
    }
    f->items = vg_xgrow(f->items, &f->cap, f->n + 1, sizeof *f->items);
    if (f->node->type == VG_YAML_MAP) {
        f->keys = vg_xgrow(f->keys, &f->kcap, f->n + 1, sizeof *f->keys);
        f->keys[f->n] = f->pending_key;
        f->pending_key = NULL;
    }
    f->items[f->n++] = child;
    return VG_OK;
}

static struct vg_yaml_node *new_node(loader *L, vg_yaml_type t, int line)
{
    struct vg_yaml_node *n = vg_arena_calloc(L->doc->arena, 1, sizeof *n);
    n->type = t;
    n->line = line;
    L->nodes++;
    return n;
}

static vg_err load(loader *L)
{
    yaml_event_t ev;
    for (;;) {
        if (!yaml_parser_parse(&L->parser, &ev)) {
            return vg_error_set(L->e, VG_EINVAL, "%s:%zu:%zu: %s", L->doc->name,
                                L->parser.problem_mark.line + 1,
                                L->parser.problem_mark.column + 1,
                                L->parser.problem ? L->parser.problem : "YAML syntax error");
        }
        int line = (int)ev.start_mark.line + 1;
        vg_err rc = VG_OK;
        bool done = false;
        if (L->nodes > YAML_MAX_NODES) {
            yaml_event_delete(&ev);
            return vg_error_set(L->e, VG_ELIMIT, "%s:%d: more than %d nodes", L->doc->name, line,
                                YAML_MAX_NODES);
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_END_EVENT:
            done = true; /* only the first document is read */
            break;
        case YAML_ALIAS_EVENT:
            rc = vg_error_set(L->e, VG_EUNSUPPORTED, "%s:%d: YAML aliases are not supported",
                              L->doc->name, line);
            break;
        case YAML_SCALAR_EVENT: {
            if (ev.data.scalar.anchor) {
                rc = vg_error_set(L->e, VG_EUNSUPPORTED, "%s:%d: YAML anchors are not supported",
                                  L->doc->name, line);
                break;
            }
            const char *v = (const char *)ev.data.scalar.value;
            size_t len = ev.data.scalar.length;
            bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            bool is_null = plain && (len == 0 || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0);
            struct vg_yaml_node *n = new_node(L, is_null ? VG_YAML_NULL : VG_YAML_SCALAR, line);
            n->scalar = vg_arena_strndup(L->doc->arena, v, len);
            if (is_null && L->depth > 0 && L->stack[L->depth - 1].node->type == VG_YAML_MAP &&
                !L->stack[L->depth - 1].pending_key)
                n->type = VG_YAML_SCALAR; /* a key spelled "null" is still a key */
            rc = add_child(L, n, line);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (L->depth >= YAML_MAX_DEPTH) {
                rc = vg_error_set(L->e, VG_ELIMIT, "%s:%d: nesting deeper than %d", L->doc->name,
                                  line, YAML_MAX_DEPTH);
                break;
            }
            const yaml_char_t *anchor = ev.type == YAML_SEQUENCE_START_EVENT
                                            ? ev.data.sequence_start.anchor
                                            : ev.data.mapping_start.anchor;
            if (anchor) {
                rc = vg_error_set(L->e, VG_EUNSUPPORTED, "%s:%d: YAML anchors are not supported",
                                  L->doc->name, line);
                break;
            }
            frame *f = &L->stack[L->depth++];
            memset(f, 0, sizeof *f);
            f->node = new_node(L, ev.type == YAML_SEQUENCE_START_EVENT ? VG_YAML_SEQ : VG_YAML_MAP,
                               line);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            frame *f = &L->stack[--L->depth];
            struct vg_yaml_node *n = f->node;
            n->n = f->n;
            if (f->n) {
                n->items = vg_arena_alloc(L->doc->arena, f->n * sizeof *n->items);
                memcpy(n->items, f->items, f->n * sizeof *n->items);
                if (n->type == VG_YAML_MAP) {
                    n->keys = vg_arena_alloc(L->doc->arena, f->n * sizeof *n->keys);
                    memcpy(n->keys, f->keys, f->n * sizeof *n->keys);
                }
            }
            free(f->items);
            free(f->keys);
            f->items = NULL;
            f->keys = NULL;
            rc = add_child(L, n, n->line);
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc != VG_OK)
            return rc;
        if (done)
            return VG_OK;
    }
}

vg_yaml_doc *vg_yaml_load_string(const char *text, size_t n, const char *name, vg_error *e)
{
    vg_yaml_doc *d = vg_xcalloc(1, sizeof *d);
    d->arena = vg_arena_new(0);
    d->name = vg_xstrdup(name ? name : "<yaml>");
    d->root = &null_node;
    loader *L = vg_xcalloc(1, sizeof *L);
    L->doc = d;
    L->e = e;
    if (!yaml_parser_initialize(&L->parser))
        vg_panic("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&L->parser, (const unsigned char *)(text ? text : ""), n);
    vg_err rc = load(L);
    /* On error, release the child arrays of unfinished collections. */
    for (int i = 0; i < L->depth; i++) {
        free(L->stack[i].items);
        free(L->stack[i].keys);
    }
    yaml_parser_delete(&L->parser);
    free(L);
    if (rc != VG_OK) {
        vg_yaml_free(d);
        return NULL;
    }
    return d;
}

vg_yaml_doc *vg_yaml_load_file(const char *path, vg_error *e)
{
    char *buf;
    size_t len;
    if (vg_file_read(path, YAML_MAX_FILE, &buf, &len, e) != VG_OK)
        return NULL;
    vg_yaml_doc *d = vg_yaml_load_string(buf, len, path, e);
    free(buf);
    return d;
}

void vg_yaml_free(vg_yaml_doc *d)
{
    if (!d)
        return;
    vg_arena_free(d->arena);
    free(d->name);
    free(d);
}

const char *vg_yaml_doc_name(const vg_yaml_doc *d) { return d ? d->name : ""; }
const vg_yaml_node *vg_yaml_root(const vg_yaml_doc *d) { return d && d->root ? d->root : &null_node; }
vg_yaml_type vg_yaml_type_of(const vg_yaml_node *n) { return n ? n->type : VG_YAML_NULL; }
int vg_yaml_line(const vg_yaml_node *n) { return n ? n->line : 0; }

const vg_yaml_node *vg_yaml_get(const vg_yaml_node *map, const char *key)
{
    if (!map || map->type != VG_YAML_MAP || !key)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return map->items[i];
    return NULL;
}

const vg_yaml_node *vg_yaml_path(const vg_yaml_node *n, const char *dotted)
{
    char key[256];
    const char *p = dotted;
    while (n && p && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len >= sizeof key)
            return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        n = vg_yaml_get(n, key);
        p = dot ? dot + 1 : NULL;
    }
    return n;
}

size_t vg_yaml_len(const vg_yaml_node *n)
{
    return n && (n->type == VG_YAML_SEQ || n->type == VG_YAML_MAP) ? n->n : 0;
}

const vg_yaml_node *vg_yaml_at(const vg_yaml_node *seq, size_t i)
{
    return seq && seq->type == VG_YAML_SEQ && i < seq->n ? seq->items[i] : NULL;
}

const char *vg_yaml_key_at(const vg_yaml_node *map, size_t i)
{
    return map && map->type == VG_YAML_MAP && i < map->n ? map->keys[i] : NULL;
}

const vg_yaml_node *vg_yaml_value_at(const vg_yaml_node *map, size_t i)
{
    return map && map->type == VG_YAML_MAP && i < map->n ? map->items[i] : NULL;
}

const char *vg_yaml_str(const vg_yaml_node *n, const char *def)
{
    return n && n->type == VG_YAML_SCALAR ? n->scalar : def;
}

bool vg_yaml_int(const vg_yaml_node *n, int64_t *out)
{
    const char *s = vg_yaml_str(n, NULL);
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool vg_yaml_double(const vg_yaml_node *n, double *out)
{
    const char *s = vg_yaml_str(n, NULL);
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool vg_yaml_bool(const vg_yaml_node *n, bool *out)
{
    const char *s = vg_yaml_str(n, NULL);
    if (!s)
        return false;
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

void vg_yaml_each_str(const vg_yaml_node *n, void (*fn)(const char *s, void *ud), void *ud)
{
    if (!n)
        return;
    if (n->type == VG_YAML_SCALAR) {
        fn(n->scalar, ud);
    } else if (n->type == VG_YAML_SEQ) {
        for (size_t i = 0; i < n->n; i++)
            if (n->items[i]->type == VG_YAML_SCALAR)
                fn(n->items[i]->scalar, ud);
    }
}
