// StyleLabels: the RFC 4180 reader, the styles.csv rules (id column, short/long/duplicate
// rows, Kaggle's unquoted commas in productDisplayName), lookup by catalog file, and a file
// shaped like the Kaggle catalog's styles.csv. The shared demo catalog's own styles.csv is
// read in tst_democatalog (label "model"): this suite needs no shared folder.

#include "StyleLabels.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace lookbook;
using namespace Qt::StringLiterals;

namespace {

using Records = QList<QStringList>;

} // namespace

class TestStyleLabels : public QObject {
    Q_OBJECT

private slots:
    void parseCsv_data();
    void parseCsv();
    void parse_data();
    void parse();
    void parseFailure_data();
    void parseFailure();
    void lookupByFile_data();
    void lookupByFile();
    void loadFromFile();
    void loadMissingFile();
    void robustToArbitraryBytes();
    void kaggleShapedStylesCsv();
};

void TestStyleLabels::parseCsv_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<Records>("records");
    QTest::addColumn<bool>("ok");

    QTest::newRow("plain fields, LF") << QByteArray("a,b,c\n1,2,3\n")
                                      << Records{{u"a"_s, u"b"_s, u"c"_s}, {u"1"_s, u"2"_s, u"3"_s}}
                                      << true;
    QTest::newRow("no trailing newline") << QByteArray("a,b\n1,2")
                                         << Records{{u"a"_s, u"b"_s}, {u"1"_s, u"2"_s}} << true;
    QTest::newRow("trailing newline makes no empty record")
        << QByteArray("a\n1\n") << Records{{u"a"_s}, {u"1"_s}} << true;
    QTest::newRow("quoted field with comma") << QByteArray("\"x, y\",z\n")
                                             << Records{{u"x, y"_s, u"z"_s}} << true;
    QTest::newRow("doubled quotes") << QByteArray("\"say \"\"hi\"\"\",\"\"\"\"\n")
                                    << Records{{u"say \"hi\""_s, u"\""_s}} << true;
    QTest::newRow("embedded LF inside quotes") << QByteArray("\"two\nlines\",b\nc,d\n")
                                               << Records{{u"two\nlines"_s, u"b"_s}, {u"c"_s, u"d"_s}}
                                               << true;
    QTest::newRow("embedded CRLF inside quotes kept")
        << QByteArray("\"two\r\nlines\"\r\n") << Records{{u"two\r\nlines"_s}} << true;
    QTest::newRow("CRLF records") << QByteArray("a,b\r\n1,2\r\n3,4\r\n")
                                  << Records{{u"a"_s, u"b"_s}, {u"1"_s, u"2"_s}, {u"3"_s, u"4"_s}}
                                  << true;
    QTest::newRow("lone CR records") << QByteArray("a,b\r1,2\r")
                                     << Records{{u"a"_s, u"b"_s}, {u"1"_s, u"2"_s}} << true;
    QTest::newRow("UTF-8 BOM dropped") << QByteArray("\xEF\xBB\xBFid,x\n1,2\n")
                                       << Records{{u"id"_s, u"x"_s}, {u"1"_s, u"2"_s}} << true;
    QTest::newRow("blank lines skipped") << QByteArray("\n\na\r\n\r\n\n1\n\n")
                                         << Records{{u"a"_s}, {u"1"_s}} << true;
    QTest::newRow("empty quoted field is a record, not a blank line")
        << QByteArray("\"\"\n") << Records{{QString()}} << true;
    QTest::newRow("empty fields kept") << QByteArray(",,\n")
                                       << Records{{QString(), QString(), QString()}} << true;
    QTest::newRow("quote inside unquoted field is literal")
        << QByteArray("5'11\" tall,x\n") << Records{{u"5'11\" tall"_s, u"x"_s}} << true;
    QTest::newRow("spaces are part of fields") << QByteArray(" a , b \n")
                                               << Records{{u" a "_s, u" b "_s}} << true;
    QTest::newRow("UTF-8 decoded") << QByteArray("caf\xC3\xA9,\xE2\x82\xAC\n")
                                   << Records{{u"caf\u00e9"_s, u"\u20ac"_s}} << true;
    QTest::newRow("empty input") << QByteArray() << Records{} << true;
    QTest::newRow("only a BOM") << QByteArray("\xEF\xBB\xBF") << Records{} << true;
    QTest::newRow("unterminated quote returns the partial field")
        << QByteArray("a,b\n1,\"open\nstill open") << Records{{u"a"_s, u"b"_s}, {u"1"_s, u"open\nstill open"_s}}
        << false;
    QTest::newRow("unterminated empty quote") << QByteArray("a\n\"")
                                              << Records{{u"a"_s}, {QString()}} << false;
}

