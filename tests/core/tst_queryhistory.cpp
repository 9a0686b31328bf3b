// The query on show and its Back/Forward history (core/session/QueryHistory), without a
// window: what each thing the stylist does makes of the query, which of them are new
// history entries, and how Back, Forward and the length bound behave.

#include "QueryHistory.h"

#include <QtTest>

using namespace lookbook;
using Change = QueryHistory::Change;

namespace {

QueryInput picture(const QString &name)
{
    QueryInput input;
    input.bytes = name.toUtf8(); // only compared, never decoded here
    input.displayName = name;
    return input;
}

ResultFilter genderFilter(const QString &gender)
{
    ResultFilter filter;
    filter.allow(QStringLiteral("gender"), gender);
    return filter;
}

QString firstName(const QueryHistory &history)
{
    return history.current().pictures.empty() ? QString() : history.current().pictures.front().displayName;
}

} // namespace

class TestQueryHistory : public QObject {
    Q_OBJECT

private slots:
    void nothingToSearchBeforeTheFirstQuery();
    void aNewPictureStartsAFreshQuery();
    void backAndForwardWalkTheEntries();
    void aNewQueryAfterGoingBackDropsTheEntriesAhead();
    void likesAndDislikesRefineTheQuery();
    void aFilterReplacesTheEntryOnShow();
    void colourAndRegionAreNewEntries();
    void morePicturesMakeAMoodBoard();
    void theResultCountIsRecordedPerEntry();
    void theHistoryIsBounded();
};

void TestQueryHistory::nothingToSearchBeforeTheFirstQuery()
{
    QueryHistory history;
    QVERIFY(!history.hasQuery());
    QCOMPARE(history.giveFeedback(QStringLiteral("a.jpg"), true), Change::None);
    QCOMPARE(history.clearFeedback(), Change::None);
    QCOMPARE(history.setColour(QStringLiteral("red")), Change::None);
    QCOMPARE(history.setRegion(QRect(0, 0, 10, 10)), Change::None);
    QCOMPARE(history.setFilter(genderFilter(QStringLiteral("Women"))), Change::None);
    QCOMPARE(history.refresh(), Change::None);
    QCOMPARE(history.addPicture(picture(QStringLiteral("a"))), Change::None);
    QVERIFY(!history.goBack());
    QVERIFY(!history.goForward());
    QCOMPARE(history.entryCount(), 0);
    QVERIFY(history.current().liked.isEmpty() && history.current().colour.isEmpty());
}

void TestQueryHistory::aNewPictureStartsAFreshQuery()
{
    QueryHistory history;
    const ResultFilter women = genderFilter(QStringLiteral("Women"));
    QCOMPARE(history.startWith(picture(QStringLiteral("first")), women), Change::NewEntry);
    QCOMPARE(history.giveFeedback(QStringLiteral("liked.jpg"), true), Change::NewEntry);
    QCOMPARE(history.setColour(QStringLiteral("red")), Change::NewEntry);

    // A new look: likes and colour gone, the filter given taken.
    QCOMPARE(history.startWith(picture(QStringLiteral("second")), women), Change::NewEntry);
    QCOMPARE(firstName(history), QStringLiteral("second"));
    QCOMPARE(int(history.current().pictures.size()), 1);
    QVERIFY(history.current().liked.isEmpty());
    QVERIFY(history.current().colour.isEmpty());
    QCOMPARE(history.current().filter.labelValues(), women.labelValues());

    // "More like this" keeps the colour asked for.
    QCOMPARE(history.setColour(QStringLiteral("blue")), Change::NewEntry);
    QCOMPARE(history.startWith(picture(QStringLiteral("item")), {}, history.current().colour), Change::NewEntry);
    QCOMPARE(history.current().colour, QStringLiteral("blue"));
    QVERIFY(history.current().filter.isEmpty());
}

