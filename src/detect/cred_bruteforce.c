/* cred_bruteforce.c — cred.bruteforce (many failures against one account,
 * from one address or hundreds), its low-and-slow form (a steady cadence from
 * a source the account never succeeded from) and cred.stale_credentials (a
 * steady cadence from a source where it used to succeed: a forgotten service,
 * a phone with an old password; low severity, never attributed).
 *
 * Only failures from unfamiliar sources that stayed unresolved for the grace
 * period reach the brute-force counters (cred_engine.c), so users who
 * mistype then succeed, and devices retrying from the user's own networks,
 * never count. Counters per account: 5-minute buckets for the last hour,
 * hourly buckets for the last day, the last 8 failure times (burst), the
 * first 16 distinct sources. Thresholds: cred_thresholds.c.
 *
 * After an organization-wide password reset many accounts start failing from
 * their usual places at once ("reset wave"); stale-credential findings are
 * held back for reset_grace_hours so phones retrying the old password over
 * ActiveSync do not become findings.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/cred_internal.h"

/* ---- cadence ------------------------------------------------------------------------------- */

static void ring_push(cred_pair *p, int64_t t)
{
    if (!p->times)
        p->times = vg_xcalloc(16, sizeof *p->times);
    p->times[p->ti] = t;
    p->ti = (uint8_t)((p->ti + 1) % 16);
    if (p->tn < 16)
        p->tn++;
}

/* Mean gap (s) and coefficient of variation of the gaps in the ring. */
static bool cadence(const cred_pair *p, double *mean_s, double *cv)
{
    if (p->tn < 4 || !p->times)
        return false;
    int64_t ts[16];
    for (int i = 0; i < p->tn; i++)
        ts[i] = p->times[(p->ti + 16 - p->tn + i) % 16];
    /* sort (arrival order may be a little off) */
    for (int i = 1; i < p->tn; i++)
        for (int j = i; j > 0 && ts[j - 1] > ts[j]; j--) {
            int64_t x = ts[j];
            ts[j] = ts[j - 1];
            ts[j - 1] = x;
        }
    double sum = 0, sq = 0;
    int n = p->tn - 1;
    for (int i = 1; i <= n; i++) {
        double gap = (double)(ts[i] - ts[i - 1]) / 1000.0;
        sum += gap;
        sq += gap * gap;
    }
    double m = sum / n;
    if (m <= 0)
        return false;
    double var = sq / n - m * m;
    *mean_s = m;
    *cv = var > 0 ? sqrt(var) / m : 0;
    return true;
}

/* ---- per-account counters ------------------------------------------------------------------ */

static void slide(uint32_t *b, int n, int64_t *base, int64_t idx)
{
    if (idx < *base + n)
        return;
    int64_t shift = idx - (*base + n - 1);
    if (shift >= n) {
        memset(b, 0, (size_t)n * sizeof *b);
    } else {
        memmove(b, b + shift, (size_t)(n - shift) * sizeof *b);
        memset(b + (n - shift), 0, (size_t)shift * sizeof *b);
    }
    *base += shift;
}

static uint32_t sum(const uint32_t *b, int from, int n)
{
    uint32_t s = 0;
    for (int i = from; i < n; i++)
        s += b[i];
    return s;
}

static void atk_add(cred_atk *k, const cred_uf *u)
{
    if (!k->total || u->t - k->last > DAY_MS)
        k->first = u->t;
    if (u->t > k->last)
        k->last = u->t;
    int64_t i5 = u->t / (5 * MIN_MS), ih = u->t / HOUR_MS;
    if (!k->total) {
        k->b5_base = i5 - 11;
        k->h_base = ih - 23;
    }
    slide(k->b5, 12, &k->b5_base, i5);
    slide(k->h, 24, &k->h_base, ih);
    if (i5 >= k->b5_base)
        k->b5[i5 - k->b5_base] += u->repeat;
    if (ih >= k->h_base)
        k->h[ih - k->h_base] += u->repeat;
    for (uint32_t r = 0; r < u->repeat && r < 8; r++) {
        k->burst[k->burst_i] = u->t;
        k->burst_i = (uint8_t)((k->burst_i + 1) % 8);
        if (k->burst_n < 8)
            k->burst_n++;
    }
    bool have = false;
    for (uint32_t i = 0; i < k->n_ips && !have; i++)
        have = memcmp(k->ips[i].b, u->ip.b, IPKEY_LEN) == 0;
    if (!have && !cred__ipkey_none(&u->ip)) {
        if (k->n_ips < 16)
            k->ips[k->n_ips++] = u->ip;
        else
            k->n_ips_more++;
    }
    k->ev_file[k->ev_i] = u->file;
    k->ev_line[k->ev_i] = u->line;
    k->ev_i = (uint8_t)((k->ev_i + 1) % 8);
    if (k->ev_n < 8)
        k->ev_n++;
    if (u->result == VG_AUTH_NO_SUCH_USER)
        k->nouser += u->repeat;
    else if (u->result == VG_AUTH_LOCKED)
        k->locked += u->repeat;
    else
        k->badpw += u->repeat;
    if (!k->total) {
        k->ua = u->ua;
        k->proto = u->proto;
        k->ua_text = u->ua_text;
    }
    k->total += u->repeat;
}

