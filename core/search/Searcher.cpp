#include "Searcher.h"

#include "ParallelBlocks.h"

#include <QThread>

#include <algorithm>

namespace lookbook {

namespace {

// Rows per parallel task: large enough that scheduling is noise, small enough that a
// 44k catalog still spreads over every core.
constexpr Eigen::Index kRowsPerBlock = 4096;
// Queries multiplied at once in searchMany: a few MB of scores per block.
constexpr Eigen::Index kQueriesPerBlock = 256;

} // namespace

Searcher::Searcher(RowSource vectors, QThreadPool *pool, const CoarseIndex *coarse)
    : m_vectors(vectors), m_pool(pool), m_coarse(coarse)
{
    Q_ASSERT(!coarse || coarse->size() == vectors.rows());
}

std::vector<SearchHit> Searcher::search(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                        const SearchRequest &request) const
{
    Q_ASSERT(query.size() == m_vectors.cols());
    if (m_coarse) return rescore(query, request);
    const Eigen::Index rows = m_vectors.rows();
    std::vector<std::vector<SearchHit>> partial(size_t((rows + kRowsPerBlock - 1) / kRowsPerBlock));
    forEachBlock(rows, kRowsPerBlock, m_pool, [&](int index, Eigen::Index begin, Eigen::Index end) {
        const Eigen::VectorXf scores = m_vectors.view().middleRows(begin, end - begin) * query.transpose();
        TopK top(request.k);
        for (Eigen::Index i = 0; i < scores.size(); ++i) {
            const int item = int(begin + i);
            if (item == request.excludeItem) continue;
            if (request.allowed && !(*request.allowed)[size_t(item)]) continue;
            top.offer(item, scores[i]);
        }
        partial[size_t(index)] = top.take();
    });
    TopK merged(request.k);
    for (const auto &hits : partial) merged.merge(hits);
    return merged.take();
}

std::vector<SearchHit> Searcher::rescore(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                         const SearchRequest &request) const
{
    const std::vector<int> shortlist = m_coarse->shortlist(query, request, std::max(request.k, m_coarse->shortlistSize()), m_pool);
    const Eigen::VectorXf scores = m_vectors.dots(shortlist, query);
    TopK top(request.k);
    for (size_t i = 0; i < shortlist.size(); ++i) top.offer(shortlist[i], scores[Eigen::Index(i)]);
    return top.take();
}

std::vector<std::vector<SearchHit>> Searcher::searchMany(const RowMatrix &queries, int k,
                                                         const std::vector<int> &excludeItems) const
{
    Q_ASSERT(queries.cols() == m_vectors.cols());
    Q_ASSERT(excludeItems.empty() || Eigen::Index(excludeItems.size()) == queries.rows());
    std::vector<std::vector<SearchHit>> results(size_t(queries.rows()));
    forEachBlock(queries.rows(), kQueriesPerBlock, m_pool, [&](int, Eigen::Index begin, Eigen::Index end) {
        const Eigen::MatrixXf scores = queries.middleRows(begin, end - begin) * m_vectors.view().transpose();
        for (Eigen::Index q = 0; q < scores.rows(); ++q) {
            const Eigen::Index query = begin + q;
            const int exclude = excludeItems.empty() ? -1 : excludeItems[size_t(query)];
            TopK top(k);
            for (Eigen::Index i = 0; i < scores.cols(); ++i)
                if (i != exclude) top.offer(int(i), scores(q, i));
            results[size_t(query)] = top.take();
        }
    });
    return results;
}

} // namespace lookbook
