#pragma once

#include "AzureConfig.h"
#include "CancelToken.h"
#include "Result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>

#include <memory>
#include <vector>

namespace skydeck {
class HttpClient;
}

namespace skydeck::azure {

class TokenSource;

// An account's access tokens for Resource Manager, from its TokenSource (AzureTokenSource.h: a service
// principal's secret or certificate, the Azure CLI's signed-in user, the VM's managed identity). The
// token is cached and fetched anew before it expires (5 minutes before, or half its lifetime when that
// is shorter), so a long transfer or operation never meets an expired one, or when Resource Manager
// refused it (invalidate()). Concurrent callers share one fetch. Lives on the account's worker thread
// with its HttpClient; secrets and tokens are never logged.
class AzureCredentials : public QObject
{
    Q_OBJECT
public:
    AzureCredentials(ArmConfig config, HttpClient *http, QObject *parent = nullptr);
    ~AzureCredentials() override;

    // A valid access token (the cached one when it has time left).
    void token(const CancelToken &cancel, Callback<QByteArray> done);
    // Forgets `rejected` if it is the cached token (Resource Manager answered 401 with it).
    void invalidate(const QByteArray &rejected);

    int fetches() const { return m_fetches; }  // tokens fetched so far (tests)

private:
    struct Waiter;
    void fetch();
    void keep(const QByteArray &token, qint64 lifetimeMs);
    void answerAll(const Result<QByteArray> &r);

    ArmConfig m_config;
    std::unique_ptr<TokenSource> m_source;
    HttpClient *m_http;
    QByteArray m_token;
    QElapsedTimer m_age;        // since m_token was issued
    qint64 m_refreshAfterMs = 0;
    bool m_fetching = false;
    int m_fetches = 0;
    std::vector<std::shared_ptr<Waiter>> m_waiters;
    CancelToken m_fetchCancel;
};

} // namespace skydeck::azure
