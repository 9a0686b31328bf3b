#include "Indexer.h"

#include "CacheFiles.h"
#include "IndexJournal.h"
#include "ParallelBlocks.h"
#include "Pools.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QLockFile>
#include <QThread>

#include <opencv2/core.hpp>

#include <unordered_map>

namespace lookbook {

namespace {

struct Decoded {
    CatalogFile file;
    cv::Mat image;  // empty when decoding failed
    QString error;
};

// Decodes a batch in the background, its images in parallel, while the network embeds the
// previous batch.
QFuture<std::vector<Decoded>> decodeAsync(const QString &root, std::vector<CatalogFile> files, const ImageLoader &loader)
{
    return runTask(QThreadPool::globalInstance(), [root, files = std::move(files), loader] {
        std::vector<Decoded> decoded(files.size());
        forEachBlock(files.size(), size_t(1), pools::decode(), [&](int, size_t i, size_t) {
            auto image = loader.loadFile(root + u'/' + files[i].relativePath);
            decoded[i] = image ? Decoded{files[i], *image, {}} : Decoded{files[i], {}, image.error()};
        });
        return decoded;
    });
}

// The network should not fail on an image the loader accepted, but if OpenCV throws for
// one, the batch is retried image by image so only the culprit is skipped.
RowMatrix embedSkippingFailures(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                const std::vector<cv::Mat> &images, JournalBatch &batch)
{
    try {
        return model.embed(images, recipe);
    } catch (const cv::Exception &) {
    }
    RowMatrix rows(0, model.dimension(recipe));
    std::vector<CatalogFile> kept;
    for (size_t i = 0; i < images.size(); ++i) {
        try {
            const RowMatrix one = model.embed({images[i]}, recipe);
            rows.conservativeResize(rows.rows() + 1, Eigen::NoChange);
            rows.row(rows.rows() - 1) = one.row(0);
            kept.push_back(batch.files[i]);
        } catch (const cv::Exception &e) {
            batch.skipped.push_back({batch.files[i], QStringLiteral("the network failed on it: %1").arg(QString::fromUtf8(e.what()).simplified())});
        }
    }
    batch.files = std::move(kept);
    return rows;
}

} // namespace

Indexer::Indexer(std::shared_ptr<const EmbeddingModel> model, EmbeddingRecipe recipe, IndexOptions options)
    : m_model(std::move(model)), m_recipe(recipe), m_options(options)
{
}

Expected<IndexReport> Indexer::update(const QString &catalogRoot, const QString &cachePath,
                                      const ProgressCallback &onProgress, const std::atomic_bool *cancel,
                                      const StoreCallback &onStoreChanged) const
{
    using Result = Expected<IndexReport>;
    QElapsedTimer clock;
    clock.start();
    const QString root = QFileInfo(catalogRoot).absoluteFilePath();
    IndexReport report;
    report.cachePath = cachePath;

    QDir().mkpath(QFileInfo(cachePath).absolutePath());
    QLockFile lock(cacheFiles::lockPath(cachePath));
    if (!lock.tryLock(m_options.lockWaitMs)) {
        qint64 pid = 0;
        QString host, app;
        lock.getLockInfo(&pid, &host, &app);
        return Result::failure(QStringLiteral("another Lookbook process (pid %1) is indexing this catalog; "
                                              "wait for it to finish").arg(pid));
    }

    auto scanned = CatalogScanner::scan(root, cancel);
    if (!scanned) return Result::failure(scanned.error());
    report.catalogFiles = int(scanned->size());

    const StoreIdentity identity = cacheFiles::identityFor(m_model->descriptor(), m_recipe);
    OpenedStore opened = cacheFiles::open(cachePath, identity);
    EmbeddingStore &store = opened.store;
    report.cacheProblem = opened.problem;
    report.resumedBatches = opened.journalBatches;

    // Decide what to do with every file on disk.
    std::unordered_map<QString, const CatalogFile *> onDisk;
    onDisk.reserve(scanned->size());
    for (const CatalogFile &f : *scanned) onDisk.emplace(f.relativePath, &f);
    store.retainIf([&](const CatalogFile &item) {
        const auto it = onDisk.find(item.relativePath);
        if (it == onDisk.end()) {
            ++report.removed;
            return false;
        }
        if (!it->second->sameVersionAs(item)) {
            ++report.changed;
            return false;
        }
        return true;
    });
    report.unchanged = store.size();
    std::unordered_map<QString, SkippedFile> knownBad;
    for (const SkippedFile &s : store.skipped()) knownBad.insert_or_assign(s.file.relativePath, s);
    std::vector<SkippedFile> stillBad;
    std::vector<CatalogFile> todo;
    for (const CatalogFile &f : *scanned) {
        if (store.indexOf(f.relativePath) >= 0) continue;
        const auto bad = knownBad.find(f.relativePath);
        if (bad != knownBad.end() && bad->second.file.sameVersionAs(f)) stillBad.push_back(bad->second);
        else todo.push_back(f);
    }
    report.skippedKnown = int(stillBad.size());
    const bool skippedGone = stillBad.size() != store.skipped().size(); // failed files since removed or changed
    store.setSkipped(stillBad);

    // Fold anything recovered or dropped into the saved cache before starting a new journal,
    // so that a crash from here on never loses it.
    const QString journalPath = cacheFiles::journalPath(cachePath);
    if (opened.journalBatches > 0 || report.removed + report.changed > 0 || skippedGone || !opened.problem.isEmpty()
        || !QFileInfo::exists(cachePath)) {
        if (Status saved = store.save(cachePath); !saved) return Result::failure(saved.error());
        QFile::remove(journalPath);
    }
    if (todo.empty()) {
        // The cache on disk is the store as it is now: rewriting it (550 MB at 44k items)
        // would be most of the time an unchanged catalog takes to check.
        report.seconds = double(clock.nsecsElapsed()) / 1e9;
        return report;
    }
    auto created = IndexJournal::create(journalPath, identity);
    if (!created) return Result::failure(created.error());
    std::unique_ptr<IndexJournal> journal = std::move(*created);

    const ImageLoader loader(m_options.limits);
    const int batchSize = std::max(1, m_options.batchSize);
    const auto batchOf = [&](size_t start) {
        return std::vector<CatalogFile>(todo.begin() + qsizetype(start),
                                        todo.begin() + qsizetype(std::min(todo.size(), start + size_t(batchSize))));
    };
    IndexProgress progress;
    progress.total = int(todo.size());
    QElapsedTimer embedClock;
    embedClock.start();
    QFuture<std::vector<Decoded>> next;
    if (!todo.empty()) next = decodeAsync(root, batchOf(0), loader);
    for (size_t start = 0; start < todo.size(); start += size_t(batchSize)) {
        if (cancel && cancel->load()) {
            resultOf(next); // the batch being decoded, dropped: a fraction of a second
            report.cancelled = true;
            break;
        }
        const std::vector<Decoded> decoded = resultOf(next);
        const size_t following = start + size_t(batchSize);
        if (following < todo.size()) next = decodeAsync(root, batchOf(following), loader); // overlaps the network

        JournalBatch batch;
        std::vector<cv::Mat> images;
        for (const Decoded &d : decoded) {
            if (d.image.empty()) {
                batch.skipped.push_back({d.file, d.error});
            } else {
                batch.files.push_back(d.file);
                images.push_back(d.image);
            }
        }
        batch.rows = embedSkippingFailures(*m_model, m_recipe, images, batch);
        store.upsert(batch.files, batch.rows);
        report.embedded += int(batch.files.size());
        report.skipped.insert(report.skipped.end(), batch.skipped.begin(), batch.skipped.end());
        if (Status appended = journal->append(batch); !appended) return Result::failure(appended.error());

        progress.done += int(decoded.size());
        progress.lastFile = decoded.empty() ? QString() : decoded.back().file.relativePath;
        const double elapsed = double(embedClock.nsecsElapsed()) / 1e9;
        progress.imagesPerSecond = elapsed > 0 ? progress.done / elapsed : 0;
        progress.secondsLeft = progress.imagesPerSecond > 0 ? (progress.total - progress.done) / progress.imagesPerSecond : -1;
        if (onStoreChanged) onStoreChanged(store);
        if (onProgress) onProgress(progress);
    }

    // Save the whole store (also after a cancel) and retire the journal.
    std::vector<SkippedFile> allSkipped = store.skipped();
    allSkipped.insert(allSkipped.end(), report.skipped.begin(), report.skipped.end());
    store.setSkipped(std::move(allSkipped));
    journal.reset(); // closed before it is removed (Windows cannot remove an open file)
    if (Status saved = store.save(cachePath); !saved) return Result::failure(saved.error());
    QFile::remove(journalPath);
    report.seconds = double(clock.nsecsElapsed()) / 1e9;
    return report;
}

} // namespace lookbook
