#include "SearchSpace.h"

#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace lookbook {

namespace {

constexpr float kNormFloor = 1e-12f;
constexpr int kNeighbourRowsPerTask = 256;

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

SpaceRows rowsFor(const EmbeddingStore &store, const DiscriminantProjection *projection, float weight,
                  QThreadPool *pool)
{
    if (!projection) return SpaceRows(store.rows(), RowMatrix(), 1.0f, 0.0f);
    // Every row through the projection: seconds at 44k items on one core, so in blocks.
    constexpr Eigen::Index kRowsPerTask = 4096;
    const RowMatrixView rows = store.vectors();
    RowMatrix projected(rows.rows(), projection->outputDimension());
    std::vector<Eigen::Index> firsts;
    for (Eigen::Index b = 0; b < rows.rows(); b += kRowsPerTask) firsts.push_back(b);
    QtConcurrent::blockingMap(pool, firsts, [&](Eigen::Index first) {
        const Eigen::Index n = std::min(kRowsPerTask, rows.rows() - first);
        projected.middleRows(first, n) = projection->project(RowMatrixView(rows.data() + first * rows.cols(), n, rows.cols()));
    });
    const auto scales = DiscriminantProjection::scalesFor(weight);
    return SpaceRows(store.rows(), std::move(projected), scales.embedding, scales.projected);
}

// Every row's k nearest rows, itself included (its self-similarity is 1). Small catalogs:
// all pairs as matrix products. Large ones: a coarse index over the rows, each row's
// shortlist re-scored exactly; all pairs would take minutes at 44k items.
std::vector<std::vector<SearchHit>> nearestNeighbours(const SpaceRows &rows, int k, QThreadPool *pool)
{
    const int count = int(rows.rows());
    if (count < SearchSpace::kCoarseFromItems) {
        const RowMatrix dense = rows.block(0, count);
        return Searcher(RowMatrixView(dense.data(), dense.rows(), dense.cols()), pool).searchMany(dense, k);
    }
    const CoarseIndex coarse(rows, CoarseIndex::Options{}, pool);
    std::vector<std::vector<SearchHit>> hits(static_cast<size_t>(count));
    std::vector<int> firsts;
    for (int b = 0; b < count; b += kNeighbourRowsPerTask) firsts.push_back(b);
    QtConcurrent::blockingMap(pool, firsts, [&](int first) {
        const int last = std::min(count, first + kNeighbourRowsPerTask);
        const RowMatrix queries = rows.block(first, last);
        for (int i = first; i < last; ++i) {
            const auto query = queries.row(i - first);
            TopK top(k);
            for (int item : coarse.shortlistForItem(i, {k}, std::max(k, coarse.shortlistSize()), nullptr))
                top.offer(item, rows.score(item, query));
            hits[size_t(i)] = top.take();
        }
    });
    return hits;
}

} // namespace

SearchSpace::SearchSpace(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                         std::shared_ptr<const DiscriminantProjection> projection, QThreadPool *pool, Speed speed,
                         QThreadPool *buildPool)
    : m_store(&store),
      m_recipe(recipe),
      m_projection(chooseProjection(recipe, store.dimension(), std::move(projection), m_problem)),
      m_pool(pool),
      m_rows(rowsFor(store, m_projection.get(), recipe.projectionWeight, buildPool ? buildPool : pool))
{
    QThreadPool *const builder = buildPool ? buildPool : pool;
    if (recipe.augmentNeighbours > 0 && size() > 0)
        m_rows.mixNeighbours(nearestNeighbours(m_rows, recipe.augmentNeighbours, builder), EmbeddingRecipe::kNeighbourPower);
    if (speed == Speed::Full && size() >= kCoarseFromItems)
        m_coarse = std::make_unique<const CoarseIndex>(m_rows, CoarseIndex::Options{}, builder);
    // The build read every row of a mapped cache through the mapping; searches copy the
    // rows they read (SpaceRows), so those pages need not stay counted as the app's.
    m_rows.releasePages();
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
    for (const SearchHit &hit : hits)
        expanded += std::pow(std::max(hit.score, 0.0f), EmbeddingRecipe::kNeighbourPower) * m_rows.row(hit.item);
    return expanded / std::max(expanded.norm(), kNormFloor);
}

