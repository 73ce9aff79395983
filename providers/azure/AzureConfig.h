#pragma once

#include "Account.h"
#include "Result.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

namespace skydeck::azure {

// Where and as whom an Azure account talks to Resource Manager. Built from an Account (settings and
// secrets below); the client secret lives in memory only.
struct ArmConfig {
    QString accountId;
    QString tenantId;
    QString clientId;
    QString clientSecret;     // Account::secrets["clientSecret"]
    QString subscriptionId;
    QUrl authorityHost;       // https://login.microsoftonline.com (tokens: {authority}/{tenant}/oauth2/v2.0/token)
    QUrl resourceManager;     // https://management.azure.com
    QString audience;         // the token's resource: "https://management.azure.com" (scope = audience + "/.default")
    QString resourceGroup = QStringLiteral("skydeck");  // where launched VMs and their network go (made if absent)
    int pollIntervalMs = 5000;  // between operation polls when the service sends no Retry-After
    int maxOperationMs = 60 * 60 * 1000;  // give up following an operation after this long

    static ArmConfig fromAccount(const Account &account);

    QString scope() const;  // "https://management.azure.com/.default"
    QUrl tokenUrl() const;
    // What is missing or unsafe (no tenant/client/secret/subscription, plain http to a host that is
    // not loopback); an empty string when usable.
    QString problem() const;
};

// The Azure accounts a user already has, found where Azure's SDKs and CLI look:
//  - a service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (the
//    variables azure-identity's EnvironmentCredential reads): account "azure:env";
//  - the subscription from AZURE_SUBSCRIPTION_ID, else the Azure CLI's default subscription of the
//    same tenant in AZURE_CONFIG_DIR (default ~/.azure)/azureProfile.json;
//  - the cloud: AZURE_AUTHORITY_HOST (default https://login.microsoftonline.com, as azure-identity),
//    AZURE_RESOURCE_MANAGER_ENDPOINT (default https://management.azure.com) and
//    AZURE_RESOURCE_MANAGER_AUDIENCE (default: the public cloud's https://management.azure.com, or the
//    sovereign cloud's own when the endpoint is management.usgovcloudapi.net or
//    management.chinacloudapi.cn). AZURE_CLOUD=AzureUSGovernment|AzureChinaCloud (the Azure CLI's
//    cloud names) picks a sovereign cloud's three at once; the explicit variables win.
//  - the resource group new VMs go to: AZURE_DEFAULTS_GROUP (the Azure CLI's default group, as
//    `az configure --defaults group=` sets it), else "skydeck".
// Settings: tenantId, clientId, subscriptionId, authorityHost, endpoint, audience, resourceGroup.
// Secrets (memory only): clientSecret.
QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home);

// The Azure CLI's default subscription for `tenantId` (any tenant when empty) in azureProfile.json.
QString cliDefaultSubscription(const QString &profileJsonPath, const QString &tenantId);

} // namespace skydeck::azure
