// UrlFetcher's refusal of links to this computer and the user's own network (issue 18):
// the address ranges (AddressScope), a link to a loopback address or to a name resolving to
// one, a redirect to another local host, the whole-fetch deadline against a server that
// trickles bytes, and the confirmation asked once by QueryReader and by QueryPane's message
// box. Real sockets: small HTTP servers in the suite on loopback addresses.

#include "AddressScope.h"
#include "QueryInput.h"
#include "QueryPane.h"
#include "QueryReader.h"
#include "UrlFetcher.h"

#include <QAbstractButton>
#include <QApplication>
#include <QBuffer>
#include <QDragEnterEvent>
#include <QHostAddress>
#include <QImage>
#include <QMessageBox>
#include <QMimeData>
#include <QNetworkProxy>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace lookbook;

Q_DECLARE_METATYPE(lookbook::AddressScope)

namespace {

constexpr int kSignalTimeoutMs = 10'000;
constexpr int kShortDeadlineMs = 1500;  // the fetcher's whole-fetch limit in the trickle case
constexpr int kTrickleIntervalMs = 200; // one byte this often, for ever
constexpr int kModalPollMs = 20;
constexpr qint64 kTrickleLength = 1'000'000; // declared, never reached

QByteArray encodeJpeg(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPG", 90);
    return bytes;
}

// A tiny HTTP server on one loopback address: /x.jpg is the image, /hop.jpg redirects to
// redirectTarget, /trickle.jpg sends its headers and then one byte every 200 ms.
class HttpServer : public QObject {
public:
    explicit HttpServer(const QHostAddress &address)
    {
        m_listening = m_server.listen(address, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            }
        });
    }
    bool isListening() const { return m_listening; }
    QUrl url(const QString &host, const QString &path) const
    {
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(host);
        url.setPort(m_server.serverPort());
        url.setPath(path);
        return url;
    }

    QByteArray image;
    QUrl redirectTarget;
    int connections = 0;
    qint64 trickled = 0; // bytes of /trickle.jpg's body sent so far

private:
    void onReadyRead(QTcpSocket *socket)
    {
        const QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        socket->setProperty("request", request);
        if (!request.contains("\r\n\r\n")) return;
        const QByteArray path = request.left(request.indexOf("\r\n")).split(' ').value(1);
        if (path == "/x.jpg") {
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: image/jpeg\r\nContent-Length: "
                          + QByteArray::number(image.size()) + "\r\n\r\n" + image);
            socket->disconnectFromHost();
        } else if (path == "/hop.jpg") {
            socket->write("HTTP/1.1 302 Found\r\nConnection: close\r\nContent-Length: 0\r\nLocation: "
                          + redirectTarget.toEncoded() + "\r\n\r\n");
            socket->disconnectFromHost();
        } else if (path == "/trickle.jpg") {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " + QByteArray::number(kTrickleLength)
                          + "\r\n\r\n");
            auto *timer = new QTimer(socket); // goes with the socket
            connect(timer, &QTimer::timeout, socket, [this, socket] {
                socket->write("x", 1);
                ++trickled;
            });
            timer->start(kTrickleIntervalMs);
        } else {
            socket->write("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
        }
    }

    QTcpServer m_server;
    bool m_listening = false;
};

LocalAddressRefusal refusalAt(const QSignalSpy &spy, int index)
{
    return qvariant_cast<LocalAddressRefusal>(spy.at(index).at(1));
}

HostConsent loopbackConsent()
{
    return {QStringLiteral("127.0.0.1"), {QHostAddress(QHostAddress::LocalHost)}};
}

bool dragAndDrop(QWidget *target, const QMimeData *mime)
{
    const QPoint where(target->width() / 2, target->height() / 2);
    QDragEnterEvent enter(where, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) return false;
    QDropEvent drop(QPointF(where), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

// Answers the next message box the pane opens, as a user would, and keeps its text.
class ModalAnswerer {
public:
    explicit ModalAnswerer(QMessageBox::StandardButton answer)
    {
        QObject::connect(&m_poll, &QTimer::timeout, [this, answer] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || !box->button(answer)) return;
            text = box->text();
            ++answered;
            box->button(answer)->click();
        });
        m_poll.start(kModalPollMs);
    }
    QString text;
    int answered = 0;

private:
    QTimer m_poll;
};

} // namespace

