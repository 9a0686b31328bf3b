#include "BenchSupport.h"

#include "CacheFiles.h"
#include "ModelDescriptor.h"

#include <QFile>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>

namespace lookbook::bench {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

double medianMs(int repeats, const std::function<void(int)> &run)
{
    run(0);
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        run(r);
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

double secondsOf(const std::function<void()> &run)
{
    const auto start = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double residentMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) return 0;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return 0;
}

QString residentParts()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) return {};
    QStringList parts;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("RssAnon:") || line.startsWith("RssFile:")) parts << QString::fromLatin1(line.simplified());
    return parts.join(QStringLiteral(", "));
}

RowMatrix syntheticRows(const RowMatrix &base, Eigen::Index count, unsigned seed)
{
    std::mt19937 random(seed);
    std::uniform_int_distribution<Eigen::Index> pick(0, base.rows() - 1);
    std::uniform_real_distribution<float> share(0.0f, 0.5f);
    // Noise directions drawn once and reused: a million rows would otherwise need two
    // billion normal draws, minutes of the benchmark spent on making data.
    constexpr Eigen::Index kNoiseRows = 4096;
    std::normal_distribution<float> normal;
    RowMatrix noise(kNoiseRows, base.cols());
    for (Eigen::Index i = 0; i < noise.size(); ++i) noise.data()[i] = normal(random);
    noise.rowwise().normalize();
    std::uniform_int_distribution<Eigen::Index> pickNoise(0, kNoiseRows - 1);
    RowMatrix rows(count, base.cols());
    for (Eigen::Index i = 0; i < count; ++i) {
        // Mostly one real item, partly another, and some noise: near neighbours at the
        // cosines real catalogs show (0.7-0.95), never exact duplicates.
        const float mix = share(random);
        rows.row(i) = (1.0f - mix) * base.row(pick(random)) + mix * base.row(pick(random)) + 0.3f * noise.row(pickNoise(random));
        rows.row(i).normalize();
    }
    return rows;
}

RowMatrix baseRows(const QString &cachePath, int dimension)
{
    if (!cachePath.isEmpty()) {
        // The cache may have been made with the default recipe or the seed's.
        QString problem;
        for (const EmbeddingRecipe &recipe : {EmbeddingRecipe::defaultRecipe(), EmbeddingRecipe::seedRecipe()}) {
            auto loaded = EmbeddingStore::load(cachePath, cacheFiles::identityFor(ModelDescriptor::builtIn(), recipe));
            if (!loaded) {
                problem = loaded.error();
                continue;
            }
            RowMatrix rows = loaded->vectors().leftCols(std::min(dimension, loaded->dimension()));
            rows.rowwise().normalize();
            out() << QStringLiteral("base rows: %1 real embeddings from %2\n").arg(rows.rows()).arg(cachePath);
            return rows;
        }
        std::fprintf(stderr, "lookbook-bench: %s; using Gaussian base rows instead\n", qPrintable(problem));
    }
    // Low-rank structure (64 factors) like real embeddings, plus a little isotropic noise.
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    RowMatrix factors(3000, 64), loadings(64, dimension);
    for (Eigen::Index i = 0; i < factors.size(); ++i) factors.data()[i] = normal(random);
    for (Eigen::Index i = 0; i < loadings.size(); ++i) loadings.data()[i] = normal(random);
    RowMatrix rows = factors * loadings;
    rows.rowwise().normalize();
    return rows;
}

std::vector<int> exactTopK(const Eigen::VectorXf &scores, int k)
{
    std::vector<int> order(size_t(scores.size()));
    std::iota(order.begin(), order.end(), 0);
    const int kept = std::min<int>(k, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + kept, order.end(), [&](int a, int b) {
        return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
    });
    order.resize(size_t(kept));
    return order;
}

double recall(const std::vector<int> &reference, const std::vector<int> &found)
{
    if (reference.empty()) return 1.0;
    int hits = 0;
    for (int item : reference) hits += std::find(found.begin(), found.end(), item) != found.end() ? 1 : 0;
    return double(hits) / double(reference.size());
}

} // namespace lookbook::bench
