// The query pane and what feeds it: DropReader on every kind of drop and paste (and on
// garbage), QueryPane on real drop events and the clipboard with a catalog-like JPEG made by
// the suite (read by QueryReader off the GUI thread, the newest drop winning), and UrlFetcher
// against a tiny HTTP server on the loopback interface. No shared folder is needed.

#include "DropReader.h"
#include "ImageLoader.h"
#include "QueryPane.h"
#include "QueryReader.h"
#include "TestSupport.h"
#include "UrlFetcher.h"

#include <QBuffer>
#include <QClipboard>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QMouseEvent>
#include <QImage>
#include <QMimeData>
#include <QNetworkProxy>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QThreadPool>
#include <QToolButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace lookbook;

namespace {

constexpr int kSignalTimeoutMs = 5000;
constexpr qint64 kSmallLimit = 4096;      // bytes, for the size-limit cases
constexpr int kShortTimeoutMs = 500;      // for the server that never answers
constexpr qint64 kDeclaredHugeLength = 10'000'000;
constexpr int kStreamedBytes = 20'000;    // sent without Content-Length, over kSmallLimit
const QByteArray kPngSignature("\x89PNG\r\n\x1a\n");

QByteArray encodePng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QImage testImage(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(QColor(0xc0, 0x40, 0x60));
    return image;
}

// A catalog photo as the demo catalog has them: a 60x80 JPEG, a garment on a light ground.
bool writeCatalogPhoto(const QString &path)
{
    QImage photo(60, 80, QImage::Format_RGB32);
    photo.fill(QColor(0xf0, 0xee, 0xeb));
    for (int y = 10; y < 70; ++y)
        for (int x = 10; x < 50; ++x) photo.setPixelColor(x, y, QColor(0x30 + 2 * y, 0x40, 0x20 + 3 * x));
    return photo.save(path, "JPG", 90);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

QueryInput queryAt(const QSignalSpy &spy, int index)
{
    return qvariant_cast<QueryInput>(spy.at(index).at(0));
}

} // namespace

class TestQueryPane : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void dropReader_data();
    void dropReader();
    void dropReaderRefusesNullAndOverlongText();
    void dropReaderSurvivesGarbage();

    void dropOfCatalogImageEmitsItsBytes();
    void dropOfTextFileIsRefusedAndKeepsQuery();
    void regionDrawnOnThePictureIsInItsPixels();
    void moveOnlyDragIsNotAccepted();
    void dropOfImageDataEmitsPng();
    void pasteFromClipboard();
    void dropOfLinkDownloadsIt();
    void droppedFileIsReadOffTheGuiThreadAndTheNewestDropWins();
    void fileOverTheLoadersLimitIsRefusedUnread();

    void fetcher_data();
    void fetcher();
    void fetcherRefusesOtherSchemesAtOnce();
    void newFetchCancelsThePreviousOne();

private:
    QString file(const QString &name) const { return m_dir.filePath(name); }
    QUrl serverUrl(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }
    // The test server is on this computer: every fetch of it comes with the user's yes
    // (refusing it without is tst_urlfetcher's).
    static HostConsent loopbackConsent() { return {QStringLiteral("127.0.0.1"), {QHostAddress(QHostAddress::LocalHost)}}; }
    void serve(QTcpSocket *socket, const QByteArray &path);
    // The rows of dropReader_data, by what the mime holds.
    void addLocalFileRows();
    void addLinkRows();
    void addImageDataAndTextRows();

    QTemporaryDir m_dir;
    QString m_catalogImage;
    QByteArray m_png;
    QTcpServer m_server;
    QByteArray m_lastRequest;
};

void TestQueryPane::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("catalog/images")));
    m_catalogImage = file(QStringLiteral("catalog/images/1550.jpg"));
    QVERIFY2(writeCatalogPhoto(m_catalogImage), qPrintable(m_catalogImage));
    QVERIFY(QFile::copy(m_catalogImage, file(QStringLiteral("photo.jpg"))));
    QVERIFY(QFile::copy(m_catalogImage, file(QStringLiteral("mystery.zq7"))));
    QVERIFY(QFile::copy(m_catalogImage, file(QStringLiteral("name with spaces é.jpg"))));
    for (const QString &name : {QStringLiteral("notes.txt"), QStringLiteral("anim.gif")}) {
        QFile text(file(name));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("not a picture\n");
    }
    QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("Looks")));
    m_png = encodePng(testImage(24, 16));
    QVERIFY(m_png.startsWith(kPngSignature));

    // Only ever the loopback interface; and no proxy in the way of it.
    QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
    QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                QByteArray request = socket->property("request").toByteArray() + socket->readAll();
                socket->setProperty("request", request);
                if (!request.contains("\r\n\r\n")) return;
                socket->setProperty("request", QByteArray());
                m_lastRequest = request;
                const QList<QByteArray> requestLine = request.left(request.indexOf("\r\n")).split(' ');
                serve(socket, requestLine.value(1));
            });
        }
    });
}

