#pragma once
// The indexer's checkpoint: every finished batch is appended to a journal beside the cache
// and synced to the disk (fdatasync), so a cancel, a crash, a kill or a power cut loses at
// most the batch in flight. Rewriting
// the whole cache per batch would cost O(catalog) each time; an append costs O(batch).
// When indexing ends the store is saved whole and the journal removed. A journal left by a
// crash is replayed on the next start; a torn last record (the write in flight) is ignored.

#include "EmbeddingStore.h"
#include "Expected.h"

#include <QFile>
#include <QString>

#include <memory>
#include <vector>

namespace lookbook {

struct JournalBatch {
    std::vector<CatalogFile> files;
    RowMatrix rows;
    std::vector<SkippedFile> skipped;
};

class IndexJournal {
public:

    // Starts a new, empty journal (replacing any old one).
    static Expected<std::unique_ptr<IndexJournal>> create(const QString &path, const StoreIdentity &identity);
    Status append(const JournalBatch &batch);
    // How many times the journal was synced to the disk: once when created, once per batch.
    int syncs() const { return m_syncs; }

    // The complete batches of a journal made with `identity`. Empty when there is no
    // journal; fails when the journal belongs to another model or recipe or is unreadable.
    static Expected<std::vector<JournalBatch>> replay(const QString &path, const StoreIdentity &identity);

private:
    explicit IndexJournal(const QString &path) : m_file(path) {}
    Status checkpoint(); // flushed and synced
    QFile m_file;
    int m_dimension = 0;
    int m_syncs = 0;
};

} // namespace lookbook
