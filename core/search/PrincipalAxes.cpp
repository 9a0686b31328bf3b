#include "PrincipalAxes.h"

#include "ParallelBlocks.h"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <algorithm>
#include <random>
#include <vector>

namespace lookbook {

namespace {

constexpr int kOversampling = 16; // extra random directions for the randomised PCA
constexpr Eigen::Index kRowsPerTask = 512;

// Orthonormal basis of the column space of y.
Eigen::MatrixXf orthonormalise(const Eigen::MatrixXf &y)
{
    const Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
    return qr.householderQ() * Eigen::MatrixXf::Identity(y.rows(), y.cols());
}

// a * b, blocks of a's rows on the pool.
Eigen::MatrixXf times(const Eigen::MatrixXf &a, const Eigen::MatrixXf &b, QThreadPool *pool)
{
    Eigen::MatrixXf product(a.rows(), b.cols());
    forEachBlock(a.rows(), kRowsPerTask, pool, [&](int, Eigen::Index begin, Eigen::Index end) {
        product.middleRows(begin, end - begin).noalias() = a.middleRows(begin, end - begin) * b;
    });
    return product;
}

// a^T * b, as the sum of the products of blocks of rows, added in block order.
Eigen::MatrixXf transposeTimes(const Eigen::MatrixXf &a, const Eigen::MatrixXf &b, QThreadPool *pool)
{
    std::vector<Eigen::MatrixXf> partial(size_t((a.rows() + kRowsPerTask - 1) / kRowsPerTask));
    forEachBlock(a.rows(), kRowsPerTask, pool, [&](int index, Eigen::Index begin, Eigen::Index end) {
        partial[size_t(index)].noalias() = a.middleRows(begin, end - begin).transpose() * b.middleRows(begin, end - begin);
    });
    Eigen::MatrixXf sum = Eigen::MatrixXf::Zero(a.cols(), b.cols());
    for (const Eigen::MatrixXf &p : partial) sum += p;
    return sum;
}

} // namespace

RowMatrix principalAxes(const Eigen::MatrixXf &centred, int width, int powerIterations, QThreadPool *pool)
{
    const Eigen::Index dims = centred.cols();
    RowMatrix axes = RowMatrix::Zero(dims, width);
    if (centred.rows() == 0) return axes;
    const Eigen::Index probe = std::min<Eigen::Index>({dims, centred.rows(), width + kOversampling});
    std::mt19937 random(20261129); // fixed: the same catalog always gets the same axes
    std::normal_distribution<float> normal;
    Eigen::MatrixXf basis(dims, probe);
    for (Eigen::Index i = 0; i < basis.size(); ++i) basis.data()[i] = normal(random);
    auto covarianceTimes = [&](const Eigen::MatrixXf &m) { return transposeTimes(centred, times(centred, m, pool), pool); };
    basis = orthonormalise(covarianceTimes(basis));
    for (int i = 0; i < powerIterations; ++i) basis = orthonormalise(covarianceTimes(basis));
    // Rayleigh-Ritz: the sample's covariance within the basis, diagonalised.
    const Eigen::MatrixXf inBasis = times(centred, basis, pool);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> eigen(inBasis.transpose() * inBasis);
    const Eigen::Index kept = std::min<Eigen::Index>(width, probe);
    // Eigenvalues come in increasing order: the last columns are the main axes.
    for (Eigen::Index a = 0; a < kept; ++a) axes.col(a) = basis * eigen.eigenvectors().col(probe - 1 - a);
    return axes;
}

} // namespace lookbook
