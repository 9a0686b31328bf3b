#include "ResultsView.h"

#include "ResultDelegate.h"
#include "ResultsModel.h"

#include <QAction>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QIcon>
#include <QKeyEvent>
#include <QKeySequence>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QProcess>
#include <QUrl>

#if defined(LOOKBOOK_HAVE_QTDBUS)
#include <QDBusConnection>
#include <QDBusMessage>
#endif

namespace lookbook {

namespace {

constexpr int kSpacing = 12;
// The top 5 should read as one row: cards shrink (down to a readable minimum) to fit it.
constexpr int kCardsPerRow = 5;
constexpr int kEmptyMessageMargin = 24;
constexpr qreal kEmptyMessageFontScale = 1.15;
#if defined(LOOKBOOK_HAVE_QTDBUS)
constexpr int kFileManagerTimeoutMs = 2000; // a file manager that does not answer by then is not there
#endif

QString revealActionText()
{
#if defined(Q_OS_WIN)
    return ResultsView::tr("Show in Explorer");
#elif defined(Q_OS_MACOS)
    return ResultsView::tr("Show in Finder");
#else
    return ResultsView::tr("Show in Folder");
#endif
}

} // namespace

ResultsView::ResultsView(Thumbnails *thumbnails, QWidget *parent)
    : QListView(parent), m_model(new ResultsModel(thumbnails, this))
{
    setViewMode(IconMode);
    // IconMode turns on free movement and drag and drop; results are a ranking, not icons
    // to arrange, and an image dropped on them must reach the window (a new query).
    setMovement(Static);
    setDragDropMode(NoDragDrop);
    setAcceptDrops(false);
    viewport()->setAcceptDrops(false);
    setFlow(LeftToRight);
    setWrapping(true);
    setResizeMode(Adjust);
    setUniformItemSizes(true);
    setSpacing(kSpacing);
    setSelectionMode(SingleSelection);
    setSelectionBehavior(SelectItems);
    setEditTriggers(NoEditTriggers);
    setVerticalScrollMode(ScrollPerPixel);
    setHorizontalScrollMode(ScrollPerPixel);
    setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_Hover);
    setFrameShape(QFrame::NoFrame);
    // The cards are Base (white); a Window-coloured backdrop lets their edges show.
    viewport()->setBackgroundRole(QPalette::Window);
    setAccessibleName(tr("Results"));

    m_delegate = new ResultDelegate(this);
    setItemDelegate(m_delegate);
    setModel(m_model);
}

void ResultsView::setResults(std::vector<ResultItem> results)
{
    m_model->setResults(std::move(results));
    m_cardDone.assign(size_t(m_model->rowCount()), false);
    fitCardsToWidth();
    if (m_model->rowCount() > 0)
        selectionModel()->setCurrentIndex(m_model->index(0), QItemSelectionModel::NoUpdate);
    scrollToTop();
    viewport()->update();
}

void ResultsView::setFeedback(const QStringList &liked, const QStringList &disliked)
{
    m_model->setFeedback(liked, disliked);
}

int ResultsView::resultCount() const
{
    return m_model->rowCount();
}

const ResultItem *ResultsView::resultAt(int row) const
{
    return m_model->itemAt(row);
}

void ResultsView::setEmptyMessage(const QString &text)
{
    m_emptyMessage = text;
    viewport()->update();
}

QMenu *ResultsView::contextMenuFor(int row)
{
    const ResultItem *found = resultAt(row);
    if (!found)
        return nullptr;
    // A copy: the results may be replaced while the menu is open.
    const ResultItem item = *found;
    const QString path = item.absolutePath;

    auto *menu = new QMenu(this);

    QAction *open = menu->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("Open"));
    open->setObjectName(QStringLiteral("open"));
    connect(open, &QAction::triggered, this, [this, path] { emit openRequested(path); });
    menu->setDefaultAction(open); // shown bold: what a double-click does

    QAction *reveal = menu->addAction(QIcon::fromTheme(QStringLiteral("folder-open")), revealActionText());
    reveal->setObjectName(QStringLiteral("reveal"));
    connect(reveal, &QAction::triggered, this, [this, path] { emit revealRequested(path); });

    QAction *copyPath = menu->addAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("Copy Path"));
    copyPath->setObjectName(QStringLiteral("copyPath"));
    copyPath->setShortcut(QKeySequence::Copy); // shown as a hint; the view handles the key itself
    copyPath->setShortcutContext(Qt::WidgetShortcut);
    connect(copyPath, &QAction::triggered, this, [path] { copyPathToClipboard(path); });

    menu->addSeparator();

    QAction *searchWith = menu->addAction(QIcon::fromTheme(QStringLiteral("edit-find")), tr("Search with This"));
    searchWith->setObjectName(QStringLiteral("searchWith"));
    connect(searchWith, &QAction::triggered, this, [this, item] { emit searchWithRequested(item); });

    // Relevance feedback: the window refines the query and the taste profile with it.
    QAction *like = menu->addAction(tr("More Like This One (Like)"));
    like->setObjectName(QStringLiteral("like"));
    like->setShortcut(QKeySequence(Qt::Key_L));
    like->setShortcutContext(Qt::WidgetShortcut);
    connect(like, &QAction::triggered, this, [this, item] { emit feedbackGiven(item, true); });
    QAction *dislike = menu->addAction(tr("Less Like This One (Dislike)"));
    dislike->setObjectName(QStringLiteral("dislike"));
    dislike->setShortcut(QKeySequence(Qt::Key_D));
    dislike->setShortcutContext(Qt::WidgetShortcut);
    connect(dislike, &QAction::triggered, this, [this, item] { emit feedbackGiven(item, false); });

    return menu;
}

