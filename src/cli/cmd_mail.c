/* cmd_mail.c — `vigil mail`: analyse messages (files, directories, mbox,
 * Maildir, stdin) for spear-phishing and print one verdict per message. The
 * work is done by the mail module (vigil/mail.h) and the phishing engine
 * (vigil/detect_phish.h); this file only wires them to files and streams.
 *
 * With -j N (default: the number of CPUs, at most 8) N worker threads each
 * own an engine and a file reader. The main thread walks the paths and
 * queues jobs in input order: a file to read (most files), or one message
 * of a big file or of stdin, which the main thread reads and splits so that
 * a large mbox is still shared out. Results are printed in the order of the
 * queue by whichever worker finishes the oldest job, so output does not
 * depend on scheduling, and the main thread sleeps while the queue is full. */
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

/* Files up to this size are read by the worker that takes them, as one job;
 * bigger ones (and stdin) are read by the main thread, a job per message. */
#define WORKER_FILE_MAX (1u << 20)

typedef enum job_kind {
    JOB_FILE,    /* read path with the worker's reader, analyse every message */
    JOB_MESSAGE, /* analyse data */
    JOB_REJECT,  /* nothing to do: the reject is already written */
    JOB_PATH_END /* end of a command-line path: report its skipped files */
} job_kind;

/* Work in input order, and what came of it. */
typedef struct job {
    job_kind kind;
    vg_mail_file file; /* JOB_FILE (path owned) */
    char *name;        /* JOB_MESSAGE; JOB_PATH_END: the command-line path */
    char *path;
    int64_t offset;
    char *data;
    size_t len;
    /* results */
    vg_buf out;      /* for stdout */
    vg_buf findings; /* JSON lines */
    vg_buf log;      /* for stderr */
    vg_buf rejects;  /* lines for --rejects */
    uint64_t messages, phish, suspicious, clean, rejected, skipped;
    bool io_error;
    bool done; /* set by the worker that took it (even a job with nothing to
                * run goes through a worker: tail never passes take) */
} job;

typedef struct worker {
    vg_phish_engine *eng;
    vg_mail_parser *dumper;
    vg_mail_reader *reader;
    pthread_t thread;
    struct pool *pool;
} worker;

typedef struct sink {
    FILE *findings, *rejects;
    uint64_t messages, phish, suspicious, clean, rejected, skipped;
    bool io_error;
} sink;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* a worker waits for a job */
    pthread_cond_t cv_space; /* the main thread waits for room, or for the end */
    job **ring;
    size_t cap;
    uint64_t head, take, tail; /* queued, handed out, printed */
    size_t idle;               /* workers waiting on cv_work */
    bool main_waits, printing, eof;
    const opts *o;
    worker *w;
    size_t n_workers;
    sink *s;
    const vg_phish_engine *proto; /* worker 0's engine: the others are its siblings */
} pool;

static job *job_new(job_kind kind)
{
    job *j = vg_xcalloc(1, sizeof *j);
    j->kind = kind;
    vg_buf_init(&j->out, 0);
    vg_buf_init(&j->findings, 0);
    vg_buf_init(&j->log, 0);
    vg_buf_init(&j->rejects, 0);
    return j;
}

static void job_free(job *j)
{
    free((char *)j->file.path);
    free(j->name);
    free(j->path);
    free(j->data);
    vg_buf_free(&j->out);
    vg_buf_free(&j->findings);
    vg_buf_free(&j->log);
    vg_buf_free(&j->rejects);
    free(j);
}

/* Records a rejected file or message: a line on stderr, one in --rejects,
 * and with --json an error object in the output. */
static void job_reject(job *j, const opts *o, const char *name, const char *path, int64_t offset,
                       const char *reason, bool io, bool with_json)
{
    vg_buf_printf(&j->log, "vigil mail: %s\n", reason);
    vg_buf_printf(&j->rejects, "%s\t%lld\t%s\n", path ? path : "-", (long long)offset, reason);
    j->rejected++;
    if (io)
        j->io_error = true;
    if (o->json && with_json) {
        vg_json js;
        vg_json_init(&js, &j->out);
        vg_json_obj_begin(&js);
        vg_json_kv_str(&js, "file", name ? name : path);
        vg_json_kv_str(&js, "error", reason);
        vg_json_obj_end(&js);
        vg_buf_putc(&j->out, '\n');
    }
}

