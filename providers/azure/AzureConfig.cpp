#include "AzureConfig.h"

#include "AzureCliProfile.h"
#include "AzureLogging.h"
#include "SmallFile.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::azure {

namespace {

const QString kPublicAuthority = QStringLiteral("https://login.microsoftonline.com");
const QString kPublicArm = QStringLiteral("https://management.azure.com");
const QString kImds = QStringLiteral("http://169.254.169.254");
// What Azure writes into every VM's DMI chassis asset tag (the Azure Linux agent and cloud-init
// recognise an Azure VM by it).
const QByteArray kAzureAssetTag = "7783-7084-3265-9085-8269-3286-77";

struct Cloud {
    QString authority;
    QString endpoint;
    QString audience;
};

Cloud cloudNamed(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("azureusgovernment"))
        return {QStringLiteral("https://login.microsoftonline.us"), QStringLiteral("https://management.usgovcloudapi.net"),
                QStringLiteral("https://management.usgovcloudapi.net")};
    if (n == QLatin1String("azurechinacloud"))
        return {QStringLiteral("https://login.chinacloudapi.cn"), QStringLiteral("https://management.chinacloudapi.cn"),
                QStringLiteral("https://management.chinacloudapi.cn")};
    return {kPublicAuthority, kPublicArm, kPublicArm};
}

// The resource the Azure CLI asks tokens for in its built-in clouds (azure/cli/core/cloud.py,
// active_directory_resource_id), trailing slash included.
QString cliResourceOf(const QString &cloudName)
{
    const QString n = cloudName.trimmed().toLower();
    if (n == QLatin1String("azureusgovernment"))
        return QStringLiteral("https://management.core.usgovcloudapi.net/");
    if (n == QLatin1String("azurechinacloud"))
        return QStringLiteral("https://management.core.chinacloudapi.cn/");
    return QStringLiteral("https://management.core.windows.net/");
}

// The audience a Resource Manager endpoint expects: a sovereign cloud's own, else the public one
// (custom endpoints, e.g. test servers and Azure Stack hubs, set AZURE_RESOURCE_MANAGER_AUDIENCE).
QString audienceFor(const QString &endpoint)
{
    const QString host = QUrl(endpoint).host().toLower();
    if (host == QLatin1String("management.usgovcloudapi.net") || host == QLatin1String("management.chinacloudapi.cn"))
        return QStringLiteral("https://") + host;
    return kPublicArm;
}

QString stripSlash(QString s)
{
    s = s.trimmed();
    while (s.endsWith(QLatin1Char('/')))
        s.chop(1);
    return s;
}

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress a(host);
    return !a.isNull() && a.isLoopback();
}

// linkLocal: plain http to 169.254.169.254 too (the VM's metadata service, which only speaks http and is
// reached without leaving the host).
QString checkUrl(const QUrl &url, const QString &what, bool linkLocal = false)
{
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("%1 is not a valid URL").arg(what);
    if (url.scheme() == QLatin1String("https"))
        return {};
    if (url.scheme() == QLatin1String("http") && isLoopback(url))
        return {};  // a local test server or emulator
    if (url.scheme() == QLatin1String("http") && linkLocal && url.host() == QLatin1String("169.254.169.254"))
        return {};
    return QStringLiteral("%1 must use https (plain http only on loopback): %2").arg(what, url.toDisplayString());
}

} // namespace

