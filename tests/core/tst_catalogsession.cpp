// CatalogSession as the window drives it, without the window: a real model, real images,
// real worker threads. Waits are for signals; nothing asserts how long anything took.
#include "TestSupport.h"

#include "CacheFiles.h"
#include "CatalogSession.h"
#include "DiscriminantProjection.h"
#include "ParallelBlocks.h"
#include "Pools.h"

#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <latch>
#include <semaphore>

using namespace lookbook;

namespace {

constexpr int kCatalogSize = 12;
// More batches of the indexer's 16 than one progress report can cover, so a cancel sent on
// the first report lands while batches are still to come.
constexpr int kCancelCatalogSize = 64;
// Hang guards for a busy 2-core machine, not timing checks.
constexpr int kIndexTimeoutMs = 300000;
constexpr int kSearchTimeoutMs = 60000;

// Every worker task of the session has ended and what they posted back has been delivered:
// after this, a result that was going to arrive has arrived.
void settle()
{
    QThreadPool::globalInstance()->waitForDone();
    pools::spaceBuild()->waitForDone();
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
}

// A session on its own taste folder, with the model loading.
std::unique_ptr<CatalogSession> newSession(const QTemporaryDir &dir)
{
    auto session = std::make_unique<CatalogSession>();
    session->setTasteFolder(dir.filePath(QStringLiteral("taste")));
    session->loadModel();
    return session;
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool write(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return QDir().mkpath(QFileInfo(path).absolutePath()) && file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && file.write(bytes) == bytes.size();
}

// The default recipe with neighbour augmentation: its full space is more than the quick
// one even for a small catalog, so opening one starts a full build in the background.
EmbeddingRecipe augmenting()
{
    EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
    recipe.augmentNeighbours = 3;
    return recipe;
}

// Holds the one thread of pools::spaceBuild(), so that a full build started meanwhile waits
// in the pool, "being built", until release(). A hang guard releases it on its own after
// kHoldGuardMs, which a test that expects it to hold then reports.
class BuildPoolHold {
public:
    static constexpr int kHoldGuardMs = 120000;
    BuildPoolHold()
    {
        m_task = runTask(pools::spaceBuild(), [this] {
            m_started.count_down();
            m_guardFired = !m_release.try_acquire_for(std::chrono::milliseconds(kHoldGuardMs));
        });
        m_started.wait();
    }
    ~BuildPoolHold() { release(); }
    // Lets the pool go and waits until it has; true when the guard had let it go before.
    bool release()
    {
        if (!m_released) {
            m_release.release();
            resultOf(m_task);
            m_released = true;
        }
        return m_guardFired;
    }

private:
    std::latch m_started{1};
    std::binary_semaphore m_release{0};
    bool m_guardFired = false; // written by the task, read after resultOf
    bool m_released = false;
    QFuture<void> m_task;
};

// Searches a catalog item and waits for its outcome.
SearchOutcome searchItem(CatalogSession &session, const QString &name, int k)
{
    QSignalSpy finished(&session, &CatalogSession::searchFinished);
    QSignalSpy failed(&session, &CatalogSession::searchFailed);
    const quint64 id = session.searchCatalogItem(name, k);
    if (!finished.wait(kSearchTimeoutMs)) qFatal("the search did not finish (%d failed)", int(failed.count()));
    const auto outcome = finished.last().first().value<SearchOutcome>();
    if (outcome.queryId != id) qFatal("another query's outcome came");
    return outcome;
}

// Likes a catalog item and waits until the like has been added (and saved, or refused).
void like(CatalogSession &session, const QString &name)
{
    QSignalSpy changed(&session, &CatalogSession::tasteChanged);
    session.recordFeedback(name, true);
    if (!changed.wait(kSearchTimeoutMs)) qFatal("the like was not recorded");
}

// Opens the catalog and waits until its indexing run has ended; the report of that run.
IndexReport openAndIndex(CatalogSession &session, const QString &catalog, const QString &cache)
{
    QSignalSpy opened(&session, &CatalogSession::catalogOpened);
    QSignalSpy finished(&session, &CatalogSession::indexingFinished);
    QSignalSpy failed(&session, &CatalogSession::indexingFailed);
    session.openCatalog(catalog, cache);
    if (!finished.wait(kIndexTimeoutMs)) qFatal("indexing did not finish (%d failed)", int(failed.count()));
    if (opened.count() != 1) qFatal("catalogOpened came %d times", int(opened.count()));
    return finished.last().first().value<IndexReport>();
}

} // namespace

class TestCatalogSession : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QStringList m_names;
    QString catalog() const { return m_dir.filePath(QStringLiteral("catalog")); }
    QString cache() const { return m_dir.filePath(QStringLiteral("cache/catalog.lbi")); }
    // The path of the test catalog's saved space, removed: the next opening builds it.
    QString withoutSavedSpace() const
    {
        const QString space = cacheFiles::spacePath(cache());
        QFile::remove(space);
        return space;
    }

