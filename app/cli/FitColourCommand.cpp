// lookbook-cli fit-colour: the colour model fitted to a catalog labelled with colours.
#include "CliSupport.h"

#include "ColourModel.h"
#include "ResourceLocator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonObject>

namespace lookbook::cli {

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
    auto catalog = openWithLabels(ctx);
    if (!catalog) return failure(catalog.error());
    if (!catalog->labels()) return failure(QStringLiteral("fitting needs labels: put a styles.csv in the catalog or pass --labels"));
    auto descriptions = garmentColours(*catalog);
    if (!descriptions) return failure(descriptions.error());

    std::vector<QString> labels;
    for (const CatalogFile &item : catalog->store()->items())
        labels.push_back(catalog->labels()->value(item.relativePath, ctx.parser.value(column)));
    QElapsedTimer clock;
    clock.start();
    auto model = ColourModel::fit(*descriptions, labels, *familyOf);
    if (!model) return failure(model.error());
    QJsonObject provenance = model->provenance();
    provenance.insert(QStringLiteral("catalog"), QFileInfo(ctx.catalog).fileName());
    provenance.insert(QStringLiteral("catalog_items"), catalog->size());
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

} // namespace lookbook::cli