void TestStyleLabels::parseCsv()
{
    QFETCH(QByteArray, csv);
    QFETCH(Records, records);
    QFETCH(bool, ok);

    bool parsedOk = !ok;
    const Records parsed = lookbook::parseCsv(csv, &parsedOk);
    QCOMPARE(parsed, records);
    QCOMPARE(parsedOk, ok);
    // The flag is optional.
    QCOMPARE(lookbook::parseCsv(csv), records);
}

namespace {

const QStringList kIdNameColour{u"id"_s, u"name"_s, u"colour"_s};
const QStringList kKaggleColumns{u"id"_s, u"gender"_s, u"articleType"_s, u"productDisplayName"_s};

// parse_data's rows on reading the file: quoting, line ends, BOM, header and blank lines.
void addReadingRows()
{
    const QStringList &idNameColour = kIdNameColour;
    QTest::newRow("quoted field with comma")
        << QByteArray("id,name,colour\n1,\"Shirt, slim\",Blue\n") << idNameColour << 1
        << Records{{u"1"_s, u"name"_s, u"Shirt, slim"_s}, {u"1"_s, u"colour"_s, u"Blue"_s}}
        << QStringList{} << QStringList{};
    QTest::newRow("doubled quotes")
        << QByteArray("id,name,colour\n1,\"The \"\"Classic\"\" tee\",Red\n") << idNameColour << 1
        << Records{{u"1"_s, u"name"_s, u"The \"Classic\" tee"_s}} << QStringList{} << QStringList{};
    QTest::newRow("embedded newline in quoted field")
        << QByteArray("id,name,colour\n1,\"two\nlines\",Red\n2,b,Green\n") << idNameColour << 2
        << Records{{u"1"_s, u"name"_s, u"two\nlines"_s}, {u"2"_s, u"colour"_s, u"Green"_s}}
        << QStringList{} << QStringList{};
    QTest::newRow("warning after a multi-line record names the record and its line")
        << QByteArray("id,name,colour\n1,\"two\nlines\",Red\n2,b\n") << idNameColour << 2
        << Records{{u"2"_s, u"colour"_s, QString()}} << QStringList{}
        << QStringList{u"record 3 (line 4): 2 of 3 columns"_s};
    QTest::newRow("CRLF line endings")
        << QByteArray("id,name,colour\r\n1,a,Red\r\n2,b,Blue\r\n") << idNameColour << 2
        << Records{{u"1"_s, u"colour"_s, u"Red"_s}, {u"2"_s, u"colour"_s, u"Blue"_s}}
        << QStringList{} << QStringList{};
    QTest::newRow("BOM before the header")
        << QByteArray("\xEF\xBB\xBFid,name,colour\n7,a,Red\n") << idNameColour << 1
        << Records{{u"7"_s, u"name"_s, u"a"_s}} << QStringList{} << QStringList{};
    QTest::newRow("column names trimmed")
        << QByteArray(" id , name ,colour \n7,a,Red\n") << idNameColour << 1
        << Records{{u"7"_s, u"colour"_s, u"Red"_s}} << QStringList{} << QStringList{};
    QTest::newRow("blank lines skipped")
        << QByteArray("id,name,colour\n\n1,a,Red\n\n\n") << idNameColour << 1
        << Records{{u"1"_s, u"name"_s, u"a"_s}} << QStringList{} << QStringList{};
}

// parse_data's rows on the styles.csv rules: short and long rows, Kaggle's unquoted commas,
// duplicate and empty ids, where the id column is, an unterminated quote, no rows.
void addRuleRows()
{
    const QStringList &idNameColour = kIdNameColour;
    const QStringList &kaggle = kKaggleColumns;
    QTest::newRow("missing trailing columns are empty, row kept with a warning")
        << QByteArray("id,name,colour\n1,a\n2\n3,c,Red\n") << idNameColour << 3
        << Records{{u"1"_s, u"name"_s, u"a"_s},
                   {u"1"_s, u"colour"_s, QString()},
                   {u"2"_s, u"name"_s, QString()},
                   {u"3"_s, u"colour"_s, u"Red"_s}}
        << QStringList{}
        << QStringList{u"line 2: 2 of 3 columns"_s, u"line 3: 1 of 3 columns"_s};
    QTest::newRow("extra unquoted commas in productDisplayName joined back")
        << QByteArray("id,gender,articleType,productDisplayName\n"
                      "1,Men,Shirts,Roadster Men Navy, White Checked Shirt\n"
                      "2,Women,Tops,A, B, C\n"
                      "3,Men,Watches,Plain\n")
        << kaggle << 3
        << Records{{u"1"_s, u"productDisplayName"_s, u"Roadster Men Navy, White Checked Shirt"_s},
                   {u"1"_s, u"articleType"_s, u"Shirts"_s},
                   {u"2"_s, u"productDisplayName"_s, u"A, B, C"_s},
                   {u"3"_s, u"productDisplayName"_s, u"Plain"_s}}
        << QStringList{} << QStringList{};
    QTest::newRow("extra fields ignored with a warning when the last column is not productDisplayName")
        << QByteArray("id,name,colour\n1,a,Red,surplus,more\n") << idNameColour << 1
        << Records{{u"1"_s, u"colour"_s, u"Red"_s}} << QStringList{}
        << QStringList{u"line 2: 5 of 3 columns (extra fields ignored)"_s};
    QTest::newRow("duplicate ids: first wins with a warning")
        << QByteArray("id,name,colour\n1,first,Red\n2,b,Blue\n1,second,Green\n") << idNameColour << 2
        << Records{{u"1"_s, u"name"_s, u"first"_s}, {u"1"_s, u"colour"_s, u"Red"_s}}
        << QStringList{} << QStringList{u"line 4: duplicate id 1 (first kept)"_s};
    QTest::newRow("empty id skipped with a warning")
        << QByteArray("id,name,colour\n,a,Red\n  ,b,Blue\n3,c,Green\n") << idNameColour << 1
        << Records{{u"3"_s, u"name"_s, u"c"_s}} << QStringList{QString()}
        << QStringList{u"line 2: empty id (skipped)"_s, u"line 3: empty id (skipped)"_s};
    QTest::newRow("id column not first")
        << QByteArray("name,id,colour\na,10,Red\n") << QStringList{u"name"_s, u"id"_s, u"colour"_s} << 1
        << Records{{u"10"_s, u"name"_s, u"a"_s}, {u"10"_s, u"id"_s, u"10"_s}} << QStringList{}
        << QStringList{};
    QTest::newRow("unterminated quote: earlier rows kept, partial row left out")
        << QByteArray("id,name,colour\n1,a,Red\n2,\"open,Blue\n3,c,Green\n") << idNameColour << 1
        << Records{{u"1"_s, u"name"_s, u"a"_s}} << QStringList{u"2"_s, u"3"_s}
        << QStringList{u"line 3: unterminated quote; the rest of the file is ignored"_s};
    QTest::newRow("header only") << QByteArray("id,name,colour\n") << idNameColour << 0 << Records{}
                                 << QStringList{u"1"_s} << QStringList{};
}

} // namespace

