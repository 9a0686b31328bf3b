#pragma once
// The colour of the garment in a picture, measured from its pixels rather than from the
// network (whose ImageNet features carry little colour): the garment's pixels are found,
// and each is given the probabilities that people would call its colour "black", "navy",
// "beige"... by the colour-name tables of Yu, van de Weijer et al. (models/colour_names.lcn,
// derived from ../shared/data/colour-names by packaging/colour/make-colour-names-table.py).
// The description is those probabilities averaged over the garment's pixels: over all of
// them, without skin, and in three horizontal bands (a T-shirt worn with jeans is the top
// band). A learned ColourModel turns it into the colour a catalog would label.
//
// Which pixels are the garment:
// - catalog product shots: the background is what touches the border and has the border's
//   colour (the studio white or grey); everything else is the product;
// - photos from elsewhere (street photos, screenshots): the same, weighted toward the
//   centre, where people frame what they photograph.
// Skin (a model wearing the garment) is set aside in the skin-free parts.

#include "EmbeddingRecipe.h"

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include <QString>

namespace lookbook {

class GarmentColour {
public:
    static constexpr int kBasicNames = 11;   // black, brown, blue, grey, green, orange, pink, purple, red, white, yellow
    static constexpr int kExtendedNames = 25; // the 11, then turquoise, ... beige, lilac, olive
    static constexpr int kNames = kBasicNames + kExtendedNames;
    static constexpr int kBands = 3;
    // All pixels' names, the skin-free pixels' names, the bands' basic names, and two shares
    // (of the picture that is garment, of the garment that is skin).
    static constexpr int kDimension = 2 * kNames + kBands * kBasicNames + 2;
    // What the stored descriptions were made with: caches of another version are rebuilt.
    static inline const QString kVersion = QStringLiteral("garment-colour-1");

    // The description of one 8-bit BGR picture (any size: it is shrunk first).
    static Eigen::VectorXf describe(const cv::Mat &bgr, ImageRole role);

    // The basic colour names in the tables' order, which is also the order of colour families.
    static const QStringList &basicNames();
};

} // namespace lookbook
