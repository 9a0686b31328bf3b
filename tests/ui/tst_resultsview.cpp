// The results grid on the offscreen platform, with real photos of the demo catalog: the
// model's roles, thumbnails made off the GUI thread, keyboard, mouse and context menu.

#include "ResultsModel.h"
#include "ResultsView.h"
#include "Thumbnails.h"

#include <QAction>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QImageReader>
#include <QMenu>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace lookbook;

namespace {

constexpr int kResults = 5;
const QSize kViewSize(1100, 360);
const QSize kMaxThumbnail(240, 320);

QString demoImagesDir()
{
    const QString shared = qEnvironmentVariableIsSet("LOOKBOOK_SHARED")
                               ? qEnvironmentVariable("LOOKBOOK_SHARED")
                               : QStringLiteral(LOOKBOOK_TEST_DATA_DIR "/../../../shared");
    return QDir(shared).absoluteFilePath(QStringLiteral("data/fashion-product-images-small-subset/images"));
}

// A view with its own cache, shown at a typical size; the cache outlives the view.
struct Fixture {
    Thumbnails thumbnails{kMaxThumbnail};
    ResultsView view{&thumbnails};
};

} // namespace

class TestResultsView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void showsResultsWithCurrentRowAndNoSelection();
    void modelRoles();
    void thumbnailsArrive();
    void enterOpensCurrentResult();
    void arrowRightMovesToNextResult();
    void doubleClickOpens();
    void contextMenuHasItsActions();
    void likedAndDislikedCardsSaySo();
    void searchWithEmitsTheItem();
    void copyPathPutsNativePathOnClipboard();
    void brokenImageGivesMarkerOnce();
    void brokenResultsPaintPlaceholders();
    void resultsPaintedOnceEveryPhotoIsPainted();
    void resultsPaintedCountsAnUnreadablePhotoAsPainted();
    void largeImageIsDecodedSmall();
    void enormousImageIsRefusedNotDecoded();
    void largeImageStaysWithinAllocationLimit();
    void emptyResultsClearTheView();

private:
    std::vector<ResultItem> demoResults() const;
    std::unique_ptr<Fixture> shownFixture() const;

    QStringList m_paths;
};

void TestResultsView::initTestCase()
{
    const QDir images(demoImagesDir());
    const QStringList names = images.entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name);
    if (names.size() < kResults)
        QFAIL(qPrintable(QStringLiteral("need %1 demo catalog images in %2 (set LOOKBOOK_SHARED)")
                             .arg(kResults)
                             .arg(images.path())));
    for (const QString &name : names.first(kResults))
        m_paths << images.absoluteFilePath(name);
}

std::vector<ResultItem> TestResultsView::demoResults() const
{
    static const char *const colours[] = {"Blue", "Black", "White", "Red", "Grey"};
    std::vector<ResultItem> results;
    for (int i = 0; i < m_paths.size(); ++i) {
        ResultItem item;
        item.item = 100 + i;
        item.score = 0.95f - 0.05f * static_cast<float>(i);
        item.absolutePath = m_paths.at(i);
        item.relativePath = QStringLiteral("images/") + QFileInfo(m_paths.at(i)).fileName();
        item.labels = {{QStringLiteral("articleType"), QStringLiteral("Tshirts")},
                       {QStringLiteral("baseColour"), QString::fromLatin1(colours[i % 5])}};
        results.push_back(item);
    }
    return results;
}

std::unique_ptr<Fixture> TestResultsView::shownFixture() const
{
    auto fixture = std::make_unique<Fixture>();
    fixture->view.resize(kViewSize);
    fixture->view.setResults(demoResults());
    fixture->view.show();
    if (!QTest::qWaitForWindowExposed(&fixture->view))
        return nullptr;
    return fixture;
}

