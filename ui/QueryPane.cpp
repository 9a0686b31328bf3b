#include "QueryPane.h"

#include "DropReader.h"
#include "ImageLoader.h"
#include "ProcessClock.h"
#include "QueryPaneStyle.h"
#include "QueryPreview.h"
#include "QueryReader.h"
#include "QueryRegion.h"
#include "UrlFetcher.h"

#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace lookbook {

using namespace paneStyle;

namespace {

QString shortcutText(QKeySequence::StandardKey key)
{
    return QKeySequence(key).toString(QKeySequence::NativeText);
}

QLabel *plainLabel(QWidget *parent, bool wordWrap)
{
    auto *label = new QLabel(parent);
    label->setAlignment(Qt::AlignCenter);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(wordWrap);
    return label;
}

void scaleFont(QLabel *label, qreal scale)
{
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setWeight(QFont::DemiBold);
    label->setFont(font);
}

} // namespace

QueryPane::QueryPane(QWidget *parent) : QFrame(parent), m_reader(new QueryReader(this))
{
    setAcceptDrops(true);
    setFrameShape(QFrame::NoFrame); // the rounded frame is drawn in paintEvent
    // Explicit, so that the layout does not raise it to the preview's current size and
    // the window can still shrink; the preview is re-fitted on every resize.
    setMinimumSize(kMinimumWidth, kMinimumHeight);
    setAccessibleName(tr("Query image"));

    createHint();
    m_preview = new QueryPreview(this);
    connect(m_preview, &QueryPreview::regionDrawn, this, &QueryPane::chooseRegion);
    createRegionTools();
    createCaptionAndMessage();
    layOut();
    connectReader();
    refresh();
}

void QueryPane::createHint()
{
    m_glyph = new QLabel(this);
    m_glyph->setAlignment(Qt::AlignCenter);
    m_glyph->setAccessibleName(tr("Image placeholder"));
    m_hintTitle = plainLabel(this, true);
    scaleFont(m_hintTitle, kHintTitleScale);
    m_hintDetail = plainLabel(this, true);
}

void QueryPane::createRegionTools()
{
    m_regionTools = new QWidget(this);
    auto *tools = new QHBoxLayout(m_regionTools);
    tools->setContentsMargins(0, 0, 0, 0);
    m_centreButton = new QToolButton(m_regionTools);
    m_centreButton->setText(tr("Centre"));
    m_centreButton->setObjectName(QStringLiteral("centreRegion"));
    m_centreButton->setToolTip(tr("Search the middle of the picture only"));
    m_wholeButton = new QToolButton(m_regionTools);
    m_wholeButton->setText(tr("Whole picture"));
    m_wholeButton->setObjectName(QStringLiteral("wholePicture"));
    m_wholeButton->setToolTip(tr("Search all of the picture again"));
    m_wholeButton->setEnabled(false);
    tools->addStretch();
    tools->addWidget(m_centreButton);
    tools->addWidget(m_wholeButton);
    tools->addStretch();
    connect(m_centreButton, &QToolButton::clicked, this, &QueryPane::chooseCentreRegion);
    connect(m_wholeButton, &QToolButton::clicked, this, &QueryPane::clearRegion);
}

void QueryPane::createCaptionAndMessage()
{
    m_caption = plainLabel(this, false);
    m_caption->setAccessibleName(tr("Query name"));
    // The elided text is set to fit; the label must not ask for the full name's width.
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    scaleFont(m_caption, kCaptionScale);

    m_message = plainLabel(this, true); // plain: messages quote file names and URLs verbatim
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse); // so a reason can be copied
    m_message->setMargin(kMessagePadding);
    m_message->setAccessibleName(tr("Status message"));

    m_busyBar = new QProgressBar(this);
    m_busyBar->setRange(0, 0); // indeterminate
    m_busyBar->setTextVisible(false);
    m_busyBar->setFixedHeight(kBusyBarHeight);
    m_busyBar->setAccessibleName(tr("Working"));
}

void QueryPane::layOut()
{
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(kPadding, kPadding, kPadding, kPadding);
    m_layout->setSpacing(kSpacing);
    m_layout->addStretch(); // 0: centres the hint
    m_layout->addWidget(m_glyph, 0, Qt::AlignHCenter);
    m_layout->addWidget(m_hintTitle);
    m_layout->addWidget(m_hintDetail);
    m_layout->addWidget(m_preview, 0, Qt::AlignHCenter);
    m_layout->addWidget(m_caption);
    m_layout->addWidget(m_regionTools);
    m_layout->addWidget(m_message);
    m_layout->addWidget(m_busyBar);
    m_layout->addStretch(); // last: keeps the query at the top
}

void QueryPane::connectReader()
{
    connect(m_reader, &QueryReader::prepared, this, &QueryPane::choose);
    connect(m_reader, &QueryReader::refused, this, &QueryPane::showError);
    connect(m_reader, &QueryReader::busy, this, &QueryPane::showBusy);
    m_reader->setLocalFetchConfirmation([this](const LocalAddressRefusal &refusal) { return confirmLocalFetch(refusal); });
}