class TestUrlFetcher : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void addressScope_data();
    void addressScope();

    void loopbackAddressIsRefusedUntilConsented();
    void nameResolvingToLoopbackIsRefused();
    void redirectToAnotherLocalHostIsRefused_data();
    void redirectToAnotherLocalHostIsRefused();
    void tricklingServerIsCutByTheDeadline();

    void readerRefusesLocalLinkWithoutConfirmation();
    void readerAsksOnceAndFetchesOnYes();
    void readerAsksOnceAndFetchesNothingOnNo();
    void readerAsksOnlyOnceAlongARedirect();
    void paneAsksWithAMessageBox();

private:
    QUrl imageUrl() const { return m_front->url(QStringLiteral("127.0.0.1"), QStringLiteral("/x.jpg")); }

    std::unique_ptr<HttpServer> m_front; // 127.0.0.1
    std::unique_ptr<HttpServer> m_trap;  // 127.0.0.2: a local host that must never be reached
    QByteArray m_image;
};

void TestUrlFetcher::initTestCase()
{
    QImage picture(64, 96, QImage::Format_RGB32);
    picture.fill(QColor(0x20, 0x50, 0x90));
    m_image = encodeJpeg(picture);
    QVERIFY(m_image.startsWith("\xff\xd8"));

    QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
    m_front = std::make_unique<HttpServer>(QHostAddress(QHostAddress::LocalHost));
    m_trap = std::make_unique<HttpServer>(QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(m_front->isListening());
    QVERIFY(m_trap->isListening()); // Linux routes all of 127/8 to the loopback interface
    m_front->image = m_image;
    m_trap->image = m_image;
}

// ---- AddressScope ---------------------------------------------------------------------

void TestUrlFetcher::addressScope_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<AddressScope>("scope");
    const auto row = [](const char *address, AddressScope scope) {
        QTest::newRow(address) << QString::fromLatin1(address) << scope;
    };
    using S = AddressScope;
    row("0.0.0.0", S::Unspecified);
    row("0.255.255.255", S::Unspecified);
    row("1.0.0.0", S::Public);
    row("127.0.0.1", S::ThisComputer);
    row("127.255.255.254", S::ThisComputer);
    row("126.255.255.255", S::Public);
    row("128.0.0.0", S::Public);
    row("10.0.0.0", S::OwnNetwork);
    row("10.255.255.255", S::OwnNetwork);
    row("11.0.0.0", S::Public);
    row("9.255.255.255", S::Public);
    row("172.15.255.255", S::Public);
    row("172.16.0.0", S::OwnNetwork);
    row("172.31.255.255", S::OwnNetwork);
    row("172.32.0.0", S::Public);
    row("192.168.0.0", S::OwnNetwork);
    row("192.168.1.5", S::OwnNetwork);
    row("192.168.255.255", S::OwnNetwork);
    row("192.167.255.255", S::Public);
    row("192.169.0.0", S::Public);
    row("169.254.0.1", S::LinkLocal);
    row("169.254.169.254", S::LinkLocal); // the cloud metadata service
    row("169.253.255.255", S::Public);
    row("169.255.0.0", S::Public);
    row("8.8.8.8", S::Public);
    row("::", S::Unspecified);
    row("::1", S::ThisComputer);
    row("::2", S::Public);
    row("fc00::1", S::OwnNetwork);
    row("fd12::1", S::OwnNetwork);
    row("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", S::OwnNetwork);
    row("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", S::Public);
    row("fe00::1", S::Public);
    row("fe80::1", S::LinkLocal);
    row("febf:ffff::1", S::LinkLocal);
    row("fec0::1", S::OwnNetwork);
    row("2001:4860::8888", S::Public);
    row("2a00:1450:4001:82a::200e", S::Public);
    row("::ffff:10.0.0.1", S::OwnNetwork);
    row("::ffff:127.0.0.1", S::ThisComputer);
    row("::ffff:0.0.0.0", S::Unspecified);
    row("::ffff:169.254.169.254", S::LinkLocal);
    row("::ffff:172.16.0.1", S::OwnNetwork);
    row("::ffff:192.168.1.5", S::OwnNetwork);
    row("::ffff:8.8.8.8", S::Public);
    row("::ffff:172.32.0.0", S::Public);
}

