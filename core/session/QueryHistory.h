#pragma once
// The query on show and the queries before and after it (Back and Forward), with what each
// thing the stylist does makes of the query: a new picture, one more picture, a like or a
// dislike, a filter, a colour, a region. Plain data on the GUI thread, no widgets: the
// window presents it and sends `current()` to the CatalogSession when an operation says so.
//
// Refinements the stylist may want to undo (likes, colour, region, another picture) are new
// history entries; a filter or the taste profile only change how the same query is seen,
// so they replace the entry on show. A new entry after going back drops the entries ahead.
// The history is bounded: queries hold their pictures' bytes.

#include "CatalogSession.h"

#include <vector>

namespace lookbook {

class QueryHistory {
public:
    static constexpr int kDefaultLength = 50;

    // What an operation did, and so whether the current query must be searched again.
    enum class Change {
        None,     // nothing to search: the query is as it was (or there is no query yet)
        NewEntry, // a new history entry, searched; Back returns to the one before
        SameEntry // the entry on show was updated in place, searched again
    };

    explicit QueryHistory(int maxEntries = kDefaultLength);

    const CatalogSession::Query &current() const { return m_current; }
    bool hasQuery() const { return !m_current.pictures.empty(); }
    bool canGoBack() const { return m_index > 0; }
    bool canGoForward() const { return m_index + 1 < int(m_entries.size()); }
    int entryCount() const { return int(m_entries.size()); }

    // The number of results asked for by the entries recorded from now on (an entry keeps
    // the count it was searched with).
    void setResultCount(int k) { m_k = k; }
    int resultCount() const { return m_k; }
    // The query on show, seen through another filter.
    Change setFilter(const ResultFilter &filter);

    // A new look: one picture under a filter, without likes; `colour` is kept from the
    // query before when the look goes on in it ("more like this").
    Change startWith(const QueryInput &picture, const ResultFilter &filter, const QString &colour = {});
    // One more picture in the query on show (a mood board); without a query, nothing (the
    // window starts one instead).
    Change addPicture(const QueryInput &picture);
    // A like or a dislike of a result (by relative path); the other judgement of it is dropped.
    Change giveFeedback(const QString &relativePath, bool liked);
    Change clearFeedback();
    // "This, in another colour" (empty: any colour).
    Change setColour(const QString &colour);
    // The part of the (single) picture to search for; a null rect searches all of it.
    Change setRegion(const QRect &region);
    // The same query searched again, e.g. when the taste profile is switched on or off.
    Change refresh();

    // Show the entry before or after; false (and no change) at either end.
    bool goBack();
    bool goForward();

private:
    Change record(Change change);

    int m_maxEntries;
    int m_k = CatalogSession::Query{}.k;
    CatalogSession::Query m_current;
    std::vector<CatalogSession::Query> m_entries;
    int m_index = -1; // of the entry on show in m_entries, -1 before the first query
};

} // namespace lookbook
