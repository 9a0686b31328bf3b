#include "CliSupport.h"

#include "CacheFiles.h"
#include "ResourceLocator.h"
#include "TerminalProgress.h"

#include <QDir>
#include <QFileInfo>

#include <csignal>
#include <cstdio>

namespace lookbook::cli {

std::atomic_bool g_cancel{false};

namespace {
extern "C" void onInterrupt(int) { g_cancel.store(true); }
} // namespace

void installInterruptHandler() { std::signal(SIGINT, onInterrupt); }
void restoreInterruptHandler() { std::signal(SIGINT, SIG_DFL); }

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

Common::Common()
    : model{QStringLiteral("model"),
            QStringLiteral("The ONNX model file (default: LOOKBOOK_MODEL, else the installed "
                           "model, else models/ in the shared folder)."),
            QStringLiteral("path")},
      recipe{QStringLiteral("recipe"),
             QStringLiteral("Embedding recipe: FIT-SIZE-POOL (FIT squash|pad|crop, POOL "
                            "max|avg|gem), then optional parts: clsW (class probabilities "
                            "at weight W), qFITSIZE (fit of outside photos), ldaW (learned "
                            "projection at weight W), dbaK, qeK (neighbour refinements). "
                            "Default: %1; the seed recipe is %2. See docs/quality.md.")
                 .arg(EmbeddingRecipe::defaultRecipe().id(), EmbeddingRecipe::seedRecipe().id()),
             QStringLiteral("id")},
      projection{QStringLiteral("projection"),
                 QStringLiteral("A projection fitted with 'fit-projection' to use instead of the "
                                "built-in one (recipes with an lda part)."),
                 QStringLiteral("file")},
      cache{QStringLiteral("cache"),
            QStringLiteral("The cache file (default: %1 in the catalog, or the app-data "
                           "folder when the catalog is read-only).")
                .arg(cacheFiles::kDefaultName),
            QStringLiteral("file")},
      json{QStringLiteral("json"), QStringLiteral("Print one JSON object instead of text.")},
      labels{QStringLiteral("labels"),
             QStringLiteral("A styles.csv with the catalog's labels (default: styles.csv in the catalog)."),
             QStringLiteral("csv")}
{
}

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

Expected<Catalog> openIndexed(const Context &ctx)
{
    auto catalog = Catalog::open(ctx.catalog, ctx.cachePath, ctx.recipe);
    if (!catalog) return catalog;
    if (catalog->size() == 0) {
        const QString why = catalog->cacheProblem().isEmpty() ? QStringLiteral("it is not indexed yet") : catalog->cacheProblem();
        return Expected<Catalog>::failure(
            QStringLiteral("the catalog %1 cannot be searched: %2. Run: lookbook-cli index \"%1\"%3")
                .arg(QDir::toNativeSeparators(ctx.catalog), why,
                     ctx.parser.isSet(ctx.common.cache) ? QStringLiteral(" --cache \"%1\"").arg(ctx.cachePath) : QString()));
    }
    return catalog;
}

Expected<Catalog> openWithLabels(const Context &ctx)
{
    auto catalog = openIndexed(ctx);
    if (!catalog) return catalog;
    // Labels are optional: a missing default styles.csv is fine, a named one that fails is an error.
    const bool named = ctx.parser.isSet(ctx.common.labels);
    const QString labelsPath = named ? ctx.parser.value(ctx.common.labels) : QString();
    if (Status loaded = catalog->loadLabels(labelsPath); !loaded) return Expected<Catalog>::failure(loaded.error());
    if (catalog->labels()) {
        const QString shownPath = named ? labelsPath : QDir(ctx.catalog).filePath(Catalog::kStylesCsv);
        for (const QString &warning : catalog->labels()->warnings())
            err() << "warning: " << shownPath << ": " << warning << '\n';
    }
    catalog->setProjection(ctx.projection);
    return catalog;
}

Expected<RowMatrix> garmentColours(const Catalog &catalog)
{
    TerminalProgress bar(QStringLiteral("garment colours"));
    auto colours = catalog.describeColours([&](int done, int total) { bar.update({done, total, 0, -1, {}}); });
    bar.finish();
    return colours;
}

} // namespace lookbook::cli
