#include "DuplicatesDialog.h"

#include "ParallelBlocks.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QPointer>
#include <QVBoxLayout>

namespace lookbook {

namespace {
constexpr QSize kDefaultSize(720, 520);
enum Column { kPath, kScore, kType };
// Below 0.8 the groups are of items that merely look alike (docs/performance.md).
constexpr double kLowestThreshold = 0.8;
constexpr double kThresholdStep = 0.01;
constexpr int kThresholdDecimals = 2;
} // namespace

DuplicatesDialog::DuplicatesDialog(std::shared_ptr<const EmbeddingStore> store, std::shared_ptr<const StyleLabels> labels,
                                   QString root, QWidget *parent)
    : QDialog(parent), m_store(std::move(store)), m_labels(std::move(labels)), m_root(std::move(root)),
      m_threshold(new QDoubleSpinBox(this)), m_status(new QLabel(this)), m_progress(new QProgressBar(this)),
      m_tree(new QTreeWidget(this)), m_stop(new QPushButton(tr("Stop"), this))
{
    setWindowTitle(tr("Near-Duplicates"));
    setObjectName(QStringLiteral("duplicatesDialog"));
    resize(kDefaultSize);
    m_threshold->setRange(kLowestThreshold, 1.0);
    m_threshold->setSingleStep(kThresholdStep);
    m_threshold->setDecimals(kThresholdDecimals);
    m_threshold->setValue(NearDuplicateFinder::kDefaultThreshold);
    m_threshold->setKeyboardTracking(false); // typing "0.9" is one change, not three
    m_threshold->setToolTip(tr("Cosine similarity of two items' embeddings at and above which they are listed "
                               "together: 1 is the same picture; from about 0.95 re-encoded or retouched copies "
                               "and one product in other shades; lower, different products shot alike"));
    auto *thresholdLabel = new QLabel(tr("&Similarity at least:"), this);
    thresholdLabel->setBuddy(m_threshold);
    auto *thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(thresholdLabel);
    thresholdRow->addWidget(m_threshold);
    thresholdRow->addStretch(1);
    m_tree->setHeaderLabels({tr("Item"), tr("Similarity"), tr("Type")});
    m_tree->header()->setSectionResizeMode(kPath, QHeaderView::Stretch);
    m_tree->setRootIsDecorated(true);
    m_tree->setToolTip(tr("Double-click an item to search with it"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_stop, QDialogButtonBox::ActionRole);
    // Return in the threshold box applies the threshold; it must not also press Stop or
    // Close, which a dialog's Return otherwise does.
    for (QAbstractButton *button : buttons->buttons())
        if (auto *push = qobject_cast<QPushButton *>(button)) push->setAutoDefault(false);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(thresholdRow);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_stop, &QPushButton::clicked, this, [this] { m_cancel->store(true); });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        if (const QString path = item->data(kPath, Qt::UserRole).toString(); !path.isEmpty()) emit searchWithRequested(path);
    });
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, &DuplicatesDialog::onThresholdChanged);
    find(float(m_threshold->value()));
}

void DuplicatesDialog::find(float threshold)
{
    if (m_cancel) {
        m_cancel->store(true);
        m_watcher.disconnect(this);
        waitForTheRun();
    }
    m_cancel = std::make_shared<std::atomic_bool>(false);
    m_finished = false;
    m_stop->setEnabled(true);
    m_tree->clear();
    m_status->setText(tr("Comparing %1 items…").arg(QLocale().toString(m_store->size())));
    m_progress->setRange(0, std::max(1, m_store->size()));
    m_progress->setValue(0);
    m_progress->show();
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this, clock, threshold] {
        m_finished = true;
        m_stop->setEnabled(false);
        m_progress->hide();
        QFuture<std::optional<NearDuplicates>> run = m_watcher.future();
        m_found = resultOf(run);
        if (!m_found) {
            m_status->setText(tr("Stopped."));
            return;
        }
        m_foundAt = threshold;
        m_foundMs = double(clock->nsecsElapsed()) / 1e6;
        list(m_foundMs);
    });
    // Progress comes on the worker; the bar is updated on the GUI thread.
    m_watcher.setFuture(runTask(QThreadPool::globalInstance(), [this, store = m_store, cancel = m_cancel, threshold] {
        return NearDuplicateFinder(threshold).find(store->rows(), [this](int done, int) {
            m_handOver.post([bar = QPointer<QProgressBar>(m_progress), done] { if (bar) bar->setValue(done); });
        }, cancel.get());
    }));
}

void DuplicatesDialog::onThresholdChanged(double value)
{
    const auto threshold = float(value);
    // Every pair at or above the last comparison's threshold was found: a higher one only
    // keeps fewer links.
    if (m_finished && m_found && threshold >= m_foundAt) {
        m_tree->clear();
        list(m_foundMs);
        return;
    }
    find(threshold);
}

double DuplicatesDialog::threshold() const
{
    return m_threshold->value();
}

void DuplicatesDialog::setThreshold(double threshold)
{
    m_threshold->setValue(threshold);
}

// A cancelled run stops within a few tiles of rows.
void DuplicatesDialog::waitForTheRun()
{
    QFuture<std::optional<NearDuplicates>> run = m_watcher.future();
    if (run.isValid()) resultOf(run);
}

DuplicatesDialog::~DuplicatesDialog()
{
    m_cancel->store(true);
    waitForTheRun();
}

void DuplicatesDialog::list(double ms)
{
    const NearDuplicates &found = *m_found;
    const float threshold = float(m_threshold->value());
    const std::vector<DuplicateGroup> groups = NearDuplicateFinder::group(found.nearest, threshold);
    m_status->setText(tr("%n groups, %1 items, similarity at least %2 (%3 s). Double-click an item to search with it.",
                         nullptr, int(groups.size()))
                          .arg(QLocale().toString(NearDuplicates::itemsIn(groups)))
                          .arg(QLocale().toString(threshold, 'f', kThresholdDecimals))
                          .arg(QLocale().toString(ms / 1000, 'f', 1)));
    for (size_t g = 0; g < groups.size(); ++g) {
        const DuplicateGroup &group = groups[g];
        auto *top = new QTreeWidgetItem(m_tree, {tr("Group %1 · %n items", nullptr, int(group.items.size())).arg(g + 1),
                                                 QLocale().toString(group.score, 'f', 3)});
        for (int item : group.items) {
            const QString &path = m_store->items()[size_t(item)].relativePath;
            auto *child = new QTreeWidgetItem(top, {QDir::toNativeSeparators(path),
                                                    QLocale().toString(found.nearest[size_t(item)].score, 'f', 3),
                                                    m_labels ? m_labels->value(path, QStringLiteral("articleType")) : QString()});
            child->setData(kPath, Qt::UserRole, path);
            child->setToolTip(kPath, QDir(m_root).filePath(path));
        }
        top->setExpanded(g < 20);
    }
}

int DuplicatesDialog::groupCount() const
{
    return m_tree->topLevelItemCount();
}

QStringList DuplicatesDialog::groupPaths(int index) const
{
    QStringList paths;
    if (QTreeWidgetItem *top = m_tree->topLevelItem(index))
        for (int i = 0; i < top->childCount(); ++i) paths << top->child(i)->data(kPath, Qt::UserRole).toString();
    return paths;
}

} // namespace lookbook
