#pragma once
// What a search scans and how a query is refined, as the recipe says: the store holds the
// network's embeddings; here they get the learned projection appended and, with
// database-side augmentation (DBA), each item becomes the similarity-weighted mean of its
// nearest neighbours. A query gets the same projection and, with query expansion (alpha-QE),
// is moved toward its first results before the final search. Built when a catalog opens,
// so the cache never depends on the projection (docs/quality.md measures each step).
// The refined rows are never stored whole (SpaceRows), and large catalogs are searched
// through a coarse index (CoarseIndex) whose shortlist is re-scored exactly. Every ranking
// here, the searches and the augmentation's neighbour lists, goes through Searcher.

#include "CoarseIndex.h"
#include "DiscriminantProjection.h"
#include "EmbeddingRecipe.h"
#include "EmbeddingStore.h"
#include "Pools.h"
#include "SearchTypes.h"
#include "SpaceRows.h"

#include <QThreadPool>

#include <QJsonObject>

#include <atomic>
#include <memory>

namespace lookbook {

class SearchSpace {
public:
    // From this many items on, searches go through a coarse index: below it the exact scan
    // takes a few milliseconds already, less than building the index.
    static constexpr int kCoarseFromItems = 10000;
    enum class Speed {
        Full,  // a coarse index for large catalogs (seconds to build at 44k items)
        Quick, // exact scans only: ready sooner, for the moments before the full space is
    };

    // `projection` is used when the recipe asks for one; it defaults to the built-in one.
    // The store must outlive the space (its rows are read, not copied). Searches run on
    // `pool`; building runs on `buildPool` (the same pool when null).
    // `neighbourItems`, when given, are the only items augmentation mixes into other items'
    // rows (neighbourItems[i] != 0; every row keeps its own): cross-validation keeps a
    // held-out fold's vectors out of the rows its queries are compared with. Such a space
    // is not the catalog's and is never saved.
    // `cancel`, when it is set during the build, stops the build at its next block: the
    // space is then unfinished (cancelled()), not to be searched, and never saved.
    SearchSpace(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                std::shared_ptr<const DiscriminantProjection> projection = {},
                QThreadPool *pool = pools::search(), Speed speed = Speed::Full, QThreadPool *buildPool = nullptr,
                const std::vector<char> *neighbourItems = nullptr, const std::atomic_bool *cancel = nullptr);
    SearchSpace(const SearchSpace &) = delete;
    SearchSpace &operator=(const SearchSpace &) = delete;

    int size() const { return int(m_rows.rows()); }
    // Columns of prepared queries and of the searched rows.
    int dimension() const { return int(m_rows.cols()); }
    // Why a step of the recipe could not be applied (a projection fitted for embeddings of
    // another dimension); empty when all of it is.
    const QString &problem() const { return m_problem; }
    // True when searches scan the coarse index and re-score its shortlist.
    bool hasCoarseIndex() const { return m_coarse != nullptr; }
    // True when its build was cancelled before it finished.
    bool cancelled() const { return m_cancelled; }

    // Network embeddings (rows) made comparable with the space: the projection appended.
    RowMatrix prepare(const RowMatrix &embeddings) const;
    // The prepared query of a catalog item ("more like this").
    Eigen::RowVectorXf itemQuery(int item) const;

    // Top-k for one prepared query, with query expansion when the recipe asks for it.
    std::vector<SearchHit> search(const Eigen::RowVectorXf &query, const SearchRequest &request = {}) const;
    // The same for many prepared queries at once, always exact (the evaluation's path).
    std::vector<std::vector<SearchHit>> searchMany(const RowMatrix &queries, int k,
                                                   const std::vector<int> &excludeItems = {}) const;

    // The built space, saved beside its cache (cacheFiles::spacePath) so that reopening the catalog needs
    // no rebuild: tens of seconds at 44k items. Only a space of a store as loaded from its
    // cache file can be saved; the file names that cache by its checksum (docs/cache-format.md).
    Status save(const QString &path) const;
    // A saved space for `store`, or why it cannot serve it (none saved, another or a
    // changed cache, another recipe or projection, damaged): the caller then builds one.
    static Expected<std::unique_ptr<SearchSpace>> load(const QString &path, const EmbeddingStore &store,
                                                       const EmbeddingRecipe &recipe,
                                                       std::shared_ptr<const DiscriminantProjection> projection = {},
                                                       QThreadPool *pool = pools::search());
    // The saved space when it serves `store`, else one built now (and saved for next time
    // when the store is its cache's): what a one-shot command wants.
    static std::unique_ptr<SearchSpace> openOrBuild(const QString &savedPath, const EmbeddingStore &store,
                                                    const EmbeddingRecipe &recipe,
                                                    std::shared_ptr<const DiscriminantProjection> projection = {});

    // The projection a space of `recipe` over rows of `dimension` floats appends: `given`
    // (null: the built-in one), or none when the recipe gives it no weight or it takes rows
    // of another width (then `problem`, when given, says so). What the constructors use,
    // and what names a space (TasteProfile::spaceKeyFor).
    static std::shared_ptr<const DiscriminantProjection> projectionFor(const EmbeddingRecipe &recipe, int dimension,
                                                                       std::shared_ptr<const DiscriminantProjection> given,
                                                                       QString *problem = nullptr);

    // Every row's k nearest rows, itself included (its own score is 1, so it comes first
    // unless an identical row ties with it): what augmentation is built from. Exact for
    // small catalogs; from 10,000 rows on, through a coarse index of the rows. Never an
    // all-pairs matrix. With `allowed`, a row's list is itself first, then its k - 1
    // nearest allowed rows. Once `cancel` is set, the blocks of a large catalog not yet
    // begun are skipped and their rows' lists stay empty.
    static std::vector<std::vector<SearchHit>> nearestNeighbours(const SpaceRows &rows, int k, QThreadPool *pool,
                                                                 const std::vector<char> *allowed = nullptr,
                                                                 const std::atomic_bool *cancel = nullptr);

    // Database-side augmentation of unit rows: row i becomes L2(sum over its k nearest rows
    // j, itself included, of max(cos, 0)^power * row j). Materialised, for checks.
    static RowMatrix augment(const RowMatrixView &rows, int neighbours, float power, QThreadPool *pool);

private:
    struct Unbuilt {};
    // The space's settings, with rows that have no projection or mixing yet (load fills them).
    SearchSpace(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                std::shared_ptr<const DiscriminantProjection> projection, QThreadPool *pool, Unbuilt);
    QJsonObject fileHeader() const;

    // One pass without expansion (Searcher::search): the coarse shortlist re-scored, or
    // every row scored.
    std::vector<SearchHit> rank(const Eigen::RowVectorXf &query, const SearchRequest &request) const;
    Eigen::RowVectorXf expand(const Eigen::RowVectorXf &query, const std::vector<SearchHit> &hits) const;

    const EmbeddingStore *m_store;
    EmbeddingRecipe m_recipe;
    QString m_problem;
    std::shared_ptr<const DiscriminantProjection> m_projection; // null when the recipe has none
    QThreadPool *m_pool;
    SpaceRows m_rows;
    std::unique_ptr<const CoarseIndex> m_coarse; // null for small catalogs and quick spaces
    bool m_neighboursMasked = false;              // built with neighbourItems: not the catalog's space
    bool m_cancelled = false;
};

} // namespace lookbook
