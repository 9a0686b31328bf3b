#include "CacheLock.h"

#include "CacheFiles.h"
#include "FileSystemKind.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSysInfo>

#include <condition_variable>
#include <mutex>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>
#endif

namespace lookbook {

namespace {

// Sets the lock file's modification time to now. On Unix the file system's own clock sets
// it (utimensat with no times), so a server's time is the one other computers compare.
bool touch(const QString &path)
{
#ifdef Q_OS_UNIX
    return ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), nullptr, 0) == 0;
#else
    QFile file(path);
    return file.open(QIODevice::ReadWrite | QIODevice::ExistingOnly)
        && file.setFileTime(QDateTime::currentDateTimeUtc(), QFileDevice::FileModificationTime);
#endif
}

// Why the lock could not be taken: who holds it, and on a share when it counts as abandoned.
QString lockedBy(const QLockFile &lock, bool onNetworkShare, int staleMs)
{
    qint64 pid = 0;
    QString host, app;
    if (!lock.getLockInfo(&pid, &host, &app))
        return QStringLiteral("another Lookbook process is indexing this catalog (its lock %1 cannot be read); "
                              "wait for it to finish")
            .arg(QDir::toNativeSeparators(lock.fileName()));
    const QString program = app.isEmpty() ? QStringLiteral("Lookbook") : app;
    const QString where = host.isEmpty() || host == QSysInfo::machineHostName() ? QStringLiteral("on this computer")
                                                                                : QStringLiteral("on the computer %1").arg(host);
    QString message = QStringLiteral("another Lookbook process (%1, pid %2, %3) is indexing this catalog; "
                                     "wait for it to finish")
                          .arg(program)
                          .arg(pid)
                          .arg(where);
    if (onNetworkShare)
        message += QStringLiteral(" (if that computer was switched off, its lock is taken over %1 minutes after it "
                                  "stopped)")
                       .arg((staleMs + 59'999) / 60'000);
    return message;
}

} // namespace

CacheLock::CacheLock(const QString &lockPath, bool onNetworkShare)
    : m_lock(lockPath), m_lockPath(lockPath), m_onNetworkShare(onNetworkShare)
{}

Expected<std::unique_ptr<CacheLock>> CacheLock::acquire(const QString &cachePath, int waitMs, Timing timing)
{
    using Result = Expected<std::unique_ptr<CacheLock>>;
    const QString path = cacheFiles::lockPath(cachePath);
    std::unique_ptr<CacheLock> lock(new CacheLock(path, fileSystem::isOnNetworkShare(path)));
    // Locally QLockFile's default (30 s, with flock and the pid check) is today's rule.
    if (lock->m_onNetworkShare) lock->m_lock.setStaleLockTime(timing.networkStaleMs);
    if (!lock->m_lock.tryLock(waitMs)) {
        if (lock->m_lock.error() != QLockFile::LockFailedError)
            return Result::failure(
                QStringLiteral("cannot create the lock file %1 beside the cache").arg(QDir::toNativeSeparators(path)));
        return Result::failure(lockedBy(lock->m_lock, lock->m_onNetworkShare, timing.networkStaleMs));
    }
    if (lock->m_onNetworkShare)
        lock->m_heartbeat = std::jthread(
            [raw = lock.get(), interval = timing.heartbeatMs](std::stop_token stop) { raw->beat(std::move(stop), interval); });
    return lock;
}

void CacheLock::beat(std::stop_token stop, int intervalMs)
{
    // Only to sleep an interval at a time, woken at once when the lock is released (the
    // jthread's stop request).
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock guard(mutex);
    while (!wake.wait_for(guard, stop, std::chrono::milliseconds(intervalMs), [&stop] { return stop.stop_requested(); }))
        if (touch(m_lockPath)) m_heartbeats.fetch_add(1);
}

bool CacheLock::heldByThisProcess(const QString &cachePath)
{
    const QLockFile lock(cacheFiles::lockPath(cachePath));
    qint64 pid = 0;
    QString host, app;
    return lock.getLockInfo(&pid, &host, &app) && pid == QCoreApplication::applicationPid()
        && (host.isEmpty() || host == QSysInfo::machineHostName());
}

} // namespace lookbook
