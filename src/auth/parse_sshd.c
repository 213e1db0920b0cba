/* parse_sshd.c — sshd authentication from syslog and the journal.
 *
 * Line forms (the syslog header is parsed here, the message below):
 *   RFC 3164   "Nov 13 10:00:00 host sshd[123]: msg"  (year from --year or the
 *              file's mtime; a month that goes back from Dec to Jan is the next year)
 *   RFC 5424   "<38>1 2020-11-13T10:00:00.1Z host sshd 123 - - msg"
 *   journal    short-iso "2020-11-13T10:00:00+0000 host sshd[123]: msg",
 *              short-precise, short-full, `-o json` (see parse_json.c) and
 *              `-o export` (KEY=VALUE blocks; assembled in auth_source.c)
 *
 * One authentication attempt is often several lines of one sshd process:
 *
 *   Invalid user webmaster from 173.234.31.186                 <- pending (no_such_user)
 *   input_userauth_request: invalid user webmaster [preauth]   <- merged
 *   pam_unix(sshd:auth): check pass; user unknown              <- merged
 *   pam_unix(sshd:auth): authentication failure; ... rhost=..  <- PAM count 1
 *   Failed password for invalid user webmaster from ... ssh2   <- the attempt (emitted)
 *   Connection closed by 173.234.31.186 [preauth]              <- end of connection
 *
 * So state is kept per (host, pid): an "Invalid user" line or a PAM failure
 * waits for the "Failed ..." line that names the same attempt; what is left
 * when the connection ends (or after 10 minutes of log time) becomes an
 * attempt of its own. "message repeated N times: [ Failed ...]" is N
 * attempts; "PAM N more authentication failures" summarizes failures that
 * "Failed" lines already counted, and only the part they did not count is
 * added. A connection that ends "authenticating user X" with nothing counted
 * (password auth off, keys probed) is one failed attempt on X.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_internal.h"

#define MAX_CONNS 4096
#define CONN_IDLE_MS (10 * 60 * 1000)
#define CLOSED_GRACE_MS (5 * 1000)
#define SCAN_EVERY_MS (10 * 1000) /* look for finished connections at most this often */

typedef struct conn {
    char host[64];
    int64_t pid;
    int64_t first_ms, last_ms, line;
    char user[128];
    char rhost[128];  /* PAM rhost as logged (address or name) */
    vg_ip ip;
    bool invalid;     /* "Invalid user" seen */
    bool invalid_pending; /* ... and not yet matched by a Failed line */
    bool authenticating; /* a "for user/authenticating user" disconnect names the user */
    int64_t n_failed; /* attempts emitted from Failed lines */
    int64_t n_pam;    /* failures PAM reported */
    bool pam_unknown; /* PAM said "user unknown" */
    bool used;
    bool closed;      /* the connection ended; kept briefly for PAM's summary line */
    int64_t closed_ms;
} conn;

struct auth_sshd {
    conn *conns;
    size_t n, cap;
    size_t n_closed;
    int64_t last_scan; /* log time of the last look for finished connections */
    int64_t next_due;  /* no connection is due before this (a lower bound) */
    int year_state;   /* year of the previous RFC 3164 line (0 = not yet) */
    int last_month;
};

auth_sshd *vg_auth__sshd_new(void) { return vg_xcalloc(1, sizeof(auth_sshd)); }

void vg_auth__sshd_free(auth_sshd *s)
{
    if (!s)
        return;
    free(s->conns);
    free(s);
}

/* ---- small scanners ---------------------------------------------------------------- */

static bool eat(vg_str *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->n < n || memcmp(s->p, lit, n) != 0)
        return false;
    s->p += n;
    s->n -= n;
    return true;
}

static vg_str word(vg_str *s)
{
    size_t i = 0;
    while (i < s->n && s->p[i] != ' ')
        i++;
    vg_str w = vg_str_make(s->p, i);
    while (i < s->n && s->p[i] == ' ')
        i++;
    s->p += i;
    s->n -= i;
    return w;
}

static ptrdiff_t find(vg_str s, const char *lit) { return vg_str_find(s, vg_str_from(lit)); }

