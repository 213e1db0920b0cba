/* parse_windows.c — Windows Security logon events 4624 (success), 4625
 * (failure), 4768 (Kerberos TGT), 4771 (Kerberos pre-auth failure) and 4776
 * (NTLM credential validation), from
 *
 *   event XML     <Event><System>..<EventID>..<TimeCreated SystemTime=..>..
 *                 <EventData><Data Name="TargetUserName">..</Data>..  (wevtutil,
 *                 evtxexport, Get-WinEvent .ToXml(); parsed with libxml2)
 *   Winlogbeat    {"@timestamp", "winlog":{"event_id", "computer_name",
 *                  "event_data":{...}}, "event":{"code"}, "source":{"ip"}}
 *   plain JSON    {"EventID", "TimeCreated" | "TimeGenerated" | "EventTime",
 *                  "Computer" | "Hostname", "TargetUserName", "IpAddress", ...}
 *                 (NXLog, PowerShell ConvertTo-Json, SIEM exports)
 *
 * Results come from the NTSTATUS (Status / SubStatus) and Kerberos failure
 * codes, each with its meaning below. 4776 carries no address and many 4625
 * show "-": such events keep an empty IP and the client's workstation name
 * in source_host. Machine accounts (HOST$) are marked so detectors can leave
 * them out of spray counts. Events from built-in identities (SYSTEM,
 * ANONYMOUS LOGON, DWM-n, UMFD-n) and service/system logon types are
 * ignored: they are not sign-ins by people or attackers.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "auth/auth_internal.h"

/* NTSTATUS codes of 4625 (Status/SubStatus) and 4776 (Status). Account
 * restrictions (hours, workstation, logon type, expired or must-change
 * password) are checked by MSV1_0 and the KDC only after the password was
 * verified, so they prove the password: credential_valid.
 * Source: learn.microsoft.com/windows/security/threat-protection/auditing/event-4625,
 * event-4776; MS-ERREF 2.3.1. */
static const struct {
    uint32_t code;
    vg_auth_result r;
} ntstatus[] = {
    {0x00000000, VG_AUTH_SUCCESS},
    {0xC000006A, VG_AUTH_BAD_PASSWORD},     /* STATUS_WRONG_PASSWORD */
    {0xC0000064, VG_AUTH_NO_SUCH_USER},     /* STATUS_NO_SUCH_USER */
    {0xC0000234, VG_AUTH_LOCKED},           /* STATUS_ACCOUNT_LOCKED_OUT */
    {0xC000006D, VG_AUTH_BAD_PASSWORD},     /* STATUS_LOGON_FAILURE (see SubStatus) */
    {0xC0000071, VG_AUTH_CREDENTIAL_VALID}, /* STATUS_PASSWORD_EXPIRED */
    {0xC0000224, VG_AUTH_CREDENTIAL_VALID}, /* STATUS_PASSWORD_MUST_CHANGE */
    {0xC000006F, VG_AUTH_CREDENTIAL_VALID}, /* STATUS_INVALID_LOGON_HOURS */
    {0xC0000070, VG_AUTH_CREDENTIAL_VALID}, /* STATUS_INVALID_WORKSTATION */
    {0xC000015B, VG_AUTH_CREDENTIAL_VALID}, /* STATUS_LOGON_TYPE_NOT_GRANTED */
    {0xC000006E, VG_AUTH_CREDENTIAL_VALID}, /* STATUS_ACCOUNT_RESTRICTION */
    {0xC0000072, VG_AUTH_OTHER_FAILURE},    /* STATUS_ACCOUNT_DISABLED */
    {0xC0000193, VG_AUTH_OTHER_FAILURE},    /* STATUS_ACCOUNT_EXPIRED */
    {0xC0000133, VG_AUTH_OTHER_FAILURE},    /* STATUS_TIME_DIFFERENCE_AT_DC */
    {0xC000005E, VG_AUTH_OTHER_FAILURE},    /* STATUS_NO_LOGON_SERVERS */
    {0xC0000192, VG_AUTH_OTHER_FAILURE},    /* STATUS_NETLOGON_NOT_STARTED */
    {0xC0000413, VG_AUTH_OTHER_FAILURE},    /* STATUS_AUTHENTICATION_FIREWALL_FAILED */
};

