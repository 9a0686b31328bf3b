#include "EmbeddingModel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace lookbook {

namespace {

constexpr float kGeMPower = 3.0f;
constexpr float kNormFloor = 1e-12f;
const cv::Scalar kWhite(255, 255, 255);

using FeatureMap = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

// Pools one image's C x (H*W) map into C values.
Eigen::VectorXf pool(const FeatureMap &map, Pooling pooling)
{
    switch (pooling) {
    case Pooling::Average:
        return map.rowwise().mean();
    case Pooling::Max:
        return map.rowwise().maxCoeff();
    case Pooling::GeM:
        // Post-ReLU values are >= 0; the floor keeps pow() away from 0^(1/p) edge cases.
        return map.array().max(1e-6f).pow(kGeMPower).rowwise().mean().pow(1.0f / kGeMPower).matrix();
    }
    return {};
}

} // namespace

struct EmbeddingModel::Impl {
    ModelDescriptor descriptor;
    QString path;
    mutable cv::dnn::Net net;
    mutable std::mutex forwardMutex; // cv::dnn::Net::forward is not re-entrant
};

EmbeddingModel::EmbeddingModel(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
EmbeddingModel::~EmbeddingModel() = default;

Expected<std::shared_ptr<EmbeddingModel>> EmbeddingModel::load(const QString &onnxPath,
                                                               const ModelDescriptor &descriptor,
                                                               bool verifyChecksum)
{
    using Result = Expected<std::shared_ptr<EmbeddingModel>>;
    QFile file(onnxPath);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(QStringLiteral("cannot read the model file %1: %2")
                                   .arg(QDir::toNativeSeparators(onnxPath), file.errorString()));
    // One read serves both the checksum and the parser, and works for any path on any OS
    // (cv::dnn's file API takes an 8-bit path).
    const QByteArray bytes = file.readAll();
    if (verifyChecksum) {
        const QByteArray actual = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
        if (actual != descriptor.sha256Hex)
            return Result::failure(
                QStringLiteral("the model file %1 is not the expected %2: its sha256 is %3 (%4 bytes), "
                               "expected %5 (%6 bytes). The file is damaged or is another model; "
                               "replace it with the original.")
                    .arg(QDir::toNativeSeparators(onnxPath), descriptor.fileName, QString::fromLatin1(actual))
                    .arg(bytes.size())
                    .arg(QString::fromLatin1(descriptor.sha256Hex))
                    .arg(descriptor.bytes));
    }
    auto impl = std::make_unique<Impl>();
    impl->descriptor = descriptor;
    impl->path = QFileInfo(onnxPath).absoluteFilePath();
    try {
        impl->net = cv::dnn::readNetFromONNX(bytes.constData(), static_cast<size_t>(bytes.size()));
        impl->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        impl->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception &e) {
        return Result::failure(QStringLiteral("OpenCV could not load the model %1: %2")
                                   .arg(QDir::toNativeSeparators(onnxPath), QString::fromUtf8(e.what())));
    }
    if (impl->net.empty())
        return Result::failure(QStringLiteral("OpenCV read no network from %1").arg(onnxPath));
    return std::shared_ptr<EmbeddingModel>(new EmbeddingModel(std::move(impl)));
}

cv::Mat EmbeddingModel::fitToInput(const cv::Mat &bgr, const InputFit &fit)
{
    const int side = fit.inputSize;
    cv::Mat out;
    switch (fit.fit) {
    case FitMode::Squash:
        cv::resize(bgr, out, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
        break;
    case FitMode::PadToSquare: {
        const double scale = double(side) / std::max(bgr.cols, bgr.rows);
        const int w = std::clamp(int(std::lround(bgr.cols * scale)), 1, side);
        const int h = std::clamp(int(std::lround(bgr.rows * scale)), 1, side);
        cv::Mat resized;
        cv::resize(bgr, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
        const int left = (side - w) / 2, top = (side - h) / 2;
        cv::copyMakeBorder(resized, out, top, side - h - top, left, side - w - left, cv::BORDER_CONSTANT, kWhite);
        break;
    }
    case FitMode::CenterCrop: {
        const double scale = double(side) / std::min(bgr.cols, bgr.rows);
        const int w = std::max(side, int(std::lround(bgr.cols * scale)));
        const int h = std::max(side, int(std::lround(bgr.rows * scale)));
        cv::Mat resized;
        cv::resize(bgr, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
        out = resized(cv::Rect((w - side) / 2, (h - side) / 2, side, side)).clone();
        break;
    }
    }
    return out;
}

RowMatrix EmbeddingModel::embed(const std::vector<cv::Mat> &images, const EmbeddingRecipe &recipe,
                                ImageRole role) const
{
    const int channels = d->descriptor.featureChannels;
    const bool withClasses = recipe.classWeight > 0;
    RowMatrix result(static_cast<Eigen::Index>(images.size()), dimension(recipe));
    if (images.empty()) return result;

    const InputFit fit = recipe.fitFor(role);
    std::vector<cv::Mat> fitted;
    fitted.reserve(images.size());
    for (const cv::Mat &image : images) fitted.push_back(fitToInput(image, fit));
    const auto &m = d->descriptor.mean;
    // The descriptor's mean is in the network's channel order; blobFromImages expects it in
    // that order too when it swaps R and B.
    const cv::Mat blob = cv::dnn::blobFromImages(fitted, d->descriptor.scale, cv::Size(),
                                                 cv::Scalar(m[0], m[1], m[2]),
                                                 /*swapRB=*/!d->descriptor.bgr, /*crop=*/false);
    std::vector<cv::Mat> outputs;
    {
        std::lock_guard lock(d->forwardMutex);
        d->net.setInput(blob, d->descriptor.inputName.toStdString());
        // One pass serves both outputs: the class layer sits on top of the feature map.
        std::vector<cv::String> names{d->descriptor.featureLayer.toStdString()};
        if (withClasses) names.push_back(d->descriptor.classLayer.toStdString());
        d->net.forward(outputs, names);
        for (cv::Mat &out : outputs) out = out.clone(); // the net reuses its buffers
    }
    const cv::Mat &features = outputs[0];
    CV_Assert(features.dims == 4 && features.size[0] == int(images.size()) && features.size[1] == channels);
    const int cells = features.size[2] * features.size[3];
    for (int n = 0; n < features.size[0]; ++n) {
        const FeatureMap map(features.ptr<float>(n), channels, cells);
        Eigen::VectorXf v = pool(map, recipe.pooling);
        v /= std::max(v.norm(), kNormFloor);
        result.row(n).head(channels) = v.transpose();
        if (withClasses) {
            // Square roots of the probabilities (the Hellinger mapping) so that the dot
            // product of two blocks compares distributions rather than their peaks.
            const Eigen::Map<const Eigen::VectorXf> probabilities(outputs[1].ptr<float>(n), d->descriptor.classCount);
            Eigen::VectorXf c = probabilities.cwiseMax(0.0f).cwiseSqrt();
            c *= recipe.classWeight / std::max(c.norm(), kNormFloor);
            result.row(n).tail(d->descriptor.classCount) = c.transpose();
        }
        result.row(n) /= std::max(result.row(n).norm(), kNormFloor);
    }
    return result;
}

int EmbeddingModel::dimensionFor(const ModelDescriptor &descriptor, const EmbeddingRecipe &recipe)
{
    return descriptor.featureChannels + (recipe.classWeight > 0 ? descriptor.classCount : 0);
}
const ModelDescriptor &EmbeddingModel::descriptor() const { return d->descriptor; }
QString EmbeddingModel::path() const { return d->path; }

} // namespace lookbook
