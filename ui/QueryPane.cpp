#include "QueryPane.h"

#include "DropReader.h"
#include "ImageLoader.h"
#include "ProcessClock.h"
#include "QueryRegion.h"
#include "UrlFetcher.h"

#include <QBuffer>
#include <QClipboard>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImageReader>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QHBoxLayout>
#include <QMouseEvent>
#include <QProgressBar>
#include <QRubberBand>
#include <QToolButton>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>

namespace lookbook {

namespace {

constexpr int kMinimumWidth = 260;
constexpr int kMinimumHeight = 300;
constexpr QSize kPreferredSize{320, 480};
constexpr int kPadding = 20;          // between the drawn frame and the content
constexpr int kSpacing = 10;
constexpr int kFrameInset = 2;        // keeps the frame's stroke inside the widget
constexpr qreal kCornerRadius = 12.0;
constexpr qreal kBorderWidth = 1.5;
constexpr qreal kDashLength = 4.0;    // in units of the pen width
constexpr qreal kDashGap = 3.0;
constexpr int kGlyphSide = 56;
constexpr qreal kHintTitleScale = 1.35;
constexpr qreal kCaptionScale = 1.05;
constexpr int kMessagePadding = 8;
constexpr qreal kMessageRadius = 6.0;
constexpr qreal kPreviewRadius = 6.0;
constexpr int kBusyBarHeight = 4;
constexpr int kPlaceholderAspectWidth = 4;  // a landscape 4:3 card when there is no preview
constexpr int kPlaceholderAspectHeight = 3;
constexpr int kMinPreviewSide = 48;
// A drag shorter than this on the preview is a click, not a region.
constexpr int kMinRegionDrag = 8;
// Previews are decoded at most this large: enough for any screen, and a 100 MP photo
// does not cost 400 MB of pixels on the GUI thread.
constexpr int kMaxPreviewSide = 2048;

// Colours mixed from the palette so that light and dark themes both work.
constexpr qreal kMutedMix = 0.45;        // of the background mixed into text
constexpr qreal kFrameMix = 0.62;        // dashed frame when waiting for a drop
constexpr qreal kCardFrameMix = 0.82;    // quieter frame around a shown query
constexpr qreal kEmptyFillMix = 0.5;     // between Window and Base
constexpr int kHighlightFillAlpha = 28;
constexpr int kErrorFillAlpha = 30;
constexpr int kDarkLightnessThreshold = 128;
const QColor kErrorOnLight{0xb4, 0x23, 0x18};
const QColor kErrorOnDark{0xff, 0x8a, 0x80};

// Long words (URLs, file names) get break opportunities so that a word-wrapped label
// never grows wider than the pane.
constexpr qsizetype kLongWord = 24;
const QChar kZeroWidthSpace{0x200B};

QColor mix(const QColor &from, const QColor &to, qreal amount)
{
    return QColor::fromRgbF(from.redF() + (to.redF() - from.redF()) * amount,
                            from.greenF() + (to.greenF() - from.greenF()) * amount,
                            from.blueF() + (to.blueF() - from.blueF()) * amount);
}

QColor withAlpha(QColor colour, int alpha)
{
    colour.setAlpha(alpha);
    return colour;
}

void setTextColour(QLabel *label, const QColor &colour)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, colour);
    palette.setColor(QPalette::Text, colour);
    label->setPalette(palette);
}

QString breakable(const QString &text)
{
    QString out;
    out.reserve(text.size() + text.size() / kLongWord);
    qsizetype run = 0;
    for (const QChar c : text) {
        out += c;
        run = c.isSpace() ? 0 : run + 1;
        const bool separator = c == u'/' || c == u'\\' || c == u'?' || c == u'&' || c == u'=' || c == u'_'
                               || c == u'-' || c == u'.';
        if ((separator && run > 1) || run >= kLongWord) {
            out += kZeroWidthSpace;
            run = 0;
        }
    }
    return out;
}

QString formatSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 0, QLocale::DataSizeTraditionalFormat);
}

QString shortcutText(QKeySequence::StandardKey key)
{
    return QKeySequence(key).toString(QKeySequence::NativeText);
}

} // namespace