/* Kerberos error codes of 4768 / 4771 (RFC 4120 7.5.9).
 * Source: learn.microsoft.com/windows/security/threat-protection/auditing/event-4771, event-4768. */
static const struct {
    uint32_t code;
    vg_auth_result r;
} krb[] = {
    {0x00, VG_AUTH_SUCCESS},
    {0x06, VG_AUTH_NO_SUCH_USER},     /* KDC_ERR_C_PRINCIPAL_UNKNOWN */
    {0x12, VG_AUTH_LOCKED},           /* KDC_ERR_CLIENT_REVOKED: disabled, expired or locked out */
    {0x17, VG_AUTH_CREDENTIAL_VALID}, /* KDC_ERR_KEY_EXPIRED: password expired */
    {0x18, VG_AUTH_BAD_PASSWORD},     /* KDC_ERR_PREAUTH_FAILED */
    {0x19, VG_AUTH_INTERRUPT},        /* KDC_ERR_PREAUTH_REQUIRED: normal first round trip */
    {0x25, VG_AUTH_OTHER_FAILURE},    /* KRB_AP_ERR_SKEW */
};

static bool parse_hex(const char *s, uint32_t *out)
{
    if (!s)
        return false;
    while (*s == ' ')
        s++;
    uint64_t v = 0;
    int k = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        for (; *s; s++, k++) {
            char c = *s;
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0 || k >= 16)
                break;
            v = v * 16 + (uint64_t)d;
        }
    } else {
        for (; *s >= '0' && *s <= '9' && k < 12; s++, k++)
            v = v * 10 + (uint64_t)(*s - '0');
    }
    if (!k)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool map_ntstatus(uint32_t code, vg_auth_result *r)
{
    for (size_t i = 0; i < sizeof ntstatus / sizeof ntstatus[0]; i++)
        if (ntstatus[i].code == code) {
            *r = ntstatus[i].r;
            return true;
        }
    return false;
}

static bool map_krb(uint32_t code, vg_auth_result *r)
{
    for (size_t i = 0; i < sizeof krb / sizeof krb[0]; i++)
        if (krb[i].code == code) {
            *r = krb[i].r;
            return true;
        }
    return false;
}

static bool is_builtin(const char *u)
{
    static const char *const names[] = {"SYSTEM", "ANONYMOUS LOGON", "LOCAL SERVICE",
                                        "NETWORK SERVICE", "-", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcasecmp(u, names[i]) == 0)
            return true;
    return strncasecmp(u, "DWM-", 4) == 0 || strncasecmp(u, "UMFD-", 5) == 0;
}

static bool empty(const char *s) { return !s || !*s || vg_auth__is_nil(vg_str_from(s)); }

