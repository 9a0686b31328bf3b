#include "QueryPaneStyle.h"

#include <QCoreApplication>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>

#include <algorithm>

namespace lookbook::paneStyle {

namespace {

const QColor kErrorOnLight{0xb4, 0x23, 0x18};
const QColor kErrorOnDark{0xff, 0x8a, 0x80};
constexpr qsizetype kLongWord = 24;
const QChar kZeroWidthSpace{0x200B};

QColor withAlpha(QColor colour, int alpha)
{
    colour.setAlpha(alpha);
    return colour;
}

QPixmap transparentPixmap(const QSize &size, qreal devicePixelRatio)
{
    QPixmap pixmap(size * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    return pixmap;
}

void drawPictureGlyph(QPainter &painter, const QRectF &bounds, const QColor &colour)
{
    // A framed landscape: the generic "picture" sign, drawn so it follows the palette.
    constexpr qreal kFrameTop = 0.18, kFrameHeight = 0.64, kStroke = 0.06, kRadius = 0.1;
    constexpr qreal kSunX = 0.68, kSunY = 0.38, kSunRadius = 0.075;
    const qreal w = bounds.width();
    const QRectF frame(bounds.left() + w * kStroke, bounds.top() + w * kFrameTop, w * (1 - 2 * kStroke),
                       w * kFrameHeight);
    painter.save();
    painter.setPen(QPen(colour, w * kStroke, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(Qt::NoBrush);
    painter.drawRoundedRect(frame, w * kRadius, w * kRadius);

    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QPointF(bounds.left() + w * kSunX, bounds.top() + w * kSunY), w * kSunRadius,
                        w * kSunRadius);
    // Two hills (points in the frame's unit square), clipped to the inside of the frame.
    const auto at = [&](qreal x, qreal y) {
        return QPointF(frame.left() + frame.width() * x, frame.top() + frame.height() * y);
    };
    QPainterPath hills;
    hills.moveTo(at(0, 1));
    hills.lineTo(at(0, 0.78));
    hills.lineTo(at(0.32, 0.42));
    hills.lineTo(at(0.56, 0.7));
    hills.lineTo(at(0.7, 0.56));
    hills.lineTo(at(1, 0.86));
    hills.lineTo(at(1, 1));
    hills.closeSubpath();
    QPainterPath inside;
    inside.addRoundedRect(frame, w * kRadius, w * kRadius);
    painter.setClipPath(inside, Qt::IntersectClip);
    painter.drawPath(hills);
    painter.restore();
}

} // namespace

QColor mix(const QColor &from, const QColor &to, qreal amount)
{
    return QColor::fromRgbF(from.redF() + (to.redF() - from.redF()) * amount,
                            from.greenF() + (to.greenF() - from.greenF()) * amount,
                            from.blueF() + (to.blueF() - from.blueF()) * amount);
}

QColor errorColour(const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Window).lightness() < kDarkLightnessThreshold;
    return dark ? kErrorOnDark : kErrorOnLight;
}

QColor mutedColour(const QPalette &palette)
{
    return mix(palette.color(QPalette::WindowText), palette.color(QPalette::Window), kMutedMix);
}

QColor hintColour(const QPalette &palette)
{
    return mix(palette.color(QPalette::WindowText), palette.color(QPalette::Window), kHintMix);
}

void setTextColour(QLabel *label, const QColor &colour)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, colour);
    palette.setColor(QPalette::Text, colour);
    label->setPalette(palette);
}

QString breakable(const QString &text)
{
    QString out;
    out.reserve(text.size() + text.size() / kLongWord);
    qsizetype run = 0;
    for (const QChar c : text) {
        out += c;
        run = c.isSpace() ? 0 : run + 1;
        const bool separator = c == u'/' || c == u'\\' || c == u'?' || c == u'&' || c == u'=' || c == u'_'
                               || c == u'-' || c == u'.';
        if ((separator && run > 1) || run >= kLongWord) {
            out += kZeroWidthSpace;
            run = 0;
        }
    }
    return out;
}

