#pragma once
// lookbook-cli: index a catalog (whole, or in shards to merge), query it with an image, evaluate its quality, find its
// near-duplicates.
// Exit codes: 0 success, 1 wrong usage, 2 the work could not be done (the message says why),
// 3 indexing was cancelled (what was done is saved).

#include <QStringList>

namespace lookbook::cli {

enum ExitCode { Ok = 0, Usage = 1, Failed = 2, Cancelled = 3 };

int run(const QStringList &arguments);

} // namespace lookbook::cli