bool ResultsView::openInDefaultApp(const QString &path)
{
    return QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

bool ResultsView::revealInFileManager(const QString &path)
{
    const QString nativePath = QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath());
#if defined(Q_OS_WIN)
    // explorer parses its own command line: the path must be quoted after the comma.
    QProcess explorer;
    explorer.setProgram(QStringLiteral("explorer.exe"));
    explorer.setNativeArguments(QStringLiteral("/select,\"%1\"").arg(nativePath));
    return explorer.startDetached();
#elif defined(Q_OS_MACOS)
    return QProcess::startDetached(QStringLiteral("/usr/bin/open"), {QStringLiteral("-R"), nativePath});
#else
#if defined(LOOKBOOK_HAVE_QTDBUS)
    QDBusMessage call = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.FileManager1"), QStringLiteral("/org/freedesktop/FileManager1"),
        QStringLiteral("org.freedesktop.FileManager1"), QStringLiteral("ShowItems"));
    call << QStringList{QUrl::fromLocalFile(nativePath).toString()} << QString();
    const QDBusMessage reply = QDBusConnection::sessionBus().call(call, QDBus::Block, kFileManagerTimeoutMs);
    if (reply.type() == QDBusMessage::ReplyMessage)
        return true;
#endif
    // Without FileManager1 the file cannot be selected; its folder is the next best thing.
    return QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(nativePath).absolutePath()));
#endif
}

void ResultsView::copyPathToClipboard(const QString &path)
{
    QGuiApplication::clipboard()->setText(QDir::toNativeSeparators(path));
}

void ResultsView::keyPressEvent(QKeyEvent *event)
{
    const ResultItem *current = resultAt(currentIndex().row());
    const bool isEnter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (current && isEnter && (event->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier) {
        emit openRequested(current->absolutePath);
        event->accept();
        return;
    }
    if (current && event->matches(QKeySequence::Copy)) {
        copyPathToClipboard(current->absolutePath);
        event->accept();
        return;
    }
    if (current && (event->key() == Qt::Key_L || event->key() == Qt::Key_D) && event->modifiers() == Qt::NoModifier) {
        emit feedbackGiven(*current, event->key() == Qt::Key_L);
        event->accept();
        return;
    }
    QListView::keyPressEvent(event);
}

void ResultsView::mouseDoubleClickEvent(QMouseEvent *event)
{
    QListView::mouseDoubleClickEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    if (const ResultItem *item = resultAt(indexAt(event->position().toPoint()).row()))
        emit openRequested(item->absolutePath);
}

void ResultsView::contextMenuEvent(QContextMenuEvent *event)
{
    // From the keyboard (Menu key, Shift+F10) the menu is for the current result, shown on it.
    const bool fromKeyboard = event->reason() == QContextMenuEvent::Keyboard;
    const QModelIndex index = fromKeyboard ? currentIndex() : indexAt(event->pos());
    QPointer<QMenu> menu = contextMenuFor(index.row());
    if (!menu) {
        event->ignore();
        return;
    }
    const QPoint globalPos = fromKeyboard ? viewport()->mapToGlobal(visualRect(index).center()) : event->globalPos();
    menu->exec(globalPos);
    delete menu; // null if the view went away while the menu was open
    event->accept();
}

void ResultsView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    notePaintedCards(event->region());
    if (m_model->rowCount() > 0 || m_emptyMessage.isEmpty())
        return;

    QPainter painter(viewport());
    QFont font = this->font();
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * kEmptyMessageFontScale);
    painter.setFont(font);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QRect area = viewport()->rect().adjusted(kEmptyMessageMargin, kEmptyMessageMargin,
                                                   -kEmptyMessageMargin, -kEmptyMessageMargin);
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_emptyMessage);
}

void ResultsView::notePaintedCards(const QRegion &painted)
{
    if (m_cardDone.empty())
        return;
    // Thumbnails arrive one by one and each repaints only its card, so the cards are ticked
    // off across paints. The state is read after the paint, with nothing run in between.
    const QRect inView = viewport()->rect();
    bool anyInView = false; // none before the first layout
    bool allDone = true;
    for (int row = 0; row < int(m_cardDone.size()); ++row) {
        const QModelIndex index = m_model->index(row);
        const QRect card = visualRect(index);
        if (!card.intersects(inView))
            continue;
        anyInView = true;
        const auto state = ResultsModel::ThumbnailState(index.data(ResultsModel::ThumbnailStateRole).toInt());
        if (painted.intersects(card) && state != ResultsModel::ThumbnailState::Loading)
            m_cardDone[size_t(row)] = true;
        allDone = allDone && m_cardDone[size_t(row)];
    }
    if (!anyInView || !allDone)
        return;
    m_cardDone.clear();
    emit resultsPainted();
}

void ResultsView::resizeEvent(QResizeEvent *event)
{
    QListView::resizeEvent(event);
    fitCardsToWidth();
}

void ResultsView::fitCardsToWidth()
{
    const QFontMetrics fm = fontMetrics();
    const int columns = std::clamp(m_model->rowCount(), 1, kCardsPerRow);
    // Each cell carries `spacing` on both sides; keep a pixel for rounding.
    const int fitted = (viewport()->width() - 1) / columns - 2 * kSpacing;
    const int width = std::clamp(fitted, ResultDelegate::minimumCardWidth(fm), ResultDelegate::naturalCardWidth(fm));
    m_delegate->setCardWidth(width);
    scheduleDelayedItemsLayout();
}

} // namespace lookbook
