#pragma once
// Shared helpers of the test suites: where the real model and images are, and small
// catalogs built from them in temporary folders.

#include "EmbeddingModel.h"
#include "EmbeddingStore.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace lookbook::test {

// The shared folder's demo catalog, queries and model. A test never skips when one is
// missing: sharedModel() and the loaders stop the test process, saying what is missing and where
// it was looked for.
QString sharedDir();         // LOOKBOOK_SHARED, else ../shared beside the source tree
QString sharedCatalogDir();  // data/fashion-product-images-small-subset
QString sharedQueriesDir();  // data/clothing-dataset-small-queries
QString testDataDir();       // tests/data in the source tree

// The real model, loaded once per test process (about 1 s). Fails the calling test if absent.
std::shared_ptr<EmbeddingModel> sharedModel();

// The first photo (by name) of a consumer-photo label, e.g. "dress".
QString firstStreetPhoto(const QString &label);

// Loads images with the product's loader; fails the test process when one cannot be read.
std::vector<cv::Mat> loadImages(const QStringList &paths);

// Copies the named images (file names inside the demo catalog's images/) into dir.
bool copyCatalogImages(const QStringList &fileNames, const QString &dir);
// The first n file names of the demo catalog, sorted.
QStringList firstCatalogImages(int n);

// Rows of unit length with normally distributed directions, reproducible from the seed.
RowMatrix randomUnitRows(Eigen::Index rows, Eigen::Index cols, unsigned seed);
// Mixtures of a few hundred directions plus noise: near neighbours at cosines of 0.7-0.95,
// like a catalog's embeddings (independent random vectors have no near neighbours at all).
RowMatrix structuredRows(Eigen::Index rows, Eigen::Index cols, unsigned seed);

// A store holding `rows` as the embeddings of files 0.jpg, 1.jpg, ... (identity for tests).
EmbeddingStore storeOf(const RowMatrix &rows);

// File permissions do not stop root (its CAP_DAC_OVERRIDE), and CI runs as root: a test of
// what an unreadable file or folder does runs its own test function again, as root without
// that override (setpriv drops the capabilities), and passes only if that run passes:
//     if (test::permissionsDoNotApply()) return test::rerunUnprivileged();
// Staying the same user keeps every path the parent can reach in reach (a checkout in a
// private home folder, say), where switching to nobody would not. Without setpriv
// (util-linux) the test fails, never skips.
bool permissionsDoNotApply();
void rerunUnprivileged();

// LOOKBOOK_NETWORK_SHARE (FileSystemKind.h) set to `value` (nullptr: unset) for the life of
// the object, then restored: the paths a cache on a detected share takes, on a local folder.
class ShareOverride {
public:
    explicit ShareOverride(const char *value);
    ~ShareOverride();
    ShareOverride(const ShareOverride &) = delete;
    ShareOverride &operator=(const ShareOverride &) = delete;

private:
    bool m_had;
    QByteArray m_old;
};

// A program run to its end: its exit code (-1 when it crashed) and what it printed.
struct ProcessRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
// No time limit of its own, only a hang guard: CTest's timeout bounds the suite (eval embeds
// the 341 street photos, which takes minutes on a busy 2-core machine).
ProcessRun runProcess(const QString &program, const QStringList &args,
                      const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
// lookbook-cli, the one built beside the tests, driven as a user drives it.
ProcessRun cli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// The independent reference embeddings, tests/data/golden/embeddings.json (made by
// tests/tools/make_golden_embeddings.py with cv2 in Python; its README says how).
struct GoldenEmbeddings {
    QStringList images;  // relative to the shared folder
    QJsonObject recipes; // recipe id -> one row per image, in the order of images
    QString pathsRecipe; // the default recipe's embedding parts, whose paths follow
    QJsonObject paths;   // role ("catalog", "outside") -> {images: [indices], fit, embeddings}
};
GoldenEmbeddings goldenEmbeddings(); // stops the test process when the file is missing
// Fails the calling test unless row i of `rows` has a cosine of at least minCosine with
// reference row i; names[i] says which image a failure is about.
void compareWithGolden(const RowMatrix &rows, const QJsonArray &expected, const QStringList &names, double minCosine = 0.9999);

} // namespace lookbook::test
