#pragma once
// The window: the query on the left, the most similar items on the right, the catalog strip
// above them. It only presents: the CatalogSession it owns does the work on worker threads
// and answers with signals.

#include "CatalogSession.h"

#include <QMainWindow>

class QLabel;
class QSplitter;

namespace lookbook {

class CatalogPanel;
class DropToResultsTimer;
class QueryPane;
class ResultsView;
class StartupTimeline;
class ThumbnailCache;
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
    int resultCount() const { return m_k; }
    void setResultCount(int k);

public slots:
    void chooseCatalog();
    void openCatalog(const QString &root);
    void runQuery(const lookbook::QueryInput &query);
    void searchWithItem(const lookbook::ResultItem &item);

signals:
    // Once: the window's first frame has been painted and flushed to the screen.
    void firstFrameShown();

protected:
    bool event(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void connectSession();
    void connectTimings();
    void restoreSettings();
    void saveSettings() const;
    void showAbout();
    void updateStatus();
    void updateEmptyMessage();

    Options m_options;
    CatalogSession m_session;
    TimingLog *m_timing;
    StartupTimeline *m_startup;
    DropToResultsTimer *m_dropToResults;
    ThumbnailCache *m_thumbnails;
    QueryPane *m_queryPane;
    ResultsView *m_results;
    CatalogPanel *m_catalogPanel;
    QLabel *m_resultsTitle;
    QSplitter *m_splitter;
    QLabel *m_itemsLabel;
    QLabel *m_modelLabel;
    int m_k = 5;
    quint64 m_shownQuery = 0;
    bool m_firstPaintSeen = false;
};

} // namespace lookbook
