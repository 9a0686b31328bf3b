// Near-duplicates: copies planted among rows with the neighbour structure of real
// embeddings must come out as groups, and nothing else, also from a cache file; the
// similarity join under them gives exactly what scoring every pair gives; the same
// whatever the threads; cancellable.
#include "NearDuplicateFinder.h"
#include "SimilarityJoin.h"

#include "TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <optional>
#include <set>

using namespace lookbook;

namespace {

constexpr int kColumns = 64;
constexpr float kThreshold = 0.97f; // structuredRows' nearest neighbours stay under 0.95

using ItemSet = std::set<int>;

// Rows of a catalog with copies planted at known places.
struct Planted {
    RowMatrix rows;
    std::vector<ItemSet> groups; // what must be found
    int nearCopy = -1;           // an item whose copy is perturbed, and its copy
    int nearCopyOf = -1;
};

// `unit` turned by `angle` radians toward a direction orthogonal to it taken from `away`.
Eigen::RowVectorXf turned(const Eigen::RowVectorXf &unit, const Eigen::RowVectorXf &away, float angle)
{
    const float along = away.dot(unit);
    // A plain loop: GCC 12 at -O3 warns of an uninitialised register in the Eigen expression.
    Eigen::RowVectorXf orthogonal(unit.size());
    for (Eigen::Index j = 0; j < unit.size(); ++j) orthogonal[j] = away[j] - along * unit[j];
    orthogonal.normalize();
    return std::cos(angle) * unit + std::sin(angle) * orthogonal;
}

Planted plantedRows(int count)
{
    Planted p;
    p.rows = test::structuredRows(count, kColumns, 11);
    const RowMatrix away = test::randomUnitRows(4, kColumns, 12);
    auto spread = [count](int i) { return int(std::int64_t(i) * count / 10); }; // places across the rows
    // The same picture twice.
    p.rows.row(spread(7) + 3) = p.rows.row(spread(1));
    p.groups.push_back({spread(1), spread(7) + 3});
    // A re-encoded copy: the same row slightly moved (cosine 0.995).
    p.nearCopyOf = spread(2);
    p.nearCopy = spread(9) + 1;
    p.rows.row(p.nearCopy) = turned(p.rows.row(p.nearCopyOf), away.row(0), std::acos(0.995f));
    p.groups.push_back({p.nearCopyOf, p.nearCopy});
    // A chain: b and d are each 0.985 from c, and 0.94 from each other, under the threshold.
    const int b = spread(3), c = spread(5) + 2, d = spread(8) + 5;
    const float step = std::acos(0.985f);
    p.rows.row(c) = turned(p.rows.row(b), away.row(1), step);
    p.rows.row(d) = turned(p.rows.row(b), away.row(1), 2 * step);
    p.groups.push_back({b, c, d});
    // Three copies of one picture.
    p.rows.row(spread(4) + 1) = p.rows.row(spread(6));
    p.rows.row(spread(6) + 7) = p.rows.row(spread(6));
    p.groups.push_back({spread(4) + 1, spread(6), spread(6) + 7});
    return p;
}

std::vector<ItemSet> setsOf(const std::vector<DuplicateGroup> &groups)
{
    std::vector<ItemSet> sets;
    for (const DuplicateGroup &g : groups) sets.emplace_back(g.items.begin(), g.items.end());
    return sets;
}

RowMatrixView viewOf(const RowMatrix &rows) { return RowMatrixView(rows.data(), rows.rows(), rows.cols()); }

// Each row's most similar other row when their cosine reaches `floor`, by scoring every pair.
std::vector<SearchHit> bestAboveByAllPairs(const RowMatrix &rows, float floor)
{
    const Eigen::MatrixXf scores = rows * rows.transpose();
    std::vector<SearchHit> best(size_t(rows.rows()), SearchHit{-1, 0.0f});
    for (Eigen::Index i = 0; i < rows.rows(); ++i)
        for (Eigen::Index j = 0; j < rows.rows(); ++j)
            if (j != i && scores(i, j) >= floor && (best[size_t(i)].item < 0 || scores(i, j) > best[size_t(i)].score))
                best[size_t(i)] = {int(j), scores(i, j)};
    return best;
}

} // namespace

