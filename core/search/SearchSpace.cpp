#include "SearchSpace.h"

#include "Searcher.h"

#include "ParallelBlocks.h"
#include "ByteStreams.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>


#include <algorithm>
#include <cmath>
#include <numeric>

namespace lookbook {

namespace {

constexpr float kNormFloor = 1e-12f;
constexpr int kNeighbourRowsPerTask = 256;

// The saved space (docs/cache-format.md): like the cache, a preamble with a JSON header,
// the binary parts, then a checksum of all of it and an end marker.
constexpr char kSpaceMagic[8] = {'L', 'O', 'O', 'K', 'S', 'P', 'C', 'E'};
constexpr char kSpaceEnd[8] = {'L', 'K', 'S', 'P', 'E', 'N', 'D', '1'};
constexpr quint32 kSpaceVersion = 1;
constexpr qsizetype kSpaceFooterBytes = sizeof(quint64) + sizeof kSpaceEnd;

// The store's rows with the recipe's block scales and nothing computed yet.
SpaceRows plainRowsFor(const EmbeddingStore &store, const DiscriminantProjection *projection, float weight)
{
    if (!projection) return SpaceRows(store.rows());
    const auto scales = DiscriminantProjection::scalesFor(weight);
    return SpaceRows(store.rows(), RowMatrix(), scales.embedding, scales.projected);
}

SpaceRows rowsFor(const EmbeddingStore &store, const DiscriminantProjection *projection, float weight,
                  QThreadPool *pool, const std::atomic_bool *cancel)
{
    if (!projection) return plainRowsFor(store, projection, weight);
    // Every row through the projection: seconds at 44k items on one core, so in blocks.
    constexpr Eigen::Index kRowsPerTask = 4096;
    const RowMatrixView rows = store.vectors();
    RowMatrix projected(rows.rows(), projection->outputDimension());
    forEachBlock(rows.rows(), kRowsPerTask, pool, [&](int, Eigen::Index first, Eigen::Index end) {
        if (cancel && cancel->load()) return; // the space is thrown away
        projected.middleRows(first, end - first) = projection->project(RowMatrixView(rows.data() + first * rows.cols(), end - first, rows.cols()));
    });
    const auto scales = DiscriminantProjection::scalesFor(weight);
    return SpaceRows(store.rows(), std::move(projected), scales.embedding, scales.projected);
}

// Each row first (its own score), then its k - 1 nearest allowed other rows: the neighbour
// lists of an augmentation that may mix only the allowed items into other rows. Exact scans
// in blocks of rows for small catalogs, a coarse index from kCoarseFromItems rows on.
std::vector<std::vector<SearchHit>> nearestAllowed(const SpaceRows &rows, int k, const std::vector<char> &allowed,
                                                   QThreadPool *pool)
{
    const int count = int(rows.rows());
    std::vector<std::vector<SearchHit>> hits(static_cast<size_t>(count));
    std::unique_ptr<const CoarseIndex> coarse;
    if (count >= SearchSpace::kCoarseFromItems) coarse = std::make_unique<const CoarseIndex>(rows, CoarseIndex::Options{}, pool);
    // The blocks run in parallel already: each one searches on its own thread.
    const Searcher searcher(rows, coarse.get(), nullptr);
    forEachBlock(count, kNeighbourRowsPerTask, pool, [&](int, int first, int last) {
        const RowMatrix queries = rows.rowRange(first, last);
        std::vector<int> themselves(size_t(last - first));
        std::iota(themselves.begin(), themselves.end(), first);
        const auto others = k > 1 && !coarse ? searcher.searchMany(queries, k - 1, themselves, &allowed)
                                             : std::vector<std::vector<SearchHit>>();
        for (int i = first; i < last; ++i) {
            const auto query = queries.row(i - first);
            std::vector<SearchHit> list{{i, query.squaredNorm()}};
            if (k > 1) {
                const auto nearest = coarse ? searcher.searchNearItem(i, query, {k - 1, i, &allowed}) : others[size_t(i - first)];
                list.insert(list.end(), nearest.begin(), nearest.end());
            }
            hits[size_t(i)] = std::move(list);
        }
    });
    return hits;
}

} // namespace

std::shared_ptr<const DiscriminantProjection> SearchSpace::projectionFor(const EmbeddingRecipe &recipe, int dimension,
                                                                         std::shared_ptr<const DiscriminantProjection> given,
                                                                         QString *problem)
{
    if (recipe.projectionWeight <= 0) return {};
    // The built-in projection lives for the whole program; share it without owning it.
    auto chosen = given ? std::move(given)
                        : std::shared_ptr<const DiscriminantProjection>(std::shared_ptr<void>(),
                                                                        &DiscriminantProjection::builtIn());
    if (chosen->inputDimension() == dimension) return chosen;
    if (problem)
        *problem = QStringLiteral("the learned projection takes embeddings of %1 dimensions, and this recipe makes %2; "
                                  "it is left out (fit one for this recipe with 'lookbook-cli fit-projection')")
                       .arg(chosen->inputDimension())
                       .arg(dimension);
    return {};
}

SearchSpace::SearchSpace(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                         std::shared_ptr<const DiscriminantProjection> projection, QThreadPool *pool, Speed speed,
                         QThreadPool *buildPool, const std::vector<char> *neighbourItems, const std::atomic_bool *cancel)
    : m_store(&store),
      m_recipe(recipe),
      m_projection(projectionFor(recipe, store.dimension(), std::move(projection), &m_problem)),
      m_pool(pool),
      m_rows(rowsFor(store, m_projection.get(), recipe.projectionWeight, buildPool ? buildPool : pool, cancel)),
      m_neighboursMasked(neighbourItems != nullptr)
{
    Q_ASSERT(!neighbourItems || Eigen::Index(neighbourItems->size()) == m_rows.rows());
    QThreadPool *const builder = buildPool ? buildPool : pool;
    // Checked between the steps too: a step begun is finished, the rest skipped.
    const auto stopped = [cancel] { return cancel && cancel->load(); };
    if (recipe.augmentNeighbours > 0 && size() > 0 && !stopped()) {
        auto neighbours = nearestNeighbours(m_rows, recipe.augmentNeighbours, builder, neighbourItems, cancel);
        if (!stopped()) m_rows.mixNeighbours(neighbours, EmbeddingRecipe::kNeighbourPower);
    }
    if (speed == Speed::Full && size() >= kCoarseFromItems && !stopped())
        m_coarse = std::make_unique<const CoarseIndex>(m_rows, CoarseIndex::Options{}, builder);
    // The build read every row of a mapped cache through the mapping; searches copy the
    // rows they read (SpaceRows), so those pages need not stay counted as the app's.
    m_rows.releasePages();
    m_cancelled = stopped();
}

SearchSpace::SearchSpace(const EmbeddingStore &store, const EmbeddingRecipe &recipe,
                         std::shared_ptr<const DiscriminantProjection> projection, QThreadPool *pool, Unbuilt)
    : m_store(&store),
      m_recipe(recipe),
      m_projection(projectionFor(recipe, store.dimension(), std::move(projection), &m_problem)),
      m_pool(pool),
      m_rows(plainRowsFor(store, m_projection.get(), recipe.projectionWeight))
{
}

QJsonObject SearchSpace::fileHeader() const
{
    auto hex = [](quint64 v) { return QString::number(v, 16); };
    return {{QStringLiteral("store_checksum"), hex(m_store->fileChecksum().value_or(0))},
            {QStringLiteral("items"), size()},
            {QStringLiteral("dimension"), m_store->dimension()},
            {QStringLiteral("recipe"), m_recipe.id()},
            {QStringLiteral("projection"), m_projection ? hex(m_projection->fingerprint()) : QStringLiteral("none")},
            {QStringLiteral("coarse"), hasCoarseIndex()}};
}

Status SearchSpace::save(const QString &path) const
{
    if (!m_store->fileChecksum() || m_neighboursMasked)
        return Status::failure(QStringLiteral("only a search space of a catalog as loaded from its cache is saved"));
    if (m_cancelled) return Status::failure(QStringLiteral("a search space whose build was cancelled is not saved"));
    QByteArray bytes;
    format::ByteWriter w(bytes);
    w.putPreamble(QByteArrayView(kSpaceMagic, sizeof kSpaceMagic), kSpaceVersion,
                  QJsonDocument(fileHeader()).toJson(QJsonDocument::Compact));
    m_rows.write(w);
    if (m_coarse) m_coarse->write(w);
    w.put<quint64>(format::checksum(bytes.constData(), bytes.size()));
    w.putBytes(QByteArray(kSpaceEnd, sizeof kSpaceEnd));

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Status::failure(QStringLiteral("cannot write the search space %1: %2")
                                   .arg(QDir::toNativeSeparators(path), file.errorString()));
    return success();
}

Expected<std::unique_ptr<SearchSpace>> SearchSpace::load(const QString &path, const EmbeddingStore &store,
                                                         const EmbeddingRecipe &recipe,
                                                         std::shared_ptr<const DiscriminantProjection> projection,
                                                         QThreadPool *pool)
{
    using Result = Expected<std::unique_ptr<SearchSpace>>;
    if (!store.fileChecksum()) return Result::failure(QStringLiteral("the catalog's rows are not those of its saved cache"));
    QFile file(path);
    if (!file.exists()) return Result::failure(QStringLiteral("no search space is saved"));
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("the saved search space cannot be read: %1").arg(file.errorString()));
    const QByteArray bytes = file.readAll();
    const qsizetype n = bytes.size() - kSpaceFooterBytes;
    if (n <= 0 || !bytes.endsWith(QByteArrayView(kSpaceEnd, sizeof kSpaceEnd)))
        return Result::failure(QStringLiteral("the saved search space is truncated"));
    quint64 storedSum = 0;
    std::memcpy(&storedSum, bytes.constData() + n, sizeof storedSum);
    if (format::checksum(bytes.constData(), n) != storedSum)
        return Result::failure(QStringLiteral("the saved search space is damaged (checksum mismatch)"));

