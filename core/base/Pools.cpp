#include "Pools.h"

#include <QString>
#include <QThread>

#include <algorithm>

namespace lookbook::pools {

namespace {

// A pool that lives until exit, named so that a debugger or a profiler shows whose thread it is.
QThreadPool *make(const char *name, int threads, QThread::Priority priority = QThread::InheritPriority)
{
    auto *pool = new QThreadPool;
    pool->setObjectName(QString::fromLatin1(name));
    pool->setMaxThreadCount(std::max(1, threads));
    if (priority != QThread::InheritPriority) pool->setThreadPriority(priority);
    return pool;
}

// Threads of the thumbnails pool at most: decoding a 60x80 to 300x400 thumbnail is quick, so
// two threads keep up with scrolling.
constexpr int kMaxThumbnailThreads = 2;

} // namespace

QThreadPool *search()
{
    static QThreadPool *const pool = make("lookbook.search", QThread::idealThreadCount());
    return pool;
}

QThreadPool *decode()
{
    static QThreadPool *const pool = make("lookbook.decode", QThread::idealThreadCount());
    return pool;
}

QThreadPool *spaceBuild()
{
    static QThreadPool *const pool = make("lookbook.space-build", 1, QThread::IdlePriority);
    return pool;
}

QThreadPool *spaceBuildWorkers()
{
    static QThreadPool *const pool = make("lookbook.space-build-workers", QThread::idealThreadCount(), QThread::IdlePriority);
    return pool;
}

QThreadPool *tuning()
{
    static QThreadPool *const pool = make("lookbook.tuning", 1);
    return pool;
}

QThreadPool *thumbnails()
{
    static QThreadPool *const pool =
        make("lookbook.thumbnails", std::clamp(QThread::idealThreadCount() / 2, 1, kMaxThumbnailThreads));
    return pool;
}

} // namespace lookbook::pools
