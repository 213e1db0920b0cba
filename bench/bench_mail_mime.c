/* bench_mail_mime.c — where the time of `vigil mail` goes, stage by stage,
 * on messages held in memory (bench/mail/run.sh runs it on the corpora).
 *
 *   bench_mail_mime [-r ROUNDS] [-s STAGE] PATH...
 *   bench_mail_mime -d PATH...
 *
 * Every message under the PATHs (read like `vigil mail` does: files, mbox,
 * Maildir, directories) is loaded once, then each stage runs over all of
 * them ROUNDS times (default 3; the best round is printed), on one thread
 * (-s runs that one stage only, e.g. under perf):
 *
 *   gmime-tree     g_mime_parser_construct_message(), nothing else: GMime's
 *                  own floor for building the MIME tree (the parser vigil
 *                  used before mail_mime.c)
 *   gmime-decode   the same plus decoding every leaf part through GMime's
 *                  streams: the least a GMime-based parser has to do
 *   vigil-mime     vigil's in-place structure (mail_mime.c): header blocks,
 *                  multipart splitting, transfer decoding of every leaf
 *   w/ GMime b64/qp  the same with GMime's base64 and quoted-printable steps
 *                  instead of mail_mime.c's decoders
 *   vigil-parse    vg_mail_parse(): the whole message model (headers,
 *                  addresses, Received, Authentication-Results, text,
 *                  HTML to text, links, forms, attachments)
 *   vigil-analyze  vg_phish_analyze(): parsing plus every detector and the
 *                  verdict (what `vigil mail` does per message)
 *
 * Prints per stage: messages/s, MB/s and µs per message of CPU time on one
 * core. The difference between two stages is what the later one adds.
 *
 * -d prints instead, per message, a digest of everything vg_mail_parse()
 * gives (every field, full texts, nested messages): two builds that print
 * the same lines parse the messages identically (for speed work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "../src/mail/mail_internal.h"
#include "vigil/detect_phish.h"
#include "vigil/mail.h"

typedef struct msg {
    char *data;
    size_t len;
} msg;

static msg *msgs;
static size_t n_msgs, cap_msgs, total_bytes;

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void load(const char *path)
{
    vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    vg_mail_source *src;
    vg_error e = {0};
    if (vg_mail_source_open(&src, path, &lim, &e) != VG_OK) {
        fprintf(stderr, "bench_mail_mime: %s\n", e.msg);
        exit(2);
    }
    vg_mail_item it;
    vg_err rc;
    while ((rc = vg_mail_source_next(src, &it, &e)) != VG_ENOTFOUND) {
        if (rc != VG_OK || it.len == 0)
            continue;
        if (n_msgs == cap_msgs) {
            cap_msgs = cap_msgs ? cap_msgs * 2 : 1024;
            msgs = vg_xrealloc(msgs, cap_msgs * sizeof *msgs);
        }
        msgs[n_msgs].data = vg_xmalloc(it.len);
        memcpy(msgs[n_msgs].data, it.data, it.len);
        msgs[n_msgs].len = it.len;
        total_bytes += it.len;
        n_msgs++;
    }
    vg_mail_source_close(src);
}

/* ---- stages ------------------------------------------------------------------------------ */

static size_t sink; /* keeps the compiler from dropping work */

static GMimeParserOptions *gm_opts;

static GMimeMessage *gmime_tree(const msg *m)
{
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(m->data, m->len);
    GMimeParser *gp = g_mime_parser_new_with_stream(st);
    g_mime_parser_set_format(gp, GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_respect_content_length(gp, FALSE);
    GMimeMessage *gm = g_mime_parser_construct_message(gp, gm_opts);
    g_object_unref(gp);
    g_object_unref(st);
    return gm;
}

static void stage_gmime_tree(const msg *m, void *ud)
{
    (void)ud;
    GMimeMessage *gm = gmime_tree(m);
    if (gm) {
        sink++;
        g_object_unref(gm);
    }
}

static void decode_leaf(GMimeObject *parent, GMimeObject *part, gpointer ud)
{
    (void)parent;
    (void)ud;
    if (!GMIME_IS_PART(part))
        return;
    GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(part));
    if (!w)
        return;
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, mem);
    sink += g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->len;
    g_object_unref(mem);
}

