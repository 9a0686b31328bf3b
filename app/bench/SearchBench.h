#pragma once
// Search benchmarks: the plain rows in memory (synthetic ones, and a cache's real ones)
// searched exactly and through the coarse index against a single-threaded Eigen fp32
// matrix-vector product, with top-5 recall against exact fp32; and, given the catalog
// folder, the product's own path on that cache (CatalogBench).

#include "CoarseIndex.h"
#include "EmbeddingRecipe.h"

#include <QString>

#include <optional>

namespace lookbook::bench {

struct SearchBenchOptions {
    QString cache;                         // real rows to derive the synthetic ones from; Gaussian factors if empty
    QString catalog;                       // the folder of `cache`: the product's search path is measured on it too
    std::optional<EmbeddingRecipe> recipe; // for the product's path; the default recipe if unset
    int items = 44000;
    int dimension = 2048;
    int queries = 200;
    CoarseIndex::Options coarse;
};

// 44k synthetic items in memory, then the cache's real rows: baseline, exact search and the
// coarse index; then the product's path when options.catalog is set.
int runSearchBench(const SearchBenchOptions &options);
// A million items whose fp32 rows are memory-mapped from `workFile` (written, then removed).
int runMillionBench(const SearchBenchOptions &options, const QString &workFile);

} // namespace lookbook::bench
