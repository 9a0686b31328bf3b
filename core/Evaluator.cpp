#include "Evaluator.h"

#include "CatalogScanner.h"
#include "ImageLoader.h"
#include "SearchSpace.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace lookbook {

namespace {
const QString kArticleType = QStringLiteral("articleType");
const QString kBaseColour = QStringLiteral("baseColour");
constexpr int kStreetBatch = 16;
} // namespace

Expected<LabelMap> LabelMap::load(const QString &csvPath)
{
    QFile file(csvPath);
    if (!file.open(QIODevice::ReadOnly))
        return Expected<LabelMap>::failure(QStringLiteral("cannot read the label map %1: %2")
                                               .arg(QDir::toNativeSeparators(csvPath), file.errorString()));
    return parse(file.readAll());
}

Expected<LabelMap> LabelMap::parse(const QByteArray &csv)
{
    const QList<QStringList> records = parseCsv(csv);
    if (records.isEmpty() || records.first().size() < 3)
        return Expected<LabelMap>::failure(
            QStringLiteral("the label map needs the columns query_label, articleType, match"));
    const QStringList header = records.first();
    const qsizetype labelCol = header.indexOf(QStringLiteral("query_label"));
    const qsizetype typeCol = header.indexOf(kArticleType);
    const qsizetype matchCol = header.indexOf(QStringLiteral("match"));
    if (labelCol < 0 || typeCol < 0 || matchCol < 0)
        return Expected<LabelMap>::failure(
            QStringLiteral("the label map needs the columns query_label, articleType, match (it has %1)")
                .arg(header.join(QStringLiteral(", "))));
    LabelMap map;
    for (qsizetype i = 1; i < records.size(); ++i) {
        const QStringList &r = records[i];
        if (r.size() <= std::max({labelCol, typeCol, matchCol})) continue;
        const QString label = r[labelCol].trimmed();
        const QString match = r[matchCol].trimmed().toLower();
        map.m_strict[label]; // every listed label is known, even with only broad rows
        if (match == QLatin1String("strict")) map.m_strict[label].insert(r[typeCol].trimmed());
        else if (match == QLatin1String("broad")) map.m_broad[label].insert(r[typeCol].trimmed());
    }
    return map;
}

bool LabelMap::isHit(const QString &queryLabel, const QString &articleType, bool broad) const
{
    if (m_strict.value(queryLabel).contains(articleType)) return true;
    return broad && m_broad.value(queryLabel).contains(articleType);
}

std::vector<LabelledImage> listLabelledImages(const QString &queriesDir)
{
    std::vector<LabelledImage> images;
    const QDir root(queriesDir);
    for (const QString &label : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        QDirIterator it(root.filePath(label), QDir::Files, QDirIterator::Subdirectories);
        std::vector<LabelledImage> inLabel;
        while (it.hasNext()) {
            const QString path = it.next();
            if (CatalogScanner::isCatalogImage(path)) inLabel.push_back({path, label});
        }
        std::sort(inLabel.begin(), inLabel.end(), [](const auto &a, const auto &b) { return a.path < b.path; });
        images.insert(images.end(), inLabel.begin(), inLabel.end());
    }
    return images;
}

namespace {

// The articleType and colour of every item, read once: the protocols compare them for
// thousands of hits. Queries are the items with an articleType.
struct ItemLabels {
    std::vector<QString> types, colours;
    std::vector<int> queries;
    ItemLabels(const EmbeddingStore &store, const StyleLabels &labels)
        : types(size_t(store.size())), colours(size_t(store.size()))
    {
        for (int i = 0; i < store.size(); ++i) {
            const QString &path = store.items()[size_t(i)].relativePath;
            types[size_t(i)] = labels.value(path, kArticleType);
            colours[size_t(i)] = labels.value(path, kBaseColour);
            if (!types[size_t(i)].isEmpty()) queries.push_back(i);
        }
    }
    bool sameType(int a, int b) const { return types[size_t(a)] == types[size_t(b)]; }
};

// Calls visit(space, queries of the fold) for each fold. With folds > 1 and a recipe that
// uses the learned projection, each fold's space has a projection fitted on the articleType
// labels of the other folds only; else one space serves all queries. Returns the folds
// used (0 without cross-validation), or -1 when a fold has fewer than two classes to fit.
template <typename Visit>
int forEachFold(const EmbeddingStore &store, const ItemLabels &labels, const EmbeddingRecipe &recipe, int folds,
                const std::shared_ptr<const DiscriminantProjection> &given, Visit &&visit)
{
    // Items are sorted by path, so i % folds spreads every kind of product over the folds.
    const bool crossValidate = folds > 1 && recipe.projectionWeight > 0;
    for (int fold = 0; fold < (crossValidate ? folds : 1); ++fold) {
        std::shared_ptr<const DiscriminantProjection> projection = given;
        if (crossValidate) {
            std::vector<QString> trainingLabels = labels.types;
            for (size_t i = 0; i < trainingLabels.size(); ++i)
                if (int(i) % folds == fold) trainingLabels[i].clear(); // the queries' own fold stays out
            auto fitted = DiscriminantProjection::fit(store.vectors(), DiscriminantProjection::classIds(trainingLabels));
            if (!fitted) return -1;
            projection = std::make_shared<const DiscriminantProjection>(std::move(*fitted));
        }
        const SearchSpace space(store, recipe, projection);
        std::vector<int> foldQueries;
        for (int item : labels.queries)
            if (!crossValidate || item % folds == fold) foldQueries.push_back(item);
        visit(space, foldQueries);
    }
    return crossValidate ? folds : 0;
}

} // namespace

