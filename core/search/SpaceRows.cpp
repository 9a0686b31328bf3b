#include "SpaceRows.h"

#include "ParallelBlocks.h"
#include "ByteStreams.h"

#include <algorithm>
#include <cmath>

namespace lookbook {

namespace {

constexpr Eigen::Index kRowsPerBlock = 4096;
constexpr Eigen::Index kRowsPerSlice = 256; // a scan's copy of file rows: 3 MB at 3,112 floats
constexpr float kNormFloor = 1e-12f;

// Where `item` is in `sorted` (baseItemsOf's order), which holds it.
Eigen::Index positionIn(const std::vector<int> &sorted, int item)
{
    return Eigen::Index(std::lower_bound(sorted.begin(), sorted.end(), item) - sorted.begin());
}

} // namespace

SpaceRows::SpaceRows(RowSource base, RowMatrix projected, float baseScale, float projectedScale)
    : m_base(base), m_projected(std::move(projected)), m_baseScale(baseScale), m_projectedScale(projectedScale)
{
    if (m_projected.cols() == 0) m_projected.resize(m_base.rows(), 0);
    Q_ASSERT(m_projected.rows() == m_base.rows());
}

RowMatrix SpaceRows::plainBlock(Eigen::Index begin, Eigen::Index end) const
{
    RowMatrix out(end - begin, cols());
    if (m_base.isFile()) {
        RowMatrix base;
        m_base.readRange(begin, end - begin, base);
        out.leftCols(m_base.cols()) = base * m_baseScale;
    } else {
        out.leftCols(m_base.cols()) = m_base.view().middleRows(begin, end - begin) * m_baseScale;
    }
    if (m_projected.cols() > 0) out.rightCols(m_projected.cols()) = m_projected.middleRows(begin, end - begin) * m_projectedScale;
    return out;
}

RowMatrix SpaceRows::rowRange(Eigen::Index begin, Eigen::Index end) const
{
    if (!isMixed()) return plainBlock(begin, end);
    RowMatrix out = RowMatrix::Zero(end - begin, cols());
    for (Eigen::Index i = begin; i < end; ++i)
        for (int k = 0; k < m_mixWidth; ++k) {
            const size_t at = size_t(i) * size_t(m_mixWidth) + size_t(k);
            if (m_mixWeights[at] != 0) out.row(i - begin) += m_mixWeights[at] * plainBlock(m_mixItems[at], m_mixItems[at] + 1);
        }
    return out;
}

std::vector<int> SpaceRows::baseItemsOf(std::span<const int> items) const
{
    std::vector<int> bases;
    if (!isMixed()) {
        bases.assign(items.begin(), items.end());
    } else {
        for (int item : items)
            for (int k = 0; k < m_mixWidth; ++k) {
                const size_t at = size_t(item) * size_t(m_mixWidth) + size_t(k);
                if (m_mixWeights[at] != 0) bases.push_back(m_mixItems[at]);
            }
    }
    std::sort(bases.begin(), bases.end()); // file order, and each row read once
    bases.erase(std::unique(bases.begin(), bases.end()), bases.end());
    return bases;
}

SpaceRows::Gathered SpaceRows::gatherPlain(std::span<const int> items) const
{
    Gathered g;
    g.items = baseItemsOf(items);
    RowMatrix base;
    m_base.gather(g.items, base);
    g.rows.resize(base.rows(), cols());
    g.rows.leftCols(base.cols()) = base * m_baseScale;
    for (size_t j = 0; j < g.items.size() && m_projected.cols() > 0; ++j)
        g.rows.row(Eigen::Index(j)).tail(m_projected.cols()) = m_projected.row(g.items[j]) * m_projectedScale;
    return g;
}

template <typename PlainOf>
float SpaceRows::mixOne(int item, PlainOf plainOf) const
{
    if (!isMixed()) return plainOf(item);
    float s = 0;
    for (int k = 0; k < m_mixWidth; ++k) {
        const size_t at = size_t(item) * size_t(m_mixWidth) + size_t(k);
        if (m_mixWeights[at] != 0) s += m_mixWeights[at] * plainOf(m_mixItems[at]);
    }
    return s;
}

Eigen::RowVectorXf SpaceRows::row(int item) const
{
    const int one[] = {item};
    const Gathered g = gatherPlain(one);
    if (!isMixed()) return g.rows.row(0);
    Eigen::RowVectorXf out = Eigen::RowVectorXf::Zero(cols());
    for (int k = 0; k < m_mixWidth; ++k) {
        const size_t at = size_t(item) * size_t(m_mixWidth) + size_t(k);
        if (m_mixWeights[at] != 0) out += m_mixWeights[at] * g.rows.row(positionIn(g.items, m_mixItems[at]));
    }
    return out;
}

std::vector<float> SpaceRows::scoreItems(std::span<const int> items, const Eigen::Ref<const Eigen::RowVectorXf> &query) const
{
    const std::vector<int> bases = baseItemsOf(items);
    Eigen::VectorXf plain = m_baseScale * m_base.dots(bases, query.head(m_base.cols()));
    for (size_t j = 0; j < bases.size() && m_projected.cols() > 0; ++j)
        plain[Eigen::Index(j)] += m_projectedScale * m_projected.row(bases[j]).dot(query.tail(m_projected.cols()));
    auto plainOf = [&](int base) { return plain[positionIn(bases, base)]; };
    std::vector<float> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) out[i] = mixOne(items[i], plainOf);
    return out;
}

