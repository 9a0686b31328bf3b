#include "TestSupport.h"

#include <random>

#include "ImageLoader.h"
#include "ResourceLocator.h"

#include <QDir>
#include <QFile>
#include <QTest>

namespace lookbook::test {

QString sharedDir()
{
    const QString fromEnv = qEnvironmentVariable("LOOKBOOK_SHARED");
    if (!fromEnv.isEmpty()) return fromEnv;
    return QDir::cleanPath(QStringLiteral(LOOKBOOK_TEST_DATA_DIR) + QStringLiteral("/../../../shared"));
}

QString sharedCatalogDir() { return sharedDir() + QStringLiteral("/data/fashion-product-images-small-subset"); }
QString sharedQueriesDir() { return sharedDir() + QStringLiteral("/data/clothing-dataset-small-queries"); }
QString testDataDir() { return QStringLiteral(LOOKBOOK_TEST_DATA_DIR); }

std::shared_ptr<EmbeddingModel> sharedModel()
{
    static std::shared_ptr<EmbeddingModel> model = [] {
        const ModelDescriptor &descriptor = ModelDescriptor::builtIn();
        QString path = qEnvironmentVariable("LOOKBOOK_MODEL");
        if (path.isEmpty()) path = sharedDir() + QStringLiteral("/models/") + descriptor.fileName;
        auto loaded = EmbeddingModel::load(path, descriptor);
        if (!loaded) qFatal("the tests need the real model: %s (set LOOKBOOK_MODEL or LOOKBOOK_SHARED)",
                            qPrintable(loaded.error()));
        return *loaded;
    }();
    return model;
}

QStringList firstCatalogImages(int n)
{
    QStringList names = QDir(sharedCatalogDir() + QStringLiteral("/images"))
                            .entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name);
    if (names.isEmpty()) qFatal("the demo catalog is missing under %s (set LOOKBOOK_SHARED)", qPrintable(sharedCatalogDir()));
    return names.mid(0, n);
}

QString firstStreetPhoto(const QString &label)
{
    const QDir dir(sharedQueriesDir() + QStringLiteral("/images/") + label);
    const QStringList names = dir.entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name);
    if (names.isEmpty()) qFatal("no street photos in %s (set LOOKBOOK_SHARED)", qPrintable(dir.path()));
    return dir.filePath(names.first());
}

std::vector<cv::Mat> loadImages(const QStringList &paths)
{
    std::vector<cv::Mat> images;
    for (const QString &p : paths) {
        auto image = ImageLoader().loadFile(p);
        if (!image) qFatal("cannot load %s: %s", qPrintable(p), qPrintable(image.error()));
        images.push_back(*image);
    }
    return images;
}

bool copyCatalogImages(const QStringList &fileNames, const QString &dir)
{
    QDir().mkpath(dir);
    for (const QString &name : fileNames) {
        const QString target = dir + u'/' + name;
        QFile::remove(target);
        if (!QFile::copy(sharedCatalogDir() + QStringLiteral("/images/") + name, target)) return false;
        // Copies of read-only originals are read-only; tests modify and delete them.
        QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    return true;
}

RowMatrix randomUnitRows(Eigen::Index rows, Eigen::Index cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    RowMatrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = normal(rng);
    m.rowwise().normalize();
    return m;
}

RowMatrix structuredRows(Eigen::Index rows, Eigen::Index cols, unsigned seed)
{
    const RowMatrix base = randomUnitRows(400, cols, 1);
    std::mt19937 random(seed);
    std::uniform_int_distribution<Eigen::Index> pick(0, base.rows() - 1);
    std::uniform_real_distribution<float> share(0.0f, 0.5f);
    const RowMatrix noise = randomUnitRows(rows, cols, seed + 1);
    RowMatrix out(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
        const float mix = share(random);
        out.row(i) = (1 - mix) * base.row(pick(random)) + mix * base.row(pick(random)) + 0.3f * noise.row(i);
        out.row(i).normalize();
    }
    return out;
}

EmbeddingStore storeOf(const RowMatrix &rows)
{
    EmbeddingStore store(StoreIdentity{QStringLiteral("m"), "00", QStringLiteral("r"), int(rows.cols())});
    std::vector<CatalogFile> files;
    for (Eigen::Index i = 0; i < rows.rows(); ++i) files.push_back({QStringLiteral("%1.jpg").arg(i), 1, 1});
    store.upsert(files, rows);
    return store;
}

} // namespace lookbook::test
