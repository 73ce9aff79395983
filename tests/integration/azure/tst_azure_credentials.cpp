// Each Azure credential kind found where users keep it, signed in against the arm peer
// (tests/servers/arm_server.py with aad.py) and used for Resource Manager listings through ArmClient:
//  - the Azure CLI's user: the real `az login` (tests/servers/az_login.sh, over the peer's https port)
//    writes AZURE_CONFIG_DIR; Skydeck finds the account in azureProfile.json, uses the access token az
//    cached, renews with az's refresh token once that expired (never writing az's cache), keeps
//    renewing with the rotated refresh token over a run longer than a token's life, names
//    AADSTS50173/AADSTS700082 with "run az login again", and picks up a new az login without restart;
//  - a service principal with a certificate (AZURE_CLIENT_CERTIFICATE_PATH, plain and encrypted key):
//    the peer verifies the assertion's signature; a key that is not the registered certificate's is
//    refused with AADSTS700027;
//  - a VM's managed identity through the metadata service (AZURE_POD_IDENTITY_AUTHORITY_HOST pointed
//    at the peer): system-assigned, user-assigned (AZURE_CLIENT_ID), not assigned; offered only when
//    nothing else is configured, and on an Azure VM (its DMI asset tag) without any variable;
//  - a service principal signed in with the real `az login --service-principal` (certificate, secret).
#include "ArmClient.h"
#include "AzureConfig.h"
#include "AzureCredentials.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

using namespace skydeck;
using namespace skydeck::azure;

class TestAzureCredentials : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void azureCliUsesTheCacheAzWrote();
    void azureCliRenewsAcrossALongRun();
    void azureCliRevokedAndExpiredSayLoginAgain();
    void azureCliServicePrincipal();
    void certificateServicePrincipal();
    void certificateWithEncryptedKey();
    void certificateWithAnotherKeyIsRefused();
    void managedIdentity();
    void managedIdentityOnlyWhenNothingElse();

private:
    QJsonDocument control(const QString &path, const QJsonObject &body = {}, const QByteArray &method = "POST");
    QString seed(int vms);
    int grants(const QString &grantType, const QString &clientId = {});
    // az login into `dir` (subscription `sub` made the default); false when it failed.
    bool azLogin(const QString &dir, const QString &sub, const QString &servicePrincipalCredential = {});
    static void expireCachedAccessTokens(const QString &configDir);
    QProcessEnvironment baseEnv() const;
    ArmClient *makeClient(const Account &account);
    Result<InstancePage> listOnce();
    bool openssl(const QStringList &args);
    QString makeCertificate(const QString &name, QString *certOnly = nullptr);

    QString m_endpoint, m_control, m_tls, m_tenant, m_clientId, m_source;
    QNetworkAccessManager m_nam;
    std::unique_ptr<ProviderWorker> m_worker;
    ArmClient *m_client = nullptr;
    QTemporaryDir m_dir;
};

QJsonDocument TestAzureCredentials::control(const QString &path, const QJsonObject &body, const QByteArray &method)
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

QString TestAzureCredentials::seed(int vms)
{
    QJsonArray list;
    for (int i = 0; i < vms; ++i)
        list.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("vm-%1").arg(i)},
                                {QStringLiteral("resourceGroup"), QStringLiteral("creds")},
                                {QStringLiteral("power"), QStringLiteral("running")}});
    const QString sub = QUuid::createUuid().toString(QUuid::WithoutBraces);
    control(QStringLiteral("/seed"), {{QStringLiteral("subscription"), sub}, {QStringLiteral("vms"), list}});
    return sub;
}

int TestAzureCredentials::grants(const QString &grantType, const QString &clientId)
{
    int n = 0;
    for (const QJsonValue &v : control(QStringLiteral("/grants"), {}, "GET").array()) {
        const QJsonObject g = v.toObject();
        if (g.value(QStringLiteral("grant_type")).toString() == grantType
            && (clientId.isNull() || g.value(QStringLiteral("client_id")).toString() == clientId))
            ++n;
    }
    return n;
}

