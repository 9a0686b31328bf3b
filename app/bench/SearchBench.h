#pragma once
// Search benchmarks: the product's search against a single-threaded Eigen fp32
// matrix-vector product over the same matrix, with top-5 recall against exact fp32.

#include "CoarseIndex.h"

#include <QString>

namespace lookbook::bench {

struct SearchBenchOptions {
    QString cache;  // real rows to derive the synthetic ones from; Gaussian factors if empty
    int items = 44000;
    int dimension = 2048;
    int queries = 200;
    CoarseIndex::Options coarse;
};

// 44k items in memory: baseline, exact search and the coarse index.
int runSearchBench(const SearchBenchOptions &options);
// A million items whose fp32 rows are memory-mapped from `workFile` (written, then removed).
int runMillionBench(const SearchBenchOptions &options, const QString &workFile);

} // namespace lookbook::bench
