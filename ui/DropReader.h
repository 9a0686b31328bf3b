#pragma once
// Decides what a drop or the clipboard holds: a local image file, an http(s) link to fetch,
// or image bytes. Pure interpretation of the QMimeData — no file reading, no network — so
// it can be unit-tested and fuzzed; the QueryReader does the I/O the answer calls for.
//
// Preference, from the most to the least faithful source: the first URL (a local file,
// an http(s) link, a data:image/...;base64 URL), then image data (encoded bytes as given,
// else the QImage encoded as PNG), then one line of text that is an absolute path or a
// file/http(s) URL. Everything is bounded: one URL, data URL and image data sizes, text
// length.

#include <QByteArray>
#include <QString>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QMimeData;
QT_END_NAMESPACE

namespace lookbook {

struct DropRequest {
    enum class Kind { LocalFile, RemoteUrl, ImageData, Unsupported };
    Kind kind = Kind::Unsupported;
    QString localPath;   // LocalFile: absolute path
    QUrl url;            // RemoteUrl (http/https only)
    QByteArray bytes;    // ImageData: encoded image bytes (PNG when it came as a QImage)
    QString displayName; // what to show: file name, URL, "pasted image"
    QString error;       // Unsupported: a sentence for the user, e.g. "This is not an image: notes.txt"
};

class DropReader {
public:
    // Never returns an empty error for Unsupported; a null mime is Unsupported.
    static DropRequest read(const QMimeData *mime);

    // True when read() could give something other than Unsupported. Cheap enough for
    // dragEnterEvent: looks at formats, names and QFileInfo only, decodes nothing.
    static bool canAccept(const QMimeData *mime);
};

} // namespace lookbook
