#include "SimilarityJoin.h"

#include "ParallelBlocks.h"
#include "PrincipalAxes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lookbook {

namespace {

constexpr int kRowsPerProjectionBlock = 1024; // 12 MB of centred rows at 3,072 columns
constexpr int kProjectionBlocksPerSlice = 4;  // between two progress reports
// Float rounding in the compressed rows (sums of 2,048 products) is around 1e-6; the bound
// is widened far beyond it, so that rounding can never hide a pair.
constexpr float kBoundMargin = 1e-3f;
constexpr double kResidualFloor = 1e-5; // added to |r|^2 before the square root, for the same reason
// Tile pairs handed to the pool between two progress reports and cancellation checks.
constexpr int kTilePairsPerSlice = 8;

// The compressed rows, sorted by their first principal coordinate.
struct CompressedRows {
    std::vector<int> item;             // sorted position -> row of the source
    RowMatrix screen;                  // p on the first axes, one row per sorted position
    RowMatrix tail;                    // p on the other axes
    std::vector<float> screenResidual; // |u - p on the first axes|
    std::vector<float> residual;       // |r| = |u - p|
    std::vector<float> offset;         // c = m.x - m.m / 2
    float largestSquaredNorm = 0;
};

// `projectedRows(done)` is called on the calling thread between slices of rows; a
// cancellation leaves the rows half made (the caller checks it and drops them).
CompressedRows compress(const RowSource &rows, const SimilarityJoin::Options &options, QThreadPool *pool,
                        const std::function<void(Eigen::Index)> &projectedRows, const std::function<bool()> &cancelled)
{
    const Eigen::Index count = rows.rows();
    const Eigen::Index step = std::max<Eigen::Index>(1, count / std::max(1, options.sampleRows));
    std::vector<int> sampled;
    for (Eigen::Index i = 0; i < count; i += step) sampled.push_back(int(i));
    RowMatrix sample;
    rows.gather(sampled, sample);
    const Eigen::RowVectorXf mean = sample.colwise().mean();
    const Eigen::MatrixXf centred = sample.rowwise() - mean;
    sample = RowMatrix();
    const RowMatrix axes = principalAxes(centred, options.dimensions, options.powerIterations, pool);
    const float meanSquared = mean.squaredNorm();

    RowMatrix projected(count, axes.cols());
    std::vector<double> residualSquared(static_cast<size_t>(count));
    std::vector<float> offset(static_cast<size_t>(count));
    std::vector<float> squaredNorms(static_cast<size_t>(count));
    auto project = [&](Eigen::Index begin, Eigen::Index end) {
        const auto block = rows.view().middleRows(begin, end - begin);
        // |u|^2 as a sum of squares, not as |x|^2 - 2 m.x + m.m: no cancellation.
        const RowMatrix centredRows = block.rowwise() - mean;
        projected.middleRows(begin, end - begin) = centredRows * axes;
        const Eigen::VectorXf onMean = block * mean.transpose();
        for (Eigen::Index i = begin; i < end; ++i) {
            residualSquared[size_t(i)] = double(centredRows.row(i - begin).squaredNorm()) - double(projected.row(i).squaredNorm());
            offset[size_t(i)] = onMean[i - begin] - meanSquared / 2;
            squaredNorms[size_t(i)] = block.row(i - begin).squaredNorm();
        }
    };
    const Eigen::Index slice = kProjectionBlocksPerSlice * kRowsPerProjectionBlock;
    for (Eigen::Index first = 0; first < count && !cancelled(); first += slice) {
        const Eigen::Index end = std::min(count, first + slice);
        forEachBlock(end - first, Eigen::Index(kRowsPerProjectionBlock), pool,
                     [&](int, Eigen::Index begin, Eigen::Index last) { project(first + begin, first + last); });
        projectedRows(end);
    }
    rows.releasePages();

    CompressedRows compressed;
    compressed.item.resize(size_t(count));
    std::iota(compressed.item.begin(), compressed.item.end(), 0);
    std::stable_sort(compressed.item.begin(), compressed.item.end(),
                     [&](int a, int b) { return projected(a, 0) < projected(b, 0); });
    const Eigen::Index screenWidth = options.screenDimensions;
    const Eigen::Index tailWidth = projected.cols() - screenWidth;
    compressed.screen.resize(count, screenWidth);
    compressed.tail.resize(count, tailWidth);
    compressed.screenResidual.resize(size_t(count));
    compressed.residual.resize(size_t(count));
    compressed.offset.resize(size_t(count));
    for (Eigen::Index s = 0; s < count; ++s) {
        const int i = compressed.item[size_t(s)];
        compressed.screen.row(s) = projected.row(i).head(screenWidth);
        compressed.tail.row(s) = projected.row(i).tail(tailWidth);
        const double residual = std::max(0.0, residualSquared[size_t(i)]);
        compressed.residual[size_t(s)] = float(std::sqrt(residual + kResidualFloor));
        compressed.screenResidual[size_t(s)] =
            float(std::sqrt(residual + compressed.tail.row(s).cast<double>().squaredNorm() + kResidualFloor));
        compressed.offset[size_t(s)] = offset[size_t(i)];
    }
    compressed.largestSquaredNorm = count > 0 ? *std::max_element(squaredNorms.begin(), squaredNorms.end()) : 0.0f;
    return compressed;
}

struct TilePair {
    Eigen::Index first, second; // tile indices, first <= second
};

using FoundPair = SimilarityJoin::Pair; // rows of the source

// Tiles of sorted positions; a tile's first-axis range is [first row, last row].
struct Tiling {
    Eigen::Index rows;
    Eigen::Index tile;
    Eigen::Index count() const { return (rows + tile - 1) / tile; }
    Eigen::Index firstOf(Eigen::Index t) const { return t * tile; }
    Eigen::Index endOf(Eigen::Index t) const { return std::min(rows, (t + 1) * tile); }
};

// The pairs of tiles whose first-axis ranges come within the reach of a pair at the floor.
std::vector<TilePair> tilePairsInReach(const CompressedRows &compressed, const Tiling &tiling, float floor)
{
    const float reach = float(std::sqrt(std::max(0.0, 2.0 * compressed.largestSquaredNorm - 2.0 * floor))) + kBoundMargin;
    std::vector<TilePair> tilePairs;
    for (Eigen::Index t = 0; t < tiling.count(); ++t) {
        const float highest = compressed.screen(tiling.endOf(t) - 1, 0);
        for (Eigen::Index u = t; u < tiling.count(); ++u) {
            if (compressed.screen(tiling.firstOf(u), 0) - highest > reach) break; // and every later tile
            tilePairs.push_back({t, u});
        }
    }
    return tilePairs;
}

// What comparing one pair of tiles found.
struct TilePairResult {
    std::vector<FoundPair> found;
    qint64 screened = 0;
    qint64 candidates = 0;
};

using Positions = std::vector<std::pair<Eigen::Index, Eigen::Index>>; // pairs of sorted positions

// Candidates of each row of tile t among tile u's: through the bound on the first axes,
// then the bound on all of them (adds to `screened` the pairs that passed the first).
Positions boundedPairs(const CompressedRows &compressed, const Tiling &tiling, TilePair tiles, float bar,
                       qint64 &screened)
{
    const Eigen::Index t = tiles.first, u = tiles.second;
    const Eigen::Index a0 = tiling.firstOf(t), b0 = tiling.firstOf(u);
    const Eigen::Index rowsA = tiling.endOf(t) - a0, rowsB = tiling.endOf(u) - b0;
    // Row-major, so that a row of tile t reads its scores with tile u contiguously.
    const RowMatrix products = compressed.screen.middleRows(a0, rowsA) * compressed.screen.middleRows(b0, rowsB).transpose();
    const Eigen::Map<const Eigen::RowVectorXf> residualB(compressed.screenResidual.data() + b0, rowsB);
    const Eigen::Map<const Eigen::RowVectorXf> offsetB(compressed.offset.data() + b0, rowsB);
    Positions pairs;
    Eigen::RowVectorXf bounds(rowsB);
    for (Eigen::Index a = a0; a < tiling.endOf(t); ++a) {
        bounds = products.row(a - a0) + compressed.screenResidual[size_t(a)] * residualB + offsetB;
        const float need = bar - compressed.offset[size_t(a)];
        const float residualA = compressed.residual[size_t(a)];
        for (Eigen::Index b = (t == u ? a + 1 : b0); b < tiling.endOf(u); ++b) {
            if (bounds[b - b0] < need) continue;
            ++screened;
            const float bound = products(a - a0, b - b0) + compressed.tail.row(a).dot(compressed.tail.row(b))
                                + residualA * compressed.residual[size_t(b)] + offsetB[b - b0];
            if (bound >= need) pairs.emplace_back(a, b);
        }
    }
    return pairs;
}

// The candidates scored exactly on the source's rows, each row read once for the tile pair
// (a cache file's rows one by one with pread; at low thresholds a row is in hundreds of
// candidate pairs, and reading it for each took most of the time). Those at the floor.
std::vector<FoundPair> exactPairsAtFloor(const RowSource &rows, const CompressedRows &compressed, const Tiling &tiling,
                                         TilePair tiles, const Positions &pairs, float floor)
{
    const Eigen::Index t = tiles.first, u = tiles.second;
    const Eigen::Index a0 = tiling.firstOf(t), b0 = tiling.firstOf(u);
    const Eigen::Index rowsA = tiling.endOf(t) - a0, rowsB = tiling.endOf(u) - b0;
    std::vector<int> local(size_t(rowsA + rowsB), -1); // tile t's positions, then tile u's
    auto slot = [&](Eigen::Index p) -> int & { return local[size_t(p >= b0 && t != u ? rowsA + p - b0 : p - a0)]; };
    std::vector<int> needed;
    for (const auto &[a, b] : pairs)
        for (const Eigen::Index p : {a, b})
            if (int &at = slot(p); at < 0) {
                at = int(needed.size());
                needed.push_back(compressed.item[size_t(p)]);
            }
    RowMatrix full;
    rows.gather(needed, full);
    std::vector<FoundPair> found;
    for (const auto &[a, b] : pairs) {
        const float score = full.row(slot(a)).dot(full.row(slot(b)));
        const int ra = compressed.item[size_t(a)], rb = compressed.item[size_t(b)];
        if (score >= floor) found.push_back({std::min(ra, rb), std::max(ra, rb), score});
    }
    return found;
}

TilePairResult compareTiles(const RowSource &rows, const CompressedRows &compressed, const Tiling &tiling,
                            TilePair tiles, float floor)
{
    TilePairResult result;
    const Positions pairs = boundedPairs(compressed, tiling, tiles, floor - kBoundMargin, result.screened);
    result.candidates = qint64(pairs.size());
    if (!pairs.empty()) result.found = exactPairsAtFloor(rows, compressed, tiling, tiles, pairs, floor);
    return result;
}

// Keeps the better of `best` and (item, score) as a row's most similar: a higher score,
// then a lower row.
void offer(SearchHit &best, int item, float score)
{
    if (best.item < 0 || score > best.score || (score == best.score && item < best.item)) best = {item, score};
}

} // namespace

