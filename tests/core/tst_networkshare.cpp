// Catalogs on network shares and power cuts (issue 18): the file-system classifier and its
// override, the cache lock on a share (a live holder on another computer is named and
// never overtaken; an abandoned one is; the holder's heartbeat keeps it fresh while a batch
// runs), a cache replaced, removed or truncated under an open catalog (noticed, the rows
// read serve on, never a SIGBUS), and the journal synced at every checkpoint. A share is simulated
// with LOOKBOOK_NETWORK_SHARE=1 on a local folder: the code paths are the ones a detected
// share takes (the classifier itself is tested on its statfs types).
#include "CacheFiles.h"
#include "CacheLock.h"
#include "Catalog.h"
#include "FileSystemKind.h"
#include "IndexJournal.h"
#include "Indexer.h"
#include "TestSupport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace lookbook;

namespace {

const QString kOtherHost = QStringLiteral("stylist-mac.other-office.example");

using test::ShareOverride;

// A lock file in QLockFile's format held by a process of another computer, last touched at `touched`.
void writeForeignLock(const QString &cachePath, const QDateTime &touched)
{
    const QString path = cacheFiles::lockPath(cachePath);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile lock(path);
    QVERIFY(lock.open(QIODevice::WriteOnly | QIODevice::Truncate));
    lock.write("4242\nlookbook-cli\n" + kOtherHost.toUtf8() + '\n');
    QVERIFY(lock.flush()); // or closing it writes the bytes, and the time, later
    QVERIFY(lock.setFileTime(touched, QFileDevice::FileModificationTime));
    lock.close();
    QVERIFY(qAbs(QFileInfo(path).lastModified().secsTo(touched)) < 2);
}

void setModified(const QString &path, const QDateTime &when)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.setFileTime(when, QFileDevice::FileModificationTime));
}

QDateTime modified(const QString &path)
{
    return QFileInfo(path).fileTime(QFileDevice::FileModificationTime);
}

// A catalog of `count` demo images starting at `first`, in `dir`.
QString makeCatalog(const QString &dir, int first, int count)
{
    const QStringList names = test::firstCatalogImages(first + count).mid(first);
    if (!test::copyCatalogImages(names, dir)) qFatal("cannot copy the demo images to %s", qPrintable(dir));
    return dir;
}

Indexer indexer(CacheLock::Timing timing = {})
{
    IndexOptions options;
    options.batchSize = 2;
    options.lockTiming = timing;
    return Indexer(test::sharedModel(), EmbeddingRecipe::defaultRecipe(), options);
}

void index(const QString &catalog, const QString &cache)
{
    const auto report = indexer().update(catalog, cache);
    if (!report) qFatal("indexing failed: %s", qPrintable(report.error()));
}

// A catalog of 2 demo pictures indexed into cache/index.lbi while another computer's lock,
// last touched `lockAgeSeconds` ago, lies beside that cache.
struct LockedIndexRun {
    QString cache;
    Expected<IndexReport> report;
};
LockedIndexRun indexUnderForeignLock(const QTemporaryDir &dir, int lockAgeSeconds)
{
    const QString catalog = makeCatalog(dir.filePath(QStringLiteral("catalog")), 0, 2);
    const QString cache = dir.filePath(QStringLiteral("cache/index.lbi"));
    writeForeignLock(cache, QDateTime::currentDateTimeUtc().addSecs(-lockAgeSeconds));
    return {cache, indexer().update(catalog, cache)};
}

// A catalog of `count` demo pictures in a folder of its own, indexed into index.lbi beside it.
struct IndexedCatalog {
    QTemporaryDir dir;
    QString catalog;
    QString cache;
    explicit IndexedCatalog(int count)
        : catalog(makeCatalog(dir.filePath(QStringLiteral("catalog")), 0, count)),
          cache(dir.filePath(QStringLiteral("index.lbi")))
    {
        index(catalog, cache);
    }
    Expected<Catalog> open() const { return Catalog::open(catalog, cache, EmbeddingRecipe::defaultRecipe()); }
};

// "More like item 0" in a catalog: answered from the stored rows, no model needed.
Expected<SearchOutcome> searchFirstItem(const Catalog &catalog)
{
    RecommendRequest request;
    request.items = {0};
    request.k = 2;
    const auto space = catalog.openOrBuildSpace();
    return catalog.recommend(request, *space, nullptr);
}

