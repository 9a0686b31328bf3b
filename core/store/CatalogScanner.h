#pragma once
// Lists the images of a catalog folder, recursively, with what change detection needs:
// the path relative to the catalog, the size and the modification time.

#include "Expected.h"

#include <QString>

#include <atomic>
#include <vector>

namespace lookbook {

struct CatalogFile {
    QString relativePath; // with '/' separators, relative to the catalog root
    qint64 size = 0;
    qint64 modifiedMs = 0; // milliseconds since the epoch, UTC

    // True when the file on disk is unchanged since this entry was recorded.
    bool sameVersionAs(const CatalogFile &other) const
    {
        return size == other.size && modifiedMs == other.modifiedMs;
    }
};

class CatalogScanner {
public:
    // Sorted by relativePath. Hidden files and folders (the cache among them) are skipped;
    // symbolic links to files are followed, links to folders are not (no loops).
    static Expected<std::vector<CatalogFile>> scan(const QString &root,
                                                   const std::atomic_bool *cancel = nullptr);
    static bool isCatalogImage(const QString &fileName);
};

} // namespace lookbook
