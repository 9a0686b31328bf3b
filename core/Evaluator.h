#pragma once
// The quality protocol of docs/quality.md: leave-one-out P@k over a labelled catalog, and
// P@k of consumer photos against the catalog through a label map. Every figure comes with
// the counts it rests on.

#include "EmbeddingModel.h"
#include "EmbeddingStore.h"
#include "Expected.h"
#include "StyleLabels.h"

#include <QHash>
#include <QSet>
#include <QString>

#include <atomic>
#include <functional>

namespace lookbook {

inline constexpr int kProtocolK = 5;

struct CatalogQuality {
    int catalogItems = 0;
    int queries = 0;            // catalog items with an articleType label
    double pAtKArticleType = 0;
    double pAtKArticleTypeColour = 0;
};

struct StreetQuality {
    int queries = 0;
    double pAtKStrict = 0;
    double pAtKBroad = 0;
    std::vector<std::pair<QString, QString>> skipped; // file, reason (unreadable or unmapped label)
};

// Which catalog articleTypes count as a hit for a consumer-photo label
// (label_map_to_articleType.csv: query_label, articleType, match = strict | broad).
class LabelMap {
public:
    static Expected<LabelMap> load(const QString &csvPath);
    static Expected<LabelMap> parse(const QByteArray &csv);
    bool hasLabel(const QString &queryLabel) const { return m_strict.contains(queryLabel); }
    bool isHit(const QString &queryLabel, const QString &articleType, bool broad) const;

private:
    QHash<QString, QSet<QString>> m_strict;
    QHash<QString, QSet<QString>> m_broad;
};

// Street queries: one sub-folder per label, as in clothing-dataset-small-queries/images.
struct LabelledImage {
    QString path;
    QString label;
};
std::vector<LabelledImage> listLabelledImages(const QString &queriesDir);

class Evaluator {
public:
    static CatalogQuality leaveOneOut(const EmbeddingStore &store, const StyleLabels &labels, int k = kProtocolK);

    using Progress = std::function<void(int done, int total)>;
    static StreetQuality streetQueries(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                       const EmbeddingStore &store, const StyleLabels &labels,
                                       const std::vector<LabelledImage> &queries, const LabelMap &map,
                                       int k = kProtocolK, const Progress &onProgress = {});
};

} // namespace lookbook
