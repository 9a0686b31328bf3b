#include "SearchBench.h"

#include "BenchSupport.h"
#include "CatalogBench.h"
#include "Searcher.h"

#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <sys/mman.h>

#include <limits>
#include <optional>

namespace lookbook::bench {

namespace {

constexpr int kTop = 5;

struct Comparison {
    double baselineMs = 0; // single-threaded Eigen fp32 matrix-vector product + top 5
    double exactMs = 0;    // the product's exact search (blocks on the pool)
    double coarseMs = 0;   // the product's search with the coarse index
    double coarseRecall = 0;
    double exactRecall = 0;
};

// Queries, and for each the item it must not find (itself, when it is a catalog row; -1).
struct QuerySet {
    RowMatrix rows;
    std::vector<int> excluded;
    int excludedOf(Eigen::Index q) const { return excluded.empty() ? -1 : excluded[size_t(q)]; }
};

std::vector<std::vector<int>> referenceTops(const RowMatrixView &rows, const QuerySet &set)
{
    const RowMatrix &queries = set.rows;
    std::vector<std::vector<int>> tops;
    // One matrix product per block of rows keeps the reference fast at a million rows too.
    constexpr Eigen::Index kBlock = 65536;
    std::vector<std::vector<std::pair<float, int>>> best(size_t(queries.rows()));
    for (Eigen::Index b = 0; b < rows.rows(); b += kBlock) {
        const Eigen::Index n = std::min(kBlock, rows.rows() - b);
        const Eigen::MatrixXf scores = queries * rows.middleRows(b, n).transpose();
        for (Eigen::Index q = 0; q < queries.rows(); ++q) {
            Eigen::VectorXf s = scores.row(q).transpose();
            if (const int own = set.excludedOf(q) - int(b); own >= 0 && own < n) s[own] = -std::numeric_limits<float>::infinity();
            for (int item : exactTopK(s, kTop)) best[size_t(q)].emplace_back(s[item], int(b + item));
        }
    }
    for (auto &candidates : best) {
        std::sort(candidates.begin(), candidates.end(),
                  [](const auto &a, const auto &c) { return a.first > c.first || (a.first == c.first && a.second < c.second); });
        std::vector<int> top;
        for (int i = 0; i < kTop && i < int(candidates.size()); ++i) top.push_back(candidates[size_t(i)].second);
        tops.push_back(top);
    }
    return tops;
}

std::vector<int> itemsOf(const std::vector<SearchHit> &hits)
{
    std::vector<int> items;
    for (const SearchHit &h : hits) items.push_back(h.item);
    return items;
}

double meanRecall(const Searcher &searcher, const QuerySet &set, const std::vector<std::vector<int>> &reference)
{
    double sum = 0;
    for (Eigen::Index q = 0; q < set.rows.rows(); ++q)
        sum += recall(reference[size_t(q)], itemsOf(searcher.search(set.rows.row(q), {kTop, set.excludedOf(q)})));
    return sum / double(set.rows.rows());
}

double searchMs(const Searcher &searcher, const QuerySet &set)
{
    return medianMs(int(set.rows.rows()), [&](int q) { searcher.search(set.rows.row(q), {kTop, set.excludedOf(q)}); });
}

CoarseIndex buildCoarse(const RowMatrixView &rows, const SearchBenchOptions &options)
{
    std::optional<CoarseIndex> built;
    const double seconds = secondsOf([&] { built.emplace(rows, options.coarse, pools::search()); });
    CoarseIndex index = std::move(*built);
    out() << QStringLiteral("coarse index: %1 dimensions, shortlist %2, %3 MB, built in %4 s\n")
                 .arg(index.dimensions()).arg(index.shortlistSize())
                 .arg(double(index.bytes()) / 1e6, 0, 'f', 1).arg(seconds, 0, 'f', 2);
    out().flush();
    return index;
}

// The plain rows in memory (no projection, no colour): the single-thread baseline, the
// exact search on the pool and the coarse index, each against the exact top 5.
void comparePlain(const RowMatrix &rows, const QuerySet &set, const SearchBenchOptions &options, const QString &label)
{
    out() << QStringLiteral("-- %1: %2 x %3 fp32 in memory (%4 MB), %5 queries; %6\n")
                 .arg(label)
                 .arg(rows.rows())
                 .arg(rows.cols())
                 .arg(double(rows.size()) * 4 / 1e6, 0, 'f', 0)
                 .arg(set.rows.rows())
                 .arg(loadLine());
    out().flush();
    const RowMatrixView view(rows.data(), rows.rows(), rows.cols());
    // The rows as a search space without projection or mixing holds them: what SearchSpace
    // searches, through the same Searcher.
    const SpaceRows space(view);
    const auto reference = referenceTops(view, set);
    Comparison c;
    c.baselineMs = medianMs(int(set.rows.rows()), [&](int q) {
        Eigen::VectorXf scores = rows * set.rows.row(q).transpose();
        if (const int own = set.excludedOf(q); own >= 0) scores[own] = -std::numeric_limits<float>::infinity();
        exactTopK(scores, kTop);
    });
    const Searcher exact(space);
    c.exactMs = searchMs(exact, set);
    c.exactRecall = meanRecall(exact, set, reference);
    const double before = residentMb();
    const CoarseIndex coarse = buildCoarse(view, options);
    const double coarseResident = residentMb() - before;
    const Searcher fast(space, &coarse);
    c.coarseMs = searchMs(fast, set);
    c.coarseRecall = meanRecall(fast, set, reference);
    out() << QStringLiteral("  [%1] single-thread Eigen fp32 GEMV + top 5: %2 ms/query\n").arg(label).arg(c.baselineMs, 0, 'f', 2)
          << QStringLiteral("  [%1] exact search on the pool:             %2 ms/query  (%3x the baseline), recall@5 %4\n")
                 .arg(label)
                 .arg(c.exactMs, 0, 'f', 2)
                 .arg(c.baselineMs / c.exactMs, 0, 'f', 2)
                 .arg(c.exactRecall, 0, 'f', 4)
          << QStringLiteral("  [%1] coarse int8 + exact re-score:         %2 ms/query  (%3x the baseline), recall@5 %4\n")
                 .arg(label)
                 .arg(c.coarseMs, 0, 'f', 2)
                 .arg(c.baselineMs / c.coarseMs, 0, 'f', 2)
                 .arg(c.coarseRecall, 0, 'f', 4)
          << QStringLiteral("  resident growth for the coarse index: %1 MB\n").arg(coarseResident, 0, 'f', 1);
    out().flush();
}

// Rows of the matrix itself as queries, each excluding its own row ("more like this").
QuerySet ownRows(const RowMatrix &rows, int count)
{
    QuerySet set;
    count = std::min<int>(count, int(rows.rows()));
    set.rows.resize(count, rows.cols());
    for (int q = 0; q < count; ++q) {
        set.excluded.push_back(int((std::int64_t(q) * rows.rows() + rows.rows() / 2) / count));
        set.rows.row(q) = rows.row(set.excluded.back());
    }
    return set;
}

} // namespace

int runSearchBench(const SearchBenchOptions &options)
{
    out() << QStringLiteral("== search: %1 queries, %2 threads in the search pool; %3\n")
                 .arg(options.queries)
                 .arg(pools::search()->maxThreadCount())
                 .arg(loadLine());
    QString source;
    const RowMatrix base = baseRows(options.cache, options.dimension, &source);
    const RowMatrix rows = syntheticRows(base, options.items, 1);
    comparePlain(rows, {syntheticRows(base, options.queries, 2), {}}, options,
                 QStringLiteral("synthetic rows mixed from %1").arg(source));
    if (options.cache.isEmpty()) return 0;
    // The real rows themselves: a catalog's own neighbour structure, not mixtures of a few
    // thousand rows (an easy case for principal axes and a coarse index).
    const QString real = QStringLiteral("real rows of %1").arg(QFileInfo(options.cache).fileName());
    comparePlain(base, ownRows(base, options.queries), options, real + QStringLiteral(" (first 2048 floats)"));
    if (options.catalog.isEmpty()) return 0;
    CatalogBenchOptions catalog;
    catalog.root = options.catalog;
    catalog.cache = options.cache;
    catalog.rowsLabel = real;
    catalog.queries = options.queries;
    if (options.recipe) catalog.recipe = *options.recipe;
    return runCatalogBench(catalog);
}

int runMillionBench(const SearchBenchOptions &options, const QString &workFile)
{
    out() << QStringLiteral("== search at scale: %1 items x %2 dimensions, %3 queries; %4\n")
                 .arg(options.items)
                 .arg(options.dimension)
                 .arg(options.queries)
                 .arg(loadLine());
    const RowMatrix base = baseRows(options.cache, options.dimension);
    const QuerySet set{syntheticRows(base, options.queries, 2), {}};
    const RowMatrix &queries = set.rows;
    // The full-precision rows live in a file and are memory-mapped, as a cache would be:
    // only the pages a search touches become resident.
    QFile file(workFile);
    if (!file.open(QIODevice::ReadWrite | QIODevice::Truncate)) {
        out() << "cannot write " << workFile << ": " << file.errorString() << "\n";
        return 1;
    }
    const double writeSeconds = secondsOf([&] {
        constexpr Eigen::Index kChunk = 50000;
        for (Eigen::Index b = 0; b < options.items; b += kChunk) {
            const RowMatrix chunk = syntheticRows(base, std::min<Eigen::Index>(kChunk, options.items - b), 100 + unsigned(b / kChunk));
            file.write(reinterpret_cast<const char *>(chunk.data()), qint64(chunk.size()) * 4);
        }
        file.flush();
    });
    const qint64 bytes = qint64(options.items) * options.dimension * 4;
    uchar *mapped = file.map(0, bytes);
    if (!mapped) {
        out() << "cannot map " << workFile << "\n";
        return 1;
    }
    // Rows are read one by one at random: without this, every page fault would read around
    // megabytes around the row (this machine's read-ahead is 8 MB).
    madvise(mapped, size_t(bytes), MADV_RANDOM);
    const RowMatrixView view(reinterpret_cast<const float *>(mapped), options.items, options.dimension);
    out() << QStringLiteral("wrote and mapped %1 GB of fp32 rows in %2 s\n").arg(double(bytes) / 1e9, 0, 'f', 2).arg(writeSeconds, 0, 'f', 1);
    out().flush();

    std::vector<std::vector<int>> reference;
    const double referenceSeconds = secondsOf([&] { reference = referenceTops(view, set); });
    const double exactOneMs = medianMs(3, [&](int q) {
        const Eigen::VectorXf scores = view * queries.row(q).transpose();
        exactTopK(scores, kTop);
    });
    const CoarseIndex coarse = buildCoarse(view, options);
    // Drop the pages the build read, so that what stays resident is what a search needs.
    madvise(mapped, size_t(bytes), MADV_DONTNEED);
    const double restingMb = residentMb();
    // Re-scored rows are copied out of the file (pread), not read through the mapping.
    const SpaceRows space(RowSource(view, file.handle(), 0, mapped, size_t(bytes)));
    const Searcher fast(space, &coarse);
    const double ms = searchMs(fast, set);
    const double r = meanRecall(fast, set, reference);
    const double scanMs = medianMs(int(queries.rows()), [&](int q) { coarse.shortlist(queries.row(q), {kTop}, coarse.shortlistSize(), pools::search()); });
    out() << QStringLiteral("exact reference for %1 queries: %2 s; one exact single-thread GEMV + top 5: %3 ms\n")
                 .arg(options.queries).arg(referenceSeconds, 0, 'f', 1).arg(exactOneMs, 0, 'f', 1)
          << QStringLiteral("coarse int8 + exact re-score: %1 ms/query (%2x the exact GEMV), recall@5 %3; the scan alone %4 ms\n")
                 .arg(ms, 0, 'f', 2).arg(exactOneMs / ms, 0, 'f', 1).arg(r, 0, 'f', 4).arg(scanMs, 0, 'f', 2)
          << QStringLiteral("resident: %1 MB after the index was built (codes %2 MB); after the searches %3 MB (%4)\n")
                 .arg(restingMb, 0, 'f', 0).arg(double(coarse.bytes()) / 1e6, 0, 'f', 0).arg(residentMb(), 0, 'f', 0)
                 .arg(residentParts());
    out().flush();
    file.unmap(mapped);
    file.remove();
    return 0;
}

} // namespace lookbook::bench
