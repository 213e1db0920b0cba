/* parse_entra.c — Entra ID (Azure AD) sign-in records, in the shapes people
 * actually export:
 *
 *   Graph signIn           {"createdDateTime", "userPrincipalName", "status":{"errorCode"}, ...}
 *                          (one per line, in a {"value":[...]} page, or a JSON array)
 *   Azure Monitor record   {"time", "category":"SignInLogs" | "NonInteractiveUserSignInLogs" |
 *                           ..., "tenantId", "resultType", "properties":{ <signIn> }}
 *   Log Analytics row      {"TimeGenerated", "UserPrincipalName", "ResultType", "IPAddress",
 *                           "Status": {...} or "{...}" (a JSON string in CSV exports), ...}
 *
 * Keys are looked up case-insensitively, so camelCase (Graph, diagnostic
 * records) and PascalCase (Log Analytics) share one code path. The result code
 * goes through data/entra_codes.tsv (vg_auth_entra_result).
 */
#include <string.h>

#include "auth/auth_internal.h"

/* A member that may be an object or a JSON string holding one. */
static const aj_node *as_object(auth_ctx *c, const aj_node *n)
{
    if (!n)
        return NULL;
    if (n->type == AJ_OBJ)
        return n;
    if (n->type == AJ_STR && n->len >= 2) {
        const char *s = vg_auth__json_str(c->a, n);
        if (s && s[0] == '{')
            return vg_auth__json_parse(c->a, s, strlen(s), NULL, NULL, NULL);
    }
    return NULL;
}

/* First present, non-empty member among keys, from obj then (if given) alt. */
static const aj_node *pick(const aj_node *obj, const aj_node *alt, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++) {
        const aj_node *n = AJ_GET(obj, *k);
        if (n && n->type != AJ_NULL && !(n->type == AJ_STR && n->len == 0))
            return n;
        if (alt) {
            n = AJ_GET(alt, *k);
            if (n && n->type != AJ_NULL && !(n->type == AJ_STR && n->len == 0))
                return n;
        }
    }
    return NULL;
}

static const char *str_of(auth_ctx *c, const aj_node *n)
{
    const char *s = vg_auth__json_str(c->a, n);
    return s ? s : "";
}

static bool category_is(vg_str cat, const char *what)
{
    return vg_str_find_ci(cat, vg_str_from(what)) >= 0;
}

