// The image loading layer: the header probe on every format and on cut or hostile bytes, and
// the loader's outcome (pixels or a one-line reason) for the files a catalog really contains.
// Test images are made here with cv::imencode or byte by byte; the few OpenCV cannot write
// (CMYK, EXIF orientation, animated GIF) are in tests/data/images (see its README.md).

#include "ImageHeaderProbe.h"
#include "ImageLoader.h"

#include <QFile>
#include <QPoint>
#include <QRandomGenerator>
#include <QSize>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstdlib>
#include <vector>

using namespace lookbook;

namespace {

const cv::Vec3b kRed(0, 0, 255);
const cv::Vec3b kBlue(255, 0, 0);
const cv::Vec3b kGreen(0, 255, 0);
const cv::Vec3b kWhite(255, 255, 255);
constexpr int kJpegTolerance = 12; // JPEG error on flat 8x8-aligned blocks at quality 95
constexpr int kBlendTolerance = 1; // rounding of alpha compositing

QString testImagePath(const char *name)
{
    return QString::fromUtf8(LOOKBOOK_TEST_DATA_DIR) + QStringLiteral("/images/") + QString::fromUtf8(name);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray encode(const cv::Mat &image, const char *extension, const std::vector<int> &params = {})
{
    std::vector<uchar> buffer;
    if (!cv::imencode(extension, image, buffer, params))
        return {};
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), static_cast<qsizetype>(buffer.size()));
}

QByteArray byte(quint32 v) { return QByteArray(1, static_cast<char>(v & 0xFF)); }
QByteArray be16(quint32 v) { return byte(v >> 8) + byte(v); }
QByteArray be32(quint32 v) { return be16(v >> 16) + be16(v & 0xFFFF); }
QByteArray le16(quint32 v) { return byte(v) + byte(v >> 8); }
QByteArray le24(quint32 v) { return le16(v & 0xFFFF) + byte(v >> 16); }
QByteArray le32(quint32 v) { return le16(v & 0xFFFF) + le16(v >> 16); }
QByteArray bytes(const char *text, qsizetype size) { return QByteArray(text, size); }

// Noise that no decoder accepts: proves a refusal came before decoding.
QByteArray garbage(qsizetype size) { return QByteArray(size, '\x5a'); }

QByteArray pngSignature() { return bytes("\x89PNG\r\n\x1a\n", 8); }

// A PNG signature and an IHDR declaring the given size, followed by garbage, not pixels.
QByteArray pngDeclaring(quint32 width, quint32 height)
{
    return pngSignature() + be32(13) + "IHDR" + be32(width) + be32(height) + bytes("\x08\x02\0\0\0", 5)
           + be32(0) + garbage(200);
}

QByteArray jpegSegment(quint8 marker, const QByteArray &payload)
{
    return QByteArray(1, '\xff') + QByteArray(1, static_cast<char>(marker))
           + be16(static_cast<quint32>(payload.size() + 2)) + payload;
}

// SOI, then a SOFn (baseline unless told) declaring the size; no scan follows.
QByteArray jpegDeclaring(quint32 width, quint32 height, quint8 sof = 0xC0)
{
    return bytes("\xff\xd8", 2) + jpegSegment(sof, QByteArray(1, 8) + be16(height) + be16(width) + bytes("\x01\x01\x11\0", 4))
           + garbage(200);
}

// Tricky but valid: fill bytes, standalone TEM and RST markers, and DHT/DAC segments (whose
// codes sit in the SOFn range) before a progressive SOF2.
QByteArray jpegWithTrickyMarkers()
{
    return bytes("\xff\xd8", 2) + bytes("\xff\xff\xff", 3) + jpegSegment(0xE0, QByteArray("JFIF\0", 5))
           + bytes("\xff\x01\xff\xd0", 4) + jpegSegment(0xC4, bytes("\x08\x11\x11\x22\x22\0", 6))
           + jpegSegment(0xCC, bytes("\x08\x33\x33\x44\x44", 5)) + jpegSegment(0xC8, bytes("\x08\x55\x55", 3))
           + jpegSegment(0xC2, QByteArray(1, 8) + be16(48) + be16(80) + bytes("\x01\x01\x11\0", 4));
}

QByteArray gifDeclaring(quint32 width, quint32 height)
{
    return QByteArray("GIF89a") + le16(width) + le16(height) + bytes("\xf0\0\0", 3) + garbage(20);
}

// OS/2 1.x BITMAPCOREHEADER: 16-bit sides.
QByteArray bmpCoreHeader(quint32 width, quint32 height)
{
    return QByteArray("BM") + le32(26) + le32(0) + le32(26) + le32(12) + le16(width) + le16(height) + le16(1)
           + le16(24);
}