std::vector<SearchHit> SearchSpace::rank(const Eigen::RowVectorXf &query, const SearchRequest &request) const
{
    TopK top(request.k);
    auto allowed = [&](int item) {
        return item != request.excludeItem && (!request.allowed || (*request.allowed)[size_t(item)]);
    };
    if (m_coarse) {
        const std::vector<int> shortlist = m_coarse->shortlist(query, request, std::max(request.k, m_coarse->shortlistSize()), m_pool);
        const std::vector<float> scores = m_rows.scoreItems(shortlist, query);
        for (size_t i = 0; i < shortlist.size(); ++i) top.offer(shortlist[i], scores[i]);
    } else {
        const Eigen::VectorXf scores = m_rows.scoreAll(query, m_pool);
        for (int item = 0; item < int(scores.size()); ++item)
            if (allowed(item)) top.offer(item, scores[item]);
    }
    return top.take();
}

std::vector<SearchHit> SearchSpace::search(const Eigen::RowVectorXf &query, const SearchRequest &request) const
{
    Q_ASSERT(query.size() == dimension());
    if (m_recipe.expansionNeighbours <= 0) return rank(query, request);
    SearchRequest first = request;
    first.k = m_recipe.expansionNeighbours;
    return rank(expand(query, rank(query, first)), request);
}

std::vector<std::vector<SearchHit>> SearchSpace::searchMany(const RowMatrix &queries, int k,
                                                            const std::vector<int> &excludeItems) const
{
    Q_ASSERT(queries.cols() == dimension());
    Q_ASSERT(excludeItems.empty() || Eigen::Index(excludeItems.size()) == queries.rows());
    auto topOf = [&](const RowMatrix &batch, int count) {
        // Blocks of queries keep the score matrix to a few MB.
        constexpr Eigen::Index kQueriesPerBlock = 256;
        std::vector<std::vector<SearchHit>> results(size_t(batch.rows()));
        std::vector<Eigen::Index> firsts;
        for (Eigen::Index b = 0; b < batch.rows(); b += kQueriesPerBlock) firsts.push_back(b);
        QtConcurrent::blockingMap(m_pool, firsts, [&](Eigen::Index first) {
            const Eigen::Index n = std::min(kQueriesPerBlock, batch.rows() - first);
            const Eigen::MatrixXf scores = m_rows.scoreAll(RowMatrix(batch.middleRows(first, n)));
            for (Eigen::Index q = 0; q < n; ++q) {
                const int exclude = excludeItems.empty() ? -1 : excludeItems[size_t(first + q)];
                TopK top(count);
                for (Eigen::Index i = 0; i < scores.cols(); ++i)
                    if (i != exclude) top.offer(int(i), scores(q, i));
                results[size_t(first + q)] = top.take();
            }
        });
        return results;
    };
    if (m_recipe.expansionNeighbours <= 0) return topOf(queries, k);
    const auto first = topOf(queries, m_recipe.expansionNeighbours);
    RowMatrix expanded(queries.rows(), queries.cols());
    for (Eigen::Index q = 0; q < queries.rows(); ++q) expanded.row(q) = expand(queries.row(q), first[size_t(q)]);
    return topOf(expanded, k);
}

RowMatrix SearchSpace::augment(const RowMatrixView &rows, int neighbours, float power, QThreadPool *pool)
{
    SpaceRows space(rows, RowMatrix(), 1.0f, 0.0f);
    space.mixNeighbours(nearestNeighbours(space, neighbours, pool), power);
    return space.block(0, space.rows());
}

} // namespace lookbook
