#include "CatalogSession.h"

#include "CacheFiles.h"
#include "CacheLock.h"
#include "GarmentColour.h"
#include "ParallelBlocks.h"
#include "Pools.h"
#include "ProjectionTuning.h"
#include "ResourceLocator.h"
#include "SearchSpace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>

namespace lookbook {

namespace {
// How often a growing index is published to searches while indexing runs: each
// publication copies the store, so not after every batch of a large catalog.
constexpr qint64 kSnapshotIntervalMs = 2000;
// The app's own cancelled run of the same catalog finishes its batch within this time.
constexpr int kLockWaitMs = 15000;
} // namespace

// The search space of the latest store and projection. The full space (with neighbour
// augmentation, a catalog-wide nearest-neighbour pass, and for large catalogs a coarse
// index) is read back from where it was saved beside the cache, or else built on a worker
// and saved; until it is ready, searches use a quick space with the projection only and
// exact scans, so no search ever waits for it. The lock guards the fields only: loading,
// building and saving run outside it and publish with a version check, so a search never
// queues behind another's work on the space.
struct CatalogSession::SpaceSlot {
    // A full build on pools::spaceBuild(). Its runnable is the slot's (not auto-deleted), so
    // that a queued build can be taken back from the pool; a running one is awaited.
    struct Build {
        std::atomic_bool cancel{false};
        std::unique_ptr<QRunnable> task;
        std::latch ended{1}; // counted down once: when the task ends, or when it is taken back unrun

        void finish() { ended.count_down(); }
        bool isFinished() const { return ended.try_wait(); }
        void wait() const { ended.wait(); }
    };

    std::mutex mutex;
    std::condition_variable prepared; // the first space of a version was published, or given up
    std::shared_ptr<const EmbeddingStore> store;
    std::shared_ptr<const DiscriminantProjection> projection; // null: the built-in one
    std::shared_ptr<const SearchSpace> quick;
    std::shared_ptr<const SearchSpace> full;
    bool preparing = false; // a caller is reading or building the current version's first space
    bool closed = false;    // the session is going: no build starts any more
    NewestWins versions;    // another store or projection makes a build under way stale
    std::vector<std::unique_ptr<Build>> builds;

    ~SpaceSlot() { close(); }

