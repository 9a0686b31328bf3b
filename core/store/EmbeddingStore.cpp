#include "EmbeddingStore.h"

#include "ReadBuffer.h"
#include "StoreFormat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

namespace lookbook {

namespace {

constexpr char kMagic[8] = {'L', 'O', 'O', 'K', 'B', 'O', 'O', 'K'};
constexpr char kEndMagic[8] = {'L', 'K', 'B', 'K', 'E', 'N', 'D', '1'};
constexpr qsizetype kMatrixAlignment = 64; // cache lines and SIMD loads, also when memory-mapped
constexpr qsizetype kFooterBytes = sizeof(quint64) + sizeof kEndMagic;
constexpr qsizetype kMaxHeaderBytes = 64 * 1024 * 1024;
const QString kElementType = QStringLiteral("float32");

QJsonArray skippedToJson(const std::vector<SkippedFile> &skipped)
{
    QJsonArray array;
    for (const SkippedFile &s : skipped)
        array.append(QJsonObject{{QStringLiteral("path"), s.file.relativePath},
                                 {QStringLiteral("size"), s.file.size},
                                 {QStringLiteral("mtime_ms"), s.file.modifiedMs},
                                 {QStringLiteral("reason"), s.reason}});
    return array;
}

std::vector<SkippedFile> skippedFromJson(const QJsonArray &array)
{
    std::vector<SkippedFile> skipped;
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        skipped.push_back({{o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("size")).toInteger(),
                            o.value(QStringLiteral("mtime_ms")).toInteger()},
                           o.value(QStringLiteral("reason")).toString()});
    }
    return skipped;
}

// The file's envelope: magic bytes, format version, end marker and the checksum of all
// before the footer (given in `storedSum`). Leaves `r` after the version.
Status checkEnvelope(format::ByteReader &r, const char *bytes, qsizetype n, quint64 &storedSum)
{
    if (r.getBytes(sizeof kMagic) != QByteArray(kMagic, sizeof kMagic))
        return Status::failure(QStringLiteral("the cache is not a Lookbook cache (wrong magic bytes)"));
    const auto version = r.get<quint32>();
    if (!r.ok()) return Status::failure(QStringLiteral("the cache is truncated (%1 bytes)").arg(n));
    if (version != EmbeddingStore::kFormatVersion)
        return Status::failure(QStringLiteral("the cache has format version %1; this Lookbook reads version %2")
                                   .arg(version).arg(EmbeddingStore::kFormatVersion));
    if (n < qsizetype(sizeof kMagic) + kFooterBytes
        || QByteArray(bytes + n - qsizetype(sizeof kEndMagic), sizeof kEndMagic) != QByteArray(kEndMagic, sizeof kEndMagic))
        return Status::failure(QStringLiteral("the cache is truncated (no end marker)"));
    std::memcpy(&storedSum, bytes + n - kFooterBytes, sizeof storedSum);
    if (format::checksum(bytes, n - kFooterBytes) != storedSum)
        return Status::failure(QStringLiteral("the cache is damaged (checksum mismatch)"));
    return success();
}

