#pragma once

#include <QString>

#include <optional>

namespace skydeck::azure {

// The Azure CLI's account files in its configuration directory (AZURE_CONFIG_DIR, default ~/.azure),
// as azure-cli writes them (azure/cli/core/_profile.py, azure/cli/core/cloud.py). Read only.

// One entry of azureProfile.json's "subscriptions" (the file starts with a UTF-8 BOM).
struct CliSubscription {
    QString id;
    QString name;
    QString tenantId;
    QString userName;         // user.name: the user's sign-in name, or a service principal's client id
    QString userType;         // user.type: "user" or "servicePrincipal"
    QString environmentName;  // the cloud: AzureCloud, AzureUSGovernment, AzureChinaCloud or a registered one
};

// The default subscription (isDefault) of `tenantId` (any tenant when empty); nullopt when the file
// is missing, unreadable or has none.
std::optional<CliSubscription> cliDefaultSubscriptionEntry(const QString &profileJsonPath, const QString &tenantId);

// A service principal signed in with `az login --service-principal`: its entry in
// service_principal_entries.json (plain JSON unless the CLI encrypts its caches), chosen as the CLI
// does (azure/cli/core/auth/identity.py, ServicePrincipalStore.load_entry): the client id's entry for
// `tenantId`, else its first one. The secret stays in memory.
struct CliServicePrincipal {
    QString clientId;
    QString tenantId;
    QString clientSecret;     // either this,
    QString certificatePath;  // or a PEM with the key and the certificate
};
std::optional<CliServicePrincipal> cliServicePrincipal(const QString &configDir, const QString &clientId,
                                                       const QString &tenantId);

// A cloud registered with `az cloud register`, from clouds.config: empty fields for a cloud that is
// not there (the built-in AzureCloud, AzureUSGovernment and AzureChinaCloud are not written there).
struct CliCloud {
    QString authority;        // endpoint_active_directory
    QString resourceManager;  // endpoint_resource_manager
    QString resource;         // endpoint_active_directory_resource_id: the token's resource
};
CliCloud cliCloud(const QString &configDir, const QString &cloudName);

} // namespace skydeck::azure
