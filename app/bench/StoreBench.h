#pragma once
// The product's store and search space at catalog scale, on a cache of synthetic rows: what
// stays resident as it opens and its spaces are built, then the product's search path on it
// (CatalogBench: opening, saved space, searches, warm and cold).

#include <QString>
#include <QStringList>

namespace lookbook::bench {

struct StoreBenchOptions {
    QString cache;   // real rows (default recipe) the synthetic catalog is derived from
    int items = 44000;
    int queries = 100;
    QString workDir; // the catalog's cache is written here
    // Instead of synthetic rows, the real rows of these caches of disjoint catalogs merged
    // into one catalog ("CACHE=FOLDER" each): real neighbour structure at a larger size.
    QStringList merge;
};

int runStoreBench(const StoreBenchOptions &options);

} // namespace lookbook::bench
