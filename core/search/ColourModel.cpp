#include "ColourModel.h"

#include "BuiltInResource.h"
#include "GarmentColour.h"
#include "ByteStreams.h"
#include "StyleLabels.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QSaveFile>

#include <cmath>

namespace lookbook {

namespace {

const QString kFormat = QStringLiteral("lookbook-colour-model");
constexpr int kVersion = 1;

QJsonArray toJson(const float *values, Eigen::Index count)
{
    QJsonArray array;
    for (Eigen::Index i = 0; i < count; ++i) array.append(double(values[i]));
    return array;
}

bool fromJson(const QJsonValue &value, float *out, Eigen::Index count)
{
    const QJsonArray array = value.toArray();
    if (array.size() != count) return false;
    for (Eigen::Index i = 0; i < count; ++i) {
        if (!array[i].isDouble()) return false;
        out[i] = float(array[i].toDouble());
        if (!std::isfinite(out[i])) return false;
    }
    return true;
}

// Softmax of each row, in place, stable for large scores.
void softmaxRows(RowMatrix &scores)
{
    scores.colwise() -= scores.rowwise().maxCoeff();
    scores = scores.array().exp();
    scores.array().colwise() /= scores.rowwise().sum().array();
}

} // namespace

RowMatrix ColourModel::features(const RowMatrix &descriptions) const
{
    // Square roots make the averaged probabilities comparable across magnitudes (a colour
    // on 5% of the garment still counts); then standardised as on the fitting data, with a
    // constant column for the bias.
    RowMatrix x(descriptions.rows(), descriptions.cols() + 1);
    x.leftCols(descriptions.cols()) = descriptions.array().max(0.0f).sqrt().matrix();
    if (m_mean.size() == descriptions.cols())
        x.leftCols(descriptions.cols()) =
            ((x.leftCols(descriptions.cols()).rowwise() - m_mean).array().rowwise() / m_scale.array()).matrix();
    x.col(descriptions.cols()).setOnes();
    return x;
}

Expected<ColourModel> ColourModel::fit(const RowMatrix &descriptions, const std::vector<QString> &labels,
                                       const QHash<QString, QString> &familyOf, const ColourFitOptions &options,
                                       int minExamples)
{
    using Result = Expected<ColourModel>;
    QMap<QString, int> counts; // sorted, so the classes' order does not depend on the rows'
    for (size_t i = 0; i < labels.size() && Eigen::Index(i) < descriptions.rows(); ++i)
        if (!labels[i].isEmpty()) ++counts[labels[i]];
    ColourModel model;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() >= minExamples) model.m_colours.append(it.key());
    if (model.m_colours.size() < 2)
        return Result::failure(QStringLiteral("fitting a colour model needs at least two colours with %1 or more "
                                              "labelled items each (found %2)").arg(minExamples).arg(model.m_colours.size()));
    for (const QString &colour : model.m_colours)
        model.m_family.push_back(int(GarmentColour::basicNames().indexOf(familyOf.value(colour))));

    std::vector<Eigen::Index> rows;
    std::vector<int> target;
    for (size_t i = 0; i < labels.size() && Eigen::Index(i) < descriptions.rows(); ++i) {
        const qsizetype c = model.m_colours.indexOf(labels[i]);
        if (c < 0) continue;
        rows.push_back(Eigen::Index(i));
        target.push_back(int(c));
    }
    RowMatrix picked(Eigen::Index(rows.size()), descriptions.cols());
    for (size_t r = 0; r < rows.size(); ++r) picked.row(Eigen::Index(r)) = descriptions.row(rows[r]);
    RowMatrix x = model.features(picked); // unstandardised: no mean yet
    const Eigen::Index d = descriptions.cols();
    model.m_mean = x.leftCols(d).colwise().mean();
    model.m_scale = ((x.leftCols(d).rowwise() - model.m_mean).array().square().colwise().mean().sqrt() + 1e-6f).matrix();
    x = model.features(picked);

