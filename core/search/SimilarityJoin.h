#pragma once
// Every pair of rows whose cosine reaches a floor, and for each row its most similar other
// row among them, without scoring every pair on the full rows and without missing a pair.
//
// What makes it cheap is an upper bound on a pair's cosine computed on a compressed copy.
// With m the rows' mean, A the top principal axes (orthonormal columns), u = x - m,
// p = A^T u and r = u - A p (orthogonal to the axes):
//     x.y = m.x + m.y - m.m + u_x.u_y,   u_x.u_y = p_x.p_y + r_x.r_y <= p_x.p_y + |r_x| |r_y|
// so x.y <= p_x.p_y + |r_x| |r_y| + c_x + c_y with c = m.x - m.m / 2. The bound costs a
// product of 128 columns instead of the rows' 2,048; only pairs whose bound reaches the
// floor are scored exactly, and no pair above the floor can fail the bound.
//
// Pairs of tiles are skipped whole: |p0_x - p0_y| <= |x - y| on the first axis, and two
// unit rows at cosine >= t are at most sqrt(2 - 2t) apart, so with the rows sorted on that
// axis a tile need not be compared with tiles whose coordinates there are farther away.
//
// The products are made tile by tile (1,024 x 1,024 scores at a time), never as an
// all-pairs matrix. Measured by `lookbook-bench duplicates`.

#include "RowMatrix.h"
#include "RowSource.h"
#include "Pools.h"
#include "SearchTypes.h"

#include <QThreadPool>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace lookbook {

class SimilarityJoin {
public:
    struct Options {
        // Principal axes kept, and the first of them the tiles' products are made on: the
        // bound on those picks the pairs that are bounded again on all of them.
        int dimensions = 128;
        int screenDimensions = 32;
        int rowsPerTile = 1024; // rows of a tile: a tile pair's scores are 4 MB
        // Rows the mean and the axes are learned from (evenly spaced), and iterations of the
        // subspace method. Rough axes cost only extra candidates, never a missed pair.
        int sampleRows = 2048;
        int powerIterations = 1;
    };
    // What a run did, for the benchmark and the tests.
    struct Counts {
        qint64 tilePairs = 0;        // pairs of tiles compared on the compressed rows
        qint64 tilePairsSkipped = 0; // pairs of tiles left out by the first axis
        qint64 screened = 0;         // pairs of rows whose bound on the first axes reached the floor
        qint64 candidates = 0;       // of those, pairs whose bound on all axes did: scored exactly
        qint64 pairs = 0;            // of those, pairs at or above the floor
    };
    using Progress = std::function<void(int done, int total)>;

    SimilarityJoin(float floor, const Options &options, QThreadPool *pool = pools::search());
    explicit SimilarityJoin(float floor, QThreadPool *pool = pools::search()) : SimilarityJoin(floor, Options(), pool) {}

    float floor() const { return m_floor; }

    // For each row of `rows` (L2-normalised), its most similar other row and their cosine
    // when that cosine is at least the floor; {-1, 0} otherwise. Of equal ones, the lower
    // row. The same rows always give the same result, whatever the pool's thread count.
    // `progress` is called on the calling thread with a count out of rows.rows() that grows
    // with the work done; once `cancel` is set it stops within a few tiles and gives nothing.
    std::optional<std::vector<SearchHit>> bestAboveFloor(const RowSource &rows, const Progress &progress = {},
                                                         const std::atomic_bool *cancel = nullptr,
                                                         Counts *counts = nullptr) const;

    // Every pair of rows whose cosine is at least the floor, each once (a < b), in an order
    // that does not depend on the pool's thread count: what grouping all near-duplicates
    // transitively needs (a row's most similar one alone would leave some pairs unjoined).
    // Progress and cancel as for bestAboveFloor.
    struct Pair {
        int a = -1, b = -1;
        float score = 0;
    };
    std::optional<std::vector<Pair>> pairsAboveFloor(const RowSource &rows, const Progress &progress = {},
                                                     const std::atomic_bool *cancel = nullptr,
                                                     Counts *counts = nullptr) const;

private:
    float m_floor;
    Options m_options;
    QThreadPool *m_pool;
};

} // namespace lookbook