    // A session on the test catalog whose recipe needs a full build beyond the quick space.
    std::unique_ptr<CatalogSession> openedWithAFullBuild() const
    {
        auto session = newSession(m_dir);
        session->setRecipe(augmenting());
        openAndIndex(*session, catalog(), cache());
        return session;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_names = test::firstCatalogImages(kCatalogSize);
        QVERIFY(test::copyCatalogImages(m_names, catalog()));
    }

    void opensIndexesAndSearches()
    {
        auto session = newSession(m_dir);
        const IndexReport report = openAndIndex(*session, catalog(), cache());
        QVERIFY(!report.cancelled);
        QCOMPARE(report.embedded, kCatalogSize);
        QCOMPARE(session->indexedItems(), kCatalogSize);
        QCOMPARE(session->catalogRoot(), QFileInfo(catalog()).absoluteFilePath());
        QCOMPARE(session->cachePath(), cache());

        // A catalog item, answered from its stored vector and left out of its own results.
        QSignalSpy finished(session.get(), &CatalogSession::searchFinished);
        const quint64 id = session->searchCatalogItem(m_names.first(), 3);
        QVERIFY(finished.wait(kSearchTimeoutMs));
        const auto outcome = finished.last().first().value<SearchOutcome>();
        QCOMPARE(outcome.queryId, id);
        QVERIFY(outcome.queryInCatalog);
        QCOMPARE(int(outcome.results.size()), 3);
        for (const ResultItem &item : outcome.results) QVERIFY(item.relativePath != m_names.first());

        // A photo from outside the catalog goes through the network.
        QueryInput photo;
        photo.localPath = test::firstStreetPhoto(QStringLiteral("dress"));
        photo.displayName = QFileInfo(photo.localPath).fileName();
        const quint64 photoId = session->search(photo, 5);
        QVERIFY(photoId > id);
        QVERIFY(finished.wait(kSearchTimeoutMs));
        const auto photoOutcome = finished.last().first().value<SearchOutcome>();
        QCOMPARE(photoOutcome.queryId, photoId);
        QVERIFY(!photoOutcome.queryInCatalog);
        QCOMPARE(int(photoOutcome.results.size()), 5);
        settle();
    }

