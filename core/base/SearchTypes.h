#pragma once
// What a search asks for and gives back, shared by every layer that ranks items: a hit, a
// request (how many, which item to leave out, which items are allowed) and the running
// top k. Ties are broken by the lower item, so the same query always gives the same order.

#include <utility>
#include <vector>

namespace lookbook {

struct SearchHit {
    int item = -1;
    float score = 0; // cosine similarity, -1..1
    friend bool operator==(const SearchHit &, const SearchHit &) = default;
};

struct SearchRequest {
    int k = 5;
    int excludeItem = -1;                       // the query itself when it is a catalog item
    const std::vector<char> *allowed = nullptr; // optional mask: allowed[i] != 0 keeps item i
};

// Keeps the k best hits offered so far, best first (ranksBefore).
class TopK {
public:
    explicit TopK(int k);
    void offer(int item, float score);
    void merge(const std::vector<SearchHit> &hits);
    std::vector<SearchHit> take() { return std::move(m_hits); }

private:
    int m_k;
    std::vector<SearchHit> m_hits;
};

// True when a ranks before b: higher score, then lower item.
inline bool ranksBefore(const SearchHit &a, const SearchHit &b)
{
    return a.score > b.score || (a.score == b.score && a.item < b.item);
}

} // namespace lookbook
