#include "DuplicatesBench.h"

#include "BenchSupport.h"
#include "NearDuplicateFinder.h"
#include "SearchSpace.h"
#include "SimilarityJoin.h"
#include "SpaceRows.h"

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

} // namespace

int runDuplicatesBench(const DuplicatesBenchOptions &options)
{
    out() << QStringLiteral("== duplicates: %1 items x %2 dimensions, %3 planted pairs, %4 threads in the search pool\n")
                 .arg(options.items).arg(options.dimension).arg(kPlantedPairs).arg(pools::search()->maxThreadCount());
    const RowMatrix base = baseRows(options.cache, options.dimension);
    if (!options.cache.isEmpty()) {
        // The real rows alone: what a catalog of that size costs.
        const RowMatrixView real(base.data(), base.rows(), base.cols());
        std::optional<NearDuplicates> found;
        const Timing t = timed([&] { found = NearDuplicateFinder().find(real); });
        out() << QStringLiteral("real rows (%1 items): finder %2; %3 groups, %4 items\n")
                     .arg(base.rows()).arg(describe(t)).arg(found->groups.size()).arg(found->duplicateItems());
        compareWidths(real);
    }

    RowMatrix rows = syntheticRows(base, options.items, 1);
    // Pairs spread through the catalog: the row `stride` after an original becomes its copy,
    // exact or moved along a direction unrelated to the catalog's rows.
    const RowMatrix noise = syntheticRows(baseRows({}, options.dimension), kPlantedPairs, 3);
    std::vector<std::pair<int, int>> planted;
    const int stride = options.items / (2 * kPlantedPairs);
    for (int p = 0; p < kPlantedPairs; ++p) {
        const int original = 2 * p * stride, copy = original + stride;
        rows.row(copy) = rows.row(original);
        if (p % 2 == 1) rows.row(copy) = (rows.row(copy) + kMovedNoise * noise.row(p)).normalized();
        planted.emplace_back(original, copy);
    }
    const RowMatrixView view(rows.data(), rows.rows(), rows.cols());

    std::optional<NearDuplicates> found;
    const Timing after = timed([&] { found = NearDuplicateFinder().find(view); });
    int foundPairs = 0;
    for (const auto &[original, copy] : planted)
        for (const DuplicateGroup &g : found->groups)
            if (std::binary_search(g.items.begin(), g.items.end(), original) && std::binary_search(g.items.begin(), g.items.end(), copy))
                ++foundPairs;
    out() << QStringLiteral("synthetic rows: finder (threshold %1) %2 for %3 items; %4 groups, %5 items; planted pairs found %6 of %7\n")
                 .arg(double(kThreshold), 0, 'f', 2).arg(describe(after)).arg(options.items)
                 .arg(found->groups.size()).arg(found->duplicateItems()).arg(foundPairs).arg(kPlantedPairs);
    printGroupings(*found);
    compareWidths(view);

    // The exact nearest other row of sampled rows, by matrix products: the reference for
    // the finder (the same item when it reaches the threshold, none otherwise), and what
    // all pairs would cost.
    std::vector<int> sample;
    for (int s = 0; s < kSampledRows; ++s) sample.push_back(int(std::int64_t(s) * options.items / kSampledRows) + 1);
    RowMatrix queries(kSampledRows, rows.cols());
    for (int s = 0; s < kSampledRows; ++s) queries.row(s) = rows.row(sample[size_t(s)]);
    int agreeing = 0, above = 0;
    const double exactSeconds = secondsOf([&] {
        constexpr int kQueriesPerProduct = 100; // 100 x 44k scores: 18 MB
        for (int first = 0; first < kSampledRows; first += kQueriesPerProduct) {
            const Eigen::MatrixXf scores = queries.middleRows(first, kQueriesPerProduct) * rows.transpose();
            for (int s = first; s < first + kQueriesPerProduct; ++s) {
                Eigen::VectorXf row = scores.row(s - first).transpose();
                row[sample[size_t(s)]] = -2;
                Eigen::Index best = 0;
                const float score = row.maxCoeff(&best);
                const int expected = score >= kThreshold ? int(best) : -1;
                above += expected >= 0 ? 1 : 0;
                agreeing += found->nearest[size_t(sample[size_t(s)])].item == expected ? 1 : 0;
            }
        }
    });
    const double allPairsSeconds = exactSeconds * options.items / kSampledRows;
    out() << QStringLiteral("finder agrees with exact search on %1 of %2 sampled rows (%3 of them have a near-duplicate)\n")
                 .arg(agreeing).arg(kSampledRows).arg(above)
          << QStringLiteral("exact all pairs by single-thread Eigen products, extrapolated from the sample: %1 s (%2x the finder's wall time)\n")
                 .arg(allPairsSeconds, 0, 'f', 0).arg(allPairsSeconds / after.seconds, 0, 'f', 1);

    // The method the finder replaced: each item's nearest other item through the coarse
    // index of a search space, shortlists re-scored exactly.
    const SpaceRows plain(view);
    const Timing before = timed([&] { SearchSpace::nearestNeighbours(plain, 2, pools::search()); });
    out() << QStringLiteral("before (nearest neighbours through the coarse index): %1; the finder takes %2x less wall time\n")
                 .arg(describe(before)).arg(before.seconds / after.seconds, 0, 'f', 1);
    out().flush();
    return 0;
}

} // namespace lookbook::bench
