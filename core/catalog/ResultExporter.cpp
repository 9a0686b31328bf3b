#include "ResultExporter.h"

#include "ContactSheet.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace lookbook {

namespace {

const QString kCsv = QStringLiteral("csv");
const QString kJson = QStringLiteral("json");
const QString kPng = QStringLiteral("png");

constexpr int kMaxNameAttempts = 1000;         // "name (2).jpg" ... "name (1000).jpg"
constexpr qint64 kCopyChunkBytes = 1024 * 1024; // photos are streamed, never read whole

QString native(const QString &path) { return QDir::toNativeSeparators(path); }

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
QByteArray csvField(const QString &value)
{
    if (!value.contains(u',') && !value.contains(u'"') && !value.contains(u'\n') && !value.contains(u'\r'))
        return value.toUtf8();
    QString quoted = value;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return '"' + quoted.toUtf8() + '"';
}

// A text that a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return
// before one) gets a leading apostrophe, which spreadsheets show as text and hide: a product
// name or a file name from a catalog is never a formula (OWASP's "CSV injection").
QString spreadsheetText(const QString &text)
{
    static const QString kFormulaStarts = QStringLiteral("=+-@\t\r");
    return !text.isEmpty() && kFormulaStarts.contains(text.front()) ? u'\'' + text : text;
}

// Numbers as they are, every other field through spreadsheetText.
QByteArray csvRecord(const QStringList &fields, qsizetype numericFields = 0)
{
    QByteArray line;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0) line += ',';
        line += csvField(i < numericFields ? fields[i] : spreadsheetText(fields[i]));
    }
    return line + "\r\n";
}

QByteArray toCsv(const SearchOutcome &outcome)
{
    // Every column any result has, by name: the same set of results gives the same columns
    // in the same order, whatever order the labels' hashes hold them in.
    QStringList labelColumns;
    for (const ResultItem &item : outcome.results)
        for (auto it = item.labels.cbegin(); it != item.labels.cend(); ++it)
            if (!labelColumns.contains(it.key())) labelColumns << it.key();
    std::sort(labelColumns.begin(), labelColumns.end());

    QByteArray csv = csvRecord(QStringList{QStringLiteral("rank"), QStringLiteral("score"), QStringLiteral("path"),
                                           QStringLiteral("relativePath")}
                               + labelColumns);
    for (size_t i = 0; i < outcome.results.size(); ++i) {
        const ResultItem &item = outcome.results[i];
        QStringList fields{QString::number(i + 1), QString::number(double(item.score), 'f', 6), item.absolutePath,
                           item.relativePath};
        for (const QString &column : labelColumns) fields << item.labels.value(column);
        csv += csvRecord(fields, 2); // rank and score
    }
    return csv;
}

Status writeAtomically(const QString &path, const QByteArray &bytes)
{
    const QFileInfo info(path);
    if (info.isDir()) return Status::failure(QStringLiteral("cannot write %1: it is a folder").arg(native(path)));
    if (!QDir().mkpath(info.absolutePath()))
        return Status::failure(QStringLiteral("cannot write %1: cannot create the folder %2")
                                   .arg(native(path), native(info.absolutePath())));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(native(path), file.errorString()));
    return success();
}

// Why nothing can be copied into the folder, or empty when something can.
QString folderProblem(const QString &folder)
{
    const QFileInfo info(folder);
    if (info.exists() && !info.isDir()) return QStringLiteral("%1 is a file, not a folder").arg(native(folder));
    if (!QDir().mkpath(folder)) return QStringLiteral("cannot create the folder %1").arg(native(folder));
    if (!QFileInfo(folder).isWritable()) return QStringLiteral("the folder %1 is not writable").arg(native(folder));
    return {};
}

// "name.jpg", then "name (2).jpg", "name (3).jpg", ...
QString candidateName(const QString &fileName, int attempt)
{
    if (attempt == 1) return fileName;
    const QFileInfo info(fileName);
    const QString numbered = QStringLiteral("%1 (%2)").arg(info.completeBaseName()).arg(attempt);
    return info.suffix().isEmpty() ? numbered : numbered + u'.' + info.suffix();
}

// Streams the open source into `target`, a file this process has just created empty (so
// the name is its own): through QSaveFile, so the content appears there whole or not at all.
// Returns why it failed, or an empty string.
QString copyInto(QFile &source, const QString &target)
{
    QSaveFile out(target);
    if (!out.open(QIODevice::WriteOnly)) return out.errorString();
    QByteArray chunk(kCopyChunkBytes, Qt::Uninitialized);
    for (;;) {
        const qint64 read = source.read(chunk.data(), chunk.size());
        if (read < 0) return QStringLiteral("cannot be read: %1").arg(source.errorString()); // out discards what it has
        if (read == 0) break;
        if (out.write(chunk.constData(), read) != read) break; // commit() reports it
    }
    if (!out.commit()) return out.errorString();
    return {};
}

} // namespace

