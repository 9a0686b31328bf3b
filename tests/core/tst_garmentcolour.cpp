// The colour signal: the garment's pixels and their colour names (GarmentColour), the
// learned colour model (ColourModel), the catalog's colours kept beside the cache
// (ColourStore) and how colour re-orders candidates (ColourRanking).

#include "CacheFiles.h"
#include "ColourModel.h"
#include "ColourRanking.h"
#include "ColourStore.h"
#include "GarmentColour.h"
#include "ImageLoader.h"
#include "StyleLabels.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>

using namespace lookbook;

namespace {

// Which basic colour name (GarmentColour::basicNames() order) a part of a description
// gives the most weight to.
int strongestBasicName(const Eigen::VectorXf &description, int at)
{
    Eigen::Index best = 0;
    description.segment(at, GarmentColour::kBasicNames).maxCoeff(&best);
    return int(best);
}
int nameIndex(const char *name) { return int(GarmentColour::basicNames().indexOf(QString::fromLatin1(name))); }

// Descriptions of synthetic garments of a few clear colours on a white studio background.
cv::Mat productShot(const cv::Scalar &bgr)
{
    cv::Mat image(80, 60, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::rectangle(image, cv::Rect(15, 10, 30, 60), bgr, cv::FILLED);
    return image;
}

} // namespace

class TestGarmentColour : public QObject {
    Q_OBJECT
private slots:
    void theStudioBackgroundIsNotTheGarment()
    {
        // A navy garment on white: the white background must not count, so blue wins;
        // over the whole picture white would (it covers 62% of it).
        const Eigen::VectorXf d = GarmentColour::describe(productShot(cv::Scalar(120, 30, 20)), ImageRole::CatalogItem);
        QCOMPARE(d.size(), GarmentColour::kDimension);
        QCOMPARE(strongestBasicName(d, 0), nameIndex("blue"));
        QVERIFY(d[nameIndex("white")] < 0.05f);
        QVERIFY2(std::abs(d[GarmentColour::kDimension - 2] - 0.375f) < 0.03f, "garment share = 30x60 of 60x80");
        // A white shirt on white vanishes with the background: then the whole picture counts.
        const Eigen::VectorXf white = GarmentColour::describe(productShot(cv::Scalar(255, 255, 255)), ImageRole::CatalogItem);
        QCOMPARE(strongestBasicName(white, 0), nameIndex("white"));
    }

    void skinIsSetAside()
    {
        // A red garment with a skin-coloured patch (an arm): the skin-free part has no skin.
        cv::Mat image = productShot(cv::Scalar(40, 30, 200));
        cv::rectangle(image, cv::Rect(15, 10, 15, 45), cv::Scalar(120, 160, 225), cv::FILLED); // half the garment's width
        const Eigen::VectorXf d = GarmentColour::describe(image, ImageRole::CatalogItem);
        QVERIFY2(d[GarmentColour::kDimension - 1] > 0.3f, "the patch is skin");
        QVERIFY(d[nameIndex("brown")] > d[GarmentColour::kNames + nameIndex("brown")] + 0.1f); // skin is named brown
        QCOMPARE(strongestBasicName(d, GarmentColour::kNames), nameIndex("red"));
        QVERIFY(d[GarmentColour::kNames + nameIndex("red")] > d[nameIndex("red")]);
        // The top band is half skin: red once skin is set aside.
        QCOMPARE(strongestBasicName(d, 2 * GarmentColour::kNames), nameIndex("red"));
    }

    void outsidePhotosLookAtTheCentre()
    {
        // A green garment in the middle of a cluttered orange and grey photo.
        cv::Mat image(400, 300, CV_8UC3, cv::Scalar(0, 120, 240));
        cv::rectangle(image, cv::Rect(0, 0, 300, 60), cv::Scalar(128, 128, 128), cv::FILLED);
        cv::rectangle(image, cv::Rect(100, 130, 100, 140), cv::Scalar(40, 160, 40), cv::FILLED);
        const Eigen::VectorXf outside = GarmentColour::describe(image, ImageRole::OutsidePhoto);
        QCOMPARE(strongestBasicName(outside, 0), nameIndex("green"));
    }