static int burst_count(const cred_atk *k, int64_t now)
{
    int n = 0;
    for (int i = 0; i < k->burst_n; i++)
        if (now - k->burst[i] <= MIN_MS && k->burst[i] <= now)
            n++;
    return n;
}

static void feed_finding(vg_cred_engine *g, cred_org *o, cred_find *f, const cred_uf *u,
                         cred_acct *a)
{
    f->attempts += u->repeat;
    if (u->result == VG_AUTH_NO_SUCH_USER)
        f->nouser += u->repeat;
    else if (u->result == VG_AUTH_LOCKED)
        f->locked += u->repeat;
    else
        f->badpw += u->repeat;
    cred__find_seen(f, u->t);
    cred__find_evidence(f, u->file, u->line);
    if (cred__find_ip(f, &u->ip)) {
        cred__mark_attack_ip(g, o, &u->ip, f, u->t);
        cred__compromise_retro(g, f, NULL, cred__ip_get(g, o, &u->ip, u->t, false));
    } else if (!cred__ipkey_none(&u->ip)) {
        cred__mark_attack_ip(g, o, &u->ip, f, u->t);
    }
    (void)a;
    f->dirty = true;
}

/* Is the account part of an organization-level spray being followed? Its
 * slow per-account total then belongs to that spray, not to brute force. */
static bool sprayed(const vg_cred_engine *g, const cred_acct *a, int64_t t)
{
    for (int i = 0; i < a->n_tgt; i++) {
        const cred_find *f = a->tgt[i];
        if ((f->kind == FK_SPRAY_CLUSTER || f->kind == FK_STUFFING || f->kind == FK_SPRAY_IP) &&
            cred__find_active(g, f, t))
            return true;
    }
    return false;
}