// The JSON header, when its identity is `expected` and it holds float32 elements; the
// identity it states in `found`.
Expected<QJsonObject> readHeader(format::ByteReader &r, const StoreIdentity &expected, StoreIdentity &found)
{
    using Result = Expected<QJsonObject>;
    const auto headerBytes = r.get<quint32>();
    if (headerBytes > kMaxHeaderBytes) return Result::failure(QStringLiteral("the cache header is too large"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(r.getBytes(qsizetype(headerBytes)), &parseError);
    if (!r.ok() || !doc.isObject())
        return Result::failure(QStringLiteral("the cache header is not readable: %1").arg(parseError.errorString()));
    const QJsonObject header = doc.object();
    found = format::identityFromJson(header);
    if (const QString mismatch = format::identityMismatch(found, expected); !mismatch.isEmpty())
        return Result::failure(QStringLiteral("the cache cannot be used: %1").arg(mismatch));
    if (header.value(QStringLiteral("element_type")).toString() != kElementType)
        return Result::failure(QStringLiteral("the cache holds %1 elements; this Lookbook reads %2")
                                   .arg(header.value(QStringLiteral("element_type")).toString(), kElementType));
    return header;
}

// Where the item table and the matrix are, from the header's sizes.
struct FileLayout {
    qint64 count = 0;
    qint64 tableBytes = 0;
    qsizetype tableStart = 0;
    qsizetype matrixStart = 0;
};

// The layout after a header that ends at `headerEnd`, when it fills a file of `n` bytes
// exactly.
Expected<FileLayout> layoutOf(const QJsonObject &header, qsizetype headerEnd, int dimension, qsizetype n)
{
    FileLayout layout;
    layout.count = header.value(QStringLiteral("count")).toInteger(-1);
    layout.tableBytes = header.value(QStringLiteral("item_table_bytes")).toInteger(-1);
    layout.tableStart = (headerEnd + kMatrixAlignment - 1) / kMatrixAlignment * kMatrixAlignment;
    layout.matrixStart = (layout.tableStart + layout.tableBytes + kMatrixAlignment - 1) / kMatrixAlignment * kMatrixAlignment;
    const qint64 matrixBytes = layout.count * dimension * qint64(sizeof(float));
    if (layout.count < 0 || layout.tableBytes < 0 || dimension <= 0 || layout.matrixStart + matrixBytes + kFooterBytes != n)
        return Expected<FileLayout>::failure(QStringLiteral("the cache's sizes do not add up (count %1, dimension %2, %3 bytes)")
                                                 .arg(layout.count).arg(dimension).arg(n));
    return layout;
}

Expected<std::vector<CatalogFile>> readItemTable(format::ByteReader &r, const FileLayout &layout)
{
    using Result = Expected<std::vector<CatalogFile>>;
    std::vector<CatalogFile> items;
    r.skipTo(layout.tableStart);
    items.reserve(size_t(layout.count));
    for (qint64 i = 0; i < layout.count; ++i) {
        auto item = format::getFile(r);
        if (!item) return Result::failure(QStringLiteral("the cache's item table is damaged at entry %1").arg(i));
        items.push_back(std::move(*item));
    }
    if (r.position() != layout.tableStart + layout.tableBytes)
        return Result::failure(QStringLiteral("the cache's item table has the wrong length"));
    return items;
}

} // namespace

QString StoreIdentity::describe() const
{
    return QStringLiteral("%1 (sha256 %2…), recipe %3, %4 dimensions")
        .arg(modelId, QString::fromLatin1(modelSha256Hex.left(12)), recipeId)
        .arg(dimension);
}

// The cache file's bytes the rows lie in, alive as long as a store copy reads from them:
// the open file mapped, or (on a network share) read into memory, where a copy of the rows
// out of the file's bytes would cost a second pass over every page.
struct EmbeddingStore::Mapping {
    QFile file;
    ReadBuffer read;              // the file's bytes when read rather than mapped
    const uchar *start = nullptr; // the whole file
    qsizetype bytes = 0;
    const float *rows = nullptr;  // the matrix within it
    mutable std::atomic_bool readFailed{false}; // a pread of rows failed (RowSource)

    bool isMapped() const { return read.isEmpty(); }
};

EmbeddingStore::EmbeddingStore(StoreIdentity identity) : m_identity(std::move(identity)) {}

bool EmbeddingStore::isMapped() const
{
    return m_mapping && m_mapping->isMapped();
}

const float *EmbeddingStore::rowData() const { return m_mapping ? m_mapping->rows : m_data.data(); }

RowSource EmbeddingStore::rows() const
{
    if (!isMapped()) return vectors();
    const qint64 offset = reinterpret_cast<const uchar *>(m_mapping->rows) - m_mapping->start;
    // The flag shares the mapping's lifetime (an aliasing pointer), so it outlives every source.
    std::shared_ptr<std::atomic_bool> readFailed(m_mapping, &m_mapping->readFailed);
    return RowSource(vectors(), int(m_mapping->file.handle()), offset, m_mapping->start, size_t(m_mapping->bytes),
                     std::move(readFailed));
}

Status EmbeddingStore::checkRows(const QString &path) const
{
    if (m_mapping && m_mapping->readFailed.load())
        return Status::failure(QStringLiteral("The cache %1 changed on disk while it was in use (rows could not be read "
                                              "back from it); reopening it")
                                   .arg(QDir::toNativeSeparators(path)));
    return success();
}

void EmbeddingStore::detach()
{
    if (!m_mapping) return;
    m_data.assign(m_mapping->rows, m_mapping->rows + qsizetype(size()) * dimension());
    m_mapping.reset();
}

int EmbeddingStore::itemOf(const QString &relativePath) const
{
    return m_indexByPath.value(relativePath, -1);
}

void EmbeddingStore::upsert(const std::vector<CatalogFile> &files, const RowMatrix &rows)
{
    Q_ASSERT(qsizetype(files.size()) == rows.rows() && rows.cols() == dimension());
    detach();
    m_fileChecksum.reset();
    m_fileIdentity.reset();
    const qsizetype dim = dimension();
    for (size_t i = 0; i < files.size(); ++i) {
        const float *row = rows.data() + qsizetype(i) * dim;
        const int existing = itemOf(files[i].relativePath);
        if (existing >= 0) {
            m_items[size_t(existing)] = files[i];
            std::copy(row, row + dim, m_data.begin() + qsizetype(existing) * dim);
        } else {
            m_indexByPath.insert(files[i].relativePath, size());
            m_items.push_back(files[i]);
            m_data.insert(m_data.end(), row, row + dim);
        }
    }
}

void EmbeddingStore::retainRows(const std::vector<char> &keep)
{
    if (std::all_of(keep.begin(), keep.end(), [](char k) { return k != 0; })) return; // nothing to drop
    detach();
    m_fileChecksum.reset();
    m_fileIdentity.reset();
    const qsizetype dim = dimension();
    size_t out = 0;
    for (size_t i = 0; i < m_items.size(); ++i) {
        if (!keep[i]) continue;
        if (out != i) {
            m_items[out] = std::move(m_items[i]);
            std::copy_n(m_data.begin() + qsizetype(i) * dim, dim, m_data.begin() + qsizetype(out) * dim);
        }
        ++out;
    }
    m_items.resize(out);
    m_data.resize(out * size_t(dim));
    rebuildLookup();
}

void EmbeddingStore::rebuildLookup()
{
    m_indexByPath.clear();
    m_indexByPath.reserve(qsizetype(m_items.size()));
    for (size_t i = 0; i < m_items.size(); ++i) m_indexByPath.insert(m_items[i].relativePath, int(i));
}

Status EmbeddingStore::save(const QString &path) const
{
    const float *rows = rowData();
    const qsizetype dim = dimension();
    return writeFile(path, {m_identity, m_items, m_skipped, m_shard, [&](int item) { return rows + item * dim; }});
}

Status EmbeddingStore::writeFile(const QString &path, const FileContents &contents)
{
    QByteArray table;
    format::ByteWriter tableWriter(table);
    for (const CatalogFile &item : contents.items) format::putFile(tableWriter, item);

    QJsonObject header = format::identityToJson(contents.identity);
    header.insert(QStringLiteral("element_type"), kElementType);
    header.insert(QStringLiteral("count"), qint64(contents.items.size()));
    header.insert(QStringLiteral("item_table_bytes"), table.size());
    header.insert(QStringLiteral("created_utc"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    header.insert(QStringLiteral("generator"), QStringLiteral("Lookbook " LOOKBOOK_VERSION));
    header.insert(QStringLiteral("skipped"), skippedToJson(contents.skipped));
    if (contents.shard.isPart()) header.insert(QStringLiteral("shard"), contents.shard.toJson());
    const QByteArray headerJson = QJsonDocument(header).toJson(QJsonDocument::Compact);

    QByteArray head;
    format::ByteWriter w(head);
    w.putPreamble(QByteArrayView(kMagic, sizeof kMagic), kFormatVersion, headerJson);
    w.padTo(kMatrixAlignment);
    w.putBytes(table);
    w.padTo(kMatrixAlignment);

    const QString shown = QDir::toNativeSeparators(path);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("cannot write the cache %1: %2").arg(shown, file.errorString()));
    // The checksum covers everything before the footer; fed a row at a time, as the rows
    // are written, so that no copy of the matrix is made (a merge streams it from its parts).
    format::RunningChecksum sum;
    const auto write = [&](QByteArrayView bytes) {
        sum.add(bytes);
        return file.write(bytes.data(), bytes.size()) == bytes.size();
    };
    bool written = write(head);
    const qsizetype rowBytes = qsizetype(contents.identity.dimension) * qsizetype(sizeof(float));
    for (int item = 0; written && item < int(contents.items.size()); ++item)
        written = write(QByteArrayView(reinterpret_cast<const char *>(contents.row(item)), rowBytes));
    QByteArray footer;
    format::ByteWriter f(footer);
    f.put<quint64>(sum.value());
    f.putBytes(QByteArray(kEndMagic, sizeof kEndMagic));
    if (!written || file.write(footer) != footer.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return Status::failure(QStringLiteral("writing the cache %1 failed (%2); the previous cache is unchanged").arg(shown, why));
    }
    if (!file.commit())
        return Status::failure(
            QStringLiteral("saving the cache %1 failed (%2); the previous cache is unchanged").arg(shown, file.errorString()));
    return success();
}

Expected<EmbeddingStore> EmbeddingStore::load(const QString &path, const StoreIdentity &expected)
{
    using Result = Expected<EmbeddingStore>;
    auto mapping = std::make_shared<Mapping>();
    QFile &file = mapping->file;
    file.setFileName(path);
    if (!file.exists()) return Result::failure(QStringLiteral("there is no cache yet"));
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("the cache cannot be read: %1").arg(file.errorString()));
    // On a network share the file is read, never mapped: another computer may replace or
    // truncate it, and touching a mapped page whose file is gone is a SIGBUS that no check
    // can catch, where a read only ever fails with an error. So SIGBUS cannot happen there.
    const bool onNetworkShare = fileSystem::isOnNetworkShare(path);
    std::optional<fileSystem::FileIdentity> identity = fileSystem::identityOf(int(file.handle()));
    if (!identity) identity = fileSystem::identityOf(path);
    const qsizetype fileSize = file.size();
    const uchar *mapped = fileSize > 0 && !onNetworkShare ? file.map(0, fileSize) : nullptr;
    if (!mapped && fileSize > 0) { // a share, or not mappable: read it instead
        mapping->read = ReadBuffer::read(file, fileSize);
        if (mapping->read.isEmpty())
            return Result::failure(QStringLiteral("the cache cannot be read: %1").arg(file.errorString()));
    }
    const char *bytes = mapped ? reinterpret_cast<const char *>(mapped) : mapping->read.data();
    const qsizetype n = mapped ? fileSize : mapping->read.size();

    format::ByteReader r(bytes, n);
    quint64 storedSum = 0;
    if (Status envelope = checkEnvelope(r, bytes, n, storedSum); !envelope) return Result::failure(envelope.error());
#ifdef Q_OS_LINUX
    // The checksum read every page; let them go from this process until a search needs
    // them (they stay in the page cache, so that is cheap).
    if (mapped) madvise(const_cast<uchar *>(mapped), size_t(fileSize), MADV_DONTNEED);
#endif

    StoreIdentity found;
    const auto header = readHeader(r, expected, found);
    if (!header) return Result::failure(header.error());
    const auto layout = layoutOf(*header, r.position(), found.dimension, n);
    if (!layout) return Result::failure(layout.error());
    auto items = readItemTable(r, *layout);
    if (!items) return Result::failure(items.error());
    const qint64 count = layout->count;
    EmbeddingStore store(found);
    store.m_items = std::move(*items);
    const auto *matrix = reinterpret_cast<const float *>(bytes + layout->matrixStart);
#ifdef Q_OS_WIN
    constexpr bool keepMapped = false; // a mapped file could not be replaced by the next save
#else
    constexpr bool keepMapped = true;
#endif
    if ((mapped && keepMapped) || !mapping->read.isEmpty()) {
        mapping->start = reinterpret_cast<const uchar *>(bytes);
        mapping->bytes = n;
        mapping->rows = matrix;
        store.m_mapping = std::move(mapping);
    } else {
        store.m_data.assign(matrix, matrix + count * found.dimension);
    }
    store.m_skipped = skippedFromJson(header->value(QStringLiteral("skipped")).toArray());
    store.m_shard = CatalogShard::fromJson(header->value(QStringLiteral("shard")).toObject());
    if (store.m_shard.count < 0 || (store.m_shard.isPart() && (store.m_shard.index < 1 || store.m_shard.index > store.m_shard.count)))
        return Result::failure(QStringLiteral("the cache's shard (%1 of %2) is damaged").arg(store.m_shard.index).arg(store.m_shard.count));
    store.m_fileChecksum = storedSum;
    store.m_fileIdentity = identity;
    store.m_fromNetworkShare = onNetworkShare;
    store.rebuildLookup();
    if (store.m_indexByPath.size() != store.size())
        return Result::failure(QStringLiteral("the cache lists a file twice"));
    return store;
}

} // namespace lookbook
