// The evaluation protocol on a case small enough to check by hand.
#include "Evaluator.h"

#include <QtTest>

using namespace lookbook;

namespace {
const QByteArray kStyles = "id,articleType,baseColour\n"
                           "t1,Tshirts,Blue\n"
                           "t2,Tshirts,Blue\n"
                           "t3,Tshirts,Red\n"
                           "j1,Jeans,Blue\n"
                           "j2,Jeans,Blue\n";

// Six items in 3-d; u1 has no label (a result, never a query).
EmbeddingStore handMadeStore()
{
    const StoreIdentity id{QStringLiteral("m"), QByteArray(64, 'a'), QStringLiteral("squash-224-max"), 3};
    EmbeddingStore store(id);
    RowMatrix v(6, 3);
    v << 1, 0, 0,        // t1
        0.99f, 0.14f, 0, // t2
        0.95f, 0.31f, 0, // t3
        0, 1, 0,         // j1
        0.1f, 0.99f, 0,  // j2
        0, 0, 1;         // u1
    v.rowwise().normalize();
    std::vector<CatalogFile> files;
    for (const char *name : {"t1", "t2", "t3", "j1", "j2", "u1"})
        files.push_back({QStringLiteral("images/%1.jpg").arg(QLatin1String(name)), 1, 1});
    store.upsert(files, v);
    return store;
}
} // namespace

class TestEvaluator : public QObject {
    Q_OBJECT
private slots:
    void leaveOneOutByHand()
    {
        const auto labels = StyleLabels::parse(kStyles);
        QVERIFY(labels);
        // Top 2 of each query (its own row left out), worked out on paper:
        //   t1 -> t2, t3  type 2, type+colour 1 (t3 is red)
        //   t2 -> t1, t3  type 2, type+colour 1
        //   t3 -> t2, t1  type 2, type+colour 0 (t3 is the only red)
        //   j1 -> j2, t3  type 1, type+colour 1
        //   j2 -> j1, t3  type 1, type+colour 1
        // 8 of 10 results share the articleType, 4 of 10 also the colour.
        const CatalogQuality q = Evaluator::leaveOneOut(handMadeStore(), *labels, EmbeddingRecipe::seedRecipe(), 0, 2);
        QCOMPARE(q.catalogItems, 6);
        QCOMPARE(q.queries, 5);
        QCOMPARE(q.pAtKArticleType, 0.8);
        QCOMPARE(q.pAtKArticleTypeColour, 0.4);
    }

    void unlabelledResultsCountAsMisses()
    {
        const auto labels = StyleLabels::parse(kStyles);
        // k = 5 reaches every other item, including the unlabelled u1:
        // t-shirts: 2 same type of 5; jeans: 1 of 5 -> (2+2+2+1+1) / 25.
        const CatalogQuality q = Evaluator::leaveOneOut(handMadeStore(), *labels, EmbeddingRecipe::seedRecipe(), 0, 5);
        QCOMPARE(q.pAtKArticleType, 8.0 / 25.0);
    }

    void labelMapStrictAndBroad()
    {
        const auto map = LabelMap::parse("query_label,articleType,match\n"
                                         "t-shirt,Tshirts,strict\n"
                                         "t-shirt,Tops,broad\n"
                                         "hat,Caps,strict\n");
        QVERIFY2(map, qPrintable(map.error()));
        QVERIFY(map->isHit(QStringLiteral("t-shirt"), QStringLiteral("Tshirts"), false));
        QVERIFY(!map->isHit(QStringLiteral("t-shirt"), QStringLiteral("Tops"), false));
        QVERIFY(map->isHit(QStringLiteral("t-shirt"), QStringLiteral("Tops"), true));
        QVERIFY(!map->isHit(QStringLiteral("hat"), QStringLiteral("Tshirts"), true));
        QVERIFY(!map->hasLabel(QStringLiteral("scarf")));
        QVERIFY(!LabelMap::parse("label,type\nx,y\n"));
    }
};

QTEST_GUILESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
