#pragma once
// A compressed copy of a large catalog's rows for a fast first pass of a search.
//
// Exact search reads every row of the matrix for every query, so memory bandwidth sets its
// time (44k x 3,112 floats is 550 MB). Here each row is centred, projected on the top
// principal axes of the catalog and quantised to int8 with one scale per row: 256 bytes a
// row instead of 12 kB. A search scans these codes for a shortlist and re-scores only the
// shortlist exactly on the full rows (Searcher does that), which keeps the top 5 the exact
// ones in practice (recall against exact search is measured by `lookbook-bench search`).
//
// Why the dropped terms do not change the ranking: with x ~ mean + A y (A the orthonormal
// axes, y the row's code), q.x ~ q.mean + (A^T q).y, and q.mean is the same for every row.

#include "LazyRows.h"

#include <QThreadPool>

#include <cstdint>
#include <memory>
#include <vector>

namespace lookbook {

struct SearchRequest;
namespace format {
class ByteReader;
class ByteWriter;
} // namespace format

class CoarseIndex {
public:
    struct Options {
        int dimensions = 256;   // principal axes kept (rounded up to a multiple of 32)
        int sampleRows = 8192;  // rows the axes are learned from (evenly spaced)
        int powerIterations = 3;
        int shortlist = 128;    // at least this many rows re-scored exactly per query
        int calibrationQueries = 128;
    };

    // Learns the axes from `rows` and encodes every row. Runs on `pool`.
    CoarseIndex(const LazyRows &rows, const Options &options, QThreadPool *pool);
    CoarseIndex(const RowMatrixView &rows, const Options &options, QThreadPool *pool)
        : CoarseIndex(MatrixRows(rows), options, pool)
    {
    }

    int size() const { return int(m_scales.size()); }
    int dimensions() const { return m_codeWidth; }
    // Rows re-scored per query: the option, widened at build time until the exact top 5 of
    // sample rows fall inside it (see calibrateShortlist).
    int shortlistSize() const { return m_shortlist; }
    // Bytes held: the codes, their scales and the axes.
    qint64 bytes() const;

    // The `count` rows with the highest approximate scores for a query (a full-dimension
    // L2-normalised vector), honouring the request's excluded item and mask; unordered.
    std::vector<int> shortlist(const Eigen::Ref<const Eigen::RowVectorXf> &query, const SearchRequest &request,
                               int count, QThreadPool *pool) const;

    // The same with row `item` of the index as the query, from its stored code: what
    // finding every item's neighbours needs, without projecting each row again.
    std::vector<int> shortlistForItem(int item, const SearchRequest &request, int count, QThreadPool *pool) const;

    // The index as bytes of a saved search space (SearchSpace::save), and back. read()
    // checks every size against the rows it is for and against the bytes left, and gives
    // null when anything does not fit.
    void write(format::ByteWriter &out) const;
    static std::unique_ptr<const CoarseIndex> read(format::ByteReader &in, Eigen::Index rows, Eigen::Index cols);

    // Approximate scores of every row (for tests and the benchmark's diagnostics).
    std::vector<float> approximateScores(const Eigen::Ref<const Eigen::RowVectorXf> &query) const;

private:
    CoarseIndex() = default;
    struct QueryCode {
        std::vector<std::int8_t> code;
        float scale = 0;
    };
    QueryCode encodeQuery(const Eigen::Ref<const Eigen::RowVectorXf> &query) const;
    static QueryCode quantise(const Eigen::RowVectorXf &projected);
    std::vector<int> shortlistFor(const QueryCode &query, const SearchRequest &request, int count, QThreadPool *pool) const;
    void scoreRows(const QueryCode &query, int begin, int end, float *out) const;
    int calibrateShortlist(const LazyRows &rows, const Options &options) const;

    int m_codeWidth = 0;
    int m_shortlist = 0;
    RowMatrix m_axes;                 // input dimension x m_codeWidth, orthonormal columns
    Eigen::RowVectorXf m_mean;
    Eigen::RowVectorXf m_meanCode;    // the mean on the axes: a row is ~ m_meanCode + its code
    std::vector<std::int8_t> m_codes; // size() x m_codeWidth, row-major
    std::vector<float> m_scales;      // one per row: code * scale ~ projected row
};

} // namespace lookbook
