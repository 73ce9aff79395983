#include "AzureConfig.h"

#include "SmallFile.h"
#include "AzureLogging.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::azure {

namespace {

const QString kPublicAuthority = QStringLiteral("https://login.microsoftonline.com");
const QString kPublicArm = QStringLiteral("https://management.azure.com");

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

QString checkUrl(const QUrl &url, const QString &what)
{
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("%1 is not a valid URL").arg(what);
    if (url.scheme() == QLatin1String("https"))
        return {};
    if (url.scheme() == QLatin1String("http") && isLoopback(url))
        return {};  // a local test server or emulator
    return QStringLiteral("%1 must use https (plain http only on loopback): %2").arg(what, url.toDisplayString());
}

} // namespace

ArmConfig ArmConfig::fromAccount(const Account &account)
{
    ArmConfig c;
    c.accountId = account.id;
    c.tenantId = account.setting(QStringLiteral("tenantId"));
    c.clientId = account.setting(QStringLiteral("clientId"));
    c.clientSecret = account.secret(QStringLiteral("clientSecret"));
    c.subscriptionId = account.setting(QStringLiteral("subscriptionId"));
    c.authorityHost = QUrl(stripSlash(account.setting(QStringLiteral("authorityHost"), kPublicAuthority)));
    const QString endpoint = stripSlash(account.setting(QStringLiteral("endpoint"), kPublicArm));
    c.resourceManager = QUrl(endpoint);
    c.audience = stripSlash(account.setting(QStringLiteral("audience"), audienceFor(endpoint)));
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
    if (tenantId.isEmpty())
        return QStringLiteral("no tenant: set AZURE_TENANT_ID");
    if (clientId.isEmpty())
        return QStringLiteral("no client id: set AZURE_CLIENT_ID");
    if (clientSecret.isEmpty())
        return QStringLiteral("no client secret: set AZURE_CLIENT_SECRET");
    if (subscriptionId.isEmpty())
        return QStringLiteral("no subscription: set AZURE_SUBSCRIPTION_ID (or pick a default with az account set)");
    if (QString p = checkUrl(authorityHost, QStringLiteral("the authority host (AZURE_AUTHORITY_HOST)")); !p.isEmpty())
        return p;
    return checkUrl(resourceManager, QStringLiteral("the Resource Manager endpoint (AZURE_RESOURCE_MANAGER_ENDPOINT)"));
}

QString cliDefaultSubscription(const QString &profileJsonPath, const QString &tenantId)
{
    std::optional<QByteArray> file = readSmallFile(profileJsonPath);
    if (!file)
        return {};
    QByteArray data = *file;
    if (data.startsWith("\xEF\xBB\xBF"))  // the Azure CLI writes it with a UTF-8 BOM
        data.remove(0, 3);
    const QJsonArray subs = QJsonDocument::fromJson(data).object().value(QStringLiteral("subscriptions")).toArray();
    for (const QJsonValue &v : subs) {
        const QJsonObject s = v.toObject();
        if (!s.value(QStringLiteral("isDefault")).toBool())
            continue;
        if (!tenantId.isEmpty()
            && s.value(QStringLiteral("tenantId")).toString().compare(tenantId, Qt::CaseInsensitive) != 0)
            continue;
        return s.value(QStringLiteral("id")).toString();
    }
    return {};
}

QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home)
{
    const QString tenant = env.value(QStringLiteral("AZURE_TENANT_ID")).trimmed();
    const QString client = env.value(QStringLiteral("AZURE_CLIENT_ID")).trimmed();
    const QString secret = env.value(QStringLiteral("AZURE_CLIENT_SECRET"));
    if (tenant.isEmpty() || client.isEmpty() || secret.isEmpty()) {
        if (!tenant.isEmpty() || !client.isEmpty())
            qCDebug(lcAzure) << "AZURE_TENANT_ID/AZURE_CLIENT_ID set without AZURE_CLIENT_SECRET: no service principal";
        return {};
    }
    const Cloud cloud = cloudNamed(env.value(QStringLiteral("AZURE_CLOUD")));
    QString subscription = env.value(QStringLiteral("AZURE_SUBSCRIPTION_ID")).trimmed();
    QString source = QStringLiteral("environment");
    if (subscription.isEmpty()) {
        const QString dir = env.value(QStringLiteral("AZURE_CONFIG_DIR"), home + QStringLiteral("/.azure"));
        subscription = cliDefaultSubscription(dir + QStringLiteral("/azureProfile.json"), tenant);
        if (!subscription.isEmpty())
            source = QStringLiteral("environment (subscription from the Azure CLI's default)");
    }
    const QString endpoint = stripSlash(env.value(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), cloud.endpoint));
    QString audience = stripSlash(env.value(QStringLiteral("AZURE_RESOURCE_MANAGER_AUDIENCE")));
    if (audience.isEmpty())
        audience = env.contains(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT")) ? audienceFor(endpoint) : cloud.audience;

    Account a;
    a.id = QStringLiteral("azure:env");
    a.provider = QStringLiteral("azure");
    a.displayName = subscription.isEmpty() ? QStringLiteral("Azure · environment")
                                           : QStringLiteral("Azure · %1").arg(subscription.left(8));
    a.source = source;
    a.settings.insert(QStringLiteral("tenantId"), tenant);
    a.settings.insert(QStringLiteral("clientId"), client);
    if (!subscription.isEmpty())
        a.settings.insert(QStringLiteral("subscriptionId"), subscription);
    a.settings.insert(QStringLiteral("authorityHost"),
                      stripSlash(env.value(QStringLiteral("AZURE_AUTHORITY_HOST"), cloud.authority)));
    a.settings.insert(QStringLiteral("endpoint"), endpoint);
    a.settings.insert(QStringLiteral("audience"), audience);
    if (const QString group = env.value(QStringLiteral("AZURE_DEFAULTS_GROUP")).trimmed(); !group.isEmpty())
        a.settings.insert(QStringLiteral("resourceGroup"), group);
    a.secrets.insert(QStringLiteral("clientSecret"), secret);
    return {a};
}

} // namespace skydeck::azure
