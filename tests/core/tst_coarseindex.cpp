// The coarse index (int8 codes on principal axes, then an exact re-score of a shortlist)
// must give the exact search's results: checked against brute force on rows with the
// neighbour structure of real embeddings, and through the search space that uses it.
#include "CoarseIndex.h"
#include "SearchSpace.h"
#include "Searcher.h"

#include "TestSupport.h"

#include <QtTest>

#include <random>

using namespace lookbook;

namespace {

constexpr int kTop = 5;

RowMatrixView viewOf(const RowMatrix &rows) { return RowMatrixView(rows.data(), rows.rows(), rows.cols()); }
SpaceRows plainRows(const RowMatrix &rows) { return SpaceRows(viewOf(rows)); }

std::vector<int> itemsOf(const std::vector<SearchHit> &hits)
{
    std::vector<int> items;
    for (const SearchHit &h : hits) items.push_back(h.item);
    return items;
}

} // namespace

class TestCoarseIndex : public QObject {
    Q_OBJECT
private slots:
    void findsTheExactTopFive()
    {
        const RowMatrix rows = test::structuredRows(12000, 384, 2);
        const RowMatrix queries = test::structuredRows(100, 384, 3);
        const CoarseIndex coarse(viewOf(rows), {}, pools::search());
        QCOMPARE(coarse.size(), 12000);
        QCOMPARE(coarse.dimensions(), 256);
        qInfo("shortlist after calibration: %d", coarse.shortlistSize());
        const SpaceRows space = plainRows(rows);
        const Searcher exact(space), fast(space, &coarse);
        int found = 0;
        for (Eigen::Index q = 0; q < queries.rows(); ++q) {
            const auto reference = itemsOf(exact.search(queries.row(q), {kTop}));
            const auto hits = fast.search(queries.row(q), {kTop});
            QCOMPARE(int(hits.size()), kTop);
            for (const SearchHit &h : hits) {
                // Re-scored exactly: the score is the true cosine, not the approximation.
                QCOMPARE(h.score, rows.row(h.item).dot(queries.row(q)));
                found += std::count(reference.begin(), reference.end(), h.item) > 0 ? 1 : 0;
            }
        }
        const double recall = double(found) / double(kTop * queries.rows());
        qInfo("recall@5 against exact search: %.4f", recall);
        QVERIFY2(recall >= 0.99, qPrintable(QString::number(recall)));
    }

    void widensItsShortlistWhenTheAxesExplainLittle()
    {
        // Independent random directions: 64 axes of 512 explain an eighth of the variance,
        // so the calibration must widen the shortlist for the exact top 5 to stay in it.
        const RowMatrix rows = test::randomUnitRows(12000, 512, 9);
        const RowMatrix queries = test::randomUnitRows(30, 512, 10);
        CoarseIndex::Options options;
        options.dimensions = 64;
        const CoarseIndex coarse(viewOf(rows), options, pools::search());
        qInfo("shortlist after calibration: %d", coarse.shortlistSize());
        QVERIFY(coarse.shortlistSize() > 4 * options.shortlist);
        const SpaceRows space = plainRows(rows);
        const Searcher exact(space), fast(space, &coarse);
        int found = 0;
        for (Eigen::Index q = 0; q < queries.rows(); ++q) {
            const auto reference = itemsOf(exact.search(queries.row(q), {kTop}));
            for (int item : itemsOf(fast.search(queries.row(q), {kTop})))
                found += std::count(reference.begin(), reference.end(), item) > 0 ? 1 : 0;
        }
        QVERIFY2(found >= int(0.95 * kTop * queries.rows()), qPrintable(QString::number(found)));
    }

    void quantisedScoresFollowTheCosines()
    {
        // With as many axes as dimensions only the int8 rounding is left.
        const RowMatrix rows = test::structuredRows(2000, 128, 4);
        const CoarseIndex coarse(viewOf(rows), {128, 2000, 3, 50, 16}, nullptr);
        const std::vector<float> approx = coarse.approximateScores(rows.row(0));
        const Eigen::VectorXf exact = rows * rows.row(0).transpose();
        // Up to the constant q.mean the projection drops, the approximation tracks the cosine.
        Eigen::VectorXf a = Eigen::Map<const Eigen::VectorXf>(approx.data(), Eigen::Index(approx.size()));
        const double correlation = ((a.array() - a.mean()) * (exact.array() - exact.mean())).sum()
                                   / std::sqrt((a.array() - a.mean()).square().sum() * (exact.array() - exact.mean()).square().sum());
        qInfo("correlation of approximate and exact scores: %.4f", correlation);
        QVERIFY(correlation > 0.995);
    }

