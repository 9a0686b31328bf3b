// A catalog indexed in shards by parallel processes (lookbook-cli index --shard K/N, the
// xargs -P form of docs/scale-out.md) and merged (lookbook-cli merge): real processes, real
// model, real images; the merge is compared bit for bit with one run over the whole catalog.
#include "TestSupport.h"

#include "CacheFiles.h"
#include "CatalogShard.h"
#include "ColourStore.h"
#include "EmbeddingStore.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <set>

using namespace lookbook;

namespace {

using Run = test::ProcessRun;
using test::cli;

constexpr int kImages = 14;

EmbeddingStore loadStore(const QString &path)
{
    const StoreIdentity identity = cacheFiles::identityFor(ModelDescriptor::builtIn(), EmbeddingRecipe::defaultRecipe());
    auto loaded = EmbeddingStore::load(path, identity);
    if (!loaded) qFatal("%s: %s", qPrintable(path), qPrintable(loaded.error()));
    return std::move(*loaded);
}

bool sameRowsBitForBit(const EmbeddingStore &a, const EmbeddingStore &b)
{
    if (a.size() != b.size() || a.dimension() != b.dimension()) return false;
    for (int i = 0; i < a.size(); ++i)
        if (a.items()[size_t(i)].relativePath != b.items()[size_t(i)].relativePath
            || std::memcmp(a.vector(i).data(), b.vector(i).data(), size_t(a.dimension()) * sizeof(float)) != 0)
            return false;
    return true;
}

} // namespace

