// lookbook-cli merge: the catalog's cache from the partial caches of its shards
// (lookbook-cli index --shard K/N), bit for bit what one indexing run would make.
#include "CliSupport.h"

#include "CacheFiles.h"
#include "ShardMerge.h"
#include "TerminalProgress.h"

#include <QDir>
#include <QFileInfo>

namespace lookbook::cli {

int runMerge(Context &ctx)
{
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The catalog folder the parts were indexed from."));
    ctx.parser.addPositionalArgument(QStringLiteral("PART"), QStringLiteral("The partial caches, one per shard."),
                                     QStringLiteral("PART..."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    const QStringList parts = ctx.parser.positionalArguments().mid(2);
    if (parts.isEmpty())
        return usageError(QStringLiteral("merge needs the parts: lookbook-cli merge CATALOG PART... (one per shard)"));

    const StoreIdentity identity = cacheFiles::identityFor(ModelDescriptor::builtIn(), ctx.recipe);
    auto merged = ShardMerge::merge(ctx.catalog, parts, identity, ctx.cachePath);
    if (!merged) return failure(QStringLiteral("nothing was merged: %1").arg(merged.error()));
    const MergeReport &r = *merged;
    if (!r.coloursMerged)
        err() << "note: the garment colours were not merged (" << r.coloursProblem
              << "); they are described when the catalog is next indexed or opened\n";
    if (r.journalRemoved) err() << "note: the journal of an unfinished run over the whole catalog was removed: the merge supersedes it\n";
    out() << "Catalog: " << QDir::toNativeSeparators(ctx.catalog) << " (" << r.catalogFiles << " images)\n"
          << "Merged: " << r.parts << " parts, " << r.items << " embedded, " << r.skipped << " skipped\n"
          << "Time: " << formatDuration(r.seconds) << '\n'
          << "Cache: " << QDir::toNativeSeparators(r.cachePath) << '\n';
    out().flush();
    return Ok;
}

} // namespace lookbook::cli
