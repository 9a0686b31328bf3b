#pragma once
// Takes a result set out of Lookbook: a table of it (CSV for spreadsheets, JSON for scripts),
// a contact sheet to show someone (PNG), or the photos themselves copied into a folder. All
// of it is written so that nothing is ever lost: a file is replaced only once its new content
// is complete (QSaveFile), and copies never replace a file that is already there.

#include "Expected.h"
#include "SearchResult.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace lookbook {

struct CopiedFile {
    int rank = 0;        // 1-based, as shown
    QString source;      // the catalog file
    QString target;      // where the copy is
};

struct FailedCopy {
    int rank = 0;
    QString source;
    QString reason;      // "the file no longer exists", "cannot create the folder ...: ..."
};

// Every result is in exactly one of the two lists, in rank order.
struct CopyReport {
    QString folder;      // absolute
    std::vector<CopiedFile> copied;
    std::vector<FailedCopy> failed;
};

class ResultExporter {
public:
    // The file suffixes exportTo() writes: csv, json, png.
    static const QStringList &formats();
    // Fails with a sentence naming the formats when the path's suffix is none of them, so a
    // caller can refuse a target before the work that produces the results.
    static Status checkFormat(const QString &path);

    // Writes the outcome to `path` in the format its suffix names (case-insensitive),
    // creating missing folders and replacing an existing file only once the new one is
    // complete. CSV: RFC 4180, UTF-8, CRLF; columns rank, score, path, relativePath, then
    // every label column any result has, by name; a text cell that begins like a formula
    // (=, +, -, @, tab, CR) is written after an apostrophe, so that a spreadsheet opening the
    // file shows it rather than runs it. JSON: toJson(). PNG: a ContactSheet.
    static Status exportTo(const SearchOutcome &outcome, const QString &path);

    // Copies each result's file into `folder` (created if missing) as "NN_name.ext", NN the
    // rank, zero-padded, so the folder lists in rank order and the catalog name stays
    // readable. A name already taken gets " (2)", " (3)", ... before the suffix: an existing
    // file is never replaced, and a copy appears under its name only once complete.
    static CopyReport copyFiles(const SearchOutcome &outcome, const QString &folder);

    // The result set as `lookbook-cli query --json` prints it (without the timings): query
    // (its path when it is a local file, else its name), query_name, query_in_catalog,
    // catalog, catalog_items, results [rank, score, path, relative_path, labels {...}].
    static QJsonObject toJson(const SearchOutcome &outcome);
};

} // namespace lookbook
