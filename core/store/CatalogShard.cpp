#include "CatalogShard.h"

#include "ByteStreams.h"

namespace lookbook {

CatalogListing CatalogListing::of(const std::vector<CatalogFile> &files)
{
    QByteArray bytes;
    format::ByteWriter w(bytes);
    for (const CatalogFile &f : files) {
        w.putPath(f.relativePath.normalized(QString::NormalizationForm_C));
        w.put<qint64>(f.size);
        w.put<qint64>(f.modifiedMs);
    }
    return {format::checksum(bytes.constData(), bytes.size()), qint64(files.size())};
}

Expected<CatalogShard> CatalogShard::parse(const QString &text)
{
    using Result = Expected<CatalogShard>;
    const QStringList parts = text.split(u'/');
    bool indexOk = false, countOk = false;
    const int index = parts.value(0).trimmed().toInt(&indexOk);
    const int count = parts.value(1).trimmed().toInt(&countOk);
    if (parts.size() != 2 || !indexOk || !countOk)
        return Result::failure(QStringLiteral("--shard takes K/N, the shard K of N (for example 2/4), not '%1'").arg(text));
    if (count < 1 || index < 1 || index > count)
        return Result::failure(QStringLiteral("--shard %1: K must be from 1 to N, and N at least 1").arg(text));
    CatalogShard shard;
    shard.index = index;
    shard.count = count;
    return shard;
}

int CatalogShard::of(const QString &relativePath, int count)
{
    const QByteArray key = relativePath.normalized(QString::NormalizationForm_C).toUtf8();
    return int(format::checksum(key.constData(), key.size()) % quint64(count)) + 1;
}

std::vector<CatalogFile> CatalogShard::filesOf(const std::vector<CatalogFile> &all) const
{
    std::vector<CatalogFile> held;
    for (const CatalogFile &f : all)
        if (holds(f.relativePath)) held.push_back(f);
    return held;
}

QString CatalogShard::describe() const
{
    return isPart() ? QStringLiteral("shard %1 of %2").arg(index).arg(count) : QStringLiteral("the whole catalog");
}

QJsonObject CatalogShard::toJson() const
{
    if (!isPart()) return {};
    return {{QStringLiteral("index"), index},
            {QStringLiteral("count"), count},
            {QStringLiteral("catalog_files"), listing.files},
            {QStringLiteral("catalog_listing"), QString::number(listing.fingerprint, 16)}};
}

CatalogShard CatalogShard::fromJson(const QJsonObject &object)
{
    CatalogShard shard;
    shard.index = object.value(QStringLiteral("index")).toInt();
    shard.count = object.value(QStringLiteral("count")).toInt();
    shard.listing.files = object.value(QStringLiteral("catalog_files")).toInteger();
    shard.listing.fingerprint = object.value(QStringLiteral("catalog_listing")).toString().toULongLong(nullptr, 16);
    return shard;
}

} // namespace lookbook
