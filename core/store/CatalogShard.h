#pragma once
// Which part of a catalog a partial cache holds, when one catalog is indexed by many
// processes or machines at once (`lookbook-cli index --shard K/N`, docs/scale-out.md).
//
// A file belongs to shard (XXH3-64 of its relative path) mod N, plus one: a function of the
// path alone, so every machine assigns every file alike, whatever order it lists the folder
// in and wherever it mounts it. The path is NFC-normalised first, because macOS lists
// decomposed names where Linux and Windows list the composed ones. A part also records the
// listing of the whole catalog it was indexed against (a fingerprint of every path, size
// and date), so that parts indexed from different catalogs, or from one catalog at
// different times, are never merged.

#include "CatalogScanner.h"
#include "Expected.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace lookbook {

struct CatalogListing {
    quint64 fingerprint = 0; // XXH3-64 of every file's path, size and date, in order
    qint64 files = 0;

    friend bool operator==(const CatalogListing &, const CatalogListing &) = default;
    static CatalogListing of(const std::vector<CatalogFile> &files);
};

struct CatalogShard {
    int index = 0; // 1..count
    int count = 0; // 0: not a part, the whole catalog
    CatalogListing listing; // of the whole catalog when the part was last indexed

    static CatalogShard whole() { return {}; }
    bool isPart() const { return count > 0; }
    // The same part of the same split (the listing may differ: the catalog changed since).
    bool samePartAs(const CatalogShard &other) const { return index == other.index && count == other.count; }

    // "K/N", K from 1 to N.
    static Expected<CatalogShard> parse(const QString &text);
    // The shard (1..count) a file of the catalog falls in.
    static int of(const QString &relativePath, int count);
    bool holds(const QString &relativePath) const { return !isPart() || of(relativePath, count) == index; }
    // The files of `all` that this shard holds, in their order.
    std::vector<CatalogFile> filesOf(const std::vector<CatalogFile> &all) const;

    // "shard 2 of 4", or "the whole catalog".
    QString describe() const;

    // The cache header's "shard" object; an empty object for the whole catalog.
    QJsonObject toJson() const;
    static CatalogShard fromJson(const QJsonObject &object);
};

} // namespace lookbook
