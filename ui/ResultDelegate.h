#pragma once
// Paints one result of a ResultsModel as a product card: the photo large on white, the rank
// and similarity, then the file name, the label summary and the product name. Sizes follow
// the font so the cards grow with the user's font settings.

#include <QStyledItemDelegate>

namespace lookbook {

class ResultDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ResultDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The width the view wants its cards to have so a row of results fits; 0 = from the font.
    void setCardWidth(int width) { m_cardWidth = width; }
    // The narrowest and widest cards that still read well with this font.
    static int minimumCardWidth(const QFontMetrics &fm);
    static int naturalCardWidth(const QFontMetrics &fm);

private:
    int m_cardWidth = 0;
};

} // namespace lookbook