void TestStyleLabels::parse_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QStringList>("columns");
    QTest::addColumn<int>("size");
    QTest::addColumn<Records>("checks");       // {id, column, expected value}
    QTest::addColumn<QStringList>("absentIds");
    QTest::addColumn<QStringList>("warnings"); // exactly these, in order

    addReadingRows();
    addRuleRows();
}

void TestStyleLabels::parse()
{
    QFETCH(QByteArray, csv);
    QFETCH(QStringList, columns);
    QFETCH(int, size);
    QFETCH(Records, checks);
    QFETCH(QStringList, absentIds);
    QFETCH(QStringList, warnings);

    const Expected<StyleLabels> labels = StyleLabels::parse(csv);
    QVERIFY2(labels.ok(), qPrintable(labels.error()));
    QCOMPARE(labels->columns(), columns);
    QCOMPARE(labels->size(), size);
    QCOMPARE(labels->warnings(), warnings);
    for (const QStringList &check : checks) {
        const StyleLabels::Row *row = labels->forId(check.at(0));
        QVERIFY2(row, qPrintable(u"no row for id "_s + check.at(0)));
        QVERIFY2(row->contains(check.at(1)), qPrintable(u"no column "_s + check.at(1)));
        QCOMPARE(row->value(check.at(1)), check.at(2));
    }
    for (const QString &id : absentIds)
        QVERIFY2(!labels->forId(id), qPrintable(u"unexpected row for id '"_s + id + u"'"_s));
}

