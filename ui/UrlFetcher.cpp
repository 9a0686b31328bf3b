#include "UrlFetcher.h"

#include "AddressScope.h"

#include <QHostInfo>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

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

QString describe(AddressScope scope)
{
    switch (scope) {
    case AddressScope::ThisComputer:
        return UrlFetcher::tr("an address of this computer");
    case AddressScope::Unspecified:
        return UrlFetcher::tr("an address that names no host and reaches this computer");
    case AddressScope::OwnNetwork:
        return UrlFetcher::tr("an address on your own network");
    case AddressScope::LinkLocal:
        return UrlFetcher::tr("a link-local address on your own network");
    case AddressScope::Public:
        break;
    }
    return UrlFetcher::tr("an address on the web");
}

bool consentCovers(const HostConsent &consent, const QString &host, const QList<QHostAddress> &addresses)
{
    if (consent.host.isEmpty() || host.compare(consent.host, Qt::CaseInsensitive) != 0) return false;
    return std::all_of(addresses.begin(), addresses.end(),
                       [&consent](const QHostAddress &address) { return consent.addresses.contains(address); });
}

} // namespace

UrlFetcher::UrlFetcher(QObject *parent, int timeoutMs)
    : QObject(parent), m_network(new QNetworkAccessManager(this)), m_timeoutMs(timeoutMs)
{
    qRegisterMetaType<LocalAddressRefusal>();
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &UrlFetcher::onDeadline);
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
    return m_deadline.isActive(); // from fetch() until its answer or cancel()
}

void UrlFetcher::fetch(const QUrl &url, const HostConsent &consent)
{
    cancel();
    if (!isHttp(url)) {
        emit failed(url, tr("Only http(s) URLs can be fetched: %1").arg(shortUrl(url)));
        return;
    }
    m_url = url;
    m_hopUrl = url;
    m_redirects = 0;
    m_consent = consent;
    // Not setTransferTimeout: that only ends a transfer with no data for so long, and a
    // server sending a byte now and then would keep it open for ever.
    m_deadline.start(m_timeoutMs);
    vetHost(url, [this] { startRequest(); });
}

void UrlFetcher::vetHost(const QUrl &hop, std::function<void()> onAllowed)
{
    const QString host = hop.host();
    QHostAddress literal;
    if (literal.setAddress(host)) {
        vetAddresses(hop, {literal}, true, onAllowed);
        return;
    }
    // The name is resolved here and the connection resolves it again (from Qt's host cache,
    // normally), so what is checked is what is connected to.
    const quint64 generation = ++m_lookupGeneration;
    m_lookupId = QHostInfo::lookupHost(host, this, [this, hop, generation, onAllowed](const QHostInfo &info) {
        if (generation != m_lookupGeneration) return; // cancelled, or the fetch ended
        m_lookupId = -1;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            stopWith(tr("Could not download %1: the server %2 was not found").arg(shortUrl(m_url), hop.host()));
            return;
        }
        vetAddresses(hop, info.addresses(), false, onAllowed);
    });
}

void UrlFetcher::vetAddresses(const QUrl &hop, const QList<QHostAddress> &addresses, bool isLiteral,
                              const std::function<void()> &onAllowed)
{
    // Every address counts: the connection may use any of them.
    QList<QHostAddress> local;
    for (const QHostAddress &address : addresses) {
        if (addressScope(address) != AddressScope::Public) local.append(address);
    }
    if (local.isEmpty() || consentCovers(m_consent, hop.host(), local)) {
        onAllowed();
        return;
    }
    const LocalAddressRefusal refusal{hop.host(), local, localReason(hop, local.first(), isLiteral)};
    stopWith(refusal.reason, refusal);
}

QString UrlFetcher::localReason(const QUrl &hop, const QHostAddress &address, bool isLiteral) const
{
    const QString kind = describe(addressScope(address));
    const QString where = isLiteral ? tr("%1 is %2").arg(address.toString(), kind)
                                    : tr("%1 resolves to %2, %3").arg(hop.host(), address.toString(), kind);
    const QString why = tr("A link from the web should not reach this computer or your own network.");
    if (hop == m_url) return tr("Did not download %1: %2. %3").arg(shortUrl(m_url), where, why);
    return tr("Did not download %1: it redirects to %2, and %3. %4").arg(shortUrl(m_url), shortUrl(hop), where, why);
}