CatalogQuality Evaluator::leaveOneOut(const EmbeddingStore &store, const StyleLabels &labels,
                                      const EmbeddingRecipe &recipe, int folds, int k,
                                      std::shared_ptr<const DiscriminantProjection> given)
{
    CatalogQuality quality;
    quality.catalogItems = store.size();
    const ItemLabels items(store, labels);
    quality.queries = int(items.queries.size());
    if (items.queries.empty() || k <= 0) return quality;
    double typeHits = 0, typeColourHits = 0;
    const int used = forEachFold(store, items, recipe, folds, given, [&](const SearchSpace &space, const std::vector<int> &foldQueries) {
        RowMatrix queries(Eigen::Index(foldQueries.size()), space.dimension());
        for (size_t q = 0; q < foldQueries.size(); ++q) queries.row(Eigen::Index(q)) = space.itemQuery(foldQueries[q]);
        const auto results = space.searchMany(queries, k, foldQueries);
        for (size_t q = 0; q < foldQueries.size(); ++q) {
            const int query = foldQueries[q];
            for (const SearchHit &hit : results[q]) {
                if (!items.sameType(hit.item, query)) continue;
                typeHits += 1;
                if (items.colours[size_t(hit.item)] == items.colours[size_t(query)]) typeColourHits += 1;
            }
        }
    });
    if (used < 0) return quality; // fewer than two classes: nothing to measure
    quality.folds = used;
    const double denominator = double(items.queries.size()) * k;
    quality.pAtKArticleType = typeHits / denominator;
    quality.pAtKArticleTypeColour = typeColourHits / denominator;
    return quality;
}

FeedbackQuality Evaluator::relevanceFeedback(const EmbeddingStore &store, const StyleLabels &labels,
                                             const EmbeddingRecipe &recipe, int folds, const Rocchio &rocchio,
                                             int likes, int k, std::shared_ptr<const DiscriminantProjection> given)
{
    FeedbackQuality quality;
    quality.likes = likes;
    const ItemLabels items(store, labels);
    quality.queries = int(items.queries.size());
    if (items.queries.empty() || k <= 0 || likes <= 0) return quality;
    double before = 0, after = 0, beforeUnseen = 0, afterUnseen = 0;
    const auto hitsOf = [&](const std::vector<SearchHit> &hits, int query) {
        return double(std::count_if(hits.begin(), hits.end(), [&](const SearchHit &h) { return items.sameType(h.item, query); }));
    };
    // Each ranking as one batch of matrix products (searchMany), the liked items left out
    // afterwards from rankings k + likes long: the same top k as searching without them.
    const auto topWithout = [k](const std::vector<SearchHit> &hits, const std::vector<int> &left) {
        std::vector<SearchHit> kept;
        for (const SearchHit &hit : hits)
            if (int(kept.size()) < k && std::find(left.begin(), left.end(), hit.item) == left.end()) kept.push_back(hit);
        return kept;
    };
    const int used = forEachFold(store, items, recipe, folds, given, [&](const SearchSpace &space, const std::vector<int> &foldQueries) {
        RowMatrix queries(Eigen::Index(foldQueries.size()), space.dimension());
        for (size_t q = 0; q < foldQueries.size(); ++q) queries.row(Eigen::Index(q)) = space.itemQuery(foldQueries[q]);
        const auto first = space.searchMany(queries, k + likes, foldQueries);
        // The stylist's clicks, simulated from the labels: the first `likes` correct results.
        std::vector<int> eligible;
        std::vector<std::vector<int>> liked;
        for (size_t q = 0; q < foldQueries.size(); ++q) {
            std::vector<int> correct;
            for (int r = 0; r < k && r < int(first[q].size()); ++r)
                if (int(correct.size()) < likes && items.sameType(first[q][size_t(r)].item, foldQueries[q])) correct.push_back(first[q][size_t(r)].item);
            if (int(correct.size()) < likes) continue; // this query gives nothing to like
            eligible.push_back(int(q));
            liked.push_back(std::move(correct));
        }
        RowMatrix refined(Eigen::Index(eligible.size()), space.dimension());
        std::vector<int> eligibleItems;
        for (size_t e = 0; e < eligible.size(); ++e) {
            std::vector<Eigen::RowVectorXf> likedVectors;
            for (int item : liked[e]) likedVectors.push_back(space.itemQuery(item));
            refined.row(Eigen::Index(e)) = rocchio.refine(queries.row(eligible[e]), likedVectors, {});
            eligibleItems.push_back(foldQueries[size_t(eligible[e])]);
        }
        const auto second = space.searchMany(refined, k + likes, eligibleItems);
        for (size_t e = 0; e < eligible.size(); ++e) {
            const int query = eligibleItems[e];
            const std::vector<SearchHit> &original = first[size_t(eligible[e])];
            before += hitsOf(topWithout(original, {}), query);
            after += hitsOf(topWithout(second[e], {}), query);
            // What the feedback adds beyond the liked items themselves: both rankings
            // without them (the first one is the original query's next results).
            beforeUnseen += hitsOf(topWithout(original, liked[e]), query);
            afterUnseen += hitsOf(topWithout(second[e], liked[e]), query);
        }
        quality.eligible += int(eligible.size());
    });
    if (used < 0) return quality;
    quality.folds = used;
    if (quality.eligible == 0) return quality;
    const double denominator = double(quality.eligible) * k;
    quality.pBefore = before / denominator;
    quality.pAfter = after / denominator;
    quality.pBeforeUnseen = beforeUnseen / denominator;
    quality.pAfterUnseen = afterUnseen / denominator;
    return quality;
}