void TestQueryPane::serve(QTcpSocket *socket, const QByteArray &path)
{
    const auto respond = [socket](const QByteArray &status, const QByteArray &headers, const QByteArray &body,
                                  bool declareLength = true) {
        QByteArray response = "HTTP/1.1 " + status + "\r\nConnection: close\r\n" + headers;
        if (declareLength) response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        socket->write(response + "\r\n" + body);
        socket->disconnectFromHost();
    };
    if (path == "/small.png") {
        respond("200 OK", "Content-Type: image/png\r\n", m_png);
    } else if (path == "/moved.png") {
        respond("301 Moved Permanently", "Location: /small.png\r\n", {});
    } else if (path == "/huge.png") {
        // Declares 10 MB, sends a little and keeps the connection open: only the header can
        // end this quickly.
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: "
                      + QByteArray::number(kDeclaredHugeLength) + "\r\n\r\n" + m_png);
    } else if (path == "/stream.png") {
        respond("200 OK", "Content-Type: image/png\r\n", QByteArray(kStreamedBytes, 'x'), false);
    } else if (path == "/silent.png") {
        // Never answers.
    } else if (path == "/page.html") {
        respond("200 OK", "Content-Type: text/html; charset=utf-8\r\n", "<html><body>shop</body></html>");
    } else if (path == "/to-ftp.png") {
        respond("302 Found", "Location: ftp://127.0.0.1/small.png\r\n", {});
    } else if (path == "/loop.png") {
        respond("302 Found", "Location: /loop.png\r\n", {});
    } else if (path == "/empty.png") {
        respond("200 OK", "Content-Type: image/png\r\n", {});
    } else {
        respond("404 Not Found", "Content-Type: text/plain\r\n", "no such thing");
    }
}

// ---- DropReader ---------------------------------------------------------------------------

void TestQueryPane::dropReader_data()
{
    QTest::addColumn<QList<QUrl>>("urls");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QSize>("imageSize");   // a QImage put in the mime when valid
    QTest::addColumn<QString>("rawFormat"); // raw bytes put in the mime under this format
    QTest::addColumn<QByteArray>("rawBytes");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expected"); // LocalFile: path; RemoteUrl: url; Unsupported: part of the error
    QTest::addColumn<QSize>("decodedSize"); // ImageData: size the bytes decode to

    addLocalFileRows();
    addLinkRows();
    addImageDataAndTextRows();
}

namespace {
using Kind = DropRequest::Kind;
const QList<QUrl> kNoUrls;
const QSize kNoImage;
} // namespace

void TestQueryPane::addLocalFileRows()
{
    const auto local = [this](const QString &name) { return QList<QUrl>{QUrl::fromLocalFile(file(name))}; };
    const QSize noImage = kNoImage;
    const QString photo = file(QStringLiteral("photo.jpg"));

    QTest::newRow("local .jpg file URL") << local(QStringLiteral("photo.jpg")) << QString() << noImage << QString()
                                         << QByteArray() << int(Kind::LocalFile) << photo << noImage;
    QTest::newRow("file name with spaces and accents")
        << local(QStringLiteral("name with spaces é.jpg")) << QString() << noImage << QString() << QByteArray()
        << int(Kind::LocalFile) << file(QStringLiteral("name with spaces é.jpg")) << noImage;
    QTest::newRow("unknown suffix is passed on for the content to decide")
        << local(QStringLiteral("mystery.zq7")) << QString() << noImage << QString() << QByteArray()
        << int(Kind::LocalFile) << file(QStringLiteral("mystery.zq7")) << noImage;
    QTest::newRow(".txt file URL is refused, naming the file")
        << local(QStringLiteral("notes.txt")) << QString() << noImage << QString() << QByteArray()
        << int(Kind::Unsupported) << QStringLiteral("not an image: notes.txt") << noImage;
    QTest::newRow(".gif is an image the search cannot use")
        << local(QStringLiteral("anim.gif")) << QString() << noImage << QString() << QByteArray()
        << int(Kind::Unsupported) << QStringLiteral("cannot be searched: anim.gif") << noImage;
    QTest::newRow("folder is refused") << local(QStringLiteral("Looks")) << QString() << noImage << QString()
                                       << QByteArray() << int(Kind::Unsupported)
                                       << QStringLiteral("not a folder: Looks") << noImage;
    QTest::newRow("missing file is refused")
        << local(QStringLiteral("gone.jpg")) << QString() << noImage << QString() << QByteArray()
        << int(Kind::Unsupported) << QStringLiteral("no file at") << noImage;
    QTest::newRow("only the first URL counts")
        << QList<QUrl>{QUrl::fromLocalFile(file(QStringLiteral("notes.txt"))), QUrl::fromLocalFile(photo)}
        << QString() << noImage << QString() << QByteArray() << int(Kind::Unsupported)
        << QStringLiteral("notes.txt") << noImage;
}

