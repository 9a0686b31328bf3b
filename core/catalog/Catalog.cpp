#include "Catalog.h"

#include "CacheFiles.h"
#include "ColourStore.h"
#include "Pools.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace lookbook {

namespace {
// A space reads its store's rows; the deleter keeps the store alive as long as the space.
std::shared_ptr<const SearchSpace> keepingStore(SearchSpace *space, const std::shared_ptr<const EmbeddingStore> &store)
{
    return std::shared_ptr<const SearchSpace>(space, [keep = store](const SearchSpace *s) { delete s; });
}
} // namespace

Expected<Catalog> Catalog::open(const QString &root, const QString &cachePath, const EmbeddingRecipe &recipe)
{
    Catalog catalog;
    catalog.m_root = QFileInfo(root).absoluteFilePath();
    if (!QFileInfo(catalog.m_root).isDir())
        return Expected<Catalog>::failure(
            QStringLiteral("the catalog folder %1 does not exist").arg(QDir::toNativeSeparators(catalog.m_root)));
    catalog.m_cachePath = cachePath.isEmpty() ? cacheFiles::defaultPath(catalog.m_root) : cachePath;
    catalog.m_recipe = recipe;
    catalog.readCache(cacheFiles::identityFor(ModelDescriptor::builtIn(), recipe));
    return catalog;
}

void Catalog::readCache(const StoreIdentity &identity)
{
    // Looked at before the read: a file replaced meanwhile is then taken for a newer one at
    // the next look, and read again, rather than missed.
    m_seenCache = fileSystem::identityOf(m_cachePath);
    OpenedStore opened = cacheFiles::open(m_cachePath, identity);
    setStore(std::make_shared<const EmbeddingStore>(std::move(opened.store)));
    m_cacheProblem = opened.problem;
    m_journalBatches = opened.journalBatches;
}

Status Catalog::checkCache() const
{
    return m_store->checkRows(m_cachePath);
}

Catalog::CacheLook Catalog::lookForNewerCache() const
{
    CacheLook look;
    look.file = fileSystem::identityOf(m_cachePath);
    if (!look.file) look.change = m_seenCache ? CacheChange::Removed : CacheChange::None;
    else if (look.file != m_seenCache) look.change = CacheChange::Newer;
    return look;
}

void Catalog::reopen()
{
    readCache(m_store->identity());
}

void Catalog::setStore(std::shared_ptr<const EmbeddingStore> store)
{
    m_store = std::move(store);
    m_colours.reset();
    // The exact file when the store is one read from it (after this process's own indexer
    // saved it, too: that is no newer cache).
    if (m_store->fileIdentity()) m_seenCache = m_store->fileIdentity();
}

Status Catalog::loadLabels(const QString &csvPath)
{
    const QString path = csvPath.isEmpty() ? QDir(m_root).filePath(kStylesCsv) : csvPath;
    if (csvPath.isEmpty() && !QFileInfo::exists(path)) {
        m_labels.reset();
        return success();
    }
    auto loaded = StyleLabels::load(path);
    if (!loaded) return Status::failure(loaded.error());
    m_labels = std::make_shared<const StyleLabels>(std::move(*loaded));
    return success();
}

Status Catalog::loadOwnProjection()
{
    m_projection.reset();
    const QString path = cacheFiles::projectionPath(m_cachePath);
    if (!QFileInfo::exists(path)) return success();
    auto loaded = DiscriminantProjection::load(path);
    if (!loaded) return Status::failure(loaded.error());
    m_projection = std::make_shared<const DiscriminantProjection>(std::move(*loaded));
    return success();
}

Expected<RowMatrix> Catalog::describeColours(const Progress &onProgress, const std::atomic_bool *cancel) const
{
    return ColourStore::update(m_root, *m_store, m_cachePath, onProgress, cancel);
}

std::shared_ptr<const CatalogColours> Catalog::coloursFrom(const RowMatrix &descriptions,
                                                           std::shared_ptr<const ColourModel> model)
{
    return std::make_shared<const CatalogColours>(descriptions, std::move(model), ColourRankingSettings{}.familyShare);
}

bool Catalog::canSaveSpace() const
{
    return !m_cachePath.isEmpty() && m_store->fileChecksum();
}

Expected<std::shared_ptr<const SearchSpace>> Catalog::loadSavedSpace() const
{
    using Result = Expected<std::shared_ptr<const SearchSpace>>;
    if (!canSaveSpace()) return Result::failure(QStringLiteral("the store is not the one saved in its cache"));
    auto saved = SearchSpace::load(cacheFiles::spacePath(m_cachePath), *m_store, m_recipe, m_projection);
    if (!saved) return Result::failure(saved.error());
    return keepingStore(saved->release(), m_store);
}

std::shared_ptr<const SearchSpace> Catalog::buildSpace(const EmbeddingRecipe &recipe, SearchSpace::Speed speed,
                                                       const std::atomic_bool *cancel) const
{
    // A full build runs long on a pool of its own, so that it never holds a thread that
    // thumbnails, searches and Qt's painting need.
    QThreadPool *const builder = speed == SearchSpace::Speed::Full ? pools::spaceBuildWorkers() : pools::search();
    return keepingStore(new SearchSpace(*m_store, recipe, m_projection, pools::search(), speed, builder, nullptr, cancel),
                        m_store);
}

Status Catalog::saveSpace(const SearchSpace &space) const
{
    if (!canSaveSpace()) return success();
    return space.save(cacheFiles::spacePath(m_cachePath));
}

std::shared_ptr<const SearchSpace> Catalog::openOrBuildSpace() const
{
    return keepingStore(SearchSpace::openOrBuild(cacheFiles::spacePath(m_cachePath), *m_store, m_recipe, m_projection).release(),
                        m_store);
}

bool Catalog::needsModel(const std::vector<QueryInput> &pictures) const
{
    return !std::all_of(pictures.begin(), pictures.end(), [this](const QueryInput &picture) {
        return Recommender::catalogItemOf(*m_store, m_root, picture) >= 0;
    });
}

QueryInput Catalog::pictureOf(const QString &root, const QString &relativePath)
{
    QueryInput picture;
    picture.displayName = QFileInfo(relativePath).fileName();
    picture.localPath = QDir(root).filePath(relativePath);
    return picture;
}

RecommendRequest Catalog::requestFor(const CatalogQuery &query, const TasteProfile *taste) const
{
    RecommendRequest request;
    request.pictures = query.pictures;
    request.filter = query.filter;
    request.k = query.k;
    request.taste = taste;
    request.colour = query.colour;
    for (const QString &path : query.liked)
        if (const int item = m_store->itemOf(path); item >= 0) request.likedItems.push_back(item);
    for (const QString &path : query.disliked)
        if (const int item = m_store->itemOf(path); item >= 0) request.dislikedItems.push_back(item);
    return request;
}

Expected<SearchOutcome> Catalog::recommend(const RecommendRequest &request, const SearchSpace &space,
                                           const EmbeddingModel *model) const
{
    auto outcome = Recommender(*m_store, space, m_labels.get(), m_root, m_colours.get()).recommend(request, model, m_recipe);
    // Checked after the search: it also tells whether the rows the search read were whole.
    if (Status unchanged = checkCache(); !unchanged) return Expected<SearchOutcome>::failure(unchanged.error());
    return outcome;
}

} // namespace lookbook
