#pragma once
// The ranked results of one search as a list model: one row per item, best first. The
// thumbnails come from a Thumbnails and appear (dataChanged) as they are made.

#include "SearchResult.h"

#include <QAbstractListModel>

#include <vector>

namespace lookbook {

class Thumbnails;

class ResultsModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        ScoreRole = Qt::UserRole + 1, // float: cosine similarity
        PathRole,                     // QString: absolute path
        RelativePathRole,             // QString: relative to the catalog root
        LabelsRole,                   // QVariantMap: styles.csv columns, empty without labels
        SummaryRole,                  // QString: "articleType · baseColour · gender"
        DisplayNameRole,              // QString: productDisplayName, empty without it
        RankRole,                     // int: 1-based
        ThumbnailStateRole,           // int: a ThumbnailState
        FeedbackRole,                 // int: a Feedback, what the user said of this item
    };
    Q_ENUM(Role)

    enum class ThumbnailState { Loading, Ready, Broken };
    enum class Feedback { None, Liked, Disliked };

    // thumbnails is not owned and must outlive the model; Qt::DecorationRole gives a QImage.
    explicit ResultsModel(Thumbnails *thumbnails, QObject *parent = nullptr);

    void setResults(std::vector<ResultItem> results);
    // The items (relative paths) the user liked and disliked in the current query: their
    // cards say so.
    void setFeedback(const QStringList &liked, const QStringList &disliked);
    // The item shown in row, or nullptr outside the rows; valid until the next setResults.
    const ResultItem *itemAt(int row) const;

    // "Tshirts · Blue · Men": the labels a shopper scans for, those present, in that order.
    static QString summaryOf(const ResultItem &item);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void onThumbnailReady(const QString &path);
    QString toolTipOf(const ResultItem &item) const;

    Thumbnails *m_thumbnails;
    std::vector<ResultItem> m_results;
    QStringList m_liked;
    QStringList m_disliked;
};

} // namespace lookbook