void TestQueryPane::addLinkRows()
{
    const QSize noImage = kNoImage;
    QTest::newRow("http URL") << QList<QUrl>{QUrl(QStringLiteral("http://shop.example/a/look.jpg"))} << QString()
                              << noImage << QString() << QByteArray() << int(Kind::RemoteUrl)
                              << QStringLiteral("http://shop.example/a/look.jpg") << noImage;
    QTest::newRow("https URL") << QList<QUrl>{QUrl(QStringLiteral("https://cdn.example/img?id=7&w=800"))} << QString()
                               << noImage << QString() << QByteArray() << int(Kind::RemoteUrl)
                               << QStringLiteral("https://cdn.example/img?id=7&w=800") << noImage;
    QTest::newRow("ftp URL is refused") << QList<QUrl>{QUrl(QStringLiteral("ftp://files.example/look.jpg"))}
                                        << QString() << noImage << QString() << QByteArray()
                                        << int(Kind::Unsupported) << QStringLiteral("local files can be used: ftp")
                                        << noImage;
    QTest::newRow("javascript URL is refused") << QList<QUrl>{QUrl(QStringLiteral("javascript:alert(1)"))}
                                               << QString() << noImage << QString() << QByteArray()
                                               << int(Kind::Unsupported)
                                               << QStringLiteral("local files can be used: javascript") << noImage;
    QTest::newRow("data:image/png;base64 URL is decoded")
        << QList<QUrl>{QUrl(QStringLiteral("data:image/png;base64,") + QString::fromLatin1(m_png.toBase64()))}
        << QString() << noImage << QString() << QByteArray() << int(Kind::ImageData) << QString() << QSize(24, 16);
    QTest::newRow("data URL that is not an image is refused")
        << QList<QUrl>{QUrl(QStringLiteral("data:text/plain;base64,aGVsbG8="))} << QString() << noImage << QString()
        << QByteArray() << int(Kind::Unsupported) << QStringLiteral("can be used: data") << noImage;
    QTest::newRow("data URL with damaged base64 is refused")
        << QList<QUrl>{QUrl(QStringLiteral("data:image/png;base64,iVBOR*w0K"))} << QString() << noImage << QString()
        << QByteArray() << int(Kind::Unsupported) << QStringLiteral("damaged") << noImage;
}

void TestQueryPane::addImageDataAndTextRows()
{
    const QList<QUrl> none = kNoUrls;
    const QSize noImage = kNoImage;
    const QString photo = file(QStringLiteral("photo.jpg"));
    QTest::newRow("QImage data is encoded to PNG") << none << QString() << QSize(40, 30) << QString() << QByteArray()
                                                   << int(Kind::ImageData) << QString() << QSize(40, 30);
    QTest::newRow("raw image/png bytes are taken as they are")
        << none << QString() << noImage << QStringLiteral("image/png") << m_png << int(Kind::ImageData) << QString()
        << QSize(24, 16);
    QTest::newRow("unusable link beside image data falls back to the image")
        << QList<QUrl>{QUrl(QStringLiteral("ftp://files.example/look.jpg"))} << QString() << QSize(8, 8) << QString()
        << QByteArray() << int(Kind::ImageData) << QString() << QSize(8, 8);
    QTest::newRow("text with an absolute path") << none << photo << noImage << QString() << QByteArray()
                                                << int(Kind::LocalFile) << photo << noImage;
    QTest::newRow("text with a quoted path and a second line")
        << none << u'"' + photo + QStringLiteral("\"\n/etc/hostname") << noImage << QString() << QByteArray()
        << int(Kind::LocalFile) << photo << noImage;
    QTest::newRow("text with a file URL") << none << QUrl::fromLocalFile(photo).toString() << noImage << QString()
                                          << QByteArray() << int(Kind::LocalFile) << photo << noImage;
    QTest::newRow("text with an https URL") << none << QStringLiteral("  https://cdn.example/look.webp \n") << noImage
                                            << QString() << QByteArray() << int(Kind::RemoteUrl)
                                            << QStringLiteral("https://cdn.example/look.webp") << noImage;
    QTest::newRow("text naming a folder is refused") << none << m_dir.path() + QStringLiteral("/Looks/") << noImage
                                                     << QString() << QByteArray() << int(Kind::Unsupported)
                                                     << QStringLiteral("not a folder") << noImage;
    QTest::newRow("plain text is refused") << none << QStringLiteral("red summer dress") << noImage << QString()
                                           << QByteArray() << int(Kind::Unsupported)
                                           << QStringLiteral("The dropped content is not an image") << noImage;
    QTest::newRow("relative path text is refused") << none << QStringLiteral("photo.jpg") << noImage << QString()
                                                   << QByteArray() << int(Kind::Unsupported)
                                                   << QStringLiteral("not an image") << noImage;
    QTest::newRow("empty mime") << none << QString() << noImage << QString() << QByteArray()
                                << int(Kind::Unsupported) << QStringLiteral("not an image") << noImage;
}

