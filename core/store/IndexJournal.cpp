#include "IndexJournal.h"

#include "StoreFormat.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#if defined(Q_OS_WIN)
#include <io.h>
#elif defined(Q_OS_UNIX)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace lookbook {

namespace {
constexpr char kJournalMagic[8] = {'L', 'K', 'B', 'K', 'J', 'R', 'N', '1'};
constexpr quint32 kRecordMagic = 0x5242'4B4C; // "LKBR" read as little-endian bytes
constexpr quint32 kMaxRecordFiles = 1 << 20;

// The bytes written so far on the disk itself, not in the operating system's cache: a
// flush survives a crash of the process, only a sync survives a power cut. fdatasync is
// enough for an append (it also writes the new length, what reading the data back needs).
bool syncToDisk(QFile &file)
{
#if defined(Q_OS_WIN)
    return ::_commit(file.handle()) == 0;
#elif defined(Q_OS_LINUX)
    return ::fdatasync(file.handle()) == 0;
#elif defined(Q_OS_UNIX)
    return ::fsync(file.handle()) == 0;
#else
    Q_UNUSED(file);
    return true;
#endif
}

// The new journal's name in its folder on the disk too, or a power cut could leave synced
// records in a file no folder lists. Nothing to do on Windows (NTFS journals it).
void syncFolderOf(const QString &path)
{
#ifdef Q_OS_UNIX
    const int folder = ::open(QFile::encodeName(QFileInfo(path).absolutePath()).constData(), O_RDONLY | O_DIRECTORY);
    if (folder < 0) return;
    ::fsync(folder);
    ::close(folder);
#else
    Q_UNUSED(path);
#endif
}
} // namespace

Status IndexJournal::checkpoint()
{
    if (!m_file.flush()) return Status::failure(m_file.errorString());
    if (!syncToDisk(m_file)) return Status::failure(QStringLiteral("the disk did not take it: %1").arg(qt_error_string()));
    ++m_syncs;
    return success();
}

Expected<std::unique_ptr<IndexJournal>> IndexJournal::create(const QString &path, const StoreIdentity &identity)
{
    using Result = Expected<std::unique_ptr<IndexJournal>>;
    std::unique_ptr<IndexJournal> journal(new IndexJournal(path));
    journal->m_dimension = identity.dimension;
    if (!journal->m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Result::failure(QStringLiteral("cannot write the index journal %1: %2")
                                   .arg(QDir::toNativeSeparators(path), journal->m_file.errorString()));
    const QByteArray json = QJsonDocument(format::identityToJson(identity)).toJson(QJsonDocument::Compact);
    QByteArray head;
    format::ByteWriter w(head);
    w.putBytes(QByteArray(kJournalMagic, sizeof kJournalMagic));
    w.put<quint32>(quint32(json.size()));
    w.putBytes(json);
    if (journal->m_file.write(head) != head.size())
        return Result::failure(QStringLiteral("cannot write the index journal: %1").arg(journal->m_file.errorString()));
    if (Status synced = journal->checkpoint(); !synced)
        return Result::failure(QStringLiteral("cannot write the index journal: %1").arg(synced.error()));
    syncFolderOf(path);
    return journal;
}

Status IndexJournal::append(const JournalBatch &batch)
{
    // Record: magic, file count, skipped count, payload bytes, payload, checksum of payload.
    QByteArray payload;
    format::ByteWriter p(payload);
    for (const CatalogFile &f : batch.files) format::putFile(p, f);
    for (const SkippedFile &s : batch.skipped) {
        format::putFile(p, s.file);
        p.putPath(s.reason);
    }
    payload.append(reinterpret_cast<const char *>(batch.rows.data()),
                   qsizetype(batch.rows.size() * qsizetype(sizeof(float))));
    QByteArray record;
    format::ByteWriter r(record);
    r.put<quint32>(kRecordMagic);
    r.put<quint32>(quint32(batch.files.size()));
    r.put<quint32>(quint32(batch.skipped.size()));
    r.put<quint64>(quint64(payload.size()));
    r.putBytes(payload);
    r.put<quint64>(format::checksum(payload.constData(), payload.size()));
    if (m_file.write(record) != record.size())
        return Status::failure(QStringLiteral("cannot append to the index journal: %1").arg(m_file.errorString()));
    if (Status synced = checkpoint(); !synced)
        return Status::failure(QStringLiteral("cannot append to the index journal: %1").arg(synced.error()));
    return success();
}

Expected<std::vector<JournalBatch>> IndexJournal::replay(const QString &path, const StoreIdentity &identity)
{
    using Result = Expected<std::vector<JournalBatch>>;
    std::vector<JournalBatch> batches;
    QFile file(path);
    if (!file.exists()) return batches;
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("the index journal cannot be read: %1").arg(file.errorString()));
    const QByteArray bytes = file.readAll();
    format::ByteReader r(bytes.constData(), bytes.size());
    if (r.getBytes(sizeof kJournalMagic) != QByteArray(kJournalMagic, sizeof kJournalMagic))
        return Result::failure(QStringLiteral("the index journal is not a Lookbook journal"));
    const auto jsonBytes = r.get<quint32>();
    const QJsonDocument doc = QJsonDocument::fromJson(r.getBytes(qsizetype(jsonBytes)));
    if (!r.ok() || !doc.isObject()) return Result::failure(QStringLiteral("the index journal's header is damaged"));
    if (const QString mismatch = format::identityMismatch(format::identityFromJson(doc.object()), identity);
        !mismatch.isEmpty())
        return Result::failure(QStringLiteral("the index journal cannot be used: %1").arg(mismatch));

    const qsizetype dim = identity.dimension;
    while (r.remaining() > 0) {
        // Any failure from here on is the torn record written when the process stopped.
        const auto magic = r.get<quint32>();
        const auto fileCount = r.get<quint32>();
        const auto skippedCount = r.get<quint32>();
        const auto payloadBytes = r.get<quint64>();
        if (!r.ok() || magic != kRecordMagic || fileCount > kMaxRecordFiles || skippedCount > kMaxRecordFiles
            || payloadBytes > quint64(r.remaining()))
            break;
        const char *payload = r.here();
        r.take(qsizetype(payloadBytes));
        const auto sum = r.get<quint64>();
        if (!r.ok() || sum != format::checksum(payload, qsizetype(payloadBytes))) break;

        format::ByteReader p(payload, qsizetype(payloadBytes));
        JournalBatch batch;
        for (quint32 i = 0; i < fileCount && p.ok(); ++i)
            if (auto f = format::getFile(p)) batch.files.push_back(*f);
        for (quint32 i = 0; i < skippedCount && p.ok(); ++i) {
            auto f = format::getFile(p);
            const auto reasonBytes = p.get<quint32>();
            const QByteArray reason = p.getBytes(qsizetype(reasonBytes));
            if (f) batch.skipped.push_back({*f, QString::fromUtf8(reason)});
        }
        const qsizetype floats = qsizetype(fileCount) * dim;
        if (!p.ok() || p.remaining() != floats * qsizetype(sizeof(float))) break;
        batch.rows.resize(fileCount, dim);
        // A batch of only skipped files has no rows (and no buffer to copy into).
        if (floats > 0) std::memcpy(batch.rows.data(), p.here(), size_t(floats) * sizeof(float));
        batches.push_back(std::move(batch));
    }
    return batches;
}

} // namespace lookbook
