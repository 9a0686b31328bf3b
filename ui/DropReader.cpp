#include "DropReader.h"

#include "ImageLoader.h"
#include "UrlFetcher.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QLocale>
#include <QMimeData>
#include <QMimeDatabase>
#include <QStringList>

#include <algorithm>
#include <array>
#include <optional>

namespace lookbook {

namespace {

// Sources of image bytes are bounded before anything is decoded or copied further.
constexpr qint64 kMaxDataUrlBytes = UrlFetcher::kDefaultMaxBytes; // an inline image may be as large as a fetched one
constexpr qint64 kBase64CharsPerGroup = 4; // 4 characters carry 3 bytes
constexpr qint64 kBase64BytesPerGroup = 3;
constexpr qint64 kDataUrlHeaderChars = 256; // "image/png;base64," and parameters
constexpr qint64 kMaxDataUrlChars =
    kMaxDataUrlBytes * kBase64CharsPerGroup / kBase64BytesPerGroup + kDataUrlHeaderChars;
// A path or a link is a line; anything longer is prose, not something to open.
constexpr qsizetype kMaxTextChars = 32 * 1024;

// Encoded formats taken as they are: the original bytes keep quality and EXIF orientation,
// where going through QImage would re-encode them.
constexpr std::array kRawImageFormats{"image/png", "image/jpeg", "image/jpg", "image/webp", "image/bmp",
                                      "image/tiff"};
// MIME types of the formats the core decodes; a file name that maps to one of them (or an
// alias such as .jfif) is an image we can search with.
constexpr std::array kSearchableMimeTypes{"image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff"};

enum class Mode {
    Probe, // canAccept(): decide the kind only, decode and encode nothing
    Read,  // read(): produce the bytes too
};

QString tr(const char *text)
{
    return QCoreApplication::translate("lookbook::DropReader", text);
}

QString formatSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 0, QLocale::DataSizeTraditionalFormat);
}

DropRequest refuse(const QString &error)
{
    DropRequest request;
    request.error = error;
    return request;
}

DropRequest notAnImage()
{
    return refuse(tr("The dropped content is not an image."));
}

DropRequest imageData(QByteArray bytes)
{
    DropRequest request;
    request.kind = DropRequest::Kind::ImageData;
    request.bytes = std::move(bytes);
    request.displayName = tr("pasted image");
    return request;
}

bool isSearchableMimeType(const QMimeType &type)
{
    for (const char *name : kSearchableMimeTypes) {
        if (type.inherits(QLatin1String(name))) return true;
    }
    return false;
}

DropRequest fromLocalPath(const QString &path)
{
    // Clean first so that "Photos/" gives the name "Photos", not an empty one.
    // A NUL cannot be in a file name; such a "path" is junk, not a file to look up.
    if (path.isEmpty() || path.contains(QChar::Null)) return notAnImage();
    const QFileInfo info(QDir::cleanPath(path));
    const QString name = info.fileName().isEmpty() ? info.filePath() : info.fileName();
    if (info.isDir()) return refuse(tr("Drop an image, not a folder: %1").arg(name));
    if (!info.exists()) return refuse(tr("There is no file at %1").arg(QDir::toNativeSeparators(info.filePath())));
    // Devices, pipes and sockets would block or never end when read.
    if (!info.isFile()) return refuse(tr("This is not a regular file: %1").arg(name));

    DropRequest accepted;
    accepted.kind = DropRequest::Kind::LocalFile;
    accepted.localPath = info.absoluteFilePath();
    accepted.displayName = name;

    const QString suffix = info.suffix().toLower();
    if (suffix.isEmpty() || ImageLoader::catalogSuffixes().contains(suffix)) return accepted;

    // Judged by name only (no content sniffing here): an unknown suffix is passed on so the
    // core decides by content; a known non-image one is refused with the file named.
    const QList<QMimeType> types = QMimeDatabase().mimeTypesForFileName(info.fileName());
    if (types.isEmpty()) return accepted;
    for (const QMimeType &type : types) {
        if (isSearchableMimeType(type)) return accepted;
    }
    for (const QMimeType &type : types) {
        if (type.name().startsWith(QLatin1String("image/"))) {
            return refuse(tr("This kind of image cannot be searched: %1. Use JPEG, PNG, WebP, BMP or TIFF.")
                              .arg(name));
        }
    }
    return refuse(tr("This is not an image: %1").arg(name));
}

// The standard base64 alphabet; data URLs copied from pages are often wrapped over lines.
bool isBase64Char(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'+'
           || u == u'/' || u == u'=';
}

bool isWrapSpace(QChar c)
{
    return c == u' ' || c == u'\n' || c == u'\r' || c == u'\t';
}

DropRequest fromDataUrl(const QUrl &url, Mode mode)
{
    // Only image payloads in base64 are used; the size is checked before the URL's text is
    // copied out or decoded.
    const QString onlyHttp = tr("Only http(s) links and local files can be used: %1").arg(url.scheme());
    const QString path = url.path(QUrl::FullyDecoded);
    if (path.size() > kMaxDataUrlChars)
        return refuse(tr("The dropped image is too large (more than %1).").arg(formatSize(kMaxDataUrlBytes)));
    const qsizetype comma = path.indexOf(u',');
    if (comma < 0) return refuse(onlyHttp);
    const QString header = path.left(comma).trimmed().toLower();
    if (!header.startsWith(QLatin1String("image/")) || !header.endsWith(QLatin1String(";base64")))
        return refuse(onlyHttp);
    // Checked on the text, without decoding, so that canAccept() agrees with read().
    const auto payloadBegin = path.cbegin() + comma + 1;
    const bool valid =
        std::all_of(payloadBegin, path.cend(), [](QChar c) { return isBase64Char(c) || isWrapSpace(c); });
    if (!valid) return refuse(tr("The dropped image data is damaged."));
    if (mode == Mode::Probe) return imageData({});

    QByteArray payload = path.mid(comma + 1).toLatin1(); // only ASCII left, as checked
    payload.removeIf([](char c) { return isWrapSpace(QLatin1Char(c)); });
    const auto decoded = QByteArray::fromBase64Encoding(
        payload, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty()) return refuse(tr("The dropped image data is damaged."));
    if (decoded.decoded.size() > kMaxDataUrlBytes)
        return refuse(tr("The dropped image is too large (more than %1).").arg(formatSize(kMaxDataUrlBytes)));
    return imageData(decoded.decoded);
}

