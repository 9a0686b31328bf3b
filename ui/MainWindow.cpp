#include "MainWindow.h"

#include "CatalogPanel.h"
#include "DropToResultsTimer.h"
#include "QueryPane.h"
#include "ResultsView.h"
#include "StartupTimeline.h"
#include "ThumbnailCache.h"
#include "TimingLog.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

namespace lookbook {

namespace {
// Long enough to be read while the first images are indexed.
constexpr int kRebuildMessageMs = 60'000;
const QString kLastCatalog = QStringLiteral("catalog/last");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kSplitter = QStringLiteral("window/splitter");
const QString kResultCount = QStringLiteral("results/count");
constexpr int kDefaultK = 5;
constexpr int kResultCountChoices[] = {5, 10, 20};
constexpr QSize kDefaultSize(1360, 780); // room for a row of 5 results beside the query
constexpr int kQueryPaneWidth = 300;
} // namespace

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent), m_options(std::move(options)), m_timing(new TimingLog(this)),
      m_startup(new StartupTimeline(m_timing, this)), m_dropToResults(new DropToResultsTimer(m_timing, this)),
      m_thumbnails(new ThumbnailCache({240, 320}, this)),
      m_queryPane(new QueryPane(this)), m_results(new ResultsView(m_thumbnails, this)),
      m_catalogPanel(new CatalogPanel(this)), m_resultsTitle(new QLabel(this)), m_splitter(new QSplitter(this)),
      m_itemsLabel(new QLabel(this)), m_modelLabel(new QLabel(this))
{
    setWindowTitle(tr("Lookbook"));
    setAcceptDrops(false); // drops go to the query pane, which covers the left of the window

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    QFont titleFont = m_resultsTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_resultsTitle->setFont(titleFont);
    m_resultsTitle->setContentsMargins(12, 10, 12, 6);
    m_resultsTitle->setTextFormat(Qt::PlainText);
    rightLayout->addWidget(m_catalogPanel);
    rightLayout->addWidget(m_resultsTitle);
    rightLayout->addWidget(m_results, 1);

    m_splitter->addWidget(m_queryPane);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({kQueryPaneWidth, kDefaultSize.width() - kQueryPaneWidth});
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);

    for (QLabel *label : {m_itemsLabel, m_modelLabel}) {
        label->setContentsMargins(8, 0, 8, 0);
        statusBar()->addPermanentWidget(label);
    }

    buildMenus();
    connectTimings(); // first: the milestones are stamped before the window reacts to them
    connectSession();
    restoreSettings();
    updateStatus();
    updateEmptyMessage();
    m_resultsTitle->setText(tr("Most similar items"));

    connect(m_queryPane, &QueryPane::queryChosen, this, &MainWindow::runQuery);
    connect(m_results, &ResultsView::openRequested, this, &ResultsView::openInDefaultApp);
    connect(m_results, &ResultsView::revealRequested, this, &ResultsView::revealInFileManager);
    connect(m_results, &ResultsView::searchWithRequested, this, &MainWindow::searchWithItem);
    connect(m_catalogPanel, &CatalogPanel::chooseFolderRequested, this, &MainWindow::chooseCatalog);
    connect(m_catalogPanel, &CatalogPanel::cancelRequested, &m_session, &CatalogSession::cancelIndexing);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openImage = file->addAction(tr("&Open Image…"), m_queryPane, &QueryPane::openFileDialog);
    openImage->setShortcut(QKeySequence::Open);
    openImage->setObjectName(QStringLiteral("openImage"));
    QAction *paste = file->addAction(tr("&Paste Image"), m_queryPane, &QueryPane::pasteFromClipboard);
    paste->setShortcut(QKeySequence::Paste);
    paste->setObjectName(QStringLiteral("paste"));
    file->addSeparator();
    QAction *openCatalogAction = file->addAction(tr("Open &Catalog Folder…"), this, &MainWindow::chooseCatalog);
    openCatalogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QAction *cancel = file->addAction(tr("&Stop Indexing"), &m_session, &CatalogSession::cancelIndexing);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    cancel->setObjectName(QStringLiteral("cancelIndexing"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *count = view->addMenu(tr("Number of &Results"));
    auto *group = new QActionGroup(this);
    for (int k : kResultCountChoices) {
        QAction *a = count->addAction(tr("%n items", nullptr, k));
        a->setCheckable(true);
        a->setData(k);
        a->setChecked(k == m_k);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, k] { setResultCount(k); });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lookbook"), this, &MainWindow::showAbout);
}

