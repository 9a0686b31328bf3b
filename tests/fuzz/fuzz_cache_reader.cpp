// Fuzzes the readers of Lookbook's own binary files (docs/cache-format.md): the embedding
// cache (EmbeddingStore::load), the indexing journal (IndexJournal::replay) and the saved
// search space (SearchSpace::load). A crash, a full disk or another program can leave any
// bytes in them, and each must be refused with a reason, never crash or over-allocate.

#include "FuzzSupport.h"

#include "DiscriminantProjection.h"
#include "EmbeddingRecipe.h"
#include "EmbeddingStore.h"
#include "IndexJournal.h"
#include "SearchSpace.h"
#include "StoreFormat.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

using namespace lookbook;

namespace {

// The input: a selector byte, then the file's bytes. Selector bits 0-1 pick the reader;
// bit 2 rewrites the file's checksums first, so that mutations reach the parsing behind them.
enum Reader : quint8 { Cache = 0, Journal = 1, Space = 2 };
constexpr quint8 kReaderMask = 0x03;
constexpr quint8 kFixChecksums = 0x04;

constexpr int kDimension = 8;
constexpr int kItems = 12;
constexpr int kClasses = 3;
constexpr qsizetype kFooterBytes = 16; // u64 checksum + 8-byte end marker, in the cache and the space

StoreIdentity identity()
{
    return {QStringLiteral("fuzz-model"), QByteArray(64, 'f'), QStringLiteral("squash-224-max"), kDimension};
}

RowMatrix referenceRows(int count)
{
    RowMatrix rows(count, kDimension);
    for (int i = 0; i < count; ++i) {
        for (int j = 0; j < kDimension; ++j)
            rows(i, j) = float(std::sin(0.9 * i + 1.7 * j) + (j == i % kClasses ? 1.0 : 0.0));
        rows.row(i).normalize();
    }
    return rows;
}

std::vector<CatalogFile> referenceFiles(int count, int first = 0)
{
    std::vector<CatalogFile> files;
    for (int i = first; i < first + count; ++i)
        files.push_back({QStringLiteral("looks/%1.jpg").arg(i), 1000 + i, 1700000000000LL + i});
    return files;
}

void fixTrailingChecksum(QByteArray &file)
{
    if (file.size() < kFooterBytes) return;
    const quint64 sum = format::checksum(file.constData(), file.size() - kFooterBytes);
    std::memcpy(file.data() + file.size() - kFooterBytes, &sum, sizeof sum);
}

// Calls visit(fileCount, payloadOffset, payloadBytes) for each journal record whose payload
// and checksum are all there (the checksum follows the payload).
template <typename Visit> void forEachJournalRecord(const QByteArray &file, Visit visit)
{
    format::ByteReader r(file.constData(), file.size());
    r.getBytes(8); // magic
    r.take(qsizetype(r.get<quint32>()));
    while (r.ok() && r.remaining() > 0) {
        r.take(sizeof(quint32)); // record magic
        const auto fileCount = r.get<quint32>();
        r.take(sizeof(quint32)); // skipped count
        const auto payloadBytes = r.get<quint64>();
        if (!r.ok() || payloadBytes > quint64(r.remaining())) return;
        const qsizetype payload = r.position();
        r.take(qsizetype(payloadBytes));
        if (r.remaining() < qsizetype(sizeof(quint64))) return;
        visit(fileCount, payload, qsizetype(payloadBytes));
        r.take(sizeof(quint64));
    }
}

// Every complete journal record's payload checksum, as IndexJournal::append writes it.
void fixJournalChecksums(QByteArray &file)
{
    forEachJournalRecord(file, [&](quint32, qsizetype payload, qsizetype bytes) {
        const quint64 sum = format::checksum(file.constData() + payload, bytes);
        std::memcpy(file.data() + payload + bytes, &sum, sizeof sum);
    });
}

// LOOKBOOK_FUZZ_VERBOSE=1: say what each reader made of each input (to check the seeds).
void report(const char *reader, const QString &outcome)
{
    static const bool verbose = qEnvironmentVariableIsSet("LOOKBOOK_FUZZ_VERBOSE");
    if (verbose) std::fprintf(stderr, "%s: %s\n", reader, qPrintable(outcome));
}

// True when `result` holds what was read; a refusal must say why.
template <typename Result> bool loadedOrReported(const char *reader, const Result &result)
{
    if (result) return true;
    fuzz::check(!result.error().isEmpty(), "a refused input says why");
    report(reader, result.error());
    return false;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    fuzz::check(file.open(QIODevice::ReadOnly), "the harness reads back what it wrote");
    return file.readAll();
}

// What every run shares: a cache made once, loaded from its file (a saved space names that
// file's checksum), and the recipe and projection a saved space is read with.
struct Reference {
    QString cachePath;
    EmbeddingStore store;
    EmbeddingRecipe recipe;
    std::shared_ptr<const DiscriminantProjection> projection;
};

const Reference &reference()
{
    static const Reference ref = [] {
        Reference r;
        r.cachePath = fuzz::scratchPath(QStringLiteral("reference.lbi"));
        EmbeddingStore made(identity());
        made.upsert(referenceFiles(kItems), referenceRows(kItems));
        made.setSkipped({{{QStringLiteral("looks/broken.jpg"), 17, 1700000000000LL}, QStringLiteral("truncated JPEG")}});
        fuzz::check(made.save(r.cachePath).ok(), "the reference cache is saved");
        // The same bytes in every run, so that the seeds' saved spaces name this cache.
        QByteArray bytes = readFile(r.cachePath);
        const QByteArray created = "\"created_utc\":\"";
        const qsizetype at = bytes.indexOf(created);
        fuzz::check(at >= 0, "the cache header has created_utc");
        const QByteArray fixedTime = "2024-01-01T00:00:00Z";
        bytes.replace(at + created.size(), fixedTime.size(), fixedTime);
        fixTrailingChecksum(bytes);
        fuzz::writeFile(r.cachePath, bytes);
        auto loaded = EmbeddingStore::load(r.cachePath, identity());
        fuzz::check(loaded.ok(), "the reference cache loads");
        r.store = std::move(*loaded);

        std::vector<int> classes;
        for (int i = 0; i < kItems; ++i) classes.push_back(i % kClasses);
        const RowMatrix rows = referenceRows(kItems);
        auto fitted = DiscriminantProjection::fit(RowMatrixView(rows.data(), rows.rows(), rows.cols()), classes,
                                                  {kDimension - 2, kClasses - 1, 0.3f});
        fuzz::check(fitted.ok(), "the reference projection fits");
        r.projection = std::make_shared<const DiscriminantProjection>(std::move(*fitted));
        r.recipe = *EmbeddingRecipe::fromId(QStringLiteral("squash-224-max-lda1-dba3-qe2"));
        return r;
    }();
    return ref;
}

void readCache(const QString &path)
{
    auto loaded = EmbeddingStore::load(path, identity());
    if (!loadedOrReported("cache", loaded)) return;
    report("cache", QStringLiteral("%1 items, %2 skipped").arg(loaded->size()).arg(loaded->skipped().size()));
    const EmbeddingStore &store = *loaded;
    fuzz::check(store.identity() == identity(), "a loaded cache has the expected identity");
    float sum = 0;
    for (int i = 0; i < store.size(); ++i) {
        fuzz::check(store.itemOf(store.items()[size_t(i)].relativePath) == i, "every item is found at its row");
        sum += store.vector(i).sum();
    }
    for (const SkippedFile &skipped : store.skipped()) sum += float(skipped.reason.size());
    (void)sum;

    // What was loaded saves and loads back the same.
    const QString again = fuzz::scratchPath(QStringLiteral("again.lbi"));
    fuzz::check(store.save(again).ok(), "a loaded cache saves");
    auto reloaded = EmbeddingStore::load(again, identity());
    fuzz::check(reloaded.ok(), "a saved cache loads");
    fuzz::check(reloaded->size() == store.size() && reloaded->skipped().size() == store.skipped().size(),
                "a reloaded cache has the same items");
    for (int i = 0; i < store.size(); ++i) {
        const CatalogFile &a = store.items()[size_t(i)];
        const CatalogFile &b = reloaded->items()[size_t(i)];
        fuzz::check(a.relativePath == b.relativePath && a.sameVersionAs(b), "a reloaded item is the same");
        fuzz::check(std::memcmp(store.vector(i).data(), reloaded->vector(i).data(), sizeof(float) * kDimension) == 0,
                    "a reloaded row is the same");
    }
}

void readJournal(const QString &path)
{
    auto batches = IndexJournal::replay(path, identity());
    if (!loadedOrReported("journal", batches)) return;
    report("journal", QStringLiteral("%1 batches").arg(batches->size()));
    float sum = 0;
    for (const JournalBatch &batch : *batches) {
        fuzz::check(batch.rows.rows() == Eigen::Index(batch.files.size()) && batch.rows.cols() == kDimension,
                    "a batch has one row per file");
        for (const CatalogFile &file : batch.files) sum += float(file.relativePath.size());
        for (const SkippedFile &skipped : batch.skipped) sum += float(skipped.reason.size());
        sum += batch.rows.sum();
    }
    (void)sum;
}

void readSpace(const QString &path)
{
    const Reference &ref = reference();
    auto loaded = SearchSpace::load(path, ref.store, ref.recipe, ref.projection, nullptr);
    if (!loadedOrReported("space", loaded)) return;
    const SearchSpace &space = **loaded;
    report("space", QStringLiteral("%1 rows of %2, coarse index: %3")
                        .arg(space.size()).arg(space.dimension()).arg(space.hasCoarseIndex() ? "yes" : "no"));
    fuzz::check(space.size() == ref.store.size(), "a loaded space has a row per item");
    fuzz::check(space.dimension() == kDimension + ref.projection->outputDimension(),
                "a loaded space is as wide as the queries it prepares");
    // The loaded parts are read by searches: each item's own query, exact and with expansion.
    const int queries = std::min(space.size(), 3);
    RowMatrix many(queries, space.dimension());
    for (int item = 0; item < queries; ++item) {
        const Eigen::RowVectorXf query = space.itemQuery(item);
        fuzz::check(query.size() == space.dimension(), "a loaded space takes the queries it prepares");
        many.row(item) = query;
        for (const SearchHit &hit : space.search(query, {3, item}))
            fuzz::check(hit.item >= 0 && hit.item < space.size(), "a hit is an item");
    }
    for (const auto &hits : space.searchMany(many, 3))
        for (const SearchHit &hit : hits) fuzz::check(hit.item >= 0 && hit.item < space.size(), "a hit is an item");
}

QByteArray withSelector(quint8 selector, const QByteArray &file)
{
    return QByteArray(1, char(selector)) + file;
}

// A saved space with a coarse index appended (one is only built for 10,000 items or more),
// so that its reader is reached from the seeds too.
QByteArray withCoarseIndex(const QByteArray &space, int rows, int cols)
{
    format::ByteReader r(space.constData(), space.size() - kFooterBytes);
    const QByteArray magic = r.getBytes(8);
    const auto version = r.get<quint32>();
    QJsonObject header = QJsonDocument::fromJson(r.getBytes(qsizetype(r.get<quint32>()))).object();
    const QByteArray body = r.getBytes(r.remaining());
    header.insert(QStringLiteral("coarse"), true);

    QByteArray out;
    format::ByteWriter w(out);
    w.putPreamble(magic, version, QJsonDocument(header).toJson(QJsonDocument::Compact));
    w.putBytes(body);
    constexpr qint32 kWidth = 32;
    w.put<qint32>(kWidth);
    w.put<qint32>(4); // shortlist
    for (int i = 0; i < cols * kWidth + cols + kWidth; ++i) w.put<float>(float(std::cos(0.37 * i)) * 0.25f);
    for (int i = 0; i < rows * kWidth; ++i) w.put<qint8>(qint8(i * 37 % 255 - 127));
    for (int i = 0; i < rows; ++i) w.put<float>(0.01f * float(i + 1));
    w.put<quint64>(0);
    w.putBytes(space.right(8));
    fixTrailingChecksum(out);
    return out;
}

void makeSeeds(const QString &dir)
{
    QDir().mkpath(dir);
    const auto put = [&](const QString &name, const QByteArray &bytes) {
        fuzz::writeFile(QDir(dir).filePath(name), bytes);
    };
    const Reference &ref = reference();

    const QByteArray cache = readFile(ref.cachePath);
    put(QStringLiteral("cache-12-items"), withSelector(Cache | kFixChecksums, cache));
    put(QStringLiteral("cache-12-items-checked"), withSelector(Cache, cache));
    EmbeddingStore empty(identity());
    const QString emptyPath = fuzz::scratchPath(QStringLiteral("empty.lbi"));
    fuzz::check(empty.save(emptyPath).ok(), "an empty cache is saved");
    put(QStringLiteral("cache-empty"), withSelector(Cache | kFixChecksums, readFile(emptyPath)));

    const QString journalPath = fuzz::scratchPath(QStringLiteral("seed.journal"));
    {
        auto journal = IndexJournal::create(journalPath, identity());
        fuzz::check(journal.ok(), "a journal is created");
        fuzz::check((*journal)->append({referenceFiles(3), referenceRows(3), {}}).ok(), "a batch is appended");
        JournalBatch second{referenceFiles(2, 3), referenceRows(2), {}};
        second.skipped.push_back({{QStringLiteral("looks/bad.png"), 5, 6}, QStringLiteral("not an image")});
        fuzz::check((*journal)->append(second).ok(), "a batch is appended");
    }
    QByteArray journal = readFile(journalPath);
    put(QStringLiteral("journal-2-batches"), withSelector(Journal | kFixChecksums, journal));
    put(QStringLiteral("journal-2-batches-checked"), withSelector(Journal, journal));
    journal.chop(7); // the torn record of a process killed while writing
    put(QStringLiteral("journal-torn"), withSelector(Journal | kFixChecksums, journal));

    const QString spacePath = fuzz::scratchPath(QStringLiteral("seed.space"));
    const SearchSpace built(ref.store, ref.recipe, ref.projection, nullptr, SearchSpace::Speed::Full, nullptr);
    fuzz::check(built.save(spacePath).ok(), "a space is saved");
    const QByteArray space = readFile(spacePath);
    put(QStringLiteral("space"), withSelector(Space | kFixChecksums, space));
    put(QStringLiteral("space-checked"), withSelector(Space, space));
    put(QStringLiteral("space-coarse"),
        withSelector(Space | kFixChecksums, withCoarseIndex(space, built.size(), built.dimension())));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (int i = 1; i + 1 < *argc; ++i) {
        if (std::strcmp((*argv)[i], "--make-seeds") == 0) {
            makeSeeds(QString::fromLocal8Bit((*argv)[i + 1]));
            std::exit(0);
        }
    }
    reference();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const quint8 selector = data[0];
    QByteArray file(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const int reader = selector & kReaderMask;
    const bool fix = (selector & kFixChecksums) != 0;
    if (reader == Journal) {
        if (fix) fixJournalChecksums(file);
        const QString path = fuzz::scratchPath(QStringLiteral("input.lbi.journal"));
        fuzz::writeFile(path, file);
        readJournal(path);
    } else if (reader == Space) {
        if (fix) fixTrailingChecksum(file);
        const QString path = fuzz::scratchPath(QStringLiteral("input.lbi.space"));
        fuzz::writeFile(path, file);
        readSpace(path);
    } else {
        if (fix) fixTrailingChecksum(file);
        const QString path = fuzz::scratchPath(QStringLiteral("input.lbi"));
        fuzz::writeFile(path, file);
        readCache(path);
    }
    return 0;
}
