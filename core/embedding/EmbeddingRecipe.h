#pragma once
// How an image becomes an embedding and how the catalog is searched, apart from the network
// weights: how an image is fitted to the network's input square and at what size (catalog
// items and photos from outside the catalog may differ), how the last convolutional map is
// pooled, whether the class probabilities are blended in, and the neighbourhood refinements
// (database-side augmentation, query expansion). Every choice is in the recipe's id, which
// every cache records, so a cache made with another recipe is never mixed with new
// embeddings. docs/quality.md measures each choice.

#include <QString>

#include <optional>

namespace lookbook {

enum class FitMode {
    Squash,      // resize straight to the square, ignoring aspect (Keras' own pipeline)
    PadToSquare, // keep aspect, pad to a square on white (the studio background)
    CenterCrop,  // resize the shorter side, cut the centre square
};

enum class Pooling {
    Average, // global average pooling (the model's avg_pool output)
    Max,     // global max pooling, "MAC" (the seed recipe)
    GeM,     // generalised mean with p = 3
};

// Which kind of image is being embedded: the product shots of the catalog, or a photo from
// elsewhere (a street photo, a screenshot) whose framing and background differ.
enum class ImageRole { CatalogItem, OutsidePhoto };

struct InputFit {
    FitMode fit = FitMode::Squash;
    int inputSize = 224;
    friend bool operator==(const InputFit &, const InputFit &) = default;
};

struct EmbeddingRecipe {
    FitMode fit = FitMode::Squash;
    int inputSize = 224;
    Pooling pooling = Pooling::Max;
    // How photos from outside the catalog are fitted; unset means as the catalog items.
    std::optional<InputFit> outsideFit;
    // Weight of the network's class probabilities (their square roots, L2-normalised)
    // appended to the pooled map before the final normalisation; 0 leaves them out.
    float classWeight = 0;
    // Weight of the learned discriminant projection (DiscriminantProjection) appended to
    // each embedding at search time; 0 leaves it out.
    float projectionWeight = 0;
    // Database-side augmentation: each item's searchable vector is the similarity-weighted
    // mean of its nearest neighbours (itself included); 0 turns it off.
    int augmentNeighbours = 0;
    // Query expansion: the query is moved toward its first results before the final search.
    int expansionNeighbours = 0;
    // Weight of garment colour similarity (GarmentColour, ColourRanking) when the search's
    // first candidates are re-ordered; 0 leaves colour out.
    float colourWeight = 0;
    // The power applied to similarities when weighting neighbours (alpha of alpha-QE).
    static constexpr float kNeighbourPower = 3.0f;

    InputFit fitFor(ImageRole role) const
    {
        return role == ImageRole::OutsidePhoto && outsideFit ? *outsideFit : InputFit{fit, inputSize};
    }

    // The parts that shape the stored embeddings (fit, size, pooling, class blend). Caches
    // record this recipe's id; the other parts act at search time on the stored rows, so
    // changing them needs no re-index.
    EmbeddingRecipe indexRecipe() const
    {
        EmbeddingRecipe r;
        r.fit = fit;
        r.inputSize = inputSize;
        r.pooling = pooling;
        r.classWeight = classWeight;
        return r;
    }

    // A short stable name such as "squash-224-max" (the seed recipe) or
    // "squash-288-max-cls0.2-qcrop224-lda1-col0.5", used in caches and on the command line.
    QString id() const;
    static std::optional<EmbeddingRecipe> fromId(const QString &id);

    // The recipe Lookbook uses for new catalogs (see docs/quality.md for why).
    static EmbeddingRecipe defaultRecipe();
    // The seed project's recipe, the quality baseline.
    static EmbeddingRecipe seedRecipe() { return {}; }

    friend bool operator==(const EmbeddingRecipe &, const EmbeddingRecipe &) = default;
};

} // namespace lookbook
