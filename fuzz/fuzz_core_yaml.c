/* fuzz_core_yaml.c — the YAML tree loader on arbitrary bytes: it must load
 * or fail with a message, never crash, and every accessor must be safe on
 * whatever tree comes out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/yaml.h"

static void walk(const vg_yaml_node *n, int depth)
{
    if (depth > 100)
        abort(); /* the loader caps nesting at 64 */
    (void)vg_yaml_line(n);
    int64_t i64;
    double d;
    bool b;
    (void)vg_yaml_int(n, &i64);
    (void)vg_yaml_double(n, &d);
    (void)vg_yaml_bool(n, &b);
    switch (vg_yaml_type_of(n)) {
    case VG_YAML_SEQ:
        for (size_t i = 0; i < vg_yaml_len(n); i++)
            walk(vg_yaml_at(n, i), depth + 1);
        break;
    case VG_YAML_MAP:
        for (size_t i = 0; i < vg_yaml_len(n); i++) {
            const char *k = vg_yaml_key_at(n, i);
            if (!k || vg_yaml_get(n, k) == NULL)
                abort(); /* every key must be found again */
            walk(vg_yaml_value_at(n, i), depth + 1);
        }
        (void)vg_yaml_path(n, "a.b.c");
        break;
    default:
        (void)vg_yaml_str(n, "");
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_error e = {0};
    vg_yaml_doc *d = vg_yaml_load_string((const char *)data, size, "fuzz.yaml", &e);
    if (!d) {
        if (e.msg[0] == '\0')
            abort(); /* a failure must say why */
        return 0;
    }
    walk(vg_yaml_root(d), 0);
    vg_yaml_free(d);
    return 0;
}
