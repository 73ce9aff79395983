#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

namespace skydeck::azure {

// The Azure CLI's application (client) id: the refresh tokens in its cache were issued to it.
inline constexpr const char *kAzureCliClientId = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

// What Skydeck looks for in the Azure CLI's MSAL token cache: one user's tokens.
struct MsalQuery {
    QString username;     // the Account entry's username (azureProfile.json's user.name)
    QString environment;  // the authority's host name, as MSAL keys entries ("login.microsoftonline.com")
    QString tenantId;     // the access token's realm: the subscription's tenant
    QString clientId = QString::fromLatin1(kAzureCliClientId);
    QString scope;        // "https://management.core.windows.net//.default", as az asks for it
    qint64 now = 0;       // seconds since the epoch
    qint64 minValidSeconds = 0;  // an access token with less time left than this is not taken
};

struct MsalCachedTokens {
    QByteArray accessToken;      // empty when none for that tenant and scope is still valid
    qint64 accessExpiresOn = 0;  // seconds since the epoch
    QByteArray refreshToken;     // the newest of the user's refresh tokens for the client (or its family)
};

// Reads CONFIG_DIR/msal_token_cache.json as MSAL Python writes it (msal/token_cache.py): top-level
// sections AccessToken, RefreshToken, IdToken, Account and AppMetadata, each a map from MSAL's key to an
// entry with credential_type, secret, home_account_id, environment, client_id, realm, target (the scopes,
// space-separated), expires_on (seconds, a string) and, for refresh tokens, family_id and
// last_modification_time. The user's entries are found through the Account section (username and
// environment give home_account_id). The file is only read: Skydeck never writes the CLI's cache.
// Errors name what to do (az login), never a token.
Result<MsalCachedTokens> readMsalCache(const QString &configDir, const MsalQuery &query);

} // namespace skydeck::azure
