// ArmClient::launch: a VM and what it needs, as `az vm create` makes them (see ArmClient.h and
// ArmLaunch.h). Each step is a PUT followed through its operation; the first error ends the launch
// with that step named.
#include "ArmClient.h"

#include "ArmLaunch.h"
#include "AzureLogging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

namespace skydeck::azure {

namespace {

// An id Resource Manager gave back, used as a path on the configured endpoint only.
bool plausibleId(const QString &id)
{
    return id.startsWith(QLatin1String("/subscriptions/"), Qt::CaseInsensitive) && !id.contains(QLatin1Char('?'))
        && !id.contains(QLatin1Char('#')) && !id.contains(QLatin1String("/../")) && !id.contains(QLatin1String("/./"));
}

QString idOf(const QJsonObject &o)
{
    return o.value(QStringLiteral("id")).toString();
}

} // namespace

struct ArmClient::Launch {
    LaunchRequest request;
    QString location;
    QString group;
    QString groupPath;
    QString vmPath;
    QJsonObject image;
    QString subnetId;
    QString securityGroupId;
    QString publicIpId;
    QString nicId;
    CancelToken token;
    Callback<Instance> done;

    QString networkPath(const char *kind, const QString &name) const
    {
        return groupPath + QStringLiteral("/providers/Microsoft.Network/%1/%2").arg(QLatin1String(kind), name);
    }
    void fail(Error e, const QString &step)
    {
        e.setContext(QStringLiteral("launch %1 (%2)").arg(request.name, step));
        qCWarning(lcAzure).noquote() << e.toString();
        auto cb = std::move(done);
        cb(e);
    }
};

void ArmClient::getOptional(const QString &path, const char *apiVersion, const CancelToken &token,
                            Callback<std::optional<QJsonObject>> done)
{
    getJson(armUrl(path, apiVersion), token, [done = std::move(done)](Result<QJsonObject> r) {
        if (r.ok())
            return done(std::optional<QJsonObject>(r.value()));
        if (r.error().httpStatus() == 404)
            return done(std::optional<QJsonObject>());
        done(r.error());
    });
}

void ArmClient::putResource(const QString &path, const char *apiVersion, const QJsonObject &body, const QString &what,
                            const CancelToken &token, Callback<QJsonObject> done)
{
    qCInfo(lcAzure).noquote() << what;
    send("PUT", armUrl(path, apiVersion), QJsonDocument(body).toJson(QJsonDocument::Compact), token,
         [this, path, apiVersion, what, token, done = std::move(done)](Result<HttpResponse> r) mutable {
             if (!r.ok())
                 return done(r.error());
             const HttpResponse &resp = r.value();
             if (!resp.isSuccess())
                 return done(armError(resp.status, resp.body));
             // 200/201 (and 202) with Azure-AsyncOperation (or Location): follow it to its end, then
             // read the resource as it is now (its provisioningState, its assigned addresses).
             followOperation(resp, what, token, [this, path, apiVersion, token, done = std::move(done)](Result<Done> st) mutable {
                 if (!st.ok())
                     return done(st.error());
                 getJson(armUrl(path, apiVersion), token, std::move(done));
             });
         });
}

void ArmClient::launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done)
{
    auto l = std::make_shared<Launch>();
    l->request = request;
    l->token = token;
    l->done = std::move(done);
    l->location = request.region.trimmed().toLower().remove(QLatin1Char(' '));
    l->group = m_config.resourceGroup;
    auto refuse = [&l](const QString &why) {
        l->fail(Error(Error::Category::InvalidInput, why, QStringLiteral("InvalidParameter")), QStringLiteral("checking the request"));
    };
    if (const QString problem = m_config.problem(); !problem.isEmpty())
        return l->fail(Error(Error::Category::Auth, QStringLiteral("Azure account not usable: ") + problem,
                             QStringLiteral("InvalidConfiguration")),
                       QStringLiteral("checking the account"));
    if (const QString why = launchdoc::checkVmName(request.name); !why.isEmpty())
        return refuse(why);
    static const QRegularExpression locationRule(QStringLiteral("^[a-z][a-z0-9]{1,40}$"));
    if (!locationRule.match(l->location).hasMatch())
        return refuse(QStringLiteral("an Azure VM needs a location (eastus, westus2...), not '%1'").arg(request.region));
    static const QRegularExpression zoneRule(QStringLiteral("^[1-9]$"));
    if (!request.zone.isEmpty() && !zoneRule.match(request.zone).hasMatch())
        return refuse(QStringLiteral("an Azure availability zone is a number (1, 2, 3), not '%1'").arg(request.zone));
    static const QRegularExpression sizeRule(QStringLiteral("^[A-Za-z0-9_]+$"));
    if (!sizeRule.match(request.machineType).hasMatch())
        return refuse(QStringLiteral("an Azure VM needs a size (Standard_NC4as_T4_v3...), not '%1'").arg(request.machineType));
    static const QRegularExpression groupRule(QStringLiteral("^[-\\w._()]{1,89}[-\\w_()]$"));
    if (!groupRule.match(l->group).hasMatch())
        return refuse(QStringLiteral("'%1' is not a resource group name").arg(l->group));
    if (request.sshPublicKey.isEmpty())
        return refuse(QStringLiteral("an Azure Linux VM needs an SSH public key (password sign-in stays off)"));
    Result<QJsonObject> image = launchdoc::imageReference(request.image);
    if (!image.ok())
        return refuse(image.error().message());
    l->image = image.value();
    l->groupPath = QStringLiteral("/subscriptions/%1/resourceGroups/%2").arg(m_config.subscriptionId, l->group);
    l->vmPath = l->groupPath + QStringLiteral("/providers/Microsoft.Compute/virtualMachines/") + request.name;

    // A VM of that name already there is never updated: a PUT would change it.
    getOptional(l->vmPath, kComputeApiVersion, token, [this, l](Result<std::optional<QJsonObject>> vm) {
        if (!vm.ok())
            return l->fail(vm.error(), QStringLiteral("looking for an existing VM"));
        if (vm.value())
            return l->fail(Error(Error::Category::Conflict,
                                 QStringLiteral("a VM named %1 already exists in resource group %2").arg(l->request.name, l->group),
                                 QStringLiteral("VmExists")),
                           QStringLiteral("looking for an existing VM"));
        // The resource group: used as it is when there (whatever its location), made otherwise.
        getOptional(l->groupPath, kResourcesApiVersion, l->token, [this, l](Result<std::optional<QJsonObject>> group) {
            if (!group.ok())
                return l->fail(group.error(), QStringLiteral("resource group ") + l->group);
            if (group.value())
                return launchNetwork(l);
            putResource(l->groupPath, kResourcesApiVersion, launchdoc::resourceGroup(l->location),
                        QStringLiteral("create resource group %1 in %2").arg(l->group, l->location), l->token,
                        [this, l](Result<QJsonObject> made) {
                            if (!made.ok())
                                return l->fail(made.error(), QStringLiteral("resource group ") + l->group);
                            launchNetwork(l);
                        });
        });
    });
}

