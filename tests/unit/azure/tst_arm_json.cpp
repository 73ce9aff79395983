// Resource Manager documents as Skydeck reads them: a VM with its instance view (shaped like the
// examples of learn.microsoft.com/rest/api/compute/virtual-machines/get), power states, NIC and
// public IP joins with ids in another case, error documents, async operation errors; account
// discovery from the environment and the Azure CLI's azureProfile.json (and its default resource
// group); config checks; the documents a launch PUTs (ArmLaunch.h).
#include "ArmJson.h"
#include "ArmLaunch.h"
#include "AzureConfig.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::azure;

class TestArmJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void vmWithInstanceView();
    void powerStates_data();
    void powerStates();
    void provisioningTimeHasSevenDigits();
    void networkJoinIgnoresCase();
    void errorDocuments();
    void operationErrors();
    void gpuSizes();
    void discoverFromEnvironment();
    void discoverSubscriptionFromAzureCli();
    void discoverSovereignCloud();
    void noSecretNoAccount();
    void configProblems();
    void launchDocuments();
    void launchImagesAndNames();
};

static QJsonObject json(const char *text)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(QByteArray(text), &e);
    if (e.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(e.errorString()));
    return d.object();
}

static const char *kVm = R"({
  "name": "myVM",
  "id": "/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM",
  "type": "Microsoft.Compute/virtualMachines",
  "location": "westus",
  "zones": ["3"],
  "tags": {"env": "dev"},
  "properties": {
    "vmId": "0f47b100-583c-48e3-a4c0-aefc2c9bbcc1",
    "priority": "Spot",
    "evictionPolicy": "Deallocate",
    "hardwareProfile": {"vmSize": "Standard_NC6s_v3"},
    "storageProfile": {"imageReference": {"publisher": "microsoft-dsvm", "offer": "ubuntu-hpc", "sku": "2204", "version": "latest"}},
    "osProfile": {"computerName": "myVM", "adminUsername": "azureuser"},
    "networkProfile": {"networkInterfaces": [
      {"id": "/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Network/networkInterfaces/other", "properties": {"primary": false}},
      {"id": "/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Network/networkInterfaces/myNIC", "properties": {"primary": true}}]},
    "provisioningState": "Succeeded",
    "instanceView": {
      "statuses": [
        {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded", "time": "2024-03-20T09:49:32.0418716+00:00"},
        {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"}]
    }
  }
})";

void TestArmJson::vmWithInstanceView()
{
    ArmNetwork net;
    net.addNetworkInterface(json(R"({"id": "/subscriptions/{SUB}/resourceGroups/MYRESOURCEGROUP/providers/Microsoft.Network/networkInterfaces/MYNIC",
        "properties": {"ipConfigurations": [
          {"name": "secondary", "properties": {"privateIPAddress": "10.0.0.9", "primary": false}},
          {"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.0.4", "primary": true,
            "publicIPAddress": {"id": "/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Network/publicIPAddresses/myIP"}}}]}})"));
    net.addPublicIp(json(R"({"id": "/subscriptions/{sub}/resourcegroups/myresourcegroup/providers/Microsoft.Network/publicIPAddresses/myip",
        "properties": {"ipAddress": "52.1.2.3", "publicIPAllocationMethod": "Static"}})"));
    const Instance in = instanceFromVm(json(kVm), QStringLiteral("azure:env"), net);
    QCOMPARE(in.provider, QStringLiteral("azure"));
    QCOMPARE(in.accountId, QStringLiteral("azure:env"));
    QCOMPARE(in.name, QStringLiteral("myVM"));
    QCOMPARE(in.id, QStringLiteral("0f47b100-583c-48e3-a4c0-aefc2c9bbcc1"));
    QVERIFY(in.resource.endsWith(QLatin1String("/virtualMachines/myVM")));
    QCOMPARE(in.region, QStringLiteral("westus"));
    QCOMPARE(in.zone, QStringLiteral("3"));
    QCOMPARE(in.state, InstanceState::Running);
    QCOMPARE(in.providerState, QStringLiteral("running"));
    QCOMPARE(in.machineType, QStringLiteral("Standard_NC6s_v3"));
    QCOMPARE(in.gpu.count, 1);
    QCOMPARE(in.gpu.model, QStringLiteral("V100"));
    QVERIFY(in.spot);
    QCOMPARE(in.sshUser, QStringLiteral("azureuser"));
    QCOMPARE(in.image, QStringLiteral("microsoft-dsvm:ubuntu-hpc:2204:latest"));
    QCOMPARE(in.tags.value(QStringLiteral("env")), QStringLiteral("dev"));
    QCOMPARE(in.privateIp, QStringLiteral("10.0.0.4"));  // the primary NIC's primary ipConfiguration
    QCOMPARE(in.publicIp, QStringLiteral("52.1.2.3"));
    QCOMPARE(in.launched, QDateTime(QDate(2024, 3, 20), QTime(9, 49, 32, 41), Qt::UTC));

    // Listed without an instance view: state unknown, no launch time.
    QJsonObject bare = json(kVm);
    QJsonObject props = bare.value(QStringLiteral("properties")).toObject();
    props.remove(QStringLiteral("instanceView"));
    props.remove(QStringLiteral("priority"));
    bare.insert(QStringLiteral("properties"), props);
    bare.remove(QStringLiteral("zones"));
    const Instance b = instanceFromVm(bare, QStringLiteral("a"), {});
    QCOMPARE(b.state, InstanceState::Unknown);
    QVERIFY(!b.launched.isValid());
    QVERIFY(!b.spot);
    QVERIFY(b.zone.isEmpty());
    QVERIFY(b.publicIp.isEmpty());
}