void TestResultsView::showsResultsWithCurrentRowAndNoSelection()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QCOMPARE(f->view.resultCount(), kResults);
    QCOMPARE(f->view.currentIndex().row(), 0);
    QVERIFY(f->view.selectionModel()->selectedIndexes().isEmpty());
    QVERIFY(f->view.resultAt(0));
    QCOMPARE(f->view.resultAt(0)->absolutePath, m_paths.at(0));
    QVERIFY(!f->view.resultAt(kResults));
    QVERIFY(!f->view.resultAt(-1));
}

void TestResultsView::modelRoles()
{
    Thumbnails thumbnails;
    ResultsModel model(&thumbnails);
    model.setResults(demoResults());
    QCOMPARE(model.rowCount(), kResults);

    const QModelIndex second = model.index(1);
    QCOMPARE(second.data(Qt::DisplayRole).toString(), QFileInfo(m_paths.at(1)).fileName());
    QCOMPARE(second.data(ResultsModel::PathRole).toString(), m_paths.at(1));
    QCOMPARE(second.data(ResultsModel::RankRole).toInt(), 2);
    QCOMPARE(second.data(ResultsModel::ScoreRole).toFloat(), 0.90f);
    QCOMPARE(second.data(ResultsModel::SummaryRole).toString(), QStringLiteral("Tshirts \u00B7 Black"));
    QCOMPARE(second.data(ResultsModel::LabelsRole).toMap().value(QStringLiteral("baseColour")).toString(),
             QStringLiteral("Black"));
    const QString toolTip = second.data(Qt::ToolTipRole).toString();
    QVERIFY2(toolTip.contains(QDir::toNativeSeparators(m_paths.at(1))), qPrintable(toolTip));
    QVERIFY2(toolTip.contains(QStringLiteral("articleType: Tshirts")), qPrintable(toolTip));
    QVERIFY2(toolTip.contains(QStringLiteral("0.900")), qPrintable(toolTip));
    QVERIFY(!model.itemAt(kResults));
}

void TestResultsView::thumbnailsArrive()
{
    auto f = std::make_unique<Fixture>();
    QSignalSpy changed(f->view.model(), &QAbstractItemModel::dataChanged);
    f->view.resize(kViewSize);
    f->view.setResults(demoResults());
    f->view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f->view));

    for (const QString &path : std::as_const(m_paths)) {
        QTRY_VERIFY(!f->thumbnails.thumbnail(path).isNull());
        const QSize size = f->thumbnails.thumbnail(path).size();
        QVERIFY2(size.width() <= kMaxThumbnail.width() && size.height() <= kMaxThumbnail.height(),
                 qPrintable(QStringLiteral("%1x%2").arg(size.width()).arg(size.height())));
        QVERIFY(!f->thumbnails.isBroken(path));
    }
    QTRY_VERIFY(changed.count() >= kResults);
    QVERIFY(changed.first().at(2).value<QList<int>>().contains(Qt::DecorationRole));
    const QModelIndex first = f->view.model()->index(0, 0);
    QCOMPARE(first.data(ResultsModel::ThumbnailStateRole).toInt(),
             static_cast<int>(ResultsModel::ThumbnailState::Ready));
    QVERIFY(!first.data(Qt::DecorationRole).value<QImage>().isNull());
}

void TestResultsView::enterOpensCurrentResult()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QSignalSpy opened(&f->view, &ResultsView::openRequested);
    QTest::keyClick(&f->view, Qt::Key_Return);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), m_paths.at(0));
    QTest::keyClick(&f->view, Qt::Key_Enter, Qt::KeypadModifier);
    QCOMPARE(opened.count(), 2);
}

void TestResultsView::arrowRightMovesToNextResult()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QTest::keyClick(&f->view, Qt::Key_Right);
    QCOMPARE(f->view.currentIndex().row(), 1);

    QSignalSpy opened(&f->view, &ResultsView::openRequested);
    QTest::keyClick(&f->view, Qt::Key_Return);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), m_paths.at(1));
}