void TestQueryHistory::backAndForwardWalkTheEntries()
{
    QueryHistory history;
    for (const char *name : {"a", "b", "c"}) history.startWith(picture(QString::fromLatin1(name)), {});
    QCOMPARE(history.entryCount(), 3);
    QVERIFY(history.canGoBack());
    QVERIFY(!history.canGoForward());

    QVERIFY(history.goBack());
    QCOMPARE(firstName(history), QStringLiteral("b"));
    QVERIFY(history.goBack());
    QCOMPARE(firstName(history), QStringLiteral("a"));
    QVERIFY(!history.canGoBack());
    QVERIFY(!history.goBack()); // at the first: stays
    QCOMPARE(firstName(history), QStringLiteral("a"));

    QVERIFY(history.goForward());
    QCOMPARE(firstName(history), QStringLiteral("b"));
    QVERIFY(history.goForward());
    QCOMPARE(firstName(history), QStringLiteral("c"));
    QVERIFY(!history.goForward());
    QCOMPARE(firstName(history), QStringLiteral("c"));
}

void TestQueryHistory::aNewQueryAfterGoingBackDropsTheEntriesAhead()
{
    QueryHistory history;
    for (const char *name : {"a", "b", "c"}) history.startWith(picture(QString::fromLatin1(name)), {});
    QVERIFY(history.goBack());
    QVERIFY(history.goBack());
    QVERIFY(history.canGoForward());

    QCOMPARE(history.startWith(picture(QStringLiteral("d")), {}), Change::NewEntry);
    QCOMPARE(history.entryCount(), 2); // a, d: b and c are gone
    QVERIFY(!history.canGoForward());
    QVERIFY(history.goBack());
    QCOMPARE(firstName(history), QStringLiteral("a"));
    QVERIFY(history.goForward());
    QCOMPARE(firstName(history), QStringLiteral("d"));

    // A refinement after going back is a new entry too, and drops what was ahead.
    QVERIFY(history.goBack());
    QCOMPARE(history.giveFeedback(QStringLiteral("x.jpg"), true), Change::NewEntry);
    QCOMPARE(history.entryCount(), 2);
    QCOMPARE(firstName(history), QStringLiteral("a"));
    QCOMPARE(history.current().liked, QStringList{QStringLiteral("x.jpg")});
}

void TestQueryHistory::likesAndDislikesRefineTheQuery()
{
    QueryHistory history;
    history.startWith(picture(QStringLiteral("a")), {});
    const QString item = QStringLiteral("shirts/1.jpg");
    QCOMPARE(history.giveFeedback(item, true), Change::NewEntry);
    QCOMPARE(history.current().liked, QStringList{item});
    QCOMPARE(history.giveFeedback(item, true), Change::None); // liked already: nothing to search
    QCOMPARE(history.entryCount(), 2);

    // Disliking a liked item moves it: never in both lists.
    QCOMPARE(history.giveFeedback(item, false), Change::NewEntry);
    QVERIFY(history.current().liked.isEmpty());
    QCOMPARE(history.current().disliked, QStringList{item});
    QCOMPARE(history.giveFeedback(QStringLiteral("b.jpg"), true), Change::NewEntry);

    // Back returns to the results before each refinement.
    QVERIFY(history.goBack());
    QCOMPARE(history.current().disliked, QStringList{item});
    QVERIFY(history.current().liked.isEmpty());
    QVERIFY(history.goBack());
    QCOMPARE(history.current().liked, QStringList{item});
    QVERIFY(history.goForward());
    QVERIFY(history.goForward());

    QCOMPARE(history.clearFeedback(), Change::NewEntry);
    QVERIFY(history.current().liked.isEmpty() && history.current().disliked.isEmpty());
    QCOMPARE(history.clearFeedback(), Change::None);
    QCOMPARE(firstName(history), QStringLiteral("a")); // the pictures stay
}

void TestQueryHistory::aFilterReplacesTheEntryOnShow()
{
    QueryHistory history;
    history.startWith(picture(QStringLiteral("a")), {});
    history.startWith(picture(QStringLiteral("b")), {});
    const ResultFilter men = genderFilter(QStringLiteral("Men"));
    QCOMPARE(history.setFilter(men), Change::SameEntry);
    QCOMPARE(history.entryCount(), 2);
    QCOMPARE(history.current().filter.labelValues(), men.labelValues());
    QCOMPARE(history.refresh(), Change::SameEntry);
    QCOMPARE(history.entryCount(), 2);

    // The entry itself was updated: going away and back shows it with the filter.
    QVERIFY(history.goBack());
    QVERIFY(history.current().filter.isEmpty());
    QVERIFY(history.goForward());
    QCOMPARE(history.current().filter.labelValues(), men.labelValues());
}