void TestUrlFetcher::addressScope()
{
    QFETCH(QString, address);
    QFETCH(AddressScope, scope);
    const QHostAddress parsed(address);
    QVERIFY2(!parsed.isNull(), qPrintable(address));
    QCOMPARE(lookbook::addressScope(parsed), scope);
}

// ---- UrlFetcher -------------------------------------------------------------------------

// (a) An address of this computer in the link: refused before any connection, with a
// message that names it; fetched once the user's consent comes with the fetch.
void TestUrlFetcher::loopbackAddressIsRefusedUntilConsented()
{
    UrlFetcher fetcher;
    QSignalSpy fetched(&fetcher, &UrlFetcher::fetched);
    QSignalSpy failed(&fetcher, &UrlFetcher::failed);
    QSignalSpy refused(&fetcher, &UrlFetcher::localAddressRefused);
    const int connectionsBefore = m_front->connections;

    fetcher.fetch(imageUrl());
    QTRY_COMPARE_WITH_TIMEOUT(refused.count() + fetched.count() + failed.count(), 1, kSignalTimeoutMs);
    QCOMPARE(refused.count(), 1);
    QCOMPARE(refused.at(0).at(0).toUrl(), imageUrl());
    const LocalAddressRefusal refusal = refusalAt(refused, 0);
    QCOMPARE(refusal.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(refusal.addresses, QList<QHostAddress>{QHostAddress(QHostAddress::LocalHost)});
    QVERIFY2(refusal.reason.contains(QStringLiteral("127.0.0.1 is an address of this computer")), qPrintable(refusal.reason));
    QVERIFY(!fetcher.isBusy());
    QCOMPARE(m_front->connections, connectionsBefore);

    fetcher.fetch(imageUrl(), HostConsent::of(refusal));
    QTRY_COMPARE_WITH_TIMEOUT(fetched.count() + failed.count(), 1, kSignalTimeoutMs);
    QCOMPARE(fetched.count(), 1);
    QCOMPARE(fetched.at(0).at(1).toByteArray(), m_image);
    QCOMPARE(refused.count(), 1);
    QCOMPARE(m_front->connections, connectionsBefore + 1);
}

// (b) A name is judged by what it resolves to: localhost is this computer.
void TestUrlFetcher::nameResolvingToLoopbackIsRefused()
{
    UrlFetcher fetcher;
    QSignalSpy fetched(&fetcher, &UrlFetcher::fetched);
    QSignalSpy failed(&fetcher, &UrlFetcher::failed);
    QSignalSpy refused(&fetcher, &UrlFetcher::localAddressRefused);
    const int connectionsBefore = m_front->connections;

    fetcher.fetch(m_front->url(QStringLiteral("localhost"), QStringLiteral("/x.jpg")));
    QVERIFY(fetcher.isBusy()); // the name is being resolved
    QTRY_COMPARE_WITH_TIMEOUT(refused.count() + fetched.count() + failed.count(), 1, kSignalTimeoutMs);
    QCOMPARE(refused.count(), 1);
    const LocalAddressRefusal refusal = refusalAt(refused, 0);
    QCOMPARE(refusal.host, QStringLiteral("localhost"));
    QVERIFY(!refusal.addresses.isEmpty());
    for (const QHostAddress &address : refusal.addresses) QCOMPARE(lookbook::addressScope(address), AddressScope::ThisComputer);
    QVERIFY2(
        refusal.reason.contains(
            QStringLiteral("localhost resolves to %1, an address of this computer").arg(refusal.addresses.first().toString())),
        qPrintable(refusal.reason));
    QCOMPARE(m_front->connections, connectionsBefore);
}

// (c) The consent covers its host only: a redirect from it to another local host is refused
// at the redirect, before the other host is reached.
void TestUrlFetcher::redirectToAnotherLocalHostIsRefused_data()
{
    QTest::addColumn<QUrl>("target");
    QTest::addColumn<QString>("host");
    QTest::newRow("127.0.0.2") << m_trap->url(QStringLiteral("127.0.0.2"), QStringLiteral("/x.jpg"))
                               << QStringLiteral("127.0.0.2");
    // Nothing needs to listen there: the fetcher must not even try.
    QTest::newRow("[::1]") << m_trap->url(QStringLiteral("::1"), QStringLiteral("/x.jpg")) << QStringLiteral("::1");
}

void TestUrlFetcher::redirectToAnotherLocalHostIsRefused()
{
    QFETCH(QUrl, target);
    QFETCH(QString, host);
    m_front->redirectTarget = target;
    const QUrl link = m_front->url(QStringLiteral("127.0.0.1"), QStringLiteral("/hop.jpg"));
    UrlFetcher fetcher;
    QSignalSpy fetched(&fetcher, &UrlFetcher::fetched);
    QSignalSpy failed(&fetcher, &UrlFetcher::failed);
    QSignalSpy refused(&fetcher, &UrlFetcher::localAddressRefused);
    const int frontBefore = m_front->connections;
    const int trapBefore = m_trap->connections;

    fetcher.fetch(link, loopbackConsent());
    QTRY_COMPARE_WITH_TIMEOUT(refused.count() + fetched.count() + failed.count(), 1, kSignalTimeoutMs);
    QVERIFY2(refused.count() == 1, qPrintable(failed.isEmpty() ? QString() : failed.at(0).at(1).toString()));
    QCOMPARE(refused.at(0).at(0).toUrl(), link); // the link given, not the hop
    const LocalAddressRefusal refusal = refusalAt(refused, 0);
    QCOMPARE(refusal.host, host);
    QVERIFY2(refusal.reason.contains(QStringLiteral("it redirects to %1").arg(target.toDisplayString())),
             qPrintable(refusal.reason));
    QVERIFY2(refusal.reason.contains(QStringLiteral("%1 is an address of this computer").arg(host)), qPrintable(refusal.reason));
    QCOMPARE(m_front->connections, frontBefore + 1);
    QCOMPARE(m_trap->connections, trapBefore);
}

// (d) The limit is on the whole fetch: a server that keeps sending a byte now and then does
// not keep it open (an inactivity timeout never fires on it).
void TestUrlFetcher::tricklingServerIsCutByTheDeadline()
{
    UrlFetcher fetcher(nullptr, kShortDeadlineMs);
    QSignalSpy fetched(&fetcher, &UrlFetcher::fetched);
    QSignalSpy failed(&fetcher, &UrlFetcher::failed);
    m_front->trickled = 0;

    fetcher.fetch(m_front->url(QStringLiteral("127.0.0.1"), QStringLiteral("/trickle.jpg")), loopbackConsent());
    QTRY_COMPARE_WITH_TIMEOUT(fetched.count() + failed.count(), 1, kSignalTimeoutMs);
    QCOMPARE(failed.count(), 1);
    const QString reason = failed.at(0).at(1).toString();
    QVERIFY2(reason.contains(QStringLiteral("did not finish within 1.5 seconds")), qPrintable(reason));
    QVERIFY(!fetcher.isBusy());
    QVERIFY2(m_front->trickled >= 2, qPrintable(QString::number(m_front->trickled))); // it was trickling
}

// ---- QueryReader and QueryPane ------------------------------------------------------------

void TestUrlFetcher::readerRefusesLocalLinkWithoutConfirmation()
{
    QueryReader reader;
    QSignalSpy prepared(&reader, &QueryReader::prepared);
    QSignalSpy refused(&reader, &QueryReader::refused);
    QMimeData link;
    link.setUrls({imageUrl()});
    reader.read(&link, QueryReader::Source::Drop, 0);
    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, kSignalTimeoutMs);
    QVERIFY2(refused.at(0).at(0).toString().contains(QStringLiteral("127.0.0.1 is an address of this computer")),
             qPrintable(refused.at(0).at(0).toString()));
    QCOMPARE(prepared.count(), 0);
}