void TestStyleLabels::parseFailure_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty file") << QByteArray() << u"styles.csv is empty"_s;
    QTest::newRow("only blank lines and a BOM") << QByteArray("\xEF\xBB\xBF\r\n\n\n") << u"styles.csv is empty"_s;
    QTest::newRow("no id column") << QByteArray("name,colour\na,Red\n")
                                  << u"styles.csv has no 'id' column (columns: name, colour)"_s;
    QTest::newRow("id column name is case-sensitive") << QByteArray("ID,name\n1,a\n")
                                                      << u"styles.csv has no 'id' column (columns: ID, name)"_s;
}

void TestStyleLabels::parseFailure()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, error);

    const Expected<StyleLabels> labels = StyleLabels::parse(csv);
    QVERIFY(!labels.ok());
    QCOMPARE(labels.error(), error);
}

void TestStyleLabels::lookupByFile_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expectedName"); // null: no row

    QTest::newRow("relative path in images/") << u"images/1550.jpg"_s << u"football"_s;
    QTest::newRow("bare file name") << u"1550.jpg"_s << u"football"_s;
    QTest::newRow("nested folders and another extension") << u"a/b/c/1551.png"_s << u"bottle"_s;
    QTest::newRow("only the last extension is dropped") << u"images/v2.1552.jpeg"_s << u"dotted"_s;
    QTest::newRow("no extension") << u"images/1550"_s << u"football"_s;
    QTest::newRow("unknown id") << u"images/9999.jpg"_s << QString();
    QTest::newRow("id is matched as text: a leading zero is another id") << u"images/01550.jpg"_s << QString();
}

void TestStyleLabels::lookupByFile()
{
    QFETCH(QString, path);
    QFETCH(QString, expectedName);

    const Expected<StyleLabels> labels =
        StyleLabels::parse("id,name,articleType\n1550,football,Footballs\n1551,bottle,Water Bottle\n"
                           "v2.1552,dotted,Tshirts\n");
    QVERIFY2(labels.ok(), qPrintable(labels.error()));

    const StyleLabels::Row *row = labels->forFile(path);
    if (expectedName.isNull()) {
        QVERIFY(!row);
        QCOMPARE(labels->value(path, u"name"_s), QString());
    } else {
        QVERIFY(row);
        QCOMPARE(row->value(u"name"_s), expectedName);
        QCOMPARE(labels->value(path, u"name"_s), expectedName);
        QCOMPARE(labels->value(path, u"noSuchColumn"_s), QString());
    }
}

