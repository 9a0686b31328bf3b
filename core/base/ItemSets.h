#pragma once
// Disjoint sets of items (union-find), for grouping items linked in pairs: near-duplicates,
// sibling products. The root of a set is its lowest item, so that the grouping does not
// depend on the order the links are made in.

#include <algorithm>
#include <numeric>
#include <vector>

namespace lookbook {

class ItemSets {
public:
    explicit ItemSets(int count) : m_parent(size_t(count)) { std::iota(m_parent.begin(), m_parent.end(), 0); }
    int size() const { return int(m_parent.size()); }
    int root(int item)
    {
        while (m_parent[size_t(item)] != item) {
            m_parent[size_t(item)] = m_parent[size_t(m_parent[size_t(item)])]; // path halving
            item = m_parent[size_t(item)];
        }
        return item;
    }
    void join(int a, int b)
    {
        const int ra = root(a), rb = root(b);
        if (ra != rb) m_parent[size_t(std::max(ra, rb))] = std::min(ra, rb);
    }

private:
    std::vector<int> m_parent;
};

} // namespace lookbook
