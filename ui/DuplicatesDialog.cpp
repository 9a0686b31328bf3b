#include "DuplicatesDialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QPointer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lookbook {

namespace {
constexpr QSize kDefaultSize(720, 520);
enum Column { kPath, kScore, kType };
} // namespace

DuplicatesDialog::DuplicatesDialog(std::shared_ptr<const EmbeddingStore> store, std::shared_ptr<const StyleLabels> labels,
                                   QString root, QWidget *parent)
    : QDialog(parent), m_store(std::move(store)), m_labels(std::move(labels)), m_root(std::move(root)),
      m_status(new QLabel(this)), m_progress(new QProgressBar(this)), m_tree(new QTreeWidget(this)),
      m_stop(new QPushButton(tr("Stop"), this))
{
    setWindowTitle(tr("Near-Duplicates"));
    setObjectName(QStringLiteral("duplicatesDialog"));
    resize(kDefaultSize);
    m_tree->setHeaderLabels({tr("Item"), tr("Similarity"), tr("Type")});
    m_tree->header()->setSectionResizeMode(kPath, QHeaderView::Stretch);
    m_tree->setRootIsDecorated(true);
    m_tree->setToolTip(tr("Double-click an item to search with it"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_stop, QDialogButtonBox::ActionRole);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_stop, &QPushButton::clicked, this, [this] { m_cancel->store(true); });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        if (const QString path = item->data(kPath, Qt::UserRole).toString(); !path.isEmpty()) emit searchWithRequested(path);
    });

    m_status->setText(tr("Comparing %1 items…").arg(QLocale().toString(m_store->size())));
    m_progress->setRange(0, std::max(1, m_store->size()));
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this, clock] {
        m_finished = true;
        m_stop->setEnabled(false);
        m_progress->hide();
        const std::optional<NearDuplicates> found = m_watcher.result();
        if (!found) m_status->setText(tr("Stopped."));
        else list(*found, double(clock->nsecsElapsed()) / 1e6);
    });
    // Progress comes on the worker; the bar is updated on the GUI thread.
    m_watcher.setFuture(QtConcurrent::run([store = m_store, cancel = m_cancel, bar = QPointer<QProgressBar>(m_progress)] {
        return NearDuplicateFinder().find(store->rows(), [bar](int done, int) {
            QMetaObject::invokeMethod(bar, [bar, done] { if (bar) bar->setValue(done); }, Qt::QueuedConnection);
        }, cancel.get());
    }));
}

DuplicatesDialog::~DuplicatesDialog()
{
    m_cancel->store(true);
    m_watcher.waitForFinished(); // within a slice of rows
}

void DuplicatesDialog::list(const NearDuplicates &found, double ms)
{
    m_status->setText(tr("%n groups, %1 items, similarity at least %2 (%3 s). Double-click an item to search with it.",
                         nullptr, int(found.groups.size()))
                          .arg(QLocale().toString(found.duplicateItems()))
                          .arg(QLocale().toString(NearDuplicateFinder::kDefaultThreshold, 'f', 2))
                          .arg(QLocale().toString(ms / 1000, 'f', 1)));
    for (size_t g = 0; g < found.groups.size(); ++g) {
        const DuplicateGroup &group = found.groups[g];
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
