// ArmClient against the arm peer (tests/servers/arm_server.py): listing joined with NICs and public
// IPs through nextLink pages, every action followed through its async operation to the final
// power state, a failed operation's error, 429 + Retry-After, an expired token renewed on 401, a
// token renewed before it expires, Location-only operations, a wrong secret; launching a Spot GPU VM
// with its resource group, virtual network, security group (SSH from one address, or none),
// public IP and NIC, all read back through Resource Manager, the VM deleted with its NIC and IP;
// a launch's refusals (bad input before any request, an existing name, a Gen1 image on a Gen2-only
// size) and a create that fails in its operation. Each test seeds its own subscription, so nothing
// depends on another test's VMs.
#include "AccountRegistry.h"
#include "ArmClient.h"
#include "AzureCredentials.h"
#include "AzureProvider.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QUrlQuery>
#include <QUuid>

#include <functional>

#include <memory>

using namespace skydeck;
using namespace skydeck::azure;

class TestArmIntegration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void listJoinsAddressesAcrossPages();
    void thousandVmsInPages();
    void everyActionReachesItsFinalState();
    void refusedActionIsAConflict();
    void failedOperationSurfacesItsError();
    void locationOnlyOperation();
    void throttlingHonoursRetryAfter();
    void expiredTokenIsRenewedTransparently();
    void tokenRenewedBeforeExpiry();
    void wrongSecretIsAnAuthError();
    void launchSpotGpuVmWithItsNetwork();
    void launchWithoutSshSourceOpensNoSsh();
    void launchRefusals();
    void launchFailingInItsOperation();
    void cancelWhileFollowingAnOperation();
    void nextLinkToAnotherHostIsRefused();
    void discoveredAccountThroughTheRegistry();

private:
    QJsonDocument control(const QString &path, const QJsonObject &body = {}, const QByteArray &method = "POST");
    QString seed(const QJsonArray &vms, QJsonObject extra = {});
    ArmConfig config(const QString &subscription) const;
    ArmClient *makeClient(const ArmConfig &cfg);
    QJsonArray requests(const QString &contains);
    // A Resource Manager GET as any client makes it (a token from the client-credentials endpoint).
    QJsonObject armGet(const QString &path, const QString &apiVersion, int *status = nullptr);
    Result<Instance> launch(const LaunchRequest &r)
    {
        return call<Instance>([r](ArmClient *c, const CancelToken &t, Callback<Instance> d) { c->launch(r, t, d); });
    }
    static LaunchRequest gpuRequest(const QString &name);

    template <typename T, typename F>
    QFuture<Result<T>> start(F f)
    {
        ArmClient *c = m_client;
        return m_worker->run<T>([c, f](const CancelToken &t, Callback<T> done) { f(c, t, std::move(done)); });
    }
    template <typename T, typename F>
    Result<T> call(F f)
    {
        return waitFor(start<T>(f));
    }
    QList<Instance> listAll(int *pages = nullptr);
    Instance find(const QList<Instance> &all, const QString &name);
    Result<Instance> get(const Instance &i)
    {
        return call<Instance>([i](ArmClient *c, const CancelToken &t, Callback<Instance> d) { c->getInstance(i, t, d); });
    }
    Status act(const Instance &i, InstanceAction a)
    {
        return call<Done>([i, a](ArmClient *c, const CancelToken &t, Callback<Done> d) { c->act(i, a, t, d); });
    }

    QString m_endpoint, m_control, m_tenant, m_clientId, m_secret;
    QNetworkAccessManager m_nam;
    std::unique_ptr<ProviderWorker> m_worker;
    ArmClient *m_client = nullptr;
};

QJsonDocument TestArmIntegration::control(const QString &path, const QJsonObject &body, const QByteArray &method)
{
    QNetworkRequest req(QUrl(m_control + path));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = method == "GET" ? m_nam.get(req) : m_nam.post(req, QJsonDocument(body).toJson());
    QSignalSpy spy(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        spy.wait(10000);
    const QByteArray data = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    if (status != 200)
        qWarning() << "control" << path << status << data;
    return QJsonDocument::fromJson(data);
}

QString TestArmIntegration::seed(const QJsonArray &vms, QJsonObject extra)
{
    const QString sub = QUuid::createUuid().toString(QUuid::WithoutBraces);
    extra.insert(QStringLiteral("subscription"), sub);
    extra.insert(QStringLiteral("vms"), vms);
    if (!extra.contains(QStringLiteral("transitionSeconds")))
        extra.insert(QStringLiteral("transitionSeconds"), 1.2);
    if (!extra.contains(QStringLiteral("retryAfter")))
        extra.insert(QStringLiteral("retryAfter"), 1);
    const QJsonObject r = control(QStringLiteral("/seed"), extra).object();
    return r.value(QStringLiteral("subscription")).toString();
}

QJsonArray TestArmIntegration::requests(const QString &contains)
{
    return control(QStringLiteral("/requests?contains=") + contains, {}, "GET").array();
}

QJsonObject TestArmIntegration::armGet(const QString &path, const QString &apiVersion, int *status)
{
    QNetworkRequest tokenReq(QUrl(m_endpoint + QStringLiteral("/%1/oauth2/v2.0/token").arg(m_tenant)));
    tokenReq.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("client_credentials"));
    form.addQueryItem(QStringLiteral("client_id"), m_clientId);
    form.addQueryItem(QStringLiteral("client_secret"), m_secret);
    form.addQueryItem(QStringLiteral("scope"), QStringLiteral("https://management.azure.com/.default"));
    QNetworkReply *t = m_nam.post(tokenReq, form.toString(QUrl::FullyEncoded).toUtf8());
    QSignalSpy tokenDone(t, &QNetworkReply::finished);
    if (!t->isFinished())
        tokenDone.wait(10000);
    const QString token = QJsonDocument::fromJson(t->readAll()).object().value(QStringLiteral("access_token")).toString();
    t->deleteLater();
    QNetworkRequest req(QUrl(m_endpoint + path + QStringLiteral("?api-version=") + apiVersion));
    req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QNetworkReply *reply = m_nam.get(req);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(10000);
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return o;
}

