#include "CliCommands.h"

#include "CacheFiles.h"
#include "ColourModel.h"
#include "ColourStore.h"
#include "EmbeddingModel.h"
#include "Evaluator.h"
#include "GarmentColour.h"
#include "ImageLoader.h"
#include "Indexer.h"
#include "NearDuplicateFinder.h"
#include "ProjectionTuning.h"
#include "QueryRegion.h"
#include "Recommender.h"
#include "ResourceLocator.h"
#include "ResultExporter.h"
#include "SearchSpace.h"
#include "StyleLabels.h"
#include "TerminalProgress.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace lookbook::cli {

namespace {

std::atomic_bool g_cancel{false};
extern "C" void onInterrupt(int) { g_cancel.store(true); }

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}
QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

const QString kStylesCsv = QStringLiteral("styles.csv");
const QStringList kShownLabels = {QStringLiteral("articleType"), QStringLiteral("baseColour"),
                                  QStringLiteral("gender"), QStringLiteral("productDisplayName")};

// Options every command shares.
struct Common {
    QCommandLineOption model{QStringLiteral("model"),
                             QStringLiteral("The ONNX model file (default: LOOKBOOK_MODEL, else the installed "
                                            "model, else models/ in the shared folder)."),
                             QStringLiteral("path")};
    QCommandLineOption recipe{QStringLiteral("recipe"),
                              QStringLiteral("Embedding recipe: FIT-SIZE-POOL (FIT squash|pad|crop, POOL "
                                             "max|avg|gem), then optional parts: clsW (class probabilities "
                                             "at weight W), qFITSIZE (fit of outside photos), ldaW (learned "
                                             "projection at weight W), dbaK, qeK (neighbour refinements). "
                                             "Default: %1; the seed recipe is %2. See docs/quality.md.")
                                  .arg(EmbeddingRecipe::defaultRecipe().id(), EmbeddingRecipe::seedRecipe().id()),
                              QStringLiteral("id")};
    QCommandLineOption projection{QStringLiteral("projection"),
                                  QStringLiteral("A projection fitted with 'fit-projection' to use instead of the "
                                                 "built-in one (recipes with an lda part)."),
                                  QStringLiteral("file")};
    QCommandLineOption cache{QStringLiteral("cache"),
                             QStringLiteral("The cache file (default: %1 in the catalog, or the app-data "
                                            "folder when the catalog is read-only).")
                                 .arg(cacheFiles::kDefaultName),
                             QStringLiteral("file")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print one JSON object instead of text.")};
    QCommandLineOption labels{QStringLiteral("labels"),
                              QStringLiteral("A styles.csv with the catalog's labels (default: styles.csv in the catalog)."),
                              QStringLiteral("csv")};
};

struct Context {
    const QStringList &arguments;
    QCommandLineParser &parser;
    const Common &common;
    EmbeddingRecipe recipe;
    QString catalog;
    QString cachePath;
    std::shared_ptr<const DiscriminantProjection> projection; // null: the built-in one
};

int usageError(const QString &message)
{
    err() << "lookbook-cli: " << message << "\nTry 'lookbook-cli --help'.\n";
    err().flush();
    return Usage;
}

int failure(const QString &message)
{
    err() << "lookbook-cli: " << message << '\n';
    err().flush();
    return Failed;
}

// Reads what every command shares once its parser has processed the arguments.
int prepareCatalog(Context &c)
{
    const QStringList args = c.parser.positionalArguments();
    if (args.size() < 2) return usageError(QStringLiteral("%1 needs a CATALOG folder").arg(args.value(0)));
    c.catalog = QFileInfo(args.at(1)).absoluteFilePath();
    if (!QFileInfo(c.catalog).isDir())
        return failure(QStringLiteral("the catalog folder %1 does not exist").arg(QDir::toNativeSeparators(c.catalog)));
    if (c.parser.isSet(c.common.recipe)) {
        const auto recipe = EmbeddingRecipe::fromId(c.parser.value(c.common.recipe));
        if (!recipe) return usageError(QStringLiteral("unknown recipe '%1'").arg(c.parser.value(c.common.recipe)));
        c.recipe = *recipe;
    }
    c.cachePath = c.parser.isSet(c.common.cache) ? QFileInfo(c.parser.value(c.common.cache)).absoluteFilePath()
                                                 : cacheFiles::defaultPath(c.catalog);
    // Only the commands that search take --projection.
    if (c.parser.optionNames().contains(c.common.projection.names().constFirst())) {
        auto loaded = DiscriminantProjection::load(c.parser.value(c.common.projection));
        if (!loaded) return failure(loaded.error());
        c.projection = std::make_shared<const DiscriminantProjection>(std::move(*loaded));
    }
    return Ok;
}

Expected<std::shared_ptr<EmbeddingModel>> loadModel(const Context &ctx)
{
    return ResourceLocator::loadModel(ModelDescriptor::builtIn(), ctx.parser.value(ctx.common.model));
}

// Labels are optional: a missing default styles.csv is fine, a named one that fails is an error.
Expected<std::optional<StyleLabels>> loadLabels(const Context &ctx)
{
    using Result = Expected<std::optional<StyleLabels>>;
    const bool named = ctx.parser.isSet(ctx.common.labels);
    const QString path = named ? ctx.parser.value(ctx.common.labels) : QDir(ctx.catalog).filePath(kStylesCsv);
    if (!named && !QFileInfo::exists(path)) return std::optional<StyleLabels>();
    auto labels = StyleLabels::load(path);
    if (!labels) return Result::failure(labels.error());
    for (const QString &warning : labels->warnings()) err() << "warning: " << path << ": " << warning << '\n';
    return std::optional<StyleLabels>(std::move(*labels));
}

// The catalog's store for searching: it must have been indexed with this model and recipe.
Expected<EmbeddingStore> openIndexed(const Context &ctx)
{
    const StoreIdentity identity = cacheFiles::identityFor(ModelDescriptor::builtIn(), ctx.recipe);
    OpenedStore opened = cacheFiles::open(ctx.cachePath, identity);
    if (opened.store.size() == 0) {
        const QString why = opened.problem.isEmpty() ? QStringLiteral("it has no index yet") : opened.problem;
        return Expected<EmbeddingStore>::failure(
            QStringLiteral("the catalog %1 cannot be searched: %2. Run: lookbook-cli index \"%1\"%3")
                .arg(QDir::toNativeSeparators(ctx.catalog), why,
                     ctx.parser.isSet(ctx.common.cache) ? QStringLiteral(" --cache \"%1\"").arg(ctx.cachePath) : QString()));
    }
    return std::move(opened.store);
}

// What the searching commands open: the indexed catalog and its labels (none without a styles.csv).
struct IndexedCatalog {
    EmbeddingStore store;
    std::optional<StyleLabels> labels;
};
Expected<IndexedCatalog> openWithLabels(const Context &ctx)
{
    auto store = openIndexed(ctx);
    if (!store) return Expected<IndexedCatalog>::failure(store.error());
    auto labels = loadLabels(ctx);
    if (!labels) return Expected<IndexedCatalog>::failure(labels.error());
    return IndexedCatalog{std::move(*store), std::move(*labels)};
}

// The catalog's garment colours, described now where they are missing or out of date.
Expected<RowMatrix> garmentColours(const Context &ctx, const EmbeddingStore &store)
{
    TerminalProgress bar(QStringLiteral("garment colours"));
    auto colours = ColourStore::update(ctx.catalog, store, ctx.cachePath,
                                       [&](int done, int total) { bar.update({done, total, 0, -1, {}}); });
    bar.finish();
    return colours;
}

int runIndex(Context &ctx)
{
    QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("Images per network batch (default 16)."),
                             QStringLiteral("n"), QStringLiteral("16"));
    ctx.parser.addOption(batch);
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    auto model = loadModel(ctx);
    if (!model) return failure(model.error());

