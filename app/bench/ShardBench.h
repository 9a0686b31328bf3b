#pragma once
// Indexing in local shard processes: the rate of 1, 2 and 4 `lookbook-cli index --shard K/N`
// processes run at once and merged (`lookbook-cli merge`, docs/scale-out.md), beside one
// `lookbook-cli index` process over the whole catalog, and a check that each merged cache
// holds the single run's rows bit for bit.

#include <QString>

namespace lookbook::bench {

struct ShardBenchOptions {
    QString catalog;  // when empty, a catalog of links to the first `images` training images
    int images = 1000;
    QString workDir;  // the temporary catalog and the caches go here
};

// 0 when every merged cache is bit-identical to the single run's, 1 otherwise or on failure.
int runShardBench(const ShardBenchOptions &options);

} // namespace lookbook::bench