LaunchRequest TestArmIntegration::gpuRequest(const QString &name)
{
    LaunchRequest r;
    r.name = name;
    r.region = QStringLiteral("eastus");
    r.zone = QStringLiteral("2");
    r.machineType = QStringLiteral("Standard_NC24ads_A100_v4");
    r.image = QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest");
    r.diskGb = 256;
    r.spot = true;
    r.sshUser = QStringLiteral("ada");
    r.sshPublicKey = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZbq3Ryc2ZRv9yD8mYg8E7nF1yk3K1m8J5R2b0F7q1 ada@laptop");
    r.sshFrom = QStringLiteral("81.2.69.160/32");
    return r;
}

ArmConfig TestArmIntegration::config(const QString &subscription) const
{
    ArmConfig c;
    c.accountId = QStringLiteral("azure:test");
    c.tenantId = m_tenant;
    c.clientId = m_clientId;
    c.clientSecret = m_secret;
    c.subscriptionId = subscription;
    c.authorityHost = QUrl(m_endpoint);
    c.resourceManager = QUrl(m_endpoint);
    c.audience = QStringLiteral("https://management.azure.com");
    c.pollIntervalMs = 3000;  // the server always sends Retry-After; this would show if it were ignored
    return c;
}

ArmClient *TestArmIntegration::makeClient(const ArmConfig &cfg)
{
    QObject *ctx = m_worker->context();
    m_client = m_worker->create<ArmClient>([&] {
        auto *c = new ArmClient(cfg, ctx);
        RetryPolicy p;
        p.baseDelayMs = 50;
        c->http()->setRetryPolicy(p);
        return c;
    });
    return m_client;
}

QList<Instance> TestArmIntegration::listAll(int *pages)
{
    QList<Instance> all;
    QString token;
    int n = 0;
    do {
        Result<InstancePage> r = call<InstancePage>([token](ArmClient *c, const CancelToken &t, Callback<InstancePage> d) {
            c->listInstances(QStringLiteral("*"), token, t, d);
        });
        if (!r.ok()) {
            qWarning().noquote() << r.error().toString();
            return {};
        }
        all += r.value().instances;
        token = r.value().nextPageToken;
        ++n;
    } while (!token.isEmpty() && n < 100);
    if (pages)
        *pages = n;
    return all;
}

Instance TestArmIntegration::find(const QList<Instance> &all, const QString &name)
{
    for (const Instance &i : all)
        if (i.name == name)
            return i;
    return {};
}

void TestArmIntegration::initTestCase()
{
    SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_ARM_ENDPOINT");
    SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_ARM_CONTROL");
    SKYDECK_REQUIRE_PEER(m_tenant, "SKYDECK_TEST_ARM_TENANT");
    SKYDECK_REQUIRE_PEER(m_clientId, "SKYDECK_TEST_ARM_CLIENT_ID");
    SKYDECK_REQUIRE_PEER(m_secret, "SKYDECK_TEST_ARM_CLIENT_SECRET");
}

void TestArmIntegration::init()
{
    m_worker = std::make_unique<ProviderWorker>(QStringLiteral("azure-test"));
}

void TestArmIntegration::cleanup()
{
    m_worker.reset();  // deletes the client on its thread
    m_client = nullptr;
    if (!m_control.isEmpty())
        control(QStringLiteral("/config"), {{QStringLiteral("tokenLifetime"), 3599}});
}

static QJsonObject vmSpec(const QString &name, const QString &power, QJsonObject more = {})
{
    more.insert(QStringLiteral("name"), name);
    more.insert(QStringLiteral("power"), power);
    if (!more.contains(QStringLiteral("resourceGroup")))
        more.insert(QStringLiteral("resourceGroup"), QStringLiteral("Skydeck-RG"));
    return more;
}

