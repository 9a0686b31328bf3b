// The learned projection: LDA must separate classes that differ only in a few directions
// hidden among noisier ones, its file must round-trip and damage must be refused.
#include "DiscriminantProjection.h"

#include <QtTest>

#include <random>

using namespace lookbook;

namespace {

constexpr int kClasses = 4;
constexpr int kPerClass = 60;
constexpr int kDims = 40;

// Unit rows: class c is a small offset along axis c, drowned in wide noise on all axes.
RowMatrix clusteredRows(std::vector<int> &classes, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    RowMatrix rows(kClasses * kPerClass, kDims);
    classes.clear();
    for (int c = 0; c < kClasses; ++c)
        for (int i = 0; i < kPerClass; ++i) {
            const Eigen::Index r = c * kPerClass + i;
            for (int d = 0; d < kDims; ++d) rows(r, d) = noise(rng) * (d < kClasses ? 0.3f : 1.0f);
            rows(r, c) += 1.5f;
            rows.row(r).normalize();
            classes.push_back(c);
        }
    return rows;
}

// Share of rows whose nearest other row (by dot product) has the same class.
double nearestNeighbourAgreement(const RowMatrix &rows, const std::vector<int> &classes)
{
    const Eigen::MatrixXf s = rows * rows.transpose();
    int agree = 0;
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        Eigen::Index best = -1;
        for (Eigen::Index j = 0; j < s.cols(); ++j)
            if (j != i && (best < 0 || s(i, j) > s(i, best))) best = j;
        agree += classes[size_t(best)] == classes[size_t(i)] ? 1 : 0;
    }
    return double(agree) / double(s.rows());
}

RowMatrixView view(const RowMatrix &m) { return RowMatrixView(m.data(), m.rows(), m.cols()); }

} // namespace

class TestDiscriminantProjection : public QObject {
    Q_OBJECT
private slots:
    // Fitted on one sample, it must help on a fresh sample of the same classes.
    void separatesClassesItWasNotFittedOn()
    {
        std::vector<int> trainClasses, testClasses;
        const RowMatrix train = clusteredRows(trainClasses, 1);
        const RowMatrix test = clusteredRows(testClasses, 2);
        const auto projection = DiscriminantProjection::fit(view(train), trainClasses, {kDims, kClasses - 1, 0.3f});
        QVERIFY2(projection, qPrintable(projection.error()));
        QCOMPARE(projection->inputDimension(), kDims);
        QCOMPARE(projection->outputDimension(), kClasses - 1);
        const double before = nearestNeighbourAgreement(test, testClasses);
        const RowMatrix projected = projection->apply(view(test), 1.0f);
        const double after = nearestNeighbourAgreement(projected, testClasses);
        qInfo("nearest-neighbour class agreement on unseen rows: %.3f raw, %.3f with the projection", before, after);
        QVERIFY(after > before + 0.2);
    }

    // With fewer items than dimensions the principal axes come from the items' Gram matrix:
    // the same projection as the covariance route gives. Every item twice leaves the
    // covariance and the scatters as they are and takes the covariance route.
    void fewerItemsThanDimensionsFitTheSameProjection()
    {
        std::vector<int> all;
        const RowMatrix rows = clusteredRows(all, 3);
        RowMatrix few(8 * kClasses, kDims), twice(16 * kClasses, kDims);
        std::vector<int> fewClasses, twiceClasses;
        for (int c = 0; c < kClasses; ++c)
            for (int i = 0; i < 8; ++i) {
                const Eigen::Index r = c * 8 + i;
                few.row(r) = twice.row(r) = twice.row(r + 8 * kClasses) = rows.row(c * kPerClass + i);
                fewClasses.push_back(c);
            }
        twiceClasses = fewClasses;
        twiceClasses.insert(twiceClasses.end(), fewClasses.begin(), fewClasses.end());
        DiscriminantFitOptions options;
        options.pcaDimensions = 20;
        options.outputDimensions = kClasses - 1;
        const auto gram = DiscriminantProjection::fit(view(few), fewClasses, options);
        const auto covariance = DiscriminantProjection::fit(view(twice), twiceClasses, options);
        QVERIFY(gram && covariance);
        // Compared through what searches use, dot products of projected rows: the axes' signs are free.
        const RowMatrix a = gram->project(view(rows)), b = covariance->project(view(rows));
        const float largest = (a * a.transpose() - b * b.transpose()).cwiseAbs().maxCoeff();
        QVERIFY2(largest < 1e-3f, qPrintable(QString::number(largest)));
    }

