#pragma once
// Rows handed out by range, materialised on demand: a matrix in memory, or rows that are
// computed from others (SpaceRows) and never all held at once. What a coarse index is
// built from.

#include "RowMatrix.h"

namespace lookbook {

class LazyRows {
public:
    virtual ~LazyRows() = default;
    virtual Eigen::Index rows() const = 0;
    virtual Eigen::Index cols() const = 0;
    // Rows [begin, end) as a dense matrix.
    virtual RowMatrix rowRange(Eigen::Index begin, Eigen::Index end) const = 0;
};

// A matrix in memory seen as lazy rows.
class MatrixRows final : public LazyRows {
public:
    explicit MatrixRows(RowMatrixView matrix) : m_matrix(matrix) {}
    Eigen::Index rows() const override { return m_matrix.rows(); }
    Eigen::Index cols() const override { return m_matrix.cols(); }
    RowMatrix rowRange(Eigen::Index begin, Eigen::Index end) const override { return m_matrix.middleRows(begin, end - begin); }

private:
    RowMatrixView m_matrix;
};

} // namespace lookbook