void TestArmIntegration::listJoinsAddressesAcrossPages()
{
    QJsonArray vms;
    vms.append(vmSpec(QStringLiteral("gpu-a100"), QStringLiteral("running"),
                      {{QStringLiteral("location"), QStringLiteral("eastus")},
                       {QStringLiteral("zones"), QJsonArray{QStringLiteral("2")}},
                       {QStringLiteral("vmSize"), QStringLiteral("Standard_NC24ads_A100_v4")},
                       {QStringLiteral("priority"), QStringLiteral("Spot")},
                       {QStringLiteral("adminUsername"), QStringLiteral("researcher")},
                       {QStringLiteral("privateIp"), QStringLiteral("10.1.2.3")},
                       {QStringLiteral("publicIpAddress"), QStringLiteral("20.30.40.50")},
                       {QStringLiteral("tags"), QJsonObject{{QStringLiteral("team"), QStringLiteral("vision")}}}}));
    vms.append(vmSpec(QStringLiteral("t4-stopped"), QStringLiteral("stopped"),
                      {{QStringLiteral("location"), QStringLiteral("westeurope")},
                       {QStringLiteral("vmSize"), QStringLiteral("Standard_NC4as_T4_v3")}}));
    vms.append(vmSpec(QStringLiteral("v100-deallocated"), QStringLiteral("deallocated"),
                      {{QStringLiteral("vmSize"), QStringLiteral("Standard_NC6s_v3")},
                       {QStringLiteral("publicIpAllocation"), QStringLiteral("Dynamic")}}));
    vms.append(vmSpec(QStringLiteral("no-public-ip"), QStringLiteral("running"),
                      {{QStringLiteral("publicIp"), false}, {QStringLiteral("privateIp"), QStringLiteral("10.9.9.9")}}));
    for (int i = 0; i < 5; ++i)
        vms.append(vmSpec(QStringLiteral("filler-%1").arg(i), QStringLiteral("running"),
                          {{QStringLiteral("resourceGroup"), QStringLiteral("rg-%1").arg(i % 2)}}));
    const QString sub = seed(vms, {{QStringLiteral("pageSize"), 3}});
    QVERIFY(!sub.isEmpty());
    makeClient(config(sub));

    Result<QStringList> scopes = call<QStringList>([](ArmClient *c, const CancelToken &t, Callback<QStringList> d) {
        c->listScopes(t, d);
    });
    QVERIFY(scopes.ok());
    QCOMPARE(scopes.value(), QStringList{QStringLiteral("*")});

    int pages = 0;
    const QList<Instance> all = listAll(&pages);
    QCOMPARE(all.size(), 9);
    QCOMPARE(pages, 3);  // 3 + 3 + 3 through nextLink
    QSet<QString> keys;
    for (const Instance &i : all)
        keys.insert(i.key());
    QCOMPARE(keys.size(), 9);

    const Instance a100 = find(all, QStringLiteral("gpu-a100"));
    QCOMPARE(a100.provider, QStringLiteral("azure"));
    QCOMPARE(a100.accountId, QStringLiteral("azure:test"));
    QCOMPARE(a100.state, InstanceState::Running);
    QCOMPARE(a100.providerState, QStringLiteral("running"));
    QCOMPARE(a100.region, QStringLiteral("eastus"));
    QCOMPARE(a100.zone, QStringLiteral("2"));
    QCOMPARE(a100.machineType, QStringLiteral("Standard_NC24ads_A100_v4"));
    QCOMPARE(a100.gpu.count, 1);
    QCOMPARE(a100.gpu.model, QStringLiteral("A100 80GB"));
    QVERIFY(a100.spot);
    QCOMPARE(a100.sshUser, QStringLiteral("researcher"));
    QCOMPARE(a100.privateIp, QStringLiteral("10.1.2.3"));
    QCOMPARE(a100.publicIp, QStringLiteral("20.30.40.50"));
    QCOMPARE(a100.tags.value(QStringLiteral("team")), QStringLiteral("vision"));
    QVERIFY(a100.resource.endsWith(QLatin1String("/resourceGroups/Skydeck-RG/providers/Microsoft.Compute/virtualMachines/gpu-a100")));
    QVERIFY(!a100.id.isEmpty() && a100.id != a100.resource);  // the vmId GUID
    QVERIFY(a100.launched.isValid());
    QVERIFY(a100.launched < QDateTime::currentDateTimeUtc());

    const Instance t4 = find(all, QStringLiteral("t4-stopped"));
    QCOMPARE(t4.state, InstanceState::StoppedBilled);  // stopped, not deallocated: still billed
    QVERIFY(!t4.spot);
    QCOMPARE(t4.gpu.model, QStringLiteral("T4"));
    QVERIFY(!t4.launched.isValid());
    const Instance v100 = find(all, QStringLiteral("v100-deallocated"));
    QCOMPARE(v100.state, InstanceState::Stopped);
    QVERIFY(v100.publicIp.isEmpty());  // a dynamic address is released with the VM
    QVERIFY(!v100.privateIp.isEmpty());
    const Instance noPip = find(all, QStringLiteral("no-public-ip"));
    QCOMPARE(noPip.privateIp, QStringLiteral("10.9.9.9"));
    QVERIFY(noPip.publicIp.isEmpty());

    // NICs and public IPs were listed once for the refresh (their own pages), not once per VM or page.
    const QJsonArray log = requests(sub);
    int nicLists = 0, pipLists = 0, vmLists = 0, perVm = 0;
    for (const QJsonValue &v : log) {
        const QString path = v.toObject().value(QStringLiteral("path")).toString();
        if (path.contains(QLatin1String("/providers/Microsoft.Network/networkInterfaces?")))
            ++nicLists;
        else if (path.contains(QLatin1String("/providers/Microsoft.Network/publicIPAddresses?")))
            ++pipLists;
        else if (path.contains(QLatin1String("/providers/Microsoft.Compute/virtualMachines?")))
            ++vmLists;
        else if (path.contains(QLatin1String("/resourceGroups/")))
            ++perVm;
        QVERIFY2(!path.contains(QLatin1String("/providers/Microsoft.Compute/virtualMachines?"))
                     || path.contains(QLatin1String("statusOnly=true")),
                 qPrintable(path));
    }
    QCOMPARE(vmLists, 3);
    QCOMPARE(nicLists, 3);  // 9 NICs, 3 per page
    QCOMPARE(pipLists, 3);  // 8 public IPs: 3 + 3 + 2
    QCOMPARE(perVm, 0);
}

