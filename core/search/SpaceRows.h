#pragma once
// The rows a search space scores, kept implicit so that a large catalog costs little memory.
//
// Row i of the space is r_i = [a * x_i, b * p_i]: x_i the store's embedding (the memory-
// mapped cache, its rows copied out as they are read so that they never count as the app's
// memory: RowSource), p_i its learned projection (64 floats, in memory) and a, b the
// block scales of DiscriminantProjection::apply. With database-side augmentation it is
// d_i = sum_j c_ij r_j over i's nearest neighbours j (5 indices and weights per item).
// Materialising them would take 550 MB at 44k items twice over; scoring them needs only
// the store's rows and these few numbers:
//     q . r_i = a (q_x . x_i) + b (q_p . p_i)        q . d_i = sum_j c_ij (q . r_j)

#include "LazyRows.h"
#include "RowSource.h"
#include "SearchTypes.h"

#include <QThreadPool>

#include <vector>

namespace lookbook {

namespace format {
class ByteReader;
class ByteWriter;
} // namespace format

class SpaceRows final : public LazyRows {
public:
    // `projected` has one row per base row, or no columns when there is no projection.
    SpaceRows(RowSource base, RowMatrix projected, float baseScale, float projectedScale);
    // The base rows as they are: nothing appended, scaled or mixed (yet).
    explicit SpaceRows(RowSource base) : SpaceRows(base, RowMatrix(), 1.0f, 0.0f) {}

    Eigen::Index rows() const override { return m_base.rows(); }
    Eigen::Index cols() const override { return m_base.cols() + m_projected.cols(); }
    RowMatrix rowRange(Eigen::Index begin, Eigen::Index end) const override;
    // One row, its base rows copied out of the source (for query expansion).
    Eigen::RowVectorXf row(int item) const;

    // Exact dot products of one query (cols() wide) with every row, in blocks on `pool`
    // (null: on this thread).
    Eigen::VectorXf scoreAll(const Eigen::Ref<const Eigen::RowVectorXf> &query, QThreadPool *pool) const;
    // The same for many queries at once: queries x rows().
    Eigen::MatrixXf scoreAll(const RowMatrix &queries) const;
    // Exact dot products with a few rows (a shortlist), their base rows copied out of the
    // source in one gather rather than mapped into the process.
    std::vector<float> scoreItems(std::span<const int> items, const Eigen::Ref<const Eigen::RowVectorXf> &query) const;
    // Lets go of the mapped pages a scan or a build touched (RowSource::releasePages).
    void releasePages() const { m_base.releasePages(); }

    // Turns every row into L2(sum over its hits j of max(score_j, 0)^power * row j).
    // neighbours[i] are row i's hits among the current rows (itself included).
    void mixNeighbours(const std::vector<std::vector<SearchHit>> &neighbours, float power);
    bool isMixed() const { return m_mixWidth > 0; }

    // What was computed from the base rows (the projected block, the mixing lists) as bytes
    // of a saved search space, and back; read() checks sizes, item numbers and values and
    // is false, leaving the rows unchanged, when anything does not fit.
    void write(format::ByteWriter &out) const;
    bool read(format::ByteReader &in);

private:
    RowMatrix plainBlock(Eigen::Index begin, Eigen::Index end) const;
    // Scores of the unmixed rows turned into scores of the mixed ones.
    Eigen::VectorXf mix(const Eigen::Ref<const Eigen::VectorXf> &plainScores) const;

    // The base rows `items` are made of (themselves, or their neighbours once mixed),
    // sorted and each once.
    std::vector<int> baseItemsOf(std::span<const int> items) const;
    // Those base rows copied out of the source as unmixed rows of the space.
    struct Gathered {
        std::vector<int> items; // sorted
        RowMatrix rows;         // one per item
    };
    Gathered gatherPlain(std::span<const int> items) const;
    // Row `item`'s value from its base rows' values (plainOf(base)): the mixing weights
    // applied, or the item's own value when unmixed.
    template <typename PlainOf> float mixOne(int item, PlainOf plainOf) const;

    RowSource m_base;
    RowMatrix m_projected;
    float m_baseScale;
    float m_projectedScale;
    int m_mixWidth = 0;               // neighbours per row once mixed (padded with weight 0)
    std::vector<int> m_mixItems;      // rows() x m_mixWidth
    std::vector<float> m_mixWeights;  // c_ij, the normalisation included
};

} // namespace lookbook
