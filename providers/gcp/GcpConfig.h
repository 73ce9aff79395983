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
// Project: CLOUDSDK_CORE_PROJECT, then GOOGLE_CLOUD_PROJECT, then the key's project_id (service
// account) or quota_project_id (authorized_user), then the active gcloud configuration's
// [core] project (CLOUDSDK_ACTIVE_CONFIG_NAME, else the file active_config, else "default";
// configurations/config_NAME). An account without a project is still listed (project empty).
// Compute endpoint: CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE, then the configuration's
// [api_endpoint_overrides] compute, then https://compute.googleapis.com/compute/v1/ .
// Settings: type (service_account | authorized_user), project, clientEmail, clientId, privateKeyId,
// tokenUri, computeEndpoint, keyFile. Secrets (memory only): privateKey, clientSecret, refreshToken.
QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home);

// One credentials file (service-account key or authorized_user) as an Account, with the project and
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

inline constexpr const char *kDefaultTokenUri = "https://oauth2.googleapis.com/token";
inline constexpr const char *kDefaultComputeEndpoint = "https://compute.googleapis.com/compute/v1/";

// Bearer tokens and signed assertions go only over TLS, except to a loopback test server.
// An empty error when `url` may carry them.
Error checkSecureUrl(const QUrl &url, const QString &what);

} // namespace skydeck::gcp