void MainWindow::connectTimings()
{
    connect(this, &MainWindow::firstFrameShown, m_startup, &StartupTimeline::windowShown);
    connect(&m_session, &CatalogSession::catalogOpened, m_startup,
            [this](const QString &, int items, const QString &) { m_startup->indexOpened(items); });
    connect(&m_session, &CatalogSession::modelLoaded, m_startup, &StartupTimeline::modelLoaded);
    connect(&m_session, &CatalogSession::searchStarted, m_dropToResults, &DropToResultsTimer::searchStarted);
    connect(m_results, &ResultsView::resultsPainted, m_dropToResults, &DropToResultsTimer::resultsPainted);
}

void MainWindow::connectSession()
{
    connect(&m_session, &CatalogSession::modelLoaded, this, [this] { updateStatus(); });
    connect(&m_session, &CatalogSession::modelFailed, this, [this](const QString &explanation) {
        updateStatus();
        // Not modal-blocking: the window stays usable (catalog items can still be searched).
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Model not found"),
                                    tr("Lookbook cannot compute image embeddings without its model."),
                                    QMessageBox::Ok, this);
        box->setInformativeText(explanation);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setObjectName(QStringLiteral("modelMissingDialog"));
        box->open();
    });
    connect(&m_session, &CatalogSession::catalogOpened, this, [this](const QString &root, int items, const QString &problem) {
        m_catalogPanel->showCatalog(root, items);
        if (!m_options.queryImage.isEmpty()) { // asked for on the command line: once only
            m_queryPane->openFile(m_options.queryImage);
            m_options.queryImage.clear();
        }
        const bool rebuilding = !problem.isEmpty() && QFileInfo::exists(m_session.cachePath());
        m_catalogPanel->setRebuildReason(rebuilding ? problem : QString());
        if (rebuilding) statusBar()->showMessage(tr("The index will be rebuilt: %1").arg(problem), kRebuildMessageMs);
        updateStatus();
        updateEmptyMessage();
    });
    connect(&m_session, &CatalogSession::catalogFailed, this, [this](const QString &reason) {
        m_catalogPanel->showProblem(reason);
        updateEmptyMessage();
    });
    connect(&m_session, &CatalogSession::labelsProblem, this, [this](const QString &reason) {
        statusBar()->showMessage(tr("Labels not loaded: %1").arg(reason), 10000);
    });
    connect(&m_session, &CatalogSession::indexingStarted, m_catalogPanel, &CatalogPanel::showIndexingStarted);
    connect(&m_session, &CatalogSession::indexingProgress, m_catalogPanel, &CatalogPanel::showProgress);
    connect(&m_session, &CatalogSession::indexingFinished, m_catalogPanel, &CatalogPanel::showFinished);
    connect(&m_session, &CatalogSession::indexingFailed, m_catalogPanel, &CatalogPanel::showProblem);
    connect(&m_session, &CatalogSession::storeChanged, this, [this] {
        updateStatus();
        updateEmptyMessage();
    });
    connect(&m_session, &CatalogSession::searchStarted, this, [this](quint64 id) {
        m_shownQuery = id;
        m_queryPane->showBusy(tr("Searching…"));
    });
    connect(&m_session, &CatalogSession::searchFinished, this, [this](const SearchOutcome &outcome) {
        if (outcome.queryId != m_shownQuery) return;
        m_queryPane->clearMessage();
        m_resultsTitle->setText(tr("%n most similar items", nullptr, int(outcome.results.size()))
                                + tr(" · %1 searched in %2 ms")
                                      .arg(QLocale().toString(outcome.catalogItems))
                                      .arg(QLocale().toString(outcome.embedMs + outcome.searchMs, 'f', 0)));
        m_dropToResults->resultsShown(outcome);
        m_results->setResults(outcome.results);
        m_results->setFocus();
    });
    connect(&m_session, &CatalogSession::searchFailed, this, [this](quint64 id, const QString &reason) {
        if (id == m_shownQuery) m_queryPane->showError(reason);
    });
}

void MainWindow::start()
{
    // Start-up order: the cache read is queued before the model load, so the index opens
    // while the window paints its first frame and never waits for the model (not even on a
    // one-thread pool); the model (seconds) loads on a worker meanwhile. Neither blocks the
    // GUI thread, so the window shows first; a photo dropped before the model is ready waits
    // for it inside the search.
    const QString catalog = !m_options.catalog.isEmpty() ? m_options.catalog : QSettings().value(kLastCatalog).toString();
    if (!catalog.isEmpty()) openCatalog(catalog);
    else if (!m_options.queryImage.isEmpty())
        m_queryPane->showError(tr("Choose a catalog folder to search %1 in.").arg(QFileInfo(m_options.queryImage).fileName()));
    m_session.loadModel(m_options.modelPath);
}