    IndexOptions options;
    options.batchSize = ctx.parser.value(batch).toInt();
    if (options.batchSize <= 0) return usageError(QStringLiteral("--batch takes a positive number"));
    const Indexer indexer(*model, ctx.recipe, options);
    TerminalProgress bar(QStringLiteral("indexing"));
    std::signal(SIGINT, onInterrupt);
    auto report = indexer.update(ctx.catalog, ctx.cachePath, [&](const IndexProgress &p) { bar.update(p); }, &g_cancel);
    bar.finish();
    if (!report) {
        std::signal(SIGINT, SIG_DFL);
        return failure(report.error());
    }
    // Then the garment colours of what is indexed (new and changed files only).
    std::optional<QString> colourProblem;
    if (!report->cancelled) {
        auto indexed = openIndexed(ctx);
        TerminalProgress colourBar(QStringLiteral("garment colours"));
        auto colours = indexed ? ColourStore::update(ctx.catalog, *indexed, ctx.cachePath,
                                                     [&](int done, int total) { colourBar.update({done, total, 0, -1, {}}); },
                                                     &g_cancel)
                               : Expected<RowMatrix>::failure(indexed.error());
        colourBar.finish();
        if (!colours) colourProblem = colours.error();
    }
    std::signal(SIGINT, SIG_DFL);

    const IndexReport &r = *report;
    if (colourProblem) err() << "warning: the garment colours were not brought up to date: " << *colourProblem << '\n';
    if (!r.cacheProblem.isEmpty()) err() << "note: the old cache was rebuilt because " << r.cacheProblem << '\n';
    if (r.resumedBatches > 0) err() << "note: resumed " << r.resumedBatches << " batches from an interrupted run\n";
    out() << (r.cancelled ? "Indexing cancelled; what was done is saved. Run the same command to resume.\n" : "")
          << "Catalog: " << QDir::toNativeSeparators(QFileInfo(ctx.catalog).absoluteFilePath()) << " (" << r.catalogFiles << " images)\n"
          << "Embedded: " << r.embedded << " (" << r.changed << " changed)  Unchanged: " << r.unchanged
          << "  Removed: " << r.removed << "  Skipped: " << r.skipped.size() + size_t(r.skippedKnown) << '\n';
    for (const SkippedFile &s : r.skipped) out() << "  skipped " << s.file.relativePath << ": " << s.reason << '\n';
    if (r.skippedKnown > 0)
        out() << "  " << r.skippedKnown << " files skipped before and unchanged since were not retried\n";
    out() << "Time: " << formatDuration(r.seconds) << " ("
          << QString::number(r.seconds > 0 ? r.embedded / r.seconds : 0.0, 'f', 1) << " images/s)\n"
          << "Cache: " << QDir::toNativeSeparators(r.cachePath) << '\n';
    out().flush();
    return r.cancelled ? Cancelled : Ok;
}

QJsonObject labelsJson(const std::optional<StyleLabels> &labels, const QString &relativePath)
{
    QJsonObject object;
    if (!labels) return object;
    if (const StyleLabels::Row *row = labels->forFile(relativePath))
        for (auto it = row->cbegin(); it != row->cend(); ++it) object.insert(it.key(), it.value());
    return object;
}

// Pictures named on the command line, as queries (catalog files are recognised by Recommender).
std::vector<QueryInput> picturesAt(const QStringList &paths)
{
    std::vector<QueryInput> pictures;
    for (const QString &path : paths) {
        QueryInput picture;
        picture.localPath = QFileInfo(path).absoluteFilePath();
        picture.displayName = QDir::toNativeSeparators(path);
        pictures.push_back(picture);
    }
    return pictures;
}

