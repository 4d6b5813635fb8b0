/* address.h — which network addresses a name from untrusted input may reach.
 * Owns: the list of addresses that are never public (loopback, private,
 * carrier NAT, link-local — cloud metadata services live there —, unique
 * local, multicast, unspecified and reserved, and IPv4-mapped IPv6 forms of
 * them), shared by the page engine's asset fetcher and reelay's HTTP
 * client. */
#ifndef REELAY_NET_ADDRESS_H
#define REELAY_NET_ADDRESS_H

#include <stdbool.h>
#include <sys/socket.h>

/* bytes: 4 for AF_INET, 16 for AF_INET6 (network order). True for any
 * other family too. */
bool reelay_address_private(int family, const unsigned char *bytes);

/* The same for a socket address. */
bool reelay_sockaddr_private(const struct sockaddr *address);

/* Whether text is an IPv4 or IPv6 literal (without brackets). */
bool reelay_address_literal(const char *text);

#endif
