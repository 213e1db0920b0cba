/* demo.c — vg_demo_generate: builds the world from (seed, days), plans the
 * three campaigns and the benign traps, makes the sign-ins, mail and sshd
 * log, and writes everything plus vigil.yaml, the STIX bundle and truth.json
 * into the output directory (see include/vigil/demo.h). */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "demo/demo_int.h"

static void progress(const vg_demo_opts *o, double f, const char *what)
{
    if (o->progress)
        o->progress(f, what, o->ud);
}

/* A directory holding another scenario is refused: two scenarios in one
 * database would mix their findings. */
static vg_err check_existing(const vg_demo_opts *o, vg_error *e)
{
    char *path = dm_printf("%s/truth.json", o->out_dir);
    json_error_t je;
    json_t *t = json_load_file(path, 0, &je);
    vg_err rc = VG_OK;
    if (t) {
        json_t *seed = json_object_get(t, "seed"), *days = json_object_get(t, "days");
        if (json_is_integer(seed) && json_is_integer(days) &&
            ((uint64_t)json_integer_value(seed) != o->seed || json_integer_value(days) != o->days))
            rc =
                vg_error_set(e, VG_EINVAL,
                             "%s holds the demo for seed %lld over %lld days; choose another --out "
                             "or remove it",
                             o->out_dir, (long long)json_integer_value(seed),
                             (long long)json_integer_value(days));
        json_decref(t);
    }
    free(path);
    return rc;
}

static void set_mtime(const char *path, int64_t ms)
{
    struct timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = (time_t)(ms / 1000);
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    utimensat(AT_FDCWD, path, ts, 0);
}

vg_err vg_demo_generate(const vg_demo_opts *o, vg_demo_result *out, vg_error *e)
{
    memset(out, 0, sizeof *out);
    if (!o || o->version != VG_DEMO_OPTS_VERSION || !o->out_dir || !*o->out_dir)
        return vg_error_set(e, VG_EINVAL, "demo: bad options (version or out_dir)");
    if (o->days < VG_DEMO_MIN_DAYS || o->days > VG_DEMO_MAX_DAYS)
        return vg_error_set(e, VG_EINVAL, "demo: --days must be %d to %d, not %d", VG_DEMO_MIN_DAYS,
                            VG_DEMO_MAX_DAYS, o->days);
    vg_err rc = vg_mkdir_p(o->out_dir, e);
    if (rc)
        return rc;
    rc = check_existing(o, e);
    if (rc)
        return rc;

    dm_world *w = vg_xcalloc(1, sizeof *w);
    progress(o, 0.0, "building the world");
    dm_world_build(w, o->seed, o->days);
    w->out = o->out_dir;
    dm_plan(w);
    progress(o, 0.1, "sign-ins");
    dm_signins_generate(w);
    progress(o, 0.3, "mail");
    dm_mail_generate(w);
    progress(o, 0.4, "writing sign-ins");
    rc = dm_signins_write(w, e);
    if (!rc) {
        progress(o, 0.75, "writing mail");
        rc = dm_mail_write(w, e);
    }
    if (!rc) {
        progress(o, 0.85, "writing the sshd log");
        rc = dm_ssh_generate_write(w, e);
    }
    if (!rc)
        rc = dm_write_config(w, e);
    if (!rc)
        rc = dm_write_stix(w, e);
    if (!rc) {
        progress(o, 0.95, "writing truth.json");
        rc = dm_write_truth(w, e);
    }
    if (!rc) {
        /* syslog lines carry no year: the file's time gives it (2020) */
        for (size_t i = 0; i < w->inputs.n; i++)
            if (strncmp(w->inputs.v[i], "sshd/", 5) == 0) {
                char *p = dm_printf("%s/%s", o->out_dir, w->inputs.v[i]);
                set_mtime(p, w->t1);
                free(p);
            }
        out->config_path = dm_printf("%s/vigil.yaml", o->out_dir);
        out->intel_path = dm_printf("%s/intel/demo.stix.json", o->out_dir);
        out->truth_path = dm_printf("%s/truth.json", o->out_dir);
        out->n_inputs = w->inputs.n;
        out->inputs = vg_xcalloc(w->inputs.n ? w->inputs.n : 1, sizeof *out->inputs);
        for (size_t i = 0; i < w->inputs.n; i++)
            out->inputs[i] = dm_printf("%s/%s", o->out_dir, w->inputs.v[i]);
        out->organizations = DM_N_ORGS;
        out->signins = w->n_ev;
        out->messages = w->n_msgs;
        out->ssh_lines = w->ssh_lines;
        out->files_written = w->written;
        out->files_unchanged = w->unchanged;
        out->window_start = w->t0;
        out->window_end = w->t1;
        progress(o, 1.0, "done");
    }
    dm_world_free(w);
    free(w);
    return rc;
}

void vg_demo_result_free(vg_demo_result *r)
{
    if (!r)
        return;
    free(r->config_path);
    free(r->intel_path);
    free(r->truth_path);
    for (size_t i = 0; i < r->n_inputs; i++)
        free(r->inputs[i]);
    free(r->inputs);
    memset(r, 0, sizeof *r);
}