bool TestAzureCredentials::azLogin(const QString &dir, const QString &sub, const QString &servicePrincipalCredential)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SKYDECK_TEST_ARM_SUBSCRIPTION"), sub);
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{dir};
    if (!servicePrincipalCredential.isEmpty())
        args << QStringLiteral("--service-principal") << servicePrincipalCredential;
    p.start(m_source + QStringLiteral("/tests/servers/az_login.sh"), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
    }
    const QByteArray out = p.readAll();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << out;
        return false;
    }
    return true;
}

void TestAzureCredentials::expireCachedAccessTokens(const QString &configDir)
{
    // What time does to az's cache: its access tokens' expires_on in the past (refresh tokens kept).
    QFile f(configDir + QStringLiteral("/msal_token_cache.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonObject cache = QJsonDocument::fromJson(f.readAll()).object();
    f.close();
    QJsonObject ats = cache.value(QStringLiteral("AccessToken")).toObject();
    for (auto it = ats.begin(); it != ats.end(); ++it) {
        QJsonObject at = it.value().toObject();
        at.insert(QStringLiteral("expires_on"), QStringLiteral("1000"));
        it.value() = at;
    }
    cache.insert(QStringLiteral("AccessToken"), ats);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QJsonDocument(cache).toJson());
}

QProcessEnvironment TestAzureCredentials::baseEnv() const
{
    // Requests go to the peer's http port (the same server az signed in to over https).
    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_AUTHORITY_HOST"), m_endpoint);
    env.insert(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), m_endpoint);
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), m_dir.filePath(QStringLiteral("no-azure-cli")));
    return env;
}

ArmClient *TestAzureCredentials::makeClient(const Account &account)
{
    ArmConfig cfg = ArmConfig::fromAccount(account);
    cfg.pollIntervalMs = 1000;
    m_worker = std::make_unique<ProviderWorker>(QStringLiteral("azure-creds-test"));
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

Result<InstancePage> TestAzureCredentials::listOnce()
{
    ArmClient *c = m_client;
    return waitFor(m_worker->run<InstancePage>([c](const CancelToken &t, Callback<InstancePage> done) {
        c->listInstances(QStringLiteral("*"), {}, t, std::move(done));
    }));
}

bool TestAzureCredentials::openssl(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    const bool ok = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!ok)
        qWarning().noquote() << "openssl" << args << p.readAll();
    return ok;
}

// A self-signed RSA certificate and its key in one PEM (key first, as az and azure-identity accept it).
QString TestAzureCredentials::makeCertificate(const QString &name, QString *certOnly)
{
    const QString key = m_dir.filePath(name + QStringLiteral(".key"));
    const QString crt = m_dir.filePath(name + QStringLiteral(".crt"));
    if (!openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                  QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), crt,
                  QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=") + name}))
        return {};
    QFile k(key), c(crt), pem(m_dir.filePath(name + QStringLiteral(".pem")));
    if (!k.open(QIODevice::ReadOnly) || !c.open(QIODevice::ReadOnly) || !pem.open(QIODevice::WriteOnly))
        return {};
    pem.write(k.readAll() + c.readAll());
    if (certOnly)
        *certOnly = crt;
    return pem.fileName();
}

void TestAzureCredentials::initTestCase()
{
    SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_ARM_ENDPOINT");
    SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_ARM_CONTROL");
    SKYDECK_REQUIRE_PEER(m_tls, "SKYDECK_TEST_ARM_TLS_ENDPOINT");
    SKYDECK_REQUIRE_PEER(m_tenant, "SKYDECK_TEST_ARM_TENANT");
    SKYDECK_REQUIRE_PEER(m_clientId, "SKYDECK_TEST_ARM_CLIENT_ID");
    SKYDECK_REQUIRE_PEER(m_source, "SKYDECK_SOURCE_DIR");
    QVERIFY(m_dir.isValid());
}

