#include "ResultsModel.h"

#include "Thumbnails.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QStringList>
#include <QVariantMap>

#include <algorithm>

namespace lookbook {

namespace {

// styles.csv columns (Kaggle "Fashion Product Images" layout) used by the summary line.
const QString kArticleType = QStringLiteral("articleType");
const QString kBaseColour = QStringLiteral("baseColour");
const QString kGender = QStringLiteral("gender");
const QString kDisplayName = QStringLiteral("productDisplayName");

const QString kSummarySeparator = QStringLiteral(" \u00B7 ");
constexpr int kScoreDecimals = 3;

// The order a person reads a product record in; columns not listed follow alphabetically.
const QStringList &labelOrder()
{
    static const QStringList order = {kDisplayName, kArticleType, kBaseColour, kGender,
                                      QStringLiteral("masterCategory"), QStringLiteral("subCategory"),
                                      QStringLiteral("season"), QStringLiteral("year"),
                                      QStringLiteral("usage")};
    return order;
}

QStringList orderedLabelKeys(const QHash<QString, QString> &labels)
{
    QStringList keys = labels.keys();
    const QStringList &order = labelOrder();
    std::sort(keys.begin(), keys.end(), [&order](const QString &a, const QString &b) {
        const auto rank = [&order](const QString &key) {
            const qsizetype at = order.indexOf(key);
            return at < 0 ? order.size() : at;
        };
        const qsizetype ra = rank(a);
        const qsizetype rb = rank(b);
        return ra != rb ? ra < rb : a < b;
    });
    return keys;
}

} // namespace

ResultsModel::ResultsModel(Thumbnails *thumbnails, QObject *parent)
    : QAbstractListModel(parent), m_thumbnails(thumbnails)
{
    if (m_thumbnails)
        connect(m_thumbnails, &Thumbnails::thumbnailReady, this, &ResultsModel::onThumbnailReady);
}

void ResultsModel::setResults(std::vector<ResultItem> results)
{
    beginResetModel();
    m_results = std::move(results);
    endResetModel();
}

void ResultsModel::setFeedback(const QStringList &liked, const QStringList &disliked)
{
    m_liked = liked;
    m_disliked = disliked;
    if (rowCount() > 0) emit dataChanged(index(0), index(rowCount() - 1), {FeedbackRole, Qt::AccessibleTextRole});
}

const ResultItem *ResultsModel::itemAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_results[static_cast<std::size_t>(row)];
}

QString ResultsModel::summaryOf(const ResultItem &item)
{
    QStringList parts;
    for (const QString &key : {kArticleType, kBaseColour, kGender}) {
        const QString value = item.labels.value(key).trimmed();
        if (!value.isEmpty())
            parts << value;
    }
    return parts.join(kSummarySeparator);
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_results.size());
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    const ResultItem *item = index.isValid() ? itemAt(index.row()) : nullptr;
    if (!item)
        return {};

    switch (role) {
    case Qt::DisplayRole:
        return QFileInfo(item->absolutePath).fileName();
    case Qt::ToolTipRole:
        return toolTipOf(*item);
    case Qt::AccessibleTextRole: {
        QString text = tr("Result %1, %2% similar, %3, %4")
                           .arg(index.row() + 1)
                           .arg(qRound(item->score * 100))
                           .arg(QFileInfo(item->absolutePath).fileName(), summaryOf(*item));
        if (m_liked.contains(item->relativePath)) text += tr(", liked");
        if (m_disliked.contains(item->relativePath)) text += tr(", disliked");
        return text;
    }
    case Qt::DecorationRole:
        return m_thumbnails ? m_thumbnails->thumbnail(item->absolutePath) : QImage();
    case ScoreRole:
        return item->score;
    case PathRole:
        return item->absolutePath;
    case RelativePathRole:
        return item->relativePath;
    case LabelsRole: {
        QVariantMap map;
        for (auto it = item->labels.cbegin(); it != item->labels.cend(); ++it)
            map.insert(it.key(), it.value());
        return map;
    }
    case SummaryRole:
        return summaryOf(*item);
    case DisplayNameRole:
        return item->labels.value(kDisplayName).trimmed();
    case RankRole:
        return index.row() + 1;
    case FeedbackRole:
        return static_cast<int>(m_liked.contains(item->relativePath)      ? Feedback::Liked
                                : m_disliked.contains(item->relativePath) ? Feedback::Disliked
                                                                          : Feedback::None);
    case ThumbnailStateRole: {
        ThumbnailState state = ThumbnailState::Broken;
        if (m_thumbnails) {
            if (!m_thumbnails->thumbnail(item->absolutePath).isNull())
                state = ThumbnailState::Ready;
            else if (!m_thumbnails->isBroken(item->absolutePath))
                state = ThumbnailState::Loading;
        }
        return static_cast<int>(state);
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> ResultsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ScoreRole, "score");
    names.insert(PathRole, "path");
    names.insert(RelativePathRole, "relativePath");
    names.insert(LabelsRole, "labels");
    names.insert(SummaryRole, "summary");
    names.insert(DisplayNameRole, "displayName");
    names.insert(RankRole, "rank");
    names.insert(ThumbnailStateRole, "thumbnailState");
    return names;
}

void ResultsModel::onThumbnailReady(const QString &path)
{
    // The same image may, rarely, be in more than one row.
    for (int row = 0; row < rowCount(); ++row) {
        if (m_results[static_cast<std::size_t>(row)].absolutePath == path) {
            const QModelIndex changed = index(row);
            emit dataChanged(changed, changed, {Qt::DecorationRole, ThumbnailStateRole});
        }
    }
}

QString ResultsModel::toolTipOf(const ResultItem &item) const
{
    QStringList lines{QDir::toNativeSeparators(item.absolutePath)};
    for (const QString &key : orderedLabelKeys(item.labels))
        lines << QStringLiteral("%1: %2").arg(key, item.labels.value(key));
    lines << tr("similarity: %1").arg(static_cast<double>(item.score), 0, 'f', kScoreDecimals);
    return lines.join(QLatin1Char('\n'));
}

} // namespace lookbook
