#include "QueryReader.h"

#include "DropReader.h"
#include "ImageHeaderProbe.h"
#include "ImageLoader.h"
#include "ParallelBlocks.h"
#include "UrlFetcher.h"

#include <QBuffer>
#include <QClipboard>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QImageReader>
#include <QLocale>
#include <QMimeData>
#include <QPointer>
#include <QThreadPool>

namespace lookbook {

namespace {

// In the pane's translation context: these are the pane's messages, moved here with the reading.
QString tr(const char *text)
{
    return QCoreApplication::translate("lookbook::QueryPane", text);
}

QString formatSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 0, QLocale::DataSizeTraditionalFormat);
}

QSize uprightSize(QImageReader &reader)
{
    // From the header; EXIF rotations by a quarter turn swap the sides, as the loader does.
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    return reader.transformation() & QImageIOHandler::TransformationRotate90 ? size.transposed() : size;
}

// Bounded by the core's limits, so the pane never accepts a file the loader would refuse
// for its size, and never reads more than that even when size() lies (special files report 0).
Expected<QByteArray> readLocalFile(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    const qint64 maxBytes = ImageLimits{}.maxFileBytes;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Expected<QByteArray>::failure(tr("Could not open %1: %2").arg(name, file.errorString()));
    if (file.size() > maxBytes) {
        return Expected<QByteArray>::failure(
            tr("This image is too large: %1 (%2; the limit is %3)").arg(name, formatSize(file.size()), formatSize(maxBytes)));
    }
    QByteArray bytes = file.read(maxBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return Expected<QByteArray>::failure(tr("Could not read %1: %2").arg(name, file.errorString()));
    if (bytes.size() > maxBytes)
        return Expected<QByteArray>::failure(tr("This image is too large: %1 (the limit is %2)").arg(name, formatSize(maxBytes)));
    if (bytes.isEmpty()) return Expected<QByteArray>::failure(tr("This file is empty: %1").arg(name));
    return bytes;
}

// A header that declares more pixels than the loader takes is not decoded for a preview
// either: the search says why it refuses it.
bool withinLoaderLimits(const QByteArray &bytes)
{
    const std::optional<ImageHeader> header = probeImageHeader(bytes);
    if (!header) return true; // a format the probe does not know: Qt's reader bounds it
    return !ImageLoader().declaredSizeRefusal(*header);
}

} // namespace

QueryReader::QueryReader(QObject *parent) : QObject(parent), m_fetcher(new UrlFetcher(this))
{
    qRegisterMetaType<PreparedQuery>();
    connect(m_fetcher, &UrlFetcher::fetched, this, [this](const QUrl &url, const QByteArray &bytes) {
        QueryInput input{bytes, url.toDisplayString(), QString(), m_fetchReceivedMs, QRect()};
        prepareInBackground([input] { return Expected<PreparedQuery>(prepareBytes(input)); });
    });
    connect(m_fetcher, &UrlFetcher::failed, this, [this](const QUrl &, const QString &reason) { emit refused(reason); });
    connect(m_fetcher, &UrlFetcher::localAddressRefused, this, &QueryReader::fetchLocalIfConfirmed);
}

void QueryReader::setLocalFetchConfirmation(LocalFetchConfirmation confirm)
{
    m_confirmLocalFetch = std::move(confirm);
}

void QueryReader::fetchLocalIfConfirmed(const QUrl &url, const LocalAddressRefusal &refusal)
{
    if (!m_confirmLocalFetch || m_localFetchConfirmed) {
        emit refused(refusal.reason);
        return;
    }
    // From the event loop, not inside the fetcher's signal: a message box runs a loop of its own.
    const quint64 request = m_latest;
    QMetaObject::invokeMethod(
        this,
        [this, url, refusal, request] {
            if (request != m_latest) return;         // a newer drop, paste or link came meanwhile
            const QPointer<QueryReader> alive(this); // the window may close while the box is open
            const bool confirmed = m_confirmLocalFetch(refusal);
            if (!alive || request != m_latest) return;
            if (!confirmed) {
                emit refused(tr("Not downloaded: you chose not to fetch from %1 (%2) on this computer or your own network.")
                                 .arg(refusal.host, refusal.addresses.value(0).toString()));
                return;
            }
            m_localFetchConfirmed = true;
            emit busy(tr("Downloading image from %1…").arg(url.host()));
            m_fetcher->fetch(url, HostConsent::of(refusal)); // any other local host on the way is still refused
        },
        Qt::QueuedConnection);
}

