#include "IndexBench.h"

#include "BenchSupport.h"
#include "CacheFiles.h"
#include "CatalogScanner.h"
#include "Indexer.h"
#include "ModelDescriptor.h"
#include "ResourceLocator.h"

#include <QDir>
#include <QFile>

#include <algorithm>

#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace lookbook::bench {

namespace {

constexpr int kBatch = 16; // the indexer's default batch

QString catalogOf(const IndexBenchOptions &options)
{
    return options.catalog.isEmpty() ? ResourceLocator::sharedPath(QStringLiteral("data/fashion-product-images-small-subset"))
                                     : options.catalog;
}

// A fresh folder under the work folder (emptied first).
QString freshFolder(const IndexBenchOptions &options, const QString &name)
{
    QDir dir(QDir(options.workDir).filePath(name));
    dir.removeRecursively();
    QDir().mkpath(dir.path());
    return dir.path();
}

// The network run the way the product runs it, without the product around it, so that the
// comparison is with the same layers, batch and threads.
class BareNetwork {
public:
    BareNetwork(const EmbeddingModel &model, const EmbeddingRecipe &recipe)
        : m_descriptor(model.descriptor()), m_net(cv::dnn::readNetFromONNX(model.path().toStdString()))
    {
        m_layers.push_back(m_descriptor.featureLayer.toStdString());
        if (recipe.classWeight > 0) m_layers.push_back(m_descriptor.classLayer.toStdString());
    }
    cv::Mat blob(const std::vector<cv::Mat> &fitted) const
    {
        const auto &m = m_descriptor.mean;
        return cv::dnn::blobFromImages(fitted, m_descriptor.scale, cv::Size(), cv::Scalar(m[0], m[1], m[2]),
                                       !m_descriptor.bgr, false);
    }
    void forward(const cv::Mat &blob)
    {
        m_net.setInput(blob, m_descriptor.inputName.toStdString());
        std::vector<cv::Mat> outputs;
        m_net.forward(outputs, m_layers);
    }

private:
    ModelDescriptor m_descriptor;
    cv::dnn::Net m_net;
    std::vector<cv::String> m_layers;
};

// Rates of the three ways of embedding the same images, one round.
struct Round {
    double network = 0, plain = 0, indexer = 0; // images/s
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

void benchRecipe(const std::shared_ptr<const EmbeddingModel> &model, const EmbeddingRecipe &recipe,
                 const QString &catalog, const std::vector<CatalogFile> &files, const IndexBenchOptions &options)
{
    const InputFit fit = recipe.fitFor(ImageRole::CatalogItem);
    out() << QStringLiteral("recipe %1 (input %2x%2), batches of %3, %4 rounds:\n")
                 .arg(recipe.id()).arg(fit.inputSize).arg(kBatch).arg(options.rounds);
    const int n = int(files.size());
    BareNetwork bare(*model, recipe);

    // The network alone: blobs made beforehand.
    std::vector<cv::Mat> blobs;
    for (int b = 0; b < n; b += kBatch) {
        std::vector<cv::Mat> fitted;
        for (int i = b; i < std::min(n, b + kBatch); ++i)
            fitted.push_back(EmbeddingModel::fitToInput(cv::imread((catalog + u'/' + files[size_t(i)].relativePath).toStdString()), fit));
        blobs.push_back(bare.blob(fitted));
    }
    bare.forward(blobs.front()); // warm-up: OpenCV allocates its buffers on the first pass
    auto runNetwork = [&] { return n / secondsOf([&] { for (const cv::Mat &blob : blobs) bare.forward(blob); }); };

    // The plain recipe: decode, squash, blobFromImages, forward, one after the other.
    auto runPlain = [&] {
        return n / secondsOf([&] {
            for (int b = 0; b < n; b += kBatch) {
                std::vector<cv::Mat> fitted;
                for (int i = b; i < std::min(n, b + kBatch); ++i) {
                    cv::Mat image = cv::imread((catalog + u'/' + files[size_t(i)].relativePath).toStdString());
                    cv::resize(image, image, cv::Size(fit.inputSize, fit.inputSize), 0, 0, cv::INTER_AREA);
                    fitted.push_back(image);
                }
                bare.forward(bare.blob(fitted));
            }
        });
    };

    // The whole indexer on a catalog of links to the same images, from an empty cache.
    // The app runs one warm-up pass when the model loads; the first pass at an input size
    // is OpenCV setting up (0.5 s), not indexing. The bare network had its warm-up above.
    model->embed({cv::Mat(64, 64, CV_8UC3, cv::Scalar::all(255))}, recipe);
    auto runIndexer = [&] {
        const QString linked = freshFolder(options, QStringLiteral("lookbook-bench-index"));
        for (const CatalogFile &f : files)
            QFile::link(catalog + u'/' + f.relativePath, linked + u'/' + QFileInfo(f.relativePath).fileName());
        const QString cache = linked + QStringLiteral("/.lookbook-index.lbi");
        IndexReport report;
        const double seconds = secondsOf([&] {
            auto r = Indexer(model, recipe).update(linked, cache);
            if (r) report = *r;
        });
        QDir(linked).removeRecursively();
        return report.embedded / seconds;
    };

    // Rounds in a rotating order, so that neither drift of this machine's speed nor being
    // first or last favours one of the three; the ratios are taken within each round.
    std::vector<double> toNetwork, toPlain;
    for (int r = 0; r < options.rounds; ++r) {
        Round round;
        for (int step = 0; step < 3; ++step) {
            switch ((step + r) % 3) {
            case 0: round.network = runNetwork(); break;
            case 1: round.plain = runPlain(); break;
            default: round.indexer = runIndexer(); break;
            }
        }
        toNetwork.push_back(round.indexer / round.network);
        toPlain.push_back(round.indexer / round.plain);
        out() << QStringLiteral("  round %1: network alone %2, plain recipe %3, whole indexer %4 images/s: "
                                "indexer / network %5, indexer / plain %6\n")
                     .arg(r + 1).arg(round.network, 0, 'f', 2).arg(round.plain, 0, 'f', 2).arg(round.indexer, 0, 'f', 2)
                     .arg(toNetwork.back(), 0, 'f', 3).arg(toPlain.back(), 0, 'f', 3);
        out().flush();
    }
    out() << QStringLiteral("  median of the rounds: indexer / network %1, indexer / plain recipe %2 (%3 images a round)\n")
                 .arg(median(toNetwork), 0, 'f', 3).arg(median(toPlain), 0, 'f', 3).arg(n);
    out().flush();
}

} // namespace

int runIndexBench(const IndexBenchOptions &options)
{
    out() << QStringLiteral("== indexing: %1 images of %2, %3 OpenCV threads; %4\n")
                 .arg(options.images)
                 .arg(catalogOf(options))
                 .arg(cv::getNumThreads())
                 .arg(loadLine());
    auto model = ResourceLocator::loadModel(ModelDescriptor::builtIn());
    if (!model) {
        out() << model.error() << "\n";
        return 1;
    }
    auto scanned = CatalogScanner::scan(catalogOf(options));
    if (!scanned || scanned->empty()) {
        out() << "no catalog images in " << catalogOf(options) << "\n";
        return 1;
    }
    std::vector<CatalogFile> files(scanned->begin(), scanned->begin() + std::min<size_t>(scanned->size(), size_t(options.images)));
    benchRecipe(*model, EmbeddingRecipe::seedRecipe(), catalogOf(options), files, options);
    benchRecipe(*model, EmbeddingRecipe::defaultRecipe(), catalogOf(options), files, options);
    return 0;
}

int runReindexBench(const IndexBenchOptions &options)
{
    const QString catalog = catalogOf(options);
    out() << QStringLiteral("== re-index of an unchanged catalog: %1 copies of %2; %3\n")
                 .arg(options.copies)
                 .arg(catalog, loadLine());
    auto model = ResourceLocator::loadModel(ModelDescriptor::builtIn());
    auto scanned = CatalogScanner::scan(catalog);
    if (!model || !scanned) {
        out() << (model ? scanned.error() : model.error()) << "\n";
        return 1;
    }
    const EmbeddingRecipe recipe = EmbeddingRecipe::defaultRecipe();
    const StoreIdentity identity = cacheFiles::identityFor((*model)->descriptor(), recipe);

    // The copies are links to the catalog's files (the scanner follows links to files and
    // reports the target's size and time), and their cache is the catalog's own rows
    // repeated: what indexing them would have produced, without hours of embedding.
    const QString root = freshFolder(options, QStringLiteral("lookbook-bench-reindex"));
    EmbeddingStore store(identity);
    std::vector<CatalogFile> entries;
    for (int c = 0; c < options.copies; ++c) {
        const QString prefix = QStringLiteral("copy%1/").arg(c, 2, 10, QLatin1Char('0'));
        QDir().mkpath(root + u'/' + prefix);
        for (const CatalogFile &f : *scanned) {
            QDir().mkpath(QFileInfo(root + u'/' + prefix + f.relativePath).path());
            QFile::link(catalog + u'/' + f.relativePath, root + u'/' + prefix + f.relativePath);
            entries.push_back({prefix + f.relativePath, f.size, f.modifiedMs});
        }
    }
    // Re-indexing never reads the rows; the app timed on the kept catalog searches them, so
    // they are derived from real ones when a cache to derive them from is given.
    const int dimension = (*model)->dimension(recipe);
    RowMatrix rows = RowMatrix::Zero(Eigen::Index(entries.size()), dimension);
    if (const RowMatrix base = baseRows(options.rowsFrom, dimension); !options.rowsFrom.isEmpty() && base.cols() == dimension)
        rows = syntheticRows(base, rows.rows(), 9);
    else
        for (Eigen::Index i = 0; i < rows.rows(); ++i) rows(i, i % rows.cols()) = 1.0f;
    store.upsert(entries, rows);
    const QString cache = root + QStringLiteral("/.lookbook-index.lbi");
    if (Status saved = store.save(cache); !saved) {
        out() << saved.error() << "\n";
        return 1;
    }
    out() << QStringLiteral("catalog of %1 items, cache %2 MB\n").arg(entries.size()).arg(QFileInfo(cache).size() / 1e6, 0, 'f', 0);

    // Each run with the cache evicted from the page cache first, then again warm.
    int run = 0;
    const WarmCold runs = warmAndCold(cache, 3, [&](int) {
        IndexReport report;
        const double seconds = secondsOf([&] {
            auto r = Indexer(*model, recipe).update(root, cache);
            if (r) report = *r;
        });
        out() << QStringLiteral("  run %1 (%2): %3 s, %4 unchanged, %5 embedded, %6 removed\n")
                     .arg(run / 2 + 1)
                     .arg(run % 2 == 0 ? QStringLiteral("cold") : QStringLiteral("warm"))
                     .arg(seconds, 0, 'f', 2)
                     .arg(report.unchanged)
                     .arg(report.embedded)
                     .arg(report.removed);
        out().flush();
        ++run;
        return Stages{1000 * seconds};
    });
    out() << "  re-index: " << describeWarmCold(runs) << "; " << loadLine() << "\n";
    out().flush();
    if (options.keep)
        out() << QStringLiteral("kept: lookbook %1 --cache %2\n").arg(root, cache);
    else
        QDir(root).removeRecursively();
    return 0;
}

} // namespace lookbook::bench
