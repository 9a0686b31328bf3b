// Exports of a result set read back as their users read them: the CSV with the project's RFC
// 4180 reader, the JSON with Qt's, the contact sheet decoded and measured, the copies compared
// byte for byte with the catalog's photos. The catalog is made by the suite (JPEG photos drawn
// with OpenCV, a styles.csv in the Kaggle catalog's columns, a street photo), so that it needs
// no shared folder and runs wherever the unit label does.
#include "TestSupport.h"

#include "ContactSheet.h"
#include "ImageLoader.h"
#include "ResultExporter.h"
#include "StyleLabels.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using namespace lookbook;

namespace {

constexpr int kResults = 5;
// A label that needs every kind of quoting, and one with a line break.
const QString kTricky = QStringLiteral("Robe \"été\", rouge – 夏服");
const QString kMultiline = QStringLiteral("first line\nsecond, line");

QByteArray contents(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

QByteArray sha256(const QString &path) { return QCryptographicHash::hash(contents(path), QCryptographicHash::Sha256); }

// A catalog of kCatalogPhotos photos in a temporary folder: images/<id>.jpg at the catalog's
// 60x80 pixels, each a garment of its own colour with stripes on a light ground (the sheet's
// checks need photos that are not uniform), its styles.csv, and a 240x320 street photo.
constexpr int kCatalogPhotos = 8;
const char *const kStylesCsv =
    "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName\n"
    "1550,Women,Apparel,Dress,Dresses,Red,Summer,2012,Casual,Tokyo Talkies Women Red Dress\n"
    "1551,Men,Apparel,Topwear,Shirts,Navy Blue,Fall,2011,Casual,Turtle Check Men Navy, White Shirt\n"
    "1552,Women,Apparel,Topwear,Tops,Green,Summer,2012,Casual,Inkfruit Women Green Top\n"
    "1553,Men,Apparel,Bottomwear,Jeans,Blue,Winter,2012,Casual,Peter England Men Blue Jeans\n"
    "1554,Women,Accessories,Bags,Handbags,Brown,Summer,,,Baggit Women Brown Handbag\n"
    "1555,Men,Apparel,Topwear,Tshirts,Black,Summer,2011,Sports,Puma Men Black T-shirt\n"
    "1556,Women,Footwear,Shoes,Heels,Pink,Summer,2012,Casual,Catwalk Women Pink Heels\n"
    "1557,Unisex,Accessories,Watches,Watches,Silver,Winter,2016,Casual,Titan Unisex Silver Watch\n";

cv::Mat garmentPhoto(int width, int height, int seed)
{
    cv::Mat photo(height, width, CV_8UC3, cv::Scalar(235, 238, 240));
    const cv::Scalar colour((seed * 67) % 200, (seed * 131 + 60) % 200, (seed * 29 + 120) % 200);
    const cv::Rect garment(width / 6, height / 8, width * 2 / 3, height * 3 / 4);
    cv::rectangle(photo, garment, colour, cv::FILLED);
    for (int y = garment.y; y < garment.br().y; y += 6 + seed % 4)
        cv::line(photo, {garment.x, y}, {garment.br().x - 1, y}, colour * 0.4, 2);
    return photo;
}

struct GeneratedCatalog {
    GeneratedCatalog()
    {
        if (!dir.isValid() || !QDir().mkpath(root + QStringLiteral("/images")))
            qFatal("cannot make a catalog in a temporary folder: %s", qPrintable(dir.errorString()));
        for (int i = 0; i < kCatalogPhotos; ++i) {
            names << QStringLiteral("%1.jpg").arg(1550 + i);
            write(root + QStringLiteral("/images/") + names.last(), garmentPhoto(60, 80, i + 1));
        }
        write(streetPhoto, garmentPhoto(240, 320, 12)); // far from the outline's colour
        QFile styles(root + QStringLiteral("/styles.csv"));
        if (!styles.open(QIODevice::WriteOnly) || styles.write(kStylesCsv) < 0)
            qFatal("cannot write %s: %s", qPrintable(styles.fileName()), qPrintable(styles.errorString()));
    }
    static void write(const QString &path, const cv::Mat &photo)
    {
        if (!cv::imwrite(path.toStdString(), photo)) qFatal("cannot write %s", qPrintable(path));
    }

    QTemporaryDir dir; // first: the paths below are in it
    const QString root = dir.filePath(QStringLiteral("catalog"));
    const QString streetPhoto = dir.filePath(QStringLiteral("street photo.jpg"));
    QStringList names;
};

const GeneratedCatalog &catalog()
{
    static const GeneratedCatalog generated;
    return generated;
}

// The first n photos of the catalog, by name.
QStringList catalogPhotos(int n)
{
    return catalog().names.mid(0, n);
}

// The first catalog photos as the results of a street photo, best first, with their labels
// from styles.csv; result 2 has a product name that needs quoting, result 4 a column of its
// own with a line break.
enum class Query { File, Bytes, None };

SearchOutcome outcomeOf(const QStringList &names, Query query = Query::File)
{
    const QString root = catalog().root;
    auto labels = StyleLabels::load(root + QStringLiteral("/styles.csv"));
    if (!labels) qFatal("%s", qPrintable(labels.error()));
    SearchOutcome outcome;
    outcome.queryName = QStringLiteral("street photo ü.jpg");
    if (query == Query::File) outcome.queryPath = catalog().streetPhoto;
    if (query == Query::Bytes) { // a pasted picture: no file, its bytes
        outcome.queryName = QStringLiteral("pasted image");
        outcome.queryImage = contents(catalog().streetPhoto);
    }
    outcome.catalogRoot = root;
    outcome.catalogItems = 3000;
    for (int i = 0; i < names.size(); ++i) {
        ResultItem item;
        item.item = i;
        item.score = 0.9123456f - 0.05f * float(i);
        item.relativePath = QStringLiteral("images/") + names[i];
        item.absolutePath = root + u'/' + item.relativePath;
        if (const StyleLabels::Row *row = labels->forFile(names[i])) item.labels = *row;
        outcome.results.push_back(item);
    }
    if (outcome.results.size() > 1) outcome.results[1].labels[QStringLiteral("productDisplayName")] = kTricky;
    if (outcome.results.size() > 3) outcome.results[3].labels[QStringLiteral("note")] = kMultiline;
    return outcome;
}

// The photo box of card `index` on a sheet drawn with `layout`, from the layout's definition.
cv::Rect photoBox(const ContactSheetLayout &l, int index)
{
    const int column = index % l.columns;
    const int row = index / l.columns;
    return {l.margin + column * (l.tileWidth() + l.gap) + l.padding,
            l.margin + l.headerHeight + row * (l.tileHeight() + l.gap) + l.padding, l.imageWidth, l.imageHeight};
}

double grayStdDev(const cv::Mat &bgr)
{
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::Scalar mean, stddev;
    cv::meanStdDev(gray, mean, stddev);
    return stddev[0];
}

} // namespace

Q_DECLARE_METATYPE(Query)

class TestResultExporter : public QObject {
    Q_OBJECT
private slots:
    void csvReadsBackWithItsQuoting()
    {
        const SearchOutcome outcome = outcomeOf(catalogPhotos(kResults));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new folder/results.csv")); // folders are created
        const Status written = ResultExporter::exportTo(outcome, path);
        QVERIFY2(written.ok(), qPrintable(written.error()));

        const QByteArray bytes = contents(path);
        QVERIFY(bytes.contains("\"Robe \"\"été\"\", rouge – 夏服\"")); // UTF-8, quotes doubled
        QVERIFY(bytes.startsWith("rank,score,path,relativePath,"));
        bool ok = false;
        const QList<QStringList> rows = parseCsv(bytes, &ok);
        QVERIFY(ok);
        QCOMPARE(rows.size(), 1 + kResults);

        // The label columns: every one any result has, by name, after the four fixed ones.
        QStringList expectedColumns;
        for (const ResultItem &item : outcome.results)
            for (const QString &key : item.labels.keys())
                if (!expectedColumns.contains(key)) expectedColumns << key;
        std::sort(expectedColumns.begin(), expectedColumns.end());
        const QStringList header = rows[0];
        QCOMPARE(header.mid(0, 4), (QStringList{QStringLiteral("rank"), QStringLiteral("score"), QStringLiteral("path"),
                                                QStringLiteral("relativePath")}));
        QCOMPARE(header.mid(4), expectedColumns);
        QVERIFY(expectedColumns.contains(QStringLiteral("articleType")));

        for (int i = 0; i < kResults; ++i) {
            const QStringList &row = rows[i + 1];
            const ResultItem &item = outcome.results[size_t(i)];
            QCOMPARE(row.size(), header.size());
            QCOMPARE(row[0], QString::number(i + 1));
            QVERIFY(qAbs(row[1].toDouble() - double(item.score)) < 1e-6);
            QCOMPARE(row[2], item.absolutePath);
            QCOMPARE(row[3], item.relativePath);
            for (int c = 4; c < header.size(); ++c) QCOMPARE(row[c], item.labels.value(header[c]));
        }
        QCOMPARE(rows[2][int(header.indexOf(QStringLiteral("productDisplayName")))], kTricky);
        QCOMPARE(rows[4][int(header.indexOf(QStringLiteral("note")))], kMultiline);
        QCOMPARE(rows[1][int(header.indexOf(QStringLiteral("note")))], QString()); // a column others lack is empty
    }