void TestAzureCredentials::init()
{
    control(QStringLiteral("/config"), {{QStringLiteral("refreshTokenLifetime"), 90 * 24 * 3600}});
}

void TestAzureCredentials::cleanup()
{
    m_worker.reset();
    m_client = nullptr;
    control(QStringLiteral("/config"), {{QStringLiteral("tokenLifetime"), 3599},
                                         {QStringLiteral("refreshTokenLifetime"), 90 * 24 * 3600}});
}

void TestAzureCredentials::azureCliUsesTheCacheAzWrote()
{
    if (QStandardPaths::findExecutable(QStringLiteral("az")).isEmpty())
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("the Azure CLI is not installed (apt-get install azure-cli)"));
    const QString sub = seed(2);
    const QString az = m_dir.filePath(QStringLiteral("az-cache"));
    QVERIFY(azLogin(az, sub));
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), az);
    const QList<Account> found = discoverAccounts(env, m_dir.path());
    QCOMPARE(found.size(), 1);
    const Account &a = found.first();
    QCOMPARE(a.id, QStringLiteral("azure:cli"));
    QCOMPARE(a.setting(QStringLiteral("credential")), QStringLiteral("cli"));
    QCOMPARE(a.setting(QStringLiteral("subscriptionId")), sub);
    QCOMPARE(a.setting(QStringLiteral("cliUser")), qEnvironmentVariable("SKYDECK_TEST_ARM_USER"));
    QCOMPARE(a.setting(QStringLiteral("tenantId")), m_tenant);
    QCOMPARE(a.setting(QStringLiteral("cliEnvironment")), QStringLiteral("127.0.0.1"));  // from az's clouds.config
    QVERIFY(a.secrets.isEmpty());  // the tokens stay in az's cache
    QCOMPARE(ArmConfig::fromAccount(a).scope(), QStringLiteral("https://management.core.windows.net//.default"));

    QFile cacheFile(az + QStringLiteral("/msal_token_cache.json"));
    QVERIFY(cacheFile.open(QIODevice::ReadOnly));
    const QByteArray cacheBefore = cacheFile.readAll();
    cacheFile.close();

    // az's cached access token is still good: used as is, no grant at the token endpoint.
    const int refreshesBefore = grants(QStringLiteral("refresh_token"));
    makeClient(a);
    Result<InstancePage> r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 2);
    QCOMPARE(grants(QStringLiteral("refresh_token")), refreshesBefore);
    QCOMPARE(m_client->credentials()->fetches(), 0);

    // Expired in az's cache: Skydeck renews it with az's refresh token, as az itself would.
    expireCachedAccessTokens(az);
    QVERIFY(cacheFile.open(QIODevice::ReadOnly));
    const QByteArray expired = cacheFile.readAll();
    cacheFile.close();
    makeClient(a);
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 2);
    QCOMPARE(grants(QStringLiteral("refresh_token"), QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46")),
             refreshesBefore + 1);
    QCOMPARE(m_client->credentials()->fetches(), 1);
    QVERIFY(cacheFile.open(QIODevice::ReadOnly));
    QCOMPARE(cacheFile.readAll(), expired);  // az's cache was never written
    cacheFile.close();
    QVERIFY(cacheBefore != expired);
}

