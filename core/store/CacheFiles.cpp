#include "CacheFiles.h"

#include "IndexJournal.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryFile>

namespace lookbook {

namespace {
// A folder whose permission bits grant no write access is read-only by intent, even to a
// user (root, an administrator) who could write there anyway; otherwise try it, because
// the bits do not tell about ACLs or read-only mounts.
bool canCreateFilesIn(const QString &dir)
{
    constexpr auto kAnyWrite = QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther;
    if (!(QFileInfo(dir).permissions() & kAnyWrite)) return false;
    QTemporaryFile probe(dir + QStringLiteral("/.lookbook-write-test-XXXXXX"));
    return probe.open();
}

QString otherPartProblem(const QString &cachePath, const CatalogShard &found, const CatalogShard &wanted)
{
    const QString shown = QDir::toNativeSeparators(cachePath);
    if (!wanted.isPart())
        return QStringLiteral("the cache %1 holds %2 of a catalog indexed in parts, not the whole catalog: merge the "
                              "parts first (lookbook-cli merge CATALOG PART...)")
            .arg(shown, found.describe());
    return QStringLiteral("the cache %1 holds %2, not %3: give each shard its own --cache file")
        .arg(shown, found.describe(), wanted.describe());
}
} // namespace

QString cacheFiles::defaultPath(const QString &catalogRoot)
{
    const QString root = QFileInfo(catalogRoot).absoluteFilePath();
    if (canCreateFilesIn(root)) return QDir(root).filePath(cacheFiles::kDefaultName);
    const QString canonical = QFileInfo(root).canonicalFilePath().isEmpty() ? root : QFileInfo(root).canonicalFilePath();
    const QByteArray key = QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    return QDir(base).filePath(QStringLiteral("indexes/%1-%2.lbi").arg(QFileInfo(root).fileName(), QString::fromLatin1(key)));
}

StoreIdentity cacheFiles::identityFor(const ModelDescriptor &model, const EmbeddingRecipe &recipe)
{
    return {model.id, model.sha256Hex, recipe.indexRecipe().id(), EmbeddingModel::dimensionFor(model, recipe)};
}

OpenedStore cacheFiles::open(const QString &cachePath, const StoreIdentity &identity, const CatalogShard &shard)
{
    OpenedStore opened{EmbeddingStore(identity), {}, 0};
    opened.store.setShard(shard);
    if (QFileInfo::exists(cachePath)) {
        auto loaded = EmbeddingStore::load(cachePath, identity);
        if (loaded && !loaded->shard().samePartAs(shard)) {
            opened.problem = otherPartProblem(cachePath, loaded->shard(), shard);
            opened.otherPart = true;
            return opened; // its journal, if any, is that run's too
        }
        if (loaded) opened.store = std::move(*loaded);
        else opened.problem = loaded.error();
    }
    auto batches = IndexJournal::replay(cacheFiles::journalPath(cachePath), identity);
    if (!batches) {
        if (opened.problem.isEmpty()) opened.problem = batches.error();
        return opened;
    }
    std::vector<SkippedFile> skipped = opened.store.skipped();
    for (const JournalBatch &batch : *batches) {
        opened.store.upsert(batch.files, batch.rows);
        skipped.insert(skipped.end(), batch.skipped.begin(), batch.skipped.end());
    }
    opened.store.setSkipped(std::move(skipped));
    opened.journalBatches = int(batches->size());
    return opened;
}

} // namespace lookbook
