#include "Indexer.h"

#include "CacheFiles.h"
#include "CacheLock.h"
#include "IndexJournal.h"
#include "ParallelBlocks.h"
#include "Pools.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
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

// OpenCV runs a batch of one image through other kernels than a larger batch, and that
// row differs in its last bits (by up to 4e-8, seen on the training catalog), while
// batches of 2, 7 and 16 give identical rows. A lone image is therefore embedded as a pair
// with itself: every row is then the same whichever batch its file falls in, so a catalog
// indexed in shards merges bit for bit into what one run makes.
RowMatrix embedBatchOfAnySize(const EmbeddingModel &model, const EmbeddingRecipe &recipe, const std::vector<cv::Mat> &images)
{
    if (images.size() != 1) return model.embed(images, recipe);
    return model.embed({images[0], images[0]}, recipe).topRows(1);
}

// The network should not fail on an image the loader accepted, but if OpenCV throws for
// one, the batch is retried image by image so only the culprit is skipped.
RowMatrix embedSkippingFailures(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                const std::vector<cv::Mat> &images, JournalBatch &batch)
{
    try {
        return embedBatchOfAnySize(model, recipe, images);
    } catch (const cv::Exception &) {
    }
    RowMatrix rows(0, model.dimension(recipe));
    std::vector<CatalogFile> kept;
    for (size_t i = 0; i < images.size(); ++i) {
        try {
            const RowMatrix one = embedBatchOfAnySize(model, recipe, {images[i]});
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

// Drops from the store what is no longer on disk or has changed since, counted in `report`.
void dropRemovedAndChanged(EmbeddingStore &store, const std::vector<CatalogFile> &scanned, IndexReport &report)
{
    std::unordered_map<QString, const CatalogFile *> onDisk;
    onDisk.reserve(scanned.size());
    for (const CatalogFile &f : scanned) onDisk.emplace(f.relativePath, &f);
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
}

// The files on disk that are not in the store: to embed, unless they failed before and are
// unchanged since (kept as skipped, not retried). `skippedGone` says whether a file that
// failed before was removed or changed since.
std::vector<CatalogFile> filesToEmbed(EmbeddingStore &store, const std::vector<CatalogFile> &scanned,
                                      IndexReport &report, bool &skippedGone)
{
    std::unordered_map<QString, SkippedFile> knownBad;
    for (const SkippedFile &s : store.skipped()) knownBad.insert_or_assign(s.file.relativePath, s);
    std::vector<SkippedFile> stillBad;
    std::vector<CatalogFile> todo;
    for (const CatalogFile &f : scanned) {
        if (store.itemOf(f.relativePath) >= 0) continue;
        const auto bad = knownBad.find(f.relativePath);
        if (bad != knownBad.end() && bad->second.file.sameVersionAs(f)) stillBad.push_back(bad->second);
        else todo.push_back(f);
    }
    report.skippedKnown = int(stillBad.size());
    skippedGone = stillBad.size() != store.skipped().size();
    store.setSkipped(stillBad);
    return todo;
}

// A decoded batch embedded: the files that decoded and embedded, their rows, and the rest
// as skipped.
JournalBatch embedBatch(const EmbeddingModel &model, const EmbeddingRecipe &recipe, const std::vector<Decoded> &decoded)
{
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
    batch.rows = embedSkippingFailures(model, recipe, images, batch);
    return batch;
}

void advance(IndexProgress &progress, const std::vector<Decoded> &decoded, const QElapsedTimer &embedClock)
{
    progress.done += int(decoded.size());
    progress.lastFile = decoded.empty() ? QString() : decoded.back().file.relativePath;
    const double elapsed = double(embedClock.nsecsElapsed()) / 1e9;
    progress.imagesPerSecond = elapsed > 0 ? progress.done / elapsed : 0;
    progress.secondsLeft = progress.imagesPerSecond > 0 ? (progress.total - progress.done) / progress.imagesPerSecond : -1;
}

// What embedding the files of one run needs besides the files and the store.
struct EmbeddingRun {
    const EmbeddingModel &model;
    const EmbeddingRecipe &recipe;
    const QString &root;
    const ImageLoader &loader;
    int batchSize;
    const std::atomic_bool *cancel;
    const Indexer::ProgressCallback &onProgress;
    const Indexer::StoreCallback &onStoreChanged;
};

// Embeds `todo` batch by batch into the store, each batch appended to the journal, the next
// batch decoded while the network runs on this one. Stops early on a cancel
// (report.cancelled); fails only when the journal cannot be written.
Status embedInBatches(const EmbeddingRun &run, const std::vector<CatalogFile> &todo, EmbeddingStore &store,
                      IndexJournal &journal, IndexReport &report)
{
    const auto batchOf = [&](size_t start) {
        return std::vector<CatalogFile>(todo.begin() + qsizetype(start),
                                        todo.begin() + qsizetype(std::min(todo.size(), start + size_t(run.batchSize))));
    };
    IndexProgress progress;
    progress.total = int(todo.size());
    QElapsedTimer embedClock;
    embedClock.start();
    QFuture<std::vector<Decoded>> next;
    if (!todo.empty()) next = decodeAsync(run.root, batchOf(0), run.loader);
    for (size_t start = 0; start < todo.size(); start += size_t(run.batchSize)) {
        if (run.cancel && run.cancel->load()) {
            resultOf(next); // the batch being decoded, dropped: a fraction of a second
            report.cancelled = true;
            break;
        }
        const std::vector<Decoded> decoded = resultOf(next);
        const size_t following = start + size_t(run.batchSize);
        if (following < todo.size()) next = decodeAsync(run.root, batchOf(following), run.loader); // overlaps the network

        const JournalBatch batch = embedBatch(run.model, run.recipe, decoded);
        store.upsert(batch.files, batch.rows);
        report.embedded += int(batch.files.size());
        report.skipped.insert(report.skipped.end(), batch.skipped.begin(), batch.skipped.end());
        if (Status appended = journal.append(batch); !appended) return appended;

        advance(progress, decoded, embedClock);
        if (run.onStoreChanged) run.onStoreChanged(store);
        if (run.onProgress) run.onProgress(progress);
    }
    return success();
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
    auto lock = CacheLock::acquire(cachePath, m_options.lockWaitMs, m_options.lockTiming);
    if (!lock) return Result::failure(lock.error());

    auto scanned = CatalogScanner::scan(root, cancel);
    if (!scanned) return Result::failure(scanned.error());
    report.catalogFiles = int(scanned->size());
    CatalogShard shard = m_options.shard;
    if (shard.isPart()) shard.listing = CatalogListing::of(*scanned);
    const std::vector<CatalogFile> files = shard.isPart() ? shard.filesOf(*scanned) : std::move(*scanned);
    report.shardFiles = int(files.size());

    const StoreIdentity identity = cacheFiles::identityFor(m_model->descriptor(), m_recipe);
    OpenedStore opened = cacheFiles::open(cachePath, identity, shard);
    if (opened.otherPart) return Result::failure(opened.problem);
    EmbeddingStore &store = opened.store;
    report.cacheProblem = opened.problem;
    report.resumedBatches = opened.journalBatches;
    const bool listingChanged = !(store.shard().listing == shard.listing); // a part's catalog changed elsewhere
    store.setShard(shard);

    // Decide what to do with every file on disk.
    dropRemovedAndChanged(store, files, report);
    bool skippedGone = false; // failed files since removed or changed
    const std::vector<CatalogFile> todo = filesToEmbed(store, files, report, skippedGone);

    // Fold anything recovered or dropped into the saved cache before starting a new journal,
    // so that a crash from here on never loses it.
    const QString journalPath = cacheFiles::journalPath(cachePath);
    if (opened.journalBatches > 0 || report.removed + report.changed > 0 || skippedGone || !opened.problem.isEmpty()
        || listingChanged || !QFileInfo::exists(cachePath)) {
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
    const EmbeddingRun run{*m_model, m_recipe, root, loader, std::max(1, m_options.batchSize), cancel, onProgress, onStoreChanged};
    if (Status embedded = embedInBatches(run, todo, store, *journal, report); !embedded)
        return Result::failure(embedded.error());

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
