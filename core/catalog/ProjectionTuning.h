#pragma once
// "Tune to my catalog" measured before it is offered: a projection fitted on the user's own
// labelled catalog is compared with the built-in one on the catalog's held-out folds
// (CrossValidationFolds: siblings kept together; Evaluator::heldOut: the held-out fold kept
// out of the fit and of the augmented rows), and fitted on all items for use. What it was
// fitted on is recorded by content, so that a later evaluation of a catalog holding those
// files, under any name, is cross-validated (Evaluator::foldsNeeded).

#include "Evaluator.h"

#include <QString>

#include <atomic>
#include <memory>

namespace lookbook {

struct TuningRequest {
    QString column = QStringLiteral("articleType"); // the styles.csv column whose values are the classes
    QString catalogRoot; // where the store's files are: their contents are recorded (none when empty)
    QString command;     // how the fit was asked for, kept in the provenance
    int folds = kCrossValidationFolds;
};

struct ProjectionTuning {
    int items = 0;
    int folds = 0;
    int groups = 0; // of siblings, dealt to the folds
    // The built-in projection was fitted on files of this catalog: its held-out figures are
    // those of the same fit redone on the training folds' articleType labels.
    bool builtInRefitted = false;
    CatalogQuality builtIn; // held-out figures with the built-in projection
    CatalogQuality own;     // with projections fitted on the training folds' `column` labels
    // Fitted on every labelled item, with its provenance: column, recipe, counts, the
    // training files' names and contents, the command and the held-out figures.
    std::shared_ptr<const DiscriminantProjection> projection;
    // The figure the decision rests on: articleType+colour for a colour column, else articleType.
    QString decidingFigure;
    double builtInFigure() const;
    double ownFigure() const;
    bool ownWins() const { return ownFigure() > builtInFigure(); }
};

// The comparison above; meant to run off the GUI thread. `progress` counts steps (grouping,
// each fold of each figure, the final fit); once `cancel` is set it stops before the next
// step with the failure "cancelled". Refused with the reason when the recipe has no learned
// projection, the labels lack the column or articleType, or a fold cannot be measured.
Expected<ProjectionTuning> tuneProjection(const EmbeddingStore &store, const StyleLabels &labels,
                                          const EmbeddingRecipe &recipe, const TuningRequest &request,
                                          const Evaluator::Progress &progress = {},
                                          const std::atomic_bool *cancel = nullptr);

// XXH3-64 of a file's bytes as 16 hex digits; empty when it cannot be read.
QString fileContentHash(const QString &path);
// True when one of the store's files (under catalogRoot) was in `projection`'s training
// set: by content (size, then XXH3-64 of the bytes) when its provenance records contents,
// else by file name, as older projection files (the built-in one) record only names.
bool sharesTrainingItems(const EmbeddingStore &store, const QString &catalogRoot,
                         const DiscriminantProjection &projection);

} // namespace lookbook
