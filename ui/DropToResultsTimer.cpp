#include "DropToResultsTimer.h"

#include "ProcessClock.h"
#include "SearchResult.h"
#include "TimingLog.h"

namespace lookbook {

DropToResultsTimer::DropToResultsTimer(TimingLog *log, QObject *parent) : QObject(parent), m_log(log) {}

void DropToResultsTimer::timeQuery(quint64 queryId, double receivedMs)
{
    m_queryId = queryId;
    m_startMs = receivedMs >= 0 ? receivedMs : ProcessClock::elapsedMs();
    m_shownMs = -1;
}

void DropToResultsTimer::searchStarted(quint64 queryId)
{
    if (queryId != m_queryId) forget(); // its results will never be shown
}

void DropToResultsTimer::resultsShown(const SearchOutcome &outcome)
{
    if (outcome.queryId != m_queryId || m_queryId == 0) return;
    m_shownMs = ProcessClock::elapsedMs();
    m_embedMs = outcome.embedMs;
    m_searchMs = outcome.searchMs;
}

void DropToResultsTimer::resultsPainted()
{
    if (m_shownMs < 0) return; // not the timed query's results, or already reported
    const double now = ProcessClock::elapsedMs();
    m_log->record(QStringLiteral("drop-to-results"), now - m_startMs,
                  QStringLiteral("embed=%1 search=%2 thumbnails=%3")
                      .arg(m_embedMs, 0, 'f', 1)
                      .arg(m_searchMs, 0, 'f', 1)
                      .arg(now - m_shownMs, 0, 'f', 1));
    forget();
}

void DropToResultsTimer::forget()
{
    m_queryId = 0;
    m_shownMs = -1;
}

} // namespace lookbook
