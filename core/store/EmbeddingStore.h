#pragma once
// The embedding matrix of one catalog and the table of the files it was computed from,
// with its on-disk form (the cache file; the format is documented in docs/cache-format.md).
// Saving is atomic (QSaveFile): a crash or a full disk leaves the previous cache intact.
// Loading checks everything (magic, version, model, recipe, sizes, checksum) and never
// trusts a file that fails a check.

#include "CatalogScanner.h"
#include "CatalogShard.h"
#include "Expected.h"
#include "FileSystemKind.h"
#include "RowMatrix.h"
#include "RowSource.h"

#include <QHash>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lookbook {

// What produced the embeddings. A cache is only reused when all of it matches.
struct StoreIdentity {
    QString modelId;
    QByteArray modelSha256Hex;
    QString recipeId;
    int dimension = 0;

    friend bool operator==(const StoreIdentity &, const StoreIdentity &) = default;
    QString describe() const;
};

// A file that could not be embedded, remembered so that it is not retried until it changes.
struct SkippedFile {
    CatalogFile file;
    QString reason;
};

class EmbeddingStore {
public:
    static constexpr quint32 kFormatVersion = 1;

    EmbeddingStore() = default;
    explicit EmbeddingStore(StoreIdentity identity);

    const StoreIdentity &identity() const { return m_identity; }
    int size() const { return int(m_items.size()); }
    int dimension() const { return m_identity.dimension; }
    const std::vector<CatalogFile> &items() const { return m_items; }
    RowMatrixView vectors() const { return RowMatrixView(rowData(), size(), dimension()); }
    Eigen::Map<const Eigen::RowVectorXf> vector(int item) const
    {
        return Eigen::Map<const Eigen::RowVectorXf>(rowData() + qsizetype(item) * dimension(), dimension());
    }
    // The same rows, read through pread where single rows are picked (RowSource).
    RowSource rows() const;
    // The checksum of the cache file the rows were loaded from, while they are unchanged
    // since: what names this exact content (a saved search space refers to it).
    std::optional<quint64> fileChecksum() const { return m_fileChecksum; }
    // True while the rows are read from the memory-mapped cache file rather than owned.
    bool isMapped() const;
    // True when the rows were read from a cache on a network share (into memory: never mapped).
    bool isFromNetworkShare() const { return m_fromNetworkShare; }
    // Which file the rows were read from (device, inode, size, modification time), while the
    // store is unchanged since: a cache at the same path with another identity is a newer
    // one (another program or computer saved it), which Catalog::lookForNewerCache notices.
    const std::optional<fileSystem::FileIdentity> &fileIdentity() const { return m_fileIdentity; }
    // Whether every row read back from the file since the load came back whole. Fails with
    // "The cache … changed on disk while it was in use …; reopening it" when a pread of rows
    // failed (the file was truncated or rewritten in place under the mapping); the caller
    // then reads the cache again. A replacement by rename is no failure: the mapping and the
    // descriptor keep the old file's bytes, and rows read from a share are in memory.
    Status checkRows(const QString &path) const;
    const std::vector<SkippedFile> &skipped() const { return m_skipped; }
    // Which part of its catalog the store holds: the whole catalog, or one shard of a
    // catalog indexed on many machines (CatalogShard), recorded in the cache's header.
    const CatalogShard &shard() const { return m_shard; }
    void setShard(const CatalogShard &shard) { m_shard = shard; }

    int itemOf(const QString &relativePath) const; // the item (row) of a file, -1 when it is not in the store

    // Adds rows, replacing any item with the same path.
    void upsert(const std::vector<CatalogFile> &files, const RowMatrix &rows);
    // Keeps only the items for which keep(item) is true; order is preserved.
    template <typename Predicate> void retainIf(Predicate keep);
    void setSkipped(std::vector<SkippedFile> skipped) { m_skipped = std::move(skipped); }

    Status save(const QString &path) const;
    // What a cache file holds, its rows given one at a time: how save() writes a store, and
    // how a merge of shards writes rows straight from its parts without a copy in memory.
    struct FileContents {
        const StoreIdentity &identity;
        const std::vector<CatalogFile> &items;
        const std::vector<SkippedFile> &skipped;
        const CatalogShard &shard;
        std::function<const float *(int item)> row; // identity.dimension floats of items[item]
    };
    static Status writeFile(const QString &path, const FileContents &contents);
    // Fails with a sentence when the file is missing, damaged, of another format version or
    // made with another model or recipe than `expected`.
    static Expected<EmbeddingStore> load(const QString &path, const StoreIdentity &expected);

private:
    struct Mapping;
    const float *rowData() const;
    // Copies mapped rows into memory before a change: the file is never written through.
    void detach();
    void retainRows(const std::vector<char> &keep);
    void rebuildLookup();

    StoreIdentity m_identity;
    std::vector<CatalogFile> m_items;
    // Row-major, size() x dimension(): owned (a vector, so that appends amortise), or, after
    // load(), the cache file's own bytes mapped into memory: opening a 44k catalog then
    // copies nothing, copies of the store share the mapping, and the kernel pages rows in
    // as searches need them. On a network share the file's bytes are read into memory
    // instead (ReadBuffer), and the rows are read in place there, shared the same way.
    std::vector<float> m_data;
    std::shared_ptr<const Mapping> m_mapping;
    std::vector<SkippedFile> m_skipped;
    CatalogShard m_shard;
    QHash<QString, int> m_indexByPath;
    std::optional<quint64> m_fileChecksum;
    std::optional<fileSystem::FileIdentity> m_fileIdentity; // of the file loaded, while unchanged since
    bool m_fromNetworkShare = false;
};

template <typename Predicate>
void EmbeddingStore::retainIf(Predicate keep)
{
    std::vector<char> mask(m_items.size());
    for (size_t i = 0; i < m_items.size(); ++i) mask[i] = keep(m_items[i]) ? 1 : 0;
    retainRows(mask);
}

} // namespace lookbook
