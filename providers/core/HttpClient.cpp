#include "HttpClient.h"

#include "Logging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

namespace skydeck {

namespace {
constexpr qint64 kStreamChunk = 256 * 1024;

bool sameName(const QByteArray &a, const QByteArray &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArray findHeader(const HttpHeaders &headers, const QByteArray &name)
{
    for (const auto &[k, v] : headers)
        if (sameName(k, name))
            return v;
    return {};
}

QString describe(const HttpRequest &r)
{
    return QString::fromLatin1(r.method) + QLatin1Char(' ')
        + redactSecrets(r.url.toDisplayString(QUrl::RemoveUserInfo));
}

// Network errors worth another try: the connection broke or never came up, or took too long.
bool isTransientNetworkError(QNetworkReply::NetworkError e)
{
    switch (e) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:  // the transfer timeout aborts this way
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProtocolFailure:
    case QNetworkReply::HostNotFoundError:  // a resolver hiccup; retries are bounded
        return true;
    default:
        return false;
    }
}
} // namespace

void HttpRequest::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &h : headers) {
        if (sameName(h.first, name)) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}

QByteArray HttpRequest::header(const QByteArray &name) const
{
    return findHeader(headers, name);
}

bool HttpRequest::hasHeader(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (sameName(h.first, name))
            return true;
    return false;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    return findHeader(headers, name);
}

struct HttpClient::Call {
    HttpRequest request;
    CancelToken token;
    Callback<HttpResponse> done;
    QPointer<QNetworkReply> reply;
    QMetaObject::Connection cancelConnection;
    QElapsedTimer clock;
    int attempt = 0;
    bool finished = false;
    // This attempt's streamed body (HttpRequest::sink).
    enum class Stream { Undecided, Yes, No } stream = Stream::Undecided;
    qint64 streamed = 0;
    Error sinkError;
    // This attempt's buffered body (no sink, or an error status), read as it arrives so that a
    // body over its cap is refused before it is all in memory.
    QByteArray buffer;
    bool tooLarge = false;

    void finish(Result<HttpResponse> r)
    {
        if (finished)
            return;
        finished = true;
        QObject::disconnect(cancelConnection);
        auto cb = std::move(done);
        cb(std::move(r));
    }
};

HttpClient::HttpClient(QObject *parent) : QObject(parent), m_nam(new QNetworkAccessManager(this))
{
    m_allowInsecureHttp = qEnvironmentVariable("SKYDECK_ALLOW_INSECURE_HTTP") == QLatin1String("1");
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

HttpClient::~HttpClient()
{
    // Every callback is called exactly once: calls still in flight or waiting to retry end Cancelled.
    const auto calls = std::move(m_calls);
    for (const auto &weak : calls) {
        if (auto c = weak.lock(); c && !c->finished) {
            if (c->reply)
                c->reply->disconnect(this);
            c->finish(Error(Error::Category::Cancelled, QStringLiteral("Cancelled: the connection was shut down")));
        }
    }
}

Error HttpClient::insecureTransport(const QUrl &url, bool allowed)
{
    if (allowed || url.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) != 0)
        return Error();
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
        || host.endsWith(QLatin1String(".localhost"), Qt::CaseInsensitive) || QHostAddress(host).isLoopback())
        return Error();
    Error e(Error::Category::InvalidInput,
            QStringLiteral("refused to send a request with credentials over plain http:// to %1: anyone on the way could "
                           "read it, and replay or change it. Use https://, or on a network you trust allow it for this "
                           "account (--allow-insecure-http, the account setting allowInsecureHttp, or "
                           "SKYDECK_ALLOW_INSECURE_HTTP=1)")
                .arg(host),
            QStringLiteral("InsecureTransport"));
    e.setRetryable(false);
    return e;
}

void HttpClient::setRetryClassifier(std::function<bool(const HttpResponse &)> classifier)
{
    m_classifier = std::move(classifier);
}

