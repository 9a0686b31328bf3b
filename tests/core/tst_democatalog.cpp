// The shared demo catalog read by the product's readers: its styles.csv as StyleLabels reads
// it. Labelled "model" with the suites that need the shared folder; the parsing itself is
// tested without it in tst_stylelabels.

#include "StyleLabels.h"
#include "TestSupport.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QtTest>

using namespace lookbook;
using namespace Qt::StringLiterals;

class TestDemoCatalog : public QObject {
    Q_OBJECT

private slots:
    void stylesCsv();
};

void TestDemoCatalog::stylesCsv()
{
    const QString path = QFileInfo(test::sharedCatalogDir() + u"/styles.csv"_s).absoluteFilePath();
    QVERIFY2(QFileInfo::exists(path),
             qPrintable(u"The demo catalog's styles.csv is missing at %1; set LOOKBOOK_SHARED to the "
                        "shared folder (with data/fashion-product-images-small-subset/)"_s.arg(path)));

    const Expected<StyleLabels> labels = StyleLabels::load(path);
    QVERIFY2(labels.ok(), qPrintable(labels.error()));
    QCOMPARE(labels->size(), 3000);
    QCOMPARE(labels->columns(),
             (QStringList{u"id"_s, u"gender"_s, u"masterCategory"_s, u"subCategory"_s, u"articleType"_s, u"baseColour"_s,
                          u"season"_s, u"year"_s, u"usage"_s, u"productDisplayName"_s}));
    QVERIFY2(labels->warnings().isEmpty(), qPrintable(labels->warnings().join(u'\n')));

    // The API has no row iteration: take the ids from the raw records.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QStringList> records = lookbook::parseCsv(file.readAll());
    QCOMPARE(records.size(), 3001);
    QSet<QString> articleTypes;
    for (qsizetype i = 1; i < records.size(); ++i) {
        const StyleLabels::Row *row = labels->forId(records.at(i).at(0));
        QVERIFY(row);
        articleTypes.insert(row->value(u"articleType"_s));
    }
    QCOMPARE(articleTypes.size(), 141);

    const StyleLabels::Row *football = labels->forFile(u"images/1550.jpg"_s);
    QVERIFY(football);
    QCOMPARE(football->value(u"articleType"_s), u"Footballs"_s);
    QCOMPARE(football->value(u"baseColour"_s), u"White"_s);
    QCOMPARE(labels->value(u"images/1550.jpg"_s, u"baseColour"_s), u"White"_s);
}

QTEST_GUILESS_MAIN(TestDemoCatalog)
#include "tst_democatalog.moc"
