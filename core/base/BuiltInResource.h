#pragma once
// What the program carries inside itself (models/, compiled in as Qt resources: the model's
// descriptor, the built-in projection, the colour-name table, the colour model). A build
// without one of them, or with a damaged one, is broken rather than a user's problem, so
// these stop the program with the reason instead of returning an error to handle.

#include "Expected.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <utility>

namespace lookbook {

// The bytes of the built-in resource `name` (its file name in models/).
inline QByteArray builtInResource(const QString &name, const char *what)
{
    QFile file(QStringLiteral(":/lookbook/models/") + name);
    if (!file.open(QIODevice::ReadOnly)) qFatal("built-in %s is missing", what);
    return file.readAll();
}

// The parsed resource, or the program stops saying why it could not be parsed.
template <typename T>
T parsedBuiltIn(Expected<T> parsed, const char *what)
{
    if (!parsed) qFatal("built-in %s: %s", what, qPrintable(parsed.error()));
    return std::move(parsed.value());
}

} // namespace lookbook
