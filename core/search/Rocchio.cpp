#include "Rocchio.h"

#include <algorithm>

namespace lookbook {

namespace {

constexpr float kNormFloor = 1e-12f;

Eigen::RowVectorXf meanOf(const std::vector<Eigen::RowVectorXf> &vectors)
{
    Eigen::RowVectorXf sum = vectors.front();
    for (size_t i = 1; i < vectors.size(); ++i) sum += vectors[i];
    return sum / float(vectors.size());
}

} // namespace

Eigen::RowVectorXf Rocchio::combine(const std::vector<Eigen::RowVectorXf> &queries)
{
    if (queries.empty()) return {};
    const Eigen::RowVectorXf mean = meanOf(queries);
    return mean / std::max(mean.norm(), kNormFloor);
}

Eigen::RowVectorXf Rocchio::refine(const Eigen::RowVectorXf &query, const std::vector<Eigen::RowVectorXf> &liked,
                                   const std::vector<Eigen::RowVectorXf> &disliked) const
{
    if (query.size() == 0 && liked.empty()) return {};
    const Eigen::Index dimension = query.size() ? query.size() : liked.front().size();
    Eigen::RowVectorXf refined = query.size() ? Eigen::RowVectorXf(m_weights.query * query)
                                              : Eigen::RowVectorXf::Zero(dimension);
    if (!liked.empty()) refined += m_weights.liked * meanOf(liked);
    if (!disliked.empty()) refined -= m_weights.disliked * meanOf(disliked);
    return refined / std::max(refined.norm(), kNormFloor);
}

} // namespace lookbook
