#pragma once
// A row-major float matrix that may live in a memory-mapped file, read in the way that
// suits each use.
//
// Scans that read every row go through memory (the mapping, or a matrix the process owns):
// that is the fastest way to stream them. Rows picked here and there, as the exact
// re-score of a coarse shortlist picks them, are copied out with pread when the matrix is a
// file. Read through the mapping instead, each would map its page-cache pages into the
// process (a whole 2 MB folio per row with this kernel's large folios), and resident memory
// would grow with every query until most of the cache file counted as the app's own: 7.5 GB
// after 100 queries at a million items, measured by `lookbook-bench million`.

#include "RowMatrix.h"

#include <QtGlobal>

#include <atomic>
#include <memory>
#include <span>

namespace lookbook {

class RowSource {
public:
    // A matrix in memory (implicit: every view is a source).
    RowSource(RowMatrixView rows) : m_rows(rows) {} // NOLINT(google-explicit-constructor)
    // Rows memory-mapped from an open file: `rows` points into the mapping
    // [mappingStart, mappingStart + mappingBytes), and the first row is at `fileOffset` of
    // the file `descriptor`. A read from the file that fails raises `readFailed` (when given).
    RowSource(RowMatrixView rows, int descriptor, qint64 fileOffset, const void *mappingStart, size_t mappingBytes,
              std::shared_ptr<std::atomic_bool> readFailed = {});

    Eigen::Index rows() const { return m_rows.rows(); }
    Eigen::Index cols() const { return m_rows.cols(); }
    // The whole matrix for scans.
    const RowMatrixView &view() const { return m_rows; }
    bool isFile() const { return m_descriptor >= 0; }

    // Rows `items`, in that order, into `out` (resized to items.size() x cols()).
    void gather(std::span<const int> items, RowMatrix &out) const;
    // Dot products of `query` with rows `items`, each row copied out (from a file) into a
    // small buffer of this thread's as it is needed: no allocation per call.
    Eigen::VectorXf dots(std::span<const int> items, const Eigen::Ref<const Eigen::RowVectorXf> &query) const;
    // Rows [begin, begin + count) into `out`, for scans that must not map the file either.
    void readRange(Eigen::Index begin, Eigen::Index count, RowMatrix &out) const;
    // Drops the mapped pages a scan touched from the process (they stay in the page cache,
    // so reading them again costs page faults, not disk reads). Nothing for memory rows.
    void releasePages() const;

private:
    // Copies `bytes` at `fileOffset` + `at` with pread; false when the rows are not read
    // from a file (read them from memory). A read that fails (the file truncated or gone
    // under it) gives zeros and raises m_readFailed for the caller to report: the mapping
    // is never read in its place, because a page past the file's end is a SIGBUS.
    bool readFile(qint64 at, size_t bytes, float *out) const;

    RowMatrixView m_rows;
    int m_descriptor = -1;
    qint64 m_fileOffset = 0;
    const void *m_mappingStart = nullptr;
    size_t m_mappingBytes = 0;
    std::shared_ptr<std::atomic_bool> m_readFailed;
};

} // namespace lookbook
