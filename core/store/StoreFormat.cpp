#include "StoreFormat.h"

#include <QJsonValue>

namespace lookbook::format {

void putFile(ByteWriter &out, const CatalogFile &file)
{
    out.putPath(file.relativePath);
    out.put<qint64>(file.size);
    out.put<qint64>(file.modifiedMs);
}

std::optional<CatalogFile> getFile(ByteReader &in)
{
    const auto pathBytes = in.get<quint32>();
    if (!in.ok() || pathBytes > kMaxPathBytes) {
        in.fail();
        return std::nullopt;
    }
    CatalogFile file;
    file.relativePath = QString::fromUtf8(in.getBytes(qsizetype(pathBytes)));
    file.size = in.get<qint64>();
    file.modifiedMs = in.get<qint64>();
    if (!in.ok()) return std::nullopt;
    return file;
}

QJsonObject identityToJson(const StoreIdentity &identity)
{
    return {{QStringLiteral("model_id"), identity.modelId},
            {QStringLiteral("model_sha256"), QString::fromLatin1(identity.modelSha256Hex)},
            {QStringLiteral("recipe"), identity.recipeId},
            {QStringLiteral("dimension"), identity.dimension}};
}

StoreIdentity identityFromJson(const QJsonObject &object)
{
    StoreIdentity identity;
    identity.modelId = object.value(QStringLiteral("model_id")).toString();
    identity.modelSha256Hex = object.value(QStringLiteral("model_sha256")).toString().toLatin1();
    identity.recipeId = object.value(QStringLiteral("recipe")).toString();
    identity.dimension = object.value(QStringLiteral("dimension")).toInt();
    return identity;
}

QString identityMismatch(const StoreIdentity &found, const StoreIdentity &expected)
{
    if (found.modelId != expected.modelId || found.modelSha256Hex != expected.modelSha256Hex)
        return QStringLiteral("it was made by another model (%1, sha256 %2…; now %3, sha256 %4…)")
            .arg(found.modelId, QString::fromLatin1(found.modelSha256Hex.left(12)), expected.modelId,
                 QString::fromLatin1(expected.modelSha256Hex.left(12)));
    if (found.recipeId != expected.recipeId)
        return QStringLiteral("it was made with the recipe %1, and %2 is in use now")
            .arg(found.recipeId, expected.recipeId);
    if (found.dimension != expected.dimension)
        return QStringLiteral("its vectors have %1 dimensions, %2 expected").arg(found.dimension).arg(expected.dimension);
    return {};
}

} // namespace lookbook::format
