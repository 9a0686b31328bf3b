#include "MainWindow.h"

#include "CatalogPanel.h"
#include "ColourChooser.h"
#include "DropToResultsTimer.h"
#include "DuplicatesDialog.h"
#include "FilterBar.h"
#include "QueryPane.h"
#include "QueryReader.h"
#include "ResultsView.h"
#include "StartupTimeline.h"
#include "Thumbnails.h"
#include "TimingLog.h"

#include "ResultExporter.h"

#include <QAbstractButton>
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
#include <QProgressDialog>
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
const QString kUseTaste = QStringLiteral("taste/enabled");
const QString kExportFolder = QStringLiteral("export/lastFolder");
} // namespace

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent), m_options(std::move(options)), m_timing(new TimingLog(this)),
      m_startup(new StartupTimeline(m_timing, this)), m_dropToResults(new DropToResultsTimer(m_timing, this)),
      m_thumbnails(new Thumbnails({240, 320}, this)),
      m_queryPane(new QueryPane(this)), m_results(new ResultsView(m_thumbnails, this)),
      m_catalogPanel(new CatalogPanel(this)), m_resultsTitle(new QLabel(this)), m_filterBar(new FilterBar(this)),
      m_colourChooser(new ColourChooser(this)), m_splitter(new QSplitter(this)),
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
    rightLayout->addWidget(m_filterBar);
    rightLayout->addWidget(m_resultsTitle);
    rightLayout->addWidget(m_results, 1);

    m_queryPane->addQueryTool(m_colourChooser); // under the picture: this, in another colour
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
    updateColourChoice();
    m_resultsTitle->setText(tr("Most similar items"));

    connect(m_queryPane, &QueryPane::queryChosen, this, &MainWindow::runQuery);
    connect(m_results, &ResultsView::openRequested, this, &ResultsView::openInDefaultApp);
    connect(m_results, &ResultsView::revealRequested, this, &ResultsView::revealInFileManager);
    connect(m_results, &ResultsView::searchWithRequested, this, &MainWindow::searchWithItem);
    connect(m_results, &ResultsView::feedbackGiven, this, &MainWindow::giveFeedback);
    connect(m_filterBar, &FilterBar::filterChanged, this, &MainWindow::applyFilter);
    connect(m_colourChooser, &ColourChooser::colourChosen, this, &MainWindow::chooseColour);
    connect(m_queryPane, &QueryPane::regionChosen, this, &MainWindow::setQueryRegion);
    connect(m_catalogPanel, &CatalogPanel::chooseFolderRequested, this, &MainWindow::chooseCatalog);
    connect(m_catalogPanel, &CatalogPanel::cancelRequested, &m_session, &CatalogSession::cancelIndexing);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    buildFileMenu();
    buildViewMenu();
    buildSearchMenu();
    updateHistoryActions();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lookbook"), this, &MainWindow::showAbout);
}

void MainWindow::buildFileMenu()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openImage = file->addAction(tr("&Open Image…"), m_queryPane, &QueryPane::openFileDialog);
    openImage->setShortcut(QKeySequence::Open);
    openImage->setObjectName(QStringLiteral("openImage"));
    QAction *paste = file->addAction(tr("&Paste Image"), m_queryPane, &QueryPane::pasteFromClipboard);
    paste->setShortcut(QKeySequence::Paste);
    paste->setObjectName(QStringLiteral("paste"));
    QAction *addImage = file->addAction(tr("&Add Image to Query…"), this, &MainWindow::addImageWithDialog);
    addImage->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    addImage->setObjectName(QStringLiteral("addImage"));
    file->addSeparator();
    QAction *exportAction = file->addAction(tr("&Export Results…"), this, &MainWindow::exportWithDialog);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setObjectName(QStringLiteral("exportResults"));
    QAction *copyFiles = file->addAction(tr("Copy Result &Files to Folder…"), this, &MainWindow::copyWithDialog);
    copyFiles->setObjectName(QStringLiteral("copyResultFiles"));
    file->addSeparator();
    QAction *openCatalogAction = file->addAction(tr("Open &Catalog Folder…"), this, &MainWindow::chooseCatalog);
    openCatalogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QAction *cancel = file->addAction(tr("&Stop Indexing"), &m_session, &CatalogSession::cancelIndexing);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    cancel->setObjectName(QStringLiteral("cancelIndexing"));
    m_tuneAction = file->addAction(tr("&Tune to This Catalog…"), this, &MainWindow::tuneToCatalog);
    m_tuneAction->setObjectName(QStringLiteral("tuneToCatalog"));
    m_tuneAction->setStatusTip(tr("Fit a projection to this catalog's labels and use it when it finds better matches"));
    m_builtInProjectionAction = file->addAction(tr("Use the &Built-in Projection"), &m_session,
                                                &CatalogSession::useBuiltInProjection);
    m_builtInProjectionAction->setObjectName(QStringLiteral("useBuiltInProjection"));
    updateTuningActions();
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::buildViewMenu()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *count = view->addMenu(tr("Number of &Results"));
    m_resultCountActions = new QActionGroup(this);
    for (int k : kResultCountChoices) {
        QAction *a = count->addAction(tr("%n items", nullptr, k));
        a->setCheckable(true);
        a->setData(k);
        a->setChecked(k == m_queries.resultCount());
        m_resultCountActions->addAction(a);
        connect(a, &QAction::triggered, this, [this, k] { setResultCount(k); });
    }
}

