/* words.c — plain words for people: TLP labels, ATT&CK techniques, finding
 * kinds and the national CERT to report to, per country. */
#include <string.h>

#include "notify/notify_int.h"

/* ---- TLP 2.0 (https://www.first.org/tlp/) --------------------------------------- */

static const char *const tlp_labels[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
                                         "TLP:AMBER+STRICT", "TLP:RED"};
static const char *const tlp_meanings[] = {
    "Recipients may spread this to the world; there is no limit on disclosure.",
    "Recipients may share this with peers and partner organizations within their community, "
    "but not via publicly accessible channels.",
    "Recipients may share this only on a need-to-know basis within their organization and with "
    "its clients who need it to protect themselves or prevent further harm.",
    "Recipients may share this only on a need-to-know basis within their own organization.",
    "For the eyes and ears of the individual recipients only; no further disclosure.",
};

const char *vg_tlp_label(vg_tlp t) { return (unsigned)t <= VG_TLP_RED ? tlp_labels[t] : tlp_labels[2]; }
const char *vg_tlp_meaning(vg_tlp t)
{
    return (unsigned)t <= VG_TLP_RED ? tlp_meanings[t] : tlp_meanings[2];
}

bool vg_tlp_parse(const char *s, vg_tlp *out)
{
    if (!s)
        return false;
    if (strncasecmp(s, "tlp:", 4) == 0)
        s += 4;
    static const struct {
        const char *name;
        vg_tlp t;
    } names[] = {{"clear", VG_TLP_CLEAR}, {"white", VG_TLP_CLEAR}, {"green", VG_TLP_GREEN},
                 {"amber", VG_TLP_AMBER}, {"amber+strict", VG_TLP_AMBER_STRICT},
                 {"red", VG_TLP_RED}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].t;
            return true;
        }
    return false;
}

/* ---- ATT&CK techniques (names as in ATT&CK Enterprise v14) ---------------------------- */

static const struct {
    const char *id, *name, *words;
} techniques[] = {
    {"T1021.004", "Remote Services: SSH", "signing in to servers over SSH with stolen or guessed credentials"},
    {"T1078", "Valid Accounts", "using real accounts whose credentials they obtained, so their activity looks like normal work"},
    {"T1078.004", "Valid Accounts: Cloud Accounts", "using real cloud (Microsoft 365, Okta) accounts whose credentials they obtained"},
    {"T1090", "Proxy", "hiding where they connect from behind proxies"},
    {"T1090.003", "Proxy: Multi-hop Proxy", "connecting through Tor or chains of proxies so their real location is hidden"},
    {"T1098.001", "Account Manipulation: Additional Cloud Credentials", "adding their own credentials to a cloud account or application to keep access"},
    {"T1110", "Brute Force", "guessing passwords"},
    {"T1110.001", "Brute Force: Password Guessing", "trying many passwords against one account"},
    {"T1110.003", "Brute Force: Password Spraying", "trying a few common passwords against many accounts, slowly, to stay under lockout limits"},
    {"T1110.004", "Brute Force: Credential Stuffing", "trying user name and password pairs leaked from other breaches"},
    {"T1111", "Multi-Factor Authentication Interception", "intercepting or tricking users into approving multi-factor prompts"},
    {"T1114", "Email Collection", "reading and stealing mail"},
    {"T1114.002", "Email Collection: Remote Email Collection", "reading mailboxes remotely with stolen credentials (for example over IMAP or Exchange Web Services)"},
    {"T1114.003", "Email Collection: Email Forwarding Rule", "adding forwarding rules so copies of mail go to them"},
    {"T1133", "External Remote Services", "signing in through VPN, remote desktop or other services exposed to the Internet"},
    {"T1190", "Exploit Public-Facing Application", "exploiting a vulnerable Internet-facing server"},
    {"T1195.002", "Supply Chain Compromise: Compromise Software Supply Chain", "tampering with software before it reaches you"},
    {"T1199", "Trusted Relationship", "coming in through a partner or supplier you trust"},
    {"T1204.002", "User Execution: Malicious File", "persuading someone to open a malicious attachment"},
    {"T1528", "Steal Application Access Token", "stealing tokens that let applications act for a user"},
    {"T1534", "Internal Spearphishing", "sending phishing from an account already compromised inside the organization"},
    {"T1556", "Modify Authentication Process", "weakening how accounts sign in"},
    {"T1566", "Phishing", "sending deceptive mail"},
    {"T1566.001", "Phishing: Spearphishing Attachment", "sending targeted mail with a malicious attachment"},
    {"T1566.002", "Phishing: Spearphishing Link", "sending targeted mail with a link to a malicious or credential-stealing site"},
    {"T1566.003", "Phishing: Spearphishing via Service", "approaching people through social media or messaging services rather than mail"},
    {"T1583.001", "Acquire Infrastructure: Domains", "registering look-alike domains to impersonate trusted names"},
    {"T1585.001", "Establish Accounts: Social Media Accounts", "creating fake social media personas (for example recruiters)"},
    {"T1585.002", "Establish Accounts: Email Accounts", "creating mail accounts (often free-mail) to send from"},
    {"T1586", "Compromise Accounts", "taking over existing accounts to use them in attacks"},
    {"T1589.001", "Gather Victim Identity Information: Credentials", "collecting credentials of your staff"},
    {"T1598", "Phishing for Information", "sending deceptive mail to obtain information"},
    {"T1598.003", "Phishing for Information: Spearphishing Link", "sending targeted mail with a link to a fake sign-in page to steal passwords"},
    {"T1656", "Impersonation", "pretending to be a trusted person or organization (such as the World Health Organization or a recruiter)"},
};