    // Call from a worker thread: may load a saved space or build the quick one. A space is
    // of a store and a projection: another of either replaces it.
    std::shared_ptr<const SearchSpace> spaceFor(const Catalog &catalog);
    // True while a full build that is still wanted is queued or running.
    bool isBuilding();
    // The session's store or projection changed: the spaces are dropped, a build of them stops.
    void forget();
    // The session is going: no build starts from now on, a queued one is taken back and a
    // running one awaited.
    void close();

private:
    bool serves(const Catalog &catalog) const { return store == catalog.store() && projection == catalog.projection(); }
    // The rest under the lock.
    void startVersion(std::shared_ptr<const EmbeddingStore> newStore,
                      std::shared_ptr<const DiscriminantProjection> newProjection);
    void startBuild(const Catalog &catalog, const NewestWins::Ticket &version);
    // Without the lock, on the build's thread.
    void runBuild(Build &build, const Catalog &catalog, const NewestWins::Ticket &version);
};

namespace {
struct PreparedSpace {
    std::shared_ptr<const SearchSpace> space;
    bool isFull = false;
};

// A catalog reopened as it was saved: its space is read back in a fraction of a second
// instead of rebuilt (tens of seconds at 44k items). Else the quick space, which is the
// full one when the recipe asks for nothing more of a small catalog.
PreparedSpace prepareSpace(const Catalog &catalog)
{
    if (auto saved = catalog.loadSavedSpace()) return {*saved, true};
    EmbeddingRecipe quickRecipe = catalog.recipe();
    quickRecipe.augmentNeighbours = 0;
    quickRecipe.expansionNeighbours = 0;
    auto quick = catalog.buildSpace(quickRecipe, SearchSpace::Speed::Quick);
    return {std::move(quick), quickRecipe == catalog.recipe() && catalog.size() < SearchSpace::kCoarseFromItems};
}
} // namespace

std::shared_ptr<const SearchSpace> CatalogSession::SpaceSlot::spaceFor(const Catalog &catalog)
{
    std::unique_lock lock(mutex);
    for (;;) {
        if (!serves(catalog)) startVersion(catalog.store(), catalog.projection());
        if (full) return full;
        if (quick) return quick;
        if (!preparing) break;
        prepared.wait(lock); // another search prepares this very space: it will serve both
    }
    preparing = true;
    const NewestWins::Ticket version = versions.current();
    lock.unlock();
    const PreparedSpace ready = prepareSpace(catalog);
    lock.lock();
    // A space of a store no longer current still serves the caller's search of that store.
    if (version.isCurrent()) {
        preparing = false;
        (ready.isFull ? full : quick) = ready.space;
        if (!ready.isFull && !closed) startBuild(catalog, version);
    }
    prepared.notify_all();
    return ready.space;
}

void CatalogSession::SpaceSlot::startVersion(std::shared_ptr<const EmbeddingStore> newStore,
                                             std::shared_ptr<const DiscriminantProjection> newProjection)
{
    store = std::move(newStore);
    projection = std::move(newProjection);
    full.reset();
    quick.reset(); // searches running on them keep them alive until they end
    preparing = false;
    (void)versions.next();
    // A stale build that waits in the pool never runs; one that runs stops before it saves.
    std::erase_if(builds, [](const std::unique_ptr<Build> &build) {
        build->cancel = true;
        if (!build->isFinished() && pools::spaceBuild()->tryTake(build->task.get())) build->finish();
        return build->isFinished();
    });
    prepared.notify_all(); // callers waiting for the space before re-check what they wait for
}

void CatalogSession::SpaceSlot::startBuild(const Catalog &catalog, const NewestWins::Ticket &version)
{
    Build &build = *builds.emplace_back(std::make_unique<Build>());
    // On a pool of its own: it runs long and must not hold a thread of the global pool,
    // which thumbnails, searches and Qt's painting need. The slot outlives it (close()).
    build.task.reset(QRunnable::create([this, &build, catalog, version] {
        threadsan::acquire(&threadsan::g_taskStarted);
        runBuild(build, catalog, version);
        build.finish();
    }));
    build.task->setAutoDelete(false);
    // What runTask states: the pool's hand-over is in Qt, where the sanitizer cannot see it.
    threadsan::release(&threadsan::g_taskStarted);
    pools::spaceBuild()->start(build.task.get());
}

void CatalogSession::SpaceSlot::runBuild(Build &build, const Catalog &catalog, const NewestWins::Ticket &version)
{
    const auto wanted = [&] { return !build.cancel && version.isCurrent(); };
    if (!wanted()) return; // a newer store or projection came while this waited
    // Cancelled (close(), another store or projection) it stops at its next block.
    auto built = catalog.buildSpace(catalog.recipe(), SearchSpace::Speed::Full, &build.cancel);
    // Saved only while its store and projection are still the session's: a stale space's
    // file would take the place of the current one's (and be refused when read back). The
    // build pool runs one build at a time, so no other build writes the file meanwhile.
    if (built->cancelled() || !wanted()) return;
    // Not saving only costs the next opening a rebuild.
    if (Status saved = catalog.saveSpace(*built); !saved) qWarning("lookbook: %s", qPrintable(saved.error()));
    std::lock_guard lock(mutex);
    if (!version.isCurrent()) return; // a newer store came
    full = std::move(built);
    quick.reset();
}

bool CatalogSession::SpaceSlot::isBuilding()
{
    std::lock_guard lock(mutex);
    return std::any_of(builds.begin(), builds.end(),
                       [](const std::unique_ptr<Build> &build) { return !build->cancel && !build->isFinished(); });
}

void CatalogSession::SpaceSlot::forget()
{
    std::lock_guard lock(mutex);
    startVersion(nullptr, nullptr);
}

void CatalogSession::SpaceSlot::close()
{
    std::vector<std::unique_ptr<Build>> running;
    {
        std::lock_guard lock(mutex);
        closed = true;
        startVersion(nullptr, nullptr);
        running = std::move(builds);
        builds.clear();
    }
    // Outside the lock: a build publishes under it before it ends.
    for (const std::unique_ptr<Build> &build : running) build->wait();
}

CatalogSession::CatalogSession(QObject *parent) : QObject(parent), m_spaces(std::make_shared<SpaceSlot>())
{
    qRegisterMetaType<IndexProgress>();
    qRegisterMetaType<IndexReport>();
    qRegisterMetaType<SearchOutcome>();
    loadTaste();
    m_newerCacheTimer.setInterval(kNewerCacheLookMs);
    connect(&m_newerCacheTimer, &QTimer::timeout, this, &CatalogSession::lookForNewerCache);
}

void CatalogSession::setNewerCacheLookInterval(int ms)
{
    m_newerCacheTimer.setInterval(ms);
    if (ms <= 0) m_newerCacheTimer.stop();
    else if (m_catalog) m_newerCacheTimer.start();
}

void CatalogSession::setRecipe(const EmbeddingRecipe &recipe)
{
    m_recipe = recipe;
    reloadTasteIfSpaceChanged(); // an open catalog keeps its recipe until the next opening
}

CatalogSession::~CatalogSession()
{
    // The full space's build first: none starts from now on (the tasks awaited below may
    // ask for a space), a queued one never runs, a running one is awaited and saves nothing,
    // its store being no longer current.
    m_spaces->close();
    cancelIndexing();
    cancelTuning();
    // Every task posts its result back to this object: wait for them so none outlives it.
    for (QFuture<void> &task : m_tasks) resultOf(task);
}

bool CatalogSession::isBuildingSpace() const
{
    return m_spaces->isBuilding();
}

void CatalogSession::track(QFuture<void> task)
{
    m_tasks.removeIf([](const QFuture<void> &f) { return f.isFinished(); });
    m_tasks.append(std::move(task));
}

QString CatalogSession::modelDescription() const
{
    if (!m_model) return m_modelLoading ? tr("loading the model…") : tr("no model");
    return QStringLiteral("%1 (%2)").arg(m_model->descriptor().id, m_recipe.id());
}

void CatalogSession::loadModel(const QString &explicitPath)
{
    if (m_model || m_modelLoading) return;
    m_modelLoading = true;
    track(runTask(QThreadPool::globalInstance(), [this, explicitPath, recipe = m_recipe] {
        const auto loaded = ResourceLocator::loadModel(ModelDescriptor::builtIn(), explicitPath);
        // OpenCV sets up its layers on the first forward pass of an input size (about 0.5 s
        // here): do it now, for the size queries use, rather than in the first search.
        if (loaded) (*loaded)->embed({cv::Mat(64, 64, CV_8UC3, cv::Scalar::all(255))}, recipe, ImageRole::OutsidePhoto);
        m_handOver.post([this, loaded] {
            m_modelLoading = false;
            if (!loaded) {
                emit modelFailed(loaded.error());
                if (m_waitingForModel) {
                    emit searchFailed(m_waitingForModel->ticket.number(), tr("The model could not be loaded, so this image cannot be searched."));
                    m_waitingForModel.reset();
                }
                return;
            }
            m_model = *loaded;
            emit modelLoaded(modelDescription());
            if (m_indexWhenModelReady) startIndexing();
            if (m_waitingForModel) {
                const PendingQuery query = *m_waitingForModel;
                m_waitingForModel.reset();
                if (query.ticket.isCurrent()) runSearch(query);
            }
        });
    }));
}

void CatalogSession::openCatalog(const QString &root, const QString &cachePath)
{
    cancelIndexing();
    m_indexing.reset(); // a cancelled run finishes its batch in the background; its results are dropped
    if (m_tuning) {
        cancelTuning(); // its result is of the catalog before: dropped
        m_tuning.reset();
        emit tuningFailed(tr("cancelled"));
    }
    const NewestWins::Ticket ticket = m_catalogs.next();
    m_root = QFileInfo(root).absoluteFilePath();
    m_cachePath = cachePath.isEmpty() ? cacheFiles::defaultPath(m_root) : cachePath;
    const bool hadOwnProjection = usesOwnProjection();
    m_catalog.reset();
    m_spaces->forget();
    if (hadOwnProjection) emit projectionChanged(false);
    emit coloursChanged(false);
    m_indexWhenModelReady = false;
    emit storeChanged(0);

    track(runTask(QThreadPool::globalInstance(), [this, ticket, rootPath = m_root, cache = m_cachePath, recipe = m_recipe] {
        auto catalog = Catalog::open(rootPath, cache, recipe);
        if (!catalog) {
            m_handOver.post([this, ticket, rootPath] {
                if (ticket.isCurrent())
                    emit catalogFailed(tr("The catalog folder %1 does not exist.").arg(QDir::toNativeSeparators(rootPath)));
            });
            return;
        }
        const Status labels = catalog->loadLabels();
        // The catalog's own projection, when one was adopted ("Tune to this catalog"). One
        // that cannot be read is set aside with a message: the built-in one serves.
        const Status projection = catalog->loadOwnProjection();
        const QString projectionProblem =
            projection ? QString()
                       : tr("The catalog's own projection %1 could not be read (%2); the built-in one is used.")
                             .arg(QDir::toNativeSeparators(cacheFiles::projectionPath(cache)), projection.error());
        m_handOver.post([this, ticket, read = *catalog, labels, projectionProblem] {
            if (!ticket.isCurrent()) return;
            if (!labels) emit labelsProblem(labels.error());
            finishOpening(read, projectionProblem);
        });
    }));
}

void CatalogSession::finishOpening(Catalog catalog, const QString &projectionProblem)
{
    if (!projectionProblem.isEmpty()) emit labelsProblem(projectionProblem);
    const QString cacheProblem = catalog.cacheProblem();
    m_catalog = std::move(catalog);
    switchSpace(); // its own projection, or its recipe, makes another space
    if (usesOwnProjection()) emit projectionChanged(true);
    emit storeChanged(indexedItems());
    warmSearchSpace(); // the cached index is searchable before the model has loaded
    refreshColours();
    emit catalogOpened(m_root, indexedItems(), cacheProblem);
    if (m_newerCacheTimer.interval() > 0) m_newerCacheTimer.start();
    m_indexWhenModelReady = true;
    if (m_model) startIndexing();
}

void CatalogSession::lookForNewerCache()
{
    // None while this session's own indexer runs: it writes the cache, and hands over its store.
    if (!m_catalog || m_indexing || m_lookingForNewerCache) return;
    m_lookingForNewerCache = true;
    track(runTask(QThreadPool::globalInstance(), [this, ticket = m_catalogs.current(), catalog = *m_catalog] {
        Catalog::CacheLook look = catalog.lookForNewerCache();
        // Nor while another indexer of this process (a command in it) holds the cache.
        if (look.change != Catalog::CacheChange::None && CacheLock::heldByThisProcess(catalog.cachePath()))
            look.change = Catalog::CacheChange::None;
        std::optional<Catalog> newer;
        if (look.change == Catalog::CacheChange::Newer) {
            newer = catalog;
            newer->reopen();
            (void)newer->loadLabels(); // the new items' labels too; a file that cannot be read keeps the old ones
        }
        m_handOver.post([this, ticket, look, newer = std::move(newer), store = catalog.store()]() mutable {
            m_lookingForNewerCache = false;
            // Stale when another catalog opened, or this session's own indexer ran, meanwhile.
            if (!ticket.isCurrent() || !m_catalog || m_indexing || m_catalog->store() != store) return;
            adoptNewerCache(look, std::move(newer));
        });
    }));
}

void CatalogSession::adoptNewerCache(const Catalog::CacheLook &look, std::optional<Catalog> newer)
{
    const QString shown = QDir::toNativeSeparators(m_cachePath);
    if (look.change == Catalog::CacheChange::Removed) {
        m_catalog->markCacheSeen(std::nullopt);
        emit catalogUpdateRefused(tr("The cache %1 was removed by another program or computer; searches go on with "
                                     "the %n items opened.", nullptr, indexedItems())
                                      .arg(shown));
        return;
    }
    if (look.change != Catalog::CacheChange::Newer || !newer) return;
    if (!newer->cacheProblem().isEmpty()) {
        // Said once: the file is looked at again only when it changes (a copy still being
        // written, once whole, is read then).
        m_catalog->markCacheSeen(look.file);
        emit catalogUpdateRefused(tr("Another program or computer saved a newer cache %1, but it cannot be used (%2); "
                                     "searches go on with the %n items opened.", nullptr, indexedItems())
                                      .arg(shown, newer->cacheProblem()));
        return;
    }
    const int before = indexedItems();
    newer->setProjection(m_catalog->projection()); // one adopted or dropped meanwhile stays so
    m_catalog = std::move(*newer);
    m_spaces->forget(); // the spaces of the store before stop, and none is saved of it
    emit storeChanged(indexedItems());
    warmSearchSpace();
    refreshColours();
    emit catalogUpdated(before, indexedItems());
}

void CatalogSession::publishStore(std::shared_ptr<const EmbeddingStore> store)
{
    if (!m_catalog) return;
    // The colours of the store before are dropped: searches of this one go without colour
    // until refreshColours() has described it.
    m_catalog->setStore(std::move(store));
    m_spaces->forget(); // a build of the store before would save a space of rows no longer searched
    emit storeChanged(indexedItems());
}

void CatalogSession::warmSearchSpace()
{
    if (!m_catalog || m_catalog->size() == 0) return;
    track(runTask(QThreadPool::globalInstance(), [spaces = m_spaces, catalog = *m_catalog] { spaces->spaceFor(catalog); }));
}

void CatalogSession::refreshColours()
{
    if (!m_catalog || m_catalog->size() == 0) return;
    track(runTask(QThreadPool::globalInstance(), [this, ticket = m_catalogs.current(), catalog = *m_catalog] {
        auto rows = catalog.describeColours();
        const std::shared_ptr<const CatalogColours> colours = rows ? Catalog::coloursFrom(*rows) : nullptr;
        m_handOver.post([this, ticket, store = catalog.store(), colours, problem = rows ? QString() : rows.error()] {
            // A newer store will get its own.
            if (!ticket.isCurrent() || !m_catalog || store != m_catalog->store()) return;
            if (!colours) {
                emit coloursProblem(problem);
                return;
            }
            m_catalog->setColours(colours);
            emit coloursChanged(true);
        });
    }));
}

bool CatalogSession::coloursReady() const
{
    return m_catalog && m_catalog->colours();
}

QStringList CatalogSession::colourChoices() const
{
    if (!coloursReady()) return {};
    return GarmentColour::basicNames();
}

void CatalogSession::startIndexing()
{
    if (m_root.isEmpty() || !m_catalog) return;
    if (!m_model) {
        m_indexWhenModelReady = true;
        return;
    }
    if (m_indexing) return;
    auto job = std::make_shared<Job>();
    m_indexing = job;
    emit indexingStarted();

    IndexOptions options;
    options.lockWaitMs = kLockWaitMs;
    track(runTask(QThreadPool::globalInstance(), [this, job, ticket = m_catalogs.current(), options, model = m_model, catalog = *m_catalog] {
        QElapsedTimer sinceSnapshot;
        const auto onProgress = [this, ticket](const IndexProgress &p) {
            m_handOver.post([this, ticket, p] {
                if (ticket.isCurrent()) emit indexingProgress(p);
            });
        };
        const auto onStore = [this, ticket, &sinceSnapshot](const EmbeddingStore &store) {
            if (sinceSnapshot.isValid() && sinceSnapshot.elapsed() < kSnapshotIntervalMs) return;
            sinceSnapshot.start();
            auto snapshot = std::make_shared<const EmbeddingStore>(store);
            m_handOver.post([this, ticket, snapshot] {
                if (ticket.isCurrent()) publishStore(snapshot);
            });
        };
        const auto report = Indexer(model, catalog.recipe(), options)
                                .update(catalog.root(), catalog.cachePath(), onProgress, &job->cancel, onStore);
        // The store as saved: also right when nothing was embedded but files were removed.
        // When nothing changed at all, the store already published is the same, and its
        // search space (tens of seconds to build at 44k items) is kept.
        const bool unchanged = report && report->embedded + report->removed + report->changed + report->resumedBatches == 0
                               && report->skipped.empty() && report->cacheProblem.isEmpty();
        std::optional<Catalog> saved;
        if (!unchanged)
            if (auto reread = Catalog::open(catalog.root(), catalog.cachePath(), catalog.recipe()); reread && reread->cacheProblem().isEmpty())
                saved = *reread;
        m_handOver.post([this, job, ticket, report, saved] {
            if (m_indexing == job) m_indexing.reset();
            if (!ticket.isCurrent()) return;
            if (!report) {
                emit indexingFailed(report.error());
                return;
            }
            if (saved) {
                publishStore(saved->store());
                warmSearchSpace(); // so that the first search does not wait for it
                refreshColours();
            }
            emit indexingFinished(*report);
        });
    }));
}

void CatalogSession::cancelIndexing()
{
    if (m_indexing) m_indexing->cancel = true;
}

void CatalogSession::tuneToCatalog(const QString &column)
{
    if (m_tuning) return; // one run at a time
    if (m_root.isEmpty() || indexedItems() == 0) {
        emit tuningFailed(m_root.isEmpty() ? tr("Choose a catalog folder first.")
                                           : tr("The catalog has no indexed images yet."));
        return;
    }
    if (!m_catalog->labels()) {
        emit tuningFailed(tr("Tuning needs the catalog's labels: put a styles.csv with the column %1 in %2.")
                              .arg(column, QDir::toNativeSeparators(m_root)));
        return;
    }
    auto job = std::make_shared<Job>();
    m_tuning = job;
    emit tuningStarted();
    const TuningRequest request{column, m_root, QStringLiteral("Lookbook: Tune to This Catalog"), kCrossValidationFolds};
    track(runTask(pools::tuning(), [this, job, request, catalog = *m_catalog] {
        const auto onProgress = [this, job](int done, int total) {
            m_handOver.post([this, job, done, total] {
                if (m_tuning == job) emit tuningProgress(done, total);
            });
        };
        auto tuning = std::make_shared<Expected<ProjectionTuning>>(
            tuneProjection(*catalog.store(), *catalog.labels(), catalog.recipe(), request, onProgress, &job->cancel));
        m_handOver.post([this, job, tuning, column = request.column] {
            if (m_tuning != job) return; // another catalog was opened meanwhile: already reported
            m_tuning.reset();
            if (job->cancel.load()) {
                emit tuningFailed(tr("cancelled"));
                return;
            }
            if (!*tuning) {
                emit tuningFailed((*tuning).error());
                return;
            }
            const ProjectionTuning &t = **tuning;
            const double before = t.builtInFigure();
            const double after = t.ownFigure();
            QString summary = tr("%1 %2 → %3 on this catalog's held-out folds (%4 grouped folds, %5 items); ")
                                  .arg(t.decidingFigure, QString::number(before, 'f', 3), QString::number(after, 'f', 3))
                                  .arg(t.folds)
                                  .arg(t.items);
            bool adopted = false;
            if (t.ownWins() && t.projection) {
                const QString path = cacheFiles::projectionPath(m_cachePath);
                if (Status saved = t.projection->save(path); !saved) {
                    emit tuningFailed(tr("The catalog's own projection does better but could not be saved: %1").arg(saved.error()));
                    return;
                }
                if (m_catalog) m_catalog->setProjection(t.projection);
                switchSpace();
                adopted = true;
                summary += tr("the catalog's own projection, fitted on %1, is now used.").arg(column);
                warmSearchSpace(); // rebuilt with it, so that the next search does not wait
                emit projectionChanged(true);
            } else {
                summary += tr("the built-in projection does as well; nothing was changed.");
            }
            emit tuningFinished(before, after, adopted, summary);
        });
    }));
}

void CatalogSession::cancelTuning()
{
    if (m_tuning) m_tuning->cancel = true;
}

void CatalogSession::useBuiltInProjection()
{
    if (!m_cachePath.isEmpty()) QFile::remove(cacheFiles::projectionPath(m_cachePath));
    if (!usesOwnProjection()) return;
    m_catalog->setProjection(nullptr);
    switchSpace();
    warmSearchSpace();
    emit projectionChanged(false);
}

QueryInput CatalogSession::catalogPicture(const QString &relativePath) const
{
    return Catalog::pictureOf(m_root, relativePath);
}

quint64 CatalogSession::search(const Query &query)
{
    PendingQuery pending{query, m_queries.next()};
    const quint64 id = pending.ticket.number();
    emit searchStarted(id);
    // Catalog files are answered from their stored vectors: only other pictures need the model.
    const bool needsModel = m_catalog ? m_catalog->needsModel(query.pictures) : !query.pictures.empty();
    if (needsModel && !m_model) {
        if (m_modelLoading) m_waitingForModel = pending; // runs when the model is ready
        else emit searchFailed(id, tr("The model is not loaded, so images cannot be searched."));
        return id;
    }
    runSearch(pending);
    return id;
}

quint64 CatalogSession::searchCatalogItem(const QString &relativePath, int k)
{
    return search(catalogPicture(relativePath), k);
}

void CatalogSession::runSearch(const PendingQuery &pending)
{
    if (indexedItems() == 0) {
        emit searchFailed(pending.ticket.number(), m_root.isEmpty() ? tr("Choose a catalog folder first.")
                                                                    : tr("The catalog has no indexed images yet."));
        return;
    }
    std::optional<TasteProfile> taste;
    if (m_tasteEnabled && !m_taste.isEmpty()) taste = m_taste;
    track(runTask(QThreadPool::globalInstance(), [this, pending, taste, catalog = *m_catalog, model = m_model, spaces = m_spaces] {
        if (!pending.ticket.isCurrent()) return; // a newer query came while this one waited for a thread
        const std::shared_ptr<const SearchSpace> space = spaces->spaceFor(catalog);
        const RecommendRequest request = catalog.requestFor(pending.query, taste ? &*taste : nullptr);
        auto outcome = catalog.recommend(request, *space, model.get());
        // Rows could not be read back (the cache was cut short or rewritten in place under
        // the store): the message says so, and the catalog is read again.
        const bool reopen = !outcome && !catalog.checkCache();
        m_handOver.post([this, ticket = pending.ticket, outcome, reopen] {
            if (!reopen) lookForNewerCache(); // between two searches: a newer cache is read before the next
            if (!ticket.isCurrent()) return; // a newer query makes this one stale
            if (!outcome) {
                emit searchFailed(ticket.number(), outcome.error());
                if (reopen) openCatalog(m_root, m_cachePath);
                return;
            }
            SearchOutcome finished = *outcome;
            finished.queryId = ticket.number();
            emit searchFinished(finished);
        });
    }));
}

void CatalogSession::setTasteFolder(const QString &folder)
{
    m_tasteFolder = folder;
    loadTaste();
}

QString CatalogSession::tasteSpaceKey() const
{
    // The space the vectors of a like live in (SearchSpace::itemQuery): the open catalog's
    // recipe and projection, else those the next catalog opens with.
    const EmbeddingRecipe &recipe = m_catalog ? m_catalog->recipe() : m_recipe;
    return TasteProfile::spaceKeyFor(cacheFiles::identityFor(ModelDescriptor::builtIn(), recipe), recipe,
                                     m_catalog ? m_catalog->projection() : nullptr);
}

QString CatalogSession::tasteFilePath(const QString &spaceKey) const
{
    return m_tasteFolder.isEmpty() ? TasteProfile::defaultPath(spaceKey)
                                   : QDir(m_tasteFolder).filePath(TasteProfile::fileNameFor(spaceKey));
}

void CatalogSession::switchSpace()
{
    m_spaces->forget(); // a build of the space before stops
    reloadTasteIfSpaceChanged();
}

void CatalogSession::reloadTasteIfSpaceChanged()
{
    if (tasteSpaceKey() != m_taste.spaceKey()) loadTaste();
}

void CatalogSession::loadTaste()
{
    const QString key = tasteSpaceKey();
    const QString path = tasteFilePath(key);
    TasteFile file = TasteProfile::read(path, key);
    m_taste = file.profile ? std::move(*file.profile) : TasteProfile(key);
    m_tasteNotSaved.clear();
    switch (file.state) {
    case TasteFile::State::Read:
        break;
    case TasteFile::State::Damaged:
    case TasteFile::State::OldFormat:
        if (setTasteFileAside(path, file)) break;
        [[fallthrough]];
    case TasteFile::State::Unreadable:
    case TasteFile::State::Newer:
    case TasteFile::State::OtherSpace:
        // Left as it is: a like saved now would write over a profile not read.
        m_tasteNotSaved = file.problem;
        emit tasteProblem(tr("%1; it is left as it is, and likes are kept only until Lookbook closes.").arg(file.problem));
        break;
    }
    emit tasteChanged(m_taste.likes(), m_taste.dislikes());
}

bool CatalogSession::setTasteFileAside(const QString &path, TasteFile &file)
{
    // Set aside, never deleted nor written over: the stylist may want it back.
    const auto aside = TasteProfile::setAside(
        path, file.state == TasteFile::State::Damaged ? QStringLiteral(".damaged") : QStringLiteral(".format1"));
    if (!aside) {
        file.problem = tr("%1, and it could not be set aside (%2)").arg(file.problem, aside.error());
        return false;
    }
    emit tasteProblem(
        tr("%1; it was set aside as %2 and a new profile started.").arg(file.problem, QDir::toNativeSeparators(*aside)));
    return true;
}

void CatalogSession::recordFeedback(const QString &relativePath, bool liked)
{
    if (!m_catalog) return;
    const int item = m_catalog->store()->itemOf(relativePath);
    if (item < 0) return;
    // The item's vector in the search space: the quick space's projection is the full
    // space's, so whichever is ready serves. Read on a worker: the space may be loading.
    const QString space = m_taste.spaceKey();
    track(runTask(QThreadPool::globalInstance(), [this, item, liked, space, catalog = *m_catalog, spaces = m_spaces] {
        const Eigen::RowVectorXf vector = spaces->spaceFor(catalog)->itemQuery(item);
        m_handOver.post([this, vector, liked, space] {
            if (space != m_taste.spaceKey()) return; // the space changed meanwhile: this vector is of the one before
            if (liked) m_taste.addLike(vector);
            else m_taste.addDislike(vector);
            saveTaste();
        });
    }));
}

void CatalogSession::clearTaste()
{
    m_taste.clear();
    saveTaste();
}

void CatalogSession::saveTaste()
{
    if (!m_tasteNotSaved.isEmpty()) {
        emit tasteProblem(tr("The taste profile was not saved, so as not to write over the one there: %1.").arg(m_tasteNotSaved));
    } else if (Status saved = m_taste.save(tasteFilePath(m_taste.spaceKey())); !saved) {
        emit tasteProblem(saved.error());
    }
    emit tasteChanged(m_taste.likes(), m_taste.dislikes());
}

} // namespace lookbook
