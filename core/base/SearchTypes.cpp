#include "SearchTypes.h"

#include <algorithm>

namespace lookbook {

TopK::TopK(int k) : m_k(std::max(0, k)) { m_hits.reserve(size_t(m_k) + 1); }

void TopK::offer(int item, float score)
{
    const SearchHit hit{item, score};
    if (int(m_hits.size()) == m_k && (m_k == 0 || !ranksBefore(hit, m_hits.back()))) return;
    m_hits.insert(std::upper_bound(m_hits.begin(), m_hits.end(), hit, ranksBefore), hit);
    if (int(m_hits.size()) > m_k) m_hits.pop_back();
}

void TopK::merge(const std::vector<SearchHit> &hits)
{
    for (const SearchHit &h : hits) offer(h.item, h.score);
}

} // namespace lookbook
