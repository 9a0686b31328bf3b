#include "Thumbnails.h"

#include "ParallelBlocks.h"
#include "Pools.h"

#include <QFutureWatcher>
#include <QImageIOHandler>
#include <QImageReader>
#include <QThread>

#include <algorithm>

namespace lookbook {

namespace {

constexpr qsizetype kCacheBytes = qsizetype(64) * 1024 * 1024;
constexpr qsizetype kCostUnitBytes = 1024; // the cache counts kilobytes
// A broken marker holds no pixels but must still count, or a flood of them would never
// be evicted.
constexpr qsizetype kBrokenMarkerCost = 1;

} // namespace

Thumbnails::Thumbnails(QSize maxSize, QObject *parent)
    : QObject(parent), m_maxSize(maxSize.expandedTo({1, 1}))
{
    m_cache.setMaxCost(kCacheBytes / kCostUnitBytes);
}

Thumbnails::~Thumbnails()
{
    awaitWatchedTasks(*this); // loads take milliseconds
}

QImage Thumbnails::thumbnail(const QString &path)
{
    if (const QImage *cached = m_cache.object(path))
        return *cached;
    request(path);
    return {};
}

bool Thumbnails::isBroken(const QString &path) const
{
    const QImage *cached = m_cache.object(path);
    return cached && cached->isNull();
}

void Thumbnails::request(const QString &path)
{
    if (m_inFlight.contains(path))
        return;
    m_inFlight.insert(path);

    auto *watcher = new QFutureWatcher<QImage>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
        QFuture<QImage> future = watcher->future();
        const QImage image = future.isValid() && future.resultCount() > 0 ? resultOf(future) : QImage();
        watcher->deleteLater();
        m_inFlight.remove(path);
        store(path, image);
        emit thumbnailReady(path);
    });
    watcher->setFuture(runTask(pools::thumbnails(), [path, maxSize = m_maxSize] { return load(path, maxSize); }));
}

void Thumbnails::store(const QString &path, const QImage &image)
{
    const qsizetype cost = image.isNull() ? kBrokenMarkerCost
                                          : std::max<qsizetype>(1, image.sizeInBytes() / kCostUnitBytes);
    m_cache.insert(path, new QImage(image), cost);
}

QImage Thumbnails::load(const QString &path, QSize maxSize)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);

    // Reading the header only: an enormous image is decoded straight at the reduced size
    // (JPEG scales while decoding), never at full size, and the reader's allocation limit
    // still refuses what cannot be reduced.
    const QSize size = reader.size();
    if (size.isValid()) {
        // A 90° EXIF rotation is applied after decoding, so the box is fitted as it will be shown.
        const bool swapsAxes = reader.transformation().testFlag(QImageIOHandler::TransformationRotate90);
        const QSize box = swapsAxes ? maxSize.transposed() : maxSize;
        if (size.width() > box.width() || size.height() > box.height())
            reader.setScaledSize(size.scaled(box, Qt::KeepAspectRatio).expandedTo({1, 1}));
    }

    QImage image = reader.read();
    if (image.isNull())
        return {};
    // The two formats QPainter draws without converting on every paint.
    const QImage::Format paintFormat =
        image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32;
    if (image.format() != paintFormat)
        image.convertTo(paintFormat);
    return image;
}

} // namespace lookbook
