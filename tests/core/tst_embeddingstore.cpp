// The cache file: what is saved loads back bit for bit, and a file that is truncated,
// bit-flipped, of another format version, or made by another model or recipe is refused
// with a reason (the indexer then rebuilds it). The journal replays whole batches only.
#include "CacheFiles.h"
#include "EmbeddingStore.h"
#include "FileSystemKind.h"
#include "IndexJournal.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <random>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

using namespace lookbook;

namespace {

const StoreIdentity kIdentity{QStringLiteral("test-model"), QByteArray(64, 'a'), QStringLiteral("squash-224-max"), 16};

RowMatrix randomRows(int rows, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1, 1);
    RowMatrix m(rows, kIdentity.dimension);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = uniform(rng);
    return m;
}

std::vector<CatalogFile> files(int n, const QString &prefix = QStringLiteral("img"))
{
    std::vector<CatalogFile> out;
    for (int i = 0; i < n; ++i) out.push_back({QStringLiteral("%1/%2 ü \"%3\".jpg").arg(prefix).arg(i).arg(i), 1000 + i, 1'700'000'000'000 + i});
    return out;
}

EmbeddingStore sampleStore(int n = 10)
{
    EmbeddingStore store(kIdentity);
    store.upsert(files(n), randomRows(n, 42));
    store.setSkipped({{{QStringLiteral("bad.jpg"), 3, 4}, QStringLiteral("truncated JPEG")}});
    return store;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

using test::ShareOverride;

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

} // namespace

class TestEmbeddingStore : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        const EmbeddingStore store = sampleStore();
        QVERIFY(store.save(path));
        auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(loaded->size(), 10);
        QVERIFY(loaded->vectors() == store.vectors());
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(loaded->items()[size_t(i)].relativePath, store.items()[size_t(i)].relativePath);
            QCOMPARE(loaded->items()[size_t(i)].size, store.items()[size_t(i)].size);
            QCOMPARE(loaded->items()[size_t(i)].modifiedMs, store.items()[size_t(i)].modifiedMs);
        }
        QCOMPARE(loaded->itemOf(store.items()[3].relativePath), 3);
        QCOMPARE(int(loaded->skipped().size()), 1);
        QCOMPARE(loaded->skipped()[0].reason, QStringLiteral("truncated JPEG"));
    }

    void emptyStoreRoundTrips()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        QVERIFY(EmbeddingStore(kIdentity).save(path));
        auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(loaded->size(), 0);
    }

    void upsertReplacesAndRetainDrops()
    {
        EmbeddingStore store = sampleStore(5);
        const RowMatrix replacement = randomRows(1, 7);
        store.upsert({store.items()[2]}, replacement);
        QCOMPARE(store.size(), 5);
        QVERIFY(store.vector(2) == replacement.row(0));
        const QString dropped = store.items()[1].relativePath;
        const Eigen::RowVectorXf third = store.vector(2);
        store.retainIf([&](const CatalogFile &f) { return f.relativePath != dropped; });
        QCOMPARE(store.size(), 4);
        QCOMPARE(store.itemOf(dropped), -1);
        QVERIFY(store.vector(1) == third); // later rows moved up with their items
    }

    void loadedRowsAreReadFromTheFileUntilChanged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        const EmbeddingStore original = sampleStore(6);
        QVERIFY(original.save(path));
        const QByteArray onDisk = readAll(path);
        auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(loaded, qPrintable(loaded.error()));
#ifndef Q_OS_WIN
        QVERIFY(loaded->isMapped());
#endif
        // A copy shares the rows; changing it copies them first and never writes the file.
        EmbeddingStore changed = *loaded;
        changed.upsert({changed.items()[0]}, randomRows(1, 11));
        QVERIFY(!changed.isMapped());
        QVERIFY(changed.vector(0) == randomRows(1, 11).row(0));
        QVERIFY(loaded->vector(0) == original.vector(0));
        QVERIFY(changed.vector(5) == original.vector(5));
        // Keeping every item changes nothing and keeps the mapping.
        EmbeddingStore kept = *loaded;
        kept.retainIf([](const CatalogFile &) { return true; });
        QCOMPARE(kept.isMapped(), loaded->isMapped());
        // Saving over the mapped file replaces it whole; the mapped copy still reads its rows.
        QVERIFY(changed.save(path));
        QVERIFY(readAll(path) != onDisk);
        QVERIFY(loaded->vector(0) == original.vector(0));
        auto reloaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(reloaded, qPrintable(reloaded.error()));
        QVERIFY(reloaded->vectors() == changed.vectors());
    }

    // Searches copy re-scored rows out of the file (pread) instead of reading them through
    // the mapping: the same values, in the order asked, also after the pages were let go
    // and after the cache was replaced on disk (the open file is the old one).
    void rowsCopiedOutOfTheFileAreTheStoredRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        const EmbeddingStore original = sampleStore(8);
        QVERIFY(original.save(path));
        auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        const RowSource rows = loaded->rows();
#ifdef Q_OS_UNIX
        QVERIFY(rows.isFile());
