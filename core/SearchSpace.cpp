#include "SearchSpace.h"

#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace lookbook {

namespace {

constexpr float kNormFloor = 1e-12f;

// Adds max(score, 0)^power * row(hit) for every hit to `into`.
void addWeighted(Eigen::Ref<Eigen::RowVectorXf> into, const RowMatrixView &rows, const std::vector<SearchHit> &hits,
                 float power)
{
    for (const SearchHit &hit : hits) into += std::pow(std::max(hit.score, 0.0f), power) * rows.row(hit.item);
}

std::shared_ptr<const DiscriminantProjection> chooseProjection(const EmbeddingRecipe &recipe, int dimension,
                                                               std::shared_ptr<const DiscriminantProjection> given,
                                                               QString &problem)
{
    if (recipe.projectionWeight <= 0) return {};
    // The built-in projection lives for the whole program; share it without owning it.
    auto chosen = given ? std::move(given)
                        : std::shared_ptr<const DiscriminantProjection>(std::shared_ptr<void>(),
                                                                        &DiscriminantProjection::builtIn());
    if (chosen->inputDimension() == dimension) return chosen;
    problem = QStringLiteral("the learned projection takes embeddings of %1 dimensions, and this recipe makes %2; "
                             "it is left out (fit one for this recipe with 'lookbook-cli fit-projection')")
                  .arg(chosen->inputDimension()).arg(dimension);
    return {};
}

} // namespace

RowMatrix SearchSpace::refine(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                              const DiscriminantProjection *projection, QThreadPool *pool)
{
    RowMatrix refined;
    if (projection) refined = projection->apply(store.vectors(), recipe.projectionWeight);
    if (recipe.augmentNeighbours > 0 && store.size() > 0) {
        const RowMatrixView base = projection ? RowMatrixView(refined.data(), refined.rows(), refined.cols())
                                              : store.vectors();
        refined = augment(base, recipe.augmentNeighbours, EmbeddingRecipe::kNeighbourPower, pool);
    }
    return refined;
}

SearchSpace::SearchSpace(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                         std::shared_ptr<const DiscriminantProjection> projection, QThreadPool *pool, Speed speed)
    : m_store(&store),
      m_recipe(recipe),
      m_projection(chooseProjection(recipe, store.dimension(), std::move(projection), m_problem)),
      m_pool(pool),
      m_owned(refine(store, recipe, m_projection.get(), pool)),
      // Refined rows have the projection's extra columns, also when there are none.
      m_searchable(m_projection || m_owned.size() > 0 ? RowMatrixView(m_owned.data(), m_owned.rows(), m_owned.cols())
                                                      : store.vectors())
{
    if (speed == Speed::Full && size() >= kCoarseFromItems)
        m_coarse = std::make_unique<const CoarseIndex>(m_searchable, CoarseIndex::Options{}, pool);
}

RowMatrix SearchSpace::prepare(const RowMatrix &embeddings) const
{
    if (!m_projection) return embeddings;
    return m_projection->apply(RowMatrixView(embeddings.data(), embeddings.rows(), embeddings.cols()),
                               m_recipe.projectionWeight);
}

Eigen::RowVectorXf SearchSpace::itemQuery(int item) const
{
    return prepare(RowMatrix(m_store->vector(item))).row(0);
}

Eigen::RowVectorXf SearchSpace::expand(const Eigen::RowVectorXf &query, const std::vector<SearchHit> &hits) const
{
    Eigen::RowVectorXf expanded = query;
    addWeighted(expanded, m_searchable, hits, EmbeddingRecipe::kNeighbourPower);
    return expanded / std::max(expanded.norm(), kNormFloor);
}

std::vector<SearchHit> SearchSpace::search(const Eigen::RowVectorXf &query, const SearchRequest &request) const
{
    const Searcher searcher = this->searcher();
    if (m_recipe.expansionNeighbours <= 0) return searcher.search(query, request);
    SearchRequest first = request;
    first.k = m_recipe.expansionNeighbours;
    return searcher.search(expand(query, searcher.search(query, first)), request);
}

std::vector<std::vector<SearchHit>> SearchSpace::searchMany(const RowMatrix &queries, int k,
                                                            const std::vector<int> &excludeItems) const
{
    const Searcher searcher(m_searchable, m_pool);
    if (m_recipe.expansionNeighbours <= 0) return searcher.searchMany(queries, k, excludeItems);
    const auto first = searcher.searchMany(queries, m_recipe.expansionNeighbours, excludeItems);
    RowMatrix expanded(queries.rows(), queries.cols());
    for (Eigen::Index q = 0; q < queries.rows(); ++q) expanded.row(q) = expand(queries.row(q), first[size_t(q)]);
    return searcher.searchMany(expanded, k, excludeItems);
}

RowMatrix SearchSpace::augment(const RowMatrixView &rows, int neighbours, float power, QThreadPool *pool)
{
    // Every row's own neighbours, itself included (its self-similarity is 1).
    std::vector<std::vector<SearchHit>> hits;
    if (rows.rows() >= kCoarseFromItems) {
        const CoarseIndex coarse(rows, CoarseIndex::Options{}, pool);
        const Searcher searcher(rows, nullptr, &coarse); // one thread per query, the rows in parallel
        hits.resize(size_t(rows.rows()));
        std::vector<int> firstRows;
        for (int b = 0; b < int(rows.rows()); b += 256) firstRows.push_back(b);
        QtConcurrent::blockingMap(pool, firstRows, [&](int first) {
            for (int i = first; i < std::min(int(rows.rows()), first + 256); ++i)
                hits[size_t(i)] = searcher.search(rows.row(i), {neighbours});
        });
    } else {
        hits = Searcher(rows, pool).searchMany(RowMatrix(rows), neighbours);
    }
    RowMatrix augmented = RowMatrix::Zero(rows.rows(), rows.cols());
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
        addWeighted(augmented.row(i), rows, hits[size_t(i)], power);
        augmented.row(i) /= std::max(augmented.row(i).norm(), kNormFloor);
    }
    return augmented;
}

} // namespace lookbook
