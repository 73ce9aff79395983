#include "AzureCredentials.h"

#include "AzureLogging.h"
#include "HttpClient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>

namespace skydeck::azure {

namespace {
constexpr qint64 kRefreshMarginMs = 5 * 60 * 1000;

// The identity platform's error document: {"error": "invalid_client", "error_description":
// "AADSTS7000215: Invalid client secret provided. ... Trace ID: ... Correlation ID: ...", ...}.
Error tokenError(const HttpResponse &resp)
{
    const QJsonObject o = QJsonDocument::fromJson(resp.body).object();
    QString code = o.value(QStringLiteral("error")).toString();
    QString message = o.value(QStringLiteral("error_description")).toString();
    if (const qsizetype trace = message.indexOf(QLatin1String(" Trace ID:")); trace > 0)
        message.truncate(trace);
    message = message.trimmed();
    if (code.isEmpty())
        code = QStringLiteral("HTTP%1").arg(resp.status);
    if (message.isEmpty())
        message = QStringLiteral("the token endpoint answered HTTP %1").arg(resp.status);
    const Error::Category cat = resp.status == 429 ? Error::Category::Throttled
        : resp.status >= 500                       ? Error::Category::Server
                                                   : Error::Category::Auth;
    return Error(cat, QStringLiteral("Azure sign-in failed: ") + message, code, resp.status);
}
} // namespace

struct AzureCredentials::Waiter {
    Callback<QByteArray> done;
    QMetaObject::Connection cancelConnection;
    bool answered = false;

    void answer(const Result<QByteArray> &r)
    {
        if (answered)
            return;
        answered = true;
        QObject::disconnect(cancelConnection);
        auto cb = std::move(done);
        cb(r);
    }
};

AzureCredentials::AzureCredentials(ArmConfig config, HttpClient *http, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_http(http)
{
}

AzureCredentials::~AzureCredentials()
{
    m_fetchCancel.cancel();
    answerAll(Error::cancelled());
}

void AzureCredentials::token(const CancelToken &cancel, Callback<QByteArray> done)
{
    if (cancel.isCanceled()) {
        done(Error::cancelled());
        return;
    }
    if (!m_token.isEmpty() && m_age.isValid() && m_age.elapsed() < m_refreshAfterMs) {
        done(m_token);
        return;
    }
    auto w = std::make_shared<Waiter>();
    w->done = std::move(done);
    std::weak_ptr<Waiter> weak = w;
    w->cancelConnection = cancel.onCancel(this, [this, weak] {
        if (auto live = weak.lock()) {
            std::erase(m_waiters, live);
            live->answer(Error::cancelled());
        }
    });
    m_waiters.push_back(w);
    if (!m_fetching)
        fetch();
}

void AzureCredentials::invalidate(const QByteArray &rejected)
{
    if (!m_token.isEmpty() && rejected == m_token) {
        qCInfo(lcAzure) << "Resource Manager refused the access token; fetching a new one";
        m_token.clear();
    }
}

void AzureCredentials::fetch()
{
    if (const QString problem = m_config.problem(); !problem.isEmpty()) {
        answerAll(Error(Error::Category::Auth, QStringLiteral("Azure account not usable: ") + problem,
                        QStringLiteral("InvalidConfiguration")));
        return;
    }
    m_fetching = true;
    ++m_fetches;
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("client_credentials"));
    form.addQueryItem(QStringLiteral("client_id"), m_config.clientId);
    form.addQueryItem(QStringLiteral("client_secret"), m_config.clientSecret);
    form.addQueryItem(QStringLiteral("scope"), m_config.scope());
    HttpRequest req;
    req.method = "POST";
    req.url = m_config.tokenUrl();
    req.setHeader("Content-Type", "application/x-www-form-urlencoded");
    req.setHeader("Accept", "application/json");
    // QUrlQuery leaves '+', '&' and '=' in values alone; the form encoding needs them escaped.
    QByteArray body;
    for (const auto &[k, v] : form.queryItems(QUrl::FullyDecoded)) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    }
    req.body = body;
    m_fetchCancel = CancelToken();
    qCDebug(lcAzure).noquote() << "fetching an access token for" << m_config.scope() << "as" << m_config.clientId;
    m_http->send(std::move(req), m_fetchCancel, [this, guard = QPointer<AzureCredentials>(this)](Result<HttpResponse> r) {
        if (!guard)
            return;
        m_fetching = false;
        if (!r.ok()) {
            answerAll(r.error());
            return;
        }
        const HttpResponse &resp = r.value();
        if (!resp.isSuccess()) {
            const Error e = tokenError(resp);
            qCWarning(lcAzure).noquote() << e.toString();
            answerAll(e);
            return;
        }
        const QJsonObject o = QJsonDocument::fromJson(resp.body).object();
        const QByteArray token = o.value(QStringLiteral("access_token")).toString().toUtf8();
        const qint64 lifetimeMs = qint64(o.value(QStringLiteral("expires_in")).toVariant().toLongLong()) * 1000;
        if (token.isEmpty() || lifetimeMs <= 0) {
            answerAll(Error(Error::Category::Server, QStringLiteral("Azure sign-in: the token endpoint's answer has no "
                                                                    "access_token/expires_in"),
                            QStringLiteral("MalformedTokenResponse"), resp.status));
            return;
        }
        m_token = token;
        m_age.start();
        m_refreshAfterMs = lifetimeMs - std::min(kRefreshMarginMs, lifetimeMs / 2);
        qCDebug(lcAzure) << "access token valid for" << lifetimeMs / 1000 << "s; renewed after" << m_refreshAfterMs / 1000
                         << "s";
        answerAll(m_token);
    });
}

void AzureCredentials::answerAll(const Result<QByteArray> &r)
{
    auto waiters = std::move(m_waiters);
    m_waiters.clear();
    for (const auto &w : waiters)
        w->answer(r);
}

} // namespace skydeck::azure
