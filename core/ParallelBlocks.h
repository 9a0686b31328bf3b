#pragma once
// Data-parallel loops: [0, count) cut into blocks of consecutive indices, run on a thread
// pool, returning when all are done. The one way the core runs such loops.
//
// Under ThreadSanitizer it also states what Qt's pool guarantees: what the caller did
// before the call happens before every block, and every block happens before the return.
// The sanitizer cannot see that by itself, because Qt's locks are futexes in a library not
// built for it; without the statement every loop would be reported as a data race.

#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
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
    char started = 0, finished = 0; // the sanitizer's sync objects: only their addresses matter
    threadsan::release(&started);
    QtConcurrent::blockingMap(pool, blocks, [&](const Block &b) {
        threadsan::acquire(&started);
        function(b.index, b.begin, b.end);
        threadsan::release(&finished);
    });
    threadsan::acquire(&finished);
}

} // namespace lookbook