/* Analyses (or dumps) one message into j. */
static void process(job *j, worker *w, const opts *o, const char *name, const char *path,
                    int64_t offset, const char *data, size_t len)
{
    vg_error err;
    vg_error_clear(&err);
    if (o->dump) {
        const vg_mail_msg *m;
        if (vg_mail_parse(w->dumper, data, len, &m, &err) != VG_OK) {
            job_reject(j, o, name, path, offset, err.msg, false, false);
            return;
        }
        vg_json js;
        vg_json_init(&js, &j->out);
        vg_json_obj_begin(&js);
        vg_json_kv_str(&js, "file", name);
        vg_json_key(&js, "message");
        vg_mail_msg_write_json(m, &js);
        vg_json_obj_end(&js);
        vg_buf_putc(&j->out, '\n');
        j->messages++;
        j->clean++;
        return;
    }
    vg_findings fl = {0};
    const vg_phish_result *res;
    vg_err rc = vg_phish_analyze(w->eng, name, data, len, o->findings ? &fl : NULL, &res, &err);
    if (rc != VG_OK) {
        job_reject(j, o, name, path, offset, err.msg, false, false);
    } else {
        j->messages++;
        if (res->verdict == VG_PHISH_PHISH)
            j->phish++;
        else if (res->verdict == VG_PHISH_SUSPICIOUS)
            j->suspicious++;
        else
            j->clean++;
    }
    if (o->json) {
        vg_json js;
        vg_json_init(&js, &j->out);
        vg_phish_result_write_json(res, &js);
        vg_buf_putc(&j->out, '\n');
    } else if (rc == VG_OK) {
        vg_phish_result_write_text(res, &j->out);
    }
    for (size_t i = 0; i < fl.n; i++) {
        char *f = vg_finding_to_json(fl.v[i]);
        vg_buf_puts(&j->findings, f);
        vg_buf_putc(&j->findings, '\n');
        free(f);
    }
    vg_findings_free(&fl);
}

/* Opens f with r; *skipped counts it when it is in a directory and is not
 * mail (it opens, with no message). */
static vg_err open_counted(vg_mail_reader *r, const vg_mail_file *f, uint64_t *skipped,
                           vg_error *err)
{
    vg_mail_source_stats before, after;
    vg_mail_reader_stats_get(r, &before);
    vg_err rc = vg_mail_reader_open(r, f, err);
    vg_mail_reader_stats_get(r, &after);
    *skipped += after.skipped - before.skipped;
    return rc;
}

/* Reads a file with the worker's reader and analyses each of its messages. */
static void run_file(job *j, worker *w, const opts *o)
{
    vg_error err;
    vg_error_clear(&err);
    vg_err rc = open_counted(w->reader, &j->file, &j->skipped, &err);
    if (rc != VG_OK) {
        job_reject(j, o, j->file.path, j->file.path, 0, err.msg, rc == VG_EIO, true);
        return;
    }
    vg_mail_item it;
    while ((rc = vg_mail_reader_next(w->reader, &it, &err)) != VG_ENOTFOUND) {
        if (rc != VG_OK)
            job_reject(j, o, it.name, it.path, it.offset, err.msg, rc == VG_EIO, true);
        else
            process(j, w, o, it.name, it.path, it.offset, it.data, it.len);
    }
}

static void run_job(job *j, worker *w, const opts *o)
{
    if (j->kind == JOB_FILE)
        run_file(j, w, o);
    else if (j->kind == JOB_MESSAGE)
        process(j, w, o, j->name, j->path, j->offset, j->data, j->len);
}

/* Builds what a worker needs (engine, reader; parser for --dump). Worker 0's
 * engine is built from the configuration by the main thread first, so that
 * configuration errors are reported before any message; the other workers
 * make siblings of it (its tables shared, their own state), in parallel. */
