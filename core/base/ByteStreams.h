#pragma once
// Byte-level pieces of Lookbook's binary files (the cache and its journal, the search
// space, the projection, the colour tables; docs/cache-format.md): little-endian values,
// length-prefixed strings, the versioned preamble and the checksum.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <bit>
#include <cstring>
#include <initializer_list>

struct XXH3_state_s; // xxhash.h, kept out of this header

namespace lookbook::format {

static_assert(std::endian::native == std::endian::little,
              "Lookbook's files are little-endian and are read by copying bytes");

quint64 checksum(const char *data, qsizetype size); // XXH3-64
// The same checksum over consecutive parts, as if they were one buffer.
quint64 checksum(std::initializer_list<QByteArrayView> parts);

// The same checksum fed in as many parts as it takes: for files written a row at a time.
class RunningChecksum {
public:
    RunningChecksum();
    ~RunningChecksum();
    RunningChecksum(const RunningChecksum &) = delete;
    RunningChecksum &operator=(const RunningChecksum &) = delete;
    void add(QByteArrayView part);
    quint64 value() const;

private:
    ::XXH3_state_s *m_state;
};

class ByteWriter {
public:
    explicit ByteWriter(QByteArray &out) : m_out(out) {}
    template <typename T> void put(T value) { m_out.append(reinterpret_cast<const char *>(&value), sizeof value); }
    void putBytes(const QByteArray &bytes) { m_out.append(bytes); }
    // An array of plain values as its bytes.
    template <typename T> void putArray(const T *values, qsizetype count)
    {
        m_out.append(reinterpret_cast<const char *>(values), count * qsizetype(sizeof(T)));
    }
    void putPath(const QString &path);
    void padTo(qsizetype alignment);
    // How Lookbook's versioned binary files begin: magic bytes, the format version, then a
    // JSON header prefixed by its length.
    void putPreamble(QByteArrayView magic, quint32 version, const QByteArray &json);

private:
    QByteArray &m_out;
};

// Reads from a buffer it does not own; every read is bounds-checked and a failed read
// leaves ok() false instead of reading past the end.
class ByteReader {
public:
    ByteReader(const char *data, qsizetype size) : m_data(data), m_size(size) {}
    template <typename T> T get()
    {
        T value{};
        if (!take(sizeof value)) return value;
        std::memcpy(&value, m_data + m_pos - qsizetype(sizeof value), sizeof value);
        return value;
    }
    QByteArray getBytes(qsizetype n);
    // `count` plain values into `out`; false (and nothing read) when fewer bytes are left.
    template <typename T> bool getArray(T *out, qsizetype count)
    {
        if (count < 0 || count > remaining() / qsizetype(sizeof(T)) || !take(count * qsizetype(sizeof(T)))) {
            m_ok = false;
            return false;
        }
        if (count > 0) std::memcpy(out, m_data + m_pos - count * qsizetype(sizeof(T)), size_t(count) * sizeof(T)); // out may be null then
        return true;
    }
    void skipTo(qsizetype position) { if (position < m_pos || position > m_size) m_ok = false; else m_pos = position; }
    const char *here() const { return m_data + m_pos; }
    bool take(qsizetype n);
    qsizetype position() const { return m_pos; }
    qsizetype remaining() const { return m_size - m_pos; }
    bool ok() const { return m_ok; }
    void fail() { m_ok = false; } // for readers of compound values built on this one

private:
    const char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

constexpr qsizetype kMaxPathBytes = 64 * 1024; // the longest string a reader accepts

} // namespace lookbook::format
