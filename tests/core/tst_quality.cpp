// The quality protocol (docs/quality.md, ../shared/docs/quality.md) on the whole 3,000-image
// demo catalog and the 341 consumer photos, with the default recipe. Its learned parts (the
// projection and the colour model in models/) were fitted on the training catalog of
// ../shared, which shares no item with the subset, and every setting was chosen there: so
// the figures are direct, with no cross-validation, and this test checks that the built-in
// projection says so. Fails below the floors: the quality issue's targets where they are
// reached, else the figures measured when the default was chosen (docs/quality.md says
// which). The catalog's index is kept in the build folder, never in the shared folder.
#include "CacheFiles.h"
#include "ColourStore.h"
#include "Evaluator.h"
#include "Indexer.h"
#include "ProjectionTuning.h"
#include "ResourceLocator.h"
#include "TestSupport.h"

#include <QtTest>

using namespace lookbook;

namespace {
// A figure counts as reaching a floor when it rounds to at least it (three decimals).
constexpr double kRounding = 0.0005;
// The quality issue's targets.
constexpr double kTargetChosenFamily = 0.6;
constexpr double kTargetChosenArticleType = 0.5;
// Not reached (docs/quality.md, "Where it falls short"): the floors are the default's own
// figures, so a change that loses quality fails here. The targets are 0.64
// (articleType), 0.30 (articleType + colour family), 0.22 (articleType + exact colour) and
// 0.46 / 0.57 (consumer photos).

constexpr double kFloorArticleType = 0.575;
constexpr double kFloorArticleTypeFamily = 0.215;
constexpr double kFloorArticleTypeColour = 0.185;
constexpr double kFloorStreetStrict = 0.36;
constexpr double kFloorStreetBroad = 0.46;
// What colour may cost in articleType, against the same recipe without it.
constexpr double kMaxColourTypeCost = 0.012;
constexpr int kSubsetSize = 3000;
constexpr int kStreetPhotos = 341;
} // namespace

class TestQuality : public QObject {
    Q_OBJECT
private:
    EmbeddingStore m_store;
    std::optional<StyleLabels> m_labels;
    std::optional<CatalogColours> m_colours;
    ColourContext m_colour;
    const EmbeddingRecipe m_recipe = EmbeddingRecipe::defaultRecipe();

private slots:
    void initTestCase()
    {
        // A sanitizer build can point this at the Release build's folder (README, Tests):
        // the embeddings are the same.
        const QString cacheDir = qEnvironmentVariable("LOOKBOOK_QUALITY_CACHE_DIR", QStringLiteral(LOOKBOOK_QUALITY_CACHE_DIR));
        const QString cache = QStringLiteral("%1/subset-%2.lbi").arg(cacheDir, m_recipe.indexRecipe().id());
        const Indexer indexer(test::sharedModel(), m_recipe);
        const auto report = indexer.update(test::sharedCatalogDir(), cache);
        QVERIFY2(report, qPrintable(report.error()));
        QCOMPARE(int(report->skipped.size()), 0);
        const auto store = EmbeddingStore::load(cache, cacheFiles::identityFor(ModelDescriptor::builtIn(), m_recipe));
        QVERIFY2(store, qPrintable(store.error()));
        m_store = *store;
        QCOMPARE(m_store.size(), kSubsetSize);
        auto labels = StyleLabels::load(test::sharedCatalogDir() + QStringLiteral("/styles.csv"));
        QVERIFY2(labels, qPrintable(labels.error()));
        m_labels = std::move(*labels);
        const auto descriptions = ColourStore::update(test::sharedCatalogDir(), m_store, cache);
        QVERIFY2(descriptions, qPrintable(descriptions.error()));
        m_colours.emplace(*descriptions, ColourModel::builtInShared(),
                          ColourRankingSettings{}.familyShare);
        auto families = ColourModel::loadFamilies(test::sharedDir() + QStringLiteral("/data/colour-families.csv"));
        QVERIFY2(families, qPrintable(families.error()));
        m_colour = ColourContext{*families, &*m_colours, {}};
    }

    void theLearnedPartsNeverSawTheSubset()
    {
        // Fitted on the training catalog: no file of the subset is in the projection's
        // training set, by content, so nothing needs cross-validation.
        QVERIFY(!sharesTrainingItems(m_store, test::sharedCatalogDir(), DiscriminantProjection::builtIn()));
        QCOMPARE(Evaluator::foldsNeeded(m_store, m_recipe, test::sharedCatalogDir()), 0);
        const QJsonObject fitted = DiscriminantProjection::builtIn().provenance();
        QCOMPARE(fitted.value(QStringLiteral("catalog")).toString(), QStringLiteral("fashion-product-images-small-train"));
        QCOMPARE(ColourModel::builtIn().provenance().value(QStringLiteral("catalog")).toString(),
                 QStringLiteral("fashion-product-images-small-train"));
    }