// BITMAPINFOHEADER with a signed height (negative: top-down rows).
QByteArray bmpInfoHeader(qint32 width, qint32 height)
{
    return QByteArray("BM") + le32(54) + le32(0) + le32(54) + le32(40) + le32(static_cast<quint32>(width))
           + le32(static_cast<quint32>(height)) + le16(1) + le16(24) + garbage(24);
}

QByteArray webpVp8x(quint32 width, quint32 height, quint8 flags = 0)
{
    return QByteArray("RIFF") + le32(22) + "WEBP" + "VP8X" + le32(10) + QByteArray(1, static_cast<char>(flags))
           + QByteArray(3, '\0') + le24(width - 1) + le24(height - 1);
}

// Big-endian TIFF whose first IFD has ImageWidth as SHORT and ImageLength as LONG.
QByteArray tiffBigEndian(quint32 width, quint32 height)
{
    return bytes("MM\0*", 4) + be32(8) + be16(2) + be16(256) + be16(3) + be32(1) + be16(width) + be16(0) + be16(257)
           + be16(4) + be32(1) + be32(height) + be32(0);
}

QByteArray isoMedia(const char *majorBrand, const QByteArray &compatibleBrands)
{
    const QByteArray box = QByteArray("ftyp") + majorBrand + be32(0) + compatibleBrands;
    return be32(static_cast<quint32>(box.size() + 4)) + box + garbage(64);
}

// A JPEG with an APP1 EXIF segment whose IFD0 holds only the Orientation tag.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation, bool bigEndian = true)
{
    const auto u16 = [bigEndian](quint32 v) { return bigEndian ? be16(v) : le16(v); };
    const auto u32 = [bigEndian](quint32 v) { return bigEndian ? be32(v) : le32(v); };
    const QByteArray tiff = (bigEndian ? QByteArray("MM") : QByteArray("II")) + u16(42) + u32(8) + u16(1)
                            + u16(0x0112) + u16(3) + u32(1) + u16(static_cast<quint32>(orientation)) + u16(0)
                            + u32(0);
    return jpeg.left(2) + jpegSegment(0xE1, bytes("Exif\0\0", 6) + tiff) + jpeg.mid(2);
}

// 32x16 red picture, an 8x8 blue block top-left and a green one top-right: any rotation or
// flip moves the two blocks to distinguishable places.
cv::Mat orientationChart()
{
    cv::Mat chart(16, 32, CV_8UC3, cv::Scalar(kRed[0], kRed[1], kRed[2]));
    chart(cv::Rect(0, 0, 8, 8)).setTo(cv::Scalar(kBlue[0], kBlue[1], kBlue[2]));
    chart(cv::Rect(24, 0, 8, 8)).setTo(cv::Scalar(kGreen[0], kGreen[1], kGreen[2]));
    return chart;
}

// Textured picture so that encoders produce a file long enough to cut in the middle.
cv::Mat noisePicture(int width, int height)
{
    cv::Mat image(height, width, CV_8UC3);
    cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(256));
    return image;
}

cv::Vec3b pixelAt(const cv::Mat &image, QPoint p) { return image.at<cv::Vec3b>(p.y(), p.x()); }

bool isNear(const cv::Vec3b &actual, const cv::Vec3b &expected, int tolerance)
{
    for (int c = 0; c < 3; ++c) {
        if (std::abs(static_cast<int>(actual[c]) - static_cast<int>(expected[c])) > tolerance)
            return false;
    }
    return true;
}

QByteArray describe(const cv::Vec3b &p)
{
    return QByteArray("BGR(") + QByteArray::number(p[0]) + ',' + QByteArray::number(p[1]) + ','
           + QByteArray::number(p[2]) + ')';
}

} // namespace

#define VERIFY_PIXEL(image, point, expected, tolerance)                                                     \
    QVERIFY2(isNear(pixelAt(image, point), expected, tolerance),                                              \
             QByteArray(describe(pixelAt(image, point)) + " at " + QByteArray::number((point).x()) + ','      \
                        + QByteArray::number((point).y()) + ", expected " + describe(expected))                \
                 .constData())

#define VERIFY_LOADED(result)                                                                                \
    do {                                                                                                     \
        QVERIFY2((result).ok(), qPrintable((result).error()));                                               \
        QCOMPARE((result)->type(), CV_8UC3);                                                                 \
        QVERIFY((result)->isContinuous());                                                                   \
    } while (false)

