// Indexing with the real model on small catalogs copied from the demo catalog: incremental
// updates embed only what changed, bad files are skipped with reasons, a damaged cache is
// rebuilt, a cancel or a killed process loses at most the batch in flight.
#include "CacheFiles.h"
#include "IndexJournal.h"
#include "Indexer.h"
#include "TestSupport.h"

#include <QFile>
#include <QLockFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace lookbook;

namespace {

constexpr int kCatalogSize = 10;

struct Fixture {
    QTemporaryDir dir;
    QString catalog() const { return dir.filePath(QStringLiteral("catalog")); }
    QString cache() const { return dir.filePath(QStringLiteral("cache/index.lbi")); }
    Fixture()
    {
        const QStringList names = test::firstCatalogImages(kCatalogSize);
        // Half in a sub-folder, to cover recursion.
        test::copyCatalogImages(names.mid(0, kCatalogSize / 2), catalog());
        test::copyCatalogImages(names.mid(kCatalogSize / 2), catalog() + QStringLiteral("/sub folder"));
    }
};

Indexer makeIndexer(int batchSize = 4)
{
    IndexOptions options;
    options.batchSize = batchSize;
    return Indexer(test::sharedModel(), EmbeddingRecipe::defaultRecipe(), options);
}

IndexReport update(const Fixture &f, int batchSize = 4, const Indexer::ProgressCallback &progress = {},
                   const std::atomic_bool *cancel = nullptr)
{
    auto report = makeIndexer(batchSize).update(f.catalog(), f.cache(), progress, cancel);
    if (!report) qFatal("indexing failed: %s", qPrintable(report.error()));
    return *report;
}

EmbeddingStore load(const Fixture &f)
{
    const auto store = EmbeddingStore::load(
        f.cache(), cacheFiles::identityFor(ModelDescriptor::builtIn(), EmbeddingRecipe::defaultRecipe()));
    if (!store) qFatal("cache does not load: %s", qPrintable(store.error()));
    return *store;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

} // namespace

class TestIndexer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::sharedModel(); }

    void incrementalUpdatesEmbedOnlyWhatChanged()
    {
        Fixture f;
        IndexReport r = update(f);
        QCOMPARE(r.catalogFiles, kCatalogSize);
        QCOMPARE(r.embedded, kCatalogSize);
        QCOMPARE(load(f).size(), kCatalogSize);

        r = update(f);
        QCOMPARE(r.embedded, 0);
        QCOMPARE(r.unchanged, kCatalogSize);

        // Replace one file's content with another picture: only it is embedded again.
        const EmbeddingStore before = load(f);
        const QString touched = before.items()[2].relativePath;
        const QString other = f.catalog() + u'/' + before.items()[7].relativePath;
        QFile::remove(f.catalog() + u'/' + touched);
        QVERIFY(QFile::copy(other, f.catalog() + u'/' + touched));
        QFile(f.catalog() + u'/' + touched).setFileTime(QDateTime::currentDateTime().addSecs(5), QFileDevice::FileModificationTime);
        r = update(f);
        QCOMPARE(r.embedded, 1);
        QCOMPARE(r.changed, 1);
        QCOMPARE(r.unchanged, kCatalogSize - 1);
        const EmbeddingStore after = load(f);
        const int row = after.itemOf(touched);
        QVERIFY(row >= 0);
        QVERIFY(after.vector(row).dot(before.vector(2)) < 0.9999f);              // it changed
        QVERIFY(after.vector(row).dot(before.vector(7)) > 0.9999f);              // to the copied picture
        QVERIFY(after.vector(after.itemOf(before.items()[0].relativePath)) == before.vector(0)); // others kept

        // A removed file leaves the index.
        const QString removed = before.items()[4].relativePath;
        QVERIFY(QFile::remove(f.catalog() + u'/' + removed));
        r = update(f);
        QCOMPARE(r.removed, 1);
        QCOMPARE(r.embedded, 0);
        QCOMPARE(load(f).size(), kCatalogSize - 1);
        QCOMPARE(load(f).itemOf(removed), -1);
    }

    void badFilesAreSkippedWithReasons()
    {
        Fixture f;
        writeFile(f.catalog() + QStringLiteral("/empty.jpg"), {});
        writeFile(f.catalog() + QStringLiteral("/notes.jpg"), "shopping list: shoes, belts");
        QFile good(f.catalog() + u'/' + test::firstCatalogImages(1).first());
        QVERIFY(good.open(QIODevice::ReadOnly));
        writeFile(f.catalog() + QStringLiteral("/sub folder/truncated.jpg"), good.read(good.size() / 2));

        IndexReport r = update(f);
        QCOMPARE(r.embedded, kCatalogSize);
        QCOMPARE(int(r.skipped.size()), 3);
        QHash<QString, QString> reasons;
        for (const SkippedFile &s : r.skipped) reasons.insert(s.file.relativePath, s.reason);
        QVERIFY2(reasons.value(QStringLiteral("empty.jpg")).contains(QStringLiteral("empty")), qPrintable(reasons.value(QStringLiteral("empty.jpg"))));
        QVERIFY2(reasons.value(QStringLiteral("notes.jpg")).contains(QStringLiteral("not an image")), qPrintable(reasons.value(QStringLiteral("notes.jpg"))));
        QVERIFY2(reasons.value(QStringLiteral("sub folder/truncated.jpg")).contains(QStringLiteral("truncated")),
                 qPrintable(reasons.value(QStringLiteral("sub folder/truncated.jpg"))));

        // Unchanged bad files are remembered, not retried; a fixed one is picked up.
        r = update(f);
        QCOMPARE(r.skippedKnown, 3);
        QCOMPARE(int(r.skipped.size()), 0);
        QVERIFY(QFile::remove(f.catalog() + QStringLiteral("/empty.jpg")));
        QVERIFY(good.copy(f.catalog() + QStringLiteral("/empty.jpg")));
        r = update(f);
        QCOMPARE(r.embedded, 1);
        QCOMPARE(r.skippedKnown, 2);
    }

    // Entries a real catalog folder can hold: links that loop back to a parent, a link to
    // nothing, a named pipe (opening it would block for ever), names with quotes and
    // non-Latin letters (an unreadable file: the next test). Indexing finishes, lists each
    // bad one once with its reason and embeds the rest.
    void hostileCatalogEntriesNeitherHangNorStopIndexing()
    {
        Fixture f;
        const QString good = f.catalog() + u'/' + test::firstCatalogImages(1).first();
        QVERIFY(QFile::link(f.catalog(), f.catalog() + QStringLiteral("/sub folder/loop")));
        QVERIFY(QFile::link(QStringLiteral(".."), f.catalog() + QStringLiteral("/sub folder/up")));
        QVERIFY(QFile::link(f.catalog() + QStringLiteral("/missing.jpg"), f.catalog() + QStringLiteral("/dangling.jpg")));
        const QString quoted = QStringLiteral("it's a \"dress\" ü 夏服 $(rm -rf x).jpg");
        QVERIFY(QFile::copy(good, f.catalog() + u'/' + quoted));
#ifdef Q_OS_UNIX
        QCOMPARE(::mkfifo(QFile::encodeName(f.catalog() + QStringLiteral("/pipe.jpg")).constData(), 0600), 0);
#endif
        const IndexReport r = update(f);
        QHash<QString, QString> reasons;
        for (const SkippedFile &s : r.skipped) reasons.insert(s.file.relativePath, s.reason);
        const EmbeddingStore store = load(f);
        QVERIFY(store.itemOf(quoted) >= 0);
        for (const CatalogFile &item : store.items()) QVERIFY2(!item.relativePath.contains(QStringLiteral("loop/")) && !item.relativePath.contains(QStringLiteral("up/")), qPrintable(item.relativePath));
        QVERIFY(store.itemOf(QStringLiteral("dangling.jpg")) < 0);
#ifdef Q_OS_UNIX
        // Not a regular file: never listed, so never opened.
        QVERIFY(!reasons.contains(QStringLiteral("pipe.jpg")) && store.itemOf(QStringLiteral("pipe.jpg")) < 0);
#endif
        QCOMPARE(r.embedded, kCatalogSize + 1);
    }

    // A file the indexer may not read is skipped with its reason; the rest is embedded.
    // Permissions do not stop root (as CI runs): then the test runs itself again without root's override.
    void unreadableFileIsSkippedWithItsReason()
    {
#ifdef Q_OS_UNIX
        if (test::permissionsDoNotApply()) return test::rerunUnprivileged();
        Fixture f;
        const QString locked = f.catalog() + QStringLiteral("/locked.jpg");
        QVERIFY(QFile::copy(f.catalog() + u'/' + test::firstCatalogImages(1).first(), locked));
        QVERIFY(QFile::setPermissions(locked, QFileDevice::WriteOwner));
        QVERIFY(!QFile(locked).open(QIODevice::ReadOnly)); // the permissions do stop this process
        const IndexReport r = update(f);
        QCOMPARE(int(r.skipped.size()), 1);
        QCOMPARE(r.skipped[0].file.relativePath, QStringLiteral("locked.jpg"));
        QVERIFY2(r.skipped[0].reason.contains(QStringLiteral("cannot be read")), qPrintable(r.skipped[0].reason));
        QCOMPARE(r.embedded, kCatalogSize);
        QVERIFY(load(f).itemOf(QStringLiteral("locked.jpg")) < 0);
        QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
#endif
    }

    // Files deleted or replaced after the scan listed them, while indexing runs: the
    // deleted one is skipped with its reason, one replaced by text is refused, one replaced
    // by another picture is embedded as it is now and, since it changed after the scan,
    // embedded again by the next update. Nothing else is lost or embedded twice.
    void filesChangedWhileIndexingRuns()
    {
        Fixture f;
        const QStringList names = test::firstCatalogImages(kCatalogSize);
        const QString last = QStringLiteral("sub folder/") + names.last();
        const QString nextToLast = QStringLiteral("sub folder/") + names[kCatalogSize - 2];
        const QString third = QStringLiteral("sub folder/") + names[kCatalogSize - 3];
        bool changed = false;
        const IndexReport r = update(f, 2, [&](const IndexProgress &) {
            if (changed) return;
            changed = true; // after the first batch: the three are in the last batches
            QVERIFY(QFile::remove(f.catalog() + u'/' + last));
            writeFile(f.catalog() + u'/' + nextToLast, "not a picture any more");
            QVERIFY(QFile::remove(f.catalog() + u'/' + third));
            QVERIFY(QFile::copy(f.catalog() + u'/' + names.first(), f.catalog() + u'/' + third));
            QFile(f.catalog() + u'/' + third).setFileTime(QDateTime::currentDateTime().addSecs(5), QFileDevice::FileModificationTime);
        });
        QVERIFY(changed);
        QHash<QString, QString> reasons;
        for (const SkippedFile &s : r.skipped) reasons.insert(s.file.relativePath, s.reason);
        QCOMPARE(reasons.size(), 2);
        QVERIFY2(reasons.value(last).contains(QStringLiteral("not found")), qPrintable(reasons.value(last)));
        QVERIFY2(reasons.value(nextToLast).contains(QStringLiteral("not an image")), qPrintable(reasons.value(nextToLast)));
        QCOMPARE(r.embedded, kCatalogSize - 2);
        const EmbeddingStore store = load(f);
        QVERIFY(store.vector(store.itemOf(third)).dot(store.vector(store.itemOf(names.first()))) > 0.9999f);

        const IndexReport next = update(f);
        QCOMPARE(next.changed, 1); // the replaced picture, recorded as the scan saw it
        QCOMPARE(next.embedded, 1);
        QCOMPARE(next.removed, 0);
        // The text file was recorded as the scan saw it, so it is tried once more and then
        // remembered; the deleted one is gone from the catalog.
        QCOMPARE(int(next.skipped.size()), 1);
        QCOMPARE(load(f).size(), kCatalogSize - 2);
        QCOMPARE(update(f).skippedKnown, 1);
    }

    void damagedCacheIsRebuilt()
    {
        Fixture f;
        update(f);
        QFile cache(f.cache());
        QVERIFY(cache.open(QIODevice::ReadWrite));
        cache.seek(cache.size() - 200);
        cache.write("garbage");
        cache.close();
        const IndexReport r = update(f);
        QVERIFY2(r.cacheProblem.contains(QStringLiteral("damaged")), qPrintable(r.cacheProblem));
        QCOMPARE(r.embedded, kCatalogSize);
        QCOMPARE(load(f).size(), kCatalogSize);
    }

    void cacheOfAnotherRecipeIsRebuilt()
    {
        Fixture f;
        update(f);
        IndexOptions options;
        const auto r = Indexer(test::sharedModel(), *EmbeddingRecipe::fromId(QStringLiteral("pad-224-avg")), options)
                           .update(f.catalog(), f.cache());
        QVERIFY(r);
        QVERIFY2(r->cacheProblem.contains(QStringLiteral("recipe")), qPrintable(r->cacheProblem));
        QCOMPARE(r->embedded, kCatalogSize);
    }

    // The default's search-time parts (outside-photo fit, projection, DBA, QE) act on the
    // stored rows: a recipe that differs only in them reuses the cache as it is.
    void searchTimePartsNeedNoReindex()
    {
        Fixture f;
        update(f);
        const auto r = Indexer(test::sharedModel(), *EmbeddingRecipe::fromId(QStringLiteral("squash-288-max-cls0.2-qpad224-dba2")))
                           .update(f.catalog(), f.cache());
        QVERIFY(r);
        QVERIFY2(r->cacheProblem.isEmpty(), qPrintable(r->cacheProblem));
        QCOMPARE(r->embedded, 0);
        QCOMPARE(r->unchanged, kCatalogSize);
    }

    void cancelKeepsAUsablePartialIndex()
    {
        Fixture f;
        std::atomic_bool cancel{false};
        IndexReport r = update(f, 3, [&](const IndexProgress &) { cancel = true; }, &cancel);
        QVERIFY(r.cancelled);
        QCOMPARE(r.embedded, 3);
        QCOMPARE(load(f).size(), 3);
        QVERIFY(!QFile::exists(cacheFiles::journalPath(f.cache())));
        r = update(f, 3);
        QVERIFY(!r.cancelled);
        QCOMPARE(r.unchanged, 3);
        QCOMPARE(r.embedded, kCatalogSize - 3);
    }

    void killedProcessResumesFromItsLastBatch()
    {
        Fixture f;
        QProcess cli;
        cli.setProcessChannelMode(QProcess::SeparateChannels);
        cli.start(QStringLiteral(LOOKBOOK_CLI_PATH),
                  {QStringLiteral("index"), f.catalog(), QStringLiteral("--cache"), f.cache(), QStringLiteral("--batch"), QStringLiteral("2")});
        QVERIFY(cli.waitForStarted());
        // Wait for the first finished batch, then kill without warning (SIGKILL).
        QByteArray seen;
        while (!seen.contains("indexing 2/") && cli.state() == QProcess::Running) {
            cli.waitForReadyRead(100);
            seen += cli.readAllStandardError();
        }
        cli.kill();
        cli.waitForFinished();
        QVERIFY2(seen.contains("indexing 2/"), seen.constData());
        QVERIFY(QFile::exists(cacheFiles::journalPath(f.cache())));

        const IndexReport r = update(f, 2);
        QVERIFY(r.resumedBatches >= 1);
        QCOMPARE(r.unchanged + r.embedded, kCatalogSize);
        QVERIFY(r.unchanged >= 2);          // the checkpointed batches were not recomputed
        QCOMPARE(r.unchanged, 2 * r.resumedBatches);
        QCOMPARE(load(f).size(), kCatalogSize);
    }

    void secondIndexerOnTheSameCatalogIsTurnedAway()
    {
        Fixture f;
        QDir().mkpath(QFileInfo(f.cache()).absolutePath());
        QLockFile held(f.cache() + QStringLiteral(".lock"));
        QVERIFY(held.tryLock(0));
        const auto r = makeIndexer().update(f.catalog(), f.cache());
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("another Lookbook process")), qPrintable(r.error()));
    }

    void missingCatalogIsAnError()
    {
        const auto r = makeIndexer().update(QStringLiteral("/nonexistent/catalog"), QDir::tempPath() + QStringLiteral("/x.lbi"));
        QVERIFY(!r);
        QVERIFY(r.error().contains(QStringLiteral("does not exist")));
    }

    void defaultCacheLivesInAWritableCatalog()
    {
        Fixture f;
        QCOMPARE(cacheFiles::defaultPath(f.catalog()), f.catalog() + QStringLiteral("/.lookbook-index.lbi"));
    }

    void readOnlyCatalogKeepsItsCacheInAppData()
    {
        QStandardPaths::setTestModeEnabled(true);
        Fixture f;
        QVERIFY(QFile::setPermissions(f.catalog(), QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup));
        const QString cache = cacheFiles::defaultPath(f.catalog());
        QVERIFY2(!cache.startsWith(f.catalog()), qPrintable(cache));
        QVERIFY(cache.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)));
        const auto r = makeIndexer().update(f.catalog(), cache);
        QVERIFY2(r, qPrintable(r.error()));
        QCOMPARE(r->embedded, kCatalogSize);
        QVERIFY(QFile::exists(cache));
        QCOMPARE(QDir(f.catalog()).entryList(QDir::Hidden | QDir::Files).filter(QStringLiteral("lookbook")).size(), 0);
        QFile::remove(cache);
        QFile::setPermissions(f.catalog(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
};

QTEST_GUILESS_MAIN(TestIndexer)
#include "tst_indexer.moc"