    void realProductsOfDistinctColours()
    {
        // Real catalog photos labelled Black, White, Red, Blue...: the skin-free basic name
        // with most weight is the label's family for most of them (not all: prints, models,
        // several garments; the learned model does better), where one of five would be chance.
        QFile styles(QDir(test::sharedCatalogDir()).filePath(QStringLiteral("styles.csv")));
        QVERIFY(styles.open(QIODevice::ReadOnly));
        const auto labels = StyleLabels::parse(styles.readAll());
        QVERIFY(labels);
        const QHash<QString, QString> family{{QStringLiteral("Black"), QStringLiteral("black")},
                                             {QStringLiteral("Red"), QStringLiteral("red")},
                                             {QStringLiteral("Blue"), QStringLiteral("blue")},
                                             {QStringLiteral("Green"), QStringLiteral("green")},
                                             {QStringLiteral("Yellow"), QStringLiteral("yellow")}};
        int tried = 0, right = 0;
        const ImageLoader loader;
        for (const QString &file : test::firstCatalogImages(600)) {
            const QString colour = labels->value(QStringLiteral("images/") + file, QStringLiteral("baseColour"));
            if (!family.contains(colour)) continue;
            auto image = loader.loadFile(QDir(test::sharedCatalogDir()).filePath(QStringLiteral("images/") + file));
            QVERIFY(image);
            const Eigen::VectorXf d = GarmentColour::describe(*image, ImageRole::CatalogItem);
            ++tried;
            right += GarmentColour::basicNames()[strongestBasicName(d, GarmentColour::kNames)] == family[colour] ? 1 : 0;
        }
        QVERIFY2(tried >= 100, qPrintable(QString::number(tried)));
        QVERIFY2(right >= 0.55 * tried, qPrintable(QStringLiteral("%1 of %2 right").arg(right).arg(tried)));
    }

    void theModelLearnsColoursAndRoundTrips()
    {
        // Synthetic product shots of four colours with jitter: a model fitted on half of
        // them names the colour of the other half.
        const std::vector<std::pair<QString, cv::Scalar>> colours = {
            {QStringLiteral("Navy Blue"), cv::Scalar(110, 30, 20)}, {QStringLiteral("Red"), cv::Scalar(30, 30, 200)},
            {QStringLiteral("Olive"), cv::Scalar(40, 120, 110)}, {QStringLiteral("Black"), cv::Scalar(20, 20, 20)}};
        const QHash<QString, QString> familyOf{{QStringLiteral("Navy Blue"), QStringLiteral("blue")},
                                               {QStringLiteral("Red"), QStringLiteral("red")},
                                               {QStringLiteral("Olive"), QStringLiteral("green")},
                                               {QStringLiteral("Black"), QStringLiteral("black")}};
        std::mt19937 random(7);
        std::uniform_int_distribution<int> jitter(-25, 25);
        RowMatrix descriptions(80, GarmentColour::kDimension);
        std::vector<QString> labels;
        for (int i = 0; i < 80; ++i) {
            const auto &[name, bgr] = colours[size_t(i % 4)];
            const cv::Scalar shade(bgr[0] + jitter(random), bgr[1] + jitter(random), bgr[2] + jitter(random));
            descriptions.row(i) = GarmentColour::describe(productShot(shade), ImageRole::CatalogItem).transpose();
            labels.push_back(i < 40 ? name : QString()); // the second half is not fitted on
        }
        auto model = ColourModel::fit(descriptions, labels, familyOf);
        QVERIFY2(model, qPrintable(model.error()));
        QCOMPARE(model->colours().size(), 4);
        const RowMatrix p = model->colourProbabilities(descriptions.bottomRows(40));
        int right = 0;
        for (int i = 0; i < 40; ++i) {
            Eigen::Index best = 0;
            p.row(i).maxCoeff(&best);
            right += model->colours()[best] == colours[size_t((40 + i) % 4)].first ? 1 : 0;
        }
        QVERIFY2(right >= 38, qPrintable(QString::number(right)));
        const RowMatrix families = model->familyProbabilities(p);
        QVERIFY(std::abs(families.row(0).sum() - 1.0f) < 1e-4f);
        // Choosing by family or colour name, case ignored.
        QCOMPARE(model->choose(QStringLiteral("BLUE"))->family, nameIndex("blue"));
        QCOMPARE(model->nameOf(*model->choose(QStringLiteral("navy blue"))), QStringLiteral("Navy Blue"));
        QVERIFY(!model->choose(QStringLiteral("chartreuse")));

        // Saved and read back: the same predictions; a damaged file is refused with a reason.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("colour.json"));
        QVERIFY(model->save(path));
        auto loaded = ColourModel::load(path);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(loaded->fingerprint(), model->fingerprint());
        QVERIFY((loaded->colourProbabilities(descriptions) - model->colourProbabilities(descriptions)).cwiseAbs().maxCoeff() < 1e-5f);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        bytes.replace("\"weights\"", "\"weight\"");
        file.resize(0);
        file.write(bytes);
        file.close();
        const auto damaged = ColourModel::load(path);
        QVERIFY(!damaged);
        QVERIFY2(damaged.error().contains(QStringLiteral("damaged")), qPrintable(damaged.error()));
        // One colour is not enough to fit.
        QVERIFY(!ColourModel::fit(descriptions, std::vector<QString>(80, QStringLiteral("Red")), familyOf));
    }

