// lookbook-cli query: the catalog items most like one or more pictures.
#include "CliSupport.h"

#include "ColourModel.h"
#include "GarmentColour.h"
#include "ImageLoader.h"
#include "QueryRegion.h"
#include "ResultExporter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lookbook::cli {

namespace {

const QStringList kShownLabels = {QStringLiteral("articleType"), QStringLiteral("baseColour"),
                                  QStringLiteral("gender"), QStringLiteral("productDisplayName")};

// The options of the query command.
struct QueryOptions {
    QCommandLineOption k{QStringList{QStringLiteral("k")}, QStringLiteral("How many results (default 5)."),
                         QStringLiteral("n"), QStringLiteral("5")};
    QCommandLineOption filter{QStringLiteral("filter"),
                              QStringLiteral("Only items whose styles.csv FIELD is VALUE (articleType=Shirts, "
                                             "baseColour=Blue, ...), or under a subfolder (folder=men). Repeatable: "
                                             "values of one field are alternatives, fields must all match."),
                              QStringLiteral("FIELD=VALUE")};
    QCommandLineOption text{QStringLiteral("text"),
                            QStringLiteral("Only items whose product name (productDisplayName) has all these words."),
                            QStringLiteral("words")};
    QCommandLineOption region{QStringLiteral("region"),
                              QStringLiteral("Search for this part of IMAGE only, in pixels (one IMAGE)."),
                              QStringLiteral("X,Y,W,H")};
    QCommandLineOption centre{QStringLiteral("centre-crop"), QStringLiteral("Search for the middle of IMAGE only.")};
    QCommandLineOption like{QStringLiteral("like"),
                            QStringLiteral("Refine toward this picture (a result you liked). Repeatable."),
                            QStringLiteral("IMAGE")};
    QCommandLineOption dislike{QStringLiteral("dislike"),
                               QStringLiteral("Refine away from this picture. Repeatable."), QStringLiteral("IMAGE")};
    QCommandLineOption exportTo{QStringLiteral("export"),
                                QStringLiteral("Also write the results to FILE, in the format its name ends in: .csv "
                                               "(rank, score, paths, labels), .json (as --json prints them) or .png "
                                               "(a contact sheet of the query and its results). Repeatable."),
                                QStringLiteral("file")};
    QCommandLineOption copyTo{QStringLiteral("copy-to"),
                              QStringLiteral("Also copy the result images into FOLDER (created if missing), named "
                                             "NN_name by rank; a file already there is never replaced (\"name (2)\")."),
                              QStringLiteral("folder")};
    QCommandLineOption colour{QStringLiteral("colour"),
                              QStringLiteral("The look of IMAGE in another colour: a family (black, brown, blue, grey, "
                                             "green, orange, pink, purple, red, white, yellow) or a colour such as "
                                             "\"Navy Blue\", judged from the items' pictures, not their labels."),
                              QStringLiteral("name")};
};

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

// The part of the one query picture to search for (--region or --centre-crop), if any.
int readRegion(const Context &ctx, const QueryOptions &o, const QStringList &imagePaths, RecommendRequest &request)
{
    if (!ctx.parser.isSet(o.region) && !ctx.parser.isSet(o.centre)) return Ok;
    if (imagePaths.size() != 1) return usageError(QStringLiteral("--region and --centre-crop take one IMAGE"));
    if (ctx.parser.isSet(o.region) && ctx.parser.isSet(o.centre))
        return usageError(QStringLiteral("give --region or --centre-crop, not both"));
    if (ctx.parser.isSet(o.region)) {
        auto rect = QueryRegion::parse(ctx.parser.value(o.region));
        if (!rect) return usageError(rect.error());
        request.pictures.front().region = *rect;
    } else {
        const auto image = ImageLoader().loadFile(imagePaths.front());
        if (!image) return failure(QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(imagePaths.front()), image.error()));
        request.pictures.front().region = QueryRegion::centre(QSize(image->cols, image->rows));
    }
    return Ok;
}