    // Catalog text that a spreadsheet would run as a formula is written as text; numbers
    // (a negative score) and other text are written as they are.
    void csvCellsNeverRunAsFormulas()
    {
        SearchOutcome outcome = outcomeOf(catalogPhotos(3), Query::None);
        const QStringList risky{QStringLiteral("=HYPERLINK(\"http://x\",\"y\")"), QStringLiteral("+1"), QStringLiteral("-5 stars"),
                                QStringLiteral("@SUM(A1)"), QStringLiteral("\t=1")};
        for (const QString &value : risky) outcome.results[0].labels[QStringLiteral("c") + QString::number(risky.indexOf(value))] = value;
        outcome.results[1].labels[QStringLiteral("c0")] = QStringLiteral("a=b, -c");
        outcome.results[2].score = -0.25f;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("results.csv"));
        QVERIFY(ResultExporter::exportTo(outcome, path).ok());
        bool ok = false;
        const QList<QStringList> rows = parseCsv(contents(path), &ok);
        QVERIFY(ok);
        const QStringList header = rows[0];
        for (qsizetype i = 0; i < risky.size(); ++i)
            QCOMPARE(rows[1][int(header.indexOf(QStringLiteral("c") + QString::number(i)))], u'\'' + risky[i]);
        QCOMPARE(rows[2][int(header.indexOf(QStringLiteral("c0")))], QStringLiteral("a=b, -c"));
        QCOMPARE(rows[3][1], QStringLiteral("-0.250000"));
        QCOMPARE(rows[1][2], outcome.results[0].absolutePath);
    }