void TestArmIntegration::thousandVmsInPages()
{
    // 1,000 VMs over 10 regions in pages of 100 (NICs and public IPs likewise): all of them, once each.
    const QString sub = seed({}, {{QStringLiteral("count"), 1000}, {QStringLiteral("pageSize"), 100}});
    makeClient(config(sub));
    QElapsedTimer clock;
    clock.start();
    int pages = 0;
    const QList<Instance> all = listAll(&pages);
    const qint64 ms = clock.elapsed();
    QCOMPARE(all.size(), 1000);
    QCOMPARE(pages, 10);
    QSet<QString> keys, regions;
    int withPrivateIp = 0, running = 0, gpus = 0;
    for (const Instance &i : all) {
        keys.insert(i.key());
        regions.insert(i.region);
        withPrivateIp += !i.privateIp.isEmpty();
        running += i.state == InstanceState::Running;
        gpus += i.gpu.count > 0;
    }
    QCOMPARE(keys.size(), 1000);
    QCOMPARE(regions.size(), 10);
    QCOMPARE(withPrivateIp, 1000);
    QCOMPARE(running, 334);  // every third of the generated VMs
    QCOMPARE(gpus, 750);     // three of the four generated sizes are N-series
    qInfo() << "1,000 VMs in" << pages << "pages (NICs and IPs joined) in" << ms << "ms";
}

void TestArmIntegration::everyActionReachesItsFinalState()
{
    const QString sub = seed({vmSpec(QStringLiteral("nc6"), QStringLiteral("deallocated"),
                                     {{QStringLiteral("vmSize"), QStringLiteral("Standard_NC6s_v3")},
                                      {QStringLiteral("publicIpAllocation"), QStringLiteral("Dynamic")}})},
                             {{QStringLiteral("transitionSeconds"), 2.0}});  // room to see "starting" on a busy machine
    makeClient(config(sub));
    Instance vm = find(listAll(), QStringLiteral("nc6"));
    QCOMPARE(vm.state, InstanceState::Stopped);
    QVERIFY(vm.publicIp.isEmpty());

    // Start: the VM passes through "starting" while the operation runs, and is running when it ends.
    QElapsedTimer clock;
    clock.start();
    QFuture<Status> started = start<Done>([vm](ArmClient *c, const CancelToken &t, Callback<Done> d) {
        c->act(vm, InstanceAction::Start, t, d);
    });
    QTRY_VERIFY_WITH_TIMEOUT(!requests(sub + QStringLiteral("/resourceGroups/Skydeck-RG/providers/Microsoft.Compute/virtualMachines/nc6/start")).isEmpty(), 5000);
    Result<Instance> during = get(vm);
    QVERIFY(during.ok());
    QCOMPARE(during.value().state, InstanceState::Pending);
    QCOMPARE(during.value().providerState, QStringLiteral("starting"));
    Status s = waitFor(started);
    QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    const qint64 startMs = clock.elapsed();
    Result<Instance> after = get(vm);
    QVERIFY(after.ok());
    QCOMPARE(after.value().state, InstanceState::Running);
    QVERIFY(!after.value().publicIp.isEmpty());  // a new dynamic address
    QVERIFY(after.value().launched.isValid());
    QVERIFY(after.value().launched.secsTo(QDateTime::currentDateTimeUtc()) < 30);
    qInfo() << "start followed to Succeeded in" << startMs << "ms";

    // The operation was polled on Retry-After (1 s), not on the client's 3 s default, nor busily.
    const QJsonArray log = requests(sub);
    QList<double> polls;
    double postedAt = -1;
    for (const QJsonValue &v : log) {
        const QJsonObject o = v.toObject();
        const QString path = o.value(QStringLiteral("path")).toString();
        if (path.contains(QLatin1String("/nc6/start")))
            postedAt = o.value(QStringLiteral("time")).toDouble();
        else if (path.contains(QLatin1String("/operations/")) && postedAt >= 0)
            polls.append(o.value(QStringLiteral("time")).toDouble());
    }
    QVERIFY(postedAt >= 0);
    QVERIFY(!polls.isEmpty());
    QVERIFY2(polls.first() - postedAt >= 0.95, qPrintable(QString::number(polls.first() - postedAt)));
    QVERIFY2(polls.first() - postedAt < 2.5, qPrintable(QString::number(polls.first() - postedAt)));
    for (int i = 1; i < polls.size(); ++i)
        QVERIFY(polls[i] - polls[i - 1] >= 0.95);
    qInfo() << "first poll" << (polls.first() - postedAt) * 1000 << "ms after the POST; polls:" << polls.size();

    // Reboot: restart, back to running.
    s = act(vm, InstanceAction::Reboot);
    QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    QCOMPARE(get(vm).value().state, InstanceState::Running);

    // Stop = deallocate: Stopped (not StoppedBilled), the dynamic address released.
    s = act(vm, InstanceAction::Stop);
    QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    after = get(vm);
    QCOMPARE(after.value().state, InstanceState::Stopped);
    QCOMPARE(after.value().providerState, QStringLiteral("deallocated"));
    QVERIFY(after.value().publicIp.isEmpty());
    QVERIFY(!requests(sub + QStringLiteral("/resourceGroups/Skydeck-RG/providers/Microsoft.Compute/virtualMachines/nc6/deallocate")).isEmpty());

    // Terminate = delete: gone from the listing, getInstance says Terminated.
    s = act(vm, InstanceAction::Terminate);
    QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    after = get(vm);
    QVERIFY(after.ok());
    QCOMPARE(after.value().state, InstanceState::Terminated);
    QVERIFY(listAll().isEmpty());
}

void TestArmIntegration::refusedActionIsAConflict()
{
    const QString sub = seed({vmSpec(QStringLiteral("idle"), QStringLiteral("deallocated"))});
    makeClient(config(sub));
    const Instance vm = find(listAll(), QStringLiteral("idle"));
    const Status s = act(vm, InstanceAction::Reboot);  // restart of a deallocated VM
    QVERIFY(!s.ok());
    QCOMPARE(s.error().category(), Error::Category::Conflict);
    QCOMPARE(s.error().code(), QStringLiteral("OperationNotAllowed"));
    QCOMPARE(s.error().httpStatus(), 409);
    QVERIFY(s.error().toString().contains(QLatin1String("restart idle")));
}