void TestAzureCredentials::azureCliRenewsAcrossALongRun()
{
    if (QStandardPaths::findExecutable(QStringLiteral("az")).isEmpty())
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("the Azure CLI is not installed (apt-get install azure-cli)"));
    const QString sub = seed(1);
    const QString az = m_dir.filePath(QStringLiteral("az-long"));
    QVERIFY(azLogin(az, sub));
    expireCachedAccessTokens(az);
    control(QStringLiteral("/config"), {{QStringLiteral("tokenLifetime"), 4}});
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), az);
    makeClient(discoverAccounts(env, m_dir.path()).first());
    // Resource Manager calls for about 10 s with tokens that live 4 s: each renewed ahead of its
    // expiry with the refresh token the previous grant handed back; none refused, none failed.
    QElapsedTimer clock;
    clock.start();
    int calls = 0;
    while (clock.elapsed() < 10000) {
        const Result<InstancePage> r = listOnce();
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r.value().instances.size(), 1);
        ++calls;
        QTest::qWait(250);
    }
    QVERIFY(calls >= 20);
    QVERIFY2(m_client->credentials()->fetches() >= 4, qPrintable(QString::number(m_client->credentials()->fetches())));
    for (const QJsonValue &v : control(QStringLiteral("/requests?contains=") + sub, {}, "GET").array())
        QVERIFY(v.toObject().value(QStringLiteral("status")).toInt() != 401);

    // az logout (the user's entries gone from the cache): the next renewal stops, the refresh token
    // kept in memory is not used behind the user's back.
    QVERIFY(QFile::remove(az + QStringLiteral("/msal_token_cache.json")));
    QFile emptied(az + QStringLiteral("/msal_token_cache.json"));
    QVERIFY(emptied.open(QIODevice::WriteOnly));
    emptied.write(R"({"AccessToken": {}, "RefreshToken": {}, "IdToken": {}, "Account": {}, "AppMetadata": {}})");
    emptied.close();
    clock.restart();
    QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= 2500, 5000);
    const Result<InstancePage> r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code(), QStringLiteral("AzureCliNotSignedIn"));
}

void TestAzureCredentials::azureCliRevokedAndExpiredSayLoginAgain()
{
    if (QStandardPaths::findExecutable(QStringLiteral("az")).isEmpty())
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("the Azure CLI is not installed (apt-get install azure-cli)"));
    const QString sub = seed(1);
    const QString az = m_dir.filePath(QStringLiteral("az-revoked"));
    QVERIFY(azLogin(az, sub));
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), az);
    const Account a = discoverAccounts(env, m_dir.path()).first();

    control(QStringLiteral("/revoke-refresh-tokens"));
    expireCachedAccessTokens(az);
    makeClient(a);
    Result<InstancePage> r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().category(), Error::Category::Auth);
    QCOMPARE(r.error().code(), QStringLiteral("invalid_grant"));
    QVERIFY2(r.error().message().contains(QLatin1String("AADSTS50173")), qPrintable(r.error().message()));
    QVERIFY2(r.error().message().endsWith(QLatin1String("run az login again")), qPrintable(r.error().message()));
    QVERIFY(!r.error().message().contains(QLatin1String("0.AR")));  // no refresh token in the message

    // The user signs in again: the same client picks up az's new cache, no restart.
    QVERIFY(azLogin(az, sub));
    expireCachedAccessTokens(az);
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 1);

    // Refresh tokens outlived (inactive for longer than the tenant allows).
    control(QStringLiteral("/config"), {{QStringLiteral("refreshTokenLifetime"), 0}});
    makeClient(a);
    r = listOnce();
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message().contains(QLatin1String("AADSTS700082")), qPrintable(r.error().message()));
    QVERIFY(r.error().message().endsWith(QLatin1String("run az login again")));

    // Not signed in at all: the profile names a user, the cache is gone.
    QVERIFY(QFile::remove(az + QStringLiteral("/msal_token_cache.json")));
    makeClient(a);
    r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code(), QStringLiteral("AzureCliNotSignedIn"));
    QVERIFY2(r.error().message().endsWith(QLatin1String("run az login")), qPrintable(r.error().message()));
    // Encrypted (az config set core.encrypt_token_cache=true): said so, not "not signed in".
    QFile bin(az + QStringLiteral("/msal_token_cache.bin"));
    QVERIFY(bin.open(QIODevice::WriteOnly));
    bin.write("encrypted");
    bin.close();
    makeClient(a);
    r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code(), QStringLiteral("AzureCliCacheEncrypted"));
}

