#pragma once
// What a finished search hands to its presenters: the ranked items with everything needed
// to show them, so the view never reaches back into the store.

#include <QHash>
#include <QRect>
#include <QString>

#include <vector>

namespace lookbook {

class EmbeddingStore;
class StyleLabels;
struct SearchHit;

struct ResultItem {
    int item = -1;              // row in the store the search ran on
    float score = 0;            // cosine similarity
    QString absolutePath;
    QString relativePath;       // relative to the catalog root
    QHash<QString, QString> labels; // styles.csv columns, empty without labels
};

struct SearchOutcome {
    quint64 queryId = 0;
    QString queryName;          // file name or a description ("pasted image", "3 pictures")
    int queryPictures = 1;      // pictures and catalog items combined into the query
    bool queryInCatalog = false;
    std::vector<ResultItem> results;
    int catalogItems = 0;       // how many items the catalog has
    int allowedItems = 0;       // how many of them the filter allowed (all without one)
    QString filterDescription;  // the filter in words, empty without one
    bool tasteApplied = false;  // the taste profile re-ranked the results
    QString colour;             // the colour asked for ("in another colour"), empty for none
    double embedMs = 0;
    double searchMs = 0;
    QString catalogRoot;        // absolute path of the catalog folder searched
    QString queryPath;          // absolute path of the query image when it is a local file, else
                                // empty: lets an export show the query beside its results
    QByteArray queryImage;      // the query image's encoded bytes when it is no local file (pasted,
                                // dropped image data, a web address), for the same reason
    QRect queryRegion;          // the part of that picture searched, in its upright pixels; null
                                // when all of it was
};

// The hits of a search on `store`, ranked as given, with their paths under the catalog
// folder `root` and their labels (none when `labels` is null): what the app shows, the
// command-line tool prints and an export writes.
std::vector<ResultItem> resultItems(const std::vector<SearchHit> &hits, const EmbeddingStore &store,
                                    const StyleLabels *labels, const QString &root);

} // namespace lookbook
