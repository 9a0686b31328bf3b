#include "GarmentColour.h"

#include "BuiltInResource.h"
#include <QFile>
#include <QtEndian>
#include <QStringList>

#include <Eigen/Dense>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace lookbook {

namespace {

// The tables' CIELAB grid: 20 x 42 x 42 cells of width 5 (../shared/data/colour-names).
constexpr int kLightnessCells = 20;
constexpr int kChromaCells = 42;
constexpr int kCells = kLightnessCells * kChromaCells * kChromaCells;
// Pictures are described at this size: a product shot is 60x80 already, and a garment's
// colour needs no more than a few thousand pixels.
constexpr int kDescribedSide = 120;
// Background: pixels within this CIELAB distance of the border's median colour, connected
// to the border.
constexpr float kBackgroundDistance = 12.0f;
// Below this share of the picture the garment mask is not trusted (a white shirt on white
// vanishes with the background) and the whole picture is described.
constexpr double kMinGarmentShare = 0.03;
constexpr double kMinOutsideGarmentShare = 0.006;
// The centre prior of photos from elsewhere: a Gaussian of this many picture sides.
constexpr double kCentreSigma = 0.3;
// Skin is set aside only when enough of the garment is left without it.
constexpr double kMinSkinFreeShare = 0.3;

struct ColourNameTable {
    std::vector<float> probabilities; // kCells x GarmentColour::kNames
};

const ColourNameTable &table()
{
    static const ColourNameTable names = [] {
        const QByteArray bytes = builtInResource(QStringLiteral("colour_names.lcn"), "colour-name table");
        constexpr qsizetype kHeader = 8 + 3 * 4;
        if (bytes.size() < kHeader) qFatal("built-in colour-name table is damaged");
        const auto field = [&](int i) { return qFromLittleEndian<quint32>(bytes.constData() + 8 + 4 * i); };
        // Stored compressed (packaging/colour/make-colour-names-table.py): 0.23 MB, not 1.27.
        const QByteArray unpacked = qUncompress(bytes.mid(kHeader));
        if (!bytes.startsWith("LKBKCNAM") || field(0) != 2 || field(1) != quint32(kCells)
            || field(2) != quint32(GarmentColour::kNames) || unpacked.size() != qsizetype(kCells) * GarmentColour::kNames)
            qFatal("built-in colour-name table is damaged");
        ColourNameTable t;
        t.probabilities.resize(size_t(kCells) * GarmentColour::kNames);
        const auto *q = reinterpret_cast<const unsigned char *>(unpacked.constData());
        for (size_t i = 0; i < t.probabilities.size(); ++i) t.probabilities[i] = float(q[i]) / 255.0f;
        return t;
    }();
    return names;
}

// The tables were learned with their authors' sRGB-to-Lab conversion, not OpenCV's: every
// channel linearised by ((v + 0.055) / 1.055)^2.4, XYZ scaled by 80, their white point.
struct AuthorsLab {
    std::array<float, 256> linear{};
    Eigen::Matrix3f rgbToXyz;
    AuthorsLab()
    {
        for (int v = 0; v < 256; ++v) linear[size_t(v)] = float(std::pow((v / 255.0 + 0.055) / 1.055, 2.4));
        Eigen::Matrix3f xyzToRgb;
        xyzToRgb << 3.2410f, -1.5374f, -0.4986f, -0.9692f, 1.8760f, 0.0416f, 0.0556f, -0.2040f, 1.0570f;
        rgbToXyz = xyzToRgb.inverse() * 80.0f;
    }
    static float f(float t) { return t > 0.008856f ? std::cbrt(t) : 7.787f * t + 16.0f / 116.0f; }
    cv::Vec3f operator()(const cv::Vec3b &bgr) const
    {
        const Eigen::Vector3f rgb(linear[bgr[2]], linear[bgr[1]], linear[bgr[0]]);
        const Eigen::Vector3f xyz = rgbToXyz * rgb;
        const float x = xyz[0] / 94.811f, y = xyz[1] / 100.0f, z = xyz[2] / 107.304f;
        const float lightness = y > 0.008856f ? 116.0f * std::cbrt(y) - 16.0f : 903.3f * y;
        return {lightness, 500.0f * (f(x) - f(y)), 200.0f * (f(y) - f(z))};
    }
    static int cell(const cv::Vec3f &lab)
    {
        const int l = std::clamp(int(std::floor(std::min(lab[0], 99.999f) / 5.0f)), 0, kLightnessCells - 1);
        const int a = std::clamp(int(std::floor(lab[1] / 5.0f)) + kChromaCells / 2, 0, kChromaCells - 1);
        const int b = std::clamp(int(std::floor(lab[2] / 5.0f)) + kChromaCells / 2, 0, kChromaCells - 1);
        return l + kLightnessCells * a + kLightnessCells * kChromaCells * b;
    }
};

// What touches the border with the border's colour: the studio background.
cv::Mat backgroundMask(const cv::Mat &lab)
{
    std::array<std::vector<float>, 3> border;
    const auto addBorder = [&](int r, int c) {
        const cv::Vec3f &v = lab.at<cv::Vec3f>(r, c);
        for (int k = 0; k < 3; ++k) border[size_t(k)].push_back(v[k]);
    };
    for (int c = 0; c < lab.cols; ++c) addBorder(0, c), addBorder(lab.rows - 1, c);
    for (int r = 0; r < lab.rows; ++r) addBorder(r, 0), addBorder(r, lab.cols - 1);
    cv::Vec3f median;
    for (int k = 0; k < 3; ++k) {
        auto &values = border[size_t(k)];
        std::nth_element(values.begin(), values.begin() + qsizetype(values.size() / 2), values.end());
        median[k] = values[values.size() / 2];
    }
    cv::Mat near(lab.size(), CV_8U);
    for (int r = 0; r < lab.rows; ++r)
        for (int c = 0; c < lab.cols; ++c)
            near.at<uchar>(r, c) = cv::norm(lab.at<cv::Vec3f>(r, c) - median) < kBackgroundDistance ? 1 : 0;
    cv::Mat components;
    const int count = cv::connectedComponents(near, components, 4, CV_32S);
    std::vector<char> touches(size_t(count), 0);
    const auto mark = [&](int r, int c) {
        if (near.at<uchar>(r, c)) touches[size_t(components.at<int>(r, c))] = 1;
    };
    for (int c = 0; c < lab.cols; ++c) mark(0, c), mark(lab.rows - 1, c);
    for (int r = 0; r < lab.rows; ++r) mark(r, 0), mark(r, lab.cols - 1);
    cv::Mat background(lab.size(), CV_8U);
    for (int r = 0; r < lab.rows; ++r)
        for (int c = 0; c < lab.cols; ++c)
            background.at<uchar>(r, c) = near.at<uchar>(r, c) && touches[size_t(components.at<int>(r, c))] ? 1 : 0;
    return background;
}

// A common skin rule in YCrCb (Chai and Ngan), which a model's arms and face fall in.
cv::Mat skinMask(const cv::Mat &bgr)
{
    cv::Mat ycrcb, skin;
    cv::cvtColor(bgr, ycrcb, cv::COLOR_BGR2YCrCb);
    cv::inRange(ycrcb, cv::Scalar(0, 138, 77), cv::Scalar(255, 173, 127), skin);
    return skin; // 255 where skin
}

// Mean colour-name probabilities over pixels, weighted; `names` of them from the first.
void addNames(Eigen::VectorXf &out, int at, const std::vector<int> &cells, const std::vector<float> &weights, int names)
{
    double total = 0;
    for (float w : weights) total += w;
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(names);
    const std::vector<float> &p = table().probabilities;
    for (size_t i = 0; i < cells.size(); ++i) {
        if (weights[i] <= 0) continue;
        const float *row = p.data() + size_t(cells[i]) * GarmentColour::kNames;
        for (int n = 0; n < names; ++n) sum[n] += double(weights[i]) * row[n];
    }
    if (total > 0) out.segment(at, names) = (sum / total).cast<float>();
}

} // namespace

