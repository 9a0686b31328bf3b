#pragma once
// Downloads the image behind an http(s) link that was dropped or pasted, and hands back
// its bytes — nothing more: the content is never run or interpreted here, the core decodes
// it with its own checks. Bounded in size (checked on Content-Length and on what arrives)
// and in time (no data for the timeout ends the transfer); redirects are followed at most
// five times and never from https to http or to another scheme.
//
// One download at a time: fetch() cancels the one in flight. Exactly one of fetched() or
// failed() follows each fetch(), unless it is cancelled first (then neither does).

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace lookbook {

class UrlFetcher : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kDefaultMaxBytes = 50LL * 1024 * 1024;
    static constexpr int kDefaultTimeoutMs = 20'000;
    static constexpr int kMaxRedirects = 5;

    explicit UrlFetcher(QObject *parent = nullptr);
    ~UrlFetcher() override;

    // A URL that is not http(s) fails at once, inside this call.
    void fetch(const QUrl &url);
    void cancel();
    bool isBusy() const;
    // Applies to the next fetch().
    void setLimits(qint64 maxBytes, int timeoutMs);

signals:
    void fetched(const QUrl &url, const QByteArray &bytes);
    void failed(const QUrl &url, const QString &reason);

private:
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    // Stops the transfer; the reply's finished() then reports `reason`.
    void abortWith(const QString &reason);
    QString tooLargeReason() const;
    QString errorReason() const;
    void discardReply();

    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    QUrl m_url;
    QByteArray m_received;
    QString m_abortReason;
    qint64 m_maxBytes = kDefaultMaxBytes;
    int m_timeoutMs = kDefaultTimeoutMs;
};

} // namespace lookbook
