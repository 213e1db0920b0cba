/* attrib_internal.h — internals shared by src/attrib/: infrastructure keys of
 * a finding and small helpers. Not a public header. */
#ifndef VIGIL_ATTRIB_INTERNAL_H
#define VIGIL_ATTRIB_INTERNAL_H

#include "vigil/attrib.h"

/* Benign shapes (stale credentials, ...) are never attributed nor clustered. */
bool vg_attrib_benign_kind(const char *kind);

/* Kinds whose IPs (entities.ips) are the attacker's sources. For mail
 * findings only roles.attacker_ips count (entities.ips may be relays). */
bool vg_attrib_ips_are_attacker(const vg_finding *f);

/* Infrastructure keys of a finding that can link it to others: "ip:A",
 * "net:A/24" (v4) or "net:A/48" (v6), "dom:D", "url:U", "hash:H", "email:E"
 * (a mail finding's sender address), "msg:M" (the message itself).
 * Left out: internal addresses (vg_ip_is_internal: RFC 1918, CGNAT,
 * loopback, link-local, ULA, multicast; documentation ranges stay in),
 * addresses the indicator set marks as shared (Tor exits, VPN, cloud fronts),
 * free-mail and mass-hosting domains, and the organization's own domains and
 * addresses (those of targeted accounts). Sorted, unique. */
void vg_attrib_infra_keys(const vg_finding *f, const vg_iocset *iocs, vg_strlist *keys);

/* True when the IP is listed as a shared address (Tor, VPN, cloud). */
bool vg_attrib_ip_shared(const vg_iocset *iocs, const vg_ip *ip, vg_shared_kind *kind);

/* Free-mail provider or mass-hosting / file-sharing / URL-shortener domain
 * (by registrable domain). */
bool vg_attrib_mass_domain(const char *domain);
bool vg_attrib_freemail_domain(const char *domain);

#endif
