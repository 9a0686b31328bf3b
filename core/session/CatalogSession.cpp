#include "CatalogSession.h"

#include "CacheFiles.h"
#include "Pools.h"
#include "ColourStore.h"
#include "GarmentColour.h"
#include "ProjectionTuning.h"
#include "Recommender.h"
#include "ResourceLocator.h"
#include "SearchSpace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>
#include <QtConcurrent>

#include <mutex>

#include <opencv2/core.hpp>

namespace lookbook {

namespace {
// How often a growing index is published to searches while indexing runs: each
// publication copies the store, so not after every batch of a large catalog.
constexpr qint64 kSnapshotIntervalMs = 2000;
// The app's own cancelled run of the same catalog finishes its batch within this time.
constexpr int kLockWaitMs = 15000;
const QString kStylesCsv = QStringLiteral("styles.csv");
} // namespace

struct CatalogSession::IndexJob {
    std::atomic_bool cancel{false};
};

struct CatalogSession::TuneJob {
    std::atomic_bool cancel{false};
};

// Search spaces of the latest store. The full space (with neighbour augmentation, a
// catalog-wide nearest-neighbour pass, and for large catalogs a coarse index) is read back
// from where it was saved beside the cache, or else built on a worker and saved; until it
// is ready, searches use a quick space with the projection only and exact scans, so no
// search ever waits for it.
struct CatalogSession::SpaceCache : std::enable_shared_from_this<SpaceCache> {
    std::mutex mutex;
    std::shared_ptr<const EmbeddingStore> store;
    std::shared_ptr<const DiscriminantProjection> projection; // null: the built-in one
    std::shared_ptr<const SearchSpace> quick;
    std::shared_ptr<const SearchSpace> full;
    QFuture<void> building;

    // The space refers to the store's rows; the deleter keeps the store alive with it.
    static std::shared_ptr<const SearchSpace> own(SearchSpace *space, const std::shared_ptr<const EmbeddingStore> &store)
    {
        return std::shared_ptr<const SearchSpace>(space, [keep = store](const SearchSpace *s) { delete s; });
    }
    static std::shared_ptr<const SearchSpace> make(const std::shared_ptr<const EmbeddingStore> &store,
                                                   const EmbeddingRecipe &recipe,
                                                   const std::shared_ptr<const DiscriminantProjection> &projection,
                                                   SearchSpace::Speed speed)
    {
        QThreadPool *const builder = speed == SearchSpace::Speed::Full ? pools::spaceBuildWorkers() : pools::search();
        return own(new SearchSpace(*store, recipe, projection, pools::search(), speed, builder), store);
    }

