#include "EmbeddingStore.h"

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

} // namespace

QString StoreIdentity::describe() const
{
    return QStringLiteral("%1 (sha256 %2…), recipe %3, %4 dimensions")
        .arg(modelId, QString::fromLatin1(modelSha256Hex.left(12)), recipeId)
        .arg(dimension);
}

// The open cache file and its mapping, alive as long as a store copy reads from it.
struct EmbeddingStore::Mapping {
    QFile file;
    const uchar *start = nullptr; // the whole file
    qsizetype bytes = 0;
    const float *rows = nullptr;  // the matrix within it
};

EmbeddingStore::EmbeddingStore(StoreIdentity identity) : m_identity(std::move(identity)) {}

const float *EmbeddingStore::rowData() const { return m_mapping ? m_mapping->rows : m_data.data(); }

RowSource EmbeddingStore::rows() const
{
    if (!m_mapping) return vectors();
    const qint64 offset = reinterpret_cast<const uchar *>(m_mapping->rows) - m_mapping->start;
    return RowSource(vectors(), int(m_mapping->file.handle()), offset, m_mapping->start, size_t(m_mapping->bytes));
}

void EmbeddingStore::detach()
{
    if (!m_mapping) return;
    m_data.assign(m_mapping->rows, m_mapping->rows + qsizetype(size()) * dimension());
    m_mapping.reset();
}

int EmbeddingStore::indexOf(const QString &relativePath) const
{
    return m_indexByPath.value(relativePath, -1);
}

