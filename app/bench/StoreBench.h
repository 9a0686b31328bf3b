#pragma once
// The product's store and search space at catalog scale: how long a cached catalog takes to
// open, what stays resident, and the search the window runs (projection, augmentation,
// query expansion, coarse index) against the same space searched exactly.

#include <QString>

namespace lookbook::bench {

struct StoreBenchOptions {
    QString cache;   // real rows (default recipe) the synthetic catalog is derived from
    int items = 44000;
    int queries = 100;
    QString workDir; // the synthetic catalog's cache is written here
};

int runStoreBench(const StoreBenchOptions &options);

} // namespace lookbook::bench
