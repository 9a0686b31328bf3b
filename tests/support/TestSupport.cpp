#include "TestSupport.h"

#include <random>

#include "FileSystemKind.h"
#include "ImageLoader.h"
#include "ResourceLocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

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

GoldenEmbeddings goldenEmbeddings()
{
    QFile file(testDataDir() + QStringLiteral("/golden/embeddings.json"));
    if (!file.open(QIODevice::ReadOnly)) qFatal("tests/data/golden/embeddings.json is missing");
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    GoldenEmbeddings g;
    for (const auto &v : root.value(QStringLiteral("images")).toArray()) g.images << v.toString();
    g.recipes = root.value(QStringLiteral("recipes")).toObject();
    g.pathsRecipe = root.value(QStringLiteral("paths_recipe")).toString();
    g.paths = root.value(QStringLiteral("paths")).toObject();
    return g;
}

void compareWithGolden(const RowMatrix &rows, const QJsonArray &expected, const QStringList &names, double minCosine)
{
    QCOMPARE(rows.rows(), expected.size());
    QCOMPARE(names.size(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        const QJsonArray values = expected[i].toArray();
        QCOMPARE(values.size(), rows.cols());
        Eigen::RowVectorXf reference(values.size());
        for (int j = 0; j < values.size(); ++j) reference[j] = float(values[j].toDouble());
        const double cosine = rows.row(i).dot(reference) / (rows.row(i).norm() * reference.norm());
        QVERIFY2(cosine >= minCosine, qPrintable(QStringLiteral("%1: cosine %2").arg(names[i]).arg(cosine, 0, 'g', 8)));
    }
}

namespace {
// The capabilities that let root read, write and search whatever the file modes say.
const QStringList kOverrides{QStringLiteral("dac_override"), QStringLiteral("dac_read_search")};
// Set in the child's environment: a child that still overrides permissions means setpriv did not work.
const char kUnprivilegedChild[] = "LOOKBOOK_TEST_UNPRIVILEGED_CHILD";
} // namespace

bool permissionsDoNotApply()
{
#ifdef Q_OS_LINUX
    // CapEff in /proc/self/status, in hex: bit 1 is CAP_DAC_OVERRIDE, bit 2 CAP_DAC_READ_SEARCH.
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly))
        for (const QByteArray &line : status.readAll().split('\n'))
            if (line.startsWith("CapEff:")) return (line.mid(7).trimmed().toULongLong(nullptr, 16) & 0x6) != 0;
#endif
#ifdef Q_OS_UNIX
    return ::geteuid() == 0;
#else
    return false;
#endif
}

void rerunUnprivileged()
{
    if (qEnvironmentVariableIsSet(kUnprivilegedChild)) QFAIL("setpriv left the child able to override file permissions");
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        QFAIL("running as root, where permissions do not apply: this test runs itself again without root's "
              "permission override, with setpriv, which is not on PATH (install util-linux)");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(kUnprivilegedChild), QStringLiteral("1"));
    QString function = QString::fromLatin1(QTest::currentTestFunction());
    if (QTest::currentDataTag()) function += u':' + QString::fromLatin1(QTest::currentDataTag());
    // The same user, so every path the parent reaches stays in reach, minus the two
    // capabilities (dropped from the bounding and inheritable sets, so the exec cannot regain them).
    const QString dropped = u'-' + kOverrides.join(QStringLiteral(",-"));
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(setpriv, {QStringLiteral("--inh-caps=") + dropped, QStringLiteral("--bounding-set=") + dropped,
                          QStringLiteral("--"), QCoreApplication::applicationFilePath(), function});
    child.waitForFinished(-1); // CTest's timeout bounds the suite
    const QString output = QString::fromLocal8Bit(child.readAll());
    // The function itself passed, not only initTestCase (an unknown name also exits non-zero).
    const QString passLine = QStringLiteral("::%1(").arg(function.section(u':', 0, 0));
    const bool passed = child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0
        && !output.split(u'\n').filter(QStringLiteral("PASS   : ")).filter(passLine).isEmpty();
    QVERIFY2(passed, qPrintable(QStringLiteral("%1 run again without root's permission override did not pass (exit code %2):\n%3")
                                    .arg(function)
                                    .arg(child.exitCode())
                                    .arg(output)));
    qInfo("%s passed without root's permission override (setpriv %s)", qPrintable(function), qPrintable(dropped));
}

ProcessRun runProcess(const QString &program, const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    p.waitForFinished(-1);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

ShareOverride::ShareOverride(const char *value)
    : m_had(qEnvironmentVariableIsSet(fileSystem::kNetworkShareVariable)), m_old(qgetenv(fileSystem::kNetworkShareVariable))
{
    if (value) qputenv(fileSystem::kNetworkShareVariable, value);
    else qunsetenv(fileSystem::kNetworkShareVariable);
}

ShareOverride::~ShareOverride()
{
    if (m_had) qputenv(fileSystem::kNetworkShareVariable, m_old);
    else qunsetenv(fileSystem::kNetworkShareVariable);
}

ProcessRun cli(const QStringList &args, const QProcessEnvironment &env)
{
    return runProcess(QStringLiteral(LOOKBOOK_CLI_PATH), args, env);
}

} // namespace lookbook::test
