#include "StoreFormat.h"

#include <QJsonValue>

#include <xxhash.h>

namespace lookbook::format {

quint64 checksum(const char *data, qsizetype size)
{
    return XXH3_64bits(data, static_cast<size_t>(size));
}

quint64 checksum(std::initializer_list<QByteArrayView> parts)
{
    XXH3_state_t *state = XXH3_createState();
    XXH3_64bits_reset(state);
    for (const QByteArrayView &part : parts) XXH3_64bits_update(state, part.data(), static_cast<size_t>(part.size()));
    const quint64 sum = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    return sum;
}

void ByteWriter::putPath(const QString &path)
{
    const QByteArray utf8 = path.toUtf8();
    put<quint32>(quint32(utf8.size()));
    m_out.append(utf8);
}

void ByteWriter::putFile(const CatalogFile &file)
{
    putPath(file.relativePath);
    put<qint64>(file.size);
    put<qint64>(file.modifiedMs);
}

void ByteWriter::putPreamble(QByteArrayView magic, quint32 version, const QByteArray &json)
{
    m_out.append(magic);
    put<quint32>(version);
    put<quint32>(quint32(json.size()));
    m_out.append(json);
}

void ByteWriter::padTo(qsizetype alignment)
{
    const qsizetype over = m_out.size() % alignment;
    if (over) m_out.append(alignment - over, '\0');
}

bool ByteReader::take(qsizetype n)
{
    if (!m_ok || n < 0 || n > m_size - m_pos) {
        m_ok = false;
        return false;
    }
    m_pos += n;
    return true;
}

QByteArray ByteReader::getBytes(qsizetype n)
{
    if (!take(n)) return {};
    return QByteArray(m_data + m_pos - n, n);
}

std::optional<CatalogFile> ByteReader::getFile()
{
    const auto pathBytes = get<quint32>();
    if (!ok() || pathBytes > kMaxPathBytes) {
        m_ok = false;
        return std::nullopt;
    }
    CatalogFile file;
    file.relativePath = QString::fromUtf8(getBytes(qsizetype(pathBytes)));
    file.size = get<qint64>();
    file.modifiedMs = get<qint64>();
    if (!ok()) return std::nullopt;
    return file;
}

QJsonObject identityToJson(const StoreIdentity &identity)
{
    return {{QStringLiteral("model_id"), identity.modelId},
            {QStringLiteral("model_sha256"), QString::fromLatin1(identity.modelSha256Hex)},
            {QStringLiteral("recipe"), identity.recipeId},
            {QStringLiteral("dimension"), identity.dimension}};
}

StoreIdentity identityFromJson(const QJsonObject &object)
{
    StoreIdentity identity;
    identity.modelId = object.value(QStringLiteral("model_id")).toString();
    identity.modelSha256Hex = object.value(QStringLiteral("model_sha256")).toString().toLatin1();
    identity.recipeId = object.value(QStringLiteral("recipe")).toString();
    identity.dimension = object.value(QStringLiteral("dimension")).toInt();
    return identity;
}

QString identityMismatch(const StoreIdentity &found, const StoreIdentity &expected)
{
    if (found.modelId != expected.modelId || found.modelSha256Hex != expected.modelSha256Hex)
        return QStringLiteral("it was made by another model (%1, sha256 %2…; now %3, sha256 %4…)")
            .arg(found.modelId, QString::fromLatin1(found.modelSha256Hex.left(12)), expected.modelId,
                 QString::fromLatin1(expected.modelSha256Hex.left(12)));
    if (found.recipeId != expected.recipeId)
        return QStringLiteral("it was made with the recipe %1, and %2 is in use now")
            .arg(found.recipeId, expected.recipeId);
    if (found.dimension != expected.dimension)
        return QStringLiteral("its vectors have %1 dimensions, %2 expected").arg(found.dimension).arg(expected.dimension);
    return {};
}

} // namespace lookbook::format
