/* demo_world.c — the demo's world: eight fictitious organizations (seven
 * COVID-19 vaccine and treatment researchers in CA, FR, IN, KR and the US,
 * one untargeted control), their people, addresses and devices, and the
 * three actors' infrastructure, all drawn from the seed.
 *
 * Addresses: attackers and everyone else live in ranges that never route on
 * the internet: 198.18.0.0/15 (benchmarking, RFC 2544) for home broadband,
 * mobile carriers, internet scanners and STRONTIUM's rotating pool (mixed, as
 * on the real internet); 198.51.100.0/24 (TEST-NET-2) for office NATs;
 * 192.0.2.0/24 (TEST-NET-1) for hotels, partners and legitimate mailers;
 * 203.0.113.0/24 (TEST-NET-3) for ZINC and CERIUM servers; 2001:db8::/32 for
 * IPv6. AS numbers come from the documentation ranges of RFC 5398. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "demo/demo_int.h"

const char *const dm_actor_names[3] = {"STRONTIUM", "ZINC", "CERIUM"};

/* ---- geography -------------------------------------------------------------- */

typedef struct geo {
    const char *cc, *city, *state;
    double lat, lon;
    int tz;
} geo;

static const geo geo_us[] = {
    {"US", "Cambridge", "Massachusetts", 42.3736, -71.1097, -300},
    {"US", "Boston", "Massachusetts", 42.3601, -71.0589, -300},
    {"US", "Rockville", "Maryland", 39.0840, -77.1528, -300},
    {"US", "Raleigh", "North Carolina", 35.7796, -78.6382, -300},
    {"US", "Princeton", "New Jersey", 40.3573, -74.6672, -300},
    {"US", "San Diego", "California", 32.7157, -117.1611, -480},
    {"US", "Seattle", "Washington", 47.6062, -122.3321, -480},
};
static const geo geo_ca[] = {
    {"CA", "Toronto", "Ontario", 43.6532, -79.3832, -300},
    {"CA", "Montreal", "Quebec", 45.5017, -73.5673, -300},
    {"CA", "Vancouver", "British Columbia", 49.2827, -123.1207, -480},
    {"CA", "Ottawa", "Ontario", 45.4215, -75.6972, -300},
};
static const geo geo_fr[] = {
    {"FR", "Lyon", "Auvergne-Rhone-Alpes", 45.7640, 4.8357, 60},
    {"FR", "Paris", "Ile-de-France", 48.8566, 2.3522, 60},
    {"FR", "Strasbourg", "Grand Est", 48.5734, 7.7521, 60},
    {"FR", "Toulouse", "Occitanie", 43.6047, 1.4442, 60},
};
static const geo geo_in[] = {
    {"IN", "Hyderabad", "Telangana", 17.3850, 78.4867, 330},
    {"IN", "Pune", "Maharashtra", 18.5204, 73.8567, 330},
    {"IN", "Bengaluru", "Karnataka", 12.9716, 77.5946, 330},
    {"IN", "Ahmedabad", "Gujarat", 23.0225, 72.5714, 330},
};
static const geo geo_kr[] = {
    {"KR", "Seoul", "Seoul", 37.5665, 126.9780, 540},
    {"KR", "Seongnam", "Gyeonggi-do", 37.4200, 127.1265, 540},
    {"KR", "Incheon", "Incheon", 37.4563, 126.7052, 540},
    {"KR", "Daejeon", "Daejeon", 36.3504, 127.3845, 540},
};
static const geo geo_tor[] = {
    {"DE", "Frankfurt am Main", "Hesse", 50.1109, 8.6821, 60},
    {"DE", "Nuremberg", "Bavaria", 49.4521, 11.0767, 60},
    {"NL", "Amsterdam", "North Holland", 52.3676, 4.9041, 60},
    {"NL", "Dronten", "Flevoland", 52.5250, 5.7181, 60},
    {"FR", "Roubaix", "Hauts-de-France", 50.6942, 3.1746, 60},
    {"RO", "Bucharest", "Bucuresti", 44.4268, 26.1025, 120},
    {"SE", "Stockholm", "Stockholm", 59.3293, 18.0686, 60},
    {"CH", "Zurich", "Zurich", 47.3769, 8.5417, 60},
    {"LU", "Luxembourg", "Luxembourg", 49.6116, 6.1319, 60},
    {"FI", "Helsinki", "Uusimaa", 60.1699, 24.9384, 120},
    {"AT", "Vienna", "Vienna", 48.2082, 16.3738, 60},
    {"MD", "Chisinau", "Chisinau", 47.0105, 28.8638, 120},
    {"NO", "Oslo", "Oslo", 59.9139, 10.7522, 60},
    {"US", "Ashburn", "Virginia", 39.0438, -77.4874, -300},
    {"CA", "Beauharnois", "Quebec", 45.3151, -73.8779, -300},
    {"LV", "Riga", "Riga", 56.9496, 24.1052, 120},
    {"BG", "Sofia", "Sofia-City", 42.6977, 23.3219, 120},
    {"PL", "Warsaw", "Mazowieckie", 52.2297, 21.0122, 60},
};
static const geo geo_hotel[] = {
    {"CH", "Geneva", "Geneva", 46.2044, 6.1432, 60},
    {"SG", "Singapore", "Singapore", 1.3521, 103.8198, 480},
    {"DE", "Frankfurt am Main", "Hesse", 50.1109, 8.6821, 60},
    {"GB", "London", "England", 51.5072, -0.1276, 0},
    {"BE", "Brussels", "Brussels", 50.8503, 4.3517, 60},
    {"JP", "Tokyo", "Tokyo", 35.6762, 139.6503, 540},
};
static const geo geo_vps[] = {
    {"US", "Dallas", "Texas", 32.7767, -96.7970, -360},
    {"IT", "Milan", "Lombardy", 45.4642, 9.1900, 60},
    {"IN", "Mumbai", "Maharashtra", 19.0760, 72.8777, 330},
    {"GB", "London", "England", 51.5072, -0.1276, 0},
};

static const geo *country_geos(const char *cc, size_t *n)
{
#define G(arr)                                                                                     \
    do {                                                                                           \
        *n = DM_COUNT(arr);                                                                        \
        return arr;                                                                                \
    } while (0)
    if (strcmp(cc, "US") == 0)
        G(geo_us);
    if (strcmp(cc, "CA") == 0)
        G(geo_ca);
    if (strcmp(cc, "FR") == 0)
        G(geo_fr);
    if (strcmp(cc, "IN") == 0)
        G(geo_in);
    G(geo_kr);
#undef G
}

/* ---- names ------------------------------------------------------------------------- */

