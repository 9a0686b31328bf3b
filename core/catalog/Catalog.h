#pragma once
// One opened catalog, synchronously: its folder, its cache (cacheFiles) and the store read
// from it, its labels (styles.csv), the projection its searches use, its garment colours and
// its search space. The one way the command line and the window (CatalogSession, which adds
// threads and progress on top) open and search a catalog.
//
// A cheap value: every part is shared and immutable, so a copy is a snapshot a worker
// thread can search while the owner moves on to a newer store. Nothing here waits for
// anything but the disk and the CPU.

#include "ColourModel.h"
#include "ColourRanking.h"
#include "DiscriminantProjection.h"
#include "EmbeddingModel.h"
#include "EmbeddingRecipe.h"
#include "EmbeddingStore.h"
#include "Expected.h"
#include "QueryInput.h"
#include "Recommender.h"
#include "ResultFilter.h"
#include "SearchSpace.h"
#include "StyleLabels.h"

#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lookbook {

// A search as the window keeps it in its history: catalog items liked and disliked are
// named by relative path, so a query stays meaningful while the store is re-indexed.
struct CatalogQuery {
    std::vector<QueryInput> pictures;
    QStringList liked, disliked; // catalog items, by relative path
    ResultFilter filter;
    int k = 5;
    QString colour; // "this, in another colour": a family or colour name; empty for none
};

class Catalog {
public:
    // The labels' file in a catalog folder (the Kaggle layout's name).
    static inline const QString kStylesCsv = QStringLiteral("styles.csv");

    // Reads the cache of the catalog at `root` (cachePath empty: cacheFiles::defaultPath).
    // Fails only when the folder does not exist; a missing or unusable cache gives an
    // empty store and cacheProblem() says why.
    static Expected<Catalog> open(const QString &root, const QString &cachePath, const EmbeddingRecipe &recipe);

    const QString &root() const { return m_root; } // absolute
    const QString &cachePath() const { return m_cachePath; }
    const EmbeddingRecipe &recipe() const { return m_recipe; }
    const std::shared_ptr<const EmbeddingStore> &store() const { return m_store; }
    int size() const { return m_store->size(); }
    const QString &cacheProblem() const { return m_cacheProblem; }
    int journalBatches() const { return m_journalBatches; }

    // Whether the rows searches read from the cache came back whole (EmbeddingStore::checkRows):
    // fails with "The cache … changed on disk while it was in use …; reopening it" when they
    // could not be read back (the file was cut short or rewritten in place): reopen() then.
    Status checkCache() const;

    // What is at the cache's path now, beside the file the store was read from: the same
    // file; a newer one (another program or computer saved it, whole, by rename, or wrote
    // over it); or none (removed). One stat: cheap enough between any two searches, though
    // on a network share it may block, so callers ask off the GUI thread. An NFS client may
    // answer from its attribute cache for up to a minute (acregmax), so a newer cache can
    // be noticed that much later. Meanwhile the store serves whole: its rows are in memory
    // (a share) or in the old file, which its mapping keeps.
    enum class CacheChange { None, Newer, Removed };
    struct CacheLook {
        CacheChange change = CacheChange::None;
        std::optional<fileSystem::FileIdentity> file; // at the path now
    };
    CacheLook lookForNewerCache() const;
    // Takes the file at the cache's path as seen (a newer one that was refused, or none
    // after a removal), so that it is not reported again until it changes once more.
    void markCacheSeen(std::optional<fileSystem::FileIdentity> file) { m_seenCache = file; }

    // The store read again from the cache (a newer one, or after checkCache() failed):
    // labels and projection are kept, colours dropped (they describe the store before).
    void reopen();

    // The store re-read from the cache (after indexing), or a snapshot of a growing one.
    // Colours describe one store's items, so they are dropped with it.
    void setStore(std::shared_ptr<const EmbeddingStore> store);

