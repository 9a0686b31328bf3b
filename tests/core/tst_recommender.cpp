// The query pipeline a stylist drives: filters as masks, regions, mood boards, likes and
// dislikes, and the taste profile, on a small catalog of real product photos embedded by
// the real model.
#include "CacheFiles.h"
#include "Indexer.h"
#include "QueryRegion.h"
#include "Recommender.h"

#include "TestSupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace lookbook;

namespace {
constexpr int kCatalogSize = 60;
constexpr int kInSubfolder = 20; // the first 20 go to men/, the rest stay at the top
} // namespace

class TestRecommender : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_root;
    EmbeddingStore m_store;
    std::optional<StyleLabels> m_labels;
    std::unique_ptr<SearchSpace> m_space;
    const EmbeddingRecipe m_recipe = EmbeddingRecipe::defaultRecipe();

    Recommender recommender() const { return Recommender(m_store, *m_space, &*m_labels, m_root); }
    QString label(int item, const QString &column) const { return m_labels->value(m_store.items()[size_t(item)].relativePath, column); }
    QueryInput picture(int item) const
    {
        QueryInput p;
        p.localPath = m_root + u'/' + m_store.items()[size_t(item)].relativePath;
        p.displayName = p.localPath;
        return p;
    }
    // The first item with this articleType.
    int firstOfType(const QString &type) const
    {
        for (int i = 0; i < m_store.size(); ++i)
            if (label(i, QStringLiteral("articleType")) == type) return i;
        return -1;
    }
    // Every item's score for a query, best first, as the exhaustive reference.
    std::vector<SearchHit> allRanked(const Eigen::RowVectorXf &query, const std::vector<char> &allowed) const
    {
        SearchRequest everything;
        everything.k = m_store.size();
        everything.allowed = &allowed;
        return m_space->search(query, everything);
    }

    // A query whose ranking a taste for its 6th result f alone must change. The taste
    // re-ranks the first 20 candidates by s + w cos(item, f): f gains w |f|; any item ranked
    // 7th or lower at most w |item|, so never more than B = s_7 + w max|item|. So when the
    // weakest of the plain top 5 after the taste, A_min, is below f's A_f, the next weakest
    // is above B and A_f > B, the tasted top 5 is the plain one with f in place of the
    // weakest. The first query of the catalog for which the figures say so is the case.
    struct TasteCase {
        int query = -1, favourite = -1, dropped = -1;
        std::vector<int> plainTop5;
    };
    TasteCase tasteCase() const
    {
        const float weight = TasteProfile::kDefaultWeight;
        for (int q = 0; q < m_store.size(); ++q) {
            RecommendRequest wide;
            wide.items = {q};
            wide.k = 20;
            const auto candidates = recommender().recommend(wide, nullptr, m_recipe);
            if (!candidates || candidates->results.size() < 20) continue;
            const std::vector<ResultItem> &c = candidates->results;
            TasteProfile taste(m_recipe.id());
            taste.addLike(m_space->itemQuery(c[5].item));
            const auto adjusted = [&](const ResultItem &r) {
                return r.score + weight * m_space->itemQuery(r.item).dot(taste.direction());
            };
            float bound = -2;
            for (size_t r = 6; r < c.size(); ++r)
                bound = std::max(bound, c[6].score + weight * m_space->itemQuery(c[r].item).norm());
            std::vector<std::pair<float, int>> top5;
            for (size_t r = 0; r < 5; ++r) top5.push_back({adjusted(c[r]), c[r].item});
            std::sort(top5.begin(), top5.end());
            const float favourite = adjusted(c[5]);
            if (top5[0].first < favourite && top5[1].first > bound && favourite > bound) {
                TasteCase found{q, c[5].item, top5[0].second, {}};
                for (size_t r = 0; r < 5; ++r) found.plainTop5.push_back(c[r].item);
                return found;
            }
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.filePath(QStringLiteral("catalog"));
        const QStringList names = test::firstCatalogImages(kCatalogSize);
        QVERIFY(test::copyCatalogImages(names.mid(0, kInSubfolder), m_root + QStringLiteral("/men")));
        QVERIFY(test::copyCatalogImages(names.mid(kInSubfolder), m_root));
        QVERIFY(QFile::copy(test::sharedCatalogDir() + QStringLiteral("/styles.csv"), m_root + QStringLiteral("/styles.csv")));
        const QString cache = m_dir.filePath(QStringLiteral("c.lbi"));
        const auto report = Indexer(test::sharedModel(), m_recipe).update(m_root, cache);
        QVERIFY2(report, qPrintable(report.error()));
        auto store = EmbeddingStore::load(cache, cacheFiles::identityFor(ModelDescriptor::builtIn(), m_recipe));
        QVERIFY2(store, qPrintable(store.error()));
        m_store = std::move(*store);
        QCOMPARE(m_store.size(), kCatalogSize);
        auto labels = StyleLabels::load(m_root + QStringLiteral("/styles.csv"));
        QVERIFY2(labels, qPrintable(labels.error()));
        m_labels = std::move(*labels);
        m_space = std::make_unique<SearchSpace>(m_store, m_recipe);
    }

    // Top k under a filter is the k best allowed items, not what survives of an unfiltered top k.
    void filterIsAMaskOnTheSearch()
    {
        const int query = 0;
        const QString type = label(query, QStringLiteral("articleType"));
        ResultFilter filter;
        filter.allow(QStringLiteral("gender"), label(query, QStringLiteral("gender")) == QLatin1String("Men") ? QStringLiteral("Women") : QStringLiteral("Men"));
        RecommendRequest request;
        request.items = {query};
        request.filter = filter;
        const auto outcome = recommender().recommend(request, nullptr, m_recipe);
        QVERIFY2(outcome, qPrintable(outcome.error()));
        auto mask = filter.mask(m_store, &*m_labels);
        QVERIFY(mask);
        (*mask)[size_t(query)] = 0;
        const int allowed = int(std::count(mask->begin(), mask->end(), 1));
        QCOMPARE(outcome->allowedItems, allowed);
        QVERIFY(allowed >= 5 && allowed < kCatalogSize - 5);
        const auto reference = allRanked(m_space->itemQuery(query), *mask);
        QCOMPARE(int(outcome->results.size()), 5);
        for (int r = 0; r < 5; ++r) {
            QCOMPARE(outcome->results[size_t(r)].item, reference[size_t(r)].item);
            QVERIFY(filter.allows(outcome->results[size_t(r)].relativePath, m_labels->forFile(outcome->results[size_t(r)].relativePath)));
        }
        Q_UNUSED(type);
    }

    void filterByFolderTextAndSeveralValues()
    {
        auto filter = ResultFilter::parse({QStringLiteral("folder=men")});
        QVERIFY(filter);
        auto mask = filter->mask(m_store, nullptr); // a folder needs no labels
        QVERIFY2(mask, qPrintable(mask.error()));
        QCOMPARE(int(std::count(mask->begin(), mask->end(), 1)), kInSubfolder);
        QCOMPARE(ResultFilter::foldersOf(m_store), QStringList{QStringLiteral("men")});

        // Values of one field are alternatives; case does not matter.
        const QString a = label(0, QStringLiteral("articleType")), b = label(kCatalogSize - 1, QStringLiteral("articleType"));
        auto two = ResultFilter::parse({QStringLiteral("articletype=") + a.toLower(), QStringLiteral("articleType=") + b});
        QVERIFY(two);
        auto twoMask = two->mask(m_store, &*m_labels);
        QVERIFY2(twoMask, qPrintable(twoMask.error()));
        for (int i = 0; i < m_store.size(); ++i) {
            const QString t = label(i, QStringLiteral("articleType"));
            QCOMPARE(bool((*twoMask)[size_t(i)]), t == a || t == b);
        }

        // Words of the product name, all of them, in any case.
        const QStringList words = label(3, ResultFilter::nameColumn()).split(u' ', Qt::SkipEmptyParts);
        QVERIFY(words.size() >= 2);
        ResultFilter text;
        text.setText(words.first().toUpper() + u' ' + words.last());
        auto textMask = text.mask(m_store, &*m_labels);
        QVERIFY(textMask);
        QVERIFY((*textMask)[3]);
        for (int i = 0; i < m_store.size(); ++i) {
            const QString name = label(i, ResultFilter::nameColumn()).toLower();
            QCOMPARE(bool((*textMask)[size_t(i)]), name.contains(words.first().toLower()) && name.contains(words.last().toLower()));
        }
    }

    void filterThatCannotApplySaysWhy()
    {
        ResultFilter byType;
        byType.allow(QStringLiteral("articleType"), QStringLiteral("Shirts"));
        const auto noLabels = byType.mask(m_store, nullptr);
        QVERIFY(!noLabels);
        QVERIFY2(noLabels.error().contains(QStringLiteral("styles.csv")), qPrintable(noLabels.error()));
        ResultFilter unknown;
        unknown.allow(QStringLiteral("fabric"), QStringLiteral("silk"));
        const auto noColumn = unknown.mask(m_store, &*m_labels);
        QVERIFY(!noColumn);
        QVERIFY2(noColumn.error().contains(QStringLiteral("fabric")), qPrintable(noColumn.error()));
        QVERIFY(!ResultFilter::parse({QStringLiteral("articleType")}));
        QVERIFY(!ResultFilter::parse({QStringLiteral("=Shirts")}));

        // A filter nothing passes: no results, not an error.
        ResultFilter none;
        none.allow(QStringLiteral("articleType"), QStringLiteral("no such type"));
        RecommendRequest request;
        request.items = {0};
        request.filter = none;
        const auto outcome = recommender().recommend(request, nullptr, m_recipe);
        QVERIFY(outcome);
        QCOMPARE(outcome->allowedItems, 0);
        QVERIFY(outcome->results.empty());
    }

    // Two products side by side in one picture: the region decides which one is searched.
    void regionSearchesOnlyTheCrop()
    {
        // Two items of different kinds, whose first results are of their own kind.
        int left = -1, right = -1;
        for (int i = 0; i < m_store.size() && right < 0; ++i) {
            RecommendRequest own;
            own.items = {i};
            own.k = 1;
            const auto hit = recommender().recommend(own, nullptr, m_recipe);
            QVERIFY(hit);
            if (label(hit->results.front().item, QStringLiteral("articleType")) != label(i, QStringLiteral("articleType"))) continue;
            if (left < 0) left = i;
            else if (label(i, QStringLiteral("masterCategory")) != label(left, QStringLiteral("masterCategory"))) right = i;
        }
        QVERIFY(left >= 0 && right >= 0);
        const std::vector<cv::Mat> images = test::loadImages({picture(left).localPath, picture(right).localPath});
        cv::Mat a = images[0], b;
        cv::resize(images[1], b, cv::Size(images[1].cols * a.rows / images[1].rows, a.rows));
        cv::Mat both;
        cv::hconcat(a, b, both);
        std::vector<uchar> png;
        QVERIFY(cv::imencode(".png", both, png));
        QueryInput scene;
        scene.bytes = QByteArray(reinterpret_cast<const char *>(png.data()), qsizetype(png.size()));
        scene.displayName = QStringLiteral("two products");
        const auto typeOfFirst = [&](const QRect &region) {
            RecommendRequest request;
            scene.region = region;
            request.pictures = {scene};
            const auto outcome = recommender().recommend(request, test::sharedModel().get(), m_recipe);
            if (!outcome) qWarning("%s", qPrintable(outcome.error()));
            return outcome ? outcome->results.front().labels.value(QStringLiteral("articleType")) : QString();
        };
        QCOMPARE(typeOfFirst(QRect(0, 0, a.cols, a.rows)), label(left, QStringLiteral("articleType")));
        {
            // A picture that is no file travels with the outcome, for an export to show it.
            RecommendRequest pasted;
            pasted.pictures = {scene};
            const auto outcome = recommender().recommend(pasted, test::sharedModel().get(), m_recipe);
            QVERIFY(outcome && outcome->queryPath.isEmpty());
            QCOMPARE(outcome->queryImage, scene.bytes);
            QCOMPARE(outcome->queryName, QStringLiteral("two products"));
        }
        QCOMPARE(typeOfFirst(QRect(a.cols, 0, b.cols, b.rows)), label(right, QStringLiteral("articleType")));

        // A region outside the picture is refused with the reason.
        RecommendRequest outside;
        scene.region = QRect(both.cols + 10, 0, 50, 50);
        outside.pictures = {scene};
        const auto refused = recommender().recommend(outside, test::sharedModel().get(), m_recipe);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("region")), qPrintable(refused.error()));
        // The centre crop keeps the middle of the picture.
        QCOMPARE(QueryRegion::centre(QSize(1000, 500)), QRect(100, 50, 800, 400));
        QCOMPARE(QueryRegion::parse(QStringLiteral("1,2,30,40")).value(), QRect(1, 2, 30, 40));
        QVERIFY(!QueryRegion::parse(QStringLiteral("1,2,-3,4")));
    }

    // Several pictures make one query: the normalised mean of their vectors; none of them
    // is among the results.
    void moodBoardCombinesPictures()
    {
        const int a = firstOfType(label(0, QStringLiteral("articleType"))), b = kCatalogSize - 1;
        RecommendRequest request;
        request.pictures = {picture(a), picture(b)};
        request.k = m_store.size();
        const auto outcome = recommender().recommend(request, nullptr, m_recipe); // catalog files: no network
        QVERIFY2(outcome, qPrintable(outcome.error()));
        QVERIFY(outcome->queryInCatalog);
        QCOMPARE(int(outcome->results.size()), m_store.size() - 2);
        for (const ResultItem &r : outcome->results) QVERIFY(r.item != a && r.item != b);
        const Eigen::RowVectorXf combined = Rocchio::combine({m_space->itemQuery(a), m_space->itemQuery(b)});
        QVERIFY(std::abs(combined.norm() - 1.0f) < 1e-5f);
        std::vector<char> allowed(size_t(m_store.size()), 1);
        allowed[size_t(a)] = allowed[size_t(b)] = 0;
        const auto reference = allRanked(combined, allowed);
        for (size_t r = 0; r < outcome->results.size(); ++r) QCOMPARE(outcome->results[r].item, reference[r].item);
    }

    // A liked result pulls the query toward itself, a disliked one pushes it away.
    void likesAndDislikesRefineTheQuery()
    {
        const int query = 0;
        RecommendRequest plain;
        plain.items = {query};
        plain.k = m_store.size() - 1;
        const auto before = recommender().recommend(plain, nullptr, m_recipe);
        QVERIFY(before);
        const auto rankOf = [](const SearchOutcome &o, int item) {
            for (size_t r = 0; r < o.results.size(); ++r)
                if (o.results[r].item == item) return int(r);
            return -1;
        };
        const int liked = before->results[10].item;     // a middling result
        const int disliked = before->results[0].item;   // the first one
        RecommendRequest refined = plain;
        refined.likedItems = {liked};
        const auto afterLike = recommender().recommend(refined, nullptr, m_recipe);
        QVERIFY(afterLike);
        QVERIFY2(rankOf(*afterLike, liked) < 10, qPrintable(QString::number(rankOf(*afterLike, liked))));
        refined.likedItems.clear();
        refined.dislikedItems = {disliked};
        const auto afterDislike = recommender().recommend(refined, nullptr, m_recipe);
        QVERIFY(afterDislike);
        QVERIFY(rankOf(*afterDislike, disliked) > 0);

        // Rocchio by its definition.
        const Rocchio rocchio;
        const Eigen::RowVectorXf q = m_space->itemQuery(query), l = m_space->itemQuery(liked), d = m_space->itemQuery(disliked);
        const Eigen::RowVectorXf expected = (q + 0.75f * l - 0.25f * d).normalized();
        QVERIFY((rocchio.refine(q, {l}, {d}) - expected).norm() < 1e-5f);
        QVERIFY((rocchio.refine(Eigen::RowVectorXf(), {l}, {}) - l.normalized()).norm() < 1e-5f);
        QCOMPARE(rocchio.refine(Eigen::RowVectorXf(), {}, {d}).size(), Eigen::Index(0));
    }

    // The taste re-orders near-equal candidates only, and survives a restart.
    void tasteProfileRerankGentlyAndPersists()
    {
        const TasteCase taken = tasteCase();
        QVERIFY2(taken.query >= 0, "no query of the catalog has a 6th result that a taste for it must lift into its top 5");
        qInfo("query %d: a taste for its 6th result %d must put it in place of %d", taken.query, taken.favourite, taken.dropped);
        const int query = taken.query;
        RecommendRequest request;
        request.items = {query};
        request.k = 5;
        const auto plain = recommender().recommend(request, nullptr, m_recipe);
        QVERIFY(plain);
        std::vector<int> plainTop5;
        for (const ResultItem &r : plain->results) plainTop5.push_back(r.item);
        QCOMPARE(plainTop5, taken.plainTop5); // the first 5 of 20 candidates are the top 5
        TasteProfile taste(m_recipe.id());
        taste.addLike(m_space->itemQuery(taken.favourite));
        request.taste = &taste;
        const auto tasted = recommender().recommend(request, nullptr, m_recipe);
        QVERIFY(tasted);
        QVERIFY(tasted->tasteApplied);
        QCOMPARE(int(tasted->results.size()), 5);
        // The ranking changes, toward the taste: f comes in, the weakest after the taste goes.
        std::set<int> expected(plainTop5.begin(), plainTop5.end()), got;
        expected.erase(taken.dropped);
        expected.insert(taken.favourite);
        for (const ResultItem &r : tasted->results) got.insert(r.item);
        QCOMPARE(got, expected);
        const float weight = TasteProfile::kDefaultWeight;
        for (const ResultItem &r : tasted->results) // nothing jumps more than the taste's weight can pay for
            QVERIFY(r.score >= plain->results.back().score - 2 * weight);

        // Saved and read back; another space's profile and a damaged file are refused.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("taste/profile.json"));
        taste.addDislike(m_space->itemQuery(query));
        QVERIFY(taste.save(path));
        auto loaded = TasteProfile::load(path, m_recipe.id());
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(loaded->likes(), 1);
        QCOMPARE(loaded->dislikes(), 1);
        QVERIFY((loaded->direction() - taste.direction()).norm() < 1e-6f);
        QVERIFY(!TasteProfile::load(path, QStringLiteral("another-recipe")));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        bytes[bytes.size() / 2] = '#';
        file.seek(0);
        file.write(bytes);
        file.close();
        QVERIFY(!TasteProfile::load(path, m_recipe.id()));
        auto missing = TasteProfile::load(dir.filePath(QStringLiteral("none.json")), m_recipe.id());
        QVERIFY(missing && missing->isEmpty());
        taste.clear();
        QVERIFY(taste.isEmpty());
        QCOMPARE(taste.dislikes(), 0);
    }

    void pictureOutsideTheCatalogNeedsTheModel()
    {
        QueryInput street;
        street.localPath = test::firstStreetPhoto(QStringLiteral("dress"));
        street.displayName = QStringLiteral("dress.jpg");
        RecommendRequest request;
        request.pictures = {street};
        const auto refused = recommender().recommend(request, nullptr, m_recipe);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("model")), qPrintable(refused.error()));
        const auto found = recommender().recommend(request, test::sharedModel().get(), m_recipe);
        QVERIFY2(found, qPrintable(found.error()));
        QCOMPARE(int(found->results.size()), 5);
        QVERIFY(!found->queryInCatalog);
    }
};

QTEST_GUILESS_MAIN(TestRecommender)
#include "tst_recommender.moc"