static const char *const first_en[] = {
    "James",   "Mary",      "Robert",  "Patricia", "John",    "Jennifer", "Michael", "Linda",
    "David",   "Elizabeth", "William", "Barbara",  "Richard", "Susan",    "Joseph",  "Jessica",
    "Thomas",  "Sarah",     "Charles", "Karen",    "Daniel",  "Nancy",    "Matthew", "Lisa",
    "Anthony", "Emily",     "Mark",    "Michelle", "Steven",  "Laura",    "Andrew",  "Rachel",
    "Kevin",   "Amanda",    "Brian",   "Megan",    "Priya",   "Wei",      "Carlos",  "Sofia",
    "Omar",    "Aisha",     "Hannah",  "Ethan",    "Olivia",  "Noah",     "Grace",   "Samuel",
    "Julia",   "Benjamin",  "Natalie", "Gabriel",  "Chloe",   "Nathan",   "Zoe",     "Marcus",
    "Leah",    "Isaac",     "Maya",    "Adrian",   "Diana",   "Victor",   "Elena",   "Jonah"};
static const char *const last_en[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",    "Jones",    "Garcia",   "Miller",  "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",    "Wilson",   "Anderson", "Taylor",  "Moore",
    "Jackson",   "Martin",   "Lee",       "Thompson", "White",    "Harris",   "Clark",   "Lewis",
    "Robinson",  "Walker",   "Young",     "Allen",    "King",     "Wright",   "Scott",   "Green",
    "Baker",     "Adams",    "Nelson",    "Hill",     "Campbell", "Mitchell", "Roberts", "Carter",
    "Phillips",  "Evans",    "Turner",    "Chen",     "Patel",    "Nguyen",   "Kim",     "Okafor",
    "Cohen",     "Murphy",   "Sullivan",  "Reyes",    "Foster",   "Hughes",   "Bennett", "Brooks",
    "Kelly",     "Sanders",  "Price",     "Wood",     "Ross",     "Russell",  "Fischer"};
static const char *const first_cafr[] = {
    "Marie",   "Julie",     "Mathieu", "Alexandre", "Sophie",   "Isabelle", "Louis", "Catherine",
    "Étienne", "Geneviève", "Olivier", "Nathalie",  "François", "Mélanie",  "Simon", "Émilie"};
static const char *const last_cafr[] = {"Tremblay", "Gagnon",    "Roy",      "Côté",    "Bouchard",
                                        "Gauthier", "Morin",     "Lavoie",   "Fortin",  "Gagné",
                                        "Ouellet",  "Pelletier", "Bélanger", "Lévesque"};
static const char *const first_fr[] = {
    "Camille", "Léa",       "Manon",    "Chloé",     "Inès",     "Sarah",  "Emma",
    "Lucas",   "Hugo",      "Louis",    "Nathan",    "Thomas",   "Julien", "Nicolas",
    "Antoine", "Maxime",    "Pierre",   "Marie",     "Claire",   "Élodie", "Aurélie",
    "Céline",  "Sébastien", "François", "Guillaume", "Mathilde", "Hélène", "Vincent",
    "Romain",  "Juliette",  "Amélie",   "Benoît",    "Cécile",   "Damien", "Océane"};
static const char *const last_fr[] = {
    "Martin",   "Bernard", "Dubois",   "Thomas",   "Robert",   "Richard", "Petit",   "Durand",
    "Leroy",    "Moreau",  "Simon",    "Laurent",  "Lefebvre", "Michel",  "Garcia",  "David",
    "Bertrand", "Roux",    "Vincent",  "Fournier", "Morel",    "Girard",  "André",   "Lefèvre",
    "Mercier",  "Dupont",  "Lambert",  "Bonnet",   "Legrand",  "Garnier", "Faure",   "Rousseau",
    "Blanc",    "Guérin",  "Muller",   "Henry",    "Roussel",  "Perrin",  "Mathieu", "Clément",
    "Gauthier", "Dumont",  "Fontaine", "Chevalier"};
static const char *const first_in[] = {
    "Aarav",  "Vivaan", "Aditya", "Arjun",  "Sai",     "Rohan",  "Ananya", "Diya",   "Priya",
    "Kavya",  "Aditi",  "Sneha",  "Rahul",  "Amit",    "Vikram", "Suresh", "Ramesh", "Lakshmi",
    "Deepa",  "Pooja",  "Neha",   "Anjali", "Karthik", "Sanjay", "Meera",  "Divya",  "Harish",
    "Nikhil", "Shreya", "Varun",  "Ishaan", "Gayatri", "Manoj",  "Swati",  "Anil",   "Rekha"};
static const char *const last_in[] = {
    "Sharma",      "Verma",      "Gupta",    "Reddy",     "Rao",   "Iyer",  "Nair",      "Menon",
    "Patel",       "Shah",       "Desai",    "Kulkarni",  "Joshi", "Mehta", "Singh",     "Kumar",
    "Pillai",      "Chatterjee", "Banerjee", "Mukherjee", "Bose",  "Das",   "Naidu",     "Krishnan",
    "Subramanian", "Agarwal",    "Kapoor",   "Malhotra",  "Bhat",  "Hegde", "Deshpande", "Gowda"};
static const char *const first_kr[] = {
    "Min-jun", "Seo-yeon",  "Ji-ho",    "Ha-eun",  "Do-yun",   "Seo-jun", "Ji-woo",
    "Su-bin",  "Ye-jin",    "Hyun-woo", "Jae-won", "Eun-ji",   "Soo-ah",  "Dong-hyun",
    "Ji-hoon", "Yeon-woo",  "Sung-min", "Hye-jin", "Tae-yang", "Min-seo", "Jun-ho",
    "So-yeon", "Kyung-soo", "Na-rae",   "Sang-woo"};
static const char *const last_kr[] = {"Kim",  "Lee",   "Park", "Choi", "Jung", "Kang", "Cho",
                                      "Yoon", "Jang",  "Lim",  "Han",  "Oh",   "Seo",  "Shin",
                                      "Kwon", "Hwang", "Ahn",  "Song", "Jeon", "Hong", "Moon"};

static const char *const titles_research[] = {"Research Scientist",
                                              "Senior Scientist, Vaccine Development",
                                              "Principal Investigator",
                                              "Immunologist",
                                              "Virologist",
                                              "Research Associate",
                                              "Lab Technician",
                                              "Process Development Engineer",
                                              "Formulation Scientist",
                                              "Bioinformatician",
                                              "Head of Translational Research",
                                              "Postdoctoral Fellow",
                                              "Analytical Chemist"};
