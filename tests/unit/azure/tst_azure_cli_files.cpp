// The Azure CLI's files as Skydeck reads them (AzureCliProfile.h, MsalTokenCache.h, discovery in
// AzureConfig.h): which of MSAL's cache entries are taken for a user, tenant and scope, and the
// account found from azureProfile.json and clouds.config. Shapes as MSAL Python and azure-cli write
// them (tests/integration/azure/tst_azure_credentials.cpp reads a cache the real az wrote).
#include "AzureConfig.h"
#include "MsalTokenCache.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::azure;

namespace {

const QString kHome = QStringLiteral("uid-1.home-tenant");
const QString kScope = QStringLiteral("https://management.core.windows.net//.default");
const QString kCli = QString::fromLatin1(kAzureCliClientId);
constexpr qint64 kNow = 1800000000;

QJsonObject accessToken(const QString &secret, const QString &realm, qint64 expiresOn, const QString &target = kScope,
                        const QString &environment = QStringLiteral("login.microsoftonline.com"))
{
    return {{QStringLiteral("credential_type"), QStringLiteral("AccessToken")}, {QStringLiteral("secret"), secret},
            {QStringLiteral("home_account_id"), kHome}, {QStringLiteral("environment"), environment},
            {QStringLiteral("client_id"), kCli}, {QStringLiteral("target"), target}, {QStringLiteral("realm"), realm},
            {QStringLiteral("token_type"), QStringLiteral("Bearer")},
            {QStringLiteral("cached_at"), QString::number(kNow - 100)},
            {QStringLiteral("expires_on"), QString::number(expiresOn)},
            {QStringLiteral("extended_expires_on"), QString::number(expiresOn)}};
}

QJsonObject refreshToken(const QString &secret, const QString &clientId, qint64 modified, const QString &family = {})
{
    QJsonObject rt{{QStringLiteral("credential_type"), QStringLiteral("RefreshToken")}, {QStringLiteral("secret"), secret},
                   {QStringLiteral("home_account_id"), kHome},
                   {QStringLiteral("environment"), QStringLiteral("login.microsoftonline.com")},
                   {QStringLiteral("client_id"), clientId}, {QStringLiteral("target"), kScope},
                   {QStringLiteral("last_modification_time"), QString::number(modified)}};
    if (!family.isEmpty())
        rt.insert(QStringLiteral("family_id"), family);
    return rt;
}

QJsonObject account(const QString &username)
{
    return {{QStringLiteral("home_account_id"), kHome},
            {QStringLiteral("environment"), QStringLiteral("login.microsoftonline.com")},
            {QStringLiteral("realm"), QStringLiteral("home-tenant")}, {QStringLiteral("local_account_id"), QStringLiteral("uid-1")},
            {QStringLiteral("username"), username}, {QStringLiteral("authority_type"), QStringLiteral("MSSTS")}};
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(data);
}

MsalQuery query(const QString &tenant)
{
    MsalQuery q;
    q.username = QStringLiteral("Ada@Contoso.example");  // case differs from the cache's
    q.environment = QStringLiteral("login.microsoftonline.com");
    q.tenantId = tenant;
    q.scope = kScope;
    q.now = kNow;
    q.minValidSeconds = 300;
    return q;
}

} // namespace

class TestAzureCliFiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void accessTokenForTheTenantAndScope();
    void refreshTokenOwnBeforeFamily();
    void environmentAliasesAndOtherUsers();
    void discoveryFromProfileAndClouds();
};

