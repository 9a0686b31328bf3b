#pragma once
// A stylist's taste, learnt from every like and dislike they give: the running mean of the
// items they liked minus a share of those they did not, in the search space. It re-ranks
// future results gently: among the best few dozen candidates for a query, each gains
// weight * cos(item, taste), so two near-equal items swap toward the taste while a clearly
// better match is never displaced by it. Saved per user (app-data), per search space (the
// vectors of one recipe mean nothing in another), and can be cleared.

#include "Expected.h"
#include "RowMatrix.h"
#include "SearchTypes.h"

#include <QString>

#include <functional>
#include <vector>

namespace lookbook {

class TasteProfile {
public:
    // How much the taste may add to a cosine (0..1 scale): a tie-breaker, not a filter.
    static constexpr float kDefaultWeight = 0.05f;
    // How many candidates per wanted result the taste may re-order.
    static constexpr int kCandidatesPerResult = 4;

    TasteProfile() = default;
    // spaceKey names the space its vectors live in: the recipe's id (EmbeddingRecipe::id).
    explicit TasteProfile(QString spaceKey) : m_spaceKey(std::move(spaceKey)) {}

    const QString &spaceKey() const { return m_spaceKey; }
    int dimension() const { return int(m_likedSum.size()); }
    int likes() const { return m_likes; }
    int dislikes() const { return m_dislikes; }
    bool isEmpty() const { return m_likes == 0; } // dislikes alone say nothing to move toward

    // A vector of another dimension than the profile's starts the profile afresh (the space changed).
    void addLike(const Eigen::RowVectorXf &item);
    void addDislike(const Eigen::RowVectorXf &item);
    void clear();

    // The unit direction of the taste; empty while isEmpty().
    Eigen::RowVectorXf direction() const;

    // Re-orders `candidates` (best first, more than k of them) by score + weight * cos(item,
    // taste) and keeps the first k. itemVector(i) is item i's vector in the space. The
    // scores handed back are the cosines to the query, unchanged: the order is the taste's.
    std::vector<SearchHit> rerank(std::vector<SearchHit> candidates, int k,
                                  const std::function<Eigen::RowVectorXf(int)> &itemVector,
                                  float weight = kDefaultWeight) const;

    // The file in the user's app-data folder that keeps the profile of a space.
    static QString defaultPath(const QString &spaceKey);
    Status save(const QString &path) const;
    // A missing file is an empty profile of that key; a damaged one or another space's is an error.
    static Expected<TasteProfile> load(const QString &path, const QString &spaceKey);

private:
    QString m_spaceKey;
    Eigen::RowVectorXf m_likedSum;
    Eigen::RowVectorXf m_dislikedSum;
    int m_likes = 0;
    int m_dislikes = 0;
};

} // namespace lookbook
