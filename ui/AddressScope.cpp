#include "AddressScope.h"

#include <QHostAddress>
#include <QList>
#include <QPair>

namespace lookbook {

namespace {

struct ScopedRange {
    const char *subnet;
    AddressScope scope;
};

// Qt 6.4's helpers know loopback, link-local, site-local and unique-local addresses, but
// not the IPv4 private ranges (isPrivateUse is 6.6) nor 0.0.0.0/8: one table says it all.
constexpr ScopedRange kRanges[] = {
    {"0.0.0.0/8", AddressScope::Unspecified},     // "this network"; 0.0.0.0 connects to this computer
    {"127.0.0.0/8", AddressScope::ThisComputer},  // loopback
    {"10.0.0.0/8", AddressScope::OwnNetwork},     // private use (RFC 1918)
    {"172.16.0.0/12", AddressScope::OwnNetwork},  // private use
    {"192.168.0.0/16", AddressScope::OwnNetwork}, // private use: most home routers
    {"169.254.0.0/16", AddressScope::LinkLocal},  // also the cloud metadata service, 169.254.169.254
    {"::/128", AddressScope::Unspecified},        // the IPv6 0.0.0.0
    {"::1/128", AddressScope::ThisComputer},      // loopback
    {"fc00::/7", AddressScope::OwnNetwork},       // unique local
    {"fec0::/10", AddressScope::OwnNetwork},      // site-local: deprecated, still routed by some networks
    {"fe80::/10", AddressScope::LinkLocal},       // link-local
};

struct ParsedRange {
    QPair<QHostAddress, int> subnet;
    AddressScope scope;
};

const QList<ParsedRange> &parsedRanges()
{
    static const QList<ParsedRange> ranges = [] {
        QList<ParsedRange> parsed;
        for (const ScopedRange &range : kRanges)
            parsed.append({QHostAddress::parseSubnet(QString::fromLatin1(range.subnet)), range.scope});
        return parsed;
    }();
    return ranges;
}

} // namespace

AddressScope addressScope(const QHostAddress &address)
{
    if (address.isNull()) return AddressScope::Unspecified;
    // ::ffff:10.0.0.1 connects to 10.0.0.1: judge it as that address.
    bool isIPv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    const QHostAddress judged = isIPv4 ? QHostAddress(ipv4) : address;
    for (const ParsedRange &range : parsedRanges()) {
        if (judged.isInSubnet(range.subnet)) return range.scope;
    }
    return AddressScope::Public;
}

} // namespace lookbook
