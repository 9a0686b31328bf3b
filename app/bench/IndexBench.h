#pragma once
// Indexing benchmarks: the network alone on ready blobs, the whole indexer and the plain
// recipe (decode, squash, blobFromImages, forward) on the same images and input size; and
// re-indexing an unchanged catalog of many copies, which must decode nothing.

#include <QString>

namespace lookbook::bench {

struct IndexBenchOptions {
    QString catalog;  // the demo subset when empty
    int images = 160;
    int rounds = 3;   // index: each of the three timed this many times, in rotating order
    int copies = 15;
    QString workDir;  // temporary catalogs and caches go here
    QString rowsFrom; // reindex: a cache whose rows the copies' rows are derived from
    bool keep = false; // reindex: leave the catalog and its cache for timing the app on them
};

int runIndexBench(const IndexBenchOptions &options);
int runReindexBench(const IndexBenchOptions &options);

} // namespace lookbook::bench