SimilarityJoin::SimilarityJoin(float floor, const Options &options, QThreadPool *pool)
    : m_floor(floor), m_options(options), m_pool(pool)
{
    m_options.rowsPerTile = std::max(1, m_options.rowsPerTile);
    m_options.dimensions = std::max(1, m_options.dimensions);
    m_options.screenDimensions = std::clamp(m_options.screenDimensions, 1, m_options.dimensions); // tiles sort on axis 0
    m_options.sampleRows = std::max(1, m_options.sampleRows);
}

std::optional<std::vector<SearchHit>> SimilarityJoin::bestAboveFloor(const RowSource &rows, const Progress &progress,
                                                                     const std::atomic_bool *cancel,
                                                                     Counts *counts) const
{
    const auto pairs = pairsAboveFloor(rows, progress, cancel, counts);
    if (!pairs) return std::nullopt;
    std::vector<SearchHit> best(size_t(rows.rows()), SearchHit{-1, 0.0f});
    for (const Pair &pair : *pairs) {
        offer(best[size_t(pair.a)], pair.b, pair.score);
        offer(best[size_t(pair.b)], pair.a, pair.score);
    }
    return best;
}

std::optional<std::vector<SimilarityJoin::Pair>> SimilarityJoin::pairsAboveFloor(const RowSource &rows,
                                                                                 const Progress &progress,
                                                                                 const std::atomic_bool *cancel,
                                                                                 Counts *counts) const
{
    auto cancelled = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
    const Eigen::Index count = rows.rows();
    std::vector<Pair> all;
    Counts tally;
    if (cancelled()) return std::nullopt;
    if (count < 2) {
        if (counts) *counts = tally;
        return all;
    }
    // Progress in proportion to the multiply-adds: projecting a row costs columns x axes,
    // a tile pair tile^2 x first axes. The tile pairs are known once the rows are sorted;
    // until then all of them are assumed, so the count never goes back.
    const Tiling tiling{count, Eigen::Index(m_options.rowsPerTile)};
    const Eigen::Index tiles = tiling.count();
    const double rowWork = double(rows.cols()) * m_options.dimensions;
    const double tilePairWork = double(tiling.tile) * double(tiling.tile) * m_options.screenDimensions;
    auto report = [&](double done, double whole) {
        if (progress && !cancelled()) progress(int(double(count) * std::min(1.0, done / whole)), int(count));
    };
    const double allPairsWork = tilePairWork * double(tiles * (tiles + 1) / 2);
    const CompressedRows compressed = compress(rows, m_options, m_pool, [&](Eigen::Index done) {
        report(rowWork * double(done), rowWork * double(count) + allPairsWork);
    }, cancelled);
    if (cancelled()) return std::nullopt;

    const std::vector<TilePair> tilePairs = tilePairsInReach(compressed, tiling, m_floor);
    tally.tilePairs = qint64(tilePairs.size());
    tally.tilePairsSkipped = qint64(tiles * (tiles + 1) / 2) - tally.tilePairs;

    std::vector<TilePairResult> results(tilePairs.size());
    const int total = int(tilePairs.size());
    for (int first = 0; first < total && !cancelled(); first += kTilePairsPerSlice) {
        const int end = std::min(total, first + kTilePairsPerSlice);
        forEachBlock(end - first, 1, m_pool, [&](int, int begin, int) {
            const size_t index = size_t(first + begin);
            if (!cancelled()) results[index] = compareTiles(rows, compressed, tiling, tilePairs[index], m_floor);
        });
        report(rowWork * double(count) + tilePairWork * end, rowWork * double(count) + tilePairWork * total);
    }
    if (cancelled()) return std::nullopt;

    // In tile-pair order, each pair once: the same result for any number of threads.
    for (const TilePairResult &result : results) {
        tally.screened += result.screened;
        tally.candidates += result.candidates;
        tally.pairs += qint64(result.found.size());
        all.insert(all.end(), result.found.begin(), result.found.end());
    }
    if (counts) *counts = tally;
    return all;
}

} // namespace lookbook
