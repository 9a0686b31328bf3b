#include "StartupTimeline.h"

#include "ProcessClock.h"
#include "TimingLog.h"

#include <QTimer>

namespace lookbook {

StartupTimeline::StartupTimeline(TimingLog *log, QObject *parent) : QObject(parent), m_log(log) {}

void StartupTimeline::windowShown()
{
    if (m_shown) return;
    m_shown = true;
    m_log->record(QStringLiteral("window-shown"), ProcessClock::elapsedMs());
    reportUsableOnceReady();
}

void StartupTimeline::indexOpened(int items)
{
    if (m_indexOpen) return; // a catalog opened later is not part of the start-up
    m_indexOpen = true;
    m_log->record(QStringLiteral("index-open"), ProcessClock::elapsedMs(), QStringLiteral("items=%1").arg(items));
    reportUsableOnceReady();
}

void StartupTimeline::modelLoaded()
{
    if (m_modelLoaded) return;
    m_modelLoaded = true;
    m_log->record(QStringLiteral("model-loaded"), ProcessClock::elapsedMs());
}

void StartupTimeline::reportUsableOnceReady()
{
    if (!m_shown || !m_indexOpen) return;
    // Queued behind whatever the GUI thread has still to do for the event that completed the
    // pair (e.g. the handlers of catalogOpened): it fires when the event loop is free again.
    QTimer::singleShot(0, this, [this] { m_log->record(QStringLiteral("window-usable"), ProcessClock::elapsedMs()); });
}

} // namespace lookbook