void TestArmJson::powerStates_data()
{
    QTest::addColumn<QString>("power");
    QTest::addColumn<QString>("provisioning");
    QTest::addColumn<InstanceState>("state");
    QTest::newRow("starting") << "starting" << "updating" << InstanceState::Pending;
    QTest::newRow("running") << "running" << "succeeded" << InstanceState::Running;
    QTest::newRow("stopping") << "stopping" << "updating" << InstanceState::Stopping;
    QTest::newRow("stopped still bills") << "stopped" << "succeeded" << InstanceState::StoppedBilled;
    QTest::newRow("deallocating") << "deallocating" << "updating" << InstanceState::Stopping;
    QTest::newRow("deallocated") << "deallocated" << "succeeded" << InstanceState::Stopped;
    QTest::newRow("deleting") << "deallocating" << "deleting" << InstanceState::Terminating;
    QTest::newRow("failed start keeps the power state") << "deallocated" << "failed" << InstanceState::Stopped;
    QTest::newRow("creating") << "" << "creating" << InstanceState::Pending;
    QTest::newRow("unknown") << "" << "" << InstanceState::Unknown;
}

void TestArmJson::powerStates()
{
    QFETCH(QString, power);
    QFETCH(QString, provisioning);
    QFETCH(InstanceState, state);
    QCOMPARE(mapPowerState(power, provisioning), state);
    QCOMPARE(isTransitional(mapPowerState(power, provisioning)),
             state == InstanceState::Pending || state == InstanceState::Stopping || state == InstanceState::Terminating);
}

void TestArmJson::provisioningTimeHasSevenDigits()
{
    const QJsonArray statuses = json(R"({"s": [
        {"code": "ProvisioningState/failed/AllocationFailed", "level": "Error", "time": "2026-11-23T12:01:02.1234567+00:00"},
        {"code": "PowerState/deallocated"}]})").value(QStringLiteral("s")).toArray();
    QCOMPARE(powerStateWord(statuses), QStringLiteral("deallocated"));
    QCOMPARE(provisioningStateWord(statuses), QStringLiteral("failed"));
    QCOMPARE(provisioningTime(statuses), QDateTime(QDate(2026, 11, 23), QTime(12, 1, 2, 123), Qt::UTC));
    QVERIFY(!provisioningTime(QJsonArray{}).isValid());
}

