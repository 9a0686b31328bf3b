#pragma once
// Shared helpers of the test suites: where the real model and images are, and small
// catalogs built from them in temporary folders.

#include "EmbeddingModel.h"
#include "EmbeddingStore.h"

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

} // namespace lookbook::test