    format::ByteReader r(bytes.constData(), n);
    if (r.getBytes(sizeof kSpaceMagic) != QByteArray(kSpaceMagic, sizeof kSpaceMagic) || r.get<quint32>() != kSpaceVersion)
        return Result::failure(QStringLiteral("the saved search space is of another format"));
    const auto headerBytes = r.get<quint32>();
    const QJsonObject header = QJsonDocument::fromJson(r.getBytes(qsizetype(headerBytes))).object();
    std::unique_ptr<SearchSpace> space(new SearchSpace(store, recipe, std::move(projection), pool, Unbuilt{}));
    QJsonObject expected = space->fileHeader();
    expected.remove(QStringLiteral("coarse")); // what was saved, not what it must be
    for (auto it = expected.begin(); it != expected.end(); ++it)
        if (header.value(it.key()) != it.value())
            return Result::failure(QStringLiteral("the saved search space is of another %1").arg(it.key()));
    // The projected block must be as wide as the projection makes queries: searches read
    // rows and queries in step (a fuzzed file with another width overflowed them).
    const Eigen::Index projectedCols = space->m_projection ? space->m_projection->outputDimension() : 0;
    if (!r.ok() || !space->m_rows.read(r) || space->dimension() != store.dimension() + projectedCols)
        return Result::failure(QStringLiteral("the saved search space's rows do not fit its catalog"));
    if (header.value(QStringLiteral("coarse")).toBool()) {
        space->m_coarse = CoarseIndex::read(r, space->size(), space->dimension());
        if (!space->m_coarse) return Result::failure(QStringLiteral("the saved search space's coarse index does not fit its catalog"));
    }
    if (r.remaining() != 0) return Result::failure(QStringLiteral("the saved search space has bytes left over"));
    return space;
}

