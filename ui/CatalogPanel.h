#pragma once
// The strip above the results that says which catalog is open and how its index is doing:
// the folder with a button to choose another, and while indexing a progress bar with the
// count, the rate, the time left and a Cancel button.

#include "Indexer.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace lookbook {

class CatalogPanel : public QWidget {
    Q_OBJECT
public:
    explicit CatalogPanel(QWidget *parent = nullptr);

    void showCatalog(const QString &root, int indexedItems);
    void showNoCatalog();
    void showIndexingStarted();
    void showProgress(const IndexProgress &progress);
    void showFinished(const IndexReport &report);
    void showProblem(const QString &message);
    // Why the whole catalog is being indexed again (the old index was made with another
    // model or recipe, or is damaged): named in the progress line until indexing ends.
    void setRebuildReason(const QString &reason);

    QString statusText() const; // for tests
    bool cancelVisible() const;

signals:
    void chooseFolderRequested();
    void cancelRequested();

private:
    QLabel *m_folder;
    QLabel *m_status;
    QString m_rebuildReason;
    QProgressBar *m_progress;
    QPushButton *m_choose;
    QPushButton *m_cancel;
};

QString formatDuration(double seconds);

} // namespace lookbook