void UrlFetcher::startRequest()
{
    QNetworkRequest request(m_hopUrl);
    // Redirects are followed here (followRedirect), each after its host is vetted: Qt 6.4's
    // UserVerifiedRedirectPolicy loses the answer after a few hops.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Lookbook/" LOOKBOOK_VERSION));
    // Sites that serve an HTML page or an image depending on Accept give us the image.
    request.setRawHeader("Accept", "image/webp,image/png,image/jpeg,image/*;q=0.9,*/*;q=0.5");

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

void UrlFetcher::followRedirect()
{
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QVariant location = m_reply->attribute(QNetworkRequest::RedirectionTargetAttribute);
    const QUrl target = m_hopUrl.resolved(location.toUrl()); // Location may be relative
    releaseReply();
    if (!location.isValid()) {
        stopWith(tr("Could not download %1: the server answered %2 without the image").arg(shortUrl(m_url)).arg(status));
    } else if (m_hopUrl.scheme().toLower() == QLatin1String("https") && target.scheme().toLower() != QLatin1String("https")) {
        stopWith(tr("Could not download %1: it redirects to a less secure address").arg(shortUrl(m_url)));
    } else if (!isHttp(target)) {
        stopWith(tr("Could not download %1: it redirects to an address that is not http(s)").arg(shortUrl(m_url)));
    } else if (++m_redirects > kMaxRedirects) {
        stopWith(tr("Could not download %1: more than %2 redirects").arg(shortUrl(m_url)).arg(kMaxRedirects));
    } else {
        vetHost(target, [this, target] {
            m_hopUrl = target;
            startRequest();
        });
    }
}

void UrlFetcher::onDeadline()
{
    stopWith(deadlineReason());
}

void UrlFetcher::cancel()
{
    if (m_reply) {
        m_reply->disconnect(this); // so that abort() reports nothing
        m_reply->abort();
    }
    endFetch();
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

void UrlFetcher::stopWith(const QString &reason, const std::optional<LocalAddressRefusal> &refusal)
{
    if (m_reply) { // only the deadline stops a transfer from outside its handlers
        abortWith(reason);
        return;
    }
    const QUrl url = m_url;
    endFetch();
    if (refusal) emit localAddressRefused(url, *refusal);
    else emit failed(url, reason);
}

void UrlFetcher::stopLookup()
{
    if (m_lookupId != -1) QHostInfo::abortHostLookup(m_lookupId);
    m_lookupId = -1;
    ++m_lookupGeneration;
}

void UrlFetcher::onFinished()
{
    QString reason = m_abortReason;
    if (reason.isEmpty() && m_reply->error() != QNetworkReply::NoError) reason = errorReason();
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reason.isEmpty() && status >= kFirstHttpRedirectStatus && status < kFirstHttpErrorStatus) {
        followRedirect();
        return;
    }
    if (reason.isEmpty()) {
        m_received += m_reply->readAll();
        if (m_received.size() > m_maxBytes)
            reason = tooLargeReason();
        else if (m_received.isEmpty())
            reason = tr("Could not download %1: the server sent an empty file").arg(shortUrl(m_url));
    }

    const QUrl url = m_url;
    const QByteArray bytes = m_received;
    endFetch();
    // Last, so that a receiver may start another fetch from its slot.
    if (reason.isEmpty())
        emit fetched(url, bytes);
    else
        emit failed(url, reason);
}

void UrlFetcher::releaseReply()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
    }
    m_reply = nullptr;
    m_received.clear();
    m_abortReason.clear();
}

void UrlFetcher::endFetch()
{
    releaseReply();
    stopLookup();
    m_deadline.stop();
    m_consent = {};
}

QString UrlFetcher::tooLargeReason() const
{
    return tr("The image at %1 is larger than %2").arg(m_url.host(), formatSize(m_maxBytes));
}

QString UrlFetcher::deadlineReason() const
{
    const QString seconds = QLocale().toString(double(m_timeoutMs) / kMillisecondsPerSecond, 'g', kSignificantDigits);
    return tr("Could not download %1: it did not finish within %2 seconds").arg(shortUrl(m_url), seconds);
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
        case QNetworkReply::TimeoutError: // the socket's own timeout; the deadline is ours (deadlineReason)
            detail = tr("the server did not answer");
            break;
        case QNetworkReply::HostNotFoundError:
            detail = tr("the server %1 was not found").arg(m_hopUrl.host());
            break;
        case QNetworkReply::ConnectionRefusedError:
            detail = tr("%1 refused the connection").arg(m_hopUrl.host());
            break;
        case QNetworkReply::RemoteHostClosedError:
            detail = tr("the server closed the connection");
            break;
        default:
            detail = m_reply->errorString();
            break;
        }
    }
    return tr("Could not download %1: %2").arg(shortUrl(m_url), detail);
}

} // namespace lookbook