static const char *const titles_clinical[] = {
    "Clinical Research Associate", "Clinical Trial Manager",    "Biostatistician",
    "Clinical Data Manager",       "Medical Director",          "Pharmacovigilance Specialist",
    "Regulatory Affairs Manager",  "Study Start-Up Specialist", "Clinical Operations Lead"};
static const char *const titles_corp[] = {"Finance Manager",
                                          "HR Business Partner",
                                          "Procurement Specialist",
                                          "IT Administrator",
                                          "Quality Assurance Specialist",
                                          "Office Manager",
                                          "Legal Counsel",
                                          "Communications Lead",
                                          "Supply Chain Analyst",
                                          "Business Development Manager",
                                          "Executive Assistant"};

/* ---- organization templates ------------------------------------------------------------ */

typedef struct slot {
    const char *blurb, *sector;
    const char *countries; /* candidates, two letters each */
    const char *const *suffix;
    size_t n_suffix;
    int min_users, max_users;
} slot;

static const char *const suf_vaccine[] = {"Vaccines", "Biologics", "BioPharma", "Immunologics"};
static const char *const suf_cro[] = {"Clinical Research", "Clinical Trials", "Trial Partners"};
static const char *const suf_dx[] = {"Diagnostics", "BioDiagnostics", "Molecular Dx"};
static const char *const suf_tx[] = {"Therapeutics", "Pharma", "BioSciences"};
static const char *const suf_dev[] = {"Medical Devices", "MedTech", "Surgical"};

static const slot slots[DM_N_ORGS] = {
    {"mRNA vaccine developer", "pharmaceutical", "US", suf_vaccine, 4, 110, 190},
    {"clinical research organization running COVID-19 vaccine trials", "clinical-research", "USIN",
     suf_cro, 3, 120, 210},
    {"developer of a COVID-19 test", "diagnostics", "KRUS", suf_dx, 3, 50, 110},
    {"vaccine researcher", "biotechnology", "CA", suf_vaccine, 4, 60, 130},
    {"developer of COVID-19 treatments", "pharmaceutical", "FR", suf_tx, 3, 70, 150},
    {"vaccine manufacturer", "pharmaceutical", "IN", suf_vaccine, 4, 90, 170},
    {"vaccine and antibody developer", "biotechnology", "KR", suf_tx, 3, 60, 120},
    {"orthopaedic device maker (untargeted control)", "medical-devices", "USCAFR", suf_dev, 3, 40,
     90},
};

static const char *const pre_en[] = {
    "Helix",     "Meridian",  "Northwind",   "Cobalt",      "Verity",      "Halcyon",
    "Beacon",    "Cedarline", "Lumen",       "Kestrel",     "Bluestem",    "Ardent",
    "Tidewater", "Larkspur",  "Sable Ridge", "Granite Bay", "Silverbirch", "Juniper"};
static const char *const pre_fr[] = {"Orméa",  "Sévigne",  "Valmont", "Clairval",
                                     "Aubrac", "Lusignan", "Vercors", "Belledonne"};
static const char *const pre_in[] = {"Narmada", "Sahyadri", "Kaveri",  "Godavari",
                                     "Nilgiri", "Aravalli", "Vindhya", "Tungabhadra"};
static const char *const pre_kr[] = {"Hanbit", "Saeron", "Mirae", "Hanul", "Dasol",
                                     "Bitna",  "Sejin",  "Garam", "Nuri",  "Haeum"};

/* ---- devices ------------------------------------------------------------------------------- */

static const char *const desktop_ua[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.111 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.183 Safari/537.36 Edg/86.0.622.63",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/14.0 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:82.0) Gecko/20100101 Firefox/82.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.111 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/85.0.4183.121 Safari/537.36",
};
static const char *const phone_ua[] = {"Apple-iPhone12C1/1802.94", "Apple-iPhone11C8/1801.6",
                                       "Android-Mail/2020.10.04.337140618",
                                       "SAMSUNG-SM-G973F/101.90000", "Apple-iPhone12C3/1802.94"};

/* UA indexes 0..5 desktop browsers, 6 Outlook desktop, 7 Teams, 8..12 phones,
 * 13 Outlook mobile; attacker UAs are added after. */
static void add_uas(dm_world *w)
{
    for (size_t i = 0; i < DM_COUNT(desktop_ua); i++)
        dm_ua_add(w, desktop_ua[i]);
    dm_ua_add(w, "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13231; Pro)");
    dm_ua_add(w, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                 "Gecko) Teams/1.3.00.24755 Chrome/69.0.3497.128 Electron/4.2.12 Safari/537.36");
    for (size_t i = 0; i < DM_COUNT(phone_ua); i++)
        dm_ua_add(w, phone_ua[i]);
    dm_ua_add(w, "Outlook-iOS/723.4027091.prod.iphone (4.2045.0)");
}

uint32_t dm_ua_add(dm_world *w, const char *ua)
{
    for (size_t i = 0; i < w->n_uas; i++)
        if (strcmp(w->uas[i], ua) == 0)
            return (uint32_t)i;
    w->uas = vg_xrealloc(w->uas, (w->n_uas + 1) * sizeof *w->uas);
    w->uas[w->n_uas] = ua;
    return (uint32_t)w->n_uas++;
}

/* ---- addresses ---------------------------------------------------------------------------- */

static bool ip_claim(dm_world *w, const char *addr)
{
    bool created = false;
    void **sl = vg_htable_put(w->ip_seen, addr, strlen(addr), INT64_MAX, &created);
    return sl && created;
}

static uint32_t ip_push(dm_world *w, const char *addr, uint8_t kind, const geo *g, uint32_t asn)
{
    w->ips = vg_xgrow(w->ips, &w->cap_ips, w->n_ips + 1, sizeof *w->ips);
    dm_ip *ip = &w->ips[w->n_ips];
    memset(ip, 0, sizeof *ip);
    snprintf(ip->addr, sizeof ip->addr, "%s", addr);
    if (g) {
        memcpy(ip->country, g->cc, 2);
        ip->city = g->city;
        ip->state = g->state;
        ip->lat = g->lat;
        ip->lon = g->lon;
    }
    ip->asn = asn;
    ip->kind = kind;
    return (uint32_t)w->n_ips++;
}

static int net_index(const char *a)
{
    int b, c;
    if (sscanf(a, "198.%d.%d.", &b, &c) != 2 || b < 18 || b > 19)
        return -1;
    return (b - 18) * 256 + c;
}

