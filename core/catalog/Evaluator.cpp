#include "Evaluator.h"

#include "CatalogScanner.h"
#include "GarmentColour.h"
#include "ImageLoader.h"
#include "ProjectionTuning.h"
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
    std::vector<QString> types, colours, families; // a family is empty when unknown (Multi, NA)
    std::vector<int> queries;
    ItemLabels(const EmbeddingStore &store, const StyleLabels &labels, const QHash<QString, QString> &familyOf = {})
        : types(size_t(store.size())), colours(size_t(store.size())), families(size_t(store.size()))
    {
        for (int i = 0; i < store.size(); ++i) {
            const QString &path = store.items()[size_t(i)].relativePath;
            types[size_t(i)] = labels.value(path, kArticleType);
            colours[size_t(i)] = labels.value(path, kBaseColour);
            families[size_t(i)] = familyOf.value(colours[size_t(i)]);
            if (!types[size_t(i)].isEmpty()) queries.push_back(i);
        }
    }
    bool sameType(int a, int b) const { return types[size_t(a)] == types[size_t(b)]; }
    bool sameColour(int a, int b) const { return !colours[size_t(a)].isEmpty() && colours[size_t(a)] == colours[size_t(b)]; }
    bool sameFamily(int a, int b) const { return !families[size_t(a)].isEmpty() && families[size_t(a)] == families[size_t(b)]; }
};

// One key for a pair of labels (an articleType and a colour), counted together.
QString labelPair(const QString &a, const QString &b) { return a + QChar(0x1f) + b; }

// The candidates a query's search needs and their colour re-ranking, as the product does it.
struct ColourStep {
    const ColourContext *colour;
    const EmbeddingRecipe &recipe;
    bool active() const { return colour && colour->colours && recipe.colourWeight > 0; }
    ColourRankingSettings settings() const { return (colour ? colour->settings : ColourRankingSettings{}).forRecipe(recipe); }
    // What a query alike its colour needs searched (any signature: only its presence counts).
    int candidates(int k) const
    {
        return active() ? ColourRanking::candidatesFor(ColourWish{Eigen::RowVectorXf::Ones(1), {}}, settings(), k) : k;
    }
    // signature: the query's colour, empty when the step is not active (then the first k);
    // rerank() keeps the first k of an empty wish itself.
    std::vector<SearchHit> apply(std::vector<SearchHit> hits, const Eigen::RowVectorXf &signature, int k) const
    {
        if (!active()) {
            if (hits.size() > size_t(k)) hits.resize(size_t(k));
            return hits;
        }
        return ColourRanking::rerank(std::move(hits), *colour->colours, ColourWish{signature, {}}, settings(), k);
    }
};

// How the queries are searched: without folds, in one space with `given`; with folds, fold
// f's queries in a space with projectionFor(f) whose augmentation mixes no item of fold f
// into another item's row.
struct FoldSetup {
    std::shared_ptr<const DiscriminantProjection> given;
    const CrossValidationFolds *folds = nullptr;
    Evaluator::FoldProjection projectionFor;
    Evaluator::Progress progress;
    const std::atomic_bool *cancel = nullptr;
};

// Calls visit(space, queries of the fold) for each fold of the setup (once without folds).
// Returns the folds used (0 without), or why a fold cannot be measured.
template <typename Visit>
Expected<int> forEachFold(const EmbeddingStore &store, const ItemLabels &labels, const EmbeddingRecipe &recipe,
                          const FoldSetup &setup, Visit &&visit)
{
    if (!setup.folds) {
        const SearchSpace space(store, recipe, setup.given, pools::search(), SearchSpace::Speed::Quick);
        visit(space, labels.queries);
        return 0;
    }
    const CrossValidationFolds &folds = *setup.folds;
    for (int fold = 0; fold < folds.folds(); ++fold) {
        if (setup.cancel && setup.cancel->load()) return Expected<int>::failure(QStringLiteral("cancelled"));
        std::vector<int> foldQueries;
        for (int item : labels.queries)
            if (folds.foldOf(item) == fold) foldQueries.push_back(item);
        if (foldQueries.empty())
            return Expected<int>::failure(QStringLiteral("fold %1 of %2 cannot be measured: none of its %3 items has an %4")
                                              .arg(fold + 1).arg(folds.folds()).arg(folds.itemsIn(fold)).arg(kArticleType));
        auto projection = setup.projectionFor(fold);
        if (!projection) return Expected<int>::failure(projection.error());
        // Searches are exact (searchMany): a coarse index would not be used.
        const std::vector<char> neighbours = folds.outside(fold);
        const SearchSpace space(store, recipe, *projection, pools::search(), SearchSpace::Speed::Quick, nullptr, &neighbours);
        visit(space, foldQueries);
        if (setup.progress) setup.progress(fold + 1, folds.folds());
    }
    return folds.folds();
}

