#pragma once
// What a drop, a paste, a file dialog or a link the user gave means as a query: turns the
// DropReader's answer into a QueryInput with the preview to show, or a reason to refuse it.
// A local file is read once and its preview decoded once, on the global pool (a short single
// task, core/base/Pools.h), never on the GUI thread; a link is downloaded by UrlFetcher and
// its bytes prepared the same way. The answer comes back on the GUI thread.
//
// A link to this computer or the user's own network is fetched only if the confirmation
// (set by the pane: a message box) says yes, asked once per link; without one it is refused.
//
// The newest request wins: a new one makes any older read, decoding or download stale, and
// a stale one answers nothing. Exactly one of prepared() or refused() follows each request
// that is not overtaken by a newer one.

#include "Expected.h"
#include "QueryInput.h"

#include <QImage>
#include <QObject>
#include <QSize>

#include <functional>

QT_BEGIN_NAMESPACE
class QMimeData;
QT_END_NAMESPACE

namespace lookbook {

struct DropRequest;
struct LocalAddressRefusal;
class UrlFetcher;

// A query picture ready to be shown and searched.
struct PreparedQuery {
    QueryInput input;
    QImage preview;   // at most kMaxPreviewSide a side; null when Qt cannot show it (the core may still search it)
    QSize pictureSize; // the upright picture's size in pixels, from its header (invalid when unreadable)
};

class QueryReader : public QObject {
    Q_OBJECT
public:
    // How the user gave the picture: image data dropped is named "dropped image".
    enum class Source { Drop, Paste, Dialog };
    // Previews are decoded at most this large: enough for any screen, and a 100 MP photo
    // does not cost 400 MB of pixels.
    static constexpr int kMaxPreviewSide = 2048;

    explicit QueryReader(QObject *parent = nullptr);
    ~QueryReader() override;

    // receivedMs: when the drop, paste or file arrived (ProcessClock), before it was read.
    // The mime data is read at once (it lives only as long as its event).
    void read(const QMimeData *mime, Source source, double receivedMs);
    void readFile(const QString &path, double receivedMs);
    void readClipboard(double receivedMs);

    // Whether to fetch a link the fetcher refused for its local address anyway; called from
    // the event loop, never inside a read() or a fetch.
    using LocalFetchConfirmation = std::function<bool(const LocalAddressRefusal &refusal)>;
    void setLocalFetchConfirmation(LocalFetchConfirmation confirm);

    // A picture's upright size in pixels, read from its header (invalid when unreadable).
    static QSize pictureSizeOf(const QByteArray &bytes);
    static QSize pictureSizeOf(const QString &path);
    // On a worker: the file's bytes, read once within the core's ImageLimits, and its preview.
    static Expected<PreparedQuery> prepareFile(QueryInput input);
    // On a worker: the preview of bytes already in hand, decoded once.
    static PreparedQuery prepareBytes(QueryInput input);

signals:
    void busy(const QString &message); // e.g. "Downloading image from …"
    void prepared(const lookbook::PreparedQuery &query);
    void refused(const QString &reason);

private:
    void handle(const DropRequest &request, Source source, double receivedMs);
    void fetchLocalIfConfirmed(const QUrl &url, const LocalAddressRefusal &refusal);
    // Runs `work` on the global pool; its answer is given unless a newer request came first.
    void prepareInBackground(std::function<Expected<PreparedQuery>()> work);

    UrlFetcher *m_fetcher;
    quint64 m_latest = 0;        // the newest request's number; older answers are dropped
    double m_fetchReceivedMs = -1; // when the link being downloaded was received
    LocalFetchConfirmation m_confirmLocalFetch;
    bool m_localFetchConfirmed = false; // the link being downloaded was confirmed: no second question
};

} // namespace lookbook

Q_DECLARE_METATYPE(lookbook::PreparedQuery)