ArmConfig ArmConfig::fromAccount(const Account &account)
{
    ArmConfig c;
    c.accountId = account.id;
    const QString kind = account.setting(QStringLiteral("credential"));
    c.credential = kind == QLatin1String("certificate")       ? ArmCredential::ClientCertificate
        : kind == QLatin1String("cli")                         ? ArmCredential::AzureCli
        : kind == QLatin1String("managedIdentity")             ? ArmCredential::ManagedIdentity
                                                               : ArmCredential::ClientSecret;
    c.tenantId = account.setting(QStringLiteral("tenantId"));
    c.clientId = account.setting(QStringLiteral("clientId"));
    c.clientSecret = account.secret(QStringLiteral("clientSecret"));
    c.certificatePath = account.setting(QStringLiteral("certificatePath"));
    c.certificatePassword = account.secret(QStringLiteral("certificatePassword"));
    c.cliConfigDir = account.setting(QStringLiteral("cliConfigDir"));
    c.cliUser = account.setting(QStringLiteral("cliUser"));
    c.cliEnvironment = account.setting(QStringLiteral("cliEnvironment"));
    c.imdsEndpoint = QUrl(stripSlash(account.setting(QStringLiteral("imdsEndpoint"), kImds)));
    c.subscriptionId = account.setting(QStringLiteral("subscriptionId"));
    c.authorityHost = QUrl(stripSlash(account.setting(QStringLiteral("authorityHost"), kPublicAuthority)));
    const QString endpoint = stripSlash(account.setting(QStringLiteral("endpoint"), kPublicArm));
    c.resourceManager = QUrl(endpoint);
    c.audience = account.setting(QStringLiteral("audience"), audienceFor(endpoint)).trimmed();
    if (c.credential != ArmCredential::AzureCli)  // the CLI's resource keeps its slash: ".../" + "/.default"
        c.audience = stripSlash(c.audience);
    if (c.credential == ArmCredential::AzureCli && c.cliEnvironment.isEmpty())
        c.cliEnvironment = c.authorityHost.host().toLower();
    c.resourceGroup = account.setting(QStringLiteral("resourceGroup"), c.resourceGroup);
    bool ok = false;
    const int poll = account.setting(QStringLiteral("pollIntervalMs")).toInt(&ok);
    if (ok && poll > 0)
        c.pollIntervalMs = poll;
    return c;
}

QString ArmConfig::scope() const
{
    return audience + QStringLiteral("/.default");
}

QUrl ArmConfig::tokenUrl() const
{
    QUrl u = authorityHost;
    u.setPath(stripSlash(u.path()) + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(tenantId))
              + QStringLiteral("/oauth2/v2.0/token"));
    return u;
}

QString ArmConfig::problem() const
{
    switch (credential) {
    case ArmCredential::ClientSecret:
    case ArmCredential::ClientCertificate:
        if (tenantId.isEmpty())
            return QStringLiteral("no tenant: set AZURE_TENANT_ID");
        if (clientId.isEmpty())
            return QStringLiteral("no client id: set AZURE_CLIENT_ID");
        if (credential == ArmCredential::ClientSecret && clientSecret.isEmpty())
            return QStringLiteral("no client secret: set AZURE_CLIENT_SECRET");
        if (credential == ArmCredential::ClientCertificate && certificatePath.isEmpty())
            return QStringLiteral("no certificate: set AZURE_CLIENT_CERTIFICATE_PATH");
        break;
    case ArmCredential::AzureCli:
        if (tenantId.isEmpty() || cliUser.isEmpty() || cliConfigDir.isEmpty())
            return QStringLiteral("not signed in to the Azure CLI: run az login");
        break;
    case ArmCredential::ManagedIdentity:
        if (QString p = checkUrl(imdsEndpoint, QStringLiteral("the metadata service (AZURE_POD_IDENTITY_AUTHORITY_HOST)"),
                                 /*linkLocal=*/true);
            !p.isEmpty())
            return p;
        break;
    }
    if (subscriptionId.isEmpty())
        return QStringLiteral("no subscription: set AZURE_SUBSCRIPTION_ID (or pick a default with az account set)");
    if (QString p = checkUrl(authorityHost, QStringLiteral("the authority host (AZURE_AUTHORITY_HOST)")); !p.isEmpty())
        return p;
    return checkUrl(resourceManager, QStringLiteral("the Resource Manager endpoint (AZURE_RESOURCE_MANAGER_ENDPOINT)"));
}

QString cliDefaultSubscription(const QString &profileJsonPath, const QString &tenantId)
{
    const std::optional<CliSubscription> sub = cliDefaultSubscriptionEntry(profileJsonPath, tenantId);
    return sub ? sub->id : QString();
}