static void stage_gmime_decode(const msg *m, void *ud)
{
    (void)ud;
    GMimeMessage *gm = gmime_tree(m);
    if (!gm)
        return;
    g_mime_message_foreach(gm, decode_leaf, NULL);
    g_object_unref(gm);
}

static bool gmime_steps; /* decode with GMime's step functions instead */

static size_t gmime_decode(vg_arena *a, vg_mime_cte c, const char *body, size_t n)
{
    int state = 0;
    guint32 save = 0;
    unsigned char *out = vg_arena_alloc(a, n + 8);
    if (c == VG_CTE_BASE64)
        return g_mime_encoding_base64_decode_step((const unsigned char *)body, n, out, &state,
                                                  &save);
    if (c == VG_CTE_QP)
        return g_mime_encoding_quoted_decode_step((const unsigned char *)body, n, out, &state,
                                                  &save);
    return n;
}

static void mime_walk(vg_arena *a, const char *data, size_t n, int depth)
{
    vg_mime_entity e;
    vg_mail__mime_split(a, data, n, 1000, &e);
    const vg_mime_field *ct = vg_mail__mime_field(&e, "Content-Type");
    const vg_mime_field *cte = vg_mail__mime_field(&e, "Content-Transfer-Encoding");
    char *ctv = ct ? vg_mail__mime_unfold(a, ct->raw, ct->raw_len) : NULL;
    if (ctv && depth < 20 && strncasecmp(ctv, "multipart/", 10) == 0) {
        /* the bench reads the boundary itself, without GMime's parameter parser */
        const char *b = strcasestr(ctv, "boundary=");
        if (b) {
            b += 9;
            if (*b == '"')
                b++;
            size_t bl = strcspn(b, "\";");
            char *bnd = vg_arena_strndup(a, b, bl);
            vg_mime_parts it;
            vg_mail__mime_parts_init(&it, e.body, e.body_len, bnd);
            const char *part;
            size_t len;
            while (vg_mail__mime_parts_next(&it, &part, &len))
                mime_walk(a, part, len, depth + 1);
            return;
        }
    }
    size_t dn;
    vg_mime_cte c =
        vg_mail__mime_cte(cte ? vg_mail__mime_unfold(a, cte->raw, cte->raw_len) : NULL);
    if (gmime_steps && (c == VG_CTE_BASE64 || c == VG_CTE_QP))
        dn = gmime_decode(a, c, e.body, e.body_len);
    else
        vg_mail__mime_decode(a, c, e.body, e.body_len, &dn);
    sink += dn;
    if (ctv && depth < 20 && strncasecmp(ctv, "message/rfc822", 14) == 0)
        mime_walk(a, e.body, e.body_len, depth + 1);
}

static void stage_vigil_mime(const msg *m, void *ud)
{
    vg_arena *a = ud;
    vg_arena_reset(a);
    mime_walk(a, m->data, m->len, 0);
}

static void stage_vigil_parse(const msg *m, void *ud)
{
    const vg_mail_msg *out;
    vg_error e = {0};
    if (vg_mail_parse(ud, m->data, m->len, &out, &e) == VG_OK)
        sink += out->n_urls;
}

static void stage_vigil_analyze(const msg *m, void *ud)
{
    const vg_phish_result *r;
    vg_error e = {0};
    vg_phish_analyze(ud, "bench", m->data, m->len, NULL, &r, &e);
    sink += r->score;
}

/* ---- digest of a parsed message (-d) ----------------------------------------------------- */

static void dg_bytes(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ c[i]) * 1099511628211ull;
    *h = (*h ^ 0xFF) * 1099511628211ull; /* separator */
}

static void dg_str(uint64_t *h, const char *s)
{
    if (s)
        dg_bytes(h, s, strlen(s));
    else
        dg_bytes(h, "\x01NULL", 5);
}

static void dg_int(uint64_t *h, int64_t v) { dg_bytes(h, &v, sizeof v); }

static void dg_addr(uint64_t *h, const vg_mail_addr *a)
{
    dg_str(h, a->name);
    dg_str(h, a->addr);
    dg_str(h, a->local);
    dg_str(h, a->domain);
}

