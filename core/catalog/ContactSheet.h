#pragma once
// A result set as one picture to show someone: a title, then a grid of cards, the query's
// first (a local file, or the bytes of a pasted or fetched picture, with the part searched
// outlined when it was a region) and one per result, each with its photo fitted into the
// same box (aspect kept, on white) and a caption: rank and score, articleType / baseColour
// when labelled, the file name. Drawn with OpenCV so the core needs no GUI library; its
// Hershey fonts are ASCII only, so captions spell accented letters without their accents
// and show other characters as '?'. A photo that cannot be read gets a card that says why.

#include "Expected.h"
#include "SearchResult.h"

#include <QByteArray>

#include <opencv2/core/mat.hpp>

namespace lookbook {

// Every size in pixels. The sheet is 2 * margin + columns * tileWidth() + (columns - 1) * gap
// wide (fewer columns when there are fewer cards), and 2 * margin + headerHeight +
// rows * tileHeight() + (rows - 1) * gap high.
struct ContactSheetLayout {
    int columns = 6;        // cards per row at most: the query and 5 results fill one row
    int imageWidth = 180;   // the photo box of a card: 3:4, the catalog's proportions
    int imageHeight = 240;
    int padding = 10;       // between a card's edge and its photo box
    int captionHeight = 70; // three lines under the photo
    int gap = 16;           // between cards
    int margin = 32;        // around everything
    int headerHeight = 76;  // title and subtitle
    int maxResults = 60;    // more are left out (the subtitle says so): a sheet stays a picture

    int tileWidth() const { return imageWidth + 2 * padding; }
    int tileHeight() const { return padding + imageHeight + captionHeight; }
};

class ContactSheet {
public:
    explicit ContactSheet(ContactSheetLayout layout = {}) : m_layout(layout) {}

    // The sheet as an 8-bit BGR image. Photos are read with ImageLoader (its limits guard
    // against hostile files); any that fails becomes a card with the reason.
    cv::Mat render(const SearchOutcome &outcome) const;
    // render() encoded as PNG.
    Expected<QByteArray> png(const SearchOutcome &outcome) const;

    // The size render() gives for `cards` cards (the query's included).
    cv::Size sheetSize(int cards) const;
    const ContactSheetLayout &layout() const { return m_layout; }

private:
    ContactSheetLayout m_layout;
};

} // namespace lookbook