// Renames another computer's cache (of the first `count` demo pictures) over `cache`.
void replaceWithOtherComputersCache(const QTemporaryDir &dir, const QString &cache, int count)
{
    const QString other = makeCatalog(dir.filePath(QStringLiteral("other")), 0, count);
    const QString otherCache = dir.filePath(QStringLiteral("other.lbi"));
    index(other, otherCache);
    QFile bytes(otherCache);
    QVERIFY(bytes.open(QIODevice::ReadOnly));
    QSaveFile replacement(cache);
    QVERIFY(replacement.open(QIODevice::WriteOnly));
    replacement.write(bytes.readAll());
    QVERIFY(replacement.commit());
}

} // namespace

class TestNetworkShare : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::sharedModel(); }

    // (a) The classifier.
    void networkTypesAreRecognised()
    {
        for (const qint64 type : {qint64(0x6969), qint64(0x517B), qint64(0xFF534D42), qint64(0xFE534D42), qint64(0x65735546),
                                  qint64(0x00C36400), qint64(0x01021997)})
            QVERIFY2(fileSystem::isNetworkType(type), qPrintable(QString::number(type, 16)));
        // CIFS's magic as a 32-bit platform's signed f_type gives it.
        QVERIFY(fileSystem::isNetworkType(qint64(qint32(quint32(0xFF534D42)))));
        for (const qint64 type : {qint64(0xEF53) /* ext4 */, qint64(0x01021994) /* tmpfs */, qint64(0x58465342) /* xfs */,
                                  qint64(0x794C7630) /* overlayfs */, qint64(0x9123683E) /* btrfs */})
            QVERIFY2(!fileSystem::isNetworkType(type), qPrintable(QString::number(type, 16)));
    }

    void localFolderIsLocalAndTheOverrideSaysRemote()
    {
        QTemporaryDir dir;
        const QString notYet = dir.filePath(QStringLiteral("no/such/folder/cache.lbi")); // its nearest folder is asked
        {
            const ShareOverride none(nullptr);
            QCOMPARE(fileSystem::detectedKindOf(dir.path()), fileSystem::Kind::Local);
            QCOMPARE(fileSystem::kindOf(notYet), fileSystem::Kind::Local);
            QVERIFY(!fileSystem::isOnNetworkShare(dir.path()));
        }
        {
            const ShareOverride share("1");
            QCOMPARE(fileSystem::kindOf(dir.path()), fileSystem::Kind::Network);
            QVERIFY(fileSystem::isOnNetworkShare(notYet));
            QCOMPARE(fileSystem::detectedKindOf(dir.path()), fileSystem::Kind::Local); // the override is not detection
        }
        {
            const ShareOverride local("0");
            QCOMPARE(fileSystem::kindOf(dir.path()), fileSystem::Kind::Local);
        }
    }

    // (b) The lock. Held by another computer and touched a minute ago: on a share it is
    // alive (its heartbeat is every 10 s), and the message names the computer. (Before
    // the fix the 30 s stale time handed it over, and the two indexers interleaved.)
    void liveLockOfAnotherComputerIsRefusedOnAShare()
    {
        const ShareOverride share("1");
        QTemporaryDir dir;
        const auto [cache, report] = indexUnderForeignLock(dir, 60);
        QVERIFY(!report);
        QVERIFY2(report.error().contains(kOtherHost), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QStringLiteral("lookbook-cli")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QStringLiteral("pid 4242")), qPrintable(report.error()));
        QVERIFY(!QFile::exists(cache));                      // nothing was written
        QVERIFY(QFile::exists(cacheFiles::lockPath(cache))); // nor the holder's lock removed
    }

    void abandonedLockIsTakenOverOnAShare()
    {
        const ShareOverride share("1");
        QTemporaryDir dir;
        const auto [cache, report] = indexUnderForeignLock(dir, 10 * 60); // past the 5 minutes
        QVERIFY2(report, qPrintable(report.error()));
        QCOMPARE(report->embedded, 2);
        QVERIFY(!QFile::exists(cacheFiles::lockPath(cache))); // released at the end
    }

    // Locally QLockFile's own rule stays: a lock of another computer untouched for over 30 s is stale.
    void localDiskKeepsTheThirtySecondRule()
    {
        const ShareOverride local("0");
        QTemporaryDir dir;
        const auto [cache, report] = indexUnderForeignLock(dir, 60);
        QVERIFY2(report, qPrintable(report.error()));
        QCOMPARE(report->embedded, 2);
    }

    void heartbeatKeepsTheLockFresh()
    {
        const ShareOverride share("1");
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("index.lbi"));
        auto lock = CacheLock::acquire(cache, 0, {50, 5 * 60'000});
        QVERIFY2(lock, qPrintable(lock.error()));
        QVERIFY((*lock)->onNetworkShare());
        const QString path = cacheFiles::lockPath(cache);
        const QDateTime longAgo = QDateTime::currentDateTimeUtc().addSecs(-3600);
        setModified(path, longAgo);
        QCOMPARE(modified(path), longAgo);
        QTRY_VERIFY(modified(path) > longAgo.addSecs(1800));
        QVERIFY((*lock)->heartbeats() > 0);
        lock->reset();
        QVERIFY(!QFile::exists(path));
    }

    // While indexer A is in the middle of its run (here: held inside its progress callback,
    // as a long batch would hold it) its heartbeat thread keeps touching the lock, and a
    // second indexer is turned away with the holder named.
    void indexerHeartbeatRunsWhileABatchIsBusy()
    {
        const ShareOverride share("1");
        QTemporaryDir dir;
        const QString catalog = makeCatalog(dir.filePath(QStringLiteral("catalog")), 0, 4);
        const QString cache = dir.filePath(QStringLiteral("cache/index.lbi"));
        const QString lockPath = cacheFiles::lockPath(cache);
        bool refreshed = false;
        QString secondIndexer;
        const auto onProgress = [&](const IndexProgress &p) {
            if (p.done != 2) return;
            const QDateTime longAgo = QDateTime::currentDateTimeUtc().addSecs(-3600);
            setModified(lockPath, longAgo);
            QElapsedTimer waited;
            waited.start();
            while (!(refreshed = modified(lockPath) > longAgo.addSecs(1800)) && waited.elapsed() < 20'000) QThread::msleep(20);
            const auto second = indexer().update(catalog, cache);
            secondIndexer = second ? QStringLiteral("it ran") : second.error();
        };
        const auto report = indexer({50, 5 * 60'000}).update(catalog, cache, onProgress);
        QVERIFY2(report, qPrintable(report.error()));
        QVERIFY(refreshed);
        QVERIFY2(secondIndexer.contains(QStringLiteral("pid %1").arg(QCoreApplication::applicationPid())),
                 qPrintable(secondIndexer));
        QVERIFY2(secondIndexer.contains(QStringLiteral("on this computer")), qPrintable(secondIndexer));
    }

    // (c) Another computer renames a new cache over the one an open catalog reads: searches
    // go on with the rows read (in memory on a share), a look names the newer cache, and a
    // reopen reads its rows. (The session's switch between searches: tst_sharedcatalog.)
    void aReplacedCacheIsNoticedWhileTheOpenStoreServesOn()
    {
        const ShareOverride share("1");
        const IndexedCatalog indexed(3);
        auto opened = indexed.open();
        QVERIFY2(opened, qPrintable(opened.error()));
        Catalog &cat = *opened;
        QCOMPARE(cat.size(), 3);
        QVERIFY(cat.store()->isFromNetworkShare());
        QVERIFY(!cat.store()->isMapped()); // read, never mapped, on a share
        QCOMPARE(cat.lookForNewerCache().change, Catalog::CacheChange::None);
        const auto before = searchFirstItem(cat);
        QVERIFY2(before, qPrintable(before.error()));

        // The other computer's cache: the same catalog folder with two more pictures.
        replaceWithOtherComputersCache(indexed.dir, indexed.cache, 5);

        const auto after = searchFirstItem(cat);
        QVERIFY2(after, qPrintable(after.error()));
        QCOMPARE(after->results.size(), before->results.size());
        for (size_t i = 0; i < after->results.size(); ++i)
            QCOMPARE(after->results[i].relativePath, before->results[i].relativePath);
        const Catalog::CacheLook look = cat.lookForNewerCache();
        QCOMPARE(look.change, Catalog::CacheChange::Newer);
        QVERIFY(look.file == fileSystem::identityOf(indexed.cache));
        cat.reopen();
        QCOMPARE(cat.size(), 5);
        QVERIFY(cat.cacheProblem().isEmpty());
        QCOMPARE(cat.lookForNewerCache().change, Catalog::CacheChange::None);
        const auto reopened = searchFirstItem(cat);
        QVERIFY2(reopened, qPrintable(reopened.error()));
    }

    // Removed under an open catalog: a look says so, searches go on; marked seen, it is not
    // said again, and a cache put back is a newer one.
    void aRemovedCacheIsNoticedWhileTheOpenStoreServesOn()
    {
        const ShareOverride share("1");
        const IndexedCatalog indexed(2);
        auto cat = indexed.open();
        QVERIFY(cat);
        const QByteArray saved = [&] {
            QFile f(indexed.cache);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        QVERIFY(!saved.isEmpty());
        QVERIFY(QFile::remove(indexed.cache));
        QCOMPARE(cat->lookForNewerCache().change, Catalog::CacheChange::Removed);
        QVERIFY(searchFirstItem(*cat));
        QCOMPARE(cat->size(), 2);
        cat->markCacheSeen(std::nullopt);
        QCOMPARE(cat->lookForNewerCache().change, Catalog::CacheChange::None);
        QSaveFile back(indexed.cache);
        QVERIFY(back.open(QIODevice::WriteOnly));
        back.write(saved);
        QVERIFY(back.commit());
        QCOMPARE(cat->lookForNewerCache().change, Catalog::CacheChange::Newer);
    }

    // Truncated in place under an open catalog (a copy tool writing over it): the rows the
    // catalog holds stay whole and searchable, and the cut file is a newer cache that reads
    // as refused, with a reason; no SIGBUS (before the fix the rows were mapped, and this
    // search died of one).
    void aCacheTruncatedInPlaceIsRefusedNotASigbus()
    {
        const ShareOverride share("1");
        const IndexedCatalog indexed(3);
        auto cat = indexed.open();
        QVERIFY(cat);
        QVERIFY(QFile::resize(indexed.cache, 64));
        const auto outcome = searchFirstItem(*cat);
        QVERIFY2(outcome, qPrintable(outcome.error()));
        QVERIFY(cat->store()->vectors().allFinite());
        QCOMPARE(cat->lookForNewerCache().change, Catalog::CacheChange::Newer);
        Catalog reread = *cat;
        reread.reopen();
        QCOMPARE(reread.size(), 0);
        QVERIFY2(!reread.cacheProblem().isEmpty(), "a truncated cache is refused with a reason");
        QCOMPARE(cat->size(), 3); // the copy read it: the open catalog is as it was
    }

    // Locally nothing changes: the rows are mapped and a replacement by rename is harmless.
    void localCacheIsStillMapped()
    {
#ifdef Q_OS_LINUX
        const ShareOverride local("0");
        const IndexedCatalog indexed(2);
        auto cat = indexed.open();
        QVERIFY(cat);
        QVERIFY(cat->store()->isMapped());
        QVERIFY(!cat->store()->isFromNetworkShare());
        QVERIFY(cat->checkCache());
        QCOMPARE(cat->lookForNewerCache().change, Catalog::CacheChange::None);
#endif
    }

    // (d) Every checkpoint of the journal is synced to the disk, and what was synced reads back.
    void journalIsSyncedAtEveryCheckpoint()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("index.lbi.journal"));
        const StoreIdentity identity{QStringLiteral("test-model"), QByteArray(64, 'a'), QStringLiteral("squash-224-max"), 8};
        auto created = IndexJournal::create(path, identity);
        QVERIFY2(created, qPrintable(created.error()));
        IndexJournal &journal = **created;
        QCOMPARE(journal.syncs(), 1); // the header
        std::vector<JournalBatch> written;
        for (int b = 0; b < 3; ++b) {
            JournalBatch batch;
            batch.files = {{QStringLiteral("%1.jpg").arg(b), 100 + b, 1'700'000'000'000 + b}};
            batch.rows = test::randomUnitRows(1, identity.dimension, unsigned(b));
            QVERIFY(journal.append(batch));
            QCOMPARE(journal.syncs(), 2 + b);
            written.push_back(std::move(batch));
        }
        const auto replayed = IndexJournal::replay(path, identity);
        QVERIFY2(replayed, qPrintable(replayed.error()));
        QCOMPARE(replayed->size(), written.size());
        for (size_t b = 0; b < written.size(); ++b) {
            QCOMPARE((*replayed)[b].files.front().relativePath, written[b].files.front().relativePath);
            QVERIFY((*replayed)[b].rows == written[b].rows);
        }
    }
};

QTEST_GUILESS_MAIN(TestNetworkShare)
#include "tst_networkshare.moc"
