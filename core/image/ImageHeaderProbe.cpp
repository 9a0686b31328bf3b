#include "ImageHeaderProbe.h"

#include "JpegMarkers.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>

// Every read below goes through ByteView, which answers nullopt instead of reading past the
// end. Lengths and offsets found in the file are only ever used as positions to check, never
// trusted: a hostile or cut-short file gives nullopt, not a crash (the probe is fuzzed).

namespace lookbook {

namespace {

class ByteView {
public:
    explicit ByteView(const QByteArray &bytes) : m_bytes(bytes) {}

    qint64 size() const { return m_bytes.size(); }
    bool has(qint64 offset, qint64 count) const
    {
        return offset >= 0 && count >= 0 && offset <= size() && count <= size() - offset;
    }
    std::optional<quint8> u8(qint64 offset) const
    {
        if (!has(offset, 1))
            return std::nullopt;
        return static_cast<quint8>(m_bytes[static_cast<qsizetype>(offset)]);
    }
    std::optional<quint32> u16(qint64 offset, bool bigEndian) const { return read(offset, 2, bigEndian); }
    std::optional<quint32> u24le(qint64 offset) const { return read(offset, 3, false); }
    std::optional<quint32> u32(qint64 offset, bool bigEndian) const { return read(offset, 4, bigEndian); }
    bool matches(qint64 offset, std::string_view text) const
    {
        const auto length = static_cast<qint64>(text.size());
        if (!has(offset, length))
            return false;
        for (qint64 i = 0; i < length; ++i) {
            if (m_bytes[static_cast<qsizetype>(offset + i)] != text[static_cast<size_t>(i)])
                return false;
        }
        return true;
    }

private:
    std::optional<quint32> read(qint64 offset, int count, bool bigEndian) const
    {
        if (!has(offset, count))
            return std::nullopt;
        quint32 value = 0;
        for (int i = 0; i < count; ++i) {
            const int index = bigEndian ? i : count - 1 - i;
            value = (value << 8) | static_cast<quint8>(m_bytes[static_cast<qsizetype>(offset + index)]);
        }
        return value;
    }

