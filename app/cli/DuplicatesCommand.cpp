// lookbook-cli duplicates: groups of near-duplicate items of a catalog.
#include "CliSupport.h"

#include "NearDuplicateFinder.h"
#include "TerminalProgress.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace lookbook::cli {

namespace {

// A catalog item's labels, as a JSON object (empty without labels).
QJsonObject labelsJson(const StyleLabels *labels, const QString &relativePath)
{
    QJsonObject object;
    if (!labels) return object;
    if (const StyleLabels::Row *row = labels->forFile(relativePath))
        for (auto it = row->cbegin(); it != row->cend(); ++it) object.insert(it.key(), it.value());
    return object;
}

} // namespace

// Groups of near-duplicate items (NearDuplicateFinder): each item's nearest other item,
// linked when their cosine reaches the threshold.
int runDuplicates(Context &ctx)
{
    QCommandLineOption threshold(QStringLiteral("threshold"),
                                 QStringLiteral("Cosine similarity at and above which two items are near-duplicates, "
                                                "0 to 1 (default %1).")
                                     .arg(double(NearDuplicateFinder::kDefaultThreshold), 0, 'f', 2),
                                 QStringLiteral("t"), QString::number(double(NearDuplicateFinder::kDefaultThreshold), 'f', 2));
    ctx.parser.addOptions({threshold, ctx.common.json, ctx.common.labels});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (ctx.parser.positionalArguments().size() != 2) return usageError(QStringLiteral("duplicates takes CATALOG only"));
    bool ok = false;
    const float minimum = ctx.parser.value(threshold).toFloat(&ok);
    if (!ok || !(minimum >= 0.0f && minimum <= 1.0f)) return usageError(QStringLiteral("--threshold takes a number from 0 to 1"));

    auto catalog = openWithLabels(ctx);
    if (!catalog) return failure(catalog.error());
    const EmbeddingStore *const store = catalog->store().get();
    const StyleLabels *const labels = catalog->labels().get();

    QElapsedTimer clock;
    clock.start();
    const bool json = ctx.parser.isSet(ctx.common.json);
    std::optional<TerminalProgress> bar;
    if (!json) bar.emplace(QStringLiteral("comparing"), QStringLiteral("items/s"));
    const auto found = NearDuplicateFinder(minimum).find(store->rows(), [&](int done, int total) {
        if (bar) bar->update({done, total, 0, -1, {}});
    });
    if (bar) bar->finish();
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    Q_ASSERT(found); // only a cancelled search gives nothing, and this one has no cancel flag

    const QString root = QFileInfo(ctx.catalog).absoluteFilePath();
    auto pathOf = [&](int item) -> const QString & { return store->items()[size_t(item)].relativePath; };
    if (json) {
        QJsonArray groups;
        for (const DuplicateGroup &group : found->groups) {
            QJsonArray items;
            for (const int item : group.items)
                items.append(QJsonObject{{QStringLiteral("path"), QDir(root).filePath(pathOf(item))},
                                         {QStringLiteral("relative_path"), pathOf(item)},
                                         {QStringLiteral("nearest_score"), double(found->nearest[size_t(item)].score)},
                                         {QStringLiteral("labels"), labelsJson(labels, pathOf(item))}});
            groups.append(QJsonObject{{QStringLiteral("score"), double(group.score)}, {QStringLiteral("items"), items}});
        }
        const QJsonObject doc{{QStringLiteral("catalog"), root},
                              {QStringLiteral("catalog_items"), store->size()},
                              {QStringLiteral("threshold"), double(minimum)},
                              {QStringLiteral("duplicate_items"), found->duplicateItems()},
                              {QStringLiteral("find_ms"), ms},
                              {QStringLiteral("groups"), groups}};
        out() << QJsonDocument(doc).toJson(QJsonDocument::Indented);
        return Ok;
    }
    // Each item with the cosine to its nearest other item, which is in its group.
    for (size_t g = 0; g < found->groups.size(); ++g) {
        const DuplicateGroup &group = found->groups[g];
        out() << "Group " << g + 1 << ": " << group.items.size() << " items, best "
              << QString::number(double(group.score), 'f', 3) << '\n';
        for (const int item : group.items) {
            const QString label = labels ? labels->value(pathOf(item), QStringLiteral("articleType")) : QString();
            out() << "  " << QString::number(double(found->nearest[size_t(item)].score), 'f', 3) << "  "
                  << QDir::toNativeSeparators(pathOf(item)) << (label.isEmpty() ? QString() : QStringLiteral("  (%1)").arg(label))
                  << '\n';
        }
    }
    out() << (found->groups.empty() ? "" : "\n") << found->groups.size() << " groups, " << found->duplicateItems()
          << " items, threshold " << QString::number(double(minimum), 'f', 3) << ", " << QString::number(ms, 'f', 0)
          << " ms (" << store->size() << " items compared)\n";
    out().flush();
    return Ok;
}

} // namespace lookbook::cli