// The setup leaveOneOut and relevanceFeedback ask for with a number of folds: grouped folds
// and refitted projections when the recipe has a learned projection and folds > 1.
struct OwnedFolds {
    std::optional<CrossValidationFolds> folds;
    FoldSetup setup;
};
std::unique_ptr<OwnedFolds> foldSetup(const EmbeddingStore &store, const StyleLabels &labels, const EmbeddingRecipe &recipe,
                                      int folds, std::shared_ptr<const DiscriminantProjection> given)
{
    auto owned = std::make_unique<OwnedFolds>();
    owned->setup.given = std::move(given);
    if (folds <= 1 || recipe.projectionWeight <= 0) return owned;
    owned->folds = CrossValidationFolds::grouped(store, labels, kArticleType, folds);
    owned->setup.folds = &*owned->folds;
    owned->setup.projectionFor = Evaluator::fittedOnTrainingFolds(store, labels, kArticleType, *owned->folds);
    return owned;
}

} // namespace

namespace {

// What a perfect ranker gets: for each query, min(k, other items sharing its labels) / k.
void addCeilings(CatalogQuality &quality, const ItemLabels &items, int k)
{
    QHash<QString, int> byType, byTypeColour, byTypeFamily;
    for (int item : items.queries) {
        ++byType[items.types[size_t(item)]];
        ++byTypeColour[labelPair(items.types[size_t(item)], items.colours[size_t(item)])];
        if (!items.families[size_t(item)].isEmpty()) ++byTypeFamily[labelPair(items.types[size_t(item)], items.families[size_t(item)])];
    }
    double type = 0, typeColour = 0, typeFamily = 0;
    for (int item : items.queries) {
        const QString &t = items.types[size_t(item)];
        type += std::min(k, byType.value(t) - 1);
        if (!items.colours[size_t(item)].isEmpty()) typeColour += std::min(k, byTypeColour.value(labelPair(t, items.colours[size_t(item)])) - 1);
        if (!items.families[size_t(item)].isEmpty()) typeFamily += std::min(k, byTypeFamily.value(labelPair(t, items.families[size_t(item)])) - 1);
    }
    const double denominator = double(items.queries.size()) * k;
    quality.ceilingArticleType = type / denominator;
    quality.ceilingArticleTypeColour = typeColour / denominator;
    quality.ceilingArticleTypeFamily = typeFamily / denominator;
}

} // namespace

namespace {

Expected<CatalogQuality> catalogQuality(const EmbeddingStore &store, const StyleLabels &labels,
                                        const EmbeddingRecipe &recipe, const FoldSetup &setup, int k,
                                        const ColourContext *colour)
{
    CatalogQuality quality;
    quality.catalogItems = store.size();
    const ItemLabels items(store, labels, colour ? colour->familyOf : QHash<QString, QString>());
    quality.queries = int(items.queries.size());
    if (items.queries.empty() || k <= 0) return quality;
    addCeilings(quality, items, k);
    const ColourStep colourStep{colour, recipe};
    double typeHits = 0, typeColourHits = 0, typeFamilyHits = 0;
    const auto used = forEachFold(store, items, recipe, setup, [&](const SearchSpace &space, const std::vector<int> &foldQueries) {
        RowMatrix queries(Eigen::Index(foldQueries.size()), space.dimension());
        for (size_t q = 0; q < foldQueries.size(); ++q) queries.row(Eigen::Index(q)) = space.itemQuery(foldQueries[q]);
        const auto results = space.searchMany(queries, colourStep.candidates(k), foldQueries);
        for (size_t q = 0; q < foldQueries.size(); ++q) {
            const int query = foldQueries[q];
            const Eigen::RowVectorXf signature = colourStep.active() ? colour->colours->signature(query) : Eigen::RowVectorXf();
            for (const SearchHit &hit : colourStep.apply(results[q], signature, k)) {
                if (!items.sameType(hit.item, query)) continue;
                typeHits += 1;
                if (items.sameColour(hit.item, query)) typeColourHits += 1;
                if (items.sameFamily(hit.item, query)) typeFamilyHits += 1;
            }
        }
    });
    if (!used) return Expected<CatalogQuality>::failure(used.error());
    quality.folds = *used;
    const double denominator = double(items.queries.size()) * k;
    quality.pAtKArticleType = typeHits / denominator;
    quality.pAtKArticleTypeColour = typeColourHits / denominator;
    quality.pAtKArticleTypeFamily = typeFamilyHits / denominator;
    return quality;
}

} // namespace