void TestAzureCliFiles::accessTokenForTheTenantAndScope()
{
    QTemporaryDir dir;
    QJsonObject cache{
        {QStringLiteral("Account"), QJsonObject{{QStringLiteral("a"), account(QStringLiteral("ada@contoso.example"))}}},
        {QStringLiteral("AccessToken"),
         QJsonObject{{QStringLiteral("1"), accessToken(QStringLiteral("at-tenant-a"), QStringLiteral("tenant-a"), kNow + 3000)},
                     {QStringLiteral("2"), accessToken(QStringLiteral("at-tenant-b"), QStringLiteral("TENANT-B"), kNow + 3000)},
                     {QStringLiteral("3"), accessToken(QStringLiteral("at-b-graph"), QStringLiteral("tenant-b"), kNow + 3500,
                                                       QStringLiteral("https://graph.microsoft.com/.default"))},
                     {QStringLiteral("4"), accessToken(QStringLiteral("at-b-soon"), QStringLiteral("tenant-b"), kNow + 200)},
                     {QStringLiteral("5"), accessToken(QStringLiteral("at-b-later"), QStringLiteral("tenant-b"), kNow + 3300,
                                                       QStringLiteral("https://management.core.windows.net//user_impersonation ")
                                                           + kScope)}}},
        {QStringLiteral("RefreshToken"), QJsonObject{{QStringLiteral("r"), refreshToken(QStringLiteral("rt"), kCli, kNow)}}}};
    writeFile(dir.filePath(QStringLiteral("msal_token_cache.json")), QJsonDocument(cache).toJson());

    Result<MsalCachedTokens> r = readMsalCache(dir.path(), query(QStringLiteral("tenant-b")));
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r->accessToken, QByteArray("at-b-later"));  // the right tenant and scope, the longest-lived
    QCOMPARE(r->accessExpiresOn, kNow + 3300);
    QCOMPARE(r->refreshToken, QByteArray("rt"));
    QCOMPARE(readMsalCache(dir.path(), query(QStringLiteral("tenant-a")))->accessToken, QByteArray("at-tenant-a"));
    // A tenant with no access token yet: only the refresh token (valid for every tenant).
    r = readMsalCache(dir.path(), query(QStringLiteral("tenant-c")));
    QVERIFY(r.ok());
    QVERIFY(r->accessToken.isEmpty());
    QCOMPARE(r->refreshToken, QByteArray("rt"));
    // Too close to its expiry: not taken.
    MsalQuery late = query(QStringLiteral("tenant-a"));
    late.now = kNow + 2800;
    QVERIFY(readMsalCache(dir.path(), late)->accessToken.isEmpty());
}

void TestAzureCliFiles::refreshTokenOwnBeforeFamily()
{
    QTemporaryDir dir;
    QJsonObject rts{{QStringLiteral("1"), refreshToken(QStringLiteral("family-newer"), QStringLiteral("other-app"), kNow, QStringLiteral("1"))},
                    {QStringLiteral("2"), refreshToken(QStringLiteral("own-old"), kCli, kNow - 500)},
                    {QStringLiteral("3"), refreshToken(QStringLiteral("own-new"), kCli, kNow - 100)},
                    {QStringLiteral("4"), refreshToken(QStringLiteral("stranger"), QStringLiteral("no-family-app"), kNow + 100)}};
    QJsonObject cache{
        {QStringLiteral("Account"), QJsonObject{{QStringLiteral("a"), account(QStringLiteral("ada@contoso.example"))}}},
        {QStringLiteral("RefreshToken"), rts}};
    const QString path = dir.filePath(QStringLiteral("msal_token_cache.json"));
    writeFile(path, QJsonDocument(cache).toJson());
    QCOMPARE(readMsalCache(dir.path(), query(QStringLiteral("t")))->refreshToken, QByteArray("own-new"));
    rts.remove(QStringLiteral("2"));
    rts.remove(QStringLiteral("3"));
    cache.insert(QStringLiteral("RefreshToken"), rts);
    writeFile(path, QJsonDocument(cache).toJson());
    QCOMPARE(readMsalCache(dir.path(), query(QStringLiteral("t")))->refreshToken, QByteArray("family-newer"));
    rts.remove(QStringLiteral("1"));
    cache.insert(QStringLiteral("RefreshToken"), rts);
    writeFile(path, QJsonDocument(cache).toJson());
    const Result<MsalCachedTokens> none = readMsalCache(dir.path(), query(QStringLiteral("t")));
    QVERIFY(!none.ok());
    QCOMPARE(none.error().code(), QStringLiteral("AzureCliNotSignedIn"));
    QVERIFY(!none.error().message().contains(QLatin1String("stranger")));
}

