#pragma once

#include "CancelToken.h"
#include "DataSink.h"
#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>
#include <utility>

class QNetworkAccessManager;

namespace skydeck {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpResponse;

struct HttpRequest {
    QByteArray method = "GET";
    QUrl url;
    HttpHeaders headers;
    QByteArray body;
    int timeoutMs = 60000;   // inactivity timeout: no byte moved for this long aborts the attempt
    bool idempotent = true;  // false: a network error after sending is not retried
    // Called before every attempt (a fresh date and signature each time); may change url/headers.
    std::function<void(HttpRequest &)> prepare;
    std::function<void(qint64 done, qint64 total)> uploadProgress;
    std::function<void(qint64 done, qint64 total)> downloadProgress;
    // Streams a 2xx response's body into the sink as it arrives (HttpResponse::body stays empty,
    // HttpResponse::streamed counts the bytes). acceptBody, when set, sees the 2xx status and
    // headers first; its error ends the request. Other statuses are buffered as usual.
    std::shared_ptr<DataSink> sink;
    std::function<Status(const HttpResponse &head)> acceptBody;
    // A buffered 2xx body larger than this ends the request with ResponseTooLarge, as soon as the
    // server declares or sends more (never read whole first). Error bodies (other statuses, also
    // of streamed requests) are capped at kMaxErrorBodyBytes. Set per kind of response.
    static constexpr qint64 kDefaultMaxBodyBytes = 32LL << 20;
    static constexpr qint64 kMaxErrorBodyBytes = 1LL << 20;
    qint64 maxBodyBytes = kDefaultMaxBodyBytes;

    void setHeader(const QByteArray &name, const QByteArray &value);  // replaces, case-insensitive
    QByteArray header(const QByteArray &name) const;                  // case-insensitive
    bool hasHeader(const QByteArray &name) const;
};

struct HttpResponse {
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    QUrl url;
    int attempts = 0;  // how many tries it took
    qint64 streamed = -1;  // bytes given to HttpRequest::sink (-1: the body was not streamed)

    QByteArray header(const QByteArray &name) const;  // case-insensitive, first match
    bool isSuccess() const { return status >= 200 && status < 300; }
};

struct RetryPolicy {
    int maxAttempts = 6;       // first try included
    int baseDelayMs = 100;     // doubles each retry, with jitter
    int maxDelayMs = 20000;
    int maxRetryAfterMs = 120000;  // a server's Retry-After is honoured up to this
};

// The one HTTP layer. Lives on a worker thread with its own QNetworkAccessManager. Retries
// retryable failures (connection reset/refused, timeouts, 408, 429, 5xx, or what the provider's
// classifier says, e.g. S3 SlowDown/RequestTimeout) with exponential backoff and jitter, honours
// Retry-After, follows no redirect by itself (providers re-sign), and never logs a secret.
//
// send() answers with the last HTTP response for any status (the provider maps error documents
// to Error); transport failures, cancellation and exhausted retries on a network error answer
// with an Error.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override;

    // Plain http:// to anything but loopback is refused (InsecureTransport) before a byte is sent:
    // every request carries credentials or a replayable signature. A user on a trusted network
    // opts in per account (setting allowInsecureHttp=true, the CLI's --allow-insecure-http) or for
    // the process (SKYDECK_ALLOW_INSECURE_HTTP=1).
    void setAllowInsecureHttp(bool allow) { m_allowInsecureHttp = allow; }
    bool allowsInsecureHttp() const { return m_allowInsecureHttp; }
    // The refusal for url, or no error: https, loopback (127.0.0.0/8, ::1, localhost) or allowed.
    static Error insecureTransport(const QUrl &url, bool allowed);

    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }
    RetryPolicy retryPolicy() const { return m_policy; }

    // Extra retry rule for complete responses (called for non-2xx only). The default already
    // retries 408, 429 and 5xx.
    void setRetryClassifier(std::function<bool(const HttpResponse &)> classifier);

    void send(HttpRequest request, const CancelToken &token, Callback<HttpResponse> done);

    QNetworkAccessManager *network() const { return m_nam; }

    // Delay before retry number `retry` (1-based), given the server's Retry-After in ms (or -1).
    int backoffDelayMs(int retry, int retryAfterMs) const;
    static int parseRetryAfterMs(const QByteArray &value);  // seconds or HTTP-date; -1 if absent/bad

    quint64 retryCount() const { return m_retries; }

Q_SIGNALS:
    void retrying(int attempt, int delayMs, const QString &reason);

private:
    struct Call;
    void startAttempt(const std::shared_ptr<Call> &call);
    void onFinished(const std::shared_ptr<Call> &call);
    void onReadyRead(const std::shared_ptr<Call> &call);
    bool bufferBody(const std::shared_ptr<Call> &call);
    void retryOrFinish(const std::shared_ptr<Call> &call, Result<HttpResponse> outcome, bool retryable,
                       int retryAfterMs, const QString &reason);

    QNetworkAccessManager *m_nam = nullptr;
    RetryPolicy m_policy;
    std::function<bool(const HttpResponse &)> m_classifier;
    quint64 m_retries = 0;
    bool m_allowInsecureHttp = false;
    std::vector<std::weak_ptr<Call>> m_calls;  // unfinished calls, answered Cancelled on destruction
    QByteArray m_sinkBuffer;                   // reused for streamed bodies (one thread)
};

} // namespace skydeck