void QueryPane::setLocalFetchConfirmation(std::function<bool(const LocalAddressRefusal &refusal)> confirm)
{
    m_reader->setLocalFetchConfirmation(std::move(confirm));
}

bool QueryPane::confirmLocalFetch(const LocalAddressRefusal &refusal)
{
    QMessageBox box(QMessageBox::Question, tr("Download from a local address?"),
                    refusal.reason + QStringLiteral("\n\n") + tr("Download it anyway? Only if you know where this link leads."),
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setTextFormat(Qt::PlainText); // the reason quotes the link verbatim
    box.setDefaultButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}

void QueryPane::addQueryTool(QWidget *tool)
{
    tool->setParent(this);
    m_layout->insertWidget(m_layout->indexOf(m_message), tool);
    m_queryTools << tool;
    refresh();
}

QSize QueryPane::sizeHint() const
{
    return kPreferredSize;
}

void QueryPane::showQuery(const QImage &image, const QString &caption, QSize pictureSize)
{
    m_hasQuery = true;
    m_preview->setPicture(image, pictureSize);
    m_wholeButton->setEnabled(false);
    m_captionText = caption;
    m_preview->setAccessibleDescription(caption);
    refresh();
}

void QueryPane::setCaption(const QString &caption)
{
    m_captionText = caption;
    m_preview->setAccessibleDescription(caption);
    updatePreview();
}

void QueryPane::showRegion(const QRect &region)
{
    m_preview->setRegion(region);
    m_wholeButton->setEnabled(!region.isNull());
}

QRect QueryPane::region() const
{
    return m_preview->region();
}

QSize QueryPane::pictureSize() const
{
    return m_preview->pictureSize();
}

void QueryPane::chooseCentreRegion()
{
    if (m_hasQuery && pictureSize().isValid()) chooseRegion(QueryRegion::centre(pictureSize()));
}

void QueryPane::clearRegion()
{
    if (m_hasQuery && !region().isNull()) chooseRegion(QRect());
}

void QueryPane::chooseRegion(const QRect &region)
{
    showRegion(region);
    emit regionChosen(region);
}

void QueryPane::showError(const QString &message)
{
    setMessage(MessageKind::Error, message);
}

void QueryPane::showBusy(const QString &message)
{
    setMessage(MessageKind::Busy, message);
}

void QueryPane::clearMessage()
{
    setMessage(MessageKind::None, QString());
}

QString QueryPane::currentMessage() const
{
    return m_messageText;
}

void QueryPane::setMessage(MessageKind kind, const QString &message)
{
    m_messageKind = message.isEmpty() ? MessageKind::None : kind;
    m_messageText = message;
    m_message->setText(breakable(message));
    m_message->setAccessibleDescription(message);
    refresh();
}

void QueryPane::openFileDialog()
{
    QSettings settings;
    const QString settingsKey = QStringLiteral("query/lastFolder");
    QString folder = settings.value(settingsKey).toString();
    if (folder.isEmpty() || !QFileInfo(folder).isDir())
        folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);

    QStringList patterns;
    for (const QString &suffix : ImageLoader::catalogSuffixes()) patterns << QStringLiteral("*.") + suffix;
    const QString filter = tr("Images (%1)").arg(patterns.join(u' ')) + QStringLiteral(";;") + tr("All files (*)");
    const QString path = QFileDialog::getOpenFileName(this, tr("Open an Image to Search With"), folder, filter);
    if (path.isEmpty()) return; // cancelled: the current query stays

    settings.setValue(settingsKey, QFileInfo(path).absolutePath());
    openFile(path);
}

void QueryPane::openFile(const QString &path)
{
    m_reader->readFile(path, ProcessClock::elapsedMs());
}

void QueryPane::pasteFromClipboard()
{
    m_reader->readClipboard(ProcessClock::elapsedMs());
}

void QueryPane::choose(const PreparedQuery &query)
{
    showQuery(query.preview, query.input.displayName, query.pictureSize);
    clearMessage();
    emit queryChosen(query.input);
}

void QueryPane::refresh()
{
    const bool showHint = !m_hasQuery || m_drag != DragState::None;
    const bool showMessage = m_messageKind != MessageKind::None && m_drag == DragState::None;

    showHintFor(m_drag);
    setTextColour(m_caption, palette().color(QPalette::WindowText));
    setTextColour(m_message, m_messageKind == MessageKind::Error ? errorColour(palette()) : mutedColour(palette()));
    setAccessibleDescription(m_hintTitle->text() + u'\n' + m_hintDetail->text());

    for (QWidget *hint : std::initializer_list<QWidget *>{m_glyph, m_hintTitle, m_hintDetail})
        hint->setVisible(showHint);
    m_preview->setVisible(!showHint);
    m_caption->setVisible(!showHint);
    m_regionTools->setVisible(!showHint && m_preview->hasImage());
    for (QWidget *tool : std::as_const(m_queryTools)) tool->setVisible(!showHint);
    m_message->setVisible(showMessage);
    m_busyBar->setVisible(showMessage && m_messageKind == MessageKind::Busy);

    // The hint block is centred; a shown query sits at the top.
    const int firstStretch = 0;
    m_layout->setStretch(firstStretch, showHint ? 1 : 0);
    m_layout->setStretch(m_layout->count() - 1, 1);

    updatePreview();
    update();
}

