#include "SearchResult.h"

#include "EmbeddingStore.h"
#include "SearchTypes.h"
#include "StyleLabels.h"

#include <QDir>

namespace lookbook {

std::vector<ResultItem> resultItems(const std::vector<SearchHit> &hits, const EmbeddingStore &store,
                                    const StyleLabels *labels, const QString &root)
{
    const QDir rootDir(root);
    std::vector<ResultItem> items;
    items.reserve(hits.size());
    for (const SearchHit &hit : hits) {
        ResultItem item;
        item.item = hit.item;
        item.score = hit.score;
        item.relativePath = store.items()[size_t(hit.item)].relativePath;
        item.absolutePath = rootDir.filePath(item.relativePath);
        if (labels)
            if (const StyleLabels::Row *row = labels->forFile(item.relativePath)) item.labels = *row;
        items.push_back(std::move(item));
    }
    return items;
}

} // namespace lookbook
