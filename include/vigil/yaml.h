/* vigil/yaml.h — (core) a YAML document as a read-only tree, for the config
 * file and the data/ catalogs. Each module reads its own keys from the tree;
 * every node knows its line so errors can name "file:line". Aliases are
 * refused (billion-laughs), nesting and size are bounded. */
#ifndef VIGIL_YAML_H
#define VIGIL_YAML_H

#include "vigil/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { VG_YAML_NULL = 0, VG_YAML_SCALAR, VG_YAML_SEQ, VG_YAML_MAP } vg_yaml_type;

typedef struct vg_yaml_doc vg_yaml_doc;
typedef struct vg_yaml_node vg_yaml_node;

vg_yaml_doc *vg_yaml_load_file(const char *path, vg_error *e);
/* name is used in error messages ("config.yaml", "builtin:actors.yaml"). */
vg_yaml_doc *vg_yaml_load_string(const char *text, size_t n, const char *name, vg_error *e);
void vg_yaml_free(vg_yaml_doc *d);
const char *vg_yaml_doc_name(const vg_yaml_doc *d);
const vg_yaml_node *vg_yaml_root(const vg_yaml_doc *d); /* never NULL (NULL node if empty) */

vg_yaml_type vg_yaml_type_of(const vg_yaml_node *n); /* NULL node pointer -> VG_YAML_NULL */
int vg_yaml_line(const vg_yaml_node *n);             /* 1-based, 0 if unknown */
/* Map lookup; NULL when n is not a map or has no such key. */
const vg_yaml_node *vg_yaml_get(const vg_yaml_node *map, const char *key);
/* Dotted path of map keys: "mail.limits.max_parts". */
const vg_yaml_node *vg_yaml_path(const vg_yaml_node *n, const char *dotted);
size_t vg_yaml_len(const vg_yaml_node *n); /* seq items or map pairs; 0 otherwise */
const vg_yaml_node *vg_yaml_at(const vg_yaml_node *seq, size_t i);
const char *vg_yaml_key_at(const vg_yaml_node *map, size_t i);
const vg_yaml_node *vg_yaml_value_at(const vg_yaml_node *map, size_t i);
/* Scalar text, or def when n is not a scalar. */
const char *vg_yaml_str(const vg_yaml_node *n, const char *def);
bool vg_yaml_int(const vg_yaml_node *n, int64_t *out);
bool vg_yaml_double(const vg_yaml_node *n, double *out);
bool vg_yaml_bool(const vg_yaml_node *n, bool *out); /* true/false/yes/no/on/off */
/* A scalar or a sequence of scalars, as a list: calls fn for each string. */
void vg_yaml_each_str(const vg_yaml_node *n, void (*fn)(const char *s, void *ud), void *ud);

#ifdef __cplusplus
}
#endif
#endif