// The results as text: what was searched, how, and each result with its labels.
void printResults(const RecommendRequest &request, const SearchOutcome &result, int catalogItems, bool embedded)
{
    out() << "Query: " << result.queryName
          << (result.queryInCatalog ? QStringLiteral(" (catalog items are left out of their own results)") : QString()) << '\n';
    if (!request.likedPictures.empty() || !request.dislikedPictures.empty())
        out() << "Refined by " << request.likedPictures.size() << " liked and " << request.dislikedPictures.size()
              << " disliked pictures\n";
    if (!result.filterDescription.isEmpty())
        out() << "Filter: " << result.filterDescription << " (" << result.allowedItems << " of " << catalogItems << " items)\n";
    out() << "Searched " << catalogItems << " items in " << QString::number(result.searchMs, 'f', 1) << " ms"
          << (embedded ? QStringLiteral("; embedding took %1 ms").arg(result.embedMs, 0, 'f', 0) : QString()) << "\n\n";
    if (result.results.empty()) out() << "No item matches the filter.\n";
    else out() << "rank  score  path\n";
    for (size_t i = 0; i < result.results.size(); ++i) {
        const ResultItem &item = result.results[i];
        out() << QStringLiteral("%1  %2  %3").arg(i + 1, 4).arg(double(item.score), 5, 'f', 3)
                     .arg(QDir::toNativeSeparators(item.absolutePath))
              << '\n';
        QStringList shown;
        for (const QString &column : kShownLabels)
            if (const QString v = item.labels.value(column); !v.isEmpty()) shown << v;
        if (!shown.isEmpty()) out() << "             " << shown.join(QStringLiteral(" | ")) << '\n';
    }
}


int runQuery(Context &ctx)
{
    QCommandLineOption k(QStringList{QStringLiteral("k")}, QStringLiteral("How many results (default 5)."),
                         QStringLiteral("n"), QStringLiteral("5"));
    QCommandLineOption filter(QStringLiteral("filter"),
                              QStringLiteral("Only items whose styles.csv FIELD is VALUE (articleType=Shirts, "
                                             "baseColour=Blue, ...), or under a subfolder (folder=men). Repeatable: "
                                             "values of one field are alternatives, fields must all match."),
                              QStringLiteral("FIELD=VALUE"));
    QCommandLineOption text(QStringLiteral("text"),
                            QStringLiteral("Only items whose product name (productDisplayName) has all these words."),
                            QStringLiteral("words"));
    QCommandLineOption region(QStringLiteral("region"),
                              QStringLiteral("Search for this part of IMAGE only, in pixels (one IMAGE)."),
                              QStringLiteral("X,Y,W,H"));
    QCommandLineOption centre(QStringLiteral("centre-crop"), QStringLiteral("Search for the middle of IMAGE only."));
    QCommandLineOption like(QStringLiteral("like"),
                            QStringLiteral("Refine toward this picture (a result you liked). Repeatable."),
                            QStringLiteral("IMAGE"));
    QCommandLineOption dislike(QStringLiteral("dislike"),
                               QStringLiteral("Refine away from this picture. Repeatable."), QStringLiteral("IMAGE"));
    QCommandLineOption exportTo(QStringLiteral("export"),
                                QStringLiteral("Also write the results to FILE, in the format its name ends in: .csv "
                                               "(rank, score, paths, labels), .json (as --json prints them) or .png "
                                               "(a contact sheet of the query and its results). Repeatable."),
                                QStringLiteral("file"));
    QCommandLineOption copyTo(QStringLiteral("copy-to"),
                              QStringLiteral("Also copy the result images into FOLDER (created if missing), named "
                                             "NN_name by rank; a file already there is never replaced (\"name (2)\")."),
                              QStringLiteral("folder"));
    QCommandLineOption colour(QStringLiteral("colour"),
                              QStringLiteral("The look of IMAGE in another colour: a family (black, brown, blue, grey, "
                                             "green, orange, pink, purple, red, white, yellow) or a colour such as "
                                             "\"Navy Blue\", judged from the items' pictures, not their labels."),
                              QStringLiteral("name"));
    ctx.parser.addOptions({k, filter, text, region, centre, like, dislike, exportTo, copyTo, colour});
    ctx.parser.addOption(ctx.common.json);
    ctx.parser.addOptions({ctx.common.labels, ctx.common.projection});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed catalog folder."));
    ctx.parser.addPositionalArgument(QStringLiteral("IMAGE"),
                                     QStringLiteral("The query image; several make one query (a mood board)."),
                                     QStringLiteral("IMAGE [IMAGE...]"));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    const QStringList imagePaths = ctx.parser.positionalArguments().mid(2);
    if (imagePaths.isEmpty()) return usageError(QStringLiteral("query takes CATALOG and at least one IMAGE"));
    RecommendRequest request;
    request.k = ctx.parser.value(k).toInt();
    if (request.k <= 0) return usageError(QStringLiteral("-k takes a positive number"));
    auto parsedFilter = ResultFilter::parse(ctx.parser.values(filter));
    if (!parsedFilter) return usageError(parsedFilter.error());
    request.filter = *parsedFilter;
    request.filter.setText(ctx.parser.value(text));
    request.pictures = picturesAt(imagePaths);
    request.likedPictures = picturesAt(ctx.parser.values(like));
    request.dislikedPictures = picturesAt(ctx.parser.values(dislike));
    request.colour = ctx.parser.value(colour).trimmed();
    if (ctx.parser.isSet(colour) && !ColourModel::builtIn().choose(request.colour))
        return usageError(QStringLiteral("--colour: '%1' is not a colour family (%2) or a known colour")
                              .arg(request.colour, GarmentColour::basicNames().join(QStringLiteral(", "))));
    // Refused before the search, which can take seconds: a wrong name is known at once.
    const QStringList exports = ctx.parser.values(exportTo);
    for (const QString &target : exports)
        if (Status format = ResultExporter::checkFormat(target); !format) return failure(format.error());
    if (ctx.parser.isSet(region) || ctx.parser.isSet(centre)) {
        if (imagePaths.size() != 1) return usageError(QStringLiteral("--region and --centre-crop take one IMAGE"));
        if (ctx.parser.isSet(region) && ctx.parser.isSet(centre))
            return usageError(QStringLiteral("give --region or --centre-crop, not both"));
        if (ctx.parser.isSet(region)) {
            auto rect = QueryRegion::parse(ctx.parser.value(region));
            if (!rect) return usageError(rect.error());
            request.pictures.front().region = *rect;
        } else {
            const auto image = ImageLoader().loadFile(imagePaths.front());
            if (!image) return failure(QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(imagePaths.front()), image.error()));
            request.pictures.front().region = QueryRegion::centre(QSize(image->cols, image->rows));
        }
    }

    auto opened = openWithLabels(ctx);
    if (!opened) return failure(opened.error());
    EmbeddingStore *const store = &opened->store;
    const std::optional<StyleLabels> *const labels = &opened->labels;

    QElapsedTimer clock;
    clock.start();
    const std::unique_ptr<const SearchSpace> space =
        SearchSpace::openOrBuild(cacheFiles::spacePath(ctx.cachePath), *store, ctx.recipe, ctx.projection);
    const double openMs = double(clock.nsecsElapsed()) / 1e6;
    if (!space->problem().isEmpty()) err() << "warning: " << space->problem() << '\n';
    const QString root = QFileInfo(ctx.catalog).absoluteFilePath();
    auto descriptions = garmentColours(ctx, *store);
    if (!descriptions) return failure(descriptions.error());
    const CatalogColours colours(*descriptions, ColourModel::builtInShared(), ColourRankingSettings{}.familyShare);
    const Recommender recommender(*store, *space, *labels ? &**labels : nullptr, root, &colours);

    // The network is loaded only when a picture is not a catalog item (whose vector is stored).
    const std::vector<QueryInput> all = request.allPictures();
    std::shared_ptr<EmbeddingModel> model;
    if (!std::all_of(all.begin(), all.end(), [&](const QueryInput &p) { return recommender.catalogItemOf(p) >= 0; })) {
        auto loaded = loadModel(ctx);
        if (!loaded) return failure(loaded.error());
        model = *loaded;
    }
    auto outcome = recommender.recommend(request, model.get(), ctx.recipe);
    if (!outcome) return failure(outcome.error());
    const SearchOutcome &result = *outcome;

    const bool json = ctx.parser.isSet(ctx.common.json);
    if (json) {
        QJsonObject doc = ResultExporter::toJson(result);
        QJsonArray queries;
        for (const QueryInput &picture : request.pictures) queries.append(picture.localPath);
        doc.insert(QStringLiteral("queries"), queries);
        doc.insert(QStringLiteral("liked"), int(request.likedPictures.size()));
        doc.insert(QStringLiteral("disliked"), int(request.dislikedPictures.size()));
        doc.insert(QStringLiteral("recipe"), ctx.recipe.id());
        doc.insert(QStringLiteral("open_ms"), openMs);
        doc.insert(QStringLiteral("embed_ms"), result.embedMs);
        doc.insert(QStringLiteral("search_ms"), result.searchMs);
        out() << QJsonDocument(doc).toJson(QJsonDocument::Indented);
    } else {
        printResults(request, result, store->size(), model != nullptr);
    }
    out().flush();

    // Exports and copies come after the results are printed, so a target that cannot be
    // written loses nothing of the search. With --json, stdout stays one JSON object.
    bool allDone = true;
    for (const QString &target : exports) {
        if (Status written = ResultExporter::exportTo(result, target); !written) {
            err() << "lookbook-cli: " << written.error() << '\n';
            allDone = false;
        } else if (!json) {
            out() << "Exported " << QDir::toNativeSeparators(QFileInfo(target).absoluteFilePath()) << '\n';
        }
    }
    if (ctx.parser.isSet(copyTo)) {
        const CopyReport report = ResultExporter::copyFiles(result, ctx.parser.value(copyTo));
        for (const FailedCopy &f : report.failed)
            err() << "lookbook-cli: not copied: #" << f.rank << ' ' << QDir::toNativeSeparators(f.source) << ": " << f.reason << '\n';
        if (!json)
            out() << "Copied " << report.copied.size() << " of " << result.results.size() << " images to "
                  << QDir::toNativeSeparators(report.folder) << '\n';
        allDone = allDone && report.failed.empty();
    }
    out().flush();
    err().flush();
    return allDone ? Ok : Failed;
}

