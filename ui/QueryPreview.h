#pragma once
// The query picture as the pane shows it: scaled to fit, with rounded corners (or a "No
// preview" card when Qt cannot show it), and the region of it being searched as a band the
// user draws with the mouse. Regions are in the picture's own pixels, whatever the size
// shown: the image on show may be a thumbnail of a larger picture.

#include <QImage>
#include <QLabel>
#include <QRect>

QT_BEGIN_NAMESPACE
class QRubberBand;
QT_END_NAMESPACE

namespace lookbook {

class QueryPreview : public QLabel {
    Q_OBJECT
public:
    explicit QueryPreview(QWidget *parent = nullptr);

    // A new picture (a null image shows the placeholder); the region is cleared.
    // pictureSize: its upright size in pixels (invalid: the image's own size).
    void setPicture(const QImage &image, QSize pictureSize = {});
    bool hasImage() const { return !m_image.isNull(); }
    QSize pictureSize() const { return m_pictureSize; }

    // Scales the picture to fit in `bounds` (aspect kept); redrawn only when the size changes
    // or after invalidate() (the placeholder follows the palette).
    void fitInto(const QSize &bounds);
    void invalidate() { m_shownSize = QSize(); }

    // In the picture's pixels; null = all of it. Set without emitting regionDrawn.
    void setRegion(const QRect &region);
    QRect region() const { return m_region; }

signals:
    // The user dragged a rectangle on the picture (in its pixels); a click is not one.
    void regionDrawn(const QRect &region);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    // Between the pixels shown and the picture's.
    QRect toPicture(const QRect &onPreview) const;
    QRect toPreview(const QRect &inPicture) const;
    void updateBand();

    QImage m_image;
    QSize m_pictureSize;
    QSize m_shownSize; // of the pixmap now shown; a change re-scales
    QRect m_region;
    QPoint m_pressAt; // where a drawing started, or null
    QRubberBand *m_band;
};

} // namespace lookbook