void EmbeddingStore::upsert(const std::vector<CatalogFile> &files, const RowMatrix &rows)
{
    Q_ASSERT(qsizetype(files.size()) == rows.rows() && rows.cols() == dimension());
    detach();
    m_fileChecksum.reset();
    const qsizetype dim = dimension();
    for (size_t i = 0; i < files.size(); ++i) {
        const float *row = rows.data() + qsizetype(i) * dim;
        const int existing = indexOf(files[i].relativePath);
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
    QByteArray table;
    format::ByteWriter tableWriter(table);
    for (const CatalogFile &item : m_items) format::putFile(tableWriter, item);

    QJsonObject header = format::identityToJson(m_identity);
    header.insert(QStringLiteral("element_type"), kElementType);
    header.insert(QStringLiteral("count"), size());
    header.insert(QStringLiteral("item_table_bytes"), table.size());
    header.insert(QStringLiteral("created_utc"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    header.insert(QStringLiteral("generator"), QStringLiteral("Lookbook " LOOKBOOK_VERSION));
    header.insert(QStringLiteral("skipped"), skippedToJson(m_skipped));
    const QByteArray headerJson = QJsonDocument(header).toJson(QJsonDocument::Compact);

    QByteArray head;
    format::ByteWriter w(head);
    w.putPreamble(QByteArrayView(kMagic, sizeof kMagic), kFormatVersion, headerJson);
    w.padTo(kMatrixAlignment);
    w.putBytes(table);
    w.padTo(kMatrixAlignment);

    const auto *matrixBytes = reinterpret_cast<const char *>(rowData());
    const qsizetype matrixSize = qsizetype(size()) * dimension() * qsizetype(sizeof(float));
    // The checksum covers everything before the footer; fed in parts so the matrix is not copied.
    const quint64 sum = format::checksum({QByteArrayView(head), QByteArrayView(matrixBytes, matrixSize)});
    QByteArray footer;
    format::ByteWriter f(footer);
    f.put<quint64>(sum);
    f.putBytes(QByteArray(kEndMagic, sizeof kEndMagic));

    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("cannot write the cache %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    if (file.write(head) != head.size() || file.write(matrixBytes, matrixSize) != matrixSize
        || file.write(footer) != footer.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return Status::failure(QStringLiteral("writing the cache %1 failed (%2); the previous cache is unchanged")
                                   .arg(QDir::toNativeSeparators(path), why));
    }
    if (!file.commit())
        return Status::failure(QStringLiteral("saving the cache %1 failed (%2); the previous cache is unchanged")
                                   .arg(QDir::toNativeSeparators(path), file.errorString()));
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
    const qsizetype fileSize = file.size();
    const uchar *mapped = fileSize > 0 ? file.map(0, fileSize) : nullptr;
    QByteArray readBytes;
    const char *bytes = reinterpret_cast<const char *>(mapped);
    if (!bytes) { // not mappable (an empty file, some network drives): read it instead
        readBytes = file.readAll();
        bytes = readBytes.constData();
    }
    const qsizetype n = mapped ? fileSize : readBytes.size();

    format::ByteReader r(bytes, n);
    if (r.getBytes(sizeof kMagic) != QByteArray(kMagic, sizeof kMagic))
        return Result::failure(QStringLiteral("the cache is not a Lookbook cache (wrong magic bytes)"));
    const auto version = r.get<quint32>();
    if (!r.ok()) return Result::failure(QStringLiteral("the cache is truncated (%1 bytes)").arg(n));
    if (version != kFormatVersion)
        return Result::failure(QStringLiteral("the cache has format version %1; this Lookbook reads version %2")
                                   .arg(version).arg(kFormatVersion));
    if (n < qsizetype(sizeof kMagic) + kFooterBytes
        || QByteArray(bytes + n - qsizetype(sizeof kEndMagic), sizeof kEndMagic) != QByteArray(kEndMagic, sizeof kEndMagic))
        return Result::failure(QStringLiteral("the cache is truncated (no end marker)"));
    quint64 storedSum = 0;
    std::memcpy(&storedSum, bytes + n - kFooterBytes, sizeof storedSum);
    if (format::checksum(bytes, n - kFooterBytes) != storedSum)
        return Result::failure(QStringLiteral("the cache is damaged (checksum mismatch)"));
#ifdef Q_OS_LINUX
    // The checksum read every page; let them go from this process until a search needs
    // them (they stay in the page cache, so that is cheap).
    if (mapped) madvise(const_cast<uchar *>(mapped), size_t(fileSize), MADV_DONTNEED);
#endif

    const auto headerBytes = r.get<quint32>();
    if (headerBytes > kMaxHeaderBytes) return Result::failure(QStringLiteral("the cache header is too large"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(r.getBytes(qsizetype(headerBytes)), &parseError);
    if (!r.ok() || !doc.isObject())
        return Result::failure(QStringLiteral("the cache header is not readable: %1").arg(parseError.errorString()));
    const QJsonObject header = doc.object();
    const StoreIdentity found = format::identityFromJson(header);
    if (const QString mismatch = format::identityMismatch(found, expected); !mismatch.isEmpty())
        return Result::failure(QStringLiteral("the cache cannot be used: %1").arg(mismatch));
    if (header.value(QStringLiteral("element_type")).toString() != kElementType)
        return Result::failure(QStringLiteral("the cache holds %1 elements; this Lookbook reads %2")
                                   .arg(header.value(QStringLiteral("element_type")).toString(), kElementType));

    const qint64 count = header.value(QStringLiteral("count")).toInteger(-1);
    const qint64 tableBytes = header.value(QStringLiteral("item_table_bytes")).toInteger(-1);
    const qsizetype tableStart = (r.position() + kMatrixAlignment - 1) / kMatrixAlignment * kMatrixAlignment;
    const qsizetype matrixStart = (tableStart + tableBytes + kMatrixAlignment - 1) / kMatrixAlignment * kMatrixAlignment;
    const qint64 matrixBytes = count * found.dimension * qint64(sizeof(float));
    if (count < 0 || tableBytes < 0 || found.dimension <= 0 || matrixStart + matrixBytes + kFooterBytes != n)
        return Result::failure(QStringLiteral("the cache's sizes do not add up (count %1, dimension %2, %3 bytes)")
                                   .arg(count).arg(found.dimension).arg(n));

    EmbeddingStore store(found);
    r.skipTo(tableStart);
    store.m_items.reserve(size_t(count));
    for (qint64 i = 0; i < count; ++i) {
        auto item = format::getFile(r);
        if (!item) return Result::failure(QStringLiteral("the cache's item table is damaged at entry %1").arg(i));
        store.m_items.push_back(std::move(*item));
    }
    if (r.position() != tableStart + tableBytes)
        return Result::failure(QStringLiteral("the cache's item table has the wrong length"));
    const auto *matrix = reinterpret_cast<const float *>(bytes + matrixStart);
#ifdef Q_OS_WIN
    constexpr bool keepMapped = false; // a mapped file could not be replaced by the next save
#else
    constexpr bool keepMapped = true;
#endif
    if (mapped && keepMapped) {
        mapping->start = mapped;
        mapping->bytes = fileSize;
        mapping->rows = matrix;
        store.m_mapping = std::move(mapping);
    } else {
        store.m_data.assign(matrix, matrix + count * found.dimension);
    }
    store.m_skipped = skippedFromJson(header.value(QStringLiteral("skipped")).toArray());
    store.m_fileChecksum = storedSum;
    store.rebuildLookup();
    if (store.m_indexByPath.size() != store.size())
        return Result::failure(QStringLiteral("the cache lists a file twice"));
    return store;
}

} // namespace lookbook