// The request the options make; every mistake is refused before the search, which can take
// seconds, so a wrong name is known at once.
int readRequest(const Context &ctx, const QueryOptions &o, const QStringList &imagePaths, RecommendRequest &request)
{
    request.k = ctx.parser.value(o.k).toInt();
    if (request.k <= 0) return usageError(QStringLiteral("-k takes a positive number"));
    auto parsedFilter = ResultFilter::parse(ctx.parser.values(o.filter));
    if (!parsedFilter) return usageError(parsedFilter.error());
    request.filter = *parsedFilter;
    request.filter.setText(ctx.parser.value(o.text));
    request.pictures = picturesAt(imagePaths);
    request.likedPictures = picturesAt(ctx.parser.values(o.like));
    request.dislikedPictures = picturesAt(ctx.parser.values(o.dislike));
    request.colour = ctx.parser.value(o.colour).trimmed();
    if (ctx.parser.isSet(o.colour) && !ColourModel::builtIn().choose(request.colour))
        return usageError(QStringLiteral("--colour: '%1' is not a colour family (%2) or a known colour")
                              .arg(request.colour, GarmentColour::basicNames().join(QStringLiteral(", "))));
    for (const QString &target : ctx.parser.values(o.exportTo))
        if (Status format = ResultExporter::checkFormat(target); !format) return failure(format.error());
    return readRegion(ctx, o, imagePaths, request);
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

void printJson(const Context &ctx, const RecommendRequest &request, const SearchOutcome &result, double openMs)
{
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
}

// Exports and copies come after the results are printed, so a target that cannot be
// written loses nothing of the search. With --json, stdout stays one JSON object.
bool exportResults(const Context &ctx, const QueryOptions &o, const SearchOutcome &result, bool json)
{
    bool allDone = true;
    for (const QString &target : ctx.parser.values(o.exportTo)) {
        if (Status written = ResultExporter::exportTo(result, target); !written) {
            err() << "lookbook-cli: " << written.error() << '\n';
            allDone = false;
        } else if (!json) {
            out() << "Exported " << QDir::toNativeSeparators(QFileInfo(target).absoluteFilePath()) << '\n';
        }
    }
    if (ctx.parser.isSet(o.copyTo)) {
        const CopyReport report = ResultExporter::copyFiles(result, ctx.parser.value(o.copyTo));
        for (const FailedCopy &f : report.failed)
            err() << "lookbook-cli: not copied: #" << f.rank << ' ' << QDir::toNativeSeparators(f.source) << ": " << f.reason << '\n';
        if (!json)
            out() << "Copied " << report.copied.size() << " of " << result.results.size() << " images to "
                  << QDir::toNativeSeparators(report.folder) << '\n';
        allDone = allDone && report.failed.empty();
    }
    return allDone;
}

} // namespace

int runQuery(Context &ctx)
{
    const QueryOptions o;
    ctx.parser.addOptions({o.k, o.filter, o.text, o.region, o.centre, o.like, o.dislike, o.exportTo, o.copyTo, o.colour});
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
    if (const int code = readRequest(ctx, o, imagePaths, request); code != Ok) return code;

    auto catalog = openWithLabels(ctx);
    if (!catalog) return failure(catalog.error());
    QElapsedTimer clock;
    clock.start();
    const std::shared_ptr<const SearchSpace> space = catalog->openOrBuildSpace();
    const double openMs = double(clock.nsecsElapsed()) / 1e6;
    if (!space->problem().isEmpty()) err() << "warning: " << space->problem() << '\n';
    auto descriptions = garmentColours(*catalog);
    if (!descriptions) return failure(descriptions.error());
    catalog->setColours(Catalog::coloursFrom(*descriptions));

    // The network is loaded only when a picture is not a catalog item (whose vector is stored).
    std::shared_ptr<EmbeddingModel> model;
    if (catalog->needsModel(request.allPictures())) {
        auto loaded = loadModel(ctx);
        if (!loaded) return failure(loaded.error());
        model = *loaded;
    }
    auto outcome = catalog->recommend(request, *space, model.get());
    if (!outcome) return failure(outcome.error());

    const bool json = ctx.parser.isSet(ctx.common.json);
    if (json) printJson(ctx, request, *outcome, openMs);
    else printResults(request, *outcome, catalog->size(), model != nullptr);
    out().flush();
    const bool allDone = exportResults(ctx, o, *outcome, json);
    out().flush();
    err().flush();
    return allDone ? Ok : Failed;
}

} // namespace lookbook::cli
