#pragma once

#include "Account.h"
#include "Result.h"

#include <QList>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

namespace skydeck::gcp {

// Google Cloud accounts found the way gcloud and Google's client libraries find them:
//  - GOOGLE_APPLICATION_CREDENTIALS: a service-account key file ("type": "service_account"), or an
//    authorized_user file; account "gcp:key:<client_email>" / "gcp:user:<client_id>";
//  - application default credentials: CLOUDSDK_CONFIG (default ~/.config/gcloud)
//    /application_default_credentials.json, written by `gcloud auth application-default login`
//    (authorized_user: client_id, client_secret, refresh_token) or a service-account key;
//    account "gcp:adc" (skipped when it is the same file as above).
//  - an ADC file of type impersonated_service_account (`gcloud auth application-default login
//    --impersonate-service-account SA`): its source_credentials (user or key) get a token that the
//    file's service_account_impersonation_url (IAM Credentials generateAccessToken) exchanges for the
//    service account's; account "gcp:adc" / "gcp:impersonated:<SA>";
//  - gcloud's active account (accountFromGcloud below); account "gcp:gcloud:<account>", left out
//    when it holds the same credentials as one listed before it.
// That order is the ADC order of Google's client libraries (GOOGLE_APPLICATION_CREDENTIALS, then the
// ADC file), then what `gcloud` commands use; the first is the one a single-account caller picks.
// Project: CLOUDSDK_CORE_PROJECT, then GOOGLE_CLOUD_PROJECT, then the key's project_id (service
// account) or quota_project_id (authorized_user), then the active gcloud configuration's
// [core] project (CLOUDSDK_ACTIVE_CONFIG_NAME, else the file active_config, else "default";
// configurations/config_NAME). An account without a project is still listed (project empty).
// Compute endpoint: CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE, then the configuration's
// [api_endpoint_overrides] compute, then https://compute.googleapis.com/compute/v1/ .
// Settings: type (service_account | authorized_user: the credentials that sign in), project,
// clientEmail, clientId, privateKeyId, tokenUri, computeEndpoint, keyFile, gcloudAccount,
// loginCommand (what to run when the sign-in is refused), and for impersonation
// impersonateServiceAccount, delegates (comma-separated) and impersonationUrl.
// Secrets (memory only): privateKey, clientSecret, refreshToken.
QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home);

// gcloud's active account as `gcloud` itself finds it (googlecloudsdk/core/credentials/store.py):
// the account is CLOUDSDK_CORE_ACCOUNT, else the active configuration's [core] account; its
// credentials are the row of CLOUDSDK_CONFIG/credentials.db (readGcloudCredentials), a user's
// refresh token or a service account's key. The token endpoint is auth/token_host
// (CLOUDSDK_AUTH_TOKEN_HOST or [auth] token_host) when set, else the stored token_uri. When
// auth/impersonate_service_account (CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT or [auth]
// impersonate_service_account, "delegate,...,target") is set, every call runs as that service
// account, its tokens from generateAccessToken at api_endpoint_overrides/iamcredentials
// (CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS) or https://iamcredentials.googleapis.com/.
// Errors: no active account, no credentials for it (each naming the gcloud command to run).
Result<Account> accountFromGcloud(const QProcessEnvironment &env, const QString &home);

// One credentials file (service-account key, authorized_user or impersonated_service_account) as an Account, with the project and
// endpoint resolved as above. `id` and `source` name it.
Result<Account> accountFromCredentialsFile(const QString &path, const QString &id, const QString &source,
                                           const QProcessEnvironment &env, const QString &home);

// gcloud's INI-style configuration file: section -> key -> value.
using GcloudIni = QMap<QString, QMap<QString, QString>>;
GcloudIni parseGcloudIni(const QString &text);

// gcloud's configuration directory (CLOUDSDK_CONFIG or ~/.config/gcloud) and its active
// configuration's parsed file.
QString gcloudConfigDir(const QProcessEnvironment &env, const QString &home);
GcloudIni activeGcloudConfig(const QProcessEnvironment &env, const QString &home);

// A gcloud property as gcloud resolves it: the environment variable CLOUDSDK_SECTION_NAME, then the
// active configuration's [section] name. Empty when neither sets it.
QString gcloudProperty(const QProcessEnvironment &env, const GcloudIni &ini, const QString &section, const QString &name);

inline constexpr const char *kDefaultTokenUri = "https://oauth2.googleapis.com/token";
inline constexpr const char *kDefaultIamCredentialsEndpoint = "https://iamcredentials.googleapis.com/";
inline constexpr const char *kDefaultComputeEndpoint = "https://compute.googleapis.com/compute/v1/";

// Bearer tokens and signed assertions go only over TLS, except to a loopback test server.
// An empty error when `url` may carry them.
Error checkSecureUrl(const QUrl &url, const QString &what);

} // namespace skydeck::gcp