    void honoursTheExcludedItemAndTheMask()
    {
        const RowMatrix rows = test::structuredRows(12000, 256, 5);
        const CoarseIndex coarse(viewOf(rows), {}, pools::search());
        const SpaceRows space = plainRows(rows);
        const Searcher exact(space), fast(space, &coarse);
        const Eigen::RowVectorXf query = rows.row(17);
        QCOMPARE(fast.search(query, {kTop}).front().item, 17);
        const auto withoutSelf = itemsOf(fast.search(query, {kTop, 17}));
        QVERIFY(std::find(withoutSelf.begin(), withoutSelf.end(), 17) == withoutSelf.end());
        QCOMPARE(withoutSelf, itemsOf(exact.search(query, {kTop, 17})));

        std::vector<char> evenOnly(size_t(rows.rows()));
        for (size_t i = 0; i < evenOnly.size(); i += 2) evenOnly[i] = 1;
        const SearchRequest masked{kTop, -1, &evenOnly};
        const auto hits = itemsOf(fast.search(rows.row(1), masked));
        QCOMPARE(int(hits.size()), kTop);
        for (int item : hits) QCOMPARE(item % 2, 0);
        QCOMPARE(hits, itemsOf(exact.search(rows.row(1), masked)));

        // A mask that allows fewer items than asked for gives just those.
        std::vector<char> three(size_t(rows.rows()));
        three[5] = three[500] = three[11000] = 1;
        QCOMPARE(int(fast.search(query, {kTop, -1, &three}).size()), 3);
    }

    void searchNearAnItemFindsItsExactNeighbours()
    {
        // The augmentation's path: the shortlist from the item's stored code, re-scored.
        const RowMatrix rows = test::structuredRows(12000, 256, 11);
        const CoarseIndex coarse(viewOf(rows), {}, pools::search());
        const SpaceRows space = plainRows(rows);
        const Searcher exact(space), fast(space, &coarse, nullptr);
        int found = 0, checked = 0;
        for (int item = 0; item < 12000; item += 97) {
            const SearchRequest request{kTop, item};
            const auto reference = itemsOf(exact.search(rows.row(item), request));
            for (const SearchHit &h : fast.searchNearItem(item, rows.row(item), request)) {
                QVERIFY(h.item != item);
                QCOMPARE(h.score, rows.row(h.item).dot(rows.row(item)));
                found += std::count(reference.begin(), reference.end(), h.item) > 0 ? 1 : 0;
            }
            checked += kTop;
        }
        QVERIFY2(found >= int(0.99 * checked), qPrintable(QStringLiteral("%1 of %2").arg(found).arg(checked)));
    }

    void searchSpaceUsesItForLargeCatalogsOnly()
    {
        const RowMatrix rows = test::structuredRows(SearchSpace::kCoarseFromItems, 192, 6);
        const EmbeddingStore large = test::storeOf(rows);
        const EmbeddingStore small = test::storeOf(rows.topRows(SearchSpace::kCoarseFromItems - 1));
        const EmbeddingRecipe plain = EmbeddingRecipe::seedRecipe();
        QVERIFY(SearchSpace(large, plain).hasCoarseIndex());
        QVERIFY(!SearchSpace(large, plain, {}, pools::search(), SearchSpace::Speed::Quick).hasCoarseIndex());
        QVERIFY(!SearchSpace(small, plain).hasCoarseIndex());

        // With query expansion the two searches of a query both go through it.
        EmbeddingRecipe expanding = plain;
        expanding.expansionNeighbours = 3;
        const SearchSpace fast(large, expanding), exact(large, expanding, {}, pools::search(), SearchSpace::Speed::Quick);
        const RowMatrix queries = test::structuredRows(40, 192, 7);
        int same = 0;
        for (Eigen::Index q = 0; q < queries.rows(); ++q)
            same += itemsOf(fast.search(queries.row(q), {kTop})) == itemsOf(exact.search(queries.row(q), {kTop})) ? 1 : 0;
        QVERIFY2(same >= 39, qPrintable(QStringLiteral("%1 of 40 queries kept their exact top 5").arg(same)));
    }

    void augmentationOfALargeCatalogFindsTheExactNeighbours()
    {
        const RowMatrix rows = test::structuredRows(SearchSpace::kCoarseFromItems + 500, 128, 8);
        const RowMatrix augmented = SearchSpace::augment(viewOf(rows), 5, 3.0f, pools::search());
        const SpaceRows space = plainRows(rows);
        const Searcher exact(space);
        for (int i : {0, 1, 777, 5000, 10499}) {
            Eigen::RowVectorXf expected = Eigen::RowVectorXf::Zero(rows.cols());
            for (const SearchHit &h : exact.search(rows.row(i), {5})) expected += std::pow(std::max(h.score, 0.0f), 3.0f) * rows.row(h.item);
            expected.normalize();
            QVERIFY2(augmented.row(i).isApprox(expected, 1e-4f), qPrintable(QString::number(i)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCoarseIndex)
#include "tst_coarseindex.moc"
