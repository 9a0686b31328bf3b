#include "QueryPreview.h"

#include "QueryPaneStyle.h"

#include <QMouseEvent>
#include <QRubberBand>

namespace lookbook {

namespace {
// A drag shorter than this on the preview is a click, not a region.
constexpr int kMinRegionDrag = 8;
} // namespace

QueryPreview::QueryPreview(QWidget *parent) : QLabel(parent), m_band(new QRubberBand(QRubberBand::Rectangle, this))
{
    setAlignment(Qt::AlignCenter);
    setAccessibleName(tr("Query image preview"));
    setToolTip(tr("Drag a rectangle to search for one garment only"));
    setCursor(Qt::CrossCursor);
    m_band->hide();
}

void QueryPreview::setPicture(const QImage &image, QSize pictureSize)
{
    m_image = image;
    m_pictureSize = pictureSize.isValid() ? pictureSize : image.size();
    m_region = QRect();
    m_pressAt = QPoint();
    m_shownSize = QSize(); // forces a new scaled pixmap
    updateBand();
}

void QueryPreview::fitInto(const QSize &bounds)
{
    const QSize source = m_image.isNull() ? paneStyle::kPlaceholderAspect : m_image.size();
    const QSize target = source.scaled(bounds, Qt::KeepAspectRatio);
    if (target == m_shownSize) return;
    m_shownSize = target;
    const qreal ratio = devicePixelRatioF();
    setPixmap(m_image.isNull() ? paneStyle::placeholderPixmap(target, palette(), ratio)
                               : paneStyle::roundedPicture(m_image, target, ratio));
    setFixedSize(target);
    updateBand();
}

void QueryPreview::setRegion(const QRect &region)
{
    m_region = region;
    updateBand();
}

QRect QueryPreview::toPicture(const QRect &onPreview) const
{
    if (!m_pictureSize.isValid() || m_shownSize.isEmpty()) return {};
    const double sx = double(m_pictureSize.width()) / m_shownSize.width();
    const double sy = double(m_pictureSize.height()) / m_shownSize.height();
    const QRect clipped = onPreview.normalized().intersected(QRect(QPoint(0, 0), m_shownSize));
    return QRect(qRound(clipped.x() * sx), qRound(clipped.y() * sy), qRound(clipped.width() * sx), qRound(clipped.height() * sy));
}

QRect QueryPreview::toPreview(const QRect &inPicture) const
{
    if (!m_pictureSize.isValid() || m_shownSize.isEmpty()) return {};
    const double sx = double(m_shownSize.width()) / m_pictureSize.width();
    const double sy = double(m_shownSize.height()) / m_pictureSize.height();
    return QRect(qRound(inPicture.x() * sx), qRound(inPicture.y() * sy), qRound(inPicture.width() * sx), qRound(inPicture.height() * sy));
}

void QueryPreview::updateBand()
{
    m_band->setVisible(!m_region.isNull() && isVisible());
    if (!m_region.isNull()) m_band->setGeometry(toPreview(m_region));
}

void QueryPreview::showEvent(QShowEvent *event)
{
    QLabel::showEvent(event);
    updateBand();
}

void QueryPreview::hideEvent(QHideEvent *event)
{
    QLabel::hideEvent(event);
    m_band->hide();
}

void QueryPreview::mousePressEvent(QMouseEvent *event)
{
    if (m_image.isNull() || event->button() != Qt::LeftButton) return QLabel::mousePressEvent(event);
    m_pressAt = event->position().toPoint();
    m_band->setGeometry(QRect(m_pressAt, QSize()));
    m_band->show();
}

void QueryPreview::mouseMoveEvent(QMouseEvent *event)
{
    if (m_image.isNull() || (m_pressAt.isNull() && !(event->buttons() & Qt::LeftButton)))
        return QLabel::mouseMoveEvent(event);
    m_band->setGeometry(QRect(m_pressAt, event->position().toPoint()).normalized().intersected(rect()));
}

void QueryPreview::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_image.isNull() || event->button() != Qt::LeftButton) return QLabel::mouseReleaseEvent(event);
    const QRect drawn = QRect(m_pressAt, event->position().toPoint()).normalized();
    m_pressAt = QPoint();
    if (drawn.width() < kMinRegionDrag || drawn.height() < kMinRegionDrag) {
        updateBand(); // a click: the region stays as it was
        return;
    }
    m_region = toPicture(drawn);
    updateBand();
    emit regionDrawn(m_region);
}

} // namespace lookbook