void TestResultsView::doubleClickOpens()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QSignalSpy opened(&f->view, &ResultsView::openRequested);
    const QRect rect = f->view.visualRect(f->view.model()->index(2, 0));
    QVERIFY(f->view.viewport()->rect().contains(rect.center()));
    QTest::mouseDClick(f->view.viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), m_paths.at(2));
}

void TestResultsView::contextMenuHasItsActions()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QVERIFY(!f->view.contextMenuFor(kResults));
    const std::unique_ptr<QMenu> menu(f->view.contextMenuFor(1));
    QVERIFY(menu);
    QStringList names;
    for (const QAction *action : menu->actions()) {
        if (!action->isSeparator())
            names << action->objectName();
    }
    QCOMPARE(names, (QStringList{QStringLiteral("open"), QStringLiteral("reveal"), QStringLiteral("copyPath"),
                                 QStringLiteral("searchWith"), QStringLiteral("like"), QStringLiteral("dislike")}));

    // Like and dislike, from the menu and from the L / D keys on the current result.
    QSignalSpy feedback(&f->view, &ResultsView::feedbackGiven);
    menu->findChild<QAction *>(QStringLiteral("like"))->trigger();
    menu->findChild<QAction *>(QStringLiteral("dislike"))->trigger();
    f->view.setCurrentIndex(f->view.model()->index(2, 0));
    QTest::keyClick(&f->view, Qt::Key_L);
    QCOMPARE(feedback.count(), 3);
    QCOMPARE(feedback.at(0).at(0).value<ResultItem>().absolutePath, m_paths.at(1));
    QVERIFY(feedback.at(0).at(1).toBool());
    QVERIFY(!feedback.at(1).at(1).toBool());
    QCOMPARE(feedback.at(2).at(0).value<ResultItem>().absolutePath, m_paths.at(2));
    QVERIFY(feedback.at(2).at(1).toBool());

    QSignalSpy opened(&f->view, &ResultsView::openRequested);
    QSignalSpy revealed(&f->view, &ResultsView::revealRequested);
    menu->findChild<QAction *>(QStringLiteral("open"))->trigger();
    menu->findChild<QAction *>(QStringLiteral("reveal"))->trigger();
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), m_paths.at(1));
    QCOMPARE(revealed.count(), 1);
    QCOMPARE(revealed.at(0).at(0).toString(), m_paths.at(1));
}

// The window passes on what the user liked and disliked in the query: the role says it, the
// liked card carries a badge in the highlight colour over its photo's corner, the disliked
// photo is veiled, the others are painted as before; it holds across new results.
void TestResultsView::likedAndDislikedCardsSaySo()
{
    const auto f = shownFixture();
    QVERIFY(f);
    for (const QString &path : std::as_const(m_paths)) QTRY_VERIFY(!f->thumbnails.thumbnail(path).isNull());
    const QImage before = f->view.grab().toImage();
    const std::vector<ResultItem> results = demoResults();
    f->view.setFeedback({results[1].relativePath}, {results[3].relativePath});
    auto feedbackOf = [&](int row) {
        return static_cast<ResultsModel::Feedback>(f->view.model()->index(row, 0).data(ResultsModel::FeedbackRole).toInt());
    };
    QCOMPARE(feedbackOf(0), ResultsModel::Feedback::None);
    QCOMPARE(feedbackOf(1), ResultsModel::Feedback::Liked);
    QCOMPARE(feedbackOf(3), ResultsModel::Feedback::Disliked);
    QVERIFY(f->view.model()->index(1, 0).data(Qt::AccessibleTextRole).toString().endsWith(QStringLiteral(", liked")));
    const QImage after = f->view.grab().toImage();
    QCOMPARE(after.size(), before.size());

    // Pixels of a card that differ between the two paintings, and in the liked badge's corner
    // how many are the highlight colour.
    const qreal scale = after.devicePixelRatio();
    auto changedIn = [&](int row) {
        const QRect card = f->view.visualRect(f->view.model()->index(row, 0));
        int changed = 0;
        for (int y = qRound(card.top() * scale); y < qRound(card.bottom() * scale); ++y)
            for (int x = qRound(card.left() * scale); x < qRound(card.right() * scale); ++x)
                changed += before.pixel(x, y) != after.pixel(x, y) ? 1 : 0;
        return changed;
    };
    QCOMPARE(changedIn(0), 0);
    QCOMPARE(changedIn(2), 0);
    QVERIFY2(changedIn(1) > 300, qPrintable(QString::number(changedIn(1))));
    QVERIFY2(changedIn(3) > 5000, qPrintable(QString::number(changedIn(3)))); // the veil covers the photo
    const QRect liked = f->view.visualRect(f->view.model()->index(1, 0));
    const QColor highlight = f->view.palette().color(QPalette::Active, QPalette::Highlight);
    int highlighted = 0;
    for (int y = 0; y < qRound(30 * scale); ++y)
        for (int x = 0; x < qRound(60 * scale); ++x)
            highlighted += after.pixelColor(qRound((liked.left() + 16) * scale) + x, qRound((liked.top() + 16) * scale) + y) == highlight ? 1 : 0;
    QVERIFY2(highlighted > 200, qPrintable(QString::number(highlighted)));

    // New results of the same query keep the marks; clearing them takes them off.
    f->view.setResults(demoResults());
    QCOMPARE(feedbackOf(1), ResultsModel::Feedback::Liked);
    f->view.setFeedback({}, {});
    QCOMPARE(feedbackOf(1), ResultsModel::Feedback::None);
    QCOMPARE(feedbackOf(3), ResultsModel::Feedback::None);
}