class TestImageLoader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void catalogSuffixesAreTheDecodedFormats();

    void probeReadsDeclaredSize_data();
    void probeReadsDeclaredSize();
    void probeOnEveryPrefixIsNulloptOrRight_data();
    void probeOnEveryPrefixIsNulloptOrRight();
    void probeSurvivesMutatedHeaders();
    void recognisesUnsupportedFormats_data();
    void recognisesUnsupportedFormats();

    void decodesEveryCatalogFormat_data();
    void decodesEveryCatalogFormat();
    void refusesWithReason_data();
    void refusesWithReason();
    void refusesOversizedHeaderBeforeDecoding_data();
    void refusesOversizedHeaderBeforeDecoding();
    void acceptsJpegWithDataAfterTheImage();
    void scalesSixteenBitToEightBit_data();
    void scalesSixteenBitToEightBit();
    void grayscaleBecomesThreeEqualChannels_data();
    void grayscaleBecomesThreeEqualChannels();
    void compositesAlphaOnWhite();
    void convertsCmykJpeg();
    void appliesExifOrientation_data();
    void appliesExifOrientation();
    void refusesAnimatedGifClearly();
    void refusesAnimatedWebpClearly();

    void loadFileRefusesWithReason_data();
    void loadFileRefusesWithReason();
    void loadsFileWithUnusualName();
    void decodeSurvivesMutatedFiles();

private:
    QString writeFile(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
};

void TestImageLoader::initTestCase()
{
    QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
    QVERIFY2(QFile::exists(testImagePath("cmyk.jpg")), "tests/data/images is missing");
}

QString TestImageLoader::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestImageLoader::catalogSuffixesAreTheDecodedFormats()
{
    const QStringList expected{QStringLiteral("jpg"),  QStringLiteral("jpeg"), QStringLiteral("png"),
                               QStringLiteral("webp"), QStringLiteral("bmp"),  QStringLiteral("tif"),
                               QStringLiteral("tiff")};
    QCOMPARE(ImageLoader::catalogSuffixes(), expected);
}

// ---- probeImageHeader

void TestImageLoader::probeReadsDeclaredSize_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");

    const cv::Mat picture = noisePicture(37, 21);
    const auto row = [](const char *name, const QByteArray &content, const char *format, qint64 w, qint64 h) {
        QTest::newRow(name) << content << QString::fromLatin1(format) << w << h;
    };
    row("png from imencode", encode(picture, ".png"), "png", 37, 21);
    row("png declaring 50000x50000", pngDeclaring(50000, 50000), "png", 50000, 50000);
    row("png declaring 4294967295 wide", pngDeclaring(0xFFFFFFFF, 1), "png", 0xFFFFFFFFLL, 1);
    row("jpeg from imencode", encode(picture, ".jpg"), "jpeg", 37, 21);
    row("jpeg with fill bytes, TEM, RST, DHT, DAC, JPG before SOF2", jpegWithTrickyMarkers(), "jpeg", 80, 48);
    row("jpeg progressive SOF2 65535x65535", jpegDeclaring(65535, 65535, 0xC2), "jpeg", 65535, 65535);
    row("jpeg SOF15 lossless arithmetic", jpegDeclaring(12, 34, 0xCF), "jpeg", 12, 34);
    row("jpeg height 0 (DNL)", jpegDeclaring(640, 0), "jpeg", 640, 0);
    row("jpeg cmyk file", readFile(testImagePath("cmyk.jpg")), "jpeg", 16, 16);
    row("jpeg with exif orientation: stored size", readFile(testImagePath("exif-orientation-6.jpg")), "jpeg", 32, 16);
    row("gif hand-made", gifDeclaring(300, 200), "gif", 300, 200);
    row("gif animated file", readFile(testImagePath("animated.gif")), "gif", 8, 8);
    row("bmp from imencode", encode(picture, ".bmp"), "bmp", 37, 21);
    row("bmp core header (OS/2 1.x)", bmpCoreHeader(640, 480), "bmp", 640, 480);
    row("bmp top-down (negative height)", bmpInfoHeader(64, -48), "bmp", 64, 48);
    row("webp lossy from imencode", encode(picture, ".webp", {cv::IMWRITE_WEBP_QUALITY, 80}), "webp", 37, 21);
    row("webp lossless from imencode", encode(picture, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}), "webp", 37, 21);
    row("webp extended VP8X", webpVp8x(16384, 9000), "webp", 16384, 9000);
    row("tiff little-endian from imencode", encode(picture, ".tiff"), "tiff", 37, 21);
    row("tiff big-endian SHORT and LONG", tiffBigEndian(300, 70000), "tiff", 300, 70000);
}

void TestImageLoader::probeReadsDeclaredSize()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, format);
    QFETCH(qint64, width);
    QFETCH(qint64, height);
    QVERIFY(!content.isEmpty());
    const auto header = probeImageHeader(content);
    QVERIFY(header.has_value());
    QCOMPARE(header->format, format);
    QCOMPARE(header->width, width);
    QCOMPARE(header->height, height);
}

void TestImageLoader::probeOnEveryPrefixIsNulloptOrRight_data() { probeReadsDeclaredSize_data(); }

