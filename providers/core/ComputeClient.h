#pragma once

#include "CancelToken.h"
#include "ComputeTypes.h"
#include "Result.h"

#include <QObject>
#include <QStringList>

namespace skydeck {

// A provider's virtual machines (EC2, Compute Engine, Azure VMs) for one account. Lives on the
// account's ProviderWorker thread like StorageClient: every method is called on that thread and
// answers through its callback exactly once, on that thread, on every path (cancel included).
class ComputeClient : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~ComputeClient() override = default;

    virtual QString provider() const = 0;  // "aws", "gcp", "azure"

    // The scopes listInstances() is called with, one call each, in parallel: EC2 the enabled
    // regions (DescribeRegions), or just the account's region when it is pinned; Compute Engine
    // and Azure {"*"} (aggregatedList / the subscription's VM list cover every zone at once).
    virtual void listScopes(const CancelToken &token, Callback<QStringList> done) = 0;

    // One page of a scope's instances; pass the previous page's nextPageToken for the next one.
    virtual void listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                               Callback<InstancePage> done) = 0;

    // One instance's current state and addresses (for polling after an action).
    virtual void getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done) = 0;

    // Start, stop (Azure: deallocate), reboot or terminate (delete). Answers once the provider
    // accepted the request and, where it runs a long operation (Compute Engine zone operations,
    // Azure-AsyncOperation), once that operation ended: its error is the answer's error. The
    // state then moves on its own: poll getInstance() until it is stable.
    virtual void act(const Instance &instance, InstanceAction action, const CancelToken &token,
                     Callback<Done> done) = 0;

    // Creates an instance; answers with it as first described (usually Pending).
    virtual void launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done) = 0;
};

} // namespace skydeck