void QueryPane::showHintFor(DragState drag)
{
    QColor colour = hintColour(palette());
    switch (drag) {
    case DragState::None:
        m_hintTitle->setText(tr("Drop an image here"));
        m_hintDetail->setText(tr("or paste (%1) or open one (%2)")
                                  .arg(shortcutText(QKeySequence::Paste), shortcutText(QKeySequence::Open)));
        break;
    case DragState::Acceptable:
        colour = palette().color(QPalette::Highlight);
        m_hintTitle->setText(tr("Drop to search"));
        m_hintDetail->setText(tr("Lookbook finds the most similar items"));
        break;
    case DragState::Refused:
        colour = errorColour(palette());
        m_hintTitle->setText(tr("This can’t be searched"));
        m_hintDetail->setText(tr("Drop an image file, a picture or a link to one"));
        break;
    }
    setTextColour(m_hintTitle, colour);
    setTextColour(m_hintDetail, mutedColour(palette()));
    m_glyph->setPixmap(glyphPixmap(colour, devicePixelRatioF()));
}

void QueryPane::updatePreview()
{
    if (!m_hasQuery || m_drag != DragState::None) return;

    const QRect area = contentsRect().marginsRemoved(m_layout->contentsMargins());
    const int width = std::max(area.width(), kMinPreviewSide);
    // What goes under the picture keeps its room; the picture takes the rest.
    int reserved = m_caption->sizeHint().height() + kSpacing;
    for (const QWidget *tool : std::as_const(m_queryTools)) reserved += tool->sizeHint().height() + kSpacing;
    if (m_messageKind != MessageKind::None) reserved += m_message->heightForWidth(width) + kSpacing;
    if (m_messageKind == MessageKind::Busy) reserved += kBusyBarHeight + kSpacing;
    m_preview->fitInto(QSize(width, std::max(area.height() - reserved, kMinPreviewSide)));

    const QString elided = m_caption->fontMetrics().elidedText(m_captionText, Qt::ElideMiddle, area.width());
    m_caption->setText(elided);
    m_caption->setToolTip(elided == m_captionText ? QString() : m_captionText);
}

void QueryPane::dragEnterEvent(QDragEnterEvent *event)
{
    // Copy, never Move: a file manager would delete a moved file once we accepted it.
    if (!(event->possibleActions() & Qt::CopyAction)) {
        event->ignore();
        return;
    }
    // Content we cannot use is still accepted when it is something a user might expect to
    // work (a file, a link, text): dropping it then explains why, rather than a silent
    // "forbidden" cursor.
    const QMimeData *mime = event->mimeData();
    if (DropReader::canAccept(mime))
        m_drag = DragState::Acceptable;
    else if (mime && (mime->hasUrls() || mime->hasText()))
        m_drag = DragState::Refused;
    else {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    refresh();
}

void QueryPane::dragMoveEvent(QDragMoveEvent *event)
{
    if (m_drag == DragState::None || !(event->possibleActions() & Qt::CopyAction)) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
}

void QueryPane::dragLeaveEvent(QDragLeaveEvent *event)
{
    m_drag = DragState::None;
    refresh();
    event->accept();
}

void QueryPane::dropEvent(QDropEvent *event)
{
    const double received = ProcessClock::elapsedMs();
    m_drag = DragState::None;
    refresh();
    if (!(event->possibleActions() & Qt::CopyAction)) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    // The mime data lives only as long as the event: the reader copies what it needs at once.
    m_reader->read(event->mimeData(), QueryReader::Source::Drop, received);
}

void QueryPane::resizeEvent(QResizeEvent *event)
{
    QFrame::resizeEvent(event);
    updatePreview();
}

void QueryPane::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    switch (event->type()) {
    case QEvent::PaletteChange:
    case QEvent::StyleChange:
    case QEvent::FontChange:
        m_preview->invalidate(); // the placeholder is drawn in palette colours
        refresh();
        break;
    default:
        break;
    }
}

void QueryPane::paintEvent(QPaintEvent *event)
{
    QFrame::paintEvent(event);
    QPainter painter(this);
    FrameLook look = m_hasQuery ? FrameLook::ShowingQuery : FrameLook::Waiting;
    if (m_drag == DragState::Acceptable) look = FrameLook::Acceptable;
    if (m_drag == DragState::Refused) look = FrameLook::Refused;
    paintFrame(painter, QRectF(rect()), palette(), look);
    if (m_message->isVisible() && m_messageKind == MessageKind::Error)
        paintErrorBand(painter, QRectF(m_message->geometry()), palette());
}

} // namespace lookbook
