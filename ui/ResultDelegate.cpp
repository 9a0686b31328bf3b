#include "ResultDelegate.h"

#include "ResultsModel.h"

#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QStyle>

#include <algorithm>

namespace lookbook {

namespace {

// Card geometry. The width follows the font's line height so the text lines keep their room
// when the user's font is larger; never narrower than what shows a photo well.
constexpr int kMinCardWidth = 200;
constexpr double kCardWidthInLines = 12.0;
constexpr int kOuterMargin = 3;           // room for the 2 px focus border and the shadow
constexpr int kPadding = 10;
// The image well is a little taller than wide: catalog photos are 3:4 portraits, and a full
// 3:4 well would make the card too tall for one row of five on a laptop screen.
constexpr double kImageWellAspect = 10.0 / 9.0;
constexpr int kGapAfterImage = 10;
constexpr int kGapAfterScoreRow = 8;
constexpr int kLineGap = 2;

constexpr qreal kCardRadius = 8;
constexpr qreal kWellRadius = 5;
constexpr qreal kShadowOffset = 1;
constexpr int kShadowAlpha = 28;
constexpr int kBadgeHPadding = 8;
constexpr int kBadgeVPadding = 3;
constexpr qreal kScoreBarHeight = 4;
constexpr int kScoreBarGap = 8;
constexpr int kPercent = 100;

// Colour weights, as fractions of the second colour mixed into the first.
constexpr float kMutedTextWeight = 0.6f;   // base → text: secondary text
constexpr float kBorderWeight = 0.16f;     // base → text: resting card border
constexpr float kTrackWeight = 0.12f;      // base → text: empty part of the score bar
constexpr float kPlaceholderWeight = 0.06f; // base → text: well while no photo
constexpr float kGlyphWeight = 0.35f;      // base → text: placeholder glyph
constexpr float kHoverWeight = 0.6f;       // base → highlight: hovered border
constexpr float kSelectedTintWeight = 0.08f; // base → highlight: selected card fill
constexpr float kFocusAlpha = 0.55f;       // current item's border when not selected
constexpr float kDislikedVeil = 0.55f;     // base over a disliked item's photo
constexpr int kFeedbackInset = 6;          // the feedback badge from the well's corner
constexpr qreal kThinBorder = 1;
constexpr qreal kThickBorder = 2;

// Placeholder glyph: a framed picture (a hill and a sun), as in image viewers.
constexpr qreal kGlyphWidth = 40;
constexpr qreal kGlyphHeight = 32;
constexpr qreal kGlyphRadius = 4;
constexpr qreal kGlyphPen = 1.6;
constexpr qreal kGlyphTextGap = 8;
constexpr qreal kPlaceholderFontScale = 0.9;

struct CardLayout {
    QRect card;
    QRect image;
    QRect scoreRow;
    QRect fileName;
    QRect summary;
    QRect displayName;
};

constexpr double kMinCardWidthInLines = 9.0;
constexpr int kMinFittedCardWidth = 150;

// One place decides where everything goes, for paint() and sizeHint() alike.
CardLayout layoutCard(const QRect &itemRect, const QFontMetrics &fm)
{
    CardLayout layout;
    layout.card = itemRect.adjusted(kOuterMargin, kOuterMargin, -kOuterMargin, -kOuterMargin);
    const int left = layout.card.left() + kPadding;
    const int width = layout.card.width() - 2 * kPadding;
    const int line = fm.height();

    int y = layout.card.top() + kPadding;
    const int imageHeight = qRound(width * kImageWellAspect);
    layout.image = QRect(left, y, width, imageHeight);
    y += imageHeight + kGapAfterImage;
    const int scoreRowHeight = line + 2 * kBadgeVPadding;
    layout.scoreRow = QRect(left, y, width, scoreRowHeight);
    y += scoreRowHeight + kGapAfterScoreRow;
    layout.fileName = QRect(left, y, width, line);
    y += line + kLineGap;
    layout.summary = QRect(left, y, width, line);
    y += line + kLineGap;
    layout.displayName = QRect(left, y, width, line);
    return layout;
}

QColor mix(const QColor &from, const QColor &to, float weight)
{
    const auto blend = [weight](float a, float b) { return a + (b - a) * weight; };
    return QColor::fromRgbF(blend(from.redF(), to.redF()), blend(from.greenF(), to.greenF()),
                            blend(from.blueF(), to.blueF()));
}

QColor withAlpha(QColor colour, float alpha)
{
    colour.setAlphaF(alpha);
    return colour;
}

QPainterPath roundedRect(const QRectF &rect, qreal radius)
{
    QPainterPath path;
    path.addRoundedRect(rect, radius, radius);
    return path;
}

struct Colours {
    QColor base;
    QColor text;
    QColor muted;
    QColor highlight;
    QColor highlightedText;
};

void paintPlaceholder(QPainter *painter, const QRect &well, bool broken, const QFont &font,
                      const Colours &colours)
{
    painter->fillPath(roundedRect(well, kWellRadius), mix(colours.base, colours.text, kPlaceholderWeight));

    QFont small = font;
    if (font.pointSizeF() > 0)
        small.setPointSizeF(font.pointSizeF() * kPlaceholderFontScale);
    else
        small.setPixelSize(std::max(1, qRound(font.pixelSize() * kPlaceholderFontScale)));
    const QFontMetricsF fm(small);
    const qreal blockHeight = kGlyphHeight + kGlyphTextGap + fm.height();
    const QPointF centre = QRectF(well).center();

    const QRectF glyph(centre.x() - kGlyphWidth / 2, centre.y() - blockHeight / 2, kGlyphWidth, kGlyphHeight);
    const QColor glyphColour = mix(colours.base, colours.text, kGlyphWeight);
    painter->setPen(QPen(glyphColour, kGlyphPen, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(glyph, kGlyphRadius, kGlyphRadius);
    const qreal w = glyph.width();
    const qreal h = glyph.height();
    const QPointF hill[] = {{glyph.left() + w * 0.12, glyph.bottom() - h * 0.18},
                            {glyph.left() + w * 0.40, glyph.top() + h * 0.45},
                            {glyph.left() + w * 0.60, glyph.top() + h * 0.68},
                            {glyph.left() + w * 0.72, glyph.top() + h * 0.55},
                            {glyph.right() - w * 0.12, glyph.bottom() - h * 0.18}};
    painter->drawPolyline(hill, static_cast<int>(std::size(hill)));
    painter->drawEllipse(QPointF(glyph.left() + w * 0.72, glyph.top() + h * 0.30), w * 0.07, w * 0.07);
    if (broken)
        painter->drawLine(glyph.bottomLeft() + QPointF(-w * 0.1, h * 0.1),
                          glyph.topRight() + QPointF(w * 0.1, -h * 0.1));

    const QString caption = broken ? ResultDelegate::tr("Cannot show this image")
                                   : ResultDelegate::tr("Loading\u2026");
    const QRectF captionRect(well.left(), glyph.bottom() + kGlyphTextGap, well.width(), fm.height());
    painter->setFont(small);
    painter->setPen(colours.muted);
    painter->drawText(captionRect, Qt::AlignCenter,
                      fm.elidedText(caption, Qt::ElideRight, captionRect.width()));
}

void paintThumbnail(QPainter *painter, const QRect &well, const QModelIndex &index,
                    const QFont &font, const Colours &colours)
{
    const QImage image = index.data(Qt::DecorationRole).value<QImage>();
    if (image.isNull()) {
        const auto state = static_cast<ResultsModel::ThumbnailState>(
            index.data(ResultsModel::ThumbnailStateRole).toInt());
        paintPlaceholder(painter, well, state == ResultsModel::ThumbnailState::Broken, font, colours);
        return;
    }

    // Catalog photos are shot on white: a white well frames them seamlessly in any theme.
    const QPainterPath wellPath = roundedRect(well, kWellRadius);
    painter->fillPath(wellPath, Qt::white);
    // Fitted both ways: large photos shrink, the 60x80 demo photos grow (smoothly) to fill.
    const QSize fitted = image.size().scaled(well.size(), Qt::KeepAspectRatio);
    const QRect target(well.left() + (well.width() - fitted.width()) / 2,
                       well.top() + (well.height() - fitted.height()) / 2, fitted.width(), fitted.height());
    painter->save();
    painter->setClipPath(wellPath, Qt::IntersectClip);
    painter->drawImage(target, image);
    painter->restore();
}

void paintScoreRow(QPainter *painter, const QRect &row, const QModelIndex &index, const QFont &font,
                   const Colours &colours)
{
    QFont bold = font;
    bold.setBold(true);
    const QFontMetrics fm(bold);
    painter->setFont(bold);

    const QString rank = QStringLiteral("#%1").arg(index.data(ResultsModel::RankRole).toInt());
    const int badgeWidth = std::max(row.height(), fm.horizontalAdvance(rank) + 2 * kBadgeHPadding);
    const QRect badge(row.left(), row.top(), badgeWidth, row.height());
    painter->fillPath(roundedRect(badge, badge.height() / 2.0), colours.highlight);
    painter->setPen(colours.highlightedText);
    painter->drawText(badge, Qt::AlignCenter, rank);

    const float score = index.data(ResultsModel::ScoreRole).toFloat();
    const QString percent = ResultDelegate::tr("%1%").arg(qRound(score * kPercent));
    const int percentWidth = fm.horizontalAdvance(percent);
    const QRect percentRect(row.right() + 1 - percentWidth, row.top(), percentWidth, row.height());
    painter->setPen(colours.text);
    painter->drawText(percentRect, Qt::AlignRight | Qt::AlignVCenter, percent);

    const qreal barLeft = badge.right() + 1 + kScoreBarGap;
    const qreal barWidth = percentRect.left() - kScoreBarGap - barLeft;
    if (barWidth <= 0)
        return;
    const QRectF track(barLeft, QRectF(row).center().y() - kScoreBarHeight / 2, barWidth, kScoreBarHeight);
    painter->fillPath(roundedRect(track, kScoreBarHeight / 2), mix(colours.base, colours.text, kTrackWeight));
    const qreal filled = track.width() * std::clamp(static_cast<qreal>(score), qreal(0), qreal(1));
    if (filled > 0)
        painter->fillPath(roundedRect(QRectF(track.topLeft(), QSizeF(filled, track.height())), kScoreBarHeight / 2),
                          colours.highlight);
}

// "Liked" or "Disliked" in the photo's top-left corner; a disliked photo is also veiled, so
// that what the query now moves away from reads as set aside.
void paintFeedback(QPainter *painter, const QRect &well, const QModelIndex &index, const QFont &font,
                   const Colours &colours)
{
    const auto feedback = static_cast<ResultsModel::Feedback>(index.data(ResultsModel::FeedbackRole).toInt());
    if (feedback == ResultsModel::Feedback::None)
        return;
    const bool liked = feedback == ResultsModel::Feedback::Liked;
    if (!liked)
        painter->fillPath(roundedRect(well, kWellRadius), withAlpha(colours.base, kDislikedVeil));
    QFont bold = font;
    bold.setBold(true);
    const QFontMetrics fm(bold);
    const QString text = liked ? ResultDelegate::tr("\u2665 Liked") : ResultDelegate::tr("Disliked");
    const int height = fm.height() + 2 * kBadgeVPadding;
    // Measured as drawn: the heart may come from a fallback font.
    const int textWidth = fm.boundingRect(text).width();
    const int room = well.width() - 2 * kFeedbackInset - 2 * kBadgeHPadding;
    const QRect badge(well.left() + kFeedbackInset, well.top() + kFeedbackInset,
                      std::min(room, textWidth) + 2 * kBadgeHPadding, height);
    painter->fillPath(roundedRect(badge, height / 2.0), liked ? colours.highlight : colours.muted);
    painter->setFont(bold);
    painter->setPen(liked ? colours.highlightedText : colours.base);
    painter->drawText(badge, Qt::AlignCenter, textWidth <= room ? text : fm.elidedText(text, Qt::ElideRight, room));
}

void paintTextLine(QPainter *painter, const QRect &rect, const QString &text, const QFont &font,
                   const QColor &colour, Qt::TextElideMode elide)
{
    if (text.isEmpty())
        return;
    painter->setFont(font);
    painter->setPen(colour);
    painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(font).elidedText(text, elide, rect.width()));
}

} // namespace

ResultDelegate::ResultDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

void ResultDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                           const QModelIndex &index) const
{
    if (!index.isValid())
        return;

    const QPalette::ColorGroup group = !option.state.testFlag(QStyle::State_Enabled) ? QPalette::Disabled
                                       : option.state.testFlag(QStyle::State_Active) ? QPalette::Active
                                                                                     : QPalette::Inactive;
    Colours colours;
    colours.base = option.palette.color(group, QPalette::Base);
    colours.text = option.palette.color(group, QPalette::Text);
    colours.muted = mix(colours.base, colours.text, kMutedTextWeight);
    colours.highlight = option.palette.color(group, QPalette::Highlight);
    colours.highlightedText = option.palette.color(group, QPalette::HighlightedText);

    const bool selected = option.state.testFlag(QStyle::State_Selected);
    const bool focused = option.state.testFlag(QStyle::State_HasFocus);
    const bool hovered = option.state.testFlag(QStyle::State_MouseOver);

    painter->save();
    painter->setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform | QPainter::TextAntialiasing);

