#pragma once

#include "Account.h"
#include "Result.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

namespace skydeck::azure {

// How an Azure account signs in to the Microsoft identity platform.
enum class ArmCredential {
    ClientSecret,       // a service principal's secret (client credentials grant)
    ClientCertificate,  // a service principal's certificate (client credentials with a signed assertion)
    AzureCli,           // the Azure CLI's signed-in user (its MSAL token cache; refresh token grant)
    ManagedIdentity,    // the Azure VM's managed identity (the Instance Metadata Service)
};

// Where and as whom an Azure account talks to Resource Manager. Built from an Account (settings and
// secrets below); secrets live in memory only.
struct ArmConfig {
    QString accountId;
    ArmCredential credential = ArmCredential::ClientSecret;
    QString tenantId;
    QString clientId;
    QString clientSecret;     // Account::secrets["clientSecret"]
    QString certificatePath;  // PEM with the private key and the certificate (ClientCertificate)
    QString certificatePassword;  // Account::secrets["certificatePassword"]: the key's, when encrypted
    QString cliConfigDir;     // the Azure CLI's directory (AzureCli): msal_token_cache.json
    QString cliUser;          // the signed-in user's name, as azureProfile.json has it (AzureCli)
    QString cliEnvironment;   // the authority's host name, as MSAL keys its cache (AzureCli)
    QUrl imdsEndpoint;        // http://169.254.169.254 (ManagedIdentity)
    QString subscriptionId;
    QUrl authorityHost;       // https://login.microsoftonline.com (tokens: {authority}/{tenant}/oauth2/v2.0/token)
    QUrl resourceManager;     // https://management.azure.com
    // The token's resource: "https://management.azure.com" (scope = audience + "/.default"); for the
    // Azure CLI's account the CLI's own, "https://management.core.windows.net/" (its trailing slash kept).
    QString audience;
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

// The Azure accounts a user already has, found where Azure's SDKs and CLI look, in this order:
//  1. "azure:env", a service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET,
//     else AZURE_CLIENT_CERTIFICATE_PATH (a PEM file with the private key and the certificate;
//     AZURE_CLIENT_CERTIFICATE_PASSWORD when the key is encrypted), as azure-identity's
//     EnvironmentCredential reads them;
//  2. "azure:cli", the Azure CLI's default subscription in AZURE_CONFIG_DIR (default ~/.azure)/
//     azureProfile.json when a user signed in to it (`az login`): its tokens come from the CLI's
//     MSAL token cache (msal_token_cache.json), which is read and never written; or, after
//     `az login --service-principal`, that service principal's secret or certificate from the CLI's
//     service_principal_entries.json;
//  3. "azure:managed-identity", only when neither is there and this is an Azure VM (its DMI chassis
//     asset tag, read from dmiDir) or AZURE_POD_IDENTITY_AUTHORITY_HOST names the metadata service (as
//     azure-identity reads it); AZURE_CLIENT_ID picks a user-assigned identity.
//  - the subscription: AZURE_SUBSCRIPTION_ID, else the Azure CLI's default subscription (for 1 and 3,
//    of the same tenant);
//  - the cloud: AZURE_AUTHORITY_HOST (default https://login.microsoftonline.com, as azure-identity),
//    AZURE_RESOURCE_MANAGER_ENDPOINT (default https://management.azure.com) and
//    AZURE_RESOURCE_MANAGER_AUDIENCE (default: the public cloud's https://management.azure.com, or the
//    sovereign cloud's own when the endpoint is management.usgovcloudapi.net or
//    management.chinacloudapi.cn). AZURE_CLOUD=AzureUSGovernment|AzureChinaCloud (the Azure CLI's
//    cloud names) picks a sovereign cloud's three at once; the explicit variables win. The Azure
//    CLI's account is in the cloud its subscription names (environmentName; a cloud registered with
//    `az cloud register` is read from clouds.config), the explicit variables again winning.
//  - the resource group new VMs go to: AZURE_DEFAULTS_GROUP (the Azure CLI's default group, as
//    `az configure --defaults group=` sets it), else "skydeck".
// Settings: credential (secret|certificate|cli|managedIdentity), tenantId, clientId, subscriptionId,
// authorityHost, endpoint, audience, resourceGroup, certificatePath, cliConfigDir, cliUser,
// cliEnvironment, imdsEndpoint. Secrets (memory only): clientSecret, certificatePassword.
QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home,
                                const QString &dmiDir = QStringLiteral("/sys/class/dmi/id"));

// The Azure CLI's default subscription for `tenantId` (any tenant when empty) in azureProfile.json.
QString cliDefaultSubscription(const QString &profileJsonPath, const QString &tenantId);

} // namespace skydeck::azure