    const Eigen::Index n = x.rows(), k = model.m_colours.size();
    RowMatrix y = RowMatrix::Zero(n, k);
    for (Eigen::Index r = 0; r < n; ++r) y(r, target[size_t(r)]) = 1.0f;
    // Full-batch Adam on the cross-entropy with an L2 penalty: a convex problem of a few
    // thousand parameters, solved in seconds without a library.
    RowMatrix w = RowMatrix::Zero(x.cols(), k), m = w, v = w;
    constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEpsilon = 1e-8f;
    for (int step = 1; step <= options.iterations; ++step) {
        RowMatrix p = x * w;
        softmaxRows(p);
        const RowMatrix gradient = x.transpose() * (p - y) / float(n) + options.l2 * w;
        m = kBeta1 * m + (1 - kBeta1) * gradient;
        v = kBeta2 * v + (1 - kBeta2) * gradient.cwiseProduct(gradient);
        const float c1 = 1 - std::pow(kBeta1, float(step)), c2 = 1 - std::pow(kBeta2, float(step));
        w.array() -= options.learningRate * (m.array() / c1) / ((v.array() / c2).sqrt() + kEpsilon);
    }
    model.m_weights = std::move(w);
    model.m_provenance = QJsonObject{{QStringLiteral("items"), qint64(n)},
                                     {QStringLiteral("colours"), qint64(k)},
                                     {QStringLiteral("iterations"), options.iterations},
                                     {QStringLiteral("l2"), double(options.l2)},
                                     {QStringLiteral("description"), GarmentColour::kVersion}};
    return model;
}

RowMatrix ColourModel::colourProbabilities(const RowMatrix &descriptions) const
{
    RowMatrix p = features(descriptions) * m_weights;
    softmaxRows(p);
    return p;
}

RowMatrix ColourModel::familyProbabilities(const RowMatrix &colourProbabilities) const
{
    RowMatrix families = RowMatrix::Zero(colourProbabilities.rows(), GarmentColour::kBasicNames);
    for (Eigen::Index c = 0; c < colourProbabilities.cols(); ++c)
        if (const int f = m_family[size_t(c)]; f >= 0) families.col(f) += colourProbabilities.col(c);
    return families;
}

std::optional<ColourModel::Choice> ColourModel::choose(const QString &name) const
{
    const QString wanted = name.simplified();
    for (qsizetype f = 0; f < GarmentColour::basicNames().size(); ++f)
        if (GarmentColour::basicNames()[f].compare(wanted, Qt::CaseInsensitive) == 0) return Choice{int(f), -1};
    for (qsizetype c = 0; c < m_colours.size(); ++c)
        if (m_colours[c].compare(wanted, Qt::CaseInsensitive) == 0) return Choice{-1, int(c)};
    return std::nullopt;
}

QString ColourModel::nameOf(const Choice &choice) const
{
    if (choice.family >= 0) return GarmentColour::basicNames().value(choice.family);
    return m_colours.value(choice.colour);
}

quint64 ColourModel::fingerprint() const
{
    return format::checksum({QByteArrayView(reinterpret_cast<const char *>(m_mean.data()), m_mean.size() * qsizetype(sizeof(float))),
                             QByteArrayView(reinterpret_cast<const char *>(m_weights.data()), m_weights.size() * qsizetype(sizeof(float)))});
}

