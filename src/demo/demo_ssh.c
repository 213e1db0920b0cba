/* demo_ssh.c — the sshd log (RFC 3164 syslog, UTC, as /var/log/auth.log) of
 * one organization's internet-facing SFTP host for trial data: admins with
 * keys, a partner CRO uploading with a password, a backup job whose password
 * was changed under it (a stale credential), and the background brute force
 * every internet-facing sshd sees from scanners (real, unattributed). */
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define DAY 86400000LL
#define HOUR 3600000LL
#define MIN 60000LL
#define SEC 1000LL

typedef struct sline {
    int64_t t;
    uint32_t seq;
    uint32_t conn; /* connection: its sshd process id is given in time order */
    char *text;    /* after "host sshd[pid]: " */
} sline;

typedef struct slog {
    sline *v;
    size_t n, cap;
    unsigned conns;
} slog;

static void sl_add(slog *l, int64_t t, unsigned conn, char *owned)
{
    l->v = vg_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n] = (sline){t, (uint32_t)l->n, conn, owned};
    l->n++;
}

static int cmp_sline(const void *a, const void *b)
{
    const sline *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static void fingerprint(dm_rng *r, char out[48])
{
    uint8_t h[32];
    for (int i = 0; i < 32; i++)
        h[i] = (uint8_t)dm_next(r);
    vg_buf b;
    vg_buf_init(&b, 0);
    dm_b64(&b, h, 32, 0);
    snprintf(out, 48, "%.43s", vg_buf_cstr(&b));
    vg_buf_free(&b);
}

static void session(slog *l, dm_rng *r, int64_t t, const char *user, const char *ip, bool key,
                    const char *fp, int64_t dur)
{
    unsigned pid = l->conns++;
    int port = dm_range(r, 32768, 60999);
    if (key)
        sl_add(l, t, pid,
               dm_printf("Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s", user,
                         ip, port, fp));
    else
        sl_add(l, t, pid,
               dm_printf("Accepted password for %s from %s port %d ssh2", user, ip, port));
    sl_add(l, t, pid,
           dm_printf("pam_unix(sshd:session): session opened for user %s by (uid=0)", user));
    if (!key)
        sl_add(l, t + SEC, pid, dm_printf("subsystem request for sftp by user %s", user));
    sl_add(l, t + dur, pid,
           dm_printf("Received disconnect from %s port %d:11: disconnected by user", ip, port));
    sl_add(l, t + dur, pid, dm_printf("Disconnected from user %s %s port %d", user, ip, port));
    sl_add(l, t + dur, pid, dm_printf("pam_unix(sshd:session): session closed for user %s", user));
}

static void noise_burst(dm_world *w, slog *l, dm_rng *r, uint32_t ipi, int64_t t)
{
    static const char *const users[] = {"admin",   "test",    "oracle",  "postgres", "ubuntu",
                                        "user",    "git",     "ftpuser", "pi",       "guest",
                                        "support", "deploy",  "hadoop",  "mysql",    "www-data",
                                        "jenkins", "ansible", "centos",  "ec2-user", "nagios"};
    const char *ip = w->ips[ipi].addr;
    int n = dm_range(r, 25, 260);
    double gap = dm_range(r, 2, 20);
    for (int i = 0; i < n && t < w->t1; i++) {
        unsigned pid = l->conns++;
        int port = dm_range(r, 32768, 60999);
        bool root = dm_chance(r, 0.35);
        if (root) {
            sl_add(l, t, pid,
                   dm_printf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                             "tty=ssh ruser= rhost=%s  user=root",
                             ip));
            sl_add(l, t + 2 * SEC, pid,
                   dm_printf("Failed password for root from %s port %d ssh2", ip, port));
            if (dm_chance(r, 0.3)) {
                sl_add(l, t + 5 * SEC, pid,
                       dm_printf("message repeated 2 times: [ Failed password for root from %s "
                                 "port %d ssh2]",
                                 ip, port));
                sl_add(l, t + 6 * SEC, pid,
                       dm_printf("error: maximum authentication attempts exceeded for root from %s "
                                 "port %d ssh2 [preauth]",
                                 ip, port));
                sl_add(l, t + 6 * SEC, pid,
                       dm_printf("Disconnecting authenticating user root %s port %d: Too many "
                                 "authentication failures "
                                 "[preauth]",
                                 ip, port));
            } else {
                sl_add(l, t + 3 * SEC, pid,
                       dm_printf("Received disconnect from %s port %d:11: Bye Bye [preauth]", ip,
                                 port));
            }
        } else {
            const char *u = DM_PICK(r, users);
            sl_add(l, t, pid, dm_printf("Invalid user %s from %s port %d", u, ip, port));
            sl_add(l, t, pid, dm_printf("pam_unix(sshd:auth): check pass; user unknown"));
            sl_add(l, t, pid,
                   dm_printf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                             "tty=ssh ruser= rhost=%s",
                             ip));
            sl_add(
                l, t + 2 * SEC, pid,
                dm_printf("Failed password for invalid user %s from %s port %d ssh2", u, ip, port));
            sl_add(l, t + 3 * SEC, pid,
                   dm_printf("Connection closed by invalid user %s %s port %d [preauth]", u, ip,
                             port));
        }
        t += (int64_t)(dm_expo(r, gap) * SEC) + SEC;
    }
}

