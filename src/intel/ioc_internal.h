/* ioc_internal.h — internals shared by the indicator loaders (src/intel/ioc_*.c). */
#ifndef VIGIL_IOC_INTERNAL_H
#define VIGIL_IOC_INTERNAL_H

#include "vigil/intel.h"

/* Indicator with unbounded validity, unknown confidence, nothing else set. */
void vg_indicator_init(vg_indicator *ind);
/* Adds with an error message naming the value (vg_iocset_add without it). */
vg_err vg_iocset_add_labeled(vg_iocset *s, const vg_indicator *ind, vg_error *e);
/* Records a skipped record ("file:pos: reason"). */
void vg_iocset_note_reject(vg_iocset *s, const char *fmt, ...) VG_PRINTF(2, 3);
const vg_catalog *vg_iocset_catalog(const vg_iocset *s);
/* Undo defanging (hxxp, [.], [@], ...); returns the length, 0 if out is too small. */
size_t vg_ioc_refang(const char *in, char *out, size_t cap);
/* Shared-infrastructure kind suggested by free text (labels, tags, names):
 * "tor exit" -> TOR, "vpn" -> VPN, "cdn"/"cloud" -> CLOUD, "anonymi[sz]ation" -> OTHER. */
vg_shared_kind vg_ioc_shared_from_text(const char *text);

/* STIX 2.1 patterning: parses the whole grammar (observation expressions,
 * AND/OR/FOLLOWEDBY, qualifiers, IN sets, NOT) and calls fn for each positive
 * '=' / IN / ISSUBSET comparison whose object path yields an indicator
 * (type VG_IOC_IP, CIDR, DOMAIN, URL, EMAIL or a hash type). off = byte offset
 * of the value. On a syntax error returns VG_EINVAL with the offset and a
 * message. */
typedef void (*vg_stix_atom_fn)(vg_ioc_type t, const char *value, size_t off, void *ud);
vg_err vg_stix_pattern_parse(const char *pattern, size_t n, vg_stix_atom_fn fn, void *ud,
                             size_t *err_off, const char **err_msg);

#endif
