#pragma once
// The product's own search path on a catalog's cache, as the window and the command line run
// it: the catalog opened through Catalog (the memory-mapped store, labels, projection, garment
// colours, the saved search space), the recipe's rows (class part, learned projection,
// augmentation and query expansion when the recipe has them), the coarse index, and the whole
// query through Recommender (colour re-ranking, labels, result paths). Each figure is
// measured warm and with the cache evicted from the page cache, and each search against an
// exact search (every row scored) of the same rows and recipe.

#include "EmbeddingRecipe.h"

#include <QString>

namespace lookbook::bench {

struct CatalogBenchOptions {
    QString root;      // the catalog folder (the items need not be there: queries are catalog items)
    QString cache;     // its cache; the search space is saved beside it when there is none
    QString rowsLabel; // where the rows come from, printed with every figure
    int queries = 100;
    int coldRepeats = 5; // pairs of cold and warm runs of each figure
    // Describe the garment colours from the catalog's images when the cache has none.
    bool describeColours = false;
    EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
};

int runCatalogBench(const CatalogBenchOptions &options);

} // namespace lookbook::bench
