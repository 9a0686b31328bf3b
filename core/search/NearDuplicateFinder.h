#pragma once
// Near-duplicates in a catalog: photos that are the same picture, or nearly (re-encoded,
// resized, slightly cropped or retouched), so that a user can clean the catalog.
//
// Every pair of items at or above a cosine threshold is found by a similarity join
// (SimilarityJoin: a bound on compressed rows picks the pairs to score exactly; none is
// missed, and no all-pairs matrix is made), each item is linked to its most similar one,
// and linked items are grouped by union-find, so that a chain a-b, b-c is one group even
// when a and c are not each other's nearest.
//
// The rows compared are the network's embeddings as the cache holds them
// (EmbeddingStore::rows), not the search space's. The space is made for "the same kind of
// item": its learned projection pulls items of one articleType together, its neighbour
// augmentation turns each item into the mean of its neighbours, and query expansion moves
// each query toward its results, so different items that share neighbours score like a
// photo and its copy. Measured on the 3,000-item demo subset with 12 planted copies
// (JPEG quality 60, doubled in size, cropped by 2 pixels, or brightened and saved as PNG):
// with the network's rows every copy's nearest item is its original, at cosines 0.959 to
// 0.983, and 153 of the 2,988 other items have a nearest item at 0.95 or more. With the
// search space's rows one copy's nearest is another item, and 2,676 others reach 0.95
// (790 with augmentation alone, 248 with the projection alone).
//
// The default threshold, 0.95, keeps every planted copy. Looking at the groups: from 0.98
// on, one product photographed the same way in other shades; from 0.95, the same or one
// model in other colours; from 0.92 to 0.95, more and more different products of one kind
// shot alike (two black shoes), which are not duplicates.

#include "RowMatrix.h"
#include "RowSource.h"
#include "Pools.h"
#include "SearchTypes.h"
#include "SimilarityJoin.h"

#include <QThreadPool>

#include <atomic>
#include <optional>
#include <vector>

namespace lookbook {

// Items that look the same.
struct DuplicateGroup {
    std::vector<int> items; // rows of the store, ascending
    float score = 0;        // the best cosine of a pair in it: 1 for the same picture
    friend bool operator==(const DuplicateGroup &, const DuplicateGroup &) = default;
};

struct NearDuplicates {
    // Per item, its nearest other item and their cosine when that reaches the finder's
    // threshold; {-1, 0} for an item with no near-duplicate.
    std::vector<SearchHit> nearest;
    // Largest group first, then higher score, then lower first item.
    std::vector<DuplicateGroup> groups;
    int duplicateItems() const { return itemsIn(groups); } // items in some group
    static int itemsIn(const std::vector<DuplicateGroup> &groups);
};

class NearDuplicateFinder {
public:
    // Cosine at and above which two items are near-duplicates (see the measurements above).
    static constexpr float kDefaultThreshold = 0.95f;
    using Progress = SimilarityJoin::Progress;

    explicit NearDuplicateFinder(float threshold = kDefaultThreshold, QThreadPool *pool = pools::search());

    float threshold() const { return m_threshold; }

    // The near-duplicates among `rows` (L2-normalised, one per item: EmbeddingStore::rows()).
    // Meant to run off the GUI thread: `progress` is called on the calling thread with a
    // count out of the items that grows with the work done; once `cancel` is set it stops
    // within a few tiles of rows and gives nothing.
    // The same rows always give the same result, whatever the pool's thread count.
    std::optional<NearDuplicates> find(const RowSource &rows, const Progress &progress = {},
                                       const std::atomic_bool *cancel = nullptr) const;

    // The grouping step alone: items linked to their nearest (nearest[i]) when its score is
    // at least `threshold`, joined transitively. A threshold above the finder's regroups
    // its result.
    static std::vector<DuplicateGroup> group(const std::vector<SearchHit> &nearest, float threshold);

private:
    float m_threshold;
    QThreadPool *m_pool;
};

} // namespace lookbook
