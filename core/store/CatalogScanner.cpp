#include "CatalogScanner.h"

#include "ImageLoader.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>

namespace lookbook {

bool CatalogScanner::isCatalogImage(const QString &fileName)
{
    return ImageLoader::catalogSuffixes().contains(QFileInfo(fileName).suffix().toLower());
}

Expected<std::vector<CatalogFile>> CatalogScanner::scan(const QString &root, const std::atomic_bool *cancel)
{
    using Result = Expected<std::vector<CatalogFile>>;
    const QFileInfo rootInfo(root);
    if (!rootInfo.exists())
        return Result::failure(QStringLiteral("the catalog folder %1 does not exist").arg(QDir::toNativeSeparators(root)));
    if (!rootInfo.isDir())
        return Result::failure(QStringLiteral("%1 is not a folder").arg(QDir::toNativeSeparators(root)));
    if (!rootInfo.isReadable())
        return Result::failure(QStringLiteral("the catalog folder %1 cannot be read").arg(QDir::toNativeSeparators(root)));

    const QDir rootDir(rootInfo.absoluteFilePath());
    std::vector<CatalogFile> files;
    // Without QDirIterator::FollowSymlinks the iterator does not descend into linked
    // folders, which rules out symlink loops; linked files are still listed.
    QDirIterator it(rootDir.absolutePath(), QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (cancel && cancel->load()) break;
        const QFileInfo info = it.nextFileInfo();
        if (!isCatalogImage(info.fileName())) continue;
        files.push_back({rootDir.relativeFilePath(info.absoluteFilePath()), info.size(),
                         info.lastModified().toMSecsSinceEpoch()});
    }
    std::sort(files.begin(), files.end(),
              [](const CatalogFile &a, const CatalogFile &b) { return a.relativePath < b.relativePath; });
    return files;
}

} // namespace lookbook