void TestQueryPane::dropReader()
{
    QFETCH(QList<QUrl>, urls);
    QFETCH(QString, text);
    QFETCH(QSize, imageSize);
    QFETCH(QString, rawFormat);
    QFETCH(QByteArray, rawBytes);
    QFETCH(int, kind);
    QFETCH(QString, expected);
    QFETCH(QSize, decodedSize);

    QMimeData mime;
    if (!urls.isEmpty()) mime.setUrls(urls);
    if (!text.isEmpty()) mime.setText(text);
    if (imageSize.isValid()) mime.setImageData(testImage(imageSize.width(), imageSize.height()));
    if (!rawFormat.isEmpty()) mime.setData(rawFormat, rawBytes);

    const DropRequest request = DropReader::read(&mime);
    QCOMPARE(int(request.kind), kind);
    QCOMPARE(DropReader::canAccept(&mime), request.kind != DropRequest::Kind::Unsupported);
    switch (request.kind) {
    case DropRequest::Kind::LocalFile:
        QCOMPARE(request.localPath, QFileInfo(expected).absoluteFilePath());
        QCOMPARE(request.displayName, QFileInfo(expected).fileName());
        QVERIFY(request.error.isEmpty());
        break;
    case DropRequest::Kind::RemoteUrl:
        QCOMPARE(request.url, QUrl(expected));
        QCOMPARE(request.displayName, expected);
        break;
    case DropRequest::Kind::ImageData: {
        QCOMPARE(QImage::fromData(request.bytes).size(), decodedSize);
        QVERIFY(!request.displayName.isEmpty());
        if (!rawBytes.isEmpty()) QCOMPARE(request.bytes, rawBytes);
        if (imageSize.isValid()) QVERIFY(request.bytes.startsWith(kPngSignature));
        break;
    }
    case DropRequest::Kind::Unsupported:
        QVERIFY2(request.error.contains(expected, Qt::CaseInsensitive), qPrintable(request.error));
        QVERIFY(request.bytes.isEmpty() && request.localPath.isEmpty());
        break;
    }
}

void TestQueryPane::dropReaderRefusesNullAndOverlongText()
{
    QCOMPARE(DropReader::read(nullptr).kind, DropRequest::Kind::Unsupported);
    QVERIFY(!DropReader::read(nullptr).error.isEmpty());
    QVERIFY(!DropReader::canAccept(nullptr));

    // A path a hundred thousand characters long is prose, not a path: refused unread.
    constexpr qsizetype kOverlong = 100'000;
    QMimeData mime;
    mime.setText(file(QStringLiteral("photo.jpg")) + QString(kOverlong, u' ') + u'x');
    QCOMPARE(DropReader::read(&mime).kind, DropRequest::Kind::Unsupported);
    QVERIFY(!DropReader::canAccept(&mime));
}