static void copy(char *dst, size_t cap, vg_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* ---- connections ---------------------------------------------------------------------- */

static conn *get_conn(auth_sshd *st, const char *host, int64_t pid, bool create)
{
    for (size_t i = st->n; i-- > 0;)
        if (st->conns[i].used && st->conns[i].pid == pid && strcmp(st->conns[i].host, host) == 0)
            return &st->conns[i];
    if (!create)
        return NULL;
    if (st->n == MAX_CONNS) { /* compact: drop unused slots */
        size_t k = 0;
        for (size_t i = 0; i < st->n; i++)
            if (st->conns[i].used)
                st->conns[k++] = st->conns[i];
        st->n = k;
        if (st->n == MAX_CONNS)
            return NULL;
    }
    if (st->n == st->cap)
        st->conns = vg_xgrow(st->conns, &st->cap, st->n + 1, sizeof *st->conns);
    conn *c = &st->conns[st->n++];
    memset(c, 0, sizeof *c);
    copy(c->host, sizeof c->host, vg_str_from(host));
    c->pid = pid;
    c->used = true;
    return c;
}

static void conn_event(auth_ctx *c, const conn *k, vg_auth_event *ev, int64_t t, int64_t line)
{
    vg_auth__event_init(c, ev, VG_AUTH_FMT_SSHD);
    ev->time_ms = t;
    ev->line = line;
    ev->host = vg_auth__lower(c->a, vg_str_from(k->host));
    ev->app = "sshd";
    ev->proto = VG_PROTO_SSH;
    ev->interactive = 1;
}

/* Emits what a connection still owes and forgets it. */
static void close_conn(auth_ctx *c, auth_sshd *st, conn *k)
{
    if (!k->used)
        return;
    int64_t extra = 0;
    const char *code = NULL;
    vg_auth_result r = VG_AUTH_BAD_PASSWORD;
    if (k->n_pam > k->n_failed) {
        extra = k->n_pam - k->n_failed;
        code = "pam_authentication_failure";
        if (k->invalid || k->pam_unknown)
            r = VG_AUTH_NO_SUCH_USER;
    } else if (k->invalid_pending) {
        extra = 1;
        code = "invalid_user";
        r = VG_AUTH_NO_SUCH_USER;
    } else if (k->authenticating && k->n_failed == 0) {
        extra = 1;
        code = "preauth_disconnect";
    }
    if (k->closed && st->n_closed)
        st->n_closed--;
    if (extra > 0 && k->user[0]) {
        vg_auth_event ev;
        conn_event(c, k, &ev, k->first_ms, k->line);
        vg_auth__set_account(c, &ev, vg_str_from(k->user), ev.host);
        ev.ip = k->ip;
        if (!k->ip.family && k->rhost[0])
            ev.source_host = vg_auth__lower(c->a, vg_str_from(k->rhost));
        ev.result = r;
        ev.code = code;
        ev.repeat = (uint32_t)(extra > 1000000 ? 1000000 : extra);
        int64_t saved = c->line;
        vg_auth__emit(c, &ev);
        c->line = saved;
    }
    k->used = false;
}

void vg_auth__sshd_flush(auth_ctx *c, auth_sshd *st, int64_t before)
{
    for (size_t i = 0; i < st->n; i++) {
        conn *k = &st->conns[i];
        if (k->used && (before == INT64_MAX || k->last_ms < before))
            close_conn(c, st, k);
    }
    st->n_closed = 0;
    size_t k = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->conns[i].used)
            st->conns[k++] = st->conns[i];
    st->n = k;
}

static void finish_closed(auth_ctx *c, auth_sshd *st, int64_t before)
{
    for (size_t i = 0; i < st->n; i++) {
        conn *k = &st->conns[i];
        if (k->used && k->closed && k->closed_ms < before)
            close_conn(c, st, k);
    }
    size_t j = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->conns[i].used)
            st->conns[j++] = st->conns[i];
    st->n = j;
}

/* "for [invalid user ]USER from IP port N ssh2" after the method. */
static bool parse_for_from(vg_str s, vg_str *user, vg_str *ip, bool *invalid)
{
    if (!eat(&s, "for "))
        return false;
    *invalid = eat(&s, "invalid user ") || eat(&s, "illegal user ");
    ptrdiff_t from = find(s, " from ");
    if (from < 0)
        return false;
    /* the user name may contain spaces; " from " last occurrence before the address */
    ptrdiff_t last = from;
    for (;;) {
        vg_str rest = vg_str_sub(s, (size_t)last + 6, SIZE_MAX);
        ptrdiff_t nx = find(rest, " from ");
        if (nx < 0)
            break;
        last += 6 + nx;
    }
    *user = vg_str_sub(s, 0, (size_t)last);
    vg_str r = vg_str_sub(s, (size_t)last + 6, SIZE_MAX);
    *ip = word(&r);
    return user->n > 0;
}

