#include "CoarseIndex.h"

#include "ParallelBlocks.h"
#include "PrincipalAxes.h"
#include "ByteStreams.h"

#include "SearchTypes.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lookbook {

namespace {

constexpr int kRowsPerBlock = 4096;
constexpr int kCodeAlignment = 32; // a whole number of AVX2 registers per code
constexpr float kCodeMax = 127.0f;

// The int8 dot products of one query code with `rows` consecutive codes. The products of
// two int8 fit in int16 and 256 of them in int32, so the compiler may use pmaddwd; the
// clones let it use AVX2 or AVX-512 where the processor has them, while the binary still
// runs on any x86-64. Not in sanitizer builds: the clones' resolver runs while the program
// is being loaded, before a sanitizer's runtime is ready for its instrumented code.
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(LOOKBOOK_SANITIZED)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void dotCodes(const std::int8_t *query, const std::int8_t *codes, int width, int rows, std::int32_t *out)
{
    for (int r = 0; r < rows; ++r) {
        const std::int8_t *code = codes + std::ptrdiff_t(r) * width;
        std::int32_t sum = 0;
        for (int j = 0; j < width; ++j) sum += std::int32_t(query[j]) * std::int32_t(code[j]);
        out[r] = sum;
    }
}

struct Candidate {
    float score;
    int item;
};

// Keeps the `count` best candidates of `candidates` (any order).
void keepBest(std::vector<Candidate> &candidates, int count)
{
    if (int(candidates.size()) <= count) return;
    std::nth_element(candidates.begin(), candidates.begin() + count, candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
    candidates.resize(size_t(count));
}

// The `count` best of the candidates offered, unordered. They are kept unsorted and trimmed
// to `count` whenever twice as many have gathered; once the first trims have raised the
// floor, most offers cost one comparison (pushing every row and selecting once per block
// took half the time of an item's shortlist at 44k items).
class BestCandidates {
public:
    explicit BestCandidates(int count) : m_count(std::max(1, count)) {}
    void offer(float score, int item)
    {
        if (!(score > m_floor)) return;
        m_kept.push_back({score, item});
        if (m_kept.size() >= 2 * size_t(m_count)) {
            keepBest(m_kept, m_count);
            m_floor = std::min_element(m_kept.begin(), m_kept.end(), [](const Candidate &a, const Candidate &b) {
                          return a.score < b.score;
                      })->score;
        }
    }
    std::vector<Candidate> take()
    {
        keepBest(m_kept, m_count);
        return std::move(m_kept);
    }

private:
    int m_count;
    float m_floor = -std::numeric_limits<float>::infinity(); // the count-th best after a trim
    std::vector<Candidate> m_kept;
};

} // namespace

CoarseIndex::CoarseIndex(const LazyRows &rows, const Options &options, QThreadPool *pool)
    : m_codeWidth((std::max(1, options.dimensions) + kCodeAlignment - 1) / kCodeAlignment * kCodeAlignment),
      m_shortlist(std::max(1, options.shortlist))
{
    const Eigen::Index count = rows.rows();
    const Eigen::Index step = std::max<Eigen::Index>(1, count / std::max(1, options.sampleRows));
    Eigen::MatrixXf sample(std::min<Eigen::Index>(count, (count + step - 1) / step), rows.cols());
    for (Eigen::Index i = 0; i < sample.rows(); ++i) sample.row(i) = rows.rowRange(i * step, i * step + 1).row(0);
    m_mean = count > 0 ? Eigen::RowVectorXf(sample.colwise().mean()) : Eigen::RowVectorXf::Zero(rows.cols());
    sample.rowwise() -= m_mean;
    m_axes = principalAxes(sample, m_codeWidth, options.powerIterations, pool);
    sample = Eigen::MatrixXf();
    m_meanCode = m_mean * m_axes;

    m_codes.resize(size_t(count) * size_t(m_codeWidth));
    m_scales.resize(size_t(count));
    forEachBlock(int(count), kRowsPerBlock, pool, [&](int, int begin, int end) {
        RowMatrix projected = rows.rowRange(begin, end) * m_axes;
        projected.rowwise() -= m_meanCode;
        for (int r = 0; r < end - begin; ++r) {
            // Rows and queries are quantised the same way.
            const QueryCode encoded = quantise(projected.row(r));
            m_scales[size_t(begin + r)] = encoded.scale;
            std::copy(encoded.code.begin(), encoded.code.end(), m_codes.begin() + std::ptrdiff_t(begin + r) * m_codeWidth);
        }
    });
    m_shortlist = calibrateShortlist(rows, options);
}

void CoarseIndex::write(format::ByteWriter &out) const
{
    out.put<qint32>(m_codeWidth);
    out.put<qint32>(m_shortlist);
    out.putArray(m_axes.data(), m_axes.size());
    out.putArray(m_mean.data(), m_mean.size());
    out.putArray(m_meanCode.data(), m_meanCode.size());
    out.putArray(m_codes.data(), qsizetype(m_codes.size()));
    out.putArray(m_scales.data(), qsizetype(m_scales.size()));
}

std::unique_ptr<const CoarseIndex> CoarseIndex::read(format::ByteReader &in, Eigen::Index rows, Eigen::Index cols)
{
    constexpr int kMaxCodeWidth = 4096;
    std::unique_ptr<CoarseIndex> index(new CoarseIndex);
    index->m_codeWidth = in.get<qint32>();
    index->m_shortlist = in.get<qint32>();
    const qint64 width = index->m_codeWidth;
    if (!in.ok() || width <= 0 || width > kMaxCodeWidth || width % kCodeAlignment != 0 || index->m_shortlist <= 0)
        return nullptr;
    // Every size is known from the header: check the bytes are there before allocating.
    const qint64 need = (cols * width + cols + width + rows) * qint64(sizeof(float)) + rows * width;
    if (need > in.remaining()) return nullptr;
    index->m_axes.resize(cols, width);
    index->m_mean.resize(cols);
    index->m_meanCode.resize(width);
    index->m_codes.resize(size_t(rows * width));
    index->m_scales.resize(size_t(rows));
    const bool read = in.getArray(index->m_axes.data(), index->m_axes.size()) && in.getArray(index->m_mean.data(), cols)
                      && in.getArray(index->m_meanCode.data(), width)
                      && in.getArray(index->m_codes.data(), qsizetype(index->m_codes.size()))
                      && in.getArray(index->m_scales.data(), qsizetype(index->m_scales.size()));
    if (!read || !index->m_axes.allFinite() || !index->m_mean.allFinite() || !index->m_meanCode.allFinite()
        || !std::all_of(index->m_scales.begin(), index->m_scales.end(), [](float v) { return std::isfinite(v); }))
        return nullptr;
    return index;
}

int CoarseIndex::calibrateShortlist(const LazyRows &rows, const Options &options) const
{
    // How well the codes rank depends on the catalog: embeddings whose variance sits in few
    // axes (real ones) need a short list, flatter ones a longer one. Measure it: for sample
    // rows used as queries, find where their exact top 5 (themselves excluded) rank under
    // the approximate scores, and make the shortlist 1.5 times the rank that keeps 99.5% of
    // them (the recall target is 0.99; the worst single rank would be an outlier's).
    constexpr int kTopChecked = 5;
    const int count = size();
    const int queryCount = std::min(options.calibrationQueries, count);
    if (queryCount <= kTopChecked) return std::max(1, options.shortlist);
    std::vector<int> items;
    for (int s = 0; s < queryCount; ++s) items.push_back(int(std::int64_t(s) * count / queryCount));
    RowMatrix queries(queryCount, rows.cols());
    for (int s = 0; s < queryCount; ++s) queries.row(s) = rows.rowRange(items[size_t(s)], items[size_t(s)] + 1).row(0);

    // Exact top 5 of every sample query, one pass over the rows in blocks.
    std::vector<std::vector<Candidate>> exactTop(static_cast<size_t>(queryCount));
    for (int begin = 0; begin < count; begin += kRowsPerBlock) {
        const int end = std::min(count, begin + kRowsPerBlock);
        const Eigen::MatrixXf scores = queries * rows.rowRange(begin, end).transpose();
        for (int s = 0; s < queryCount; ++s) {
            for (int i = begin; i < end; ++i)
                if (i != items[size_t(s)]) exactTop[size_t(s)].push_back({scores(s, i - begin), i});
            keepBest(exactTop[size_t(s)], kTopChecked);
        }
    }
    std::vector<int> ranks;
    for (int s = 0; s < queryCount; ++s) {
        const std::vector<float> approximate = approximateScores(queries.row(s));
        for (const Candidate &top : exactTop[size_t(s)]) {
            const float score = approximate[size_t(top.item)];
            int rank = 0;
            for (int i = 0; i < count; ++i) rank += (i != items[size_t(s)] && approximate[size_t(i)] > score) ? 1 : 0;
            ranks.push_back(rank);
        }
    }
    const size_t kept = std::min(ranks.size() - 1, size_t(0.995 * double(ranks.size())));
    std::nth_element(ranks.begin(), ranks.begin() + std::ptrdiff_t(kept), ranks.end());
    return std::min(count, std::max(options.shortlist, (3 * (ranks[kept] + 1) + 1) / 2));
}

qint64 CoarseIndex::bytes() const
{
    return qint64(m_codes.size()) + qint64(m_scales.size() * sizeof(float)) + qint64(m_axes.size() * sizeof(float));
}

CoarseIndex::QueryCode CoarseIndex::quantise(const Eigen::RowVectorXf &projected)
{
    QueryCode encoded;
    const float largest = projected.cwiseAbs().maxCoeff();
    encoded.scale = largest > 0 ? largest / kCodeMax : 0.0f;
    encoded.code.resize(size_t(projected.size()));
    for (Eigen::Index j = 0; j < projected.size(); ++j)
        encoded.code[size_t(j)] = encoded.scale > 0 ? std::int8_t(std::lround(projected[j] / encoded.scale)) : 0;
    return encoded;
}

CoarseIndex::QueryCode CoarseIndex::encodeQuery(const Eigen::Ref<const Eigen::RowVectorXf> &query) const
{
    return quantise(query * m_axes); // q.mean is the same for every row: left out
}

void CoarseIndex::scoreRows(const QueryCode &query, int begin, int end, float *out) const
{
    std::vector<std::int32_t> dots(size_t(end - begin));
    dotCodes(query.code.data(), m_codes.data() + std::ptrdiff_t(begin) * m_codeWidth, m_codeWidth, end - begin,
             dots.data());
    for (int r = 0; r < end - begin; ++r) out[r] = float(dots[size_t(r)]) * query.scale * m_scales[size_t(begin + r)];
}

std::vector<float> CoarseIndex::approximateScores(const Eigen::Ref<const Eigen::RowVectorXf> &query) const
{
    std::vector<float> scores(m_scales.size());
    const QueryCode encoded = encodeQuery(query);
    forEachBlock(size(), kRowsPerBlock, nullptr, [&](int, int begin, int end) { scoreRows(encoded, begin, end, scores.data() + begin); });
    return scores;
}

std::vector<int> CoarseIndex::shortlist(const Eigen::Ref<const Eigen::RowVectorXf> &query,
                                        const SearchRequest &request, int count, QThreadPool *pool) const
{
    return shortlistFor(encodeQuery(query), request, count, pool);
}

std::vector<int> CoarseIndex::shortlistForItem(int item, const SearchRequest &request, int count, QThreadPool *pool) const
{
    // x ~ mean + A y, so A^T x ~ A^T mean + y: the item's projection without its row.
    const Eigen::Map<const Eigen::Matrix<std::int8_t, 1, Eigen::Dynamic>> code(m_codes.data() + std::ptrdiff_t(item) * m_codeWidth, m_codeWidth);
    return shortlistFor(quantise(m_meanCode + code.cast<float>() * m_scales[size_t(item)]), request, count, pool);
}

std::vector<int> CoarseIndex::shortlistFor(const QueryCode &encoded, const SearchRequest &request, int count,
                                           QThreadPool *pool) const
{
    // Blocks for the pool; on the calling thread one selection over all rows, whose floor
    // rises once rather than once per block.
    const int rowsPerBlock = pool ? kRowsPerBlock : std::max(1, size());
    std::vector<std::vector<Candidate>> perBlock(size_t((size() + rowsPerBlock - 1) / rowsPerBlock));
    forEachBlock(size(), rowsPerBlock, pool, [&](int index, int begin, int end) {
        std::vector<float> scores(size_t(end - begin));
        scoreRows(encoded, begin, end, scores.data());
        BestCandidates best(count);
        for (int r = 0; r < end - begin; ++r) {
            const int item = begin + r;
            if (item == request.excludeItem) continue;
            if (request.allowed && !(*request.allowed)[size_t(item)]) continue;
            best.offer(scores[size_t(r)], item);
        }
        perBlock[size_t(index)] = best.take();
    });
    std::vector<Candidate> merged;
    for (const auto &block : perBlock) merged.insert(merged.end(), block.begin(), block.end());
    keepBest(merged, count);
    std::vector<int> items;
    items.reserve(merged.size());
    for (const Candidate &c : merged) items.push_back(c.item);
    return items;
}

} // namespace lookbook
