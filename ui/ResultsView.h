#pragma once
// The results grid: one card per result, best first, with the keyboard, mouse and context
// menu actions a user expects of a file browser (open, reveal, copy path, search again).
// The view only asks; the window decides what opening or searching means, using the
// static helpers below for the platform's default behaviour.

#include "SearchResult.h"

#include <QListView>
#include <QString>

#include <vector>

class QMenu;

namespace lookbook {

class ResultDelegate;
class ResultsModel;
class Thumbnails;

class ResultsView : public QListView {
    Q_OBJECT
public:
    // thumbnails is not owned and must outlive the view.
    explicit ResultsView(Thumbnails *thumbnails, QWidget *parent = nullptr);

    // Shows new results. Nothing is selected, but row 0 is current so the arrow keys and
    // Enter start from the best match.
    void setResults(std::vector<ResultItem> results);
    // The items (relative paths) liked and disliked in the query shown: a badge on their
    // cards, and the disliked ones' photos dimmed. Kept across setResults.
    void setFeedback(const QStringList &liked, const QStringList &disliked);
    int resultCount() const;
    // The result in row, or nullptr; valid until the next setResults.
    const ResultItem *resultAt(int row) const;

    // Painted centred in the viewport while there are no results.
    void setEmptyMessage(const QString &text);
    QString emptyMessage() const { return m_emptyMessage; }

    // The context menu of row (nullptr outside the rows), owned by the caller. Its actions,
    // by objectName: "open", "reveal", "copyPath", "searchWith", "like", "dislike".
    QMenu *contextMenuFor(int row);

    // The platform's default handling, for the window to connect the signals to.
    static bool openInDefaultApp(const QString &path);
    // Selects the file in Explorer or Finder; elsewhere opens its folder (selecting it needs
    // the FileManager1 D-Bus interface, used only when built with LOOKBOOK_HAVE_QTDBUS).
    static bool revealInFileManager(const QString &path);
    // Puts the path, with the platform's separators, on the clipboard.
    static void copyPathToClipboard(const QString &path);

signals:
    // Once per setResults with results: after the paint that completed every card in view
    // (rows scrolled out of view are not waited for) with its photo, or with the mark of a
    // photo that cannot be read; never while a card still shows "Loading".
    void resultsPainted();
    void openRequested(const QString &absolutePath);
    void searchWithRequested(const lookbook::ResultItem &item);
    void revealRequested(const QString &absolutePath);
    // Liked (true) or disliked (false), from the context menu or the L / D keys.
    void feedbackGiven(const lookbook::ResultItem &item, bool liked);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void fitCardsToWidth();
    void notePaintedCards(const QRegion &painted);

    ResultsModel *m_model;
    ResultDelegate *m_delegate;
    QString m_emptyMessage;
    // Per row of the current results: painted with its final thumbnail. Empty once reported.
    std::vector<bool> m_cardDone;
};

} // namespace lookbook
