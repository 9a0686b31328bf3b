// lookbook-cli driven as a user drives it: real processes, real model, real images.
#include "TestSupport.h"

#include "ColourModel.h"
#include "DiscriminantProjection.h"
#include "StyleLabels.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace lookbook;

namespace {

using Run = test::ProcessRun;
using test::cli;

constexpr int kCatalogSize = 12;

// A small catalog with labels: the first 12 (or `size`) demo images and their styles.csv rows.
class CatalogFixture {
public:
    explicit CatalogFixture(int size = kCatalogSize)
    {
        names = test::firstCatalogImages(size);
        test::copyCatalogImages(names, catalog());
        QFile styles(test::sharedCatalogDir() + QStringLiteral("/styles.csv"));
        styles.open(QIODevice::ReadOnly);
        QByteArray subset = styles.readLine();
        while (!styles.atEnd()) {
            const QByteArray line = styles.readLine();
            const QString id = QString::fromUtf8(line.left(line.indexOf(',')));
            if (names.contains(id + QStringLiteral(".jpg"))) subset += line;
        }
        QFile out(catalog() + QStringLiteral("/styles.csv"));
        out.open(QIODevice::WriteOnly);
        out.write(subset);
    }
    QString catalog() const { return dir.filePath(QStringLiteral("my catalog ü")); }
    QTemporaryDir dir;
    QStringList names;
};

QJsonObject json(const QByteArray &bytes)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &e);
    if (!doc.isObject()) qWarning("not JSON (%s): %s", qPrintable(e.errorString()), bytes.constData());
    return doc.object();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    // indexQueryEval's steps, in order, on one indexed catalog.
    static void checkIndexing(const CatalogFixture &f)
    {
        Run r = cli({QStringLiteral("index"), f.catalog()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Embedded: 12"), r.out.constData());
        QVERIFY(QFile::exists(f.catalog() + QStringLiteral("/.lookbook-index.lbi")));
        r = cli({QStringLiteral("index"), f.catalog()});
        QVERIFY2(r.out.contains("Unchanged: 12"), r.out.constData());
    }

    // The catalog item `self` and an outside photo as queries, as JSON and as text.
    static void checkQueries(const CatalogFixture &f, const QString &self)
    {
        // A catalog item as the query: left out of its own results, 5 results, best first.
        Run r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonObject doc = json(r.out);
        QVERIFY(doc.value(QStringLiteral("query_in_catalog")).toBool());
        QJsonArray results = doc.value(QStringLiteral("results")).toArray();
        QCOMPARE(results.size(), 5);
        double previous = 2;
        for (int i = 0; i < results.size(); ++i) {
            const QJsonObject hit = results[i].toObject();
            QCOMPARE(hit.value(QStringLiteral("rank")).toInt(), i + 1);
            QVERIFY(hit.value(QStringLiteral("relative_path")).toString() != f.names[3]);
            QVERIFY(QFile::exists(hit.value(QStringLiteral("path")).toString()));
            const double score = hit.value(QStringLiteral("score")).toDouble();
            QVERIFY(score <= previous && score > 0 && score <= 1.0001);
            previous = score;
            QVERIFY(!hit.value(QStringLiteral("labels")).toObject().value(QStringLiteral("articleType")).toString().isEmpty());
        }

        // An outside photo and -k.
        const QString street = test::sharedQueriesDir() + QStringLiteral("/images/shoes");
        const QString photo = street + u'/' + QDir(street).entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name).first();
        r = cli({QStringLiteral("query"), f.catalog(), photo, QStringLiteral("-k"), QStringLiteral("3"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        doc = json(r.out);
        QVERIFY(!doc.value(QStringLiteral("query_in_catalog")).toBool());
        QCOMPARE(doc.value(QStringLiteral("results")).toArray().size(), 3);

        // Text output names rank, score, path and labels.
        r = cli({QStringLiteral("query"), f.catalog(), self});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("rank  score  path"));
        const QStringList lines = QString::fromUtf8(r.out).split(u'\n');
        const QRegularExpression resultLine(QStringLiteral("^ +[1-5]  [01]\\.\\d{3}  ") + QRegularExpression::escape(f.catalog()));
        QCOMPARE(lines.filter(resultLine).size(), 5);
    }

    static void checkEval(const CatalogFixture &f)
    {
        // Eval with street queries: the documented keys, with counts.
        const Run r = cli({QStringLiteral("eval"), f.catalog(), QStringLiteral("--queries"), test::sharedQueriesDir() + QStringLiteral("/images"),
                 QStringLiteral("--label-map"), test::sharedQueriesDir() + QStringLiteral("/label_map_to_articleType.csv"),
                 QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject doc = json(r.out);
        QCOMPARE(doc.value(QStringLiteral("catalog_items")).toInt(), kCatalogSize);
        QCOMPARE(doc.value(QStringLiteral("queries")).toInt(), kCatalogSize);
        QCOMPARE(doc.value(QStringLiteral("street_queries")).toInt(), 341);
        // The figures themselves are checked on a catalog worked out by hand
        // (evalPrintsTheFiguresWorkedOutByHand); here, that each is there.
        for (const char *key :
             {"p_at_5_article_type", "p_at_5_article_type_colour", "street_p_at_5_strict", "street_p_at_5_broad"})
            QVERIFY2(doc.value(QLatin1String(key)).isDouble(), key);
        // The built-in projection was fitted on the training catalog, none of these items:
        // the figures need no cross-validation.
        QCOMPARE(doc.value(QStringLiteral("folds")).toInt(), 0);
        // The colour figures and their ceilings, by the protocol.
        for (const char *key : {"p_at_5_article_type_colour_family", "ceiling_article_type", "ceiling_article_type_colour",
                                "ceiling_article_type_colour_family"})
            QVERIFY2(doc.value(QLatin1String(key)).isDouble(), key);
        QVERIFY(doc.value(QStringLiteral("street_embed_ms_per_image")).toDouble() > 0);
    }

    // Tune to this catalog, then search and evaluate with its own projection.
    static void checkOwnProjection(const CatalogFixture &f, const QString &self)
    {
        // Tune to this catalog: fit a projection (written even if it does not win, see
        // fitProjectionWritesOnlyAWinner), then search and evaluate with it.
        QTemporaryDir out;
        const QString projection = out.filePath(QStringLiteral("mine.lbp"));
        Run r = cli({QStringLiteral("fit-projection"), f.catalog(), QStringLiteral("--output"), projection, QStringLiteral("--force")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFile::exists(projection));
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--projection"), projection, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(json(r.out).value(QStringLiteral("results")).toArray().size(), 5);
        r = cli({QStringLiteral("eval"), f.catalog(), QStringLiteral("--projection"), projection, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(json(r.out).value(QStringLiteral("folds")).toInt(), 0); // a given projection is used as it is
        r = cli({QStringLiteral("eval"), f.catalog(), QStringLiteral("--folds"), QStringLiteral("1")});
        QCOMPARE(r.exitCode, 1);
        r = cli({QStringLiteral("fit-projection"), f.catalog()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("--output"));
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--projection"), out.filePath(QStringLiteral("none.lbp"))});
        QVERIFY(r.exitCode != 0);
        QVERIFY(r.err.contains("none.lbp"));
    }

private slots:
    void versionAndHelp()
    {
        const Run v = cli({QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QVERIFY2(v.out.contains(LOOKBOOK_VERSION), v.out.constData());
        const Run h = cli({QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        for (const char *word : {"index", "query", "eval", "fit-projection", "duplicates"}) QVERIFY(h.out.contains(word));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << 1 << QStringLiteral("no command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 1 << QStringLiteral("unknown command");
        QTest::newRow("index without catalog") << QStringList{QStringLiteral("index")} << 1 << QStringLiteral("needs a CATALOG");
        QTest::newRow("catalog missing") << QStringList{QStringLiteral("index"), QStringLiteral("/no/such/folder")} << 2
                                         << QStringLiteral("does not exist");
        QTest::newRow("bad recipe") << QStringList{QStringLiteral("index"), QDir::tempPath(), QStringLiteral("--recipe"), QStringLiteral("huge")}
                                    << 1 << QStringLiteral("unknown recipe");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("query"), QStringLiteral("--frob")} << 1 << QStringLiteral("frob");
        QTest::newRow("threshold out of range")
            << QStringList{QStringLiteral("duplicates"), QDir::tempPath(), QStringLiteral("--threshold"), QStringLiteral("1.5")} << 1
            << QStringLiteral("--threshold");
        QTest::newRow("named model missing")
            << QStringList{QStringLiteral("index"), QDir::tempPath(), QStringLiteral("--model"), QStringLiteral("/no/model.onnx")} << 2
            << QStringLiteral("/no/model.onnx");
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void queryBeforeIndexSaysWhatToDo()
    {
        CatalogFixture f;
        const Run r = cli({QStringLiteral("query"), f.catalog(), f.catalog() + u'/' + f.names.first()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("lookbook-cli index"), r.err.constData());
    }

    // Indexing and searching never use the network: traced by strace, the command-line
    // tool creates no internet socket of any kind (the only fetch in Lookbook is of an
    // http(s) link the user drops on the window, tested in tst_querypane).
    void indexAndQueryOpenNoNetworkSocket()
    {
        const QString strace = QStandardPaths::findExecutable(QStringLiteral("strace"));
        if (strace.isEmpty()) QSKIP("strace is not installed (packaging/linux/install-build-deps.sh installs it)");
        CatalogFixture f;
        const QString log = f.dir.filePath(QStringLiteral("trace.log"));
        const QList<QStringList> commands{{QStringLiteral("index"), f.catalog()},
                                          {QStringLiteral("query"), f.catalog(), test::firstStreetPhoto(QStringLiteral("dress"))}};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // LeakSanitizer cannot run under ptrace (sanitizer builds); the other checks can.
        env.insert(QStringLiteral("ASAN_OPTIONS"), env.value(QStringLiteral("ASAN_OPTIONS")) + QStringLiteral(":detect_leaks=0"));
        for (const QStringList &args : commands) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(strace, QStringList{QStringLiteral("-f"), QStringLiteral("-qq"), QStringLiteral("-e"),
                                        QStringLiteral("trace=socket,connect,sendto"), QStringLiteral("-o"), log,
                                        QStringLiteral(LOOKBOOK_CLI_PATH)} + args);
            p.waitForFinished(-1);
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAllStandardError().constData());
            QFile trace(log);
            QVERIFY(trace.open(QIODevice::ReadOnly));
            const QByteArray calls = trace.readAll();
            QVERIFY2(!calls.contains("AF_INET") && !calls.contains("AF_PACKET") && !calls.contains("AF_NETLINK"), calls.constData());
        }
    }

    // --export and --copy-to take the printed results out of Lookbook; targets that cannot be
    // written are refused with exit code 2.
    void queryExportsAndCopies()
    {
        CatalogFixture f;
        Run r = cli({QStringLiteral("index"), f.catalog()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QTemporaryDir out;
        const QString self = f.catalog() + u'/' + f.names[3];
        const QString csv = out.filePath(QStringLiteral("x.csv"));
        const QString jsonFile = out.filePath(QStringLiteral("x.json"));
        const QString png = out.filePath(QStringLiteral("x.png"));
        const QString copies = out.filePath(QStringLiteral("picked"));
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--export"), csv, QStringLiteral("--export"), jsonFile,
                 QStringLiteral("--export"), png, QStringLiteral("--copy-to"), copies});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("rank  score  path") && r.out.contains("Copied 5 of 5 images"), r.out.constData());
        for (const QString &file : {csv, jsonFile, png}) QVERIFY2(QFileInfo(file).size() > 0, qPrintable(file));

        QFile table(csv);
        QVERIFY(table.open(QIODevice::ReadOnly));
        bool ok = false;
        const QList<QStringList> rows = parseCsv(table.readAll(), &ok);
        QVERIFY(ok);
        QCOMPARE(rows.size(), 1 + 5);
        QCOMPARE(rows[0].mid(0, 4), (QStringList{QStringLiteral("rank"), QStringLiteral("score"), QStringLiteral("path"),
                                                 QStringLiteral("relativePath")}));
        QVERIFY(rows[0].contains(QStringLiteral("articleType")));
        QFile results(jsonFile);
        QVERIFY(results.open(QIODevice::ReadOnly));
        const QJsonObject doc = json(results.readAll());
        QCOMPARE(doc.value(QStringLiteral("query")).toString(), self);
        QVERIFY(doc.value(QStringLiteral("query_in_catalog")).toBool());
        QCOMPARE(doc.value(QStringLiteral("results")).toArray().size(), 5);
        const QStringList copied = QDir(copies).entryList(QDir::Files, QDir::Name);
        QCOMPARE(copied.size(), 5);
        QVERIFY2(copied.first().startsWith(QStringLiteral("01_")), qPrintable(copied.first()));

        // With --json, stdout stays one JSON object.
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--json"), QStringLiteral("--export"), csv});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(json(r.out).value(QStringLiteral("results")).toArray().size(), 5);

        // An unknown format is refused before searching; an unwritable target after, with the
        // results printed (a file where a folder should be stops root too).
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--export"), out.filePath(QStringLiteral("x.txt"))});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(".csv, .json or .png") && r.err.contains("x.txt") && r.out.isEmpty(), r.err.constData());
        QVERIFY(!QFile::exists(out.filePath(QStringLiteral("x.txt"))));
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--export"), csv + QStringLiteral("/sub/y.json")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("y.json") && r.out.contains("rank  score  path"), r.err.constData());
        r = cli({QStringLiteral("query"), f.catalog(), self, QStringLiteral("--copy-to"), png});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not a folder"), r.err.constData());
    }

    void indexQueryEval()
    {
        CatalogFixture f;
        checkIndexing(f);
        if (QTest::currentTestFailed()) return;
        const QString self = f.catalog() + u'/' + f.names[3];
        checkQueries(f, self);
        if (QTest::currentTestFailed()) return;
        checkEval(f);
        if (QTest::currentTestFailed()) return;
        checkOwnProjection(f, self);
    }

    // A catalog whose nearest neighbours are certain, so that what eval must print can be
    // worked out by hand. Byte-identical copies have the same embedding (cosine 1, and the
    // same garment colour), above any other picture; a7, image a saved again at a lower JPEG
    // quality, is nearer to a than the sandal b or the shoe u is:
    //   a1..a6  copies of a (a tracksuit)   Tshirts
    //   a7      a re-encoded                Tshirts
    //   b1..b5  copies of b (a sandal)      Shirts
    //   b6      a copy of b                 Tshirts
    //   u       another picture (a shoe)    no row in styles.csv: an item, not a query
    // Leave-one-out, k = 5: the queries are the 13 labelled items; each one's top 5 are
    //   a1..a6  the 5 other copies of a, all Tshirts            5 correct each  30
    //   a7      5 of the 6 copies of a, all Tshirts             5               5
    //   b1..b5  the 5 other copies of b: 4 Shirts, b6 Tshirts   4 each          20
    //   b6      b1..b5, all Shirts                              0               0
    // P@5 articleType = 55 / (13 queries x 5) = 0.846154.
    // The ceiling, min(5, others of the query's articleType) / 5: the 8 Tshirts have 7
    // others (5 each), the 5 Shirts 4 others (4 each): (40 + 20) / 65 = 0.923077, and
    // 55 / 60 = 0.917 of it. An evaluation that counts the query among its own results
    // gives b6 a hit (at least 56); one that stops at rank 4 loses a1..a6's fifth (at most
    // 49), one that reads rank 6 gives them a7 (61); dividing by the 14 items instead of the
    // 13 queries gives 55 / 70 = 0.786.
    void evalPrintsTheFiguresWorkedOutByHand()
    {
        QTemporaryDir dir;
        const QString catalog = dir.filePath(QStringLiteral("catalog"));
        const QStringList names = test::firstCatalogImages(4); // a tracksuit, a sandal, a sandal, a shoe
        QVERIFY(QDir().mkpath(catalog));
        const QString images = test::sharedCatalogDir() + QStringLiteral("/images/");
        QByteArray styles = "id,articleType,baseColour\n";
        const auto add = [&](const QString &file, const QString &id, const char *articleType) {
            QVERIFY(QFile::copy(images + file, catalog + u'/' + id + QStringLiteral(".jpg")));
            styles += id.toUtf8() + ',' + articleType + ",Black\n";
        };
        for (int i = 1; i <= 6; ++i) add(names[0], QStringLiteral("a%1").arg(i), "Tshirts");
        for (int i = 1; i <= 5; ++i) add(names[1], QStringLiteral("b%1").arg(i), "Shirts");
        add(names[1], QStringLiteral("b6"), "Tshirts");
        QVERIFY(QFile::copy(images + names[3], catalog + QStringLiteral("/u.jpg")));
        const cv::Mat a = cv::imread(QFile::encodeName(images + names[0]).toStdString());
        QVERIFY(!a.empty());
        QVERIFY(
            cv::imwrite(QFile::encodeName(catalog + QStringLiteral("/a7.jpg")).toStdString(), a, {cv::IMWRITE_JPEG_QUALITY, 60}));
        styles += "a7,Tshirts,Black\n";
        QFile csv(catalog + QStringLiteral("/styles.csv"));
        QVERIFY(csv.open(QIODevice::WriteOnly) && csv.write(styles) == styles.size());
        csv.close();

        Run r = cli({QStringLiteral("index"), catalog});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Embedded: 14"), r.out.constData());
        r = cli({QStringLiteral("eval"), catalog, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject doc = json(r.out);
        QCOMPARE(doc.value(QStringLiteral("catalog_items")).toInt(), 14);
        QCOMPARE(doc.value(QStringLiteral("queries")).toInt(), 13);
        QCOMPARE(doc.value(QStringLiteral("folds")).toInt(), 0);
        QCOMPARE(QString::number(doc.value(QStringLiteral("p_at_5_article_type")).toDouble(), 'f', 6),
                 QStringLiteral("0.846154"));
        QCOMPARE(QString::number(doc.value(QStringLiteral("ceiling_article_type")).toDouble(), 'f', 6),
                 QStringLiteral("0.923077"));
        r = cli({QStringLiteral("eval"), catalog});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("(14 items, 13 queries):\n"), r.out.constData());
        QVERIFY2(r.out.contains("  P@5 articleType          0.846  (0.917 of the ceiling 0.923)\n"), r.out.constData());
    }

    // fit-projection cross-validates on grouped folds and writes the projection only when it
    // beats the built-in one there: on 12 items its own fit cannot (fitted on ten items, or,
    // while the built-in one was fitted on these very files, the same fit), so it says so,
    // writes nothing and exits with 2, unless --force. What it writes records its training
    // files by content and the command.
    void fitProjectionWritesOnlyAWinner()
    {
        CatalogFixture f;
        Run r = cli({QStringLiteral("index"), f.catalog()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QTemporaryDir out;
        const QString projection = out.filePath(QStringLiteral("mine.lbp"));
        r = cli({QStringLiteral("fit-projection"), f.catalog(), QStringLiteral("--output"), projection});
        QVERIFY2(r.exitCode == 2, r.out.constData());
        QVERIFY2(r.out.contains("held-out folds (5 grouped folds, "), r.out.constData());
        QVERIFY2(QRegularExpression(QStringLiteral("articleType +0\\.\\d{3} -> 0\\.\\d{3}")).match(QString::fromUtf8(r.out)).hasMatch(),
                 r.out.constData());
        QVERIFY2(r.out.contains("not written (--force writes it anyway)"), r.out.constData());
        QVERIFY(!QFile::exists(projection));

        r = cli({QStringLiteral("fit-projection"), f.catalog(), QStringLiteral("--output"), projection, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 2);
        QJsonObject doc = json(r.out);
        QCOMPARE(doc.value(QStringLiteral("catalog_items")).toInt(), kCatalogSize);
        QCOMPARE(doc.value(QStringLiteral("folds")).toInt(), 5);
        const int groups = doc.value(QStringLiteral("groups")).toInt();
        QVERIFY2(groups >= 5 && groups < kCatalogSize, qPrintable(QString::number(groups))); // two pairs of siblings at least
        QVERIFY(!doc.value(QStringLiteral("own_wins")).toBool(true));
        QVERIFY(!doc.value(QStringLiteral("written")).toBool(true));
        QVERIFY(doc.value(QStringLiteral("own_p_at_5_article_type")).toDouble(-1) <=
                doc.value(QStringLiteral("built_in_p_at_5_article_type")).toDouble());
        QVERIFY(!QFile::exists(projection));

        r = cli({QStringLiteral("fit-projection"), f.catalog(), QStringLiteral("--output"), projection, QStringLiteral("--force"),
                 QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        doc = json(r.out);
        QVERIFY(doc.value(QStringLiteral("written")).toBool());
        const auto written = DiscriminantProjection::load(projection);
        QVERIFY2(written, qPrintable(written.error()));
        const QJsonObject provenance = written->provenance();
        QCOMPARE(provenance.value(QStringLiteral("fitted_on_contents")).toArray().size(), kCatalogSize);
        QVERIFY(provenance.value(QStringLiteral("command")).toString().contains(QStringLiteral("fit-projection")));
        QCOMPARE(provenance.value(QStringLiteral("held_out")).toObject().value(QStringLiteral("folds")).toInt(), 5);

        // A column the labels do not have is refused before anything is fitted.
        r = cli({QStringLiteral("fit-projection"), f.catalog(), QStringLiteral("--output"), projection,
                 QStringLiteral("--column"), QStringLiteral("nosuchcolumn")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no nosuchcolumn column"), r.err.constData());
    }

    // The command that made models/fashion_colour_model.json, run again on a sample of the
    // training catalog it was fitted on (CI never indexes all 14,783): a model that loads,
    // says what it was fitted on, and serves eval through --colour-model; --colour queries.
    void fitColourRefitsFromASample()
    {
        const QString train = test::sharedDir() + QStringLiteral("/data/fashion-product-images-small-train");
        QTemporaryDir dir;
        const QString catalog = dir.filePath(QStringLiteral("sample"));
        QVERIFY(QDir().mkpath(catalog + QStringLiteral("/images")));
        QFile styles(train + QStringLiteral("/styles.csv"));
        QVERIFY(styles.open(QIODevice::ReadOnly));
        QByteArray sample = styles.readLine();
        int copied = 0;
        while (!styles.atEnd() && copied < 40) {
            const QByteArray line = styles.readLine();
            const QString id = QString::fromUtf8(line.left(line.indexOf(',')));
            if (!QFile::copy(train + QStringLiteral("/images/") + id + QStringLiteral(".jpg"),
                             catalog + QStringLiteral("/images/") + id + QStringLiteral(".jpg")))
                continue;
            sample += line;
            ++copied;
        }
        QFile out(catalog + QStringLiteral("/styles.csv"));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(sample);
        out.close();
        const QString recipe = QStringLiteral("squash-224-max"); // the quickest network pass
        Run r = cli({QStringLiteral("index"), catalog, QStringLiteral("--recipe"), recipe});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFile::exists(catalog + QStringLiteral("/.lookbook-index.lbi.colour")));
        const QString model = dir.filePath(QStringLiteral("colour.json"));
        r = cli({QStringLiteral("fit-colour"), catalog, QStringLiteral("--recipe"), recipe, QStringLiteral("--output"), model});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Fitted on"), r.out.constData());
        auto fitted = ColourModel::load(model);
        QVERIFY2(fitted, qPrintable(fitted.error()));
        QCOMPARE(fitted->provenance().value(QStringLiteral("catalog")).toString(), QStringLiteral("sample"));
        QVERIFY(fitted->provenance().value(QStringLiteral("command")).toString().startsWith(QStringLiteral("lookbook-cli fit-colour")));
        QVERIFY(fitted->colours().size() >= 2);
        // The built-in one was made by the same command on the whole training catalog.
        QCOMPARE(ColourModel::builtIn().provenance().value(QStringLiteral("catalog")).toString(),
                 QStringLiteral("fashion-product-images-small-train"));
        r = cli({QStringLiteral("eval"), catalog, QStringLiteral("--recipe"), recipe, QStringLiteral("--colour-model"), model,
                 QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(json(r.out).value(QStringLiteral("catalog_items")).toInt(), copied);
        const QString query = catalog + QStringLiteral("/images/") + QDir(catalog + QStringLiteral("/images")).entryList(QDir::Files).first();
        r = cli({QStringLiteral("query"), catalog, query, QStringLiteral("--recipe"), recipe, QStringLiteral("--colour"),
                 QStringLiteral("red"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(json(r.out).value(QStringLiteral("results")).toArray().size(), 5);
        r = cli({QStringLiteral("query"), catalog, query, QStringLiteral("--colour"), QStringLiteral("chartreuse")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("chartreuse"), r.err.constData());
    }

    // A photo saved again at twice the size and a lower JPEG quality, in another folder, is
    // found with its original; the catalog must be indexed first.
    void duplicatesFindsAReencodedCopy()
    {
        CatalogFixture f(20);
        const QString original = f.names[5];
        const cv::Mat image = cv::imread(QFile::encodeName(f.catalog() + u'/' + original).toStdString());
        QVERIFY(!image.empty());
        cv::Mat larger;
        cv::resize(image, larger, cv::Size(), 2.0, 2.0, cv::INTER_CUBIC);
        QVERIFY(QDir(f.catalog()).mkpath(QStringLiteral("edited")));
        const QString copy = QStringLiteral("edited/copy of ") + original;
        QVERIFY(cv::imwrite(QFile::encodeName(f.catalog() + u'/' + copy).toStdString(), larger, {cv::IMWRITE_JPEG_QUALITY, 70}));

        Run r = cli({QStringLiteral("duplicates"), f.catalog()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("lookbook-cli index"), r.err.constData());
        r = cli({QStringLiteral("index"), f.catalog()});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Embedded: 21"), r.out.constData());

        r = cli({QStringLiteral("duplicates"), f.catalog(), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject doc = json(r.out);
        QCOMPARE(doc.value(QStringLiteral("catalog_items")).toInt(), 21);
        const double threshold = doc.value(QStringLiteral("threshold")).toDouble();
        QVERIFY(threshold > 0.5 && threshold < 1);
        const QJsonArray groups = doc.value(QStringLiteral("groups")).toArray();
        QJsonObject found;
        for (const QJsonValue &group : groups) {
            QStringList paths;
            for (const QJsonValue &item : group.toObject().value(QStringLiteral("items")).toArray())
                paths << item.toObject().value(QStringLiteral("relative_path")).toString();
            if (paths.contains(copy)) {
                QVERIFY2(paths.contains(original), qPrintable(paths.join(u',')));
                found = group.toObject();
            }
        }
        QVERIFY2(!found.isEmpty(), r.out.constData());
        QVERIFY(found.value(QStringLiteral("score")).toDouble() >= threshold);

        // Text: each group's items with their scores, paths and articleType, then a summary.
        r = cli({QStringLiteral("duplicates"), f.catalog()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains(QRegularExpression(QStringLiteral("\\n  [01]\\.\\d{3}  ") + QRegularExpression::escape(copy) + u'\n')), r.out.constData());
        QVERIFY2(text.contains(QRegularExpression(QStringLiteral("  [01]\\.\\d{3}  ") + QRegularExpression::escape(original) + QStringLiteral("  \\([^)]+\\)\\n"))), r.out.constData());
        const QRegularExpression summary(QStringLiteral("\\n(\\d+) groups, (\\d+) items, threshold 0\\.\\d{3}, \\d+ ms"));
        const auto match = summary.match(text);
        QVERIFY2(match.hasMatch(), r.out.constData());
        QCOMPARE(match.captured(1).toInt(), groups.size());

        // A threshold above the pair's cosine leaves it out.
        r = cli({QStringLiteral("duplicates"), f.catalog(), QStringLiteral("--threshold"), QStringLiteral("1")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(!r.out.contains(copy.toUtf8()), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
