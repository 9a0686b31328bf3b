#include "CatalogSession.h"

#include "CacheFiles.h"
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

#include <mutex>

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
// exact scans, so no search ever waits for it.
struct CatalogSession::SpaceSlot : std::enable_shared_from_this<SpaceSlot> {
    std::mutex mutex;
    std::shared_ptr<const EmbeddingStore> store;
    std::shared_ptr<const DiscriminantProjection> projection; // null: the built-in one
    std::shared_ptr<const SearchSpace> quick;
    std::shared_ptr<const SearchSpace> full;
    NewestWins versions; // another store or projection makes a full build under way stale
    QFuture<void> building;

    // Call from a worker thread: may load a saved space or build the quick one. A space is
    // of a store and a projection: another of either replaces it.
    std::shared_ptr<const SearchSpace> spaceFor(const Catalog &catalog)
    {
        std::unique_lock lock(mutex);
        if (store == catalog.store() && projection == catalog.projection()) return full ? full : quick;
        store = catalog.store();
        projection = catalog.projection();
        full.reset();
        quick.reset();
        const NewestWins::Ticket version = versions.next();
        // A catalog reopened as it was saved: its space is read back in a fraction of a
        // second instead of rebuilt (tens of seconds at 44k items).
        if (auto saved = catalog.loadSavedSpace()) {
            full = *saved;
            return full;
        }
        EmbeddingRecipe quickRecipe = catalog.recipe();
        quickRecipe.augmentNeighbours = 0;
        quickRecipe.expansionNeighbours = 0;
        quick = catalog.buildSpace(quickRecipe, SearchSpace::Speed::Quick);
        if (quickRecipe == catalog.recipe() && catalog.size() < SearchSpace::kCoarseFromItems) {
            full = quick;
            return quick;
        }
        // Not tracked by the session: it touches only this slot, which it keeps alive. On
        // a pool of its own: it runs long and must not hold a thread of the global pool,
        // which thumbnails, searches and Qt's painting need.
        building = runTask(pools::spaceBuild(), [self = shared_from_this(), catalog, version] {
            if (!version.isCurrent()) return; // a newer store or projection came while this waited
            auto built = catalog.buildSpace(catalog.recipe(), SearchSpace::Speed::Full);
            // Not saving only costs the next opening a rebuild.
            if (Status saved = catalog.saveSpace(*built); !saved) qWarning("lookbook: %s", qPrintable(saved.error()));
            std::lock_guard relock(self->mutex);
            if (!version.isCurrent()) return; // a newer store came
            self->full = std::move(built);
            self->quick.reset(); // searches running on it keep it alive until they end
        });
        return quick;
    }
};

CatalogSession::CatalogSession(QObject *parent) : QObject(parent), m_spaces(std::make_shared<SpaceSlot>())
{
    qRegisterMetaType<IndexProgress>();
    qRegisterMetaType<IndexReport>();
    qRegisterMetaType<SearchOutcome>();
    loadTaste();
}

void CatalogSession::setRecipe(const EmbeddingRecipe &recipe)
{
    m_recipe = recipe;
    loadTaste(); // the profile of another recipe lives in another space
}

CatalogSession::~CatalogSession()
{
    cancelIndexing();
    cancelTuning();
    // Every task posts its result back to this object: wait for them so none outlives it.
    for (QFuture<void> &task : m_tasks) resultOf(task);
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
    if (usesOwnProjection()) emit projectionChanged(true);
    emit storeChanged(indexedItems());
    warmSearchSpace(); // the cached index is searchable before the model has loaded
    refreshColours();
    emit catalogOpened(m_root, indexedItems(), cacheProblem);
    m_indexWhenModelReady = true;
    if (m_model) startIndexing();
}

void CatalogSession::publishStore(std::shared_ptr<const EmbeddingStore> store)
{
    if (!m_catalog) return;
    // The colours of the store before are dropped: searches of this one go without colour
    // until refreshColours() has described it.
    m_catalog->setStore(std::move(store));
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
        m_handOver.post([this, ticket = pending.ticket, outcome] {
            if (!ticket.isCurrent()) return; // a newer query makes this one stale
            if (!outcome) {
                emit searchFailed(ticket.number(), outcome.error());
                return;
            }
            SearchOutcome finished = *outcome;
            finished.queryId = ticket.number();
            emit searchFinished(finished);
        });
    }));
}

void CatalogSession::setTastePath(const QString &path)
{
    m_tastePath = path;
    loadTaste();
}

void CatalogSession::loadTaste()
{
    const QString path = m_tastePath.isEmpty() ? TasteProfile::defaultPath(m_recipe.id()) : m_tastePath;
    auto loaded = TasteProfile::load(path, m_recipe.id());
    if (loaded) {
        m_taste = std::move(*loaded);
    } else {
        // A damaged profile is set aside, not deleted: the stylist may want it back.
        QFile::rename(path, path + QStringLiteral(".damaged"));
        m_taste = TasteProfile(m_recipe.id());
        emit tasteProblem(tr("%1; it was set aside and a new profile started.").arg(loaded.error()));
    }
    emit tasteChanged(m_taste.likes(), m_taste.dislikes());
}

void CatalogSession::recordFeedback(const QString &relativePath, bool liked)
{
    if (!m_catalog) return;
    const int item = m_catalog->store()->itemOf(relativePath);
    if (item < 0) return;
    // The item's vector in the search space: the quick space's projection is the full
    // space's, so whichever is ready serves. Read on a worker: the space may be loading.
    track(runTask(QThreadPool::globalInstance(), [this, item, liked, catalog = *m_catalog, spaces = m_spaces] {
        const Eigen::RowVectorXf vector = spaces->spaceFor(catalog)->itemQuery(item);
        m_handOver.post([this, vector, liked] {
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
    const QString path = m_tastePath.isEmpty() ? TasteProfile::defaultPath(m_recipe.id()) : m_tastePath;
    if (Status saved = m_taste.save(path); !saved) emit tasteProblem(saved.error());
    emit tasteChanged(m_taste.likes(), m_taste.dislikes());
}

} // namespace lookbook