const QStringList &GarmentColour::basicNames()
{
    static const QStringList names = {QStringLiteral("black"), QStringLiteral("brown"),  QStringLiteral("blue"),
                                      QStringLiteral("grey"),  QStringLiteral("green"),  QStringLiteral("orange"),
                                      QStringLiteral("pink"),  QStringLiteral("purple"), QStringLiteral("red"),
                                      QStringLiteral("white"), QStringLiteral("yellow")};
    return names;
}

Eigen::VectorXf GarmentColour::describe(const cv::Mat &input, ImageRole role)
{
    static const AuthorsLab toLab;
    cv::Mat bgr = input;
    const int side = std::max(input.cols, input.rows);
    if (side > kDescribedSide) {
        const double scale = double(kDescribedSide) / side;
        cv::resize(input, bgr, cv::Size(std::max(1, int(std::lround(input.cols * scale))),
                                        std::max(1, int(std::lround(input.rows * scale)))), 0, 0, cv::INTER_AREA);
    }
    const int rows = bgr.rows, cols = bgr.cols;
    cv::Mat lab(bgr.size(), CV_32FC3);
    std::vector<int> cells(size_t(rows) * size_t(cols));
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const cv::Vec3f v = toLab(bgr.at<cv::Vec3b>(r, c));
            lab.at<cv::Vec3f>(r, c) = v;
            cells[size_t(r) * size_t(cols) + size_t(c)] = AuthorsLab::cell(v);
        }
    const cv::Mat background = backgroundMask(lab);
    const cv::Mat skin = skinMask(bgr);
    const bool outside = role == ImageRole::OutsidePhoto;

    // The garment's weights: not background; for outside photos, toward the centre and
    // not skin (a hand holding the garment, a face).
    const size_t pixels = cells.size();
    std::vector<float> garment(pixels), centre(pixels, 1.0f);
    double garmentTotal = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const size_t i = size_t(r) * size_t(cols) + size_t(c);
            if (outside) {
                const double dy = (r - rows / 2.0) / (kCentreSigma * rows), dx = (c - cols / 2.0) / (kCentreSigma * cols);
                centre[i] = float(std::exp(-(dx * dx + dy * dy) / 2));
            }
            float w = background.at<uchar>(r, c) ? 0.0f : 1.0f;
            if (outside) w *= centre[i] * (skin.at<uchar>(r, c) ? 0.0f : 1.0f);
            garment[i] = w;
            garmentTotal += w;
        }
    if (garmentTotal < (outside ? kMinOutsideGarmentShare : kMinGarmentShare) * double(pixels)) {
        garment = centre; // no trustworthy mask: the whole picture (toward the centre)
        garmentTotal = 0;
        for (float w : garment) garmentTotal += w;
    }
    std::vector<float> skinFree(pixels);
    double skinFreeTotal = 0, skinTotal = 0;
    for (size_t i = 0; i < pixels; ++i) {
        const bool isSkin = skin.at<uchar>(int(i / size_t(cols)), int(i % size_t(cols))) != 0;
        skinFree[i] = isSkin ? 0.0f : garment[i];
        skinFreeTotal += skinFree[i];
        skinTotal += isSkin ? garment[i] : 0.0f;
    }
    if (skinFreeTotal <= kMinSkinFreeShare * garmentTotal) skinFree = garment;

    Eigen::VectorXf out = Eigen::VectorXf::Zero(kDimension);
    addNames(out, 0, cells, garment, kNames);
    addNames(out, kNames, cells, skinFree, kNames);
    // Bands of the garment's height: the first and last rows holding any of it.
    int top = rows, bottom = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            if (garment[size_t(r) * size_t(cols) + size_t(c)] > 0) top = std::min(top, r), bottom = std::max(bottom, r + 1);
    if (top >= bottom) top = 0, bottom = rows;
    for (int band = 0; band < kBands; ++band) {
        const int from = top + (bottom - top) * band / kBands, to = top + (bottom - top) * (band + 1) / kBands;
        std::vector<float> inBand(pixels, 0.0f);
        double total = 0;
        for (size_t i = size_t(from) * size_t(cols); i < size_t(to) * size_t(cols); ++i) total += inBand[i] = skinFree[i];
        if (total <= 0)
            std::fill(inBand.begin() + qsizetype(size_t(from) * size_t(cols)), inBand.begin() + qsizetype(size_t(to) * size_t(cols)), 1.0f);
        addNames(out, 2 * kNames + band * kBasicNames, cells, inBand, kBasicNames);
    }
    out[kDimension - 2] = float(garmentTotal / double(pixels));
    out[kDimension - 1] = garmentTotal > 0 ? float(skinTotal / garmentTotal) : 0.0f;
    return out;
}

} // namespace lookbook
