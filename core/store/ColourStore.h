#pragma once
// The garment colour (GarmentColour) of every item of a catalog, kept beside its cache as
// `<cache>.colour`, in the cache's own format (EmbeddingStore: checksummed, written
// atomically, refused when made by another version of the description). It is brought up
// to date after indexing: only new or changed files are read again, and reading a product
// photo for its colour costs a fraction of a millisecond, against about 100 ms for the
// network. Keeping it out of the cache's rows means catalogs indexed before it existed
// need no re-index, and what the network computes stays what the cache holds.

#include "EmbeddingStore.h"
#include "Expected.h"

#include <atomic>
#include <functional>

namespace lookbook {

class ColourStore {
public:
    static StoreIdentity identity();

    using Progress = std::function<void(int done, int total)>;
    // The description of every item of `store`, in its order: saved ones for files
    // unchanged since, new ones read from `catalogRoot`; saved for next time. A file that
    // cannot be read gets an all-zero description (no colour known). Fails only when
    // cancelled, or when the result cannot be saved (the message says why).
    static Expected<RowMatrix> update(const QString &catalogRoot, const EmbeddingStore &store, const QString &cachePath,
                                      const Progress &onProgress = {}, const std::atomic_bool *cancel = nullptr);
};

} // namespace lookbook
