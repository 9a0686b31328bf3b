#pragma once
// Labels of catalog items from a styles.csv in the Kaggle "Fashion Product Images" layout:
// a header row, an `id` column that is the image file name without extension, and any
// other columns (gender, masterCategory, articleType, baseColour, productDisplayName, ...).
// Parsed as RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes).

#include "Expected.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace lookbook {

class StyleLabels {
public:
    using Row = QHash<QString, QString>; // column name -> value

    // Fails when the file cannot be read, has no header or no `id` column. Malformed lines
    // (unterminated quotes, duplicate ids) are kept out and listed in warnings().
    static Expected<StyleLabels> load(const QString &csvPath);
    static Expected<StyleLabels> parse(const QByteArray &csv);

    // The row for a catalog file (by its name without extension), or nullptr.
    const Row *forFile(const QString &relativePath) const;
    const Row *forId(const QString &id) const;
    QString value(const QString &relativePath, const QString &column) const;

    const QStringList &columns() const { return m_columns; }
    int size() const { return int(m_rows.size()); }
    const QStringList &warnings() const { return m_warnings; }

private:
    QStringList m_columns;
    QHash<QString, Row> m_rows;
    QStringList m_warnings;
};

// Splits CSV text into records of fields (RFC 4180). Exposed for the label-map reader and tests.
// `ok` is false when the text ends inside a quoted field.
QList<QStringList> parseCsv(const QByteArray &csv, bool *ok = nullptr);

} // namespace lookbook