    void applyAppendsAUnitBlockAtItsWeight()
    {
        std::vector<int> classes;
        const RowMatrix rows = clusteredRows(classes, 3);
        const auto projection = DiscriminantProjection::fit(view(rows), classes, {20, 3, 0.3f});
        QVERIFY(projection);
        const RowMatrix out = projection->apply(view(rows), 0.5f);
        QCOMPARE(out.cols(), kDims + 3);
        const float scale = 1.0f / std::sqrt(1.25f);
        for (Eigen::Index r = 0; r < out.rows(); ++r) {
            QVERIFY(std::abs(out.row(r).norm() - 1.0f) < 1e-5f);
            QVERIFY((out.row(r).head(kDims) - rows.row(r) * scale).cwiseAbs().maxCoeff() < 1e-6f);
        }
    }

    // Unlabelled rows (-1) take no part in the fit.
    void unlabelledRowsAreLeftOut()
    {
        std::vector<int> classes;
        const RowMatrix rows = clusteredRows(classes, 4);
        std::vector<int> partial = classes;
        for (size_t i = 0; i < partial.size(); i += 2) partial[i] = -1;
        const auto projection = DiscriminantProjection::fit(view(rows), partial, {20, 3, 0.3f});
        QVERIFY(projection);
        QCOMPARE(projection->provenance().value(QStringLiteral("items")).toInt(), int(rows.rows() / 2));
        QCOMPARE(projection->provenance().value(QStringLiteral("classes")).toInt(), kClasses);
    }

    // Repeated labels share one id; empty ones are unlabelled.
    void classIdsFromLabels()
    {
        const std::vector<QString> labels{QStringLiteral("Tshirts"), QStringLiteral("Jeans"), QString(),
                                          QStringLiteral("Tshirts"), QStringLiteral("Watches"), QStringLiteral("Jeans")};
        QCOMPARE(DiscriminantProjection::classIds(labels), (std::vector<int>{0, 1, -1, 0, 2, 1}));
    }

    void needsTwoClasses()
    {
        std::vector<int> classes;
        const RowMatrix rows = clusteredRows(classes, 5);
        const auto projection = DiscriminantProjection::fit(view(rows), std::vector<int>(classes.size(), 0));
        QVERIFY(!projection);
        QVERIFY2(projection.error().contains(QStringLiteral("two classes")), qPrintable(projection.error()));
    }

    void fileRoundTripAndDamage()
    {
        std::vector<int> classes;
        const RowMatrix rows = clusteredRows(classes, 6);
        auto projection = DiscriminantProjection::fit(view(rows), classes, {20, 3, 0.3f});
        QVERIFY(projection);
        projection->setProvenance(QJsonObject{{QStringLiteral("label_column"), QStringLiteral("articleType")}});
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.lbp"));
        QVERIFY(projection->save(path));
        const auto loaded = DiscriminantProjection::load(path);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(loaded->provenance().value(QStringLiteral("label_column")).toString(), QStringLiteral("articleType"));
        QCOMPARE(loaded->apply(view(rows), 1.0f), projection->apply(view(rows), 1.0f));

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        file.close();
        QByteArray flipped = bytes;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x10);
        QVERIFY(DiscriminantProjection::fromBytes(flipped).error().contains(QStringLiteral("damaged")));
        QVERIFY(!DiscriminantProjection::fromBytes(bytes.left(bytes.size() - 9)));
        QVERIFY(DiscriminantProjection::fromBytes(QByteArray("not a projection")).error().contains(QStringLiteral("not a Lookbook")));
        QVERIFY(!DiscriminantProjection::load(dir.filePath(QStringLiteral("missing.lbp"))));
    }

    // The shipped projection reads and fits the default recipe's stored embeddings.
    void builtInProjectionMatchesTheDefaultRecipe()
    {
        const DiscriminantProjection &p = DiscriminantProjection::builtIn();
        QCOMPARE(p.inputDimension(), 2048 + 1000);
        QVERIFY(p.outputDimension() > 0);
        QCOMPARE(p.provenance().value(QStringLiteral("label_column")).toString(), QStringLiteral("articleType"));
        QVERIFY(p.provenance().value(QStringLiteral("fitted_on_files")).toArray().size() > 1000);
    }
};

QTEST_GUILESS_MAIN(TestDiscriminantProjection)
#include "tst_discriminantprojection.moc"
