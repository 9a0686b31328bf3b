#pragma once
// How an image becomes an embedding, apart from the network weights: how it is fitted to
// the network's input square, at what size, and how the last convolutional map is pooled.
// The recipe is recorded in every cache by its id, so a cache made with another recipe is
// never mixed with new embeddings.

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

struct EmbeddingRecipe {
    FitMode fit = FitMode::Squash;
    int inputSize = 224;
    Pooling pooling = Pooling::Max;

    // A short stable name such as "squash-224-max", used in caches and on the command line.
    QString id() const;
    static std::optional<EmbeddingRecipe> fromId(const QString &id);

    // The default for new catalogs: the seed recipe (see docs/quality.md).
    static EmbeddingRecipe defaultRecipe() { return {}; }

    friend bool operator==(const EmbeddingRecipe &, const EmbeddingRecipe &) = default;
};

} // namespace lookbook
