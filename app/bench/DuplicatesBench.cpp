#include "DuplicatesBench.h"

#include "BenchSupport.h"
#include "NearDuplicates.h"

#include <algorithm>
#include <ctime>
#include <optional>

namespace lookbook::bench {

namespace {

constexpr int kPlantedPairs = 400;   // half exact copies, half moved to a cosine of about 0.99
constexpr int kSampledRows = 1000;   // rows whose exact nearest neighbour is the reference
constexpr float kMovedNoise = 0.14f; // |noise| of a moved copy: cosine ~ 1 / sqrt(1 + 0.14^2) = 0.990

} // namespace

int runDuplicatesBench(const DuplicatesBenchOptions &options)
{
    out() << QStringLiteral("== duplicates: %1 items x %2 dimensions, %3 planted pairs, %4 threads in the search pool\n")
                 .arg(options.items).arg(options.dimension).arg(kPlantedPairs).arg(Searcher::pool()->maxThreadCount());
    RowMatrix rows = syntheticRows(baseRows(options.cache, options.dimension), options.items, 1);
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
    // Processor time beside the wall clock: on a machine shared with other work the wall
    // clock says little about the finder.
    const std::clock_t cpuBefore = std::clock();
    const double seconds = secondsOf([&] { found = NearDuplicateFinder().find(view); });
    const double cpuSeconds = double(std::clock() - cpuBefore) / CLOCKS_PER_SEC;
    int foundPairs = 0;
    for (const auto &[original, copy] : planted)
        for (const DuplicateGroup &g : found->groups)
            if (std::binary_search(g.items.begin(), g.items.end(), original) && std::binary_search(g.items.begin(), g.items.end(), copy))
                ++foundPairs;

    // The exact nearest other row of sampled rows, by matrix products: the reference for
    // the finder's nearest, and what all pairs would cost.
    std::vector<int> sample;
    for (int s = 0; s < kSampledRows; ++s) sample.push_back(int(std::int64_t(s) * options.items / kSampledRows) + 1);
    RowMatrix queries(kSampledRows, rows.cols());
    for (int s = 0; s < kSampledRows; ++s) queries.row(s) = rows.row(sample[size_t(s)]);
    int sameNearest = 0;
    const double exactSeconds = secondsOf([&] {
        constexpr int kQueriesPerProduct = 100; // 100 x 44k scores: 18 MB
        for (int first = 0; first < kSampledRows; first += kQueriesPerProduct) {
            const Eigen::MatrixXf scores = queries.middleRows(first, kQueriesPerProduct) * rows.transpose();
            for (int s = first; s < first + kQueriesPerProduct; ++s) {
                Eigen::VectorXf row = scores.row(s - first).transpose();
                row[sample[size_t(s)]] = -2;
                Eigen::Index best = 0;
                row.maxCoeff(&best);
                sameNearest += found->nearest[size_t(sample[size_t(s)])].item == int(best) ? 1 : 0;
            }
        }
    });
    const double allPairsSeconds = exactSeconds * options.items / kSampledRows;

    out() << QStringLiteral("finder (default threshold %1): %2 s (%3 s of processor time) for %4 items; %5 groups, %6 items; planted pairs found %7 of %8\n")
                 .arg(double(NearDuplicateFinder::kDefaultThreshold), 0, 'f', 2).arg(seconds, 0, 'f', 1).arg(cpuSeconds, 0, 'f', 1).arg(options.items)
                 .arg(found->groups.size()).arg(found->duplicateItems()).arg(foundPairs).arg(kPlantedPairs)
          << QStringLiteral("nearest other item equal to the exact one for %1 of %2 sampled rows\n").arg(sameNearest).arg(kSampledRows)
          << QStringLiteral("exact all pairs by single-thread Eigen products, extrapolated from the sample: %1 s (%2x the finder's wall time)\n")
                 .arg(allPairsSeconds, 0, 'f', 0).arg(allPairsSeconds / seconds, 0, 'f', 1);
    for (const float threshold : {0.9f, 0.95f, 0.98f}) {
        const auto groups = NearDuplicateFinder::group(found->nearest, threshold);
        int items = 0;
        for (const DuplicateGroup &g : groups) items += int(g.items.size());
        out() << QStringLiteral("  threshold %1: %2 groups, %3 items\n").arg(double(threshold), 0, 'f', 2).arg(groups.size()).arg(items);
    }
    out().flush();
    return 0;
}

} // namespace lookbook::bench
