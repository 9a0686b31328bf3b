#pragma once
// Top-k over the rows of a search space (SpaceRows): the one place a search is ranked.
// Exact: every row scored, then the masked top k. With a coarse index of the same rows: its
// shortlist (which already honours the request's excluded item and mask) re-scored exactly,
// then the top k of those. SearchSpace searches through it, the augmentation's neighbour
// lists come from it, and the benchmarks time it. Ties are broken by the lower item index,
// so the same query always gives the same order.

#include "CoarseIndex.h"
#include "Pools.h"
#include "RowMatrix.h"
#include "SearchTypes.h"
#include "SpaceRows.h"

#include <QThreadPool>

#include <vector>

namespace lookbook {

class Searcher {
public:
    // The rows (and the coarse index, when given) must outlive the searcher; it holds
    // pointers only, so making one per search costs nothing. A null pool runs on the
    // calling thread (for callers that are parallel already).
    explicit Searcher(const SpaceRows &rows, const CoarseIndex *coarse = nullptr, QThreadPool *pool = pools::search());

    // query: one vector of the rows' width. Through the coarse index when there is one,
    // else exact over every row.
    std::vector<SearchHit> search(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                  const SearchRequest &request = {}) const;
    // Exact over every row, whether or not there is a coarse index.
    std::vector<SearchHit> searchExactly(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                         const SearchRequest &request = {}) const;
    // The request's top k for row `item`, whose value is `row`, through the coarse index
    // (which must be there): the shortlist comes from the item's stored code, so finding
    // every item's neighbours projects no row again.
    std::vector<SearchHit> searchNearItem(int item, const Eigen::Ref<const Eigen::RowVectorXf> &row,
                                          const SearchRequest &request) const;

    // Many queries at once (rows of `queries`), always exact, as matrix products: the
    // evaluation's path. excludeItems, if not empty, holds one item to leave out per query
    // (-1 for none); `allowed`, if given, is the mask of every query.
    std::vector<std::vector<SearchHit>> searchMany(const RowMatrix &queries, int k,
                                                   const std::vector<int> &excludeItems = {},
                                                   const std::vector<char> *allowed = nullptr) const;

private:
    // The k best of a coarse shortlist, scored exactly.
    std::vector<SearchHit> rescore(const std::vector<int> &shortlist, const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                   int k) const;
    // At least k rows, and as many as the index was calibrated to keep the exact top k in.
    int shortlistLength(int k) const;

    const SpaceRows *m_rows;
    const CoarseIndex *m_coarse;
    QThreadPool *m_pool;
};

} // namespace lookbook
