#pragma once
// The main directions of variation of a set of rows: what both compressed copies of the
// catalog (CoarseIndex for search, SimilarityJoin for near-duplicates) keep of each row.

#include "RowMatrix.h"

#include <QThreadPool>

namespace lookbook {

// The top `width` principal axes of `centred` (rows minus their mean), as the orthonormal
// columns of a cols x width matrix, most variance first. Columns past the sample's rank are
// zero. Computed by randomised subspace iteration (Halko, Martinsson and Tropp 2011): a few
// products with the sample instead of the eigendecomposition of a D x D covariance, which
// takes tens of seconds at D = 3,112. The products run on `pool` in blocks of rows whose
// sums are added in a fixed order: the same rows always give the same axes.
RowMatrix principalAxes(const Eigen::MatrixXf &centred, int width, int powerIterations, QThreadPool *pool);

} // namespace lookbook
