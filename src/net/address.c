#include "net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static bool ipv4_private(const unsigned char *b)
{
    return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 100 && (b[1] & 0xc0) == 64) ||
           (b[0] == 169 && b[1] == 254) || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           b[0] >= 224; /* multicast, reserved and broadcast */
}

bool reelay_address_private(int family, const unsigned char *bytes)
{
    if (family == AF_INET) return ipv4_private(bytes);
    if (family != AF_INET6) return true;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(bytes, mapped, 12) == 0) return ipv4_private(bytes + 12);
    static const unsigned char zero[15] = {0};
    if (memcmp(bytes, zero, 15) == 0) return true; /* :: and ::1 */
    return (bytes[0] & 0xfe) == 0xfc ||                      /* unique local fc00::/7 */
           (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) || /* link-local fe80::/10 */
           (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0) || /* site-local fec0::/10 */
           bytes[0] == 0xff;                                 /* multicast */
}

bool reelay_sockaddr_private(const struct sockaddr *address)
{
    if (address->sa_family == AF_INET)
        return reelay_address_private(AF_INET, (const unsigned char *)&((const struct sockaddr_in *)address)->sin_addr);
    if (address->sa_family == AF_INET6)
        return reelay_address_private(AF_INET6,
                                      (const unsigned char *)&((const struct sockaddr_in6 *)address)->sin6_addr);
    return true;
}

bool reelay_address_literal(const char *text)
{
    unsigned char bytes[16];
    return inet_pton(AF_INET, text, bytes) == 1 || inet_pton(AF_INET6, text, bytes) == 1;
}