void ArmClient::launchNetwork(const std::shared_ptr<Launch> &l)
{
    // One virtual network per location, shared by the VMs Skydeck launches there; an existing one is
    // used as it is (its "default" subnet, else its first): a PUT would replace its subnets.
    const QString vnetName = QStringLiteral("skydeck-%1-vnet").arg(l->location);
    const QString vnetPath = l->networkPath("virtualNetworks", vnetName);
    auto withSubnet = [this, l, vnetName](const QJsonObject &vnet) {
        const QJsonArray subnets = vnet.value(QStringLiteral("properties")).toObject().value(QStringLiteral("subnets")).toArray();
        for (const QJsonValue &v : subnets)
            if (l->subnetId.isEmpty() || v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("default"))
                l->subnetId = idOf(v.toObject());
        if (!plausibleId(l->subnetId))
            return l->fail(Error(Error::Category::Conflict, QStringLiteral("virtual network %1 has no subnet").arg(vnetName),
                                 QStringLiteral("NoSubnet")),
                           QStringLiteral("virtual network ") + vnetName);
        // The VM's own security group, public address and network interface.
        const QString nsgName = l->request.name + QStringLiteral("-nsg");
        putResource(l->networkPath("networkSecurityGroups", nsgName), kNetworkApiVersion,
                    launchdoc::securityGroup(l->location, l->request.sshFrom),
                    l->request.sshFrom.isEmpty() ? QStringLiteral("create network security group %1 (no inbound SSH)").arg(nsgName)
                                                 : QStringLiteral("create network security group %1 (SSH from %2)").arg(nsgName, l->request.sshFrom),
                    l->token, [this, l, nsgName](Result<QJsonObject> nsg) {
                        if (!nsg.ok())
                            return l->fail(nsg.error(), QStringLiteral("network security group ") + nsgName);
                        l->securityGroupId = idOf(nsg.value());
                        const QString ipName = l->request.name + QStringLiteral("-ip");
                        putResource(l->networkPath("publicIPAddresses", ipName), kNetworkApiVersion,
                                    launchdoc::publicIp(l->location, l->request.zone),
                                    QStringLiteral("create public IP address ") + ipName, l->token,
                                    [this, l, ipName](Result<QJsonObject> ip) {
                                        if (!ip.ok())
                                            return l->fail(ip.error(), QStringLiteral("public IP address ") + ipName);
                                        l->publicIpId = idOf(ip.value());
                                        launchVm(l);
                                    });
                    });
    };
    getOptional(vnetPath, kNetworkApiVersion, l->token, [this, l, vnetPath, vnetName, withSubnet](Result<std::optional<QJsonObject>> vnet) {
        if (!vnet.ok())
            return l->fail(vnet.error(), QStringLiteral("virtual network ") + vnetName);
        if (vnet.value())
            return withSubnet(*vnet.value());
        putResource(vnetPath, kNetworkApiVersion, launchdoc::virtualNetwork(l->location),
                    QStringLiteral("create virtual network %1").arg(vnetName), l->token,
                    [l, vnetName, withSubnet](Result<QJsonObject> made) {
                        if (!made.ok())
                            return l->fail(made.error(), QStringLiteral("virtual network ") + vnetName);
                        withSubnet(made.value());
                    });
    });
}

