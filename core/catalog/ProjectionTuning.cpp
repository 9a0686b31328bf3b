#include "ProjectionTuning.h"

#include "ByteStreams.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>

namespace lookbook {

namespace {

const QString kArticleType = QStringLiteral("articleType");
const QString kBaseColour = QStringLiteral("baseColour");
const QString kTypeFigure = QStringLiteral("articleType");
const QString kTypeColourFigure = QStringLiteral("articleType+colour");
// The provenance keys of the training set: names (all projection files), and contents
// ({"bytes": size, "xxh3": hex} per file) from this version on.
const QString kFittedOnFiles = QStringLiteral("fitted_on_files");
const QString kFittedOnContents = QStringLiteral("fitted_on_contents");
const QString kBytes = QStringLiteral("bytes");
const QString kXxh3 = QStringLiteral("xxh3");

QString contentKey(qint64 bytes, const QString &hash) { return QString::number(bytes) + u':' + hash; }

// The projection the product would use, fitted on every item labelled in the column, with
// what it was fitted on.
Expected<DiscriminantProjection> fittedOnAll(const EmbeddingStore &store, const StyleLabels &labels,
                                             const EmbeddingRecipe &recipe, const TuningRequest &request)
{
    std::vector<QString> values;
    QJsonArray files, contents;
    const QDir root(request.catalogRoot);
    for (const CatalogFile &item : store.items()) {
        values.push_back(labels.value(item.relativePath, request.column));
        if (values.back().isEmpty()) continue;
        files.append(QFileInfo(item.relativePath).fileName());
        if (request.catalogRoot.isEmpty()) continue;
        const QString path = root.filePath(item.relativePath);
        if (const QString hash = fileContentHash(path); !hash.isEmpty())
            contents.append(QJsonObject{{kBytes, QFileInfo(path).size()}, {kXxh3, hash}});
    }
    auto projection = DiscriminantProjection::fit(store.vectors(), DiscriminantProjection::classIds(values));
    if (!projection)
        return Expected<DiscriminantProjection>::failure(QStringLiteral("the projection cannot be fitted on all items: %1")
                                                             .arg(projection.error()));
    QJsonObject provenance = projection->provenance();
    provenance.insert(QStringLiteral("label_column"), request.column);
    provenance.insert(QStringLiteral("recipe"), recipe.indexRecipe().id());
    provenance.insert(QStringLiteral("search_recipe"), recipe.id());
    if (!request.catalogRoot.isEmpty()) provenance.insert(QStringLiteral("catalog"), QFileInfo(request.catalogRoot).fileName());
    if (!request.command.isEmpty()) provenance.insert(QStringLiteral("command"), request.command);
    provenance.insert(kFittedOnFiles, files);
    provenance.insert(kFittedOnContents, contents);
    projection->setProvenance(provenance);
    return projection;
}

QJsonObject heldOutJson(const ProjectionTuning &tuning)
{
    return {{QStringLiteral("folds"), tuning.folds},
            {QStringLiteral("groups"), tuning.groups},
            {QStringLiteral("queries"), tuning.own.queries},
            {QStringLiteral("built_in_refitted"), tuning.builtInRefitted},
            {QStringLiteral("built_in_p_at_5_article_type"), tuning.builtIn.pAtKArticleType},
            {QStringLiteral("built_in_p_at_5_article_type_colour"), tuning.builtIn.pAtKArticleTypeColour},
            {QStringLiteral("p_at_5_article_type"), tuning.own.pAtKArticleType},
            {QStringLiteral("p_at_5_article_type_colour"), tuning.own.pAtKArticleTypeColour}};
}

Status checkRequest(const StyleLabels &labels, const EmbeddingRecipe &recipe, const TuningRequest &request)
{
    if (recipe.projectionWeight <= 0)
        return Status::failure(QStringLiteral("the recipe %1 has no learned projection (an ldaW part): there is nothing to tune")
                                   .arg(recipe.id()));
    for (const QString &column : {request.column, kArticleType})
        if (!labels.columns().contains(column))
            return Status::failure(QStringLiteral("the labels have no %1 column (they have %2)")
                                       .arg(column, labels.columns().join(QStringLiteral(", "))));
    return success();
}

} // namespace

double ProjectionTuning::builtInFigure() const
{
    return decidingFigure == kTypeColourFigure ? builtIn.pAtKArticleTypeColour : builtIn.pAtKArticleType;
}

double ProjectionTuning::ownFigure() const
{
    return decidingFigure == kTypeColourFigure ? own.pAtKArticleTypeColour : own.pAtKArticleType;
}

Expected<ProjectionTuning> tuneProjection(const EmbeddingStore &store, const StyleLabels &labels,
                                          const EmbeddingRecipe &recipe, const TuningRequest &request,
                                          const Evaluator::Progress &progress, const std::atomic_bool *cancel)
{
    using Result = Expected<ProjectionTuning>;
    if (Status ok = checkRequest(labels, recipe, request); !ok) return Result::failure(ok.error());
    const int total = 2 + 2 * request.folds; // grouping, each fold of both figures, the final fit
    const auto step = [&](int done) { if (progress) progress(done, total); };
    const auto folds = CrossValidationFolds::grouped(store, labels, request.column, request.folds, cancel);
    if (!folds) return Result::failure(QStringLiteral("cancelled"));
    step(1);

    ProjectionTuning tuning;
    tuning.items = store.size();
    tuning.folds = folds->folds();
    tuning.groups = folds->groups();
    tuning.decidingFigure = request.column == kBaseColour ? kTypeColourFigure : kTypeFigure;
    const DiscriminantProjection &builtIn = DiscriminantProjection::builtIn();
    tuning.builtInRefitted = builtIn.inputDimension() == store.dimension()
                             && sharesTrainingItems(store, request.catalogRoot, builtIn);
    const auto heldOut = [&](const Evaluator::FoldProjection &projectionFor, int stepsBefore) {
        const Evaluator::HeldOutRun run{kProtocolK, nullptr, [&](int done, int) { step(stepsBefore + done); }, cancel};
        return Evaluator::heldOut(store, labels, recipe, *folds, projectionFor, run);
    };
    const auto own = heldOut(Evaluator::fittedOnTrainingFolds(store, labels, request.column, *folds), 1);
    if (!own) return Result::failure(own.error());
    tuning.own = *own;
    if (tuning.builtInRefitted && request.column == kArticleType) {
        tuning.builtIn = *own; // the built-in fit redone on the training folds is this very fit
    } else {
        // A null projection is the built-in one (SearchSpace).
        const auto asShipped = [](int) { return Expected<std::shared_ptr<const DiscriminantProjection>>(nullptr); };
        const auto figures = heldOut(tuning.builtInRefitted ? Evaluator::fittedOnTrainingFolds(store, labels, kArticleType, *folds)
                                                            : Evaluator::FoldProjection(asShipped),
                                     1 + tuning.folds);
        if (!figures) return Result::failure(figures.error());
        tuning.builtIn = *figures;
    }
    if (cancel && cancel->load()) return Result::failure(QStringLiteral("cancelled"));
    auto fitted = fittedOnAll(store, labels, recipe, request);
    if (!fitted) return Result::failure(fitted.error());
    QJsonObject provenance = fitted->provenance();
    provenance.insert(QStringLiteral("held_out"), heldOutJson(tuning));
    fitted->setProvenance(provenance);
    tuning.projection = std::make_shared<const DiscriminantProjection>(std::move(*fitted));
    step(total);
    return tuning;
}

QString fileContentHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = file.readAll();
    return QStringLiteral("%1").arg(format::checksum(bytes.constData(), bytes.size()), 16, 16, QLatin1Char('0'));
}

