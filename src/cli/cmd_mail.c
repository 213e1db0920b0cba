/* cmd_mail.c — `vigil mail`: analyse messages (files, directories, mbox,
 * Maildir, stdin) for spear-phishing and print one verdict per message. The
 * work is done by the mail module (vigil/mail.h) and the phishing engine
 * (vigil/detect_phish.h); this file only wires them to files and streams.
 *
 * With -j N (default: the number of CPUs, at most 8) N worker threads each
 * own an engine; the main thread reads messages in input order, hands out
 * copies, and prints the results in that same order, so output does not
 * depend on scheduling. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vigil/detect_phish.h"
#include "vigil/finding.h"
#include "vigil/mail.h"
#include "vigil/yaml.h"

const char vg_usage_mail[] =
    "usage: vigil mail [--json] [--config FILE] [--findings FILE] [--rejects FILE]\n"
    "                  [--dump] [-j N] [--quiet] PATH...\n"
    "\n"
    "Analyses every message under each PATH and prints a verdict per message:\n"
    "phish, suspicious or clean, a score 0-100 and the reasons. PATH is a message\n"
    "(.eml), an mbox file, a Maildir, a directory (read recursively) or - for\n"
    "stdin; the kind is told from the content. A message is named by its path, or\n"
    "PATH#N for the Nth message of a file holding several.\n"
    "\n"
    "Options:\n"
    "  --json           one JSON verdict per line (DESIGN.md \"Mail verdict\")\n"
    "  --config FILE    YAML config: brands, organizations (domains, vip_names) and\n"
    "                   the mail section (authserv_ids, allow, platforms, weights,\n"
    "                   thresholds, limits); see docs/config.md\n"
    "  --findings FILE  write the phish.* findings as JSON lines to FILE (- = stdout)\n"
    "  --rejects FILE   write one line per rejected input: source, offset, reason\n"
    "  --dump           print the parsed message (headers, authentication, links,\n"
    "                   attachments, evidence) as JSON instead of a verdict\n"
    "  -j N             worker threads (default: CPUs, at most 8); output order is\n"
    "                   the input order whatever N is\n"
    "  --quiet          no summary line on stderr\n"
    "\n"
    "Exit: 0 when the run completed (whatever the verdicts), 2 usage error,\n"
    "3 when an input could not be read.\n";

static const vg_cmd *mail_cmd(void) { return vg_cli_find("mail"); }

typedef struct opts {
    bool json, dump, quiet, findings;
} opts;

/* One message on its way through a worker. */
typedef struct job {
    char *name, *path;
    int64_t offset;
    char *data;
    size_t len;
    /* results */
    vg_buf out;      /* for stdout */
    vg_buf findings; /* JSON lines */
    char *reject;    /* reason when rejected */
    int verdict;     /* vg_phish_verdict, -1 when not analysed */
    bool io_error;
    bool skip; /* rejected while reading: nothing for a worker to do */
    bool done; /* set by the worker that owns it; the job is freed after */
} job;

typedef struct worker {
    vg_phish_engine *eng;
    vg_mail_parser *dumper;
    pthread_t thread;
    struct pool *pool;
} worker;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    job **ring;
    size_t cap;
    uint64_t head, take, tail; /* filled, handed out, printed */
    bool eof;
    const opts *o;
    worker *w;
    size_t n_workers;
    const vg_yaml_node *config; /* for the engines the workers build */
} pool;

static void job_free(job *j)
{
    free(j->name);
    free(j->path);
    free(j->data);
    free(j->reject);
    vg_buf_free(&j->out);
    vg_buf_free(&j->findings);
    free(j);
}