    const CardLayout layout = layoutCard(option.rect, option.fontMetrics);
    const QRectF card = QRectF(layout.card).adjusted(kThinBorder / 2, kThinBorder / 2, -kThinBorder / 2, -kThinBorder / 2);
    const QPainterPath cardPath = roundedRect(card, kCardRadius);
    painter->fillPath(cardPath.translated(0, kShadowOffset), QColor(0, 0, 0, kShadowAlpha));
    painter->fillPath(cardPath, selected ? mix(colours.base, colours.highlight, kSelectedTintWeight) : colours.base);

    paintThumbnail(painter, layout.image, index, option.font, colours);
    paintFeedback(painter, layout.image, index, option.font, colours);
    paintScoreRow(painter, layout.scoreRow, index, option.font, colours);

    QFont nameFont = option.font;
    nameFont.setWeight(QFont::DemiBold);
    paintTextLine(painter, layout.fileName, index.data(Qt::DisplayRole).toString(), nameFont, colours.text,
                  Qt::ElideMiddle); // file names differ at their ends
    paintTextLine(painter, layout.summary, index.data(ResultsModel::SummaryRole).toString(), option.font,
                  colours.muted, Qt::ElideRight);
    paintTextLine(painter, layout.displayName, index.data(ResultsModel::DisplayNameRole).toString(),
                  option.font, colours.text, Qt::ElideRight);

