// The desktop window driven as a user drives it, on the offscreen platform, with the real
// model and real images: drops, paste, refusals, "search with this", colours, cancel, settings.
#include "CacheFiles.h"
#include "CatalogPanel.h"
#include "ColourChooser.h"
#include "ColourModel.h"
#include "DuplicatesDialog.h"
#include "FilterBar.h"
#include "MainWindow.h"
#include "QueryRegion.h"
#include "QueryPane.h"
#include "ResultsModel.h"
#include "ResultsView.h"
#include "SearchSpace.h"
#include "StyleLabels.h"
#include "TestSupport.h"
#include "TimingLog.h"

#include <QAbstractButton>
#include <QDoubleSpinBox>
#include <QAction>
#include <QClipboard>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace lookbook;

namespace {

constexpr int kSearchTimeoutMs = 60'000;
constexpr int kIndexTimeoutMs = 180'000;

// Sends the drag-enter / drop pair a real drag ends with.
bool drop(QWidget *target, QMimeData *mime)
{
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) return false;
    QDropEvent dropEvent(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &dropEvent);
    return true;
}

const QString kWindowShown = QStringLiteral("window-shown");
const QString kIndexOpen = QStringLiteral("index-open");
const QString kModelLoaded = QStringLiteral("model-loaded");
const QString kWindowUsable = QStringLiteral("window-usable");
const QString kDropToResults = QStringLiteral("drop-to-results");

// Whether every result on show has its photo painted, not a placeholder.
bool photosPainted(const ResultsView *view)
{
    if (view->resultCount() == 0) return false;
    for (int row = 0; row < view->resultCount(); ++row)
        if (view->model()->index(row, 0).data(ResultsModel::ThumbnailStateRole).toInt() !=
            int(ResultsModel::ThumbnailState::Ready))
            return false;
    return true;
}

// The timing events of a window in the order they came; for drop-to-results, also what the
// results view showed at that moment.
class EventRecorder {
public:
    explicit EventRecorder(MainWindow *window)
    {
        QObject::connect(window->timingLog(), &TimingLog::recorded, window,
                         [this, window](const QString &event, double, const QString &details) {
                             events << event;
                             if (event != kDropToResults) return;
                             dropDetails << details;
                             photosWhenReported << photosPainted(window->resultsView());
                         });
    }
    bool before(const QString &first, const QString &second) const
    {
        return events.contains(first) && events.contains(second) && events.indexOf(first) < events.indexOf(second);
    }
    QStringList events;
    QStringList dropDetails;
    QList<bool> photosWhenReported;
};

QStringList resultPaths(const ResultsView *view)
{
    QStringList paths;
    for (int i = 0; i < view->resultCount(); ++i) paths << view->resultAt(i)->absolutePath;
    return paths;
}

// The colour catalog: every tie of the demo catalog (7 of its 30 are red, Red or Maroon)
// and every flip-flop, so that a navy tie can be asked for in red.
const QStringList kColourTypes = {QStringLiteral("Ties"), QStringLiteral("Flip Flops")};
const QString kColourQuery = QStringLiteral("18773.jpg"); // a Navy Blue tie
const QString kColourWanted = QStringLiteral("red");

// The tuning catalog: every messenger bag, laptop bag, duffel bag and mobile pouch of the demo catalog.
constexpr int kTuneItems = 120;

// The file names of the demo catalog's items of these articleTypes, by styles.csv.
QStringList catalogImagesOfTypes(const QStringList &articleTypes)
{
    QFile file(test::sharedCatalogDir() + QStringLiteral("/styles.csv"));
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QList<QStringList> records = parseCsv(file.readAll());
    const qsizetype id = records.value(0).indexOf(QStringLiteral("id"));
    const qsizetype type = records.value(0).indexOf(QStringLiteral("articleType"));
    QStringList names;
    for (const QStringList &record : records.mid(1))
        if (articleTypes.contains(record.value(type))) names << record.value(id) + QStringLiteral(".jpg");
    return names;
}

