// Entry point of lookbook-bench: the performance figures of docs/performance.md, each
// printed beside its comparison measured in the same run. Build it in Release.
#include "DuplicatesBench.h"
#include "IndexBench.h"
#include "SearchBench.h"
#include "ShardBench.h"
#include "StoreBench.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <algorithm>
#include <cstdio>

using namespace lookbook::bench;

namespace {

// Every option of the command line; which commands read which is in its description.
struct BenchOptions {
    const QCommandLineOption cache{QStringLiteral("cache"), QStringLiteral("A cache (default recipe) whose rows the synthetic ones are derived from."), QStringLiteral("file")};
    const QCommandLineOption items{QStringLiteral("items"), QStringLiteral("Items to search (search: 44000, million: 1000000)."), QStringLiteral("n")};
    const QCommandLineOption dimension{QStringLiteral("dimension"), QStringLiteral("Columns of the synthetic rows (2048)."), QStringLiteral("n"), QStringLiteral("2048")};
    const QCommandLineOption queries{QStringLiteral("queries"), QStringLiteral("Queries per measurement (200; million: 50)."), QStringLiteral("n")};
    const QCommandLineOption coarseDims{QStringLiteral("coarse-dimensions"), QStringLiteral("Principal axes of the coarse index."), QStringLiteral("n")};
    const QCommandLineOption shortlist{QStringLiteral("shortlist"), QStringLiteral("Rows re-scored exactly per query."), QStringLiteral("n")};
    const QCommandLineOption catalog{QStringLiteral("catalog"),
                                     QStringLiteral("Catalog folder for index and reindex (the demo subset); search: the folder "
                                                    "of --cache, to measure the product's search path on it."),
                                     QStringLiteral("folder")};
    const QCommandLineOption merge{QStringLiteral("merge"),
                                   QStringLiteral("store: the real rows of this cache of a catalog instead of synthetic rows; "
                                                  "repeat it to merge disjoint catalogs into one."),
                                   QStringLiteral("cache=folder")};
    const QCommandLineOption recipe{QStringLiteral("recipe"),
                                    QStringLiteral("search --catalog: the recipe id searched (the default recipe); its space is "
                                                   "saved beside the cache in place of the default's."),
                                    QStringLiteral("id")};
    const QCommandLineOption images{QStringLiteral("images"), QStringLiteral("Images for the index benchmark (160; shards: 1000)."), QStringLiteral("n"), QStringLiteral("160")};
    const QCommandLineOption shardCatalog{QStringLiteral("shard-catalog"),
                                          QStringLiteral("shards: the catalog folder indexed (default: links to the first --images "
                                                         "training images of the shared folder)."),
                                          QStringLiteral("folder")};
    const QCommandLineOption rounds{QStringLiteral("rounds"), QStringLiteral("Rounds of the index benchmark (3)."), QStringLiteral("n"), QStringLiteral("3")};
    const QCommandLineOption copies{QStringLiteral("copies"), QStringLiteral("Copies of the catalog for reindex (15: 45k items)."), QStringLiteral("n"), QStringLiteral("15")};
    const QCommandLineOption keep{QStringLiteral("keep"), QStringLiteral("reindex: keep the catalog and its cache (to time the app on them).")};
    const QCommandLineOption workDir{QStringLiteral("work-dir"), QStringLiteral("Where large temporary files go (the current folder)."), QStringLiteral("folder"), QDir::currentPath()};