void TestAzureCliFiles::environmentAliasesAndOtherUsers()
{
    QTemporaryDir dir;
    QJsonObject cache{
        {QStringLiteral("Account"), QJsonObject{{QStringLiteral("a"), account(QStringLiteral("ada@contoso.example"))}}},
        {QStringLiteral("AccessToken"),
         QJsonObject{{QStringLiteral("1"), accessToken(QStringLiteral("at-alias"), QStringLiteral("t"), kNow + 3000, kScope,
                                                       QStringLiteral("login.windows.net"))},
                     {QStringLiteral("2"), accessToken(QStringLiteral("at-gov"), QStringLiteral("t"), kNow + 3500, kScope,
                                                       QStringLiteral("login.microsoftonline.us"))}}}};
    writeFile(dir.filePath(QStringLiteral("msal_token_cache.json")), QJsonDocument(cache).toJson());
    // login.windows.net is the public cloud too (MSAL's aliases); another cloud's token is not.
    QCOMPARE(readMsalCache(dir.path(), query(QStringLiteral("t")))->accessToken, QByteArray("at-alias"));
    MsalQuery other = query(QStringLiteral("t"));
    other.username = QStringLiteral("grace@contoso.example");
    const Result<MsalCachedTokens> r = readMsalCache(dir.path(), other);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message().contains(QLatin1String("grace@contoso.example is not signed in")), qPrintable(r.error().message()));
    QVERIFY(r.error().message().endsWith(QLatin1String("run az login")));
    // No cache at all.
    QTemporaryDir empty;
    QCOMPARE(readMsalCache(empty.path(), query(QStringLiteral("t"))).error().code(), QStringLiteral("AzureCliNotSignedIn"));
}