namespace {

struct Endpoints {
    QString authority;
    QString endpoint;
    QString audience;
};

// The cloud from the environment: AZURE_CLOUD picks one, the explicit variables win over it.
Endpoints endpointsFrom(const QProcessEnvironment &env, const Cloud &cloud)
{
    Endpoints e;
    e.authority = stripSlash(env.value(QStringLiteral("AZURE_AUTHORITY_HOST"), cloud.authority));
    e.endpoint = stripSlash(env.value(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), cloud.endpoint));
    e.audience = stripSlash(env.value(QStringLiteral("AZURE_RESOURCE_MANAGER_AUDIENCE")));
    if (e.audience.isEmpty())
        e.audience = env.contains(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT")) ? audienceFor(e.endpoint) : cloud.audience;
    return e;
}

Account baseAccount(const QString &id, const QString &label, const QString &subscription, const QProcessEnvironment &env)
{
    Account a;
    a.id = id;
    a.provider = QStringLiteral("azure");
    a.displayName = subscription.isEmpty() ? QStringLiteral("Azure · %1").arg(label)
                                           : QStringLiteral("Azure · %1").arg(subscription.left(8));
    if (!subscription.isEmpty())
        a.settings.insert(QStringLiteral("subscriptionId"), subscription);
    if (const QString group = env.value(QStringLiteral("AZURE_DEFAULTS_GROUP")).trimmed(); !group.isEmpty())
        a.settings.insert(QStringLiteral("resourceGroup"), group);
    return a;
}

void setEndpoints(Account &a, const Endpoints &e)
{
    a.settings.insert(QStringLiteral("authorityHost"), e.authority);
    a.settings.insert(QStringLiteral("endpoint"), e.endpoint);
    a.settings.insert(QStringLiteral("audience"), e.audience);
}

bool onAzureVm(const QString &dmiDir)
{
    const std::optional<QByteArray> tag = readSmallFile(dmiDir + QStringLiteral("/chassis_asset_tag"), 256);
    return tag && tag->trimmed() == kAzureAssetTag;
}

} // namespace

QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home, const QString &dmiDir)
{
    QList<Account> found;
    const Cloud cloud = cloudNamed(env.value(QStringLiteral("AZURE_CLOUD")));
    const QString configDir = env.value(QStringLiteral("AZURE_CONFIG_DIR"), home + QStringLiteral("/.azure"));
    const QString profile = configDir + QStringLiteral("/azureProfile.json");
    const QString envSubscription = env.value(QStringLiteral("AZURE_SUBSCRIPTION_ID")).trimmed();

    // 1. A service principal from the environment, with a secret or a certificate.
    const QString tenant = env.value(QStringLiteral("AZURE_TENANT_ID")).trimmed();
    const QString client = env.value(QStringLiteral("AZURE_CLIENT_ID")).trimmed();
    const QString secret = env.value(QStringLiteral("AZURE_CLIENT_SECRET"));
    const QString certificate = env.value(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH")).trimmed();
    if (!tenant.isEmpty() && !client.isEmpty() && (!secret.isEmpty() || !certificate.isEmpty())) {
        QString subscription = envSubscription;
        QString source = QStringLiteral("environment");
        if (subscription.isEmpty()) {
            subscription = cliDefaultSubscription(profile, tenant);
            if (!subscription.isEmpty())
                source = QStringLiteral("environment (subscription from the Azure CLI's default)");
        }
        Account a = baseAccount(QStringLiteral("azure:env"), QStringLiteral("environment"), subscription, env);
        a.source = source;
        a.settings.insert(QStringLiteral("tenantId"), tenant);
        a.settings.insert(QStringLiteral("clientId"), client);
        setEndpoints(a, endpointsFrom(env, cloud));
        if (!secret.isEmpty()) {
            a.settings.insert(QStringLiteral("credential"), QStringLiteral("secret"));
            a.secrets.insert(QStringLiteral("clientSecret"), secret);
        } else {
            a.settings.insert(QStringLiteral("credential"), QStringLiteral("certificate"));
            a.settings.insert(QStringLiteral("certificatePath"), certificate);
            if (const QString pw = env.value(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD")); !pw.isEmpty())
                a.secrets.insert(QStringLiteral("certificatePassword"), pw);
        }
        found << a;
    } else if (!tenant.isEmpty() && !client.isEmpty()) {
        qCDebug(lcAzure) << "AZURE_TENANT_ID/AZURE_CLIENT_ID set without AZURE_CLIENT_SECRET or "
                            "AZURE_CLIENT_CERTIFICATE_PATH: no service principal from the environment";
    }

    // 2. The Azure CLI's signed-in user (or service principal) and default subscription, in its cloud.
    if (const std::optional<CliSubscription> sub = cliDefaultSubscriptionEntry(profile, {}); sub && !sub->userName.isEmpty()) {
        const CliCloud c = cliCloud(configDir, sub->environmentName);
        const Cloud named = c.authority.isEmpty() ? cloudNamed(sub->environmentName)
                                                  : Cloud{stripSlash(c.authority), stripSlash(c.resourceManager), {}};
        const QString cliResource = !c.resource.isEmpty() ? c.resource : cliResourceOf(sub->environmentName);
        Endpoints e = endpointsFrom(env, named);
        Account a = baseAccount(QStringLiteral("azure:cli"), QStringLiteral("Azure CLI"),
                                envSubscription.isEmpty() ? sub->id : envSubscription, env);
        a.settings.insert(QStringLiteral("tenantId"), sub->tenantId);
        if (sub->userType == QLatin1String("user")) {
            a.displayName += QStringLiteral(" (%1)").arg(sub->userName);
            a.source = QStringLiteral("the Azure CLI (az login)");
            a.settings.insert(QStringLiteral("credential"), QStringLiteral("cli"));
            a.settings.insert(QStringLiteral("cliUser"), sub->userName);
            a.settings.insert(QStringLiteral("cliConfigDir"), configDir);
            // MSAL keys the cache by the authority's host name; the variables only move where requests go.
            a.settings.insert(QStringLiteral("cliEnvironment"), QUrl(named.authority).host().toLower());
            e.audience = cliResource;  // the CLI's tokens are for its resource, slash and all
            setEndpoints(a, e);
            found << a;
        } else if (sub->userType == QLatin1String("servicePrincipal")) {
            if (const std::optional<CliServicePrincipal> sp = cliServicePrincipal(configDir, sub->userName, sub->tenantId)) {
                a.displayName += QStringLiteral(" (service principal %1)").arg(sp->clientId.left(8));
                a.source = QStringLiteral("the Azure CLI (az login --service-principal)");
                a.settings.insert(QStringLiteral("clientId"), sp->clientId);
                if (!sp->clientSecret.isEmpty()) {
                    a.settings.insert(QStringLiteral("credential"), QStringLiteral("secret"));
                    a.secrets.insert(QStringLiteral("clientSecret"), sp->clientSecret);
                } else {
                    a.settings.insert(QStringLiteral("credential"), QStringLiteral("certificate"));
                    a.settings.insert(QStringLiteral("certificatePath"), sp->certificatePath);
                }
                if (!env.contains(QStringLiteral("AZURE_RESOURCE_MANAGER_AUDIENCE")))
                    e.audience = stripSlash(cliResource);
                setEndpoints(a, e);
                found << a;
            } else {
                qCDebug(lcAzure) << "the Azure CLI's service principal has no secret or certificate Skydeck can read";
            }
        }
    }

    // 3. The VM's managed identity, when nothing else is there and this is an Azure VM.
    const QString imds = env.value(QStringLiteral("AZURE_POD_IDENTITY_AUTHORITY_HOST")).trimmed();
    if (found.isEmpty() && (!imds.isEmpty() || onAzureVm(dmiDir))) {
        const QString subscription = envSubscription.isEmpty() ? cliDefaultSubscription(profile, {}) : envSubscription;
        Account a = baseAccount(QStringLiteral("azure:managed-identity"), QStringLiteral("managed identity"), subscription, env);
        a.source = QStringLiteral("this Azure VM's managed identity");
        a.settings.insert(QStringLiteral("credential"), QStringLiteral("managedIdentity"));
        if (!imds.isEmpty())
            a.settings.insert(QStringLiteral("imdsEndpoint"), stripSlash(imds));
        if (!client.isEmpty())
            a.settings.insert(QStringLiteral("clientId"), client);  // a user-assigned identity
        setEndpoints(a, endpointsFrom(env, cloud));
        found << a;
    }
    return found;
}

} // namespace skydeck::azure