void TestResultsView::searchWithEmitsTheItem()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QSignalSpy searched(&f->view, &ResultsView::searchWithRequested);
    const std::unique_ptr<QMenu> menu(f->view.contextMenuFor(3));
    QVERIFY(menu);
    QAction *searchWith = menu->findChild<QAction *>(QStringLiteral("searchWith"));
    QVERIFY(searchWith);
    // The menu keeps its own copy: replacing the results while it is open changes nothing.
    f->view.setResults({});
    searchWith->trigger();
    QCOMPARE(searched.count(), 1);
    const auto item = searched.at(0).at(0).value<ResultItem>();
    QCOMPARE(item.absolutePath, m_paths.at(3));
    QCOMPARE(item.item, 103);
    QCOMPARE(item.labels.value(QStringLiteral("baseColour")), QStringLiteral("Red"));
}

void TestResultsView::copyPathPutsNativePathOnClipboard()
{
    const auto f = shownFixture();
    QVERIFY(f);
    QGuiApplication::clipboard()->clear();
    const std::unique_ptr<QMenu> menu(f->view.contextMenuFor(4));
    QVERIFY(menu);
    menu->findChild<QAction *>(QStringLiteral("copyPath"))->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), QDir::toNativeSeparators(m_paths.at(4)));

    // Ctrl+C on the current result does the same.
    QGuiApplication::clipboard()->clear();
    QTest::keySequence(&f->view, QKeySequence::Copy);
    QCOMPARE(QGuiApplication::clipboard()->text(), QDir::toNativeSeparators(m_paths.at(0)));
}

void TestResultsView::brokenImageGivesMarkerOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString broken = dir.filePath(QStringLiteral("broken.jpg"));
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("\xFF\xD8\xFF\xE0 this is not really a JPEG");
    file.close();
    const QString missing = dir.filePath(QStringLiteral("missing.jpg"));

    Thumbnails thumbnails;
    QSignalSpy ready(&thumbnails, &Thumbnails::thumbnailReady);
    QVERIFY(thumbnails.thumbnail(broken).isNull());
    QVERIFY(thumbnails.thumbnail(broken).isNull()); // in flight: not queued twice
    QVERIFY(thumbnails.thumbnail(missing).isNull());
    QTRY_COMPARE(ready.count(), 2);
    QVERIFY(thumbnails.isBroken(broken));
    QVERIFY(thumbnails.isBroken(missing));

    // The marker is cached: asking again neither loads nor signals again.
    QVERIFY(thumbnails.thumbnail(broken).isNull());
    QTest::qWait(200);
    QCOMPARE(ready.count(), 2);
}