static bool worker_init(worker *w, const vg_yaml_node *config, const vg_phish_engine *proto,
                        const opts *o, vg_error *err)
{
    if (!w->eng && (proto ? vg_phish_engine_new_sibling(&w->eng, proto, err)
                          : vg_phish_engine_new(&w->eng, config, err)) != VG_OK)
        return false;
    if (!w->reader)
        w->reader = vg_mail_reader_new(vg_phish_engine_limits(w->eng));
    if (o->dump && !w->dumper) {
        vg_mail_parse_opts po;
        vg_mail_parse_opts_default(&po);
        po.limits = *vg_phish_engine_limits(w->eng);
        if (vg_mail_parser_new(&w->dumper, &po, err) != VG_OK)
            return false;
    }
    return true;
}

static void emit(job *j, sink *s)
{
    if (j->kind == JOB_PATH_END) {
        if (s->skipped)
            fprintf(stderr, "vigil mail: %s: %llu file%s skipped (not mail)\n", j->name,
                    (unsigned long long)s->skipped, s->skipped == 1 ? "" : "s");
        s->skipped = 0;
        return;
    }
    if (j->log.n)
        fwrite(j->log.p, 1, j->log.n, stderr);
    if (s->rejects && j->rejects.n)
        fwrite(j->rejects.p, 1, j->rejects.n, s->rejects);
    s->messages += j->messages;
    s->phish += j->phish;
    s->suspicious += j->suspicious;
    s->clean += j->clean;
    s->rejected += j->rejected;
    s->skipped += j->skipped;
    if (j->io_error)
        s->io_error = true;
    if (j->out.n)
        fwrite(j->out.p, 1, j->out.n, stdout);
    if (s->findings && j->findings.n)
        fwrite(j->findings.p, 1, j->findings.n, s->findings);
}

/* Called with the lock held: prints the finished jobs at the tail of the
 * queue, in order, unless another thread is already at it. */
static void print_ready(pool *p)
{
    if (p->printing)
        return;
    p->printing = true;
    while (p->tail != p->head && p->ring[p->tail % p->cap]->done) {
        job *j = p->ring[p->tail % p->cap];
        p->tail++;
        pthread_mutex_unlock(&p->mu);
        emit(j, p->s);
        job_free(j);
        pthread_mutex_lock(&p->mu);
    }
    p->printing = false;
    /* wake the main thread once half the queue is free (or all is printed),
     * not for every job */
    if (p->main_waits && (p->head - p->tail <= p->cap / 2 || (p->eof && p->tail == p->head)))
        pthread_cond_signal(&p->cv_space);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    vg_error err;
    vg_error_clear(&err);
    /* the same configuration built worker 0: only resources can fail here;
     * such a worker rejects the jobs it takes, so that none is lost */
    bool ok = worker_init(w, NULL, p->proto, p->o, &err);
    if (!ok)
        fprintf(stderr, "vigil mail: a worker could not start: %s\n", err.msg);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->take == p->head && !p->eof) {
            p->idle++;
            pthread_cond_wait(&p->cv_work, &p->mu);
            p->idle--;
        }
        if (p->take == p->head)
            break;
        job *j = p->ring[p->take % p->cap];
        p->take++;
        pthread_mutex_unlock(&p->mu);
        if (ok)
            run_job(j, w, p->o);
        else
            job_reject(j, p->o, j->kind == JOB_FILE ? j->file.path : j->name,
                       j->kind == JOB_FILE ? j->file.path : j->path, j->offset,
                       "not analysed: the worker could not start", false, true);
        pthread_mutex_lock(&p->mu);
        j->done = true;
        print_ready(p);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Queues a job (or, without workers, runs and prints it at once). */
static void submit(pool *p, job *j)
{
    if (p->n_workers == 0) {
        run_job(j, &p->w[0], p->o);
        emit(j, p->s);
        job_free(j);
        return;
    }
    pthread_mutex_lock(&p->mu);
    while (p->head - p->tail >= p->cap) {
        p->main_waits = true;
        pthread_cond_wait(&p->cv_space, &p->mu);
        p->main_waits = false;
    }
    p->ring[p->head % p->cap] = j;
    p->head++;
    if (p->idle)
        pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
}