Expected<CatalogQuality> Evaluator::leaveOneOut(const EmbeddingStore &store, const StyleLabels &labels,
                                                const EmbeddingRecipe &recipe, int folds, int k,
                                                std::shared_ptr<const DiscriminantProjection> given,
                                                const ColourContext *colour)
{
    const auto owned = foldSetup(store, labels, recipe, folds, std::move(given));
    return catalogQuality(store, labels, recipe, owned->setup, k, colour);
}

Expected<CatalogQuality> Evaluator::heldOut(const EmbeddingStore &store, const StyleLabels &labels,
                                            const EmbeddingRecipe &recipe, const CrossValidationFolds &folds,
                                            const FoldProjection &projectionFor, const HeldOutRun &run)
{
    const FoldSetup setup{{}, &folds, projectionFor, run.progress, run.cancel};
    return catalogQuality(store, labels, recipe, setup, run.k, run.colour);
}

Evaluator::FoldProjection Evaluator::fittedOnTrainingFolds(const EmbeddingStore &store, const StyleLabels &labels,
                                                           const QString &column, const CrossValidationFolds &folds)
{
    std::vector<QString> values(size_t(store.size()));
    for (int i = 0; i < store.size(); ++i) values[size_t(i)] = labels.value(store.items()[size_t(i)].relativePath, column);
    return [&store, &folds, column, values = std::move(values)](int fold) {
        using Result = Expected<std::shared_ptr<const DiscriminantProjection>>;
        std::vector<QString> training = values;
        for (size_t i = 0; i < training.size(); ++i)
            if (folds.foldOf(int(i)) == fold) training[i].clear(); // the queries' own fold stays out
        const std::vector<int> classes = DiscriminantProjection::classIds(training);
        const int labelled = int(std::count_if(classes.begin(), classes.end(), [](int c) { return c >= 0; }));
        const int classCount = classes.empty() ? 0 : *std::max_element(classes.begin(), classes.end()) + 1;
        const QString which = QStringLiteral("fold %1 of %2 cannot be fitted: ").arg(fold + 1).arg(folds.folds());
        if (classCount < 2)
            return Result::failure(which + QStringLiteral("the other folds hold %1 items labelled by %2, in %3 %4 "
                                                          "(a projection needs two classes at least)")
                                               .arg(labelled).arg(column).arg(classCount)
                                               .arg(classCount == 1 ? QStringLiteral("class") : QStringLiteral("classes")));
        auto fitted = DiscriminantProjection::fit(store.vectors(), classes);
        if (!fitted) return Result::failure(which + fitted.error());
        return Result(std::make_shared<const DiscriminantProjection>(std::move(*fitted)));
    };
}