const QStringList &ResultExporter::formats()
{
    static const QStringList kFormats{kCsv, kJson, kPng};
    return kFormats;
}

Status ResultExporter::checkFormat(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (formats().contains(suffix)) return success();
    return Status::failure(QStringLiteral("cannot export to %1: the file name must end in .csv, .json or .png%2")
                               .arg(native(path), suffix.isEmpty() ? QString() : QStringLiteral(", not .%1").arg(suffix)));
}

Status ResultExporter::exportTo(const SearchOutcome &outcome, const QString &path)
{
    if (Status format = checkFormat(path); !format) return format;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == kCsv) return writeAtomically(path, toCsv(outcome));
    if (suffix == kJson) return writeAtomically(path, QJsonDocument(toJson(outcome)).toJson(QJsonDocument::Indented));
    const Expected<QByteArray> png = ContactSheet().png(outcome);
    if (!png) return Status::failure(QStringLiteral("cannot write %1: %2").arg(native(path), png.error()));
    return writeAtomically(path, *png);
}

CopyReport ResultExporter::copyFiles(const SearchOutcome &outcome, const QString &folder)
{
    CopyReport report;
    report.folder = QFileInfo(folder).absoluteFilePath();
    const QString problem = folderProblem(report.folder);
    const QDir dir(report.folder);
    const int digits = std::max(2, int(QString::number(outcome.results.size()).size()));

    for (size_t i = 0; i < outcome.results.size(); ++i) {
        const int rank = int(i + 1);
        const QString &path = outcome.results[i].absolutePath;
        const auto fail = [&](const QString &reason) { report.failed.push_back({rank, path, reason}); };
        if (!problem.isEmpty()) {
            fail(problem);
            continue;
        }
        QFile source(path);
        if (!QFileInfo::exists(path)) {
            fail(QStringLiteral("the file no longer exists"));
            continue;
        }
        if (!QFileInfo(path).isFile()) {
            fail(QStringLiteral("not a file"));
            continue;
        }
        if (!source.open(QIODevice::ReadOnly)) {
            fail(QStringLiteral("cannot be read: %1").arg(source.errorString()));
            continue;
        }

        // The name is claimed by creating the file exclusively (O_EXCL): the system, not a
        // check made before, guarantees no file of anyone else's is replaced.
        const QString name = QStringLiteral("%1_%2").arg(rank, digits, 10, QLatin1Char('0')).arg(QFileInfo(path).fileName());
        QString target;
        QString why;
        for (int attempt = 1; attempt <= kMaxNameAttempts && target.isEmpty() && why.isEmpty(); ++attempt) {
            const QString candidate = dir.filePath(candidateName(name, attempt));
            QFile claim(candidate);
            if (claim.open(QIODevice::WriteOnly | QIODevice::NewOnly))
                target = candidate;
            else if (!QFileInfo::exists(candidate) && !QFileInfo(candidate).isSymLink())
                why = QStringLiteral("cannot create %1: %2").arg(native(candidate), claim.errorString());
        }
        if (target.isEmpty()) {
            fail(why.isEmpty() ? QStringLiteral("%1 and %2 numbered names are taken").arg(name).arg(kMaxNameAttempts - 1) : why);
            continue;
        }
        if (const QString error = copyInto(source, target); !error.isEmpty()) {
            QFile::remove(target); // the empty file claimed above: nobody else's
            fail(QStringLiteral("cannot copy to %1: %2").arg(native(target), error));
            continue;
        }
        report.copied.push_back({rank, path, target});
    }
    return report;
}

QJsonObject ResultExporter::toJson(const SearchOutcome &outcome)
{
    QJsonArray results;
    for (size_t i = 0; i < outcome.results.size(); ++i) {
        const ResultItem &item = outcome.results[i];
        QJsonObject labels;
        for (auto it = item.labels.cbegin(); it != item.labels.cend(); ++it) labels.insert(it.key(), it.value());
        results.append(QJsonObject{{QStringLiteral("rank"), int(i + 1)},
                                   {QStringLiteral("score"), double(item.score)},
                                   {QStringLiteral("path"), item.absolutePath},
                                   {QStringLiteral("relative_path"), item.relativePath},
                                   {QStringLiteral("labels"), labels}});
    }
    return QJsonObject{{QStringLiteral("query"), outcome.queryPath.isEmpty() ? outcome.queryName : outcome.queryPath},
                       {QStringLiteral("query_name"), outcome.queryName},
                       {QStringLiteral("query_in_catalog"), outcome.queryInCatalog},
                       {QStringLiteral("catalog"), outcome.catalogRoot},
                       {QStringLiteral("catalog_items"), outcome.catalogItems},
                       {QStringLiteral("allowed_items"), outcome.allowedItems},
                       {QStringLiteral("filter"), outcome.filterDescription},
                       {QStringLiteral("taste_applied"), outcome.tasteApplied},
                       {QStringLiteral("results"), results}};
}

} // namespace lookbook