int HttpClient::parseRetryAfterMs(const QByteArray &value)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return -1;
    bool ok = false;
    const double seconds = v.toDouble(&ok);
    if (ok)  // "nan" reads as a number too: only 0..24 h converts (a NaN to int is undefined)
        return !(seconds >= 0) ? -1 : int(std::min(seconds * 1000.0, 24.0 * 3600 * 1000));
    // HTTP-date (RFC 9110 IMF-fixdate), e.g. "Sun, 06 Nov 1994 08:49:37 GMT"
    QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(v), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return -1;
    when.setTimeSpec(Qt::UTC);
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(when);
    return int(std::clamp<qint64>(ms, 0, 24LL * 3600 * 1000));
}

int HttpClient::backoffDelayMs(int retry, int retryAfterMs) const
{
    // Exponential backoff with "equal jitter": half the ceiling fixed, half random.
    const int shift = std::clamp(retry - 1, 0, 20);
    const qint64 ceiling = std::min<qint64>(m_policy.maxDelayMs, qint64(m_policy.baseDelayMs) << shift);
    const qint64 half = ceiling / 2;
    qint64 delay = half + (half > 0 ? QRandomGenerator::global()->bounded(half + 1) : 0);
    if (retryAfterMs >= 0)
        delay = std::max<qint64>(delay, std::min(retryAfterMs, m_policy.maxRetryAfterMs));
    return int(delay);
}

void HttpClient::send(HttpRequest request, const CancelToken &token, Callback<HttpResponse> done)
{
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->token = token;
    call->done = std::move(done);
    call->clock.start();
    std::erase_if(m_calls, [](const std::weak_ptr<Call> &w) {
        auto c = w.lock();
        return !c || c->finished;
    });
    m_calls.push_back(call);
    std::weak_ptr<Call> weak = call;
    call->cancelConnection = token.onCancel(this, [weak] {
        auto c = weak.lock();
        if (!c || c->finished)
            return;
        if (c->reply)
            c->reply->abort();  // onFinished sees the token and answers Cancelled
        else
            c->finish(Error::cancelled());
    });
    if (token.isCanceled()) {
        call->finish(Error::cancelled());
        return;
    }
    startAttempt(call);
}

void HttpClient::startAttempt(const std::shared_ptr<Call> &call)
{
    ++call->attempt;
    HttpRequest req = call->request;  // prepare() works on a copy: each attempt is signed afresh
    if (!req.body.isEmpty() && !req.hasHeader("Content-Type"))
        req.setHeader("Content-Type", "application/octet-stream");
    // Never let the network stack decompress: downloads must be the stored bytes.
    if (!req.hasHeader("Accept-Encoding"))
        req.setHeader("Accept-Encoding", "identity");
    if (req.prepare)
        req.prepare(req);
    if (const Error insecure = insecureTransport(req.url, m_allowInsecureHttp); insecure.isError()) {
        qCWarning(lcHttp).noquote() << "refused plain http to" << req.url.host();
        call->finish(Error(insecure).setContext(describe(req)));
        return;
    }

    QNetworkRequest nr(req.url);
    nr.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    nr.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    nr.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    nr.setTransferTimeout(req.timeoutMs);
    for (const auto &[k, v] : req.headers)
        nr.setRawHeader(k, v);

    QNetworkReply *reply = nullptr;
    const QByteArray &m = req.method;
    if (m == "GET")
        reply = m_nam->get(nr);
    else if (m == "HEAD")
        reply = m_nam->head(nr);
    else if (m == "PUT")
        reply = m_nam->put(nr, req.body);
    else if (m == "POST")
        reply = m_nam->post(nr, req.body);
    else if (m == "DELETE" && req.body.isEmpty())
        reply = m_nam->deleteResource(nr);
    else
        reply = m_nam->sendCustomRequest(nr, m, req.body);
    call->reply = reply;
    call->stream = Call::Stream::Undecided;
    call->streamed = 0;
    call->sinkError = Error();
    call->buffer.clear();
    call->tooLarge = false;

    // Bodies are read as they arrive, a piece at a time, so a cap is enforced before a huge body
    // sits in memory. The network thread then reads the socket in pieces of at most this size (one
    // piece in flight per reply): without a limit it reads all the socket holds, megabytes when
    // this thread falls behind, into a fresh allocation each time (page faults on every one).
    reply->setReadBufferSize(kStreamChunk);
    connect(reply, &QIODevice::readyRead, this, [this, call] { onReadyRead(call); });
    if (req.uploadProgress)
        connect(reply, &QNetworkReply::uploadProgress, this, [fn = req.uploadProgress](qint64 d, qint64 t) { fn(d, t); });
    if (req.downloadProgress)
        connect(reply, &QNetworkReply::downloadProgress, this, [fn = req.downloadProgress](qint64 d, qint64 t) { fn(d, t); });
    connect(reply, &QNetworkReply::finished, this, [this, call] { onFinished(call); });
    qCDebug(lcHttp).noquote() << "->" << describe(req) << "attempt" << call->attempt;
}

