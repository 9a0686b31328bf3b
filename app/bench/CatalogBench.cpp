#include "CatalogBench.h"

#include "BenchSupport.h"
#include "CacheFiles.h"
#include "Catalog.h"
#include "FileSystemKind.h"

#include <QFileInfo>

#include <optional>

namespace lookbook::bench {

namespace {

constexpr int kTop = 5;
using Clock = std::chrono::steady_clock;

// What the window's opening task reads: the cache (every page, for its checksum), the
// labels and the catalog's own projection.
std::optional<Catalog> openCatalog(const CatalogBenchOptions &o)
{
    auto catalog = Catalog::open(o.root, o.cache, o.recipe);
    if (!catalog) {
        out() << catalog.error() << "\n";
        return std::nullopt;
    }
    if (Status labels = catalog->loadLabels(); !labels) out() << "labels not read: " << labels.error() << "\n";
    if (Status own = catalog->loadOwnProjection(); !own) out() << "own projection not read: " << own.error() << "\n";
    return std::move(*catalog);
}

// The garment colours from <cache>.colour, which indexing wrote. Without it, described from
// the catalog's images only when asked (once; saved there for the runs that follow).
void readColours(Catalog &catalog, const CatalogBenchOptions &o)
{
    if (!o.describeColours && !QFileInfo::exists(cacheFiles::colourPath(o.cache))) return;
    if (auto rows = catalog.describeColours()) catalog.setColours(Catalog::coloursFrom(*rows));
    else out() << "colours not read: " << rows.error() << "\n";
}

// The saved search space; built and saved first when there is none, as the window does on a
// catalog's first opening (once per cache).
std::shared_ptr<const SearchSpace> savedSpace(const Catalog &catalog)
{
    auto saved = catalog.loadSavedSpace();
    if (saved) return *saved;
    out() << "  no saved space (" << saved.error() << "): building it\n";
    out().flush();
    std::shared_ptr<const SearchSpace> built;
    const double seconds = secondsOf([&] { built = catalog.buildSpace(catalog.recipe(), SearchSpace::Speed::Full); });
    const Status written = catalog.saveSpace(*built);
    out() << QStringLiteral("  full space built in %1 s (coarse index: %2), %3\n")
                 .arg(seconds, 0, 'f', 1)
                 .arg(built->hasCoarseIndex() ? QStringLiteral("yes") : QStringLiteral("no"))
                 .arg(written ? QStringLiteral("saved beside the cache") : written.error());
    return built;
}

// Start-up as the window runs it, stage by stage, each run from a closed catalog.
void timeOpening(const CatalogBenchOptions &o)
{
    const WarmCold runs = warmAndCold(o.cache, o.coldRepeats, [&](int) {
        Stages stages;
        auto start = Clock::now();
        std::optional<Catalog> catalog = openCatalog(o);
        stages.push_back(msSince(start));
        start = Clock::now();
        const bool loaded = catalog && catalog->loadSavedSpace().ok();
        stages.push_back(msSince(start));
        start = Clock::now();
        if (catalog) readColours(*catalog, o);
        stages.push_back(msSince(start));
        stages.push_back(stages[0] + stages[1] + stages[2]);
        if (!loaded) out() << "  (the saved space did not load)\n";
        return stages;
    });
    const QStringList names{QStringLiteral("open (cache checksum, labels, projection)"),
                            QStringLiteral("saved search space read"), QStringLiteral("garment colours read"),
                            QStringLiteral("start-up, the three together")};
    for (int s = 0; s < int(names.size()); ++s)
        out() << QStringLiteral("  %1: %2\n").arg(names[s], -42).arg(describeWarmCold(runs, size_t(s)));
    out().flush();
}

std::vector<int> spreadItems(int size, int count)
{
    std::vector<int> items;
    for (int q = 0; q < count; ++q) items.push_back(int((std::int64_t(q) * size + size / 2) / count));
    return items;
}

std::vector<int> itemsOf(const std::vector<SearchHit> &hits)
{
    std::vector<int> items;
    for (const SearchHit &h : hits) items.push_back(h.item);
    return items;
}

std::vector<int> itemsOf(const Expected<SearchOutcome> &outcome)
{
    std::vector<int> items;
    if (outcome)
        for (const ResultItem &r : outcome->results) items.push_back(r.item);
    return items;
}

RecommendRequest moreLike(int item)
{
    RecommendRequest request;
    request.items = {item};
    request.k = kTop;
    return request;
}

// The spaces a query is ranked in: the product's (coarse index) and the same rows and
// recipe with every row scored, the reference for recall.
struct Spaces {
    const Catalog &catalog;
    const SearchSpace &shipped;
    const SearchSpace &exact;
    std::vector<int> items;
};

// One query of each kind, by number: the search layer alone, or the whole query.
std::vector<int> searchLayer(const SearchSpace &space, int item)
{
    return itemsOf(space.search(space.itemQuery(item), {kTop, item}));
}
std::vector<int> wholeQuery(const Catalog &catalog, const SearchSpace &space, int item)
{
    return itemsOf(catalog.recommend(moreLike(item), space, nullptr));
}

void timeWarm(const Spaces &s, const QString &rowsLabel)
{
    const int n = int(s.items.size());
    auto item = [&](int q) { return s.items[size_t(q)]; };
    const double layerMs = medianMs(n, [&](int q) { searchLayer(s.shipped, item(q)); });
    const double layerExactMs = medianMs(n, [&](int q) { searchLayer(s.exact, item(q)); });
    const double wholeMs = medianMs(n, [&](int q) { wholeQuery(s.catalog, s.shipped, item(q)); });
    const double wholeExactMs = medianMs(n, [&](int q) { wholeQuery(s.catalog, s.exact, item(q)); });
    double layerRecall = 0, wholeRecall = 0;
    for (int q = 0; q < n; ++q) {
        layerRecall += recall(searchLayer(s.exact, item(q)), searchLayer(s.shipped, item(q))) / n;
        wholeRecall += recall(wholeQuery(s.catalog, s.exact, item(q)), wholeQuery(s.catalog, s.shipped, item(q))) / n;
    }
    out() << QStringLiteral(
                 "  [%1, warm] search space (%2 queries, items as queries): %3 ms/query, exact %4 ms (%5x), recall@5 %6\n")
                 .arg(rowsLabel)
                 .arg(n)
                 .arg(layerMs, 0, 'f', 2)
                 .arg(layerExactMs, 0, 'f', 2)
                 .arg(layerExactMs / layerMs, 0, 'f', 1)
                 .arg(layerRecall, 0, 'f', 4)
          << QStringLiteral(
                 "  [%1, warm] whole query (Recommender: colour, labels, paths): %2 ms/query, exact %3 ms (%4x), recall@5 %5\n")
                 .arg(rowsLabel)
                 .arg(wholeMs, 0, 'f', 2)
                 .arg(wholeExactMs, 0, 'f', 2)
                 .arg(wholeExactMs / wholeMs, 0, 'f', 1)
                 .arg(wholeRecall, 0, 'f', 4);
    out().flush();
}

// Each query right after the cache left the page cache: the rows it re-scores come from the
// disk. Different items for each kind, so that none reads rows another just read.
void timeCold(const Spaces &s, const CatalogBenchOptions &o)
{
    const int n = int(s.items.size());
    auto item = [&](int kind, int r) { return s.items[size_t((kind * o.coldRepeats + r) % n)]; };
    auto timedMs = [](const std::function<void()> &run) {
        const auto start = Clock::now();
        run();
        return Stages{msSince(start)};
    };
    const auto letGo = [&] { s.catalog.store()->rows().releasePages(); };
    const WarmCold layer = warmAndCold(
        o.cache, o.coldRepeats, [&](int r) { return timedMs([&] { searchLayer(s.shipped, item(0, r)); }); }, letGo);
    const WarmCold whole = warmAndCold(
        o.cache, o.coldRepeats, [&](int r) { return timedMs([&] { wholeQuery(s.catalog, s.shipped, item(1, r)); }); }, letGo);
    const WarmCold exact = warmAndCold(
        o.cache, o.coldRepeats, [&](int r) { return timedMs([&] { searchLayer(s.exact, item(2, r)); }); }, letGo);
    out() << QStringLiteral("  [%1] search space, one query: %2\n").arg(o.rowsLabel, describeWarmCold(layer))
          << QStringLiteral("  [%1] whole query, one query:   %2\n").arg(o.rowsLabel, describeWarmCold(whole))
          << QStringLiteral("  [%1] exact scan, one query:    %2\n").arg(o.rowsLabel, describeWarmCold(exact));
    out().flush();
}

// A catalog on a network share is read into memory, never mapped (FileSystemKind.h: a
// mapped file replaced by another computer is a SIGBUS). The opening and the first search
// (the saved space read back, then one whole query) of the same cache, mapped and read, in
// one run, warm and cold: what a team's shared catalog costs a stylist's laptop.
void timeReadVersusMapped(const CatalogBenchOptions &o)
{
    const bool had = qEnvironmentVariableIsSet(fileSystem::kNetworkShareVariable);
    const QByteArray before = qgetenv(fileSystem::kNetworkShareVariable);
    const auto timeWith = [&](const char *share) {
        qputenv(fileSystem::kNetworkShareVariable, share);
        return warmAndCold(o.cache, o.coldRepeats, [&](int repeat) {
            Stages stages;
            auto start = Clock::now();
            std::optional<Catalog> catalog = openCatalog(o);
            stages.push_back(msSince(start));
            start = Clock::now();
            if (catalog)
                if (auto space = catalog->loadSavedSpace())
                    wholeQuery(*catalog, **space, spreadItems(catalog->size(), o.coldRepeats)[size_t(repeat)]);
            stages.push_back(msSince(start));
            stages.push_back(stages[0] + stages[1]);
            return stages;
        });
    };
    const WarmCold mapped = timeWith("0");
    const WarmCold read = timeWith("1");
    if (had) qputenv(fileSystem::kNetworkShareVariable, before);
    else qunsetenv(fileSystem::kNetworkShareVariable);
    const QStringList names{QStringLiteral("open"), QStringLiteral("first search (space read, one query)"),
                            QStringLiteral("open and first search")};
    for (size_t s = 0; s < size_t(names.size()); ++s)
        out() << QStringLiteral("  %1, mapped (local): %2\n").arg(names[int(s)], describeWarmCold(mapped, s))
              << QStringLiteral("  %1, read (a share): %2\n").arg(names[int(s)], describeWarmCold(read, s))
              << QStringLiteral("  %1: read / mapped %2x warm, %3x cold\n")
                     .arg(names[int(s)])
                     .arg(medianOf(read.warm, s) / std::max(medianOf(mapped.warm, s), 1e-6), 0, 'f', 2)
                     .arg(medianOf(read.cold, s) / std::max(medianOf(mapped.cold, s), 1e-6), 0, 'f', 2);
    out().flush();
}

} // namespace

int runCatalogBench(const CatalogBenchOptions &o)
{
    out() << QStringLiteral("== the product's search path on %1: %2, recipe %3\n").arg(o.rowsLabel, o.cache, o.recipe.id())
          << "  " << loadLine() << "\n";
    {
        const std::optional<Catalog> first = openCatalog(o);
        if (!first || first->size() == 0) {
            out() << "no rows for this recipe in " << o.cache << ": " << (first ? first->cacheProblem() : QString()) << "\n";
            return 1;
        }
        const auto space = savedSpace(*first);
        out() << QStringLiteral("  %1 items, space rows of %2 floats, coarse index: %3%4\n")
                     .arg(first->size())
                     .arg(space->dimension())
                     .arg(space->hasCoarseIndex() ? QStringLiteral("yes") : QStringLiteral("no"))
                     .arg(space->hasCoarseIndex() ? QString()
                                                  : QStringLiteral(" (every row is scored: the product's search is exact)"));
    }
    timeOpening(o);
    timeReadVersusMapped(o);
    const double before = residentMb();
    std::optional<Catalog> catalog = openCatalog(o);
    readColours(*catalog, o);
    const std::shared_ptr<const SearchSpace> shipped = savedSpace(*catalog);
    std::shared_ptr<const SearchSpace> exact;
    const double exactSeconds = secondsOf([&] { exact = catalog->buildSpace(o.recipe, SearchSpace::Speed::Quick); });
    out() << QStringLiteral("  exact reference: the same rows and recipe, every row scored (built in %1 s); colours: %2\n")
                 .arg(exactSeconds, 0, 'f', 1)
                 .arg(catalog->colours() ? QStringLiteral("yes") : QStringLiteral("no"));
    const Spaces spaces{*catalog, *shipped, *exact, spreadItems(catalog->size(), o.queries)};
    timeWarm(spaces, o.rowsLabel);
    timeCold(spaces, o);
    out() << QStringLiteral("  resident: +%1 MB with the catalog, both spaces and colours (%2); %3\n")
                 .arg(residentMb() - before, 0, 'f', 0)
                 .arg(residentParts(), loadLine());
    out().flush();
    return 0;
}

} // namespace lookbook::bench
