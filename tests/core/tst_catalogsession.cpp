// CatalogSession as the window drives it, without the window: a real model, real images,
// real worker threads. Waits are for signals; nothing asserts how long anything took.
#include "TestSupport.h"

#include "CatalogSession.h"
#include "Pools.h"

#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

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

// A session on its own taste file, with the model loading.
std::unique_ptr<CatalogSession> newSession(const QTemporaryDir &dir)
{
    auto session = std::make_unique<CatalogSession>();
    session->setTastePath(dir.filePath(QStringLiteral("taste.json")));
    session->loadModel();
    return session;
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
};

QTEST_GUILESS_MAIN(TestCatalogSession)
#include "tst_catalogsession.moc"
