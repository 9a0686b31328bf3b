#pragma once
// The desktop app's engine: one open catalog, its model, its cache and its searches, with
// all the long work on worker threads. Lives on the GUI thread; every signal is delivered
// there, so presenters never lock anything.
//
// Threads: the model loads on the global pool right after start-up; the cache is read on
// the pool when a catalog opens (before the model is ready, so catalog items can be
// searched at once); indexing runs as one pool task that publishes snapshots of the store
// as it grows; the garment colours of an opened or freshly indexed store are read or
// described as one pool task; each search (decode, embed, scan) is a pool task. A new search makes any
// older one stale: its result is dropped, never shown. The full search space is built on its
// own pool; the destructor cancels that build and awaits it with every other task.
//
// Opening and searching are Catalog's (synchronous, in the catalog layer); this class adds
// the threads, the progress and "newest request wins" (NewestWins).

#include "Catalog.h"
#include "ColourRanking.h"
#include "DiscriminantProjection.h"
#include "EmbeddingModel.h"
#include "EmbeddingRecipe.h"
#include "EmbeddingStore.h"
#include "HandOver.h"
#include "Indexer.h"
#include "QueryInput.h"
#include "ResultFilter.h"
#include "SearchResult.h"
#include "StyleLabels.h"
#include "NewestWins.h"
#include "TasteProfile.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

namespace lookbook {

class CatalogSession : public QObject {
    Q_OBJECT
public:
    explicit CatalogSession(QObject *parent = nullptr);
    ~CatalogSession() override;

    // Starts loading the model in the background (explicitPath may be empty: the usual lookup).
    void loadModel(const QString &explicitPath = {});
    bool modelReady() const { return bool(m_model); }
    QString modelDescription() const;

    // Opens a catalog: reads its cache and labels in the background, then indexes what is
    // new or changed as soon as the model is ready. cachePath empty = the default place.
    void openCatalog(const QString &root, const QString &cachePath = {});
    QString catalogRoot() const { return m_root; }
    QString cachePath() const { return m_cachePath; }
    int indexedItems() const { return m_catalog ? m_catalog->size() : 0; }
    std::shared_ptr<const EmbeddingStore> store() const { return m_catalog ? m_catalog->store() : nullptr; }
    std::shared_ptr<const StyleLabels> labels() const { return m_catalog ? m_catalog->labels() : nullptr; }

    void startIndexing();
    void cancelIndexing();
    bool isIndexing() const { return m_indexing != nullptr; }

    // A team's shared catalog: another program or computer may save a newer cache of the
    // open catalog at any time. The session looks for one after each search and every few
    // seconds while idle (one stat, on a worker: a share may be slow to answer) and reads it
    // on a worker too, while searches go on with the store they have. The new store then
    // takes the old one's place between two searches (catalogUpdated). A newer cache that
    // cannot be used (damaged, half-written, of another recipe) is refused and the old
    // store kept, and so is a removed one (catalogUpdateRefused, once per file). This
    // process's own indexer is no newer cache: it hands over the store it saved itself.
    void lookForNewerCache();
    // How often the idle look runs (default kNewerCacheLookMs); 0: only after searches.
    void setNewerCacheLookInterval(int ms);
    static constexpr int kNewerCacheLookMs = 3000;

    // What the window asks for: pictures (a catalog file among them is answered from its
    // stored vector and left out of the results), refined by the results liked and
    // disliked so far, under a filter, re-ranked by the taste profile when it is on.
    using Query = CatalogQuery;
    // Searches the catalog for the k items most like the query. Returns the query's id
    // (echoed in searchFinished / searchFailed). Waits for the model if it is still loading.
    quint64 search(const Query &query);
    quint64 search(const QueryInput &picture, int k) { return search(Query{{picture}, {}, {}, {}, k, {}}); }
    // "More like this" for a catalog item: uses its stored embedding, leaves it out.
    quint64 searchCatalogItem(const QString &relativePath, int k);
    // The catalog file as a query picture (its stored vector serves).
    QueryInput catalogPicture(const QString &relativePath) const;

    // The stylist's taste profile (TasteProfile): every like and dislike is added to it and
    // saved; while it is on, it re-ranks results gently. There is one per search space (model,
    // recipe, projection: TasteProfile::spaceKeyFor): opening a catalog of another space, or
    // adopting or dropping its own projection, switches to that space's profile. A profile
    // file found damaged is set aside (tasteProblem says where); one that cannot be read now,
    // or is of another space or a newer format, is left as it is and never written over: the
    // likes of this session are then kept in memory only.
    void recordFeedback(const QString &relativePath, bool liked);
    void setTasteEnabled(bool enabled) { m_tasteEnabled = enabled; }
    bool tasteEnabled() const { return m_tasteEnabled; }
    const TasteProfile &taste() const { return m_taste; }
    void clearTaste();
    // The folder of the profiles, one file per space (TasteProfile::fileNameFor); by default
    // the user's app-data folder (TasteProfile::defaultPath).
    void setTasteFolder(const QString &folder);
    // The file of the profile of the current space.
    QString tasteFilePath() const { return tasteFilePath(m_taste.spaceKey()); }

    // True once the garment colours of the current store are known (read from beside the
    // cache, or described in the background after opening and after indexing).
    bool coloursReady() const;
    // The colour families and colours a search can ask for (empty until colours are ready).
    QStringList colourChoices() const;

    // For the catalogs opened from now on (and, when none is open, the taste profile of its space).
    void setRecipe(const EmbeddingRecipe &recipe);
    const EmbeddingRecipe &recipe() const { return m_recipe; }

