#include "StyleLabels.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <utility>

namespace lookbook {

namespace {

// Warnings kept per file; a damaged or hostile file could otherwise produce one per line.
constexpr qsizetype kMaxWarnings = 200;

struct CsvRecords {
    QList<QStringList> records;
    QList<qsizetype> startLines; // 1-based physical line where each record starts
    bool ok = true;              // false when the text ends inside a quoted field
};

// The RFC 4180 reader behind parseCsv(), which also says on which physical line each record
// starts, so warnings can point at the right place when quoted fields span lines.
// One pass over the decoded text: linear in the input whatever the bytes are.
class CsvReader {
public:
    explicit CsvReader(const QByteArray &bytes)
    {
        QByteArrayView view(bytes);
        if (view.startsWith("\xEF\xBB\xBF"))
            view = view.sliced(3);
        m_text = QString::fromUtf8(view);
        m_p = m_text.constData();
        m_n = m_text.size();
    }

    CsvRecords read()
    {
        while (m_i < m_n) {
            if (m_inQuotes)
                readQuoted();
            else
                readUnquoted();
        }
        if (m_inQuotes)
            m_out.ok = false;
        // A last record without a trailing newline (or a partial quoted one).
        if (!m_field.isEmpty() || !m_fields.isEmpty() || m_anyQuoted)
            endRecord();
        return std::move(m_out);
    }

private:
    bool nextIs(QChar c) const { return m_i + 1 < m_n && m_p[m_i + 1] == c; }

    void endField()
    {
        m_fields.append(m_field);
        m_field.clear();
    }

    void endRecord()
    {
        endField();
        const bool blank = m_fields.size() == 1 && m_fields.constFirst().isEmpty() && !m_anyQuoted;
        if (!blank) {
            m_out.records.append(m_fields);
            m_out.startLines.append(m_recordLine);
        }
        m_fields.clear();
        m_anyQuoted = false;
    }

    // One character (or a doubled quote) inside a quoted section.
    void readQuoted()
    {
        const QChar c = m_p[m_i];
        if (c == u'"') {
            if (nextIs(u'"')) {
                m_field.append(u'"');
                m_i += 2;
                return;
            }
            m_inQuotes = false; // anything after the closing quote joins the field as is
        } else {
            // Newlines inside quotes are kept as written; count them for line numbers.
            if (c == u'\n' || (c == u'\r' && !nextIs(u'\n')))
                ++m_line;
            m_field.append(c);
        }
        ++m_i;
    }

    // A separator, a line end, an opening quote or a run of ordinary characters.
    void readUnquoted()
    {
        const QChar c = m_p[m_i];
        if (c == u',') {
            endField();
            ++m_i;
        } else if (c == u'\r' || c == u'\n') {
            endRecord();
            m_i += (c == u'\r' && nextIs(u'\n')) ? 2 : 1;
            ++m_line;
            m_recordLine = m_line;
        } else if (c == u'"' && m_field.isEmpty()) {
            // A quote opens a quoted section only at the start of a field (or right after a
            // closing quote, which makes "a""b" and "a"b work the lenient way).
            m_inQuotes = true;
            m_anyQuoted = true;
            ++m_i;
        } else {
            // Copy the run of ordinary characters in one go.
            qsizetype j = m_i + 1;
            while (j < m_n && m_p[j] != u',' && m_p[j] != u'\r' && m_p[j] != u'\n' && m_p[j] != u'"')
                ++j;
            if (j < m_n && m_p[j] == u'"') // a quote inside an unquoted field is a plain character
                ++j;
            m_field.append(QStringView(m_p + m_i, j - m_i));
            m_i = j;
        }
    }

