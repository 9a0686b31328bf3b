#include "ResourceLocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace lookbook {

namespace {

constexpr int kAncestorsToSearch = 6;

QString clean(const QString &path) { return QDir::cleanPath(QDir(path).absolutePath()); }

bool looksLikeSharedDir(const QString &dir)
{
    return QFileInfo(dir + QStringLiteral("/models")).isDir()
        || QFileInfo(dir + QStringLiteral("/data")).isDir();
}

// "../shared" seen from start and from each of its ancestors.
void addSiblingSharedDirs(QStringList &out, const QString &start)
{
    QDir dir(start);
    for (int i = 0; i < kAncestorsToSearch; ++i) {
        out << clean(dir.absoluteFilePath(QStringLiteral("../shared")));
        if (!dir.cdUp()) break;
    }
}

// A path that may name the file itself or the folder that holds it.
QString asModelFile(const QString &path, const QString &fileName)
{
    return QFileInfo(path).isDir() ? clean(path + u'/' + fileName) : clean(path);
}

} // namespace

QStringList ResourceLocator::sharedDirCandidates()
{
    QStringList candidates;
    const QString fromEnv = qEnvironmentVariable("LOOKBOOK_SHARED");
    if (!fromEnv.isEmpty()) candidates << clean(fromEnv);
    const QString fromSettings = QSettings().value(QStringLiteral("paths/shared")).toString();
    if (!fromSettings.isEmpty()) candidates << clean(fromSettings);
#ifdef LOOKBOOK_BUILD_SHARED_DIR
    candidates << clean(QStringLiteral(LOOKBOOK_BUILD_SHARED_DIR));
#endif
    addSiblingSharedDirs(candidates, QDir::currentPath());
    if (QCoreApplication::instance()) addSiblingSharedDirs(candidates, QCoreApplication::applicationDirPath());
    candidates.removeDuplicates();
    return candidates;
}

QString ResourceLocator::sharedDir()
{
    for (const QString &candidate : sharedDirCandidates())
        if (looksLikeSharedDir(candidate)) return candidate;
    return {};
}

QString ResourceLocator::sharedPath(const QString &relative)
{
    const QString dir = sharedDir();
    return dir.isEmpty() ? QString() : clean(dir + u'/' + relative);
}

ModelLookup ResourceLocator::findModel(const ModelDescriptor &descriptor, const QString &explicitPath)
{
    ModelLookup lookup;
    const QString &file = descriptor.fileName;
    // A path the user named is the only place looked at: falling back to another model
    // behind their back would hide their mistake.
    const QString named = !explicitPath.isEmpty() ? explicitPath : qEnvironmentVariable("LOOKBOOK_MODEL");
    if (!named.isEmpty()) {
        lookup.tried << asModelFile(named, file);
    } else {
        const QString fromSettings = QSettings().value(QStringLiteral("model/path")).toString();
        if (!fromSettings.isEmpty()) lookup.tried << asModelFile(fromSettings, file);
        if (QCoreApplication::instance()) {
            const QString appDir = QCoreApplication::applicationDirPath();
            lookup.tried << clean(appDir + QStringLiteral("/../share/lookbook/models/") + file) // Linux
                         << clean(appDir + QStringLiteral("/models/") + file)                   // Windows
                         << clean(appDir + QStringLiteral("/../Resources/models/") + file);     // macOS
        }
        for (const QString &shared : sharedDirCandidates())
            lookup.tried << clean(shared + QStringLiteral("/models/") + file);
        lookup.tried.removeDuplicates();
    }

    for (const QString &candidate : std::as_const(lookup.tried)) {
        if (QFileInfo(candidate).isFile()) {
            lookup.path = candidate;
            break;
        }
    }
    return lookup;
}

Expected<std::shared_ptr<EmbeddingModel>> ResourceLocator::loadModel(const ModelDescriptor &descriptor,
                                                                     const QString &explicitPath)
{
    const ModelLookup lookup = findModel(descriptor, explicitPath);
    if (lookup.path.isEmpty()) return Expected<std::shared_ptr<EmbeddingModel>>::failure(lookup.explanation());
    return EmbeddingModel::load(lookup.path, descriptor);
}

QString ModelLookup::explanation() const
{
    QString text = QStringLiteral("The model file was not found. It was looked for at:\n");
    for (const QString &place : tried) text += QStringLiteral("  %1\n").arg(place);
    text += QStringLiteral("Point LOOKBOOK_MODEL (or --model) at resnet50_keras_imagenet.onnx, or set "
                           "LOOKBOOK_SHARED to the folder that holds models/.");
    return text;
}

} // namespace lookbook