// "0.612 (0.619 of 0.988)": a figure with its share of what a perfect ranker reaches.
QString withCeiling(double value, double ceiling)
{
    return QStringLiteral("%1  (%2 of the ceiling %3)")
        .arg(value, 0, 'f', 3)
        .arg(ceiling > 0 ? value / ceiling : 0.0, 0, 'f', 3)
        .arg(ceiling, 0, 'f', 3);
}

// The colour model named by `option`, else the built-in one.
Expected<std::shared_ptr<const ColourModel>> loadColourModel(const Context &ctx, const QCommandLineOption &option)
{
    using Result = Expected<std::shared_ptr<const ColourModel>>;
    if (!ctx.parser.isSet(option)) return ColourModel::builtInShared();
    auto loaded = ColourModel::load(ctx.parser.value(option));
    if (!loaded) return Result::failure(loaded.error());
    return std::shared_ptr<const ColourModel>(std::make_shared<const ColourModel>(std::move(*loaded)));
}

int runEval(Context &ctx)
{
    QCommandLineOption queries(QStringLiteral("queries"),
                               QStringLiteral("Consumer photos, one sub-folder per label."), QStringLiteral("dir"));
    QCommandLineOption labelMap(QStringLiteral("label-map"),
                                QStringLiteral("CSV mapping query labels to catalog articleTypes."), QStringLiteral("csv"));
    QCommandLineOption folds(QStringLiteral("folds"),
                             QStringLiteral("Cross-validation folds for the learned projection: its catalog "
                                            "figures come from projections fitted on the other folds' labels. "
                                            "Default: %1 when the projection was fitted on items of this "
                                            "catalog, else 0 (used as it is).").arg(kCrossValidationFolds),
                             QStringLiteral("n"));
    QCommandLineOption feedback(QStringLiteral("feedback"),
                                QStringLiteral("Also measure relevance feedback: for each query, like its first N "
                                               "correct results (simulated from the labels), refine and search again."),
                                QStringLiteral("N"));
    QCommandLineOption families(QStringLiteral("colour-families"),
                                QStringLiteral("A CSV of baseColour,family for the colour-family figures (default: "
                                               "data/colour-families.csv in the shared folder)."),
                                QStringLiteral("csv"));
    QCommandLineOption colourModel(QStringLiteral("colour-model"),
                                   QStringLiteral("A colour model fitted with 'fit-colour' to use instead of the built-in one."),
                                   QStringLiteral("file"));
    ctx.parser.addOptions({ctx.common.labels, ctx.common.json, ctx.common.projection, queries, labelMap, folds, feedback,
                           families, colourModel});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (ctx.parser.isSet(queries) != ctx.parser.isSet(labelMap))
        return usageError(QStringLiteral("--queries and --label-map go together"));

    auto opened = openWithLabels(ctx);
    if (!opened) return failure(opened.error());
    EmbeddingStore *const store = &opened->store;
    const std::optional<StyleLabels> *const labels = &opened->labels;
    if (!*labels)
        return failure(QStringLiteral("evaluation needs labels: put a styles.csv in the catalog or pass --labels"));

    if (ctx.projection && ctx.projection->inputDimension() != store->dimension())
        return failure(QStringLiteral("the projection takes embeddings of %1 dimensions; this catalog's have %2")
                           .arg(ctx.projection->inputDimension()).arg(store->dimension()));
    int foldCount = ctx.projection ? 0 : Evaluator::foldsNeeded(*store, ctx.recipe, ctx.catalog);
    if (ctx.parser.isSet(folds)) {
        bool ok = false;
        foldCount = ctx.parser.value(folds).toInt(&ok);
        if (!ok || foldCount < 0 || foldCount == 1) return usageError(QStringLiteral("--folds takes 0 or a number from 2 up"));
    }
    // The colour figures: the families of the labels' colours, and the catalog's garment
    // colours (read, or described now) for the colour re-ranking and "in another colour".
    const QString familiesPath = ctx.parser.isSet(families)
                                     ? ctx.parser.value(families)
                                     : ResourceLocator::sharedPath(QStringLiteral("data/colour-families.csv"));
    if (familiesPath.isEmpty())
        return failure(QStringLiteral("the colour-family figures need data/colour-families.csv: pass --colour-families CSV "
                                      "or set LOOKBOOK_SHARED to the shared folder"));
    auto familyOf = ColourModel::loadFamilies(familiesPath);
    if (!familyOf) return failure(familyOf.error());
    auto model = loadColourModel(ctx, colourModel);
    if (!model) return failure(model.error());
    auto descriptions = garmentColours(ctx, *store);
    if (!descriptions) return failure(descriptions.error());
    const CatalogColours catalogColours(*descriptions, *model, ColourRankingSettings{}.familyShare);
    const ColourContext colour{*familyOf, &catalogColours, {}};

    QElapsedTimer clock;
    clock.start();
    const auto measured = Evaluator::leaveOneOut(*store, **labels, ctx.recipe, foldCount, kProtocolK, ctx.projection, &colour);
    if (!measured) return failure(measured.error()); // a fold that cannot be fitted or measured
    const CatalogQuality &catalog = *measured;
    const ChosenColourQuality chosen = Evaluator::chosenColour(*store, **labels, ctx.recipe, colour, kProtocolK, ctx.projection);
    const double catalogSeconds = double(clock.nsecsElapsed()) / 1e9;
    QJsonObject json{{QStringLiteral("catalog_items"), catalog.catalogItems},
                     {QStringLiteral("queries"), catalog.queries},
                     {QStringLiteral("recipe"), ctx.recipe.id()},
                     {QStringLiteral("folds"), catalog.folds},
                     {QStringLiteral("catalog_seconds"), catalogSeconds},
                     {QStringLiteral("p_at_5_article_type"), catalog.pAtKArticleType},
                     {QStringLiteral("p_at_5_article_type_colour"), catalog.pAtKArticleTypeColour},
                     {QStringLiteral("p_at_5_article_type_colour_family"), catalog.pAtKArticleTypeFamily},
                     {QStringLiteral("ceiling_article_type"), catalog.ceilingArticleType},
                     {QStringLiteral("ceiling_article_type_colour"), catalog.ceilingArticleTypeColour},
                     {QStringLiteral("ceiling_article_type_colour_family"), catalog.ceilingArticleTypeFamily},
                     {QStringLiteral("chosen_colour_requests"), chosen.requests},
                     {QStringLiteral("chosen_colour_p_at_5_family"), chosen.pAtKFamily},
                     {QStringLiteral("chosen_colour_p_at_5_article_type"), chosen.pAtKArticleType},
                     {QStringLiteral("chosen_colour_p_at_5_article_type_family"), chosen.pAtKArticleTypeFamily}};
    std::optional<FeedbackQuality> refined;
    if (ctx.parser.isSet(feedback)) {
        const int likes = ctx.parser.value(feedback).toInt();
        if (likes <= 0) return usageError(QStringLiteral("--feedback takes a positive number of likes"));
        auto feedbackQuality = Evaluator::relevanceFeedback(*store, **labels, ctx.recipe, foldCount, Rocchio(), likes, kProtocolK, ctx.projection);
        if (!feedbackQuality) return failure(feedbackQuality.error());
        refined = *feedbackQuality;
        json.insert(QStringLiteral("feedback_likes"), refined->likes);
        json.insert(QStringLiteral("feedback_queries"), refined->eligible);
        json.insert(QStringLiteral("feedback_p_at_5_before"), refined->pBefore);
        json.insert(QStringLiteral("feedback_p_at_5_after"), refined->pAfter);
        json.insert(QStringLiteral("feedback_p_at_5_unseen_before"), refined->pBeforeUnseen);
        json.insert(QStringLiteral("feedback_p_at_5_unseen_after"), refined->pAfterUnseen);
    }
    std::optional<StreetQuality> street;
    if (ctx.parser.isSet(queries)) {
        auto map = LabelMap::load(ctx.parser.value(labelMap));
        if (!map) return failure(map.error());
        const auto images = listLabelledImages(ctx.parser.value(queries));
        if (images.empty())
            return failure(QStringLiteral("no query images in %1 (expected one sub-folder per label)")
                               .arg(ctx.parser.value(queries)));
        auto network = loadModel(ctx);
        if (!network) return failure(network.error());
        TerminalProgress bar(QStringLiteral("street queries"));
        street = Evaluator::streetQueries(**network, ctx.recipe, *store, **labels, images, *map, kProtocolK,
                                          [&](int done, int total) { bar.update({done, total, 0, -1, {}}); },
                                          ctx.projection, &colour);
        bar.finish();
        json.insert(QStringLiteral("street_queries"), street->queries);
        json.insert(QStringLiteral("street_p_at_5_strict"), street->pAtKStrict);
        json.insert(QStringLiteral("street_p_at_5_broad"), street->pAtKBroad);
        json.insert(QStringLiteral("street_embed_ms_per_image"), street->embedMsPerImage);
        json.insert(QStringLiteral("street_skipped"), int(street->skipped.size()));
        for (const auto &[file, why] : street->skipped) err() << "skipped " << file << ": " << why << '\n';
    }
    if (ctx.parser.isSet(ctx.common.json)) {
        out() << QJsonDocument(json).toJson(QJsonDocument::Indented);
        return Ok;
    }
    out() << "Recipe " << ctx.recipe.id() << ", protocol of docs/quality.md, k = " << kProtocolK << "\n"
          << "Catalog leave-one-out (" << catalog.catalogItems << " items, " << catalog.queries << " queries"
          << (catalog.folds > 0 ? QStringLiteral(", learned projection cross-validated over %1 folds").arg(catalog.folds)
                                : QString())
          << "):\n"
          << "  P@5 articleType          " << withCeiling(catalog.pAtKArticleType, catalog.ceilingArticleType) << '\n'
          << "  P@5 articleType+colour   " << withCeiling(catalog.pAtKArticleTypeColour, catalog.ceilingArticleTypeColour) << '\n'
          << "  P@5 articleType+family   " << withCeiling(catalog.pAtKArticleTypeFamily, catalog.ceilingArticleTypeFamily) << '\n';
    if (chosen.requests > 0)
        out() << "In another colour (" << chosen.requests << " requests: each query asks for each other colour family "
              << "with at least " << kProtocolK << " items of its articleType):\n"
              << "  P@5 requested family     " << QString::number(chosen.pAtKFamily, 'f', 3) << '\n'
              << "  P@5 articleType          " << QString::number(chosen.pAtKArticleType, 'f', 3) << '\n'
              << "  P@5 both                 " << QString::number(chosen.pAtKArticleTypeFamily, 'f', 3) << '\n';
    if (refined)
        out() << "Relevance feedback (" << refined->eligible << " of " << refined->queries << " queries had "
              << refined->likes << " correct results to like):\n"
              << "  P@5 first results        " << QString::number(refined->pBefore, 'f', 3) << '\n'
              << "  P@5 refined query        " << QString::number(refined->pAfter, 'f', 3) << '\n'
              << "  without the liked items  " << QString::number(refined->pBeforeUnseen, 'f', 3) << " -> "
              << QString::number(refined->pAfterUnseen, 'f', 3) << '\n';
    if (street)
        out() << "Consumer photos (" << street->queries << " queries against " << catalog.catalogItems << " items):\n"
              << "  P@5 strict               " << QString::number(street->pAtKStrict, 'f', 3) << '\n'
              << "  P@5 broad                " << QString::number(street->pAtKBroad, 'f', 3) << '\n'
              << "  embedding per photo      " << QString::number(street->embedMsPerImage, 'f', 0) << " ms\n";
    out().flush();
    return Ok;
}