// The colour the Search ▸ Colour menu has checked ("" for any colour), or "none".
QString checkedColourAction(const MainWindow &window)
{
    for (QAction *action : window.colourActions())
        if (action->isChecked()) return action->data().toString();
    return QStringLiteral("none");
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString catalog() const { return m_dir.filePath(QStringLiteral("catalog")); }
    QString colourCatalog() const { return m_dir.filePath(QStringLiteral("colour-catalog")); }

    std::unique_ptr<MainWindow> openWindow(const QString &catalogPath)
    {
        MainWindow::Options options;
        options.catalog = catalogPath;
        auto window = std::make_unique<MainWindow>(options);
        window->show();
        window->start();
        return window;
    }

    // A window with the small catalog fully indexed.
    std::unique_ptr<MainWindow> readyWindow()
    {
        auto window = openWindow(catalog());
        QSignalSpy finished(&window->session(), &CatalogSession::indexingFinished);
        if (!finished.wait(kIndexTimeoutMs)) qFatal("indexing did not finish");
        return window;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
        QCoreApplication::setOrganizationName(QStringLiteral("LookbookTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QVERIFY(test::copyCatalogImages(test::firstCatalogImages(24), catalog()));
        // Labels for the filters; the taste profile goes to the test-mode app-data folder.
        QVERIFY(QFile::copy(test::sharedCatalogDir() + QStringLiteral("/styles.csv"), catalog() + QStringLiteral("/styles.csv")));
        const QStringList colourItems = catalogImagesOfTypes(kColourTypes);
        QCOMPARE(colourItems.size(), 61);
        QVERIFY(colourItems.contains(kColourQuery));
        QVERIFY(test::copyCatalogImages(colourItems, colourCatalog()));
        QVERIFY(QFile::copy(test::sharedCatalogDir() + QStringLiteral("/styles.csv"), colourCatalog() + QStringLiteral("/styles.csv")));
    }

    void emptyWindowSaysWhatToDo()
    {
        QSettings().remove(QStringLiteral("catalog/last"));
        MainWindow window;
        window.show();
        QVERIFY(window.catalogPanel()->statusText().contains(QStringLiteral("Choose a folder")));
    }

    void missingModelIsExplainedInADialog()
    {
        MainWindow::Options options;
        options.modelPath = m_dir.filePath(QStringLiteral("nowhere/resnet50_keras_imagenet.onnx"));
        MainWindow window(options);
        window.show();
        window.start();
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QMessageBox *>(QStringLiteral("modelMissingDialog")), 10'000);
        const auto *box = window.findChild<QMessageBox *>(QStringLiteral("modelMissingDialog"));
        QVERIFY2(box->informativeText().contains(options.modelPath), qPrintable(box->informativeText()));
        QVERIFY(!window.session().modelReady());
    }

    void droppedFileGivesFiveResults()
    {
        auto window = readyWindow();
        QCOMPARE(window->session().indexedItems(), 24);
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("shoes")))});
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        for (const QString &path : resultPaths(window->resultsView())) QVERIFY(path.startsWith(catalog()));
        delete mime;
    }

    void startUpShowsTheWindowThenLoadsTheModel()
    {
        MainWindow::Options options;
        options.catalog = catalog();
        MainWindow window(options);
        EventRecorder recorder(&window);
        window.show();
        window.start();
        QTRY_VERIFY_WITH_TIMEOUT(recorder.events.contains(kModelLoaded) && recorder.events.contains(kWindowUsable),
                                 kSearchTimeoutMs);
        const QStringList &events = recorder.events;
        for (const QString &event : {kWindowShown, kIndexOpen, kModelLoaded, kWindowUsable})
            QVERIFY2(events.count(event) == 1, qPrintable(events.join(u' ')));
        QVERIFY2(recorder.before(kWindowShown, kModelLoaded), qPrintable(events.join(u' ')));
        QVERIFY2(recorder.before(kWindowShown, kWindowUsable), qPrintable(events.join(u' ')));
        QVERIFY2(recorder.before(kIndexOpen, kWindowUsable), qPrintable(events.join(u' ')));
    }

    void indexOpensWithoutTheModel()
    {
        MainWindow::Options options;
        options.catalog = catalog();
        options.modelPath = m_dir.filePath(QStringLiteral("nowhere/resnet50_keras_imagenet.onnx"));
        MainWindow window(options);
        EventRecorder recorder(&window);
        window.show();
        window.start();
        QTRY_VERIFY_WITH_TIMEOUT(recorder.events.contains(kWindowUsable), kSearchTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QMessageBox *>(QStringLiteral("modelMissingDialog")), kSearchTimeoutMs);
        for (const QString &event : {kWindowShown, kIndexOpen, kWindowUsable})
            QVERIFY2(recorder.events.count(event) == 1, qPrintable(recorder.events.join(u' ')));
        QVERIFY(!recorder.events.contains(kModelLoaded));
    }

    void dropToResultsIsReportedOncePerQueryAfterThePhotosArePainted()
    {
        auto window = readyWindow();
        EventRecorder recorder(window.get());
        QSignalSpy painted(window->resultsView(), &ResultsView::resultsPainted);
        const QStringList queries = {QStringLiteral("shoes"), QStringLiteral("dress")};
        for (int i = 0; i < queries.size(); ++i) {
            auto mime = std::make_unique<QMimeData>();
            mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(queries[i]))});
            QVERIFY(drop(window->queryPane(), mime.get()));
            QTRY_COMPARE_WITH_TIMEOUT(recorder.events.count(kDropToResults), i + 1, kSearchTimeoutMs);
        }
        window->resultsView()->viewport()->repaint(); // painting the same results again reports nothing
        QCoreApplication::processEvents();
        QCOMPARE(recorder.events, QStringList({kDropToResults, kDropToResults}));
        QCOMPARE(painted.count(), 2); // each report came from the paint that completed its results
        QCOMPARE(recorder.photosWhenReported, QList<bool>({true, true}));
        for (const QString &details : std::as_const(recorder.dropDetails))
            for (const QString &part : {QStringLiteral("embed="), QStringLiteral("search="), QStringLiteral("thumbnails=")})
                QVERIFY2(details.contains(part), qPrintable(details));
    }

    void aQueryReplacedBeforeItsResultsIsNotReported()
    {
        auto window = readyWindow();
        EventRecorder recorder(window.get());
        auto first = std::make_unique<QMimeData>();
        first->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("hat")))});
        auto second = std::make_unique<QMimeData>();
        second->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("pants")))});
        QVERIFY(drop(window->queryPane(), first.get()));
        QVERIFY(drop(window->queryPane(), second.get())); // before the first can finish
        QTRY_COMPARE_WITH_TIMEOUT(recorder.events.count(kDropToResults), 1, kSearchTimeoutMs);
        QCOMPARE(recorder.events, QStringList({kDropToResults}));
        QCOMPARE(recorder.photosWhenReported, QList<bool>({true}));
    }

    void imageNamedOnTheCommandLineIsSearched()
    {
        MainWindow::Options options;
        options.catalog = catalog();
        options.queryImage = test::firstStreetPhoto(QStringLiteral("skirt"));
        MainWindow window(options);
        window.show();
        window.start();
        QTRY_COMPARE_WITH_TIMEOUT(window.resultsView()->resultCount(), 5, kIndexTimeoutMs);
    }

    void droppedImageDataGivesFiveResults()
    {
        auto window = readyWindow();
        auto *mime = new QMimeData;
        mime->setImageData(QImage(test::firstStreetPhoto(QStringLiteral("dress"))));
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        delete mime;
    }

    void pasteSearches()
    {
        auto window = readyWindow();
        QSignalSpy finished(&window->session(), &CatalogSession::searchFinished);
        QGuiApplication::clipboard()->setImage(QImage(test::firstStreetPhoto(QStringLiteral("hat"))));
        QAction *paste = window->findChild<QAction *>(QStringLiteral("paste"));
        QVERIFY(paste);
        QCOMPARE(paste->shortcut(), QKeySequence(QKeySequence::Paste));
        paste->trigger();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(window->resultsView()->resultCount(), 5);
    }

    void nonImageDropIsRefusedAndChangesNothing()
    {
        auto window = readyWindow();
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("shirt")))});
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        const QStringList before = resultPaths(window->resultsView());

        const QString notes = m_dir.filePath(QStringLiteral("notes.txt"));
        QFile file(notes);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a picture");
        file.close();
        QSignalSpy started(&window->session(), &CatalogSession::searchStarted);
        auto *textDrop = new QMimeData;
        textDrop->setUrls({QUrl::fromLocalFile(notes)});
        drop(window->queryPane(), textDrop);
        QCoreApplication::processEvents();
        QVERIFY2(window->queryPane()->currentMessage().contains(QStringLiteral("not an image")),
                 qPrintable(window->queryPane()->currentMessage()));
        QCOMPARE(started.count(), 0);
        QCOMPARE(resultPaths(window->resultsView()), before);
        delete mime;
        delete textDrop;
    }

    void searchWithThisRequeriesFromTheResult()
    {
        auto window = readyWindow();
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("t-shirt")))});
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        const ResultItem first = *window->resultsView()->resultAt(0);

        QSignalSpy finished(&window->session(), &CatalogSession::searchFinished);
        std::unique_ptr<QMenu> menu(window->resultsView()->contextMenuFor(0));
        QAction *searchWith = menu->findChild<QAction *>(QStringLiteral("searchWith"));
        QVERIFY(searchWith);
        searchWith->trigger();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        const auto outcome = finished.last().first().value<SearchOutcome>();
        QVERIFY(outcome.queryInCatalog);
        QCOMPARE(window->resultsView()->resultCount(), 5);
        for (const QString &path : resultPaths(window->resultsView())) QVERIFY(path != first.absolutePath);
        delete mime;
    }

    // Filters narrow the results to allowed items; likes refine the query and teach the taste
    // profile; Back and Forward walk the queries; a region searches part of the picture.
    void filtersLikesRegionsAndHistory()
    {
        auto window = readyWindow();
        window->session().clearTaste();
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("t-shirt")))});
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        QVERIFY(!window->canGoBack());
        // (The results are not compared across searches: the first ones may come from the
        // quick space while the full one is built at idle priority.)
        QSignalSpy finished(&window->session(), &CatalogSession::searchFinished);

        checkFilterNarrowsTheResults(*window, finished);
        if (QTest::currentTestFailed()) return;
        checkLikeRefinesAndHistoryWalks(*window, finished);
        if (QTest::currentTestFailed()) return;
        checkRegionsAndMoodBoard(*window, finished);
        if (QTest::currentTestFailed()) return;

        window->session().clearTaste();
        QCOMPARE(window->session().taste().likes(), 0);
        delete mime;
    }

    // Before the catalog's garment colours are known, no colour can be chosen; the window
    // says why. Every colour the session offers has a swatch.
    void colourSwatchesWaitForTheCatalogsColours()
    {
        MainWindow::Options options;
        options.catalog = colourCatalog();
        MainWindow window(options);
        QSignalSpy coloursChanged(&window.session(), &CatalogSession::coloursChanged);
        window.show();
        window.start();
        ColourChooser *chooser = window.colourChooser();
        QVERIFY(!window.session().coloursReady());
        QStringList everyChoice{QString()};
        everyChoice << ColourChooser::families();
        for (const QString &colour : everyChoice) {
            QVERIFY2(chooser->swatch(colour) && !chooser->swatch(colour)->isEnabled(), qPrintable(colour));
            QVERIFY(chooser->swatch(colour)->toolTip() == chooser->unavailableReason());
        }
        for (QAction *action : window.colourActions()) QVERIFY(!action->isEnabled());
        QVERIFY(!chooser->unavailableReason().isEmpty());

        QTRY_VERIFY_WITH_TIMEOUT(window.session().coloursReady(), kIndexTimeoutMs);
        QVERIFY(coloursChanged.count() >= 2);
        QCOMPARE(coloursChanged.last().first().toBool(), true);
        QCOMPARE(window.session().colourChoices().size(), 11);
        for (const QString &colour : window.session().colourChoices()) QVERIFY2(chooser->swatch(colour), qPrintable(colour));
        // With nothing on show there is nothing to see in another colour yet.
        QVERIFY(!chooser->swatch(kColourWanted)->isEnabled());
        QVERIFY2(chooser->unavailableReason().contains(QStringLiteral("picture")), qPrintable(chooser->unavailableReason()));

        window.queryPane()->openFile(QDir(colourCatalog()).filePath(kColourQuery));
        QTRY_VERIFY_WITH_TIMEOUT(chooser->swatch(kColourWanted)->isEnabled(), kSearchTimeoutMs); // the file is read off the GUI thread
        QVERIFY(chooser->unavailableReason().isEmpty());
        QVERIFY(chooser->swatch(kColourWanted)->toolTip().contains(QStringLiteral("Search with This")));
        for (QAction *action : window.colourActions()) QVERIFY(action->isEnabled());
        // The next test opens the catalog as indexed here: wait for the index to be saved.
        QTRY_VERIFY_WITH_TIMEOUT(!window.session().isIndexing() && QFileInfo::exists(window.session().cachePath()), kIndexTimeoutMs);
    }

    // "This, in another colour": a swatch asks for the results in a colour family, the menu
    // follows, Back returns to the colour before; "Search with This" keeps the colour, a new
    // picture starts again with any colour.
    void colourSwatchesShowTheLookInAnotherColour()
    {
        const auto families = ColourModel::loadFamilies(test::sharedDir() + QStringLiteral("/data/colour-families.csv"));
        QVERIFY2(families, qPrintable(families.error()));
        auto window = openWindow(colourCatalog()); // indexed by the test before
        window->session().setTasteEnabled(false);  // the taste profile would re-order results
        QTRY_VERIFY_WITH_TIMEOUT(window->session().coloursReady(), kIndexTimeoutMs);
        QSignalSpy finished(&window->session(), &CatalogSession::searchFinished);
        window->queryPane()->openFile(QDir(colourCatalog()).filePath(kColourQuery));
        QVERIFY(finished.wait(kSearchTimeoutMs));
        ResultsView *view = window->resultsView();
        QCOMPARE(view->resultCount(), 5);
        const QStringList anyColour = resultPaths(view);
        ColourChooser *chooser = window->colourChooser();
        QVERIFY(chooser->swatch(QString())->isChecked());
        QCOMPARE(checkedColourAction(*window), QString());

        checkRedSwatchAndBack(*window, finished, *families, anyColour);
        if (QTest::currentTestFailed()) return;
        checkMenuAndKeyboardChooseColours(*window, finished);
        if (QTest::currentTestFailed()) return;

        // "Search with This" keeps the colour; a new picture starts again with any colour.
        window->searchWithItem(*view->resultAt(0));
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(finished.last().first().value<SearchOutcome>().colour, kColourWanted);
        QCOMPARE(checkedColourAction(*window), kColourWanted);
        window->queryPane()->openFile(test::firstStreetPhoto(QStringLiteral("shoes")));
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QVERIFY(finished.last().first().value<SearchOutcome>().colour.isEmpty());
        QVERIFY(chooser->swatch(QString())->isChecked());
        QCOMPARE(checkedColourAction(*window), QString());

        // Reopened, the catalog's colours are read again: meanwhile nothing can be chosen,
        // though a query is on show.
        window->openCatalog(colourCatalog());
        QVERIFY(!window->currentQuery().pictures.empty());
        QVERIFY(!chooser->swatch(kColourWanted)->isEnabled());
        QVERIFY(!window->findChild<QAction *>(QStringLiteral("colour-red"))->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(chooser->swatch(kColourWanted)->isEnabled(), kSearchTimeoutMs);
        QVERIFY(window->session().coloursReady());
    }

    void resultsAreExportedAndCopied()
    {
        auto window = readyWindow();
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("dress")))});
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        QTemporaryDir out;
        for (const char *name : {"picks.csv", "picks.json", "picks.png"})
            QVERIFY(window->exportResults(out.filePath(QString::fromLatin1(name))));
        QFile csv(out.filePath(QStringLiteral("picks.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(parseCsv(csv.readAll()).size(), 6); // header and 5 results
        QVERIFY(!QImage(out.filePath(QStringLiteral("picks.png"))).isNull());
        QVERIFY(window->copyResultFiles(out.filePath(QStringLiteral("copies"))));
        QCOMPARE(QDir(out.filePath(QStringLiteral("copies"))).entryList(QDir::Files).size(), 5);
        delete mime;
    }

    // A photo copied under another name is found with its original; double-clicking one
    // searches with it.
    void nearDuplicatesAreListedAndSearchable()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("dups"));
        const QStringList names = test::firstCatalogImages(8);
        QVERIFY(test::copyCatalogImages(names, root));
        QVERIFY(QFile::copy(root + u'/' + names[2], root + QStringLiteral("/copy of ") + names[2]));
        auto window = openWindow(root);
        QSignalSpy finished(&window->session(), &CatalogSession::indexingFinished);
        QVERIFY(finished.wait(kIndexTimeoutMs));
        QAction *find = window->findChild<QAction *>(QStringLiteral("findDuplicates"));
        QVERIFY(find);
        find->trigger();
        auto *dialog = window->findChild<DuplicatesDialog *>(QStringLiteral("duplicatesDialog"));
        QVERIFY(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isFinished(), kSearchTimeoutMs);
        QCOMPARE(dialog->groupCount(), 1);
        QStringList expected{QStringLiteral("copy of ") + names[2], names[2]};
        QStringList found = dialog->groupPaths(0);
        found.sort();
        expected.sort();
        QCOMPARE(found, expected);

        // A higher threshold re-makes the groups at once from what was found; a lower one
        // compares again, and finds at least the same groups.
        QCOMPARE(dialog->threshold(), 0.95);
        dialog->setThreshold(0.99);
        QVERIFY(dialog->isFinished());
        QCOMPARE(dialog->groupCount(), 1);
        // Typed in the box and confirmed with Return, as a user does: the dialog's buttons
        // must not take the Return too (Stop would stop the new comparison).
        auto *box = dialog->findChild<QDoubleSpinBox *>();
        QVERIFY(box);
        box->setFocus();
        box->selectAll();
        QTest::keyClicks(box, QLocale().toString(0.8, 'f', 2));
        QTest::keyClick(box, Qt::Key_Return);
        QCOMPARE(dialog->threshold(), 0.8);
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->isFinished());
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isFinished(), kSearchTimeoutMs);
        QVERIFY(dialog->groupCount() >= 1);
        bool copyGrouped = false;
        for (int g = 0; g < dialog->groupCount(); ++g)
            copyGrouped = copyGrouped || (dialog->groupPaths(g).contains(names[2]) && dialog->groupPaths(g).contains(QStringLiteral("copy of ") + names[2]));
        QVERIFY(copyGrouped);
        dialog->setThreshold(0.95);
        QCOMPARE(dialog->groupCount(), 1);

        QSignalSpy searched(&window->session(), &CatalogSession::searchFinished);
        emit dialog->searchWithRequested(names[2]);
        QVERIFY(searched.wait(kSearchTimeoutMs));
        QVERIFY(searched.last().first().value<SearchOutcome>().queryInCatalog);
    }

    void cancelStopsIndexingAndLeavesAUsableIndex()
    {
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big"));
        QVERIFY(test::copyCatalogImages(test::firstCatalogImages(64), big));
        auto window = openWindow(big);
        QSignalSpy progress(&window->session(), &CatalogSession::indexingProgress);
        QSignalSpy finished(&window->session(), &CatalogSession::indexingFinished);
        QVERIFY(progress.wait(kIndexTimeoutMs));
        QVERIFY(window->catalogPanel()->cancelVisible());
        window->findChild<QAction *>(QStringLiteral("cancelIndexing"))->trigger();
        QVERIFY(finished.wait(kIndexTimeoutMs));
        const auto report = finished.last().first().value<IndexReport>();
        QVERIFY(report.cancelled);
        QTRY_VERIFY(window->session().indexedItems() > 0);
        QVERIFY(window->session().indexedItems() < 64);
        QVERIFY(!window->catalogPanel()->cancelVisible());

        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(test::firstStreetPhoto(QStringLiteral("pants")))});
        QVERIFY(drop(window->queryPane(), mime));
        QTRY_COMPARE_WITH_TIMEOUT(window->resultsView()->resultCount(), 5, kSearchTimeoutMs);
        delete mime;
    }

    void settingsSurviveARestart()
    {
        {
            auto window = readyWindow();
            window->setResultCount(10);
            window->resize(900, 640);
            window->close();
        }
        MainWindow restored; // no catalog given: the last one is reopened
        restored.show();
        restored.start();
        QCOMPARE(restored.resultCount(), 10);
        QCOMPARE(restored.size(), QSize(900, 640));
        QTRY_COMPARE_WITH_TIMEOUT(restored.session().catalogRoot(), QFileInfo(catalog()).absoluteFilePath(), 5000);
        restored.setResultCount(5);
    }

    // File ▸ Tune to This Catalog…: a labelled catalog of four look-alike kinds of bag is
    // tuned in the background; Cancel stops the run with nothing changed; a finished run
    // reports both held-out figures, and the catalog's own projection, which must win, is
    // saved beside the cache, used, and loaded again on reopening (a damaged file is ignored).
    // The bags come from the evaluation subset: a catalog of the built-in projection's own
    // training files has its articleType figure measured with the built-in fit redone on the
    // training folds, which is the very fit its own projection is, so it could never win.
    // The training set holds few such bags (6 to 18 of each kind), and the catalog's own
    // projection wins by a wide margin (P@5 0.562 → 0.650) that the last bits of the rows
    // cannot flip; garments the built-in projection knows well (Tshirts, Tops, Shirts,
    // Casual Shoes: 0.868 → 0.865) would leave adoption untested.
    void tuningToTheCatalogMeasuresAndAdoptsItsOwnProjection()
    {
        const QString tuneCatalog = m_dir.filePath(QStringLiteral("tune-catalog"));
        const QStringList items = catalogImagesOfTypes({QStringLiteral("Messenger Bag"), QStringLiteral("Laptop Bag"),
                                                        QStringLiteral("Duffel Bag"), QStringLiteral("Mobile Pouch")});
        QCOMPARE(items.size(), kTuneItems);
        QVERIFY(test::copyCatalogImages(items, tuneCatalog));
        QVERIFY(QFile::copy(test::sharedCatalogDir() + QStringLiteral("/styles.csv"), tuneCatalog + QStringLiteral("/styles.csv")));

        auto window = openWindow(tuneCatalog);
        auto *tune = window->findChild<QAction *>(QStringLiteral("tuneToCatalog"));
        auto *builtIn = window->findChild<QAction *>(QStringLiteral("useBuiltInProjection"));
        QVERIFY(tune && builtIn);
        QVERIFY(!tune->isEnabled()); // nothing indexed yet
        QTRY_VERIFY_WITH_TIMEOUT(window->session().indexedItems() == kTuneItems && !window->session().isIndexing(), kIndexTimeoutMs);
        QVERIFY(tune->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(window->session().coloursReady(), kIndexTimeoutMs); // less to share the processor with
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!builtIn->isEnabled());
        QVERIFY(!window->session().usesOwnProjection());
        const QString projectionPath = cacheFiles::projectionPath(window->session().cachePath());
        QVERIFY(!QFileInfo::exists(projectionPath));

        QSignalSpy failed(&window->session(), &CatalogSession::tuningFailed);
        QSignalSpy finished(&window->session(), &CatalogSession::tuningFinished);
        checkTuningIsCancelledAtOnce(*window, failed, finished, projectionPath);
        if (QTest::currentTestFailed()) return;
        qInfo("cancelled after %lld ms", qint64(clock.elapsed()));
        bool adopted = false;
        QString summary;
        checkAWholeTuningRun(*window, failed, finished, projectionPath, adopted, summary);
        if (QTest::currentTestFailed()) return;
        qInfo("tuned in %lld ms", qint64(clock.elapsed()));
        QVERIFY2(adopted, qPrintable(QStringLiteral("the catalog's own projection must win on these bags: ") + summary));
        checkTheAdoptedProjectionIsUsedAndKept(window, tuneCatalog, items.first(), projectionPath);
    }