class TestNearDuplicates : public QObject {
    Q_OBJECT
private slots:
    void findsPlantedCopiesOnly_data()
    {
        QTest::addColumn<int>("items");
        QTest::addColumn<bool>("fromFile");
        QTest::newRow("3,000 items in memory") << 3000 << false;
        QTest::newRow("5,000 items in a cache file") << 5000 << true;
    }
    void findsPlantedCopiesOnly()
    {
        QFETCH(int, items);
        QFETCH(bool, fromFile);
        const Planted p = plantedRows(items);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lbi"));
        std::optional<EmbeddingStore> store = test::storeOf(p.rows);
        if (fromFile) {
            // Rows memory-mapped from the file, the pairs' rows copied out of it (pread).
            QVERIFY(store->save(path));
            auto loaded = EmbeddingStore::load(path, store->identity());
            QVERIFY2(loaded, qPrintable(loaded.error()));
            store.emplace(std::move(*loaded));
        }
        const auto found = NearDuplicateFinder(kThreshold).find(store->rows());
        QVERIFY(found);
        QCOMPARE(int(found->nearest.size()), items);

        // Exactly the planted groups, and no unrelated rows: larger groups first, then by
        // score (the exact copies at 1 before the slightly moved one).
        const std::vector<ItemSet> expected{p.groups[3], p.groups[2], p.groups[0], p.groups[1]};
        QCOMPARE(setsOf(found->groups), expected);
        QCOMPARE(found->duplicateItems(), 10);
        QVERIFY(std::abs(found->groups[2].score - 1.0f) < 1e-5f);
        QVERIFY(std::abs(found->groups[1].score - 0.985f) < 1e-3f); // the chain's best link
        QVERIFY(std::abs(found->groups[3].score - 0.995f) < 1e-3f);
        for (const DuplicateGroup &g : found->groups) QVERIFY(std::is_sorted(g.items.begin(), g.items.end()));

        // An item with a near-duplicate knows its nearest other item and the exact score
        // with it; the others have none.
        for (int i = 0; i < items; ++i) {
            const SearchHit nearest = found->nearest[size_t(i)];
            Eigen::VectorXf scores = p.rows * p.rows.row(i).transpose();
            scores[i] = -2;
            if (scores.maxCoeff() >= kThreshold) {
                QVERIFY(nearest.item >= 0 && nearest.item != i);
                QVERIFY(std::abs(nearest.score - scores.maxCoeff()) < 1e-4f);
            } else {
                QCOMPARE(nearest.item, -1);
            }
        }
        QCOMPARE(found->nearest[size_t(p.nearCopy)].item, p.nearCopyOf);
    }

    // The join misses no pair at or above its floor and invents none: the same as scoring
    // every pair, at floors where each row has no such pair, a few or hundreds; with small
    // tiles, so that most rows meet in tiles other than their own, and bounds from few axes.
    void joinGivesWhatAllPairsGive_data()
    {
        QTest::addColumn<float>("floor");
        QTest::addColumn<int>("dimensions");
        QTest::addColumn<int>("screenDimensions");
        QTest::newRow("floor 0.97, 8 of 16 axes") << 0.97f << 16 << 8;
        QTest::newRow("floor 0.9, 8 of 16 axes") << 0.9f << 16 << 8;
        QTest::newRow("floor 0.8, 4 of 32 axes") << 0.8f << 32 << 4;
        QTest::newRow("floor 0.5, all 64 axes") << 0.5f << 64 << 64;
        QTest::newRow("floor -1: every pair") << -1.0f << 16 << 8;
    }
    void joinGivesWhatAllPairsGive()
    {
        QFETCH(float, floor);
        QFETCH(int, dimensions);
        QFETCH(int, screenDimensions);
        const Planted p = plantedRows(2500);
        SimilarityJoin::Options options;
        options.dimensions = dimensions;
        options.screenDimensions = screenDimensions;
        options.rowsPerTile = 128;
        SimilarityJoin::Counts counts;
        const auto best = SimilarityJoin(floor, options).bestAboveFloor(viewOf(p.rows), {}, nullptr, &counts);
        QVERIFY(best);
        const std::vector<SearchHit> reference = bestAboveByAllPairs(p.rows, floor);
        int withPair = 0;
        for (size_t i = 0; i < reference.size(); ++i) {
            // Rows of equal score (the planted exact copies) may be told apart by rounding.
            QCOMPARE(best->at(i).item >= 0, reference[i].item >= 0);
            if (reference[i].item < 0) continue;
            ++withPair;
            QVERIFY(std::abs(best->at(i).score - reference[i].score) < 1e-5f);
            QVERIFY(std::abs(p.rows.row(i).dot(p.rows.row(best->at(i).item)) - reference[i].score) < 1e-5f);
        }
        qInfo("floor %.2f: %d of 2500 rows have a pair; %lld tile pairs compared, %lld skipped; %lld pairs bounded on "
              "all axes, %lld scored exactly, %lld found",
              double(floor), withPair, counts.tilePairs, counts.tilePairsSkipped, counts.screened, counts.candidates, counts.pairs);
        // Every tile pair is accounted for, and a pair is scored only after passing both bounds.
        QCOMPARE(counts.tilePairs + counts.tilePairsSkipped, qint64(20 * 21 / 2));
        QVERIFY(counts.pairs <= counts.candidates && counts.candidates <= counts.screened);
        if (floor >= 0.9f) QVERIFY(counts.candidates < qint64(2500) * 10); // not every pair
    }

