#pragma once
// Near-duplicates at catalog scale: the product's finder (each item's nearest other item
// through the coarse index) on 44k synthetic rows with planted copies, against the exact
// nearest neighbours of a sample of rows, the all-pairs time extrapolated from them.

#include <QString>

namespace lookbook::bench {

struct DuplicatesBenchOptions {
    QString cache; // real rows to derive the synthetic ones from; Gaussian factors if empty
    int items = 44000;
    int dimension = 2048;
};

int runDuplicatesBench(const DuplicatesBenchOptions &options);

} // namespace lookbook::bench