// The probe is given whatever a file starts with: a cut anywhere must give nullopt or the
// full answer, never garbage and never a read past the end.
void TestImageLoader::probeOnEveryPrefixIsNulloptOrRight()
{
    QFETCH(QByteArray, content);
    QFETCH(qint64, width);
    QFETCH(qint64, height);
    constexpr qsizetype kLongestHeader = 512;
    for (qsizetype length = 0; length <= std::min(content.size(), kLongestHeader); ++length) {
        // A copy, so that a read past the end hits memory the sanitizers can see as foreign.
        const QByteArray prefix(content.constData(), length);
        const auto header = probeImageHeader(prefix);
        if (!header)
            continue;
        QVERIFY2(header->width == width && header->height == height,
                 qPrintable(QStringLiteral("prefix of %1 bytes gave %2x%3").arg(length).arg(header->width).arg(header->height)));
    }
}

void TestImageLoader::probeSurvivesMutatedHeaders()
{
    QRandomGenerator random(20240601); // fixed: a failure must be reproducible
    const QList<QByteArray> seeds{encode(noisePicture(9, 7), ".png"),    encode(noisePicture(9, 7), ".jpg"),
                                  encode(noisePicture(9, 7), ".bmp"),    encode(noisePicture(9, 7), ".webp"),
                                  encode(noisePicture(9, 7), ".tiff"),   jpegWithTrickyMarkers(),
                                  gifDeclaring(3, 4),                    bmpCoreHeader(3, 4),
                                  webpVp8x(3, 4),                        tiffBigEndian(3, 4),
                                  isoMedia("mif1", QByteArray("heic"))};
    constexpr int kMutationsPerSeed = 3000;
    constexpr int kMutatedPrefix = 64;
    int recognised = 0;
    for (const QByteArray &seed : seeds) {
        for (int i = 0; i < kMutationsPerSeed; ++i) {
            QByteArray mutated = seed;
            const int flips = 1 + random.bounded(4);
            for (int f = 0; f < flips; ++f) {
                const auto at = random.bounded(static_cast<int>(std::min<qsizetype>(mutated.size(), kMutatedPrefix)));
                mutated[at] = static_cast<char>(random.bounded(256));
            }
            mutated.truncate(random.bounded(static_cast<int>(mutated.size()) + 1));
            if (probeImageHeader(mutated))
                ++recognised;
            recogniseUnsupportedFormat(mutated);
        }
    }
    QVERIFY(recognised > 0); // the mutations did not all break the signature
}

void TestImageLoader::recognisesUnsupportedFormats_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("name");
    QTest::newRow("heic major brand") << isoMedia("heic", QByteArray("mif1heic")) << QStringLiteral("HEIC");
    QTest::newRow("heix major brand") << isoMedia("heix", QByteArray("mif1")) << QStringLiteral("HEIC");
    QTest::newRow("mif1 with heic compatible") << isoMedia("mif1", QByteArray("mif1heic")) << QStringLiteral("HEIC");
    QTest::newRow("msf1 with no codec brand") << isoMedia("msf1", QByteArray("iso8")) << QStringLiteral("HEIF");
    QTest::newRow("avif") << isoMedia("avif", QByteArray("mif1miaf")) << QStringLiteral("AVIF");
    QTest::newRow("mif1 with avif compatible") << isoMedia("mif1", QByteArray("avifmiaf")) << QStringLiteral("AVIF");
    QTest::newRow("jpeg 2000 jp2") << bytes("\0\0\0\x0cjP  \r\n\x87\n\0\0\0\x14" "ftypjp2 ", 24) << QStringLiteral("JPEG 2000");
    QTest::newRow("jpeg 2000 codestream") << bytes("\xff\x4f\xff\x51\0\x2f", 6) << QStringLiteral("JPEG 2000");
    QTest::newRow("psd") << QByteArray("8BPS\0\x01", 6) << QStringLiteral("PSD");
    QTest::newRow("mp4 video is not an image format") << isoMedia("isom", QByteArray("mp41")) << QString();
    QTest::newRow("text") << QByteArray("ftyp heic, said the text file") << QString();
    QTest::newRow("png is supported, not named") << encode(noisePicture(4, 4), ".png") << QString();
    QTest::newRow("ftyp box cut after major brand") << isoMedia("mif1", QByteArray("heic")).left(12) << QStringLiteral("HEIF");
}

void TestImageLoader::recognisesUnsupportedFormats()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, name);
    QCOMPARE(recogniseUnsupportedFormat(content), name);
    QVERIFY(!probeImageHeader(content) || name.isEmpty());
}

// ---- ImageLoader::decode

