#pragma once
// The part of a query picture that is searched for: one garment in a street photo. Only
// the crop is embedded, so the rest of the scene (face, background, other clothes) does
// not pull the results toward itself.

#include "Expected.h"

#include <QRect>
#include <QSize>

#include <opencv2/core/mat.hpp>

namespace lookbook {

class QueryRegion {
public:
    // The one-click crop: the middle of the picture, where a photographed garment usually
    // is, leaving out the margins where scene and background are.
    static QRect centre(QSize picture);
    // The crop of `image` (a view, no copy) to the region clipped to the picture; the whole
    // picture for a null region. Fails when the region lies outside it or leaves fewer than
    // kMinSide pixels a side, too few for the network to see anything.
    static Expected<cv::Mat> crop(const cv::Mat &image, const QRect &region);
    static constexpr int kMinSide = 16;
    // "X,Y,W,H" in pixels (the command line's --region), or why not.
    static Expected<QRect> parse(const QString &text);
};

} // namespace lookbook
