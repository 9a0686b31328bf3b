// The quality protocol (docs/quality.md) on the whole 3,000-image demo catalog and the 341
// consumer photos. Fails if the default configuration drops below the targets of the
// quality issue. The learned projection of the default was fitted on this catalog's labels,
// so its catalog figures are cross-validated: each query is searched with a projection
// fitted on the folds that do not contain it. The catalog's index is kept in the build
// folder (never in the read-only shared folder), so later runs only re-check it.
#include "CatalogIndex.h"
#include "Evaluator.h"
#include "Indexer.h"
#include "TestSupport.h"

#include <QtTest>

using namespace lookbook;

namespace {
// The targets of the quality issue, to three decimals; a figure counts as reaching one when
// it rounds to at least it.
constexpr double kRounding = 0.0005;
constexpr double kTargetArticleType = 0.58;
constexpr double kTargetArticleTypeColour = 0.22;
constexpr double kTargetStreetStrict = 0.33;
constexpr double kTargetStreetBroad = 0.45;
// articleType+colour has not reached its target (docs/quality.md): this floor, the seed
// recipe's figure, keeps it from falling back while the expected failure below says so.
constexpr double kSeedArticleTypeColour = 0.168;
constexpr int kSubsetSize = 3000;
constexpr int kStreetPhotos = 341;
} // namespace

class TestQuality : public QObject {
    Q_OBJECT
private:
    EmbeddingStore m_store;
    std::optional<StyleLabels> m_labels;
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
        const auto store = EmbeddingStore::load(cache, CatalogIndex::identityFor(ModelDescriptor::builtIn(), m_recipe));
        QVERIFY2(store, qPrintable(store.error()));
        m_store = *store;
        QCOMPARE(m_store.size(), kSubsetSize);
        auto labels = StyleLabels::load(test::sharedCatalogDir() + QStringLiteral("/styles.csv"));
        QVERIFY2(labels, qPrintable(labels.error()));
        m_labels = std::move(*labels);
    }

    void catalogLeaveOneOut()
    {
        // The built-in projection knows it was fitted on these files.
        const int folds = Evaluator::foldsNeeded(m_store, m_recipe);
        QCOMPARE(folds, kCrossValidationFolds);
        const CatalogQuality q = Evaluator::leaveOneOut(m_store, *m_labels, m_recipe, folds);
        qInfo("recipe %s: %d items, %d queries, %d folds, P@5 articleType %.4f, articleType+colour %.4f",
              qPrintable(m_recipe.id()), q.catalogItems, q.queries, q.folds, q.pAtKArticleType, q.pAtKArticleTypeColour);
        QCOMPARE(q.queries, kSubsetSize);
        QCOMPARE(q.folds, kCrossValidationFolds);
        QVERIFY(q.pAtKArticleType >= kTargetArticleType - kRounding);
        QVERIFY(q.pAtKArticleTypeColour >= kSeedArticleTypeColour - kRounding);
        QEXPECT_FAIL("", "articleType+colour is short of its 0.22 target (docs/quality.md)", Continue);
        QVERIFY(q.pAtKArticleTypeColour >= kTargetArticleTypeColour - kRounding);
    }

    void likingTwoCorrectResultsRaisesPrecision()
    {
        // The recipe without the learned projection: its figures need no cross-validation
        // (the projection's were fitted on these labels), and the feedback is what is measured.
        const auto recipe = EmbeddingRecipe::fromId(QStringLiteral("squash-288-max-cls0.2-qcrop224-dba5-qe3"));
        QVERIFY(recipe);
        QCOMPARE(recipe->indexRecipe().id(), m_recipe.indexRecipe().id()); // the same embeddings
        const FeedbackQuality q = Evaluator::relevanceFeedback(m_store, *m_labels, *recipe, 0, Rocchio());
        qInfo("relevance feedback, recipe %s: %d of %d queries with 2 correct results to like; P@5 %.4f -> %.4f, "
              "without the liked items %.4f -> %.4f", qPrintable(recipe->id()), q.eligible, q.queries, q.pBefore,
              q.pAfter, q.pBeforeUnseen, q.pAfterUnseen);
        QCOMPARE(q.queries, kSubsetSize);
        QVERIFY(q.eligible > q.queries / 2);
        QVERIFY(q.pAfter > q.pBefore);
        // Beyond the liked items themselves, the refined query finds more of the right kind.
        QVERIFY(q.pAfterUnseen > q.pBeforeUnseen);
    }

    void consumerPhotos()
    {
        const auto map = LabelMap::load(test::sharedQueriesDir() + QStringLiteral("/label_map_to_articleType.csv"));
        QVERIFY2(map, qPrintable(map.error()));
        const auto queries = listLabelledImages(test::sharedQueriesDir() + QStringLiteral("/images"));
        const StreetQuality q = Evaluator::streetQueries(*test::sharedModel(), m_recipe, m_store, *m_labels, queries, *map);
        qInfo("recipe %s: %d street photos, P@5 strict %.4f, broad %.4f", qPrintable(m_recipe.id()), q.queries,
              q.pAtKStrict, q.pAtKBroad);
        QCOMPARE(q.queries, kStreetPhotos);
        QVERIFY(q.skipped.empty());
        QVERIFY(q.pAtKStrict >= kTargetStreetStrict - kRounding);
        QVERIFY(q.pAtKBroad >= kTargetStreetBroad - kRounding);
    }
};

QTEST_GUILESS_MAIN(TestQuality)
#include "tst_quality.moc"
