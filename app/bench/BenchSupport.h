#pragma once
// What the benchmarks share: clocks, printing, resident memory, the machine's load, cold
// and warm runs, and synthetic embeddings that look like real ones (derived from a real
// cache when there is one).

#include "EmbeddingModel.h"

#include <QString>
#include <QTextStream>

#include <chrono>
#include <functional>
#include <vector>

namespace lookbook::bench {

QTextStream &out();

// Median milliseconds of `repeats` calls of `run`, after one warm-up call.
double medianMs(int repeats, const std::function<void(int repeat)> &run);
double secondsOf(const std::function<void()> &run);

// Milliseconds since `start`.
double msSince(std::chrono::steady_clock::time_point start);

// The load averages of this machine (/proc/loadavg), printed with every run: it is shared,
// and a figure measured under load says so.
QString loadLine();

// Drops a cache and the files beside it (cacheFiles) from the kernel's page cache, so that
// the next read of them comes from the disk: what a catalog opened after a reboot, or after
// other work pushed it out, reads. Works without root (posix_fadvise POSIX_FADV_DONTNEED,
// after fdatasync so that freshly written pages can go too). Pages that a live mapping holds
// stay; the share of the cache file still in the page cache afterwards is returned
// (mincore), so that a cold figure shows it was one.
double evictFromPageCache(const QString &cachePath);

// Milliseconds of each stage of one run (one stage for most).
using Stages = std::vector<double>;
// `repeats` pairs of runs: run(r) with the cache evicted first, then run(r) again warm, so
// that each cold figure has its warm one from the same moment. `letGo`, when given, runs
// before each eviction: it drops the pages that an open store's mapping holds (an exact
// scan reads through it), which no eviction can take away.
struct WarmCold {
    std::vector<Stages> cold, warm;
    double stillCached = 0; // the largest share of the cache file left cached by an eviction
};
WarmCold warmAndCold(const QString &cachePath, int repeats, const std::function<Stages(int repeat)> &run,
                     const std::function<void()> &letGo = {});
// "warm 12.3 ms (11.0-13.1), cold 80.1 ms (70.2-90.3): cold / warm 6.5x" for one stage: medians,
// ranges, and the median of the paired ratios.
QString describeWarmCold(const WarmCold &runs, size_t stage = 0);
// The median of one stage over runs (0 without runs).
double medianOf(const std::vector<Stages> &runs, size_t stage = 0);

// Resident set of this process, from /proc/self/status (0 where there is none).
double residentMb();
// Its anonymous and file-backed parts, as /proc/self/status words them.
QString residentParts();

// `count` L2-normalised rows of `dimension` columns that are mixtures of the `base` rows
// plus noise, so that they have the neighbour structure of real embeddings (a random
// vector in 2,048 dimensions has no near neighbours at all). Deterministic for a seed.
RowMatrix syntheticRows(const RowMatrix &base, Eigen::Index count, unsigned seed);
// Base rows: the first `dimension` columns of a cache's rows (renormalised), or low-rank
// Gaussian rows when `cachePath` is empty. `source`, when given, says which ("the 3000 real
// rows of subset.lbi"), for the labels of the figures.
RowMatrix baseRows(const QString &cachePath, int dimension, QString *source = nullptr);

// Indices of the top k of exact fp32 scores (the reference for recall).
std::vector<int> exactTopK(const Eigen::VectorXf &scores, int k);
// Fraction of `reference` found in `found`.
double recall(const std::vector<int> &reference, const std::vector<int> &found);

} // namespace lookbook::bench