Status ColourModel::save(const QString &path) const
{
    QJsonArray colours;
    for (qsizetype c = 0; c < m_colours.size(); ++c)
        colours.append(QJsonObject{{QStringLiteral("name"), m_colours[c]},
                                   {QStringLiteral("family"), GarmentColour::basicNames().value(m_family[size_t(c)])}});
    const QJsonObject root{{QStringLiteral("format"), kFormat},
                           {QStringLiteral("version"), kVersion},
                           {QStringLiteral("description"), GarmentColour::kVersion},
                           {QStringLiteral("description_dimension"), int(m_mean.size())},
                           {QStringLiteral("colours"), colours},
                           {QStringLiteral("mean"), toJson(m_mean.data(), m_mean.size())},
                           {QStringLiteral("scale"), toJson(m_scale.data(), m_scale.size())},
                           {QStringLiteral("weights"), toJson(m_weights.data(), m_weights.size())},
                           {QStringLiteral("provenance"), m_provenance}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return success();
}

Expected<ColourModel> ColourModel::fromJson(const QByteArray &json)
{
    using Result = Expected<ColourModel>;
    QJsonParseError error{};
    const QJsonObject root = QJsonDocument::fromJson(json, &error).object();
    if (error.error != QJsonParseError::NoError || root.value(QStringLiteral("format")).toString() != kFormat)
        return Result::failure(QStringLiteral("not a Lookbook colour model"));
    if (root.value(QStringLiteral("version")).toInt() != kVersion)
        return Result::failure(QStringLiteral("a colour model of another format version (%1)")
                                   .arg(root.value(QStringLiteral("version")).toInt()));
    if (root.value(QStringLiteral("description")).toString() != GarmentColour::kVersion
        || root.value(QStringLiteral("description_dimension")).toInt() != GarmentColour::kDimension)
        return Result::failure(QStringLiteral("a colour model for another colour description (%1)")
                                   .arg(root.value(QStringLiteral("description")).toString()));
    ColourModel model;
    for (const QJsonValue &c : root.value(QStringLiteral("colours")).toArray()) {
        model.m_colours.append(c[QStringLiteral("name")].toString());
        model.m_family.push_back(int(GarmentColour::basicNames().indexOf(c[QStringLiteral("family")].toString())));
    }
    const Eigen::Index d = GarmentColour::kDimension, k = model.m_colours.size();
    model.m_mean.resize(d);
    model.m_scale.resize(d);
    model.m_weights.resize(d + 1, k);
    if (k < 2 || !lookbook::fromJson(root.value(QStringLiteral("mean")), model.m_mean.data(), d)
        || !lookbook::fromJson(root.value(QStringLiteral("scale")), model.m_scale.data(), d)
        || !lookbook::fromJson(root.value(QStringLiteral("weights")), model.m_weights.data(), (d + 1) * k)
        || (model.m_scale.array() <= 0).any())
        return Result::failure(QStringLiteral("the colour model is damaged (its parameters do not add up)"));
    model.m_provenance = root.value(QStringLiteral("provenance")).toObject();
    return model;
}

Expected<ColourModel> ColourModel::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Expected<ColourModel>::failure(
            QStringLiteral("cannot read the colour model %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    auto model = fromJson(file.readAll());
    if (!model) return Expected<ColourModel>::failure(QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), model.error()));
    return model;
}

const std::shared_ptr<const ColourModel> &ColourModel::builtInShared()
{
    static const std::shared_ptr<const ColourModel> model = [] {
        constexpr const char *kWhat = "colour model";
        return std::make_shared<const ColourModel>(
            parsedBuiltIn(fromJson(builtInResource(QStringLiteral("fashion_colour_model.json"), kWhat)), kWhat));
    }();
    return model;
}

Expected<QHash<QString, QString>> ColourModel::loadFamilies(const QString &csvPath)
{
    using Result = Expected<QHash<QString, QString>>;
    QFile file(csvPath);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("cannot read the colour families %1: %2")
                                   .arg(QDir::toNativeSeparators(csvPath), file.errorString()));
    const QList<QStringList> records = parseCsv(file.readAll());
    if (records.isEmpty() || records.first().indexOf(QStringLiteral("baseColour")) < 0
        || records.first().indexOf(QStringLiteral("family")) < 0)
        return Result::failure(QStringLiteral("%1 needs the columns baseColour, family").arg(QDir::toNativeSeparators(csvPath)));
    const qsizetype colourCol = records.first().indexOf(QStringLiteral("baseColour"));
    const qsizetype familyCol = records.first().indexOf(QStringLiteral("family"));
    QHash<QString, QString> families;
    for (qsizetype i = 1; i < records.size(); ++i) {
        const QStringList &r = records[i];
        if (r.size() <= std::max(colourCol, familyCol)) continue;
        const QString family = r[familyCol].trimmed().toLower();
        if (!family.isEmpty() && !GarmentColour::basicNames().contains(family))
            return Result::failure(QStringLiteral("%1: '%2' is not a basic colour family (%3)")
                                       .arg(QDir::toNativeSeparators(csvPath), family,
                                            GarmentColour::basicNames().join(QStringLiteral(", "))));
        families.insert(r[colourCol].trimmed(), family);
    }
    return families;
}

} // namespace lookbook
