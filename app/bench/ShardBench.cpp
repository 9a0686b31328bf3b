#include "ShardBench.h"

#include "BenchSupport.h"
#include "CacheFiles.h"
#include "EmbeddingStore.h"
#include "ModelDescriptor.h"
#include "ResourceLocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <cstring>
#include <memory>
#include <vector>

namespace lookbook::bench {

namespace {

const QString kTrainImages = QStringLiteral("data/fashion-product-images-small-train/images");

// lookbook-cli is built into the same folder as lookbook-bench.
QString cliPath()
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("lookbook-cli"));
}

// A catalog of links to the first `count` training images by name; empty (and `problem`
// set) when the shared folder or its training images are missing.
QString linkedCatalog(const QString &root, int count, QString *problem)
{
    const QString images = ResourceLocator::sharedPath(kTrainImages);
    if (images.isEmpty() || !QFileInfo(images).isDir()) {
        *problem = QStringLiteral("The training images (%1) were not found: no shared folder among %2 holds them. "
                                  "Set LOOKBOOK_SHARED to the shared folder, or name a catalog with --shard-catalog.")
                       .arg(kTrainImages, ResourceLocator::sharedDirCandidates().join(QStringLiteral(", ")));
        return {};
    }
    const QStringList names = QDir(images).entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name).mid(0, count);
    if (names.size() < count) {
        *problem = QStringLiteral("Only %1 images are in %2; %3 were asked for with --images.").arg(names.size()).arg(images).arg(count);
        return {};
    }
    const QString catalog = QDir(root).filePath(QStringLiteral("catalog"));
    QDir().mkpath(catalog);
    for (const QString &name : names)
        if (!QFile::link(QDir(images).filePath(name), QDir(catalog).filePath(name))) {
            *problem = QStringLiteral("Could not link %1 into %2.").arg(name, catalog);
            return {};
        }
    return catalog;
}

// Reads every file of the catalog and the model once, so that no run is the one that pays
// for reading them from the disk.
int warmPageCache(const QString &catalog)
{
    int files = 0;
    QDirIterator it(catalog, QDir::Files, QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly)) {
            file.readAll();
            ++files;
        }
    }
    const ModelLookup model = ResourceLocator::findModel(ModelDescriptor::builtIn());
    if (QFile file(model.path); !model.path.isEmpty() && file.open(QIODevice::ReadOnly))
        while (!file.read(1 << 24).isEmpty()) {}
    return files;
}

// lookbook-cli processes started at once; the seconds until the last one finished, or a
// negative number (and `problem` set) when one failed.
double runAtOnce(const std::vector<QStringList> &commands, QString *problem)
{
    std::vector<std::unique_ptr<QProcess>> processes;
    const auto start = std::chrono::steady_clock::now();
    for (const QStringList &arguments : commands) {
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::SeparateChannels);
        process->start(cliPath(), arguments);
        processes.push_back(std::move(process));
    }
    bool failed = false;
    for (size_t i = 0; i < processes.size(); ++i) {
        QProcess &process = *processes[i];
        process.waitForFinished(-1);
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
            failed = true;
            *problem += QStringLiteral("lookbook-cli %1 failed (exit %2): %3%4\n")
                            .arg(commands[i].join(u' '))
                            .arg(process.exitCode())
                            .arg(process.errorString() + u' ', QString::fromLocal8Bit(process.readAllStandardError()).trimmed());
        }
    }
    const double seconds = msSince(start) / 1000.0;
    return failed ? -1.0 : seconds;
}

Expected<EmbeddingStore> loadDefaultRecipe(const QString &cache)
{
    return EmbeddingStore::load(cache, cacheFiles::identityFor(ModelDescriptor::builtIn(), EmbeddingRecipe::defaultRecipe()));
}

// Whether `merged` holds the same files as `single`, each with the same row to the bit
// (matched by path: the order of the rows is no part of the promise); why not in `why`.
bool sameRowsBitForBit(const EmbeddingStore &single, const EmbeddingStore &merged, QString *why)
{
    if (single.size() != merged.size() || single.dimension() != merged.dimension()) {
        *why = QStringLiteral("%1 rows of %2 columns against the single run's %3 of %4")
                   .arg(merged.size()).arg(merged.dimension()).arg(single.size()).arg(single.dimension());
        return false;
    }
    QHash<QString, int> rowOf;
    for (int i = 0; i < single.size(); ++i) rowOf.insert(single.items()[size_t(i)].relativePath, i);
    int differing = 0;
    for (int i = 0; i < merged.size(); ++i) {
        const auto found = rowOf.constFind(merged.items()[size_t(i)].relativePath);
        if (found == rowOf.constEnd()
            || std::memcmp(single.vector(*found).data(), merged.vector(i).data(), size_t(single.dimension()) * sizeof(float)) != 0)
            ++differing;
    }
    if (differing > 0) *why = QStringLiteral("%1 of %2 rows differ or are missing").arg(differing).arg(merged.size());
    return differing == 0;
}

} // namespace