void TestResultsView::brokenResultsPaintPlaceholders()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::vector<ResultItem> results = demoResults();
    results[1].absolutePath = dir.filePath(QStringLiteral("gone.jpg"));
    Fixture f;
    f.view.resize(kViewSize);
    f.view.setResults(results);
    f.view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    const QModelIndex gone = f.view.model()->index(1, 0);
    QTRY_COMPARE(gone.data(ResultsModel::ThumbnailStateRole).toInt(),
                 static_cast<int>(ResultsModel::ThumbnailState::Broken));
    QVERIFY(!f.view.grab().isNull()); // paints the placeholder
}

namespace {
// Whether every result shows its thumbnail in state, as the view has it now.
bool allThumbnails(const ResultsView &view, ResultsModel::ThumbnailState state)
{
    for (int row = 0; row < view.resultCount(); ++row)
        if (view.model()->index(row, 0).data(ResultsModel::ThumbnailStateRole).toInt() != static_cast<int>(state))
            return false;
    return true;
}
} // namespace

void TestResultsView::resultsPaintedOnceEveryPhotoIsPainted()
{
    Fixture f;
    QSignalSpy painted(&f.view, &ResultsView::resultsPainted);
    bool photosWhenPainted = false;
    connect(&f.view, &ResultsView::resultsPainted, &f.view,
            [&] { photosWhenPainted = allThumbnails(f.view, ResultsModel::ThumbnailState::Ready); });
    f.view.resize(kViewSize);
    f.view.setResults(demoResults());
    f.view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QTRY_COMPARE(painted.count(), 1);
    QVERIFY(photosWhenPainted);

    f.view.viewport()->repaint(); // later paints of the same results are not reported
    QCOMPARE(painted.count(), 1);

    photosWhenPainted = false;
    f.view.setResults(demoResults()); // new results, their thumbnails cached: reported again
    QTRY_COMPARE(painted.count(), 2);
    QVERIFY(photosWhenPainted);

    f.view.setResults({}); // no results: nothing to report
    f.view.viewport()->repaint();
    QCOMPARE(painted.count(), 2);
}

void TestResultsView::resultsPaintedCountsAnUnreadablePhotoAsPainted()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::vector<ResultItem> results = demoResults();
    results[2].absolutePath = dir.filePath(QStringLiteral("gone.jpg"));
    Fixture f;
    QSignalSpy painted(&f.view, &ResultsView::resultsPainted);
    f.view.resize(kViewSize);
    f.view.setResults(results);
    f.view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QTRY_COMPARE(painted.count(), 1); // its final look is the "cannot show" mark
    QVERIFY(f.thumbnails.isBroken(results[2].absolutePath));
}

void TestResultsView::largeImageIsDecodedSmall()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString large = dir.filePath(QStringLiteral("large.jpg"));
    QImage image(4000, 3000, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    QVERIFY(image.save(large));

    Thumbnails thumbnails;
    QVERIFY(thumbnails.thumbnail(large).isNull());
    QTRY_VERIFY(!thumbnails.thumbnail(large).isNull());
    QCOMPARE(thumbnails.thumbnail(large).size(), QSize(240, 180));

    // Small images are kept as they are; the delegate scales them up when painting.
    QTRY_VERIFY(!thumbnails.thumbnail(m_paths.at(0)).isNull());
    QCOMPARE(thumbnails.thumbnail(m_paths.at(0)).size(), QImage(m_paths.at(0)).size());
}

