// The exact search must be exact: the same top k as sorting every score, with the query left
// out, masks honoured and ties in a fixed order, whatever the block split. (Its coarse path,
// shortlist and exact re-score, is checked against this one in tst_coarseindex.)
#include "Searcher.h"

#include "TestSupport.h"

#include <QtTest>

#include <numeric>
#include <random>

using namespace lookbook;

namespace {

// The reference: score everything, sort, take k.
std::vector<SearchHit> bruteForce(const RowMatrix &m, const Eigen::RowVectorXf &q, int k, int exclude,
                                  const std::vector<char> *allowed)
{
    std::vector<SearchHit> all;
    for (int i = 0; i < m.rows(); ++i) {
        if (i == exclude || (allowed && !(*allowed)[size_t(i)])) continue;
        all.push_back({i, m.row(i).dot(q)});
    }
    std::sort(all.begin(), all.end(), ranksBefore);
    all.resize(std::min(all.size(), size_t(k)));
    return all;
}

// The rows of a search space with nothing appended or mixed: the matrix itself.
SpaceRows plainRows(const RowMatrix &m) { return SpaceRows(RowMatrixView(m.data(), m.rows(), m.cols())); }

// Same items in the same order; scores equal up to float summation order.
bool sameHits(const std::vector<SearchHit> &a, const std::vector<SearchHit> &b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].item != b[i].item || std::abs(a[i].score - b[i].score) > 1e-5f) return false;
    return true;
}

} // namespace

class TestSearcher : public QObject {
    Q_OBJECT
private slots:
    void matchesBruteForce_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("k");
        QTest::newRow("tiny catalog, k larger than it") << 3 << 5;
        QTest::newRow("one block") << 500 << 5;
        QTest::newRow("many blocks, uneven last") << 10'000 << 5;
        QTest::newRow("many blocks, k 50") << 9'000 << 50;
    }
    void matchesBruteForce()
    {
        QFETCH(int, rows);
        QFETCH(int, k);
        const RowMatrix m = test::randomUnitRows(rows, 64, 7);
        const RowMatrix queries = test::randomUnitRows(10, 64, 8);
        const SpaceRows space = plainRows(m);
        const Searcher searcher{space};
        for (int q = 0; q < queries.rows(); ++q) {
            const auto hits = searcher.search(queries.row(q), {k, -1, nullptr});
            QVERIFY(sameHits(hits, bruteForce(m, queries.row(q), k, -1, nullptr)));
        }
    }

    void leavesTheQueryItemOut()
    {
        const RowMatrix m = test::randomUnitRows(6000, 32, 1);
        const SpaceRows space = plainRows(m);
        const Searcher searcher{space};
        const int self = 4321;
        const auto hits = searcher.search(m.row(self), {5, self, nullptr});
        QCOMPARE(int(hits.size()), 5);
        for (const SearchHit &h : hits) QVERIFY(h.item != self);
        QVERIFY(sameHits(hits, bruteForce(m, m.row(self), 5, self, nullptr)));
        // Without the exclusion the item finds itself first, with cosine 1.
        const auto withSelf = searcher.search(m.row(self), {5, -1, nullptr});
        QCOMPARE(withSelf.front().item, self);
        QVERIFY(std::abs(withSelf.front().score - 1.0f) < 1e-5f);
    }

    void honoursTheMask()
    {
        const RowMatrix m = test::randomUnitRows(5000, 32, 2);
        std::vector<char> allowed(5000, 0);
        for (size_t i = 0; i < allowed.size(); i += 7) allowed[i] = 1;
        const SpaceRows space = plainRows(m);
        const Searcher searcher{space};
        const auto hits = searcher.search(m.row(10), {5, 10, &allowed});
        for (const SearchHit &h : hits) QVERIFY(allowed[size_t(h.item)]);
        QVERIFY(sameHits(hits, bruteForce(m, m.row(10), 5, 10, &allowed)));
        std::vector<char> none(5000, 0);
        QVERIFY(searcher.search(m.row(10), {5, -1, &none}).empty());
    }

    void tiesAreOrderedByItem()
    {
        // Identical rows score identically: the lower index must come first, every time.
        RowMatrix m = RowMatrix::Zero(9000, 8);
        m.col(0).setOnes();
        const SpaceRows space = plainRows(m);
        const Searcher searcher{space};
        Eigen::RowVectorXf q = Eigen::RowVectorXf::Zero(8);
        q[0] = 1;
        const auto hits = searcher.search(q, {5, 2, nullptr});
        const std::vector<int> expected{0, 1, 3, 4, 5};
        QCOMPARE(int(hits.size()), 5);
        for (size_t i = 0; i < hits.size(); ++i) QCOMPARE(hits[i].item, expected[i]);
    }

    void searchManyAgreesWithSearch()
    {
        const RowMatrix m = test::randomUnitRows(3000, 48, 3);
        const SpaceRows space = plainRows(m);
        const Searcher searcher{space};
        std::vector<int> exclude(600);
        std::iota(exclude.begin(), exclude.end(), 0);
        const RowMatrix queries = m.topRows(600);
        const auto many = searcher.searchMany(queries, 5, exclude);
        for (int q = 0; q < 600; ++q) QVERIFY(sameHits(many[size_t(q)], searcher.search(m.row(q), {5, q, nullptr})));
        // With a mask, every query's list keeps to it (the augmentation's masked neighbours).
        std::vector<char> allowed(3000, 0);
        for (size_t i = 0; i < allowed.size(); i += 3) allowed[i] = 1;
        const auto masked = searcher.searchMany(queries, 5, exclude, &allowed);
        for (int q = 0; q < 600; q += 7)
            QVERIFY(sameHits(masked[size_t(q)], bruteForce(m, m.row(q), 5, q, &allowed)));
    }
};

QTEST_GUILESS_MAIN(TestSearcher)
#include "tst_searcher.moc"