void TestImageLoader::decodesEveryCatalogFormat_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("tolerance");
    const cv::Mat chart = orientationChart();
    QTest::newRow("png") << encode(chart, ".png") << 0;
    QTest::newRow("jpeg") << encode(chart, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95}) << kJpegTolerance;
    QTest::newRow("bmp") << encode(chart, ".bmp") << 0;
    QTest::newRow("webp lossless") << encode(chart, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}) << 0;
    QTest::newRow("webp lossy") << encode(chart, ".webp", {cv::IMWRITE_WEBP_QUALITY, 95}) << 40;
    QTest::newRow("tiff") << encode(chart, ".tiff") << 0;
}

void TestImageLoader::decodesEveryCatalogFormat()
{
    QFETCH(QByteArray, content);
    QFETCH(int, tolerance);
    const auto image = ImageLoader().decode(content);
    VERIFY_LOADED(image);
    QCOMPARE(image->cols, 32);
    QCOMPARE(image->rows, 16);
    VERIFY_PIXEL(*image, QPoint(3, 3), kBlue, tolerance);
    VERIFY_PIXEL(*image, QPoint(28, 4), kGreen, tolerance);
    VERIFY_PIXEL(*image, QPoint(16, 12), kRed, tolerance);
}

void TestImageLoader::refusesWithReason_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("reason");

    const QByteArray jpeg = encode(noisePicture(64, 64), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90});
    const QByteArray png = encode(noisePicture(64, 64), ".png");
    // Signature (8) + IHDR (25) + the first IDAT's length and type (8): its data starts here.
    constexpr qsizetype kFirstIdatData = 41;
    constexpr qsizetype kDamagedBytes = 100;
    QTest::newRow("zero bytes") << QByteArray() << QStringLiteral("empty file (0 bytes)");
    QTest::newRow("jpeg cut in half") << jpeg.left(jpeg.size() / 2) << QStringLiteral("truncated JPEG (no end-of-image marker)");
    QTest::newRow("jpeg missing only its EOI") << jpeg.chopped(2) << QStringLiteral("truncated JPEG");
    QTest::newRow("jpeg cut in half after an EXIF thumbnail with its own EOI")
        << withExifOrientation(jpeg, 1).insert(2, jpegSegment(0xE1, bytes("Exif\0\0\xff\xd8\xff\xd9", 10))).left(jpeg.size() / 2)
        << QStringLiteral("truncated JPEG");
    QTest::newRow("jpeg cut inside its headers") << jpeg.left(40) << QStringLiteral("damaged or truncated JPEG");
    QTest::newRow("png cut in half") << png.left(png.size() / 2) << QStringLiteral("truncated PNG (no IEND chunk)");
    QTest::newRow("png missing only IEND") << png.chopped(12) << QStringLiteral("truncated PNG (no IEND chunk)");
    QTest::newRow("png cut inside the signature chunk") << png.left(12) << QStringLiteral("damaged or truncated PNG");
    QTest::newRow("png with damaged pixel data")
        << png.left(kFirstIdatData) + garbage(kDamagedBytes) + png.mid(kFirstIdatData + kDamagedBytes)
        << QStringLiteral("damaged or truncated PNG (decoder returned nothing)");
    QTest::newRow("text") << QByteArray("Just a shopping list, not a photo.\n") << QStringLiteral("not an image (unrecognised content)");
    QTest::newRow("heic") << isoMedia("heic", QByteArray("mif1heic")) << QStringLiteral("unsupported format: HEIC");
    QTest::newRow("avif") << isoMedia("avif", QByteArray("mif1")) << QStringLiteral("unsupported format: AVIF");
    QTest::newRow("psd") << QByteArray("8BPS\0\x01\0\0\0\0\0\0", 12) << QStringLiteral("unsupported format: PSD");
    QTest::newRow("still gif") << gifDeclaring(2, 2) << QStringLiteral("unsupported format: GIF");
    QTest::newRow("jpeg declaring height 0") << jpegDeclaring(640, 0) << QStringLiteral("640x0 pixels, an empty image");
    QTest::newRow("bmp declaring negative width") << bmpInfoHeader(-5, 5) << QStringLiteral("-5x5 pixels, an empty image");
}

void TestImageLoader::refusesWithReason()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    const auto image = ImageLoader().decode(content);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().contains(reason), qPrintable(image.error()));
    QVERIFY(!image.error().contains(QLatin1Char('\n')));
}

