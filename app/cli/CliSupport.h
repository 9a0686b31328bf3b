#pragma once
// What the commands of lookbook-cli share: their common options, the parsed arguments
// (Context), the output streams, the exit on an error, and how a command opens its
// catalog (Catalog). One file per command (IndexCommand.cpp, QueryCommand.cpp, ...).

#include "CliCommands.h"

#include "Catalog.h"
#include "DiscriminantProjection.h"
#include "EmbeddingModel.h"
#include "EmbeddingRecipe.h"
#include "Expected.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>

#include <atomic>
#include <memory>

namespace lookbook::cli {

// Set by Ctrl+C while a long command runs (installInterruptHandler): it stops at its next step.
extern std::atomic_bool g_cancel;
void installInterruptHandler();
void restoreInterruptHandler();

QTextStream &out();
QTextStream &err();

// Options every command shares.
struct Common {
    Common();
    QCommandLineOption model;
    QCommandLineOption recipe;
    QCommandLineOption projection;
    QCommandLineOption cache;
    QCommandLineOption json;
    QCommandLineOption labels;
};

struct Context {
    const QStringList &arguments;
    QCommandLineParser &parser;
    const Common &common;
    EmbeddingRecipe recipe;
    QString catalog;
    QString cachePath;
    std::shared_ptr<const DiscriminantProjection> projection; // null: the built-in one
};

// Print the message (with a hint to --help for usage errors) and give the exit code.
int usageError(const QString &message);
int failure(const QString &message);

// Reads what every command shares once its parser has processed the arguments.
int prepareCatalog(Context &c);

Expected<std::shared_ptr<EmbeddingModel>> loadModel(const Context &ctx);

// The indexed catalog for searching: it must have been indexed with this model and recipe.
Expected<Catalog> openIndexed(const Context &ctx);
// The same with its labels (none without a styles.csv; a named --labels file that fails is
// an error) and the projection of --projection: what the searching commands open.
Expected<Catalog> openWithLabels(const Context &ctx);

// The catalog's garment colours, described now where they are missing or out of date.
Expected<RowMatrix> garmentColours(const Catalog &catalog);

// The commands, one file each.
int runIndex(Context &ctx);
int runMerge(Context &ctx);
int runQuery(Context &ctx);
int runEval(Context &ctx);
int runFitProjection(Context &ctx);
int runFitColour(Context &ctx);
int runDuplicates(Context &ctx);

} // namespace lookbook::cli
