#pragma once
// The colour a catalog would label a garment with, learned from a labelled catalog: a
// softmax regression from the garment's colour description (GarmentColour) to its
// baseColour ("Navy Blue", "Off White"...). Each colour belongs to a family, the basic
// colour term people use ("blue", "white": ../shared/data/colour-families.csv), so the
// model also gives the probability of each family. Lookbook ships one fitted on the
// training catalog of ../shared (models/fashion_colour_model.json says on what, and the
// command that made it); `lookbook-cli fit-colour` fits one to any labelled catalog.

#include "RowMatrix.h"
#include "Expected.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace lookbook {

struct ColourFitOptions {
    int iterations = 600;
    float learningRate = 0.05f; // Adam's step
    float l2 = 1e-4f;
};

class ColourModel {
public:
    // colours[i] is row i's label (empty: unlabelled, left out); familyOf maps each label
    // to its family, one of GarmentColour::basicNames() (a label with none, "Multi", counts
    // toward no family). Labels seen fewer than minExamples times are left out.
    static Expected<ColourModel> fit(const RowMatrix &descriptions, const std::vector<QString> &colours,
                                     const QHash<QString, QString> &familyOf, const ColourFitOptions &options = {},
                                     int minExamples = 5);

    // One row per description: the probability of each colour (colours() order)...
    RowMatrix colourProbabilities(const RowMatrix &descriptions) const;
    // ...and of each family (GarmentColour::basicNames() order).
    RowMatrix familyProbabilities(const RowMatrix &colourProbabilities) const;

    const QStringList &colours() const { return m_colours; }
    // The family of colour c, -1 for none.
    int familyOf(int colour) const { return m_family[size_t(colour)]; }
    // A family ("blue") or a colour ("Navy Blue"), case ignored; nullopt when neither.
    struct Choice {
        int family = -1; // set for a family
        int colour = -1; // set for a colour
    };
    std::optional<Choice> choose(const QString &name) const;
    QString nameOf(const Choice &choice) const;

    QJsonObject provenance() const { return m_provenance; }
    void setProvenance(QJsonObject provenance) { m_provenance = std::move(provenance); }
    // A checksum of the parameters: what a saved search refers to.
    quint64 fingerprint() const;

    Status save(const QString &path) const;
    static Expected<ColourModel> load(const QString &path);
    static Expected<ColourModel> fromJson(const QByteArray &json);
    // The model the product ships; the pointer form for owners that take a shared model
    // (CatalogColours), which it outlives.
    static const ColourModel &builtIn() { return *builtInShared(); }
    static const std::shared_ptr<const ColourModel> &builtInShared();

    // baseColour -> family, from a CSV with the columns baseColour, family.
    static Expected<QHash<QString, QString>> loadFamilies(const QString &csvPath);

private:
    RowMatrix features(const RowMatrix &descriptions) const;

    QStringList m_colours;
    std::vector<int> m_family;
    Eigen::RowVectorXf m_mean, m_scale; // of the features, from the fitting data
    RowMatrix m_weights;                // (features + 1) x colours, the last row the bias
    QJsonObject m_provenance;
};

} // namespace lookbook