    // Labels from `csvPath`; empty: styles.csv in the catalog, where a missing file means no
    // labels (not an error). Fails when the file cannot be read as labels: the labels read
    // before are kept then.
    Status loadLabels(const QString &csvPath = {});
    // Null when the catalog has none.
    const std::shared_ptr<const StyleLabels> &labels() const { return m_labels; }

    // The projection searches use; null: the built-in one.
    const std::shared_ptr<const DiscriminantProjection> &projection() const { return m_projection; }
    void setProjection(std::shared_ptr<const DiscriminantProjection> projection) { m_projection = std::move(projection); }
    // The catalog's own projection saved beside its cache (cacheFiles::projectionPath) when
    // "Tune to this catalog" adopted one. No file: the built-in one, no error. A file that
    // cannot be read fails with the reason, and the built-in one serves.
    Status loadOwnProjection();

    // The garment colour description of every item (ColourStore): saved ones, and new ones
    // read now for files new or changed since. Fails when cancelled or not saved.
    using Progress = std::function<void(int done, int total)>;
    Expected<RowMatrix> describeColours(const Progress &onProgress = {}, const std::atomic_bool *cancel = nullptr) const;
    // The colours searches rank by, from descriptions of this store's items; null: none.
    void setColours(std::shared_ptr<const CatalogColours> colours) { m_colours = std::move(colours); }
    static std::shared_ptr<const CatalogColours> coloursFrom(const RowMatrix &descriptions,
                                                             std::shared_ptr<const ColourModel> model = ColourModel::builtInShared());
    const std::shared_ptr<const CatalogColours> &colours() const { return m_colours; }

    // Search spaces of this store, recipe and projection. The saved one (cacheFiles::spacePath)
    // serves only a store as read from its cache; built ones keep the store alive with them.
    Expected<std::shared_ptr<const SearchSpace>> loadSavedSpace() const;
    // `cancel` set stops the build at its next block (SearchSpace::cancelled).
    std::shared_ptr<const SearchSpace> buildSpace(const EmbeddingRecipe &recipe, SearchSpace::Speed speed,
                                                  const std::atomic_bool *cancel = nullptr) const;
    // Saves a full space for the next opening; only a store read from its cache has one.
    Status saveSpace(const SearchSpace &space) const;
    bool canSaveSpace() const;
    // The saved space when it serves, else one built now and saved: for one-shot commands.
    std::shared_ptr<const SearchSpace> openOrBuildSpace() const;

    // Catalog files are answered from their stored vectors: only other pictures need the model.
    bool needsModel(const std::vector<QueryInput> &pictures) const;
    // The file of a catalog at `root` as a query picture (no catalog need be open yet).
    static QueryInput pictureOf(const QString &root, const QString &relativePath);

    // The request a window query makes: liked and disliked items that left the catalog
    // since are dropped, not an error.
    RecommendRequest requestFor(const CatalogQuery &query, const TasteProfile *taste = nullptr) const;
    // One search (Recommender) in `space`, a space of this catalog's store. Fails as
    // checkCache() does when rows could not be read back: reopen() then.
    Expected<SearchOutcome> recommend(const RecommendRequest &request, const SearchSpace &space,
                                      const EmbeddingModel *model) const;

private:
    Catalog() = default;
    // Reads the store from the cache (and the journal of a run that was interrupted).
    void readCache(const StoreIdentity &identity);

    QString m_root;
    QString m_cachePath;
    EmbeddingRecipe m_recipe = EmbeddingRecipe::defaultRecipe();
    std::shared_ptr<const EmbeddingStore> m_store;
    // The file at the cache's path when the store was read (or as last marked seen).
    std::optional<fileSystem::FileIdentity> m_seenCache;
    QString m_cacheProblem;
    int m_journalBatches = 0;
    std::shared_ptr<const StyleLabels> m_labels;
    std::shared_ptr<const DiscriminantProjection> m_projection;
    std::shared_ptr<const CatalogColours> m_colours;
};

} // namespace lookbook
