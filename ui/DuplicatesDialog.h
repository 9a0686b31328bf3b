#pragma once
// Near-duplicates of the open catalog (NearDuplicateFinder), found on a worker thread with
// progress and Stop, listed by group; double-clicking an item searches with it. The
// similarity threshold can be changed: raised, the groups are re-made from what was found at
// once; lowered, the catalog is compared again.

#include "EmbeddingStore.h"
#include "HandOver.h"
#include "NearDuplicateFinder.h"
#include "StyleLabels.h"

#include <QDialog>
#include <QFutureWatcher>

#include <atomic>
#include <memory>

class QDoubleSpinBox;
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
    double threshold() const;
    // As if the user set the threshold box (values are rounded to its two decimals).
    void setThreshold(double threshold);
    int groupCount() const;
    // The relative paths of group `index`, as listed.
    QStringList groupPaths(int index) const;

signals:
    void searchWithRequested(const QString &relativePath);

private:
    // Compares the catalog's items at `threshold`, stopping a comparison still running.
    void find(float threshold);
    void onThresholdChanged(double threshold);
    void list(double ms);
    void waitForTheRun();

    std::shared_ptr<const EmbeddingStore> m_store;
    std::shared_ptr<const StyleLabels> m_labels;
    QString m_root;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QFutureWatcher<std::optional<NearDuplicates>> m_watcher;
    HandOver m_handOver{this}; // the run's progress, to the GUI thread
    std::optional<NearDuplicates> m_found; // of the last comparison that finished
    float m_foundAt = 0;                   // its threshold: groups at any higher one come from it
    double m_foundMs = 0;
    QDoubleSpinBox *m_threshold;
    QLabel *m_status;
    QProgressBar *m_progress;
    QTreeWidget *m_tree;
    QPushButton *m_stop;
    bool m_finished = false;
};

} // namespace lookbook
