/* parse_okta.c — Okta System Log events (LogEvent objects from
 * /api/v1/logs, one per line or as a JSON array).
 *
 * Sign-in events: user.session.start (primary authentication),
 * user.authentication.* (sso, verify, auth_via_mfa, auth_via_radius, ...),
 * user.mfa.okta_verify.deny_push. Other event types (session end, policy
 * evaluation, admin actions) are counted as ignored.
 *
 * outcome.result SUCCESS / ALLOW -> success. FAILURE / DENY by reason:
 * INVALID_CREDENTIALS -> bad_password (no_such_user when the actor is the
 * "unknown" placeholder Okta writes for names it cannot resolve),
 * LOCKED_OUT -> locked. A failure at the MFA step (auth_via_mfa, a denied
 * push) comes after a correct password: credential_valid.
 */
#include <string.h>

#include "auth/auth_internal.h"

static bool starts(vg_str s, const char *p) { return vg_str_starts_with(s, vg_str_from(p)); }

void vg_auth__okta_record(auth_ctx *c, const aj_node *rec)
{
    vg_str type = vg_auth__json_view(AJ_GET(rec, "eventType"));
    bool session = vg_str_eq_cstr(type, "user.session.start");
    bool authn = starts(type, "user.authentication.");
    bool mfa_deny = vg_str_eq_cstr(type, "user.mfa.okta_verify.deny_push");
    /* user.account.lock reports the outcome of failures already logged: not an attempt */
    bool lock = false;
    if (!session && !authn && !mfa_deny) {
        vg_auth__ignore(c);
        return;
    }
    vg_auth_event ev;
    vg_auth__event_init(c, &ev, VG_AUTH_FMT_OKTA);
    const aj_node *tn = AJ_GET(rec, "published");
    if (!tn) {
        vg_auth__reject(c, "Okta event without 'published'");
        return;
    }
    if (!vg_auth__parse_time(vg_auth__json_view(tn), &ev.time_ms)) {
        vg_str v = vg_auth__json_view(tn);
        vg_auth__reject(c, "bad timestamp '%.*s'", (int)(v.n > 64 ? 64 : v.n), v.p);
        return;
    }
    const aj_node *actor = AJ_GET(rec, "actor");
    const aj_node *alt = AJ_GET(actor, "alternateId");
    if (!alt || alt->type != AJ_STR) {
        vg_auth__reject(c, "Okta event without actor.alternateId");
        return;
    }
    vg_auth__set_account(c, &ev, vg_str_from(vg_auth__json_str(c->a, alt)), NULL);
    vg_str actor_id = vg_auth__json_view(AJ_GET(actor, "id"));
    bool unknown_actor = vg_str_eq_ci(actor_id, VG_STR("unknown")) ||
                         vg_str_eq_ci(vg_auth__json_view(AJ_GET(actor, "displayName")),
                                      VG_STR("unknown"));
    vg_str atype = vg_auth__json_view(AJ_GET(actor, "type"));
    if (atype.n && !vg_str_eq_ci(atype, VG_STR("User")))
        ev.account_flags |= VG_ACCT_SERVICE;

    const aj_node *outcome = AJ_GET(rec, "outcome");
    vg_str res = vg_auth__json_view(AJ_GET(outcome, "result"));
    const aj_node *rn = AJ_GET(outcome, "reason");
    vg_str reason = vg_auth__json_view(rn);
    if (res.n == 0) {
        vg_auth__reject(c, "Okta event without outcome.result");
        return;
    }
    ev.code = vg_arena_strndup(c->a, res.p, res.n);
    if (rn && rn->type == AJ_STR)
        ev.reason = vg_auth__json_str(c->a, rn);
    if (lock) {
        ev.result = VG_AUTH_LOCKED;
    } else if (vg_str_eq_ci(res, VG_STR("SUCCESS")) || vg_str_eq_ci(res, VG_STR("ALLOW"))) {
        ev.result = mfa_deny ? VG_AUTH_CREDENTIAL_VALID : VG_AUTH_SUCCESS;
    } else if (vg_str_eq_ci(res, VG_STR("FAILURE")) || vg_str_eq_ci(res, VG_STR("DENY"))) {
        bool mfa_step = mfa_deny || vg_str_eq_cstr(type, "user.authentication.auth_via_mfa");
        if (vg_str_find_ci(reason, VG_STR("LOCKED")) >= 0)
            ev.result = VG_AUTH_LOCKED;
        else if (mfa_step)
            ev.result = VG_AUTH_CREDENTIAL_VALID;
        else if (unknown_actor || vg_str_find_ci(reason, VG_STR("not found")) >= 0 ||
                 vg_str_find_ci(reason, VG_STR("UNKNOWN_USER")) >= 0)
            ev.result = VG_AUTH_NO_SUCH_USER;
        else if (vg_str_find_ci(reason, VG_STR("INVALID_CREDENTIALS")) >= 0 ||
                 vg_str_find_ci(reason, VG_STR("VERIFICATION_ERROR")) >= 0 ||
                 vg_str_find_ci(reason, VG_STR("password")) >= 0)
            ev.result = VG_AUTH_BAD_PASSWORD;
        else
            ev.result = VG_AUTH_OTHER_FAILURE;
    } else if (vg_str_eq_ci(res, VG_STR("CHALLENGE"))) {
        ev.result = VG_AUTH_INTERRUPT;
    } else {
        vg_auth__ignore(c); /* UNKNOWN, SKIPPED, RETRY: nothing about a credential */
        return;
    }

    const aj_node *client = AJ_GET(rec, "client");
    vg_str ip = vg_auth__json_view(AJ_GET(client, "ipAddress"));
    if (!vg_auth__is_nil(ip) && !vg_auth__parse_ip(ip, &ev.ip)) {
        vg_auth__reject(c, "invalid IP address '%.*s'", (int)(ip.n > 64 ? 64 : ip.n), ip.p);
        return;
    }
    const aj_node *ua = AJ_GET(AJ_GET(client, "userAgent"), "rawUserAgent");
    if (ua && ua->type == AJ_STR)
        ev.user_agent = vg_auth__json_str(c->a, ua);
    vg_str tx = vg_auth__json_view(AJ_GET(AJ_GET(rec, "transaction"), "type"));
    if (vg_str_eq_ci(tx, VG_STR("WEB")))
        ev.proto = VG_PROTO_BROWSER;
    else if (tx.n)
        ev.proto = VG_PROTO_MODERN;
    ev.interactive = session ? 1 : -1;
    const aj_node *sess = AJ_GET(AJ_GET(rec, "authenticationContext"), "externalSessionId");
    if (sess && sess->type == AJ_STR)
        ev.correlation_id = vg_auth__json_str(c->a, sess);
    else {
        const aj_node *txid = AJ_GET(AJ_GET(rec, "transaction"), "id");
        if (txid && txid->type == AJ_STR)
            ev.correlation_id = vg_auth__json_str(c->a, txid);
    }
    int64_t asn;
    if (vg_auth__json_int(AJ_GET(AJ_GET(rec, "securityContext"), "asNumber"), &asn) && asn > 0 &&
        asn < 4294967296LL)
        ev.asn = (uint32_t)asn;
    vg_str country = vg_auth__json_view(AJ_GET(AJ_GET(client, "geographicalContext"), "country"));
    if (country.n == 2) {
        ev.country[0] = (char)(country.p[0] & ~32);
        ev.country[1] = (char)(country.p[1] & ~32);
    }
    /* the application: the first AppInstance target, else Okta itself */
    const aj_node *targets = AJ_GET(rec, "target");
    ev.app = "Okta";
    if (targets && targets->type == AJ_ARR)
        for (uint32_t i = 0; i < targets->n; i++) {
            const aj_node *t = &targets->kids[i];
            if (vg_str_eq_cstr(vg_auth__json_view(AJ_GET(t, "type")), "AppInstance")) {
                const char *dn = vg_auth__json_str(c->a, AJ_GET(t, "displayName"));
                if (dn)
                    ev.app = dn;
                break;
            }
        }
    vg_auth__emit(c, &ev);
}
