#include "EmbeddingRecipe.h"

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
} // namespace

QString EmbeddingRecipe::id() const
{
    QString fitName, poolName;
    for (const auto &f : kFitNames)
        if (f.mode == fit) fitName = QString::fromLatin1(f.name);
    for (const auto &p : kPoolNames)
        if (p.pooling == pooling) poolName = QString::fromLatin1(p.name);
    return QStringLiteral("%1-%2-%3").arg(fitName).arg(inputSize).arg(poolName);
}

std::optional<EmbeddingRecipe> EmbeddingRecipe::fromId(const QString &id)
{
    const QStringList parts = id.trimmed().toLower().split(u'-');
    if (parts.size() != 3) return std::nullopt;
    EmbeddingRecipe recipe;
    bool fitFound = false, poolFound = false, sizeOk = false;
    for (const auto &f : kFitNames)
        if (parts[0] == QLatin1String(f.name)) { recipe.fit = f.mode; fitFound = true; }
    for (const auto &p : kPoolNames)
        if (parts[2] == QLatin1String(p.name)) { recipe.pooling = p.pooling; poolFound = true; }
    recipe.inputSize = parts[1].toInt(&sizeOk);
    if (!fitFound || !poolFound || !sizeOk || recipe.inputSize < kMinInputSize
        || recipe.inputSize > kMaxInputSize)
        return std::nullopt;
    return recipe;
}

} // namespace lookbook
