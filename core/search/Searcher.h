#pragma once
// Exact cosine top-k over a matrix of L2-normalised rows: the dot product is the cosine.
// The rows are split into blocks scanned in parallel on a thread pool; each block keeps its
// own top k and the blocks are merged. Ties are broken by the lower item index, so the same
// query always gives the same order.

#include "CoarseIndex.h"
#include "Pools.h"
#include "RowMatrix.h"
#include "SearchTypes.h"
#include "RowSource.h"

#include <QThreadPool>

#include <vector>

namespace lookbook {

class Searcher {
public:
    // With a coarse index of the same rows, search() re-scores only its shortlist exactly
    // (copying those rows out of a file source, RowSource::gather). A null pool scans on the
    // calling thread (for callers that are parallel already).
    explicit Searcher(RowSource vectors, QThreadPool *pool = pools::search(), const CoarseIndex *coarse = nullptr);


    // query: one L2-normalised vector of the matrix's dimension. Exact over all rows, or over
    // the coarse index's shortlist when there is one.
    std::vector<SearchHit> search(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                  const SearchRequest &request = {}) const;

    // Many queries at once (rows of `queries`), as matrix products: the evaluation's path.
    // excludeItems, if not empty, holds one item to leave out per query (-1 for none).
    std::vector<std::vector<SearchHit>> searchMany(const RowMatrix &queries, int k,
                                                   const std::vector<int> &excludeItems = {}) const;


private:
    std::vector<SearchHit> rescore(const Eigen::Ref<const Eigen::RowVectorXf> &query, const SearchRequest &request) const;

    RowSource m_vectors;
    QThreadPool *m_pool;
    const CoarseIndex *m_coarse;
};

} // namespace lookbook
