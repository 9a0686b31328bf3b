#pragma once
// Turns a file or a buffer into the 8-bit BGR picture the network wants, or says why not.
// Bytes are read through Qt (any path, any OS), the header is checked before decoding so a
// hostile file cannot make us allocate gigabytes, and OpenCV decodes. Grayscale, alpha
// (composited on white, the catalog's background), 16-bit, CMYK and EXIF orientation are
// all normalised here so nothing downstream has to care.

#include "Expected.h"
#include "ImageHeaderProbe.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <optional>

namespace lookbook {

struct ImageLimits {
    qint64 maxFileBytes = 256LL * 1024 * 1024;
    qint64 maxPixels = 120'000'000; // 120 MP: larger than any camera a stylist uses
    int maxSide = 30'000;
};

class ImageLoader {
public:
    explicit ImageLoader(ImageLimits limits = {}) : m_limits(limits) {}

    // Returns a CV_8UC3 BGR image, or a one-line reason ("truncated JPEG", "header declares
    // 50000x50000 pixels, more than the 120 MP limit", ...).
    Expected<cv::Mat> loadFile(const QString &path) const;
    Expected<cv::Mat> decode(const QByteArray &bytes) const;
    // Why a picture whose header declares this size is refused before any pixel is decoded;
    // none when it is within the limits. For callers that decode a preview themselves.
    std::optional<QString> declaredSizeRefusal(const ImageHeader &header) const;

    // Lower-case file suffixes a catalog is scanned for.
    static const QStringList &catalogSuffixes();

private:
    ImageLimits m_limits;
};

} // namespace lookbook
