#pragma once
// Which catalog items a search may return: labels from styles.csv (articleType = Shirts,
// baseColour = Blue, ...), a subfolder of the catalog, and words of the product name. It
// becomes a mask on the search (SearchRequest::allowed), so "top 5" is always the 5 best
// items the filter allows, never the survivors of a top 5 filtered afterwards.
//
// Values of one field are alternatives (articleType = Shirts or Tshirts); fields, the
// folder and the words must all hold. Labels, folder and words compare case-insensitively.

#include "EmbeddingStore.h"
#include "Expected.h"
#include "StyleLabels.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace lookbook {

class ResultFilter {
public:
    // The label fields a stylist filters by (the window offers these; any column works).
    static const QStringList &commonFields();
    // The pseudo-field of a FIELD=VALUE term that names a subfolder instead of a label.
    static QString folderField() { return QStringLiteral("folder"); }
    // The styles.csv column the text filter searches.
    static QString nameColumn() { return QStringLiteral("productDisplayName"); }

    // From command-line terms "FIELD=VALUE" (FIELD may be `folder`); says which term is wrong.
    static Expected<ResultFilter> parse(const QStringList &terms);

    void allow(const QString &field, const QString &value);
    void clearField(const QString &field);
    void setFolder(const QString &relativeFolder);
    // Words that must all appear in the product name; empty to drop the condition.
    void setText(const QString &words);

    bool isEmpty() const { return m_labels.isEmpty() && m_folder.isEmpty() && m_words.isEmpty(); }
    bool needsLabels() const { return !m_labels.isEmpty() || !m_words.isEmpty(); }
    const QMap<QString, QStringList> &labelValues() const { return m_labels; }
    const QString &folder() const { return m_folder; }
    QString text() const { return m_words.join(QLatin1Char(' ')); }
    // "articleType = Shirts or Tshirts, folder men, name has "polo"" for status lines.
    QString describe() const;

    // True when the item with this path and labels passes. labels may be null (unlabelled item).
    bool allows(const QString &relativePath, const StyleLabels::Row *labels) const;
    // One entry per store item, non-zero where allowed. Fails, saying why, when the filter
    // needs labels the catalog does not have or names a column styles.csv lacks.
    Expected<std::vector<char>> mask(const EmbeddingStore &store, const StyleLabels *labels) const;

    // The values of `field` among the store's items, most frequent first (for the window's lists).
    static QStringList valuesOf(const QString &field, const EmbeddingStore &store, const StyleLabels &labels);
    // The subfolders holding items, sorted.
    static QStringList foldersOf(const EmbeddingStore &store);

private:
    QMap<QString, QStringList> m_labels; // field -> accepted values
    QString m_folder;                     // "" = the whole catalog; else "men" or "men/shirts"
    QStringList m_words;                  // lower-case
};

} // namespace lookbook
