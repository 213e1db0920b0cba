/* cred_thresholds.c — every threshold of the credential detectors in one
 * table, with the reasoning beside each value. Config `signins.thresholds`
 * overrides any of them by name; values that scale with the organization
 * are scaled by cred__scaled() from the organization's size, estimated as the
 * number of distinct accounts seen with a successful sign-in.
 */
#include <string.h>

#include "detect/cred_internal.h"

static const vg_cred_threshold_info defaults[CT_COUNT] = {
    [CT_LATENESS_MIN] = {"lateness_minutes", 10, "minutes",
                         "Events of one source may arrive this late (log shipping, clock skew). "
                         "Each source has its own bound, so a slow source never makes another's "
                         "events late."},
    [CT_GRACE_MIN] = {"grace_minutes", 20, "minutes",
                      "A failure waits this long for the same account to succeed from the same "
                      "address before it counts: people who mistype retry within seconds to a "
                      "few minutes."},
    [CT_TYPO_MAX] = {"typo_max_failures", 5, "failures",
                     "Up to this many failures followed by a success from the same address are a "
                     "mistyped password. Entra smart lockout locks at 10, AD policies at 5-10; "
                     "more failures before a success is a guessed password."},
    [CT_BF_BURST] = {"bruteforce_burst_failures", 8, "failures in 1 minute",
                     "Nobody types a password 8 times in a minute; tools do (the AccountRestore "
                     "sample fails 8 times per account within 15 ms)."},
    [CT_BF_10M] = {"bruteforce_failures_10m", 10, "failures in 10 minutes",
                   "A person is locked out before 10 failures in 10 minutes (smart lockout, AD "
                   "lockout threshold), so more is a program."},
    [CT_BF_1H] = {"bruteforce_failures_1h", 20, "failures in 1 hour",
                  "Twice the lockout threshold within an hour on one account, from addresses the "
                  "account never signed in from. STRONTIUM's brute-force mode ran ~335/hour."},
    [CT_BF_24H] = {"bruteforce_failures_24h", 40, "failures in 24 hours",
                   "Slower guessing that stays under per-hour limits: 40 unresolved failures in a "
                   "day from unfamiliar addresses is far beyond a forgotten password."},
    [CT_SLOW_MIN] = {"slow_min_failures", 12, "failures",
                     "A low-and-slow series on one account from one source needs this many "
                     "failures before its cadence is judged."},
    [CT_SLOW_SPAN_H] = {"slow_min_span_hours", 6, "hours",
                        "... spread over at least this long (a scheduled job or a patient "
                        "attacker, not a burst)."},
    [CT_CADENCE_CV] = {"cadence_max_cv", 0.35, "ratio",
                       "Coefficient of variation of the gaps between failures below which the "
                       "cadence is 'steady' (machines retry on timers, people do not)."},
    [CT_SPRAY_IP_ACCOUNTS] = {"spray_ip_min_accounts", 5, "accounts in 1 hour",
                              "Distinct accounts failing (unresolved) from one address new to "
                              "them within an hour. Scaled up to 20 for large organizations "
                              "(N/200). The Kerberos spray sample tries 10 accounts at once."},
    [CT_SPRAY_IP_MAX_PER_ACCT] = {"spray_ip_max_attempts_per_account", 4, "attempts",
                                  "A spray tries a few common passwords per account; many "
                                  "attempts per account from one address is brute force."},
    [CT_SPRAY_ACCOUNTS] = {"spray_min_accounts", 6, "accounts in 24 hours",
                           "Floor for an organization-wide spray: 20% of a 30-person clinic is "
                           "6 accounts, which is what STRONTIUM's spray mode would touch there. "
                           "Reached in 24 hours (weighted, see below), or as rounds: that many "
                           "accounts failing again on later days, at least 30% of the cluster."},
    [CT_SPRAY_FRACTION] = {"spray_account_fraction", 0.02, "of organization size",
                           "Above the floor the spray threshold grows with the organization: 2% "
                           "of accounts failing unresolved from new addresses with one client "
                           "signature in a day (20% of accounts is STRONTIUM's spray)."},
    [CT_SPRAY_COMMON_WEIGHT] = {"spray_common_signature_weight", 10, "factor",
                                "A signature (user agent, protocol) that the organization's own "
                                "successful sign-ins use raises the threshold by 1 + weight x "
                                "share, so everyday browsers need far more evidence than a "
                                "client nobody in the organization uses."},
    [CT_STUFF_NOUSER] = {"stuffing_nouser_ratio", 0.4, "ratio",
                         "Credential stuffing replays leaked email/password pairs: many of the "
                         "names do not exist in the organization. Sprays use the "
                         "organization's own user list."},
    [CT_STUFF_PER_ACCT] = {"stuffing_max_attempts_per_account", 1.5, "attempts",
                           "Each leaked pair is tried about once."},
    [CT_STUFF_MIN_IPS] = {"stuffing_min_ips", 5, "addresses",
                          "Stuffing runs through proxy pools; from one address it is a spray."},
    [CT_STALE_MIN] = {"stale_min_failures", 8, "failures",
                      "A stale credential retries on a timer: this many failures from a host "
                      "where the account used to succeed, ..."},
    [CT_STALE_SPAN_H] = {"stale_min_span_hours", 4, "hours",
                         "... over at least this long with a steady cadence and no success in "
                         "between. Shorter episodes are users updating their devices."},
    [CT_RESET_FRACTION] = {"reset_wave_fraction", 0.10, "of organization size",
                           "When this share of accounts starts failing from their own usual "
                           "places within a day, the organization reset passwords: phones "
                           "retrying the old one are expected, not findings."},
    [CT_RESET_MIN] = {"reset_wave_min_accounts", 3, "accounts",
                      "Floor for the reset wave: three accounts whose devices get stuck on "
                      "their usual networks the same day is a password change, not chance."},
    [CT_RESET_GRACE_H] = {"reset_grace_hours", 72, "hours",
                          "After a reset wave, failures from familiar places are not stale "
                          "credentials for this long (people take days to update every device)."},
    [CT_COMPROMISE_AFTER_H] = {"compromise_after_hours", 24, "hours",
                               "A success tied to an attack counts as its compromise up to this "
                               "long after the attack's last attempt."},
    [CT_FINDING_IDLE_H] = {"finding_idle_hours", 48, "hours",
                           "An attack finding keeps growing (same id, new revision) until it "
                           "has been quiet this long; later activity opens a new finding."},
    [CT_NAT_RATIO] = {"shared_egress_success_ratio", 1.0, "ratio",
                      "An address where at least this many accounts succeed per account failing "
                      "is a shared egress (office NAT): its failures are people, judged by "
                      "success ratio and history rather than an allow-list."},
    [CT_LINK_SCORE] = {"link_min_score", 3, "weighted addresses",
                       "Sprays in two organizations are linked when the addresses they share "
                       "weigh this much; an address seen by many unrelated sources (a Tor exit) "
                       "weighs 1/log2(1+sources)."},
    [CT_BASELINE_TTL_D] = {"baseline_ttl_days", 90, "days",
                           "Familiar networks and agents of an account expire after this long."},
    [CT_EMIT_MIN] = {"revision_interval_minutes", 60, "minutes",
                     "A growing finding gets a new revision at most this often (event time), "
                     "and at once when its outcome or severity changes."},
};