// What fit-projection found, as text or JSON.
void printTuning(const ProjectionTuning &t, const QString &column, const QString &output, bool written, bool json,
                 double seconds)
{
    if (json) {
        const QJsonObject o{{QStringLiteral("catalog_items"), t.items},
                            {QStringLiteral("queries"), t.own.queries},
                            {QStringLiteral("column"), column},
                            {QStringLiteral("folds"), t.folds},
                            {QStringLiteral("groups"), t.groups},
                            {QStringLiteral("built_in_refitted"), t.builtInRefitted},
                            {QStringLiteral("deciding_figure"), t.decidingFigure},
                            {QStringLiteral("built_in_p_at_5_article_type"), t.builtIn.pAtKArticleType},
                            {QStringLiteral("built_in_p_at_5_article_type_colour"), t.builtIn.pAtKArticleTypeColour},
                            {QStringLiteral("own_p_at_5_article_type"), t.own.pAtKArticleType},
                            {QStringLiteral("own_p_at_5_article_type_colour"), t.own.pAtKArticleTypeColour},
                            {QStringLiteral("own_wins"), t.ownWins()},
                            {QStringLiteral("written"), written},
                            {QStringLiteral("output"), output},
                            {QStringLiteral("seconds"), seconds}};
        out() << QJsonDocument(o).toJson(QJsonDocument::Indented);
        out().flush();
        return;
    }
    const auto figure = [](double v) { return QString::number(v, 'f', 3); };
    out() << "Built-in projection -> one fitted on " << column << ", P@5 on this catalog's held-out folds ("
          << t.folds << " grouped folds, " << t.groups << " groups of siblings, " << t.own.queries << " queries):\n"
          << "  articleType          " << figure(t.builtIn.pAtKArticleType) << " -> " << figure(t.own.pAtKArticleType) << '\n'
          << "  articleType+colour   " << figure(t.builtIn.pAtKArticleTypeColour) << " -> "
          << figure(t.own.pAtKArticleTypeColour) << '\n';
    if (t.builtInRefitted)
        out() << "  (the built-in projection was fitted on files of this catalog: its figures are those of its fit "
                 "redone on the training folds)\n";
    const QString where = QDir::toNativeSeparators(output);
    if (t.ownWins())
        out() << "Its own projection wins on " << t.decidingFigure << ": fitted on "
              << t.projection->provenance().value(QStringLiteral("items")).toInt() << " items in "
              << t.projection->provenance().value(QStringLiteral("classes")).toInt() << ' ' << column << " classes, written to "
              << where << " in " << QString::number(seconds, 'f', 1) << " s\n";
    else
        out() << "The built-in projection does as well or better on " << t.decidingFigure << ": "
              << (written ? QStringLiteral("%1 written anyway (--force)").arg(where)
                          : QStringLiteral("%1 not written (--force writes it anyway)").arg(where))
              << '\n';
    out().flush();
}

