#pragma once
// The left pane of the window: where the user gives the picture to search with — by drop,
// paste or file dialog — and sees it. Drops and the clipboard are interpreted by
// DropReader; local files are read here, links downloaded by UrlFetcher. The pane only
// *shows* images (a preview); decoding for the search happens in the core, which also
// gives the real reason when a picture cannot be used.
//
// A refused drop or paste shows its reason and emits nothing, so the previous query and
// its results stay. Keyboard shortcuts belong to the main window, which calls the slots.

#include "Expected.h"
#include "QueryInput.h"

#include <QFrame>
#include <QImage>
#include <QString>

QT_BEGIN_NAMESPACE
class QImageReader;
class QLabel;
class QRubberBand;
class QToolButton;
class QProgressBar;
class QVBoxLayout;
QT_END_NAMESPACE

namespace lookbook {

struct DropRequest;
class UrlFetcher;

class QueryPane : public QFrame {
    Q_OBJECT
public:
    explicit QueryPane(QWidget *parent = nullptr);

    // Shows the query picture scaled to fit (aspect kept) with its caption; a null image
    // shows a placeholder. Also called by the pane itself when a query is chosen.
    // pictureSize: the upright picture's size in pixels when the image shown is smaller (a
    // thumbnail); regions are given in the picture's pixels.
    void showQuery(const QImage &image, const QString &caption, QSize pictureSize = {});
    void setCaption(const QString &caption);
    // Shows a region of the picture as searched (null: all of it), without emitting regionChosen.
    void showRegion(const QRect &region);
    QRect region() const { return m_region; }
    // The size of the picture regions refer to (invalid before a query).
    QSize pictureSize() const { return m_pictureSize; }
    // A picture's upright size in pixels, read from its header (invalid when unreadable).
    static QSize pictureSizeOf(const QByteArray &bytes);
    static QSize pictureSizeOf(const QString &path);
    // A message under the picture: an error (in a warning colour) or work in progress.
    // Neither clears the shown query.
    void showError(const QString &message);
    void showBusy(const QString &message); // e.g. "Downloading image…", "Searching…"
    void clearMessage();
    QString currentMessage() const;        // as given, for tests

    // A widget that refines the query on show (the colour swatches): placed under the
    // picture and its region tools, shown with the query, its room kept when the picture is
    // fitted. The pane takes it as a child.
    void addQueryTool(QWidget *tool);

    QSize sizeHint() const override;

public slots:
    // A file dialog filtered to images; remembers its folder in QSettings "query/lastFolder".
    void openFileDialog();
    void pasteFromClipboard();
    // An image file named by the user elsewhere (the command line, the file manager's "Open with").
    void openFile(const QString &path);
    // The one-click crop (QueryRegion::centre) and back to the whole picture.
    void chooseCentreRegion();
    void clearRegion();

signals:
    void queryChosen(const lookbook::QueryInput &input);
    // The user drew a rectangle on the picture (in its pixels), or chose the centre or the
    // whole picture (a null rect).
    void regionChosen(const QRect &region);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    enum class Source { Drop, Paste, Dialog };
    enum class DragState { None, Acceptable, Refused };
    enum class MessageKind { None, Busy, Error };

    // receivedMs: when the drop, paste or file arrived (ProcessClock), before it was read.
    void handle(const DropRequest &request, Source source, double receivedMs);
    void choose(const QueryInput &input);
    void setMessage(MessageKind kind, const QString &message);
    // Shows or hides the parts for the current state and recolours them.
    void refresh();
    void updatePreview();
    static Expected<QByteArray> readLocalFile(const QString &path);
    static QImage decodePreview(const QByteArray &bytes);
    static QSize uprightSize(QImageReader &reader);
    QPixmap glyphPixmap(const QColor &colour) const;
    QPixmap placeholderPixmap(const QSize &size) const;
    static void drawPictureGlyph(QPainter &painter, const QRectF &bounds, const QColor &colour);
    QColor errorColour() const;
    QColor mutedColour() const;
    // Between the preview's pixels and the picture's.
    QRect toPicture(const QRect &onPreview) const;
    QRect toPreview(const QRect &inPicture) const;
    void updateRegionBand();
    void chooseRegion(const QRect &region);

    UrlFetcher *m_fetcher = nullptr;
    QVBoxLayout *m_layout = nullptr;
    QLabel *m_glyph = nullptr;
    QLabel *m_hintTitle = nullptr;
    QLabel *m_hintDetail = nullptr;
    QLabel *m_preview = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_message = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QWidget *m_regionTools = nullptr;
    QList<QWidget *> m_queryTools; // addQueryTool's, in order
    QToolButton *m_centreButton = nullptr;
    QToolButton *m_wholeButton = nullptr;
    QRubberBand *m_band = nullptr;
    QSize m_pictureSize;
    QRect m_region;          // in the picture's pixels; null = all of it
    QPoint m_pressAt;        // where a drawing started on the preview, or null

    bool m_hasQuery = false;
    QImage m_image;
    QString m_captionText;
    QSize m_previewSize; // of the pixmap now shown; a change re-scales
    QString m_messageText;
    MessageKind m_messageKind = MessageKind::None;
    DragState m_drag = DragState::None;
    double m_fetchReceivedMs = -1; // when the link being downloaded was received
};

} // namespace lookbook
