#pragma once
// Relevance feedback (Rocchio): the query moves toward the results a stylist liked and away
// from those they did not, q' = a q + b mean(liked) - c mean(disliked), renormalised. The
// same sum with several queries and no feedback is a mood board: one query for the look
// that several pictures share. All vectors are in the search space (SearchSpace::prepare).

#include <Eigen/Core>

#include <vector>

namespace lookbook {

class Rocchio {
public:
    struct Weights {
        // The classic weights of the SMART experiments (Rocchio 1971; Salton & Buckley 1990)
        // give the original query the most say; a dislike pushes less than a like pulls,
        // because "not this" says little about what is wanted. docs/quality.md measures them.
        float query = 1.0f;
        float liked = 0.75f;
        float disliked = 0.25f;
    };

    Rocchio() = default;
    explicit Rocchio(Weights weights) : m_weights(weights) {}
    const Weights &weights() const { return m_weights; }

    // The normalised mean of unit vectors: several pictures as one query. Empty input: empty result.
    static Eigen::RowVectorXf combine(const std::vector<Eigen::RowVectorXf> &queries);
    // The refined query; with no query vector (size 0), the liked items alone define it.
    // Returns an empty vector when nothing is left to search for (only dislikes).
    Eigen::RowVectorXf refine(const Eigen::RowVectorXf &query, const std::vector<Eigen::RowVectorXf> &liked,
                              const std::vector<Eigen::RowVectorXf> &disliked) const;

private:
    Weights m_weights;
};

} // namespace lookbook