    QList<QCommandLineOption> all() const
    {
        return {cache,  items, dimension, queries, coarseDims, shortlist, catalog,
                recipe, merge, images,    rounds,  copies,     keep,      workDir, shardCatalog};
    }
};

void describe(QCommandLineParser &parser, const BenchOptions &options)
{
    parser.setApplicationDescription(
        QStringLiteral("Lookbook's benchmarks. Commands:\n"
                       "  search    search over 44k synthetic items and the --cache's real rows against a\n"
                       "            single-threaded Eigen GEMV; with --catalog, the product's search path on it\n"
                       "  million   search over a million items (fp32 rows memory-mapped from --work-dir)\n"
                       "  index     images/s of the network alone, the indexer and the plain recipe\n"
                       "  reindex   re-indexing an unchanged catalog of --copies copies of a catalog\n"
                       "  store     opening a 44k cache: time, resident memory, the window's search\n"
                       "  duplicates  near-duplicates among 44k synthetic items with planted copies\n"
                       "  shards    images/s of 1, 2 and 4 lookbook-cli shard processes and their merge beside\n"
                       "            one process over the whole catalog, and the merged rows checked bit for bit\n"
                       "  all       every one of them"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("search, million, index, reindex, store, duplicates, shards or all"));
    parser.addOptions(options.all());
}

SearchBenchOptions searchOptions(const QCommandLineParser &parser, const BenchOptions &options, int defaultItems,
                                 int defaultQueries)
{
    SearchBenchOptions o;
    o.cache = parser.value(options.cache);
    o.items = parser.isSet(options.items) ? parser.value(options.items).toInt() : defaultItems;
    o.dimension = parser.value(options.dimension).toInt();
    o.queries = parser.isSet(options.queries) ? parser.value(options.queries).toInt() : defaultQueries;
    if (parser.isSet(options.coarseDims)) o.coarse.dimensions = parser.value(options.coarseDims).toInt();
    if (parser.isSet(options.shortlist)) o.coarse.shortlist = parser.value(options.shortlist).toInt();
    o.catalog = parser.value(options.catalog);
    if (parser.isSet(options.recipe)) o.recipe = lookbook::EmbeddingRecipe::fromId(parser.value(options.recipe));
    return o;
}

IndexBenchOptions indexOptions(const QCommandLineParser &parser, const BenchOptions &options)
{
    IndexBenchOptions o;
    o.catalog = parser.value(options.catalog);
    o.images = parser.value(options.images).toInt();
    o.rounds = std::max(1, parser.value(options.rounds).toInt());
    o.copies = parser.value(options.copies).toInt();
    o.workDir = parser.value(options.workDir);
    o.rowsFrom = parser.value(options.cache);
    o.keep = parser.isSet(options.keep);
    return o;
}

// Runs `command` (or every benchmark for "all"); the statuses of those run, or'ed.
int runCommand(const QString &command, const QCommandLineParser &parser, const BenchOptions &options)
{
    const int items = parser.isSet(options.items) ? parser.value(options.items).toInt() : 44000;
    int status = 0;
    const bool all = command == QLatin1String("all");
    if (all || command == QLatin1String("search")) {
        const SearchBenchOptions o = searchOptions(parser, options, 44000, 200);
        if (parser.isSet(options.recipe) && !o.recipe) {
            std::fprintf(stderr, "lookbook-bench: --recipe: '%s' is not a recipe id\n", qPrintable(parser.value(options.recipe)));
            return 2;
        }
        status |= runSearchBench(o);
    }
    if (all || command == QLatin1String("million"))
        status |= runMillionBench(searchOptions(parser, options, 1000000, 50),
                                  QDir(parser.value(options.workDir)).filePath(QStringLiteral("lookbook-bench-million.f32")));
    if (all || command == QLatin1String("index")) status |= runIndexBench(indexOptions(parser, options));
    if (all || command == QLatin1String("reindex")) status |= runReindexBench(indexOptions(parser, options));
    if (all || command == QLatin1String("store")) {
        StoreBenchOptions o;
        o.cache = parser.value(options.cache);
        o.items = items;
        o.workDir = parser.value(options.workDir);
        o.merge = parser.values(options.merge);
        status |= runStoreBench(o);
    }
    if (all || command == QLatin1String("duplicates")) {
        DuplicatesBenchOptions o;
        o.cache = parser.value(options.cache);
        o.items = items;
        o.dimension = parser.value(options.dimension).toInt();
        status |= runDuplicatesBench(o);
    }
    if (all || command == QLatin1String("shards")) {
        ShardBenchOptions o;
        o.catalog = parser.value(options.shardCatalog);
        if (parser.isSet(options.images)) o.images = parser.value(options.images).toInt();
        o.workDir = parser.value(options.workDir);
        status |= runShardBench(o);
    }
    return status;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lookbook-bench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOOKBOOK_VERSION));
    QCommandLineParser parser;
    const BenchOptions options;
    describe(parser, options);
    parser.process(app);
    const QString command = parser.positionalArguments().value(0, QStringLiteral("all"));

    const int status = runCommand(command, parser, options);
    const QStringList known{QStringLiteral("search"), QStringLiteral("million"), QStringLiteral("index"), QStringLiteral("reindex"), QStringLiteral("store"), QStringLiteral("duplicates"),
                             QStringLiteral("shards")};
    if (command != QLatin1String("all") && !known.contains(command)) {
        std::fprintf(stderr, "lookbook-bench: unknown command '%s' (see --help)\n", qPrintable(command));
        return 2;
    }
    return status;
}