    // The border tells the states apart: selected, current (keyboard), under the mouse, resting.
    qreal borderWidth = kThinBorder;
    QColor border = mix(colours.base, colours.text, kBorderWeight);
    if (selected) {
        borderWidth = kThickBorder;
        border = colours.highlight;
    } else if (focused) {
        borderWidth = kThickBorder;
        border = withAlpha(colours.highlight, kFocusAlpha);
    } else if (hovered) {
        border = mix(colours.base, colours.highlight, kHoverWeight);
    }
    const qreal inset = borderWidth / 2;
    painter->setPen(QPen(border, borderWidth));
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(QRectF(layout.card).adjusted(inset, inset, -inset, -inset), kCardRadius - inset / 2,
                             kCardRadius - inset / 2);
    painter->restore();
}

QSize ResultDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Q_UNUSED(index)
    const int width = m_cardWidth > 0 ? m_cardWidth : naturalCardWidth(option.fontMetrics);
    const CardLayout layout = layoutCard(QRect(0, 0, width, 0), option.fontMetrics);
    return {width, layout.displayName.bottom() + 1 + kPadding + kOuterMargin};
}

int ResultDelegate::naturalCardWidth(const QFontMetrics &fm)
{
    return std::max(kMinCardWidth, qRound(kCardWidthInLines * fm.height()));
}

int ResultDelegate::minimumCardWidth(const QFontMetrics &fm)
{
    return std::max(kMinFittedCardWidth, qRound(kMinCardWidthInLines * fm.height()));
}

} // namespace lookbook
