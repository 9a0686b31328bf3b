#pragma once
// Where a catalog's cache and the files beside it live, and how the cache is opened: the
// store saved last, plus the batches of an indexing run that did not finish (the journal).

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
    // The file is a sound cache of another part of the catalog (a shard where the whole
    // catalog was asked for, the whole or another shard where a shard was): `problem` says
    // so, and it must not be written over, since it is another run's work.
    bool otherPart = false;
};

// The cache is one file, `<cache>` (docs/cache-format.md); the files beside it share its
// name and are named here only:
//   <cache>.lock            held while an index runs, so two indexers never interleave
//   <cache>.journal         the batches of an index run not yet folded into <cache>
//   <cache>.colour          the garment colour of every item (ColourStore)
//   <cache>.space           the built search space (SearchSpace::openOrBuild)
//   <cache>.projection.lbp  the catalog's own projection, when Tune to This Catalog adopted it
namespace cacheFiles {

inline const QString kDefaultName = QStringLiteral(".lookbook-index.lbi");

// In the catalog folder when it is writable, else in the user's app-data folder under a
// name derived from the catalog's absolute path.
QString defaultPath(const QString &catalogRoot);

inline QString lockPath(const QString &cachePath) { return cachePath + QStringLiteral(".lock"); }
inline QString journalPath(const QString &cachePath) { return cachePath + QStringLiteral(".journal"); }
inline QString colourPath(const QString &cachePath) { return cachePath + QStringLiteral(".colour"); }
inline QString spacePath(const QString &cachePath) { return cachePath + QStringLiteral(".space"); }
inline QString projectionPath(const QString &cachePath) { return cachePath + QStringLiteral(".projection.lbp"); }

StoreIdentity identityFor(const ModelDescriptor &model, const EmbeddingRecipe &recipe);

// The store saved last plus the journal's batches, of the whole catalog or of one `shard`.
// Never fails: a missing or unusable cache gives an empty store and says why in `problem`.
OpenedStore open(const QString &cachePath, const StoreIdentity &identity, const CatalogShard &shard = CatalogShard::whole());

} // namespace cacheFiles

} // namespace lookbook