void TestArmIntegration::failedOperationSurfacesItsError()
{
    const QString sub = seed({vmSpec(QStringLiteral("a100"), QStringLiteral("deallocated"))});
    makeClient(config(sub));
    const Instance vm = find(listAll(), QStringLiteral("a100"));
    control(QStringLiteral("/fail-next-operation"),
            {{QStringLiteral("subscription"), sub}, {QStringLiteral("code"), QStringLiteral("ZonalAllocationFailed")},
             {QStringLiteral("message"), QStringLiteral("Allocation failed. We do not have sufficient capacity for the "
                                                        "requested VM size in this zone.")}});
    const Status s = act(vm, InstanceAction::Start);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code(), QStringLiteral("ZonalAllocationFailed"));
    QVERIFY(s.error().message().contains(QLatin1String("sufficient capacity")));
    QVERIFY(s.error().toString().contains(QLatin1String("start a100")));
    qInfo().noquote() << "surfaced:" << s.error().toString();
    const Result<Instance> after = get(vm);
    QCOMPARE(after.value().state, InstanceState::Stopped);  // back where it was
    QVERIFY(after.value().providerState.contains(QLatin1String("failed")));
}

void TestArmIntegration::locationOnlyOperation()
{
    const QString sub = seed({vmSpec(QStringLiteral("loc"), QStringLiteral("running"))},
                             {{QStringLiteral("asyncHeader"), QStringLiteral("location")}});
    makeClient(config(sub));
    const Instance vm = find(listAll(), QStringLiteral("loc"));
    const Status s = act(vm, InstanceAction::Stop);
    QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    QCOMPARE(get(vm).value().state, InstanceState::Stopped);
    bool monitored = false;
    for (const QJsonValue &v : requests(sub))
        monitored |= v.toObject().value(QStringLiteral("path")).toString().contains(QLatin1String("monitor=true"));
    QVERIFY(monitored);
}

void TestArmIntegration::throttlingHonoursRetryAfter()
{
    const QString sub = seed({vmSpec(QStringLiteral("busy"), QStringLiteral("running"))});
    makeClient(config(sub));
    control(QStringLiteral("/throttle-next"), {{QStringLiteral("count"), 1}, {QStringLiteral("retryAfter"), 2},
                                               {QStringLiteral("pathContains"), QString(sub + QStringLiteral("/providers/Microsoft.Compute"))}});
    QSignalSpy retried(m_client->http(), &HttpClient::retrying);
    QElapsedTimer clock;
    clock.start();
    const QList<Instance> all = listAll();
    const qint64 ms = clock.elapsed();
    QCOMPARE(all.size(), 1);
    QCOMPARE(retried.size(), 1);
    QVERIFY2(retried.first().at(1).toInt() >= 2000, qPrintable(QString::number(retried.first().at(1).toInt())));
    QVERIFY2(ms >= 2000, qPrintable(QString::number(ms)));
    // On the server: the 429, then the same listing answered 200 at least Retry-After later.
    double throttledAt = -1, okAt = -1;
    for (const QJsonValue &v : requests(sub + QStringLiteral("/providers/Microsoft.Compute/virtualMachines?"))) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("status")).toInt() == 429)
            throttledAt = o.value(QStringLiteral("time")).toDouble();
        else if (o.value(QStringLiteral("status")).toInt() == 200 && throttledAt >= 0 && okAt < 0)
            okAt = o.value(QStringLiteral("time")).toDouble();
    }
    QVERIFY(throttledAt >= 0 && okAt >= 0);
    QVERIFY2(okAt - throttledAt >= 1.95, qPrintable(QString::number(okAt - throttledAt)));
    qInfo() << "429 with Retry-After: 2 -> retried after" << (okAt - throttledAt) * 1000 << "ms; listing took" << ms << "ms";
}

void TestArmIntegration::expiredTokenIsRenewedTransparently()
{
    const QString sub = seed({vmSpec(QStringLiteral("x"), QStringLiteral("running"))});
    makeClient(config(sub));
    QCOMPARE(listAll().size(), 1);
    QCOMPARE(m_client->credentials()->fetches(), 1);
    QCOMPARE(listAll().size(), 1);
    QCOMPARE(m_client->credentials()->fetches(), 1);  // cached
    control(QStringLiteral("/expire-tokens"));
    const Instance vm = find(listAll(), QStringLiteral("x"));  // 401 ExpiredAuthenticationToken, renewed, retried
    QCOMPARE(vm.state, InstanceState::Running);
    QCOMPARE(m_client->credentials()->fetches(), 2);
    int expired = 0;
    for (const QJsonValue &v : requests(sub))
        expired += v.toObject().value(QStringLiteral("status")).toInt() == 401;
    QVERIFY(expired >= 1);
    // An action after another expiry goes through too.
    control(QStringLiteral("/expire-tokens"));
    const Status s = act(vm, InstanceAction::Stop);
    QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    QCOMPARE(m_client->credentials()->fetches(), 3);
}

void TestArmIntegration::tokenRenewedBeforeExpiry()
{
    const QString sub = seed({vmSpec(QStringLiteral("y"), QStringLiteral("running"))});
    control(QStringLiteral("/config"), {{QStringLiteral("tokenLifetime"), 4}});
    makeClient(config(sub));
    QCOMPARE(listAll().size(), 1);
    QCOMPARE(m_client->credentials()->fetches(), 1);
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= 2200, 5000);  // past half the 4 s lifetime, before its end
    QCOMPARE(listAll().size(), 1);
    QCOMPARE(m_client->credentials()->fetches(), 2);  // renewed ahead of expiry ...
    for (const QJsonValue &v : requests(sub))         // ... so Resource Manager never refused one
        QVERIFY(v.toObject().value(QStringLiteral("status")).toInt() != 401);
}

