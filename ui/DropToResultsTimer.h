#pragma once
// Times a query from the moment the query pane receives it (a drop, a paste, a file opened
// or named on the command line) to the paint that shows every one of its results with its
// photo, and reports it to a TimingLog as
//
//     drop-to-results <ms> embed=<ms> search=<ms> thumbnails=<ms>
//
// embed and search are the worker's own clocks (SearchOutcome); thumbnails runs from the
// results handed to the view to that paint. The rest of the total is reading the dropped
// file, waiting for a thread or for the model, and delivering the results to the GUI thread.
// Reported once per query; a query made stale by a newer search is not reported. GUI thread only.

#include <QObject>

namespace lookbook {

struct SearchOutcome;
class TimingLog;

class DropToResultsTimer : public QObject {
    Q_OBJECT
public:
    // log is not owned and must outlive the timer.
    explicit DropToResultsTimer(TimingLog *log, QObject *parent = nullptr);

public slots:
    // The search queryId is for a query the pane received at receivedMs (ProcessClock; -1
    // for a query set programmatically, which is timed from here). It replaces any timed query.
    void timeQuery(quint64 queryId, double receivedMs);
    // Any search started: one other than the timed query makes the timed query stale.
    void searchStarted(quint64 queryId);
    // The results of a search are handed to the view.
    void resultsShown(const lookbook::SearchOutcome &outcome);
    // The view painted every shown result with its photo.
    void resultsPainted();

private:
    void forget();

    TimingLog *m_log;
    quint64 m_queryId = 0;    // the timed query, 0 for none
    double m_startMs = 0;
    double m_shownMs = -1;    // when its results were handed to the view, -1 until then
    double m_embedMs = 0;
    double m_searchMs = 0;
};

} // namespace lookbook