void vg_auth__windows_event(auth_ctx *c, const win_fields *w)
{
    int64_t id = w->event_id;
    if (id != 4624 && id != 4625 && id != 4768 && id != 4771 && id != 4776) {
        vg_auth__ignore(c);
        return;
    }
    vg_auth_event ev;
    vg_auth__event_init(c, &ev, VG_AUTH_FMT_WINDOWS);
    if (!w->time_ms) {
        vg_auth__reject(c, "Windows event %lld without a time", (long long)id);
        return;
    }
    ev.time_ms = w->time_ms;
    if (empty(w->target_user)) {
        vg_auth__reject(c, "Windows event %lld without TargetUserName", (long long)id);
        return;
    }
    if (id == 4624 || id == 4625) {
        if (is_builtin(w->target_user)) {
            vg_auth__ignore(c);
            return;
        }
        int64_t lt = 0;
        if (w->logon_type && vg_str_to_i64(vg_str_trim(vg_str_from(w->logon_type)), &lt) &&
            (lt == 0 || lt == 5)) { /* system, service: not a sign-in by a person */
            vg_auth__ignore(c);
            return;
        }
    }
    ev.host = w->computer ? vg_auth__lower(c->a, vg_str_from(w->computer)) : "";

    /* the account: TargetUserName, with TargetDomainName or (4771) the realm of
     * ServiceName "krbtgt/REALM" */
    const char *dom = empty(w->target_domain) ? NULL : w->target_domain;
    if (!dom && w->service_name) {
        const char *sl = strchr(w->service_name, '/');
        if (sl && sl[1])
            dom = sl + 1;
    }
    vg_str raw = vg_str_from(w->target_user);
    if (vg_str_chr(raw, '@') >= 0 || vg_str_chr(raw, '\\') >= 0)
        vg_auth__set_account(c, &ev, raw, NULL);
    else
        vg_auth__set_account(c, &ev, raw, dom);

    /* result */
    const char *codes = w->status;
    uint32_t st = 0, sub = 0;
    bool have_st = parse_hex(w->status, &st);
    bool have_sub = parse_hex(w->substatus, &sub) && sub != 0;
    vg_auth_result r = VG_AUTH_OTHER_FAILURE;
    if (id == 4624) {
        r = VG_AUTH_SUCCESS;
        codes = "4624";
    } else if (id == 4768 || id == 4771) {
        if (!have_st) {
            vg_auth__reject(c, "Windows event %lld without a Status", (long long)id);
            return;
        }
        if (!map_krb(st, &r))
            r = VG_AUTH_OTHER_FAILURE;
        if (id == 4771 && r == VG_AUTH_SUCCESS)
            r = VG_AUTH_OTHER_FAILURE; /* 4771 is always a failure */
    } else { /* 4625, 4776 */
        if (!have_st && id == 4625) {
            r = VG_AUTH_BAD_PASSWORD;
        } else if (!have_st) {
            vg_auth__reject(c, "Windows event %lld without a Status", (long long)id);
            return;
        } else {
            if (!(have_sub && map_ntstatus(sub, &r)) && !map_ntstatus(st, &r))
                r = VG_AUTH_OTHER_FAILURE;
            if (id == 4625 && r == VG_AUTH_SUCCESS)
                r = VG_AUTH_BAD_PASSWORD; /* 4625 is always a failure; 0 SubStatus = see Status */
        }
        if (have_sub && w->substatus)
            codes = vg_arena_printf(c->a, "%s/%s", w->status ? w->status : "", w->substatus);
    }
    ev.result = r;
    ev.code = codes ? codes : "";
    if (w->failure_reason && *w->failure_reason && r != VG_AUTH_SUCCESS)
        ev.reason = w->failure_reason;

    if (!empty(w->ip)) {
        vg_str ip = vg_str_from(w->ip);
        if (!vg_auth__parse_ip(ip, &ev.ip)) {
            vg_auth__reject(c, "invalid IP address '%.*s'", (int)(ip.n > 64 ? 64 : ip.n), ip.p);
            return;
        }
    }
    if (!empty(w->workstation))
        ev.source_host = vg_auth__lower(c->a, vg_str_from(w->workstation));

    /* protocol and interactivity */
    int64_t lt = -1;
    if (w->logon_type)
        vg_str_to_i64(vg_str_trim(vg_str_from(w->logon_type)), &lt);
    if (id == 4768 || id == 4771)
        ev.proto = VG_PROTO_KERBEROS;
    else if (id == 4776)
        ev.proto = VG_PROTO_NTLM;
    else if (lt == 10)
        ev.proto = VG_PROTO_RDP;
    else if (w->auth_package && strncasecmp(w->auth_package, "NTLM", 4) == 0)
        ev.proto = VG_PROTO_NTLM;
    else if (w->auth_package && strncasecmp(w->auth_package, "Kerberos", 8) == 0)
        ev.proto = VG_PROTO_KERBEROS;
    else
        ev.proto = VG_PROTO_WINDOWS;
    if (lt == 2 || lt == 7 || lt == 10 || lt == 11)
        ev.interactive = 1;
    else if (lt == 3 || lt == 4 || lt == 8 || lt == 9)
        ev.interactive = 0;
    ev.app = w->process_name && !empty(w->process_name)
                 ? w->process_name
                 : (id == 4768 || id == 4771 ? "Kerberos" : id == 4776 ? "NTLM" : "Windows logon");
    if (w->correlation && *w->correlation)
        ev.correlation_id = w->correlation;
    vg_auth__emit(c, &ev);
}

