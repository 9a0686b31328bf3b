#pragma once
// Near-duplicates of the open catalog (NearDuplicateFinder), found on a worker thread with
// progress and Cancel, listed by group; double-clicking an item searches with it.

#include "EmbeddingStore.h"
#include "NearDuplicates.h"
#include "StyleLabels.h"

#include <QDialog>
#include <QFutureWatcher>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace lookbook {

class DuplicatesDialog : public QDialog {
    Q_OBJECT
public:
    // Starts at once. labels may be null. root: the catalog folder of the store's paths.
    DuplicatesDialog(std::shared_ptr<const EmbeddingStore> store, std::shared_ptr<const StyleLabels> labels,
                     QString root, QWidget *parent = nullptr);
    ~DuplicatesDialog() override;

    bool isFinished() const { return m_finished; }
    int groupCount() const;
    // The relative paths of group `index`, as listed.
    QStringList groupPaths(int index) const;

signals:
    void searchWithRequested(const QString &relativePath);

private:
    void list(const NearDuplicates &found, double ms);

    std::shared_ptr<const EmbeddingStore> m_store;
    std::shared_ptr<const StyleLabels> m_labels;
    QString m_root;
    std::shared_ptr<std::atomic_bool> m_cancel = std::make_shared<std::atomic_bool>(false);
    QFutureWatcher<std::optional<NearDuplicates>> m_watcher;
    QLabel *m_status;
    QProgressBar *m_progress;
    QTreeWidget *m_tree;
    QPushButton *m_stop;
    bool m_finished = false;
};

} // namespace lookbook