static int net_take(dm_world *w, dm_rng *r, int kind, const char *cc)
{
    for (int tries = 0; tries < 100000; tries++) {
        int n = (int)dm_below(r, 512);
        if (w->net_kind[n] != DM_NET_FREE)
            continue;
        w->net_kind[n] = (uint8_t)kind;
        snprintf(w->net_cc[n], sizeof w->net_cc[n], "%s", cc ? cc : "");
        return n;
    }
    vg_panic("demo: out of /24 networks");
}

/* Residential ISPs and carriers: two or three ASes per country. */
static uint32_t country_asn(const char *cc, int which)
{
    static const char *const ccs[] = {"US", "CA", "FR", "IN", "KR"};
    int k = 0;
    for (int i = 0; i < 5; i++)
        if (strcmp(ccs[i], cc) == 0)
            k = i;
    return 65536 + (uint32_t)(k * 3 + which % 3);
}

uint32_t dm_ip_in_net(dm_world *w, dm_rng *r, uint8_t kind, int net_kind, const char *cc,
                      bool fresh_net)
{
    int n = -1;
    if (!fresh_net && dm_chance(r, 0.85)) {
        int cand[512], k = 0;
        for (int i = 0; i < 512; i++)
            if (w->net_kind[i] == net_kind &&
                (net_kind == DM_NET_HOSTING || strcmp(w->net_cc[i], cc) == 0))
                cand[k++] = i;
        if (k)
            n = cand[dm_below(r, (uint32_t)k)];
    }
    if (n < 0) {
        n = net_take(w, r, net_kind, cc);
        w->net_asn[n] = net_kind == DM_NET_CARRIER ? 65551 - dm_below(r, 3)
                                                   : country_asn(cc, (int)dm_below(r, 3));
    }
    char hint[24];
    snprintf(hint, sizeof hint, "198.%d.%d", 18 + n / 256, n % 256);
    uint32_t ip = dm_ip_new(w, r, kind, hint);
    w->ips[ip].asn = w->net_asn[n];
    return ip;
}

/* A fresh address of the given kind. cidr_hint, when set, is a /24 prefix
 * ("198.18.77") to draw the host part in; a geo is chosen by the caller
 * afterwards through the returned index. */
uint32_t dm_ip_new(dm_world *w, dm_rng *r, uint8_t kind, const char *hint)
{
    char a[VG_IP_STRLEN];
    for (int tries = 0; tries < 100000; tries++) {
        if (hint) {
            snprintf(a, sizeof a, "%.32s.%d", hint, dm_range(r, 2, 253));
        } else {
            switch (kind) {
            case DM_IP_HOTEL:
            case DM_IP_PARTNER:
            case DM_IP_MAILER: snprintf(a, sizeof a, "192.0.2.%d", dm_range(r, 2, 253)); break;
            case DM_IP_ZINC:
            case DM_IP_CERIUM: snprintf(a, sizeof a, "203.0.113.%d", dm_range(r, 2, 253)); break;
            case DM_IP_INTERNAL:
                snprintf(a, sizeof a, "10.%d.%d.%d", dm_range(r, 1, 40), dm_range(r, 0, 255),
                         dm_range(r, 2, 250));
                break;
            default: {
                /* scanners and Tor exits live in hosting networks */
                int cand[512], k = 0;
                for (int i = 0; i < 512; i++)
                    if (w->net_kind[i] == DM_NET_HOSTING)
                        cand[k++] = i;
                if (!k)
                    vg_panic("demo: no hosting networks");
                int n = cand[dm_below(r, (uint32_t)k)];
                snprintf(a, sizeof a, "198.%d.%d.%d", 18 + n / 256, n % 256, dm_range(r, 1, 254));
                break;
            }
            }
        }
        if (ip_claim(w, a))
            return ip_push(w, a, kind, NULL, 0);
    }
    vg_panic("demo: address space exhausted for kind %d", kind);
}

static uint32_t ip_new6(dm_world *w, dm_rng *r, uint8_t kind)
{
    char a[VG_IP_STRLEN];
    /* residential /48s under 2001:db8:1000::/36, hosting under 2001:db8:f000::/36 */
    int lo = kind == DM_IP_HOME ? 0x1000 : 0xf000;
    for (;;) {
        snprintf(a, sizeof a, "2001:db8:%x:%x:%x:%x:%x:%x", (unsigned)dm_range(r, lo, lo + 0xfff),
                 (unsigned)dm_range(r, 1, 0xffff), (unsigned)dm_range(r, 1, 0xffff),
                 (unsigned)dm_range(r, 1, 0xffff), (unsigned)dm_range(r, 1, 0xffff),
                 (unsigned)dm_range(r, 1, 0xffff));
        if (ip_claim(w, a))
            return ip_push(w, a, kind, NULL, 0);
    }
}

static void ip_geo(dm_world *w, uint32_t i, const geo *g, uint32_t asn)
{
    dm_ip *ip = &w->ips[i];
    memcpy(ip->country, g->cc, 2);
    ip->country[2] = 0;
    ip->city = g->city;
    ip->state = g->state;
    ip->lat = g->lat;
    ip->lon = g->lon;
    ip->asn = asn;
}

int dm_ip_geo_hotel(dm_world *w, uint32_t ip, dm_rng *r, const char *avoid_cc)
{
    const geo *g;
    do
        g = &geo_hotel[dm_below(r, (uint32_t)DM_COUNT(geo_hotel))];
    while (strcmp(g->cc, avoid_cc) == 0);
    ip_geo(w, ip, g, 64508);
    return g->tz;
}

/* ---- time ---------------------------------------------------------------------------------- */

int dm_local_hour(const dm_world *w, int org, int64_t t, int *wday)
{
    vg_tm tm;
    vg_time_to_civil(t + (int64_t)w->org[org].tz_min * 60000, &tm);
    if (wday)
        *wday = tm.wday;
    return tm.hour;
}

int64_t dm_local_midnight(const dm_world *w, int org, int day)
{
    return w->t0 + (int64_t)day * 86400000 - (int64_t)w->org[org].tz_min * 60000;
}

dm_fact *dm_fact_new(dm_world *w, const char *kind, int org, const char *note)
{
    w->facts = vg_xgrow(w->facts, &w->cap_facts, w->n_facts + 1, sizeof *w->facts);
    dm_fact *f = &w->facts[w->n_facts++];
    memset(f, 0, sizeof *f);
    f->kind = vg_xstrdup(kind);
    f->org = org;
    f->note = vg_xstrdup(note ? note : "");
    return f;
}

/* ---- building ----------------------------------------------------------------------------- */