DropRequest fromUrl(const QUrl &url, Mode mode)
{
    if (!url.isValid() || url.isEmpty() || url.scheme().isEmpty()) return notAnImage();
    if (url.isLocalFile()) return fromLocalPath(url.toLocalFile());

    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        if (url.host().isEmpty()) return refuse(tr("This link names no server: %1").arg(url.toDisplayString()));
        DropRequest request;
        request.kind = DropRequest::Kind::RemoteUrl;
        request.url = url;
        request.displayName = url.toDisplayString(); // without any password
        return request;
    }
    if (scheme == QLatin1String("data")) return fromDataUrl(url, mode);
    return refuse(tr("Only http(s) links and local files can be used: %1").arg(scheme));
}

// Encoded image bytes, or a QImage to encode. nullopt when the mime holds no image at all.
std::optional<DropRequest> fromImageData(const QMimeData &mime, Mode mode)
{
    const qint64 maxBytes = ImageLimits{}.maxFileBytes;
    for (const char *format : kRawImageFormats) {
        const QString name = QLatin1String(format);
        if (!mime.hasFormat(name)) continue;
        if (mode == Mode::Probe) return imageData({});
        QByteArray bytes = mime.data(name);
        if (bytes.isEmpty()) continue;
        if (bytes.size() > maxBytes)
            return refuse(tr("The pasted image is too large (%1; the limit is %2).")
                              .arg(formatSize(bytes.size()), formatSize(maxBytes)));
        return imageData(std::move(bytes));
    }
    if (!mime.hasImage()) return std::nullopt;
    if (mode == Mode::Probe) return imageData({});

    const QImage image = qvariant_cast<QImage>(mime.imageData());
    if (image.isNull()) return refuse(tr("The pasted image could not be read."));
    if (qint64(image.width()) * image.height() > ImageLimits{}.maxPixels)
        return refuse(tr("The pasted image is too large (%1 × %2 pixels).").arg(image.width()).arg(image.height()));
    // PNG: lossless, so the core sees exactly the pixels that were pasted.
    QByteArray encoded;
    QBuffer buffer(&encoded);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG") || encoded.isEmpty()) return refuse(tr("The pasted image could not be read."));
    return imageData(std::move(encoded));
}

// Removes one pair of surrounding quotes, as "Copy as path" on Windows adds.
QString unquoted(const QString &text)
{
    constexpr qsizetype kQuotePair = 2;
    for (const QChar quote : {QChar(u'"'), QChar(u'\'')}) {
        if (text.size() >= kQuotePair && text.startsWith(quote) && text.endsWith(quote))
            return text.mid(1, text.size() - kQuotePair).trimmed();
    }
    return text;
}

std::optional<DropRequest> fromText(const QMimeData &mime, Mode mode)
{
    if (!mime.hasText()) return std::nullopt;
    const QString text = mime.text();
    if (text.size() > kMaxTextChars) return notAnImage();

    // File managers put one path or URL per line; the first one is used, like urls().
    QString line = text.trimmed();
    const auto lineEnd =
        std::find_if(line.cbegin(), line.cend(), [](QChar c) { return c == u'\n' || c == u'\r'; });
    line.truncate(lineEnd - line.cbegin());
    line = unquoted(line.trimmed());
    if (line.isEmpty() || line.contains(QChar::Null)) return notAnImage();

    for (const char *prefix : {"file://", "http://", "https://", "data:image/"}) {
        if (line.startsWith(QLatin1String(prefix), Qt::CaseInsensitive)) return fromUrl(QUrl(line), mode);
    }
    if (QDir::isAbsolutePath(line) && QFileInfo::exists(line)) return fromLocalPath(line);
    return notAnImage();
}

DropRequest interpret(const QMimeData *mime, Mode mode)
{
    if (!mime) return notAnImage();

    std::optional<DropRequest> fromLink;
    if (mime->hasUrls()) {
        const QList<QUrl> urls = mime->urls();
        if (!urls.isEmpty()) {
            DropRequest request = fromUrl(urls.first(), mode);
            if (request.kind != DropRequest::Kind::Unsupported) return request;
            fromLink = std::move(request);
        }
    }
    // A browser may offer the picture itself beside a link we cannot use (ftp:, too large).
    if (std::optional<DropRequest> image = fromImageData(*mime, mode)) {
        if (image->kind != DropRequest::Kind::Unsupported || !fromLink) return *image;
    }
    // The link's own refusal names the problem better than its text would.
    if (fromLink) return *fromLink;
    if (std::optional<DropRequest> text = fromText(*mime, mode)) return *text;
    return notAnImage();
}

} // namespace

DropRequest DropReader::read(const QMimeData *mime)
{
    return interpret(mime, Mode::Read);
}

bool DropReader::canAccept(const QMimeData *mime)
{
    return interpret(mime, Mode::Probe).kind != DropRequest::Kind::Unsupported;
}

} // namespace lookbook
