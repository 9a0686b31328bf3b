// Fuzzes the styles.csv reader (StyleLabels::parse and parseCsv): the file comes with a
// downloaded catalog, so any bytes must give labels or a reason, never a crash or a hang,
// and what parses must be found again by the lookups the app makes.

#include "FuzzSupport.h"

#include "StyleLabels.h"

#include <cstdint>

using namespace lookbook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray csv = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto labels = StyleLabels::parse(csv);
    if (!labels) {
        fuzz::check(!labels.error().isEmpty(), "a refused styles.csv says why");
        return 0;
    }
    const qsizetype idColumn = labels->columns().indexOf(QStringLiteral("id"));
    fuzz::check(idColumn >= 0, "parsed labels have an id column");

    // Every record's id (the first of each is kept) is found, under that id.
    bool complete = true;
    const QList<QStringList> records = parseCsv(csv, &complete);
    const qsizetype usable = complete ? records.size() : records.size() - 1;
    for (qsizetype k = 1; k < usable; ++k) {
        const QString id = records.at(k).value(idColumn).trimmed();
        if (id.isEmpty()) continue;
        const StyleLabels::Row *row = labels->forId(id);
        fuzz::check(row != nullptr, "every record's id is found");
        fuzz::check(row->value(QStringLiteral("id")) == id, "a row holds its own id");
        for (const QString &column : labels->columns()) (void)row->value(column).size();
        // The app looks items up by file name; ids without path characters come back whole.
        if (!id.contains(u'/') && !id.contains(u'.'))
            fuzz::check(labels->forFile(QStringLiteral("photos/%1.jpg").arg(id)) == row, "a file finds its id's row");
        (void)labels->value(id + QStringLiteral(".png"), labels->columns().constLast());
    }
    for (const QString &name : {QStringLiteral("15970.jpg"), QStringLiteral(""), QStringLiteral("a/b.c.d")})
        (void)labels->value(name, QStringLiteral("articleType"));
    fuzz::check(labels->warnings().size() <= 201, "warnings are bounded");
    return 0;
}
