#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QString>

namespace skydeck::gcp {

// gcloud's credential store: the SQLite file credentials.db in gcloud's configuration directory,
// written by `gcloud auth login`, `gcloud auth activate-service-account` and
// `gcloud auth activate-refresh-token` (googlecloudsdk/core/credentials/creds.py, SqliteCredentialStore):
//   CREATE TABLE "credentials" (account_id TEXT PRIMARY KEY, value BLOB)
// account_id is the account ("alice@example.com"), or "account#universe_domain" outside the default
// universe (googleapis.com); value is the credentials' JSON: for a user {"type": "authorized_user",
// "client_id", "client_secret", "refresh_token", "token_uri", "revoke_uri", "scopes",
// "universe_domain"}, for a service account its key ({"type": "service_account", "client_email",
// "private_key", "private_key_id", "token_uri", "project_id"}).
// Access tokens gcloud caches live in another file (access_tokens.db); Skydeck keeps its own in memory
// and never writes either file.
//
// Opened read-only (QSQLITE_OPEN_READONLY) through Qt's QSQLITE driver on a connection of its own,
// removed before returning; a busy database (gcloud writing) is waited on for up to two seconds.
// Errors name the file and what to run: no file ("run gcloud auth login"), no row for the account
// ("run gcloud auth login ACCOUNT"), an unreadable file or a value that is not a JSON object.
// `universeDomain` empty or "googleapis.com" means the default universe.
Result<QJsonObject> readGcloudCredentials(const QString &dbPath, const QString &account,
                                          const QString &universeDomain = {});

} // namespace skydeck::gcp
