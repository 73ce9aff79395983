#pragma once

#include "AwsCredentialSpec.h"
#include "ComputeClient.h"
#include "HttpClient.h"
#include "SigV4.h"

#include <QHash>
#include <QSet>
#include <QUrl>

#include <optional>

namespace skydeck {
struct Account;
}

namespace skydeck::aws {

struct Ec2Config {
    QUrl endpoint;  // empty: AWS (https://ec2.<region>.amazonaws.com); else every region goes here
    QString region = QStringLiteral("us-east-1");  // where DescribeRegions is asked, and launches go
    bool regionPinned = false;  // list only `region` instead of every enabled region
    Credentials credentials;  // static keys, unless credentialSource is set
    std::optional<CredentialSpec> credentialSource;  // a role, SSO, a process, ...: see S3Config
    bool allowInsecureHttp = false;  // Account::allowsInsecureHttp(): plain http off loopback
    QString accountId;          // Account::id, copied into every Instance
    int pageSize = 1000;        // DescribeInstances MaxResults (EC2 takes 5..1000)

    // From an Account's settings (region, ec2Endpoint, regionPinned = "true", accessKeyId,
    // credentials) and secrets (secretAccessKey, sessionToken).
    static Ec2Config fromAccount(const Account &account);
};

// EC2's Query API (Version 2016-11-15: POST, form-encoded, SigV4 service "ec2") as a ComputeClient,
// on the HTTP layer's retry/backoff (RequestLimitExceeded included). Lives on a ProviderWorker
// thread. GPUs come from DescribeInstanceTypes' GpuInfo, asked once per type and region; where the
// endpoint cannot answer it the instances keep an empty GpuInfo (the GUI fills it from the price
// catalog).
class CredentialProvider;

class Ec2Client : public ComputeClient
{
    Q_OBJECT
public:
    static constexpr const char *kApiVersion = "2016-11-15";

    explicit Ec2Client(const Ec2Config &config, QObject *parent = nullptr);
    ~Ec2Client() override;

    QString provider() const override { return QStringLiteral("aws"); }
    void listScopes(const CancelToken &token, Callback<QStringList> done) override;
    void listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                       Callback<InstancePage> done) override;
    void getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done) override;
    void act(const Instance &instance, InstanceAction action, const CancelToken &token, Callback<Done> done) override;
    void launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done) override;

    HttpClient *http() const { return m_http; }
    const Ec2Config &config() const { return m_config; }
    CredentialProvider *credentialProvider() const { return m_credentials; }  // nullptr: unsigned
    // Query API calls made (each may have taken several attempts: see http()->retryCount()).
    quint64 requestCount() const { return m_requests; }

    QUrl endpointFor(const QString &region) const;
    // One Query API call as it goes on the wire, signed with the config's static keys at `when`
    // (every attempt is re-signed).
    HttpRequest buildRequest(const QString &region, const QueryItems &params, const QDateTime &when) const;
    // "Action=...&Version=...": names and values RFC 3986-encoded (a space as '+'), in the given order.
    static QByteArray formBody(const QueryItems &params);
    static QString actionName(InstanceAction action);  // StartInstances, StopInstances, ...

private:
    // Sends one call; answers the 2xx body, or the error document mapped to an Error.
    void call(const QString &region, const QueryItems &params, const QString &context, const CancelToken &token,
              Callback<QByteArray> done, bool credentialsRenewed = false);
    void callWith(const Credentials &credentials, const QString &region, const QueryItems &params,
                  const QString &context, const CancelToken &token, Callback<QByteArray> done, bool credentialsRenewed);
    HttpRequest buildRequestWith(const Credentials &credentials, const QString &region, const QueryItems &params,
                                 const QDateTime &when) const;
    // Fills each instance's GPUs from the per-region type cache, asking DescribeInstanceTypes for the
    // types not in it yet.
    void fillGpus(const QString &region, QList<Instance> instances, const CancelToken &token,
                  Callback<QList<Instance>> done);
    void applyGpus(const QString &region, QList<Instance> &instances) const;
    void stamp(Instance &instance, const QString &region) const;
    void runInstance(const LaunchRequest &request, const QString &region, const QString &rootDevice,
                     const CancelToken &token, Callback<Instance> done);

    Ec2Config m_config;
    Error m_configError;
    HttpClient *m_http = nullptr;
    CredentialProvider *m_credentials = nullptr;  // a child; nullptr: unsigned requests
    quint64 m_requests = 0;
    QHash<QString, QHash<QString, GpuInfo>> m_gpuTypes;  // region -> instance type -> GPUs
    QSet<QString> m_gpuUnavailable;                     // regions whose endpoint refused DescribeInstanceTypes
};

} // namespace skydeck::aws
