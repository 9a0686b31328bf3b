// lookbook-cli eval: retrieval quality by the protocol of docs/quality.md.
#include "CliSupport.h"

#include "ColourModel.h"
#include "Evaluator.h"
#include "ResourceLocator.h"
#include "TerminalProgress.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace lookbook::cli {

namespace {

// The options of the eval command.
struct EvalOptions {
    QCommandLineOption queries{QStringLiteral("queries"),
                               QStringLiteral("Consumer photos, one sub-folder per label."), QStringLiteral("dir")};
    QCommandLineOption labelMap{QStringLiteral("label-map"),
                                QStringLiteral("CSV mapping query labels to catalog articleTypes."), QStringLiteral("csv")};
    QCommandLineOption folds{QStringLiteral("folds"),
                             QStringLiteral("Cross-validation folds for the learned projection: its catalog "
                                            "figures come from projections fitted on the other folds' labels. "
                                            "Default: %1 when the projection was fitted on items of this "
                                            "catalog, else 0 (used as it is).").arg(kCrossValidationFolds),
                             QStringLiteral("n")};
    QCommandLineOption feedback{QStringLiteral("feedback"),
                                QStringLiteral("Also measure relevance feedback: for each query, like its first N "
                                               "correct results (simulated from the labels), refine and search again."),
                                QStringLiteral("N")};
    QCommandLineOption families{QStringLiteral("colour-families"),
                                QStringLiteral("A CSV of baseColour,family for the colour-family figures (default: "
                                               "data/colour-families.csv in the shared folder)."),
                                QStringLiteral("csv")};
    QCommandLineOption colourModel{QStringLiteral("colour-model"),
                                   QStringLiteral("A colour model fitted with 'fit-colour' to use instead of the built-in one."),
                                   QStringLiteral("file")};
};

// Everything the figures are measured with.
struct EvalInputs {
    int folds = 0;
    QHash<QString, QString> familyOf; // baseColour -> colour family
    std::shared_ptr<const CatalogColours> colours;
};

// Every figure measured, to be printed as text or JSON.
struct EvalFigures {
    CatalogQuality catalog;
    ChosenColourQuality chosen;
    std::optional<FeedbackQuality> refined;
    std::optional<StreetQuality> street;
    QJsonObject json;
};

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

// The folds, and for the colour figures the families of the labels' colours and the
// catalog's garment colours (read, or described now) for the colour re-ranking and "in
// another colour".
int readInputs(const Context &ctx, const EvalOptions &o, const Catalog &catalog, EvalInputs &inputs)
{
    const EmbeddingStore &store = *catalog.store();
    if (ctx.projection && ctx.projection->inputDimension() != store.dimension())
        return failure(QStringLiteral("the projection takes embeddings of %1 dimensions; this catalog's have %2")
                           .arg(ctx.projection->inputDimension()).arg(store.dimension()));
    inputs.folds = ctx.projection ? 0 : Evaluator::foldsNeeded(store, ctx.recipe, ctx.catalog);
    if (ctx.parser.isSet(o.folds)) {
        bool ok = false;
        inputs.folds = ctx.parser.value(o.folds).toInt(&ok);
        if (!ok || inputs.folds < 0 || inputs.folds == 1) return usageError(QStringLiteral("--folds takes 0 or a number from 2 up"));
    }
    const QString familiesPath = ctx.parser.isSet(o.families)
                                     ? ctx.parser.value(o.families)
                                     : ResourceLocator::sharedPath(QStringLiteral("data/colour-families.csv"));
    if (familiesPath.isEmpty())
        return failure(QStringLiteral("the colour-family figures need data/colour-families.csv: pass --colour-families CSV "
                                      "or set LOOKBOOK_SHARED to the shared folder"));
    auto familyOf = ColourModel::loadFamilies(familiesPath);
    if (!familyOf) return failure(familyOf.error());
    inputs.familyOf = std::move(*familyOf);
    auto model = loadColourModel(ctx, o.colourModel);
    if (!model) return failure(model.error());
    auto descriptions = garmentColours(catalog);
    if (!descriptions) return failure(descriptions.error());
    inputs.colours = Catalog::coloursFrom(*descriptions, *model);
    return Ok;
}

// Relevance feedback (--feedback N), when asked for.
int measureFeedback(const Context &ctx, const EvalOptions &o, const Catalog &catalog, int folds, EvalFigures &figures)
{
    if (!ctx.parser.isSet(o.feedback)) return Ok;
    const int likes = ctx.parser.value(o.feedback).toInt();
    if (likes <= 0) return usageError(QStringLiteral("--feedback takes a positive number of likes"));
    auto feedbackQuality = Evaluator::relevanceFeedback(*catalog.store(), *catalog.labels(), ctx.recipe, folds, Rocchio(),
                                                        likes, kProtocolK, ctx.projection);
    if (!feedbackQuality) return failure(feedbackQuality.error());
    figures.refined = *feedbackQuality;
    const FeedbackQuality &refined = *figures.refined;
    figures.json.insert(QStringLiteral("feedback_likes"), refined.likes);
    figures.json.insert(QStringLiteral("feedback_queries"), refined.eligible);
    figures.json.insert(QStringLiteral("feedback_p_at_5_before"), refined.pBefore);
    figures.json.insert(QStringLiteral("feedback_p_at_5_after"), refined.pAfter);
    figures.json.insert(QStringLiteral("feedback_p_at_5_unseen_before"), refined.pBeforeUnseen);
    figures.json.insert(QStringLiteral("feedback_p_at_5_unseen_after"), refined.pAfterUnseen);
    return Ok;
}

// Consumer photos against the catalog (--queries with --label-map), when asked for.
int measureStreet(const Context &ctx, const EvalOptions &o, const Catalog &catalog, const ColourContext &colour,
                  EvalFigures &figures)
{
    if (!ctx.parser.isSet(o.queries)) return Ok;
    auto map = LabelMap::load(ctx.parser.value(o.labelMap));
    if (!map) return failure(map.error());
    const auto images = listLabelledImages(ctx.parser.value(o.queries));
    if (images.empty())
        return failure(QStringLiteral("no query images in %1 (expected one sub-folder per label)")
                           .arg(ctx.parser.value(o.queries)));
    auto network = loadModel(ctx);
    if (!network) return failure(network.error());
    TerminalProgress bar(QStringLiteral("street queries"));
    figures.street = Evaluator::streetQueries(**network, ctx.recipe, *catalog.store(), *catalog.labels(), images, *map,
                                              kProtocolK, [&](int done, int total) { bar.update({done, total, 0, -1, {}}); },
                                              ctx.projection, &colour);
    bar.finish();
    const StreetQuality &street = *figures.street;
    figures.json.insert(QStringLiteral("street_queries"), street.queries);
    figures.json.insert(QStringLiteral("street_p_at_5_strict"), street.pAtKStrict);
    figures.json.insert(QStringLiteral("street_p_at_5_broad"), street.pAtKBroad);
    figures.json.insert(QStringLiteral("street_embed_ms_per_image"), street.embedMsPerImage);
    figures.json.insert(QStringLiteral("street_skipped"), int(street.skipped.size()));
    for (const auto &[file, why] : street.skipped) err() << "skipped " << file << ": " << why << '\n';
    return Ok;
}

QJsonObject catalogJson(const Context &ctx, const CatalogQuality &catalog, const ChosenColourQuality &chosen,
                        double catalogSeconds)
{
    return {{QStringLiteral("catalog_items"), catalog.catalogItems},
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
}

void printFigures(const Context &ctx, const EvalFigures &f)
{
    const CatalogQuality &catalog = f.catalog;
    const ChosenColourQuality &chosen = f.chosen;
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
    if (f.refined)
        out() << "Relevance feedback (" << f.refined->eligible << " of " << f.refined->queries << " queries had "
              << f.refined->likes << " correct results to like):\n"
              << "  P@5 first results        " << QString::number(f.refined->pBefore, 'f', 3) << '\n'
              << "  P@5 refined query        " << QString::number(f.refined->pAfter, 'f', 3) << '\n'
              << "  without the liked items  " << QString::number(f.refined->pBeforeUnseen, 'f', 3) << " -> "
              << QString::number(f.refined->pAfterUnseen, 'f', 3) << '\n';
    if (f.street)
        out() << "Consumer photos (" << f.street->queries << " queries against " << catalog.catalogItems << " items):\n"
              << "  P@5 strict               " << QString::number(f.street->pAtKStrict, 'f', 3) << '\n'
              << "  P@5 broad                " << QString::number(f.street->pAtKBroad, 'f', 3) << '\n'
              << "  embedding per photo      " << QString::number(f.street->embedMsPerImage, 'f', 0) << " ms\n";
    out().flush();
}

} // namespace

int runEval(Context &ctx)
{
    const EvalOptions o;
    ctx.parser.addOptions({ctx.common.labels, ctx.common.json, ctx.common.projection, o.queries, o.labelMap, o.folds,
                           o.feedback, o.families, o.colourModel});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (ctx.parser.isSet(o.queries) != ctx.parser.isSet(o.labelMap))
        return usageError(QStringLiteral("--queries and --label-map go together"));

    auto catalog = openWithLabels(ctx);
    if (!catalog) return failure(catalog.error());
    if (!catalog->labels())
        return failure(QStringLiteral("evaluation needs labels: put a styles.csv in the catalog or pass --labels"));
    EvalInputs inputs;
    if (const int code = readInputs(ctx, o, *catalog, inputs); code != Ok) return code;
    const ColourContext colour{inputs.familyOf, inputs.colours.get(), {}};

    QElapsedTimer clock;
    clock.start();
    const EmbeddingStore &store = *catalog->store();
    const StyleLabels &labels = *catalog->labels();
    const auto measured = Evaluator::leaveOneOut(store, labels, ctx.recipe, inputs.folds, kProtocolK, ctx.projection, &colour);
    if (!measured) return failure(measured.error()); // a fold that cannot be fitted or measured
    EvalFigures figures;
    figures.catalog = *measured;
    figures.chosen = Evaluator::chosenColour(store, labels, ctx.recipe, colour, kProtocolK, ctx.projection);
    figures.json = catalogJson(ctx, figures.catalog, figures.chosen, double(clock.nsecsElapsed()) / 1e9);
    if (const int code = measureFeedback(ctx, o, *catalog, inputs.folds, figures); code != Ok) return code;
    if (const int code = measureStreet(ctx, o, *catalog, colour, figures); code != Ok) return code;
    if (ctx.parser.isSet(ctx.common.json)) {
        out() << QJsonDocument(figures.json).toJson(QJsonDocument::Indented);
        return Ok;
    }
    printFigures(ctx, figures);
    return Ok;
}

} // namespace lookbook::cli
