#include "EmbeddingRecipe.h"

#include <QRegularExpression>
#include <QStringList>

namespace lookbook {

namespace {
struct FitName { FitMode mode; const char *name; };
constexpr FitName kFitNames[] = {
    {FitMode::Squash, "squash"}, {FitMode::PadToSquare, "pad"}, {FitMode::CenterCrop, "crop"}};

struct PoolName { Pooling pooling; const char *name; };
constexpr PoolName kPoolNames[] = {
    {Pooling::Average, "avg"}, {Pooling::Max, "max"}, {Pooling::GeM, "gem"}};

constexpr int kMinInputSize = 32;
constexpr int kMaxInputSize = 1024;
constexpr int kMaxNeighbours = 50;
constexpr float kMaxWeight = 10.0f;

QString fitName(FitMode mode)
{
    for (const auto &f : kFitNames)
        if (f.mode == mode) return QString::fromLatin1(f.name);
    return {};
}

std::optional<FitMode> fitFromName(QStringView name)
{
    for (const auto &f : kFitNames)
        if (name == QLatin1String(f.name)) return f.mode;
    return std::nullopt;
}

std::optional<int> sizeFromText(QStringView text)
{
    bool ok = false;
    const int size = text.toInt(&ok);
    if (!ok || size < kMinInputSize || size > kMaxInputSize) return std::nullopt;
    return size;
}

// Parses one optional "-token" of the id into the recipe; false if it is not a known token,
// is out of range, or repeats a part already given.
bool applyOption(const QString &token, EmbeddingRecipe &recipe, QStringList &seen)
{
    static const QRegularExpression pattern(QStringLiteral("^(cls|col|qe|q|lda|dba)([a-z]*)([0-9.]+)$"));
    const auto match = pattern.match(token);
    if (!match.hasMatch()) return false;
    const QString kind = match.captured(1);
    if (seen.contains(kind)) return false;
    seen << kind;
    const QString word = match.captured(2), number = match.captured(3);
    bool ok = false;
    if (kind == u"cls" || kind == u"lda" || kind == u"col") {
        const float weight = number.toFloat(&ok);
        if (!ok || !word.isEmpty() || weight <= 0 || weight > kMaxWeight) return false;
        (kind == u"cls" ? recipe.classWeight : kind == u"lda" ? recipe.projectionWeight : recipe.colourWeight) = weight;
        return true;
    }
    if (kind == u"q") {
        const auto fit = fitFromName(word);
        const auto size = sizeFromText(number);
        if (!fit || !size) return false;
        recipe.outsideFit = InputFit{*fit, *size};
        return true;
    }
    const int neighbours = number.toInt(&ok);
    if (!ok || !word.isEmpty() || neighbours < 1 || neighbours > kMaxNeighbours) return false;
    (kind == u"dba" ? recipe.augmentNeighbours : recipe.expansionNeighbours) = neighbours;
    return true;
}
} // namespace

QString EmbeddingRecipe::id() const
{
    QString poolName;
    for (const auto &p : kPoolNames)
        if (p.pooling == pooling) poolName = QString::fromLatin1(p.name);
    QString id = QStringLiteral("%1-%2-%3").arg(fitName(fit)).arg(inputSize).arg(poolName);
    if (classWeight > 0) id += QStringLiteral("-cls%1").arg(double(classWeight));
    if (outsideFit) id += QStringLiteral("-q%1%2").arg(fitName(outsideFit->fit)).arg(outsideFit->inputSize);
    if (projectionWeight > 0) id += QStringLiteral("-lda%1").arg(double(projectionWeight));
    if (augmentNeighbours > 0) id += QStringLiteral("-dba%1").arg(augmentNeighbours);
    if (expansionNeighbours > 0) id += QStringLiteral("-qe%1").arg(expansionNeighbours);
    if (colourWeight > 0) id += QStringLiteral("-col%1").arg(double(colourWeight));
    return id;
}

std::optional<EmbeddingRecipe> EmbeddingRecipe::fromId(const QString &id)
{
    const QStringList parts = id.trimmed().toLower().split(u'-');
    if (parts.size() < 3) return std::nullopt;
    EmbeddingRecipe recipe;
    const auto fit = fitFromName(parts[0]);
    const auto size = sizeFromText(parts[1]);
    bool poolFound = false;
    for (const auto &p : kPoolNames)
        if (parts[2] == QLatin1String(p.name)) { recipe.pooling = p.pooling; poolFound = true; }
    if (!fit || !size || !poolFound) return std::nullopt;
    recipe.fit = *fit;
    recipe.inputSize = *size;
    QStringList seen;
    for (qsizetype i = 3; i < parts.size(); ++i)
        if (!applyOption(parts[i], recipe, seen)) return std::nullopt;
    return recipe;
}

EmbeddingRecipe EmbeddingRecipe::defaultRecipe()
{
    return *fromId(QStringLiteral("squash-288-max-cls0.2-qcrop224-lda1-col0.2"));
}

} // namespace lookbook