static int technique_index(const char *tid)
{
    if (!tid)
        return -1;
    for (size_t i = 0; i < sizeof techniques / sizeof techniques[0]; i++)
        if (strcasecmp(techniques[i].id, tid) == 0)
            return (int)i;
    /* A sub-technique we do not know: answer with its parent. */
    const char *dot = strchr(tid, '.');
    if (dot) {
        size_t plen = (size_t)(dot - tid);
        for (size_t i = 0; i < sizeof techniques / sizeof techniques[0]; i++)
            if (strlen(techniques[i].id) == plen && strncasecmp(techniques[i].id, tid, plen) == 0)
                return (int)i;
    }
    return -1;
}

const char *vg_technique_name(const char *tid)
{
    int i = technique_index(tid);
    return i < 0 ? NULL : techniques[i].name;
}

const char *vg_technique_words(const char *tid)
{
    int i = technique_index(tid);
    return i < 0 ? NULL : techniques[i].words;
}

/* ---- finding kinds (DESIGN.md "Kinds of finding") -------------------------------------- */

static const struct {
    const char *kind, *words;
} kinds[] = {
    {"phish.impersonation", "mail impersonating a trusted person, brand or organization"},
    {"phish.lookalike_domain", "mail from a domain made to look like a trusted one"},
    {"phish.lure", "mail with a lure theme used by targeted phishing"},
    {"phish.credential_link", "mail linking to a page that collects passwords"},
    {"phish.attachment", "mail with a dangerous attachment"},
    {"cred.bruteforce", "password guessing against an account"},
    {"cred.spray", "password spraying: a few passwords tried against many accounts"},
    {"cred.stuffing", "credential stuffing: leaked user name and password pairs tried"},
    {"cred.compromise", "a sign-in by the attacker with a valid password"},
    {"cred.stale_credentials", "repeated failures from an old saved password (usually benign)"},
    {"ioc.match", "activity from infrastructure known to belong to a threat actor"},
};

const char *vg_kind_words(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].words;
    return kind ? kind : "";
}

const char *vg_confidence_words(vg_confidence c)
{
    switch (c) {
    case VG_CONF_HIGH: return "high";
    case VG_CONF_MODERATE: return "moderate";
    case VG_CONF_LOW: return "low";
    default: return "none (not attributed)";
    }
}

/* ---- countries (ISO 3166-1 alpha-2 names, short forms) ---------------------------------- */

static const struct {
    const char *code, *name;
} countries[] = {
    {"AT", "Austria"},       {"AU", "Australia"},    {"BE", "Belgium"},     {"BR", "Brazil"},
    {"BY", "Belarus"},       {"CA", "Canada"},       {"CH", "Switzerland"}, {"CN", "China"},
    {"DE", "Germany"},       {"DK", "Denmark"},      {"ES", "Spain"},       {"FI", "Finland"},
    {"FR", "France"},        {"GB", "United Kingdom"}, {"IE", "Ireland"},   {"IL", "Israel"},
    {"IN", "India"},         {"IR", "Iran"},         {"IT", "Italy"},       {"JP", "Japan"},
    {"KP", "North Korea"},   {"KR", "South Korea"},  {"NL", "Netherlands"}, {"NO", "Norway"},
    {"NZ", "New Zealand"},   {"PK", "Pakistan"},     {"PL", "Poland"},      {"RU", "Russia"},
    {"SE", "Sweden"},        {"SG", "Singapore"},    {"TR", "Turkey"},      {"UA", "Ukraine"},
    {"UK", "United Kingdom"}, {"US", "United States"}, {"VN", "Vietnam"},
};