    const QByteArray &m_bytes;
};

constexpr bool kBigEndian = true;
constexpr bool kLittleEndian = false;

std::optional<ImageHeader> makeHeader(const char *format, qint64 width, qint64 height)
{
    return ImageHeader{QString::fromLatin1(format), width, height};
}

// A header from two sides read from the file: none when either could not be read.
template <typename Side>
std::optional<ImageHeader> headerFromSides(const char *format, const std::optional<Side> &width, const std::optional<Side> &height)
{
    if (!width || !height) return std::nullopt;
    return makeHeader(format, qint64(*width), qint64(*height));
}

// ---- PNG: 8-byte signature, then the IHDR chunk must come first (length, "IHDR", w, h).
constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
constexpr qint64 kPngIhdrTypeOffset = 12;
constexpr qint64 kPngWidthOffset = 16;
constexpr qint64 kPngHeightOffset = 20;

std::optional<ImageHeader> probePng(const ByteView &in)
{
    if (!in.matches(kPngIhdrTypeOffset, "IHDR"))
        return std::nullopt;
    return headerFromSides("png", in.u32(kPngWidthOffset, kBigEndian), in.u32(kPngHeightOffset, kBigEndian));
}

// ---- JPEG: walk the marker segments after SOI up to the first frame header (SOFn).
constexpr qint64 kJpegSofHeightOffset = 3;
constexpr qint64 kJpegSofWidthOffset = 5;

std::optional<ImageHeader> probeJpeg(const ByteView &in)
{
    qint64 pos = jpeg::kFirstMarkerOffset;
    while (true) {
        if (in.u8(pos) != jpeg::kMarkerPrefix)
            return std::nullopt; // cut short, or garbage where a marker must be
        // Any number of 0xFF fill bytes may precede the marker code.
        while (in.u8(pos) == jpeg::kMarkerPrefix)
            ++pos;
        const auto marker = in.u8(pos);
        if (!marker)
            return std::nullopt;
        ++pos; // pos now at the segment's length field, if it has one
        if (jpeg::isStandalone(*marker))
            continue;
        if (*marker == jpeg::kEoi || *marker == jpeg::kSos || *marker == jpeg::kStuffedZero)
            return std::nullopt; // image data (or its end) before any frame header
        const auto length = in.u16(pos, kBigEndian);
        if (!length || *length < jpeg::kLengthSize)
            return std::nullopt;
        if (jpeg::isStartOfFrame(*marker)) {
            const auto height = in.u16(pos + kJpegSofHeightOffset, kBigEndian);
            const auto width = in.u16(pos + kJpegSofWidthOffset, kBigEndian);
            if (!width || !height)
                return std::nullopt;
            return makeHeader("jpeg", *width, *height);
        }
        pos += *length; // at most 65535 per step, so no overflow; the next read checks bounds
    }
}

// ---- GIF: "GIF87a"/"GIF89a", then the logical screen's width and height, little-endian.
constexpr qint64 kGifWidthOffset = 6;
constexpr qint64 kGifHeightOffset = 8;

std::optional<ImageHeader> probeGif(const ByteView &in)
{
    return headerFromSides("gif", in.u16(kGifWidthOffset, kLittleEndian), in.u16(kGifHeightOffset, kLittleEndian));
}

// ---- BMP: 14-byte file header, then a DIB header whose size tells its layout.
constexpr qint64 kBmpDibSizeOffset = 14;
constexpr qint64 kBmpWidthOffset = 18;
constexpr quint32 kBmpCoreHeaderSize = 12; // OS/2 1.x BITMAPCOREHEADER: 16-bit unsigned sides
constexpr qint64 kBmpCoreHeightOffset = 20;
constexpr quint32 kBmpMinInfoHeaderSize = 16; // OS/2 2.x and BITMAPINFOHEADER..V5: 32-bit signed
constexpr qint64 kBmpInfoHeightOffset = 22;

std::optional<ImageHeader> probeBmp(const ByteView &in)
{
    const auto dibSize = in.u32(kBmpDibSizeOffset, kLittleEndian);
    if (!dibSize)
        return std::nullopt;
    if (*dibSize == kBmpCoreHeaderSize) {
        const auto width = in.u16(kBmpWidthOffset, kLittleEndian);
        const auto height = in.u16(kBmpCoreHeightOffset, kLittleEndian);
        if (!width || !height)
            return std::nullopt;
        return makeHeader("bmp", *width, *height);
    }
    if (*dibSize < kBmpMinInfoHeaderSize)
        return std::nullopt;
    const auto width = in.u32(kBmpWidthOffset, kLittleEndian);
    const auto height = in.u32(kBmpInfoHeightOffset, kLittleEndian);
    if (!width || !height)
        return std::nullopt;
    // Signed fields; a negative height means rows are stored top-down, the size is its magnitude.
    const qint64 signedWidth = static_cast<qint32>(*width);
    const qint64 signedHeight = static_cast<qint32>(*height);
    return makeHeader("bmp", signedWidth, std::llabs(signedHeight));
}

// ---- WebP: "RIFF" size "WEBP", then the first chunk: lossy VP8, lossless VP8L or extended VP8X.
constexpr qint64 kWebpChunkTypeOffset = 12;
constexpr qint64 kWebpChunkDataOffset = 20;
// VP8 (lossy): 3-byte frame tag, 3-byte start code, then 14-bit width and height.
constexpr std::string_view kVp8StartCode("\x9d\x01\x2a", 3);
constexpr qint64 kVp8StartCodeOffset = kWebpChunkDataOffset + 3;
constexpr qint64 kVp8WidthOffset = kWebpChunkDataOffset + 6;
constexpr qint64 kVp8HeightOffset = kWebpChunkDataOffset + 8;
constexpr quint32 kVp8SideMask = 0x3FFF; // the top two bits are a scaling hint
// VP8L (lossless): signature byte, then width-1 and height-1 packed in 14 bits each.
constexpr quint8 kVp8lSignature = 0x2F;
constexpr qint64 kVp8lBitsOffset = kWebpChunkDataOffset + 1;
constexpr int kVp8lSideBits = 14;
constexpr quint32 kVp8lSideMask = (1u << kVp8lSideBits) - 1;
// VP8X (extended): flags (1), reserved (3), canvas width-1 and height-1 as 24-bit values.
constexpr qint64 kVp8xWidthOffset = kWebpChunkDataOffset + 4;
constexpr qint64 kVp8xHeightOffset = kWebpChunkDataOffset + 7;

std::optional<ImageHeader> probeWebp(const ByteView &in)
{
    if (in.matches(kWebpChunkTypeOffset, "VP8 ")) {
        if (!in.matches(kVp8StartCodeOffset, kVp8StartCode))
            return std::nullopt;
        const auto width = in.u16(kVp8WidthOffset, kLittleEndian);
        const auto height = in.u16(kVp8HeightOffset, kLittleEndian);
        if (!width || !height)
            return std::nullopt;
        return makeHeader("webp", *width & kVp8SideMask, *height & kVp8SideMask);
    }
    if (in.matches(kWebpChunkTypeOffset, "VP8L")) {
        if (in.u8(kWebpChunkDataOffset) != kVp8lSignature)
            return std::nullopt;
        const auto bits = in.u32(kVp8lBitsOffset, kLittleEndian);
        if (!bits)
            return std::nullopt;
        const qint64 width = (*bits & kVp8lSideMask) + 1;
        const qint64 height = ((*bits >> kVp8lSideBits) & kVp8lSideMask) + 1;
        return makeHeader("webp", width, height);
    }
    if (in.matches(kWebpChunkTypeOffset, "VP8X")) {
        const auto widthMinusOne = in.u24le(kVp8xWidthOffset);
        const auto heightMinusOne = in.u24le(kVp8xHeightOffset);
        if (!widthMinusOne || !heightMinusOne)
            return std::nullopt;
        return makeHeader("webp", static_cast<qint64>(*widthMinusOne) + 1,
                          static_cast<qint64>(*heightMinusOne) + 1);
    }
    return std::nullopt;
}

// ---- TIFF: byte order, 42, offset of the first IFD; its entries hold ImageWidth/ImageLength.
constexpr qint64 kTiffIfdOffsetField = 4;
constexpr qint64 kTiffEntryCountSize = 2;
constexpr qint64 kTiffIfdEntrySize = 12;
constexpr quint32 kTiffTagImageWidth = 256;
constexpr quint32 kTiffTagImageLength = 257;
constexpr quint32 kTiffTypeShort = 3;
constexpr quint32 kTiffTypeLong = 4;
// Within an entry: tag (2), type (2), count (4), value (4, left-justified when shorter).
constexpr qint64 kTiffEntryTypeOffset = 2;
constexpr qint64 kTiffEntryValueOffset = 8;

std::optional<qint64> tiffEntryValue(const ByteView &in, qint64 entry, bool bigEndian)
{
    const auto type = in.u16(entry + kTiffEntryTypeOffset, bigEndian);
    if (type == kTiffTypeShort) {
        const auto value = in.u16(entry + kTiffEntryValueOffset, bigEndian);
        return value ? std::optional<qint64>(*value) : std::nullopt;
    }
    if (type == kTiffTypeLong) {
        const auto value = in.u32(entry + kTiffEntryValueOffset, bigEndian);
        return value ? std::optional<qint64>(*value) : std::nullopt;
    }
    return std::nullopt;
}

std::optional<ImageHeader> probeTiff(const ByteView &in, bool bigEndian)
{
    const auto ifd = in.u32(kTiffIfdOffsetField, bigEndian);
    if (!ifd)
        return std::nullopt;
    const auto entryCount = in.u16(*ifd, bigEndian);
    if (!entryCount)
        return std::nullopt;
    std::optional<qint64> width;
    std::optional<qint64> height;
    // Bounded by the declared count (at most 65535) and, through the reads, by the buffer.
    for (quint32 i = 0; i < *entryCount && !(width && height); ++i) {
        const qint64 entry = static_cast<qint64>(*ifd) + kTiffEntryCountSize + static_cast<qint64>(i) * kTiffIfdEntrySize;
        const auto tag = in.u16(entry, bigEndian);
        if (!tag)
            return std::nullopt;
        if (*tag == kTiffTagImageWidth)
            width = tiffEntryValue(in, entry, bigEndian);
        else if (*tag == kTiffTagImageLength)
            height = tiffEntryValue(in, entry, bigEndian);
    }
    return headerFromSides("tiff", width, height);
}

// ---- ISO base media file format (HEIF, AVIF, ...): a leading "ftyp" box listing brands.
constexpr qint64 kFtypTypeOffset = 4;
constexpr qint64 kFtypMajorBrandOffset = 8;
constexpr qint64 kFtypCompatibleBrandsOffset = 16;
constexpr qint64 kBrandSize = 4;
constexpr qint64 kMaxBrandsScanned = 64; // a real ftyp lists a handful

// The display name for a brand, most specific first, or nullptr when it is not an image brand.
const char *imageBrandName(const ByteView &in, qint64 offset)
{
    struct Brand {
        std::string_view code;
        const char *name;
    };
    static constexpr std::array kBrands{
        Brand{"avif", "AVIF"}, Brand{"avis", "AVIF"}, Brand{"heic", "HEIC"}, Brand{"heix", "HEIC"},
        Brand{"heim", "HEIC"}, Brand{"heis", "HEIC"}, Brand{"hevc", "HEIC"}, Brand{"hevx", "HEIC"},
        Brand{"hevm", "HEIC"}, Brand{"hevs", "HEIC"}, Brand{"mif1", "HEIF"}, Brand{"msf1", "HEIF"},
        Brand{"jp2 ", "JPEG 2000"}, Brand{"jpx ", "JPEG 2000"}, Brand{"jxl ", "JPEG XL"},
    };
    for (const Brand &brand : kBrands) {
        if (in.matches(offset, brand.code))
            return brand.name;
    }
    return nullptr;
}

QString recogniseIsoMediaImage(const ByteView &in)
{
    if (!in.matches(kFtypTypeOffset, "ftyp"))
        return {};
    const auto boxSize = in.u32(0, kBigEndian);
    if (!boxSize)
        return {};
    // mif1/msf1 only say "some HEIF"; a more specific compatible brand (heic, avif) wins.
    const char *best = imageBrandName(in, kFtypMajorBrandOffset);
    const qint64 brandsEnd = std::min<qint64>(*boxSize, kFtypCompatibleBrandsOffset + kMaxBrandsScanned * kBrandSize);
    for (qint64 offset = kFtypCompatibleBrandsOffset; offset + kBrandSize <= brandsEnd; offset += kBrandSize) {
        if (best && std::string_view(best) != "HEIF")
            break;
        if (const char *name = imageBrandName(in, offset))
            best = name;
    }
    return best ? QString::fromLatin1(best) : QString();
}

constexpr std::string_view kJp2Signature("\0\0\0\x0cjP  \r\n\x87\n", 12);
constexpr std::string_view kJ2kCodestream("\xff\x4f\xff\x51", 4);
constexpr std::string_view kJxlContainer("\0\0\0\x0cJXL \r\n\x87\n", 12);
constexpr std::string_view kJxlCodestream("\xff\x0a", 2);
constexpr std::string_view kBigTiffLittle("II\x2b\0", 4);
constexpr std::string_view kBigTiffBig("MM\0\x2b", 4);

} // namespace

std::optional<ImageHeader> probeImageHeader(const QByteArray &bytes)
{
    const ByteView in(bytes);
    if (in.matches(0, kPngSignature))
        return probePng(in);
    if (in.matches(0, std::string_view("\xff\xd8", 2)))
        return probeJpeg(in);
    if (in.matches(0, "GIF87a") || in.matches(0, "GIF89a"))
        return probeGif(in);
    if (in.matches(0, "BM"))
        return probeBmp(in);
    if (in.matches(0, "RIFF") && in.matches(8, "WEBP"))
        return probeWebp(in);
    if (in.matches(0, std::string_view("II*\0", 4)))
        return probeTiff(in, kLittleEndian);
    if (in.matches(0, std::string_view("MM\0*", 4)))
        return probeTiff(in, kBigEndian);
    return std::nullopt;
}

QString recogniseUnsupportedFormat(const QByteArray &bytes)
{
    const ByteView in(bytes);
    if (QString iso = recogniseIsoMediaImage(in); !iso.isEmpty())
        return iso;
    if (in.matches(0, kJp2Signature) || in.matches(0, kJ2kCodestream))
        return QStringLiteral("JPEG 2000");
    if (in.matches(0, kJxlContainer) || in.matches(0, kJxlCodestream))
        return QStringLiteral("JPEG XL");
    if (in.matches(0, "8BPS"))
        return QStringLiteral("PSD");
    if (in.matches(0, kBigTiffLittle) || in.matches(0, kBigTiffBig))
        return QStringLiteral("BigTIFF");
    return {};
}

} // namespace lookbook
