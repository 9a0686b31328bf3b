#include "TasteProfile.h"

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

constexpr int kFormatVersion = 1;
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

} // namespace

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

QString TasteProfile::defaultPath(const QString &spaceKey)
{
    // The key can be long and holds characters some file systems refuse: name the file by its hash.
    const QByteArray hash = QCryptographicHash::hash(spaceKey.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("taste/%1.json").arg(QString::fromLatin1(hash)));
}

Status TasteProfile::save(const QString &path) const
{
    QJsonObject doc{{QStringLiteral("format"), kFormatVersion},
                    {QStringLiteral("space"), m_spaceKey},
                    {QStringLiteral("dimension"), int(std::max(m_likedSum.size(), m_dislikedSum.size()))},
                    {QStringLiteral("likes"), m_likes},
                    {QStringLiteral("dislikes"), m_dislikes}};
    if (m_likes > 0) doc.insert(QStringLiteral("liked_sum"), QString::fromLatin1(encodeVector(m_likedSum)));
    if (m_dislikes > 0) doc.insert(QStringLiteral("disliked_sum"), QString::fromLatin1(encodeVector(m_dislikedSum)));
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Status::failure(QStringLiteral("cannot create the folder for %1").arg(QDir::toNativeSeparators(path)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(doc).toJson(QJsonDocument::Compact)) < 0 || !file.commit())
        return Status::failure(QStringLiteral("cannot save the taste profile to %1: %2")
                                   .arg(QDir::toNativeSeparators(path), file.errorString()));
    return success();
}

Expected<TasteProfile> TasteProfile::load(const QString &path, const QString &spaceKey)
{
    using Result = Expected<TasteProfile>;
    QFile file(path);
    if (!file.exists()) return TasteProfile(spaceKey);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("cannot read the taste profile %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    const QJsonObject doc = QJsonDocument::fromJson(file.read(1 << 20)).object();
    if (doc.value(QStringLiteral("format")).toInt() != kFormatVersion)
        return Result::failure(QStringLiteral("the taste profile %1 is damaged or of another version").arg(QDir::toNativeSeparators(path)));
    if (doc.value(QStringLiteral("space")).toString() != spaceKey)
        return Result::failure(QStringLiteral("the taste profile %1 belongs to another search space").arg(QDir::toNativeSeparators(path)));
    const Eigen::Index dimension = doc.value(QStringLiteral("dimension")).toInt();
    TasteProfile profile(spaceKey);
    profile.m_likes = doc.value(QStringLiteral("likes")).toInt();
    profile.m_dislikes = doc.value(QStringLiteral("dislikes")).toInt();
    if (profile.m_likes < 0 || profile.m_dislikes < 0 || (dimension <= 0 && profile.m_likes + profile.m_dislikes > 0)
        || (profile.m_likes > 0 && !decodeVector(doc.value(QStringLiteral("liked_sum")), dimension, &profile.m_likedSum))
        || (profile.m_dislikes > 0 && !decodeVector(doc.value(QStringLiteral("disliked_sum")), dimension, &profile.m_dislikedSum)))
        return Result::failure(QStringLiteral("the taste profile %1 is damaged").arg(QDir::toNativeSeparators(path)));
    return profile;
}

} // namespace lookbook
