#include "StoreBench.h"

#include "BenchSupport.h"
#include "CacheFiles.h"
#include "CatalogBench.h"
#include "ModelDescriptor.h"
#include "SearchSpace.h"

#include <QDir>
#include <QFile>

#include <optional>

namespace lookbook::bench {

namespace {

constexpr int kTop = 5;

QString residentLine(const QString &stage, double mbBefore)
{
    return QStringLiteral("  %1 resident +%2 MB (%3)\n").arg(stage, -34).arg(residentMb() - mbBefore, 0, 'f', 0).arg(residentParts());
}

// What stays resident as the window opens a cache and builds its spaces, stage by stage;
// the full space is saved beside the cache for the searches that follow.
bool measureMemory(const QString &cachePath, const RowMatrix &queries)
{
    const EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
    const StoreIdentity identity = cacheFiles::identityFor(ModelDescriptor::builtIn(), recipe);
    const double before = residentMb();
    std::optional<EmbeddingStore> store;
    const double openSeconds = secondsOf([&] {
        auto loaded = EmbeddingStore::load(cachePath, identity);
        if (loaded) store.emplace(std::move(*loaded));
    });
    if (!store) {
        out() << "the cache did not load\n";
        return false;
    }
    out() << QStringLiteral("  open the cache: %1 s\n").arg(openSeconds, 0, 'f', 3) << residentLine(QStringLiteral("after opening:"), before);

    EmbeddingRecipe quickRecipe = recipe;
    quickRecipe.augmentNeighbours = 0;
    quickRecipe.expansionNeighbours = 0;
    std::optional<SearchSpace> quick, full;
    const double quickSeconds = secondsOf([&] { quick.emplace(*store, quickRecipe, nullptr, pools::search(), SearchSpace::Speed::Quick); });
    out() << QStringLiteral("  quick space (projection, exact scans): %1 s\n").arg(quickSeconds, 0, 'f', 2)
          << residentLine(QStringLiteral("with the quick space:"), before);
    const double fullSeconds = secondsOf([&] { full.emplace(*store, recipe); });
    out() << QStringLiteral("  full space (coarse index: %1): %2 s\n")
                 .arg(full->hasCoarseIndex() ? QStringLiteral("yes") : QStringLiteral("no"))
                 .arg(fullSeconds, 0, 'f', 2)
          << residentLine(QStringLiteral("with both spaces:"), before);
    out().flush();

    const RowMatrix prepared = full->prepare(queries);
    for (Eigen::Index q = 0; q < prepared.rows(); ++q) quick->search(prepared.row(q), {kTop});
    out() << residentLine(QStringLiteral("after the quick space's searches:"), before);
    quick.reset(); // as the app drops it once the full space is ready
    for (Eigen::Index q = 0; q < prepared.rows(); ++q) full->search(prepared.row(q), {kTop});
    out() << residentLine(QStringLiteral("full space alone, after its searches:"), before);
    if (Status saved = full->save(cacheFiles::spacePath(cachePath)); !saved)
        out() << "space not saved: " << saved.error() << "\n";
    out().flush();
    return true;
}

// The items of the cache to write: their names, rows, and where the rows come from.
struct Items {
    std::vector<CatalogFile> files;
    RowMatrix rows;
    QString label;
};

std::optional<Items> syntheticItems(const StoreBenchOptions &options, int dimension)
{
    QString source;
    const RowMatrix base = baseRows(options.cache, dimension, &source);
    if (base.cols() != dimension) {
        out() << "the base rows need the default recipe's " << dimension
              << " dimensions: pass --cache with a cache of that recipe\n";
        return std::nullopt;
    }
    Items items;
    for (int i = 0; i < options.items; ++i)
        items.files.push_back({QStringLiteral("item%1.jpg").arg(i, 6, 10, QLatin1Char('0')), 1000 + i, 1});
    items.rows = syntheticRows(base, options.items, 5);
    items.label = QStringLiteral("synthetic rows mixed from %1").arg(source);
    return items;
}

// The real rows of several caches of disjoint catalogs side by side, each catalog under a
// link in `root` named after its cache, so that the merged catalog's files are there too.
std::optional<Items> mergedItems(const StoreBenchOptions &options, const StoreIdentity &identity, const QString &root)
{
    Items items;
    QStringList names;
    std::vector<RowMatrix> parts;
    for (const QString &pair : options.merge) {
        const QString cache = pair.section(u'=', 0, 0), folder = pair.section(u'=', 1);
        auto loaded = EmbeddingStore::load(cache, identity);
        if (!loaded) {
            out() << loaded.error() << "\n";
            return std::nullopt;
        }
        const QString name = QFileInfo(cache).completeBaseName();
        QFile::link(QFileInfo(folder).absoluteFilePath(), QDir(root).filePath(name));
        for (const CatalogFile &f : loaded->items()) items.files.push_back({name + u'/' + f.relativePath, f.size, f.modifiedMs});
        parts.push_back(loaded->vectors());
        names << QStringLiteral("%1 (%2 items)").arg(QFileInfo(cache).fileName()).arg(loaded->size());
    }
    items.rows.resize(Eigen::Index(items.files.size()), identity.dimension);
    Eigen::Index at = 0;
    for (const RowMatrix &part : parts) {
        items.rows.middleRows(at, part.rows()) = part;
        at += part.rows();
    }
    items.label = QStringLiteral("real rows of %1").arg(names.join(QStringLiteral(" + ")));
    return items;
}

} // namespace

int runStoreBench(const StoreBenchOptions &options)
{
    const EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
    const StoreIdentity identity = cacheFiles::identityFor(ModelDescriptor::builtIn(), recipe);
    const QString root = QDir(options.workDir).filePath(QStringLiteral("lookbook-bench-store"));
    QDir(root).removeRecursively();
    QDir().mkpath(root);
    const std::optional<Items> items =
        options.merge.isEmpty() ? syntheticItems(options, identity.dimension) : mergedItems(options, identity, root);
    if (!items) return 1;
    out() << QStringLiteral("== store and search space: %1 items, %2, recipe %3, %4 dimensions; %5\n")
                 .arg(items->files.size())
                 .arg(items->label, recipe.id())
                 .arg(identity.dimension)
                 .arg(loadLine());
    const QString cachePath = QDir(options.workDir).filePath(QStringLiteral("lookbook-bench-store.lbi"));
    {
        EmbeddingStore store(identity);
        store.upsert(items->files, items->rows);
        if (Status saved = store.save(cachePath); !saved) {
            out() << saved.error() << "\n";
            return 1;
        }
    }
    out() << QStringLiteral("cache written: %1 MB\n").arg(QFileInfo(cachePath).size() / 1e6, 0, 'f', 0);
    if (!measureMemory(cachePath, syntheticRows(items->rows, options.queries, 6))) return 1;

    // The same cache opened and searched as the product does, warm and cold.
    CatalogBenchOptions catalog;
    catalog.root = root;
    catalog.cache = cachePath;
    catalog.rowsLabel = items->label;
    catalog.queries = options.queries;
    catalog.describeColours = !options.merge.isEmpty();
    const int status = runCatalogBench(catalog);
    for (const QString &path : {cachePath, cacheFiles::spacePath(cachePath), cacheFiles::colourPath(cachePath)})
        QFile::remove(path);
    QDir(root).removeRecursively();
    return status;
}

} // namespace lookbook::bench