#endif
        QVERIFY(!original.rows().isFile());
        const std::vector<int> wanted{5, 0, 7, 5};
        auto check = [&] {
            RowMatrix gathered;
            rows.gather(wanted, gathered);
            QCOMPARE(gathered.rows(), Eigen::Index(wanted.size()));
            for (size_t i = 0; i < wanted.size(); ++i) QVERIFY(gathered.row(Eigen::Index(i)) == original.vector(wanted[i]));
            QVERIFY(rows.view() == original.vectors());
        };
        check();
        rows.releasePages();
        check();
        QVERIFY(sampleStore(3).save(path));
        check();
    }

    // On a network share the cache is read into memory, never mapped (a file replaced by
    // another computer under a mapping is a SIGBUS), and a replacement is noticed.
    void onANetworkShareTheCacheIsReadNotMapped()
    {
        const ShareOverride share("1");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        const EmbeddingStore original = sampleStore(8);
        QVERIFY(original.save(path));
        auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QVERIFY(loaded->isFromNetworkShare());
        QVERIFY(!loaded->isMapped());
        QVERIFY(!loaded->rows().isFile());
        QVERIFY(loaded->vectors() == original.vectors());
        QVERIFY(loaded->fileIdentity() && loaded->fileIdentity() == fileSystem::identityOf(path));
        QVERIFY(sampleStore(3).save(path)); // another computer's save: a new file renamed over it
        QVERIFY(fileSystem::identityOf(path) && loaded->fileIdentity() != fileSystem::identityOf(path)); // a newer cache
        QVERIFY(loaded->checkRows(path));                  // no failure: the rows read are in memory
        QVERIFY(loaded->vectors() == original.vectors()); // and stay whole
        // A changed store is no longer the file's: it names none.
        EmbeddingStore changed = *loaded;
        changed.upsert({changed.items()[0]}, randomRows(1, 11));
        QVERIFY(!changed.fileIdentity());
    }

#ifdef Q_OS_UNIX
    // A mapped cache truncated under the store (it cannot happen to Lookbook's own saves,
    // which replace the file whole): a row the file no longer has reads as an error the
    // catalog reports, never through the mapping, where it would be a SIGBUS (as it was).
    void rowsOfATruncatedCacheAreAnErrorNotASigbus()
    {
        const ShareOverride local("0");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        constexpr int kRows = 2000; // 128 KB of rows: most pages lie past the cut
        EmbeddingStore big(kIdentity);
        big.upsert(files(kRows), randomRows(kRows, 5));
        QVERIFY(big.save(path));
        auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QVERIFY(loaded->isMapped());
        const RowSource rows = loaded->rows();
        RowMatrix gathered;
        rows.gather(std::vector<int>{0}, gathered);
        QVERIFY(gathered.row(0) == big.vector(0));
        QVERIFY(loaded->checkRows(path));

        QVERIFY(QFile::resize(path, 4096));
        rows.gather(std::vector<int>{kRows - 1, 0}, gathered);
        QVERIFY(gathered.row(0).isZero());
        const Eigen::VectorXf dots = rows.dots(std::vector<int>{kRows - 2}, big.vector(0));
        QCOMPARE(dots[0], 0.0f);
        const Status check = loaded->checkRows(path);
        QVERIFY(!check);
        QVERIFY2(check.error().contains(QStringLiteral("changed on disk")), qPrintable(check.error()));
    }
#endif

    void damagedCachesAreRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("reasonContains");
        QTest::newRow("zero bytes") << QStringLiteral("empty") << QStringLiteral("magic");
        QTest::newRow("truncated in the matrix") << QStringLiteral("truncate") << QStringLiteral("truncated");
        QTest::newRow("one bit flipped in the matrix") << QStringLiteral("flip") << QStringLiteral("checksum");
        QTest::newRow("one bit flipped in the item table") << QStringLiteral("flip-table") << QStringLiteral("checksum");
        QTest::newRow("not a cache") << QStringLiteral("text") << QStringLiteral("magic");
        QTest::newRow("older format version") << QStringLiteral("version") << QStringLiteral("format version");
    }
    void damagedCachesAreRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, reasonContains);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        QVERIFY(sampleStore(50).save(path));
        QByteArray bytes = readAll(path);
        if (damage == QLatin1String("empty")) bytes.clear();
        else if (damage == QLatin1String("truncate")) bytes.chop(bytes.size() / 3);
        else if (damage == QLatin1String("flip")) bytes[bytes.size() - 100] = char(bytes[bytes.size() - 100] ^ 0x10);
        else if (damage == QLatin1String("flip-table")) bytes[bytes.indexOf("img/7") + 4] = '8';
        else if (damage == QLatin1String("text")) bytes = "just some text, not a cache at all";
        else if (damage == QLatin1String("version")) bytes[8] = 0; // the u32 after the magic
        writeAll(path, bytes);
        const auto loaded = EmbeddingStore::load(path, kIdentity);
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().contains(reasonContains), qPrintable(loaded.error()));
    }

    void otherModelOrRecipeIsRefused_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("reasonContains");
        QTest::newRow("another model") << QStringLiteral("model") << QStringLiteral("another model");
        QTest::newRow("another recipe") << QStringLiteral("recipe") << QStringLiteral("recipe");
        QTest::newRow("another dimension") << QStringLiteral("dimension") << QStringLiteral("dimensions");
    }
    void otherModelOrRecipeIsRefused()
    {
        QFETCH(QString, field);
        QFETCH(QString, reasonContains);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        QVERIFY(sampleStore().save(path));
        StoreIdentity expected = kIdentity;
        if (field == QLatin1String("model")) expected.modelSha256Hex = QByteArray(64, 'b');
        if (field == QLatin1String("recipe")) expected.recipeId = QStringLiteral("pad-224-max");
        if (field == QLatin1String("dimension")) expected.dimension = 32;
        const auto loaded = EmbeddingStore::load(path, expected);
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().contains(reasonContains), qPrintable(loaded.error()));
    }

    void failedSaveKeepsThePreviousCache()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        QVERIFY(sampleStore(3).save(path));
        const QByteArray before = readAll(path);
        // A cache path whose folder is a file cannot be written: the old file must be untouched.
        const Status failed = sampleStore(9).save(path + QStringLiteral("/inside-a-file.lbi"));
        QVERIFY(!failed);
        QCOMPARE(readAll(path), before);
    }