void MainWindow::buildSearchMenu()
{
    QMenu *searchMenu = menuBar()->addMenu(tr("&Search"));
    m_back = searchMenu->addAction(tr("&Back"), this, &MainWindow::goBack);
    m_back->setShortcut(QKeySequence::Back);
    m_back->setObjectName(QStringLiteral("back"));
    m_forward = searchMenu->addAction(tr("&Forward"), this, &MainWindow::goForward);
    m_forward->setShortcut(QKeySequence::Forward);
    m_forward->setObjectName(QStringLiteral("forward"));
    searchMenu->addSeparator();
    QAction *clearLikes = searchMenu->addAction(tr("&Forget Likes and Dislikes of This Query"), this, &MainWindow::clearFeedback);
    clearLikes->setObjectName(QStringLiteral("clearFeedback"));
    QAction *centre = searchMenu->addAction(tr("Search the &Centre of the Picture"), m_queryPane, &QueryPane::chooseCentreRegion);
    centre->setObjectName(QStringLiteral("centreCrop"));
    QAction *whole = searchMenu->addAction(tr("Search the &Whole Picture"), m_queryPane, &QueryPane::clearRegion);
    whole->setObjectName(QStringLiteral("wholePicture"));
    buildColourMenu(searchMenu);
    searchMenu->addSeparator();
    QAction *duplicates = searchMenu->addAction(tr("Find &Near-Duplicates in the Catalog…"), this, &MainWindow::showDuplicates);
    duplicates->setObjectName(QStringLiteral("findDuplicates"));
    buildTasteActions(searchMenu);
}

void MainWindow::buildTasteActions(QMenu *searchMenu)
{
    searchMenu->addSeparator();
    QAction *useTaste = searchMenu->addAction(tr("Use My &Taste Profile"));
    useTaste->setCheckable(true);
    useTaste->setObjectName(QStringLiteral("useTaste"));
    useTaste->setChecked(QSettings().value(kUseTaste, true).toBool());
    m_session.setTasteEnabled(useTaste->isChecked());
    connect(useTaste, &QAction::toggled, this, [this](bool on) {
        m_session.setTasteEnabled(on);
        QSettings().setValue(kUseTaste, on);
        searchAfter(m_queries.refresh());
    });
    QAction *clearTaste = searchMenu->addAction(tr("C&lear My Taste Profile…"));
    clearTaste->setObjectName(QStringLiteral("clearTaste"));
    connect(clearTaste, &QAction::triggered, this, [this] {
        const auto answer = QMessageBox::question(this, tr("Clear Taste Profile"),
                                                  tr("Forget the %n likes your taste profile has learnt?", nullptr, m_session.taste().likes()));
        if (answer == QMessageBox::Yes) m_session.clearTaste();
    });
}

void MainWindow::buildColourMenu(QMenu *searchMenu)
{
    QMenu *colours = searchMenu->addMenu(tr("&Colour"));
    colours->menuAction()->setObjectName(QStringLiteral("colourMenu"));
    colours->setToolTipsVisible(true); // a disabled choice says why
    m_colourActions = new QActionGroup(this);
    m_colourActions->setExclusive(true);
    QStringList choices{QString()};
    choices << ColourChooser::families();
    for (const QString &colour : std::as_const(choices)) {
        QAction *a = colours->addAction(colour.isEmpty() ? tr("&Any Colour") : ColourChooser::titleName(colour));
        a->setCheckable(true);
        a->setData(colour);
        a->setObjectName(QStringLiteral("colour-%1").arg(colour.isEmpty() ? QStringLiteral("any") : colour));
        m_colourActions->addAction(a);
        connect(a, &QAction::triggered, this, [this, colour] { chooseColour(colour); });
        if (colour.isEmpty()) colours->addSeparator();
    }
}

