#include "TasteProfile.h"

#include "ByteStreams.h"
#include "SearchSpace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>
#include <cstring>

namespace lookbook {

namespace {

// Format 2: a header line `LOOKBOOK-TASTE 2 <XXH3-64 of the rest, hex>`, then the profile
// as compact JSON. Format 1 (before profiles named their whole space) was the JSON alone,
// with "format": 1 in it.
constexpr int kFormatVersion = 2;
constexpr int kOldFormatVersion = 1;
constexpr char kMagic[] = "LOOKBOOK-TASTE";
// Two sums of a few thousand floats in base64 are tens of kilobytes: anything far larger
// is not a profile.
constexpr qint64 kMaxFileBytes = 1 << 20;
// A dislike pulls the taste away by half as much as a like pulls it toward: as in Rocchio,
// "not this" says less about what is wanted.
constexpr float kDislikeShare = 0.5f;

QByteArray encodeVector(const Eigen::RowVectorXf &v)
{
    return QByteArray(reinterpret_cast<const char *>(v.data()), qsizetype(v.size()) * qsizetype(sizeof(float))).toBase64();
}

bool decodeVector(const QJsonValue &value, Eigen::Index dimension, Eigen::RowVectorXf *out)
{
    const QByteArray bytes = QByteArray::fromBase64(value.toString().toLatin1());
    if (bytes.size() != qsizetype(dimension) * qsizetype(sizeof(float))) return false;
    out->resize(dimension);
    std::memcpy(out->data(), bytes.constData(), size_t(bytes.size()));
    return out->allFinite();
}

QByteArray checksumText(const QByteArray &payload)
{
    return QByteArray::number(format::checksum(payload.constData(), payload.size()), 16).rightJustified(16, '0');
}

TasteFile notRead(TasteFile::State state, const QString &problem)
{
    return TasteFile{state, std::nullopt, problem};
}

TasteFile damaged(const QString &shownPath, const QString &why)
{
    return notRead(TasteFile::State::Damaged, QStringLiteral("the taste profile %1 is damaged (%2)").arg(shownPath, why));
}

// A file of format 1 is recognised, but never used: it names its recipe only, so the
// projection its vectors were made with (perhaps a built-in one since replaced) is unknown.
TasteFile readOldFormat(const QByteArray &bytes, const QString &shownPath)
{
    const QJsonObject doc = QJsonDocument::fromJson(bytes).object();
    if (doc.value(QStringLiteral("format")).toInt() != kOldFormatVersion)
        return damaged(shownPath, QStringLiteral("not a taste profile"));
    return notRead(TasteFile::State::OldFormat,
                   QStringLiteral("the taste profile %1 was written by an earlier version for the recipe %2 alone, "
                                  "so the projection its likes were measured in is not known")
                       .arg(shownPath, doc.value(QStringLiteral("space")).toString()));
}

} // namespace

QString TasteProfile::spaceKeyFor(const StoreIdentity &rows, const EmbeddingRecipe &recipe,
                                  const std::shared_ptr<const DiscriminantProjection> &own)
{
    const auto projection = SearchSpace::projectionFor(recipe, rows.dimension, own);
    const QString projectionKey = projection
        ? QStringLiteral("%1x%2").arg(QString::number(projection->fingerprint(), 16)).arg(projection->outputDimension())
        : QStringLiteral("none");
    return QStringLiteral("model %1 sha256 %2; rows %3 x%4; recipe %5; projection %6")
        .arg(rows.modelId, QString::fromLatin1(rows.modelSha256Hex), rows.recipeId)
        .arg(rows.dimension)
        .arg(recipe.id(), projectionKey);
}

void TasteProfile::addLike(const Eigen::RowVectorXf &item)
{
    if (m_likedSum.size() != item.size()) clear();
    if (m_likedSum.size() == 0) m_likedSum = Eigen::RowVectorXf::Zero(item.size());
    m_likedSum += item;
    ++m_likes;
}

void TasteProfile::addDislike(const Eigen::RowVectorXf &item)
{
    if (m_likedSum.size() != 0 && m_likedSum.size() != item.size()) clear();
    if (m_dislikedSum.size() != item.size()) m_dislikedSum = Eigen::RowVectorXf::Zero(item.size());
    m_dislikedSum += item;
    ++m_dislikes;
}

void TasteProfile::clear()
{
    *this = TasteProfile(m_spaceKey);
}

Eigen::RowVectorXf TasteProfile::direction() const
{
    if (isEmpty()) return {};
    Eigen::RowVectorXf taste = m_likedSum / float(m_likes);
    if (m_dislikes > 0 && m_dislikedSum.size() == taste.size()) taste -= kDislikeShare * m_dislikedSum / float(m_dislikes);
    const float norm = taste.norm();
    return norm > 1e-12f ? Eigen::RowVectorXf(taste / norm) : Eigen::RowVectorXf();
}

std::vector<SearchHit> TasteProfile::rerank(std::vector<SearchHit> candidates, int k,
                                            const std::function<Eigen::RowVectorXf(int)> &itemVector, float weight) const
{
    const Eigen::RowVectorXf taste = direction();
    if (taste.size() > 0 && weight > 0) {
        struct Ranked {
            SearchHit hit;
            float adjusted;
        };
        std::vector<Ranked> ranked;
        ranked.reserve(candidates.size());
        for (const SearchHit &hit : candidates) {
            const Eigen::RowVectorXf v = itemVector(hit.item);
            ranked.push_back({hit, v.size() == taste.size() ? hit.score + weight * v.dot(taste) : hit.score});
        }
        std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked &a, const Ranked &b) {
            return a.adjusted > b.adjusted || (a.adjusted == b.adjusted && a.hit.item < b.hit.item);
        });
        for (size_t i = 0; i < ranked.size(); ++i) candidates[i] = ranked[i].hit;
    }
    if (int(candidates.size()) > k) candidates.resize(size_t(k));
    return candidates;
}

