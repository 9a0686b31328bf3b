#include "ImageLoader.h"

#include "ImageHeaderProbe.h"
#include "JpegMarkers.h"

#include <QFile>
#include <QFileInfo>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <string_view>

namespace lookbook {

namespace {

using Result = Expected<cv::Mat>;

constexpr qint64 kBytesPerMegabyte = 1024 * 1024;
constexpr double kPixelsPerMegapixel = 1e6;
constexpr int kMaxByte = 255;
constexpr double k16BitTo8BitScale = 1.0 / 257.0; // maps 65535 to 255 exactly, 257 to 1
constexpr int kBgrChannels = 3;
constexpr int kGrayAlphaChannels = 2;
constexpr int kBgraChannels = 4;

QString emptyFileReason() { return QStringLiteral("empty file (0 bytes)"); }

QString tooLargeReason(qint64 limitBytes)
{
    if (limitBytes >= kBytesPerMegabyte)
        return QStringLiteral("larger than %1 MB").arg(limitBytes / kBytesPerMegabyte);
    return QStringLiteral("larger than %1 bytes").arg(limitBytes);
}

// "jpeg" -> "JPEG", as users know the formats.
QString displayName(const QString &format)
{
    if (format == QLatin1String("webp"))
        return QStringLiteral("WebP");
    return format.toUpper();
}

quint8 byteAt(const QByteArray &bytes, qsizetype index) { return static_cast<quint8>(bytes[index]); }

bool hasAt(const QByteArray &bytes, qsizetype offset, std::string_view text)
{
    const auto length = static_cast<qsizetype>(text.size());
    return offset >= 0 && offset <= bytes.size() && length <= bytes.size() - offset
           && QByteArrayView(bytes.constData() + offset, length) == QByteArrayView(text.data(), length);
}

bool startsWith(const QByteArray &bytes, std::string_view prefix) { return hasAt(bytes, 0, prefix); }

// The format whose signature the bytes start with, even when the probe could not reach the
// dimensions: a PNG cut after 10 bytes is a damaged PNG, not "not an image".
QString signatureFormat(const QByteArray &bytes)
{
    constexpr qsizetype kWebpTagOffset = 8;
    if (startsWith(bytes, std::string_view("\x89PNG\r\n\x1a\n", 8)))
        return QStringLiteral("PNG");
    if (startsWith(bytes, std::string_view("\xff\xd8", 2)))
        return QStringLiteral("JPEG");
    if (startsWith(bytes, "GIF87a") || startsWith(bytes, "GIF89a"))
        return QStringLiteral("GIF");
    if (startsWith(bytes, "RIFF") && hasAt(bytes, kWebpTagOffset, "WEBP"))
        return QStringLiteral("WebP");
    if (startsWith(bytes, std::string_view("II*\0", 4)) || startsWith(bytes, std::string_view("MM\0*", 4)))
        return QStringLiteral("TIFF");
    if (startsWith(bytes, "BM"))
        return QStringLiteral("BMP");
    return {};
}

// Why bytes the probe does not understand cannot be loaded.
QString unreadableHeaderReason(const QByteArray &bytes)
{
    if (const QString unsupported = recogniseUnsupportedFormat(bytes); !unsupported.isEmpty())
        return QStringLiteral("unsupported format: %1").arg(unsupported);
    if (const QString format = signatureFormat(bytes); !format.isEmpty())
        return QStringLiteral("damaged or truncated %1 (header unreadable)").arg(format);
    return QStringLiteral("not an image (unrecognised content)");
}


// ---- Completeness. libjpeg and libpng fill a cut-short image with grey and only print a
// warning, so a truncated file would silently index half a picture; we look for the end
// marker ourselves.


// Finds the EOI marker of the main image. Segments with a length (APPn, DQT, SOS headers,
// ...) are skipped whole, so the EOI of an EXIF thumbnail does not count; inside entropy-coded
// data 0xFF is always followed by 0x00 or RSTn, so a real marker cannot be confused with data.
// Stops at the first EOI, so data appended after the image (phone "motion photos") is fine.
bool jpegHasEndOfImage(const QByteArray &bytes)
{
    const qsizetype size = bytes.size();
    qsizetype pos = jpeg::kFirstMarkerOffset;
    while (true) {
        pos = bytes.indexOf(static_cast<char>(jpeg::kMarkerPrefix), pos);
        if (pos < 0)
            return false;
        while (pos < size && byteAt(bytes, pos) == jpeg::kMarkerPrefix)
            ++pos; // fill bytes
        if (pos >= size)
            return false;
        const quint8 code = byteAt(bytes, pos++);
        if (code == jpeg::kEoi)
            return true;
        if (code == jpeg::kStuffedZero || jpeg::isStandalone(code))
            continue;
        if (size - pos < jpeg::kLengthSize)
            return false;
        const qsizetype length = (byteAt(bytes, pos) << CHAR_BIT) | byteAt(bytes, pos + 1);
        if (length >= jpeg::kLengthSize) // a damaged length: keep scanning from here instead
            pos += length;
    }
}

constexpr qint64 kPngSignatureSize = 8;
constexpr qint64 kPngChunkHeaderSize = 8; // length + type
constexpr qint64 kPngChunkCrcSize = 4;
constexpr qint64 kPngChunkTypeOffset = 4;
constexpr int kU32Bytes = 4;
constexpr qint64 kPngMaxChunkLength = 0x7FFFFFFF; // the PNG specification's limit

qint64 readU32BigEndian(const QByteArray &bytes, qint64 pos)
{
    qint64 value = 0;
    for (int i = 0; i < kU32Bytes; ++i)
        value = (value << CHAR_BIT) | byteAt(bytes, static_cast<qsizetype>(pos + i));
    return value;
}

// Walks the chunk list to IEND; a length running past the end means the file was cut.
bool pngHasEndChunk(const QByteArray &bytes)
{
    const qint64 size = bytes.size();
    qint64 pos = kPngSignatureSize;
    while (size - pos >= kPngChunkHeaderSize) {
        const qint64 length = readU32BigEndian(bytes, pos);
        if (hasAt(bytes, static_cast<qsizetype>(pos + kPngChunkTypeOffset), "IEND"))
            return true;
        if (length > kPngMaxChunkLength)
            return false;
        pos += kPngChunkHeaderSize + length + kPngChunkCrcSize;
    }
    return false;
}

std::optional<QString> truncationRefusal(const QByteArray &bytes, const ImageHeader &header)
{
    if (header.format == QLatin1String("jpeg") && !jpegHasEndOfImage(bytes))
        return QStringLiteral("truncated JPEG (no end-of-image marker)");
    if (header.format == QLatin1String("png") && !pngHasEndChunk(bytes))
        return QStringLiteral("truncated PNG (no IEND chunk)");
    return std::nullopt;
}

// libwebp as used by OpenCV 4.6 decodes still pictures only.
constexpr qsizetype kWebpVp8xTagOffset = 12;
constexpr qsizetype kWebpVp8xFlagsOffset = 20;
constexpr quint8 kWebpAnimationFlag = 0x02;

bool isAnimatedWebp(const QByteArray &bytes, const ImageHeader &header)
{
    return header.format == QLatin1String("webp") && bytes.size() > kWebpVp8xFlagsOffset
           && hasAt(bytes, kWebpVp8xTagOffset, "VP8X")
           && (byteAt(bytes, kWebpVp8xFlagsOffset) & kWebpAnimationFlag) != 0;
}

// ---- Normalisation to 8-bit BGR.

// Float (and rare signed or 32-bit) samples: [0, 1] is the usual convention; brighter data is
// scaled by its maximum so the picture stays visible instead of saturating to white.
cv::Mat floatTo8Bit(const cv::Mat &image)
{
    cv::Mat samples;
    image.convertTo(samples, CV_32F);
    cv::patchNaNs(samples, 0.0);
    double maxValue = 0.0;
    cv::minMaxLoc(samples.reshape(1), nullptr, &maxValue);
    const double scale = (std::isfinite(maxValue) && maxValue > 1.0) ? kMaxByte / maxValue : kMaxByte;
    cv::Mat out;
    samples.convertTo(out, CV_8U, scale);
    return out;
}

cv::Mat to8Bit(const cv::Mat &image)
{
    if (image.depth() == CV_8U)
        return image;
    if (image.depth() == CV_16U) {
        cv::Mat out;
        image.convertTo(out, CV_8U, k16BitTo8BitScale);
        return out;
    }
    return floatTo8Bit(image);
}

// out = c*a + 255*(1-a) with a = alpha/255, rounded: the catalog's photos are on white, so a
// transparent cut-out must look like them rather than like whatever colour hides under alpha 0.
uchar blendOnWhite(int colour, int alpha)
{
    return static_cast<uchar>((colour * alpha + kMaxByte * (kMaxByte - alpha) + kMaxByte / 2) / kMaxByte);
}

// 8-bit gray+alpha or BGRA in, BGR out.
cv::Mat compositeOnWhite(const cv::Mat &image)
{
    const int channels = image.channels();
    const int alphaIndex = channels - 1;
    const bool gray = channels == kGrayAlphaChannels;
    cv::Mat out(image.size(), CV_8UC3);
    for (int y = 0; y < image.rows; ++y) {
        const uchar *src = image.ptr<uchar>(y);
        uchar *dst = out.ptr<uchar>(y);
        for (int x = 0; x < image.cols; ++x, src += channels, dst += kBgrChannels) {
            const int alpha = src[alphaIndex];
            for (int c = 0; c < kBgrChannels; ++c)
                dst[c] = blendOnWhite(src[gray ? 0 : c], alpha);
        }
    }
    return out;
}

Result toBgr8(const cv::Mat &decoded)
{
    const cv::Mat image = to8Bit(decoded);
    cv::Mat out;
    switch (image.channels()) {
    case 1:
        cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
        break;
    case kGrayAlphaChannels:
    case kBgraChannels:
        out = compositeOnWhite(image);
        break;
    case kBgrChannels:
        out = image;
        break;
    default:
        return Result::failure(QStringLiteral("unsupported image with %1 channels").arg(image.channels()));
    }
    // Callers hand the data to the network as one block.
    if (!out.isContinuous())
        out = out.clone();
    return out;
}

QString oneLine(const std::string &text)
{
    return QString::fromStdString(text).simplified();
}

Result decodeWithOpenCv(const QByteArray &bytes, const ImageHeader &header)
{
    const QString format = displayName(header.format);
    // JPEG: IMREAD_COLOR makes libjpeg convert CMYK/YCCK and gray to BGR, and makes OpenCV
    // apply the EXIF orientation (checked on 4.6; IMREAD_UNCHANGED ignores it). Other formats:
    // IMREAD_UNCHANGED keeps alpha and 16-bit samples so toBgr8 can composite and scale them
    // (IMREAD_COLOR would drop alpha, leaving transparent parts in their hidden colour).
    const int flags = header.format == QLatin1String("jpeg") ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED;
    // imdecode only reads its input; the Mat just points at the QByteArray's bytes (no copy).
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
    cv::Mat decoded;
    try {
        decoded = cv::imdecode(encoded, flags);
        if (decoded.empty())
            return Result::failure(QStringLiteral("damaged or truncated %1 (decoder returned nothing)").arg(format));
        return toBgr8(decoded);
    } catch (const cv::Exception &e) {
        return Result::failure(QStringLiteral("damaged %1 (decoder error: %2)").arg(format, oneLine(e.err)));
    } catch (const std::exception &e) {
        // std::bad_alloc from a decoder, for example.
        return Result::failure(QStringLiteral("cannot decode %1: %2").arg(format, oneLine(e.what())));
    }
}

} // namespace

const QStringList &ImageLoader::catalogSuffixes()
{
    static const QStringList suffixes{QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("png"),
                                      QStringLiteral("webp"), QStringLiteral("bmp"), QStringLiteral("tif"),
                                      QStringLiteral("tiff")};
    return suffixes;
}

Expected<cv::Mat> ImageLoader::loadFile(const QString &path) const
{
    const QFileInfo info(path);
    if (!info.exists())
        return Result::failure(QStringLiteral("file not found"));
    if (info.isDir())
        return Result::failure(QStringLiteral("is a folder, not a file"));
    // Measured before reading, so a huge file costs no memory.
    if (info.size() > m_limits.maxFileBytes)
        return Result::failure(tooLargeReason(m_limits.maxFileBytes));
    if (info.size() == 0)
        return Result::failure(emptyFileReason());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("cannot be read: %1").arg(file.errorString()));
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Result::failure(QStringLiteral("cannot be read: %1").arg(file.errorString()));
    return decode(bytes); // checks the size again: the file may have changed since it was measured
}

