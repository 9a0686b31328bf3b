#include "QueryHistory.h"

#include <algorithm>

namespace lookbook {

QueryHistory::QueryHistory(int maxEntries) : m_maxEntries(std::max(1, maxEntries)) {}

QueryHistory::Change QueryHistory::setFilter(const ResultFilter &filter)
{
    m_current.filter = filter;
    return hasQuery() ? record(Change::SameEntry) : Change::None; // the same query, seen through another filter
}

QueryHistory::Change QueryHistory::startWith(const QueryInput &picture, const ResultFilter &filter, const QString &colour)
{
    m_current = CatalogSession::Query{{picture}, {}, {}, filter, m_k, colour};
    return record(Change::NewEntry);
}

QueryHistory::Change QueryHistory::addPicture(const QueryInput &picture)
{
    if (!hasQuery()) return Change::None;
    m_current.pictures.push_back(picture);
    return record(Change::NewEntry);
}

QueryHistory::Change QueryHistory::giveFeedback(const QString &relativePath, bool liked)
{
    if (!hasQuery()) return Change::None;
    QStringList &into = liked ? m_current.liked : m_current.disliked;
    QStringList &other = liked ? m_current.disliked : m_current.liked;
    other.removeAll(relativePath);
    if (into.contains(relativePath)) return Change::None;
    into << relativePath;
    return record(Change::NewEntry); // Back returns to the results before this refinement
}

QueryHistory::Change QueryHistory::clearFeedback()
{
    if (m_current.liked.isEmpty() && m_current.disliked.isEmpty()) return Change::None;
    m_current.liked.clear();
    m_current.disliked.clear();
    return record(Change::NewEntry);
}

QueryHistory::Change QueryHistory::setColour(const QString &colour)
{
    if (!hasQuery() || colour == m_current.colour) return Change::None;
    m_current.colour = colour;
    return record(Change::NewEntry); // Back returns to the colour before
}

QueryHistory::Change QueryHistory::setRegion(const QRect &region)
{
    // A region is of one picture; a mood board is searched whole.
    if (m_current.pictures.size() != 1) return Change::None;
    m_current.pictures.front().region = region;
    return record(Change::NewEntry);
}

QueryHistory::Change QueryHistory::refresh()
{
    return hasQuery() ? record(Change::SameEntry) : Change::None;
}

bool QueryHistory::goBack()
{
    if (!canGoBack()) return false;
    m_current = m_entries[size_t(--m_index)];
    return true;
}

bool QueryHistory::goForward()
{
    if (!canGoForward()) return false;
    m_current = m_entries[size_t(++m_index)];
    return true;
}

QueryHistory::Change QueryHistory::record(Change change)
{
    m_current.k = m_k;
    if (change == Change::NewEntry || m_index < 0) {
        m_entries.resize(size_t(m_index + 1)); // a new query drops the entries ahead of it
        m_entries.push_back(m_current);
        if (int(m_entries.size()) > m_maxEntries) m_entries.erase(m_entries.begin());
        m_index = int(m_entries.size()) - 1;
        return Change::NewEntry;
    }
    m_entries[size_t(m_index)] = m_current;
    return Change::SameEntry;
}

} // namespace lookbook
