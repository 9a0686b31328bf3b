// The evaluation protocol on a case small enough to check by hand.
#include "Evaluator.h"
#include "ProjectionTuning.h"
#include "SearchSpace.h"
#include "TestSupport.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

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

Eigen::RowVectorXf axis(int dims, int i)
{
    Eigen::RowVectorXf v = Eigen::RowVectorXf::Zero(dims);
    v[i] = 1;
    return v;
}

// Items of `classes` classes, `perClass` each, around the first axes (class c on axis c),
// with Gaussian noise of about `spread` (norm) over the axes from noiseFrom to noiseTo.
struct Synthetic {
    int dims;
    std::vector<Eigen::RowVectorXf> rows;
    std::vector<QString> types;
    void addClasses(int classes, int perClass, float spread, int noiseFrom, int noiseTo, unsigned seed)
    {
        std::mt19937 random(seed);
        std::normal_distribution<float> normal(0.0f, spread / std::sqrt(float(noiseTo - noiseFrom)));
        for (int c = 0; c < classes; ++c)
            for (int i = 0; i < perClass; ++i) {
                Eigen::RowVectorXf v = axis(dims, c);
                for (int d = noiseFrom; d < noiseTo; ++d) v[d] += normal(random);
                add(v, QStringLiteral("C%1").arg(c));
            }
    }
    int add(const Eigen::RowVectorXf &v, const QString &type)
    {
        rows.push_back(v.normalized());
        types.push_back(type);
        return int(rows.size()) - 1;
    }
    EmbeddingStore store() const
    {
        RowMatrix m(Eigen::Index(rows.size()), dims);
        for (size_t i = 0; i < rows.size(); ++i) m.row(Eigen::Index(i)) = rows[i];
        return test::storeOf(m);
    }
    // styles.csv of the items (ids 0, 1, ... as test::storeOf names them), with more
    // columns from `extra` (header, then a value per item).
    StyleLabels labels(const QString &extraHeader = {}, const std::vector<QString> &extra = {}) const
    {
        QByteArray csv = "id,articleType";
        if (!extraHeader.isEmpty()) csv += ',' + extraHeader.toUtf8();
        csv += '\n';
        for (size_t i = 0; i < rows.size(); ++i) {
            csv += QByteArray::number(qulonglong(i)) + ',' + types[i].toUtf8();
            if (!extraHeader.isEmpty()) csv += ',' + extra[i].toUtf8();
            csv += '\n';
        }
        return *StyleLabels::parse(csv);
    }
};

const QString kArticleType = QStringLiteral("articleType");