#ifdef Q_OS_UNIX
    // The disk filling up in the middle of writing the cache: a file-size limit on this
    // process makes the write fail part-way exactly as a full disk does (the kernel refuses
    // the bytes past it), without needing a small file system. The save reports it, the
    // previous cache is intact and loads, and no partial file is left beside it.
    void diskFullWhileSavingKeepsThePreviousCache()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        QVERIFY(sampleStore(3).save(path));
        const QByteArray before = readAll(path);
        EmbeddingStore big(kIdentity);
        big.upsert(files(4000), randomRows(4000, 5)); // 256 kB of rows
        rlimit old{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN); // else the process is killed
        rlimit limited = old;
        limited.rlim_cur = 64 * 1024;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
        const Status failed = big.save(path);
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previousHandler);
        QVERIFY(!failed);
        QVERIFY2(failed.error().contains(QStringLiteral("the previous cache is unchanged")), qPrintable(failed.error()));
        QCOMPARE(readAll(path), before);
        QVERIFY(EmbeddingStore::load(path, kIdentity));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("c.lbi")});
        QVERIFY(big.save(path)); // with room again, it saves
        QCOMPARE(EmbeddingStore::load(path, kIdentity)->size(), 4000);
    }
#endif

    void journalReplaysCompleteBatchesOnly()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("c.lbi"));
        const QString journalPath = cacheFiles::journalPath(cache);
        {
            auto journal = IndexJournal::create(journalPath, kIdentity);
            QVERIFY(journal);
            QVERIFY((*journal)->append({files(4, QStringLiteral("a")), randomRows(4, 1), {}}));
            QVERIFY((*journal)->append({files(3, QStringLiteral("b")), randomRows(3, 2),
                                        {{{QStringLiteral("x.jpg"), 1, 2}, QStringLiteral("not an image")}}}));
            // A batch in which every image failed: no rows at all (fuzz_cache_reader found
            // its replay copying into a null buffer).
            QVERIFY((*journal)->append({{}, RowMatrix(0, kIdentity.dimension),
                                        {{{QStringLiteral("y.jpg"), 3, 4}, QStringLiteral("truncated JPEG")}}}));
        }
        auto batches = IndexJournal::replay(journalPath, kIdentity);
        QVERIFY(batches);
        QCOMPARE(int(batches->size()), 3);
        QCOMPARE(int((*batches)[1].skipped.size()), 1);
        QVERIFY((*batches)[1].rows == randomRows(3, 2));
        QCOMPARE((*batches)[2].rows.rows(), Eigen::Index(0));
        QCOMPARE((*batches)[2].skipped.at(0).reason, QStringLiteral("truncated JPEG"));

        // A torn last record (the process died mid-write) is ignored; the batches before survive.
        QByteArray bytes = readAll(journalPath);
        bytes.chop(10);
        writeAll(journalPath, bytes);
        batches = IndexJournal::replay(journalPath, kIdentity);
        QVERIFY(batches);
        QCOMPARE(int(batches->size()), 2);
        QCOMPARE(int((*batches)[0].files.size()), 4);

        // cacheFiles::open folds the journal into the store.
        QVERIFY(sampleStore(2).save(cache));
        const OpenedStore opened = cacheFiles::open(cache, kIdentity);
        QVERIFY(opened.problem.isEmpty());
        QCOMPARE(opened.journalBatches, 2);
        QCOMPARE(opened.store.size(), 2 + 4 + 3);

        StoreIdentity other = kIdentity;
        other.recipeId = QStringLiteral("pad-224-max");
        QVERIFY(!IndexJournal::replay(journalPath, other));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingStore)
#include "tst_embeddingstore.moc"
