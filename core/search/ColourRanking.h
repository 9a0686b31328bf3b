#pragma once
// How garment colour re-orders what the embedding search found. The network's embedding
// (with the learned projection) decides what kind of item a picture shows and finds the
// candidates; colour then re-scores only those candidates, so asking for colour never
// brings in items of another kind from the far end of the catalog:
//
//   alike    score + weight * colour similarity to the query      (every search)
//   chosen   score + chosenWeight * P(item is the chosen colour)   ("this, in another colour")
//
// and only candidates whose score is within a margin of the best one's: how many items are
// that alike depends on the catalog (a catalog with hundreds of T-shirts has many, one
// with a few of each kind has few), where a fixed count of candidates would let colour
// pull in other kinds of items from a sparse catalog.
//
// Colour similarity is the Bhattacharyya coefficient of the two items' colour families
// and colours as the ColourModel predicts them, mixed (familyShare): 1 for the same
// colour, 0 for colours the model never confuses. Weights and candidate counts are
// chosen on the training catalog of ../shared (docs/quality.md).

#include "ColourModel.h"
#include "EmbeddingRecipe.h"
#include "RowMatrix.h"
#include "SearchTypes.h"

#include <memory>
#include <optional>

namespace lookbook {

struct ColourRankingSettings {
    float weight = 0;            // of colour similarity; 0: colour does not re-order results
    int candidates = 40;         // the search's first candidates that colour may re-order...
    float margin = 0.05f;        // ...those within this much of the best candidate's score
    float familyShare = 0.5f;    // of the family in the similarity; the rest is the exact colour
    float chosenWeight = 1.0f;   // of the chosen colour's probability
    int chosenCandidates = 300;  // a chosen colour looks further down the list...
    float chosenMargin = 0.15f;  // ...and further from the best score

    // These settings with the recipe's colour weight (its colW part; 0 without one).
    ColourRankingSettings forRecipe(const EmbeddingRecipe &recipe) const
    {
        ColourRankingSettings settings = *this;
        settings.weight = recipe.colourWeight;
        return settings;
    }
};

// What a query asks of colour: colours alike its own (its signature), or a chosen one.
struct ColourWish {
    Eigen::RowVectorXf alike; // the query's signature; empty for none
    std::optional<ColourModel::Choice> chosen;
    bool isEmpty() const { return alike.size() == 0 && !chosen; }
};

// Every catalog item's colour as the model predicts it, computed once per catalog.
class CatalogColours {
public:
    CatalogColours(const RowMatrix &descriptions, std::shared_ptr<const ColourModel> model, float familyShare);

    int size() const { return int(m_signatures.rows()); }
    const ColourModel &model() const { return *m_model; }
    // A description's signature: square roots of its family and colour probabilities,
    // scaled so that the dot product of two signatures is the mixed similarity.
    Eigen::RowVectorXf signatureOf(const Eigen::VectorXf &description) const;
    Eigen::RowVectorXf signature(int item) const { return m_signatures.row(item); }
    // The probability that item is the chosen family or colour.
    float probability(int item, const ColourModel::Choice &choice) const;
    // The family the model finds most likely for an item (GarmentColour::basicNames() index).
    int likelyFamily(int item) const;

private:
    std::shared_ptr<const ColourModel> m_model;
    float m_familyShare;
    RowMatrix m_signatures;
    RowMatrix m_colours;  // items x colours
    RowMatrix m_families; // items x families
};

class ColourRanking {
public:
    // How many candidates a search must return for rerank() to see enough of them.
    static int candidatesFor(const ColourWish &wish, const ColourRankingSettings &settings, int k);
    // The first k of `candidates` (sorted by score, best first) re-scored as the wish says;
    // the scores shown stay the search's own cosines.
    static std::vector<SearchHit> rerank(std::vector<SearchHit> candidates, const CatalogColours &colours,
                                         const ColourWish &wish, const ColourRankingSettings &settings, int k);
};

} // namespace lookbook