vg_err dm_ssh_generate_write(dm_world *w, vg_error *e)
{
    int oi = -1;
    for (int i = 0; i < DM_N_ORGS; i++)
        if (w->org[i].host[0])
            oi = i;
    if (oi < 0)
        return VG_OK;
    dm_org *o = &w->org[oi];
    dm_rng r;
    dm_rng_fork(&w->root, "sshd", &r);
    slog l = {0};
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strchr(o->host, '.') - o->host), o->host);

    /* two admins with keys, from the office or home */
    for (int a = 0; a < 2; a++) {
        int32_t u;
        do
            u = (int32_t)(o->first_user + dm_below(&r, (uint32_t)o->n_users));
        while (w->users[u].flags & DM_U_SERVICE);
        char user[64], fp[48];
        char ln[48];
        dm_slug(w->users[u].last, ln, sizeof ln);
        snprintf(user, sizeof user, "%c%s", w->users[u].upn[0], ln);
        fingerprint(&r, fp);
        for (int d = 0; d < w->days; d++) {
            if (!dm_chance(&r, 0.6))
                continue;
            int64_t t = dm_local_midnight(w, oi, d) + (int64_t)((8 + 9 * dm_unit(&r)) * HOUR);
            uint32_t ip = dm_chance(&r, 0.5) ? o->egress : w->users[u].home_ip;
            session(&l, &r, t, user, w->ips[ip].addr, true, fp, dm_range(&r, 60, 3600) * SEC);
        }
    }
    /* the partner CRO uploads once or twice a day */
    uint32_t partner = dm_ip_new(w, &r, DM_IP_PARTNER, NULL);
    for (int d = 0; d < w->days; d++) {
        int k = dm_range(&r, 1, 2);
        for (int i = 0; i < k; i++) {
            int64_t t = w->t0 + d * DAY + (int64_t)((1 + 22 * dm_unit(&r)) * HOUR);
            session(&l, &r, t, "partner-xfer", w->ips[partner].addr, false, NULL,
                    dm_range(&r, 20, 600) * SEC);
        }
    }
    /* hourly backup job; its password changes on the server mid-window */
    char backup_host[VG_IP_STRLEN];
    snprintf(backup_host, sizeof backup_host, "%s",
             w->ips[dm_ip_new(w, &r, DM_IP_INTERNAL, NULL)].addr);
    int64_t change = w->t0 +
                     dm_range(&r, w->days / 3 > 1 ? w->days / 3 : 1, w->days * 2 / 3) * DAY +
                     dm_range(&r, 9, 17) * HOUR + dm_range(&r, 0, 59) * MIN;
    int minute = dm_range(&r, 0, 59);
    for (int64_t t = w->t0 + minute * MIN; t < w->t1; t += HOUR) {
        int64_t at = t + dm_range(&r, 1, 4) * SEC;
        if (at < change) {
            session(&l, &r, at, "backup", backup_host, false, NULL, dm_range(&r, 30, 300) * SEC);
        } else {
            unsigned pid = l.conns++;
            int port = dm_range(&r, 32768, 60999);
            sl_add(&l, at, pid,
                   dm_printf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                             "tty=ssh ruser= rhost=%s  user=backup",
                             backup_host));
            sl_add(&l, at + 2 * SEC, pid,
                   dm_printf("Failed password for backup from %s port %d ssh2", backup_host, port));
            sl_add(&l, at + 2 * SEC, pid,
                   dm_printf("Connection closed by authenticating user backup %s port %d [preauth]",
                             backup_host, port));
        }
    }
    char note[256];
    snprintf(note, sizeof note,
             "an hourly backup job on %s keeps using the password changed on the SFTP "
             "host; it always succeeded from there before",
             backup_host);
    dm_fact *stale = dm_fact_new(w, "stale_sshd_account", oi, note);
    dm_list_addc(&stale->accounts, "backup");
    dm_list_addc(&stale->ips, backup_host);
    dm_list_addc(&stale->allowed, "cred.stale_credentials");
    dm_fact *pf = dm_fact_new(w, "sshd_partner_and_admins", oi,
                              "a partner uploads with a password and admins log in with keys");
    dm_list_addc(&pf->ips, w->ips[partner].addr);
    dm_list_addc(&pf->accounts, "partner-xfer");

    /* internet background: scanners guessing passwords (not one of the three actors) */
    dm_fact *nf = dm_fact_new(w, "internet_noise", oi,
                              "internet-wide SSH password guessing that every exposed host sees; "
                              "real brute force, attributed to nobody");
    dm_list_addc(&nf->allowed, "cred.bruteforce");
    dm_list_addc(&nf->allowed, "cred.spray");
    dm_list_addc(&nf->allowed, "cred.stuffing");
    int sources = dm_range(&r, 6, 10) * w->days / 14 + 2;
    for (int i = 0; i < sources; i++) {
        uint32_t ip = dm_ip_new(w, &r, DM_IP_NOISE, NULL);
        dm_list_addc(&nf->ips, w->ips[ip].addr);
        noise_burst(w, &l, &r, ip, w->t0 + (int64_t)(dm_unit(&r) * (double)(w->t1 - w->t0 - HOUR)));
    }

    qsort(l.v, l.n, sizeof *l.v, cmp_sline);
    /* process ids grow with time, as the kernel hands them out */
    unsigned *pid = vg_xcalloc(l.conns ? l.conns : 1, sizeof *pid);
    unsigned next = (unsigned)dm_range(&r, 1000, 30000);
    vg_buf out;
    vg_buf_init(&out, 0);
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t i = 0; i < l.n; i++) {
        vg_tm tm;
        vg_time_to_civil(l.v[i].t, &tm);
        if (!pid[l.v[i].conn]) {
            next += (unsigned)dm_range(&r, 1, 60);
            pid[l.v[i].conn] = next;
        }
        if (l.v[i].t < w->t1)
            vg_buf_printf(&out, "%s %2d %02d:%02d:%02d %s sshd[%u]: %s\n", mon[tm.month - 1],
                          tm.day, tm.hour, tm.min, tm.sec, host, pid[l.v[i].conn], l.v[i].text);
        free(l.v[i].text);
    }
    free(pid);
    free(l.v);
    w->ssh_lines = 0;
    for (size_t i = 0; i < out.n; i++)
        w->ssh_lines += out.p[i] == '\n';
    char rel[160];
    snprintf(rel, sizeof rel, "sshd/%s.auth.log", host);
    vg_err rc = dm_write_file(w, rel, out.p ? out.p : "", out.n, e);
    vg_buf_free(&out);
    if (rc)
        return rc;
    dm_list_addc(&w->inputs, rel);
    return VG_OK;
}
