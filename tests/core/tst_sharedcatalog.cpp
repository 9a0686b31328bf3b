// A team's shared catalog (issue 19): one machine's lookbook-cli, another process, updates
// the cache of a catalog that a session (the window's engine) has open. The session keeps
// searching the store it opened, notices the newer cache between searches or while idle,
// reads it on a worker and switches to it; a half-written, damaged or removed cache is
// refused once and the open store serves on; the session's own indexing is no newer cache.
// Each case runs with the cache taken for one on a network share (read into memory) and for
// a local one (mapped): LOOKBOOK_NETWORK_SHARE=1 and =0.
#include "CatalogSession.h"
#include "FileSystemKind.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace lookbook;

namespace {

constexpr int kSessionTimeoutMs = 300'000; // a hang guard on a busy machine, not a timing check
constexpr int kLookMs = 100;               // the idle look's interval in these tests

QByteArray bytesOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A catalog folder of the first 3 demo pictures, its cache beside it (taken for one on a
// share when `share` is "1", local when "0"), a session that opens it, and spies on the
// session's updates and refusals.
class OpenCatalog {
public:
    OpenCatalog(const QByteArray &share, int lookMs)
        : m_share(share.constData()), catalog(m_dir.filePath(QStringLiteral("catalog"))),
          cache(m_dir.filePath(QStringLiteral("shared/index.lbi"))),
          updated(&session, &CatalogSession::catalogUpdated), refused(&session, &CatalogSession::catalogUpdateRefused)
    {
        QStandardPaths::setTestModeEnabled(true);
        if (!test::copyCatalogImages(test::firstCatalogImages(3), catalog)) qFatal("cannot copy the demo images");
        session.setTasteFolder(m_dir.filePath(QStringLiteral("taste")));
        session.setNewerCacheLookInterval(lookMs);
        session.loadModel();
    }

    // Opens the catalog and waits for the session's own indexing of it.
    bool open()
    {
        QSignalSpy indexed(&session, &CatalogSession::indexingFinished);
        session.openCatalog(catalog, cache);
        return indexed.wait(kSessionTimeoutMs) && session.indexedItems() == 3;
    }

    // Adds the next `count` demo pictures to the folder.
    QStringList addPictures(int count)
    {
        const QStringList added = test::firstCatalogImages(3 + count).mid(3);
        if (!test::copyCatalogImages(added, catalog)) qFatal("cannot copy the demo images");
        return added;
    }

    // Another process indexes the folder into `into` (the open cache, or a copy beside it),
    // as the machine that updates a team's catalog does.
    test::ProcessRun indexInAnotherProcess(const QString &into) const
    {
        return test::cli({QStringLiteral("index"), catalog, QStringLiteral("--cache"), into});
    }

    // Runs `change` with the idle look held off, so that no look falls between two of its
    // writes: what the looks see is the file before and after it, never a third state.
    template <typename Change> void unlooked(Change change)
    {
        session.setNewerCacheLookInterval(0);
        QTest::qWait(3 * kLookMs); // a look under way ends
        change();
        session.setNewerCacheLookInterval(kLookMs);
    }

    QString first() const { return test::firstCatalogImages(1).first(); }
    QString beside(const QString &name) const { return m_dir.filePath(name); }

    // "More like the first picture", k = 4: the outcome, or a failure with the reason.
    Expected<SearchOutcome> searchFirst()
    {
        QSignalSpy found(&session, &CatalogSession::searchFinished);
        QSignalSpy failed(&session, &CatalogSession::searchFailed);
        session.searchCatalogItem(first(), 4);
        if (!QTest::qWaitFor([&] { return found.count() + failed.count() > 0; }, kSessionTimeoutMs))
            return Expected<SearchOutcome>::failure(QStringLiteral("no answer"));
        if (!failed.isEmpty()) return Expected<SearchOutcome>::failure(failed.first().at(1).toString());
        return found.first().first().value<SearchOutcome>();
    }

private:
    const test::ShareOverride m_share; // first: the session reads it
    QTemporaryDir m_dir;

public:
    const QString catalog;
    const QString cache;
    CatalogSession session;
    QSignalSpy updated;
    QSignalSpy refused;
};

bool hasResult(const SearchOutcome &outcome, const QString &relativePath)
{
    return std::any_of(outcome.results.begin(), outcome.results.end(),
                       [&](const ResultItem &r) { return r.relativePath == relativePath; });
}

} // namespace

class TestSharedCatalog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::sharedModel(); }

    void switchesToANewerCacheBetweenSearches_data() { shareRows(); }
    // Searches go on with the store opened while another process saves a newer cache; the
    // look made after a search reads it, and the next search is of the new catalog.
    void switchesToANewerCacheBetweenSearches()
    {
        QFETCH(QByteArray, share);
        OpenCatalog open(share, 0); // no idle look: only searches look
        QVERIFY(open.open());
        QCOMPARE(open.session.store()->isFromNetworkShare(), share == "1");
        QCOMPARE(open.session.store()->isMapped(), share == "0");
        const auto before = open.searchFirst();
        QVERIFY2(before, qPrintable(before.error()));
        QCOMPARE(before->catalogItems, 3);

        const QStringList added = open.addPictures(2);
        const test::ProcessRun run = open.indexInAnotherProcess(open.cache);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.contains("Embedded: 2"), run.out.constData());

        // The search right after the replacement is answered from the store opened, whole.
        const auto during = open.searchFirst();
        QVERIFY2(during, qPrintable(during.error()));
        QCOMPARE(during->catalogItems, 3);
        QCOMPARE(during->results.size(), before->results.size());
        // The look made after it reads the newer cache and switches.
        QVERIFY(open.updated.wait(kSessionTimeoutMs));
        QCOMPARE(open.updated.first().at(0).toInt(), 3);
        QCOMPARE(open.updated.first().at(1).toInt(), 5);
        QCOMPARE(open.session.indexedItems(), 5);
        QCOMPARE(open.session.store()->isFromNetworkShare(), share == "1");
        QVERIFY(open.session.store()->fileIdentity() == fileSystem::identityOf(open.cache));

        const auto after = open.searchFirst();
        QVERIFY2(after, qPrintable(after.error()));
        QCOMPARE(after->catalogItems, 5);
        QCOMPARE(int(after->results.size()), 4);
        QVERIFY(hasResult(*after, added.first()) && hasResult(*after, added.last()));
        QTRY_VERIFY_WITH_TIMEOUT(open.session.coloursReady(), kSessionTimeoutMs); // described for the new store
        QCOMPARE(open.updated.count(), 1);
        QCOMPARE(open.refused.count(), 0);
    }

    void refusesAHalfWrittenCacheOnceAndTakesItWhole_data() { shareRows(); }
    // A copy tool writing a newer cache over the open one: while it is half there, the idle
    // look refuses it once and the store opened serves on; once whole it is read. Then the
    // cache is removed (refused once, the store serves on) and put back (read again).
    void refusesAHalfWrittenCacheOnceAndTakesItWhole()
    {
        QFETCH(QByteArray, share);
        OpenCatalog open(share, kLookMs);
        QVERIFY(open.open());

        open.addPictures(2);
        const QString newer = open.beside(QStringLiteral("newer.lbi"));
        const test::ProcessRun run = open.indexInAnotherProcess(newer);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QByteArray whole = bytesOf(newer);
        QVERIFY(whole.size() > 4096);

        // Written over the old bytes (the old file is longer than half the new one).
        QFile inPlace(open.cache);
        QVERIFY(inPlace.open(QIODevice::ReadWrite));
        QVERIFY(inPlace.size() > whole.size() / 2);
        open.unlooked([&] {
            QVERIFY(inPlace.write(whole.first(whole.size() / 2)) == whole.size() / 2);
            QVERIFY(inPlace.flush());
        });
        QVERIFY(open.refused.wait(kSessionTimeoutMs));
        const QString reason = open.refused.first().first().toString();
        QVERIFY2(reason.contains(QStringLiteral("cannot be used")) && reason.contains(QDir::toNativeSeparators(open.cache)),
                 qPrintable(reason));
        QTest::qWait(10 * kLookMs); // ten more looks: said once
        QCOMPARE(open.refused.count(), 1);
        QCOMPARE(open.updated.count(), 0);
        const auto meanwhile = open.searchFirst();
        QVERIFY2(meanwhile, qPrintable(meanwhile.error()));
        QCOMPARE(meanwhile->catalogItems, 3);

        open.unlooked([&] {
            QVERIFY(inPlace.write(whole.sliced(whole.size() / 2)) == whole.size() - whole.size() / 2);
            inPlace.close();
        });
        QVERIFY(open.updated.wait(kSessionTimeoutMs));
        QCOMPARE(open.updated.first().at(1).toInt(), 5);
        QCOMPARE(open.session.indexedItems(), 5);

        QVERIFY(QFile::remove(open.cache));
        QTRY_COMPARE_WITH_TIMEOUT(open.refused.count(), 2, kSessionTimeoutMs);
        QVERIFY2(open.refused.last().first().toString().contains(QStringLiteral("was removed")),
                 qPrintable(open.refused.last().first().toString()));
        QTest::qWait(10 * kLookMs);
        QCOMPARE(open.refused.count(), 2);
        const auto afterRemoval = open.searchFirst();
        QVERIFY2(afterRemoval, qPrintable(afterRemoval.error()));
        QCOMPARE(afterRemoval->catalogItems, 5);

        QSaveFile back(open.cache);
        QVERIFY(back.open(QIODevice::WriteOnly));
        back.write(whole);
        QVERIFY(back.commit());
        QTRY_COMPARE_WITH_TIMEOUT(open.updated.count(), 2, kSessionTimeoutMs);
        QCOMPARE(open.updated.last().at(0).toInt(), 5);
        QCOMPARE(open.updated.last().at(1).toInt(), 5);
        QCOMPARE(open.refused.count(), 2);
    }

    void ownIndexingIsNoNewerCache_data() { shareRows(); }
    // The session's own indexer saves the cache and hands over its store: the looks, every
    // 100 ms meanwhile and after, never take that save for another program's.
    void ownIndexingIsNoNewerCache()
    {
        QFETCH(QByteArray, share);
        OpenCatalog open(share, kLookMs);
        QVERIFY(open.open());
        QSignalSpy indexed(&open.session, &CatalogSession::indexingFinished);
        open.addPictures(1);
        open.session.startIndexing();
        QVERIFY(indexed.wait(kSessionTimeoutMs));
        QCOMPARE(open.session.indexedItems(), 4);
        QTest::qWait(10 * kLookMs);
        QCOMPARE(open.updated.count(), 0);
        QCOMPARE(open.refused.count(), 0);
        QVERIFY(open.session.store()->fileIdentity() == fileSystem::identityOf(open.cache));
    }

private:
    static void shareRows()
    {
        QTest::addColumn<QByteArray>("share");
        QTest::newRow("network share (read)") << QByteArray("1");
        QTest::newRow("local disk (mapped)") << QByteArray("0");
    }
};

QTEST_GUILESS_MAIN(TestSharedCatalog)
#include "tst_sharedcatalog.moc"
