#pragma once
// Where a network address leads: to the web, or to this computer or the user's own network,
// where a link dropped from a web page has no business (routers, printers, local services
// that trust whoever reaches them). UrlFetcher refuses the latter unless the user agrees.
// The ranges are data (AddressScope.cpp); IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are
// judged by the IPv4 address they carry.

class QHostAddress;

namespace lookbook {

enum class AddressScope {
    Public,       // anything not below: the web
    ThisComputer, // 127.0.0.0/8, ::1
    Unspecified,  // 0.0.0.0/8, :: and a null address: "no host", which reaches this computer on Linux
    OwnNetwork,   // 10/8, 172.16/12, 192.168/16, fc00::/7 (unique local), fec0::/10 (old site-local)
    LinkLocal,    // 169.254/16, fe80::/10: the cable or Wi-Fi the computer is on
};

AddressScope addressScope(const QHostAddress &address);

} // namespace lookbook