static vg_str kv(vg_str s, const char *key)
{
    ptrdiff_t i = find(s, key);
    if (i < 0)
        return VG_STR_NULL;
    vg_str r = vg_str_sub(s, (size_t)i + strlen(key), SIZE_MAX);
    size_t n = 0;
    while (n < r.n && r.p[n] != ' ' && r.p[n] != ';')
        n++;
    return vg_str_make(r.p, n);
}

static void set_ip_or_host(auth_ctx *c, conn *k, vg_str who)
{
    who = vg_str_trim(who);
    if (!who.n)
        return;
    vg_ip ip;
    if (vg_auth__parse_ip(who, &ip))
        k->ip = ip;
    else if (!k->ip.family)
        copy(k->rhost, sizeof k->rhost, who);
    (void)c;
}

static void emit_failed(auth_ctx *c, auth_sshd *st, conn *k, int64_t t, vg_str method, vg_str user,
                        vg_str ipv, bool invalid, uint32_t repeat)
{
    (void)st;
    vg_auth_event ev;
    conn_event(c, k, &ev, t, c->line);
    vg_auth__set_account(c, &ev, user, ev.host);
    if (!vg_auth__parse_ip(ipv, &ev.ip)) {
        vg_auth__reject(c, "invalid IP address '%.*s' in sshd message",
                        (int)(ipv.n > 64 ? 64 : ipv.n), ipv.p);
        return;
    }
    ev.result = invalid ? VG_AUTH_NO_SUCH_USER : VG_AUTH_BAD_PASSWORD;
    ev.code = vg_arena_printf(c->a, "Failed %.*s", (int)method.n, method.p);
    ev.repeat = repeat ? repeat : 1;
    k->n_failed += ev.repeat;
    k->invalid_pending = false;
    if (!k->first_ms)
        k->first_ms = t;
    copy(k->user, sizeof k->user, user);
    k->ip = ev.ip;
    vg_auth__emit(c, &ev);
}

/* Does this message start or feed an attempt (so its connection must be followed)? */
static bool carries_state(vg_str m)
{
    static const char *const pre[] = {
        "Accepted ", "Failed ", "Invalid user ", "Illegal user ", "User ",
        "pam_unix(sshd:auth): authentication failure", "authentication failure;", "PAM ", "PAM:",
        "maximum authentication attempts", "Disconnecting: Too many",
        "Connection closed by authenticating user", "Connection closed by invalid user",
        "Disconnected from authenticating user", "Disconnected from invalid user",
        "Disconnecting authenticating user", "Disconnecting invalid user",
        "Connection reset by authenticating user", "Connection reset by invalid user", NULL};
    (void)eat(&m, "error: ");
    if (m.n && m.p[0] >= '0' && m.p[0] <= '9')
        return true; /* pam_unix's own "N more authentication failures" */
    for (size_t i = 0; pre[i]; i++)
        if (vg_str_starts_with(m, vg_str_from(pre[i])))
            return true;
    return false;
}