void TestUrlFetcher::readerAsksOnceAndFetchesOnYes()
{
    QueryReader reader;
    QList<LocalAddressRefusal> asked;
    reader.setLocalFetchConfirmation([&asked](const LocalAddressRefusal &refusal) {
        asked.append(refusal);
        return true;
    });
    QSignalSpy prepared(&reader, &QueryReader::prepared);
    QSignalSpy refused(&reader, &QueryReader::refused);
    QMimeData link;
    link.setUrls({imageUrl()});
    reader.read(&link, QueryReader::Source::Drop, 0);
    QTRY_COMPARE_WITH_TIMEOUT(prepared.count() + refused.count(), 1, kSignalTimeoutMs);
    QCOMPARE(prepared.count(), 1);
    QCOMPARE(qvariant_cast<PreparedQuery>(prepared.at(0).at(0)).input.bytes, m_image);
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.at(0).host, QStringLiteral("127.0.0.1"));
}

void TestUrlFetcher::readerAsksOnceAndFetchesNothingOnNo()
{
    QueryReader reader;
    int asked = 0;
    reader.setLocalFetchConfirmation([&asked](const LocalAddressRefusal &) {
        ++asked;
        return false;
    });
    QSignalSpy prepared(&reader, &QueryReader::prepared);
    QSignalSpy refused(&reader, &QueryReader::refused);
    const int connectionsBefore = m_front->connections;
    QMimeData link;
    link.setUrls({imageUrl()});
    reader.read(&link, QueryReader::Source::Drop, 0);
    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, kSignalTimeoutMs);
    const QString why = refused.at(0).at(0).toString();
    QVERIFY2(why.contains(QStringLiteral("you chose not to fetch from 127.0.0.1")), qPrintable(why));
    QCOMPARE(asked, 1);
    QCOMPARE(prepared.count(), 0);
    QCOMPARE(m_front->connections, connectionsBefore);
}