void TestAzureCliFiles::discoveryFromProfileAndClouds()
{
    QTemporaryDir home;
    const QString az = home.filePath(QStringLiteral(".azure"));
    QVERIFY(QDir().mkpath(az));
    writeFile(az + QStringLiteral("/azureProfile.json"),
              QByteArray("\xEF\xBB\xBF") + R"({"installationId": "x", "subscriptions": [
        {"id": "sub-other", "name": "Other", "state": "Enabled", "user": {"name": "ada@contoso.example", "type": "user"},
         "isDefault": false, "tenantId": "t1", "environmentName": "AzureCloud"},
        {"id": "sub-work", "name": "Work", "state": "Enabled", "user": {"name": "ada@contoso.example", "type": "user"},
         "isDefault": true, "tenantId": "t2", "environmentName": "AzureCloud", "homeTenantId": "t1"}]})");
    QProcessEnvironment env;
    QList<Account> found = discoverAccounts(env, home.path(), home.filePath(QStringLiteral("no-dmi")));
    QCOMPARE(found.size(), 1);
    Account a = found.first();
    QCOMPARE(a.id, QStringLiteral("azure:cli"));
    QCOMPARE(a.setting(QStringLiteral("subscriptionId")), QStringLiteral("sub-work"));
    QCOMPARE(a.setting(QStringLiteral("tenantId")), QStringLiteral("t2"));  // the subscription's tenant
    QCOMPARE(a.setting(QStringLiteral("cliConfigDir")), az);
    QCOMPARE(a.setting(QStringLiteral("cliEnvironment")), QStringLiteral("login.microsoftonline.com"));
    ArmConfig c = ArmConfig::fromAccount(a);
    QCOMPARE(c.credential, ArmCredential::AzureCli);
    QCOMPARE(c.scope(), QStringLiteral("https://management.core.windows.net//.default"));
    QCOMPARE(c.tokenUrl().toString(), QStringLiteral("https://login.microsoftonline.com/t2/oauth2/v2.0/token"));
    QCOMPARE(c.resourceManager.toString(), QStringLiteral("https://management.azure.com"));
    QVERIFY2(c.problem().isEmpty(), qPrintable(c.problem()));

    // A cloud added with az cloud register (configparser, ':' or '=' between key and value).
    writeFile(az + QStringLiteral("/azureProfile.json"),
              R"({"subscriptions": [{"id": "sub-stack", "user": {"name": "ada@contoso.example", "type": "user"},
                  "isDefault": true, "tenantId": "t3", "environmentName": "MyStack"}]})");
    writeFile(az + QStringLiteral("/clouds.config"), "[Other]\nendpoint_active_directory = https://login.other.example\n\n"
                                                     "[MyStack]\nendpoint_resource_manager = https://management.stack.example/\n"
                                                     "endpoint_active_directory: https://login.stack.example/\n"
                                                     "endpoint_active_directory_resource_id = https://management.stack.example/abc\n");
    c = ArmConfig::fromAccount(discoverAccounts(env, home.path(), home.filePath(QStringLiteral("no-dmi"))).first());
    QCOMPARE(c.authorityHost.toString(), QStringLiteral("https://login.stack.example"));
    QCOMPARE(c.resourceManager.toString(), QStringLiteral("https://management.stack.example"));
    QCOMPARE(c.scope(), QStringLiteral("https://management.stack.example/abc/.default"));
    QCOMPARE(c.cliEnvironment, QStringLiteral("login.stack.example"));
    // The explicit variables move the requests, not the cache's environment.
    env.insert(QStringLiteral("AZURE_AUTHORITY_HOST"), QStringLiteral("http://127.0.0.1:9"));
    env.insert(QStringLiteral("AZURE_SUBSCRIPTION_ID"), QStringLiteral("sub-env"));
    a = discoverAccounts(env, home.path(), home.filePath(QStringLiteral("no-dmi"))).first();
    c = ArmConfig::fromAccount(a);
    QCOMPARE(c.authorityHost.toString(), QStringLiteral("http://127.0.0.1:9"));
    QCOMPARE(c.cliEnvironment, QStringLiteral("login.stack.example"));
    QCOMPARE(c.subscriptionId, QStringLiteral("sub-env"));

    // A service principal signed in to the CLI is not the CLI user's account.
    writeFile(az + QStringLiteral("/azureProfile.json"),
              R"({"subscriptions": [{"id": "s", "user": {"name": "5f1c2a1e", "type": "servicePrincipal"},
                  "isDefault": true, "tenantId": "t"}]})");
    QVERIFY(discoverAccounts(QProcessEnvironment(), home.path(), home.filePath(QStringLiteral("no-dmi"))).isEmpty());
    // ... unless the CLI has its credential: the entry of the subscription's tenant, as az picks it.
    writeFile(az + QStringLiteral("/service_principal_entries.json"),
              R"([{"tenant": "other", "client_id": "5f1c2a1e", "client_secret": "wrong-tenant"},
                  {"tenant": "t", "client_id": "5f1c2a1e", "client_secret": "right-tenant"},
                  {"tenant": "t", "client_id": "another", "certificate": "/x.pem"}])");
    found = discoverAccounts(QProcessEnvironment(), home.path(), home.filePath(QStringLiteral("no-dmi")));
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, QStringLiteral("azure:cli"));
    QCOMPARE(found.first().setting(QStringLiteral("credential")), QStringLiteral("secret"));
    QCOMPARE(found.first().secret(QStringLiteral("clientSecret")), QStringLiteral("right-tenant"));
    c = ArmConfig::fromAccount(found.first());
    QCOMPARE(c.clientId, QStringLiteral("5f1c2a1e"));
    QCOMPARE(c.tenantId, QStringLiteral("t"));
    QCOMPARE(c.scope(), QStringLiteral("https://management.core.windows.net/.default"));
    QVERIFY2(c.problem().isEmpty(), qPrintable(c.problem()));
}

SKYDECK_TEST_MAIN(TestAzureCliFiles)
#include "tst_azure_cli_files.moc"