static void pick_names(dm_rng *r, const char *cc, const char **first, const char **last)
{
    if (strcmp(cc, "FR") == 0) {
        *first = DM_PICK(r, first_fr);
        *last = DM_PICK(r, last_fr);
    } else if (strcmp(cc, "IN") == 0) {
        *first = DM_PICK(r, first_in);
        *last = DM_PICK(r, last_in);
    } else if (strcmp(cc, "KR") == 0) {
        *first = DM_PICK(r, first_kr);
        *last = DM_PICK(r, last_kr);
    } else if (strcmp(cc, "CA") == 0 && dm_chance(r, 0.35)) {
        *first = DM_PICK(r, first_cafr);
        *last = DM_PICK(r, last_cafr);
    } else {
        *first = DM_PICK(r, first_en);
        *last = DM_PICK(r, last_en);
        /* mixed teams everywhere */
        if (dm_chance(r, 0.12))
            *last = DM_PICK(r, last_in);
        else if (dm_chance(r, 0.08))
            *last = DM_PICK(r, last_kr);
    }
}

static bool upn_taken(const dm_world *w, size_t from, const char *upn)
{
    for (size_t i = from; i < w->n_users; i++)
        if (strcmp(w->users[i].upn, upn) == 0)
            return true;
    return false;
}

static dm_user *user_push(dm_world *w)
{
    w->users = vg_xgrow(w->users, &w->cap_users, w->n_users + 1, sizeof *w->users);
    dm_user *u = &w->users[w->n_users++];
    memset(u, 0, sizeof *u);
    return u;
}

static void make_user(dm_world *w, dm_rng *r, int oi, const char *first, const char *last,
                      const char *local, const char *title, uint8_t flags)
{
    dm_org *o = &w->org[oi];
    char lp[64];
    if (local) {
        snprintf(lp, sizeof lp, "%s", local);
    } else {
        char f[48], l[48];
        dm_slug(first, f, sizeof f);
        dm_slug(last, l, sizeof l);
        /* Korean given names drop the hyphen: min-jun -> minjun */
        char f2[48];
        size_t k = 0;
        for (const char *p = f; *p && k + 1 < sizeof f2; p++)
            if (*p != '-' || strcmp(o->country, "KR") != 0)
                f2[k++] = *p;
        f2[k] = 0;
        static const char *const fmts[] = {"%s.%s", "%s.%s", "%s.%s", "%.1s%s"};
        const char *fmt = fmts[dm_below(r, 4)];
        snprintf(lp, sizeof lp, fmt, f2, l);
    }
    bool second = !(flags & DM_U_SERVICE) && o->domain2[0] && dm_chance(r, 0.08);
    char upn[256];
    snprintf(upn, sizeof upn, "%s@%s", lp, second ? o->domain2 : o->domain);
    for (int n = 2; upn_taken(w, o->first_user, upn); n++)
        snprintf(upn, sizeof upn, "%s%d@%s", lp, n, second ? o->domain2 : o->domain);
    dm_user *u = user_push(w);
    u->org = (uint16_t)oi;
    u->flags = flags;
    u->first = vg_xstrdup(first);
    u->last = vg_xstrdup(last);
    if (flags & DM_U_SERVICE)
        u->display = vg_xstrdup(first);
    else if (strcmp(o->country, "KR") == 0 && dm_chance(r, 0.5))
        u->display = dm_printf("%s %s", last, first);
    else
        u->display = dm_printf("%s %s", first, last);
    u->upn = vg_xstrdup(upn);
    char id[37];
    dm_uuid("vigil-demo-user", w->seed, upn, id);
    u->id = vg_xstrdup(id);
    u->title = vg_xstrdup(title);
}

static void build_org(dm_world *w, dm_rng *r, int i, bool used_pre[4][32])
{
    dm_org *o = &w->org[i];
    const slot *s = &slots[i];
    size_t nc = strlen(s->countries) / 2;
    size_t ci = dm_below(r, (uint32_t)nc);
    memcpy(o->country, s->countries + 2 * ci, 2);
    o->country[2] = 0;
    o->sector = s->sector;
    o->blurb = s->blurb;
    o->control = (i == DM_N_ORGS - 1);

    const char *const *pre;
    size_t npre;
    int pk;
    if (strcmp(o->country, "FR") == 0) {
        pre = pre_fr, npre = DM_COUNT(pre_fr), pk = 1;
    } else if (strcmp(o->country, "IN") == 0) {
        pre = pre_in, npre = DM_COUNT(pre_in), pk = 2;
    } else if (strcmp(o->country, "KR") == 0) {
        pre = pre_kr, npre = DM_COUNT(pre_kr), pk = 3;
    } else {
        pre = pre_en, npre = DM_COUNT(pre_en), pk = 0;
    }
    size_t pi;
    do
        pi = dm_below(r, (uint32_t)npre);
    while (used_pre[pk][pi]);
    used_pre[pk][pi] = true;
    const char *suffix = s->suffix[dm_below(r, (uint32_t)s->n_suffix)];
    if (pk == 1 && dm_chance(r, 0.5))
        snprintf(o->name, sizeof o->name, "Laboratoires %s", pre[pi]);
    else if (pk == 2 && strcmp(suffix, "Vaccines") == 0)
        snprintf(o->name, sizeof o->name, "%s Biologicals", pre[pi]);
    else
        snprintf(o->name, sizeof o->name, "%s %s", pre[pi], suffix);

    char base[64];
    dm_slug(pre[pi], base, sizeof base);
    snprintf(o->id, sizeof o->id, "%.24s", base);
    /* domains: "helix" + a sector hint */
    static const char *const dom_sfx[] = {"bio", "pharma", "labs", "tx", "rx", "dx", "cro"};
    const char *hint = strcmp(s->sector, "clinical-research") == 0 ? "cro"
                       : strcmp(s->sector, "diagnostics") == 0     ? "dx"
                                                                   : dom_sfx[dm_below(r, 5)];
    char nodash[64];
    size_t k = 0;
    for (const char *p = base; *p && k + 1 < sizeof nodash; p++)
        if (*p != '-')
            nodash[k++] = *p;
    nodash[k] = 0;
    snprintf(o->domain, sizeof o->domain, "%s%s.example", nodash, hint);
    char lc[3] = {(char)(o->country[0] - 'A' + 'a'), (char)(o->country[1] - 'A' + 'a'), 0};
    if (dm_chance(r, 0.6))
        snprintf(o->domain2, sizeof o->domain2, "%s-%s.example", nodash, lc);
    dm_uuid("vigil-demo-tenant", w->seed, o->id, o->tenant);
    {
        char mx[sizeof o->mx];
        snprintf(mx, sizeof mx, "%s.%s", dm_chance(r, 0.5) ? "mx1" : "mail", o->domain);
        memcpy(o->mx, mx, sizeof mx);
    }

    size_t ng;
    const geo *gs = country_geos(o->country, &ng);
    const geo *g = &gs[dm_below(r, (uint32_t)ng)];
    o->city = g->city;
    o->state = g->state;
    o->lat = g->lat;
    o->lon = g->lon;
    o->tz_min = g->tz;
    o->asn = 65536 + dm_below(r, 16);
    char egress[32];
    snprintf(egress, sizeof egress, "198.51.100.%d", i * 16 + dm_range(r, 1, 6));
    ip_claim(w, egress);
    o->egress = ip_push(w, egress, DM_IP_EGRESS, g, o->asn);
    o->list_egress = dm_chance(r, 0.5);
    o->maildir = dm_chance(r, 0.5);
}

