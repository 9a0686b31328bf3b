#include "CliCommands.h"

#include "CliSupport.h"

#include <QCommandLineParser>

namespace lookbook::cli {

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Lookbook: find the catalog items that look most like an image.\n\n"
                       "Commands:\n"
                       "  index CATALOG               build or update the catalog's embedding cache\n"
                       "                              (--shard K/N --cache PART: only shard K of N, for merge)\n"
                       "  merge CATALOG PART...       the catalog's cache from the partial caches of all its shards\n"
                       "  query CATALOG IMAGE...      the items most like IMAGE (-k N, --filter F=V, --text W,\n"
                       "                              --region X,Y,W,H, --like/--dislike IMAGE, --json,\n"
                       "                              --export FILE.csv|.json|.png, --copy-to FOLDER)\n"
                       "  eval CATALOG                retrieval quality by the protocol of docs/quality.md\n"
                       "  fit-projection CATALOG      fit the learned projection to a labelled catalog (kept if it wins)\n"
                       "  fit-colour CATALOG          fit the colour model to a catalog labelled with colours\n"
                       "  duplicates CATALOG          groups of near-duplicate items (--threshold T, --json)\n\n"
                       "'lookbook-cli COMMAND --help' lists a command's options."));
    parser.addHelpOption();
    parser.addVersionOption();
    const Common common;
    parser.addOptions({common.model, common.recipe, common.cache});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("index, merge, query, eval, fit-projection, fit-colour or duplicates"));
    parser.parse(arguments); // a first pass to find the command; errors are reported by process()

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    if (command.isEmpty()) {
        if (parser.isSet(QStringLiteral("version")) || parser.isSet(QStringLiteral("help"))) parser.process(arguments);
        return usageError(QStringLiteral("no command given (index, merge, query, eval, fit-projection, fit-colour or duplicates)"));
    }
    parser.clearPositionalArguments();
    parser.addPositionalArgument(command, QStringLiteral("The command."), command);

    Context ctx{arguments, parser, common, EmbeddingRecipe::defaultRecipe(), {}, {}, {}};
    using Handler = int (*)(Context &);
    Handler handler = command == QLatin1String("index") ? runIndex
                    : command == QLatin1String("merge") ? runMerge
                    : command == QLatin1String("query") ? runQuery
                    : command == QLatin1String("eval")  ? runEval
                    : command == QLatin1String("fit-projection") ? runFitProjection
                    : command == QLatin1String("fit-colour") ? runFitColour
                    : command == QLatin1String("duplicates") ? runDuplicates
                                                        : nullptr;
    if (!handler) return usageError(QStringLiteral("unknown command '%1' (index, merge, query, eval, fit-projection, fit-colour or duplicates)").arg(command));

    return handler(ctx);
}

} // namespace lookbook::cli