void cred__brute_uf(vg_cred_engine *g, cred_org *o, const cred_uf *u, cred_pair *p)
{
    cred_acct *a = u->a;
    if (!a->atk)
        a->atk = vg_xcalloc(1, sizeof *a->atk);
    cred_atk *k = a->atk;
    atk_add(k, u);

    if (k->bf && cred__find_active(g, k->bf, u->t)) {
        feed_finding(g, o, k->bf, u, a);
    } else {
        uint32_t s1h = sum(k->b5, 0, 12), s10 = sum(k->b5, 10, 12), s24 = sum(k->h, 0, 24);
        int burst = burst_count(k, u->t);
        const char *why = NULL;
        char buf[160];
        if (burst >= (int)TH(g, CT_BF_BURST)) {
            snprintf(buf, sizeof buf, "%d failures within one minute", burst);
            why = buf;
        } else if (s10 >= TH(g, CT_BF_10M)) {
            snprintf(buf, sizeof buf, "%u failures within 10 minutes (threshold %g)", s10,
                     TH(g, CT_BF_10M));
            why = buf;
        } else if (s1h >= TH(g, CT_BF_1H)) {
            snprintf(buf, sizeof buf, "%u failures within an hour (threshold %g)", s1h,
                     TH(g, CT_BF_1H));
            why = buf;
        } else if (s24 >= TH(g, CT_BF_24H) && !sprayed(g, a, u->t)) {
            snprintf(buf, sizeof buf, "%u failures within 24 hours (threshold %g)", s24,
                     TH(g, CT_BF_24H));
            why = buf;
        }
        if (why) {
            cred_find *f = cred__find_new(g, o, FK_BRUTE, a->name, u->t, DAY_MS);
            if (f) {
                k->bf = f;
                f->acct = a;
                f->ua = k->ua;
                f->proto = k->proto;
                free(f->ua_text);
                f->ua_text = vg_xstrdup(k->ua_text ? k->ua_text : "");
                free(f->via);
                f->via = vg_xstrdup(why);
                /* what led here: the day's failures */
                f->attempts += s24 > 0 ? s24 : u->repeat;
                f->badpw += k->badpw;
                f->nouser += k->nouser;
                f->locked += k->locked;
                cred__find_seen(f, k->first > u->t - DAY_MS ? k->first : u->t - DAY_MS);
                cred__find_seen(f, u->t);
                cred__find_account(f, a->name);
                cred__acct_target(a, f);
                for (int i = 0; i < k->ev_n; i++) {
                    int j = (k->ev_i + 8 - k->ev_n + i) % 8;
                    cred__find_evidence(f, k->ev_file[j], k->ev_line[j]);
                }
                for (uint32_t i = 0; i < k->n_ips; i++) {
                    cred__find_ip(f, &k->ips[i]);
                    cred__mark_attack_ip(g, o, &k->ips[i], f, u->t);
                }
                cred__compromise_retro(g, f, a, NULL);
                for (uint32_t i = 0; i < k->n_ips; i++)
                    cred__compromise_retro(g, f, NULL, cred__ip_get(g, o, &k->ips[i], u->t, false));
                cred__find_dirty(f, true);
            }
        }
    }

    /* low and slow: a steady cadence from one source that never succeeded */
    if (!p)
        return;
    if (!p->series)
        p->series_first = u->t;
    p->series += u->repeat;
    ring_push(p, u->t);
    if (p->slow && cred__find_active(g, p->slow, u->t)) {
        feed_finding(g, o, p->slow, u, a);
        return;
    }
    if (k->bf && cred__find_active(g, k->bf, u->t))
        return; /* already a brute-force finding on this account */
    double mean, cv;
    if (p->series >= TH(g, CT_SLOW_MIN) &&
        u->t - p->series_first >= (int64_t)(TH(g, CT_SLOW_SPAN_H) * HOUR_MS) &&
        cadence(p, &mean, &cv) && cv <= TH(g, CT_CADENCE_CV)) {
        char src[64];
        cred__ipkey_str(&u->ip, src, sizeof src);
        char pk[512];
        snprintf(pk, sizeof pk, "%s|%s", a->name, src);
        cred_find *f = cred__find_new(g, o, FK_SLOW_BRUTE, pk, p->series_first, DAY_MS);
        if (!f)
            return;
        p->slow = f;
        f->acct = a;
        free(f->src_text);
        f->src_text = vg_xstrdup(src);
        f->cadence_s = mean;
        f->cadence_cv = cv;
        f->ua = u->ua;
        f->proto = u->proto;
        free(f->ua_text);
        f->ua_text = vg_xstrdup(u->ua_text ? u->ua_text : "");
        f->attempts += p->series - u->repeat;
        f->badpw += p->series - u->repeat;
        cred__find_seen(f, p->series_first);
        cred__find_account(f, a->name);
        cred__acct_target(a, f);
        feed_finding(g, o, f, u, a);
        cred__compromise_retro(g, f, a, NULL);
        cred__find_dirty(f, true);
    }
}

/* ---- familiar failures: stale credentials and reset waves ----------------------------------- */

static void onset(vg_cred_engine *g, cred_org *o, int64_t t)
{
    int64_t ih = t / HOUR_MS;
    if (ih < o->onset_base)
        ih = o->onset_base;
    if (ih >= o->onset_base + 24) {
        int64_t shift = ih - (o->onset_base + 23);
        if (shift >= 24) {
            memset(o->onset, 0, sizeof o->onset);
        } else {
            memmove(o->onset, o->onset + shift, (size_t)(24 - shift) * sizeof o->onset[0]);
            memset(o->onset + (24 - shift), 0, (size_t)shift * sizeof o->onset[0]);
        }
        o->onset_base += shift;
    }
    o->onset[ih - o->onset_base]++;
    uint32_t total = 0;
    for (int i = 0; i < 24; i++)
        total += o->onset[i];
    if (total >= cred__scaled(g, CT_RESET_MIN, o->n_succ_accts)) {
        if (o->reset_until < t) /* a new wave: it began up to a day ago */
            o->reset_from = t - DAY_MS;
        o->reset_until = t + (int64_t)(TH(g, CT_RESET_GRACE_H) * HOUR_MS);
    }
}