    // Call from a worker thread: may load a saved space or build the quick one. `savedPath`
    // is where the full space of a store loaded from its cache is saved (empty: nowhere).
    // A space is of a store and a projection (null: the built-in one): another of either rebuilds it.
    std::shared_ptr<const SearchSpace> spaceFor(const std::shared_ptr<const EmbeddingStore> &wanted,
                                                const EmbeddingRecipe &recipe, const QString &savedPath,
                                                const std::shared_ptr<const DiscriminantProjection> &wantedProjection = {})
    {
        std::unique_lock lock(mutex);
        if (store == wanted && projection == wantedProjection) return full ? full : quick;
        store = wanted;
        projection = wantedProjection;
        full.reset();
        quick.reset();
        // A catalog reopened as it was saved: its space is read back in a fraction of a
        // second instead of rebuilt (tens of seconds at 44k items).
        if (!savedPath.isEmpty() && wanted->fileChecksum()) {
            if (auto saved = SearchSpace::load(savedPath, *wanted, recipe, wantedProjection)) {
                full = own(saved->release(), wanted);
                return full;
            }
        }
        EmbeddingRecipe quickRecipe = recipe;
        quickRecipe.augmentNeighbours = 0;
        quickRecipe.expansionNeighbours = 0;
        quick = make(wanted, quickRecipe, wantedProjection, SearchSpace::Speed::Quick);
        if (quickRecipe == recipe && wanted->size() < SearchSpace::kCoarseFromItems) {
            full = quick;
        } else {
            // Not tracked by the session: it touches only this cache, which it keeps alive.
            // On a pool of its own: it runs long and must not hold a thread of the global
            // pool, which thumbnails, searches and Qt's painting need.
            building = QtConcurrent::run(pools::spaceBuild(), [self = shared_from_this(), wanted, recipe, savedPath,
                                                       wantedProjection] {
                const auto current = [&] { return self->store == wanted && self->projection == wantedProjection; };
                {
                    std::lock_guard check(self->mutex);
                    if (!current()) return; // a newer store or projection came while this waited
                }
                auto built = make(wanted, recipe, wantedProjection, SearchSpace::Speed::Full);
                if (!savedPath.isEmpty() && wanted->fileChecksum()) {
                    // Not saving only costs the next opening a rebuild.
                    if (Status saved = built->save(savedPath); !saved) qWarning("lookbook: %s", qPrintable(saved.error()));
                }
                std::lock_guard relock(self->mutex);
                if (current()) {
                    self->full = std::move(built);
                    self->quick.reset(); // searches running on it keep it alive until they end
                } // else a newer store came
            });
        }
        return quick;
    }
};

CatalogSession::CatalogSession(QObject *parent) : QObject(parent), m_spaces(std::make_shared<SpaceCache>())
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
    for (QFuture<void> &task : m_tasks) task.waitForFinished();
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
    track(QtConcurrent::run([this, explicitPath, recipe = m_recipe] {
        const auto loaded = ResourceLocator::loadModel(ModelDescriptor::builtIn(), explicitPath);
        // OpenCV sets up its layers on the first forward pass of an input size (about 0.5 s
        // here): do it now, for the size queries use, rather than in the first search.
        if (loaded) (*loaded)->embed({cv::Mat(64, 64, CV_8UC3, cv::Scalar::all(255))}, recipe, ImageRole::OutsidePhoto);
        QMetaObject::invokeMethod(this, [this, loaded] {
            m_modelLoading = false;
            if (!loaded) {
                emit modelFailed(loaded.error());
                if (m_waitingForModel) {
                    emit searchFailed(m_waitingForModel->id, tr("The model could not be loaded, so this image cannot be searched."));
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
                if (query.id == m_lastQueryId) runSearch(query);
            }
        }, Qt::QueuedConnection);
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
    const quint64 generation = ++m_catalogGeneration;
    m_root = QFileInfo(root).absoluteFilePath();
    m_cachePath = cachePath.isEmpty() ? cacheFiles::defaultPath(m_root) : cachePath;
    m_store.reset();
    m_labels.reset();
    const bool hadOwnProjection = bool(m_projection);
    m_projection.reset();
    if (hadOwnProjection) emit projectionChanged(false);
    m_colours.reset();
    m_coloursStore.reset();
    emit coloursChanged(false);
    m_indexWhenModelReady = false;
    emit storeChanged(0);

    const StoreIdentity identity = cacheFiles::identityFor(ModelDescriptor::builtIn(), m_recipe);
    track(QtConcurrent::run([this, generation, rootPath = m_root, cache = m_cachePath, identity] {
        if (!QFileInfo(rootPath).isDir()) {
            QMetaObject::invokeMethod(this, [this, generation, rootPath] {
                if (generation == m_catalogGeneration)
                    emit catalogFailed(tr("The catalog folder %1 does not exist.").arg(QDir::toNativeSeparators(rootPath)));
            }, Qt::QueuedConnection);
            return;
        }
        auto opened = std::make_shared<OpenedStore>(cacheFiles::open(cache, identity));
        std::shared_ptr<const StyleLabels> labels;
        QString labelsError;
        const QString stylesPath = QDir(rootPath).filePath(kStylesCsv);
        if (QFileInfo::exists(stylesPath)) {
            auto loaded = StyleLabels::load(stylesPath);
            if (loaded) labels = std::make_shared<const StyleLabels>(std::move(*loaded));
            else labelsError = loaded.error();
        }
        // The catalog's own projection, when one was adopted ("Tune to this catalog"). One
        // that cannot be read is set aside with a message: the built-in one serves.
        std::shared_ptr<const DiscriminantProjection> projection;
        QString projectionError;
        const QString projectionPath = cacheFiles::projectionPath(cache);
        if (QFileInfo::exists(projectionPath)) {
            auto loaded = DiscriminantProjection::load(projectionPath);
            if (loaded) projection = std::make_shared<const DiscriminantProjection>(std::move(*loaded));
            else projectionError = tr("The catalog's own projection %1 could not be read (%2); the built-in one is used.")
                                       .arg(QDir::toNativeSeparators(projectionPath), loaded.error());
        }
        QMetaObject::invokeMethod(this, [this, generation, rootPath, opened, labels, labelsError, projection,
                                         projectionError] {
            if (generation != m_catalogGeneration) return;
            m_labels = labels;
            if (!labelsError.isEmpty()) emit labelsProblem(labelsError);
            if (!projectionError.isEmpty()) emit labelsProblem(projectionError);
            m_projection = projection;
            if (projection) emit projectionChanged(true);
            publishStore(std::make_shared<const EmbeddingStore>(std::move(opened->store)));
            warmSearchSpace(); // the cached index is searchable before the model has loaded
            refreshColours();
            emit catalogOpened(rootPath, indexedItems(), opened->problem);
            m_indexWhenModelReady = true;
            if (m_model) startIndexing();
        }, Qt::QueuedConnection);
    }));
}

void CatalogSession::publishStore(std::shared_ptr<const EmbeddingStore> store)
{
    m_store = std::move(store);
    emit storeChanged(indexedItems());
}

void CatalogSession::warmSearchSpace()
{
    if (!m_store || m_store->size() == 0) return;
    track(QtConcurrent::run([spaces = m_spaces, store = m_store, recipe = m_recipe, saved = cacheFiles::spacePath(m_cachePath),
                             projection = m_projection] {
        spaces->spaceFor(store, recipe, saved, projection);
    }));
}

void CatalogSession::refreshColours()
{
    if (!m_store || m_store->size() == 0) return;
    const std::shared_ptr<const EmbeddingStore> store = m_store;
    const quint64 generation = m_catalogGeneration;
    track(QtConcurrent::run([this, store, generation, root = m_root, cache = m_cachePath] {
        auto rows = ColourStore::update(root, *store, cache);
        std::shared_ptr<const CatalogColours> colours;
        if (rows)
            colours = std::make_shared<const CatalogColours>(
                *rows, ColourModel::builtInShared(),
                ColourRankingSettings{}.familyShare);
        QMetaObject::invokeMethod(this, [this, store, generation, colours, problem = rows ? QString() : rows.error()] {
            if (generation != m_catalogGeneration || store != m_store) return; // a newer store will get its own
            if (!colours) {
                emit coloursProblem(problem);
                return;
            }
            m_colours = colours;
            m_coloursStore = store;
            emit coloursChanged(true);
        }, Qt::QueuedConnection);
    }));
}

bool CatalogSession::coloursReady() const
{
    return m_colours && m_coloursStore == m_store;
}

QStringList CatalogSession::colourChoices() const
{
    if (!coloursReady()) return {};
    return GarmentColour::basicNames();
}

void CatalogSession::startIndexing()
{
    if (m_root.isEmpty()) return;
    if (!m_model) {
        m_indexWhenModelReady = true;
        return;
    }
    if (m_indexing) return;
    auto job = std::make_shared<IndexJob>();
    m_indexing = job;
    const quint64 generation = m_catalogGeneration;
    emit indexingStarted();

    IndexOptions options;
    options.lockWaitMs = kLockWaitMs;
    const StoreIdentity identity = cacheFiles::identityFor(m_model->descriptor(), m_recipe);
    track(QtConcurrent::run([this, job, generation, options, identity, model = m_model, recipe = m_recipe,
                             root = m_root, cache = m_cachePath] {
        auto stillCurrent = [this, generation] { return generation == m_catalogGeneration; };
        QElapsedTimer sinceSnapshot;
        const auto onProgress = [this, stillCurrent](const IndexProgress &p) {
            QMetaObject::invokeMethod(this, [this, stillCurrent, p] {
                if (stillCurrent()) emit indexingProgress(p);
            }, Qt::QueuedConnection);
        };
        const auto onStore = [this, stillCurrent, &sinceSnapshot](const EmbeddingStore &store) {
            if (sinceSnapshot.isValid() && sinceSnapshot.elapsed() < kSnapshotIntervalMs) return;
            sinceSnapshot.start();
            auto snapshot = std::make_shared<const EmbeddingStore>(store);
            QMetaObject::invokeMethod(this, [this, stillCurrent, snapshot] {
                if (stillCurrent()) publishStore(snapshot);
            }, Qt::QueuedConnection);
        };
        const auto report = Indexer(model, recipe, options).update(root, cache, onProgress, &job->cancel, onStore);
        // The store as saved: also right when nothing was embedded but files were removed.
        // When nothing changed at all, the store already published is the same, and its
        // search space (tens of seconds to build at 44k items) is kept.
        const bool unchanged = report && report->embedded + report->removed + report->changed + report->resumedBatches == 0
                               && report->skipped.empty() && report->cacheProblem.isEmpty();
        auto final = unchanged ? nullptr : std::make_shared<OpenedStore>(cacheFiles::open(cache, identity));
        QMetaObject::invokeMethod(this, [this, job, stillCurrent, report, final] {
            if (m_indexing == job) m_indexing.reset();
            if (!stillCurrent()) return;
            if (!report) {
                emit indexingFailed(report.error());
                return;
            }
            if (final && final->problem.isEmpty()) {
                publishStore(std::make_shared<const EmbeddingStore>(std::move(final->store)));
                warmSearchSpace(); // so that the first search does not wait for it
                refreshColours();
            }
            emit indexingFinished(*report);
        }, Qt::QueuedConnection);
    }));
}

void CatalogSession::cancelIndexing()
{
    if (m_indexing) m_indexing->cancel = true;
}

void CatalogSession::tuneToCatalog(const QString &column)
{
    if (m_tuning) return; // one run at a time
    if (m_root.isEmpty() || !m_store || m_store->size() == 0) {
        emit tuningFailed(m_root.isEmpty() ? tr("Choose a catalog folder first.")
                                           : tr("The catalog has no indexed images yet."));
        return;
    }
    if (!m_labels) {
        emit tuningFailed(tr("Tuning needs the catalog's labels: put a styles.csv with the column %1 in %2.")
                              .arg(column, QDir::toNativeSeparators(m_root)));
        return;
    }
    auto job = std::make_shared<TuneJob>();
    m_tuning = job;
    emit tuningStarted();
    const TuningRequest request{column, m_root, QStringLiteral("Lookbook: Tune to This Catalog"), kCrossValidationFolds};
    track(QtConcurrent::run(pools::tuning(), [this, job, request, store = m_store, labels = m_labels, recipe = m_recipe] {
        const auto onProgress = [this, job](int done, int total) {
            QMetaObject::invokeMethod(this, [this, job, done, total] {
                if (m_tuning == job) emit tuningProgress(done, total);
            }, Qt::QueuedConnection);
        };
        auto tuning = std::make_shared<Expected<ProjectionTuning>>(
            tuneProjection(*store, *labels, recipe, request, onProgress, &job->cancel));
        QMetaObject::invokeMethod(this, [this, job, tuning, column = request.column] {
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
                m_projection = t.projection;
                adopted = true;
                summary += tr("the catalog's own projection, fitted on %1, is now used.").arg(column);
                warmSearchSpace(); // rebuilt with it, so that the next search does not wait
                emit projectionChanged(true);
            } else {
                summary += tr("the built-in projection does as well; nothing was changed.");
            }
            emit tuningFinished(before, after, adopted, summary);
        }, Qt::QueuedConnection);
    }));
}

void CatalogSession::cancelTuning()
{
    if (m_tuning) m_tuning->cancel = true;
}

void CatalogSession::useBuiltInProjection()
{
    if (!m_cachePath.isEmpty()) QFile::remove(cacheFiles::projectionPath(m_cachePath));
    if (!m_projection) return;
    m_projection.reset();
    warmSearchSpace();
    emit projectionChanged(false);
}

QueryInput CatalogSession::catalogPicture(const QString &relativePath) const
{
    QueryInput picture;
    picture.displayName = QFileInfo(relativePath).fileName();
    picture.localPath = QDir(m_root).filePath(relativePath);
    return picture;
}

quint64 CatalogSession::search(const Query &query)
{
    PendingQuery pending{query, ++m_lastQueryId};
    emit searchStarted(pending.id);
    // Catalog files are answered from their stored vectors: only other pictures need the model.
    const auto inCatalog = [this](const QueryInput &picture) {
        return m_store && Recommender::catalogItemOf(*m_store, m_root, picture) >= 0;
    };
    const bool needsModel = !std::all_of(query.pictures.begin(), query.pictures.end(), inCatalog);
    if (needsModel && !m_model) {
        if (m_modelLoading) m_waitingForModel = pending; // runs when the model is ready
        else emit searchFailed(pending.id, tr("The model is not loaded, so images cannot be searched."));
        return pending.id;
    }
    runSearch(pending);
    return pending.id;
}

quint64 CatalogSession::searchCatalogItem(const QString &relativePath, int k)
{
    return search(catalogPicture(relativePath), k);
}

void CatalogSession::runSearch(const PendingQuery &pending)
{
    if (!m_store || m_store->size() == 0) {
        emit searchFailed(pending.id, m_root.isEmpty() ? tr("Choose a catalog folder first.")
                                                       : tr("The catalog has no indexed images yet."));
        return;
    }
    m_latestQuery->store(pending.id);
    std::optional<TasteProfile> taste;
    if (m_tasteEnabled && !m_taste.isEmpty()) taste = m_taste;
    const std::shared_ptr<const CatalogColours> colours = coloursReady() ? m_colours : nullptr;
    track(QtConcurrent::run([this, pending, taste, store = m_store, labels = m_labels, model = m_model,
                             recipe = m_recipe, root = m_root, latest = m_latestQuery, spaces = m_spaces,
                             saved = cacheFiles::spacePath(m_cachePath), colours, projection = m_projection] {
        if (latest->load() != pending.id) return; // a newer query came while this one waited for a thread
        const std::shared_ptr<const SearchSpace> space = spaces->spaceFor(store, recipe, saved, projection);
        const Query &query = pending.query;
        RecommendRequest request;
        request.pictures = query.pictures;
        request.filter = query.filter;
        request.k = query.k;
        request.taste = taste ? &*taste : nullptr;
        request.colour = query.colour;
        // Feedback on items that left the catalog since is dropped, not an error.
        for (const QString &path : query.liked)
            if (const int item = store->indexOf(path); item >= 0) request.likedItems.push_back(item);
        for (const QString &path : query.disliked)
            if (const int item = store->indexOf(path); item >= 0) request.dislikedItems.push_back(item);
        auto outcome = Recommender(*store, *space, labels.get(), root, colours.get()).recommend(request, model.get(), recipe);
        QMetaObject::invokeMethod(this, [this, id = pending.id, outcome] {
            if (id != m_lastQueryId) return; // a newer query makes this one stale
            if (!outcome) {
                emit searchFailed(id, outcome.error());
                return;
            }
            SearchOutcome finished = *outcome;
            finished.queryId = id;
            emit searchFinished(finished);
        }, Qt::QueuedConnection);
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
    if (!m_store) return;
    const int item = m_store->indexOf(relativePath);
    if (item < 0) return;
    // The item's vector in the search space: the quick space's projection is the full
    // space's, so whichever is ready serves. Read on a worker: the space may be loading.
    track(QtConcurrent::run([this, item, liked, store = m_store, recipe = m_recipe, spaces = m_spaces,
                             saved = cacheFiles::spacePath(m_cachePath), projection = m_projection] {
        const Eigen::RowVectorXf vector = spaces->spaceFor(store, recipe, saved, projection)->itemQuery(item);
        QMetaObject::invokeMethod(this, [this, vector, liked] {
            if (liked) m_taste.addLike(vector);
            else m_taste.addDislike(vector);
            saveTaste();
        }, Qt::QueuedConnection);
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
