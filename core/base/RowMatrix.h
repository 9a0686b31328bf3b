#pragma once
// The one matrix type of the core: embeddings as rows, one row per item, row-major so a row
// is contiguous (a cache file's rows map onto it without copying). No OpenCV here, so the
// maths of the search layer does not depend on the network.

#include <Eigen/Core>

namespace lookbook {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A read-only view of row-major embeddings owned elsewhere (a store, a memory map).
using RowMatrixView = Eigen::Map<const RowMatrix>;

} // namespace lookbook
