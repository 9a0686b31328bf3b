#pragma once
// A stylist's taste, learnt from every like and dislike they give: the running mean of the
// items they liked minus a share of those they did not, in the search space. It re-ranks
// future results gently: among the best few dozen candidates for a query, each gains
// weight * cos(item, taste), so two near-equal items swap toward the taste while a clearly
// better match is never displaced by it. Saved per user (app-data), per search space (the
// vectors of one space mean nothing in another: another model, recipe or projection, even
// of the same length), and can be cleared. The file carries its space's key and a checksum,
// so damage is detected rather than guessed, and a file is never lost: a damaged one is set
// aside under a name of its own, one that cannot be read now is left as it is.

#include "Expected.h"
#include "RowMatrix.h"
#include "SearchTypes.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lookbook {

class DiscriminantProjection;
struct EmbeddingRecipe;
struct StoreIdentity;
struct TasteFile;

class TasteProfile {
public:
    // How much the taste may add to a cosine (0..1 scale): a tie-breaker, not a filter.
    static constexpr float kDefaultWeight = 0.05f;
    // How many candidates per wanted result the taste may re-order.
    static constexpr int kCandidatesPerResult = 4;

    TasteProfile() = default;
    // spaceKey names the space its vectors live in (spaceKeyFor).
    explicit TasteProfile(QString spaceKey) : m_spaceKey(std::move(spaceKey)) {}

    const QString &spaceKey() const { return m_spaceKey; }
    int dimension() const { return int(m_likedSum.size()); }
    int likes() const { return m_likes; }
    int dislikes() const { return m_dislikes; }
    bool isEmpty() const { return m_likes == 0; } // dislikes alone say nothing to move toward

    // A vector of another dimension than the profile's starts the profile afresh (the space changed).
    void addLike(const Eigen::RowVectorXf &item);
    void addDislike(const Eigen::RowVectorXf &item);
    void clear();

    // The unit direction of the taste; empty while isEmpty().
    Eigen::RowVectorXf direction() const;

    // Re-orders `candidates` (best first, more than k of them) by score + weight * cos(item,
    // taste) and keeps the first k. itemVector(i) is item i's vector in the space. The
    // scores handed back are the cosines to the query, unchanged: the order is the taste's.
    std::vector<SearchHit> rerank(std::vector<SearchHit> candidates, int k,
                                  const std::function<Eigen::RowVectorXf(int)> &itemVector,
                                  float weight = kDefaultWeight) const;

    // The key of the space a catalog's item vectors (SearchSpace::itemQuery) live in: the
    // model and its checksum, the stored rows' recipe and width, the whole recipe, and the
    // projection's checksum (`own` null: the built-in one), or none when the recipe leaves
    // it out or it does not fit the rows (SearchSpace::projectionFor decides).
    static QString spaceKeyFor(const StoreIdentity &rows, const EmbeddingRecipe &recipe,
                               const std::shared_ptr<const DiscriminantProjection> &own);
    // The name of a space's profile file, the same in any folder: one file per space, so
    // the profile of one space never stands in the way of another's.
    static QString fileNameFor(const QString &spaceKey);
    // The file in the user's app-data folder that keeps the profile of a space.
    static QString defaultPath(const QString &spaceKey);
    Status save(const QString &path) const;
    // What the file at `path` holds for the space `spaceKey` (TasteFile); never changes it.
    static TasteFile read(const QString &path, const QString &spaceKey);
    // read() for callers that only want the profile: a missing file is an empty profile of
    // that key; anything but a sound profile of that space is an error.
    static Expected<TasteProfile> load(const QString &path, const QString &spaceKey);
    // Renames `path` to `path + suffix`, or `path + suffix-2`, -3, … : the first name not
    // taken, never over another file. The name it now has, or why it could not be moved.
    static Expected<QString> setAside(const QString &path, const QString &suffix);

private:
    // The profile in a format-2 file whose checksum held.
    static TasteFile fromPayload(const QJsonObject &doc, const QString &spaceKey, const QString &shownPath);

    QString m_spaceKey;
    Eigen::RowVectorXf m_likedSum;
    Eigen::RowVectorXf m_dislikedSum;
    int m_likes = 0;
    int m_dislikes = 0;
};

// What the file of a profile was found to hold, and so what may be done with it.
struct TasteFile {
    enum class State {
        Read,       // a sound profile of the space (a missing file: an empty one)
        Unreadable, // it cannot be read now (permissions, a folder in its place, I/O): leave it as it is
        Damaged,    // its checksum or its contents are wrong: set it aside (setAside)
        OldFormat,  // format 1, keyed by the recipe alone, so its projection is unknown: set it aside
        Newer,      // of a format this version does not know: leave it as it is
        OtherSpace, // a sound profile of another space: leave it as it is
    };
    State state = State::Read;
    std::optional<TasteProfile> profile; // when Read
    QString problem;                     // what was found, as a sentence, when not Read
};

} // namespace lookbook
