#include "QueryRegion.h"

#include <QStringList>

namespace lookbook {

namespace {
// The centre crop keeps this share of each side (the middle 64% of the area).
constexpr double kCentreShare = 0.8;
} // namespace

QRect QueryRegion::centre(QSize picture)
{
    const int w = int(picture.width() * kCentreShare), h = int(picture.height() * kCentreShare);
    return QRect((picture.width() - w) / 2, (picture.height() - h) / 2, w, h);
}

Expected<cv::Mat> QueryRegion::crop(const cv::Mat &image, const QRect &region)
{
    if (region.isNull()) return image;
    const QRect clipped = region.normalized().intersected(QRect(0, 0, image.cols, image.rows));
    if (clipped.width() < kMinSide || clipped.height() < kMinSide)
        return Expected<cv::Mat>::failure(
            QStringLiteral("the region %1,%2 %3x%4 leaves less than %5x%5 pixels of the %6x%7 picture")
                .arg(region.x()).arg(region.y()).arg(region.width()).arg(region.height()).arg(kMinSide)
                .arg(image.cols).arg(image.rows));
    return image(cv::Rect(clipped.x(), clipped.y(), clipped.width(), clipped.height()));
}

Expected<QRect> QueryRegion::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(','));
    int values[4] = {};
    bool ok = parts.size() == 4;
    for (int i = 0; ok && i < 4; ++i) values[i] = parts[i].trimmed().toInt(&ok);
    if (!ok || values[0] < 0 || values[1] < 0 || values[2] <= 0 || values[3] <= 0)
        return Expected<QRect>::failure(
            QStringLiteral("region '%1' is not X,Y,W,H in pixels (for example 120,80,300,400)").arg(text));
    return QRect(values[0], values[1], values[2], values[3]);
}

} // namespace lookbook