void vg_auth__entra_record(auth_ctx *c, const aj_node *rec)
{
    vg_auth_event ev;
    vg_auth__event_init(c, &ev, VG_AUTH_FMT_ENTRA);
    const aj_node *props = AJ_GET(rec, "properties");
    if (props && props->type != AJ_OBJ)
        props = as_object(c, props);
    const aj_node *P = props ? props : rec; /* the signIn entity */
    const aj_node *R = props ? rec : NULL;  /* the envelope, when there is one */

    /* time: the sign-in's own creation time first, then the record's */
    static const char *const tkeys[] = {"createdDateTime", "TimeGenerated", "time", "timestamp",
                                        "Date (UTC)", "Date", NULL};
    const aj_node *tn = pick(P, R, tkeys);
    if (!tn) {
        vg_auth__reject(c, "Entra record without a time (createdDateTime, time, TimeGenerated)");
        return;
    }
    if (!vg_auth__parse_time(vg_auth__json_view(tn), &ev.time_ms)) {
        vg_str v = vg_auth__json_view(tn);
        vg_auth__reject(c, "bad timestamp '%.*s'", (int)(v.n > 64 ? 64 : v.n), v.p);
        return;
    }

    vg_str cat = VG_STR_NULL;
    static const char *const ckeys[] = {"category", "Category", "Type", NULL};
    const aj_node *cn = pick(rec, NULL, ckeys);
    if (cn)
        cat = vg_auth__json_view(cn);

    /* result */
    const aj_node *status = as_object(c, AJ_GET(P, "status"));
    if (!status && R)
        status = as_object(c, AJ_GET(R, "status"));
    const aj_node *code_n = status ? AJ_GET(status, "errorCode") : NULL;
    if (!code_n || code_n->type == AJ_NULL) {
        static const char *const rkeys[] = {"ResultType", "resultType", "errorCode",
                                            "Sign-in error code", NULL};
        code_n = pick(R ? R : P, R ? P : NULL, rkeys);
    }
    int64_t code;
    if (!code_n) {
        vg_auth__reject(c, "Entra record without a result code (status.errorCode, resultType)");
        return;
    }
    if (!vg_auth__json_int(code_n, &code)) {
        vg_str v = vg_auth__json_view(code_n);
        vg_auth__reject(c, "bad Entra result code '%.*s'", (int)(v.n > 32 ? 32 : v.n), v.p);
        return;
    }
    ev.result = vg_auth_entra_result(code);
    ev.code = vg_arena_printf(c->a, "%lld", (long long)code);
    const aj_node *reason = status ? AJ_GET(status, "failureReason") : NULL;
    if (!reason || reason->type != AJ_STR) {
        static const char *const dkeys[] = {"resultDescription", "ResultDescription", NULL};
        reason = pick(R ? R : P, R ? P : NULL, dkeys);
    }
    if (reason && code != 0)
        ev.reason = str_of(c, reason);

    /* the account */
    bool service = category_is(cat, "ServicePrincipal") || category_is(cat, "ManagedIdentity");
    static const char *const ukeys[] = {"userPrincipalName", "UserPrincipalName", "signInIdentifier",
                                        "alternateSignInName", "Username", "User", NULL};
    const aj_node *un = pick(P, R, ukeys);
    vg_str user = un ? vg_auth__json_view(un) : VG_STR_NULL;
    if (un && un->esc)
        user = vg_str_from(str_of(c, un));
    if ((!un || vg_auth__is_guid(user)) && !service) {
        /* a GUID as the UPN (deleted or hidden user): the sign-in name may be elsewhere */
        static const char *const akeys[] = {"alternateSignInName", "signInIdentifier", NULL};
        const aj_node *alt = pick(P, R, akeys);
        if (alt) {
            user = vg_str_from(str_of(c, alt));
            un = alt;
        }
    }
    if (!un && service) {
        static const char *const skeys[] = {"servicePrincipalName", "servicePrincipalId",
                                            "ServicePrincipalName", "appDisplayName", "appId",
                                            NULL};
        un = pick(P, R, skeys);
        if (un)
            user = vg_str_from(str_of(c, un));
    }
    if (!un) {
        vg_auth__reject(c, "Entra record without a user (userPrincipalName)");
        return;
    }
    vg_auth__set_account(c, &ev, user, NULL);
    if (service || (ev.account_flags & VG_ACCT_UNKNOWN_NAME && service))
        ev.account_flags |= VG_ACCT_SERVICE;
    const aj_node *ut = AJ_GET(P, "userType");
    if (ut && vg_str_eq_ci(vg_auth__json_view(ut), VG_STR("guest")))
        ev.account_flags |= VG_ACCT_GUEST;

    /* source address */
    static const char *const ikeys[] = {"ipAddress", "IPAddress", "callerIpAddress",
                                        "IP address", NULL};
    const aj_node *ipn = pick(P, R, ikeys);
    if (ipn) {
        vg_str v = vg_auth__json_view(ipn);
        if (!vg_auth__is_nil(v) && !vg_auth__parse_ip(v, &ev.ip)) {
            vg_auth__reject(c, "invalid IP address '%.*s'", (int)(v.n > 64 ? 64 : v.n), v.p);
            return;
        }
    }

    static const char *const appkeys[] = {"appDisplayName", "AppDisplayName", "Application",
                                          "resourceDisplayName", NULL};
    const aj_node *app = pick(P, R, appkeys);
    if (app)
        ev.app = str_of(c, app);
    static const char *const uakeys[] = {"userAgent", "UserAgent", "User agent", NULL};
    const aj_node *ua = pick(P, R, uakeys);
    if (ua)
        ev.user_agent = str_of(c, ua);
    static const char *const cakeys[] = {"clientAppUsed", "ClientAppUsed", "Client app", NULL};
    const aj_node *ca = pick(P, R, cakeys);
    if (ca)
        ev.proto = vg_auth__proto_from_entra(vg_auth__json_view(ca));
    if (ev.proto == VG_PROTO_UNKNOWN) {
        const aj_node *ap = AJ_GET(P, "authenticationProtocol");
        if (ap && vg_str_eq_ci(vg_auth__json_view(ap), VG_STR("ropc")))
            ev.proto = VG_PROTO_LEGACY_OTHER;
    }

    const aj_node *inter = AJ_GET(P, "isInteractive");
    if (!inter && R)
        inter = AJ_GET(R, "isInteractive");
    ev.interactive = (int8_t)vg_auth__json_bool(inter);
    if (ev.interactive < 0 && cat.n) {
        if (category_is(cat, "NonInteractive") || service)
            ev.interactive = 0;
        else if (category_is(cat, "SignInLogs"))
            ev.interactive = 1;
    }

    static const char *const corkeys[] = {"correlationId", "CorrelationId", "Correlation ID", NULL};
    const aj_node *cor = pick(P, R, corkeys);
    if (cor)
        ev.correlation_id = str_of(c, cor);

    static const char *const tenkeys[] = {"tenantId", "resourceTenantId", "AADTenantId",
                                          "TenantId", "Resource tenant ID", "homeTenantId",
                                          "Home tenant ID", NULL};
    const aj_node *ten = pick(R ? R : P, R ? P : NULL, tenkeys);
    if (ten)
        ev.tenant_id = vg_auth__lower(c->a, vg_auth__json_view(ten));

    int64_t asn;
    static const char *const asnkeys[] = {"autonomousSystemNumber", "AutonomousSystemNumber",
                                          "Autonomous system  number", "Autonomous system number",
                                          NULL};
    const aj_node *an = pick(P, R, asnkeys);
    if (an && vg_auth__json_int(an, &asn) && asn > 0 && asn < 4294967296LL)
        ev.asn = (uint32_t)asn;

    /* country: location{countryOrRegion}, LocationDetails (maybe a JSON string), or "FR" */
    const aj_node *loc = as_object(c, AJ_GET(P, "location"));
    if (!loc)
        loc = as_object(c, AJ_GET(P, "LocationDetails"));
    if (!loc && R)
        loc = as_object(c, AJ_GET(R, "LocationDetails"));
    vg_str cc = VG_STR_NULL;
    if (loc)
        cc = vg_auth__json_view(AJ_GET(loc, "countryOrRegion"));
    if (cc.n != 2) {
        static const char *const lkeys[] = {"location", "Location", NULL};
        const aj_node *l2 = pick(R ? R : P, NULL, lkeys);
        if (l2 && l2->type == AJ_STR) {
            vg_str v = vg_auth__json_view(l2);
            if (v.n == 2)
                cc = v;
            else if (v.n > 4 && v.p[v.n - 4] == ',' && v.p[v.n - 3] == ' ') /* "City, State, US" */
                cc = vg_str_sub(v, v.n - 2, 2);
        }
    }
    if (cc.n == 2 && ((cc.p[0] | 32) >= 'a' && (cc.p[0] | 32) <= 'z') &&
        ((cc.p[1] | 32) >= 'a' && (cc.p[1] | 32) <= 'z')) {
        ev.country[0] = (char)(cc.p[0] >= 'a' && cc.p[0] <= 'z' ? cc.p[0] - 32 : cc.p[0]);
        ev.country[1] = (char)(cc.p[1] >= 'a' && cc.p[1] <= 'z' ? cc.p[1] - 32 : cc.p[1]);
        ev.country[2] = '\0';
    }
    vg_auth__emit(c, &ev);
}