// A PNG whose header claims 40000 x 40000 pixels (6.4 GB decoded) followed by garbage: it
// fails without a crash or an attempt at the full size, and is marked broken.
void TestResultsView::enormousImageIsRefusedNotDecoded()
{
    const auto crc32 = [](const QByteArray &bytes) {
        quint32 crc = 0xFFFFFFFFu;
        for (const char byte : bytes) {
            crc ^= static_cast<quint8>(byte);
            for (int bit = 0; bit < 8; ++bit)
                crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
        return crc ^ 0xFFFFFFFFu;
    };
    const auto bigEndian = [](quint32 value) {
        QByteArray bytes(4, '\0');
        for (int i = 0; i < 4; ++i)
            bytes[i] = static_cast<char>((value >> (24 - 8 * i)) & 0xFF);
        return bytes;
    };
    const auto chunk = [&](const QByteArray &type, const QByteArray &data) {
        return bigEndian(static_cast<quint32>(data.size())) + type + data + bigEndian(crc32(type + data));
    };
    constexpr quint32 kSide = 40000;
    const QByteArray header = bigEndian(kSide) + bigEndian(kSide) + QByteArray("\x08\x06\x00\x00\x00", 5);
    const QByteArray png = QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header)
                           + chunk("IDAT", QByteArray(16, 'x')) + chunk("IEND", {});

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString enormous = dir.filePath(QStringLiteral("enormous.png"));
    QFile file(enormous);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(png);
    file.close();
    QCOMPARE(QImageReader(enormous).size(), QSize(kSide, kSide));

    Thumbnails thumbnails;
    QSignalSpy ready(&thumbnails, &Thumbnails::thumbnailReady);
    QVERIFY(thumbnails.thumbnail(enormous).isNull());
    QTRY_COMPARE(ready.count(), 1);
    QVERIFY(thumbnails.isBroken(enormous));
}

// With the reader's allocation limit lowered below a photo's full decoded size, a full-size
// read is refused, yet its thumbnail is made: the cache decodes at the reduced size.
void TestResultsView::largeImageStaysWithinAllocationLimit()
{
    constexpr int kLimitMb = 16;
    constexpr int kSide = 3000; // 36 MB as RGB32
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList paths;
    for (const char *suffix : {"jpg", "png"}) {
        QImage image(kSide, kSide, QImage::Format_RGB32);
        image.fill(Qt::darkMagenta);
        paths << dir.filePath(QStringLiteral("large.") + QLatin1String(suffix));
        QVERIFY(image.save(paths.last()));
    }

    const int previousLimit = QImageReader::allocationLimit();
    QImageReader::setAllocationLimit(kLimitMb);
    const auto restore = qScopeGuard([previousLimit] { QImageReader::setAllocationLimit(previousLimit); });
    for (const QString &path : std::as_const(paths)) {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("exceeds the current allocation limit")));
        QVERIFY2(QImageReader(path).read().isNull(), qPrintable(path));

        Thumbnails thumbnails;
        QTRY_VERIFY2(!thumbnails.thumbnail(path).isNull() || thumbnails.isBroken(path), qPrintable(path));
        QVERIFY2(!thumbnails.isBroken(path), qPrintable(path));
        QCOMPARE(thumbnails.thumbnail(path).size(), QSize(240, 240));
    }
}

void TestResultsView::emptyResultsClearTheView()
{
    const auto f = shownFixture();
    QVERIFY(f);
    f->view.setEmptyMessage(QStringLiteral("Drop an image to see the 5 most similar items"));
    f->view.setResults({});
    QCOMPARE(f->view.resultCount(), 0);
    QVERIFY(!f->view.currentIndex().isValid());
    QVERIFY(!f->view.resultAt(0));
    QVERIFY(!f->view.contextMenuFor(0));
    QSignalSpy opened(&f->view, &ResultsView::openRequested);
    QTest::keyClick(&f->view, Qt::Key_Return);
    QCOMPARE(opened.count(), 0);
    QVERIFY(!f->view.grab().isNull()); // paints the empty message
}

QTEST_MAIN(TestResultsView)
#include "tst_resultsview.moc"