void TestArmJson::networkJoinIgnoresCase()
{
    ArmNetwork net;
    net.addNetworkInterface(json(R"({"id": "/A/NIC", "properties": {"ipConfigurations": [
        {"properties": {"privateIPAddress": "10.1.1.1", "publicIPAddress": {"id": "/A/PIP"}}}]}})"));
    net.addPublicIp(json(R"({"id": "/a/pip", "properties": {}})"));  // no address: unassigned
    QCOMPARE(net.privateIpByNic.value(QStringLiteral("/a/nic")), QStringLiteral("10.1.1.1"));
    QCOMPARE(net.publicIpIdByNic.value(QStringLiteral("/a/nic")), QStringLiteral("/a/pip"));
    QVERIFY(!net.ipByPublicIpId.contains(QStringLiteral("/a/pip")));
}

void TestArmJson::errorDocuments()
{
    Error e = armError(404, R"({"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.Compute/virtualMachines/x' under resource group 'g' was not found."}})");
    QCOMPARE(e.category(), Error::Category::NotFound);
    QCOMPARE(e.code(), QStringLiteral("ResourceNotFound"));
    QCOMPARE(e.httpStatus(), 404);
    e = armError(401, R"({"error":{"code":"ExpiredAuthenticationToken","message":"The access token expiry UTC time is earlier than current UTC time."}})");
    QCOMPARE(e.category(), Error::Category::Auth);
    e = armError(403, R"({"error":{"code":"AuthorizationFailed","message":"The client does not have authorization"}})");
    QCOMPARE(e.category(), Error::Category::Permission);
    e = armError(409, R"({"error":{"code":"OperationNotAllowed","message":"no"}})");
    QCOMPARE(e.category(), Error::Category::Conflict);
    e = armError(429, R"({"error":{"code":"SubscriptionRequestsThrottled","message":"Number of 'read' requests exceeded"}})");
    QCOMPARE(e.category(), Error::Category::Throttled);
    QVERIFY(e.isRetryable());
    e = armError(400, R"({"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}})");
    QCOMPARE(e.category(), Error::Category::InvalidInput);
    e = armError(502, "<html>Bad gateway</html>");
    QCOMPARE(e.category(), Error::Category::Server);
    QCOMPARE(e.code(), QStringLiteral("HTTP502"));
}

void TestArmJson::operationErrors()
{
    Error e = operationError(json(R"({"code": "AllocationFailed", "message": "Allocation failed."})"), QStringLiteral("Failed"));
    QCOMPARE(e.code(), QStringLiteral("AllocationFailed"));
    QCOMPARE(e.message(), QStringLiteral("Allocation failed."));
    QCOMPARE(e.category(), Error::Category::Server);
    e = operationError(json(R"({"code": "OperationPreempted", "message": "Operation execution has been preempted by a more recent operation."})"),
                       QStringLiteral("Failed"));
    QCOMPARE(e.category(), Error::Category::Conflict);
    e = operationError({}, QStringLiteral("Canceled"));
    QCOMPARE(e.code(), QStringLiteral("Canceled"));
    QCOMPARE(e.category(), Error::Category::Conflict);
}

void TestArmJson::gpuSizes()
{
    QCOMPARE(gpuForVmSize(QStringLiteral("Standard_NC4as_T4_v3")).model, QStringLiteral("T4"));
    QCOMPARE(gpuForVmSize(QStringLiteral("standard_nd96asr_v4")).count, 8);
    QCOMPARE(gpuForVmSize(QStringLiteral("Standard_D4s_v5")).count, 0);
    QVERIFY(gpuForVmSize(QStringLiteral("Standard_D4s_v5")).model.isEmpty());
}