static void process(job *j, worker *w, const opts *o)
{
    vg_error err;
    vg_error_clear(&err);
    if (o->dump) {
        const vg_mail_msg *m;
        if (vg_mail_parse(w->dumper, j->data, j->len, &m, &err) != VG_OK) {
            j->reject = vg_xstrdup(err.msg);
            return;
        }
        vg_json js;
        vg_json_init(&js, &j->out);
        vg_json_obj_begin(&js);
        vg_json_kv_str(&js, "file", j->name);
        vg_json_key(&js, "message");
        vg_mail_msg_write_json(m, &js);
        vg_json_obj_end(&js);
        vg_buf_putc(&j->out, '\n');
        j->verdict = VG_PHISH_CLEAN;
        return;
    }
    vg_findings fl = {0};
    const vg_phish_result *res;
    vg_err rc = vg_phish_analyze(w->eng, j->name, j->data, j->len, o->findings ? &fl : NULL, &res,
                                 &err);
    if (rc != VG_OK)
        j->reject = vg_xstrdup(err.msg);
    else
        j->verdict = (int)res->verdict;
    if (o->json) {
        vg_json js;
        vg_json_init(&js, &j->out);
        vg_phish_result_write_json(res, &js);
        vg_buf_putc(&j->out, '\n');
    } else if (rc == VG_OK) {
        vg_phish_result_write_text(res, &j->out);
    }
    for (size_t i = 0; i < fl.n; i++) {
        char *s = vg_finding_to_json(fl.v[i]);
        vg_buf_puts(&j->findings, s);
        vg_buf_putc(&j->findings, '\n');
        free(s);
    }
    vg_findings_free(&fl);
}

/* Builds what a worker needs (engine; parser for --dump). Worker 0's engine
 * is built by the main thread first, so that configuration errors are
 * reported before any message; the others build theirs in parallel. */
static bool worker_init(worker *w, const vg_yaml_node *config, const opts *o, vg_error *err)
{
    if (!w->eng && vg_phish_engine_new(&w->eng, config, err) != VG_OK)
        return false;
    if (o->dump && !w->dumper) {
        vg_mail_parse_opts po;
        vg_mail_parse_opts_default(&po);
        po.limits = *vg_phish_engine_limits(w->eng);
        if (vg_mail_parser_new(&w->dumper, &po, err) != VG_OK)
            return false;
    }
    return true;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    vg_error err;
    vg_error_clear(&err);
    if (!worker_init(w, p->config, p->o, &err)) {
        /* the same configuration built worker 0: only resources can fail
         * here, and the other workers carry on */
        fprintf(stderr, "vigil mail: a worker could not start: %s\n", err.msg);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->take == p->head && !p->eof)
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (p->take == p->head && p->eof) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        job *j = p->ring[p->take % p->cap];
        p->take++;
        pthread_mutex_unlock(&p->mu);
        if (!j->skip)
            process(j, w, p->o);
        pthread_mutex_lock(&p->mu);
        j->done = true;
        pthread_cond_broadcast(&p->cv_done);
        pthread_mutex_unlock(&p->mu);
    }
}

typedef struct sink {
    FILE *findings, *rejects;
    uint64_t messages, phish, suspicious, clean, rejected;
    bool io_error;
} sink;

static void emit(job *j, sink *s)
{
    if (j->reject) {
        fprintf(stderr, "vigil mail: %s\n", j->reject);
        if (s->rejects)
            fprintf(s->rejects, "%s\t%lld\t%s\n", j->path ? j->path : "-", (long long)j->offset,
                    j->reject);
        s->rejected++;
        if (j->io_error)
            s->io_error = true;
    } else {
        s->messages++;
        if (j->verdict == VG_PHISH_PHISH)
            s->phish++;
        else if (j->verdict == VG_PHISH_SUSPICIOUS)
            s->suspicious++;
        else
            s->clean++;
    }
    if (j->out.n)
        fwrite(j->out.p, 1, j->out.n, stdout);
    if (s->findings && j->findings.n)
        fwrite(j->findings.p, 1, j->findings.n, s->findings);
}

/* Prints finished jobs in order; with wait, blocks until the oldest is done. */
static void drain(pool *p, sink *s, bool wait_one)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->tail == p->head)
            break;
        job *j = p->ring[p->tail % p->cap];
        if (!j->done) {
            if (!wait_one)
                break;
            pthread_cond_wait(&p->cv_done, &p->mu);
            continue;
        }
        p->tail++;
        pthread_mutex_unlock(&p->mu);
        emit(j, s);
        job_free(j);
        wait_one = false;
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

static void submit(pool *p, sink *s, job *j)
{
    if (p->n_workers == 0) {
        if (!j->skip)
            process(j, &p->w[0], p->o);
        emit(j, s);
        job_free(j);
        return;
    }
    while (p->head - p->tail >= p->cap)
        drain(p, s, true);
    pthread_mutex_lock(&p->mu);
    p->ring[p->head % p->cap] = j;
    p->head++;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    drain(p, s, false);
}