void TestImageLoader::refusesOversizedHeaderBeforeDecoding_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("reason");
    // All followed by garbage: a decoder would say "damaged", so the size reason proves the
    // refusal came from the header alone.
    QTest::newRow("png 50000x50000") << pngDeclaring(50000, 50000)
                                     << QStringLiteral("header declares 50000x50000 pixels (2500.0 MP), over the 120 MP limit");
    QTest::newRow("png 4294967295x4294967295") << pngDeclaring(0xFFFFFFFF, 0xFFFFFFFF)
                                               << QStringLiteral("4294967295x4294967295 pixels");
    QTest::newRow("png 40000x10: one side too long") << pngDeclaring(40000, 10)
                                                     << QStringLiteral("40000x10 pixels, a side over the 30000-pixel limit");
    QTest::newRow("jpeg 20000x20000") << jpegDeclaring(20000, 20000) << QStringLiteral("20000x20000 pixels (400.0 MP)");
    QTest::newRow("bmp 100000x2000") << bmpInfoHeader(100000, 2000) << QStringLiteral("100000x2000 pixels (200.0 MP)");
    QTest::newRow("webp 16384x16384") << webpVp8x(16384, 16384) << QStringLiteral("16384x16384 pixels (268.4 MP)");
    QTest::newRow("tiff 60000x65535") << tiffBigEndian(60000, 65535) << QStringLiteral("60000x65535 pixels");
}

void TestImageLoader::refusesOversizedHeaderBeforeDecoding()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    const auto image = ImageLoader().decode(content);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().contains(reason), qPrintable(image.error()));
}

// Phones append a video or a vendor trailer after the JPEG's end-of-image marker.
void TestImageLoader::acceptsJpegWithDataAfterTheImage()
{
    const QByteArray jpeg = encode(orientationChart(), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    const auto image = ImageLoader().decode(jpeg + QByteArray("ftypmp42") + garbage(5000));
    VERIFY_LOADED(image);
    QCOMPARE(image->cols, 32);
    VERIFY_PIXEL(*image, QPoint(3, 3), kBlue, kJpegTolerance);
}

void TestImageLoader::scalesSixteenBitToEightBit_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("gray");
    // 257 * v is the 16-bit sample that means the 8-bit v exactly.
    cv::Mat colour(1, 4, CV_16UC3);
    colour.at<cv::Vec3w>(0, 0) = cv::Vec3w(0, 257 * 100, 65535);
    colour.at<cv::Vec3w>(0, 1) = cv::Vec3w(257 * 37, 257 * 200, 257 * 1);
    colour.at<cv::Vec3w>(0, 2) = cv::Vec3w(257 * 37 + 100, 257 * 200 - 100, 128);
    colour.at<cv::Vec3w>(0, 3) = cv::Vec3w(65535, 65535, 65535);
    cv::Mat gray(1, 4, CV_16UC1);
    gray.at<quint16>(0, 0) = 0;
    gray.at<quint16>(0, 1) = 257 * 37;
    gray.at<quint16>(0, 2) = 257 * 37 + 100;
    gray.at<quint16>(0, 3) = 65535;
    QTest::newRow("16-bit colour png") << encode(colour, ".png") << false;
    QTest::newRow("16-bit gray png") << encode(gray, ".png") << true;
    QTest::newRow("16-bit colour tiff") << encode(colour, ".tiff") << false;
}

void TestImageLoader::scalesSixteenBitToEightBit()
{
    QFETCH(QByteArray, content);
    QFETCH(bool, gray);
    const auto image = ImageLoader().decode(content);
    VERIFY_LOADED(image);
    if (gray) {
        VERIFY_PIXEL(*image, QPoint(0, 0), cv::Vec3b(0, 0, 0), 0);
        VERIFY_PIXEL(*image, QPoint(1, 0), cv::Vec3b(37, 37, 37), 0);
        VERIFY_PIXEL(*image, QPoint(2, 0), cv::Vec3b(37, 37, 37), 0);
    } else {
        VERIFY_PIXEL(*image, QPoint(0, 0), cv::Vec3b(0, 100, 255), 0);
        VERIFY_PIXEL(*image, QPoint(1, 0), cv::Vec3b(37, 200, 1), 0);
        VERIFY_PIXEL(*image, QPoint(2, 0), cv::Vec3b(37, 200, 0), 0); // +-100 rounds back, 128 to 0
    }
    VERIFY_PIXEL(*image, QPoint(3, 0), kWhite, 0);
}

void TestImageLoader::grayscaleBecomesThreeEqualChannels_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("tolerance");
    cv::Mat gray(16, 16, CV_8UC1);
    for (int y = 0; y < gray.rows; ++y)
        for (int x = 0; x < gray.cols; ++x)
            gray.at<uchar>(y, x) = static_cast<uchar>(y * 16 + x);
    QTest::newRow("gray png") << encode(gray, ".png") << 0;
    QTest::newRow("gray jpeg") << encode(gray, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 100}) << 4;
    QTest::newRow("gray tiff") << encode(gray, ".tiff") << 0;
    QTest::newRow("gray bmp") << encode(gray, ".bmp") << 0;
}

