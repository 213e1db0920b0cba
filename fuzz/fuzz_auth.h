/* fuzz_auth.h — the shared body of the fuzz_auth_<format>.c libFuzzer
 * targets: the input is pushed into one parser in two chunks (split where its
 * first byte says) to exercise partial lines, then finished; sniffing runs on
 * it too; every field of every event is read and serialized. Must never
 * crash, leak or hang. */
#ifndef VIGIL_FUZZ_AUTH_H
#define VIGIL_FUZZ_AUTH_H

#include <stdint.h>
#include <string.h>

#include "vigil/auth.h"
#include "vigil/yaml.h"

static int sink(const vg_auth_event *ev, void *ud)
{
    (void)ud;
    /* touch every field a consumer reads */
    volatile size_t n = strlen(ev->account) + strlen(ev->org) + strlen(ev->code) + strlen(ev->app) +
                        strlen(ev->user_agent) + strlen(ev->host) + strlen(ev->source_host) +
                        strlen(ev->reason) + strlen(ev->tenant_id) + strlen(ev->correlation_id);
    (void)n;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_json j;
    vg_json_init(&j, &b);
    vg_auth_event_write_json(ev, &j);
    vg_buf_free(&b);
    return 0;
}

static void quiet(const char *f, int64_t l, const char *r, void *ud)
{
    (void)f;
    (void)l;
    (void)r;
    (void)ud;
}

/* Pushes the input through a parser of the given format. */
static int fuzz_auth_parser(vg_auth_format fmt, const uint8_t *data, size_t size)
{
    static vg_auth_config *cfg;
    if (!cfg) {
        static const char yaml[] = "organizations:\n  - id: o\n    domains: [x.example]\n"
                                   "signins:\n  field_map: {time: ts, user: u, ip: ip, result: r,"
                                   " host: h, asn: asn, interactive: i}\n";
        vg_yaml_doc *doc = vg_yaml_load_string(yaml, sizeof yaml - 1, "fuzz.yaml", NULL);
        cfg = vg_auth_config_new();
        vg_auth_config_load(cfg, doc ? vg_yaml_root(doc) : NULL, NULL);
        vg_yaml_free(doc);
        vg_auth_config_set_year(cfg, 2020);
    }
    vg_auth_sniff(cfg, data, size);
    vg_auth_source *s = vg_auth_source_new(cfg, "fuzz", fmt, 1605261600000LL);
    vg_auth_source_set_rejects(s, quiet, NULL);
    size_t cut = size ? (size_t)data[0] * size / 256 : 0;
    vg_auth_source_feed(s, data, cut, sink, NULL);
    vg_auth_source_feed(s, data + cut, size - cut, sink, NULL);
    vg_auth_source_finish(s, sink, NULL);
    vg_auth_source_free(s);
    return 0;
}

#endif