QList<QAction *> MainWindow::colourActions() const
{
    return m_colourActions->actions();
}

QString MainWindow::resultsTitle() const
{
    return m_resultsTitle->text();
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
    connectCatalogSignals();
    connectTuningSignals();
    connectSearchSignals();
}

void MainWindow::connectCatalogSignals()
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
        if (rebuilding) statusBar()->showMessage(tr("The cache will be rebuilt: %1").arg(problem), kRebuildMessageMs);
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
    // A team's shared catalog, updated by another computer: the window says so, and the
    // query shown is searched again in the new catalog (no new step in the history).
    connect(&m_session, &CatalogSession::catalogUpdated, this, [this](int before, int after) {
        const QLocale locale;
        statusBar()->showMessage(tr("The catalog was updated by another program or computer: %1 → %2 items.%3")
                                     .arg(locale.toString(before), locale.toString(after),
                                          m_queries.hasQuery() ? tr(" The results are of the updated catalog.") : QString()),
                                 kRebuildMessageMs);
        m_catalogPanel->showCatalog(m_session.catalogRoot(), after);
        if (m_queries.hasQuery()) sendQuery();
    });
    connect(&m_session, &CatalogSession::catalogUpdateRefused, this,
            [this](const QString &reason) { statusBar()->showMessage(reason, kRebuildMessageMs); });
    connect(&m_session, &CatalogSession::storeChanged, this, [this] {
        updateStatus();
        updateEmptyMessage();
        m_filterBar->setCatalog(m_session.store().get(), m_session.labels().get());
        updateColourChoice(); // a newer store's colours are not known yet
    });
}

void MainWindow::connectTuningSignals()
{
    // "Tune to this catalog": possible once a labelled catalog is indexed, one run at a time.
    connect(&m_session, &CatalogSession::storeChanged, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::projectionChanged, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::tuningStarted, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::indexingStarted, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::indexingFinished, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::indexingFailed, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::catalogOpened, this, &MainWindow::updateTuningActions);
    connect(&m_session, &CatalogSession::tuningProgress, this, [this](int done, int total) {
        if (!m_tuningProgress) return;
        m_tuningProgress->setMaximum(total);
        m_tuningProgress->setValue(done);
    });
    connect(&m_session, &CatalogSession::tuningFinished, this,
            [this](double, double, bool adopted, const QString &summary) {
                if (m_tuningProgress) m_tuningProgress->hide(), m_tuningProgress->deleteLater(); // hidden now, deleted after the signal
                m_tuningProgress = nullptr;
                updateTuningActions();
                auto *box = new QMessageBox(QMessageBox::Information, tr("Tune to This Catalog"),
                                            adopted ? tr("This catalog's own projection finds better matches.")
                                                    : tr("The built-in projection does as well on this catalog."),
                                            QMessageBox::Ok, this);
                box->setInformativeText(summary);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->setObjectName(QStringLiteral("tuningResult"));
                box->open();
                statusBar()->showMessage(summary, 15000);
            });
    connect(&m_session, &CatalogSession::tuningFailed, this, [this](const QString &reason) {
        const bool cancelled = reason == QLatin1String("cancelled");
        if (m_tuningProgress) m_tuningProgress->hide(), m_tuningProgress->deleteLater(); // hidden now, deleted after the signal
        m_tuningProgress = nullptr;
        updateTuningActions();
        if (cancelled) {
            statusBar()->showMessage(tr("Tuning cancelled; nothing was changed."), 10000);
            return;
        }
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Tune to This Catalog"),
                                    tr("The catalog could not be tuned; nothing was changed."), QMessageBox::Ok, this);
        box->setInformativeText(reason);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setObjectName(QStringLiteral("tuningProblem"));
        box->open();
    });
}

