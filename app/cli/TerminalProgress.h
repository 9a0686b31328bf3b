#pragma once
// A progress bar on stderr: redrawn in place on a terminal, a line every tenth of the way
// when stderr is a file or a pipe (CI logs stay readable).

#include "Indexer.h"

#include <QElapsedTimer>

namespace lookbook::cli {

class TerminalProgress {
public:
    // `rate` names what is counted per second ("img/s" for images, "items/s" for items).
    explicit TerminalProgress(QString label, QString rate = QStringLiteral("img/s"));
    void update(const IndexProgress &progress);
    void finish();

private:
    QString m_label;
    QString m_rate;
    bool m_interactive;
    int m_lastDecile = -1;
    bool m_drawn = false;
    QElapsedTimer m_sinceDraw;
    QElapsedTimer m_started;
};

QString formatDuration(double seconds);

} // namespace lookbook::cli