private:
    // A filter: the gender of the last result, so at least one item passes; cleared, all 24 again.
    void checkFilterNarrowsTheResults(MainWindow &window, QSignalSpy &finished)
    {
        const QString gender = window.resultsView()->resultAt(4)->labels.value(QStringLiteral("gender"));
        QVERIFY(!gender.isEmpty());
        QVERIFY(window.filterBar()->select(QStringLiteral("gender"), gender));
        QVERIFY(finished.wait(kSearchTimeoutMs));
        auto outcome = finished.last().first().value<SearchOutcome>();
        QVERIFY(outcome.allowedItems > 0 && outcome.allowedItems < 24);
        QVERIFY(window.resultsView()->resultCount() > 0);
        for (int i = 0; i < window.resultsView()->resultCount(); ++i)
            QCOMPARE(window.resultsView()->resultAt(i)->labels.value(QStringLiteral("gender")), gender);
        window.filterBar()->clear();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(finished.last().first().value<SearchOutcome>().allowedItems, 24);
        QVERIFY(finished.last().first().value<SearchOutcome>().filterDescription.isEmpty());
    }

    // A like (from the context menu) refines the query and is learnt by the taste profile;
    // Back returns to the query before the like, Forward to it again.
    void checkLikeRefinesAndHistoryWalks(MainWindow &window, QSignalSpy &finished)
    {
        const ResultItem liked = *window.resultsView()->resultAt(3);
        std::unique_ptr<QMenu> menu(window.resultsView()->contextMenuFor(3));
        QAction *like = menu->findChild<QAction *>(QStringLiteral("like"));
        QVERIFY(like);
        like->trigger();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(window.currentQuery().liked, QStringList{liked.relativePath});
        const auto likedRow = resultPaths(window.resultsView()).indexOf(liked.absolutePath);
        QVERIFY(likedRow >= 0 && likedRow < 3);
        // Its card says it is liked; the others say nothing.
        auto feedbackOf = [&](qsizetype row) {
            return static_cast<ResultsModel::Feedback>(
                window.resultsView()->model()->index(int(row), 0).data(ResultsModel::FeedbackRole).toInt());
        };
        for (int row = 0; row < window.resultsView()->resultCount(); ++row)
            QCOMPARE(feedbackOf(row), row == likedRow ? ResultsModel::Feedback::Liked : ResultsModel::Feedback::None);
        QTRY_COMPARE_WITH_TIMEOUT(window.session().taste().likes(), 1, kSearchTimeoutMs);

        QVERIFY(window.canGoBack());
        window.goBack();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QVERIFY(window.currentQuery().liked.isEmpty());
        QCOMPARE(window.resultsView()->resultCount(), 5);
        for (int row = 0; row < 5; ++row) QCOMPARE(feedbackOf(row), ResultsModel::Feedback::None);
        QVERIFY(window.canGoForward());
        window.goForward();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(window.currentQuery().liked, QStringList{liked.relativePath});
    }

    // The centre crop searches the middle of the picture, the whole picture all of it; a
    // second picture makes a mood board of the two.
    void checkRegionsAndMoodBoard(MainWindow &window, QSignalSpy &finished)
    {
        window.queryPane()->chooseCentreRegion();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(window.currentQuery().pictures.front().region, QueryRegion::centre(window.queryPane()->pictureSize()));
        QVERIFY(window.queryPane()->pictureSize().width() > 100);
        window.queryPane()->clearRegion();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QVERIFY(window.currentQuery().pictures.front().region.isNull());

        QueryInput second;
        second.localPath = test::firstStreetPhoto(QStringLiteral("dress"));
        second.displayName = QStringLiteral("dress");
        window.addToQuery(second);
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(int(window.currentQuery().pictures.size()), 2);
        QCOMPARE(finished.last().first().value<SearchOutcome>().queryName, QStringLiteral("2 pictures"));
    }

    // Red, clicked: at least 3 of the 5 are labelled in the red family, and they are not the
    // results of any colour. Back: any colour and its results again, swatch and menu alike.
    void checkRedSwatchAndBack(MainWindow &window, QSignalSpy &finished, const QHash<QString, QString> &families,
                               const QStringList &anyColour)
    {
        ResultsView *view = window.resultsView();
        ColourChooser *chooser = window.colourChooser();
        QTest::mouseClick(chooser->swatch(kColourWanted), Qt::LeftButton);
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(finished.last().first().value<SearchOutcome>().colour, kColourWanted);
        QCOMPARE(window.currentQuery().colour, kColourWanted);
        QCOMPARE(view->resultCount(), 5);
        QStringList labelled;
        int inFamily = 0;
        for (int i = 0; i < view->resultCount(); ++i) {
            const QString base = view->resultAt(i)->labels.value(QStringLiteral("baseColour"));
            labelled << base;
            if (families.value(base) == kColourWanted) ++inFamily;
        }
        QVERIFY2(inFamily >= 3, qPrintable(labelled.join(QStringLiteral(", "))));
        QVERIFY(resultPaths(view) != anyColour);
        QVERIFY2(window.resultsTitle().contains(QStringLiteral("in red")), qPrintable(window.resultsTitle()));
        QCOMPARE(checkedColourAction(window), kColourWanted);
        QVERIFY(chooser->swatch(kColourWanted)->isChecked());

        QVERIFY(window.canGoBack());
        window.goBack();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QVERIFY(window.currentQuery().colour.isEmpty());
        QCOMPARE(resultPaths(view), anyColour);
        QVERIFY(chooser->swatch(QString())->isChecked());
        QCOMPARE(checkedColourAction(window), QString());
        QVERIFY2(!window.resultsTitle().contains(QStringLiteral("in red")), qPrintable(window.resultsTitle()));
    }

    // The menu chooses too, and the swatches follow it. From the keyboard: an arrow key moves
    // to the next swatch and chooses it; the focus stays on the swatches when the results come.
    void checkMenuAndKeyboardChooseColours(MainWindow &window, QSignalSpy &finished)
    {
        ColourChooser *chooser = window.colourChooser();
        window.findChild<QAction *>(QStringLiteral("colour-red"))->trigger();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(window.currentQuery().colour, kColourWanted);
        QVERIFY(chooser->swatch(kColourWanted)->isChecked());
        QCOMPARE(chooser->colour(), kColourWanted);

        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QAbstractButton *red = chooser->swatch(kColourWanted);
        QVERIFY(red->focusPolicy() & Qt::TabFocus);
        red->setFocus(Qt::TabFocusReason);
        QTRY_VERIFY(red->hasFocus());
        QTest::keyClick(red, Qt::Key_Left);
        QVERIFY(finished.wait(kSearchTimeoutMs));
        const QString before = ColourChooser::families().at(ColourChooser::families().indexOf(kColourWanted) - 1);
        QCOMPARE(window.currentQuery().colour, before);
        QCOMPARE(checkedColourAction(window), before);
        QVERIFY(chooser->swatch(before)->hasFocus());
        window.goBack();
        QVERIFY(finished.wait(kSearchTimeoutMs));
        QCOMPARE(window.currentQuery().colour, kColourWanted);
    }

    // Cancel, pressed at once: the run stops before its next step, and nothing changes.
    void checkTuningIsCancelledAtOnce(MainWindow &window, QSignalSpy &failed, QSignalSpy &finished,
                                      const QString &projectionPath)
    {
        auto *tune = window.findChild<QAction *>(QStringLiteral("tuneToCatalog"));
        tune->trigger();
        QVERIFY(window.session().isTuning());
        QVERIFY(!tune->isEnabled()); // one run at a time
        auto *progress = window.findChild<QProgressDialog *>(QStringLiteral("tuningProgress"));
        QVERIFY(progress && progress->isVisible());
        QVERIFY(progress->windowModality() != Qt::ApplicationModal);
        // Its Cancel button, as a user presses it (QProgressDialog::cancel() alone does not emit canceled()).
        auto *cancelButton = progress->findChild<QAbstractButton *>();
        QVERIFY(cancelButton);
        cancelButton->click();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kSearchTimeoutMs);
        QCOMPARE(failed.first().first().toString(), QStringLiteral("cancelled"));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!window.session().isTuning());
        QVERIFY(!window.session().usesOwnProjection());
        QVERIFY(!QFileInfo::exists(projectionPath));
        QTRY_VERIFY(!window.findChild<QProgressDialog *>(QStringLiteral("tuningProgress")));
        QVERIFY(tune->isEnabled());
    }

    // A whole run: progress, then both figures in a message; the catalog's own projection
    // is adopted exactly when it wins.
    void checkAWholeTuningRun(MainWindow &window, QSignalSpy &failed, QSignalSpy &finished,
                              const QString &projectionPath, bool &adopted, QString &summary)
    {
        QSignalSpy progressed(&window.session(), &CatalogSession::tuningProgress);
        window.findChild<QAction *>(QStringLiteral("tuneToCatalog"))->trigger();
        QVERIFY(finished.wait(kIndexTimeoutMs));
        QCOMPARE(failed.count(), 1);
        QVERIFY(progressed.count() >= 2);
        QCOMPARE(progressed.last().at(0).toInt(), progressed.last().at(1).toInt()); // all steps done
        const double before = finished.first().at(0).toDouble();
        const double after = finished.first().at(1).toDouble();
        adopted = finished.first().at(2).toBool();
        summary = finished.first().at(3).toString();
        QVERIFY2(before > 0 && before <= 1 && after > 0 && after <= 1, qPrintable(summary));
        QCOMPARE(adopted, after > before);
        // The message gives both figures to three places, as the signal carries them.
        QVERIFY2(summary.contains(QStringLiteral("%1 → %2").arg(QString::number(before, 'f', 3), QString::number(after, 'f', 3))),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("5 grouped folds")), qPrintable(summary));
        QVERIFY2(summary.contains(adopted ? QStringLiteral("now used") : QStringLiteral("nothing was changed")),
                 qPrintable(summary));
        QTRY_VERIFY(window.findChild<QMessageBox *>(QStringLiteral("tuningResult")));
        auto *box = window.findChild<QMessageBox *>(QStringLiteral("tuningResult"));
        QCOMPARE(box->informativeText(), summary);
        QVERIFY(!window.findChild<QProgressDialog *>(QStringLiteral("tuningProgress")) ||
                !window.findChild<QProgressDialog *>(QStringLiteral("tuningProgress"))->isVisible());
        box->accept();
        qInfo("tuning: %s", qPrintable(summary));
        QCOMPARE(QFileInfo::exists(projectionPath), adopted);
        QCOMPARE(window.session().usesOwnProjection(), adopted);
        QCOMPARE(window.findChild<QAction *>(QStringLiteral("useBuiltInProjection"))->isEnabled(), adopted);
    }

    // Searches use the adopted projection, and so does the catalog reopened; back to the
    // built-in one, the file goes; a damaged file is reported and ignored.
    void checkTheAdoptedProjectionIsUsedAndKept(std::unique_ptr<MainWindow> &window, const QString &tuneCatalog,
                                                const QString &item, const QString &projectionPath)
    {
        QSignalSpy searched(&window->session(), &CatalogSession::searchFinished);
        window->queryPane()->openFile(QDir(tuneCatalog).filePath(item));
        QVERIFY(searched.wait(kSearchTimeoutMs));
        window.reset();
        window = openWindow(tuneCatalog);
        QTRY_VERIFY_WITH_TIMEOUT(window->session().usesOwnProjection(), kSearchTimeoutMs);
        QCOMPARE(window->session().ownProjection()->provenance().value(QStringLiteral("items")).toInt(), kTuneItems);
        auto *builtIn = window->findChild<QAction *>(QStringLiteral("useBuiltInProjection"));
        QVERIFY(builtIn->isEnabled());

        builtIn->trigger();
        QVERIFY(!window->session().usesOwnProjection());
        QVERIFY(!QFileInfo::exists(projectionPath));
        QVERIFY(!builtIn->isEnabled());

        {
            QFile damaged(projectionPath);
            QVERIFY(damaged.open(QIODevice::WriteOnly));
            damaged.write("not a projection");
        }
        window.reset();
        window = openWindow(tuneCatalog);
        QSignalSpy problem(&window->session(), &CatalogSession::labelsProblem);
        QSignalSpy opened(&window->session(), &CatalogSession::catalogOpened);
        QVERIFY(opened.wait(kSearchTimeoutMs));
        QCOMPARE(problem.count(), 1);
        QVERIFY2(problem.first().first().toString().contains(QStringLiteral("projection")),
                 qPrintable(problem.first().first().toString()));
        QVERIFY(!window->session().usesOwnProjection());
        QFile::remove(projectionPath);
    }

};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
