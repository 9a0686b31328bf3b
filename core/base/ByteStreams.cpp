#include "ByteStreams.h"

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

} // namespace lookbook::format
