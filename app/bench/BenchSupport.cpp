#include "BenchSupport.h"

#include "CacheFiles.h"
#include "ModelDescriptor.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

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

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

QString loadLine()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly)) return QStringLiteral("load: unknown");
    const QList<QByteArray> parts = file.readAll().simplified().split(' ');
    return QStringLiteral("load average %1, %2, %3 (1, 5, 15 min)")
        .arg(QString::fromLatin1(parts.value(0)), QString::fromLatin1(parts.value(1)), QString::fromLatin1(parts.value(2)));
}

namespace {

// The share of `fd`'s pages in the page cache (mincore of a fresh mapping, which maps
// nothing into the process until it is read).
double cachedShare(int fd, off_t bytes)
{
    if (bytes <= 0) return 0;
    void *mapped = mmap(nullptr, size_t(bytes), PROT_READ, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) return 0;
    const long page = sysconf(_SC_PAGESIZE);
    std::vector<unsigned char> resident(size_t((bytes + page - 1) / page));
    double share = 0;
    if (mincore(mapped, size_t(bytes), resident.data()) == 0)
        share = double(std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; }))
            / double(resident.size());
    munmap(mapped, size_t(bytes));
    return share;
}

} // namespace

double evictFromPageCache(const QString &cachePath)
{
    double left = 0;
    const QStringList paths{cachePath, cacheFiles::journalPath(cachePath), cacheFiles::colourPath(cachePath),
                            cacheFiles::spacePath(cachePath), cacheFiles::projectionPath(cachePath)};
    for (const QString &path : paths) {
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue; // side files that this cache does not have
        fdatasync(fd);
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        if (path == cachePath) left = cachedShare(fd, off_t(QFileInfo(path).size()));
        ::close(fd);
    }
    return left;
}

WarmCold warmAndCold(const QString &cachePath, int repeats, const std::function<Stages(int)> &run,
                     const std::function<void()> &letGo)
{
    WarmCold runs;
    for (int r = 0; r < repeats; ++r) {
        if (letGo) letGo();
        runs.stillCached = std::max(runs.stillCached, evictFromPageCache(cachePath));
        runs.cold.push_back(run(r));
        runs.warm.push_back(run(r));
    }
    return runs;
}

namespace {
std::vector<double> stageOf(const std::vector<Stages> &runs, size_t stage)
{
    std::vector<double> values;
    for (const Stages &s : runs) values.push_back(s.at(stage));
    return values;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}
} // namespace

double medianOf(const std::vector<Stages> &runs, size_t stage)
{
    return median(stageOf(runs, stage));
}

QString describeWarmCold(const WarmCold &runs, size_t stage)
{
    auto summary = [&](const std::vector<double> &v) {
        const auto [low, high] = std::minmax_element(v.begin(), v.end());
        return QStringLiteral("%1 ms (%2-%3)").arg(median(v), 0, 'f', 2).arg(*low, 0, 'f', 2).arg(*high, 0, 'f', 2);
    };
    const std::vector<double> cold = stageOf(runs.cold, stage), warm = stageOf(runs.warm, stage);
    if (cold.empty()) return QStringLiteral("no runs");
    std::vector<double> ratios;
    for (size_t i = 0; i < cold.size(); ++i) ratios.push_back(cold[i] / std::max(warm[i], 1e-6));
    return QStringLiteral("warm %1, cold %2: cold / warm %3x over %4 pairs (cache %5% cached after eviction)")
        .arg(summary(warm), summary(cold))
        .arg(median(ratios), 0, 'f', 1)
        .arg(cold.size())
        .arg(100.0 * runs.stillCached, 0, 'f', 1);
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

RowMatrix baseRows(const QString &cachePath, int dimension, QString *source)
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
            if (source) *source = QStringLiteral("the %1 real rows of %2").arg(rows.rows()).arg(QFileInfo(cachePath).fileName());
            return rows;
        }
        std::fprintf(stderr, "lookbook-bench: %s; using Gaussian base rows instead\n", qPrintable(problem));
    }
    if (source) *source = QStringLiteral("Gaussian factors");
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
