#pragma once

#include "Account.h"
#include "Result.h"

#include <QList>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>

namespace skydeck::aws {

// The AWS accounts a user already has, found the way the AWS CLI finds them:
//  - AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN): account "aws:env";
//  - every profile with keys in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
//    default ~/.aws/credentials, sections "[name]") or the config file (AWS_CONFIG_FILE, default
//    ~/.aws/config, sections "[profile name]" and "[default]"): account "aws:profile:<name>";
//    the credentials file wins over the config file for the same key.
//  - region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`, then us-east-1;
//  - endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's nested `s3 = endpoint_url`, then
//    its `endpoint_url` (all ignored with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true);
//  - EC2 endpoint (setting ec2Endpoint): AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, the profile's nested
//    `ec2 = endpoint_url`, then its `endpoint_url` (same switch to ignore them);
//  - addressing style: the profile's nested `s3 = addressing_style` (path | virtual | auto).
// The environment account takes its region/endpoint from the active profile (AWS_PROFILE, then
// AWS_DEFAULT_PROFILE, then "default"). Order: the environment account, the active profile, then
// the rest by name. Profiles without static keys (SSO, roles, credential_process) are skipped.
// Settings: region, endpoint, ec2Endpoint, addressingStyle, accessKeyId, profile (and regionPinned =
// "true", set by the user, not found here: EC2 lists only `region` instead of every enabled region). Secrets (memory only):
// secretAccessKey, sessionToken.
QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home);

// The account the CLI's --profile NAME means (an explicit profile beats the environment's keys).
Result<Account> accountForProfile(const QProcessEnvironment &env, const QString &home, const QString &profileName);

// One parsed INI-style AWS file: section -> key -> value; a nested block ("s3 =" followed by
// indented "key = value" lines) is stored as "s3.key".
using AwsIni = QMap<QString, QMap<QString, QString>>;
AwsIni parseAwsIni(const QString &text);

} // namespace skydeck::aws