void TestAzureCredentials::azureCliServicePrincipal()
{
    if (QStandardPaths::findExecutable(QStringLiteral("az")).isEmpty())
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("the Azure CLI is not installed (apt-get install azure-cli)"));
    // az login --service-principal with a certificate: az keeps the PEM's path, Skydeck signs with it.
    QString cert;
    const QString pem = makeCertificate(QStringLiteral("sp-az"), &cert);
    QVERIFY(!pem.isEmpty());
    QFile c(cert);
    QVERIFY(c.open(QIODevice::ReadOnly));
    control(QStringLiteral("/config"), {{QStringLiteral("clientCertificatePem"), QString::fromLatin1(c.readAll())}});
    const QString sub = seed(2);
    const QString az = m_dir.filePath(QStringLiteral("az-sp-cert"));
    QVERIFY(azLogin(az, sub, pem));
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), az);
    QList<Account> found = discoverAccounts(env, m_dir.path());
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, QStringLiteral("azure:cli"));
    QCOMPARE(found.first().setting(QStringLiteral("credential")), QStringLiteral("certificate"));
    QCOMPARE(found.first().setting(QStringLiteral("certificatePath")), pem);
    QCOMPARE(found.first().setting(QStringLiteral("subscriptionId")), sub);
    int before = grants(QStringLiteral("client_credentials"), m_clientId);
    makeClient(found.first());
    Result<InstancePage> r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 2);
    QCOMPARE(grants(QStringLiteral("client_credentials"), m_clientId), before + 1);

    // ... and with a secret, which az keeps in service_principal_entries.json: memory only here.
    const QString secret = qEnvironmentVariable("SKYDECK_TEST_ARM_CLIENT_SECRET");
    const QString az2 = m_dir.filePath(QStringLiteral("az-sp-secret"));
    QVERIFY(azLogin(az2, sub, secret));
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), az2);
    found = discoverAccounts(env, m_dir.path());
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().setting(QStringLiteral("credential")), QStringLiteral("secret"));
    QCOMPARE(found.first().secret(QStringLiteral("clientSecret")), secret);
    for (const QString &v : found.first().settings)
        QVERIFY(!v.contains(secret));
    before = grants(QStringLiteral("client_credentials"), m_clientId);
    makeClient(found.first());
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(grants(QStringLiteral("client_credentials"), m_clientId), before + 1);
}

void TestAzureCredentials::certificateServicePrincipal()
{
    QString cert;
    const QString pem = makeCertificate(QStringLiteral("sp"), &cert);
    QVERIFY(!pem.isEmpty());
    QFile c(cert);
    QVERIFY(c.open(QIODevice::ReadOnly));
    control(QStringLiteral("/config"), {{QStringLiteral("clientCertificatePem"), QString::fromLatin1(c.readAll())}});
    const QString sub = seed(3);
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_TENANT_ID"), m_tenant);
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), m_clientId);
    env.insert(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"), pem);
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), sub);
    const QList<Account> found = discoverAccounts(env, m_dir.path());
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, QStringLiteral("azure:env"));
    QCOMPARE(found.first().setting(QStringLiteral("credential")), QStringLiteral("certificate"));
    QCOMPARE(found.first().setting(QStringLiteral("certificatePath")), pem);

    const int before = grants(QStringLiteral("client_credentials"), m_clientId);
    control(QStringLiteral("/config"), {{QStringLiteral("tokenLifetime"), 4}});
    makeClient(found.first());
    Result<InstancePage> r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 3);
    QCOMPARE(grants(QStringLiteral("client_credentials"), m_clientId), before + 1);
    // Renewed before it expires, with a new assertion.
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= 2200, 5000);
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(m_client->credentials()->fetches(), 2);
    QCOMPARE(grants(QStringLiteral("client_credentials"), m_clientId), before + 2);
}