void ArmClient::launchVm(const std::shared_ptr<Launch> &l)
{
    if (!plausibleId(l->securityGroupId) || !plausibleId(l->publicIpId))
        return l->fail(Error(Error::Category::Server, QStringLiteral("Resource Manager answered without a resource id"),
                             QStringLiteral("MalformedResponse")),
                       QStringLiteral("network"));
    const QString nicName = l->request.name + QStringLiteral("-nic");
    putResource(l->networkPath("networkInterfaces", nicName), kNetworkApiVersion,
                launchdoc::networkInterface(l->location, l->subnetId, l->publicIpId, l->securityGroupId),
                QStringLiteral("create network interface ") + nicName, l->token, [this, l, nicName](Result<QJsonObject> nic) {
                    if (!nic.ok())
                        return l->fail(nic.error(), QStringLiteral("network interface ") + nicName);
                    l->nicId = idOf(nic.value());
                    if (!plausibleId(l->nicId))
                        return l->fail(Error(Error::Category::Server, QStringLiteral("Resource Manager answered without a resource id"),
                                             QStringLiteral("MalformedResponse")),
                                       QStringLiteral("network interface ") + nicName);
                    const LaunchRequest &r = l->request;
                    putResource(l->vmPath, kComputeApiVersion, launchdoc::virtualMachine(r, l->location, l->nicId, l->image),
                                QStringLiteral("create VM %1 (%2%3 in %4)")
                                    .arg(r.name, r.machineType, r.spot ? QStringLiteral(", Spot") : QString(), l->location),
                                l->token, [this, l](Result<QJsonObject> vm) {
                                    if (!vm.ok()) {
                                        Error e = vm.error();
                                        // A create that failed in its operation leaves the VM, in the Failed state.
                                        if (e.httpStatus() == 0 && e.category() != Error::Category::Cancelled
                                            && e.category() != Error::Category::Network)
                                            e = Error(e.category(),
                                                      e.message()
                                                          + QStringLiteral(" (the VM is left in the Failed state: skydeck vm "
                                                                           "terminate %1 --yes deletes it with its disk, "
                                                                           "interface and address)")
                                                                .arg(l->request.name),
                                                      e.code());
                                        return l->fail(e, QStringLiteral("VM"));
                                    }
                                    Instance in;
                                    in.provider = QStringLiteral("azure");
                                    in.accountId = m_config.accountId;
                                    in.resource = idOf(vm.value()).isEmpty() ? l->vmPath : idOf(vm.value());
                                    in.name = l->request.name;
                                    getInstance(in, l->token, [l](Result<Instance> made) {
                                        if (!made.ok())
                                            return l->fail(made.error(), QStringLiteral("reading the new VM"));
                                        auto cb = std::move(l->done);
                                        cb(made.value());
                                    });
                                });
                });
}

} // namespace skydeck::azure
