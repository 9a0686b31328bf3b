#pragma once
// The network: images in, L2-normalised embeddings out. Wraps one cv::dnn::Net, which is
// not safe to run from two threads at once, so forward passes are serialised by a mutex;
// parallelism comes from batching and from OpenCV's own threads inside the forward pass.

#include "EmbeddingRecipe.h"
#include "Expected.h"
#include "ModelDescriptor.h"

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include <memory>
#include <vector>

namespace lookbook {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A read-only view of row-major embeddings owned elsewhere (a store, a memory map).
using RowMatrixView = Eigen::Map<const RowMatrix>;

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

    // One row per image, L2-normalised, dimension() columns. Images are CV_8UC3 BGR of any
    // size; they are fitted to the input square as the recipe says.
    RowMatrix embed(const std::vector<cv::Mat> &images, const EmbeddingRecipe &recipe) const;

    // The network's input square for one image, as the recipe fits it (8-bit BGR).
    static cv::Mat fitToInput(const cv::Mat &bgr, const EmbeddingRecipe &recipe);

    int dimension() const;
    const ModelDescriptor &descriptor() const;
    QString path() const;

private:
    struct Impl;
    explicit EmbeddingModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace lookbook
