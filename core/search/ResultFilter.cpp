#include "ResultFilter.h"

#include <QFileInfo>
#include <QHash>

#include <algorithm>

namespace lookbook {

namespace {

// The column of `labels` called `field`, ignoring case ("articletype" finds "articleType").
QString columnNamed(const QString &field, const QStringList &columns)
{
    for (const QString &column : columns)
        if (column.compare(field, Qt::CaseInsensitive) == 0) return column;
    return {};
}

QString folderOf(const QString &relativePath)
{
    const QString folder = QFileInfo(relativePath).path();
    return folder == QLatin1String(".") ? QString() : folder;
}

} // namespace

const QStringList &ResultFilter::commonFields()
{
    static const QStringList fields{QStringLiteral("articleType"), QStringLiteral("masterCategory"),
                                    QStringLiteral("baseColour"), QStringLiteral("gender")};
    return fields;
}

Expected<ResultFilter> ResultFilter::parse(const QStringList &terms)
{
    ResultFilter filter;
    for (const QString &term : terms) {
        const qsizetype equals = term.indexOf(QLatin1Char('='));
        const QString field = term.left(equals).trimmed();
        const QString value = term.mid(equals + 1).trimmed();
        if (equals < 0 || field.isEmpty() || value.isEmpty())
            return Expected<ResultFilter>::failure(
                QStringLiteral("filter '%1' is not FIELD=VALUE (for example articleType=Shirts or folder=men)").arg(term));
        if (field.compare(folderField(), Qt::CaseInsensitive) == 0) filter.setFolder(value);
        else filter.allow(field, value);
    }
    return filter;
}

void ResultFilter::allow(const QString &field, const QString &value)
{
    // "articletype" and "articleType" are one field, so their values are alternatives.
    QString key = field;
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it)
        if (it.key().compare(field, Qt::CaseInsensitive) == 0) key = it.key();
    QStringList &values = m_labels[key];
    if (!values.contains(value, Qt::CaseInsensitive)) values << value;
}

void ResultFilter::clearField(const QString &field) { m_labels.remove(field); }

void ResultFilter::setFolder(const QString &relativeFolder)
{
    QString folder = QString(relativeFolder).replace(QLatin1Char('\\'), QLatin1Char('/'));
    while (folder.endsWith(QLatin1Char('/'))) folder.chop(1);
    while (folder.startsWith(QLatin1String("./"))) folder.remove(0, 2);
    m_folder = folder == QLatin1String(".") ? QString() : folder;
}

void ResultFilter::setText(const QString &words)
{
    m_words = words.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QString ResultFilter::describe() const
{
    QStringList parts;
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it)
        parts << QStringLiteral("%1 = %2").arg(it.key(), it.value().join(QStringLiteral(" or ")));
    if (!m_folder.isEmpty()) parts << QStringLiteral("folder %1").arg(m_folder);
    if (!m_words.isEmpty()) parts << QStringLiteral("name has \"%1\"").arg(text());
    return parts.join(QStringLiteral(", "));
}

bool ResultFilter::allows(const QString &relativePath, const StyleLabels::Row *labels) const
{
    if (!m_folder.isEmpty()) {
        const QString folder = folderOf(relativePath);
        // The folder itself or any folder below it.
        if (folder.compare(m_folder, Qt::CaseInsensitive) != 0
            && !folder.startsWith(m_folder + QLatin1Char('/'), Qt::CaseInsensitive))
            return false;
    }
    if (!needsLabels()) return true;
    if (!labels) return false; // an unlabelled item cannot show that it matches
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it) {
        QString value;
        for (auto field = labels->cbegin(); field != labels->cend(); ++field)
            if (field.key().compare(it.key(), Qt::CaseInsensitive) == 0) value = field.value();
        if (!it.value().contains(value.trimmed(), Qt::CaseInsensitive)) return false;
    }
    if (!m_words.isEmpty()) {
        const QString name = labels->value(nameColumn()).toLower();
        for (const QString &word : m_words)
            if (!name.contains(word)) return false;
    }
    return true;
}

Expected<std::vector<char>> ResultFilter::mask(const EmbeddingStore &store, const StyleLabels *labels) const
{
    using Result = Expected<std::vector<char>>;
    if (needsLabels()) {
        if (!labels) return Result::failure(QStringLiteral("filtering by %1 needs the catalog's labels (styles.csv), and it has none").arg(describe()));
        for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it)
            if (columnNamed(it.key(), labels->columns()).isEmpty())
                return Result::failure(QStringLiteral("styles.csv has no column '%1' (it has %2)")
                                           .arg(it.key(), labels->columns().join(QStringLiteral(", "))));
        if (!m_words.isEmpty() && columnNamed(nameColumn(), labels->columns()).isEmpty())
            return Result::failure(QStringLiteral("styles.csv has no %1 column to search for words").arg(nameColumn()));
    }
    std::vector<char> allowed(size_t(store.size()), 0);
    for (int item = 0; item < store.size(); ++item) {
        const QString &path = store.items()[size_t(item)].relativePath;
        allowed[size_t(item)] = allows(path, labels ? labels->forFile(path) : nullptr) ? 1 : 0;
    }
    return allowed;
}

QStringList ResultFilter::valuesOf(const QString &field, const EmbeddingStore &store, const StyleLabels &labels)
{
    const QString column = columnNamed(field, labels.columns());
    QHash<QString, int> counts;
    if (!column.isEmpty())
        for (const CatalogFile &file : store.items())
            if (const StyleLabels::Row *row = labels.forFile(file.relativePath))
                if (const QString value = row->value(column).trimmed(); !value.isEmpty()) ++counts[value];
    QStringList values = counts.keys();
    std::sort(values.begin(), values.end(), [&](const QString &a, const QString &b) {
        return counts[a] != counts[b] ? counts[a] > counts[b] : a < b;
    });
    return values;
}

QStringList ResultFilter::foldersOf(const EmbeddingStore &store)
{
    QStringList folders;
    for (const CatalogFile &file : store.items()) {
        // Every level, so "men" is offered as well as "men/shirts".
        for (QString folder = folderOf(file.relativePath); !folder.isEmpty(); folder = folderOf(folder))
            if (!folders.contains(folder)) folders << folder;
    }
    folders.sort(Qt::CaseInsensitive);
    return folders;
}

} // namespace lookbook