Expected<cv::Mat> ImageLoader::decode(const QByteArray &bytes) const
{
    if (bytes.isEmpty())
        return Result::failure(emptyFileReason());
    // cv::Mat counts columns in int.
    const qint64 maxBytes = std::min<qint64>(m_limits.maxFileBytes, INT_MAX);
    if (bytes.size() > maxBytes)
        return Result::failure(tooLargeReason(maxBytes));
    const std::optional<ImageHeader> header = probeImageHeader(bytes);
    if (!header)
        return Result::failure(unreadableHeaderReason(bytes));
    // OpenCV 4.6 has no GIF decoder (imdecode returns an empty Mat), animated or not.
    if (header->format == QLatin1String("gif"))
        return Result::failure(QStringLiteral("unsupported format: GIF"));
    if (isAnimatedWebp(bytes, *header))
        return Result::failure(QStringLiteral("unsupported format: animated WebP"));
    if (const auto refusal = declaredSizeRefusal(*header))
        return Result::failure(*refusal);
    if (const auto refusal = truncationRefusal(bytes, *header))
        return Result::failure(*refusal);
    return decodeWithOpenCv(bytes, *header);
}

std::optional<QString> ImageLoader::declaredSizeRefusal(const ImageHeader &header) const
{
    const QString size = QStringLiteral("%1x%2").arg(header.width).arg(header.height);
    if (header.width <= 0 || header.height <= 0)
        return QStringLiteral("header declares %1 pixels, an empty image").arg(size);
    // Both sides fit in 32 bits unsigned (every probed field does), so the product fits in
    // 64 bits unsigned, not always signed (UndefinedBehaviorSanitizer found 2^32-1 squared).
    const quint64 pixels = quint64(header.width) * quint64(header.height);
    if (pixels > quint64(m_limits.maxPixels))
        return QStringLiteral("header declares %1 pixels (%2 MP), over the %3 MP limit")
            .arg(size)
            .arg(static_cast<double>(pixels) / kPixelsPerMegapixel, 0, 'f', 1)
            .arg(static_cast<double>(m_limits.maxPixels) / kPixelsPerMegapixel, 0, 'g', 4);
    if (header.width > m_limits.maxSide || header.height > m_limits.maxSide)
        return QStringLiteral("header declares %1 pixels, a side over the %2-pixel limit").arg(size).arg(m_limits.maxSide);
    return std::nullopt;
}

} // namespace lookbook