void HttpClient::onReadyRead(const std::shared_ptr<Call> &call)
{
    QNetworkReply *reply = call->reply;
    if (!reply || call->finished || call->sinkError.isError() || call->tooLarge)
        return;
    if (!call->request.sink || call->stream == Call::Stream::No) {
        bufferBody(call);
        return;
    }
    DataSink *sink = call->request.sink.get();
    if (call->stream == Call::Stream::Undecided) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300) {
            call->stream = Call::Stream::No;  // an error document: buffered (capped), read at the end
            bufferBody(call);
            return;
        }
        Status s = Done{};
        if (call->request.acceptBody) {
            HttpResponse head;
            head.status = status;
            head.url = reply->url();
            head.attempts = call->attempt;
            for (const auto &pair : reply->rawHeaderPairs())
                head.headers.append({pair.first, pair.second});
            s = call->request.acceptBody(head);
        }
        if (s.ok())
            s = sink->begin();
        if (!s.ok()) {
            call->sinkError = s.error();
            reply->abort();  // onFinished answers with sinkError
            return;
        }
        call->stream = Call::Stream::Yes;
    }
    if (m_sinkBuffer.size() < kStreamChunk)
        m_sinkBuffer.resize(kStreamChunk);
    while (reply->bytesAvailable() > 0) {
        const qint64 n = reply->read(m_sinkBuffer.data(), m_sinkBuffer.size());
        if (n <= 0)
            break;
        const Status s = sink->write(m_sinkBuffer.constData(), n);
        if (!s.ok()) {
            call->sinkError = s.error();
            reply->abort();
            return;
        }
        call->streamed += n;
    }
}

bool HttpClient::bufferBody(const std::shared_ptr<Call> &call)
{
    QNetworkReply *reply = call->reply;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 cap = (status >= 200 && status < 300) ? call->request.maxBodyBytes : HttpRequest::kMaxErrorBodyBytes;
    // A HEAD answer (and 204/304) has no body: its Content-Length is the object's, not this reply's.
    const bool bodiless = call->request.method == "HEAD" || status == 204 || status == 304;
    bool declared = false;
    const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&declared);
    if ((declared && !bodiless && length > cap) || call->buffer.size() + reply->bytesAvailable() > cap) {
        call->tooLarge = true;
        reply->abort();  // onFinished answers ResponseTooLarge
        return false;
    }
    call->buffer += reply->readAll();
    return true;
}