void TestArmIntegration::wrongSecretIsAnAuthError()
{
    const QString sub = seed({});
    ArmConfig cfg = config(sub);
    cfg.clientSecret = QStringLiteral("not-the-secret-xyz");
    makeClient(cfg);
    const Result<InstancePage> r = call<InstancePage>([](ArmClient *c, const CancelToken &t, Callback<InstancePage> d) {
        c->listInstances(QStringLiteral("*"), {}, t, d);
    });
    QVERIFY(!r.ok());
    QCOMPARE(r.error().category(), Error::Category::Auth);
    QCOMPARE(r.error().code(), QStringLiteral("invalid_client"));
    QVERIFY(r.error().message().contains(QLatin1String("AADSTS7000215")));
    QVERIFY(!r.error().toString().contains(QLatin1String("not-the-secret-xyz")));
    QVERIFY(!r.error().message().contains(QLatin1String("Trace ID")));
}

void TestArmIntegration::launchSpotGpuVmWithItsNetwork()
{
    const QString sub = seed({}, {{QStringLiteral("transitionSeconds"), 1}});
    makeClient(config(sub));
    QElapsedTimer clock;
    clock.start();
    const Result<Instance> r = launch(gpuRequest(QStringLiteral("train-spot")));
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    // Answered once the create operation ended: running, with its addresses.
    QVERIFY2(clock.elapsed() >= 1000, "the VM's create operation was followed");
    QCOMPARE(r->state, InstanceState::Running);
    QCOMPARE(r->name, QStringLiteral("train-spot"));
    QCOMPARE(r->region, QStringLiteral("eastus"));
    QCOMPARE(r->zone, QStringLiteral("2"));
    QCOMPARE(r->machineType, QStringLiteral("Standard_NC24ads_A100_v4"));
    QVERIFY(r->spot);
    QCOMPARE(r->sshUser, QStringLiteral("ada"));
    QVERIFY2(!r->publicIp.isEmpty(), "the static public IP joined through the NIC");
    QCOMPARE(r->privateIp, QStringLiteral("10.0.0.4"));
    QCOMPARE(r->resource, QStringLiteral("/subscriptions/%1/resourceGroups/skydeck/providers/Microsoft.Compute/virtualMachines/train-spot").arg(sub));

    // What was made, read back as any client reads it.
    const QString group = QStringLiteral("/subscriptions/%1/resourceGroups/skydeck").arg(sub);
    int status = 0;
    QCOMPARE(armGet(group, QStringLiteral("2021-04-01"), &status).value(QStringLiteral("location")).toString(), QStringLiteral("eastus"));
    const QJsonObject nsg = armGet(group + QStringLiteral("/providers/Microsoft.Network/networkSecurityGroups/train-spot-nsg"),
                                   QStringLiteral("2024-05-01"));
    const QJsonArray rules = nsg.value(QStringLiteral("properties")).toObject().value(QStringLiteral("securityRules")).toArray();
    QCOMPARE(rules.size(), 1);
    const QJsonObject ssh = rules.first().toObject().value(QStringLiteral("properties")).toObject();
    QCOMPARE(ssh.value(QStringLiteral("sourceAddressPrefix")).toString(), QStringLiteral("81.2.69.160/32"));
    QCOMPARE(ssh.value(QStringLiteral("destinationPortRange")).toString(), QStringLiteral("22"));
    QCOMPARE(ssh.value(QStringLiteral("access")).toString(), QStringLiteral("Allow"));
    QCOMPARE(ssh.value(QStringLiteral("direction")).toString(), QStringLiteral("Inbound"));
    const QJsonObject vm = armGet(r->resource, QStringLiteral("2024-07-01"));
    const QJsonObject props = vm.value(QStringLiteral("properties")).toObject();
    QCOMPARE(props.value(QStringLiteral("priority")).toString(), QStringLiteral("Spot"));
    QCOMPARE(props.value(QStringLiteral("evictionPolicy")).toString(), QStringLiteral("Deallocate"));
    QCOMPARE(props.value(QStringLiteral("billingProfile")).toObject().value(QStringLiteral("maxPrice")).toInt(), -1);
    const QJsonObject linux = props.value(QStringLiteral("osProfile")).toObject().value(QStringLiteral("linuxConfiguration")).toObject();
    QVERIFY(linux.value(QStringLiteral("disablePasswordAuthentication")).toBool());
    const QJsonObject key = linux.value(QStringLiteral("ssh")).toObject().value(QStringLiteral("publicKeys")).toArray().first().toObject();
    QCOMPARE(key.value(QStringLiteral("keyData")).toString(), gpuRequest({}).sshPublicKey);
    QCOMPARE(key.value(QStringLiteral("path")).toString(), QStringLiteral("/home/ada/.ssh/authorized_keys"));
    QCOMPARE(props.value(QStringLiteral("storageProfile")).toObject().value(QStringLiteral("osDisk")).toObject()
                 .value(QStringLiteral("diskSizeGB")).toInt(), 256);

    // It is listed with its addresses; a second launch in the same location reuses the network.
    const Instance listed = find(listAll(), QStringLiteral("train-spot"));
    QCOMPARE(listed.publicIp, r->publicIp);
    LaunchRequest second = gpuRequest(QStringLiteral("second"));
    second.spot = false;
    second.zone.clear();
    second.machineType = QStringLiteral("Standard_NC4as_T4_v3");
    const Result<Instance> r2 = launch(second);
    QVERIFY2(r2.ok(), qPrintable(r2.error().toString()));
    QVERIFY(!r2->spot);
    QCOMPARE(r2->privateIp, QStringLiteral("10.0.0.5"));
    QCOMPARE(requests(sub + QStringLiteral("/resourceGroups/skydeck/providers/Microsoft.Network/virtualNetworks/skydeck-eastus-vnet"))
                 .size(), 2 + 1 + 1);  // GET (404), PUT, GET after the operation; then one GET for the second launch

    // Deleting the VM deletes its NIC and public IP (deleteOption Delete); the security group stays.
    QVERIFY(act(r.value(), InstanceAction::Terminate).ok());
    armGet(group + QStringLiteral("/providers/Microsoft.Network/networkInterfaces/train-spot-nic"), QStringLiteral("2024-05-01"), &status);
    QCOMPARE(status, 404);
    armGet(group + QStringLiteral("/providers/Microsoft.Network/publicIPAddresses/train-spot-ip"), QStringLiteral("2024-05-01"), &status);
    QCOMPARE(status, 404);
    armGet(group + QStringLiteral("/providers/Microsoft.Network/networkSecurityGroups/train-spot-nsg"), QStringLiteral("2024-05-01"), &status);
    QCOMPARE(status, 200);
}