    void jsonReadsBack()
    {
        const SearchOutcome outcome = outcomeOf(catalogPhotos(kResults));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("results.JSON")); // the suffix in any case
        const Status written = ResultExporter::exportTo(outcome, path);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(contents(path), &error);
        QVERIFY2(doc.isObject(), qPrintable(error.errorString()));
        const QJsonObject root = doc.object();
        QCOMPARE(root.value(QStringLiteral("query")).toString(), outcome.queryPath);
        QCOMPARE(root.value(QStringLiteral("query_name")).toString(), outcome.queryName);
        QCOMPARE(root.value(QStringLiteral("catalog")).toString(), outcome.catalogRoot);
        QCOMPARE(root.value(QStringLiteral("catalog_items")).toInt(), 3000);
        QCOMPARE(root.value(QStringLiteral("query_in_catalog")).toBool(true), false);
        const QJsonArray results = root.value(QStringLiteral("results")).toArray();
        QCOMPARE(results.size(), kResults);
        for (int i = 0; i < kResults; ++i) {
            const QJsonObject hit = results[i].toObject();
            const ResultItem &item = outcome.results[size_t(i)];
            QCOMPARE(hit.value(QStringLiteral("rank")).toInt(), i + 1);
            QVERIFY(qAbs(hit.value(QStringLiteral("score")).toDouble() - double(item.score)) < 1e-6);
            QCOMPARE(hit.value(QStringLiteral("path")).toString(), item.absolutePath);
            QCOMPARE(hit.value(QStringLiteral("relative_path")).toString(), item.relativePath);
            const QJsonObject labels = hit.value(QStringLiteral("labels")).toObject();
            QCOMPARE(labels.size(), item.labels.size());
            for (auto it = item.labels.cbegin(); it != item.labels.cend(); ++it)
                QCOMPARE(labels.value(it.key()).toString(), it.value());
        }
        QCOMPARE(results[1].toObject().value(QStringLiteral("labels")).toObject().value(QStringLiteral("productDisplayName")).toString(),
                 kTricky);
    }

    void contactSheetHasOneFilledCardPerResult_data()
    {
        QTest::addColumn<int>("results");
        QTest::addColumn<Query>("query");
        QTest::newRow("query and 5 results: one row") << 5 << Query::File;
        QTest::newRow("pasted query and 3 results") << 3 << Query::Bytes;
        QTest::newRow("8 results, no query image: two rows") << 8 << Query::None;
        QTest::newRow("query alone") << 0 << Query::File;
    }
    void contactSheetHasOneFilledCardPerResult()
    {
        QFETCH(int, results);
        QFETCH(Query, query);
        const bool withQuery = query != Query::None;
        const SearchOutcome outcome = outcomeOf(catalogPhotos(results), query);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sheet.png"));
        const Status written = ResultExporter::exportTo(outcome, path);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        QVERIFY(contents(path).startsWith("\x89PNG"));
        const auto sheet = ImageLoader().loadFile(path);
        QVERIFY2(sheet.ok(), qPrintable(sheet.error()));

        const ContactSheetLayout l;
        const int cards = results + (withQuery ? 1 : 0);
        const int columns = std::min(cards, l.columns);
        const int rows = (cards + l.columns - 1) / l.columns;
        QCOMPARE(sheet->cols, 2 * l.margin + columns * l.tileWidth() + (columns - 1) * l.gap);
        QCOMPARE(sheet->rows, 2 * l.margin + l.headerHeight + rows * l.tileHeight() + (rows - 1) * l.gap);
        QCOMPARE(ContactSheet().sheetSize(cards), cv::Size(sheet->cols, sheet->rows));
        for (int i = 0; i < cards; ++i) {
            const double spread = grayStdDev((*sheet)(photoBox(l, i)));
            QVERIFY2(spread > 15, qPrintable(QStringLiteral("card %1: photo box nearly uniform (stddev %2)").arg(i).arg(spread)));
        }
        // The title is drawn: the header is not the plain page.
        QVERIFY(grayStdDev((*sheet)(cv::Rect(l.margin, l.margin, sheet->cols - 2 * l.margin, l.headerHeight))) > 10);
    }

    // A query searched by a region shows the whole picture with that part outlined: the
    // outline changes the pixels along the region's edges, not inside it or far outside.
    void contactSheetOutlinesTheSearchedRegion()
    {
        SearchOutcome outcome = outcomeOf(catalogPhotos(2));
        const auto query = ImageLoader().loadFile(outcome.queryPath);
        QVERIFY(query);
        const cv::Mat plain = ContactSheet().render(outcome);
        outcome.queryRegion = QRect(query->cols / 4, query->rows / 4, query->cols / 2, query->rows / 2);
        const cv::Mat outlined = ContactSheet().render(outcome);
        QCOMPARE(outlined.size(), plain.size());

        const ContactSheetLayout l;
        const cv::Rect box = photoBox(l, 0);
        cv::Mat difference;
        cv::absdiff(plain(box), outlined(box), difference);
        cv::cvtColor(difference, difference, cv::COLOR_BGR2GRAY);
        const int changed = cv::countNonZero(difference);
        // The photo fills the box's width or height; the region is half of it each way, so
        // its outline is about box / 2 long on each side, two pixels wide.
        const double scale = std::min(double(box.width) / query->cols, double(box.height) / query->rows);
        const double perimeter = scale * (query->cols + query->rows);
        QVERIFY2(changed > perimeter && changed < 3 * perimeter,
                 qPrintable(QStringLiteral("%1 pixels changed, outline about %2").arg(changed).arg(perimeter)));
        QCOMPARE(difference.at<uchar>(box.height / 2, box.width / 2), uchar(0));     // inside
        QCOMPARE(difference.at<uchar>(box.height / 2, box.width / 2 + 1), uchar(0));
        QCOMPARE(cv::countNonZero(difference(cv::Rect(0, 0, box.width, box.height / 8))), 0); // far above
        // The result cards are untouched.
        cv::absdiff(plain(photoBox(l, 1)), outlined(photoBox(l, 1)), difference);
        cv::cvtColor(difference, difference, cv::COLOR_BGR2GRAY);
        QCOMPARE(cv::countNonZero(difference), 0);
    }

    // A photo that cannot be read gets a card saying so; the sheet is still made.
    void contactSheetShowsUnreadablePhotosAsPlaceholders()
    {
        QTemporaryDir dir;
        SearchOutcome outcome = outcomeOf(catalogPhotos(3));
        const QString fake = dir.filePath(QStringLiteral("not a photo.jpg"));
        QFile file(fake);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("plain text, not a JPEG");
        file.close();
        outcome.results[1].absolutePath = fake;
        outcome.results[2].absolutePath = dir.filePath(QStringLiteral("gone.jpg"));
        const QString path = dir.filePath(QStringLiteral("sheet.png"));
        const Status written = ResultExporter::exportTo(outcome, path);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        const auto sheet = ImageLoader().loadFile(path);
        QVERIFY2(sheet.ok(), qPrintable(sheet.error()));
        const ContactSheetLayout l;
        for (int card : {2, 3}) { // after the query and the first result
            const cv::Mat box = (*sheet)(photoBox(l, card));
            const cv::Scalar mean = cv::mean(box);
            QVERIFY2(mean[0] > 200 && mean[0] < 250, "a grey placeholder, not a photo on white");
            QVERIFY(grayStdDev(box) > 3); // with its text
        }
    }

    void copiesNeverReplaceAndKeepTheBytes()
    {
        const QStringList names = catalogPhotos(kResults);
        const SearchOutcome outcome = outcomeOf(names);
        QHash<QString, QByteArray> before;
        for (const ResultItem &item : outcome.results) before.insert(item.absolutePath, sha256(item.absolutePath));

        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("picks ü/new")); // created, with its parent
        QVERIFY(QDir().mkpath(folder));
        // Someone's file already has the name the third copy would take.
        const QString mine = folder + QStringLiteral("/03_") + names[2];
        QFile existing(mine);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("mine");
        existing.close();

        const CopyReport first = ResultExporter::copyFiles(outcome, folder);
        const CopyReport second = ResultExporter::copyFiles(outcome, folder);
        QCOMPARE(first.folder, QFileInfo(folder).absoluteFilePath());
        QVERIFY(first.failed.empty());
        QVERIFY(second.failed.empty());
        QCOMPARE(int(first.copied.size()), kResults);
        QCOMPARE(int(second.copied.size()), kResults);

        QCOMPARE(contents(mine), QByteArray("mine"));
        QCOMPARE(QFileInfo(first.copied[0].target).fileName(), QStringLiteral("01_") + names[0]);
        QCOMPARE(QFileInfo(first.copied[2].target).fileName(),
                 QStringLiteral("03_%1 (2).jpg").arg(QFileInfo(names[2]).completeBaseName()));
        QCOMPARE(QFileInfo(second.copied[0].target).fileName(),
                 QStringLiteral("01_%1 (2).jpg").arg(QFileInfo(names[0]).completeBaseName()));
        QCOMPARE(QFileInfo(second.copied[2].target).fileName(),
                 QStringLiteral("03_%1 (3).jpg").arg(QFileInfo(names[2]).completeBaseName()));

        QSet<QString> targets;
        for (const CopyReport *report : {&first, &second})
            for (size_t i = 0; i < report->copied.size(); ++i) {
                const CopiedFile &c = report->copied[i];
                QCOMPARE(c.rank, int(i + 1));
                QCOMPARE(c.source, outcome.results[i].absolutePath);
                targets.insert(c.target);
                QCOMPARE(sha256(c.target), before.value(c.source));
            }
        QCOMPARE(targets.size(), 2 * kResults);
        QCOMPARE(QDir(folder).entryList(QDir::Files).size(), 2 * kResults + 1);
        for (const ResultItem &item : outcome.results) QCOMPARE(sha256(item.absolutePath), before.value(item.absolutePath));
    }

    void missingSourceIsReportedAndTheRestCopied()
    {
        QTemporaryDir dir;
        SearchOutcome outcome = outcomeOf(catalogPhotos(3));
        outcome.results[1].absolutePath = dir.filePath(QStringLiteral("deleted since the search.jpg"));
        const CopyReport report = ResultExporter::copyFiles(outcome, dir.filePath(QStringLiteral("out")));
        QCOMPARE(int(report.copied.size()), 2);
        QCOMPARE(int(report.failed.size()), 1);
        QCOMPARE(report.failed[0].rank, 2);
        QCOMPARE(report.failed[0].source, outcome.results[1].absolutePath);
        QVERIFY2(report.failed[0].reason.contains(QStringLiteral("no longer exists")), qPrintable(report.failed[0].reason));
        QCOMPARE(QDir(report.folder).entryList(QDir::Files).size(), 2);
    }

    void unwritableTargetsAreReported()
    {
#ifdef Q_OS_UNIX
        // Permissions do not stop root (as CI runs): then the test runs itself again without root's override.
        if (test::permissionsDoNotApply()) return test::rerunUnprivileged();
#endif
        QTemporaryDir dir;
        const QString locked = dir.filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(locked));
        QVERIFY(QFile::setPermissions(locked, QFile::ReadOwner | QFile::ExeOwner));
        const SearchOutcome outcome = outcomeOf(catalogPhotos(2));

        for (const QString &folder : {locked, locked + QStringLiteral("/sub")}) {
            const CopyReport report = ResultExporter::copyFiles(outcome, folder);
            QVERIFY(report.copied.empty());
            QCOMPARE(int(report.failed.size()), 2);
            QVERIFY2(report.failed[0].reason.contains(QDir::toNativeSeparators(folder)), qPrintable(report.failed[0].reason));
        }
        const Status written = ResultExporter::exportTo(outcome, locked + QStringLiteral("/results.csv"));
        QVERIFY(!written.ok());
        QVERIFY2(written.error().contains(QStringLiteral("results.csv")), qPrintable(written.error()));
        QVERIFY(QDir(locked).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty());
        QFile::setPermissions(locked, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void unknownFormatIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("results.txt"));
        const Status written = ResultExporter::exportTo(outcomeOf(catalogPhotos(1)), path);
        QVERIFY(!written.ok());
        QVERIFY2(written.error().contains(QStringLiteral(".csv, .json or .png")), qPrintable(written.error()));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!ResultExporter::checkFormat(QStringLiteral("results")).ok());
        QVERIFY(ResultExporter::checkFormat(QStringLiteral("Sheet.PNG")).ok());
    }
};

QTEST_GUILESS_MAIN(TestResultExporter)
#include "tst_resultexporter.moc"
