#include "ColourStore.h"

#include "CacheFiles.h"

#include "GarmentColour.h"
#include "ImageLoader.h"
#include "ParallelBlocks.h"

#include <QFileInfo>
#include <QThreadPool>

namespace lookbook {

namespace {
// Files described between two looks at the cancel flag and the progress.
constexpr int kSlice = 256;
} // namespace

StoreIdentity ColourStore::identity()
{
    return {QStringLiteral("garment-colour"), GarmentColour::kVersion.toUtf8(), GarmentColour::kVersion,
            GarmentColour::kDimension};
}

Expected<RowMatrix> ColourStore::update(const QString &catalogRoot, const EmbeddingStore &store, const QString &cachePath,
                                        const Progress &onProgress, const std::atomic_bool *cancel)
{
    using Result = Expected<RowMatrix>;
    const QString path = cacheFiles::colourPath(cachePath);
    EmbeddingStore saved(identity());
    if (QFileInfo::exists(path))
        if (auto loaded = EmbeddingStore::load(path, identity())) saved = std::move(*loaded);

    RowMatrix rows(store.size(), GarmentColour::kDimension);
    std::vector<int> todo;
    for (int i = 0; i < store.size(); ++i) {
        const CatalogFile &item = store.items()[size_t(i)];
        const int at = saved.itemOf(item.relativePath);
        if (at >= 0 && saved.items()[size_t(at)].sameVersionAs(item)) rows.row(i) = saved.vector(at);
        else todo.push_back(i);
    }
    const bool unchanged = todo.empty() && saved.size() == store.size();
    const ImageLoader loader;
    const QString root = QFileInfo(catalogRoot).absoluteFilePath();
    for (size_t start = 0; start < todo.size(); start += kSlice) {
        if (cancel && cancel->load()) return Result::failure(QStringLiteral("cancelled"));
        const size_t end = std::min(todo.size(), start + kSlice);
        forEachBlock(end - start, size_t(8), QThreadPool::globalInstance(), [&](int, size_t from, size_t to) {
            for (size_t t = start + from; t < start + to; ++t) {
                const int item = todo[t];
                auto image = loader.loadFile(root + u'/' + store.items()[size_t(item)].relativePath);
                if (image) rows.row(item) = GarmentColour::describe(*image, ImageRole::CatalogItem).transpose();
                else rows.row(item).setZero();
            }
        });
        if (onProgress) onProgress(int(end), int(todo.size()));
    }
    if (unchanged) return rows;
    EmbeddingStore updated(identity());
    updated.upsert(store.items(), rows);
    if (Status written = updated.save(path); !written)
        return Result::failure(QStringLiteral("the garment colours could not be saved: %1").arg(written.error()));
    return rows;
}

} // namespace lookbook
