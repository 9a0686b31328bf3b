#pragma once
// The left pane of the window: where the user gives the picture to search with — by drop,
// paste or file dialog — and sees it. What was given is interpreted and read by
// QueryReader (off the GUI thread), the picture shown by QueryPreview, the pane drawn by
// QueryPaneStyle; the pane itself only arranges them and shows the state. Decoding for
// the search happens in the core, which also gives the real reason when a picture cannot
// be used.
//
// A refused drop or paste shows its reason and emits nothing, so the previous query and
// its results stay. Keyboard shortcuts belong to the main window, which calls the slots.

#include "QueryInput.h"

#include <QFrame>
#include <QImage>
#include <QString>

#include <functional>

QT_BEGIN_NAMESPACE
class QLabel;
class QToolButton;
class QProgressBar;
class QVBoxLayout;
QT_END_NAMESPACE

namespace lookbook {

struct LocalAddressRefusal;
struct PreparedQuery;
class QueryPreview;
class QueryReader;

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
    QRect region() const;
    // The size of the picture regions refer to (invalid before a query).
    QSize pictureSize() const;
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

    // Asked whether to download a link that leads to this computer or the user's own
    // network; the pane asks with a message box unless this replaces it (tests do).
    void setLocalFetchConfirmation(std::function<bool(const LocalAddressRefusal &refusal)> confirm);

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
    // A picture given by drop, paste or dialog, read and ready to search (after the event
    // that gave it: files are read off the GUI thread).
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

private:
    enum class DragState { None, Acceptable, Refused };
    enum class MessageKind { None, Busy, Error };

    void createHint();
    void createRegionTools();
    void createCaptionAndMessage();
    void layOut();
    void connectReader();
    bool confirmLocalFetch(const LocalAddressRefusal &refusal);
    void choose(const PreparedQuery &query);
    void setMessage(MessageKind kind, const QString &message);
    // Shows or hides the parts for the current state and recolours them.
    void refresh();
    void showHintFor(DragState drag);
    void updatePreview();
    void chooseRegion(const QRect &region);

    QueryReader *m_reader = nullptr;
    QVBoxLayout *m_layout = nullptr;
    QLabel *m_glyph = nullptr;
    QLabel *m_hintTitle = nullptr;
    QLabel *m_hintDetail = nullptr;
    QueryPreview *m_preview = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_message = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QWidget *m_regionTools = nullptr;
    QList<QWidget *> m_queryTools; // addQueryTool's, in order
    QToolButton *m_centreButton = nullptr;
    QToolButton *m_wholeButton = nullptr;

    bool m_hasQuery = false;
    QString m_captionText;
    QString m_messageText;
    MessageKind m_messageKind = MessageKind::None;
    DragState m_drag = DragState::None;
};

} // namespace lookbook
