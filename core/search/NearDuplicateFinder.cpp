#include "NearDuplicateFinder.h"

#include "ItemSets.h"
#include "SimilarityJoin.h"

#include <algorithm>
#include <numeric>

namespace lookbook {

int NearDuplicates::itemsIn(const std::vector<DuplicateGroup> &groups)
{
    int items = 0;
    for (const DuplicateGroup &g : groups) items += int(g.items.size());
    return items;
}

NearDuplicateFinder::NearDuplicateFinder(float threshold, QThreadPool *pool) : m_threshold(threshold), m_pool(pool) {}

std::optional<NearDuplicates> NearDuplicateFinder::find(const RowSource &rows, const Progress &progress,
                                                        const std::atomic_bool *cancel) const
{
    auto nearest = SimilarityJoin(m_threshold, m_pool).bestAboveFloor(rows, progress, cancel);
    if (!nearest) return std::nullopt;
    NearDuplicates found;
    found.nearest = std::move(*nearest);
    found.groups = group(found.nearest, m_threshold);
    return found;
}

std::vector<DuplicateGroup> NearDuplicateFinder::group(const std::vector<SearchHit> &nearest, float threshold)
{
    const int count = int(nearest.size());
    ItemSets sets(count);
    auto links = [&](int i) {
        const SearchHit &hit = nearest[size_t(i)];
        return hit.item >= 0 && hit.item < count && hit.item != i && hit.score >= threshold;
    };
    std::vector<char> linked(size_t(count), 0);
    for (int i = 0; i < count; ++i) {
        if (!links(i)) continue;
        sets.join(i, nearest[size_t(i)].item);
        linked[size_t(i)] = linked[size_t(nearest[size_t(i)].item)] = 1;
    }
    // Groups in order of their lowest item, each listing its items in ascending order.
    std::vector<int> groupOfRoot(size_t(count), -1);
    std::vector<DuplicateGroup> groups;
    for (int i = 0; i < count; ++i) {
        if (!linked[size_t(i)]) continue;
        int &g = groupOfRoot[size_t(sets.root(i))];
        if (g < 0) {
            g = int(groups.size());
            groups.emplace_back();
        }
        DuplicateGroup &group = groups[size_t(g)];
        group.items.push_back(i);
        if (links(i)) group.score = std::max(group.score, nearest[size_t(i)].score);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const DuplicateGroup &a, const DuplicateGroup &b) {
        if (a.items.size() != b.items.size()) return a.items.size() > b.items.size();
        return a.score > b.score; // equal ones keep the order of their first item
    });
    return groups;
}

} // namespace lookbook