    void aNewerQueryDropsTheOlderOne()
    {
        auto session = newSession(m_dir);
        openAndIndex(*session, catalog(), cache());
        QSignalSpy finished(session.get(), &CatalogSession::searchFinished);
        QSignalSpy failed(session.get(), &CatalogSession::searchFailed);

        // The older query needs the network (slow), the newer one is a catalog item (fast):
        // the older one's result comes later, and must never be delivered.
        QueryInput photo;
        photo.localPath = test::firstStreetPhoto(QStringLiteral("dress"));
        photo.displayName = QFileInfo(photo.localPath).fileName();
        const quint64 older = session->search(photo, 5);
        const quint64 newer = session->searchCatalogItem(m_names.at(1), 4);
        QVERIFY(newer > older);
        QVERIFY(finished.wait(kSearchTimeoutMs));
        settle(); // the older search has ended too, and whatever it posted has been handled

        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.count(), 1);
        const auto outcome = finished.first().first().value<SearchOutcome>();
        QCOMPARE(outcome.queryId, newer);
        QVERIFY(outcome.queryInCatalog);
        QCOMPARE(int(outcome.results.size()), 4);
    }

    void cancelStopsIndexing()
    {
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big"));
        QVERIFY(test::copyCatalogImages(test::firstCatalogImages(kCancelCatalogSize), big));
        auto session = newSession(dir);
        QSignalSpy finished(session.get(), &CatalogSession::indexingFinished);
        // Cancelled on the first progress report, on the GUI thread, as the window does.
        connect(session.get(), &CatalogSession::indexingProgress, session.get(), &CatalogSession::cancelIndexing);
        session->openCatalog(big, dir.filePath(QStringLiteral("big.lbi")));
        QVERIFY(finished.wait(kIndexTimeoutMs));
        const auto report = finished.last().first().value<IndexReport>();
        QVERIFY(report.cancelled);
        QVERIFY(!session->isIndexing());
        QVERIFY(report.embedded < kCancelCatalogSize);
        // What was done is saved and searchable.
        QCOMPARE(session->indexedItems(), report.embedded);
        settle();
    }

    void reopeningUsesTheSavedCache()
    {
        // Indexed by a session before (the test functions before this one, or now).
        {
            auto first = newSession(m_dir);
            openAndIndex(*first, catalog(), cache());
            settle();
        }
        QVERIFY(QFileInfo::exists(cache()));

        auto session = newSession(m_dir);
        QSignalSpy opened(session.get(), &CatalogSession::catalogOpened);
        QSignalSpy finished(session.get(), &CatalogSession::indexingFinished);
        session->openCatalog(catalog(), cache());
        QVERIFY(opened.wait(kIndexTimeoutMs));
        // Searchable from the cache alone, before any indexing run has ended.
        QCOMPARE(opened.first().at(1).toInt(), kCatalogSize);
        QCOMPARE(opened.first().at(2).toString(), QString());
        QVERIFY(finished.wait(kIndexTimeoutMs));
        const auto report = finished.last().first().value<IndexReport>();
        QCOMPARE(report.embedded, 0);
        QCOMPARE(report.unchanged, kCatalogSize);
        QVERIFY(report.cacheProblem.isEmpty());
        QCOMPARE(session->indexedItems(), kCatalogSize);
        settle();
    }

    // A profile's vectors live in one search space: after the projection changes (the
    // catalog's own one adopted), the profile of the built-in one is neither applied nor
    // written over, and it is there again when the built-in projection is.
    void aProfileServesOnlyItsOwnSpace()
    {
        QTemporaryDir tasteDir;
        const QString projectionFile = cacheFiles::projectionPath(cache());
        const auto cleanUp = qScopeGuard([&] { QFile::remove(projectionFile); });
        QString builtInFile;
        {
            auto session = newSession(tasteDir);
            openAndIndex(*session, catalog(), cache());
            QVERIFY(!session->usesOwnProjection());
            like(*session, m_names.at(2));
            QCOMPARE(session->taste().likes(), 1);
            builtInFile = session->tasteFilePath();
            QVERIFY(QFileInfo::exists(builtInFile));
            // The catalog's own projection where Tune to This Catalog leaves it: fitted on
            // the catalog's rows, with two classes of its items.
            const RowMatrixView rows = session->store()->vectors();
            std::vector<int> classes(size_t(rows.rows()));
            for (size_t i = 0; i < classes.size(); ++i) classes[i] = int(i % 2);
            const auto own = DiscriminantProjection::fit(rows, classes);
            QVERIFY2(own, qPrintable(own.error()));
            QVERIFY(own->save(projectionFile));
            settle();
        }
        const QByteArray saved = contentsOf(builtInFile);
        auto session = newSession(tasteDir);
        QCOMPARE(session->taste().likes(), 1); // no catalog open yet: the built-in projection's space
        openAndIndex(*session, catalog(), cache());
        QVERIFY(session->usesOwnProjection());
        QCOMPARE(session->taste().likes(), 0);
        QVERIFY(session->tasteFilePath() != builtInFile);
        like(*session, m_names.at(3));
        QCOMPARE(session->taste().likes(), 1);
        QVERIFY(QFileInfo::exists(session->tasteFilePath()));
        QCOMPARE(contentsOf(builtInFile), saved);

        session->useBuiltInProjection();
        QCOMPARE(session->tasteFilePath(), builtInFile);
        QCOMPARE(session->taste().likes(), 1);
        settle();
    }

    // Set aside beside an older damaged profile: a name of its own, nothing written over.
    void aDamagedProfileIsSetAsideUnderANameOfItsOwn()
    {
        QTemporaryDir tasteDir;
        auto session = newSession(tasteDir);
        const QString path = session->tasteFilePath();
        const QString firstAside = path + QStringLiteral(".damaged");
        const QByteArray older = "an older damaged profile";
        const QByteArray damaged = "LOOKBOOK-TASTE 2 0000000000000000\n{\"likes\":1}";
        QVERIFY(write(firstAside, older));
        QVERIFY(write(path, damaged));
        QSignalSpy problems(session.get(), &CatalogSession::tasteProblem);
        session->setTasteFolder(tasteDir.filePath(QStringLiteral("taste"))); // read again
        QCOMPARE(problems.count(), 1);
        QVERIFY2(problems.first().first().toString().contains(QStringLiteral(".damaged-2")),
                 qPrintable(problems.first().first().toString()));
        QVERIFY(session->taste().isEmpty());
        QVERIFY(!QFileInfo::exists(path));
        QCOMPARE(contentsOf(firstAside), older);
        QCOMPARE(contentsOf(path + QStringLiteral(".damaged-2")), damaged);

        openAndIndex(*session, catalog(), cache());
        like(*session, m_names.at(4));
        QCOMPARE(session->taste().likes(), 1);
        const auto reread = TasteProfile::load(path, session->taste().spaceKey());
        QVERIFY2(reread, qPrintable(reread.error()));
        QCOMPARE(reread->likes(), 1);
        QCOMPARE(contentsOf(firstAside), older);
        QCOMPARE(contentsOf(path + QStringLiteral(".damaged-2")), damaged);
        settle();
    }

    // A profile that cannot be read now is not damaged: it stays where it is, and the next
    // like is kept in memory rather than written over it. As root (CI) permissions do not
    // stop reading, so a folder takes the file's place.
    void aProfileThatCannotBeReadIsNeitherMovedNorWrittenOver()
    {
        QTemporaryDir tasteDir;
        auto session = newSession(tasteDir);
        const QString path = session->tasteFilePath();
        QVERIFY(write(path + QStringLiteral("/inside"), "kept"));
        QSignalSpy problems(session.get(), &CatalogSession::tasteProblem);
        session->setTasteFolder(tasteDir.filePath(QStringLiteral("taste"))); // read again
        QCOMPARE(problems.count(), 1);
        QVERIFY(QFileInfo(path).isDir());
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".damaged")));

        openAndIndex(*session, catalog(), cache());
        like(*session, m_names.at(5));
        QCOMPARE(session->taste().likes(), 1);
        QCOMPARE(problems.count(), 2);
        QVERIFY2(problems.last().first().toString().contains(QStringLiteral("not saved")),
                 qPrintable(problems.last().first().toString()));
        QVERIFY(QFileInfo(path).isDir());
        QCOMPARE(contentsOf(path + QStringLiteral("/inside")), QByteArray("kept"));
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".damaged")));
        settle();
    }

    // A search asked while the full space waits to be built is answered (on the quick
    // space): the build is still marked as under way when its outcome arrives.
    void searchesGoOnWhileTheFullSpaceIsBuilt()
    {
        const QString space = withoutSavedSpace();
        BuildPoolHold hold;
        auto session = openedWithAFullBuild();
        QCOMPARE(int(searchItem(*session, m_names.first(), 3).results.size()), 3);
        QVERIFY(session->isBuildingSpace());
        QVERIFY(!QFileInfo::exists(space));

        QVERIFY(!hold.release());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isBuildingSpace(), kIndexTimeoutMs);
        QVERIFY(QFileInfo::exists(space)); // built and saved: its store is still the session's
        QCOMPARE(int(searchItem(*session, m_names.first(), 3).results.size()), 3);
        settle();
    }

    // A session destroyed while its full build waits does not wait for it, the build never
    // runs, and no space is saved for a store that is no longer any session's.
    void closingTakesBackTheFullBuild()
    {
        const QString space = withoutSavedSpace();
        BuildPoolHold hold;
        {
            auto session = openedWithAFullBuild();
            searchItem(*session, m_names.first(), 3); // by its outcome the full build has been started
            QVERIFY(session->isBuildingSpace());
        }
        QVERIFY(!hold.release()); // the guard let go: the destructor waited for the held build
        pools::spaceBuild()->waitForDone();
        settle();
        QVERIFY(!QFileInfo::exists(space));
    }

    // What the session's full build is told when it goes: a build cancelled stops at its
    // next block, and what it leaves is never saved.
    void aCancelledSpaceBuildIsNeverSaved()
    {
        const QString space = cacheFiles::spacePath(cache());
        QFile::remove(space);
        const auto opened = Catalog::open(catalog(), cache(), augmenting());
        QVERIFY2(opened, qPrintable(opened.error()));
        QCOMPARE(opened->size(), kCatalogSize);
        QVERIFY(opened->canSaveSpace());
        std::atomic_bool cancel{true};
        const auto cancelled = opened->buildSpace(augmenting(), SearchSpace::Speed::Full, &cancel);
        QVERIFY(cancelled->cancelled());
        QVERIFY(!opened->saveSpace(*cancelled));
        QVERIFY(!QFileInfo::exists(space));
        cancel = false;
        const auto built = opened->buildSpace(augmenting(), SearchSpace::Speed::Full, &cancel);
        QVERIFY(!built->cancelled());
        QVERIFY(opened->saveSpace(*built));
        QVERIFY(QFileInfo::exists(space));
    }
};

QTEST_GUILESS_MAIN(TestCatalogSession)
#include "tst_catalogsession.moc"
