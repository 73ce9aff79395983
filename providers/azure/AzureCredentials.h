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

// A service principal's access tokens for Resource Manager, from the Microsoft identity platform's
// client credentials flow (POST {authority}/{tenant}/oauth2/v2.0/token with grant_type
// client_credentials, client_id, client_secret and scope {audience}/.default). The token is cached
// and fetched anew before it expires (5 minutes before, or half its lifetime when that is shorter),
// or when Resource Manager refused it (invalidate()). Concurrent callers share one fetch. Lives on
// the account's worker thread with its HttpClient; the secret and the token are never logged.
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
    void answerAll(const Result<QByteArray> &r);

    ArmConfig m_config;
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
