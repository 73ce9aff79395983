#pragma once

#include "ComputeClient.h"
#include "GcpCredentials.h"
#include "HttpClient.h"

#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

namespace skydeck {
struct Account;
}

namespace skydeck::gcp {

struct GceConfig {
    QString project;
    QUrl endpoint;                 // ends with "/": https://compute.googleapis.com/compute/v1/
    int pageSize = 500;            // aggregatedList maxResults (Compute Engine allows 1..500)
    int operationPollMs = 250;     // first zoneOperations.get delay; grows 1.6x per poll
    int operationPollMaxMs = 5000;

    // From an Account's settings: project, computeEndpoint, pageSize, operationPollMs.
    static GceConfig fromAccount(const Account &account);
};

// Compute Engine v1 for one project (https://cloud.google.com/compute/docs/reference/rest/v1):
// instances.aggregatedList paged, instances.get, start/stop/reset/resume/delete followed through
// their zone operation (zoneOperations.get with growing delays) until DONE, instances.insert.
// Authorizes with a bearer token from GcpCredentials; a 401 drops the token and retries once
// with a fresh one. 429 and 403 rateLimitExceeded are retried by the HTTP layer with backoff.
class GceClient : public ComputeClient
{
    Q_OBJECT
public:
    GceClient(const Account &account, QObject *parent = nullptr);
    ~GceClient() override;

    QString provider() const override { return QStringLiteral("gcp"); }
    void listScopes(const CancelToken &token, Callback<QStringList> done) override;
    void listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                       Callback<InstancePage> done) override;
    // A deleted instance (404 notFound) answers as Terminated, so polling after Terminate ends.
    void getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done) override;
    // Start (resume for a SUSPENDED VM), Stop, Reboot (reset), Terminate (delete).
    void act(const Instance &instance, InstanceAction action, const CancelToken &token, Callback<Done> done) override;
    void launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done) override;

    GcpCredentials *credentials() const { return m_credentials; }
    HttpClient *http() const { return m_http; }
    const GceConfig &config() const { return m_config; }
    // Operations followed so far and zoneOperations.get calls they took (tests, status).
    int operationPolls() const { return m_operationPolls; }

private:
    // One authorized JSON call; `path` is relative to the endpoint ("projects/P/zones/Z/...").
    void call(const QByteArray &method, const QString &path, const QUrlQuery &query, const QJsonObject &body,
              const CancelToken &token, Callback<QJsonObject> done, bool retriedAuth = false);
    void followOperation(const QJsonObject &operation, int delayMs, const CancelToken &token,
                         Callback<QJsonObject> done);
    void fetchInstance(const QString &resource, const CancelToken &token, Callback<Instance> done);
    Error checkResource(const QString &resource) const;

    QString m_accountId;
    GceConfig m_config;
    Error m_configError;
    HttpClient *m_http = nullptr;
    GcpCredentials *m_credentials = nullptr;
    int m_operationPolls = 0;
};

} // namespace skydeck::gcp
