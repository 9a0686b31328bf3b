#include "ProcessClock.h"

#include <QElapsedTimer>
#include <QtGlobal>

#if defined(Q_OS_LINUX)
#include <QByteArray>
#include <QFile>
#include <QList>

#include <ctime>
#include <unistd.h>
#endif

#include <optional>

namespace lookbook {

namespace {

constexpr double kNsPerMs = 1e6;

#if defined(Q_OS_LINUX)
constexpr qint64 kNsPerSecond = 1'000'000'000;
// /proc/[pid]/stat numbers its fields from 1; the start time is field 22, the command name
// field 2, and the fields after the name are counted from its closing parenthesis.
constexpr int kStartTimeField = 22;
constexpr int kFirstFieldAfterName = 3;

qint64 bootClockNs()
{
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    return qint64(now.tv_sec) * kNsPerSecond + now.tv_nsec;
}

// When the kernel started this process, in ns of CLOCK_BOOTTIME (the clock the kernel counts
// the start time in, clock ticks since boot, suspend included); nothing when unreadable.
std::optional<qint64> kernelStartNs()
{
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly)) return std::nullopt;
    const QByteArray line = stat.readAll();
    // The command name may hold spaces and parentheses itself: the last ')' ends it.
    const qsizetype nameEnd = line.lastIndexOf(')');
    if (nameEnd < 0) return std::nullopt;
    const QList<QByteArray> fields = line.mid(nameEnd + 1).simplified().split(' ');
    const qsizetype at = kStartTimeField - kFirstFieldAfterName;
    const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    if (fields.size() <= at || ticksPerSecond <= 0) return std::nullopt;
    bool ok = false;
    const qulonglong ticks = fields[at].toULongLong(&ok);
    if (!ok) return std::nullopt;
    return qint64(ticks / ticksPerSecond) * kNsPerSecond + qint64(ticks % ticksPerSecond) * kNsPerSecond / ticksPerSecond;
}
#endif

struct Origin {
    QElapsedTimer fallback;
#if defined(Q_OS_LINUX)
    std::optional<qint64> startNs;
#endif

    Origin()
    {
        fallback.start();
#if defined(Q_OS_LINUX)
        startNs = kernelStartNs();
        if (startNs && *startNs > bootClockNs()) startNs.reset(); // not the clock it was taken for
#endif
    }
};

const Origin &origin()
{
    static const Origin instance; // initialised once, thread-safely, by the first caller
    return instance;
}

} // namespace

void ProcessClock::start()
{
    origin();
}

double ProcessClock::elapsedMs()
{
    const Origin &o = origin();
#if defined(Q_OS_LINUX)
    if (o.startNs) return double(bootClockNs() - *o.startNs) / kNsPerMs;
#endif
    return double(o.fallback.nsecsElapsed()) / kNsPerMs;
}

} // namespace lookbook
