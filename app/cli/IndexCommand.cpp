// lookbook-cli index: builds or updates the catalog's cache (or one shard's partial cache), then its garment colours.
#include "CliSupport.h"

#include "CacheFiles.h"
#include "ColourStore.h"
#include "Indexer.h"
#include "TerminalProgress.h"

#include <QDir>
#include <QFileInfo>

#include <optional>

namespace lookbook::cli {

namespace {

// The garment colours of what is indexed (new and changed files only); why not, if they were not.
std::optional<QString> updateColours(const Context &ctx, const CatalogShard &shard)
{
    const OpenedStore opened = cacheFiles::open(ctx.cachePath, cacheFiles::identityFor(ModelDescriptor::builtIn(), ctx.recipe), shard);
    if (!opened.problem.isEmpty()) return opened.problem;
    TerminalProgress colourBar(QStringLiteral("garment colours"));
    auto colours = ColourStore::update(ctx.catalog, opened.store, ctx.cachePath,
                                       [&](int done, int total) { colourBar.update({done, total, 0, -1, {}}); }, &g_cancel);
    colourBar.finish();
    if (!colours) return colours.error();
    return std::nullopt;
}

void printReport(const Context &ctx, const CatalogShard &shard, const IndexReport &r, const std::optional<QString> &colourProblem)
{
    if (colourProblem) err() << "warning: the garment colours were not brought up to date: " << *colourProblem << '\n';
    if (!r.cacheProblem.isEmpty()) err() << "note: the old cache was rebuilt because " << r.cacheProblem << '\n';
    if (r.resumedBatches > 0) err() << "note: resumed " << r.resumedBatches << " batches from an interrupted run\n";
    out() << (r.cancelled ? "Indexing cancelled; what was done is saved. Run the same command to resume.\n" : "")
          << "Catalog: " << QDir::toNativeSeparators(QFileInfo(ctx.catalog).absoluteFilePath()) << " (" << r.catalogFiles << " images)\n"
          << (shard.isPart() ? QStringLiteral("Shard: %1 of %2 (%3 of the images)\n").arg(shard.index).arg(shard.count).arg(r.shardFiles) : QString())
          << "Embedded: " << r.embedded << " (" << r.changed << " changed)  Unchanged: " << r.unchanged
          << "  Removed: " << r.removed << "  Skipped: " << r.skipped.size() + size_t(r.skippedKnown) << '\n';
    for (const SkippedFile &s : r.skipped) out() << "  skipped " << s.file.relativePath << ": " << s.reason << '\n';
    if (r.skippedKnown > 0)
        out() << "  " << r.skippedKnown << " files skipped before and unchanged since were not retried\n";
    out() << "Time: " << formatDuration(r.seconds) << " ("
          << QString::number(r.seconds > 0 ? r.embedded / r.seconds : 0.0, 'f', 1) << " images/s)\n"
          << "Cache: " << QDir::toNativeSeparators(r.cachePath) << '\n';
    out().flush();
}

} // namespace

int runIndex(Context &ctx)
{
    QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("Images per network batch (default 16)."),
                             QStringLiteral("n"), QStringLiteral("16"));
    QCommandLineOption shardOption(QStringLiteral("shard"),
                                   QStringLiteral("Index only shard K of N (1 <= K <= N) into the partial cache named by --cache, "
                                                  "for lookbook-cli merge (docs/scale-out.md)."),
                                   QStringLiteral("K/N"));
    ctx.parser.addOptions({batch, shardOption});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    IndexOptions options;
    if (ctx.parser.isSet(shardOption)) {
        auto shard = CatalogShard::parse(ctx.parser.value(shardOption));
        if (!shard) return usageError(shard.error());
        if (!ctx.parser.isSet(ctx.common.cache))
            return usageError(QStringLiteral("--shard needs --cache PART: each shard writes a partial cache of its own"));
        options.shard = *shard;
    }
    auto model = loadModel(ctx);
    if (!model) return failure(model.error());

    options.batchSize = ctx.parser.value(batch).toInt();
    if (options.batchSize <= 0) return usageError(QStringLiteral("--batch takes a positive number"));
    const Indexer indexer(*model, ctx.recipe, options);
    TerminalProgress bar(QStringLiteral("indexing"));
    installInterruptHandler();
    auto report = indexer.update(ctx.catalog, ctx.cachePath, [&](const IndexProgress &p) { bar.update(p); }, &g_cancel);
    bar.finish();
    if (!report) {
        restoreInterruptHandler();
        return failure(report.error());
    }
    std::optional<QString> colourProblem;
    if (!report->cancelled) colourProblem = updateColours(ctx, options.shard);
    restoreInterruptHandler();

    printReport(ctx, options.shard, *report, colourProblem);
    return report->cancelled ? Cancelled : Ok;
}

} // namespace lookbook::cli