// Fits the discriminant projection to a labelled, indexed catalog ("tune to my catalog";
// also how the built-in projection in models/ is made), and writes it only when it beats the
// built-in one on the catalog's held-out folds (tuneProjection), or with --force.
int runFitProjection(Context &ctx)
{
    QCommandLineOption output(QStringLiteral("output"), QStringLiteral("Where to write the projection."),
                              QStringLiteral("file"));
    QCommandLineOption column(QStringLiteral("column"),
                              QStringLiteral("The styles.csv column whose values are the classes (default: articleType)."),
                              QStringLiteral("name"), QStringLiteral("articleType"));
    QCommandLineOption force(QStringLiteral("force"),
                             QStringLiteral("Write the projection even when the built-in one does as well on the "
                                            "catalog's held-out folds."));
    ctx.parser.addOptions({ctx.common.labels, ctx.common.json, output, column, force});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed, labelled catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (!ctx.parser.isSet(output)) return usageError(QStringLiteral("fit-projection needs --output FILE"));
    auto opened = openWithLabels(ctx);
    if (!opened) return failure(opened.error());
    if (!opened->labels) return failure(QStringLiteral("fitting needs labels: put a styles.csv in the catalog or pass --labels"));

    const TuningRequest request{ctx.parser.value(column), ctx.catalog,
                                QStringLiteral("lookbook-cli ") + ctx.arguments.mid(1).join(u' '), kCrossValidationFolds};
    QElapsedTimer clock;
    clock.start();
    std::signal(SIGINT, onInterrupt);
    TerminalProgress bar(QStringLiteral("held-out folds"), QStringLiteral("steps/s"));
    auto tuning = tuneProjection(opened->store, *opened->labels, ctx.recipe, request,
                                 [&](int done, int total) { bar.update({done, total, 0, -1, {}}); }, &g_cancel);
    bar.finish();
    if (g_cancel.load()) return Cancelled;
    if (!tuning) return failure(tuning.error());
    const QString path = ctx.parser.value(output);
    const bool write = tuning->ownWins() || ctx.parser.isSet(force);
    if (write)
        if (Status saved = tuning->projection->save(path); !saved) return failure(saved.error());
    printTuning(*tuning, request.column, path, write, ctx.parser.isSet(ctx.common.json), double(clock.nsecsElapsed()) / 1e9);
    return write ? Ok : Failed;
}