void TestArmJson::discoverFromEnvironment()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_TENANT_ID"), QStringLiteral("tenant-1"));
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("client-1"));
    env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("s3cr3t"));
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), QStringLiteral("11111111-2222-3333-4444-555555555555"));
    QTemporaryDir home;
    const QList<Account> found = discoverAccounts(env, home.path());
    QCOMPARE(found.size(), 1);
    const Account &a = found.first();
    QCOMPARE(a.id, QStringLiteral("azure:env"));
    QCOMPARE(a.provider, QStringLiteral("azure"));
    QCOMPARE(a.setting(QStringLiteral("subscriptionId")), QStringLiteral("11111111-2222-3333-4444-555555555555"));
    QCOMPARE(a.setting(QStringLiteral("authorityHost")), QStringLiteral("https://login.microsoftonline.com"));
    QCOMPARE(a.setting(QStringLiteral("endpoint")), QStringLiteral("https://management.azure.com"));
    QCOMPARE(a.secret(QStringLiteral("clientSecret")), QStringLiteral("s3cr3t"));
    for (const QString &v : a.settings)  // the secret only among the secrets
        QVERIFY(!v.contains(QLatin1String("s3cr3t")));
    QVERIFY(!a.displayName.contains(QLatin1String("s3cr3t")));

    const ArmConfig c = ArmConfig::fromAccount(a);
    QCOMPARE(c.scope(), QStringLiteral("https://management.azure.com/.default"));
    QCOMPARE(c.tokenUrl().toString(), QStringLiteral("https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"));
    QVERIFY(c.problem().isEmpty());

    // A test server: both hosts overridden, the public audience kept.
    env.insert(QStringLiteral("AZURE_AUTHORITY_HOST"), QStringLiteral("http://127.0.0.1:8443/"));
    env.insert(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), QStringLiteral("http://127.0.0.1:8443/"));
    const ArmConfig t = ArmConfig::fromAccount(discoverAccounts(env, home.path()).first());
    QCOMPARE(t.tokenUrl().toString(), QStringLiteral("http://127.0.0.1:8443/tenant-1/oauth2/v2.0/token"));
    QCOMPARE(t.resourceManager.toString(), QStringLiteral("http://127.0.0.1:8443"));
    QCOMPARE(t.scope(), QStringLiteral("https://management.azure.com/.default"));
    QVERIFY2(t.problem().isEmpty(), qPrintable(t.problem()));
    QCOMPARE(t.resourceGroup, QStringLiteral("skydeck"));  // where launched VMs go by default
    env.insert(QStringLiteral("AZURE_DEFAULTS_GROUP"), QStringLiteral("ml-team"));  // az configure --defaults group=
    QCOMPARE(ArmConfig::fromAccount(discoverAccounts(env, home.path()).first()).resourceGroup, QStringLiteral("ml-team"));
}

void TestArmJson::discoverSubscriptionFromAzureCli()
{
    QTemporaryDir home;
    QDir(home.path()).mkpath(QStringLiteral(".azure"));
    QFile f(home.filePath(QStringLiteral(".azure/azureProfile.json")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("\xEF\xBB\xBF");  // the Azure CLI writes a BOM
    f.write(R"({"installationId": "x", "subscriptions": [
        {"id": "aaaa", "name": "Other tenant", "state": "Enabled", "isDefault": true, "tenantId": "tenant-2"},
        {"id": "bbbb", "name": "Not default", "state": "Enabled", "isDefault": false, "tenantId": "tenant-1"},
        {"id": "cccc", "name": "Work", "state": "Enabled", "isDefault": true, "tenantId": "TENANT-1"}]})");
    f.close();
    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_TENANT_ID"), QStringLiteral("tenant-1"));
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("client-1"));
    env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("s"));
    const QList<Account> found = discoverAccounts(env, home.path());
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().setting(QStringLiteral("subscriptionId")), QStringLiteral("cccc"));
    // AZURE_CONFIG_DIR elsewhere: no default subscription, and the config says what is missing.
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), home.filePath(QStringLiteral("nowhere")));
    const Account a = discoverAccounts(env, home.path()).first();
    QVERIFY(a.setting(QStringLiteral("subscriptionId")).isEmpty());
    QVERIFY(ArmConfig::fromAccount(a).problem().contains(QLatin1String("AZURE_SUBSCRIPTION_ID")));
}

void TestArmJson::discoverSovereignCloud()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_TENANT_ID"), QStringLiteral("t"));
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("c"));
    env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("s"));
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), QStringLiteral("sub"));
    env.insert(QStringLiteral("AZURE_CLOUD"), QStringLiteral("AzureUSGovernment"));
    const ArmConfig c = ArmConfig::fromAccount(discoverAccounts(env, QDir::tempPath()).first());
    QCOMPARE(c.authorityHost.host(), QStringLiteral("login.microsoftonline.us"));
    QCOMPARE(c.resourceManager.host(), QStringLiteral("management.usgovcloudapi.net"));
    QCOMPARE(c.scope(), QStringLiteral("https://management.usgovcloudapi.net/.default"));
    env.remove(QStringLiteral("AZURE_CLOUD"));
    env.insert(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), QStringLiteral("https://management.chinacloudapi.cn"));
    QCOMPARE(ArmConfig::fromAccount(discoverAccounts(env, QDir::tempPath()).first()).scope(),
             QStringLiteral("https://management.chinacloudapi.cn/.default"));
}