void vg_auth__sshd_message(auth_ctx *c, auth_sshd *st, int64_t t, const char *host, int64_t pid,
                           vg_str msg)
{
    msg = vg_str_trim(msg);
    uint32_t repeat = 1;
    /* rsyslog: "message repeated 5 times: [ Failed password for root from ... ssh2]" */
    if (eat(&msg, "message repeated ")) {
        vg_str n = word(&msg);
        int64_t v;
        if (!vg_str_to_i64(n, &v) || v < 1 || !eat(&msg, "times: [")) {
            vg_auth__ignore(c);
            return;
        }
        repeat = (uint32_t)(v > 1000000 ? 1000000 : v);
        msg = vg_str_trim(msg);
        if (msg.n && msg.p[msg.n - 1] == ']')
            msg.n--;
        msg = vg_str_trim(msg);
    }
    conn *k = get_conn(st, host, pid, false);
    if (k && k->closed && !vg_str_starts_with(msg, VG_STR("PAM ")) &&
        !(msg.n && msg.p[0] >= '0' && msg.p[0] <= '9')) {
        close_conn(c, st, k); /* the pid was reused: a new connection */
        k = NULL;
    }
    if (!k) {
        if (!carries_state(msg)) {
            /* session, disconnect and banner lines of a connection we do not follow */
            if (find(msg, "check pass; user unknown") >= 0)
                vg_auth__merged(c);
            else
                vg_auth__ignore(c);
            return;
        }
        k = get_conn(st, host, pid, true);
        if (!k) {
            vg_auth__reject(c, "too many concurrent sshd connections tracked");
            return;
        }
    }
    if (!k->first_ms) {
        k->first_ms = t;
        k->line = c->line;
        if (t + CONN_IDLE_MS < st->next_due || !st->next_due)
            st->next_due = t + CONN_IDLE_MS;
    }
    k->last_ms = t;

    vg_str m = msg;
    (void)eat(&m, "error: ");
    if (eat(&m, "Accepted ")) {
        vg_str method = word(&m);
        vg_str user, ipv;
        bool inv;
        if (!parse_for_from(m, &user, &ipv, &inv)) {
            vg_auth__reject(c, "unrecognized sshd Accepted line");
            return;
        }
        vg_auth_event ev;
        conn_event(c, k, &ev, t, c->line);
        vg_auth__set_account(c, &ev, user, ev.host);
        if (!vg_auth__parse_ip(ipv, &ev.ip)) {
            vg_auth__reject(c, "invalid IP address '%.*s' in sshd message",
                            (int)(ipv.n > 64 ? 64 : ipv.n), ipv.p);
            return;
        }
        ev.result = VG_AUTH_SUCCESS;
        ev.code = vg_arena_printf(c->a, "Accepted %.*s", (int)method.n, method.p);
        k->invalid_pending = false;
        k->n_pam = k->n_failed; /* nothing more owed */
        k->authenticating = false;
        vg_auth__emit(c, &ev);
        close_conn(c, st, k); /* authenticated: nothing more to assemble */
        return;
    }
    if (eat(&m, "Failed ")) {
        vg_str method = word(&m);
        if (vg_str_eq_cstr(method, "none") || vg_str_eq_cstr(method, "publickey") ||
            vg_str_eq_cstr(method, "hostbased")) {
            /* probes, not password guesses; the connection still counts if it ends here */
            vg_str user, ipv;
            bool inv;
            if (parse_for_from(m, &user, &ipv, &inv)) {
                copy(k->user, sizeof k->user, user);
                set_ip_or_host(c, k, ipv);
                k->authenticating = true;
                if (inv)
                    k->invalid = true;
            }
            vg_auth__merged(c);
            return;
        }
        vg_str user, ipv;
        bool inv;
        if (!parse_for_from(m, &user, &ipv, &inv)) {
            vg_auth__reject(c, "unrecognized sshd Failed line");
            return;
        }
        emit_failed(c, st, k, t, method, user, ipv, inv || k->invalid, repeat);
        return;
    }
    if (eat(&m, "Invalid user ") || eat(&m, "Illegal user ")) {
        /* "Invalid user NAME from IP[ port N]" (the name may be empty or hold spaces) */
        ptrdiff_t from = find(m, " from ");
        vg_str user = from >= 0 ? vg_str_sub(m, 0, (size_t)from) : m;
        if (from >= 0) {
            vg_str r = vg_str_sub(m, (size_t)from + 6, SIZE_MAX);
            set_ip_or_host(c, k, word(&r));
        }
        copy(k->user, sizeof k->user, user);
        k->invalid = true;
        k->invalid_pending = user.n > 0;
        vg_auth__merged(c);
        return;
    }
    if (eat(&m, "User ") && find(m, " not allowed because ") >= 0) {
        ptrdiff_t from = find(m, " from ");
        if (from >= 0) {
            copy(k->user, sizeof k->user, vg_str_sub(m, 0, (size_t)from));
            vg_str r = vg_str_sub(m, (size_t)from + 6, SIZE_MAX);
            set_ip_or_host(c, k, word(&r));
            k->invalid = true;
            k->invalid_pending = true;
        }
        vg_auth__merged(c);
        return;
    }
    m = msg;
    if (eat(&m, "pam_unix(sshd:auth): authentication failure;") ||
        eat(&m, "authentication failure;")) {
        vg_str rh = kv(m, "rhost=");
        vg_str us = kv(m, " user=");
        set_ip_or_host(c, k, rh);
        if (us.n && !k->user[0])
            copy(k->user, sizeof k->user, us);
        k->n_pam++;
        vg_auth__merged(c);
        return;
    }
    (void)eat(&m, "PAM "); /* sshd writes "PAM N more ...", pam_unix itself "N more ..." */
    if (m.n && m.p[0] >= '0' && m.p[0] <= '9' && find(m, " more authentication failure") >= 0) {
        vg_str n = word(&m);
        int64_t v;
        if (vg_str_to_i64(n, &v) && v > 0) {
            int64_t before = k->n_pam > 0 ? k->n_pam : 1;
            if (k->n_pam < before + v)
                k->n_pam = before + v;
        }
        vg_str rh = kv(m, "rhost=");
        vg_str us = kv(m, " user=");
        set_ip_or_host(c, k, rh);
        if (us.n && !k->user[0])
            copy(k->user, sizeof k->user, us);
        vg_auth__merged(c);
        return;
    }
    if (find(m, "check pass; user unknown") >= 0) {
        k->pam_unknown = true;
        vg_auth__merged(c);
        return;
    }
    m = msg;
    (void)eat(&m, "error: ");
    if (eat(&m, "PAM: ")) {
        /* "PAM: Authentication failure for [illegal user ]X from HOST",
         * "PAM: User not known to the underlying authentication module for illegal user X from HOST" */
        bool unknown = find(m, "User not known") >= 0;
        bool failure = unknown || find(m, "Authentication failure") >= 0;
        ptrdiff_t f = find(m, " for ");
        if (failure && f >= 0) {
            vg_str r = vg_str_sub(m, (size_t)f + 5, SIZE_MAX);
            bool inv = eat(&r, "illegal user ") || eat(&r, "invalid user ");
            ptrdiff_t from = find(r, " from ");
            if (from >= 0) {
                copy(k->user, sizeof k->user, vg_str_sub(r, 0, (size_t)from));
                vg_str h = vg_str_sub(r, (size_t)from + 6, SIZE_MAX);
                set_ip_or_host(c, k, word(&h));
            }
            if (inv || unknown) {
                k->invalid = true;
                k->pam_unknown = true;
            }
            k->n_pam++;
            vg_auth__merged(c);
            return;
        }
        vg_auth__ignore(c);
        return;
    }
    if (eat(&m, "maximum authentication attempts exceeded for ") ||
        eat(&m, "Disconnecting: Too many authentication failures for ")) {
        bool inv = eat(&m, "invalid user ");
        ptrdiff_t from = find(m, " from ");
        vg_str user = from >= 0 ? vg_str_sub(m, 0, (size_t)from) : word(&m);
        if (user.n && user.p[user.n - 1] == ']') /* "for root [preauth]" */
            user = vg_str_trim(vg_str_sub(user, 0, (size_t)(vg_str_rchr(user, '[') > 0
                                                                  ? vg_str_rchr(user, '[')
                                                                  : (ptrdiff_t)user.n)));
        if (from >= 0) {
            vg_str r = vg_str_sub(m, (size_t)from + 6, SIZE_MAX);
            set_ip_or_host(c, k, word(&r));
        }
        if (!k->user[0])
            copy(k->user, sizeof k->user, user);
        if (inv)
            k->invalid = true;
        k->authenticating = true;
        vg_auth__merged(c);
        return;
    }
    /* end of a connection */
    bool end = false;
    if (eat(&m, "Connection closed by ") || eat(&m, "Disconnected from ") ||
        eat(&m, "Connection reset by ") || eat(&m, "Received disconnect from ") ||
        eat(&m, "Disconnecting ")) {
        end = true;
        bool authu = eat(&m, "authenticating user ");
        bool invu = !authu && (eat(&m, "invalid user ") || eat(&m, "user "));
        if (authu || invu) {
            /* "USER IP port N [preauth]" */
            vg_str rest = m;
            vg_str user = word(&rest);
            vg_str ipv = word(&rest);
            vg_ip tmp;
            if (vg_auth__parse_ip(ipv, &tmp)) {
                if (!k->user[0])
                    copy(k->user, sizeof k->user, user);
                k->ip = tmp;
                if (invu) {
                    k->invalid = true;
                    if (k->n_failed == 0 && k->n_pam == 0)
                        k->invalid_pending = true;
                } else {
                    k->authenticating = true;
                }
            }
        } else {
            vg_str rest = m;
            set_ip_or_host(c, k, word(&rest));
        }
    } else if (find(msg, "session closed for user") >= 0 || eat(&m, "fatal: ") ||
               eat(&m, "Timeout, client not responding")) {
        end = true;
    }
    if (end) {
        vg_auth__ignore(c);
        if (!k->closed) {
            k->closed = true;
            k->closed_ms = t;
            st->n_closed++;
            if (t + CLOSED_GRACE_MS < st->next_due)
                st->next_due = t + CLOSED_GRACE_MS;
        }
        return;
    }
    vg_auth__ignore(c);
}

