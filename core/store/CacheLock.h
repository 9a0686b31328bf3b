#pragma once
// The lock that keeps two indexers of one catalog apart (<cache>.lock, a QLockFile), so
// that neither truncates the other's journal nor overwrites the other's cache.
//
// On a local disk QLockFile protects it itself: flock, and a holder that died is noticed
// by its pid. On a network share neither reaches another computer (flock is not shared by
// every NFS or SMB mount, and a pid on another host cannot be asked), so the lock file's
// age is all another indexer goes by, and QLockFile's 30 s would hand a live lock over in
// the middle of a long batch. There the holder touches the file on a heartbeat thread of
// its own (a batch may take longer than any heartbeat interval), and a lock counts as
// abandoned only after a stale time many heartbeats long.

#include "Expected.h"

#include <QLockFile>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

namespace lookbook {

class CacheLock {
public:
    struct Timing {
        int heartbeatMs = 10'000;        // on a share: how often the holder touches the lock
        int networkStaleMs = 5 * 60'000; // on a share: a lock not touched for this long is abandoned
    };

    // The lock of the cache at `cachePath`, waiting up to `waitMs` for another holder.
    // Fails with a sentence naming the holder (program, pid, computer).
    static Expected<std::unique_ptr<CacheLock>> acquire(const QString &cachePath, int waitMs, Timing timing);
    static Expected<std::unique_ptr<CacheLock>> acquire(const QString &cachePath, int waitMs)
    {
        return acquire(cachePath, waitMs, Timing{});
    }
    // Stops the heartbeat (the jthread, destroyed first: it is the last member), then
    // releases the lock and removes its file (the QLockFile).
    ~CacheLock() = default;

    bool onNetworkShare() const { return m_onNetworkShare; }
    int heartbeats() const { return m_heartbeats.load(); }

    // Whether this process holds the lock of the cache at `cachePath` (its own indexer is
    // the one replacing the cache).
    static bool heldByThisProcess(const QString &cachePath);

    CacheLock(const CacheLock &) = delete;
    CacheLock &operator=(const CacheLock &) = delete;

private:
    CacheLock(const QString &lockPath, bool onNetworkShare);
    void beat(std::stop_token stop, int intervalMs);

    QLockFile m_lock;
    QString m_lockPath;
    bool m_onNetworkShare = false;
    std::atomic_int m_heartbeats{0};
    std::jthread m_heartbeat; // last: stopped and joined before the lock is released
};

} // namespace lookbook