void TestQueryPane::dropReaderSurvivesGarbage()
{
    // A fixed seed: a failure can be replayed.
    constexpr quint32 kSeed = 20240601;
    constexpr int kRounds = 400;
    constexpr int kMaxLength = 600;
    QRandomGenerator random(kSeed);
    const QStringList formats{QStringLiteral("text/plain"),     QStringLiteral("text/uri-list"),
                              QStringLiteral("image/png"),      QStringLiteral("image/jpeg"),
                              QStringLiteral("image/webp"),     QStringLiteral("application/x-qt-image"),
                              QStringLiteral("text/html")};
    const QStringList prefixes{QString(), QStringLiteral("file:///"), QStringLiteral("http://"),
                               QStringLiteral("data:image/png;base64,"), QStringLiteral("/"),
                               QStringLiteral("javascript:")};
    for (int round = 0; round < kRounds; ++round) {
        QByteArray junk(random.bounded(kMaxLength), Qt::Uninitialized);
        for (char &c : junk) c = char(random.bounded(256));
        QMimeData mime;
        const QString format = formats.at(random.bounded(formats.size()));
        const QString prefix = prefixes.at(random.bounded(prefixes.size()));
        mime.setData(format, prefix.toUtf8() + junk);
        if (random.bounded(2)) mime.setUrls({QUrl(prefix + QString::fromLatin1(junk.toBase64()))});

        const DropRequest request = DropReader::read(&mime);
        if (request.kind == DropRequest::Kind::Unsupported) {
            QVERIFY(!request.error.isEmpty());
        } else {
            // Whatever read() takes, canAccept() must have let in.
            QVERIFY2(DropReader::canAccept(&mime), qPrintable(format));
        }
    }
}

// ---- QueryPane ----------------------------------------------------------------------------

namespace {

// A drag entering the pane and the drop, as the window system would deliver them.
bool dragAndDrop(QWidget *target, const QMimeData *mime, Qt::DropActions actions = Qt::CopyAction | Qt::MoveAction)
{
    const QPoint where(target->width() / 2, target->height() / 2);
    QDragEnterEvent enter(where, actions, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) return false;
    if (enter.dropAction() != Qt::CopyAction) return false; // never Move: the source would delete it
    QDropEvent drop(QPointF(where), actions, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

} // namespace

void TestQueryPane::dropOfCatalogImageEmitsItsBytes()
{
    QueryPane pane;
    pane.resize(pane.sizeHint());
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_catalogImage)});
    QVERIFY(dragAndDrop(&pane, &mime));

    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 1, kSignalTimeoutMs); // read off the GUI thread
    const QueryInput input = queryAt(chosen, 0);
    QCOMPARE(input.bytes, readAll(m_catalogImage));
    QCOMPARE(input.localPath, QFileInfo(m_catalogImage).absoluteFilePath());
    QCOMPARE(input.displayName, QStringLiteral("1550.jpg"));
    QVERIFY(pane.currentMessage().isEmpty());
}

// A rectangle dragged on the preview becomes a region in the picture's own pixels; a click
// is not a region; Centre and Whole picture choose the middle and all of it.
void TestQueryPane::regionDrawnOnThePictureIsInItsPixels()
{
    QueryPane pane;
    pane.resize(pane.sizeHint());
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy regions(&pane, &QueryPane::regionChosen);
    QImage picture(800, 600, QImage::Format_RGB32);
    picture.fill(Qt::darkGreen);
    pane.showQuery(picture.scaled(200, 150), QStringLiteral("photo"), picture.size()); // a thumbnail on show
    QCOMPARE(pane.pictureSize(), QSize(800, 600));
    QLabel *preview = nullptr;
    for (QLabel *label : pane.findChildren<QLabel *>())
        if (label->accessibleName() == QLatin1String("Query image preview")) preview = label;
    QVERIFY(preview && preview->isVisible());
    const QSize shown = preview->size();
    QVERIFY(shown.width() > 50);

    QTest::mouseClick(preview, Qt::LeftButton, {}, QPoint(10, 10)); // a click: no region
    QCOMPARE(regions.count(), 0);
    const QPoint from(shown.width() / 4, shown.height() / 4), to(shown.width() / 2, shown.height() / 2);
    QTest::mousePress(preview, Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(to), preview->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(preview, &move);
    QTest::mouseRelease(preview, Qt::LeftButton, {}, to);
    QCOMPARE(regions.count(), 1);
    const QRect region = regions.last().first().toRect();
    // A quarter of the picture from its first quarter, to within a pixel of the preview's scale.
    const int tolerance = 800 / shown.width() + 1;
    QVERIFY2(std::abs(region.x() - 200) <= tolerance && std::abs(region.y() - 150) <= tolerance, qPrintable(QStringLiteral("%1,%2").arg(region.x()).arg(region.y())));
    QVERIFY(std::abs(region.width() - 200) <= 2 * tolerance && std::abs(region.height() - 150) <= 2 * tolerance);
    QCOMPARE(pane.region(), region);

    pane.chooseCentreRegion();
    QCOMPARE(regions.last().first().toRect(), QRect(80, 60, 640, 480));
    pane.clearRegion();
    QVERIFY(regions.last().first().toRect().isNull());
    QCOMPARE(regions.count(), 3);
}

void TestQueryPane::dropOfTextFileIsRefusedAndKeepsQuery()
{
    QueryPane pane;
    pane.resize(pane.sizeHint());
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);

    QMimeData image;
    image.setUrls({QUrl::fromLocalFile(m_catalogImage)});
    QVERIFY(dragAndDrop(&pane, &image));
    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 1, kSignalTimeoutMs);

    // Accepted so that the drop can say why it cannot be used.
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(file(QStringLiteral("notes.txt")))});
    QVERIFY(!DropReader::canAccept(&text));
    QVERIFY(dragAndDrop(&pane, &text));
    QCOMPARE(chosen.count(), 1); // nothing new: the previous query and its results stay
    QVERIFY2(pane.currentMessage().contains(QStringLiteral("not an image"), Qt::CaseInsensitive),
             qPrintable(pane.currentMessage()));
    QVERIFY(pane.currentMessage().contains(QStringLiteral("notes.txt")));

    // The next good drop clears the message.
    QVERIFY(dragAndDrop(&pane, &image));
    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 2, kSignalTimeoutMs);
    QVERIFY(pane.currentMessage().isEmpty());
}