    void catalogLeaveOneOut()
    {
        const auto measured = Evaluator::leaveOneOut(m_store, *m_labels, m_recipe, 0, kProtocolK, {}, &m_colour);
        QVERIFY2(measured, qPrintable(measured.error()));
        const CatalogQuality &q = *measured;
        qInfo("recipe %s: %d items, %d queries, P@5 articleType %.4f (ceiling %.3f), articleType+colour %.4f (%.3f), "
              "articleType+family %.4f (%.3f)", qPrintable(m_recipe.id()), q.catalogItems, q.queries, q.pAtKArticleType,
              q.ceilingArticleType, q.pAtKArticleTypeColour, q.ceilingArticleTypeColour, q.pAtKArticleTypeFamily,
              q.ceilingArticleTypeFamily);
        QCOMPARE(q.queries, kSubsetSize);
        QCOMPARE(q.folds, 0);
        // The protocol's ceilings for this subset (../shared/docs/quality.md).
        QCOMPARE(QString::number(q.ceilingArticleType, 'f', 3), QStringLiteral("0.988"));
        QCOMPARE(QString::number(q.ceilingArticleTypeColour, 'f', 3), QStringLiteral("0.578"));
        QCOMPARE(QString::number(q.ceilingArticleTypeFamily, 'f', 3), QStringLiteral("0.684"));
        QVERIFY(q.pAtKArticleType >= kFloorArticleType - kRounding);
        QVERIFY(q.pAtKArticleTypeFamily >= kFloorArticleTypeFamily - kRounding);
        QVERIFY(q.pAtKArticleTypeColour >= kFloorArticleTypeColour - kRounding);
    }

    void colourGainsWithoutGivingUpType()
    {
        // The same recipe without its colour part: colour must raise both colour figures
        // and cost at most a hair of articleType.
        EmbeddingRecipe without = m_recipe;
        without.colourWeight = 0;
        QVERIFY(m_recipe.colourWeight > 0);
        const auto measuredWith = Evaluator::leaveOneOut(m_store, *m_labels, m_recipe, 0, kProtocolK, {}, &m_colour);
        const auto measuredPlain = Evaluator::leaveOneOut(m_store, *m_labels, without, 0, kProtocolK, {}, &m_colour);
        QVERIFY(measuredWith && measuredPlain);
        const CatalogQuality &with = *measuredWith, &plain = *measuredPlain;
        qInfo("without colour (%s): articleType %.4f, +colour %.4f, +family %.4f", qPrintable(without.id()),
              plain.pAtKArticleType, plain.pAtKArticleTypeColour, plain.pAtKArticleTypeFamily);
        QVERIFY(with.pAtKArticleTypeFamily > plain.pAtKArticleTypeFamily + 0.01);
        QVERIFY(with.pAtKArticleTypeColour > plain.pAtKArticleTypeColour + 0.01);
        QVERIFY(with.pAtKArticleType >= plain.pAtKArticleType - kMaxColourTypeCost);
    }

    void inAnotherColour()
    {
        const ChosenColourQuality q = Evaluator::chosenColour(m_store, *m_labels, m_recipe, m_colour);
        qInfo("in another colour: %d requests, P@5 requested family %.4f, articleType %.4f, both %.4f", q.requests,
              q.pAtKFamily, q.pAtKArticleType, q.pAtKArticleTypeFamily);
        QVERIFY(q.requests > 1000);
        QVERIFY(q.pAtKFamily >= kTargetChosenFamily - kRounding);
        QVERIFY(q.pAtKArticleType >= kTargetChosenArticleType - kRounding);
    }

    void likingTwoCorrectResultsRaisesPrecision()
    {
        const auto measured = Evaluator::relevanceFeedback(m_store, *m_labels, m_recipe, 0, Rocchio());
        QVERIFY2(measured, qPrintable(measured.error()));
        const FeedbackQuality &q = *measured;
        qInfo("relevance feedback, recipe %s: %d of %d queries with 2 correct results to like; P@5 %.4f -> %.4f, "
              "without the liked items %.4f -> %.4f", qPrintable(m_recipe.id()), q.eligible, q.queries, q.pBefore,
              q.pAfter, q.pBeforeUnseen, q.pAfterUnseen);
        QCOMPARE(q.queries, kSubsetSize);
        QVERIFY(q.eligible > q.queries / 2);
        // Beyond the liked items themselves, the refined query finds more of the right kind.
        QVERIFY(q.pAfterUnseen > q.pBeforeUnseen);
    }

    void consumerPhotos()
    {
        const auto map = LabelMap::load(test::sharedQueriesDir() + QStringLiteral("/label_map_to_articleType.csv"));
        QVERIFY2(map, qPrintable(map.error()));
        const auto queries = listLabelledImages(test::sharedQueriesDir() + QStringLiteral("/images"));
        const StreetQuality q = Evaluator::streetQueries(*test::sharedModel(), m_recipe, m_store, *m_labels, queries, *map,
                                                         kProtocolK, {}, {}, &m_colour);
        qInfo("recipe %s: %d street photos, P@5 strict %.4f, broad %.4f", qPrintable(m_recipe.id()), q.queries,
              q.pAtKStrict, q.pAtKBroad);
        QCOMPARE(q.queries, kStreetPhotos);
        QVERIFY(q.skipped.empty());
        QVERIFY(q.pAtKStrict >= kFloorStreetStrict - kRounding);
        QVERIFY(q.pAtKBroad >= kFloorStreetBroad - kRounding);
    }
};

QTEST_GUILESS_MAIN(TestQuality)
#include "tst_quality.moc"
