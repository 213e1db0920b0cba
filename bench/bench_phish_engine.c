/* bench_phish_engine.c — what building a phishing engine costs
 * (vg_phish_engine_new, the start-up of `vigil mail`) and what a sibling
 * engine sharing its tables costs (vg_phish_engine_new_sibling, one per
 * worker thread).
 *
 *   bench_phish_engine [-n N] [-c CONFIG]
 *
 * Builds and frees an engine N times (default 50; the compiled lexicon
 * comes from the disk cache, as in any run after the first: see
 * phish_hscache.c), then builds one engine and N siblings of it. Prints the
 * median and the best CPU milliseconds per build of each (the build of the
 * first engine reads the disk cache: a little I/O wait not counted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/detect_phish.h"
#include "vigil/yaml.h"

/* CPU time of this thread: the build is single-threaded, and CPU time is
 * steadier than wall time on a busy machine. */
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    printf("%-8s %3d builds: median %.3f ms, best %.3f ms CPU\n", what, n, v[n / 2], v[0]);
}

int main(int argc, char **argv)
{
    int n = 50;
    const char *config = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            config = argv[++i];
        else {
            fprintf(stderr, "usage: bench_phish_engine [-n N] [-c CONFIG]\n");
            return 2;
        }
    }
    if (n < 1)
        n = 1;
    vg_error err = {0};
    vg_yaml_doc *cfg = NULL;
    if (config && !(cfg = vg_yaml_load_file(config, &err))) {
        fprintf(stderr, "%s: %s\n", config, err.msg);
        return 1;
    }
    const vg_yaml_node *root = cfg ? vg_yaml_root(cfg) : NULL;
    double *t = calloc((size_t)n, sizeof *t);
    vg_phish_engine *eng;
    /* once to warm the disk cache, ICU's and libpsl's data */
    if (vg_phish_engine_new(&eng, root, &err) != VG_OK) {
        fprintf(stderr, "engine: %s\n", err.msg);
        return 1;
    }
    vg_phish_engine_free(eng);
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        if (vg_phish_engine_new(&eng, root, &err) != VG_OK) {
            fprintf(stderr, "engine: %s\n", err.msg);
            return 1;
        }
        vg_phish_engine_free(eng);
        t[i] = now_ms() - t0;
    }
    report("new+free", t, n);
    vg_phish_engine *proto;
    if (vg_phish_engine_new(&proto, root, &err) != VG_OK)
        return 1;
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        if (vg_phish_engine_new_sibling(&eng, proto, &err) != VG_OK) {
            fprintf(stderr, "sibling: %s\n", err.msg);
            return 1;
        }
        vg_phish_engine_free(eng);
        t[i] = now_ms() - t0;
    }
    report("sibling", t, n);
    vg_phish_engine_free(proto);
    free(t);
    vg_yaml_free(cfg);
    return 0;
}
