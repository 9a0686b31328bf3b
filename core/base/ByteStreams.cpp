#include "ByteStreams.h"

#include <xxhash.h>

namespace lookbook::format {

quint64 checksum(const char *data, qsizetype size)
{
    return XXH3_64bits(data, static_cast<size_t>(size));
}

quint64 checksum(std::initializer_list<QByteArrayView> parts)
{
    RunningChecksum sum;
    for (const QByteArrayView &part : parts) sum.add(part);
    return sum.value();
}

RunningChecksum::RunningChecksum() : m_state(XXH3_createState()) { XXH3_64bits_reset(m_state); }

RunningChecksum::~RunningChecksum() { XXH3_freeState(m_state); }

void RunningChecksum::add(QByteArrayView part) { XXH3_64bits_update(m_state, part.data(), static_cast<size_t>(part.size())); }

quint64 RunningChecksum::value() const { return XXH3_64bits_digest(m_state); }

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
