#pragma once
// Downloads the image behind an http(s) link that was dropped or pasted, and hands back
// its bytes — nothing more: the content is never run or interpreted here, the core decodes
// it with its own checks. Bounded in size (checked on Content-Length and on what arrives)
// and in time (one deadline for the whole fetch: name lookups, redirects and body, so a
// server trickling bytes cannot hold it open); redirects are followed at most five times
// and never from https to http or to another scheme.
//
// A link to this computer or to the user's own network (AddressScope) is refused, whether
// its host is written as an address, is a name that resolves to one, or is reached by a
// redirect: a web page must not make the app reach the router or a local service. Every
// hop's host is resolved and checked before it is connected to. A fetch may allow one
// host the user agreed to (HostConsent); any other such host is still refused.
//
// One download at a time: fetch() cancels the one in flight. Exactly one of fetched(),
// failed() or localAddressRefused() follows each fetch(), unless it is cancelled first
// (then none does).

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <optional>

QT_BEGIN_NAMESPACE
class QHostInfo;
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace lookbook {

// A host on this computer or the user's network that a link led to, and why it was refused.
struct LocalAddressRefusal {
    QString host;                  // as written in the link or the redirect
    QList<QHostAddress> addresses; // the ones it resolved to that are not on the web (the first named)
    QString reason;                // for the window: names the host and the address
};

// The user's yes to one refused host: that host, at those addresses, may be fetched.
struct HostConsent {
    QString host;
    QList<QHostAddress> addresses;

    static HostConsent of(const LocalAddressRefusal &refusal) { return {refusal.host, refusal.addresses}; }
};

class UrlFetcher : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kDefaultMaxBytes = 50LL * 1024 * 1024;
    static constexpr int kDefaultTimeoutMs = 20'000;
    static constexpr int kMaxRedirects = 5;

    explicit UrlFetcher(QObject *parent = nullptr, int timeoutMs = kDefaultTimeoutMs);
    ~UrlFetcher() override;

    // A URL that is not http(s) fails at once, inside this call.
    void fetch(const QUrl &url, const HostConsent &consent = {});
    void cancel();
    bool isBusy() const;
    // Applies to the next fetch(). timeoutMs: the whole fetch's deadline, from fetch() on.
    void setLimits(qint64 maxBytes, int timeoutMs);

signals:
    void fetched(const QUrl &url, const QByteArray &bytes);
    void failed(const QUrl &url, const QString &reason);
    // url: the link given to fetch(), also when a redirect led to the host.
    void localAddressRefused(const QUrl &url, const lookbook::LocalAddressRefusal &refusal);

private:
    // Resolves the host of `hop` (the link, or a redirect's target), then calls `onAllowed`
    // if it may be connected to, else ends the fetch with the refusal.
    void vetHost(const QUrl &hop, std::function<void()> onAllowed);
    void vetAddresses(const QUrl &hop, const QList<QHostAddress> &addresses, bool isLiteral,
                      const std::function<void()> &onAllowed);
    QString localReason(const QUrl &hop, const QHostAddress &address, bool isLiteral) const;
    // Connects to m_hopUrl, whose host was vetted.
    void startRequest();
    // Takes the current reply's redirect: its target is checked and vetted like the link.
    void followRedirect();
    void onDeadline();
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    // Stops the transfer; the reply's finished() then reports `reason`.
    void abortWith(const QString &reason);
    // Ends the fetch with `reason`: through the reply when there is one, else at once (a
    // refusal always comes between transfers).
    void stopWith(const QString &reason, const std::optional<LocalAddressRefusal> &refusal = std::nullopt);
    void stopLookup();
    QString tooLargeReason() const;
    QString deadlineReason() const;
    QString errorReason() const;
    void releaseReply(); // the transfer, not the fetch: a redirect's next hop keeps the deadline
    void endFetch();

    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    QTimer m_deadline;
    int m_lookupId = -1;            // the host lookup in flight, -1 when none
    quint64 m_lookupGeneration = 0; // a lookup answering for an older one is ignored
    QUrl m_url;
    QUrl m_hopUrl;       // the URL being fetched now: m_url, or where its redirects led
    int m_redirects = 0; // followed so far
    HostConsent m_consent;
    QByteArray m_received;
    QString m_abortReason;
    qint64 m_maxBytes = kDefaultMaxBytes;
    int m_timeoutMs = kDefaultTimeoutMs;
};

} // namespace lookbook

Q_DECLARE_METATYPE(lookbook::LocalAddressRefusal)
