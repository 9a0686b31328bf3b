// Fuzzes DropReader::read and canAccept: what another program drops or pastes is arbitrary
// (links, paths, HTML, image bytes), so no combination may crash them, and they must keep
// their promises: canAccept() whenever read() accepts, and a reason for every refusal.

#include "FuzzSupport.h"

#include "DropReader.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QImageReader>
#include <QMimeData>

#include <array>
#include <cstdint>
#include <cstring>

using namespace lookbook;

namespace {

// The input: a flags byte, a byte choosing the raw image format, then up to kChunks fields,
// each a little-endian u16 length and that many bytes (the last may be cut short).
enum Flag : quint8 {
    SetUrls = 0x01,      // chunk 0, one URL per line, through setUrls()
    RawUriList = 0x02,   // chunk 0 as text/uri-list bytes
    SetText = 0x04,      // chunk 1 through setText()
    SetImage = 0x08,     // chunk 2 decoded to a QImage, through setImageData()
    RawImage = 0x10,     // chunk 2 as the bytes of the chosen image format
    SetHtml = 0x20,      // chunk 3 through setHtml()
    QtImage = 0x40,      // chunk 4 as application/x-qt-image bytes
    RawText = 0x80,      // chunk 1 as text/plain bytes
};
enum Chunk { Urls, Text, Image, Html, QtImageBytes, kChunks };
constexpr std::array kImageFormats{"image/png", "image/jpeg", "image/jpg", "image/webp",
                                   "image/bmp", "image/tiff", "image/gif", "image/x-unknown"};

std::array<QByteArray, kChunks> splitChunks(const uint8_t *data, size_t size)
{
    std::array<QByteArray, kChunks> chunks;
    size_t at = 0;
    for (QByteArray &chunk : chunks) {
        if (at + 2 > size) break;
        const size_t length = std::min<size_t>(data[at] | size_t(data[at + 1]) << 8, size - at - 2);
        chunk = QByteArray(reinterpret_cast<const char *>(data + at + 2), qsizetype(length));
        at += 2 + length;
    }
    return chunks;
}

QByteArray chunk(const QByteArray &bytes)
{
    QByteArray out;
    out.append(char(bytes.size() & 0xff)).append(char(bytes.size() >> 8));
    return out + bytes;
}

QByteArray seed(quint8 flags, quint8 format, std::initializer_list<QByteArray> chunks)
{
    QByteArray out;
    out.append(char(flags)).append(char(format));
    for (const QByteArray &c : chunks) out += chunk(c);
    return out;
}

QByteArray smallPng()
{
    QImage image(4, 3, QImage::Format_RGB32);
    image.fill(Qt::white);
    image.setPixel(1, 1, qRgb(200, 30, 40));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

void makeSeeds(const QString &dir)
{
    QDir().mkpath(dir);
    const auto put = [&](const char *name, const QByteArray &bytes) {
        fuzz::writeFile(QDir(dir).filePath(QLatin1String(name)), bytes);
    };
    const QByteArray png = smallPng();
    put("file-url", seed(SetUrls, 0, {"file:///etc/hostname"}));
    put("file-url-image", seed(SetUrls | SetText, 0, {"file:///tmp/look.jpg\nfile:///tmp/b.png", "/tmp/look.jpg"}));
    put("http-url", seed(SetUrls | SetText, 0, {"https://shop.example.com/img/15970.jpg?w=300#top", "https://example.com"}));
    put("uri-list-raw", seed(RawUriList, 0, {"# comment\r\nhttp://user:pw@example.com:8080/a.png\r\n"}));
    put("data-url", seed(SetUrls, 0, {"data:image/png;base64," + png.toBase64()}));
    put("data-url-text", seed(SetText, 0, {{}, "  \"data:image/png;base64," + png.toBase64() + "\"\n"}));
    put("ftp-and-image", seed(SetUrls | SetImage, 0, {"ftp://example.com/a.png", {}, png}));
    put("png-raw", seed(RawImage, 0, {{}, {}, png}));
    put("png-qimage-html",
        seed(SetImage | SetHtml, 0, {{}, {}, png, "<img src=\"https://example.com/a.png\">"}));
    put("qt-image", seed(QtImage | RawText, 0, {{}, "C:\\Users\\me\\look.png", {}, {}, png}));
    static const char garbage[] = "\xff\x07\x03\x00\x00\xfe\xfa\x00\x01\x02garbage\x00\xff";
    put("garbage", QByteArray(garbage, sizeof garbage - 1));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // A core application is enough: QImage and QMimeData need no GUI session, and the image
    // format plugins are found through it.
    static int appArgc = 1;
    static auto *app = new QCoreApplication(appArgc, *argv);
    (void)app;
    // Decoding images is Qt's business, not DropReader's: keep pictures small and quick.
    QImageReader::setAllocationLimit(16);
    for (int i = 1; i + 1 < *argc; ++i) {
        if (std::strcmp((*argv)[i], "--make-seeds") == 0) {
            makeSeeds(QString::fromLocal8Bit((*argv)[i + 1]));
            std::exit(0);
        }
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    const quint8 flags = data[0];
    const char *rawFormat = kImageFormats[data[1] % kImageFormats.size()];
    const auto chunks = splitChunks(data + 2, size - 2);

    QMimeData mime;
    if (flags & SetUrls) {
        QList<QUrl> urls;
        for (const QByteArray &line : chunks[Urls].split('\n')) urls.append(QUrl(QString::fromUtf8(line)));
        mime.setUrls(urls);
    }
    if (flags & RawUriList) mime.setData(QStringLiteral("text/uri-list"), chunks[Urls]);
    if (flags & SetText) mime.setText(QString::fromUtf8(chunks[Text]));
    if (flags & RawText) mime.setData(QStringLiteral("text/plain"), chunks[Text]);
    if (flags & SetImage) mime.setImageData(QImage::fromData(chunks[Image]));
    if (flags & RawImage) mime.setData(QLatin1String(rawFormat), chunks[Image]);
    if (flags & SetHtml) mime.setHtml(QString::fromUtf8(chunks[Html]));
    if (flags & QtImage) mime.setData(QStringLiteral("application/x-qt-image"), chunks[QtImageBytes]);

    const bool acceptable = DropReader::canAccept(&mime);
    const DropRequest request = DropReader::read(&mime);
    // LOOKBOOK_FUZZ_VERBOSE=1: say what each input was read as (to check the seeds).
    static const bool verbose = qEnvironmentVariableIsSet("LOOKBOOK_FUZZ_VERBOSE");
    if (verbose) {
        std::fprintf(stderr, "formats %s: kind %d, accept %d, %s%s\n", qPrintable(mime.formats().join(u' ')),
                     int(request.kind), int(acceptable), qPrintable(request.displayName), qPrintable(request.error));
    }
    switch (request.kind) {
    case DropRequest::Kind::Unsupported:
        fuzz::check(!request.error.isEmpty(), "a refusal says why");
        break;
    case DropRequest::Kind::LocalFile:
        fuzz::check(QDir::isAbsolutePath(request.localPath), "a local file is an absolute path");
        break;
    case DropRequest::Kind::RemoteUrl: {
        const QString scheme = request.url.scheme().toLower();
        fuzz::check((scheme == QLatin1String("http") || scheme == QLatin1String("https")) && !request.url.host().isEmpty(),
                    "a remote URL is http(s) with a host");
        break;
    }
    case DropRequest::Kind::ImageData:
        fuzz::check(!request.bytes.isEmpty(), "image data has bytes");
        break;
    }
    if (request.kind != DropRequest::Kind::Unsupported)
        fuzz::check(acceptable, "canAccept() is true whenever read() accepts");
    return 0;
}