void TestArmJson::noSecretNoAccount()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_TENANT_ID"), QStringLiteral("t"));
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("c"));
    QVERIFY(discoverAccounts(env, QDir::tempPath()).isEmpty());
    QVERIFY(discoverAccounts(QProcessEnvironment(), QDir::tempPath()).isEmpty());
}

void TestArmJson::configProblems()
{
    ArmConfig c;
    c.tenantId = QStringLiteral("t");
    c.clientId = QStringLiteral("c");
    c.clientSecret = QStringLiteral("s");
    c.subscriptionId = QStringLiteral("sub");
    c.authorityHost = QUrl(QStringLiteral("https://login.microsoftonline.com"));
    c.resourceManager = QUrl(QStringLiteral("http://management.example.com"));  // plain http off loopback: refused
    QVERIFY(c.problem().contains(QLatin1String("https")));
    c.resourceManager = QUrl(QStringLiteral("http://localhost:9000"));
    QVERIFY(c.problem().isEmpty());
    c.authorityHost = QUrl(QStringLiteral("http://login.example.com"));
    QVERIFY(c.problem().contains(QLatin1String("AZURE_AUTHORITY_HOST")));
    c.authorityHost = QUrl(QStringLiteral("https://login.microsoftonline.com"));
    c.clientSecret.clear();
    QVERIFY(c.problem().contains(QLatin1String("AZURE_CLIENT_SECRET")));
}

