#include "RowSource.h"

#include <QtGlobal>

#include <cerrno>
#include <cstring>
#include <vector>

#ifdef Q_OS_UNIX
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lookbook {

RowSource::RowSource(RowMatrixView rows, int descriptor, qint64 fileOffset, const void *mappingStart, size_t mappingBytes,
                     std::shared_ptr<std::atomic_bool> readFailed)
    : m_rows(rows), m_fileOffset(fileOffset), m_mappingStart(mappingStart), m_mappingBytes(mappingBytes),
      m_readFailed(std::move(readFailed))
{
#ifdef Q_OS_UNIX
    m_descriptor = descriptor;
#else
    Q_UNUSED(descriptor); // no pread: rows are copied from the mapping
#endif
}

bool RowSource::readFile(qint64 at, size_t bytes, float *out) const
{
#ifdef Q_OS_UNIX
    if (m_descriptor < 0) return false;
    size_t done = 0;
    while (done < bytes) {
        const ssize_t n = ::pread(m_descriptor, reinterpret_cast<char *>(out) + done, bytes - done,
                                  off_t(m_fileOffset + at) + off_t(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { // the file was truncated or is gone (a network share's stale handle)
            std::memset(reinterpret_cast<char *>(out) + done, 0, bytes - done);
            if (m_readFailed) m_readFailed->store(true);
            return true;
        }
        done += size_t(n);
    }
    return true;
#else
    Q_UNUSED(at);
    Q_UNUSED(bytes);
    Q_UNUSED(out);
    return false;
#endif
}

void RowSource::gather(std::span<const int> items, RowMatrix &out) const
{
    out.resize(Eigen::Index(items.size()), cols());
    const size_t rowBytes = size_t(cols()) * sizeof(float);
    for (size_t i = 0; i < items.size(); ++i) {
        float *target = out.data() + Eigen::Index(i) * cols();
        if (!readFile(qint64(items[i]) * qint64(rowBytes), rowBytes, target))
            std::memcpy(target, m_rows.data() + Eigen::Index(items[i]) * cols(), rowBytes);
    }
}

Eigen::VectorXf RowSource::dots(std::span<const int> items, const Eigen::Ref<const Eigen::RowVectorXf> &query) const
{
    Eigen::VectorXf out(Eigen::Index(items.size()));
    const size_t rowBytes = size_t(cols()) * sizeof(float);
    thread_local std::vector<float> buffer;
    buffer.resize(size_t(cols()));
    for (size_t i = 0; i < items.size(); ++i) {
        const float *row = readFile(qint64(items[i]) * qint64(rowBytes), rowBytes, buffer.data())
                               ? buffer.data()
                               : m_rows.data() + Eigen::Index(items[i]) * cols();
        out[Eigen::Index(i)] = Eigen::Map<const Eigen::RowVectorXf>(row, cols()).dot(query);
    }
    return out;
}

void RowSource::readRange(Eigen::Index begin, Eigen::Index count, RowMatrix &out) const
{
    out.resize(count, cols());
    const size_t rowBytes = size_t(cols()) * sizeof(float);
    if (!readFile(qint64(begin) * qint64(rowBytes), size_t(count) * rowBytes, out.data()))
        out = m_rows.middleRows(begin, count);
}

void RowSource::releasePages() const
{
#ifdef Q_OS_LINUX
    if (m_mappingStart && m_mappingBytes > 0)
        madvise(const_cast<void *>(m_mappingStart), m_mappingBytes, MADV_DONTNEED);
#endif
}

} // namespace lookbook
