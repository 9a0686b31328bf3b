#pragma once
// Brings a catalog's cache up to date: scans the folder, keeps what is unchanged, drops
// what was removed, and embeds only new or changed files. Images of the next batch are
// read and decoded on the thread pool while the network runs on the current one. Every
// finished batch is checkpointed to the journal; the store is saved whole at the end, also
// after a cancel, so the next run resumes where this one stopped.

#include "CacheLock.h"
#include "CatalogShard.h"
#include "CatalogScanner.h"
#include "EmbeddingModel.h"
#include "EmbeddingRecipe.h"
#include "EmbeddingStore.h"
#include "Expected.h"
#include "ImageLoader.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace lookbook {

struct IndexProgress {
    int done = 0;    // images embedded (or skipped) so far in this run
    int total = 0;   // images this run has to embed
    double imagesPerSecond = 0;
    double secondsLeft = -1; // -1 until there is a rate to go by
    QString lastFile;
};

struct IndexReport {
    int catalogFiles = 0;
    int shardFiles = 0; // of those, the files of the shard indexed (all of them for the whole catalog)
    int embedded = 0;   // new and changed files embedded in this run
    int changed = 0;    // of those, files that were in the cache with another size or date
    int unchanged = 0;
    int removed = 0;
    std::vector<SkippedFile> skipped;  // newly failed in this run
    int skippedKnown = 0;              // failed before and unchanged since: not retried
    int resumedBatches = 0;            // batches recovered from an interrupted run
    QString cacheProblem;              // why the old cache was not used (it was rebuilt)
    QString cachePath;
    double seconds = 0;
    bool cancelled = false;
};

struct IndexOptions {
    int batchSize = 16;
    // How long to wait for another indexer of the same catalog to finish (the app waits
    // for its own cancelled run; the command line refuses at once).
    int lockWaitMs = 0;
    // On a network share: the lock's heartbeat and when a lock not touched counts as
    // abandoned (CacheLock); tests shorten them.
    CacheLock::Timing lockTiming;
    ImageLimits limits;
    // The part of the catalog to index (`--shard K/N`): the store then holds only its files
    // and records the shard and the catalog's listing, for `lookbook-cli merge`.
    CatalogShard shard = CatalogShard::whole();
};

class Indexer {
public:
    using ProgressCallback = std::function<void(const IndexProgress &)>;
    // Called on the indexing thread after each batch with the store as it now is, so that
    // searches can use what is indexed so far; copy what you need before returning.
    using StoreCallback = std::function<void(const EmbeddingStore &)>;

    Indexer(std::shared_ptr<const EmbeddingModel> model, EmbeddingRecipe recipe, IndexOptions options = {});

    // Fails only when nothing could be done at all (no catalog folder, cache not writable,
    // another process indexing the same catalog, a cache of another part of the catalog at
    // `cachePath`, which is left as it is). Files that fail are skipped and reported.
    Expected<IndexReport> update(const QString &catalogRoot, const QString &cachePath,
                                 const ProgressCallback &onProgress = {},
                                 const std::atomic_bool *cancel = nullptr,
                                 const StoreCallback &onStoreChanged = {}) const;

private:
    std::shared_ptr<const EmbeddingModel> m_model;
    EmbeddingRecipe m_recipe;
    IndexOptions m_options;
};

} // namespace lookbook
