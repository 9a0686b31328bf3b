#pragma once
// A file's bytes read into memory in one piece, in huge pages where the system gives them.
// Reading a cache from a network share (it is never mapped there: EmbeddingStore) into
// ordinary memory costs a page fault per 4 KB, and on the 2-core test machine those faults
// were most of the time: 37 MB read in 215 ms into malloc'd memory (and 500 ms more when
// the rows were then copied out), against 15-20 ms into memory advised for transparent
// huge pages (2 MB per fault), which Linux gives when asked (its default "madvise" mode).
// Elsewhere, or where huge pages are refused, ordinary memory serves, only slower.

#include <QFile>

#include <cstddef>
#include <memory>

namespace lookbook {

// Gives the memory of a ReadBuffer back (to the system, as it was had).
struct ReadBufferRelease {
    std::size_t capacity = 0;
    void operator()(char *p) const;
};

class ReadBuffer {
public:
    // The first `bytes` bytes of the open `file` (fewer when it is shorter: size() says).
    // Empty when the memory cannot be had or the file cannot be read (`file.errorString()`).
    static ReadBuffer read(QFile &file, qsizetype bytes);

    const char *data() const { return m_data.get(); }
    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

private:
    std::unique_ptr<char[], ReadBufferRelease> m_data;
    qsizetype m_size = 0;
};

} // namespace lookbook
