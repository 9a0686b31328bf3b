// lookbook-cli fit-projection: the learned projection fitted to a labelled catalog, kept if it wins.
#include "CliSupport.h"

#include "ProjectionTuning.h"
#include "TerminalProgress.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

namespace lookbook::cli {

namespace {

// What fit-projection found, as text or JSON.
void printTuning(const ProjectionTuning &t, const QString &column, const QString &output, bool written, bool json,
                 double seconds)
{
    if (json) {
        const QJsonObject o{{QStringLiteral("catalog_items"), t.items},
                            {QStringLiteral("queries"), t.own.queries},
                            {QStringLiteral("column"), column},
                            {QStringLiteral("folds"), t.folds},
                            {QStringLiteral("groups"), t.groups},
                            {QStringLiteral("built_in_refitted"), t.builtInRefitted},
                            {QStringLiteral("deciding_figure"), t.decidingFigure},
                            {QStringLiteral("built_in_p_at_5_article_type"), t.builtIn.pAtKArticleType},
                            {QStringLiteral("built_in_p_at_5_article_type_colour"), t.builtIn.pAtKArticleTypeColour},
                            {QStringLiteral("own_p_at_5_article_type"), t.own.pAtKArticleType},
                            {QStringLiteral("own_p_at_5_article_type_colour"), t.own.pAtKArticleTypeColour},
                            {QStringLiteral("own_wins"), t.ownWins()},
                            {QStringLiteral("written"), written},
                            {QStringLiteral("output"), output},
                            {QStringLiteral("seconds"), seconds}};
        out() << QJsonDocument(o).toJson(QJsonDocument::Indented);
        out().flush();
        return;
    }
    const auto figure = [](double v) { return QString::number(v, 'f', 3); };
    out() << "Built-in projection -> one fitted on " << column << ", P@5 on this catalog's held-out folds ("
          << t.folds << " grouped folds, " << t.groups << " groups of siblings, " << t.own.queries << " queries):\n"
          << "  articleType          " << figure(t.builtIn.pAtKArticleType) << " -> " << figure(t.own.pAtKArticleType) << '\n'
          << "  articleType+colour   " << figure(t.builtIn.pAtKArticleTypeColour) << " -> "
          << figure(t.own.pAtKArticleTypeColour) << '\n';
    if (t.builtInRefitted)
        out() << "  (the built-in projection was fitted on files of this catalog: its figures are those of its fit "
                 "redone on the training folds)\n";
    const QString where = QDir::toNativeSeparators(output);
    if (t.ownWins())
        out() << "Its own projection wins on " << t.decidingFigure << ": fitted on "
              << t.projection->provenance().value(QStringLiteral("items")).toInt() << " items in "
              << t.projection->provenance().value(QStringLiteral("classes")).toInt() << ' ' << column << " classes, written to "
              << where << " in " << QString::number(seconds, 'f', 1) << " s\n";
    else
        out() << "The built-in projection does as well or better on " << t.decidingFigure << ": "
              << (written ? QStringLiteral("%1 written anyway (--force)").arg(where)
                          : QStringLiteral("%1 not written (--force writes it anyway)").arg(where))
              << '\n';
    out().flush();
}

} // namespace

// Fits the discriminant projection to a labelled, indexed catalog ("tune to my catalog";
// also how the built-in projection in models/ is made), and writes it only when it beats the
// built-in one on the catalog's held-out folds (tuneProjection), or with --force.
int runFitProjection(Context &ctx)
{
    QCommandLineOption output(QStringLiteral("output"), QStringLiteral("Where to write the projection."),
                              QStringLiteral("file"));
    QCommandLineOption column(QStringLiteral("column"),
                              QStringLiteral("The styles.csv column whose values are the classes (default: articleType)."),
                              QStringLiteral("name"), QStringLiteral("articleType"));
    QCommandLineOption force(QStringLiteral("force"),
                             QStringLiteral("Write the projection even when the built-in one does as well on the "
                                            "catalog's held-out folds."));
    ctx.parser.addOptions({ctx.common.labels, ctx.common.json, output, column, force});
    ctx.parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The indexed, labelled catalog folder."));
    ctx.parser.process(ctx.arguments);
    if (const int code = prepareCatalog(ctx); code != Ok) return code;
    if (!ctx.parser.isSet(output)) return usageError(QStringLiteral("fit-projection needs --output FILE"));
    auto catalog = openWithLabels(ctx);
    if (!catalog) return failure(catalog.error());
    if (!catalog->labels()) return failure(QStringLiteral("fitting needs labels: put a styles.csv in the catalog or pass --labels"));

    const TuningRequest request{ctx.parser.value(column), ctx.catalog,
                                QStringLiteral("lookbook-cli ") + ctx.arguments.mid(1).join(u' '), kCrossValidationFolds};
    QElapsedTimer clock;
    clock.start();
    installInterruptHandler();
    TerminalProgress bar(QStringLiteral("held-out folds"), QStringLiteral("steps/s"));
    auto tuning = tuneProjection(*catalog->store(), *catalog->labels(), ctx.recipe, request,
                                 [&](int done, int total) { bar.update({done, total, 0, -1, {}}); }, &g_cancel);
    bar.finish();
    if (g_cancel.load()) return Cancelled;
    if (!tuning) return failure(tuning.error());
    const QString path = ctx.parser.value(output);
    const bool write = tuning->ownWins() || ctx.parser.isSet(force);
    if (write)
        if (Status saved = tuning->projection->save(path); !saved) return failure(saved.error());
    printTuning(*tuning, request.column, path, write, ctx.parser.isSet(ctx.common.json), double(clock.nsecsElapsed()) / 1e9);
    return write ? Ok : Failed;
}

} // namespace lookbook::cli
