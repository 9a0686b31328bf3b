#pragma once
// Folds for measuring what is fitted on a user's own labelled catalog (the learned
// projection) on items it was not fitted on (../shared/docs/quality.md).
//
// A catalog holds sibling products: the same model in other colours, often consecutive ids
// with near-identical names and embeddings at cosine 0.9 and more. Dealt one by one to
// folds (item i to fold i mod 5), a held-out item's sibling is in the training folds with
// its label, and the fit learns where the held-out item is. So siblings are grouped first
// and whole groups are dealt:
//   - items of one articleType (the fitted column when the labels have no articleType)
//     whose productDisplayName starts with the same two words,
//   - items whose stored embeddings have a cosine of at least 0.90 (every such pair, found
//     by SimilarityJoin, never an all-pairs matrix),
// joined transitively (union-find). Groups go to folds largest first (equal sizes in the
// order of a hash of their first path, so that neither the catalog's order nor an added
// item elsewhere reshuffles them), each to the fold with the fewest items so far.

#include "EmbeddingStore.h"
#include "StyleLabels.h"

#include <QString>

#include <atomic>
#include <optional>
#include <vector>

namespace lookbook {

class CrossValidationFolds {
public:
    static constexpr float kSiblingCosine = 0.90f;
    static constexpr int kNameWords = 2;

    // Siblings grouped as above, groups dealt to `folds` folds; nullopt once `cancel` is set.
    static std::optional<CrossValidationFolds> grouped(const EmbeddingStore &store, const StyleLabels &labels,
                                                       const QString &column, int folds,
                                                       const std::atomic_bool *cancel = nullptr);
    // Item i in fold i mod folds, each item its own group: the scheme grouping replaced,
    // kept to measure what it leaked.
    static CrossValidationFolds byIndex(int items, int folds);

    int folds() const { return m_folds; }
    int groups() const { return m_groups; }
    int items() const { return int(m_foldOf.size()); }
    int foldOf(int item) const { return m_foldOf[size_t(item)]; }
    int groupOf(int item) const { return m_groupOf[size_t(item)]; }
    int itemsIn(int fold) const;
    // 1 for the items of the other folds: what fold `fold`'s fit may learn from and its
    // space may mix into other items' rows.
    std::vector<char> outside(int fold) const;

private:
    CrossValidationFolds(std::vector<int> foldOf, std::vector<int> groupOf, int folds, int groups);

    std::vector<int> m_foldOf;
    std::vector<int> m_groupOf;
    int m_folds = 0;
    int m_groups = 0;
};

} // namespace lookbook
