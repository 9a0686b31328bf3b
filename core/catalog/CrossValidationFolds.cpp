#include "CrossValidationFolds.h"

#include "ItemSets.h"
#include "ResultFilter.h"
#include "SimilarityJoin.h"
#include "ByteStreams.h"

#include <QHash>

#include <algorithm>
#include <numeric>

namespace lookbook {

namespace {

const QString kArticleType = QStringLiteral("articleType");

// What sibling products share by name: their kind and the first words of their name
// (brand and line: "Puma Men", "Fabindia Women"); empty when either is missing.
QString nameKey(const StyleLabels &labels, const QString &path, const QString &kindColumn)
{
    const QString kind = labels.value(path, kindColumn);
    const QStringList words = labels.value(path, ResultFilter::nameColumn()).simplified().split(u' ', Qt::SkipEmptyParts);
    if (kind.isEmpty() || words.size() < CrossValidationFolds::kNameWords) return {};
    return kind + QChar(0x1f) + words.mid(0, CrossValidationFolds::kNameWords).join(u' ').toCaseFolded();
}

void joinByName(ItemSets &sets, const EmbeddingStore &store, const StyleLabels &labels, const QString &column)
{
    if (!labels.columns().contains(ResultFilter::nameColumn())) return;
    // Siblings are one product in other colours: of one articleType whatever is fitted.
    const QString kindColumn = labels.columns().contains(kArticleType) ? kArticleType : column;
    QHash<QString, int> firstWithKey;
    for (int i = 0; i < store.size(); ++i) {
        const QString key = nameKey(labels, store.items()[size_t(i)].relativePath, kindColumn);
        if (key.isEmpty()) continue;
        const auto it = firstWithKey.constFind(key);
        if (it == firstWithKey.constEnd()) firstWithKey.insert(key, i);
        else sets.join(i, it.value());
    }
}

} // namespace

CrossValidationFolds::CrossValidationFolds(std::vector<int> foldOf, std::vector<int> groupOf, int folds, int groups)
    : m_foldOf(std::move(foldOf)), m_groupOf(std::move(groupOf)), m_folds(folds), m_groups(groups)
{
}

std::optional<CrossValidationFolds> CrossValidationFolds::grouped(const EmbeddingStore &store, const StyleLabels &labels,
                                                                  const QString &column, int folds,
                                                                  const std::atomic_bool *cancel)
{
    const int count = store.size();
    ItemSets sets(count);
    joinByName(sets, store, labels, column);
    const auto pairs = SimilarityJoin(kSiblingCosine).pairsAboveFloor(store.rows(), {}, cancel);
    if (!pairs) return std::nullopt;
    for (const SimilarityJoin::Pair &pair : *pairs) sets.join(pair.a, pair.b);

    // Groups numbered in the order of their lowest item.
    std::vector<int> groupOf(size_t(count), -1), groupOfRoot(size_t(count), -1);
    std::vector<std::vector<int>> members;
    for (int i = 0; i < count; ++i) {
        int &g = groupOfRoot[size_t(sets.root(i))];
        if (g < 0) {
            g = int(members.size());
            members.emplace_back();
        }
        groupOf[size_t(i)] = g;
        members[size_t(g)].push_back(i);
    }
    std::vector<quint64> hashOf(members.size());
    for (size_t g = 0; g < members.size(); ++g) {
        const QByteArray path = store.items()[size_t(members[g].front())].relativePath.toUtf8();
        hashOf[g] = format::checksum(path.constData(), path.size());
    }
    std::vector<int> order(members.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        if (members[size_t(a)].size() != members[size_t(b)].size()) return members[size_t(a)].size() > members[size_t(b)].size();
        return hashOf[size_t(a)] != hashOf[size_t(b)] ? hashOf[size_t(a)] < hashOf[size_t(b)] : a < b;
    });
    folds = std::max(folds, 1);
    std::vector<int> foldOf(size_t(count), 0), load(size_t(folds), 0);
    for (int g : order) {
        const int fold = int(std::min_element(load.begin(), load.end()) - load.begin());
        load[size_t(fold)] += int(members[size_t(g)].size());
        for (int item : members[size_t(g)]) foldOf[size_t(item)] = fold;
    }
    return CrossValidationFolds(std::move(foldOf), std::move(groupOf), folds, int(members.size()));
}

CrossValidationFolds CrossValidationFolds::byIndex(int items, int folds)
{
    folds = std::max(folds, 1);
    std::vector<int> foldOf(size_t(std::max(items, 0))), groupOf(foldOf.size());
    for (int i = 0; i < items; ++i) {
        foldOf[size_t(i)] = i % folds;
        groupOf[size_t(i)] = i;
    }
    return CrossValidationFolds(std::move(foldOf), std::move(groupOf), folds, items);
}

int CrossValidationFolds::itemsIn(int fold) const
{
    return int(std::count(m_foldOf.begin(), m_foldOf.end(), fold));
}

std::vector<char> CrossValidationFolds::outside(int fold) const
{
    std::vector<char> mask(m_foldOf.size());
    for (size_t i = 0; i < m_foldOf.size(); ++i) mask[i] = m_foldOf[i] != fold ? 1 : 0;
    return mask;
}

} // namespace lookbook