    void colourReordersOnlyTheCandidates()
    {
        // Three items: 0 and 2 red, 1 blue. The search found 1 (0.9), 0 (0.8), 2 (0.7).
        const QHash<QString, QString> familyOf{{QStringLiteral("Red"), QStringLiteral("red")},
                                               {QStringLiteral("Blue"), QStringLiteral("blue")}};
        RowMatrix training(40, GarmentColour::kDimension);
        std::vector<QString> labels;
        for (int i = 0; i < 40; ++i) {
            const bool red = i % 2 == 0;
            training.row(i) = GarmentColour::describe(productShot(red ? cv::Scalar(30, 30, 200 - i) : cv::Scalar(200 - i, 40, 30)),
                                                      ImageRole::CatalogItem).transpose();
            labels.push_back(red ? QStringLiteral("Red") : QStringLiteral("Blue"));
        }
        auto model = ColourModel::fit(training, labels, familyOf);
        QVERIFY(model);
        const CatalogColours colours(training.topRows(3), std::make_shared<const ColourModel>(*model), 0.5f);
        const std::vector<SearchHit> found = {{1, 0.9f}, {0, 0.8f}, {2, 0.7f}};
        ColourRankingSettings settings;
        settings.weight = 0.5f;
        settings.candidates = 2;
        // Alike a red query: the red item 0 passes the blue one; item 2 stays out, beyond
        // the candidates... unless the list given has it (rerank takes what it is given).
        const ColourWish red{colours.signature(0), std::nullopt};
        QCOMPARE(ColourRanking::candidatesFor(red, settings, 1), 2);
        // Within the margin of the best score only: at 0.05 the red item (0.1 behind) stays behind.
        settings.margin = 0.05f;
        auto hits = ColourRanking::rerank({found[0], found[1]}, colours, red, settings, 2);
        QCOMPARE(hits[0].item, 1);
        settings.margin = 0.15f;
        hits = ColourRanking::rerank({found[0], found[1]}, colours, red, settings, 2);
        QCOMPARE(hits.size(), size_t(2));
        QCOMPARE(hits[0].item, 0);
        QCOMPARE(hits[0].score, 0.8f); // shown scores stay the search's cosines
        // Weight 0: the search's order.
        settings.weight = 0;
        hits = ColourRanking::rerank(found, colours, red, settings, 3);
        QCOMPARE(hits[0].item, 1);
        // A chosen colour: blue asked of a red query puts the blue item first.
        const ColourWish blue{colours.signature(0), model->choose(QStringLiteral("blue"))};
        hits = ColourRanking::rerank({found[1], found[2], found[0]}, colours, blue, settings, 1);
        QCOMPARE(hits.size(), size_t(1));
        QCOMPARE(hits[0].item, 1);
        QVERIFY(colours.probability(1, *model->choose(QStringLiteral("blue"))) > 0.9f);
        QCOMPARE(GarmentColour::basicNames()[colours.likelyFamily(0)], QStringLiteral("red"));
    }

    void theStoreKeepsWhatIsUnchanged()
    {
        QTemporaryDir dir;
        const QStringList files = test::firstCatalogImages(3);
        QVERIFY(test::copyCatalogImages(files, dir.path()));
        RowMatrix rows = test::randomUnitRows(3, 4, 1);
        std::vector<CatalogFile> items;
        for (const QString &file : files) {
            const QFileInfo info(dir.filePath(file));
            items.push_back({file, info.size(), info.lastModified().toMSecsSinceEpoch()});
        }
        EmbeddingStore store(StoreIdentity{QStringLiteral("m"), "00", QStringLiteral("r"), 4});
        store.upsert(items, rows);
        const QString cache = dir.filePath(QStringLiteral("catalog.lbi"));
        int described = 0;
        auto first = ColourStore::update(dir.path(), store, cache, [&](int done, int) { described = done; });
        QVERIFY2(first, qPrintable(first.error()));
        QCOMPARE(described, 3);
        QVERIFY(QFileInfo::exists(cacheFiles::colourPath(cache)));
        const auto image = ImageLoader().loadFile(dir.filePath(files[1]));
        QVERIFY(image);
        QVERIFY((first->row(1).transpose() - GarmentColour::describe(*image, ImageRole::CatalogItem)).cwiseAbs().maxCoeff() < 1e-6f);
        // Again: nothing to describe.
        described = 0;
        auto second = ColourStore::update(dir.path(), store, cache, [&](int done, int) { described = done; });
        QVERIFY(second);
        QCOMPARE(described, 0);
        QCOMPARE(*second, *first);
        // A changed file (another size) is described again, and only it.
        items[2].size += 1;
        store.upsert({items[2]}, rows.row(2));
        auto third = ColourStore::update(dir.path(), store, cache, [&](int done, int) { described = done; });
        QVERIFY(third);
        QCOMPARE(described, 1);
        // A file that cannot be read has no colour (zeros), and nothing fails.
        QVERIFY(QFile::remove(dir.filePath(files[0])));
        items[0].size += 1;
        store.upsert({items[0]}, rows.row(0));
        auto fourth = ColourStore::update(dir.path(), store, cache);
        QVERIFY(fourth);
        QCOMPARE(fourth->row(store.itemOf(files[0])).norm(), 0.0f);
        // Cancelled before any work: said so.
        std::atomic_bool cancel{true};
        QVERIFY(QFile::remove(cacheFiles::colourPath(cache)));
        QVERIFY(!ColourStore::update(dir.path(), store, cache, {}, &cancel));
    }
};

QTEST_GUILESS_MAIN(TestGarmentColour)
#include "tst_garmentcolour.moc"
