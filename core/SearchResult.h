#pragma once
// What a finished search hands to its presenters: the ranked items with everything needed
// to show them, so the view never reaches back into the store.

#include <QHash>
#include <QString>

#include <vector>

namespace lookbook {

struct ResultItem {
    int item = -1;              // row in the store the search ran on
    float score = 0;            // cosine similarity
    QString absolutePath;
    QString relativePath;       // relative to the catalog root
    QHash<QString, QString> labels; // styles.csv columns, empty without labels
};

struct SearchOutcome {
    quint64 queryId = 0;
    QString queryName;          // file name or a description ("pasted image")
    bool queryInCatalog = false;
    std::vector<ResultItem> results;
    int catalogItems = 0;       // how many items the catalog has
    int allowedItems = 0;       // how many of them the filter allowed (all without one)
    QString filterDescription;  // the filter in words, empty without one
    bool tasteApplied = false;  // the taste profile re-ranked the results
    double embedMs = 0;
    double searchMs = 0;
};

} // namespace lookbook