void TestQueryPane::moveOnlyDragIsNotAccepted()
{
    QueryPane pane;
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_catalogImage)});
    QVERIFY(!dragAndDrop(&pane, &mime, Qt::MoveAction));
    QCOMPARE(chosen.count(), 0);
}

void TestQueryPane::dropOfImageDataEmitsPng()
{
    QueryPane pane;
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);
    QMimeData mime;
    mime.setImageData(testImage(64, 48));
    QVERIFY(dragAndDrop(&pane, &mime));

    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 1, kSignalTimeoutMs); // its preview is decoded off the GUI thread
    const QueryInput input = queryAt(chosen, 0);
    QVERIFY(input.bytes.startsWith(kPngSignature));
    QCOMPARE(QImage::fromData(input.bytes).size(), QSize(64, 48));
    QVERIFY(input.localPath.isEmpty());
    QCOMPARE(input.displayName, QStringLiteral("dropped image"));
}

void TestQueryPane::pasteFromClipboard()
{
    QueryPane pane;
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);
    QClipboard *clipboard = QGuiApplication::clipboard();

    clipboard->setImage(testImage(32, 20));
    pane.pasteFromClipboard();
    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 1, kSignalTimeoutMs);
    QCOMPARE(QImage::fromData(queryAt(chosen, 0).bytes).size(), QSize(32, 20));
    QCOMPARE(queryAt(chosen, 0).displayName, QStringLiteral("pasted image"));

    auto *files = new QMimeData; // the clipboard takes ownership
    files->setUrls({QUrl::fromLocalFile(m_catalogImage)});
    clipboard->setMimeData(files);
    pane.pasteFromClipboard();
    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 2, kSignalTimeoutMs);
    QCOMPARE(queryAt(chosen, 1).localPath, QFileInfo(m_catalogImage).absoluteFilePath());
    QCOMPARE(queryAt(chosen, 1).bytes, readAll(m_catalogImage));

    clipboard->setText(QStringLiteral("red summer dress"));
    pane.pasteFromClipboard();
    QCOMPARE(chosen.count(), 2);
    QVERIFY(pane.currentMessage().contains(QStringLiteral("not an image")));
    clipboard->clear();
}

void TestQueryPane::dropOfLinkDownloadsIt()
{
    QueryPane pane;
    pane.setLocalFetchConfirmation([](const LocalAddressRefusal &) { return true; }); // the server is local
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);

    QMimeData link;
    link.setUrls({serverUrl(QStringLiteral("/small.png"))});
    QVERIFY(dragAndDrop(&pane, &link));
    QVERIFY2(pane.currentMessage().contains(QStringLiteral("Downloading image from 127.0.0.1")),
             qPrintable(pane.currentMessage()));
    QVERIFY(chosen.wait(kSignalTimeoutMs));
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(queryAt(chosen, 0).bytes, m_png);
    QCOMPARE(queryAt(chosen, 0).displayName, serverUrl(QStringLiteral("/small.png")).toDisplayString());
    QVERIFY(pane.currentMessage().isEmpty());

    QMimeData missing;
    missing.setUrls({serverUrl(QStringLiteral("/missing.png"))});
    QVERIFY(dragAndDrop(&pane, &missing));
    QTRY_VERIFY_WITH_TIMEOUT(pane.currentMessage().contains(QStringLiteral("404")), kSignalTimeoutMs);
    QCOMPARE(chosen.count(), 1);
}