void MainWindow::connectSearchSignals()
{
    connect(&m_session, &CatalogSession::coloursChanged, this, [this](bool ready) {
        if (ready) m_coloursProblem.clear();
        updateColourChoice();
        if (ready && m_colourWithheld) searchAfter(m_queries.refresh()); // the colour asked for, now that it can be
    });
    connect(&m_session, &CatalogSession::coloursProblem, this, [this](const QString &reason) {
        m_coloursProblem = reason;
        statusBar()->showMessage(tr("Garment colours: %1").arg(reason), 10000);
        updateColourChoice();
    });
    connect(&m_session, &CatalogSession::tasteProblem, this, [this](const QString &reason) {
        statusBar()->showMessage(tr("Taste profile: %1").arg(reason), 10000);
    });
    connect(&m_session, &CatalogSession::searchStarted, this, [this](quint64 id) {
        m_shownQuery = id;
        m_queryPane->showBusy(tr("Searching…"));
    });
    connect(&m_session, &CatalogSession::searchFinished, this, [this](const SearchOutcome &outcome) {
        if (outcome.queryId != m_shownQuery) return;
        m_queryPane->clearMessage();
        showTitleOf(outcome);
        if (outcome.results.empty() && outcome.allowedItems == 0)
            m_results->setEmptyMessage(tr("No item matches the filter.\nClear a filter to see more."));
        m_outcome = outcome;
        m_dropToResults->resultsShown(outcome);
        m_results->setFeedback(m_queries.current().liked, m_queries.current().disliked);
        m_results->setResults(outcome.results);
        // The arrow keys walk the swatches, choosing as they go: focus stays with them.
        if (!m_colourChooser->isAncestorOf(QApplication::focusWidget())) m_results->setFocus();
    });
    connect(&m_session, &CatalogSession::searchFailed, this, [this](quint64 id, const QString &reason) {
        if (id == m_shownQuery) m_queryPane->showError(reason);
    });
}

void MainWindow::showTitleOf(const SearchOutcome &outcome)
{
    const int count = int(outcome.results.size());
    const QString items = outcome.colour.isEmpty()
                              ? tr("%n most similar items", nullptr, count)
                              : tr("%n most similar items in %1", nullptr, count).arg(ColourChooser::displayName(outcome.colour));
    QString title = items + tr(" · %1 searched in %2 ms")
                                .arg(QLocale().toString(outcome.catalogItems))
                                .arg(QLocale().toString(outcome.embedMs + outcome.searchMs, 'f', 0));
    QStringList refinements;
    const CatalogSession::Query &query = m_queries.current();
    if (!query.liked.isEmpty() || !query.disliked.isEmpty())
        refinements << tr("%n liked", nullptr, int(query.liked.size())) + u' '
                           + tr("%n disliked", nullptr, int(query.disliked.size()));
    if (!outcome.filterDescription.isEmpty())
        refinements << tr("only %1 (%2 items)").arg(outcome.filterDescription, QLocale().toString(outcome.allowedItems));
    if (outcome.tasteApplied) refinements << tr("your taste");
    if (!refinements.isEmpty()) title += tr(" · ") + refinements.join(tr(", "));
    m_resultsTitle->setText(title);
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
    m_coloursProblem.clear();
    updateColourChoice();
    QSettings().setValue(kLastCatalog, QFileInfo(root).absoluteFilePath());
    setWindowTitle(tr("%1 — Lookbook").arg(QDir(root).dirName()));
}

void MainWindow::runQuery(const QueryInput &query)
{
    // The pane already shows the query's preview. A new picture is a new look: it starts
    // again with any colour (the swatches' tooltips say so).
    const QueryHistory::Change change = m_queries.startWith(query, m_filterBar->filter());
    updateColourChoice();
    searchAfter(change);
    m_dropToResults->timeQuery(m_shownQuery, query.receivedMs);
}

void MainWindow::searchWithItem(const ResultItem &item)
{
    // The result's thumbnail is on screen already: no decoding on the GUI thread.
    m_queryPane->showQuery(m_thumbnails->thumbnail(item.absolutePath), QFileInfo(item.relativePath).fileName(),
                           QueryReader::pictureSizeOf(item.absolutePath));
    // "More like this" keeps the colour asked for: the stylist is still after that colour.
    const QueryHistory::Change change = m_queries.startWith(m_session.catalogPicture(item.relativePath),
                                                            m_filterBar->filter(), m_queries.current().colour);
    updateColourChoice();
    searchAfter(change);
}

void MainWindow::addToQuery(const QueryInput &picture)
{
    if (!m_queries.hasQuery()) return runQuery(picture);
    const QueryHistory::Change change = m_queries.addPicture(picture);
    m_queryPane->setCaption(tr("%n pictures combined", nullptr, int(m_queries.current().pictures.size())));
    searchAfter(change);
}

void MainWindow::giveFeedback(const ResultItem &item, bool liked)
{
    const QueryHistory::Change change = m_queries.giveFeedback(item.relativePath, liked);
    if (change == QueryHistory::Change::None) return; // no query, or judged so already
    m_session.recordFeedback(item.relativePath, liked);
    searchAfter(change);
}