std::unique_ptr<SearchSpace> SearchSpace::openOrBuild(const QString &savedPath, const EmbeddingStore &store,
                                                      const EmbeddingRecipe &recipe,
                                                      std::shared_ptr<const DiscriminantProjection> projection)
{
    if (auto saved = load(savedPath, store, recipe, projection)) return std::move(*saved);
    auto built = std::make_unique<SearchSpace>(store, recipe, std::move(projection));
    // Not saving only costs the next command a rebuild.
    if (store.fileChecksum()) (void)built->save(savedPath);
    return built;
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
    return Searcher(m_rows, m_coarse.get(), m_pool).search(query, request);
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
    const Searcher exact(m_rows, nullptr, m_pool);
    if (m_recipe.expansionNeighbours <= 0) return exact.searchMany(queries, k, excludeItems);
    const auto first = exact.searchMany(queries, m_recipe.expansionNeighbours, excludeItems);
    RowMatrix expanded(queries.rows(), queries.cols());
    for (Eigen::Index q = 0; q < queries.rows(); ++q) expanded.row(q) = expand(queries.row(q), first[size_t(q)]);
    return exact.searchMany(expanded, k, excludeItems);
}

std::vector<std::vector<SearchHit>> SearchSpace::nearestNeighbours(const SpaceRows &rows, int k, QThreadPool *pool,
                                                                   const std::vector<char> *allowed,
                                                                   const std::atomic_bool *cancel)
{
    if (allowed) return nearestAllowed(rows, k, *allowed, pool);
    // Small catalogs: all pairs as matrix products. Large ones: a coarse index over the
    // rows, each row's shortlist re-scored exactly; all pairs would take minutes at 44k items.
    const int count = int(rows.rows());
    if (count < kCoarseFromItems) {
        // The rows materialised once, so that the products are of the rows as a matrix.
        const RowMatrix dense = rows.rowRange(0, count);
        const SpaceRows denseRows(RowMatrixView(dense.data(), dense.rows(), dense.cols()));
        return Searcher(denseRows, nullptr, pool).searchMany(dense, k);
    }
    const CoarseIndex coarse(rows, CoarseIndex::Options{}, pool);
    // The blocks run in parallel already: each one searches on its own thread.
    const Searcher searcher(rows, &coarse, nullptr);
    std::vector<std::vector<SearchHit>> hits(static_cast<size_t>(count));
    forEachBlock(count, kNeighbourRowsPerTask, pool, [&](int, int first, int last) {
        if (cancel && cancel->load()) return;
        const RowMatrix queries = rows.rowRange(first, last);
        for (int i = first; i < last; ++i) hits[size_t(i)] = searcher.searchNearItem(i, queries.row(i - first), {k});
    });
    return hits;
}

RowMatrix SearchSpace::augment(const RowMatrixView &rows, int neighbours, float power, QThreadPool *pool)
{
    SpaceRows space(rows);
    space.mixNeighbours(nearestNeighbours(space, neighbours, pool), power);
    return space.rowRange(0, space.rows());
}

} // namespace lookbook