static void build_users(dm_world *w, dm_rng *r, int oi)
{
    dm_org *o = &w->org[oi];
    const slot *s = &slots[oi];
    o->first_user = w->n_users;
    int n = dm_range(r, s->min_users, s->max_users);
    size_t ng;
    const geo *gs = country_geos(o->country, &ng);
    bool lab = strcmp(o->sector, "medical-devices") != 0;
    for (int k = 0; k < n; k++) {
        const char *first, *last;
        pick_names(r, o->country, &first, &last);
        const char *title;
        double u = dm_unit(r);
        if (strcmp(o->sector, "clinical-research") == 0)
            title = u < 0.6 ? DM_PICK(r, titles_clinical)
                            : (u < 0.75 ? DM_PICK(r, titles_research) : DM_PICK(r, titles_corp));
        else
            title = u < 0.55 ? DM_PICK(r, titles_research)
                             : (u < 0.75 ? DM_PICK(r, titles_clinical) : DM_PICK(r, titles_corp));
        uint8_t flags = 0;
        if (dm_chance(r, 0.3))
            flags |= DM_U_PHONE_EAS;
        if (lab && (strstr(title, "Lab") || strstr(title, "Scientist") || dm_chance(r, 0.25)))
            flags |= DM_U_ONSITE;
        else if (!lab && dm_chance(r, 0.5))
            flags |= DM_U_ONSITE;
        make_user(w, r, oi, first, last, NULL, title, flags);
        dm_user *us = &w->users[w->n_users - 1];
        us->device = (uint8_t)dm_below(r, (uint32_t)DM_COUNT(desktop_ua));
        us->phone = (uint8_t)dm_below(r, (uint32_t)DM_COUNT(phone_ua));
        us->arrive_h = dm_normal(r, 8.6, 0.6);
        if (us->arrive_h < 6.5)
            us->arrive_h = 6.5;
        if (us->arrive_h > 11)
            us->arrive_h = 11;
        /* home broadband near the office, a few v6 */
        uint32_t h = dm_chance(r, 0.15)
                         ? ip_new6(w, r, DM_IP_HOME)
                         : dm_ip_in_net(w, r, DM_IP_HOME, DM_NET_RESIDENTIAL, o->country, false);
        const geo *hg = &gs[dm_below(r, (uint32_t)ng)];
        if (dm_chance(r, 0.85))
            for (size_t q = 0; q < ng; q++)
                if (strcmp(gs[q].city, o->city) == 0)
                    hg = &gs[q];
        uint32_t asn = w->ips[h].asn ? w->ips[h].asn : country_asn(o->country, (int)dm_below(r, 3));
        ip_geo(w, h, hg, asn);
        us->home_ip = h;
    }
    /* VIPs: two senior people whose names get impersonated */
    for (int v = 0; v < 2; v++) {
        dm_user *vu = &w->users[o->first_user + dm_below(r, (uint32_t)n)];
        if (vu->flags & DM_U_VIP) {
            v--;
            continue;
        }
        vu->flags |= DM_U_VIP;
        free(vu->title);
        vu->title = vg_xstrdup(v == 0 ? "Chief Executive Officer" : "Chief Scientific Officer");
        snprintf(o->vip[v], sizeof o->vip[v], "%s%s", v == 1 ? "Dr. " : "", vu->display);
    }
    /* service and shared accounts */
    make_user(w, r, oi, "Scan to Email", "", dm_chance(r, 0.5) ? "scan-to-mail" : "mfp-scanner",
              "Multifunction printer", DM_U_SERVICE | DM_U_ONSITE);
    make_user(w, r, oi, "IT Helpdesk", "", dm_chance(r, 0.5) ? "it-helpdesk" : "servicedesk",
              "Shared mailbox", DM_U_SERVICE);
    snprintf(o->it_user, sizeof o->it_user, "%s", w->users[w->n_users - 1].upn);
    make_user(w, r, oi, "Administrator", "", dm_chance(r, 0.5) ? "admin" : "it.admin",
              "Global administrator", DM_U_SERVICE);
    o->n_users = w->n_users - o->first_user;
}

/* Another address in the /24 of ref, with its AS. */
static uint32_t ip_same_net(dm_world *w, dm_rng *r, uint8_t kind, uint32_t ref)
{
    char hint[VG_IP_STRLEN];
    snprintf(hint, sizeof hint, "%s", w->ips[ref].addr);
    *strrchr(hint, '.') = 0;
    uint32_t n = dm_ip_new(w, r, kind, hint);
    w->ips[n].asn = w->ips[ref].asn;
    return n;
}

/* Carrier egress: per country three carriers with a handful of CGNAT
 * addresses each; a phone uses two or three of its carrier's. */
static void build_carriers(dm_world *w, dm_rng *r)
{
    for (int oi = 0; oi < DM_N_ORGS; oi++) {
        dm_org *o = &w->org[oi];
        uint32_t pool[3][10];
        size_t ng;
        const geo *gs = country_geos(o->country, &ng);
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 10; k++) {
                /* the carrier's CGNAT egress: ten addresses in one /24 */
                pool[c][k] =
                    k == 0 ? dm_ip_in_net(w, r, DM_IP_CARRIER, DM_NET_CARRIER, o->country, true)
                           : ip_same_net(w, r, DM_IP_CARRIER, pool[c][0]);
                ip_geo(w, pool[c][k], &gs[dm_below(r, (uint32_t)ng)], w->ips[pool[c][0]].asn);
            }
        for (size_t u = o->first_user; u < o->first_user + o->n_users; u++) {
            int c = (int)dm_below(r, 3);
            for (int k = 0; k < 3; k++)
                w->users[u].carrier_ip[k] = pool[c][dm_below(r, 10)];
        }
    }
}

