#pragma once

#include "ListingGuard.h"
#include "ArmJson.h"
#include "AzureConfig.h"
#include "ComputeClient.h"
#include "HttpClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

#include <memory>
#include <optional>

namespace skydeck::azure {

class AzureCredentials;

// Azure virtual machines of one subscription through Azure Resource Manager, with the account's
// tokens (AzureCredentials). Lives on the account's worker thread (see ComputeClient).
//  - listScopes: {"*"}: one subscription-wide listing covers every region and zone.
//  - listInstances: Virtual Machines - List All with statusOnly=true (power states in one call),
//    paged through nextLink (the page token); the first page also lists every network interface
//    and public IP address of the subscription (once per refresh, not per VM) to join the addresses.
//  - getInstance: Get with $expand=instanceView, then the VM's primary NIC and its public IP. A VM
//    that is gone (404) answers its last description with state Terminated ("deleted").
//  - act: start, stop = deallocate (compute billing ends; "stopped" without deallocation, which
//    Azure keeps billing, shows as StoppedBilled), reboot = restart, terminate = delete; each
//    answered 202 and followed through Azure-AsyncOperation (else Location), honouring
//    Retry-After, until Succeeded or Failed/Canceled (whose error is the answer).
//  - launch (ArmClientLaunch.cpp): what `az vm create` does, each PUT followed through its
//    operation: the resource group (ArmConfig::resourceGroup, made in the VM's location if absent),
//    a virtual network per location (skydeck-LOCATION, reused when there), then for the VM a network
//    security group allowing SSH from LaunchRequest::sshFrom only (no rule when empty), a Standard
//    static public IP, a NIC and the VM itself (ArmLaunch.h has the documents); it answers with the
//    VM once its create operation ended, or that operation's error (the VM is then left in the
//    Failed state, listed, for the user to delete). An existing VM of that name is never touched.
// Every call carries a bearer token; a 401 (expired or revoked token) fetches a new one and tries
// once more. 429 with Retry-After and 5xx are retried by the HttpClient. nextLink and operation
// URLs must point at the configured Resource Manager host: the token is never sent elsewhere.
class ArmClient : public ComputeClient
{
    Q_OBJECT
public:
    static constexpr const char *kComputeApiVersion = "2024-07-01";
    static constexpr const char *kNetworkApiVersion = "2024-05-01";
    static constexpr const char *kResourcesApiVersion = "2021-04-01";

    explicit ArmClient(ArmConfig config, QObject *parent = nullptr);
    ~ArmClient() override;

    QString provider() const override { return QStringLiteral("azure"); }
    void listScopes(const CancelToken &token, Callback<QStringList> done) override;
    void listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                       Callback<InstancePage> done) override;
    void getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done) override;
    void act(const Instance &instance, InstanceAction action, const CancelToken &token, Callback<Done> done) override;
    void launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done) override;

    HttpClient *http() const { return m_http; }
    AzureCredentials *credentials() const { return m_credentials; }
    const ArmConfig &config() const { return m_config; }

Q_SIGNALS:
    // An async operation was polled and is still running; the next poll comes in `delayMs`.
    void operationPolled(const QString &what, int delayMs);

private:
    struct Poll;
    struct Launch;
    // One Resource Manager call with the bearer token; a 401 renews the token and tries once more.
    void send(const QByteArray &method, const QUrl &url, const QByteArray &body, const CancelToken &token,
              Callback<HttpResponse> done, bool renewed = false);
    // A resource by path, or nullopt when Resource Manager answers 404.
    void getOptional(const QString &path, const char *apiVersion, const CancelToken &token,
                     Callback<std::optional<QJsonObject>> done);
    // PUT a resource document, follow its operation to the end, then read the resource back.
    void putResource(const QString &path, const char *apiVersion, const QJsonObject &body, const QString &what,
                     const CancelToken &token, Callback<QJsonObject> done);
    void launchNetwork(const std::shared_ptr<Launch> &l);
    void launchVm(const std::shared_ptr<Launch> &l);
    void getJson(const QUrl &url, const CancelToken &token, Callback<QJsonObject> done);
    // Every page of a list (nextLink), under a ListingGuard: a repeated link or endless pages end it.
    void listAll(const QUrl &url, const CancelToken &token, std::shared_ptr<QJsonArray> items, Callback<QJsonArray> done,
                 std::shared_ptr<ListingGuard> guard = {});
    void loadNetwork(const CancelToken &token, Callback<ArmNetwork> done);
    void addressesOf(const QJsonObject &vm, const CancelToken &token, Callback<ArmNetwork> done);
    void followOperation(const HttpResponse &accepted, const QString &what, const CancelToken &token, Callback<Done> done);
    void poll(const std::shared_ptr<Poll> &p);

    QUrl armUrl(const QString &path, const char *apiVersion) const;
    Result<QUrl> trustedLink(const QString &link) const;  // same scheme, host and port as the endpoint

    ArmConfig m_config;
    HttpClient *m_http = nullptr;
    AzureCredentials *m_credentials = nullptr;
    ArmNetwork m_network;  // from the last refresh's first page
    bool m_haveNetwork = false;
};

} // namespace skydeck::azure
