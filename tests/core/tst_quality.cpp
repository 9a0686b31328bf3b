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
#include "Rocchio.h"
#include "SearchSpace.h"
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
constexpr int kLikes = 2;
// New correct results per query that two likes bring into the top 5 (neither liked nor
// there before): 0.632 measured with the default recipe; a refinement that barely moves
// (like weight 0.05 instead of 0.75) brings 0.094.
constexpr double kFloorNewCorrectPerQuery = 0.6;

// Relevance feedback step by step as Evaluator::relevanceFeedback runs it (no folds), with
// the rankings kept, counting what the refined top k brings that was not there before.
struct NewFinds {
    int eligible = 0;      // queries with kLikes correct results in their first k
    double before = 0;     // correct results in the first top k (the protocol's pBefore)
    int newItems = 0;      // refined top-k items that were not in the first top k (so not liked)
    int newCorrect = 0;    // of them, of the query's articleType
    int scrollCorrect = 0; // correct among as many next results of the first ranking
};

NewFinds newFinds(const EmbeddingStore &store, const StyleLabels &labels, const EmbeddingRecipe &recipe, const Rocchio &rocchio,
                  int k)
{
    std::vector<QString> types(size_t(store.size()));
    std::vector<int> queries;
    for (int i = 0; i < store.size(); ++i) {
        types[size_t(i)] = labels.value(store.items()[size_t(i)].relativePath, QStringLiteral("articleType"));
        if (!types[size_t(i)].isEmpty()) queries.push_back(i);
    }
    const SearchSpace space(store, recipe, {}, pools::search(), SearchSpace::Speed::Quick);
    RowMatrix first(Eigen::Index(queries.size()), space.dimension());
    for (size_t q = 0; q < queries.size(); ++q) first.row(Eigen::Index(q)) = space.itemQuery(queries[q]);
    // Twice k: the next results of the first ranking, read on as a stylist scrolls.
    const auto ranked = space.searchMany(first, 2 * k, queries);
    NewFinds finds;
    std::vector<int> eligible;
    std::vector<Eigen::RowVectorXf> refined;
    for (size_t q = 0; q < queries.size(); ++q) {
        // The stylist's clicks, simulated from the labels: the first kLikes correct results.
        std::vector<Eigen::RowVectorXf> liked;
        int correct = 0;
        for (int r = 0; r < k; ++r) {
            const int item = ranked[q][size_t(r)].item;
            if (types[size_t(item)] != types[size_t(queries[q])]) continue;
            ++correct;
            if (int(liked.size()) < kLikes) liked.push_back(space.itemQuery(item));
        }
        if (int(liked.size()) < kLikes) continue;
        finds.before += correct;
        eligible.push_back(int(q));
        refined.push_back(rocchio.refine(first.row(Eigen::Index(q)), liked, {}));
    }
    RowMatrix again(Eigen::Index(eligible.size()), space.dimension());
    std::vector<int> eligibleItems;
    for (size_t e = 0; e < eligible.size(); ++e) {
        again.row(Eigen::Index(e)) = refined[e];
        eligibleItems.push_back(queries[size_t(eligible[e])]);
    }
    const auto second = space.searchMany(again, k, eligibleItems);
    finds.eligible = int(eligible.size());
    for (size_t e = 0; e < eligible.size(); ++e) {
        const std::vector<SearchHit> &original = ranked[size_t(eligible[e])];
        const QString &type = types[size_t(eligibleItems[e])];
        const auto inFirst = [&](int item) {
            return std::any_of(original.begin(), original.begin() + k, [item](const SearchHit &h) { return h.item == item; });
        };
        int fresh = 0;
        for (const SearchHit &hit : second[e]) {
            if (inFirst(hit.item)) continue;
            ++fresh;
            finds.newCorrect += types[size_t(hit.item)] == type ? 1 : 0;
        }
        finds.newItems += fresh;
        for (int r = k; r < k + fresh; ++r) finds.scrollCorrect += types[size_t(original[size_t(r)].item)] == type ? 1 : 0;
    }
    return finds;
}
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

    // Liking two correct results must find correct items that were neither liked nor among
    // the first results, and more of them than reading on down the first ranking would
    // (as many next results as the refined top 5 brings new ones). P@5 after against
    // before proves nothing: the refined query moves toward two correct items it then finds.
    void likingTwoCorrectResultsFindsNewOnes()
    {
        const auto measured = Evaluator::relevanceFeedback(m_store, *m_labels, m_recipe, 0, Rocchio(), kLikes);
        QVERIFY2(measured, qPrintable(measured.error()));
        const FeedbackQuality &q = *measured;
        const NewFinds finds = newFinds(m_store, *m_labels, m_recipe, Rocchio(), kProtocolK);
        qInfo("relevance feedback, recipe %s: %d of %d queries with 2 correct results to like; P@5 %.4f -> %.4f, "
              "without the liked items %.4f -> %.4f; the refined top 5 brings %d new items, %d of them correct "
              "(%.3f per query), where the next %d of the first ranking hold %d",
              qPrintable(m_recipe.id()), q.eligible, q.queries, q.pBefore, q.pAfter, q.pBeforeUnseen, q.pAfterUnseen,
              finds.newItems, finds.newCorrect, double(finds.newCorrect) / std::max(1, finds.eligible), finds.newItems,
              finds.scrollCorrect);
        QCOMPARE(q.queries, kSubsetSize);
        QVERIFY(q.eligible > q.queries / 2);
        // The same queries and first rankings as the evaluator's.
        QCOMPARE(finds.eligible, q.eligible);
        QCOMPARE(finds.before / (double(finds.eligible) * kProtocolK), q.pBefore);
        // New correct finds, enough of them, and at a better rate than the first ranking's
        // next results.
        QVERIFY(double(finds.newCorrect) / finds.eligible >= kFloorNewCorrectPerQuery - kRounding);
        QVERIFY(finds.newCorrect > finds.scrollCorrect);
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