void TestArmIntegration::launchWithoutSshSourceOpensNoSsh()
{
    const QString sub = seed({}, {{QStringLiteral("transitionSeconds"), 0.3}});
    makeClient(config(sub));
    LaunchRequest r = gpuRequest(QStringLiteral("closed"));
    r.sshFrom.clear();
    QVERIFY(launch(r).ok());
    const QJsonObject nsg = armGet(QStringLiteral("/subscriptions/%1/resourceGroups/skydeck/providers/Microsoft.Network/"
                                                  "networkSecurityGroups/closed-nsg").arg(sub),
                                   QStringLiteral("2024-05-01"));
    QVERIFY(nsg.value(QStringLiteral("properties")).toObject().value(QStringLiteral("securityRules")).toArray().isEmpty());
    // Azure's default rules deny inbound traffic from the internet.
    bool denyAll = false;
    for (const QJsonValue &v : nsg.value(QStringLiteral("properties")).toObject().value(QStringLiteral("defaultSecurityRules")).toArray())
        denyAll = denyAll || v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("DenyAllInBound");
    QVERIFY(denyAll);
}

void TestArmIntegration::launchRefusals()
{
    const QString sub = seed({vmSpec(QStringLiteral("taken"), QStringLiteral("running"), {{QStringLiteral("resourceGroup"), QStringLiteral("skydeck")}})},
                             {{QStringLiteral("transitionSeconds"), 0.3}});
    makeClient(config(sub));
    // Refused before anything is sent.
    struct Bad {
        const char *what;
        std::function<void(LaunchRequest &)> change;
        const char *mentions;
    };
    const QList<Bad> bad = {
        {"no key", [](LaunchRequest &r) { r.sshPublicKey.clear(); }, "needs an SSH public key"},
        {"bad name", [](LaunchRequest &r) { r.name = QStringLiteral("-bad-"); }, "is not an Azure VM name"},
        {"bad image", [](LaunchRequest &r) { r.image = QStringLiteral("ubuntu"); }, "publisher:offer:sku:version"},
        {"no location", [](LaunchRequest &r) { r.region.clear(); }, "needs a location"},
        {"zone letter", [](LaunchRequest &r) { r.zone = QStringLiteral("eastus-1a"); }, "availability zone is a number"},
    };
    const int before = int(requests(sub).size());
    for (const Bad &b : bad) {
        LaunchRequest r = gpuRequest(QStringLiteral("refused"));
        b.change(r);
        const Result<Instance> res = launch(r);
        QVERIFY2(!res.ok() && res.error().category() == Error::Category::InvalidInput, b.what);
        QVERIFY2(res.error().message().contains(QLatin1String(b.mentions)), qPrintable(res.error().toString()));
    }
    QCOMPARE(int(requests(sub).size()), before);

    // A VM of that name exists: refused, never updated.
    Result<Instance> res = launch(gpuRequest(QStringLiteral("taken")));
    QVERIFY(!res.ok());
    QCOMPARE(res.error().code(), QStringLiteral("VmExists"));
    QCOMPARE(res.error().category(), Error::Category::Conflict);
    for (const QJsonValue &v : requests(QStringLiteral("/virtualMachines/taken")))
        QCOMPARE(v.toObject().value(QStringLiteral("method")).toString(), QStringLiteral("GET"));

    // Azure's own refusal, shown as it says it: a Gen1 image on a size that boots Gen2 only.
    LaunchRequest gen1 = gpuRequest(QStringLiteral("gen1"));
    gen1.image = QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts:latest");
    res = launch(gen1);
    QVERIFY(!res.ok());
    QCOMPARE(res.error().code(), QStringLiteral("BadRequest"));
    QVERIFY2(res.error().message().contains(QLatin1String("cannot boot Hypervisor Generation '1'")), qPrintable(res.error().toString()));
    QVERIFY2(res.error().toString().contains(QLatin1String("launch gen1 (VM)")), qPrintable(res.error().toString()));
}