void cred__familiar_failure(vg_cred_engine *g, cred_org *o, cred_acct *a, cred_pair *p,
                            const vg_auth_event *ev, const ipkey *k)
{
    int64_t t = ev->time_ms;
    if (!p->series) {
        p->series_first = t;
        p->stuck = false;
    }
    p->series += ev->repeat ? ev->repeat : 1;
    p->familiar = true;
    ring_push(p, t);
    /* a device stuck on a wrong password (not a typo): 3 failures over 10
     * minutes without a success; many at once is a reset wave */
    if (!p->stuck && p->series >= 3 && t - p->series_first >= 10 * MIN_MS) {
        p->stuck = true;
        if (!a->fam_fail_last || t - a->fam_fail_last > DAY_MS)
            onset(g, o, t);
        if (t > a->fam_fail_last)
            a->fam_fail_last = t;
    }
    if (p->stale && cred__find_active(g, p->stale, t)) {
        cred_find *f = p->stale;
        f->attempts += ev->repeat ? ev->repeat : 1;
        f->badpw += ev->repeat ? ev->repeat : 1;
        cred__find_seen(f, t);
        cred__find_evidence(f, cred__intern(g, ev->file), ev->line);
        f->dirty = true;
        return;
    }
    /* a reset wave: devices catching up with a new password, not stale credentials */
    if (o->reset_until && p->series_first >= o->reset_from && p->series_first <= o->reset_until)
        return;
    double mean, cv;
    if (p->series >= TH(g, CT_STALE_MIN) &&
        t - p->series_first >= (int64_t)(TH(g, CT_STALE_SPAN_H) * HOUR_MS) &&
        cadence(p, &mean, &cv) && cv <= TH(g, CT_CADENCE_CV)) {
        char src[64];
        cred__ipkey_str(k, src, sizeof src);
        if (cred__ipkey_none(k) || k->b[0] == 0x80) {
            const char *h = ev->source_host && *ev->source_host ? ev->source_host : ev->host;
            snprintf(src, sizeof src, "%s", h && *h ? h : "-");
        }
        char pk[512];
        snprintf(pk, sizeof pk, "%s|%s", a->name, src);
        cred_find *f = cred__find_new(g, o, FK_STALE, pk, p->series_first, DAY_MS);
        if (!f)
            return;
        p->stale = f;
        f->acct = a;
        free(f->src_text);
        f->src_text = vg_xstrdup(src);
        f->cadence_s = mean;
        f->cadence_cv = cv;
        f->proto = (uint8_t)ev->proto;
        free(f->ua_text);
        f->ua_text = vg_xstrdup(ev->user_agent ? ev->user_agent : "");
        f->attempts = p->series;
        f->badpw = p->series;
        cred__find_seen(f, p->series_first);
        cred__find_seen(f, t);
        cred__find_account(f, a->name);
        cred__find_evidence(f, cred__intern(g, ev->file), ev->line);
        cred__find_dirty(f, true);
    }
}

/* ---- reasons ------------------------------------------------------------------------------- */

