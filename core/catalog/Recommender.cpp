#include "Recommender.h"

#include "GarmentColour.h"
#include "ImageLoader.h"
#include "QueryRegion.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <opencv2/core.hpp>

namespace lookbook {

Recommender::Recommender(const EmbeddingStore &store, const SearchSpace &space, const StyleLabels *labels, QString catalogRoot,
                         const CatalogColours *colours)
    : m_store(store), m_space(space), m_labels(labels), m_root(std::move(catalogRoot)),
      m_colours(colours && colours->size() == store.size() ? colours : nullptr)
{
}

std::vector<QueryInput> RecommendRequest::allPictures() const
{
    std::vector<QueryInput> all = pictures;
    all.insert(all.end(), likedPictures.begin(), likedPictures.end());
    all.insert(all.end(), dislikedPictures.begin(), dislikedPictures.end());
    return all;
}

int Recommender::catalogItemOf(const EmbeddingStore &store, const QString &catalogRoot, const QueryInput &picture)
{
    if (picture.localPath.isEmpty() || !picture.region.isNull() || catalogRoot.isEmpty()) return -1;
    const QString relative = QDir(catalogRoot).relativeFilePath(QFileInfo(picture.localPath).absoluteFilePath());
    return relative.startsWith(QLatin1String("../")) ? -1 : store.itemOf(relative);
}

std::vector<Eigen::RowVectorXf> Recommender::vectorsOf(const std::vector<int> &items) const
{
    std::vector<Eigen::RowVectorXf> vectors;
    for (int item : items) vectors.push_back(m_space.itemQuery(item));
    return vectors;
}

Expected<std::vector<Eigen::RowVectorXf>> Recommender::vectorsOf(const std::vector<QueryInput> &pictures,
                                                                  const EmbeddingModel *model,
                                                                  const EmbeddingRecipe &recipe,
                                                                  std::vector<Eigen::RowVectorXf> *signatures) const
{
    using Result = Expected<std::vector<Eigen::RowVectorXf>>;
    std::vector<Eigen::RowVectorXf> vectors(pictures.size());
    if (signatures) signatures->assign(pictures.size(), Eigen::RowVectorXf());
    std::vector<cv::Mat> toEmbed;
    std::vector<size_t> embedFor;
    for (size_t i = 0; i < pictures.size(); ++i) {
        const QueryInput &picture = pictures[i];
        if (const int item = catalogItemOf(picture); item >= 0) {
            vectors[i] = m_space.itemQuery(item);
            if (signatures && m_colours) (*signatures)[i] = m_colours->signature(item);
            continue;
        }
        auto image = picture.bytes.isEmpty() && !picture.localPath.isEmpty() ? ImageLoader().loadFile(picture.localPath)
                                                                             : ImageLoader().decode(picture.bytes);
        if (!image) return Result::failure(QStringLiteral("%1 cannot be searched: %2").arg(picture.displayName, image.error()));
        auto crop = QueryRegion::crop(*image, picture.region);
        if (!crop) return Result::failure(QStringLiteral("%1 cannot be searched: %2").arg(picture.displayName, crop.error()));
        toEmbed.push_back(*crop);
        embedFor.push_back(i);
        if (signatures && m_colours)
            (*signatures)[i] = m_colours->signatureOf(GarmentColour::describe(*crop, ImageRole::OutsidePhoto));
    }
    if (toEmbed.empty()) return vectors;
    if (!model) return Result::failure(QStringLiteral("The model is not loaded, so images cannot be searched."));
    RowMatrix embedded;
    try {
        embedded = m_space.prepare(model->embed(toEmbed, recipe, ImageRole::OutsidePhoto));
    } catch (const cv::Exception &e) {
        return Result::failure(QStringLiteral("the network failed on the query (%1)").arg(QString::fromUtf8(e.what()).simplified()));
    }
    for (size_t j = 0; j < embedFor.size(); ++j) vectors[embedFor[j]] = embedded.row(Eigen::Index(j));
    return vectors;
}

Expected<SearchOutcome> Recommender::recommend(const RecommendRequest &request, const EmbeddingModel *model,
                                               const EmbeddingRecipe &recipe) const
{
    using Result = Expected<SearchOutcome>;
    SearchOutcome outcome;
    outcome.catalogItems = m_store.size();
    outcome.filterDescription = request.filter.describe();
    outcome.queryPictures = int(request.pictures.size() + request.items.size());
    outcome.catalogRoot = m_root;
    if (!request.pictures.empty()) {
        outcome.queryPath = request.pictures.front().localPath;
        if (outcome.queryPath.isEmpty()) outcome.queryImage = request.pictures.front().bytes; // shared, not copied
        outcome.queryRegion = request.pictures.front().region;
    }
    else if (!request.items.empty()) outcome.queryPath = QDir(m_root).filePath(m_store.items()[size_t(request.items.front())].relativePath);
    if (request.pictures.size() == 1) outcome.queryName = request.pictures.front().displayName;
    else if (request.pictures.empty() && request.items.size() == 1) outcome.queryName = QFileInfo(m_store.items()[size_t(request.items.front())].relativePath).fileName();
    else if (request.pictures.empty() && request.items.empty()) outcome.queryName = QStringLiteral("the liked items");
    else outcome.queryName = QStringLiteral("%1 pictures").arg(request.pictures.size() + request.items.size());

    QElapsedTimer clock;
    clock.start();
    // Every vector in one batch through the network: pictures, then liked and disliked pictures.
    std::vector<Eigen::RowVectorXf> signatures;
    auto pictureVectors = vectorsOf(request.allPictures(), model, recipe, &signatures);
    if (!pictureVectors) return Result::failure(pictureVectors.error());
    signatures.resize(request.pictures.size()); // the query's own pictures
    for (int item : request.items) signatures.push_back(m_colours ? m_colours->signature(item) : Eigen::RowVectorXf());
    auto wish = colourWish(request, signatures);
    if (!wish) return Result::failure(wish.error());
    const auto from = [&](size_t begin, size_t count) {
        return std::vector<Eigen::RowVectorXf>(pictureVectors->begin() + qsizetype(begin), pictureVectors->begin() + qsizetype(begin + count));
    };
    std::vector<Eigen::RowVectorXf> queries = from(0, request.pictures.size());
    std::vector<Eigen::RowVectorXf> liked = from(request.pictures.size(), request.likedPictures.size());
    std::vector<Eigen::RowVectorXf> disliked = from(request.pictures.size() + request.likedPictures.size(), request.dislikedPictures.size());
    for (const auto &v : vectorsOf(request.items)) queries.push_back(v);
    for (const auto &v : vectorsOf(request.likedItems)) liked.push_back(v);
    for (const auto &v : vectorsOf(request.dislikedItems)) disliked.push_back(v);
    outcome.queryInCatalog = request.pictures.empty() && !request.items.empty();
    for (const QueryInput &picture : request.pictures) outcome.queryInCatalog = outcome.queryInCatalog || catalogItemOf(picture) >= 0;
    const Eigen::RowVectorXf query = Rocchio(request.feedbackWeights).refine(Rocchio::combine(queries), liked, disliked);
    if (query.size() == 0) return Result::failure(QStringLiteral("nothing to search for: give a picture or like a result"));
    outcome.embedMs = double(clock.nsecsElapsed()) / 1e6;
    clock.restart();

    // The filter and the query's own catalog items, as one mask.
    std::vector<char> allowed;
    if (!request.filter.isEmpty()) {
        auto mask = request.filter.mask(m_store, m_labels);
        if (!mask) return Result::failure(mask.error());
        allowed = std::move(*mask);
    }
    std::vector<int> ownItems = request.items;
    for (const QueryInput &picture : request.pictures)
        if (const int item = catalogItemOf(picture); item >= 0) ownItems.push_back(item);
    if (!ownItems.empty() && allowed.empty()) allowed.assign(size_t(m_store.size()), 1);
    for (int item : ownItems) allowed[size_t(item)] = 0;
    outcome.allowedItems = allowed.empty() ? m_store.size() : int(std::count(allowed.begin(), allowed.end(), 1));

    const bool useTaste = request.taste && !request.taste->isEmpty()
                          && request.taste->spaceKey() == recipe.id() && request.taste->dimension() == m_space.dimension();
    // Colour re-orders the search's first candidates, then the taste profile the first of those.
    const ColourRankingSettings colourSettings = ColourRankingSettings{}.forRecipe(recipe);
    const int forTaste = useTaste ? request.k * TasteProfile::kCandidatesPerResult : request.k;
    SearchRequest search;
    search.k = m_colours ? std::max(forTaste, ColourRanking::candidatesFor(*wish, colourSettings, request.k)) : forTaste;
    search.allowed = allowed.empty() ? nullptr : &allowed;
    std::vector<SearchHit> hits = outcome.allowedItems > 0 ? m_space.search(query, search) : std::vector<SearchHit>();
    if (m_colours) hits = ColourRanking::rerank(std::move(hits), *m_colours, *wish, colourSettings, forTaste);
    if (useTaste) hits = request.taste->rerank(std::move(hits), request.k, [this](int item) { return m_space.itemQuery(item); });
    outcome.colour = wish->chosen && m_colours ? m_colours->model().nameOf(*wish->chosen) : QString();
    outcome.tasteApplied = useTaste;
    outcome.searchMs = double(clock.nsecsElapsed()) / 1e6;

    outcome.results = resultItems(hits, m_store, m_labels, m_root);
    return outcome;
}

Expected<ColourWish> Recommender::colourWish(const RecommendRequest &request, const std::vector<Eigen::RowVectorXf> &signatures) const
{
    ColourWish wish;
    if (!m_colours) {
        if (request.colour.isEmpty()) return wish;
        return Expected<ColourWish>::failure(
            QStringLiteral("the catalog's garment colours are not known yet, so results cannot be asked for in %1").arg(request.colour));
    }
    if (!request.colour.isEmpty()) {
        wish.chosen = m_colours->model().choose(request.colour);
        if (!wish.chosen)
            return Expected<ColourWish>::failure(QStringLiteral("'%1' is not a colour Lookbook knows: use a family (%2) or a colour "
                                                                "such as %3")
                                                     .arg(request.colour, GarmentColour::basicNames().join(QStringLiteral(", ")),
                                                          m_colours->model().colours().mid(0, 4).join(QStringLiteral(", "))));
    }
    // A mood board's colour is the mean of its pictures' signatures.
    for (const Eigen::RowVectorXf &s : signatures) {
        if (s.size() == 0) continue;
        if (wish.alike.size() == 0) wish.alike = Eigen::RowVectorXf::Zero(s.size());
        wish.alike += s;
    }
    if (wish.alike.size() > 0 && wish.alike.norm() > 0) wish.alike /= wish.alike.norm();
    return wish;
}

} // namespace lookbook
