#pragma once
// The quality protocol of docs/quality.md: leave-one-out P@k over a labelled catalog, and
// P@k of consumer photos against the catalog through a label map. Every figure comes with
// the counts it rests on.

#include "DiscriminantProjection.h"
#include "EmbeddingModel.h"
#include "EmbeddingStore.h"
#include "Expected.h"
#include "Rocchio.h"
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
    int folds = 0;              // cross-validation folds of the learned projection (0: none fitted)
    double pAtKArticleType = 0;
    double pAtKArticleTypeColour = 0;
};

// Relevance feedback measured on the catalog: for every query whose first k results hold at
// least `likes` items of its articleType, those are "liked" (the clicks simulated from the
// labels), the query is refined (Rocchio) and searched again. P@k over those queries.
struct FeedbackQuality {
    int queries = 0;             // catalog items with an articleType label
    int eligible = 0;            // of them, with enough correct results to like
    int likes = 0;               // liked results per query
    int folds = 0;
    double pBefore = 0;          // P@k of the first results
    double pAfter = 0;           // P@k of the refined query (the liked items may be among them)
    double pBeforeUnseen = 0;    // the same two with the liked items left out of both rankings:
    double pAfterUnseen = 0;     // what the feedback finds beyond what was liked
};

struct StreetQuality {
    int queries = 0;
    double embedMsPerImage = 0; // the network's forward pass, batches of 16
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

// How many cross-validation folds the catalog figures need: when the recipe's learned
// projection was fitted on items of this catalog, it must be re-fitted on folds that do not
// contain the query (0 when the built-in projection can be used as it is).
inline constexpr int kCrossValidationFolds = 5;

class Evaluator {
public:
    // Leave-one-out over the catalog. With folds > 1 and a recipe that uses the learned
    // projection, the items are split into folds; each fold's queries are searched with a
    // projection fitted on the articleType labels of the other folds only.
    static CatalogQuality leaveOneOut(const EmbeddingStore &store, const StyleLabels &labels,
                                      const EmbeddingRecipe &recipe, int folds = 0, int k = kProtocolK,
                                      std::shared_ptr<const DiscriminantProjection> projection = {});
    // See FeedbackQuality; folds and projection as for leaveOneOut.
    static FeedbackQuality relevanceFeedback(const EmbeddingStore &store, const StyleLabels &labels,
                                             const EmbeddingRecipe &recipe, int folds, const Rocchio &rocchio,
                                             int likes = 2, int k = kProtocolK,
                                             std::shared_ptr<const DiscriminantProjection> projection = {});
    // Folds needed for honest figures on this catalog (see kCrossValidationFolds).
    static int foldsNeeded(const EmbeddingStore &store, const EmbeddingRecipe &recipe);

    using Progress = std::function<void(int done, int total)>;
    static StreetQuality streetQueries(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                       const EmbeddingStore &store, const StyleLabels &labels,
                                       const std::vector<LabelledImage> &queries, const LabelMap &map,
                                       int k = kProtocolK, const Progress &onProgress = {},
                                       std::shared_ptr<const DiscriminantProjection> projection = {});
};

} // namespace lookbook
