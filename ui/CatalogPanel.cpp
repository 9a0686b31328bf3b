#include "CatalogPanel.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>

namespace lookbook {

namespace {
constexpr int kProgressWidth = 220;
constexpr int kFolderNameWidth = 280; // long folder names are elided in the middle
constexpr int kMaxSkippedInTooltip = 20;
} // namespace

QString formatDuration(double seconds)
{
    if (seconds < 0) return QStringLiteral("…");
    const qint64 s = qint64(seconds + 0.5);
    if (s < 60) return CatalogPanel::tr("%n s", nullptr, int(s));
    if (s < 3600) return CatalogPanel::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return CatalogPanel::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

CatalogPanel::CatalogPanel(QWidget *parent)
    : QWidget(parent), m_folder(new QLabel(this)), m_status(new QLabel(this)), m_progress(new QProgressBar(this)),
      m_choose(new QPushButton(tr("Choose Catalog…"), this)), m_cancel(new QPushButton(tr("Cancel"), this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    m_folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_folder->setMaximumWidth(kFolderNameWidth + 8);
    m_folder->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    QFont bold = m_folder->font();
    bold.setBold(true);
    m_folder->setFont(bold);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_progress->setFixedWidth(kProgressWidth);
    m_progress->setTextVisible(true);
    m_choose->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
    m_choose->setToolTip(tr("Open a folder of product photos (Ctrl+Shift+O)"));
    m_cancel->setToolTip(tr("Stop indexing; what is done is kept (Esc)"));
    m_folder->setAccessibleName(tr("Catalog folder"));
    m_status->setAccessibleName(tr("Indexing status"));
    layout->addWidget(m_choose);
    layout->addWidget(m_folder);
    layout->addWidget(m_status, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    connect(m_choose, &QPushButton::clicked, this, &CatalogPanel::chooseFolderRequested);
    connect(m_cancel, &QPushButton::clicked, this, &CatalogPanel::cancelRequested);
    showNoCatalog();
}

void CatalogPanel::showNoCatalog()
{
    m_folder->setText(tr("No catalog"));
    m_folder->setToolTip({});
    m_status->setText(tr("Choose a folder of product photos to start."));
    m_progress->hide();
    m_cancel->hide();
}

void CatalogPanel::showCatalog(const QString &root, int indexedItems)
{
    m_folder->setText(m_folder->fontMetrics().elidedText(QDir(root).dirName(), Qt::ElideMiddle, kFolderNameWidth));
    m_folder->setToolTip(QDir::toNativeSeparators(root));
    m_status->setText(tr("%1 images indexed").arg(QLocale().toString(indexedItems)));
}

void CatalogPanel::showIndexingStarted()
{
    m_status->setText(tr("Looking for new and changed images…"));
    m_progress->setRange(0, 0); // busy until the first figures arrive
    m_progress->show();
    m_cancel->setEnabled(true);
    m_cancel->show();
}

void CatalogPanel::showProgress(const IndexProgress &p)
{
    m_progress->setRange(0, std::max(1, p.total));
    m_progress->setValue(p.done);
    m_progress->setFormat(QStringLiteral("%1 / %2").arg(QLocale().toString(p.done), QLocale().toString(p.total)));
    const QString what = m_rebuildReason.isEmpty() ? tr("Indexing") : tr("Rebuilding the cache");
    m_status->setText(tr("%1 · %2 images/s · %3 left")
                          .arg(what, QLocale().toString(p.imagesPerSecond, 'f', 1), formatDuration(p.secondsLeft)));
    m_status->setToolTip(m_rebuildReason);
}

void CatalogPanel::setRebuildReason(const QString &reason) { m_rebuildReason = reason; }

void CatalogPanel::showFinished(const IndexReport &r)
{
    m_rebuildReason.clear();
    m_progress->hide();
    m_cancel->hide();
    const int skipped = int(r.skipped.size()) + r.skippedKnown;
    const int indexed = r.unchanged + r.embedded;
    QString text = r.cancelled ? tr("Indexing stopped: %1 images indexed; reopen the catalog to resume").arg(QLocale().toString(indexed))
                               : tr("%1 images indexed").arg(QLocale().toString(indexed));
    if (r.embedded > 0 && !r.cancelled) text += tr(" · %1 new or changed").arg(QLocale().toString(r.embedded));
    if (r.removed > 0) text += tr(" · %1 removed").arg(QLocale().toString(r.removed));
    if (skipped > 0) text += tr(" · %n skipped", nullptr, skipped);
    m_status->setText(text);
    QStringList details;
    for (const SkippedFile &s : r.skipped) {
        if (details.size() == kMaxSkippedInTooltip) break;
        details << QStringLiteral("%1: %2").arg(s.file.relativePath, s.reason);
    }
    if (!r.cacheProblem.isEmpty()) details.prepend(tr("The old cache was rebuilt because %1.").arg(r.cacheProblem));
    m_status->setToolTip(details.join(u'\n'));
}

void CatalogPanel::showProblem(const QString &message)
{
    m_rebuildReason.clear();
    m_progress->hide();
    m_cancel->hide();
    m_status->setText(message);
    m_status->setToolTip(message);
}

QString CatalogPanel::statusText() const { return m_status->text(); }
bool CatalogPanel::cancelVisible() const { return m_cancel->isVisibleTo(this); }

} // namespace lookbook