static const char *plural(int64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

static void fmt_dur(double s, char *buf, size_t n)
{
    if (s < 90)
        snprintf(buf, n, "%.0f seconds", s);
    else if (s < 5400)
        snprintf(buf, n, "%.0f minutes", s / 60);
    else if (s < 2 * 86400)
        snprintf(buf, n, "%.1f hours", s / 3600);
    else
        snprintf(buf, n, "%.1f days", s / 86400);
}

void cred__brute_reasons(vg_cred_engine *g, cred_find *f)
{
    vg_finding *vf = f->f;
    const char *acct = vf->entities.accounts.n ? vf->entities.accounts.v[0] : "?";
    char dur[64];
    fmt_dur((double)(f->last - f->first) / 1000.0, dur, sizeof dur);
    if (f->kind == FK_STALE) {
        char cad[64];
        fmt_dur(f->cadence_s, cad, sizeof cad);
        vf->severity = VG_SEV_LOW;
        vf->score = 20;
        vf->outcome = VG_OUT_ATTEMPTED;
        vg_strlist_addf(&vf->reasons,
                        "%s has failed %lld times over %s from %s, a source where it used to sign "
                        "in successfully.",
                        acct, (long long)f->attempts, dur, f->src_text ? f->src_text : "?");
        vg_strlist_addf(&vf->reasons,
                        "The failures come at a steady cadence (one every %s, variation %.0f%%) "
                        "with no success in between: a device or service still using an old "
                        "password.",
                        cad, f->cadence_cv * 100);
        if (f->ua_text && *f->ua_text)
            vg_strlist_addf(&vf->reasons, "Client: %s (%s).", f->ua_text,
                            vg_auth_proto_name((vg_auth_proto)f->proto));
        vg_strlist_add(&vf->reasons, "Not an attack: update the stored password on that client "
                                     "or retire it.");
        return;
    }
    vg_strlist_add(&vf->attack, "T1110.001");
    int64_t ips = f->n_ips;
    if (f->kind == FK_SLOW_BRUTE) {
        char cad[64];
        fmt_dur(f->cadence_s, cad, sizeof cad);
        vf->severity = VG_SEV_MEDIUM;
        vf->score = 55;
        vg_strlist_addf(&vf->reasons,
                        "Low-and-slow password guessing: %lld failed sign-ins against %s over %s "
                        "from %s, one every %s (variation %.0f%%).",
                        (long long)f->attempts, acct, dur, f->src_text ? f->src_text : "?", cad,
                        f->cadence_cv * 100);
        vg_strlist_add(&vf->reasons, "The account never signed in successfully from that source, "
                                     "so this is not a stale saved password.");
    } else {
        vf->severity = (f->attempts >= 100 || ips >= 5) ? VG_SEV_HIGH : VG_SEV_MEDIUM;
        double s = 40 + 8 * log2(1.0 + (double)f->attempts / TH(g, CT_BF_1H)) + 3.0 * (double)(ips > 10 ? 10 : ips);
        vf->score = s > 95 ? 95 : (int)s;
        if (ips > 1)
            vg_strlist_addf(&vf->reasons,
                            "%lld failed sign-ins against %s from %lld addresses new to the "
                            "account over %s (distributed brute force).",
                            (long long)f->attempts, acct, (long long)ips, dur);
        else if (ips == 1 && vf->entities.ips.n)
            vg_strlist_addf(&vf->reasons,
                            "%lld failed sign-ins against %s from %s, an address new to the "
                            "account, over %s.",
                            (long long)f->attempts, acct, vf->entities.ips.v[0], dur);
        else
            vg_strlist_addf(&vf->reasons,
                            "%lld failed sign-ins against %s over %s from a source the account "
                            "never signed in from%s.",
                            (long long)f->attempts, acct, dur,
                            vf->entities.ips.n ? "" : " (the log records no source address)");
        if (f->via)
            vg_strlist_addf(&vf->reasons, "Triggered by %s.", f->via);
    }
    vg_strlist_addf(&vf->reasons, "Results: %lld wrong %s, %lld unknown %s, %lld locked out.",
                    (long long)f->badpw, plural(f->badpw, "password", "passwords"),
                    (long long)f->nouser, plural(f->nouser, "user", "users"), (long long)f->locked);
    if (f->proto || (f->ua_text && *f->ua_text))
        vg_strlist_addf(&vf->reasons, "Client: %s%s%s%s.",
                        vg_auth_proto_name((vg_auth_proto)f->proto),
                        f->ua_text && *f->ua_text ? ", user agent '" : "",
                        f->ua_text && *f->ua_text ? f->ua_text : "",
                        f->ua_text && *f->ua_text ? "'" : "");
    if (vf->roles.compromised.n) {
        vf->outcome = vf->outcome == VG_OUT_SUCCEEDED ? VG_OUT_SUCCEEDED : vf->outcome;
        if (vf->severity < VG_SEV_HIGH)
            vf->severity = VG_SEV_HIGH;
        vg_strlist_addf(&vf->reasons,
                        "The attack succeeded: the password of %s is known to the attacker "
                        "(see the cred.compromise finding); reset it.",
                        vf->roles.compromised.v[0]);
    } else if (f->locked) {
        vf->outcome = VG_OUT_BLOCKED;
    } else {
        vf->outcome = VG_OUT_ATTEMPTED;
    }
}
