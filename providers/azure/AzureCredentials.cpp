#include "AzureCredentials.h"

#include "AzureLogging.h"
#include "AzureTokenSource.h"
#include "HttpClient.h"

#include <QPointer>

namespace skydeck::azure {

namespace {
constexpr qint64 kRefreshMarginMs = 5 * 60 * 1000;
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
    : QObject(parent), m_config(std::move(config)), m_source(makeTokenSource(m_config)), m_http(http)
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
        m_source->rejected(m_token);
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
    if (const std::optional<IssuedToken> ready = m_source->ready()) {
        keep(ready->accessToken, ready->lifetimeMs);
        answerAll(m_token);
        return;
    }
    Result<HttpRequest> req = m_source->request();
    if (!req.ok()) {
        qCWarning(lcAzure).noquote() << req.error().toString();
        answerAll(req.error());
        return;
    }
    m_fetching = true;
    ++m_fetches;
    m_fetchCancel = CancelToken();
    qCDebug(lcAzure).noquote() << "fetching an access token for" << m_config.scope() << "as" << m_source->describe();
    m_http->send(req.takeValue(), m_fetchCancel, [this, guard = QPointer<AzureCredentials>(this)](Result<HttpResponse> r) {
        if (!guard)
            return;
        m_fetching = false;
        if (!r.ok()) {
            answerAll(r.error());
            return;
        }
        const HttpResponse &resp = r.value();
        if (!resp.isSuccess()) {
            const Error e = m_source->refused(resp);
            qCWarning(lcAzure).noquote() << e.toString();
            answerAll(e);
            return;
        }
        Result<IssuedToken> issued = m_source->accept(resp);
        if (!issued.ok()) {
            answerAll(issued.error());
            return;
        }
        keep(issued->accessToken, issued->lifetimeMs);
        answerAll(m_token);
    });
}

void AzureCredentials::keep(const QByteArray &token, qint64 lifetimeMs)
{
    m_token = token;
    m_age.start();
    m_refreshAfterMs = lifetimeMs - std::min(kRefreshMarginMs, lifetimeMs / 2);
    qCDebug(lcAzure) << "access token valid for" << lifetimeMs / 1000 << "s; renewed after" << m_refreshAfterMs / 1000 << "s";
}

void AzureCredentials::answerAll(const Result<QByteArray> &r)
{
    auto waiters = std::move(m_waiters);
    m_waiters.clear();
    for (const auto &w : waiters)
        w->answer(r);
}

} // namespace skydeck::azure