namespace {

// Holds every thread of the global pool until released, so that work queued there cannot
// start: whatever happens meanwhile happened on another thread, not in a pool task.
class BusyGlobalPool {
public:
    BusyGlobalPool() : m_threads(QThreadPool::globalInstance()->maxThreadCount())
    {
        for (int i = 0; i < m_threads; ++i) {
            QThreadPool::globalInstance()->start([this] {
                m_started.release();
                m_release.acquire();
            });
        }
        m_started.acquire(m_threads);
    }
    ~BusyGlobalPool() { release(); }
    void release()
    {
        m_release.release(m_threads);
        m_threads = 0;
    }

private:
    int m_threads;
    QSemaphore m_started;
    QSemaphore m_release;
};

} // namespace

// A dropped file is read, and its preview decoded, on the global pool: while every pool
// thread is held, the drop is accepted but nothing is chosen, and the window keeps going.
// A second drop before the first is read wins: the first never answers.
void TestQueryPane::droppedFileIsReadOffTheGuiThreadAndTheNewestDropWins()
{
    QueryPane pane;
    pane.resize(pane.sizeHint());
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);
    QMimeData first, second;
    first.setUrls({QUrl::fromLocalFile(file(QStringLiteral("photo.jpg")))});
    second.setUrls({QUrl::fromLocalFile(file(QStringLiteral("name with spaces é.jpg")))});
    {
        BusyGlobalPool busy;
        QVERIFY(dragAndDrop(&pane, &first));
        QTest::qWait(kShortTimeoutMs / 2);
        QCOMPARE(chosen.count(), 0); // not read on the GUI thread, which is free meanwhile
        QVERIFY(pane.pictureSize().isEmpty());
        QVERIFY(dragAndDrop(&pane, &second));
    }
    QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 1, kSignalTimeoutMs);
    QThreadPool::globalInstance()->waitForDone(kSignalTimeoutMs); // the first drop's read too
    QTest::qWait(kShortTimeoutMs / 5);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(queryAt(chosen, 0).localPath, file(QStringLiteral("name with spaces é.jpg")));
    QCOMPARE(queryAt(chosen, 0).bytes, readAll(m_catalogImage));

    // Read once: the preview on show was decoded from the bytes emitted, at the picture's size.
    QCOMPARE(pane.pictureSize(), QImage::fromData(queryAt(chosen, 0).bytes).size());
    const auto *centre = pane.findChild<QToolButton *>(QStringLiteral("centreRegion"));
    QVERIFY(centre && centre->isVisibleTo(&pane)); // region tools: the picture could be shown
}

// The core's limit on a file's size holds for the pane too: a larger file is refused from
// its size, before it is read (a sparse file: no disk is used).
void TestQueryPane::fileOverTheLoadersLimitIsRefusedUnread()
{
    const QString path = file(QStringLiteral("huge.jpg"));
    {
        QFile huge(path);
        QVERIFY(huge.open(QIODevice::WriteOnly));
        QVERIFY(huge.resize(ImageLimits{}.maxFileBytes + 1));
    }
    QueryInput input;
    input.localPath = path;
    input.displayName = QStringLiteral("huge.jpg");
    const Expected<PreparedQuery> prepared = QueryReader::prepareFile(input);
    QVERIFY(!prepared);
    QVERIFY2(prepared.error().contains(QStringLiteral("too large")), qPrintable(prepared.error()));

    QueryPane pane;
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);
    pane.openFile(path);
    QTRY_VERIFY_WITH_TIMEOUT(pane.currentMessage().contains(QStringLiteral("huge.jpg")), kSignalTimeoutMs);
    QVERIFY(pane.currentMessage().contains(QStringLiteral("too large")));
    QCOMPARE(chosen.count(), 0);
    QFile::remove(path);
}

// ---- UrlFetcher ---------------------------------------------------------------------------

