#include "StoreBench.h"

#include "BenchSupport.h"
#include "CacheFiles.h"
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

} // namespace

int runStoreBench(const StoreBenchOptions &options)
{
    const EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
    const ModelDescriptor &model = ModelDescriptor::builtIn();
    const int dimension = EmbeddingModel::dimensionFor(model, recipe);
    out() << QStringLiteral("== store and search space: %1 items, recipe %2, %3 dimensions\n")
                 .arg(options.items).arg(recipe.id()).arg(dimension);
    const RowMatrix base = baseRows(options.cache, dimension);
    if (base.cols() != dimension) {
        out() << "the base rows need the default recipe's " << dimension << " dimensions: pass --cache with a cache of that recipe\n";
        return 1;
    }
    const QString cachePath = QDir(options.workDir).filePath(QStringLiteral("lookbook-bench-store.lbi"));
    {
        EmbeddingStore store(cacheFiles::identityFor(model, recipe));
        std::vector<CatalogFile> files;
        for (int i = 0; i < options.items; ++i) files.push_back({QStringLiteral("item%1.jpg").arg(i, 6, 10, QLatin1Char('0')), 1000 + i, 1});
        store.upsert(files, syntheticRows(base, options.items, 5));
        if (Status saved = store.save(cachePath); !saved) {
            out() << saved.error() << "\n";
            return 1;
        }
    }
    const RowMatrix queries = syntheticRows(base, options.queries, 6);
    out() << QStringLiteral("cache written: %1 MB\n").arg(QFileInfo(cachePath).size() / 1e6, 0, 'f', 0);

    const double before = residentMb();
    std::optional<EmbeddingStore> store;
    const double openSeconds = secondsOf([&] {
        auto loaded = EmbeddingStore::load(cachePath, cacheFiles::identityFor(model, recipe));
        if (loaded) store.emplace(std::move(*loaded));
    });
    if (!store) {
        out() << "the cache did not load\n";
        return 1;
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
    out() << QStringLiteral("  full space (+ augmentation, coarse index: %1): %2 s\n")
                 .arg(full->hasCoarseIndex() ? QStringLiteral("yes") : QStringLiteral("no")).arg(fullSeconds, 0, 'f', 2)
          << residentLine(QStringLiteral("with both spaces:"), before);
    out().flush();

    const RowMatrix prepared = full->prepare(queries);
    const double quickMs = medianMs(int(prepared.rows()), [&](int q) { quick->search(prepared.row(q), {kTop}); });
    out() << residentLine(QStringLiteral("after the quick space's searches:"), before);
    quick.reset(); // as the app drops it once the full space is ready
    const double fullMs = medianMs(int(prepared.rows()), [&](int q) { full->search(prepared.row(q), {kTop}); });
    out() << residentLine(QStringLiteral("full space alone, after its searches:"), before);
    // The same space searched exactly: its rows (augmented) scanned in full, with expansion.
    const auto exact = full->searchMany(prepared, kTop);
    double found = 0;
    for (Eigen::Index q = 0; q < prepared.rows(); ++q) {
        std::vector<int> reference, hits;
        for (const SearchHit &h : exact[size_t(q)]) reference.push_back(h.item);
        for (const SearchHit &h : full->search(prepared.row(q), {kTop})) hits.push_back(h.item);
        found += recall(reference, hits);
    }
    out() << QStringLiteral("  search, quick space (exact scan):           %1 ms/query\n").arg(quickMs, 0, 'f', 2)
          << QStringLiteral("  search, full space (coarse, 2 passes of QE): %1 ms/query, recall@5 against its exact search %2\n")
                 .arg(fullMs, 0, 'f', 2).arg(found / double(prepared.rows()), 0, 'f', 4);
    out().flush();
    full.reset();
    store.reset();
    QFile::remove(cachePath);
    return 0;
}

} // namespace lookbook::bench
