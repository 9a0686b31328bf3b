#pragma once
// Reads the width and height an image file declares, from its first bytes, without
// decoding it. Used to refuse decompression bombs before any large allocation, and to tell
// "not an image" from "damaged image".

#include <QByteArray>
#include <QString>

#include <optional>

namespace lookbook {

struct ImageHeader {
    QString format; // "jpeg", "png", "gif", "bmp", "webp", "tiff"
    qint64 width = 0;
    qint64 height = 0;
};

// nullopt when the bytes are not one of the formats above or the header is cut short
// before the dimensions.
std::optional<ImageHeader> probeImageHeader(const QByteArray &bytes);

// A name for formats we recognise but do not decode (HEIC, AVIF, ...), for messages; empty otherwise.
QString recogniseUnsupportedFormat(const QByteArray &bytes);

} // namespace lookbook