/* ---- JSON ---------------------------------------------------------------------- */

static const char *jstr(auth_ctx *c, const aj_node *a, const aj_node *b, const char *key)
{
    const aj_node *n = AJ_GET(a, key);
    if ((!n || n->type == AJ_NULL) && b)
        n = AJ_GET(b, key);
    return n ? vg_auth__json_str(c->a, n) : NULL;
}

void vg_auth__winjson_record(auth_ctx *c, const aj_node *rec)
{
    win_fields w = {0};
    const aj_node *winlog = AJ_GET(rec, "winlog");
    const aj_node *data = NULL;
    if (winlog) {
        data = AJ_GET(winlog, "event_data");
        if (!vg_auth__json_int(AJ_GET(winlog, "event_id"), &w.event_id))
            vg_auth__json_int(AJ_GET(AJ_GET(rec, "event"), "code"), &w.event_id);
        w.computer = jstr(c, winlog, NULL, "computer_name");
        if (!w.computer)
            w.computer = jstr(c, AJ_GET(rec, "host"), NULL, "name");
        w.correlation = jstr(c, AJ_GET(winlog, "activity_id") ? winlog : NULL, NULL, "activity_id");
        if (!w.correlation) {
            const aj_node *rid = AJ_GET(winlog, "record_id");
            w.correlation = rid ? vg_auth__json_str(c->a, rid) : NULL;
        }
    } else {
        data = AJ_GET(rec, "EventData");
        if (data && data->type != AJ_OBJ)
            data = NULL;
        static const char *const idk[] = {"EventID", "EventId", "event_id", "EventCode", "Id", NULL};
        for (const char *const *k = idk; *k && !w.event_id; k++) {
            const aj_node *n = AJ_GET(rec, *k);
            if (n && n->type == AJ_OBJ) /* {"EventID": {"#text": "4625"}} */
                n = AJ_GET(n, "#text");
            vg_auth__json_int(n, &w.event_id);
        }
        static const char *const hk[] = {"Computer", "Hostname", "MachineName", "computer_name",
                                         "host", NULL};
        for (const char *const *k = hk; *k && !w.computer; k++) {
            const aj_node *n = AJ_GET(rec, *k);
            if (n && n->type == AJ_STR)
                w.computer = vg_auth__json_str(c->a, n);
        }
        w.correlation = jstr(c, rec, NULL, "ActivityID");
        if (!w.correlation)
            w.correlation = jstr(c, rec, NULL, "RecordNumber");
    }
    if (!w.event_id) {
        vg_auth__reject(c, "Windows JSON record without an event id");
        return;
    }
    /* time */
    static const char *const tk[] = {"@timestamp", "TimeCreated", "TimeGenerated", "EventTime",
                                     "timestamp", "SystemTime", "time", NULL};
    const aj_node *tn = NULL;
    for (const char *const *k = tk; *k && !tn; k++) {
        tn = AJ_GET(rec, *k);
        if (tn && tn->type == AJ_OBJ) /* {"TimeCreated": {"SystemTime": ...}} */
            tn = AJ_GET(tn, "SystemTime");
    }
    if (!tn) {
        vg_auth__reject(c, "Windows JSON record without a time");
        return;
    }
    vg_str tv = vg_auth__json_view(tn);
    /* PowerShell's ConvertTo-Json writes "/Date(1605261600000)/" */
    if (vg_str_starts_with(tv, VG_STR("/Date(")) && tv.n > 8) {
        vg_str inner = vg_str_sub(tv, 6, tv.n - 8);
        int64_t ms;
        if (vg_str_to_i64(inner, &ms))
            w.time_ms = ms;
    } else if (!vg_auth__parse_time(tv, &w.time_ms)) {
        vg_auth__reject(c, "bad timestamp '%.*s'", (int)(tv.n > 64 ? 64 : tv.n), tv.p);
        return;
    }
    const aj_node *src = data ? data : rec;
    const aj_node *alt = data ? rec : NULL;
    w.target_user = jstr(c, src, alt, "TargetUserName");
    if (!w.target_user && winlog) /* ECS */
        w.target_user = jstr(c, AJ_GET(rec, "user"), NULL, "name");
    w.target_domain = jstr(c, src, alt, "TargetDomainName");
    if (!w.target_domain && winlog)
        w.target_domain = jstr(c, AJ_GET(rec, "user"), NULL, "domain");
    w.ip = jstr(c, src, alt, "IpAddress");
    if (!w.ip && winlog)
        w.ip = jstr(c, AJ_GET(rec, "source"), NULL, "ip");
    w.workstation = jstr(c, src, alt, "WorkstationName");
    if (!w.workstation)
        w.workstation = jstr(c, src, alt, "Workstation");
    w.status = jstr(c, src, alt, "Status");
    if (!w.status)
        w.status = jstr(c, src, alt, "ErrorCode"); /* 4776 in some exports */
    w.substatus = jstr(c, src, alt, "SubStatus");
    w.failure_reason = jstr(c, src, alt, "FailureReason");
    w.logon_type = jstr(c, src, alt, "LogonType");
    w.auth_package = jstr(c, src, alt, "AuthenticationPackageName");
    w.service_name = jstr(c, src, alt, "ServiceName");
    w.process_name = jstr(c, src, alt, "ProcessName");
    vg_auth__windows_event(c, &w);
}