static void to_punycode(const char *u8, char *out, size_t cap)
{
    char *ascii = NULL;
    if (idn2_to_ascii_8z(u8, &ascii, IDN2_NONTRANSITIONAL) == IDN2_OK && ascii) {
        snprintf(out, cap, "%s", ascii);
        idn2_free(ascii);
    } else {
        snprintf(out, cap, "%s", u8);
    }
}

static void build_actors(dm_world *w, dm_rng *r)
{
    /* STRONTIUM: ~1,100 addresses, mostly Tor-like exits spread over many
     * networks, plus a rented VPS block in a few /24s. */
    w->n_pool = (size_t)dm_range(r, 1050, 1150);
    w->pool = vg_xcalloc(w->n_pool, sizeof *w->pool);
    size_t n_vps = w->n_pool / 10;
    for (size_t i = 0; i < w->n_pool; i++) {
        uint32_t ip;
        const geo *g = &geo_tor[dm_below(r, (uint32_t)DM_COUNT(geo_tor))];
        if (i < n_vps) {
            ip = dm_ip_new(w, r, DM_IP_STRONTIUM, w->vps24[i % 4]);
            ip_geo(w, ip, &geo_tor[i % 4 == 0 ? 5 : (i % 4 == 1 ? 11 : (i % 4 == 2 ? 15 : 16))],
                   64504 + (uint32_t)(i % 2));
        } else {
            ip = dm_chance(r, 0.05) ? ip_new6(w, r, DM_IP_STRONTIUM)
                                    : dm_ip_new(w, r, DM_IP_STRONTIUM, NULL);
            int n = net_index(w->ips[ip].addr);
            if (n >= 0)
                g = &geo_tor[w->net_geo[n]];
            ip_geo(w, ip, g, n >= 0 ? w->net_asn[n] : 64496 + dm_below(r, 8));
            w->ips[ip].tor = true;
        }
        w->ips[ip].kind = DM_IP_STRONTIUM;
        w->pool[i] = ip;
    }
    dm_shuffle_u32(r, w->pool, w->n_pool);
    /* the brute-force mode's ~200 addresses: a slice of the same pool */
    w->n_bf = (size_t)dm_range(r, 180, 220);
    w->bf = vg_xcalloc(w->n_bf, sizeof *w->bf);
    for (size_t i = 0; i < w->n_bf; i++)
        w->bf[i] = w->pool[(i * 5 + 3) % w->n_pool];

    w->n_zinc_ip = 3;
    for (size_t i = 0; i < w->n_zinc_ip; i++) {
        w->zinc_ip[i] = dm_ip_new(w, r, DM_IP_ZINC, NULL);
        ip_geo(w, w->zinc_ip[i], &geo_vps[dm_below(r, (uint32_t)DM_COUNT(geo_vps))], 64506);
    }
    w->n_cerium_ip = 3;
    for (size_t i = 0; i < w->n_cerium_ip; i++) {
        w->cerium_ip[i] = dm_ip_new(w, r, DM_IP_CERIUM, NULL);
        ip_geo(w, w->cerium_ip[i], &geo_vps[dm_below(r, (uint32_t)DM_COUNT(geo_vps))], 64507);
    }

    /* ZINC: lookalike career sites and free-mail recruiters */
    static const char *const zinc_dom[] = {
        "linkedin-talentsolutions.com",  "careers-linkedln.com",     "jobs-linkedin.net",
        "talent-acquisition-portal.com", "global-pharmacareers.com", "biopharma-careers.net"};
    static const char *const zinc_fm_user[] = {"sarah.kim.recruit",      "daniel.lee.talent",
                                               "emma.taylor.hr",         "jason.park.careers",
                                               "olivia.chen.recruiting", "michael.scott.hr"};
    static const char *const freemail[] = {"gmail.com", "outlook.com", "yahoo.com"};
    uint32_t a = dm_below(r, 3), b = 3 + dm_below(r, 3);
    snprintf(w->zinc_domain[0], sizeof w->zinc_domain[0], "%s", zinc_dom[a]);
    snprintf(w->zinc_domain[1], sizeof w->zinc_domain[1], "%s", zinc_dom[b]);
    static const char *const zinc_fm_name[] = {"Sarah Kim",  "Daniel Lee",  "Emma Taylor",
                                               "Jason Park", "Olivia Chen", "Michael Scott"};
    uint32_t f1 = dm_below(r, 6), f2 = (f1 + 1 + dm_below(r, 5)) % 6,
             f3 = (f2 + 1 + dm_below(r, 4)) % 6;
    if (f3 == f1)
        f3 = (f3 + 1) % 6;
    snprintf(w->zinc_persona[0], sizeof w->zinc_persona[0], "%s", zinc_fm_name[f1]);
    snprintf(w->zinc_persona[1], sizeof w->zinc_persona[1], "%s", zinc_fm_name[f2]);
    snprintf(w->zinc_persona[2], sizeof w->zinc_persona[2], "%s", zinc_fm_name[f3]);
    snprintf(w->zinc_freemail[0], sizeof w->zinc_freemail[0], "%s@%s", zinc_fm_user[f1],
             freemail[dm_below(r, 3)]);
    snprintf(w->zinc_freemail[1], sizeof w->zinc_freemail[1], "%s@%s", zinc_fm_user[f2],
             freemail[dm_below(r, 3)]);

    /* CERIUM: lookalikes of who.int, two of them homoglyphs (Cyrillic
     * letters that render like w, h and o), in their punycode form */
    static const char *const plain[] = {
        "who-int.org",  "who-int.info",      "who-covid19-update.org",
        "who-intl.com", "who-int-covid.net", "whoint-alerts.org"};
    /* UTF-8: U+051D CYRILLIC SMALL LETTER WE, U+04BB SHHA, U+043E O */
    static const char *const glyph[] = {
        "\xd4\x9dho-int.org",       /* ԝho-int.org */
        "w\xd2\xbbo-int.org",       /* wһo-int.org */
        "wh\xd0\xbe-int.com",       /* whо-int.com */
        "\xd4\x9d\xd2\xbbo.int.pl", /* ԝһo.int.pl */
        "wh\xd0\xbe-covid19.info",  /* whо-covid19.info */
    };
    uint32_t p1 = dm_below(r, 6), p2 = (p1 + 1 + dm_below(r, 5)) % 6;
    uint32_t g1 = dm_below(r, 5), g2 = (g1 + 1 + dm_below(r, 4)) % 5;
    const char *picks[4] = {plain[p1], glyph[g1], plain[p2], glyph[g2]};
    w->n_cerium_domain = 4;
    static const char *const landing[] = {
        ("https://login.%s/common/oauth2/"
         "authorize?client_id=4765445b&response_mode=form_post&login_hint=%%s"),
        "https://%s/covid19/vaccine-trials/secure-access?email=%%s",
        "https://portal.%s/owa/auth/logon.aspx?replaceCurrent=1&url=%%s",
        "https://%s/emergencies/solidarity-trial/site-login?u=%%s"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(w->cerium_unicode[i], sizeof w->cerium_unicode[i], "%s", picks[i]);
        to_punycode(picks[i], w->cerium_domain[i], sizeof w->cerium_domain[i]);
        snprintf(w->cerium_landing[i], sizeof w->cerium_landing[i], landing[(i + p1) % 4],
                 w->cerium_domain[i]);
    }
}

