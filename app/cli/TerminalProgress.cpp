#include "TerminalProgress.h"

#include <algorithm>
#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <unistd.h>
#endif

namespace lookbook::cli {

namespace {
constexpr int kBarWidth = 30;
constexpr qint64 kRedrawIntervalMs = 100;
} // namespace

QString formatDuration(double seconds)
{
    if (seconds < 0) return QStringLiteral("--");
    const qint64 s = qint64(seconds + 0.5);
    if (s < 60) return QStringLiteral("%1s").arg(s);
    if (s < 3600) return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

TerminalProgress::TerminalProgress(QString label, QString rate)
    : m_label(std::move(label)), m_rate(std::move(rate)), m_interactive(isatty(fileno(stderr)) != 0)
{
    m_sinceDraw.start();
    m_started.start();
}

void TerminalProgress::update(const IndexProgress &given)
{
    IndexProgress p = given;
    if (p.imagesPerSecond <= 0 && p.done > 0) { // a caller without its own clock: use ours
        p.imagesPerSecond = p.done / std::max(1e-3, double(m_started.elapsed()) / 1000.0);
        p.secondsLeft = (p.total - p.done) / p.imagesPerSecond;
    }
    const double fraction = p.total > 0 ? double(p.done) / p.total : 1.0;
    const QString figures = QStringLiteral("%1/%2 %3%  %4 %5  %6 left")
                                .arg(p.done).arg(p.total)
                                .arg(int(fraction * 100), 3)
                                .arg(p.imagesPerSecond, 0, 'f', 1)
                                .arg(m_rate)
                                .arg(formatDuration(p.secondsLeft));
    if (m_interactive) {
        if (m_drawn && p.done < p.total && m_sinceDraw.elapsed() < kRedrawIntervalMs) return;
        const int filled = int(fraction * kBarWidth);
        const QString bar = QString(filled, u'#') + QString(kBarWidth - filled, u'.');
        std::fprintf(stderr, "\r%s [%s] %s   ", qPrintable(m_label), qPrintable(bar), qPrintable(figures));
        std::fflush(stderr);
        m_drawn = true;
        m_sinceDraw.restart();
    } else {
        const int decile = int(fraction * 10);
        if (decile == m_lastDecile) return;
        m_lastDecile = decile;
        std::fprintf(stderr, "%s %s\n", qPrintable(m_label), qPrintable(figures));
    }
}

void TerminalProgress::finish()
{
    if (m_interactive && m_drawn) std::fprintf(stderr, "\n");
    m_drawn = false;
}

} // namespace lookbook::cli
