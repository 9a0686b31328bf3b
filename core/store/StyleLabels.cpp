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
CsvRecords readCsv(const QByteArray &bytes)
{
    CsvRecords out;

    QByteArrayView view(bytes);
    if (view.startsWith("\xEF\xBB\xBF"))
        view = view.sliced(3);
    const QString text = QString::fromUtf8(view);
    const QChar *p = text.constData();
    const qsizetype n = text.size();

    QStringList fields;
    QString field;
    bool inQuotes = false;
    bool anyQuoted = false; // the record has a quoted field: `""` alone is not a blank line
    qsizetype line = 1;
    qsizetype recordLine = 1;

    const auto endField = [&] {
        fields.append(field);
        field.clear();
    };
    const auto endRecord = [&] {
        endField();
        const bool blank = fields.size() == 1 && fields.constFirst().isEmpty() && !anyQuoted;
        if (!blank) {
            out.records.append(fields);
            out.startLines.append(recordLine);
        }
        fields.clear();
        anyQuoted = false;
    };

    qsizetype i = 0;
    while (i < n) {
        const QChar c = p[i];
        if (inQuotes) {
            if (c == u'"') {
                if (i + 1 < n && p[i + 1] == u'"') {
                    field.append(u'"');
                    i += 2;
                    continue;
                }
                inQuotes = false; // anything after the closing quote joins the field as is
            } else {
                // Newlines inside quotes are kept as written; count them for line numbers.
                if (c == u'\n' || (c == u'\r' && !(i + 1 < n && p[i + 1] == u'\n')))
                    ++line;
                field.append(c);
            }
            ++i;
            continue;
        }

        if (c == u',') {
            endField();
            ++i;
        } else if (c == u'\r' || c == u'\n') {
            endRecord();
            i += (c == u'\r' && i + 1 < n && p[i + 1] == u'\n') ? 2 : 1;
            ++line;
            recordLine = line;
        } else if (c == u'"' && field.isEmpty()) {
            // A quote opens a quoted section only at the start of a field (or right after a
            // closing quote, which makes "a""b" and "a"b work the lenient way).
            inQuotes = true;
            anyQuoted = true;
            ++i;
        } else {
            // Copy the run of ordinary characters in one go.
            qsizetype j = i + 1;
            while (j < n && p[j] != u',' && p[j] != u'\r' && p[j] != u'\n' && p[j] != u'"')
                ++j;
            if (j < n && p[j] == u'"') // a quote inside an unquoted field is a plain character
                ++j;
            field.append(QStringView(p + i, j - i));
            i = j;
        }
    }

    if (inQuotes)
        out.ok = false;
    // A last record without a trailing newline (or a partial quoted one).
    if (!field.isEmpty() || !fields.isEmpty() || anyQuoted)
        endRecord();
    return out;
}

QString where(qsizetype recordNumber, qsizetype physicalLine)
{
    if (recordNumber == physicalLine)
        return QStringLiteral("line %1").arg(recordNumber);
    return QStringLiteral("record %1 (line %2)").arg(recordNumber).arg(physicalLine);
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
    qsizetype droppedWarnings = 0;
    const auto warn = [&](const QString &message) {
        if (labels.m_warnings.size() < kMaxWarnings)
            labels.m_warnings.append(message);
        else
            ++droppedWarnings;
    };

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
    {
        QSet<QString> seen;
        for (const QString &name : std::as_const(labels.m_columns)) {
            if (seen.contains(name))
                warn(QStringLiteral("line 1: duplicate column '%1' (first kept)").arg(name));
            seen.insert(name);
        }
    }

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
        const qsizetype fieldCount = fields.size();

        if (fieldCount > columnCount) {
            if (lastIsDisplayName) {
                // Kaggle's styles.csv leaves commas in productDisplayName unquoted.
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

        const QString id = fields.at(idColumn).trimmed();
        if (id.isEmpty()) {
            warn(QStringLiteral("%1: empty id (skipped)").arg(at));
            continue;
        }
        if (labels.m_rows.contains(id)) {
            warn(QStringLiteral("%1: duplicate id %2 (first kept)").arg(at, id));
            continue;
        }

        Row row;
        row.reserve(columnCount);
        for (qsizetype c = 0; c < columnCount; ++c) {
            const QString &name = labels.m_columns.at(c);
            if (!row.contains(name))
                row.insert(name, c == idColumn ? id : fields.at(c));
        }
        labels.m_rows.insert(id, std::move(row));
    }

    if (droppedWarnings > 0)
        labels.m_warnings.append(QStringLiteral("... and %1 more warnings").arg(droppedWarnings));
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