void TestArmJson::launchDocuments()
{
    LaunchRequest r;
    r.name = QStringLiteral("trainer");
    r.machineType = QStringLiteral("Standard_NC24ads_A100_v4");
    r.zone = QStringLiteral("1");
    r.diskGb = 200;
    r.spot = true;
    r.sshUser = QStringLiteral("ada");
    r.sshPublicKey = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZ ada@laptop");
    const QJsonObject image = launchdoc::imageReference(QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest")).value();
    const QJsonObject vm = launchdoc::virtualMachine(r, QStringLiteral("eastus"), QStringLiteral("/subscriptions/s/nic"), image);
    const QJsonObject p = vm.value(QStringLiteral("properties")).toObject();
    QCOMPARE(vm.value(QStringLiteral("location")).toString(), QStringLiteral("eastus"));
    QCOMPARE(vm.value(QStringLiteral("zones")).toArray(), QJsonArray{QStringLiteral("1")});
    QCOMPARE(p.value(QStringLiteral("hardwareProfile")).toObject().value(QStringLiteral("vmSize")).toString(), r.machineType);
    // Spot: evicted by deallocation, and never for price (maxPrice -1: up to the on-demand price).
    QCOMPARE(p.value(QStringLiteral("priority")).toString(), QStringLiteral("Spot"));
    QCOMPARE(p.value(QStringLiteral("evictionPolicy")).toString(), QStringLiteral("Deallocate"));
    QCOMPARE(p.value(QStringLiteral("billingProfile")).toObject().value(QStringLiteral("maxPrice")).toInt(), -1);
    const QJsonObject os = p.value(QStringLiteral("osProfile")).toObject();
    QCOMPARE(os.value(QStringLiteral("adminUsername")).toString(), QStringLiteral("ada"));
    const QJsonObject linux = os.value(QStringLiteral("linuxConfiguration")).toObject();
    QVERIFY(linux.value(QStringLiteral("disablePasswordAuthentication")).toBool());
    const QJsonObject key = linux.value(QStringLiteral("ssh")).toObject().value(QStringLiteral("publicKeys")).toArray().first().toObject();
    QCOMPARE(key.value(QStringLiteral("path")).toString(), QStringLiteral("/home/ada/.ssh/authorized_keys"));
    QCOMPARE(key.value(QStringLiteral("keyData")).toString(), r.sshPublicKey);
    QVERIFY(!os.contains(QStringLiteral("adminPassword")));
    const QJsonObject storage = p.value(QStringLiteral("storageProfile")).toObject();
    QCOMPARE(storage.value(QStringLiteral("imageReference")).toObject().value(QStringLiteral("sku")).toString(), QStringLiteral("22_04-lts-gen2"));
    QCOMPARE(storage.value(QStringLiteral("osDisk")).toObject().value(QStringLiteral("diskSizeGB")).toInt(), 200);
    QCOMPARE(storage.value(QStringLiteral("osDisk")).toObject().value(QStringLiteral("deleteOption")).toString(), QStringLiteral("Delete"));
    const QJsonObject nic = p.value(QStringLiteral("networkProfile")).toObject().value(QStringLiteral("networkInterfaces")).toArray().first().toObject();
    QCOMPARE(nic.value(QStringLiteral("properties")).toObject().value(QStringLiteral("deleteOption")).toString(), QStringLiteral("Delete"));
    r.spot = false;
    const QJsonObject regular = launchdoc::virtualMachine(r, QStringLiteral("eastus"), QStringLiteral("/subscriptions/s/nic"), image);
    QVERIFY(!regular.value(QStringLiteral("properties")).toObject().contains(QStringLiteral("priority")));

    // SSH from one prefix, or no rule at all.
    const QJsonArray rules = launchdoc::securityGroup(QStringLiteral("eastus"), QStringLiteral("81.2.69.160/32"))
                                 .value(QStringLiteral("properties")).toObject().value(QStringLiteral("securityRules")).toArray();
    QCOMPARE(rules.size(), 1);
    const QJsonObject ssh = rules.first().toObject().value(QStringLiteral("properties")).toObject();
    QCOMPARE(ssh.value(QStringLiteral("sourceAddressPrefix")).toString(), QStringLiteral("81.2.69.160/32"));
    QCOMPARE(ssh.value(QStringLiteral("destinationPortRange")).toString(), QStringLiteral("22"));
    QCOMPARE(ssh.value(QStringLiteral("protocol")).toString(), QStringLiteral("Tcp"));
    QVERIFY(launchdoc::securityGroup(QStringLiteral("eastus"), QString()).value(QStringLiteral("properties")).toObject()
                .value(QStringLiteral("securityRules")).toArray().isEmpty());
    const QJsonObject ip = launchdoc::publicIp(QStringLiteral("eastus"), QStringLiteral("1"));
    QCOMPARE(ip.value(QStringLiteral("sku")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Standard"));
    QCOMPARE(ip.value(QStringLiteral("properties")).toObject().value(QStringLiteral("publicIPAllocationMethod")).toString(), QStringLiteral("Static"));
    QCOMPARE(ip.value(QStringLiteral("zones")).toArray(), QJsonArray{QStringLiteral("1")});
}

void TestArmJson::launchImagesAndNames()
{
    QCOMPARE(launchdoc::imageReference(QStringLiteral("/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/mine"))
                 ->value(QStringLiteral("id")).toString(),
             QStringLiteral("/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/mine"));
    for (const char *bad : {"ubuntu", "a:b:c", "a:b:c:d:e", "a:b c:d:e", ":b:c:d", "/subscriptions/s/x?y=1"})
        QVERIFY2(!launchdoc::imageReference(QLatin1String(bad)).ok(), bad);
    for (const char *good : {"a", "gpu-box-1", "train_2", "node.1_"})
        QVERIFY2(launchdoc::checkVmName(QLatin1String(good)).isEmpty(), good);
    for (const char *bad : {"", "-x", "x-", "x.", "a b", "a/b", "ü"})
        QVERIFY2(!launchdoc::checkVmName(QString::fromUtf8(bad)).isEmpty(), bad);
    QVERIFY(!launchdoc::checkVmName(QString(65, QLatin1Char('a'))).isEmpty());
}

SKYDECK_TEST_MAIN(TestArmJson)
#include "tst_arm_json.moc"
