#pragma once
// The window: the query on the left, the most similar items on the right, the catalog strip
// above them. It only presents: the CatalogSession it owns does the work on worker threads
// and answers with signals.

#include "CatalogSession.h"
#include "QueryHistory.h"

#include <QMainWindow>

class QActionGroup;
class QLabel;
class QProgressDialog;
class QSplitter;

namespace lookbook {

class CatalogPanel;
class ColourChooser;
class DropToResultsTimer;
class FilterBar;
class QueryPane;
class ResultsView;
class StartupTimeline;
class Thumbnails;
class TimingLog;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        QString catalog;    // open this catalog (else the last one, from the settings)
        QString modelPath;  // --model (else the usual lookup)
        QString cachePath;  // --cache (else the default place for the catalog)
        QString queryImage; // search with this image once the catalog is open
    };
    explicit MainWindow(Options options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens the catalog and loads the model, both in the background; call right after show().
    void start();

    CatalogSession &session() { return m_session; }
    QueryPane *queryPane() const { return m_queryPane; }
    ResultsView *resultsView() const { return m_results; }
    CatalogPanel *catalogPanel() const { return m_catalogPanel; }
    // The start-up and drop-to-results timings (printed with LOOKBOOK_TIMING=1).
    TimingLog *timingLog() const { return m_timing; }
    FilterBar *filterBar() const { return m_filterBar; }
    ColourChooser *colourChooser() const { return m_colourChooser; }
    // The Search ▸ Colour actions: "Any colour" first, then the families; each action's data is its colour.
    QList<QAction *> colourActions() const;
    // The results title, as it reads now.
    QString resultsTitle() const;
    int resultCount() const { return m_queries.resultCount(); }
    void setResultCount(int k);

    // The query on show, with its refinements (likes, dislikes, filter), and the history of
    // the queries before and after it (Back and Forward).
    const CatalogSession::Query &currentQuery() const { return m_queries.current(); }
    bool canGoBack() const { return m_queries.canGoBack(); }
    bool canGoForward() const { return m_queries.canGoForward(); }
    // The results on show, as the last search gave them (empty before the first).
    const SearchOutcome &shownOutcome() const { return m_outcome; }

public slots:
    void chooseCatalog();
    void openCatalog(const QString &root);
    // A new query: one picture, under the current filter, without likes.
    void runQuery(const lookbook::QueryInput &query);
    void searchWithItem(const lookbook::ResultItem &item);
    // Adds a picture to the query on show (a mood board of several pictures).
    void addToQuery(const lookbook::QueryInput &picture);
    // Likes or dislikes a result: the query is refined with it, and the taste profile learns it.
    void giveFeedback(const lookbook::ResultItem &item, bool liked);
    void clearFeedback();
    void applyFilter(const lookbook::ResultFilter &filter);
    // "This, in another colour": searches the query on show again for results in a colour
    // family (empty: any colour), as a new history entry.
    void chooseColour(const QString &colour);
    // Searches for a region of the (single) query picture; a null rect searches all of it.
    void setQueryRegion(const QRect &region);
    void goBack();
    void goForward();
    // Writes the results on show: .csv, .json or .png by the name (ResultExporter).
    bool exportResults(const QString &path);
    bool copyResultFiles(const QString &folder);
    // A window listing the catalog's near-duplicates, found in the background.
    void showDuplicates();
    // File ▸ Tune to This Catalog…: in the background, with a progress dialog whose Cancel
    // stops it, then a message with the figures. Needs a labelled, indexed catalog.
    void tuneToCatalog();

signals:
    // Once: the window's first frame has been painted and flushed to the screen.
    void firstFrameShown();

protected:
    bool event(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void buildFileMenu();
    void buildViewMenu();
    void buildSearchMenu();
    void buildTasteActions(QMenu *searchMenu);
    void connectSession();
    void connectCatalogSignals(); // the model, the catalog, its indexing
    void connectTuningSignals();
    void connectSearchSignals(); // colours, taste, searches
    void connectTimings();
    void restoreSettings();
    void saveSettings() const;
    void showAbout();
    void updateStatus();
    void updateEmptyMessage();
    void updateTuningActions();
    // Searches the current query again when a change of m_queries calls for it.
    void searchAfter(QueryHistory::Change change);
    // Back or Forward: the pane shows the query the history moved to, which is searched.
    void showCurrentQuery();
    void updateHistoryActions();
    void buildColourMenu(QMenu *searchMenu);
    // The swatches and the Colour menu: the query's colour, and whether one can be chosen now.
    void updateColourChoice();
    // Asks the session for the current query; without its colour while the catalog's colours are not
    // known (a catalog being indexed) rather than failing, and again with it once they are.
    void sendQuery();
    void showTitleOf(const SearchOutcome &outcome);
    void exportWithDialog();
    void copyWithDialog();
    void addImageWithDialog();

    Options m_options;
    CatalogSession m_session;
    TimingLog *m_timing;
    StartupTimeline *m_startup;
    DropToResultsTimer *m_dropToResults;
    Thumbnails *m_thumbnails;
    QueryPane *m_queryPane;
    ResultsView *m_results;
    CatalogPanel *m_catalogPanel;
    QLabel *m_resultsTitle;
    FilterBar *m_filterBar;
    ColourChooser *m_colourChooser;
    QSplitter *m_splitter;
    QLabel *m_itemsLabel;
    QLabel *m_modelLabel;
    quint64 m_shownQuery = 0;
    QueryHistory m_queries; // the query on show and its history
    SearchOutcome m_outcome;
    QAction *m_back = nullptr;
    QAction *m_forward = nullptr;
    QActionGroup *m_resultCountActions = nullptr;
    QActionGroup *m_colourActions = nullptr;
    QAction *m_tuneAction = nullptr;
    QAction *m_builtInProjectionAction = nullptr;
    QProgressDialog *m_tuningProgress = nullptr; // while a tuning run goes on
    QString m_coloursProblem; // why the catalog's colours could not be read, empty when they could
    bool m_colourWithheld = false; // the results on show were asked for without the query's colour
    bool m_firstPaintSeen = false;
};

} // namespace lookbook