void TestQueryPane::fetcher_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<bool>("fetched");
    QTest::addColumn<QString>("reason"); // part of the failure's reason

    const qint64 defaultMax = UrlFetcher::kDefaultMaxBytes;
    const int defaultTimeout = UrlFetcher::kDefaultTimeoutMs;
    QTest::newRow("small PNG is fetched") << QStringLiteral("/small.png") << defaultMax << defaultTimeout << true
                                          << QString();
    QTest::newRow("redirect within http is followed") << QStringLiteral("/moved.png") << defaultMax
                                                      << defaultTimeout << true << QString();
    QTest::newRow("Content-Length over the limit stops at the header")
        << QStringLiteral("/huge.png") << kSmallLimit << defaultTimeout << false
        << QStringLiteral("The image at 127.0.0.1 is larger than");
    QTest::newRow("body over the limit without Content-Length is cut")
        << QStringLiteral("/stream.png") << kSmallLimit << defaultTimeout << false
        << QStringLiteral("The image at 127.0.0.1 is larger than");
    QTest::newRow("server that never answers times out")
        << QStringLiteral("/silent.png") << defaultMax << kShortTimeoutMs << false << QStringLiteral("did not finish within");
    QTest::newRow("404 is reported with the URL")
        << QStringLiteral("/missing.png") << defaultMax << defaultTimeout << false
        << QStringLiteral("/missing.png: the server answered 404 Not Found");
    QTest::newRow("web page is not an image") << QStringLiteral("/page.html") << defaultMax << defaultTimeout
                                              << false << QStringLiteral("web page");
    QTest::newRow("redirect to ftp is not followed")
        << QStringLiteral("/to-ftp.png") << defaultMax << defaultTimeout << false
        << QStringLiteral("redirects to an address that is not http(s)");
    QTest::newRow("endless redirects stop") << QStringLiteral("/loop.png") << defaultMax << defaultTimeout << false
                                            << QStringLiteral("redirects");
    QTest::newRow("empty body is refused") << QStringLiteral("/empty.png") << defaultMax << defaultTimeout << false
                                           << QStringLiteral("empty");
}

void TestQueryPane::fetcher()
{
    QFETCH(QString, path);
    QFETCH(qint64, maxBytes);
    QFETCH(int, timeoutMs);
    QFETCH(bool, fetched);
    QFETCH(QString, reason);

    UrlFetcher fetcher;
    fetcher.setLimits(maxBytes, timeoutMs);
    QSignalSpy fetchedSpy(&fetcher, &UrlFetcher::fetched);
    QSignalSpy failedSpy(&fetcher, &UrlFetcher::failed);
    const QUrl url = serverUrl(path);
    m_lastRequest.clear();
    fetcher.fetch(url, loopbackConsent());
    QTRY_COMPARE_WITH_TIMEOUT(fetchedSpy.count() + failedSpy.count(), 1, kSignalTimeoutMs);
    QVERIFY(!fetcher.isBusy());
    QVERIFY2(m_lastRequest.contains("User-Agent: Lookbook/" LOOKBOOK_VERSION), m_lastRequest.constData());

    if (fetched) {
        QCOMPARE(fetchedSpy.count(), 1);
        QCOMPARE(fetchedSpy.at(0).at(0).toUrl(), url);
        QCOMPARE(fetchedSpy.at(0).at(1).toByteArray(), m_png);
    } else {
        QCOMPARE(failedSpy.count(), 1);
        QCOMPARE(failedSpy.at(0).at(0).toUrl(), url);
        const QString why = failedSpy.at(0).at(1).toString();
        QVERIFY2(why.contains(reason), qPrintable(why));
    }
}

void TestQueryPane::fetcherRefusesOtherSchemesAtOnce()
{
    UrlFetcher fetcher;
    QSignalSpy failed(&fetcher, &UrlFetcher::failed);
    for (const QString &url : {QStringLiteral("ftp://127.0.0.1/a.png"), QStringLiteral("file:///etc/hostname"),
                               QStringLiteral("javascript:alert(1)")}) {
        fetcher.fetch(QUrl(url));
        QVERIFY(!fetcher.isBusy());
    }
    QCOMPARE(failed.count(), 3); // inside fetch(), no event loop needed
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("Only http(s) URLs can be fetched")));
}

void TestQueryPane::newFetchCancelsThePreviousOne()
{
    UrlFetcher fetcher;
    QSignalSpy fetchedSpy(&fetcher, &UrlFetcher::fetched);
    QSignalSpy failedSpy(&fetcher, &UrlFetcher::failed);
    fetcher.fetch(serverUrl(QStringLiteral("/silent.png")), loopbackConsent());
    fetcher.fetch(serverUrl(QStringLiteral("/small.png")), loopbackConsent());
    QVERIFY(fetchedSpy.wait(kSignalTimeoutMs));
    QCOMPARE(fetchedSpy.at(0).at(0).toUrl(), serverUrl(QStringLiteral("/small.png")));
    QTest::qWait(kShortTimeoutMs / 5); // a cancelled reply must stay silent
    QCOMPARE(failedSpy.count(), 0);
    QCOMPARE(fetchedSpy.count(), 1);

    fetcher.fetch(serverUrl(QStringLiteral("/silent.png")), loopbackConsent());
    QVERIFY(fetcher.isBusy());
    fetcher.cancel();
    QVERIFY(!fetcher.isBusy());
    QTest::qWait(kShortTimeoutMs / 5);
    QCOMPARE(failedSpy.count(), 0);
}

QTEST_MAIN(TestQueryPane)
#include "tst_querypane.moc"
