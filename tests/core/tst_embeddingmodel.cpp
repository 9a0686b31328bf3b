// The network path: embeddings must match an independent reference computed by another
// route (tests/data/golden, Python + numpy preprocessing, batch of one), batching must not
// change them, and a missing or wrong model must be explained.
#include "EmbeddingModel.h"
#include "ImageLoader.h"
#include "ResourceLocator.h"
#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace lookbook;

class TestEmbeddingModel : public QObject {
    Q_OBJECT
private slots:
    void matchesIndependentReference_data()
    {
        QTest::addColumn<QString>("recipeId");
        for (const QString &id : test::goldenEmbeddings().recipes.keys()) QTest::newRow(qPrintable(id)) << id;
    }
    void matchesIndependentReference()
    {
        QFETCH(QString, recipeId);
        const test::GoldenEmbeddings golden = test::goldenEmbeddings();
        QStringList paths;
        for (const QString &rel : golden.images) paths << test::sharedDir() + u'/' + rel;
        const auto recipe = EmbeddingRecipe::fromId(recipeId);
        QVERIFY(recipe);
        const RowMatrix embeddings = test::sharedModel()->embed(test::loadImages(paths), *recipe);
        test::compareWithGolden(embeddings, golden.recipes.value(recipeId).toArray(), golden.images);
    }