/* Waits until every queued job is printed and the workers are gone. */
static void finish(pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->eof = true;
    pthread_cond_broadcast(&p->cv_work);
    while (p->tail != p->head) {
        p->main_waits = true;
        pthread_cond_wait(&p->cv_space, &p->mu);
        p->main_waits = false;
    }
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n_workers; i++)
        pthread_join(p->w[i].thread, NULL);
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

static job *reject_job(const opts *o, const char *name, const char *path, int64_t offset,
                       const char *reason, bool io)
{
    job *j = job_new(JOB_REJECT);
    job_reject(j, o, name, path, offset, reason, io, true);
    return j;
}

/* Queues the jobs for one command-line path. */
static void queue_path(pool *p, const char *path, const vg_mail_limits *lim)
{
    vg_error err;
    vg_error_clear(&err);
    vg_mail_source *src;
    if (vg_mail_source_open(&src, path, lim, &err) != VG_OK) {
        submit(p, reject_job(p->o, path, path, 0, err.msg, true));
        return;
    }
    vg_mail_reader *rd = NULL; /* for big files and stdin, read here */
    vg_mail_file f;
    vg_err rc;
    while ((rc = vg_mail_source_next_file(src, &f, &err)) != VG_ENOTFOUND) {
        if (rc != VG_OK) {
            submit(p, reject_job(p->o, f.path, f.path, 0, err.msg, true));
            continue;
        }
        if (strcmp(f.path, "-") != 0 && f.size <= WORKER_FILE_MAX) {
            job *j = job_new(JOB_FILE);
            j->file = f;
            j->file.path = vg_xstrdup(f.path);
            submit(p, j);
            continue;
        }
        if (!rd)
            rd = vg_mail_reader_new(lim);
        uint64_t skipped = 0;
        if ((rc = open_counted(rd, &f, &skipped, &err)) != VG_OK) {
            submit(p, reject_job(p->o, f.path, f.path, 0, err.msg, rc == VG_EIO));
            continue;
        }
        if (skipped) { /* counted in its turn, for the path's summary */
            job *j = job_new(JOB_REJECT);
            j->skipped = skipped;
            submit(p, j);
        }
        vg_mail_item it;
        while ((rc = vg_mail_reader_next(rd, &it, &err)) != VG_ENOTFOUND) {
            if (rc != VG_OK) {
                submit(p, reject_job(p->o, it.name, it.path, it.offset, err.msg, rc == VG_EIO));
                continue;
            }
            job *j = job_new(JOB_MESSAGE);
            j->name = vg_xstrdup(it.name);
            j->path = vg_xstrdup(it.path);
            j->offset = it.offset;
            j->data = vg_xmalloc(it.len + 1);
            memcpy(j->data, it.data, it.len);
            j->data[it.len] = 0;
            j->len = it.len;
            vg_buf_reserve(&j->out, 2048); /* a verdict line is 0.5-2 KB: no regrowth */
            submit(p, j);
        }
    }
    vg_mail_reader_free(rd);
    vg_mail_source_close(src);
    if (!p->o->quiet) {
        job *j = job_new(JOB_PATH_END);
        j->name = vg_xstrdup(path);
        submit(p, j);
    }
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
    if (!worker_init(&w[0], config_root, NULL, &o, &err)) {
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
    pthread_cond_init(&p.cv_space, NULL);
    p.cap = n_workers * 32 + 32;
    p.ring = vg_xcalloc(p.cap, sizeof *p.ring);
    p.o = &o;
    p.w = w;
    p.s = &s;
    p.proto = w[0].eng;
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
    for (size_t pi = 0; pi < n_paths && rc == VG_EXIT_OK; pi++)
        queue_path(&p, paths[pi], vg_phish_engine_limits(w[0].eng));
    finish(&p);
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
        vg_mail_reader_free(w[i].reader);
        vg_mail_parser_free(w[i].dumper);
        vg_phish_engine_free(w[i].eng);
    }
    free(w);
    free(p.ring);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv_work);
    pthread_cond_destroy(&p.cv_space);
    vg_yaml_free(cfg);
    free(paths);
    return rc;
}