static void dg_addrs(uint64_t *h, vg_mail_addrs as)
{
    dg_int(h, (int64_t)as.n);
    for (size_t i = 0; i < as.n; i++)
        dg_addr(h, &as.v[i]);
}

static void dg_msg(uint64_t *h, const vg_mail_msg *m)
{
    dg_int(h, (int64_t)m->n_headers);
    for (size_t i = 0; i < m->n_headers; i++) {
        dg_str(h, m->headers[i].name);
        dg_str(h, m->headers[i].value);
    }
    dg_str(h, m->subject);
    dg_addrs(h, m->from);
    dg_addr(h, &m->sender);
    dg_addrs(h, m->reply_to);
    dg_addrs(h, m->to);
    dg_addrs(h, m->cc);
    dg_str(h, m->return_path);
    dg_str(h, m->return_path_domain);
    dg_str(h, m->message_id);
    dg_int(h, m->date_ms);
    dg_str(h, m->list_id);
    dg_int(h, m->has_list_unsubscribe);
    dg_int(h, (int64_t)m->n_hops);
    for (size_t i = 0; i < m->n_hops; i++) {
        const vg_mail_hop *hp = &m->hops[i];
        dg_str(h, hp->from_host);
        dg_str(h, hp->rdns);
        char ip[64] = "";
        if (hp->ip.family)
            vg_ip_format(&hp->ip, ip);
        dg_str(h, ip);
        dg_str(h, hp->by_host);
        dg_int(h, hp->time_ms);
    }
    dg_int(h, m->first_external_hop);
    const vg_mail_auth *au = &m->auth;
    dg_int(h, au->present);
    dg_str(h, au->authserv_id);
    dg_int(h, au->spf);
    dg_str(h, au->spf_domain);
    dg_int(h, au->dkim);
    dg_int(h, (int64_t)au->n_dkim);
    for (size_t i = 0; i < au->n_dkim; i++) {
        dg_int(h, au->dkim_sigs[i].result);
        dg_str(h, au->dkim_sigs[i].domain);
    }
    dg_int(h, au->dmarc);
    dg_str(h, au->dmarc_domain);
    dg_int(h, au->compauth);
    dg_str(h, au->compauth_reason);
    dg_int(h, au->arc);
    dg_int(h, au->n_headers);
    dg_int(h, au->n_untrusted);
    dg_bytes(h, m->text_plain, m->text_plain_len);
    dg_bytes(h, m->text_html, m->text_html_len);
    dg_bytes(h, m->text_hidden, m->text_hidden_len);
    dg_int(h, (int64_t)m->n_urls);
    for (size_t i = 0; i < m->n_urls; i++) {
        dg_str(h, m->urls[i].url);
        dg_str(h, m->urls[i].host);
        dg_str(h, m->urls[i].text);
        dg_int(h, m->urls[i].source);
        dg_int(h, m->urls[i].flags);
    }
    dg_int(h, (int64_t)m->n_forms);
    for (size_t i = 0; i < m->n_forms; i++) {
        const vg_mail_form *f = &m->forms[i];
        dg_str(h, f->action);
        dg_str(h, f->action_host);
        dg_int(h, f->inputs);
        dg_int(h, f->password_inputs);
        dg_int(h, f->email_inputs);
        dg_int(h, f->hidden_inputs);
        dg_int(h, f->in_attachment);
    }
    dg_int(h, (int64_t)m->n_attachments);
    for (size_t i = 0; i < m->n_attachments; i++) {
        const vg_mail_attachment *a = &m->attachments[i];
        dg_str(h, a->filename);
        dg_str(h, a->declared_type);
        dg_str(h, a->magic_type);
        dg_int(h, (int64_t)a->size);
        dg_str(h, a->sha256);
        dg_int(h, a->flags);
        dg_int(h, (int64_t)a->n_entries);
        dg_int(h, (int64_t)a->n_entries_total);
        for (size_t k = 0; k < a->n_entries; k++) {
            dg_str(h, a->entries[k].name);
            dg_int(h, (int64_t)a->entries[k].size);
            dg_int(h, a->entries[k].encrypted);
        }
        dg_int(h, a->nested);
    }
    dg_int(h, (int64_t)m->n_nested);
    for (size_t i = 0; i < m->n_nested; i++)
        dg_msg(h, m->nested[i]);
    dg_int(h, m->n_parts);
    dg_int(h, m->max_depth);
    dg_int(h, m->evidence);
    dg_int(h, m->n_warnings);
    dg_int(h, m->depth);
}