void TestStyleLabels::loadFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"styles.csv"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("\xEF\xBB\xBFid,articleType,productDisplayName\r\n42,Tshirts,\"Blue, round neck\"\r\n");
    file.close();

    const Expected<StyleLabels> labels = StyleLabels::load(path);
    QVERIFY2(labels.ok(), qPrintable(labels.error()));
    QCOMPARE(labels->size(), 1);
    QCOMPARE(labels->value(u"images/42.jpg"_s, u"productDisplayName"_s), u"Blue, round neck"_s);
}

void TestStyleLabels::loadMissingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"missing/styles.csv"_s);
    const Expected<StyleLabels> labels = StyleLabels::load(path);
    QVERIFY(!labels.ok());
    QVERIFY2(labels.error().contains(QDir::toNativeSeparators(path)), qPrintable(labels.error()));
    QFile probe(path);
    QVERIFY(!probe.open(QIODevice::ReadOnly));
    QVERIFY2(labels.error().contains(probe.errorString()), qPrintable(labels.error()));
}

void TestStyleLabels::robustToArbitraryBytes()
{
    // Pathological shapes, each large: must finish quickly (linear) and never crash.
    const qsizetype n = 1 << 20;
    const QList<QByteArray> inputs{
        QByteArray(n, '"'),
        QByteArray(n, ','),
        QByteArray(n, '\n'),
        QByteArray(n, '\r'),
        QByteArray("id\n") + QByteArray(n, 'x'),
        QByteArray("id,productDisplayName\n1,") + QByteArray(n, ','),
        QByteArray("id\n\"") + QByteArray(n, 'y'),
        QByteArray("id\n") + QByteArray("\"\"\"\"\n").repeated(n / 5),
        QByteArray("id\n") + QByteArray("1\n").repeated(n / 2), // duplicates: warnings are capped
        QByteArray("\xEF\xBB"),
        QByteArray("\xFF\xFE\x00\x00", 4),
    };
    // No time limit asserted here (tests never assert wall-clock time): a parser gone
    // quadratic on these inputs runs into CTest's timeout instead.
    for (const QByteArray &input : inputs) {
        bool ok = true;
        const Records records = lookbook::parseCsv(input, &ok);
        Q_UNUSED(records);
        const Expected<StyleLabels> labels = StyleLabels::parse(input);
        if (labels.ok())
            QVERIFY(labels->warnings().size() <= 201);
    }

    // Random bytes drawn from an alphabet rich in CSV syntax, plus fully random bytes.
    QRandomGenerator rng(20240611);
    const QByteArray alphabet("\",\r\n ab\xC3\xA9\xEF\xBB\xBF\x00", 13);
    for (int round = 0; round < 300; ++round) {
        QByteArray input(qsizetype(rng.bounded(2000)), Qt::Uninitialized);
        const bool syntaxRich = round % 2 == 0;
        for (char &c : input) {
            c = syntaxRich ? alphabet.at(qsizetype(rng.bounded(int(alphabet.size()))))
                           : char(rng.bounded(256));
        }
        bool ok = true;
        const Records records = lookbook::parseCsv(input, &ok);
        if (!input.contains('"'))
            QVERIFY(ok);
        const Expected<StyleLabels> labels = StyleLabels::parse(u"id,x\n"_s.toUtf8() + input);
        QVERIFY(labels.ok());
    }
}

