#pragma once
// The start-up milestones, each reported once to a TimingLog in ms since the process started
// (ProcessClock), in the order they happen:
//
//   window-shown   the window's first frame is on screen (MainWindow::firstFrameShown).
//   index-open     the first catalog opened (the one the app starts with) has its cache loaded
//                  and can be searched; details items=<n> (0 when there was no usable cache).
//   model-loaded   the network is loaded and can embed queries.
//   window-usable  the first moment at which both window-shown and index-open have happened
//                  and the GUI thread is back in its event loop (stamped from a zero timer
//                  queued after the later of the two), so a click or a drop would be handled
//                  at once and could search the index. It does not wait for the model: a
//                  dropped photo waits for it inside the search, the window does not.
//
// Until a catalog opens (none given or remembered, or its folder is missing), neither
// index-open nor window-usable is reported. GUI thread only.

#include <QObject>

namespace lookbook {

class TimingLog;

class StartupTimeline : public QObject {
    Q_OBJECT
public:
    // log is not owned and must outlive the timeline.
    explicit StartupTimeline(TimingLog *log, QObject *parent = nullptr);

public slots:
    void windowShown();
    void indexOpened(int items);
    void modelLoaded();

private:
    void reportUsableOnceReady();

    TimingLog *m_log;
    bool m_shown = false;
    bool m_indexOpen = false;
    bool m_modelLoaded = false;
};

} // namespace lookbook