void MainWindow::chooseCatalog()
{
    const QString start = m_session.catalogRoot().isEmpty() ? QDir::homePath() : m_session.catalogRoot();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose a Catalog Folder"), start);
    if (!folder.isEmpty()) openCatalog(folder);
}

void MainWindow::openCatalog(const QString &root)
{
    const bool sameAsStarted = QFileInfo(root).absoluteFilePath() == QFileInfo(m_options.catalog).absoluteFilePath();
    m_session.openCatalog(root, sameAsStarted ? m_options.cachePath : QString());
    m_catalogPanel->showCatalog(root, 0);
    m_results->setResults({});
    QSettings().setValue(kLastCatalog, QFileInfo(root).absoluteFilePath());
    setWindowTitle(tr("%1 — Lookbook").arg(QDir(root).dirName()));
}

void MainWindow::runQuery(const QueryInput &query)
{
    // The pane already shows the query's preview.
    m_dropToResults->timeQuery(m_session.search(query, m_k), query.receivedMs);
}

void MainWindow::searchWithItem(const ResultItem &item)
{
    // The result's thumbnail is on screen already: no decoding on the GUI thread.
    m_queryPane->showQuery(m_thumbnails->thumbnail(item.absolutePath), QFileInfo(item.relativePath).fileName());
    m_session.searchCatalogItem(item.relativePath, m_k);
}

void MainWindow::setResultCount(int k)
{
    m_k = k;
    QSettings().setValue(kResultCount, k);
    updateEmptyMessage();
}

void MainWindow::updateStatus()
{
    m_itemsLabel->setText(m_session.catalogRoot().isEmpty()
                              ? tr("No catalog")
                              : tr("%1 items").arg(QLocale().toString(m_session.indexedItems())));
    m_modelLabel->setText(tr("Model: %1").arg(m_session.modelDescription()));
}

void MainWindow::updateEmptyMessage()
{
    if (m_session.catalogRoot().isEmpty())
        m_results->setEmptyMessage(tr("Choose a catalog folder to start\n(File ▸ Open Catalog Folder…, Ctrl+Shift+O)"));
    else if (m_session.indexedItems() == 0)
        m_results->setEmptyMessage(tr("The catalog is being indexed.\nYou can search as soon as the first images are in."));
    else
        m_results->setEmptyMessage(tr("Drop an image on the left to see the %n most similar items", nullptr, m_k));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Lookbook"),
                       tr("<h3>Lookbook %1</h3><p>A visual fashion recommender: drop any picture and see the catalog "
                          "items that look most like it.</p><p>Embeddings by ResNet-50 (ImageNet weights, Keras "
                          "Applications) through OpenCV DNN.</p>")
                           .arg(QStringLiteral(LOOKBOOK_VERSION)));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometry).toByteArray())) {
        const QSize available = screen() ? screen()->availableSize() : kDefaultSize;
        resize(kDefaultSize.boundedTo(available * 0.95));
    }
    restoreState(settings.value(kState).toByteArray());
    m_splitter->restoreState(settings.value(kSplitter).toByteArray());
    m_k = std::clamp(settings.value(kResultCount, kDefaultK).toInt(), 1, 100);
    for (QAction *a : findChildren<QAction *>())
        if (a->isCheckable() && a->data().isValid()) a->setChecked(a->data().toInt() == m_k);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGeometry, saveGeometry());
    settings.setValue(kState, saveState());
    settings.setValue(kSplitter, m_splitter->saveState());
    settings.setValue(kResultCount, m_k);
}

bool MainWindow::event(QEvent *event)
{
    // A frame is painted from this top-level widget down to its children and then flushed to
    // the screen, all while handling the one event that asked for it: a zero timer queued at
    // the first paint runs once that frame is on screen.
    if (event->type() == QEvent::Paint && !m_firstPaintSeen) {
        m_firstPaintSeen = true;
        QTimer::singleShot(0, this, &MainWindow::firstFrameShown);
    }
    return QMainWindow::event(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_session.cancelIndexing(); // the session waits for its batch on destruction; the index is kept
    event->accept();
}

} // namespace lookbook
