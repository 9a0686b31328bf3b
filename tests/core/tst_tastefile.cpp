// The taste profile's file: what reading it finds (TasteFile), that damage is detected by
// its checksum rather than guessed, that a file is set aside under a name of its own and
// never over another, and that the key names the whole space its vectors live in.
#include "TestSupport.h"

#include "CacheFiles.h"
#include "DiscriminantProjection.h"
#include "EmbeddingRecipe.h"
#include "ModelDescriptor.h"
#include "TasteProfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace lookbook;

namespace {

constexpr int kDimension = 48;

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool write(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// A profile with two likes and a dislike, of rows of the test's own.
TasteProfile someProfile(const QString &key)
{
    const RowMatrix rows = test::randomUnitRows(3, kDimension, 7);
    TasteProfile profile(key);
    profile.addLike(rows.row(0));
    profile.addLike(rows.row(1));
    profile.addDislike(rows.row(2));
    return profile;
}

QString keyOf(const EmbeddingRecipe &recipe, std::shared_ptr<const DiscriminantProjection> own = {})
{
    return TasteProfile::spaceKeyFor(cacheFiles::identityFor(ModelDescriptor::builtIn(), recipe), recipe, own);
}

} // namespace

class TestTasteFile : public QObject {
    Q_OBJECT
private:
    const QString m_key = QStringLiteral("a space");

private slots:
    void savedProfileReadsBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("folder/p.taste"));
        const TasteProfile profile = someProfile(m_key);
        QVERIFY(profile.save(path));
        const TasteFile file = TasteProfile::read(path, m_key);
        QCOMPARE(file.state, TasteFile::State::Read);
        QVERIFY(file.profile);
        QCOMPARE(file.profile->likes(), 2);
        QCOMPARE(file.profile->dislikes(), 1);
        QCOMPARE(file.profile->spaceKey(), m_key);
        QVERIFY((file.profile->direction() - profile.direction()).norm() < 1e-6f);
        QVERIFY(contentsOf(path).startsWith("LOOKBOOK-TASTE 2 "));