const char *vg_country_name(const char *code)
{
    for (size_t i = 0; code && i < sizeof countries / sizeof countries[0]; i++)
        if (strcasecmp(countries[i].code, code) == 0)
            return countries[i].name;
    return NULL;
}

void vg_country_words(vg_buf *b, const char *code)
{
    const char *name = vg_country_name(code);
    if (name)
        vg_buf_printf(b, "%s (%s)", name, code);
    else
        vg_buf_puts(b, code ? code : "");
}

/* ---- national CERTs / CSIRTs -------------------------------------------------------------- */

static const vg_cert certs[] = {
    {"AT", "CERT.at", "https://www.cert.at/"},
    {"AU", "Australian Signals Directorate's Australian Cyber Security Centre (ASD's ACSC)",
     "https://www.cyber.gov.au/report-and-recover/report"},
    {"BE", "Centre for Cybersecurity Belgium (CCB / CERT.be)", "https://ccb.belgium.be/"},
    {"BR", "CERT.br", "https://www.cert.br/"},
    {"CA", "Canadian Centre for Cyber Security (CCCS)", "https://www.cyber.gc.ca/en/incident-management"},
    {"CH", "Swiss National Cyber Security Centre (NCSC)", "https://www.ncsc.admin.ch/"},
    {"DE", "Federal Office for Information Security (BSI, CERT-Bund)", "https://www.bsi.bund.de/"},
    {"DK", "Centre for Cyber Security (CFCS)", "https://www.cfcs.dk/"},
    {"ES", "INCIBE-CERT", "https://www.incibe.es/incibe-cert"},
    {"FI", "National Cyber Security Centre Finland (NCSC-FI, Traficom)",
     "https://www.kyberturvallisuuskeskus.fi/"},
    {"FR", "CERT-FR (ANSSI)", "https://www.cert.ssi.gouv.fr/"},
    {"GB", "National Cyber Security Centre (NCSC)", "https://report.ncsc.gov.uk/"},
    {"IE", "National Cyber Security Centre Ireland (NCSC-IE)", "https://www.ncsc.gov.ie/"},
    {"IL", "Israel National Cyber Directorate (INCD)",
     "https://www.gov.il/en/departments/israel_national_cyber_directorate"},
    {"IN", "CERT-In (Indian Computer Emergency Response Team)", "https://www.cert-in.org.in/"},
    {"IT", "CSIRT Italia (ACN)", "https://www.csirt.gov.it/"},
    {"JP", "JPCERT/CC", "https://www.jpcert.or.jp/english/"},
    {"KR", "KrCERT/CC (Korea Internet & Security Agency, KISA)", "https://www.krcert.or.kr/"},
    {"NL", "National Cyber Security Centre (NCSC-NL)", "https://www.ncsc.nl/"},
    {"NO", "Norwegian National Cyber Security Centre (NCSC, NSM)", "https://nsm.no/"},
    {"NZ", "National Cyber Security Centre New Zealand (CERT NZ)", "https://www.ncsc.govt.nz/"},
    {"PL", "CERT Polska", "https://cert.pl/en/"},
    {"SE", "CERT-SE", "https://www.cert.se/"},
    {"SG", "Singapore Computer Emergency Response Team (SingCERT)", "https://www.csa.gov.sg/"},
    {"UA", "CERT-UA", "https://cert.gov.ua/"},
    {"UK", "National Cyber Security Centre (NCSC)", "https://report.ncsc.gov.uk/"},
    {"US", "Cybersecurity and Infrastructure Security Agency (CISA)", "https://www.cisa.gov/report"},
};

static const vg_cert generic_cert = {
    "", "your national CERT / CSIRT (FIRST keeps a directory of teams)",
    "https://www.first.org/members/teams/"};

const vg_cert *vg_cert_for(const char *country)
{
    if (country && *country)
        for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++)
            if (strcasecmp(certs[i].country, country) == 0)
                return &certs[i];
    return &generic_cert;
}