    // "Tune to this catalog": on a worker, a projection fitted on the catalog's own `column`
    // labels is compared with the built-in one on the catalog's held-out folds
    // (tuneProjection). When its own wins it is adopted: saved beside the cache
    // (cacheFiles::projectionPath), used by every later search of this catalog and loaded again when
    // it is reopened. When it loses nothing changes. Needs labels (styles.csv) and an index.
    void tuneToCatalog(const QString &column = QStringLiteral("articleType"));
    // Stops a tuning run before its next step; it ends with tuningFailed("cancelled").
    void cancelTuning();
    bool isTuning() const { return m_tuning != nullptr; }
    // Forgets the adopted projection (its file is removed): searches use the built-in one again.
    void useBuiltInProjection();
    // True while the catalog's own (adopted) projection is used instead of the built-in one.
    bool usesOwnProjection() const { return bool(ownProjection()); }
    // True while the full search space is built in the background (queued or running);
    // searches meanwhile use the quick space and never wait for it.
    bool isBuildingSpace() const;
    std::shared_ptr<const DiscriminantProjection> ownProjection() const
    {
        return m_catalog ? m_catalog->projection() : nullptr;
    }

signals:
    void modelLoaded(const QString &description);
    void modelFailed(const QString &explanation);
    void catalogOpened(const QString &root, int indexedItems, const QString &cacheProblem);
    void catalogFailed(const QString &reason);
    void labelsProblem(const QString &reason);
    void indexingStarted();
    void indexingProgress(const lookbook::IndexProgress &progress);
    void indexingFinished(const lookbook::IndexReport &report);
    void indexingFailed(const QString &reason);
    void storeChanged(int indexedItems);
    // A newer cache of the open catalog was read and is searched from now on.
    void catalogUpdated(int itemsBefore, int itemsAfter);
    // A newer cache could not be used, or the cache was removed: the store opened serves on.
    void catalogUpdateRefused(const QString &reason);
    void searchStarted(quint64 queryId);
    void searchFinished(const lookbook::SearchOutcome &outcome);
    void searchFailed(quint64 queryId, const QString &reason);
    void tasteChanged(int likes, int dislikes);
    void tasteProblem(const QString &reason);
    void coloursChanged(bool ready);
    void coloursProblem(const QString &reason);
    void tuningStarted();
    void tuningProgress(int done, int total);
    // The deciding held-out P@5 of each projection, whether the catalog's own was adopted,
    // and a sentence that says so with both figures.
    void tuningFinished(double builtInFigure, double ownFigure, bool adopted, const QString &summary);
    void tuningFailed(const QString &reason);
    // The projection searches use changed (own = the catalog's own, else the built-in one).
    void projectionChanged(bool own);

private:
    struct PendingQuery {
        Query query;
        NewestWins::Ticket ticket; // its number is the query's id
    };
    void runSearch(const PendingQuery &query);
    void track(QFuture<void> task);
    void publishStore(std::shared_ptr<const EmbeddingStore> store);
    // On the GUI thread, once the catalog's cache, labels and projection have been read.
    void finishOpening(Catalog catalog, const QString &projectionProblem);

    std::shared_ptr<EmbeddingModel> m_model;
    bool m_modelLoading = false;
    EmbeddingRecipe m_recipe = EmbeddingRecipe::defaultRecipe();
    // The catalog asked for; m_catalog is empty until its cache has been read.
    QString m_root;
    QString m_cachePath;
    std::optional<Catalog> m_catalog;
    NewestWins m_catalogs; // opening another catalog makes older work stale
    // The search space of the latest store, built on a worker when first needed (projection
    // and neighbour augmentation take a moment on a large catalog) and shared by searches.
    struct SpaceSlot;
    std::shared_ptr<SpaceSlot> m_spaces;
    void warmSearchSpace();
    bool m_indexWhenModelReady = false;

    QTimer m_newerCacheTimer;
    bool m_lookingForNewerCache = false; // one look at a time
    // On the GUI thread, with what a look found (`newer`: the catalog with that cache read).
    void adoptNewerCache(const Catalog::CacheLook &look, std::optional<Catalog> newer);

    // An indexing or tuning run: one at a time of each; cancel stops it at its next step.
    struct Job {
        std::atomic_bool cancel{false};
    };
    std::shared_ptr<Job> m_indexing;
    std::shared_ptr<Job> m_tuning;

    NewestWins m_queries; // a new search makes older ones stale
    QList<QFuture<void>> m_tasks; // waited for on destruction
    HandOver m_handOver{this};    // what the tasks hand back to the GUI thread
    std::optional<PendingQuery> m_waitingForModel;

    void refreshColours();

    TasteProfile m_taste;
    QString m_tasteFolder;
    // Why the profile is not saved: the file of its space is there but was not read.
    QString m_tasteNotSaved;
    bool m_tasteEnabled = true;
    QString tasteSpaceKey() const;
    QString tasteFilePath(const QString &spaceKey) const;
    void loadTaste();
    void reloadTasteIfSpaceChanged();
    // The catalog or its projection changed: the spaces of the one before are dropped, and
    // the taste profile follows to the new space.
    void switchSpace();
    // True when the damaged or old file was renamed; else file.problem says why not.
    bool setTasteFileAside(const QString &path, TasteFile &file);
    void saveTaste();
};

} // namespace lookbook

Q_DECLARE_METATYPE(lookbook::IndexProgress)
Q_DECLARE_METATYPE(lookbook::IndexReport)
Q_DECLARE_METATYPE(lookbook::SearchOutcome)
