#pragma once
// How the core runs work on thread pools: data-parallel loops (forEachBlock) and single
// background tasks (runTask / resultOf).
//
// Data-parallel loops: [0, count) cut into blocks of consecutive indices, run on a thread
// pool, returning when all are done. The one way the core runs such loops.
//
// Under ThreadSanitizer the blocks run as plain QThreadPool tasks joined by a std::latch,
// with the hand-over to the pool stated to the sanitizer: what the caller did before the
// call happens before every block, and every block happens before the return. QtConcurrent's
// map kernel hands itself to its threads through Qt's atomics and futexes, in a library not
// built for the sanitizer, so through it every loop would be reported as a data race in Qt's
// own bookkeeping. The blocks, and the data they share, are the same either way.

#include <QFuture>
#include <QFutureWatcher>
#include <QPromise>
#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
#include <latch>
#include <memory>
#include <type_traits>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define LOOKBOOK_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOOKBOOK_THREAD_SANITIZER 1
#endif
#endif

#ifdef LOOKBOOK_THREAD_SANITIZER
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#endif

namespace lookbook {

// Happens-before edges the sanitizer cannot see: release(x) in one thread, then acquire(x)
// in another after it. Nothing outside ThreadSanitizer builds.
namespace threadsan {
#ifdef LOOKBOOK_THREAD_SANITIZER
inline void release(void *sync) { __tsan_release(sync); }
inline void acquire(void *sync) { __tsan_acquire(sync); }
#else
inline void release(void *) {}
inline void acquire(void *) {}
#endif
// The sanitizer's sync objects: only their addresses matter. Global, because a task must
// acquire before it reads anything of its own closure. One object for all hand-overs of a
// kind: a race between two unrelated tasks could hide behind it, none is invented.
inline char g_blocksStarted = 0;
inline char g_taskStarted = 0;
inline char g_taskFinished = 0;
} // namespace threadsan

// Calls function(blockIndex, begin, end) for every block of `blockSize` indices of
// [0, count), on `pool`; on the calling thread when the pool is null or there is one block.
template <typename Index, typename Function>
void forEachBlock(Index count, Index blockSize, QThreadPool *pool, Function &&function)
{
    struct Block {
        int index;
        Index begin;
        Index end;
    };
    std::vector<Block> blocks;
    for (Index b = 0; b < count; b += blockSize) blocks.push_back({int(blocks.size()), b, std::min(count, b + blockSize)});
    if (!pool || blocks.size() <= 1) {
        for (const Block &b : blocks) function(b.index, b.begin, b.end);
        return;
    }
#ifdef LOOKBOOK_THREAD_SANITIZER
    std::latch done(std::ptrdiff_t(blocks.size()));
    std::vector<std::unique_ptr<QRunnable>> tasks;
    for (const Block &b : blocks) {
        tasks.emplace_back(QRunnable::create([&, b] {
            threadsan::acquire(&threadsan::g_blocksStarted);
            function(b.index, b.begin, b.end);
            done.count_down();
        }));
        tasks.back()->setAutoDelete(false); // deleted here, after the join
    }
    threadsan::release(&threadsan::g_blocksStarted);
    for (const auto &task : tasks) pool->start(task.get());
    // The calling thread runs what no pool thread has started yet, as blockingMap's wait does.
    for (const auto &task : tasks)
        if (pool->tryTake(task.get())) task->run();
    done.wait();
#else
    QtConcurrent::blockingMap(pool, blocks, [&](const Block &b) { function(b.index, b.begin, b.end); });
#endif
}

// Runs function() on `pool` and returns the future of its result, read with resultOf.
// Under ThreadSanitizer the task is a plain QRunnable whose hand-over the sanitizer is told
// about (see above); QtConcurrent::run otherwise.
template <typename Function>
auto runTask(QThreadPool *pool, Function function) -> QFuture<std::invoke_result_t<Function>>
{
#ifdef LOOKBOOK_THREAD_SANITIZER
    using Result = std::invoke_result_t<Function>;
    auto promise = std::make_shared<QPromise<Result>>();
    QFuture<Result> future = promise->future();
    promise->start();
    QRunnable *task = QRunnable::create([promise, function = std::move(function)]() mutable {
        threadsan::acquire(&threadsan::g_taskStarted);
        if constexpr (std::is_void_v<Result>) function();
        else promise->addResult(function());
        threadsan::release(&threadsan::g_taskFinished);
        promise->finish();
    });
    threadsan::release(&threadsan::g_taskStarted);
    pool->start(task);
    return future;
#else
    return QtConcurrent::run(pool, std::move(function));
#endif
}

// For the destructor of an object whose runTask tasks hand their results to QFutureWatchers
// that are its children: waits for every one still running, so that none outlives the
// object, and states the hand-over to ThreadSanitizer. For tasks of milliseconds.
inline void awaitWatchedTasks(const QObject &owner)
{
    for (QFutureWatcherBase *task : owner.findChildren<QFutureWatcherBase *>()) task->waitForFinished();
    threadsan::acquire(&threadsan::g_taskFinished);
}

// Waits for a task of runTask and returns its result.
template <typename T>
T resultOf(QFuture<T> &future)
{
    future.waitForFinished();
    threadsan::acquire(&threadsan::g_taskFinished);
    if constexpr (!std::is_void_v<T>) return future.result();
}

} // namespace lookbook
