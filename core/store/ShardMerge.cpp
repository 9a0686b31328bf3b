#include "ShardMerge.h"

#include "CacheFiles.h"
#include "CacheLock.h"
#include "ColourStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <memory>
#include <unordered_map>

namespace lookbook {

namespace {

QString shown(const QString &path) { return QDir::toNativeSeparators(path); }

struct Part {
    QString path;
    EmbeddingStore store;
    std::unique_ptr<CacheLock> lock; // held while merging, so no shard run rewrites the part meanwhile
};

// Where a file of the catalog is in the parts: its part and its row, or its entry among
// the part's skipped files.
struct Source {
    int part = -1;
    int row = -1;     // -1: a skipped file
    int skipped = -1;
};

Expected<Part> openPart(const QString &path, const StoreIdentity &identity)
{
    using Result = Expected<Part>;
    if (!QFileInfo(path).isFile()) return Result::failure(QStringLiteral("the part %1 does not exist").arg(shown(path)));
    auto lock = CacheLock::acquire(path, 0);
    if (!lock) return Result::failure(QStringLiteral("the part %1 is being written now: %2").arg(shown(path), lock.error()));
    if (QFileInfo::exists(cacheFiles::journalPath(path)))
        return Result::failure(QStringLiteral("the part %1 is not finished: its run was interrupted (%2 is beside it). "
                                              "Run its shard again to finish it, then merge")
                                   .arg(shown(path), shown(cacheFiles::journalPath(path))));
    auto store = EmbeddingStore::load(path, identity);
    if (!store) return Result::failure(QStringLiteral("the part %1 cannot be used: %2").arg(shown(path), store.error()));
    if (!store->shard().isPart())
        return Result::failure(QStringLiteral("%1 is the cache of a whole catalog, not a part made with "
                                              "lookbook-cli index --shard K/N").arg(shown(path)));
    return Part{path, std::move(*store), std::move(*lock)};
}

// Each shard of one split exactly once, and all indexed against one listing of the catalog.
Status checkSplit(const std::vector<Part> &parts)
{
    const CatalogShard &first = parts.front().store.shard();
    std::vector<const Part *> byShard(size_t(first.count) + 1, nullptr);
    for (const Part &part : parts) {
        const CatalogShard &shard = part.store.shard();
        if (shard.count != first.count)
            return Status::failure(QStringLiteral("the parts split the catalog in different ways: %1 holds %2, %3 holds %4")
                                       .arg(shown(parts.front().path), first.describe(), shown(part.path), shard.describe()));
        if (const Part *other = byShard[size_t(shard.index)])
            return Status::failure(QStringLiteral("%1 and %2 both hold %3").arg(shown(other->path), shown(part.path), shard.describe()));
        byShard[size_t(shard.index)] = &part;
        if (!(shard.listing == first.listing))
            return Status::failure(QStringLiteral("%1 and %2 were indexed from different catalogs, or from this catalog at "
                                                  "different times (%3 and %4 files): run both shards again, which "
                                                  "embeds only what changed")
                                       .arg(shown(parts.front().path), shown(part.path))
                                       .arg(first.listing.files)
                                       .arg(shard.listing.files));
    }
    QStringList missing;
    for (int k = 1; k <= first.count; ++k)
        if (!byShard[size_t(k)]) missing << QString::number(k);
    if (!missing.isEmpty())
        return Status::failure(QStringLiteral("the catalog was split in %1 shards, and %2 of them %3 missing (shard %4): "
                                              "give every part")
                                   .arg(first.count).arg(missing.size())
                                   .arg(missing.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"), missing.join(QStringLiteral(", "))));
    return success();
}

// Where every file of the catalog is in the parts, when each is there once, in its own
// shard's part, as it is on disk now.
Expected<std::vector<Source>> locate(const std::vector<CatalogFile> &files, const std::vector<Part> &parts)
{
    using Result = Expected<std::vector<Source>>;
    std::unordered_map<QString, Source> held;
    const auto hold = [&](const QString &path, Source source) -> Status {
        const auto [it, inserted] = held.emplace(path, source);
        if (!inserted)
            return Status::failure(QStringLiteral("the part %1 holds %2 twice").arg(shown(parts[size_t(source.part)].path), path));
        return success();
    };
    for (int p = 0; p < int(parts.size()); ++p) {
        const EmbeddingStore &store = parts[size_t(p)].store;
        for (int row = 0; row < store.size(); ++row)
            if (Status ok = hold(store.items()[size_t(row)].relativePath, {p, row, -1}); !ok) return Result::failure(ok.error());
        for (int s = 0; s < int(store.skipped().size()); ++s)
            if (Status ok = hold(store.skipped()[size_t(s)].file.relativePath, {p, -1, s}); !ok) return Result::failure(ok.error());
    }
    std::vector<int> byShard(parts.size() + 1);
    for (int p = 0; p < int(parts.size()); ++p) byShard[size_t(parts[size_t(p)].store.shard().index)] = p;

    std::vector<Source> sources;
    sources.reserve(files.size());
    std::vector<int> unfinished(parts.size());
    QString firstUnfinished;
    for (const CatalogFile &file : files) {
        const int expected = byShard[size_t(CatalogShard::of(file.relativePath, int(parts.size())))];
        const auto it = held.find(file.relativePath);
        if (it == held.end()) {
            if (firstUnfinished.isEmpty()) firstUnfinished = file.relativePath;
            ++unfinished[size_t(expected)];
            continue;
        }
        const Source source = it->second;
        held.erase(it);
        const EmbeddingStore &store = parts[size_t(source.part)].store;
        if (source.part != expected)
            return Result::failure(QStringLiteral("the part %1 holds %2, which belongs to %3")
                                       .arg(shown(parts[size_t(source.part)].path), file.relativePath,
                                            parts[size_t(expected)].store.shard().describe()));
        const CatalogFile &recorded = source.row >= 0 ? store.items()[size_t(source.row)] : store.skipped()[size_t(source.skipped)].file;
        if (!recorded.sameVersionAs(file))
            return Result::failure(QStringLiteral("%1 changed since the part %2 was indexed: run %3 again")
                                       .arg(file.relativePath, shown(parts[size_t(source.part)].path), store.shard().describe()));
        sources.push_back(source);
    }
    for (int p = 0; p < int(parts.size()); ++p)
        if (unfinished[size_t(p)] > 0)
            return Result::failure(QStringLiteral("the part %1 is not finished: %2 files of %3 are not in it (the first: %4). "
                                                  "Run it again to finish it, then merge")
                                       .arg(shown(parts[size_t(p)].path)).arg(unfinished[size_t(p)])
                                       .arg(parts[size_t(p)].store.shard().describe(), firstUnfinished));
    if (!held.empty())
        return Result::failure(QStringLiteral("the parts hold %1, which is not in the catalog: run its shard again")
                                   .arg(held.begin()->first));
    return sources;
}

// The parts' garment colours in the merged order, when every part has them for every one
// of its items; else why not.
Expected<std::vector<EmbeddingStore>> openColours(const std::vector<Part> &parts)
{
    using Result = Expected<std::vector<EmbeddingStore>>;
    std::vector<EmbeddingStore> colours;
    for (const Part &part : parts) {
        const QString path = cacheFiles::colourPath(part.path);
        auto loaded = EmbeddingStore::load(path, ColourStore::identity());
        if (!loaded) return Result::failure(QStringLiteral("%1: %2").arg(shown(path), loaded.error()));
        for (const CatalogFile &item : part.store.items()) {
            const int at = loaded->itemOf(item.relativePath);
            if (at < 0 || !loaded->items()[size_t(at)].sameVersionAs(item))
                return Result::failure(QStringLiteral("%1 has no colour for %2").arg(shown(path), item.relativePath));
        }
        colours.push_back(std::move(*loaded));
    }
    return colours;
}

} // namespace

Expected<MergeReport> ShardMerge::merge(const QString &catalogRoot, const QStringList &partPaths,
                                        const StoreIdentity &identity, const QString &cachePath)
{
    using Result = Expected<MergeReport>;
    QElapsedTimer clock;
    clock.start();
    if (partPaths.isEmpty()) return Result::failure(QStringLiteral("there are no parts to merge"));
    const QString target = QFileInfo(cachePath).absoluteFilePath();
    std::vector<Part> parts;
    QStringList seen;
    for (const QString &given : partPaths) {
        const QString path = QFileInfo(given).absoluteFilePath();
        if (path == target)
            return Result::failure(QStringLiteral("the merged cache %1 would be written over the part %2: give it another --cache")
                                       .arg(shown(target), shown(given)));
        if (seen.contains(path)) return Result::failure(QStringLiteral("the part %1 is given twice").arg(shown(given)));
        seen << path;
        auto part = openPart(path, identity);
        if (!part) return Result::failure(part.error());
        parts.push_back(std::move(*part));
    }
    if (Status split = checkSplit(parts); !split) return Result::failure(split.error());

    auto scanned = CatalogScanner::scan(catalogRoot);
    if (!scanned) return Result::failure(scanned.error());
    const CatalogListing listing = parts.front().store.shard().listing;
    if (!(CatalogListing::of(*scanned) == listing))
        return Result::failure(QStringLiteral("the catalog %1 changed since the parts were indexed (%2 files now, %3 then): "
                                              "run every shard again, which embeds only what changed, then merge")
                                   .arg(shown(catalogRoot)).arg(scanned->size()).arg(listing.files));
    auto sources = locate(*scanned, parts);
    if (!sources) return Result::failure(sources.error());
    auto colours = openColours(parts);

    MergeReport report;
    report.parts = int(parts.size());
    report.catalogFiles = int(scanned->size());
    report.cachePath = target;
    std::vector<CatalogFile> items;
    std::vector<std::pair<int, int>> rows; // (part, row) of each merged item
    std::vector<SkippedFile> skipped;
    for (const Source &s : *sources) {
        const EmbeddingStore &store = parts[size_t(s.part)].store;
        if (s.row >= 0) {
            items.push_back(store.items()[size_t(s.row)]);
            rows.emplace_back(s.part, s.row);
        } else {
            skipped.push_back(store.skipped()[size_t(s.skipped)]);
        }
    }
    report.items = int(items.size());
    report.skipped = int(skipped.size());

    auto lock = CacheLock::acquire(target, 0);
    if (!lock) return Result::failure(lock.error());
    const auto rowOf = [&](int item) {
        const auto [part, row] = rows[size_t(item)];
        return parts[size_t(part)].store.vector(row).data();
    };
    const CatalogShard whole = CatalogShard::whole();
    if (Status written = EmbeddingStore::writeFile(target, {identity, items, skipped, whole, rowOf}); !written)
        return Result::failure(written.error());
    // A whole-catalog run that was interrupted here left batches the merged cache supersedes.
    if (QFile::exists(cacheFiles::journalPath(target))) report.journalRemoved = QFile::remove(cacheFiles::journalPath(target));

    if (colours) {
        const auto colourOf = [&](int item) {
            const auto [part, row] = rows[size_t(item)];
            const EmbeddingStore &described = (*colours)[size_t(part)];
            return described.vector(described.itemOf(items[size_t(item)].relativePath)).data();
        };
        const std::vector<SkippedFile> none;
        if (Status written = EmbeddingStore::writeFile(cacheFiles::colourPath(target), {ColourStore::identity(), items, none, whole, colourOf});
            !written)
            report.coloursProblem = written.error();
        else report.coloursMerged = true;
    } else {
        report.coloursProblem = colours.error();
    }
    report.seconds = double(clock.nsecsElapsed()) / 1e9;
    return report;
}

} // namespace lookbook