void MainWindow::clearFeedback()
{
    searchAfter(m_queries.clearFeedback());
}

void MainWindow::applyFilter(const ResultFilter &filter)
{
    searchAfter(m_queries.setFilter(filter));
}

void MainWindow::chooseColour(const QString &colour)
{
    const QueryHistory::Change change = m_queries.setColour(colour);
    updateColourChoice();
    searchAfter(change);
}

void MainWindow::updateColourChoice()
{
    QString reason;
    if (!m_coloursProblem.isEmpty())
        reason = tr("Colours cannot be chosen: %1").arg(m_coloursProblem);
    else if (m_session.catalogRoot().isEmpty())
        reason = tr("Open a catalog to choose the colour of the results.");
    else if (!m_session.coloursReady())
        reason = m_session.isIndexing() || m_session.indexedItems() == 0
                     ? tr("Colours can be chosen when the catalog is indexed.")
                     : tr("Reading the colours of the catalog’s garments…");
    else if (!m_queries.hasQuery())
        reason = tr("Search with a picture first, then choose a colour to see the look in it.");
    m_colourChooser->setAvailability(m_session.colourChoices(), reason);
    m_colourChooser->setColour(m_queries.current().colour);
    // The menu offers what the swatches offer.
    for (QAction *a : m_colourActions->actions()) {
        const QAbstractButton *swatch = m_colourChooser->swatch(a->data().toString());
        a->setChecked(a->data().toString() == m_queries.current().colour);
        a->setEnabled(swatch && swatch->isEnabled());
        a->setToolTip(swatch ? swatch->toolTip() : QString());
    }
}

void MainWindow::sendQuery()
{
    CatalogSession::Query query = m_queries.current();
    m_colourWithheld = !query.colour.isEmpty() && !m_session.coloursReady();
    if (m_colourWithheld) query.colour.clear();
    m_session.search(query);
}

void MainWindow::setQueryRegion(const QRect &region)
{
    searchAfter(m_queries.setRegion(region));
}

void MainWindow::searchAfter(QueryHistory::Change change)
{
    if (change == QueryHistory::Change::None) return;
    updateHistoryActions();
    sendQuery();
}

void MainWindow::goBack()
{
    if (m_queries.goBack()) showCurrentQuery();
}

void MainWindow::goForward()
{
    if (m_queries.goForward()) showCurrentQuery();
}

void MainWindow::showCurrentQuery()
{
    const CatalogSession::Query &query = m_queries.current();
    const QueryInput &first = query.pictures.front();
    const QString caption =
        query.pictures.size() > 1 ? tr("%n pictures combined", nullptr, int(query.pictures.size())) : first.displayName;
    if (first.bytes.isEmpty()) { // a catalog item: its thumbnail is at hand
        m_queryPane->showQuery(m_thumbnails->thumbnail(first.localPath), caption, QueryReader::pictureSizeOf(first.localPath));
    } else { // its bytes, decoded once and bounded like the pane's own previews
        const PreparedQuery shown = QueryReader::prepareBytes(first);
        m_queryPane->showQuery(shown.preview, caption, shown.pictureSize);
    }
    m_queryPane->showRegion(first.region);
    updateColourChoice();
    updateHistoryActions();
    sendQuery();
}

void MainWindow::updateTuningActions()
{
    if (!m_tuneAction) return;
    const bool labelled = m_session.labels() && m_session.indexedItems() > 0;
    m_tuneAction->setEnabled(labelled && !m_session.isIndexing() && !m_session.isTuning());
    m_tuneAction->setToolTip(labelled ? QString()
                                      : tr("Needs an indexed catalog with labels (a styles.csv in its folder)"));
    m_builtInProjectionAction->setEnabled(m_session.usesOwnProjection() && !m_session.isTuning());
}

void MainWindow::tuneToCatalog()
{
    if (m_session.isTuning()) return;
    m_session.tuneToCatalog();
    if (!m_session.isTuning()) return; // refused: tuningFailed said why
    // Window-modal, shown rather than exec'd: the event loop goes on, the window repaints,
    // and Cancel stops the run before its next step.
    m_tuningProgress = new QProgressDialog(tr("Measuring both projections on this catalog's held-out folds…"),
                                           tr("Cancel"), 0, 0, this);
    m_tuningProgress->setObjectName(QStringLiteral("tuningProgress"));
    m_tuningProgress->setWindowTitle(tr("Tune to This Catalog"));
    m_tuningProgress->setWindowModality(Qt::WindowModal);
    m_tuningProgress->setAutoClose(false);
    m_tuningProgress->setAutoReset(false);
    m_tuningProgress->setMinimumDuration(0);
    connect(m_tuningProgress, &QProgressDialog::canceled, &m_session, &CatalogSession::cancelTuning);
    m_tuningProgress->show();
    updateTuningActions();
}

