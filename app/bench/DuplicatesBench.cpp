#include "DuplicatesBench.h"

#include "BenchSupport.h"
#include "NearDuplicateFinder.h"
#include "ParallelBlocks.h"
#include "SearchSpace.h"
#include "SimilarityJoin.h"
#include "SpaceRows.h"

#include <QFileInfo>

#include <algorithm>
#include <ctime>
#include <optional>

namespace lookbook::bench {

namespace {

constexpr int kPlantedPairs = 400;   // half exact copies, half moved to a cosine of about 0.99
constexpr int kSampledRows = 1000;   // rows whose exact nearest neighbour is the reference
constexpr float kMovedNoise = 0.14f; // |noise| of a moved copy: cosine ~ 1 / sqrt(1 + 0.14^2) = 0.990
constexpr float kThreshold = NearDuplicateFinder::kDefaultThreshold;

// Wall and processor seconds of run(): on a machine shared with other work the wall clock
// says little about the code.
struct Timing {
    double seconds = 0, cpuSeconds = 0;
};
Timing timed(const std::function<void()> &run)
{
    const std::clock_t cpuBefore = std::clock();
    Timing t;
    t.seconds = secondsOf(run);
    t.cpuSeconds = double(std::clock() - cpuBefore) / CLOCKS_PER_SEC;
    return t;
}

QString describe(const Timing &t) { return QStringLiteral("%1 s (%2 s of processor time)").arg(t.seconds, 0, 'f', 2).arg(t.cpuSeconds, 0, 'f', 1); }

// The join with several widths of its compressed rows: time and how many pairs it had to
// bound on all axes and to score exactly.
void compareWidths(const RowMatrixView &rows)
{
    for (const auto &[screen, width] : {std::pair{32, 128}, std::pair{64, 128}, std::pair{128, 128}, std::pair{32, 256}, std::pair{64, 256}}) {
        SimilarityJoin::Options options;
        options.dimensions = width;
        options.screenDimensions = screen;
        SimilarityJoin::Counts counts;
        const Timing t = timed([&] { SimilarityJoin(kThreshold, options).bestAboveFloor(rows, {}, nullptr, &counts); });
        const double items = double(rows.rows());
        out() << QStringLiteral("  %1 of %2 axes: %3; tile pairs %4 compared, %5 skipped; per item %6 pairs bounded on all axes, %7 scored exactly; %8 pairs at or above %9\n")
                     .arg(screen).arg(width).arg(describe(t)).arg(counts.tilePairs).arg(counts.tilePairsSkipped)
                     .arg(double(counts.screened) / items, 0, 'f', 1).arg(double(counts.candidates) / items, 0, 'f', 1)
                     .arg(counts.pairs).arg(double(kThreshold), 0, 'f', 2);
    }
}

void printGroupings(const NearDuplicates &found)
{
    for (const float threshold : {0.95f, 0.97f, 0.99f}) {
        const auto groups = NearDuplicateFinder::group(found.nearest, threshold);
        out() << QStringLiteral("  threshold %1: %2 groups, %3 items\n")
                     .arg(double(threshold), 0, 'f', 2).arg(groups.size()).arg(NearDuplicates::itemsIn(groups));
    }
}

// Pairs spread through the rows: the row `stride` after an original becomes its copy, exact
// (even pairs) or moved along a direction unrelated to the catalog's rows (odd pairs).
std::vector<std::pair<int, int>> plantCopies(RowMatrix &rows)
{
    const RowMatrix noise = syntheticRows(baseRows({}, int(rows.cols())), kPlantedPairs, 3);
    std::vector<std::pair<int, int>> planted;
    const int stride = int(rows.rows()) / (2 * kPlantedPairs);
    for (int p = 0; p < kPlantedPairs; ++p) {
        const int original = 2 * p * stride, copy = original + stride;
        rows.row(copy) = rows.row(original);
        if (p % 2 == 1) rows.row(copy) = (rows.row(copy) + kMovedNoise * noise.row(p)).normalized();
        planted.emplace_back(original, copy);
    }
    return planted;
}

// Half the sample from the planted pairs (every copy, then originals), half rows spread
// through the catalog that are in no planted pair: a sample of rows with no near-duplicate
// only would say little about the finder.
std::vector<int> sampleRows(Eigen::Index count, const std::vector<std::pair<int, int>> &planted)
{
    std::vector<int> sample, inPairs;
    for (int i = 0; i < kSampledRows / 2; ++i) {
        const auto &[original, copy] = planted[size_t(i) % planted.size()];
        sample.push_back(i < int(planted.size()) ? copy : original);
    }
    for (const auto &[original, copy] : planted) inPairs.insert(inPairs.end(), {original, copy});
    std::sort(inPairs.begin(), inPairs.end());
    for (int s = 0; int(sample.size()) < kSampledRows; ++s) {
        const int row = int((std::int64_t(s) * count) / (kSampledRows / 2) + 1) % int(count);
        if (!std::binary_search(inPairs.begin(), inPairs.end(), row)) sample.push_back(row);
    }
    return sample;
}

struct Agreement {
    int agreeing = 0, above = 0;          // all sampled rows
    int plantedAgreeing = 0, planted = 0; // the half from planted pairs
    double seconds = 0;
};

// Each sampled row's exact nearest other row, by matrix products in blocks on the same pool
// (and so the same threads) as the finder: the finder must name that row when it reaches
// the threshold, and none otherwise.
Agreement agreeWithExact(const RowMatrix &rows, const NearDuplicates &found, const std::vector<int> &sample)
{
    constexpr int kQueriesPerProduct = 100; // 100 x 44k scores: 18 MB
    const int blocks = (int(sample.size()) + kQueriesPerProduct - 1) / kQueriesPerProduct;
    std::vector<Agreement> perBlock(static_cast<size_t>(blocks));
    Agreement total;
    total.seconds = secondsOf([&] {
        forEachBlock(int(sample.size()), kQueriesPerProduct, pools::search(), [&](int block, int first, int end) {
            RowMatrix queries(end - first, rows.cols());
            for (int s = first; s < end; ++s) queries.row(s - first) = rows.row(sample[size_t(s)]);
            const Eigen::MatrixXf scores = queries * rows.transpose();
            Agreement &a = perBlock[size_t(block)];
            for (int s = first; s < end; ++s) {
                Eigen::VectorXf row = scores.row(s - first).transpose();
                row[sample[size_t(s)]] = -2;
                Eigen::Index best = 0;
                const int expected = row.maxCoeff(&best) >= kThreshold ? int(best) : -1;
                const bool agrees = found.nearest[size_t(sample[size_t(s)])].item == expected;
                a.above += expected >= 0 ? 1 : 0;
                a.agreeing += agrees ? 1 : 0;
                if (s < kSampledRows / 2) {
                    ++a.planted;
                    a.plantedAgreeing += agrees ? 1 : 0;
                }
            }
        });
    });
    for (const Agreement &a : perBlock) {
        total.agreeing += a.agreeing;
        total.above += a.above;
        total.planted += a.planted;
        total.plantedAgreeing += a.plantedAgreeing;
    }
    return total;
}

// The finder on `rows` with planted copies, checked against exact search on a sample; with
// `compareBefore`, also its widths and the method it replaced.
void withPlantedCopies(RowMatrix rows, const QString &label, bool compareBefore)
{
    const std::vector<std::pair<int, int>> planted = plantCopies(rows);
    const RowMatrixView view(rows.data(), rows.rows(), rows.cols());
    std::optional<NearDuplicates> found;
    const Timing after = timed([&] { found = NearDuplicateFinder().find(view); });
    int foundPairs = 0;
    for (const auto &[original, copy] : planted)
        for (const DuplicateGroup &g : found->groups)
            if (std::binary_search(g.items.begin(), g.items.end(), original) && std::binary_search(g.items.begin(), g.items.end(), copy))
                ++foundPairs;
    out() << QStringLiteral("[%1] finder (threshold %2) %3 for %4 items; %5 groups, %6 items; planted pairs found %7 of %8\n")
                 .arg(label)
                 .arg(double(kThreshold), 0, 'f', 2)
                 .arg(describe(after))
                 .arg(rows.rows())
                 .arg(found->groups.size())
                 .arg(found->duplicateItems())
                 .arg(foundPairs)
                 .arg(kPlantedPairs);
    printGroupings(*found);
    if (compareBefore) compareWidths(view);

    const Agreement a = agreeWithExact(rows, *found, sampleRows(rows.rows(), planted));
    const double allPairsSeconds = a.seconds * double(rows.rows()) / kSampledRows;
    const int threads = pools::search()->maxThreadCount();
    out() << QStringLiteral("[%1] finder agrees with exact search on %2 of %3 sampled rows: %4 of the %5 from planted pairs, "
                            "%6 of the %7 others (%8 sampled rows have a near-duplicate)\n")
                 .arg(label)
                 .arg(a.agreeing)
                 .arg(kSampledRows)
                 .arg(a.plantedAgreeing)
                 .arg(a.planted)
                 .arg(a.agreeing - a.plantedAgreeing)
                 .arg(kSampledRows - a.planted)
                 .arg(a.above)
          << QStringLiteral("[%1] exact all pairs by Eigen products on the same %2 threads, extrapolated from the sample: %3 s "
                            "(%4x the finder's wall time)\n")
                 .arg(label)
                 .arg(threads)
                 .arg(allPairsSeconds, 0, 'f', 0)
                 .arg(allPairsSeconds / after.seconds, 0, 'f', 1);
    if (compareBefore) {
        // The method the finder replaced: each item's nearest other item through the coarse
        // index of a search space, shortlists re-scored exactly.
        const SpaceRows plain(view);
        const Timing before = timed([&] { SearchSpace::nearestNeighbours(plain, 2, pools::search()); });
        out() << QStringLiteral(
                     "[%1] before (nearest neighbours through the coarse index): %2; the finder takes %3x less wall time\n")
                     .arg(label, describe(before))
                     .arg(before.seconds / after.seconds, 0, 'f', 1);
    }
    out().flush();
}

} // namespace

int runDuplicatesBench(const DuplicatesBenchOptions &options)
{
    out() << QStringLiteral(
                 "== duplicates: %1 planted pairs, %2 threads in the search pool (the finder and the exact search); %3\n")
                 .arg(kPlantedPairs)
                 .arg(pools::search()->maxThreadCount())
                 .arg(loadLine());
    QString source;
    const RowMatrix base = baseRows(options.cache, options.dimension, &source);
    if (!options.cache.isEmpty()) {
        const QString real = QStringLiteral("real rows of %1").arg(QFileInfo(options.cache).fileName());
        // The real rows alone: what a catalog of that size costs.
        const RowMatrixView view(base.data(), base.rows(), base.cols());
        std::optional<NearDuplicates> found;
        const Timing t = timed([&] { found = NearDuplicateFinder().find(view); });
        out() << QStringLiteral("[%1] finder %2 for %3 items; %4 groups, %5 items\n")
                     .arg(real, describe(t))
                     .arg(base.rows())
                     .arg(found->groups.size())
                     .arg(found->duplicateItems());
        compareWidths(view);
        withPlantedCopies(base, real + QStringLiteral(" with planted copies"), false);
    }
    const QString synthetic = QStringLiteral("%1 synthetic rows mixed from %2").arg(options.items).arg(source);
    withPlantedCopies(syntheticRows(base, options.items, 1), synthetic, true);
    return 0;
}

} // namespace lookbook::bench
