#pragma once
// What the benchmarks share: clocks, printing, resident memory, and synthetic embeddings
// that look like real ones (derived from a real cache when there is one).

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

// Resident set of this process, from /proc/self/status (0 where there is none).
double residentMb();
// Its anonymous and file-backed parts, as /proc/self/status words them.
QString residentParts();

// `count` L2-normalised rows of `dimension` columns that are mixtures of the `base` rows
// plus noise, so that they have the neighbour structure of real embeddings (a random
// vector in 2,048 dimensions has no near neighbours at all). Deterministic for a seed.
RowMatrix syntheticRows(const RowMatrix &base, Eigen::Index count, unsigned seed);
// Base rows: the first `dimension` columns of a cache's rows (renormalised), or low-rank
// Gaussian rows when `cachePath` is empty.
RowMatrix baseRows(const QString &cachePath, int dimension);

// Indices of the top k of exact fp32 scores (the reference for recall).
std::vector<int> exactTopK(const Eigen::VectorXf &scores, int k);
// Fraction of `reference` found in `found`.
double recall(const std::vector<int> &reference, const std::vector<int> &found);

} // namespace lookbook::bench