class TestShards : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString catalog() const { return m_dir.filePath(QStringLiteral("catalog")); }
    QString part(int k) const { return m_dir.filePath(QStringLiteral("parts/part-%1.lbi").arg(k)); }
    QString merged() const { return m_dir.filePath(QStringLiteral("merged.lbi")); }

    // lookbook-cli merge into `target`; must refuse with `expected` in its message and write nothing.
    void expectRefusal(const QStringList &parts, const QByteArray &expected)
    {
        const QString target = m_dir.filePath(QStringLiteral("refused.lbi"));
        const Run r = cli(QStringList{QStringLiteral("merge"), catalog()} + parts + QStringList{QStringLiteral("--cache"), target});
        QVERIFY2(r.exitCode == 2, r.err.constData());
        QVERIFY2(r.err.contains("nothing was merged") && r.err.contains(expected), r.err.constData());
        QVERIFY(!QFile::exists(target));
        QVERIFY(!QFile::exists(cacheFiles::colourPath(target)));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir().mkpath(catalog()) && QDir().mkpath(m_dir.filePath(QStringLiteral("parts"))));
        QVERIFY(test::copyCatalogImages(test::firstCatalogImages(kImages), catalog()));
    }

    void everyFileFallsInExactlyOneShard()
    {
        std::vector<CatalogFile> files;
        for (int i = 0; i < 2000; ++i) files.push_back({QStringLiteral("folder %1/%2.jpg").arg(i % 7).arg(i), 1, 1});
        for (int n : {1, 2, 3, 4, 16}) {
            std::vector<int> counts(size_t(n) + 1);
            for (const CatalogFile &f : files) {
                const int k = CatalogShard::of(f.relativePath, n);
                QVERIFY(k >= 1 && k <= n);
                ++counts[size_t(k)];
                int holders = 0;
                for (int j = 1; j <= n; ++j) holders += CatalogShard{j, n, {}}.holds(f.relativePath) ? 1 : 0;
                QCOMPARE(holders, 1);
            }
            for (int k = 1; k <= n; ++k) QVERIFY2(counts[size_t(k)] > 2000 / n / 2, "shards of very unequal size");
        }
        // The same name, composed (Linux, Windows) or decomposed (macOS), falls in the same shard.
        const QString composed = QStringLiteral("robe d'\u00E9t\u00E9.jpg");
        const QString decomposed = composed.normalized(QString::NormalizationForm_D);
        QVERIFY(composed != decomposed);
        for (int n : {2, 3, 5, 7, 11}) QCOMPARE(CatalogShard::of(composed, n), CatalogShard::of(decomposed, n));
        // The listing names the catalog's state: another date is another listing.
        std::vector<CatalogFile> touched = files;
        touched[5].modifiedMs += 1;
        QVERIFY(!(CatalogListing::of(files) == CatalogListing::of(touched)));
        QVERIFY(CatalogListing::of(files) == CatalogListing::of(files));
        QVERIFY(!CatalogShard::parse(QStringLiteral("0/4")));
        QVERIFY(!CatalogShard::parse(QStringLiteral("5/4")));
        QVERIFY(!CatalogShard::parse(QStringLiteral("2")));
        QCOMPARE(CatalogShard::parse(QStringLiteral("3/4"))->index, 3);
    }

    // Two shard processes run at once by xargs -P, as docs/scale-out.md does on one machine.
    void parallelShardsMergeBitForBitIntoOneRun()
    {
        const QString script = QStringLiteral("printf '1\\n2\\n' | xargs -P 2 -I{} \"$0\" index \"$1\" --shard {}/2 --cache \"$2/part-{}.lbi\"");
        Run r = test::runProcess(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral(LOOKBOOK_CLI_PATH), catalog(),
                                                m_dir.filePath(QStringLiteral("parts"))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Shard: 1 of 2") && r.out.contains("Shard: 2 of 2"), r.out.constData());

        const EmbeddingStore one = loadStore(part(1)), two = loadStore(part(2));
        QCOMPARE(one.shard().index, 1);
        QCOMPARE(two.shard().index, 2);
        QCOMPARE(one.size() + two.size(), kImages);
        QVERIFY(one.size() > 0 && two.size() > 0);
        for (const CatalogFile &f : one.items()) QCOMPARE(CatalogShard::of(f.relativePath, 2), 1);
        for (const CatalogFile &f : two.items()) QCOMPARE(CatalogShard::of(f.relativePath, 2), 2);

        r = cli({QStringLiteral("merge"), catalog(), part(1), part(2), QStringLiteral("--cache"), merged()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Merged: 2 parts, 14 embedded"), r.out.constData());
        QVERIFY2(!r.err.contains("not merged"), r.err.constData());

        const QString whole = m_dir.filePath(QStringLiteral("whole.lbi"));
        // Batches of 13 leave the 14th image alone in a batch, which OpenCV runs through other
        // kernels: the row must still be the one its shard's batch made.
        r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--cache"), whole, QStringLiteral("--batch"), QStringLiteral("13")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const EmbeddingStore single = loadStore(whole), fromParts = loadStore(merged());
        QVERIFY(!fromParts.shard().isPart());
        QVERIFY2(sameRowsBitForBit(single, fromParts), "the merged rows differ from one run's");
        // The colours came with the parts, the same as one run describes them.
        const auto colours = EmbeddingStore::load(cacheFiles::colourPath(merged()), ColourStore::identity());
        const auto singleColours = EmbeddingStore::load(cacheFiles::colourPath(whole), ColourStore::identity());
        QVERIFY(colours && singleColours);
        QVERIFY(sameRowsBitForBit(*singleColours, *colours));
        // The merged cache searches: the query command opens it.
        r = cli({QStringLiteral("query"), catalog(), catalog() + u'/' + test::firstCatalogImages(1).constFirst(), QStringLiteral("--cache"), merged()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void aShardRunAgainEmbedsNothingNew()
    {
        const Run r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("1/2"),
                           QStringLiteral("--cache"), part(1)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Embedded: 0"), r.out.constData());
    }

    void aPartIsNeverWrittenOverByAnotherRun()
    {
        const QByteArray before = [&] { QFile f(part(1)); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        Run r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("2/2"), QStringLiteral("--cache"), part(1)});
        QVERIFY2(r.exitCode == 2 && r.err.contains("holds shard 1 of 2, not shard 2 of 2"), r.err.constData());
        r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--cache"), part(1)});
        QVERIFY2(r.exitCode == 2 && r.err.contains("merge the parts first"), r.err.constData());
        QFile f(part(1));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("1/2")});
        QVERIFY2(r.exitCode == 1 && r.err.contains("--shard needs --cache"), r.err.constData());
    }

    void badPartsAreRefusedAndNothingIsWritten()
    {
        expectRefusal({part(1)}, "1 of them is missing (shard 2)");
        expectRefusal({part(1), part(1)}, "is given twice");
        expectRefusal({part(1), m_dir.filePath(QStringLiteral("no-such-part.lbi"))}, "does not exist");
        expectRefusal({part(1), m_dir.filePath(QStringLiteral("whole.lbi"))}, "the cache of a whole catalog");

        const QString damaged = m_dir.filePath(QStringLiteral("damaged.lbi"));
        QVERIFY(QFile::copy(part(2), damaged));
        {
            QFile f(damaged);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.seek(f.size() - 100);
            const char flipped = char(f.peek(1).at(0) ^ 0x20);
            QVERIFY(f.write(&flipped, 1) == 1);
        }
        expectRefusal({part(1), damaged}, "checksum mismatch");

        // A part of another split, made by shard 1 of 3.
        const QString third = m_dir.filePath(QStringLiteral("third.lbi"));
        Run r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("1/3"), QStringLiteral("--cache"), third});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        expectRefusal({part(1), third}, "split the catalog in different ways");

        // A part with another recipe than the one in use.
        const QString seed = m_dir.filePath(QStringLiteral("seed-recipe.lbi"));
        r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("2/2"), QStringLiteral("--cache"), seed,
                 QStringLiteral("--recipe"), QStringLiteral("squash-224-max")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        expectRefusal({part(1), seed}, "recipe");

        // An unfinished part: its journal is still beside it.
        const QString journal = cacheFiles::journalPath(part(2));
        QVERIFY(QFile(journal).open(QIODevice::WriteOnly));
        expectRefusal({part(1), part(2)}, "is not finished");
        QVERIFY(QFile::remove(journal));

        // The catalog changed since the parts were indexed: a new photo.
        const QString added = catalog() + QStringLiteral("/added.jpg");
        QVERIFY(QFile::copy(catalog() + u'/' + test::firstCatalogImages(1).constFirst(), added));
        expectRefusal({part(1), part(2)}, "changed since the parts were indexed");
        // Its shard run again, the other left as it was: the parts disagree about the catalog.
        const int k = CatalogShard::of(QStringLiteral("added.jpg"), 2);
        r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("%1/2").arg(k), QStringLiteral("--cache"), part(k)});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Embedded: 1"), (r.out + r.err).constData());
        expectRefusal({part(1), part(2)}, "indexed from different catalogs, or from this catalog at different times");
        // Both run again: the merge goes through and holds the new photo.
        r = cli({QStringLiteral("index"), catalog(), QStringLiteral("--shard"), QStringLiteral("%1/2").arg(3 - k), QStringLiteral("--cache"), part(3 - k)});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Embedded: 0"), (r.out + r.err).constData());
        r = cli({QStringLiteral("merge"), catalog(), part(1), part(2), QStringLiteral("--cache"), merged()});
        QVERIFY2(r.exitCode == 0 && r.out.contains("15 embedded"), (r.out + r.err).constData());
        QVERIFY(loadStore(merged()).itemOf(QStringLiteral("added.jpg")) >= 0);
    }
};

QTEST_GUILESS_MAIN(TestShards)
#include "tst_shards.moc"