// The Kaggle catalog's styles.csv, in small: its ten columns, LF line ends, no quotes, the
// product names with unquoted commas and the empty fields of the full file, ids that are not
// in order; read from disk as the catalog opens it, then looked up by the images' paths.
void TestStyleLabels::kaggleShapedStylesCsv()
{
    const QByteArray csv =
        "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName\n"
        "1550,Unisex,Sporting Goods,Sports Equipment,Footballs,White,Fall,2010,Sports,Puma Cat Trainer-WBL Football\n"
        "39386,Men,Apparel,Bottomwear,Jeans,Blue,Summer,2012,Casual,Peter England Men Party Blue Jeans\n"
        "15970,Men,Apparel,Topwear,Shirts,Navy Blue,Fall,2011,Casual,Turtle Check Men Navy, White Blue Shirt\n"
        "12369,Women,Accessories,Bags,Handbags,Brown,Summer,,,Baggit Women Brown, Beige, Tan Handbag\n"
        "53759,Men,Apparel,Topwear,Tshirts,Grey,Summer,2012,Casual,Puma Men Grey T-shirt\n"
        "1855,Women,Apparel,Topwear,Tops,Grey,Summer,2011,,Inkfruit Women's Caf\xC3\xA9 Grey Top\n";
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"styles.csv"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(csv), qint64(csv.size()));
    file.close();

    const Expected<StyleLabels> labels = StyleLabels::load(path);
    QVERIFY2(labels.ok(), qPrintable(labels.error()));
    QCOMPARE(labels->size(), 6);
    QCOMPARE(labels->columns(),
             (QStringList{u"id"_s, u"gender"_s, u"masterCategory"_s, u"subCategory"_s,
                          u"articleType"_s, u"baseColour"_s, u"season"_s, u"year"_s,
                          u"usage"_s, u"productDisplayName"_s}));
    QVERIFY2(labels->warnings().isEmpty(), qPrintable(labels->warnings().join(u'\n')));

    // Every record's id has its row, with its article type: none lost or shifted.
    const Records records = lookbook::parseCsv(csv);
    QCOMPARE(records.size(), 7);
    QSet<QString> articleTypes;
    for (qsizetype i = 1; i < records.size(); ++i) {
        const StyleLabels::Row *row = labels->forId(records.at(i).at(0));
        QVERIFY(row);
        QCOMPARE(row->value(u"gender"_s), records.at(i).at(1));
        articleTypes.insert(row->value(u"articleType"_s));
    }
    QCOMPARE(articleTypes.size(), 6);

    const StyleLabels::Row *football = labels->forFile(u"images/1550.jpg"_s);
    QVERIFY(football);
    QCOMPARE(football->value(u"articleType"_s), u"Footballs"_s);
    QCOMPARE(football->value(u"baseColour"_s), u"White"_s);
    QCOMPARE(labels->value(u"images/1550.jpg"_s, u"baseColour"_s), u"White"_s);
    // The name's unquoted commas stay in the name; the fields before it stay in place.
    QCOMPARE(labels->value(u"images/15970.jpg"_s, u"productDisplayName"_s), u"Turtle Check Men Navy, White Blue Shirt"_s);
    QCOMPARE(labels->value(u"images/15970.jpg"_s, u"baseColour"_s), u"Navy Blue"_s);
    QCOMPARE(labels->value(u"images/12369.jpg"_s, u"productDisplayName"_s), u"Baggit Women Brown, Beige, Tan Handbag"_s);
    QCOMPARE(labels->value(u"images/12369.jpg"_s, u"year"_s), QString());
    QCOMPARE(labels->value(u"images/12369.jpg"_s, u"usage"_s), QString());
    QCOMPARE(labels->value(u"images/1855.jpg"_s, u"productDisplayName"_s), u"Inkfruit Women's Caf\u00e9 Grey Top"_s);
    QCOMPARE(labels->value(u"images/1855.jpg"_s, u"usage"_s), QString());
}

QTEST_GUILESS_MAIN(TestStyleLabels)
#include "tst_stylelabels.moc"
