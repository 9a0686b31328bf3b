#pragma once
// Exact cosine top-k over a matrix of L2-normalised rows: the dot product is the cosine.
// The rows are split into blocks scanned in parallel on a thread pool; each block keeps its
// own top k and the blocks are merged. Ties are broken by the lower item index, so the same
// query always gives the same order.

#include "CoarseIndex.h"
#include "EmbeddingModel.h"
#include "RowSource.h"

#include <QThreadPool>

#include <vector>

namespace lookbook {

struct SearchHit {
    int item = -1;
    float score = 0; // cosine similarity, -1..1
    friend bool operator==(const SearchHit &, const SearchHit &) = default;
};

struct SearchRequest {
    int k = 5;
    int excludeItem = -1;                       // the query itself when it is a catalog item
    const std::vector<char> *allowed = nullptr; // optional mask: allowed[i] != 0 keeps item i
};

// Keeps the k best hits offered so far, best first (Searcher::ranksBefore).
class TopK {
public:
    explicit TopK(int k);
    void offer(int item, float score);
    void merge(const std::vector<SearchHit> &hits);
    std::vector<SearchHit> take() { return std::move(m_hits); }

private:
    int m_k;
    std::vector<SearchHit> m_hits;
};

class Searcher {
public:
    // With a coarse index of the same rows, search() re-scores only its shortlist exactly
    // (copying those rows out of a file source, RowSource::gather). A null pool scans on the
    // calling thread (for callers that are parallel already).
    explicit Searcher(RowSource vectors, QThreadPool *pool = Searcher::pool(), const CoarseIndex *coarse = nullptr);

    // The pool that scans blocks of rows. Its own pool, not Qt's global one: a scan waits
    // for its blocks, and callers run on the global pool (as does Qt's own raster
    // painting), so sharing it could leave every thread waiting for a block none can run.
    // Its tasks never wait on anything.
    static QThreadPool *pool();

    // query: one L2-normalised vector of the matrix's dimension. Exact over all rows, or over
    // the coarse index's shortlist when there is one.
    std::vector<SearchHit> search(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                  const SearchRequest &request = {}) const;

    // Many queries at once (rows of `queries`), as matrix products: the evaluation's path.
    // excludeItems, if not empty, holds one item to leave out per query (-1 for none).
    std::vector<std::vector<SearchHit>> searchMany(const RowMatrix &queries, int k,
                                                   const std::vector<int> &excludeItems = {}) const;

    // True when a ranks before b: higher score, then lower index.
    static bool ranksBefore(const SearchHit &a, const SearchHit &b)
    {
        return a.score > b.score || (a.score == b.score && a.item < b.item);
    }

private:
    std::vector<SearchHit> rescore(const Eigen::Ref<const Eigen::RowVectorXf> &query, const SearchRequest &request) const;

    RowSource m_vectors;
    QThreadPool *m_pool;
    const CoarseIndex *m_coarse;
};

} // namespace lookbook