        const TasteFile missing = TasteProfile::read(dir.filePath(QStringLiteral("none.taste")), m_key);
        QCOMPARE(missing.state, TasteFile::State::Read);
        QVERIFY(missing.profile && missing.profile->isEmpty());
    }

    // One character of a sum changed keeps the file well-formed JSON with sums of the right
    // length: only the checksum tells. (Format 1 read such a file as a different taste.)
    void aChangedSumIsDetected()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.taste"));
        QVERIFY(someProfile(m_key).save(path));
        QByteArray bytes = contentsOf(path);
        const qsizetype at = bytes.indexOf("\"liked_sum\":\"") + 20;
        QVERIFY(at > 20);
        bytes[at] = bytes[at] == 'A' ? 'B' : 'A';
        QVERIFY(write(path, bytes));
        QVERIFY(!TasteProfile::load(path, m_key));
        const TasteFile file = TasteProfile::read(path, m_key);
        QCOMPARE(file.state, TasteFile::State::Damaged);
        QVERIFY2(file.problem.contains(QStringLiteral("checksum")), qPrintable(file.problem));
        QCOMPARE(contentsOf(path), bytes); // reading never changes the file
    }

    void truncatedAndForeignFilesAreDamaged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.taste"));
        QVERIFY(someProfile(m_key).save(path));
        const QByteArray bytes = contentsOf(path);
        QVERIFY(write(path, bytes.left(bytes.size() - 5)));
        QCOMPARE(TasteProfile::read(path, m_key).state, TasteFile::State::Damaged);
        QVERIFY(write(path, QByteArrayLiteral("\x89PNG not a profile")));
        QCOMPARE(TasteProfile::read(path, m_key).state, TasteFile::State::Damaged);
        QVERIFY(write(path, QByteArray()));
        QCOMPARE(TasteProfile::read(path, m_key).state, TasteFile::State::Damaged);
    }

    void otherSpacesNewerAndOldFormatsAreRecognised()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.taste"));
        QVERIFY(someProfile(QStringLiteral("another space")).save(path));
        const TasteFile other = TasteProfile::read(path, m_key);
        QCOMPARE(other.state, TasteFile::State::OtherSpace);
        QVERIFY(!other.profile);

        QVERIFY(write(path, QByteArrayLiteral("LOOKBOOK-TASTE 3 0123456789abcdef\n{}")));
        QCOMPARE(TasteProfile::read(path, m_key).state, TasteFile::State::Newer);

        // Today's file before this format: the JSON alone, keyed by the recipe's id.
        QVERIFY(write(path, QByteArrayLiteral(R"({"format":1,"space":"squash-288-max","dimension":2,"likes":0,"dislikes":0})")));
        const TasteFile old = TasteProfile::read(path, m_key);
        QCOMPARE(old.state, TasteFile::State::OldFormat);
        QVERIFY2(old.problem.contains(QStringLiteral("squash-288-max")), qPrintable(old.problem));
        QVERIFY(write(path, QByteArrayLiteral(R"({"format":7})")));
        QCOMPARE(TasteProfile::read(path, m_key).state, TasteFile::State::Damaged);
    }

    // As root (CI) permissions do not stop reading: a folder where the file should be does.
    void aFolderInItsPlaceIsUnreadableNotDamaged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.taste"));
        QVERIFY(QDir().mkpath(path));
        const TasteFile file = TasteProfile::read(path, m_key);
        QCOMPARE(file.state, TasteFile::State::Unreadable);
        QVERIFY(!file.profile);
        QVERIFY(QFileInfo(path).isDir());
    }

    void settingAsideNeverOverwrites()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.taste"));
        QVERIFY(write(path, "third"));
        QVERIFY(write(path + QStringLiteral(".damaged"), "first"));
        QVERIFY(write(path + QStringLiteral(".damaged-2"), "second"));
        const auto aside = TasteProfile::setAside(path, QStringLiteral(".damaged"));
        QVERIFY2(aside, qPrintable(aside.error()));
        QCOMPARE(*aside, path + QStringLiteral(".damaged-3"));
        QVERIFY(!QFileInfo::exists(path));
        QCOMPARE(contentsOf(path + QStringLiteral(".damaged")), QByteArray("first"));
        QCOMPARE(contentsOf(path + QStringLiteral(".damaged-2")), QByteArray("second"));
        QCOMPARE(contentsOf(*aside), QByteArray("third"));
        // Nothing there to move: a failure that says so, and no file appears.
        QVERIFY(!TasteProfile::setAside(path, QStringLiteral(".damaged")));
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".damaged-4")));
    }

    // The key names everything the vectors depend on, and only one file per key.
    void theKeyNamesTheWholeSpace()
    {
        const EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
        QVERIFY(recipe.projectionWeight > 0);
        const QString builtIn = keyOf(recipe);
        QCOMPARE(keyOf(recipe), builtIn);
        QVERIFY(builtIn.contains(ModelDescriptor::builtIn().id));
        QVERIFY(builtIn.contains(recipe.id()));
        QVERIFY(builtIn.contains(QString::number(DiscriminantProjection::builtIn().fingerprint(), 16)));

        // A projection of the same shape as the built-in one but other numbers: another space.
        const int input = DiscriminantProjection::builtIn().inputDimension();
        const RowMatrix rows = test::randomUnitRows(8, input, 3);
        const auto fitted =
            DiscriminantProjection::fit(RowMatrixView(rows.data(), rows.rows(), rows.cols()), {0, 0, 0, 0, 1, 1, 1, 1});
        QVERIFY2(fitted, qPrintable(fitted.error()));
        const auto own = std::make_shared<const DiscriminantProjection>(*fitted);
        QVERIFY(keyOf(recipe, own) != builtIn);
        QVERIFY(TasteProfile::fileNameFor(keyOf(recipe, own)) != TasteProfile::fileNameFor(builtIn));

        EmbeddingRecipe other = recipe;
        other.augmentNeighbours = 3;
        QVERIFY(keyOf(other) != builtIn);
        // Without a projection weight no projection is applied: which one is given does not matter.
        EmbeddingRecipe plain = recipe;
        plain.projectionWeight = 0;
        QCOMPARE(keyOf(plain, own), keyOf(plain));
        QVERIFY(keyOf(plain).endsWith(QStringLiteral("projection none")));
    }
};

QTEST_GUILESS_MAIN(TestTasteFile)
#include "tst_tastefile.moc"