void TestQueryHistory::colourAndRegionAreNewEntries()
{
    QueryHistory history;
    history.startWith(picture(QStringLiteral("a")), {});
    QCOMPARE(history.setColour(QStringLiteral("red")), Change::NewEntry);
    QCOMPARE(history.setColour(QStringLiteral("red")), Change::None); // the same colour
    QCOMPARE(history.current().colour, QStringLiteral("red"));

    const QRect region(10, 20, 100, 200);
    QCOMPARE(history.setRegion(region), Change::NewEntry);
    QCOMPARE(history.current().pictures.front().region, region);
    QCOMPARE(history.current().colour, QStringLiteral("red")); // kept
    QCOMPARE(history.setRegion(QRect()), Change::NewEntry);
    QVERIFY(history.current().pictures.front().region.isNull());
    QCOMPARE(history.entryCount(), 4);

    QVERIFY(history.goBack());
    QCOMPARE(history.current().pictures.front().region, region);
    QVERIFY(history.goBack());
    QVERIFY(history.current().pictures.front().region.isNull());
    QCOMPARE(history.current().colour, QStringLiteral("red"));
    QVERIFY(history.goBack());
    QVERIFY(history.current().colour.isEmpty());
}

void TestQueryHistory::morePicturesMakeAMoodBoard()
{
    QueryHistory history;
    history.startWith(picture(QStringLiteral("a")), {});
    QCOMPARE(history.addPicture(picture(QStringLiteral("b"))), Change::NewEntry);
    QCOMPARE(int(history.current().pictures.size()), 2);
    QCOMPARE(history.current().pictures.back().displayName, QStringLiteral("b"));
    // A region is of one picture: a mood board is searched whole.
    QCOMPARE(history.setRegion(QRect(0, 0, 5, 5)), Change::None);
    for (const QueryInput &p : history.current().pictures) QVERIFY(p.region.isNull());
    QVERIFY(history.goBack());
    QCOMPARE(int(history.current().pictures.size()), 1);
}

void TestQueryHistory::theResultCountIsRecordedPerEntry()
{
    QueryHistory history;
    QCOMPARE(history.current().k, CatalogSession::Query{}.k);
    history.setResultCount(10);
    history.startWith(picture(QStringLiteral("a")), {});
    QCOMPARE(history.current().k, 10);
    history.setResultCount(20);
    QCOMPARE(history.current().k, 10); // not searched again by itself
    history.startWith(picture(QStringLiteral("b")), {});
    QCOMPARE(history.current().k, 20);
    QVERIFY(history.goBack());
    QCOMPARE(history.current().k, 10); // an entry is searched as it was
    QCOMPARE(history.refresh(), Change::SameEntry);
    QCOMPARE(history.current().k, 20); // ... until it is searched again
}

void TestQueryHistory::theHistoryIsBounded()
{
    constexpr int kLength = 3;
    QueryHistory history(kLength);
    for (int i = 0; i < 5; ++i) history.startWith(picture(QString::number(i)), {});
    QCOMPARE(history.entryCount(), kLength);
    QCOMPARE(firstName(history), QStringLiteral("4"));
    int back = 0;
    while (history.goBack()) ++back;
    QCOMPARE(back, kLength - 1);
    QCOMPARE(firstName(history), QStringLiteral("2")); // the oldest were dropped

    QCOMPARE(QueryHistory().entryCount(), 0);
    QueryHistory defaultLength;
    for (int i = 0; i < QueryHistory::kDefaultLength + 10; ++i) defaultLength.startWith(picture(QString::number(i)), {});
    QCOMPARE(defaultLength.entryCount(), QueryHistory::kDefaultLength);
}

QTEST_GUILESS_MAIN(TestQueryHistory)
#include "tst_queryhistory.moc"
