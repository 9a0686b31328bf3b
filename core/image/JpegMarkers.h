#pragma once
// JPEG marker codes (ITU T.81, table B.1), shared by the header probe (which walks to the
// frame header) and the loader's completeness check (which walks to the end marker).
// Internal to the core.

#include <QtGlobal>

namespace lookbook::jpeg {

constexpr quint8 kMarkerPrefix = 0xFF;
constexpr quint8 kStuffedZero = 0x00; // 0xFF 0x00 inside entropy-coded data: not a marker
constexpr quint8 kTem = 0x01;
constexpr quint8 kSof0 = 0xC0;
constexpr quint8 kSof15 = 0xCF;
constexpr quint8 kDht = 0xC4; // in the SOFn range but a Huffman table, not a frame
constexpr quint8 kJpg = 0xC8; // reserved extension
constexpr quint8 kDac = 0xCC; // arithmetic conditioning table
constexpr quint8 kRst0 = 0xD0;
constexpr quint8 kRst7 = 0xD7;
constexpr quint8 kSoi = 0xD8;
constexpr quint8 kEoi = 0xD9;
constexpr quint8 kSos = 0xDA;
constexpr qint64 kFirstMarkerOffset = 2; // after SOI
constexpr qint64 kLengthSize = 2;        // a segment's length counts its own two bytes

// Markers that stand alone, with no length field after them.
constexpr bool isStandalone(quint8 marker)
{
    return marker == kTem || marker == kSoi || (marker >= kRst0 && marker <= kRst7);
}

// Start-of-frame markers, which carry the image's size.
constexpr bool isStartOfFrame(quint8 marker)
{
    return marker >= kSof0 && marker <= kSof15 && marker != kDht && marker != kJpg && marker != kDac;
}

} // namespace lookbook::jpeg