    // The default recipe as the product runs it: catalog files as catalog items (squashed
    // to 288, the class probabilities blended in) and street photos as outside photos, the
    // query path (its qcrop224 part: centre crop at 224), each against the reference.
    void defaultRecipeMatchesIndependentReference_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<int>("imageRole");
        QTest::newRow("catalog items") << QStringLiteral("catalog") << int(ImageRole::CatalogItem);
        QTest::newRow("outside photos") << QStringLiteral("outside") << int(ImageRole::OutsidePhoto);
    }
    void defaultRecipeMatchesIndependentReference()
    {
        QFETCH(QString, role);
        QFETCH(int, imageRole);
        const test::GoldenEmbeddings golden = test::goldenEmbeddings();
        // The reference is of the default's parts that shape embeddings (the projection and
        // colour act at search time): a new default needs a new reference.
        EmbeddingRecipe embeddingParts = EmbeddingRecipe::defaultRecipe();
        embeddingParts.projectionWeight = 0;
        embeddingParts.colourWeight = 0;
        embeddingParts.augmentNeighbours = 0;
        embeddingParts.expansionNeighbours = 0;
        QCOMPARE(embeddingParts.id(), golden.pathsRecipe);
        const QJsonObject path = golden.paths.value(role).toObject();
        QStringList files, names;
        for (const auto &index : path.value(QStringLiteral("images")).toArray()) {
            names << golden.images.value(index.toInt());
            files << test::sharedDir() + u'/' + names.last();
        }
        QVERIFY(!files.isEmpty());
        const RowMatrix embeddings =
            test::sharedModel()->embed(test::loadImages(files), EmbeddingRecipe::defaultRecipe(), ImageRole(imageRole));
        QCOMPARE(embeddings.cols(), 2048 + 1000);
        test::compareWithGolden(embeddings, path.value(QStringLiteral("embeddings")).toArray(), names);
    }

    void batchAgreesWithSingleImages()
    {
        QStringList paths;
        for (const QString &name : test::firstCatalogImages(7))
            paths << test::sharedCatalogDir() + QStringLiteral("/images/") + name;
        const std::vector<cv::Mat> images = test::loadImages(paths);
        const EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
        const RowMatrix batch = test::sharedModel()->embed(images, recipe);
        for (size_t i = 0; i < images.size(); ++i) {
            const RowMatrix single = test::sharedModel()->embed({images[i]}, recipe);
            QVERIFY2((batch.row(Eigen::Index(i)) - single.row(0)).cwiseAbs().maxCoeff() < 1e-5f, qPrintable(paths[int(i)]));
        }
    }

    void embeddingsAreUnitLength()
    {
        const RowMatrix e = test::sharedModel()->embed(
            test::loadImages({test::sharedCatalogDir() + QStringLiteral("/images/") + test::firstCatalogImages(1).first()}),
            EmbeddingRecipe::seedRecipe());
        QCOMPARE(e.cols(), 2048);
        QVERIFY(std::abs(e.row(0).norm() - 1.0f) < 1e-5f);
    }

    // The class blend appends L2(sqrt(prob)) at its weight to the pooled map from the same
    // forward pass: the first block is the plain recipe's embedding, scaled.
    void classBlendAppendsTheClassProbabilities()
    {
        const auto images = test::loadImages({test::sharedCatalogDir() + QStringLiteral("/images/") + test::firstCatalogImages(2).first(),
                                              test::firstStreetPhoto(QStringLiteral("shoes"))});
        const auto plain = EmbeddingRecipe::fromId(QStringLiteral("squash-224-max"));
        const auto blended = EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-cls0.2"));
        const RowMatrix a = test::sharedModel()->embed(images, *plain);
        const RowMatrix b = test::sharedModel()->embed(images, *blended);
        QCOMPARE(b.cols(), 2048 + 1000);
        QCOMPARE(test::sharedModel()->dimension(*blended), 3048);
        const float scale = std::sqrt(1.0f + 0.2f * 0.2f);
        for (Eigen::Index r = 0; r < b.rows(); ++r) {
            QVERIFY(std::abs(b.row(r).norm() - 1.0f) < 1e-5f);
            QVERIFY((b.row(r).head(2048) * scale - a.row(r)).cwiseAbs().maxCoeff() < 1e-5f);
            QVERIFY(std::abs(b.row(r).tail(1000).norm() * scale - 0.2f) < 1e-5f);
            QVERIFY(b.row(r).tail(1000).minCoeff() >= 0.0f);
        }
        // Two different pictures have different class profiles.
        QVERIFY(b.row(0).tail(1000).dot(b.row(1).tail(1000)) < 0.2f * 0.2f / (scale * scale) * 0.99f);
    }

    // A photo from outside the catalog is fitted as the recipe's q part says.
    void outsidePhotosUseTheirOwnFit()
    {
        const auto images = test::loadImages({test::firstStreetPhoto(QStringLiteral("shoes"))});
        const auto recipe = EmbeddingRecipe::fromId(QStringLiteral("squash-288-max-qcrop224"));
        const RowMatrix outside = test::sharedModel()->embed(images, *recipe, ImageRole::OutsidePhoto);
        const RowMatrix crop = test::sharedModel()->embed(images, *EmbeddingRecipe::fromId(QStringLiteral("crop-224-max")));
        const RowMatrix item = test::sharedModel()->embed(images, *recipe, ImageRole::CatalogItem);
        const RowMatrix squash288 = test::sharedModel()->embed(images, *EmbeddingRecipe::fromId(QStringLiteral("squash-288-max")));
        QVERIFY((outside - crop).cwiseAbs().maxCoeff() < 1e-6f);
        QVERIFY((item - squash288).cwiseAbs().maxCoeff() < 1e-6f);
        QVERIFY((outside - item).cwiseAbs().maxCoeff() > 1e-3f);
    }

    void emptyBatchGivesNoRows() { QCOMPARE(test::sharedModel()->embed({}, EmbeddingRecipe::defaultRecipe()).rows(), 0); }

    void fitToInputGeometry_data()
    {
        QTest::addColumn<QString>("recipeId");
        QTest::addColumn<int>("whiteColumnsLeft"); // for a 60x80 black image
        QTest::newRow("squash fills the square") << QStringLiteral("squash-224-max") << 0;
        QTest::newRow("pad keeps aspect on white") << QStringLiteral("pad-224-max") << 28;
        QTest::newRow("crop fills the square") << QStringLiteral("crop-224-max") << 0;
    }
    void fitToInputGeometry()
    {
        QFETCH(QString, recipeId);
        QFETCH(int, whiteColumnsLeft);
        const cv::Mat black(80, 60, CV_8UC3, cv::Scalar(0, 0, 0));
        const cv::Mat fitted = EmbeddingModel::fitToInput(black, EmbeddingRecipe::fromId(recipeId)->fitFor(ImageRole::CatalogItem));
        QCOMPARE(fitted.cols, 224);
        QCOMPARE(fitted.rows, 224);
        int white = 0;
        while (white < fitted.cols && fitted.at<cv::Vec3b>(112, white) == cv::Vec3b(255, 255, 255)) ++white;
        QCOMPARE(white, whiteColumnsLeft);
    }

    void wrongChecksumIsRefusedWithTheReason()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("resnet50_keras_imagenet.onnx"));
        QFile fake(path);
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("this is not the model");
        fake.close();
        const auto loaded = EmbeddingModel::load(path, ModelDescriptor::builtIn());
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().contains(QString::fromLatin1(ModelDescriptor::builtIn().sha256Hex)), qPrintable(loaded.error()));
        QVERIFY2(loaded.error().contains(path), qPrintable(loaded.error()));
    }

    void missingFileIsExplained()
    {
        const auto loaded = EmbeddingModel::load(QStringLiteral("/nonexistent/model.onnx"), ModelDescriptor::builtIn());
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().contains(QStringLiteral("model.onnx")), qPrintable(loaded.error()));
    }

    void namedPathIsTheOnlyPlaceTried()
    {
        QTemporaryDir empty;
        const ModelLookup lookup = ResourceLocator::findModel(ModelDescriptor::builtIn(), empty.path());
        QVERIFY(lookup.path.isEmpty()); // no silent fallback to the shared model
        QCOMPARE(lookup.tried, QStringList{QDir::cleanPath(empty.path() + QStringLiteral("/resnet50_keras_imagenet.onnx"))});
        const QString text = lookup.explanation();
        QVERIFY2(text.contains(lookup.tried.first()), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("LOOKBOOK_MODEL")));
    }

    void defaultLookupFindsTheSharedModel()
    {
        const ModelLookup lookup = ResourceLocator::findModel(ModelDescriptor::builtIn());
        QVERIFY2(!lookup.path.isEmpty(), qPrintable(lookup.explanation()));
        if (qEnvironmentVariableIsEmpty("LOOKBOOK_MODEL")) QVERIFY(lookup.tried.size() > 1);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingModel)
#include "tst_embeddingmodel.moc"