static void digest_all(vg_mail_parser *p)
{
    for (size_t i = 0; i < n_msgs; i++) {
        const vg_mail_msg *m;
        vg_error e = {0};
        uint64_t h = 1469598103934665603ull;
        if (vg_mail_parse(p, msgs[i].data, msgs[i].len, &m, &e) == VG_OK)
            dg_msg(&h, m);
        else
            dg_str(&h, e.msg);
        printf("%zu %016llx\n", i, (unsigned long long)h);
    }
}

static const char *only; /* -s STAGE */

static void run(const char *name, void (*fn)(const msg *, void *), void *ud, int rounds)
{
    if (only && strcmp(only, name) != 0)
        return;
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = cpu_now();
        for (size_t i = 0; i < n_msgs; i++)
            fn(&msgs[i], ud);
        double t = cpu_now() - t0;
        if (t < best)
            best = t;
    }
    printf("| %-13s | %9.0f | %8.1f | %8.1f |\n", name, (double)n_msgs / best,
           (double)total_bytes / 1048576.0 / best, best * 1e6 / (double)n_msgs);
}

int main(int argc, char **argv)
{
    int rounds = 3, i = 1;
    bool digest = false;
    for (;;) {
        if (i < argc && strcmp(argv[i], "-d") == 0) {
            digest = true;
            i++;
            continue;
        }
        if (i + 1 < argc && strcmp(argv[i], "-r") == 0)
            rounds = atoi(argv[i + 1]);
        else if (i + 1 < argc && strcmp(argv[i], "-s") == 0)
            only = argv[i + 1];
        else
            break;
        i += 2;
    }
    if (i >= argc || rounds < 1) {
        fprintf(stderr, "usage: bench_mail_mime [-r ROUNDS] [-s STAGE] | -d  PATH...\n");
        return 2;
    }
    for (; i < argc; i++)
        load(argv[i]);
    if (n_msgs == 0) {
        fprintf(stderr, "bench_mail_mime: no messages\n");
        return 2;
    }
    vg_mail_parser *p;
    vg_error e = {0};
    if (vg_mail_parser_new(&p, NULL, &e) != VG_OK) /* also initialises GMime */
        return 1;
    if (digest) {
        digest_all(p);
        vg_mail_parser_free(p);
        return 0;
    }
    vg_phish_engine *eng;
    if (vg_phish_engine_new(&eng, NULL, &e) != VG_OK) {
        fprintf(stderr, "bench_mail_mime: %s\n", e.msg);
        return 1;
    }
    gm_opts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(gm_opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(gm_opts, GMIME_RFC_COMPLIANCE_LOOSE);
    vg_arena *a = vg_arena_new(256u << 10);

    printf("%zu messages, %.1f MB, best of %d rounds, CPU time of one thread\n\n", n_msgs,
           (double)total_bytes / 1048576.0, rounds);
    printf("| stage         |    msgs/s |     MB/s | µs/msg   |\n");
    printf("|---------------|-----------|----------|----------|\n");
    run("gmime-tree", stage_gmime_tree, NULL, rounds);
    run("gmime-decode", stage_gmime_decode, NULL, rounds);
    run("vigil-mime", stage_vigil_mime, a, rounds);
    gmime_steps = true;
    run("  w/ GMime b64/qp", stage_vigil_mime, a, rounds);
    gmime_steps = false;
    run("vigil-parse", stage_vigil_parse, p, rounds);
    run("vigil-analyze", stage_vigil_analyze, eng, rounds);
    fprintf(stderr, "(%zu)\n", sink);

    vg_arena_free(a);
    g_mime_parser_options_free(gm_opts);
    vg_phish_engine_free(eng);
    vg_mail_parser_free(p);
    for (size_t k = 0; k < n_msgs; k++)
        free(msgs[k].data);
    free(msgs);
    return 0;
}