    CsvRecords m_out;
    QString m_text;
    const QChar *m_p = nullptr;
    qsizetype m_n = 0;
    qsizetype m_i = 0;
    QStringList m_fields;
    QString m_field;
    bool m_inQuotes = false;
    bool m_anyQuoted = false; // the record has a quoted field: `""` alone is not a blank line
    qsizetype m_line = 1;
    qsizetype m_recordLine = 1;
};

CsvRecords readCsv(const QByteArray &bytes)
{
    return CsvReader(bytes).read();
}

QString where(qsizetype recordNumber, qsizetype physicalLine)
{
    if (recordNumber == physicalLine)
        return QStringLiteral("line %1").arg(recordNumber);
    return QStringLiteral("record %1 (line %2)").arg(recordNumber).arg(physicalLine);
}

// Warnings up to kMaxWarnings, then only counted: a summary line says how many were left out.
class WarningLog {
public:
    explicit WarningLog(QStringList &warnings) : m_warnings(warnings) {}
    void operator()(const QString &message)
    {
        if (m_warnings.size() < kMaxWarnings)
            m_warnings.append(message);
        else
            ++m_dropped;
    }
    void finish()
    {
        if (m_dropped > 0)
            m_warnings.append(QStringLiteral("... and %1 more warnings").arg(m_dropped));
    }

private:
    QStringList &m_warnings;
    qsizetype m_dropped = 0;
};

void warnOfDuplicateColumns(const QStringList &columns, WarningLog &warn)
{
    QSet<QString> seen;
    for (const QString &name : columns) {
        if (seen.contains(name))
            warn(QStringLiteral("line 1: duplicate column '%1' (first kept)").arg(name));
        seen.insert(name);
    }
}

// A record's fields made as many as the columns. Kaggle's styles.csv leaves commas in
// productDisplayName unquoted: when that is the last column, extra fields are its text.
void fitToColumns(QStringList &fields, qsizetype columnCount, bool lastIsDisplayName, const QString &at,
                  WarningLog &warn)
{
    const qsizetype fieldCount = fields.size();
    if (fieldCount > columnCount) {
        if (lastIsDisplayName) {
            const QString joined = fields.mid(columnCount - 1).join(u',');
            fields.resize(columnCount);
            fields.last() = joined;
        } else {
            warn(QStringLiteral("%1: %2 of %3 columns (extra fields ignored)")
                     .arg(at)
                     .arg(fieldCount)
                     .arg(columnCount));
            fields.resize(columnCount);
        }
    } else if (fieldCount < columnCount) {
        warn(QStringLiteral("%1: %2 of %3 columns").arg(at).arg(fieldCount).arg(columnCount));
        fields.resize(columnCount);
    }
}

// The row of one record, its id trimmed; of duplicate columns the first is kept.
StyleLabels::Row rowOf(const QStringList &columns, const QStringList &fields, qsizetype idColumn, const QString &id)
{
    StyleLabels::Row row;
    row.reserve(columns.size());
    for (qsizetype c = 0; c < columns.size(); ++c) {
        const QString &name = columns.at(c);
        if (!row.contains(name))
            row.insert(name, c == idColumn ? id : fields.at(c));
    }
    return row;
}

} // namespace

QList<QStringList> parseCsv(const QByteArray &csv, bool *ok)
{
    CsvRecords r = readCsv(csv);
    if (ok)
        *ok = r.ok;
    return std::move(r.records);
}

Expected<StyleLabels> StyleLabels::parse(const QByteArray &csv)
{
    const CsvRecords r = readCsv(csv);
    if (r.records.isEmpty())
        return Expected<StyleLabels>::failure(QStringLiteral("styles.csv is empty"));

    StyleLabels labels;
    WarningLog warn(labels.m_warnings);

    for (const QString &name : r.records.constFirst())
        labels.m_columns.append(name.trimmed());
    const qsizetype idColumn = labels.m_columns.indexOf(QStringLiteral("id"));
    if (idColumn < 0) {
        return Expected<StyleLabels>::failure(
            QStringLiteral("styles.csv has no 'id' column (columns: %1)")
                .arg(labels.m_columns.join(QStringLiteral(", "))));
    }
    const qsizetype columnCount = labels.m_columns.size();
    const bool lastIsDisplayName =
        labels.m_columns.constLast() == QStringLiteral("productDisplayName");
    warnOfDuplicateColumns(labels.m_columns, warn);

    const qsizetype recordCount = r.records.size();
    // The partial record of an unterminated quote swallows the rest of the file: keep it out.
    const qsizetype usable = r.ok ? recordCount : recordCount - 1;
    if (!r.ok) {
        warn(QStringLiteral("%1: unterminated quote; the rest of the file is ignored")
                 .arg(where(recordCount, r.startLines.constLast())));
    }

    labels.m_rows.reserve(usable);
    for (qsizetype k = 1; k < usable; ++k) {
        QStringList fields = r.records.at(k);
        const QString at = where(k + 1, r.startLines.at(k));
        fitToColumns(fields, columnCount, lastIsDisplayName, at, warn);

        const QString id = fields.at(idColumn).trimmed();
        if (id.isEmpty()) {
            warn(QStringLiteral("%1: empty id (skipped)").arg(at));
            continue;
        }
        if (labels.m_rows.contains(id)) {
            warn(QStringLiteral("%1: duplicate id %2 (first kept)").arg(at, id));
            continue;
        }
        labels.m_rows.insert(id, rowOf(labels.m_columns, fields, idColumn, id));
    }

    warn.finish();
    return labels;
}

Expected<StyleLabels> StyleLabels::load(const QString &csvPath)
{
    QFile file(csvPath);
    if (!file.open(QIODevice::ReadOnly)) {
        return Expected<StyleLabels>::failure(QStringLiteral("Cannot read %1: %2")
                                                  .arg(QDir::toNativeSeparators(csvPath),
                                                       file.errorString()));
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        return Expected<StyleLabels>::failure(QStringLiteral("Cannot read %1: %2")
                                                  .arg(QDir::toNativeSeparators(csvPath),
                                                       file.errorString()));
    }
    return parse(bytes);
}

const StyleLabels::Row *StyleLabels::forFile(const QString &relativePath) const
{
    return forId(QFileInfo(relativePath).completeBaseName());
}

const StyleLabels::Row *StyleLabels::forId(const QString &id) const
{
    const auto it = m_rows.constFind(id);
    return it == m_rows.constEnd() ? nullptr : &it.value();
}

QString StyleLabels::value(const QString &relativePath, const QString &column) const
{
    const Row *row = forFile(relativePath);
    return row ? row->value(column) : QString();
}

} // namespace lookbook
