#pragma once
// One search as a stylist asks for it, from pictures to ranked, labelled results: the one
// query pipeline of the window and the command line.
//
//   pictures (each maybe cropped to a region) and catalog items -> one query (a mood board
//   when there are several) -> refined by likes and dislikes (Rocchio) -> searched under the
//   filter's mask -> re-ranked by the taste profile -> results with paths and labels.
//
// Stateless: it reads the store, space and labels it is given, so searches can run on any
// thread at once.

#include "ColourRanking.h"
#include "EmbeddingModel.h"
#include "EmbeddingStore.h"
#include "QueryInput.h"
#include "ResultFilter.h"
#include "Rocchio.h"
#include "SearchResult.h"
#include "SearchSpace.h"
#include "StyleLabels.h"
#include "TasteProfile.h"

#include <vector>

namespace lookbook {

struct RecommendRequest {
    std::vector<QueryInput> pictures; // one, or several combined (a mood board)
    std::vector<int> items;           // catalog items as queries ("more like this"); never in the results
    std::vector<int> likedItems, dislikedItems;                 // feedback on earlier results
    std::vector<QueryInput> likedPictures, dislikedPictures;    // feedback given as pictures
    ResultFilter filter;
    int k = 5;
    const TasteProfile *taste = nullptr; // null or empty: no re-ranking
    Rocchio::Weights feedbackWeights;
    // "This, in another colour": a colour family ("blue") or colour ("Navy Blue") the
    // results should have, by their garment colour (not their labels); empty: colours
    // alike the query's, as the recipe weighs them.
    QString colour;

    // Every picture the request names: queries, then liked, then disliked.
    std::vector<QueryInput> allPictures() const;
};

class Recommender {
public:
    // catalogRoot: the absolute folder the store's relative paths are in. labels may be
    // null; so may colours (the store's garment colours, in its order): then colour plays
    // no part and a requested colour is refused.
    Recommender(const EmbeddingStore &store, const SearchSpace &space, const StyleLabels *labels, QString catalogRoot,
                const CatalogColours *colours = nullptr);

    // The catalog item a picture is: its file is in this catalog and no region is drawn on
    // it, so its stored vector serves (no decoding, no network). -1 otherwise.
    int catalogItemOf(const QueryInput &picture) const { return catalogItemOf(m_store, m_root, picture); }
    static int catalogItemOf(const EmbeddingStore &store, const QString &catalogRoot, const QueryInput &picture);

    // Fails with a sentence when a picture cannot be decoded or cropped, the filter cannot
    // apply, or a picture needs the network and `model` is null.
    Expected<SearchOutcome> recommend(const RecommendRequest &request, const EmbeddingModel *model,
                                      const EmbeddingRecipe &recipe) const;

    // The search-space vectors of pictures (catalog items read from the store, others
    // decoded, cropped and embedded in one batch).
    // With `signatures`, also each picture's colour signature (empty without colours).
    Expected<std::vector<Eigen::RowVectorXf>> vectorsOf(const std::vector<QueryInput> &pictures,
                                                         const EmbeddingModel *model, const EmbeddingRecipe &recipe,
                                                         std::vector<Eigen::RowVectorXf> *signatures = nullptr) const;
    std::vector<Eigen::RowVectorXf> vectorsOf(const std::vector<int> &items) const;

private:
    const EmbeddingStore &m_store;
    const SearchSpace &m_space;
    // What the request asks of colour, from the query pictures' and items' signatures.
    Expected<ColourWish> colourWish(const RecommendRequest &request, const std::vector<Eigen::RowVectorXf> &signatures) const;

    const StyleLabels *m_labels;
    QString m_root;
    const CatalogColours *m_colours;
};

} // namespace lookbook