QString TasteProfile::fileNameFor(const QString &spaceKey)
{
    // The key is long and holds characters some file systems refuse: the file is named by
    // its hash. Another extension than format 1's ".json", whose names hashed the recipe alone.
    const QByteArray hash = QCryptographicHash::hash(spaceKey.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    return QStringLiteral("%1.taste").arg(QString::fromLatin1(hash));
}

QString TasteProfile::defaultPath(const QString &spaceKey)
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("taste/") + fileNameFor(spaceKey));
}

Status TasteProfile::save(const QString &path) const
{
    QJsonObject doc{{QStringLiteral("space"), m_spaceKey},
                    {QStringLiteral("dimension"), int(std::max(m_likedSum.size(), m_dislikedSum.size()))},
                    {QStringLiteral("likes"), m_likes},
                    {QStringLiteral("dislikes"), m_dislikes}};
    if (m_likes > 0) doc.insert(QStringLiteral("liked_sum"), QString::fromLatin1(encodeVector(m_likedSum)));
    if (m_dislikes > 0) doc.insert(QStringLiteral("disliked_sum"), QString::fromLatin1(encodeVector(m_dislikedSum)));
    const QByteArray payload = QJsonDocument(doc).toJson(QJsonDocument::Compact);
    const QByteArray bytes =
        QByteArray(kMagic) + ' ' + QByteArray::number(kFormatVersion) + ' ' + checksumText(payload) + '\n' + payload;
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Status::failure(QStringLiteral("cannot create the folder for %1").arg(QDir::toNativeSeparators(path)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Status::failure(QStringLiteral("cannot save the taste profile to %1: %2")
                                   .arg(QDir::toNativeSeparators(path), file.errorString()));
    return success();
}

TasteFile TasteProfile::read(const QString &path, const QString &spaceKey)
{
    const QString shown = QDir::toNativeSeparators(path);
    const QFileInfo info(path);
    if (!info.exists() && !info.isSymLink()) return TasteFile{TasteFile::State::Read, TasteProfile(spaceKey), {}};
    const auto unreadable = [&shown](const QString &why) {
        return notRead(TasteFile::State::Unreadable,
                       QStringLiteral("the taste profile %1 cannot be read now (%2)").arg(shown, why));
    };
    if (!info.isFile()) return unreadable(QStringLiteral("it is not a file"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return unreadable(file.errorString());
    if (file.size() > kMaxFileBytes) return damaged(shown, QStringLiteral("far too large for a taste profile"));
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError || bytes.size() != file.size()) return unreadable(file.errorString());
    if (bytes.startsWith('{')) return readOldFormat(bytes, shown);

    const qsizetype endOfHeader = bytes.indexOf('\n');
    const QList<QByteArray> header = bytes.left(std::max<qsizetype>(endOfHeader, 0)).split(' ');
    if (endOfHeader < 0 || header.size() != 3 || header[0] != kMagic)
        return damaged(shown, QStringLiteral("not a taste profile"));
    bool numeric = false;
    const int version = header[1].toInt(&numeric);
    if (numeric && version > kFormatVersion)
        return notRead(TasteFile::State::Newer,
                       QStringLiteral("the taste profile %1 is of a newer format (%2) than this version reads (%3)")
                           .arg(shown)
                           .arg(version)
                           .arg(kFormatVersion));
    const QByteArray payload = bytes.mid(endOfHeader + 1);
    if (version != kFormatVersion) return damaged(shown, QStringLiteral("not a taste profile"));
    if (header[2] != checksumText(payload)) return damaged(shown, QStringLiteral("checksum mismatch"));
    return fromPayload(QJsonDocument::fromJson(payload).object(), spaceKey, shown);
}

TasteFile TasteProfile::fromPayload(const QJsonObject &doc, const QString &spaceKey, const QString &shownPath)
{
    if (doc.value(QStringLiteral("space")).toString() != spaceKey)
        return notRead(TasteFile::State::OtherSpace,
                       QStringLiteral("the taste profile %1 belongs to another search space").arg(shownPath));
    const Eigen::Index dimension = doc.value(QStringLiteral("dimension")).toInt();
    TasteProfile profile(spaceKey);
    profile.m_likes = doc.value(QStringLiteral("likes")).toInt();
    profile.m_dislikes = doc.value(QStringLiteral("dislikes")).toInt();
    // The checksum held, so these fail only for a file written wrongly: damaged all the same.
    if (profile.m_likes < 0 || profile.m_dislikes < 0 || (dimension <= 0 && profile.m_likes + profile.m_dislikes > 0)
        || (profile.m_likes > 0 && !decodeVector(doc.value(QStringLiteral("liked_sum")), dimension, &profile.m_likedSum))
        || (profile.m_dislikes > 0 && !decodeVector(doc.value(QStringLiteral("disliked_sum")), dimension, &profile.m_dislikedSum)))
        return damaged(shownPath, QStringLiteral("its sums do not fit its counts"));
    return TasteFile{TasteFile::State::Read, std::move(profile), {}};
}

Expected<TasteProfile> TasteProfile::load(const QString &path, const QString &spaceKey)
{
    TasteFile file = read(path, spaceKey);
    if (file.state != TasteFile::State::Read) return Expected<TasteProfile>::failure(file.problem);
    return std::move(*file.profile);
}

Expected<QString> TasteProfile::setAside(const QString &path, const QString &suffix)
{
    // QFile::rename never replaces an existing file (it fails instead), so a name taken
    // meanwhile by another process only moves this one to the next number.
    constexpr int kMaxNumber = 1000;
    QFile file(path);
    for (int number = 1; number <= kMaxNumber; ++number) {
        const QString aside = path + suffix + (number == 1 ? QString() : QStringLiteral("-%1").arg(number));
        if (QFileInfo(aside).exists() || QFileInfo(aside).isSymLink()) continue;
        if (file.rename(aside)) return aside;
        if (!QFileInfo(aside).exists()) break; // not a name taken meanwhile: the rename itself fails
    }
    return Expected<QString>::failure(
        QStringLiteral("%1 could not be renamed: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
}

} // namespace lookbook