void MainWindow::showDuplicates()
{
    if (!m_session.store() || m_session.store()->size() == 0) {
        statusBar()->showMessage(tr("Index a catalog first: near-duplicates are found among its items."), 10000);
        return;
    }
    auto *dialog = new DuplicatesDialog(m_session.store(), m_session.labels(), m_session.catalogRoot(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DuplicatesDialog::searchWithRequested, this, [this](const QString &relativePath) {
        ResultItem item;
        item.relativePath = relativePath;
        item.absolutePath = QDir(m_session.catalogRoot()).filePath(relativePath);
        searchWithItem(item);
    });
    dialog->show();
}

void MainWindow::updateHistoryActions()
{
    if (m_back) m_back->setEnabled(canGoBack());
    if (m_forward) m_forward->setEnabled(canGoForward());
}

bool MainWindow::exportResults(const QString &path)
{
    const Status written = ResultExporter::exportTo(m_outcome, path);
    if (!written) QMessageBox::warning(this, tr("Export Results"), written.error());
    else statusBar()->showMessage(tr("Exported %n results to %1", nullptr, int(m_outcome.results.size())).arg(QDir::toNativeSeparators(path)), 10000);
    return bool(written);
}

bool MainWindow::copyResultFiles(const QString &folder)
{
    const CopyReport report = ResultExporter::copyFiles(m_outcome, folder);
    QStringList failures;
    for (const FailedCopy &f : report.failed) failures << QStringLiteral("%1: %2").arg(QFileInfo(f.source).fileName(), f.reason);
    if (!failures.isEmpty())
        QMessageBox::warning(this, tr("Copy Result Files"), tr("Some files were not copied:\n%1").arg(failures.join(u'\n')));
    statusBar()->showMessage(tr("Copied %1 of %2 files to %3").arg(report.copied.size()).arg(m_outcome.results.size())
                                 .arg(QDir::toNativeSeparators(report.folder)), 10000);
    return failures.isEmpty();
}

void MainWindow::exportWithDialog()
{
    if (m_outcome.results.empty()) return;
    const QString folder = QSettings().value(kExportFolder, QDir::homePath()).toString();
    const QString suggested = QDir(folder).filePath(QFileInfo(m_outcome.queryName).completeBaseName() + QStringLiteral("-results.png"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Results"), suggested,
                                                      tr("Contact sheet (*.png);;Spreadsheet (*.csv);;JSON (*.json)"));
    if (path.isEmpty()) return;
    QSettings().setValue(kExportFolder, QFileInfo(path).absolutePath());
    exportResults(path);
}

void MainWindow::copyWithDialog()
{
    if (m_outcome.results.empty()) return;
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Copy Result Files to Folder"),
                                                             QSettings().value(kExportFolder, QDir::homePath()).toString());
    if (folder.isEmpty()) return;
    QSettings().setValue(kExportFolder, folder);
    copyResultFiles(folder);
}

void MainWindow::addImageWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Add Image to Query"), QSettings().value(QStringLiteral("query/lastFolder")).toString(),
                                                      tr("Images (*.jpg *.jpeg *.png *.webp *.bmp *.tif *.tiff)"));
    if (path.isEmpty()) return;
    QueryInput picture;
    picture.localPath = QFileInfo(path).absoluteFilePath();
    picture.displayName = QFileInfo(path).fileName();
    addToQuery(picture);
}

void MainWindow::setResultCount(int k)
{
    m_queries.setResultCount(k);
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
        m_results->setEmptyMessage(tr("Drop an image on the left to see the %n most similar items", nullptr, m_queries.resultCount()));
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
    m_queries.setResultCount(std::clamp(settings.value(kResultCount, kDefaultK).toInt(), 1, 100));
    for (QAction *a : m_resultCountActions->actions()) a->setChecked(a->data().toInt() == m_queries.resultCount());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGeometry, saveGeometry());
    settings.setValue(kState, saveState());
    settings.setValue(kSplitter, m_splitter->saveState());
    settings.setValue(kResultCount, m_queries.resultCount());
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