QueryPane::QueryPane(QWidget *parent) : QFrame(parent), m_fetcher(new UrlFetcher(this))
{
    setAcceptDrops(true);
    setFrameShape(QFrame::NoFrame); // the rounded frame is drawn in paintEvent
    // Explicit, so that the layout does not raise it to the preview's current size and
    // the window can still shrink; the preview is re-fitted on every resize.
    setMinimumSize(kMinimumWidth, kMinimumHeight);
    setAccessibleName(tr("Query image"));

    m_glyph = new QLabel(this);
    m_glyph->setAlignment(Qt::AlignCenter);
    m_glyph->setAccessibleName(tr("Image placeholder"));

    m_hintTitle = new QLabel(this);
    m_hintTitle->setAlignment(Qt::AlignCenter);
    m_hintTitle->setWordWrap(true);

    m_hintDetail = new QLabel(this);
    m_hintDetail->setAlignment(Qt::AlignCenter);
    m_hintDetail->setWordWrap(true);

    m_preview = new QLabel(this);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->setAccessibleName(tr("Query image preview"));
    m_preview->setToolTip(tr("Drag a rectangle to search for one garment only"));
    m_preview->setCursor(Qt::CrossCursor);
    m_preview->installEventFilter(this);
    m_band = new QRubberBand(QRubberBand::Rectangle, m_preview);
    m_band->hide();

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
    tools->addStretch();
    tools->addWidget(m_centreButton);
    tools->addWidget(m_wholeButton);
    tools->addStretch();
    connect(m_centreButton, &QToolButton::clicked, this, &QueryPane::chooseCentreRegion);
    connect(m_wholeButton, &QToolButton::clicked, this, &QueryPane::clearRegion);

    m_caption = new QLabel(this);
    m_caption->setAlignment(Qt::AlignCenter);
    m_caption->setTextFormat(Qt::PlainText);
    m_caption->setAccessibleName(tr("Query name"));
    // The elided text is set to fit; the label must not ask for the full name's width.
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_message = new QLabel(this);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText); // messages quote file names and URLs verbatim
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse); // so a reason can be copied
    m_message->setMargin(kMessagePadding);
    m_message->setAccessibleName(tr("Status message"));

    m_busyBar = new QProgressBar(this);
    m_busyBar->setRange(0, 0); // indeterminate
    m_busyBar->setTextVisible(false);
    m_busyBar->setFixedHeight(kBusyBarHeight);
    m_busyBar->setAccessibleName(tr("Working"));

    for (QLabel *label : {m_hintTitle, m_hintDetail, m_caption}) label->setTextFormat(Qt::PlainText);
    QFont titleFont = m_hintTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * kHintTitleScale);
    titleFont.setWeight(QFont::DemiBold);
    m_hintTitle->setFont(titleFont);
    QFont captionFont = m_caption->font();
    captionFont.setPointSizeF(captionFont.pointSizeF() * kCaptionScale);
    captionFont.setWeight(QFont::DemiBold);
    m_caption->setFont(captionFont);

    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(kPadding, kPadding, kPadding, kPadding);
    m_layout->setSpacing(kSpacing);
    m_layout->addStretch();                                  // 0: centres the hint
    m_layout->addWidget(m_glyph, 0, Qt::AlignHCenter);
    m_layout->addWidget(m_hintTitle);
    m_layout->addWidget(m_hintDetail);
    m_layout->addWidget(m_preview, 0, Qt::AlignHCenter);
    m_layout->addWidget(m_caption);
    m_layout->addWidget(m_regionTools);
    m_layout->addWidget(m_message);
    m_layout->addWidget(m_busyBar);
    m_layout->addStretch();                                  // last: keeps the query at the top

    connect(m_fetcher, &UrlFetcher::fetched, this, [this](const QUrl &url, const QByteArray &bytes) {
        choose(QueryInput{bytes, url.toDisplayString(), QString(), m_fetchReceivedMs, QRect()});
    });
    connect(m_fetcher, &UrlFetcher::failed, this,
            [this](const QUrl &, const QString &reason) { showError(reason); });

    refresh();
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
    m_image = image;
    m_pictureSize = pictureSize.isValid() ? pictureSize : image.size();
    m_region = QRect();
    m_pressAt = QPoint();
    m_captionText = caption;
    m_previewSize = QSize(); // forces a new scaled pixmap
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
    m_region = region;
    updateRegionBand();
}