void TestArmIntegration::launchFailingInItsOperation()
{
    const QString sub = seed({}, {{QStringLiteral("transitionSeconds"), 0.5}});
    makeClient(config(sub));
    control(QStringLiteral("/fail-next-operation"),
            {{QStringLiteral("subscription"), sub}, {QStringLiteral("code"), QStringLiteral("ZonalAllocationFailed")},
             {QStringLiteral("message"), QStringLiteral("Allocation failed. We do not have sufficient capacity for the "
                                                        "requested VM size in this zone.")}});
    const Result<Instance> r = launch(gpuRequest(QStringLiteral("no-capacity")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code(), QStringLiteral("ZonalAllocationFailed"));
    QVERIFY2(r.error().message().contains(QLatin1String("sufficient capacity")), qPrintable(r.error().toString()));
    QVERIFY2(r.error().message().contains(QLatin1String("left in the Failed state")), qPrintable(r.error().toString()));
    // The VM is there, failed, and can be deleted like any other.
    const Instance failed = find(listAll(), QStringLiteral("no-capacity"));
    QVERIFY(!failed.resource.isEmpty());
    QVERIFY2(failed.providerState.contains(QLatin1String("failed")), qPrintable(failed.providerState));
    QVERIFY(act(failed, InstanceAction::Terminate).ok());
    QVERIFY(find(listAll(), QStringLiteral("no-capacity")).resource.isEmpty());
}

void TestArmIntegration::cancelWhileFollowingAnOperation()
{
    const QString sub = seed({vmSpec(QStringLiteral("slow"), QStringLiteral("running"))},
                             {{QStringLiteral("transitionSeconds"), 30}, {QStringLiteral("retryAfter"), 10}});
    makeClient(config(sub));
    const Instance vm = find(listAll(), QStringLiteral("slow"));
    QFuture<Status> f = start<Done>([vm](ArmClient *c, const CancelToken &t, Callback<Done> d) {
        c->act(vm, InstanceAction::Stop, t, d);
    });
    QTRY_VERIFY_WITH_TIMEOUT(!requests(sub + QStringLiteral("/resourceGroups/Skydeck-RG/providers/Microsoft.Compute/virtualMachines/slow/deallocate")).isEmpty(), 5000);
    QElapsedTimer clock;
    clock.start();
    f.cancel();  // while waiting out the operation's Retry-After of 10 s
    const Status s = waitFor(f);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().category(), Error::Category::Cancelled);
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(get(vm).value().state, InstanceState::Stopping);  // Azure goes on deallocating
}

void TestArmIntegration::nextLinkToAnotherHostIsRefused()
{
    // A listing whose nextLink points elsewhere: the bearer token must not follow it.
    QJsonArray vms;
    for (int i = 0; i < 3; ++i)
        vms.append(vmSpec(QStringLiteral("vm-%1").arg(i), QStringLiteral("running")));
    const QString sub = seed(vms, {{QStringLiteral("pageSize"), 2},
                                   {QStringLiteral("nextLinkBase"), QStringLiteral("http://127.0.0.2:9")}});
    makeClient(config(sub));
    const Result<InstancePage> first = call<InstancePage>([](ArmClient *c, const CancelToken &t, Callback<InstancePage> d) {
        c->listInstances(QStringLiteral("*"), {}, t, d);
    });
    QVERIFY2(first.ok(), qPrintable(first.error().toString()));  // the NICs' foreign nextLink: no addresses, no error
    QCOMPARE(first.value().instances.size(), 2);
    QVERIFY(first.value().instances.first().privateIp.isEmpty());
    const QString foreign = first.value().nextPageToken;
    QVERIFY(foreign.startsWith(QLatin1String("http://127.0.0.2:9/")));
    const Result<InstancePage> next = call<InstancePage>([foreign](ArmClient *c, const CancelToken &t, Callback<InstancePage> d) {
        c->listInstances(QStringLiteral("*"), foreign, t, d);
    });
    QVERIFY(!next.ok());
    QCOMPARE(next.error().code(), QStringLiteral("UntrustedLink"));
}

void TestArmIntegration::discoveredAccountThroughTheRegistry()
{
    // The account as a user's environment gives it, through the registry's "azure" factory.
    QString subscription;
    SKYDECK_REQUIRE_PEER(subscription, "SKYDECK_TEST_ARM_SUBSCRIPTION");
    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_TENANT_ID"), m_tenant);
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), m_clientId);
    env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), m_secret);
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), subscription);
    env.insert(QStringLiteral("AZURE_AUTHORITY_HOST"), m_endpoint);
    env.insert(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), m_endpoint);
    const QList<Account> found = discoverAccounts(env, QDir::tempPath());
    QCOMPARE(found.size(), 1);
    azure::registerProviders();
    QVERIFY(AccountRegistry::hasCompute(QStringLiteral("azure")));
    AccountRegistry registry;
    registry.addAccount(found.first());
    ComputeClient *client = registry.compute(found.first().id);
    QVERIFY(client);
    QCOMPARE(client->provider(), QStringLiteral("azure"));
    const Result<InstancePage> page = waitFor(registry.worker(found.first().id)->run<InstancePage>(
        [client](const CancelToken &t, Callback<InstancePage> d) { client->listInstances(QStringLiteral("*"), {}, t, d); }));
    QVERIFY2(page.ok(), qPrintable(page.error().toString()));
    QVERIFY(page.value().instances.size() >= 4);  // the peer's demo VMs
    bool a100 = false;
    for (const Instance &i : page.value().instances) {
        QCOMPARE(i.accountId, QStringLiteral("azure:env"));
        if (i.name == QLatin1String("train-a100"))
            a100 = i.gpu.count == 1 && !i.publicIp.isEmpty();
    }
    QVERIFY(a100);
}

SKYDECK_TEST_MAIN(TestArmIntegration)
#include "tst_arm_integration.moc"
