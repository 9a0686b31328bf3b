#include "RowSource.h"

#include <QtGlobal>

#include <cstring>

#ifdef Q_OS_UNIX
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lookbook {

RowSource::RowSource(RowMatrixView rows, int descriptor, qint64 fileOffset, const void *mappingStart,
                     size_t mappingBytes)
    : m_rows(rows), m_fileOffset(fileOffset), m_mappingStart(mappingStart), m_mappingBytes(mappingBytes)
{
#ifdef Q_OS_UNIX
    m_descriptor = descriptor;
#else
    Q_UNUSED(descriptor); // no pread: rows are copied from the mapping
#endif
}

void RowSource::gather(std::span<const int> items, RowMatrix &out) const
{
    out.resize(Eigen::Index(items.size()), cols());
    const size_t rowBytes = size_t(cols()) * sizeof(float);
    for (size_t i = 0; i < items.size(); ++i) {
        float *target = out.data() + Eigen::Index(i) * cols();
#ifdef Q_OS_UNIX
        if (m_descriptor >= 0) {
            const off_t at = off_t(m_fileOffset) + off_t(items[i]) * off_t(rowBytes);
            size_t done = 0;
            while (done < rowBytes) {
                const ssize_t n = ::pread(m_descriptor, reinterpret_cast<char *>(target) + done, rowBytes - done,
                                          at + off_t(done));
                if (n <= 0) break; // cannot happen on a file held open; read the mapping below
                done += size_t(n);
            }
            if (done == rowBytes) continue;
        }
#endif
        std::memcpy(target, m_rows.data() + Eigen::Index(items[i]) * cols(), rowBytes);
    }
}

void RowSource::releasePages() const
{
#ifdef Q_OS_LINUX
    if (m_mappingStart && m_mappingBytes > 0)
        madvise(const_cast<void *>(m_mappingStart), m_mappingBytes, MADV_DONTNEED);
#endif
}

} // namespace lookbook