/* ---- syslog headers ----------------------------------------------------------------- */

static int month_of(vg_str s)
{
    static const char *const m[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.n < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(s.p, m[i], 3) == 0)
            return i + 1;
    return 0;
}

/* Year of an RFC 3164 stamp: the configured year, or the file's mtime year
 * (a stamp later in the year than the mtime is from the year before); then
 * Dec -> Jan moves to the next year. */
static int year_for(auth_sshd *st, int month, int day, int cfg_year, int64_t ref_ms)
{
    if (!st->year_state) {
        if (cfg_year) {
            st->year_state = cfg_year;
        } else {
            vg_tm tm;
            vg_time_to_civil(ref_ms ? ref_ms : vg_now_ms(), &tm);
            st->year_state = tm.year;
            if (month > tm.month || (month == tm.month && day > tm.day + 1))
                st->year_state = tm.year - 1;
        }
    } else if (st->last_month && month < st->last_month && st->last_month - month >= 6) {
        st->year_state++;
    }
    st->last_month = month;
    return st->year_state;
}

static bool prog_is_sshd(vg_str prog)
{
    return vg_str_starts_with(prog, VG_STR("sshd"));
}

void vg_auth__syslog_line(auth_ctx *c, auth_sshd *st, vg_str line, int cfg_year, int64_t ref_ms)
{
    vg_str s = line;
    /* optional <PRI> */
    if (s.n > 2 && s.p[0] == '<') {
        ptrdiff_t gt = vg_str_chr(vg_str_sub(s, 0, 6), '>');
        if (gt > 1)
            s = vg_str_sub(s, (size_t)gt + 1, SIZE_MAX);
    }
    int64_t t = 0;
    vg_str host, prog = VG_STR_NULL, msg;
    int64_t pid = 0;
    if (s.n > 2 && s.p[0] == '1' && s.p[1] == ' ') {
        /* RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG */
        s = vg_str_sub(s, 2, SIZE_MAX);
        size_t used = 0;
        if (vg_time_parse_syslog5424(s, &t, &used) != VG_OK) {
            vg_auth__reject(c, "bad RFC 5424 timestamp");
            return;
        }
        s = vg_str_sub(s, used, SIZE_MAX);
        s = vg_str_trim(s);
        host = word(&s);
        prog = word(&s);
        vg_str procid = word(&s);
        vg_str_to_i64(procid, &pid);
        word(&s); /* MSGID */
        if (s.n && s.p[0] == '[') { /* structured data: [..][..] */
            size_t i = 0;
            bool inq = false;
            int depth = 0;
            for (; i < s.n; i++) {
                char ch = s.p[i];
                if (inq) {
                    if (ch == '\\')
                        i++;
                    else if (ch == '"')
                        inq = false;
                } else if (ch == '"') {
                    inq = true;
                } else if (ch == '[') {
                    depth++;
                } else if (ch == ']') {
                    depth--;
                    if (depth == 0 && (i + 1 >= s.n || s.p[i + 1] != '['))
                        break;
                }
            }
            s = vg_str_sub(s, i + 1, SIZE_MAX);
        } else {
            word(&s); /* "-" */
        }
        msg = vg_str_trim(s);
        if (msg.n >= 3 && (unsigned char)msg.p[0] == 0xEF && (unsigned char)msg.p[1] == 0xBB &&
            (unsigned char)msg.p[2] == 0xBF)
            msg = vg_str_sub(msg, 3, SIZE_MAX);
        if (vg_str_eq_cstr(prog, "-"))
            prog = VG_STR_NULL;
    } else {
        int month = month_of(s);
        if (month && s.n > 15 && s.p[3] == ' ') {
            int day = 0;
            size_t i = 4;
            while (i < s.n && s.p[i] == ' ')
                i++;
            for (int nd = 0; i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && nd < 2; nd++)
                day = day * 10 + (s.p[i++] - '0');
            int year = year_for(st, month, day, cfg_year, ref_ms);
            size_t used = 0;
            if (vg_time_parse_syslog3164(s, year, 0, &t, &used) != VG_OK) {
                vg_auth__reject(c, "bad syslog timestamp");
                return;
            }
            s = vg_str_sub(s, used, SIZE_MAX);
            if (s.n && s.p[0] == '.') { /* short-precise: fractional seconds */
                size_t k = 1, ms = 0, nd = 0;
                while (k < s.n && s.p[k] >= '0' && s.p[k] <= '9') {
                    if (nd < 3) {
                        ms = ms * 10 + (size_t)(s.p[k] - '0');
                        nd++;
                    }
                    k++;
                }
                while (nd++ < 3)
                    ms *= 10;
                t += (int64_t)ms;
                s = vg_str_sub(s, k, SIZE_MAX);
            }
        } else if (s.n > 20 && s.p[0] >= '0' && s.p[0] <= '9' && s.p[4] == '-') {
            /* journal short-iso: an ISO stamp up to the first space */
            vg_str ts = word(&s);
            if (!vg_auth__parse_time(ts, &t)) {
                vg_auth__reject(c, "bad timestamp '%.*s'", (int)(ts.n > 40 ? 40 : ts.n), ts.p);
                return;
            }
        } else if (s.n > 24 && s.p[3] == ' ' && s.p[4] >= '0' && s.p[4] <= '9' && s.p[8] == '-') {
            /* journal short-full: "Fri 2020-11-13 10:00:00 UTC" */
            word(&s);
            vg_str d = word(&s), tm = word(&s), zone = word(&s);
            char buf[64];
            int l = snprintf(buf, sizeof buf, "%.*sT%.*s", (int)d.n, d.p, (int)tm.n, tm.p);
            if (l <= 0 || (size_t)l >= sizeof buf || !vg_auth__parse_time(vg_str_make(buf, (size_t)l), &t)) {
                vg_auth__reject(c, "bad timestamp");
                return;
            }
            (void)zone; /* journalctl prints the local zone name; taken as UTC */
        } else {
            vg_auth__reject(c, "not a syslog, journal or JSON line");
            return;
        }
        s = vg_str_trim(s);
        host = word(&s);
        /* "prog[pid]:" or "prog:" */
        vg_str tag = s;
        ptrdiff_t colon = vg_str_chr(tag, ':');
        ptrdiff_t sp = vg_str_chr(tag, ' ');
        if (colon < 0 || (sp >= 0 && sp < colon)) {
            /* no tag: "last message repeated", or a host-less line */
            vg_auth__ignore(c);
            return;
        }
        tag = vg_str_sub(s, 0, (size_t)colon);
        msg = vg_str_sub(s, (size_t)colon + 1, SIZE_MAX);
        ptrdiff_t lb = vg_str_rchr(tag, '[');
        if (lb > 0 && tag.p[tag.n - 1] == ']') {
            vg_str_to_i64(vg_str_sub(tag, (size_t)lb + 1, tag.n - (size_t)lb - 2), &pid);
            prog = vg_str_sub(tag, 0, (size_t)lb);
        } else {
            prog = tag;
        }
    }
    if (!prog_is_sshd(prog)) {
        vg_auth__ignore(c);
        return;
    }
    vg_auth__recognized(c, VG_AUTH_FMT_SSHD);
    char hbuf[64];
    copy(hbuf, sizeof hbuf, host);
    /* finish connections that ended a few seconds ago, and time out those that
     * went quiet (LoginGraceTime is 2 minutes by default) */
    if (st->n && ((t >= st->next_due && t - st->last_scan >= SCAN_EVERY_MS) ||
                  t < st->last_scan - CONN_IDLE_MS || st->n >= MAX_CONNS / 2)) {
        st->last_scan = t;
        if (st->n_closed)
            finish_closed(c, st, t - CLOSED_GRACE_MS);
        vg_auth__sshd_flush(c, st, t - CONN_IDLE_MS);
        /* when the next connection can be due */
        int64_t due = INT64_MAX;
        for (size_t i = 0; i < st->n; i++) {
            const conn *k = &st->conns[i];
            int64_t d = k->closed ? k->closed_ms + CLOSED_GRACE_MS : k->last_ms + CONN_IDLE_MS;
            if (d < due)
                due = d;
        }
        st->next_due = due;
    }
    vg_auth__sshd_message(c, st, t, hbuf, pid, msg);
}