void QueryPane::chooseCentreRegion()
{
    if (m_hasQuery && m_pictureSize.isValid()) chooseRegion(QueryRegion::centre(m_pictureSize));
}

void QueryPane::clearRegion()
{
    if (m_hasQuery && !m_region.isNull()) chooseRegion(QRect());
}

void QueryPane::chooseRegion(const QRect &region)
{
    m_region = region;
    updateRegionBand();
    m_wholeButton->setEnabled(!m_region.isNull());
    emit regionChosen(m_region);
}

QRect QueryPane::toPicture(const QRect &onPreview) const
{
    if (!m_pictureSize.isValid() || m_previewSize.isEmpty()) return {};
    const double sx = double(m_pictureSize.width()) / m_previewSize.width();
    const double sy = double(m_pictureSize.height()) / m_previewSize.height();
    const QRect clipped = onPreview.normalized().intersected(QRect(QPoint(0, 0), m_previewSize));
    return QRect(qRound(clipped.x() * sx), qRound(clipped.y() * sy), qRound(clipped.width() * sx), qRound(clipped.height() * sy));
}

QRect QueryPane::toPreview(const QRect &inPicture) const
{
    if (!m_pictureSize.isValid() || m_previewSize.isEmpty()) return {};
    const double sx = double(m_previewSize.width()) / m_pictureSize.width();
    const double sy = double(m_previewSize.height()) / m_pictureSize.height();
    return QRect(qRound(inPicture.x() * sx), qRound(inPicture.y() * sy), qRound(inPicture.width() * sx), qRound(inPicture.height() * sy));
}

void QueryPane::updateRegionBand()
{
    m_band->setVisible(!m_region.isNull() && m_preview->isVisible());
    if (!m_region.isNull()) m_band->setGeometry(toPreview(m_region));
    m_wholeButton->setEnabled(!m_region.isNull());
}

bool QueryPane::eventFilter(QObject *watched, QEvent *event)
{
    const QEvent::Type type = event->type();
    const bool mouseEvent = type == QEvent::MouseButtonPress || type == QEvent::MouseMove || type == QEvent::MouseButtonRelease;
    if (watched != m_preview || !mouseEvent || !m_hasQuery || m_image.isNull()) return QFrame::eventFilter(watched, event);
    auto *mouse = static_cast<QMouseEvent *>(event); // only for the three mouse events above
    switch (type) {
    case QEvent::MouseButtonPress:
        if (mouse->button() != Qt::LeftButton) break;
        m_pressAt = mouse->position().toPoint();
        m_band->setGeometry(QRect(m_pressAt, QSize()));
        m_band->show();
        return true;
    case QEvent::MouseMove:
        if (m_pressAt.isNull() && !(mouse->buttons() & Qt::LeftButton)) break;
        m_band->setGeometry(QRect(m_pressAt, mouse->position().toPoint()).normalized().intersected(m_preview->rect()));
        return true;
    case QEvent::MouseButtonRelease: {
        if (mouse->button() != Qt::LeftButton) break;
        const QRect drawn = QRect(m_pressAt, mouse->position().toPoint()).normalized();
        m_pressAt = QPoint();
        if (drawn.width() < kMinRegionDrag || drawn.height() < kMinRegionDrag) {
            updateRegionBand(); // a click: the region stays as it was
            return true;
        }
        chooseRegion(toPicture(drawn));
        return true;
    }
    default:
        break;
    }
    return QFrame::eventFilter(watched, event);
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
    // Through DropReader like a dropped file, so every way in gets the same checks.
    const double received = ProcessClock::elapsedMs();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath())});
    handle(DropReader::read(&mime), Source::Dialog, received);
}

void QueryPane::pasteFromClipboard()
{
    const double received = ProcessClock::elapsedMs();
    const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
    if (!mime || mime->formats().isEmpty()) {
        showError(tr("The clipboard is empty. Copy an image, a file or an image link first."));
        return;
    }
    handle(DropReader::read(mime), Source::Paste, received);
}