ChosenColourQuality Evaluator::chosenColour(const EmbeddingStore &store, const StyleLabels &labels,
                                            const EmbeddingRecipe &recipe, const ColourContext &colour, int k,
                                            std::shared_ptr<const DiscriminantProjection> projection)
{
    ChosenColourQuality quality;
    const ItemLabels items(store, labels, colour.familyOf);
    if (!colour.colours || items.queries.empty() || k <= 0) return quality;
    // Items per (articleType, family): which requests a perfect ranker could fill.
    QHash<QString, int> available;
    for (int item : items.queries)
        if (!items.families[size_t(item)].isEmpty()) ++available[labelPair(items.types[size_t(item)], items.families[size_t(item)])];
    const SearchSpace space(store, recipe, std::move(projection));
    const ColourRankingSettings settings = colour.settings.forRecipe(recipe);
    const int candidates = ColourRanking::candidatesFor(ColourWish{Eigen::RowVectorXf(), ColourModel::Choice{}}, settings, k);
    RowMatrix queries(Eigen::Index(items.queries.size()), space.dimension());
    for (size_t q = 0; q < items.queries.size(); ++q) queries.row(Eigen::Index(q)) = space.itemQuery(items.queries[q]);
    const auto results = space.searchMany(queries, candidates, items.queries);
    double family = 0, type = 0, both = 0;
    for (size_t q = 0; q < items.queries.size(); ++q) {
        const int query = items.queries[q];
        for (int f = 0; f < int(GarmentColour::basicNames().size()); ++f) {
            const QString wanted = GarmentColour::basicNames()[f];
            if (wanted == items.families[size_t(query)]) continue;
            if (available.value(labelPair(items.types[size_t(query)], wanted)) < k) continue;
            ++quality.requests;
            const ColourWish wish{Eigen::RowVectorXf(), ColourModel::Choice{f, -1}};
            for (const SearchHit &hit : ColourRanking::rerank(results[q], *colour.colours, wish, settings, k)) {
                const bool inFamily = items.families[size_t(hit.item)] == wanted;
                const bool inType = items.sameType(hit.item, query);
                family += inFamily ? 1 : 0;
                type += inType ? 1 : 0;
                both += inFamily && inType ? 1 : 0;
            }
        }
    }
    if (quality.requests == 0) return quality;
    const double denominator = double(quality.requests) * k;
    quality.pAtKFamily = family / denominator;
    quality.pAtKArticleType = type / denominator;
    quality.pAtKArticleTypeFamily = both / denominator;
    return quality;
}

Expected<FeedbackQuality> Evaluator::relevanceFeedback(const EmbeddingStore &store, const StyleLabels &labels,
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
    const auto owned = foldSetup(store, labels, recipe, folds, std::move(given));
    const auto used = forEachFold(store, items, recipe, owned->setup, [&](const SearchSpace &space, const std::vector<int> &foldQueries) {
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
    if (!used) return Expected<FeedbackQuality>::failure(used.error());
    quality.folds = *used;
    if (quality.eligible == 0) return quality;
    const double denominator = double(quality.eligible) * k;
    quality.pBefore = before / denominator;
    quality.pAfter = after / denominator;
    quality.pBeforeUnseen = beforeUnseen / denominator;
    quality.pAfterUnseen = afterUnseen / denominator;
    return quality;
}

int Evaluator::foldsNeeded(const EmbeddingStore &store, const EmbeddingRecipe &recipe, const QString &catalogRoot,
                           const DiscriminantProjection &projection)
{
    if (recipe.projectionWeight <= 0) return 0;
    return sharesTrainingItems(store, catalogRoot, projection) ? kCrossValidationFolds : 0;
}

StreetQuality Evaluator::streetQueries(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                       const EmbeddingStore &store, const StyleLabels &labels,
                                       const std::vector<LabelledImage> &queries, const LabelMap &map, int k,
                                       const Progress &onProgress,
                                       std::shared_ptr<const DiscriminantProjection> projection,
                                       const ColourContext *colour)
{
    StreetQuality quality;
    const ImageLoader loader;
    const SearchSpace space(store, recipe, std::move(projection));
    const ColourStep colourStep{colour, recipe};
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
            const Eigen::RowVectorXf signature =
                colourStep.active() ? colour->colours->signatureOf(GarmentColour::describe(images[i], ImageRole::OutsidePhoto))
                                    : Eigen::RowVectorXf();
            const auto hits = space.search(embeddings.row(Eigen::Index(i)), {colourStep.candidates(k), -1, nullptr});
            for (const SearchHit &hit : colourStep.apply(hits, signature, k)) {
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
