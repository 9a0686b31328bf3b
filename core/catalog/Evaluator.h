#pragma once
// The quality protocol of docs/quality.md: leave-one-out P@k over a labelled catalog, and
// P@k of consumer photos against the catalog through a label map. Every figure comes with
// the counts it rests on.

#include "ColourRanking.h"
#include "CrossValidationFolds.h"
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
    double pAtKArticleTypeColour = 0;       // the exact baseColour too
    double pAtKArticleTypeFamily = 0;       // the baseColour's family too (needs the families)
    // What a perfect ranker reaches: fewer than k other items share many queries' labels.
    double ceilingArticleType = 0;
    double ceilingArticleTypeColour = 0;
    double ceilingArticleTypeFamily = 0;
};

// What the colour figures need: each baseColour's family (../shared/data/colour-families.csv),
// and, for recipes that re-rank by colour, the catalog's garment colours.
struct ColourContext {
    QHash<QString, QString> familyOf;
    const CatalogColours *colours = nullptr;
    ColourRankingSettings settings;
};

// "This, in another colour" measured on the catalog: every query asks in turn for each
// colour family other than its own of which the catalog holds at least k other items of
// the query's articleType (so a perfect ranker gets 1.0). P@k over those requests.
struct ChosenColourQuality {
    int requests = 0;
    double pAtKFamily = 0;            // results whose baseColour is of the requested family
    double pAtKArticleType = 0;       // results of the query's articleType
    double pAtKArticleTypeFamily = 0; // both
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
// contain the query (0 when the built-in projection can be used as it is). The folds keep
// sibling products together (CrossValidationFolds).
inline constexpr int kCrossValidationFolds = 5;

// How Evaluator::heldOut runs: k, the colour figures, progress and cancel.
struct HeldOutRun {
    int k = kProtocolK;
    const ColourContext *colour = nullptr;
    std::function<void(int done, int total)> progress; // folds done out of all, after each fold
    const std::atomic_bool *cancel = nullptr;          // checked before each fold
};

class Evaluator {
public:
    // Leave-one-out over the catalog. With folds > 1 and a recipe that uses the learned
    // projection, the items are split into grouped folds (CrossValidationFolds), and each
    // fold's queries are searched as heldOut() does, with a projection fitted on the
    // articleType labels of the other folds only. A fold that cannot be fitted or has no
    // query is refused with the reason, never measured as 0.
    // With `colour`, also the colour-family figure, and the recipe's colour re-ranking.
    static Expected<CatalogQuality> leaveOneOut(const EmbeddingStore &store, const StyleLabels &labels,
                                      const EmbeddingRecipe &recipe, int folds = 0, int k = kProtocolK,
                                      std::shared_ptr<const DiscriminantProjection> projection = {},
                                      const ColourContext *colour = nullptr);
    // See ChosenColourQuality: the catalog's garment colours are needed (colour.colours).
    static ChosenColourQuality chosenColour(const EmbeddingStore &store, const StyleLabels &labels,
                                            const EmbeddingRecipe &recipe, const ColourContext &colour,
                                            int k = kProtocolK,
                                            std::shared_ptr<const DiscriminantProjection> projection = {});
    // See FeedbackQuality; folds and projection as for leaveOneOut.
    static Expected<FeedbackQuality> relevanceFeedback(const EmbeddingStore &store, const StyleLabels &labels,
                                             const EmbeddingRecipe &recipe, int folds, const Rocchio &rocchio,
                                             int likes = 2, int k = kProtocolK,
                                             std::shared_ptr<const DiscriminantProjection> projection = {});
    // Folds needed for honest figures on this catalog (see kCrossValidationFolds): whether
    // `projection` was fitted on some of the store's files (under catalogRoot), by their
    // content when its provenance records it (sharesTrainingItems), else by file name.
    static int foldsNeeded(const EmbeddingStore &store, const EmbeddingRecipe &recipe, const QString &catalogRoot,
                           const DiscriminantProjection &projection = DiscriminantProjection::builtIn());

    using Progress = std::function<void(int done, int total)>;
    static StreetQuality streetQueries(const EmbeddingModel &model, const EmbeddingRecipe &recipe,
                                       const EmbeddingStore &store, const StyleLabels &labels,
                                       const std::vector<LabelledImage> &queries, const LabelMap &map,
                                       int k = kProtocolK, const Progress &onProgress = {},
                                       std::shared_ptr<const DiscriminantProjection> projection = {},
                                       const ColourContext *colour = nullptr);

    // The projection fold f's queries are searched with, or why fold f cannot be measured.
    using FoldProjection = std::function<Expected<std::shared_ptr<const DiscriminantProjection>>(int fold)>;
    // (a namespace-level struct: GCC 12 cannot default an argument of a nested one with
    // member initializers inside its own class)
    using HeldOutRun = lookbook::HeldOutRun;
    // Leave-one-out, fold by fold: fold f's queries are searched in a space with
    // projectionFor(f) whose neighbour augmentation mixes no item of fold f into another
    // item's row (a held-out query's own vector would otherwise reach its neighbours' rows).
    // Refused when a fold has no query (an item with an articleType) or cannot be fitted.
    static Expected<CatalogQuality> heldOut(const EmbeddingStore &store, const StyleLabels &labels,
                                            const EmbeddingRecipe &recipe, const CrossValidationFolds &folds,
                                            const FoldProjection &projectionFor, const HeldOutRun &run = {});
    // Fold f's projection fitted on the `column` labels of the other folds only; refused,
    // naming the fold and its counts, when they hold fewer than two classes. The store,
    // labels and folds must outlive the function.
    static FoldProjection fittedOnTrainingFolds(const EmbeddingStore &store, const StyleLabels &labels,
                                                const QString &column, const CrossValidationFolds &folds);
};

} // namespace lookbook