void QueryPane::handle(const DropRequest &request, Source source, double receivedMs)
{
    switch (request.kind) {
    case DropRequest::Kind::Unsupported:
        showError(request.error);
        return;
    case DropRequest::Kind::LocalFile: {
        m_fetcher->cancel();
        const Expected<QByteArray> bytes = readLocalFile(request.localPath);
        if (!bytes) {
            showError(bytes.error());
            return;
        }
        choose(QueryInput{*bytes, request.displayName, request.localPath, receivedMs, QRect()});
        return;
    }
    case DropRequest::Kind::ImageData: {
        m_fetcher->cancel();
        const QString name = source == Source::Drop ? tr("dropped image") : request.displayName;
        choose(QueryInput{request.bytes, name, QString(), receivedMs, QRect()});
        return;
    }
    case DropRequest::Kind::RemoteUrl:
        showBusy(tr("Downloading image from %1…").arg(request.url.host()));
        m_fetchReceivedMs = receivedMs;
        m_fetcher->fetch(request.url); // answers through fetched() or failed()
        return;
    }
}

void QueryPane::choose(const QueryInput &input)
{
    // A picture Qt cannot show is still searched: the core decodes on its own terms and
    // says why when it cannot; the pane shows a placeholder meanwhile.
    showQuery(decodePreview(input.bytes), input.displayName, pictureSizeOf(input.bytes));
    clearMessage();
    emit queryChosen(input);
}

Expected<QByteArray> QueryPane::readLocalFile(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    const qint64 maxBytes = ImageLimits{}.maxFileBytes;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Expected<QByteArray>::failure(tr("Could not open %1: %2").arg(name, file.errorString()));
    if (file.size() > maxBytes) {
        return Expected<QByteArray>::failure(
            tr("This image is too large: %1 (%2; the limit is %3)")
                .arg(name, formatSize(file.size()), formatSize(maxBytes)));
    }
    // Bounded even when size() lies (special files report 0).
    QByteArray bytes = file.read(maxBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return Expected<QByteArray>::failure(tr("Could not read %1: %2").arg(name, file.errorString()));
    if (bytes.size() > maxBytes) {
        return Expected<QByteArray>::failure(
            tr("This image is too large: %1 (the limit is %2)").arg(name, formatSize(maxBytes)));
    }
    if (bytes.isEmpty()) return Expected<QByteArray>::failure(tr("This file is empty: %1").arg(name));
    return bytes;
}

QSize QueryPane::pictureSizeOf(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    return uprightSize(reader);
}

QSize QueryPane::pictureSizeOf(const QString &path)
{
    QImageReader reader(path);
    return uprightSize(reader);
}

QSize QueryPane::uprightSize(QImageReader &reader)
{
    // From the header; EXIF rotations by a quarter turn swap the sides, as the loader does.
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    return reader.transformation() & QImageIOHandler::TransformationRotate90 ? size.transposed() : size;
}

QImage QueryPane::decodePreview(const QByteArray &bytes)
{
    // Like QImage::fromData, with a bound on the decoded size and EXIF orientation applied.
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > kMaxPreviewSide || size.height() > kMaxPreviewSide))
        reader.setScaledSize(size.scaled(kMaxPreviewSide, kMaxPreviewSide, Qt::KeepAspectRatio));
    return reader.read();
}