    void thresholdIsRespected()
    {
        const Planted p = plantedRows(2000);
        const auto found = NearDuplicateFinder(kThreshold).find(viewOf(p.rows));
        QVERIFY(found);
        // The moved copy is 0.995 from its original: in at 0.99, out at 0.999.
        auto hasNearCopy = [&](float threshold) {
            for (const ItemSet &s : setsOf(NearDuplicateFinder::group(found->nearest, threshold)))
                if (s.count(p.nearCopy)) return s.count(p.nearCopyOf) == 1;
            return false;
        };
        QVERIFY(hasNearCopy(0.99f));
        QVERIFY(!hasNearCopy(0.999f));
        // At 0.99 the chain's links (0.985) are out too; at 1 only exact copies stay (their
        // cosine is 1 up to rounding: at most one unit in the last place under it).
        QCOMPARE(setsOf(NearDuplicateFinder::group(found->nearest, 0.99f)),
                 (std::vector<ItemSet>{p.groups[3], p.groups[0], p.groups[1]}));
        QCOMPARE(setsOf(NearDuplicateFinder::group(found->nearest, 0.99999f)), (std::vector<ItemSet>{p.groups[3], p.groups[0]}));
        QVERIFY(NearDuplicateFinder::group(found->nearest, 1.01f).empty());
        // Every link kept is at the threshold or above.
        for (const DuplicateGroup &g : NearDuplicateFinder::group(found->nearest, kThreshold))
            for (const int item : g.items) QVERIFY(found->nearest[size_t(item)].score >= kThreshold);
    }

    void groupingIsTransitiveAndOrdered()
    {
        // Links by hand: 0-1, 2->1 (one group of three), 3-4, 5 alone, 6->7 under the threshold.
        const std::vector<SearchHit> nearest{{1, 0.99f}, {0, 0.99f}, {1, 0.96f}, {4, 1.0f},
                                             {3, 1.0f},  {2, 0.5f},  {7, 0.9f},  {6, 0.9f}};
        const auto groups = NearDuplicateFinder::group(nearest, 0.95f);
        QCOMPARE(groups.size(), size_t(2));
        QCOMPARE(groups[0], (DuplicateGroup{{0, 1, 2}, 0.99f}));
        QCOMPARE(groups[1], (DuplicateGroup{{3, 4}, 1.0f}));
        // A catalog of one has no nearest item; none has no groups.
        QVERIFY(NearDuplicateFinder::group({SearchHit{}}, 0.5f).empty());
        const RowMatrix one = test::randomUnitRows(1, kColumns, 3);
        const auto alone = NearDuplicateFinder().find(viewOf(one));
        QVERIFY(alone && alone->groups.empty());
        QCOMPARE(alone->nearest.front().item, -1);
        const auto empty = NearDuplicateFinder().find(viewOf(RowMatrix(0, kColumns)));
        QVERIFY(empty && empty->nearest.empty() && empty->groups.empty());
    }

    // The GUI runs it off its thread and lets the user stop it: it reports progress on the
    // calling thread, and stops at the first slice of tiles after the flag is set.
    void reportsProgressAndCancels()
    {
        const int items = 10000; // 10 tiles: 55 tile pairs, reported 8 at a time
        const RowMatrix rows = test::structuredRows(items, kColumns, 5);
        const NearDuplicateFinder finder(kThreshold);
        std::vector<int> reports;
        const auto full = finder.find(viewOf(rows), [&](int done, int total) {
            QCOMPARE(total, items);
            QVERIFY(QThread::currentThread() == thread());
            reports.push_back(done);
        });
        QVERIFY(full);
        QVERIFY(reports.size() >= 3);
        QVERIFY(std::is_sorted(reports.begin(), reports.end()));
        QCOMPARE(reports.back(), items);

        std::atomic_bool cancel{false};
        int calls = 0;
        const auto stopped = finder.find(viewOf(rows), [&](int done, int) {
            ++calls;
            QVERIFY(done < items);
            cancel = true;
        }, &cancel);
        QVERIFY(!stopped);
        QCOMPARE(calls, 1);
        QVERIFY(!finder.find(viewOf(rows), {}, &cancel)); // set before it starts: no work at all
    }

    // The same result on every run and with any number of threads, to the bit.
    void sameResultWhateverTheThreads()
    {
        const Planted p = plantedRows(5000);
        const auto reference = NearDuplicateFinder(kThreshold).find(viewOf(p.rows));
        QVERIFY(reference);
        QThreadPool three;
        three.setMaxThreadCount(3);
        for (QThreadPool *pool : {&three, static_cast<QThreadPool *>(nullptr)}) { // null: the calling thread
            const auto again = NearDuplicateFinder(kThreshold, pool).find(viewOf(p.rows));
            QVERIFY(again);
            QVERIFY(again->nearest == reference->nearest);
            QVERIFY(again->groups == reference->groups);
        }
    }
};

QTEST_GUILESS_MAIN(TestNearDuplicates)
#include "tst_nearduplicates.moc"
