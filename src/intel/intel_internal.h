/* intel_internal.h — shared internals of src/intel/: catalog source records
 * and small helpers. Not a public header. */
#ifndef VIGIL_INTEL_INTERNAL_H
#define VIGIL_INTEL_INTERNAL_H

#include "vigil/finding.h"
#include "vigil/intel.h"

/* One record from a naming source, kept so the catalog can be rebuilt by
 * precedence level whatever order the sources were merged in. */
typedef struct vg_intel_rec {
    vg_name_source level;
    char *primary;       /* the record's own name */
    vg_strlist names;    /* names that are the record's own: primary, ATT&CK id,
                          * built-in aliases */
    vg_strlist shared;   /* synonyms: other sources' names (MS "Other names",
                          * ATT&CK aliases, MISP synonyms, built-in shared_names);
                          * within a level, a record's own name outranks them */
    char *origin;        /* ISO alpha-2 */
    char *attack_id;     /* G#### */
    char *summary;
    vg_strlist techniques, lures, sectors, refs;
    unsigned infra;
    char *source;        /* "builtin: ...", "microsoft: file", ... */
    bool profile;        /* built-in curated profile */
    int order;           /* load order (stable tie-break) */
} vg_intel_rec;

void vg_intel_rec_free(vg_intel_rec *r);

/* Adds a record to the catalog (takes ownership) without rebuilding. */
void vg_catalog_add_rec(vg_catalog *c, vg_intel_rec *r);
/* Rebuilds actors and the name index from every record. */
void vg_catalog_rebuild(vg_catalog *c);
/* Sets the lure keyword table (theme -> keywords), built-in YAML only. */
void vg_catalog_add_lure_theme(vg_catalog *c, const char *theme, const vg_strlist *keywords);
void vg_catalog_note_skipped(vg_catalog *c, size_t n);


/* Name key: ASCII lower case with spaces, '-', '_', '.' removed. Returns the
 * key length (0 = empty name). out must hold strlen(in) + 1 bytes. */
size_t vg_intel_name_key(const char *in, char *out);

/* Country name (as in Microsoft's map) or an alpha-2 code -> ISO alpha-2. */
bool vg_intel_country_code(const char *name, char out[3]);

/* Line and column of a byte offset in text (1-based). */
void vg_intel_line_col(const char *text, size_t n, size_t off, int *line, int *col);

#endif
