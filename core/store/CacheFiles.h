#pragma once
// Where a catalog's cache lives and how it is opened: the store saved last, plus the
// batches of an indexing run that did not finish (the journal).

#include "EmbeddingModel.h"
#include "EmbeddingRecipe.h"
#include "EmbeddingStore.h"
#include "Expected.h"

#include <QString>

namespace lookbook {

struct OpenedStore {
    EmbeddingStore store;
    QString problem;      // why the saved cache could not be used (it will be rebuilt); empty if fine
    int journalBatches = 0; // batches recovered from an interrupted run
};

class CacheFiles {
public:
    static inline const QString kCacheFileName = QStringLiteral(".lookbook-index.lbi");

    // In the catalog folder when it is writable, else in the user's app-data folder under a
    // name derived from the catalog's absolute path.
    static QString defaultCachePath(const QString &catalogRoot);

    static StoreIdentity identityFor(const ModelDescriptor &model, const EmbeddingRecipe &recipe);

    // Never fails: a missing or unusable cache gives an empty store and says why in `problem`.
    static OpenedStore open(const QString &cachePath, const StoreIdentity &identity);
};

} // namespace lookbook