int runShardBench(const ShardBenchOptions &options)
{
    QTemporaryDir work(QDir(options.workDir).filePath(QStringLiteral("lookbook-bench-shards-XXXXXX")));
    if (!work.isValid()) {
        out() << "Could not make a temporary folder in " << options.workDir << ": " << work.errorString() << "\n";
        return 1;
    }
    if (!QFileInfo(cliPath()).isExecutable()) {
        out() << "lookbook-cli was not found beside lookbook-bench (" << cliPath() << "); build the lookbook-cli target.\n";
        return 1;
    }
    QString problem;
    const QString catalog = options.catalog.isEmpty() ? linkedCatalog(work.path(), options.images, &problem)
                                                      : QFileInfo(options.catalog).absoluteFilePath();
    if (catalog.isEmpty() || !QFileInfo(catalog).isDir()) {
        out() << (problem.isEmpty() ? QStringLiteral("The catalog folder %1 does not exist.").arg(options.catalog) : problem) << "\n";
        return 1;
    }
    const int files = warmPageCache(catalog);
    out() << QStringLiteral("== local shards: %1 files of %2 (read once beforehand, so every run finds them in the page cache); "
                            "%3 cores (QThread::idealThreadCount); %4\n")
                 .arg(files).arg(catalog).arg(QThread::idealThreadCount()).arg(loadLine());
    out() << "  every run is real lookbook-cli processes (" << cliPath()
          << "), default recipe, fresh cache files, timed from start to exit: model loading and garment colours included.\n"
             "  threads: lookbook-cli has no thread option, so each process keeps its defaults (OpenCV and Qt's pool "
             "on every core): N shards on this machine run N times as many threads as cores.\n";
    out().flush();

    auto cache = [&](const QString &name) { return work.filePath(name); };
    const QString whole = cache(QStringLiteral("whole.lbi"));
    const double singleSeconds = runAtOnce({{QStringLiteral("index"), catalog, QStringLiteral("--cache"), whole}}, &problem);
    auto single = singleSeconds < 0 ? Expected<EmbeddingStore>::failure(problem) : loadDefaultRecipe(whole);
    if (!single) {
        out() << "The single run failed: " << single.error() << "\n";
        return 1;
    }
    const int images = single->size();
    const double singleRate = images / singleSeconds;
    out() << QStringLiteral("  single process: %1 images, %2 s, %3 images/s\n")
                 .arg(images).arg(singleSeconds, 0, 'f', 2).arg(singleRate, 0, 'f', 2);
    out().flush();

    bool allIdentical = true;
    for (const int n : {1, 2, 4}) {
        std::vector<QStringList> shards;
        QStringList merge{QStringLiteral("merge"), catalog};
        for (int k = 1; k <= n; ++k) {
            const QString part = cache(QStringLiteral("shards-%1-part-%2.lbi").arg(n).arg(k));
            shards.push_back({QStringLiteral("index"), catalog, QStringLiteral("--shard"), QStringLiteral("%1/%2").arg(k).arg(n),
                              QStringLiteral("--cache"), part});
            merge << part;
        }
        const QString merged = cache(QStringLiteral("shards-%1-merged.lbi").arg(n));
        merge << QStringLiteral("--cache") << merged;
        problem.clear();
        const double shardSeconds = runAtOnce(shards, &problem);
        const double mergeSeconds = shardSeconds < 0 ? -1.0 : runAtOnce({merge}, &problem);
        auto fromParts = mergeSeconds < 0 ? Expected<EmbeddingStore>::failure(problem) : loadDefaultRecipe(merged);
        if (!fromParts) {
            out() << QStringLiteral("  %1 shards: failed: %2\n").arg(n).arg(fromParts.error());
            allIdentical = false;
            continue;
        }
        QString why;
        const bool identical = sameRowsBitForBit(*single, *fromParts, &why);
        allIdentical = allIdentical && identical;
        const double total = shardSeconds + mergeSeconds;
        out() << QStringLiteral("  %1 shard process%2: %3 images, %4 s (shards %5 s + merge %6 s), %7 images/s "
                                "(shards alone %8): %9x the single process; bit-identical: %10\n")
                     .arg(n).arg(n == 1 ? QString() : QStringLiteral("es")).arg(fromParts->size())
                     .arg(total, 0, 'f', 2).arg(shardSeconds, 0, 'f', 2).arg(mergeSeconds, 0, 'f', 2)
                     .arg(images / total, 0, 'f', 2).arg(images / shardSeconds, 0, 'f', 2)
                     .arg(singleSeconds / total, 0, 'f', 3)
                     .arg(identical ? QStringLiteral("yes") : QStringLiteral("no (%1)").arg(why));
        out().flush();
    }
    out() << "  " << loadLine() << "\n";
    out().flush();
    return allIdentical ? 0 : 1;
}

} // namespace lookbook::bench
