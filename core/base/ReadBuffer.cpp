#include "ReadBuffer.h"

#include <new>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

namespace lookbook {

namespace {
#ifdef Q_OS_LINUX
constexpr std::size_t kHugePage = std::size_t(2) << 20;
#endif
} // namespace

void ReadBufferRelease::operator()(char *p) const
{
#ifdef Q_OS_LINUX
    munmap(p, capacity);
#else
    (void)capacity;
    delete[] p;
#endif
}

ReadBuffer ReadBuffer::read(QFile &file, qsizetype bytes)
{
    ReadBuffer buffer;
    if (bytes <= 0) return buffer;
#ifdef Q_OS_LINUX
    // Whole huge pages, so that the last one is not left in small pages.
    const std::size_t capacity = (std::size_t(bytes) + kHugePage - 1) / kHugePage * kHugePage;
    void *memory = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return buffer;
    madvise(memory, capacity, MADV_HUGEPAGE); // a refusal only costs speed
    buffer.m_data = std::unique_ptr<char[], ReadBufferRelease>(static_cast<char *>(memory), ReadBufferRelease{capacity});
#else
    buffer.m_data = std::unique_ptr<char[], ReadBufferRelease>(new (std::nothrow) char[std::size_t(bytes)], ReadBufferRelease{});
    if (!buffer.m_data) return buffer;
#endif
    qsizetype done = 0;
    while (done < bytes) {
        const qint64 got = file.read(buffer.m_data.get() + done, bytes - done);
        if (got < 0) return ReadBuffer();
        if (got == 0) break; // the file is shorter than it was said to be: its checks will tell
        done += got;
    }
    buffer.m_size = done;
    return buffer;
}

} // namespace lookbook
