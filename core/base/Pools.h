#pragma once
// Every thread pool of Lookbook, and why each exists. Work goes to a pool by what it waits
// for: a task that waits for tasks of its own pool can deadlock once every thread of that
// pool is such a task, so a waiting task and the tasks it waits for never share a pool.
// The pools live until the process exits (work may run until the last moment); at most
// idealThreadCount() threads of them are busy at once in practice, since the busy ones
// are the stages of one user action.
//
// Qt's global pool (QThreadPool::globalInstance(), the default of QtConcurrent::run) runs
// the short single tasks: opening a catalog, the colour pass of an index, a query's
// decoding and embedding, a like, the near-duplicates dialog, the indexer's batch task.
// Those tasks wait only on the pools below, never on the global pool itself.

#include <QThreadPool>

namespace lookbook::pools {

// The blocks of a search scan (exact rows, coarse shortlist, re-score) and of the maths
// under it (principal axes, similarity join). Its tasks never wait on anything, and the
// callers that wait for them run on the global pool.
QThreadPool *search();

// The images of an indexing batch, decoded in parallel while the network embeds the
// previous batch. The batch task that waits for them runs on the global pool.
QThreadPool *decode();

// The full search space's build in the background: one build at a time, on one thread at
// idle priority (SCHED_IDLE on Linux), so the quick space's searches get the processor as
// soon as they ask. Its parallel parts run on spaceBuildWorkers(), never on this pool.
QThreadPool *spaceBuild();

// The parallel parts of the full space's build (augmentation, the coarse index): every
// core, at idle priority, like the build that waits for them.
QThreadPool *spaceBuildWorkers();

// Tune to This Catalog: one run at a time on its own thread, since a run takes seconds to
// minutes and must neither wait behind the global pool's short tasks nor hold one of its
// threads meanwhile. Its folds' searches run on search().
QThreadPool *tuning();

// The results grid's thumbnails: half the cores at most, so decoding them never competes
// with a search for every core; the decoded images come back to the GUI thread.
QThreadPool *thumbnails();

} // namespace lookbook::pools