void paintFrame(QPainter &painter, const QRectF &widgetRect, const QPalette &palette, FrameLook look)
{
    const QColor window = palette.color(QPalette::Window);
    const QColor text = palette.color(QPalette::WindowText);
    const qreal inset = kFrameInset + kBorderWidth / 2;
    const QRectF frame = widgetRect.adjusted(inset, inset, -inset, -inset);

    QColor fill = mix(window, palette.color(QPalette::Base), kEmptyFillMix);
    QColor stroke = mix(text, window, kFrameMix);
    bool dashed = true;
    switch (look) {
    case FrameLook::Acceptable:
        stroke = palette.color(QPalette::Highlight);
        fill = withAlpha(stroke, kHighlightFillAlpha);
        break;
    case FrameLook::Refused:
        stroke = errorColour(palette);
        fill = withAlpha(stroke, kErrorFillAlpha);
        break;
    case FrameLook::ShowingQuery:
        // A shown query is a quiet card; the dashes return while something is dragged.
        fill = palette.color(QPalette::Base);
        stroke = mix(text, window, kCardFrameMix);
        dashed = false;
        break;
    case FrameLook::Waiting:
        break;
    }
    QPen pen(stroke, kBorderWidth);
    if (dashed) pen.setDashPattern({kDashLength, kDashGap});
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(pen);
    painter.setBrush(fill);
    painter.drawRoundedRect(frame, kCornerRadius, kCornerRadius);
    painter.restore();
}

void paintErrorBand(QPainter &painter, const QRectF &messageRect, const QPalette &palette)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(withAlpha(errorColour(palette), kErrorFillAlpha));
    painter.drawRoundedRect(messageRect, kMessageRadius, kMessageRadius);
    painter.restore();
}

QPixmap glyphPixmap(const QColor &colour, qreal devicePixelRatio)
{
    QPixmap pixmap = transparentPixmap(QSize(kGlyphSide, kGlyphSide), devicePixelRatio);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    drawPictureGlyph(painter, QRectF(0, 0, kGlyphSide, kGlyphSide), colour);
    return pixmap;
}

QPixmap placeholderPixmap(const QSize &size, const QPalette &palette, qreal devicePixelRatio)
{
    QPixmap pixmap = transparentPixmap(size, devicePixelRatio);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(palette.color(QPalette::AlternateBase));
    painter.drawRoundedRect(QRectF(QPointF(0, 0), QSizeF(size)), kPreviewRadius, kPreviewRadius);

    const qreal side = std::min(size.width(), size.height()) * kPlaceholderGlyphShare;
    const QRectF glyph(QPointF((size.width() - side) / 2, (size.height() - side) / 2 - side / 4), QSizeF(side, side));
    drawPictureGlyph(painter, glyph, mutedColour(palette));
    painter.setPen(mutedColour(palette));
    const QRectF label(0, glyph.bottom(), size.width(), size.height() - glyph.bottom());
    // In the pane's translation context, where this text has always been.
    painter.drawText(label, Qt::AlignHCenter | Qt::AlignTop,
                     QCoreApplication::translate("lookbook::QueryPane", "No preview"));
    return pixmap;
}

QPixmap roundedPicture(const QImage &image, const QSize &size, qreal devicePixelRatio)
{
    QPixmap pixmap = transparentPixmap(size, devicePixelRatio);
    QPainter painter(&pixmap);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
    QPainterPath corners;
    corners.addRoundedRect(QRectF(QPointF(0, 0), QSizeF(size)), kPreviewRadius, kPreviewRadius);
    painter.setClipPath(corners);
    painter.drawImage(QRectF(QPointF(0, 0), QSizeF(size)),
                      image.scaled(size * devicePixelRatio, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    return pixmap;
}

} // namespace lookbook::paneStyle
