#include "ColourRanking.h"

#include "GarmentColour.h"

#include <algorithm>
#include <cmath>

namespace lookbook {

CatalogColours::CatalogColours(const RowMatrix &descriptions, std::shared_ptr<const ColourModel> model, float familyShare)
    : m_model(std::move(model)), m_familyShare(std::clamp(familyShare, 0.0f, 1.0f))
{
    m_colours = m_model->colourProbabilities(descriptions);
    m_families = m_model->familyProbabilities(m_colours);
    m_signatures.resize(m_colours.rows(), m_families.cols() + m_colours.cols());
    m_signatures.leftCols(m_families.cols()) = m_families.array().sqrt().matrix() * std::sqrt(m_familyShare);
    m_signatures.rightCols(m_colours.cols()) = m_colours.array().sqrt().matrix() * std::sqrt(1.0f - m_familyShare);
}

Eigen::RowVectorXf CatalogColours::signatureOf(const Eigen::VectorXf &description) const
{
    const RowMatrix colours = m_model->colourProbabilities(description.transpose());
    const RowMatrix families = m_model->familyProbabilities(colours);
    Eigen::RowVectorXf signature(families.cols() + colours.cols());
    signature << families.array().sqrt().matrix() * std::sqrt(m_familyShare),
        colours.array().sqrt().matrix() * std::sqrt(1.0f - m_familyShare);
    return signature;
}

float CatalogColours::probability(int item, const ColourModel::Choice &choice) const
{
    if (choice.family >= 0) return m_families(item, choice.family);
    if (choice.colour >= 0) return m_colours(item, choice.colour);
    return 0;
}

int CatalogColours::likelyFamily(int item) const
{
    Eigen::Index best = 0;
    m_families.row(item).maxCoeff(&best);
    return int(best);
}

int ColourRanking::candidatesFor(const ColourWish &wish, const ColourRankingSettings &settings, int k)
{
    if (wish.chosen) return std::max(k, settings.chosenCandidates);
    if (wish.alike.size() > 0 && settings.weight > 0) return std::max(k, settings.candidates);
    return k;
}

std::vector<SearchHit> ColourRanking::rerank(std::vector<SearchHit> candidates, const CatalogColours &colours,
                                             const ColourWish &wish, const ColourRankingSettings &settings, int k)
{
    const auto colourScore = [&](int item) -> float {
        if (wish.chosen) return settings.chosenWeight * colours.probability(item, *wish.chosen);
        if (wish.alike.size() > 0) return settings.weight * colours.signature(item).dot(wish.alike);
        return 0.0f;
    };
    if (!wish.isEmpty() && (wish.chosen || settings.weight > 0) && !candidates.empty()) {
        // Candidates outside the margin keep their order, after those inside it.
        const float floor = candidates.front().score - (wish.chosen ? settings.chosenMargin : settings.margin);
        constexpr float kOutside = -1e9f;
        std::vector<std::pair<float, size_t>> order;
        order.reserve(candidates.size());
        for (size_t i = 0; i < candidates.size(); ++i) {
            const SearchHit &hit = candidates[i];
            order.emplace_back(hit.score >= floor ? hit.score + colourScore(hit.item) : kOutside, i); // ties: stable
        }
        // Stable on ties: equal re-scores keep the search's order.
        std::stable_sort(order.begin(), order.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        std::vector<SearchHit> reordered;
        reordered.reserve(order.size());
        for (const auto &[score, i] : order) reordered.push_back(candidates[i]);
        candidates = std::move(reordered);
    }
    if (int(candidates.size()) > k) candidates.resize(size_t(std::max(0, k)));
    return candidates;
}

} // namespace lookbook