void TestImageLoader::grayscaleBecomesThreeEqualChannels()
{
    QFETCH(QByteArray, content);
    QFETCH(int, tolerance);
    const auto image = ImageLoader().decode(content);
    VERIFY_LOADED(image);
    QCOMPARE(image->size(), cv::Size(16, 16));
    for (int y = 0; y < image->rows; ++y) {
        for (int x = 0; x < image->cols; ++x) {
            const cv::Vec3b p = image->at<cv::Vec3b>(y, x);
            QVERIFY(p[0] == p[1] && p[1] == p[2]);
            QVERIFY2(std::abs(static_cast<int>(p[0]) - (y * 16 + x)) <= tolerance, describe(p).constData());
        }
    }
}

void TestImageLoader::compositesAlphaOnWhite()
{
    cv::Mat bgra(1, 5, CV_8UC4);
    bgra.at<cv::Vec4b>(0, 0) = cv::Vec4b(0, 0, 255, 255);   // opaque red
    bgra.at<cv::Vec4b>(0, 1) = cv::Vec4b(0, 0, 0, 128);     // half-transparent black
    bgra.at<cv::Vec4b>(0, 2) = cv::Vec4b(0, 255, 0, 0);     // fully transparent green
    bgra.at<cv::Vec4b>(0, 3) = cv::Vec4b(255, 0, 0, 128);   // half-transparent blue
    bgra.at<cv::Vec4b>(0, 4) = cv::Vec4b(0, 0, 0, 0);       // fully transparent black
    const auto image = ImageLoader().decode(encode(bgra, ".png"));
    VERIFY_LOADED(image);
    VERIFY_PIXEL(*image, QPoint(0, 0), kRed, 0);
    VERIFY_PIXEL(*image, QPoint(1, 0), cv::Vec3b(127, 127, 127), kBlendTolerance);
    VERIFY_PIXEL(*image, QPoint(2, 0), kWhite, 0);
    VERIFY_PIXEL(*image, QPoint(3, 0), cv::Vec3b(255, 127, 127), kBlendTolerance);
    VERIFY_PIXEL(*image, QPoint(4, 0), kWhite, 0);
}

void TestImageLoader::convertsCmykJpeg()
{
    const auto image = ImageLoader().loadFile(testImagePath("cmyk.jpg"));
    VERIFY_LOADED(image);
    QCOMPARE(image->size(), cv::Size(16, 16));
    VERIFY_PIXEL(*image, QPoint(3, 8), kRed, kJpegTolerance);
    VERIFY_PIXEL(*image, QPoint(12, 8), kBlue, kJpegTolerance);
}

void TestImageLoader::appliesExifOrientation_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QPoint>("blue");
    QTest::addColumn<QPoint>("green");
    // The chart is 32x16 with blue at (0..7, 0..7) and green at (24..31, 0..7), before the tag.
    const QByteArray chart = encode(orientationChart(), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    const QSize landscape(32, 16);
    const QSize portrait(16, 32);
    QTest::newRow("committed file, 6: rotate 90 clockwise")
        << readFile(testImagePath("exif-orientation-6.jpg")) << portrait << QPoint(11, 4) << QPoint(11, 28);
    QTest::newRow("no exif") << chart << landscape << QPoint(4, 4) << QPoint(28, 4);
    QTest::newRow("1: as stored") << withExifOrientation(chart, 1) << landscape << QPoint(4, 4) << QPoint(28, 4);
    QTest::newRow("2: mirrored") << withExifOrientation(chart, 2) << landscape << QPoint(27, 4) << QPoint(3, 4);
    QTest::newRow("3: rotate 180") << withExifOrientation(chart, 3) << landscape << QPoint(27, 11) << QPoint(3, 11);
    QTest::newRow("4: flipped") << withExifOrientation(chart, 4) << landscape << QPoint(4, 11) << QPoint(28, 11);
    QTest::newRow("5: transposed") << withExifOrientation(chart, 5) << portrait << QPoint(4, 4) << QPoint(4, 28);
    QTest::newRow("6: rotate 90 clockwise") << withExifOrientation(chart, 6) << portrait << QPoint(11, 4) << QPoint(11, 28);
    QTest::newRow("6, little-endian exif") << withExifOrientation(chart, 6, false) << portrait << QPoint(11, 4) << QPoint(11, 28);
    QTest::newRow("7: transversed") << withExifOrientation(chart, 7) << portrait << QPoint(11, 27) << QPoint(11, 3);
    QTest::newRow("8: rotate 90 counter-clockwise") << withExifOrientation(chart, 8) << portrait << QPoint(4, 27) << QPoint(4, 3);
}

void TestImageLoader::appliesExifOrientation()
{
    QFETCH(QByteArray, content);
    QFETCH(QSize, size);
    QFETCH(QPoint, blue);
    QFETCH(QPoint, green);
    const auto image = ImageLoader().decode(content);
    VERIFY_LOADED(image);
    QCOMPARE(QSize(image->cols, image->rows), size);
    VERIFY_PIXEL(*image, blue, kBlue, kJpegTolerance);
    VERIFY_PIXEL(*image, green, kGreen, kJpegTolerance);
}

