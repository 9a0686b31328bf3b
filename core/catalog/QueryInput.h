#pragma once
// A query as the user gave it, before it is decoded: the bytes of an image file (read from
// disk, fetched from a URL, or encoded from pasted or dropped image data), with a name to
// show. Decoding happens in the core, off the GUI thread, with all its safety checks.

#include <QByteArray>
#include <QRect>
#include <QString>

namespace lookbook {

struct QueryInput {
    QByteArray bytes;     // encoded image (jpg, png, ...)
    QString displayName;  // "street.jpg", "image from https://...", "pasted image"
    QString localPath;    // absolute path when the query is a local file, else empty
    double receivedMs = -1; // when the user gave it (dropped, pasted, opened), in ProcessClock
                            // ms, for the drop-to-results timing; -1 when not given by a user
    QRect region;           // the part to search for, in pixels of the upright picture
                            // (ImageLoader applies EXIF orientation); null = all of it
};

} // namespace lookbook