void QueryPane::refresh()
{
    const bool showHint = !m_hasQuery || m_drag != DragState::None;
    const bool showMessage = m_messageKind != MessageKind::None && m_drag == DragState::None;

    QColor hintColour = mix(palette().color(QPalette::WindowText), palette().color(QPalette::Window), kMutedMix / 2);
    switch (m_drag) {
    case DragState::None:
        m_hintTitle->setText(tr("Drop an image here"));
        m_hintDetail->setText(tr("or paste (%1) or open one (%2)")
                                  .arg(shortcutText(QKeySequence::Paste), shortcutText(QKeySequence::Open)));
        break;
    case DragState::Acceptable:
        hintColour = palette().color(QPalette::Highlight);
        m_hintTitle->setText(tr("Drop to search"));
        m_hintDetail->setText(tr("Lookbook finds the most similar items"));
        break;
    case DragState::Refused:
        hintColour = errorColour();
        m_hintTitle->setText(tr("This can’t be searched"));
        m_hintDetail->setText(tr("Drop an image file, a picture or a link to one"));
        break;
    }
    setTextColour(m_hintTitle, hintColour);
    setTextColour(m_hintDetail, mutedColour());
    m_glyph->setPixmap(glyphPixmap(hintColour));
    setTextColour(m_caption, palette().color(QPalette::WindowText));
    setTextColour(m_message, m_messageKind == MessageKind::Error ? errorColour() : mutedColour());
    setAccessibleDescription(m_hintTitle->text() + u'\n' + m_hintDetail->text());

    for (QWidget *hint : std::initializer_list<QWidget *>{m_glyph, m_hintTitle, m_hintDetail})
        hint->setVisible(showHint);
    m_preview->setVisible(!showHint);
    m_caption->setVisible(!showHint);
    m_regionTools->setVisible(!showHint && !m_image.isNull());
    for (QWidget *tool : std::as_const(m_queryTools)) tool->setVisible(!showHint);
    updateRegionBand();
    m_message->setVisible(showMessage);
    m_busyBar->setVisible(showMessage && m_messageKind == MessageKind::Busy);

    // The hint block is centred; a shown query sits at the top.
    const int firstStretch = 0;
    m_layout->setStretch(firstStretch, showHint ? 1 : 0);
    m_layout->setStretch(m_layout->count() - 1, 1);

    updatePreview();
    update();
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
    const int maxHeight = std::max(area.height() - reserved, kMinPreviewSide);

    const QSize source = m_image.isNull() ? QSize(kPlaceholderAspectWidth, kPlaceholderAspectHeight) : m_image.size();
    const QSize target = source.scaled(width, maxHeight, Qt::KeepAspectRatio);
    if (target != m_previewSize) {
        m_previewSize = target;
        const qreal ratio = devicePixelRatioF();
        if (m_image.isNull()) {
            m_preview->setPixmap(placeholderPixmap(target));
        } else {
            // Rounded like the card around it, so the picture does not look pasted on.
            QPixmap pixmap(target * ratio);
            pixmap.setDevicePixelRatio(ratio);
            pixmap.fill(Qt::transparent);
            QPainter painter(&pixmap);
            painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
            QPainterPath corners;
            corners.addRoundedRect(QRectF(QPointF(0, 0), QSizeF(target)), kPreviewRadius, kPreviewRadius);
            painter.setClipPath(corners);
            painter.drawImage(QRectF(QPointF(0, 0), QSizeF(target)),
                              m_image.scaled(target * ratio, Qt::KeepAspectRatio, Qt::SmoothTransformation));
            painter.end();
            m_preview->setPixmap(pixmap);
        }
        m_preview->setFixedSize(target);
        updateRegionBand();
    }
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
    // The mime data lives only as long as the event: read() copies what it needs.
    handle(DropReader::read(event->mimeData()), Source::Drop, received);
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
        m_previewSize = QSize(); // the placeholder is drawn in palette colours
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
    painter.setRenderHint(QPainter::Antialiasing);

    const QColor window = palette().color(QPalette::Window);
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::WindowText);
    const qreal inset = kFrameInset + kBorderWidth / 2;
    const QRectF frame = QRectF(rect()).adjusted(inset, inset, -inset, -inset);

    QColor fill = mix(window, base, kEmptyFillMix);
    QColor stroke = mix(text, window, kFrameMix);
    bool dashed = true;
    switch (m_drag) {
    case DragState::Acceptable:
        stroke = palette().color(QPalette::Highlight);
        fill = withAlpha(stroke, kHighlightFillAlpha);
        break;
    case DragState::Refused:
        stroke = errorColour();
        fill = withAlpha(stroke, kErrorFillAlpha);
        break;
    case DragState::None:
        if (m_hasQuery) {
            // A shown query is a quiet card; the dashes return while something is dragged.
            fill = base;
            stroke = mix(text, window, kCardFrameMix);
            dashed = false;
        }
        break;
    }
    QPen pen(stroke, kBorderWidth);
    if (dashed) pen.setDashPattern({kDashLength, kDashGap});
    painter.setPen(pen);
    painter.setBrush(fill);
    painter.drawRoundedRect(frame, kCornerRadius, kCornerRadius);

    // Errors stand out on a tinted, rounded band behind the message.
    if (m_message->isVisible() && m_messageKind == MessageKind::Error) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(withAlpha(errorColour(), kErrorFillAlpha));
        painter.drawRoundedRect(QRectF(m_message->geometry()), kMessageRadius, kMessageRadius);
    }
}