QueryReader::~QueryReader()
{
    awaitWatchedTasks(*this); // a read takes milliseconds
}

void QueryReader::read(const QMimeData *mime, Source source, double receivedMs)
{
    handle(DropReader::read(mime), source, receivedMs);
}

void QueryReader::readFile(const QString &path, double receivedMs)
{
    // Through DropReader like a dropped file, so every way in gets the same checks.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath())});
    handle(DropReader::read(&mime), Source::Dialog, receivedMs);
}

void QueryReader::readClipboard(double receivedMs)
{
    const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
    if (!mime || mime->formats().isEmpty()) {
        emit refused(tr("The clipboard is empty. Copy an image, a file or an image link first."));
        return;
    }
    handle(DropReader::read(mime), Source::Paste, receivedMs);
}

void QueryReader::handle(const DropRequest &request, Source source, double receivedMs)
{
    if (request.kind == DropRequest::Kind::Unsupported) {
        // A refused drop leaves the query on show, and whatever is being read for it.
        emit refused(request.error);
        return;
    }
    m_fetcher->cancel();
    switch (request.kind) {
    case DropRequest::Kind::LocalFile: {
        QueryInput input{{}, request.displayName, request.localPath, receivedMs, QRect()};
        prepareInBackground([input] { return prepareFile(input); });
        return;
    }
    case DropRequest::Kind::ImageData: {
        const QString name = source == Source::Drop ? tr("dropped image") : request.displayName;
        QueryInput input{request.bytes, name, QString(), receivedMs, QRect()};
        prepareInBackground([input] { return Expected<PreparedQuery>(prepareBytes(input)); });
        return;
    }
    case DropRequest::Kind::RemoteUrl:
        ++m_latest; // the download is the newest request now
        emit busy(tr("Downloading image from %1…").arg(request.url.host()));
        m_fetchReceivedMs = receivedMs;
        m_localFetchConfirmed = false;
        m_fetcher->fetch(request.url); // answers through fetched() or failed()
        return;
    case DropRequest::Kind::Unsupported:
        return;
    }
}

void QueryReader::prepareInBackground(std::function<Expected<PreparedQuery>()> work)
{
    const quint64 request = ++m_latest;
    auto *watcher = new QFutureWatcher<Expected<PreparedQuery>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, request] {
        watcher->deleteLater();
        if (request != m_latest) return; // a newer drop, paste or link came meanwhile
        QFuture<Expected<PreparedQuery>> future = watcher->future();
        const Expected<PreparedQuery> answer = resultOf(future);
        if (answer) emit prepared(*answer);
        else emit refused(answer.error());
    });
    watcher->setFuture(runTask(QThreadPool::globalInstance(), std::move(work)));
}

Expected<PreparedQuery> QueryReader::prepareFile(QueryInput input)
{
    Expected<QByteArray> bytes = readLocalFile(input.localPath);
    if (!bytes) return Expected<PreparedQuery>::failure(bytes.error());
    input.bytes = std::move(*bytes);
    return prepareBytes(std::move(input));
}

PreparedQuery QueryReader::prepareBytes(QueryInput input)
{
    // One reader: the size from the header, then the pixels, bounded in size and with the
    // EXIF orientation applied like the loader does. A picture Qt cannot show is still
    // searched: the core decodes it on its own terms and says why when it cannot.
    PreparedQuery prepared;
    QBuffer buffer(&input.bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    prepared.pictureSize = uprightSize(reader);
    const QSize stored = reader.size();
    if (stored.isValid() && (stored.width() > kMaxPreviewSide || stored.height() > kMaxPreviewSide))
        reader.setScaledSize(stored.scaled(kMaxPreviewSide, kMaxPreviewSide, Qt::KeepAspectRatio));
    if (withinLoaderLimits(input.bytes)) prepared.preview = reader.read();
    buffer.close();
    prepared.input = std::move(input);
    return prepared;
}

QSize QueryReader::pictureSizeOf(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    return uprightSize(reader);
}

QSize QueryReader::pictureSizeOf(const QString &path)
{
    QImageReader reader(path);
    return uprightSize(reader);
}

} // namespace lookbook