bool sharesTrainingItems(const EmbeddingStore &store, const QString &catalogRoot, const DiscriminantProjection &projection)
{
    const QJsonObject provenance = projection.provenance();
    const QJsonArray contents = provenance.value(kFittedOnContents).toArray();
    if (!contents.isEmpty()) {
        // Sizes first: only a file of a trained size is read.
        QSet<qint64> sizes;
        QSet<QString> trained;
        for (const QJsonValue &value : contents) {
            const QJsonObject content = value.toObject();
            sizes.insert(content.value(kBytes).toInteger());
            trained.insert(contentKey(content.value(kBytes).toInteger(), content.value(kXxh3).toString()));
        }
        const QDir root(catalogRoot);
        for (const CatalogFile &item : store.items()) {
            const QString path = root.filePath(item.relativePath);
            const qint64 bytes = QFileInfo(path).size();
            if (sizes.contains(bytes) && trained.contains(contentKey(bytes, fileContentHash(path)))) return true;
        }
        return false;
    }
    // Older projection files name their training files only: a shared name is taken to
    // mean a shared file.
    QSet<QString> trained;
    for (const QJsonValue &name : provenance.value(kFittedOnFiles).toArray()) trained.insert(name.toString());
    for (const CatalogFile &item : store.items())
        if (trained.contains(QFileInfo(item.relativePath).fileName())) return true;
    return false;
}

} // namespace lookbook