// Fits the colour model to a labelled, indexed catalog (how models/fashion_colour_model.json
// is made, from the training catalog of ../shared).
int runFitColour(Context &ctx)
{
    QCommandLineOption output(QStringLiteral("output"), QStringLiteral("Where to write the colour model."),
                              QStringLiteral("file"));
    QCommandLineOption column(QStringLiteral("column"),
                              QStringLiteral("The styles.csv column with the colours (default: baseColour)."),
                              QStringLiteral("name"), QStringLiteral("baseColour"));
    QCommandLineOption families(QStringLiteral("families"),
                                QStringLiteral("A CSV of baseColour,family (default: data/colour-families.csv in the "
                                               "shared folder)."),
                                QStringLiteral("csv"));
    ctx.parser.addOptions({ctx.common.labels, output, column, families});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed, labelled catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (!ctx.parser.isSet(output)) return usageError(QStringLiteral("fit-colour needs --output FILE"));
    const QString familiesPath = ctx.parser.isSet(families)
                                     ? ctx.parser.value(families)
                                     : ResourceLocator::sharedPath(QStringLiteral("data/colour-families.csv"));
    if (familiesPath.isEmpty())
        return failure(QStringLiteral("no colour families: pass --families CSV or set LOOKBOOK_SHARED to the shared folder"));
    auto familyOf = ColourModel::loadFamilies(familiesPath);
    if (!familyOf) return failure(familyOf.error());
    auto opened = openWithLabels(ctx);
    if (!opened) return failure(opened.error());
    if (!opened->labels) return failure(QStringLiteral("fitting needs labels: put a styles.csv in the catalog or pass --labels"));
    auto descriptions = garmentColours(ctx, opened->store);
    if (!descriptions) return failure(descriptions.error());

    std::vector<QString> labels;
    for (const CatalogFile &item : opened->store.items())
        labels.push_back(opened->labels->value(item.relativePath, ctx.parser.value(column)));
    QElapsedTimer clock;
    clock.start();
    auto model = ColourModel::fit(*descriptions, labels, *familyOf);
    if (!model) return failure(model.error());
    QJsonObject provenance = model->provenance();
    provenance.insert(QStringLiteral("catalog"), QFileInfo(ctx.catalog).fileName());
    provenance.insert(QStringLiteral("catalog_items"), opened->store.size());
    provenance.insert(QStringLiteral("label_column"), ctx.parser.value(column));
    provenance.insert(QStringLiteral("families"), QFileInfo(familiesPath).fileName());
    provenance.insert(QStringLiteral("command"), QStringLiteral("lookbook-cli %1").arg(ctx.arguments.mid(1).join(u' ')));
    model->setProvenance(provenance);
    if (Status saved = model->save(ctx.parser.value(output)); !saved) return failure(saved.error());
    out() << "Fitted on " << provenance.value(QStringLiteral("items")).toInt() << " items in "
          << model->colours().size() << " colours in " << QString::number(double(clock.nsecsElapsed()) / 1e9, 'f', 1)
          << " s: " << QDir::toNativeSeparators(ctx.parser.value(output)) << '\n';
    out().flush();
    return Ok;
}