Eigen::VectorXf SpaceRows::mix(const Eigen::Ref<const Eigen::VectorXf> &plainScores) const
{
    if (!isMixed()) return plainScores;
    Eigen::VectorXf mixed(plainScores.size());
    for (Eigen::Index i = 0; i < mixed.size(); ++i) mixed[i] = mixOne(int(i), [&](int base) { return plainScores[base]; });
    return mixed;
}

Eigen::VectorXf SpaceRows::scoreAll(const Eigen::Ref<const Eigen::RowVectorXf> &query, QThreadPool *pool) const
{
    Q_ASSERT(query.size() == cols());
    Eigen::VectorXf plain(rows());
    // The base rows dominate the time: one matrix-vector product per block, memory-bound,
    // so blocks run on every core.
    forEachBlock(rows(), kRowsPerBlock, pool, [&](int, Eigen::Index begin, Eigen::Index end) {
        const Eigen::Index n = end - begin;
        if (m_base.isFile()) {
            // Copied out in slices rather than read through the mapping, which would leave
            // the whole cache file counted in the app's resident memory (540 MB at 44k).
            // Costs about twice the mapped scan; only exact spaces scan.
            RowMatrix slice;
            for (Eigen::Index s = begin; s < begin + n; s += kRowsPerSlice) {
                const Eigen::Index m = std::min(kRowsPerSlice, begin + n - s);
                m_base.readRange(s, m, slice);
                plain.segment(s, m) = m_baseScale * (slice * query.head(m_base.cols()).transpose());
            }
        } else {
            plain.segment(begin, n) = m_baseScale * (m_base.view().middleRows(begin, n) * query.head(m_base.cols()).transpose());
        }
        if (m_projected.cols() > 0)
            plain.segment(begin, n) += m_projectedScale * (m_projected.middleRows(begin, n) * query.tail(m_projected.cols()).transpose());
    });
    return mix(plain);
}

Eigen::MatrixXf SpaceRows::scoreAll(const RowMatrix &queries) const
{
    Q_ASSERT(queries.cols() == cols());
    Eigen::MatrixXf plain = m_baseScale * (queries.leftCols(m_base.cols()) * m_base.view().transpose());
    if (m_projected.cols() > 0) plain += m_projectedScale * (queries.rightCols(m_projected.cols()) * m_projected.transpose());
    if (!isMixed()) return plain;
    Eigen::MatrixXf mixed(plain.rows(), plain.cols());
    for (Eigen::Index q = 0; q < plain.rows(); ++q) mixed.row(q) = mix(plain.row(q).transpose()).transpose();
    return mixed;
}

void SpaceRows::mixNeighbours(const std::vector<std::vector<SearchHit>> &neighbours, float power)
{
    Q_ASSERT(!isMixed() && Eigen::Index(neighbours.size()) == rows());
    int width = 0;
    for (const auto &hits : neighbours) width = std::max(width, int(hits.size()));
    std::vector<int> items(size_t(rows()) * size_t(width), 0);
    std::vector<float> weights(items.size(), 0.0f);
    for (Eigen::Index i = 0; i < rows(); ++i) {
        // The norm of the weighted sum needs the rows themselves; five of them per item.
        Eigen::RowVectorXf sum = Eigen::RowVectorXf::Zero(cols());
        const auto &hits = neighbours[size_t(i)];
        for (size_t k = 0; k < hits.size(); ++k) {
            const float w = std::pow(std::max(hits[k].score, 0.0f), power);
            items[size_t(i) * size_t(width) + k] = hits[k].item;
            weights[size_t(i) * size_t(width) + k] = w;
            if (w != 0) sum += w * plainBlock(hits[k].item, hits[k].item + 1);
        }
        const float norm = std::max(sum.norm(), kNormFloor);
        for (size_t k = 0; k < hits.size(); ++k) weights[size_t(i) * size_t(width) + k] /= norm;
    }
    m_mixWidth = width;
    m_mixItems = std::move(items);
    m_mixWeights = std::move(weights);
}

void SpaceRows::write(format::ByteWriter &out) const
{
    out.put<qint64>(m_projected.cols());
    out.putArray(m_projected.data(), m_projected.size());
    out.put<qint32>(m_mixWidth);
    out.putArray(m_mixItems.data(), qsizetype(m_mixItems.size()));
    out.putArray(m_mixWeights.data(), qsizetype(m_mixWeights.size()));
}

bool SpaceRows::read(format::ByteReader &in)
{
    constexpr qint64 kMaxProjected = 4096;
    constexpr qint32 kMaxMixWidth = 1024;
    const qint64 projectedCols = in.get<qint64>();
    if (!in.ok() || projectedCols < 0 || projectedCols > kMaxProjected
        || rows() * projectedCols > in.remaining() / qint64(sizeof(float)))
        return false;
    RowMatrix projected(rows(), projectedCols);
    if (!in.getArray(projected.data(), projected.size()) || !projected.allFinite()) return false;
    const qint32 width = in.get<qint32>();
    if (!in.ok() || width < 0 || width > kMaxMixWidth || rows() * width * 2 > in.remaining() / qint64(sizeof(float)))
        return false;
    std::vector<int> items(size_t(rows() * width));
    std::vector<float> weights(items.size());
    if (!in.getArray(items.data(), qsizetype(items.size())) || !in.getArray(weights.data(), qsizetype(weights.size())))
        return false;
    if (!std::all_of(items.begin(), items.end(), [&](int item) { return item >= 0 && item < rows(); })
        || !std::all_of(weights.begin(), weights.end(), [](float w) { return std::isfinite(w); }))
        return false;
    m_projected = std::move(projected);
    m_mixWidth = width;
    m_mixItems = std::move(items);
    m_mixWeights = std::move(weights);
    return true;
}

} // namespace lookbook
