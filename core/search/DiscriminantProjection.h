#pragma once
// A linear map learned from a labelled catalog by linear discriminant analysis (LDA), which
// moves items of the same class (e.g. the same articleType) together and different classes
// apart. It is appended to an embedding rather than replacing it, so what the network sees
// and the labels do not describe (style, colour, texture) still counts:
//     z = L2([x, weight * L2((x - mean) * W)]).
// Lookbook ships one fitted on the fashion subset in ../shared (docs/quality.md), and a
// user can fit one to their own labelled catalog. Fitting is PCA to a few hundred
// dimensions, then LDA with shrinkage of the within-class scatter toward its average
// variance, all in Eigen.

#include "RowMatrix.h"
#include "Expected.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace lookbook {

struct DiscriminantFitOptions {
    int pcaDimensions = 256;    // LDA runs in this PCA subspace (fewer items than dimensions)
    int outputDimensions = 64;
    float shrinkage = 0.3f;     // 0 = plain LDA; 1 = within-class scatter replaced by isotropy
};

class DiscriminantProjection {
public:
    // classes[i] is the class of row i of `embeddings`, or -1 for an unlabelled row (left out).
    static Expected<DiscriminantProjection> fit(const RowMatrixView &embeddings, const std::vector<int> &classes,
                                                const DiscriminantFitOptions &options = {});

    // Dense class ids for label values in order of first appearance; -1 for an empty value.
    static std::vector<int> classIds(const std::vector<QString> &labels);

    // The appended form above, one row per input row.
    RowMatrix apply(const RowMatrixView &embeddings, float weight) const;
    // Its parts, for callers that keep them apart (SpaceRows): the projected block
    // L2((x - mean) * W), and the factors the two blocks are multiplied by in apply().
    RowMatrix project(const RowMatrixView &embeddings) const;
    struct BlockScales {
        float embedding = 1;
        float projected = 0;
    };
    static BlockScales scalesFor(float weight);

    int inputDimension() const { return int(m_mean.size()); }
    int outputDimension() const { return int(m_matrix.cols()); }
    // Free-form facts about how it was fitted (data, labels, counts), kept in the file.
    QJsonObject provenance() const { return m_provenance; }
    void setProvenance(QJsonObject provenance) { m_provenance = std::move(provenance); }

    Status save(const QString &path) const;
    // A checksum of the parameters: what a saved search space was projected with.
    quint64 fingerprint() const;
    static Expected<DiscriminantProjection> load(const QString &path);
    static Expected<DiscriminantProjection> fromBytes(const QByteArray &bytes);
    // The projection the product ships (fitted on articleType of the fashion subset).
    static const DiscriminantProjection &builtIn();

private:
    Eigen::RowVectorXf m_mean;
    RowMatrix m_matrix; // inputDimension() x outputDimension()
    QJsonObject m_provenance;
};

} // namespace lookbook