// Groups of near-duplicate items (NearDuplicateFinder): each item's nearest other item,
// linked when their cosine reaches the threshold.
int runDuplicates(Context &ctx)
{
    QCommandLineOption threshold(QStringLiteral("threshold"),
                                 QStringLiteral("Cosine similarity at and above which two items are near-duplicates, "
                                                "0 to 1 (default %1).")
                                     .arg(double(NearDuplicateFinder::kDefaultThreshold), 0, 'f', 2),
                                 QStringLiteral("t"), QString::number(double(NearDuplicateFinder::kDefaultThreshold), 'f', 2));
    ctx.parser.addOptions({threshold, ctx.common.json, ctx.common.labels});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (ctx.parser.positionalArguments().size() != 2) return usageError(QStringLiteral("duplicates takes CATALOG only"));
    bool ok = false;
    const float minimum = ctx.parser.value(threshold).toFloat(&ok);
    if (!ok || !(minimum >= 0.0f && minimum <= 1.0f)) return usageError(QStringLiteral("--threshold takes a number from 0 to 1"));

    auto opened = openWithLabels(ctx);
    if (!opened) return failure(opened.error());
    EmbeddingStore *const store = &opened->store;
    const std::optional<StyleLabels> *const labels = &opened->labels;

    QElapsedTimer clock;
    clock.start();
    const bool json = ctx.parser.isSet(ctx.common.json);
    std::optional<TerminalProgress> bar;
    if (!json) bar.emplace(QStringLiteral("comparing"), QStringLiteral("items/s"));
    const auto found = NearDuplicateFinder(minimum).find(store->rows(), [&](int done, int total) {
        if (bar) bar->update({done, total, 0, -1, {}});
    });
    if (bar) bar->finish();
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    Q_ASSERT(found); // only a cancelled search gives nothing, and this one has no cancel flag

    const QString root = QFileInfo(ctx.catalog).absoluteFilePath();
    auto pathOf = [&](int item) -> const QString & { return store->items()[size_t(item)].relativePath; };
    if (json) {
        QJsonArray groups;
        for (const DuplicateGroup &group : found->groups) {
            QJsonArray items;
            for (const int item : group.items)
                items.append(QJsonObject{{QStringLiteral("path"), QDir(root).filePath(pathOf(item))},
                                         {QStringLiteral("relative_path"), pathOf(item)},
                                         {QStringLiteral("nearest_score"), double(found->nearest[size_t(item)].score)},
                                         {QStringLiteral("labels"), labelsJson(*labels, pathOf(item))}});
            groups.append(QJsonObject{{QStringLiteral("score"), double(group.score)}, {QStringLiteral("items"), items}});
        }
        const QJsonObject doc{{QStringLiteral("catalog"), root},
                              {QStringLiteral("catalog_items"), store->size()},
                              {QStringLiteral("threshold"), double(minimum)},
                              {QStringLiteral("duplicate_items"), found->duplicateItems()},
                              {QStringLiteral("find_ms"), ms},
                              {QStringLiteral("groups"), groups}};
        out() << QJsonDocument(doc).toJson(QJsonDocument::Indented);
        return Ok;
    }
    // Each item with the cosine to its nearest other item, which is in its group.
    for (size_t g = 0; g < found->groups.size(); ++g) {
        const DuplicateGroup &group = found->groups[g];
        out() << "Group " << g + 1 << ": " << group.items.size() << " items, best "
              << QString::number(double(group.score), 'f', 3) << '\n';
        for (const int item : group.items) {
            const QString label = *labels ? (*labels)->value(pathOf(item), QStringLiteral("articleType")) : QString();
            out() << "  " << QString::number(double(found->nearest[size_t(item)].score), 'f', 3) << "  "
                  << QDir::toNativeSeparators(pathOf(item)) << (label.isEmpty() ? QString() : QStringLiteral("  (%1)").arg(label))
                  << '\n';
        }
    }
    out() << (found->groups.empty() ? "" : "\n") << found->groups.size() << " groups, " << found->duplicateItems()
          << " items, threshold " << QString::number(double(minimum), 'f', 3) << ", " << QString::number(ms, 'f', 0)
          << " ms (" << store->size() << " items compared)\n";
    out().flush();
    return Ok;
}

} // namespace

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Lookbook: find the catalog items that look most like an image.\n\n"
                       "Commands:\n"
                       "  index CATALOG               build or update the catalog's embedding cache\n"
                       "  query CATALOG IMAGE...      the items most like IMAGE (-k N, --filter F=V, --text W,\n"
                       "                              --region X,Y,W,H, --like/--dislike IMAGE, --json,\n"
                       "                              --export FILE.csv|.json|.png, --copy-to FOLDER)\n"
                       "  eval CATALOG                retrieval quality by the protocol of docs/quality.md\n"
                       "  fit-projection CATALOG      fit the learned projection to a labelled catalog (kept if it wins)\n"
                       "  fit-colour CATALOG          fit the colour model to a catalog labelled with colours\n"
                       "  duplicates CATALOG          groups of near-duplicate items (--threshold T, --json)\n\n"
                       "'lookbook-cli COMMAND --help' lists a command's options."));
    parser.addHelpOption();
    parser.addVersionOption();
    const Common common;
    parser.addOptions({common.model, common.recipe, common.cache});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("index, query, eval, fit-projection, fit-colour or duplicates"));
    parser.parse(arguments); // a first pass to find the command; errors are reported by process()

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    if (command.isEmpty()) {
        if (parser.isSet(QStringLiteral("version")) || parser.isSet(QStringLiteral("help"))) parser.process(arguments);
        return usageError(QStringLiteral("no command given (index, query, eval, fit-projection, fit-colour or duplicates)"));
    }
    parser.clearPositionalArguments();
    parser.addPositionalArgument(command, QStringLiteral("The command."), command);

    Context ctx{arguments, parser, common, EmbeddingRecipe::defaultRecipe(), {}, {}, {}};
    using Handler = int (*)(Context &);
    Handler handler = command == QLatin1String("index") ? runIndex
                    : command == QLatin1String("query") ? runQuery
                    : command == QLatin1String("eval")  ? runEval
                    : command == QLatin1String("fit-projection") ? runFitProjection
                    : command == QLatin1String("fit-colour") ? runFitColour
                    : command == QLatin1String("duplicates") ? runDuplicates
                                                        : nullptr;
    if (!handler) return usageError(QStringLiteral("unknown command '%1' (index, query, eval, fit-projection, fit-colour or duplicates)").arg(command));

    return handler(ctx);
}

} // namespace lookbook::cli