// Yes lets the link's own host through; another local host on the way is refused without
// a second question.
void TestUrlFetcher::readerAsksOnlyOnceAlongARedirect()
{
    m_front->redirectTarget = m_trap->url(QStringLiteral("127.0.0.2"), QStringLiteral("/x.jpg"));
    QueryReader reader;
    int asked = 0;
    reader.setLocalFetchConfirmation([&asked](const LocalAddressRefusal &) {
        ++asked;
        return true;
    });
    QSignalSpy prepared(&reader, &QueryReader::prepared);
    QSignalSpy refused(&reader, &QueryReader::refused);
    const int trapBefore = m_trap->connections;
    QMimeData link;
    link.setUrls({m_front->url(QStringLiteral("127.0.0.1"), QStringLiteral("/hop.jpg"))});
    reader.read(&link, QueryReader::Source::Drop, 0);
    QTRY_COMPARE_WITH_TIMEOUT(prepared.count() + refused.count(), 1, kSignalTimeoutMs);
    QCOMPARE(refused.count(), 1);
    const QString why = refused.at(0).at(0).toString();
    QVERIFY2(why.contains(QStringLiteral("127.0.0.2 is an address of this computer")), qPrintable(why));
    QCOMPARE(asked, 1);
    QCOMPARE(m_trap->connections, trapBefore);
}

// The real wiring: the pane's own message box, answered as a user would.
void TestUrlFetcher::paneAsksWithAMessageBox()
{
    QueryPane pane;
    pane.resize(pane.sizeHint());
    QSignalSpy chosen(&pane, &QueryPane::queryChosen);
    QMimeData link;
    link.setUrls({imageUrl()});
    {
        ModalAnswerer user(QMessageBox::No);
        QVERIFY(dragAndDrop(&pane, &link));
        QTRY_VERIFY_WITH_TIMEOUT(pane.currentMessage().contains(QStringLiteral("chose not to")), kSignalTimeoutMs);
        QCOMPARE(user.answered, 1);
        QVERIFY2(user.text.contains(QStringLiteral("127.0.0.1 is an address of this computer")), qPrintable(user.text));
        QCOMPARE(chosen.count(), 0);
    }
    {
        ModalAnswerer user(QMessageBox::Yes);
        QVERIFY(dragAndDrop(&pane, &link));
        QTRY_COMPARE_WITH_TIMEOUT(chosen.count(), 1, kSignalTimeoutMs);
        QCOMPARE(user.answered, 1);
        QCOMPARE(qvariant_cast<QueryInput>(chosen.at(0).at(0)).bytes, m_image);
        QVERIFY(pane.currentMessage().isEmpty());
    }
}

QTEST_MAIN(TestUrlFetcher)
#include "tst_urlfetcher.moc"
