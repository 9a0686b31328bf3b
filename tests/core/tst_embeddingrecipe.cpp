// The recipe's id is what caches record: it must round-trip and reject nonsense.
#include "EmbeddingRecipe.h"

#include <QtTest>

using namespace lookbook;

class TestEmbeddingRecipe : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("seed recipe") << QStringLiteral("squash-224-max");
        QTest::newRow("pad, average") << QStringLiteral("pad-224-avg");
        QTest::newRow("crop 160, GeM") << QStringLiteral("crop-160-gem");
    }
    void roundTrip()
    {
        QFETCH(QString, id);
        const auto recipe = EmbeddingRecipe::fromId(id);
        QVERIFY(recipe.has_value());
        QCOMPARE(recipe->id(), id);
    }
    void rejects_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("empty") << QString();
        QTest::newRow("unknown fit") << QStringLiteral("stretch-224-max");
        QTest::newRow("unknown pooling") << QStringLiteral("squash-224-median");
        QTest::newRow("size not a number") << QStringLiteral("squash-big-max");
        QTest::newRow("size too small") << QStringLiteral("squash-8-max");
        QTest::newRow("too many parts") << QStringLiteral("squash-224-max-extra");
    }
    void rejects()
    {
        QFETCH(QString, id);
        QVERIFY(!EmbeddingRecipe::fromId(id).has_value());
    }
    void defaultIsTheSeedRecipe()
    {
        const EmbeddingRecipe r = EmbeddingRecipe::defaultRecipe();
        QCOMPARE(r.fit, FitMode::Squash);
        QCOMPARE(r.inputSize, 224);
        QCOMPARE(r.pooling, Pooling::Max);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingRecipe)
#include "tst_embeddingrecipe.moc"