/* ---- XML ------------------------------------------------------------------------- */

void vg_auth__xml_ctxt_free(void *ctxt) { xmlFreeParserCtxt(ctxt); }

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void) { xmlInitParser(); }

static bool name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const char *text_of(auth_ctx *c, xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return NULL;
    const char *s = vg_arena_strdup(c->a, (const char *)t);
    xmlFree(t);
    vg_str v = vg_str_trim(vg_str_from(s));
    return vg_arena_strndup(c->a, v.p, v.n);
}

static const char *attr_of(auth_ctx *c, xmlNode *n, const char *name)
{
    xmlChar *t = xmlGetProp(n, (const xmlChar *)name);
    if (!t)
        return NULL;
    const char *s = vg_arena_strdup(c->a, (const char *)t);
    xmlFree(t);
    return s;
}

void vg_auth__winxml_event(auth_ctx *c, const char *xml, size_t n)
{
    pthread_once(&xml_once, xml_init);
    if (n > INT32_MAX) {
        vg_auth__reject(c, "event XML too large");
        return;
    }
    /* one parser context per input, reused: setting one up costs more than
     * parsing a 1 KB event */
    void **slot = vg_auth__source_xml_slot(c->src);
    if (!*slot)
        *slot = xmlNewParserCtxt();
    xmlParserCtxtPtr ctxt = *slot;
    xmlDoc *doc = ctxt ? xmlCtxtReadMemory(ctxt, xml, (int)n, NULL, NULL,
                                           XML_PARSE_NONET | XML_PARSE_NOERROR |
                                               XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)
                       : NULL;
    if (!doc) {
        const xmlError *err = ctxt ? xmlCtxtGetLastError(ctxt) : xmlGetLastError();
        vg_str msg = err && err->message ? vg_str_trim(vg_str_from(err->message)) : VG_STR_NULL;
        if (msg.n)
            vg_auth__reject(c, "invalid event XML: %.*s", (int)(msg.n > 120 ? 120 : msg.n), msg.p);
        else
            vg_auth__reject(c, "invalid event XML");
        if (ctxt)
            xmlCtxtResetLastError(ctxt);
        xmlResetLastError();
        return;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !name_is(root, "Event")) {
        xmlFreeDoc(doc);
        vg_auth__reject(c, "XML element is not a Windows <Event>");
        return;
    }
    win_fields w = {0};
    bool have_id = false;
    const char *payload = NULL, *exec_pid = NULL;
    for (xmlNode *sec = root->children; sec; sec = sec->next) {
        if (name_is(sec, "System")) {
            for (xmlNode *f = sec->children; f; f = f->next) {
                if (name_is(f, "EventID")) {
                    const char *t = text_of(c, f);
                    have_id = t && vg_str_to_i64(vg_str_from(t), &w.event_id);
                } else if (name_is(f, "TimeCreated")) {
                    const char *t = attr_of(c, f, "SystemTime");
                    if (t && !vg_auth__parse_time(vg_str_from(t), &w.time_ms)) {
                        xmlFreeDoc(doc);
                        vg_auth__reject(c, "bad timestamp '%.64s'", t);
                        return;
                    }
                } else if (name_is(f, "Computer")) {
                    w.computer = text_of(c, f);
                } else if (name_is(f, "Correlation")) {
                    w.correlation = attr_of(c, f, "ActivityID");
                } else if (name_is(f, "Provider")) {
                    w.provider = attr_of(c, f, "Name");
                } else if (name_is(f, "Execution")) {
                    exec_pid = attr_of(c, f, "ProcessID");
                }
            }
        } else if (name_is(sec, "EventData")) {
            for (xmlNode *d = sec->children; d; d = d->next) {
                if (!name_is(d, "Data"))
                    continue;
                const char *nm = attr_of(c, d, "Name");
                if (!nm)
                    continue;
                const char *v = text_of(c, d);
                if (!strcmp(nm, "TargetUserName"))
                    w.target_user = v;
                else if (!strcmp(nm, "TargetDomainName"))
                    w.target_domain = v;
                else if (!strcmp(nm, "TargetSid"))
                    w.target_sid = v;
                else if (!strcmp(nm, "SubjectUserName"))
                    w.subject_user = v;
                else if (!strcmp(nm, "IpAddress"))
                    w.ip = v;
                else if (!strcmp(nm, "WorkstationName") || !strcmp(nm, "Workstation"))
                    w.workstation = v;
                else if (!strcmp(nm, "Status"))
                    w.status = v;
                else if (!strcmp(nm, "SubStatus"))
                    w.substatus = v;
                else if (!strcmp(nm, "FailureReason"))
                    w.failure_reason = v;
                else if (!strcmp(nm, "LogonType"))
                    w.logon_type = v;
                else if (!strcmp(nm, "AuthenticationPackageName"))
                    w.auth_package = v;
                else if (!strcmp(nm, "LogonProcessName"))
                    w.logon_process = v;
                else if (!strcmp(nm, "ServiceName"))
                    w.service_name = v;
                else if (!strcmp(nm, "ProcessName"))
                    w.process_name = v;
                else if (!strcmp(nm, "TicketOptions"))
                    w.ticket_options = v;
                else if (!strcmp(nm, "PreAuthType"))
                    w.preauth_type = v;
                else if (!strcmp(nm, "payload"))
                    payload = v;
            }
        }
    }
    xmlFreeDoc(doc);
    if (!have_id) {
        vg_auth__reject(c, "Windows event XML without an EventID");
        return;
    }
    if (w.provider && strcmp(w.provider, "OpenSSH") == 0) {
        /* Win32-OpenSSH logs sshd's own messages to OpenSSH/Operational */
        if (!payload || !w.time_ms) {
            vg_auth__ignore(c);
            return;
        }
        int64_t pid = 0;
        if (exec_pid)
            vg_str_to_i64(vg_str_from(exec_pid), &pid);
        vg_auth__recognized(c, VG_AUTH_FMT_SSHD);
        vg_auth__sshd_message(c, vg_auth__source_sshd(c->src), w.time_ms,
                              w.computer ? w.computer : "", pid, vg_str_from(payload));
        return;
    }
    vg_auth__windows_event(c, &w);
}
