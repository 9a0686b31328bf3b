// Database-side augmentation and query expansion, checked against their definitions
// computed the slow way.
#include "CacheFiles.h"
#include "SearchSpace.h"
#include "Searcher.h"
#include "SpaceRows.h"

#include "TestSupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

using namespace lookbook;

namespace {

// Indices of the k largest entries of `scores`, ties to the lower index, skipping `exclude`.
std::vector<Eigen::Index> topIndices(const Eigen::VectorXf &scores, int k, Eigen::Index exclude = -1)
{
    std::vector<Eigen::Index> order;
    for (Eigen::Index i = 0; i < scores.size(); ++i)
        if (i != exclude) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] > scores[b]; });
    order.resize(size_t(k));
    return order;
}

Eigen::RowVectorXf weightedSum(const RowMatrix &rows, const Eigen::VectorXf &scores, const std::vector<Eigen::Index> &top)
{
    Eigen::RowVectorXf sum = Eigen::RowVectorXf::Zero(rows.cols());
    for (Eigen::Index j : top) sum += std::pow(std::max(scores[j], 0.0f), 3.0f) * rows.row(j);
    return sum;
}

} // namespace

class TestSearchSpace : public QObject {
    Q_OBJECT
private slots:
    // A built space saved beside its cache reads back to the same searches. A saved space
    // for other rows, another recipe, or a damaged file is refused (the caller rebuilds).
    void savedSpaceServesItsOwnCacheOnly()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("c.lbi"));
        const RowMatrix rows = test::structuredRows(SearchSpace::kCoarseFromItems + 500, 48, 3);
        const EmbeddingStore original = test::storeOf(rows);
        QVERIFY(original.save(cache));
        auto store = EmbeddingStore::load(cache, original.identity());
        QVERIFY2(store, qPrintable(store.error()));
        EmbeddingRecipe recipe;
        recipe.augmentNeighbours = 5;
        recipe.expansionNeighbours = 3;
        const SearchSpace built(*store, recipe);
        QVERIFY(built.hasCoarseIndex());
        const QString saved = cacheFiles::spacePath(cache);
        QVERIFY(built.save(saved));

        auto loaded = SearchSpace::load(saved, *store, recipe);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QVERIFY((*loaded)->hasCoarseIndex());
        const RowMatrix queries = test::structuredRows(20, 48, 9);
        for (Eigen::Index q = 0; q < queries.rows(); ++q) QVERIFY((*loaded)->search(queries.row(q)) == built.search(queries.row(q)));
        QVERIFY((*loaded)->itemQuery(7) == built.itemQuery(7));

        auto refusal = [&](const EmbeddingStore &forStore, const EmbeddingRecipe &withRecipe) {
            auto attempt = SearchSpace::load(saved, forStore, withRecipe);
            return attempt ? QString() : attempt.error();
        };
        EmbeddingRecipe other = recipe;
        other.expansionNeighbours = 2;
        QCOMPARE(refusal(*store, other), QStringLiteral("the saved search space is of another recipe"));
        QVERIFY(refusal(original, recipe).contains(QStringLiteral("not those of its saved cache")));
        QVERIFY(!SearchSpace(original, EmbeddingRecipe{}).save(dir.filePath(QStringLiteral("memory.space"))));
        // The cache saved again with one row changed: other rows, so another checksum.
        EmbeddingStore changed = *store;
        changed.upsert({changed.items()[0]}, RowMatrix(rows.row(1)));
        const QString changedCache = dir.filePath(QStringLiteral("d.lbi"));
        QVERIFY(changed.save(changedCache));
        auto reloaded = EmbeddingStore::load(changedCache, original.identity());
        QVERIFY2(reloaded, qPrintable(reloaded.error()));
        QCOMPARE(refusal(*reloaded, recipe), QStringLiteral("the saved search space is of another store_checksum"));

        QFile file(saved);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        file.close();
        auto rewrite = [&](const QByteArray &content) {
            QFile out(saved);
            return out.open(QIODevice::WriteOnly | QIODevice::Truncate) && out.write(content) == content.size();
        };
        QByteArray flipped = bytes;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x10);
        QVERIFY(rewrite(flipped));
        QCOMPARE(refusal(*store, recipe), QStringLiteral("the saved search space is damaged (checksum mismatch)"));
        QVERIFY(rewrite(bytes.left(bytes.size() - 100)));
        QCOMPARE(refusal(*store, recipe), QStringLiteral("the saved search space is truncated"));
        QVERIFY(QFile::remove(saved));
        QCOMPARE(refusal(*store, recipe), QStringLiteral("no search space is saved"));

        // A one-shot command builds and saves it the first time, reads it back after.
        const auto first = SearchSpace::openOrBuild(saved, *store, recipe);
        QVERIFY(SearchSpace::load(saved, *store, recipe));
        QVERIFY(first->search(queries.row(0)) == built.search(queries.row(0)));
    }

    void augmentationFollowsItsDefinition()
    {
        const RowMatrix rows = test::randomUnitRows(300, 16, 7);
        const RowMatrix augmented = SearchSpace::augment(RowMatrixView(rows.data(), rows.rows(), rows.cols()), 5, 3.0f,
                                                         pools::search());
        for (Eigen::Index i = 0; i < rows.rows(); i += 37) {
            const Eigen::VectorXf scores = rows * rows.row(i).transpose();
            const auto top = topIndices(scores, 5);
            QCOMPARE(top.front(), i); // its own row is its nearest
            const Eigen::RowVectorXf expected = weightedSum(rows, scores, top).normalized();
            QVERIFY((augmented.row(i) - expected).cwiseAbs().maxCoeff() < 1e-5f);
        }
    }

    // The space's rows are never materialised in a search; scored implicitly they must equal
    // the projection's appended form, and after mixing the augmentation's definition.
    void implicitRowsScoreLikeTheirMaterialisedForm()
    {
        const RowMatrix base = test::randomUnitRows(300, 20, 12);
        std::vector<int> classes;
        for (int i = 0; i < 300; ++i) classes.push_back(i % 6);
        const auto projection = DiscriminantProjection::fit(RowMatrixView(base.data(), 300, 20), classes, {10, 4, 0.3f});
        QVERIFY2(projection, qPrintable(projection.error()));
        const RowMatrixView view(base.data(), 300, 20);
        const auto scales = DiscriminantProjection::scalesFor(0.7f);
        SpaceRows rows(view, projection->project(view), scales.embedding, scales.projected);
        const RowMatrix appended = projection->apply(view, 0.7f);
        QCOMPARE(rows.cols(), Eigen::Index(24));
        QVERIFY(rows.rowRange(0, 300).isApprox(appended));

        const SpaceRows appendedRows(RowMatrixView(appended.data(), 300, 24));
        const auto hits = Searcher(appendedRows).searchMany(appended, 4);
        rows.mixNeighbours(hits, 3.0f);
        const RowMatrix mixed = SearchSpace::augment(RowMatrixView(appended.data(), 300, 24), 4, 3.0f, pools::search());
        QVERIFY((rows.rowRange(0, 300) - mixed).cwiseAbs().maxCoeff() < 1e-5f);

        const Eigen::RowVectorXf query = test::randomUnitRows(1, 24, 13).row(0);
        const Eigen::VectorXf expected = mixed * query.transpose();
        const Eigen::VectorXf all = rows.scoreAll(query, pools::search());
        const Eigen::MatrixXf many = rows.scoreAll(RowMatrix(query));
        for (int i = 0; i < 300; i += 7) {
            QVERIFY(std::abs(all[i] - expected[i]) < 1e-5f);
            QVERIFY(std::abs(many(0, i) - expected[i]) < 1e-5f);
            QVERIFY((rows.row(i) - mixed.row(i)).cwiseAbs().maxCoeff() < 1e-5f);
        }
        // A shortlist's rows, gathered (repeats and any order): the same scores.
        const std::vector<int> shortlist{299, 3, 150, 3, 0};
        const std::vector<float> gathered = rows.scoreItems(shortlist, query);
        QCOMPARE(gathered.size(), shortlist.size());
        for (size_t i = 0; i < shortlist.size(); ++i) QVERIFY(std::abs(gathered[i] - expected[shortlist[i]]) < 1e-5f);
    }

    void withoutRefinementsItIsThePlainSearch()
    {
        const RowMatrix rows = test::randomUnitRows(500, 12, 8);
        const EmbeddingStore store = test::storeOf(rows);
        const SearchSpace space(store, EmbeddingRecipe::seedRecipe());
        const SpaceRows storeRows(store.vectors());
        const Searcher plain(storeRows);
        for (int q = 0; q < 500; q += 61) {
            QCOMPARE(space.itemQuery(q), Eigen::RowVectorXf(rows.row(q)));
            QCOMPARE(space.search(space.itemQuery(q), {5, q, nullptr}), plain.search(rows.row(q), {5, q, nullptr}));
        }
    }

    // DBA then alpha-QE, with a catalog item as the query (left out of its own results).
    void expansionFollowsItsDefinition()
    {
        const RowMatrix rows = test::randomUnitRows(400, 10, 9);
        const EmbeddingStore store = test::storeOf(rows);
        const auto recipe = EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-dba4-qe3"));
        const SearchSpace space(store, *recipe);
        const RowMatrix d = SearchSpace::augment(store.vectors(), 4, 3.0f, pools::search());
        RowMatrix queries(0, rows.cols());
        std::vector<int> items;
        for (int q = 0; q < 400; q += 53) {
            const Eigen::VectorXf first = d * rows.row(q).transpose();
            const Eigen::RowVectorXf expanded = (rows.row(q) + weightedSum(d, first, topIndices(first, 3, q))).normalized();
            const Eigen::VectorXf final = d * expanded.transpose();
            const auto expected = topIndices(final, 5, q);
            const auto hits = space.search(space.itemQuery(q), {5, q, nullptr});
            QCOMPARE(hits.size(), size_t(5));
            for (size_t r = 0; r < 5; ++r) QCOMPARE(Eigen::Index(hits[r].item), expected[r]);
            queries.conservativeResize(queries.rows() + 1, Eigen::NoChange);
            queries.row(queries.rows() - 1) = rows.row(q);
            items.push_back(q);
        }
        // The batched path gives the same answers (scores to rounding: products in another order).
        const auto many = space.searchMany(queries, 5, items);
        for (size_t i = 0; i < items.size(); ++i) {
            const auto one = space.search(queries.row(Eigen::Index(i)), {5, items[i], nullptr});
            for (size_t r = 0; r < 5; ++r) {
                QCOMPARE(many[i][r].item, one[r].item);
                QVERIFY(std::abs(many[i][r].score - one[r].score) < 1e-5f);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestSearchSpace)
#include "tst_searchspace.moc"