/* Which actor targets which organization. STRONTIUM sprays four or five,
 * ZINC and CERIUM two or three each; every targeted organization gets at
 * least one actor; the control gets none. */
static void assign_actors(dm_world *w, dm_rng *r)
{
    uint32_t idx[7] = {0, 1, 2, 3, 4, 5, 6};
    dm_shuffle_u32(r, idx, 7);
    int ns = dm_range(r, 4, 5);
    for (int i = 0; i < ns; i++)
        w->org[idx[i]].actors |= DM_ACT_STRONTIUM;
    dm_shuffle_u32(r, idx, 7);
    int nz = dm_range(r, 2, 3);
    for (int i = 0; i < nz; i++)
        w->org[idx[i]].actors |= DM_ACT_ZINC;
    dm_shuffle_u32(r, idx, 7);
    int nc = dm_range(r, 2, 3);
    for (int i = 0; i < nc; i++)
        w->org[idx[i]].actors |= DM_ACT_CERIUM;
    for (int i = 0; i < 7; i++)
        if (!w->org[i].actors)
            w->org[i].actors = dm_chance(r, 0.5) ? DM_ACT_ZINC : DM_ACT_CERIUM;
    for (int i = 0; i < 7; i++)
        for (int a = 0; a < 3; a++)
            if (w->org[i].actors & (1u << a))
                w->act[a].orgs |= 1u << i;
}

void dm_world_build(dm_world *w, uint64_t seed, int days)
{
    memset(w, 0, sizeof *w);
    w->seed = seed;
    w->days = days;
    dm_rng_seed(&w->root, seed, "vigil-demo");
    uint8_t key[16] = {0};
    w->ip_seen = vg_htable_new_keyed(1u << 20, key, NULL, NULL);

    dm_rng r;
    dm_rng_fork(&w->root, "window", &r);
    /* The window ends between Nov 6 and Nov 13, 2020 (the day it went public). */
    int64_t end =
        vg_time_from_civil(2020, 11, 13, 0, 0, 0, 0) - (int64_t)dm_range(&r, 0, 7) * 86400000;
    w->t1 = end;
    w->t0 = end - (int64_t)days * 86400000;

    /* The networks: STRONTIUM's rented blocks, then ~170 hosting networks
     * (each one AS in one place); residential and carrier networks are taken
     * as people need them. */
    dm_rng_fork(&w->root, "networks", &r);
    for (int k = 0; k < 4; k++) {
        int n = net_take(w, &r, DM_NET_VPS, "");
        snprintf(w->vps24[k], sizeof w->vps24[k], "198.%d.%d", 18 + n / 256, n % 256);
    }
    int hosting = dm_range(&r, 150, 190);
    for (int k = 0; k < hosting; k++) {
        int n = net_take(w, &r, DM_NET_HOSTING, "");
        w->net_geo[n] = (uint8_t)dm_below(&r, (uint32_t)DM_COUNT(geo_tor));
        w->net_asn[n] = 64496 + dm_below(&r, 8);
        snprintf(w->net_cc[n], sizeof w->net_cc[n], "%s", geo_tor[w->net_geo[n]].cc);
    }

    dm_rng_fork(&w->root, "orgs", &r);
    bool used_pre[4][32] = {{false}};
    for (int i = 0; i < DM_N_ORGS; i++)
        build_org(w, &r, i, used_pre);
    /* one organization runs an internet-facing SFTP host for trial data */
    int sshd_org = (int)dm_below(&r, 7);
    {
        char host[sizeof w->org[0].host];
        snprintf(host, sizeof host, "sftp01.%s", w->org[sshd_org].domain);
        memcpy(w->org[sshd_org].host, host, sizeof host);
    }

    /* every export shape appears: a shuffled 0,1,2,0,1,2,... */
    uint32_t shapes[DM_N_ORGS];
    for (int i = 0; i < DM_N_ORGS; i++)
        shapes[i] = (uint32_t)(i % 3);
    dm_shuffle_u32(&r, shapes, DM_N_ORGS);
    for (int i = 0; i < DM_N_ORGS; i++)
        w->org[i].shape = (int)shapes[i];
    add_uas(w);
    dm_rng_fork(&w->root, "users", &r);
    for (int i = 0; i < DM_N_ORGS; i++)
        build_users(w, &r, i);
    dm_rng_fork(&w->root, "carriers", &r);
    build_carriers(w, &r);
    dm_rng_fork(&w->root, "actors", &r);
    build_actors(w, &r);
    assign_actors(w, &r);
}

void dm_world_free(dm_world *w)
{
    for (size_t i = 0; i < w->n_users; i++) {
        dm_user *u = &w->users[i];
        free(u->first);
        free(u->last);
        free(u->display);
        free(u->upn);
        free(u->id);
        free(u->title);
    }
    free(w->users);
    free(w->ips);
    free(w->uas);
    free(w->pool);
    free(w->bf);
    free(w->ev);
    for (int i = 0; i < DM_N_ORGS; i++) {
        free(w->spray[i]);
        for (size_t k = 0; k < w->n_guess[i]; k++)
            free(w->guess[i][k]);
        free(w->guess[i]);
    }
    for (size_t i = 0; i < w->n_msgs; i++) {
        dm_msg *m = &w->msgs[i];
        free(m->raw);
        free(m->message_id);
        free(m->kind);
        free(m->actor);
        free(m->recipient);
        free(m->path);
    }
    free(w->msgs);
    for (size_t i = 0; i < w->n_facts; i++) {
        dm_fact *f = &w->facts[i];
        free(f->kind);
        free(f->actor);
        free(f->note);
        free(f->outcome);
        dm_list_free(&f->accounts);
        dm_list_free(&f->ips);
        dm_list_free(&f->messages);
        dm_list_free(&f->allowed);
    }
    free(w->facts);
    for (int a = 0; a < 3; a++)
        dm_list_free(&w->act[a].accounts);
    dm_list_free(&w->inputs);
    if (w->ip_seen)
        vg_htable_free(w->ip_seen);
    memset(w, 0, sizeof *w);
}
