#pragma once
// Near-duplicates at catalog scale: the product's finder (a similarity join: a bound on
// compressed rows, the pairs that pass it scored exactly) on 44k synthetic rows with planted
// copies, against the method it replaced (each item's nearest through the coarse index) and
// the exact nearest neighbours of a sample of rows, with the all-pairs time extrapolated from
// them. With --cache, also on the cache's own (real) rows.

#include <QString>

namespace lookbook::bench {

struct DuplicatesBenchOptions {
    QString cache; // real rows to derive the synthetic ones from; Gaussian factors if empty
    int items = 44000;
    int dimension = 2048;
};

int runDuplicatesBench(const DuplicatesBenchOptions &options);

} // namespace lookbook::bench
