#pragma once
// The one place the desktop app's timing lines are written: with LOOKBOOK_TIMING=1 in the
// environment, each event becomes a line on stderr that a benchmark reads,
//
//     lookbook-timing: <event> <ms>[ <key>=<value>…]
//
// Every event is also emitted as a signal, printed or not, so tests can follow the order of
// events without reading stderr (and without asserting any duration). GUI thread only.

#include <QObject>
#include <QString>

namespace lookbook {

class TimingLog : public QObject {
    Q_OBJECT
public:
    explicit TimingLog(QObject *parent = nullptr);

    bool printing() const { return m_printing; }
    // ms: a time since the process started (ProcessClock) or a duration, as the event says.
    // details: "key=value" pairs separated by spaces, may be empty.
    void record(const QString &event, double ms, const QString &details = {});

signals:
    void recorded(const QString &event, double ms, const QString &details);

private:
    bool m_printing;
};

} // namespace lookbook
