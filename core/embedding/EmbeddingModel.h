#pragma once
// The network: images in, L2-normalised embeddings out. Wraps one cv::dnn::Net, which is
// not safe to run from two threads at once, so forward passes are serialised by a mutex;
// parallelism comes from batching and from OpenCV's own threads inside the forward pass.

#include "EmbeddingRecipe.h"
#include "Expected.h"
#include "ModelDescriptor.h"
#include "RowMatrix.h"

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include <memory>
#include <vector>

namespace lookbook {

class EmbeddingModel {
public:
    // Reads the ONNX file and, when verifyChecksum is set, refuses it if its sha256 is not
    // the descriptor's. The message names the file and the expected checksum.
    static Expected<std::shared_ptr<EmbeddingModel>> load(const QString &onnxPath,
                                                          const ModelDescriptor &descriptor,
                                                          bool verifyChecksum = true);
    ~EmbeddingModel();
    EmbeddingModel(const EmbeddingModel &) = delete;
    EmbeddingModel &operator=(const EmbeddingModel &) = delete;

    // One row per image, L2-normalised, dimension(recipe) columns. Images are CV_8UC3 BGR
    // of any size; they are fitted to the input square as the recipe says for their role.
    RowMatrix embed(const std::vector<cv::Mat> &images, const EmbeddingRecipe &recipe,
                    ImageRole role = ImageRole::CatalogItem) const;

    // The network's input square for one image, fitted as `fit` says (8-bit BGR).
    static cv::Mat fitToInput(const cv::Mat &bgr, const InputFit &fit);

    // Columns of the embeddings this recipe makes: the pooled map, plus the class
    // probabilities when the recipe blends them in.
    int dimension(const EmbeddingRecipe &recipe) const { return dimensionFor(descriptor(), recipe); }
    static int dimensionFor(const ModelDescriptor &descriptor, const EmbeddingRecipe &recipe);
    const ModelDescriptor &descriptor() const;
    QString path() const;

private:
    struct Impl;
    explicit EmbeddingModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace lookbook