void TestImageLoader::refusesAnimatedGifClearly()
{
    const auto image = ImageLoader().loadFile(testImagePath("animated.gif"));
    QVERIFY(!image.ok());
    QCOMPARE(image.error(), QStringLiteral("unsupported format: GIF"));
}

void TestImageLoader::refusesAnimatedWebpClearly()
{
    constexpr quint8 kAnimationFlag = 0x02;
    const auto image = ImageLoader().decode(webpVp8x(8, 8, kAnimationFlag) + garbage(64));
    QVERIFY(!image.ok());
    QCOMPARE(image.error(), QStringLiteral("unsupported format: animated WebP"));
}

// ---- ImageLoader::loadFile

void TestImageLoader::loadFileRefusesWithReason_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("maxFileBytes");
    QTest::addColumn<QString>("reason");
    const qint64 defaultLimit = ImageLimits().maxFileBytes;
    const QByteArray png = encode(noisePicture(64, 64), ".png");
    QTest::newRow("missing file") << m_dir.filePath(QStringLiteral("absent.jpg")) << defaultLimit
                                  << QStringLiteral("file not found");
    QTest::newRow("zero-byte file") << writeFile(QStringLiteral("empty.jpg"), {}) << defaultLimit
                                    << QStringLiteral("empty file (0 bytes)");
    QTest::newRow("text file named .jpg")
        << writeFile(QStringLiteral("notes.jpg"), QByteArray("Remember: order the red scarf.\n")) << defaultLimit
        << QStringLiteral("not an image (unrecognised content)");
    QTest::newRow("heic named .jpg") << writeFile(QStringLiteral("phone.jpg"), isoMedia("heic", QByteArray("mif1")))
                                     << defaultLimit << QStringLiteral("unsupported format: HEIC");
    QTest::newRow("truncated png") << writeFile(QStringLiteral("cut.png"), png.left(png.size() / 2)) << defaultLimit
                                   << QStringLiteral("truncated PNG");
    QTest::newRow("over a byte limit") << writeFile(QStringLiteral("big.png"), png) << qint64(100)
                                       << QStringLiteral("larger than 100 bytes");
    QTest::newRow("over a 1 MB limit") << writeFile(QStringLiteral("huge.png"), png + garbage(2 * 1024 * 1024))
                                       << qint64(1024 * 1024) << QStringLiteral("larger than 1 MB");
    QTest::newRow("a folder") << m_dir.path() << defaultLimit << QStringLiteral("folder");
}

void TestImageLoader::loadFileRefusesWithReason()
{
    QFETCH(QString, path);
    QFETCH(qint64, maxFileBytes);
    QFETCH(QString, reason);
    ImageLimits limits;
    limits.maxFileBytes = maxFileBytes;
    const auto image = ImageLoader(limits).loadFile(path);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().contains(reason), qPrintable(image.error()));
}

void TestImageLoader::loadsFileWithUnusualName()
{
    const QString path = writeFile(QString::fromUtf8("ä 名前 \"q\" 'x'.png"), encode(orientationChart(), ".png"));
    const auto image = ImageLoader().loadFile(path);
    VERIFY_LOADED(image);
    QCOMPARE(image->size(), cv::Size(32, 16));
    VERIFY_PIXEL(*image, QPoint(3, 3), kBlue, 0);
}

// Whatever the bytes, decode returns pixels or a one-line reason.
void TestImageLoader::decodeSurvivesMutatedFiles()
{
    QRandomGenerator random(7);
    const cv::Mat picture = noisePicture(24, 16);
    const QList<QByteArray> seeds{encode(picture, ".png"), encode(picture, ".bmp"),
                                  encode(picture, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}), encode(picture, ".tiff")};
    // Few: libpng and libjpeg print a line to stderr for every damaged file.
    constexpr int kMutationsPerSeed = 40;
    const ImageLoader loader;
    for (const QByteArray &seed : seeds) {
        for (int i = 0; i < kMutationsPerSeed; ++i) {
            QByteArray mutated = seed;
            for (int f = 0; f < 3; ++f)
                mutated[random.bounded(static_cast<int>(mutated.size()))] = static_cast<char>(random.bounded(256));
            const auto image = loader.decode(mutated);
            if (image.ok())
                QCOMPARE(image->type(), CV_8UC3);
            else
                QVERIFY(!image.error().isEmpty() && !image.error().contains(QLatin1Char('\n')));
        }
    }
}

QTEST_GUILESS_MAIN(TestImageLoader)
#include "tst_imageloader.moc"