void HttpClient::onFinished(const std::shared_ptr<Call> &call)
{
    QNetworkReply *reply = call->reply;
    if (!reply)
        return;
    // What is left of a streamed body (a short one may come whole with finished).
    if (!call->finished && !call->sinkError.isError() && !call->tooLarge && reply->error() == QNetworkReply::NoError)
        onReadyRead(call);
    call->reply = nullptr;
    reply->deleteLater();
    if (call->finished)
        return;
    if (call->token.isCanceled()) {
        call->finish(Error::cancelled());
        return;
    }
    if (call->sinkError.isError()) {
        call->finish(call->sinkError);
        return;
    }
    if (call->tooLarge) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool success = status >= 200 && status < 300;
        const qint64 cap = success ? call->request.maxBodyBytes : HttpRequest::kMaxErrorBodyBytes;
        Error e(Error::Category::Server,
                QStringLiteral("The server's answer (HTTP %1) is larger than %2 bytes, more than a %3 can be; "
                               "it was not read")
                    .arg(status)
                    .arg(cap)
                    .arg(success ? QStringLiteral("response of this kind") : QStringLiteral("error document")),
                QStringLiteral("ResponseTooLarge"), status);
        e.setContext(describe(call->request));
        qCWarning(lcHttp).noquote() << "refused an oversized body:" << describe(call->request) << "HTTP" << status;
        call->finish(e);
        return;
    }

    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QNetworkReply::NetworkError netError = reply->error();
    const bool cutShort = netError == QNetworkReply::RemoteHostClosedError
        || netError == QNetworkReply::OperationCanceledError || netError == QNetworkReply::TimeoutError
        || netError == QNetworkReply::ProtocolFailure;
    if (!statusAttr.isValid() || statusAttr.toInt() == 0 || cutShort) {
        // No complete HTTP response: the connection failed, timed out or dropped mid-body.
        const bool timedOut = netError == QNetworkReply::OperationCanceledError
            || netError == QNetworkReply::TimeoutError;
        const QString what = timedOut
            ? QStringLiteral("timed out after %1 s without data").arg(call->request.timeoutMs / 1000.0)
            : reply->errorString();
        Error e(Error::Category::Network, redactSecrets(what), QStringLiteral("network"));
        const bool retryable = netError != QNetworkReply::SslHandshakeFailedError
            && isTransientNetworkError(netError)
            && (call->request.idempotent || netError == QNetworkReply::ConnectionRefusedError);
        e.setRetryable(retryable);
        retryOrFinish(call, e, retryable, -1, what);
        return;
    }

    HttpResponse resp;
    resp.status = statusAttr.toInt();
    resp.url = reply->url();
    resp.attempts = call->attempt;
    for (const auto &pair : reply->rawHeaderPairs())
        resp.headers.append({pair.first, pair.second});
    if (call->stream == Call::Stream::Yes)
        resp.streamed = call->streamed;
    else
        resp.body = std::move(call->buffer);

    qCDebug(lcHttp).noquote() << "<-" << resp.status << describe(call->request) << resp.body.size() << "bytes in"
                              << call->clock.elapsed() << "ms";
    if (resp.isSuccess() || resp.status < 400) {
        call->finish(std::move(resp));
        return;
    }
    const bool retryable = resp.status == 408 || resp.status == 429 || resp.status >= 500
        || (m_classifier && m_classifier(resp));
    const int retryAfter = parseRetryAfterMs(resp.header("Retry-After"));
    const QString reason = QStringLiteral("HTTP %1").arg(resp.status);
    retryOrFinish(call, std::move(resp), retryable, retryAfter, reason);
}

void HttpClient::retryOrFinish(const std::shared_ptr<Call> &call, Result<HttpResponse> outcome, bool retryable,
                               int retryAfterMs, const QString &reason)
{
    if (!retryable || call->attempt >= m_policy.maxAttempts || call->token.isCanceled()) {
        if (!outcome.ok()) {
            Error e = outcome.error();
            if (call->attempt > 1)
                e = Error(e.category(), e.message() + QStringLiteral(" (after %1 attempts)").arg(call->attempt), e.code(),
                          e.httpStatus()).setRetryable(e.isRetryable());
            e.setContext(describe(call->request));
            call->finish(e);
        } else {
            call->finish(std::move(outcome));
        }
        return;
    }
    const int delay = backoffDelayMs(call->attempt, retryAfterMs);
    ++m_retries;
    qCInfo(lcHttp).noquote() << "retrying" << describe(call->request) << "after" << reason << "in" << delay << "ms";
    Q_EMIT retrying(call->attempt + 1, delay, reason);
    // The timer's lambda keeps the call alive; a cancel while waiting finishes it (no reply in
    // flight), and the timer then finds it finished.
    // Precise: a coarse timer may fire up to 5% early, i.e. before the server's Retry-After.
    QTimer::singleShot(delay, Qt::PreciseTimer, this, [this, call] {
        if (!call->finished)
            startAttempt(call);
    });
}

} // namespace skydeck
