/* attrib_fixture.h — hand-made findings and intel for the attribution and
 * campaign tests (header-only, included by tests/test_attrib_*.c). */
#ifndef VIGIL_ATTRIB_FIXTURE_H
#define VIGIL_ATTRIB_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vigil/attrib.h"

static inline int64_t fx_ts(const char *s)
{
    int64_t t = 0;
    if (vg_time_parse_rfc3339(vg_str_from(s), &t) != VG_OK) {
        fprintf(stderr, "bad time %s\n", s);
        abort();
    }
    return t;
}

/* A finding with its id anchored on (kind, org, key, start). */
static inline vg_finding *fx_finding(const char *kind, const char *org, const char *key, const char *t0,
                              const char *t1)
{
    vg_finding *f = vg_finding_new(kind, org);
    f->first_seen = fx_ts(t0);
    f->last_seen = fx_ts(t1 ? t1 : t0);
    vg_finding_set_id(f, key, f->first_seen, 3600 * 1000);
    f->severity = VG_SEV_MEDIUM;
    f->score = 50;
    return f;
}

/* A password spray from the given IPs against n accounts of the org. */
static inline vg_finding *fx_spray(const char *org, const char *key, const char *t0, const char *t1,
                            const char *const *ips, size_t n_ips, int accounts, int compromised)
{
    vg_finding *f = fx_finding("cred.spray", org, key, t0, t1);
    vg_strlist_add(&f->attack, "T1110.003");
    for (size_t i = 0; i < n_ips; i++) {
        vg_strlist_add(&f->entities.ips, ips[i]);
        vg_strlist_add(&f->roles.attacker_ips, ips[i]);
    }
    for (int i = 0; i < accounts; i++) {
        vg_strlist_addf(&f->entities.accounts, "user%02d@%s.example", i, org);
        vg_strlist_addf(&f->roles.targeted, "user%02d@%s.example", i, org);
    }
    for (int i = 0; i < compromised; i++)
        vg_strlist_addf(&f->roles.compromised, "user%02d@%s.example", i, org);
    f->counts.attempts = accounts * 3;
    f->counts.accounts = accounts;
    f->counts.ips = (int64_t)n_ips;
    f->counts.succeeded = compromised;
    f->counts.blocked = f->counts.attempts - compromised;
    f->outcome = compromised ? VG_OUT_SUCCEEDED : VG_OUT_BLOCKED;
    vg_strlist_addf(&f->reasons, "%d accounts tried with a few common passwords from %zu addresses",
                    accounts, n_ips);
    vg_finding_add_evidence(f, "signins.jsonl", 10);
    return f;
}

static inline vg_catalog *fx_catalog(void)
{
    vg_catalog *c = vg_catalog_new();
    vg_error e = {0};
    if (vg_catalog_load_builtin(c, &e) != VG_OK) {
        fprintf(stderr, "%s\n", e.msg);
        abort();
    }
    return c;
}

static inline vg_iocset *fx_iocs(const vg_catalog *cat, const char *const *fixtures)
{
    vg_iocset *s = vg_iocset_new();
    vg_iocset_set_catalog(s, cat);
    for (size_t i = 0; fixtures && fixtures[i]; i++) {
        vg_error e = {0};
        char path[4096];
        snprintf(path, sizeof path, "%s", vg_test_src(fixtures[i]));
        if (vg_iocset_load_file(s, path, &e) != VG_OK) {
            fprintf(stderr, "%s\n", e.msg);
            abort();
        }
    }
    return s;
}

static inline bool fx_has(const vg_strlist *l, const char *needle)
{
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->v[i], needle))
            return true;
    return false;
}

static inline void fx_dump(const vg_finding *f)
{
    fprintf(stderr, "%s %s: actor=%s conf=%s\n", f->id, f->kind,
            f->attribution.actor ? f->attribution.actor : "-",
            vg_confidence_name(f->attribution.confidence));
    for (size_t i = 0; i < f->attribution.evidence.n; i++)
        fprintf(stderr, "   ev: %s\n", f->attribution.evidence.v[i]);
}

#endif
