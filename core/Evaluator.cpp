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

CatalogQuality Evaluator::leaveOneOut(const EmbeddingStore &store, const StyleLabels &labels,
                                      const EmbeddingRecipe &recipe, int folds, int k,
                                      std::shared_ptr<const DiscriminantProjection> given)
{
    CatalogQuality quality;
    quality.catalogItems = store.size();
    // Each item's labels, read once: every fold compares them for thousands of hits.
    std::vector<QString> types(size_t(store.size())), colours(size_t(store.size()));
    std::vector<int> queryItems;
    for (int i = 0; i < store.size(); ++i) {
        const QString &path = store.items()[size_t(i)].relativePath;
        types[size_t(i)] = labels.value(path, kArticleType);
        colours[size_t(i)] = labels.value(path, kBaseColour);
        if (!types[size_t(i)].isEmpty()) queryItems.push_back(i);
    }
    quality.queries = int(queryItems.size());
    if (queryItems.empty() || k <= 0) return quality;

    // Items are sorted by path, so i % folds spreads every kind of product over the folds.
    const bool crossValidate = folds > 1 && recipe.projectionWeight > 0;
    quality.folds = crossValidate ? folds : 0;
    double typeHits = 0, typeColourHits = 0;
    for (int fold = 0; fold < (crossValidate ? folds : 1); ++fold) {
        std::shared_ptr<const DiscriminantProjection> projection = given;
        if (crossValidate) {
            std::vector<QString> trainingLabels = types;
            for (size_t i = 0; i < trainingLabels.size(); ++i)
                if (int(i) % folds == fold) trainingLabels[i].clear(); // the queries' own fold stays out
            const std::vector<int> classes = DiscriminantProjection::classIds(trainingLabels);
            auto fitted = DiscriminantProjection::fit(store.vectors(), classes);
            if (!fitted) return quality; // fewer than two classes: nothing to measure
            projection = std::make_shared<const DiscriminantProjection>(std::move(*fitted));
        }
        const SearchSpace space(store, recipe, projection);
        std::vector<int> foldQueries;
        for (int item : queryItems)
            if (!crossValidate || item % folds == fold) foldQueries.push_back(item);
        RowMatrix queries(Eigen::Index(foldQueries.size()), space.dimension());
        for (size_t q = 0; q < foldQueries.size(); ++q) queries.row(Eigen::Index(q)) = space.itemQuery(foldQueries[q]);
        const auto results = space.searchMany(queries, k, foldQueries);
        for (size_t q = 0; q < foldQueries.size(); ++q) {
            const size_t query = size_t(foldQueries[q]);
            for (const SearchHit &hit : results[q]) {
                if (types[size_t(hit.item)] != types[query]) continue;
                typeHits += 1;
                if (colours[size_t(hit.item)] == colours[query]) typeColourHits += 1;
            }
        }
    }
    const double denominator = double(queryItems.size()) * k;
    quality.pAtKArticleType = typeHits / denominator;
    quality.pAtKArticleTypeColour = typeColourHits / denominator;
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
