#include "UrlFetcher.h"

#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace lookbook {

namespace {

// Links can be kilobytes long (tracking parameters); messages show their two ends.
constexpr qsizetype kMaxUrlCharsInMessage = 120;
constexpr qsizetype kEllipsisChars = 1;
constexpr int kMillisecondsPerSecond = 1000;
constexpr int kFirstHttpErrorStatus = 400;
constexpr int kFirstHttpSuccessStatus = 200;
constexpr int kFirstHttpRedirectStatus = 300;
constexpr int kSignificantDigits = 3;

QString formatSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 0, QLocale::DataSizeTraditionalFormat);
}

QString shortUrl(const QUrl &url)
{
    const QString text = url.toDisplayString(); // never shows a password
    if (text.size() <= kMaxUrlCharsInMessage) return text;
    const qsizetype half = (kMaxUrlCharsInMessage - kEllipsisChars) / 2;
    return text.left(half) + u'…' + text.right(half);
}

bool isHttp(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && !url.host().isEmpty()
           && (scheme == QLatin1String("http") || scheme == QLatin1String("https"));
}

} // namespace

UrlFetcher::UrlFetcher(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this))
{
}

UrlFetcher::~UrlFetcher()
{
    cancel();
}

void UrlFetcher::setLimits(qint64 maxBytes, int timeoutMs)
{
    m_maxBytes = maxBytes;
    m_timeoutMs = timeoutMs;
}

bool UrlFetcher::isBusy() const
{
    return !m_reply.isNull();
}

void UrlFetcher::fetch(const QUrl &url)
{
    cancel();
    if (!isHttp(url)) {
        emit failed(url, tr("Only http(s) URLs can be fetched: %1").arg(shortUrl(url)));
        return;
    }

    QNetworkRequest request(url);
    // NoLessSafe: http→http, http→https and https→https only; never to file:, ftp: or down to http.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setMaximumRedirectsAllowed(kMaxRedirects);
    request.setTransferTimeout(m_timeoutMs);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Lookbook/" LOOKBOOK_VERSION));
    // Sites that serve an HTML page or an image depending on Accept give us the image.
    request.setRawHeader("Accept", "image/webp,image/png,image/jpeg,image/*;q=0.9,*/*;q=0.5");

    m_url = url;
    m_received.clear();
    m_abortReason.clear();
    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    // Each handler checks that the reply is still the current one: a cancelled reply can
    // still have queued signals.
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        if (reply == m_reply) onMetaDataChanged();
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] {
        if (reply == m_reply) onReadyRead();
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        if (reply == m_reply) onFinished();
    });
}

void UrlFetcher::cancel()
{
    if (!m_reply) return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
    m_received.clear();
    m_abortReason.clear();
}

void UrlFetcher::onMetaDataChanged()
{
    // Refuse a declared size before a single byte of the body is kept.
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_maxBytes) {
        abortWith(tooLargeReason());
        return;
    }
    // A link to a product page, not to its picture: say so rather than download the page
    // and let the decoder call it "not an image".
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString type = m_reply->header(QNetworkRequest::ContentTypeHeader).toString().toLower();
    if (status >= kFirstHttpSuccessStatus && status < kFirstHttpRedirectStatus
        && type.startsWith(QLatin1String("text/html"))) {
        abortWith(tr("Could not download %1: it is a web page, not an image").arg(shortUrl(m_url)));
    }
}

void UrlFetcher::onReadyRead()
{
    // Servers may omit or understate Content-Length; what arrives is counted too.
    m_received += m_reply->readAll();
    if (m_received.size() > m_maxBytes) abortWith(tooLargeReason());
}

void UrlFetcher::abortWith(const QString &reason)
{
    if (!m_abortReason.isEmpty()) return;
    m_abortReason = reason;
    // abort() emits finished(), where the reason is reported (now or from the event loop).
    m_reply->abort();
}

void UrlFetcher::onFinished()
{
    QString reason = m_abortReason;
    if (reason.isEmpty() && m_reply->error() != QNetworkReply::NoError) reason = errorReason();
    if (reason.isEmpty()) {
        m_received += m_reply->readAll();
        if (m_received.size() > m_maxBytes)
            reason = tooLargeReason();
        else if (m_received.isEmpty())
            reason = tr("Could not download %1: the server sent an empty file").arg(shortUrl(m_url));
    }

    const QUrl url = m_url;
    const QByteArray bytes = m_received;
    discardReply();
    // Last, so that a receiver may start another fetch from its slot.
    if (reason.isEmpty())
        emit fetched(url, bytes);
    else
        emit failed(url, reason);
}

void UrlFetcher::discardReply()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
    }
    m_reply = nullptr;
    m_received.clear();
    m_abortReason.clear();
}

QString UrlFetcher::tooLargeReason() const
{
    return tr("The image at %1 is larger than %2").arg(m_url.host(), formatSize(m_maxBytes));
}

QString UrlFetcher::errorReason() const
{
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString detail;
    if (status >= kFirstHttpErrorStatus) {
        const QString phrase = m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        detail = tr("the server answered %1 %2").arg(status).arg(phrase).trimmed();
    } else {
        switch (m_reply->error()) {
        case QNetworkReply::OperationCanceledError: // only the transfer timeout cancels without us
        case QNetworkReply::TimeoutError:
            detail = tr("no answer for %1 seconds")
                         .arg(QLocale().toString(double(m_timeoutMs) / kMillisecondsPerSecond, 'g',
                                                 kSignificantDigits));
            break;
        case QNetworkReply::HostNotFoundError:
            detail = tr("the server %1 was not found").arg(m_url.host());
            break;
        case QNetworkReply::ConnectionRefusedError:
            detail = tr("%1 refused the connection").arg(m_url.host());
            break;
        case QNetworkReply::RemoteHostClosedError:
            detail = tr("the server closed the connection");
            break;
        case QNetworkReply::TooManyRedirectsError:
            detail = tr("more than %1 redirects").arg(kMaxRedirects);
            break;
        case QNetworkReply::ProtocolUnknownError: // fetch() only starts http(s): a redirect went elsewhere
            detail = tr("it redirects to an address that is not http(s)");
            break;
        case QNetworkReply::InsecureRedirectError:
            detail = tr("it redirects to a less secure address");
            break;
        default:
            detail = m_reply->errorString();
            break;
        }
    }
    return tr("Could not download %1: %2").arg(shortUrl(m_url), detail);
}

} // namespace lookbook