int Evaluator::foldsNeeded(const EmbeddingStore &store, const EmbeddingRecipe &recipe)
{
    if (recipe.projectionWeight <= 0) return 0;
    // The built-in projection lists the files it was fitted on; a shared file name means
    // this catalog's labels took part in the fit.
    QSet<QString> trained;
    for (const QJsonValue &name : DiscriminantProjection::builtIn().provenance().value(QStringLiteral("fitted_on_files")).toArray())
        trained.insert(name.toString());
    for (const CatalogFile &item : store.items())
        if (trained.contains(QFileInfo(item.relativePath).fileName())) return kCrossValidationFolds;
    return 0;
}

StreetQuality Evaluator::streetQueries(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                       const EmbeddingStore &store, const StyleLabels &labels,
                                       const std::vector<LabelledImage> &queries, const LabelMap &map, int k,
                                       const Progress &onProgress,
                                       std::shared_ptr<const DiscriminantProjection> projection)
{
    StreetQuality quality;
    const ImageLoader loader;
    const SearchSpace space(store, recipe, std::move(projection));
    double strictHits = 0, broadHits = 0;
    qint64 embedNs = 0;
    for (size_t start = 0; start < queries.size(); start += kStreetBatch) {
        std::vector<cv::Mat> images;
        std::vector<const LabelledImage *> used;
        for (size_t i = start; i < std::min(queries.size(), start + kStreetBatch); ++i) {
            const LabelledImage &q = queries[i];
            if (!map.hasLabel(q.label)) {
                quality.skipped.emplace_back(q.path, QStringLiteral("label '%1' is not in the label map").arg(q.label));
                continue;
            }
            auto image = loader.loadFile(q.path);
            if (!image) {
                quality.skipped.emplace_back(q.path, image.error());
                continue;
            }
            images.push_back(*image);
            used.push_back(&q);
        }
        QElapsedTimer clock;
        clock.start();
        const RowMatrix raw = model.embed(images, recipe, ImageRole::OutsidePhoto);
        embedNs += clock.nsecsElapsed();
        const RowMatrix embeddings = space.prepare(raw);
        for (size_t i = 0; i < used.size(); ++i) {
            for (const SearchHit &hit : space.search(embeddings.row(Eigen::Index(i)), {k, -1, nullptr})) {
                const QString type = labels.value(store.items()[size_t(hit.item)].relativePath, kArticleType);
                strictHits += map.isHit(used[i]->label, type, false) ? 1 : 0;
                broadHits += map.isHit(used[i]->label, type, true) ? 1 : 0;
            }
        }
        quality.queries += int(used.size());
        if (onProgress) onProgress(int(std::min(queries.size(), start + kStreetBatch)), int(queries.size()));
    }
    if (quality.queries > 0) quality.embedMsPerImage = double(embedNs) / 1e6 / quality.queries;
    if (quality.queries > 0 && k > 0) {
        quality.pAtKStrict = strictHits / (double(quality.queries) * k);
        quality.pAtKBroad = broadHits / (double(quality.queries) * k);
    }
    return quality;
}

} // namespace lookbook
