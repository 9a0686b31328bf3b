#include "TimingLog.h"

#include <cstdio>

namespace lookbook {

TimingLog::TimingLog(QObject *parent)
    : QObject(parent), m_printing(qEnvironmentVariableIntValue("LOOKBOOK_TIMING") == 1)
{
}

void TimingLog::record(const QString &event, double ms, const QString &details)
{
    if (m_printing) {
        QString line = QStringLiteral("lookbook-timing: %1 %2").arg(event).arg(ms, 0, 'f', 1);
        if (!details.isEmpty()) line += u' ' + details;
        // The whole line in one call: stderr is unbuffered, so pieces could interleave with
        // other output (Qt's warnings) between calls.
        std::fputs(qPrintable(line + u'\n'), stderr);
    }
    emit recorded(event, ms, details);
}

} // namespace lookbook
