#pragma once
// The cache file's own pieces, shared by the cache and its journal (docs/cache-format.md):
// the item-table entry and the identity as JSON. Internal to the store.

#include "ByteStreams.h"
#include "CatalogScanner.h"
#include "EmbeddingStore.h"

#include <QJsonObject>

#include <optional>

namespace lookbook::format {

void putFile(ByteWriter &out, const CatalogFile &file);
// The next item-table entry; nullopt (and the reader no longer ok) when it is damaged.
std::optional<CatalogFile> getFile(ByteReader &in);

QJsonObject identityToJson(const StoreIdentity &identity);
StoreIdentity identityFromJson(const QJsonObject &object);

// The reason a cache or journal of identity `found` cannot serve `expected`; empty if it can.
QString identityMismatch(const StoreIdentity &found, const StoreIdentity &expected);

} // namespace lookbook::format