QColor QueryPane::errorColour() const
{
    const bool dark = palette().color(QPalette::Window).lightness() < kDarkLightnessThreshold;
    return dark ? kErrorOnDark : kErrorOnLight;
}

QColor QueryPane::mutedColour() const
{
    return mix(palette().color(QPalette::WindowText), palette().color(QPalette::Window), kMutedMix);
}

QPixmap QueryPane::glyphPixmap(const QColor &colour) const
{
    const qreal ratio = devicePixelRatioF();
    QPixmap pixmap(QSize(kGlyphSide, kGlyphSide) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    drawPictureGlyph(painter, QRectF(0, 0, kGlyphSide, kGlyphSide), colour);
    return pixmap;
}

QPixmap QueryPane::placeholderPixmap(const QSize &size) const
{
    constexpr qreal kGlyphShare = 0.3; // of the shorter side
    const qreal ratio = devicePixelRatioF();
    QPixmap pixmap(size * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(palette().color(QPalette::AlternateBase));
    painter.drawRoundedRect(QRectF(QPointF(0, 0), QSizeF(size)), kPreviewRadius, kPreviewRadius);

    const qreal side = std::min(size.width(), size.height()) * kGlyphShare;
    const QRectF glyph(QPointF((size.width() - side) / 2, (size.height() - side) / 2 - side / 4), QSizeF(side, side));
    drawPictureGlyph(painter, glyph, mutedColour());
    painter.setPen(mutedColour());
    const QRectF label(0, glyph.bottom(), size.width(), size.height() - glyph.bottom());
    painter.drawText(label, Qt::AlignHCenter | Qt::AlignTop, tr("No preview"));
    return pixmap;
}

void QueryPane::drawPictureGlyph(QPainter &painter, const QRectF &bounds, const QColor &colour)
{
    // A framed landscape: the generic "picture" sign, drawn so it follows the palette.
    constexpr qreal kFrameTop = 0.18, kFrameHeight = 0.64, kStroke = 0.06, kRadius = 0.1;
    constexpr qreal kSunX = 0.68, kSunY = 0.38, kSunRadius = 0.075;
    const qreal w = bounds.width();
    const QRectF frame(bounds.left() + w * kStroke, bounds.top() + w * kFrameTop, w * (1 - 2 * kStroke),
                       w * kFrameHeight);
    painter.save();
    painter.setPen(QPen(colour, w * kStroke, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(Qt::NoBrush);
    painter.drawRoundedRect(frame, w * kRadius, w * kRadius);

    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QPointF(bounds.left() + w * kSunX, bounds.top() + w * kSunY), w * kSunRadius,
                        w * kSunRadius);
    // Two hills (points in the frame's unit square), clipped to the inside of the frame.
    const auto at = [&](qreal x, qreal y) {
        return QPointF(frame.left() + frame.width() * x, frame.top() + frame.height() * y);
    };
    QPainterPath hills;
    hills.moveTo(at(0, 1));
    hills.lineTo(at(0, 0.78));
    hills.lineTo(at(0.32, 0.42));
    hills.lineTo(at(0.56, 0.7));
    hills.lineTo(at(0.7, 0.56));
    hills.lineTo(at(1, 0.86));
    hills.lineTo(at(1, 1));
    hills.closeSubpath();
    QPainterPath inside;
    inside.addRoundedRect(frame, w * kRadius, w * kRadius);
    painter.setClipPath(inside, Qt::IntersectClip);
    painter.drawPath(hills);
    painter.restore();
}

} // namespace lookbook