static FILE *open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "vigil mail: %s: %s\n", path, strerror(errno));
    return f;
}

static job *reject_job(const char *name, const char *path, int64_t offset, const char *reason,
                       bool json, bool io)
{
    job *j = vg_xcalloc(1, sizeof *j);
    j->name = vg_xstrdup(name ? name : path);
    j->path = vg_xstrdup(path);
    j->offset = offset;
    j->reject = vg_xstrdup(reason);
    j->io_error = io;
    j->verdict = -1;
    j->skip = true; /* still goes through the queue, to keep the output order */
    vg_buf_init(&j->out, 0);
    vg_buf_init(&j->findings, 0);
    if (json) {
        vg_json js;
        vg_json_init(&js, &j->out);
        vg_json_obj_begin(&js);
        vg_json_kv_str(&js, "file", j->name);
        vg_json_kv_str(&js, "error", reason);
        vg_json_obj_end(&js);
        vg_buf_putc(&j->out, '\n');
    }
    return j;
}

int vg_cmd_mail(int argc, char **argv)
{
    const vg_cmd *cmd = mail_cmd();
    if (vg_cli_wants_help(cmd, argc, argv))
        return VG_EXIT_OK;
    opts o = {0};
    const char *config = NULL, *findings_path = NULL, *rejects_path = NULL;
    long jobs = 0;
    const char **paths = vg_xcalloc((size_t)argc + 1, sizeof *paths);
    size_t n_paths = 0;
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!dashdash && strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (!dashdash && strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (!dashdash && strcmp(a, "--dump") == 0) {
            o.dump = true;
        } else if (!dashdash && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
            o.quiet = true;
        } else if (!dashdash && (strcmp(a, "--config") == 0 || strcmp(a, "--findings") == 0 ||
                                 strcmp(a, "--rejects") == 0 || strcmp(a, "-j") == 0)) {
            if (i + 1 >= argc) {
                free(paths);
                return vg_cli_usage_error(cmd, "%s needs a value", a);
            }
            const char *v = argv[++i];
            if (strcmp(a, "--config") == 0) {
                config = v;
            } else if (strcmp(a, "--findings") == 0) {
                findings_path = v;
            } else if (strcmp(a, "--rejects") == 0) {
                rejects_path = v;
            } else {
                char *end;
                jobs = strtol(v, &end, 10);
                if (*end || jobs < 1 || jobs > 64) {
                    free(paths);
                    return vg_cli_usage_error(cmd, "-j needs a number from 1 to 64");
                }
            }
        } else if (!dashdash && a[0] == '-' && a[1] != 0) {
            free(paths);
            return vg_cli_usage_error(cmd, "unknown option %s", a);
        } else {
            paths[n_paths++] = a;
        }
    }
    if (n_paths == 0) {
        free(paths);
        return vg_cli_usage_error(cmd, "no input: give a message, mbox, Maildir, directory or -");
    }
    if (jobs == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus < 1 ? 1 : cpus > 8 ? 8 : cpus;
    }
    o.findings = findings_path != NULL;
    vg_error err;
    vg_error_clear(&err);
    vg_yaml_doc *cfg = NULL;
    if (config) {
        cfg = vg_yaml_load_file(config, &err);
        if (!cfg) {
            fprintf(stderr, "vigil mail: %s\n", err.msg);
            free(paths);
            return VG_EXIT_INPUT;
        }
    }
    /* one engine (and, for --dump, one parser) per worker */
    size_t n_workers = jobs > 1 ? (size_t)jobs : 0;
    size_t n_engines = n_workers ? n_workers : 1;
    worker *w = vg_xcalloc(n_engines, sizeof *w);
    int rc = VG_EXIT_OK;
    const vg_yaml_node *config_root = cfg ? vg_yaml_root(cfg) : NULL;
    if (!worker_init(&w[0], config_root, &o, &err)) {
        fprintf(stderr, "vigil mail: %s%s%s\n", config && !w[0].eng ? config : "",
                config && !w[0].eng ? ": " : "", err.msg);
        rc = config && !w[0].eng ? VG_EXIT_INPUT : 1;
    }
    sink s = {0};
    if (rc == VG_EXIT_OK && findings_path && !(s.findings = open_out(findings_path)))
        rc = VG_EXIT_INPUT;
    if (rc == VG_EXIT_OK && rejects_path && !(s.rejects = open_out(rejects_path)))
        rc = VG_EXIT_INPUT;
    pool p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv_work, NULL);
    pthread_cond_init(&p.cv_done, NULL);
    p.cap = n_workers * 16 + 16;
    p.ring = vg_xcalloc(p.cap, sizeof *p.ring);
    p.o = &o;
    p.w = w;
    p.config = config_root;
    p.n_workers = rc == VG_EXIT_OK ? n_workers : 0;
    for (size_t i = 0; i < p.n_workers; i++) {
        w[i].pool = &p;
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "vigil mail: cannot start worker threads\n");
            rc = 1;
            p.n_workers = i;
            break;
        }
    }
    for (size_t pi = 0; pi < n_paths && rc == VG_EXIT_OK; pi++) {
        vg_mail_source *src;
        const vg_mail_limits *lim = vg_phish_engine_limits(w[0].eng);
        if (vg_mail_source_open(&src, paths[pi], lim, &err) != VG_OK) {
            submit(&p, &s, reject_job(paths[pi], paths[pi], 0, err.msg, o.json, true));
            continue;
        }
        vg_mail_item it;
        for (;;) {
            vg_err r = vg_mail_source_next(src, &it, &err);
            if (r == VG_ENOTFOUND)
                break;
            if (r != VG_OK) {
                submit(&p, &s, reject_job(it.name, it.path ? it.path : paths[pi], it.offset,
                                          err.msg, o.json, r == VG_EIO));
                continue;
            }
            job *j = vg_xcalloc(1, sizeof *j);
            j->name = vg_xstrdup(it.name);
            j->path = vg_xstrdup(it.path);
            j->offset = it.offset;
            j->data = vg_xmalloc(it.len + 1);
            memcpy(j->data, it.data, it.len);
            j->data[it.len] = 0;
            j->len = it.len;
            j->verdict = -1;
            vg_buf_init(&j->out, 0);
            vg_buf_reserve(&j->out, 2048); /* a verdict line is 0.5-2 KB: no regrowth */
            vg_buf_init(&j->findings, 0);
            submit(&p, &s, j);
        }
        vg_mail_source_stats sst;
        vg_mail_source_stats_get(src, &sst);
        if (sst.skipped && !o.quiet)
            fprintf(stderr, "vigil mail: %s: %llu file%s skipped (not mail)\n", paths[pi],
                    (unsigned long long)sst.skipped, sst.skipped == 1 ? "" : "s");
        vg_mail_source_close(src);
    }
    /* finish */
    pthread_mutex_lock(&p.mu);
    p.eof = true;
    pthread_cond_broadcast(&p.cv_work);
    pthread_mutex_unlock(&p.mu);
    while (p.tail != p.head)
        drain(&p, &s, true);
    for (size_t i = 0; i < p.n_workers; i++)
        pthread_join(w[i].thread, NULL);
    fflush(stdout);
    if (s.io_error && rc == VG_EXIT_OK)
        rc = VG_EXIT_INPUT;
    if (!o.quiet)
        fprintf(stderr,
                "vigil mail: %llu message%s: %llu phish, %llu suspicious, %llu clean; %llu rejected\n",
                (unsigned long long)s.messages, s.messages == 1 ? "" : "s",
                (unsigned long long)s.phish, (unsigned long long)s.suspicious,
                (unsigned long long)s.clean, (unsigned long long)s.rejected);
    if (s.findings && s.findings != stdout)
        fclose(s.findings);
    if (s.rejects && s.rejects != stdout)
        fclose(s.rejects);
    for (size_t i = 0; i < n_engines; i++) {
        vg_mail_parser_free(w[i].dumper);
        vg_phish_engine_free(w[i].eng);
    }
    free(w);
    free(p.ring);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv_work);
    pthread_cond_destroy(&p.cv_done);
    vg_yaml_free(cfg);
    free(paths);
    return rc;
}
