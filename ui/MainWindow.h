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
class QueryPane;
class ResultsView;
class ThumbnailCache;

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

    // Loads the model and opens the catalog in the background; call once the window shows.
    void start();

    CatalogSession &session() { return m_session; }
    QueryPane *queryPane() const { return m_queryPane; }
    ResultsView *resultsView() const { return m_results; }
    CatalogPanel *catalogPanel() const { return m_catalogPanel; }
    int resultCount() const { return m_k; }
    void setResultCount(int k);

public slots:
    void chooseCatalog();
    void openCatalog(const QString &root);
    void runQuery(const lookbook::QueryInput &query);
    void searchWithItem(const lookbook::ResultItem &item);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void connectSession();
    void restoreSettings();
    void saveSettings() const;
    void showAbout();
    void updateStatus();
    void updateEmptyMessage();

    Options m_options;
    CatalogSession m_session;
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
};

} // namespace lookbook