Evaluator::FoldProjection noProjection()
{
    return [](int) { return Expected<std::shared_ptr<const DiscriminantProjection>>(nullptr); };
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
        const auto q = Evaluator::leaveOneOut(handMadeStore(), *labels, EmbeddingRecipe::seedRecipe(), 0, 2);
        QVERIFY2(q, qPrintable(q.error()));
        QCOMPARE(q->catalogItems, 6);
        QCOMPARE(q->queries, 5);
        QCOMPARE(q->pAtKArticleType, 0.8);
        QCOMPARE(q->pAtKArticleTypeColour, 0.4);
    }

    void unlabelledResultsCountAsMisses()
    {
        const auto labels = StyleLabels::parse(kStyles);
        // k = 5 reaches every other item, including the unlabelled u1:
        // t-shirts: 2 same type of 5; jeans: 1 of 5 -> (2+2+2+1+1) / 25.
        const auto q = Evaluator::leaveOneOut(handMadeStore(), *labels, EmbeddingRecipe::seedRecipe(), 0, 5);
        QVERIFY2(q, qPrintable(q.error()));
        QCOMPARE(q->pAtKArticleType, 8.0 / 25.0);
    }

    // Siblings by name (one articleType, the same first two words) and by embedding (cosine
    // of at least 0.9) share a fold, whatever their distance in the catalog's order; the
    // groups are dealt so that the folds stay balanced.
    void groupedFoldsKeepSiblingsTogether()
    {
        Synthetic data{16, {}, {}};
        data.addClasses(4, 10, 1.2f, 4, 16, 7);
        std::vector<QString> names(data.rows.size(), QStringLiteral("Brand%1 Line"));
        for (size_t i = 0; i < names.size(); ++i) names[i] = names[i].arg(i); // no two alike
        // Two of class C0, far apart in embedding and in order, named alike.
        names[0] = QStringLiteral("Puma Men Cat Black Tshirt");
        names[6] = QStringLiteral("Puma  men Cat Red Tshirt");
        // The same words on another articleType: not a sibling of those.
        names[11] = QStringLiteral("Puma Men Running Shoes");
        // A near-copy of item 20 (cosine above 0.9), added last.
        const int copy = data.add(data.rows[21] + 0.2f * axis(16, 15), QStringLiteral("C2"));
        names.push_back(QStringLiteral("Other Name"));
        QVERIFY(data.rows[21].dot(data.rows[size_t(copy)]) >= 0.9f);
        const EmbeddingStore store = data.store();
        const StyleLabels labels = data.labels(QStringLiteral("productDisplayName"), names);

        const auto folds = CrossValidationFolds::grouped(store, labels, kArticleType, 5);
        QVERIFY(folds);
        QCOMPARE(folds->folds(), 5);
        QCOMPARE(folds->groupOf(0), folds->groupOf(6));
        QCOMPARE(folds->foldOf(0), folds->foldOf(6));
        QVERIFY(folds->groupOf(11) != folds->groupOf(0));
        QCOMPARE(folds->groupOf(21), folds->groupOf(copy));
        QCOMPARE(folds->foldOf(21), folds->foldOf(copy));
        QCOMPARE(folds->groups(), store.size() - 2);
        for (int f = 0; f < 5; ++f) QVERIFY2(folds->itemsIn(f) >= 8 && folds->itemsIn(f) <= 9, qPrintable(QString::number(folds->itemsIn(f))));
        // The scheme it replaced splits both pairs.
        const auto byIndex = CrossValidationFolds::byIndex(store.size(), 5);
        QVERIFY(byIndex.foldOf(0) != byIndex.foldOf(6));
        QVERIFY(byIndex.foldOf(21) != byIndex.foldOf(copy));
        // The same catalog gives the same folds.
        const auto again = CrossValidationFolds::grouped(store, labels, kArticleType, 5);
        for (int i = 0; i < store.size(); ++i) QCOMPARE(again->foldOf(i), folds->foldOf(i));
    }

    // Two near-identical items labelled C0 sit among the items of C1. Split over folds (item
    // i in fold i mod 5), each is held out while the projection learns from the other where
    // "C0 over there" is, and its results fill with C0; grouped, they are held out together
    // and find their sibling, then C1 items. Every other query finds its own class either way.
    void plantedSiblingLeaksOnlyAcrossIndexFolds()
    {
        constexpr int kDims = 40;
        Synthetic data{kDims, {}, {}};
        data.addClasses(6, 12, 0.3f, 6, 36, 3);
        const Eigen::RowVectorXf place = 0.6f * axis(kDims, 1) + 0.8f * axis(kDims, 38);
        const int first = data.add(place + 0.02f * axis(kDims, 39), QStringLiteral("C0"));
        const int second = data.add(place - 0.02f * axis(kDims, 39), QStringLiteral("C0"));
        const EmbeddingStore store = data.store();
        const StyleLabels labels = data.labels();
        const auto recipe = *EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-lda1"));

        const auto grouped = CrossValidationFolds::grouped(store, labels, kArticleType, 5);
        const auto byIndex = CrossValidationFolds::byIndex(store.size(), 5);
        QCOMPARE(grouped->foldOf(first), grouped->foldOf(second));
        QVERIFY(byIndex.foldOf(first) != byIndex.foldOf(second));
        const auto honest = Evaluator::heldOut(store, labels, recipe, *grouped,
                                               Evaluator::fittedOnTrainingFolds(store, labels, kArticleType, *grouped));
        const auto leaked = Evaluator::heldOut(store, labels, recipe, byIndex,
                                               Evaluator::fittedOnTrainingFolds(store, labels, kArticleType, byIndex));
        QVERIFY2(honest && leaked, qPrintable(honest.error() + leaked.error()));
        QCOMPARE(honest->folds, 5);
        QCOMPARE(honest->queries, 74);
        // 72 queries with 5 hits; each planted one with 1 (its sibling).
        const double results = 74.0 * kProtocolK;
        QCOMPARE(honest->pAtKArticleType, (72.0 * kProtocolK + 2) / results);
        QVERIFY2(leaked->pAtKArticleType * results >= 72.0 * kProtocolK + 6,
                 qPrintable(QString::number(leaked->pAtKArticleType * results)));
    }

    // A held-out query q (C0) is the only near neighbour of three C0 items (cosine 0.5):
    // built over every item, augmentation mixes q into their rows (0.5^3 of it), which then
    // score 0.6 with q, ahead of five C1 items at 0.55. The fold's space must leave q out of
    // other rows: its results are then those of a catalog augmented without q (worked out
    // here from the definition, SearchSpace::augment), the C1 items; and so for every query
    // when each item is its own fold.
    void heldOutQueryStaysOutOfAugmentedRows()
    {
        constexpr int kDims = 10;
        Synthetic data{kDims, {}, {}};
        const int q = data.add(axis(kDims, 0), QStringLiteral("C0"));
        for (int t = 1; t <= 3; ++t) data.add(0.5f * axis(kDims, 0) + 0.866f * axis(kDims, t), QStringLiteral("C0"));
        for (int b = 0; b < 5; ++b)
            data.add(0.55f * axis(kDims, 0) + 0.835f * axis(kDims, 4) + 0.05f * axis(kDims, 5 + b), QStringLiteral("C1"));
        const EmbeddingStore store = data.store();
        const StyleLabels labels = data.labels();
        const auto recipe = *EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-dba5"));
        const int n = store.size();

        // By the definition: q against the other items augmented among themselves.
        const auto referenceTop = [&](int query, int k) {
            RowMatrix others(n - 1, kDims);
            std::vector<int> itemOf;
            for (int i = 0; i < n; ++i)
                if (i != query) {
                    others.row(Eigen::Index(itemOf.size())) = store.vector(i);
                    itemOf.push_back(i);
                }
            const RowMatrix augmented = SearchSpace::augment(RowMatrixView(others.data(), others.rows(), others.cols()),
                                                             recipe.augmentNeighbours, EmbeddingRecipe::kNeighbourPower, nullptr);
            const Eigen::VectorXf scores = augmented * store.vector(query).transpose();
            TopK top(k);
            for (int r = 0; r < int(scores.size()); ++r) top.offer(itemOf[size_t(r)], scores[r]);
            return top.take();
        };
        std::vector<char> withoutQ(size_t(n), 1);
        withoutQ[size_t(q)] = 0;
        const SearchSpace masked(store, recipe, {}, pools::search(), SearchSpace::Speed::Quick, nullptr, &withoutQ);
        const SearchSpace everything(store, recipe, {}, pools::search(), SearchSpace::Speed::Quick);
        const RowMatrix query = masked.itemQuery(q);
        const auto honest = masked.searchMany(query, 3, {q}).front();
        const auto leaky = everything.searchMany(query, 3, {q}).front();
        const auto reference = referenceTop(q, 3);
        QCOMPARE(honest.size(), reference.size());
        for (size_t r = 0; r < reference.size(); ++r) {
            QCOMPARE(honest[r].item, reference[r].item);
            QVERIFY(std::abs(honest[r].score - reference[r].score) < 1e-5f);
        }
        for (const SearchHit &hit : honest) QCOMPARE(data.types[size_t(hit.item)], QStringLiteral("C1"));
        for (const SearchHit &hit : leaky) QCOMPARE(data.types[size_t(hit.item)], QStringLiteral("C0")); // the leak is real

        // Through the evaluation, every item its own fold: each query as by the definition.
        const auto folds = CrossValidationFolds::byIndex(n, n);
        const auto measured = Evaluator::heldOut(store, labels, recipe, folds, noProjection(), {3, nullptr, {}, nullptr});
        QVERIFY2(measured, qPrintable(measured.error()));
        double hits = 0;
        for (int i = 0; i < n; ++i)
            for (const SearchHit &hit : referenceTop(i, 3)) hits += data.types[size_t(hit.item)] == data.types[size_t(i)] ? 1 : 0;
        QCOMPARE(measured->folds, n);
        QCOMPARE(measured->pAtKArticleType, hits / (3.0 * n));
        const auto overAll = Evaluator::leaveOneOut(store, labels, recipe, 0, 3);
        QVERIFY(overAll->pAtKArticleType > measured->pAtKArticleType);
    }

    // A projection that records its training files' contents is recognised in a catalog
    // holding one of them under another name, and not in one that only reuses a name; one
    // that records only names (older files, the built-in one) is matched by name.
    void trainingOverlapIsFoundByContent()
    {
        const QStringList photos = test::firstCatalogImages(4);
        QTemporaryDir trained, catalog;
        QVERIFY(test::copyCatalogImages(photos, trained.path()));
        // The catalog: 0.jpg is the trained photos[0] renamed, 1.jpg and 2.jpg are others.
        const QString source = test::sharedCatalogDir() + QStringLiteral("/images/");
        QVERIFY(QFile::copy(source + photos[0], catalog.filePath(QStringLiteral("0.jpg"))));
        QVERIFY(QFile::copy(source + photos[2], catalog.filePath(QStringLiteral("1.jpg"))));
        QVERIFY(QFile::copy(source + photos[3], catalog.filePath(QStringLiteral("2.jpg"))));
        const EmbeddingStore store = test::storeOf(test::randomUnitRows(3, 8, 1));
        const auto contentOf = [](const QString &path) {
            return QJsonObject{{QStringLiteral("bytes"), QFileInfo(path).size()}, {QStringLiteral("xxh3"), fileContentHash(path)}};
        };
        QCOMPARE(fileContentHash(trained.filePath(photos[0])).size(), 16);
        QCOMPARE(fileContentHash(trained.filePath(photos[0])), fileContentHash(catalog.filePath(QStringLiteral("0.jpg"))));
        QVERIFY(fileContentHash(trained.filePath(photos[0])) != fileContentHash(trained.filePath(photos[1])));
        QVERIFY(fileContentHash(catalog.filePath(QStringLiteral("missing.jpg"))).isEmpty());

        DiscriminantProjection byContent = *DiscriminantProjection::fit(
            RowMatrixView(test::randomUnitRows(6, 8, 2).data(), 6, 8), {0, 0, 0, 1, 1, 1});
        const auto lda = *EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-lda1"));
        // Trained on photos[0] (named photos[0]) and on photos[1] named "2.jpg".
        byContent.setProvenance({{QStringLiteral("fitted_on_files"), QJsonArray{photos[0], QStringLiteral("2.jpg")}},
                                 {QStringLiteral("fitted_on_contents"),
                                  QJsonArray{contentOf(trained.filePath(photos[0])), contentOf(trained.filePath(photos[1]))}}});
        QVERIFY(sharesTrainingItems(store, catalog.path(), byContent));
        QCOMPARE(Evaluator::foldsNeeded(store, lda, catalog.path(), byContent), kCrossValidationFolds);
        QCOMPARE(Evaluator::foldsNeeded(store, EmbeddingRecipe::seedRecipe(), catalog.path(), byContent), 0); // nothing learned
        // Without the renamed copy, only the name 2.jpg is shared: no overlap.
        QVERIFY(QFile::remove(catalog.filePath(QStringLiteral("0.jpg"))));
        QVERIFY(QFile::copy(source + photos[3], catalog.filePath(QStringLiteral("0.jpg"))));
        QVERIFY(!sharesTrainingItems(store, catalog.path(), byContent));
        QCOMPARE(Evaluator::foldsNeeded(store, lda, catalog.path(), byContent), 0);

        // Names only: 2.jpg matches by name whatever its bytes.
        DiscriminantProjection byName = byContent;
        byName.setProvenance({{QStringLiteral("fitted_on_files"), QJsonArray{QStringLiteral("2.jpg")}}});
        QCOMPARE(Evaluator::foldsNeeded(store, lda, catalog.path(), byName), kCrossValidationFolds);
        byName.setProvenance({{QStringLiteral("fitted_on_files"), QJsonArray{QStringLiteral("7.jpg")}}});
        QCOMPARE(Evaluator::foldsNeeded(store, lda, catalog.path(), byName), 0);
    }

    // A fold whose training folds hold one class cannot be fitted, and a fold without a
    // labelled item cannot be measured: both are refused with the fold and the counts.
    void foldsThatCannotBeMeasuredAreRefused()
    {
        Synthetic data{8, {}, {}};
        data.addClasses(2, 5, 0.5f, 2, 8, 5); // items 0-4 C0, 5-9 C1
        const auto lda = *EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-lda1"));
        const auto folds = CrossValidationFolds::byIndex(10, 5); // fold f: items f and f + 5
        // Only items 0 and 5 (fold 1) are of C1: the other folds hold C0 alone.
        data.types.assign(10, QStringLiteral("C0"));
        data.types[0] = data.types[5] = QStringLiteral("C1");
        EmbeddingStore store = data.store();
        StyleLabels labels = data.labels();
        auto refused = Evaluator::heldOut(store, labels, lda, folds, Evaluator::fittedOnTrainingFolds(store, labels, kArticleType, folds));
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("fold 1 of 5 cannot be fitted")), qPrintable(refused.error()));
        QVERIFY2(refused.error().contains(QStringLiteral("8 items labelled by articleType, in 1 class")), qPrintable(refused.error()));

        // Items 2 and 7 (fold 3) have no articleType.
        data.types.assign(10, QStringLiteral("C0"));
        for (int i : {1, 4, 6, 9}) data.types[size_t(i)] = QStringLiteral("C1");
        data.types[2] = data.types[7] = QString();
        labels = data.labels();
        refused = Evaluator::heldOut(store, labels, lda, folds, Evaluator::fittedOnTrainingFolds(store, labels, kArticleType, folds));
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("fold 3 of 5 cannot be measured: none of its 2 items has an articleType")),
                 qPrintable(refused.error()));

        // Through leaveOneOut's grouped folds: the C1 items are siblings by name, so they
        // share a fold, whose training folds then hold C0 only.
        data.types.assign(10, QStringLiteral("C0"));
        std::vector<QString> names(10);
        for (int i = 0; i < 10; ++i) names[size_t(i)] = QStringLiteral("Maker%1 Line").arg(i);
        for (int i : {0, 3, 6}) {
            data.types[size_t(i)] = QStringLiteral("C1");
            names[size_t(i)] = QStringLiteral("Same Maker model %1").arg(i);
        }
        labels = data.labels(QStringLiteral("productDisplayName"), names);
        const auto viaLeaveOneOut = Evaluator::leaveOneOut(store, labels, lda, 5);
        QVERIFY(!viaLeaveOneOut);
        QVERIFY2(viaLeaveOneOut.error().contains(QStringLiteral("cannot be fitted")) &&
                     viaLeaveOneOut.error().contains(QStringLiteral("in 1 class")),
                 qPrintable(viaLeaveOneOut.error()));
        QVERIFY(Evaluator::leaveOneOut(store, labels, lda, 0)); // nothing to fit: measured
    }

    // "Tune to my catalog" on a catalog whose articleTypes lie along axes weaker than a
    // variation of another kind (six "styles"): the network's rows rank by style (0.4: an
    // item's two siblings, then its style), a projection fitted on articleType finds the
    // types (above 0.9), and wins on the held-out folds. (The
    // built-in projection takes another dimension, so here it is left out, as the product
    // would.) What it was fitted on is recorded by content: a copy under another name is
    // recognised. A projection fitted on a column unrelated to the types does not win.
    void tuneProjectionWinsOnlyWhenItsOwnIsBetter()
    {
        constexpr int kDims = 16;
        Synthetic data{kDims, {}, {}};
        std::mt19937 random(11);
        std::normal_distribution<float> noise(0.0f, 0.05f);
        for (int i = 0; i < 90; ++i) {
            Eigen::RowVectorXf v = 0.5f * axis(kDims, i % 5) + 0.7f * axis(kDims, 8 + (i / 5) % 6);
            for (int d = 0; d < kDims; ++d) v[d] += noise(random);
            data.add(v, QStringLiteral("T%1").arg(i % 5));
        }
        const EmbeddingStore store = data.store();
        std::vector<QString> unrelated;
        for (int i = 0; i < store.size(); ++i) unrelated.push_back(QStringLiteral("S%1").arg((i * 7 + 3) % 4));
        const StyleLabels labels = data.labels(QStringLiteral("season"), unrelated);
        QTemporaryDir catalog;
        for (int i = 0; i < store.size(); ++i) { // files with bytes of their own
            QFile file(catalog.filePath(QStringLiteral("%1.jpg").arg(i)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray("item ") + QByteArray::number(i));
        }
        const auto recipe = *EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-lda1-dba3"));
        std::vector<std::pair<int, int>> steps;
        const auto tuned = tuneProjection(store, labels, recipe, {kArticleType, catalog.path(), QStringLiteral("test"), 5},
                                          [&](int done, int total) { steps.emplace_back(done, total); });
        QVERIFY2(tuned, qPrintable(tuned.error()));
        QCOMPARE(tuned->folds, 5);
        QVERIFY(tuned->groups >= 5);
        QVERIFY(!tuned->builtInRefitted);
        QCOMPARE(tuned->decidingFigure, QStringLiteral("articleType"));
        QVERIFY2(tuned->builtIn.pAtKArticleType < 0.45 && tuned->own.pAtKArticleType > 0.9,
                 qPrintable(QStringLiteral("%1 -> %2").arg(tuned->builtIn.pAtKArticleType).arg(tuned->own.pAtKArticleType)));
        QVERIFY(tuned->ownWins());
        QCOMPARE(steps.back(), std::make_pair(12, 12));
        QVERIFY(std::is_sorted(steps.begin(), steps.end()));

        const QJsonObject provenance = tuned->projection->provenance();
        QCOMPARE(provenance.value(QStringLiteral("label_column")).toString(), kArticleType);
        QCOMPARE(provenance.value(QStringLiteral("items")).toInt(), 90);
        QCOMPARE(provenance.value(QStringLiteral("recipe")).toString(), QStringLiteral("squash-224-max"));
        QCOMPARE(provenance.value(QStringLiteral("command")).toString(), QStringLiteral("test"));
        QCOMPARE(provenance.value(QStringLiteral("fitted_on_contents")).toArray().size(), 90);
        QCOMPARE(provenance.value(QStringLiteral("held_out")).toObject().value(QStringLiteral("p_at_5_article_type")).toDouble(),
                 tuned->own.pAtKArticleType);
        QTemporaryDir elsewhere;
        const QString saved = elsewhere.filePath(QStringLiteral("mine.lbp"));
        QVERIFY(tuned->projection->save(saved));
        const auto loaded = DiscriminantProjection::load(saved);
        QVERIFY(loaded);
        const EmbeddingStore other = test::storeOf(test::randomUnitRows(2, kDims, 4)); // 0.jpg, 1.jpg
        QVERIFY(QFile::copy(catalog.filePath(QStringLiteral("41.jpg")), elsewhere.filePath(QStringLiteral("0.jpg"))));
        QVERIFY(sharesTrainingItems(other, elsewhere.path(), *loaded));
        QVERIFY(QFile::remove(elsewhere.filePath(QStringLiteral("0.jpg"))));
        QVERIFY(!sharesTrainingItems(other, elsewhere.path(), *loaded));

        const auto unrelatedFit = tuneProjection(store, labels, recipe, {QStringLiteral("season"), catalog.path(), {}, 5});
        QVERIFY2(unrelatedFit, qPrintable(unrelatedFit.error()));
        QVERIFY2(!unrelatedFit->ownWins(), qPrintable(QStringLiteral("%1 -> %2").arg(unrelatedFit->builtIn.pAtKArticleType)
                                                          .arg(unrelatedFit->own.pAtKArticleType)));
        QVERIFY(!tuneProjection(store, labels, EmbeddingRecipe::seedRecipe(), {}));          // nothing to tune
        QVERIFY(!tuneProjection(store, labels, recipe, {QStringLiteral("colour"), {}, {}, 5})); // no such column
        std::atomic_bool cancel{true};
        const auto cancelled = tuneProjection(store, labels, recipe, {}, {}, &cancel);
        QCOMPARE(cancelled.error(), QStringLiteral("cancelled"));
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
