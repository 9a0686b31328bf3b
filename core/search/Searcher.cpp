#include "Searcher.h"

#include "ParallelBlocks.h"

#include <algorithm>

namespace lookbook {

namespace {

// Queries multiplied at once in searchMany: a few MB of scores per block.
constexpr Eigen::Index kQueriesPerBlock = 256;

// The request's k best of `scores` (one per row, any Eigen vector or matrix row), leaving
// out its excluded item and the items its mask does not allow.
template <typename Scores>
std::vector<SearchHit> maskedTop(const Eigen::DenseBase<Scores> &scores, const SearchRequest &request)
{
    TopK top(request.k);
    for (Eigen::Index i = 0; i < scores.size(); ++i) {
        const int item = int(i);
        if (item == request.excludeItem) continue;
        if (request.allowed && !(*request.allowed)[size_t(item)]) continue;
        top.offer(item, scores(i));
    }
    return top.take();
}

} // namespace

Searcher::Searcher(const SpaceRows &rows, const CoarseIndex *coarse, QThreadPool *pool)
    : m_rows(&rows), m_coarse(coarse), m_pool(pool)
{
    Q_ASSERT(!coarse || coarse->size() == rows.rows());
}

std::vector<SearchHit> Searcher::search(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                        const SearchRequest &request) const
{
    if (!m_coarse) return searchExactly(query, request);
    Q_ASSERT(query.size() == m_rows->cols());
    return rescore(m_coarse->shortlist(query, request, shortlistLength(request.k), m_pool), query, request.k);
}

std::vector<SearchHit> Searcher::searchExactly(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                               const SearchRequest &request) const
{
    Q_ASSERT(query.size() == m_rows->cols());
    return maskedTop(m_rows->scoreAll(query, m_pool), request);
}

std::vector<SearchHit> Searcher::searchNearItem(int item, const Eigen::Ref<const Eigen::RowVectorXf> &row,
                                                const SearchRequest &request) const
{
    Q_ASSERT(m_coarse && row.size() == m_rows->cols());
    return rescore(m_coarse->shortlistForItem(item, request, shortlistLength(request.k), m_pool), row, request.k);
}

std::vector<std::vector<SearchHit>> Searcher::searchMany(const RowMatrix &queries, int k,
                                                         const std::vector<int> &excludeItems,
                                                         const std::vector<char> *allowed) const
{
    Q_ASSERT(queries.cols() == m_rows->cols());
    Q_ASSERT(excludeItems.empty() || Eigen::Index(excludeItems.size()) == queries.rows());
    std::vector<std::vector<SearchHit>> results(size_t(queries.rows()));
    forEachBlock(queries.rows(), kQueriesPerBlock, m_pool, [&](int, Eigen::Index first, Eigen::Index end) {
        const Eigen::MatrixXf scores = m_rows->scoreAll(RowMatrix(queries.middleRows(first, end - first)));
        for (Eigen::Index q = 0; q < scores.rows(); ++q) {
            const size_t query = size_t(first + q);
            const int exclude = excludeItems.empty() ? -1 : excludeItems[query];
            results[query] = maskedTop(scores.row(q), {k, exclude, allowed});
        }
    });
    return results;
}

std::vector<SearchHit> Searcher::rescore(const std::vector<int> &shortlist,
                                         const Eigen::Ref<const Eigen::RowVectorXf> &query, int k) const
{
    const std::vector<float> scores = m_rows->scoreItems(shortlist, query);
    TopK top(k);
    for (size_t i = 0; i < shortlist.size(); ++i) top.offer(shortlist[i], scores[i]);
    return top.take();
}

int Searcher::shortlistLength(int k) const
{
    return std::max(k, m_coarse->shortlistSize());
}

} // namespace lookbook
