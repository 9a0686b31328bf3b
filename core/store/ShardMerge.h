#pragma once
// Merges the partial caches of a catalog indexed in shards (`lookbook-cli index --shard K/N`
// on many machines or processes, docs/scale-out.md) into the catalog's cache: the same
// items in the same order, with the same rows bit for bit, as one indexing run over the
// whole catalog makes, and the parts' garment colours with them.
//
// Nothing is written unless every check passes: each part is a sound, finished part made
// with the model and recipe in use; the parts split the catalog the same way, each shard
// once; they were indexed against the catalog as it is now; and together they hold every
// file of it exactly once (as an embedding, or as a file that could not be embedded).

#include "EmbeddingStore.h"
#include "Expected.h"

#include <QString>
#include <QStringList>

namespace lookbook {

struct MergeReport {
    int parts = 0;
    int catalogFiles = 0;
    int items = 0;    // embedded files in the merged cache
    int skipped = 0;  // files that could not be embedded, kept with their reasons
    bool coloursMerged = false;
    QString coloursProblem;      // why the colours were not merged (they are described when the catalog opens)
    bool journalRemoved = false; // an unfinished whole-catalog run's journal, superseded by the merge
    QString cachePath;
    double seconds = 0;
};

class ShardMerge {
public:
    // Writes the cache of the catalog at `catalogRoot` to `cachePath` (atomically, under the
    // cache's lock) from the parts at `partPaths`. Fails with a sentence naming the part
    // and what is wrong with it, and then writes nothing.
    static Expected<MergeReport> merge(const QString &catalogRoot, const QStringList &partPaths,
                                       const StoreIdentity &identity, const QString &cachePath);
};

} // namespace lookbook