size_t vg_cred_threshold_count(void) { return CT_COUNT; }

const vg_cred_threshold_info *vg_cred_threshold_at(const vg_cred_engine *g, size_t i)
{
    if (i >= CT_COUNT)
        return NULL;
    return g ? &g->th[i] : &defaults[i];
}

vg_err cred__thresholds_load(vg_cred_engine *g, const vg_yaml_node *root, vg_error *e)
{
    memcpy(g->th, defaults, sizeof defaults);
    const vg_yaml_node *si = vg_yaml_get(root, "signins");
    double v;
    const vg_yaml_node *lm = vg_yaml_get(si, "lateness_minutes");
    if (lm) {
        if (!vg_yaml_double(lm, &v) || v < 0 || v > 10080)
            return vg_error_set(e, VG_EINVAL,
                                "config line %d: signins.lateness_minutes must be 0..10080",
                                vg_yaml_line(lm));
        g->th[CT_LATENESS_MIN].value = v;
    }
    const vg_yaml_node *t = vg_yaml_get(si, "thresholds");
    if (!t)
        return VG_OK;
    if (vg_yaml_type_of(t) != VG_YAML_MAP)
        return vg_error_set(e, VG_EINVAL, "config line %d: signins.thresholds must be a map",
                            vg_yaml_line(t));
    for (size_t i = 0; i < vg_yaml_len(t); i++) {
        const char *k = vg_yaml_key_at(t, i);
        const vg_yaml_node *val = vg_yaml_value_at(t, i);
        size_t j = 0;
        while (j < CT_COUNT && strcmp(defaults[j].name, k) != 0)
            j++;
        if (j == CT_COUNT) {
            vg_warn("config line %d: unknown threshold '%s' in signins.thresholds (ignored)",
                    vg_yaml_line(val), k);
            continue;
        }
        if (!vg_yaml_double(val, &v) || v < 0)
            return vg_error_set(e, VG_EINVAL,
                                "config line %d: signins.thresholds.%s must be a number >= 0",
                                vg_yaml_line(val), k);
        g->th[j].value = v;
    }
    return VG_OK;
}

/* Thresholds that grow with the organization. n = accounts seen with a success. */
double cred__scaled(const vg_cred_engine *g, int which, int64_t n)
{
    double base = g->th[which].value;
    switch (which) {
    case CT_SPRAY_IP_ACCOUNTS: {
        double s = (double)n / 200.0;
        if (s > 20)
            s = 20;
        return base > s ? base : s;
    }
    case CT_SPRAY_ACCOUNTS: {
        double s = g->th[CT_SPRAY_FRACTION].value * (double)n;
        return base > s ? base : s;
    }
    case CT_RESET_MIN: {
        double s = g->th[CT_RESET_FRACTION].value * (double)n;
        return base > s ? base : s;
    }
    default:
        return base;
    }
}