void TestAzureCredentials::certificateWithEncryptedKey()
{
    QString cert;
    const QString plain = makeCertificate(QStringLiteral("sp-enc"), &cert);
    QVERIFY(!plain.isEmpty());
    const QString encKey = m_dir.filePath(QStringLiteral("sp-enc.p8"));
    QVERIFY(openssl({QStringLiteral("pkcs8"), QStringLiteral("-topk8"), QStringLiteral("-v2"), QStringLiteral("aes-256-cbc"),
                     QStringLiteral("-in"), m_dir.filePath(QStringLiteral("sp-enc.key")), QStringLiteral("-out"), encKey,
                     QStringLiteral("-passout"), QStringLiteral("pass:correct horse")}));
    QFile k(encKey), c(cert), pem(m_dir.filePath(QStringLiteral("sp-enc-full.pem")));
    QVERIFY(k.open(QIODevice::ReadOnly) && c.open(QIODevice::ReadOnly) && pem.open(QIODevice::WriteOnly));
    const QByteArray certPem = c.readAll();
    pem.write(certPem + k.readAll());  // certificate first this time
    pem.close();
    control(QStringLiteral("/config"), {{QStringLiteral("clientCertificatePem"), QString::fromLatin1(certPem)}});
    const QString sub = seed(1);
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_TENANT_ID"), m_tenant);
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), m_clientId);
    env.insert(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"), pem.fileName());
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), sub);

    makeClient(discoverAccounts(env, m_dir.path()).first());  // no password
    Result<InstancePage> r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code(), QStringLiteral("InvalidCertificate"));
    QVERIFY2(r.error().message().contains(QLatin1String("AZURE_CLIENT_CERTIFICATE_PASSWORD")), qPrintable(r.error().message()));

    env.insert(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD"), QStringLiteral("correct horse"));
    const Account a = discoverAccounts(env, m_dir.path()).first();
    QCOMPARE(a.secret(QStringLiteral("certificatePassword")), QStringLiteral("correct horse"));
    for (const QString &v : a.settings)
        QVERIFY(!v.contains(QLatin1String("correct horse")));
    makeClient(a);
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 1);
}

void TestAzureCredentials::certificateWithAnotherKeyIsRefused()
{
    QString registered;
    QVERIFY(!makeCertificate(QStringLiteral("sp-reg"), &registered).isEmpty());
    QVERIFY(!makeCertificate(QStringLiteral("sp-other")).isEmpty());
    QFile c(registered);
    QVERIFY(c.open(QIODevice::ReadOnly));
    control(QStringLiteral("/config"), {{QStringLiteral("clientCertificatePem"), QString::fromLatin1(c.readAll())}});
    const QString sub = seed(0);
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_TENANT_ID"), m_tenant);
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), m_clientId);
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), sub);
    // A certificate the app registration does not have.
    env.insert(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"), m_dir.filePath(QStringLiteral("sp-other.pem")));
    makeClient(discoverAccounts(env, m_dir.path()).first());
    Result<InstancePage> r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().category(), Error::Category::Auth);
    QCOMPARE(r.error().code(), QStringLiteral("invalid_client"));
    QVERIFY2(r.error().message().contains(QLatin1String("AADSTS700027")), qPrintable(r.error().message()));
    // A key that is not its certificate's is refused before anything is sent.
    QFile k(m_dir.filePath(QStringLiteral("sp-other.key"))), mixed(m_dir.filePath(QStringLiteral("mixed.pem")));
    QVERIFY(k.open(QIODevice::ReadOnly) && c.seek(0) && mixed.open(QIODevice::WriteOnly));
    mixed.write(k.readAll() + c.readAll());
    mixed.close();
    env.insert(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"), mixed.fileName());
    const int before = grants(QStringLiteral("client_credentials"));
    makeClient(discoverAccounts(env, m_dir.path()).first());
    r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code(), QStringLiteral("InvalidCertificate"));
    QVERIFY2(r.error().message().contains(QLatin1String("not the certificate's")), qPrintable(r.error().message()));
    QCOMPARE(grants(QStringLiteral("client_credentials")), before);
}

