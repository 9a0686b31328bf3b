#pragma once
// How the query pane looks: its measures, the colours it mixes from the palette (so light
// and dark themes both work), and the drawing of its frame, its placeholder glyph and its
// rounded preview. Every constant of the pane's look is here, so the pane, its preview and
// their painting agree; the widgets only decide *what* to draw.

#include <QColor>
#include <QPixmap>
#include <QSize>
#include <QString>

QT_BEGIN_NAMESPACE
class QImage;
class QLabel;
class QPainter;
class QPalette;
class QRectF;
QT_END_NAMESPACE

namespace lookbook::paneStyle {

inline constexpr int kMinimumWidth = 260;
inline constexpr int kMinimumHeight = 300;
inline constexpr QSize kPreferredSize{320, 480};
inline constexpr int kPadding = 20; // between the drawn frame and the content
inline constexpr int kSpacing = 10;
inline constexpr int kFrameInset = 2; // keeps the frame's stroke inside the widget
inline constexpr qreal kCornerRadius = 12.0;
inline constexpr qreal kBorderWidth = 1.5;
inline constexpr qreal kDashLength = 4.0; // in units of the pen width
inline constexpr qreal kDashGap = 3.0;
inline constexpr int kGlyphSide = 56;
inline constexpr qreal kHintTitleScale = 1.35;
inline constexpr qreal kCaptionScale = 1.05;
inline constexpr int kMessagePadding = 8;
inline constexpr qreal kMessageRadius = 6.0;
inline constexpr qreal kPreviewRadius = 6.0;
inline constexpr int kBusyBarHeight = 4;
inline constexpr QSize kPlaceholderAspect{4, 3}; // a landscape card when there is no preview
inline constexpr int kMinPreviewSide = 48;
inline constexpr qreal kPlaceholderGlyphShare = 0.3; // of the placeholder's shorter side

// Colours mixed from the palette.
inline constexpr qreal kMutedMix = 0.45;     // of the background mixed into text
inline constexpr qreal kHintMix = kMutedMix / 2; // the hint's title, less muted than its detail
inline constexpr qreal kFrameMix = 0.62;     // dashed frame when waiting for a drop
inline constexpr qreal kCardFrameMix = 0.82; // quieter frame around a shown query
inline constexpr qreal kEmptyFillMix = 0.5;  // between Window and Base
inline constexpr int kHighlightFillAlpha = 28;
inline constexpr int kErrorFillAlpha = 30;
inline constexpr int kDarkLightnessThreshold = 128;

// What the pane's frame says: waiting for a drop, a drop it will take or refuse, a query on show.
enum class FrameLook { Waiting, Acceptable, Refused, ShowingQuery };

QColor mix(const QColor &from, const QColor &to, qreal amount);
QColor errorColour(const QPalette &palette);
QColor mutedColour(const QPalette &palette);
QColor hintColour(const QPalette &palette);
void setTextColour(QLabel *label, const QColor &colour);
// Long words (URLs, file names) get break opportunities so that a word-wrapped label never
// grows wider than the pane.
QString breakable(const QString &text);

// The rounded frame around the whole pane, dashed while it waits for a drop.
void paintFrame(QPainter &painter, const QRectF &widgetRect, const QPalette &palette, FrameLook look);
// The tinted band behind an error message, so it stands out.
void paintErrorBand(QPainter &painter, const QRectF &messageRect, const QPalette &palette);
// The generic "picture" sign in a colour, kGlyphSide square.
QPixmap glyphPixmap(const QColor &colour, qreal devicePixelRatio);
// A card of `size` with the glyph and "No preview", for a picture Qt cannot show.
QPixmap placeholderPixmap(const QSize &size, const QPalette &palette, qreal devicePixelRatio);
// The picture scaled to `size` with corners rounded like the card around it, so it does
// not look pasted on.
QPixmap roundedPicture(const QImage &image, const QSize &size, qreal devicePixelRatio);

} // namespace lookbook::paneStyle