void TestAzureCredentials::managedIdentity()
{
    const QString system = QStringLiteral("7d3e1a52-0b1c-4e3d-9f2a-1b2c3d4e5f60");
    const QString userAssigned = QStringLiteral("0c2d4e6f-1a3b-4c5d-8e9f-a0b1c2d3e4f5");
    control(QStringLiteral("/config"),
            {{QStringLiteral("managedIdentities"),
              QJsonObject{{QStringLiteral("system"), system}, {QStringLiteral("userAssigned"), QJsonArray{userAssigned}}}}});
    const QString sub = seed(2);
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_POD_IDENTITY_AUTHORITY_HOST"), m_endpoint);
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), sub);
    QList<Account> found = discoverAccounts(env, m_dir.path());
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, QStringLiteral("azure:managed-identity"));
    QCOMPARE(found.first().setting(QStringLiteral("credential")), QStringLiteral("managedIdentity"));

    const int before = grants(QStringLiteral("imds"));
    control(QStringLiteral("/config"), {{QStringLiteral("tokenLifetime"), 4}});
    makeClient(found.first());
    Result<InstancePage> r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().instances.size(), 2);
    QCOMPARE(grants(QStringLiteral("imds")), before + 1);
    // Renewed ahead of expiry from the metadata service too.
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= 2200, 5000);
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(m_client->credentials()->fetches(), 2);

    // AZURE_CLIENT_ID: the user-assigned identity.
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), userAssigned);
    const int userBefore = grants(QStringLiteral("imds"), userAssigned);
    makeClient(discoverAccounts(env, m_dir.path()).first());
    r = listOnce();
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(grants(QStringLiteral("imds"), userAssigned), userBefore + 1);

    // An identity the VM does not have: the metadata service's answer, named.
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("99999999-0000-0000-0000-000000000000"));
    makeClient(discoverAccounts(env, m_dir.path()).first());
    r = listOnce();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().category(), Error::Category::Auth);
    QVERIFY2(r.error().message().contains(QLatin1String("Identity not found")), qPrintable(r.error().message()));
}

void TestAzureCredentials::managedIdentityOnlyWhenNothingElse()
{
    const QString dmi = m_dir.filePath(QStringLiteral("dmi"));
    QVERIFY(QDir().mkpath(dmi));
    QProcessEnvironment env = baseEnv();
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), QStringLiteral("sub"));
    // A laptop: no metadata service named, no Azure asset tag: nothing offered, nothing contacted.
    QVERIFY(discoverAccounts(env, m_dir.path(), dmi).isEmpty());
    QFile tag(dmi + QStringLiteral("/chassis_asset_tag"));
    QVERIFY(tag.open(QIODevice::WriteOnly));
    tag.write("7783-7084-3265-9085-8269-3286-77\n");  // what Azure writes into every VM's DMI
    tag.close();
    QList<Account> found = discoverAccounts(env, m_dir.path(), dmi);
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, QStringLiteral("azure:managed-identity"));
    QCOMPARE(ArmConfig::fromAccount(found.first()).imdsEndpoint.toString(), QStringLiteral("http://169.254.169.254"));
    QVERIFY(ArmConfig::fromAccount(found.first()).problem().isEmpty());
    // A service principal configured: that one only.
    env.insert(QStringLiteral("AZURE_TENANT_ID"), m_tenant);
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), m_clientId);
    env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("s"));
    found = discoverAccounts(env, m_dir.path(), dmi);
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, QStringLiteral("azure:env"));
}

SKYDECK_TEST_MAIN(TestAzureCredentials)
#include "tst_azure_credentials.moc"
